/* SPDX-License-Identifier: Apache-2.0 */
/* events.c: the event ring of events.h: a fixed array of slots, each holding
 * one preformatted SSE block; sequence numbers tell readers where they are. */
#include "engine/events.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "shuzi.h"

typedef struct ev_slot {
    uint64_t seq;
    char *block;
    size_t len;
} ev_slot;

struct ev_hub {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    ev_slot *slots;
    size_t cap;
    uint64_t head; /* next sequence number */
    int closed;
    int readers;
};

int ev_hub_create(size_t capacity, ev_hub **out)
{
    if (!out || capacity < 16)
        return SZ_ERR_INVALID_ARG;
    ev_hub *h = calloc(1, sizeof *h);
    if (!h)
        return SZ_ERR_NO_MEMORY;
    h->slots = calloc(capacity, sizeof *h->slots);
    if (!h->slots) {
        free(h);
        return SZ_ERR_NO_MEMORY;
    }
    h->cap = capacity;
    pthread_mutex_init(&h->lock, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&h->cond, &ca);
    pthread_condattr_destroy(&ca);
    *out = h;
    return SZ_OK;
}

void ev_hub_free(ev_hub **hub)
{
    if (!hub || !*hub)
        return;
    ev_hub *h = *hub;
    for (size_t i = 0; i < h->cap; i++)
        free(h->slots[i].block);
    free(h->slots);
    pthread_mutex_destroy(&h->lock);
    pthread_cond_destroy(&h->cond);
    free(h);
    *hub = NULL;
}

void ev_hub_publish(ev_hub *h, const char *type, const char *json)
{
    if (!h || !type || !json)
        return;
    size_t need = strlen(type) + strlen(json) + 64;
    char *block = malloc(need);
    if (!block)
        return;
    pthread_mutex_lock(&h->lock);
    uint64_t seq = h->head++;
    int len = snprintf(block, need, "event: %s\nid: %llu\ndata: %s\n\n", type,
                       (unsigned long long)seq, json);
    ev_slot *s = &h->slots[seq % h->cap];
    free(s->block);
    s->block = block;
    s->len = len > 0 ? (size_t)len : 0;
    s->seq = seq;
    pthread_cond_broadcast(&h->cond);
    pthread_mutex_unlock(&h->lock);
}

uint64_t ev_hub_head(ev_hub *h)
{
    pthread_mutex_lock(&h->lock);
    uint64_t v = h->head;
    pthread_mutex_unlock(&h->lock);
    return v;
}

long ev_hub_read(ev_hub *h, uint64_t *cursor, char *buf, size_t cap, int64_t timeout_us)
{
    struct timespec deadline;
    clock_gettime(CLOCK_MONOTONIC, &deadline);
    deadline.tv_sec += timeout_us / 1000000;
    deadline.tv_nsec += (long)(timeout_us % 1000000) * 1000;
    if (deadline.tv_nsec >= 1000000000L) {
        deadline.tv_sec++;
        deadline.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&h->lock);
    h->readers++;
    long rc = 0;
    for (;;) {
        if (h->closed) {
            rc = -1;
            break;
        }
        if (*cursor + h->cap < h->head) { /* overwritten: the reader is too slow */
            uint64_t lost = h->head - h->cap - *cursor;
            *cursor = h->head - h->cap;
            int n = snprintf(buf, cap, "event: dropped\ndata: {\"missed\": %llu}\n\n",
                             (unsigned long long)lost);
            rc = n > 0 && (size_t)n < cap ? n : 0;
            break;
        }
        if (*cursor < h->head) {
            ev_slot *s = &h->slots[*cursor % h->cap];
            (*cursor)++;
            if (s->block && s->len < cap) {
                memcpy(buf, s->block, s->len + 1);
                rc = (long)s->len;
                break;
            }
            continue; /* too long for this reader: skipped */
        }
        if (timeout_us <= 0)
            break;
        if (pthread_cond_timedwait(&h->cond, &h->lock, &deadline) == ETIMEDOUT) {
            if (*cursor >= h->head && !h->closed)
                break;
        }
    }
    h->readers--;
    pthread_mutex_unlock(&h->lock);
    return rc;
}

void ev_hub_close(ev_hub *h)
{
    if (!h)
        return;
    pthread_mutex_lock(&h->lock);
    h->closed = 1;
    pthread_cond_broadcast(&h->cond);
    pthread_mutex_unlock(&h->lock);
}

int ev_hub_readers(ev_hub *h)
{
    pthread_mutex_lock(&h->lock);
    int n = h->readers;
    pthread_mutex_unlock(&h->lock);
    return n;
}
