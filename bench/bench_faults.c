/* SPDX-License-Identifier: Apache-2.0 */
/* bench_faults.c: a live room under faults, measured from outside.
 *   rtmp  `shuzi live --config demos/live.json` pushing to a local
 *         nginx-rtmp plus a recording (MKV), while nginx is killed with
 *         SIGKILL every --period seconds and started again --down seconds
 *         later, for --minutes. Prints, per outage, how long after the
 *         server was back the room said it reconnected; the reconnects the
 *         room counted; frames written and dropped per output; whether the
 *         recording (which never stopped) holds the whole run; RSS at start,
 *         after warm-up and at the end with its slope per hour.
 *   llm   `shuzi live --config demos/live-llm.json` with its LLM at a local
 *         fake server that answers in turn: well, slowly (200 ms a token),
 *         stopping mid-stream, with HTTP 500, with garbage in the event
 *         stream, with an error event, stalling after one token, never
 *         answering, closing at once; a viewer comment every --comment-every
 *         seconds. Prints the LLM requests the room counted as answered and
 *         failed, the frames it kept writing (a room that stalls on its
 *         LLM loses frames) and the summary.
 *   api   a room's control API while other clients misbehave: --idle
 *         connections that send nothing and --slow senders that trickle a
 *         request's headers a few bytes every 5 s, from other loopback
 *         addresses (127.0.0.2, 127.0.0.3: other machines), while a client
 *         asks GET /v1/status twice a second. Prints that client's answered
 *         share and latency before and during the attack.
 * Usage: bench_faults [rtmp|llm|api|all] [--minutes M] [--period S] [--down S]
 *                     [--comment-every S] [--idle N] [--slow N] [--shuzi PATH] */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <poll.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench/mem_track.h"
#include "bench/room_client.h"
#include "tests/fake_openai.h"
#include "tests/servers.h"

typedef struct tailer {
    FILE *f;
    char line[4096];
    size_t n;
} tailer;

/* The next complete new line of the log, or NULL. */
static const char *tail_next(tailer *t, const char *path)
{
    if (!t->f && !(t->f = fopen(path, "r")))
        return NULL;
    int c;
    while ((c = fgetc(t->f)) != EOF) {
        if (c == '\n') {
            t->line[t->n] = 0;
            t->n = 0;
            return t->line;
        }
        if (t->n + 1 < sizeof t->line)
            t->line[t->n++] = (char)c;
    }
    clearerr(t->f);
    return NULL;
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static int faults_rtmp(const char *shuzi, const char *src, double minutes, double period,
                       double down)
{
    char why[256], dir[PATH_MAX];
    if (!rtmp_server_available(why, sizeof why)) {
        printf("rtmp: skipped: %s\n", why);
        return 0;
    }
    rtmp_server srv;
    if (rtmp_server_init(&srv, 0) != 0 || rtmp_server_start(&srv) != 0 ||
        srv_tempdir(dir, sizeof dir) != 0) {
        fprintf(stderr, "bench_faults: cannot start nginx\n");
        return 1;
    }
    char url[256], rec[PATH_MAX + 16], cfg[PATH_MAX], dur[32], log[PATH_MAX + 16];
    snprintf(url, sizeof url, "rtmp://127.0.0.1:%d/live/faults", srv.port);
    snprintf(rec, sizeof rec, "%s/rec.mkv", dir);
    snprintf(cfg, sizeof cfg, "%s/demos/live.json", src);
    snprintf(dur, sizeof dur, "%.0f", minutes * 60);
    snprintf(log, sizeof log, "%s/live.log", dir);
    char *argv[] = {(char *)shuzi, "live", "--config", cfg, "--out", url, "--out", rec,
                    "--api-port", "auto", "--duration", dur, NULL};
    printf("rtmp: shuzi live --config demos/live.json to a local nginx-rtmp and an MKV "
           "recording, %.1f minutes; nginx killed (SIGKILL) every %.0f s and started again %.0f s "
           "later\n",
           minutes, period, down);
    pid_t pid = srv_spawn(argv, log);
    int port = pid > 0 ? room_api_port(log, pid) : -1;
    if (port <= 0) {
        printf("  could not start: see %s\n", log);
        return 1;
    }
    tailer tl = {0};
    static mem_track mem;
    mem.n = 0;
    double t0 = srv_now(), next_kill = period, up_at = -1, next_mem = 0;
    double delays[1024];
    int outages = 0, lost_lines = 0, recon_lines = 0, n_delays = 0, waiting = 0;
    while (waitpid(pid, NULL, WNOHANG) == 0) {
        double t = srv_now() - t0;
        if (t >= next_mem) {
            mem_track_sample(&mem, pid, port, t);
            next_mem += 5;
        }
        if (t >= next_kill && t < minutes * 60 - period / 2) {
            kill(srv.pid, SIGKILL);
            waitpid(srv.pid, NULL, 0);
            srv.pid = 0;
            outages++;
            usleep((useconds_t)(down * 1e6));
            if (rtmp_server_start(&srv) != 0) {
                printf("  nginx did not start again\n");
                break;
            }
            up_at = srv_now() - t0;
            waiting = 1;
            next_kill += period;
        }
        const char *l;
        while ((l = tail_next(&tl, log)) != NULL) {
            if (strstr(l, "connection lost"))
                lost_lines++;
            if (strstr(l, "reconnected") && strstr(l, "rtmp://")) {
                recon_lines++;
                if (waiting && n_delays < 1024) {
                    delays[n_delays++] = srv_now() - t0 - up_at;
                    waiting = 0;
                }
            }
        }
        usleep(50000);
    }
    if (tl.f)
        fclose(tl.f);
    printf("  %d outages; the room logged %d lost connections and %d reconnects\n", outages,
           lost_lines, recon_lines);
    if (n_delays) {
        qsort(delays, (size_t)n_delays, sizeof *delays, cmp_d);
        printf("  server back -> reconnected: median %.2f s, 90th %.2f s, max %.2f s (%d of %d "
               "outages)\n",
               delays[n_delays / 2], delays[(n_delays * 9) / 10 < n_delays ? (n_delays * 9) / 10 : n_delays - 1],
               delays[n_delays - 1], n_delays, outages);
    }
    room_print_summary(log);
    mem_track_print(&mem, 60);
    rtmp_server_cleanup(&srv);
    srv_rmtree(dir);
    return 0;
}

static int faults_llm(const char *shuzi, const char *src, double minutes, double comment_every)
{
#ifndef SHUZI_HAVE_CURL
    (void)shuzi, (void)src, (void)minutes, (void)comment_every;
    printf("llm: skipped: built without libcurl\n");
    return 0;
#else
    char dir[PATH_MAX];
    if (srv_tempdir(dir, sizeof dir) != 0)
        return 1;
    fake_llm fake;
    if (fake_start(&fake) != 0) {
        fprintf(stderr, "bench_faults: cannot start the fake LLM\n");
        return 1;
    }
    static const fake_mode cycle[] = {FAKE_OK,          FAKE_OK /* slow, see below */,
                                      FAKE_TRUNCATED,   FAKE_HTTP_ERROR,
                                      FAKE_MALFORMED,   FAKE_STREAM_ERROR,
                                      FAKE_STALL,       FAKE_HANG,
                                      FAKE_CLOSE,       FAKE_NO_DONE};
    static const char *const names[] = {"ok",           "slow (200 ms a token)", "stops mid-stream",
                                        "HTTP 500",     "garbage event",         "error event",
                                        "stalls",       "never answers",         "closes at once",
                                        "no [DONE]"};
    const int nc = (int)(sizeof cycle / sizeof cycle[0]);
    int seen[16] = {0};
    fake_script(&fake, 1, &cycle[0]);
    char llm_url[128], cfg[PATH_MAX], dur[32], log[PATH_MAX + 16], rec[PATH_MAX + 16];
    fake_url(&fake, llm_url, sizeof llm_url);
    snprintf(cfg, sizeof cfg, "%s/demos/live-llm.json", src);
    snprintf(dur, sizeof dur, "%.0f", minutes * 60);
    snprintf(log, sizeof log, "%s/live.log", dir);
    snprintf(rec, sizeof rec, "%s/rec.mkv", dir);
    char *argv[] = {(char *)shuzi, "live", "--config", cfg, "--llm-url", llm_url, "--out", rec,
                    "--api-port", "auto", "--duration", dur, NULL};
    printf("llm: shuzi live --config demos/live-llm.json with its LLM at a local fake server "
           "answering in turn: %s", names[0]);
    for (int i = 1; i < nc; i++)
        printf(", %s", names[i]);
    printf("; a comment every %.0f s, %.1f minutes\n", comment_every, minutes);
    pid_t pid = srv_spawn(argv, log);
    int port = pid > 0 ? room_api_port(log, pid) : -1;
    if (port <= 0) {
        printf("  the room did not start (log %s)\n", log);
        fake_stop(&fake);
        return 1;
    }
    double t0 = srv_now(), next_comment = comment_every;
    int comments = 0, refused = 0, at = 0, last_req = 0;
    char metrics[65536] = "";
    while (waitpid(pid, NULL, WNOHANG) == 0) {
        double t = srv_now() - t0;
        /* one fault a request, in turn */
        pthread_mutex_lock(&fake.lock);
        int reqs = fake.n_requests;
        pthread_mutex_unlock(&fake.lock);
        if (reqs > last_req) {
            seen[at % nc]++;
            last_req = reqs;
            at++;
            fake.token_delay_ms = at % nc == 1 ? 200 : 0;
            fake_script(&fake, 1, &cycle[at % nc]);
        }
        if (t >= next_comment && t < minutes * 60 - 5) {
            char body[200];
            snprintf(body, sizeof body,
                     "{\"user\": \"viewer%d\", \"text\": \"Question %d: how much is the kettle?\"}",
                     comments, comments);
            refused += room_request(port, "/v1/comments", body, NULL, 0) != 202;
            comments++;
            next_comment += comment_every;
        }
        if (t > minutes * 60 - 3 && !metrics[0])
            room_request(port, "/metrics", NULL, metrics, sizeof metrics);
        usleep(50000);
    }
    printf("  %d comments sent (%d not accepted); the fake got %d requests:", comments, refused,
           last_req);
    for (int i = 0; i < nc; i++)
        printf(" %s %d%s", names[i], seen[i], i + 1 < nc ? "," : "\n");
    static const char *const results[] = {"ok", "error", "cancelled"};
    printf("  the room counted LLM requests:");
    for (int i = 0; i < 3; i++) {
        char key[96];
        snprintf(key, sizeof key, "shuzi_llm_requests_total{result=\"%s\"} ", results[i]);
        const char *p = strstr(metrics, key);
        printf(" %s %s", results[i], p ? "" : "?");
        if (p)
            printf("%.0f", atof(p + strlen(key)));
    }
    printf("%s\n", metrics[0] ? "" : " (no /metrics answer)");
    room_print_summary(log);
    fake_stop(&fake);
    srv_rmtree(dir);
    return 0;
#endif
}

/* A TCP connection to 127.0.0.1:port from the loopback address src. */
static int api_connect_from(const char *src, int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return -1;
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = 0};
    inet_pton(AF_INET, src, &a.sin_addr);
    struct sockaddr_in d = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    d.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    /* a server that stops accepting leaves connects hanging: wait 50 ms at most */
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    if (bind(fd, (struct sockaddr *)&a, sizeof a) != 0 ||
        (connect(fd, (struct sockaddr *)&d, sizeof d) != 0 && errno != EINPROGRESS)) {
        close(fd);
        return -1;
    }
    struct pollfd p = {.fd = fd, .events = POLLOUT};
    int err = 0;
    socklen_t len = sizeof err;
    if (poll(&p, 1, 50) != 1 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0 || err) {
        close(fd);
        return -1;
    }
    return fd;
}

/* 1 while the server has not closed fd. */
static int api_still_open(int fd)
{
    char c;
    ssize_t n = recv(fd, &c, 1, MSG_PEEK | MSG_DONTWAIT);
    return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
}

static void api_phase(int port, double seconds, const char *what, int *attack, int n_attack,
                      int n_idle, const char *const *slow_parts)
{
    double lat[1024];
    int asked = 0, answered = 0, n = 0;
    double t0 = srv_now(), next = 0, next_trickle = 0;
    int part = 0;
    while (srv_now() - t0 < seconds) {
        double t = srv_now() - t0;
        if (n_attack && t >= next_trickle) { /* the slow senders: a few bytes every 5 s */
            for (int i = n_idle; i < n_attack; i++)
                if (attack[i] >= 0 && send(attack[i], slow_parts[part], strlen(slow_parts[part]),
                                           MSG_NOSIGNAL) < 0) {
                    close(attack[i]);
                    attack[i] = -1;
                }
            if (slow_parts[part + 1])
                part++;
            next_trickle += 5;
        }
        if (t >= next) {
            char out[4096];
            double a = srv_now();
            long st = room_request(port, "/v1/status", NULL, out, sizeof out);
            asked++;
            if (st == 200) {
                answered++;
                if (n < 1024)
                    lat[n++] = (srv_now() - a) * 1000;
            }
            next += 0.5;
        }
        usleep(20000);
    }
    int open = 0;
    for (int i = 0; i < n_attack; i++)
        open += attack[i] >= 0 && api_still_open(attack[i]);
    qsort(lat, (size_t)n, sizeof *lat, cmp_d);
    printf("  %-34s GET /v1/status answered %3d of %3d; latency median %6.1f ms, max %7.1f ms",
           what, answered, asked, n ? lat[n / 2] : 0.0, n ? lat[n - 1] : 0.0);
    if (n_attack)
        printf("; %d of the %d attacking connections still open", open, n_attack);
    printf("\n");
}

static int faults_api(const char *shuzi, double minutes, int n_idle, int n_slow)
{
#ifndef SHUZI_HAVE_CURL
    (void)shuzi, (void)minutes, (void)n_idle, (void)n_slow;
    printf("api: skipped: built without libcurl\n");
    return 0;
#else
    char dir[PATH_MAX], log[PATH_MAX + 16], rec[PATH_MAX + 16], dur[32];
    if (srv_tempdir(dir, sizeof dir) != 0)
        return 1;
    snprintf(log, sizeof log, "%s/live.log", dir);
    snprintf(rec, sizeof rec, "%s/rec.mkv", dir);
    double seconds = minutes * 60 < 60 ? 60 : minutes * 60;
    snprintf(dur, sizeof dur, "%.0f", seconds + 120);
    char *argv[] = {(char *)shuzi, "live", "--out", rec, "--size", "640x360", "--voice",
                    "espeak:en-us", "--api-port", "auto", "--duration", dur, NULL};
    printf("api: a live room's control API; %d idle connections from 127.0.0.2 and %d slow "
           "senders from 127.0.0.3 against one client asking twice a second from 127.0.0.1\n",
           n_idle, n_slow);
    pid_t pid = srv_spawn(argv, log);
    int port = pid > 0 ? room_api_port(log, pid) : -1;
    if (port <= 0) {
        printf("  the room did not start (log %s)\n", log);
        return 1;
    }
    static const char *const parts[] = {"GET /v1/status HTTP/1.1\r\n", "Host: x\r\n", "X-a: ",
                                        "b", "\r\nX-b: ", "c", "\r\nX-c: ", "d", "\r\nX-d: ",
                                        "e", "\r\nX-e: ", "f", "\r\nX-f: ", "g", NULL};
    api_phase(port, 10, "alone:", NULL, 0, 0, parts);
    int n = n_idle + n_slow, *attack = malloc(sizeof(int) * (size_t)(n ? n : 1)), made = 0;
    for (int i = 0; i < n; i++) {
        attack[i] = api_connect_from(i < n_idle ? "127.0.0.2" : "127.0.0.3", port);
        made += attack[i] >= 0;
    }
    printf("  %d of %d attacking connections made\n", made, n);
    api_phase(port, seconds - 10, "under attack:", attack, n, n_idle, parts);
    for (int i = 0; i < n; i++)
        if (attack[i] >= 0)
            close(attack[i]);
    free(attack);
    api_phase(port, 5, "after:", NULL, 0, 0, parts);
    if (waitpid(pid, NULL, WNOHANG) == pid) {
        printf("  the room ended during the attack; its log ends:\n");
        room_print_summary(log);
        char cmd[PATH_MAX + 32];
        snprintf(cmd, sizeof cmd, "tail -5 %s", log);
        if (system(cmd) != 0)
            printf("  (no log)\n");
    }
    kill(pid, SIGINT);
    waitpid(pid, NULL, 0);
    srv_rmtree(dir);
    return 0;
#endif
}

int main(int argc, char **argv)
{
    const char *what = "all";
    double minutes = 30, period = 60, down = 3, comment_every = 6;
    int n_idle = 200, n_slow = 50;
    char shuzi[PATH_MAX], self[PATH_MAX];
    snprintf(self, sizeof self, "%s", argv[0]);
    snprintf(shuzi, sizeof shuzi, "%s/shuzi", dirname(self));
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--minutes") && i + 1 < argc)
            minutes = atof(argv[++i]);
        else if (!strcmp(argv[i], "--period") && i + 1 < argc)
            period = atof(argv[++i]);
        else if (!strcmp(argv[i], "--down") && i + 1 < argc)
            down = atof(argv[++i]);
        else if (!strcmp(argv[i], "--comment-every") && i + 1 < argc)
            comment_every = atof(argv[++i]);
        else if (!strcmp(argv[i], "--idle") && i + 1 < argc)
            n_idle = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--slow") && i + 1 < argc)
            n_slow = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--shuzi") && i + 1 < argc)
            snprintf(shuzi, sizeof shuzi, "%s", argv[++i]);
        else if (!strcmp(argv[i], "rtmp") || !strcmp(argv[i], "llm") || !strcmp(argv[i], "api") ||
                 !strcmp(argv[i], "all"))
            what = argv[i];
        else {
            fprintf(stderr, "usage: bench_faults [rtmp|llm|api|all] [--minutes M] [--period S] "
                            "[--down S] [--comment-every S] [--idle N] [--slow N] [--shuzi PATH]\n");
            return 2;
        }
    }
    if (!(minutes >= 0.5 && minutes <= 1440) || !(period >= 10 && period <= 3600) ||
        !(down >= 0 && down < period) || !(comment_every >= 1 && comment_every <= 600) ||
        n_idle < 0 || n_slow < 0 || n_idle + n_slow > 5000) {
        fprintf(stderr, "bench_faults: --minutes 0.5 to 1440, --period 10 to 3600, --down 0 to "
                        "the period, --comment-every 1 to 600, --idle + --slow at most 5000\n");
        return 2;
    }
    const char *src = getenv("SHUZI_SOURCE_DIR");
    if (!src)
        src = SHUZI_SOURCE_DIR;
    int rc = 0;
    int all = !strcmp(what, "all");
    if (all || !strcmp(what, "rtmp"))
        rc |= faults_rtmp(shuzi, src, minutes, period, down);
    if (all || !strcmp(what, "llm"))
        rc |= faults_llm(shuzi, src, minutes, comment_every);
    if (all || !strcmp(what, "api"))
        rc |= faults_api(shuzi, minutes < 2 ? minutes : 2, n_idle, n_slow);
    return rc;
}
