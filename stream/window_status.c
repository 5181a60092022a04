/* SPDX-License-Identifier: Apache-2.0 */
/* window_status.c: the kiosk window's indicator state (window_status.h). */
#include "stream/window_status.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#define WS_TEXT_MAX 600

static struct {
    pthread_mutex_t lock;
    window_mic mic;
    char heard[WS_TEXT_MAX];
    unsigned version;
    window_key_fn key_fn;
    void *key_user;
} ws = {.lock = PTHREAD_MUTEX_INITIALIZER};

void window_status_set_mic(window_mic state)
{
    pthread_mutex_lock(&ws.lock);
    if (ws.mic != state)
        ws.version++;
    ws.mic = state;
    pthread_mutex_unlock(&ws.lock);
}

void window_status_set_heard(const char *text)
{
    pthread_mutex_lock(&ws.lock);
    const char *t = text ? text : "";
    if (strcmp(ws.heard, t) != 0) {
        /* cut at a character boundary: never half a UTF-8 sequence */
        size_t n = strlen(t);
        if (n >= WS_TEXT_MAX) {
            n = WS_TEXT_MAX - 1;
            while (n > 0 && ((unsigned char)t[n] & 0xC0) == 0x80)
                n--;
        }
        memcpy(ws.heard, t, n);
        ws.heard[n] = 0;
        ws.version++;
    }
    pthread_mutex_unlock(&ws.lock);
}

unsigned window_status_get(window_mic *state, char *heard, size_t cap)
{
    pthread_mutex_lock(&ws.lock);
    *state = ws.mic;
    if (heard && cap)
        snprintf(heard, cap, "%s", ws.heard);
    unsigned v = ws.version;
    pthread_mutex_unlock(&ws.lock);
    return v;
}

void window_status_set_key(window_key_fn fn, void *user)
{
    pthread_mutex_lock(&ws.lock);
    ws.key_fn = fn;
    ws.key_user = user;
    pthread_mutex_unlock(&ws.lock);
}

void window_status_key(int down)
{
    pthread_mutex_lock(&ws.lock);
    window_key_fn fn = ws.key_fn;
    void *user = ws.key_user;
    pthread_mutex_unlock(&ws.lock);
    if (fn)
        fn(user, down);
}
