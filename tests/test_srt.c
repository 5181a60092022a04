/* SPDX-License-Identifier: Apache-2.0 */
/* test_srt.c: a live push over SRT to a local listener (srt-live-transmit
 * from srt-tools writing what it receives to a file, or else ffmpeg in
 * listener mode), read back with libavformat: MPEG-TS with H.264 + AAC, size,
 * frame rate, frames, A/V sync. Skips (77) when neither listener is installed
 * or this FFmpeg has no libsrt. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libavutil/log.h>

#include "check.h"
#include "core/clock.h"
#include "media_check.h"
#include "servers.h"
#include "shuzi.h"
#include "stream/output.h"

#define W 320
#define H 240
#define FPS 25
#define SR 22050

static uint8_t frame_buf[W * H * 4];
static float audio_buf[SR / FPS + 2];

/* 1 when something listens on UDP port (SRT has no TCP port to probe). */
static int udp_bound(int port)
{
    FILE *f = fopen("/proc/net/udp", "r");
    if (!f)
        return 0;
    char line[512];
    int found = 0;
    while (fgets(line, sizeof line, f)) {
        unsigned p;
        if (sscanf(line, " %*d: %*x:%x", &p) == 1 && (int)p == port)
            found = 1;
    }
    fclose(f);
    return found;
}

int main(void)
{
    av_log_set_level(AV_LOG_QUIET);
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (!avcodec_find_encoder_by_name("libx264")) {
        printf("SKIP: this FFmpeg has no libx264\n");
        return 77;
    }
    int has_srt = 0;
    void *it = NULL;
    const char *name;
    while ((name = avio_enum_protocols(&it, 1)))
        has_srt |= !strcmp(name, "srt");
    if (!has_srt) {
        printf("SKIP: this FFmpeg has no SRT protocol (libsrt)\n");
        return 77;
    }
    /* ffmpeg ends at the caller's hang-up and closes its file properly; the
     * SRT tools' listener is the fallback. */
    const char *slt = "/usr/bin/srt-live-transmit", *ffmpeg = "/usr/bin/ffmpeg";
    int use_slt = access(ffmpeg, X_OK) != 0;
    if (use_slt && access(slt, X_OK) != 0) {
        printf("SKIP: no SRT listener: install srt-tools or ffmpeg (./setup.sh does)\n");
        return 77;
    }
    char dir[128], out[256], log[256], src[128];
    if (srv_tempdir(dir, sizeof dir) != 0) {
        printf("FAIL: temp dir\n");
        return 1;
    }
    snprintf(out, sizeof out, "%s/received.ts", dir);
    snprintf(log, sizeof log, "%s/listener.log", dir);
    int port = srv_free_port();
    pid_t pid;
    if (use_slt) {
        snprintf(src, sizeof src, "srt://127.0.0.1:%d?mode=listener", port);
        /* srt-live-transmit writes to stdout: run it through a shell redirect */
        char cmd[700];
        snprintf(cmd, sizeof cmd, "exec %s -q '%s' file://con > %s", slt, src, out);
        char *argv[] = {(char *)"/bin/sh", (char *)"-c", cmd, NULL};
        pid = srv_spawn(argv, log);
    } else {
        snprintf(src, sizeof src, "srt://127.0.0.1:%d?mode=listener", port);
        char *argv[] = {(char *)ffmpeg,
                        (char *)"-nostdin",
                        (char *)"-loglevel",
                        (char *)"error",
                        (char *)"-i",
                        src,
                        (char *)"-c",
                        (char *)"copy",
                        (char *)"-f",
                        (char *)"mpegts",
                        out,
                        NULL};
        pid = srv_spawn(argv, log);
    }
    for (int i = 0; i < 200 && !udp_bound(port); i++)
        usleep(25000);
    CHECK(udp_bound(port), "the %s listener is up on UDP %d",
          use_slt ? "srt-live-transmit" : "ffmpeg", port);

    char url[128];
    snprintf(url, sizeof url, "srt://127.0.0.1:%d?streamid=talk", port);
    out_config c;
    memset(&c, 0, sizeof c);
    c.url = url;
    c.width = W;
    c.height = H;
    c.fps = FPS;
    c.sample_rate_hz = SR;
    c.live = 1;
    sz_output *o = NULL;
    char err[512] = "";
    int rc = output_open(&c, &o, err, sizeof err);
    CHECK(rc == SZ_OK, "open %s: %s", url, err);
    if (rc == SZ_OK) {
        int64_t t0 = clock_now_us();
        for (int64_t k = 0; k < 5 * FPS; k++) {
            clock_sleep_until_us(t0 + k * 1000000 / FPS);
            mc_frame(frame_buf, W, H, k, FPS);
            int n = mc_audio(audio_buf, k, SR, FPS);
            sz_video_frame f = {SZ_PIX_BGRA, W, H, W * 4, frame_buf, k};
            CHECK(output_write(o, k, &f, audio_buf, n) == SZ_OK, "write");
        }
        CHECK(output_finish(o, err, sizeof err) == SZ_OK, "finish: %s", err);
        sz_output_stats st;
        output_get_stats(o, &st);
        CHECK(st.frames_written == 5 * FPS && st.frames_dropped == 0,
              "srt: %lld written, %lld dropped", (long long)st.frames_written,
              (long long)st.frames_dropped);
        printf("ok   pushed 5 s to %s (%s)\n", st.url, use_slt ? "srt-live-transmit" : "ffmpeg");
        output_free(&o);
    }
    /* The caller hung up: ffmpeg ends by itself (srt-live-transmit is stopped). */
    for (int i = 0; i < 100 && !use_slt; i++) {
        int status;
        if (waitpid(pid, &status, WNOHANG) == pid) {
            pid = 0;
            break;
        }
        usleep(50000);
    }
    srv_stop_pid(&pid, 3);
    mc_probe p;
    if (mc_probe_url(out, "mpegts", NULL, 0, 0, NULL, &p, err, sizeof err) == 0) {
        double mean, worst;
        int pairs = mc_sync(&p, &mean, &worst);
        CHECK(p.vcodec == AV_CODEC_ID_H264 && p.acodec == AV_CODEC_ID_AAC, "srt: %s + %s",
              avcodec_get_name(p.vcodec), avcodec_get_name(p.acodec));
        CHECK(p.width == W && p.height == H && fabs(p.fps - FPS) < 0.5, "srt: %dx%d %.2f fps",
              p.width, p.height, p.fps);
        /* the listener starts writing once it has seen the stream's tables */
        CHECK(p.video_frames >= 5 * FPS - 10, "srt: %d frames received", p.video_frames);
        CHECK(pairs >= 3 && worst < 0.045, "srt: %d sync points, worst %.1f ms", pairs,
              worst * 1e3);
        printf("ok   srt read back: mpeg-ts h264 %dx%d %.2f fps + aac, %d frames, A/V worst "
               "%.1f ms\n",
               p.width, p.height, p.fps, p.video_frames, worst * 1e3);
    } else {
        CHECK(0, "read back: %s", err);
        FILE *f = fopen(log, "r");
        char line[512];
        while (f && fgets(line, sizeof line, f))
            printf("  listener: %s", line);
        if (f)
            fclose(f);
    }
    CHECK(srv_count_processes(dir) == 0, "the listener is gone");
    srv_rmtree(dir);
    return check_summary("test_srt");
}
