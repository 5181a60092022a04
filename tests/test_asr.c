/* SPDX-License-Identifier: Apache-2.0 */
/* test_asr.c: the speech recognizers of listen/asr.h. The OpenAI
 * transcription client against a local fake server (one thread, 127.0.0.1,
 * an ephemeral port) that checks each request (multipart/form-data with a
 * valid 16-bit mono 16 kHz WAV of the length fed, the model and language
 * fields, the Bearer header) and answers as scripted: JSON, verbose JSON
 * naming the language, plain text, 500 then success (one retry), 400 (no
 * retry, the server's message shown), garbage, a response slower than the
 * timeout, a refused connection, and a cancel from another thread during a
 * slow response. A table of response bodies for the parser, malformed ones
 * included. With pocketsphinx and its model, a real recording (LJ Speech,
 * ../shared/data/speech) is recognized incrementally: most of its words come
 * back, partials arrive while feeding, two runs agree (that part skips when
 * the model or the data is absent). */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/log.h"
#include "lipsync/audio_file.h"
#include "listen/asr.h"
#include "shuzi.h"

#include "check.h"
#include "fake_http.h"

/* ---- the fake transcription server ------------------------------------ */

typedef enum fake_asr_mode {
    FA_JSON = 0,   /* 200 {"text": " hello world "} */
    FA_VERBOSE,    /* 200 verbose_json, "language": "chinese" */
    FA_PLAIN,      /* 200 text/plain */
    FA_500,        /* 500 with an OpenAI error body */
    FA_400,        /* 400 with an OpenAI error body */
    FA_GARBAGE,    /* 200 application/json, not JSON */
    FA_SLOW,       /* answers FA_JSON after slow_ms (or when the client leaves) */
} fake_asr_mode;

#define FA_MAX_SCRIPT 8
#define FA_MAX_BODY (8 << 20)

typedef struct fake_asr {
    int port;
    int listen_fd;
    pthread_t thread;
    atomic_int stop;
    pthread_mutex_t lock;
    fake_asr_mode modes[FA_MAX_SCRIPT]; /* modes[i] answers request i; the last repeats */
    int n_modes;
    int slow_ms;
    /* what it saw (under lock) */
    int n_requests;
    char path[256];
    char auth[512];
    char model[128];
    char language[32];
    char response_format[32];
    char filename[128];
    char file_type[64];
    int multipart;      /* Content-Type multipart/form-data with a boundary */
    int wav_ok;         /* RIFF/WAVE, PCM, mono, 16 kHz, 16-bit, data size consistent */
    long wav_samples;
    char problem[256]; /* what was wrong with the request, if anything */
} fake_asr;

static void fa_respond(int fd, int status, const char *type, const char *body)
{
    char head[256];
    snprintf(head, sizeof head,
             "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\nConnection: "
             "close\r\n\r\n",
             status, status == 200 ? "OK" : "Error", type, strlen(body));
    if (fake_http_send_all(fd, head, strlen(head)) == 0)
        fake_http_send_all(fd, body, strlen(body));
}

static const char *fa_memmem(const char *h, size_t hn, const char *needle)
{
    return memmem(h, hn, needle, strlen(needle));
}

static uint32_t fa_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static unsigned fa_le16(const uint8_t *p)
{
    return (unsigned)p[0] | (unsigned)p[1] << 8;
}

/* Checks one multipart body against its boundary; fills the fields. Under lock. */
static void fa_parse_multipart(fake_asr *f, const char *body, size_t n, const char *boundary)
{
    char delim[128];
    snprintf(delim, sizeof delim, "--%s", boundary);
    size_t dl = strlen(delim);
    const char *p = fa_memmem(body, n, delim);
    if (!p) {
        snprintf(f->problem, sizeof f->problem, "no boundary in the body");
        return;
    }
    int parts = 0;
    for (;;) {
        p += dl;
        size_t left = n - (size_t)(p - body);
        if (left >= 2 && p[0] == '-' && p[1] == '-')
            break; /* the closing delimiter */
        if (left < 2 || p[0] != '\r' || p[1] != '\n') {
            snprintf(f->problem, sizeof f->problem, "malformed part delimiter");
            return;
        }
        p += 2;
        left -= 2;
        const char *hend = fa_memmem(p, left, "\r\n\r\n");
        if (!hend) {
            snprintf(f->problem, sizeof f->problem, "part without a header end");
            return;
        }
        const char *data = hend + 4;
        char delim2[132];
        snprintf(delim2, sizeof delim2, "\r\n%s", delim);
        const char *next = fa_memmem(data, n - (size_t)(data - body), delim2);
        if (!next) {
            snprintf(f->problem, sizeof f->problem, "part without an end");
            return;
        }
        size_t dn = (size_t)(next - data);
        char hdr[1024];
        size_t hn = (size_t)(hend - p) < sizeof hdr - 1 ? (size_t)(hend - p) : sizeof hdr - 1;
        memcpy(hdr, p, hn);
        hdr[hn] = 0;
        char name[64] = "", fname[128] = "", ctype[64] = "";
        const char *q = strstr(hdr, "name=\"");
        if (q && (q == hdr || q[-1] != 'e')) /* not filename= */
            sscanf(q + 6, "%63[^\"]", name);
        else if (q) {
            const char *q2 = strstr(hdr, "; name=\"");
            if (q2)
                sscanf(q2 + 8, "%63[^\"]", name);
        }
        q = strstr(hdr, "filename=\"");
        if (q)
            sscanf(q + 10, "%127[^\"]", fname);
        q = strcasestr(hdr, "Content-Type:");
        if (q)
            sscanf(q + 13, " %63[^\r\n]", ctype);
        char val[128];
        size_t vn = dn < sizeof val - 1 ? dn : sizeof val - 1;
        memcpy(val, data, vn);
        val[vn] = 0;
        if (strcmp(name, "model") == 0)
            snprintf(f->model, sizeof f->model, "%s", val);
        else if (strcmp(name, "language") == 0)
            snprintf(f->language, sizeof f->language, "%.31s", val);
        else if (strcmp(name, "response_format") == 0)
            snprintf(f->response_format, sizeof f->response_format, "%.31s", val);
        else if (strcmp(name, "file") == 0) {
            snprintf(f->filename, sizeof f->filename, "%s", fname);
            snprintf(f->file_type, sizeof f->file_type, "%s", ctype);
            const uint8_t *w = (const uint8_t *)data;
            f->wav_ok = dn >= 44 && memcmp(w, "RIFF", 4) == 0 && memcmp(w + 8, "WAVEfmt ", 8) == 0 &&
                        fa_le32(w + 4) == dn - 8 && fa_le32(w + 16) == 16 &&
                        fa_le16(w + 20) == 1 && fa_le16(w + 22) == 1 &&
                        fa_le32(w + 24) == 16000 && fa_le32(w + 28) == 32000 &&
                        fa_le16(w + 32) == 2 && fa_le16(w + 34) == 16 &&
                        memcmp(w + 36, "data", 4) == 0 && fa_le32(w + 40) == dn - 44;
            f->wav_samples = dn >= 44 ? (long)(dn - 44) / 2 : -1;
        }
        parts++;
        p = next + 2;
    }
    if (parts == 0)
        snprintf(f->problem, sizeof f->problem, "no parts");
}

/* Reads one request; returns the body length or -1. *body is malloc'ed. */
static long fa_read_request(fake_asr *f, int fd, char **body_out, char *head, size_t head_cap)
{
    size_t n = 0;
    char *hend = NULL;
    *body_out = NULL;
    while (!hend) {
        struct pollfd p = {fd, POLLIN, 0};
        if (atomic_load(&f->stop) || poll(&p, 1, 2000) <= 0 || n + 1 >= head_cap)
            return -1;
        ssize_t r = recv(fd, head + n, head_cap - 1 - n, 0);
        if (r <= 0)
            return -1;
        n += (size_t)r;
        head[n] = 0;
        hend = strstr(head, "\r\n\r\n");
    }
    size_t hl = (size_t)(hend - head) + 4;
    const char *cl = strcasestr(head, "\r\nContent-Length:");
    long clen = cl ? strtol(cl + 17, NULL, 10) : -1;
    if (clen < 0 || clen > FA_MAX_BODY)
        return -1;
    char *body = malloc((size_t)clen + 1);
    if (!body)
        return -1;
    size_t have = n - hl < (size_t)clen ? n - hl : (size_t)clen;
    memcpy(body, head + hl, have);
    while (have < (size_t)clen) {
        struct pollfd p = {fd, POLLIN, 0};
        if (poll(&p, 1, 2000) <= 0) {
            free(body);
            return -1;
        }
        ssize_t r = recv(fd, body + have, (size_t)clen - have, 0);
        if (r <= 0) {
            free(body);
            return -1;
        }
        have += (size_t)r;
    }
    body[clen] = 0;
    head[hl] = 0;
    *body_out = body;
    return clen;
}

static int fa_client_gone(int fd)
{
    struct pollfd p = {fd, POLLIN, 0};
    if (poll(&p, 1, 0) <= 0)
        return 0;
    char c;
    return recv(fd, &c, 1, MSG_PEEK | MSG_DONTWAIT) <= 0;
}

static void fa_serve(fake_asr *f, int fd)
{
    static char head[16384];
    char *body = NULL;
    long blen = fa_read_request(f, fd, &body, head, sizeof head);
    pthread_mutex_lock(&f->lock);
    int idx = f->n_requests++;
    fake_asr_mode mode = f->modes[idx < f->n_modes ? idx : f->n_modes - 1];
    f->path[0] = f->auth[0] = f->model[0] = f->language[0] = f->response_format[0] = 0;
    f->filename[0] = f->file_type[0] = f->problem[0] = 0;
    f->multipart = f->wav_ok = 0;
    f->wav_samples = -1;
    if (blen < 0) {
        snprintf(f->problem, sizeof f->problem, "unreadable request (no Content-Length?)");
    } else {
        sscanf(head, "POST %255s", f->path);
        const char *a = strcasestr(head, "\r\nAuthorization:");
        if (a)
            sscanf(a + 16, " %511[^\r\n]", f->auth);
        const char *ct = strcasestr(head, "\r\nContent-Type:");
        char ctype[256] = "";
        if (ct)
            sscanf(ct + 15, " %255[^\r\n]", ctype);
        const char *b = strstr(ctype, "boundary=");
        f->multipart = strncasecmp(ctype, "multipart/form-data", 19) == 0 && b;
        if (f->multipart) {
            char boundary[100] = "";
            sscanf(b + 9, "%99[^; \r\n]", boundary);
            fa_parse_multipart(f, body, (size_t)blen, boundary);
        }
    }
    int slow_ms = f->slow_ms;
    pthread_mutex_unlock(&f->lock);
    free(body);
    switch (mode) {
    case FA_JSON:
        fa_respond(fd, 200, "application/json", "{\"text\": \" hello world \"}");
        break;
    case FA_VERBOSE:
        fa_respond(fd, 200, "application/json",
                   "{\"task\":\"transcribe\",\"language\":\"chinese\",\"duration\":1.0,"
                   "\"text\":\"\xe4\xbd\xa0\xe5\xa5\xbd\",\"segments\":[]}");
        break;
    case FA_PLAIN: fa_respond(fd, 200, "text/plain", "hello plain text\n"); break;
    case FA_500:
        fa_respond(fd, 500, "application/json",
                   "{\"error\":{\"message\":\"the model crashed\",\"type\":\"server_error\"}}");
        break;
    case FA_400:
        fa_respond(fd, 400, "application/json",
                   "{\"error\":{\"message\":\"Invalid file format xyzzy\",\"type\":"
                   "\"invalid_request_error\"}}");
        break;
    case FA_GARBAGE: fa_respond(fd, 200, "application/json", "{\"text\": tru"); break;
    case FA_SLOW:
        for (int t = 0; t < slow_ms && !atomic_load(&f->stop) && !fa_client_gone(fd); t += 5) {
            struct timespec ts = {0, 5000000L};
            nanosleep(&ts, NULL);
        }
        if (!fa_client_gone(fd))
            fa_respond(fd, 200, "application/json", "{\"text\": \"late\"}");
        break;
    }
    shutdown(fd, SHUT_WR);
}

static void *fa_thread(void *arg)
{
    fake_asr *f = arg;
    int fd;
    while ((fd = fake_http_accept(f->listen_fd, &f->stop)) >= 0) {
        fa_serve(f, fd);
        close(fd);
    }
    return NULL;
}

static int fa_start(fake_asr *f)
{
    memset(f, 0, sizeof *f);
    pthread_mutex_init(&f->lock, NULL);
    f->n_modes = 1;
    return fake_http_start(&f->listen_fd, &f->port, &f->thread, fa_thread, f);
}

static void fa_stop(fake_asr *f)
{
    fake_http_stop(&f->stop, f->thread, f->listen_fd);
    pthread_mutex_destroy(&f->lock);
}

static void fa_script(fake_asr *f, int n, const fake_asr_mode *modes)
{
    pthread_mutex_lock(&f->lock);
    for (int i = 0; i < n && i < FA_MAX_SCRIPT; i++)
        f->modes[i] = modes[i];
    f->n_modes = n;
    f->n_requests = 0;
    pthread_mutex_unlock(&f->lock);
}

/* ---- the OpenAI client against the fake -------------------------------- */

#define N_SAMPLES 12345 /* an odd length: the WAV must hold exactly these */

static float test_pcm[N_SAMPLES];

typedef struct run_result {
    int rc;
    char text[512], lang[16], err[1024];
    asr_stats stats;
    double seconds;
} run_result;

/* One utterance of test_pcm, fed in 10 ms frames. */
static void run_once(asr *a, run_result *r)
{
    memset(r, 0, sizeof *r);
    r->rc = asr_begin(a, r->err, sizeof r->err);
    if (r->rc != SZ_OK)
        return;
    char partial[64];
    for (size_t i = 0; i < N_SAMPLES; i += 160) {
        size_t m = N_SAMPLES - i < 160 ? N_SAMPLES - i : 160;
        int f = asr_feed(a, test_pcm + i, m, partial, sizeof partial, r->err, sizeof r->err);
        if (f < 0) {
            r->rc = f;
            return;
        }
    }
    int64_t t0 = clock_now_us();
    r->rc = asr_finish(a, r->text, sizeof r->text, r->lang, sizeof r->lang, &r->stats, r->err,
                       sizeof r->err);
    r->seconds = (double)(clock_now_us() - t0) / 1e6;
}

static asr *make_client(int port, const char *language, const char *key, double timeout_s,
                        int max_retries)
{
    char url[128];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/v1", port);
    asr_openai_params p = asr_openai_default_params();
    p.base_url = url;
    p.model = "whisper-large-v3";
    p.language = language;
    p.api_key = key;
    p.timeout_s = timeout_s;
    p.connect_timeout_s = 2;
    p.max_retries = max_retries;
    p.retry_base_s = 0.05;
    asr *a = NULL;
    char err[512] = "";
    int rc = asr_openai_create(&p, &a, err, sizeof err);
    CHECK(rc == SZ_OK && a, "asr_openai_create: %d %s", rc, err);
    return a;
}

typedef struct cancel_arg {
    asr *a;
    int delay_ms;
    int64_t at_us;
} cancel_arg;

static void *cancel_thread(void *p)
{
    cancel_arg *c = p;
    struct timespec ts = {c->delay_ms / 1000, (c->delay_ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
    c->at_us = clock_now_us();
    asr_cancel(c->a);
    return NULL;
}

static void test_openai(void)
{
    for (int i = 0; i < N_SAMPLES; i++)
        test_pcm[i] = 0.3f * sinf((float)i * 0.05f);
    fake_asr f;
    if (fa_start(&f) != 0) {
        CHECK(0, "the fake server did not start");
        return;
    }
    run_result r;

    /* JSON, with the request checked */
    asr *a = make_client(f.port, "en", "sk-test-123", 5, 1);
    if (!a) {
        fa_stop(&f);
        return;
    }
    CHECK(strcmp(asr_name(a), "openai") == 0, "name %s", asr_name(a));
    fake_asr_mode m1[] = {FA_JSON};
    fa_script(&f, 1, m1);
    run_once(a, &r);
    CHECK(r.rc == SZ_OK, "json: %d %s", r.rc, r.err);
    CHECK(strcmp(r.text, "hello world") == 0, "json: text '%s' (trimmed expected)", r.text);
    CHECK(strcmp(r.lang, "en") == 0, "json: lang '%s' (the language asked for)", r.lang);
    CHECK(r.stats.attempts == 1 && r.stats.http_status == 200, "json: attempts %d status %d",
          r.stats.attempts, r.stats.http_status);
    CHECK(fabs(r.stats.audio_s - N_SAMPLES / 16000.0) < 1e-6, "audio_s %f", r.stats.audio_s);
    pthread_mutex_lock(&f.lock);
    CHECK(f.problem[0] == 0, "request: %s", f.problem);
    CHECK(strcmp(f.path, "/v1/audio/transcriptions") == 0, "path %s", f.path);
    CHECK(f.multipart, "the request is not multipart/form-data");
    CHECK(f.wav_ok, "the file part is not a 16-bit mono 16 kHz WAV");
    CHECK(f.wav_samples == N_SAMPLES, "WAV holds %ld samples, %d fed", f.wav_samples, N_SAMPLES);
    CHECK(strcmp(f.filename, "speech.wav") == 0, "filename '%s'", f.filename);
    CHECK(strcmp(f.file_type, "audio/wav") == 0, "file type '%s'", f.file_type);
    CHECK(strcmp(f.model, "whisper-large-v3") == 0, "model '%s'", f.model);
    CHECK(strcmp(f.language, "en") == 0, "language '%s'", f.language);
    CHECK(strcmp(f.response_format, "json") == 0, "response_format '%s'", f.response_format);
    CHECK(strcmp(f.auth, "Bearer sk-test-123") == 0, "Authorization '%s'", f.auth);
    pthread_mutex_unlock(&f.lock);

    /* feed without begin is refused; an empty utterance is still sent */
    char err[256];
    CHECK(asr_feed(a, test_pcm, 10, NULL, 0, err, sizeof err) == SZ_ERR_STATE,
          "feed without begin accepted");
    asr_destroy(&a);
    CHECK(a == NULL, "asr_destroy left the pointer");

    /* verbose JSON: the language by name, no language asked, no key */
    a = make_client(f.port, NULL, NULL, 5, 1);
    fake_asr_mode m2[] = {FA_VERBOSE};
    fa_script(&f, 1, m2);
    run_once(a, &r);
    CHECK(r.rc == SZ_OK, "verbose: %d %s", r.rc, r.err);
    CHECK(strcmp(r.text, "\xe4\xbd\xa0\xe5\xa5\xbd") == 0, "verbose: text '%s'", r.text);
    CHECK(strcmp(r.lang, "zh") == 0, "verbose: lang '%s', expected zh", r.lang);
    pthread_mutex_lock(&f.lock);
    CHECK(f.language[0] == 0, "a language field was sent: '%s'", f.language);
    CHECK(f.auth[0] == 0, "an Authorization header was sent: '%s'", f.auth);
    pthread_mutex_unlock(&f.lock);

    /* plain text */
    fake_asr_mode m3[] = {FA_PLAIN};
    fa_script(&f, 1, m3);
    run_once(a, &r);
    CHECK(r.rc == SZ_OK && strcmp(r.text, "hello plain text") == 0, "plain: %d '%s' %s", r.rc,
          r.text, r.err);

    /* 500 then OK: one retry */
    fake_asr_mode m4[] = {FA_500, FA_JSON};
    fa_script(&f, 2, m4);
    sz_set_log_level(SZ_LOG_ERROR);
    run_once(a, &r);
    CHECK(r.rc == SZ_OK && strcmp(r.text, "hello world") == 0, "500 then OK: %d '%s' %s", r.rc,
          r.text, r.err);
    CHECK(r.stats.attempts == 2, "500 then OK: %d attempts, expected 2", r.stats.attempts);
    CHECK(f.n_requests == 2, "500 then OK: %d requests", f.n_requests);
    pthread_mutex_lock(&f.lock);
    CHECK(f.problem[0] == 0 && f.wav_ok && f.wav_samples == N_SAMPLES,
          "the retried request: '%s', WAV ok %d, %ld samples", f.problem, f.wav_ok,
          f.wav_samples);
    pthread_mutex_unlock(&f.lock);

    /* 500 twice with one retry: fails, says so */
    fake_asr_mode m4b[] = {FA_500};
    fa_script(&f, 1, m4b);
    run_once(a, &r);
    CHECK(r.rc == SZ_ERR_IO && r.stats.attempts == 2 && strstr(r.err, "HTTP 500") &&
              strstr(r.err, "the model crashed"),
          "500 twice: %d, %d attempts, '%s'", r.rc, r.stats.attempts, r.err);

    /* 400: no retry, the server's message */
    fake_asr_mode m5[] = {FA_400, FA_JSON};
    fa_script(&f, 2, m5);
    run_once(a, &r);
    CHECK(r.rc != SZ_OK && r.stats.attempts == 1 && f.n_requests == 1,
          "400: rc %d, %d attempts, %d requests (no retry expected)", r.rc, r.stats.attempts,
          f.n_requests);
    CHECK(strstr(r.err, "Invalid file format xyzzy") && strstr(r.err, "400") &&
              strstr(r.err, "/v1/audio/transcriptions"),
          "400: message '%s'", r.err);
    CHECK(r.stats.http_status == 400, "400: status %d", r.stats.http_status);

    /* garbage */
    fake_asr_mode m6[] = {FA_GARBAGE};
    fa_script(&f, 1, m6);
    run_once(a, &r);
    CHECK(r.rc == SZ_ERR_FORMAT && strstr(r.err, "JSON") && r.text[0] == 0,
          "garbage: %d '%s'", r.rc, r.err);
    asr_destroy(&a);

    /* longer than max_audio_s: cut */
    {
        char url[128];
        snprintf(url, sizeof url, "http://user:pw@127.0.0.1:%d", f.port);
        asr_openai_params p = asr_openai_default_params();
        p.base_url = url;
        p.max_audio_s = 0.5;
        asr *c = NULL;
        char cerr[256];
        CHECK(asr_openai_create(&p, &c, cerr, sizeof cerr) == SZ_OK, "create: %s", cerr);
        if (c) {
            fa_script(&f, 1, m1);
            run_once(c, &r);
            CHECK(r.rc == SZ_OK, "cut: %d %s", r.rc, r.err);
            pthread_mutex_lock(&f.lock);
            CHECK(f.wav_ok && f.wav_samples == 8000, "cut: WAV of %ld samples, expected 8000",
                  f.wav_samples);
            CHECK(strcmp(f.path, "/v1/audio/transcriptions") == 0, "no path: %s", f.path);
            CHECK(strcmp(f.model, "whisper-1") == 0, "default model '%s'", f.model);
            pthread_mutex_unlock(&f.lock);
            CHECK(fabs(r.stats.audio_s - 0.5) < 1e-6, "cut: audio_s %f", r.stats.audio_s);
            /* errors do not show the URL's password */
            fa_script(&f, 1, m5);
            run_once(c, &r);
            CHECK(r.rc != SZ_OK && !strstr(r.err, "pw@") && strstr(r.err, "127.0.0.1"),
                  "the URL's password shown: '%s'", r.err);
            asr_destroy(&c);
        }
    }

    /* slower than timeout_s: SZ_ERR_TIMEOUT, quickly */
    a = make_client(f.port, NULL, NULL, 0.4, 0);
    fake_asr_mode m7[] = {FA_SLOW};
    fa_script(&f, 1, m7);
    f.slow_ms = 5000;
    run_once(a, &r);
    CHECK(r.rc == SZ_ERR_TIMEOUT, "slow: %d '%s'", r.rc, r.err);
    CHECK(r.seconds < 2.5, "slow: took %.2f s with a 0.4 s timeout", r.seconds);
    CHECK(strstr(r.err, "127.0.0.1"), "slow: the URL is not in '%s'", r.err);
    asr_destroy(&a);

    /* cancel from another thread during a slow response */
    a = make_client(f.port, NULL, NULL, 20, 2);
    fa_script(&f, 1, m7);
    f.slow_ms = 10000;
    cancel_arg ca = {a, 300, 0};
    pthread_t th;
    memset(&r, 0, sizeof r);
    r.rc = asr_begin(a, r.err, sizeof r.err);
    asr_feed(a, test_pcm, N_SAMPLES, NULL, 0, r.err, sizeof r.err);
    pthread_create(&th, NULL, cancel_thread, &ca);
    r.rc = asr_finish(a, r.text, sizeof r.text, r.lang, sizeof r.lang, &r.stats, r.err,
                      sizeof r.err);
    int64_t t_ret = clock_now_us();
    pthread_join(th, NULL);
    double after = (double)(t_ret - ca.at_us) / 1e6;
    CHECK(r.rc == SZ_ERR_CANCELLED, "cancel: %d '%s'", r.rc, r.err);
    CHECK(after < 1.0, "cancel: finish returned %.3f s after the cancel", after);
    /* the next utterance works again */
    fa_script(&f, 1, m1);
    run_once(a, &r);
    CHECK(r.rc == SZ_OK, "after a cancel: %d %s", r.rc, r.err);
    asr_destroy(&a);
    fa_stop(&f);

    /* refused: a port nobody listens on */
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = 0};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t sl = sizeof sa;
    int port = 0;
    if (s >= 0 && bind(s, (struct sockaddr *)&sa, sizeof sa) == 0 &&
        getsockname(s, (struct sockaddr *)&sa, &sl) == 0)
        port = ntohs(sa.sin_port);
    if (s >= 0)
        close(s);
    if (port) {
        a = make_client(port, NULL, "sk-secret-key", 5, 1);
        run_once(a, &r);
        char url[128];
        snprintf(url, sizeof url, "http://127.0.0.1:%d/v1/audio/transcriptions", port);
        CHECK(r.rc == SZ_ERR_IO && strstr(r.err, url), "refused: %d '%s'", r.rc, r.err);
        CHECK(!strstr(r.err, "sk-secret-key"), "the key is in the message '%s'", r.err);
        CHECK(r.stats.attempts == 2, "refused: %d attempts, expected 2 (one retry)",
              r.stats.attempts);
        CHECK(r.seconds < 3, "refused: took %.2f s", r.seconds);
        asr_destroy(&a);
    }
    sz_set_log_level(SZ_LOG_WARN);

    /* parameters */
    asr_openai_params p = asr_openai_default_params();
    CHECK(strcmp(p.model, "whisper-1") == 0 && p.timeout_s == 15 && p.connect_timeout_s == 3 &&
              p.max_retries == 1 && p.max_audio_s == 30,
          "defaults");
    const char *bad_urls[] = {NULL, "", "ftp://x/v1", "http://", "http://a b/v1"};
    for (size_t i = 0; i < sizeof bad_urls / sizeof bad_urls[0]; i++) {
        p.base_url = bad_urls[i];
        a = NULL;
        err[0] = 0;
        int rc = asr_openai_create(&p, &a, err, sizeof err);
        CHECK(rc == SZ_ERR_INVALID_ARG && !a && err[0], "bad URL %s accepted", bad_urls[i]);
    }
    p.base_url = "http://127.0.0.1:1/v1";
    p.timeout_s = 0;
    CHECK(asr_openai_create(&p, &a, err, sizeof err) == SZ_ERR_INVALID_ARG, "timeout 0 accepted");
    p.timeout_s = 15;
    p.language = "en\r\nX: y";
    CHECK(asr_openai_create(&p, &a, err, sizeof err) == SZ_ERR_INVALID_ARG,
          "language with a line break accepted");
}

/* ---- the response parser ------------------------------------------------ */

static void test_parser(void)
{
    static const struct {
        const char *body;
        int len; /* -1: strlen */
        int rc;
        const char *text, *lang;
    } cases[] = {
        {"{\"text\":\"hello\"}", -1, SZ_OK, "hello", ""},
        {"  {\"text\":\"  hi there \\n\"}  ", -1, SZ_OK, "hi there", ""},
        {"{\"text\":\"\",\"language\":\"english\"}", -1, SZ_OK, "", "en"},
        {"{\"text\":\"x\",\"language\":\"Chinese\"}", -1, SZ_OK, "x", "zh"},
        {"{\"text\":\"x\",\"language\":\"japanese\"}", -1, SZ_OK, "x", "ja"},
        {"{\"text\":\"x\",\"language\":\"korean\"}", -1, SZ_OK, "x", "ko"},
        {"{\"text\":\"x\",\"language\":\"french\"}", -1, SZ_OK, "x", "fr"},
        {"{\"text\":\"x\",\"language\":\"german\"}", -1, SZ_OK, "x", "de"},
        {"{\"text\":\"x\",\"language\":\"spanish\"}", -1, SZ_OK, "x", "es"},
        {"{\"text\":\"x\",\"language\":\"zh\"}", -1, SZ_OK, "x", "zh"},
        {"{\"text\":\"x\",\"language\":\"EN-us\"}", -1, SZ_OK, "x", "en"},
        {"{\"text\":\"x\",\"language\":\"klingon\"}", -1, SZ_OK, "x", ""},
        {"{\"text\":\"x\",\"language\":42}", -1, SZ_OK, "x", ""},
        {"{\"text\":\"a\\tb\\u0001c\"}", -1, SZ_OK, "a b c", ""},
        {"{\"text\":\"\\u4f60\\u597d\"}", -1, SZ_OK, "\xe4\xbd\xa0\xe5\xa5\xbd", ""},
        {"hello world\n", -1, SZ_OK, "hello world", ""},
        {"  \n", -1, SZ_OK, "", ""},
        {"42", -1, SZ_OK, "42", ""},
        {"", -1, SZ_ERR_FORMAT, NULL, NULL},
        {"{", -1, SZ_ERR_FORMAT, NULL, NULL},
        {"{\"text\": tru", -1, SZ_ERR_FORMAT, NULL, NULL},
        {"{\"text\":42}", -1, SZ_ERR_FORMAT, NULL, NULL},
        {"{\"text\":null}", -1, SZ_ERR_FORMAT, NULL, NULL},
        {"{\"txt\":\"x\"}", -1, SZ_ERR_FORMAT, NULL, NULL},
        {"[\"text\"]", -1, SZ_ERR_FORMAT, NULL, NULL},
        {"{\"error\":{\"message\":\"quota exceeded\"}}", -1, SZ_ERR_FORMAT, NULL, NULL},
        {"<html><body>502 Bad Gateway</body></html>", -1, SZ_ERR_FORMAT, NULL, NULL},
        {"\xff\xfe\x00h", 4, SZ_ERR_FORMAT, NULL, NULL},
        {"caf\xc3", -1, SZ_ERR_FORMAT, NULL, NULL},
        {"a\0b", 3, SZ_ERR_FORMAT, NULL, NULL},
        {"{\"text\":\"\\ud800\"}", -1, SZ_ERR_FORMAT, NULL, NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char text[256], lang[8], err[256];
        size_t len = cases[i].len < 0 ? strlen(cases[i].body) : (size_t)cases[i].len;
        int rc = asr_openai_parse_response(cases[i].body, len, text, sizeof text, lang,
                                           sizeof lang, err, sizeof err);
        if (cases[i].rc == SZ_OK) {
            CHECK(rc == SZ_OK && strcmp(text, cases[i].text) == 0 &&
                      strcmp(lang, cases[i].lang) == 0,
                  "case %zu: rc %d text '%s' lang '%s' err '%s'", i, rc, text, lang, err);
        } else {
            CHECK(rc == cases[i].rc && err[0] && text[0] == 0,
                  "case %zu: rc %d (expected %d) err '%s'", i, rc, cases[i].rc, err);
        }
    }
    /* the server's error message is shown */
    char text[64], lang[8], err[256];
    const char *e = "{\"error\":{\"message\":\"quota exceeded\"}}";
    asr_openai_parse_response(e, strlen(e), text, sizeof text, lang, sizeof lang, err, sizeof err);
    CHECK(strstr(err, "quota exceeded"), "error body: '%s'", err);
    /* over 1 MB */
    size_t big = (1u << 20) + 10;
    char *b = malloc(big);
    if (b) {
        memset(b, 'a', big);
        int rc = asr_openai_parse_response(b, big, text, sizeof text, lang, sizeof lang, err,
                                           sizeof err);
        CHECK(rc == SZ_ERR_FORMAT, "a body over 1 MB accepted: %d", rc);
        /* exactly 1 MB of text is accepted, cut to the buffer */
        rc = asr_openai_parse_response(b, 1u << 20, text, sizeof text, lang, sizeof lang, err,
                                       sizeof err);
        CHECK(rc == SZ_OK && strlen(text) == sizeof text - 1, "1 MB: %d %zu", rc, strlen(text));
        free(b);
    }
    /* cut at a character boundary */
    const char *zh = "{\"text\":\"\xe4\xbd\xa0\xe5\xa5\xbd\xe4\xbd\xa0\xe5\xa5\xbd\"}";
    char small[8];
    int rc = asr_openai_parse_response(zh, strlen(zh), small, sizeof small, NULL, 0, err,
                                       sizeof err);
    CHECK(rc == SZ_OK && strcmp(small, "\xe4\xbd\xa0\xe5\xa5\xbd") == 0, "cut: %d '%s'", rc,
          small);
}

/* ---- pocketsphinx on a real recording ---------------------------------- */

static int words_of(const char *s, char words[][32], int max)
{
    int n = 0;
    char w[32];
    size_t k = 0;
    for (const char *p = s;; p++) {
        unsigned char c = (unsigned char)*p;
        if (c && (isalnum(c) || c == '\'')) {
            if (k + 1 < sizeof w)
                w[k++] = (char)tolower(c);
            continue;
        }
        if (k && n < max) {
            w[k] = 0;
            memcpy(words[n++], w, k + 1);
        }
        k = 0;
        if (!c)
            break;
    }
    return n;
}

static const char *speech_dir(void)
{
    static char buf[600];
    const char *base = getenv("SHUZI_SOURCE_DIR");
    snprintf(buf, sizeof buf, "%s/../shared/data/speech", base ? base : ".");
    return buf;
}

/* The normalized transcript (third column) of id in metadata.csv. */
static int transcript(const char *dir, const char *id, char *out, size_t cap)
{
    char path[700], line[2048];
    snprintf(path, sizeof path, "%s/metadata.csv", dir);
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    int found = -1;
    size_t il = strlen(id);
    while (fgets(line, sizeof line, f))
        if (strncmp(line, id, il) == 0 && line[il] == '|') {
            char *c = strrchr(line, '|');
            snprintf(out, cap, "%s", c + 1);
            found = 0;
            break;
        }
    fclose(f);
    return found;
}

static void test_pocketsphinx(void)
{
    asr_pocketsphinx_params p = asr_pocketsphinx_default_params();
    CHECK(p.partial_every_ms == 300, "partial_every_ms default %d", p.partial_every_ms);
    asr *a = NULL;
    char err[1024] = "";
    p.model_dir = "/nonexistent/model";
    int rc = asr_pocketsphinx_create(&p, &a, err, sizeof err);
    if (rc == SZ_ERR_UNSUPPORTED) {
        CHECK(!a && strstr(err, "pocketsphinx"), "unsupported: '%s'", err);
        printf("pocketsphinx part skipped: built without pocketsphinx\n");
        return;
    }
    CHECK(rc == SZ_ERR_IO && !a && strstr(err, "pocketsphinx-en-us"), "missing model: %d '%s'",
          rc, err);
    p.model_dir = NULL;
    rc = asr_pocketsphinx_create(&p, &a, err, sizeof err);
    if (rc == SZ_ERR_IO) {
        printf("pocketsphinx part skipped: %s\n", err);
        return;
    }
    CHECK(rc == SZ_OK && a, "pocketsphinx: %d %s", rc, err);
    if (!a)
        return;
    CHECK(strcmp(asr_name(a), "pocketsphinx") == 0, "name %s", asr_name(a));
    const char *dir = speech_dir();
    /* two clips the generic model does well on (bench_asr: ~20% and ~33% WER) */
    static const char *const ids[] = {"LJ001-0074", "LJ001-0146"};
    int hit = 0, nr_total = 0, clips_done = 0;
    ls_audio au = {0};
    for (size_t c = 0; c < sizeof ids / sizeof ids[0]; c++) {
        char path[800], ref[1024];
        snprintf(path, sizeof path, "%s/%s.flac", dir, ids[c]);
        lipsync_audio_free(&au);
        if (access(path, R_OK) != 0 || transcript(dir, ids[c], ref, sizeof ref) != 0 ||
            lipsync_audio_load(path, ASR_RATE, &au, err, sizeof err) != SZ_OK) {
            printf("pocketsphinx recording part skipped: %s or its transcript is absent\n", path);
            continue;
        }
        char texts[2][1024];
        int runs = c == 0 ? 2 : 1; /* the first clip twice: the same words both times */
        for (int run = 0; run < runs; run++) {
            int partials = 0;
            char last_partial[1024] = "", partial[1024];
            rc = asr_begin(a, err, sizeof err);
            CHECK(rc == SZ_OK, "begin: %s", err);
            for (size_t i = 0; i < au.n; i += 160) {
                size_t m = au.n - i < 160 ? au.n - i : 160;
                int f = asr_feed(a, au.pcm + i, m, partial, sizeof partial, err, sizeof err);
                CHECK(f >= 0, "feed: %s", err);
                if (f == 1) {
                    partials++;
                    CHECK(strcmp(partial, last_partial) != 0, "a partial repeated: '%s'",
                          partial);
                    snprintf(last_partial, sizeof last_partial, "%s", partial);
                }
            }
            char lang[8];
            asr_stats st;
            rc = asr_finish(a, texts[run], sizeof texts[run], lang, sizeof lang, &st, err,
                            sizeof err);
            CHECK(rc == SZ_OK, "finish: %s", err);
            CHECK(strcmp(lang, "en") == 0, "lang '%s'", lang);
            CHECK(fabs(st.audio_s - (double)au.n / ASR_RATE) < 1e-6 && st.attempts == 0,
                  "stats audio_s %f attempts %d", st.audio_s, st.attempts);
            CHECK(partials >= 2, "%s run %d: %d partials while feeding %.1f s", ids[c], run,
                  partials, (double)au.n / ASR_RATE);
            printf("pocketsphinx %s run %d: '%s' (%d partials, finish %.1f ms)\n", ids[c], run,
                   texts[run], partials, st.finish_us / 1000.0);
        }
        if (runs == 2)
            CHECK(strcmp(texts[0], texts[1]) == 0, "two runs differ: '%s' / '%s'", texts[0],
                  texts[1]);
        printf("  reference: %s", ref);
        static char rw[128][32], hw[128][32];
        int nr = words_of(ref, rw, 128), nh = words_of(texts[0], hw, 128);
        for (int i = 0; i < nr; i++)
            for (int j = 0; j < nh; j++)
                if (strcmp(rw[i], hw[j]) == 0) {
                    hit++;
                    hw[j][0] = 0; /* each word once */
                    break;
                }
        nr_total += nr;
        clips_done++;
    }
    if (clips_done)
        CHECK(nr_total > 0 && hit * 2 >= nr_total, "only %d of %d reference words recognized",
              hit, nr_total);
    if (!au.pcm) {
        asr_destroy(&a);
        return;
    }

    /* cancel: finish answers SZ_ERR_CANCELLED; the next utterance works */
    asr_begin(a, err, sizeof err);
    asr_feed(a, au.pcm, au.n < 8000 ? au.n : 8000, NULL, 0, err, sizeof err);
    asr_cancel(a);
    char t[256];
    rc = asr_finish(a, t, sizeof t, NULL, 0, NULL, err, sizeof err);
    CHECK(rc == SZ_ERR_CANCELLED, "cancelled finish: %d", rc);
    lipsync_audio_free(&au);
    asr_destroy(&a);
}

int main(void)
{
    test_parser();
    test_openai();
    test_pocketsphinx();
    return check_summary("test_asr");
}
