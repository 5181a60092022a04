/* SPDX-License-Identifier: Apache-2.0 */
/* cues.h: a timed phone track (what audio-only lip-sync estimates, or what a
 * voice reported) and the files other tools read from it: speech marks as
 * JSON lines, and Rhubarb Lip Sync's TSV and JSON mouth cues (shapes A-H, X). */
#ifndef SZ_LIPSYNC_CUES_H
#define SZ_LIPSYNC_CUES_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef struct ls_seg {
    int64_t start_us, end_us;
    char phone[8]; /* ARPAbet ("AH", "SIL" for a pause) */
    char ipa[16];  /* the same sound in IPA ("" for a pause) */
    int viseme;    /* VIS_*, h resolved to the next phone's viseme */
    float level;   /* loudness 0 (noise floor) .. 1 (loudest), from the audio */
    int word;      /* index into the track's words, -1 outside words */
} ls_seg;

typedef struct ls_word {
    int64_t start_us, end_us;
    char text[64];
} ls_word;

typedef struct ls_track {
    ls_seg *segs;
    size_t n_segs, cap_segs;
    ls_word *words;
    size_t n_words, cap_words;
    int64_t duration_us; /* of the whole recording */
    int aligned;         /* 1: forced alignment to a transcript; 0: phone recognition */
} ls_track;

void lipsync_track_init(ls_track *t);
void lipsync_track_reset(ls_track *t); /* keeps the allocations */
void lipsync_track_free(ls_track *t);
/* Appends a segment; phone is ARPAbet. Sets ipa and viseme from it (long
 * selects the stressed reading of AH/ER). Merges a pause into a preceding
 * pause. */
int lipsync_track_add(ls_track *t, int64_t start_us, int64_t end_us, const char *phone,
                      int long_vowel, int word);
int lipsync_track_add_word(ls_track *t, int64_t start_us, int64_t end_us, const char *text);
/* Resolves h-like phones to the next phone's viseme; call once complete. */
void lipsync_track_finish(ls_track *t);

/* Rhubarb mouth shapes. */
typedef enum ls_shape {
    LS_SHAPE_A = 0, /* closed: P B M */
    LS_SHAPE_B,     /* slightly open, clenched teeth: most consonants, EE */
    LS_SHAPE_C,     /* open: EH, AE */
    LS_SHAPE_D,     /* wide open: AA */
    LS_SHAPE_E,     /* slightly rounded: AO, ER */
    LS_SHAPE_F,     /* puckered: UW, OW, W */
    LS_SHAPE_G,     /* upper teeth on lower lip: F V (extended) */
    LS_SHAPE_H,     /* tongue up behind the teeth: long L (extended) */
    LS_SHAPE_X,     /* rest (extended) */
    LS_SHAPE_COUNT
} ls_shape;

typedef struct ls_cue {
    int64_t start_us, end_us;
    ls_shape shape;
} ls_cue;

typedef struct ls_cues {
    ls_cue *cues;
    size_t n, cap;
} ls_cues;

/* 'A'..'H', 'X'. */
char lipsync_shape_letter(ls_shape shape);

/* Which extended shapes to use, Rhubarb-style: a string of G, H and X
 * ("GHX" = all, "" = the six basic shapes only). Shapes left out fall back
 * to G->B, H->C, X->A. Returns SZ_ERR_INVALID_ARG with a message for other
 * letters. */
int lipsync_parse_extended_shapes(const char *spec, unsigned *mask, char *err, size_t errlen);
#define LS_EXT_G 1u
#define LS_EXT_H 2u
#define LS_EXT_X 4u
#define LS_EXT_ALL (LS_EXT_G | LS_EXT_H | LS_EXT_X)

/* Mouth cues from a track: each phone's shape (diphthongs in two parts, h
 * taking the next vowel's shape, a quiet vowel C rather than D), in-between
 * shapes (C between A/B and D, E between C/D and F), cues shorter than 30 ms
 * merged into the previous one (closures kept), equal neighbours merged,
 * times on Rhubarb's 10 ms grid. The cues cover [0, duration) without gaps,
 * the duration cut down to that grid (the last cue never ends after it). */
int lipsync_cues_from_track(const ls_track *t, unsigned ext_mask, ls_cues *out);
void lipsync_cues_free(ls_cues *c);

/* Rhubarb TSV: "0.00\tX" lines (seconds, two decimals), the last line the
 * end of the recording with the rest shape (left out when the last cue
 * already rests, so no line repeats the one before). */
int lipsync_write_rhubarb_tsv(FILE *f, const ls_cues *c, int64_t duration_us, unsigned ext_mask);
/* Rhubarb JSON: {"metadata": {"soundFile", "duration"}, "mouthCues": [...]};
 * no cue ends after the duration. */
int lipsync_write_rhubarb_json(FILE *f, const ls_cues *c, int64_t duration_us,
                               const char *sound_file);
/* Speech marks (JSON lines, DESIGN.md): a sentence mark for the transcript
 * when given, word marks when aligned, phoneme marks (IPA) and viseme marks
 * (one per change of viseme), ordered by time. */
int lipsync_write_marks(FILE *f, const ls_track *t, const char *transcript);

/* Per-frame face parameters at fps for 3D rigs, as JSON lines:
 * {"frame": k, "time_ms": .., "visemes": {"sil": ..}, "mouth": {"jaw_open": ..},
 *  "arkit": {"jawOpen": ..}, "vrm": {"aa": ..}}, from the track's phones with
 * the same coarticulation as the live avatar. */
int lipsync_write_frames(FILE *f, const ls_track *t, int fps);

#endif
