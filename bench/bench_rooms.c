/* SPDX-License-Identifier: Apache-2.0 */
/* bench_rooms.c: how many live rooms one machine holds. For 1, 2, 3 ...
 * rooms at once, each room is its own `shuzi live` process (the config's
 * voice and avatar; demos/live.json: our voice, the photo host, 1280x720 at
 * 30 fps) pushing to its own stream on one local nginx-rtmp for --seconds.
 * Per level it prints the frames each room wrote against the frames the
 * clock asked for, the frames skipped by the clock or dropped by an output,
 * memory per room as RSS and as PSS (pages shared between the rooms, such
 * as the mapped voice file and the libraries, counted once across them),
 * and the CPU cores used. It stops after the first level where a room lost
 * more than --tolerance of its frames (default 0.5 %).
 * Usage: bench_rooms [--max N] [--from N] [--seconds S] [--config FILE]
 *                    [--shuzi PATH] [--tolerance PCT] [--all]
 * Each room runs with OPENBLAS_NUM_THREADS=1 (one process per room is the
 * deployment this measures; threads inside a room would fight the others). */
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench/proc_probe.h"
#include "tests/servers.h"

#define ROOMS_MAX 32
#define ROOMS_SAMPLE_S 2.0

typedef struct room {
    pid_t pid;
    char log[PATH_MAX + 32];
    double rss_sum, pss_sum, cpu_s;
    int samples;
    long long frames, skipped, written, dropped, reconnects;
    int summary;
} room;

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n ? (n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2])) : 0;
}

/* The room's summary line: "... stopped after T s (F frames, S skipped by
 * the clock; URL: W written, D dropped[, R reconnects])". */
static void room_read_summary(room *r)
{
    FILE *f = fopen(r->log, "r");
    char line[4096];
    while (f && fgets(line, sizeof line, f)) {
        const char *p = strstr(line, "stopped after");
        if (!p)
            continue;
        p = strchr(p, '(');
        if (!p || sscanf(p, "(%lld frames, %lld skipped", &r->frames, &r->skipped) != 2)
            continue;
        const char *w = strstr(p, " written");
        const char *d = strstr(p, " dropped");
        const char *c = strstr(p, " reconnect");
        /* the numbers just before those words */
        for (const char *q = w; q && q > p && q[-1] >= '0' && q[-1] <= '9'; q--)
            r->written = atoll(q - 1);
        for (const char *q = d; q && q > p && q[-1] >= '0' && q[-1] <= '9'; q--)
            r->dropped = atoll(q - 1);
        for (const char *q = c; q && q > p && q[-1] >= '0' && q[-1] <= '9'; q--)
            r->reconnects = atoll(q - 1);
        r->summary = 1;
    }
    if (f)
        fclose(f);
}

static void room_print_tail(const room *r)
{
    FILE *f = fopen(r->log, "r");
    char line[1024], last[3][1024] = {"", "", ""};
    while (f && fgets(line, sizeof line, f)) {
        memmove(last[0], last[1], sizeof last[0] * 2);
        snprintf(last[2], sizeof last[2], "%s", line);
    }
    if (f)
        fclose(f);
    for (int i = 0; i < 3; i++)
        if (last[i][0])
            printf("      | %s", last[i]);
}

/* One level: n rooms for `seconds`. Returns 1 when every room kept its
 * frames (within tolerance), 0 when one did not, -1 on a failure to run. */
static int rooms_level(const char *shuzi, const char *cfg, int port, int n, double seconds,
                       double tolerance, const char *dir)
{
    room rooms[ROOMS_MAX];
    memset(rooms, 0, sizeof rooms);
    char dur[32];
    snprintf(dur, sizeof dur, "%.0f", seconds);
    double t0 = srv_now();
    for (int i = 0; i < n; i++) {
        char url[256];
        snprintf(url, sizeof url, "rtmp://127.0.0.1:%d/live/room%d", port, i + 1);
        snprintf(rooms[i].log, sizeof rooms[i].log, "%s/room%d-of-%d.log", dir, i + 1, n);
        char *argv[] = {(char *)shuzi, "live",       "--config", (char *)cfg, "--out", url,
                        "--api-port",  "0",          "--duration", dur,       NULL};
        rooms[i].pid = srv_spawn(argv, rooms[i].log);
        if (rooms[i].pid <= 0) {
            printf("  %d rooms: cannot start a room\n", n);
            return -1;
        }
    }
    int running = n;
    double next = 0, total_pss = 0;
    int total_samples = 0;
    while (running > 0) {
        double t = srv_now() - t0;
        if (t >= next) {
            double pss = 0;
            int got = 0;
            for (int i = 0; i < n; i++) {
                proc_cost c;
                if (rooms[i].pid > 0 && proc_probe(rooms[i].pid, &c) == 0) {
                    if (t > 15) { /* after loading */
                        rooms[i].rss_sum += c.rss_mb;
                        rooms[i].pss_sum += c.pss_mb;
                        rooms[i].samples++;
                        pss += c.pss_mb;
                        got++;
                    }
                    rooms[i].cpu_s = c.cpu_s;
                }
            }
            if (got == n) {
                total_pss += pss;
                total_samples++;
            }
            next += ROOMS_SAMPLE_S;
        }
        for (int i = 0; i < n; i++) {
            if (rooms[i].pid <= 0)
                continue;
            int status;
            if (waitpid(rooms[i].pid, &status, WNOHANG) == rooms[i].pid) {
                rooms[i].pid = 0;
                running--;
            } else if (t > seconds + 120) {
                kill(rooms[i].pid, SIGTERM);
            }
        }
        usleep(100000);
    }
    double wall = srv_now() - t0;
    double expected = seconds * 30.0; /* demos/live.json: 30 fps */
    double written[ROOMS_MAX], rss[ROOMS_MAX], pss[ROOMS_MAX], cpu = 0;
    long long lost = 0, reconnects = 0;
    int ok = 1, missing = 0;
    double worst = 0;
    for (int i = 0; i < n; i++) {
        room_read_summary(&rooms[i]);
        if (!rooms[i].summary) {
            missing++;
            ok = 0;
            printf("  room %d of %d printed no summary; its log ends:\n", i + 1, n);
            room_print_tail(&rooms[i]);
            written[i] = 0;
        } else {
            written[i] = (double)rooms[i].written;
        }
        long long l = rooms[i].skipped + rooms[i].dropped;
        double share = expected > 0 ? 100.0 * (double)l / expected : 0;
        worst = share > worst ? share : worst;
        lost += l;
        reconnects += rooms[i].reconnects;
        rss[i] = rooms[i].samples ? rooms[i].rss_sum / rooms[i].samples : 0;
        pss[i] = rooms[i].samples ? rooms[i].pss_sum / rooms[i].samples : 0;
        cpu += rooms[i].cpu_s;
    }
    if (worst > tolerance)
        ok = 0;
    double wmin = written[0];
    for (int i = 1; i < n; i++)
        wmin = written[i] < wmin ? written[i] : wmin;
    printf("  %5d %9.0f %10.0f %9.0f %8lld %7.2f %% %8.0f %8.0f %9.0f %6.2f  %s\n", n, expected,
           median(written, n), wmin, lost, worst, median(rss, n), median(pss, n),
           total_samples ? total_pss / total_samples : 0, cpu / wall,
           missing ? "FAILED" : ok ? "holds" : "loses frames");
    if (reconnects)
        printf("        (%lld reconnects)\n", reconnects);
    return missing ? -1 : ok;
}

int main(int argc, char **argv)
{
    int max = 4, from = 1, all = 0;
    double seconds = 60, tolerance = 0.5;
    char shuzi[PATH_MAX], self[PATH_MAX], cfg[PATH_MAX] = "";
    snprintf(self, sizeof self, "%s", argv[0]);
    snprintf(shuzi, sizeof shuzi, "%s/shuzi", dirname(self));
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--max") == 0 && i + 1 < argc)
            max = atoi(argv[++i]);
        else if (strcmp(argv[i], "--from") == 0 && i + 1 < argc)
            from = atoi(argv[++i]);
        else if (strcmp(argv[i], "--seconds") == 0 && i + 1 < argc)
            seconds = atof(argv[++i]);
        else if (strcmp(argv[i], "--tolerance") == 0 && i + 1 < argc)
            tolerance = atof(argv[++i]);
        else if (strcmp(argv[i], "--shuzi") == 0 && i + 1 < argc)
            snprintf(shuzi, sizeof shuzi, "%s", argv[++i]);
        else if (strcmp(argv[i], "--config") == 0 && i + 1 < argc)
            snprintf(cfg, sizeof cfg, "%s", argv[++i]);
        else if (strcmp(argv[i], "--all") == 0)
            all = 1;
        else {
            fprintf(stderr, "usage: bench_rooms [--max N] [--from N] [--seconds S] [--config FILE] "
                            "[--shuzi PATH] [--tolerance PCT] [--all]\n"
                            "  --all: run every level up to --max even after one loses frames\n");
            return 2;
        }
    }
    if (max < 1 || max > ROOMS_MAX || from < 1 || from > max || !(seconds >= 20 && seconds <= 86400) ||
        !(tolerance >= 0 && tolerance <= 100)) {
        fprintf(stderr, "bench_rooms: --max 1 to %d, --from 1 to --max, --seconds 20 to 86400, "
                        "--tolerance 0 to 100\n",
                ROOMS_MAX);
        return 2;
    }
    if (!cfg[0]) {
        const char *src = getenv("SHUZI_SOURCE_DIR");
        snprintf(cfg, sizeof cfg, "%s/demos/live.json", src ? src : SHUZI_SOURCE_DIR);
    }
    char why[256], dir[PATH_MAX];
    if (!rtmp_server_available(why, sizeof why)) {
        printf("bench_rooms: skipped: %s (./setup.sh installs nginx-light and libnginx-mod-rtmp)\n",
               why);
        return 0;
    }
    rtmp_server srv;
    if (rtmp_server_init(&srv, 0) != 0 || rtmp_server_start(&srv) != 0) {
        fprintf(stderr, "bench_rooms: cannot start nginx (log %s)\n", srv.log);
        return 1;
    }
    if (srv_tempdir(dir, sizeof dir) != 0)
        return 1;
    setenv("OPENBLAS_NUM_THREADS", "1", 1);
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    printf("bench_rooms: `shuzi live --config %s`, one process per room, each pushing to its own "
           "stream on a local nginx-rtmp for %.0f s; %ld cores\n",
           cfg, seconds, cores);
    printf("  rooms  frames/room  written    lowest  lost(*)   worst   RSS/room PSS/room PSS total  cores\n"
           "         (clock)      (median)   room             room      (MB)     (MB)     (MB)\n");
    int held = 0, rc = 0;
    for (int n = from; n <= max; n++) {
        int r = rooms_level(shuzi, cfg, srv.port, n, seconds, tolerance, dir);
        if (r < 0) {
            rc = 1;
            break;
        }
        if (r == 1)
            held = n;
        if (r == 0 && !all)
            break;
    }
    printf("  (*) frames skipped by the clock plus frames an output dropped, all rooms; "
           "a room holds when it lost at most %.1f %% of its frames\n",
           tolerance);
    if (from == 1)
        printf("bench_rooms: this machine holds %d room%s at once without losing frames\n", held,
               held == 1 ? "" : "s");
    rtmp_server_cleanup(&srv);
    srv_rmtree(dir);
    return rc;
}
