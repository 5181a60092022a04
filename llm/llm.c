/* SPDX-License-Identifier: Apache-2.0 */
/* llm.c: the backend wrapper shared by every text source (dispatch through
 * the kind's table) and the conversation memory with its token budget. */
#include "llm/llm.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "llm/conversation.h"

struct llm_backend {
    const llm_kind *kind;
    void *state;
};

const char *llm_role_name(llm_role role)
{
    switch (role) {
    case LLM_ROLE_SYSTEM: return "system";
    case LLM_ROLE_USER: return "user";
    case LLM_ROLE_ASSISTANT: return "assistant";
    }
    return "user";
}

int llm_backend_wrap(const llm_kind *kind, void *state, llm_backend **out)
{
    llm_backend *b = calloc(1, sizeof *b);
    if (!b) {
        kind->destroy(state);
        return SZ_ERR_NO_MEMORY;
    }
    b->kind = kind;
    b->state = state;
    *out = b;
    return SZ_OK;
}

void *llm_backend_state(llm_backend *b, const llm_kind *kind)
{
    return b && b->kind == kind ? b->state : NULL;
}

const char *llm_backend_name(const llm_backend *b)
{
    return b ? b->kind->name : "";
}

int llm_chat(llm_backend *b, const llm_message *msgs, size_t n_msgs, const llm_sink *sink,
             llm_chat_stats *stats, char *err, size_t errlen)
{
    llm_chat_stats local;
    if (!stats)
        stats = &local;
    memset(stats, 0, sizeof *stats);
    stats->first_text_us = -1;
    if (!b || !msgs || n_msgs == 0 || !sink || !sink->on_text) {
        snprintf(err, errlen, "llm: nothing to answer");
        return SZ_ERR_INVALID_ARG;
    }
    return b->kind->chat(b->state, msgs, n_msgs, sink, stats, err, errlen);
}

void llm_cancel(llm_backend *b)
{
    if (b && b->kind->cancel)
        b->kind->cancel(b->state);
}

void llm_backend_free(llm_backend **b)
{
    if (!b || !*b)
        return;
    (*b)->kind->destroy((*b)->state);
    free(*b);
    *b = NULL;
}

/* ---- conversation ---------------------------------------------------- */

typedef struct llm_turn {
    llm_role role;
    char *text;
    size_t tokens;
} llm_turn;

struct llm_conversation {
    char *persona;
    size_t budget;
    llm_turn *turns;
    size_t n, cap;
    size_t tokens;
};

size_t llm_estimate_tokens(const char *text)
{
    size_t latin = 0, other = 0;
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        if (*p < 0x80)
            latin++;
        else if ((*p & 0xC0) != 0x80)
            other++; /* a lead byte: one non-Latin character */
    }
    size_t t = (latin + 3) / 4 + other;
    return t == 0 && *text ? 1 : t;
}

int llm_conv_create(const char *persona, size_t budget_tokens, llm_conversation **out)
{
    if (!out || budget_tokens < 64)
        return SZ_ERR_INVALID_ARG;
    llm_conversation *c = calloc(1, sizeof *c);
    if (!c)
        return SZ_ERR_NO_MEMORY;
    c->budget = budget_tokens;
    if (persona && *persona && !(c->persona = strdup(persona))) {
        free(c);
        return SZ_ERR_NO_MEMORY;
    }
    *out = c;
    return SZ_OK;
}

void llm_conv_clear(llm_conversation *c)
{
    for (size_t i = 0; i < c->n; i++)
        free(c->turns[i].text);
    c->n = 0;
    c->tokens = 0;
}

void llm_conv_free(llm_conversation **c)
{
    if (!c || !*c)
        return;
    llm_conv_clear(*c);
    free((*c)->turns);
    free((*c)->persona);
    free(*c);
    *c = NULL;
}

static void llm_conv_drop_front(llm_conversation *c, size_t k)
{
    for (size_t i = 0; i < k; i++) {
        c->tokens -= c->turns[i].tokens;
        free(c->turns[i].text);
    }
    memmove(c->turns, c->turns + k, (c->n - k) * sizeof *c->turns);
    c->n -= k;
}

int llm_conv_add(llm_conversation *c, llm_role role, const char *text)
{
    if (!c || !text || role == LLM_ROLE_SYSTEM)
        return SZ_ERR_INVALID_ARG;
    if (c->n == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 16;
        llm_turn *t = realloc(c->turns, cap * sizeof *t);
        if (!t)
            return SZ_ERR_NO_MEMORY;
        c->turns = t;
        c->cap = cap;
    }
    char *copy = strdup(text);
    if (!copy)
        return SZ_ERR_NO_MEMORY;
    llm_turn *t = &c->turns[c->n++];
    t->role = role;
    t->text = copy;
    t->tokens = llm_estimate_tokens(text);
    c->tokens += t->tokens;
    /* Drop whole exchanges from the front so the history still starts with
     * a user turn; the newest turn always stays. */
    while (c->tokens > c->budget && c->n > 1) {
        size_t k = 1;
        while (k < c->n - 1 && c->turns[k].role != LLM_ROLE_USER)
            k++;
        llm_conv_drop_front(c, k);
    }
    return SZ_OK;
}

size_t llm_conv_messages(const llm_conversation *c, llm_message *msgs, size_t cap)
{
    size_t k = 0;
    if (c->persona && k < cap)
        msgs[k++] = (llm_message){LLM_ROLE_SYSTEM, c->persona};
    /* when cap is short, the newest turns go (from a user turn on) */
    size_t first = c->n > cap - k ? c->n - (cap - k) : 0;
    while (first > 0 && first < c->n - 1 && c->turns[first].role != LLM_ROLE_USER)
        first++;
    for (size_t i = first; i < c->n && k < cap; i++)
        msgs[k++] = (llm_message){c->turns[i].role, c->turns[i].text};
    return k;
}

size_t llm_conv_turns(const llm_conversation *c)
{
    return c->n;
}

size_t llm_conv_tokens(const llm_conversation *c)
{
    return c->tokens;
}
