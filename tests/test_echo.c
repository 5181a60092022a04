/* SPDX-License-Identifier: Apache-2.0 */
/* test_echo.c: the microphone clean-up (listen/echo.c) on real speech through
 * a simulated echo path. The far end (clips of ../shared/data/speech, at
 * kiosk loudness) reaches the microphone through a room impulse response
 * (30 ms delay, reflections decaying over ~150 ms, gain 0.5) with a little
 * noise. Checks: the echo is reduced by >= 10 dB after 2 s (ERLE, printed);
 * the echo alone never starts an utterance; a customer (another clip)
 * speaking over it starts one within 300 ms of its onset and ends it after;
 * the same without any far end; bad parameters are refused with a message;
 * echo_reset_endpoint ends an utterance without an ECHO_END. Skips (77)
 * without speexdsp or without the speech clips. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/rng.h"
#include "lipsync/audio_file.h"
#include "listen/echo.h"
#include "shuzi.h"

#include "check.h"
#include "echo_room.h"

#define RATE 16000
#define FRAME 160 /* 10 ms */
#define ONSET_DB (-40.0f)

/* ---- audio helpers ---- */

static const char *speech_dir(void)
{
    static char buf[600];
    const char *base = getenv("SHUZI_SOURCE_DIR");
    snprintf(buf, sizeof buf, "%s/../shared/data/speech", base ? base : ".");
    return buf;
}

/* Loads one clip at 16 kHz; NULL when absent. */
static float *load_clip(const char *id, size_t *n)
{
    char path[700], err[512];
    snprintf(path, sizeof path, "%s/%s.flac", speech_dir(), id);
    ls_audio au;
    if (lipsync_audio_load(path, RATE, &au, err, sizeof err) != SZ_OK) {
        printf("cannot load %s: %s\n", path, err);
        return NULL;
    }
    *n = au.n;
    return au.pcm;
}

/* ---- one run through the canceller ---- */

typedef struct run_result {
    int starts, ends;
    long first_start, last_end; /* frame index, -1 when none */
    double near_e, out_e;       /* energies over the ERLE frames */
    int in_utt_at_end;
} run_result;

/* Feeds near (and far, may be NULL) frame by frame. ERLE frames: after 2 s,
 * far active, and before voice_from (frame index where the customer may
 * appear; -1: never). */
static void run(const echo_params *p, const float *near, const float *far, size_t n,
                long voice_from, run_result *r)
{
    memset(r, 0, sizeof *r);
    r->first_start = r->last_end = -1;
    echo_canceller *e = NULL;
    char err[256] = "";
    int rc = echo_create(p, &e, err, sizeof err);
    CHECK(rc == SZ_OK, "echo_create: %s", err);
    if (rc != SZ_OK)
        return;
    CHECK(echo_frame_samples(e) == FRAME, "frame samples %d", echo_frame_samples(e));
    float out[FRAME];
    for (size_t f = 0; (f + 1) * FRAME <= n; f++) {
        echo_frame info;
        echo_event ev = echo_process(e, near + f * FRAME, far ? far + f * FRAME : NULL, out, &info);
        if (ev == ECHO_START) {
            r->starts++;
            if (r->first_start < 0)
                r->first_start = (long)f;
        } else if (ev == ECHO_END) {
            r->ends++;
            r->last_end = (long)f;
        }
        if (far && f >= 200 && info.far_active && (voice_from < 0 || (long)f < voice_from)) {
            for (int k = 0; k < FRAME; k++) {
                r->near_e += (double)near[f * FRAME + k] * near[f * FRAME + k];
                r->out_e += (double)out[k] * out[k];
            }
        }
    }
    r->in_utt_at_end = echo_in_utterance(e);
    echo_destroy(&e);
    CHECK(e == NULL, "destroyed");
}

/* First and last 10 ms frames of x above ONSET_DB, from frame `from`. */
static void active_span(const float *x, size_t n, long *first, long *last)
{
    *first = *last = -1;
    for (size_t f = 0; (f + 1) * FRAME <= n; f++)
        if (echo_room_db(x + f * FRAME, FRAME) > ONSET_DB) {
            if (*first < 0)
                *first = (long)f;
            *last = (long)f;
        }
}

/* ---- the checks ---- */

static void test_params(void)
{
    echo_params good = echo_default_params();
    echo_canceller *e = NULL;
    char err[256];
    struct {
        const char *what;
        int field, value;
    } bad[] = {{"rate 0", 0, 0}, {"frame_ms 7", 1, 7}, {"tail_ms 0", 2, 0}};
    for (int i = 0; i < 3; i++) {
        echo_params p = good;
        int *f[] = {&p.rate, &p.frame_ms, &p.tail_ms};
        *f[bad[i].field] = bad[i].value;
        err[0] = 0;
        e = (echo_canceller *)&good; /* must be cleared */
        int rc = echo_create(&p, &e, err, sizeof err);
        CHECK(rc == SZ_ERR_INVALID_ARG, "%s: rc %d, expected SZ_ERR_INVALID_ARG", bad[i].what, rc);
        CHECK(err[0] != 0 && strchr(err, '\n') == NULL, "%s: one-line message, got '%s'",
              bad[i].what, err);
        CHECK(e == NULL, "%s: no canceller returned", bad[i].what);
        printf("%s refused: %s\n", bad[i].what, err);
    }
    int rc = echo_create(&good, &e, err, sizeof err);
    CHECK(rc == SZ_OK, "defaults accepted: %s", err);
    echo_destroy(&e);
}

/* far: the echo of A, ~20 s; the customer B at t0 (frame) over it. */
static void test_echo(const float *a, size_t na, const float *b, size_t nb)
{
    echo_params p = echo_default_params();
    float *echo = echo_room_path(a, na, 0.5f, -60.0f, 7);
    if (!echo)
        return;

    /* (1)(2) echo only, for the whole run */
    run_result r;
    run(&p, echo, a, na, -1, &r);
    double erle = 10 * log10(r.near_e / (r.out_e > 1e-12 ? r.out_e : 1e-12));
    printf("echo only: ERLE after 2 s %.1f dB, %d starts\n", erle, r.starts);
    CHECK(erle >= 10.0, "ERLE %.1f dB, expected >= 10 dB", erle);
    CHECK(r.starts == 0, "the echo alone started %d utterances (first at %ld ms)", r.starts,
          r.first_start * 10);

    /* (3) B from t0 over A */
    size_t t0 = (size_t)RATE * 12; /* the canceller has settled (echo.c: ~10 s) */
    if (t0 + nb <= na) {
        float *near = malloc(na * sizeof *near);
        memcpy(near, echo, na * sizeof *near);
        for (size_t i = 0; i < nb; i++)
            near[t0 + i] += b[i];
        long on, off;
        active_span(b, nb, &on, &off);
        on += (long)(t0 / FRAME);
        off += (long)(t0 / FRAME);
        run(&p, near, a, na, on, &r);
        printf("barge-in: onset %ld ms, start %ld ms (+%ld ms), B ends %ld ms, last end %ld ms, "
               "%d starts, ERLE before it %.1f dB\n",
               on * 10, r.first_start * 10, (r.first_start - on) * 10, off * 10, r.last_end * 10,
               r.starts, 10 * log10(r.near_e / (r.out_e > 1e-12 ? r.out_e : 1e-12)));
        /* the START frame's end within 300 ms of the onset frame's start */
        CHECK(r.first_start >= on && r.first_start + 1 - on <= 30,
              "START at %ld ms, expected within 300 ms after B's onset at %ld ms",
              r.first_start * 10, on * 10);
        /* the END: hangover (400 ms) after B's last loud frame, give or take */
        CHECK(r.last_end > off && r.last_end <= off + 40 + 30 && !r.in_utt_at_end,
              "last END at %ld ms, expected after B stops (%ld ms) within the hangover",
              r.last_end * 10, off * 10);
        free(near);
    } else {
        CHECK(0, "A (%zu samples) too short for B at 12 s", na);
    }
    free(echo);
}

/* (4) B alone, no far end at all, in mic noise. */
static void test_no_far(const float *b, size_t nb)
{
    size_t n = nb + (size_t)RATE * 3;
    float *zero = calloc(n, sizeof *zero);
    float *near = zero ? echo_room_path(zero, n, 0, -60.0f, 11) : NULL; /* noise only */
    if (!near) {
        free(zero);
        CHECK(0, "out of memory");
        return;
    }
    size_t t0 = RATE;
    for (size_t i = 0; i < nb; i++)
        near[t0 + i] += b[i];
    long on, off;
    active_span(b, nb, &on, &off);
    on += (long)(t0 / FRAME);
    off += (long)(t0 / FRAME);
    echo_params p = echo_default_params();
    run_result r;
    run(&p, near, NULL, n, -1, &r);
    printf("no far end: onset %ld ms, start %ld ms, B ends %ld ms, last end %ld ms\n", on * 10,
           r.first_start * 10, off * 10, r.last_end * 10);
    CHECK(r.first_start >= on && r.first_start + 1 - on <= 30,
          "START at %ld ms, expected within 300 ms after onset %ld ms", r.first_start * 10,
          on * 10);
    CHECK(r.last_end > off && r.last_end <= off + 70 && !r.in_utt_at_end,
          "last END at %ld ms, expected after %ld ms within the hangover", r.last_end * 10,
          off * 10);
    /* and without the canceller (far ignored), in place (out == near) */
    p.cancel_echo = 0;
    echo_canceller *e = NULL;
    char err[256];
    CHECK(echo_create(&p, &e, err, sizeof err) == SZ_OK, "no canceller: %s", err);
    int starts = 0;
    for (size_t f = 0; e && (f + 1) * FRAME <= n; f++)
        starts += echo_process(e, near + f * FRAME, zero, near + f * FRAME, NULL) == ECHO_START;
    CHECK(starts >= 1, "without the canceller, B still starts an utterance");
    echo_destroy(&e);
    free(near);
    free(zero);
}

/* (6) echo_reset_endpoint ends the utterance silently. */
static void test_reset(const float *b, size_t nb)
{
    echo_params p = echo_default_params();
    echo_canceller *e = NULL;
    char err[256];
    if (echo_create(&p, &e, err, sizeof err) != SZ_OK) {
        CHECK(0, "create: %s", err);
        return;
    }
    float out[FRAME], silence[FRAME] = {0};
    size_t f = 0;
    while ((f + 1) * FRAME <= nb && !echo_in_utterance(e))
        echo_process(e, b + f++ * FRAME, NULL, out, NULL);
    CHECK(echo_in_utterance(e), "B started an utterance");
    echo_reset_endpoint(e);
    CHECK(!echo_in_utterance(e), "reset ends it");
    int ends = 0;
    for (int k = 0; k < 200; k++)
        ends += echo_process(e, silence, NULL, out, NULL) == ECHO_END;
    CHECK(ends == 0, "no ECHO_END after the reset, got %d", ends);
    echo_destroy(&e);
}

int main(void)
{
    echo_params p = echo_default_params();
    echo_canceller *e = NULL;
    char err[256] = "";
    int rc = echo_create(&p, &e, err, sizeof err);
    if (rc == SZ_ERR_UNSUPPORTED) {
        printf("SKIP: %s\n", err);
        return 77;
    }
    echo_destroy(&e);
    test_params();

    /* A: four clips, ~20 s, at -20 dBFS; B: another speaker's line at -26 */
    static const char *const a_ids[] = {"LJ001-0020", "LJ001-0038", "LJ001-0056", "LJ001-0074"};
    size_t na = 0, nb = 0;
    float *a = NULL;
    for (int i = 0; i < 4; i++) {
        size_t m = 0;
        float *c = load_clip(a_ids[i], &m);
        if (!c) {
            free(a);
            printf("SKIP: speech clips absent under %s\n", speech_dir());
            return check_failures ? 1 : 77;
        }
        float *grown = realloc(a, (na + m) * sizeof *a);
        if (grown) {
            a = grown;
            memcpy(a + na, c, m * sizeof *a);
            na += m;
        }
        free(c);
    }
    float *b = load_clip("LJ001-0146", &nb);
    if (!a || !b) {
        free(a);
        free(b);
        printf("SKIP: speech clips absent under %s\n", speech_dir());
        return check_failures ? 1 : 77;
    }
    echo_room_set_level(a, na, -20.0f);
    echo_room_set_level(b, nb, -26.0f);
    printf("A %.1f s, B %.1f s\n", (double)na / RATE, (double)nb / RATE);
    test_echo(a, na, b, nb);
    test_no_far(b, nb);
    test_reset(b, nb);
    free(a);
    free(b);
    return check_summary("test_echo");
}
