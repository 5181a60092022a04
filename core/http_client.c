/* SPDX-License-Identifier: Apache-2.0 */
/* http_client.c: the pieces the HTTP clients share - endpoint URLs, response
 * headers, status mapping, jittered backoff, and (with libcurl) a multi
 * handle whose transfers and waits a cancel wakes. See http_client.h. */
#include "core/http_client.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/clock.h"
#include "core/log.h"
#include "shuzi.h"

/* ---- URLs ---------------------------------------------------------------- */

int http_url_join(const char *base, const char *suffix, char *out, size_t cap, const char **why)
{
    size_t n = strlen(base);
    while (n > 0 && base[n - 1] == '/')
        n--;
    if (strncasecmp(base, "http://", 7) != 0 && strncasecmp(base, "https://", 8) != 0) {
        *why = "expected http:// or https://";
        return SZ_ERR_INVALID_ARG;
    }
    const char *host = strstr(base, "://") + 3;
    if ((size_t)(host - base) >= n || *host == '/') {
        *why = "no host";
        return SZ_ERR_INVALID_ARG;
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)base[i];
        if (c <= ' ' || c == 0x7f) {
            *why = "contains spaces or control characters";
            return SZ_ERR_INVALID_ARG;
        }
    }
    const char *path = memchr(host, '/', n - (size_t)(host - base));
    size_t sl = strlen(suffix);
    int w;
    if (n >= sl && strncmp(base + n - sl, suffix, sl) == 0)
        w = snprintf(out, cap, "%.*s", (int)n, base);
    else if (!path)
        w = snprintf(out, cap, "%.*s/v1%s", (int)n, base, suffix);
    else
        w = snprintf(out, cap, "%.*s%s", (int)n, base, suffix);
    if (w < 0 || (size_t)w >= cap) {
        *why = "too long";
        return SZ_ERR_INVALID_ARG;
    }
    return SZ_OK;
}

void http_url_redact(const char *url, char *out, size_t cap)
{
    /* scheme://[userinfo@]host... without the userinfo */
    const char *h = strstr(url, "://");
    h = h ? h + 3 : url;
    const char *slash = strchr(h, '/');
    const char *at = memrchr(h, '@', slash ? (size_t)(slash - h) : strlen(h));
    if (at)
        snprintf(out, cap, "%.*s%s", (int)(h - url), url, at + 1);
    else
        snprintf(out, cap, "%s", url);
}

/* ---- response headers ---------------------------------------------------- */

void http_headers_reset(http_headers *h)
{
    h->retry_after_s = -1;
    h->content_type[0] = 0;
}

void http_headers_feed(http_headers *h, const char *buf, size_t len)
{
    if (len >= 5 && strncmp(buf, "HTTP/", 5) == 0) {
        http_headers_reset(h);
        return;
    }
    const char *colon = memchr(buf, ':', len);
    if (!colon)
        return;
    size_t klen = (size_t)(colon - buf);
    const char *v = colon + 1;
    size_t vlen = len - klen - 1;
    while (vlen > 0 && (*v == ' ' || *v == '\t'))
        v++, vlen--;
    while (vlen > 0 && (v[vlen - 1] == '\r' || v[vlen - 1] == '\n' || v[vlen - 1] == ' ' ||
                        v[vlen - 1] == '\t'))
        vlen--;
    if (klen == 12 && strncasecmp(buf, "content-type", 12) == 0) {
        size_t k = vlen < sizeof h->content_type - 1 ? vlen : sizeof h->content_type - 1;
        memcpy(h->content_type, v, k);
        h->content_type[k] = 0;
    } else if (klen == 11 && strncasecmp(buf, "retry-after", 11) == 0) {
        char tmp[32];
        size_t k = vlen < sizeof tmp - 1 ? vlen : sizeof tmp - 1;
        memcpy(tmp, v, k);
        tmp[k] = 0;
        char *end;
        double s = strtod(tmp, &end);
        if (end != tmp && *end == 0 && s >= 0)
            h->retry_after_s = s; /* an HTTP date is ignored: the backoff applies */
    }
}

/* ---- response bodies and secrets ---------------------------------------- */

int http_buf_append(char **buf, size_t *len, size_t *cap, const char *data, size_t n)
{
    if (*len + n + 1 > *cap) {
        size_t c = *cap ? *cap : 4096;
        while (c < *len + n + 1)
            c *= 2;
        char *b = realloc(*buf, c);
        if (!b)
            return -1;
        *buf = b;
        *cap = c;
    }
    memcpy(*buf + *len, data, n);
    *len += n;
    (*buf)[*len] = 0;
    return 0;
}

void http_secret_free(char *secret)
{
    if (!secret)
        return;
    memset(secret, 0, strlen(secret));
    free(secret);
}

/* ---- statuses and retries ------------------------------------------------ */

int http_status_error(long status, int strict)
{
    if (status == 404)
        return SZ_ERR_NOT_FOUND;
    if (strict ? status == 400 || status == 401 || status == 403 || status == 422
               : status >= 400 && status < 500 && status != 408 && status != 429)
        return SZ_ERR_INVALID_ARG;
    return SZ_ERR_IO;
}

int http_status_retryable(long status, int strict)
{
    if (status == 408 || status == 429)
        return 1;
    if (strict)
        return status == 425 || status == 500 || status == 502 || status == 503 || status == 504;
    return status >= 500;
}

const char *http_status_hint(long status)
{
    switch (status) {
    case 401:
    case 403: return " (check the API key)";
    case 404: return " (check the base URL and the model name)";
    case 429: return " (rate limited)";
    default: return "";
    }
}

uint64_t http_rng_seed(void)
{
    return (uint64_t)clock_now_us() | 1;
}

double http_backoff_s(double base_s, int attempt, uint64_t *rng, double retry_after_s)
{
    *rng ^= *rng << 13; /* xorshift64 */
    *rng ^= *rng >> 7;
    *rng ^= *rng << 17;
    double wait = base_s * (double)(1 << (attempt < 16 ? attempt : 16));
    wait *= 0.5 + (double)(*rng >> 11) / 9007199254740992.0;
    if (wait > HTTP_MAX_BACKOFF_S)
        wait = HTTP_MAX_BACKOFF_S;
    if (retry_after_s >= 0)
        wait = retry_after_s < HTTP_MAX_RETRY_AFTER_S ? retry_after_s : HTTP_MAX_RETRY_AFTER_S;
    return wait;
}

#ifdef SHUZI_HAVE_CURL

#include <pthread.h>

static pthread_once_t http_once = PTHREAD_ONCE_INIT;
static int http_curl_ok;

static void http_global_init_once(void)
{
    http_curl_ok = curl_global_init(CURL_GLOBAL_ALL) == 0;
}

int http_global_init(void)
{
    pthread_once(&http_once, http_global_init_once);
    return http_curl_ok;
}

int http_conn_open(http_conn *c)
{
    atomic_store(&c->cancel, 0);
    c->rng = http_rng_seed();
    c->multi = curl_multi_init();
    return c->multi != NULL;
}

void http_conn_close(http_conn *c)
{
    if (c->multi)
        curl_multi_cleanup(c->multi);
    c->multi = NULL;
}

void http_conn_cancel(http_conn *c)
{
    atomic_store(&c->cancel, 1);
    curl_multi_wakeup(c->multi);
}

int http_conn_pause(http_conn *c, double seconds)
{
    int64_t until = clock_now_us() + (int64_t)(seconds * 1e6);
    for (;;) {
        if (atomic_load(&c->cancel))
            return 1;
        int64_t left = until - clock_now_us();
        if (left <= 0)
            return 0;
        int ms = left / 1000 > HTTP_POLL_MS ? HTTP_POLL_MS : (int)(left / 1000) + 1;
        curl_multi_poll(c->multi, NULL, 0, ms, NULL);
    }
}

int http_conn_retry_pause(http_conn *c, const char *tag, const char *why, double base_s,
                          int attempt, int max_retries, double retry_after_s)
{
    double wait = http_backoff_s(base_s, attempt, &c->rng, retry_after_s);
    SZ_LOGW(tag, "%s; retrying in %.2f s (attempt %d of %d)", why, wait, attempt + 2,
            max_retries + 1);
    return http_conn_pause(c, wait);
}

int http_conn_run(http_conn *c, int64_t deadline_us, int (*stop)(void *user), void *user,
                  CURLcode *result, CURLMcode *mc)
{
    *result = CURLE_OK;
    *mc = CURLM_OK;
    for (;;) {
        int running = 0;
        *mc = curl_multi_perform(c->multi, &running);
        if (*mc != CURLM_OK)
            return HTTP_RUN_MULTI_ERROR;
        int done = 0;
        CURLMsg *msg;
        int left;
        while ((msg = curl_multi_info_read(c->multi, &left)))
            if (msg->msg == CURLMSG_DONE) {
                done = 1;
                *result = msg->data.result;
            }
        if (done)
            return HTTP_RUN_DONE;
        if (atomic_load(&c->cancel))
            return HTTP_RUN_CANCELLED;
        int why = stop ? stop(user) : 0;
        if (why > 0)
            return why;
        int64_t left_us = deadline_us - clock_now_us();
        if (left_us < 0)
            return HTTP_RUN_DEADLINE;
        int64_t ms = left_us / 1000 + 1;
        curl_multi_poll(c->multi, NULL, 0, ms < HTTP_POLL_MS ? (int)ms : HTTP_POLL_MS, NULL);
    }
}

void http_easy_defaults(CURL *h, double connect_timeout_s)
{
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, (long)(connect_timeout_s * 1000));
    curl_easy_setopt(h, CURLOPT_TCP_NODELAY, 1L);
    curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "identity");
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_USERAGENT, "shuzi/0.1");
}

int http_header_list(const char *const *lines, size_t n, const char *api_key,
                     struct curl_slist **out)
{
    struct curl_slist *headers = NULL;
    char auth[1100] = "";
    if (api_key && *api_key)
        snprintf(auth, sizeof auth, "Authorization: Bearer %s", api_key);
    int rc = SZ_OK;
    for (size_t i = 0; i <= n && rc == SZ_OK; i++) {
        const char *line = i < n ? lines[i] : auth[0] ? auth : NULL;
        if (!line)
            continue;
        struct curl_slist *t = curl_slist_append(headers, line);
        if (!t)
            rc = SZ_ERR_NO_MEMORY;
        else
            headers = t;
    }
    memset(auth, 0, sizeof auth);
    if (rc != SZ_OK) {
        curl_slist_free_all(headers);
        headers = NULL;
    }
    *out = headers;
    return rc;
}

#endif /* SHUZI_HAVE_CURL */
