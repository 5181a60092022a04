/* SPDX-License-Identifier: Apache-2.0 */
/* bench_echo.c: the listening kiosk's microphone clean-up (listen/echo.c) on
 * a simulated kiosk. The far end is the avatar's voice: real recordings of
 * the Kathleen data set (../shared/data/kathleen/wavs, what our default
 * English voice diffusion:kathleen was trained on), in name order, back to
 * back with 0.15-0.6 s pauses, each at -20 dBFS. It reaches the microphone
 * through a room (30 ms delay, 40 reflections decaying over ~150 ms, gain
 * 0.5) with -60 dBFS white noise. Customers are the clips of
 * ../shared/data/speech (another speaker) at -26 dBFS. Figures, no pass/fail:
 *   (a) false barge-ins: ECHO_START events over --minutes (default 5) of the
 *       avatar alone, from a fresh canceller (should be 0); ERLE after 2 s;
 *   (b) onset latency: one canceller listens to --trials (default 20) slots
 *       of 15 s, the avatar talking throughout; in each a customer starts at
 *       a random time. Latency = end of the frame that reported ECHO_START
 *       minus the customer's onset (first 10 ms frame above -40 dBFS):
 *       median, 90th percentile, max; slots without a start (missed); starts
 *       before a customer (false). The first slot meets a canceller that is
 *       still converging, where echo.c is cautious on purpose;
 *   (c) the same without any far end;
 *   (d) processing cost: echo_process's real-time factor, median over 10 s
 *       blocks of (a), and overall.
 * Usage: bench_echo [--minutes N] [--trials N] [--seed N] [--verbose] */
#include <dirent.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/rng.h"
#include "lipsync/audio_file.h"
#include "listen/echo.h"
#include "shuzi.h"
#include "tests/echo_room.h"

#ifndef SHUZI_SOURCE_DIR
#define SHUZI_SOURCE_DIR "."
#endif

#define RATE 16000
#define FRAME 160 /* 10 ms, the default */
#define FAR_DB (-20.0f)
#define CUSTOMER_DB (-26.0f)
#define ECHO_GAIN 0.5f
#define NOISE_DB (-60.0f)
#define ONSET_DB (-40.0f)

static uint64_t be_rng;
static int be_verbose; /* --verbose: one line per trial */

static double be_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static double be_uniform(void)
{
    return (double)(rng_next(&be_rng) >> 11) / 9007199254740992.0;
}

static int be_cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double be_median(double *v, int n)
{
    if (n <= 0)
        return NAN;
    qsort(v, (size_t)n, sizeof *v, be_cmp_double);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

static int be_cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Appends the .flac files of dir, in name order, each at level, with a
 * pause of gap_lo..gap_hi s after each, until `seconds` are filled (0: one
 * pass, no pauses; each file is its own clip in starts[]). */
static float *be_load_dir(const char *dir, double seconds, float level, double gap_lo,
                          double gap_hi, size_t *n_out, size_t *starts, int max_starts,
                          int *n_starts)
{
    DIR *d = opendir(dir);
    if (!d)
        return NULL;
    char **names = NULL;
    size_t nn = 0;
    for (struct dirent *de; (de = readdir(d));) {
        size_t l = strlen(de->d_name);
        if (l > 5 && !strcmp(de->d_name + l - 5, ".flac")) {
            char **g = realloc(names, (nn + 1) * sizeof *names);
            if (!g)
                break;
            names = g;
            names[nn++] = strdup(de->d_name);
        }
    }
    closedir(d);
    qsort(names, nn, sizeof *names, be_cmp_str);
    size_t want = (size_t)(seconds * RATE), n = 0, cap = 0;
    float *pcm = NULL;
    int ns = 0;
    for (size_t i = 0; i < nn && (seconds <= 0 || n < want); i++) {
        char path[1200], err[512];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        ls_audio au;
        if (lipsync_audio_load(path, RATE, &au, err, sizeof err) != SZ_OK) {
            fprintf(stderr, "skipping %s: %s\n", path, err);
            continue;
        }
        echo_room_set_level(au.pcm, au.n, level);
        size_t gap = seconds > 0 ? (size_t)((gap_lo + (gap_hi - gap_lo) * be_uniform()) * RATE) : 0;
        if (n + au.n + gap > cap) {
            cap = (n + au.n + gap) * 2;
            float *g = realloc(pcm, cap * sizeof *pcm);
            if (!g) {
                lipsync_audio_free(&au);
                break;
            }
            pcm = g;
        }
        if (starts && ns < max_starts)
            starts[ns++] = n;
        memcpy(pcm + n, au.pcm, au.n * sizeof *pcm);
        n += au.n;
        memset(pcm + n, 0, gap * sizeof *pcm);
        n += gap;
        lipsync_audio_free(&au);
    }
    for (size_t i = 0; i < nn; i++)
        free(names[i]);
    free(names);
    if (starts && ns < max_starts)
        starts[ns] = n;
    if (n_starts)
        *n_starts = ns;
    if (seconds > 0 && n > want)
        n = want;
    *n_out = n;
    return pcm;
}

static echo_canceller *be_open(void)
{
    echo_params p = echo_default_params();
    echo_canceller *e = NULL;
    char err[256];
    if (echo_create(&p, &e, err, sizeof err) != SZ_OK) {
        fprintf(stderr, "bench_echo: %s\n", err);
        exit(1);
    }
    return e;
}

/* (a) the avatar alone. */
static void be_false_starts(const float *far, size_t n, double *proc_s, double *median_rtf)
{
    float *near = echo_room_path(far, n, ECHO_GAIN, NOISE_DB, rng_next(&be_rng));
    echo_canceller *e = be_open();
    float out[FRAME];
    int starts = 0;
    double near_e = 0, out_e = 0, t0 = be_now(), tb = t0;
    int nblocks = 0;
    double *block_rtf = malloc((n / (RATE * 10) + 1) * sizeof *block_rtf);
    for (size_t f = 0; (f + 1) * FRAME <= n; f++) {
        echo_frame info;
        echo_event ev = echo_process(e, near + f * FRAME, far + f * FRAME, out, &info);
        if ((f + 1) % 1000 == 0 && block_rtf) { /* a 10 s block */
            double now = be_now();
            block_rtf[nblocks++] = (now - tb) / 10.0;
            tb = now;
        }
        if (ev == ECHO_START) {
            if (starts < 10)
                printf("  false start at %.2f s (out %.1f dBFS, far %.1f dBFS)\n",
                       (double)(f + 1) * FRAME / RATE, info.out_db, info.far_db);
            starts++;
        }
        if (f >= 200 && info.far_active)
            for (int k = 0; k < FRAME; k++) {
                near_e += (double)near[f * FRAME + k] * near[f * FRAME + k];
                out_e += (double)out[k] * out[k];
            }
    }
    *proc_s = be_now() - t0;
    *median_rtf = block_rtf ? be_median(block_rtf, nblocks) : NAN;
    free(block_rtf);
    printf("(a) avatar alone, %.1f min: %d ECHO_START (false barge-ins); ERLE after 2 s "
           "%.1f dB\n",
           (double)n / RATE / 60, starts, 10 * log10(near_e / (out_e > 1e-12 ? out_e : 1e-12)));
    echo_destroy(&e);
    free(near);
}

/* (b)/(c): one canceller listens to trials slots of SLOT_S seconds, the
 * avatar talking throughout (far != NULL) or silent; in each slot a customer
 * starts at a random time (3 s in at the earliest) and finishes 2 s before
 * the slot ends. The canceller runs on from slot to slot, as at a kiosk:
 * the first slot also measures a canceller that is still converging. */
#define SLOT_S 15
static void be_onsets(const char *label, const float *far, size_t n_far, const float *cust,
                      const size_t *cstart, int nclips, int trials)
{
    const size_t slot = (size_t)RATE * SLOT_S, len = slot * (size_t)trials;
    double *lat = malloc((size_t)trials * sizeof *lat);
    long *onset = malloc((size_t)trials * sizeof *onset);
    float *seg = calloc(len, sizeof *seg), out[FRAME];
    if (!lat || !onset || !seg) {
        fprintf(stderr, "bench_echo: out of memory\n");
        exit(1);
    }
    size_t off = far ? (size_t)(be_uniform() * (double)n_far) : 0;
    for (size_t i = 0; far && i < len; i++)
        seg[i] = far[(off + i) % n_far]; /* the avatar's voice, wrapping around */
    float *near = echo_room_path(far ? seg : NULL, len, ECHO_GAIN, NOISE_DB, rng_next(&be_rng));
    for (int t = 0; t < trials && near; t++) {
        int c = (int)(be_uniform() * nclips);
        size_t cn = cstart[c + 1] - cstart[c];
        size_t room = slot - (size_t)RATE * 5; /* 3 s before, 2 s after */
        cn = cn < room ? cn : room;
        size_t at =
            slot * (size_t)t + (size_t)RATE * 3 + (size_t)(be_uniform() * (double)(room - cn));
        at -= at % FRAME;
        for (size_t i = 0; i < cn; i++)
            near[at + i] += cust[cstart[c] + i];
        onset[t] = -1;
        for (size_t f = 0; (f + 1) * FRAME <= cn && onset[t] < 0; f++)
            if (echo_room_db(cust + cstart[c] + f * FRAME, FRAME) > ONSET_DB)
                onset[t] = (long)(at / FRAME + f);
    }
    echo_canceller *e = be_open();
    int got = 0, missed = 0, early = 0;
    long slot_frames = (long)(slot / FRAME), start = -1;
    for (long f = 0; near && (size_t)(f + 1) * FRAME <= len; f++) {
        long t = f / slot_frames;
        if (f % slot_frames == 0)
            start = -1;
        echo_event ev = echo_process(e, near + f * FRAME, far ? seg + f * FRAME : NULL, out, NULL);
        if (ev == ECHO_START && f < onset[t]) {
            if (early++ < 5)
                printf("  slot %ld: ECHO_START at %.2f s, before the customer (%.2f s)\n", t,
                       (double)(f + 1) * FRAME / RATE, (double)onset[t] * FRAME / RATE);
        } else if (ev == ECHO_START && start < 0) {
            start = f;
            lat[got++] = (double)(start + 1 - onset[t]) * FRAME * 1000.0 / RATE;
        }
        if ((f + 1) % slot_frames == 0) {
            missed += start < 0;
            if (be_verbose)
                printf("  %s, slot %ld: onset %.2f s, ECHO_START %+.0f ms\n", label, t,
                       (double)onset[t] * FRAME / RATE,
                       start < 0 ? -1.0 : (double)(start + 1 - onset[t]) * FRAME * 1000.0 / RATE);
        }
    }
    echo_destroy(&e);
    free(near);
    qsort(lat, (size_t)got, sizeof *lat, be_cmp_double);
    printf("%s: %d customers, onset latency median %.0f ms, 90%% %.0f ms, max %.0f ms; missed "
           "%d; ECHO_START before a customer %d\n",
           label, trials, be_median(lat, got),
           got ? lat[(got * 9) / 10 < got ? (got * 9) / 10 : got - 1] : NAN,
           got ? lat[got - 1] : NAN, missed, early);
    free(lat);
    free(onset);
    free(seg);
}

int main(int argc, char **argv)
{
    double minutes = 5;
    int trials = 20;
    uint64_t seed = 1;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--minutes") && i + 1 < argc)
            minutes = atof(argv[++i]);
        else if (!strcmp(argv[i], "--trials") && i + 1 < argc)
            trials = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--verbose"))
            be_verbose = 1;
        else if (!strcmp(argv[i], "--seed") && i + 1 < argc)
            seed = strtoull(argv[++i], NULL, 10);
        else {
            fprintf(stderr,
                    "usage: bench_echo [--minutes N] [--trials N] [--seed N] [--verbose]\n");
            return 2;
        }
    }
    if (minutes <= 0 || minutes > 120 || trials < 1 || trials > 200) {
        fprintf(stderr, "bench_echo: --minutes 0..120, --trials 1..200\n");
        return 2;
    }
    be_rng = seed;
    const char *src = getenv("SHUZI_SOURCE_DIR");
    if (!src)
        src = SHUZI_SOURCE_DIR;
    char kdir[600], sdir[600];
    snprintf(kdir, sizeof kdir, "%s/../shared/data/kathleen/wavs", src);
    snprintf(sdir, sizeof sdir, "%s/../shared/data/speech", src);

    echo_canceller *probe = NULL;
    echo_params p = echo_default_params();
    char err[256];
    if (echo_create(&p, &probe, err, sizeof err) != SZ_OK) {
        fprintf(stderr, "bench_echo: %s\n", err);
        return 1;
    }
    echo_destroy(&probe);

    size_t n_far = 0, n_cust = 0, cstart[65];
    int nclips = 0;
    double secs = minutes * 60 < 20 ? 20 : minutes * 60;
    float *far = be_load_dir(kdir, secs, FAR_DB, 0.15, 0.6, &n_far, NULL, 0, NULL);
    float *cust = be_load_dir(sdir, 0, CUSTOMER_DB, 0, 0, &n_cust, cstart, 64, &nclips);
    if (!far || !cust || nclips < 1 || n_far < (size_t)RATE * 20) {
        fprintf(stderr, "bench_echo: need %s and %s\n", kdir, sdir);
        return 1;
    }
    printf("far end: recordings of the kathleen voice (%s), %.1f min at %.0f dBFS; echo gain "
           "%.1f, 30 ms delay, reflections over 150 ms; mic noise %.0f dBFS\n",
           kdir, (double)n_far / RATE / 60, FAR_DB, ECHO_GAIN, NOISE_DB);
    printf("customers: %d clips of %s at %.0f dBFS; seed %llu\n", nclips, sdir, CUSTOMER_DB,
           (unsigned long long)seed);
    size_t n_a = (size_t)(minutes * 60 * RATE);
    n_a = n_a < n_far ? n_a : n_far;
    double proc = 0, median_rtf = NAN;
    be_false_starts(far, n_a, &proc, &median_rtf);
    be_onsets("(b) customer over the avatar", far, n_far, cust, cstart, nclips, trials);
    be_onsets("(c) customer, no far end", NULL, 0, cust, cstart, nclips, trials);
    double audio = (double)n_a / RATE;
    printf("(d) echo_process: %.4f x real time, median of 10 s blocks (overall %.4f: %.1f us "
           "per 10 ms frame, one core)\n",
           median_rtf, proc / audio, proc / (audio * 100) * 1e6);
    free(far);
    free(cust);
    return 0;
}
