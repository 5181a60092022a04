/* SPDX-License-Identifier: Apache-2.0 */
/* faq_text.h: the FAQ answerer's view of a text: the question's language
 * (Han characters or not) and its terms for retrieval. English words are
 * lowercased, lightly stemmed, stop words dropped and synonyms mapped to
 * one cue ("how much", "cost", "price" -> #price); Chinese is cut into
 * character unigrams and bigrams (no dictionary), with the same cues for
 * its phrases (多少钱 -> #price). */
#ifndef SZ_LLM_FAQ_TEXT_H
#define SZ_LLM_FAQ_TEXT_H

#include <stddef.h>

typedef enum { FAQ_LANG_EN = 0, FAQ_LANG_ZH = 1, FAQ_N_LANGS } faq_lang;

typedef enum {
    FAQ_TERM_WORD = 0, /* an English word's stem, or anything else in a word */
    FAQ_TERM_HAN1,     /* one Han character */
    FAQ_TERM_HAN2,     /* two Han characters next to each other */
    FAQ_TERM_CUE,      /* #price, #stock: what is asked about */
    FAQ_TERM_SOCIAL,   /* #greet, #thanks: politeness around a question */
} faq_term_kind;

#define FAQ_TERM_BYTES 48
#define FAQ_MAX_TERMS 256

typedef struct faq_term {
    char s[FAQ_TERM_BYTES];
    faq_term_kind kind;
} faq_term;

/* "en" / "zh"; -1 for anything else. */
int faq_lang_parse(const char *s, size_t n);
const char *faq_lang_name(faq_lang l);
/* FAQ_LANG_ZH when the text holds a Han character, else FAQ_LANG_EN. */
faq_lang faq_text_lang(const char *text);
/* The text's distinct terms (at most cap), in order of first appearance.
 * A text of stop words only ("who are you") keeps them as its terms. */
int faq_text_terms(const char *text, faq_term *out, int cap);

#endif
