/* SPDX-License-Identifier: Apache-2.0 */
/* dv_model.c: loads a diffusion voice file and runs its encoder and
 * flow-matching decoder (see dv_model.h and tools/train/model.py). */
#include <cjson/cJSON.h>
#include <libavutil/mem.h>
#include <libavutil/sha.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/cpu/nn.h"
#include "core/rng.h"
#include "core/safetensors.h"
#include "shuzi.h"
#include "tts/model/dv_model.h"

#define DV_FORMAT "shuzi-diffusion-voice"
#define DV_MAX_LAYERS 16
#define DV_MAX_SYMBOLS 512
#define DV_MAX_CHANNELS 1024

typedef struct dv_conv {
    const float *w, *b;
    int c_in, c_out, k, dil;
} dv_conv;

typedef struct dv_norm {
    const float *g, *b;
} dv_norm;

struct dv_model {
    st_file *file;
    dv_info info;
    char name[64], language[32];
    char **symbols;
    /* encoder */
    int enc_c, enc_layers, enc_k, dur_c;
    const float *emb;
    dv_conv enc_conv[DV_MAX_LAYERS], enc_proj[DV_MAX_LAYERS];
    dv_norm enc_norm[DV_MAX_LAYERS], enc_out_norm, dur_norm1, dur_norm2;
    dv_conv mu, dur1, dur2, dur_out;
    /* decoder */
    int dec_c, dec_layers, time_dim;
    const float *t1w, *t1b, *t2w, *t2b;
    dv_conv inp, out, dec_conv[DV_MAX_LAYERS], dec_proj[DV_MAX_LAYERS];
    const float *dec_tw[DV_MAX_LAYERS], *dec_tb[DV_MAX_LAYERS];
    const float *mean, *std;
};

struct dv_work {
    float *h, *g, *y, *cols, *xin, *v, *wx, *wmu;
    size_t cap_h, cap_cols;
};

/* ---- loading ------------------------------------------------------------ */

static int dv_tensor(dv_model *m, const char *name, int n_dims, const int64_t *shape,
                     const float **out, char *err, size_t errlen)
{
    const st_tensor *t = NULL;
    int rc = st_expect(m->file, name, ST_F32, n_dims, shape, &t, err, errlen);
    if (rc != SZ_OK)
        return rc;
    const float *p = t->data;
    if (((uintptr_t)p & 3u) != 0) {
        snprintf(err, errlen, "voice tensor '%s' is not 4-byte aligned in the file", name);
        return SZ_ERR_FORMAT;
    }
    for (int64_t i = 0; i < t->n_elements; i++)
        if (!isfinite(p[i])) {
            snprintf(err, errlen, "voice tensor '%s' holds a non-finite value at %lld", name,
                     (long long)i);
            return SZ_ERR_FORMAT;
        }
    *out = p;
    return SZ_OK;
}

/* Two tensors of one layer, "PREFIX.A" (n_dims, shape) and the vector
 * "PREFIX.B" of length len (weight and bias, gamma and beta). */
static int dv_tensor_pair(dv_model *m, const char *prefix, const char *a, int n_dims,
                          const int64_t *shape, const float **pa, const char *b, int64_t len,
                          const float **pb, char *err, size_t errlen)
{
    char name[128];
    snprintf(name, sizeof name, "%s.%s", prefix, a);
    int rc = dv_tensor(m, name, n_dims, shape, pa, err, errlen);
    if (rc == SZ_OK) {
        snprintf(name, sizeof name, "%s.%s", prefix, b);
        rc = dv_tensor(m, name, 1, &len, pb, err, errlen);
    }
    return rc;
}

static int dv_load_conv(dv_model *m, const char *prefix, int c_in, int c_out, int k, int dil,
                        dv_conv *c, char *err, size_t errlen)
{
    int64_t ws[3] = {c_out, c_in, k};
    *c = (dv_conv){.c_in = c_in, .c_out = c_out, .k = k, .dil = dil};
    return dv_tensor_pair(m, prefix, "weight", 3, ws, &c->w, "bias", c_out, &c->b, err, errlen);
}

static int dv_load_norm(dv_model *m, const char *prefix, int c, dv_norm *n, char *err,
                        size_t errlen)
{
    int64_t s[1] = {c};
    return dv_tensor_pair(m, prefix, "gamma", 1, s, &n->g, "beta", c, &n->b, err, errlen);
}

static int dv_load_linear(dv_model *m, const char *prefix, int n_in, int n_out, const float **w,
                          const float **b, char *err, size_t errlen)
{
    int64_t ws[2] = {n_out, n_in};
    return dv_tensor_pair(m, prefix, "weight", 2, ws, w, "bias", n_out, b, err, errlen);
}

static int dv_cmp_name(const void *a, const void *b)
{
    return strcmp((*(const st_tensor *const *)a)->name, (*(const st_tensor *const *)b)->name);
}

/* SHA-256 over every tensor's bytes, tensors in byte order of their names:
 * export.py writes the same digest into the metadata ("data_sha256"). */
static int dv_check_digest(dv_model *m, char *err, size_t errlen)
{
    const char *want = st_metadata(m->file, "data_sha256");
    if (!want || strlen(want) != 64) {
        snprintf(err, errlen, "voice metadata 'data_sha256' is missing or malformed");
        return SZ_ERR_FORMAT;
    }
    size_t n = st_count(m->file);
    const st_tensor **order = calloc(n ? n : 1, sizeof *order);
    struct AVSHA *sha = av_sha_alloc();
    if (!order || !sha) {
        free(order);
        av_free(sha);
        snprintf(err, errlen, "out of memory");
        return SZ_ERR_NO_MEMORY;
    }
    for (size_t i = 0; i < n; i++)
        order[i] = st_get(m->file, i);
    qsort(order, n, sizeof *order, dv_cmp_name);
    av_sha_init(sha, 256);
    for (size_t i = 0; i < n; i++)
        av_sha_update(sha, order[i]->data, order[i]->nbytes);
    uint8_t digest[32];
    av_sha_final(sha, digest);
    av_free(sha);
    free(order);
    char hex[65];
    for (int i = 0; i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", digest[i]);
    if (strcmp(hex, want) != 0) {
        snprintf(err, errlen,
                 "voice data does not match its checksum (the file was altered or damaged)");
        return SZ_ERR_FORMAT;
    }
    return SZ_OK;
}

static int dv_load_symbols(dv_model *m, char *err, size_t errlen)
{
    const char *s = st_metadata(m->file, "symbols");
    cJSON *arr = s ? cJSON_Parse(s) : NULL;
    int n = cJSON_IsArray(arr) ? cJSON_GetArraySize(arr) : 0;
    if (n <= 0 || n > DV_MAX_SYMBOLS) {
        cJSON_Delete(arr);
        snprintf(err, errlen, "voice metadata 'symbols': expected a JSON array of 1 to %d strings",
                 DV_MAX_SYMBOLS);
        return SZ_ERR_FORMAT;
    }
    m->symbols = calloc((size_t)n + 1, sizeof *m->symbols);
    int rc = m->symbols ? SZ_OK : SZ_ERR_NO_MEMORY;
    for (int i = 0; i < n && rc == SZ_OK; i++) {
        cJSON *it = cJSON_GetArrayItem(arr, i);
        if (!cJSON_IsString(it) || !it->valuestring[0] || strlen(it->valuestring) > 32) {
            snprintf(err, errlen, "voice metadata 'symbols': entry %d is not a short string", i);
            rc = SZ_ERR_FORMAT;
        } else if (!(m->symbols[i] = strdup(it->valuestring))) {
            rc = SZ_ERR_NO_MEMORY;
        }
    }
    cJSON_Delete(arr);
    m->info.n_symbols = (size_t)n;
    if (rc == SZ_ERR_NO_MEMORY)
        snprintf(err, errlen, "out of memory");
    return rc;
}

static int dv_load_hparams(dv_model *m, int *dil, char *err, size_t errlen)
{
    const char *s = st_metadata(m->file, "hparams");
    cJSON *hp = s ? cJSON_Parse(s) : NULL;
    const char *keys[] = {"enc_channels", "enc_layers", "enc_kernel", "dur_channels",
                          "dec_channels", "time_dim"};
    int *dst[] = {&m->enc_c, &m->enc_layers, &m->enc_k, &m->dur_c, &m->dec_c, &m->time_dim};
    int rc = cJSON_IsObject(hp) ? SZ_OK : SZ_ERR_FORMAT;
    if (rc != SZ_OK)
        snprintf(err, errlen, "voice metadata 'hparams': expected a JSON object");
    for (size_t i = 0; i < sizeof keys / sizeof *keys && rc == SZ_OK; i++) {
        cJSON *v = cJSON_GetObjectItemCaseSensitive(hp, keys[i]);
        int hi = strcmp(keys[i], "enc_layers") == 0 ? DV_MAX_LAYERS : DV_MAX_CHANNELS;
        if (!cJSON_IsNumber(v) || v->valuedouble < 1 || v->valuedouble > hi ||
            v->valuedouble != (int)v->valuedouble) {
            snprintf(err, errlen, "voice hparams '%s': expected an integer in [1, %d]", keys[i],
                     hi);
            rc = SZ_ERR_FORMAT;
        } else {
            *dst[i] = (int)v->valuedouble;
        }
    }
    if (rc == SZ_OK && (m->enc_k % 2 == 0 || m->enc_k > 15 || m->time_dim % 2 || m->time_dim < 4)) {
        snprintf(err, errlen,
                 "voice hparams: enc_kernel must be odd (at most 15) and time_dim even (>= 4)");
        rc = SZ_ERR_FORMAT;
    }
    cJSON *d = rc == SZ_OK ? cJSON_GetObjectItemCaseSensitive(hp, "dec_dilations") : NULL;
    if (rc == SZ_OK) {
        int n = cJSON_IsArray(d) ? cJSON_GetArraySize(d) : 0;
        if (n < 1 || n > DV_MAX_LAYERS) {
            snprintf(err, errlen, "voice hparams 'dec_dilations': expected 1 to %d integers",
                     DV_MAX_LAYERS);
            rc = SZ_ERR_FORMAT;
        }
        for (int i = 0; i < n && rc == SZ_OK; i++) {
            cJSON *v = cJSON_GetArrayItem(d, i);
            if (!cJSON_IsNumber(v) || v->valuedouble < 1 || v->valuedouble > 64 ||
                v->valuedouble != (int)v->valuedouble) {
                snprintf(err, errlen, "voice hparams 'dec_dilations': entry %d not in [1, 64]", i);
                rc = SZ_ERR_FORMAT;
            } else {
                dil[i] = (int)v->valuedouble;
            }
        }
        m->dec_layers = n;
    }
    cJSON_Delete(hp);
    return rc;
}

static int dv_load_weights(dv_model *m, const int *dil, char *err, size_t errlen)
{
    int rc, d = m->info.n_feats, c = m->enc_c, dc = m->dec_c;
    int64_t es[2] = {(int64_t)m->info.n_symbols, c}, fs[1] = {d};
    char name[64], name2[64];
    if ((rc = dv_tensor(m, "encoder.emb.weight", 2, es, &m->emb, err, errlen)) != SZ_OK)
        return rc;
    for (int i = 0; i < m->enc_layers; i++) {
        snprintf(name, sizeof name, "encoder.blocks.%d.norm", i);
        if ((rc = dv_load_norm(m, name, c, &m->enc_norm[i], err, errlen)) != SZ_OK)
            return rc;
        snprintf(name, sizeof name, "encoder.blocks.%d.conv", i);
        if ((rc = dv_load_conv(m, name, c, c, m->enc_k, 1, &m->enc_conv[i], err, errlen)) != SZ_OK)
            return rc;
        snprintf(name, sizeof name, "encoder.blocks.%d.proj", i);
        if ((rc = dv_load_conv(m, name, c, c, 1, 1, &m->enc_proj[i], err, errlen)) != SZ_OK)
            return rc;
    }
    if ((rc = dv_load_norm(m, "encoder.norm", c, &m->enc_out_norm, err, errlen)) != SZ_OK ||
        (rc = dv_load_conv(m, "encoder.mu", c, d, 1, 1, &m->mu, err, errlen)) != SZ_OK ||
        (rc = dv_load_conv(m, "encoder.dur1", c, m->dur_c, 3, 1, &m->dur1, err, errlen)) != SZ_OK ||
        (rc = dv_load_norm(m, "encoder.dur_norm1", m->dur_c, &m->dur_norm1, err, errlen)) != SZ_OK ||
        (rc = dv_load_conv(m, "encoder.dur2", m->dur_c, m->dur_c, 3, 1, &m->dur2, err, errlen)) != SZ_OK ||
        (rc = dv_load_norm(m, "encoder.dur_norm2", m->dur_c, &m->dur_norm2, err, errlen)) != SZ_OK ||
        (rc = dv_load_conv(m, "encoder.dur_out", m->dur_c, 1, 1, 1, &m->dur_out, err, errlen)) != SZ_OK)
        return rc;
    if ((rc = dv_load_linear(m, "decoder.t1", m->time_dim, dc, &m->t1w, &m->t1b, err, errlen)) != SZ_OK ||
        (rc = dv_load_linear(m, "decoder.t2", dc, dc, &m->t2w, &m->t2b, err, errlen)) != SZ_OK ||
        (rc = dv_load_conv(m, "decoder.inp", 2 * d, dc, 1, 1, &m->inp, err, errlen)) != SZ_OK ||
        (rc = dv_load_conv(m, "decoder.out", dc, d, 1, 1, &m->out, err, errlen)) != SZ_OK)
        return rc;
    for (int i = 0; i < m->dec_layers; i++) {
        snprintf(name, sizeof name, "decoder.blocks.%d.conv", i);
        if ((rc = dv_load_conv(m, name, dc, dc, 3, dil[i], &m->dec_conv[i], err, errlen)) != SZ_OK)
            return rc;
        snprintf(name, sizeof name, "decoder.blocks.%d.proj", i);
        if ((rc = dv_load_conv(m, name, dc, dc, 1, 1, &m->dec_proj[i], err, errlen)) != SZ_OK)
            return rc;
        snprintf(name2, sizeof name2, "decoder.blocks.%d.time", i);
        if ((rc = dv_load_linear(m, name2, dc, dc, &m->dec_tw[i], &m->dec_tb[i], err, errlen)) != SZ_OK)
            return rc;
    }
    if ((rc = dv_tensor(m, "feat_mean", 1, fs, &m->mean, err, errlen)) != SZ_OK ||
        (rc = dv_tensor(m, "feat_std", 1, fs, &m->std, err, errlen)) != SZ_OK)
        return rc;
    for (int i = 0; i < d; i++)
        if (!(m->std[i] > 0.0f)) {
            snprintf(err, errlen, "voice tensor 'feat_std' has a non-positive entry %d", i);
            return SZ_ERR_FORMAT;
        }
    return SZ_OK;
}

/* Opens a file (path) or a buffer (buf, len; label names it in messages). */
static int dv_model_load(const char *path, const void *buf, size_t len, dv_model **out, char *err,
                         size_t errlen)
{
    *out = NULL;
    dv_model *m = calloc(1, sizeof *m);
    if (!m) {
        snprintf(err, errlen, "out of memory");
        return SZ_ERR_NO_MEMORY;
    }
    char sub[384] = "";
    int rc = buf ? st_parse(buf, len, path, &m->file, sub, sizeof sub)
                 : st_open(path, &m->file, sub, sizeof sub);
    const char *fmt = rc == SZ_OK ? st_metadata(m->file, "format") : NULL;
    if (rc == SZ_OK && (!fmt || strcmp(fmt, DV_FORMAT) != 0)) {
        snprintf(sub, sizeof sub, "not a diffusion voice (metadata 'format' is %s, expected '%s')",
                 fmt ? fmt : "missing", DV_FORMAT);
        rc = SZ_ERR_FORMAT;
    }
    dv_info *in = &m->info;
    int thr_permille = 0, dil[DV_MAX_LAYERS] = {0};
    if (rc == SZ_OK)
        rc = st_metadata_int(m->file, "voice", "sample_rate", 8000, 48000, &in->sample_rate, sub,
                             sizeof sub);
    if (rc == SZ_OK)
        rc = st_metadata_int(m->file, "voice", "hop", 32, 2048, &in->hop, sub, sizeof sub);
    if (rc == SZ_OK)
        rc = st_metadata_int(m->file, "voice", "win", 64, 8192, &in->win, sub, sizeof sub);
    if (rc == SZ_OK)
        rc = st_metadata_int(m->file, "voice", "n_bands", 4, 256, &in->n_bands, sub,
                             sizeof sub);
    if (rc == SZ_OK)
        rc = st_metadata_int(m->file, "voice", "voicing_threshold_permille", 0, 1000,
                             &thr_permille, sub, sizeof sub);
    if (rc == SZ_OK && (in->win & (in->win - 1) || in->win != 4 * in->hop)) {
        snprintf(sub, sizeof sub, "voice metadata: win must be a power of two and 4 x hop");
        rc = SZ_ERR_FORMAT;
    }
    in->n_feats = in->n_bands + 2;
    in->voicing_threshold = (float)thr_permille / 1000.0f;
    if (rc == SZ_OK) {
        const char *s = st_metadata(m->file, "name");
        const char *l = st_metadata(m->file, "language");
        snprintf(m->name, sizeof m->name, "%s", s ? s : "");
        snprintf(m->language, sizeof m->language, "%s", l ? l : "");
        if (!m->name[0] || !m->language[0]) {
            snprintf(sub, sizeof sub, "voice metadata 'name' or 'language' is missing");
            rc = SZ_ERR_FORMAT;
        }
        in->name = m->name;
        in->language = m->language;
    }
    if (rc == SZ_OK)
        rc = dv_load_symbols(m, sub, sizeof sub);
    if (rc == SZ_OK)
        rc = dv_load_hparams(m, dil, sub, sizeof sub);
    if (rc == SZ_OK)
        rc = dv_load_weights(m, dil, sub, sizeof sub);
    if (rc == SZ_OK)
        rc = dv_check_digest(m, sub, sizeof sub);
    if (rc != SZ_OK) {
        /* st_open's messages already name the file */
        if (strncmp(sub, path, strlen(path)) == 0)
            snprintf(err, errlen, "%s", sub);
        else
            snprintf(err, errlen, "%s: %s", path, sub);
        dv_model_free(&m);
        return rc;
    }
    *out = m;
    return SZ_OK;
}

int dv_model_open(const char *path, dv_model **out, char *err, size_t errlen)
{
    return dv_model_load(path, NULL, 0, out, err, errlen);
}

int dv_model_parse(const void *buf, size_t len, const char *label, dv_model **out, char *err,
                   size_t errlen)
{
    return dv_model_load(label, buf, len, out, err, errlen);
}

void dv_model_free(dv_model **model)
{
    if (!model || !*model)
        return;
    dv_model *m = *model;
    if (m->symbols)
        for (size_t i = 0; m->symbols[i]; i++)
            free(m->symbols[i]);
    free(m->symbols);
    st_close(&m->file);
    free(m);
    *model = NULL;
}

const dv_info *dv_model_info(const dv_model *model) { return &model->info; }

const char *dv_model_symbol(const dv_model *model, size_t id)
{
    return id < model->info.n_symbols ? model->symbols[id] : NULL;
}

const char *const *dv_model_symbols(const dv_model *model)
{
    return (const char *const *)model->symbols;
}

int dv_model_symbol_id(const dv_model *model, const char *symbol)
{
    for (size_t i = 0; i < model->info.n_symbols; i++)
        if (strcmp(model->symbols[i], symbol) == 0)
            return (int)i;
    return -1;
}

const char *dv_model_metadata(const dv_model *model, const char *key)
{
    return st_metadata(model->file, key);
}

const st_file *dv_model_file(const dv_model *model) { return model->file; }

/* ---- running ------------------------------------------------------------ */

dv_work *dv_work_new(const dv_model *m)
{
    dv_work *w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    int c = m->enc_c > m->dec_c ? m->enc_c : m->dec_c;
    if (m->dur_c > c)
        c = m->dur_c;
    int t = DV_MAX_WINDOW > DV_MAX_TOKENS ? DV_MAX_WINDOW : DV_MAX_TOKENS;
    int k = m->enc_k > 3 ? m->enc_k : 3;
    w->cap_h = (size_t)c * t;
    w->cap_cols = (size_t)c * k * t;
    w->h = malloc(sizeof(float) * w->cap_h);
    w->g = malloc(sizeof(float) * w->cap_h);
    w->y = malloc(sizeof(float) * w->cap_h);
    w->cols = malloc(sizeof(float) * w->cap_cols);
    w->xin = malloc(sizeof(float) * 2 * (size_t)m->info.n_feats * t);
    w->v = malloc(sizeof(float) * (size_t)m->info.n_feats * t);
    w->wx = malloc(sizeof(float) * (size_t)m->info.n_feats * DV_MAX_WINDOW);
    w->wmu = malloc(sizeof(float) * (size_t)m->info.n_feats * DV_MAX_WINDOW);
    if (!w->h || !w->g || !w->y || !w->cols || !w->xin || !w->v || !w->wx || !w->wmu)
        dv_work_free(&w);
    return w;
}

void dv_work_free(dv_work **work)
{
    if (!work || !*work)
        return;
    dv_work *w = *work;
    free(w->h);
    free(w->g);
    free(w->y);
    free(w->cols);
    free(w->xin);
    free(w->v);
    free(w->wx);
    free(w->wmu);
    free(w);
    *work = NULL;
}

static void dv_conv_run(const dv_conv *c, const float *x, int t_len, float *y, float *cols)
{
    nn_conv1d(x, c->c_in, t_len, c->w, c->b, c->c_out, c->k, c->dil, y, cols);
}

int dv_encode(const dv_model *m, dv_work *w, const int *ids, int n, float rate, float *mu,
              int *frames)
{
    if (n < 1 || n > DV_MAX_TOKENS || !(rate > 0.0f))
        return SZ_ERR_INVALID_ARG;
    int c = m->enc_c;
    float scale = sqrtf((float)c);
    for (int t = 0; t < n; t++) {
        if (ids[t] < 0 || (size_t)ids[t] >= m->info.n_symbols)
            return SZ_ERR_INVALID_ARG;
        const float *e = m->emb + (size_t)ids[t] * c;
        for (int i = 0; i < c; i++)
            w->h[(size_t)i * n + t] = e[i] * scale;
    }
    size_t hn = (size_t)c * n;
    for (int l = 0; l < m->enc_layers; l++) {
        memcpy(w->g, w->h, sizeof(float) * hn);
        nn_layer_norm(w->g, c, n, m->enc_norm[l].g, m->enc_norm[l].b, 1e-5f);
        dv_conv_run(&m->enc_conv[l], w->g, n, w->y, w->cols);
        nn_relu(w->y, hn);
        dv_conv_run(&m->enc_proj[l], w->y, n, w->g, w->cols);
        for (size_t i = 0; i < hn; i++)
            w->h[i] += w->g[i];
    }
    nn_layer_norm(w->h, c, n, m->enc_out_norm.g, m->enc_out_norm.b, 1e-5f);
    dv_conv_run(&m->mu, w->h, n, mu, w->cols);
    /* durations from the same hidden state */
    size_t dn = (size_t)m->dur_c * n;
    dv_conv_run(&m->dur1, w->h, n, w->g, w->cols);
    nn_relu(w->g, dn);
    nn_layer_norm(w->g, m->dur_c, n, m->dur_norm1.g, m->dur_norm1.b, 1e-5f);
    dv_conv_run(&m->dur2, w->g, n, w->y, w->cols);
    nn_relu(w->y, dn);
    nn_layer_norm(w->y, m->dur_c, n, m->dur_norm2.g, m->dur_norm2.b, 1e-5f);
    dv_conv_run(&m->dur_out, w->y, n, w->g, w->cols);
    for (int t = 0; t < n; t++) {
        double d = floor((exp((double)w->g[t]) - 1.0) / rate + 0.5);
        frames[t] = d < 1.0 ? 1 : d > 1000.0 ? 1000 : (int)d;
    }
    return SZ_OK;
}

static void dv_time_embedding(const dv_model *m, float t, float *out /* dec_c */, float *tmp)
{
    int half = m->time_dim / 2;
    float e[2 * 512];
    for (int i = 0; i < half; i++) {
        double f = exp(-log(10000.0) * i / (half - 1));
        double a = 1000.0 * t * f;
        e[i] = (float)sin(a);
        e[half + i] = (float)cos(a);
    }
    nn_linear(e, m->time_dim, m->t1w, m->t1b, m->dec_c, tmp);
    nn_silu(tmp, (size_t)m->dec_c);
    nn_linear(tmp, m->dec_c, m->t2w, m->t2b, m->dec_c, out);
}

int dv_decode(const dv_model *m, dv_work *w, float *x, const float *mu_y, int t_len, int steps)
{
    if (t_len < 1 || t_len > DV_MAX_WINDOW || steps < 1 || steps > DV_MAX_STEPS ||
        m->time_dim > 1024)
        return SZ_ERR_INVALID_ARG;
    int d = m->info.n_feats, c = m->dec_c;
    size_t dn = (size_t)d * t_len, hn = (size_t)c * t_len;
    float temb[DV_MAX_CHANNELS], tmp[DV_MAX_CHANNELS], tb[DV_MAX_CHANNELS];
    memcpy(w->xin + dn, mu_y, sizeof(float) * dn);
    for (int s = 0; s < steps; s++) {
        dv_time_embedding(m, (float)s / (float)steps, temb, tmp);
        memcpy(w->xin, x, sizeof(float) * dn);
        dv_conv_run(&m->inp, w->xin, t_len, w->h, w->cols);
        for (int l = 0; l < m->dec_layers; l++) {
            memcpy(w->g, w->h, sizeof(float) * hn);
            nn_relu(w->g, hn);
            dv_conv_run(&m->dec_conv[l], w->g, t_len, w->y, w->cols);
            nn_linear(temb, c, m->dec_tw[l], m->dec_tb[l], c, tb);
            for (int i = 0; i < c; i++) {
                float *yi = w->y + (size_t)i * t_len;
                for (int t = 0; t < t_len; t++) {
                    float v = yi[t] + tb[i];
                    yi[t] = v > 0.0f ? v : 0.0f;
                }
            }
            dv_conv_run(&m->dec_proj[l], w->y, t_len, w->g, w->cols);
            for (size_t i = 0; i < hn; i++)
                w->h[i] += w->g[i];
        }
        nn_relu(w->h, hn);
        dv_conv_run(&m->out, w->h, t_len, w->v, w->cols);
        float dt = 1.0f / (float)steps;
        for (size_t i = 0; i < dn; i++)
            x[i] += dt * w->v[i];
    }
    return SZ_OK;
}

void dv_denormalize(const dv_model *m, const float *x, int t_len, int t_from, int t_to, float *out)
{
    int d = m->info.n_feats;
    for (int t = t_from; t < t_to; t++)
        for (int i = 0; i < d; i++)
            out[(size_t)(t - t_from) * d + i] = x[(size_t)i * t_len + t] * m->std[i] + m->mean[i];
}

int dv_decode_frames(const dv_model *m, dv_work *w, const float *mu, int n, const int *starts,
                     int a, int b, int margin, int steps, float temperature, uint64_t seed,
                     int64_t frame_base, float *out)
{
    const int d = m->info.n_feats, total = starts[n];
    if (a < 0 || b > total || a >= b || margin < 0)
        return SZ_ERR_INVALID_ARG;
    int wa = a - margin > 0 ? a - margin : 0;
    int wb = b + margin < total ? b + margin : total;
    int tw = wb - wa;
    if (tw > DV_MAX_WINDOW)
        return SZ_ERR_INVALID_ARG;
    /* the token of frame wa, then walk forward */
    int lo = 0, hi = n - 1;
    while (lo < hi) {
        int mid = (lo + hi + 1) / 2;
        if (starts[mid] <= wa)
            lo = mid;
        else
            hi = mid - 1;
    }
    int k = lo;
    for (int t = wa; t < wb; t++) {
        while (starts[k + 1] <= t)
            k++;
        for (int c = 0; c < d; c++) {
            float v = mu[(size_t)c * n + k];
            w->wmu[(size_t)c * tw + (t - wa)] = v;
            w->wx[(size_t)c * tw + (t - wa)] =
                temperature > 0.0f ? v + temperature * dv_noise(seed, frame_base + t, c) : v;
        }
    }
    int rc = dv_decode(m, w, w->wx, w->wmu, tw, steps);
    if (rc == SZ_OK)
        dv_denormalize(m, w->wx, tw, a - wa, b - wa, out);
    return rc;
}

float dv_noise(uint64_t seed, int64_t frame, int dim)
{
    uint64_t h = rng_mix64(seed ^ rng_mix64((uint64_t)frame * 1024u + (uint64_t)dim));
    double u1 = ((double)(h >> 11) + 0.5) / 9007199254740992.0;
    double u2 = (double)(rng_mix64(h) >> 11) / 9007199254740992.0;
    return (float)(sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2));
}
