/* SPDX-License-Identifier: Apache-2.0 */
/* mem_track.h: a long run's memory over time, for the soak and fault
 * benches. Every sample holds the process's RSS and CPU seconds (from /proc)
 * and, when the room's control API answers, what its heap allocator holds
 * (GET /metrics: shuzi_heap_in_use_bytes and shuzi_heap_free_bytes). The
 * heap figures tell the kinds of growth apart: in use that keeps rising is a
 * leak; free-but-kept that rises while in use is flat is fragmentation; RSS
 * rising with both flat is pages touched once (buffers filled, code paged
 * in). Header-only, for the benches. */
#ifndef SZ_BENCH_MEM_TRACK_H
#define SZ_BENCH_MEM_TRACK_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/proc_probe.h"
#include "bench/room_client.h"

#define MEM_TRACK_MAX 20000

typedef struct mem_track {
    double t[MEM_TRACK_MAX], rss_mb[MEM_TRACK_MAX], cpu_s[MEM_TRACK_MAX];
    double heap_mb[MEM_TRACK_MAX], heap_free_mb[MEM_TRACK_MAX]; /* -1: not known */
    int n;
} mem_track;

/* The value of a gauge line "NAME VALUE" in a Prometheus page; -1 if absent. */
static inline double mem_track_gauge(const char *page, const char *name)
{
    size_t k = strlen(name);
    for (const char *p = page; (p = strstr(p, name)) != NULL; p += k)
        if ((p == page || p[-1] == '\n') && p[k] == ' ')
            return atof(p + k + 1);
    return -1;
}

/* One sample of pid at t seconds; port is the room's control API (<= 0
 * when it has none: no heap figures). */
static inline void mem_track_sample(mem_track *m, pid_t pid, int port, double t)
{
    proc_cost c;
    if (m->n >= MEM_TRACK_MAX || proc_probe(pid, &c) != 0)
        return;
    int i = m->n++;
    m->t[i] = t;
    m->rss_mb[i] = c.rss_mb;
    m->cpu_s[i] = c.cpu_s;
    m->heap_mb[i] = m->heap_free_mb[i] = -1;
#ifdef SHUZI_HAVE_CURL
    static char page[65536];
    if (port > 0 && room_request(port, "/metrics", NULL, page, sizeof page) == 200) {
        double in_use = mem_track_gauge(page, "shuzi_heap_in_use_bytes");
        double kept = mem_track_gauge(page, "shuzi_heap_free_bytes");
        m->heap_mb[i] = in_use >= 0 ? in_use / 1048576.0 : -1;
        m->heap_free_mb[i] = kept >= 0 ? kept / 1048576.0 : -1;
    }
#else
    (void)port;
#endif
}

/* Prints one series: first after warm-up, last, and the slope per hour
 * over the samples after warm-up that have a value. */
static inline void mem_track_series(const mem_track *m, int w, const double *y, const char *what)
{
    static double ts[MEM_TRACK_MAX], ys[MEM_TRACK_MAX];
    int k = 0;
    for (int i = w; i < m->n; i++)
        if (y[i] >= 0) {
            ts[k] = m->t[i];
            ys[k++] = y[i];
        }
    if (k < 2)
        return;
    printf("  %s: %.1f MB after warm-up (%.0f s), %.1f MB at the end (%.0f s); slope %+.2f "
           "MB/hour\n",
           what, ys[0], ts[0], ys[k - 1], ts[k - 1], proc_slope_per_hour(ts, ys, k));
}

/* RSS at start, after warm_s seconds and at the end, its slope per hour
 * after warm-up, the heap's figures, and CPU per hour. */
static inline void mem_track_print(const mem_track *m, double warm_s)
{
    if (m->n < 2) {
        printf("  memory: too few samples\n");
        return;
    }
    int w = 0;
    while (w < m->n - 1 && m->t[w] < warm_s)
        w++;
    double peak = 0;
    for (int i = 0; i < m->n; i++)
        peak = m->rss_mb[i] > peak ? m->rss_mb[i] : peak;
    printf("  RSS: %.1f MB at %.0f s, %.1f MB after warm-up (%.0f s), %.1f MB at the end "
           "(%.0f s), peak %.1f MB; slope after warm-up %+.2f MB/hour (%d samples)\n",
           m->rss_mb[0], m->t[0], m->rss_mb[w], m->t[w], m->rss_mb[m->n - 1], m->t[m->n - 1],
           peak, proc_slope_per_hour(m->t + w, m->rss_mb + w, m->n - w), m->n - w);
    /* the curve, not only its ends: six points after warm-up, so growth that
     * stops can be told from growth that goes on */
    if (m->n - w >= 7) {
        printf("  RSS / heap in use over the run:");
        for (int q = 1; q <= 6; q++) {
            int i = w + (m->n - 1 - w) * q / 6;
            if (m->heap_mb[i] >= 0)
                printf(" %.0f min %.1f/%.1f MB", m->t[i] / 60.0, m->rss_mb[i], m->heap_mb[i]);
            else
                printf(" %.0f min %.1f MB", m->t[i] / 60.0, m->rss_mb[i]);
            printf("%s", q < 6 ? ";" : "\n");
        }
    }
    mem_track_series(m, w, m->heap_mb, "heap in use");
    mem_track_series(m, w, m->heap_free_mb, "heap free, kept by the allocator");
    double dt = m->t[m->n - 1] - m->t[w];
    if (dt > 0)
        printf("  CPU: %.0f s per hour after warm-up (%.2f of one core)\n",
               (m->cpu_s[m->n - 1] - m->cpu_s[w]) / dt * 3600.0,
               (m->cpu_s[m->n - 1] - m->cpu_s[w]) / dt);
}

#endif
