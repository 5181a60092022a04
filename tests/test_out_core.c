/* SPDX-License-Identifier: Apache-2.0 */
/* test_out_core.c: the output core with fake kinds: per-output threads and
 * queues, live drops with silence that keeps A/V aligned (checked sample by
 * sample), offline back-pressure, reconnect with exponential backoff and
 * jitter, finish cancelling a pending reconnect, stop interrupting blocked
 * I/O, groups, option parsing and the presentation clock. Returns 0 on
 * success. */
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "core/clock.h"
#include "shuzi.h"
#include "stream/av_clock.h"
#include "stream/out_options.h"
#include "stream/output.h"

#define W 64
#define H 48
#define FPS 25
#define SR 16000

/* ---- a fake kind that records what it gets ------------------------------ */

typedef struct fake {
    int write_delay_us; /* each video write sleeps this long */
    int open_fail;      /* open fails this many times (SZ_ERR_IO) */
    int open_fail_code; /* SZ_ERR_IO unless set */
    int lose_at_pts;    /* write_video fails once at this pts (SZ_ERR_IO), -1 never */
    int block_in_write; /* write_video blocks until interrupted */
    int (*interrupted)(void *);
    void *iopaque;
    /* records */
    int opens, closes, finishes;
    int64_t bases[16];
    int n_bases;
    int64_t audio_total; /* samples since the last open */
    int64_t vpts[4096];
    int64_t audio_at[4096]; /* audio samples received before this frame */
    int n_video;
    int mismatches; /* frames whose first pixel does not encode their index */
    int64_t open_times_us[16];
} fake;

static fake *fake_next; /* the state the next create hands out */

static int fake_accepts(const char *url)
{
    return strncmp(url, "fake:", 5) == 0;
}

static int fake_create(const out_config *cfg, out_options *opts, void **state, char *err,
                       size_t errlen)
{
    const char *v = out_options_get(opts, "mode");
    if (v && strcmp(v, "ok")) {
        snprintf(err, errlen, "%s: option mode='%s': expected ok", cfg->name, v);
        return SZ_ERR_INVALID_ARG;
    }
    fake *f = fake_next;
    f->interrupted = cfg->interrupted;
    f->iopaque = cfg->interrupt_opaque;
    *state = f;
    return SZ_OK;
}

static int fake_open(void *state, char *err, size_t errlen)
{
    fake *f = state;
    if (f->opens < 16)
        f->open_times_us[f->opens] = clock_now_us();
    f->opens++;
    if (f->open_fail > 0) {
        f->open_fail--;
        snprintf(err, errlen, "fake: connection refused");
        return f->open_fail_code ? f->open_fail_code : SZ_ERR_IO;
    }
    f->audio_total = 0;
    return SZ_OK;
}

static void fake_close(void *state)
{
    ((fake *)state)->closes++;
}

static void fake_set_base(void *state, int64_t first)
{
    fake *f = state;
    if (f->n_bases < 16)
        f->bases[f->n_bases++] = first;
}

static int fake_write_video(void *state, const sz_video_frame *fr, char *err, size_t errlen)
{
    fake *f = state;
    if (f->block_in_write) {
        while (!f->interrupted(f->iopaque))
            usleep(1000);
        snprintf(err, errlen, "fake: interrupted");
        return SZ_ERR_IO;
    }
    if (f->write_delay_us)
        usleep((useconds_t)f->write_delay_us);
    if (fr->pts == f->lose_at_pts) {
        f->lose_at_pts = -1;
        snprintf(err, errlen, "fake: broken pipe");
        return SZ_ERR_IO;
    }
    if (f->n_video < 4096) {
        f->vpts[f->n_video] = fr->pts;
        f->audio_at[f->n_video] = f->audio_total;
        /* the producer wrote the absolute frame index into the first pixel */
        int64_t idx = fr->data[0] | fr->data[1] << 8;
        if (idx != (fr->pts + f->bases[f->n_bases - 1]) % 65536)
            f->mismatches++;
        f->n_video++;
    }
    return SZ_OK;
}

static int fake_write_audio(void *state, const float *pcm, int n, char *err, size_t errlen)
{
    (void)pcm;
    (void)err;
    (void)errlen;
    ((fake *)state)->audio_total += n;
    return SZ_OK;
}

static int fake_finish(void *state, char *err, size_t errlen)
{
    (void)err;
    (void)errlen;
    ((fake *)state)->finishes++;
    return SZ_OK;
}

static void fake_destroy(void *state)
{
    (void)state;
}

static const out_kind fake_kind = {
    .name = "fake",
    .accepts = fake_accepts,
    .flags = OUT_F_VIDEO | OUT_F_RECONNECT,
    .option_names = "mode",
    .create = fake_create,
    .open = fake_open,
    .close = fake_close,
    .set_base = fake_set_base,
    .write_video = fake_write_video,
    .write_audio = fake_write_audio,
    .finish = fake_finish,
    .destroy = fake_destroy,
};

static out_config cfg_of(const char *options, int live)
{
    out_config c;
    memset(&c, 0, sizeof c);
    c.url = "fake:test";
    c.options = options;
    c.width = W;
    c.height = H;
    c.fps = FPS;
    c.sample_rate_hz = SR;
    c.live = live;
    return c;
}

static uint8_t pixels[W * H * 4];
static float pcm[SR / FPS + 2];

/* Writes frame k with its exact audio slice; the first pixel holds k. */
static int put_frame(sz_output *o, int64_t k)
{
    pixels[0] = (uint8_t)(k & 255);
    pixels[1] = (uint8_t)((k >> 8) & 255);
    sz_video_frame f = {SZ_PIX_BGRA, W, H, W * 4, pixels, k};
    int n = (int)(clock_frame_first_sample(k + 1, SR, FPS) - clock_frame_first_sample(k, SR, FPS));
    return output_write(o, k, &f, pcm, n);
}

static void wait_written(sz_output *o, int64_t n)
{
    for (int i = 0; i < 2000; i++) {
        sz_output_stats st;
        output_get_stats(o, &st);
        if (st.frames_written + st.frames_dropped >= n)
            return;
        usleep(5000);
    }
}

/* Every frame the kind got must find exactly the audio of the frames before it
 * (counted from the connection's first frame): drops did not shift A/V. */
static void check_alignment(const fake *f, int64_t base, const char *what)
{
    int bad = 0;
    for (int i = 0; i < f->n_video; i++) {
        int64_t want = clock_frame_first_sample(base + f->vpts[i], SR, FPS) -
                       clock_frame_first_sample(base, SR, FPS);
        if (f->audio_at[i] != want)
            bad++;
    }
    CHECK(bad == 0, "%s: %d of %d frames found audio not aligned with them", what, bad, f->n_video);
    CHECK(f->mismatches == 0, "%s: %d frames carried another frame's pixels", what, f->mismatches);
}

/* ---- tests ---------------------------------------------------------------- */

static void test_live_drops(void)
{
    fake f = {.write_delay_us = 20000, .lose_at_pts = -1};
    fake_next = &f;
    out_config c = cfg_of("queue=4", 1);
    sz_output *o = NULL;
    char err[512] = "";
    CHECK(output_open_kind(&fake_kind, &c, &o, err, sizeof err) == SZ_OK, "open: %s", err);
    if (!o)
        return;
    /* 200 frames at 2 ms each: far faster than the 20 ms the kind takes. */
    int64_t t0 = clock_now_us(), worst = 0;
    for (int k = 0; k < 200; k++) {
        int64_t a = clock_now_us();
        CHECK(put_frame(o, k) == SZ_OK, "write %d", k);
        int64_t d = clock_now_us() - a;
        worst = d > worst ? d : worst;
        usleep(2000);
    }
    (void)t0;
    wait_written(o, 200);
    sz_output_stats st;
    output_get_stats(o, &st);
    CHECK(st.frames_dropped > 50, "a slow live output drops frames (%lld dropped)",
          (long long)st.frames_dropped);
    CHECK(st.frames_written + st.frames_dropped == 200, "written %lld + dropped %lld == 200",
          (long long)st.frames_written, (long long)st.frames_dropped);
    CHECK(f.n_video == st.frames_written, "kind saw %d frames, stats say %lld", f.n_video,
          (long long)st.frames_written);
    CHECK(output_finish(o, err, sizeof err) == SZ_OK, "finish: %s", err);
    CHECK(f.finishes == 1, "finished once");
    CHECK(f.n_bases == 1 && f.bases[0] == 0, "base 0");
    check_alignment(&f, 0, "live drops");
    /* The producer never waited on the slow output (a copy takes microseconds;
     * 20 ms would mean it blocked on the kind). */
    CHECK(worst < 20000, "a write took %lld us: the producer waited", (long long)worst);
    printf("ok   live drops: %lld written, %lld dropped, A/V aligned, longest write %lld us\n",
           (long long)st.frames_written, (long long)st.frames_dropped, (long long)worst);
    output_free(&o);
}

static void test_offline_backpressure(void)
{
    fake f = {.write_delay_us = 2000, .lose_at_pts = -1};
    fake_next = &f;
    out_config c = cfg_of(NULL, 0);
    sz_output *o = NULL;
    char err[512] = "";
    CHECK(output_open_kind(&fake_kind, &c, &o, err, sizeof err) == SZ_OK, "open: %s", err);
    if (!o)
        return;
    for (int k = 0; k < 100; k++)
        CHECK(put_frame(o, k) == SZ_OK, "write %d", k);
    CHECK(output_finish(o, err, sizeof err) == SZ_OK, "finish: %s", err);
    sz_output_stats st;
    output_get_stats(o, &st);
    CHECK(st.frames_written == 100 && st.frames_dropped == 0 && f.n_video == 100,
          "offline takes everything: %lld written, %lld dropped", (long long)st.frames_written,
          (long long)st.frames_dropped);
    int in_order = 1;
    for (int i = 0; i < f.n_video; i++)
        in_order &= f.vpts[i] == i;
    CHECK(in_order, "pts 0..99 in order");
    CHECK(f.audio_total == clock_frame_first_sample(100, SR, FPS), "all %lld audio samples",
          (long long)f.audio_total);
    printf("ok   offline: 100 of 100 frames, no drop\n");
    output_free(&o);
}

/* Frames the producer skipped (the live clock dropped them) leave a gap in
 * pts and silence in the audio. */
static void test_gaps(void)
{
    fake f = {.lose_at_pts = -1};
    fake_next = &f;
    out_config c = cfg_of("queue=64", 1);
    sz_output *o = NULL;
    char err[512] = "";
    CHECK(output_open_kind(&fake_kind, &c, &o, err, sizeof err) == SZ_OK, "open: %s", err);
    if (!o)
        return;
    int64_t frames[] = {0, 1, 2, 5, 6, 10, 11};
    for (size_t i = 0; i < sizeof frames / sizeof frames[0]; i++)
        CHECK(put_frame(o, frames[i]) == SZ_OK, "write");
    CHECK(output_write(o, 11, NULL, pcm, 10) == SZ_OK, "more audio for frame 11");
    CHECK(put_frame(o, 9) == SZ_ERR_INVALID_ARG, "frames must not go back");
    CHECK(output_finish(o, err, sizeof err) != SZ_OK, "the refused frame is reported: %s", err);
    CHECK(f.n_video == 7 && f.vpts[3] == 5 && f.vpts[5] == 10, "pts keep the gaps");
    check_alignment(&f, 0, "gaps");
    CHECK(f.audio_total == clock_frame_first_sample(12, SR, FPS) + 10,
          "audio: %lld samples, expected %lld", (long long)f.audio_total,
          (long long)clock_frame_first_sample(12, SR, FPS) + 10);
    printf("ok   gaps: silence for skipped frames, audio aligned\n");
    output_free(&o);
}

static void test_reconnect(void)
{
    fake f = {.open_fail = 3, .lose_at_pts = 20};
    fake_next = &f;
    out_config c = cfg_of("queue=64:reconnect_min_ms=40:reconnect_max_ms=160", 1);
    sz_output *o = NULL;
    char err[512] = "";
    CHECK(output_open_kind(&fake_kind, &c, &o, err, sizeof err) == SZ_OK, "open: %s", err);
    if (!o)
        return;
    /* Feed in real time until it has connected and lost the connection once. */
    int64_t k = 0;
    for (; k < 400; k++) {
        CHECK(put_frame(o, k) == SZ_OK, "write");
        clock_sleep_until_us(clock_now_us() + 1000000 / FPS / 4);
        sz_output_stats st;
        output_get_stats(o, &st);
        if (st.reconnects >= 1 && f.n_bases >= 2 && k > f.bases[1] + 20)
            break;
    }
    CHECK(output_finish(o, err, sizeof err) == SZ_OK, "finish: %s", err);
    sz_output_stats st;
    output_get_stats(o, &st);
    CHECK(st.connect_failures == 3, "3 failed attempts, got %lld", (long long)st.connect_failures);
    CHECK(st.reconnects == 1, "1 reconnect, got %lld", (long long)st.reconnects);
    CHECK(f.closes == 1, "the lost connection was closed (%d)", f.closes);
    CHECK(f.opens == 5, "5 opens (3 failed, first, after the loss), got %d", f.opens);
    CHECK(f.n_bases == 2, "2 timelines, got %d", f.n_bases);
    /* Backoff: the waits before attempts 2, 3, 4 are in [d/2, d] with d = 40,
     * 80, 160 ms; so at least 20, 40, 80 ms apart. */
    for (int i = 1; i < 4 && i < f.opens; i++) {
        int64_t gap = f.open_times_us[i] - f.open_times_us[i - 1];
        int64_t d = 40000LL << (i - 1);
        CHECK(gap >= d / 2, "wait before attempt %d was %lld us, at least %lld expected", i + 1,
              (long long)gap, (long long)d / 2);
    }
    /* After the loss at pts 20, the new connection starts at pts 0 with the
     * frame after the lost one: frames before it were dropped. */
    int restart = -1;
    for (int i = 1; i < f.n_video; i++)
        if (f.vpts[i] <= f.vpts[i - 1])
            restart = i;
    CHECK(restart > 0 && f.vpts[restart] == 0, "pts restart at 0 after reconnecting");
    CHECK(f.bases[1] > f.bases[0] + 20, "second timeline starts after the loss (%lld)",
          (long long)f.bases[1]);
    CHECK(st.frames_dropped >= 1, "the lost frame is counted as dropped");
    if (restart > 0) {
        fake second = f;
        memmove(second.vpts, f.vpts + restart, (size_t)(f.n_video - restart) * sizeof f.vpts[0]);
        memmove(second.audio_at, f.audio_at + restart,
                (size_t)(f.n_video - restart) * sizeof f.audio_at[0]);
        second.n_video = f.n_video - restart;
        for (int i = 0; i < second.n_video; i++)
            second.audio_at[i] -= f.audio_at[restart];
        check_alignment(&second, f.bases[1], "after reconnect");
    }
    printf("ok   reconnect: %lld failures, %lld reconnect, %lld dropped, pts restart, "
           "backoff waits %.0f/%.0f/%.0f ms\n",
           (long long)st.connect_failures, (long long)st.reconnects, (long long)st.frames_dropped,
           (f.open_times_us[1] - f.open_times_us[0]) / 1e3,
           (f.open_times_us[2] - f.open_times_us[1]) / 1e3,
           (f.open_times_us[3] - f.open_times_us[2]) / 1e3);
    output_free(&o);
}

/* A pending reconnect (here a 20 to 40 s wait) is cancelled by finish at
 * once; the output reports it never connected. */
static void test_cancel_pending(void)
{
    fake f = {.open_fail = 1000, .lose_at_pts = -1};
    fake_next = &f;
    out_config c = cfg_of("reconnect_min_ms=40000:reconnect_max_ms=40000", 1);
    sz_output *o = NULL;
    char err[512] = "";
    CHECK(output_open_kind(&fake_kind, &c, &o, err, sizeof err) == SZ_OK, "open: %s", err);
    if (!o)
        return;
    for (int i = 0; i < 200 && f.opens < 1; i++)
        usleep(5000);
    for (int k = 0; k < 10; k++)
        put_frame(o, k);
    int64_t t = clock_now_us();
    int rc = output_finish(o, err, sizeof err);
    double took = (clock_now_us() - t) / 1e6;
    CHECK(rc == SZ_ERR_IO && strstr(err, "never connected") && strstr(err, "refused"),
          "finish: %d '%s'", rc, err);
    CHECK(f.opens == 1, "no attempt after finish (%d)", f.opens);
    /* The wait was at least 20 s; finish must not have served it. */
    CHECK(took < 5.0, "finish took %.2f s while a reconnect was pending", took);
    sz_output_stats st;
    output_get_stats(o, &st);
    CHECK(st.frames_dropped == 10, "frames while disconnected are dropped (%lld)",
          (long long)st.frames_dropped);
    printf("ok   finish cancels a pending reconnect in %.3f s: %s\n", took, err);
    output_free(&o);

    /* A refusal that is not a lost connection is not retried. */
    fake g = {.open_fail = 1, .open_fail_code = SZ_ERR_CODEC, .lose_at_pts = -1};
    fake_next = &g;
    c = cfg_of(NULL, 1);
    CHECK(output_open_kind(&fake_kind, &c, &o, err, sizeof err) == SZ_OK, "open: %s", err);
    for (int i = 0; i < 400 && !output_failed(o); i++)
        usleep(5000);
    CHECK(output_failed(o) && g.opens == 1, "a codec error fails at once (%d opens)", g.opens);
    CHECK(put_frame(o, 0) == SZ_OK, "live: a failed output takes frames silently");
    CHECK(output_finish(o, err, sizeof err) == SZ_ERR_CODEC && strstr(err, "refused"),
          "finish reports it: '%s'", err);
    output_free(&o);

    /* Offline: a refused connection is an error, not retried. */
    fake h = {.open_fail = 1, .lose_at_pts = -1};
    fake_next = &h;
    c = cfg_of(NULL, 0);
    CHECK(output_open_kind(&fake_kind, &c, &o, err, sizeof err) == SZ_OK, "open: %s", err);
    int wrc = SZ_OK;
    for (int k = 0; k < 50 && wrc == SZ_OK; k++)
        wrc = put_frame(o, k);
    CHECK(wrc == SZ_ERR_IO, "offline write returns the connection error (%d)", wrc);
    CHECK(h.opens == 1, "offline: no retry (%d opens)", h.opens);
    output_free(&o);
    printf("ok   non-retryable and offline connection errors stop the output\n");
}

/* output_free while the kind is blocked in I/O: the interrupt callback ends it. */
static void test_abort_blocked(void)
{
    fake f = {.block_in_write = 1, .lose_at_pts = -1};
    fake_next = &f;
    out_config c = cfg_of(NULL, 1);
    sz_output *o = NULL;
    char err[512] = "";
    CHECK(output_open_kind(&fake_kind, &c, &o, err, sizeof err) == SZ_OK, "open: %s", err);
    if (!o)
        return;
    put_frame(o, 0);
    usleep(50000);
    int64_t t = clock_now_us();
    output_free(&o);
    double took = (clock_now_us() - t) / 1e6;
    CHECK(o == NULL && took < 2.0, "stop with the kind blocked took %.2f s", took);
    printf("ok   stop interrupts blocked I/O in %.3f s\n", took);
}

static void test_backoff(void)
{
    uint64_t rng = 12345;
    for (int attempt = 1; attempt <= 8; attempt++) {
        int64_t d = 100LL << (attempt - 1);
        if (d > 1000)
            d = 1000;
        int64_t lo = INT64_MAX, hi = 0;
        double sum = 0;
        for (int i = 0; i < 2000; i++) {
            int64_t w = output_backoff_us(attempt, 100, 1000, &rng);
            lo = w < lo ? w : lo;
            hi = w > hi ? w : hi;
            sum += (double)w;
        }
        double mean = sum / 2000;
        CHECK(lo >= d * 500 && hi <= d * 1000,
              "attempt %d: waits %lld..%lld us, expected %lld..%lld", attempt, (long long)lo,
              (long long)hi, (long long)d * 500, (long long)d * 1000);
        CHECK(fabs(mean - d * 750) < d * 40, "attempt %d: mean wait %.0f us, expected ~%lld",
              attempt, mean, (long long)d * 750);
        CHECK(hi - lo > d * 400, "attempt %d: jitter spans only %lld us", attempt,
              (long long)(hi - lo));
    }
    printf("ok   backoff: [d/2, d] with d = 100 ms doubling to 1 s, uniform jitter\n");
}

static void test_group(void)
{
    fake a = {.lose_at_pts = -1},
         b = {.open_fail = 1, .open_fail_code = SZ_ERR_CODEC, .lose_at_pts = -1};
    char err[512] = "";
    out_config c;
    /* Two fake outputs fed together, one failing: live goes on. */
    sz_output *oa = NULL, *ob = NULL;
    c = cfg_of("queue=32", 1);
    fake_next = &a;
    output_open_kind(&fake_kind, &c, &oa, err, sizeof err);
    fake_next = &b;
    output_open_kind(&fake_kind, &c, &ob, err, sizeof err);
    for (int i = 0; i < 400 && !output_failed(ob); i++)
        usleep(5000);
    for (int k = 0; k < 20; k++) {
        CHECK(put_frame(oa, k) == SZ_OK, "healthy output");
        CHECK(put_frame(ob, k) == SZ_OK, "failed output takes frames silently when live");
    }
    wait_written(oa, 20);
    CHECK(a.n_video == 20, "the healthy output got all 20 frames (%d)", a.n_video);
    output_free(&oa);
    output_free(&ob);
    printf("ok   a failed live output does not disturb another\n");
}

static void test_options(void)
{
    out_options o;
    char err[512] = "";
    CHECK(out_options_parse("a=1:b=x\\:y\\\\z::c=", "t", &o, err, sizeof err) == SZ_OK, "parse: %s",
          err);
    CHECK(o.n == 3 && !strcmp(out_options_get(&o, "b"), "x:y\\z") &&
              !strcmp(out_options_get(&o, "c"), ""),
          "escapes and empty values");
    int64_t v = 0;
    CHECK(out_options_int(&o, "a", 0, 5, &v, err, sizeof err) == SZ_OK && v == 1, "int");
    CHECK(out_options_check_used(&o, "a b c", err, sizeof err) == SZ_OK, "all used");
    out_options_free(&o);

    static const struct {
        const char *s, *want;
    } bad[] = {
        {"novalue", "not key=value"},    {"=x", "not key=value"},
        {"A=1", "not allowed in a key"}, {"a=1:a=2", "given twice"},
        {"a=x\\y", "must be followed"},  {"a=\x01", "control character"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int rc = out_options_parse(bad[i].s, "t", &o, err, sizeof err);
        CHECK(rc == SZ_ERR_INVALID_ARG && strstr(err, bad[i].want) && err[0] == 't',
              "'%s': %d '%s'", bad[i].s, rc, err);
    }
    char longv[2000];
    memset(longv, 'v', sizeof longv);
    memcpy(longv, "k=", 2);
    longv[sizeof longv - 1] = 0;
    CHECK(out_options_parse(longv, "t", &o, err, sizeof err) == SZ_ERR_INVALID_ARG &&
              strstr(err, "longer"),
          "long value: '%s'", err);

    CHECK(out_options_parse("r=2.5M:s=96k:t=abc:u=yes", "t", &o, err, sizeof err) == SZ_OK, "p");
    int64_t br = 0;
    CHECK(out_options_bitrate(&o, "r", 1, 10000000, &br, err, sizeof err) == SZ_OK && br == 2500000,
          "2.5M");
    CHECK(out_options_bitrate(&o, "s", 1, 10000000, &br, err, sizeof err) == SZ_OK && br == 96000,
          "96k");
    CHECK(out_options_bitrate(&o, "t", 1, 10000000, &br, err, sizeof err) == SZ_ERR_INVALID_ARG &&
              strstr(err, "t='abc'"),
          "bad bitrate: '%s'", err);
    int b = 0;
    CHECK(out_options_bool(&o, "u", &b, err, sizeof err) == SZ_OK && b == 1, "bool");
    out_options_free(&o);
    char esc[64];
    out_options_escape(esc, sizeof esc, "a:b\\c");
    CHECK(!strcmp(esc, "a\\:b\\\\c"), "escape: %s", esc);

    /* Through the core: unknown keys name what the output takes. */
    fake f = {.lose_at_pts = -1};
    fake_next = &f;
    out_config c = cfg_of("mode=ok:speed=3", 1);
    sz_output *out = NULL;
    CHECK(output_open_kind(&fake_kind, &c, &out, err, sizeof err) == SZ_ERR_INVALID_ARG &&
              strstr(err, "unknown option 'speed'") && strstr(err, "mode queue reconnect"),
          "unknown key: '%s'", err);
    c = cfg_of("queue=0", 1);
    CHECK(output_open_kind(&fake_kind, &c, &out, err, sizeof err) == SZ_ERR_INVALID_ARG &&
              strstr(err, "queue='0'"),
          "queue=0: '%s'", err);
    c = cfg_of("reconnect_min_ms=500:reconnect_max_ms=100", 1);
    CHECK(output_open_kind(&fake_kind, &c, &out, err, sizeof err) == SZ_ERR_INVALID_ARG &&
              strstr(err, "below"),
          "max < min: '%s'", err);
    c = cfg_of("mode=bad", 1);
    CHECK(output_open_kind(&fake_kind, &c, &out, err, sizeof err) == SZ_ERR_INVALID_ARG &&
              strstr(err, "mode='bad'"),
          "kind's own check: '%s'", err);
    CHECK(out == NULL, "no output after failures");
    printf("ok   options: escapes, typed values, errors name the pair and the known keys\n");
}

static void test_names(void)
{
    static const struct {
        const char *url, *want;
    } cases[] = {
        {"rtmp://a.example.com/live2/abcd-efgh-1234", "rtmp://a.example.com/live2/****"},
        {"rtmps://user:pw@host:443/app/key?x=1", "rtmps://host:443/app/****"},
        {"srt://host:9000?streamid=secret&passphrase=p", "srt://host:9000?****"},
        {"rtmp://host/app", "rtmp://host/app"},
        {"/tmp/a:b.mp4", "/tmp/a:b.mp4"},
        {"gst:appsrc name=video ! x264enc ! rtmpsink location=rtmp://h/a/key",
         "gst:appsrc name=video ! ..."},
    };
    char buf[256];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        output_display_name(cases[i].url, buf, sizeof buf);
        CHECK(!strcmp(buf, cases[i].want), "'%s' shown as '%s', expected '%s'", cases[i].url, buf,
              cases[i].want);
    }
    printf("ok   display names hide stream keys, passwords and queries\n");
}

static void test_clock(void)
{
    out_clock c;
    out_clock_init(&c);
    int64_t pos, age;
    CHECK(!out_clock_has_source(&c) && !out_clock_read(&c, 1000, &pos, &age), "empty clock");
    out_clock_add_source(&c);
    out_clock_publish(&c, 5000000, 1000000, 5100000); /* 5 s audible at t = 1 s */
    CHECK(out_clock_read(&c, 1050000, &pos, &age) && pos == 5050000 && age == 50000,
          "extrapolates: %lld", (long long)pos);
    CHECK(out_clock_read(&c, 1300000, &pos, &age) && pos == 5100000, "stops at the limit: %lld",
          (long long)pos);
    CHECK(out_clock_read(&c, 990000, &pos, &age) && pos == 4990000, "before the anchor: %lld",
          (long long)pos);
    printf("ok   presentation clock: extrapolation, limit\n");
}

int main(void)
{
    test_options();
    test_names();
    test_backoff();
    test_clock();
    test_offline_backpressure();
    test_gaps();
    test_live_drops();
    test_reconnect();
    test_cancel_pending();
    test_abort_blocked();
    test_group();
    return check_summary("test_out_core");
}
