/* SPDX-License-Identifier: Apache-2.0 */
/* nn.c: CPU kernels for the diffusion voice (see nn.h). */
#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

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

void nn_matvec(const float *x, int n_in, const float *w, const float *b, int n_out, float *y)
{
    if (b)
        memcpy(y, b, sizeof(float) * (size_t)n_out);
    cblas_sgemv(CblasRowMajor, CblasNoTrans, n_out, n_in, 1.0f, w, n_in, x, 1, b ? 1.0f : 0.0f,
                y, 1);
}

void nn_gelu(float *x, size_t n)
{
    for (size_t i = 0; i < n; i++)
        x[i] = 0.5f * x[i] * (1.0f + erff(x[i] * 0.70710678f));
}

void nn_set_threads(int n)
{
    if (n > 0)
        openblas_set_num_threads(n);
}

/* Set beside OPENBLAS_CORETYPE when nn_blas_restart chose it (for reports). */
#define NN_CHOSEN_ENV "SHUZI_OPENBLAS_CHOSEN"

const char *nn_blas_kernels(void)
{
    const char *name = openblas_get_corename();
    return name ? name : "unknown";
}

/* OpenBLAS picks its kernels when it loads, from the CPU's model number.
 * Debian 12's 0.3.21 does not know newer CPUs (Sapphire Rapids, for one)
 * and falls back to its generic SSE3 "Prescott" kernels, with which the
 * voice runs at a third of its speed with the AVX-512 ones. It is loaded
 * before main (pocketsphinx's BLAS needs it too), so the only way to
 * choose its kernels is OPENBLAS_CORETYPE in the environment at start. */
const char *nn_blas_better_kernels(void)
{
    static const char *const good[] = {"Haswell", "Zen", "SkylakeX", "Cooperlake",
                                       "SapphireRapids"};
    if (getenv("OPENBLAS_CORETYPE")) /* the user's choice, or ours already */
        return NULL;
    const char *now = nn_blas_kernels();
    for (size_t i = 0; i < sizeof good / sizeof *good; i++)
        if (strcasecmp(now, good[i]) == 0)
            return NULL;
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
        __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq"))
        return "SkylakeX";
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
        return "Haswell";
    return NULL;
}

void nn_blas_restart(char **argv)
{
    const char *kernels = nn_blas_better_kernels();
    if (!kernels || !argv || !argv[0] || setenv("OPENBLAS_CORETYPE", kernels, 1) != 0)
        return;
    setenv(NN_CHOSEN_ENV, kernels, 1);
    execv("/proc/self/exe", argv);
    unsetenv("OPENBLAS_CORETYPE"); /* no /proc: go on with OpenBLAS's choice */
    unsetenv(NN_CHOSEN_ENV);
}

const char *nn_blas_choice(void)
{
    const char *user = getenv("OPENBLAS_CORETYPE"), *ours = getenv(NN_CHOSEN_ENV);
    if (!user)
        return "chosen by OpenBLAS";
    return ours && strcmp(ours, user) == 0 ? "chosen by shuzi for this CPU" : "OPENBLAS_CORETYPE";
}
