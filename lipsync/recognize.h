/* SPDX-License-Identifier: Apache-2.0 */
/* recognize.h: audio-only lip-sync: phones and their times estimated from a
 * recording (pocketsphinx with its US English model): forced alignment to a
 * transcript when one is given, phone recognition when not, loudness from
 * the signal; and a streaming recogniser with bounded look-ahead for live
 * audio. Built when pocketsphinx is found; otherwise every call returns
 * SZ_ERR_UNSUPPORTED with a message saying so. */
#ifndef SZ_LIPSYNC_RECOGNIZE_H
#define SZ_LIPSYNC_RECOGNIZE_H

#include <stddef.h>
#include <stdint.h>

#include "core/media.h"
#include "lipsync/cues.h"

/* The rate the acoustic model wants; lipsync_analyze takes audio at it. */
#define LS_ANALYSIS_RATE 16000
/* The streaming look-ahead: default and the most allowed, in ms. */
#define LS_STREAM_LOOKAHEAD_MS 200
#define LS_STREAM_MIN_LOOKAHEAD_MS 60

/* 1 when this build has the audio-only path (pocketsphinx). */
int lipsync_audio_supported(void);

typedef struct ls_analyzer ls_analyzer;

/* model_dir: a pocketsphinx model folder holding en-us/ (acoustic model),
 * cmudict-en-us.dict and en-us-phone.lm.bin; NULL for the installed one. */
int lipsync_analyzer_open(const char *model_dir, ls_analyzer **out, char *err, size_t errlen);
void lipsync_analyzer_free(ls_analyzer **a);

/* Estimates the phones of pcm (mono, LS_ANALYSIS_RATE). With a transcript
 * (UTF-8; words looked up in the CMU dictionary, others phonemized by
 * espeak-ng) the phones are aligned to it and words are filled in; when the
 * transcript does not fit the audio (less than half of it aligns), or none
 * is given, phones are recognised freely. Segments cover the recording
 * without gaps; each carries its loudness. out is reset first. */
int lipsync_analyze(ls_analyzer *a, const float *pcm, size_t n, const char *transcript,
                    ls_track *out, char *err, size_t errlen);

/* Loads an audio file (any rate, WAV or what libavformat reads) and
 * analyses it. */
int lipsync_analyze_file(ls_analyzer *a, const char *path, const char *transcript, ls_track *out,
                         char *err, size_t errlen);

/* Loudness of each segment from the signal (0 at the noise floor, 1 at the
 * loud end), at the given rate. Used by lipsync_analyze; exposed for tests. */
void lipsync_track_levels(ls_track *t, const float *pcm, size_t n, int rate_hz);

/* ---- streaming -------------------------------------------------------- */

typedef struct ls_stream ls_stream;

typedef struct ls_stream_params {
    int sample_rate_hz;    /* of the audio pushed (8000 to 192000) */
    int lookahead_ms;      /* LS_STREAM_MIN_LOOKAHEAD_MS..LS_STREAM_LOOKAHEAD_MS; 0 = default */
    const char *model_dir; /* NULL: installed model */
} ls_stream_params;

int lipsync_stream_open(const ls_stream_params *params, ls_stream **out, char *err, size_t errlen);
/* Feeds audio (mono float at params.sample_rate_hz). Segments ending before
 * ready_us become final: they are appended to the stream's track and never
 * change afterwards. */
int lipsync_stream_push(ls_stream *st, const float *pcm, size_t n);
/* Everything before this time (us from the stream start) is final: the
 * audio pushed so far minus the look-ahead. */
int64_t lipsync_stream_ready_us(const ls_stream *st);
/* The final segments so far (valid until the next push or finish). It grows
 * with the stream (about 2 MB an hour of speech); the work per push does not. */
const ls_track *lipsync_stream_track(const ls_stream *st);
/* The face at time t_us, ready_us - LS_STREAM_FACE_WINDOW_MS <= t_us <=
 * ready_us (SZ_ERR_STATE outside): coarticulated visemes from the phones
 * known so far, the jaw scaled by loudness. */
#define LS_STREAM_FACE_WINDOW_MS 800
int lipsync_stream_face(ls_stream *st, int64_t t_us, sz_face *face);
/* Ends the input: everything pushed becomes final. */
int lipsync_stream_finish(ls_stream *st);
void lipsync_stream_free(ls_stream **st);

#endif
