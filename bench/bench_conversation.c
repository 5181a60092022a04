/* SPDX-License-Identifier: Apache-2.0 */
/* bench_conversation.c: the conversation bars. (1) Latency from the first
 * LLM token to the first audio sample of the answer leaving the engine, on a
 * live session answering through a local fake OpenAI server (50 tokens/s),
 * median of N; (2) interrupt latency: the call to the end of the fade on the
 * session clock, and the call to the LLM request having stopped; (3) render
 * speed of a 60-second script with `shuzi render` as a multiple of real time.
 * Usage: bench_conversation [latency|render|all] [--runs N] [--video] */
#include <libavformat/avformat.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/clock.h"
#include "engine/host.h"
#include "engine/metrics.h"
#include "shuzi.h"
#include "tests/fake_openai.h"

static const char *const bench_tokens[] = {
    "Of",       " course",  "!",       " To",      " open",    " a",        " savings",
    " account", ",",        " please", " bring",   " your",    " identity", " card",
    " and",     " a",       " proof",  " of",      " address", ".",         " It",
    " takes",   " about",   " twenty", " minutes", ",",        " and",      " your",
    " card",    " arrives", " within", " a",       " week",    ".",         NULL};

static double bench_now(void)
{
    return clock_now_us() / 1e6;
}

static int bench_latency(int runs, int video)
{
    fake_llm f;
    if (fake_start(&f) != 0) {
        fprintf(stderr, "bench_conversation: cannot start the fake LLM server\n");
        return 1;
    }
    f.tokens = bench_tokens;
    f.token_delay_ms = 20; /* 50 tokens per second */
    char url[128], err[1024], dir[] = "/tmp/shuzi-bench-conv-XXXXXX";
    fake_url(&f, url, sizeof url);
    if (!mkdtemp(dir))
        return 1;
    llm_openai_params lp = llm_openai_default_params();
    lp.base_url = url;
    lp.model = "fake";
    llm_backend *llm = NULL;
    host *h = NULL;
    sz_engine *e = NULL;
    sz_session *s = NULL;
    int rc = 1;
    if (llm_openai_create(&lp, &llm, err, sizeof err) != SZ_OK) {
        fprintf(stderr, "bench_conversation: %s\n", err);
        goto done;
    }
    host_params hp = host_default_params();
    hp.llm = llm;
    hp.persona = "You are a bank assistant.";
    if (host_create(&hp, &h, err, sizeof err) != SZ_OK ||
        sz_engine_create(sz_engine_default_params(), &e) != SZ_OK) {
        fprintf(stderr, "bench_conversation: %s\n", err);
        goto done;
    }
    sz_session_params sp = sz_session_default_params();
    sp.pacing = SZ_PACING_LIVE;
    host_attach(h, &sp);
    if (sz_session_create(e, sp, &s) != SZ_OK) {
        fprintf(stderr, "bench_conversation: %s\n", sz_engine_last_error(e));
        goto done;
    }
    char out[128];
    snprintf(out, sizeof out, "%s/live.%s", dir, video ? "mkv" : "wav");
    if (sz_session_add_output(s, out, NULL) != SZ_OK || sz_session_start(s) != SZ_OK ||
        host_start(h, s) != SZ_OK) {
        fprintf(stderr, "bench_conversation: %s\n", sz_session_last_error(s));
        goto done;
    }
    metrics *m = host_metrics(h);
    unsigned seed = 12345;
    for (int i = 0; i < runs; i++) {
        char q[64];
        snprintf(q, sizeof q, "How do I open an account? (%d)", i);
        int64_t before = metrics_quantile(m, MT_FIRST_AUDIO, 0.5, NULL);
        if (host_chat(h, q, 0, err, sizeof err) < 0) {
            fprintf(stderr, "bench_conversation: %s\n", err);
            goto done;
        }
        double t0 = bench_now();
        while (metrics_quantile(m, MT_FIRST_AUDIO, 0.5, NULL) == before && bench_now() - t0 < 10)
            clock_sleep_until_us(clock_now_us() + 2000);
        /* speak a little, then interrupt while the LLM still streams, at a
         * random point of the frame period */
        clock_sleep_until_us(clock_now_us() + 300000 + (int64_t)(rand_r(&seed) % 33333));
        host_interrupt(h);
        if (!host_wait_idle(h, 10000000)) {
            fprintf(stderr, "bench_conversation: run %d did not finish\n", i);
            goto done;
        }
        clock_sleep_until_us(clock_now_us() + 200000);
    }
    double fa50, fa_min, fa_max, int50, int_max, can50, can_max, tok50, cl50, cl_max;
    int64_t nfa = metrics_quantile(m, MT_FIRST_AUDIO, 0.5, &fa50);
    metrics_quantile(m, MT_FIRST_AUDIO, 0.0, &fa_min);
    metrics_quantile(m, MT_FIRST_AUDIO, 1.0, &fa_max);
    int64_t nint = metrics_quantile(m, MT_INTERRUPT, 0.5, &int50);
    metrics_quantile(m, MT_INTERRUPT, 1.0, &int_max);
    int64_t ncan = metrics_quantile(m, MT_LLM_CANCEL, 0.5, &can50);
    metrics_quantile(m, MT_LLM_CANCEL, 1.0, &can_max);
    metrics_quantile(m, MT_LLM_FIRST_TOKEN, 0.5, &tok50);
    metrics_quantile(m, MT_CLAUSE_FIRST_AUDIO, 0.5, &cl50);
    metrics_quantile(m, MT_CLAUSE_FIRST_AUDIO, 1.0, &cl_max);
    sz_session_stats st;
    sz_session_get_stats(s, &st);
    printf("bench_conversation latency: %d answers on a live session (espeak voice, %s output), "
           "fake OpenAI server at 50 tokens/s\n",
           runs, video ? "1280x720 30 fps MKV" : "WAV");
    printf(
        "  first LLM token -> first audio sample   median %6.1f ms  (min %.1f, max %.1f, n=%lld)\n",
        fa50 * 1000, fa_min * 1000, fa_max * 1000, (long long)nfa);
    printf("    of which first clause -> first audio median %6.1f ms  (max %.1f; the rest is the "
           "LLM writing the clause)\n",
           cl50 * 1000, cl_max * 1000);
    printf("  interrupt -> audio faded out            median %6.1f ms  (max %.1f, n=%lld; session "
           "clock, includes the 20 ms fade)\n",
           int50 * 1000, int_max * 1000, (long long)nint);
    printf("  interrupt -> LLM request stopped        median %6.2f ms  (max %.2f, n=%lld)\n",
           can50 * 1000, can_max * 1000, (long long)ncan);
    printf("  (request -> first LLM token             median %6.1f ms; frames dropped %lld, "
           "underruns %lld)\n",
           tok50 * 1000, (long long)st.frames_dropped, (long long)st.underruns);
    rc = 0;
done:
    if (h)
        host_stop(h);
    if (s) {
        sz_session_interrupt(s);
        sz_session_finish(s);
    }
    sz_session_free(&s);
    host_free(&h);
    sz_engine_free(&e);
    llm_backend_free(&llm);
    fake_stop(&f);
    unlink(out);
    rmdir(dir);
    return rc;
}

/* ---- render speed ------------------------------------------------------ */

static const char *const bench_paragraphs[] = {
    "Welcome to this short guide. Today you will learn how a savings account works, what it "
    "costs, and how to open one in a few minutes.",
    "A savings account keeps your money safe and pays you interest. The interest is added every "
    "month, so your balance grows a little each time.",
    "There are no monthly fees. You can move money in and out at any time, from the app or at "
    "any branch.",
    "To open an account, bring your identity card and a proof of address. The whole process takes "
    "about twenty minutes.",
    "Your card arrives by post within a week. Until then, you can already use the mobile app to "
    "check your balance.",
    "That is all for today. Thank you for watching, and see you soon at your local branch.",
};

static double bench_duration(const char *path)
{
    AVFormatContext *fc = NULL;
    if (avformat_open_input(&fc, path, NULL, NULL) < 0)
        return -1;
    avformat_find_stream_info(fc, NULL);
    double d = fc->duration > 0 ? (double)fc->duration / AV_TIME_BASE : -1;
    avformat_close_input(&fc);
    return d;
}

static int bench_render(int runs)
{
    char bin[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", bin, sizeof bin - 16);
    if (n <= 0)
        return 1;
    bin[n] = 0;
    strcpy(strrchr(bin, '/') + 1, "shuzi");
    if (access(bin, X_OK) != 0) {
        fprintf(stderr, "bench_conversation: %s not found (build the shuzi target)\n", bin);
        return 1;
    }
    char dir[] = "/tmp/shuzi-bench-render-XXXXXX";
    if (!mkdtemp(dir))
        return 1;
    char script[256], mp4[256], srt[256];
    snprintf(script, sizeof script, "%s/script.txt", dir);
    snprintf(mp4, sizeof mp4, "%s/out.mp4", dir);
    snprintf(srt, sizeof srt, "%s/out.srt", dir);
    /* about 60 s: nine paragraphs with pauses and scene changes */
    FILE *f = fopen(script, "w");
    if (!f)
        return 1;
    static const char *const bg[] = {"#1e3a5f", "#24493a", "#3a2440"};
    for (int i = 0; i < 9; i++)
        fprintf(f, "[background %s]\n[expression %s]\n%s\n\n[pause 700ms]\n", bg[i % 3],
                i % 2 ? "happy" : "neutral", bench_paragraphs[i % 6]);
    fclose(f);
    double best_speed = 0, walls[16], dur = 0;
    runs = runs > 16 ? 16 : runs;
    for (int r = 0; r < runs; r++) {
        double t0 = bench_now();
        pid_t pid = fork();
        if (pid == 0) {
            execl(bin, bin, "render", script, "-o", mp4, "--subtitles", srt, "-q", (char *)NULL);
            _exit(127);
        }
        int status;
        if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) ||
            WEXITSTATUS(status) != 0) {
            fprintf(stderr, "bench_conversation: shuzi render failed\n");
            return 1;
        }
        walls[r] = bench_now() - t0;
        dur = bench_duration(mp4);
        if (dur / walls[r] > best_speed)
            best_speed = dur / walls[r];
    }
    /* median wall time */
    for (int i = 0; i < runs; i++)
        for (int j = i + 1; j < runs; j++)
            if (walls[j] < walls[i]) {
                double t = walls[i];
                walls[i] = walls[j];
                walls[j] = t;
            }
    double med = runs % 2 ? walls[runs / 2] : 0.5 * (walls[runs / 2 - 1] + walls[runs / 2]);
    printf("bench_conversation render: shuzi render of a %.1f s script (9 paragraphs, 9 pauses, "
           "scene changes, subtitles), 1280x720 30 fps MP4, %d run(s)\n",
           dur, runs);
    printf("  wall time median %.1f s  ->  %.2fx real time (best %.2fx)\n", med, dur / med,
           best_speed);
    unlink(script);
    unlink(mp4);
    unlink(srt);
    rmdir(dir);
    return 0;
}

int main(int argc, char **argv)
{
    const char *what = "all";
    int runs = -1, video = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--runs") == 0 && i + 1 < argc)
            runs = atoi(argv[++i]);
        else if (strcmp(argv[i], "--video") == 0)
            video = 1;
        else if (!strcmp(argv[i], "latency") || !strcmp(argv[i], "render") ||
                 !strcmp(argv[i], "all"))
            what = argv[i];
        else {
            fprintf(stderr,
                    "usage: bench_conversation [latency|render|all] [--runs N] [--video]\n");
            return 2;
        }
    }
    sz_set_log_level(SZ_LOG_ERROR);
    int rc = 0;
    if (strcmp(what, "render") != 0)
        rc |= bench_latency(runs > 0 ? runs : 20, video);
    if (strcmp(what, "latency") != 0)
        rc |= bench_render(runs > 0 && strcmp(what, "render") == 0 ? runs : 1);
    return rc;
}
