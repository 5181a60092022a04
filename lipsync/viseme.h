/* viseme.h: phones (IPA, as voices report them) to the 15 visemes, and a
 * phone timeline evaluated into face parameters at any video frame time. */
#ifndef SZ_LIPSYNC_VISEME_H
#define SZ_LIPSYNC_VISEME_H

#include <stddef.h>
#include <stdint.h>

#include "core/media.h"

/* Viseme index of an IPA phone ("p", "aɪ", "ˈæ", "tʃ", "" = pause). Stress,
 * length and tone marks are ignored. Returns VIS_SIL for pauses and unknown
 * symbols, and -1 for phones that take the shape of their neighbour (h). */
int lipsync_viseme_of_phone(const char *ipa);

typedef struct ls_phone {
    int64_t start; /* samples from utterance start */
    int viseme;
} ls_phone;

/* Phones of one utterance in time order. A phone lasts until the next one
 * starts; the last lasts until the timeline is closed at the utterance end. */
typedef struct ls_timeline {
    ls_phone *phones;
    size_t n, cap;
    int sample_rate_hz;
    int64_t end; /* -1 while the utterance is still arriving */
} ls_timeline;

void lipsync_timeline_init(ls_timeline *tl, int sample_rate_hz);
/* Keeps the allocation for the next utterance. */
void lipsync_timeline_reset(ls_timeline *tl);
void lipsync_timeline_free(ls_timeline *tl);
/* start must not go backwards (it is clamped to the previous start). */
int lipsync_timeline_add(ls_timeline *tl, int64_t start, int viseme);
void lipsync_timeline_close(ls_timeline *tl, int64_t end_sample);

/* How much audio beyond a frame must be known before the frame is evaluated
 * (the cross-fade half-width), in samples. */
int64_t lipsync_lookahead_samples(int sample_rate_hz);

/* Fills face->viseme[] and the derived mouth controls for the instant t
 * (samples from utterance start); other fields are untouched. */
void lipsync_face_at(const ls_timeline *tl, int64_t t, sz_face *face);
/* A closed, resting mouth. */
void lipsync_face_silent(sz_face *face);
/* Derives jaw_open, lip_spread, lip_round, lip_close, teeth_lip, tongue from
 * the viseme weights. */
void lipsync_derive_controls(sz_face *face);

#endif
