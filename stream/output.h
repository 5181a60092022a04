/* SPDX-License-Identifier: Apache-2.0 */
/* output.h: outputs (files, network pushes, a window, speakers, GStreamer)
 * behind one table of callbacks, and the output core that runs each output on
 * its own thread with a bounded queue, so a slow or reconnecting output never
 * blocks the session or the other outputs. */
#ifndef SZ_STREAM_OUTPUT_H
#define SZ_STREAM_OUTPUT_H

#include <stddef.h>
#include <stdint.h>

#include "core/media.h"
#include "shuzi.h"
#include "stream/av_clock.h"
#include "stream/out_options.h"

typedef struct out_config {
    const char *url;     /* file path or URL; the extension or scheme picks the kind */
    const char *options; /* NULL or "key=value:key=value" (see README) */
    int width, height;   /* even */
    int fps;
    int sample_rate_hz; /* of the audio given to the output */
    int live;           /* 1: real-time session: low-latency encoding, drops instead of
                         * waiting, reconnects, recordings kept and playable at any time */
    int transparent;    /* 1: frames carry alpha; 0: alpha-capable formats look at the
                         * first frame */
    out_clock *clock;   /* NULL or the presentation clock of the group (window, speakers) */

    /* Filled by the core for the kinds: */
    const char *name;                 /* url with secrets (stream keys) hidden */
    int (*interrupted)(void *opaque); /* non-zero: give up blocking I/O now */
    void *interrupt_opaque;
} out_config;

enum {
    OUT_F_VIDEO = 1,     /* wants video frames */
    OUT_F_RECONNECT = 2, /* connects in open(); live: a lost connection (SZ_ERR_IO or
                          * SZ_ERR_TIMEOUT) is retried with backoff and jitter */
    OUT_F_REALTIME = 4,  /* a network push: offline sessions feed it at real-time pace */
    OUT_F_PACED = 8,     /* presents in real time by itself (window, speakers) */
};

typedef struct out_kind {
    const char *name;                /* "av-file", "av-net", "wav", "window", ... */
    int (*accepts)(const char *url); /* non-zero if this kind handles url */
    unsigned flags;                  /* OUT_F_* */
    const char *option_names;        /* space-separated keys it takes, for messages */
    /* Checks the configuration, takes its options and allocates. Files are
     * created here, so a bad destination fails before the first frame. */
    int (*create)(const out_config *cfg, out_options *opts, void **state, char *err, size_t errlen);
    /* Optional. Network: connects (on the output's thread), again after close. */
    int (*open)(void *state, char *err, size_t errlen);
    /* Optional. Drops a failed connection so that open can be called again. */
    void (*close)(void *state);
    /* Optional: the session frame index that pts 0 stands for, told before the
     * first write after each open. */
    void (*set_base)(void *state, int64_t first_frame);
    /* frame->pts counts from 0 at open (frames skipped since leave gaps). */
    int (*write_video)(void *state, const sz_video_frame *frame, char *err, size_t errlen);
    int (*write_audio)(void *state, const float *pcm, int n_samples, char *err, size_t errlen);
    /* Flushes, finalizes and moves the file to its real name. */
    int (*finish)(void *state, char *err, size_t errlen);
    /* Frees; if finish did not succeed, removes a partial file (offline). */
    void (*destroy)(void *state);
    /* Optional, called from another thread when the output is stopped: make
     * a write blocked inside the kind return now (I/O without an interrupt
     * callback of its own). */
    void (*unblock)(void *state);
    /* Optional: called on the output's thread as it ends, after finish or
     * without it (resources that must be released on that thread). */
    void (*thread_end)(void *state);
    /* Optional: kind figures (late frames, underruns, latency) into st. */
    void (*stats)(void *state, sz_output_stats *st);
} out_kind;

/* Error codes of open/write that mean "the connection is gone": retried. */
static inline int output_retryable(int rc)
{
    return rc == SZ_ERR_IO || rc == SZ_ERR_TIMEOUT;
}

/* ---- one output ------------------------------------------------------ */

typedef struct sz_output sz_output;

/* Picks the kind from the URL, creates it and starts its thread. Fails early
 * (before any frame) when the destination cannot be written or an option is
 * bad. Core options, for every kind: queue=N (frames buffered), and for kinds
 * that reconnect: reconnect=0|1, reconnect_min_ms, reconnect_max_ms. */
int output_open(const out_config *cfg, sz_output **out, char *err, size_t errlen);
/* The same with a given kind (tests). */
int output_open_kind(const out_kind *kind, const out_config *cfg, sz_output **out, char *err,
                     size_t errlen);
/* The kind that would take url, or NULL. */
const out_kind *output_kind_for(const char *url);
/* "h264", "vp9" or "prores" for outputs that encode video, else NULL (so a
 * command line knows which encoder options apply). In stream/av_out.c. */
const char *output_video_codec_name(const char *url);
int output_needs_video(const sz_output *out);

/* Hands frame `frame` (video may be NULL) and its audio to the output's
 * thread. Offline: waits for room. Live: never waits; a frame that finds the
 * queue full is dropped and counted, and the output writes silence for it so
 * audio and video stay aligned. Frames must come in order; a frame index may
 * repeat (without video) to add audio. Returns SZ_OK, an argument error, or
 * offline the error that stopped the output. Live, a failed output takes
 * frames silently (see output_failed). */
int output_write(sz_output *out, int64_t frame, const sz_video_frame *video, const float *pcm,
                 int n_samples);
/* Drains, flushes and finalizes (waits for the output's thread). */
int output_finish(sz_output *out, char *err, size_t errlen);
/* Safe on NULL. Not finished: stops at once; offline removes partial files,
 * live finalizes what was recorded. */
void output_free(sz_output **out);
/* First error of this output ("" if none). */
const char *output_error(const sz_output *out);
int output_failed(const sz_output *out);
void output_get_stats(const sz_output *out, sz_output_stats *st);

/* Until called again with NULL: the first warning or error FFmpeg logs on
 * this thread is copied into buf (encoders report bad options this way). */
void output_av_capture(char *buf, size_t cap);

/* Exponential backoff with jitter: the wait before reconnect attempt n
 * (1, 2, ...): a uniformly random time in [d/2, d] where d = min_ms * 2^(n-1)
 * capped at max_ms. *rng is the generator state (any non-zero seed). */
int64_t output_backoff_us(int attempt, int64_t min_ms, int64_t max_ms, uint64_t *rng);

/* A URL safe to print: rtmp://host/app with the stream key, passwords and
 * query strings replaced by stars. Files are returned as they are. */
void output_display_name(const char *url, char *buf, size_t cap);

/* ---- a group of outputs fed together (a session's) -------------------- */

typedef struct out_group out_group;

int out_group_create(int live, out_group **g);
/* cfg->live and cfg->clock are set by the group. */
int out_group_add(out_group *g, const out_config *cfg, char *err, size_t errlen);
int out_group_count(const out_group *g);
int out_group_needs_video(const out_group *g);
/* Gives frame `frame` to every output. Offline, the first failure of any
 * output is returned; live, only when every output has failed. */
int out_group_write(out_group *g, int64_t frame, const sz_video_frame *video, const float *pcm,
                    int n_samples, char *err, size_t errlen);
/* Finishes every output (in parallel); returns the first error. */
int out_group_finish(out_group *g, char *err, size_t errlen);
int out_group_stats(const out_group *g, int index, sz_output_stats *st);
/* Safe on NULL; outputs not finished are stopped as output_free does. */
void out_group_free(out_group **g);

#endif
