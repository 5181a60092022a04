/* SPDX-License-Identifier: Apache-2.0 */
/* proc_probe.h: what a running process costs, read from /proc as an
 * operator's tools would: resident memory (RSS), its proportional share
 * counting pages shared with other processes once per sharer (PSS), and
 * user+system CPU seconds. Header-only, for the benches. */
#ifndef SZ_BENCH_PROC_PROBE_H
#define SZ_BENCH_PROC_PROBE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

typedef struct proc_cost {
    double rss_mb, pss_mb, cpu_s;
} proc_cost;

/* 0 on success; pss_mb is -1 where the kernel has no smaps_rollup. */
static inline int proc_probe(pid_t pid, proc_cost *c)
{
    char path[64], line[512];
    c->rss_mb = c->pss_mb = -1;
    c->cpu_s = 0;
    snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    while (fgets(line, sizeof line, f))
        if (strncmp(line, "VmRSS:", 6) == 0)
            c->rss_mb = atof(line + 6) / 1024.0;
    fclose(f);
    snprintf(path, sizeof path, "/proc/%d/smaps_rollup", (int)pid);
    f = fopen(path, "r");
    while (f && fgets(line, sizeof line, f))
        if (strncmp(line, "Pss:", 4) == 0)
            c->pss_mb = atof(line + 4) / 1024.0;
    if (f)
        fclose(f);
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    f = fopen(path, "r");
    if (!f)
        return -1;
    char buf[2048];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    char *p = strrchr(buf, ')'); /* the command name may hold spaces */
    unsigned long ut = 0, st = 0;
    if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st) != 2)
        return -1;
    c->cpu_s = (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
    return c->rss_mb >= 0 ? 0 : -1;
}

/* The least-squares slope of y over t (seconds), per hour; 0 with fewer
 * than two points. */
static inline double proc_slope_per_hour(const double *t, const double *y, int n)
{
    double sx = 0, sy = 0, sxx = 0, sxy = 0;
    for (int i = 0; i < n; i++) {
        sx += t[i];
        sy += y[i];
        sxx += t[i] * t[i];
        sxy += t[i] * y[i];
    }
    double den = n * sxx - sx * sx;
    return n > 1 && den > 0 ? (n * sxy - sx * sy) / den * 3600.0 : 0;
}

#endif
