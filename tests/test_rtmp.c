/* SPDX-License-Identifier: Apache-2.0 */
/* test_rtmp.c: live pushes to a real server: Debian's nginx with the RTMP
 * module, started on 127.0.0.1 on a free port. Pushes, reads back with
 * libavformat (from the server while live, and from its recording): codec,
 * size, frame rate, A/V sync; stops the server for a few seconds and starts it
 * again: the push resumes by itself (reconnect counter, frames after the
 * restart), without stopping the session or its other output; RTMPS through a
 * TLS proxy when nginx's stream module is there. Checks that no server is left
 * running. Skips (77) when nginx or its RTMP module is missing. */
#include <pthread.h>
#include <stdatomic.h>
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
#define SYNC_TOLERANCE_S 0.045 /* one frame (40 ms) plus rounding */

static uint8_t frame_buf[W * H * 4];
static float audio_buf[SR / FPS + 2];

static out_config cfg_of(const char *url, const char *options)
{
    out_config c;
    memset(&c, 0, sizeof c);
    c.url = url;
    c.options = options;
    c.width = W;
    c.height = H;
    c.fps = FPS;
    c.sample_rate_hz = SR;
    c.live = 1;
    return c;
}

/* Writes frames in real time (frame k due at t0 + k/FPS) until frame `until`. */
static void push_until(sz_output *o, int64_t *k, int64_t until, int64_t t0)
{
    for (; *k < until; (*k)++) {
        clock_sleep_until_us(t0 + *k * 1000000 / FPS);
        mc_frame(frame_buf, W, H, *k, FPS);
        int n = mc_audio(audio_buf, *k, SR, FPS);
        sz_video_frame f = {SZ_PIX_BGRA, W, H, W * 4, frame_buf, *k};
        CHECK(output_write(o, *k, &f, audio_buf, n) == SZ_OK, "write %lld", (long long)*k);
    }
}

static void check_recording(const char *path, int min_frames, int min_flashes, const char *what)
{
    mc_probe p;
    char err[512];
    if (mc_probe_url(path, NULL, NULL, 0, 0, NULL, &p, err, sizeof err) != 0) {
        CHECK(0, "%s: %s", what, err);
        return;
    }
    double mean = 0, worst = 0;
    int pairs = mc_sync(&p, &mean, &worst);
    CHECK(p.vcodec == AV_CODEC_ID_H264 && p.acodec == AV_CODEC_ID_AAC, "%s: codecs %s + %s", what,
          avcodec_get_name(p.vcodec), avcodec_get_name(p.acodec));
    CHECK(p.width == W && p.height == H, "%s: %dx%d", what, p.width, p.height);
    CHECK(fabs(p.fps - FPS) < 0.5, "%s: %.2f fps", what, p.fps);
    CHECK(p.audio_rate == 48000, "%s: audio at %d Hz", what, p.audio_rate);
    CHECK(p.video_frames >= min_frames, "%s: %d frames, at least %d expected", what, p.video_frames,
          min_frames);
    CHECK(pairs >= min_flashes, "%s: %d flash/beep pairs (flashes %d, beeps %d), %d expected", what,
          pairs, p.n_flashes, p.n_beeps, min_flashes);
    CHECK(worst <= SYNC_TOLERANCE_S, "%s: A/V offset up to %.1f ms (mean %.1f ms)", what,
          worst * 1e3, mean * 1e3);
    printf("ok   %s: h264 %dx%d %.2f fps + aac %d Hz, %d frames, %.2f s of audio, "
           "%d sync points: mean %+.1f ms, worst %.1f ms\n",
           what, p.width, p.height, p.fps, p.audio_rate, p.video_frames,
           (double)p.audio_samples / p.audio_rate, pairs, mean * 1e3, worst * 1e3);
}

/* ---- a viewer reading the stream from the server ------------------------- */

typedef struct viewer {
    char url[256];
    pthread_t th;
    mc_probe p;
    int rc;
    char err[512];
} viewer;

static void *viewer_main(void *arg)
{
    viewer *v = arg;
    AVDictionary *o = NULL;
    av_dict_set(&o, "rw_timeout", "8000000", 0);
    v->rc = mc_probe_url(v->url, NULL, &o, 20, 100, NULL, &v->p, v->err, sizeof v->err);
    av_dict_free(&o);
    return NULL;
}

static void test_push(rtmp_server *srv)
{
    char url[256];
    snprintf(url, sizeof url, "rtmp://127.0.0.1:%d/live/sync", srv->port);
    viewer v;
    memset(&v, 0, sizeof v);
    snprintf(v.url, sizeof v.url, "%s", url);
    pthread_create(&v.th, NULL, viewer_main, &v); /* waits for the publisher */

    out_config c = cfg_of(url, NULL);
    sz_output *o = NULL;
    char err[512] = "";
    int rc = output_open(&c, &o, err, sizeof err);
    CHECK(rc == SZ_OK, "open %s: %s", url, err);
    if (rc != SZ_OK) {
        pthread_join(v.th, NULL);
        return;
    }
    int64_t k = 0, t0 = clock_now_us();
    push_until(o, &k, 6 * FPS, t0);
    CHECK(output_finish(o, err, sizeof err) == SZ_OK, "finish: %s", err);
    sz_output_stats st;
    output_get_stats(o, &st);
    CHECK(st.frames_written == 6 * FPS && st.frames_dropped == 0 && st.reconnects == 0,
          "push: %lld written, %lld dropped, %lld reconnects", (long long)st.frames_written,
          (long long)st.frames_dropped, (long long)st.reconnects);
    output_free(&o);
    pthread_join(v.th, NULL);

    CHECK(v.rc == 0, "viewer: %s", v.err);
    if (v.rc == 0) {
        CHECK(v.p.vcodec == AV_CODEC_ID_H264 && v.p.width == W && v.p.height == H &&
                  v.p.acodec == AV_CODEC_ID_AAC,
              "viewer: %s %dx%d + %s", avcodec_get_name(v.p.vcodec), v.p.width, v.p.height,
              avcodec_get_name(v.p.acodec));
        CHECK(v.p.video_frames >= 50, "viewer decoded %d frames", v.p.video_frames);
        printf("ok   viewer read the live stream from the server: %d frames h264 %dx%d, "
               "%.2f s of aac\n",
               v.p.video_frames, v.p.width, v.p.height,
               v.p.audio_rate ? (double)v.p.audio_samples / v.p.audio_rate : 0.0);
    }
    char recs[8][256];
    int n = rtmp_server_recordings(srv, "sync", recs, 8);
    CHECK(n == 1, "one recording of the push, found %d", n);
    if (n >= 1)
        check_recording(recs[0], 6 * FPS - 5, 5, "rtmp push (server recording)");
}

static void test_reconnect(rtmp_server *srv)
{
    char url[256];
    snprintf(url, sizeof url, "rtmp://127.0.0.1:%d/live/rc", srv->port);
    out_config c = cfg_of(url, "reconnect_min_ms=100:reconnect_max_ms=800:timeout_ms=2000");
    sz_output *o = NULL;
    char err[512] = "";
    int rc = output_open(&c, &o, err, sizeof err);
    CHECK(rc == SZ_OK, "open %s: %s", url, err);
    if (rc != SZ_OK)
        return;
    int64_t k = 0, t0 = clock_now_us();
    push_until(o, &k, 2 * FPS, t0);
    rtmp_server_stop(srv);
    CHECK(!srv_port_open(srv->port), "the server is down");
    push_until(o, &k, 5 * FPS, t0); /* 3 s without a server */
    sz_output_stats st;
    output_get_stats(o, &st);
    CHECK(!st.connected && st.connect_failures >= 1, "while down: connected %d, %lld failures",
          st.connected, (long long)st.connect_failures);
    CHECK(rtmp_server_start(srv) == 0, "restart the server");
    int64_t up = clock_now_us();
    int64_t resumed_at = 0;
    /* Until it is back, then 4 s more (at most 10 s). */
    for (int64_t limit = k + 10 * FPS; k < limit;) {
        push_until(o, &k, k + 1, t0);
        output_get_stats(o, &st);
        if (!resumed_at && st.connected && st.connected_at_us >= up) {
            resumed_at = st.connected_at_us;
            limit = k + 4 * FPS;
        }
    }
    output_get_stats(o, &st);
    /* the error of the outage is over once it is back (issue 26: /v1/status) */
    CHECK(st.connected && st.error[0] == '\0', "connected again: %d, error still '%s'",
          st.connected, st.error);
    CHECK(output_finish(o, err, sizeof err) == SZ_OK, "finish: %s", err);
    output_get_stats(o, &st);
    CHECK(resumed_at > 0, "the push resumed by itself");
    CHECK(st.reconnects >= 1, "reconnects: %lld", (long long)st.reconnects);
    CHECK(st.frames_dropped >= 2 * FPS, "frames dropped while down: %lld",
          (long long)st.frames_dropped);
    CHECK(st.frames_written + st.frames_dropped == k, "written %lld + dropped %lld == %lld",
          (long long)st.frames_written, (long long)st.frames_dropped, (long long)k);
    printf("ok   server stopped 3 s: %lld failed attempts, %lld reconnect(s), %lld frames "
           "dropped, resumed %.2f s after the server was back\n",
           (long long)st.connect_failures, (long long)st.reconnects, (long long)st.frames_dropped,
           resumed_at ? (resumed_at - up) / 1e6 : -1.0);
    output_free(&o);
    char recs[8][256];
    int n = rtmp_server_recordings(srv, "rc", recs, 8);
    CHECK(n >= 2, "recordings before and after the restart: %d", n);
    if (n >= 2) {
        check_recording(recs[0], 2 * FPS - 10, 1, "before the restart");
        check_recording(recs[n - 1], 3 * FPS, 2, "after the restart");
    }
}

/* The C API in live pacing: an RTMP push and a local recording; the server
 * goes away and comes back; the session and the recording never notice. */
static void test_session(rtmp_server *srv, const char *tmpdir)
{
    sz_engine *e = NULL;
    if (sz_engine_create(sz_engine_default_params(), &e) != SZ_OK) {
        CHECK(0, "engine");
        return;
    }
    sz_session_params sp = sz_session_default_params();
    sp.width = W;
    sp.height = H;
    sp.fps = FPS;
    sp.pacing = SZ_PACING_LIVE;
    sz_session *s = NULL;
    if (sz_session_create(e, sp, &s) != SZ_OK) {
        CHECK(0, "session: %s", sz_engine_last_error(e));
        sz_engine_free(&e);
        return;
    }
    char url[256], mkv[512];
    snprintf(url, sizeof url, "rtmp://127.0.0.1:%d/live/sess", srv->port);
    snprintf(mkv, sizeof mkv, "%s/sess.mkv", tmpdir);
    CHECK(sz_session_add_output(s, url, "reconnect_min_ms=100:reconnect_max_ms=800") == SZ_OK,
          "add rtmp: %s", sz_session_last_error(s));
    CHECK(sz_session_add_output(s, mkv, NULL) == SZ_OK, "add mkv: %s", sz_session_last_error(s));
    CHECK(sz_session_start(s) == SZ_OK, "start: %s", sz_session_last_error(s));
    CHECK(sz_session_say(s, "Welcome to the live room. Today we look at three products.", 0) >= 0,
          "say");
    usleep(2500000);
    rtmp_server_stop(srv);
    usleep(2000000);
    CHECK(rtmp_server_start(srv) == 0, "restart");
    sz_output_stats st;
    for (int i = 0; i < 100; i++) {
        sz_session_get_output_stats(s, 0, &st);
        if (st.connected && st.reconnects >= 1)
            break;
        usleep(100000);
    }
    CHECK(sz_session_say(s, "We are back. Thank you for waiting.", 0) >= 0, "say again");
    usleep(3500000);
    int rc = sz_session_finish(s);
    CHECK(rc == SZ_OK, "finish: %s", sz_session_last_error(s));
    sz_session_stats ss;
    sz_session_get_stats(s, &ss);
    sz_output_stats push, rec;
    sz_session_get_output_stats(s, 0, &push);
    sz_session_get_output_stats(s, 1, &rec);
    CHECK(push.reconnects >= 1 && push.frames_dropped > 0, "push: %lld reconnects, %lld dropped",
          (long long)push.reconnects, (long long)push.frames_dropped);
    CHECK(rec.frames_dropped == 0 && rec.frames_written == ss.frames_out,
          "recording: %lld written of %lld, %lld dropped", (long long)rec.frames_written,
          (long long)ss.frames_out, (long long)rec.frames_dropped);
    CHECK(sz_session_get_output_stats(s, 2, &st) == SZ_ERR_INVALID_ARG, "no third output");
    printf("ok   live session: %lld frames; push reconnected %lld time(s), dropped %lld; "
           "recording took all %lld\n",
           (long long)ss.frames_out, (long long)push.reconnects, (long long)push.frames_dropped,
           (long long)rec.frames_written);
    sz_session_free(&s);
    sz_engine_free(&e);

    mc_probe p;
    char err[512];
    if (mc_probe_url(mkv, NULL, NULL, 0, 0, NULL, &p, err, sizeof err) == 0) {
        CHECK(p.video_frames == ss.frames_out, "mkv has %d of %lld frames", p.video_frames,
              (long long)ss.frames_out);
        CHECK(p.audio_rms > 0.01, "mkv has speech (RMS %.4f)", p.audio_rms);
    } else {
        CHECK(0, "%s", err);
    }
    char recs[8][256];
    int n = rtmp_server_recordings(srv, "sess", recs, 8);
    CHECK(n >= 2, "push recordings before and after the restart: %d", n);
    if (n >= 2 && mc_probe_url(recs[n - 1], NULL, NULL, 0, 0, NULL, &p, err, sizeof err) == 0) {
        CHECK(p.video_frames >= 2 * FPS && p.audio_rms > 0.005,
              "after the restart: %d frames, audio RMS %.4f", p.video_frames, p.audio_rms);
        printf("ok   after the restart the server got %d frames with speech (RMS %.3f)\n",
               p.video_frames, p.audio_rms);
    }
}

static void test_rtmps(rtmp_server *srv)
{
    char url[256];
    snprintf(url, sizeof url, "rtmps://127.0.0.1:%d/live/tls", srv->tls_port);
    out_config c = cfg_of(url, NULL);
    sz_output *o = NULL;
    char err[512] = "";
    int rc = output_open(&c, &o, err, sizeof err);
    CHECK(rc == SZ_OK, "open %s: %s", url, err);
    if (rc != SZ_OK)
        return;
    int64_t k = 0, t0 = clock_now_us();
    push_until(o, &k, 3 * FPS, t0);
    CHECK(output_finish(o, err, sizeof err) == SZ_OK, "finish: %s", err);
    output_free(&o);
    char recs[8][256];
    int n = rtmp_server_recordings(srv, "tls", recs, 8);
    CHECK(n == 1, "one recording over TLS, found %d", n);
    if (n == 1)
        check_recording(recs[0], 3 * FPS - 5, 2, "rtmps push");
}

static void test_refused(void)
{
    /* Offline, a push to a closed port fails with a clear message. */
    char url[128];
    snprintf(url, sizeof url, "rtmp://127.0.0.1:%d/live/x", srv_free_port());
    out_config c = cfg_of(url, NULL);
    c.live = 0;
    sz_output *o = NULL;
    char err[512] = "";
    CHECK(output_open(&c, &o, err, sizeof err) == SZ_OK, "open: %s", err);
    int rc = SZ_OK;
    for (int64_t k = 0; k < 100 && rc == SZ_OK; k++) {
        mc_frame(frame_buf, W, H, k, FPS);
        sz_video_frame f = {SZ_PIX_BGRA, W, H, W * 4, frame_buf, k};
        rc = output_write(o, k, &f, audio_buf, mc_audio(audio_buf, k, SR, FPS));
    }
    CHECK(rc == SZ_ERR_IO, "offline push to a closed port: %d", rc);
    CHECK(strstr(output_error(o), "cannot connect") && strstr(output_error(o), "/live/****"),
          "message: '%s'", output_error(o));
    printf("ok   refused: %s\n", output_error(o));
    output_free(&o);

    /* Bad URLs are refused before any connection. */
    static const char *const bad[] = {"rtmp://127.0.0.1/", "rtmp:///live/x", "srt://host"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        c = cfg_of(bad[i], NULL);
        CHECK(output_open(&c, &o, err, sizeof err) == SZ_ERR_INVALID_ARG && strchr(err, ':'),
              "%s: '%s'", bad[i], err);
    }
    c = cfg_of("rtmp://127.0.0.1/live/x", "audio_codec=opus");
    CHECK(output_open(&c, &o, err, sizeof err) == SZ_ERR_INVALID_ARG && strstr(err, "aac"),
          "opus in FLV: '%s'", err);
    printf("ok   bad URLs and codecs refused: %s\n", err);
}

int main(void)
{
    av_log_set_level(AV_LOG_QUIET);
    setvbuf(stdout, NULL, _IOLBF, 0);
    char why[256];
    if (!avcodec_find_encoder_by_name("libx264")) {
        printf("SKIP: this FFmpeg has no libx264\n");
        return 77;
    }
    test_refused();
    if (!rtmp_server_available(why, sizeof why)) {
        printf("SKIP: %s (./setup.sh installs nginx-light and libnginx-mod-rtmp)\n", why);
        return check_failures ? 1 : 77;
    }
    int tls = rtmp_server_tls_available();
    rtmp_server srv;
    if (rtmp_server_init(&srv, tls) != 0 || rtmp_server_start(&srv) != 0) {
        printf("FAIL: cannot start nginx (see %s)\n", srv.log);
        FILE *f = fopen(srv.log, "r");
        char line[512];
        while (f && fgets(line, sizeof line, f))
            printf("  %s", line);
        if (f)
            fclose(f);
        rtmp_server_cleanup(&srv);
        return 1;
    }
    printf("ok   nginx-rtmp on 127.0.0.1:%d%s (pid %d)\n", srv.port,
           srv.tls_port ? " with RTMPS" : "", (int)srv.pid);
    char tmpdir[256];
    snprintf(tmpdir, sizeof tmpdir, "%s/out", srv.dir);
    mkdir(tmpdir, 0755);

    test_push(&srv);
    test_reconnect(&srv);
    test_session(&srv, tmpdir);
    if (srv.tls_port)
        test_rtmps(&srv);
    else
        printf("SKIP rtmps: nginx's stream module or openssl missing (./setup.sh installs "
               "libnginx-mod-stream)\n");

    /* No server may outlive the test. */
    pid_t pid = srv.pid;
    int port = srv.port;
    char dir[128];
    snprintf(dir, sizeof dir, "%s", srv.dir);
    int left = rtmp_server_cleanup(&srv);
    CHECK(left == 0, "%d server processes still mention %s", left, dir);
    CHECK(pid <= 0 || (kill(pid, 0) != 0 && errno == ESRCH), "nginx pid %d still exists", (int)pid);
    CHECK(!srv_port_open(port), "port %d still accepts connections", port);
    CHECK(srv_count_processes(dir) == 0, "no process mentions the server folder");
    printf("ok   no server left running (port %d closed, folder removed)\n", port);

    return check_summary("test_rtmp");
}
