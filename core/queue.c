/* SPDX-License-Identifier: Apache-2.0 */
/* queue.c: bounded SPSC ring with atomic indices and condvar waits. */
#include "core/queue.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "core/clock.h"
#include "shuzi.h"

struct sz_queue {
    size_t capacity;
    void **slots;
    atomic_size_t head; /* next to pop (consumer writes) */
    atomic_size_t tail; /* next to push (producer writes) */
    atomic_int closed;
    atomic_int waiting; /* threads asleep in queue_wait */
    pthread_mutex_t lock;
    pthread_cond_t not_empty;
    pthread_cond_t not_full;
};

sz_queue *queue_create(size_t capacity)
{
    if (capacity == 0)
        return NULL;
    sz_queue *q = calloc(1, sizeof *q);
    if (!q)
        return NULL;
    q->slots = calloc(capacity, sizeof *q->slots);
    if (!q->slots) {
        free(q);
        return NULL;
    }
    q->capacity = capacity;
    pthread_mutex_init(&q->lock, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&q->not_empty, &ca);
    pthread_cond_init(&q->not_full, &ca);
    pthread_condattr_destroy(&ca);
    return q;
}

void queue_free(sz_queue **q)
{
    if (!q || !*q)
        return;
    pthread_mutex_destroy(&(*q)->lock);
    pthread_cond_destroy(&(*q)->not_empty);
    pthread_cond_destroy(&(*q)->not_full);
    free((*q)->slots);
    free(*q);
    *q = NULL;
}

static struct timespec queue_abs(int64_t deadline_us)
{
    struct timespec ts = {.tv_sec = deadline_us / 1000000,
                          .tv_nsec = (long)(deadline_us % 1000000) * 1000};
    return ts;
}

/* Waits on cond until pred() holds, the queue closes or the deadline passes.
 * deadline_us < 0: forever. Returns 1 if pred holds. */
static int queue_wait(sz_queue *q, pthread_cond_t *cond, int (*pred)(sz_queue *),
                      int64_t deadline_us)
{
    if (pred(q))
        return 1;
    if (deadline_us == 0)
        return 0;
    pthread_mutex_lock(&q->lock);
    atomic_fetch_add(&q->waiting, 1);
    struct timespec ts = queue_abs(deadline_us);
    while (!pred(q) && !atomic_load(&q->closed)) {
        if (deadline_us < 0) {
            pthread_cond_wait(cond, &q->lock);
        } else if (pthread_cond_timedwait(cond, &q->lock, &ts) != 0) {
            break;
        }
    }
    atomic_fetch_sub(&q->waiting, 1);
    pthread_mutex_unlock(&q->lock);
    return pred(q);
}

static int queue_has_room(sz_queue *q)
{
    return atomic_load(&q->tail) - atomic_load(&q->head) < q->capacity;
}

static int queue_has_item(sz_queue *q)
{
    return atomic_load(&q->tail) != atomic_load(&q->head);
}

/* Wakes the other side only if someone sleeps. The index store before this
 * and the waiter's increment before its check are both sequentially
 * consistent, so either the waiter sees the new index or we see the waiter. */
static void queue_signal(sz_queue *q, pthread_cond_t *cond)
{
    if (atomic_load(&q->waiting) == 0)
        return;
    pthread_mutex_lock(&q->lock);
    pthread_cond_signal(cond);
    pthread_mutex_unlock(&q->lock);
}

int queue_push(sz_queue *q, void *item, int64_t timeout_us)
{
    if (atomic_load(&q->closed))
        return SZ_ERR_CANCELLED;
    int64_t deadline = timeout_us < 0 ? -1 : timeout_us == 0 ? 0 : clock_now_us() + timeout_us;
    if (!queue_wait(q, &q->not_full, queue_has_room, deadline))
        return atomic_load(&q->closed) ? SZ_ERR_CANCELLED : SZ_ERR_TIMEOUT;
    if (atomic_load(&q->closed))
        return SZ_ERR_CANCELLED;
    size_t t = atomic_load(&q->tail);
    q->slots[t % q->capacity] = item;
    atomic_store(&q->tail, t + 1);
    queue_signal(q, &q->not_empty);
    return SZ_OK;
}

int queue_pop_until(sz_queue *q, void **item, int64_t deadline_us)
{
    if (!queue_wait(q, &q->not_empty, queue_has_item, deadline_us))
        return atomic_load(&q->closed) ? SZ_ERR_CANCELLED : SZ_ERR_TIMEOUT;
    size_t h = atomic_load(&q->head);
    *item = q->slots[h % q->capacity];
    atomic_store(&q->head, h + 1);
    queue_signal(q, &q->not_full);
    return SZ_OK;
}

int queue_pop(sz_queue *q, void **item, int64_t timeout_us)
{
    int64_t deadline = timeout_us < 0 ? -1 : timeout_us == 0 ? 0 : clock_now_us() + timeout_us;
    return queue_pop_until(q, item, deadline);
}

void *queue_peek(sz_queue *q)
{
    if (!queue_has_item(q))
        return NULL;
    return q->slots[atomic_load(&q->head) % q->capacity];
}

void queue_close(sz_queue *q)
{
    pthread_mutex_lock(&q->lock);
    atomic_store(&q->closed, 1);
    pthread_cond_broadcast(&q->not_empty);
    pthread_cond_broadcast(&q->not_full);
    pthread_mutex_unlock(&q->lock);
}

int queue_is_closed(sz_queue *q) { return atomic_load(&q->closed); }

size_t queue_size(sz_queue *q) { return atomic_load(&q->tail) - atomic_load(&q->head); }

size_t queue_capacity(const sz_queue *q) { return q->capacity; }
