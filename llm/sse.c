/* SPDX-License-Identifier: Apache-2.0 */
/* sse.c: the server-sent-events decoder (lines, fields, events) and the
 * OpenAI chat-completions stream read through it. Every malformed input is
 * answered with a message naming the event and what was expected. */
#include "llm/sse.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "core/utf8.h"
#include "shuzi.h"

void sse_init(sse_decoder *d, sse_event_fn fn, void *user)
{
    memset(d, 0, sizeof *d);
    d->on_event = fn;
    d->user = user;
}

void sse_free(sse_decoder *d)
{
    free(d->line);
    free(d->data);
    d->line = d->data = NULL;
    d->line_cap = d->data_cap = 0;
}

static int sse_grow(char **buf, size_t *cap, size_t need)
{
    if (need <= *cap)
        return 0;
    size_t c = *cap ? *cap : 256;
    while (c < need)
        c *= 2;
    char *b = realloc(*buf, c);
    if (!b)
        return -1;
    *buf = b;
    *cap = c;
    return 0;
}

static int sse_dispatch(sse_decoder *d)
{
    if (!d->has_data) { /* no data field: the spec drops the event */
        d->event[0] = 0;
        return 0;
    }
    if (sse_grow(&d->data, &d->data_cap, d->data_len + 1)) {
        snprintf(d->err, sizeof d->err, "out of memory");
        return -1;
    }
    d->data[d->data_len] = 0;
    d->n_events++;
    sse_event ev = {.event = d->event, .data = d->data, .data_len = d->data_len, .id = d->id};
    int rc = d->on_event ? d->on_event(d->user, &ev) : 0;
    d->data_len = 0;
    d->has_data = 0;
    d->event[0] = 0;
    return rc;
}

/* One complete line (without its end). */
static int sse_line(sse_decoder *d, const char *line, size_t n)
{
    d->line_no++;
    if (n == 0)
        return sse_dispatch(d);
    if (line[0] == ':')
        return 0; /* a comment (keep-alive) */
    const char *colon = memchr(line, ':', n);
    size_t flen = colon ? (size_t)(colon - line) : n;
    const char *val = colon ? colon + 1 : line + n;
    size_t vlen = colon ? n - flen - 1 : 0;
    if (vlen > 0 && val[0] == ' ')
        val++, vlen--;
    if (flen == 4 && memcmp(line, "data", 4) == 0) {
        size_t need = d->data_len + (d->has_data ? 1 : 0) + vlen + 1;
        if (need > SSE_MAX_EVENT) {
            snprintf(d->err, sizeof d->err, "line %lld: event data longer than %u bytes",
                     (long long)d->line_no, SSE_MAX_EVENT);
            return -1;
        }
        if (sse_grow(&d->data, &d->data_cap, need)) {
            snprintf(d->err, sizeof d->err, "out of memory");
            return -1;
        }
        if (d->has_data)
            d->data[d->data_len++] = '\n';
        memcpy(d->data + d->data_len, val, vlen);
        d->data_len += vlen;
        d->has_data = 1;
    } else if (flen == 5 && memcmp(line, "event", 5) == 0) {
        size_t k = vlen < sizeof d->event - 1 ? vlen : sizeof d->event - 1;
        memcpy(d->event, val, k);
        d->event[k] = 0;
    } else if (flen == 2 && memcmp(line, "id", 2) == 0) {
        if (!memchr(val, 0, vlen)) {
            size_t k = vlen < sizeof d->id - 1 ? vlen : sizeof d->id - 1;
            memcpy(d->id, val, k);
            d->id[k] = 0;
        }
    }
    /* "retry" and unknown fields are ignored, as the format says. */
    return 0;
}

int sse_feed(sse_decoder *d, const char *bytes, size_t n)
{
    size_t i = 0;
    if (!d->bom_checked && n > 0) {
        /* A UTF-8 byte order mark may open the stream. */
        static const unsigned char bom[3] = {0xEF, 0xBB, 0xBF};
        size_t have = d->line_len;
        while (have < 3 && i < n && (unsigned char)bytes[i] == bom[have]) {
            if (sse_grow(&d->line, &d->line_cap, have + 1))
                return -1;
            d->line[have++] = bytes[i++];
        }
        if (have == 3) {
            d->line_len = 0;
            d->bom_checked = 1;
        } else if (i < n || have == 0) {
            d->bom_checked = 1; /* not a BOM: what was kept is line text */
            d->line_len = have;
        } else {
            d->line_len = have; /* still a possible BOM prefix */
            return 0;
        }
    }
    for (; i < n; i++) {
        char c = bytes[i];
        if (c == '\n' && d->last_cr) {
            d->last_cr = 0;
            continue;
        }
        d->last_cr = c == '\r';
        if (c == '\n' || c == '\r') {
            int rc = sse_line(d, d->line, d->line_len);
            d->line_len = 0;
            if (rc)
                return rc;
            continue;
        }
        if (d->line_len + 1 > SSE_MAX_LINE) {
            snprintf(d->err, sizeof d->err, "line %lld: longer than %u bytes",
                     (long long)d->line_no + 1, SSE_MAX_LINE);
            return -1;
        }
        if (sse_grow(&d->line, &d->line_cap, d->line_len + 1)) {
            snprintf(d->err, sizeof d->err, "out of memory");
            return -1;
        }
        d->line[d->line_len++] = c;
    }
    return 0;
}

int sse_end(sse_decoder *d)
{
    if (d->line_len > 0) {
        int rc = sse_line(d, d->line, d->line_len);
        d->line_len = 0;
        if (rc)
            return rc;
    }
    return d->has_data ? sse_dispatch(d) : 0;
}

/* ---- OpenAI chunks --------------------------------------------------- */

/* A printable, one-line excerpt of outside data for messages; stops before
 * bytes that are not valid UTF-8 and marks a cut with "...". */
static void sse_excerpt(const char *s, size_t n, char *out, size_t cap)
{
    if (cap < 8) {
        if (cap)
            out[0] = 0;
        return;
    }
    size_t k = n < cap - 4 ? n : cap - 4, bad = 0;
    if (!utf8_valid(s, k, &bad))
        k = bad;
    for (size_t i = 0; i < k; i++) {
        unsigned char c = (unsigned char)s[i];
        out[i] = c < 0x20 || c == 0x7f ? ' ' : (char)c;
    }
    if (k < n) {
        memcpy(out + k, "...", 3);
        k += 3;
    }
    out[k] = 0;
}

/* Delivers content, dropping bytes that are not valid UTF-8. */
static int sse_deliver(oai_text_fn fn, void *user, const char *s, size_t n)
{
    size_t bad;
    if (utf8_valid(s, n, &bad))
        return n ? fn(user, s, n) : 0;
    while (n > 0) {
        if (utf8_valid(s, n, &bad))
            return fn(user, s, n);
        if (bad > 0) {
            int rc = fn(user, s, bad);
            if (rc)
                return rc;
        }
        s += bad + 1;
        n -= bad + 1;
    }
    return 0;
}

static void sse_server_error(const cJSON *e, char *out, size_t cap)
{
    const cJSON *msg = cJSON_IsObject(e) ? cJSON_GetObjectItemCaseSensitive(e, "message") : e;
    if (cJSON_IsString(msg) && msg->valuestring[0]) {
        sse_excerpt(msg->valuestring, strlen(msg->valuestring), out, cap);
        return;
    }
    char *txt = cJSON_PrintUnformatted(e);
    if (txt) {
        sse_excerpt(txt, strlen(txt), out, cap);
        cJSON_free(txt);
    } else {
        snprintf(out, cap, "(unreadable error object)");
    }
}

static int sse_oai_event(void *user, const sse_event *ev)
{
    oai_stream *s = user;
    if (s->done)
        return 0;
    long long k = (long long)s->sse.n_events;
    if (ev->data_len == 6 && memcmp(ev->data, "[DONE]", 6) == 0) {
        s->done = 1;
        return 0;
    }
    cJSON *root = cJSON_ParseWithLength(ev->data, ev->data_len);
    char ex[96];
    if (!root) {
        sse_excerpt(ev->data, ev->data_len, ex, sizeof ex);
        snprintf(s->err, sizeof s->err, "malformed stream: event %lld: data is not JSON: '%s'", k,
                 ex);
        s->failed = 1;
        return -1;
    }
    int rc = 0;
    const cJSON *error = cJSON_GetObjectItemCaseSensitive(root, "error");
    if (strcmp(ev->event, "error") == 0 || (error && !cJSON_IsNull(error))) {
        char msg[384];
        sse_server_error(error ? error : root, msg, sizeof msg);
        snprintf(s->err, sizeof s->err, "the server reported an error in the stream: %s", msg);
        s->failed = s->server_error = 1;
        rc = -1;
        goto done;
    }
    if (!cJSON_IsObject(root)) {
        snprintf(s->err, sizeof s->err, "malformed stream: event %lld: expected a JSON object", k);
        s->failed = 1;
        rc = -1;
        goto done;
    }
    s->chunks++;
    const cJSON *choices = cJSON_GetObjectItemCaseSensitive(root, "choices");
    if (!choices || cJSON_IsNull(choices))
        goto done; /* e.g. a usage-only chunk */
    if (!cJSON_IsArray(choices)) {
        snprintf(s->err, sizeof s->err, "malformed stream: event %lld: choices: expected an array",
                 k);
        s->failed = 1;
        rc = -1;
        goto done;
    }
    const cJSON *c0 = cJSON_GetArrayItem(choices, 0);
    if (!c0)
        goto done;
    if (!cJSON_IsObject(c0)) {
        snprintf(s->err, sizeof s->err,
                 "malformed stream: event %lld: choices[0]: expected an object", k);
        s->failed = 1;
        rc = -1;
        goto done;
    }
    const cJSON *fr = cJSON_GetObjectItemCaseSensitive(c0, "finish_reason");
    if (cJSON_IsString(fr))
        snprintf(s->finish_reason, sizeof s->finish_reason, "%s", fr->valuestring);
    const cJSON *delta = cJSON_GetObjectItemCaseSensitive(c0, "delta");
    if (!delta || cJSON_IsNull(delta))
        goto done;
    if (!cJSON_IsObject(delta)) {
        snprintf(s->err, sizeof s->err,
                 "malformed stream: event %lld: choices[0].delta: expected an object", k);
        s->failed = 1;
        rc = -1;
        goto done;
    }
    const cJSON *content = cJSON_GetObjectItemCaseSensitive(delta, "content");
    if (!content || cJSON_IsNull(content))
        goto done; /* role-only or reasoning chunks carry no speech */
    if (!cJSON_IsString(content)) {
        snprintf(s->err, sizeof s->err,
                 "malformed stream: event %lld: choices[0].delta.content: expected a string", k);
        s->failed = 1;
        rc = -1;
        goto done;
    }
    if (sse_deliver(s->on_text, s->user, content->valuestring, strlen(content->valuestring))) {
        s->stopped = 1;
        rc = 1;
    }
done:
    cJSON_Delete(root);
    return rc;
}

void oai_stream_init(oai_stream *s, oai_text_fn fn, void *user)
{
    memset(s, 0, sizeof *s);
    s->on_text = fn;
    s->user = user;
    sse_init(&s->sse, sse_oai_event, s);
}

void oai_stream_free(oai_stream *s)
{
    sse_free(&s->sse);
}

static int sse_oai_result(oai_stream *s, int rc)
{
    if (rc == 0)
        return SZ_OK;
    if (s->stopped)
        return SZ_ERR_CANCELLED;
    if (!s->failed) /* the decoder itself failed */
        snprintf(s->err, sizeof s->err, "malformed stream: %s", s->sse.err);
    s->failed = 1;
    return SZ_ERR_FORMAT;
}

int oai_stream_feed(oai_stream *s, const char *bytes, size_t n)
{
    if (s->failed)
        return SZ_ERR_FORMAT;
    if (s->stopped)
        return SZ_ERR_CANCELLED;
    if (s->done)
        return SZ_OK;
    return sse_oai_result(s, sse_feed(&s->sse, bytes, n));
}

int oai_stream_end(oai_stream *s)
{
    if (s->failed)
        return SZ_ERR_FORMAT;
    if (s->stopped)
        return SZ_ERR_CANCELLED;
    if (!s->done) {
        int rc = sse_oai_result(s, sse_end(&s->sse));
        if (rc != SZ_OK)
            return rc;
    }
    if (s->done || s->finish_reason[0])
        return SZ_OK;
    if (s->chunks == 0)
        snprintf(s->err, sizeof s->err, "the stream ended without any event (empty answer)");
    else
        snprintf(s->err, sizeof s->err,
                 "the stream was cut off after %lld chunks (no finish_reason and no [DONE])",
                 (long long)s->chunks);
    return SZ_ERR_IO;
}

int oai_parse_completion(const char *json, size_t len, oai_text_fn fn, void *user, char *err,
                         size_t errlen)
{
    cJSON *root = cJSON_ParseWithLength(json, len);
    char ex[96];
    if (!root) {
        sse_excerpt(json, len, ex, sizeof ex);
        snprintf(err, errlen, "malformed answer: not JSON: '%s'", ex);
        return SZ_ERR_FORMAT;
    }
    int rc = SZ_ERR_FORMAT;
    const cJSON *error = cJSON_GetObjectItemCaseSensitive(root, "error");
    if (error && !cJSON_IsNull(error)) {
        char msg[384];
        sse_server_error(error, msg, sizeof msg);
        snprintf(err, errlen, "the server reported an error: %s", msg);
        goto done;
    }
    const cJSON *c0 = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(root, "choices"), 0);
    const cJSON *msg = cJSON_GetObjectItemCaseSensitive(c0, "message");
    const cJSON *content = cJSON_GetObjectItemCaseSensitive(msg, "content");
    if (!cJSON_IsString(content)) {
        snprintf(err, errlen, "malformed answer: choices[0].message.content: expected a string");
        goto done;
    }
    rc = sse_deliver(fn, user, content->valuestring, strlen(content->valuestring))
             ? SZ_ERR_CANCELLED
             : SZ_OK;
done:
    cJSON_Delete(root);
    return rc;
}

void oai_error_message(const char *body, size_t len, char *out, size_t cap)
{
    out[0] = 0;
    cJSON *root = len ? cJSON_ParseWithLength(body, len) : NULL;
    if (root) {
        const cJSON *e = cJSON_GetObjectItemCaseSensitive(root, "error");
        if (!e)
            e = cJSON_GetObjectItemCaseSensitive(root, "message");
        if (e && !cJSON_IsNull(e))
            sse_server_error(e, out, cap);
        cJSON_Delete(root);
    }
    if (!out[0]) {
        size_t n = len;
        while (n > 0 && (body[n - 1] == '\n' || body[n - 1] == '\r' || body[n - 1] == ' '))
            n--;
        if (n == 0)
            snprintf(out, cap, "(empty body)");
        else
            sse_excerpt(body, n > 200 ? 200 : n, out, cap);
    }
}
