/* SPDX-License-Identifier: Apache-2.0 */
/* av_enc.h: the video and audio encoders behind every libavformat output:
 * H.264 (libx264), VP9 (libvpx, with alpha) or ProRes 4444 (with alpha) from
 * BGRA frames, and AAC, Opus or PCM at 48 kHz from mono float audio. Live
 * settings (zerolatency, CBR with VBV, a keyframe every 2 s) or file settings
 * (constant quality); options pass through. Packets go to a callback. */
#ifndef SZ_STREAM_AV_ENC_H
#define SZ_STREAM_AV_ENC_H

#include <stddef.h>
#include <stdint.h>

#include <libavcodec/avcodec.h>

#include "core/media.h"
#include "stream/out_options.h"

#define AVENC_RATE 48000
#define AVENC_OPTION_NAMES                                                                         \
    "crf preset x264_opts video_bitrate audio_bitrate audio_codec keyint_s alpha threads"

typedef struct avenc_settings {
    int live;
    double crf;                        /* < 0: the default of the codec and mode */
    char preset[32];                   /* x264 preset; "" = veryfast */
    char x264_opts[OUT_OPT_VALUE_MAX]; /* "key=value:key=value" for x264, passed through */
    int64_t video_bitrate;             /* bit/s; 0 = default (live: from size and fps) */
    int64_t audio_bitrate;             /* bit/s; 0 = default of the codec */
    double keyint_s;                   /* seconds between keyframes; 0 = default (live: 2) */
    int alpha;                         /* -1 auto (look at the first frame), 0 off, 1 on */
    int audio_codec;                   /* AVENC_AUDIO_*; AVENC_AUDIO_DEFAULT = the container's */
    int threads;                       /* encoder threads; 0 = automatic */
} avenc_settings;

enum { AVENC_AUDIO_DEFAULT = -1, AVENC_AUDIO_AAC = 0, AVENC_AUDIO_OPUS, AVENC_AUDIO_PCM };

/* Takes the encoder keys (AVENC_OPTION_NAMES) from opts. */
int avenc_parse(out_options *opts, const char *name, int live, avenc_settings *s, char *err,
                size_t errlen);

typedef struct avenc_config {
    const char *name; /* for messages */
    int width, height, fps, in_rate;
    enum AVCodecID vcodec; /* H264, VP9 or PRORES */
    int audio_codec;       /* AVENC_AUDIO_AAC/OPUS/PCM */
    int alpha;             /* 1: encode the alpha channel */
    int global_header;     /* the container wants codec headers out of band */
    const avenc_settings *set;
} avenc_config;

/* Receives each encoded packet; pts/dts are in tb. Returns an sz_result. */
typedef int (*avenc_packet_fn)(void *user, AVPacket *pkt, int is_video, AVRational tb, char *err,
                               size_t errlen);

typedef struct av_enc av_enc;

int avenc_create(const avenc_config *c, av_enc **e, char *err, size_t errlen);
const AVCodecContext *avenc_video_ctx(const av_enc *e);
const AVCodecContext *avenc_audio_ctx(const av_enc *e);
/* The AVCodecID of an AVENC_AUDIO_* value. */
enum AVCodecID avenc_audio_codec_id(int audio_codec);
const char *avenc_audio_codec_name(int audio_codec);

/* frame->pts counts frames from 0 and only grows. */
int avenc_video(av_enc *e, const sz_video_frame *frame, avenc_packet_fn fn, void *user, char *err,
                size_t errlen);
int avenc_audio(av_enc *e, const float *pcm, int n, avenc_packet_fn fn, void *user, char *err,
                size_t errlen);
/* Pads the audio with silence to the end of the last frame and drains both
 * encoders. */
int avenc_flush(av_enc *e, avenc_packet_fn fn, void *user, char *err, size_t errlen);
int64_t avenc_video_frames(const av_enc *e);
void avenc_free(av_enc **e);

/* 1 when some pixel of the BGRA frame is not opaque. */
int avenc_frame_has_alpha(const sz_video_frame *frame);

#endif
