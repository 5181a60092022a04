/* SPDX-License-Identifier: Apache-2.0 */
/* test_queue.c: the bounded SPSC queue under a real producer/consumer pair
 * (order and count of a million items at capacities 8 and 1), timeouts,
 * close semantics (wakes blocked waiters, drains, refuses pushes), peek, size. */
#include "core/clock.h"
#include "core/queue.h"
#include "shuzi.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "check.h"

#define N_ITEMS 1000000

static void *tq_item(uintptr_t v) { return (void *)v; }

typedef struct tq_producer {
    sz_queue *q;
    uintptr_t count;
    int rc; /* first non-OK push result */
    uintptr_t pushed;
} tq_producer;

static void *tq_produce(void *arg)
{
    tq_producer *p = arg;
    p->rc = SZ_OK;
    for (uintptr_t i = 1; i <= p->count; i++) {
        int rc = queue_push(p->q, tq_item(i), -1);
        if (rc != SZ_OK) {
            p->rc = rc;
            break;
        }
        p->pushed++;
    }
    return NULL;
}

/* Pushes 1..N from a thread; pops here and checks exact order and count. */
static void test_stream(size_t capacity)
{
    sz_queue *q = queue_create(capacity);
    CHECK(q != NULL, "queue_create(%zu) failed", capacity);
    if (!q)
        return;
    CHECK(queue_capacity(q) == capacity, "capacity %zu, expected %zu", queue_capacity(q),
          capacity);
    tq_producer p = {.q = q, .count = N_ITEMS};
    pthread_t th;
    if (pthread_create(&th, NULL, tq_produce, &p) != 0) {
        CHECK(0, "pthread_create failed");
        queue_free(&q);
        return;
    }
    uintptr_t expect = 1, got = 0, out_of_order = 0, first_bad = 0, max_size = 0;
    int pop_rc = SZ_OK;
    while (got < N_ITEMS) {
        void *it = NULL;
        size_t sz = queue_size(q);
        if (sz > max_size)
            max_size = sz;
        int rc = queue_pop(q, &it, -1);
        if (rc != SZ_OK) {
            pop_rc = rc;
            break;
        }
        if ((uintptr_t)it != expect) {
            if (!out_of_order)
                first_bad = (uintptr_t)it;
            out_of_order++;
        }
        expect = (uintptr_t)it + 1;
        got++;
    }
    pthread_join(th, NULL);
    CHECK(pop_rc == SZ_OK, "cap %zu: pop failed with %d after %ju items", capacity, pop_rc,
          (uintmax_t)got);
    CHECK(p.rc == SZ_OK, "cap %zu: push failed with %d", capacity, p.rc);
    CHECK(p.pushed == N_ITEMS, "cap %zu: pushed %ju", capacity, (uintmax_t)p.pushed);
    CHECK(got == N_ITEMS, "cap %zu: popped %ju, expected %d", capacity, (uintmax_t)got, N_ITEMS);
    CHECK(out_of_order == 0, "cap %zu: %ju items out of order (first bad value %ju)", capacity,
          (uintmax_t)out_of_order, (uintmax_t)first_bad);
    CHECK(expect == (uintptr_t)N_ITEMS + 1, "cap %zu: last item %ju", capacity,
          (uintmax_t)(expect - 1));
    CHECK(max_size <= capacity, "cap %zu: size reached %ju", capacity, (uintmax_t)max_size);
    CHECK(queue_size(q) == 0, "cap %zu: %zu items left", capacity, queue_size(q));
    void *it = tq_item(7);
    CHECK(queue_pop(q, &it, 0) == SZ_ERR_TIMEOUT, "cap %zu: drained queue not empty", capacity);
    queue_free(&q);
    CHECK(q == NULL, "queue_free did not clear the pointer");
}

static void test_timeouts(void)
{
    sz_queue *q = queue_create(2);
    CHECK(q != NULL, "queue_create(2)");
    if (!q)
        return;
    void *it = tq_item(99);
    CHECK(queue_pop(q, &it, 0) == SZ_ERR_TIMEOUT, "pop(0) on empty queue");
    CHECK(it == tq_item(99), "failed pop wrote the item");
    CHECK(queue_peek(q) == NULL, "peek on empty queue");
    CHECK(queue_size(q) == 0, "size %zu, expected 0", queue_size(q));

    CHECK(queue_push(q, tq_item(1), 0) == SZ_OK, "push 1");
    CHECK(queue_size(q) == 1, "size %zu, expected 1", queue_size(q));
    CHECK(queue_peek(q) == tq_item(1), "peek != 1");
    CHECK(queue_size(q) == 1, "peek removed an item: size %zu", queue_size(q));
    CHECK(queue_push(q, tq_item(2), 0) == SZ_OK, "push 2");
    CHECK(queue_size(q) == 2, "size %zu, expected 2", queue_size(q));
    CHECK(queue_push(q, tq_item(3), 0) == SZ_ERR_TIMEOUT, "push(0) on full queue");
    CHECK(queue_size(q) == 2, "size %zu after refused push", queue_size(q));

    /* A full queue with a short timeout: waits, then times out. */
    int64_t t0 = clock_now_us();
    CHECK(queue_push(q, tq_item(3), 20000) == SZ_ERR_TIMEOUT, "push(20 ms) on full queue");
    int64_t waited = clock_now_us() - t0;
    CHECK(waited >= 20000, "push timeout returned after %lld us (< 20000)", (long long)waited);

    CHECK(queue_peek(q) == tq_item(1), "peek != 1 on full queue");
    CHECK(queue_pop(q, &it, 0) == SZ_OK && it == tq_item(1), "pop 1 got %p", it);
    CHECK(queue_size(q) == 1, "size %zu, expected 1", queue_size(q));
    CHECK(queue_peek(q) == tq_item(2), "peek != 2");
    CHECK(queue_push(q, tq_item(3), 0) == SZ_OK, "push 3 (wraps the ring)");
    CHECK(queue_pop(q, &it, 0) == SZ_OK && it == tq_item(2), "pop 2 got %p", it);
    CHECK(queue_pop(q, &it, 0) == SZ_OK && it == tq_item(3), "pop 3 got %p", it);
    CHECK(queue_size(q) == 0, "size %zu, expected 0", queue_size(q));

    /* 50 ms pop on an empty queue must not return early (no upper bound:
     * a loaded machine may oversleep). */
    t0 = clock_now_us();
    int rc = queue_pop(q, &it, 50000);
    waited = clock_now_us() - t0;
    CHECK(rc == SZ_ERR_TIMEOUT, "pop(50 ms) on empty queue returned %d", rc);
    CHECK(waited >= 50000, "pop(50 ms) returned after %lld us", (long long)waited);

    /* An absolute deadline already in the past: times out without blocking. */
    rc = queue_pop_until(q, &it, clock_now_us() - 1000);
    CHECK(rc == SZ_ERR_TIMEOUT, "pop_until(past) returned %d", rc);
    t0 = clock_now_us();
    rc = queue_pop_until(q, &it, t0 + 30000);
    waited = clock_now_us() - t0;
    CHECK(rc == SZ_ERR_TIMEOUT, "pop_until(+30 ms) returned %d", rc);
    CHECK(waited >= 30000, "pop_until(+30 ms) returned after %lld us", (long long)waited);
    CHECK(queue_is_closed(q) == 0, "fresh queue reads closed");
    queue_free(&q);
}

typedef struct tq_blocked {
    sz_queue *q;
    int push; /* 1: block in push, 0: block in pop */
    int rc;
    atomic_int done;
} tq_blocked;

static void *tq_block(void *arg)
{
    tq_blocked *b = arg;
    void *it = NULL;
    b->rc = b->push ? queue_push(b->q, tq_item(42), -1) : queue_pop(b->q, &it, -1);
    atomic_store(&b->done, 1);
    return NULL;
}

static void tq_sleep_ms(int ms) { clock_sleep_until_us(clock_now_us() + (int64_t)ms * 1000); }

/* Blocks a thread forever in push (full queue) or pop (empty queue), closes
 * the queue from here and checks the waiter wakes with SZ_ERR_CANCELLED. */
static void test_close_wakes(int push)
{
    const char *what = push ? "push" : "pop";
    sz_queue *q = queue_create(1);
    CHECK(q != NULL, "queue_create(1)");
    if (!q)
        return;
    if (push)
        CHECK(queue_push(q, tq_item(1), 0) == SZ_OK, "fill");
    tq_blocked b = {.q = q, .push = push, .rc = 12345};
    atomic_init(&b.done, 0);
    pthread_t th;
    if (pthread_create(&th, NULL, tq_block, &b) != 0) {
        CHECK(0, "pthread_create failed");
        queue_free(&q);
        return;
    }
    tq_sleep_ms(50);
    CHECK(atomic_load(&b.done) == 0, "%s with timeout -1 returned early (rc %d)", what, b.rc);
    queue_close(q);
    CHECK(queue_is_closed(q) == 1, "queue_is_closed after close");
    /* Give the waiter up to 5 s to wake; do not join a thread that never
     * returns (the test would hang instead of failing). */
    int64_t limit = clock_now_us() + 5000000;
    while (!atomic_load(&b.done) && clock_now_us() < limit)
        tq_sleep_ms(1);
    if (!atomic_load(&b.done)) {
        CHECK(0, "queue_close did not wake a thread blocked in %s", what);
        exit(check_summary("test_queue"));
    }
    pthread_join(th, NULL);
    CHECK(b.rc == SZ_ERR_CANCELLED, "blocked %s returned %d, expected SZ_ERR_CANCELLED (%d)",
          what, b.rc, SZ_ERR_CANCELLED);
    queue_free(&q);
}

static void test_close_drains(void)
{
    sz_queue *q = queue_create(4);
    CHECK(q != NULL, "queue_create(4)");
    if (!q)
        return;
    for (uintptr_t i = 1; i <= 3; i++)
        CHECK(queue_push(q, tq_item(i), 0) == SZ_OK, "push %ju", (uintmax_t)i);
    queue_close(q);
    CHECK(queue_push(q, tq_item(4), 0) == SZ_ERR_CANCELLED, "push(0) after close");
    CHECK(queue_push(q, tq_item(4), -1) == SZ_ERR_CANCELLED, "push(-1) after close");
    CHECK(queue_push(q, tq_item(4), 1000) == SZ_ERR_CANCELLED, "push(1 ms) after close");
    CHECK(queue_size(q) == 3, "size %zu after close, expected 3", queue_size(q));
    CHECK(queue_peek(q) == tq_item(1), "peek after close");
    for (uintptr_t i = 1; i <= 3; i++) {
        void *it = NULL;
        int rc = queue_pop(q, &it, -1);
        CHECK(rc == SZ_OK && it == tq_item(i), "drain %ju: rc %d item %p", (uintmax_t)i, rc, it);
        CHECK(queue_size(q) == 3 - i, "size %zu while draining", queue_size(q));
    }
    void *it = tq_item(77);
    CHECK(queue_pop(q, &it, -1) == SZ_ERR_CANCELLED, "pop(-1) on closed empty queue");
    CHECK(queue_pop(q, &it, 0) == SZ_ERR_CANCELLED, "pop(0) on closed empty queue");
    CHECK(queue_pop(q, &it, 10000) == SZ_ERR_CANCELLED, "pop(10 ms) on closed empty queue");
    CHECK(it == tq_item(77), "cancelled pop wrote the item");
    CHECK(queue_peek(q) == NULL, "peek on closed empty queue");
    queue_free(&q);
    queue_free(&q); /* safe on NULL */
    queue_free(NULL);
}

int main(void)
{
    CHECK(queue_create(0) == NULL, "queue_create(0) must return NULL");
    test_timeouts();
    test_close_drains();
    test_close_wakes(0);
    test_close_wakes(1);
    test_stream(8);
    test_stream(1);
    return check_summary("test_queue");
}
