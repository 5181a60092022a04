/* SPDX-License-Identifier: Apache-2.0 */
/* refiner.c: the envelope refiner (see refiner.h), a two-layer perceptron
 * with GELU activations, the twin of tools/train/refiner.py. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/cpu/nn.h"
#include "shuzi.h"
#include "tts/vocoder/refiner.h"

#define VOC_REFINER_MAX_HIDDEN 1024
#define VOC_REFINER_MAX_BINS 4097

struct voc_refiner {
    int nb, context, hidden, bins, n_in, sample_rate, win;
    float *mean, *std, *w1, *b1, *w2, *b2, *w3, *b3, *ripple;
    float *mem;
};

/* Copies tensor name (shape rows x cols; cols 0 for a vector) into dst. */
static int ref_tensor(const st_file *f, const char *name, int64_t rows, int64_t cols, float *dst,
                      char *err, size_t errlen)
{
    const st_tensor *t = NULL;
    int64_t shape[2] = {rows, cols};
    int rc = st_expect(f, name, ST_F32, cols ? 2 : 1, shape, &t, err, errlen);
    if (rc != SZ_OK)
        return rc;
    memcpy(dst, t->data, t->nbytes); /* the mapping may be unaligned: copy bytes */
    for (int64_t i = 0; i < t->n_elements; i++)
        if (!isfinite(dst[i])) {
            snprintf(err, errlen, "%s: refiner tensor '%s' holds a non-finite value at %lld",
                     st_label(f), name, (long long)i);
            return SZ_ERR_FORMAT;
        }
    return SZ_OK;
}

int voc_refiner_load(const st_file *file, int n_bands, int sample_rate, voc_refiner **out,
                     char *err, size_t errlen)
{
    *out = NULL;
    if (!st_metadata(file, "refiner_context")) {
        /* no refiner; but its tensors without their metadata are a damaged file */
        for (size_t i = 0; i < st_count(file); i++)
            if (strncmp(st_get(file, i)->name, "refiner.", 8) == 0) {
                snprintf(err, errlen, "%s: tensor '%s' of an envelope refiner, but no "
                         "'refiner_context' metadata", st_label(file), st_get(file, i)->name);
                return SZ_ERR_FORMAT;
            }
        return SZ_OK;
    }
    voc_refiner r = {.nb = n_bands, .sample_rate = sample_rate};
    int rc = st_metadata_int(file, "refiner", "refiner_context", 0, VOC_REFINER_MAX_CONTEXT,
                             &r.context, err, errlen);
    if (rc == SZ_OK)
        rc = st_metadata_int(file, "refiner", "refiner_hidden", 1, VOC_REFINER_MAX_HIDDEN,
                             &r.hidden, err, errlen);
    if (rc == SZ_OK)
        rc = st_metadata_int(file, "refiner", "refiner_win", 16, 2 * (VOC_REFINER_MAX_BINS - 1),
                             &r.win, err, errlen);
    if (rc == SZ_OK && (r.win & 1)) {
        snprintf(err, errlen, "%s: refiner metadata 'refiner_win' must be even, not %d",
                 st_label(file), r.win);
        rc = SZ_ERR_FORMAT;
    }
    if (rc != SZ_OK)
        return rc;
    r.bins = r.win / 2 + 1;
    r.n_in = (2 * r.context + 1) * n_bands + 2 + 2 * n_bands;
    const int nb = n_bands, h = r.hidden, d = r.n_in;
    const struct {
        const char *name;
        int64_t rows, cols; /* cols 0: a vector */
        float **dst;
    } t[] = {{"refiner.in_mean", d, 0, &r.mean},       {"refiner.in_std", d, 0, &r.std},
             {"refiner.l1.weight", h, d, &r.w1},       {"refiner.l1.bias", h, 0, &r.b1},
             {"refiner.l2.weight", h, h, &r.w2},       {"refiner.l2.bias", h, 0, &r.b2},
             {"refiner.out.weight", nb, h, &r.w3},     {"refiner.out.bias", nb, 0, &r.b3},
             {"refiner.ripple", nb, r.bins, &r.ripple}};
    const int n_t = (int)(sizeof t / sizeof *t);
    size_t total = 0;
    for (int i = 0; i < n_t; i++)
        total += (size_t)t[i].rows * (size_t)(t[i].cols ? t[i].cols : 1);
    r.mem = malloc(sizeof(float) * total);
    voc_refiner *p = malloc(sizeof *p);
    if (!r.mem || !p) {
        free(r.mem);
        free(p);
        snprintf(err, errlen, "%s: out of memory for its envelope refiner", st_label(file));
        return SZ_ERR_NO_MEMORY;
    }
    float *at = r.mem;
    for (int i = 0; i < n_t && rc == SZ_OK; i++) {
        *t[i].dst = at;
        at += (size_t)t[i].rows * (size_t)(t[i].cols ? t[i].cols : 1);
        rc = ref_tensor(file, t[i].name, t[i].rows, t[i].cols, *t[i].dst, err, errlen);
    }
    for (int i = 0; rc == SZ_OK && i < d; i++)
        if (!(r.std[i] > 0.0f)) {
            snprintf(err, errlen, "%s: refiner tensor 'refiner.in_std' has a non-positive entry %d",
                     st_label(file), i);
            rc = SZ_ERR_FORMAT;
        }
    if (rc != SZ_OK) {
        free(r.mem);
        free(p);
        return rc;
    }
    *p = r;
    *out = p;
    return SZ_OK;
}

void voc_refiner_free(voc_refiner **r)
{
    if (!r || !*r)
        return;
    free((*r)->mem);
    free(*r);
    *r = NULL;
}

int voc_refiner_context(const voc_refiner *r)
{
    return r->context;
}

int voc_refiner_bands(const voc_refiner *r)
{
    return r->nb;
}

size_t voc_refiner_scratch(const voc_refiner *r)
{
    return (size_t)r->n_in + 2 * (size_t)r->hidden + 2 * (size_t)r->bins;
}

void voc_refiner_apply(const voc_refiner *r, const float *const *frames, float log_pitch,
                       float *scratch, float *out)
{
    const int nb = r->nb, c = r->context, h = r->hidden;
    float *x = scratch, *h1 = x + r->n_in, *h2 = h1 + h, *cs = h2 + h, *sn = cs + r->bins;
    int n = 0;
    for (int i = 0; i <= 2 * c; i++)
        for (int k = 0; k < nb; k++)
            x[n++] = frames[i][k];
    const float *t = frames[c];
    float lf0 = t[nb] + log_pitch;
    x[n++] = lf0;
    x[n++] = t[nb + 1];
    /* A cosine and a sine in frequency whose period is F0, projected on the
     * bands as the analysis fits them (refiner.ripple): where the harmonics
     * fall between the band centres. */
    double step = 2.0 * M_PI * (double)r->sample_rate / (double)r->win / exp((double)lf0);
    double c1 = cos(step), s1 = sin(step), co = 1.0, si = 0.0; /* a rotation by step per bin */
    for (int k = 0; k < r->bins; k++) {
        cs[k] = (float)co;
        sn[k] = (float)si;
        double next = co * c1 - si * s1;
        si = si * c1 + co * s1;
        co = next;
    }
    nn_matvec(cs, r->bins, r->ripple, NULL, nb, x + n);
    nn_matvec(sn, r->bins, r->ripple, NULL, nb, x + n + nb);
    n += 2 * nb;
    for (int i = 0; i < n; i++)
        x[i] = (x[i] - r->mean[i]) / r->std[i];
    nn_matvec(x, n, r->w1, r->b1, h, h1);
    nn_gelu(h1, (size_t)h);
    nn_matvec(h1, h, r->w2, r->b2, h, h2);
    nn_gelu(h2, (size_t)h);
    nn_matvec(h2, h, r->w3, r->b3, nb, out);
    for (int b = 0; b < nb; b++)
        out[b] += t[b];
}
