/* SPDX-License-Identifier: Apache-2.0 */
/* bench_asr.c: word error rate of the offline recognizer on the real
 * recordings of ../shared/data/speech (LJ Speech clips with their
 * transcripts in metadata.csv), to show that our chain loses nothing:
 * pocketsphinx run directly (the whole utterance at once, batch CMN, the
 * settings of bench_voice), pocketsphinx run directly but streamed in 10 ms
 * pieces (what a live decoder sees), and the same audio through listen/asr.h:
 * resampled to 16 kHz, cut into 10 ms frames, asr_feed frame by frame,
 * asr_finish. Optionally also through listen/echo.h's clean-up (no far end)
 * before asr_feed, when the echo canceller can be created. Words are
 * compared lowercased, punctuation removed; per file and in total.
 * Usage: bench_asr [speech_dir] (default $SHUZI_SOURCE_DIR/../shared/data/speech). */
#include <ctype.h>
#include <dirent.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/clock.h"
#include "lipsync/audio_file.h"
#include "listen/asr.h"
#include "listen/echo.h"
#include "shuzi.h"

#ifndef SHUZI_SOURCE_DIR
#define SHUZI_SOURCE_DIR "."
#endif

#define BA_MAX_FILES 64
#define BA_MAX_WORDS 256
#define BA_FRAME 160 /* 10 ms at 16 kHz */

typedef struct ba_words {
    char w[BA_MAX_WORDS][40];
    int n;
} ba_words;

/* Lowercase, punctuation removed ("lower-case" -> "lower case"; apostrophes
 * inside words kept). */
static void ba_words_of(const char *s, ba_words *out)
{
    out->n = 0;
    char w[40];
    size_t k = 0;
    for (const char *p = s;; p++) {
        unsigned char c = (unsigned char)*p;
        int inword = c && (isalnum(c) || (c == '\'' && k > 0 && isalnum((unsigned char)p[1])));
        if (inword) {
            if (k + 1 < sizeof w)
                w[k++] = (char)tolower(c);
            continue;
        }
        if (k && out->n < BA_MAX_WORDS) {
            w[k] = 0;
            memcpy(out->w[out->n++], w, k + 1);
        }
        k = 0;
        if (!c)
            break;
    }
}

/* Word-level edit distance. */
static int ba_errors(const ba_words *ref, const ba_words *hyp)
{
    static int d[BA_MAX_WORDS + 1][BA_MAX_WORDS + 1];
    for (int i = 0; i <= ref->n; i++)
        d[i][0] = i;
    for (int j = 0; j <= hyp->n; j++)
        d[0][j] = j;
    for (int i = 1; i <= ref->n; i++)
        for (int j = 1; j <= hyp->n; j++) {
            int sub = d[i - 1][j - 1] + (strcmp(ref->w[i - 1], hyp->w[j - 1]) != 0);
            int del = d[i - 1][j] + 1, ins = d[i][j - 1] + 1;
            d[i][j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
        }
    return d[ref->n][hyp->n];
}

typedef struct ba_clip {
    char id[64];
    char ref[1024];
} ba_clip;

static int ba_load_clips(const char *dir, ba_clip *clips, int max)
{
    char path[1200], line[4096];
    snprintf(path, sizeof path, "%s/metadata.csv", dir);
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    int n = 0;
    while (n < max && fgets(line, sizeof line, f)) {
        char *bar = strchr(line, '|');
        char *last = strrchr(line, '|');
        if (!bar || (size_t)(bar - line) >= sizeof clips[n].id)
            continue;
        snprintf(clips[n].id, sizeof clips[n].id, "%.*s", (int)(bar - line), line);
        snprintf(clips[n].ref, sizeof clips[n].ref, "%s", last + 1);
        char probe[1300];
        snprintf(probe, sizeof probe, "%s/%s.flac", dir, clips[n].id);
        if (access(probe, R_OK) == 0)
            n++;
    }
    fclose(f);
    return n;
}

#ifdef SHUZI_HAVE_POCKETSPHINX

#include <pocketsphinx.h>
#include <sphinxbase/err.h>

static ps_decoder_t *ba_direct_open(char *err, size_t errlen)
{
    char hmm[1200], lm[1200], dict[1200];
    snprintf(hmm, sizeof hmm, "%s/en-us/en-us", SHUZI_PSPHINX_MODELDIR);
    snprintf(lm, sizeof lm, "%s/en-us/en-us.lm.bin", SHUZI_PSPHINX_MODELDIR);
    snprintf(dict, sizeof dict, "%s/en-us/cmudict-en-us.dict", SHUZI_PSPHINX_MODELDIR);
    err_set_logfp(NULL);
    cmd_ln_t *cfg = cmd_ln_init(NULL, ps_args(), TRUE, "-hmm", hmm, "-lm", lm, "-dict", dict,
                                "-cmn", "batch", "-logfn", "/dev/null", NULL);
    ps_decoder_t *ps = cfg ? ps_init(cfg) : NULL;
    if (cfg)
        cmd_ln_free_r(cfg);
    if (!ps)
        snprintf(err, errlen, "pocketsphinx could not load its US English model (install "
                              "pocketsphinx-en-us)");
    return ps;
}

/* whole: one call with the whole utterance; else 10 ms pieces. */
static void ba_direct(ps_decoder_t *ps, const float *pcm, size_t n, int whole, char *hyp,
                      size_t cap)
{
    hyp[0] = 0;
    int16_t *s16 = malloc((n ? n : 1) * sizeof *s16);
    if (!s16)
        return;
    for (size_t i = 0; i < n; i++) {
        float x = isfinite(pcm[i]) ? pcm[i] : 0.0f;
        x = x > 1.0f ? 1.0f : x < -1.0f ? -1.0f : x;
        s16[i] = (int16_t)lrintf(x * 32767.0f);
    }
    if (ps_start_utt(ps) >= 0) {
        if (whole)
            ps_process_raw(ps, s16, n, FALSE, TRUE);
        else
            for (size_t i = 0; i < n; i += BA_FRAME)
                ps_process_raw(ps, s16 + i, n - i < BA_FRAME ? n - i : BA_FRAME, FALSE, FALSE);
        if (ps_end_utt(ps) >= 0) {
            const char *h = ps_get_hyp(ps, NULL);
            snprintf(hyp, cap, "%s", h ? h : "");
        }
    }
    free(s16);
}

#endif

/* Through listen/asr.h (and, with e, listen/echo.h first). */
static int ba_chain(asr *a, echo_canceller *e, const float *pcm, size_t n, char *hyp, size_t cap,
                    int *partials, char *err, size_t errlen)
{
    *partials = 0;
    int rc = asr_begin(a, err, errlen);
    if (rc != SZ_OK)
        return rc;
    float frame[BA_FRAME];
    char partial[1024];
    for (size_t i = 0; i < n; i += BA_FRAME) {
        size_t m = n - i < BA_FRAME ? n - i : BA_FRAME;
        memcpy(frame, pcm + i, m * sizeof *frame);
        if (e) {
            memset(frame + m, 0, (BA_FRAME - m) * sizeof *frame);
            echo_process(e, frame, NULL, frame, NULL);
        }
        int f = asr_feed(a, frame, m, partial, sizeof partial, err, errlen);
        if (f < 0)
            return f;
        *partials += f == 1;
    }
    char lang[8];
    return asr_finish(a, hyp, cap, lang, sizeof lang, NULL, err, errlen);
}

enum { COL_DIRECT, COL_DIRECT_STREAM, COL_CHAIN, COL_ECHO, N_COLS };
static const char *const col_name[N_COLS] = {"pocketsphinx direct (whole, batch CMN)",
                                              "pocketsphinx direct (10 ms pieces)",
                                              "asr.h chain (16 kHz, 10 ms asr_feed)",
                                              "echo.h + asr.h chain"};

int main(int argc, char **argv)
{
    char dir[1024];
    const char *src = getenv("SHUZI_SOURCE_DIR");
    if (argc > 1)
        snprintf(dir, sizeof dir, "%s", argv[1]);
    else
        snprintf(dir, sizeof dir, "%s/../shared/data/speech", src && *src ? src : SHUZI_SOURCE_DIR);
    static ba_clip clips[BA_MAX_FILES];
    int n = ba_load_clips(dir, clips, BA_MAX_FILES);
    printf("== bench_asr: word error rate on real speech (%s)\n", dir);
    if (n <= 0) {
        printf("  unavailable: no recordings with transcripts (metadata.csv) in %s\n", dir);
        return 0;
    }
#ifndef SHUZI_HAVE_POCKETSPHINX
    printf("  unavailable: this build has no pocketsphinx (install libpocketsphinx-dev and "
           "pocketsphinx-en-us)\n");
    return 0;
#else
    char err[1024] = "";
    ps_decoder_t *ps = ba_direct_open(err, sizeof err);
    asr *a = NULL;
    asr_pocketsphinx_params pp = asr_pocketsphinx_default_params();
    int rc = ps ? asr_pocketsphinx_create(&pp, &a, err, sizeof err) : SZ_ERR_IO;
    if (!ps || rc != SZ_OK) {
        printf("  unavailable: %s\n", err);
        if (ps)
            ps_free(ps);
        return 0;
    }
    echo_canceller *e = NULL;
    echo_params ep = echo_default_params();
    char eerr[512] = "";
    int have_echo = echo_create(&ep, &e, eerr, sizeof eerr) == SZ_OK && e;
    if (have_echo && echo_frame_samples(e) != BA_FRAME) {
        snprintf(eerr, sizeof eerr, "its frame is %d samples, not %d", echo_frame_samples(e),
                 BA_FRAME);
        echo_destroy(&e);
        have_echo = 0;
    }
    printf("  model: pocketsphinx generic US English (%s); partials every %d ms\n",
           SHUZI_PSPHINX_MODELDIR, pp.partial_every_ms);
    if (!have_echo)
        printf("  echo.h column skipped: echo_create failed: %s\n", eerr);
    int ncols = have_echo ? N_COLS : COL_ECHO;
    long errors[N_COLS] = {0}, words = 0;
    double audio_s = 0, cpu_s[N_COLS] = {0};
    int partials_total = 0;
    printf("\n  %-11s %5s %6s", "clip", "words", "sec");
    for (int c = 0; c < ncols; c++)
        printf("  %-7s", c == COL_DIRECT ? "direct" : c == COL_DIRECT_STREAM ? "dir.10ms"
                                         : c == COL_CHAIN                    ? "chain"
                                                                             : "echo");
    printf("\n");
    for (int i = 0; i < n; i++) {
        char path[1200];
        snprintf(path, sizeof path, "%.1000s/%.63s.flac", dir, clips[i].id);
        ls_audio au = {0};
        if (lipsync_audio_load(path, ASR_RATE, &au, err, sizeof err) != SZ_OK) {
            printf("  %-11s unreadable: %s\n", clips[i].id, err);
            continue;
        }
        static ba_words ref, hyp;
        ba_words_of(clips[i].ref, &ref);
        words += ref.n;
        audio_s += (double)au.n / ASR_RATE;
        printf("  %-11s %5d %6.2f", clips[i].id, ref.n, (double)au.n / ASR_RATE);
        char texts[N_COLS][2048];
        for (int c = 0; c < ncols; c++) {
            int64_t t0 = clock_now_us();
            texts[c][0] = 0;
            if (c == COL_DIRECT || c == COL_DIRECT_STREAM) {
                ba_direct(ps, au.pcm, au.n, c == COL_DIRECT, texts[c], sizeof texts[c]);
            } else {
                int partials = 0;
                if (c == COL_ECHO)
                    echo_reset_endpoint(e);
                rc = ba_chain(a, c == COL_ECHO ? e : NULL, au.pcm, au.n, texts[c],
                              sizeof texts[c], &partials, err, sizeof err);
                if (rc != SZ_OK)
                    printf(" [%s: %s]", col_name[c], err);
                if (c == COL_CHAIN)
                    partials_total += partials;
            }
            cpu_s[c] += (double)(clock_now_us() - t0) / 1e6;
            ba_words_of(texts[c], &hyp);
            int ec = ba_errors(&ref, &hyp);
            errors[c] += ec;
            printf("  %6.1f%%", ref.n ? 100.0 * ec / ref.n : 0.0);
        }
        printf("\n");
        printf("      ref:    %s", clips[i].ref);
        if (!strchr(clips[i].ref, '\n'))
            printf("\n");
        for (int c = 0; c < ncols; c++)
            printf("      %-7s %s\n",
                   c == COL_DIRECT ? "direct:" : c == COL_DIRECT_STREAM ? "dir10:"
                                            : c == COL_CHAIN            ? "chain:"
                                                                        : "echo:",
                   texts[c]);
        lipsync_audio_free(&au);
    }
    printf("\n  total: %ld words, %.1f s of speech in %d clips\n", words, audio_s, n);
    for (int c = 0; c < ncols; c++)
        printf("  WER %-42s %6.1f%%  (%ld errors; %.2f s decoding, %.2fx real time)\n",
               col_name[c], words ? 100.0 * (double)errors[c] / (double)words : 0.0, errors[c],
               cpu_s[c], audio_s > 0 ? cpu_s[c] / audio_s : 0.0);
    printf("  partial hypotheses reported by the chain: %d\n", partials_total);
    echo_destroy(&e);
    asr_destroy(&a);
    ps_free(ps);
    return 0;
#endif
}
