/* SPDX-License-Identifier: Apache-2.0 */
/* echo_room.h: the simulated kiosk room of test_echo.c and bench_echo.c -
 * speech levels in dBFS, and the echo path from the speakers to the
 * microphone: a sparse room response (direct path at 30 ms, then 40
 * reflections whose amplitude decays by e every 35 ms, ~ -40 dB at 150 ms)
 * plus white noise. 16 kHz mono, 10 ms frames. Header-only (static
 * functions). */
#ifndef SZ_TESTS_ECHO_ROOM_H
#define SZ_TESTS_ECHO_ROOM_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "core/rng.h"

#define ECHO_ROOM_RATE 16000
#define ECHO_ROOM_FRAME 160 /* 10 ms */

/* Not every includer uses every helper. */
#define ECHO_ROOM_FN static __attribute__((unused))

/* The mean power of x in dBFS (-100 for silence). */
ECHO_ROOM_FN float echo_room_db(const float *x, size_t n)
{
    double s = 0;
    for (size_t i = 0; i < n; i++)
        s += (double)x[i] * x[i];
    s /= (double)(n ? n : 1);
    return s > 1e-10 ? (float)(10.0 * log10(s)) : -100.0f;
}

/* Scales x so that its active frames (within 30 dB of its loudest) average
 * target dBFS: the usual "speech level". */
ECHO_ROOM_FN void echo_room_set_level(float *x, size_t n, float target)
{
    const size_t fr = ECHO_ROOM_FRAME;
    float peak = -100;
    for (size_t i = 0; i + fr <= n; i += fr) {
        float d = echo_room_db(x + i, fr);
        peak = d > peak ? d : peak;
    }
    double s = 0;
    size_t m = 0;
    for (size_t i = 0; i + fr <= n; i += fr)
        if (echo_room_db(x + i, fr) > peak - 30) {
            for (size_t k = 0; k < fr; k++)
                s += (double)x[i + k] * x[i + k];
            m += fr;
        }
    float level = m ? (float)(10 * log10(s / (double)m)) : -100;
    float g = powf(10.0f, (target - level) / 20.0f);
    for (size_t i = 0; i < n; i++)
        x[i] *= g;
}

/* A standard normal deviate (Box-Muller). */
ECHO_ROOM_FN double echo_room_gauss(uint64_t *st)
{
    double u = ((double)(rng_next(st) >> 11) + 0.5) / 9007199254740992.0;
    double v = ((double)(rng_next(st) >> 11) + 0.5) / 9007199254740992.0;
    return sqrt(-2 * log(u)) * cos(6.283185307179586 * v);
}

/* What the microphone hears of far (n samples; NULL: silence) through the
 * room with the direct path at gain, plus white noise at noise_db; the
 * reflections and the noise come from seed. Returns a malloc'ed buffer of n
 * samples, or NULL without memory. */
ECHO_ROOM_FN float *echo_room_path(const float *far, size_t n, float gain, float noise_db,
                                   uint64_t seed)
{
    enum { TAPS = 41 };
    int delay[TAPS];
    float amp[TAPS];
    uint64_t st = seed;
    delay[0] = ECHO_ROOM_RATE * 30 / 1000;
    amp[0] = gain;
    for (int t = 1; t < TAPS; t++) {
        double dt = (double)(rng_next(&st) % 150) / 1000.0; /* 0..150 ms later */
        delay[t] = delay[0] + 1 + (int)(dt * ECHO_ROOM_RATE);
        amp[t] = (float)(gain * 0.6 * exp(-dt / 0.035) * ((rng_next(&st) & 1) ? 1 : -1));
    }
    float *y = malloc((n ? n : 1) * sizeof *y);
    float sigma = powf(10.0f, noise_db / 20.0f);
    for (size_t i = 0; i < n && y; i++) {
        double s = 0;
        for (int t = 0; t < TAPS && far; t++)
            if (i >= (size_t)delay[t])
                s += amp[t] * far[i - (size_t)delay[t]];
        y[i] = (float)(s + sigma * echo_room_gauss(&st));
    }
    return y;
}

#endif
