/* SPDX-License-Identifier: Apache-2.0 */
/* subtitle_track.h: the sentences a session has spoken or is about to speak,
 * with their times, for burned-in subtitles. One thread adds (the scheduler,
 * from its sentence marks), another reads (the avatar thread, per frame). */
#ifndef SZ_AVATAR_SUBTITLE_TRACK_H
#define SZ_AVATAR_SUBTITLE_TRACK_H

#include <stddef.h>
#include <stdint.h>

typedef struct sub_track sub_track;

int sub_track_create(sub_track **out);
/* A cue from start_ms to end_ms (session clock). Cues older than the last
 * lookup are recycled; at most a fixed number wait ahead. Thread-safe. */
void sub_track_add(sub_track *t, int64_t start_ms, int64_t end_ms, const char *text);
/* A spoken word: consecutive words make phrases, shown where no sentence
 * cue covers the time (for voices without sentence marks). Thread-safe. */
void sub_track_add_word(sub_track *t, int64_t start_ms, int64_t end_ms, const char *text);
/* Ends every cue still showing at at_ms (an interrupt). Thread-safe. */
void sub_track_cut(sub_track *t, int64_t at_ms);
/* The cue covering at_ms: copies its text (cut at cap) and how far into it
 * at_ms is (0..1); returns 0 and "" when none. Thread-safe, allocates nothing. */
int sub_track_at(sub_track *t, int64_t at_ms, char *text, size_t cap, float *progress);
void sub_track_free(sub_track **t);

#endif
