/* SPDX-License-Identifier: Apache-2.0 */
/* faq_text.c: terms of a question or an FAQ example (faq_text.h): the
 * tables (stop words, cues, a few word families) and a light stemmer. */
#include "llm/faq_text.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* ---- tables ------------------------------------------------------------ */

/* Words that carry no topic: question words, pronouns, auxiliaries,
 * politeness. "how much" is read as a cue before these are dropped. */
static const char *const faq_stop_en[] = {
    "a",      "an",      "the",      "is",     "are",    "am",     "was",    "were",    "be",
    "been",   "being",   "do",       "does",   "did",    "done",   "to",     "of",      "in",
    "on",     "at",      "for",      "with",   "from",   "by",     "about",  "into",    "as",
    "and",    "or",      "but",      "if",     "so",     "than",   "then",   "that",    "this",
    "these",  "those",   "there",    "here",   "it",     "its",    "it's",   "i",       "me",
    "my",     "mine",    "you",      "your",   "yours",  "we",     "our",    "us",      "they",
    "them",   "their",   "he",       "she",    "his",    "her",    "him",    "can",     "could",
    "would",  "should",  "will",     "shall",  "may",    "might",  "must",   "what",    "which",
    "who",    "whom",    "whose",    "when",   "where",  "why",    "how",    "please",  "pls",
    "just",   "also",    "still",    "really", "very",   "some",   "any",    "much",    "many",
    "more",   "most",    "all",      "ok",     "okay",   "well",   "oh",     "um",      "yes",
    "no",     "not",     "dont",     "don't",  "can't",  "cannot", "won't",  "isn't",   "aren't",
    "i'm",    "i'd",     "i've",     "i'll",   "you're", "what's", "let",    "let's",   "want",
    "wanted", "like",    "need",     "get",    "got",    "have",   "has",    "had",     "know",
    "tell",   "there's", "there're", "sir",    "madam",  "dear",   "anyone", "someone", "something",
    "thing",  "things",  "lot",      "lots",   "bit",    "one",    "ones",   "kind",    "sort",
};

/* Han characters that carry no topic on their own (particles, pronouns,
 * measure words); bigrams holding one are dropped too. */
static const char *const faq_stop_zh[] = {
    "的", "了", "吗", "呢", "吧", "啊", "呀", "嘛", "么", "是", "在", "我", "你", "您",
    "他", "她", "它", "们", "这", "那", "个", "请", "问", "一", "下", "和", "与", "就",
    "都", "也", "还", "要", "想", "能", "可", "以", "会", "把", "被", "给", "让", "些",
    "什", "怎", "哪", "儿", "里", "呗", "哦", "嗯", "有", "没", "不", "款", "该", "吧",
};

typedef struct faq_syn {
    const char *from, *to;
} faq_syn;

/* Phrases (two words, or Han strings) and words mapped to one term. Cues
 * start with '#'; #greet and #thanks are social (they weigh little beside a
 * real question). */
static const faq_syn faq_phrases_en[] = {
    {"how much", "#price"},
    {"in stock", "#stock"},
    {"sold out", "#stock"},
    {"good morning", "#greet"},
    {"good afternoon", "#greet"},
    {"good evening", "#greet"},
    {"thank you", "#thanks"},
    {"out of", ""},
    {"how long", ""},
    {"how often", ""},
    {"how many", ""},
};

static const faq_syn faq_words_en[] = {
    {"price", "#price"},       {"prices", "#price"},    {"priced", "#price"},
    {"pricing", "#price"},     {"cost", "#price"},      {"costs", "#price"},
    {"costing", "#price"},     {"expensive", "#price"}, {"stock", "#stock"},
    {"stocks", "#stock"},      {"available", "#stock"}, {"availability", "#stock"},
    {"unavailable", "#stock"}, {"hello", "#greet"},     {"hi", "#greet"},
    {"hey", "#greet"},         {"hiya", "#greet"},      {"howdy", "#greet"},
    {"greetings", "#greet"},   {"thanks", "#thanks"},   {"thank", "#thanks"},
    {"thx", "#thanks"},        {"deliver", "ship"},     {"delivery", "ship"},
    {"delivered", "ship"},     {"deliveries", "ship"},  {"shipping", "ship"},
    {"shipped", "ship"},       {"lost", "lose"},        {"stolen", "steal"},
    {"stole", "steal"},
};

static const faq_syn faq_phrases_zh[] = {
    {"多少钱", "#price"}, {"价格", "#price"},   {"价钱", "#price"},   {"价位", "#price"},
    {"售价", "#price"},   {"怎么卖", "#price"}, {"几块钱", "#price"}, {"多少块", "#price"},
    {"什么价", "#price"}, {"有库存", "#stock"}, {"库存", "#stock"},   {"有货", "#stock"},
    {"现货", "#stock"},   {"卖完", "#stock"},   {"没货", "#stock"},   {"缺货", "#stock"},
    {"断货", "#stock"},   {"你好", "#greet"},   {"您好", "#greet"},   {"哈喽", "#greet"},
    {"在吗", "#greet"},   {"谢谢", "#thanks"},  {"多谢", "#thanks"},  {"感谢", "#thanks"},
};

#define FAQ_N(a) (sizeof(a) / sizeof((a)[0]))

/* ---- characters -------------------------------------------------------- */

static uint32_t faq_text_decode(const unsigned char *s, size_t n, size_t *len)
{
    uint32_t c = s[0];
    int k = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    if ((size_t)k > n)
        k = 1;
    if (k == 2)
        c &= 0x1F;
    else if (k == 3)
        c &= 0x0F;
    else if (k == 4)
        c &= 0x07;
    for (int i = 1; i < k; i++)
        c = (c << 6) | (s[i] & 0x3F);
    *len = (size_t)k;
    return c;
}

static int faq_is_han(uint32_t c)
{
    return (c >= 0x3400 && c <= 0x9FFF) || (c >= 0xF900 && c <= 0xFAFF) ||
           (c >= 0x20000 && c <= 0x2FFFF);
}

/* Letters and digits outside Han join into words; punctuation, symbols and
 * spaces split them. */
static int faq_is_letter(uint32_t c)
{
    if (c < 0x80)
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '\'';
    if (c == 0x2019) /* right single quote as an apostrophe */
        return 1;
    if ((c >= 0x2000 && c <= 0x206F) || (c >= 0x3000 && c <= 0x303F) ||
        (c >= 0xFF00 && c <= 0xFF20) || (c >= 0xFF3B && c <= 0xFF40) ||
        (c >= 0xFF5B && c <= 0xFF65) || c >= 0x1F000 || (c >= 0x2190 && c <= 0x2BFF))
        return 0;
    return c >= 0xC0 && c != 0xD7 && c != 0xF7;
}

faq_lang faq_text_lang(const char *text)
{
    const unsigned char *s = (const unsigned char *)text;
    size_t n = strlen(text);
    for (size_t i = 0; i < n;) {
        size_t k;
        uint32_t c = faq_text_decode(s + i, n - i, &k);
        if (faq_is_han(c))
            return FAQ_LANG_ZH;
        i += k;
    }
    return FAQ_LANG_EN;
}

int faq_lang_parse(const char *s, size_t n)
{
    if (n == 2 && (s[0] | 32) == 'e' && (s[1] | 32) == 'n')
        return FAQ_LANG_EN;
    if (n == 2 && (s[0] | 32) == 'z' && (s[1] | 32) == 'h')
        return FAQ_LANG_ZH;
    return -1;
}

const char *faq_lang_name(faq_lang l)
{
    return l == FAQ_LANG_ZH ? "zh" : "en";
}

/* ---- terms ------------------------------------------------------------- */

typedef struct faq_terms_out {
    faq_term *t;
    int n, cap;
} faq_terms_out;

static void faq_emit(faq_terms_out *o, const char *s, size_t n, faq_term_kind kind)
{
    if (n == 0 || n >= FAQ_TERM_BYTES || o->n >= o->cap)
        return;
    for (int i = 0; i < o->n; i++)
        if (strncmp(o->t[i].s, s, n) == 0 && o->t[i].s[n] == 0)
            return;
    memcpy(o->t[o->n].s, s, n);
    o->t[o->n].s[n] = 0;
    o->t[o->n].kind = kind;
    o->n++;
}

static void faq_emit_cue(faq_terms_out *o, const char *cue)
{
    if (!*cue)
        return;
    int social = strcmp(cue, "#greet") == 0 || strcmp(cue, "#thanks") == 0;
    faq_emit(o, cue, strlen(cue),
             cue[0] == '#' ? (social ? FAQ_TERM_SOCIAL : FAQ_TERM_CUE) : FAQ_TERM_WORD);
}

static int faq_is_stop_han(const char *s, size_t n)
{
    for (size_t i = 0; i < FAQ_N(faq_stop_zh); i++)
        if (strlen(faq_stop_zh[i]) == n && memcmp(faq_stop_zh[i], s, n) == 0)
            return 1;
    return 0;
}

/* Unigrams and bigrams of a run of Han characters (no cue inside). */
static void faq_han_segment(faq_terms_out *o, const char *s, size_t n)
{
    size_t prev = 0, prev_len = 0;
    int prev_ok = 0;
    for (size_t i = 0; i < n;) {
        size_t k;
        faq_text_decode((const unsigned char *)s + i, n - i, &k);
        int ok = !faq_is_stop_han(s + i, k);
        if (ok)
            faq_emit(o, s + i, k, FAQ_TERM_HAN1);
        if (ok && prev_ok)
            faq_emit(o, s + prev, prev_len + k, FAQ_TERM_HAN2);
        prev = i;
        prev_len = k;
        prev_ok = ok;
        i += k;
    }
}

static void faq_han_run(faq_terms_out *o, const char *s, size_t n)
{
    size_t seg = 0;
    for (size_t i = 0; i < n;) {
        const faq_syn *hit = NULL;
        size_t hit_len = 0;
        for (size_t j = 0; j < FAQ_N(faq_phrases_zh); j++) {
            size_t l = strlen(faq_phrases_zh[j].from);
            if (l > hit_len && l <= n - i && memcmp(s + i, faq_phrases_zh[j].from, l) == 0)
                hit = &faq_phrases_zh[j], hit_len = l;
        }
        if (hit) {
            faq_han_segment(o, s + seg, i - seg);
            faq_emit_cue(o, hit->to);
            i += hit_len;
            seg = i;
            continue;
        }
        size_t k;
        faq_text_decode((const unsigned char *)s + i, n - i, &k);
        i += k;
    }
    faq_han_segment(o, s + seg, n - seg);
}

static int faq_ends(const char *w, size_t n, const char *suf)
{
    size_t k = strlen(suf);
    return n >= k && memcmp(w + n - k, suf, k) == 0;
}

/* A light stemmer for English: plurals, -ing, -ed, a final e, a doubled
 * consonant ("shipping" -> "ship", "closed"/"close" -> "clos"). */
static size_t faq_stem(char *w, size_t n)
{
    while (n > 0 && w[n - 1] == '\'')
        n--;
    if (faq_ends(w, n, "'s"))
        n -= 2;
    int ascii = 1;
    for (size_t i = 0; i < n; i++)
        ascii &= (unsigned char)w[i] < 0x80 && !(w[i] >= '0' && w[i] <= '9');
    if (!ascii)
        return n;
    if (n > 4 && faq_ends(w, n, "ies")) {
        n -= 3;
        w[n++] = 'y';
    } else if (n > 4 && faq_ends(w, n, "sses")) {
        n -= 2;
    } else if (n > 3 && w[n - 1] == 's' && !faq_ends(w, n, "ss") && !faq_ends(w, n, "us") &&
               !faq_ends(w, n, "is")) {
        n -= 1;
    }
    if (n > 5 && faq_ends(w, n, "ing"))
        n -= 3;
    else if (n > 4 && faq_ends(w, n, "ed"))
        n -= 2;
    if (n > 3 && w[n - 1] == w[n - 2] && strchr("bdgmnprt", w[n - 1]))
        n--;
    if (n > 3 && w[n - 1] == 'e')
        n--;
    return n;
}

static int faq_is_stop_en(const char *w)
{
    for (size_t i = 0; i < FAQ_N(faq_stop_en); i++)
        if (strcmp(faq_stop_en[i], w) == 0)
            return 1;
    return 0;
}

static void faq_words(faq_terms_out *o, char (*w)[FAQ_TERM_BYTES], int nw, int keep_stop)
{
    for (int i = 0; i < nw; i++) {
        if (i + 1 < nw) {
            const faq_syn *hit = NULL;
            char two[2 * FAQ_TERM_BYTES + 2];
            snprintf(two, sizeof two, "%s %s", w[i], w[i + 1]);
            for (size_t j = 0; j < FAQ_N(faq_phrases_en); j++)
                if (strcmp(two, faq_phrases_en[j].from) == 0)
                    hit = &faq_phrases_en[j];
            if (hit) {
                faq_emit_cue(o, hit->to);
                i++;
                continue;
            }
        }
        const faq_syn *syn = NULL;
        for (size_t j = 0; j < FAQ_N(faq_words_en); j++)
            if (strcmp(w[i], faq_words_en[j].from) == 0)
                syn = &faq_words_en[j];
        if (syn) {
            faq_emit_cue(o, syn->to);
            continue;
        }
        if (!keep_stop && faq_is_stop_en(w[i]))
            continue;
        size_t n = faq_stem(w[i], strlen(w[i]));
        if (n > 0)
            faq_emit(o, w[i], n, FAQ_TERM_WORD);
    }
}

static int faq_text_terms_with(const char *text, faq_term *out, int cap, int keep_stop)
{
    faq_terms_out o = {out, 0, cap};
    enum { FAQ_MAX_WORDS_RUN = 128 };
    char words[FAQ_MAX_WORDS_RUN][FAQ_TERM_BYTES];
    int nw = 0;
    size_t wlen = 0;
    int in_word = 0;
    const unsigned char *s = (const unsigned char *)text;
    size_t len = strlen(text);
    for (size_t i = 0; i < len;) {
        size_t k;
        uint32_t c = faq_text_decode(s + i, len - i, &k);
        if (faq_is_han(c)) {
            /* a Han run ends the English words before it */
            if (in_word)
                words[nw - 1][wlen] = 0, in_word = 0;
            faq_words(&o, words, nw, keep_stop);
            nw = 0;
            size_t j = i;
            while (j < len) {
                size_t k2;
                if (!faq_is_han(faq_text_decode(s + j, len - j, &k2)))
                    break;
                j += k2;
            }
            faq_han_run(&o, text + i, j - i);
            i = j;
            continue;
        }
        if (faq_is_letter(c) && !(c == '\'' && !in_word)) {
            if (!in_word) {
                if (nw == FAQ_MAX_WORDS_RUN) {
                    faq_words(&o, words, nw, keep_stop);
                    nw = 0;
                }
                nw++;
                wlen = 0;
                in_word = 1;
            }
            if (c == 0x2019)
                c = '\'', k = 3;
            if (c < 0x80) {
                if (wlen + 1 < FAQ_TERM_BYTES)
                    words[nw - 1][wlen++] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
            } else if (wlen + k < FAQ_TERM_BYTES) {
                memcpy(words[nw - 1] + wlen, s + i, k);
                wlen += k;
            }
            i += k;
            continue;
        }
        if (in_word)
            words[nw - 1][wlen] = 0, in_word = 0;
        i += k;
    }
    if (in_word)
        words[nw - 1][wlen] = 0;
    faq_words(&o, words, nw, keep_stop);
    return o.n;
}

int faq_text_terms(const char *text, faq_term *out, int cap)
{
    int n = faq_text_terms_with(text, out, cap, 0);
    return n > 0 ? n : faq_text_terms_with(text, out, cap, 1);
}
