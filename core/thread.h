/* SPDX-License-Identifier: Apache-2.0 */
/* thread.h: named threads (visible in top/gdb) over pthreads. */
#ifndef SZ_CORE_THREAD_H
#define SZ_CORE_THREAD_H

#include <pthread.h>

typedef struct sz_thread {
    pthread_t handle;
    int started;
} sz_thread;

/* name: at most 15 bytes shown ("sz-tts"). Returns SZ_OK or an error. */
int thread_start(sz_thread *t, const char *name, void *(*fn)(void *), void *arg);
/* Joins if started; safe to call twice. */
void thread_join(sz_thread *t);

#endif
