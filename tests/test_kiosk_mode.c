/* SPDX-License-Identifier: Apache-2.0 */
/* test_kiosk_mode.c: `shuzi kiosk` end to end with SDL's dummy video driver
 * and the null audio device: questions typed on stdin are answered from the
 * FAQ (the text printed as it is spoken, in order), the kiosk stops by itself
 * when stdin ends without the API, and a recording made alongside holds the
 * speech; then a question sent to POST /v1/chat is answered too. */
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "files.h"
#include "recording_probe.h"

#ifdef SHUZI_HAVE_CURL
#include <curl/curl.h>

static size_t discard(char *d, size_t sz, size_t nm, void *user)
{
    (void)d, (void)user;
    return sz * nm;
}

static long post_json(int port, const char *path, const char *body)
{
    char url[128];
    snprintf(url, sizeof url, "http://127.0.0.1:%d%s", port, path);
    CURL *h = curl_easy_init();
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard);
    curl_easy_setopt(h, CURLOPT_TIMEOUT, 10L);
    long st = 0;
    if (curl_easy_perform(h) == CURLE_OK)
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &st);
    curl_easy_cleanup(h);
    return st;
}
#endif

/* Starts argv with stdin from in_path and stdout/stderr to files. */
static pid_t spawn(char *const argv[], const char *in_path, const char *out, const char *err)
{
    fflush(stdout); /* the child must not print our buffer again */
    pid_t pid = fork();
    if (pid == 0) {
        if (!freopen(in_path, "r", stdin) || !freopen(out, "w", stdout) ||
            !freopen(err, "w", stderr))
            _exit(126);
        setenv("SDL_VIDEODRIVER", "dummy", 1);
        setenv("SDL_AUDIODRIVER", "dummy", 1);
        execv(argv[0], argv);
        _exit(127);
    }
    return pid;
}

/* Waits up to secs; kills it after that. Returns the exit code or -1. */
static int wait_for(pid_t pid, double secs)
{
    for (int i = 0; i < (int)(secs * 20); i++) {
        int st;
        if (waitpid(pid, &st, WNOHANG) == pid)
            return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
        usleep(50000);
    }
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    return -1;
}

int main(void)
{
    const char *bin = getenv("SHUZI_BIN"), *src = getenv("SHUZI_SOURCE_DIR");
    if (!bin || !src) {
        fprintf(stderr, "SHUZI_BIN and SHUZI_SOURCE_DIR must be set\n");
        return 1;
    }
    char dir[] = "/tmp/shuzi-kiosk-XXXXXX";
    if (!mkdtemp(dir))
        return 1;
    char cfg[512], in[256], out[256], err[256], rec[256];
    snprintf(cfg, sizeof cfg, "%s/demos/kiosk.json", src);
    snprintf(in, sizeof in, "%s/questions.txt", dir);
    snprintf(out, sizeof out, "%s/stdout", dir);
    snprintf(err, sizeof err, "%s/stderr", dir);
    snprintf(rec, sizeof rec, "%s/kiosk.mkv", dir);
    FILE *f = fopen(in, "w");
    fputs("What are your opening hours?\n\n   \nthanks", f); /* no newline at the end */
    fclose(f);
#ifdef SHUZI_HAVE_SDL
    const char *window = NULL;
#else
    const char *window = "--no-window";
    printf("note: built without SDL2: the window output is not tested\n");
#endif

    /* 1. questions on stdin; no API: it stops when everything is said */
    char *argv1[] = {(char *)bin,    "kiosk", "--config", cfg,       "--audio-device", "null",
                     "--api-port",   "0",     "--size",   "320x180", "--out",          rec,
                     (char *)window, NULL};
    pid_t pid = spawn(argv1, in, out, err);
    int rc = wait_for(pid, 90);
    char *o = slurp(out), *e = slurp(err);
    CHECK(rc == 0, "kiosk exit %d: %s", rc, e);
    const char *greet =
        strstr(o, "Hello, I am Mia, your Harbour Bank assistant. How can I help you today?\n");
    const char *hours =
        strstr(o, "We are open from nine in the morning to five in the afternoon,\n");
    const char *hours2 = strstr(o, "Monday to Friday, and from ten to two on Saturdays.\n");
    const char *thanks = strstr(o, "You are welcome!\n");
    CHECK(greet && hours && hours2 && thanks && greet < hours && hours < hours2 && hours2 < thanks,
          "the greeting, then the answers in order, clause by clause:\n%s", o);
    CHECK(strstr(e, "shuzi: kiosk ready (scripted answers from ") &&
              strstr(e, "shuzi: kiosk stopped after"),
          "start and stop lines: %s", e);
    recording_info ri;
    recording_probe(rec, &ri);
    CHECK(ri.duration_s > 5 && ri.rms > 0.01, "the recording holds %.2f s with speech (RMS %.4f)",
          ri.duration_s, ri.rms);
    printf("kiosk from stdin: %.2f s spoken, RMS %.3f\n", ri.duration_s, ri.rms);
    free(o);
    free(e);

    /* 2. a question through the control API; stdin stays open but empty */
#if defined(SHUZI_HAVE_CURL) && defined(SHUZI_HAVE_MHD)
    f = fopen(in, "w");
    fclose(f);
    char *argv2[] = {(char *)bin,  "kiosk",      "--config",     cfg,      "--audio-device",
                     "null",       "--api-port", "auto",         "--size", "320x180",
                     "--duration", "9",          (char *)window, NULL};
    pid = spawn(argv2, in, out, err);
    int port = 0;
    for (int i = 0; i < 200 && !port; i++) {
        e = slurp(err);
        const char *p = strstr(e, "control API on http://127.0.0.1:");
        if (p)
            port = atoi(p + strlen("control API on http://127.0.0.1:"));
        free(e);
        if (!port)
            usleep(50000);
    }
    CHECK(port > 0, "API port printed");
    if (port) {
        long st = post_json(port, "/v1/chat",
                            "{\"message\": \"I think I lost my card\", \"interrupt\": true}");
        CHECK(st == 202, "POST /v1/chat: %ld", st);
    }
    rc = wait_for(pid, 30);
    o = slurp(out);
    e = slurp(err);
    CHECK(rc == 0, "kiosk with API exit %d: %s", rc, e);
    CHECK(strstr(o, "I am sorry to hear that.\n") != NULL, "answered from the API:\n%s", o);
    free(o);
    free(e);
#else
    printf("note: built without libcurl or libmicrohttpd: the API part is not tested\n");
#endif

    remove_tree(dir);
    return check_summary("test_kiosk_mode");
}
