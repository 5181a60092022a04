/* SPDX-License-Identifier: Apache-2.0 */
/* fake_openai.h: a local fake of an OpenAI-compatible server for tests and
 * benchmarks: POST /v1/chat/completions answered with the real streaming
 * protocol (HTTP/1.1, chunked transfer encoding, text/event-stream, "data:"
 * chunks with choices[0].delta.content, a finish_reason chunk, [DONE]), and
 * on request slow, stalled, truncated, malformed, error and hanging answers.
 * One server thread on 127.0.0.1, an ephemeral port, one request at a time.
 * Header-only (static functions): include it from one test or bench file. */
#ifndef SZ_TESTS_FAKE_OPENAI_H
#define SZ_TESTS_FAKE_OPENAI_H

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "fake_http.h"

typedef enum fake_mode {
    FAKE_OK = 0,       /* the tokens, finish_reason "stop", [DONE] */
    FAKE_TRUNCATED,    /* half the tokens, then the connection closes */
    FAKE_MALFORMED,    /* two tokens, then "data: {not json" */
    FAKE_HTTP_ERROR,   /* status fake.http_status with a JSON error body */
    FAKE_STREAM_ERROR, /* 200, one token, then data: {"error": {...}} */
    FAKE_HANG,         /* reads the request, never answers */
    FAKE_STALL,        /* headers and one token, then silence */
    FAKE_PLAIN_JSON,   /* a non-streaming chat completion */
    FAKE_CLOSE,        /* closes at once without a response */
    FAKE_NO_DONE,      /* tokens and finish_reason, then closes without [DONE] */
} fake_mode;

/* Not every includer uses every helper. */
#define FAKE_FN static __attribute__((unused))

#define FAKE_MAX_SCRIPT 16
#define FAKE_MAX_BODY (1 << 20)

typedef struct fake_llm {
    int port;
    int listen_fd;
    pthread_t thread;
    atomic_int stop;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    /* behaviour: modes[i] answers request i; the last one repeats */
    fake_mode modes[FAKE_MAX_SCRIPT];
    int n_modes;
    int script_base;           /* modes[0] answers request number script_base */
    int http_status;           /* for FAKE_HTTP_ERROR */
    int retry_after_s;         /* > 0: sends Retry-After with errors */
    const char *const *tokens; /* NULL-terminated answer pieces */
    int token_delay_ms;        /* between tokens (slow models) */
    int first_delay_ms;        /* before the first token (time to first token) */
    /* what it saw */
    int n_requests;
    int n_answered; /* requests whose response was completely sent */
    char path[256];
    char auth[512];
    char *body;                      /* the last request's body, NUL-terminated */
    int64_t first_token_sent_us[64]; /* CLOCK_MONOTONIC, per request */
    int client_closed;               /* the client went away in the middle of an answer */
} fake_llm;

static const char *const fake_default_tokens[] = {
    "Hello", "!",      " Our",      " opening", " hours", " are",    " nine",
    " to",   " five",  ",",         " Monday",  " to",    " Friday", ".",
    " Is",   " there", " anything", " else",    "?",      NULL};

FAKE_FN int64_t fake_now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

FAKE_FN void fake_sleep_ms(fake_llm *f, int ms)
{
    for (int i = 0; i < ms && !atomic_load(&f->stop); i += 5) {
        struct timespec ts = {0, (ms - i < 5 ? ms - i : 5) * 1000000L};
        nanosleep(&ts, NULL);
    }
}

/* One HTTP chunk holding s. */
FAKE_FN int fake_chunk(int fd, const char *s)
{
    char head[32];
    size_t n = strlen(s);
    snprintf(head, sizeof head, "%zx\r\n", n);
    if (fake_http_send_all(fd, head, strlen(head)) || fake_http_send_all(fd, s, n) ||
        fake_http_send_all(fd, "\r\n", 2))
        return -1;
    return 0;
}

/* Appends s to dst as JSON string content (quotes not included). */
FAKE_FN void fake_json_escape(char *dst, size_t cap, const char *s)
{
    size_t k = strlen(dst);
    for (; *s && k + 8 < cap; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') {
            dst[k++] = '\\';
            dst[k++] = (char)c;
        } else if (c == '\n') {
            dst[k++] = '\\';
            dst[k++] = 'n';
        } else if (c < 0x20) {
            k += (size_t)snprintf(dst + k, cap - k, "\\u%04x", c);
        } else {
            dst[k++] = (char)c;
        }
    }
    dst[k] = 0;
}

FAKE_FN int fake_event_token(int fd, const char *tok)
{
    char ev[4096] = "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\","
                    "\"created\":1,\"model\":\"fake\",\"choices\":[{\"index\":0,\"delta\":"
                    "{\"content\":\"";
    fake_json_escape(ev, sizeof ev - 64, tok);
    strcat(ev, "\"},\"finish_reason\":null}]}\n\n");
    return fake_chunk(fd, ev);
}

/* Did the client close its end? */
FAKE_FN int fake_peer_closed(int fd)
{
    struct pollfd p = {fd, POLLIN, 0};
    if (poll(&p, 1, 0) <= 0)
        return 0;
    char c;
    return recv(fd, &c, 1, MSG_PEEK | MSG_DONTWAIT) == 0;
}

FAKE_FN void fake_wait_close(fake_llm *f, int fd)
{
    while (!atomic_load(&f->stop)) {
        struct pollfd p = {fd, POLLIN, 0};
        if (poll(&p, 1, 20) > 0) {
            char buf[256];
            if (recv(fd, buf, sizeof buf, 0) <= 0)
                return;
        }
    }
}

FAKE_FN void fake_answer(fake_llm *f, int fd, fake_mode mode, int req)
{
    const char *const *toks = f->tokens ? f->tokens : fake_default_tokens;
    int n_tok = 0;
    while (toks[n_tok])
        n_tok++;
    char head[512];
    if (mode == FAKE_CLOSE)
        return;
    if (mode == FAKE_HANG) {
        fake_wait_close(f, fd);
        return;
    }
    if (mode == FAKE_HTTP_ERROR) {
        char body[256];
        snprintf(body, sizeof body,
                 "{\"error\":{\"message\":\"fake error %d\",\"type\":\"server_error\"}}",
                 f->http_status);
        char ra[64] = "";
        if (f->retry_after_s > 0)
            snprintf(ra, sizeof ra, "Retry-After: %d\r\n", f->retry_after_s);
        snprintf(head, sizeof head,
                 "HTTP/1.1 %d Error\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n"
                 "%sConnection: close\r\n\r\n",
                 f->http_status, strlen(body), ra);
        fake_http_send_all(fd, head, strlen(head));
        fake_http_send_all(fd, body, strlen(body));
        return;
    }
    if (mode == FAKE_PLAIN_JSON) {
        char body[8192] = "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"choices\":[{"
                          "\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"";
        for (int i = 0; i < n_tok; i++)
            fake_json_escape(body, sizeof body - 64, toks[i]);
        strcat(body, "\"},\"finish_reason\":\"stop\"}]}");
        snprintf(head, sizeof head,
                 "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n"
                 "Connection: close\r\n\r\n",
                 strlen(body));
        fake_http_send_all(fd, head, strlen(head));
        fake_http_send_all(fd, body, strlen(body));
        return;
    }
    snprintf(head, sizeof head,
             "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n"
             "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n");
    if (fake_http_send_all(fd, head, strlen(head)))
        return;
    if (fake_chunk(fd, "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\","
                       "\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":"
                       "\"\"},\"finish_reason\":null}]}\n\n"))
        return;
    fake_sleep_ms(f, f->first_delay_ms);
    int limit = mode == FAKE_TRUNCATED                            ? n_tok / 2
                : mode == FAKE_MALFORMED                          ? 2
                : mode == FAKE_STREAM_ERROR || mode == FAKE_STALL ? 1
                                                                  : n_tok;
    for (int i = 0; i < limit && i < n_tok; i++) {
        if (i > 0)
            fake_sleep_ms(f, f->token_delay_ms);
        if (atomic_load(&f->stop) || fake_peer_closed(fd)) {
            pthread_mutex_lock(&f->lock);
            f->client_closed = 1;
            pthread_mutex_unlock(&f->lock);
            return;
        }
        if (i == 0 && req < 64) {
            pthread_mutex_lock(&f->lock);
            f->first_token_sent_us[req] = fake_now_us();
            pthread_mutex_unlock(&f->lock);
        }
        if (fake_event_token(fd, toks[i])) {
            pthread_mutex_lock(&f->lock);
            f->client_closed = 1;
            pthread_mutex_unlock(&f->lock);
            return;
        }
    }
    switch (mode) {
    case FAKE_TRUNCATED: return; /* closed mid-answer, not even the final chunk */
    case FAKE_MALFORMED:
        fake_chunk(fd, "data: {\"choices\": [{\"delta\": {\"content\": \"oops\"\n\n");
        fake_chunk(fd, "");
        return;
    case FAKE_STREAM_ERROR:
        fake_chunk(fd, "data: {\"error\": {\"message\": \"model overloaded\", \"code\": 503}}\n\n");
        fake_chunk(fd, "");
        return;
    case FAKE_STALL: fake_wait_close(f, fd); return;
    default: break;
    }
    fake_chunk(fd, "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"choices\":"
                   "[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n");
    if (mode != FAKE_NO_DONE)
        fake_chunk(fd, "data: [DONE]\n\n");
    fake_chunk(fd, "");
    pthread_mutex_lock(&f->lock);
    f->n_answered++;
    pthread_cond_broadcast(&f->cond);
    pthread_mutex_unlock(&f->lock);
}

/* Reads one request; returns 0 and fills f->path, f->auth, f->body. */
FAKE_FN int fake_read_request(fake_llm *f, int fd)
{
    size_t cap = 65536, n = 0;
    char *buf = malloc(cap + 1);
    if (!buf)
        return -1;
    char *end = NULL;
    while (!end) {
        struct pollfd p = {fd, POLLIN, 0};
        if (atomic_load(&f->stop) || poll(&p, 1, 2000) <= 0 || n == cap) {
            free(buf);
            return -1;
        }
        ssize_t r = recv(fd, buf + n, cap - n, 0);
        if (r <= 0) {
            free(buf);
            return -1;
        }
        n += (size_t)r;
        buf[n] = 0;
        end = strstr(buf, "\r\n\r\n");
    }
    size_t head_len = (size_t)(end - buf) + 4;
    long clen = 0;
    char path[256] = "", auth[512] = "";
    sscanf(buf, "%*s %255s", path);
    for (char *line = strstr(buf, "\r\n"); line && line < end; line = strstr(line + 2, "\r\n")) {
        char *l = line + 2;
        if (strncasecmp(l, "Content-Length:", 15) == 0)
            clen = strtol(l + 15, NULL, 10);
        else if (strncasecmp(l, "Authorization:", 14) == 0)
            sscanf(l + 14, " %511[^\r\n]", auth);
    }
    if (clen < 0 || clen > FAKE_MAX_BODY) {
        free(buf);
        return -1;
    }
    char *body = malloc((size_t)clen + 1);
    if (!body) {
        free(buf);
        return -1;
    }
    size_t have = n - head_len < (size_t)clen ? n - head_len : (size_t)clen;
    memcpy(body, buf + head_len, have);
    free(buf);
    while (have < (size_t)clen) {
        struct pollfd p = {fd, POLLIN, 0};
        if (poll(&p, 1, 2000) <= 0)
            break;
        ssize_t r = recv(fd, body + have, (size_t)clen - have, 0);
        if (r <= 0)
            break;
        have += (size_t)r;
    }
    body[have] = 0;
    pthread_mutex_lock(&f->lock);
    snprintf(f->path, sizeof f->path, "%s", path);
    snprintf(f->auth, sizeof f->auth, "%s", auth);
    free(f->body);
    f->body = body;
    pthread_mutex_unlock(&f->lock);
    return have == (size_t)clen ? 0 : -1;
}

FAKE_FN void *fake_main(void *arg)
{
    fake_llm *f = arg;
    int fd;
    while ((fd = fake_http_accept(f->listen_fd, &f->stop)) >= 0) {
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        if (fake_read_request(f, fd) == 0) {
            pthread_mutex_lock(&f->lock);
            int req = f->n_requests++;
            int k = req - f->script_base;
            fake_mode mode =
                f->n_modes == 0 || k < 0 ? FAKE_OK : f->modes[k < f->n_modes ? k : f->n_modes - 1];
            pthread_cond_broadcast(&f->cond);
            pthread_mutex_unlock(&f->lock);
            fake_answer(f, fd, mode, req);
        }
        shutdown(fd, SHUT_WR);
        close(fd);
    }
    return NULL;
}

/* Starts the server; modes may be changed before each request with
 * fake_script(). Returns 0 on success. */
FAKE_FN int fake_start(fake_llm *f)
{
    memset(f, 0, sizeof *f);
    pthread_mutex_init(&f->lock, NULL);
    pthread_cond_init(&f->cond, NULL);
    f->http_status = 500;
    return fake_http_start(&f->listen_fd, &f->port, &f->thread, fake_main, f);
}

/* Sets the behaviour of the next requests (counted from now). */
FAKE_FN void fake_script(fake_llm *f, int n, const fake_mode *modes)
{
    pthread_mutex_lock(&f->lock);
    f->script_base = f->n_requests;
    f->n_modes = 0;
    for (int i = 0; i < n && f->n_modes < FAKE_MAX_SCRIPT; i++)
        f->modes[f->n_modes++] = modes[i];
    pthread_mutex_unlock(&f->lock);
}

FAKE_FN void fake_stop(fake_llm *f)
{
    fake_http_stop(&f->stop, f->thread, f->listen_fd);
    free(f->body);
    f->body = NULL;
    pthread_mutex_destroy(&f->lock);
    pthread_cond_destroy(&f->cond);
}

FAKE_FN void fake_url(const fake_llm *f, char *out, size_t cap)
{
    snprintf(out, cap, "http://127.0.0.1:%d/v1", f->port);
}

#endif
