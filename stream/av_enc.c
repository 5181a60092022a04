/* SPDX-License-Identifier: Apache-2.0 */
/* av_enc.c: video (libx264, libvpx-vp9, prores_ks) and audio (aac, libopus,
 * pcm_s16le) encoders for the libavformat outputs. Everything is allocated
 * when the encoders open; writing a frame allocates nothing. */
#include "stream/av_enc.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libavutil/audio_fifo.h>
#include <libavutil/channel_layout.h>
#include <libavutil/error.h>
#include <libavutil/mathematics.h>
#include <libavutil/opt.h>
#include <libavutil/pixdesc.h>
#include <libswresample/swresample.h>
#include <libswscale/swscale.h>

#include "shuzi.h"
#include "stream/output.h"

#define AVENC_CHUNK 4096 /* input samples resampled per call */

struct av_enc {
    const char *name;
    int width, height, fps, in_rate, alpha;
    AVCodecContext *venc, *aenc;
    struct SwsContext *sws;
    SwrContext *swr;
    AVAudioFifo *fifo;
    AVFrame *vframe, *aframe;
    AVPacket *pkt;
    uint8_t *straight; /* alpha: the frame with colour divided by alpha */
    uint8_t *rs_buf;   /* resampler output, encoder sample format */
    int rs_cap;        /* samples */
    int frame_size;
    enum AVSampleFormat afmt;
    int64_t last_vpts; /* -1 before the first frame */
    int64_t n_vframes;
    int64_t a_in;        /* samples (48 kHz) that went into the fifo */
    int64_t a_pts;       /* samples (48 kHz) sent to the encoder */
    uint32_t recip[256]; /* 255 * 65536 / a, for un-premultiplying */
};

static int avenc_fail(char *err, size_t errlen, const char *name, int code, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static int avenc_fail(char *err, size_t errlen, const char *name, int code, const char *fmt, ...)
{
    char what[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    snprintf(err, errlen, "%s: %s", name, what);
    return code;
}

static int avenc_code(int averr)
{
    return averr == AVERROR(ENOMEM) ? SZ_ERR_NO_MEMORY : SZ_ERR_CODEC;
}

/* ---- options ---------------------------------------------------------- */

int avenc_parse(out_options *o, const char *name, int live, avenc_settings *s, char *err,
                size_t errlen)
{
    memset(s, 0, sizeof *s);
    s->live = live;
    s->crf = -1;
    s->alpha = -1;
    s->audio_codec = AVENC_AUDIO_DEFAULT;
    int64_t threads = 0;
    int rc;
    static const char *const alpha_choices[] = {"auto", "off", "on", NULL};
    static const char *const audio_choices[] = {"aac", "opus", "pcm", NULL};
    /* libx264's own names; it prints its refusal of others to stderr itself */
    static const char *const preset_choices[] = {"ultrafast", "superfast", "veryfast", "faster",
                                                 "fast",      "medium",    "slow",     "slower",
                                                 "veryslow",  "placebo",   NULL};
    int alpha = 0, acodec = -1, preset = -1;
    if ((rc = out_options_double(o, "crf", 0, 63, &s->crf, err, errlen)) ||
        (rc = out_options_choice(o, "preset", preset_choices, &preset, err, errlen)) ||
        (rc = out_options_string(o, "x264_opts", s->x264_opts, sizeof s->x264_opts, err, errlen)) ||
        (rc = out_options_bitrate(o, "video_bitrate", 8000, 1000000000, &s->video_bitrate, err,
                                  errlen)) ||
        (rc = out_options_bitrate(o, "audio_bitrate", 8000, 1000000, &s->audio_bitrate, err,
                                  errlen)) ||
        (rc = out_options_double(o, "keyint_s", 0.04, 60, &s->keyint_s, err, errlen)) ||
        (rc = out_options_choice(o, "alpha", alpha_choices, &alpha, err, errlen)) ||
        (rc = out_options_choice(o, "audio_codec", audio_choices, &acodec, err, errlen)) ||
        (rc = out_options_int(o, "threads", 0, 64, &threads, err, errlen)))
        return rc;
    if (preset >= 0)
        snprintf(s->preset, sizeof s->preset, "%s", preset_choices[preset]);
    s->alpha = alpha == 0 ? -1 : alpha == 1 ? 0 : 1;
    s->audio_codec = acodec;
    s->threads = (int)threads;
    (void)name;
    return SZ_OK;
}

enum AVCodecID avenc_audio_codec_id(int c)
{
    return c == AVENC_AUDIO_OPUS  ? AV_CODEC_ID_OPUS
           : c == AVENC_AUDIO_PCM ? AV_CODEC_ID_PCM_S16LE
                                  : AV_CODEC_ID_AAC;
}

const char *avenc_audio_codec_name(int c)
{
    return c == AVENC_AUDIO_OPUS ? "opus" : c == AVENC_AUDIO_PCM ? "pcm" : "aac";
}

/* ---- video ------------------------------------------------------------- */

static int64_t avenc_live_bitrate(int w, int h, int fps)
{
    /* About 0.09 bit per pixel: 2.5 Mbit/s for 720p30, 5.6 for 1080p30. */
    double b = 0.09 * w * h * fps;
    if (b < 250000)
        b = 250000;
    if (b > 12000000)
        b = 12000000;
    return (int64_t)b;
}

static int avenc_setup_x264(AVCodecContext *c, const avenc_config *cf, AVDictionary **d, char *err,
                            size_t errlen)
{
    const avenc_settings *s = cf->set;
    av_dict_set(d, "preset", s->preset[0] ? s->preset : "veryfast", 0);
    char params[OUT_OPT_VALUE_MAX + 64] = "";
    char num[32];
    if (s->live) {
        int64_t b =
            s->video_bitrate ? s->video_bitrate : avenc_live_bitrate(c->width, c->height, cf->fps);
        av_dict_set(d, "tune", "zerolatency", 0);
        c->rc_max_rate = b;
        c->rc_buffer_size = (int)(b > INT32_MAX ? INT32_MAX : b); /* one second of VBV */
        if (s->crf >= 0) {                                        /* capped constant quality */
            snprintf(num, sizeof num, "%g", s->crf);
            av_dict_set(d, "crf", num, 0);
        } else { /* constant bit rate, signalled in the stream */
            c->bit_rate = b;
            c->rc_min_rate = b;
            snprintf(params, sizeof params, "nal-hrd=cbr");
        }
    } else if (s->video_bitrate) {
        c->bit_rate = s->video_bitrate;
    } else {
        snprintf(num, sizeof num, "%g", s->crf >= 0 ? s->crf : 23.0);
        av_dict_set(d, "crf", num, 0);
    }
    if (s->crf > 51)
        return avenc_fail(err, errlen, cf->name, SZ_ERR_INVALID_ARG,
                          "option crf=%g: expected 0 to 51 for H.264", s->crf);
    if (s->x264_opts[0]) {
        size_t n = strlen(params);
        snprintf(params + n, sizeof params - n, "%s%s", n ? ":" : "", s->x264_opts);
    }
    if (params[0])
        av_dict_set(d, "x264-params", params, 0);
    return SZ_OK;
}

static int avenc_setup_vp9(AVCodecContext *c, const avenc_config *cf, AVDictionary **d, char *err,
                           size_t errlen)
{
    const avenc_settings *s = cf->set;
    if (s->preset[0] || s->x264_opts[0])
        return avenc_fail(err, errlen, cf->name, SZ_ERR_INVALID_ARG,
                          "options preset and x264_opts are for H.264, this output is VP9");
    char num[32];
    av_dict_set(d, "row-mt", "1", 0);
    if (s->live) {
        int64_t b =
            s->video_bitrate ? s->video_bitrate : avenc_live_bitrate(c->width, c->height, cf->fps);
        av_dict_set(d, "deadline", "realtime", 0);
        av_dict_set(d, "cpu-used", "8", 0);
        av_dict_set(d, "lag-in-frames", "0", 0);
        c->bit_rate = b;
        c->rc_min_rate = b;
        c->rc_max_rate = b;
        c->rc_buffer_size = (int)(b > INT32_MAX ? INT32_MAX : b);
    } else {
        av_dict_set(d, "deadline", "good", 0);
        av_dict_set(d, "cpu-used", "4", 0);
        if (s->video_bitrate) {
            c->bit_rate = s->video_bitrate;
        } else {
            c->bit_rate = 0; /* constant quality */
            snprintf(num, sizeof num, "%g", s->crf >= 0 ? s->crf : 32.0);
            av_dict_set(d, "crf", num, 0);
        }
    }
    if (cf->alpha) /* the alpha plane is a second stream: no alt-ref frames there */
        av_dict_set(d, "auto-alt-ref", "0", 0);
    (void)err;
    (void)errlen;
    return SZ_OK;
}

static int avenc_setup_prores(AVCodecContext *c, const avenc_config *cf, AVDictionary **d,
                              char *err, size_t errlen)
{
    const avenc_settings *s = cf->set;
    if (s->preset[0] || s->x264_opts[0] || s->crf >= 0 || s->video_bitrate)
        return avenc_fail(err, errlen, cf->name, SZ_ERR_INVALID_ARG,
                          "ProRes 4444 takes no preset, x264_opts, crf or video_bitrate");
    av_dict_set(d, "profile", "4444", 0);
    av_dict_set(d, "vendor", "apl0", 0);
    if (cf->alpha)
        av_dict_set(d, "alpha_bits", "16", 0);
    (void)c;
    return SZ_OK;
}

static int avenc_open_video(av_enc *e, const avenc_config *cf, char *err, size_t errlen)
{
    const char *enc_name = cf->vcodec == AV_CODEC_ID_H264  ? "libx264"
                           : cf->vcodec == AV_CODEC_ID_VP9 ? "libvpx-vp9"
                                                           : "prores_ks";
    const AVCodec *codec = avcodec_find_encoder_by_name(enc_name);
    if (!codec)
        return avenc_fail(err, errlen, e->name, SZ_ERR_UNSUPPORTED, "this FFmpeg has no %s encoder",
                          enc_name);
    AVCodecContext *c = e->venc = avcodec_alloc_context3(codec);
    if (!c)
        return avenc_fail(err, errlen, e->name, SZ_ERR_NO_MEMORY, "out of memory");
    enum AVPixelFormat pix;
    if (cf->vcodec == AV_CODEC_ID_PRORES)
        pix = cf->alpha ? AV_PIX_FMT_YUVA444P10LE : AV_PIX_FMT_YUV444P10LE;
    else
        pix = cf->alpha ? AV_PIX_FMT_YUVA420P : AV_PIX_FMT_YUV420P;
    if (cf->alpha && cf->vcodec == AV_CODEC_ID_H264)
        return avenc_fail(err, errlen, e->name, SZ_ERR_UNSUPPORTED,
                          "H.264 cannot carry alpha: use .webm (VP9) or .mov (ProRes 4444)");
    c->width = e->width;
    c->height = e->height;
    c->pix_fmt = pix;
    c->time_base = (AVRational){1, e->fps};
    c->framerate = (AVRational){e->fps, 1};
    c->sample_aspect_ratio = (AVRational){1, 1};
    c->color_range = AVCOL_RANGE_MPEG;
    c->colorspace = AVCOL_SPC_BT709;
    c->color_primaries = AVCOL_PRI_BT709;
    c->color_trc = AVCOL_TRC_BT709;
    c->thread_count = cf->set->threads;
    double keyint_s = cf->set->keyint_s > 0 ? cf->set->keyint_s : cf->set->live ? 2.0 : 0;
    if (keyint_s > 0 && cf->vcodec != AV_CODEC_ID_PRORES) {
        int g = (int)(keyint_s * e->fps + 0.5);
        c->gop_size = g < 1 ? 1 : g;
        c->keyint_min = c->gop_size;
    }
    if (cf->global_header)
        c->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;

    AVDictionary *d = NULL;
    int rc = cf->vcodec == AV_CODEC_ID_H264  ? avenc_setup_x264(c, cf, &d, err, errlen)
             : cf->vcodec == AV_CODEC_ID_VP9 ? avenc_setup_vp9(c, cf, &d, err, errlen)
                                             : avenc_setup_prores(c, cf, &d, err, errlen);
    if (rc != SZ_OK) {
        av_dict_free(&d);
        return rc;
    }
    if (keyint_s > 0 && cf->vcodec == AV_CODEC_ID_H264)
        av_dict_set(&d, "sc_threshold", "0", 0); /* keyframes exactly on the grid */
    char warned[256];
    output_av_capture(warned, sizeof warned);
    int ret = avcodec_open2(c, codec, &d);
    output_av_capture(NULL, 0);
    const AVDictionaryEntry *left = av_dict_get(d, "", NULL, AV_DICT_IGNORE_SUFFIX);
    char left_key[64] = "";
    if (left)
        snprintf(left_key, sizeof left_key, "%s", left->key);
    av_dict_free(&d);
    if (ret < 0)
        return avenc_fail(err, errlen, e->name, SZ_ERR_CODEC,
                          "cannot open the %s encoder%s%s%s: %s", enc_name,
                          cf->set->preset[0] ? " (preset '" : "", cf->set->preset,
                          cf->set->preset[0] ? "')" : "", av_err2str(ret));
    if (left_key[0])
        return avenc_fail(err, errlen, e->name, SZ_ERR_CODEC, "%s did not take option '%s'",
                          enc_name, left_key);
    /* libx264 only warns about x264-params it cannot parse: refuse them. */
    if (strstr(warned, "Error parsing option"))
        return avenc_fail(err, errlen, e->name, SZ_ERR_INVALID_ARG, "option x264_opts: %s: %s",
                          enc_name, warned);

    int src_w = e->width, src_h = e->height;
    e->sws = sws_getContext(src_w, src_h, AV_PIX_FMT_BGRA, e->width, e->height, pix,
                            SWS_BILINEAR | SWS_ACCURATE_RND, NULL, NULL, NULL);
    if (!e->sws)
        return avenc_fail(err, errlen, e->name, SZ_ERR_CODEC, "cannot set up BGRA to %s",
                          av_get_pix_fmt_name(pix));
    const int *bt709 = sws_getCoefficients(SWS_CS_ITU709);
    sws_setColorspaceDetails(e->sws, bt709, 1, bt709, 0, 0, 1 << 16, 1 << 16);
    e->vframe = av_frame_alloc();
    if (!e->vframe)
        return avenc_fail(err, errlen, e->name, SZ_ERR_NO_MEMORY, "out of memory");
    e->vframe->format = pix;
    e->vframe->width = e->width;
    e->vframe->height = e->height;
    e->vframe->color_range = AVCOL_RANGE_MPEG;
    e->vframe->colorspace = AVCOL_SPC_BT709;
    ret = av_frame_get_buffer(e->vframe, 0);
    if (ret < 0)
        return avenc_fail(err, errlen, e->name, avenc_code(ret), "cannot allocate a frame: %s",
                          av_err2str(ret));
    if (cf->alpha) {
        e->straight = av_malloc((size_t)e->width * 4 * (size_t)e->height);
        if (!e->straight)
            return avenc_fail(err, errlen, e->name, SZ_ERR_NO_MEMORY, "out of memory");
        e->recip[0] = 0;
        for (int a = 1; a < 256; a++)
            e->recip[a] = (uint32_t)((255u << 16) / (unsigned)a);
    }
    return SZ_OK;
}

/* ---- audio ------------------------------------------------------------- */

static int avenc_open_audio(av_enc *e, const avenc_config *cf, char *err, size_t errlen)
{
    const char *enc_name = cf->audio_codec == AVENC_AUDIO_OPUS  ? "libopus"
                           : cf->audio_codec == AVENC_AUDIO_PCM ? "pcm_s16le"
                                                                : "aac";
    const AVCodec *codec = avcodec_find_encoder_by_name(enc_name);
    if (!codec)
        return avenc_fail(err, errlen, e->name, SZ_ERR_UNSUPPORTED, "this FFmpeg has no %s encoder",
                          enc_name);
    AVCodecContext *c = e->aenc = avcodec_alloc_context3(codec);
    if (!c)
        return avenc_fail(err, errlen, e->name, SZ_ERR_NO_MEMORY, "out of memory");
    AVChannelLayout mono = AV_CHANNEL_LAYOUT_MONO;
    int ret = av_channel_layout_copy(&c->ch_layout, &mono);
    if (ret < 0)
        return avenc_fail(err, errlen, e->name, avenc_code(ret), "audio layout: %s",
                          av_err2str(ret));
    /* The first sample format the encoder takes among the float ones, else s16. */
    enum AVSampleFormat fmt = codec->sample_fmts ? codec->sample_fmts[0] : AV_SAMPLE_FMT_FLTP;
    for (const enum AVSampleFormat *p = codec->sample_fmts; p && *p != AV_SAMPLE_FMT_NONE; p++)
        if (*p == AV_SAMPLE_FMT_FLTP || *p == AV_SAMPLE_FMT_FLT) {
            fmt = *p;
            break;
        }
    e->afmt = c->sample_fmt = fmt;
    c->sample_rate = AVENC_RATE;
    c->time_base = (AVRational){1, AVENC_RATE};
    if (cf->audio_codec != AVENC_AUDIO_PCM) {
        int64_t def = cf->audio_codec == AVENC_AUDIO_OPUS ? 96000 : cf->set->live ? 128000 : 96000;
        c->bit_rate = cf->set->audio_bitrate ? cf->set->audio_bitrate : def;
    } else if (cf->set->audio_bitrate) {
        return avenc_fail(err, errlen, e->name, SZ_ERR_INVALID_ARG,
                          "option audio_bitrate: PCM audio has no bit rate to set");
    }
    if (cf->global_header)
        c->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
    AVDictionary *d = NULL;
    if (cf->audio_codec == AVENC_AUDIO_OPUS && cf->set->live)
        av_dict_set(&d, "application", "lowdelay", 0);
    ret = avcodec_open2(c, codec, &d);
    av_dict_free(&d);
    if (ret < 0)
        return avenc_fail(err, errlen, e->name, SZ_ERR_CODEC,
                          "cannot open the %s encoder at %lld bit/s: %s", enc_name,
                          (long long)c->bit_rate, av_err2str(ret));
    e->frame_size = c->frame_size > 0 ? c->frame_size : 1024;

    ret = swr_alloc_set_opts2(&e->swr, &mono, fmt, AVENC_RATE, &mono, AV_SAMPLE_FMT_FLT, e->in_rate,
                              0, NULL);
    if (ret >= 0)
        ret = swr_init(e->swr);
    if (ret < 0)
        return avenc_fail(err, errlen, e->name, SZ_ERR_CODEC,
                          "cannot set up resampling from %d Hz to %d Hz: %s", e->in_rate,
                          AVENC_RATE, av_err2str(ret));
    e->rs_cap = (int)av_rescale_rnd(AVENC_CHUNK, AVENC_RATE, e->in_rate, AV_ROUND_UP) + 1024;
    if (e->rs_cap < e->frame_size)
        e->rs_cap = e->frame_size;
    e->rs_buf = av_malloc((size_t)e->rs_cap * (size_t)av_get_bytes_per_sample(fmt));
    e->fifo = av_audio_fifo_alloc(fmt, 1, 4 * e->frame_size);
    e->aframe = av_frame_alloc();
    if (!e->rs_buf || !e->fifo || !e->aframe)
        return avenc_fail(err, errlen, e->name, SZ_ERR_NO_MEMORY, "out of memory");
    e->aframe->format = fmt;
    e->aframe->sample_rate = AVENC_RATE;
    e->aframe->nb_samples = e->frame_size;
    ret = av_channel_layout_copy(&e->aframe->ch_layout, &mono);
    if (ret >= 0)
        ret = av_frame_get_buffer(e->aframe, 0);
    if (ret < 0)
        return avenc_fail(err, errlen, e->name, avenc_code(ret), "cannot allocate audio: %s",
                          av_err2str(ret));
    return SZ_OK;
}

/* ---- life cycle -------------------------------------------------------- */

void avenc_free(av_enc **ep)
{
    if (!ep || !*ep)
        return;
    av_enc *e = *ep;
    avcodec_free_context(&e->venc);
    avcodec_free_context(&e->aenc);
    sws_freeContext(e->sws);
    swr_free(&e->swr);
    if (e->fifo)
        av_audio_fifo_free(e->fifo);
    av_frame_free(&e->vframe);
    av_frame_free(&e->aframe);
    av_packet_free(&e->pkt);
    av_free(e->rs_buf);
    av_free(e->straight);
    free(e);
    *ep = NULL;
}

int avenc_create(const avenc_config *cf, av_enc **out, char *err, size_t errlen)
{
    *out = NULL;
    av_enc *e = calloc(1, sizeof *e);
    if (!e)
        return avenc_fail(err, errlen, cf->name, SZ_ERR_NO_MEMORY, "out of memory");
    e->name = cf->name;
    e->width = cf->width;
    e->height = cf->height;
    e->fps = cf->fps;
    e->in_rate = cf->in_rate;
    e->alpha = cf->alpha;
    e->last_vpts = -1;
    int rc = avenc_open_video(e, cf, err, errlen);
    if (rc == SZ_OK)
        rc = avenc_open_audio(e, cf, err, errlen);
    if (rc == SZ_OK && !(e->pkt = av_packet_alloc()))
        rc = avenc_fail(err, errlen, cf->name, SZ_ERR_NO_MEMORY, "out of memory");
    if (rc != SZ_OK) {
        avenc_free(&e);
        return rc;
    }
    *out = e;
    return SZ_OK;
}

const AVCodecContext *avenc_video_ctx(const av_enc *e)
{
    return e->venc;
}
const AVCodecContext *avenc_audio_ctx(const av_enc *e)
{
    return e->aenc;
}
int64_t avenc_video_frames(const av_enc *e)
{
    return e->n_vframes;
}

/* ---- encoding ---------------------------------------------------------- */

/* Sends one frame (NULL: flush) and hands every packet that comes out to fn. */
static int avenc_send(av_enc *e, AVCodecContext *enc, AVFrame *frame, avenc_packet_fn fn,
                      void *user, char *err, size_t errlen)
{
    int is_video = enc == e->venc;
    int ret = avcodec_send_frame(enc, frame);
    if (ret < 0 && !(ret == AVERROR_EOF && !frame))
        return avenc_fail(err, errlen, e->name, SZ_ERR_CODEC, "encoding %s failed: %s",
                          is_video ? "video" : "audio", av_err2str(ret));
    for (;;) {
        ret = avcodec_receive_packet(enc, e->pkt);
        if (ret == AVERROR(EAGAIN) || ret == AVERROR_EOF)
            return SZ_OK;
        if (ret < 0)
            return avenc_fail(err, errlen, e->name, SZ_ERR_CODEC, "encoding %s failed: %s",
                              is_video ? "video" : "audio", av_err2str(ret));
        int rc = fn(user, e->pkt, is_video, enc->time_base, err, errlen);
        av_packet_unref(e->pkt);
        if (rc != SZ_OK)
            return rc;
    }
}

int avenc_frame_has_alpha(const sz_video_frame *f)
{
    for (int y = 0; y < f->height; y++) {
        const uint8_t *p = f->data + (size_t)f->stride * (size_t)y;
        for (int x = 0; x < f->width; x++)
            if (p[4 * x + 3] != 255)
                return 1;
    }
    return 0;
}

/* Premultiplied BGRA (cairo) to straight alpha, which the alpha codecs store. */
static void avenc_unpremultiply(av_enc *e, const sz_video_frame *f)
{
    for (int y = 0; y < f->height; y++) {
        const uint8_t *s = f->data + (size_t)f->stride * (size_t)y;
        uint8_t *d = e->straight + (size_t)f->width * 4 * (size_t)y;
        for (int x = 0; x < f->width; x++, s += 4, d += 4) {
            unsigned a = s[3];
            if (a == 255) {
                memcpy(d, s, 4);
                continue;
            }
            uint32_t r = e->recip[a];
            for (int k = 0; k < 3; k++) {
                uint32_t v = (s[k] * r + 32768u) >> 16;
                d[k] = (uint8_t)(v > 255 ? 255 : v);
            }
            d[3] = (uint8_t)a;
        }
    }
}

int avenc_video(av_enc *e, const sz_video_frame *f, avenc_packet_fn fn, void *user, char *err,
                size_t errlen)
{
    if (f->pts <= e->last_vpts)
        return avenc_fail(err, errlen, e->name, SZ_ERR_INVALID_ARG,
                          "video frame pts %lld does not follow the previous one (%lld)",
                          (long long)f->pts, (long long)e->last_vpts);
    int ret = av_frame_make_writable(e->vframe);
    if (ret < 0)
        return avenc_fail(err, errlen, e->name, avenc_code(ret), "cannot get a frame: %s",
                          av_err2str(ret));
    const uint8_t *src[1] = {f->data};
    int stride[1] = {f->stride};
    if (e->alpha) {
        avenc_unpremultiply(e, f);
        src[0] = e->straight;
        stride[0] = f->width * 4;
    }
    sws_scale(e->sws, src, stride, 0, e->height, e->vframe->data, e->vframe->linesize);
    e->vframe->pts = f->pts;
    e->last_vpts = f->pts;
    e->n_vframes++;
    return avenc_send(e, e->venc, e->vframe, fn, user, err, errlen);
}

/* Encodes one frame of n samples from the fifo (n < frame_size only at the end). */
static int avenc_audio_frame(av_enc *e, int n, avenc_packet_fn fn, void *user, char *err,
                             size_t errlen)
{
    int ret = av_frame_make_writable(e->aframe);
    if (ret < 0)
        return avenc_fail(err, errlen, e->name, avenc_code(ret), "cannot get audio: %s",
                          av_err2str(ret));
    if (av_audio_fifo_read(e->fifo, (void **)e->aframe->data, n) != n)
        return avenc_fail(err, errlen, e->name, SZ_ERR_INTERNAL, "audio buffer underrun");
    int variable = e->aenc->codec->capabilities &
                   (AV_CODEC_CAP_SMALL_LAST_FRAME | AV_CODEC_CAP_VARIABLE_FRAME_SIZE);
    if (n < e->frame_size && !variable) {
        int bps = av_get_bytes_per_sample(e->afmt);
        memset(e->aframe->data[0] + (size_t)n * (size_t)bps, 0,
               (size_t)(e->frame_size - n) * (size_t)bps);
        n = e->frame_size;
    }
    e->aframe->nb_samples = n;
    e->aframe->pts = e->a_pts;
    e->a_pts += n;
    return avenc_send(e, e->aenc, e->aframe, fn, user, err, errlen);
}

static int avenc_fifo_put(av_enc *e, const uint8_t *samples, int n, avenc_packet_fn fn, void *user,
                          char *err, size_t errlen)
{
    void *planes[1] = {(void *)samples};
    if (av_audio_fifo_write(e->fifo, planes, n) != n)
        return avenc_fail(err, errlen, e->name, SZ_ERR_NO_MEMORY, "cannot buffer audio");
    e->a_in += n;
    while (av_audio_fifo_size(e->fifo) >= e->frame_size) {
        int rc = avenc_audio_frame(e, e->frame_size, fn, user, err, errlen);
        if (rc != SZ_OK)
            return rc;
    }
    return SZ_OK;
}

/* Resamples n input samples (NULL: flush the resampler) into the fifo. */
static int avenc_resample(av_enc *e, const float *pcm, int n, avenc_packet_fn fn, void *user,
                          char *err, size_t errlen)
{
    uint8_t *out[1] = {e->rs_buf};
    const uint8_t *in[1] = {(const uint8_t *)pcm};
    int got = swr_convert(e->swr, out, e->rs_cap, pcm ? in : NULL, pcm ? n : 0);
    if (got < 0)
        return avenc_fail(err, errlen, e->name, SZ_ERR_CODEC, "resampling failed: %s",
                          av_err2str(got));
    return got > 0 ? avenc_fifo_put(e, e->rs_buf, got, fn, user, err, errlen) : SZ_OK;
}

int avenc_audio(av_enc *e, const float *pcm, int n, avenc_packet_fn fn, void *user, char *err,
                size_t errlen)
{
    while (n > 0) {
        int m = n < AVENC_CHUNK ? n : AVENC_CHUNK;
        int rc = avenc_resample(e, pcm, m, fn, user, err, errlen);
        if (rc != SZ_OK)
            return rc;
        pcm += m;
        n -= m;
    }
    return SZ_OK;
}

int avenc_flush(av_enc *e, avenc_packet_fn fn, void *user, char *err, size_t errlen)
{
    int rc = avenc_resample(e, NULL, 0, fn, user, err, errlen);
    if (rc != SZ_OK)
        return rc;
    /* Audio that ends early (or never came) is padded with silence to the end
     * of the last frame, so both streams last as long. */
    int64_t video_end = av_rescale(e->last_vpts + 1, AVENC_RATE, e->fps);
    if (e->a_in < video_end) {
        memset(e->rs_buf, 0, (size_t)e->rs_cap * (size_t)av_get_bytes_per_sample(e->afmt));
        while (e->a_in < video_end) {
            int64_t left = video_end - e->a_in;
            rc = avenc_fifo_put(e, e->rs_buf, left < e->rs_cap ? (int)left : e->rs_cap, fn, user,
                                err, errlen);
            if (rc != SZ_OK)
                return rc;
        }
    }
    int rest = av_audio_fifo_size(e->fifo);
    if (rest > 0 && (rc = avenc_audio_frame(e, rest, fn, user, err, errlen)) != SZ_OK)
        return rc;
    if ((rc = avenc_send(e, e->venc, NULL, fn, user, err, errlen)) != SZ_OK)
        return rc;
    return avenc_send(e, e->aenc, NULL, fn, user, err, errlen);
}
