/* SPDX-License-Identifier: Apache-2.0 */
/* sse.h: an incremental decoder of server-sent events (the WHATWG
 * text/event-stream format) and, on top of it, the OpenAI streaming chat
 * protocol: "data: {json chunk}" events with choices[0].delta.content,
 * ended by "data: [DONE]". Bytes can be fed in pieces of any size. */
#ifndef SZ_LLM_SSE_H
#define SZ_LLM_SSE_H

#include <stddef.h>
#include <stdint.h>

#define SSE_MAX_LINE (1u << 20)  /* a longer line is a malformed stream */
#define SSE_MAX_EVENT (4u << 20) /* the data of one event */

/* One complete event. data is NUL-terminated (its lines joined by '\n'). */
typedef struct sse_event {
    const char *event; /* "" when the stream gave no "event:" field */
    const char *data;
    size_t data_len;
    const char *id;
} sse_event;

/* Returns 0 to go on, non-zero to stop (feed returns that value). */
typedef int (*sse_event_fn)(void *user, const sse_event *ev);

typedef struct sse_decoder {
    sse_event_fn on_event;
    void *user;
    char *line;
    size_t line_len, line_cap;
    char *data;
    size_t data_len, data_cap;
    int has_data;
    char event[64];
    char id[128];
    int last_cr; /* the previous byte was '\r' (a "\r\n" pair is one end) */
    int bom_checked;
    int64_t n_events;
    int64_t line_no;
    char err[256];
} sse_decoder;

void sse_init(sse_decoder *d, sse_event_fn fn, void *user);
void sse_free(sse_decoder *d);
/* Returns 0, a non-zero value from the callback, or -1 on a malformed stream
 * (d->err says why and where). */
int sse_feed(sse_decoder *d, const char *bytes, size_t n);
/* At the end of the stream: dispatches a last event that had no blank line
 * after it. Same returns as sse_feed. */
int sse_end(sse_decoder *d);

/* ---- the OpenAI chat-completions stream ------------------------------ */

typedef int (*oai_text_fn)(void *user, const char *text, size_t len);

typedef struct oai_stream {
    sse_decoder sse;
    oai_text_fn on_text;
    void *user;
    int done;         /* "[DONE]" seen */
    int stopped;      /* the callback asked to stop */
    int failed;       /* malformed data or an error event */
    int server_error; /* the failure was an error object sent by the server */
    int64_t chunks;   /* JSON chunks seen */
    char finish_reason[32];
    char err[512];
} oai_stream;

void oai_stream_init(oai_stream *s, oai_text_fn fn, void *user);
void oai_stream_free(oai_stream *s);
/* Returns SZ_OK, SZ_ERR_CANCELLED (the callback stopped it) or
 * SZ_ERR_FORMAT (s->err: "malformed stream: event 3: ..." or the server's
 * error message). Data after [DONE] is ignored. */
int oai_stream_feed(oai_stream *s, const char *bytes, size_t n);
/* The stream ended (connection closed): SZ_OK if it was complete ([DONE],
 * or a finish_reason followed by the end), SZ_ERR_IO when truncated. */
int oai_stream_end(oai_stream *s);

/* Parses a whole non-streaming chat completion (a server that ignored
 * "stream": true) and delivers choices[0].message.content. */
int oai_parse_completion(const char *json, size_t len, oai_text_fn fn, void *user, char *err,
                         size_t errlen);

/* Pulls a message out of an error body ({"error": {"message": ...}} or
 * {"error": "..."} or {"message": ...}); falls back to the body's start.
 * Writes a printable one-line string. */
void oai_error_message(const char *body, size_t len, char *out, size_t cap);

#endif
