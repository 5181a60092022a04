/* SPDX-License-Identifier: Apache-2.0 */
/* output.c: the output core. Picks an out_kind from the URL, checks the
 * configuration at the boundary and runs each output on its own thread fed by
 * a bounded queue of preallocated frame slots. Live outputs drop (and count)
 * frames they cannot take and fill the gap with silence; network outputs are
 * reconnected here, with exponential backoff and jitter, for every kind. */
#include "stream/output.h"

#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libavutil/log.h>
#include <pthread.h>

#include "core/clock.h"
#include "core/log.h"
#include "core/queue.h"
#include "core/thread.h"

/* Defined in stream/av_out.c, wav_out.c, window_sdl.c, speaker.c, gst_out.c. */
extern const out_kind out_kind_av_file;
extern const out_kind out_kind_av_net;
extern const out_kind out_kind_wav;
extern const out_kind out_kind_window;
extern const out_kind out_kind_speaker;
extern const out_kind out_kind_gst;

static const out_kind *const output_kinds[] = {
    &out_kind_av_net,  &out_kind_gst, &out_kind_window,
    &out_kind_speaker, &out_kind_wav, &out_kind_av_file,
};

#define OUTPUT_QUEUE_OFFLINE 3
#define OUTPUT_QUEUE_LIVE 8
#define OUTPUT_QUEUE_MAX 256
#define OUTPUT_RECONNECT_MIN_MS 250
#define OUTPUT_RECONNECT_MAX_MS 2000
#define OUTPUT_CORE_KEYS "queue"
#define OUTPUT_NET_KEYS "reconnect reconnect_min_ms reconnect_max_ms"

typedef struct out_slot {
    int64_t frame;
    int has_video;
    int n_audio;
    float *audio;
    uint8_t *video; /* width*4 bytes a row, NULL for audio-only outputs */
} out_slot;

struct sz_output {
    const out_kind *kind;
    void *state;
    out_config cfg; /* strings point at url/options/name below */
    char *url, *options;
    char name[256];
    int live, reconnects_kind, realtime, paced, needs_video;
    int reconnect;
    int64_t rc_min_ms, rc_max_ms;
    uint64_t rng;

    sz_queue *q_full, *q_free;
    out_slot *slots;
    int n_slots;
    float *audio_mem;
    uint8_t *video_mem;
    float *zeros;
    int audio_cap;
    sz_thread thread;

    /* Producer side (the caller of output_write). */
    int64_t last_frame;    /* -1 before the first */
    int64_t dropped_frame; /* the last frame dropped whole, -1 none */
    int finish_called;

    /* Shared with the output's thread. */
    atomic_int abort;    /* stop now: interrupt I/O, skip what is queued */
    atomic_int closing;  /* finish was asked: no more frames will come */
    atomic_int retrying; /* waiting to reconnect: closing cancels it */
    atomic_int failed;
    atomic_int connected;
    int fail_code;
    pthread_mutex_t lock; /* err, conn_err */
    char err[512];
    char conn_err[512];
    atomic_llong frames_written, frames_dropped, reconnects, connect_failures, connected_at_us;
};

/* ---- names and helpers ------------------------------------------------ */

void output_display_name(const char *url, char *buf, size_t cap)
{
    if (strncmp(url, "gst:", 4) == 0) { /* a pipeline may hold locations and keys */
        size_t first = strcspn(url, "!");
        while (first > 4 && url[first - 1] == ' ')
            first--;
        snprintf(buf, cap, "%.*s%s", (int)(first > 60 ? 60 : first), url,
                 url[strcspn(url, "!")] ? " ! ..." : "");
        return;
    }
    const char *sep = strstr(url, "://");
    if (!sep) {
        snprintf(buf, cap, "%s", url);
        return;
    }
    /* scheme://[user:pass@]host[:port][/first-segment]... */
    const char *host = sep + 3;
    const char *path = host + strcspn(host, "/?#");
    const char *at = memchr(host, '@', (size_t)(path - host));
    if (at)
        host = at + 1;
    size_t scheme_len = (size_t)(sep - url);
    size_t host_len = (size_t)(path - host);
    if (*path != '/') {
        snprintf(buf, cap, "%.*s://%.*s%s", (int)scheme_len, url, (int)host_len, host,
                 *path ? "?****" : "");
        return;
    }
    const char *seg = path + 1;
    size_t seg_len = strcspn(seg, "/?#");
    const char *rest = seg + seg_len;
    snprintf(buf, cap, "%.*s://%.*s/%.*s%s", (int)scheme_len, url, (int)host_len, host,
             (int)seg_len, seg, *rest ? "/****" : "");
}

static uint64_t output_rand(uint64_t *s)
{
    /* xorshift64* */
    uint64_t x = *s ? *s : 0x9E3779B97F4A7C15ull;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *s = x;
    return x * 0x2545F4914F6CDD1Dull;
}

int64_t output_backoff_us(int attempt, int64_t min_ms, int64_t max_ms, uint64_t *rng)
{
    if (attempt < 1)
        attempt = 1;
    if (min_ms < 1)
        min_ms = 1;
    if (max_ms < min_ms)
        max_ms = min_ms;
    int64_t d = min_ms;
    for (int i = 1; i < attempt && d < max_ms; i++)
        d *= 2;
    if (d > max_ms)
        d = max_ms;
    int64_t d_us = d * 1000;
    int64_t half = d_us / 2;
    return half + (int64_t)(output_rand(rng) % (uint64_t)(d_us - half + 1));
}

static _Thread_local char *output_capture_buf;
static _Thread_local size_t output_capture_cap;

void output_av_capture(char *buf, size_t cap)
{
    output_capture_buf = cap ? buf : NULL;
    output_capture_cap = cap;
    if (output_capture_buf)
        buf[0] = '\0';
}

/* FFmpeg's own messages go through the library's log hook: its errors are
 * already reported by ours, so they show only with verbose logging. */
static void output_av_log(void *avcl, int level, const char *fmt, va_list ap)
{
    (void)avcl;
    if (level > AV_LOG_WARNING)
        return;
    sz_log_level ours = level <= AV_LOG_ERROR ? SZ_LOG_INFO : SZ_LOG_DEBUG;
    int capture = output_capture_buf && !output_capture_buf[0];
    if (!capture && !sz_log_enabled(ours))
        return;
    char line[1024];
    vsnprintf(line, sizeof line, fmt, ap);
    if (capture) {
        snprintf(output_capture_buf, output_capture_cap, "%s", line);
        size_t m = strlen(output_capture_buf);
        while (m > 0 && (output_capture_buf[m - 1] == '\n' || output_capture_buf[m - 1] == '.'))
            output_capture_buf[--m] = 0;
    }
    if (!sz_log_enabled(ours))
        return;
    size_t n = strlen(line);
    while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
        line[--n] = 0;
    if (n > 0)
        sz_log(ours, "ffmpeg", "%s", line);
}

static pthread_once_t output_log_once = PTHREAD_ONCE_INIT;

static void output_log_init(void)
{
    av_log_set_callback(output_av_log);
}

/* The extension of the last path component, including the dot ("" if none). */
static const char *output_extension(const char *url)
{
    const char *slash = strrchr(url, '/');
    const char *base = slash ? slash + 1 : url;
    const char *dot = strrchr(base, '.');
    return dot && dot != base ? dot : "";
}

const out_kind *output_kind_for(const char *url)
{
    if (!url)
        return NULL;
    for (size_t i = 0; i < sizeof output_kinds / sizeof output_kinds[0]; i++)
        if (output_kinds[i]->accepts(url))
            return output_kinds[i];
    return NULL;
}

static int output_check_config(const out_config *cfg, const char *name, int needs_video, char *err,
                               size_t errlen)
{
    if (cfg->sample_rate_hz < 1000 || cfg->sample_rate_hz > 384000) {
        snprintf(err, errlen, "%s: audio sample rate %d Hz is out of range (1000..384000)", name,
                 cfg->sample_rate_hz);
        return SZ_ERR_INVALID_ARG;
    }
    if (cfg->fps <= 0 || cfg->fps > 1000) {
        snprintf(err, errlen, "%s: frame rate %d is out of range (1..1000)", name, cfg->fps);
        return SZ_ERR_INVALID_ARG;
    }
    if (!needs_video)
        return SZ_OK;
    if (cfg->width <= 0 || cfg->height <= 0 || cfg->width % 2 || cfg->height % 2 ||
        cfg->width > 16384 || cfg->height > 16384) {
        snprintf(err, errlen, "%s: video size %dx%d is not valid (positive even numbers expected)",
                 name, cfg->width, cfg->height);
        return SZ_ERR_INVALID_ARG;
    }
    return SZ_OK;
}

static void output_set_error(sz_output *o, int code, const char *msg)
{
    pthread_mutex_lock(&o->lock);
    if (!atomic_load(&o->failed)) {
        snprintf(o->err, sizeof o->err, "%s", msg);
        o->fail_code = code;
        atomic_store(&o->failed, 1);
    }
    pthread_mutex_unlock(&o->lock);
}

static int output_interrupted(void *opaque)
{
    sz_output *o = opaque;
    return atomic_load(&o->abort) || (atomic_load(&o->closing) && atomic_load(&o->retrying));
}

/* ---- the output's thread ---------------------------------------------- */

static void output_release(sz_output *o, out_slot *s)
{
    queue_push(o->q_free, s, 0); /* never full: it holds at most n_slots */
}

static int output_write_silence(sz_output *o, int64_t n, char *err, size_t errlen)
{
    while (n > 0) {
        int m = n > o->audio_cap ? o->audio_cap : (int)n;
        int rc = o->kind->write_audio(o->state, o->zeros, m, err, errlen);
        if (rc != SZ_OK)
            return rc;
        n -= m;
    }
    return SZ_OK;
}

/* Waits until deadline_us, throwing away frames that arrive (counted as
 * dropped). Returns 1 when the output is closing or stopping: the pending
 * reconnect is cancelled. */
static int output_backoff_wait(sz_output *o, int64_t deadline_us, int64_t *counted)
{
    for (;;) {
        if (atomic_load(&o->abort))
            return 1;
        void *item;
        int rc = queue_pop_until(o->q_full, &item, deadline_us);
        if (rc == SZ_ERR_TIMEOUT)
            return atomic_load(&o->closing) ? 1 : 0;
        if (rc != SZ_OK)
            return 1; /* closed and drained */
        out_slot *s = item;
        if (s->frame != *counted) {
            atomic_fetch_add(&o->frames_dropped, 1);
            *counted = s->frame;
        }
        output_release(o, s);
    }
}

/* Counts what is left in the queue as dropped (the output stops early). */
static void output_drop_rest(sz_output *o, int64_t *counted)
{
    void *item;
    while (queue_pop(o->q_full, &item, 0) == SZ_OK) {
        out_slot *s = item;
        if (s->frame != *counted) {
            atomic_fetch_add(&o->frames_dropped, 1);
            *counted = s->frame;
        }
        output_release(o, s);
    }
}

/* Sleeps until deadline_us unless the output is stopped. */
static void output_pace(sz_output *o, int64_t deadline_us)
{
    for (;;) {
        int64_t now = clock_now_us();
        if (now >= deadline_us || atomic_load(&o->abort))
            return;
        int64_t step = deadline_us - now > 50000 ? 50000 : deadline_us - now;
        clock_sleep_until_us(now + step);
    }
}

/* A kind's message without the "<name>: " it starts with (for our log lines,
 * which name the output already). */
static const char *output_reason(const sz_output *o, const char *msg)
{
    size_t n = strlen(o->name);
    return strncmp(msg, o->name, n) == 0 && msg[n] == ':' && msg[n + 1] == ' ' ? msg + n + 2 : msg;
}

static void output_connected(sz_output *o, int *ever, int failures)
{
    atomic_store(&o->connected, 1);
    atomic_store(&o->connected_at_us, clock_now_us());
    pthread_mutex_lock(&o->lock); /* the error that broke the connection is over */
    o->conn_err[0] = '\0';
    pthread_mutex_unlock(&o->lock);
    if (*ever) {
        atomic_fetch_add(&o->reconnects, 1);
        if (failures)
            SZ_LOGW("stream", "%s: reconnected after %d failed attempt%s", o->name, failures,
                    failures == 1 ? "" : "s");
        else
            SZ_LOGW("stream", "%s: reconnected", o->name);
#ifdef __GLIBC__
        /* The lost connection's buffers were freed on this thread and the
         * new one's allocated, partly elsewhere: glibc kept the difference
         * as free heap, and a room whose server restarts every minute grew
         * by about 0.8 MB per reconnect with its heap in use flat
         * (bench_faults rtmp). Hand the free pages back to the system. */
        malloc_trim(0);
#endif
    }
    *ever = 1;
}

/* A connection that stays up this long resets the backoff. */
#define OUTPUT_STABLE_US 10000000

static void *output_main(void *arg)
{
    sz_output *o = arg;
    char err[512] = "";
    int connected = o->kind->open ? 0 : 1;
    int ever_connected = connected;
    int attempt = 0;      /* backoff step */
    int failures = 0;     /* failed attempts since the last connection */
    int pending_wait = 0; /* wait the backoff before the next attempt */
    int last_rc = SZ_OK;
    int64_t base = -1, expected = -1, counted = -1, t0 = 0;
    atomic_store(&o->connected, connected);
    if (connected)
        atomic_store(&o->connected_at_us, clock_now_us());

    for (;;) {
        if (!connected) {
            if (atomic_load(&o->abort))
                break;
            if (pending_wait) {
                attempt++;
                atomic_store(&o->retrying, 1);
                int64_t wait = output_backoff_us(attempt, o->rc_min_ms, o->rc_max_ms, &o->rng);
                if (failures <= 1)
                    SZ_LOGW("stream", "%s: %s; retrying in %.2f s", o->name, output_reason(o, err),
                            (double)wait / 1e6);
                else
                    SZ_LOGI("stream", "%s: attempt %d failed (%s); retrying in %.2f s", o->name,
                            failures, output_reason(o, err), (double)wait / 1e6);
                if (output_backoff_wait(o, clock_now_us() + wait, &counted))
                    break;
                pending_wait = 0;
            }
            err[0] = '\0';
            int rc = o->kind->open(o->state, err, sizeof err);
            if (rc == SZ_OK) {
                connected = 1;
                output_connected(o, &ever_connected, failures);
                failures = 0;
                atomic_store(&o->retrying, 0);
                base = -1;
                continue;
            }
            atomic_fetch_add(&o->connect_failures, 1);
            failures++;
            last_rc = rc;
            pthread_mutex_lock(&o->lock);
            snprintf(o->conn_err, sizeof o->conn_err, "%s", err[0] ? err : sz_strerror(rc));
            pthread_mutex_unlock(&o->lock);
            if (!output_retryable(rc) || !o->live || !o->reconnect) {
                output_set_error(o, rc, err[0] ? err : sz_strerror(rc));
                break;
            }
            if (!err[0])
                snprintf(err, sizeof err, "%s: %s", o->name, sz_strerror(rc));
            pending_wait = 1;
            atomic_store(&o->retrying, 1);
            continue;
        }

        void *item;
        if (queue_pop(o->q_full, &item, -1) != SZ_OK)
            break; /* closed and drained: finish */
        out_slot *s = item;
        if (atomic_load(&o->abort)) {
            output_release(o, s);
            break;
        }
        int rc = SZ_OK;
        err[0] = '\0';
        if (base < 0) {
            base = expected = s->frame;
            t0 = clock_now_us();
            if (o->kind->set_base)
                o->kind->set_base(o->state, base);
        }
        if (s->frame > expected) /* frames dropped before us: silence keeps A/V aligned */
            rc = output_write_silence(
                o,
                clock_frame_first_sample(s->frame, o->cfg.sample_rate_hz, o->cfg.fps) -
                    clock_frame_first_sample(expected, o->cfg.sample_rate_hz, o->cfg.fps),
                err, sizeof err);
        if (o->realtime && !o->live)
            output_pace(o, t0 + (s->frame - base) * 1000000 / o->cfg.fps);
        if (rc == SZ_OK && s->has_video && o->needs_video) {
            sz_video_frame f = {.format = SZ_PIX_BGRA,
                                .width = o->cfg.width,
                                .height = o->cfg.height,
                                .stride = o->cfg.width * 4,
                                .data = s->video,
                                .pts = s->frame - base};
            rc = o->kind->write_video(o->state, &f, err, sizeof err);
        }
        if (rc == SZ_OK && s->n_audio > 0)
            rc = o->kind->write_audio(o->state, s->audio, s->n_audio, err, sizeof err);
        int64_t frame = s->frame;
        output_release(o, s);
        if (frame + 1 > expected)
            expected = frame + 1;
        if (rc == SZ_OK) {
            if (frame != counted) {
                atomic_fetch_add(&o->frames_written, 1);
                counted = frame;
            }
            continue;
        }
        if (frame != counted) {
            atomic_fetch_add(&o->frames_dropped, 1);
            counted = frame;
        }
        if (o->reconnects_kind && o->live && o->reconnect && output_retryable(rc) &&
            !atomic_load(&o->abort)) {
            SZ_LOGW("stream", "%s: connection lost (%s); reconnecting", o->name,
                    err[0] ? output_reason(o, err) : sz_strerror(rc));
            pthread_mutex_lock(&o->lock);
            snprintf(o->conn_err, sizeof o->conn_err, "%s", err[0] ? err : sz_strerror(rc));
            pthread_mutex_unlock(&o->lock);
            if (o->kind->close)
                o->kind->close(o->state);
            /* A connection that dies soon after it was made keeps backing off;
             * a stable one retries at once. */
            pending_wait = clock_now_us() - atomic_load(&o->connected_at_us) < OUTPUT_STABLE_US;
            if (!pending_wait)
                attempt = 0;
            connected = 0;
            atomic_store(&o->connected, 0);
            atomic_store(&o->retrying, 1);
            continue;
        }
        output_set_error(o, rc, err[0] ? err : sz_strerror(rc));
        break;
    }

    /* The end: finalize unless stopped offline (destroy removes the file). */
    atomic_store(&o->retrying, 0);
    output_drop_rest(o, &counted);
    if (!atomic_load(&o->failed)) {
        int stop = atomic_load(&o->abort);
        if (connected && (!stop || o->live)) {
            err[0] = '\0';
            int rc = o->kind->finish(o->state, err, sizeof err);
            if (rc != SZ_OK && !stop)
                output_set_error(o, rc, err[0] ? err : sz_strerror(rc));
        } else if (!connected && !ever_connected && !stop && last_rc != SZ_OK) {
            char msg[512];
            pthread_mutex_lock(&o->lock);
            snprintf(msg, sizeof msg, "%.200s: never connected (%lld attempts); last error: %.250s",
                     o->name, (long long)atomic_load(&o->connect_failures),
                     output_reason(o, o->conn_err));
            pthread_mutex_unlock(&o->lock);
            output_set_error(o, last_rc, msg);
        } else if (!connected && ever_connected && !stop) {
            SZ_LOGW("stream", "%s: ended while reconnecting", o->name);
        }
    }
    atomic_store(&o->connected, 0);
    if (o->kind->thread_end)
        o->kind->thread_end(o->state);
    /* Release waiting producers (offline) for good. */
    queue_close(o->q_free);
    return NULL;
}

/* ---- creation --------------------------------------------------------- */

static int output_default_queue(const sz_output *o)
{
    if (o->paced) { /* holds frames while the audio device catches up */
        int q = o->cfg.fps * 2 / 5 + 4;
        return q < 8 ? 8 : q;
    }
    return o->live ? OUTPUT_QUEUE_LIVE : OUTPUT_QUEUE_OFFLINE;
}

static void output_destroy(sz_output *o)
{
    if (!o)
        return;
    if (o->state)
        o->kind->destroy(o->state);
    queue_free(&o->q_full);
    queue_free(&o->q_free);
    free(o->slots);
    free(o->audio_mem);
    free(o->video_mem);
    free(o->zeros);
    free(o->url);
    free(o->options);
    pthread_mutex_destroy(&o->lock);
    free(o);
}

int output_open_kind(const out_kind *kind, const out_config *cfg, sz_output **out, char *err,
                     size_t errlen)
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
    if (!cfg || !cfg->url || !cfg->url[0] || !kind) {
        snprintf(err, errlen, "output_open: no output URL given");
        return SZ_ERR_INVALID_ARG;
    }
    sz_output *o = calloc(1, sizeof *o);
    if (!o) {
        snprintf(err, errlen, "%s: out of memory", cfg->url);
        return SZ_ERR_NO_MEMORY;
    }
    pthread_mutex_init(&o->lock, NULL);
    o->kind = kind;
    o->last_frame = -1;
    o->dropped_frame = -1;
    output_display_name(cfg->url, o->name, sizeof o->name);
    o->url = strdup(cfg->url);
    o->options = cfg->options ? strdup(cfg->options) : NULL;
    int rc = SZ_OK;
    out_options opts;
    memset(&opts, 0, sizeof opts);
    if (!o->url || (cfg->options && !o->options)) {
        snprintf(err, errlen, "%s: out of memory", o->name);
        rc = SZ_ERR_NO_MEMORY;
        goto fail;
    }
    o->cfg = *cfg;
    o->cfg.url = o->url;
    o->cfg.options = o->options;
    o->cfg.name = o->name;
    o->cfg.interrupted = output_interrupted;
    o->cfg.interrupt_opaque = o;
    o->live = cfg->live != 0;
    o->reconnects_kind = (kind->flags & OUT_F_RECONNECT) != 0;
    o->realtime = (kind->flags & OUT_F_REALTIME) != 0;
    o->paced = (kind->flags & OUT_F_PACED) != 0;
    o->needs_video = (kind->flags & OUT_F_VIDEO) != 0;
    o->rng = (uint64_t)clock_now_us() ^ ((uint64_t)(uintptr_t)o << 16);

    rc = output_check_config(cfg, o->name, o->needs_video, err, errlen);
    if (rc != SZ_OK)
        goto fail;
    rc = out_options_parse(o->options, o->name, &opts, err, errlen);
    if (rc != SZ_OK)
        goto fail;
    int64_t queue_len = output_default_queue(o);
    int64_t rc_min = OUTPUT_RECONNECT_MIN_MS, rc_max = OUTPUT_RECONNECT_MAX_MS;
    o->reconnect = 1;
    if ((rc = out_options_int(&opts, "queue", 1, OUTPUT_QUEUE_MAX, &queue_len, err, errlen)) ||
        (o->reconnects_kind &&
         ((rc = out_options_bool(&opts, "reconnect", &o->reconnect, err, errlen)) ||
          (rc = out_options_int(&opts, "reconnect_min_ms", 10, 600000, &rc_min, err, errlen)) ||
          (rc = out_options_int(&opts, "reconnect_max_ms", 10, 3600000, &rc_max, err, errlen)))))
        goto fail;
    if (rc_max < rc_min) {
        snprintf(err, errlen, "%s: reconnect_max_ms (%lld) is below reconnect_min_ms (%lld)",
                 o->name, (long long)rc_max, (long long)rc_min);
        rc = SZ_ERR_INVALID_ARG;
        goto fail;
    }
    o->rc_min_ms = rc_min;
    o->rc_max_ms = rc_max;

    rc = kind->create(&o->cfg, &opts, &o->state, err, errlen);
    if (rc != SZ_OK) {
        if (!err[0])
            snprintf(err, errlen, "%s: cannot create %s output: %s", o->name, kind->name,
                     sz_strerror(rc));
        o->state = NULL;
        goto fail;
    }
    char known[512];
    snprintf(known, sizeof known, "%s%s%s%s%s", kind->option_names ? kind->option_names : "",
             kind->option_names && kind->option_names[0] ? " " : "", OUTPUT_CORE_KEYS,
             o->reconnects_kind ? " " : "", o->reconnects_kind ? OUTPUT_NET_KEYS : "");
    rc = out_options_check_used(&opts, known, err, errlen);
    if (rc != SZ_OK)
        goto fail;
    out_options_free(&opts);

    /* Slots: allocated once, they circulate q_free -> q_full -> q_free. */
    o->n_slots = (int)queue_len;
    o->audio_cap = cfg->sample_rate_hz / cfg->fps + 64;
    size_t frame_bytes = o->needs_video ? (size_t)cfg->width * 4 * (size_t)cfg->height : 0;
    o->q_full = queue_create((size_t)o->n_slots);
    o->q_free = queue_create((size_t)o->n_slots);
    o->slots = calloc((size_t)o->n_slots, sizeof *o->slots);
    o->audio_mem = calloc((size_t)o->n_slots * (size_t)o->audio_cap, sizeof(float));
    o->zeros = calloc((size_t)o->audio_cap, sizeof(float));
    if (frame_bytes)
        o->video_mem = malloc(frame_bytes * (size_t)o->n_slots);
    if (!o->q_full || !o->q_free || !o->slots || !o->audio_mem || !o->zeros ||
        (frame_bytes && !o->video_mem)) {
        snprintf(err, errlen, "%s: out of memory for %d queued frames", o->name, o->n_slots);
        rc = SZ_ERR_NO_MEMORY;
        goto fail_started;
    }
    for (int i = 0; i < o->n_slots; i++) {
        o->slots[i].audio = o->audio_mem + (size_t)i * (size_t)o->audio_cap;
        o->slots[i].video = frame_bytes ? o->video_mem + (size_t)i * frame_bytes : NULL;
        queue_push(o->q_free, &o->slots[i], 0);
    }
    char tname[16];
    snprintf(tname, sizeof tname, "sz-out-%s", kind->name);
    if (thread_start(&o->thread, tname, output_main, o) != SZ_OK) {
        snprintf(err, errlen, "%s: cannot start the output thread", o->name);
        rc = SZ_ERR_NO_MEMORY;
        goto fail_started;
    }
    *out = o;
    return SZ_OK;

fail:
    out_options_free(&opts);
fail_started:
    output_destroy(o);
    return rc;
}

int output_open(const out_config *cfg, sz_output **out, char *err, size_t errlen)
{
    char scratch[1];
    if (!err || errlen == 0) {
        err = scratch;
        errlen = sizeof scratch;
    }
    err[0] = '\0';
    if (out)
        *out = NULL;
    if (!cfg || !cfg->url || !cfg->url[0]) {
        snprintf(err, errlen, "output_open: no output URL given");
        return SZ_ERR_INVALID_ARG;
    }
    const out_kind *kind = output_kind_for(cfg->url);
    if (!kind) {
        char name[256];
        output_display_name(cfg->url, name, sizeof name);
        snprintf(err, errlen,
                 "%s: unsupported output '%s' (expected a file .mp4 .mkv .webm .mov .ts .flv "
                 ".m3u8 .wav, or rtmp:// rtmps:// srt:// gst: window: speaker:)",
                 name, strstr(cfg->url, "://") ? name : output_extension(cfg->url));
        return SZ_ERR_UNSUPPORTED;
    }
    return output_open_kind(kind, cfg, out, err, errlen);
}

int output_needs_video(const sz_output *out)
{
    return out ? out->needs_video : 0;
}

/* ---- the producer side ------------------------------------------------ */

int output_write(sz_output *o, int64_t frame, const sz_video_frame *video, const float *pcm,
                 int n_samples)
{
    if (!o || frame < 0 || n_samples < 0 || (n_samples > 0 && !pcm))
        return SZ_ERR_INVALID_ARG;
    if (o->finish_called)
        return SZ_ERR_STATE;
    char msg[512];
    if (n_samples > o->audio_cap) {
        snprintf(msg, sizeof msg, "%s: %d audio samples for one frame (at most %d)", o->name,
                 n_samples, o->audio_cap);
        output_set_error(o, SZ_ERR_INVALID_ARG, msg);
        return SZ_ERR_INVALID_ARG;
    }
    if (frame < o->last_frame || (frame == o->last_frame && video)) {
        snprintf(msg, sizeof msg, "%s: frame %lld does not follow frame %lld", o->name,
                 (long long)frame, (long long)o->last_frame);
        output_set_error(o, SZ_ERR_INVALID_ARG, msg);
        return SZ_ERR_INVALID_ARG;
    }
    if (video && o->needs_video) {
        if (video->format != SZ_PIX_BGRA) {
            snprintf(msg, sizeof msg, "%s: video frame format %d is not BGRA", o->name,
                     (int)video->format);
            output_set_error(o, SZ_ERR_UNSUPPORTED, msg);
            return SZ_ERR_UNSUPPORTED;
        }
        if (video->width != o->cfg.width || video->height != o->cfg.height) {
            snprintf(msg, sizeof msg, "%s: video frame is %dx%d, expected %dx%d", o->name,
                     video->width, video->height, o->cfg.width, o->cfg.height);
            output_set_error(o, SZ_ERR_INVALID_ARG, msg);
            return SZ_ERR_INVALID_ARG;
        }
        if (!video->data || video->stride < 4 * video->width) {
            snprintf(msg, sizeof msg, "%s: video frame has no data or a stride of %d", o->name,
                     video->stride);
            output_set_error(o, SZ_ERR_INVALID_ARG, msg);
            return SZ_ERR_INVALID_ARG;
        }
    }
    o->last_frame = frame;
    if (atomic_load(&o->failed))
        return o->live ? SZ_OK : o->fail_code;
    if (frame == o->dropped_frame)
        return SZ_OK; /* more audio of a frame that was dropped */

    void *item = NULL;
    if (o->live) {
        if (queue_pop(o->q_free, &item, 0) != SZ_OK) {
            atomic_fetch_add(&o->frames_dropped, 1);
            o->dropped_frame = frame;
            return SZ_OK;
        }
    } else {
        for (;;) {
            int rc = queue_pop(o->q_free, &item, 50000);
            if (rc == SZ_OK)
                break;
            if (atomic_load(&o->failed))
                return o->fail_code;
            if (rc == SZ_ERR_CANCELLED)
                return SZ_ERR_STATE; /* the thread ended without an error: stopped */
        }
    }
    out_slot *s = item;
    s->frame = frame;
    s->n_audio = n_samples;
    if (n_samples)
        memcpy(s->audio, pcm, (size_t)n_samples * sizeof(float));
    s->has_video = video && o->needs_video;
    if (s->has_video) {
        size_t row = (size_t)o->cfg.width * 4;
        for (int y = 0; y < o->cfg.height; y++)
            memcpy(s->video + row * (size_t)y, video->data + (size_t)video->stride * (size_t)y,
                   row);
    }
    queue_push(o->q_full, s, -1); /* room: it came from q_free */
    return SZ_OK;
}

int output_finish(sz_output *o, char *err, size_t errlen)
{
    char scratch[1];
    if (!err || errlen == 0) {
        err = scratch;
        errlen = sizeof scratch;
    }
    err[0] = '\0';
    if (!o) {
        snprintf(err, errlen, "output_finish: no output");
        return SZ_ERR_INVALID_ARG;
    }
    if (o->finish_called) {
        snprintf(err, errlen, "%s: output already finished", o->name);
        return SZ_ERR_STATE;
    }
    o->finish_called = 1;
    atomic_store(&o->closing, 1);
    queue_close(o->q_full);
    thread_join(&o->thread);
    if (atomic_load(&o->failed)) {
        pthread_mutex_lock(&o->lock);
        snprintf(err, errlen, "%s", o->err);
        int rc = o->fail_code;
        pthread_mutex_unlock(&o->lock);
        return rc;
    }
    return SZ_OK;
}

/* Starts stopping without waiting (the group stops all, then joins all). */
static void output_stop_async(sz_output *o)
{
    if (!o->finish_called) {
        atomic_store(&o->abort, 1);
        atomic_store(&o->closing, 1);
        queue_close(o->q_full);
        if (o->kind->unblock && o->state)
            o->kind->unblock(o->state);
    }
}

void output_free(sz_output **out)
{
    if (!out || !*out)
        return;
    sz_output *o = *out;
    output_stop_async(o);
    thread_join(&o->thread);
    output_destroy(o);
    *out = NULL;
}

const char *output_error(const sz_output *o)
{
    return o ? o->err : "";
}

int output_failed(const sz_output *o)
{
    return o ? atomic_load(&((sz_output *)o)->failed) : 1;
}

void output_get_stats(const sz_output *co, sz_output_stats *st)
{
    sz_output *o = (sz_output *)co;
    memset(st, 0, sizeof *st);
    if (!o)
        return;
    st->url = o->name;
    st->connected = atomic_load(&o->connected);
    st->failed = atomic_load(&o->failed);
    st->frames_written = atomic_load(&o->frames_written);
    st->frames_dropped = atomic_load(&o->frames_dropped);
    st->reconnects = atomic_load(&o->reconnects);
    st->connect_failures = atomic_load(&o->connect_failures);
    st->connected_at_us = atomic_load(&o->connected_at_us);
    pthread_mutex_lock(&o->lock);
    snprintf(st->error, sizeof st->error, "%.255s", st->failed ? o->err : o->conn_err);
    pthread_mutex_unlock(&o->lock);
    if (o->kind->stats && o->state)
        o->kind->stats(o->state, st);
}

/* ---- groups ------------------------------------------------------------ */

#define OUT_GROUP_MAX 8

struct out_group {
    int live;
    int n;
    sz_output *outs[OUT_GROUP_MAX];
    out_clock clock;
    int finished;
};

int out_group_create(int live, out_group **g)
{
    if (!g)
        return SZ_ERR_INVALID_ARG;
    *g = calloc(1, sizeof **g);
    if (!*g)
        return SZ_ERR_NO_MEMORY;
    (*g)->live = live != 0;
    out_clock_init(&(*g)->clock);
    return SZ_OK;
}

int out_group_add(out_group *g, const out_config *cfg, char *err, size_t errlen)
{
    if (!g || !cfg)
        return SZ_ERR_INVALID_ARG;
    if (g->n == OUT_GROUP_MAX) {
        snprintf(err, errlen, "at most %d outputs", OUT_GROUP_MAX);
        return SZ_ERR_INVALID_ARG;
    }
    out_config c = *cfg;
    c.live = g->live;
    c.clock = &g->clock;
    int rc = output_open(&c, &g->outs[g->n], err, errlen);
    if (rc == SZ_OK)
        g->n++;
    return rc;
}

int out_group_count(const out_group *g)
{
    return g ? g->n : 0;
}

int out_group_needs_video(const out_group *g)
{
    for (int i = 0; g && i < g->n; i++)
        if (output_needs_video(g->outs[i]))
            return 1;
    return 0;
}

int out_group_write(out_group *g, int64_t frame, const sz_video_frame *video, const float *pcm,
                    int n_samples, char *err, size_t errlen)
{
    int alive = 0;
    for (int i = 0; i < g->n; i++) {
        int rc = output_write(g->outs[i], frame, video, pcm, n_samples);
        if (rc != SZ_OK) {
            snprintf(err, errlen, "%s",
                     *output_error(g->outs[i]) ? output_error(g->outs[i]) : sz_strerror(rc));
            return rc;
        }
        alive += !output_failed(g->outs[i]);
    }
    if (g->n > 0 && alive == 0) { /* live: nothing left to feed */
        snprintf(err, errlen, "every output failed; first: %s", output_error(g->outs[0]));
        return g->outs[0]->fail_code ? g->outs[0]->fail_code : SZ_ERR_IO;
    }
    return SZ_OK;
}

int out_group_finish(out_group *g, char *err, size_t errlen)
{
    if (!g)
        return SZ_ERR_INVALID_ARG;
    if (g->finished)
        return SZ_ERR_STATE;
    g->finished = 1;
    /* Close every queue first so the outputs flush in parallel. */
    for (int i = 0; i < g->n; i++) {
        atomic_store(&g->outs[i]->closing, 1);
        queue_close(g->outs[i]->q_full);
    }
    int first = SZ_OK;
    for (int i = 0; i < g->n; i++) {
        char e[512] = "";
        int rc = output_finish(g->outs[i], e, sizeof e);
        if (rc != SZ_OK && first == SZ_OK) {
            first = rc;
            snprintf(err, errlen, "%s", e);
        }
    }
    return first;
}

int out_group_stats(const out_group *g, int index, sz_output_stats *st)
{
    if (!g || !st || index < 0 || index >= g->n)
        return SZ_ERR_INVALID_ARG;
    output_get_stats(g->outs[index], st);
    return SZ_OK;
}

void out_group_free(out_group **gp)
{
    if (!gp || !*gp)
        return;
    out_group *g = *gp;
    for (int i = 0; i < g->n; i++)
        output_stop_async(g->outs[i]);
    for (int i = 0; i < g->n; i++)
        output_free(&g->outs[i]);
    free(g);
    *gp = NULL;
}
