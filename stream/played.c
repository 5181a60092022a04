/* SPDX-License-Identifier: Apache-2.0 */
/* played.c: the process's record of what its speakers played (played.h).
 * The owner speaker writes device-rate samples into a ring from its device
 * callback and stamps the newest block with the time it is heard (a
 * sequence lock: the callback never waits). The reader copies what is new,
 * resamples it (libswresample) into a short queue at its own rate, and
 * finds samples by time through the latest stamp: the device's clock and
 * the monotonic clock drift apart by far less than a frame over the few
 * seconds a stamp is extrapolated. */
#include "stream/played.h"

#include <libavutil/channel_layout.h>
#include <libswresample/swresample.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#define PLAYED_KEEP_S 4     /* device-rate audio kept for a slow reader */
#define PLAYED_QUEUE_S 2    /* reader-rate audio kept behind the newest */

static struct {
    pthread_mutex_t lock; /* attach/detach against readers; never the callback */
    int owned;
    int rate;
    float *ring;
    size_t cap;
    atomic_size_t wr;   /* samples published so far */
    atomic_uint seq;    /* odd while the stamp is written */
    atomic_llong stamp_idx, stamp_us;
    atomic_uint generation; /* a new owner: readers start over */
} played = {.lock = PTHREAD_MUTEX_INITIALIZER};

int played_attach(int rate)
{
    if (rate <= 0)
        return 0;
    pthread_mutex_lock(&played.lock);
    int ok = 0;
    if (!played.owned) {
        size_t cap = (size_t)rate * PLAYED_KEEP_S;
        float *ring = calloc(cap, sizeof *ring);
        if (ring) {
            free(played.ring);
            played.ring = ring;
            played.cap = cap;
            played.rate = rate;
            atomic_store(&played.wr, 0);
            atomic_store(&played.stamp_idx, 0);
            atomic_store(&played.stamp_us, 0);
            atomic_fetch_add(&played.generation, 1);
            played.owned = ok = 1;
        }
    }
    pthread_mutex_unlock(&played.lock);
    return ok;
}

void played_publish(const float *x, size_t n, size_t stride, int64_t heard_at_us)
{
    if (!played.ring || n == 0)
        return;
    size_t w = atomic_load_explicit(&played.wr, memory_order_relaxed);
    for (size_t i = 0; i < n; i++)
        played.ring[(w + i) % played.cap] = x[i * stride];
    unsigned s = atomic_load_explicit(&played.seq, memory_order_relaxed);
    atomic_store_explicit(&played.seq, s + 1, memory_order_relaxed);
    atomic_thread_fence(memory_order_release);
    atomic_store_explicit(&played.stamp_idx, (long long)w, memory_order_relaxed);
    atomic_store_explicit(&played.stamp_us, heard_at_us, memory_order_relaxed);
    atomic_store_explicit(&played.seq, s + 2, memory_order_release);
    atomic_store_explicit(&played.wr, w + n, memory_order_release);
}

void played_detach(void)
{
    pthread_mutex_lock(&played.lock);
    played.owned = 0;
    atomic_fetch_add(&played.generation, 1);
    pthread_mutex_unlock(&played.lock);
}

/* ---- the reader ------------------------------------------------------------ */

struct played_reader {
    int rate;
    unsigned generation;
    int src_rate;
    SwrContext *swr;
    size_t rd;        /* device samples taken so far */
    float *q;         /* reader-rate samples; q[0] is reader index q_start */
    size_t q_n, q_cap;
    int64_t q_start;
    float *tmp;
    size_t tmp_cap;
};

played_reader *played_reader_open(int rate)
{
    if (rate <= 0)
        return NULL;
    played_reader *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->rate = rate;
    r->q_cap = (size_t)rate * PLAYED_QUEUE_S * 2;
    r->q = malloc(r->q_cap * sizeof *r->q);
    if (!r->q) {
        free(r);
        return NULL;
    }
    r->generation = (unsigned)-1;
    return r;
}

void played_reader_close(played_reader **pr)
{
    if (!pr || !*pr)
        return;
    played_reader *r = *pr;
    swr_free(&r->swr);
    free(r->q);
    free(r->tmp);
    free(r);
    *pr = NULL;
}

/* The reader index of device sample idx. */
static int64_t played_to_reader(const played_reader *r, int64_t idx)
{
    return (int64_t)((double)idx * r->rate / r->src_rate);
}

/* Starts over on the current owner's stream (called with the lock held). */
static int played_reader_reset(played_reader *r)
{
    swr_free(&r->swr);
    r->generation = atomic_load(&played.generation);
    r->src_rate = played.rate;
    r->rd = atomic_load_explicit(&played.wr, memory_order_acquire);
    r->q_n = 0;
    r->q_start = played_to_reader(r, (int64_t)r->rd);
    if (!played.owned)
        return 0;
    AVChannelLayout mono = AV_CHANNEL_LAYOUT_MONO;
    if (swr_alloc_set_opts2(&r->swr, &mono, AV_SAMPLE_FMT_FLT, r->rate, &mono, AV_SAMPLE_FMT_FLT,
                            r->src_rate, 0, NULL) < 0 ||
        swr_init(r->swr) < 0) {
        swr_free(&r->swr);
        return 0;
    }
    return 1;
}

/* Drops the oldest reader samples so that room for n more is left. */
static void played_make_room(played_reader *r, size_t n)
{
    if (r->q_n + n <= r->q_cap)
        return;
    size_t drop = r->q_n + n - r->q_cap;
    if (drop > r->q_n)
        drop = r->q_n;
    memmove(r->q, r->q + drop, (r->q_n - drop) * sizeof *r->q);
    r->q_n -= drop;
    r->q_start += (int64_t)drop;
}

/* Moves what was published since the last call into the queue. */
static void played_take(played_reader *r)
{
    size_t w = atomic_load_explicit(&played.wr, memory_order_acquire);
    if (w - r->rd > played.cap / 2) { /* fell behind: restart at the newest */
        r->rd = w - played.cap / 4;
        swr_init(r->swr);
        r->q_n = 0;
        r->q_start = played_to_reader(r, (int64_t)r->rd);
    }
    while (r->rd < w) {
        size_t n = w - r->rd;
        if (n > 4096)
            n = 4096;
        if (r->tmp_cap < n) {
            float *t = realloc(r->tmp, n * sizeof *t);
            if (!t)
                return;
            r->tmp = t;
            r->tmp_cap = n;
        }
        for (size_t i = 0; i < n; i++)
            r->tmp[i] = played.ring[(r->rd + i) % played.cap];
        /* the callback may have lapped what was just copied: start over */
        if (atomic_load_explicit(&played.wr, memory_order_acquire) - r->rd > played.cap) {
            r->rd = atomic_load(&played.wr);
            swr_init(r->swr);
            r->q_n = 0;
            r->q_start = played_to_reader(r, (int64_t)r->rd);
            return;
        }
        int out_max = swr_get_out_samples(r->swr, (int)n);
        if (out_max < 0)
            return;
        played_make_room(r, (size_t)out_max);
        uint8_t *dst = (uint8_t *)(r->q + r->q_n);
        const uint8_t *src = (const uint8_t *)r->tmp;
        int got = swr_convert(r->swr, &dst, out_max, &src, (int)n);
        if (got > 0)
            r->q_n += (size_t)got;
        r->rd += n;
    }
}

int played_read(played_reader *r, int64_t t_us, float *out, size_t n)
{
    memset(out, 0, n * sizeof *out);
    if (!r)
        return 0;
    int any = 0;
    pthread_mutex_lock(&played.lock);
    if (r->generation != atomic_load(&played.generation) && !played_reader_reset(r))
        goto done;
    if (!played.owned || !r->swr)
        goto done;
    played_take(r);
    int64_t idx, at;
    unsigned s0, s1;
    do {
        s0 = atomic_load_explicit(&played.seq, memory_order_acquire);
        idx = atomic_load_explicit(&played.stamp_idx, memory_order_relaxed);
        at = atomic_load_explicit(&played.stamp_us, memory_order_relaxed);
        atomic_thread_fence(memory_order_acquire);
        s1 = atomic_load_explicit(&played.seq, memory_order_relaxed);
    } while ((s0 & 1) || s0 != s1);
    if (at == 0)
        goto done;
    int64_t j0 = played_to_reader(r, idx) + (int64_t)floor((double)(t_us - at) * r->rate / 1e6);
    for (size_t k = 0; k < n; k++) {
        int64_t p = j0 + (int64_t)k - r->q_start;
        if (p >= 0 && (size_t)p < r->q_n) {
            out[k] = r->q[p];
            if (fabsf(out[k]) > 1e-5f)
                any = 1;
        }
    }
    /* forget what is older than this read */
    int64_t keep_from = j0 - r->q_start;
    if (keep_from > 0) {
        size_t drop = (size_t)keep_from < r->q_n ? (size_t)keep_from : r->q_n;
        memmove(r->q, r->q + drop, (r->q_n - drop) * sizeof *r->q);
        r->q_n -= drop;
        r->q_start += (int64_t)drop;
    }
done:
    pthread_mutex_unlock(&played.lock);
    return any;
}
