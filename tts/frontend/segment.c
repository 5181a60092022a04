/* SPDX-License-Identifier: Apache-2.0 */
/* segment.c: cuts raw text into sentences and clauses as it streams in, so
 * speech can start after the first clause. A cut is only reported when the
 * text that may still come cannot change it ("3." may become "3.5"). */
#include <string.h>

#include "tts/frontend/fe_internal.h"

static int seg_is_terminal(uint32_t cp)
{
    return cp == '.' || cp == '!' || cp == '?' || cp == 0x3002 || cp == 0xFF01 || cp == 0xFF1F ||
           cp == 0x2026 || cp == 0x203C || cp == 0x2047 || cp == 0x2048 || cp == 0x2049 ||
           cp == 0xFF61 || cp == 0x61F || cp == 0x6D4 || cp == 0x964 || cp == 0x965;
}

static int seg_is_closer(uint32_t cp)
{
    return cp == '"' || cp == '\'' || cp == ')' || cp == ']' || cp == '}' || cp == 0x201D ||
           cp == 0x2019 || cp == 0x300D || cp == 0x300F || cp == 0x300B || cp == 0x3009 ||
           cp == 0x3011 || cp == 0x3015 || cp == 0xFF09 || cp == 0xBB || cp == 0x203A ||
           cp == 0xFF63;
}

static int seg_is_clause(uint32_t cp)
{
    return cp == ',' || cp == ';' || cp == ':' || cp == 0xFF0C || cp == 0xFF1B || cp == 0xFF1A ||
           cp == 0x3001 || cp == 0x2014 || cp == 0x2013 || cp == 0x2015 || cp == 0xFF64 ||
           cp == 0x60C || cp == 0x61B;
}

static int seg_ascii_alnum(uint32_t cp)
{
    return (cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z');
}

static int seg_is_space(uint32_t cp)
{
    fe_cc c = fe_class(cp);
    return c == FE_CC_SPACE || c == FE_CC_IGNORE;
}

/* The ASCII token (letters and dots) that ends just before the '.' at i. */
static size_t seg_token_before(const char *s, size_t i, size_t *start)
{
    size_t a = i;
    while (a > 0 && (((unsigned char)s[a - 1] < 0x80 && seg_ascii_alnum((uint32_t)s[a - 1])) ||
                     s[a - 1] == '.'))
        a--;
    while (a < i && s[a] == '.')
        a++;
    *start = a;
    return i - a;
}

/* "U.S", "J", "e.g": single letters joined by dots. */
static int seg_is_initials(const char *w, size_t n)
{
    if (n == 0)
        return 0;
    for (size_t k = 0; k < n; k++) {
        int letter = (w[k] >= 'a' && w[k] <= 'z') || (w[k] >= 'A' && w[k] <= 'Z');
        if (k % 2 == 0 ? !letter : w[k] != '.')
            return 0;
    }
    return n % 2 == 1;
}

static int seg_has_letters_only(const char *w, size_t n)
{
    for (size_t k = 0; k < n; k++)
        if (!((w[k] >= 'a' && w[k] <= 'z') || (w[k] >= 'A' && w[k] <= 'Z')))
            return 0;
    return n > 0;
}

/* After a sentence-looking '.', where does the next word start and what is
 * it? Returns 0 if the text ends first. */
static uint32_t seg_next_word(const char *s, size_t len, size_t i, int *newlines)
{
    *newlines = 0;
    while (i < len) {
        size_t n;
        uint32_t cp = fe_next(s, len, i, &n);
        fe_cc c = fe_class(cp);
        if (c == FE_CC_NEWLINE)
            (*newlines)++;
        else if (!seg_is_space(cp) && !(c == FE_CC_PUNCT && (cp == '"' || cp == '(' ||
                                                            cp == 0x201C || cp == 0x2018)))
            return cp;
        i += n;
    }
    return 0;
}

static int seg_upper_or_other(uint32_t cp)
{
    if (cp >= 'a' && cp <= 'z')
        return 0;
    fe_cc c = fe_class(cp);
    if (c == FE_CC_LATIN && cp >= 0xC0) {
        /* accented letters: lower case in Latin-1 and the extended blocks
         * alternate; treat the Latin-1 lower range as lower case */
        return !(cp >= 0xDF && cp <= 0xFF);
    }
    return 1;
}

/* Decides whether a lone '.' at i (the token before it known) ends a
 * sentence. Returns 1 yes, 0 no, -1 need more text. */
static int seg_period_ends(const char *s, size_t len, size_t i, size_t after, int final)
{
    size_t start;
    size_t tn = seg_token_before(s, i, &start);
    const char *tok = s + start;
    int newlines;
    uint32_t next = seg_next_word(s, len, after, &newlines);
    if (!next && !final)
        return -1;
    if (!next || newlines)
        return 1;
    const fe_abbr *ab = tn ? fe_en_abbrev(tok, tn) : NULL;
    if (ab) {
        if (ab->kind == FE_ABBR_TITLE || ab->kind == FE_ABBR_NUMBER || ab->kind == FE_ABBR_INNER)
            return 0;
        if (next >= '0' && next <= '9')
            return 0; /* Jan. 5 */
        return seg_upper_or_other(next);
    }
    if (seg_is_initials(tok, tn) && tn >= 1)
        return 0; /* J. Smith, U.S. Army */
    if (!seg_upper_or_other(next) && tn > 0 && tn <= 4 && seg_has_letters_only(tok, tn))
        return 0; /* a short word then lower case: an abbreviation we do not know */
    return 1;
}

size_t fe_segment_next(const char *s, size_t len, int final, int clauses, fe_cut_kind *kind)
{
    fe_cut_kind k_dummy;
    if (!kind)
        kind = &k_dummy;
    *kind = FE_CUT_NONE;
    int content = 0;
    size_t i = 0;
    while (i < len) {
        size_t n;
        uint32_t cp = fe_next(s, len, i, &n);
        fe_cc c = fe_class(cp);
        if (c == FE_CC_NEWLINE) {
            if (!content) {
                i += n;
                continue;
            }
            size_t j = i;
            int lines = 0;
            while (j < len) {
                size_t m;
                uint32_t d = fe_next(s, len, j, &m);
                if (fe_class(d) == FE_CC_NEWLINE) {
                    if (d == '\r' && j + 1 < len && s[j + 1] == '\n')
                        m = 2;
                    lines++;
                } else if (!seg_is_space(d)) {
                    break;
                }
                j += m;
            }
            if (j >= len && !final && lines < 2)
                return 0; /* a blank line may follow */
            *kind = lines >= 2 ? FE_CUT_PARAGRAPH : FE_CUT_SENTENCE;
            return j;
        }
        if (seg_is_terminal(cp) && content) {
            /* the run of terminal marks, then closing quotes and brackets */
            size_t j = i;
            int periods = 0, others = 0, ellipsis = 0;
            while (j < len) {
                size_t m;
                uint32_t d = fe_next(s, len, j, &m);
                if (!seg_is_terminal(d))
                    break;
                if (d == '.')
                    periods++;
                else if (d == 0x2026)
                    ellipsis++;
                else
                    others++;
                j += m;
            }
            size_t run_end = j;
            while (j < len) {
                size_t m;
                uint32_t d = fe_next(s, len, j, &m);
                if (!seg_is_closer(d))
                    break;
                j += m;
            }
            if (j >= len && !final)
                return 0;
            size_t m;
            uint32_t after = fe_next(s, len, run_end, &m);
            int ascii_run = cp < 0x80;
            if (ascii_run && run_end == j && seg_ascii_alnum(after)) {
                /* 3.5, example.com, ?id=5: inside a token */
                i = run_end;
                continue;
            }
            int newlines;
            uint32_t next = seg_next_word(s, len, j, &newlines);
            if (periods + ellipsis >= 2 || ellipsis) {
                /* an ellipsis: a sentence ends if a capital, a line break
                 * or the end follows; otherwise the speaker only pauses */
                if (!next && !final)
                    return 0;
                int sentence = !next || newlines || others > 0 ||
                               (fe_class(next) == FE_CC_LATIN && seg_upper_or_other(next));
                if (sentence) {
                    *kind = newlines >= 2 ? FE_CUT_PARAGRAPH : FE_CUT_SENTENCE;
                    return j;
                }
                if (clauses) {
                    *kind = FE_CUT_CLAUSE;
                    return j;
                }
                i = j;
                continue;
            }
            if (periods == 1 && others == 0) {
                int ends = seg_period_ends(s, len, i, j, final);
                if (ends < 0)
                    return 0;
                if (!ends) {
                    i = j;
                    continue;
                }
            }
            *kind = newlines >= 2 ? FE_CUT_PARAGRAPH : FE_CUT_SENTENCE;
            return j;
        }
        if (clauses && content && seg_is_clause(cp)) {
            size_t j = i + n;
            size_t m;
            uint32_t after = fe_next(s, len, j, &m);
            uint32_t before = fe_prev(s, i, NULL);
            if (cp == ',' || cp == ':') {
                if (j >= len && !final && before >= '0' && before <= '9')
                    return 0; /* 1, may become 1,299 */
                if (before >= '0' && before <= '9' && after >= '0' && after <= '9') {
                    i = j;
                    continue; /* 1,299 and 10:30 */
                }
                if (cp == ':' && after && !seg_is_space(after) && fe_class(after) != FE_CC_HAN &&
                    fe_class(after) != FE_CC_NEWLINE) {
                    i = j;
                    continue; /* http://, a:b */
                }
            }
            if ((cp == 0x2013 || cp == 0x2014) && before >= '0' && before <= '9' && after >= '0' &&
                after <= '9') {
                i = j;
                continue; /* 5–10: a range */
            }
            if (cp == ':' && j >= len && !final)
                return 0; /* may become "http://" */
            while (j < len) {
                uint32_t d = fe_next(s, len, j, &m);
                if (!seg_is_closer(d) && !(seg_is_clause(d) && d == cp))
                    break;
                j += m;
            }
            *kind = FE_CUT_CLAUSE;
            return j;
        }
        if (clauses && content && cp == '-' && i > 0 && seg_is_space(fe_prev(s, i, NULL))) {
            size_t m;
            uint32_t after = fe_next(s, len, i + n, &m);
            if (!after && !final)
                return 0;
            if (after && seg_is_space(after)) {
                *kind = FE_CUT_CLAUSE;
                return i + n; /* a spaced dash */
            }
        }
        if (c != FE_CC_SPACE && c != FE_CC_IGNORE && c != FE_CC_DROP)
            content = 1;
        i += n;
    }
    if (final && content) {
        *kind = FE_CUT_SENTENCE;
        return len;
    }
    return 0;
}
