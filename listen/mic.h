/* SPDX-License-Identifier: Apache-2.0 */
/* mic.h: where the listener's sound comes from, behind one table of
 * callbacks: a PortAudio input device (listen/mic_portaudio.c: "default",
 * "#N", or part of a device's name) or a recording played in real time as if
 * spoken, then silence (listen/mic_file.c: "file:PATH", WAV or anything
 * libavformat reads, for tests, demos and benches). Both deliver mono float
 * at the rate asked for (libswresample), each block stamped with the
 * monotonic time (clock_now_us) its first sample was captured. */
#ifndef SZ_LISTEN_MIC_H
#define SZ_LISTEN_MIC_H

#include <stddef.h>
#include <stdint.h>

typedef struct mic mic;

typedef struct mic_kind {
    const char *name; /* "portaudio", "file" */
    /* Blocks until n samples are there (or timeout_us passes: SZ_ERR_TIMEOUT,
     * nothing consumed). *t_us: when the first was captured. */
    int (*read)(void *state, float *pcm, size_t n, int64_t *t_us, int64_t timeout_us, char *err,
                size_t errlen);
    /* 1 when a finite source has delivered all it holds (file: its end). */
    int (*done)(void *state);
    void (*destroy)(void *state);
} mic_kind;

/* spec: "default", "#N", NAME or "file:PATH"; rate: what read delivers.
 * SZ_ERR_NOT_FOUND (no such device or file), SZ_ERR_IO, SZ_ERR_FORMAT (not
 * audio), SZ_ERR_UNSUPPORTED (built without PortAudio), one line in err. */
int mic_open(const char *spec, int rate, mic **out, char *err, size_t errlen);
int mic_read(mic *m, float *pcm, size_t n, int64_t *t_us, int64_t timeout_us, char *err,
             size_t errlen);
int mic_done(mic *m);
const char *mic_kind_name(const mic *m);
void mic_close(mic **m);

/* Kinds (mic.c picks one by spec). */
int mic_file_open(const char *path, int rate, void **state, char *err, size_t errlen);
extern const mic_kind mic_file_kind;
int mic_portaudio_open(const char *spec, int rate, void **state, char *err, size_t errlen);
extern const mic_kind mic_portaudio_kind;

#endif
