/* SPDX-License-Identifier: Apache-2.0 */
/* test_api.c: the control API and the conversation host on a live session
 * (espeak voice, WAV output): request validation and status codes, bearer
 * tokens, body limits, the loopback rule; /v1/chat answered through a fake
 * OpenAI server clause by clause; /v1/interrupt silencing speech and
 * cancelling the LLM request; comments filtered, queued and answered in
 * turn; products presented in turn; /v1/events and /metrics contents. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/api.h"
#include "engine/api_parse.h"
#include "engine/host.h"
#include "fake_openai.h"
#include "shuzi.h"

#include "check.h"

#if defined(SHUZI_HAVE_CURL) && defined(SHUZI_HAVE_MHD)

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "files.h"
#include "http_buf.h"

/* ---- an HTTP client ---------------------------------------------------- */

static int port_g;

/* Returns the HTTP status; the body goes to out (malloc'd, caller frees). */
static long http(const char *method, const char *path, const char *body, const char *auth,
                 char **out, char *allow, size_t allow_cap)
{
    char url[256];
    snprintf(url, sizeof url, "http://127.0.0.1:%d%s", port_g, path);
    CURL *h = curl_easy_init();
    buf b = {NULL, 0, PTHREAD_MUTEX_INITIALIZER};
    buf hd = {NULL, 0, PTHREAD_MUTEX_INITIALIZER};
    struct curl_slist *hs = NULL;
    if (auth)
        hs = curl_slist_append(hs, auth);
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
    if (body) {
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
        hs = curl_slist_append(hs, "Content-Type: application/json");
    }
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hs);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, buf_write);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &b);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, buf_write);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, &hd);
    curl_easy_setopt(h, CURLOPT_TIMEOUT, 10L);
    long status = 0;
    if (curl_easy_perform(h) == CURLE_OK)
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    if (allow) {
        allow[0] = 0;
        const char *a = hd.p ? strcasestr(hd.p, "\nAllow: ") : NULL;
        if (a)
            sscanf(a + 8, "%63[^\r\n]", allow);
        (void)allow_cap;
    }
    free(hd.p);
    curl_slist_free_all(hs);
    curl_easy_cleanup(h);
    if (out)
        *out = b.p ? b.p : strdup("");
    else
        free(b.p);
    return status;
}

static long post(const char *path, const char *body, char **out)
{
    return http("POST", path, body, NULL, out, NULL, 0);
}

/* ---- an /v1/events reader ---------------------------------------------- */

typedef struct sse_reader {
    pthread_t t;
    buf b;
    volatile int stop;
    char query[128];
} sse_reader;

static int sse_progress(void *user, curl_off_t a, curl_off_t b, curl_off_t c, curl_off_t d)
{
    (void)a, (void)b, (void)c, (void)d;
    return ((sse_reader *)user)->stop;
}

static void *sse_main(void *arg)
{
    sse_reader *r = arg;
    char url[256];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/v1/events%s", port_g, r->query);
    CURL *h = curl_easy_init();
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, buf_write);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &r->b);
    curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, sse_progress);
    curl_easy_setopt(h, CURLOPT_XFERINFODATA, r);
    curl_easy_perform(h);
    curl_easy_cleanup(h);
    return NULL;
}

static void sse_start(sse_reader *r, const char *query)
{
    memset(r, 0, sizeof *r);
    pthread_mutex_init(&r->b.lock, NULL);
    snprintf(r->query, sizeof r->query, "%s", query ? query : "");
    pthread_create(&r->t, NULL, sse_main, r);
    usleep(300000); /* connected before anything happens */
}

static void sse_stop(sse_reader *r)
{
    r->stop = 1;
    pthread_join(r->t, NULL);
    free(r->b.p);
}

/* Waits until the events contain needle, up to secs. Returns its offset in
 * the stream (the order of events), or -1. */
static long sse_wait(sse_reader *r, const char *needle, double secs)
{
    for (int i = 0; i < (int)(secs * 50); i++) {
        pthread_mutex_lock(&r->b.lock);
        const char *hit = r->b.p ? strstr(r->b.p, needle) : NULL;
        long off = hit ? (long)(hit - r->b.p) : -1;
        pthread_mutex_unlock(&r->b.lock);
        if (off >= 0)
            return off;
        usleep(20000);
    }
    return -1;
}

static int count(const char *hay, const char *needle)
{
    int n = 0;
    for (const char *p = hay ? strstr(hay, needle) : NULL; p; p = strstr(p + 1, needle))
        n++;
    return n;
}

/* ---- a live session with a host ---------------------------------------- */

typedef struct room {
    sz_engine *e;
    sz_session *s;
    host *h;
    api_server *api;
    llm_backend *llm;
    char dir[64];
} room;

static int room_open(room *r, llm_backend *llm, host_params hp, const char *token)
{
    memset(r, 0, sizeof *r);
    r->llm = llm;
    snprintf(r->dir, sizeof r->dir, "/tmp/shuzi-api-XXXXXX");
    if (!mkdtemp(r->dir))
        return -1;
    char err[512];
    hp.llm = llm;
    if (host_create(&hp, &r->h, err, sizeof err) != SZ_OK) {
        fprintf(stderr, "host: %s\n", err);
        return -1;
    }
    if (sz_engine_create(sz_engine_default_params(), &r->e) != SZ_OK)
        return -1;
    sz_session_params sp = sz_session_default_params();
    sp.pacing = SZ_PACING_LIVE;
    sp.voice = "espeak:en-us";
    host_attach(r->h, &sp);
    if (sz_session_create(r->e, sp, &r->s) != SZ_OK) {
        fprintf(stderr, "session: %s\n", sz_engine_last_error(r->e));
        return -1;
    }
    char wav[128];
    snprintf(wav, sizeof wav, "%s/room.wav", r->dir);
    if (sz_session_add_output(r->s, wav, NULL) != SZ_OK || sz_session_start(r->s) != SZ_OK) {
        fprintf(stderr, "output: %s\n", sz_session_last_error(r->s));
        return -1;
    }
    api_params ap = api_default_params();
    ap.port = 0;
    ap.token = token;
    ap.max_body_bytes = 4096;
    ap.max_event_clients = 2;
    if (api_start(&ap, r->h, &r->api, err, sizeof err) != SZ_OK) {
        fprintf(stderr, "api: %s\n", err);
        return -1;
    }
    port_g = api_port(r->api);
    return 0;
}

/* The host starts answering and presenting (after the event reader is on). */
static int room_go(room *r)
{
    return host_start(r->h, r->s) == SZ_OK ? 0 : -1;
}

static void room_close(room *r)
{
    api_stop(&r->api);
    if (r->h)
        host_stop(r->h);
    if (r->s) {
        sz_session_interrupt(r->s);
        sz_session_finish(r->s);
    }
    sz_session_free(&r->s);
    host_free(&r->h);
    sz_engine_free(&r->e);
    llm_backend_free(&r->llm);
    remove_tree(r->dir);
}

static llm_backend *openai_backend(fake_llm *f)
{
    char url[128], err[512];
    fake_url(f, url, sizeof url);
    llm_openai_params p = llm_openai_default_params();
    p.base_url = url;
    p.model = "fake";
    p.max_retries = 0;
    llm_backend *b = NULL;
    if (llm_openai_create(&p, &b, err, sizeof err) != SZ_OK)
        fprintf(stderr, "%s\n", err);
    return b;
}

/* ---- the tests --------------------------------------------------------- */

static void test_validation(void)
{
    fake_llm f;
    if (fake_start(&f) != 0) {
        CHECK(0, "fake server");
        return;
    }
    room r;
    host_params hp = host_default_params();
    if (room_open(&r, openai_backend(&f), hp, NULL) != 0 || room_go(&r) != 0) {
        CHECK(0, "room");
        fake_stop(&f);
        return;
    }
    char *out = NULL, allow[64];
    struct {
        const char *method, *path, *body;
        long status;
        const char *contains;
    } cases[] = {
        {"POST", "/v1/say", "{}", 400, "exactly one of \\\"text\\\" and \\\"ssml\\\""},
        {"POST", "/v1/say", "not json", 400, "body:1:1: invalid JSON"},
        {"POST", "/v1/say", "[1]", 400, "expected a JSON object"},
        {"POST", "/v1/say", "{\"text\": \"  \"}", 400, "\\\"text\\\": empty"},
        {"POST", "/v1/say", "{\"text\": \"a\", \"loud\": true}", 400, "loud: unknown key"},
        {"POST", "/v1/say", "{\"ssml\": \"hello\"}", 400, "expected a <speak> document"},
        /* malformed SSML: where and what, as `shuzi say --ssml` says it */
        {"POST", "/v1/say", "{\"ssml\": \"<speak><p>hi</speak>\"}", 400,
         "{\"error\": \"ssml: line 1, column 13: expected </p> (opened at line 1, column 8), "
         "found </speak>\""},
        {"POST", "/v1/say", "{\"text\": \"Hi\", \"interrupt\": 1}", 400, "expected true or false"},
        {"POST", "/v1/chat", "{\"message\": 5}", 400, "\\\"message\\\": expected a string"},
        {"POST", "/v1/chat", "", 400, "the request body is empty"},
        {"POST", "/v1/comments", "{\"user\": \"bob\"}", 400, "\\\"text\\\" is required"},
        {"POST", "/v1/comments", "{\"user\": \"bob\", \"text\": \"see http://x.y\"}", 422,
         "links are not answered"},
        {"POST", "/v1/interrupt", "{\"now\": true}", 400, "takes no fields"},
        {"GET", "/v1/say", NULL, 405, "expected POST"},
        {"POST", "/v1/status", "{}", 405, "expected GET"},
        {"GET", "/nope", NULL, 404, "no such endpoint"},
        {"GET", "/v1/events?types=marks", NULL, 400, "unknown name 'marks'"},
        {"POST", "/v1/say", "{\"text\": \"Hello there.\"}", 200, "\"utterance_id\": "},
        {"POST", "/v1/interrupt", "", 200, "\"ok\": true"},
        {"GET", "/v1/status", NULL, 200, "\"mode\": \"live\""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        long st =
            http(cases[i].method, cases[i].path, cases[i].body, NULL, &out, allow, sizeof allow);
        CHECK(st == cases[i].status && strstr(out, cases[i].contains),
              "%s %s %s: %ld '%s' (want %ld '%s')", cases[i].method, cases[i].path,
              cases[i].body ? cases[i].body : "", st, out, cases[i].status, cases[i].contains);
        if (cases[i].status == 405)
            CHECK(strcmp(allow, strcmp(cases[i].method, "GET") == 0 ? "POST" : "GET") == 0,
                  "Allow header '%s'", allow);
        free(out);
    }
    /* said right after an interrupt (nothing speaking): it must be spoken,
     * the interrupt only drops what came before it */
    sse_reader ev;
    sse_start(&ev, "?types=mark&marks=word");
    static const char *const names[] = {"alpha", "bravo", "charlie"};
    for (int i = 0; i < 3; i++) {
        char body[96];
        snprintf(body, sizeof body, "{\"text\": \"Right away, %s.\", \"interrupt\": true}",
                 names[i]);
        long st = post("/v1/say", body, &out);
        CHECK(st == 200, "say with interrupt: %ld %s", st, out);
        free(out);
        char word[64];
        snprintf(word, sizeof word, "\"value\": \"%s\"", names[i]);
        CHECK(sse_wait(&ev, word, 5) >= 0, "'Right away, %s.' spoken after its interrupt",
              names[i]);
        host_wait_idle(r.h, 5000000);
        usleep(300000);
    }
    sse_stop(&ev);
    /* a body over the limit (4096 here) */
    char big[6000];
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = 0;
    memcpy(big, "{\"text\": \"", 10);
    long st = post("/v1/say", big, &out);
    CHECK(st == 413 && strstr(out, "larger than 4096 bytes"), "413: %ld %s", st, out);
    free(out);
    /* more event readers than allowed */
    sse_reader a, b2;
    sse_start(&a, NULL);
    sse_start(&b2, NULL);
    st = http("GET", "/v1/events", NULL, NULL, &out, NULL, 0);
    CHECK(st == 503 && strstr(out, "too many event readers"), "503: %ld %s", st, out);
    free(out);
    sse_stop(&a);
    sse_stop(&b2);
    room_close(&r);
    fake_stop(&f);
}

/* A host answering from the built-in FAQ (the caller frees both). */
static llm_backend *faq_host(host **h)
{
    char err[512];
    llm_backend *faq = NULL;
    const char *t = llm_faq_default_text();
    llm_faq_create(t, strlen(t), "faq", &faq, err, sizeof err);
    host_params hp = host_default_params();
    hp.llm = faq;
    host_create(&hp, h, err, sizeof err);
    return faq;
}

static void test_token_and_loopback(void)
{
    char err[512];
    api_params ap = api_default_params();
    ap.host = "0.0.0.0";
    ap.port = 0;
    api_server *a = NULL;
    host *h = NULL;
    llm_backend *faq = faq_host(&h);
    int rc = api_start(&ap, h, &a, err, sizeof err);
    CHECK(rc == SZ_ERR_INVALID_ARG && a == NULL && strstr(err, "without a token"),
          "0.0.0.0 without a token: %d '%s'", rc, err);
    ap.host = "127.0.0.1";
    ap.token = "s3cret-token";
    rc = api_start(&ap, h, &a, err, sizeof err);
    CHECK(rc == SZ_OK, "with token: %s", err);
    if (rc == SZ_OK) {
        port_g = api_port(a);
        char *out;
        long st = http("GET", "/v1/status", NULL, NULL, &out, NULL, 0);
        CHECK(st == 401 && strstr(out, "missing"), "no token: %ld %s", st, out);
        free(out);
        st = http("GET", "/v1/status", NULL, "Authorization: Bearer wrong", &out, NULL, 0);
        CHECK(st == 401 && strstr(out, "wrong token"), "wrong token: %ld %s", st, out);
        free(out);
        st = http("GET", "/metrics", NULL, "Authorization: Bearer s3cret-token", &out, NULL, 0);
        CHECK(st == 200 && strstr(out, "# TYPE shuzi_interrupt_seconds histogram"),
              "right token: %ld", st);
        free(out);
        api_stop(&a);
    }
    CHECK(api_check_bearer("bearer  s3cret-token ", "s3cret-token") == 1, "bearer parsing");
    CHECK(api_check_bearer("Bearer s3cret-toke", "s3cret-token") == 0, "prefix is not enough");
    CHECK(api_check_bearer("Basic s3cret-token", "s3cret-token") == 0, "basic auth refused");
    CHECK(api_host_is_loopback("127.0.0.2") && api_host_is_loopback("::1") &&
              api_host_is_loopback("localhost") && !api_host_is_loopback("10.0.0.1") &&
              !api_host_is_loopback("::") && !api_host_is_loopback("example.com"),
          "loopback rule");
    host_free(&h);
    llm_backend_free(&faq);
}

/* An idle TCP connection to the API from the loopback address src. */
static int raw_connect(const char *src)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET};
    inet_pton(AF_INET, src, &a.sin_addr);
    struct sockaddr_in d = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port_g)};
    d.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd >= 0 && (bind(fd, (struct sockaddr *)&a, sizeof a) != 0 ||
                    connect(fd, (struct sockaddr *)&d, sizeof d) != 0)) {
        close(fd);
        fd = -1;
    }
    return fd;
}

/* 1 when the server closed fd within secs. */
static int raw_closed_within(int fd, double secs)
{
    struct pollfd p = {.fd = fd, .events = POLLIN};
    char c;
    return poll(&p, 1, (int)(secs * 1000)) == 1 && recv(fd, &c, 1, 0) <= 0;
}

/* One address holding idle connections cannot starve the others. */
static void test_connection_limits(void)
{
    char err[512];
    api_params ap = api_default_params();
    ap.port = 0;
    ap.max_per_ip = -1;
    api_server *a = NULL;
    host *h = NULL;
    llm_backend *faq = faq_host(&h);
    CHECK(api_start(&ap, h, &a, err, sizeof err) == SZ_ERR_INVALID_ARG, "a negative limit");
    ap.max_per_ip = 4;
    int rc = api_start(&ap, h, &a, err, sizeof err);
    CHECK(rc == SZ_OK, "start: %s", err);
    if (rc == SZ_OK) {
        port_g = api_port(a);
        int held[4], n = 0;
        for (int i = 0; i < 4; i++)
            n += (held[i] = raw_connect("127.0.0.2")) >= 0;
        CHECK(n == 4, "4 idle connections from 127.0.0.2: %d", n);
        int extra = raw_connect("127.0.0.2");
        CHECK(extra < 0 || raw_closed_within(extra, 2.0),
              "a fifth from the same address is closed at once");
        if (extra >= 0)
            close(extra);
        CHECK(!raw_closed_within(held[0], 0.3), "the first ones stay open");
        char *out;
        long st = http("GET", "/v1/status", NULL, NULL, &out, NULL, 0);
        CHECK(st == 200 && strstr(out, "\"state\""), "127.0.0.1 still served: %ld", st);
        free(out);
        for (int i = 0; i < 4; i++)
            if (held[i] >= 0)
                close(held[i]);
        api_stop(&a);
    }
    host_free(&h);
    llm_backend_free(&faq);
}

/* A chat answered clause by clause; then an interrupt in the middle of a
 * slow answer. */
static void test_chat_and_interrupt(void)
{
    fake_llm f;
    if (fake_start(&f) != 0) {
        CHECK(0, "fake server");
        return;
    }
    room r;
    host_params hp = host_default_params();
    hp.persona = "You are Mia, the bank's assistant.";
    if (room_open(&r, openai_backend(&f), hp, NULL) != 0) {
        CHECK(0, "room");
        fake_stop(&f);
        return;
    }
    sse_reader ev;
    sse_start(&ev, NULL);
    room_go(&r);
    char *out;
    long st = post("/v1/chat", "{\"message\": \"When are you open?\"}", &out);
    CHECK(st == 202 && strstr(out, "\"request_id\": "), "chat: %ld %s", st, out);
    free(out);
    /* the pieces the cutter made, each sent to speech */
    CHECK(sse_wait(&ev, "\"text\": \"Hello!\"", 10) >= 0, "first piece 'Hello!'");
    CHECK(sse_wait(&ev, "\"text\": \"Our opening hours are nine to five, Monday to Friday.\"",
                   10) >= 0,
          "second piece");
    CHECK(sse_wait(&ev, "\"text\": \"Is there anything else?\"", 10) >= 0, "third piece");
    CHECK(sse_wait(&ev, "\"type\": \"word\", \"value\": \"opening\"", 15) >= 0,
          "word marks of the answer");
    CHECK(sse_wait(&ev, "\"value\": \"else\"", 20) >= 0, "the last word spoken");
    /* the persona was sent as the system message */
    CHECK(f.body && strstr(f.body, "\"role\":\"system\",\"content\":\"You are Mia"),
          "persona in the request: %.200s", f.body ? f.body : "");
    host_wait_idle(r.h, 20000000);
    CHECK(sse_wait(&ev, "\"state\": \"idle\", \"utterance_id\": 2,", 5) >= 0, "last idle");
    pthread_mutex_lock(&ev.b.lock);
    int speaking = count(ev.b.p, "\"state\": \"speaking\"");
    int idle = count(ev.b.p, "\"state\": \"idle\"");
    pthread_mutex_unlock(&ev.b.lock);
    CHECK(speaking == 3 && idle == 3, "3 utterances spoken: speaking %d idle %d", speaking, idle);
    double v;
    CHECK(metrics_quantile(host_metrics(r.h), MT_FIRST_AUDIO, 0.5, &v) == 1 && v > 0 && v < 5,
          "first-audio latency observed: %g s", v);
    printf("first LLM text -> first audio: %.1f ms\n", v * 1000);

    /* the history holds the exchange: a second question sends 4 messages */
    post("/v1/chat", "{\"message\": \"And on Sunday?\"}", NULL);
    host_wait_idle(r.h, 20000000);
    CHECK(f.body && strstr(f.body, "When are you open?") && strstr(f.body, "And on Sunday?") &&
              strstr(f.body, "\"role\":\"assistant\""),
          "history sent with the second question");

    /* interrupt a slow answer while it is spoken */
    static const char *const slow[] = {
        "Let",        " me",    " tell",   " you",      " about", " our",   " savings",
        " accounts,", " which", " pay",    " interest", " every", " month", " and",
        " have",      " no",    " fees",   " at",       " all.",  " You",   " can",
        " open",      " one",   " online", " today.",   NULL};
    f.tokens = slow;
    f.token_delay_ms = 150;
    post("/v1/chat", "{\"message\": \"Tell me about savings.\"}", NULL);
    CHECK(sse_wait(&ev, "\"text\": \"Let me tell you about our savings accounts,\"", 10) >= 0,
          "slow answer: first clause said");
    CHECK(sse_wait(&ev, "\"value\": \"savings\"", 10) >= 0, "slow answer speaking");
    st = post("/v1/interrupt", "{}", &out);
    CHECK(st == 200, "interrupt: %ld %s", st, out);
    free(out);
    CHECK(sse_wait(&ev, "\"state\": \"interrupted\"", 5) >= 0, "interrupted state");
    for (int i = 0; i < 100 && !f.client_closed; i++)
        usleep(10000);
    CHECK(f.client_closed, "the LLM request was cancelled (the server saw it go)");
    usleep(500000);
    pthread_mutex_lock(&ev.b.lock);
    int later = count(ev.b.p, "today.");
    pthread_mutex_unlock(&ev.b.lock);
    CHECK(later == 0, "nothing after the interrupt was said");
    double iv, cv;
    int64_t ni = metrics_quantile(host_metrics(r.h), MT_INTERRUPT, 0.5, &iv);
    int64_t nc = metrics_quantile(host_metrics(r.h), MT_LLM_CANCEL, 0.5, &cv);
    CHECK(ni == 1 && iv >= 0.02 && iv < 1, "interrupt latency observed: %lld, %g s", (long long)ni,
          iv);
    CHECK(nc == 1 && cv >= 0 && cv < 1, "LLM cancel latency observed: %lld, %g s", (long long)nc,
          cv);
    printf("interrupt -> silence: %.1f ms; interrupt -> LLM request stopped: %.1f ms\n", iv * 1000,
           cv * 1000);
    st = http("GET", "/v1/status", NULL, NULL, &out, NULL, 0);
    CHECK(st == 200 && strstr(out, "\"state\": \"idle\"") && strstr(out, "\"backend\": \"openai\""),
          "status idle after interrupt: %s", out);
    free(out);
    st = http("GET", "/metrics", NULL, NULL, &out, NULL, 0);
    CHECK(st == 200 && strstr(out, "shuzi_interrupt_seconds_count 1") &&
              strstr(out, "shuzi_first_audio_seconds_count 3") &&
              strstr(out, "shuzi_llm_requests_total{result=\"cancelled\"} 1") &&
              strstr(out, "shuzi_frames_total ") && strstr(out, "shuzi_output_reconnects_total") &&
              strstr(out, "shuzi_queue_depth{queue=\"comments\"} 0"),
          "metrics page: %.3000s", out);
    free(out);

    /* the LLM fails before saying anything: the error reply is spoken */
    f.tokens = NULL;
    f.token_delay_ms = 0;
    f.http_status = 500;
    fake_script(&f, 1, (fake_mode[]){FAKE_HTTP_ERROR});
    post("/v1/chat", "{\"message\": \"Hello?\"}", NULL);
    CHECK(sse_wait(&ev, "event: error", 10) >= 0 && sse_wait(&ev, "HTTP 500", 1) >= 0,
          "error event");
    CHECK(sse_wait(&ev, "\"text\": \"Sorry, I cannot answer that right now.\"", 10) >= 0,
          "the error reply is said");
    sse_stop(&ev);
    room_close(&r);
    fake_stop(&f);
}

/* FAQ backend: comments queued, filtered and answered in turn; products
 * presented in turn between them. */
static void test_comments_and_products(void)
{
    char err[512];
    const char *faq_text = "Q: shipping | delivery\nA: We ship within a day.\n"
                           "Q: return\nA: Returns are free for seven days.\n"
                           "DEFAULT: Thanks for your comment.\n";
    llm_backend *faq = NULL;
    CHECK(llm_faq_create(faq_text, strlen(faq_text), "t.faq", &faq, err, sizeof err) == SZ_OK, "%s",
          err);
    static const host_product products[] = {
        {.name = "red kettle",
         .price = "199 yuan",
         .description = "It boils a litre in three minutes.",
         .keywords = "kettle"},
        {.name = "green teapot", .price = "88 yuan", .pitch = "Our green teapot keeps tea warm."},
    };
    host_params hp = host_default_params();
    hp.products = products;
    hp.n_products = 2;
    hp.present = 1;
    hp.present_gap_s = 0.2;
    hp.comment_queue_max = 2;
    hp.comment_user_interval_s = 5;
    static const char *const block[] = {"idiot"};
    hp.blocklist = block;
    hp.n_blocklist = 1;
    room r;
    if (room_open(&r, faq, hp, NULL) != 0) {
        CHECK(0, "room");
        return;
    }
    sse_reader ev;
    sse_start(&ev, "?types=text,present,comment,state");
    room_go(&r);
    /* the first product starts at once */
    CHECK(sse_wait(&ev, "\"text\": \"Next up: red kettle.\"", 10) >= 0, "product 1 pitch");
    char *out;
    long st =
        post("/v1/comments", "{\"user\": \"ann\", \"text\": \"How long is delivery?\"}", &out);
    CHECK(st == 202, "comment 1: %ld %s", st, out);
    free(out);
    st = post("/v1/comments", "{\"user\": \"ann\", \"text\": \"And returns?\"}", &out);
    CHECK(st == 422 && strstr(out, "one comment per 5 s"), "rate limit per user: %ld %s", st, out);
    free(out);
    st = post("/v1/comments", "{\"user\": \"bob\", \"text\": \"you IDIOT\"}", &out);
    CHECK(st == 422 && strstr(out, "blocked word"), "blocklist: %ld %s", st, out);
    free(out);
    st = post("/v1/comments", "{\"user\": \"cat\", \"text\": \"Can I return it?\"}", &out);
    CHECK(st == 202, "comment 2: %ld %s", st, out);
    free(out);
    st = post("/v1/comments", "{\"user\": \"dan\", \"text\": \"How much is the kettle?\"}", &out);
    int third_ok = st == 202;
    free(out);
    st = post("/v1/comments", "{\"user\": \"eve\", \"text\": \"hi\"}", &out);
    CHECK(st == 429 || !third_ok, "queue of 2 full: %ld %s", st, out);
    free(out);
    /* answered in turn, after the product being presented */
    long p1 = sse_wait(&ev, "\"text\": \"We ship within a day.\"", 30);
    long p2 = sse_wait(&ev, "\"text\": \"Returns are free for seven days.\"", 30);
    long pitch_end = sse_wait(&ev, "three minutes.", 5);
    CHECK(p1 >= 0 && p2 >= 0 && pitch_end >= 0 && pitch_end < p1 && p1 < p2,
          "the pitch (%ld), then comment 1 (%ld), then comment 2 (%ld)", pitch_end, p1, p2);
    if (third_ok)
        CHECK(sse_wait(&ev, "\"text\": \"The red kettle is 199 yuan.\"", 30) >= 0,
              "a product question answered from the product list");
    /* then the next product */
    long p3 = sse_wait(&ev, "\"text\": \"Our green teapot keeps tea warm.\"", 30);
    CHECK(p3 > p2, "product 2 presented after the comments (%ld > %ld)", p3, p2);

    pthread_mutex_lock(&ev.b.lock);
    int marks = count(ev.b.p, "event: mark");
    pthread_mutex_unlock(&ev.b.lock);
    CHECK(marks == 0, "the types filter keeps marks out (%d)", marks);
    st = http("GET", "/metrics", NULL, NULL, &out, NULL, 0);
    CHECK(strstr(out, "shuzi_comments_total{result=\"filtered\"} 2") &&
              strstr(out, "shuzi_products_presented_total "),
          "comment metrics: %.2000s", out);
    free(out);
    sse_stop(&ev);
    room_close(&r);
}

/* Near-identical comments queued together are answered once, naming the
 * viewers, and the presentation goes on between answers (comment_burst). */
static void test_merged_comments(void)
{
    char err[512];
    const char *faq_text = "Q: shipping | delivery\nA: We ship within a day.\n"
                           "DEFAULT: Thanks for your comment.\n";
    llm_backend *faq = NULL;
    CHECK(llm_faq_create(faq_text, strlen(faq_text), "t.faq", &faq, err, sizeof err) == SZ_OK, "%s",
          err);
    static const host_product products[] = {
        {.name = "red kettle",
         .price = "199 yuan",
         .description = "It boils a litre in three minutes.",
         .pitch = "Here is our red kettle. It boils a litre in three minutes, and it switches "
                  "itself off when the water boils, so it is safe.",
         .keywords = "kettle"},
        {.name = "green teapot", .price = "88 yuan", .pitch = "Our green teapot keeps tea warm."},
    };
    host_params hp = host_default_params();
    hp.products = products;
    hp.n_products = 2;
    hp.present = 1;
    hp.present_gap_s = 0.2;
    hp.comment_burst = 1;
    room r;
    if (room_open(&r, faq, hp, NULL) != 0) {
        CHECK(0, "room");
        return;
    }
    sse_reader ev;
    sse_start(&ev, "?types=text,present,comment");
    room_go(&r);
    CHECK(sse_wait(&ev, "Here is our red kettle.", 10) >= 0, "the first pitch");
    /* asked while the pitch is spoken */
    const char *comments[] = {
        "{\"user\": \"ann\", \"text\": \"How much is the kettle?\"}",
        "{\"user\": \"bob\", \"text\": \"how much is the kettle??\"}",
        "{\"user\": \"dan\", \"text\": \"How long is delivery?\"}",
        "{\"user\": \"cat\", \"text\": \"Kettle price?\"}",
    };
    for (int i = 0; i < 4; i++) {
        char *out;
        long st = post("/v1/comments", comments[i], &out);
        CHECK(st == 202, "comment %d: %ld %s", i, st, out);
        free(out);
    }
    long named = sse_wait(&ev, "asked about the price of the red kettle", 30);
    long price = sse_wait(&ev, "The red kettle is 199 yuan.", 10);
    long teapot = sse_wait(&ev, "Our green teapot keeps tea warm.", 30);
    long ship = sse_wait(&ev, "We ship within a day.", 30);
    pthread_mutex_lock(&ev.b.lock);
    int merged = count(ev.b.p, "\"status\": \"merged\"");
    int prices = count(ev.b.p, "199 yuan");
    const char *who = ev.b.p ? strstr(ev.b.p, "ann, bob and cat") : NULL;
    pthread_mutex_unlock(&ev.b.lock);
    CHECK(named >= 0 && price > named && who && merged == 2 && prices == 1,
          "three viewers answered once, by name (merged %d, price said %d times)", merged, prices);
    CHECK(teapot > price && ship > teapot, "the next product between the answers (%ld < %ld < %ld)",
          price, teapot, ship);
    sse_stop(&ev);
    room_close(&r);
}

int main(void)
{
    sz_set_log_level(SZ_LOG_ERROR);
    curl_global_init(CURL_GLOBAL_ALL);
    test_token_and_loopback();
    test_connection_limits();
    test_validation();
    test_chat_and_interrupt();
    test_comments_and_products();
    test_merged_comments();
    curl_global_cleanup();
    return check_summary("test_api");
}

#else

int main(void)
{
    printf("SKIP: built without libcurl or libmicrohttpd (./setup.sh installs them)\n");
    return 77;
}

#endif
