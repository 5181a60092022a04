/* SPDX-License-Identifier: Apache-2.0 */
/* nn.h: the small set of neural-network kernels the diffusion voice runs on
 * the CPU. Tensors are float, channels first: x[c * t_len + t]. Matrix
 * products go through OpenBLAS (cblas_sgemm); everything else is plain C the
 * compiler vectorizes. */
#ifndef SZ_CORE_CPU_NN_H
#define SZ_CORE_CPU_NN_H

#include <stddef.h>

/* y[c_out][t] = b[c_out] + sum_{i,k} w[c_out][c_in][k] * x[c_in][t + (k - k_size/2) * dil]
 * with zeros outside [0, t_len) (PyTorch Conv1d with padding = dil * (k_size / 2)).
 * cols is scratch of c_in * k_size * t_len floats (unused when k_size == 1). */
void nn_conv1d(const float *x, int c_in, int t_len, const float *w, const float *b, int c_out,
               int k_size, int dil, float *y, float *cols);
/* LayerNorm over channels at each time step, in place. */
void nn_layer_norm(float *x, int c, int t_len, const float *gamma, const float *beta, float eps);
void nn_relu(float *x, size_t n);
void nn_silu(float *x, size_t n);
/* y[o] = b[o] + sum_i w[o][i] * x[i] */
void nn_linear(const float *x, int n_in, const float *w, const float *b, int n_out, float *y);
/* The same through OpenBLAS (cblas_sgemv): for larger layers run frame by
 * frame (the vocoder's envelope refiner). b may be NULL. */
void nn_matvec(const float *x, int n_in, const float *w, const float *b, int n_out, float *y);
/* GELU (the exact one, with erf, as PyTorch's default), in place. */
void nn_gelu(float *x, size_t n);
/* Threads OpenBLAS may use (process-wide); n <= 0 leaves it as is. */
void nn_set_threads(int n);
/* The kernels OpenBLAS runs: "SkylakeX", "Haswell", "Prescott" (generic). */
const char *nn_blas_kernels(void);
/* Faster kernels this CPU supports than OpenBLAS chose ("SkylakeX" or
 * "Haswell"), or NULL: it chose well, or OPENBLAS_CORETYPE is already set
 * (a user's choice is kept). */
const char *nn_blas_better_kernels(void);
/* For a program's main, before anything else: when nn_blas_better_kernels
 * names kernels, runs the program again (execv of /proc/self/exe, the same
 * arguments) with OPENBLAS_CORETYPE set to them, so OpenBLAS loads with
 * them. Returns only when it did not (nothing better, or no /proc). */
void nn_blas_restart(char **argv);
/* Who chose the kernels: "chosen by OpenBLAS", "chosen by shuzi for this
 * CPU" (nn_blas_restart) or "OPENBLAS_CORETYPE" (the user). */
const char *nn_blas_choice(void);

#endif
