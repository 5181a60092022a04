/* output.h: outputs (files today; network, window and speakers later) behind one
 * table of callbacks. An output gets BGRA frames with a frame-index pts and a
 * continuous mono float32 audio stream at the voice's rate, in order. */
#ifndef SZ_STREAM_OUTPUT_H
#define SZ_STREAM_OUTPUT_H

#include <stddef.h>

#include "core/media.h"

typedef struct out_config {
    const char *url;     /* file path (.mp4 .mkv .wav) */
    const char *options; /* NULL or "key=value:key=value" (crf, preset, audio_bitrate) */
    int width, height;   /* even */
    int fps;
    int sample_rate_hz;  /* of the audio given to write_audio */
    int live;            /* 1: low-latency encoder settings, fragmented files */
} out_config;

typedef struct out_kind {
    const char *name;                /* "file-av", "wav" */
    int (*accepts)(const char *url); /* non-zero if this kind handles url */
    int needs_video;
    int (*create)(const out_config *cfg, void **state, char *err, size_t errlen);
    int (*write_video)(void *state, const sz_video_frame *frame);
    int (*write_audio)(void *state, const float *pcm, int n_samples);
    /* Flushes, finalizes and moves the file to its real name. */
    int (*finish)(void *state, char *err, size_t errlen);
    /* Frees; if finish did not succeed, removes any partial file. */
    void (*destroy)(void *state);
} out_kind;

typedef struct sz_output sz_output;

/* Picks the kind from the URL and creates it. Fails early (before any frame)
 * when the destination cannot be written. */
int output_open(const out_config *cfg, sz_output **out, char *err, size_t errlen);
int output_needs_video(const sz_output *out);
int output_write_video(sz_output *out, const sz_video_frame *frame);
int output_write_audio(sz_output *out, const float *pcm, int n_samples);
int output_finish(sz_output *out, char *err, size_t errlen);
/* Safe on NULL; aborts (removes partial files) when not finished. */
void output_free(sz_output **out);
/* Last error message of this output ("" if none). */
const char *output_error(const sz_output *out);

#endif
