/* SPDX-License-Identifier: Apache-2.0 */
/* tflite.c: the TensorFlow Lite flatbuffer reader. Every offset, vtable and
 * vector read from the file is bounds-checked before use; a malformed file
 * is refused with one line naming the file and what was wrong.
 * Written from the published schema (tensorflow/lite/schema/schema.fbs). */
#include "avatar/landmarks/tflite.h"

#include "core/file.h"
#include "shuzi.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- flatbuffer primitives ------------------------------------------- */

typedef struct fb_ctx {
    const uint8_t *p;
    size_t n;
    const char *label;
    char *err;
    size_t errlen;
    int failed;
} fb_ctx;

typedef struct fb_table {
    size_t pos;    /* start of the table */
    size_t vt;     /* its vtable */
    unsigned vt_n; /* number of field slots in the vtable */
    unsigned size; /* table size in bytes, from the vtable */
} fb_table;

static void fb_fail(fb_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fb_fail(fb_ctx *c, const char *fmt, ...)
{
    if (c->failed)
        return;
    c->failed = 1;
    if (!c->err || !c->errlen)
        return;
    int n = snprintf(c->err, c->errlen, "%s: ", c->label);
    if (n < 0 || (size_t)n >= c->errlen)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->err + n, c->errlen - (size_t)n, fmt, ap);
    va_end(ap);
}

static uint32_t rd_u32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static uint16_t rd_u16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

/* Is [pos, pos+len) inside the buffer? Overflow-safe. */
static int fb_in(const fb_ctx *c, size_t pos, size_t len)
{
    return pos <= c->n && len <= c->n - pos;
}

/* Reads the table at pos; what names it in messages. */
static int fb_table_at(fb_ctx *c, size_t pos, const char *what, fb_table *t)
{
    if (!fb_in(c, pos, 4)) {
        fb_fail(c, "%s: table offset %zu outside the file (%zu bytes)", what, pos, c->n);
        return -1;
    }
    int32_t so = (int32_t)rd_u32(c->p + pos);
    int64_t vt = (int64_t)pos - (int64_t)so;
    if (vt < 0 || (vt & 1) || !fb_in(c, (size_t)vt, 4)) {
        fb_fail(c, "%s: vtable offset outside the file", what);
        return -1;
    }
    unsigned vsize = rd_u16(c->p + vt), tsize = rd_u16(c->p + vt + 2);
    if (vsize < 4 || (vsize & 1) || !fb_in(c, (size_t)vt, vsize) || tsize < 4 ||
        !fb_in(c, pos, tsize)) {
        fb_fail(c, "%s: bad vtable (size %u, table size %u)", what, vsize, tsize);
        return -1;
    }
    t->pos = pos;
    t->vt = (size_t)vt;
    t->vt_n = (vsize - 4) / 2;
    t->size = tsize;
    return 0;
}

/* Offset of field id inside the table, or 0 when absent. A field that would
 * run past the table's end is an error (-1). */
static long fb_field(fb_ctx *c, const fb_table *t, unsigned id, unsigned width, const char *what)
{
    if (id >= t->vt_n)
        return 0;
    unsigned fo = rd_u16(c->p + t->vt + 4 + 2 * id);
    if (fo == 0)
        return 0;
    if (fo < 4 || fo + width > t->size) {
        fb_fail(c, "%s: field %u lies outside its table", what, id);
        return -1;
    }
    return (long)fo;
}

static int64_t fb_int(fb_ctx *c, const fb_table *t, unsigned id, unsigned width, int64_t def,
                      const char *what)
{
    long fo = fb_field(c, t, id, width, what);
    if (fo <= 0)
        return def;
    const uint8_t *p = c->p + t->pos + fo;
    switch (width) {
    case 1: return (int8_t)p[0];
    case 2: return (int16_t)rd_u16(p);
    default: return (int32_t)rd_u32(p);
    }
}
static uint32_t fb_uint(fb_ctx *c, const fb_table *t, unsigned id, uint32_t def, const char *what)
{
    long fo = fb_field(c, t, id, 4, what);
    return fo <= 0 ? def : rd_u32(c->p + t->pos + fo);
}
static unsigned fb_ubyte(fb_ctx *c, const fb_table *t, unsigned id, const char *what)
{
    long fo = fb_field(c, t, id, 1, what);
    return fo <= 0 ? 0u : c->p[t->pos + fo];
}

/* Follows the offset field id: 1 and *target when present, 0 when absent, -1 on error. */
static int fb_ref(fb_ctx *c, const fb_table *t, unsigned id, const char *what, size_t *target)
{
    long fo = fb_field(c, t, id, 4, what);
    if (fo < 0)
        return -1;
    if (fo == 0)
        return 0;
    size_t at = t->pos + (size_t)fo;
    uint32_t off = rd_u32(c->p + at);
    if (off == 0 || !fb_in(c, at, (size_t)off) || at + off >= c->n) {
        fb_fail(c, "%s: offset of field %u points outside the file", what, id);
        return -1;
    }
    *target = at + off;
    return 1;
}

/* A vector at pos of count elements of elem bytes; *data is the first one. */
static int fb_vector_at(fb_ctx *c, size_t pos, size_t elem, const char *what, uint32_t *count,
                        size_t *data)
{
    if (!fb_in(c, pos, 4)) {
        fb_fail(c, "%s: vector outside the file", what);
        return -1;
    }
    uint32_t n = rd_u32(c->p + pos);
    if (elem && n > (c->n - pos - 4) / elem) {
        fb_fail(c, "%s: vector of %u elements runs past the end of the file", what, n);
        return -1;
    }
    *count = n;
    *data = pos + 4;
    return 0;
}

/* Vector field id: returns 0 with *count = 0 when absent. */
static int fb_vector(fb_ctx *c, const fb_table *t, unsigned id, size_t elem, const char *what,
                     uint32_t *count, size_t *data)
{
    size_t pos;
    int r = fb_ref(c, t, id, what, &pos);
    *count = 0;
    *data = 0;
    if (r <= 0)
        return r;
    return fb_vector_at(c, pos, elem, what, count, data);
}

/* Element i of a vector of tables. */
static int fb_vector_table(fb_ctx *c, size_t data, uint32_t i, const char *what, fb_table *t)
{
    size_t at = data + 4 * (size_t)i;
    uint32_t off = rd_u32(c->p + at);
    if (off == 0 || !fb_in(c, at, (size_t)off)) {
        fb_fail(c, "%s %u: offset outside the file", what, i);
        return -1;
    }
    return fb_table_at(c, at + off, what, t);
}

/* String field id copied into dst (truncated); "" when absent. */
static int fb_string(fb_ctx *c, const fb_table *t, unsigned id, const char *what, char *dst,
                     size_t dstlen)
{
    uint32_t n;
    size_t data;
    dst[0] = '\0';
    if (fb_vector(c, t, id, 1, what, &n, &data) < 0)
        return -1;
    size_t k = n < dstlen - 1 ? n : dstlen - 1;
    for (size_t i = 0; i < k; i++) {
        uint8_t ch = c->p[data + i];
        dst[i] = (ch >= 32 && ch < 127) ? (char)ch : '?';
    }
    dst[k] = '\0';
    return 0;
}

/* ---- flexbuffers (custom operator options) ------------------------------ */

/* A value found in a flexbuffer map. */
typedef struct flex_val {
    int type;    /* FBT_*: 1 int, 2 uint, 3 float, 11 vector of ints */
    int64_t i;   /* int/uint value */
    double f;    /* float value */
    size_t vec;  /* vector: first element */
    uint32_t n;  /* vector: length */
    unsigned vw; /* vector: element width */
} flex_val;

static int flex_uint(const uint8_t *p, size_t n, size_t pos, unsigned w, uint64_t *v)
{
    if (pos > n || w > n - pos || !(w == 1 || w == 2 || w == 4 || w == 8))
        return -1;
    uint64_t r = 0;
    for (unsigned k = 0; k < w; k++)
        r |= (uint64_t)p[pos + k] << (8 * k);
    *v = r;
    return 0;
}

static int64_t flex_sign(uint64_t v, unsigned w)
{
    if (w < 8 && (v >> (8 * w - 1)) & 1)
        return (int64_t)(v | (~(uint64_t)0 << (8 * w)));
    return (int64_t)v;
}

/* Follows an offset stored at pos (width w) backwards; -1 when outside. */
static int flex_back(const uint8_t *p, size_t n, size_t pos, unsigned w, size_t *target)
{
    uint64_t off;
    if (flex_uint(p, n, pos, w, &off) < 0 || off > pos)
        return -1;
    *target = pos - (size_t)off;
    return 0;
}

/* Looks up key in the flexbuffer whose root is a map: 1 found, 0 absent,
 * -1 malformed. */
static int flex_map_find(const uint8_t *p, size_t n, const char *key, flex_val *out)
{
    if (n < 3)
        return -1;
    unsigned rw = p[n - 1], packed = p[n - 2];
    size_t map;
    if (!(rw == 1 || rw == 2 || rw == 4 || rw == 8) || n - 2 < rw || (packed >> 2) != 9)
        return -1;
    unsigned cw = 1u << (packed & 3);
    if (flex_back(p, n, n - 2 - rw, rw, &map) < 0 || map < 3 * (size_t)cw)
        return -1;
    uint64_t len, keys_w;
    size_t keys;
    if (flex_uint(p, n, map - cw, cw, &len) < 0 || flex_uint(p, n, map - 2 * cw, cw, &keys_w) < 0 ||
        flex_back(p, n, map - 3 * cw, cw, &keys) < 0)
        return -1;
    if (len > n || map + len * (cw + 1) > n ||
        !(keys_w == 1 || keys_w == 2 || keys_w == 4 || keys_w == 8) || keys + len * keys_w > n)
        return -1;
    size_t klen = strlen(key);
    for (uint64_t i = 0; i < len; i++) {
        size_t kpos;
        if (flex_back(p, n, keys + i * keys_w, (unsigned)keys_w, &kpos) < 0)
            return -1;
        if (kpos + klen + 1 > n || memcmp(p + kpos, key, klen) != 0 || p[kpos + klen] != 0)
            continue;
        size_t slot = map + i * cw;
        unsigned t = p[map + len * cw + i], vt = t >> 2, vw = 1u << (t & 3);
        uint64_t v;
        memset(out, 0, sizeof(*out));
        out->type = (int)vt;
        if (flex_uint(p, n, slot, cw, &v) < 0)
            return -1;
        switch (vt) {
        case 1: out->i = flex_sign(v, cw); return 1;
        case 2: out->i = (int64_t)(v & INT64_MAX); return 1;
        case 3:
            if (cw == 4) {
                uint32_t b = (uint32_t)v;
                float f;
                memcpy(&f, &b, 4);
                out->f = f;
            } else if (cw == 8) {
                memcpy(&out->f, &v, 8);
            } else {
                return -1;
            }
            return 1;
        case 11: {
            size_t vec;
            uint64_t vn;
            if (flex_back(p, n, slot, cw, &vec) < 0 || vec < vw ||
                flex_uint(p, n, vec - vw, vw, &vn) < 0 || vn > n || vec + vn * vw > n)
                return -1;
            out->vec = vec;
            out->n = (uint32_t)vn;
            out->vw = vw;
            return 1;
        }
        default: return -1;
        }
    }
    return 0;
}

static int flex_int_field(fb_ctx *c, const uint8_t *p, size_t n, const char *key, int lo, int hi,
                          int *dst, const char *what)
{
    flex_val v;
    int r = flex_map_find(p, n, key, &v);
    if (r <= 0 || (v.type != 1 && v.type != 2) || v.i < lo || v.i > hi) {
        fb_fail(c, "%s: option '%s' %s (expected an integer %d to %d)", what, key,
                r < 0 ? "malformed" : (r == 0 ? "missing" : "out of range"), lo, hi);
        return -1;
    }
    *dst = (int)v.i;
    return 0;
}

static int flex_float_field(fb_ctx *c, const uint8_t *p, size_t n, const char *key, float *dst,
                            const char *what)
{
    flex_val v;
    int r = flex_map_find(p, n, key, &v);
    double x = r > 0 ? (v.type == 3 ? v.f : (v.type == 1 || v.type == 2 ? (double)v.i : NAN)) : NAN;
    if (!(x > -1e6 && x < 1e6)) {
        fb_fail(c, "%s: option '%s' missing or not a finite number", what, key);
        return -1;
    }
    *dst = (float)x;
    return 0;
}

/* Landmarks2TransformMatrix (version 2) options. */
static int parse_l2tm_options(fb_ctx *c, const uint8_t *p, size_t n, tfl_op *op, const char *what)
{
    if (flex_int_field(c, p, n, "left_rotation_idx", 0, 100000, &op->left_idx, what) < 0 ||
        flex_int_field(c, p, n, "right_rotation_idx", 0, 100000, &op->right_idx, what) < 0 ||
        flex_int_field(c, p, n, "output_width", 1, 4096, &op->out_w, what) < 0 ||
        flex_int_field(c, p, n, "output_height", 1, 4096, &op->out_h, what) < 0 ||
        flex_float_field(c, p, n, "scale_x", &op->scale_x, what) < 0 ||
        flex_float_field(c, p, n, "scale_y", &op->scale_y, what) < 0)
        return -1;
    flex_val v;
    int r = flex_map_find(p, n, "target_rotation_radians", &v);
    op->target_rot = 0.0f;
    if (r < 0 || (r > 0 && flex_float_field(c, p, n, "target_rotation_radians", &op->target_rot,
                                            what) < 0)) {
        fb_fail(c, "%s: option 'target_rotation_radians' malformed", what);
        return -1;
    }
    if (op->scale_x <= 0.0f || op->scale_y <= 0.0f) {
        fb_fail(c, "%s: scale_x and scale_y must be positive", what);
        return -1;
    }
    r = flex_map_find(p, n, "subset_idxs", &v);
    if (r <= 0 || v.type != 11 || v.n < 1 || v.n > TFL_MAX_SUBSET) {
        fb_fail(c, "%s: option 'subset_idxs' missing or not 1 to %d indices", what, TFL_MAX_SUBSET);
        return -1;
    }
    /* Stored as index pairs (an odd last one pairs with itself); only the
     * set of points matters, so they are kept as one list. */
    op->subset = malloc(v.n * sizeof(int32_t));
    if (!op->subset) {
        fb_fail(c, "out of memory");
        return -1;
    }
    op->n_subset = (int)v.n;
    for (uint32_t k = 0; k < v.n; k++) {
        uint64_t x = 0;
        if (flex_uint(p, n, v.vec + (size_t)k * v.vw, v.vw, &x) != 0) {
            fb_fail(c, "%s: subset index %u outside the options", what, k);
            return -1;
        }
        int64_t sx = flex_sign(x, v.vw);
        if (sx < 0 || sx > 100000) {
            fb_fail(c, "%s: subset index %lld out of range", what, (long long)sx);
            return -1;
        }
        op->subset[k] = (int32_t)sx;
    }
    return 0;
}

/* ---- model ------------------------------------------------------------- */

static float half_to_float(uint16_t h)
{
    uint32_t sign = (uint32_t)(h >> 15) << 31, exp = (h >> 10) & 0x1f, man = h & 0x3ff, bits;
    if (exp == 0) {
        if (man == 0) {
            bits = sign;
        } else { /* subnormal: renormalize */
            exp = 127 - 15 + 1;
            while (!(man & 0x400)) {
                man <<= 1;
                exp--;
            }
            man &= 0x3ff;
            bits = sign | exp << 23 | man << 13;
        }
    } else if (exp == 31) {
        bits = sign | 0x7f800000u | man << 13;
    } else {
        bits = sign | (exp + 127 - 15) << 23 | man << 13;
    }
    float f;
    memcpy(&f, &bits, 4);
    return f;
}

static int parse_options(fb_ctx *c, const fb_table *opt_t, unsigned opt_type, tfl_op *op,
                         const char *what)
{
    /* Defaults first; then the options table when it is the expected kind.
     * BuiltinOptions union values: Conv2DOptions 1, DepthwiseConv2DOptions 2,
     * ConcatenationOptions 10, AddOptions 11, FullyConnectedOptions 8,
     * Pool2DOptions 5, MulOptions 21, SubOptions 28. */
    op->stride_w = op->stride_h = op->dil_w = op->dil_h = op->depth_mult = 1;
    op->filter_w = op->filter_h = 1;
    if (!opt_t)
        return 0;
    switch (op->code) {
    case TFL_OP_CONV_2D:
        if (opt_type != 1)
            break;
        op->padding_valid = (int)fb_int(c, opt_t, 0, 1, 0, what);
        op->stride_w = (int)fb_int(c, opt_t, 1, 4, 1, what);
        op->stride_h = (int)fb_int(c, opt_t, 2, 4, 1, what);
        op->act = (int)fb_int(c, opt_t, 3, 1, 0, what);
        op->dil_w = (int)fb_int(c, opt_t, 4, 4, 1, what);
        op->dil_h = (int)fb_int(c, opt_t, 5, 4, 1, what);
        break;
    case TFL_OP_DEPTHWISE_CONV_2D:
        if (opt_type != 2)
            break;
        op->padding_valid = (int)fb_int(c, opt_t, 0, 1, 0, what);
        op->stride_w = (int)fb_int(c, opt_t, 1, 4, 1, what);
        op->stride_h = (int)fb_int(c, opt_t, 2, 4, 1, what);
        op->depth_mult = (int)fb_int(c, opt_t, 3, 4, 1, what);
        op->act = (int)fb_int(c, opt_t, 4, 1, 0, what);
        op->dil_w = (int)fb_int(c, opt_t, 5, 4, 1, what);
        op->dil_h = (int)fb_int(c, opt_t, 6, 4, 1, what);
        break;
    case TFL_OP_MAX_POOL_2D:
    case TFL_OP_AVERAGE_POOL_2D:
        if (opt_type != 5)
            break;
        op->padding_valid = (int)fb_int(c, opt_t, 0, 1, 0, what);
        op->stride_w = (int)fb_int(c, opt_t, 1, 4, 1, what);
        op->stride_h = (int)fb_int(c, opt_t, 2, 4, 1, what);
        op->filter_w = (int)fb_int(c, opt_t, 3, 4, 1, what);
        op->filter_h = (int)fb_int(c, opt_t, 4, 4, 1, what);
        op->act = (int)fb_int(c, opt_t, 5, 1, 0, what);
        break;
    case TFL_OP_CONCATENATION:
        if (opt_type != 10)
            break;
        op->axis = (int)fb_int(c, opt_t, 0, 4, 0, what);
        op->act = (int)fb_int(c, opt_t, 1, 1, 0, what);
        break;
    case TFL_OP_STRIDED_SLICE:
        if (opt_type != 32)
            break;
        op->begin_mask = (int)fb_int(c, opt_t, 0, 4, 0, what);
        op->end_mask = (int)fb_int(c, opt_t, 1, 4, 0, what);
        op->ellipsis_mask = (int)fb_int(c, opt_t, 2, 4, 0, what);
        op->new_axis_mask = (int)fb_int(c, opt_t, 3, 4, 0, what);
        op->shrink_axis_mask = (int)fb_int(c, opt_t, 4, 4, 0, what);
        break;
    case TFL_OP_ADD:
    case TFL_OP_MUL:
    case TFL_OP_SUB:
    case TFL_OP_FULLY_CONNECTED:
        if ((op->code == TFL_OP_ADD && opt_type == 11) ||
            (op->code == TFL_OP_MUL && opt_type == 21) ||
            (op->code == TFL_OP_SUB && opt_type == 28) ||
            (op->code == TFL_OP_FULLY_CONNECTED && opt_type == 8))
            op->act = (int)fb_int(c, opt_t, 0, 1, 0, what);
        break;
    default: break;
    }
    return c->failed ? -1 : 0;
}

static int is_supported(int code)
{
    switch (code) {
    case TFL_OP_ADD:
    case TFL_OP_AVERAGE_POOL_2D:
    case TFL_OP_CONCATENATION:
    case TFL_OP_CONV_2D:
    case TFL_OP_DEPTHWISE_CONV_2D:
    case TFL_OP_DEQUANTIZE:
    case TFL_OP_FULLY_CONNECTED:
    case TFL_OP_LOGISTIC:
    case TFL_OP_MAX_POOL_2D:
    case TFL_OP_MUL:
    case TFL_OP_RELU:
    case TFL_OP_RELU6:
    case TFL_OP_RESHAPE:
    case TFL_OP_TANH:
    case TFL_OP_PAD:
    case TFL_OP_SUB:
    case TFL_OP_STRIDED_SLICE:
    case TFL_OP_PRELU:
    case TFL_OP_MP_LANDMARKS_TO_MATRIX:
    case TFL_OP_MP_TRANSFORM_BILINEAR:
    case TFL_OP_MP_TRANSFORM_LANDMARKS: return 1;
    default: return 0;
    }
}

static int parse_index_vector(fb_ctx *c, const fb_table *t, unsigned id, int n_tensors,
                              int allow_optional, int *dst, int *n_dst, const char *what)
{
    uint32_t n;
    size_t data;
    if (fb_vector(c, t, id, 4, what, &n, &data) < 0)
        return -1;
    if (n > TFL_MAX_IO) {
        fb_fail(c, "%s: %u tensors (at most %d)", what, n, TFL_MAX_IO);
        return -1;
    }
    for (uint32_t i = 0; i < n; i++) {
        int32_t v = (int32_t)rd_u32(c->p + data + 4 * i);
        if (v < -1 || v >= n_tensors || (v == -1 && !allow_optional)) {
            fb_fail(c, "%s: tensor index %d out of range (%d tensors)", what, (int)v, n_tensors);
            return -1;
        }
        dst[i] = v;
    }
    *n_dst = (int)n;
    return 0;
}

static int parse_model(fb_ctx *c, tfl_model *m)
{
    char what[96];
    if (c->n < 8) {
        fb_fail(c, "file too short for a TFLite model (%zu bytes)", c->n);
        return -1;
    }
    if (memcmp(c->p + 4, "TFL3", 4) != 0) {
        fb_fail(c, "not a TFLite model (file identifier is not TFL3)");
        return -1;
    }
    fb_table model, sub;
    if (fb_table_at(c, rd_u32(c->p), "model", &model) < 0)
        return -1;
    uint32_t version = fb_uint(c, &model, 0, 0, "model");
    if (version != 3) {
        fb_fail(c, "schema version %u (expected 3)", version);
        return -1;
    }
    uint32_t n_codes, n_subs, n_bufs;
    size_t codes, subs, bufs;
    if (fb_vector(c, &model, 1, 4, "operator_codes", &n_codes, &codes) < 0 ||
        fb_vector(c, &model, 2, 4, "subgraphs", &n_subs, &subs) < 0 ||
        fb_vector(c, &model, 4, 4, "buffers", &n_bufs, &bufs) < 0)
        return -1;
    if (n_subs < 1) {
        fb_fail(c, "no subgraph");
        return -1;
    }
    if (fb_vector_table(c, subs, 0, "subgraph", &sub) < 0)
        return -1;

    /* tensors */
    uint32_t n_t;
    size_t tens;
    if (fb_vector(c, &sub, 0, 4, "tensors", &n_t, &tens) < 0)
        return -1;
    if (n_t == 0 || n_t > 100000) {
        fb_fail(c, "%u tensors (expected 1 to 100000)", n_t);
        return -1;
    }
    m->t = calloc(n_t, sizeof(*m->t));
    if (!m->t) {
        fb_fail(c, "out of memory");
        return -1;
    }
    m->n_tensors = (int)n_t;
    for (uint32_t i = 0; i < n_t; i++) {
        tfl_tensor *t = &m->t[i];
        fb_table tt;
        snprintf(what, sizeof(what), "tensor %u", i);
        if (fb_vector_table(c, tens, i, "tensor", &tt) < 0)
            return -1;
        if (fb_string(c, &tt, 3, what, t->name, sizeof(t->name)) < 0)
            return -1;
        snprintf(what, sizeof(what), "tensor %u '%s'", i, t->name);
        uint32_t nd;
        size_t shp;
        if (fb_vector(c, &tt, 0, 4, what, &nd, &shp) < 0)
            return -1;
        if (nd > TFL_MAX_DIMS) {
            fb_fail(c, "%s: %u dimensions (at most %d)", what, nd, TFL_MAX_DIMS);
            return -1;
        }
        t->n_dims = (int)nd;
        size_t count = 1;
        for (uint32_t d = 0; d < nd; d++) {
            int32_t s = (int32_t)rd_u32(c->p + shp + 4 * d);
            if (s < 1 || (size_t)s > TFL_MAX_TENSOR_ELEMS) {
                fb_fail(c, "%s: dimension %u is %d (expected 1 to %u)", what, d, (int)s,
                        TFL_MAX_TENSOR_ELEMS);
                return -1;
            }
            t->shape[d] = s;
            count *= (size_t)s;
            if (count > TFL_MAX_TENSOR_ELEMS) {
                fb_fail(c, "%s: more than %u elements", what, TFL_MAX_TENSOR_ELEMS);
                return -1;
            }
        }
        t->count = count;
        t->type = (int)fb_ubyte(c, &tt, 1, what);
        uint32_t bi = fb_uint(c, &tt, 2, 0, what);
        if (c->failed)
            return -1;
        if (t->type != TFL_T_FLOAT32 && t->type != TFL_T_FLOAT16 && t->type != TFL_T_INT32) {
            fb_fail(c, "%s: tensor type %d is not supported (float32, float16, int32 only)", what,
                    t->type);
            return -2;
        }
        if (bi >= n_bufs) {
            if (bi == 0 && n_bufs == 0)
                continue;
            fb_fail(c, "%s: buffer index %u out of range (%u buffers)", what, bi, n_bufs);
            return -1;
        }
        fb_table bt;
        if (fb_vector_table(c, bufs, bi, "buffer", &bt) < 0)
            return -1;
        uint32_t nb;
        size_t bdata;
        if (fb_vector(c, &bt, 0, 1, what, &nb, &bdata) < 0)
            return -1;
        if (nb == 0) {
            if (fb_field(c, &bt, 1, 8, what) > 0) {
                fb_fail(c, "%s: weights stored outside the flatbuffer are not supported", what);
                return -2;
            }
            continue; /* an activation */
        }
        size_t esize = t->type == TFL_T_FLOAT16 ? 2 : 4;
        if ((size_t)nb != count * esize) {
            fb_fail(c, "%s: buffer holds %u bytes, shape needs %zu", what, nb, count * esize);
            return -1;
        }
        t->is_const = 1;
        const uint8_t *src = c->p + bdata;
        if (t->type == TFL_T_INT32) {
            t->i32 = malloc(count * 4);
            if (!t->i32) {
                fb_fail(c, "out of memory");
                return -1;
            }
            for (size_t k = 0; k < count; k++)
                t->i32[k] = (int32_t)rd_u32(src + 4 * k);
        } else {
            t->f = malloc(count * 4);
            if (!t->f) {
                fb_fail(c, "out of memory");
                return -1;
            }
            for (size_t k = 0; k < count; k++) {
                if (t->type == TFL_T_FLOAT16) {
                    t->f[k] = half_to_float(rd_u16(src + 2 * k));
                } else {
                    uint32_t b = rd_u32(src + 4 * k);
                    memcpy(&t->f[k], &b, 4);
                }
            }
        }
    }

    if (parse_index_vector(c, &sub, 1, m->n_tensors, 0, m->inputs, &m->n_inputs, "inputs") < 0 ||
        parse_index_vector(c, &sub, 2, m->n_tensors, 0, m->outputs, &m->n_outputs, "outputs") < 0)
        return -1;
    if (m->n_inputs < 1 || m->n_outputs < 1) {
        fb_fail(c, "the graph has no inputs or no outputs");
        return -1;
    }

    /* operators */
    uint32_t n_ops;
    size_t opsv;
    if (fb_vector(c, &sub, 3, 4, "operators", &n_ops, &opsv) < 0)
        return -1;
    if (n_ops == 0 || n_ops > 100000) {
        fb_fail(c, "%u operators (expected 1 to 100000)", n_ops);
        return -1;
    }
    m->ops = calloc(n_ops, sizeof(*m->ops));
    if (!m->ops) {
        fb_fail(c, "out of memory");
        return -1;
    }
    m->n_ops = (int)n_ops;
    for (uint32_t i = 0; i < n_ops; i++) {
        tfl_op *op = &m->ops[i];
        fb_table ot, ct, opt;
        snprintf(what, sizeof(what), "operator %u", i);
        if (fb_vector_table(c, opsv, i, "operator", &ot) < 0)
            return -1;
        uint32_t oc = fb_uint(c, &ot, 0, 0, what);
        if (c->failed)
            return -1;
        if (oc >= n_codes) {
            fb_fail(c, "%s: opcode index %u out of range (%u codes)", what, oc, n_codes);
            return -1;
        }
        if (fb_vector_table(c, codes, oc, "operator code", &ct) < 0)
            return -1;
        int64_t dep = fb_int(c, &ct, 0, 1, 0, what);
        int64_t code = fb_int(c, &ct, 3, 4, 0, what);
        op->code = (int)(dep > code ? dep : code);
        if (fb_string(c, &ct, 1, what, op->custom, sizeof(op->custom)) < 0)
            return -1;
        if (op->code == TFL_OP_CUSTOM) {
            if (strcmp(op->custom, "Landmarks2TransformMatrix") == 0)
                op->code = TFL_OP_MP_LANDMARKS_TO_MATRIX;
            else if (strcmp(op->custom, "TransformTensorBilinear") == 0)
                op->code = TFL_OP_MP_TRANSFORM_BILINEAR;
            else if (strcmp(op->custom, "TransformLandmarks") == 0)
                op->code = TFL_OP_MP_TRANSFORM_LANDMARKS;
        }
        if (!is_supported(op->code)) {
            if (op->code == TFL_OP_CUSTOM)
                fb_fail(c, "%s: custom operator '%s' is not supported", what, op->custom);
            else
                fb_fail(c, "%s: builtin operator %d (%s) is not supported", what, op->code,
                        tfl_op_name(op->code));
            return -2;
        }
        snprintf(what, sizeof(what), "operator %u (%s)", i, tfl_op_name(op->code));
        if (parse_index_vector(c, &ot, 1, m->n_tensors, 1, op->in, &op->n_in, what) < 0 ||
            parse_index_vector(c, &ot, 2, m->n_tensors, 0, op->out, &op->n_out, what) < 0)
            return -1;
        unsigned opt_type = fb_ubyte(c, &ot, 3, what);
        size_t opos;
        int r = fb_ref(c, &ot, 4, what, &opos);
        if (r < 0)
            return -1;
        if (r > 0 && fb_table_at(c, opos, what, &opt) < 0)
            return -1;
        if (parse_options(c, r > 0 ? &opt : NULL, opt_type, op, what) < 0)
            return -1;
        if (op->code == TFL_OP_MP_LANDMARKS_TO_MATRIX) {
            uint32_t cn;
            size_t cdata;
            if (fb_vector(c, &ot, 5, 1, what, &cn, &cdata) < 0 ||
                parse_l2tm_options(c, c->p + cdata, cn, op, what) < 0)
                return -1;
        }
    }
    return c->failed ? -1 : 0;
}

int tfl_model_parse(const uint8_t *buf, size_t len, const char *label, tfl_model **out, char *err,
                    size_t errlen)
{
    if (err && errlen)
        err[0] = '\0';
    if (!out)
        return SZ_ERR_INVALID_ARG;
    *out = NULL;
    if (!label)
        label = "model";
    fb_ctx c = {.p = buf, .n = buf ? len : 0, .label = label, .err = err, .errlen = errlen};
    tfl_model *m = calloc(1, sizeof(*m));
    if (!m) {
        if (err && errlen)
            snprintf(err, errlen, "%s: out of memory", label);
        return SZ_ERR_NO_MEMORY;
    }
    snprintf(m->label, sizeof(m->label), "%s", label);
    int r = parse_model(&c, m);
    if (r < 0) {
        tfl_model_free(&m);
        return r == -2 ? SZ_ERR_UNSUPPORTED : SZ_ERR_FORMAT;
    }
    int rc = tfl_ops_prepare(m, err, errlen);
    if (rc != SZ_OK) {
        tfl_model_free(&m);
        return rc;
    }
    *out = m;
    return SZ_OK;
}

int tfl_model_load(const char *path, tfl_model **out, char *err, size_t errlen)
{
    if (!out || !path)
        return SZ_ERR_INVALID_ARG;
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f) {
        if (err && errlen)
            snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return errno == ENOENT ? SZ_ERR_NOT_FOUND : SZ_ERR_IO;
    }
    char *data = NULL;
    size_t len = 0;
    int rc = file_read_all(f, path, TFL_MAX_FILE_BYTES, &data, &len, err, errlen);
    if (rc != SZ_OK)
        return rc;
    const char *base = strrchr(path, '/');
    rc = tfl_model_parse((const uint8_t *)data, len, base ? base + 1 : path, out, err, errlen);
    free(data);
    return rc;
}

void tfl_model_free(tfl_model **pm)
{
    if (!pm || !*pm)
        return;
    tfl_model *m = *pm;
    for (int i = 0; m->t && i < m->n_tensors; i++) {
        if (m->t[i].is_const)
            free(m->t[i].f);
        free(m->t[i].i32);
    }
    free(m->t);
    for (int i = 0; m->ops && i < m->n_ops; i++)
        free(m->ops[i].subset);
    free(m->ops);
    free(m->arena);
    free(m);
    *pm = NULL;
}

tfl_tensor *tfl_input(tfl_model *m, int i)
{
    return (m && i >= 0 && i < m->n_inputs) ? &m->t[m->inputs[i]] : NULL;
}

const tfl_tensor *tfl_output(const tfl_model *m, int i)
{
    return (m && i >= 0 && i < m->n_outputs) ? &m->t[m->outputs[i]] : NULL;
}

int tfl_model_run(tfl_model *m, char *err, size_t errlen)
{
    if (!m) {
        if (err && errlen)
            snprintf(err, errlen, "tflite: no model");
        return SZ_ERR_INVALID_ARG;
    }
    for (int i = 0; i < m->n_ops; i++)
        tfl_op_run(m, &m->ops[i]);
    return SZ_OK;
}
