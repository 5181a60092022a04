/* SPDX-License-Identifier: Apache-2.0 */
/* api_parse.h: validation of the control API's request bodies and headers,
 * apart from the HTTP server so they can be fuzzed. Every rejection is one
 * line naming the field and what was expected. */
#ifndef SZ_ENGINE_API_PARSE_H
#define SZ_ENGINE_API_PARSE_H

#include <stddef.h>

#define API_MAX_TEXT_BYTES (64u << 10)

typedef struct api_request {
    char *text;    /* say: the text or SSML; chat: the message; comments: the comment */
    char *user;    /* comments: who wrote it */
    int ssml;      /* say: text is SSML */
    int interrupt; /* say/chat: interrupt what is being said first */
} api_request;

/* POST /v1/say {"text": "..."} or {"ssml": "<speak>...</speak>"}, optional
 * "interrupt": true. Malformed SSML is refused here with the frontend's
 * message ("ssml: line L, column C: ..."), as `shuzi say --ssml` gives it. */
int api_parse_say(const char *body, size_t len, api_request *out, char *err, size_t errlen);
/* POST /v1/chat {"message": "...", "interrupt": false} */
int api_parse_chat(const char *body, size_t len, api_request *out, char *err, size_t errlen);
/* POST /v1/comments {"user": "...", "text": "..."} */
int api_parse_comment(const char *body, size_t len, api_request *out, char *err, size_t errlen);
/* POST /v1/interrupt: an empty body or {} */
int api_parse_interrupt(const char *body, size_t len, char *err, size_t errlen);
/* POST /v1/listen: empty, {} or {"on": true|false}; *on defaults to 1. */
int api_parse_listen(const char *body, size_t len, int *on, char *err, size_t errlen);
void api_request_free(api_request *r);

/* "Bearer <token>" against token, in constant time for equal lengths.
 * Returns 1 when it matches. */
int api_check_bearer(const char *header, const char *token);
/* 127.0.0.0/8, ::1 and "localhost" are loopback. */
int api_host_is_loopback(const char *host);
/* GET /v1/events?types=mark,state&marks=word,sentence: fills the two lists
 * (comma-separated names, "" = all) from a query value; rejects unknown
 * names. */
int api_parse_event_filter(const char *types, const char *marks, char *types_out, size_t types_cap,
                           char *marks_out, size_t marks_cap, char *err, size_t errlen);

#endif
