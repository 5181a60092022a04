/* SPDX-License-Identifier: Apache-2.0 */
/* viseme.h: phones (IPA as voices report them, ARPAbet as recognisers do) to
 * the 15 visemes, and a phone timeline evaluated with coarticulation
 * (dominance functions) into face parameters for any video frame. */
#ifndef SZ_LIPSYNC_VISEME_H
#define SZ_LIPSYNC_VISEME_H

#include <stddef.h>
#include <stdint.h>

#include "core/media.h"

/* Viseme index of an IPA phone ("p", "aɪ", "ˈæ", "tʃ", "" = pause). Stress,
 * length and tone marks are ignored. Returns VIS_SIL for pauses and unknown
 * symbols, and -1 for phones that take the shape of their neighbour (h). */
int lipsync_viseme_of_phone(const char *ipa);

/* IPA for an ARPAbet phone as CMU-dictionary recognisers name them ("AH",
 * "ay1", "SIL"); stress digits are ignored. long_vowel picks the stressed
 * reading where ARPAbet has one symbol for two sounds (AH: ʌ when long, ə
 * when not; ER: ɝ / ɚ). Returns "" for silence and noise, NULL when the
 * symbol is not ARPAbet. */
const char *lipsync_arpabet_to_ipa(const char *arpabet, int long_vowel);

/* Splits one IPA phone as voices report it ("ˈaɪ", "ɑːɹ", "tʃ") into ARPAbet
 * phones. Writes at most cap symbols to out and returns how many there are
 * (0 for a pause); -1 when a part is not an English sound. */
int lipsync_ipa_to_arpabet(const char *ipa, const char **out, int cap);

typedef struct ls_phone {
    int64_t start; /* samples from utterance start */
    int viseme;    /* VIS_*, or -1: the shape of the next phone (h) */
} ls_phone;

/* Phones of one utterance in time order. A phone lasts until the next one
 * starts; the last lasts until the timeline is closed at the utterance end.
 * Before the first phone and after the end the mouth is at rest. */
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

/* How far beyond a frame its face looks into the timeline (the longest
 * anticipation plus the frame lead), in samples. A frame covering [a, b)
 * may be evaluated once the phones up to b + this are known. */
int64_t lipsync_lookahead_samples(int sample_rate_hz);
/* How far ahead of its audio a video frame shows the mouth (15 ms): an
 * error in sync then falls on the side viewers forgive. */
int64_t lipsync_frame_lead_samples(int sample_rate_hz);

/* Fills face->viseme[] and the derived mouth controls for the instant t
 * (samples from utterance start); other fields are untouched. Each phone
 * pulls the mouth toward its viseme with a dominance that rises before the
 * phone starts (anticipation) and fades after it ends (carry-over); weights
 * are the normalised dominances, so they sum to 1. */
void lipsync_face_at(const ls_timeline *tl, int64_t t, sz_face *face);

/* The face for a video frame covering samples [a, b): the dominance blend
 * averaged over the frame's span moved earlier by the frame lead (no frame
 * rate can skip a short phone), with the lips closed in every frame whose
 * span holds the middle of a p/b/m (or whose centre lies inside one),
 * however short the phone and whatever the fps. Symmetric about the
 * (led) frame centre: it never lags the audio. */
void lipsync_face_frame(const ls_timeline *tl, int64_t a, int64_t b, sz_face *face);

/* Loudness shaping for one utterance: louder speech opens the jaw wider. */
typedef struct ls_loudness {
    float peak_db; /* the utterance's recent loud end; decays 6 dB per second */
    int primed;
} ls_loudness;

void lipsync_loudness_reset(ls_loudness *l);
/* Scales face->jaw_open by the loudness of pcm (the audio the frame shows:
 * its span moved by the frame lead): RMS within 30 dB of the recent peak
 * keeps 55% to 100% of the opening; closed lips stay closed. Same input,
 * same output: no smoothing across frames, so no lag. */
void lipsync_loudness_apply(ls_loudness *l, const float *pcm, size_t n, int rate_hz,
                            sz_face *face);

/* A closed, resting mouth. */
void lipsync_face_silent(sz_face *face);
/* Derives jaw_open, lip_spread, lip_round, lip_close, teeth_lip, tongue and
 * speaking from the viseme weights. */
void lipsync_derive_controls(sz_face *face);

#endif
