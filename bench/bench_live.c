/* SPDX-License-Identifier: Apache-2.0 */
/* bench_live.c: the live-push bars, against Debian's nginx-rtmp started on
 * 127.0.0.1 (as the tests do):
 *   cpu      CPU of a 720p30 live push (speech, lip-sync, rendering, encoding)
 *            as a fraction of one core over N s of content (getrusage of the
 *            process, and per pipeline thread);
 *   latency  from a say() call to its first audio sample read back from the
 *            server by a viewer (the first non-silent sample, when its packet
 *            arrived), median of N calls;
 *   resume   from the moment the server accepts connections again to the push
 *            being connected and to its first frames reaching the server,
 *            median of N outages of 3 s (default backoff, then a tighter one).
 * Usage: bench_live [cpu|latency|resume|all] [--seconds N] [--count N]
 *                   [--voice NAME]   (default: the engine's default voice) */
#include <dirent.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/log.h>

#include "core/clock.h"
#include "core/cpu/nn.h"
#include "shuzi.h"
#include "tests/servers.h"

#define BL_W 1280
#define BL_H 720
#define BL_FPS 30

static const char *const bl_lines[] = {
    "Welcome back to the live room. Today we have three products for you.",
    "This first one is a stainless steel kettle that boils a litre in three minutes.",
    "It keeps water warm for two hours and the handle never gets hot.",
    "Today's price is only twenty nine dollars, with free delivery.",
    "Please leave a comment if you have a question, and I will answer it.",
};

static int bl_cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double bl_median(double *v, int n)
{
    if (n == 0)
        return -1;
    qsort(v, (size_t)n, sizeof *v, bl_cmp);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

static double bl_cpu_s(int who)
{
    struct rusage ru;
    getrusage(who, &ru);
    return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec * 1e-6 + ru.ru_stime.tv_sec +
           ru.ru_stime.tv_usec * 1e-6;
}

/* CPU seconds of this process's threads whose name starts with prefix. */
static double bl_thread_cpu(const char *prefix)
{
    DIR *d = opendir("/proc/self/task");
    if (!d)
        return 0;
    double sum = 0;
    long tck = sysconf(_SC_CLK_TCK);
    struct dirent *e;
    char path[300], buf[1024];
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        snprintf(path, sizeof path, "/proc/self/task/%s/stat", e->d_name);
        FILE *f = fopen(path, "r");
        if (!f)
            continue;
        size_t n = fread(buf, 1, sizeof buf - 1, f);
        fclose(f);
        buf[n] = 0;
        char *open = strchr(buf, '('), *close = strrchr(buf, ')');
        if (!open || !close)
            continue;
        *close = 0;
        if (strncmp(open + 1, prefix, strlen(prefix)) != 0)
            continue;
        unsigned long ut = 0, st = 0;
        /* fields after ')': state ppid pgrp session tty tpgid flags minflt cminflt majflt
         * cmajflt utime stime */
        if (sscanf(close + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st) == 2)
            sum += (double)(ut + st) / (double)tck;
    }
    closedir(d);
    return sum;
}

/* Prints CPU seconds per thread name (threads still alive). */
static void bl_thread_dump(void)
{
    DIR *d = opendir("/proc/self/task");
    if (!d)
        return;
    long tck = sysconf(_SC_CLK_TCK);
    struct dirent *e;
    char path[300], buf[1024];
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        snprintf(path, sizeof path, "/proc/self/task/%s/stat", e->d_name);
        FILE *f = fopen(path, "r");
        if (!f)
            continue;
        size_t n = fread(buf, 1, sizeof buf - 1, f);
        fclose(f);
        buf[n] = 0;
        char *open = strchr(buf, '('), *close = strrchr(buf, ')');
        if (!open || !close)
            continue;
        *close = 0;
        unsigned long ut = 0, st = 0;
        if (sscanf(close + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st) ==
                2 &&
            ut + st > 0)
            printf("cpu:   thread %-16s %.1f s\n", open + 1, (double)(ut + st) / (double)tck);
    }
    closedir(d);
}

typedef struct bl_live {
    sz_engine *engine;
    sz_session *session;
    rtmp_server srv;
    char url[256];
} bl_live;

static const char *bl_voice; /* --voice, NULL = the default */

static int bl_start(bl_live *b, const char *options, int width, int height)
{
    memset(b, 0, sizeof *b);
    char why[256];
    if (!rtmp_server_available(why, sizeof why)) {
        fprintf(stderr,
                "bench_live: %s (./setup.sh installs nginx-light and "
                "libnginx-mod-rtmp)\n",
                why);
        return -1;
    }
    if (rtmp_server_init(&b->srv, 0) != 0 || rtmp_server_start(&b->srv) != 0) {
        fprintf(stderr, "bench_live: cannot start nginx (log %s)\n", b->srv.log);
        return -1;
    }
    snprintf(b->url, sizeof b->url, "rtmp://127.0.0.1:%d/live/bench", b->srv.port);
    if (sz_engine_create(sz_engine_default_params(), &b->engine) != SZ_OK)
        return -1;
    sz_session_params sp = sz_session_default_params();
    sp.width = width;
    sp.height = height;
    sp.fps = BL_FPS;
    sp.pacing = SZ_PACING_LIVE;
    sp.voice = bl_voice;
    if (sz_session_create(b->engine, sp, &b->session) != SZ_OK) {
        fprintf(stderr, "bench_live: %s\n", sz_engine_last_error(b->engine));
        return -1;
    }
    if (sz_session_add_output(b->session, b->url, options) != SZ_OK ||
        sz_session_start(b->session) != SZ_OK) {
        fprintf(stderr, "bench_live: %s\n", sz_session_last_error(b->session));
        return -1;
    }
    return 0;
}

static void bl_stop(bl_live *b)
{
    if (b->session) {
        sz_session_finish(b->session);
        sz_session_free(&b->session);
    }
    sz_engine_free(&b->engine);
    if (b->srv.dir[0])
        rtmp_server_cleanup(&b->srv);
}

/* Says the next line at most every ~7 s (next != NULL), or now. */
static void bl_say(sz_session *s, const char *text, size_t *next)
{
    static int64_t last_us;
    int64_t now = clock_now_us();
    /* A line every ~7 s: about 5 s of speech and 2 s of idle motion. */
    if (next && now - last_us < 7000000)
        return;
    last_us = now;
    sz_session_say(s, text, 0);
    if (next)
        (*next)++;
}

/* ---- cpu ------------------------------------------------------------------- */

static int bl_cpu(double seconds)
{
    bl_live b;
    if (bl_start(&b, NULL, BL_W, BL_H) != 0) {
        bl_stop(&b);
        return 1;
    }
    printf("cpu: pushing %dx%d@%d live to %s for %.0f s of content (speech with pauses), "
           "voice %s, OpenBLAS %s kernels\n",
           BL_W, BL_H, BL_FPS, "a local nginx-rtmp", seconds, bl_voice ? bl_voice : "(default)",
           nn_blas_kernels());
    double c0 = bl_cpu_s(RUSAGE_SELF);
    double t0 = srv_now();
    double th0[4] = {bl_thread_cpu("sz-avatar"), bl_thread_cpu("sz-out-"), bl_thread_cpu("sz-tts"),
                     bl_thread_cpu("sz-lipsync")};
    size_t next = 0;
    while (srv_now() - t0 < seconds) {
        bl_say(b.session, bl_lines[next % (sizeof bl_lines / sizeof bl_lines[0])], &next);
        usleep(200000);
    }
    double wall = srv_now() - t0;
    double cpu = bl_cpu_s(RUSAGE_SELF) - c0;
    double th[4] = {bl_thread_cpu("sz-avatar") - th0[0], bl_thread_cpu("sz-out-") - th0[1],
                    bl_thread_cpu("sz-tts") - th0[2], bl_thread_cpu("sz-lipsync") - th0[3]};
    sz_session_stats st;
    sz_session_get_stats(b.session, &st);
    sz_output_stats os;
    sz_session_get_output_stats(b.session, 0, &os);
    printf("cpu: %.1f s wall, %lld frames (%lld dropped by the clock, %lld by the push), "
           "%lld underruns\n",
           wall, (long long)st.frames_out, (long long)st.frames_dropped,
           (long long)os.frames_dropped, (long long)st.underruns);
    printf("cpu: process %.3f of one core (getrusage: %.1f s CPU in %.1f s)\n", cpu / wall, cpu,
           wall);
    printf("cpu: render + encode %.3f of one core (render %.3f, encode+mux %.3f); "
           "speech %.3f, lip-sync/scheduler %.3f\n",
           (th[0] + th[1]) / wall, th[0] / wall, th[1] / wall, th[2] / wall, th[3] / wall);
    if (getenv("BENCH_LIVE_THREADS"))
        bl_thread_dump();
    bl_stop(&b);
    return 0;
}

/* ---- latency ------------------------------------------------------------- */

typedef struct bl_viewer {
    char url[256];
    pthread_t th;
    atomic_int stop;
    atomic_int armed;        /* looking for the first voiced sample */
    atomic_llong voiced_at;  /* monotonic us when it arrived (0: not yet) */
    atomic_llong voiced_pts; /* its stream time, us */
    atomic_llong voiced_pkt; /* stream time of the packet that held it, us */
    atomic_llong min_skew;   /* min over packets of arrival - pts (us): the stream's origin */
    int ok;
} bl_viewer;

static int bl_viewer_interrupt(void *opaque)
{
    return atomic_load(&((bl_viewer *)opaque)->stop);
}

static void *bl_viewer_main(void *arg)
{
    bl_viewer *v = arg;
    AVFormatContext *fmt = avformat_alloc_context();
    fmt->interrupt_callback.callback = bl_viewer_interrupt;
    fmt->interrupt_callback.opaque = v;
    AVDictionary *o = NULL;
    av_dict_set(&o, "fflags", "nobuffer", 0);
    av_dict_set(&o, "rw_timeout", "10000000", 0);
    if (avformat_open_input(&fmt, v->url, NULL, &o) < 0) {
        av_dict_free(&o);
        return NULL;
    }
    av_dict_free(&o);
    fmt->probesize = 32768;
    avformat_find_stream_info(fmt, NULL);
    int ai = av_find_best_stream(fmt, AVMEDIA_TYPE_AUDIO, -1, -1, NULL, 0);
    if (ai < 0) {
        avformat_close_input(&fmt);
        return NULL;
    }
    const AVCodec *c = avcodec_find_decoder(fmt->streams[ai]->codecpar->codec_id);
    AVCodecContext *dec = avcodec_alloc_context3(c);
    avcodec_parameters_to_context(dec, fmt->streams[ai]->codecpar);
    avcodec_open2(dec, c, NULL);
    AVPacket *pkt = av_packet_alloc();
    AVFrame *fr = av_frame_alloc();
    AVRational tb = fmt->streams[ai]->time_base;
    v->ok = 1;
    while (!atomic_load(&v->stop) && av_read_frame(fmt, pkt) >= 0) {
        int64_t arrived = clock_now_us();
        if (pkt->stream_index == ai) {
            int64_t pts_us = av_rescale_q(pkt->pts, tb, (AVRational){1, 1000000});
            int64_t skew = arrived - pts_us;
            if (skew < atomic_load(&v->min_skew))
                atomic_store(&v->min_skew, skew);
            if (avcodec_send_packet(dec, pkt) == 0) {
                while (avcodec_receive_frame(dec, fr) == 0) {
                    const float *x = (const float *)fr->extended_data[0];
                    for (int i = 0; i < fr->nb_samples && atomic_load(&v->armed); i++) {
                        if (x[i] > 0.02f || x[i] < -0.02f) {
                            int64_t fpts = av_rescale_q(fr->pts, tb, (AVRational){1, 1000000});
                            atomic_store(&v->voiced_pts,
                                         fpts + (int64_t)i * 1000000 / fr->sample_rate);
                            atomic_store(&v->voiced_pkt, pts_us);
                            atomic_store(&v->voiced_at, arrived);
                            atomic_store(&v->armed, 0);
                        }
                    }
                    av_frame_unref(fr);
                }
            }
        }
        av_packet_unref(pkt);
    }
    av_frame_free(&fr);
    av_packet_free(&pkt);
    avcodec_free_context(&dec);
    avformat_close_input(&fmt);
    return NULL;
}

static int bl_latency(int count)
{
    bl_live b;
    if (bl_start(&b, NULL, BL_W, BL_H) != 0) {
        bl_stop(&b);
        return 1;
    }
    bl_viewer v;
    memset(&v, 0, sizeof v);
    snprintf(v.url, sizeof v.url, "%s", b.url);
    atomic_store(&v.min_skew, INT64_MAX);
    pthread_create(&v.th, NULL, bl_viewer_main, &v);
    usleep(4000000); /* the viewer is in, the stream idles (silence) */
    double arrive[64], sched[64], transport[64];
    int n = 0;
    for (int i = 0; i < count && i < 64; i++) {
        atomic_store(&v.voiced_at, 0);
        atomic_store(&v.armed, 1);
        int64_t t_say = clock_now_us();
        sz_session_say(b.session, "Hello and welcome.", 0);
        while (!atomic_load(&v.voiced_at) && clock_now_us() - t_say < 10000000)
            usleep(1000);
        int64_t at = atomic_load(&v.voiced_at);
        if (!at) {
            printf("latency: call %d: no voiced audio came back within 10 s\n", i + 1);
            continue;
        }
        /* The stream's origin on our clock: the packet that came fastest. */
        int64_t wall_of_pts = atomic_load(&v.voiced_pts) + atomic_load(&v.min_skew);
        arrive[n] = (at - t_say) / 1e3;
        sched[n] = (wall_of_pts - t_say) / 1e3;
        /* through encoder, server and viewer: the packet's own time */
        transport[n] = (at - atomic_load(&v.voiced_pkt) - atomic_load(&v.min_skew)) / 1e3;
        printf("latency: call %d: first voiced sample read back %.0f ms after say() "
               "(in the stream at +%.0f ms, then %.0f ms to the viewer)\n",
               i + 1, arrive[n], sched[n], transport[n]);
        n++;
        usleep(3000000); /* let it finish speaking and idle again */
    }
    printf("latency: median say() -> first audio at the viewer: %.0f ms over %d calls "
           "(say -> stream %.0f ms, stream -> viewer %.0f ms)\n",
           bl_median(arrive, n), n, bl_median(sched, n), bl_median(transport, n));
    atomic_store(&v.stop, 1);
    bl_stop(&b); /* the viewer's read ends when the server goes */
    pthread_join(v.th, NULL);
    return n > 0 ? 0 : 1;
}

/* ---- resume -------------------------------------------------------------- */

/* Bytes recorded by the server for the newest recording of "bench". */
static long bl_recorded(const rtmp_server *s, char *newest, size_t cap)
{
    char recs[64][256];
    int n = rtmp_server_recordings(s, "bench", recs, 64);
    if (n == 0)
        return 0;
    struct stat st;
    if (newest)
        snprintf(newest, cap, "%s", recs[n - 1]);
    return stat(recs[n - 1], &st) == 0 ? (long)st.st_size : 0;
}

static int bl_resume(int count, const char *options, const char *label)
{
    bl_live b;
    /* 640x360 keeps the machine free for the timing; resuming does not depend
     * on the size. */
    if (bl_start(&b, options, 640, 360) != 0) {
        bl_stop(&b);
        return 1;
    }
    double conn[64], data[64];
    int n = 0;
    usleep(2000000);
    for (int i = 0; i < count && i < 64; i++) {
        bl_say(b.session, bl_lines[i % 5], NULL);
        usleep(1000000);
        rtmp_server_stop(&b.srv);
        usleep(3000000);
        char before[256] = "";
        bl_recorded(&b.srv, before, sizeof before);
        if (rtmp_server_start(&b.srv) != 0) {
            printf("resume: cannot restart nginx\n");
            break;
        }
        int64_t up = clock_now_us();
        int64_t connected = 0, flowing = 0;
        while (clock_now_us() - up < 20000000 && !(connected && flowing)) {
            sz_output_stats st;
            sz_session_get_output_stats(b.session, 0, &st);
            if (!connected && st.connected && st.connected_at_us >= up)
                connected = st.connected_at_us;
            char now[256] = "";
            long size = bl_recorded(&b.srv, now, sizeof now);
            if (!flowing && strcmp(now, before) != 0 && size > 16384)
                flowing = clock_now_us();
            usleep(5000);
        }
        if (!connected || !flowing) {
            printf("resume: outage %d: not resumed within 20 s\n", i + 1);
            continue;
        }
        conn[n] = (connected - up) / 1e3;
        data[n] = (flowing - up) / 1e3;
        printf("resume (%s): outage %d: connected %.0f ms after the server was back, "
               "frames at the server after %.0f ms\n",
               label, i + 1, conn[n], data[n]);
        n++;
        usleep(1000000);
    }
    sz_output_stats st;
    sz_session_get_output_stats(b.session, 0, &st);
    printf("resume (%s): median %.0f ms to reconnect, %.0f ms to frames at the server, over %d "
           "outages of 3 s (%lld reconnects, %lld failed attempts, %lld frames dropped)\n",
           label, bl_median(conn, n), bl_median(data, n), n, (long long)st.reconnects,
           (long long)st.connect_failures, (long long)st.frames_dropped);
    bl_stop(&b);
    return n > 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
    nn_blas_restart(argv); /* the kernels shuzi runs with (see core/cpu/nn.h) */
    av_log_set_level(AV_LOG_QUIET);
    setvbuf(stdout, NULL, _IOLBF, 0);
    const char *what = "all";
    double seconds = 60;
    int count = 5;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--seconds") && i + 1 < argc)
            seconds = atof(argv[++i]);
        else if (!strcmp(argv[i], "--count") && i + 1 < argc)
            count = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--voice") && i + 1 < argc)
            bl_voice = argv[++i];
        else if (argv[i][0] != '-')
            what = argv[i];
        else {
            fprintf(stderr, "usage: bench_live [cpu|latency|resume|all] [--seconds N] "
                            "[--count N] [--voice NAME]\n");
            return 2;
        }
    }
    if (seconds < 5 || count < 1) {
        fprintf(stderr, "bench_live: --seconds at least 5, --count at least 1\n");
        return 2;
    }
    int rc = 0;
    if (!strcmp(what, "cpu") || !strcmp(what, "all"))
        rc |= bl_cpu(seconds);
    if (!strcmp(what, "latency") || !strcmp(what, "all"))
        rc |= bl_latency(count);
    if (!strcmp(what, "resume") || !strcmp(what, "all")) {
        rc |= bl_resume(count, NULL, "default backoff 250 ms to 2 s");
        rc |= bl_resume(count, "reconnect_max_ms=500", "backoff capped at 0.5 s");
    }
    return rc;
}
