/* SPDX-License-Identifier: Apache-2.0 */
/* http_client.h: what the HTTP clients (the OpenAI chat client in llm/openai.c
 * and the transcription client in listen/asr_openai.c) share: building an
 * endpoint URL from a base URL, reading Retry-After and Content-Type from
 * response headers, turning an HTTP status into an sz_result, a hint and a
 * retry decision, jittered exponential backoff, and - with libcurl - one
 * multi handle per client whose transfers and backoff waits a cancel from
 * another thread wakes at once. The part above SHUZI_HAVE_CURL needs no
 * libcurl. */
#ifndef SZ_CORE_HTTP_CLIENT_H
#define SZ_CORE_HTTP_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#define HTTP_POLL_MS 200            /* longest wait on the sockets between checks */
#define HTTP_MAX_BACKOFF_S 10.0     /* the computed backoff is capped here */
#define HTTP_MAX_RETRY_AFTER_S 30.0 /* a server's Retry-After is capped here */

/* ---- URLs ---------------------------------------------------------------- */

/* Joins base (http:// or https://, trailing slashes ignored) and an endpoint
 * suffix such as "/chat/completions": a base without a path gets "/v1" then
 * the suffix; a base with a path gets the suffix; a base that already ends
 * with the suffix is kept. Returns SZ_OK, or SZ_ERR_INVALID_ARG with *why
 * (a static phrase: "expected http:// or https://", "no host", "contains
 * spaces or control characters", "too long"). */
int http_url_join(const char *base, const char *suffix, char *out, size_t cap, const char **why);
/* url without any user:password@ before the host, for messages and logs. */
void http_url_redact(const char *url, char *out, size_t cap);

/* ---- response headers ---------------------------------------------------- */

typedef struct http_headers {
    double retry_after_s;   /* Retry-After in seconds; -1 when absent or an HTTP date */
    char content_type[128]; /* "" when absent */
} http_headers;

/* Forgets everything seen (a new response). */
void http_headers_reset(http_headers *h);
/* Feeds one header line as CURLOPT_HEADERFUNCTION receives it ("Name:
 * value\r\n"); a status line ("HTTP/...") starts a new response (after a 100
 * Continue or a redirect), so the headers seen before it are forgotten. */
void http_headers_feed(http_headers *h, const char *line, size_t len);

/* ---- response bodies and secrets ---------------------------------------- */

/* Appends n bytes of data to a growing buffer (*len bytes used of *cap
 * allocated), kept NUL-terminated. Returns 0, or -1 without memory (the
 * buffer unchanged). */
int http_buf_append(char **buf, size_t *len, size_t *cap, const char *data, size_t n);
/* Wipes and frees a secret such as an API key (NULL is fine). */
void http_secret_free(char *secret);

/* ---- statuses and retries ------------------------------------------------ */

/* The sz_result for an HTTP error status: SZ_ERR_NOT_FOUND for 404,
 * SZ_ERR_INVALID_ARG for a request the server refuses as such, else
 * SZ_ERR_IO. strict: only 400, 401, 403 and 422 count as refused; otherwise
 * every 4xx but 408 and 429 does. */
int http_status_error(long status, int strict);
/* Whether another attempt may succeed: 408 and 429 always; strict: also 425,
 * 500, 502, 503 and 504; otherwise every 5xx. */
int http_status_retryable(long status, int strict);
/* " (check the API key)" for 401 and 403, " (check the base URL and the
 * model name)" for 404, " (rate limited)" for 429, else "". */
const char *http_status_hint(long status);

/* A seed for http_backoff_s's jitter (never 0). */
uint64_t http_rng_seed(void);
/* The wait before retrying after attempt (0 for the first): base_s *
 * 2^attempt, times a random factor in [0.5, 1.5) from *rng, at most
 * HTTP_MAX_BACKOFF_S; a server's retry_after_s (>= 0) replaces it, at most
 * HTTP_MAX_RETRY_AFTER_S. */
double http_backoff_s(double base_s, int attempt, uint64_t *rng, double retry_after_s);

#ifdef SHUZI_HAVE_CURL

#include <curl/curl.h>
#include <stdatomic.h>

/* curl_global_init, once per process whichever thread comes first. Returns 1
 * when libcurl is ready. */
int http_global_init(void);

/* One client's connection: a multi handle on which its transfers and backoff
 * waits run, and the cancel flag that ends them. */
typedef struct http_conn {
    CURLM *multi;
    atomic_int cancel;
    uint64_t rng; /* backoff jitter */
} http_conn;

/* Creates the multi handle (after http_global_init). Returns 0 when it
 * cannot. */
int http_conn_open(http_conn *c);
void http_conn_close(http_conn *c);
/* From any thread: raises the cancel flag and wakes the waiting transfer. */
void http_conn_cancel(http_conn *c);
/* Waits up to seconds; returns 1 (early) when cancelled. */
int http_conn_pause(http_conn *c, double seconds);
/* Between attempts: logs "<why>; retrying in W s (attempt N of M)" under
 * tag, then waits W = http_backoff_s(base_s, attempt, ...). Returns 1 when
 * cancelled meanwhile. */
int http_conn_retry_pause(http_conn *c, const char *tag, const char *why, double base_s,
                          int attempt, int max_retries, double retry_after_s);

/* How http_conn_run ended (or the positive value its stop returned). */
enum {
    HTTP_RUN_DONE = 0,         /* the transfer completed: *result says how */
    HTTP_RUN_CANCELLED = -1,   /* the cancel flag was raised */
    HTTP_RUN_DEADLINE = -2,    /* deadline_us passed */
    HTTP_RUN_MULTI_ERROR = -3, /* curl_multi_perform failed: *mc says how */
};
/* Drives the one transfer added to c->multi until it completes, the cancel
 * flag rises, stop(user) (when given; checked after the flag) returns a
 * positive value, or the monotonic clock passes deadline_us. Waits on the
 * sockets at most HTTP_POLL_MS at a time (less near the deadline), so a
 * cancel wakes it at once and stop sees fresh state. The handle stays
 * added. */
int http_conn_run(http_conn *c, int64_t deadline_us, int (*stop)(void *user), void *user,
                  CURLcode *result, CURLMcode *mc);

/* The options every request of ours sets: no signals, the connect timeout,
 * TCP_NODELAY, no compression, http and https only, our User-Agent. */
void http_easy_defaults(CURL *h, double connect_timeout_s);
/* A header list of lines (NULL entries skipped) and, when api_key is set
 * and not empty, "Authorization: Bearer <api_key>" (the copy on the stack
 * wiped). Returns SZ_OK or SZ_ERR_NO_MEMORY (*out NULL). */
int http_header_list(const char *const *lines, size_t n, const char *api_key,
                     struct curl_slist **out);

#endif /* SHUZI_HAVE_CURL */

#endif
