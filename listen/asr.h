/* SPDX-License-Identifier: Apache-2.0 */
/* asr.h: speech recognizers, behind one table of callbacks: offline US
 * English with pocketsphinx (listen/asr_pocketsphinx.c) and any server that
 * speaks the OpenAI transcription API, POST {base}/audio/transcriptions with
 * a multipart WAV (listen/asr_openai.c: whisper.cpp's server, faster-whisper
 * servers, vLLM, hosted APIs). An utterance is begun, fed as it is heard
 * (a recognizer that can may report partial text), and finished, which
 * gives the final text.
 *
 * Audio is mono float in [-1, 1] at 16 kHz. One thread uses a recognizer at
 * a time, except asr_cancel, which any thread may call. */
#ifndef SZ_LISTEN_ASR_H
#define SZ_LISTEN_ASR_H

#include <stddef.h>
#include <stdint.h>

#define ASR_RATE 16000

typedef struct asr asr;

/* What one finished utterance cost, for metrics and tests. */
typedef struct asr_stats {
    int attempts;        /* requests sent (1 + retries); 0 offline */
    int http_status;     /* of the last attempt; 0 when none or offline */
    int64_t finish_us;   /* from asr_finish's call to its return */
    double audio_s;      /* seconds of audio in the utterance */
} asr_stats;

typedef struct asr_kind {
    const char *name; /* "pocketsphinx", "openai" */
    int (*begin)(void *state, char *err, size_t errlen);
    /* partial: when the kind has one and it changed, the text so far
     * (NUL-terminated) and returns 1; else returns 0 (or < 0 on error, err set). */
    int (*feed)(void *state, const float *pcm, size_t n, char *partial, size_t partial_cap,
                char *err, size_t errlen);
    /* text: the final words (may be empty: nothing recognized); lang: the
     * language as an ISO 639-1 code ("en", "zh") when known, else "". */
    int (*finish)(void *state, char *text, size_t text_cap, char *lang, size_t lang_cap,
                  asr_stats *stats, char *err, size_t errlen);
    void (*cancel)(void *state);
    void (*destroy)(void *state);
} asr_kind;

/* ---- pocketsphinx, offline US English --------------------------------- */

typedef struct asr_pocketsphinx_params {
    const char *model_dir; /* NULL: pocketsphinx-en-us's installed model */
    int partial_every_ms;  /* how often feed decodes a partial; default 300; 0 never */
} asr_pocketsphinx_params;

asr_pocketsphinx_params asr_pocketsphinx_default_params(void);
/* SZ_ERR_UNSUPPORTED when built without pocketsphinx; SZ_ERR_IO when its
 * model is missing (the message says to install pocketsphinx-en-us). */
int asr_pocketsphinx_create(const asr_pocketsphinx_params *p, asr **out, char *err,
                            size_t errlen);

/* ---- the OpenAI transcription API (needs libcurl) --------------------- */

typedef struct asr_openai_params {
    const char *base_url;     /* "http://127.0.0.1:8080/v1"; ".../audio/transcriptions" also accepted */
    const char *model;        /* sent as "model"; default "whisper-1" */
    const char *api_key;      /* NULL or "": no Authorization header */
    const char *language;     /* sent as "language" when set ("zh", "en"); NULL: the server detects */
    double connect_timeout_s; /* default 3 */
    double timeout_s;         /* one attempt, start to end; default 15 */
    int max_retries;          /* retries of failed attempts (refused, 5xx, 429, timeout); default 1 */
    double retry_base_s;      /* first backoff, doubled each retry, jittered; default 0.3 */
    double max_audio_s;       /* longer utterances are cut to this; default 30 */
} asr_openai_params;

asr_openai_params asr_openai_default_params(void);
/* Checks the parameters (URL scheme, timeouts) without connecting. */
int asr_openai_create(const asr_openai_params *p, asr **out, char *err, size_t errlen);

/* Parses a transcription response body: JSON {"text": ..., "language"?: ...}
 * (the "json" and "verbose_json" formats) or, when it is not JSON, plain
 * text (the "text" format). Refuses bodies that are neither, with one line
 * in err. lang gets an ISO 639-1 code ("chinese" -> "zh") or "". Exposed
 * for tests and the fuzz target. */
int asr_openai_parse_response(const char *body, size_t len, char *text, size_t text_cap,
                              char *lang, size_t lang_cap, char *err, size_t errlen);

/* ---- using a recognizer ------------------------------------------------ */

const char *asr_name(const asr *a);
int asr_begin(asr *a, char *err, size_t errlen);
int asr_feed(asr *a, const float *pcm, size_t n, char *partial, size_t partial_cap, char *err,
             size_t errlen);
int asr_finish(asr *a, char *text, size_t text_cap, char *lang, size_t lang_cap, asr_stats *stats,
               char *err, size_t errlen);
/* Thread-safe: a finish in progress returns SZ_ERR_CANCELLED promptly. */
void asr_cancel(asr *a);
void asr_destroy(asr **a);

/* For kinds: wraps a state and its table (asr.c). */
asr *asr_wrap(const asr_kind *kind, void *state);

#endif
