/* SPDX-License-Identifier: Apache-2.0 */
/* mic_file.c: a recording as a microphone ("file:PATH"): decoded and
 * resampled once at open (lipsync/audio_file.h: WAV, FLAC, MP3...), then
 * handed out at the pace of the wall clock, as if someone said it into the
 * microphone the moment it opened; after its end, silence forever. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "lipsync/audio_file.h"
#include "listen/mic.h"
#include "shuzi.h"

typedef struct mic_file {
    ls_audio audio;
    int rate;
    int64_t t0_us; /* when sample 0 was "captured" */
    uint64_t pos;  /* samples handed out */
} mic_file;

int mic_file_open(const char *path, int rate, void **state, char *err, size_t errlen)
{
    if (!*path) {
        snprintf(err, errlen, "microphone: expected file:PATH");
        return SZ_ERR_INVALID_ARG;
    }
    mic_file *f = calloc(1, sizeof *f);
    if (!f) {
        snprintf(err, errlen, "microphone: out of memory");
        return SZ_ERR_NO_MEMORY;
    }
    char why[600];
    int rc = lipsync_audio_load(path, rate, &f->audio, why, sizeof why);
    if (rc != SZ_OK) {
        snprintf(err, errlen, "microphone file: %s", why);
        free(f);
        return rc;
    }
    f->rate = rate;
    f->t0_us = clock_now_us();
    *state = f;
    return SZ_OK;
}

static int mic_file_read(void *state, float *pcm, size_t n, int64_t *t_us, int64_t timeout_us,
                         char *err, size_t errlen)
{
    (void)err;
    (void)errlen;
    mic_file *f = state;
    /* the block is there once its last sample has been "spoken" */
    int64_t ready = f->t0_us + (int64_t)((f->pos + n) * 1000000 / (uint64_t)f->rate);
    int64_t now = clock_now_us();
    if (ready > now) {
        if (timeout_us >= 0 && ready > now + timeout_us) {
            clock_sleep_until_us(now + timeout_us);
            return SZ_ERR_TIMEOUT;
        }
        clock_sleep_until_us(ready);
    }
    for (size_t i = 0; i < n; i++) {
        uint64_t k = f->pos + i;
        pcm[i] = k < f->audio.n ? f->audio.pcm[k] : 0.0f;
    }
    *t_us = f->t0_us + (int64_t)(f->pos * 1000000 / (uint64_t)f->rate);
    f->pos += n;
    return SZ_OK;
}

static int mic_file_done(void *state)
{
    mic_file *f = state;
    return f->pos >= f->audio.n;
}

static void mic_file_destroy(void *state)
{
    mic_file *f = state;
    lipsync_audio_free(&f->audio);
    free(f);
}

const mic_kind mic_file_kind = {"file", mic_file_read, mic_file_done, mic_file_destroy};
