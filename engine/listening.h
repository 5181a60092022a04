/* SPDX-License-Identifier: Apache-2.0 */
/* listening.h: wires the listening stage (listen/listener.h) to a room's
 * host: what the customer says goes to the host's answerer like a typed
 * question; a customer who starts speaking while the avatar talks cuts it
 * off (barge-in: the host's interrupt, which fades the audio and cancels the
 * LLM request); the control API's events and metrics say what was heard. */
#ifndef SZ_ENGINE_LISTENING_H
#define SZ_ENGINE_LISTENING_H

#include <stddef.h>

#include "engine/config_modes.h"
#include "engine/host.h"
#include "shuzi.h"

typedef struct listening_params {
    const sz_mode_config *mc; /* mic, listen, asr keys */
    const char *mic;          /* overrides mc->mic when set */
    const char *asr_url;      /* overrides mc->asr_url when set ("" = pocketsphinx) */
    int barge_in;             /* -1: the config's; 0 off; 1 on */
    int push_to_talk;         /* -1: the config's; 0 auto; 1 push-to-talk */
    double sim_echo_gain;     /* testing: --mic-echo */
    int sim_echo_delay_ms;
    int print_heard;          /* prints "heard: ..." lines on stderr */
} listening_params;

listening_params listening_default_params(void);

typedef struct listening listening;

/* Creates the recognizer and the listener (the microphone opens here: a
 * missing device or file fails now with one line). */
int listening_create(const listening_params *p, host *h, listening **out, char *err,
                     size_t errlen);
int listening_start(listening *l, char *err, size_t errlen);
/* Chains itself into the session's state callback (after host_attach): the
 * first audio after a heard question is its answer's, for the latency from
 * the question's end to that audio. */
void listening_attach(listening *l, sz_session_params *sp);
/* A description for the ready line: "pocketsphinx on file:q.wav". */
const char *listening_describe(const listening *l);
int listening_mic_done(listening *l);
/* 1 while a finite microphone (file:) still has audio, or an utterance is
 * being heard or recognized. */
int listening_busy(listening *l);
void listening_stop(listening *l);
void listening_free(listening **l);

#endif
