/* output.c: the generic part of outputs: picks an out_kind from the URL, checks
 * the configuration at the boundary, forwards calls and keeps the last error. */
#include "stream/output.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libavutil/log.h>
#include <pthread.h>

#include "core/log.h"
#include "shuzi.h"

/* Defined in stream/file_av.c and stream/wav_out.c. */
extern const out_kind out_kind_file_av;
extern const out_kind out_kind_wav;

static const out_kind *const output_kinds[] = {
    &out_kind_file_av,
    &out_kind_wav,
};

struct sz_output {
    const out_kind *kind;
    void *state;
    int finished;  /* finish was called (successfully or not) */
    char url[256]; /* for messages, possibly shortened */
    char err[512];
};

/* The extension of the last path component, including the dot ("" if none). */
static const char *output_extension(const char *url)
{
    const char *slash = strrchr(url, '/');
    const char *base = slash ? slash + 1 : url;
    const char *dot = strrchr(base, '.');
    return dot && dot != base ? dot : "";
}

static int output_check_config(const out_config *cfg, const out_kind *kind, char *err,
                               size_t errlen)
{
    if (cfg->sample_rate_hz < 1000 || cfg->sample_rate_hz > 384000) {
        snprintf(err, errlen, "%s: audio sample rate %d Hz is out of range (1000..384000)",
                 cfg->url, cfg->sample_rate_hz);
        return SZ_ERR_INVALID_ARG;
    }
    if (!kind->needs_video)
        return SZ_OK;
    if (cfg->width <= 0 || cfg->height <= 0 || cfg->width % 2 || cfg->height % 2 ||
        cfg->width > 16384 || cfg->height > 16384) {
        snprintf(err, errlen, "%s: video size %dx%d is not valid (positive even numbers expected)",
                 cfg->url, cfg->width, cfg->height);
        return SZ_ERR_INVALID_ARG;
    }
    if (cfg->fps <= 0 || cfg->fps > 1000) {
        snprintf(err, errlen, "%s: frame rate %d is out of range (1..1000)", cfg->url, cfg->fps);
        return SZ_ERR_INVALID_ARG;
    }
    return SZ_OK;
}

/* FFmpeg's own messages go through the library's log hook: its errors are
 * already reported by ours, so they show only with verbose logging. */
static void output_av_log(void *avcl, int level, const char *fmt, va_list ap)
{
    (void)avcl;
    if (level > AV_LOG_WARNING)
        return;
    sz_log_level ours = level <= AV_LOG_ERROR ? SZ_LOG_INFO : SZ_LOG_DEBUG;
    if (!sz_log_enabled(ours))
        return;
    char line[1024];
    vsnprintf(line, sizeof line, fmt, ap);
    size_t n = strlen(line);
    while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
        line[--n] = 0;
    if (n > 0)
        sz_log(ours, "ffmpeg", "%s", line);
}

static pthread_once_t output_log_once = PTHREAD_ONCE_INIT;

static void output_log_init(void) { av_log_set_callback(output_av_log); }

int output_open(const out_config *cfg, sz_output **out, char *err, size_t errlen)
{
    pthread_once(&output_log_once, output_log_init);
    char scratch[1];
    if (!err || errlen == 0) {
        err = scratch;
        errlen = sizeof scratch;
    }
    err[0] = '\0';
    if (!out) {
        snprintf(err, errlen, "output_open: no place for the result");
        return SZ_ERR_INVALID_ARG;
    }
    *out = NULL;
    if (!cfg || !cfg->url || !cfg->url[0]) {
        snprintf(err, errlen, "output_open: no output URL given");
        return SZ_ERR_INVALID_ARG;
    }

    const out_kind *kind = NULL;
    for (size_t i = 0; i < sizeof output_kinds / sizeof output_kinds[0]; i++) {
        if (output_kinds[i]->accepts(cfg->url)) {
            kind = output_kinds[i];
            break;
        }
    }
    if (!kind) {
        snprintf(err, errlen, "%s: unsupported output format '%s' (expected .mp4, .mkv or .wav)",
                 cfg->url, output_extension(cfg->url));
        return SZ_ERR_UNSUPPORTED;
    }
    int rc = output_check_config(cfg, kind, err, errlen);
    if (rc != SZ_OK)
        return rc;

    sz_output *o = calloc(1, sizeof *o);
    if (!o) {
        snprintf(err, errlen, "%s: out of memory", cfg->url);
        return SZ_ERR_NO_MEMORY;
    }
    o->kind = kind;
    snprintf(o->url, sizeof o->url, "%s", cfg->url);
    rc = kind->create(cfg, &o->state, err, errlen);
    if (rc != SZ_OK) {
        if (!err[0])
            snprintf(err, errlen, "%s: cannot create %s output: %s", cfg->url, kind->name,
                     sz_strerror(rc));
        free(o);
        return rc;
    }
    *out = o;
    return SZ_OK;
}

int output_needs_video(const sz_output *out)
{
    return out ? out->kind->needs_video : 0;
}

static int output_write_failed(sz_output *out, const char *what, int rc)
{
    /* The callbacks have no message buffer; the kind keeps the details and
     * reports them again from finish. */
    snprintf(out->err, sizeof out->err, "%s: writing %s failed: %s", out->url, what,
             sz_strerror(rc));
    return rc;
}

int output_write_video(sz_output *out, const sz_video_frame *frame)
{
    if (!out || !frame)
        return SZ_ERR_INVALID_ARG;
    if (out->finished)
        return SZ_ERR_STATE;
    if (!out->kind->write_video)
        return SZ_OK; /* audio-only output: frames are not wanted */
    int rc = out->kind->write_video(out->state, frame);
    return rc == SZ_OK ? SZ_OK : output_write_failed(out, "video", rc);
}

int output_write_audio(sz_output *out, const float *pcm, int n_samples)
{
    if (!out || n_samples < 0 || (n_samples > 0 && !pcm))
        return SZ_ERR_INVALID_ARG;
    if (out->finished)
        return SZ_ERR_STATE;
    if (n_samples == 0)
        return SZ_OK;
    int rc = out->kind->write_audio(out->state, pcm, n_samples);
    return rc == SZ_OK ? SZ_OK : output_write_failed(out, "audio", rc);
}

int output_finish(sz_output *out, char *err, size_t errlen)
{
    char scratch[1];
    if (!err || errlen == 0) {
        err = scratch;
        errlen = sizeof scratch;
    }
    err[0] = '\0';
    if (!out) {
        snprintf(err, errlen, "output_finish: no output");
        return SZ_ERR_INVALID_ARG;
    }
    if (out->finished) {
        snprintf(err, errlen, "%s: output already finished", out->url);
        snprintf(out->err, sizeof out->err, "%s", err);
        return SZ_ERR_STATE;
    }
    out->finished = 1;
    int rc = out->kind->finish(out->state, out->err, sizeof out->err);
    if (rc != SZ_OK) {
        if (!out->err[0])
            snprintf(out->err, sizeof out->err, "%s: finishing the file failed: %s", out->url,
                     sz_strerror(rc));
        snprintf(err, errlen, "%s", out->err);
    }
    return rc;
}

void output_free(sz_output **out)
{
    if (!out || !*out)
        return;
    (*out)->kind->destroy((*out)->state);
    free(*out);
    *out = NULL;
}

const char *output_error(const sz_output *out)
{
    return out ? out->err : "";
}
