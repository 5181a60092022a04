/* SPDX-License-Identifier: Apache-2.0 */
/* metrics.h: the engine's counters and latency histograms, rendered in the
 * Prometheus text exposition format (version 0.0.4) for GET /metrics.
 * Thread-safe. */
#ifndef SZ_ENGINE_METRICS_H
#define SZ_ENGINE_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "shuzi.h"

typedef enum mt_hist {
    MT_LLM_FIRST_TOKEN = 0, /* LLM request sent -> its first text */
    MT_FIRST_AUDIO,         /* first LLM text -> first audio sample of the answer */
    MT_SAY_FIRST_AUDIO,     /* say() -> its first audio sample */
    MT_INTERRUPT,           /* interrupt call -> audio faded out */
    MT_LLM_CANCEL,          /* interrupt call -> the LLM request has returned */
    MT_CLAUSE_FIRST_AUDIO,  /* first clause of an answer sent to speech -> its first audio */
    MT_ASR_LATENCY,         /* end of a heard utterance -> its final text */
    MT_HEARD_FIRST_AUDIO,   /* end of a heard question -> first audio of the answer */
    MT_BARGE_IN,            /* customer's speech onset -> the interrupt request */
    MT_HIST_COUNT
} mt_hist;

typedef enum mt_counter {
    MT_LLM_OK = 0,
    MT_LLM_ERROR,
    MT_LLM_CANCELLED,
    MT_COMMENTS_ACCEPTED,
    MT_COMMENTS_FILTERED,
    MT_COMMENTS_REJECTED, /* queue full */
    MT_COMMENTS_ANSWERED,
    MT_COMMENTS_EXPIRED,
    MT_CHATS,
    MT_SAYS,
    MT_INTERRUPTS,
    MT_PRODUCTS_PRESENTED,
    MT_HTTP_2XX,
    MT_HTTP_4XX,
    MT_HTTP_5XX,
    MT_HEARD_UTTERANCES, /* utterances the microphone endpointed */
    MT_HEARD_RECOGNIZED, /* of those, recognized as words */
    MT_BARGE_INS,
    MT_ASR_ERRORS,
    MT_COUNTER_COUNT
} mt_counter;

typedef struct metrics metrics;

int metrics_create(metrics **out);
void metrics_free(metrics **m);
void metrics_observe(metrics *m, mt_hist h, double seconds);
void metrics_add(metrics *m, mt_counter c, int64_t n);

/* Count and the value at quantile q (0..1) of the observations kept of h
 * (the last 1024), for status and benchmarks. Returns the count. */
int64_t metrics_quantile(metrics *m, mt_hist h, double q, double *value);

/* Gauges and session figures sampled when the page is rendered. */
typedef struct metrics_sample {
    const sz_session_stats *session; /* may be NULL */
    int64_t reconnects;              /* summed over the outputs */
    int64_t output_frames_dropped;   /* summed over the outputs */
    int n_outputs;
    int queue_comments, queue_chats, queue_utterances;
    int speaking;
    double uptime_s;
    int sse_clients;
} metrics_sample;

/* Renders the whole page into a malloc'd NUL-terminated string (NULL when
 * out of memory). */
char *metrics_render(metrics *m, const metrics_sample *s);

#endif
