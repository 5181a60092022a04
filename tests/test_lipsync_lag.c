/* SPDX-License-Identifier: Apache-2.0 */
/* test_lipsync_lag.c: the mouth moves with the voice in the encoded file.
 * Renders a few sentences through the whole pipeline (espeak -> lipsync ->
 * avatar -> H.264/AAC MP4), with the 2D presenter and the photo host mei,, decodes both streams with libavformat and
 * cross-correlates, frame by frame, the audio's RMS envelope with the
 * mouth's opening (dark cavity pixels in the mouth box). The lag at the
 * correlation peak (sub-frame, parabolic) must be within one frame. The
 * same render with the mouth delayed two frames (an engine test hook) must
 * measure about two frames and fail the bar, so the test can see a lag. */
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "avatar/avatar.h"
#include "engine/engine.h"
#include "shuzi.h"

#include "check.h"

#define W 640
#define H 360
#define FPS 30
#define MAX_LAG 6
#define TEXT                                                                                       \
    "Hello, and welcome to our bank. My name is Mia, and I am happy to help you today. "           \
    "Would you like to open a savings account, or pay a bill?"

/* The mouth cavity: pixels dark with the jaw open and light with it shut;
 * threshold: half way between their mean lumas. */
typedef struct mouth {
    int x0, y0, x1, y1;
    double threshold;
} mouth;

static double luma(const uint8_t *bgra)
{
    return 0.114 * bgra[0] + 0.587 * bgra[1] + 0.299 * bgra[2];
}

static int find_mouth(const char *avatar, mouth *m)
{
    avatar_config ac = {.avatar = avatar, .width = W, .height = H, .background_rgb = 0x2b3a4a};
    avatar_renderer *r = NULL;
    char err[256];
    if (avatar_open(&ac, &r, err, sizeof err) != SZ_OK) {
        fprintf(stderr, "avatar: %s\n", err);
        return -1;
    }
    uint8_t *a = calloc((size_t)W * H, 4), *b = calloc((size_t)W * H, 4);
    sz_face fa, fb;
    memset(&fa, 0, sizeof fa);
    memset(&fb, 0, sizeof fb);
    fa.viseme[0] = fb.viseme[10] = 1.0f;
    fb.jaw_open = 1.0f;
    fb.speaking = 1.0f;
    sz_video_frame va = {SZ_PIX_BGRA, W, H, W * 4, a, 0}, vb = {SZ_PIX_BGRA, W, H, W * 4, b, 0};
    avatar_render(r, &fa, &va);
    avatar_render(r, &fb, &vb);
    int x0 = W, y0 = H, x1 = -1, y1 = -1;
    double dark = 0, light = 0;
    int n = 0;
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) {
            double lo = luma(b + ((size_t)y * W + x) * 4), hi = luma(a + ((size_t)y * W + x) * 4);
            if (hi - lo > 60) {
                x0 = x < x0 ? x : x0;
                y0 = y < y0 ? y : y0;
                x1 = x > x1 ? x : x1;
                y1 = y > y1 ? y : y1;
                dark += lo;
                light += hi;
                n++;
            }
        }
    free(a);
    free(b);
    avatar_free(&r);
    if (n < 30)
        return -1;
    /* a margin for the head's idle motion */
    m->x0 = x0 > 6 ? x0 - 6 : 0;
    m->y0 = y0 > 6 ? y0 - 6 : 0;
    m->x1 = x1 + 7 < W ? x1 + 7 : W;
    m->y1 = y1 + 7 < H ? y1 + 7 : H;
    m->threshold = 0.5 * (dark + light) / n;
    return 0;
}

static int render(const char *avatar, const char *path, int shift)
{
    sz_engine *engine = NULL;
    sz_session *s = NULL;
    if (sz_engine_create(sz_engine_default_params(), &engine) != SZ_OK)
        return -1;
    sz_session_params sp = sz_session_default_params();
    sp.width = W;
    sp.height = H;
    sp.fps = FPS;
    sp.voice = "espeak:en-us"; /* the envelope method is tuned to its speech; see the header */
    sp.avatar = avatar;
    int rc = sz_session_create(engine, sp, &s);
    if (rc == SZ_OK)
        rc = engine_test_shift_face(s, shift);
    if (rc == SZ_OK)
        rc = sz_session_add_output(s, path, NULL);
    if (rc == SZ_OK)
        rc = sz_session_start(s);
    if (rc == SZ_OK && sz_session_say(s, TEXT, 0) < 0)
        rc = SZ_ERR_INTERNAL;
    if (rc == SZ_OK)
        rc = sz_session_finish(s);
    if (rc != SZ_OK)
        fprintf(stderr, "render: %s\n",
                s ? sz_session_last_error(s) : sz_engine_last_error(engine));
    sz_session_free(&s);
    sz_engine_free(&engine);
    return rc;
}

/* Per video frame: audio RMS over the frame's time span and the count of
 * dark cavity pixels. Both streams are placed by their timestamps. */
typedef struct series {
    double *rms, *open;
    int n;
} series;

static int measure(const char *path, const mouth *m, series *out)
{
    memset(out, 0, sizeof *out);
    AVFormatContext *fc = NULL;
    if (avformat_open_input(&fc, path, NULL, NULL) < 0)
        return -1;
    avformat_find_stream_info(fc, NULL);
    int vi = av_find_best_stream(fc, AVMEDIA_TYPE_VIDEO, -1, -1, NULL, 0);
    int ai = av_find_best_stream(fc, AVMEDIA_TYPE_AUDIO, -1, -1, NULL, 0);
    if (vi < 0 || ai < 0) {
        avformat_close_input(&fc);
        return -1;
    }
    AVCodecContext *cc[2] = {NULL, NULL};
    int idx[2] = {vi, ai};
    for (int k = 0; k < 2; k++) {
        AVCodecParameters *par = fc->streams[idx[k]]->codecpar;
        const AVCodec *dec = avcodec_find_decoder(par->codec_id);
        cc[k] = avcodec_alloc_context3(dec);
        avcodec_parameters_to_context(cc[k], par);
        avcodec_open2(cc[k], dec, NULL);
    }
    int cap = 64 * FPS;
    double *sq = calloc((size_t)cap, sizeof *sq), *cnt = calloc((size_t)cap, sizeof *cnt);
    out->open = calloc((size_t)cap, sizeof *out->open);
    int max_frame = -1;
    AVPacket *pkt = av_packet_alloc();
    AVFrame *fr = av_frame_alloc();
    int eof = 0;
    while (!eof) {
        int k = -1;
        if (av_read_frame(fc, pkt) < 0)
            eof = 1;
        else
            k = pkt->stream_index == vi ? 0 : pkt->stream_index == ai ? 1 : -1;
        for (int j = 0; j < 2; j++) {
            if (!eof && j != k)
                continue;
            avcodec_send_packet(cc[j], eof ? NULL : pkt);
            while (avcodec_receive_frame(cc[j], fr) == 0) {
                AVRational tb = fc->streams[idx[j]]->time_base;
                double t = (double)fr->best_effort_timestamp * av_q2d(tb);
                if (j == 0) {
                    int f = (int)lround(t * FPS);
                    if (f >= 0 && f < cap) {
                        int dark = 0;
                        for (int y = m->y0; y < m->y1; y++)
                            for (int x = m->x0; x < m->x1; x++)
                                dark += fr->data[0][(size_t)y * fr->linesize[0] + x] < m->threshold;
                        out->open[f] = dark;
                        max_frame = f > max_frame ? f : max_frame;
                    }
                } else {
                    const float *s = (const float *)fr->data[0];
                    for (int i = 0; i < fr->nb_samples; i++) {
                        int f = (int)floor((t + (double)i / fr->sample_rate) * FPS);
                        if (f >= 0 && f < cap) {
                            sq[f] += (double)s[i] * s[i];
                            cnt[f] += 1;
                        }
                    }
                }
                av_frame_unref(fr);
            }
        }
        if (!eof)
            av_packet_unref(pkt);
    }
    out->n = max_frame + 1;
    out->rms = calloc((size_t)cap, sizeof *out->rms);
    for (int f = 0; f < out->n; f++)
        out->rms[f] = cnt[f] > 0 ? sqrt(sq[f] / cnt[f]) : 0.0;
    free(sq);
    free(cnt);
    av_frame_free(&fr);
    av_packet_free(&pkt);
    avcodec_free_context(&cc[0]);
    avcodec_free_context(&cc[1]);
    avformat_close_input(&fc);
    return out->n > 2 * FPS ? 0 : -1;
}

/* Lag of the mouth behind the audio, in frames (negative: the mouth leads),
 * from the peak of the normalised cross-correlation over the speech. */
static double lag_frames(const series *s, double *peak_r)
{
    int a = -1, b = -1;
    double max_rms = 0;
    for (int f = 0; f < s->n; f++)
        max_rms = s->rms[f] > max_rms ? s->rms[f] : max_rms;
    for (int f = 0; f < s->n; f++)
        if (s->rms[f] > 0.05 * max_rms) {
            if (a < 0)
                a = f;
            b = f;
        }
    a = a - MAX_LAG > 0 ? a - MAX_LAG : 0;
    b = b + MAX_LAG < s->n ? b + MAX_LAG : s->n - 1;
    double ma = 0, mo = 0;
    int n = b - a + 1;
    for (int f = a; f <= b; f++) {
        ma += s->rms[f];
        mo += s->open[f];
    }
    ma /= n;
    mo /= n;
    double r[2 * MAX_LAG + 1];
    int best = 0;
    for (int L = -MAX_LAG; L <= MAX_LAG; L++) {
        double num = 0, da = 0, dm = 0;
        for (int f = a; f <= b; f++) {
            int g = f + L;
            if (g < a || g > b)
                continue;
            double x = s->rms[f] - ma, y = s->open[g] - mo;
            num += x * y;
            da += x * x;
            dm += y * y;
        }
        r[L + MAX_LAG] = da > 0 && dm > 0 ? num / sqrt(da * dm) : 0;
        if (r[L + MAX_LAG] > r[best + MAX_LAG])
            best = L;
    }
    *peak_r = r[best + MAX_LAG];
    double off = 0;
    if (best > -MAX_LAG && best < MAX_LAG) {
        double y0 = r[best + MAX_LAG - 1], y1 = r[best + MAX_LAG], y2 = r[best + MAX_LAG + 1];
        double den = y0 - 2 * y1 + y2;
        if (den < 0)
            off = 0.5 * (y0 - y2) / den;
    }
    return best + off;
}

/* The lag of one avatar's mouth, unshifted and with the two-frame delay. */
static void lag_of(const char *avatar)
{
    mouth m;
    if (find_mouth(avatar, &m) != 0) {
        CHECK(0, "cannot find the mouth of %s", avatar);
        return;
    }
    char dir[] = "/tmp/shuzi-lag-XXXXXX";
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        CHECK(0, "mkdtemp");
        return;
    }
    double lags[2] = {0, 0};
    const int shifts[2] = {0, 2};
    for (int i = 0; i < 2; i++) {
        char path[256];
        snprintf(path, sizeof path, "%s/lag%d.mp4", dir, shifts[i]);
        int rc = render(avatar, path, shifts[i]);
        CHECK(rc == SZ_OK, "%s: render with shift %d: %s", avatar, shifts[i], sz_strerror(rc));
        series s;
        if (rc != SZ_OK || measure(path, &m, &s) != 0) {
            CHECK(0, "%s: cannot measure %s", avatar, path);
            unlink(path);
            continue;
        }
        double r = 0;
        lags[i] = lag_frames(&s, &r);
        printf("%s: mouth shifted %d frames: measured lag %+.2f frames (%+.0f ms), correlation "
               "%.2f over %d frames\n",
               avatar, shifts[i], lags[i], lags[i] * 1000.0 / FPS, r, s.n);
        CHECK(r > 0.25, "%s: shift %d: weak correlation %.2f between audio and mouth", avatar,
              shifts[i], r);
        free(s.rms);
        free(s.open);
        unlink(path);
    }
    rmdir(dir);
    CHECK(fabs(lags[0]) <= 1.0, "%s: the mouth lags the audio by %.2f frames (at most 1 allowed)",
          avatar, lags[0]);
    /* The bar must catch a real lag: two frames late measures about two. */
    CHECK(fabs(lags[1]) > 1.0 && fabs(lags[1] - lags[0] - 2.0) < 0.5,
          "%s: a two-frame delay measured %.2f frames (unshifted %.2f): the test cannot see lag",
          avatar, lags[1], lags[0]);
}

int main(void)
{
    lag_of("presenter"); /* the 2D rig */
    lag_of("mei");       /* the photo host */
    CHECK(engine_test_shift_face(NULL, 1) == SZ_ERR_INVALID_ARG, "hook refuses NULL");
    return check_summary("test_lipsync_lag");
}
