/* SPDX-License-Identifier: Apache-2.0 */
/* log.c: default stderr logger and the replaceable hook. */
#include "core/log.h"

#include <stdarg.h>
#include <stdio.h>

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
