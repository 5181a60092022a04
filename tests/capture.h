/* SPDX-License-Identifier: Apache-2.0 */
/* capture.h: a tts sink that keeps everything a voice gives it (samples and
 * events), for the tests of voices. Header-only. */
#ifndef SZ_TESTS_CAPTURE_H
#define SZ_TESTS_CAPTURE_H

#include <stdlib.h>
#include <string.h>

#include "tts/voice.h"

#define MAX_EVENTS 512

typedef struct capture {
    float *pcm;
    size_t n, cap;
    tts_event ev[MAX_EVENTS];
    size_t n_ev;
    size_t stop_after; /* 0: never */
} capture;

static __attribute__((unused)) int cap_audio(void *user, const float *pcm, size_t n)
{
    capture *c = user;
    if (c->n + n > c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 4096;
        while (cap < c->n + n)
            cap *= 2;
        float *p = realloc(c->pcm, cap * sizeof *p);
        if (!p)
            return 1;
        c->pcm = p;
        c->cap = cap;
    }
    memcpy(c->pcm + c->n, pcm, n * sizeof *pcm);
    c->n += n;
    return c->stop_after && c->n >= c->stop_after;
}

static __attribute__((unused)) int cap_event(void *user, const tts_event *ev)
{
    capture *c = user;
    if (c->n_ev < MAX_EVENTS)
        c->ev[c->n_ev++] = *ev;
    return 0;
}

#endif
