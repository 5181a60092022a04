/* SPDX-License-Identifier: Apache-2.0 */
/* tflite_ops.c: the float32 operators of the TFLite interpreter (NHWC), with
 * the shape checks that make running them safe: tfl_ops_prepare checks every
 * operator against the shapes stored in the file once, at load, so the
 * kernels trust their shapes. */
#include "avatar/landmarks/tflite.h"

#include "shuzi.h"

#include <cblas.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *tfl_op_name(int code)
{
    switch (code) {
    case TFL_OP_ADD: return "ADD";
    case TFL_OP_AVERAGE_POOL_2D: return "AVERAGE_POOL_2D";
    case TFL_OP_CONCATENATION: return "CONCATENATION";
    case TFL_OP_CONV_2D: return "CONV_2D";
    case TFL_OP_DEPTHWISE_CONV_2D: return "DEPTHWISE_CONV_2D";
    case TFL_OP_DEQUANTIZE: return "DEQUANTIZE";
    case TFL_OP_FULLY_CONNECTED: return "FULLY_CONNECTED";
    case TFL_OP_LOGISTIC: return "LOGISTIC";
    case TFL_OP_MAX_POOL_2D: return "MAX_POOL_2D";
    case TFL_OP_MUL: return "MUL";
    case TFL_OP_RELU: return "RELU";
    case TFL_OP_RELU6: return "RELU6";
    case TFL_OP_RESHAPE: return "RESHAPE";
    case TFL_OP_TANH: return "TANH";
    case TFL_OP_CUSTOM: return "CUSTOM";
    case TFL_OP_PAD: return "PAD";
    case TFL_OP_SUB: return "SUB";
    case TFL_OP_PRELU: return "PRELU";
    case TFL_OP_FOLDED: return "folded";
    case TFL_OP_STRIDED_SLICE: return "STRIDED_SLICE";
    case TFL_OP_MP_LANDMARKS_TO_MATRIX: return "Landmarks2TransformMatrix";
    case TFL_OP_MP_TRANSFORM_BILINEAR: return "TransformTensorBilinear";
    case TFL_OP_MP_TRANSFORM_LANDMARKS: return "TransformLandmarks";
    default: return "unknown";
    }
}

/* ---- shape checks ------------------------------------------------------ */

typedef struct prep_ctx {
    tfl_model *m;
    char *err;
    size_t errlen;
    int op_index;
} prep_ctx;

static int prep_fail(prep_ctx *c, const tfl_op *op, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int prep_fail(prep_ctx *c, const tfl_op *op, const char *fmt, ...)
{
    if (c->err && c->errlen) {
        int n = snprintf(c->err, c->errlen, "%s: operator %d (%s): ", c->m->label, c->op_index,
                         tfl_op_name(op->code));
        if (n >= 0 && (size_t)n < c->errlen) {
            va_list ap;
            va_start(ap, fmt);
            vsnprintf(c->err + n, c->errlen - (size_t)n, fmt, ap);
            va_end(ap);
        }
    }
    return SZ_ERR_FORMAT;
}

/* Input k as a float tensor, or NULL (missing, optional or not float). */
static tfl_tensor *in_f(tfl_model *m, const tfl_op *op, int k)
{
    if (k >= op->n_in || op->in[k] < 0)
        return NULL;
    tfl_tensor *t = &m->t[op->in[k]];
    return t->f ? t : NULL;
}
static tfl_tensor *out_f(tfl_model *m, const tfl_op *op, int k)
{
    if (k >= op->n_out || op->out[k] < 0)
        return NULL;
    tfl_tensor *t = &m->t[op->out[k]];
    return (t->f && !t->is_const) ? t : NULL;
}

/* Output size of a windowed operator along one axis; 0 when impossible. */
static int window_out(int in, int k, int stride, int dil, int valid)
{
    if (stride < 1 || stride > 1024 || dil < 1 || dil > 1024 || k < 1 || k > 1024)
        return 0;
    if (!valid)
        return (in + stride - 1) / stride;
    long eff = (long)(k - 1) * dil + 1;
    if (eff > in)
        return 0;
    return (int)((in - eff) / stride + 1);
}

static int same4(const tfl_tensor *t, int n, int h, int w, int ch)
{
    return t->n_dims == 4 && t->shape[0] == n && t->shape[1] == h && t->shape[2] == w &&
           t->shape[3] == ch;
}

/* Broadcast two shapes (right-aligned, at most 4 dims) into out's. */
static int broadcast_ok(const tfl_tensor *a, const tfl_tensor *b, const tfl_tensor *o)
{
    if (a->n_dims > 4 || b->n_dims > 4 || o->n_dims > 4)
        return 0;
    for (int d = 0; d < 4; d++) {
        int da = d < 4 - a->n_dims ? 1 : a->shape[d - (4 - a->n_dims)];
        int db = d < 4 - b->n_dims ? 1 : b->shape[d - (4 - b->n_dims)];
        int dout = d < 4 - o->n_dims ? 1 : o->shape[d - (4 - o->n_dims)];
        if (!((da == dout || da == 1) && (db == dout || db == 1)))
            return 0;
        if ((da == 1 && db == 1) && dout != 1)
            return 0;
    }
    return 1;
}

/* STRIDED_SLICE begin and stride per dimension (right-aligned to 4 dims) and
 * the resulting sizes; 0 when the constants are missing or unsupported. */
static int slice_params(const tfl_model *m, const tfl_op *op, const tfl_tensor *x, int begin[4],
                        int stride[4], int size[4])
{
    if (op->n_in < 4 || x->n_dims > 4 || op->ellipsis_mask || op->new_axis_mask ||
        op->shrink_axis_mask)
        return 0;
    const tfl_tensor *tb = NULL, *te = NULL, *ts = NULL;
    for (int k = 1; k < 4; k++) {
        if (op->in[k] < 0)
            return 0;
        const tfl_tensor *t = &m->t[op->in[k]];
        if (!t->i32 || (int)t->count != x->n_dims)
            return 0;
        if (k == 1)
            tb = t;
        else if (k == 2)
            te = t;
        else
            ts = t;
    }
    int off = 4 - x->n_dims;
    for (int d = 0; d < 4; d++) {
        begin[d] = 0;
        stride[d] = 1;
        size[d] = 1;
    }
    for (int d = 0; d < x->n_dims; d++) {
        long dim = x->shape[d], b = tb->i32[d], e = te->i32[d], st = ts->i32[d];
        if (st < 1 || st > 65536)
            return 0; /* negative or zero strides are not supported */
        if (op->begin_mask & (1 << d))
            b = 0;
        if (op->end_mask & (1 << d))
            e = dim;
        b = b < 0 ? b + dim : b;
        e = e < 0 ? e + dim : e;
        b = b < 0 ? 0 : (b > dim ? dim : b);
        e = e < 0 ? 0 : (e > dim ? dim : e);
        long n = e > b ? (e - b + st - 1) / st : 0;
        begin[off + d] = (int)b;
        stride[off + d] = (int)st;
        size[off + d] = (int)n;
    }
    return 1;
}

static int prep_op(prep_ctx *c, const tfl_op *op)
{
    tfl_model *m = c->m;
    if (op->code == TFL_OP_FOLDED)
        return SZ_OK;
    tfl_tensor *x = in_f(m, op, 0), *y = out_f(m, op, 0);
    if (!x)
        return prep_fail(c, op, "input 0 missing or not float");
    if (!y)
        return prep_fail(c, op, "output 0 missing, constant or not float");
    if (op->act < 0 || op->act > 4)
        return prep_fail(c, op, "fused activation %d is not supported", op->act);
    switch (op->code) {
    case TFL_OP_CONV_2D:
    case TFL_OP_DEPTHWISE_CONV_2D: {
        tfl_tensor *w = in_f(m, op, 1), *b = in_f(m, op, 2);
        if (!w || !w->is_const || w->n_dims != 4)
            return prep_fail(c, op, "filter must be a constant 4-D float tensor");
        if (x->n_dims != 4)
            return prep_fail(c, op, "input must be 4-D (NHWC)");
        int dw = op->code == TFL_OP_DEPTHWISE_CONV_2D;
        int kh = w->shape[1], kw = w->shape[2];
        int oc = dw ? w->shape[3] : w->shape[0];
        if (dw ? (w->shape[0] != 1 || oc % x->shape[3] != 0) : w->shape[3] != x->shape[3])
            return prep_fail(c, op, "filter channels do not match the input's %d", x->shape[3]);
        if (op->n_in > 2 && op->in[2] >= 0 && (!b || !b->is_const || (int)b->count != oc))
            return prep_fail(c, op, "bias must be a constant of %d floats", oc);
        int oh = window_out(x->shape[1], kh, op->stride_h, op->dil_h, op->padding_valid);
        int ow = window_out(x->shape[2], kw, op->stride_w, op->dil_w, op->padding_valid);
        if (!oh || !ow || !same4(y, x->shape[0], oh, ow, oc))
            return prep_fail(c, op, "output shape does not match input, filter and strides");
        m->cost += (uint64_t)y->count * (uint64_t)kh * kw * (dw ? 1u : (uint64_t)x->shape[3]);
        return SZ_OK;
    }
    case TFL_OP_MAX_POOL_2D:
    case TFL_OP_AVERAGE_POOL_2D: {
        if (x->n_dims != 4)
            return prep_fail(c, op, "input must be 4-D (NHWC)");
        int oh = window_out(x->shape[1], op->filter_h, op->stride_h, 1, op->padding_valid);
        int ow = window_out(x->shape[2], op->filter_w, op->stride_w, 1, op->padding_valid);
        if (!oh || !ow || !same4(y, x->shape[0], oh, ow, x->shape[3]))
            return prep_fail(c, op, "output shape does not match input, window and strides");
        m->cost += (uint64_t)y->count * (uint64_t)op->filter_h * op->filter_w;
        return SZ_OK;
    }
    case TFL_OP_ADD:
    case TFL_OP_SUB:
    case TFL_OP_MUL:
    case TFL_OP_PRELU: {
        tfl_tensor *b = in_f(m, op, 1);
        if (!b)
            return prep_fail(c, op, "input 1 missing or not float");
        if (!broadcast_ok(x, b, y) || x->count > y->count)
            return prep_fail(c, op, "input shapes do not broadcast to the output's");
        if (op->code == TFL_OP_PRELU && op->act)
            return prep_fail(c, op, "fused activation on PRELU");
        m->cost += y->count;
        return SZ_OK;
    }
    case TFL_OP_CONCATENATION: {
        int nd = y->n_dims;
        int axis = op->axis < 0 ? op->axis + nd : op->axis;
        if (axis < 0 || axis >= nd)
            return prep_fail(c, op, "axis %d out of range for %d dimensions", op->axis, nd);
        long sum = 0;
        for (int k = 0; k < op->n_in; k++) {
            tfl_tensor *t = in_f(m, op, k);
            if (!t || t->n_dims != nd)
                return prep_fail(c, op, "input %d missing or of another rank", k);
            for (int d = 0; d < nd; d++)
                if (d != axis && t->shape[d] != y->shape[d])
                    return prep_fail(c, op, "input %d differs from the output off the axis", k);
            sum += t->shape[axis];
        }
        if (sum != y->shape[axis])
            return prep_fail(c, op, "inputs add up to %ld along the axis, output has %d", sum,
                             y->shape[axis]);
        m->cost += y->count;
        return SZ_OK;
    }
    case TFL_OP_PAD: {
        if (op->n_in < 2 || op->in[1] < 0)
            return prep_fail(c, op, "paddings missing");
        const tfl_tensor *p = &m->t[op->in[1]];
        if (!p->i32 || p->n_dims != 2 || p->shape[0] != x->n_dims || p->shape[1] != 2 ||
            x->n_dims > 4 || y->n_dims != x->n_dims)
            return prep_fail(c, op, "paddings must be a constant int32 [%d, 2]", x->n_dims);
        for (int d = 0; d < x->n_dims; d++) {
            int32_t lo = p->i32[2 * d], hi = p->i32[2 * d + 1];
            if (lo < 0 || hi < 0 || lo > 4096 || hi > 4096 ||
                (long)x->shape[d] + lo + hi != y->shape[d])
                return prep_fail(c, op, "padding of dimension %d does not match the output", d);
        }
        m->cost += y->count;
        return SZ_OK;
    }
    case TFL_OP_FULLY_CONNECTED: {
        tfl_tensor *w = in_f(m, op, 1), *b = in_f(m, op, 2);
        if (!w || !w->is_const || w->n_dims != 2)
            return prep_fail(c, op, "weights must be a constant 2-D float tensor");
        size_t o = (size_t)w->shape[0], k = (size_t)w->shape[1];
        if (x->count % k != 0 || y->count != x->count / k * o)
            return prep_fail(c, op, "input/output sizes do not match weights [%zu, %zu]", o, k);
        if (op->n_in > 2 && op->in[2] >= 0 && (!b || !b->is_const || b->count != o))
            return prep_fail(c, op, "bias must be a constant of %zu floats", o);
        m->cost += (uint64_t)y->count * k;
        return SZ_OK;
    }
    case TFL_OP_STRIDED_SLICE: {
        int begin[4], stride[4], size[4];
        if (!slice_params(m, op, x, begin, stride, size))
            return prep_fail(c, op,
                             "needs constant int32 begin/end/strides, positive strides "
                             "and no ellipsis/new-axis/shrink masks");
        int off = 4 - x->n_dims;
        if (y->n_dims != x->n_dims)
            return prep_fail(c, op, "output rank differs from the input's");
        for (int d = 0; d < x->n_dims; d++)
            if (size[off + d] != y->shape[d])
                return prep_fail(c, op, "output dimension %d is %d, the slice gives %d", d,
                                 y->shape[d], size[off + d]);
        m->cost += y->count;
        return SZ_OK;
    }
    case TFL_OP_MP_LANDMARKS_TO_MATRIX: {
        size_t n = x->count / 3;
        if (x->count % 3 || (size_t)op->left_idx >= n || (size_t)op->right_idx >= n)
            return prep_fail(c, op, "input must hold 3-D landmarks covering the rotation indices");
        for (int k = 0; k < op->n_subset; k++)
            if ((size_t)op->subset[k] >= n)
                return prep_fail(c, op, "subset index %d out of range (%zu landmarks)",
                                 op->subset[k], n);
        if (y->count != 16)
            return prep_fail(c, op, "output must be a 4x4 matrix");
        m->cost += (uint64_t)op->n_subset;
        return SZ_OK;
    }
    case TFL_OP_MP_TRANSFORM_BILINEAR: {
        tfl_tensor *mat = in_f(m, op, 1);
        if (!mat || mat->count != 16)
            return prep_fail(c, op, "input 1 must be a 4x4 float matrix");
        if (x->n_dims != 4 || x->shape[0] != 1 || y->n_dims != 4 || y->shape[0] != 1 ||
            y->shape[3] != x->shape[3])
            return prep_fail(c, op, "input and output must be [1, H, W, C] with equal C");
        m->cost += y->count * 4;
        return SZ_OK;
    }
    case TFL_OP_MP_TRANSFORM_LANDMARKS: {
        tfl_tensor *mat = in_f(m, op, 1);
        if (!mat || mat->count != 16)
            return prep_fail(c, op, "input 1 must be a 4x4 float matrix");
        int last = x->shape[x->n_dims > 0 ? x->n_dims - 1 : 0];
        if (x->n_dims < 1 || (last != 2 && last != 3) || y->count != x->count)
            return prep_fail(c, op, "landmarks must be [..., 2 or 3], output of the same size");
        m->cost += y->count * 2;
        return SZ_OK;
    }
    case TFL_OP_RESHAPE:
    case TFL_OP_DEQUANTIZE:
    case TFL_OP_LOGISTIC:
    case TFL_OP_RELU:
    case TFL_OP_RELU6:
    case TFL_OP_TANH:
        if (x->count != y->count)
            return prep_fail(c, op, "input has %zu elements, output %zu", x->count, y->count);
        m->cost += y->count;
        return SZ_OK;
    default: return prep_fail(c, op, "not supported");
    }
}

/* Folds DEQUANTIZE of constant float16 weights: its output becomes a float
 * constant and the operator is skipped at run time. */
static int fold_dequantize(tfl_model *m, char *err, size_t errlen)
{
    size_t total = 0;
    for (int i = 0; i < m->n_ops; i++) {
        tfl_op *op = &m->ops[i];
        if (op->code != TFL_OP_DEQUANTIZE || op->n_in < 1 || op->n_out < 1 || op->in[0] < 0)
            continue;
        tfl_tensor *x = &m->t[op->in[0]], *y = &m->t[op->out[0]];
        if (!x->is_const || !x->f || y->is_const || y->type != TFL_T_FLOAT32)
            continue;
        if (x->count != y->count) {
            if (err && errlen)
                snprintf(err, errlen, "%s: operator %d (DEQUANTIZE): %zu elements in, %zu out",
                         m->label, i, x->count, y->count);
            return SZ_ERR_FORMAT;
        }
        total += y->count;
        if (total > TFL_MAX_TOTAL_ELEMS) {
            if (err && errlen)
                snprintf(err, errlen, "%s: dequantized weights need more than %u floats", m->label,
                         TFL_MAX_TOTAL_ELEMS);
            return SZ_ERR_FORMAT;
        }
        y->f = malloc(y->count * sizeof(float));
        if (!y->f) {
            if (err && errlen)
                snprintf(err, errlen, "%s: out of memory", m->label);
            return SZ_ERR_NO_MEMORY;
        }
        memcpy(y->f, x->f, y->count * sizeof(float));
        y->is_const = 1;
        op->code = TFL_OP_FOLDED;
    }
    return SZ_OK;
}

int tfl_ops_prepare(tfl_model *m, char *err, size_t errlen)
{
    int frc = fold_dequantize(m, err, errlen);
    if (frc != SZ_OK)
        return frc;
    size_t total = 0;
    for (int i = 0; i < m->n_tensors; i++) {
        tfl_tensor *t = &m->t[i];
        if (t->is_const || t->type != TFL_T_FLOAT32)
            continue;
        total += t->count;
        if (total > TFL_MAX_TOTAL_ELEMS) {
            if (err && errlen)
                snprintf(err, errlen, "%s: activations need more than %u floats", m->label,
                         TFL_MAX_TOTAL_ELEMS);
            return SZ_ERR_FORMAT;
        }
    }
    m->arena = calloc(total ? total : 1, sizeof(float));
    if (!m->arena) {
        if (err && errlen)
            snprintf(err, errlen, "%s: out of memory", m->label);
        return SZ_ERR_NO_MEMORY;
    }
    size_t at = 0;
    for (int i = 0; i < m->n_tensors; i++) {
        tfl_tensor *t = &m->t[i];
        if (t->is_const || t->type != TFL_T_FLOAT32)
            continue;
        t->f = m->arena + at;
        at += t->count;
    }
    for (int i = 0; i < m->n_inputs; i++) {
        const tfl_tensor *t = &m->t[m->inputs[i]];
        if (!t->f || t->is_const) {
            if (err && errlen)
                snprintf(err, errlen, "%s: input %d ('%s') is not a float32 activation", m->label,
                         i, t->name);
            return SZ_ERR_UNSUPPORTED;
        }
    }
    for (int i = 0; i < m->n_outputs; i++) {
        if (!m->t[m->outputs[i]].f) {
            if (err && errlen)
                snprintf(err, errlen, "%s: output %d is not float", m->label, i);
            return SZ_ERR_UNSUPPORTED;
        }
    }
    prep_ctx c = {.m = m, .err = err, .errlen = errlen};
    for (int i = 0; i < m->n_ops; i++) {
        c.op_index = i;
        int rc = prep_op(&c, &m->ops[i]);
        if (rc != SZ_OK)
            return rc;
    }
    return SZ_OK;
}

/* ---- kernels ------------------------------------------------------------ */

static void apply_act(float *v, size_t n, int act)
{
    switch (act) {
    case 1:
        for (size_t i = 0; i < n; i++)
            v[i] = v[i] > 0.0f ? v[i] : 0.0f;
        break;
    case 2:
        for (size_t i = 0; i < n; i++)
            v[i] = v[i] < -1.0f ? -1.0f : (v[i] > 1.0f ? 1.0f : v[i]);
        break;
    case 3:
        for (size_t i = 0; i < n; i++)
            v[i] = v[i] < 0.0f ? 0.0f : (v[i] > 6.0f ? 6.0f : v[i]);
        break;
    case 4:
        for (size_t i = 0; i < n; i++)
            v[i] = tanhf(v[i]);
        break;
    default: break;
    }
}

/* Leading padding of a SAME window (TensorFlow puts the odd pixel after). */
static int pad_before(int in, int out, int k, int stride, int dil, int valid)
{
    if (valid)
        return 0;
    long need = (long)(out - 1) * stride + (long)(k - 1) * dil + 1 - in;
    return need > 0 ? (int)(need / 2) : 0;
}

static void run_conv(const tfl_tensor *x, const tfl_tensor *w, const tfl_tensor *b, tfl_tensor *y,
                     const tfl_op *op)
{
    int n = x->shape[0], h = x->shape[1], wd = x->shape[2], ci = x->shape[3];
    int oh = y->shape[1], ow = y->shape[2], oc = y->shape[3];
    int kh = w->shape[1], kw = w->shape[2];
    if (kh == 1 && kw == 1 && op->stride_h == 1 && op->stride_w == 1 && x->f != y->f) {
        /* pointwise: y[pixels, oc] = x[pixels, ci] * w[oc, ci]^T + b (OpenBLAS) */
        size_t pixels = (size_t)n * oh * ow;
        for (size_t p = 0; p < pixels; p++)
            for (int o = 0; o < oc; o++)
                y->f[p * oc + o] = b ? b->f[o] : 0.0f;
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)pixels, oc, ci, 1.0f, x->f, ci,
                    w->f, ci, 1.0f, y->f, oc);
        apply_act(y->f, y->count, op->act);
        return;
    }
    int ph = pad_before(h, oh, kh, op->stride_h, op->dil_h, op->padding_valid);
    int pw = pad_before(wd, ow, kw, op->stride_w, op->dil_w, op->padding_valid);
    for (int bn = 0; bn < n; bn++)
        for (int oy = 0; oy < oh; oy++)
            for (int ox = 0; ox < ow; ox++) {
                float *dst = y->f + (((size_t)bn * oh + oy) * ow + ox) * oc;
                for (int o = 0; o < oc; o++)
                    dst[o] = b ? b->f[o] : 0.0f;
                for (int ky = 0; ky < kh; ky++) {
                    int iy = oy * op->stride_h - ph + ky * op->dil_h;
                    if (iy < 0 || iy >= h)
                        continue;
                    for (int kx = 0; kx < kw; kx++) {
                        int ix = ox * op->stride_w - pw + kx * op->dil_w;
                        if (ix < 0 || ix >= wd)
                            continue;
                        const float *src = x->f + (((size_t)bn * h + iy) * wd + ix) * ci;
                        for (int o = 0; o < oc; o++) {
                            const float *wp = w->f + (((size_t)o * kh + ky) * kw + kx) * ci;
                            float s = 0.0f;
                            for (int k = 0; k < ci; k++)
                                s += src[k] * wp[k];
                            dst[o] += s;
                        }
                    }
                }
            }
    apply_act(y->f, y->count, op->act);
}

static void run_depthwise(const tfl_tensor *x, const tfl_tensor *w, const tfl_tensor *b,
                          tfl_tensor *y, const tfl_op *op)
{
    int n = x->shape[0], h = x->shape[1], wd = x->shape[2], ci = x->shape[3];
    int oh = y->shape[1], ow = y->shape[2], oc = y->shape[3];
    int kh = w->shape[1], kw = w->shape[2];
    int mult = oc / ci;
    int ph = pad_before(h, oh, kh, op->stride_h, op->dil_h, op->padding_valid);
    int pw = pad_before(wd, ow, kw, op->stride_w, op->dil_w, op->padding_valid);
    for (int bn = 0; bn < n; bn++)
        for (int oy = 0; oy < oh; oy++)
            for (int ox = 0; ox < ow; ox++) {
                float *dst = y->f + (((size_t)bn * oh + oy) * ow + ox) * oc;
                for (int o = 0; o < oc; o++)
                    dst[o] = b ? b->f[o] : 0.0f;
                for (int ky = 0; ky < kh; ky++) {
                    int iy = oy * op->stride_h - ph + ky * op->dil_h;
                    if (iy < 0 || iy >= h)
                        continue;
                    for (int kx = 0; kx < kw; kx++) {
                        int ix = ox * op->stride_w - pw + kx * op->dil_w;
                        if (ix < 0 || ix >= wd)
                            continue;
                        const float *src = x->f + (((size_t)bn * h + iy) * wd + ix) * ci;
                        const float *wp = w->f + ((size_t)ky * kw + kx) * oc;
                        if (mult == 1) {
                            for (int o = 0; o < oc; o++)
                                dst[o] += src[o] * wp[o];
                        } else {
                            for (int o = 0; o < oc; o++)
                                dst[o] += src[o / mult] * wp[o];
                        }
                    }
                }
            }
    apply_act(y->f, y->count, op->act);
}

static void run_pool(const tfl_tensor *x, tfl_tensor *y, const tfl_op *op, int is_max)
{
    int n = x->shape[0], h = x->shape[1], wd = x->shape[2], ch = x->shape[3];
    int oh = y->shape[1], ow = y->shape[2];
    int ph = pad_before(h, oh, op->filter_h, op->stride_h, 1, op->padding_valid);
    int pw = pad_before(wd, ow, op->filter_w, op->stride_w, 1, op->padding_valid);
    for (int bn = 0; bn < n; bn++)
        for (int oy = 0; oy < oh; oy++)
            for (int ox = 0; ox < ow; ox++) {
                float *dst = y->f + (((size_t)bn * oh + oy) * ow + ox) * ch;
                for (int c = 0; c < ch; c++) {
                    float acc = is_max ? -INFINITY : 0.0f;
                    int cnt = 0;
                    for (int ky = 0; ky < op->filter_h; ky++) {
                        int iy = oy * op->stride_h - ph + ky;
                        if (iy < 0 || iy >= h)
                            continue;
                        for (int kx = 0; kx < op->filter_w; kx++) {
                            int ix = ox * op->stride_w - pw + kx;
                            if (ix < 0 || ix >= wd)
                                continue;
                            float v = x->f[(((size_t)bn * h + iy) * wd + ix) * ch + c];
                            if (is_max)
                                acc = v > acc ? v : acc;
                            else
                                acc += v;
                            cnt++;
                        }
                    }
                    dst[c] = is_max ? (cnt ? acc : 0.0f) : (cnt ? acc / (float)cnt : 0.0f);
                }
            }
    apply_act(y->f, y->count, op->act);
}

/* Element-wise binary operator with broadcasting over 4 right-aligned dims. */
static void run_binary(const tfl_tensor *a, const tfl_tensor *b, tfl_tensor *y, const tfl_op *op)
{
    int od[4], as[4], bs[4];
    size_t sa = 1, sb = 1;
    for (int d = 3; d >= 0; d--) {
        int da = d < 4 - a->n_dims ? 1 : a->shape[d - (4 - a->n_dims)];
        int db = d < 4 - b->n_dims ? 1 : b->shape[d - (4 - b->n_dims)];
        od[d] = d < 4 - y->n_dims ? 1 : y->shape[d - (4 - y->n_dims)];
        as[d] = da == 1 ? 0 : (int)sa;
        bs[d] = db == 1 ? 0 : (int)sb;
        sa *= (size_t)da;
        sb *= (size_t)db;
    }
    float *dst = y->f;
    size_t i = 0;
    for (int d0 = 0; d0 < od[0]; d0++)
        for (int d1 = 0; d1 < od[1]; d1++)
            for (int d2 = 0; d2 < od[2]; d2++) {
                size_t ia = (size_t)d0 * as[0] + (size_t)d1 * as[1] + (size_t)d2 * as[2];
                size_t ib = (size_t)d0 * bs[0] + (size_t)d1 * bs[1] + (size_t)d2 * bs[2];
                for (int d3 = 0; d3 < od[3]; d3++, i++) {
                    float va = a->f[ia + (size_t)d3 * as[3]], vb = b->f[ib + (size_t)d3 * bs[3]];
                    float r;
                    switch (op->code) {
                    case TFL_OP_ADD: r = va + vb; break;
                    case TFL_OP_SUB: r = va - vb; break;
                    case TFL_OP_MUL: r = va * vb; break;
                    default: r = va >= 0.0f ? va : va * vb; break; /* PRELU */
                    }
                    dst[i] = r;
                }
            }
    apply_act(y->f, y->count, op->act);
}

static void run_concat(tfl_model *m, const tfl_op *op, tfl_tensor *y)
{
    int nd = y->n_dims;
    int axis = op->axis < 0 ? op->axis + nd : op->axis;
    size_t outer = 1, inner = 1;
    for (int d = 0; d < axis; d++)
        outer *= (size_t)y->shape[d];
    for (int d = axis + 1; d < nd; d++)
        inner *= (size_t)y->shape[d];
    size_t row = (size_t)y->shape[axis] * inner, at = 0;
    for (int k = 0; k < op->n_in; k++) {
        const tfl_tensor *t = &m->t[op->in[k]];
        size_t chunk = (size_t)t->shape[axis] * inner;
        for (size_t o = 0; o < outer; o++)
            memmove(y->f + o * row + at, t->f + o * chunk, chunk * sizeof(float));
        at += chunk;
    }
    apply_act(y->f, y->count, op->act);
}

static void run_pad(const tfl_tensor *x, const int32_t *pads, tfl_tensor *y)
{
    int id[4] = {1, 1, 1, 1}, od[4] = {1, 1, 1, 1}, lo[4] = {0, 0, 0, 0};
    int off = 4 - x->n_dims;
    for (int d = 0; d < x->n_dims; d++) {
        id[off + d] = x->shape[d];
        od[off + d] = y->shape[d];
        lo[off + d] = pads[2 * d];
    }
    memset(y->f, 0, y->count * sizeof(float));
    for (int a = 0; a < id[0]; a++)
        for (int b = 0; b < id[1]; b++)
            for (int c = 0; c < id[2]; c++) {
                const float *src = x->f + (((size_t)a * id[1] + b) * id[2] + c) * id[3];
                float *dst =
                    y->f +
                    ((((size_t)(a + lo[0]) * od[1] + (b + lo[1])) * od[2] + (c + lo[2])) * od[3] +
                     lo[3]);
                memmove(dst, src, (size_t)id[3] * sizeof(float));
            }
}

static void run_fc(const tfl_tensor *x, const tfl_tensor *w, const tfl_tensor *b, tfl_tensor *y,
                   int act)
{
    size_t o_n = (size_t)w->shape[0], k_n = (size_t)w->shape[1], rows = x->count / k_n;
    for (size_t r = 0; r < rows; r++)
        for (size_t o = 0; o < o_n; o++) {
            const float *src = x->f + r * k_n, *wp = w->f + o * k_n;
            float s = b ? b->f[o] : 0.0f;
            for (size_t k = 0; k < k_n; k++)
                s += src[k] * wp[k];
            y->f[r * o_n + o] = s;
        }
    apply_act(y->f, y->count, act);
}

static void run_slice(const tfl_model *m, const tfl_op *op, const tfl_tensor *x, tfl_tensor *y)
{
    int begin[4], stride[4], size[4], dim[4] = {1, 1, 1, 1};
    slice_params(m, op, x, begin, stride, size);
    for (int d = 0; d < x->n_dims; d++)
        dim[4 - x->n_dims + d] = x->shape[d];
    size_t o = 0;
    for (int a = 0; a < size[0]; a++)
        for (int b = 0; b < size[1]; b++)
            for (int c = 0; c < size[2]; c++) {
                size_t row = (((size_t)(begin[0] + a * stride[0]) * dim[1] +
                               (size_t)(begin[1] + b * stride[1])) *
                                  dim[2] +
                              (size_t)(begin[2] + c * stride[2])) *
                             dim[3];
                for (int e = 0; e < size[3]; e++)
                    y->f[o++] = x->f[row + (size_t)begin[3] + (size_t)e * stride[3]];
            }
}

/* MediaPipe Landmarks2TransformMatrix v2: the affine map from a crop of
 * out_w x out_h to the landmarks' frame; the crop is the box of the subset
 * landmarks in the frame rotated by the eye line, scaled by scale_x/y. */
static void run_l2tm(const tfl_op *op, const tfl_tensor *x, tfl_tensor *y)
{
    const float *lm = x->f;
    float lx = lm[3 * op->left_idx], ly = lm[3 * op->left_idx + 1];
    float rx = lm[3 * op->right_idx], ry = lm[3 * op->right_idx + 1];
    float rot = op->target_rot - atan2f(ry - ly, rx - lx);
    float c = cosf(rot), s = sinf(rot);
    float x0 = INFINITY, x1 = -INFINITY, y0 = INFINITY, y1 = -INFINITY;
    for (int k = 0; k < op->n_subset; k++) {
        float px = lm[3 * op->subset[k]], py = lm[3 * op->subset[k] + 1];
        float u = c * px - s * py, v = s * px + c * py;
        x0 = fminf(x0, u);
        x1 = fmaxf(x1, u);
        y0 = fminf(y0, v);
        y1 = fmaxf(y1, v);
    }
    float mu = (x0 + x1) / 2, mv = (y0 + y1) / 2;
    float cx = c * mu + s * mv, cy = -s * mu + c * mv; /* rotated back by -rot */
    float sx = op->scale_x * (x1 - x0) / (float)op->out_w;
    float sy = op->scale_y * (y1 - y0) / (float)op->out_h;
    /* A = R(-rot) * diag(sx, sy); t = centre - A * (out_w / 2, out_h / 2) */
    float a00 = c * sx, a01 = s * sy, a10 = -s * sx, a11 = c * sy;
    float hw = (float)op->out_w / 2, hh = (float)op->out_h / 2;
    float *o = y->f;
    memset(o, 0, 16 * sizeof(float));
    o[0] = a00;
    o[1] = a01;
    o[3] = cx - a00 * hw - a01 * hh;
    o[4] = a10;
    o[5] = a11;
    o[7] = cy - a10 * hw - a11 * hh;
    o[10] = 1.0f;
    o[15] = 1.0f;
}

/* MediaPipe TransformTensorBilinear v2: samples the input feature map at the
 * matrix's image of each output pixel centre; zero outside. */
static void run_transform_bilinear(const tfl_tensor *x, const tfl_tensor *mat, tfl_tensor *y)
{
    int h = x->shape[1], w = x->shape[2], ch = x->shape[3];
    int oh = y->shape[1], ow = y->shape[2];
    const float *t = mat->f;
    float tx0 = t[0], tx1 = t[1], tx3 = t[3] + t[0] * 0.5f + t[1] * 0.5f - 0.5f;
    float ty0 = t[4], ty1 = t[5], ty3 = t[7] + t[4] * 0.5f + t[5] * 0.5f - 0.5f;
    for (int oy = 0; oy < oh; oy++)
        for (int ox = 0; ox < ow; ox++) {
            float *dst = y->f + ((size_t)oy * ow + ox) * ch;
            float sx = tx0 * (float)ox + tx1 * (float)oy + tx3;
            float sy = ty0 * (float)ox + ty1 * (float)oy + ty3;
            if (!(sx >= 0.0f && sy >= 0.0f && sx <= (float)(w - 1) && sy <= (float)(h - 1))) {
                memset(dst, 0, (size_t)ch * sizeof(float));
                continue;
            }
            int ix = (int)floorf(sx), iy = (int)floorf(sy);
            float ax = sx - (float)ix, ay = sy - (float)iy;
            int ix1 = ix + 1 < w ? ix + 1 : -1, iy1 = iy + 1 < h ? iy + 1 : -1;
            const float *q11 = x->f + ((size_t)iy * w + ix) * ch;
            const float *q21 = ix1 >= 0 ? x->f + ((size_t)iy * w + ix1) * ch : NULL;
            const float *q12 = iy1 >= 0 ? x->f + ((size_t)iy1 * w + ix) * ch : NULL;
            const float *q22 = (ix1 >= 0 && iy1 >= 0) ? x->f + ((size_t)iy1 * w + ix1) * ch : NULL;
            for (int c = 0; c < ch; c++) {
                float v11 = q11[c], v21 = q21 ? q21[c] : 0.0f;
                float v12 = q12 ? q12[c] : 0.0f, v22 = q22 ? q22[c] : 0.0f;
                float up = (1.0f - ax) * v11 + ax * v21, lo = (1.0f - ax) * v12 + ax * v22;
                dst[c] = ay * lo + (1.0f - ay) * up;
            }
        }
}

/* MediaPipe TransformLandmarks v2: x, y of each landmark through the matrix. */
static void run_transform_landmarks(const tfl_tensor *x, const tfl_tensor *mat, tfl_tensor *y)
{
    int dims = x->shape[x->n_dims - 1];
    const float *t = mat->f;
    if (x->f != y->f)
        memmove(y->f, x->f, x->count * sizeof(float));
    for (size_t i = 0; i + (size_t)dims <= x->count; i += (size_t)dims) {
        float px = x->f[i], py = x->f[i + 1];
        y->f[i] = t[0] * px + t[1] * py + t[3];
        y->f[i + 1] = t[4] * px + t[5] * py + t[7];
    }
}

void tfl_op_run(tfl_model *m, const tfl_op *op)
{
    tfl_tensor *x = in_f(m, op, 0), *y = out_f(m, op, 0);
    switch (op->code) {
    case TFL_OP_CONV_2D: run_conv(x, in_f(m, op, 1), in_f(m, op, 2), y, op); break;
    case TFL_OP_DEPTHWISE_CONV_2D: run_depthwise(x, in_f(m, op, 1), in_f(m, op, 2), y, op); break;
    case TFL_OP_MAX_POOL_2D: run_pool(x, y, op, 1); break;
    case TFL_OP_AVERAGE_POOL_2D: run_pool(x, y, op, 0); break;
    case TFL_OP_ADD:
    case TFL_OP_SUB:
    case TFL_OP_MUL:
    case TFL_OP_PRELU: run_binary(x, in_f(m, op, 1), y, op); break;
    case TFL_OP_CONCATENATION: run_concat(m, op, y); break;
    case TFL_OP_PAD: run_pad(x, m->t[op->in[1]].i32, y); break;
    case TFL_OP_FULLY_CONNECTED: run_fc(x, in_f(m, op, 1), in_f(m, op, 2), y, op->act); break;
    case TFL_OP_STRIDED_SLICE: run_slice(m, op, x, y); break;
    case TFL_OP_MP_LANDMARKS_TO_MATRIX: run_l2tm(op, x, y); break;
    case TFL_OP_MP_TRANSFORM_BILINEAR: run_transform_bilinear(x, in_f(m, op, 1), y); break;
    case TFL_OP_MP_TRANSFORM_LANDMARKS: run_transform_landmarks(x, in_f(m, op, 1), y); break;
    case TFL_OP_RESHAPE:
    case TFL_OP_DEQUANTIZE:
        if (x->f != y->f)
            memmove(y->f, x->f, y->count * sizeof(float));
        break;
    case TFL_OP_LOGISTIC:
        for (size_t i = 0; i < y->count; i++)
            y->f[i] = 1.0f / (1.0f + expf(-x->f[i]));
        break;
    case TFL_OP_RELU:
        memmove(y->f, x->f, y->count * sizeof(float));
        apply_act(y->f, y->count, 1);
        break;
    case TFL_OP_RELU6:
        memmove(y->f, x->f, y->count * sizeof(float));
        apply_act(y->f, y->count, 3);
        break;
    case TFL_OP_TANH:
        memmove(y->f, x->f, y->count * sizeof(float));
        apply_act(y->f, y->count, 4);
        break;
    default: break;
    }
}
