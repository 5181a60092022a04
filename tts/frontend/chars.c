/* SPDX-License-Identifier: Apache-2.0 */
/* chars.c: characters as the frontend sees them: UTF-8 decoding with
 * folding (fullwidth forms, odd spaces, minus signs), script and symbol
 * classes, and a small growable string. */
#include <stdlib.h>
#include <string.h>

#include "tts/frontend/fe_internal.h"

static uint32_t chars_fold(uint32_t cp)
{
    if (cp >= 0xFF01 && cp <= 0xFF5E) {
        /* Fullwidth ASCII: letters, digits and symbols fold; the CJK
         * punctuation marks among them stay what they are. */
        switch (cp) {
        case 0xFF01: case 0xFF0C: case 0xFF1A: case 0xFF1B: case 0xFF1F: case 0xFF08:
        case 0xFF09:
            return cp;
        default:
            return cp - 0xFEE0;
        }
    }
    switch (cp) {
    case 0xFFE5: return 0xA5; /* ￥ */
    case 0xFFE0: return 0xA2;
    case 0xFFE1: return 0xA3;
    case 0x3000: case 0x00A0: case 0x202F: case 0x205F: case 0x1680: return ' ';
    case 0x2212: case 0x2010: case 0x2011: return '-';
    case 0x2019: case 0x02BC: return '\'';
    case 0x2024: return '.';
    default: break;
    }
    if (cp >= 0x2000 && cp <= 0x200A)
        return ' ';
    return cp;
}

uint32_t fe_next(const char *str, size_t len, size_t i, size_t *n)
{
    const unsigned char *s = (const unsigned char *)str;
    if (i >= len) {
        *n = 0;
        return 0;
    }
    unsigned c = s[i];
    if (c < 0x80) {
        *n = 1;
        return c;
    }
    size_t k;
    uint32_t cp;
    if ((c & 0xE0) == 0xC0) {
        k = 1;
        cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
        k = 2;
        cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
        k = 3;
        cp = c & 0x07;
    } else {
        *n = 1;
        return 0xFFFD;
    }
    if (i + k >= len) {
        *n = 1;
        return 0xFFFD;
    }
    for (size_t j = 1; j <= k; j++) {
        if ((s[i + j] & 0xC0) != 0x80) {
            *n = 1;
            return 0xFFFD;
        }
        cp = (cp << 6) | (s[i + j] & 0x3F);
    }
    *n = k + 1;
    return chars_fold(cp);
}

uint32_t fe_prev(const char *s, size_t i, size_t *start)
{
    if (i == 0) {
        if (start)
            *start = 0;
        return 0;
    }
    size_t j = i - 1;
    while (j > 0 && ((unsigned char)s[j] & 0xC0) == 0x80 && i - j < 4)
        j--;
    size_t n;
    uint32_t cp = fe_next(s, i, j, &n);
    if (start)
        *start = j;
    return cp;
}

int fe_is_cjk_punct(uint32_t cp)
{
    return (cp >= 0x3001 && cp <= 0x303F && cp != 0x3005 && cp != 0x3007) ||
           (cp >= 0xFE10 && cp <= 0xFE6F) || cp == 0xFF01 || cp == 0xFF0C || cp == 0xFF1A ||
           cp == 0xFF1B || cp == 0xFF1F || cp == 0xFF08 || cp == 0xFF09 ||
           (cp >= 0xFF61 && cp <= 0xFF65);
}

fe_cc fe_class(uint32_t cp)
{
    if (cp == '\n' || cp == '\r' || cp == 0x2028 || cp == 0x2029 || cp == 0x85)
        return FE_CC_NEWLINE;
    if (cp == ' ' || cp == '\t' || cp == '\v' || cp == '\f')
        return FE_CC_SPACE;
    if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0))
        return FE_CC_DROP;
    if (cp < 0x80) {
        if (cp >= '0' && cp <= '9')
            return FE_CC_DIGIT;
        if ((cp >= 'A' && cp <= 'Z') || (cp >= 'a' && cp <= 'z'))
            return FE_CC_LATIN;
        if (strchr(".,;:!?'\"()[]{}-", (int)cp))
            return FE_CC_PUNCT;
        return FE_CC_SYMBOL; /* # $ % & * + / < = > @ \ ^ _ ` | ~ */
    }
    if (cp < 0x100) {
        if (cp == 0xD7 || cp == 0xF7)
            return FE_CC_SYMBOL;
        if (cp >= 0xC0)
            return FE_CC_LATIN;
        if (cp == 0xAB || cp == 0xBB || cp == 0xA1 || cp == 0xBF)
            return FE_CC_PUNCT; /* « » ¡ ¿ */
        if (cp == 0xAD)
            return FE_CC_IGNORE; /* soft hyphen */
        if (cp == 0xAA || cp == 0xBA)
            return FE_CC_LATIN;
        return FE_CC_SYMBOL;
    }
    if (cp <= 0x24F || (cp >= 0x1E00 && cp <= 0x1EFF) || (cp >= 0x250 && cp <= 0x2AF) ||
        (cp >= 0x2C60 && cp <= 0x2C7F) || (cp >= 0xA720 && cp <= 0xA7FF) ||
        (cp >= 0xFB00 && cp <= 0xFB06))
        return FE_CC_LATIN;
    if (cp >= 0x2B0 && cp <= 0x2FF)
        return FE_CC_MARK; /* modifier letters: stay with the letter before */
    if ((cp >= 0x300 && cp <= 0x36F) || (cp >= 0x1AB0 && cp <= 0x1AFF) ||
        (cp >= 0x1DC0 && cp <= 0x1DFF) || (cp >= 0x20D0 && cp <= 0x20FF) ||
        (cp >= 0xFE20 && cp <= 0xFE2F))
        return FE_CC_MARK;
    if (cp >= 0x370 && cp <= 0x3FF)
        return cp == 0x37E || cp == 0x387 ? FE_CC_PUNCT : FE_CC_GREEK;
    if (cp >= 0x1F00 && cp <= 0x1FFF)
        return FE_CC_GREEK;
    if (cp >= 0x400 && cp <= 0x52F)
        return FE_CC_CYRILLIC;
    if (cp >= 0x591 && cp <= 0x5F4)
        return cp >= 0x5D0 ? FE_CC_HEBREW : FE_CC_MARK;
    if ((cp >= 0x600 && cp <= 0x6FF) || (cp >= 0x750 && cp <= 0x77F) ||
        (cp >= 0xFB50 && cp <= 0xFDFF) || (cp >= 0xFE70 && cp <= 0xFEFF)) {
        if (cp == 0x60C || cp == 0x61B || cp == 0x61F || cp == 0x6D4)
            return FE_CC_PUNCT;
        if (cp >= 0x64B && cp <= 0x65F)
            return FE_CC_MARK;
        if (cp == 0xFEFF)
            return FE_CC_IGNORE;
        return FE_CC_ARABIC;
    }
    if (cp >= 0x900 && cp <= 0x97F)
        return FE_CC_DEVANAGARI;
    if (cp >= 0xE00 && cp <= 0xE7F)
        return FE_CC_THAI;
    if ((cp >= 0x1100 && cp <= 0x11FF) || (cp >= 0x3130 && cp <= 0x318F) ||
        (cp >= 0xAC00 && cp <= 0xD7AF))
        return FE_CC_HANGUL;
    if ((cp >= 0x3040 && cp <= 0x30FF && cp != 0x30FB) || (cp >= 0x31F0 && cp <= 0x31FF) ||
        (cp >= 0xFF66 && cp <= 0xFF9F))
        return FE_CC_KANA;
    if ((cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) ||
        (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x20000 && cp <= 0x3134F) || cp == 0x3007 ||
        cp == 0x3005)
        return FE_CC_HAN;
    if (fe_is_cjk_punct(cp) || cp == 0x30FB)
        return FE_CC_PUNCT;
    if (cp >= 0x200B && cp <= 0x200F)
        return FE_CC_IGNORE;
    if ((cp >= 0x2010 && cp <= 0x2027) || (cp >= 0x2030 && cp <= 0x205E)) {
        if (cp == 0x2030 || cp == 0x2031 || cp == 0x2032 || cp == 0x2033)
            return FE_CC_SYMBOL; /* ‰ ‱ ′ ″ */
        if (cp == 0x2020 || cp == 0x2021 || cp == 0x2022 || cp == 0x2023 || cp == 0x2043)
            return FE_CC_DROP; /* daggers, bullets */
        return FE_CC_PUNCT;
    }
    if (cp >= 0x2060 && cp <= 0x206F)
        return FE_CC_IGNORE;
    if (cp >= 0xFE00 && cp <= 0xFE0F)
        return FE_CC_IGNORE; /* variation selectors */
    if (cp >= 0xE0100 && cp <= 0xE01EF)
        return FE_CC_IGNORE;
    if ((cp >= 0x20A0 && cp <= 0x20CF) || (cp >= 0x2100 && cp <= 0x218F))
        return FE_CC_SYMBOL; /* currency signs, ℃ № ™, number forms ½ ⅓ */
    if (cp >= 0x2200 && cp <= 0x22FF)
        return FE_CC_SYMBOL; /* maths: named when known, else dropped */
    if (cp >= 0x3200 && cp <= 0x33FF)
        return FE_CC_SYMBOL; /* ㎡ ㎏ ... */
    /* Emoji, pictographs, arrows, dingbats, box drawing, private use,
     * tags, unassigned: never read. */
    return FE_CC_DROP;
}

int fe_is_letter_class(fe_cc c)
{
    return c == FE_CC_LATIN || c == FE_CC_HAN || c == FE_CC_KANA || c == FE_CC_HANGUL ||
           c == FE_CC_CYRILLIC || c == FE_CC_GREEK || c == FE_CC_ARABIC || c == FE_CC_HEBREW ||
           c == FE_CC_THAI || c == FE_CC_DEVANAGARI;
}

size_t fe_put_utf8(char *d, uint32_t cp)
{
    if (cp < 0x80) {
        d[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        d[0] = (char)(0xC0 | (cp >> 6));
        d[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        d[0] = (char)(0xE0 | (cp >> 12));
        d[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        d[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    d[0] = (char)(0xF0 | (cp >> 18));
    d[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    d[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    d[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* ---- fe_buf ------------------------------------------------------------- */

void fe_buf_add(fe_buf *b, const char *s, size_t n)
{
    if (b->oom)
        return;
    if (b->n + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 64;
        while (cap < b->n + n + 1)
            cap *= 2;
        char *p = realloc(b->p, cap);
        if (!p) {
            b->oom = 1;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = 0;
}

void fe_buf_str(fe_buf *b, const char *s) { fe_buf_add(b, s, strlen(s)); }

void fe_buf_cp(fe_buf *b, uint32_t cp)
{
    char tmp[4];
    fe_buf_add(b, tmp, fe_put_utf8(tmp, cp));
}

void fe_buf_free(fe_buf *b)
{
    free(b->p);
    memset(b, 0, sizeof *b);
}

uint32_t fe_buf_last(const fe_buf *b)
{
    if (!b->n)
        return 0;
    return fe_prev(b->p, b->n, NULL);
}

/* Chinese and Japanese text and their punctuation need no spaces; a space
 * goes between two words of spaced scripts and at a change of script. */
int fe_join_space(uint32_t a, uint32_t b)
{
    if (!a || !b)
        return 0;
    fe_cc ca = fe_class(a), cb = fe_class(b);
    if (cb == FE_CC_PUNCT && b != '(' && b != '[' && b != 0x300C && b != 0x300E)
        return 0; /* punctuation sticks to the word before */
    int cjk_a = ca == FE_CC_HAN || ca == FE_CC_KANA || fe_is_cjk_punct(a);
    int cjk_b = cb == FE_CC_HAN || cb == FE_CC_KANA;
    if (cjk_a && cjk_b)
        return 0;
    return 1;
}
