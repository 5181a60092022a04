/* file_av.c: the "file-av" output: H.264 (libx264) + AAC (FFmpeg's native
 * encoder, 48 kHz mono) in .mp4 or .mkv. The file is written under a temporary
 * name beside the target and renamed at finish; an unfinished file is removed. */
#include <errno.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/audio_fifo.h>
#include <libavutil/channel_layout.h>
#include <libavutil/error.h>
#include <libavutil/mathematics.h>
#include <libavutil/opt.h>
#include <libswresample/swresample.h>
#include <libswscale/swscale.h>

#include "core/log.h"
#include "shuzi.h"
#include "stream/output.h"

#define FAV_AUDIO_RATE 48000
#define FAV_CHUNK 4096 /* input audio samples resampled per swr_convert call */

typedef struct fav_opts {
    double crf;
    char preset[32];
    int64_t audio_bitrate;
    int64_t video_bitrate; /* 0: constant quality (crf) */
} fav_opts;

typedef struct fav_out {
    char *final_path; /* as given, for rename and messages */
    char *tmp_path;   /* <dir>/.<stem>.partial-<pid>-<n>.<ext> */
    char *dir;        /* for messages */
    int is_mp4;
    int live;
    int width, height, fps, in_rate;

    AVFormatContext *fmt;
    AVCodecContext *venc, *aenc;
    AVStream *vst, *ast;
    struct SwsContext *sws;
    SwrContext *swr;
    AVAudioFifo *fifo;
    AVFrame *vframe, *aframe;
    AVPacket *pkt;
    float *rs_buf; /* resampler output */
    int rs_cap;    /* in samples */
    int frame_size;

    int64_t last_vpts; /* -1 before the first frame */
    int64_t n_vframes;
    int64_t a_in;  /* samples (48 kHz) that went into the fifo */
    int64_t a_pts; /* samples (48 kHz) sent to the encoder */

    int tmp_created;
    int header_written;
    int failed;    /* sticky: something failed, err says why */
    int fail_code; /* the sz_result of that failure */
    int finished;  /* renamed to final_path */
    char err[512];
} fav_out;

static atomic_uint fav_counter;

static int fav_has_ext(const char *url, const char *ext)
{
    size_t n = strlen(url), e = strlen(ext);
    return n > e && strcasecmp(url + n - e, ext) == 0 && url[n - e - 1] != '/';
}

static int fav_accepts(const char *url)
{
    return fav_has_ext(url, ".mp4") || fav_has_ext(url, ".mkv");
}

/* Records the first error of this output: "<file>: <what failed>". */
static int fav_fail(fav_out *f, int code, const char *fmt, ...) SZ_PRINTF(3, 4);
static int fav_fail(fav_out *f, int code, const char *fmt, ...)
{
    if (f->failed)
        return code;
    char what[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    snprintf(f->err, sizeof f->err, "%s: %s", f->final_path ? f->final_path : "output", what);
    f->failed = 1;
    f->fail_code = code;
    return code;
}

/* Errors of the file itself are I/O errors; the rest belongs to the codecs. */
static int fav_code(int averr)
{
    if (averr == AVERROR(ENOMEM))
        return SZ_ERR_NO_MEMORY;
    if (averr == AVERROR(EIO) || averr == AVERROR(ENOSPC) || averr == AVERROR(EACCES) ||
        averr == AVERROR(EROFS) || averr == AVERROR(EFBIG) || averr == AVERROR(EDQUOT) ||
        averr == AVERROR(ENOENT) || averr == AVERROR(EPIPE))
        return SZ_ERR_IO;
    return SZ_ERR_CODEC;
}

/* "key=value:key=value"; NULL or "" keeps the defaults. */
static int fav_parse_options(fav_out *f, const char *s, fav_opts *o)
{
    o->crf = 23;
    snprintf(o->preset, sizeof o->preset, "veryfast");
    o->audio_bitrate = 96000;
    o->video_bitrate = 0;
    while (s && *s) {
        const char *end = strchr(s, ':');
        size_t len = end ? (size_t)(end - s) : strlen(s);
        const char *eq = memchr(s, '=', len);
        if (len == 0) {
            s = end ? end + 1 : s + len;
            continue;
        }
        if (!eq || eq == s)
            return fav_fail(f, SZ_ERR_INVALID_ARG, "option '%.*s' is not key=value", (int)len, s);
        char key[32], val[64];
        size_t klen = (size_t)(eq - s), vlen = len - klen - 1;
        if (klen >= sizeof key || vlen >= sizeof val)
            return fav_fail(f, SZ_ERR_INVALID_ARG, "option '%.*s' is too long", (int)len, s);
        memcpy(key, s, klen);
        key[klen] = '\0';
        memcpy(val, eq + 1, vlen);
        val[vlen] = '\0';

        char *tail = NULL;
        if (strcmp(key, "crf") == 0) {
            o->crf = strtod(val, &tail);
            if (tail == val || *tail || !(o->crf >= 0 && o->crf <= 51))
                return fav_fail(f, SZ_ERR_INVALID_ARG,
                                "option crf='%s' is not a number from 0 to 51", val);
        } else if (strcmp(key, "preset") == 0) {
            if (!vlen || vlen >= sizeof o->preset)
                return fav_fail(f, SZ_ERR_INVALID_ARG, "option preset='%s' is not valid", val);
            memcpy(o->preset, val, vlen + 1);
        } else if (strcmp(key, "audio_bitrate") == 0 || strcmp(key, "video_bitrate") == 0) {
            long long v = strtoll(val, &tail, 10);
            if (tail == val || *tail || v < 8000 || v > 1000000000)
                return fav_fail(f, SZ_ERR_INVALID_ARG,
                                "option %s='%s' is not a bit rate in bits/s (8000..1e9)", key, val);
            if (key[0] == 'a')
                o->audio_bitrate = v;
            else
                o->video_bitrate = v;
        } else {
            return fav_fail(f, SZ_ERR_INVALID_ARG,
                            "unknown option '%s' (expected crf, preset, audio_bitrate or "
                            "video_bitrate)",
                            key);
        }
        s = end ? end + 1 : s + len;
    }
    return SZ_OK;
}

/* dir = everything before the last '/' ("." if none, "/" for the root). */
static int fav_paths(fav_out *f, const char *url)
{
    const char *slash = strrchr(url, '/');
    const char *base = slash ? slash + 1 : url;
    size_t dir_len = slash ? (size_t)(slash - url) : 0;
    size_t stem_len = strlen(base) - 4; /* accepts() guaranteed ".mp4"/".mkv" */
    size_t n = strlen(url) + 64;

    f->final_path = strdup(url);
    f->dir = malloc(dir_len + 2);
    f->tmp_path = malloc(n);
    if (!f->final_path || !f->dir || !f->tmp_path)
        return SZ_ERR_NO_MEMORY;
    if (!slash)
        strcpy(f->dir, ".");
    else if (dir_len == 0)
        strcpy(f->dir, "/");
    else {
        memcpy(f->dir, url, dir_len);
        f->dir[dir_len] = '\0';
    }
    unsigned id = atomic_fetch_add(&fav_counter, 1u);
    snprintf(f->tmp_path, n, "%.*s.%.*s.partial-%ld-%u%s", (int)(base - url), url, (int)stem_len,
             base, (long)getpid(), id, base + stem_len);
    return SZ_OK;
}

static int fav_open_video(fav_out *f, const fav_opts *o)
{
    const AVCodec *codec = avcodec_find_encoder_by_name("libx264");
    if (!codec)
        return fav_fail(f, SZ_ERR_UNSUPPORTED,
                        "this FFmpeg has no libx264 encoder (H.264 output needs FFmpeg built "
                        "with --enable-libx264)");
    AVCodecContext *c = f->venc = avcodec_alloc_context3(codec);
    if (!c)
        return fav_fail(f, SZ_ERR_NO_MEMORY, "out of memory");
    c->width = f->width;
    c->height = f->height;
    c->time_base = (AVRational){1, f->fps};
    c->framerate = (AVRational){f->fps, 1};
    c->sample_aspect_ratio = (AVRational){1, 1};
    c->pix_fmt = AV_PIX_FMT_YUV420P;
    c->color_range = AVCOL_RANGE_MPEG;
    c->colorspace = AVCOL_SPC_BT709;
    c->color_primaries = AVCOL_PRI_BT709;
    c->color_trc = AVCOL_TRC_BT709;
    if (f->fmt->oformat->flags & AVFMT_GLOBALHEADER)
        c->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;

    AVDictionary *opts = NULL;
    av_dict_set(&opts, "preset", o->preset, 0);
    if (o->video_bitrate > 0) {
        c->bit_rate = o->video_bitrate;
        if (f->live) { /* a one-second buffer keeps the rate steady for streaming */
            c->rc_max_rate = o->video_bitrate;
            c->rc_buffer_size = (int)(o->video_bitrate > INT32_MAX ? INT32_MAX : o->video_bitrate);
        }
    } else {
        char crf[32];
        snprintf(crf, sizeof crf, "%g", o->crf);
        av_dict_set(&opts, "crf", crf, 0);
    }
    if (f->live) {
        /* A keyframe exactly every 2 s: fragments and stream segments line up. */
        c->gop_size = 2 * f->fps;
        c->keyint_min = 2 * f->fps;
        av_dict_set(&opts, "tune", "zerolatency", 0);
        av_dict_set(&opts, "sc_threshold", "0", 0);
    }
    int ret = avcodec_open2(c, codec, &opts);
    av_dict_free(&opts);
    if (ret < 0)
        return fav_fail(f, SZ_ERR_CODEC, "cannot open the H.264 encoder (libx264, preset '%s'): %s",
                        o->preset, av_err2str(ret));

    f->vst = avformat_new_stream(f->fmt, NULL);
    if (!f->vst)
        return fav_fail(f, SZ_ERR_NO_MEMORY, "cannot add the video stream: out of memory");
    f->vst->time_base = c->time_base;
    f->vst->avg_frame_rate = c->framerate;
    ret = avcodec_parameters_from_context(f->vst->codecpar, c);
    if (ret < 0)
        return fav_fail(f, fav_code(ret), "cannot set the video stream parameters: %s",
                        av_err2str(ret));

    f->sws = sws_getContext(f->width, f->height, AV_PIX_FMT_BGRA, f->width, f->height,
                            AV_PIX_FMT_YUV420P, SWS_BILINEAR, NULL, NULL, NULL);
    if (!f->sws)
        return fav_fail(f, SZ_ERR_CODEC, "cannot set up the BGRA to YUV 4:2:0 converter");
    const int *bt709 = sws_getCoefficients(SWS_CS_ITU709);
    sws_setColorspaceDetails(f->sws, bt709, 1, bt709, 0, 0, 1 << 16, 1 << 16);

    f->vframe = av_frame_alloc();
    if (!f->vframe)
        return fav_fail(f, SZ_ERR_NO_MEMORY, "out of memory");
    f->vframe->format = AV_PIX_FMT_YUV420P;
    f->vframe->width = f->width;
    f->vframe->height = f->height;
    ret = av_frame_get_buffer(f->vframe, 0);
    if (ret < 0)
        return fav_fail(f, fav_code(ret), "cannot allocate a video frame: %s", av_err2str(ret));
    return SZ_OK;
}

static int fav_open_audio(fav_out *f, const fav_opts *o)
{
    const AVCodec *codec = avcodec_find_encoder_by_name("aac");
    if (!codec)
        return fav_fail(f, SZ_ERR_UNSUPPORTED, "this FFmpeg has no native AAC encoder ('aac')");
    AVCodecContext *c = f->aenc = avcodec_alloc_context3(codec);
    if (!c)
        return fav_fail(f, SZ_ERR_NO_MEMORY, "out of memory");
    AVChannelLayout mono = AV_CHANNEL_LAYOUT_MONO;
    int ret = av_channel_layout_copy(&c->ch_layout, &mono);
    if (ret < 0)
        return fav_fail(f, fav_code(ret), "cannot set the audio channel layout: %s",
                        av_err2str(ret));
    c->sample_rate = FAV_AUDIO_RATE;
    c->sample_fmt = AV_SAMPLE_FMT_FLTP;
    c->bit_rate = o->audio_bitrate;
    c->time_base = (AVRational){1, FAV_AUDIO_RATE};
    if (f->fmt->oformat->flags & AVFMT_GLOBALHEADER)
        c->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
    ret = avcodec_open2(c, codec, NULL);
    if (ret < 0)
        return fav_fail(f, SZ_ERR_CODEC, "cannot open the AAC encoder at %lld bit/s: %s",
                        (long long)o->audio_bitrate, av_err2str(ret));
    f->frame_size = c->frame_size > 0 ? c->frame_size : 1024;

    f->ast = avformat_new_stream(f->fmt, NULL);
    if (!f->ast)
        return fav_fail(f, SZ_ERR_NO_MEMORY, "cannot add the audio stream: out of memory");
    f->ast->time_base = c->time_base;
    ret = avcodec_parameters_from_context(f->ast->codecpar, c);
    if (ret < 0)
        return fav_fail(f, fav_code(ret), "cannot set the audio stream parameters: %s",
                        av_err2str(ret));

    ret = swr_alloc_set_opts2(&f->swr, &mono, AV_SAMPLE_FMT_FLTP, FAV_AUDIO_RATE, &mono,
                              AV_SAMPLE_FMT_FLT, f->in_rate, 0, NULL);
    if (ret >= 0)
        ret = swr_init(f->swr);
    if (ret < 0)
        return fav_fail(f, SZ_ERR_CODEC, "cannot set up resampling from %d Hz to %d Hz: %s",
                        f->in_rate, FAV_AUDIO_RATE, av_err2str(ret));
    f->rs_cap = (int)av_rescale_rnd(FAV_CHUNK, FAV_AUDIO_RATE, f->in_rate, AV_ROUND_UP) + 1024;
    f->rs_buf = av_malloc_array((size_t)f->rs_cap, sizeof *f->rs_buf);
    f->fifo = av_audio_fifo_alloc(AV_SAMPLE_FMT_FLTP, 1, 4 * f->frame_size);
    f->aframe = av_frame_alloc();
    if (!f->rs_buf || !f->fifo || !f->aframe)
        return fav_fail(f, SZ_ERR_NO_MEMORY, "out of memory");
    f->aframe->format = AV_SAMPLE_FMT_FLTP;
    f->aframe->sample_rate = FAV_AUDIO_RATE;
    f->aframe->nb_samples = f->frame_size;
    ret = av_channel_layout_copy(&f->aframe->ch_layout, &mono);
    if (ret >= 0)
        ret = av_frame_get_buffer(f->aframe, 0);
    if (ret < 0)
        return fav_fail(f, fav_code(ret), "cannot allocate an audio frame: %s", av_err2str(ret));
    return SZ_OK;
}

static void fav_destroy(void *state)
{
    fav_out *f = state;
    if (!f)
        return;
    if (f->fmt) {
        if (f->fmt->pb)
            avio_closep(&f->fmt->pb);
        avformat_free_context(f->fmt);
    }
    avcodec_free_context(&f->venc);
    avcodec_free_context(&f->aenc);
    sws_freeContext(f->sws);
    swr_free(&f->swr);
    if (f->fifo)
        av_audio_fifo_free(f->fifo);
    av_frame_free(&f->vframe);
    av_frame_free(&f->aframe);
    av_packet_free(&f->pkt);
    av_free(f->rs_buf);
    if (f->tmp_created && !f->finished)
        unlink(f->tmp_path);
    free(f->final_path);
    free(f->tmp_path);
    free(f->dir);
    free(f);
}

static int fav_create(const out_config *cfg, void **state, char *err, size_t errlen)
{
    *state = NULL;
    fav_out *f = calloc(1, sizeof *f);
    if (!f) {
        snprintf(err, errlen, "%s: out of memory", cfg->url);
        return SZ_ERR_NO_MEMORY;
    }
    int rc = fav_paths(f, cfg->url);
    if (rc != SZ_OK) {
        fav_fail(f, rc, "out of memory");
        goto fail;
    }
    f->is_mp4 = fav_has_ext(cfg->url, ".mp4");
    f->live = cfg->live;
    f->width = cfg->width;
    f->height = cfg->height;
    f->fps = cfg->fps;
    f->in_rate = cfg->sample_rate_hz;
    f->last_vpts = -1;

    fav_opts opts;
    rc = fav_parse_options(f, cfg->options, &opts);
    if (rc != SZ_OK)
        goto fail;

    /* "file:" keeps a ':' in the path from being read as a protocol name. */
    size_t url_len = strlen(f->tmp_path) + 6;
    char *url = malloc(url_len);
    if (!url) {
        rc = fav_fail(f, SZ_ERR_NO_MEMORY, "out of memory");
        goto fail;
    }
    snprintf(url, url_len, "file:%s", f->tmp_path);
    int ret = avformat_alloc_output_context2(&f->fmt, NULL, f->is_mp4 ? "mp4" : "matroska", url);
    if (ret >= 0) {
        ret = avio_open(&f->fmt->pb, url, AVIO_FLAG_WRITE);
        if (ret < 0) {
            free(url);
            rc = fav_fail(f, SZ_ERR_IO, "cannot create a file in directory '%s': %s", f->dir,
                          av_err2str(ret));
            goto fail;
        }
        f->tmp_created = 1;
    }
    free(url);
    if (ret < 0) {
        rc = fav_fail(f, fav_code(ret), "cannot set up the %s muxer: %s",
                      f->is_mp4 ? "mp4" : "matroska", av_err2str(ret));
        goto fail;
    }

    rc = fav_open_video(f, &opts);
    if (rc != SZ_OK)
        goto fail;
    rc = fav_open_audio(f, &opts);
    if (rc != SZ_OK)
        goto fail;
    f->pkt = av_packet_alloc();
    if (!f->pkt) {
        rc = fav_fail(f, SZ_ERR_NO_MEMORY, "out of memory");
        goto fail;
    }

    /* Live: what the muxer emits (a fragment, a cluster) reaches the file at
     * once, so a killed process leaves a playable partial file. */
    if (f->live)
        f->fmt->flush_packets = 1;
    else /* offline renders are reproducible: no random segment IDs or dates */
        f->fmt->flags |= AVFMT_FLAG_BITEXACT;
    AVDictionary *mux_opts = NULL;
    if (f->is_mp4)
        av_dict_set(&mux_opts, "movflags",
                    f->live ? "frag_keyframe+empty_moov+default_base_moof" : "+faststart", 0);
    ret = avformat_write_header(f->fmt, &mux_opts);
    const AVDictionaryEntry *left = av_dict_get(mux_opts, "", NULL, AV_DICT_IGNORE_SUFFIX);
    if (ret >= 0 && left)
        SZ_LOGW("stream", "%s: muxer ignored option %s=%s", cfg->url, left->key, left->value);
    av_dict_free(&mux_opts);
    if (ret < 0) {
        rc = fav_fail(f, fav_code(ret), "cannot write the %s header to '%s': %s",
                      f->is_mp4 ? "mp4" : "matroska", f->tmp_path, av_err2str(ret));
        goto fail;
    }
    f->header_written = 1;
    *state = f;
    return SZ_OK;

fail:
    snprintf(err, errlen, "%s", f->err);
    fav_destroy(f);
    return rc;
}

/* Sends one frame (NULL: flush) and writes every packet that comes out. */
static int fav_encode(fav_out *f, AVCodecContext *enc, AVStream *st, AVFrame *frame)
{
    const char *what = enc == f->venc ? "video" : "audio";
    int ret = avcodec_send_frame(enc, frame);
    if (ret < 0)
        return fav_fail(f, SZ_ERR_CODEC, "encoding %s failed: %s", what, av_err2str(ret));
    for (;;) {
        ret = avcodec_receive_packet(enc, f->pkt);
        if (ret == AVERROR(EAGAIN) || ret == AVERROR_EOF)
            return SZ_OK;
        if (ret < 0)
            return fav_fail(f, SZ_ERR_CODEC, "encoding %s failed: %s", what, av_err2str(ret));
        av_packet_rescale_ts(f->pkt, enc->time_base, st->time_base);
        f->pkt->stream_index = st->index;
        ret = av_interleaved_write_frame(f->fmt, f->pkt);
        if (ret < 0)
            return fav_fail(f, fav_code(ret), "writing %s to '%s' failed: %s", what, f->tmp_path,
                            av_err2str(ret));
    }
}

/* Encodes one frame of n samples from the fifo (n < frame_size only at the end). */
static int fav_encode_audio_frame(fav_out *f, int n)
{
    int ret = av_frame_make_writable(f->aframe);
    if (ret < 0)
        return fav_fail(f, fav_code(ret), "cannot get an audio frame: %s", av_err2str(ret));
    if (av_audio_fifo_read(f->fifo, (void **)f->aframe->data, n) != n)
        return fav_fail(f, SZ_ERR_INTERNAL, "audio buffer underrun");
    if (n < f->frame_size && !(f->aenc->codec->capabilities & AV_CODEC_CAP_SMALL_LAST_FRAME)) {
        memset(f->aframe->data[0] + (size_t)n * sizeof(float), 0,
               (size_t)(f->frame_size - n) * sizeof(float));
        n = f->frame_size;
    }
    f->aframe->nb_samples = n;
    f->aframe->pts = f->a_pts;
    f->a_pts += n;
    return fav_encode(f, f->aenc, f->ast, f->aframe);
}

static int fav_fifo_put(fav_out *f, const float *samples, int n)
{
    void *planes[1] = {(void *)samples};
    if (av_audio_fifo_write(f->fifo, planes, n) != n)
        return fav_fail(f, SZ_ERR_NO_MEMORY, "cannot buffer audio: out of memory");
    f->a_in += n;
    while (av_audio_fifo_size(f->fifo) >= f->frame_size) {
        int rc = fav_encode_audio_frame(f, f->frame_size);
        if (rc != SZ_OK)
            return rc;
    }
    return SZ_OK;
}

/* Resamples n input samples (NULL: flush the resampler) into the fifo. */
static int fav_resample(fav_out *f, const float *pcm, int n)
{
    int need = swr_get_out_samples(f->swr, n);
    if (need > f->rs_cap) { /* not expected: rs_cap covers FAV_CHUNK plus the filter delay */
        float *buf = av_realloc_array(f->rs_buf, (size_t)need, sizeof *buf);
        if (!buf)
            return fav_fail(f, SZ_ERR_NO_MEMORY, "out of memory");
        f->rs_buf = buf;
        f->rs_cap = need;
    }
    uint8_t *out[1] = {(uint8_t *)f->rs_buf};
    const uint8_t *in[1] = {(const uint8_t *)pcm};
    int got = swr_convert(f->swr, out, f->rs_cap, pcm ? in : NULL, pcm ? n : 0);
    if (got < 0)
        return fav_fail(f, SZ_ERR_CODEC, "resampling audio failed: %s", av_err2str(got));
    return got > 0 ? fav_fifo_put(f, f->rs_buf, got) : SZ_OK;
}

static int fav_write_audio(void *state, const float *pcm, int n_samples)
{
    fav_out *f = state;
    if (f->failed)
        return f->fail_code;
    while (n_samples > 0) {
        int n = n_samples < FAV_CHUNK ? n_samples : FAV_CHUNK;
        int rc = fav_resample(f, pcm, n);
        if (rc != SZ_OK)
            return rc;
        pcm += n;
        n_samples -= n;
    }
    return SZ_OK;
}

static int fav_write_video(void *state, const sz_video_frame *frame)
{
    fav_out *f = state;
    if (f->failed)
        return f->fail_code;
    if (frame->format != SZ_PIX_BGRA)
        return fav_fail(f, SZ_ERR_UNSUPPORTED, "video frame format %d is not BGRA",
                        (int)frame->format);
    if (frame->width != f->width || frame->height != f->height)
        return fav_fail(f, SZ_ERR_INVALID_ARG, "video frame is %dx%d, expected %dx%d", frame->width,
                        frame->height, f->width, f->height);
    if (!frame->data || frame->stride < 4 * frame->width)
        return fav_fail(f, SZ_ERR_INVALID_ARG, "video frame has no data or a stride of %d",
                        frame->stride);
    if (frame->pts <= f->last_vpts)
        return fav_fail(f, SZ_ERR_INVALID_ARG,
                        "video frame pts %lld does not follow the previous one (%lld)",
                        (long long)frame->pts, (long long)f->last_vpts);
    int ret = av_frame_make_writable(f->vframe);
    if (ret < 0)
        return fav_fail(f, fav_code(ret), "cannot get a video frame: %s", av_err2str(ret));
    const uint8_t *src[1] = {frame->data};
    const int stride[1] = {frame->stride};
    sws_scale(f->sws, src, stride, 0, f->height, f->vframe->data, f->vframe->linesize);
    f->vframe->pts = frame->pts;
    f->last_vpts = frame->pts;
    f->n_vframes++;
    return fav_encode(f, f->venc, f->vst, f->vframe);
}

static int fav_finish(void *state, char *err, size_t errlen)
{
    fav_out *f = state;
    int rc = SZ_OK;
    if (f->failed) {
        rc = f->fail_code;
        goto done;
    }
    if (f->n_vframes == 0) {
        rc = fav_fail(f, SZ_ERR_STATE, "no video frames were written");
        goto done;
    }
    rc = fav_resample(f, NULL, 0);
    if (rc != SZ_OK)
        goto done;
    /* Audio that ends early (or never came) is padded with silence to the end
     * of the last frame, so both streams last as long. */
    int64_t video_end = av_rescale(f->last_vpts + 1, FAV_AUDIO_RATE, f->fps);
    if (f->a_in < video_end) {
        memset(f->rs_buf, 0, (size_t)f->rs_cap * sizeof *f->rs_buf);
        while (rc == SZ_OK && f->a_in < video_end) {
            int64_t left = video_end - f->a_in;
            rc = fav_fifo_put(f, f->rs_buf, left < f->rs_cap ? (int)left : f->rs_cap);
        }
        if (rc != SZ_OK)
            goto done;
    }
    int rest = av_audio_fifo_size(f->fifo);
    if (rest > 0 && (rc = fav_encode_audio_frame(f, rest)) != SZ_OK)
        goto done;
    if ((rc = fav_encode(f, f->venc, f->vst, NULL)) != SZ_OK ||
        (rc = fav_encode(f, f->aenc, f->ast, NULL)) != SZ_OK)
        goto done;

    int ret = av_write_trailer(f->fmt);
    if (ret < 0) {
        rc = fav_fail(f, fav_code(ret), "cannot finalize '%s': %s", f->tmp_path, av_err2str(ret));
        goto done;
    }
    ret = avio_closep(&f->fmt->pb);
    if (ret < 0) {
        rc = fav_fail(f, SZ_ERR_IO, "closing '%s' failed: %s", f->tmp_path, av_err2str(ret));
        goto done;
    }
    if (rename(f->tmp_path, f->final_path) != 0) {
        rc = fav_fail(f, SZ_ERR_IO, "cannot rename '%s' to it: %s", f->tmp_path, strerror(errno));
        goto done;
    }
    f->finished = 1;
    return SZ_OK;

done:
    snprintf(err, errlen, "%s", f->err);
    return rc;
}

const out_kind out_kind_file_av = {
    .name = "file-av",
    .accepts = fav_accepts,
    .needs_video = 1,
    .create = fav_create,
    .write_video = fav_write_video,
    .write_audio = fav_write_audio,
    .finish = fav_finish,
    .destroy = fav_destroy,
};
