/* SPDX-License-Identifier: Apache-2.0 */
/* room_client.h: what the benches do to a running room from outside: read
 * its control API port from its log, POST to it, GET a page of it, and
 * print its closing summary line. Header-only, for the benches. */
#ifndef SZ_BENCH_ROOM_CLIENT_H
#define SZ_BENCH_ROOM_CLIENT_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#ifdef SHUZI_HAVE_CURL
#include <curl/curl.h>

typedef struct room_buf {
    char *p;
    size_t n, cap;
} room_buf;

static size_t room_collect(char *d, size_t sz, size_t nm, void *u)
{
    room_buf *b = u;
    size_t k = sz * nm;
    if (b && b->n + k + 1 <= b->cap) {
        memcpy(b->p + b->n, d, k);
        b->n += k;
        b->p[b->n] = 0;
    }
    return k;
}

/* POST body to the room's path (GET when body is NULL), the answer into
 * out (may be NULL); the HTTP status, 0 when there was none. */
static inline long room_request(int port, const char *path, const char *body, char *out,
                                size_t cap)
{
    char url[128];
    snprintf(url, sizeof url, "http://127.0.0.1:%d%s", port, path);
    CURL *h = curl_easy_init();
    if (!h)
        return 0;
    room_buf b = {out, 0, cap};
    if (out && cap)
        out[0] = 0;
    curl_easy_setopt(h, CURLOPT_URL, url);
    if (body)
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, room_collect);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, out ? &b : NULL);
    curl_easy_setopt(h, CURLOPT_TIMEOUT, 5L);
    long st = 0;
    if (curl_easy_perform(h) == CURLE_OK)
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &st);
    curl_easy_cleanup(h);
    return st;
}
#endif

/* The control API's port from the room's log (its ready line); -1 if the
 * room ends or 30 s pass first. */
static inline int room_api_port(const char *log, pid_t pid)
{
    const char *key = "control API on http://127.0.0.1:";
    for (int i = 0; i < 300; i++) {
        FILE *f = fopen(log, "r");
        char line[1024];
        while (f && fgets(line, sizeof line, f)) {
            const char *p = strstr(line, key);
            if (p) {
                fclose(f);
                return atoi(p + strlen(key));
            }
        }
        if (f)
            fclose(f);
        if (waitpid(pid, NULL, WNOHANG) == pid)
            return -1;
        usleep(100000);
    }
    return -1;
}

/* Prints the room's closing summary ("... stopped after ..."). */
static inline void room_print_summary(const char *log)
{
    FILE *f = fopen(log, "r");
    char line[4096], last[4096] = "";
    while (f && fgets(line, sizeof line, f))
        if (strstr(line, "stopped after") || strstr(line, "wrote"))
            snprintf(last, sizeof last, "%s", line);
    if (f)
        fclose(f);
    printf("  shuzi said: %s", last[0] ? last : "(no summary line)\n");
}

#endif
