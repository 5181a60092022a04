/* SPDX-License-Identifier: Apache-2.0 */
/* frontend.h: the text frontend of tts. It turns what users send (plain text
 * or SSML) into what a voice speaks: sentences made of language runs of
 * normalized words, with prosody, breaks and marks in order; a streaming
 * sentence/clause cutter; and phonemes through libespeak-ng.
 *
 *     fe_params p = fe_default_params();
 *     fe_doc *doc = NULL;
 *     if (fe_process("这款iPhone 16只要5999元", len, &p, &doc, err, sizeof err) == SZ_OK)
 *         ... doc->sentences[0].text == "这款 iPhone 十六只要五千九百九十九元"
 *     fe_doc_free(&doc);
 *
 * Everything here is reentrant; fe_phonemize serializes on libespeak-ng. */
#ifndef SZ_TTS_FRONTEND_H
#define SZ_TTS_FRONTEND_H

#include <stddef.h>

#include "shuzi.h"

#define FE_LANG_MAX 24
#define FE_MAX_INPUT_BYTES (1u << 20)
#define FE_MAX_BREAK_MS 60000          /* one <break> */
#define FE_MAX_TOTAL_BREAK_MS 600000   /* all breaks of one document */
#define FE_MAX_NAME_BYTES 255          /* a <mark> name */

/* ---- documents ------------------------------------------------------- */

typedef enum fe_item_kind {
    FE_ITEM_TEXT = 0,   /* normalized words of one language: speak them */
    FE_ITEM_PHONES = 1, /* SSML <phoneme>: speak these IPA phones */
    FE_ITEM_BREAK = 2,  /* silence */
    FE_ITEM_MARK = 3,   /* SSML <mark>: report when speech gets here */
} fe_item_kind;

typedef struct fe_prosody {
    float rate;   /* multiplier of the voice's rate; 1 = normal */
    float pitch;  /* multiplier of the voice's base pitch */
    float volume; /* linear gain */
} fe_prosody;

typedef struct fe_item {
    fe_item_kind kind;
    char lang[FE_LANG_MAX]; /* TEXT, PHONES: voice language of the run: "en-us", "cmn" */
    const char *text;       /* TEXT: the words; PHONES: the words the phones stand for;
                               MARK: its name; BREAK: "" */
    const char *ipa;        /* PHONES: the IPA string; otherwise NULL */
    int break_ms;           /* BREAK: length of the silence */
    int implicit;           /* BREAK: a pause the frontend put at a clause or sentence end */
    fe_prosody prosody;     /* TEXT, PHONES */
} fe_item;

typedef struct fe_sentence {
    size_t first, count; /* its items: doc->items[first .. first + count) */
    const char *text;    /* normalized text of its runs, joined ("" when it has none) */
    const char *source;  /* the input text it was made from (SSML: the text content) */
    char lang[8];        /* "en", "zh", ...: the language of most of its words */
} fe_sentence;

typedef struct fe_doc {
    fe_item *items;
    size_t n_items;
    fe_sentence *sentences;
    size_t n_sentences;
    size_t n_dropped; /* emoji and symbols left out (never read as garbage) */
    void *priv;       /* string storage */
} fe_doc;

typedef struct fe_params {
    int ssml;               /* the input is an SSML document (<speak>...</speak>) */
    const char *latin_lang; /* voice language of Latin-script runs; default "en-us" */
    const char *han_lang;   /* voice language of Han runs; default "cmn" */
    const char *base_lang;  /* NULL: each sentence reads numbers and symbols in the
                               language most of its words are in; "en", "zh" or any
                               tag forces one (SSML xml:lang does the same) */
    const char *default_base; /* how a sentence without letters ("12:30") is read:
                                 "en" (default) or "zh" */
    int pauses;             /* 1 (default): a short silence after clauses and sentences */
} fe_params;

fe_params fe_default_params(void);

/* Runs the whole frontend on text (UTF-8, at most FE_MAX_INPUT_BYTES). Bad
 * input (invalid UTF-8, malformed SSML) gives SZ_ERR_FORMAT and one line in
 * err saying where ("ssml: line 3, column 14: ..."). */
int fe_process(const char *text, size_t len, const fe_params *params, fe_doc **out, char *err,
               size_t errlen);
void fe_doc_free(fe_doc **doc);

/* The normalized text of the whole document (sentences joined by a space,
 * or nothing between Chinese ones). Caller frees. NULL when out of memory. */
char *fe_doc_text(const fe_doc *doc);

/* Checks an SSML document without normalizing it (what sz_session_say uses
 * to refuse bad SSML at once). */
int fe_ssml_check(const char *text, size_t len, char *err, size_t errlen);

/* ---- streaming segmentation ------------------------------------------ */

typedef enum fe_cut_kind {
    FE_CUT_NONE = 0,
    FE_CUT_CLAUSE = 1,    /* , ; : ，；：、 dashes, a mid-sentence ellipsis */
    FE_CUT_SENTENCE = 2,  /* . ! ? 。！？ a final ellipsis, a line break */
    FE_CUT_PARAGRAPH = 3, /* a blank line */
} fe_cut_kind;

/* Finds the first boundary in text[0..len) that more text cannot change:
 * returns the offset just past it (closing quotes and brackets included) and
 * its kind, or 0 when none is certain yet (a '.' at the very end may still
 * become "3.5"). final: no more text will come, so the end is a sentence
 * boundary. clauses: also cut at clause punctuation. Decimal points,
 * thousands separators, times, abbreviations (Dr. No. e.g.), initials,
 * URLs and e-mail addresses are not boundaries. */
size_t fe_segment_next(const char *text, size_t len, int final, int clauses, fe_cut_kind *kind);

/* ---- phonemes --------------------------------------------------------- */

/* Phones of a run, word by word: word w has phones[word_start[w] ..
 * word_start[w + 1]) (word_start[n_words] == n_phones). English phones are
 * espeak-ng IPA with the stress mark on the vowel ("ˈoʊ"); Mandarin phones
 * are IPA initials and finals, each syllable ending with a Chao tone letter
 * ("˥" "˧˥" "˨˩˦" "˨˩" "˥˩", neutral "˩"), after tone sandhi (3-3, 一, 不). */
typedef struct fe_phones {
    char **phones;
    size_t n_phones;
    size_t *word_start;
    size_t n_words;
} fe_phones;

/* lang: a voice language ("en-us", "cmn", "fr"...). Uses libespeak-ng. */
int fe_phonemize(const char *lang, const char *text, fe_phones *out, char *err, size_t errlen);
/* Splits an IPA string (SSML <phoneme ph>) into phones; spaces split words. */
int fe_phonemize_ipa(const char *ipa, fe_phones *out, char *err, size_t errlen);
/* Opens what Mandarin phonemes need (the word list, a few milliseconds) now
 * instead of in the first Mandarin sentence's time. Thread-safe, once. */
void fe_prepare_mandarin(void);
/* Rewrites phones into a voice's declared symbol set: a phone in the set is
 * kept; otherwise it is split into set symbols (longest match first, a
 * stress mark as its own symbol when the set has it). Fails, naming the
 * phone, when that is impossible. */
int fe_phones_map(fe_phones *p, const char *const *symbols, size_t n_symbols, char *err,
                  size_t errlen);
void fe_phones_clear(fe_phones *p);

/* One JSON object for sentence i: {"lang": .., "text": .., "phones": [[..], ..]}
 * with one array of phones per word (what `shuzi tts --dry-run` prints).
 * Caller frees. */
char *fe_sentence_json(const fe_doc *doc, size_t i, char *err, size_t errlen);

#endif
