/* SPDX-License-Identifier: Apache-2.0 */
/* bench_soak.c: how a long run holds up, from outside the process as an
 * operator sees it.
 *   live     `shuzi live --config demos/live.json` (our voice, the products
 *            presented in turn) pushing 720p30 to Debian's nginx-rtmp on
 *            127.0.0.1 plus a local recording, for --minutes; a viewer
 *            comment every 20 s and an interrupt every 90 s through the
 *            control API. Prints frames written and dropped per output,
 *            reconnects, the recording's audio/video end offset, RSS at
 *            start, after warm-up and at the end with the slope per hour
 *            after warm-up (least squares over samples every 5 s), and CPU
 *            seconds per hour.
 *   offline  `shuzi render` of a script of --minutes of speech (faster than
 *            real time): wall time, the same RSS figures, and the output's
 *            audio/video end offset (drift over a long file).
 * Usage: bench_soak [live|offline|all] [--minutes M] [--shuzi PATH] */
#include <libavformat/avformat.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench/mem_track.h"
#include "bench/room_client.h"
#include "tests/servers.h"

#ifdef SHUZI_HAVE_CURL
#include <curl/curl.h>
#endif

#define SOAK_SAMPLE_S 5.0

static mem_track soak;

static int soak_av_ends(const char *path, double *audio_end, double *video_end)
{
    AVFormatContext *fc = NULL;
    if (avformat_open_input(&fc, path, NULL, NULL) < 0)
        return -1;
    if (avformat_find_stream_info(fc, NULL) < 0) {
        avformat_close_input(&fc);
        return -1;
    }
    *audio_end = *video_end = -1;
    AVPacket *pkt = av_packet_alloc();
    while (pkt && av_read_frame(fc, pkt) >= 0) {
        AVStream *st = fc->streams[pkt->stream_index];
        if (pkt->pts != AV_NOPTS_VALUE) {
            double end = (double)(pkt->pts + pkt->duration) * av_q2d(st->time_base);
            double *slot = st->codecpar->codec_type == AVMEDIA_TYPE_AUDIO   ? audio_end
                           : st->codecpar->codec_type == AVMEDIA_TYPE_VIDEO ? video_end
                                                                             : NULL;
            if (slot && end > *slot)
                *slot = end;
        }
        av_packet_unref(pkt);
    }
    av_packet_free(&pkt);
    avformat_close_input(&fc);
    return *audio_end >= 0 && *video_end >= 0 ? 0 : -1;
}

static int soak_live(const char *shuzi, const char *src, double minutes)
{
    char why[256], dir[PATH_MAX];
    if (!rtmp_server_available(why, sizeof why)) {
        printf("live: skipped: %s (./setup.sh installs nginx-light and libnginx-mod-rtmp)\n", why);
        return 0;
    }
    rtmp_server srv;
    if (rtmp_server_init(&srv, 0) != 0 || rtmp_server_start(&srv) != 0) {
        fprintf(stderr, "bench_soak: cannot start nginx (log %s)\n", srv.log);
        return 1;
    }
    if (srv_tempdir(dir, sizeof dir) != 0)
        return 1;
    char url[256], rec[PATH_MAX + 16], cfg[PATH_MAX], dur[32], log[PATH_MAX + 16];
    snprintf(url, sizeof url, "rtmp://127.0.0.1:%d/live/soak", srv.port);
    snprintf(rec, sizeof rec, "%s/rec.mkv", dir);
    snprintf(cfg, sizeof cfg, "%s/demos/live.json", src);
    snprintf(dur, sizeof dur, "%.0f", minutes * 60);
    snprintf(log, sizeof log, "%s/live.log", dir);
    char *argv[] = {(char *)shuzi, "live",   "--config",   cfg,    "--out", url, "--out", rec,
                    "--api-port",  "auto",   "--duration", dur,    NULL};
    pid_t pid = srv_spawn(argv, log);
    int port = pid > 0 ? room_api_port(log, pid) : -1;
    printf("live: shuzi live --config demos/live.json, 1280x720@30 to a local nginx-rtmp and "
           "%s, %.1f minutes; a comment every 20 s and an interrupt every 90 s through the API\n",
           "a recording (MKV)", minutes);
    if (port <= 0) {
        printf("  could not start: see %s\n", log);
        return 1;
    }
    double t0 = srv_now(), next = 0;
    int comments = 0, interrupts = 0, refused = 0;
    soak.n = 0;
    while (waitpid(pid, NULL, WNOHANG) == 0) {
        double t = srv_now() - t0;
        if (t >= next) {
            mem_track_sample(&soak, pid, port, t);
            next += SOAK_SAMPLE_S;
        }
#ifdef SHUZI_HAVE_CURL
        static const char *const users[] = {"ann", "bob", "chen", "dai", "eve"};
        static const char *const texts[] = {"How much is the kettle?", "Is it in stock?",
                                            "这个多少钱？", "How fast is shipping?",
                                            "Does it come in red?"};
        if ((int)(t / 20) > comments) {
            char body[256];
            snprintf(body, sizeof body, "{\"user\": \"%s%d\", \"text\": \"%s\"}",
                     users[comments % 5], comments, texts[comments % 5]);
            long st = room_request(port, "/v1/comments", body, NULL, 0);
            refused += st != 202;
            comments++;
        }
        if ((int)(t / 90) > interrupts) {
            refused += room_request(port, "/v1/interrupt", "{}", NULL, 0) != 200;
            interrupts++;
        }
#endif
        usleep(250000);
    }
    printf("  %d comments and %d interrupts sent (%d not accepted)\n", comments, interrupts,
           refused);
    room_print_summary(log);
    mem_track_print(&soak, 60);
    double a, v;
    if (soak_av_ends(rec, &a, &v) == 0)
        printf("  recording: audio ends at %.3f s, video at %.3f s: offset %+.1f ms\n", a, v,
               (a - v) * 1000);
    else
        printf("  recording: unreadable (%s)\n", rec);
    rtmp_server_cleanup(&srv);
    srv_rmtree(dir);
    return 0;
}

static int soak_offline(const char *shuzi, double minutes)
{
    char dir[PATH_MAX];
    if (srv_tempdir(dir, sizeof dir) != 0)
        return 1;
    char script[PATH_MAX + 16], out[PATH_MAX + 16], log[PATH_MAX + 16];
    snprintf(script, sizeof script, "%s/long.txt", dir);
    snprintf(out, sizeof out, "%s/long.mp4", dir);
    snprintf(log, sizeof log, "%s/render.log", dir);
    FILE *f = fopen(script, "w");
    if (!f)
        return 1;
    /* about 11 s of speech a paragraph (measured: 22 gave 239 s) */
    int paragraphs = (int)(minutes * 60 / 11) + 1;
    for (int i = 0; i < paragraphs; i++)
        fprintf(f,
                "Part %d. Our savings account pays two point five percent a year, with no "
                "monthly fee. You can open it in the app in ten minutes, or at any branch.\n\n"
                "%s",
                i + 1, i % 10 == 9 ? "[pause 1s]\n\n" : "");
    fclose(f);
    char *argv[] = {(char *)shuzi, "render", script, "-o", out, "-q", NULL};
    double t0 = srv_now();
    pid_t pid = srv_spawn(argv, log);
    soak.n = 0;
    double next = 0;
    while (pid > 0 && waitpid(pid, NULL, WNOHANG) == 0) {
        double t = srv_now() - t0;
        if (t >= next) {
            mem_track_sample(&soak, pid, 0, t);
            next += SOAK_SAMPLE_S;
        }
        usleep(100000);
    }
    double wall = srv_now() - t0, a = 0, v = 0;
    int ok = soak_av_ends(out, &a, &v) == 0;
    printf("offline: shuzi render of %d paragraphs (about %.0f minutes of speech) to 720p30 "
           "MP4\n",
           paragraphs, minutes);
    if (!ok) {
        printf("  no readable output (log %s)\n", log);
        return 1;
    }
    printf("  %.1f s of video in %.1f s: %.2fx real time\n", v, wall, v / wall);
    mem_track_print(&soak, 30);
    printf("  output: audio ends at %.3f s, video at %.3f s: offset %+.1f ms\n", a, v,
           (a - v) * 1000);
    srv_rmtree(dir);
    return 0;
}

int main(int argc, char **argv)
{
    const char *what = "all";
    double minutes = 10;
    char shuzi[PATH_MAX], self[PATH_MAX];
    snprintf(self, sizeof self, "%s", argv[0]);
    snprintf(shuzi, sizeof shuzi, "%s/shuzi", dirname(self));
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--minutes") == 0 && i + 1 < argc)
            minutes = atof(argv[++i]);
        else if (strcmp(argv[i], "--shuzi") == 0 && i + 1 < argc)
            snprintf(shuzi, sizeof shuzi, "%s", argv[++i]);
        else if (strcmp(argv[i], "live") == 0 || strcmp(argv[i], "offline") == 0 ||
                 strcmp(argv[i], "all") == 0)
            what = argv[i];
        else {
            fprintf(stderr, "usage: bench_soak [live|offline|all] [--minutes M] [--shuzi PATH]\n");
            return 2;
        }
    }
    if (!(minutes >= 0.5 && minutes <= 24 * 60)) {
        fprintf(stderr, "bench_soak: --minutes 0.5 to 1440\n");
        return 2;
    }
    const char *src = getenv("SHUZI_SOURCE_DIR");
    if (!src)
        src = SHUZI_SOURCE_DIR;
    int rc = 0;
    if (strcmp(what, "offline") != 0)
        rc |= soak_live(shuzi, src, minutes);
    if (strcmp(what, "live") != 0)
        rc |= soak_offline(shuzi, minutes);
    return rc;
}
