/* SPDX-License-Identifier: Apache-2.0 */
/* bench_lipsync.c: accuracy of audio-only lip-sync on speech with known
 * phone timings (Festival's HTS voice and its segment file): frame-by-frame
 * viseme agreement and mean phone-boundary error, with the transcript
 * (forced alignment) and without (phone recognition), plus the streaming
 * recogniser; and the analysis time per second of audio (median). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench/festival.h"
#include "lipsync/audio_file.h"
#include "lipsync/evaluate.h"
#include "lipsync/recognize.h"
#include "shuzi.h"

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + t.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

typedef struct totals {
    double acc100, acc30, bmean;
    size_t frames, frames30, bounds;
    double rtf[FESTIVAL_N_SENTENCES];
    size_t n;
} totals;

static void add(totals *t, const ls_score *s, double rtf)
{
    t->acc100 += s->accuracy_100hz * (double)s->n_frames;
    t->frames += s->n_frames;
    t->acc30 += s->accuracy_30fps * (double)(s->n_frames / 3);
    t->frames30 += s->n_frames / 3;
    t->bmean += s->boundary_mean_ms * (double)s->n_ref_boundaries;
    t->bounds += s->n_ref_boundaries;
    t->rtf[t->n++] = rtf;
}

static void report(const char *name, totals *t)
{
    qsort(t->rtf, t->n, sizeof t->rtf[0], cmp_double);
    printf("%-22s viseme accuracy %5.1f%% (10 ms frames), %5.1f%% (30 fps frames); "
           "phone-boundary error %5.1f ms (mean over %zu boundaries); "
           "%.3f s per s of audio (median)\n",
           name, t->frames ? 100.0 * t->acc100 / (double)t->frames : 0.0,
           t->frames30 ? 100.0 * t->acc30 / (double)t->frames30 : 0.0,
           t->bounds ? t->bmean / (double)t->bounds : 0.0, t->bounds, t->n ? t->rtf[t->n / 2] : 0);
}

/* Streams the audio in 20 ms chunks and scores the final track. */
static int stream_track(const ls_audio *au, ls_track *out, double *secs)
{
    ls_stream_params p = {.sample_rate_hz = au->sample_rate_hz, .lookahead_ms = 200};
    ls_stream *st = NULL;
    char err[512] = "";
    double t0 = now_s();
    if (lipsync_stream_open(&p, &st, err, sizeof err) != SZ_OK) {
        fprintf(stderr, "stream: %s\n", err);
        return -1;
    }
    size_t chunk = (size_t)au->sample_rate_hz / 50;
    for (size_t i = 0; i < au->n; i += chunk)
        lipsync_stream_push(st, au->pcm + i, au->n - i < chunk ? au->n - i : chunk);
    lipsync_stream_finish(st);
    const ls_track *t = lipsync_stream_track(st);
    lipsync_track_reset(out);
    for (size_t i = 0; i < t->n_segs; i++) {
        lipsync_track_add(out, t->segs[i].start_us, t->segs[i].end_us, t->segs[i].phone, 0, -1);
        out->segs[out->n_segs - 1] = t->segs[i];
    }
    out->duration_us = t->duration_us;
    lipsync_stream_free(&st);
    *secs = now_s() - t0;
    return 0;
}

int main(int argc, char **argv)
{
    int verbose = argc > 1 && strcmp(argv[1], "-v") == 0;
    if (!lipsync_audio_supported()) {
        printf("bench_lipsync: skipped: this build has no audio-only lip-sync (pocketsphinx)\n");
        return 0;
    }
    if (!festival_available()) {
        printf("bench_lipsync: skipped: festival with festvox-us-slt-hts is not installed\n");
        return 0;
    }
    char dir[] = "/tmp/shuzi-bench-lipsync-XXXXXX";
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    size_t n = FESTIVAL_N_SENTENCES;
    if (festival_synthesize(dir, festival_sentences, n) != 0) {
        fprintf(stderr, "bench_lipsync: festival failed (see %s/festival.log)\n", dir);
        return 1;
    }
    ls_analyzer *an = NULL;
    char err[512] = "";
    if (lipsync_analyzer_open(NULL, &an, err, sizeof err) != SZ_OK) {
        fprintf(stderr, "bench_lipsync: %s\n", err);
        return 1;
    }
    totals aligned = {0}, recognised = {0}, streamed = {0};
    int rc = 0;
    printf("bench_lipsync: %zu sentences by Festival (cmu_us_slt_arctic_hts), reference "
           "phone timings from its segment files\n",
           n);
    for (size_t i = 0; i < n && rc == 0; i++) {
        char path[600];
        snprintf(path, sizeof path, "%s/%zu.segs", dir, i);
        size_t len = 0;
        char *text = festival_read(path, &len);
        ls_track ref, est;
        lipsync_track_init(&ref);
        lipsync_track_init(&est);
        ls_audio au;
        memset(&au, 0, sizeof au);
        if (!text || lipsync_read_xlabel(text, len, path, &ref, err, sizeof err) != SZ_OK) {
            fprintf(stderr, "bench_lipsync: %s\n", text ? err : "cannot read segments");
            rc = 1;
        }
        snprintf(path, sizeof path, "%s/%zu.wav", dir, i);
        if (rc == 0 && lipsync_audio_load(path, LS_ANALYSIS_RATE, &au, err, sizeof err) != SZ_OK) {
            fprintf(stderr, "bench_lipsync: %s\n", err);
            rc = 1;
        }
        double secs_audio = au.n / (double)LS_ANALYSIS_RATE;
        for (int mode = 0; mode < 3 && rc == 0; mode++) {
            double t0 = now_s(), secs = 0;
            int r;
            if (mode == 2) {
                r = stream_track(&au, &est, &secs);
            } else {
                r = lipsync_analyze(an, au.pcm, au.n, mode == 0 ? festival_sentences[i] : NULL,
                                    &est, err, sizeof err);
                secs = now_s() - t0;
            }
            if (r != SZ_OK) {
                fprintf(stderr, "bench_lipsync: sentence %zu: %s\n", i, err);
                rc = 1;
                break;
            }
            ls_score sc;
            lipsync_score(&ref, &est, &sc);
            add(mode == 0 ? &aligned : mode == 1 ? &recognised : &streamed, &sc, secs / secs_audio);
            if (verbose)
                printf(
                    "  %2zu %-10s acc %5.1f%%  boundary %5.1f ms (median %4.1f, bias %+5.1f)  %s\n",
                    i,
                    mode == 0   ? "aligned"
                    : mode == 1 ? "recognised"
                                : "streamed",
                    100 * sc.accuracy_100hz, sc.boundary_mean_ms, sc.boundary_median_ms,
                    sc.boundary_bias_ms, mode == 0 ? festival_sentences[i] : "");
            if (mode == 0 && est.aligned != 1)
                printf("  %2zu: the transcript did not align\n", i);
        }
        lipsync_audio_free(&au);
        lipsync_track_free(&ref);
        lipsync_track_free(&est);
        free(text);
    }
    if (rc == 0) {
        report("with transcript:", &aligned);
        report("audio only:", &recognised);
        report("streaming (200 ms):", &streamed);
    }
    lipsync_analyzer_free(&an);
    festival_cleanup(dir, n);
    return rc;
}
