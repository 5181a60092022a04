/* SPDX-License-Identifier: Apache-2.0 */
/* http_buf.h: a growing, locked byte buffer that libcurl writes a response
 * body (or headers, or an event stream read on another thread) into.
 * Header-only; include after <curl/curl.h>. */
#ifndef SZ_TESTS_HTTP_BUF_H
#define SZ_TESTS_HTTP_BUF_H

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

typedef struct buf {
    char *p; /* NUL-terminated; NULL until something arrives */
    size_t n;
    pthread_mutex_t lock;
} buf;

/* A CURLOPT_WRITEFUNCTION / CURLOPT_HEADERFUNCTION appending to the buf in
 * user. */
static __attribute__((unused)) size_t buf_write(char *d, size_t sz, size_t nm, void *user)
{
    buf *b = user;
    size_t n = sz * nm;
    pthread_mutex_lock(&b->lock);
    char *p = realloc(b->p, b->n + n + 1);
    if (p) {
        memcpy(p + b->n, d, n);
        b->n += n;
        p[b->n] = 0;
        b->p = p;
    }
    pthread_mutex_unlock(&b->lock);
    return n;
}

#endif
