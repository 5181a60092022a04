/* SPDX-License-Identifier: Apache-2.0 */
/* refiner.h: the envelope refiner, a small network a voice file may carry
 * (tensors "refiner.*", tools/train/refiner.py trains and attaches it).
 *
 * The features smooth each frame's power spectrum over a whole F0 spacing
 * before fitting the bands: what a model can learn to predict, but flatter
 * than the spectrum under the harmonics. The refiner predicts, from the
 * bands of frames t - C .. t + C, frame t's log F0 and voicing, and the
 * projection of a cosine and a sine at F0's harmonics onto the bands, how
 * the bands of frame t change when the smoothing spans 2/3 of a spacing
 * (sharper formants, the harmonics' own ripple), and adds it. Copies of
 * recordings get most of the narrower analysis's intelligibility back with
 * the features unchanged (tools/train/README.md, "The envelope refiner").
 * The vocoder runs it (vocoder.h, voc_params.refiner). */
#ifndef SZ_TTS_VOCODER_REFINER_H
#define SZ_TTS_VOCODER_REFINER_H

#include <stddef.h>

#include "core/safetensors.h"

#define VOC_REFINER_MAX_CONTEXT 8

typedef struct voc_refiner voc_refiner;

/* Loads the refiner of a voice file whose frames hold n_bands bands at
 * sample_rate. A file without one (no "refiner_context" metadata and no
 * refiner.* tensors) gives SZ_OK and *out NULL; a refiner that is
 * incomplete, mis-shaped, of other bands or not finite is refused with a
 * message in err that names the file. The weights are copied: the file may
 * be closed after. */
int voc_refiner_load(const st_file *file, int n_bands, int sample_rate, voc_refiner **out,
                     char *err, size_t errlen);
void voc_refiner_free(voc_refiner **r);
/* Frames on each side of the refined one it reads (C). */
int voc_refiner_context(const voc_refiner *r);
int voc_refiner_bands(const voc_refiner *r);
/* Floats of scratch that voc_refiner_apply needs. */
size_t voc_refiner_scratch(const voc_refiner *r);
/* frames[i] (i = 0 .. 2C) are frames t - C .. t + C (n_bands + 2 floats:
 * bands, log F0, voicing); log_pitch is the log of frame t's pitch scale
 * (its F0 as rendered). Writes frame t's refined bands into out (n_bands
 * floats). The refiner is read only: one may serve many vocoders, each
 * with its own scratch. */
void voc_refiner_apply(const voc_refiner *r, const float *const *frames, float log_pitch,
                       float *scratch, float *out);

#endif
