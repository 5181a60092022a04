/* SPDX-License-Identifier: Apache-2.0 */
/* speech.c: the cleaner and the cutter of speech.h. The cleaner works on
 * whitespace-separated tokens (a CJK character ends a token by itself), so it
 * holds back at most one unfinished Latin word, which the cutter would wait
 * for anyway; block markdown (fences, headings, lists, tables, rules) is
 * recognised at the start of each line. */
#include "llm/speech.h"

#include <stdlib.h>
#include <string.h>

#include "shuzi.h"

#define SPEECH_MAX_TOKEN 2048 /* a longer "word" is flushed as it is */

typedef enum { LINE_NORMAL, LINE_HEADING, LINE_ITEM, LINE_TABLE, LINE_DROP } speech_line_kind;

typedef struct speech_buf {
    char *p;
    size_t n, cap;
} speech_buf;

struct speech_stream {
    speech_params p;
    speech_segment_fn seg;
    void *seg_user;
    speech_buf raw;   /* text not yet cut into tokens */
    speech_buf clean; /* cleaned text waiting for a boundary */
    int pieces;       /* pieces handed out in this answer */
    int at_line_start;
    speech_line_kind line_kind;
    int line_has_text;
    int newlines; /* consecutive newlines seen */
    int in_fence;
    int in_think;
};

speech_params speech_default_params(void)
{
    speech_params p = {.first_min_chars = 8, .soft_max_chars = 120, .hard_max_bytes = 400};
    return p;
}

static int speech_buf_put(speech_buf *b, const char *s, size_t n)
{
    if (n == 0)
        return SZ_OK;
    if (b->n + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->n + n + 1)
            cap *= 2;
        char *np = realloc(b->p, cap);
        if (!np)
            return SZ_ERR_NO_MEMORY;
        b->p = np;
        b->cap = cap;
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = 0;
    return SZ_OK;
}

static void speech_buf_drop(speech_buf *b, size_t n)
{
    if (n == 0 || !b->p)
        return;
    memmove(b->p, b->p + n, b->n - n);
    b->n -= n;
    if (b->p)
        b->p[b->n] = 0;
}

/* ---- characters ------------------------------------------------------ */

/* Decodes one code point; invalid or cut sequences count as one byte. */
static unsigned speech_cp(const char *s, size_t n, size_t *len)
{
    const unsigned char *u = (const unsigned char *)s;
    unsigned c = u[0];
    size_t k = c < 0x80             ? 1
               : (c & 0xE0) == 0xC0 ? 2
               : (c & 0xF0) == 0xE0 ? 3
               : (c & 0xF8) == 0xF0 ? 4
                                    : 1;
    if (k > n) {
        *len = 1;
        return 0xFFFD;
    }
    if (k == 1) {
        *len = 1;
        return c < 0x80 ? c : 0xFFFD;
    }
    c &= k == 2 ? 0x1F : k == 3 ? 0x0F : 0x07;
    for (size_t i = 1; i < k; i++) {
        if ((u[i] & 0xC0) != 0x80) {
            *len = 1;
            return 0xFFFD;
        }
        c = (c << 6) | (u[i] & 0x3F);
    }
    /* overlong forms, surrogates and values past U+10FFFF are not UTF-8 */
    if ((k == 2 && c < 0x80) || (k == 3 && c < 0x800) || (k == 4 && c < 0x10000) || c > 0x10FFFF ||
        (c >= 0xD800 && c <= 0xDFFF)) {
        *len = 1;
        return 0xFFFD;
    }
    *len = k;
    return c;
}

/* Bytes at the end of s that start an unfinished UTF-8 sequence. */
static size_t speech_partial_tail(const char *s, size_t n)
{
    size_t back = 0;
    while (back < 4 && back < n && ((unsigned char)s[n - 1 - back] & 0xC0) == 0x80)
        back++;
    if (back == n || back >= 4)
        return 0;
    unsigned char lead = (unsigned char)s[n - 1 - back];
    size_t want = (lead & 0xE0) == 0xC0   ? 2
                  : (lead & 0xF0) == 0xE0 ? 3
                  : (lead & 0xF8) == 0xF0 ? 4
                                          : 1;
    return want > back + 1 ? back + 1 : 0;
}

static int speech_is_cjk(unsigned c)
{
    return (c >= 0x3400 && c <= 0x9FFF) || (c >= 0xF900 && c <= 0xFAFF) ||
           (c >= 0x3040 && c <= 0x30FF) || (c >= 0xAC00 && c <= 0xD7AF) ||
           (c >= 0x20000 && c <= 0x2FFFF);
}

/* CJK and full-width punctuation: ends a token like a CJK character. */
static int speech_is_cjk_punct(unsigned c)
{
    return (c >= 0x3000 && c <= 0x303F) || (c >= 0xFF00 && c <= 0xFF0F) ||
           (c >= 0xFF1A && c <= 0xFF20) || (c >= 0xFF3B && c <= 0xFF40) ||
           (c >= 0xFF5B && c <= 0xFF65);
}

/* Pictographs, dingbats, arrows, shapes, joiners and selectors: not spoken. */
static int speech_is_emoji(unsigned c)
{
    return (c >= 0x1F000 && c <= 0x1FAFF) || (c >= 0x2600 && c <= 0x27BF) ||
           (c >= 0x2B00 && c <= 0x2BFF) || (c >= 0x2300 && c <= 0x23FF) ||
           (c >= 0x2190 && c <= 0x21FF) || (c >= 0x25A0 && c <= 0x25FF) ||
           (c >= 0xFE00 && c <= 0xFE0F) || c == 0x200B || c == 0x200C || c == 0x200D ||
           c == 0x2060 || c == 0xFEFF || c == 0x20E3 || (c >= 0xE0000 && c <= 0xE007F) ||
           c == 0xFFFD;
}

static int speech_is_space(unsigned c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v' || c == 0xA0 ||
           c == 0x3000 || (c >= 0x2000 && c <= 0x200A);
}

/* ---- the cleaner ----------------------------------------------------- */

/* Punctuation that attaches to the word before it. */
static int speech_attaches(const char *t)
{
    return strchr(".,!?;:)%", t[0]) != NULL && t[0] != 0;
}

static int speech_out(speech_stream *s, const char *t, size_t n)
{
    if (n == 0)
        return SZ_OK;
    if (speech_attaches(t))
        while (s->clean.n > 0 && s->clean.p[s->clean.n - 1] == ' ')
            s->clean.p[--s->clean.n] = 0;
    s->line_has_text = 1;
    return speech_buf_put(&s->clean, t, n);
}

/* Whitespace in the answer: one space, so the cutter sees "end. " at once. */
static int speech_space(speech_stream *s)
{
    if (s->clean.n == 0 || s->clean.p[s->clean.n - 1] == ' ')
        return SZ_OK;
    return speech_buf_put(&s->clean, " ", 1);
}

/* The last character written is sentence or clause punctuation? */
static unsigned speech_last_cp(const speech_stream *s)
{
    size_t n = s->clean.n;
    while (n > 0 && s->clean.p[n - 1] == ' ')
        n--;
    if (n == 0)
        return 0;
    size_t start = n - 1;
    while (start > 0 && ((unsigned char)s->clean.p[start] & 0xC0) == 0x80)
        start--;
    size_t len;
    return speech_cp(s->clean.p + start, n - start, &len);
}

/* A heading, list item or table row ends like a sentence when spoken. */
static int speech_end_block(speech_stream *s)
{
    if (!s->line_has_text)
        return SZ_OK;
    while (s->clean.n > 0 &&
           (s->clean.p[s->clean.n - 1] == ' ' || s->clean.p[s->clean.n - 1] == ',')) {
        s->clean.n--;
        s->clean.p[s->clean.n] = 0;
    }
    unsigned last = speech_last_cp(s);
    if (last == 0 || strchr(".!?;:", (int)(last < 0x80 ? last : 1)) || last == 0x3002 ||
        last == 0xFF01 || last == 0xFF1F || last == 0xFF1B || last == 0x2026)
        return SZ_OK;
    int cjk = speech_is_cjk(last) || speech_is_cjk_punct(last);
    return speech_buf_put(&s->clean, cjk ? "\xE3\x80\x82" : ".", cjk ? 3 : 1);
}

static int speech_only_chars(const char *t, size_t n, const char *set)
{
    for (size_t i = 0; i < n; i++)
        if (!strchr(set, t[i]))
            return 0;
    return n > 0;
}

/* Cleans one token's characters into dst (at most n bytes). */
static size_t speech_clean_inline(speech_stream *s, const char *t, size_t n, char *dst)
{
    /* A markdown link "text](url)rest" keeps "text" and "rest". */
    for (size_t i = 0; i + 1 < n; i++) {
        if (t[i] == ']' && t[i + 1] == '(') {
            size_t k = speech_clean_inline(s, t, i, dst);
            const char *close = memchr(t + i, ')', n - i);
            if (close)
                k += speech_clean_inline(s, close + 1, n - (size_t)(close + 1 - t), dst + k);
            return k;
        }
    }
    size_t k = 0;
    /* Bare URLs are dropped, their trailing punctuation kept (it may end
     * the sentence). */
    int is_url = 0;
    for (size_t i = 0; i + 2 < n; i++)
        if (t[i] == ':' && t[i + 1] == '/' && t[i + 2] == '/')
            is_url = 1;
    size_t st = 0;
    while (st < n && (t[st] == '(' || t[st] == '<' || t[st] == '[' || t[st] == '*'))
        st++;
    if (n - st >= 4 && strncmp(t + st, "www.", 4) == 0)
        is_url = 1;
    if (is_url) {
        size_t j = n;
        while (j > 0 && strchr(".,!?;:)>", t[j - 1]))
            j--;
        for (size_t i = j; i < n; i++)
            if (t[i] != ')' && t[i] != '>')
                dst[k++] = t[i];
        return k;
    }
    size_t end = n;
    for (size_t i = 0; i < end;) {
        size_t len;
        unsigned c = speech_cp(t + i, end - i, &len);
        if (c == '<') { /* an HTML tag: <br>, </b>, <think>... */
            const char *gt = memchr(t + i, '>', end - i);
            if (gt && i + 1 < end &&
                ((t[i + 1] >= 'a' && t[i + 1] <= 'z') || (t[i + 1] >= 'A' && t[i + 1] <= 'Z') ||
                 t[i + 1] == '/')) {
                i = (size_t)(gt - t) + 1;
                continue;
            }
        }
        if (c == '\\' && i + 1 < end && strchr("\\`*_{}[]()#+-.!|~<>", t[i + 1])) {
            dst[k++] = t[i + 1]; /* a markdown escape: the character itself */
            i += 2;
            continue;
        }
        if (c == '*' || c == '`' || c == '[' || c == ']' || speech_is_emoji(c)) {
            i += len;
            continue;
        }
        if (c == '~' && i + 1 < end && t[i + 1] == '~') {
            i += 2;
            continue;
        }
        if (c == '_') { /* emphasis at the edges, a space inside snake_case */
            int inner = k > 0 && i + 1 < end && t[i + 1] != '_' && dst[k - 1] != ' ';
            if (inner)
                dst[k++] = ' ';
            i += len;
            continue;
        }
        if (c == '#' && k == 0) { /* a hashtag */
            i += len;
            continue;
        }
        if (c == '|') {
            if (s->line_kind == LINE_TABLE && k > 0)
                dst[k++] = ',';
            i += len;
            continue;
        }
        memcpy(dst + k, t + i, len);
        k += len;
        i += len;
    }
    return k;
}

/* Handles one complete token (no whitespace inside). */
static int speech_token(speech_stream *s, const char *t, size_t n)
{
    /* <think> ... </think>: a reasoning model's private notes. */
    for (;;) {
        if (s->in_think) {
            const char *close = memmem(t, n, "</think>", 8);
            if (!close)
                return SZ_OK;
            s->in_think = 0;
            n -= (size_t)(close - t) + 8;
            t = close + 8;
            if (n == 0)
                return SZ_OK;
            continue;
        }
        const char *open = memmem(t, n, "<think>", 7);
        if (!open)
            break;
        if (open > t) {
            int rc = speech_token(s, t, (size_t)(open - t));
            if (rc != SZ_OK)
                return rc;
        }
        s->in_think = 1;
        n -= (size_t)(open - t) + 7;
        t = open + 7;
    }
    if (s->at_line_start) {
        s->at_line_start = 0;
        if ((n >= 3 && (strncmp(t, "```", 3) == 0 || strncmp(t, "~~~", 3) == 0))) {
            s->in_fence = !s->in_fence;
            s->line_kind = LINE_DROP;
            return SZ_OK;
        }
        if (s->in_fence) {
            s->line_kind = LINE_DROP;
            return SZ_OK;
        }
        if (n <= 6 && speech_only_chars(t, n, "#")) {
            s->line_kind = LINE_HEADING;
            return SZ_OK;
        }
        if ((n == 1 && strchr("-*+", t[0])) ||
            (n == 2 && (unsigned char)t[0] == 0xC2 && (unsigned char)t[1] == 0xB7) ||
            (n == 3 && memcmp(t, "\xE2\x80\xA2", 3) == 0)) {
            s->line_kind = LINE_ITEM;
            s->at_line_start = 1; /* "- [ ] task": look at the next token too */
            return SZ_OK;
        }
        if (n >= 2 && n <= 4 && (t[n - 1] == '.' || t[n - 1] == ')') &&
            speech_only_chars(t, n - 1, "0123456789")) {
            s->line_kind = LINE_ITEM;
            return SZ_OK;
        }
        if (n >= 3 && speech_only_chars(t, n, "-*_")) {
            s->line_kind = LINE_DROP; /* a horizontal rule */
            return SZ_OK;
        }
        if (t[0] == '|') {
            if (speech_only_chars(t, n, "|-: ") && memchr(t, '-', n)) {
                s->line_kind = LINE_DROP; /* |---|:---:| */
                return SZ_OK;
            }
            s->line_kind = LINE_TABLE;
        }
        if (t[0] == '>') {
            while (n > 0 && t[0] == '>')
                t++, n--;
            s->at_line_start = n == 0;
            if (n == 0)
                return SZ_OK;
        }
        if (s->line_kind == LINE_ITEM && n == 3 && t[0] == '[' && t[2] == ']')
            return SZ_OK; /* a task box */
    }
    if (s->in_fence || s->line_kind == LINE_DROP)
        return SZ_OK;
    if (s->line_kind == LINE_TABLE && n == 1 && t[0] == '|') {
        if (!s->line_has_text)
            return SZ_OK;
        return speech_out(s, ",", 1); /* "Name | Price" -> "Name, Price" */
    }
    if (s->line_kind == LINE_TABLE && speech_only_chars(t, n, "|-:"))
        return SZ_OK; /* a separator row written with spaces: | --- | --- | */
    char stack[256];
    char *dst = n <= sizeof stack ? stack : malloc(n);
    if (!dst)
        return SZ_ERR_NO_MEMORY;
    size_t k = speech_clean_inline(s, t, n, dst);
    int rc = SZ_OK;
    if (k > 0 && !(s->line_kind == LINE_TABLE && k == 1 && dst[0] == ','))
        rc = speech_out(s, dst, k);
    if (dst != stack)
        free(dst);
    return rc;
}

static int speech_newline(speech_stream *s)
{
    int rc = SZ_OK;
    s->newlines++;
    if (s->line_kind == LINE_HEADING || s->line_kind == LINE_ITEM || s->line_kind == LINE_TABLE)
        rc = speech_end_block(s);
    else if (s->newlines >= 2 && !s->in_fence) /* a paragraph ends */
        rc = speech_end_block(s);
    if (s->line_has_text)
        s->newlines = 1;
    s->at_line_start = 1;
    s->line_kind = LINE_NORMAL;
    s->line_has_text = 0;
    return rc == SZ_OK ? speech_space(s) : rc;
}

/* An unfinished token that already ends a sentence ("course!", "sure?"),
 * and is not a web address. */
static int speech_ends_sentence(const char *t, size_t n)
{
    if (t[n - 1] != '!' && t[n - 1] != '?')
        return 0;
    for (size_t i = 0; i + 2 < n; i++)
        if (t[i] == ':' && t[i + 1] == '/' && t[i + 2] == '/')
            return 0;
    return !(n >= 4 && strncmp(t, "www.", 4) == 0) && !memchr(t, '[', n) && !memchr(t, '<', n);
}

/* Splits the raw buffer into tokens; keeps an unfinished last one unless final. */
static int speech_tokenize(speech_stream *s, int final)
{
    size_t n = s->raw.n;
    if (!final)
        n -= speech_partial_tail(s->raw.p, n);
    size_t i = 0, start = 0;
    int rc = SZ_OK;
    while (i < n && rc == SZ_OK) {
        size_t len;
        unsigned c = speech_cp(s->raw.p + i, n - i, &len);
        if (speech_is_space(c)) {
            if (i > start)
                rc = speech_token(s, s->raw.p + start, i - start);
            if (rc == SZ_OK) {
                if (c == '\n')
                    rc = speech_newline(s);
                else
                    rc = speech_space(s);
            }
            i += len;
            start = i;
        } else if (speech_is_cjk(c) || speech_is_cjk_punct(c)) {
            i += len;
            rc = speech_token(s, s->raw.p + start, i - start);
            start = i;
            s->newlines = 0;
        } else {
            i += len;
            s->newlines = 0;
            if (i - start >= SPEECH_MAX_TOKEN) {
                rc = speech_token(s, s->raw.p + start, i - start);
                start = i;
            }
        }
    }
    if (rc == SZ_OK && final && n > start) {
        rc = speech_token(s, s->raw.p + start, n - start);
        start = n;
    } else if (rc == SZ_OK && n > start && speech_ends_sentence(s->raw.p + start, n - start)) {
        /* "course!" need not wait for the next word: '!' and '?' are never
         * part of a number or an abbreviation */
        rc = speech_token(s, s->raw.p + start, n - start);
        start = n;
    }
    if (final && rc == SZ_OK &&
        (s->line_kind == LINE_HEADING || s->line_kind == LINE_ITEM || s->line_kind == LINE_TABLE))
        rc = speech_end_block(s);
    speech_buf_drop(&s->raw, final ? s->raw.n : start);
    return rc;
}

/* ---- the cutter ------------------------------------------------------ */

static const char *const speech_abbrev[] = {
    "mr",  "mrs",  "ms",  "dr",     "prof", "st",  "no",  "vs",  "etc", "inc", "ltd", "co",  "jr",
    "sr",  "mt",   "fig", "approx", "dept", "est", "jan", "feb", "mar", "apr", "jun", "jul", "aug",
    "sep", "sept", "oct", "nov",    "dec",  "ave", "rd",  "tel", "ext", "min", "max", "p",   "pp",
    "vol", "ch",   "sec", "e.g",    "i.e",  "a.m", "p.m", "u.s", "u.k", NULL};

/* Is the word ending at text[end) (before a '.') an abbreviation or initial? */
static int speech_is_abbrev(const char *text, size_t end)
{
    size_t b = end;
    while (b > 0 && text[b - 1] != ' ' && text[b - 1] != '(' && text[b - 1] != '"')
        b--;
    size_t n = end - b;
    if (n == 0)
        return 0;
    if (n == 1 && text[b] >= 'A' && text[b] <= 'Z')
        return 1; /* an initial: "J. Smith" */
    if (n > 8)
        return 0;
    char w[9];
    for (size_t i = 0; i < n; i++)
        w[i] = (char)(text[b + i] >= 'A' && text[b + i] <= 'Z' ? text[b + i] + 32 : text[b + i]);
    w[n] = 0;
    for (int i = 0; speech_abbrev[i]; i++)
        if (strcmp(w, speech_abbrev[i]) == 0)
            return 1;
    return 0;
}

static int speech_is_closer(unsigned c)
{
    return c == '"' || c == '\'' || c == ')' || c == ']' || c == 0x201D || c == 0x2019 ||
           c == 0x300D || c == 0x300F || c == 0xFF09 || c == 0x3011 || c == 0x300B;
}

size_t speech_default_segment(void *user, const char *text, size_t len, int final, int first)
{
    const speech_params *p = user;
    if (len == 0)
        return 0;
    int chars = 0;
    size_t last_space = 0;
    for (size_t i = 0; i < len;) {
        size_t l;
        unsigned c = speech_cp(text + i, len - i, &l);
        size_t after = i + l;
        if (!speech_is_space(c))
            chars++;
        else
            last_space = i;
        int sentence = 0, clause = 0, latin = 0;
        if (c == '.' || c == '!' || c == '?' || c == ';') {
            sentence = latin = 1;
            if (c == '.') {
                while (after < len && text[after] == '.')
                    after++; /* "..." */
                if (after == i + 1 && speech_is_abbrev(text, i))
                    sentence = 0;
            }
        } else if (c == ',' || c == ':') {
            clause = latin = 1;
        } else if (c == 0x3002 || c == 0xFF01 || c == 0xFF1F || c == 0xFF1B || c == 0x2026) {
            sentence = 1;
        } else if (c == 0xFF0C || c == 0x3001 || c == 0xFF1A) {
            clause = 1;
        }
        if (sentence || clause) {
            /* closing quotes and brackets stay with the piece */
            for (;;) {
                size_t l2;
                if (after >= len)
                    break;
                unsigned c2 = speech_cp(text + after, len - after, &l2);
                if (!speech_is_closer(c2))
                    break;
                after += l2;
            }
            int confirmed;
            if (after >= len)
                /* a Latin mark needs the next character, except ! and ? */
                confirmed = final || !latin || c == '!' || c == '?';
            else
                confirmed = latin ? speech_is_space(speech_cp(text + after, len - after, &l)) : 1;
            if (confirmed) {
                if (sentence && (chars >= 2 || !first))
                    return after;
                if (first && chars >= p->first_min_chars)
                    return after;
                if (!first && chars >= p->soft_max_chars)
                    return after;
            }
        }
        i += l;
        if ((int)i >= p->hard_max_bytes) {
            if (last_space > 0)
                return last_space;
            return i; /* CJK or one long word: cut on this character boundary */
        }
    }
    return final ? len : 0;
}

/* ---- the stream ------------------------------------------------------ */

int speech_stream_create(const speech_params *p, speech_stream **out)
{
    speech_stream *s = calloc(1, sizeof *s);
    if (!s)
        return SZ_ERR_NO_MEMORY;
    s->p = p ? *p : speech_default_params();
    if (s->p.first_min_chars < 1)
        s->p.first_min_chars = 1;
    if (s->p.soft_max_chars < s->p.first_min_chars)
        s->p.soft_max_chars = s->p.first_min_chars;
    if (s->p.hard_max_bytes < 64)
        s->p.hard_max_bytes = 64;
    speech_stream_reset(s);
    *out = s;
    return SZ_OK;
}

void speech_stream_free(speech_stream **s)
{
    if (!s || !*s)
        return;
    free((*s)->raw.p);
    free((*s)->clean.p);
    free(*s);
    *s = NULL;
}

void speech_stream_set_segmenter(speech_stream *s, speech_segment_fn fn, void *user)
{
    s->seg = fn ? fn : speech_default_segment;
    s->seg_user = fn ? user : &s->p;
}

void speech_stream_reset(speech_stream *s)
{
    if (!s->seg)
        speech_stream_set_segmenter(s, NULL, NULL);
    s->raw.n = 0;
    s->clean.n = 0;
    s->pieces = 0;
    s->at_line_start = 1;
    s->line_kind = LINE_NORMAL;
    s->line_has_text = 0;
    s->newlines = 0;
    s->in_fence = 0;
    s->in_think = 0;
}

size_t speech_stream_pending(const speech_stream *s)
{
    return s->clean.n + s->raw.n;
}

/* Does the piece hold anything to say (a letter or digit of any script)? */
static int speech_speakable(const char *t, size_t n)
{
    for (size_t i = 0; i < n;) {
        size_t l;
        unsigned c = speech_cp(t + i, n - i, &l);
        if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
            (c >= 0x80 && !speech_is_space(c) && !speech_is_cjk_punct(c) && !speech_is_emoji(c) &&
             !(c >= 0x2000 && c <= 0x206F)))
            return 1;
        i += l;
    }
    return 0;
}

static int speech_cut(speech_stream *s, int final, speech_piece_fn fn, void *user)
{
    for (;;) {
        size_t lead = 0;
        while (lead < s->clean.n && s->clean.p[lead] == ' ')
            lead++;
        if (lead)
            speech_buf_drop(&s->clean, lead);
        if (s->clean.n == 0)
            return SZ_OK;
        size_t cut = s->seg(s->seg_user, s->clean.p, s->clean.n, final, s->pieces == 0);
        if (cut == 0)
            return SZ_OK;
        if (cut > s->clean.n)
            cut = s->clean.n;
        size_t n = cut;
        while (n > 0 && s->clean.p[n - 1] == ' ')
            n--;
        int rc = 0;
        if (speech_speakable(s->clean.p, n)) {
            s->pieces++;
            rc = fn(user, s->clean.p, n);
        }
        speech_buf_drop(&s->clean, cut);
        if (rc)
            return rc;
    }
}

int speech_stream_push(speech_stream *s, const char *text, size_t len, speech_piece_fn fn,
                       void *user)
{
    int rc = speech_buf_put(&s->raw, text, len);
    if (rc == SZ_OK)
        rc = speech_tokenize(s, 0);
    if (rc != SZ_OK)
        return rc;
    return speech_cut(s, 0, fn, user);
}

int speech_stream_finish(speech_stream *s, speech_piece_fn fn, void *user)
{
    int rc = speech_tokenize(s, 1);
    if (rc != SZ_OK)
        return rc;
    rc = speech_cut(s, 1, fn, user);
    s->pieces = 0;
    return rc;
}

typedef struct speech_collect {
    char *out;
    size_t cap, n;
} speech_collect;

static int speech_collect_piece(void *user, const char *piece, size_t len)
{
    speech_collect *c = user;
    if (c->n > 0 && c->n + 1 < c->cap)
        c->out[c->n++] = ' ';
    size_t take = c->n + len < c->cap ? len : (c->cap > c->n ? c->cap - c->n - 1 : 0);
    while (take > 0 && take < len && ((unsigned char)piece[take] & 0xC0) == 0x80)
        take--; /* never cut inside a character */
    memcpy(c->out + c->n, piece, take);
    c->n += take;
    c->out[c->n] = 0;
    return 0;
}

size_t speech_clean_text(const char *in, size_t len, char *out, size_t cap)
{
    if (cap == 0)
        return 0;
    out[0] = 0;
    speech_stream *s = NULL;
    speech_params p = speech_default_params();
    if (speech_stream_create(&p, &s) != SZ_OK)
        return 0;
    speech_collect c = {out, cap, 0};
    if (speech_stream_push(s, in, len, speech_collect_piece, &c) == SZ_OK)
        speech_stream_finish(s, speech_collect_piece, &c);
    speech_stream_free(&s);
    return c.n;
}
