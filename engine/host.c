/* SPDX-License-Identifier: Apache-2.0 */
/* host.c: the conversation host (host.h). One worker thread takes jobs in
 * order of priority (chat messages, then viewer comments, then the next
 * product of the rotation), streams the answer through the speech cutter
 * into sz_session_say, and waits for it to be spoken before the next job.
 * Latencies (first LLM text -> first audio, interrupt -> silence) are taken
 * from the session's state callbacks. */
#include "engine/host.h"

#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core/clock.h"
#include "core/json.h"
#include "core/log.h"
#include "core/utf8.h"
#include "engine/engine.h"
#include "llm/conversation.h"
#include "tts/frontend/frontend.h"

#define HOST_SAY_RING 64
#define HOST_SEEN 64
#define HOST_EVENTS 4096
#define HOST_MAX_MSGS 256
#define HOST_MAX_USER 64
#define HOST_MAX_NAMED 5                /* viewers named in one answer; the rest are counted */
#define HOST_SAME_TEXT 0.8              /* llm_faq_similarity of near-identical comments */
#define TTS_VALUE_ESCAPED (256 * 6 + 3) /* escaped, control characters as \u00XX */

typedef enum { JOB_CHAT, JOB_COMMENT, JOB_PRESENT } host_job_kind;

typedef struct host_job {
    host_job_kind kind;
    int id;
    int item; /* JOB_PRESENT: product index, or n_products + line index */
    int64_t queued_us;
    char *user;
    char *text;
    char *others[HOST_MAX_NAMED]; /* viewers who asked the same (merged comments) */
    int n_others;                 /* how many, named or not */
    struct host_job *next;
} host_job;

typedef struct host_queue {
    host_job *head, *tail;
    int n;
} host_queue;

typedef struct host_seen {
    uint64_t user_hash, text_hash;
    int64_t at_us;
} host_seen;

struct host {
    host_params p;
    int scripted; /* the backend is the FAQ: presentations come from templates */
    sz_session *session;
    llm_conversation *conv;
    speech_stream *speech;
    metrics *metrics;
    ev_hub *events;
    host_listen_fn listen_fn;
    void *listen_user;
    sz_mark_fn chained_mark;
    void *chained_mark_user;
    sz_state_fn chained_state;
    void *chained_state_user;

    pthread_t worker;
    int worker_started;
    pthread_mutex_t lock; /* everything below */
    pthread_cond_t cond;
    pthread_mutex_t say_lock; /* generation check + say, against interrupt */
    int stop;
    host_queue chats, comments;
    int next_id;
    uint64_t gen;
    int last_said, last_done;
    int speaking, busy, thinking, in_llm;
    int64_t cancel_at_us; /* interrupt time while an LLM request ran */
    int current_item, next_item;
    int comments_in_row; /* comment answers since the last presentation */
    int64_t idle_since_us;
    int64_t started_us;
    /* latency tracking */
    int64_t job_first_text_us;
    int64_t job_first_piece_us;
    int job_first_utt;
    int64_t interrupt_at_us;
    int64_t interrupt_session_us; /* where the session clock was at the call */
    int64_t clock_offset_us;      /* wall - session clock, from the last state callback */
    struct {
        int id;
        int64_t at_us;
    } says[HOST_SAY_RING];
    int n_says;
    host_seen seen[HOST_SEEN];
    int n_seen;
    char last_error[256];
};

host_params host_default_params(void)
{
    host_params p;
    memset(&p, 0, sizeof p);
    p.history_tokens = 2000;
    p.present_gap_s = 1.5;
    p.comment_queue_max = 20;
    p.comment_max_chars = 200;
    p.comment_max_age_s = 120;
    p.comment_user_interval_s = 10;
    p.comment_merge_s = 30;
    p.comment_burst = 3;
    p.chat_queue_max = 16;
    p.chat_max_chars = 2000;
    p.speech = speech_default_params();
    return p;
}

/* ---- the cutter's boundaries ----------------------------------------- */

static size_t host_chars(const char *s, size_t n)
{
    size_t c = 0;
    for (size_t i = 0; i < n; i++)
        c += ((unsigned char)s[i] & 0xC0) != 0x80 && s[i] != ' ';
    return c;
}

size_t host_segment(void *user, const char *text, size_t len, int final, int first)
{
    const speech_params *p = user;
    size_t off = 0, last_space = 0;
    while (off < len) {
        fe_cut_kind kind;
        size_t k = fe_segment_next(text + off, len - off, final, 1, &kind);
        if (k == 0)
            break;
        off += k;
        size_t chars = host_chars(text, off);
        if (kind != FE_CUT_CLAUSE && (chars >= 2 || !first))
            return off;
        if (kind == FE_CUT_CLAUSE && first && chars >= (size_t)p->first_min_chars)
            return off;
        if (kind == FE_CUT_CLAUSE && !first && chars >= (size_t)p->soft_max_chars)
            return off;
    }
    /* "Sure!" needs no next word: '!' and '?' end a sentence where they stand */
    size_t end = len;
    while (end > 0 && text[end - 1] == ' ')
        end--;
    if (!final && end > off && (text[end - 1] == '!' || text[end - 1] == '?') &&
        host_chars(text, end) >= 2)
        return end;
    if (final)
        return len;
    if (len >= (size_t)p->hard_max_bytes) { /* no boundary at all: cut at a space */
        for (size_t i = 0; i < (size_t)p->hard_max_bytes; i++)
            if (text[i] == ' ')
                last_space = i;
        if (last_space > 0)
            return last_space;
        size_t i = (size_t)p->hard_max_bytes;
        while (i > 0 && ((unsigned char)text[i] & 0xC0) == 0x80)
            i--;
        return i;
    }
    return 0;
}

/* ---- small helpers --------------------------------------------------- */

static void host_wait(host *h, int64_t timeout_us)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    ts.tv_sec += timeout_us / 1000000;
    ts.tv_nsec += (long)(timeout_us % 1000000) * 1000;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    pthread_cond_timedwait(&h->cond, &h->lock, &ts);
}

static void host_job_free(host_job *j)
{
    if (!j)
        return;
    free(j->user);
    free(j->text);
    for (int i = 0; i < j->n_others && i < HOST_MAX_NAMED; i++)
        free(j->others[i]);
    free(j);
}

static void host_push(host_queue *q, host_job *j)
{
    j->next = NULL;
    if (q->tail)
        q->tail->next = j;
    else
        q->head = j;
    q->tail = j;
    q->n++;
}

static host_job *host_pop(host_queue *q)
{
    host_job *j = q->head;
    if (!j)
        return NULL;
    q->head = j->next;
    if (!q->head)
        q->tail = NULL;
    q->n--;
    return j;
}

static void host_clear(host_queue *q)
{
    host_job *j;
    while ((j = host_pop(q)))
        host_job_free(j);
}

static uint64_t host_hash(const char *s)
{
    uint64_t x = 1469598103934665603ull;
    for (; *s; s++)
        x = (x ^ (uint64_t)(unsigned char)tolower((unsigned char)*s)) * 1099511628211ull;
    return x;
}

/* Publishes an event whose JSON is built by the caller (fields already escaped). */
static void host_publish(host *h, const char *type, const char *json)
{
    if (h->events)
        ev_hub_publish(h->events, type, json);
}

static void host_publish_text(host *h, const char *type, const char *prefix, const char *key,
                              const char *value, const char *suffix)
{
    size_t n = strlen(value) * 6 + 3;
    char *esc = malloc(n);
    if (!esc)
        return;
    json_escape(esc, n, value);
    size_t m = strlen(prefix) + strlen(key) + strlen(esc) + strlen(suffix) + 16;
    char *json = malloc(m);
    if (json) {
        snprintf(json, m, "{%s\"%s\": %s%s}", prefix, key, esc, suffix);
        host_publish(h, type, json);
    }
    free(json);
    free(esc);
}

static void host_set_error(host *h, const char *msg)
{
    pthread_mutex_lock(&h->lock);
    snprintf(h->last_error, sizeof h->last_error, "%s", msg);
    pthread_mutex_unlock(&h->lock);
}

/* ---- session callbacks ----------------------------------------------- */

static void host_on_mark(const sz_mark *m, void *user)
{
    host *h = user;
    if (h->chained_mark)
        h->chained_mark(m, h->chained_mark_user);
    char val[TTS_VALUE_ESCAPED]; /* a mark value is at most 255 bytes */
    json_escape(val, sizeof val, m->value ? m->value : "");
    char json[TTS_VALUE_ESCAPED + 200];
    snprintf(json, sizeof json,
             "{\"time_ms\": %lld, \"type\": \"%s\", \"value\": %s, \"end_ms\": %lld, "
             "\"utterance_id\": %d}",
             (long long)m->time_ms, sz_mark_type_name(m->type), val, (long long)m->end_ms,
             m->utterance_id);
    host_publish(h, "mark", json);
}

static void host_on_state(sz_state st, int utt, int64_t time_ms, void *user)
{
    host *h = user;
    if (h->chained_state)
        h->chained_state(st, utt, time_ms, h->chained_state_user);
    int64_t now = clock_now_us();
    pthread_mutex_lock(&h->lock);
    h->clock_offset_us = now - time_ms * 1000;
    if (st == SZ_STATE_SPEAKING) {
        h->speaking = 1;
        if (utt == h->job_first_utt && h->job_first_text_us > 0) {
            metrics_observe(h->metrics, MT_FIRST_AUDIO, (now - h->job_first_text_us) / 1e6);
            h->job_first_text_us = 0;
        }
        if (utt == h->job_first_utt && h->job_first_piece_us > 0) {
            metrics_observe(h->metrics, MT_CLAUSE_FIRST_AUDIO, (now - h->job_first_piece_us) / 1e6);
            h->job_first_piece_us = 0;
        }
        for (int i = 0; i < HOST_SAY_RING && i < h->n_says; i++)
            if (h->says[i].id == utt && h->says[i].at_us > 0) {
                metrics_observe(h->metrics, MT_SAY_FIRST_AUDIO, (now - h->says[i].at_us) / 1e6);
                h->says[i].at_us = 0;
            }
        h->interrupt_at_us = 0; /* a pending interrupt found nothing to silence */
    } else if (st == SZ_STATE_INTERRUPTED) {
        if (h->interrupt_at_us > 0) {
            /* On the session clock: from where it was at the call to the end
             * of the fade (what a listener hears), never negative. */
            int64_t call = h->interrupt_session_us;
            double lat = (double)(time_ms * 1000 - call) / 1e6 + 0.020;
            metrics_observe(h->metrics, MT_INTERRUPT, lat > 0.020 ? lat : 0.020);
            h->interrupt_at_us = 0;
        }
        h->speaking = 0;
        if (utt > h->last_done)
            h->last_done = utt;
    } else if (st == SZ_STATE_IDLE) {
        h->speaking = 0;
        if (utt > h->last_done)
            h->last_done = utt;
        h->idle_since_us = now;
    } else if (st == SZ_STATE_FINISHED || st == SZ_STATE_ERROR) {
        h->speaking = 0;
        h->last_done = h->last_said;
    }
    pthread_cond_broadcast(&h->cond);
    pthread_mutex_unlock(&h->lock);
    char json[160];
    snprintf(json, sizeof json, "{\"state\": \"%s\", \"utterance_id\": %d, \"time_ms\": %lld}",
             sz_state_name(st), utt, (long long)time_ms);
    host_publish(h, "state", json);
}

void host_attach(host *h, sz_session_params *sp)
{
    h->chained_mark = sp->on_mark;
    h->chained_mark_user = sp->on_mark_user_data;
    h->chained_state = sp->on_state;
    h->chained_state_user = sp->on_state_user_data;
    sp->on_mark = host_on_mark;
    sp->on_mark_user_data = h;
    sp->on_state = host_on_state;
    sp->on_state_user_data = h;
}

/* ---- saying ---------------------------------------------------------- */

typedef struct host_answer {
    host *h;
    uint64_t gen;
    int request_id;
    const char *source;
    int pieces;
    int64_t t_request;
    int got_text;
    char *spoken;
    size_t spoken_len, spoken_cap;
} host_answer;

/* Says one piece if no interrupt came since the answer began. */
static int host_say_piece(host_answer *a, const char *piece, size_t len)
{
    host *h = a->h;
    char *txt = strndup(piece, len);
    if (!txt)
        return 1;
    pthread_mutex_lock(&h->say_lock);
    pthread_mutex_lock(&h->lock);
    int current = h->gen == a->gen && !h->stop;
    pthread_mutex_unlock(&h->lock);
    int id = current ? sz_session_say(h->session, txt, 0) : SZ_ERR_CANCELLED;
    if (id >= 0) {
        pthread_mutex_lock(&h->lock);
        if (id > h->last_said)
            h->last_said = id;
        if (a->pieces == 0) {
            h->job_first_utt = id;
            h->job_first_piece_us = clock_now_us();
        }
        pthread_mutex_unlock(&h->lock);
    }
    pthread_mutex_unlock(&h->say_lock);
    if (id == SZ_ERR_INVALID_ARG) { /* nothing to say in it (a trailing emoji): skip it */
        free(txt);
        return 0;
    }
    if (id < 0) {
        free(txt);
        if (id != SZ_ERR_CANCELLED)
            SZ_LOGW("host", "a piece of the answer could not be queued: %s", sz_strerror(id));
        return 1;
    }
    a->pieces++;
    char prefix[96];
    snprintf(prefix, sizeof prefix,
             "\"request_id\": %d, \"utterance_id\": %d, \"source\": \"%s\", ", a->request_id, id,
             a->source);
    host_publish_text(h, "text", prefix, "text", txt, "");
    if (a->spoken_len + len + 2 > a->spoken_cap) {
        size_t cap = a->spoken_cap ? a->spoken_cap * 2 : 512;
        while (cap < a->spoken_len + len + 2)
            cap *= 2;
        char *b = realloc(a->spoken, cap);
        if (b) {
            a->spoken = b;
            a->spoken_cap = cap;
        }
    }
    if (a->spoken_len + len + 2 <= a->spoken_cap) {
        if (a->spoken_len)
            a->spoken[a->spoken_len++] = ' ';
        memcpy(a->spoken + a->spoken_len, txt, len);
        a->spoken_len += len;
        a->spoken[a->spoken_len] = 0;
    }
    free(txt);
    return 0;
}

static int host_on_piece(void *user, const char *piece, size_t len)
{
    return host_say_piece(user, piece, len);
}

static int host_on_text(void *user, const char *text, size_t len)
{
    host_answer *a = user;
    host *h = a->h;
    if (!a->got_text) {
        a->got_text = 1;
        int64_t now = clock_now_us();
        metrics_observe(h->metrics, MT_LLM_FIRST_TOKEN, (now - a->t_request) / 1e6);
        pthread_mutex_lock(&h->lock);
        h->job_first_text_us = now;
        h->job_first_utt = -1;
        h->thinking = 0;
        pthread_mutex_unlock(&h->lock);
    }
    pthread_mutex_lock(&h->lock);
    int current = h->gen == a->gen && !h->stop;
    pthread_mutex_unlock(&h->lock);
    if (!current)
        return 1;
    return speech_stream_push(h->speech, text, len, host_on_piece, a) != 0;
}

/* Streams a fixed text through the cutter (scripted presentations). */
static void host_speak_text(host_answer *a, const char *text)
{
    host *h = a->h;
    speech_stream_reset(h->speech);
    if (speech_stream_push(h->speech, text, strlen(text), host_on_piece, a) == 0)
        speech_stream_finish(h->speech, host_on_piece, a);
}

static char *host_format(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A formatted string the caller frees (glibc's vasprintf); NULL when out of memory. */
static char *host_format(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = NULL;
    int n = vasprintf(&s, fmt, ap);
    va_end(ap);
    return n < 0 ? NULL : s;
}

static char *host_names(const host_job *j, int zh);
static char *host_merged_answer(host *h, const host_job *j);

/* What the LLM is asked for a job (the user turn). */
static char *host_prompt(host *h, const host_job *j)
{
    if (j->kind == JOB_CHAT)
        return strdup(j->text);
    if (j->kind == JOB_COMMENT && j->n_others > 0 && !h->scripted) {
        char *names = host_names(j, 0);
        char *s = names ? host_format("Viewer comments from %s, all asking the same: %s\n(Answer "
                                      "them once, briefly, naming them, in one to three spoken "
                                      "sentences.)",
                                      names, j->text)
                        : NULL;
        free(names);
        return s;
    }
    if (j->kind == JOB_COMMENT)
        return h->scripted ? strdup(j->text)
                           : host_format("Viewer comment from %s: %s\n(Answer the viewer "
                                         "briefly, in one to three spoken sentences.)",
                                         j->user, j->text);
    const host_product *pr = &h->p.products[j->item];
    return host_format("Present this product to the viewers now, in three or four short, lively "
                       "spoken sentences, without lists or markdown. Product: %s.%s%s%s%s",
                       pr->name, pr->description ? " Details: " : "",
                       pr->description ? pr->description : "", pr->price ? " Price: " : "",
                       pr->price ? pr->price : "");
}

/* A scripted presentation of product i. */
static char *host_pitch(host *h, int i)
{
    const host_product *pr = &h->p.products[i];
    if (pr->pitch)
        return strdup(pr->pitch);
    return host_format("Next up: %s.%s%s%s%s%s", pr->name, pr->description ? " " : "",
                       pr->description ? pr->description : "",
                       pr->price ? " Today it is only " : "", pr->price ? pr->price : "",
                       pr->price ? "." : "");
}

static void host_run_job(host *h, host_job *j)
{
    host_answer a;
    memset(&a, 0, sizeof a);
    a.h = h;
    a.request_id = j->id;
    a.source = j->kind == JOB_CHAT ? "chat" : j->kind == JOB_COMMENT ? "comment" : "present";
    pthread_mutex_lock(&h->lock);
    a.gen = h->gen;
    h->job_first_text_us = 0;
    h->job_first_piece_us = 0;
    h->job_first_utt = -1;
    pthread_mutex_unlock(&h->lock);

    if (j->kind == JOB_PRESENT && j->item < h->p.n_products && h->p.products[j->item].card) {
        /* the product's card comes up as its presentation begins */
        int rc = engine_session_show_card(h->session, h->p.products[j->item].card);
        if (rc != SZ_OK)
            SZ_LOGW("host", "the card of '%s' cannot be shown: %s", h->p.products[j->item].name,
                    sz_strerror(rc));
    }
    if (j->kind == JOB_PRESENT) {
        metrics_add(h->metrics, MT_PRODUCTS_PRESENTED, 1);
        char json[96];
        snprintf(json, sizeof json, "{\"request_id\": %d, \"item\": %d}", j->id, j->item);
        host_publish(h, "present", json);
    }
    if (j->kind == JOB_PRESENT && j->item >= h->p.n_products) {
        /* a line of the text file: verbatim */
        const char *line = h->p.lines[j->item - h->p.n_products];
        host_say_piece(&a, line, strlen(line));
        free(a.spoken);
        return;
    }
    if (j->kind == JOB_COMMENT && j->n_others > 0 && h->scripted) {
        char *text = host_merged_answer(h, j);
        if (text)
            host_speak_text(&a, text);
        free(text);
        free(a.spoken);
        return;
    }
    if (j->kind == JOB_PRESENT && h->scripted) {
        char *pitch = host_pitch(h, j->item);
        if (pitch)
            host_speak_text(&a, pitch);
        free(pitch);
        free(a.spoken);
        return;
    }
    char *prompt = host_prompt(h, j);
    if (!prompt)
        return;
    llm_conv_add(h->conv, LLM_ROLE_USER, prompt);
    free(prompt);
    llm_message msgs[HOST_MAX_MSGS];
    size_t n = llm_conv_messages(h->conv, msgs, HOST_MAX_MSGS);
    speech_stream_reset(h->speech);
    pthread_mutex_lock(&h->lock);
    h->thinking = 1;
    h->in_llm = 1;
    h->cancel_at_us = 0;
    pthread_mutex_unlock(&h->lock);
    a.t_request = clock_now_us();
    llm_chat_stats st;
    char err[1024] = "";
    int rc = llm_chat(h->p.llm, msgs, n, &(llm_sink){host_on_text, &a}, &st, err, sizeof err);
    pthread_mutex_lock(&h->lock);
    h->thinking = 0;
    h->in_llm = 0;
    int current = h->gen == a.gen && !h->stop;
    if (h->cancel_at_us > 0) /* an interrupt cancelled this request: how fast it stopped */
        metrics_observe(h->metrics, MT_LLM_CANCEL, (clock_now_us() - h->cancel_at_us) / 1e6);
    h->cancel_at_us = 0;
    pthread_mutex_unlock(&h->lock);
    if (rc == SZ_ERR_CANCELLED || !current) {
        metrics_add(h->metrics, MT_LLM_CANCELLED, 1);
    } else if (rc != SZ_OK) {
        metrics_add(h->metrics, MT_LLM_ERROR, 1);
        SZ_LOGW("host", "request %d: %s", j->id, err);
        host_set_error(h, err);
        char prefix[64];
        snprintf(prefix, sizeof prefix, "\"request_id\": %d, ", j->id);
        host_publish_text(h, "error", prefix, "message", err, "");
    } else {
        metrics_add(h->metrics, MT_LLM_OK, 1);
    }
    if (current && rc != SZ_ERR_CANCELLED) {
        /* what arrived is spoken, even when the stream broke off */
        speech_stream_finish(h->speech, host_on_piece, &a);
        if (a.pieces == 0 && rc != SZ_OK) {
            const char *fallback = h->p.error_reply
                                       ? h->p.error_reply
                                       : "Sorry, I cannot answer that right now. Please try "
                                         "again in a moment.";
            if (*fallback)
                host_speak_text(&a, fallback);
        }
    }
    llm_conv_add(h->conv, LLM_ROLE_ASSISTANT, a.spoken_len ? a.spoken : "...");
    free(a.spoken);
}

/* ---- near-identical comments --------------------------------------- */

/* Do two comments ask the same? Alike words, or (scripted) the same answer. */
static int host_same_question(host *h, const char *a, const char *b)
{
    if (llm_faq_similarity(a, b) >= HOST_SAME_TEXT)
        return 1;
    if (!h->scripted)
        return 0;
    llm_faq_result ra, rb;
    if (llm_faq_answer(h->p.llm, a, &ra) != SZ_OK || llm_faq_answer(h->p.llm, b, &rb) != SZ_OK)
        return 0;
    return ra.matched && rb.matched && ra.answer == rb.answer;
}

/* Takes the waiting comments that ask what j asks, queued soon after it,
 * into j (lock held). */
static void host_merge_comments(host *h, host_job *j)
{
    host_job **pp = &h->comments.head, *prev = NULL;
    while (*pp) {
        host_job *c = *pp;
        if (c->queued_us - j->queued_us <= (int64_t)(h->p.comment_merge_s * 1e6) &&
            h->p.comment_merge_s > 0 && host_same_question(h, j->text, c->text)) {
            *pp = c->next;
            if (h->comments.tail == c)
                h->comments.tail = prev;
            h->comments.n--;
            if (j->n_others < HOST_MAX_NAMED) {
                j->others[j->n_others] = c->user;
                c->user = NULL;
            }
            j->n_others++;
            metrics_add(h->metrics, MT_COMMENTS_ANSWERED, 1);
            char json[80];
            snprintf(json, sizeof json,
                     "{\"request_id\": %d, \"status\": \"merged\", \"into\": %d}", c->id, j->id);
            host_publish(h, "comment", json);
            host_job_free(c);
            continue;
        }
        prev = c;
        pp = &c->next;
    }
}

/* "Anna, Ben and Cat" / "Anna、Ben和Cat" (and "N others" past the named). */
static char *host_join_names(const char *const *names, int n, int n_total, int zh)
{
    size_t cap = 64;
    for (int i = 0; i < n; i++)
        cap += strlen(names[i]) + 8;
    char *s = malloc(cap);
    if (!s)
        return NULL;
    size_t len = 0;
    int rest = n_total - n;
    s[0] = 0;
    for (int i = 0; i < n; i++) {
        const char *sep = i == 0                    ? ""
                          : i == n - 1 && rest == 0 ? (zh ? "和" : " and ")
                                                    : (zh ? "、" : ", ");
        len += (size_t)snprintf(s + len, cap - len, "%s%s", sep, names[i]);
    }
    if (rest > 0)
        snprintf(s + len, cap - len, zh ? "等%d位观众" : " and %d others", zh ? n_total : rest);
    return s;
}

static char *host_names(const host_job *j, int zh)
{
    const char *names[HOST_MAX_NAMED + 1];
    int n = 0;
    names[n++] = j->user;
    for (int i = 0; i < j->n_others && i < HOST_MAX_NAMED; i++)
        names[n++] = j->others[i];
    return host_join_names(names, n, j->n_others + 1, zh);
}

char *host_viewers_answer(llm_backend *faq, const char *const *users, int n_users, int n_total,
                          const char *question)
{
    llm_faq_result r;
    if (n_users < 1 || n_total < n_users || llm_faq_answer(faq, question, &r) != SZ_OK || !r.answer)
        return NULL;
    int zh = strcmp(r.lang, "zh") == 0;
    char *names = host_join_names(users, n_users, n_total, zh);
    if (!names)
        return NULL;
    char *s;
    if (zh)
        s = r.topic ? host_format("%s问了%s：%s", names, r.topic, r.answer)
                    : host_format("%s问：%s", names, r.answer);
    else
        s = r.topic ? host_format("%s asked about %s: %s", names, r.topic, r.answer)
                    : host_format("%s asked: %s", names, r.answer);
    free(names);
    return s;
}

/* A scripted answer to several viewers: "Anna and Ben asked about the price
 * of the red kettle: The red kettle is 199 yuan." */
static char *host_merged_answer(host *h, const host_job *j)
{
    const char *names[HOST_MAX_NAMED + 1];
    int n = 0;
    names[n++] = j->user;
    for (int i = 0; i < j->n_others && i < HOST_MAX_NAMED; i++)
        names[n++] = j->others[i];
    return host_viewers_answer(h->p.llm, names, n, j->n_others + 1, j->text);
}

/* ---- the worker ------------------------------------------------------ */

/* Picks the next job (lock held). */
static host_job *host_next_job(host *h, int64_t now)
{
    host_job *j = host_pop(&h->chats);
    if (j)
        return j;
    int items = h->p.n_products + h->p.n_lines;
    /* the presentation goes on between answers */
    int present_first = h->p.present && items > 0 && h->p.comment_burst > 0 &&
                        h->comments_in_row >= h->p.comment_burst;
    while (!present_first && (j = host_pop(&h->comments))) {
        if (h->p.comment_max_age_s > 0 &&
            now - j->queued_us > (int64_t)(h->p.comment_max_age_s * 1e6)) {
            metrics_add(h->metrics, MT_COMMENTS_EXPIRED, 1);
            char json[64];
            snprintf(json, sizeof json, "{\"request_id\": %d, \"status\": \"expired\"}", j->id);
            host_publish(h, "comment", json);
            host_job_free(j);
            continue;
        }
        metrics_add(h->metrics, MT_COMMENTS_ANSWERED, 1);
        host_merge_comments(h, j);
        h->comments_in_row++;
        return j;
    }
    if (!h->p.present || items == 0 || h->speaking || h->last_done < h->last_said)
        return NULL;
    if (now - h->idle_since_us < (int64_t)(h->p.present_gap_s * 1e6))
        return NULL;
    j = calloc(1, sizeof *j);
    if (!j)
        return NULL;
    j->kind = JOB_PRESENT;
    j->id = ++h->next_id;
    j->item = h->next_item;
    h->next_item = (h->next_item + 1) % items;
    h->comments_in_row = 0;
    return j;
}

static void *host_main(void *arg)
{
    host *h = arg;
    pthread_mutex_lock(&h->lock);
    while (!h->stop) {
        int64_t now = clock_now_us();
        host_job *j = host_next_job(h, now);
        if (!j) {
            host_wait(h, 50000);
            continue;
        }
        h->busy = 1;
        h->current_item = j->kind == JOB_PRESENT && j->item < h->p.n_products ? j->item : -1;
        int card = h->current_item >= 0 && h->p.products[h->current_item].card != NULL;
        pthread_mutex_unlock(&h->lock);
        host_run_job(h, j);
        host_job_free(j);
        uint64_t card_gen = 0;
        if (card) { /* it goes as the last words of the presentation are spoken */
            pthread_mutex_lock(&h->lock);
            card_gen = h->gen;
            pthread_mutex_unlock(&h->lock);
            engine_session_show_card(h->session, NULL);
        }
        pthread_mutex_lock(&h->lock);
        /* answered in turn: the next job waits until this one is spoken */
        while (!h->stop && h->last_done < h->last_said)
            host_wait(h, 50000);
        if (card && h->gen != card_gen && !h->stop) {
            /* an interrupt may have dropped the queued hide: hide it now */
            pthread_mutex_unlock(&h->lock);
            engine_session_show_card(h->session, NULL);
            pthread_mutex_lock(&h->lock);
        }
        h->busy = 0;
        h->current_item = -1;
        h->idle_since_us = clock_now_us();
        pthread_cond_broadcast(&h->cond);
    }
    pthread_mutex_unlock(&h->lock);
    return NULL;
}

/* ---- public ---------------------------------------------------------- */

int host_create(const host_params *p, host **out, char *err, size_t errlen)
{
    *out = NULL;
    if (!p || !p->llm) {
        snprintf(err, errlen, "host: no text source");
        return SZ_ERR_INVALID_ARG;
    }
    if (p->n_products < 0 || p->n_lines < 0 || (p->n_products && !p->products) ||
        (p->n_lines && !p->lines) || p->comment_queue_max < 1 || p->comment_queue_max > 10000 ||
        p->chat_queue_max < 1 || p->chat_queue_max > 10000 || p->comment_max_chars < 1 ||
        p->chat_max_chars < 1 || p->history_tokens < 64 || !(p->present_gap_s >= 0) ||
        p->comment_burst < 0 || !(p->comment_merge_s >= 0)) {
        snprintf(err, errlen, "host: parameters out of range");
        return SZ_ERR_INVALID_ARG;
    }
    for (int i = 0; i < p->n_products; i++)
        if (!p->products[i].name || !*p->products[i].name) {
            snprintf(err, errlen, "host: product %d has no name", i + 1);
            return SZ_ERR_INVALID_ARG;
        }
    host *h = calloc(1, sizeof *h);
    if (!h) {
        snprintf(err, errlen, "out of memory");
        return SZ_ERR_NO_MEMORY;
    }
    h->p = *p;
    h->scripted = strcmp(llm_backend_name(p->llm), "faq") == 0;
    h->current_item = -1;
    h->last_said = h->last_done = -1;
    h->job_first_utt = -1;
    pthread_mutex_init(&h->lock, NULL);
    pthread_mutex_init(&h->say_lock, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&h->cond, &ca);
    pthread_condattr_destroy(&ca);
    int rc = llm_conv_create(p->persona, (size_t)p->history_tokens, &h->conv);
    if (rc == SZ_OK)
        rc = speech_stream_create(&p->speech, &h->speech);
    if (rc == SZ_OK) /* the frontend's sentence and clause rules */
        speech_stream_set_segmenter(h->speech, host_segment, &h->p.speech);
    if (rc == SZ_OK)
        rc = metrics_create(&h->metrics);
    if (rc == SZ_OK)
        rc = ev_hub_create(HOST_EVENTS, &h->events);
    if (rc != SZ_OK) {
        snprintf(err, errlen, "host: out of memory");
        host_free(&h);
        return rc;
    }
    /* Questions about the products are answered from their facts too. */
    if (h->scripted) {
        for (int i = 0; i < p->n_products; i++) {
            const host_product *pr = &p->products[i];
            llm_faq_product fp = {pr->name,     pr->price,          pr->description,
                                  pr->stock,    pr->keywords,       pr->name_zh,
                                  pr->price_zh, pr->description_zh, pr->stock_zh};
            char e2[256];
            if (llm_faq_add_product(p->llm, &fp, e2, sizeof e2) != SZ_OK)
                SZ_LOGW("host", "product '%s' could not be added to the FAQ: %s", pr->name, e2);
        }
    }
    *out = h;
    return SZ_OK;
}

int host_start(host *h, sz_session *session)
{
    if (!h || !session || h->worker_started)
        return SZ_ERR_INVALID_ARG;
    h->session = session;
    h->started_us = h->idle_since_us = clock_now_us();
    /* the first presentation starts at once */
    h->idle_since_us -= (int64_t)(h->p.present_gap_s * 1e6);
    if (pthread_create(&h->worker, NULL, host_main, h) != 0)
        return SZ_ERR_NO_MEMORY;
    h->worker_started = 1;
    return SZ_OK;
}

void host_stop(host *h)
{
    if (!h)
        return;
    pthread_mutex_lock(&h->lock);
    h->stop = 1;
    pthread_cond_broadcast(&h->cond);
    pthread_mutex_unlock(&h->lock);
    llm_cancel(h->p.llm);
    if (h->worker_started) {
        pthread_join(h->worker, NULL);
        h->worker_started = 0;
    }
    if (h->events)
        ev_hub_close(h->events);
}

void host_free(host **hp)
{
    if (!hp || !*hp)
        return;
    host *h = *hp;
    host_stop(h);
    host_clear(&h->chats);
    host_clear(&h->comments);
    llm_conv_free(&h->conv);
    speech_stream_free(&h->speech);
    metrics_free(&h->metrics);
    ev_hub_free(&h->events);
    pthread_mutex_destroy(&h->lock);
    pthread_mutex_destroy(&h->say_lock);
    pthread_cond_destroy(&h->cond);
    free(h);
    *hp = NULL;
}

int host_interrupt(host *h)
{
    if (!h || !h->session)
        return SZ_ERR_STATE;
    int64_t now = clock_now_us();
    pthread_mutex_lock(&h->say_lock);
    pthread_mutex_lock(&h->lock);
    h->gen++;
    if (h->speaking || h->last_done < h->last_said) {
        h->interrupt_at_us = now;
        h->interrupt_session_us = now - h->clock_offset_us;
    }
    if (h->in_llm)
        h->cancel_at_us = now;
    h->last_done = h->last_said; /* queued utterances are dropped by the session */
    host_clear(&h->chats);
    h->idle_since_us = now;
    pthread_cond_broadcast(&h->cond);
    pthread_mutex_unlock(&h->lock);
    int rc = sz_session_interrupt(h->session);
    pthread_mutex_unlock(&h->say_lock);
    llm_cancel(h->p.llm);
    metrics_add(h->metrics, MT_INTERRUPTS, 1);
    host_publish(h, "interrupt", "{}");
    return rc;
}

int host_say(host *h, const char *text, int flags, int interrupt_first)
{
    if (!h || !h->session || !text)
        return SZ_ERR_INVALID_ARG;
    if (interrupt_first)
        host_interrupt(h);
    int64_t now = clock_now_us();
    pthread_mutex_lock(&h->say_lock);
    int id = sz_session_say(h->session, text, flags);
    if (id >= 0) {
        pthread_mutex_lock(&h->lock);
        if (id > h->last_said)
            h->last_said = id;
        h->says[h->n_says % HOST_SAY_RING].id = id;
        h->says[h->n_says % HOST_SAY_RING].at_us = now;
        h->n_says++;
        pthread_mutex_unlock(&h->lock);
    }
    pthread_mutex_unlock(&h->say_lock);
    if (id >= 0) {
        metrics_add(h->metrics, MT_SAYS, 1);
        char prefix[96];
        snprintf(prefix, sizeof prefix, "\"utterance_id\": %d, \"source\": \"say\", ", id);
        host_publish_text(h, "text", prefix, "text", text, "");
    }
    return id;
}

static int host_blank(const char *s)
{
    for (; *s; s++)
        if (!isspace((unsigned char)*s))
            return 0;
    return 1;
}

int host_chat(host *h, const char *message, int interrupt_first, char *why, size_t whylen)
{
    size_t bad;
    if (!h || !message || host_blank(message)) {
        snprintf(why, whylen, "the message is empty");
        return SZ_ERR_INVALID_ARG;
    }
    if (!utf8_valid(message, strlen(message), &bad)) {
        snprintf(why, whylen, "the message is not valid UTF-8 (byte %zu)", bad);
        return SZ_ERR_INVALID_ARG;
    }
    if (utf8_char_offset(message, strlen(message), (size_t)h->p.chat_max_chars) < strlen(message)) {
        snprintf(why, whylen, "the message is longer than %d characters", h->p.chat_max_chars);
        return SZ_ERR_INVALID_ARG;
    }
    if (interrupt_first)
        host_interrupt(h);
    host_job *j = calloc(1, sizeof *j);
    if (!j || !(j->text = strdup(message))) {
        free(j);
        snprintf(why, whylen, "out of memory");
        return SZ_ERR_NO_MEMORY;
    }
    j->kind = JOB_CHAT;
    j->queued_us = clock_now_us();
    pthread_mutex_lock(&h->lock);
    if (h->chats.n >= h->p.chat_queue_max) {
        pthread_mutex_unlock(&h->lock);
        host_job_free(j);
        snprintf(why, whylen, "%d messages are already waiting", h->p.chat_queue_max);
        return SZ_ERR_STATE;
    }
    j->id = ++h->next_id;
    host_push(&h->chats, j);
    int id = j->id;
    pthread_cond_broadcast(&h->cond);
    pthread_mutex_unlock(&h->lock);
    metrics_add(h->metrics, MT_CHATS, 1);
    return id;
}

/* Case-insensitive substring search (ASCII case folding; other bytes exact). */
static int host_contains(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    if (n == 0)
        return 0;
    for (const char *p = hay; *p; p++)
        if (strncasecmp(p, needle, n) == 0)
            return 1;
    return 0;
}

int host_comment(host *h, const char *user, const char *text, char *why, size_t whylen)
{
    size_t bad;
    int rc = SZ_ERR_INVALID_ARG;
    if (!h || !user || !text) {
        snprintf(why, whylen, "user and text are required");
        return SZ_ERR_INVALID_ARG;
    }
    size_t ul = strlen(user), tl = strlen(text);
    if (host_blank(user) || host_blank(text)) {
        snprintf(why, whylen, "empty %s", host_blank(user) ? "user" : "text");
        goto filtered;
    }
    if (!utf8_valid(user, ul, &bad) || !utf8_valid(text, tl, &bad)) {
        snprintf(why, whylen, "not valid UTF-8");
        goto filtered;
    }
    if (utf8_char_offset(user, ul, HOST_MAX_USER) < ul) {
        snprintf(why, whylen, "user name longer than %d characters", HOST_MAX_USER);
        goto filtered;
    }
    if (utf8_char_offset(text, tl, (size_t)h->p.comment_max_chars) < tl) {
        snprintf(why, whylen, "text longer than %d characters", h->p.comment_max_chars);
        goto filtered;
    }
    for (const unsigned char *p = (const unsigned char *)user; *p; p++)
        if (*p < 0x20 || *p == 0x7f) {
            snprintf(why, whylen, "control characters in the user name");
            goto filtered;
        }
    if (host_contains(text, "http://") || host_contains(text, "https://") ||
        host_contains(text, "www.")) {
        snprintf(why, whylen, "links are not answered");
        goto filtered;
    }
    for (int i = 0; i < h->p.n_blocklist; i++)
        if (host_contains(text, h->p.blocklist[i]) || host_contains(user, h->p.blocklist[i])) {
            snprintf(why, whylen, "blocked word");
            goto filtered;
        }
    int64_t now = clock_now_us();
    uint64_t uh = host_hash(user), th = host_hash(text);
    host_job *j = calloc(1, sizeof *j);
    if (!j || !(j->user = strdup(user)) || !(j->text = strdup(text))) {
        host_job_free(j);
        snprintf(why, whylen, "out of memory");
        return SZ_ERR_NO_MEMORY;
    }
    j->kind = JOB_COMMENT;
    j->queued_us = now;
    pthread_mutex_lock(&h->lock);
    for (int i = 0; i < HOST_SEEN && i < h->n_seen; i++) {
        host_seen *s = &h->seen[i];
        if (s->user_hash != uh)
            continue;
        if (s->text_hash == th && now - s->at_us < 600 * 1000000LL) {
            snprintf(why, whylen, "duplicate comment");
            goto locked_filtered;
        }
        if (now - s->at_us < (int64_t)(h->p.comment_user_interval_s * 1e6)) {
            snprintf(why, whylen, "one comment per %.0f s per viewer",
                     h->p.comment_user_interval_s);
            goto locked_filtered;
        }
    }
    if (h->comments.n >= h->p.comment_queue_max) {
        pthread_mutex_unlock(&h->lock);
        host_job_free(j);
        metrics_add(h->metrics, MT_COMMENTS_REJECTED, 1);
        snprintf(why, whylen, "%d comments are already waiting", h->p.comment_queue_max);
        return SZ_ERR_STATE;
    }
    /* newest per user replaces the oldest record of that user, else a free slot */
    int slot = h->n_seen < HOST_SEEN ? h->n_seen : -1;
    for (int i = 0; i < HOST_SEEN && i < h->n_seen; i++)
        if (h->seen[i].user_hash == uh)
            slot = i;
    if (slot < 0) {
        slot = 0;
        for (int i = 1; i < HOST_SEEN; i++)
            if (h->seen[i].at_us < h->seen[slot].at_us)
                slot = i;
    } else if (slot == h->n_seen) {
        h->n_seen++;
    }
    h->seen[slot] = (host_seen){uh, th, now};
    j->id = ++h->next_id;
    int id = j->id;
    host_push(&h->comments, j);
    pthread_cond_broadcast(&h->cond);
    pthread_mutex_unlock(&h->lock);
    metrics_add(h->metrics, MT_COMMENTS_ACCEPTED, 1);
    char prefix[96];
    snprintf(prefix, sizeof prefix, "\"request_id\": %d, \"status\": \"queued\", ", id);
    host_publish_text(h, "comment", prefix, "text", text, "");
    return id;
locked_filtered:
    pthread_mutex_unlock(&h->lock);
    host_job_free(j);
filtered:
    metrics_add(h->metrics, MT_COMMENTS_FILTERED, 1);
    return rc;
}

int host_wait_idle(host *h, int64_t timeout_us)
{
    int64_t until = timeout_us < 0 ? INT64_MAX : clock_now_us() + timeout_us;
    pthread_mutex_lock(&h->lock);
    int idle = 0;
    for (;;) {
        idle = h->chats.n == 0 && h->comments.n == 0 && !h->busy && h->last_done >= h->last_said;
        if (idle || h->stop || clock_now_us() >= until)
            break;
        host_wait(h, 20000);
    }
    pthread_mutex_unlock(&h->lock);
    return idle;
}

void host_set_listen(host *h, host_listen_fn fn, void *user)
{
    pthread_mutex_lock(&h->lock);
    h->listen_fn = fn;
    h->listen_user = user;
    pthread_mutex_unlock(&h->lock);
}

int host_listen(host *h, int on)
{
    pthread_mutex_lock(&h->lock);
    host_listen_fn fn = h->listen_fn;
    void *user = h->listen_user;
    pthread_mutex_unlock(&h->lock);
    if (!fn)
        return SZ_ERR_UNSUPPORTED;
    fn(user, on);
    return SZ_OK;
}

void host_get_status(host *h, host_status *out)
{
    memset(out, 0, sizeof *out);
    pthread_mutex_lock(&h->lock);
    out->state = h->speaking ? "speaking" : h->thinking ? "thinking" : "idle";
    out->comments_queued = h->comments.n;
    out->chats_queued = h->chats.n;
    out->utterances_pending = h->last_said > h->last_done ? h->last_said - h->last_done : 0;
    out->busy = h->busy;
    out->current_product = h->current_item;
    out->requests = h->next_id;
    out->uptime_s = h->started_us ? (clock_now_us() - h->started_us) / 1e6 : 0;
    snprintf(out->backend, sizeof out->backend, "%s", llm_backend_name(h->p.llm));
    snprintf(out->last_error, sizeof out->last_error, "%s", h->last_error);
    out->listening_available = h->listen_fn != NULL;
    pthread_mutex_unlock(&h->lock);
}

ev_hub *host_events(host *h)
{
    return h ? h->events : NULL;
}
metrics *host_metrics(host *h)
{
    return h ? h->metrics : NULL;
}
sz_session *host_session(host *h)
{
    return h ? h->session : NULL;
}
