/* SPDX-License-Identifier: Apache-2.0 */
/* clock.h: monotonic time in microseconds and sleeping until a deadline. */
#ifndef SZ_CORE_CLOCK_H
#define SZ_CORE_CLOCK_H

#include <stdint.h>

/* Microseconds on CLOCK_MONOTONIC. */
int64_t clock_now_us(void);
/* Sleeps until the monotonic time reaches deadline_us (returns at once if past). */
void clock_sleep_until_us(int64_t deadline_us);

/* A pausable real-time clock for live pacing: time since start. */
typedef struct sz_clock {
    int64_t start_us;
} sz_clock;

void clock_start(sz_clock *clock);
int64_t clock_elapsed_us(const sz_clock *clock);

/* Sample/frame arithmetic without drift: the first sample of frame k at
 * rate_hz and fps is floor(k * rate_hz / fps). */
int64_t clock_frame_first_sample(int64_t frame, int rate_hz, int fps);
/* Converts samples at rate_hz to microseconds (rounded down). */
int64_t clock_samples_to_us(int64_t samples, int rate_hz);

#endif
