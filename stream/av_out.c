/* SPDX-License-Identifier: Apache-2.0 */
/* av_out.c: the libavformat outputs. Files: .mp4 (faststart) .mkv .webm (VP9 +
 * Opus, alpha) .mov (ProRes 4444, alpha) .ts .flv and HLS .m3u8; network:
 * rtmp:// rtmps:// (FLV) and srt:// (MPEG-TS). Offline files are written under
 * a hidden temporary name and renamed at finish; live files are written under
 * their real name, fragmented so a killed process leaves a playable file. */
#include <errno.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <libavformat/avformat.h>
#include <libavutil/error.h>

#include "core/file.h"
#include "core/log.h"
#include "shuzi.h"
#include "stream/av_enc.h"
#include "stream/output.h"

#define AVOUT_A(c) (1u << (c))

typedef struct avout_format {
    const char *match; /* file extension, or URL scheme with "://" */
    const char *muxer;
    enum AVCodecID vcodec;
    int audio_default;      /* AVENC_AUDIO_* */
    unsigned audio_allowed; /* AVOUT_A(AVENC_AUDIO_*) bits */
    int alpha;              /* the codec can carry transparency */
} avout_format;

static const avout_format avout_files[] = {
    {".mp4", "mp4", AV_CODEC_ID_H264, AVENC_AUDIO_AAC,
     AVOUT_A(AVENC_AUDIO_AAC) | AVOUT_A(AVENC_AUDIO_OPUS), 0},
    {".mkv", "matroska", AV_CODEC_ID_H264, AVENC_AUDIO_AAC,
     AVOUT_A(AVENC_AUDIO_AAC) | AVOUT_A(AVENC_AUDIO_OPUS) | AVOUT_A(AVENC_AUDIO_PCM), 0},
    {".webm", "webm", AV_CODEC_ID_VP9, AVENC_AUDIO_OPUS, AVOUT_A(AVENC_AUDIO_OPUS), 1},
    {".mov", "mov", AV_CODEC_ID_PRORES, AVENC_AUDIO_PCM,
     AVOUT_A(AVENC_AUDIO_PCM) | AVOUT_A(AVENC_AUDIO_AAC), 1},
    {".ts", "mpegts", AV_CODEC_ID_H264, AVENC_AUDIO_AAC,
     AVOUT_A(AVENC_AUDIO_AAC) | AVOUT_A(AVENC_AUDIO_OPUS), 0},
    {".flv", "flv", AV_CODEC_ID_H264, AVENC_AUDIO_AAC, AVOUT_A(AVENC_AUDIO_AAC), 0},
    {".m3u8", "hls", AV_CODEC_ID_H264, AVENC_AUDIO_AAC, AVOUT_A(AVENC_AUDIO_AAC), 0},
};

static const avout_format avout_nets[] = {
    {"rtmp://", "flv", AV_CODEC_ID_H264, AVENC_AUDIO_AAC, AVOUT_A(AVENC_AUDIO_AAC), 0},
    {"rtmps://", "flv", AV_CODEC_ID_H264, AVENC_AUDIO_AAC, AVOUT_A(AVENC_AUDIO_AAC), 0},
    {"srt://", "mpegts", AV_CODEC_ID_H264, AVENC_AUDIO_AAC,
     AVOUT_A(AVENC_AUDIO_AAC) | AVOUT_A(AVENC_AUDIO_OPUS), 0},
};

typedef struct avout {
    const avout_format *f;
    const char *name; /* display name (no secrets) */
    const char *url;
    int network, live, hls;
    int width, height, fps, in_rate;
    int (*interrupted)(void *);
    void *interrupt_opaque;
    avenc_settings set;
    int audio_codec;
    int alpha;          /* -1 until the first frame decides */
    int64_t timeout_us; /* network I/O */

    char *final_path, *tmp_path, *dir, *seg_pattern;
    const char *write_path; /* tmp_path offline, final_path live */

    AVFormatContext *fmt;
    AVStream *vst, *ast;
    av_enc *enc;
    int enc_used;       /* the encoders served a connection: new ones for the next */
    int enc_alpha;      /* the encoders were made for alpha */
    int started;        /* encoders and header ready */
    int header_written; /* the muxer needs its trailer */
    int file_created;   /* something exists on disk that destroy may have to remove */
    int finished;
    int64_t frames;     /* written over the output's life */
    int64_t created_ns; /* HLS segments older than this are an earlier run's */
} avout;

static atomic_uint avout_counter;

static int avout_fail(char *err, size_t errlen, const char *name, int code, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static int avout_fail(char *err, size_t errlen, const char *name, int code, const char *fmt, ...)
{
    char what[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    snprintf(err, errlen, "%s: %s", name, what);
    return code;
}

static int avout_has_ext(const char *url, const char *ext)
{
    size_t n = strlen(url), e = strlen(ext);
    return n > e && strcasecmp(url + n - e, ext) == 0 && url[n - e - 1] != '/';
}

static const avout_format *avout_file_format(const char *url)
{
    if (strstr(url, "://") || strncmp(url, "gst:", 4) == 0)
        return NULL;
    for (size_t i = 0; i < sizeof avout_files / sizeof avout_files[0]; i++)
        if (avout_has_ext(url, avout_files[i].match))
            return &avout_files[i];
    return NULL;
}

static const avout_format *avout_net_format(const char *url)
{
    for (size_t i = 0; i < sizeof avout_nets / sizeof avout_nets[0]; i++)
        if (strncasecmp(url, avout_nets[i].match, strlen(avout_nets[i].match)) == 0)
            return &avout_nets[i];
    return NULL;
}

const char *output_video_codec_name(const char *url)
{
    const avout_format *f = avout_net_format(url);
    if (!f)
        f = avout_file_format(url);
    if (!f)
        return NULL;
    return f->vcodec == AV_CODEC_ID_H264 ? "h264" : f->vcodec == AV_CODEC_ID_VP9 ? "vp9" : "prores";
}

static int avout_accepts_file(const char *url)
{
    return avout_file_format(url) != NULL;
}
static int avout_accepts_net(const char *url)
{
    return avout_net_format(url) != NULL;
}

/* Errors of the file itself are I/O errors; the rest belongs to the codecs.
 * On the network every failure to write is a lost connection. */
static int avout_code(const avout *a, int averr)
{
    if (averr == AVERROR(ENOMEM))
        return SZ_ERR_NO_MEMORY;
    if (a->network)
        return SZ_ERR_IO;
    if (averr == AVERROR(EIO) || averr == AVERROR(ENOSPC) || averr == AVERROR(EACCES) ||
        averr == AVERROR(EROFS) || averr == AVERROR(EFBIG) || averr == AVERROR(EDQUOT) ||
        averr == AVERROR(ENOENT) || averr == AVERROR(EPIPE) || averr == AVERROR(ENOTDIR) ||
        averr == AVERROR_EXIT)
        return SZ_ERR_IO;
    return SZ_ERR_CODEC;
}

/* ---- paths ------------------------------------------------------------- */

/* dir = everything before the last '/' ("." if none, "/" for the root);
 * tmp = <dir>/.<stem>.partial-<pid>-<n><ext>; HLS segments <dir>/<stem>_NNNNN.ts */
static int avout_paths(avout *a, const char *url)
{
    const char *slash = strrchr(url, '/');
    const char *base = slash ? slash + 1 : url;
    size_t dir_len = slash ? (size_t)(slash - url) : 0;
    size_t stem_len = strlen(base) - strlen(a->f->match);
    size_t n = strlen(url) + 64;
    a->final_path = strdup(url);
    a->dir = malloc(dir_len + 2);
    a->tmp_path = malloc(n);
    a->seg_pattern = malloc(n);
    if (!a->final_path || !a->dir || !a->tmp_path || !a->seg_pattern)
        return SZ_ERR_NO_MEMORY;
    if (!slash)
        strcpy(a->dir, ".");
    else if (dir_len == 0)
        strcpy(a->dir, "/");
    else {
        memcpy(a->dir, url, dir_len);
        a->dir[dir_len] = '\0';
    }
    unsigned id = atomic_fetch_add(&avout_counter, 1u);
    snprintf(a->tmp_path, n, "%.*s.%.*s.partial-%ld-%u%s", (int)(base - url), url, (int)stem_len,
             base, (long)getpid(), id, base + stem_len);
    snprintf(a->seg_pattern, n, "%.*s_%%05d.ts", (int)(base - url + (ptrdiff_t)stem_len), url);
    char prefix[512];
    if (snprintf(prefix, sizeof prefix, ".%.*s.partial-", (int)stem_len, base) < (int)sizeof prefix)
        file_remove_stale_partials(a->dir, prefix);
    return SZ_OK;
}

/* "file:" keeps a ':' in a path from being read as a protocol name. */
static char *avout_file_url(const char *path)
{
    size_t n = strlen(path) + 6;
    char *u = malloc(n);
    if (u)
        snprintf(u, n, "file:%s", path);
    return u;
}

/* Offline HLS that did not finish: its segments go too, but not those an
 * earlier run left under the same names. */
static void avout_remove_segments(avout *a)
{
    size_t n = strlen(a->seg_pattern) + 16;
    char *p = malloc(n);
    if (!p)
        return;
    for (int i = 0, misses = 0; misses < 3 && i < 1000000; i++) {
        snprintf(p, n, a->seg_pattern, i);
        struct stat st;
        int ours = stat(p, &st) == 0 &&
                   st.st_mtim.tv_sec * INT64_C(1000000000) + st.st_mtim.tv_nsec >= a->created_ns;
        misses = ours && unlink(p) == 0 ? 0 : misses + 1;
    }
    free(p);
}

/* ---- muxing ------------------------------------------------------------ */

static int avout_packet(void *user, AVPacket *pkt, int is_video, AVRational tb, char *err,
                        size_t errlen)
{
    avout *a = user;
    AVStream *st = is_video ? a->vst : a->ast;
    av_packet_rescale_ts(pkt, tb, st->time_base);
    pkt->stream_index = st->index;
    int ret = av_interleaved_write_frame(a->fmt, pkt);
    if (ret < 0)
        return avout_fail(err, errlen, a->name, avout_code(a, ret), "writing %s failed: %s",
                          is_video ? "video" : "audio", av_err2str(ret));
    return SZ_OK;
}

static void avout_close_mux(avout *a)
{
    if (!a->fmt)
        return;
    /* Muxers free some buffers only in their trailer (HLS): write it even
     * when stopping; the file goes anyway if it was not finished. */
    if (a->header_written)
        av_write_trailer(a->fmt);
    a->header_written = 0;
    if (a->fmt->pb && !(a->fmt->oformat->flags & AVFMT_NOFILE))
        avio_closep(&a->fmt->pb);
    avformat_free_context(a->fmt);
    a->fmt = NULL;
    a->vst = a->ast = NULL;
}

static int avout_new_encoders(avout *a, char *err, size_t errlen)
{
    avenc_free(&a->enc);
    const AVOutputFormat *of = av_guess_format(a->f->muxer, NULL, NULL);
    avenc_config ec = {.name = a->name,
                       .width = a->width,
                       .height = a->height,
                       .fps = a->fps,
                       .in_rate = a->in_rate,
                       .vcodec = a->f->vcodec,
                       .audio_codec = a->audio_codec,
                       .alpha = a->alpha > 0,
                       .global_header = of && (of->flags & AVFMT_GLOBALHEADER),
                       .set = &a->set};
    a->enc_used = 0;
    a->enc_alpha = ec.alpha;
    return avenc_create(&ec, &a->enc, err, errlen);
}

static int avout_add_stream(avout *a, const AVCodecContext *c, AVStream **st, char *err,
                            size_t errlen)
{
    *st = avformat_new_stream(a->fmt, NULL);
    if (!*st)
        return avout_fail(err, errlen, a->name, SZ_ERR_NO_MEMORY, "out of memory");
    (*st)->time_base = c->time_base;
    if (c->codec_type == AVMEDIA_TYPE_VIDEO)
        (*st)->avg_frame_rate = c->framerate;
    int ret = avcodec_parameters_from_context((*st)->codecpar, c);
    if (ret < 0)
        return avout_fail(err, errlen, a->name, SZ_ERR_CODEC, "stream parameters: %s",
                          av_err2str(ret));
    return SZ_OK;
}

/* Opens the muxer on the file or connection and writes the header. */
static int avout_open_mux(avout *a, char *err, size_t errlen)
{
    const char *target = a->network ? a->url : a->write_path;
    char *url = a->network ? strdup(target) : avout_file_url(target);
    if (!url)
        return avout_fail(err, errlen, a->name, SZ_ERR_NO_MEMORY, "out of memory");
    int ret = avformat_alloc_output_context2(&a->fmt, NULL, a->f->muxer, url);
    if (ret < 0) {
        free(url);
        return avout_fail(err, errlen, a->name, SZ_ERR_CODEC, "cannot set up the %s muxer: %s",
                          a->f->muxer, av_err2str(ret));
    }
    if (a->network) { /* files: a stop still finalizes a live recording */
        a->fmt->interrupt_callback.callback = a->interrupted;
        a->fmt->interrupt_callback.opaque = a->interrupt_opaque;
    }
    int rc = avout_add_stream(a, avenc_video_ctx(a->enc), &a->vst, err, errlen);
    if (rc == SZ_OK)
        rc = avout_add_stream(a, avenc_audio_ctx(a->enc), &a->ast, err, errlen);
    if (rc != SZ_OK) {
        free(url);
        return rc;
    }
    if (!(a->fmt->oformat->flags & AVFMT_NOFILE)) {
        AVDictionary *io = NULL;
        if (a->network) {
            char t[32];
            snprintf(t, sizeof t, "%lld", (long long)a->timeout_us);
            av_dict_set(&io, "rw_timeout", t, 0);
        }
        ret = avio_open2(&a->fmt->pb, url, AVIO_FLAG_WRITE, &a->fmt->interrupt_callback, &io);
        av_dict_free(&io);
        if (ret < 0) {
            free(url);
            if (a->network)
                return avout_fail(err, errlen, a->name, SZ_ERR_IO, "cannot connect: %s",
                                  av_err2str(ret));
            return avout_fail(err, errlen, a->name, SZ_ERR_IO,
                              "cannot create a file in directory '%s': %s", a->dir,
                              av_err2str(ret));
        }
        a->file_created = !a->network;
    }
    free(url);

    /* Live: what the muxer emits (a fragment, a cluster) goes out at once, so
     * a viewer gets it now and a killed process leaves a playable file. */
    if (a->live || a->network)
        a->fmt->flush_packets = 1;
    else /* offline renders are reproducible: no random segment IDs or dates */
        a->fmt->flags |= AVFMT_FLAG_BITEXACT;
    AVDictionary *mux = NULL;
    const char *m = a->f->muxer;
    if (!strcmp(m, "mp4") || !strcmp(m, "mov")) {
        if (a->live) {
            av_dict_set(&mux, "movflags",
                        !strcmp(m, "mp4") ? "frag_keyframe+empty_moov+default_base_moof"
                                          : "empty_moov+default_base_moof",
                        0);
            av_dict_set(&mux, "frag_duration", "1000000", 0);
        } else {
            av_dict_set(&mux, "movflags", "+faststart", 0);
        }
    } else if (!strcmp(m, "matroska") || !strcmp(m, "webm")) {
        if (a->live)
            av_dict_set(&mux, "cluster_time_limit", "1000", 0);
    } else if (!strcmp(m, "flv")) {
        if (a->network || a->live)
            av_dict_set(&mux, "flvflags", "no_duration_filesize", 0);
    } else if (!strcmp(m, "hls")) {
        av_dict_set(&mux, "hls_time", "2", 0);
        av_dict_set(&mux, "hls_segment_filename", a->seg_pattern, 0);
        if (a->live) {
            av_dict_set(&mux, "hls_list_size", "6", 0);
            av_dict_set(&mux, "hls_flags", "delete_segments+independent_segments", 0);
        } else {
            av_dict_set(&mux, "hls_list_size", "0", 0);
            av_dict_set(&mux, "hls_playlist_type", "vod", 0);
            av_dict_set(&mux, "hls_flags", "independent_segments", 0);
        }
    }
    ret = avformat_write_header(a->fmt, &mux);
    const AVDictionaryEntry *left = av_dict_get(mux, "", NULL, AV_DICT_IGNORE_SUFFIX);
    if (ret >= 0 && left)
        SZ_LOGW("stream", "%s: muxer ignored option %s=%s", a->name, left->key, left->value);
    av_dict_free(&mux);
    if (ret < 0) {
        if (a->hls)
            a->file_created = 1; /* the playlist or a segment may exist */
        return avout_fail(err, errlen, a->name, avout_code(a, ret),
                          a->network ? "cannot start the stream: %s"
                                     : "cannot write the header: %s",
                          av_err2str(ret));
    }
    if (a->hls)
        a->file_created = 1;
    a->header_written = 1;
    return SZ_OK;
}

/* Encoders (if the previous ones served a connection) plus muxer. */
static int avout_start(avout *a, char *err, size_t errlen)
{
    int rc = SZ_OK;
    if (!a->enc || a->enc_used || a->enc_alpha != (a->alpha > 0))
        rc = avout_new_encoders(a, err, errlen);
    if (rc == SZ_OK)
        rc = avout_open_mux(a, err, errlen);
    if (rc != SZ_OK) {
        avout_close_mux(a);
        return rc;
    }
    a->enc_used = 1;
    a->started = 1;
    return SZ_OK;
}

/* ---- the kinds --------------------------------------------------------- */

static void avout_destroy(void *state)
{
    avout *a = state;
    if (!a)
        return;
    avout_close_mux(a);
    avenc_free(&a->enc);
    /* Offline: an unfinished file goes. Live: a recording with frames stays. */
    if (!a->network && a->file_created && !a->finished && (!a->live || a->frames == 0)) {
        unlink(a->write_path);
        if (a->hls)
            avout_remove_segments(a);
    }
    free(a->final_path);
    free(a->tmp_path);
    free(a->dir);
    free(a->seg_pattern);
    free(a);
}

static int avout_check_url(avout *a, char *err, size_t errlen)
{
    char proto[16], auth[256], host[256], path[2048];
    int port = -1;
    av_url_split(proto, sizeof proto, auth, sizeof auth, host, sizeof host, &port, path,
                 sizeof path, a->url);
    if (!host[0])
        return avout_fail(err, errlen, a->name, SZ_ERR_INVALID_ARG,
                          "no host in the URL (expected %shost[:port]/...)", a->f->match);
    if (!strncasecmp(a->url, "srt://", 6) && port <= 0)
        return avout_fail(err, errlen, a->name, SZ_ERR_INVALID_ARG,
                          "no port in the URL (expected srt://host:port)");
    if (!strncasecmp(a->url, "rtmp", 4)) {
        /* /app/stream: both parts are needed by RTMP servers */
        const char *p = path[0] == '/' ? path + 1 : path;
        const char *slash = strchr(p, '/');
        if (!p[0] || !slash || !slash[1])
            return avout_fail(err, errlen, a->name, SZ_ERR_INVALID_ARG,
                              "expected %shost[:port]/app/stream_key", a->f->match);
    }
    if (!avio_find_protocol_name(a->url))
        return avout_fail(err, errlen, a->name, SZ_ERR_UNSUPPORTED,
                          "this FFmpeg cannot write %s URLs", a->f->match);
    return SZ_OK;
}

static int avout_create(const out_config *cfg, out_options *opts, void **state, char *err,
                        size_t errlen)
{
    *state = NULL;
    const avout_format *f = avout_net_format(cfg->url);
    int network = f != NULL;
    if (!f)
        f = avout_file_format(cfg->url);
    if (!f)
        return avout_fail(err, errlen, cfg->name, SZ_ERR_UNSUPPORTED, "not a libavformat output");
    avout *a = calloc(1, sizeof *a);
    if (!a)
        return avout_fail(err, errlen, cfg->name, SZ_ERR_NO_MEMORY, "out of memory");
    a->f = f;
    a->name = cfg->name;
    a->url = cfg->url;
    a->network = network;
    a->live = cfg->live;
    struct timespec now; /* less a tick: file times come from a coarser clock */
    clock_gettime(CLOCK_REALTIME, &now);
    a->created_ns = now.tv_sec * INT64_C(1000000000) + now.tv_nsec - 20000000;
    a->hls = !strcmp(f->muxer, "hls");
    a->width = cfg->width;
    a->height = cfg->height;
    a->fps = cfg->fps;
    a->in_rate = cfg->sample_rate_hz;
    a->interrupted = cfg->interrupted;
    a->interrupt_opaque = cfg->interrupt_opaque;

    int rc = avenc_parse(opts, a->name, a->live, &a->set, err, errlen);
    int64_t timeout_ms = a->live ? 5000 : 10000;
    if (rc == SZ_OK && network)
        rc = out_options_int(opts, "timeout_ms", 100, 600000, &timeout_ms, err, errlen);
    if (rc != SZ_OK)
        goto fail;
    a->timeout_us = timeout_ms * 1000;
    if (a->hls && a->set.keyint_s == 0) /* segments can only start at keyframes */
        a->set.keyint_s = 2;
    a->audio_codec =
        a->set.audio_codec == AVENC_AUDIO_DEFAULT ? f->audio_default : a->set.audio_codec;
    if (!(f->audio_allowed & AVOUT_A(a->audio_codec))) {
        rc = avout_fail(err, errlen, a->name, SZ_ERR_INVALID_ARG,
                        "option audio_codec=%s: %s outputs take %s%s%s",
                        avenc_audio_codec_name(a->audio_codec), f->match,
                        (f->audio_allowed & AVOUT_A(AVENC_AUDIO_AAC)) ? "aac " : "",
                        (f->audio_allowed & AVOUT_A(AVENC_AUDIO_OPUS)) ? "opus " : "",
                        (f->audio_allowed & AVOUT_A(AVENC_AUDIO_PCM)) ? "pcm" : "");
        goto fail;
    }
    if (a->set.alpha == 1 && !f->alpha) {
        rc = avout_fail(err, errlen, a->name, SZ_ERR_UNSUPPORTED,
                        "option alpha=on: %s cannot carry transparency (use .webm or .mov)",
                        f->match);
        goto fail;
    }
    if (cfg->transparent && !f->alpha) {
        rc = avout_fail(err, errlen, a->name, SZ_ERR_UNSUPPORTED,
                        "a transparent background needs an output with alpha: .webm (VP9) or "
                        ".mov (ProRes 4444); use --background green for chroma keying");
        goto fail;
    }
    a->alpha = !f->alpha ? 0 : a->set.alpha >= 0 ? a->set.alpha : cfg->transparent ? 1 : -1;

    /* Codecs and options are checked now with encoders that are then let go:
     * the real ones open on the output's thread (their worker threads carry
     * its name), at the first frame or connection. */
    if (network)
        rc = avout_check_url(a, err, errlen);
    if (rc == SZ_OK)
        rc = avout_new_encoders(a, err, errlen);
    avenc_free(&a->enc);
    if (rc != SZ_OK || network)
        goto done;

    rc = avout_paths(a, cfg->url);
    if (rc != SZ_OK) {
        rc = avout_fail(err, errlen, a->name, rc, "out of memory");
        goto fail;
    }
    a->write_path = a->live ? a->final_path : a->tmp_path;
    {
        /* Create the file now, so a bad destination fails before any frame
         * (for alpha-capable formats the first frame decides about alpha).
         * A live file is only tried under the temporary name: its own name is
         * opened at the first frame, so a run that fails before recording
         * leaves an existing file with that name alone. */
        char *u = avout_file_url(a->tmp_path);
        AVIOContext *pb = NULL;
        int ret = u ? avio_open(&pb, u, AVIO_FLAG_WRITE) : AVERROR(ENOMEM);
        free(u);
        if (ret < 0)
            rc = avout_fail(err, errlen, a->name, SZ_ERR_IO,
                            "cannot create a file in directory '%s': %s", a->dir, av_err2str(ret));
        else
            a->file_created = !a->live;
        avio_closep(&pb);
        if (ret >= 0 && a->live)
            unlink(a->tmp_path);
    }
done:
    if (rc != SZ_OK)
        goto fail;
    *state = a;
    return SZ_OK;
fail:
    avout_destroy(a);
    return rc;
}

/* Network: connect (again). */
static int avout_open(void *state, char *err, size_t errlen)
{
    avout *a = state;
    avout_close_mux(a);
    a->started = 0;
    return avout_start(a, err, errlen);
}

static void avout_close(void *state)
{
    avout *a = state;
    a->header_written = 0; /* the connection failed: no trailer to wait on */
    avout_close_mux(a);
    a->started = 0;
}

static int avout_write_video(void *state, const sz_video_frame *frame, char *err, size_t errlen)
{
    avout *a = state;
    if (!a->started) {
        if (a->alpha < 0)
            a->alpha = avenc_frame_has_alpha(frame);
        int rc = avout_start(a, err, errlen);
        if (rc != SZ_OK)
            return rc;
    }
    int rc = avenc_video(a->enc, frame, avout_packet, a, err, errlen);
    if (rc == SZ_OK)
        a->frames++;
    return rc;
}

static int avout_write_audio(void *state, const float *pcm, int n, char *err, size_t errlen)
{
    avout *a = state;
    if (!a->started) {
        if (a->alpha < 0)
            a->alpha = 0;
        int rc = avout_start(a, err, errlen);
        if (rc != SZ_OK)
            return rc;
    }
    return avenc_audio(a->enc, pcm, n, avout_packet, a, err, errlen);
}

static int avout_finish(void *state, char *err, size_t errlen)
{
    avout *a = state;
    if (!a->started || avenc_video_frames(a->enc) == 0)
        return avout_fail(err, errlen, a->name, SZ_ERR_STATE, "no video frames were written");
    int rc = avenc_flush(a->enc, avout_packet, a, err, errlen);
    if (rc != SZ_OK)
        return rc;
    a->header_written = 0;
    int ret = av_write_trailer(a->fmt);
    if (ret < 0)
        return avout_fail(err, errlen, a->name, avout_code(a, ret), "cannot finalize: %s",
                          av_err2str(ret));
    if (a->fmt->pb && !(a->fmt->oformat->flags & AVFMT_NOFILE)) {
        ret = avio_closep(&a->fmt->pb);
        if (ret < 0)
            return avout_fail(err, errlen, a->name, avout_code(a, ret), "closing failed: %s",
                              av_err2str(ret));
    }
    avout_close_mux(a);
    if (!a->network && !a->live && rename(a->tmp_path, a->final_path) != 0)
        return avout_fail(err, errlen, a->name, SZ_ERR_IO, "cannot rename '%s' to it: %s",
                          a->tmp_path, strerror(errno));
    a->finished = 1;
    return SZ_OK;
}

const out_kind out_kind_av_file = {
    .name = "av-file",
    .accepts = avout_accepts_file,
    .flags = OUT_F_VIDEO,
    .option_names = AVENC_OPTION_NAMES,
    .create = avout_create,
    .write_video = avout_write_video,
    .write_audio = avout_write_audio,
    .finish = avout_finish,
    .destroy = avout_destroy,
};

const out_kind out_kind_av_net = {
    .name = "av-net",
    .accepts = avout_accepts_net,
    .flags = OUT_F_VIDEO | OUT_F_RECONNECT | OUT_F_REALTIME,
    .option_names = AVENC_OPTION_NAMES " timeout_ms",
    .create = avout_create,
    .open = avout_open,
    .close = avout_close,
    .write_video = avout_write_video,
    .write_audio = avout_write_audio,
    .finish = avout_finish,
    .destroy = avout_destroy,
};
