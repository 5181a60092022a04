/* SPDX-License-Identifier: Apache-2.0 */
/* test_formats.c: the file formats beyond MP4/MKV and the encoder settings,
 * read back with libavformat: WebM (VP9 + Opus) opaque and with alpha
 * (decoded with libvpx: alpha plane and un-premultiplied colour), MOV (ProRes
 * 4444 with alpha + PCM), HLS, MPEG-TS, FLV, Opus in MKV/MP4; live settings
 * (a keyframe every 2 s, constant bit rate), x264 options passed through;
 * transparent frames refused by formats without alpha; and a live recording
 * whose process is killed (SIGKILL) still plays. Returns 0 on success. */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <libavutil/log.h>
#include <libavutil/pixdesc.h>

#include "check.h"
#include "core/clock.h"
#include "media_check.h"
#include "shuzi.h"
#include "stream/output.h"

#define W 320
#define H 240
#define FPS 25
#define SR 22050

static char tmpdir[256];

static uint8_t frame_buf[W * H * 4];
static float audio_buf[SR / FPS + 2];

static void path_in(char *buf, size_t n, const char *name)
{
    snprintf(buf, n, "%s/%s", tmpdir, name);
}

static out_config cfg_of(const char *url, const char *options, int live)
{
    out_config c;
    memset(&c, 0, sizeof c);
    c.url = url;
    c.options = options;
    c.width = W;
    c.height = H;
    c.fps = FPS;
    c.sample_rate_hz = SR;
    c.live = live;
    return c;
}

/* A transparent frame: left quarter clear, second quarter half-covered grey
 * (premultiplied 100 = straight 199), right half opaque grey 60. */
static void alpha_frame(uint8_t *p)
{
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) {
            uint8_t *q = p + 4 * ((size_t)y * W + (size_t)x);
            uint8_t c, a;
            if (x < W / 4) {
                c = 0;
                a = 0;
            } else if (x < W / 2) {
                c = 100;
                a = 128;
            } else {
                c = 60;
                a = 255;
            }
            q[0] = q[1] = q[2] = c;
            q[3] = a;
        }
}

/* Writes n frames (content from mc_frame, or alpha_frame) as fast as allowed. */
static int write_frames(sz_output *o, int n, int alpha)
{
    for (int64_t k = 0; k < n; k++) {
        if (alpha)
            alpha_frame(frame_buf);
        else
            mc_frame(frame_buf, W, H, k, FPS);
        int na = mc_audio(audio_buf, k, SR, FPS);
        sz_video_frame f = {SZ_PIX_BGRA, W, H, W * 4, frame_buf, k};
        int rc = output_write(o, k, &f, audio_buf, na);
        if (rc != SZ_OK)
            return rc;
    }
    return SZ_OK;
}

/* Opens, writes n frames, finishes. Returns the finish result. */
static int make(const char *name, const char *options, int live, int n, int alpha, char *path,
                size_t cap)
{
    path_in(path, cap, name);
    out_config c = cfg_of(path, options, live);
    sz_output *o = NULL;
    char err[512] = "";
    int rc = output_open(&c, &o, err, sizeof err);
    CHECK(rc == SZ_OK, "%s: open: %s", name, err);
    if (rc != SZ_OK)
        return rc;
    rc = write_frames(o, n, alpha);
    CHECK(rc == SZ_OK, "%s: write: %s", name, output_error(o));
    rc = output_finish(o, err, sizeof err);
    CHECK(rc == SZ_OK, "%s: finish: %s", name, err);
    sz_output_stats st;
    output_get_stats(o, &st);
    CHECK(st.frames_dropped == 0, "%s: %lld dropped", name, (long long)st.frames_dropped);
    output_free(&o);
    return rc;
}

static void check_basic(const char *path, const char *what, enum AVCodecID vc, enum AVCodecID ac,
                        int frames, const char *vdec)
{
    mc_probe p;
    char err[512];
    if (mc_probe_url(path, NULL, NULL, 0, 0, vdec, &p, err, sizeof err) != 0) {
        CHECK(0, "%s: %s", what, err);
        return;
    }
    double mean, worst;
    int pairs = mc_sync(&p, &mean, &worst);
    CHECK(p.vcodec == vc && p.acodec == ac, "%s: %s + %s", what, avcodec_get_name(p.vcodec),
          avcodec_get_name(p.acodec));
    CHECK(p.width == W && p.height == H && fabs(p.fps - FPS) < 0.5, "%s: %dx%d %.2f fps", what,
          p.width, p.height, p.fps);
    CHECK(p.video_frames == frames, "%s: %d frames, expected %d", what, p.video_frames, frames);
    CHECK(p.audio_rate == 48000, "%s: audio %d Hz", what, p.audio_rate);
    CHECK(fabs((double)p.audio_samples / 48000 - (double)frames / FPS) < 0.1,
          "%s: %.3f s of audio for %.3f s of video", what, (double)p.audio_samples / 48000,
          (double)frames / FPS);
    if (frames >= 2 * FPS)
        CHECK(pairs >= frames / FPS - 1 && worst < 0.045, "%s: %d sync points, worst %.1f ms", what,
              pairs, worst * 1e3);
    printf("ok   %-22s %s %dx%d %s + %s %d Hz, %d frames, A/V worst %.1f ms\n", what,
           av_get_pix_fmt_name(p.pix_fmt) ? av_get_pix_fmt_name(p.pix_fmt) : "?", p.width, p.height,
           avcodec_get_name(p.vcodec), avcodec_get_name(p.acodec), p.audio_rate, p.video_frames,
           worst * 1e3);
}

static void test_webm_mov(void)
{
    char path[512];
    if (!avcodec_find_encoder_by_name("libvpx-vp9") || !avcodec_find_encoder_by_name("libopus")) {
        printf("SKIP webm: this FFmpeg has no libvpx-vp9 or libopus\n");
    } else {
        make("talk.webm", NULL, 0, 3 * FPS, 0, path, sizeof path);
        check_basic(path, "webm (opaque)", AV_CODEC_ID_VP9, AV_CODEC_ID_OPUS, 3 * FPS, NULL);
        make("live.webm", "queue=128", 1, 3 * FPS, 0, path, sizeof path);
        check_basic(path, "webm (live)", AV_CODEC_ID_VP9, AV_CODEC_ID_OPUS, 3 * FPS, NULL);

        make("alpha.webm", NULL, 0, 10, 1, path, sizeof path);
        mc_probe p;
        char err[512];
        /* FFmpeg's own VP9 decoder ignores the alpha stream; libvpx reads it. */
        if (!avcodec_find_decoder_by_name("libvpx-vp9")) {
            printf("SKIP webm alpha read-back: no libvpx-vp9 decoder\n");
        } else if (mc_probe_url(path, NULL, NULL, 0, 0, "libvpx-vp9", &p, err, sizeof err) == 0) {
            CHECK(p.pix_fmt == AV_PIX_FMT_YUVA420P, "webm alpha decodes as %s",
                  av_get_pix_fmt_name(p.pix_fmt));
            CHECK(p.alpha_left >= 0 && p.alpha_left < 0.03 && p.alpha_right > 0.97,
                  "webm alpha: left %.3f (0 expected), right %.3f (1 expected)", p.alpha_left,
                  p.alpha_right);
            printf("ok   webm alpha: yuva420p, alpha %.3f where clear, %.3f where opaque\n",
                   p.alpha_left, p.alpha_right);
        } else {
            CHECK(0, "%s", err);
        }
    }
    if (!avcodec_find_encoder_by_name("prores_ks")) {
        printf("SKIP mov: this FFmpeg has no prores_ks\n");
        return;
    }
    make("talk.mov", NULL, 0, 2 * FPS, 0, path, sizeof path);
    check_basic(path, "mov (ProRes, opaque)", AV_CODEC_ID_PRORES, AV_CODEC_ID_PCM_S16LE, 2 * FPS,
                NULL);
    make("alpha.mov", NULL, 0, 5, 1, path, sizeof path);
    mc_probe p;
    char err[512];
    if (mc_probe_url(path, NULL, NULL, 0, 0, NULL, &p, err, sizeof err) == 0) {
        const AVPixFmtDescriptor *d = av_pix_fmt_desc_get(p.pix_fmt);
        CHECK(d && (d->flags & AV_PIX_FMT_FLAG_ALPHA), "mov alpha decodes as %s",
              av_get_pix_fmt_name(p.pix_fmt));
        CHECK(p.alpha_left >= 0 && p.alpha_left < 0.01 && p.alpha_right > 0.99,
              "mov alpha: left %.3f, right %.3f", p.alpha_left, p.alpha_right);
        printf("ok   mov ProRes 4444 alpha: %s, alpha %.3f / %.3f\n",
               av_get_pix_fmt_name(p.pix_fmt), p.alpha_left, p.alpha_right);
    } else {
        CHECK(0, "%s", err);
    }
    /* The half-covered quarter: colour stored straight (199), not premultiplied
     * (100): decode the last frame and look at its luma there. */
    AVFormatContext *fmt = NULL;
    if (avformat_open_input(&fmt, path, NULL, NULL) == 0 &&
        avformat_find_stream_info(fmt, NULL) >= 0) {
        int vi = av_find_best_stream(fmt, AVMEDIA_TYPE_VIDEO, -1, -1, NULL, 0);
        const AVCodec *c = avcodec_find_decoder(fmt->streams[vi]->codecpar->codec_id);
        AVCodecContext *dc = avcodec_alloc_context3(c);
        avcodec_parameters_to_context(dc, fmt->streams[vi]->codecpar);
        avcodec_open2(dc, c, NULL);
        AVPacket *pkt = av_packet_alloc();
        AVFrame *f = av_frame_alloc();
        double luma = -1;
        while (av_read_frame(fmt, pkt) >= 0) {
            if (pkt->stream_index == vi && avcodec_send_packet(dc, pkt) == 0 &&
                avcodec_receive_frame(dc, f) == 0) {
                const AVPixFmtDescriptor *d = av_pix_fmt_desc_get(f->format);
                double maxv = (double)((1 << d->comp[0].depth) - 1);
                const uint16_t *row =
                    (const uint16_t *)(f->data[0] + (size_t)(H / 2) * (size_t)f->linesize[0]);
                luma = row[W * 3 / 8] / maxv * 255.0;
                av_frame_unref(f);
            }
            av_packet_unref(pkt);
        }
        /* straight 199 in limited-range BT.709: 16 + 199 * 219 / 255 = 187 */
        CHECK(fabs(luma - 187) < 6,
              "half-covered grey has luma %.1f, 187 expected (straight "
              "alpha), 102 would be premultiplied",
              luma);
        printf("ok   mov colour under alpha 0.5 stored straight: luma %.1f (187 expected)\n", luma);
        av_frame_free(&f);
        av_packet_free(&pkt);
        avcodec_free_context(&dc);
    }
    avformat_close_input(&fmt);
}

static void test_containers(void)
{
    char path[512];
    make("talk.ts", NULL, 0, 3 * FPS, 0, path, sizeof path);
    check_basic(path, "mpeg-ts", AV_CODEC_ID_H264, AV_CODEC_ID_AAC, 3 * FPS, NULL);
    make("talk.flv", NULL, 0, 3 * FPS, 0, path, sizeof path);
    check_basic(path, "flv", AV_CODEC_ID_H264, AV_CODEC_ID_AAC, 3 * FPS, NULL);
    if (avcodec_find_encoder_by_name("libopus")) {
        make("opus.mkv", "audio_codec=opus", 0, 3 * FPS, 0, path, sizeof path);
        check_basic(path, "mkv + opus", AV_CODEC_ID_H264, AV_CODEC_ID_OPUS, 3 * FPS, NULL);
        make("opus.mp4", "audio_codec=opus", 0, 3 * FPS, 0, path, sizeof path);
        check_basic(path, "mp4 + opus", AV_CODEC_ID_H264, AV_CODEC_ID_OPUS, 3 * FPS, NULL);
    }

    /* HLS: a playlist of 2 s segments; read back through the playlist. */
    make("show.m3u8", NULL, 0, 5 * FPS, 0, path, sizeof path);
    check_basic(path, "hls", AV_CODEC_ID_H264, AV_CODEC_ID_AAC, 5 * FPS, NULL);
    char seg[512];
    int segs = 0;
    for (int i = 0; i < 10; i++) {
        snprintf(seg, sizeof seg, "%s/show_%05d.ts", tmpdir, i);
        segs += access(seg, F_OK) == 0;
    }
    CHECK(segs == 3, "hls: 5 s in 2 s segments: %d segment files", segs);
    /* An unfinished offline HLS leaves nothing behind. */
    path_in(path, sizeof path, "gone.m3u8");
    out_config c = cfg_of(path, NULL, 0);
    sz_output *o = NULL;
    char err[512] = "";
    CHECK(output_open(&c, &o, err, sizeof err) == SZ_OK, "open: %s", err);
    write_frames(o, 4 * FPS, 0);
    usleep(300000);
    output_free(&o);
    int left = 0;
    DIR *d = opendir(tmpdir);
    struct dirent *e;
    while (d && (e = readdir(d)))
        left += strstr(e->d_name, "gone") != NULL;
    if (d)
        closedir(d);
    CHECK(left == 0, "an aborted HLS left %d files", left);
    printf("ok   hls: %d segments; an aborted one leaves nothing\n", segs);
}

/* Key frames and bit rate of the video stream of path. */
static void video_stats(const char *path, int *keys, int key_idx[], int max, double *kbps,
                        int *frames)
{
    *keys = 0;
    *frames = 0;
    *kbps = 0;
    AVFormatContext *fmt = NULL;
    if (avformat_open_input(&fmt, path, NULL, NULL) < 0)
        return;
    avformat_find_stream_info(fmt, NULL);
    int vi = av_find_best_stream(fmt, AVMEDIA_TYPE_VIDEO, -1, -1, NULL, 0);
    AVPacket *pkt = av_packet_alloc();
    int64_t bytes = 0;
    while (vi >= 0 && av_read_frame(fmt, pkt) >= 0) {
        if (pkt->stream_index == vi) {
            /* IDR frames end closed GOPs: their place in decode order is
             * their frame number (pts would carry the container's shift) */
            int idx = *frames;
            if ((pkt->flags & AV_PKT_FLAG_KEY) && *keys < max)
                key_idx[(*keys)++] = idx;
            bytes += pkt->size;
            (*frames)++;
        }
        av_packet_unref(pkt);
    }
    *kbps = *frames ? bytes * 8.0 / (*frames / (double)FPS) / 1000 : 0;
    av_packet_free(&pkt);
    avformat_close_input(&fmt);
}

static void test_encoder_settings(void)
{
    char path[512];
    int keys, key_idx[64], frames;
    double kbps;
    /* Live: a keyframe exactly every 2 s, constant bit rate (filler included). */
    make("cbr.mp4", "video_bitrate=600k:queue=256", 1, 8 * FPS, 0, path, sizeof path);
    video_stats(path, &keys, key_idx, 64, &kbps, &frames);
    int grid = keys == 4;
    for (int i = 0; i < keys; i++)
        grid &= key_idx[i] == i * 2 * FPS;
    CHECK(grid, "live keyframes: %d at %d %d %d %d (0 50 100 150 expected)", keys, key_idx[0],
          keys > 1 ? key_idx[1] : -1, keys > 2 ? key_idx[2] : -1, keys > 3 ? key_idx[3] : -1);
    CHECK(kbps > 600 * 0.85 && kbps < 600 * 1.15, "live CBR at 600 kbit/s measured %.0f kbit/s",
          kbps);
    printf("ok   live: keyframes at 0/2/4/6 s, CBR 600k measured %.0f kbit/s (simple content)\n",
           kbps);

    /* Files: constant quality, far below that for the same simple content. */
    make("crf.mp4", NULL, 0, 8 * FPS, 0, path, sizeof path);
    video_stats(path, &keys, key_idx, 64, &kbps, &frames);
    CHECK(kbps < 300, "file mode (crf 23) spends %.0f kbit/s on flat frames", kbps);
    printf("ok   file: constant quality, %.0f kbit/s for the same content\n", kbps);

    /* x264 options pass through: a keyframe every 10 frames. */
    make("x264.mkv", "x264_opts=keyint=10\\:min-keyint=10\\:scenecut=0", 0, 2 * FPS, 0, path,
         sizeof path);
    video_stats(path, &keys, key_idx, 64, &kbps, &frames);
    CHECK(keys == 5 && key_idx[1] == 10 && key_idx[4] == 40,
          "x264_opts keyint=10: %d keyframes (%d, %d...)", keys, key_idx[0],
          keys > 1 ? key_idx[1] : -1);
    printf("ok   x264_opts passed through: keyframes every 10 frames\n");
    make("key.mkv", "keyint_s=0.4", 0, 2 * FPS, 0, path, sizeof path);
    video_stats(path, &keys, key_idx, 64, &kbps, &frames);
    CHECK(keys == 5 && key_idx[1] == 10, "keyint_s=0.4: %d keyframes", keys);
}

static void test_refusals(void)
{
    char path[512], err[512];
    sz_output *o = NULL;
    static const struct {
        const char *name, *options;
        int transparent;
        const char *want;
    } cases[] = {
        {"t.mp4", NULL, 1, "transparent background needs an output with alpha"},
        {"t.mkv", "alpha=on", 0, "cannot carry transparency"},
        {"t.flv", "audio_codec=opus", 0, "take aac"},
        {"t.webm", "audio_codec=aac", 0, "take opus"},
        {"t.webm", "preset=fast", 0, "for H.264"},
        {"t.mov", "crf=20", 0, "ProRes 4444 takes no"},
        {"t.mp4", "crf=60", 0, "0 to 51"},
        {"t.mp4", "video_bitrate=abc", 0, "video_bitrate='abc'"},
        {"t.mp4", "alpha=maybe", 0, "one of auto, off, on"},
        {"t.wav", "crf=20", 0, "unknown option 'crf'"},
        {"t.mp4", "x264_opts=nosuchoption=1", 0, "x264_opts: libx264: Error parsing option"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        path_in(path, sizeof path, cases[i].name);
        out_config c = cfg_of(path, cases[i].options, 0);
        c.transparent = cases[i].transparent;
        int rc = output_open(&c, &o, err, sizeof err);
        CHECK(rc != SZ_OK && strstr(err, cases[i].want) && !strchr(err, '\n') &&
                  !strncmp(err, path, strlen(path)),
              "%s %s: %d '%s'", cases[i].name, cases[i].options ? cases[i].options : "", rc, err);
        output_free(&o);
    }
    int n = 0;
    DIR *d = opendir(tmpdir);
    struct dirent *e;
    while (d && (e = readdir(d)))
        n += e->d_name[0] == 't';
    if (d)
        closedir(d);
    CHECK(n == 0, "refused outputs left %d files", n);
    printf("ok   refusals name the file and the reason, leave nothing (last: %s)\n", err);
    /* Alpha-capable formats take transparent frames. */
    path_in(path, sizeof path, "ok.webm");
    out_config c = cfg_of(path, NULL, 0);
    c.transparent = 1;
    if (avcodec_find_encoder_by_name("libvpx-vp9")) {
        CHECK(output_open(&c, &o, err, sizeof err) == SZ_OK, "transparent webm: %s", err);
        output_free(&o);
    }
}

/* A live recording keeps playing after the process is killed mid-way. */
static void test_killed(void)
{
    char mp4[512], mkv[512];
    path_in(mp4, sizeof mp4, "crash.mp4");
    path_in(mkv, sizeof mkv, "crash.mkv");
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        sz_output *a = NULL, *b = NULL;
        out_config ca = cfg_of(mp4, "queue=128", 1), cb = cfg_of(mkv, "queue=128", 1);
        char err[512];
        if (output_open(&ca, &a, err, sizeof err) || output_open(&cb, &b, err, sizeof err))
            _exit(2);
        for (int64_t k = 0; k < 4 * FPS; k++) {
            mc_frame(frame_buf, W, H, k, FPS);
            int n = mc_audio(audio_buf, k, SR, FPS);
            sz_video_frame f = {SZ_PIX_BGRA, W, H, W * 4, frame_buf, k};
            output_write(a, k, &f, audio_buf, n);
            output_write(b, k, &f, audio_buf, n);
        }
        for (int i = 0; i < 1000; i++) {
            sz_output_stats sa, sb;
            output_get_stats(a, &sa);
            output_get_stats(b, &sb);
            if (sa.frames_written >= 4 * FPS && sb.frames_written >= 4 * FPS)
                break;
            usleep(10000);
        }
        raise(SIGKILL); /* no finish, no trailer, no rename */
        _exit(3);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL, "the writer was killed (%d)", status);
    const char *paths[2] = {mp4, mkv};
    for (int i = 0; i < 2; i++) {
        mc_probe p;
        char err[512];
        if (mc_probe_url(paths[i], NULL, NULL, 0, 0, NULL, &p, err, sizeof err) != 0) {
            CHECK(0, "killed recording: %s", err);
            continue;
        }
        double mean, worst;
        int pairs = mc_sync(&p, &mean, &worst);
        CHECK(p.vcodec == AV_CODEC_ID_H264 && p.video_frames >= 2 * FPS,
              "%s after SIGKILL: %d frames playable", paths[i], p.video_frames);
        CHECK(pairs >= 1 && worst < 0.045, "%s after SIGKILL: %d sync points, worst %.1f ms",
              paths[i], pairs, worst * 1e3);
        printf("ok   killed while recording live: %s plays %d of %d frames, A/V worst %.1f ms\n",
               strrchr(paths[i], '/') + 1, p.video_frames, 4 * FPS, worst * 1e3);
    }
}

static void clear_dir(void)
{
    DIR *d = opendir(tmpdir);
    struct dirent *e;
    char p[600];
    while (d && (e = readdir(d))) {
        if (e->d_name[0] == '.' && (!e->d_name[1] || e->d_name[1] == '.'))
            continue;
        snprintf(p, sizeof p, "%s/%s", tmpdir, e->d_name);
        unlink(p);
    }
    if (d)
        closedir(d);
}

int main(void)
{
    av_log_set_level(AV_LOG_QUIET);
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (!avcodec_find_encoder_by_name("libx264")) {
        printf("SKIP: this FFmpeg has no libx264\n");
        return 77;
    }
    snprintf(tmpdir, sizeof tmpdir, "%s/sz_test_formats.XXXXXX",
             getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (!mkdtemp(tmpdir)) {
        printf("FAIL: mkdtemp: %s\n", strerror(errno));
        return 1;
    }
    test_refusals();
    clear_dir();
    test_webm_mov();
    clear_dir();
    test_containers();
    clear_dir();
    test_encoder_settings();
    clear_dir();
    test_killed();
    clear_dir();
    rmdir(tmpdir);
    return check_summary("test_formats");
}
