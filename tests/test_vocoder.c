/* SPDX-License-Identifier: Apache-2.0 */
/* test_vocoder.c: the diffusion voice's DSP vocoder on known inputs: the
 * output level equals the envelope's power, voiced frames carry the asked
 * F0, the pitch control scales it, a jump of the envelope stays within a
 * hop of its frame, an F0 glide is followed where it is, and streaming
 * gives exactly frames x hop samples. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "pitch.h"
#include "tts/vocoder/vocoder.h"

#define SR 22050
#define HOP 256
#define BANDS 48
#define FRAMES 200

/* Renders FRAMES frames of a flat envelope (log PSD lpsd, from frame
 * jump_at on lpsd2), F0 f0, voicing v. */
static float *render_jump(float lpsd, int jump_at, float lpsd2, float f0, float v, float pitch,
                          size_t *n)
{
    voc_params p = {.sample_rate = SR, .hop = HOP, .n_bands = BANDS, .voicing_threshold = 0.45f};
    voc *vc = voc_new(&p);
    CHECK(vc != NULL, "voc_new");
    float *out = calloc((size_t)(FRAMES + 8) * HOP, sizeof(float));
    float frame[BANDS + 2];
    for (int i = 0; i < BANDS; i++)
        frame[i] = lpsd;
    frame[BANDS] = logf(f0);
    frame[BANDS + 1] = v;
    size_t k = 0;
    voc_reset(vc, 3);
    for (int t = 0; t < FRAMES; t++) {
        if (t == jump_at)
            for (int i = 0; i < BANDS; i++)
                frame[i] = lpsd2;
        size_t got = voc_push(vc, frame, pitch, out + k);
        CHECK(got <= HOP, "one push gave %zu samples", got);
        k += got;
    }
    k += voc_finish(vc, out + k);
    voc_free(&vc);
    *n = k;
    return out;
}

static float *render(float lpsd, float f0, float v, float pitch, size_t *n)
{
    return render_jump(lpsd, FRAMES, lpsd, f0, v, pitch, n);
}

static double variance(const float *x, size_t a, size_t b)
{
    double s = 0;
    for (size_t i = a; i < b; i++)
        s += (double)x[i] * x[i];
    return s / (double)(b - a);
}

/* F0 of the signal low-passed (a flat envelope makes sharp pulses at
 * fractional positions, which correlate poorly sample by sample). */
static double f0_of(const float *raw, size_t a, size_t b)
{
    static float x[FRAMES * HOP];
    for (size_t i = a; i < b; i++) {
        double s = 0;
        for (size_t j = 0; j < 16; j++)
            s += raw[i - j];
        x[i] = (float)(s / 16);
    }
    double strength;
    return pitch_f0(x, a, b - a - SR / 60, SR, 60, 600, &strength);
}

int main(void)
{
    size_t n;
    /* unvoiced: white noise of variance exp(lpsd) */
    float *u = render(logf(0.01f), 200.0f, 0.0f, 1.0f, &n);
    CHECK(n == (size_t)FRAMES * HOP, "%zu samples for %d frames", n, FRAMES);
    double vu = variance(u, n / 4, 3 * n / 4);
    printf("unvoiced, PSD 0.01: variance %.5f\n", vu);
    CHECK(fabs(vu / 0.01 - 1.0) < 0.15, "noise variance %.5f, expected 0.01", vu);
    /* voiced: a pulse train of the same power at the asked F0 */
    float *v = render(logf(0.01f), 180.0f, 0.95f, 1.0f, &n);
    double vv = variance(v, n / 4, 3 * n / 4), f = f0_of(v, n / 2, n / 2 + 2048);
    printf("voiced, PSD 0.01, F0 180: variance %.5f, F0 %.1f Hz\n", vv, f);
    CHECK(fabs(vv / 0.01 - 1.0) < 0.25, "voiced variance %.5f, expected 0.01", vv);
    CHECK(fabs(f - 180.0) < 4.0, "F0 %.1f Hz, expected 180", f);
    /* the pitch control scales F0 and keeps the level */
    float *h = render(logf(0.01f), 180.0f, 0.95f, 1.5f, &n);
    double fh = f0_of(h, n / 2, n / 2 + 2048), vh = variance(h, n / 4, 3 * n / 4);
    printf("pitch x1.5: F0 %.1f Hz, variance %.5f\n", fh, vh);
    CHECK(fabs(fh - 270.0) < 6.0, "F0 %.1f Hz, expected 270", fh);
    CHECK(fabs(vh / 0.01 - 1.0) < 0.25, "variance %.5f with pitch 1.5", vh);
    /* a quieter envelope is quieter by the same factor */
    float *q = render(logf(0.0001f), 180.0f, 0.95f, 1.0f, &n);
    double vq = variance(q, n / 4, 3 * n / 4);
    CHECK(fabs(vv / vq / 100.0 - 1.0) < 0.1, "a 20 dB lower envelope gave %.1f dB",
          10 * log10(vv / vq));
    /* time resolution: noise 30 dB louder from frame 100 on. Frame 100's
     * window starts one hop before its centre; the hop before that must
     * stay at the quiet level (a 4-hop window leaked -14 dB there). */
    float *j = render_jump(logf(1e-5f), 100, logf(0.01f), 180.0f, 0.0f, 1.0f, &n);
    double loud = variance(j, 110 * HOP, 150 * HOP), before = variance(j, 98 * HOP, 99 * HOP),
           quiet = variance(j, 60 * HOP, 90 * HOP);
    printf("envelope jump of 30 dB at frame 100: hop 98 at %.1f dB, quiet part %.1f dB\n",
           10 * log10(before / loud), 10 * log10(quiet / loud));
    CHECK(10 * log10(before / loud) < -25.0, "the hop before the jump's window is at %.1f dB",
          10 * log10(before / loud));
    free(j);
    /* an F0 glide (150 to 300 Hz over frames 50 to 150) is rendered where
     * the frames put it: the pulses follow each frame's F0 at its centre */
    {
        voc_params p = {.sample_rate = SR, .hop = HOP, .n_bands = BANDS, .voicing_threshold = 0.45f};
        voc *vc = voc_new(&p);
        CHECK(vc != NULL, "voc_new");
        float *g = calloc((size_t)(FRAMES + 8) * HOP, sizeof(float));
        float frame[BANDS + 2];
        size_t k = 0;
        voc_reset(vc, 5);
        for (int t = 0; t < FRAMES; t++) {
            double x = t < 50 ? 0 : t > 150 ? 1 : (t - 50) / 100.0;
            for (int i = 0; i < BANDS; i++)
                frame[i] = logf(0.01f);
            frame[BANDS] = (float)log(150.0 * pow(2.0, x));
            frame[BANDS + 1] = 0.95f;
            k += voc_push(vc, frame, 1.0f, g + k);
        }
        k += voc_finish(vc, g + k);
        CHECK(k == (size_t)FRAMES * HOP, "%zu samples", k);
        double worst = 0;
        for (int c = 60; c <= 140; c += 20) {
            /* a window of 1024 samples centred on frame c */
            double f = f0_of(g, (size_t)c * HOP - 512, (size_t)c * HOP + 512 + SR / 60);
            double want = 150.0 * pow(2.0, (c - 50) / 100.0);
            double err = 12 * log2(f / want);
            printf("glide: frame %d F0 %.1f Hz (frames say %.1f)\n", c, f, want);
            worst = fmax(worst, fabs(err));
        }
        CHECK(worst < 0.5, "the glide is off by %.2f semitones", worst);
        voc_free(&vc);
        free(g);
    }
    /* bad parameters are refused */
    voc_params bad = {.sample_rate = SR, .hop = 250, .n_bands = BANDS};
    CHECK(voc_new(&bad) == NULL, "a hop whose window is not a power of two was accepted");
    free(u);
    free(v);
    free(h);
    free(q);
    return check_summary("test_vocoder");
}
