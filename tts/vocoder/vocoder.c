/* SPDX-License-Identifier: Apache-2.0 */
/* vocoder.c: streaming source-filter vocoder (see vocoder.h). */
#include <libavutil/mem.h>
#include <libavutil/tx.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/rng.h"
#include "tts/vocoder/vocoder.h"

#define VOC_MAX_PULSES 512
#define VOC_RING 4
#define VOC_MAX_FEATS 260
/* Frames are Hann windows of 2 x hop overlap-added at hop: the windows sum
 * to 1, and independent noise frames to a variance of 3/4, which this gain
 * restores to 1. (Windows of 4 x hop smeared stop bursts and formant moves:
 * see tools/train/features.py, ENV_WIN.) */
#define VOC_WIN_HOPS 2
#define VOC_NOISE_GAIN 1.1547005f

typedef struct voc_pulse {
    double pos;
    float amp;
} voc_pulse;

struct voc {
    voc_params p;
    int n, nb, n_feats;
    AVTXContext *fwd, *inv;
    av_tx_fn fwd_fn, inv_fn;
    AVComplexFloat *a, *b, *hmin, *exc;
    float *win, *acc, *band_frac;
    int *band_lo;
    float *mix_h, *mix_n; /* per bin: amplitude gains of pulses and noise in voiced frames */
    float ring[VOC_RING][VOC_MAX_FEATS];
    float ring_pitch[VOC_RING];
    int64_t pushed, next_frame, emitted, acc_base;
    double pulses_until, next_pulse;
    voc_pulse pulses[VOC_MAX_PULSES];
    int n_pulses;
    uint64_t rng;
};

static double voc_mel(double f) { return 2595.0 * log10(1.0 + f / 700.0); }

voc *voc_new(const voc_params *p)
{
    int n = VOC_WIN_HOPS * p->hop;
    if (p->hop < 16 || (n & (n - 1)) || p->n_bands < 2 || p->n_bands + 2 > VOC_MAX_FEATS ||
        p->sample_rate < 8000)
        return NULL;
    voc *v = calloc(1, sizeof *v);
    if (!v)
        return NULL;
    v->p = *p;
    v->n = n;
    v->nb = n / 2 + 1;
    v->n_feats = p->n_bands + 2;
    float scale = 1.0f;
    int ok = av_tx_init(&v->fwd, &v->fwd_fn, AV_TX_FLOAT_FFT, 0, n, &scale, 0) >= 0 &&
             av_tx_init(&v->inv, &v->inv_fn, AV_TX_FLOAT_FFT, 1, n, &scale, 0) >= 0;
    v->a = av_malloc(sizeof(AVComplexFloat) * n);
    v->b = av_malloc(sizeof(AVComplexFloat) * n);
    v->hmin = av_malloc(sizeof(AVComplexFloat) * n);
    v->exc = av_malloc(sizeof(AVComplexFloat) * n);
    v->win = malloc(sizeof(float) * n);
    v->acc = calloc((size_t)2 * n, sizeof(float));
    v->band_frac = malloc(sizeof(float) * v->nb);
    v->band_lo = malloc(sizeof(int) * v->nb);
    v->mix_h = malloc(sizeof(float) * v->nb);
    v->mix_n = malloc(sizeof(float) * v->nb);
    if (!ok || !v->a || !v->b || !v->hmin || !v->exc || !v->win || !v->acc || !v->band_frac ||
        !v->band_lo || !v->mix_h || !v->mix_n) {
        voc_free(&v);
        return NULL;
    }
    for (int i = 0; i < n; i++)
        v->win[i] = 0.5f - 0.5f * cosf(2.0f * (float)M_PI * (float)i / (float)n);
    double top = voc_mel(p->sample_rate / 2.0);
    for (int k = 0; k < v->nb; k++) {
        double f = (double)k * p->sample_rate / n;
        double pos = voc_mel(f) / top * (p->n_bands - 1);
        int lo = (int)floor(pos);
        if (lo >= p->n_bands - 1)
            lo = p->n_bands - 2;
        v->band_lo[k] = lo;
        v->band_frac[k] = (float)(pos - lo);
        double s = f < 3000.0 ? 1.0 : f > 8000.0 ? 0.25 : 1.0 - 0.75 * (f - 3000.0) / 5000.0;
        v->mix_h[k] = (float)sqrt(s); /* power s harmonic, 1 - s noise */
        v->mix_n[k] = (float)sqrt(1.0 - s);
    }
    voc_reset(v, 1);
    return v;
}

void voc_free(voc **pv)
{
    if (!pv || !*pv)
        return;
    voc *v = *pv;
    av_tx_uninit(&v->fwd);
    av_tx_uninit(&v->inv);
    av_free(v->a);
    av_free(v->b);
    av_free(v->hmin);
    av_free(v->exc);
    free(v->win);
    free(v->acc);
    free(v->band_frac);
    free(v->band_lo);
    free(v->mix_h);
    free(v->mix_n);
    free(v);
    *pv = NULL;
}

void voc_reset(voc *v, uint64_t seed)
{
    v->pushed = v->next_frame = v->emitted = v->acc_base = 0;
    v->pulses_until = v->next_pulse = 0.0;
    v->n_pulses = 0;
    v->rng = seed * 0x9e3779b97f4a7c15ull + 0x632be59bd9b4e019ull;
    memset(v->acc, 0, sizeof(float) * 2 * (size_t)v->n);
}

static double voc_uniform(voc *v)
{
    uint64_t z = rng_next(&v->rng);
    return ((double)(z >> 11) + 0.5) / 9007199254740992.0;
}

static const float *voc_frame(const voc *v, int64_t i, float *pitch)
{
    if (i >= v->pushed)
        i = v->pushed - 1;
    if (i < 0)
        i = 0;
    *pitch = v->ring_pitch[i % VOC_RING];
    return v->ring[i % VOC_RING];
}

static int voc_voiced(const voc *v, const float *f)
{
    return f[v->p.n_bands + 1] > v->p.voicing_threshold;
}

/* Pulse positions up to `limit` (absolute samples): F0 is interpolated
 * linearly between frame centres; a pulse is kept where the nearest frame
 * is voiced, with amplitude sqrt(period) (unit power per sample). */
static void voc_gen_pulses(voc *v, double limit)
{
    const int nb = v->p.n_bands, hop = v->p.hop;
    while (v->next_pulse < limit) {
        double pos = v->next_pulse;
        int64_t k = (int64_t)floor(pos / hop);
        double frac = pos / hop - (double)k;
        float pa, pb;
        const float *fa = voc_frame(v, k, &pa), *fb = voc_frame(v, k + 1, &pb);
        double lf0 = (1.0 - frac) * (fa[nb] + log(pa)) + frac * (fb[nb] + log(pb));
        double f0 = exp(lf0);
        if (f0 < 40.0)
            f0 = 40.0;
        if (f0 > 1000.0)
            f0 = 1000.0;
        double period = v->p.sample_rate / f0;
        int voiced = voc_voiced(v, frac < 0.5 ? fa : fb);
        if (voiced) {
            if (v->n_pulses == VOC_MAX_PULSES) { /* cannot happen with the F0 clamp */
                memmove(v->pulses, v->pulses + 1, sizeof(voc_pulse) * (VOC_MAX_PULSES - 1));
                v->n_pulses--;
            }
            v->pulses[v->n_pulses++] = (voc_pulse){pos, (float)sqrt(period)};
        }
        v->next_pulse = pos + period;
    }
    v->pulses_until = limit;
}

/* Renders frame m into the overlap-add buffer. */
static void voc_process(voc *v, int64_t m)
{
    const int n = v->n, nb = v->nb, hop = v->p.hop;
    float pitch;
    const float *f = voc_frame(v, m, &pitch);
    (void)pitch;
    double start = (double)m * hop - n / 2;
    voc_gen_pulses(v, start + n);
    /* minimum-phase filter from the log envelope (real cepstrum, folded) */
    for (int k = 0; k < nb; k++) {
        int lo = v->band_lo[k];
        float lp = f[lo] + v->band_frac[k] * (f[lo + 1] - f[lo]);
        float lm = 0.5f * lp; /* log magnitude */
        v->a[k] = (AVComplexFloat){lm, 0.0f};
        if (k > 0 && k < n / 2)
            v->a[n - k] = (AVComplexFloat){lm, 0.0f};
    }
    v->inv_fn(v->inv, v->b, v->a, sizeof(AVComplexFloat));
    float inv_n = 1.0f / (float)n;
    v->a[0] = (AVComplexFloat){v->b[0].re * inv_n, 0.0f};
    for (int i = 1; i < n / 2; i++)
        v->a[i] = (AVComplexFloat){2.0f * v->b[i].re * inv_n, 0.0f};
    v->a[n / 2] = (AVComplexFloat){v->b[n / 2].re * inv_n, 0.0f};
    for (int i = n / 2 + 1; i < n; i++)
        v->a[i] = (AVComplexFloat){0.0f, 0.0f};
    v->fwd_fn(v->fwd, v->hmin, v->a, sizeof(AVComplexFloat));
    /* noise excitation: windowed white noise */
    for (int i = 0; i < n; i += 2) {
        double u1 = voc_uniform(v), u2 = voc_uniform(v);
        double r = sqrt(-2.0 * log(u1));
        v->a[i] = (AVComplexFloat){(float)(r * cos(2 * M_PI * u2)) * v->win[i] * VOC_NOISE_GAIN, 0};
        v->a[i + 1] =
            (AVComplexFloat){(float)(r * sin(2 * M_PI * u2)) * v->win[i + 1] * VOC_NOISE_GAIN, 0};
    }
    v->fwd_fn(v->fwd, v->exc, v->a, sizeof(AVComplexFloat));
    /* pulse excitation: the spectrum of the windowed pulses, exactly. A
     * voiced frame is mixed by mix_h/mix_n whatever its voicing strength:
     * scaling by the strength added noise to vowels and cost words in ASR
     * tests of copy synthesis. */
    int voiced = voc_voiced(v, f);
    if (voiced) {
        for (int k = 0; k < nb; k++)
            v->b[k] = (AVComplexFloat){0.0f, 0.0f};
        int keep = 0;
        for (int i = 0; i < v->n_pulses; i++) {
            double q = v->pulses[i].pos - start;
            if (q >= 0.0 && q < n) {
                double r = v->pulses[i].amp * (0.5 - 0.5 * cos(2.0 * M_PI * q / n));
                double zr = cos(-2.0 * M_PI * q / n), zi = sin(-2.0 * M_PI * q / n);
                double pr = r, pi = 0.0;
                for (int k = 0; k < nb; k++) {
                    v->b[k].re += (float)pr;
                    v->b[k].im += (float)pi;
                    double t = pr * zr - pi * zi;
                    pi = pr * zi + pi * zr;
                    pr = t;
                }
            }
            if (v->pulses[i].pos >= start + hop) /* still needed by later frames */
                v->pulses[keep++] = v->pulses[i];
        }
        v->n_pulses = keep;
        for (int k = 0; k < nb; k++) {
            float sh = v->mix_h[k], sn = v->mix_n[k];
            v->exc[k].re = sh * v->b[k].re + sn * v->exc[k].re;
            v->exc[k].im = sh * v->b[k].im + sn * v->exc[k].im;
        }
    } else {
        int keep = 0;
        for (int i = 0; i < v->n_pulses; i++)
            if (v->pulses[i].pos >= start + hop)
                v->pulses[keep++] = v->pulses[i];
        v->n_pulses = keep;
    }
    /* filter, back to time, overlap-add */
    for (int k = 0; k < nb; k++) {
        float mag = expf(v->hmin[k].re);
        float ph = v->hmin[k].im;
        float hr = mag * cosf(ph), hi = mag * sinf(ph);
        AVComplexFloat e = v->exc[k];
        v->a[k] = (AVComplexFloat){hr * e.re - hi * e.im, hr * e.im + hi * e.re};
    }
    v->a[0].im = 0.0f;
    v->a[n / 2].im = 0.0f;
    for (int k = 1; k < n / 2; k++)
        v->a[n - k] = (AVComplexFloat){v->a[k].re, -v->a[k].im};
    v->inv_fn(v->inv, v->b, v->a, sizeof(AVComplexFloat));
    int64_t s0 = (int64_t)m * hop - n / 2;
    for (int i = 0; i < n; i++) {
        int64_t s = s0 + i;
        if (s < v->acc_base)
            continue;
        v->acc[s - v->acc_base] += inv_n * v->b[i].re;
    }
}

static size_t voc_emit(voc *v, int64_t upto, float *out)
{
    size_t k = 0;
    if (upto > v->emitted) {
        k = (size_t)(upto - v->emitted);
        memcpy(out, v->acc + (v->emitted - v->acc_base), sizeof(float) * k);
        v->emitted = upto;
        size_t drop = (size_t)(v->emitted - v->acc_base);
        memmove(v->acc, v->acc + drop, sizeof(float) * (2 * (size_t)v->n - drop));
        memset(v->acc + 2 * (size_t)v->n - drop, 0, sizeof(float) * drop);
        v->acc_base = v->emitted;
    }
    return k;
}

size_t voc_push(voc *v, const float *frame, float pitch_scale, float *out)
{
    int64_t j = v->pushed;
    memcpy(v->ring[j % VOC_RING], frame, sizeof(float) * (size_t)v->n_feats);
    v->ring_pitch[j % VOC_RING] = pitch_scale > 0.0f ? pitch_scale : 1.0f;
    v->pushed++;
    size_t k = 0;
    while (v->next_frame <= j - 2) {
        voc_process(v, v->next_frame);
        v->next_frame++;
        int64_t final_upto = (v->next_frame - 2) * (int64_t)v->p.hop;
        k += voc_emit(v, final_upto, out + k);
    }
    return k;
}

size_t voc_finish(voc *v, float *out)
{
    size_t k = 0;
    while (v->next_frame < v->pushed) {
        voc_process(v, v->next_frame);
        v->next_frame++;
    }
    k += voc_emit(v, v->pushed * (int64_t)v->p.hop, out);
    return k;
}
