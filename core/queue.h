/* SPDX-License-Identifier: Apache-2.0 */
/* queue.h: a bounded single-producer single-consumer queue of pointers. The
 * ring indices are lock-free; a mutex and condition variables are used only to
 * sleep when the queue is full or empty. Closing wakes both sides. */
#ifndef SZ_CORE_QUEUE_H
#define SZ_CORE_QUEUE_H

#include <stddef.h>
#include <stdint.h>

typedef struct sz_queue sz_queue;

/* capacity >= 1. Returns NULL when out of memory. */
sz_queue *queue_create(size_t capacity);
void queue_free(sz_queue **q);

/* Push/pop with a timeout: timeout_us < 0 waits forever, 0 does not wait.
 * Return SZ_OK, SZ_ERR_TIMEOUT (full/empty after the wait) or SZ_ERR_CANCELLED
 * (the queue is closed; pop still drains items pushed before the close). */
int queue_push(sz_queue *q, void *item, int64_t timeout_us);
int queue_pop(sz_queue *q, void **item, int64_t timeout_us);
/* Pop waiting until an absolute monotonic deadline (clock_now_us units). */
int queue_pop_until(sz_queue *q, void **item, int64_t deadline_us);
/* Looks at the next item without removing it (consumer only); NULL if empty. */
void *queue_peek(sz_queue *q);

void queue_close(sz_queue *q);
int queue_is_closed(sz_queue *q);
size_t queue_size(sz_queue *q);
size_t queue_capacity(const sz_queue *q);

#endif
