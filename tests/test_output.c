/* SPDX-License-Identifier: Apache-2.0 */
/* test_output.c: the file outputs (.mp4 .mkv .wav) fed 2 s of synthetic
 * video and audio through the output core, then read back with libavformat:
 * streams, durations, audio level, no temporary file left; live recordings
 * under their real name; and the error paths. Returns 0 on success. */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/log.h>

#include "check.h"
#include "shuzi.h"
#include "stream/output.h"

#define W 320
#define H 240
#define FPS 25
#define SR 22050
#define SECONDS 2
#define N_FRAMES (SECONDS * FPS)
#define N_SAMPLES (SECONDS * SR)

static char tmpdir[256];

static void path_in(char *buf, size_t len, const char *name)
{
    snprintf(buf, len, "%s/%s", tmpdir, name);
}

/* Number of entries in dir (without . and ..); hidden: those starting with '.'. */
static int dir_count(const char *dir, int *hidden)
{
    DIR *d = opendir(dir);
    int n = 0;
    if (hidden)
        *hidden = 0;
    if (!d)
        return -1;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        n++;
        if (hidden && e->d_name[0] == '.')
            (*hidden)++;
    }
    closedir(d);
    return n;
}

static void dir_clear(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    char p[512];
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        unlink(p);
    }
    closedir(d);
}

static out_config config(const char *url, const char *options, int live)
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

/* Writes frames [0, n_frames) and their audio as an engine would: each frame
 * with the audio up to round((k+1) * SR / FPS) samples. Stops at the first
 * error and returns it. */
static int write_content(sz_output *o, int n_frames, int video, int audio)
{
    static uint8_t pixels[W * H * 4];
    static float pcm[SR / FPS + 2];
    int64_t written = 0;
    for (int k = 0; k < n_frames; k++) {
        if (video) {
            for (int y = 0; y < H; y++) {
                uint8_t *row = pixels + (size_t)y * W * 4;
                for (int x = 0; x < W; x++) {
                    row[4 * x + 0] = (uint8_t)(x + 4 * k);
                    row[4 * x + 1] = (uint8_t)(y + 2 * k);
                    row[4 * x + 2] = (uint8_t)(x + y + k);
                    row[4 * x + 3] = 255;
                }
            }
        }
        sz_video_frame f = {SZ_PIX_BGRA, W, H, W * 4, pixels, k};
        int64_t target = llround((double)(k + 1) * SR / FPS);
        int n = (int)(target - written);
        for (int i = 0; i < n; i++)
            pcm[i] = 0.5f * sinf(2.0f * (float)M_PI * 440.0f * (float)(written + i) / SR);
        written = target;
        int rc = output_write(o, k, video ? &f : NULL, pcm, audio ? n : 0);
        if (rc != SZ_OK)
            return rc;
    }
    return SZ_OK;
}

typedef struct probe {
    int n_streams, n_h264, n_aac;
    int width, height, audio_rate;
    double video_end, audio_end; /* seconds: max(pts + duration) over packets */
    int video_frames;            /* decoded */
    int64_t audio_samples;       /* decoded */
    double audio_rms;
} probe;

static double pkt_end(const AVPacket *p, const AVStream *st, double default_dur)
{
    int64_t pts = p->pts != AV_NOPTS_VALUE ? p->pts : p->dts;
    double t = pts * av_q2d(st->time_base);
    return t + (p->duration > 0 ? p->duration * av_q2d(st->time_base) : default_dur);
}

static void decode_all(AVCodecContext *dec, AVPacket *pkt, AVFrame *fr, probe *pr, double *sum2)
{
    if (avcodec_send_packet(dec, pkt) < 0)
        return;
    while (avcodec_receive_frame(dec, fr) == 0) {
        if (dec->codec_type == AVMEDIA_TYPE_VIDEO) {
            pr->video_frames++;
        } else {
            const float *s = (const float *)fr->extended_data[0];
            for (int i = 0; i < fr->nb_samples; i++)
                *sum2 += (double)s[i] * s[i];
            pr->audio_samples += fr->nb_samples;
        }
        av_frame_unref(fr);
    }
}

static int probe_file(const char *path, probe *pr)
{
    memset(pr, 0, sizeof *pr);
    AVFormatContext *fmt = NULL;
    int ret = avformat_open_input(&fmt, path, NULL, NULL);
    if (ret < 0) {
        printf("FAIL: cannot open %s: %s\n", path, av_err2str(ret));
        check_failures++;
        return -1;
    }
    if ((ret = avformat_find_stream_info(fmt, NULL)) < 0) {
        printf("FAIL: no stream info in %s: %s\n", path, av_err2str(ret));
        check_failures++;
        avformat_close_input(&fmt);
        return -1;
    }
    AVCodecContext *dec[8] = {0};
    pr->n_streams = (int)fmt->nb_streams;
    for (unsigned i = 0; i < fmt->nb_streams && i < 8; i++) {
        AVCodecParameters *par = fmt->streams[i]->codecpar;
        if (par->codec_id == AV_CODEC_ID_H264) {
            pr->n_h264++;
            pr->width = par->width;
            pr->height = par->height;
        } else if (par->codec_id == AV_CODEC_ID_AAC) {
            pr->n_aac++;
            pr->audio_rate = par->sample_rate;
        } else {
            continue;
        }
        const AVCodec *c = avcodec_find_decoder(par->codec_id);
        dec[i] = avcodec_alloc_context3(c);
        avcodec_parameters_to_context(dec[i], par);
        dec[i]->pkt_timebase = fmt->streams[i]->time_base;
        if (avcodec_open2(dec[i], c, NULL) < 0)
            avcodec_free_context(&dec[i]);
    }
    AVPacket *pkt = av_packet_alloc();
    AVFrame *fr = av_frame_alloc();
    double sum2 = 0;
    while (av_read_frame(fmt, pkt) >= 0) {
        unsigned si = (unsigned)pkt->stream_index;
        AVStream *st = fmt->streams[si];
        if (si < 8 && dec[si]) {
            if (st->codecpar->codec_type == AVMEDIA_TYPE_VIDEO) {
                double e = pkt_end(pkt, st, 1.0 / FPS);
                if (e > pr->video_end)
                    pr->video_end = e;
            } else {
                double e = pkt_end(pkt, st, 1024.0 / st->codecpar->sample_rate);
                if (e > pr->audio_end)
                    pr->audio_end = e;
            }
            decode_all(dec[si], pkt, fr, pr, &sum2);
        }
        av_packet_unref(pkt);
    }
    for (unsigned i = 0; i < 8; i++) {
        if (dec[i]) {
            decode_all(dec[i], NULL, fr, pr, &sum2);
            avcodec_free_context(&dec[i]);
        }
    }
    pr->audio_rms = pr->audio_samples ? sqrt(sum2 / (double)pr->audio_samples) : 0;
    av_frame_free(&fr);
    av_packet_free(&pkt);
    avformat_close_input(&fmt);
    return 0;
}

/* Writes 2 s to name, finishes, and checks what comes back. */
static void test_av_file(const char *name, const char *options, int live, int audio)
{
    char path[512], err[512] = "";
    path_in(path, sizeof path, name);
    out_config c = config(path, options, live);
    sz_output *o = NULL;
    int rc = output_open(&c, &o, err, sizeof err);
    CHECK(rc == SZ_OK, "%s: output_open: %s", name, err);
    if (rc != SZ_OK)
        return;
    CHECK(output_needs_video(o) == 1, "%s wants video", name);
    rc = write_content(o, N_FRAMES, 1, audio);
    CHECK(rc == SZ_OK, "%s: writing: %s", name, output_error(o));

    int hidden = 0;
    if (live) { /* a live recording is written under its real name, from the first frame on */
        for (int i = 0; i < 200 && access(path, F_OK) != 0; i++)
            usleep(10000); /* the output's thread opens it */
        CHECK(dir_count(tmpdir, &hidden) == 1 && hidden == 0 && access(path, F_OK) == 0,
              "%s: while recording live, the file exists under its name", name);
    } else {
        CHECK(dir_count(tmpdir, &hidden) == 1 && hidden == 1,
              "%s: while writing, only the hidden temporary file exists", name);
        CHECK(access(path, F_OK) != 0, "%s exists before finish", name);
    }

    rc = output_finish(o, err, sizeof err);
    CHECK(rc == SZ_OK, "%s: output_finish: %s", name, err);
    output_free(&o);
    CHECK(o == NULL, "output_free sets NULL");

    CHECK(dir_count(tmpdir, &hidden) == 1 && hidden == 0,
          "%s: after finish only the file itself remains (%d hidden)", name, hidden);
    probe pr;
    if (probe_file(path, &pr) == 0) {
        CHECK(pr.n_streams == 2 && pr.n_h264 == 1 && pr.n_aac == 1,
              "%s: %d streams, %d h264, %d aac", name, pr.n_streams, pr.n_h264, pr.n_aac);
        CHECK(pr.width == W && pr.height == H, "%s: video is %dx%d", name, pr.width, pr.height);
        CHECK(pr.audio_rate == 48000, "%s: audio at %d Hz", name, pr.audio_rate);
        CHECK(pr.video_frames == N_FRAMES, "%s: decoded %d video frames, expected %d", name,
              pr.video_frames, N_FRAMES);
        CHECK(fabs(pr.video_end - pr.audio_end) <= 1.0 / FPS,
              "%s: video ends at %.4f s, audio at %.4f s", name, pr.video_end, pr.audio_end);
        CHECK(fabs(pr.video_end - SECONDS) <= 1.0 / FPS, "%s: video ends at %.4f s", name,
              pr.video_end);
        double decoded_s = (double)pr.audio_samples / 48000.0;
        CHECK(fabs(decoded_s - SECONDS) <= 0.1, "%s: %.4f s of audio decoded", name, decoded_s);
        if (audio)
            CHECK(pr.audio_rms > 0.1, "%s: audio RMS %.4f", name, pr.audio_rms);
        else
            CHECK(pr.audio_rms < 0.01, "%s: padded audio RMS %.4f", name, pr.audio_rms);
        printf("ok   %-10s %s%s: %d frames, video end %.4f s, audio end %.4f s, "
               "%lld samples decoded, RMS %.3f\n",
               name, live ? "live " : "", options ? options : "", pr.video_frames, pr.video_end,
               pr.audio_end, (long long)pr.audio_samples, pr.audio_rms);
    }
    dir_clear(tmpdir);
}

static uint32_t rd32(const uint8_t *p)
{
    return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static uint16_t rd16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

static void test_wav(void)
{
    char path[512], err[512] = "";
    path_in(path, sizeof path, "voice.wav");
    out_config c = config(path, NULL, 0);
    sz_output *o = NULL;
    int rc = output_open(&c, &o, err, sizeof err);
    CHECK(rc == SZ_OK, "wav: output_open: %s", err);
    if (rc != SZ_OK)
        return;
    CHECK(output_needs_video(o) == 0, "wav needs no video");
    rc = write_content(o, N_FRAMES, 1, 1);
    CHECK(rc == SZ_OK, "wav: writing: %s", output_error(o));
    /* Clipping and rounding. */
    const float extra[5] = {0.0f, 0.25f, -0.25f, 1.5f, -2.0f};
    CHECK(output_write(o, N_FRAMES, NULL, extra, 5) == SZ_OK, "wav: write extra");
    CHECK(access(path, F_OK) != 0, "wav exists before finish");
    rc = output_finish(o, err, sizeof err);
    CHECK(rc == SZ_OK, "wav: output_finish: %s", err);
    CHECK(output_finish(o, err, sizeof err) == SZ_ERR_STATE, "wav: a second finish is refused");
    output_free(&o);

    int hidden = 0;
    CHECK(dir_count(tmpdir, &hidden) == 1 && hidden == 0, "wav: only the file remains");
    FILE *fp = fopen(path, "rb");
    CHECK(fp != NULL, "wav: cannot open %s", path);
    if (!fp)
        return;
    static uint8_t buf[44 + 2 * (N_SAMPLES + 5) + 16];
    size_t n = fread(buf, 1, sizeof buf, fp);
    fclose(fp);
    uint32_t data = 2 * (N_SAMPLES + 5);
    CHECK(n == 44 + data, "wav: file is %zu bytes, expected %u", n, 44 + data);
    CHECK(!memcmp(buf, "RIFF", 4) && !memcmp(buf + 8, "WAVEfmt ", 8) &&
              !memcmp(buf + 36, "data", 4),
          "wav: chunk ids");
    CHECK(rd32(buf + 4) == 36 + data, "wav: RIFF size %u", rd32(buf + 4));
    CHECK(rd32(buf + 16) == 16 && rd16(buf + 20) == 1 && rd16(buf + 22) == 1,
          "wav: fmt size %u, format %u, channels %u", rd32(buf + 16), rd16(buf + 20),
          rd16(buf + 22));
    CHECK(rd32(buf + 24) == SR && rd32(buf + 28) == 2 * SR && rd16(buf + 32) == 2 &&
              rd16(buf + 34) == 16,
          "wav: rate %u, byte rate %u, align %u, bits %u", rd32(buf + 24), rd32(buf + 28),
          rd16(buf + 32), rd16(buf + 34));
    CHECK(rd32(buf + 40) == data, "wav: data size %u, expected %u", rd32(buf + 40), data);
    if (n == 44 + data) {
        const uint8_t *s = buf + 44;
        int worst = 0;
        for (int i = 0; i < N_SAMPLES; i++) {
            int want =
                (int)lrintf(0.5f * sinf(2.0f * (float)M_PI * 440.0f * (float)i / SR) * 32767.0f);
            int d = abs((int16_t)rd16(s + 2 * i) - want);
            worst = d > worst ? d : worst;
        }
        CHECK(worst <= 1, "wav: samples differ from the sine by up to %d", worst);
        const int16_t want[5] = {0, 8192, -8192, 32767, -32767};
        for (int i = 0; i < 5; i++) {
            int16_t got = (int16_t)rd16(s + 2 * (N_SAMPLES + i));
            CHECK(abs(got - want[i]) <= 1, "wav: %g -> %d, expected %d", extra[i], got, want[i]);
        }
        printf("ok   voice.wav: %u samples at %u Hz\n", rd32(buf + 40) / 2, rd32(buf + 24));
    }
    dir_clear(tmpdir);
}

/* output_open must fail with SZ_ERR_IO and name dir. */
static void expect_dir_error(const char *dir, const char *name)
{
    char path[512], err[512] = "";
    snprintf(path, sizeof path, "%s/%s", dir, name);
    out_config c = config(path, NULL, 0);
    sz_output *o = NULL;
    int rc = output_open(&c, &o, err, sizeof err);
    CHECK(rc == SZ_ERR_IO, "%s: expected SZ_ERR_IO, got %d (%s)", path, rc, err);
    CHECK(o == NULL, "%s: no output on failure", path);
    CHECK(strstr(err, dir) != NULL, "message names the directory: '%s'", err);
    CHECK(strchr(err, '\n') == NULL, "message is one line: '%s'", err);
    printf("ok   error: %s\n", err);
    output_free(&o);
}

static void test_errors(void)
{
    char dir[512], err[512] = "";
    path_in(dir, sizeof dir, "missing/deeper");
    expect_dir_error(dir, "a.mp4");
    expect_dir_error(dir, "a.mkv");
    expect_dir_error(dir, "a.wav");

    if (geteuid() == 0) {
        printf("SKIP read-only directory: running as root, which ignores permissions\n");
    } else {
        path_in(dir, sizeof dir, "readonly");
        CHECK(mkdir(dir, 0555) == 0, "mkdir %s: %s", dir, strerror(errno));
        expect_dir_error(dir, "a.mp4");
        expect_dir_error(dir, "a.wav");
        CHECK(dir_count(dir, NULL) == 0, "nothing created in the read-only directory");
        rmdir(dir);
    }

    /* Unknown extension. */
    out_config c = config("out.xyz", NULL, 0);
    sz_output *o = NULL;
    int rc = output_open(&c, &o, err, sizeof err);
    CHECK(rc == SZ_ERR_UNSUPPORTED, "out.xyz: got %d", rc);
    CHECK(strstr(err, "out.xyz: unsupported output '.xyz' (expected a file .mp4 .mkv") == err &&
              strstr(err, "rtmp://") && !strchr(err, '\n'),
          "message: '%s'", err);
    printf("ok   error: %s\n", err);
    c = config("noext", NULL, 0);
    CHECK(output_open(&c, &o, err, sizeof err) == SZ_ERR_UNSUPPORTED, "noext accepted");

    /* Unknown option. */
    char path[512];
    path_in(path, sizeof path, "opt.mp4");
    c = config(path, "crf=20:speed=3", 0);
    rc = output_open(&c, &o, err, sizeof err);
    CHECK(rc == SZ_ERR_INVALID_ARG && strstr(err, "'speed'"), "bad option: %d '%s'", rc, err);
    printf("ok   error: %s\n", err);
    c = config(path, "crf=abc", 0);
    rc = output_open(&c, &o, err, sizeof err);
    CHECK(rc == SZ_ERR_INVALID_ARG && strstr(err, "crf"), "bad crf: %d '%s'", rc, err);
    c = config(path, "preset=nosuchpreset", 0);
    rc = output_open(&c, &o, err, sizeof err);
    CHECK(rc == SZ_ERR_INVALID_ARG && strstr(err, "nosuchpreset") && strstr(err, "veryfast"),
          "bad preset (refused before libx264 prints its own line): %d '%s'", rc, err);
    printf("ok   error: %s\n", err);
    CHECK(dir_count(tmpdir, NULL) == 0, "failed opens leave no file");

    /* Odd sizes are refused at the boundary. */
    c = config(path, NULL, 0);
    c.width = 321;
    CHECK(output_open(&c, &o, err, sizeof err) == SZ_ERR_INVALID_ARG, "odd width accepted");
}

/* Frees an output after writing half: nothing may remain. */
static void test_abort(const char *name)
{
    char path[512], err[512] = "";
    path_in(path, sizeof path, name);
    out_config c = config(path, NULL, 0);
    sz_output *o = NULL;
    int rc = output_open(&c, &o, err, sizeof err);
    CHECK(rc == SZ_OK, "%s: output_open: %s", name, err);
    if (rc != SZ_OK)
        return;
    CHECK(write_content(o, N_FRAMES / 2, 1, 1) == SZ_OK, "%s: write", name);
    CHECK(dir_count(tmpdir, NULL) == 1, "%s: the temporary file exists while writing", name);
    output_free(&o);
    int n = dir_count(tmpdir, NULL);
    CHECK(n == 0, "%s: %d files left after output_free without finish", name, n);
    printf("ok   abort %s leaves nothing\n", name);
    dir_clear(tmpdir);
}

/* A live recording is written under its real name and plays while it is
 * being written (what a killed process leaves); stopping it without finish
 * (a cancelled live session) keeps it, finalized. */
static void test_live_unfinished(const char *name)
{
    char path[512], err[512] = "";
    path_in(path, sizeof path, name);
    out_config c = config(path, "queue=128", 1);
    sz_output *o = NULL;
    int rc = output_open(&c, &o, err, sizeof err);
    CHECK(rc == SZ_OK, "%s: output_open: %s", name, err);
    if (rc != SZ_OK)
        return;
    CHECK(write_content(o, 5 * FPS, 1, 1) == SZ_OK, "%s: write", name);
    /* The output's thread encodes behind us: wait until it has taken all. */
    for (int i = 0; i < 500; i++) {
        sz_output_stats st;
        output_get_stats(o, &st);
        if (st.frames_written >= 5 * FPS)
            break;
        usleep(20000);
    }
    probe pr;
    if (probe_file(path, &pr) == 0) {
        CHECK(pr.n_h264 == 1 && pr.video_frames >= 2 * FPS,
              "%s: unfinished file has %d h264 streams, %d frames", name, pr.n_h264,
              pr.video_frames);
        printf("ok   unfinished live %s: %d of %d frames readable\n", name, pr.video_frames,
               5 * FPS);
    }
    output_free(&o);
    CHECK(dir_count(tmpdir, NULL) == 1, "%s: the recording stays after a stop", name);
    if (probe_file(path, &pr) == 0) {
        CHECK(pr.video_frames == 5 * FPS, "%s: stopped recording has %d of %d frames", name,
              pr.video_frames, 5 * FPS);
        printf("ok   stopped live %s: %d frames kept\n", name, pr.video_frames);
    }
    dir_clear(tmpdir);
}

/* A live output opened over an earlier file and let go before its first
 * frame (the session failed to start) leaves that file as it was. */
static void test_live_keeps_file(const char *name)
{
    char path[512], err[512] = "";
    path_in(path, sizeof path, name);
    static const char before[] = "an earlier recording\n";
    FILE *f = fopen(path, "wb");
    CHECK(f && fwrite(before, 1, sizeof before - 1, f) == sizeof before - 1 && fclose(f) == 0,
          "%s: write the earlier file", name);
    out_config c = config(path, NULL, 1);
    sz_output *o = NULL;
    int rc = output_open(&c, &o, err, sizeof err);
    CHECK(rc == SZ_OK, "%s: output_open: %s", name, err);
    output_free(&o);
    char got[64] = "";
    f = fopen(path, "rb");
    size_t n = f ? fread(got, 1, sizeof got - 1, f) : 0;
    if (f)
        fclose(f);
    CHECK(n == sizeof before - 1 && memcmp(got, before, n) == 0 && dir_count(tmpdir, NULL) == 1,
          "%s: an output freed before its first frame leaves the earlier file (%zu bytes)", name,
          n);
    printf("ok   live %s freed before a frame keeps the earlier file\n", name);
    dir_clear(tmpdir);
}

static void test_bad_writes(void)
{
    char path[512], err[512] = "";
    path_in(path, sizeof path, "novideo.mp4");
    out_config c = config(path, NULL, 0);
    sz_output *o = NULL;
    int rc = output_open(&c, &o, err, sizeof err);
    CHECK(rc == SZ_OK, "novideo: output_open: %s", err);
    if (rc == SZ_OK) {
        CHECK(write_content(o, N_FRAMES, 0, 1) == SZ_OK, "novideo: audio write");
        rc = output_finish(o, err, sizeof err);
        CHECK(rc != SZ_OK && strstr(err, "no video"), "novideo: finish %d '%s'", rc, err);
        CHECK(!strcmp(output_error(o), err), "output_error keeps the message");
        printf("ok   error: %s\n", err);
        output_free(&o);
        CHECK(dir_count(tmpdir, NULL) == 0, "novideo: nothing left");
    }

    path_in(path, sizeof path, "size.mkv");
    c = config(path, NULL, 0);
    rc = output_open(&c, &o, err, sizeof err);
    CHECK(rc == SZ_OK, "size: output_open: %s", err);
    if (rc == SZ_OK) {
        static uint8_t small[160 * 120 * 4];
        sz_video_frame f = {SZ_PIX_BGRA, 160, 120, 160 * 4, small, 0};
        rc = output_write(o, 0, &f, NULL, 0);
        CHECK(rc == SZ_ERR_INVALID_ARG, "size: output_write returned %d", rc);
        CHECK(output_error(o)[0] != '\0', "size: output_error is set");
        rc = output_finish(o, err, sizeof err);
        CHECK(rc == SZ_ERR_INVALID_ARG && strstr(err, "160x120") && strstr(err, "320x240"),
              "size: finish %d '%s'", rc, err);
        printf("ok   error: %s\n", err);
        output_free(&o);
        CHECK(dir_count(tmpdir, NULL) == 0, "size: nothing left");
    }
    dir_clear(tmpdir);
}

int main(void)
{
    av_log_set_level(AV_LOG_ERROR);
    snprintf(tmpdir, sizeof tmpdir, "%s/sz_test_output.XXXXXX",
             getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (!mkdtemp(tmpdir)) {
        printf("FAIL: mkdtemp %s: %s\n", tmpdir, strerror(errno));
        return 1;
    }
    if (!avcodec_find_encoder_by_name("libx264")) {
        printf("SKIP mp4/mkv tests: this FFmpeg has no libx264\n");
    } else {
        test_av_file("talk.mp4", NULL, 0, 1);
        test_av_file("talk.mkv", NULL, 0, 1);
        /* Live outputs drop what they cannot take in time; these tests write
         * faster than real time, so they get a queue that holds it all. */
        test_av_file("live.mp4", "queue=64", 1, 1);
        test_av_file("live.mkv", "queue=64", 1, 1);
        test_av_file("OPTS.MKV", "crf=30:preset=ultrafast:audio_bitrate=64000", 0, 1);
        test_av_file("rate.mp4", "video_bitrate=400000:queue=64", 1, 1);
        test_av_file("silent.mp4", NULL, 0, 0);
        test_live_unfinished("killed.mp4");
        test_live_unfinished("killed.mkv");
        test_live_keeps_file("earlier.mp4");
        test_live_keeps_file("earlier.mkv");
        test_abort("abort.mp4");
        test_abort("abort.mkv");
        test_bad_writes();
    }
    test_wav();
    test_abort("abort.wav");
    test_errors();

    dir_clear(tmpdir);
    rmdir(tmpdir);
    return check_summary("test_output");
}
