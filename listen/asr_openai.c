/* SPDX-License-Identifier: Apache-2.0 */
/* asr_openai.c: speech recognition by any server that speaks the OpenAI
 * transcription API (whisper.cpp's server, faster-whisper servers, vLLM,
 * hosted APIs). The utterance is collected as it is fed, then finish sends
 * it as a 16-bit mono 16 kHz WAV in a multipart/form-data POST to
 * {base}/audio/transcriptions on libcurl's multi interface, so that a cancel
 * from another thread wakes the transfer at once. Connect and per-attempt
 * timeouts; retries of refused connections, timeouts, 5xx and 429 with
 * jittered exponential backoff (Retry-After honoured); errors name the URL,
 * the HTTP status and the server's own message. The response parser (JSON or
 * plain text) is exposed for tests and the fuzz target. */
#include "listen/asr.h"

#include <ctype.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "core/clock.h"
#include "core/http_client.h"
#include "core/log.h"
#include "core/utf8.h"
#include "shuzi.h"

#define ASR_MAX_RESPONSE (1u << 20)

asr_openai_params asr_openai_default_params(void)
{
    asr_openai_params p;
    memset(&p, 0, sizeof p);
    p.model = "whisper-1";
    p.connect_timeout_s = 3;
    p.timeout_s = 15;
    p.max_retries = 1;
    p.retry_base_s = 0.3;
    p.max_audio_s = 30;
    return p;
}

/* ---- the response ------------------------------------------------------ */

/* Whisper reports the language by name ("chinese") in verbose_json; other
 * servers give a code. */
static const struct {
    const char *name, *code;
} asr_lang_names[] = {
    {"english", "en"},    {"chinese", "zh"},    {"mandarin", "zh"},   {"cantonese", "zh"},
    {"japanese", "ja"},   {"korean", "ko"},     {"french", "fr"},     {"german", "de"},
    {"spanish", "es"},    {"castilian", "es"},  {"italian", "it"},    {"portuguese", "pt"},
    {"russian", "ru"},    {"dutch", "nl"},      {"flemish", "nl"},    {"arabic", "ar"},
    {"hindi", "hi"},      {"turkish", "tr"},    {"polish", "pl"},     {"vietnamese", "vi"},
    {"thai", "th"},       {"indonesian", "id"}, {"swedish", "sv"},    {"ukrainian", "uk"},
    {"greek", "el"},      {"czech", "cs"},      {"hebrew", "he"},     {"malay", "ms"},
    {"danish", "da"},     {"finnish", "fi"},    {"norwegian", "no"},  {"hungarian", "hu"},
    {"romanian", "ro"},   {"persian", "fa"},    {"tagalog", "tl"},    {"catalan", "ca"},
};

static void asr_lang_code(const char *s, char *lang, size_t cap)
{
    if (cap == 0)
        return;
    lang[0] = 0;
    if (!s)
        return;
    size_t n = strlen(s);
    /* "en", "zh", "en-US", "zh_CN": a two-letter code first */
    if (n >= 2 && isalpha((unsigned char)s[0]) && isalpha((unsigned char)s[1]) &&
        (n == 2 || s[2] == '-' || s[2] == '_')) {
        if (cap >= 3) {
            lang[0] = (char)tolower((unsigned char)s[0]);
            lang[1] = (char)tolower((unsigned char)s[1]);
            lang[2] = 0;
        }
        return;
    }
    for (size_t i = 0; i < sizeof asr_lang_names / sizeof asr_lang_names[0]; i++)
        if (strcasecmp(s, asr_lang_names[i].name) == 0) {
            snprintf(lang, cap, "%s", asr_lang_names[i].code);
            return;
        }
}

/* Copies s[0..n) into text, control characters turned into spaces,
 * whitespace trimmed, cut at a character boundary when it does not fit. */
static int asr_blank(char ch)
{
    unsigned char c = (unsigned char)ch;
    return c <= ' ' || c == 0x7f;
}

static void asr_copy_text(const char *s, size_t n, char *text, size_t cap)
{
    if (cap == 0)
        return;
    while (n > 0 && asr_blank(s[0]))
        s++, n--;
    while (n > 0 && asr_blank(s[n - 1]))
        n--;
    if (n > cap - 1) {
        n = cap - 1;
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80) /* s[n] continues a character */
            n--;
        while (n > 0 && asr_blank(s[n - 1]))
            n--;
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        text[i] = c < 0x20 || c == 0x7f ? ' ' : (char)c;
    }
    text[n] = 0;
}

int asr_openai_parse_response(const char *body, size_t len, char *text, size_t text_cap,
                              char *lang, size_t lang_cap, char *err, size_t errlen)
{
    if (text && text_cap)
        text[0] = 0;
    if (lang && lang_cap)
        lang[0] = 0;
    if (err && errlen)
        err[0] = 0;
    if (!text || text_cap == 0) {
        snprintf(err, errlen, "no room for the text");
        return SZ_ERR_INVALID_ARG;
    }
    char lbuf[8];
    if (!lang || lang_cap == 0) {
        lang = lbuf;
        lang_cap = sizeof lbuf;
    }
    if (!body || len == 0) {
        snprintf(err, errlen, "the transcription response is empty");
        return SZ_ERR_FORMAT;
    }
    if (len > ASR_MAX_RESPONSE) {
        snprintf(err, errlen, "the transcription response is larger than %u bytes (%zu)",
                 ASR_MAX_RESPONSE, len);
        return SZ_ERR_FORMAT;
    }
    size_t bad = 0;
    if (!utf8_valid(body, len, &bad)) {
        snprintf(err, errlen, "the transcription response is not valid UTF-8 (byte %zu)", bad);
        return SZ_ERR_FORMAT;
    }
    size_t i = 0;
    while (i < len && isspace((unsigned char)body[i]))
        i++;
    if (i < len && (body[i] == '{' || body[i] == '[')) {
        cJSON *root = cJSON_ParseWithLength(body, len);
        if (!root) {
            snprintf(err, errlen, "the transcription response is malformed JSON");
            return SZ_ERR_FORMAT;
        }
        const cJSON *t = cJSON_IsObject(root) ? cJSON_GetObjectItemCaseSensitive(root, "text")
                                              : NULL;
        if (!cJSON_IsString(t) || !t->valuestring) {
            const cJSON *e = cJSON_IsObject(root) ? cJSON_GetObjectItemCaseSensitive(root, "error")
                                                  : NULL;
            const cJSON *m = cJSON_IsObject(e) ? cJSON_GetObjectItemCaseSensitive(e, "message")
                                               : e;
            if (cJSON_IsString(m) && m->valuestring &&
                utf8_valid(m->valuestring, strlen(m->valuestring), NULL)) {
                char msg[256];
                asr_copy_text(m->valuestring, strlen(m->valuestring), msg, sizeof msg);
                snprintf(err, errlen, "the server answered an error: %s", msg);
            } else {
                snprintf(err, errlen, "the transcription response has no string \"text\"");
            }
            cJSON_Delete(root);
            return SZ_ERR_FORMAT;
        }
        const char *s = t->valuestring;
        size_t n = strlen(s);
        if (!utf8_valid(s, n, &bad)) { /* \u escapes can make what the bytes were not */
            cJSON_Delete(root);
            snprintf(err, errlen, "the transcription's \"text\" is not valid UTF-8");
            return SZ_ERR_FORMAT;
        }
        asr_copy_text(s, n, text, text_cap);
        const cJSON *l = cJSON_GetObjectItemCaseSensitive(root, "language");
        if (cJSON_IsString(l))
            asr_lang_code(l->valuestring, lang, lang_cap);
        cJSON_Delete(root);
        return SZ_OK;
    }
    /* plain text (response_format "text") */
    if (i < len && body[i] == '<') {
        snprintf(err, errlen, "the transcription response looks like HTML or XML, not a transcript");
        return SZ_ERR_FORMAT;
    }
    for (size_t k = 0; k < len; k++) {
        unsigned char c = (unsigned char)body[k];
        if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f) {
            snprintf(err, errlen,
                     "the transcription response is neither JSON nor text (control byte 0x%02x "
                     "at %zu)",
                     c, k);
            return SZ_ERR_FORMAT;
        }
    }
    asr_copy_text(body, len, text, text_cap);
    return SZ_OK;
}

#ifndef SHUZI_HAVE_CURL

int asr_openai_create(const asr_openai_params *p, asr **out, char *err, size_t errlen)
{
    (void)p;
    if (out)
        *out = NULL;
    snprintf(err, errlen,
             "the transcription client needs libcurl, which this shuzi was built without "
             "(install libcurl4-openssl-dev and rebuild)");
    return SZ_ERR_UNSUPPORTED;
}

#else

typedef struct asr_oai {
    asr_openai_params p;
    char url[1024];
    char shown_url[1024]; /* url without any user:password@ */
    char model[256];
    char language[32];
    char *api_key;
    http_conn net; /* the multi handle, the cancel flag */
    int16_t *pcm;
    size_t n, cap, max_n;
    size_t dropped; /* samples past max_audio_s */
} asr_oai;

/* One attempt's response. */
typedef struct asr_xfer {
    char *body;
    size_t len, cap, limit;
    int too_big;
    http_headers hdr;
} asr_xfer;

static size_t asr_on_header(char *buf, size_t size, size_t n, void *user)
{
    asr_xfer *x = user;
    http_headers_feed(&x->hdr, buf, size * n);
    return size * n;
}

static size_t asr_on_write(char *buf, size_t size, size_t n, void *user)
{
    asr_xfer *x = user;
    size_t len = size * n;
    if (x->len + len > x->limit) {
        x->too_big = 1;
        return 0; /* aborts the transfer */
    }
    if (http_buf_append(&x->body, &x->len, &x->cap, buf, len))
        return 0;
    return len;
}

/* {"error": {"message": ...}} (or {"error": "..."}, {"message": ...}), else
 * the start of the body, on one printable line. */
static void asr_error_message(const char *body, size_t len, char *out, size_t cap)
{
    out[0] = 0;
    cJSON *root = len ? cJSON_ParseWithLength(body, len) : NULL;
    if (root) {
        const cJSON *e = cJSON_GetObjectItemCaseSensitive(root, "error");
        if (!e)
            e = root;
        const cJSON *m = cJSON_IsObject(e) ? cJSON_GetObjectItemCaseSensitive(e, "message") : e;
        if (cJSON_IsString(m) && m->valuestring &&
            utf8_valid(m->valuestring, strlen(m->valuestring), NULL))
            asr_copy_text(m->valuestring, strlen(m->valuestring), out, cap);
        cJSON_Delete(root);
    }
    if (!out[0]) {
        size_t n = len > 200 ? 200 : len;
        size_t k = 0;
        for (size_t i = 0; i < n && k + 1 < cap; i++) {
            unsigned char c = (unsigned char)body[i];
            out[k++] = c < 0x20 || c >= 0x7f ? (c == '\n' || c == '\r' ? ' ' : '?') : (char)c;
        }
        out[k] = 0;
        asr_copy_text(out, k, out, cap);
        if (!out[0])
            snprintf(out, cap, "(empty body)");
    }
}

static const char *asr_status_hint(long status)
{
    if (status == 413)
        return " (the recording is too large for the server)";
    return http_status_hint(status);
}

static int asr_retryable_curl(CURLcode c)
{
    return c == CURLE_COULDNT_CONNECT || c == CURLE_OPERATION_TIMEDOUT || c == CURLE_GOT_NOTHING ||
           c == CURLE_SEND_ERROR || c == CURLE_RECV_ERROR || c == CURLE_PARTIAL_FILE;
}

static void asr_le16(uint8_t *p, unsigned v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void asr_le32(uint8_t *p, uint32_t v)
{
    asr_le16(p, v & 0xffff);
    asr_le16(p + 2, v >> 16);
}

/* A RIFF WAV: PCM, 16-bit, mono, ASR_RATE. */
static uint8_t *asr_wav(const int16_t *pcm, size_t n, size_t *len)
{
    size_t data = n * 2;
    uint8_t *w = malloc(44 + data);
    if (!w)
        return NULL;
    memcpy(w, "RIFF", 4);
    asr_le32(w + 4, (uint32_t)(36 + data));
    memcpy(w + 8, "WAVEfmt ", 8);
    asr_le32(w + 16, 16);
    asr_le16(w + 20, 1); /* PCM */
    asr_le16(w + 22, 1); /* mono */
    asr_le32(w + 24, ASR_RATE);
    asr_le32(w + 28, ASR_RATE * 2);
    asr_le16(w + 32, 2);
    asr_le16(w + 34, 16);
    memcpy(w + 36, "data", 4);
    asr_le32(w + 40, (uint32_t)data);
    for (size_t i = 0; i < n; i++)
        asr_le16(w + 44 + 2 * i, (uint16_t)pcm[i]);
    *len = 44 + data;
    return w;
}

static int asr_oai_begin(void *state, char *err, size_t errlen)
{
    (void)err;
    (void)errlen;
    asr_oai *o = state;
    atomic_store(&o->net.cancel, 0);
    o->n = 0;
    o->dropped = 0;
    return SZ_OK;
}

static int asr_oai_feed(void *state, const float *pcm, size_t n, char *partial,
                        size_t partial_cap, char *err, size_t errlen)
{
    (void)partial;
    (void)partial_cap;
    asr_oai *o = state;
    size_t take = o->max_n - o->n < n ? o->max_n - o->n : n;
    if (take < n) {
        if (!o->dropped)
            SZ_LOGW("asr", "the utterance is longer than %.1f s: the rest is cut",
                    o->p.max_audio_s);
        o->dropped += n - take;
    }
    if (o->n + take > o->cap) {
        size_t cap = o->cap ? o->cap : ASR_RATE * 4;
        while (cap < o->n + take)
            cap *= 2;
        if (cap > o->max_n)
            cap = o->max_n;
        int16_t *p = realloc(o->pcm, cap * sizeof *p);
        if (!p) {
            snprintf(err, errlen, "ASR: out of memory collecting the utterance");
            return SZ_ERR_NO_MEMORY;
        }
        o->pcm = p;
        o->cap = cap;
    }
    for (size_t i = 0; i < take; i++) {
        float x = pcm[i];
        x = x == x ? x : 0.0f; /* NaN */
        x = x > 1.0f ? 1.0f : x < -1.0f ? -1.0f : x;
        float y = x * 32767.0f;
        o->pcm[o->n + i] = (int16_t)(y < 0 ? y - 0.5f : y + 0.5f);
    }
    o->n += take;
    return 0;
}

/* One attempt on the prepared handle. *retry: another attempt may help. */
static int asr_attempt(asr_oai *o, CURL *h, asr_xfer *x, asr_stats *stats, int *retry,
                       char *err, size_t errlen)
{
    *retry = 0;
    free(x->body);
    memset(x, 0, sizeof *x);
    http_headers_reset(&x->hdr);
    x->limit = ASR_MAX_RESPONSE;
    if (curl_multi_add_handle(o->net.multi, h) != CURLM_OK) {
        snprintf(err, errlen, "ASR %s: cannot start the request", o->shown_url);
        return SZ_ERR_INTERNAL;
    }
    CURLcode result;
    CURLMcode mc;
    int end = http_conn_run(&o->net, clock_now_us() + (int64_t)(o->p.timeout_s * 1e6), NULL, NULL,
                            &result, &mc);
    int done = end == HTTP_RUN_DONE || end == HTTP_RUN_DEADLINE, rc = SZ_OK;
    if (end == HTTP_RUN_DEADLINE) {
        result = CURLE_OPERATION_TIMEDOUT;
    } else if (end == HTTP_RUN_CANCELLED) {
        snprintf(err, errlen, "speech recognition cancelled");
        rc = SZ_ERR_CANCELLED;
    } else if (end == HTTP_RUN_MULTI_ERROR) {
        snprintf(err, errlen, "ASR %s: %s", o->shown_url, curl_multi_strerror(mc));
        rc = SZ_ERR_IO;
    }
    long status = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    curl_multi_remove_handle(o->net.multi, h);
    stats->http_status = (int)status;
    if (!done)
        return rc;
    if (result == CURLE_WRITE_ERROR && x->too_big) {
        snprintf(err, errlen, "ASR %s: HTTP %ld: the response is larger than %u bytes",
                 o->shown_url, status, ASR_MAX_RESPONSE);
        return SZ_ERR_FORMAT;
    }
    if (result != CURLE_OK) {
        if (result == CURLE_OPERATION_TIMEDOUT)
            snprintf(err, errlen, "ASR %s: no transcription within %.1f s", o->shown_url,
                     o->p.timeout_s);
        else
            snprintf(err, errlen, "ASR %s: %s", o->shown_url, curl_easy_strerror(result));
        *retry = asr_retryable_curl(result);
        return result == CURLE_OPERATION_TIMEDOUT ? SZ_ERR_TIMEOUT : SZ_ERR_IO;
    }
    if (status < 200 || status >= 300) {
        char msg[384];
        asr_error_message(x->body ? x->body : "", x->len, msg, sizeof msg);
        snprintf(err, errlen, "ASR %s: HTTP %ld: %s%s", o->shown_url, status, msg,
                 asr_status_hint(status));
        *retry = http_status_retryable(status, 0);
        return http_status_error(status, 0);
    }
    return SZ_OK;
}

static int asr_oai_finish(void *state, char *text, size_t text_cap, char *lang, size_t lang_cap,
                          asr_stats *stats, char *err, size_t errlen)
{
    asr_oai *o = state;
    stats->audio_s = (double)o->n / ASR_RATE;
    if (atomic_load(&o->net.cancel)) {
        snprintf(err, errlen, "speech recognition cancelled");
        return SZ_ERR_CANCELLED;
    }
    size_t wav_len = 0;
    uint8_t *wav = asr_wav(o->pcm, o->n, &wav_len);
    CURL *h = curl_easy_init();
    curl_mime *mime = h ? curl_mime_init(h) : NULL;
    struct curl_slist *headers = NULL;
    int rc = SZ_OK;
    if (!wav || !mime) {
        snprintf(err, errlen, "ASR: out of memory building the request");
        rc = SZ_ERR_NO_MEMORY;
        goto out;
    }
    curl_mimepart *part = curl_mime_addpart(mime);
    int bad = !part || curl_mime_name(part, "file") != CURLE_OK ||
              curl_mime_data(part, (const char *)wav, wav_len) != CURLE_OK ||
              curl_mime_filename(part, "speech.wav") != CURLE_OK ||
              curl_mime_type(part, "audio/wav") != CURLE_OK;
    const char *fields[][2] = {{"model", o->model},
                               {"response_format", "json"},
                               {"language", o->language[0] ? o->language : NULL}};
    for (size_t i = 0; i < sizeof fields / sizeof fields[0] && !bad; i++) {
        if (!fields[i][1])
            continue;
        part = curl_mime_addpart(mime);
        bad = !part || curl_mime_name(part, fields[i][0]) != CURLE_OK ||
              curl_mime_data(part, fields[i][1], CURL_ZERO_TERMINATED) != CURLE_OK;
    }
    free(wav); /* curl_mime_data copied it */
    wav = NULL;
    const char *hv[] = {"Accept: application/json", "Expect:"};
    if (!bad)
        bad = http_header_list(hv, sizeof hv / sizeof hv[0], o->api_key, &headers) != SZ_OK;
    if (bad) {
        snprintf(err, errlen, "ASR: out of memory building the request");
        rc = SZ_ERR_NO_MEMORY;
        goto out;
    }
    curl_easy_setopt(h, CURLOPT_URL, o->url);
    curl_easy_setopt(h, CURLOPT_MIMEPOST, mime);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
    asr_xfer x;
    memset(&x, 0, sizeof x);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, asr_on_write);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &x);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, asr_on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, &x);
    http_easy_defaults(h, o->p.connect_timeout_s);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)(o->p.timeout_s * 1000) + 50);
    for (int attempt = 0;; attempt++) {
        int retry = 0;
        stats->attempts = attempt + 1;
        rc = asr_attempt(o, h, &x, stats, &retry, err, errlen);
        if (rc == SZ_OK || rc == SZ_ERR_CANCELLED || !retry || attempt >= o->p.max_retries)
            break;
        if (http_conn_retry_pause(&o->net, "asr", err, o->p.retry_base_s, attempt, o->p.max_retries,
                                  x.hdr.retry_after_s)) {
            rc = SZ_ERR_CANCELLED;
            snprintf(err, errlen, "speech recognition cancelled");
            break;
        }
    }
    if (rc == SZ_OK) {
        char why[384];
        rc = asr_openai_parse_response(x.body, x.len, text, text_cap, lang, lang_cap, why,
                                       sizeof why);
        if (rc != SZ_OK)
            snprintf(err, errlen, "ASR %s: %s", o->shown_url, why);
    } else if (rc != SZ_ERR_CANCELLED && stats->attempts > 1) {
        size_t l = strlen(err);
        snprintf(err + l, errlen > l ? errlen - l : 0, " (after %d attempts)", stats->attempts);
    }
    if (rc == SZ_OK && !lang[0] && o->language[0])
        asr_lang_code(o->language, lang, lang_cap);
    free(x.body);
out:
    free(wav);
    curl_slist_free_all(headers);
    if (mime)
        curl_mime_free(mime);
    if (h)
        curl_easy_cleanup(h);
    return rc;
}

static void asr_oai_cancel(void *state)
{
    asr_oai *o = state;
    http_conn_cancel(&o->net);
}

static void asr_oai_destroy(void *state)
{
    asr_oai *o = state;
    if (!o)
        return;
    http_conn_close(&o->net);
    http_secret_free(o->api_key);
    free(o->pcm);
    free(o);
}

static const asr_kind asr_oai_kind = {
    .name = "openai",
    .begin = asr_oai_begin,
    .feed = asr_oai_feed,
    .finish = asr_oai_finish,
    .cancel = asr_oai_cancel,
    .destroy = asr_oai_destroy,
};

/* "http://h:p" -> ".../v1/audio/transcriptions"; "http://h:p/v1" ->
 * ".../v1/audio/transcriptions"; a full ".../audio/transcriptions" is kept.
 * shown: the same without any user:password@. */
static int asr_build_url(const char *base, char *out, char *shown, size_t cap, char *err,
                         size_t errlen)
{
    const char *why = "";
    int rc = http_url_join(base, "/audio/transcriptions", out, cap, &why);
    if (rc != SZ_OK && strcmp(why, "too long") == 0)
        snprintf(err, errlen, "ASR URL too long");
    else if (rc != SZ_OK)
        snprintf(err, errlen, "ASR URL: %s", why);
    else
        http_url_redact(out, shown, cap);
    return rc;
}

int asr_openai_create(const asr_openai_params *p, asr **out, char *err, size_t errlen)
{
    if (out)
        *out = NULL;
    if (!out || !p || !p->base_url || !*p->base_url) {
        snprintf(err, errlen, "ASR: no base URL");
        return SZ_ERR_INVALID_ARG;
    }
    if (!(p->connect_timeout_s > 0 && p->connect_timeout_s <= 600) ||
        !(p->timeout_s > 0 && p->timeout_s <= 3600)) {
        snprintf(err, errlen, "ASR: timeouts must be positive (and at most an hour)");
        return SZ_ERR_INVALID_ARG;
    }
    if (p->max_retries < 0 || p->max_retries > 10 || !(p->retry_base_s >= 0) ||
        p->retry_base_s > 60) {
        snprintf(err, errlen, "ASR: retries must be 0 to 10 and the backoff 0 to 60 s");
        return SZ_ERR_INVALID_ARG;
    }
    if (!(p->max_audio_s > 0 && p->max_audio_s <= 600)) {
        snprintf(err, errlen, "ASR: max_audio_s must be more than 0 and at most 600");
        return SZ_ERR_INVALID_ARG;
    }
    if (p->model && (strlen(p->model) >= sizeof(((asr_oai *)0)->model) ||
                     strpbrk(p->model, "\r\n"))) {
        snprintf(err, errlen, "ASR: the model name is too long or has a line break");
        return SZ_ERR_INVALID_ARG;
    }
    if (p->language && *p->language) {
        size_t n = strlen(p->language);
        int ok = n < sizeof(((asr_oai *)0)->language);
        for (size_t i = 0; i < n && ok; i++)
            ok = isalpha((unsigned char)p->language[i]) || p->language[i] == '-' ||
                 p->language[i] == '_';
        if (!ok) {
            snprintf(err, errlen, "ASR: language '%.40s' is not a language code like \"en\"",
                     p->language);
            return SZ_ERR_INVALID_ARG;
        }
    }
    if (p->api_key && (strlen(p->api_key) > 1000 || strpbrk(p->api_key, "\r\n"))) {
        snprintf(err, errlen, "ASR: the API key is longer than 1000 bytes or has a line break");
        return SZ_ERR_INVALID_ARG;
    }
    if (!http_global_init()) {
        snprintf(err, errlen, "ASR: libcurl failed to initialize");
        return SZ_ERR_INTERNAL;
    }
    asr_oai *o = calloc(1, sizeof *o);
    if (!o) {
        snprintf(err, errlen, "out of memory");
        return SZ_ERR_NO_MEMORY;
    }
    o->p = *p;
    int rc = asr_build_url(p->base_url, o->url, o->shown_url, sizeof o->url, err, errlen);
    if (rc != SZ_OK)
        goto fail;
    snprintf(o->model, sizeof o->model, "%s", p->model && *p->model ? p->model : "whisper-1");
    snprintf(o->language, sizeof o->language, "%s", p->language ? p->language : "");
    if (p->api_key && *p->api_key && !(o->api_key = strdup(p->api_key))) {
        snprintf(err, errlen, "out of memory");
        rc = SZ_ERR_NO_MEMORY;
        goto fail;
    }
    o->max_n = (size_t)(p->max_audio_s * ASR_RATE);
    if (o->max_n == 0)
        o->max_n = 1;
    if (!http_conn_open(&o->net)) {
        snprintf(err, errlen, "ASR: cannot create a curl multi handle");
        rc = SZ_ERR_NO_MEMORY;
        goto fail;
    }
    o->p.base_url = NULL; /* the caller's strings are not kept */
    o->p.model = NULL;
    o->p.api_key = NULL;
    o->p.language = NULL;
    *out = asr_wrap(&asr_oai_kind, o);
    if (!*out) {
        snprintf(err, errlen, "out of memory");
        return SZ_ERR_NO_MEMORY;
    }
    return SZ_OK;
fail:
    asr_oai_destroy(o);
    return rc;
}

#endif /* SHUZI_HAVE_CURL */
