/* SPDX-License-Identifier: Apache-2.0 */
/* host.h: the conversation host of the live and kiosk modes. It owns the
 * text source (LLM or FAQ), the conversation memory, the queues of chat
 * messages and viewer comments, and the product rotation of a live room; a
 * worker thread answers one thing at a time, streaming each answer into the
 * session clause by clause. Interrupt silences speech and cancels the LLM.
 * Every public call is thread-safe (the control API calls them). */
#ifndef SZ_ENGINE_HOST_H
#define SZ_ENGINE_HOST_H

#include <stddef.h>
#include <stdint.h>

#include "engine/events.h"
#include "engine/metrics.h"
#include "llm/llm.h"
#include "llm/speech.h"
#include "shuzi.h"

typedef struct host_product {
    const char *name;  /* required */
    const char *price; /* as it should be read: "¥1,299", "19.99 dollars" */
    const char *description;
    const char *pitch;    /* exact words for a scripted show; NULL = built from the fields */
    const char *keywords; /* other names, '|' between them ("kettle | 水壶"); NULL = none */
    const char *stock;    /* "In stock, ships today." NULL = not answered */
    /* the same in Mandarin, for questions asked in it (NULL: the English name and
       price stand in; no Mandarin description or stock answer) */
    const char *name_zh, *price_zh, *description_zh, *stock_zh;
    /* shown beside the avatar while the product is presented (avatar/card.h;
       kept by the caller until host_free); NULL = none */
    const struct avatar_card *card;
} host_product;

typedef struct host_params {
    llm_backend *llm;             /* required; the caller keeps it until host_free */
    const char *persona;          /* the system prompt (LLM backends); NULL = none */
    int history_tokens;           /* conversation budget (default 2000) */
    const host_product *products; /* kept by the caller until host_free */
    int n_products;
    const char *const *lines; /* lines spoken in turn, verbatim (live --text-file) */
    int n_lines;
    int present;                    /* present products/lines in turn when nothing else waits */
    double present_gap_s;           /* silence between presentations (default 1.5) */
    int comment_queue_max;          /* default 20 */
    int comment_max_chars;          /* default 200 */
    double comment_max_age_s;       /* older comments are skipped when their turn comes (120) */
    double comment_user_interval_s; /* one accepted comment per user per this (10) */
    /* Near-identical comments (same FAQ answer, or alike words) queued within
       this many seconds of the first are answered once, naming the viewers (30). */
    double comment_merge_s;
    /* Answers to comments in a row before the next presentation (3; 0 = comments
       always first). */
    int comment_burst;
    const char *const *blocklist;   /* words that get a comment filtered (case-insensitive) */
    int n_blocklist;
    int chat_queue_max;      /* default 16 */
    int chat_max_chars;      /* default 2000 */
    const char *error_reply; /* said when the LLM fails before saying anything; NULL =
                                a default sentence, "" = silence */
    speech_params speech;
} host_params;

host_params host_default_params(void);

/* The scripted answer to one question several viewers asked: "Anna and Ben
 * asked about the price of the red kettle: The red kettle is 199 yuan." (in
 * the question's language; n_total - n_users more are counted, not named).
 * faq is a FAQ backend. Returns a malloc'd string, NULL on error. */
char *host_viewers_answer(llm_backend *faq, const char *const *users, int n_users, int n_total,
                          const char *question);

/* The boundary rule the host gives its speech cutter (speech_segment_fn;
 * user points at a speech_params): the text frontend's sentence and clause
 * segmentation (fe_segment_next), with the host's policy on top: the first
 * piece ends at the first clause of first_min_chars or more, later pieces
 * at sentence ends (or a clause past soft_max_chars); "!" and "?" at the end
 * of the text so far end a sentence at once. */
size_t host_segment(void *user, const char *text, size_t len, int final, int first);

typedef struct host host;

int host_create(const host_params *p, host **out, char *err, size_t errlen);
/* Installs the host's mark and state callbacks in the session params (call
 * before sz_session_create; callbacks already there are called too). */
void host_attach(host *h, sz_session_params *sp);
/* Starts the worker on a started session. */
int host_start(host *h, sz_session *session);
/* Stops the worker (cancels the LLM) and closes the event stream. */
void host_stop(host *h);
void host_free(host **h);

/* Speaks text now (after what is queued in the session). Returns the
 * utterance id or a negative sz_result. */
int host_say(host *h, const char *text, int flags, int interrupt_first);
/* Queues a user message answered through the LLM. Returns a request id
 * (> 0) or SZ_ERR_STATE when the chat queue is full. */
int host_chat(host *h, const char *message, int interrupt_first, char *why, size_t whylen);
/* Queues a viewer comment. Returns a request id, SZ_ERR_INVALID_ARG when
 * filtered (why says which rule) or SZ_ERR_STATE when the queue is full. */
int host_comment(host *h, const char *user, const char *text, char *why, size_t whylen);
/* Silences speech (the session fades it out), cancels the LLM request and
 * drops queued chat messages (not comments). */
int host_interrupt(host *h);

/* Waits until nothing is queued, nothing is being answered and everything
 * said has been spoken, or timeout_us passes (< 0: forever). Returns 1 when
 * idle, 0 on timeout. */
int host_wait_idle(host *h, int64_t timeout_us);

/* Listening (engine/listening.c) registers how push-to-talk reaches it; the
 * control API's POST /v1/listen calls host_listen. SZ_ERR_UNSUPPORTED when
 * nothing listens (no --mic). */
typedef void (*host_listen_fn)(void *user, int on);
void host_set_listen(host *h, host_listen_fn fn, void *user);
int host_listen(host *h, int on);

typedef struct host_status {
    const char *state; /* "idle", "speaking", "thinking" (waiting for the LLM) */
    int comments_queued, chats_queued;
    int utterances_pending; /* said but not yet spoken */
    int busy;
    int current_product; /* index being presented, -1 none */
    int64_t requests;    /* ids handed out */
    double uptime_s;
    char backend[16];
    char last_error[256];
    int listening_available; /* a microphone is attached (host_set_listen) */
} host_status;

void host_get_status(host *h, host_status *out);
ev_hub *host_events(host *h);
metrics *host_metrics(host *h);
sz_session *host_session(host *h);

#endif
