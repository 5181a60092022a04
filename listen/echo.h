/* SPDX-License-Identifier: Apache-2.0 */
/* echo.h: the microphone's clean-up before anything listens to it. The
 * avatar's own speech, as the speakers played it (the far end), is removed
 * from the microphone signal (the near end) by speexdsp's acoustic echo
 * canceller; speexdsp's preprocessor then suppresses noise and the echo's
 * residue. On the cleaned signal, a voice detector decides frame by frame
 * whether someone near the kiosk speaks, stricter while the far end plays
 * (what is left of the echo must not count as a customer), and an
 * endpointer turns those frames into utterances: a start once voice has
 * lasted onset_ms, an end after hangover_ms without it.
 *
 * All audio is mono float in [-1, 1] at the rate given (16 kHz by default),
 * processed in frames of frame_ms. Single-threaded: one listener owns it. */
#ifndef SZ_LISTEN_ECHO_H
#define SZ_LISTEN_ECHO_H

#include <stddef.h>
#include <stdint.h>

typedef struct echo_params {
    int rate;            /* samples per second; default 16000 */
    int frame_ms;        /* 10 (default) or 20 */
    int tail_ms;         /* longest echo path the canceller models; default 250 */
    int noise_suppress_db; /* speexdsp noise suppression (negative dB); default -25; 0 off */
    int cancel_echo;     /* 0: no echo canceller (far is ignored); default 1 */
    /* What echo_process writes to out: 0 (default) the echo-cancelled signal
     * before noise and residual-echo suppression, which recognizers take
     * best (suppression costs pocketsphinx words); 1 the suppressed signal.
     * The voice decision always uses the suppressed one. */
    int suppressed_output;
    /* endpointing */
    int onset_ms;        /* voice this long starts an utterance; default 150 */
    int hangover_ms;     /* silence this long ends it; default 400 */
    int max_utterance_ms; /* an utterance is cut here; default 15000 */
} echo_params;

echo_params echo_default_params(void);

/* What one frame was, for the listener, metrics and the benches. */
typedef struct echo_frame {
    float near_db;  /* microphone level, dBFS (RMS) */
    float far_db;   /* far-end level, dBFS */
    float out_db;   /* level after cancellation and suppression */
    int far_active; /* the far end played audible sound within the echo tail */
    int voice;      /* this frame holds near-end voice (after the stricter test while far_active) */
} echo_frame;

/* Endpointer events, one at most per frame. */
typedef enum echo_event {
    ECHO_NONE = 0,
    ECHO_START,     /* an utterance started: it began onset_ms (plus the frame) ago */
    ECHO_END,       /* the utterance ended (hangover_ms of no voice, or max_utterance_ms) */
} echo_event;

typedef struct echo_canceller echo_canceller;

/* Fails (SZ_ERR_INVALID_ARG or SZ_ERR_UNSUPPORTED without speexdsp) with one line in err. */
int echo_create(const echo_params *p, echo_canceller **out, char *err, size_t errlen);
void echo_destroy(echo_canceller **e);

/* Samples in one frame (rate * frame_ms / 1000). */
int echo_frame_samples(const echo_canceller *e);

/* One frame: near = microphone, far = what the speakers played at the
 * moment near was captured (NULL: nothing played). out (may equal near)
 * receives the cleaned microphone signal. info (may be NULL) is filled.
 * Returns the endpointer's event for this frame. */
echo_event echo_process(echo_canceller *e, const float *near, const float *far, float *out,
                        echo_frame *info);

/* Ends any utterance in progress silently and forgets the voice history
 * (push-to-talk released, listening paused); the canceller keeps what it
 * learned of the room. */
void echo_reset_endpoint(echo_canceller *e);

/* Whether an utterance is in progress (between ECHO_START and ECHO_END). */
int echo_in_utterance(const echo_canceller *e);

#endif
