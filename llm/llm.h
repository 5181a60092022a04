/* SPDX-License-Identifier: Apache-2.0 */
/* llm.h: text sources that answer a conversation, behind one table of
 * callbacks: an OpenAI-compatible streaming chat client (llm/openai.c) and
 * the scripted FAQ backend (llm/faq.c). Answers arrive as text pieces
 * through a sink as they are produced, so speech can start early. */
#ifndef SZ_LLM_LLM_H
#define SZ_LLM_LLM_H

#include <stddef.h>
#include <stdint.h>

#include "shuzi.h"

typedef enum llm_role { LLM_ROLE_SYSTEM = 0, LLM_ROLE_USER, LLM_ROLE_ASSISTANT } llm_role;

/* "system", "user", "assistant" */
const char *llm_role_name(llm_role role);

typedef struct llm_message {
    llm_role role;
    const char *content; /* UTF-8 */
} llm_message;

/* Where an answer goes. text is valid UTF-8 (whole characters), not
 * NUL-terminated. A non-zero return cancels the answer (the backend stops as
 * soon as it can and chat returns SZ_ERR_CANCELLED). */
typedef struct llm_sink {
    int (*on_text)(void *user, const char *text, size_t len);
    void *user;
} llm_sink;

/* What one chat call did, for metrics and tests. */
typedef struct llm_chat_stats {
    int attempts;           /* requests sent (1 + retries) */
    int http_status;        /* of the last attempt; 0 when none or not HTTP */
    int64_t first_text_us;  /* from the call to the first text piece; -1 if none */
    int64_t total_us;       /* from the call to its return */
    size_t bytes_out;       /* answer bytes delivered to the sink */
    char finish_reason[32]; /* "stop", "length"... as the server said; "" if none */
} llm_chat_stats;

typedef struct llm_backend llm_backend;

/* A backend kind fills this table (STYLE.md: a module is a table of callbacks). */
typedef struct llm_kind {
    const char *name; /* "openai", "faq" */
    /* Answers the conversation (the last message is the user's turn). */
    int (*chat)(void *state, const llm_message *msgs, size_t n_msgs, const llm_sink *sink,
                llm_chat_stats *stats, char *err, size_t errlen);
    /* Thread-safe: makes a chat in progress return SZ_ERR_CANCELLED promptly
     * (within a few milliseconds); no effect when none runs. */
    void (*cancel)(void *state);
    void (*destroy)(void *state);
} llm_kind;

/* ---- the OpenAI-compatible client (needs libcurl) -------------------- */

typedef struct llm_openai_params {
    const char *base_url;     /* "http://127.0.0.1:8080/v1"; ".../chat/completions" also accepted */
    const char *model;        /* sent as "model" */
    const char *api_key;      /* NULL or "": no Authorization header */
    double connect_timeout_s; /* default 5 */
    double first_byte_timeout_s; /* request sent -> first byte of the answer; default 30 */
    double idle_timeout_s;       /* longest silence inside a stream; default 20 */
    double total_timeout_s;      /* one attempt, start to end; default 180 */
    int max_retries;             /* retries of failed attempts; default 2 */
    double retry_base_s;         /* first backoff; doubles each retry, jittered; default 0.5 */
    int max_tokens;              /* 0: not sent */
    double temperature;          /* < 0: not sent */
} llm_openai_params;

llm_openai_params llm_openai_default_params(void);

/* Checks the parameters (URL scheme, timeouts) without connecting. */
int llm_openai_create(const llm_openai_params *p, llm_backend **out, char *err, size_t errlen);

/* ---- the scripted FAQ backend ---------------------------------------- */

/* FAQ file format (UTF-8 text):
 *     # a comment
 *     Q: What are your opening hours? | when * open
 *     Q: 营业时间
 *     A: We are open from nine to five, Monday to Friday.
 *        Continuation lines (indented) belong to the answer.
 *     DEFAULT: Sorry, I do not know that yet.
 *     DEFAULT[zh]: 抱歉，这个问题我还不知道。
 * A Q: line holds example questions separated by '|': plain questions, or
 * the older word patterns ('*' between words reads as a space). An entry
 * answers in its answer's language (Han characters: zh, else en), and only
 * questions in that language; entries of both languages live in one file.
 * DEFAULT[en]: and DEFAULT[zh]: (once each) answer what nothing matches in
 * that language; a plain DEFAULT: (once) serves the language it is written
 * in, and the other language gets a built-in sentence.
 *
 * Retrieval: questions and examples become terms (faq_text.h: stems without
 * stop words, Han unigrams and bigrams, cues like #price for "how much" /
 * 多少钱). An entry's score is the best TF-IDF cosine (binary tf, idf over
 * all examples) between the question and one of its examples. A product
 * fact (llm_faq_add_product) scores sqrt(share of the question's weight
 * that its document holds), and only when the question names the product
 * and, for price and stock, asks for it. The best entry answers when it
 * scores LLM_FAQ_THRESHOLD or more and LLM_FAQ_MARGIN more than the best
 * entry with another answer; else the language's DEFAULT does. */
#define LLM_FAQ_THRESHOLD 0.6
#define LLM_FAQ_MARGIN 0.05

int llm_faq_create(const char *text, size_t len, const char *label, llm_backend **out, char *err,
                   size_t errlen);
int llm_faq_load(const char *path, llm_backend **out, char *err, size_t errlen);
/* The FAQ compiled into shuzi (a bank and shop assistant's basics). */
const char *llm_faq_default_text(void);
/* Adds an entry at run time (examples as on a Q: line). faq backends only. */
int llm_faq_add(llm_backend *b, const char *patterns, const char *answer, char *err, size_t errlen);

/* A product whose facts answer questions: price, stock and description,
 * each when given (NULL or ""); the _zh fields say them in Mandarin (the
 * English ones stand in for a missing name or price; a missing zh
 * description or stock leaves that fact unanswered in Mandarin). keywords:
 * other names, '|' between them ("kettle | 水壶"). */
typedef struct llm_faq_product {
    const char *name, *price, *description, *stock, *keywords;
    const char *name_zh, *price_zh, *description_zh, *stock_zh;
} llm_faq_product;
int llm_faq_add_product(llm_backend *b, const llm_faq_product *p, char *err, size_t errlen);

/* What the FAQ makes of a question. Strings stay valid until the next add
 * or the backend's free. */
typedef struct llm_faq_result {
    const char *answer;    /* what is said (the language's DEFAULT when unmatched; NULL
                              when the FAQ has none) */
    int matched;           /* 0: the answer is the DEFAULT */
    const char *lang;      /* "en" or "zh": the question's */
    const char *topic;     /* product facts: "the price of the red kettle"; else NULL */
    const char *entry;     /* the best entry ("faq.txt:12", "product 'kettle': price") */
    double score;          /* its score, 0..1 */
    const char *runner_up; /* the best entry with another answer; NULL if none */
    double runner_up_score;
    double threshold; /* LLM_FAQ_THRESHOLD */
} llm_faq_result;
int llm_faq_answer(llm_backend *b, const char *question, llm_faq_result *r);
/* The answer the FAQ gives to question (NULL: the default answer), for tests. */
const char *llm_faq_match(llm_backend *b, const char *question);
/* How alike two short texts are, 0..1 (cosine of their term sets), to find
 * near-identical viewer comments. */
double llm_faq_similarity(const char *a, const char *b);

/* ---- any backend ------------------------------------------------------ */

const char *llm_backend_name(const llm_backend *b);
int llm_chat(llm_backend *b, const llm_message *msgs, size_t n_msgs, const llm_sink *sink,
             llm_chat_stats *stats, char *err, size_t errlen);
void llm_cancel(llm_backend *b);
void llm_backend_free(llm_backend **b);

/* For backends: wraps a kind and its state (takes ownership of state). */
int llm_backend_wrap(const llm_kind *kind, void *state, llm_backend **out);
void *llm_backend_state(llm_backend *b, const llm_kind *kind);

#endif
