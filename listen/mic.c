/* SPDX-License-Identifier: Apache-2.0 */
/* mic.c: picks a microphone kind by its spec and forwards to it (mic.h). */
#include "listen/mic.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shuzi.h"

struct mic {
    const mic_kind *kind;
    void *state;
};

int mic_open(const char *spec, int rate, mic **out, char *err, size_t errlen)
{
    *out = NULL;
    if (!spec || !*spec) {
        snprintf(err, errlen, "microphone: empty name (use default, #N, a device name or file:PATH)");
        return SZ_ERR_INVALID_ARG;
    }
    if (rate < 8000 || rate > 192000) {
        snprintf(err, errlen, "microphone: rate %d Hz is out of range", rate);
        return SZ_ERR_INVALID_ARG;
    }
    mic *m = calloc(1, sizeof *m);
    if (!m) {
        snprintf(err, errlen, "microphone: out of memory");
        return SZ_ERR_NO_MEMORY;
    }
    int rc;
    if (strncmp(spec, "file:", 5) == 0) {
        m->kind = &mic_file_kind;
        rc = mic_file_open(spec + 5, rate, &m->state, err, errlen);
    } else {
        m->kind = &mic_portaudio_kind;
        rc = mic_portaudio_open(spec, rate, &m->state, err, errlen);
    }
    if (rc != SZ_OK) {
        free(m);
        return rc;
    }
    *out = m;
    return SZ_OK;
}

int mic_read(mic *m, float *pcm, size_t n, int64_t *t_us, int64_t timeout_us, char *err,
             size_t errlen)
{
    return m->kind->read(m->state, pcm, n, t_us, timeout_us, err, errlen);
}

int mic_done(mic *m)
{
    return m->kind->done ? m->kind->done(m->state) : 0;
}

const char *mic_kind_name(const mic *m)
{
    return m->kind->name;
}

void mic_close(mic **pm)
{
    if (!pm || !*pm)
        return;
    (*pm)->kind->destroy((*pm)->state);
    free(*pm);
    *pm = NULL;
}
