/* SPDX-License-Identifier: Apache-2.0 */
/* faq.c: the scripted FAQ backend: a question is answered by retrieval over
 * the FAQ's example questions and the products' facts (format and scoring in
 * llm.h), in the question's language, or with that language's DEFAULT when
 * nothing scores above the threshold. Answers stream word by word through
 * the same sink as an LLM's, so nothing external is needed to run. */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/file.h"
#include "core/utf8.h"
#include "llm/faq_text.h"
#include "llm/llm.h"

#define FAQ_MAX_FILE (1u << 20)
#define FAQ_MAX_LINE 4096
#define FAQ_MAX_ENTRIES 10000
#define FAQ_MAX_WORDS 64 /* per pattern */

/* Scoring (see llm.h): a cue weighs 1.5 times its idf; greetings and thanks
 * weigh 0.3 beside a real question; an unknown Han bigram (mostly a cut
 * across two words) weighs nothing. */
#define FAQ_CUE_WEIGHT 1.5
#define FAQ_SOCIAL_WEIGHT 0.3

typedef enum { FACT_NONE = 0, FACT_PRICE, FACT_STOCK, FACT_ABOUT } faq_fact;

typedef struct faq_doc {
    int *ids; /* distinct term ids */
    int n;
} faq_doc;

typedef struct faq_entry {
    faq_doc *ex; /* example questions (FAQ entries); one document (facts) */
    int n_ex;
    char *answer[FAQ_N_LANGS];
    char *topic[FAQ_N_LANGS];
    char *label; /* for --explain: "faq.txt:12 'opening hours | ...'" */
    faq_fact fact;
    faq_doc ident; /* facts: the terms that name the product */
} faq_entry;

typedef struct faq {
    faq_entry *entries;
    size_t n, cap;
    char *fallback[FAQ_N_LANGS]; /* DEFAULT[xx]: */
    char *fallback_any;          /* DEFAULT: */
    /* the vocabulary: term -> id, its kind, its document frequency */
    char **terms;
    unsigned char *kinds;
    int *df;
    double *idf;
    int n_terms, cap_terms;
    int *slots; /* open addressing, -1 free */
    int n_slots;
    int n_docs;
    int dirty; /* idf to recompute */
    pthread_mutex_t lock;
    atomic_int cancel;
} faq;

static const char *const faq_builtin_fallback[FAQ_N_LANGS] = {
    "Sorry, I do not have an answer to that yet. A member of staff will be happy to help you.",
    "抱歉，这个问题我暂时回答不了，工作人员很乐意为您解答。",
};

/* ---- the vocabulary --------------------------------------------------- */

static uint32_t faq_hash(const char *s)
{
    uint32_t h = 2166136261u;
    while (*s)
        h = (h ^ (unsigned char)*s++) * 16777619u;
    return h;
}

static int faq_vocab_find(const faq *f, const char *s)
{
    if (!f->n_slots)
        return -1;
    for (uint32_t i = faq_hash(s) & (uint32_t)(f->n_slots - 1);;
         i = (i + 1) & (uint32_t)(f->n_slots - 1)) {
        int id = f->slots[i];
        if (id < 0)
            return -1;
        if (strcmp(f->terms[id], s) == 0)
            return id;
    }
}

static int faq_vocab_add(faq *f, const faq_term *t)
{
    int id = faq_vocab_find(f, t->s);
    if (id >= 0)
        return id;
    if (f->n_terms == f->cap_terms) {
        int cap = f->cap_terms ? f->cap_terms * 2 : 256;
        char **nt = realloc(f->terms, (size_t)cap * sizeof *nt);
        if (nt)
            f->terms = nt;
        unsigned char *nk = realloc(f->kinds, (size_t)cap);
        if (nk)
            f->kinds = nk;
        int *nd = realloc(f->df, (size_t)cap * sizeof *nd);
        if (nd)
            f->df = nd;
        double *ni = realloc(f->idf, (size_t)cap * sizeof *ni);
        if (ni)
            f->idf = ni;
        if (!nt || !nk || !nd || !ni)
            return -1;
        f->cap_terms = cap;
    }
    if ((f->n_terms + 1) * 2 > f->n_slots) {
        int ns = f->n_slots ? f->n_slots * 2 : 512;
        int *sl = malloc((size_t)ns * sizeof *sl);
        if (!sl)
            return -1;
        for (int i = 0; i < ns; i++)
            sl[i] = -1;
        for (int k = 0; k < f->n_terms; k++) {
            uint32_t i = faq_hash(f->terms[k]) & (uint32_t)(ns - 1);
            while (sl[i] >= 0)
                i = (i + 1) & (uint32_t)(ns - 1);
            sl[i] = k;
        }
        free(f->slots);
        f->slots = sl;
        f->n_slots = ns;
    }
    char *s = strdup(t->s);
    if (!s)
        return -1;
    id = f->n_terms++;
    f->terms[id] = s;
    f->kinds[id] = (unsigned char)t->kind;
    f->df[id] = 0;
    f->idf[id] = 0;
    uint32_t i = faq_hash(s) & (uint32_t)(f->n_slots - 1);
    while (f->slots[i] >= 0)
        i = (i + 1) & (uint32_t)(f->n_slots - 1);
    f->slots[i] = id;
    f->dirty = 1;
    return id;
}

/* Adds the terms of text to doc (the document grows; ids stay distinct). */
static int faq_doc_add(faq *f, faq_doc *d, const char *text)
{
    faq_term t[FAQ_MAX_TERMS];
    int n = faq_text_terms(text, t, FAQ_MAX_TERMS);
    if (n == 0)
        return SZ_OK;
    int *ids = realloc(d->ids, (size_t)(d->n + n) * sizeof *ids);
    if (!ids)
        return SZ_ERR_NO_MEMORY;
    d->ids = ids;
    for (int i = 0; i < n; i++) {
        int id = faq_vocab_add(f, &t[i]);
        if (id < 0)
            return SZ_ERR_NO_MEMORY;
        int seen = 0;
        for (int j = 0; j < d->n && !seen; j++)
            seen = d->ids[j] == id;
        if (!seen)
            d->ids[d->n++] = id;
    }
    f->dirty = 1;
    return SZ_OK;
}

static int faq_doc_has(const faq_doc *d, int id)
{
    for (int i = 0; i < d->n; i++)
        if (d->ids[i] == id)
            return 1;
    return 0;
}

static double faq_idf_of(int n_docs, double df)
{
    return log((n_docs + 1.0) / (df + 0.5));
}

static void faq_reindex(faq *f)
{
    if (!f->dirty)
        return;
    for (int i = 0; i < f->n_terms; i++)
        f->df[i] = 0;
    f->n_docs = 0;
    for (size_t e = 0; e < f->n; e++)
        for (int x = 0; x < f->entries[e].n_ex; x++) {
            const faq_doc *d = &f->entries[e].ex[x];
            f->n_docs++;
            for (int i = 0; i < d->n; i++)
                f->df[d->ids[i]]++;
        }
    for (int i = 0; i < f->n_terms; i++) {
        double w = faq_idf_of(f->n_docs, f->df[i]);
        if (f->kinds[i] == FAQ_TERM_CUE)
            w *= FAQ_CUE_WEIGHT;
        f->idf[i] = w > 0.05 ? w : 0.05;
    }
    f->dirty = 0;
}

/* ---- entries ---------------------------------------------------------- */

static void faq_entry_free(faq_entry *e)
{
    for (int i = 0; i < e->n_ex; i++)
        free(e->ex[i].ids);
    free(e->ex);
    free(e->ident.ids);
    for (int l = 0; l < FAQ_N_LANGS; l++) {
        free(e->answer[l]);
        free(e->topic[l]);
    }
    free(e->label);
    memset(e, 0, sizeof *e);
}

/* Parses "a | b * c | d": each alternative is an example question ('*' is
 * read as a space; the old word patterns are examples too). */
static int faq_parse_patterns(faq *f, const char *text, faq_entry *e, char *why, size_t whylen)
{
    const char *p = text;
    for (;;) {
        const char *bar = strchr(p, '|');
        size_t n = bar ? (size_t)(bar - p) : strlen(p);
        char *one = strndup(p, n);
        if (!one)
            return SZ_ERR_NO_MEMORY;
        int words = 0, in_word = 0, blank = 1;
        for (char *c = one; *c; c++) {
            if (*c == '*')
                *c = ' ';
            int sp = *c == ' ' || *c == '\t';
            blank &= sp;
            words += !sp && !in_word;
            in_word = !sp;
        }
        if (blank) {
            free(one);
            snprintf(why, whylen, "pattern %d is empty (expected words, e.g. 'opening hours')",
                     e->n_ex + 1);
            return SZ_ERR_FORMAT;
        }
        if (words > FAQ_MAX_WORDS) {
            free(one);
            snprintf(why, whylen, "pattern %d has more than %d words", e->n_ex + 1, FAQ_MAX_WORDS);
            return SZ_ERR_FORMAT;
        }
        faq_doc *nx = realloc(e->ex, (size_t)(e->n_ex + 1) * sizeof *nx);
        if (!nx) {
            free(one);
            return SZ_ERR_NO_MEMORY;
        }
        e->ex = nx;
        faq_doc *d = &e->ex[e->n_ex++];
        memset(d, 0, sizeof *d);
        int rc = faq_doc_add(f, d, one);
        free(one);
        if (rc != SZ_OK)
            return rc;
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
    f->dirty = 1;
    return SZ_OK;
}

/* The entry's answer was gathered in answer[0]: it moves to its language. */
static int faq_finish_entry(faq *f, faq_entry *e, const char *label, int line, char *why,
                            size_t whylen)
{
    faq_lang l = faq_text_lang(e->answer[0]);
    if (l != FAQ_LANG_EN) {
        e->answer[l] = e->answer[0];
        e->answer[0] = NULL;
    }
    if (!e->label) {
        char buf[160];
        snprintf(buf, sizeof buf, "%s:%d", label, line);
        e->label = strdup(buf);
    }
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

/* ---- retrieval -------------------------------------------------------- */

typedef struct faq_query {
    int ids[FAQ_MAX_TERMS];
    double w[FAQ_MAX_TERMS];
    int n;
    double norm2;
    faq_lang lang;
} faq_query;

static void faq_query_make(faq *f, const char *question, faq_query *q)
{
    faq_term t[FAQ_MAX_TERMS];
    int n = faq_text_terms(question, t, FAQ_MAX_TERMS);
    double unknown = faq_idf_of(f->n_docs, 1.0);
    int content = 0;
    q->n = 0;
    q->norm2 = 0;
    q->lang = faq_text_lang(question);
    for (int i = 0; i < n; i++) {
        int id = faq_vocab_find(f, t[i].s);
        double w = id >= 0 ? f->idf[id] : unknown;
        if (id < 0 && t[i].kind == FAQ_TERM_HAN2)
            w = 0; /* a cut across two words, most likely */
        else if (id < 0 && t[i].kind == FAQ_TERM_CUE)
            w *= FAQ_CUE_WEIGHT;
        content += t[i].kind != FAQ_TERM_SOCIAL && w > 0;
        q->ids[q->n] = id;
        q->w[q->n++] = w;
    }
    for (int i = 0; i < q->n; i++) {
        if (content && t[i].kind == FAQ_TERM_SOCIAL)
            q->w[i] *= FAQ_SOCIAL_WEIGHT;
        q->norm2 += q->w[i] * q->w[i];
    }
}

/* How well entry e answers q, 0..1 (see llm.h). */
static double faq_score(const faq *f, const faq_entry *e, const faq_query *q)
{
    if (q->norm2 <= 0)
        return 0;
    if (e->fact != FACT_NONE) {
        const faq_doc *d = &e->ex[0];
        int named = 0, cue = e->fact == FACT_ABOUT;
        double hit = 0;
        for (int i = 0; i < q->n; i++) {
            if (q->ids[i] < 0 || !faq_doc_has(d, q->ids[i]))
                continue;
            hit += q->w[i] * q->w[i];
            named |= faq_doc_has(&e->ident, q->ids[i]);
            cue |= f->kinds[q->ids[i]] == FAQ_TERM_CUE;
        }
        return named && cue ? hit / q->norm2 : 0;
    }
    double best = 0;
    for (int x = 0; x < e->n_ex; x++) {
        const faq_doc *d = &e->ex[x];
        double dot = 0, n2 = 0;
        for (int i = 0; i < d->n; i++)
            n2 += f->idf[d->ids[i]] * f->idf[d->ids[i]];
        for (int i = 0; i < q->n; i++)
            if (q->ids[i] >= 0 && faq_doc_has(d, q->ids[i]))
                dot += q->w[i] * f->idf[q->ids[i]];
        double s = n2 > 0 ? dot / sqrt(q->norm2 * n2) : 0;
        if (s > best)
            best = s;
    }
    return best > 1 ? 1 : best;
}

static const char *faq_fallback(faq *f, faq_lang l)
{
    if (f->fallback[l])
        return f->fallback[l];
    if (f->fallback_any && faq_text_lang(f->fallback_any) == l)
        return f->fallback_any;
    for (int k = 0; k < FAQ_N_LANGS; k++)
        if (f->fallback[k])
            return faq_builtin_fallback[l];
    return f->fallback_any ? faq_builtin_fallback[l] : NULL;
}

static void faq_find(faq *f, const char *question, llm_faq_result *r)
{
    memset(r, 0, sizeof *r);
    r->threshold = LLM_FAQ_THRESHOLD;
    faq_reindex(f);
    faq_query q;
    faq_query_make(f, question, &q);
    r->lang = faq_lang_name(q.lang);
    const faq_entry *best = NULL, *second = NULL;
    double sb = 0, ss = 0;
    for (size_t i = 0; i < f->n; i++) {
        const faq_entry *e = &f->entries[i];
        if (!e->answer[q.lang])
            continue;
        double s = faq_score(f, e, &q);
        if (s > sb) {
            if (best && strcmp(best->answer[q.lang], e->answer[q.lang]) != 0)
                second = best, ss = sb;
            best = e, sb = s;
        } else if (s > ss && best && strcmp(best->answer[q.lang], e->answer[q.lang]) != 0) {
            second = e, ss = s;
        }
    }
    r->score = sb;
    r->entry = best ? best->label : NULL;
    r->runner_up_score = ss;
    r->runner_up = second ? second->label : NULL;
    if (best && sb >= LLM_FAQ_THRESHOLD && sb - ss >= LLM_FAQ_MARGIN) {
        r->matched = 1;
        r->answer = best->answer[q.lang];
        r->topic = best->topic[q.lang];
    } else {
        r->answer = faq_fallback(f, q.lang);
    }
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
    for (int l = 0; l < FAQ_N_LANGS; l++)
        free(f->fallback[l]);
    free(f->fallback_any);
    for (int i = 0; i < f->n_terms; i++)
        free(f->terms[i]);
    free(f->terms);
    free(f->kinds);
    free(f->df);
    free(f->idf);
    free(f->slots);
    pthread_mutex_destroy(&f->lock);
    free(f);
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
    llm_faq_result r;
    pthread_mutex_lock(&f->lock);
    faq_find(f, question, &r);
    char *answer = r.answer ? strdup(r.answer) : NULL;
    pthread_mutex_unlock(&f->lock);
    if (!answer || !*answer) {
        free(answer);
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
            free(answer);
            return SZ_ERR_CANCELLED;
        }
        stats->bytes_out += (size_t)(q - p);
        p = q;
    }
    free(answer);
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
    char **dflt = NULL; /* the DEFAULT being read */
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
            rc = faq_append(where == IN_A ? &cur.answer[0] : dflt, t, tn);
            continue;
        }
        if (tn >= 2 && (t[0] == 'Q' || t[0] == 'q') && t[1] == ':') {
            if (cur.answer[0] &&
                (rc = faq_finish_entry(f, &cur, label, entry_line, why, sizeof why)) != SZ_OK)
                break;
            if (cur.n_ex == 0) {
                entry_line = line;
                char buf[160];
                snprintf(buf, sizeof buf, "%s:%d", label, line);
                if (!(cur.label = strdup(buf))) {
                    rc = SZ_ERR_NO_MEMORY;
                    break;
                }
            }
            size_t pn = tn - 2;
            const char *pt = faq_trim(t + 2, &pn);
            char *pats = strndup(pt, pn);
            if (!pats) {
                rc = SZ_ERR_NO_MEMORY;
                break;
            }
            rc = faq_parse_patterns(f, pats, &cur, why, sizeof why);
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
            rc = faq_append(&cur.answer[0], at, an);
            where = IN_A;
        } else if (tn >= 7 && strncasecmp(t, "DEFAULT", 7) == 0 && tn > 7 &&
                   (t[7] == ':' || t[7] == '[')) {
            if (where == IN_Q) {
                snprintf(why, sizeof why, "the 'Q:' lines above have no 'A:' answer");
                line = entry_line;
                rc = SZ_ERR_FORMAT;
                break;
            }
            if (cur.answer[0] &&
                (rc = faq_finish_entry(f, &cur, label, entry_line, why, sizeof why)) != SZ_OK)
                break;
            /* DEFAULT: or DEFAULT[en]: / DEFAULT[zh]: */
            size_t k = 7;
            int lang = -1;
            if (t[7] == '[') {
                const char *close = memchr(t + 8, ']', tn - 8);
                if (!close || (size_t)(close - t) + 1 >= tn || close[1] != ':') {
                    snprintf(why, sizeof why,
                             "expected 'DEFAULT:' or 'DEFAULT[LANG]:' with LANG en or zh");
                    rc = SZ_ERR_FORMAT;
                    break;
                }
                lang = faq_lang_parse(t + 8, (size_t)(close - t - 8));
                if (lang < 0) {
                    snprintf(why, sizeof why,
                             "unknown language '%.*s' in 'DEFAULT[...]:' "
                             "(expected en or zh)",
                             (int)(close - t - 8 < 16 ? close - t - 8 : 16), t + 8);
                    rc = SZ_ERR_FORMAT;
                    break;
                }
                k = (size_t)(close - t) + 1;
            }
            char tag[16];
            snprintf(tag, sizeof tag, "DEFAULT%s%s%s:", lang >= 0 ? "[" : "",
                     lang >= 0 ? faq_lang_name((faq_lang)lang) : "", lang >= 0 ? "]" : "");
            dflt = lang >= 0 ? &f->fallback[lang] : &f->fallback_any;
            if (*dflt) {
                snprintf(why, sizeof why, "a second '%s' answer (one per language)", tag);
                rc = SZ_ERR_FORMAT;
                break;
            }
            size_t an = tn - k - 1;
            const char *at = faq_trim(t + k + 1, &an);
            if (an == 0) {
                snprintf(why, sizeof why, "empty answer after '%s'", tag);
                rc = SZ_ERR_FORMAT;
                break;
            }
            rc = faq_append(dflt, at, an);
            where = IN_DEFAULT;
        } else {
            char ex[40];
            size_t k = tn < 30 ? tn : 30;
            while (k < tn && k > 0 && ((unsigned char)t[k] & 0xC0) == 0x80)
                k--;
            snprintf(ex, sizeof ex, "%.*s%s", (int)k, t, k < tn ? "..." : "");
            snprintf(why, sizeof why,
                     "expected 'Q:', 'A:', 'DEFAULT:', 'DEFAULT[LANG]:', an indented answer line "
                     "or '#', got '%s'",
                     ex);
            rc = SZ_ERR_FORMAT;
        }
    }
    if (rc == SZ_OK && where == IN_Q) {
        snprintf(why, sizeof why, "the 'Q:' lines above have no 'A:' answer");
        line = entry_line;
        rc = SZ_ERR_FORMAT;
    }
    if (rc == SZ_OK && cur.answer[0])
        rc = faq_finish_entry(f, &cur, label, entry_line, why, sizeof why);
    faq_entry_free(&cur);
    int any_default = f->fallback_any != NULL;
    for (int l = 0; l < FAQ_N_LANGS; l++)
        any_default |= f->fallback[l] != NULL;
    if (rc == SZ_OK && f->n == 0 && !any_default) {
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
    pthread_mutex_init(&f->lock, NULL);
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
    pthread_mutex_lock(&f->lock);
    int rc = faq_parse_patterns(f, patterns, &e, why, sizeof why);
    if (rc == SZ_OK && !(e.answer[0] = strdup(answer)))
        rc = SZ_ERR_NO_MEMORY;
    if (rc == SZ_OK) {
        char label[96];
        snprintf(label, sizeof label, "added '%.60s'", patterns);
        e.label = strdup(label);
        rc = faq_finish_entry(f, &e, "added", 0, why, sizeof why);
    }
    pthread_mutex_unlock(&f->lock);
    if (rc != SZ_OK)
        snprintf(err, errlen, "faq: %s", why[0] ? why : sz_strerror(rc));
    faq_entry_free(&e);
    return rc;
}

static char *faq_fmt(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A formatted string the caller frees (glibc's vasprintf); NULL when out of memory. */
static char *faq_fmt(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = NULL;
    int n = vasprintf(&s, fmt, ap);
    va_end(ap);
    return n < 0 ? NULL : s;
}

static int faq_set(const char *s)
{
    return s && *s;
}

/* One fact of a product: its document (the product's names and keywords,
 * the fact's cue or text) and its answers in the languages it can be said
 * in. */
static int faq_add_fact(faq *f, const llm_faq_product *p, faq_fact fact)
{
    const char *name_zh = faq_set(p->name_zh) ? p->name_zh : p->name;
    faq_entry e;
    memset(&e, 0, sizeof e);
    int rc = SZ_ERR_NO_MEMORY;
    if (!(e.ex = calloc(1, sizeof *e.ex)))
        goto done;
    e.n_ex = 1;
    e.fact = fact;
    /* the names: '|' and '*' of the keywords are spaces here */
    char *kw = faq_set(p->keywords) ? strdup(p->keywords) : NULL;
    if (faq_set(p->keywords) && !kw)
        goto done;
    for (char *c = kw; c && *c; c++)
        if (*c == '|' || *c == '*')
            *c = ' ';
    const char *names[] = {p->name, p->name_zh, kw};
    for (int i = 0; i < 3; i++)
        if (faq_set(names[i]) && ((rc = faq_doc_add(f, &e.ident, names[i])) != SZ_OK ||
                                  (rc = faq_doc_add(f, &e.ex[0], names[i])) != SZ_OK)) {
            free(kw);
            goto done;
        }
    free(kw);
    rc = SZ_ERR_NO_MEMORY;
    const char *label = fact == FACT_PRICE ? "price" : fact == FACT_STOCK ? "stock" : "about";
    if (!(e.label = faq_fmt("product '%s': %s", p->name, label)))
        goto done;
    if (fact == FACT_PRICE) {
        if (faq_doc_add(f, &e.ex[0], "price 价格") != SZ_OK)
            goto done;
        e.answer[FAQ_LANG_EN] = faq_fmt("The %s is %s.", p->name, p->price);
        e.answer[FAQ_LANG_ZH] =
            faq_fmt("%s的价格是%s。", name_zh, faq_set(p->price_zh) ? p->price_zh : p->price);
        e.topic[FAQ_LANG_EN] = faq_fmt("the price of the %s", p->name);
        e.topic[FAQ_LANG_ZH] = faq_fmt("%s的价格", name_zh);
    } else if (fact == FACT_STOCK) {
        if (faq_doc_add(f, &e.ex[0], "stock 库存") != SZ_OK ||
            faq_doc_add(f, &e.ex[0], p->stock) != SZ_OK ||
            (faq_set(p->stock_zh) && faq_doc_add(f, &e.ex[0], p->stock_zh) != SZ_OK))
            goto done;
        e.answer[FAQ_LANG_EN] = faq_fmt("The %s: %s", p->name, p->stock);
        e.topic[FAQ_LANG_EN] = faq_fmt("whether the %s is in stock", p->name);
        if (faq_set(p->stock_zh)) {
            e.answer[FAQ_LANG_ZH] = faq_fmt("%s：%s", name_zh, p->stock_zh);
            e.topic[FAQ_LANG_ZH] = faq_fmt("%s有没有货", name_zh);
        }
    } else {
        if (faq_doc_add(f, &e.ex[0], p->description) != SZ_OK ||
            (faq_set(p->description_zh) && faq_doc_add(f, &e.ex[0], p->description_zh) != SZ_OK))
            goto done;
        e.answer[FAQ_LANG_EN] = faq_fmt("The %s: %s", p->name, p->description);
        e.topic[FAQ_LANG_EN] = faq_fmt("the %s", p->name);
        if (faq_set(p->description_zh)) {
            e.answer[FAQ_LANG_ZH] = faq_fmt("%s：%s", name_zh, p->description_zh);
            e.topic[FAQ_LANG_ZH] = strdup(name_zh);
        }
    }
    if (!e.answer[FAQ_LANG_EN] || !e.topic[FAQ_LANG_EN])
        goto done;
    rc = faq_push(f, &e);
done:
    faq_entry_free(&e);
    return rc;
}

int llm_faq_add_product(llm_backend *b, const llm_faq_product *p, char *err, size_t errlen)
{
    faq *f = llm_backend_state(b, &faq_kind);
    if (!f || !p || !faq_set(p->name)) {
        snprintf(err, errlen, "faq: not a FAQ backend, or a product without a name");
        return SZ_ERR_INVALID_ARG;
    }
    const char *fields[] = {p->name,    p->price,    p->description,    p->stock,   p->keywords,
                            p->name_zh, p->price_zh, p->description_zh, p->stock_zh};
    size_t bad;
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
        if (fields[i] && !utf8_valid(fields[i], strlen(fields[i]), &bad)) {
            snprintf(err, errlen, "faq: product '%.100s' is not valid UTF-8", p->name);
            return SZ_ERR_FORMAT;
        }
    pthread_mutex_lock(&f->lock);
    int rc = SZ_OK;
    if (f->n + 3 > FAQ_MAX_ENTRIES)
        rc = SZ_ERR_INVALID_ARG;
    if (rc == SZ_OK && faq_set(p->price))
        rc = faq_add_fact(f, p, FACT_PRICE);
    if (rc == SZ_OK && faq_set(p->stock))
        rc = faq_add_fact(f, p, FACT_STOCK);
    if (rc == SZ_OK && faq_set(p->description))
        rc = faq_add_fact(f, p, FACT_ABOUT);
    pthread_mutex_unlock(&f->lock);
    if (rc != SZ_OK)
        snprintf(err, errlen, "faq: product '%.100s': %s", p->name,
                 rc == SZ_ERR_INVALID_ARG ? "too many entries" : sz_strerror(rc));
    return rc;
}

int llm_faq_answer(llm_backend *b, const char *question, llm_faq_result *r)
{
    faq *f = llm_backend_state(b, &faq_kind);
    memset(r, 0, sizeof *r);
    if (!f || !question)
        return SZ_ERR_INVALID_ARG;
    size_t bad;
    if (!utf8_valid(question, strlen(question), &bad))
        return SZ_ERR_FORMAT;
    pthread_mutex_lock(&f->lock);
    faq_find(f, question, r);
    pthread_mutex_unlock(&f->lock);
    return SZ_OK;
}

const char *llm_faq_match(llm_backend *b, const char *question)
{
    llm_faq_result r;
    if (llm_faq_answer(b, question, &r) != SZ_OK || !r.matched)
        return NULL;
    return r.answer;
}

double llm_faq_similarity(const char *a, const char *b)
{
    faq_term *x = malloc(2 * FAQ_MAX_TERMS * sizeof *x);
    if (!x)
        return 0;
    faq_term *y = x + FAQ_MAX_TERMS;
    int na = faq_text_terms(a, x, FAQ_MAX_TERMS), nb = faq_text_terms(b, y, FAQ_MAX_TERMS);
    int common = 0;
    for (int i = 0; i < na; i++)
        for (int j = 0; j < nb; j++)
            if (strcmp(x[i].s, y[j].s) == 0) {
                common++;
                break;
            }
    free(x);
    if (na == 0 || nb == 0)
        return na == nb && strcmp(a, b) == 0 ? 1 : 0;
    return common / sqrt((double)na * nb);
}
