/* SPDX-License-Identifier: Apache-2.0 */
/* ssml.c: a strict parser for the SSML 1.1 subset shuzi speaks: <speak>,
 * <p>, <s>, <break time strength>, <prosody rate pitch volume>, <say-as
 * interpret-as format>, <sub alias>, <phoneme alphabet="ipa" ph>, <lang
 * xml:lang>, <mark name>, <emphasis level>. It turns a document into spans
 * (text with its prosody, language and say-as; breaks; marks) and rejects
 * anything else with its line and column. No DTDs, no external entities. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/utf8.h"
#include "tts/frontend/fe_internal.h"

#define SSML_MAX_DEPTH 64
#define SSML_MAX_ATTRS 8
#define SSML_MAX_NAME 32

typedef enum ssml_el {
    SSML_SPEAK,
    SSML_P,
    SSML_S,
    SSML_BREAK,
    SSML_PROSODY,
    SSML_SAYAS,
    SSML_SUB,
    SSML_PHONEME,
    SSML_LANG,
    SSML_MARK,
    SSML_EMPHASIS,
} ssml_el;

static const char *const ssml_names[] = {"speak",  "p",   "s",       "break", "prosody", "say-as",
                                         "sub",    "phoneme", "lang", "mark",  "emphasis"};

typedef struct ssml_frame {
    ssml_el el;
    fe_prosody prosody;
    char lang[FE_LANG_MAX];
    fe_sayas sayas;
    char sayas_format[8];
    size_t line, column;
    /* sub and phoneme: their text is collected, then becomes one span */
    fe_buf text;
    char *alias, *ph;
} ssml_frame;

typedef struct ssml_parser {
    const char *s;
    size_t len, pos;
    size_t line, column;
    fe_spans *out;
    ssml_frame stack[SSML_MAX_DEPTH];
    int depth;
    fe_buf text; /* text waiting to become a span */
    size_t text_line, text_column;
    long total_break_ms;
    char *err;
    size_t errlen;
    int failed;
} ssml_parser;

typedef struct ssml_attr {
    char name[SSML_MAX_NAME];
    fe_buf value;
    size_t line, column;
} ssml_attr;

static int ssml_fail(ssml_parser *p, size_t line, size_t column, const char *fmt, ...)
    SZ_PRINTF(4, 5);

static int ssml_fail(ssml_parser *p, size_t line, size_t column, const char *fmt, ...)
{
    if (p->failed)
        return SZ_ERR_FORMAT;
    p->failed = 1;
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    for (char *c = msg; *c; c++) /* quoted values stay on one line */
        if ((unsigned char)*c < 0x20 || *c == 0x7F)
            *c = ' ';
    snprintf(p->err, p->errlen, "ssml: line %zu, column %zu: %s", line, column, msg);
    return SZ_ERR_FORMAT;
}

static int ssml_eof(const ssml_parser *p) { return p->pos >= p->len; }

static char ssml_peek(const ssml_parser *p, size_t k)
{
    return p->pos + k < p->len ? p->s[p->pos + k] : 0;
}

static void ssml_advance(ssml_parser *p, size_t n)
{
    for (size_t k = 0; k < n && p->pos < p->len; k++) {
        unsigned char c = (unsigned char)p->s[p->pos++];
        if (c == '\n') {
            p->line++;
            p->column = 1;
        } else if ((c & 0xC0) != 0x80) {
            p->column++;
        }
    }
}

static int ssml_starts(const ssml_parser *p, const char *w)
{
    size_t l = strlen(w);
    return p->pos + l <= p->len && memcmp(p->s + p->pos, w, l) == 0;
}

static int ssml_is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

static void ssml_skip_space(ssml_parser *p)
{
    while (!ssml_eof(p) && ssml_is_space(ssml_peek(p, 0)))
        ssml_advance(p, 1);
}

static int ssml_name_char(char c, int first)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':')
        return 1;
    return !first && ((c >= '0' && c <= '9') || c == '-' || c == '.');
}

static int ssml_read_name(ssml_parser *p, char *name)
{
    size_t n = 0;
    if (!ssml_name_char(ssml_peek(p, 0), 1))
        return 0;
    while (!ssml_eof(p) && ssml_name_char(ssml_peek(p, 0), 0)) {
        if (n + 1 >= SSML_MAX_NAME)
            return 0;
        name[n++] = ssml_peek(p, 0);
        ssml_advance(p, 1);
    }
    name[n] = 0;
    return 1;
}

/* &amp; &lt; &gt; &quot; &apos; &#N; &#xH; at p->pos. */
static int ssml_entity(ssml_parser *p, fe_buf *b)
{
    size_t line = p->line, column = p->column;
    size_t end = p->pos + 1;
    while (end < p->len && end - p->pos < 12 && p->s[end] != ';' && !ssml_is_space(p->s[end]) &&
           p->s[end] != '<' && p->s[end] != '&')
        end++;
    if (end >= p->len || p->s[end] != ';')
        return ssml_fail(p, line, column, "'&' must start an entity such as &amp; (ends with ';')");
    const char *e = p->s + p->pos + 1;
    size_t n = end - p->pos - 1;
    static const struct {
        const char *name;
        char c;
    } named[] = {{"amp", '&'}, {"lt", '<'}, {"gt", '>'}, {"quot", '"'}, {"apos", '\''}};
    for (size_t k = 0; k < sizeof named / sizeof named[0]; k++)
        if (strlen(named[k].name) == n && memcmp(e, named[k].name, n) == 0) {
            fe_buf_add(b, &named[k].c, 1);
            ssml_advance(p, n + 2);
            return SZ_OK;
        }
    if (n >= 2 && e[0] == '#') {
        unsigned long v = 0;
        int hex = e[1] == 'x' || e[1] == 'X';
        size_t k = hex ? 2 : 1;
        if (k >= n)
            goto bad;
        for (; k < n; k++) {
            char c = e[k];
            int d;
            if (c >= '0' && c <= '9')
                d = c - '0';
            else if (hex && c >= 'a' && c <= 'f')
                d = c - 'a' + 10;
            else if (hex && c >= 'A' && c <= 'F')
                d = c - 'A' + 10;
            else
                goto bad;
            v = v * (hex ? 16 : 10) + (unsigned long)d;
            if (v > 0x10FFFF)
                goto bad;
        }
        if (v == 0 || (v >= 0xD800 && v <= 0xDFFF) || (v < 0x20 && v != 9 && v != 10 && v != 13))
            goto bad;
        fe_buf_cp(b, (uint32_t)v);
        ssml_advance(p, n + 2);
        return SZ_OK;
    }
bad:
    return ssml_fail(p, line, column, "unknown entity '&%.*s;' (use &amp; &lt; &gt; &quot; &apos; or &#N;)",
                     (int)n, e);
}

static ssml_frame *ssml_top(ssml_parser *p) { return p->depth ? &p->stack[p->depth - 1] : NULL; }

static fe_span *ssml_new_span(ssml_parser *p, fe_span_kind kind, size_t line, size_t column)
{
    fe_spans *o = p->out;
    if (o->n == o->cap) {
        size_t cap = o->cap ? o->cap * 2 : 16;
        fe_span *v = realloc(o->v, cap * sizeof *v);
        if (!v) {
            ssml_fail(p, line, column, "out of memory");
            return NULL;
        }
        o->v = v;
        o->cap = cap;
    }
    fe_span *sp = &o->v[o->n++];
    memset(sp, 0, sizeof *sp);
    sp->kind = kind;
    sp->line = line;
    sp->column = column;
    ssml_frame *f = ssml_top(p);
    if (f) {
        sp->prosody = f->prosody;
        snprintf(sp->lang, sizeof sp->lang, "%s", f->lang);
        sp->sayas = f->sayas;
        snprintf(sp->sayas_format, sizeof sp->sayas_format, "%s", f->sayas_format);
    } else {
        sp->prosody = (fe_prosody){1, 1, 1};
    }
    return sp;
}

static char *ssml_dup(const char *s, size_t n)
{
    char *d = malloc(n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = 0;
    }
    return d;
}

/* Pending text becomes a span with the context it was read in. */
static int ssml_flush_text(ssml_parser *p)
{
    if (p->text.oom)
        return ssml_fail(p, p->line, p->column, "out of memory");
    if (!p->text.n)
        return SZ_OK;
    fe_span *sp = ssml_new_span(p, FE_SPAN_TEXT, p->text_line, p->text_column);
    if (!sp)
        return SZ_ERR_NO_MEMORY;
    sp->text = ssml_dup(p->text.p, p->text.n);
    sp->len = p->text.n;
    p->text.n = 0;
    if (!sp->text)
        return ssml_fail(p, p->line, p->column, "out of memory");
    return SZ_OK;
}

/* ---- attribute values --------------------------------------------------- */

/* "500ms", "2s", "1.5s" */
static int ssml_parse_time(const char *v, int *ms)
{
    char *end;
    if (!v[0] || !((v[0] >= '0' && v[0] <= '9') || v[0] == '.'))
        return 0;
    double x = strtod(v, &end);
    if (end == v || !(x >= 0))
        return 0;
    if (strcmp(end, "ms") == 0)
        ;
    else if (strcmp(end, "s") == 0)
        x *= 1000.0;
    else
        return 0;
    if (x > 1e9)
        x = 1e9;
    *ms = (int)(x + 0.5);
    return 1;
}

int fe_break_strength_ms(const char *strength)
{
    static const struct {
        const char *name;
        int ms;
    } s[] = {{"none", 0},      {"x-weak", 100}, {"weak", 200},
             {"medium", 400},  {"strong", 700}, {"x-strong", 1200}};
    for (size_t k = 0; k < sizeof s / sizeof s[0]; k++)
        if (strcmp(strength, s[k].name) == 0)
            return s[k].ms;
    return -1;
}

/* A number with an optional sign and a unit suffix; returns 0 if malformed. */
static int ssml_signed(const char *v, double *x, const char **unit)
{
    char *end;
    if (!((v[0] >= '0' && v[0] <= '9') || v[0] == '+' || v[0] == '-' || v[0] == '.'))
        return 0;
    *x = strtod(v, &end);
    if (end == v || !isfinite(*x))
        return 0;
    *unit = end;
    return 1;
}

static int ssml_rate(const char *v, float *out)
{
    static const struct {
        const char *l;
        float f;
    } labels[] = {{"x-slow", 0.5f}, {"slow", 0.75f}, {"medium", 1.0f},
                  {"fast", 1.25f},  {"x-fast", 1.75f}, {"default", 1.0f}};
    for (size_t k = 0; k < sizeof labels / sizeof labels[0]; k++)
        if (strcmp(v, labels[k].l) == 0) {
            *out = labels[k].f;
            return 1;
        }
    double x;
    const char *u;
    if (!ssml_signed(v, &x, &u))
        return 0;
    int rel = v[0] == '+' || v[0] == '-';
    if (strcmp(u, "%") == 0)
        x = rel ? 1.0 + x / 100.0 : x / 100.0;
    else if (*u || rel)
        return 0;
    if (!(x > 0))
        return 0;
    *out = (float)x;
    return 1;
}

static int ssml_pitch(const char *v, float *out, int *hz)
{
    static const struct {
        const char *l;
        float f;
    } labels[] = {{"x-low", 0.7f}, {"low", 0.85f}, {"medium", 1.0f},
                  {"high", 1.15f}, {"x-high", 1.3f}, {"default", 1.0f}};
    *hz = 0;
    for (size_t k = 0; k < sizeof labels / sizeof labels[0]; k++)
        if (strcmp(v, labels[k].l) == 0) {
            *out = labels[k].f;
            return 1;
        }
    double x;
    const char *u;
    if (!ssml_signed(v, &x, &u))
        return 0;
    int rel = v[0] == '+' || v[0] == '-';
    if (strcmp(u, "%") == 0 && rel)
        x = 1.0 + x / 100.0;
    else if (strcmp(u, "%") == 0)
        x = x / 100.0;
    else if (strcmp(u, "st") == 0 && rel)
        x = pow(2.0, x / 12.0);
    else if (strcmp(u, "Hz") == 0) {
        *hz = 1;
        return 0;
    } else
        return 0;
    if (!(x > 0))
        return 0;
    *out = (float)x;
    return 1;
}

static int ssml_volume(const char *v, float *out)
{
    static const struct {
        const char *l;
        float f;
    } labels[] = {{"silent", 0.0f}, {"x-soft", 0.25f}, {"soft", 0.5f}, {"medium", 1.0f},
                  {"loud", 1.5f},   {"x-loud", 2.0f},  {"default", 1.0f}};
    for (size_t k = 0; k < sizeof labels / sizeof labels[0]; k++)
        if (strcmp(v, labels[k].l) == 0) {
            *out = labels[k].f;
            return 1;
        }
    double x;
    const char *u;
    if (!ssml_signed(v, &x, &u))
        return 0;
    int rel = v[0] == '+' || v[0] == '-';
    if (strcmp(u, "dB") == 0)
        x = pow(10.0, x / 20.0);
    else if (strcmp(u, "%") == 0 && !rel)
        x = x / 100.0;
    else if (!*u && !rel && x <= 100.0)
        x = x / 100.0; /* SSML 1.0: 0 to 100, 100 the default level */
    else
        return 0;
    if (!(x >= 0))
        return 0;
    *out = (float)x;
    return 1;
}

static int ssml_lang_tag(const char *v)
{
    size_t n = strlen(v), part = 0;
    if (n == 0 || n >= FE_LANG_MAX)
        return 0;
    for (size_t k = 0; k <= n; k++) {
        char c = v[k];
        if (c == '-' || c == 0) {
            if (part == 0 || part > 8)
                return 0;
            part = 0;
        } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
            part++;
        } else {
            return 0;
        }
    }
    return 1;
}

/* Characters that may appear in an IPA transcription. Returns the offset
 * (in characters) of the first one that may not, or -1. */
static long ssml_bad_ipa(const char *v, uint32_t *bad)
{
    size_t n = strlen(v), i = 0;
    long chars = 0;
    while (i < n) {
        size_t k;
        uint32_t cp = fe_next(v, n, i, &k);
        int ok = (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || cp == ' ' ||
                 cp == '.' || cp == '|' || cp == '\'' || cp == ',' || cp == ':' ||
                 (cp >= 0x250 && cp <= 0x36F) || cp == 0xE6 || cp == 0xE7 || cp == 0xF0 ||
                 cp == 0xF8 || cp == 0x153 || cp == 0x14B || cp == 0x127 || cp == 0x3B2 ||
                 cp == 0x3B8 || cp == 0x3C7 || cp == 0x2016 || cp == 0x1D7B || cp == 0x1D7F ||
                 cp == 0x2C71 || cp == 0x2197 || cp == 0x2198 || (cp >= 0x1D00 && cp <= 0x1DBF);
        if (!ok) {
            *bad = cp;
            return chars;
        }
        i += k;
        chars++;
    }
    return -1;
}

/* ---- elements ------------------------------------------------------------ */

static int ssml_find_el(const char *name, ssml_el *el)
{
    for (size_t k = 0; k < sizeof ssml_names / sizeof ssml_names[0]; k++)
        if (strcmp(name, ssml_names[k]) == 0) {
            *el = (ssml_el)k;
            return 1;
        }
    return 0;
}

static const char *ssml_attr_get(ssml_attr *attrs, int n, const char *name)
{
    for (int k = 0; k < n; k++)
        if (strcmp(attrs[k].name, name) == 0)
            return attrs[k].value.p ? attrs[k].value.p : "";
    return NULL;
}

static ssml_attr *ssml_attr_find(ssml_attr *attrs, int n, const char *name)
{
    for (int k = 0; k < n; k++)
        if (strcmp(attrs[k].name, name) == 0)
            return &attrs[k];
    return NULL;
}

/* Every attribute must be one the element knows (xmlns ones are ignored). */
static int ssml_check_attrs(ssml_parser *p, ssml_el el, ssml_attr *attrs, int n)
{
    static const char *const allowed[][6] = {
        [SSML_SPEAK] = {"version", "xml:lang", "xml:base", "xsi:schemaLocation", "onlangfailure", NULL},
        [SSML_P] = {"xml:lang", NULL},
        [SSML_S] = {"xml:lang", NULL},
        [SSML_BREAK] = {"time", "strength", NULL},
        [SSML_PROSODY] = {"rate", "pitch", "volume", NULL},
        [SSML_SAYAS] = {"interpret-as", "format", "detail", NULL},
        [SSML_SUB] = {"alias", NULL},
        [SSML_PHONEME] = {"alphabet", "ph", NULL},
        [SSML_LANG] = {"xml:lang", "onlangfailure", NULL},
        [SSML_MARK] = {"name", NULL},
        [SSML_EMPHASIS] = {"level", NULL},
    };
    for (int k = 0; k < n; k++) {
        if (strcmp(attrs[k].name, "xmlns") == 0 || strncmp(attrs[k].name, "xmlns:", 6) == 0)
            continue;
        int ok = 0;
        for (int q = 0; q < 6 && allowed[el][q]; q++)
            ok |= strcmp(attrs[k].name, allowed[el][q]) == 0;
        if (!ok)
            return ssml_fail(p, attrs[k].line, attrs[k].column,
                             "<%s> has no attribute '%s'", ssml_names[el], attrs[k].name);
    }
    return SZ_OK;
}

static float ssml_clamp(float v, float lo, float hi, const char *what)
{
    if (v < lo || v > hi) {
        SZ_LOGW("tts", "ssml: %s %.2f is outside [%.2f, %.2f]: clamped", what, v, lo, hi);
        return v < lo ? lo : hi;
    }
    return v;
}

static int ssml_start(ssml_parser *p, ssml_el el, ssml_attr *attrs, int na, int empty,
                      size_t line, size_t column)
{
    int rc = ssml_check_attrs(p, el, attrs, na);
    if (rc != SZ_OK)
        return rc;
    ssml_frame *parent = ssml_top(p);
    if (parent && (parent->el == SSML_SUB || parent->el == SSML_PHONEME ||
                   parent->el == SSML_SAYAS))
        return ssml_fail(p, line, column, "<%s> may contain only text, not <%s>",
                         ssml_names[parent->el], ssml_names[el]);
    if (el == SSML_SPEAK && parent)
        return ssml_fail(p, line, column, "<speak> may not be nested");
    if (el == SSML_P && parent && (parent->el == SSML_P || parent->el == SSML_S))
        return ssml_fail(p, line, column, "<p> may not be inside <%s>", ssml_names[parent->el]);
    if (el == SSML_S && parent && parent->el == SSML_S)
        return ssml_fail(p, line, column, "<s> may not be inside <s>");

    if (el == SSML_BREAK || el == SSML_MARK) {
        if (!empty)
            return ssml_fail(p, line, column, "<%s> must be empty: write <%s .../>",
                             ssml_names[el], ssml_names[el]);
        if ((rc = ssml_flush_text(p)) != SZ_OK)
            return rc;
        if (el == SSML_BREAK) {
            const char *t = ssml_attr_get(attrs, na, "time");
            const char *st = ssml_attr_get(attrs, na, "strength");
            int ms = 400;
            if (st) {
                ms = fe_break_strength_ms(st);
                if (ms < 0) {
                    ssml_attr *a = ssml_attr_find(attrs, na, "strength");
                    return ssml_fail(p, a->line, a->column,
                                     "break strength '%s': expected none, x-weak, weak, medium, "
                                     "strong or x-strong", st);
                }
            }
            if (t) {
                ssml_attr *a = ssml_attr_find(attrs, na, "time");
                if (!ssml_parse_time(t, &ms))
                    return ssml_fail(p, a->line, a->column,
                                     "break time '%s': expected a duration like 500ms or 2s", t);
                if (ms > FE_MAX_BREAK_MS)
                    return ssml_fail(p, a->line, a->column,
                                     "break time '%s' is longer than %d s", t,
                                     FE_MAX_BREAK_MS / 1000);
            }
            p->total_break_ms += ms;
            if (p->total_break_ms > FE_MAX_TOTAL_BREAK_MS)
                return ssml_fail(p, line, column, "breaks add up to more than %d s",
                                 FE_MAX_TOTAL_BREAK_MS / 1000);
            fe_span *sp = ssml_new_span(p, FE_SPAN_BREAK, line, column);
            if (!sp)
                return SZ_ERR_NO_MEMORY;
            sp->break_ms = ms;
        } else {
            const char *name = ssml_attr_get(attrs, na, "name");
            if (!name || !name[0])
                return ssml_fail(p, line, column, "<mark> needs a name=\"...\"");
            if (strlen(name) > FE_MAX_NAME_BYTES)
                return ssml_fail(p, line, column, "mark name is longer than %d bytes",
                                 FE_MAX_NAME_BYTES);
            fe_span *sp = ssml_new_span(p, FE_SPAN_MARK, line, column);
            if (!sp)
                return SZ_ERR_NO_MEMORY;
            sp->text = ssml_dup(name, strlen(name));
            if (!sp->text)
                return ssml_fail(p, line, column, "out of memory");
            sp->len = strlen(name);
        }
        return SZ_OK;
    }

    if (p->depth >= SSML_MAX_DEPTH)
        return ssml_fail(p, line, column, "elements nested deeper than %d", SSML_MAX_DEPTH);
    if ((rc = ssml_flush_text(p)) != SZ_OK)
        return rc;
    ssml_frame f;
    memset(&f, 0, sizeof f);
    if (parent) {
        f.prosody = parent->prosody;
        memcpy(f.lang, parent->lang, sizeof f.lang);
        f.sayas = parent->sayas;
        memcpy(f.sayas_format, parent->sayas_format, sizeof f.sayas_format);
    } else {
        f.prosody = (fe_prosody){1, 1, 1};
    }
    f.el = el;
    f.line = line;
    f.column = column;

    const char *lang = ssml_attr_get(attrs, na, "xml:lang");
    if (lang) {
        if (!ssml_lang_tag(lang)) {
            ssml_attr *a = ssml_attr_find(attrs, na, "xml:lang");
            return ssml_fail(p, a->line, a->column,
                             "xml:lang '%s': expected a language tag like en-US or zh-CN", lang);
        }
        snprintf(f.lang, sizeof f.lang, "%s", lang);
    } else if (el == SSML_LANG) {
        return ssml_fail(p, line, column, "<lang> needs xml:lang=\"...\"");
    }

    switch (el) {
    case SSML_PROSODY: {
        const char *r = ssml_attr_get(attrs, na, "rate");
        const char *pi = ssml_attr_get(attrs, na, "pitch");
        const char *v = ssml_attr_get(attrs, na, "volume");
        float x;
        if (r) {
            if (!ssml_rate(r, &x)) {
                ssml_attr *a = ssml_attr_find(attrs, na, "rate");
                return ssml_fail(p, a->line, a->column,
                                 "prosody rate '%s': expected x-slow, slow, medium, fast, x-fast "
                                 "or a percentage like 120%%", r);
            }
            f.prosody.rate = ssml_clamp(f.prosody.rate * x, 0.3f, 3.0f, "prosody rate");
        }
        if (pi) {
            int hz;
            if (!ssml_pitch(pi, &x, &hz)) {
                ssml_attr *a = ssml_attr_find(attrs, na, "pitch");
                return ssml_fail(p, a->line, a->column,
                                 hz ? "prosody pitch '%s': pitch in Hz is not supported; use "
                                      "+10%%, -2st or x-low ... x-high"
                                    : "prosody pitch '%s': expected x-low, low, medium, high, "
                                      "x-high, +10%% or -2st", pi);
            }
            f.prosody.pitch = ssml_clamp(f.prosody.pitch * x, 0.5f, 2.0f, "prosody pitch");
        }
        if (v) {
            if (!ssml_volume(v, &x)) {
                ssml_attr *a = ssml_attr_find(attrs, na, "volume");
                return ssml_fail(p, a->line, a->column,
                                 "prosody volume '%s': expected silent, x-soft, soft, medium, "
                                 "loud, x-loud or +6dB", v);
            }
            f.prosody.volume = ssml_clamp(f.prosody.volume * x, 0.0f, 4.0f, "prosody volume");
        }
        break;
    }
    case SSML_EMPHASIS: {
        const char *lv = ssml_attr_get(attrs, na, "level");
        static const struct {
            const char *l;
            fe_prosody pr;
        } levels[] = {{"strong", {0.9f, 1.1f, 1.25f}},  {"moderate", {0.95f, 1.05f, 1.1f}},
                      {"none", {1.0f, 1.0f, 1.0f}},     {"reduced", {1.05f, 0.95f, 0.8f}}};
        int k = 1;
        if (lv) {
            for (k = 0; k < 4 && strcmp(lv, levels[k].l) != 0; k++)
                ;
            if (k == 4) {
                ssml_attr *a = ssml_attr_find(attrs, na, "level");
                return ssml_fail(p, a->line, a->column,
                                 "emphasis level '%s': expected strong, moderate, none or reduced",
                                 lv);
            }
        }
        f.prosody.rate = ssml_clamp(f.prosody.rate * levels[k].pr.rate, 0.3f, 3.0f, "rate");
        f.prosody.pitch = ssml_clamp(f.prosody.pitch * levels[k].pr.pitch, 0.5f, 2.0f, "pitch");
        f.prosody.volume = ssml_clamp(f.prosody.volume * levels[k].pr.volume, 0.0f, 4.0f,
                                      "volume");
        break;
    }
    case SSML_SAYAS: {
        static const struct {
            const char *name;
            fe_sayas v;
        } kinds[] = {{"characters", FE_SAYAS_CHARACTERS}, {"spell-out", FE_SAYAS_CHARACTERS},
                     {"digits", FE_SAYAS_DIGITS},         {"cardinal", FE_SAYAS_CARDINAL},
                     {"number", FE_SAYAS_CARDINAL},       {"ordinal", FE_SAYAS_ORDINAL},
                     {"date", FE_SAYAS_DATE},             {"time", FE_SAYAS_TIME},
                     {"telephone", FE_SAYAS_TELEPHONE},   {"currency", FE_SAYAS_CURRENCY}};
        const char *ia = ssml_attr_get(attrs, na, "interpret-as");
        if (!ia)
            return ssml_fail(p, line, column, "<say-as> needs interpret-as=\"...\"");
        size_t k = 0;
        for (; k < sizeof kinds / sizeof kinds[0] && strcmp(ia, kinds[k].name) != 0; k++)
            ;
        if (k == sizeof kinds / sizeof kinds[0]) {
            ssml_attr *a = ssml_attr_find(attrs, na, "interpret-as");
            return ssml_fail(p, a->line, a->column,
                             "say-as interpret-as '%s': expected characters, digits, cardinal, "
                             "ordinal, date, time, telephone or currency", ia);
        }
        f.sayas = kinds[k].v;
        const char *fmt = ssml_attr_get(attrs, na, "format");
        f.sayas_format[0] = 0;
        if (fmt && f.sayas == FE_SAYAS_DATE) {
            static const char *const ok[] = {"mdy", "dmy", "ymd", "md", "dm", "ym", "my", "y",
                                             "m",   "d",   "ydm", NULL};
            int good = 0;
            for (int q = 0; ok[q]; q++)
                good |= strcmp(fmt, ok[q]) == 0;
            if (!good) {
                ssml_attr *a = ssml_attr_find(attrs, na, "format");
                return ssml_fail(p, a->line, a->column,
                                 "say-as date format '%s': expected mdy, dmy, ymd, md, dm, ym, "
                                 "my, y, m or d", fmt);
            }
            snprintf(f.sayas_format, sizeof f.sayas_format, "%s", fmt);
        }
        break;
    }
    case SSML_SUB: {
        const char *alias = ssml_attr_get(attrs, na, "alias");
        if (!alias)
            return ssml_fail(p, line, column, "<sub> needs alias=\"...\"");
        f.alias = ssml_dup(alias, strlen(alias));
        if (!f.alias)
            return ssml_fail(p, line, column, "out of memory");
        break;
    }
    case SSML_PHONEME: {
        const char *alpha = ssml_attr_get(attrs, na, "alphabet");
        const char *ph = ssml_attr_get(attrs, na, "ph");
        if (alpha && strcmp(alpha, "ipa") != 0) {
            ssml_attr *a = ssml_attr_find(attrs, na, "alphabet");
            return ssml_fail(p, a->line, a->column,
                             "phoneme alphabet '%s' is not supported (only ipa)", alpha);
        }
        if (!ph || !ph[0])
            return ssml_fail(p, line, column, "<phoneme> needs ph=\"...\" (IPA)");
        uint32_t bad;
        long at = ssml_bad_ipa(ph, &bad);
        if (at >= 0) {
            ssml_attr *a = ssml_attr_find(attrs, na, "ph");
            char c[5] = {0};
            fe_put_utf8(c, bad);
            return ssml_fail(p, a->line, a->column,
                             "phoneme ph: '%s' (character %ld) is not an IPA symbol", c, at + 1);
        }
        f.ph = ssml_dup(ph, strlen(ph));
        if (!f.ph)
            return ssml_fail(p, line, column, "out of memory");
        break;
    }
    default:
        break;
    }
    if (el == SSML_P || el == SSML_S) {
        fe_span *sp = ssml_new_span(p, FE_SPAN_BOUNDARY, line, column);
        if (!sp) {
            free(f.alias);
            free(f.ph);
            return SZ_ERR_NO_MEMORY;
        }
        sp->paragraph = el == SSML_P;
    }
    p->stack[p->depth++] = f;
    return SZ_OK;
}

static int ssml_end(ssml_parser *p, ssml_el el, size_t line, size_t column)
{
    ssml_frame *f = ssml_top(p);
    if (!f)
        return ssml_fail(p, line, column, "</%s> closes nothing", ssml_names[el]);
    if (f->el != el)
        return ssml_fail(p, line, column, "expected </%s> (opened at line %zu, column %zu), found </%s>",
                         ssml_names[f->el], f->line, f->column, ssml_names[el]);
    int rc = SZ_OK;
    if (el == SSML_SUB || el == SSML_PHONEME) {
        /* the text inside was collected in the frame */
        p->text.n = 0;
        if (el == SSML_SUB) {
            if (f->alias[0]) {
                fe_span *sp = ssml_new_span(p, FE_SPAN_TEXT, f->line, f->column);
                if (!sp)
                    rc = SZ_ERR_NO_MEMORY;
                else {
                    sp->text = f->alias;
                    sp->len = strlen(f->alias);
                    f->alias = NULL;
                }
            }
        } else {
            fe_span *sp = ssml_new_span(p, FE_SPAN_PHONES, f->line, f->column);
            if (!sp)
                rc = SZ_ERR_NO_MEMORY;
            else {
                sp->ipa = f->ph;
                f->ph = NULL;
                size_t a = 0, b = f->text.n;
                while (a < b && ssml_is_space(f->text.p[a]))
                    a++;
                while (b > a && ssml_is_space(f->text.p[b - 1]))
                    b--;
                sp->text = ssml_dup(f->text.p ? f->text.p + a : "", b - a);
                sp->len = b - a;
                if (!sp->text)
                    rc = ssml_fail(p, line, column, "out of memory");
            }
        }
    } else {
        rc = ssml_flush_text(p);
    }
    free(f->alias);
    free(f->ph);
    fe_buf_free(&f->text);
    p->depth--;
    if (rc == SZ_OK && (el == SSML_P || el == SSML_S)) {
        fe_span *sp = ssml_new_span(p, FE_SPAN_BOUNDARY, line, column);
        if (!sp)
            return SZ_ERR_NO_MEMORY;
        sp->paragraph = el == SSML_P;
    }
    return p->failed ? SZ_ERR_FORMAT : rc;
}

/* Reads <name attr="v" ...> or </name> at p->pos ('<'). */
static int ssml_tag(ssml_parser *p, int *root_done)
{
    size_t line = p->line, column = p->column;
    ssml_advance(p, 1);
    int closing = 0;
    if (ssml_peek(p, 0) == '/') {
        closing = 1;
        ssml_advance(p, 1);
    }
    char name[SSML_MAX_NAME];
    if (!ssml_read_name(p, name))
        return ssml_fail(p, p->line, p->column, "expected an element name after '<'");
    ssml_el el;
    if (!ssml_find_el(name, &el)) {
        if (strcmp(name, "voice") == 0)
            return ssml_fail(p, line, column,
                             "<voice> is not supported: choose the voice with --voice");
        return ssml_fail(p, line, column,
                         "unsupported element <%s> (shuzi speaks speak, p, s, break, prosody, "
                         "say-as, sub, phoneme, lang, mark, emphasis)", name);
    }
    if (p->depth == 0 && !closing && el != SSML_SPEAK)
        return ssml_fail(p, line, column, "the document must start with <speak>, not <%s>", name);
    if (closing) {
        ssml_skip_space(p);
        if (ssml_peek(p, 0) != '>')
            return ssml_fail(p, p->line, p->column, "expected '>' to end </%s>", name);
        ssml_advance(p, 1);
        int rc = ssml_end(p, el, line, column);
        if (rc == SZ_OK && p->depth == 0)
            *root_done = 1;
        return rc;
    }
    ssml_attr attrs[SSML_MAX_ATTRS];
    int na = 0, rc = SZ_OK, empty = 0;
    for (;;) {
        int had_space = ssml_is_space(ssml_peek(p, 0));
        ssml_skip_space(p);
        if (ssml_eof(p)) {
            rc = ssml_fail(p, line, column, "<%s> is not closed with '>'", name);
            break;
        }
        char c = ssml_peek(p, 0);
        if (c == '>') {
            ssml_advance(p, 1);
            break;
        }
        if (c == '/' && ssml_peek(p, 1) == '>') {
            ssml_advance(p, 2);
            empty = 1;
            break;
        }
        if (!had_space) {
            rc = ssml_fail(p, p->line, p->column, "expected a space, '>' or '/>' in <%s>", name);
            break;
        }
        if (na == SSML_MAX_ATTRS) {
            rc = ssml_fail(p, p->line, p->column, "too many attributes in <%s>", name);
            break;
        }
        ssml_attr *a = &attrs[na];
        memset(a, 0, sizeof *a);
        a->line = p->line;
        a->column = p->column;
        if (!ssml_read_name(p, a->name)) {
            rc = ssml_fail(p, p->line, p->column, "expected an attribute name in <%s>", name);
            break;
        }
        na++;
        for (int k = 0; k < na - 1; k++)
            if (strcmp(attrs[k].name, a->name) == 0) {
                rc = ssml_fail(p, a->line, a->column, "attribute '%s' appears twice", a->name);
                break;
            }
        if (rc != SZ_OK)
            break;
        ssml_skip_space(p);
        if (ssml_peek(p, 0) != '=') {
            rc = ssml_fail(p, p->line, p->column, "expected '=' after attribute '%s'", a->name);
            break;
        }
        ssml_advance(p, 1);
        ssml_skip_space(p);
        char q = ssml_peek(p, 0);
        if (q != '"' && q != '\'') {
            rc = ssml_fail(p, p->line, p->column, "attribute '%s': expected a quoted value",
                           a->name);
            break;
        }
        ssml_advance(p, 1);
        fe_buf_add(&a->value, "", 0);
        while (!ssml_eof(p) && ssml_peek(p, 0) != q) {
            char d = ssml_peek(p, 0);
            if (d == '<') {
                rc = ssml_fail(p, p->line, p->column, "'<' is not allowed in attribute '%s'",
                               a->name);
                break;
            }
            if (d == '&') {
                if ((rc = ssml_entity(p, &a->value)) != SZ_OK)
                    break;
                continue;
            }
            fe_buf_add(&a->value, &d, 1);
            ssml_advance(p, 1);
        }
        if (rc != SZ_OK)
            break;
        if (ssml_eof(p)) {
            rc = ssml_fail(p, a->line, a->column, "attribute '%s': the value is not closed",
                           a->name);
            break;
        }
        if (a->value.oom) {
            rc = ssml_fail(p, a->line, a->column, "out of memory");
            break;
        }
        ssml_advance(p, 1);
    }
    if (rc == SZ_OK)
        rc = ssml_start(p, el, attrs, na, empty, line, column);
    for (int k = 0; k < na; k++)
        fe_buf_free(&attrs[k].value);
    if (rc == SZ_OK && empty && el != SSML_BREAK && el != SSML_MARK) {
        rc = ssml_end(p, el, line, column); /* <prosody/>, <sub alias="x"/>: no content */
        if (rc == SZ_OK && p->depth == 0)
            *root_done = 1;
    }
    return rc;
}

/* <!-- ... --> at p->pos. */
static int ssml_comment(ssml_parser *p)
{
    size_t line = p->line, column = p->column;
    ssml_advance(p, 4);
    while (!ssml_eof(p)) {
        if (ssml_starts(p, "-->")) {
            ssml_advance(p, 3);
            return SZ_OK;
        }
        if (ssml_starts(p, "--"))
            return ssml_fail(p, p->line, p->column, "'--' is not allowed inside a comment");
        ssml_advance(p, 1);
    }
    return ssml_fail(p, line, column, "the comment is not closed with '-->'");
}

/* <?...?> at p->pos. */
static int ssml_pi(ssml_parser *p)
{
    size_t line = p->line, column = p->column;
    ssml_advance(p, 2);
    while (!ssml_eof(p)) {
        if (ssml_starts(p, "?>")) {
            ssml_advance(p, 2);
            return SZ_OK;
        }
        ssml_advance(p, 1);
    }
    return ssml_fail(p, line, column, "'<?' is not closed with '?>'");
}

/* Text goes to the open <sub>/<phoneme> or to the pending text. */
static fe_buf *ssml_text_sink(ssml_parser *p)
{
    ssml_frame *f = ssml_top(p);
    if (f && (f->el == SSML_SUB || f->el == SSML_PHONEME))
        return &f->text;
    if (!p->text.n) {
        p->text_line = p->line;
        p->text_column = p->column;
    }
    return &p->text;
}

static int ssml_run(ssml_parser *p)
{
    if (ssml_starts(p, "\xEF\xBB\xBF"))
        p->pos += 3;
    int root_done = 0, root_seen = 0, rc;
    while (!ssml_eof(p)) {
        char c = ssml_peek(p, 0);
        if (c == '<') {
            if (ssml_starts(p, "<!--")) {
                if ((rc = ssml_comment(p)) != SZ_OK)
                    return rc;
                continue;
            }
            if (ssml_starts(p, "<?")) {
                if ((rc = ssml_pi(p)) != SZ_OK)
                    return rc;
                continue;
            }
            if (ssml_starts(p, "<!DOCTYPE") || ssml_starts(p, "<!ENTITY"))
                return ssml_fail(p, p->line, p->column,
                                 "DOCTYPE and ENTITY declarations are not allowed");
            if (ssml_starts(p, "<![CDATA[")) {
                if (!root_seen || root_done)
                    return ssml_fail(p, p->line, p->column, "CDATA outside <speak>");
                size_t line = p->line, column = p->column;
                ssml_advance(p, 9);
                fe_buf *b = ssml_text_sink(p);
                while (!ssml_eof(p) && !ssml_starts(p, "]]>")) {
                    fe_buf_add(b, p->s + p->pos, 1);
                    ssml_advance(p, 1);
                }
                if (ssml_eof(p))
                    return ssml_fail(p, line, column, "CDATA is not closed with ']]>'");
                ssml_advance(p, 3);
                continue;
            }
            if (root_done)
                return ssml_fail(p, p->line, p->column,
                                 "only one <speak> element is allowed; found more after </speak>");
            if ((rc = ssml_tag(p, &root_done)) != SZ_OK)
                return rc;
            root_seen = 1;
            continue;
        }
        if (!root_seen || root_done) {
            if (!ssml_is_space(c))
                return ssml_fail(p, p->line, p->column,
                                 root_seen ? "text after </speak>"
                                           : "expected <speak> (use plain text without --ssml)");
            ssml_advance(p, 1);
            continue;
        }
        if (c == '&') {
            if ((rc = ssml_entity(p, ssml_text_sink(p))) != SZ_OK)
                return rc;
            continue;
        }
        fe_buf *b = ssml_text_sink(p);
        size_t start = p->pos;
        while (!ssml_eof(p) && ssml_peek(p, 0) != '<' && ssml_peek(p, 0) != '&')
            ssml_advance(p, 1);
        fe_buf_add(b, p->s + start, p->pos - start);
        if (b->oom)
            return ssml_fail(p, p->line, p->column, "out of memory");
    }
    if (!root_seen)
        return ssml_fail(p, p->line, p->column, "the document is empty: expected <speak>");
    if (!root_done) {
        ssml_frame *f = ssml_top(p);
        return ssml_fail(p, p->line, p->column,
                         "unexpected end of the document: <%s> (line %zu, column %zu) is not "
                         "closed", f ? ssml_names[f->el] : "speak", f ? f->line : 1,
                         f ? f->column : 1);
    }
    return ssml_flush_text(p);
}

int fe_ssml_parse(const char *text, size_t len, fe_spans *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    size_t bad;
    if (len > FE_MAX_INPUT_BYTES) {
        snprintf(err, errlen, "ssml: the document is %zu bytes, more than the limit of %u", len,
                 FE_MAX_INPUT_BYTES);
        return SZ_ERR_INVALID_ARG;
    }
    if (!utf8_valid(text, len, &bad)) {
        snprintf(err, errlen, "ssml: not valid UTF-8 (byte %zu)", bad);
        return SZ_ERR_FORMAT;
    }
    if (memchr(text, 0, len)) {
        snprintf(err, errlen, "ssml: the document contains a NUL byte");
        return SZ_ERR_FORMAT;
    }
    ssml_parser *p = calloc(1, sizeof *p);
    if (!p) {
        snprintf(err, errlen, "out of memory");
        return SZ_ERR_NO_MEMORY;
    }
    p->s = text;
    p->len = len;
    p->line = 1;
    p->column = 1;
    p->out = out;
    p->err = err;
    p->errlen = errlen;
    int rc = ssml_run(p);
    while (p->depth > 0) {
        ssml_frame *f = &p->stack[--p->depth];
        free(f->alias);
        free(f->ph);
        fe_buf_free(&f->text);
    }
    fe_buf_free(&p->text);
    if (rc == SZ_OK && p->failed)
        rc = SZ_ERR_FORMAT;
    free(p);
    if (rc != SZ_OK)
        fe_spans_free(out);
    return rc;
}

void fe_spans_free(fe_spans *s)
{
    for (size_t k = 0; k < s->n; k++) {
        free(s->v[k].text);
        free(s->v[k].ipa);
    }
    free(s->v);
    memset(s, 0, sizeof *s);
}
