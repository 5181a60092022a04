/* SPDX-License-Identifier: Apache-2.0 */
/* subtitle_track.h: the sentences a session has spoken or is about to speak,
 * with their times, for burned-in subtitles. One thread adds (the scheduler,
 * from its sentence and word marks), another reads (the avatar thread, per
 * frame). Offline and live sessions feed it the same way: a sentence is
 * shown as written from its first audio, before its end is known, and its
 * words say how far speech has got (which subtitle page to show). */
#ifndef SZ_AVATAR_SUBTITLE_TRACK_H
#define SZ_AVATAR_SUBTITLE_TRACK_H

#include <stddef.h>
#include <stdint.h>

typedef struct sub_track sub_track;

int sub_track_create(sub_track **out);
/* A sentence (its text as written) that starts at start_ms (session clock)
 * and lasts until sub_track_add gives its end, the next sentence begins, or
 * a cut. Thread-safe. */
void sub_track_begin(sub_track *t, int64_t start_ms, const char *text);
/* A sentence from start_ms to end_ms: ends the one begun at start_ms with
 * the same text, or adds it whole. Cues older than the last lookup are
 * recycled; at most a fixed number wait ahead. Thread-safe. */
void sub_track_add(sub_track *t, int64_t start_ms, int64_t end_ms, const char *text);
/* A spoken word (as the voice says it: "ninety" for "¥99"). Inside a
 * sentence it moves the sentence's progress to where the word stands in the
 * written text (unchanged when it is not found there); outside any,
 * consecutive words make phrases, shown as subtitles (for voices without
 * sentence marks). Thread-safe. */
void sub_track_add_word(sub_track *t, int64_t start_ms, int64_t end_ms, const char *text);
/* Ends every cue still showing at at_ms (an interrupt, an utterance's end).
 * Thread-safe. */
void sub_track_cut(sub_track *t, int64_t at_ms);
/* The cue covering at_ms: copies its text (cut at cap) and how far speech
 * has got into it (0..1: the character of the word being spoken, or the
 * share of the cue's time when it has no words); returns 0 and "" when
 * none. Thread-safe, allocates nothing. */
int sub_track_at(sub_track *t, int64_t at_ms, char *text, size_t cap, float *progress);
void sub_track_free(sub_track **t);

#endif
