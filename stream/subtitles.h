/* SPDX-License-Identifier: Apache-2.0 */
/* subtitles.h: SRT and WebVTT subtitle files from a session's speech marks.
 * Each sentence becomes one or more cues of at most max_lines lines of
 * max_line_cols columns (a CJK character counts two); a long sentence is
 * split where its words are, and each part is timed by the word marks. */
#ifndef SZ_STREAM_SUBTITLES_H
#define SZ_STREAM_SUBTITLES_H

#include <stddef.h>

#include "shuzi.h"

typedef struct subs_opts {
    int max_line_cols; /* default 42 */
    int max_lines;     /* default 2 */
    int min_cue_ms;    /* a cue stays at least this long when the next allows (800) */
} subs_opts;

subs_opts subs_default_opts(void);

/* Formats the cues (vtt: WebVTT, else SRT) into a malloc'd string; NULL when
 * out of memory. Marks other than sentence and word are ignored; any order.
 * *n_cues gets the number of cues. */
char *subs_format(const sz_mark *marks, size_t n, int vtt, const subs_opts *o, int *n_cues);

/* Writes path (.srt or .vtt picks the format) under a temporary name, then
 * renames it. */
int subs_write(const char *path, const sz_mark *marks, size_t n, const subs_opts *o, int *n_cues,
               char *err, size_t errlen);

/* Creates and removes the temporary file subs_write would write: a
 * destination that cannot be written fails before anything is rendered. */
int subs_check_writable(const char *path, char *err, size_t errlen);

/* 1 when path ends in .srt or .vtt (case-insensitive). */
int subs_path_ok(const char *path);

#endif
