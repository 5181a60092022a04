/* SPDX-License-Identifier: Apache-2.0 */
/* test_llm.c: the text sources. The SSE decoder and OpenAI chunk parser on
 * exact and malformed input; the streaming client against a local fake
 * server speaking the real protocol (normal, slow, truncated, malformed,
 * HTTP and in-stream errors, retries with backoff, timeouts, cancellation);
 * the FAQ backend (file format errors, matching) and the conversation budget. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "fake_openai.h"
#include "llm/conversation.h"
#include "llm/llm.h"
#include "llm/sse.h"
#include "shuzi.h"

#include "check.h"

/* ---- SSE decoder ------------------------------------------------------ */

typedef struct evlog {
    char text[4096];
    int n;
} evlog;

static int log_event(void *user, const sse_event *ev)
{
    evlog *l = user;
    size_t k = strlen(l->text);
    snprintf(l->text + k, sizeof l->text - k, "[%s|%s|%s]", ev->event, ev->data, ev->id);
    l->n++;
    return 0;
}

static void sse_case(const char *what, const char *in, const char *want)
{
    size_t steps[] = {1, 2, 5, 100000};
    for (size_t s = 0; s < sizeof steps / sizeof steps[0]; s++) {
        sse_decoder d;
        evlog l = {"", 0};
        sse_init(&d, log_event, &l);
        size_t n = strlen(in);
        int rc = 0;
        for (size_t i = 0; i < n && rc == 0; i += steps[s])
            rc = sse_feed(&d, in + i, n - i < steps[s] ? n - i : steps[s]);
        if (rc == 0)
            rc = sse_end(&d);
        CHECK(rc == 0 && strcmp(l.text, want) == 0, "sse %s (step %zu): got '%s', want '%s'", what,
              steps[s], l.text, want);
        sse_free(&d);
    }
}

static void test_sse(void)
{
    sse_case("two events", "data: a\n\ndata: b\n\n", "[|a|][|b|]");
    sse_case("CRLF and CR", "data: a\r\n\r\ndata: b\r\rdata:c\n\n", "[|a|][|b|][|c|]");
    sse_case("multi-line data", "data: one\ndata: two\n\n", "[|one\ntwo|]");
    sse_case("comments and fields", ": ping\nevent: delta\nid: 7\ndata:  x\nretry: 5\n\n",
             "[delta| x|7]");
    sse_case("BOM",
             "\xEF\xBB\xBF"
             "data: z\n\n",
             "[|z|]");
    sse_case("no data: dropped", "event: x\n\ndata: y\n\n", "[|y|]");
    sse_case("unterminated last event", "data: last", "[|last|]");
    sse_case("field without colon", "data\n\n", "[||]");

    sse_decoder d;
    evlog l = {"", 0};
    sse_init(&d, log_event, &l);
    char *big = malloc(SSE_MAX_LINE + 16);
    memset(big, 'a', SSE_MAX_LINE + 8);
    memcpy(big, "data: ", 6);
    int rc = sse_feed(&d, big, SSE_MAX_LINE + 8);
    CHECK(rc == -1 && strstr(d.err, "longer than"), "overlong line rejected: %d '%s'", rc, d.err);
    free(big);
    sse_free(&d);
}

/* ---- OpenAI stream ---------------------------------------------------- */

typedef struct textbuf {
    char s[8192];
    int pieces;
    int stop_after; /* > 0: ask to stop after this many pieces */
    pthread_mutex_t lock;
} textbuf;

static int on_text(void *user, const char *t, size_t n)
{
    textbuf *b = user;
    size_t k = strlen(b->s);
    if (k + n < sizeof b->s) {
        memcpy(b->s + k, t, n);
        b->s[k + n] = 0;
    }
    b->pieces++;
    return b->stop_after > 0 && b->pieces >= b->stop_after;
}

static int oai_run(const char *in, textbuf *b, char *err, size_t errlen)
{
    oai_stream s;
    oai_stream_init(&s, on_text, b);
    int rc = oai_stream_feed(&s, in, strlen(in));
    if (rc == SZ_OK)
        rc = oai_stream_end(&s);
    snprintf(err, errlen, "%s", s.err);
    oai_stream_free(&s);
    return rc;
}

#define CHUNK(c) "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"" c "\"}}]}\n\n"

static void test_oai_stream(void)
{
    textbuf b;
    char err[512];
    memset(&b, 0, sizeof b);
    int rc = oai_run(
        "data: {\"choices\":[{\"delta\":{\"role\":\"assistant\"}}]}\n\n" CHUNK("Hi")
            CHUNK(" \\u4f60\\u597d \\ud83d\\ude00") "data: {\"choices\":[],\"usage\":"
                                                    "{\"total_tokens\":5}}\n\n"
                                                    "data: "
                                                    "{\"choices\":[{\"delta\":{},\"finish_reason\":"
                                                    "\"stop\"}]}\n\n"
                                                    "data: [DONE]\n\ndata: ignored after done\n\n",
        &b, err, sizeof err);
    CHECK(rc == SZ_OK && strcmp(b.s, "Hi 你好 😀") == 0, "valid stream: %d '%s' %s", rc, b.s, err);

    struct {
        const char *in;
        int rc;
        const char *msg;
    } bad[] = {
        {CHUNK("a") "data: {not json\n\n", SZ_ERR_FORMAT, "event 2: data is not JSON: '{not json'"},
        {"data: [1,2]\n\n", SZ_ERR_FORMAT, "event 1: expected a JSON object"},
        {"data: {\"choices\": {}}\n\n", SZ_ERR_FORMAT, "choices: expected an array"},
        {"data: {\"choices\": [5]}\n\n", SZ_ERR_FORMAT, "choices[0]: expected an object"},
        {"data: {\"choices\": [{\"delta\": 3}]}\n\n", SZ_ERR_FORMAT,
         "choices[0].delta: expected an object"},
        {"data: {\"choices\": [{\"delta\": {\"content\": 42}}]}\n\n", SZ_ERR_FORMAT,
         "choices[0].delta.content: expected a string"},
        {CHUNK("a") "data: {\"error\": {\"message\": \"model overloaded\"}}\n\n", SZ_ERR_FORMAT,
         "error in the stream: model overloaded"},
        {"event: error\ndata: {\"message\": \"quota\"}\n\n", SZ_ERR_FORMAT, "quota"},
        {CHUNK("a") CHUNK("b"), SZ_ERR_IO, "cut off after 2 chunks"},
        {"", SZ_ERR_IO, "without any event"},
        {": just a comment\n\n", SZ_ERR_IO, "without any event"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        memset(&b, 0, sizeof b);
        rc = oai_run(bad[i].in, &b, err, sizeof err);
        CHECK(rc == bad[i].rc && strstr(err, bad[i].msg), "bad stream %zu: rc %d, '%s' (want '%s')",
              i, rc, err, bad[i].msg);
    }
    /* finish_reason without [DONE] is complete (some servers end that way) */
    memset(&b, 0, sizeof b);
    rc = oai_run(CHUNK("x") "data: {\"choices\":[{\"delta\":{},\"finish_reason\":\"length\"}]}\n\n",
                 &b, err, sizeof err);
    CHECK(rc == SZ_OK && strcmp(b.s, "x") == 0, "finish_reason then EOF: %d %s", rc, err);
    /* invalid UTF-8 bytes in content are dropped, never passed on */
    memset(&b, 0, sizeof b);
    oai_stream s;
    oai_stream_init(&s, on_text, &b);
    const char raw[] = "data: {\"choices\":[{\"delta\":{\"content\":\"a\xff"
                       "b\"}}]}\n\n";
    rc = oai_stream_feed(&s, raw, sizeof raw - 1);
    CHECK(rc == SZ_OK && strcmp(b.s, "ab") == 0, "invalid UTF-8 dropped: %d '%s'", rc, b.s);
    oai_stream_free(&s);
    /* the callback stops the stream */
    memset(&b, 0, sizeof b);
    b.stop_after = 1;
    rc = oai_run(CHUNK("a") CHUNK("b") "data: [DONE]\n\n", &b, err, sizeof err);
    CHECK(rc == SZ_ERR_CANCELLED && strcmp(b.s, "a") == 0, "stop from callback: %d '%s'", rc, b.s);

    char msg[256];
    const char *eb = "{\"error\":{\"message\":\"Invalid API key\"}}";
    oai_error_message(eb, strlen(eb), msg, sizeof msg);
    CHECK(strcmp(msg, "Invalid API key") == 0, "error message: '%s'", msg);
    oai_error_message("{\"error\":\"plain\"}", 17, msg, sizeof msg);
    CHECK(strcmp(msg, "plain") == 0, "error string: '%s'", msg);
    oai_error_message("<html>Bad Gateway</html>\n", 25, msg, sizeof msg);
    CHECK(strcmp(msg, "<html>Bad Gateway</html>") == 0, "non-JSON body: '%s'", msg);
    oai_error_message("", 0, msg, sizeof msg);
    CHECK(strcmp(msg, "(empty body)") == 0, "empty body: '%s'", msg);
}

/* ---- the client against the fake server ------------------------------ */

#ifdef SHUZI_HAVE_CURL

static llm_backend *make_client(fake_llm *f, const char *key, int retries, double first_byte_s,
                                double idle_s)
{
    char url[128], err[512];
    fake_url(f, url, sizeof url);
    llm_openai_params p = llm_openai_default_params();
    p.base_url = url;
    p.model = "fake-model";
    p.api_key = key;
    p.max_retries = retries;
    p.retry_base_s = 0.05;
    p.first_byte_timeout_s = first_byte_s;
    p.idle_timeout_s = idle_s;
    p.max_tokens = 200;
    p.temperature = 0.5;
    llm_backend *b = NULL;
    int rc = llm_openai_create(&p, &b, err, sizeof err);
    CHECK(rc == SZ_OK, "create client: %s", err);
    return b;
}

static const llm_message convo[] = {{LLM_ROLE_SYSTEM, "You are Mia, a bank assistant."},
                                    {LLM_ROLE_USER, "When are you open?"}};

static int chat(llm_backend *b, textbuf *t, llm_chat_stats *st, char *err, size_t errlen)
{
    memset(t->s, 0, sizeof t->s);
    t->pieces = 0;
    return llm_chat(b, convo, 2, &(llm_sink){on_text, t}, st, err, errlen);
}

typedef struct canceller {
    llm_backend *b;
    textbuf *t;
    int after_ms;
} canceller;

static void *cancel_main(void *arg)
{
    canceller *c = arg;
    usleep((useconds_t)c->after_ms * 1000);
    llm_cancel(c->b);
    return NULL;
}

static void test_client(void)
{
    fake_llm f;
    if (fake_start(&f) != 0) {
        CHECK(0, "cannot start the fake server");
        return;
    }
    textbuf t;
    memset(&t, 0, sizeof t);
    llm_chat_stats st;
    char err[1024];
    const char *want = "Hello! Our opening hours are nine to five, Monday to Friday. Is there "
                       "anything else?";

    /* 1. a normal answer; the request as the protocol wants it */
    llm_backend *b = make_client(&f, "sk-test-123", 2, 5, 5);
    int rc = chat(b, &t, &st, err, sizeof err);
    CHECK(rc == SZ_OK && strcmp(t.s, want) == 0, "normal: %d '%s' %s", rc, t.s, err);
    CHECK(st.attempts == 1 && st.http_status == 200 && strcmp(st.finish_reason, "stop") == 0 &&
              st.bytes_out == strlen(want) && st.first_text_us >= 0,
          "normal stats: attempts %d status %d finish '%s' bytes %zu", st.attempts, st.http_status,
          st.finish_reason, st.bytes_out);
    CHECK(strcmp(f.path, "/v1/chat/completions") == 0, "path '%s'", f.path);
    CHECK(strcmp(f.auth, "Bearer sk-test-123") == 0, "auth header '%s'", f.auth);
    cJSON *req = f.body ? cJSON_Parse(f.body) : NULL;
    CHECK(req != NULL, "request body is JSON");
    if (req) {
        cJSON *msgs = cJSON_GetObjectItem(req, "messages");
        cJSON *m0 = cJSON_GetArrayItem(msgs, 0), *m1 = cJSON_GetArrayItem(msgs, 1);
        CHECK(cJSON_IsTrue(cJSON_GetObjectItem(req, "stream")), "stream: true");
        CHECK(strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(req, "model")), "fake-model") == 0,
              "model");
        CHECK(cJSON_GetArraySize(msgs) == 2 &&
                  strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(m0, "role")), "system") == 0 &&
                  strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(m1, "content")),
                         "When are you open?") == 0,
              "messages: persona first, then the question");
        CHECK(cJSON_GetNumberValue(cJSON_GetObjectItem(req, "max_tokens")) == 200 &&
                  cJSON_GetNumberValue(cJSON_GetObjectItem(req, "temperature")) == 0.5,
              "max_tokens and temperature sent");
        cJSON_Delete(req);
    }

    /* 2. slow tokens: still complete, the first piece long before the end */
    f.token_delay_ms = 20;
    rc = chat(b, &t, &st, err, sizeof err);
    CHECK(rc == SZ_OK && strcmp(t.s, want) == 0 && t.pieces >= 18, "slow: %d pieces %d %s", rc,
          t.pieces, err);
    CHECK(st.first_text_us < st.total_us / 2, "slow: first text at %lld of %lld us",
          (long long)st.first_text_us, (long long)st.total_us);
    f.token_delay_ms = 0;

    /* 3. truncated after some text: an error naming it, no retry (words
     * already went to speech) */
    fake_script(&f, 1, (fake_mode[]){FAKE_TRUNCATED});
    rc = chat(b, &t, &st, err, sizeof err);
    CHECK(rc == SZ_ERR_IO && strstr(err, "cut off") && st.attempts == 1 && strlen(t.s) > 0,
          "truncated: %d attempts %d '%s'", rc, st.attempts, err);

    /* 4. malformed chunk */
    fake_script(&f, 1, (fake_mode[]){FAKE_MALFORMED});
    rc = chat(b, &t, &st, err, sizeof err);
    CHECK(rc == SZ_ERR_FORMAT && strstr(err, "malformed stream") && strstr(err, "not JSON"),
          "malformed: %d '%s'", rc, err);

    /* 5. HTTP 500 three times: retried twice, then the server's message */
    f.http_status = 500;
    fake_script(&f, 1, (fake_mode[]){FAKE_HTTP_ERROR});
    int before = f.n_requests;
    rc = chat(b, &t, &st, err, sizeof err);
    CHECK(rc == SZ_ERR_IO && st.attempts == 3 && f.n_requests - before == 3 &&
              strstr(err, "HTTP 500: fake error 500") && strstr(err, "after 3 attempts"),
          "500: %d attempts %d requests %d '%s'", rc, st.attempts, f.n_requests - before, err);

    /* 6. 429 with Retry-After, then success */
    f.http_status = 429;
    f.retry_after_s = 1;
    fake_script(&f, 2, (fake_mode[]){FAKE_HTTP_ERROR, FAKE_OK});
    rc = chat(b, &t, &st, err, sizeof err);
    CHECK(rc == SZ_OK && st.attempts == 2 && strcmp(t.s, want) == 0 && st.total_us >= 900000,
          "429 then ok: %d attempts %d total %lld us %s", rc, st.attempts, (long long)st.total_us,
          err);
    f.retry_after_s = 0;

    /* 7. 401: not retried, with a hint about the key */
    f.http_status = 401;
    fake_script(&f, 1, (fake_mode[]){FAKE_HTTP_ERROR});
    before = f.n_requests;
    rc = chat(b, &t, &st, err, sizeof err);
    CHECK(rc == SZ_ERR_INVALID_ARG && st.attempts == 1 && f.n_requests - before == 1 &&
              strstr(err, "HTTP 401") && strstr(err, "API key"),
          "401: %d attempts %d '%s'", rc, st.attempts, err);

    /* 8. an error event inside the stream after some text */
    fake_script(&f, 1, (fake_mode[]){FAKE_STREAM_ERROR});
    rc = chat(b, &t, &st, err, sizeof err);
    CHECK(rc == SZ_ERR_FORMAT && strstr(err, "model overloaded"), "stream error: %d '%s'", rc, err);

    /* 9. a server that ignores stream:true and answers plain JSON */
    fake_script(&f, 1, (fake_mode[]){FAKE_PLAIN_JSON});
    rc = chat(b, &t, &st, err, sizeof err);
    CHECK(rc == SZ_OK && strcmp(t.s, want) == 0, "plain JSON: %d '%s' %s", rc, t.s, err);

    /* 10. the connection closes without a response: retried, then ok */
    fake_script(&f, 2, (fake_mode[]){FAKE_CLOSE, FAKE_OK});
    rc = chat(b, &t, &st, err, sizeof err);
    CHECK(rc == SZ_OK && st.attempts == 2, "empty reply then ok: %d attempts %d %s", rc,
          st.attempts, err);

    /* 11. finish_reason without [DONE] */
    fake_script(&f, 1, (fake_mode[]){FAKE_NO_DONE});
    rc = chat(b, &t, &st, err, sizeof err);
    CHECK(rc == SZ_OK && strcmp(t.s, want) == 0, "no [DONE]: %d %s", rc, err);
    llm_backend_free(&b);
    CHECK(b == NULL, "free sets NULL");

    /* 12. no answer at all: first-byte timeout, retried once */
    b = make_client(&f, NULL, 1, 0.3, 5);
    fake_script(&f, 1, (fake_mode[]){FAKE_HANG});
    rc = chat(b, &t, &st, err, sizeof err);
    CHECK(rc == SZ_ERR_TIMEOUT && st.attempts == 2 && strstr(err, "no answer within 0.3 s"),
          "hang: %d attempts %d '%s'", rc, st.attempts, err);
    CHECK(f.auth[0] == 0, "no key: no Authorization header ('%s')", f.auth);
    llm_backend_free(&b);

    /* 13. a stream that stalls after one token: idle timeout */
    b = make_client(&f, NULL, 1, 5, 0.3);
    fake_script(&f, 1, (fake_mode[]){FAKE_STALL});
    rc = chat(b, &t, &st, err, sizeof err);
    CHECK(rc == SZ_ERR_TIMEOUT && st.attempts == 1 && strstr(err, "stalled"),
          "stall: %d attempts %d '%s'", rc, st.attempts, err);

    /* 14. cancel from another thread while the model is slow */
    fake_script(&f, 1, (fake_mode[]){FAKE_OK});
    f.token_delay_ms = 100;
    pthread_t th;
    canceller c = {b, &t, 250};
    pthread_create(&th, NULL, cancel_main, &c);
    int64_t t0 = fake_now_us();
    rc = chat(b, &t, &st, err, sizeof err);
    int64_t took = fake_now_us() - t0;
    pthread_join(th, NULL);
    CHECK(rc == SZ_ERR_CANCELLED && t.pieces < 10, "cancel: %d after %d pieces", rc, t.pieces);
    printf("cancel returned %.1f ms after the cancel call\n", (took - 250000) / 1000.0);
    /* the server sees the client go away */
    for (int i = 0; i < 100 && !f.client_closed; i++)
        usleep(10000);
    CHECK(f.client_closed, "the server saw the request abandoned");

    /* 15. cancel during the backoff wait */
    f.token_delay_ms = 0;
    f.http_status = 503;
    f.retry_after_s = 20;
    fake_script(&f, 1, (fake_mode[]){FAKE_HTTP_ERROR});
    c.after_ms = 200;
    pthread_create(&th, NULL, cancel_main, &c);
    t0 = fake_now_us();
    rc = chat(b, &t, &st, err, sizeof err);
    took = fake_now_us() - t0;
    pthread_join(th, NULL);
    CHECK(rc == SZ_ERR_CANCELLED && took < 10000000, "cancel in backoff: %d after %lld ms", rc,
          (long long)took / 1000);
    f.retry_after_s = 0;
    llm_backend_free(&b);

    /* 16. the sink stops the answer (an interrupt seen by the host) */
    b = make_client(&f, NULL, 0, 5, 5);
    fake_script(&f, 1, (fake_mode[]){FAKE_OK});
    t.stop_after = 3;
    rc = chat(b, &t, &st, err, sizeof err);
    CHECK(rc == SZ_ERR_CANCELLED && t.pieces == 3, "sink stop: %d pieces %d", rc, t.pieces);
    t.stop_after = 0;
    llm_backend_free(&b);

    /* 17. nothing listens: connection refused, a clear message */
    llm_openai_params p = llm_openai_default_params();
    p.base_url = "http://127.0.0.1:1/v1";
    p.max_retries = 0;
    rc = llm_openai_create(&p, &b, err, sizeof err);
    CHECK(rc == SZ_OK, "create");
    rc = chat(b, &t, &st, err, sizeof err);
    CHECK(rc == SZ_ERR_IO && strstr(err, "127.0.0.1:1/v1/chat/completions"), "refused: %d '%s'", rc,
          err);
    llm_backend_free(&b);

    /* 18. bad parameters are refused before any request */
    const char *bad_urls[] = {"ftp://x/v1", "http://", "127.0.0.1:8080", "http://a b/v1", ""};
    for (size_t i = 0; i < sizeof bad_urls / sizeof bad_urls[0]; i++) {
        p = llm_openai_default_params();
        p.base_url = bad_urls[i];
        rc = llm_openai_create(&p, &b, err, sizeof err);
        CHECK(rc == SZ_ERR_INVALID_ARG && b == NULL && strlen(err) > 0, "bad URL '%s': %d '%s'",
              bad_urls[i], rc, err);
    }
    p = llm_openai_default_params();
    p.base_url = "http://127.0.0.1:9/v1";
    p.idle_timeout_s = 0;
    CHECK(llm_openai_create(&p, &b, err, sizeof err) == SZ_ERR_INVALID_ARG, "zero timeout");
    p = llm_openai_default_params();
    p.base_url = "http://127.0.0.1:9/v1";
    p.api_key = "a\nb";
    CHECK(llm_openai_create(&p, &b, err, sizeof err) == SZ_ERR_INVALID_ARG, "key with newline");

    fake_stop(&f);
}

/* URL forms: base without a path gets /v1, a full endpoint is kept. */
static void test_urls(void)
{
    fake_llm f;
    if (fake_start(&f) != 0)
        return;
    const char *forms[] = {"http://127.0.0.1:%d", "http://127.0.0.1:%d/v1/",
                           "http://127.0.0.1:%d/v1/chat/completions"};
    for (size_t i = 0; i < 3; i++) {
        char url[128], err[512];
        snprintf(url, sizeof url, forms[i], f.port);
        llm_openai_params p = llm_openai_default_params();
        p.base_url = url;
        llm_backend *b = NULL;
        textbuf t;
        memset(&t, 0, sizeof t);
        CHECK(llm_openai_create(&p, &b, err, sizeof err) == SZ_OK, "%s", err);
        int rc = chat(b, &t, NULL, err, sizeof err);
        CHECK(rc == SZ_OK && strcmp(f.path, "/v1/chat/completions") == 0, "url form %zu: %s", i,
              f.path);
        llm_backend_free(&b);
    }
    fake_stop(&f);
}

#endif /* SHUZI_HAVE_CURL */

/* ---- FAQ ------------------------------------------------------------- */

static void test_faq(void)
{
    const char *txt = "# demo\n"
                      "Q: opening hours | when * open\n"
                      "Q: what time * close\n"
                      "A: Nine to five.\n"
                      "   Saturdays ten to two.\n"
                      "\n"
                      "Q: open * account\n"
                      "A: Bring your ID.\n"
                      "Q: account\n"
                      "A: Which account?\n"
                      "Q: 营业时间\n"
                      "A: 九点到五点。\n"
                      "DEFAULT: Sorry, I do not know.\n";
    char err[512];
    llm_backend *b = NULL;
    int rc = llm_faq_create(txt, strlen(txt), "demo.faq", &b, err, sizeof err);
    CHECK(rc == SZ_OK, "faq: %s", err);
    if (rc != SZ_OK)
        return;
    struct {
        const char *q, *a;
    } cases[] = {
        {"What are your OPENING hours?", "Nine to five. Saturdays ten to two."},
        {"When are you open?", "Nine to five. Saturdays ten to two."},
        {"What time do you close?", "Nine to five. Saturdays ten to two."},
        {"I want to open an account", "Bring your ID."}, /* 2 words beat 1 */
        {"my account", "Which account?"},
        {"请问营业时间是几点？", "九点到五点。"},
        /* retrieval by meaning: one word of an example answers when no other
           entry is as close; a word no entry knows is a reason to refuse */
        {"hours", "Nine to five. Saturdays ten to two."},
        {"when are you open on the moon", NULL},
        {"Is the kettle dishwasher safe?", NULL},
        {"", NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *a = llm_faq_match(b, cases[i].q);
        CHECK((a == NULL && cases[i].a == NULL) || (a && cases[i].a && strcmp(a, cases[i].a) == 0),
              "faq '%s': got '%s'", cases[i].q, a ? a : "(none)");
    }
    /* chat: streamed in pieces; the default answer when nothing matches */
    textbuf t;
    memset(&t, 0, sizeof t);
    llm_message m[] = {{LLM_ROLE_SYSTEM, "persona"},
                       {LLM_ROLE_USER, "when open?"},
                       {LLM_ROLE_ASSISTANT, "..."},
                       {LLM_ROLE_USER, "Tell me a joke"}};
    llm_chat_stats st;
    rc = llm_chat(b, m, 4, &(llm_sink){on_text, &t}, &st, err, sizeof err);
    CHECK(rc == SZ_OK && strcmp(t.s, "Sorry, I do not know.") == 0 && t.pieces == 5,
          "faq default: %d '%s' pieces %d", rc, t.s, t.pieces);
    memset(&t, 0, sizeof t);
    t.stop_after = 2;
    rc = llm_chat(b, m, 2, &(llm_sink){on_text, &t}, &st, err, sizeof err);
    CHECK(rc == SZ_ERR_CANCELLED && t.pieces == 2, "faq stop: %d", rc);
    /* entries added at run time (live mode adds the products) */
    rc = llm_faq_add(b, "red * kettle | kettle", "The red kettle is 199 yuan.", err, sizeof err);
    CHECK(rc == SZ_OK && strcmp(llm_faq_match(b, "The Red kettle, please") ?: "",
                                "The red kettle is 199 yuan.") == 0,
          "faq_add: %s", err);
    llm_faq_product kettle = {
        .name = "red electric kettle", .price = "199 yuan", .keywords = "kettle"};
    rc = llm_faq_add_product(b, &kettle, err, sizeof err);
    CHECK(rc == SZ_OK && strcmp(llm_faq_match(b, "how much is the Red electric kettle") ?: "",
                                "The red electric kettle is 199 yuan.") == 0,
          "faq_add_product: %s", err);
    CHECK(llm_faq_add(b, " * | ", "x", err, sizeof err) == SZ_ERR_FORMAT, "empty pattern refused");
    llm_backend_free(&b);

    /* the built-in FAQ parses and answers */
    const char *def = llm_faq_default_text();
    rc = llm_faq_create(def, strlen(def), "built-in", &b, err, sizeof err);
    CHECK(rc == SZ_OK, "default faq: %s", err);
    CHECK(b && llm_faq_match(b, "What are your opening hours?") != NULL, "default: hours");
    CHECK(b && llm_faq_match(b, "我丢了卡") == NULL && llm_faq_match(b, "你好") != NULL,
          "default: chinese");
    llm_backend_free(&b);

    /* malformed files: one line naming the place */
    struct {
        const char *txt, *msg;
    } bad[] = {
        {"A: no question\n", "bad.faq:1: 'A:' without a 'Q:' line before it"},
        {"Q: x\n\n# c\nQ: y\n", "bad.faq:1: the 'Q:' lines above have no 'A:' answer"},
        {"Q: x\nA:\n", "bad.faq:2: empty answer after 'A:'"},
        {"Q: a | | b\nA: x\n", "bad.faq:1: pattern 2 is empty"},
        {"Q: hi\nA: there\nhello\n", "bad.faq:3: expected 'Q:', 'A:', 'DEFAULT:'"},
        {"Q: hi\nA: \xff\n", "bad.faq:2: not valid UTF-8"},
        {"# only comments\n", "bad.faq: no entries"},
        {"Q: x\nDEFAULT: y\n", "bad.faq:1: the 'Q:' lines above have no 'A:' answer"},
        {"Q: a\nA: b\0c\n", "NUL byte"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        size_t len = strlen(bad[i].txt);
        if (i == 8)
            len = 12;
        rc = llm_faq_create(bad[i].txt, len, "bad.faq", &b, err, sizeof err);
        CHECK(rc == SZ_ERR_FORMAT && b == NULL && strstr(err, bad[i].msg),
              "bad faq %zu: rc %d '%s' (want '%s')", i, rc, err, bad[i].msg);
    }
    rc = llm_faq_load("/nonexistent/faq.txt", &b, err, sizeof err);
    CHECK(rc == SZ_ERR_IO && strstr(err, "/nonexistent/faq.txt"), "missing file: '%s'", err);
}

/* ---- conversation ---------------------------------------------------- */

static void test_conversation(void)
{
    llm_conversation *c = NULL;
    CHECK(llm_conv_create("persona", 10, &c) == SZ_ERR_INVALID_ARG, "tiny budget refused");
    CHECK(llm_conv_create("You are Mia.", 100, &c) == SZ_OK, "create");
    CHECK(llm_estimate_tokens("abcdefgh") == 2 && llm_estimate_tokens("你好") == 2 &&
              llm_estimate_tokens("a") == 1 && llm_estimate_tokens("") == 0,
          "token estimates");
    char turn[200];
    for (int i = 0; i < 20; i++) {
        snprintf(turn, sizeof turn, "question %02d %s", i,
                 "padding padding padding padding padding padding padding padding");
        CHECK(llm_conv_add(c, LLM_ROLE_USER, turn) == SZ_OK, "add user");
        snprintf(turn, sizeof turn, "answer %02d %s", i,
                 "padding padding padding padding padding padding padding padding");
        CHECK(llm_conv_add(c, LLM_ROLE_ASSISTANT, turn) == SZ_OK, "add assistant");
        CHECK(llm_conv_tokens(c) <= 100, "over budget after turn %d: %zu", i, llm_conv_tokens(c));
    }
    llm_message m[64];
    size_t n = llm_conv_messages(c, m, 64);
    CHECK(n >= 3 && m[0].role == LLM_ROLE_SYSTEM && strcmp(m[0].content, "You are Mia.") == 0,
          "persona first (%zu messages)", n);
    CHECK(n >= 3 && m[1].role == LLM_ROLE_USER, "history starts with a user turn");
    CHECK(strncmp(m[n - 1].content, "answer 19", 9) == 0, "newest turn kept: '%s'",
          m[n - 1].content);
    /* a single turn over budget is still kept */
    char huge[2000];
    memset(huge, 'x', sizeof huge - 1);
    huge[sizeof huge - 1] = 0;
    llm_conv_add(c, LLM_ROLE_USER, huge);
    n = llm_conv_messages(c, m, 64);
    CHECK(n == 2 && m[1].content[0] == 'x', "oversized newest turn kept alone (%zu)", n);
    /* a short array keeps the persona and the newest turns */
    llm_conv_clear(c);
    for (int i = 0; i < 10; i++) {
        snprintf(turn, sizeof turn, "q%d", i);
        llm_conv_add(c, LLM_ROLE_USER, turn);
        snprintf(turn, sizeof turn, "a%d", i);
        llm_conv_add(c, LLM_ROLE_ASSISTANT, turn);
    }
    llm_conv_add(c, LLM_ROLE_USER, "latest");
    n = llm_conv_messages(c, m, 4);
    CHECK(n == 4 && m[0].role == LLM_ROLE_SYSTEM && strcmp(m[3].content, "latest") == 0 &&
              m[1].role == LLM_ROLE_USER && strcmp(m[1].content, "q9") == 0,
          "short array: %zu, last '%s', first turn '%s'", n, n ? m[n - 1].content : "",
          n > 1 ? m[1].content : "");
    llm_conv_clear(c);
    CHECK(llm_conv_turns(c) == 0 && llm_conv_messages(c, m, 64) == 1, "clear keeps the persona");
    CHECK(llm_conv_add(c, LLM_ROLE_SYSTEM, "x") == SZ_ERR_INVALID_ARG, "no system turns");
    llm_conv_free(&c);
    CHECK(c == NULL, "free sets NULL");
}

int main(void)
{
    sz_set_log_level(SZ_LOG_ERROR); /* the retries warn on purpose */
    test_sse();
    test_oai_stream();
#ifdef SHUZI_HAVE_CURL
    test_client();
    test_urls();
#else
    printf("test_llm: built without libcurl: the client tests are skipped\n");
#endif
    test_faq();
    test_conversation();
    return check_summary("test_llm");
}
