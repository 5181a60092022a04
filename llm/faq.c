/* SPDX-License-Identifier: Apache-2.0 */
/* faq.c: the scripted FAQ backend: questions matched against word patterns
 * from a file (format in llm.h), answers streamed word by word through the
 * same sink as an LLM's, so nothing external is needed to run. */
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/file.h"
#include "core/utf8.h"
#include "llm/llm.h"

#define FAQ_MAX_FILE (1u << 20)
#define FAQ_MAX_LINE 4096
#define FAQ_MAX_ENTRIES 10000
#define FAQ_MAX_WORDS 64   /* per pattern */
#define FAQ_MAX_QWORDS 512 /* words of a question looked at */
#define FAQ_WILD ((char *)1)

typedef struct faq_pattern {
    char **words; /* FAQ_WILD for '*' */
    int n_words;
    int n_literal;
} faq_pattern;

typedef struct faq_entry {
    faq_pattern *pats;
    int n_pats;
    char *answer;
} faq_entry;

typedef struct faq {
    faq_entry *entries;
    size_t n, cap;
    char *fallback;
    atomic_int cancel;
} faq;

/* ---- words ----------------------------------------------------------- */

static uint32_t faq_decode(const unsigned char *s, size_t n, size_t *len)
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

/* Ideographs, kana and hangul: each character is a word. */
static int faq_is_cjk(uint32_t c)
{
    return (c >= 0x3400 && c <= 0x9FFF) || (c >= 0xF900 && c <= 0xFAFF) ||
           (c >= 0x3040 && c <= 0x30FF) || (c >= 0xAC00 && c <= 0xD7AF) ||
           (c >= 0x20000 && c <= 0x2FFFF);
}

/* Letters and digits of any script other than CJK join into words. */
static int faq_is_word_char(uint32_t c)
{
    if (c < 0x80)
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '\'';
    if (c >= 0x2000 && c <= 0x206F) /* general punctuation */
        return 0;
    if (c >= 0x3000 && c <= 0x303F) /* CJK punctuation */
        return 0;
    if (c >= 0xFF00 && c <= 0xFF0F)
        return 0;
    if ((c >= 0xFF1A && c <= 0xFF20) || (c >= 0xFF3B && c <= 0xFF40) || c >= 0xFF5B)
        return c >= 0xFF66 && c < 0xFFF0; /* halfwidth kana are letters */
    if (c >= 0x1F000)                     /* emoji and symbols */
        return 0;
    if (c >= 0x2190 && c <= 0x2BFF) /* arrows, shapes, dingbats */
        return 0;
    return c != 0xA0 && c != 0xA7 && c != 0xB6 && c != 0xAB && c != 0xBB && c != 0xBF && c != 0xA1;
}

typedef struct faq_words {
    char *buf; /* the words, NUL-separated */
    char **w;
    int n;
} faq_words;

/* Splits text into lowercase words (wild: '*' becomes its own word). */
static int faq_split(const char *text, int wild, int max_words, faq_words *out)
{
    size_t len = strlen(text);
    memset(out, 0, sizeof *out);
    out->buf = malloc(len * 2 + 2);
    out->w = malloc((size_t)(max_words > 0 ? max_words : 1) * sizeof *out->w);
    if (!out->buf || !out->w) {
        free(out->buf);
        free(out->w);
        return SZ_ERR_NO_MEMORY;
    }
    char *dst = out->buf;
    int in_word = 0;
    const unsigned char *s = (const unsigned char *)text;
    size_t i = 0;
    while (i < len && out->n < max_words) {
        size_t k;
        uint32_t c = faq_decode(s + i, len - i, &k);
        if (wild && c == '*') {
            if (in_word)
                *dst++ = 0;
            in_word = 0;
            out->w[out->n++] = FAQ_WILD;
        } else if (faq_is_cjk(c)) {
            if (in_word)
                *dst++ = 0;
            in_word = 0;
            out->w[out->n++] = dst;
            memcpy(dst, s + i, k);
            dst += k;
            *dst++ = 0;
        } else if (faq_is_word_char(c) && !(c == '\'' && !in_word)) {
            if (!in_word) {
                if (out->n >= max_words)
                    break;
                out->w[out->n++] = dst;
                in_word = 1;
            }
            if (c < 0x80)
                *dst++ = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
            else
                memcpy(dst, s + i, k), dst += k;
        } else if (in_word) {
            *dst++ = 0;
            in_word = 0;
        }
        i += k;
    }
    if (in_word)
        *dst++ = 0;
    /* a trailing apostrophe is not part of a word ("students'") */
    for (int j = 0; j < out->n; j++) {
        if (out->w[j] == FAQ_WILD)
            continue;
        size_t l = strlen(out->w[j]);
        while (l > 0 && out->w[j][l - 1] == '\'')
            out->w[j][--l] = 0;
    }
    return SZ_OK;
}

static void faq_words_free(faq_words *w)
{
    free(w->buf);
    free(w->w);
}

/* Does the pattern occur in the question? Implicit '*' at both ends; '*'
 * inside matches any run of words (greedy with backtracking to the last '*'). */
static int faq_glob(char **p, int np, char **q, int nq)
{
    int pi = 0, qi = 0, sp = 0, sq = 0;
    while (pi < np) {
        if (p[pi] == FAQ_WILD) {
            sp = ++pi;
            sq = qi;
            continue;
        }
        if (qi < nq && strcmp(p[pi], q[qi]) == 0) {
            pi++, qi++;
            continue;
        }
        if (sq < nq) {
            pi = sp;
            qi = ++sq;
            continue;
        }
        return 0;
    }
    return 1;
}

/* ---- entries --------------------------------------------------------- */

static void faq_entry_free(faq_entry *e)
{
    for (int i = 0; i < e->n_pats; i++) {
        for (int j = 0; j < e->pats[i].n_words; j++)
            if (e->pats[i].words[j] != FAQ_WILD)
                free(e->pats[i].words[j]);
        free(e->pats[i].words);
    }
    free(e->pats);
    free(e->answer);
    memset(e, 0, sizeof *e);
}

/* Parses "a | b * c | d" into e->pats. */
static int faq_parse_patterns(const char *text, faq_entry *e, char *why, size_t whylen)
{
    const char *p = text;
    for (;;) {
        const char *bar = strchr(p, '|');
        size_t n = bar ? (size_t)(bar - p) : strlen(p);
        char *one = strndup(p, n);
        if (!one)
            return SZ_ERR_NO_MEMORY;
        faq_words w;
        int rc = faq_split(one, 1, FAQ_MAX_WORDS + 1, &w);
        free(one);
        if (rc != SZ_OK)
            return rc;
        int literal = 0;
        for (int i = 0; i < w.n; i++)
            literal += w.w[i] != FAQ_WILD;
        if (w.n > FAQ_MAX_WORDS) {
            faq_words_free(&w);
            snprintf(why, whylen, "pattern %d has more than %d words", e->n_pats + 1,
                     FAQ_MAX_WORDS);
            return SZ_ERR_FORMAT;
        }
        if (literal == 0) {
            faq_words_free(&w);
            snprintf(why, whylen, "pattern %d is empty (expected words, e.g. 'opening hours')",
                     e->n_pats + 1);
            return SZ_ERR_FORMAT;
        }
        faq_pattern *np = realloc(e->pats, (size_t)(e->n_pats + 1) * sizeof *np);
        if (!np) {
            faq_words_free(&w);
            return SZ_ERR_NO_MEMORY;
        }
        e->pats = np;
        faq_pattern *pat = &e->pats[e->n_pats];
        pat->words = calloc((size_t)w.n, sizeof *pat->words);
        pat->n_words = 0;
        pat->n_literal = literal;
        if (!pat->words) {
            faq_words_free(&w);
            return SZ_ERR_NO_MEMORY;
        }
        e->n_pats++;
        for (int i = 0; i < w.n; i++) {
            if (w.w[i] == FAQ_WILD) {
                pat->words[pat->n_words++] = FAQ_WILD;
            } else if (!(pat->words[pat->n_words++] = strdup(w.w[i]))) {
                pat->n_words--;
                faq_words_free(&w);
                return SZ_ERR_NO_MEMORY;
            }
        }
        faq_words_free(&w);
        if (!bar)
            return SZ_OK;
        p = bar + 1;
    }
}

static int faq_push(faq *f, faq_entry *e)
{
    if (f->n >= FAQ_MAX_ENTRIES)
        return SZ_ERR_INVALID_ARG;
    if (f->n == f->cap) {
        size_t cap = f->cap ? f->cap * 2 : 32;
        faq_entry *n = realloc(f->entries, cap * sizeof *n);
        if (!n)
            return SZ_ERR_NO_MEMORY;
        f->entries = n;
        f->cap = cap;
    }
    f->entries[f->n++] = *e;
    memset(e, 0, sizeof *e);
    return SZ_OK;
}

static int faq_finish_entry(faq *f, faq_entry *e, char *why, size_t whylen)
{
    int rc = faq_push(f, e);
    if (rc == SZ_ERR_INVALID_ARG) {
        snprintf(why, whylen, "more than %d entries", FAQ_MAX_ENTRIES);
        rc = SZ_ERR_FORMAT;
    }
    return rc;
}

static int faq_append(char **dst, const char *s, size_t n)
{
    size_t have = *dst ? strlen(*dst) : 0;
    char *b = realloc(*dst, have + n + 2);
    if (!b)
        return SZ_ERR_NO_MEMORY;
    if (have)
        b[have++] = ' ';
    memcpy(b + have, s, n);
    b[have + n] = 0;
    *dst = b;
    return SZ_OK;
}

static const char *faq_trim(const char *s, size_t *n)
{
    while (*n > 0 && (*s == ' ' || *s == '\t'))
        s++, (*n)--;
    while (*n > 0 && (s[*n - 1] == ' ' || s[*n - 1] == '\t' || s[*n - 1] == '\r'))
        (*n)--;
    return s;
}

/* ---- the backend ----------------------------------------------------- */

static void faq_destroy(void *state)
{
    faq *f = state;
    if (!f)
        return;
    for (size_t i = 0; i < f->n; i++)
        faq_entry_free(&f->entries[i]);
    free(f->entries);
    free(f->fallback);
    free(f);
}

static const char *faq_find(faq *f, const char *question)
{
    faq_words q;
    if (faq_split(question, 0, FAQ_MAX_QWORDS, &q) != SZ_OK)
        return NULL;
    const char *best = NULL;
    int best_score = 0;
    for (size_t i = 0; i < f->n; i++) {
        faq_entry *e = &f->entries[i];
        for (int j = 0; j < e->n_pats; j++) {
            faq_pattern *p = &e->pats[j];
            if (p->n_literal > best_score && faq_glob(p->words, p->n_words, q.w, q.n)) {
                best = e->answer;
                best_score = p->n_literal;
            }
        }
    }
    faq_words_free(&q);
    return best;
}

static int faq_chat(void *state, const llm_message *msgs, size_t n, const llm_sink *sink,
                    llm_chat_stats *stats, char *err, size_t errlen)
{
    faq *f = state;
    atomic_store(&f->cancel, 0);
    stats->attempts = 1;
    const char *question = NULL;
    for (size_t i = n; i-- > 0;)
        if (msgs[i].role == LLM_ROLE_USER && msgs[i].content) {
            question = msgs[i].content;
            break;
        }
    if (!question) {
        snprintf(err, errlen, "faq: no question in the conversation");
        return SZ_ERR_INVALID_ARG;
    }
    const char *answer = faq_find(f, question);
    if (!answer)
        answer = f->fallback;
    if (!answer || !*answer) {
        snprintf(err, errlen, "faq: no entry matches and the FAQ has no DEFAULT answer");
        return SZ_ERR_NOT_FOUND;
    }
    /* Word by word, as a streaming model would send it. */
    const char *p = answer;
    stats->first_text_us = 0;
    while (*p) {
        const char *q = p;
        while (*q == ' ')
            q++;
        while (*q && *q != ' ')
            q++;
        if (atomic_load(&f->cancel) || sink->on_text(sink->user, p, (size_t)(q - p))) {
            snprintf(err, errlen, "answer cancelled");
            return SZ_ERR_CANCELLED;
        }
        stats->bytes_out += (size_t)(q - p);
        p = q;
    }
    snprintf(stats->finish_reason, sizeof stats->finish_reason, "stop");
    return SZ_OK;
}

static void faq_cancel(void *state)
{
    faq *f = state;
    atomic_store(&f->cancel, 1);
}

static const llm_kind faq_kind = {
    .name = "faq",
    .chat = faq_chat,
    .cancel = faq_cancel,
    .destroy = faq_destroy,
};

static int faq_parse(faq *f, const char *text, size_t len, const char *label, char *err,
                     size_t errlen)
{
    size_t bad;
    if (len > FAQ_MAX_FILE) {
        snprintf(err, errlen, "%s: larger than %u bytes", label, FAQ_MAX_FILE);
        return SZ_ERR_FORMAT;
    }
    if (memchr(text, 0, len)) {
        snprintf(err, errlen, "%s: contains a NUL byte (not a text file)", label);
        return SZ_ERR_FORMAT;
    }
    if (!utf8_valid(text, len, &bad)) {
        int line = 1;
        for (size_t i = 0; i < bad; i++)
            line += text[i] == '\n';
        snprintf(err, errlen, "%s:%d: not valid UTF-8 (byte %zu)", label, line, bad);
        return SZ_ERR_FORMAT;
    }
    faq_entry cur;
    memset(&cur, 0, sizeof cur);
    enum { NONE, IN_Q, IN_A, IN_DEFAULT } where = NONE;
    int line = 0, entry_line = 0, rc = SZ_OK;
    char why[256] = "";
    size_t i = 0;
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
        i = 3;
    while (i < len && rc == SZ_OK) {
        line++;
        const char *s = text + i;
        const char *nl = memchr(s, '\n', len - i);
        size_t n = nl ? (size_t)(nl - s) : len - i;
        i += n + (nl ? 1 : 0);
        if (n > FAQ_MAX_LINE) {
            snprintf(why, sizeof why, "line longer than %d bytes", FAQ_MAX_LINE);
            rc = SZ_ERR_FORMAT;
            break;
        }
        int indented = n > 0 && (s[0] == ' ' || s[0] == '\t');
        size_t tn = n;
        const char *t = faq_trim(s, &tn);
        if (tn == 0 || t[0] == '#') {
            if (tn == 0 && (where == IN_A || where == IN_DEFAULT))
                where = NONE; /* a blank line ends the answer */
            continue;
        }
        if (indented && (where == IN_A || where == IN_DEFAULT)) {
            rc = faq_append(where == IN_A ? &cur.answer : &f->fallback, t, tn);
            continue;
        }
        if (tn >= 2 && (t[0] == 'Q' || t[0] == 'q') && t[1] == ':') {
            if (cur.answer && (rc = faq_finish_entry(f, &cur, why, sizeof why)) != SZ_OK)
                break;
            if (cur.n_pats == 0)
                entry_line = line;
            size_t pn = tn - 2;
            const char *pt = faq_trim(t + 2, &pn);
            char *pats = strndup(pt, pn);
            if (!pats) {
                rc = SZ_ERR_NO_MEMORY;
                break;
            }
            rc = faq_parse_patterns(pats, &cur, why, sizeof why);
            free(pats);
            where = IN_Q;
        } else if (tn >= 2 && (t[0] == 'A' || t[0] == 'a') && t[1] == ':') {
            if (where != IN_Q) {
                snprintf(why, sizeof why, "'A:' without a 'Q:' line before it");
                rc = SZ_ERR_FORMAT;
                break;
            }
            size_t an = tn - 2;
            const char *at = faq_trim(t + 2, &an);
            if (an == 0) {
                snprintf(why, sizeof why, "empty answer after 'A:'");
                rc = SZ_ERR_FORMAT;
                break;
            }
            rc = faq_append(&cur.answer, at, an);
            where = IN_A;
        } else if (tn >= 8 && strncasecmp(t, "DEFAULT:", 8) == 0) {
            if (where == IN_Q) {
                snprintf(why, sizeof why, "the 'Q:' lines above have no 'A:' answer");
                line = entry_line;
                rc = SZ_ERR_FORMAT;
                break;
            }
            if (cur.answer && (rc = faq_finish_entry(f, &cur, why, sizeof why)) != SZ_OK)
                break;
            size_t an = tn - 8;
            const char *at = faq_trim(t + 8, &an);
            if (an == 0) {
                snprintf(why, sizeof why, "empty answer after 'DEFAULT:'");
                rc = SZ_ERR_FORMAT;
                break;
            }
            free(f->fallback);
            f->fallback = NULL;
            rc = faq_append(&f->fallback, at, an);
            where = IN_DEFAULT;
        } else {
            char ex[40];
            size_t k = tn < 30 ? tn : 30;
            while (k < tn && k > 0 && ((unsigned char)t[k] & 0xC0) == 0x80)
                k--;
            snprintf(ex, sizeof ex, "%.*s%s", (int)k, t, k < tn ? "..." : "");
            snprintf(why, sizeof why,
                     "expected 'Q:', 'A:', 'DEFAULT:', an indented answer line or '#', got '%s'",
                     ex);
            rc = SZ_ERR_FORMAT;
        }
    }
    if (rc == SZ_OK && where == IN_Q) {
        snprintf(why, sizeof why, "the 'Q:' lines above have no 'A:' answer");
        line = entry_line;
        rc = SZ_ERR_FORMAT;
    }
    if (rc == SZ_OK && cur.answer)
        rc = faq_finish_entry(f, &cur, why, sizeof why);
    faq_entry_free(&cur);
    if (rc == SZ_OK && f->n == 0 && !f->fallback) {
        snprintf(err, errlen, "%s: no entries (expected 'Q:' and 'A:' lines)", label);
        return SZ_ERR_FORMAT;
    }
    if (rc == SZ_ERR_NO_MEMORY)
        snprintf(err, errlen, "%s: out of memory", label);
    else if (rc != SZ_OK)
        snprintf(err, errlen, "%s:%d: %s", label, line, why[0] ? why : "invalid entry");
    return rc;
}

int llm_faq_create(const char *text, size_t len, const char *label, llm_backend **out, char *err,
                   size_t errlen)
{
    *out = NULL;
    faq *f = calloc(1, sizeof *f);
    if (!f) {
        snprintf(err, errlen, "out of memory");
        return SZ_ERR_NO_MEMORY;
    }
    int rc = faq_parse(f, text, len, label ? label : "faq", err, errlen);
    if (rc != SZ_OK) {
        faq_destroy(f);
        return rc;
    }
    return llm_backend_wrap(&faq_kind, f, out);
}

int llm_faq_load(const char *path, llm_backend **out, char *err, size_t errlen)
{
    *out = NULL;
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return SZ_ERR_IO;
    }
    char *buf;
    size_t n;
    int rc = file_read_all(fp, path, FAQ_MAX_FILE, &buf, &n, err, errlen);
    if (rc == SZ_ERR_FORMAT)
        snprintf(err, errlen, "%s: larger than %u bytes", path, FAQ_MAX_FILE);
    if (rc != SZ_OK)
        return rc;
    rc = llm_faq_create(buf, n, path, out, err, errlen);
    free(buf);
    return rc;
}

int llm_faq_add(llm_backend *b, const char *patterns, const char *answer, char *err, size_t errlen)
{
    faq *f = llm_backend_state(b, &faq_kind);
    if (!f || !patterns || !answer || !*answer) {
        snprintf(err, errlen, "faq: not a FAQ backend, or an empty entry");
        return SZ_ERR_INVALID_ARG;
    }
    size_t bad;
    if (!utf8_valid(patterns, strlen(patterns), &bad) ||
        !utf8_valid(answer, strlen(answer), &bad)) {
        snprintf(err, errlen, "faq: entry is not valid UTF-8");
        return SZ_ERR_FORMAT;
    }
    faq_entry e;
    memset(&e, 0, sizeof e);
    char why[256] = "";
    int rc = faq_parse_patterns(patterns, &e, why, sizeof why);
    if (rc == SZ_OK && !(e.answer = strdup(answer)))
        rc = SZ_ERR_NO_MEMORY;
    if (rc == SZ_OK)
        rc = faq_push(f, &e);
    if (rc != SZ_OK)
        snprintf(err, errlen, "faq: %s", why[0] ? why : sz_strerror(rc));
    faq_entry_free(&e);
    return rc;
}

const char *llm_faq_match(llm_backend *b, const char *question)
{
    faq *f = llm_backend_state(b, &faq_kind);
    return f ? faq_find(f, question) : NULL;
}
