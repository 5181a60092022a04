/* SPDX-License-Identifier: Apache-2.0 */
/* clock.c: monotonic clock helpers. */
#include "core/clock.h"

#include <errno.h>
#include <time.h>

int64_t clock_now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

void clock_sleep_until_us(int64_t deadline_us)
{
    struct timespec ts = {.tv_sec = deadline_us / 1000000,
                          .tv_nsec = (long)(deadline_us % 1000000) * 1000};
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR) {
    }
}

void clock_start(sz_clock *clock) { clock->start_us = clock_now_us(); }

int64_t clock_elapsed_us(const sz_clock *clock) { return clock_now_us() - clock->start_us; }

int64_t clock_frame_first_sample(int64_t frame, int rate_hz, int fps)
{
    return frame * (int64_t)rate_hz / fps;
}

int64_t clock_samples_to_us(int64_t samples, int rate_hz)
{
    return samples * 1000000 / rate_hz;
}
