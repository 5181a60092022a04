/* SPDX-License-Identifier: Apache-2.0 */
/* subtitles.c: cues from sentence and word marks (subtitles.h): split long
 * sentences at word boundaries by display width, time each part from the
 * word marks (or by its share of the characters when words cannot be
 * matched), wrap into lines, and write SRT or WebVTT. */
#include "stream/subtitles.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "core/file.h"
#include "core/utf8.h"

#define SUBS_VALUE_CAP 250 /* a sentence value this long may have been cut */

typedef struct subs_cue {
    int64_t start, end;
    char *text;
} subs_cue;

typedef struct subs_list {
    subs_cue *c;
    int n, cap;
    int oom;
} subs_list;

subs_opts subs_default_opts(void)
{
    subs_opts o = {.max_line_cols = 42, .max_lines = 2, .min_cue_ms = 800};
    return o;
}

int subs_path_ok(const char *path)
{
    size_t n = strlen(path);
    return n > 4 &&
           (strcasecmp(path + n - 4, ".srt") == 0 || strcasecmp(path + n - 4, ".vtt") == 0);
}

static unsigned subs_cp(const char *s, size_t n, size_t *len)
{
    const unsigned char *u = (const unsigned char *)s;
    unsigned c = u[0];
    size_t k = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : 4;
    if (k > n)
        k = 1;
    if (k == 1) {
        *len = 1;
        return c;
    }
    c &= k == 2 ? 0x1F : k == 3 ? 0x0F : 0x07;
    for (size_t i = 1; i < k; i++)
        c = (c << 6) | (u[i] & 0x3F);
    *len = k;
    return c;
}

static int subs_wide(unsigned c)
{
    return (c >= 0x1100 && c <= 0x115F) || (c >= 0x2E80 && c <= 0xA4CF) ||
           (c >= 0xAC00 && c <= 0xD7A3) || (c >= 0xF900 && c <= 0xFAFF) ||
           (c >= 0xFE30 && c <= 0xFE4F) || (c >= 0xFF00 && c <= 0xFF60) ||
           (c >= 0xFFE0 && c <= 0xFFE6) || (c >= 0x20000 && c <= 0x3FFFD);
}

/* Where a line or cue may break before byte i of s (i > 0). */
static int subs_can_break(const char *s, size_t i, size_t n)
{
    if (i == 0 || i >= n)
        return 0;
    if (s[i - 1] == ' ')
        return 1;
    size_t l;
    size_t p = i - 1;
    while (p > 0 && ((unsigned char)s[p] & 0xC0) == 0x80)
        p--;
    unsigned prev = subs_cp(s + p, n - p, &l);
    unsigned next = subs_cp(s + i, n - i, &l);
    /* between wide characters, but never before CJK punctuation */
    int next_punct = (next >= 0x3000 && next <= 0x303F) || (next >= 0xFF00 && next <= 0xFF0F) ||
                     next == 0xFF1A || next == 0xFF1B || next == 0xFF1F || next == 0xFF01;
    return (subs_wide(prev) || subs_wide(next)) && !next_punct && next != ' ';
}

/* Splits s[0..n) into pieces of at most cols columns; calls back with each
 * [a, b) (trailing spaces excluded). Returns the count. */
typedef void (*subs_piece_fn)(void *user, size_t a, size_t b);

static int subs_split(const char *s, size_t n, int cols, subs_piece_fn fn, void *user)
{
    size_t a = 0;
    int count = 0;
    while (a < n) {
        while (a < n && s[a] == ' ')
            a++;
        if (a >= n)
            break;
        int w = 0;
        size_t i = a, last_break = 0, punct_break = 0;
        while (i < n) {
            size_t l;
            unsigned c = subs_cp(s + i, n - i, &l);
            int cw = subs_wide(c) ? 2 : 1;
            if (i > a && subs_can_break(s, i, n)) {
                last_break = i;
                size_t p = i - 1, pl;
                while (p > a && s[p] == ' ')
                    p--;
                while (p > a && ((unsigned char)s[p] & 0xC0) == 0x80)
                    p--;
                unsigned pc = subs_cp(s + p, n - p, &pl);
                if ((pc < 0x80 && pc && strchr(",.;:!?", (int)pc) && s[i - 1] == ' ') ||
                    pc == 0x3001 || pc == 0x3002 || pc == 0xFF0C || pc == 0xFF01 || pc == 0xFF1F ||
                    pc == 0xFF1B || pc == 0xFF1A)
                    punct_break = i;
            }
            if (w + cw > cols && i > a)
                break;
            w += cw;
            i += l;
        }
        size_t b;
        if (i >= n)
            b = n;
        else if (punct_break > a && (punct_break - a) * 10 >= (size_t)(i - a) * 6)
            b = punct_break; /* after a comma or full stop when it is not too early */
        else if (last_break > a)
            b = last_break;
        else
            b = i; /* one word wider than the line */
        size_t e = b;
        while (e > a && s[e - 1] == ' ')
            e--;
        fn(user, a, e);
        count++;
        a = b;
    }
    return count;
}

typedef struct subs_ranges {
    size_t a[512], b[512];
    int n;
} subs_ranges;

static void subs_collect(void *user, size_t a, size_t b)
{
    subs_ranges *r = user;
    if (r->n < 512) {
        r->a[r->n] = a;
        r->b[r->n] = b;
        r->n++;
    }
}

static void subs_nothing(void *user, size_t a, size_t b)
{
    (void)user;
    (void)a;
    (void)b;
}

/* Display columns of s[0..n). */
static int subs_cols(const char *s, size_t n)
{
    int w = 0;
    for (size_t i = 0, l; i < n; i += l)
        w += subs_wide(subs_cp(s + i, n - i, &l)) ? 2 : 1;
    return w;
}

/* Counts the pieces of a cut and the most lines one of them wraps into. */
typedef struct subs_fit {
    const char *s;
    int cols;
    int n, most_lines;
} subs_fit;

static void subs_fit_piece(void *user, size_t a, size_t b)
{
    subs_fit *f = user;
    int lines = subs_split(f->s + a, b - a, f->cols, subs_nothing, NULL);
    f->n++;
    if (lines > f->most_lines)
        f->most_lines = lines;
}

/* A cue of lines[first .. first + count) of text. */
static void subs_add(subs_list *L, int64_t start, int64_t end, const char *text,
                     const subs_ranges *lines, int first, int count)
{
    if (L->oom)
        return;
    if (L->n == L->cap) {
        int cap = L->cap ? L->cap * 2 : 64;
        subs_cue *c = realloc(L->c, (size_t)cap * sizeof *c);
        if (!c) {
            L->oom = 1;
            return;
        }
        L->c = c;
        L->cap = cap;
    }
    size_t need = (size_t)count + 1;
    for (int i = first; i < first + count; i++)
        need += lines->b[i] - lines->a[i];
    char *t = malloc(need);
    if (!t) {
        L->oom = 1;
        return;
    }
    size_t k = 0;
    for (int i = first; i < first + count; i++) {
        if (i > first)
            t[k++] = '\n';
        memcpy(t + k, text + lines->a[i], lines->b[i] - lines->a[i]);
        k += lines->b[i] - lines->a[i];
    }
    t[k] = 0;
    L->c[L->n++] = (subs_cue){start, end, t};
}

static int subs_cmp_marks(const void *x, const void *y)
{
    const sz_mark *a = *(const sz_mark *const *)x, *b = *(const sz_mark *const *)y;
    if (a->time_ms != b->time_ms)
        return a->time_ms < b->time_ms ? -1 : 1;
    return (int)a->type - (int)b->type;
}

/* One sentence into cues. */
static void subs_sentence(subs_list *L, const sz_mark *s, const sz_mark *const *words, int nw,
                          const subs_opts *o)
{
    /* the text: the sentence's own, or its words when it may have been cut */
    char *text = NULL;
    const char *v = s->value ? s->value : "";
    if (strlen(v) < SUBS_VALUE_CAP || nw == 0) {
        text = strdup(v);
    } else {
        size_t need = 1;
        for (int i = 0; i < nw; i++)
            need += strlen(words[i]->value ? words[i]->value : "") + 1;
        text = malloc(need);
        if (text) {
            text[0] = 0;
            for (int i = 0; i < nw; i++) {
                if (i)
                    strcat(text, " ");
                strcat(text, words[i]->value ? words[i]->value : "");
            }
        }
    }
    if (!text) {
        L->oom = 1;
        return;
    }
    for (char *p = text; *p; p++)
        if (*p == '\n' || *p == '\r' || *p == '\t')
            *p = ' ';
    size_t n = strlen(text);
    size_t bad;
    if (!utf8_valid(text, n, &bad))
        n = bad;
    while (n > 0 && text[n - 1] == ' ')
        n--;
    text[n] = 0;
    if (n == 0) {
        free(text);
        return;
    }
    /* word offsets in the text, in order */
    long off[1024];
    int64_t wt[1024];
    int nm = 0;
    size_t pos = 0;
    for (int i = 0; i < nw && nm < 1024; i++) {
        const char *wv = words[i]->value;
        if (!wv || !*wv)
            continue;
        const char *f = strstr(text + pos, wv);
        if (!f)
            continue;
        off[nm] = (long)(f - text);
        wt[nm] = words[i]->time_ms;
        nm++;
        pos = (size_t)(f - text) + strlen(wv);
    }
    /* pieces of at most max_lines * max_line_cols (at a comma or full stop
     * where one is near), wrapped into lines. Words do not fill lines
     * exactly, so a piece can wrap into more than max_lines lines: it is cut
     * again into as few balanced pieces as that needs (the narrowest cut
     * whose pieces each fit), or failing that into cues of max_lines lines. */
    subs_ranges *pieces = malloc(5 * sizeof *pieces);
    int64_t *starts = malloc(sizeof(int64_t) * 513);
    if (!pieces || !starts) {
        free(pieces);
        free(starts);
        free(text);
        L->oom = 1;
        return;
    }
    subs_ranges *lines = pieces + 1, *wrap = pieces + 2, *fitted = pieces + 3, *cut = pieces + 4;
    subs_ranges parts; /* byte ranges of the cues */
    int first[512], count[512];
    pieces->n = lines->n = parts.n = fitted->n = 0;
    subs_split(text, n, o->max_line_cols * o->max_lines, subs_collect, pieces);
    for (int p = 0; p < pieces->n; p++) {
        const char *ps = text + pieces->a[p];
        size_t pn = pieces->b[p] - pieces->a[p];
        int wn = subs_split(ps, pn, o->max_line_cols, subs_nothing, NULL);
        int done = 0;
        if (wn > o->max_lines) {
            int k = (wn + o->max_lines - 1) / o->max_lines;
            int lo = subs_cols(ps, pn) / k;
            for (int w = lo > 8 ? lo : 8; w <= o->max_line_cols * o->max_lines && !done; w++) {
                subs_fit fit = {ps, o->max_line_cols, 0, 0};
                subs_split(ps, pn, w, subs_fit_piece, &fit);
                if (fit.n > k || fit.most_lines > o->max_lines)
                    continue;
                cut->n = 0;
                subs_split(ps, pn, w, subs_collect, cut);
                for (int i = 0; i < cut->n && fitted->n < 512; i++) {
                    fitted->a[fitted->n] = pieces->a[p] + cut->a[i];
                    fitted->b[fitted->n++] = pieces->a[p] + cut->b[i];
                }
                done = 1;
            }
        }
        if (!done && fitted->n < 512) {
            fitted->a[fitted->n] = pieces->a[p];
            fitted->b[fitted->n++] = pieces->b[p];
        }
    }
    for (int p = 0; p < fitted->n; p++) {
        wrap->n = 0;
        subs_split(text + fitted->a[p], fitted->b[p] - fitted->a[p], o->max_line_cols, subs_collect,
                   wrap);
        for (int i = 0; i < wrap->n && lines->n < 512; i++) {
            if (i % o->max_lines == 0 && parts.n == 512)
                break;
            lines->a[lines->n] = fitted->a[p] + wrap->a[i];
            lines->b[lines->n] = fitted->a[p] + wrap->b[i];
            if (i % o->max_lines == 0) {
                first[parts.n] = lines->n;
                count[parts.n] = 0;
                parts.a[parts.n] = lines->a[lines->n];
                parts.n++;
            }
            count[parts.n - 1]++;
            parts.b[parts.n - 1] = lines->b[lines->n];
            lines->n++;
        }
    }
    int64_t dur = s->end_ms > s->time_ms ? s->end_ms - s->time_ms : 0;
    for (int i = 0; i < parts.n; i++) {
        int64_t t = s->time_ms + (int64_t)((double)dur * (double)parts.a[i] / (double)n);
        for (int k = 0; k < nm; k++)
            if ((size_t)off[k] >= parts.a[i]) {
                t = wt[k];
                break;
            }
        if (i == 0)
            t = s->time_ms;
        if (i > 0 && t < starts[i - 1])
            t = starts[i - 1];
        starts[i] = t;
    }
    starts[parts.n] = s->time_ms + dur;
    for (int i = 0; i < parts.n; i++)
        subs_add(L, starts[i], starts[i + 1], text, lines, first[i], count[i]);
    free(starts);
    free(pieces);
    free(text);
}

typedef struct subs_out {
    char *p;
    size_t n, cap;
    int oom;
} subs_out;

static void subs_printf(subs_out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void subs_printf(subs_out *o, const char *fmt, ...)
{
    if (o->oom)
        return;
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (k < 0 || o->n + (size_t)k + 1 > o->cap) {
        size_t cap = o->cap ? o->cap : 4096;
        while (k >= 0 && cap < o->n + (size_t)k + 1)
            cap *= 2;
        char *p = k < 0 ? NULL : realloc(o->p, cap);
        if (!p) {
            o->oom = 1;
            return;
        }
        o->p = p;
        o->cap = cap;
    }
    va_start(ap, fmt);
    vsnprintf(o->p + o->n, o->cap - o->n, fmt, ap);
    va_end(ap);
    o->n += (size_t)k;
}

static void subs_time(subs_out *o, int64_t ms, char sep)
{
    if (ms < 0)
        ms = 0;
    subs_printf(o, "%02lld:%02lld:%02lld%c%03lld", (long long)(ms / 3600000),
                (long long)(ms / 60000 % 60), (long long)(ms / 1000 % 60), sep,
                (long long)(ms % 1000));
}

char *subs_format(const sz_mark *marks, size_t n, int vtt, const subs_opts *opts, int *n_cues)
{
    subs_opts o = opts ? *opts : subs_default_opts();
    if (o.max_line_cols < 8)
        o.max_line_cols = 8;
    if (o.max_lines < 1)
        o.max_lines = 1;
    if (n_cues)
        *n_cues = 0;
    const sz_mark **sorted = malloc((n ? n : 1) * sizeof *sorted);
    if (!sorted)
        return NULL;
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (marks[i].type == SZ_MARK_SENTENCE || marks[i].type == SZ_MARK_WORD)
            sorted[m++] = &marks[i];
    qsort(sorted, m, sizeof *sorted, subs_cmp_marks);
    subs_list L = {0};
    const sz_mark **words = malloc((m ? m : 1) * sizeof *words);
    if (!words) {
        free(sorted);
        return NULL;
    }
    for (size_t i = 0; i < m && !L.oom; i++) {
        const sz_mark *s = sorted[i];
        if (s->type != SZ_MARK_SENTENCE)
            continue;
        int nw = 0;
        for (size_t k = 0; k < m; k++) {
            const sz_mark *w = sorted[k];
            if (w->type == SZ_MARK_WORD && w->utterance_id == s->utterance_id &&
                w->time_ms >= s->time_ms && (w->time_ms < s->end_ms || s->end_ms <= s->time_ms))
                words[nw++] = w;
        }
        subs_sentence(&L, s, words, nw, &o);
    }
    free(words);
    free(sorted);
    /* no overlaps; short cues stretched while the next allows */
    for (int i = 0; i < L.n; i++) {
        int64_t next = i + 1 < L.n ? L.c[i + 1].start : INT64_MAX;
        if (L.c[i].end < L.c[i].start + o.min_cue_ms)
            L.c[i].end = L.c[i].start + o.min_cue_ms;
        if (L.c[i].end > next)
            L.c[i].end = next;
        if (L.c[i].end <= L.c[i].start)
            L.c[i].end = L.c[i].start + 1;
    }
    subs_out out = {0};
    if (vtt)
        subs_printf(&out, "WEBVTT\n\n");
    for (int i = 0; i < L.n; i++) {
        if (!vtt)
            subs_printf(&out, "%d\n", i + 1);
        subs_time(&out, L.c[i].start, vtt ? '.' : ',');
        subs_printf(&out, " --> ");
        subs_time(&out, L.c[i].end, vtt ? '.' : ',');
        subs_printf(&out, "\n");
        for (const char *p = L.c[i].text; *p; p++) {
            if (vtt && *p == '&')
                subs_printf(&out, "&amp;");
            else if (vtt && *p == '<')
                subs_printf(&out, "&lt;");
            else if (vtt && *p == '-' && strncmp(p, "-->", 3) == 0)
                subs_printf(&out, "- -");
            else
                subs_printf(&out, "%c", *p);
        }
        subs_printf(&out, "\n\n");
        free(L.c[i].text);
    }
    free(L.c);
    if (L.oom || out.oom || !out.p) {
        free(out.p);
        if (!L.oom && !out.oom && !out.p)
            return strdup(vtt ? "WEBVTT\n\n" : "");
        return NULL;
    }
    if (n_cues)
        *n_cues = L.n;
    return out.p;
}

int subs_check_writable(const char *path, char *err, size_t errlen)
{
    char tmp[4200];
    file_partial_path(tmp, sizeof tmp, path);
    FILE *f = fopen(tmp, "wb");
    if (!f) {
        snprintf(err, errlen, "%s: cannot write: %s", path, strerror(errno));
        return SZ_ERR_IO;
    }
    fclose(f);
    unlink(tmp);
    return SZ_OK;
}

int subs_write(const char *path, const sz_mark *marks, size_t n, const subs_opts *o, int *n_cues,
               char *err, size_t errlen)
{
    if (!subs_path_ok(path)) {
        snprintf(err, errlen, "%s: subtitles must be a .srt or .vtt file", path);
        return SZ_ERR_INVALID_ARG;
    }
    size_t len = strlen(path);
    int vtt = strcasecmp(path + len - 4, ".vtt") == 0;
    char *text = subs_format(marks, n, vtt, o, n_cues);
    if (!text) {
        snprintf(err, errlen, "%s: out of memory", path);
        return SZ_ERR_NO_MEMORY;
    }
    char tmp[4200];
    file_partial_path(tmp, sizeof tmp, path);
    FILE *f = fopen(tmp, "wb");
    if (!f) {
        snprintf(err, errlen, "%s: cannot write: %s", path, strerror(errno));
        free(text);
        return SZ_ERR_IO;
    }
    size_t tl = strlen(text);
    int bad = fwrite(text, 1, tl, f) != tl;
    bad |= fclose(f) != 0;
    free(text);
    if (bad || rename(tmp, path) != 0) {
        snprintf(err, errlen, "%s: cannot write: %s", path, strerror(errno));
        unlink(tmp);
        return SZ_ERR_IO;
    }
    return SZ_OK;
}
