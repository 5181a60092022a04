/* SPDX-License-Identifier: Apache-2.0 */
/* listener.h: the listening stage: microphone -> echo cancellation against
 * what the speakers played -> voice activity and endpointing -> a speech
 * recognizer. Two threads: sz-listen reads the microphone in 10 ms frames
 * and never waits on anything else; sz-asr runs the recognizer on the
 * utterances the first one cut (a network recognizer may take seconds).
 * What it hears and when someone starts or stops speaking reach the caller
 * through callbacks (on those threads); engine/listening.c wires them to
 * the host. */
#ifndef SZ_LISTEN_LISTENER_H
#define SZ_LISTEN_LISTENER_H

#include <stddef.h>
#include <stdint.h>

#include "listen/asr.h"
#include "listen/echo.h"

typedef enum listen_mode {
    LISTEN_ALWAYS = 0,   /* every utterance is recognized */
    LISTEN_PUSH_TO_TALK, /* only while opened by listener_open_window */
} listen_mode;

typedef struct listener_callbacks {
    /* Someone near the kiosk started speaking; onset_us: when (monotonic
     * clock), detected onset_ms after it. Called on sz-listen. */
    void (*on_speech_start)(void *user, int64_t onset_us);
    /* The utterance ended (endpoint). Called on sz-listen. */
    void (*on_speech_end)(void *user, int64_t end_us);
    /* Text recognized: partial (final 0) while the utterance lasts, then the
     * final text once (possibly empty); lang "en", "zh"... or "".
     * endpoint_us: the utterance's endpoint (monotonic clock). On sz-asr. */
    void (*on_heard)(void *user, const char *text, int final, const char *lang,
                     int64_t endpoint_us);
    /* The recognizer or the microphone failed; the listener goes on. */
    void (*on_error)(void *user, const char *message);
    void *user;
} listener_callbacks;

typedef struct listener_params {
    const char *mic; /* "default", "#N", NAME, "file:PATH" */
    listen_mode mode;
    echo_params echo;
    asr *recognizer; /* taken over by listener_create, even when it fails */
    int far_lead_ms; /* the far end is read this much before the capture time; default 20 */
    /* testing: the avatar's own speech mixed into the microphone through a
     * simulated room (gain of the direct path, 0 = none; delay in ms) */
    double sim_echo_gain;
    int sim_echo_delay_ms;
    double push_window_s; /* push-to-talk: how long an opened window waits for speech; default 8 */
    listener_callbacks cb;
} listener_params;

listener_params listener_default_params(void);

typedef struct listener_stats {
    int64_t frames;         /* 10 ms microphone frames processed */
    int64_t utterances;     /* endpointed */
    int64_t recognized;     /* final texts that were not empty */
    int64_t errors;         /* recognizer and microphone errors */
    int64_t dropped_frames; /* recognizer queue full */
    int listening;          /* 1 while an utterance is in progress */
    int window_open;        /* push-to-talk: a window is open */
    float last_out_db;      /* cleaned level of the last frame */
} listener_stats;

typedef struct listener listener;

int listener_create(const listener_params *p, listener **out, char *err, size_t errlen);
int listener_start(listener *l, char *err, size_t errlen);
/* Stops both threads (a recognition in progress is cancelled). */
void listener_stop(listener *l);
void listener_free(listener **l);

/* Push-to-talk: opens (on != 0) a window in which the next utterance is
 * heard (it closes after that utterance or push_window_s without speech),
 * or closes it. In LISTEN_ALWAYS mode: no effect. */
void listener_push_to_talk(listener *l, int on);
void listener_get_stats(listener *l, listener_stats *out);
const char *listener_mic_kind(const listener *l);
/* 1 when a finite microphone (file:) has delivered all of its audio. */
int listener_mic_done(listener *l);
/* 1 while an utterance is being heard or waits for (or is in) recognition. */
int listener_busy(listener *l);

#endif
