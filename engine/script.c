/* SPDX-License-Identifier: Apache-2.0 */
/* script.c: the render script parser (script.h). Text lines join into
 * paragraphs; a directive ends the paragraph before it. Errors name the
 * line and column and say what was expected. */
#include "engine/script.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "core/file.h"
#include "core/utf8.h"
#include "engine/config.h"
#include "shuzi.h"

#define SCRIPT_MAX_ITEMS 100000

typedef struct script_buf {
    char *p;
    size_t n, cap;
} script_buf;

static int script_put(script_buf *b, const char *s, size_t n)
{
    if (b->n + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 256;
        while (cap < b->n + n + 1)
            cap *= 2;
        char *p = realloc(b->p, cap);
        if (!p)
            return SZ_ERR_NO_MEMORY;
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = 0;
    return SZ_OK;
}

void script_free(script *s)
{
    if (!s)
        return;
    for (int i = 0; i < s->n; i++)
        free(s->items[i].text);
    free(s->items);
    memset(s, 0, sizeof *s);
}

static script_item *script_add(script *s, script_kind kind, int line)
{
    if (s->n >= SCRIPT_MAX_ITEMS)
        return NULL;
    script_item *it = realloc(s->items, (size_t)(s->n + 1) * sizeof *it);
    if (!it)
        return NULL;
    s->items = it;
    script_item *x = &s->items[s->n++];
    memset(x, 0, sizeof *x);
    x->kind = kind;
    x->line = line;
    return x;
}

int script_parse_duration(const char *s)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || errno || !(v > 0))
        return -1;
    double ms;
    if (strcmp(end, "ms") == 0)
        ms = v;
    else if (strcmp(end, "s") == 0 || *end == 0)
        ms = v * 1000;
    else
        return -1;
    if (!(ms >= 1 && ms <= 600000))
        return -1;
    return (int)(ms + 0.5);
}

/* The paragraph so far becomes a SAY item (whitespace collapsed). */
static int script_flush(script *s, script_buf *para, int line)
{
    size_t k = 0;
    int space = 0;
    for (size_t i = 0; i < para->n; i++) {
        char c = para->p[i];
        if (c == ' ' || c == '\t') {
            space = k > 0;
            continue;
        }
        if (space)
            para->p[k++] = ' ';
        space = 0;
        para->p[k++] = c;
    }
    para->n = 0;
    if (k == 0)
        return SZ_OK;
    script_item *it = script_add(s, SCRIPT_SAY, line);
    if (!it || !(it->text = strndup(para->p, k)))
        return SZ_ERR_NO_MEMORY;
    for (size_t i = 0; i < k; i++)
        s->say_chars += ((unsigned char)it->text[i] & 0xC0) != 0x80;
    return SZ_OK;
}

static int script_image_ext(const char *s)
{
    size_t n = strlen(s);
    return (n > 4 && (strcasecmp(s + n - 4, ".png") == 0 || strcasecmp(s + n - 4, ".jpg") == 0)) ||
           (n > 5 && strcasecmp(s + n - 5, ".jpeg") == 0);
}

/* One directive (the text between the brackets, trimmed). */
static int script_directive(script *s, char *d, int line, const char *base_dir, int check_files,
                            char *why, size_t whylen)
{
    char *args = d;
    while (*args && *args != ' ' && *args != '\t')
        args++;
    if (*args)
        *args++ = 0;
    while (*args == ' ' || *args == '\t')
        args++;
    char *name = d;
    if (strcasecmp(name, "pause") == 0 || strcasecmp(name, "break") == 0) {
        int ms = script_parse_duration(args);
        if (ms < 0) {
            snprintf(why, whylen,
                     "pause '%.40s': expected a duration like 800ms or 1.5s (at most 600s)", args);
            return SZ_ERR_FORMAT;
        }
        script_item *it = script_add(s, SCRIPT_PAUSE, line);
        if (!it)
            return SZ_ERR_NO_MEMORY;
        it->pause_ms = ms;
        s->pause_ms += ms;
        return SZ_OK;
    }
    if (strcasecmp(name, "expression") == 0) {
        static const char *const names[] = {"neutral", "happy",     "angry", "sad",
                                            "relaxed", "surprised", NULL};
        char *w = args;
        while (*w && *w != ' ' && *w != '\t')
            w++;
        if (*w)
            *w++ = 0;
        while (*w == ' ' || *w == '\t')
            w++;
        int ok = 0;
        for (int i = 0; names[i] && !ok; i++)
            ok = strcasecmp(args, names[i]) == 0;
        if (!ok) {
            snprintf(why, whylen,
                     "expression '%.30s': expected neutral, happy, angry, sad, relaxed or "
                     "surprised",
                     args);
            return SZ_ERR_FORMAT;
        }
        float weight = 0.8f;
        if (*w) {
            char *end;
            double v = strtod(w, &end);
            if (end == w || *end || !(v >= 0 && v <= 1)) {
                snprintf(why, whylen, "expression weight '%.30s': expected a number from 0 to 1",
                         w);
                return SZ_ERR_FORMAT;
            }
            weight = (float)v;
        }
        script_item *it = script_add(s, SCRIPT_EXPRESSION, line);
        if (!it)
            return SZ_ERR_NO_MEMORY;
        for (size_t i = 0; args[i] && i + 1 < sizeof it->expression; i++)
            it->expression[i] = (char)(args[i] >= 'A' && args[i] <= 'Z' ? args[i] + 32 : args[i]);
        it->weight = weight;
        return SZ_OK;
    }
    if (strcasecmp(name, "background") == 0 || strcasecmp(name, "scene") == 0) {
        if (!*args) {
            snprintf(why, whylen,
                     "%s: expected a colour (#RRGGBB or a name) or a .png/.jpg "
                     "image",
                     name);
            return SZ_ERR_FORMAT;
        }
        uint32_t rgb = 0;
        char e2[256];
        char *image = NULL;
        if (config_parse_color(args, &rgb, e2, sizeof e2) != SZ_OK) {
            if (!script_image_ext(args)) {
                snprintf(why, whylen,
                         "%s '%.60s': expected #RRGGBB, a colour name (black, white, green, blue, "
                         "gray, navy) or a .png/.jpg image",
                         name, args);
                return SZ_ERR_FORMAT;
            }
            size_t need = strlen(args) + (base_dir ? strlen(base_dir) : 0) + 2;
            image = malloc(need);
            if (!image)
                return SZ_ERR_NO_MEMORY;
            if (args[0] == '/' || !base_dir || !*base_dir)
                snprintf(image, need, "%s", args);
            else
                snprintf(image, need, "%s/%s", base_dir, args);
            if (check_files && access(image, R_OK) != 0) {
                snprintf(why, whylen, "%s image %.200s: %s", name, image, strerror(errno));
                free(image);
                return SZ_ERR_NOT_FOUND;
            }
        }
        script_item *it = script_add(s, SCRIPT_BACKGROUND, line);
        if (!it) {
            free(image);
            return SZ_ERR_NO_MEMORY;
        }
        it->rgb = rgb;
        it->text = image;
        return SZ_OK;
    }
    snprintf(why, whylen,
             "unknown directive '%.30s' (expected pause, expression, background or scene; "
             "write [[ for a literal bracket)",
             name);
    return SZ_ERR_FORMAT;
}

/* 1-based character column of byte offset i in line. */
static int script_col(const char *line, size_t i)
{
    int col = 1;
    for (size_t k = 0; k < i; k++)
        col += ((unsigned char)line[k] & 0xC0) != 0x80;
    return col;
}

int script_parse(const char *text, size_t len, const char *label, const char *base_dir,
                 int check_files, script *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    if (!label)
        label = "script";
    if (len > SCRIPT_MAX_BYTES) {
        snprintf(err, errlen, "%s: larger than %u bytes", label, SCRIPT_MAX_BYTES);
        return SZ_ERR_FORMAT;
    }
    size_t bad = len;
    const char *nul = memchr(text, 0, len);
    int valid = utf8_valid(text, len, &bad);
    if (nul || !valid) {
        size_t at = nul && (valid || (size_t)(nul - text) < bad) ? (size_t)(nul - text) : bad;
        int line = 1;
        size_t ls = 0;
        for (size_t i = 0; i < at; i++)
            if (text[i] == '\n')
                line++, ls = i + 1;
        snprintf(err, errlen, "%s:%d:%d: %s", label, line, script_col(text + ls, at - ls),
                 nul && at == (size_t)(nul - text) ? "a NUL byte (not a text file)"
                                                   : "not valid UTF-8");
        return SZ_ERR_FORMAT;
    }
    script_buf para = {0}, dir = {0};
    int rc = SZ_OK, line = 0, col = 0, para_line = 0;
    char why[384] = "";
    size_t i = 0;
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
        i = 3;
    while (i < len && rc == SZ_OK) {
        line++;
        const char *l = text + i;
        const char *nl = memchr(l, '\n', len - i);
        size_t n = nl ? (size_t)(nl - l) : len - i;
        i += n + (nl ? 1 : 0);
        if (n > 0 && l[n - 1] == '\r')
            n--;
        size_t t = 0;
        while (t < n && (l[t] == ' ' || l[t] == '\t'))
            t++;
        if (t < n && l[t] == '#')
            continue; /* a comment keeps the paragraph going */
        if (t == n) {
            rc = script_flush(out, &para, para_line);
            continue;
        }
        for (size_t k = 0; k < n && rc == SZ_OK;) {
            if ((l[k] == '[' || l[k] == ']') && k + 1 < n && l[k + 1] == l[k]) {
                rc = script_put(&para, l + k, 1); /* [[ and ]] are literal brackets */
                k += 2;
                continue;
            }
            if (l[k] != '[') {
                if (para.n == 0)
                    para_line = line;
                rc = script_put(&para, l + k, 1);
                k++;
                continue;
            }
            const char *close = memchr(l + k, ']', n - k);
            col = script_col(l, k);
            if (!close) {
                snprintf(why, sizeof why,
                         "unclosed '[' (a directive ends with ']'; write [[ "
                         "for a literal bracket)");
                rc = SZ_ERR_FORMAT;
                break;
            }
            rc = script_flush(out, &para, para_line);
            dir.n = 0;
            size_t a = k + 1, b = (size_t)(close - l);
            while (a < b && (l[a] == ' ' || l[a] == '\t'))
                a++;
            while (b > a && (l[b - 1] == ' ' || l[b - 1] == '\t'))
                b--;
            if (rc == SZ_OK)
                rc = script_put(&dir, l + a, b - a);
            if (rc == SZ_OK && dir.n == 0) {
                snprintf(why, sizeof why, "empty directive '[]'");
                rc = SZ_ERR_FORMAT;
            }
            if (rc == SZ_OK)
                rc = script_directive(out, dir.p, line, base_dir, check_files, why, sizeof why);
            k = (size_t)(close - l) + 1;
        }
        if (rc == SZ_OK && para.n > 0)
            rc = script_put(&para, " ", 1); /* lines of a paragraph join with a space */
    }
    if (rc == SZ_OK)
        rc = script_flush(out, &para, para_line);
    free(para.p);
    free(dir.p);
    if (rc == SZ_OK && out->n >= SCRIPT_MAX_ITEMS) {
        snprintf(err, errlen, "%s: more than %d items", label, SCRIPT_MAX_ITEMS);
        rc = SZ_ERR_FORMAT;
    } else if (rc == SZ_ERR_NO_MEMORY) {
        snprintf(err, errlen, "%s: out of memory", label);
    } else if (rc != SZ_OK) {
        snprintf(err, errlen, "%s:%d:%d: %s", label, line, col, why);
    } else if (out->say_chars == 0) {
        snprintf(err, errlen, "%s: nothing to say (the script has no text outside directives)",
                 label);
        rc = SZ_ERR_FORMAT;
    }
    if (rc != SZ_OK)
        script_free(out);
    return rc;
}

int script_load(const char *path, script *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return SZ_ERR_IO;
    }
    char *buf;
    size_t n;
    int rc = file_read_all(f, path, SCRIPT_MAX_BYTES, &buf, &n, err, errlen);
    if (rc == SZ_ERR_FORMAT)
        snprintf(err, errlen, "%s: larger than %u bytes", path, SCRIPT_MAX_BYTES);
    if (rc != SZ_OK)
        return rc;
    char dir[1024] = ".";
    const char *slash = strrchr(path, '/');
    if (slash && (size_t)(slash - path) < sizeof dir)
        snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
    if (slash == path)
        snprintf(dir, sizeof dir, "/");
    rc = script_parse(buf, n, path, dir, 1, out, err, errlen);
    free(buf);
    return rc;
}
