/* SPDX-License-Identifier: Apache-2.0 */
/* vocoder.h: the diffusion voice's DSP vocoder, streaming, frame by frame.
 *
 * Each frame (hop samples) carries n_bands log power spectral densities on
 * mel-spaced band centres (0 Hz to Nyquist), log F0 and a voicing strength
 * (tools/train/features.py computes them from speech). The vocoder is
 * pitch-synchronous: where the voicing strength passes the threshold, each
 * glottal pulse (at F0, exact fractional positions) gets its own
 * minimum-phase impulse response, shaped by the envelope interpolated at
 * the pulse's time (cepstral method) and weighted per frequency by the
 * harmonic share (harmonic below 3 kHz, more and more noise above); white
 * noise, filtered frame by frame, fills the rest, and all of unvoiced
 * frames. Unit power per sample: the output's power spectrum is the
 * envelope. No training is needed: it is signal processing. */
#ifndef SZ_TTS_VOCODER_VOCODER_H
#define SZ_TTS_VOCODER_VOCODER_H

#include <stddef.h>
#include <stdint.h>

#include "tts/vocoder/refiner.h"

typedef struct voc_params {
    int sample_rate;
    int hop;     /* samples per frame; 4 x hop must be a power of two */
    int n_bands;
    float voicing_threshold; /* below it a frame is unvoiced */
    /* NULL, or the voice's envelope refiner (refiner.h), which must outlive
     * the vocoder: each frame's bands are refined from its neighbours
     * before rendering, so the output lags C more frames. */
    const voc_refiner *refiner;
} voc_params;

typedef struct voc voc;

voc *voc_new(const voc_params *params);
void voc_free(voc **v);
/* Starts a new signal (sample 0 is the centre of the next frame pushed). */
void voc_reset(voc *v, uint64_t seed);
/* Adds one frame (n_bands + 2 floats). pitch_scale multiplies F0. Writes
 * the samples that became final into out (room for hop samples) and
 * returns how many (0 for the first 1 + C frames: the output lags one
 * frame, and C more with a refiner of context C). */
size_t voc_push(voc *v, const float *frame, float pitch_scale, float *out);
/* Ends the signal: writes the remaining samples (at most (1 + C) x hop)
 * so that the total equals frames pushed x hop. */
size_t voc_finish(voc *v, float *out);

#endif
