/* SPDX-License-Identifier: Apache-2.0 */
/* log.h: the one logging hook of the library. Modules log with a tag:
 * SZ_LOGE("tts", "voice %s not found", name). */
#ifndef SZ_CORE_LOG_H
#define SZ_CORE_LOG_H

#include "shuzi.h"

#if defined(__GNUC__)
#define SZ_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define SZ_PRINTF(a, b)
#endif

void sz_log(sz_log_level level, const char *tag, const char *fmt, ...) SZ_PRINTF(3, 4);
int sz_log_enabled(sz_log_level level);

/* Libraries that print to stderr by themselves (PortAudio, ALSA and JACK
 * probing for sound cards; PulseAudio, which espeak-ng connects to) are
 * called between these two: stderr goes to a temporary file meanwhile, and
 * then only the lines of our own log ("[tag] ..." and "shuzi: ...") are
 * written back; with log level info everything is. One hold at a time in
 * the process (a lock); do not nest. */
typedef struct log_stderr_hold {
    int saved_fd;
    void *tmp; /* FILE * */
} log_stderr_hold;

void log_stderr_hold_begin(log_stderr_hold *h);
void log_stderr_hold_end(log_stderr_hold *h);

#define SZ_LOGE(tag, ...) sz_log(SZ_LOG_ERROR, tag, __VA_ARGS__)
#define SZ_LOGW(tag, ...) sz_log(SZ_LOG_WARN, tag, __VA_ARGS__)
#define SZ_LOGI(tag, ...) sz_log(SZ_LOG_INFO, tag, __VA_ARGS__)
#define SZ_LOGD(tag, ...) sz_log(SZ_LOG_DEBUG, tag, __VA_ARGS__)

#endif
