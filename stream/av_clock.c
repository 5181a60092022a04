/* SPDX-License-Identifier: Apache-2.0 */
/* av_clock.c: the presentation clock (see av_clock.h), a sequence lock over
 * three numbers so the reader never sees half of an update. */
#include "stream/av_clock.h"

void out_clock_init(out_clock *c)
{
    atomic_init(&c->seq, 0);
    atomic_init(&c->sources, 0);
    atomic_init(&c->pos_us, 0);
    atomic_init(&c->at_us, 0);
    atomic_init(&c->limit_us, 0);
    atomic_init(&c->published, 0);
}

void out_clock_add_source(out_clock *c)
{
    atomic_fetch_add(&c->sources, 1);
}

int out_clock_has_source(out_clock *c)
{
    return c && atomic_load(&c->sources) > 0;
}

void out_clock_publish(out_clock *c, int64_t pos_us, int64_t at_us, int64_t limit_us)
{
    unsigned s = atomic_load_explicit(&c->seq, memory_order_relaxed);
    atomic_store_explicit(&c->seq, s + 1, memory_order_relaxed);
    atomic_thread_fence(memory_order_release);
    atomic_store_explicit(&c->pos_us, pos_us, memory_order_relaxed);
    atomic_store_explicit(&c->at_us, at_us, memory_order_relaxed);
    atomic_store_explicit(&c->limit_us, limit_us, memory_order_relaxed);
    atomic_fetch_add_explicit(&c->published, 1, memory_order_relaxed);
    atomic_store_explicit(&c->seq, s + 2, memory_order_release);
}

int out_clock_read(out_clock *c, int64_t now_us, int64_t *pos_us, int64_t *age_us)
{
    int64_t pos, at, limit, n;
    for (;;) {
        unsigned s0 = atomic_load_explicit(&c->seq, memory_order_acquire);
        if (s0 & 1u)
            continue;
        pos = atomic_load_explicit(&c->pos_us, memory_order_relaxed);
        at = atomic_load_explicit(&c->at_us, memory_order_relaxed);
        limit = atomic_load_explicit(&c->limit_us, memory_order_relaxed);
        n = atomic_load_explicit(&c->published, memory_order_relaxed);
        atomic_thread_fence(memory_order_acquire);
        if (atomic_load_explicit(&c->seq, memory_order_relaxed) == s0)
            break;
    }
    if (n == 0)
        return 0;
    int64_t p = pos + (now_us - at);
    *pos_us = p < limit ? p : limit;
    *age_us = now_us - at;
    return 1;
}
