/* SPDX-License-Identifier: Apache-2.0 */
/* log.c: default stderr logger and the replaceable hook. */
#include "core/log.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static sz_log_fn log_fn;
static void *log_user;
static sz_log_level log_level = SZ_LOG_WARN;

void sz_set_log_callback(sz_log_fn fn, void *user_data)
{
    log_fn = fn;
    log_user = user_data;
}

void sz_set_log_level(sz_log_level level) { log_level = level; }

int sz_log_enabled(sz_log_level level) { return level <= log_level; }

void sz_log(sz_log_level level, const char *tag, const char *fmt, ...)
{
    if (level > log_level)
        return;
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (log_fn) {
        log_fn(level, tag, msg, log_user);
        return;
    }
    static const char *names[] = {"error", "warning", "info", "debug"};
    fprintf(stderr, "[%s] %s: %s\n", tag, names[level < 0 || level > 3 ? 0 : level], msg);
}

static pthread_mutex_t log_hold_lock = PTHREAD_MUTEX_INITIALIZER;

void log_stderr_hold_begin(log_stderr_hold *h)
{
    pthread_mutex_lock(&log_hold_lock);
    h->saved_fd = -1;
    h->tmp = NULL;
    fflush(stderr);
    FILE *t = tmpfile();
    if (!t)
        return;
    int saved = dup(STDERR_FILENO);
    if (saved < 0 || dup2(fileno(t), STDERR_FILENO) < 0) {
        if (saved >= 0)
            close(saved);
        fclose(t);
        return;
    }
    h->saved_fd = saved;
    h->tmp = t;
}

void log_stderr_hold_end(log_stderr_hold *h)
{
    FILE *t = h->tmp;
    if (t) {
        fflush(stderr);
        dup2(h->saved_fd, STDERR_FILENO);
        close(h->saved_fd);
        rewind(t);
        int all = sz_log_enabled(SZ_LOG_INFO);
        char line[1024];
        int keep = 0, line_start = 1;
        while (fgets(line, sizeof line, t)) {
            if (line_start)
                keep = all || line[0] == '[' || strncmp(line, "shuzi", 5) == 0;
            if (keep)
                fputs(line, stderr);
            line_start = strchr(line, '\n') != NULL;
        }
        fclose(t);
        h->tmp = NULL;
    }
    pthread_mutex_unlock(&log_hold_lock);
}
