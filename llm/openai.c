/* SPDX-License-Identifier: Apache-2.0 */
/* openai.c: the OpenAI-compatible streaming chat client (POST
 * /v1/chat/completions with "stream": true) on libcurl's multi interface, so
 * a cancel wakes the transfer at once. Timeouts for connect, first byte and
 * stalls; retries with jittered exponential backoff while nothing has been
 * spoken yet; HTTP errors and malformed streams become one clear message. */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "core/clock.h"
#include "core/http_client.h"
#include "core/log.h"
#include "llm/llm.h"
#include "llm/sse.h"

llm_openai_params llm_openai_default_params(void)
{
    llm_openai_params p;
    memset(&p, 0, sizeof p);
    p.connect_timeout_s = 5;
    p.first_byte_timeout_s = 30;
    p.idle_timeout_s = 20;
    p.total_timeout_s = 180;
    p.max_retries = 2;
    p.retry_base_s = 0.5;
    p.max_tokens = 0;
    p.temperature = -1;
    return p;
}

#ifndef SHUZI_HAVE_CURL

int llm_openai_create(const llm_openai_params *p, llm_backend **out, char *err, size_t errlen)
{
    (void)p;
    *out = NULL;
    snprintf(err, errlen,
             "the LLM client needs libcurl, which this shuzi was built without "
             "(install libcurl4-openssl-dev and rebuild)");
    return SZ_ERR_UNSUPPORTED;
}

#else

#define OPENAI_MAX_ERROR_BODY (16u << 10)
#define OPENAI_MAX_JSON_BODY (8u << 20)

typedef struct openai {
    llm_openai_params p;
    char url[1024];
    char model[256];
    char *api_key;
    http_conn net; /* the multi handle, the cancel flag */
} openai;

/* One HTTP attempt. */
typedef struct openai_xfer {
    openai *o;
    CURL *h;
    oai_stream stream;
    const llm_sink *sink;
    llm_chat_stats *stats;
    int64_t t_call;
    int64_t t_start; /* this attempt's */
    int64_t t_last_byte;
    int got_byte;
    long status;
    int mode; /* 0 undecided, 1 stream, 2 collect body (error or plain JSON) */
    char *body;
    size_t body_len, body_cap, body_limit;
    http_headers hdr;
    int delivered;
    int sink_stopped;
    int stream_rc;
} openai_xfer;

static int openai_sink_text(void *user, const char *text, size_t len)
{
    openai_xfer *x = user;
    if (len == 0)
        return 0;
    if (!x->delivered)
        x->stats->first_text_us = clock_now_us() - x->t_call;
    x->delivered = 1;
    x->stats->bytes_out += len;
    if (atomic_load(&x->o->net.cancel) || x->sink->on_text(x->sink->user, text, len)) {
        x->sink_stopped = 1;
        return 1;
    }
    return 0;
}

static size_t openai_on_header(char *buf, size_t size, size_t n, void *user)
{
    openai_xfer *x = user;
    http_headers_feed(&x->hdr, buf, size * n);
    return size * n;
}

static size_t openai_on_write(char *buf, size_t size, size_t n, void *user)
{
    openai_xfer *x = user;
    size_t len = size * n;
    x->t_last_byte = clock_now_us();
    x->got_byte = 1;
    if (x->mode == 0) {
        curl_easy_getinfo(x->h, CURLINFO_RESPONSE_CODE, &x->status);
        int json = strncasecmp(x->hdr.content_type, "application/json", 16) == 0;
        if (x->status >= 300 || (json && x->status < 300)) {
            x->mode = 2;
            x->body_limit = x->status >= 300 ? OPENAI_MAX_ERROR_BODY : OPENAI_MAX_JSON_BODY;
        } else {
            x->mode = 1;
        }
    }
    if (x->mode == 2) {
        size_t room = x->body_limit - x->body_len;
        size_t take = len < room ? len : room;
        if (http_buf_append(&x->body, &x->body_len, &x->body_cap, buf, take))
            return 0;
        if (take < len && x->status < 300) {
            x->stream_rc = SZ_ERR_FORMAT;
            snprintf(x->stream.err, sizeof x->stream.err, "the answer is larger than %u bytes",
                     OPENAI_MAX_JSON_BODY);
            return 0;
        }
        return len;
    }
    int rc = oai_stream_feed(&x->stream, buf, len);
    if (rc != SZ_OK) {
        x->stream_rc = rc;
        return 0; /* aborts the transfer */
    }
    return len;
}

static const char *openai_status_hint(long status)
{
    if (status == 401 || status == 403)
        return " (check the API key and the environment variable it comes from)";
    return http_status_hint(status);
}

static char *openai_request_body(openai *o, const llm_message *msgs, size_t n)
{
    cJSON *root = cJSON_CreateObject();
    cJSON *arr = root ? cJSON_AddArrayToObject(root, "messages") : NULL;
    if (!arr)
        goto fail;
    if (o->model[0] && !cJSON_AddStringToObject(root, "model", o->model))
        goto fail;
    if (!cJSON_AddTrueToObject(root, "stream"))
        goto fail;
    if (o->p.max_tokens > 0 && !cJSON_AddNumberToObject(root, "max_tokens", o->p.max_tokens))
        goto fail;
    if (o->p.temperature >= 0 && !cJSON_AddNumberToObject(root, "temperature", o->p.temperature))
        goto fail;
    for (size_t i = 0; i < n; i++) {
        cJSON *m = cJSON_CreateObject();
        if (!m || !cJSON_AddItemToArray(arr, m))
            goto fail;
        if (!cJSON_AddStringToObject(m, "role", llm_role_name(msgs[i].role)) ||
            !cJSON_AddStringToObject(m, "content", msgs[i].content ? msgs[i].content : ""))
            goto fail;
    }
    char *txt = cJSON_PrintUnformatted(root);
    cJSON_Delete(root);
    return txt;
fail:
    cJSON_Delete(root);
    return NULL;
}

/* Why openai_stop ends a transfer (see http_conn_run). */
enum { OPENAI_SINK_STOPPED = 1, OPENAI_NO_FIRST_BYTE, OPENAI_STALLED };

static int openai_stop(void *user)
{
    openai_xfer *x = user;
    if (x->sink_stopped)
        return OPENAI_SINK_STOPPED;
    int64_t now = clock_now_us();
    if (!x->got_byte && now - x->t_start > (int64_t)(x->o->p.first_byte_timeout_s * 1e6))
        return OPENAI_NO_FIRST_BYTE;
    if (x->got_byte && now - x->t_last_byte > (int64_t)(x->o->p.idle_timeout_s * 1e6))
        return OPENAI_STALLED;
    return 0;
}

/* One attempt. Returns an sz_result; *retry says whether another attempt may
 * fix it (only while nothing was delivered). */
static int openai_attempt(openai *o, struct curl_slist *headers, const char *body,
                          const llm_sink *sink, llm_chat_stats *stats, int64_t t_call, int *retry,
                          double *retry_after, char *err, size_t errlen)
{
    openai_xfer x;
    memset(&x, 0, sizeof x);
    x.o = o;
    x.sink = sink;
    x.stats = stats;
    x.t_call = t_call;
    http_headers_reset(&x.hdr);
    oai_stream_init(&x.stream, openai_sink_text, &x);
    *retry = 0;
    *retry_after = -1;
    int rc = SZ_OK;
    x.h = curl_easy_init();
    if (!x.h) {
        snprintf(err, errlen, "LLM: cannot create a curl handle");
        oai_stream_free(&x.stream);
        return SZ_ERR_NO_MEMORY;
    }
    CURL *h = x.h;
    curl_easy_setopt(h, CURLOPT_URL, o->url);
    curl_easy_setopt(h, CURLOPT_POST, 1L);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, openai_on_write);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &x);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, openai_on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, &x);
    http_easy_defaults(h, o->p.connect_timeout_s);
    curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_multi_add_handle(o->net.multi, h);

    x.t_start = clock_now_us();
    CURLcode result;
    CURLMcode mc;
    int end = http_conn_run(&o->net, x.t_start + (int64_t)(o->p.total_timeout_s * 1e6), openai_stop,
                            &x, &result, &mc);
    int done = end == HTTP_RUN_DONE;
    switch (end) {
    case HTTP_RUN_DONE: break;
    case HTTP_RUN_MULTI_ERROR:
        snprintf(err, errlen, "LLM %s: %s", o->url, curl_multi_strerror(mc));
        rc = SZ_ERR_IO;
        break;
    case HTTP_RUN_CANCELLED:
    case OPENAI_SINK_STOPPED:
        rc = SZ_ERR_CANCELLED;
        snprintf(err, errlen, "LLM request cancelled");
        break;
    case OPENAI_NO_FIRST_BYTE:
        snprintf(err, errlen, "LLM %s: no answer within %.1f s", o->url, o->p.first_byte_timeout_s);
        rc = SZ_ERR_TIMEOUT;
        *retry = 1;
        break;
    case OPENAI_STALLED:
        snprintf(err, errlen, "LLM %s: the stream stalled (nothing for %.1f s)", o->url,
                 o->p.idle_timeout_s);
        rc = SZ_ERR_TIMEOUT;
        *retry = !x.delivered;
        break;
    default: /* HTTP_RUN_DEADLINE */
        snprintf(err, errlen, "LLM %s: the answer took longer than %.1f s", o->url,
                 o->p.total_timeout_s);
        rc = SZ_ERR_TIMEOUT;
        break;
    }
    if (done) {
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &x.status);
        stats->http_status = (int)x.status;
        if (x.sink_stopped || (x.stream_rc == SZ_ERR_CANCELLED)) {
            rc = SZ_ERR_CANCELLED;
            snprintf(err, errlen, "LLM request cancelled");
        } else if (x.stream_rc != SZ_OK) {
            rc = x.stream_rc;
            snprintf(err, errlen, "LLM %s: %s", o->url, x.stream.err);
            *retry = !x.delivered && x.stream.server_error;
        } else if (result != CURLE_OK && x.mode == 1 &&
                   (result == CURLE_PARTIAL_FILE || result == CURLE_RECV_ERROR)) {
            /* the connection broke inside the stream: complete if [DONE] came */
            rc = oai_stream_end(&x.stream);
            snprintf(stats->finish_reason, sizeof stats->finish_reason, "%s",
                     x.stream.finish_reason);
            if (rc != SZ_OK) {
                snprintf(err, errlen, "LLM %s: %s (%s)", o->url, x.stream.err,
                         curl_easy_strerror(result));
                *retry = !x.delivered;
            }
        } else if (result != CURLE_OK) {
            rc = result == CURLE_OPERATION_TIMEDOUT ? SZ_ERR_TIMEOUT : SZ_ERR_IO;
            snprintf(err, errlen, "LLM %s: %s", o->url, curl_easy_strerror(result));
            *retry = !x.delivered;
        } else if (x.status >= 300 || x.status < 200) {
            char msg[384];
            oai_error_message(x.body ? x.body : "", x.body_len, msg, sizeof msg);
            snprintf(err, errlen, "LLM %s: HTTP %ld: %s%s", o->url, x.status, msg,
                     openai_status_hint(x.status));
            rc = http_status_error(x.status, 1);
            *retry = http_status_retryable(x.status, 1);
            *retry_after = x.hdr.retry_after_s;
        } else if (x.mode == 2) {
            char why[384] = "";
            rc = oai_parse_completion(x.body, x.body_len, openai_sink_text, &x, why, sizeof why);
            if (rc == SZ_ERR_CANCELLED || x.sink_stopped)
                snprintf(err, errlen, "LLM request cancelled");
            else if (rc != SZ_OK)
                snprintf(err, errlen, "LLM %s: %s", o->url, why);
            else
                snprintf(stats->finish_reason, sizeof stats->finish_reason, "stop");
        } else {
            rc = oai_stream_end(&x.stream);
            snprintf(stats->finish_reason, sizeof stats->finish_reason, "%s",
                     x.stream.finish_reason);
            if (rc == SZ_ERR_CANCELLED) {
                snprintf(err, errlen, "LLM request cancelled");
            } else if (rc != SZ_OK) {
                snprintf(err, errlen, "LLM %s: %s", o->url, x.stream.err);
                *retry = !x.delivered;
            }
        }
    }
    curl_multi_remove_handle(o->net.multi, h);
    curl_easy_cleanup(h);
    oai_stream_free(&x.stream);
    free(x.body);
    if (x.delivered)
        *retry = 0; /* never repeat words already spoken */
    return rc;
}

static int openai_chat(void *state, const llm_message *msgs, size_t n, const llm_sink *sink,
                       llm_chat_stats *stats, char *err, size_t errlen)
{
    openai *o = state;
    int64_t t_call = clock_now_us();
    atomic_store(&o->net.cancel, 0);
    char *body = openai_request_body(o, msgs, n);
    if (!body) {
        snprintf(err, errlen, "LLM: out of memory building the request");
        return SZ_ERR_NO_MEMORY;
    }
    const char *hv[] = {"Content-Type: application/json", "Accept: text/event-stream", "Expect:"};
    struct curl_slist *headers;
    if (http_header_list(hv, sizeof hv / sizeof hv[0], o->api_key, &headers) != SZ_OK) {
        free(body);
        snprintf(err, errlen, "LLM: out of memory");
        return SZ_ERR_NO_MEMORY;
    }
    int rc = SZ_OK;
    for (int attempt = 0;; attempt++) {
        int retry = 0;
        double retry_after = -1;
        stats->attempts = attempt + 1;
        rc = openai_attempt(o, headers, body, sink, stats, t_call, &retry, &retry_after, err,
                            errlen);
        if (rc == SZ_OK || rc == SZ_ERR_CANCELLED || !retry || attempt >= o->p.max_retries)
            break;
        if (http_conn_retry_pause(&o->net, "llm", err, o->p.retry_base_s, attempt, o->p.max_retries,
                                  retry_after)) {
            rc = SZ_ERR_CANCELLED;
            snprintf(err, errlen, "LLM request cancelled");
            break;
        }
    }
    if (rc != SZ_OK && rc != SZ_ERR_CANCELLED && stats->attempts > 1) {
        size_t l = strlen(err);
        snprintf(err + l, errlen > l ? errlen - l : 0, " (after %d attempts)", stats->attempts);
    }
    curl_slist_free_all(headers);
    free(body);
    stats->total_us = clock_now_us() - t_call;
    return rc;
}

static void openai_cancel(void *state)
{
    openai *o = state;
    http_conn_cancel(&o->net);
}

static void openai_destroy(void *state)
{
    openai *o = state;
    if (!o)
        return;
    http_conn_close(&o->net);
    http_secret_free(o->api_key);
    free(o);
}

static const llm_kind openai_kind = {
    .name = "openai",
    .chat = openai_chat,
    .cancel = openai_cancel,
    .destroy = openai_destroy,
};

/* base "http://h:p" -> ".../v1/chat/completions"; "http://h:p/v1" ->
 * ".../v1/chat/completions"; a full ".../chat/completions" is kept. */
static int openai_build_url(const char *base, char *out, size_t cap, char *err, size_t errlen)
{
    const char *why = "";
    int rc = http_url_join(base, "/chat/completions", out, cap, &why);
    if (rc != SZ_OK && strcmp(why, "too long") == 0)
        snprintf(err, errlen, "LLM URL too long");
    else if (rc != SZ_OK)
        snprintf(err, errlen, "LLM URL '%s': %s", base, why);
    return rc;
}

int llm_openai_create(const llm_openai_params *p, llm_backend **out, char *err, size_t errlen)
{
    *out = NULL;
    if (!p || !p->base_url || !*p->base_url) {
        snprintf(err, errlen, "LLM: no base URL");
        return SZ_ERR_INVALID_ARG;
    }
    if (!(p->connect_timeout_s > 0 && p->connect_timeout_s <= 600) ||
        !(p->first_byte_timeout_s > 0 && p->first_byte_timeout_s <= 3600) ||
        !(p->idle_timeout_s > 0 && p->idle_timeout_s <= 3600) ||
        !(p->total_timeout_s > 0 && p->total_timeout_s <= 36000)) {
        snprintf(err, errlen, "LLM: timeouts must be positive (and at most an hour)");
        return SZ_ERR_INVALID_ARG;
    }
    if (p->max_retries < 0 || p->max_retries > 10 || !(p->retry_base_s >= 0) ||
        p->retry_base_s > 60) {
        snprintf(err, errlen, "LLM: retries must be 0 to 10 and the backoff 0 to 60 s");
        return SZ_ERR_INVALID_ARG;
    }
    if (p->max_tokens < 0 || p->temperature > 2) {
        snprintf(err, errlen, "LLM: max_tokens must be >= 0 and temperature at most 2");
        return SZ_ERR_INVALID_ARG;
    }
    if (p->model && strlen(p->model) >= sizeof(((openai *)0)->model)) {
        snprintf(err, errlen, "LLM: model name too long");
        return SZ_ERR_INVALID_ARG;
    }
    if (p->api_key && (strlen(p->api_key) > 1000 || strpbrk(p->api_key, "\r\n"))) {
        snprintf(err, errlen, "LLM: the API key is longer than 1000 bytes or has a line break");
        return SZ_ERR_INVALID_ARG;
    }
    if (!http_global_init()) {
        snprintf(err, errlen, "LLM: libcurl failed to initialize");
        return SZ_ERR_INTERNAL;
    }
    openai *o = calloc(1, sizeof *o);
    if (!o) {
        snprintf(err, errlen, "out of memory");
        return SZ_ERR_NO_MEMORY;
    }
    o->p = *p;
    int rc = openai_build_url(p->base_url, o->url, sizeof o->url, err, errlen);
    if (rc != SZ_OK)
        goto fail;
    snprintf(o->model, sizeof o->model, "%s", p->model ? p->model : "");
    if (p->api_key && *p->api_key && !(o->api_key = strdup(p->api_key))) {
        rc = SZ_ERR_NO_MEMORY;
        goto fail;
    }
    if (!http_conn_open(&o->net)) {
        snprintf(err, errlen, "LLM: cannot create a curl multi handle");
        rc = SZ_ERR_NO_MEMORY;
        goto fail;
    }
    o->p.base_url = NULL; /* the caller's strings are not kept */
    o->p.model = NULL;
    o->p.api_key = NULL;
    return llm_backend_wrap(&openai_kind, o, out);
fail:
    openai_destroy(o);
    return rc;
}

#endif /* SHUZI_HAVE_CURL */
