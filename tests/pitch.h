/* SPDX-License-Identifier: Apache-2.0 */
/* pitch.h: F0 by normalized autocorrelation, for tests that check pitch
 * (the vocoder, the diffusion voice's pitch control). Header-only. */
#ifndef SZ_TESTS_PITCH_H
#define SZ_TESTS_PITCH_H

#include <math.h>
#include <stddef.h>

#define PITCH_MAX_LAG 2048

/* F0 of x[a .. a + w) against the lags that give f_lo..f_hi Hz (x must
 * hold w + sr / f_lo samples from a): the shortest lag whose correlation is
 * within 10% of the best, since multiples of the period correlate as well.
 * *strength gets the best correlation (0 when the frame is silent). */
static __attribute__((unused)) double pitch_f0(const float *x, size_t a, size_t w, int sr,
                                               double f_lo, double f_hi, double *strength)
{
    double r_of[PITCH_MAX_LAG + 1], best = 0;
    int lo = (int)(sr / f_hi), hi = (int)(sr / f_lo);
    if (hi > PITCH_MAX_LAG)
        hi = PITCH_MAX_LAG;
    for (int lag = lo; lag <= hi; lag++) {
        double r = 0, e1 = 0, e2 = 0;
        for (size_t i = a; i < a + w; i++) {
            r += (double)x[i] * x[i + lag];
            e1 += (double)x[i] * x[i];
            e2 += (double)x[i + lag] * x[i + lag];
        }
        r_of[lag] = r / (sqrt(e1 * e2) + 1e-12);
        best = fmax(best, r_of[lag]);
    }
    *strength = best;
    if (best <= 0)
        return 0;
    int lag = lo;
    while (r_of[lag] < 0.9 * best)
        lag++;
    while (lag < hi && r_of[lag + 1] > r_of[lag])
        lag++;
    return (double)sr / lag;
}

/* Median F0 over voiced 40 ms frames (80 to 500 Hz). */
static __attribute__((unused)) double pitch_median_f0(const float *x, size_t n, int sr)
{
    double f0s[2048], strength;
    int k = 0;
    size_t w = (size_t)sr / 25, hi = (size_t)sr / 80;
    for (size_t s = 0; s + w + hi < n && k < 2048; s += w / 2) {
        double f = pitch_f0(x, s, w, sr, 80, 500, &strength);
        if (strength > 0.6)
            f0s[k++] = f;
    }
    for (int i = 1; i < k; i++) /* insertion sort */
        for (int j = i; j > 0 && f0s[j] < f0s[j - 1]; j--) {
            double t = f0s[j];
            f0s[j] = f0s[j - 1];
            f0s[j - 1] = t;
        }
    return k ? f0s[k / 2] : 0;
}

#endif
