/* SPDX-License-Identifier: Apache-2.0 */
/* test_e2e.c: renders a short utterance through the whole pipeline (espeak ->
 * lipsync -> cairo avatar -> libx264/AAC) and checks the file with libavformat:
 * streams, durations, audible audio, and a mouth that moves with speech. */
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "avatar/avatar.h"
#include "shuzi.h"

#include "check.h"

#define W 640
#define H 360
#define FPS 30

typedef struct marks {
    int64_t open_start, open_end; /* the longest open-vowel viseme */
    int64_t first_ms, last_end_ms;
    int n;
} marks;

static void on_mark(const sz_mark *m, void *user)
{
    marks *mk = user;
    if (mk->n++ == 0 || m->time_ms < mk->first_ms)
        mk->first_ms = m->time_ms;
    if (m->end_ms > mk->last_end_ms)
        mk->last_end_ms = m->end_ms;
    if (m->type == SZ_MARK_VISEME && (strcmp(m->value, "aa") == 0 || strcmp(m->value, "oh") == 0) &&
        m->end_ms - m->time_ms > mk->open_end - mk->open_start) {
        mk->open_start = m->time_ms;
        mk->open_end = m->end_ms;
    }
}

/* The mouth's box: where a closed and an open mouth differ. */
static void mouth_box(int *x0, int *y0, int *x1, int *y1)
{
    avatar_config ac = {.avatar = NULL, .width = W, .height = H, .background_rgb = 0x2b3a4a};
    avatar_renderer *r = NULL;
    char err[256];
    *x0 = W / 2 - 40, *y0 = H / 2, *x1 = W / 2 + 40, *y1 = H / 2 + 40;
    if (avatar_open(&ac, &r, err, sizeof err) != SZ_OK)
        return;
    uint8_t *a = calloc((size_t)W * H, 4), *b = calloc((size_t)W * H, 4);
    sz_face fa, fb;
    memset(&fa, 0, sizeof fa);
    memset(&fb, 0, sizeof fb);
    fb.jaw_open = 1.0f;
    sz_video_frame va = {SZ_PIX_BGRA, W, H, W * 4, a, 0}, vb = {SZ_PIX_BGRA, W, H, W * 4, b, 0};
    avatar_render(r, &fa, &va);
    avatar_render(r, &fb, &vb);
    int bx0 = W, by0 = H, bx1 = -1, by1 = -1;
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++)
            if (b[(size_t)y * W * 4 + x * 4 + 1] < 60 && a[(size_t)y * W * 4 + x * 4 + 1] > 100) {
                /* dark only when open: the mouth cavity */
                bx0 = x < bx0 ? x : bx0;
                by0 = y < by0 ? y : by0;
                bx1 = x > bx1 ? x : bx1;
                by1 = y > by1 ? y : by1;
            }
    if (bx1 > bx0 && by1 > by0) {
        *x0 = bx0, *y0 = by0, *x1 = bx1 + 1, *y1 = by1 + 1;
    }
    free(a);
    free(b);
    avatar_free(&r);
}

typedef struct probe {
    int has_h264, has_aac, width, height, aac_rate;
    int64_t video_frames;
    int64_t audio_samples;
    double audio_sq;
    double video_end_s, audio_end_s; /* from packet timestamps */
    uint8_t *luma_silent, *luma_open; /* mouth-box luma of two frames */
} probe;

static int probe_file(const char *path, int silent_frame, int open_frame, int bx0, int by0,
                      int bx1, int by1, probe *p)
{
    memset(p, 0, sizeof *p);
    AVFormatContext *fc = NULL;
    if (avformat_open_input(&fc, path, NULL, NULL) < 0)
        return -1;
    avformat_find_stream_info(fc, NULL);
    int vi = -1, ai = -1;
    AVCodecContext *vc = NULL, *ac = NULL;
    for (unsigned i = 0; i < fc->nb_streams; i++) {
        AVCodecParameters *par = fc->streams[i]->codecpar;
        const AVCodec *dec = avcodec_find_decoder(par->codec_id);
        if (par->codec_id == AV_CODEC_ID_H264 && vi < 0) {
            vi = (int)i;
            p->has_h264 = 1;
            p->width = par->width;
            p->height = par->height;
            vc = avcodec_alloc_context3(dec);
            avcodec_parameters_to_context(vc, par);
            avcodec_open2(vc, dec, NULL);
        } else if (par->codec_id == AV_CODEC_ID_AAC && ai < 0) {
            ai = (int)i;
            p->has_aac = 1;
            p->aac_rate = par->sample_rate;
            ac = avcodec_alloc_context3(dec);
            avcodec_parameters_to_context(ac, par);
            avcodec_open2(ac, dec, NULL);
        }
    }
    int bw = bx1 - bx0, bh = by1 - by0;
    p->luma_silent = calloc((size_t)bw * bh, 1);
    p->luma_open = calloc((size_t)bw * bh, 1);
    AVPacket *pkt = av_packet_alloc();
    AVFrame *fr = av_frame_alloc();
    int eof = 0;
    while (!eof) {
        int rd = av_read_frame(fc, pkt);
        AVCodecContext *c = NULL;
        if (rd < 0) {
            eof = 1;
        } else {
            AVStream *st = fc->streams[pkt->stream_index];
            double end = (double)(pkt->pts + pkt->duration) * av_q2d(st->time_base);
            if (pkt->stream_index == vi) {
                c = vc;
                if (end > p->video_end_s)
                    p->video_end_s = end;
            } else if (pkt->stream_index == ai) {
                c = ac;
                if (end > p->audio_end_s)
                    p->audio_end_s = end;
            }
        }
        AVCodecContext *targets[2] = {c, NULL};
        if (eof) {
            targets[0] = vc;
            targets[1] = ac;
        }
        for (int t = 0; t < 2; t++) {
            c = targets[t];
            if (!c)
                continue;
            avcodec_send_packet(c, eof ? NULL : pkt);
            while (avcodec_receive_frame(c, fr) == 0) {
                if (c == vc) {
                    int64_t k = p->video_frames++;
                    uint8_t *dst = k == silent_frame ? p->luma_silent
                                   : k == open_frame ? p->luma_open
                                                     : NULL;
                    for (int y = 0; dst && y < bh; y++)
                        memcpy(dst + (size_t)y * bw, fr->data[0] + (size_t)(by0 + y) * fr->linesize[0] + bx0,
                               (size_t)bw);
                } else {
                    const float *s = (const float *)fr->data[0];
                    for (int i = 0; i < fr->nb_samples; i++)
                        p->audio_sq += (double)s[i] * s[i];
                    p->audio_samples += fr->nb_samples;
                }
            }
        }
        if (!eof)
            av_packet_unref(pkt);
    }
    av_frame_free(&fr);
    av_packet_free(&pkt);
    avcodec_free_context(&vc);
    avcodec_free_context(&ac);
    avformat_close_input(&fc);
    return 0;
}

static void render_and_check(const char *dir, const char *ext)
{
    char path[512];
    snprintf(path, sizeof path, "%s/hello%s", dir, ext);
    sz_engine *engine = NULL;
    sz_session *s = NULL;
    CHECK(sz_engine_create(sz_engine_default_params(), &engine) == SZ_OK, "engine");
    marks mk;
    memset(&mk, 0, sizeof mk);
    sz_session_params sp = sz_session_default_params();
    sp.width = W;
    sp.height = H;
    sp.fps = FPS;
    sp.on_mark = on_mark;
    sp.on_mark_user_data = &mk;
    int rc = sz_session_create(engine, sp, &s);
    CHECK(rc == SZ_OK, "session: %s", sz_engine_last_error(engine));
    if (rc != SZ_OK)
        return;
    CHECK(sz_session_add_output(s, path, NULL) == SZ_OK, "output: %s", sz_session_last_error(s));
    CHECK(sz_session_start(s) == SZ_OK, "start");
    CHECK(sz_session_say(s, "Hello, welcome to our bank. Our offices are open today.", 0) >= 0,
          "say");
    rc = sz_session_finish(s);
    CHECK(rc == SZ_OK, "finish: %s", sz_session_last_error(s));
    sz_session_stats st;
    sz_session_get_stats(s, &st);
    sz_session_free(&s);
    sz_engine_free(&engine);
    CHECK(access(path, R_OK) == 0, "%s exists", path);
    CHECK(mk.open_end > mk.open_start, "an open vowel viseme mark");

    int bx0, by0, bx1, by1;
    mouth_box(&bx0, &by0, &bx1, &by1);
    int silent_frame = 2; /* inside the 300 ms lead-in */
    int open_frame = (int)((mk.open_start + mk.open_end) / 2 * FPS / 1000);
    probe p;
    CHECK(probe_file(path, silent_frame, open_frame, bx0, by0, bx1, by1, &p) == 0, "open %s",
          path);
    CHECK(p.has_h264, "%s: an H.264 stream", ext);
    CHECK(p.has_aac, "%s: an AAC stream", ext);
    CHECK(p.width == W && p.height == H, "%s: size %dx%d", ext, p.width, p.height);
    CHECK(p.aac_rate == 48000, "%s: AAC at %d Hz", ext, p.aac_rate);
    CHECK(p.video_frames == st.frames_out, "%s: decoded %lld frames, engine sent %lld", ext,
          (long long)p.video_frames, (long long)st.frames_out);
    double vdur = (double)p.video_frames / FPS;
    double adur = (double)p.audio_samples / 48000.0;
    /* Decoded AAC may include the encoder's 1024-sample priming where the
     * container does not signal it (MKV has no edit list for AAC). */
    CHECK(adur - vdur >= -1.0 / FPS && adur - vdur <= 1.0 / FPS + 1024.0 / 48000,
          "%s: video %.3f s vs audio %.3f s (decoded)", ext, vdur, adur);
    CHECK(fabs(p.video_end_s - p.audio_end_s) <= 1.0 / FPS,
          "%s: stream ends %.3f s vs %.3f s (timestamps)", ext, p.video_end_s, p.audio_end_s);
    CHECK(vdur > 2.0, "%s: %.2f s long", ext, vdur);
    double rms = p.audio_samples ? sqrt(p.audio_sq / (double)p.audio_samples) : 0;
    CHECK(rms > 0.02, "%s: audio RMS %.4f (silent?)", ext, rms);
    /* The mouth moves: the open-vowel frame differs from the lead-in frame. */
    int bw = bx1 - bx0, bh = by1 - by0;
    /* The open mouth shows its dark cavity; the closed one does not. */
    int dark_open = 0, dark_silent = 0;
    for (int i = 0; i < bw * bh; i++) {
        dark_open += p.luma_open[i] < 80;
        dark_silent += p.luma_silent[i] < 80;
    }
    CHECK(dark_silent == 0 && dark_open >= 20,
          "%s: dark mouth pixels: %d in silent frame %d, %d in speaking frame %d", ext,
          dark_silent, silent_frame, dark_open, open_frame);
    printf("%s: %lld frames, video %.3f s, audio %.3f s, RMS %.3f, dark mouth pixels %d -> %d\n",
           ext, (long long)p.video_frames, vdur, adur, rms, dark_silent, dark_open);
    free(p.luma_open);
    free(p.luma_silent);
    unlink(path);
}

int main(void)
{
    char dir[] = "/tmp/shuzi-e2e-XXXXXX";
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    render_and_check(dir, ".mp4");
    render_and_check(dir, ".mkv");
    rmdir(dir);
    return check_summary("test_e2e");
}
