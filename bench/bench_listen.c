/* SPDX-License-Identifier: Apache-2.0 */
/* bench_listen.c: the listening kiosk's bars, on a live session in this
 * process like `shuzi kiosk --mic file:Q.wav --mic-echo G:30 --audio-device
 * null`: questions spoken by our voice, a few seconds apart, come in through
 * the file microphone; the avatar answers each from the scripted FAQ with
 * our voice on the null speaker, whose sound goes back into the microphone
 * through a simulated room; each question after the first starts while the
 * previous answer still plays, so it is also a barge-in. Prints, from the
 * engine's own measurements (engine/metrics.h):
 *   - the end of a question (the endpointer's decision) to the first audio
 *     of its answer leaving the engine: median, min, max;
 *   - the same split: the end to the recognized text (offline recognizer);
 *   - barge-in: the customer's detected speech onset to the interrupt
 *     request, and the request to the audio faded out (session clock);
 *   - barge-ins counted against the questions that cut in (more would be
 *     the avatar hearing itself), and the texts heard.
 * With --self-talk S, no customer at all: the avatar talks for S seconds
 * (our voice reading paragraphs) into a silent microphone plus its own echo,
 * and the bench counts what the listener took for a customer (utterances,
 * barge-ins, texts): the bar is none in 300 s.
 * Usage: bench_listen [--questions N] [--gap S] [--echo G] [--self-talk S] [--shuzi PATH] */
#include <libgen.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/clock.h"
#include "engine/config_modes.h"
#include "engine/events.h"
#include "engine/host.h"
#include "engine/listening.h"
#include "engine/metrics.h"
#include "lipsync/audio_file.h"
#include "llm/llm.h"
#include "shuzi.h"

#define BL_RATE 16000

static const char *const bl_questions[] = {
    "What are your opening hours?", "I lost my card.",       "How do I open a new account?",
    "What is the interest rate?",   "Are there any fees?",   "My card was stolen.",
    "When do you open?",            "Thank you very much.",  "What time do you close?",
    "How much is the monthly fee?", "Please block my card.", "Hello, good morning.",
};
#define BL_N_QUESTIONS (int)(sizeof bl_questions / sizeof bl_questions[0])

/* What the avatar reads in --self-talk: bank and shop talk of every kind. */
static const char *const bl_talk[] = {
    "Welcome to Harbour Bank. Today I would like to tell you about our new savings account, "
    "which pays two point five percent a year, with no monthly fee and no minimum balance.",
    "Did you know that you can block a lost card in the mobile app, in less than a minute? "
    "Open the app, choose cards, and press the red button. We will send you a new card within "
    "five working days.",
    "Our branches are open from nine in the morning to five in the afternoon, Monday to Friday, "
    "and from ten to two on Saturdays. On public holidays, the cash machines still work.",
    "This electric kettle boils a litre of water in three minutes! It switches itself off, it "
    "has a filter for limescale, and today it costs only one hundred and ninety nine yuan.",
    "Questions? Ask me anything about accounts, cards, loans or transfers, and I will do my "
    "best to help. For anything I cannot answer, our staff at the counter will be glad to help.",
};
#define BL_N_TALK (int)(sizeof bl_talk / sizeof bl_talk[0])

static void bl_put16(FILE *f, unsigned v)
{
    fputc((int)(v & 255), f);
    fputc((int)(v >> 8 & 255), f);
}

static void bl_put32(FILE *f, uint32_t v)
{
    bl_put16(f, v & 0xFFFF);
    bl_put16(f, v >> 16);
}

static int bl_write_wav(const char *path, const float *x, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    fwrite("RIFF", 1, 4, f);
    bl_put32(f, (uint32_t)(36 + n * 2));
    fwrite("WAVEfmt ", 1, 8, f);
    bl_put32(f, 16);
    bl_put16(f, 1);
    bl_put16(f, 1);
    bl_put32(f, BL_RATE);
    bl_put32(f, BL_RATE * 2);
    bl_put16(f, 2);
    bl_put16(f, 16);
    fwrite("data", 1, 4, f);
    bl_put32(f, (uint32_t)(n * 2));
    for (size_t i = 0; i < n; i++) {
        float v = x[i] > 1 ? 1 : x[i] < -1 ? -1 : x[i];
        bl_put16(f, (unsigned)(uint16_t)(int16_t)(v * 32767));
    }
    return fclose(f) == 0 ? 0 : -1;
}

/* Speaks each question with `shuzi tts` and lays them out gap_s apart
 * (after a first second of silence), with 6 s of silence at the end. */
static int bl_make_questions(const char *shuzi, const char *dir, int nq, double gap_s,
                             const char *wav)
{
    size_t cap = (size_t)BL_RATE * 600, n = BL_RATE; /* 1 s of silence first */
    float *all = calloc(cap, sizeof *all);
    if (!all)
        return -1;
    for (int i = 0; i < nq; i++) {
        char path[PATH_MAX], cmd[PATH_MAX * 2 + 300], err[600];
        snprintf(path, sizeof path, "%s/q%d.wav", dir, i);
        snprintf(cmd, sizeof cmd, "'%s' tts '%s' -o '%s' -q", shuzi,
                 bl_questions[i % BL_N_QUESTIONS], path);
        if (system(cmd) != 0) {
            fprintf(stderr, "bench_listen: '%s' failed\n", cmd);
            free(all);
            return -1;
        }
        ls_audio a;
        if (lipsync_audio_load(path, BL_RATE, &a, err, sizeof err) != SZ_OK) {
            fprintf(stderr, "bench_listen: %s\n", err);
            free(all);
            return -1;
        }
        size_t gap = i ? (size_t)(gap_s * BL_RATE) : 0;
        if (n + gap + a.n + 6 * BL_RATE > cap) {
            lipsync_audio_free(&a);
            break;
        }
        n += gap;
        memcpy(all + n, a.pcm, a.n * sizeof *all);
        n += a.n;
        lipsync_audio_free(&a);
    }
    n += 6 * BL_RATE;
    int rc = bl_write_wav(wav, all, n);
    free(all);
    return rc;
}

/* A silent recording of secs seconds. */
static int bl_make_silence(const char *wav, double secs)
{
    size_t n = (size_t)(secs * BL_RATE);
    float *z = calloc(n ? n : 1, sizeof *z);
    if (!z)
        return -1;
    int rc = bl_write_wav(wav, z, n);
    free(z);
    return rc;
}

static void bl_print(metrics *m, mt_hist h, const char *what)
{
    double med = 0, lo = 0, hi = 0;
    int64_t n = metrics_quantile(m, h, 0.5, &med);
    metrics_quantile(m, h, 0.0, &lo);
    metrics_quantile(m, h, 1.0, &hi);
    if (n == 0)
        printf("  %-46s (none)\n", what);
    else
        printf("  %-46s median %6.1f ms  (min %.1f, max %.1f, n=%lld)\n", what, med * 1000,
               lo * 1000, hi * 1000, (long long)n);
}

int main(int argc, char **argv)
{
    int nq = 8;
    double gap = 4.0, echo = 0.5, self_talk = 0;
    char shuzi[PATH_MAX];
    char self[PATH_MAX];
    snprintf(self, sizeof self, "%s", argv[0]);
    snprintf(shuzi, sizeof shuzi, "%s/shuzi", dirname(self));
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--questions") == 0 && i + 1 < argc)
            nq = atoi(argv[++i]);
        else if (strcmp(argv[i], "--gap") == 0 && i + 1 < argc)
            gap = atof(argv[++i]);
        else if (strcmp(argv[i], "--echo") == 0 && i + 1 < argc)
            echo = atof(argv[++i]);
        else if (strcmp(argv[i], "--self-talk") == 0 && i + 1 < argc)
            self_talk = atof(argv[++i]);
        else if (strcmp(argv[i], "--shuzi") == 0 && i + 1 < argc)
            snprintf(shuzi, sizeof shuzi, "%s", argv[++i]);
        else {
            fprintf(stderr,
                    "usage: bench_listen [--questions N] [--gap S] [--echo GAIN] [--self-talk S] "
                    "[--shuzi PATH]\n");
            return 2;
        }
    }
    if (nq < 1 || nq > 100 || !(gap >= 0.5 && gap <= 60) || !(echo >= 0 && echo <= 4) ||
        !(self_talk >= 0 && self_talk <= 7200)) {
        fprintf(stderr, "bench_listen: questions 1 to 100, gap 0.5 to 60 s, echo 0 to 4, "
                        "self-talk 0 to 7200 s\n");
        return 2;
    }
    char dir[] = "/tmp/shuzi-bench-listen-XXXXXX", wav[PATH_MAX], spec[PATH_MAX + 8];
    if (!mkdtemp(dir))
        return 1;
    snprintf(wav, sizeof wav, "%s/questions.wav", dir);
    if (self_talk > 0 ? bl_make_silence(wav, self_talk + 10) != 0
                      : bl_make_questions(shuzi, dir, nq, gap, wav) != 0)
        return 1;
    snprintf(spec, sizeof spec, "file:%s", wav);

    char err[1200], faq_path[PATH_MAX];
    snprintf(faq_path, sizeof faq_path, "%s/demos/faq.txt", SHUZI_SOURCE_DIR);
    llm_backend *faq = NULL;
    host *h = NULL;
    sz_engine *e = NULL;
    sz_session *s = NULL;
    listening *lsn = NULL;
    sz_mode_config mc;
    config_modes_defaults(&mc);
    int rc = 1;
    if (llm_faq_load(faq_path, &faq, err, sizeof err) != SZ_OK) {
        fprintf(stderr, "bench_listen: %s\n", err);
        goto done;
    }
    host_params hp = host_default_params();
    hp.llm = faq;
    if (host_create(&hp, &h, err, sizeof err) != SZ_OK ||
        sz_engine_create(sz_engine_default_params(), &e) != SZ_OK) {
        fprintf(stderr, "bench_listen: %s\n", err);
        goto done;
    }
    listening_params lp = listening_default_params();
    lp.mc = &mc;
    lp.mic = spec;
    lp.sim_echo_gain = echo;
    lp.sim_echo_delay_ms = 30;
    if (listening_create(&lp, h, &lsn, err, sizeof err) != SZ_OK) {
        fprintf(stderr, "bench_listen: %s\n", err);
        goto done;
    }
    sz_session_params sp = sz_session_default_params();
    sp.pacing = SZ_PACING_LIVE;
    host_attach(h, &sp);
    listening_attach(lsn, &sp);
    if (sz_session_create(e, sp, &s) != SZ_OK) {
        fprintf(stderr, "bench_listen: %s\n", sz_engine_last_error(e));
        goto done;
    }
    uint64_t cursor = ev_hub_head(host_events(h));
    if (sz_session_add_output(s, "speaker:null", NULL) != SZ_OK || sz_session_start(s) != SZ_OK ||
        host_start(h, s) != SZ_OK || listening_start(lsn, err, sizeof err) != SZ_OK) {
        fprintf(stderr, "bench_listen: %s %s\n", sz_session_last_error(s), err);
        goto done;
    }
    if (self_talk > 0) { /* the avatar talks on, nobody else */
        int64_t end = clock_now_us() + (int64_t)(self_talk * 1e6);
        for (int k = 0; clock_now_us() < end; k++) {
            if (host_say(h, bl_talk[k % BL_N_TALK], 0, 0) < 0) {
                fprintf(stderr, "bench_listen: the session refused to speak\n");
                goto done;
            }
            while (!host_wait_idle(h, 200000) && clock_now_us() < end)
                ;
        }
        sz_session_stats st;
        sz_session_get_stats(s, &st);
        char block[1 << 16];
        int starts = 0, barge = 0, finals = 0;
        long n;
        while ((n = ev_hub_read(host_events(h), &cursor, block, sizeof block, 0)) > 0) {
            starts += strstr(block, "\"state\": \"listening\"") != NULL;
            barge += strstr(block, "\"state\": \"barge_in\"") != NULL;
            if (strncmp(block, "event: heard", 12) == 0 && strstr(block, "\"final\": true")) {
                finals++;
                const char *d = strstr(block, "data: ");
                printf("  heard (false): %.*s\n", d ? (int)strcspn(d + 6, "\n") : 0,
                       d ? d + 6 : "");
            }
        }
        double said = st.sample_rate_hz ? (double)st.samples_out / st.sample_rate_hz : 0;
        printf("bench_listen self-talk: %.0f s of session (%.0f s asked) with our voice reading "
               "%d paragraphs in turn, fed back into a silent microphone through a simulated "
               "room (gain %.2f, 30 ms + reflections)\n",
               said, self_talk, BL_N_TALK, echo);
        printf("  false starts %d, false barge-ins %d, texts heard %d (bar: 0)\n", starts, barge,
               finals);
        rc = 0;
        goto done;
    }
    /* run until the recording has been heard and everything answered */
    int64_t t0 = clock_now_us();
    while (clock_now_us() - t0 < (int64_t)600e6) {
        clock_sleep_until_us(clock_now_us() + 200000);
        if (!listening_busy(lsn) && host_wait_idle(h, 0))
            break;
    }
    metrics *m = host_metrics(h);
    printf("bench_listen: %d questions spoken by our voice %.1f s apart into a file microphone; "
           "answers from the scripted FAQ with our voice on a null speaker, fed back into the "
           "microphone through a simulated room (gain %.2f, 30 ms + reflections); offline "
           "recognizer; endpoint after %d ms without voice\n",
           nq, gap, echo, mc.listen_hangover_ms);
    bl_print(m, MT_HEARD_FIRST_AUDIO, "question endpoint -> first answer audio");
    bl_print(m, MT_ASR_LATENCY, "  of which endpoint -> recognized text");
    bl_print(m, MT_BARGE_IN, "barge-in: detected onset -> interrupt call");
    bl_print(m, MT_INTERRUPT, "  interrupt call -> audio faded (session clock)");
    /* the texts heard and the barge-ins, from the events */
    char block[1 << 16];
    int finals = 0, barge = 0;
    long n;
    while ((n = ev_hub_read(host_events(h), &cursor, block, sizeof block, 0)) > 0) {
        if (strstr(block, "\"state\": \"barge_in\""))
            barge++;
        if (strncmp(block, "event: heard", 12) == 0 && strstr(block, "\"final\": true")) {
            finals++;
            const char *d = strstr(block, "data: ");
            printf("  heard: %.*s\n", d ? (int)strcspn(d + 6, "\n") : 0, d ? d + 6 : "");
        }
    }
    printf("  utterances heard %d of %d questions; barge-ins %d (questions that cut in: up to %d;"
           " more would be the avatar hearing itself)\n",
           finals, nq, barge, nq - 1);
    rc = 0;
done:
    listening_free(&lsn);
    if (h)
        host_stop(h);
    if (s) {
        sz_session_interrupt(s);
        sz_session_finish(s);
    }
    sz_session_free(&s);
    host_free(&h);
    sz_engine_free(&e);
    llm_backend_free(&faq);
    config_modes_free(&mc);
    char cmd[PATH_MAX + 20];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "bench_listen: could not remove %s\n", dir);
    return rc;
}
