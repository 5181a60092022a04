/* SPDX-License-Identifier: Apache-2.0 */
/* frontend.c: runs the text frontend on one utterance: SSML (or plain text)
 * to spans, spans to sentences, each sentence normalized in the language
 * most of it is in, and the normalizers' words gathered into runs of one
 * language and one prosody, with clause pauses, breaks and marks between. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/utf8.h"
#include "tts/frontend/fe_internal.h"

#define FRONT_PAUSE_COMMA_MS 150
#define FRONT_PAUSE_CLAUSE_MS 200
#define FRONT_PAUSE_SENTENCE_MS 300
#define FRONT_PAUSE_PARAGRAPH_MS 500

typedef struct front_store {
    char **strs;
    size_t n, cap;
} front_store;

struct fe_out {
    fe_doc *doc;
    front_store *store;
    size_t cap_items, cap_sentences;
    int oom;
    int pauses;
    /* the run being built */
    fe_buf run;
    char run_lang[FE_LANG_MAX];
    fe_prosody run_prosody;
    int run_open;
    fe_prosody prosody; /* of the text being normalized now */
    /* the sentence being built */
    fe_buf sent_text;
    size_t sent_first;
    const char *sent_source;
    char sent_lang[8];
    int pending_ms; /* a pause to put before the next speech */
    int spoken;
};

fe_params fe_default_params(void)
{
    fe_params p;
    memset(&p, 0, sizeof p);
    p.latin_lang = "en-us";
    p.han_lang = "cmn";
    p.default_base = "en";
    p.pauses = 1;
    return p;
}

/* ---- storage ---------------------------------------------------------------- */

static const char *front_keep(fe_out *o, const char *s, size_t n)
{
    front_store *st = o->store;
    if (st->n == st->cap) {
        size_t cap = st->cap ? st->cap * 2 : 64;
        char **v = realloc(st->strs, cap * sizeof *v);
        if (!v) {
            o->oom = 1;
            return "";
        }
        st->strs = v;
        st->cap = cap;
    }
    char *d = malloc(n + 1);
    if (!d) {
        o->oom = 1;
        return "";
    }
    memcpy(d, s, n);
    d[n] = 0;
    st->strs[st->n++] = d;
    return d;
}

static fe_item *front_push(fe_out *o, fe_item_kind kind)
{
    fe_doc *d = o->doc;
    if (d->n_items == o->cap_items) {
        size_t cap = o->cap_items ? o->cap_items * 2 : 32;
        fe_item *v = realloc(d->items, cap * sizeof *v);
        if (!v) {
            o->oom = 1;
            return NULL;
        }
        d->items = v;
        o->cap_items = cap;
    }
    fe_item *it = &d->items[d->n_items++];
    memset(it, 0, sizeof *it);
    it->kind = kind;
    it->text = "";
    it->prosody = (fe_prosody){1, 1, 1};
    return it;
}

static int front_same_prosody(fe_prosody a, fe_prosody b)
{
    return a.rate == b.rate && a.pitch == b.pitch && a.volume == b.volume;
}

static void front_close_run(fe_out *o)
{
    if (o->run_open && o->run.n && !o->run.oom) {
        fe_item *it = front_push(o, FE_ITEM_TEXT);
        if (it) {
            snprintf(it->lang, sizeof it->lang, "%s", o->run_lang);
            it->text = front_keep(o, o->run.p, o->run.n);
            it->prosody = o->run_prosody;
        }
    }
    if (o->run.oom)
        o->oom = 1;
    o->run.n = 0;
    o->run_open = 0;
}

static void front_flush_pause(fe_out *o)
{
    if (o->pending_ms > 0 && o->spoken) {
        fe_item *it = front_push(o, FE_ITEM_BREAK);
        if (it) {
            it->break_ms = o->pending_ms;
            it->implicit = 1;
        }
    }
    o->pending_ms = 0;
}

static void front_sent_add(fe_out *o, const char *s, size_t n)
{
    if (!n)
        return;
    size_t k;
    if (o->sent_text.n && fe_join_space(fe_buf_last(&o->sent_text), fe_next(s, n, 0, &k)))
        fe_buf_add(&o->sent_text, " ", 1);
    fe_buf_add(&o->sent_text, s, n);
}

/* ---- what the normalizers call -------------------------------------------- */

void fe_out_word(fe_out *o, const char *lang, const char *s, size_t n)
{
    if (!n)
        return;
    front_flush_pause(o);
    if (o->run_open &&
        (strcmp(o->run_lang, lang) != 0 || !front_same_prosody(o->run_prosody, o->prosody)))
        front_close_run(o);
    if (!o->run_open) {
        o->run_open = 1;
        snprintf(o->run_lang, sizeof o->run_lang, "%s", lang);
        o->run_prosody = o->prosody;
    }
    size_t k;
    if (o->run.n && fe_join_space(fe_buf_last(&o->run), fe_next(s, n, 0, &k)))
        fe_buf_add(&o->run, " ", 1);
    fe_buf_add(&o->run, s, n);
    front_sent_add(o, s, n);
    o->spoken = 1;
}

void fe_out_punct(fe_out *o, const char *p, fe_cut_kind cut)
{
    if (!o->run_open || !o->run.n)
        return; /* nothing to attach it to */
    uint32_t last = fe_buf_last(&o->run);
    fe_cc lc = fe_class(last);
    int cjk = lc == FE_CC_HAN || lc == FE_CC_KANA || fe_is_cjk_punct(last);
    static const struct {
        const char *ascii, *cjk;
    } forms[] = {{",", "，"}, {".", "。"}, {"!", "！"}, {"?", "？"}, {";", "；"}, {":", "："},
                 {",", "、"}};
    const char *mark = p;
    for (size_t k = 0; k < sizeof forms / sizeof forms[0]; k++) {
        if (cjk && strcmp(p, forms[k].ascii) == 0 && k < 6)
            mark = forms[k].cjk;
        if (!cjk && strcmp(p, forms[k].cjk) == 0)
            mark = forms[k].ascii;
    }
    /* no doubled marks ("，，") */
    size_t ml = strlen(mark);
    if (!(o->run.n >= ml && memcmp(o->run.p + o->run.n - ml, mark, ml) == 0)) {
        fe_buf_add(&o->run, mark, ml);
        fe_buf_add(&o->sent_text, mark, ml);
    }
    if (cut == FE_CUT_CLAUSE) {
        float rate = o->run_prosody.rate > 0 ? o->run_prosody.rate : 1.0f;
        front_close_run(o);
        if (o->pauses) {
            int base = (!strcmp(p, ",") || !strcmp(p, "、")) ? FRONT_PAUSE_COMMA_MS
                                                             : FRONT_PAUSE_CLAUSE_MS;
            o->pending_ms = (int)((float)base / rate + 0.5f);
        }
    }
}

void fe_out_dropped(fe_out *o, size_t n) { o->doc->n_dropped += n; }

/* ---- what SSML adds ------------------------------------------------------------ */

static void front_break(fe_out *o, int ms)
{
    front_close_run(o);
    o->pending_ms = 0; /* an explicit break replaces the pause the text implied */
    fe_doc *d = o->doc;
    if (d->n_items && d->items[d->n_items - 1].kind == FE_ITEM_BREAK &&
        d->items[d->n_items - 1].implicit) {
        d->items[d->n_items - 1].break_ms = ms;
        d->items[d->n_items - 1].implicit = 0;
        return;
    }
    fe_item *it = front_push(o, FE_ITEM_BREAK);
    if (it)
        it->break_ms = ms;
}

static void front_mark(fe_out *o, const char *name, size_t n)
{
    front_close_run(o);
    fe_item *it = front_push(o, FE_ITEM_MARK);
    if (it)
        it->text = front_keep(o, name, n);
}

static void front_phones(fe_out *o, const char *lang, const fe_span *sp)
{
    front_close_run(o);
    front_flush_pause(o);
    fe_item *it = front_push(o, FE_ITEM_PHONES);
    if (!it)
        return;
    snprintf(it->lang, sizeof it->lang, "%s", lang);
    it->ipa = front_keep(o, sp->ipa ? sp->ipa : "", sp->ipa ? strlen(sp->ipa) : 0);
    it->text = front_keep(o, sp->text ? sp->text : "", sp->len);
    it->prosody = sp->prosody;
    front_sent_add(o, sp->text ? sp->text : "", sp->len);
    o->spoken = 1;
}

/* ---- sentences ------------------------------------------------------------------ */

static void front_sentence_begin(fe_out *o, const char *source, const char *lang)
{
    o->sent_first = o->doc->n_items;
    o->sent_text.n = 0;
    o->sent_source = source;
    snprintf(o->sent_lang, sizeof o->sent_lang, "%s", lang);
}

static int front_sentence_end(fe_out *o, int paragraph)
{
    front_close_run(o);
    fe_doc *d = o->doc;
    size_t count = d->n_items - o->sent_first;
    int has_text = o->sent_text.n > 0;
    if (!has_text && count == 0)
        return SZ_OK;
    if (!has_text && d->n_sentences > 0) {
        d->sentences[d->n_sentences - 1].count += count; /* marks between sentences */
        return SZ_OK;
    }
    if (d->n_sentences == o->cap_sentences) {
        size_t cap = o->cap_sentences ? o->cap_sentences * 2 : 16;
        fe_sentence *v = realloc(d->sentences, cap * sizeof *v);
        if (!v) {
            o->oom = 1;
            return SZ_ERR_NO_MEMORY;
        }
        d->sentences = v;
        o->cap_sentences = cap;
    }
    fe_sentence *s = &d->sentences[d->n_sentences++];
    memset(s, 0, sizeof *s);
    s->first = o->sent_first;
    s->count = count;
    s->text = front_keep(o, o->sent_text.p ? o->sent_text.p : "", o->sent_text.n);
    s->source = o->sent_source ? o->sent_source : "";
    snprintf(s->lang, sizeof s->lang, "%s", o->sent_lang);
    if (has_text && o->pauses)
        o->pending_ms = paragraph ? FRONT_PAUSE_PARAGRAPH_MS : FRONT_PAUSE_SENTENCE_MS;
    if (o->sent_text.oom)
        o->oom = 1;
    return SZ_OK;
}

/* ---- languages ------------------------------------------------------------------ */

typedef struct front_lang {
    fe_nlang base;
    char latin[FE_LANG_MAX], han[FE_LANG_MAX], pass[FE_LANG_MAX];
    char json[8];
} front_lang;

static void front_lower(const char *s, char *d, size_t cap)
{
    size_t n = 0;
    for (; s[n] && n + 1 < cap; n++)
        d[n] = (char)(s[n] >= 'A' && s[n] <= 'Z' ? s[n] - 'A' + 'a' : s[n]);
    d[n] = 0;
}

static int front_is_english(const char *tag)
{
    return tag[0] == 'e' && tag[1] == 'n' && (tag[2] == 0 || tag[2] == '-');
}

static int front_latin_script(const char *primary)
{
    static const char *const other[] = {"ru", "uk", "bg", "sr", "mk", "be", "kk", "ky", "tt",
                                        "el", "ja", "ko", "ar", "fa", "ur", "he", "th", "hi",
                                        "mr", "ne", "ka", "hy", "am", "bn", "ta", "te", "kn",
                                        "ml", "gu", "pa", "si", "my", "zh", "cmn", "yue", NULL};
    for (int k = 0; other[k]; k++)
        if (strcmp(primary, other[k]) == 0)
            return 0;
    return 1;
}

/* A declared language (xml:lang or base_lang) to normalizer settings. */
static void front_declared(const char *declared, const fe_params *p, front_lang *l)
{
    char tag[FE_LANG_MAX], primary[FE_LANG_MAX];
    front_lower(declared, tag, sizeof tag);
    snprintf(primary, sizeof primary, "%s", tag);
    char *dash = strchr(primary, '-');
    if (dash)
        *dash = 0;
    snprintf(l->latin, sizeof l->latin, "%s", p->latin_lang);
    snprintf(l->han, sizeof l->han, "%s", p->han_lang);
    l->pass[0] = 0;
    if (!strcmp(primary, "yue") || !strcmp(tag, "zh-yue") || !strcmp(tag, "zh-hk")) {
        l->base = FE_NL_PASS;
        snprintf(l->pass, sizeof l->pass, "yue");
        snprintf(l->han, sizeof l->han, "yue");
        snprintf(l->json, sizeof l->json, "yue");
    } else if (!strcmp(primary, "zh") || !strcmp(primary, "cmn")) {
        l->base = FE_NL_ZH;
        snprintf(l->json, sizeof l->json, "zh");
    } else if (!strcmp(primary, "en")) {
        l->base = FE_NL_EN;
        if (strcmp(tag, "en") != 0)
            snprintf(l->latin, sizeof l->latin, "%s", tag);
        else if (!front_is_english(p->latin_lang))
            snprintf(l->latin, sizeof l->latin, "en-us");
        snprintf(l->json, sizeof l->json, "en");
    } else {
        l->base = FE_NL_PASS;
        snprintf(l->pass, sizeof l->pass, "%s", tag);
        if (front_latin_script(primary))
            snprintf(l->latin, sizeof l->latin, "%s", tag);
        snprintf(l->json, sizeof l->json, "%.7s", primary);
    }
}

/* The language of a sentence from its scripts: a Han character counts as
 * much as a word of another script (a URL is one word); Chinese wins ties,
 * other ties go to the script seen first. */
static void front_auto(const char *s, size_t len, const fe_params *p, front_lang *l)
{
    int counts[FE_CC_DROP + 1];
    memset(counts, 0, sizeof counts);
    fe_cc first = FE_CC_SPACE;
    fe_cc prev = FE_CC_SPACE;
    size_t i = 0;
    while (i < len) {
        size_t k;
        uint32_t cp = fe_next(s, len, i, &k);
        fe_cc c = fe_class(cp);
        if (c == FE_CC_HAN) {
            counts[c]++;
        } else if (fe_is_letter_class(c) && c != prev && prev != FE_CC_DIGIT &&
                   fe_prev(s, i, NULL) != 0xB0 && !(i > 0 && strchr(".@/-_:'", s[i - 1]))) {
            /* words glued to a number (500ml, 3pm, 5G) are units, not words */
            size_t k2;
            int lone_greek = c == FE_CC_GREEK && fe_class(fe_next(s, len, i + k, &k2)) != c;
            if (!lone_greek)
                counts[c]++; /* a word start; a lone π is a symbol */
        }
        if (fe_is_letter_class(c) && first == FE_CC_SPACE)
            first = c;
        if (c != FE_CC_MARK)
            prev = c;
        i += k ? k : 1;
    }
    fe_cc best = FE_CC_SPACE;
    int best_n = 0;
    for (int c = 0; c <= FE_CC_DROP; c++)
        if (counts[c] > best_n ||
            (counts[c] == best_n && best_n > 0 && ((fe_cc)c == first || c == FE_CC_HAN))) {
            best = (fe_cc)c;
            best_n = counts[c];
        }
    if (best == FE_CC_SPACE) {
        front_declared(p->default_base && p->default_base[0] ? p->default_base : "en", p, l);
        if (l->base == FE_NL_EN)
            snprintf(l->latin, sizeof l->latin, "%s", p->latin_lang);
        return;
    }
    if (best == FE_CC_HAN) {
        front_declared("zh", p, l);
        return;
    }
    if (best == FE_CC_LATIN) {
        if (front_is_english(p->latin_lang)) {
            front_declared("en", p, l);
            snprintf(l->latin, sizeof l->latin, "%s", p->latin_lang);
        } else {
            front_declared(p->latin_lang, p, l);
        }
        return;
    }
    static const struct {
        fe_cc c;
        const char *tag;
    } scripts[] = {{FE_CC_CYRILLIC, "ru"}, {FE_CC_GREEK, "el"},  {FE_CC_KANA, "ja"},
                   {FE_CC_HANGUL, "ko"},   {FE_CC_ARABIC, "ar"}, {FE_CC_HEBREW, "he"},
                   {FE_CC_THAI, "th"},     {FE_CC_DEVANAGARI, "hi"}};
    for (size_t k = 0; k < sizeof scripts / sizeof scripts[0]; k++)
        if (scripts[k].c == best) {
            front_declared(scripts[k].tag, p, l);
            return;
        }
    front_declared("en", p, l);
}

static void front_norm_setup(fe_norm *n, fe_out *o, const front_lang *l)
{
    n->out = o;
    n->base = l->base;
    n->latin_tag = l->latin;
    n->han_tag = l->han;
    n->base_tag = l->pass[0] ? l->pass : NULL;
}

/* ---- the whole document ------------------------------------------------------------ */

typedef struct front_cut {
    size_t end;
    fe_cut_kind kind;
} front_cut;

static char *front_trim_dup(fe_out *o, const char *s, size_t n)
{
    size_t a = 0, b = n;
    while (a < b && (s[a] == ' ' || s[a] == '\n' || s[a] == '\t' || s[a] == '\r'))
        a++;
    while (b > a && (s[b - 1] == ' ' || s[b - 1] == '\n' || s[b - 1] == '\t' || s[b - 1] == '\r'))
        b--;
    /* line breaks and runs of spaces become one space */
    char *d = (char *)front_keep(o, s + a, b - a);
    size_t w = 0;
    for (size_t r = 0; d[r]; r++) {
        char c = d[r] == '\n' || d[r] == '\r' || d[r] == '\t' ? ' ' : d[r];
        if (c == ' ' && w > 0 && d[w - 1] == ' ')
            continue;
        d[w++] = c;
    }
    d[w] = 0;
    return d;
}

static int front_run(const char *text, size_t len, const fe_params *p, fe_spans *spans, fe_out *o,
                     char *err, size_t errlen)
{
    (void)text;
    (void)len;
    int rc = SZ_OK;
    size_t ns = spans->n;
    size_t *ss = calloc(ns + 1, sizeof *ss), *se = calloc(ns + 1, sizeof *se);
    fe_buf content = {0};
    front_cut *cuts = NULL;
    size_t n_cuts = 0, cap_cuts = 0;
    if (!ss || !se) {
        rc = SZ_ERR_NO_MEMORY;
        goto done;
    }
    for (size_t k = 0; k < ns; k++) {
        fe_span *sp = &spans->v[k];
        switch (sp->kind) {
        case FE_SPAN_TEXT:
            ss[k] = content.n;
            fe_buf_add(&content, sp->text, sp->len);
            se[k] = content.n;
            break;
        case FE_SPAN_PHONES:
            fe_buf_add(&content, " ", 1);
            ss[k] = content.n;
            fe_buf_add(&content, sp->len ? sp->text : "x", sp->len ? sp->len : 1);
            se[k] = content.n;
            fe_buf_add(&content, " ", 1);
            break;
        case FE_SPAN_BREAK:
        case FE_SPAN_MARK:
            ss[k] = se[k] = content.n;
            fe_buf_add(&content, " ", 1);
            break;
        case FE_SPAN_BOUNDARY: {
            /* <s> ends a sentence (a line break), <p> a paragraph (a blank line) */
            int have = content.n && content.p[content.n - 1] == '\n';
            have += have && content.n > 1 && content.p[content.n - 2] == '\n';
            for (int want = sp->paragraph ? 2 : 1; have < want; have++)
                fe_buf_add(&content, "\n", 1);
            ss[k] = se[k] = content.n;
            break;
        }
        }
    }
    fe_buf_add(&content, "", 0);
    if (content.oom) {
        rc = SZ_ERR_NO_MEMORY;
        goto done;
    }
    /* sentences of the text content (spans are in content order, so each
     * loop below only looks at the spans near the sentence) */
    size_t pos = 0, q0 = 0;
    while (pos < content.n) {
        fe_cut_kind kind;
        size_t k = fe_segment_next(content.p + pos, content.n - pos, 1, 0, &kind);
        if (k == 0)
            break;
        size_t end = pos + k;
        while (q0 < ns && se[q0] <= pos)
            q0++;
        for (size_t q = q0; q < ns && ss[q] < end; q++) /* never inside a <phoneme> */
            if (spans->v[q].kind == FE_SPAN_PHONES && end > ss[q] && end < se[q])
                end = se[q];
        if (n_cuts == cap_cuts) {
            size_t cap = cap_cuts ? cap_cuts * 2 : 16;
            front_cut *v = realloc(cuts, cap * sizeof *v);
            if (!v) {
                rc = SZ_ERR_NO_MEMORY;
                goto done;
            }
            cuts = v;
            cap_cuts = cap;
        }
        cuts[n_cuts++] = (front_cut){end, kind};
        pos = end;
    }
    if (n_cuts == 0 || cuts[n_cuts - 1].end < content.n) {
        if (n_cuts == cap_cuts) {
            front_cut *v = realloc(cuts, (cap_cuts + 1) * sizeof *v);
            if (!v) {
                rc = SZ_ERR_NO_MEMORY;
                goto done;
            }
            cuts = v;
            cap_cuts++;
        }
        if (n_cuts > 0)
            cuts[n_cuts - 1].end = content.n; /* trailing space, marks: the last sentence */
        else
            cuts[n_cuts++] = (front_cut){content.n, FE_CUT_SENTENCE};
    }

    size_t a = 0, k0 = 0;
    for (size_t c = 0; c < n_cuts && !o->oom; c++) {
        size_t b = cuts[c].end;
        int last = c + 1 == n_cuts;
        while (k0 < ns && ss[k0] < a && se[k0] <= a)
            k0++;
        size_t k1 = k0; /* spans [k0, k1) touch this sentence */
        while (k1 < ns && (ss[k1] < b || (last && ss[k1] <= b)))
            k1++;
        /* the sentence's language: forced, declared, or from its scripts */
        front_lang sl;
        const char *declared = NULL;
        /* the first text decides (<speak xml:lang> covers all of it; a <lang>
         * inside a sentence only changes its own run) */
        for (size_t k = k0; k < k1; k++)
            if ((spans->v[k].kind == FE_SPAN_TEXT || spans->v[k].kind == FE_SPAN_PHONES) &&
                se[k] > a && ss[k] < b) {
                const char *t = content.p + (ss[k] > a ? ss[k] : a);
                size_t tl = (se[k] < b ? se[k] : b) - (ss[k] > a ? ss[k] : a), q = 0;
                while (q < tl && (t[q] == ' ' || t[q] == '\n' || t[q] == '\t' || t[q] == '\r'))
                    q++;
                if (q == tl)
                    continue; /* only spaces: look further */
                declared = spans->v[k].lang[0] ? spans->v[k].lang : NULL;
                break;
            }
        if (p->base_lang && p->base_lang[0])
            front_declared(p->base_lang, p, &sl);
        else if (declared)
            front_declared(declared, p, &sl);
        else
            front_auto(content.p + a, b - a, p, &sl);
        front_sentence_begin(o, front_trim_dup(o, content.p + a, b - a), sl.json);
        size_t last_text = ns;
        for (size_t k = k0; k < k1; k++)
            if ((spans->v[k].kind == FE_SPAN_TEXT || spans->v[k].kind == FE_SPAN_PHONES) &&
                se[k] > a && ss[k] < b)
                last_text = k;
        fe_norm n;
        memset(&n, 0, sizeof n);
        fe_norm_reset_context(&n);
        for (size_t k = k0; k < k1 && !o->oom; k++) {
            fe_span *sp = &spans->v[k];
            if (sp->kind == FE_SPAN_TEXT) {
                size_t pa = ss[k] > a ? ss[k] : a, pb = se[k] < b ? se[k] : b;
                if (pa >= pb)
                    continue;
                front_lang l = sl;
                if (sp->lang[0] && !(p->base_lang && p->base_lang[0]))
                    front_declared(sp->lang, p, &l);
                front_norm_setup(&n, o, &l);
                n.sayas = sp->sayas;
                snprintf(n.sayas_format, sizeof n.sayas_format, "%s", sp->sayas_format);
                n.sentence_final = k == last_text;
                o->prosody = sp->prosody;
                fe_normalize(&n, content.p + pa, pb - pa);
            } else if (ss[k] >= a && (ss[k] < b || (last && ss[k] <= b))) {
                if (sp->kind == FE_SPAN_PHONES) {
                    front_lang l = sl;
                    if (sp->lang[0])
                        front_declared(sp->lang, p, &l);
                    front_phones(o, l.base == FE_NL_PASS && l.pass[0] ? l.pass : l.latin, sp);
                } else if (sp->kind == FE_SPAN_BREAK) {
                    front_break(o, sp->break_ms);
                } else if (sp->kind == FE_SPAN_MARK) {
                    front_mark(o, sp->text, sp->len);
                }
            }
        }
        if ((rc = front_sentence_end(o, cuts[c].kind == FE_CUT_PARAGRAPH)) != SZ_OK)
            goto done;
        a = b;
    }
    front_close_run(o);
    if (o->oom)
        rc = SZ_ERR_NO_MEMORY;
done:
    if (rc == SZ_ERR_NO_MEMORY)
        snprintf(err, errlen, "out of memory");
    free(ss);
    free(se);
    free(cuts);
    fe_buf_free(&content);
    return rc;
}

int fe_process(const char *text, size_t len, const fe_params *params, fe_doc **out, char *err,
               size_t errlen)
{
    *out = NULL;
    fe_params p = params ? *params : fe_default_params();
    if (!p.latin_lang || !p.latin_lang[0])
        p.latin_lang = "en-us";
    if (!p.han_lang || !p.han_lang[0])
        p.han_lang = "cmn";
    if (len > FE_MAX_INPUT_BYTES) {
        snprintf(err, errlen, "text is %zu bytes, more than the limit of %u", len,
                 FE_MAX_INPUT_BYTES);
        return SZ_ERR_INVALID_ARG;
    }
    size_t bad;
    if (!utf8_valid(text, len, &bad)) {
        snprintf(err, errlen, "text is not valid UTF-8 (bad byte at offset %zu)", bad);
        return SZ_ERR_FORMAT;
    }
    if (memchr(text, 0, len)) {
        snprintf(err, errlen, "text contains a NUL byte");
        return SZ_ERR_FORMAT;
    }
    fe_spans spans;
    memset(&spans, 0, sizeof spans);
    int rc;
    if (p.ssml) {
        rc = fe_ssml_parse(text, len, &spans, err, errlen);
        if (rc != SZ_OK)
            return rc;
    } else {
        spans.v = calloc(1, sizeof *spans.v);
        char *copy = malloc(len + 1);
        if (!spans.v || !copy) {
            free(spans.v);
            free(copy);
            snprintf(err, errlen, "out of memory");
            return SZ_ERR_NO_MEMORY;
        }
        memcpy(copy, text, len);
        copy[len] = 0;
        spans.n = spans.cap = 1;
        spans.v[0].kind = FE_SPAN_TEXT;
        spans.v[0].text = copy;
        spans.v[0].len = len;
        spans.v[0].prosody = (fe_prosody){1, 1, 1};
    }
    fe_doc *doc = calloc(1, sizeof *doc);
    front_store *store = calloc(1, sizeof *store);
    fe_out *o = calloc(1, sizeof *o);
    if (!doc || !store || !o) {
        free(doc);
        free(store);
        free(o);
        fe_spans_free(&spans);
        snprintf(err, errlen, "out of memory");
        return SZ_ERR_NO_MEMORY;
    }
    doc->priv = store;
    o->doc = doc;
    o->store = store;
    o->pauses = p.pauses;
    o->prosody = (fe_prosody){1, 1, 1};
    rc = front_run(text, len, &p, &spans, o, err, errlen);
    fe_buf_free(&o->run);
    fe_buf_free(&o->sent_text);
    free(o);
    fe_spans_free(&spans);
    if (rc != SZ_OK) {
        fe_doc_free(&doc);
        return rc;
    }
    *out = doc;
    return SZ_OK;
}

void fe_doc_free(fe_doc **doc)
{
    if (!doc || !*doc)
        return;
    front_store *st = (*doc)->priv;
    if (st) {
        for (size_t k = 0; k < st->n; k++)
            free(st->strs[k]);
        free(st->strs);
        free(st);
    }
    free((*doc)->items);
    free((*doc)->sentences);
    free(*doc);
    *doc = NULL;
}

char *fe_doc_text(const fe_doc *doc)
{
    fe_buf b = {0};
    fe_buf_add(&b, "", 0);
    for (size_t k = 0; k < doc->n_sentences; k++) {
        const char *t = doc->sentences[k].text;
        size_t n = strlen(t);
        if (!n)
            continue;
        size_t q;
        if (b.n) {
            uint32_t last = fe_buf_last(&b), first = fe_next(t, n, 0, &q);
            fe_cc lc = fe_class(last), fc = fe_class(first);
            int cjk = (lc == FE_CC_HAN || fe_is_cjk_punct(last)) &&
                      (fc == FE_CC_HAN || fe_is_cjk_punct(first));
            if (!cjk)
                fe_buf_add(&b, " ", 1);
        }
        fe_buf_add(&b, t, n);
    }
    if (b.oom) {
        fe_buf_free(&b);
        return NULL;
    }
    return b.p;
}

int fe_ssml_check(const char *text, size_t len, char *err, size_t errlen)
{
    fe_spans spans;
    int rc = fe_ssml_parse(text, len, &spans, err, errlen);
    if (rc == SZ_OK)
        fe_spans_free(&spans);
    return rc;
}
