/* SPDX-License-Identifier: Apache-2.0 */
/* thread.c: named pthreads. */
#include "core/thread.h"

#include <string.h>

#include "shuzi.h"

int thread_start(sz_thread *t, const char *name, void *(*fn)(void *), void *arg)
{
    t->started = 0;
    if (pthread_create(&t->handle, NULL, fn, arg) != 0)
        return SZ_ERR_NO_MEMORY;
    char short_name[16];
    strncpy(short_name, name, sizeof short_name - 1);
    short_name[15] = 0;
    pthread_setname_np(t->handle, short_name);
    t->started = 1;
    return SZ_OK;
}

void thread_join(sz_thread *t)
{
    if (t->started) {
        pthread_join(t->handle, NULL);
        t->started = 0;
    }
}
