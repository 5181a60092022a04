/* SPDX-License-Identifier: Apache-2.0 */
/* test_live_mode.c: `shuzi live` end to end: a room configured with two
 * products and an LLM (a local fake OpenAI server) pushes to a local
 * nginx-rtmp server; a viewer comment posted to the control API is answered
 * between presentations. Checked: the prompts the LLM got, the event
 * stream, /v1/status while live, a clean stop on SIGTERM, and the recording
 * nginx made of the push (H.264 + AAC, its length, speech in it). */
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fake_openai.h"
#include "servers.h"

#include "check.h"

#if defined(SHUZI_HAVE_CURL) && defined(SHUZI_HAVE_MHD)

#include <curl/curl.h>

#include "files.h"
#include "http_buf.h"
#include "recording_probe.h"

static long http(int port, const char *method, const char *path, const char *body, char **out)
{
    char url[256];
    snprintf(url, sizeof url, "http://127.0.0.1:%d%s", port, path);
    CURL *h = curl_easy_init();
    buf b = {NULL, 0, PTHREAD_MUTEX_INITIALIZER};
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
    if (body)
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, buf_write);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &b);
    curl_easy_setopt(h, CURLOPT_TIMEOUT, 10L);
    long st = 0;
    if (curl_easy_perform(h) == CURLE_OK)
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &st);
    curl_easy_cleanup(h);
    *out = b.p ? b.p : strdup("");
    return st;
}

typedef struct events {
    int port;
    buf b;
    pthread_t t;
} events;

static void *events_main(void *arg)
{
    events *e = arg;
    char url[256];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/v1/events?types=text,present,comment,state",
             e->port);
    CURL *h = curl_easy_init();
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, buf_write);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &e->b);
    curl_easy_setopt(h, CURLOPT_TIMEOUT, 60L);
    curl_easy_perform(h); /* ends when shuzi stops */
    curl_easy_cleanup(h);
    return NULL;
}

static const char *const pitch_tokens[] = {"Here",   " it",   " is",    "!",    " It", " boils",
                                           " water", " fast", ",",      " and", " it", " is",
                                           " on",    " sale", " today", ".",    NULL};

/* `live --no-present` while the RTMP server goes away for 2.5 s (issue 26):
 * the start line announces no products and none are presented; once the
 * push is back /v1/status shows no error; the stop line gives the frames
 * the push dropped during the outage, not only those the clock skipped. */
static void test_no_present_outage(rtmp_server *srv, const char *bin, const char *cfg,
                                   const char *dir, const fake_llm *f)
{
    char err_path[256], out_path[256], rtmp[256];
    snprintf(err_path, sizeof err_path, "%s/stderr2", dir);
    snprintf(out_path, sizeof out_path, "%s/stdout2", dir);
    snprintf(rtmp, sizeof rtmp, "rtmp://127.0.0.1:%d/live/quiet", srv->port);
    int requests_before = f->n_requests;
    fflush(stdout);
    double t0 = srv_now();
    pid_t pid = fork();
    if (pid == 0) {
        if (!freopen(out_path, "w", stdout) || !freopen(err_path, "w", stderr))
            _exit(126);
        execl(bin, bin, "live", "--config", cfg, "--out", rtmp, "--api-port", "auto",
              "--no-present", (char *)NULL);
        _exit(127);
    }
    int port = 0;
    for (int i = 0; i < 200 && !port; i++) {
        char *e = slurp(err_path);
        const char *p = strstr(e, "control API on http://127.0.0.1:");
        if (p)
            port = atoi(p + strlen("control API on http://127.0.0.1:"));
        free(e);
        if (!port)
            usleep(50000);
    }
    CHECK(port > 0, "--no-present: the control API port was printed");
    events ev = {port, {NULL, 0, PTHREAD_MUTEX_INITIALIZER}, 0};
    if (port)
        pthread_create(&ev.t, NULL, events_main, &ev);
    while (srv_now() < t0 + 3)
        usleep(50000);
    rtmp_server_stop(srv);
    usleep(2500000);
    CHECK(rtmp_server_start(srv) == 0, "restart the server");
    /* back within a few seconds (reconnect backoff is at most 2 s) */
    int back = 0;
    char *out = NULL;
    for (int i = 0; i < 100 && !back && port; i++) {
        usleep(100000);
        free(out);
        out = NULL;
        http(port, "GET", "/v1/status", NULL, &out);
        back = strstr(out, "\"connected\": true") && strstr(out, "\"reconnects\": 1");
    }
    CHECK(back && strstr(out, "\"error\": \"\""), "status after the reconnect, error cleared: %s",
          out ? out : "");
    free(out);
    usleep(1000000);
    kill(pid, SIGTERM);
    int status = 0;
    waitpid(pid, &status, 0);
    if (port)
        pthread_join(ev.t, NULL);
    char *e = slurp(err_path);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "--no-present exit %d: %s",
          WIFEXITED(status) ? WEXITSTATUS(status) : -1, e);
    CHECK(strstr(e, "only answering (--no-present)") && !strstr(e, "to present"),
          "--no-present start line: %s", e);
    const char *stop = strstr(e, "shuzi: live stopped after ");
    const char *push = stop ? strstr(stop, "live/****: ") : NULL;
    long long written = -1, dropped = -1;
    if (push)
        sscanf(push, "live/****: %lld written, %lld dropped", &written, &dropped);
    CHECK(stop && written > 0 && dropped >= 25 && strstr(e, ", 1 reconnect)"),
          "stop line gives the push's frames (%lld written, %lld dropped): %s", written, dropped,
          e);
    printf("--no-present with a 2.5 s outage: %s", stop ? stop : "\n");
    free(e);
    const char *evs = ev.b.p ? ev.b.p : "";
    CHECK(!strstr(evs, "\"source\": \"present\"") && !strstr(evs, "\"item\": 0"),
          "--no-present: nothing presented");
    CHECK(f->n_requests == requests_before, "--no-present: no LLM request (%d)",
          f->n_requests - requests_before);
    free(ev.b.p);
}

int main(void)
{
    const char *bin = getenv("SHUZI_BIN");
    char why[256];
    if (!bin) {
        fprintf(stderr, "SHUZI_BIN is not set\n");
        return 1;
    }
    if (!rtmp_server_available(why, sizeof why)) {
        printf("SKIP: %s (./setup.sh installs nginx and libnginx-mod-rtmp)\n", why);
        return 77;
    }
    curl_global_init(CURL_GLOBAL_ALL);
    rtmp_server srv;
    if (rtmp_server_init(&srv, 0) != 0 || rtmp_server_start(&srv) != 0) {
        fprintf(stderr, "cannot start nginx-rtmp (log %s)\n", srv.log);
        return 1;
    }
    fake_llm f;
    if (fake_start(&f) != 0) {
        rtmp_server_cleanup(&srv);
        return 1;
    }
    f.tokens = pitch_tokens;
    f.token_delay_ms = 10;
    char dir[] = "/tmp/shuzi-live-XXXXXX";
    if (!mkdtemp(dir))
        return 1;
    char cfg[256], err_path[256], out_path[256], url[256], rtmp[256];
    snprintf(cfg, sizeof cfg, "%s/room.json", dir);
    snprintf(err_path, sizeof err_path, "%s/stderr", dir);
    snprintf(out_path, sizeof out_path, "%s/stdout", dir);
    fake_url(&f, url, sizeof url);
    snprintf(rtmp, sizeof rtmp, "rtmp://127.0.0.1:%d/live/room", srv.port);
    FILE *cf = fopen(cfg, "w");
    fprintf(cf,
            "{\"voice\": \"espeak:en-us\", \"size\": \"320x180\", \"fps\": 25,\n"
            " \"persona\": \"You are Lily, a live-shopping host.\",\n"
            " \"llm\": {\"url\": \"%s\", \"model\": \"fake-host\", \"retries\": 0},\n"
            " \"products\": [{\"name\": \"red kettle\", \"price\": \"199 yuan\",\n"
            "                \"description\": \"Boils a litre in three minutes.\"},\n"
            "               {\"name\": \"green teapot\", \"price\": \"88 yuan\"}],\n"
            " \"present_gap_s\": 0.5,\n"
            " \"comments\": {\"blocklist\": [\"scam\"]}}\n",
            url);
    fclose(cf);

    fflush(stdout); /* the child must not print our buffer again */
    double t_start = srv_now();
    pid_t pid = fork();
    if (pid == 0) {
        if (!freopen(out_path, "w", stdout) || !freopen(err_path, "w", stderr))
            _exit(126);
        execl(bin, bin, "live", "--config", cfg, "--out", rtmp, "--api-port", "auto", (char *)NULL);
        _exit(127);
    }
    /* the API's port, from the start-up line */
    int port = 0;
    for (int i = 0; i < 200 && !port; i++) {
        char *e = slurp(err_path);
        const char *p = strstr(e, "control API on http://127.0.0.1:");
        if (p)
            port = atoi(p + strlen("control API on http://127.0.0.1:"));
        free(e);
        if (!port)
            usleep(50000);
    }
    CHECK(port > 0, "the control API port was printed");
    events ev = {port, {NULL, 0, PTHREAD_MUTEX_INITIALIZER}, 0};
    if (port) {
        pthread_create(&ev.t, NULL, events_main, &ev);
        usleep(1500000);
        char *out;
        long st = http(port, "POST", "/v1/comments",
                       "{\"user\": \"ann\", \"text\": \"Do you ship abroad?\"}", &out);
        CHECK(st == 202, "comment: %ld %s", st, out);
        free(out);
        st = http(port, "POST", "/v1/comments", "{\"user\": \"bob\", \"text\": \"total scam\"}",
                  &out);
        CHECK(st == 422 && strstr(out, "blocked word"), "blocked comment: %ld %s", st, out);
        free(out);
        usleep(1500000);
        st = http(port, "GET", "/v1/status", NULL, &out);
        CHECK(st == 200 && strstr(out, "\"mode\": \"live\"") &&
                  strstr(out, "\"connected\": true") && strstr(out, "\"backend\": \"openai\"") &&
                  strstr(out, "live/****"),
              "status while live (stream key hidden): %s", out);
        free(out);
    }
    /* a live room runs until it is told to stop: Ctrl-C or SIGTERM */
    while (srv_now() < t_start + 14)
        usleep(50000);
    kill(pid, SIGTERM);
    int status = 0;
    waitpid(pid, &status, 0);
    char *e = slurp(err_path);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "live exit %d: %s",
          WIFEXITED(status) ? WEXITSTATUS(status) : -1, e);
    const char *stop = strstr(e, "shuzi: live stopped after ");
    CHECK(strstr(e, "shuzi: live on rtmp://127.0.0.1:") && strstr(e, "2 products to present") &&
              stop && atof(stop + strlen("shuzi: live stopped after ")) > 10,
          "start and stop lines: %s", e);
    free(e);
    if (port)
        pthread_join(ev.t, NULL);
    /* what the host did */
    const char *evs = ev.b.p ? ev.b.p : "";
    const char *present0 = strstr(evs, "\"item\": 0");
    const char *comment_q =
        strstr(evs, "\"status\": \"queued\", \"text\": \"Do you ship abroad?\"");
    const char *answer = strstr(evs, "\"source\": \"comment\", \"text\": \"Here it is!\"");
    const char *present1 = strstr(evs, "\"item\": 1");
    CHECK(present0 && comment_q && answer, "product 0 presented, the comment queued and answered");
    CHECK(present1 && answer && present1 > answer,
          "the comment answered between the presentations (%s)", present1 ? "ok" : "no item 1");
    CHECK(strstr(evs, "\"source\": \"present\", \"text\": \"Here it is!\"") &&
              strstr(evs, "\"text\": \"It boils water fast, and it is on sale today.\""),
          "the LLM's pitch spoken clause by clause");
    /* what the LLM was asked: the persona, the product, the comment */
    CHECK(f.n_requests >= 3, "LLM requests: %d", f.n_requests);
    CHECK(f.body && strstr(f.body, "You are Lily") && strstr(f.body, "\"model\":\"fake-host\""),
          "persona and model sent");
    pthread_mutex_lock(&f.lock);
    int saw_comment =
        f.body && (strstr(f.body, "Viewer comment from ann: Do you ship abroad?") != NULL);
    int saw_product = f.body && strstr(f.body, "Product: red kettle. Details: Boils a litre in "
                                               "three minutes. Price: 199 yuan") != NULL;
    pthread_mutex_unlock(&f.lock);
    CHECK(saw_comment && saw_product, "the history holds the product prompt and the comment");
    free(ev.b.p);

    /* the recording nginx made of the push */
    char recs[4][256];
    int nrec = rtmp_server_recordings(&srv, "room", recs, 4);
    CHECK(nrec == 1, "one recording, got %d", nrec);
    if (nrec >= 1) {
        recording_info ri;
        recording_probe(recs[0], &ri);
        CHECK(strcmp(ri.vcodec, "h264") == 0 && strcmp(ri.acodec, "aac") == 0 && ri.width == 320 &&
                  ri.height == 180,
              "pushed %s %dx%d + %s", ri.vcodec, ri.width, ri.height, ri.acodec);
        CHECK(ri.duration_s > 12 && ri.duration_s < 16, "pushed %.2f s of a 14 s run",
              ri.duration_s);
        CHECK(ri.rms > 0.01, "speech in the push (RMS %.4f)", ri.rms);
        printf("push: %.2f s, %s %dx%d + %s, audio RMS %.3f\n", ri.duration_s, ri.vcodec, ri.width,
               ri.height, ri.acodec, ri.rms);
    }
    test_no_present_outage(&srv, bin, cfg, dir, &f);
    int left = rtmp_server_cleanup(&srv);
    CHECK(left == 0, "nginx left running: %d", left);
    fake_stop(&f);
    remove_tree(dir);
    curl_global_cleanup();
    return check_summary("test_live_mode");
}

#else

int main(void)
{
    printf("SKIP: built without libcurl or libmicrohttpd (./setup.sh installs them)\n");
    return 77;
}

#endif
