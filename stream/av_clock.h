/* SPDX-License-Identifier: Apache-2.0 */
/* av_clock.h: the presentation clock shared by a session's local outputs.
 * The speaker output publishes which session time is audible now (its device
 * latency included); the window shows each frame when that time is audible,
 * so lips and sound meet at the viewer. Lock-free: an audio callback writes it. */
#ifndef SZ_STREAM_AV_CLOCK_H
#define SZ_STREAM_AV_CLOCK_H

#include <stdatomic.h>
#include <stdint.h>

typedef struct out_clock {
    atomic_uint seq;        /* odd while a write is in progress */
    atomic_int sources;     /* outputs that publish (speakers) */
    atomic_llong pos_us;    /* session time audible at at_us */
    atomic_llong at_us;     /* CLOCK_MONOTONIC microseconds */
    atomic_llong limit_us;  /* session time of the end of the audio the device holds */
    atomic_llong published; /* number of publishes so far */
} out_clock;

void out_clock_init(out_clock *c);
/* Called when an output that will publish is added. */
void out_clock_add_source(out_clock *c);
int out_clock_has_source(out_clock *c);

/* Writer (one thread or callback): session time pos_us is audible at the
 * monotonic time at_us, and the device holds audio up to limit_us. */
void out_clock_publish(out_clock *c, int64_t pos_us, int64_t at_us, int64_t limit_us);

/* Reader: the session time audible at now_us, extrapolated from the last
 * publish and never past limit_us. Returns 0 when nothing was published yet;
 * *age_us is how old that publish is. */
int out_clock_read(out_clock *c, int64_t now_us, int64_t *pos_us, int64_t *age_us);

#endif
