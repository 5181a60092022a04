/* SPDX-License-Identifier: Apache-2.0 */
/* evaluate.h: scoring a phone track against a reference with known timings:
 * frame-by-frame viseme agreement and phone-boundary error; and the reader
 * for reference timings in the xlabel format Festival writes (utt.save.segs). */
#ifndef SZ_LIPSYNC_EVALUATE_H
#define SZ_LIPSYNC_EVALUATE_H

#include <stddef.h>

#include "lipsync/cues.h"

/* Parses xlabel segment text: header lines up to a line "#", then one line
 * per segment "END_SECONDS COLOUR PHONE" (Festival's phone names: pau, ax,
 * ah...; "ah" reads as the stressed vowel). Segments start where the
 * previous one ended. label names the source in messages ("a.segs:12: ..."). */
int lipsync_read_xlabel(const char *text, size_t len, const char *label, ls_track *out, char *err,
                        size_t errlen);

typedef struct ls_score {
    double accuracy_100hz;   /* share of 10 ms frames whose viseme agrees */
    double accuracy_30fps;   /* the same at video frame centres, 30 fps */
    double boundary_mean_ms; /* reference boundaries: mean distance to the nearest estimated one */
    double boundary_median_ms;
    double boundary_bias_ms; /* mean signed (estimated - reference): + means late */
    size_t n_ref_boundaries, n_est_boundaries;
    size_t n_frames;
} ls_score;

/* Compares est against ref over the reference's duration. A boundary is
 * where the phone changes between two segments, pauses included. */
void lipsync_score(const ls_track *ref, const ls_track *est, ls_score *out);

#endif
