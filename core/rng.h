/* SPDX-License-Identifier: Apache-2.0 */
/* rng.h: splitmix64, the one small deterministic generator the engine uses
 * (idle motion, the diffusion sampler's noise, the vocoder's noise): the
 * same seed gives the same numbers on every machine. */
#ifndef SZ_CORE_RNG_H
#define SZ_CORE_RNG_H

#include <stdint.h>

/* The splitmix64 output function of z + the golden-ratio increment. */
static inline uint64_t rng_mix64(uint64_t z)
{
    z += 0x9E3779B97F4A7C15ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* The next number of the stream whose state is *state. */
static inline uint64_t rng_next(uint64_t *state)
{
    uint64_t z = rng_mix64(*state);
    *state += 0x9E3779B97F4A7C15ull;
    return z;
}

#endif
