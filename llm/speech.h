/* SPDX-License-Identifier: Apache-2.0 */
/* speech.h: streamed LLM text to speakable pieces. Tokens go through a
 * cleaner (markdown, code blocks, URLs, emoji, <think> sections) and a
 * cutter that hands out a piece as soon as a clause or sentence is complete,
 * so speech starts after the answer's first clause. The boundary rule is a
 * replaceable function, so the text frontend's segmenter can take over. */
#ifndef SZ_LLM_SPEECH_H
#define SZ_LLM_SPEECH_H

#include <stddef.h>

/* Returns the byte length of the first piece of text to speak now (a
 * prefix ending on a character boundary), or 0 to wait for more text.
 * final: no more text will come (everything left must go). first: nothing
 * of this answer has been spoken yet (cut early, at a clause). */
typedef size_t (*speech_segment_fn)(void *user, const char *text, size_t len, int final, int first);

/* Called with each piece: cleaned, trimmed, UTF-8, not NUL-terminated.
 * A non-zero return stops the stream (push/finish return it). */
typedef int (*speech_piece_fn)(void *user, const char *piece, size_t len);

typedef struct speech_params {
    int first_min_chars; /* first piece: cut at a clause once it has this many (default 8) */
    int soft_max_chars;  /* later pieces: cut at a clause beyond this many (default 120) */
    int hard_max_bytes;  /* no boundary at all: cut at a space beyond this (default 400) */
} speech_params;

speech_params speech_default_params(void);

typedef struct speech_stream speech_stream;

int speech_stream_create(const speech_params *p, speech_stream **out);
void speech_stream_free(speech_stream **s);
/* fn NULL restores the built-in boundary rule (speech_default_segment). */
void speech_stream_set_segmenter(speech_stream *s, speech_segment_fn fn, void *user);
/* Starts a new answer: drops anything pending. */
void speech_stream_reset(speech_stream *s);
/* Feeds streamed text (any split, even inside a UTF-8 character). */
int speech_stream_push(speech_stream *s, const char *text, size_t len, speech_piece_fn fn,
                       void *user);
/* The answer is complete: delivers what is left. */
int speech_stream_finish(speech_stream *s, speech_piece_fn fn, void *user);
/* Bytes of cleaned text waiting for a boundary (for tests). */
size_t speech_stream_pending(const speech_stream *s);

/* The built-in boundary rule, with p's limits (user points at a speech_params).
 * Sentence ends: . ! ? ; ... and 。！？；… (Latin ones need a space after them,
 * so "3.5", "1,299" and "e.g." never cut; abbreviations like Dr. and No.
 * and single initials do not end sentences). Clause ends: , : and ，、：. */
size_t speech_default_segment(void *user, const char *text, size_t len, int final, int first);

/* Cleans a whole text at once (the streaming cleaner run to its end).
 * Returns the length written (out is NUL-terminated; cut if cap is short). */
size_t speech_clean_text(const char *in, size_t len, char *out, size_t cap);

#endif
