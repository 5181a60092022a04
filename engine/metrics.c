/* SPDX-License-Identifier: Apache-2.0 */
/* metrics.c: fixed-bucket histograms and counters (metrics.h), with the last
 * observations kept for quantiles, and the Prometheus text rendering. */
#include "engine/metrics.h"

#include <malloc.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define METRICS_KEEP 1024

static const double metrics_bounds[] = {0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2,
                                        0.3,   0.5,  0.75,  1.0,  1.5,   2.5, 5.0,  10.0};
#define METRICS_NB (sizeof metrics_bounds / sizeof metrics_bounds[0])

typedef struct metrics_histogram {
    uint64_t buckets[METRICS_NB]; /* non-cumulative; rendered cumulative */
    uint64_t count;
    double sum;
    double recent[METRICS_KEEP];
    int64_t n_recent;
} metrics_histogram;

struct metrics {
    pthread_mutex_t lock;
    metrics_histogram h[MT_HIST_COUNT];
    int64_t c[MT_COUNTER_COUNT];
};

static const struct {
    const char *name, *help;
} metrics_hist_info[MT_HIST_COUNT] = {
    {"shuzi_llm_first_token_seconds", "LLM request sent to the first text of its answer."},
    {"shuzi_first_audio_seconds",
     "First LLM text of an answer to the first audio sample of that answer leaving the engine."},
    {"shuzi_say_first_audio_seconds", "A say request to its first audio sample."},
    {"shuzi_interrupt_seconds", "An interrupt request to the audio being faded out."},
    {"shuzi_llm_cancel_seconds", "An interrupt request to the LLM request having stopped."},
    {"shuzi_clause_first_audio_seconds",
     "The first clause of an answer handed to speech to its first audio sample."},
    {"shuzi_asr_latency_seconds", "End of a heard utterance to its recognized text."},
    {"shuzi_heard_first_audio_seconds",
     "End of a heard question to the first audio of its answer."},
    {"shuzi_barge_in_seconds", "Speech onset of a customer cutting in to the interrupt request."},
};

int metrics_create(metrics **out)
{
    metrics *m = calloc(1, sizeof *m);
    if (!m)
        return SZ_ERR_NO_MEMORY;
    pthread_mutex_init(&m->lock, NULL);
    *out = m;
    return SZ_OK;
}

void metrics_free(metrics **m)
{
    if (!m || !*m)
        return;
    pthread_mutex_destroy(&(*m)->lock);
    free(*m);
    *m = NULL;
}

void metrics_observe(metrics *m, mt_hist which, double seconds)
{
    if (!m || which < 0 || which >= MT_HIST_COUNT || !(seconds >= 0))
        return;
    pthread_mutex_lock(&m->lock);
    metrics_histogram *h = &m->h[which];
    size_t b = 0;
    while (b < METRICS_NB && seconds > metrics_bounds[b])
        b++;
    if (b < METRICS_NB)
        h->buckets[b]++;
    h->count++;
    h->sum += seconds;
    h->recent[h->n_recent % METRICS_KEEP] = seconds;
    h->n_recent++;
    pthread_mutex_unlock(&m->lock);
}

void metrics_add(metrics *m, mt_counter c, int64_t n)
{
    if (!m || c < 0 || c >= MT_COUNTER_COUNT)
        return;
    pthread_mutex_lock(&m->lock);
    m->c[c] += n;
    pthread_mutex_unlock(&m->lock);
}

static int metrics_cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int64_t metrics_quantile(metrics *m, mt_hist which, double q, double *value)
{
    if (!m || which < 0 || which >= MT_HIST_COUNT)
        return 0;
    double tmp[METRICS_KEEP];
    pthread_mutex_lock(&m->lock);
    metrics_histogram *h = &m->h[which];
    int64_t n = h->n_recent < METRICS_KEEP ? h->n_recent : METRICS_KEEP;
    memcpy(tmp, h->recent, (size_t)n * sizeof *tmp);
    int64_t count = (int64_t)h->count;
    pthread_mutex_unlock(&m->lock);
    if (n == 0) {
        if (value)
            *value = 0;
        return 0;
    }
    qsort(tmp, (size_t)n, sizeof *tmp, metrics_cmp);
    double pos = q * (double)(n - 1);
    int64_t i = (int64_t)pos;
    double frac = pos - (double)i;
    if (value)
        *value = i + 1 < n ? tmp[i] * (1 - frac) + tmp[i + 1] * frac : tmp[i];
    return count;
}

typedef struct metrics_out {
    char *buf;
    size_t n, cap;
    int oom;
} metrics_out;

static void metrics_printf(metrics_out *o, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void metrics_printf(metrics_out *o, const char *fmt, ...)
{
    if (o->oom)
        return;
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int k = vsnprintf(o->buf + o->n, o->cap - o->n, fmt, ap);
        va_end(ap);
        if (k < 0) {
            o->oom = 1;
            return;
        }
        if ((size_t)k < o->cap - o->n) {
            o->n += (size_t)k;
            return;
        }
        size_t cap = o->cap * 2 + (size_t)k;
        char *b = realloc(o->buf, cap);
        if (!b) {
            o->oom = 1;
            return;
        }
        o->buf = b;
        o->cap = cap;
    }
}

static void metrics_counter_line(metrics_out *o, const char *name, const char *help,
                                 const char *labels, int64_t v, int header)
{
    if (header)
        metrics_printf(o, "# HELP %s %s\n# TYPE %s counter\n", name, help, name);
    metrics_printf(o, "%s%s %lld\n", name, labels, (long long)v);
}

static void metrics_gauge(metrics_out *o, const char *name, const char *help, double v)
{
    metrics_printf(o, "# HELP %s %s\n# TYPE %s gauge\n%s %.17g\n", name, help, name, name, v);
}

char *metrics_render(metrics *m, const metrics_sample *s)
{
    metrics_out o = {malloc(8192), 0, 8192, 0};
    if (!o.buf)
        return NULL;
    o.buf[0] = 0;
    metrics snap;
    pthread_mutex_lock(&m->lock);
    memcpy(snap.h, m->h, sizeof snap.h);
    memcpy(snap.c, m->c, sizeof snap.c);
    pthread_mutex_unlock(&m->lock);

    for (int i = 0; i < MT_HIST_COUNT; i++) {
        const char *nm = metrics_hist_info[i].name;
        metrics_histogram *h = &snap.h[i];
        metrics_printf(&o, "# HELP %s %s\n# TYPE %s histogram\n", nm, metrics_hist_info[i].help,
                       nm);
        uint64_t cum = 0;
        for (size_t b = 0; b < METRICS_NB; b++) {
            cum += h->buckets[b];
            metrics_printf(&o, "%s_bucket{le=\"%g\"} %llu\n", nm, metrics_bounds[b],
                           (unsigned long long)cum);
        }
        metrics_printf(&o, "%s_bucket{le=\"+Inf\"} %llu\n%s_sum %.9g\n%s_count %llu\n", nm,
                       (unsigned long long)h->count, nm, h->sum, nm, (unsigned long long)h->count);
    }
    const char *llm = "shuzi_llm_requests_total";
    const char *llm_help = "LLM requests by result.";
    metrics_counter_line(&o, llm, llm_help, "{result=\"ok\"}", snap.c[MT_LLM_OK], 1);
    metrics_counter_line(&o, llm, llm_help, "{result=\"error\"}", snap.c[MT_LLM_ERROR], 0);
    metrics_counter_line(&o, llm, llm_help, "{result=\"cancelled\"}", snap.c[MT_LLM_CANCELLED], 0);
    const char *cm = "shuzi_comments_total";
    const char *cm_help = "Viewer comments by what happened to them.";
    static const struct {
        mt_counter c;
        const char *label;
    } cms[] = {{MT_COMMENTS_ACCEPTED, "{result=\"accepted\"}"},
               {MT_COMMENTS_FILTERED, "{result=\"filtered\"}"},
               {MT_COMMENTS_REJECTED, "{result=\"queue_full\"}"},
               {MT_COMMENTS_ANSWERED, "{result=\"answered\"}"},
               {MT_COMMENTS_EXPIRED, "{result=\"expired\"}"}};
    for (size_t i = 0; i < sizeof cms / sizeof cms[0]; i++)
        metrics_counter_line(&o, cm, cm_help, cms[i].label, snap.c[cms[i].c], i == 0);
    metrics_counter_line(&o, "shuzi_chats_total", "Chat messages answered through the LLM.", "",
                         snap.c[MT_CHATS], 1);
    metrics_counter_line(&o, "shuzi_says_total", "Texts sent to speech by say requests.", "",
                         snap.c[MT_SAYS], 1);
    metrics_counter_line(&o, "shuzi_interrupts_total", "Interrupt requests.", "",
                         snap.c[MT_INTERRUPTS], 1);
    metrics_counter_line(&o, "shuzi_products_presented_total", "Product presentations started.", "",
                         snap.c[MT_PRODUCTS_PRESENTED], 1);
    const char *heard = "shuzi_heard_utterances_total";
    const char *heard_help = "Utterances heard by the microphone, by result.";
    metrics_counter_line(&o, heard, heard_help, "{result=\"endpointed\"}",
                         snap.c[MT_HEARD_UTTERANCES], 1);
    metrics_counter_line(&o, heard, heard_help, "{result=\"recognized\"}",
                         snap.c[MT_HEARD_RECOGNIZED], 0);
    metrics_counter_line(&o, "shuzi_barge_ins_total",
                         "Times a customer cut in and the avatar stopped to listen.", "",
                         snap.c[MT_BARGE_INS], 1);
    metrics_counter_line(&o, "shuzi_asr_errors_total",
                         "Speech recognizer and microphone errors.", "", snap.c[MT_ASR_ERRORS], 1);
    const char *http = "shuzi_http_responses_total";
    const char *http_help = "Control API responses by status class.";
    metrics_counter_line(&o, http, http_help, "{code=\"2xx\"}", snap.c[MT_HTTP_2XX], 1);
    metrics_counter_line(&o, http, http_help, "{code=\"4xx\"}", snap.c[MT_HTTP_4XX], 0);
    metrics_counter_line(&o, http, http_help, "{code=\"5xx\"}", snap.c[MT_HTTP_5XX], 0);

    if (s && s->session) {
        metrics_counter_line(&o, "shuzi_frames_total", "Video frames delivered to the outputs.", "",
                             s->session->frames_out, 1);
        metrics_counter_line(&o, "shuzi_frames_dropped_total",
                             "Frames the live clock dropped because the pipeline was late.", "",
                             s->session->frames_dropped, 1);
        metrics_counter_line(&o, "shuzi_underruns_total",
                             "Frames whose speech audio was not ready in time.", "",
                             s->session->underruns, 1);
        if (s->session->sample_rate_hz > 0)
            metrics_printf(&o,
                           "# HELP shuzi_audio_seconds_total Audio delivered to the outputs.\n"
                           "# TYPE shuzi_audio_seconds_total counter\n"
                           "shuzi_audio_seconds_total %.3f\n",
                           (double)s->session->samples_out / s->session->sample_rate_hz);
    }
    if (s) {
        metrics_counter_line(
            &o, "shuzi_output_frames_dropped_total",
            "Frames the outputs could not take in time or missed while reconnecting.", "",
            s->output_frames_dropped, 1);
        metrics_counter_line(&o, "shuzi_output_reconnects_total",
                             "Network outputs connected again after a loss.", "", s->reconnects, 1);
        metrics_printf(&o, "# HELP shuzi_queue_depth Items waiting in each queue.\n"
                           "# TYPE shuzi_queue_depth gauge\n");
        metrics_printf(&o, "shuzi_queue_depth{queue=\"comments\"} %d\n", s->queue_comments);
        metrics_printf(&o, "shuzi_queue_depth{queue=\"chat\"} %d\n", s->queue_chats);
        metrics_printf(&o, "shuzi_queue_depth{queue=\"utterances\"} %d\n", s->queue_utterances);
        metrics_gauge(&o, "shuzi_outputs", "Outputs of the session.", s->n_outputs);
        metrics_gauge(&o, "shuzi_speaking", "1 while the avatar speaks.", s->speaking);
        metrics_gauge(&o, "shuzi_events_clients", "Connected /v1/events readers.", s->sse_clients);
        metrics_gauge(&o, "shuzi_uptime_seconds", "Seconds since the session started.",
                      s->uptime_s);
    }
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 33))
    /* What the allocator holds, to tell a leak (in use grows) from
     * fragmentation (free but kept grows) when the resident size creeps. */
    struct mallinfo2 mi = mallinfo2();
    metrics_gauge(&o, "shuzi_heap_in_use_bytes",
                  "Bytes of the heap allocated and not yet freed (glibc, all arenas).",
                  (double)(mi.uordblks + mi.hblkhd));
    metrics_gauge(&o, "shuzi_heap_free_bytes",
                  "Bytes the heap allocator holds free for reuse (glibc, all arenas).",
                  (double)mi.fordblks);
#endif
    if (o.oom) {
        free(o.buf);
        return NULL;
    }
    return o.buf;
}
