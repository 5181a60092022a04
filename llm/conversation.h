/* SPDX-License-Identifier: Apache-2.0 */
/* conversation.h: a chat's memory: the persona (system prompt) and the turns
 * so far, kept within a budget of estimated tokens by dropping the oldest
 * exchanges first. Not thread-safe: one owner thread. */
#ifndef SZ_LLM_CONVERSATION_H
#define SZ_LLM_CONVERSATION_H

#include <stddef.h>

#include "llm/llm.h"

typedef struct llm_conversation llm_conversation;

/* persona may be NULL (no system message). budget_tokens >= 64. */
int llm_conv_create(const char *persona, size_t budget_tokens, llm_conversation **out);
void llm_conv_free(llm_conversation **c);

/* Appends a turn (copied), then drops the oldest turns while the history is
 * over budget. The persona and the newest turn are always kept. */
int llm_conv_add(llm_conversation *c, llm_role role, const char *text);
/* Removes every turn (the persona stays). */
void llm_conv_clear(llm_conversation *c);

/* Fills msgs with the persona and the turns, oldest first; when cap is too
 * small the oldest turns are left out. Returns the count (at most cap).
 * Pointers stay valid until the next add or clear. */
size_t llm_conv_messages(const llm_conversation *c, llm_message *msgs, size_t cap);
size_t llm_conv_turns(const llm_conversation *c);
/* Estimated tokens of the turns (not the persona). */
size_t llm_conv_tokens(const llm_conversation *c);

/* A rough token count: 1 per CJK or other non-Latin character, 1 per 4
 * bytes of Latin text, at least 1 for non-empty text. */
size_t llm_estimate_tokens(const char *text);

#endif
