/* SPDX-License-Identifier: Apache-2.0 */
/* api.c: the control API server (api.h) on libmicrohttpd, one thread per
 * connection (the event stream blocks in its reader). Bodies are collected
 * up to the limit, validated by api_parse.c, and handed to the host. */
#include "engine/api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "core/log.h"
#include "engine/api_parse.h"

api_params api_default_params(void)
{
    api_params p = {.host = NULL,
                    .port = 8765,
                    .token = NULL,
                    .max_body_bytes = 64u << 10,
                    .max_connections = 256,
                    .max_per_ip = 16,
                    .max_event_clients = 8,
                    .mode = "live"};
    return p;
}

#ifndef SHUZI_HAVE_MHD

int api_bind(const api_params *p, host *h, api_server **out, char *err, size_t errlen)
{
    (void)p, (void)h;
    *out = NULL;
    snprintf(err, errlen,
             "the control API needs libmicrohttpd, which this shuzi was built "
             "without (install libmicrohttpd-dev and rebuild, or use --api-port 0)");
    return SZ_ERR_UNSUPPORTED;
}

int api_serve(api_server *a, char *err, size_t errlen)
{
    (void)a;
    snprintf(err, errlen, "the control API needs libmicrohttpd");
    return SZ_ERR_UNSUPPORTED;
}

int api_start(const api_params *p, host *h, api_server **out, char *err, size_t errlen)
{
    return api_bind(p, h, out, err, errlen);
}

int api_port(const api_server *a)
{
    (void)a;
    return 0;
}

void api_stop(api_server **a)
{
    if (a)
        *a = NULL;
}

#else

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/clock.h"

#define API_SSE_BLOCK (64u << 10)
#define API_HEARTBEAT_US 10000000
/* a connection with no traffic this long is closed (event streams send a
 * heartbeat every API_HEARTBEAT_US, so they stay) */
#define API_IDLE_TIMEOUT_S 15
#define API_SSE_POLL_US 250000

struct api_server {
    api_params p;
    char host_addr[64];
    char *token;
    char mode[16];
    host *h;
    struct MHD_Daemon *d;
    int fd;         /* the listening socket until api_serve hands it to d */
    unsigned flags; /* for MHD_start_daemon */
    int port;
    atomic_int stopping;
    atomic_int sse_clients;
};

typedef struct api_conn {
    char *body;
    size_t len, cap;
    int too_big;
    int responded;
} api_conn;

typedef struct api_sse {
    api_server *a;
    uint64_t cursor;
    int64_t last_send_us;
    int sent_hello;
    char types[160];
    char marks[96];
} api_sse;

static void api_mhd_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    char line[512];
    vsnprintf(line, sizeof line, fmt, ap);
    size_t n = strlen(line);
    while (n > 0 && line[n - 1] == '\n')
        line[--n] = 0;
    SZ_LOGD("api", "%s", line);
}

/* allow: the Allow header of a 405 (NULL otherwise). */
static enum MHD_Result api_send(api_server *a, struct MHD_Connection *c, unsigned status,
                                const char *type, char *body, const char *allow)
{
    struct MHD_Response *r =
        MHD_create_response_from_buffer(strlen(body), body, MHD_RESPMEM_MUST_FREE);
    if (!r) {
        free(body);
        return MHD_NO;
    }
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    if (status == MHD_HTTP_UNAUTHORIZED)
        MHD_add_response_header(r, MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Bearer realm=\"shuzi\"");
    if (allow)
        MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, allow);
    enum MHD_Result rc = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    metrics_add(host_metrics(a->h),
                status < 300   ? MT_HTTP_2XX
                : status < 500 ? MT_HTTP_4XX
                               : MT_HTTP_5XX,
                1);
    return rc;
}

static enum MHD_Result api_json(api_server *a, struct MHD_Connection *c, unsigned status,
                                const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static enum MHD_Result api_json(api_server *a, struct MHD_Connection *c, unsigned status,
                                const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *body = malloc((size_t)n + 2);
    if (!body)
        return MHD_NO;
    va_start(ap, fmt);
    vsnprintf(body, (size_t)n + 1, fmt, ap);
    va_end(ap);
    strcat(body, "\n");
    return api_send(a, c, status, "application/json", body, NULL);
}

/* s as a JSON string literal, malloc'd (NULL when out of memory). */
static char *api_esc(const char *s)
{
    size_t cap = strlen(s) * 6 + 3;
    char *e = malloc(cap);
    if (e)
        json_escape(e, cap, s);
    return e;
}

static enum MHD_Result api_error(api_server *a, struct MHD_Connection *c, unsigned status,
                                 const char *msg)
{
    char *esc = api_esc(msg);
    if (!esc)
        return MHD_NO;
    enum MHD_Result rc = api_json(a, c, status, "{\"error\": %s}", esc);
    free(esc);
    return rc;
}

/* ---- GET ------------------------------------------------------------- */

static enum MHD_Result api_status(api_server *a, struct MHD_Connection *c)
{
    host_status hs;
    host_get_status(a->h, &hs);
    sz_session *s = host_session(a->h);
    sz_session_stats st;
    memset(&st, 0, sizeof st);
    if (s)
        sz_session_get_stats(s, &st);
    char outs[16384] = "[";
    size_t k = 1;
    for (int i = 0; s && i < 8; i++) {
        sz_output_stats os;
        if (sz_session_get_output_stats(s, i, &os) != SZ_OK)
            break;
        char url[1100], err[256 * 6 + 3];
        if (os.url && strlen(os.url) * 6 + 3 > sizeof url)
            snprintf(url, sizeof url, "\"(too long)\"");
        else
            json_escape(url, sizeof url, os.url ? os.url : "");
        json_escape(err, sizeof err, os.error);
        int w = snprintf(outs + k, sizeof outs - k,
                         "%s{\"url\": %s, \"connected\": %s, \"failed\": %s, "
                         "\"frames_written\": %lld, \"frames_dropped\": %lld, "
                         "\"reconnects\": %lld, \"error\": %s}",
                         i ? ", " : "", url, os.connected ? "true" : "false",
                         os.failed ? "true" : "false", (long long)os.frames_written,
                         (long long)os.frames_dropped, (long long)os.reconnects, err);
        if (w < 0 || (size_t)w >= sizeof outs - k - 2) {
            outs[k] = 0; /* this one does not fit: the list stops before it */
            break;
        }
        k += (size_t)w;
    }
    strcat(outs, "]");
    char lasterr[256 * 6 + 3];
    json_escape(lasterr, sizeof lasterr, hs.last_error);
    return api_json(a, c, MHD_HTTP_OK,
                    "{\"state\": \"%s\", \"mode\": \"%s\", \"backend\": \"%s\", "
                    "\"uptime_s\": %.1f, \"queues\": {\"comments\": %d, \"chat\": %d, "
                    "\"utterances\": %d}, \"busy\": %s, \"current_product\": %d, "
                    "\"frames_out\": %lld, \"frames_dropped\": %lld, \"underruns\": %lld, "
                    "\"audio_s\": %.2f, \"outputs\": %s, \"microphone\": %s, "
                    "\"last_error\": %s}",
                    hs.state, a->mode, hs.backend, hs.uptime_s, hs.comments_queued, hs.chats_queued,
                    hs.utterances_pending, hs.busy ? "true" : "false", hs.current_product,
                    (long long)st.frames_out, (long long)st.frames_dropped, (long long)st.underruns,
                    st.sample_rate_hz ? (double)st.samples_out / st.sample_rate_hz : 0.0, outs,
                    hs.listening_available ? "true" : "false", lasterr);
}

static enum MHD_Result api_metrics(api_server *a, struct MHD_Connection *c)
{
    host_status hs;
    host_get_status(a->h, &hs);
    sz_session *s = host_session(a->h);
    sz_session_stats st;
    memset(&st, 0, sizeof st);
    metrics_sample ms;
    memset(&ms, 0, sizeof ms);
    if (s && sz_session_get_stats(s, &st) == SZ_OK)
        ms.session = &st;
    for (int i = 0; s && i < 8; i++) {
        sz_output_stats os;
        if (sz_session_get_output_stats(s, i, &os) != SZ_OK)
            break;
        ms.n_outputs++;
        ms.reconnects += os.reconnects;
        ms.output_frames_dropped += os.frames_dropped;
    }
    ms.queue_comments = hs.comments_queued;
    ms.queue_chats = hs.chats_queued;
    ms.queue_utterances = hs.utterances_pending;
    ms.speaking = strcmp(hs.state, "speaking") == 0;
    ms.uptime_s = hs.uptime_s;
    ms.sse_clients = atomic_load(&a->sse_clients);
    char *page = metrics_render(host_metrics(a->h), &ms);
    if (!page)
        return api_error(a, c, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory");
    return api_send(a, c, MHD_HTTP_OK, "text/plain; version=0.0.4; charset=utf-8", page, NULL);
}

/* Does this SSE block pass the reader's filters? */
static int api_sse_wanted(const api_sse *x, const char *block)
{
    if (!x->types[0] && !x->marks[0])
        return 1;
    char type[32] = "";
    if (sscanf(block, "event: %31[a-z]", type) != 1)
        return 1;
    if (x->types[0]) {
        char key[40];
        snprintf(key, sizeof key, ",%s,", type);
        if (!strstr(x->types, key))
            return 0;
    }
    if (x->marks[0] && strcmp(type, "mark") == 0) {
        const char *t = strstr(block, "\"type\": \"");
        char mt[32] = "";
        if (t && sscanf(t + 9, "%31[a-z]", mt) == 1) {
            char key[40];
            snprintf(key, sizeof key, ",%s,", mt);
            return strstr(x->marks, key) != NULL;
        }
    }
    return 1;
}

static ssize_t api_sse_read(void *cls, uint64_t pos, char *buf, size_t max)
{
    (void)pos;
    api_sse *x = cls;
    if (!x->sent_hello) {
        x->sent_hello = 1;
        x->last_send_us = clock_now_us();
        const char *hello = "retry: 2000\n: shuzi events\n\n";
        size_t n = strlen(hello);
        if (n > max)
            return 0;
        memcpy(buf, hello, n);
        return (ssize_t)n;
    }
    ev_hub *hub = host_events(x->a->h);
    for (;;) {
        if (atomic_load(&x->a->stopping))
            return MHD_CONTENT_READER_END_OF_STREAM;
        long n = ev_hub_read(hub, &x->cursor, buf, max, API_SSE_POLL_US);
        if (n < 0)
            return MHD_CONTENT_READER_END_OF_STREAM;
        if (n > 0) {
            if (!api_sse_wanted(x, buf))
                continue;
            x->last_send_us = clock_now_us();
            return (ssize_t)n;
        }
        if (clock_now_us() - x->last_send_us > API_HEARTBEAT_US) {
            const char *hb = ": keep-alive\n\n";
            size_t k = strlen(hb);
            memcpy(buf, hb, k);
            x->last_send_us = clock_now_us();
            return (ssize_t)k;
        }
    }
}

static void api_sse_free(void *cls)
{
    api_sse *x = cls;
    atomic_fetch_sub(&x->a->sse_clients, 1);
    free(x);
}

static enum MHD_Result api_events(api_server *a, struct MHD_Connection *c)
{
    const char *types = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "types");
    const char *marks = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "marks");
    api_sse *x = calloc(1, sizeof *x);
    if (!x)
        return api_error(a, c, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory");
    char err[256];
    if (api_parse_event_filter(types, marks, x->types, sizeof x->types, x->marks, sizeof x->marks,
                               err, sizeof err) != SZ_OK) {
        free(x);
        return api_error(a, c, MHD_HTTP_BAD_REQUEST, err);
    }
    if (atomic_fetch_add(&a->sse_clients, 1) >= a->p.max_event_clients) {
        atomic_fetch_sub(&a->sse_clients, 1);
        free(x);
        char msg[96];
        snprintf(msg, sizeof msg, "too many event readers (at most %d)", a->p.max_event_clients);
        return api_error(a, c, MHD_HTTP_SERVICE_UNAVAILABLE, msg);
    }
    x->a = a;
    x->cursor = ev_hub_head(host_events(a->h));
    struct MHD_Response *r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, API_SSE_BLOCK,
                                                               api_sse_read, x, api_sse_free);
    if (!r) {
        api_sse_free(x);
        return MHD_NO;
    }
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "text/event-stream; charset=utf-8");
    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    MHD_add_response_header(r, "X-Accel-Buffering", "no");
    enum MHD_Result rc = MHD_queue_response(c, MHD_HTTP_OK, r);
    MHD_destroy_response(r);
    metrics_add(host_metrics(a->h), MT_HTTP_2XX, 1);
    return rc;
}

/* ---- POST ------------------------------------------------------------ */

static enum MHD_Result api_post(api_server *a, struct MHD_Connection *c, const char *url,
                                const api_conn *k)
{
    char err[512] = "";
    api_request r;
    const char *body = k->body ? k->body : "";
    if (strcmp(url, "/v1/say") == 0) {
        if (api_parse_say(body, k->len, &r, err, sizeof err) != SZ_OK)
            return api_error(a, c, MHD_HTTP_BAD_REQUEST, err);
        int id = host_say(a->h, r.text, r.ssml ? SZ_SAY_SSML : 0, r.interrupt);
        api_request_free(&r);
        if (id < 0)
            return api_error(
                a, c, id == SZ_ERR_STATE ? MHD_HTTP_SERVICE_UNAVAILABLE : MHD_HTTP_BAD_REQUEST,
                id == SZ_ERR_STATE ? "the session is not running or its queue is full"
                                   : sz_strerror(id));
        return api_json(a, c, MHD_HTTP_OK, "{\"ok\": true, \"utterance_id\": %d}", id);
    }
    if (strcmp(url, "/v1/chat") == 0) {
        if (api_parse_chat(body, k->len, &r, err, sizeof err) != SZ_OK)
            return api_error(a, c, MHD_HTTP_BAD_REQUEST, err);
        int id = host_chat(a->h, r.text, r.interrupt, err, sizeof err);
        api_request_free(&r);
        if (id < 0)
            return api_error(
                a, c, id == SZ_ERR_STATE ? MHD_HTTP_TOO_MANY_REQUESTS : MHD_HTTP_BAD_REQUEST, err);
        return api_json(a, c, MHD_HTTP_ACCEPTED, "{\"ok\": true, \"request_id\": %d}", id);
    }
    if (strcmp(url, "/v1/comments") == 0) {
        if (api_parse_comment(body, k->len, &r, err, sizeof err) != SZ_OK)
            return api_error(a, c, MHD_HTTP_BAD_REQUEST, err);
        int id = host_comment(a->h, r.user, r.text, err, sizeof err);
        api_request_free(&r);
        if (id == SZ_ERR_STATE)
            return api_error(a, c, MHD_HTTP_TOO_MANY_REQUESTS, err);
        if (id < 0) {
            char *esc = api_esc(err);
            if (!esc)
                return MHD_NO;
            enum MHD_Result rc = api_json(a, c, MHD_HTTP_UNPROCESSABLE_CONTENT,
                                          "{\"error\": %s, \"filtered\": true}", esc);
            free(esc);
            return rc;
        }
        return api_json(a, c, MHD_HTTP_ACCEPTED, "{\"ok\": true, \"request_id\": %d}", id);
    }
    if (strcmp(url, "/v1/interrupt") == 0) {
        if (api_parse_interrupt(body, k->len, err, sizeof err) != SZ_OK)
            return api_error(a, c, MHD_HTTP_BAD_REQUEST, err);
        int rc = host_interrupt(a->h);
        if (rc != SZ_OK)
            return api_error(a, c, MHD_HTTP_SERVICE_UNAVAILABLE, sz_strerror(rc));
        return api_json(a, c, MHD_HTTP_OK, "{\"ok\": true}");
    }
    if (strcmp(url, "/v1/listen") == 0) {
        int on = 1;
        if (api_parse_listen(body, k->len, &on, err, sizeof err) != SZ_OK)
            return api_error(a, c, MHD_HTTP_BAD_REQUEST, err);
        if (host_listen(a->h, on) != SZ_OK)
            return api_error(a, c, MHD_HTTP_CONFLICT,
                             "not listening: start the kiosk with --mic (or \"mic\" in the config)");
        return api_json(a, c, MHD_HTTP_OK, "{\"ok\": true, \"listening\": %s}",
                        on ? "true" : "false");
    }
    return api_error(a, c, MHD_HTTP_NOT_FOUND, "no such endpoint");
}

static int api_is_post_path(const char *url)
{
    return strcmp(url, "/v1/say") == 0 || strcmp(url, "/v1/chat") == 0 ||
           strcmp(url, "/v1/comments") == 0 || strcmp(url, "/v1/interrupt") == 0 ||
           strcmp(url, "/v1/listen") == 0;
}

static int api_is_get_path(const char *url)
{
    return strcmp(url, "/v1/status") == 0 || strcmp(url, "/v1/events") == 0 ||
           strcmp(url, "/metrics") == 0;
}

static enum MHD_Result api_handler(void *cls, struct MHD_Connection *c, const char *url,
                                   const char *method, const char *version, const char *upload_data,
                                   size_t *upload_size, void **con_cls)
{
    (void)version;
    api_server *a = cls;
    api_conn *k = *con_cls;
    if (!k) {
        k = calloc(1, sizeof *k);
        if (!k)
            return MHD_NO;
        *con_cls = k;
        if (a->token) {
            const char *auth =
                MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
            if (!api_check_bearer(auth, a->token)) {
                k->responded = 1;
                return api_error(a, c, MHD_HTTP_UNAUTHORIZED,
                                 auth ? "wrong token" : "missing 'Authorization: Bearer TOKEN'");
            }
        }
        int post = strcmp(method, "POST") == 0, get = strcmp(method, "GET") == 0;
        int known_post = api_is_post_path(url), known_get = api_is_get_path(url);
        if (!known_post && !known_get) {
            k->responded = 1;
            return api_error(a, c, MHD_HTTP_NOT_FOUND, "no such endpoint (see /v1/status)");
        }
        if ((known_post && !post) || (known_get && !get)) {
            k->responded = 1;
            char msg[160], esc[160 * 6 + 3];
            snprintf(msg, sizeof msg, "%.16s %.40s: expected %s", method, url,
                     known_post ? "POST" : "GET");
            json_escape(esc, sizeof esc, msg);
            char *body = malloc(sizeof esc + 16);
            if (!body)
                return MHD_NO;
            snprintf(body, sizeof esc + 16, "{\"error\": %s}\n", esc);
            return api_send(a, c, MHD_HTTP_METHOD_NOT_ALLOWED, "application/json", body,
                            known_post ? "POST" : "GET");
        }
        const char *cl =
            MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
        if (cl && strtoull(cl, NULL, 10) > a->p.max_body_bytes) {
            k->responded = 1;
            char msg[96];
            snprintf(msg, sizeof msg, "request body larger than %zu bytes", a->p.max_body_bytes);
            return api_error(a, c, MHD_HTTP_CONTENT_TOO_LARGE, msg);
        }
        if (get) {
            k->responded = 1;
            if (strcmp(url, "/v1/status") == 0)
                return api_status(a, c);
            if (strcmp(url, "/metrics") == 0)
                return api_metrics(a, c);
            return api_events(a, c);
        }
        return MHD_YES; /* wait for the body */
    }
    if (k->responded) {
        *upload_size = 0; /* an early answer: discard the body */
        return MHD_YES;
    }
    if (*upload_size > 0) {
        if (!k->too_big && k->len + *upload_size <= a->p.max_body_bytes) {
            if (k->len + *upload_size + 1 > k->cap) {
                size_t cap = k->cap ? k->cap * 2 : 4096;
                while (cap < k->len + *upload_size + 1)
                    cap *= 2;
                char *b = realloc(k->body, cap);
                if (!b)
                    return MHD_NO;
                k->body = b;
                k->cap = cap;
            }
            memcpy(k->body + k->len, upload_data, *upload_size);
            k->len += *upload_size;
            k->body[k->len] = 0;
        } else {
            k->too_big = 1;
        }
        *upload_size = 0;
        return MHD_YES;
    }
    k->responded = 1;
    if (k->too_big) {
        char msg[96];
        snprintf(msg, sizeof msg, "request body larger than %zu bytes", a->p.max_body_bytes);
        return api_error(a, c, MHD_HTTP_CONTENT_TOO_LARGE, msg);
    }
    return api_post(a, c, url, k);
}

static void api_done(void *cls, struct MHD_Connection *c, void **con_cls,
                     enum MHD_RequestTerminationCode why)
{
    (void)cls, (void)c, (void)why;
    api_conn *k = *con_cls;
    if (k) {
        free(k->body);
        free(k);
        *con_cls = NULL;
    }
}

int api_bind(const api_params *p, host *h, api_server **out, char *err, size_t errlen)
{
    *out = NULL;
    const char *addr = p->host && *p->host ? p->host : "127.0.0.1";
    int has_token = p->token && *p->token;
    if (!api_host_is_loopback(addr) && !has_token) {
        snprintf(err, errlen,
                 "control API: refusing to listen on %s (beyond loopback) without a "
                 "token: set one (api.token_env) or use 127.0.0.1",
                 addr);
        return SZ_ERR_INVALID_ARG;
    }
    if (p->port < 0 || p->port > 65535 || p->max_connections < 1 || p->max_event_clients < 0 ||
        p->max_per_ip < 0 || p->max_body_bytes < 256) {
        snprintf(err, errlen, "control API: port must be 0 to 65535 and limits positive");
        return SZ_ERR_INVALID_ARG;
    }
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof ss);
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION;
    const char *bind_addr = strcmp(addr, "localhost") == 0 ? "127.0.0.1" : addr;
    struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
    struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
    if (inet_pton(AF_INET, bind_addr, &s4->sin_addr) == 1) {
        s4->sin_family = AF_INET;
        s4->sin_port = htons((uint16_t)p->port);
    } else if (inet_pton(AF_INET6, bind_addr, &s6->sin6_addr) == 1) {
        s6->sin6_family = AF_INET6;
        s6->sin6_port = htons((uint16_t)p->port);
        flags |= MHD_USE_IPv6;
    } else {
        snprintf(err, errlen,
                 "control API: '%s' is not an IP address (use 127.0.0.1, ::1 or "
                 "0.0.0.0 with a token)",
                 addr);
        return SZ_ERR_INVALID_ARG;
    }
    api_server *a = calloc(1, sizeof *a);
    if (!a) {
        snprintf(err, errlen, "out of memory");
        return SZ_ERR_NO_MEMORY;
    }
    a->p = *p;
    a->h = h;
    snprintf(a->host_addr, sizeof a->host_addr, "%s", addr);
    snprintf(a->mode, sizeof a->mode, "%s", p->mode ? p->mode : "live");
    a->p.host = a->host_addr;
    a->p.mode = a->mode;
    if (has_token && !(a->token = strdup(p->token))) {
        free(a);
        snprintf(err, errlen, "out of memory");
        return SZ_ERR_NO_MEMORY;
    }
    a->p.token = NULL;
    a->flags = flags;
    a->fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    socklen_t len = ss.ss_family == AF_INET6 ? sizeof *s6 : sizeof *s4;
    if (a->fd < 0 || setsockopt(a->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
        (ss.ss_family == AF_INET6 &&
         setsockopt(a->fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one) != 0) ||
        bind(a->fd, (struct sockaddr *)&ss, len) != 0 || listen(a->fd, 32) != 0 ||
        getsockname(a->fd, (struct sockaddr *)&ss, &len) != 0) {
        snprintf(err, errlen, "control API: cannot listen on %s port %d (in use, or not allowed)",
                 addr, p->port);
        if (a->fd >= 0)
            close(a->fd);
        free(a->token);
        free(a);
        return SZ_ERR_IO;
    }
    a->port = ntohs(ss.ss_family == AF_INET6 ? s6->sin6_port : s4->sin_port);
    *out = a;
    return SZ_OK;
}

int api_serve(api_server *a, char *err, size_t errlen)
{
    if (!a || a->d || a->fd < 0) {
        snprintf(err, errlen, "control API: not bound, or already serving");
        return SZ_ERR_STATE;
    }
    a->d =
        MHD_start_daemon(a->flags, 0, NULL, NULL, api_handler, a, MHD_OPTION_LISTEN_SOCKET, a->fd,
                         MHD_OPTION_CONNECTION_LIMIT, (unsigned)a->p.max_connections,
                         MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)a->p.max_per_ip,
                         MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)API_IDLE_TIMEOUT_S,
                         MHD_OPTION_NOTIFY_COMPLETED,
                         api_done, a, MHD_OPTION_EXTERNAL_LOGGER, api_mhd_log, a, MHD_OPTION_END);
    a->fd = -1; /* the daemon closes it (it may have on failure too: never twice) */
    if (!a->d) {
        snprintf(err, errlen, "control API: cannot serve on %s port %d", a->host_addr, a->port);
        return SZ_ERR_IO;
    }
    SZ_LOGI("api", "control API on http://%s:%d%s", a->host_addr, a->port,
            a->token ? " (token)" : "");
    return SZ_OK;
}

int api_start(const api_params *p, host *h, api_server **out, char *err, size_t errlen)
{
    int rc = api_bind(p, h, out, err, errlen);
    if (rc == SZ_OK && (rc = api_serve(*out, err, errlen)) != SZ_OK)
        api_stop(out);
    return rc;
}

int api_port(const api_server *a)
{
    return a ? a->port : 0;
}

void api_stop(api_server **ap)
{
    if (!ap || !*ap)
        return;
    api_server *a = *ap;
    atomic_store(&a->stopping, 1);
    if (a->d)
        MHD_stop_daemon(a->d);
    else if (a->fd >= 0)
        close(a->fd);
    if (a->token) {
        memset(a->token, 0, strlen(a->token));
        free(a->token);
    }
    free(a);
    *ap = NULL;
}

#endif /* SHUZI_HAVE_MHD */
