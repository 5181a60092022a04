/* SPDX-License-Identifier: Apache-2.0 */
/* vocoder.c: streaming pitch-synchronous source-filter vocoder (see
 * vocoder.h).
 *
 * Every frame's envelope becomes a minimum-phase log spectrum (real
 * cepstrum, folded) once, when the frame arrives. Each glottal pulse then
 * gets its own impulse response: the log spectra of the two frames around
 * it interpolated at its exact time (linear in the complex log spectrum,
 * which is the minimum-phase spectrum of the interpolated envelope), its
 * fractional position as a linear phase, the harmonic share of each
 * frequency; the response (4 x hop samples) is added at the pulse. Noise
 * is rendered frame by frame (Hann windows of 2 x hop, zero-padded so the
 * filter does not wrap) and overlap-added. Rendering whole responses per
 * pulse, instead of filtering windowed pulse trains frame by frame, keeps
 * every pulse's response whole and unsmeared: copies of Festival's speech
 * through the same 48-band features lost 1.4 fewer points of word error
 * rate to the recognizer (tools/train/README.md, "The vocoder"). */
#include <libavutil/mem.h>
#include <libavutil/tx.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/rng.h"
#include "tts/vocoder/vocoder.h"

#define VOC_RING 4
#define VOC_MAX_FEATS 260
#define VOC_QUEUE (2 * VOC_REFINER_MAX_CONTEXT + 1) /* frames the refiner reads */
#define VOC_FFT_HOPS 4 /* a pulse's response: 4 x hop samples (46 ms at 22,050 Hz) */
/* Noise frames are Hann windows of 2 x hop overlap-added at hop: the
 * windows sum to 1, and independent noise frames to a variance of 3/4,
 * which this gain restores to 1. */
#define VOC_NOISE_HOPS 2
#define VOC_NOISE_GAIN 1.1547005f

struct voc {
    voc_params p;
    int n, nb, n_feats; /* FFT size, bins 0 .. n/2, floats per frame */
    AVTXContext *fwd, *inv;
    av_tx_fn fwd_fn, inv_fn;
    AVComplexFloat *a, *b;
    AVComplexFloat *logspec[VOC_RING]; /* per frame: minimum-phase log spectrum (nb bins) */
    float *win, *acc, *band_frac;
    int *band_lo;
    float *mix_h, *mix_n; /* per bin: amplitude gains of pulses and noise in voiced frames */
    float ring[VOC_RING][VOC_MAX_FEATS];
    float ring_pitch[VOC_RING];
    int64_t pushed, emitted, acc_base;
    double next_pulse;
    uint64_t rng;
    /* With a refiner: the frames pushed, waiting for their right context. */
    float queue[VOC_QUEUE][VOC_MAX_FEATS];
    float queue_pitch[VOC_QUEUE];
    int64_t queued;
    float *scratch;
    float refined[VOC_MAX_FEATS];
};

static double voc_mel(double f) { return 2595.0 * log10(1.0 + f / 700.0); }

voc *voc_new(const voc_params *p)
{
    int n = VOC_FFT_HOPS * p->hop;
    if (p->hop < 16 || (n & (n - 1)) || p->n_bands < 2 || p->n_bands + 2 > VOC_MAX_FEATS ||
        p->sample_rate < 8000 || (p->refiner && voc_refiner_bands(p->refiner) != p->n_bands))
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
    for (int r = 0; r < VOC_RING; r++) {
        v->logspec[r] = av_malloc(sizeof(AVComplexFloat) * v->nb);
        ok = ok && v->logspec[r];
    }
    v->win = malloc(sizeof(float) * VOC_NOISE_HOPS * p->hop);
    v->acc = calloc((size_t)2 * n, sizeof(float));
    v->band_frac = malloc(sizeof(float) * v->nb);
    v->band_lo = malloc(sizeof(int) * v->nb);
    v->mix_h = malloc(sizeof(float) * v->nb);
    v->mix_n = malloc(sizeof(float) * v->nb);
    if (p->refiner) {
        v->scratch = malloc(sizeof(float) * voc_refiner_scratch(p->refiner));
        ok = ok && v->scratch;
    }
    if (!ok || !v->a || !v->b || !v->win || !v->acc || !v->band_frac || !v->band_lo ||
        !v->mix_h || !v->mix_n) {
        voc_free(&v);
        return NULL;
    }
    int nw = VOC_NOISE_HOPS * p->hop;
    for (int i = 0; i < nw; i++)
        v->win[i] = 0.5f - 0.5f * cosf(2.0f * (float)M_PI * (float)i / (float)nw);
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
    for (int r = 0; r < VOC_RING; r++)
        av_free(v->logspec[r]);
    free(v->win);
    free(v->acc);
    free(v->band_frac);
    free(v->band_lo);
    free(v->mix_h);
    free(v->mix_n);
    free(v->scratch);
    free(v);
    *pv = NULL;
}

void voc_reset(voc *v, uint64_t seed)
{
    v->pushed = v->emitted = v->acc_base = v->queued = 0;
    v->next_pulse = 0.0;
    v->rng = seed * 0x9e3779b97f4a7c15ull + 0x632be59bd9b4e019ull;
    memset(v->acc, 0, sizeof(float) * 2 * (size_t)v->n);
}

static double voc_uniform(voc *v)
{
    uint64_t z = rng_next(&v->rng);
    return ((double)(z >> 11) + 0.5) / 9007199254740992.0;
}

/* The ring slot of frame i (clamped to the frames pushed). */
static int voc_slot(const voc *v, int64_t i)
{
    if (i >= v->pushed)
        i = v->pushed - 1;
    if (i < 0)
        i = 0;
    return (int)(i % VOC_RING);
}

static int voc_voiced(const voc *v, int slot)
{
    return v->ring[slot][v->p.n_bands + 1] > v->p.voicing_threshold;
}

/* The minimum-phase log spectrum of the frame in slot: log magnitude (half
 * the log PSD, interpolated from the mel bands) in re, phase in im. */
static void voc_logspec(voc *v, int slot)
{
    const int n = v->n, nb = v->nb;
    const float *f = v->ring[slot];
    for (int k = 0; k < nb; k++) {
        int lo = v->band_lo[k];
        float lm = 0.5f * (f[lo] + v->band_frac[k] * (f[lo + 1] - f[lo]));
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
    v->fwd_fn(v->fwd, v->b, v->a, sizeof(AVComplexFloat));
    memcpy(v->logspec[slot], v->b, sizeof(AVComplexFloat) * (size_t)nb);
}

/* v->a[0 .. nb-1] is a spectrum: makes it Hermitian, transforms it back and
 * adds the n samples from absolute sample `at` on (earlier ones are final
 * already and dropped). */
static void voc_add_spectrum(voc *v, int64_t at)
{
    const int n = v->n;
    v->a[0].im = 0.0f;
    v->a[n / 2].im = 0.0f;
    for (int k = 1; k < n / 2; k++)
        v->a[n - k] = (AVComplexFloat){v->a[k].re, -v->a[k].im};
    v->inv_fn(v->inv, v->b, v->a, sizeof(AVComplexFloat));
    float inv_n = 1.0f / (float)n;
    for (int i = 0; i < n; i++) {
        int64_t s = at + i;
        if (s >= v->acc_base)
            v->acc[s - v->acc_base] += inv_n * v->b[i].re;
    }
}

/* Renders the pulses before absolute sample `limit`: F0 is interpolated
 * linearly between frame centres; a pulse sounds where the nearest frame is
 * voiced, with amplitude sqrt(period) (unit power per sample). */
static void voc_pulses(voc *v, double limit)
{
    const int nbands = v->p.n_bands, hop = v->p.hop, nb = v->nb;
    while (v->next_pulse < limit) {
        double pos = v->next_pulse;
        int64_t k = (int64_t)floor(pos / (double)hop);
        float frac = (float)(pos / hop - (double)k);
        int sa = voc_slot(v, k), sb = voc_slot(v, k + 1);
        double lf0 = (1.0 - frac) * (v->ring[sa][nbands] + log(v->ring_pitch[sa])) +
                     frac * (v->ring[sb][nbands] + log(v->ring_pitch[sb]));
        double f0 = exp(lf0);
        if (f0 < 40.0)
            f0 = 40.0;
        if (f0 > 1000.0)
            f0 = 1000.0;
        double period = v->p.sample_rate / f0;
        if (voc_voiced(v, frac < 0.5f ? sa : sb)) {
            int64_t at = (int64_t)floor(pos);
            float d = (float)(pos - (double)at);
            float amp = (float)sqrt(period);
            const AVComplexFloat *la = v->logspec[sa], *lb = v->logspec[sb];
            float ramp = -2.0f * (float)M_PI * d / (float)v->n;
            for (int i = 0; i < nb; i++) {
                float re = la[i].re + frac * (lb[i].re - la[i].re);
                float im = la[i].im + frac * (lb[i].im - la[i].im) + ramp * (float)i;
                float mag = amp * v->mix_h[i] * expf(re);
                v->a[i] = (AVComplexFloat){mag * cosf(im), mag * sinf(im)};
            }
            voc_add_spectrum(v, at);
        }
        v->next_pulse = pos + period;
    }
}

/* Renders frame m's noise: windowed white noise, zero-padded, through the
 * frame's filter (all of it where unvoiced, the noise share where voiced). */
static void voc_noise(voc *v, int64_t m)
{
    const int n = v->n, nb = v->nb, nw = VOC_NOISE_HOPS * v->p.hop;
    int slot = voc_slot(v, m);
    for (int i = 0; i < nw; i += 2) {
        double u1 = voc_uniform(v), u2 = voc_uniform(v);
        double r = sqrt(-2.0 * log(u1));
        v->a[i] = (AVComplexFloat){(float)(r * cos(2 * M_PI * u2)) * v->win[i] * VOC_NOISE_GAIN, 0};
        v->a[i + 1] =
            (AVComplexFloat){(float)(r * sin(2 * M_PI * u2)) * v->win[i + 1] * VOC_NOISE_GAIN, 0};
    }
    for (int i = nw; i < n; i++)
        v->a[i] = (AVComplexFloat){0.0f, 0.0f};
    v->fwd_fn(v->fwd, v->b, v->a, sizeof(AVComplexFloat));
    int voiced = voc_voiced(v, slot);
    const AVComplexFloat *ls = v->logspec[slot];
    for (int k = 0; k < nb; k++) {
        float mag = expf(ls[k].re) * (voiced ? v->mix_n[k] : 1.0f);
        float hr = mag * cosf(ls[k].im), hi = mag * sinf(ls[k].im);
        AVComplexFloat e = v->b[k];
        v->a[k] = (AVComplexFloat){hr * e.re - hi * e.im, hr * e.im + hi * e.re};
    }
    voc_add_spectrum(v, m * v->p.hop - v->p.hop);
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

/* Renders the next frame (the refined one with a refiner). */
static size_t voc_render(voc *v, const float *frame, float pitch_scale, float *out)
{
    int64_t j = v->pushed;
    int slot = (int)(j % VOC_RING);
    memcpy(v->ring[slot], frame, sizeof(float) * (size_t)v->n_feats);
    v->ring_pitch[slot] = pitch_scale > 0.0f ? pitch_scale : 1.0f;
    v->pushed++;
    voc_logspec(v, slot);
    /* Pulses before frame j's centre have both their frames; noise frame j
     * starts a hop before it. Later pulses and frames start at or after
     * j x hop, so every sample before it is final. */
    voc_pulses(v, (double)j * v->p.hop);
    voc_noise(v, j);
    return voc_emit(v, j * (int64_t)v->p.hop, out);
}

/* Refines queued frame m (its neighbours clamped to the frames queued) and
 * renders it. */
static size_t voc_render_queued(voc *v, int64_t m, float *out)
{
    const int c = voc_refiner_context(v->p.refiner);
    const float *frames[VOC_QUEUE];
    for (int i = 0; i <= 2 * c; i++) {
        int64_t k = m - c + i;
        k = k < 0 ? 0 : k >= v->queued ? v->queued - 1 : k;
        frames[i] = v->queue[k % VOC_QUEUE];
    }
    int q = (int)(m % VOC_QUEUE);
    memcpy(v->refined, v->queue[q], sizeof(float) * (size_t)v->n_feats);
    voc_refiner_apply(v->p.refiner, frames, logf(v->queue_pitch[q]), v->scratch, v->refined);
    return voc_render(v, v->refined, v->queue_pitch[q], out);
}

size_t voc_push(voc *v, const float *frame, float pitch_scale, float *out)
{
    if (!v->p.refiner)
        return voc_render(v, frame, pitch_scale, out);
    int q = (int)(v->queued % VOC_QUEUE);
    memcpy(v->queue[q], frame, sizeof(float) * (size_t)v->n_feats);
    v->queue_pitch[q] = pitch_scale > 0.0f ? pitch_scale : 1.0f;
    v->queued++;
    int64_t m = v->queued - 1 - voc_refiner_context(v->p.refiner);
    return m >= 0 ? voc_render_queued(v, m, out) : 0;
}

size_t voc_finish(voc *v, float *out)
{
    size_t k = 0;
    if (v->p.refiner)
        for (int64_t m = v->pushed; m < v->queued; m++)
            k += voc_render_queued(v, m, out + k);
    if (v->pushed == 0)
        return k;
    voc_pulses(v, (double)v->pushed * v->p.hop);
    return k + voc_emit(v, v->pushed * (int64_t)v->p.hop, out + k);
}
