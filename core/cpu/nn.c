/* nn.c: CPU kernels for the diffusion voice (see nn.h). */
#include <cblas.h>
#include <math.h>
#include <string.h>

#include "core/cpu/nn.h"

void openblas_set_num_threads(int n);

void nn_conv1d(const float *x, int c_in, int t_len, const float *w, const float *b, int c_out,
               int k_size, int dil, float *y, float *cols)
{
    const float *src = x;
    if (k_size > 1) {
        int half = k_size / 2;
        for (int i = 0; i < c_in; i++)
            for (int k = 0; k < k_size; k++) {
                float *row = cols + ((size_t)i * k_size + k) * t_len;
                const float *xi = x + (size_t)i * t_len;
                int off = (k - half) * dil;
                int lo = off < 0 ? -off : 0;
                int hi = off > 0 ? t_len - off : t_len;
                if (hi < lo)
                    hi = lo;
                if (lo > t_len)
                    lo = hi = t_len;
                memset(row, 0, sizeof(float) * (size_t)lo);
                memcpy(row + lo, xi + lo + off, sizeof(float) * (size_t)(hi - lo));
                memset(row + hi, 0, sizeof(float) * (size_t)(t_len - hi));
            }
        src = cols;
    }
    for (int o = 0; o < c_out; o++) {
        float bo = b ? b[o] : 0.0f;
        float *yo = y + (size_t)o * t_len;
        for (int t = 0; t < t_len; t++)
            yo[t] = bo;
    }
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, c_out, t_len, c_in * k_size, 1.0f, w,
                c_in * k_size, src, t_len, 1.0f, y, t_len);
}

void nn_layer_norm(float *x, int c, int t_len, const float *gamma, const float *beta, float eps)
{
    for (int t = 0; t < t_len; t++) {
        double m = 0, v = 0;
        for (int i = 0; i < c; i++)
            m += x[(size_t)i * t_len + t];
        m /= c;
        for (int i = 0; i < c; i++) {
            double d = x[(size_t)i * t_len + t] - m;
            v += d * d;
        }
        float inv = (float)(1.0 / sqrt(v / c + eps));
        for (int i = 0; i < c; i++) {
            float *p = &x[(size_t)i * t_len + t];
            *p = (float)(*p - m) * inv * gamma[i] + beta[i];
        }
    }
}

void nn_relu(float *x, size_t n)
{
    for (size_t i = 0; i < n; i++)
        x[i] = x[i] > 0.0f ? x[i] : 0.0f;
}

void nn_silu(float *x, size_t n)
{
    for (size_t i = 0; i < n; i++)
        x[i] = x[i] / (1.0f + expf(-x[i]));
}

void nn_linear(const float *x, int n_in, const float *w, const float *b, int n_out, float *y)
{
    for (int o = 0; o < n_out; o++) {
        float s = b ? b[o] : 0.0f;
        const float *wo = w + (size_t)o * n_in;
        for (int i = 0; i < n_in; i++)
            s += wo[i] * x[i];
        y[o] = s;
    }
}

void nn_set_threads(int n)
{
    if (n > 0)
        openblas_set_num_threads(n);
}
