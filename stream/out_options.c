/* SPDX-License-Identifier: Apache-2.0 */
/* out_options.c: parser and typed getters for output option strings
 * ("key=value:key=value", '\' escapes ':' and '\' in values). Every message
 * names the output and the offending pair. */
#include "stream/out_options.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "shuzi.h"

void out_options_free(out_options *o)
{
    if (!o)
        return;
    for (int i = 0; i < o->n; i++)
        free(o->items[i].value);
    o->n = 0;
}

static int out_opt_key_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}

int out_options_parse(const char *s, const char *name, out_options *o, char *err, size_t errlen)
{
    memset(o, 0, sizeof *o);
    snprintf(o->name, sizeof o->name, "%s", name ? name : "output");
    if (!s)
        return SZ_OK;
    char *val = malloc(OUT_OPT_VALUE_MAX);
    if (!val) {
        snprintf(err, errlen, "%s: out of memory", o->name);
        return SZ_ERR_NO_MEMORY;
    }
    size_t pos = 0;
    int rc = SZ_OK;
    while (s[pos]) {
        if (s[pos] == ':') { /* empty pair */
            pos++;
            continue;
        }
        size_t start = pos, klen = 0;
        char key[OUT_OPT_KEY_MAX];
        while (s[pos] && s[pos] != '=' && s[pos] != ':') {
            if (!out_opt_key_char(s[pos])) {
                snprintf(err, errlen,
                         "%s: options: character %zu ('%c') is not allowed in a key "
                         "(expected a-z, 0-9 or _)",
                         o->name, pos + 1, (s[pos] >= 32 && s[pos] < 127) ? s[pos] : '?');
                rc = SZ_ERR_INVALID_ARG;
                goto fail;
            }
            if (klen + 1 >= sizeof key) {
                snprintf(err, errlen, "%s: options: key at character %zu is longer than %d bytes",
                         o->name, start + 1, OUT_OPT_KEY_MAX - 1);
                rc = SZ_ERR_INVALID_ARG;
                goto fail;
            }
            key[klen++] = s[pos++];
        }
        key[klen] = '\0';
        if (s[pos] != '=' || klen == 0) {
            snprintf(err, errlen, "%s: options: '%.*s' at character %zu is not key=value", o->name,
                     (int)(pos - start > 40 ? 40 : pos - start), s + start, start + 1);
            rc = SZ_ERR_INVALID_ARG;
            goto fail;
        }
        pos++; /* '=' */
        size_t vlen = 0;
        while (s[pos] && s[pos] != ':') {
            char c = s[pos];
            if (c == '\\') {
                if (s[pos + 1] != ':' && s[pos + 1] != '\\') {
                    snprintf(err, errlen,
                             "%s: options: '\\' at character %zu must be followed by ':' or '\\'",
                             o->name, pos + 1);
                    rc = SZ_ERR_INVALID_ARG;
                    goto fail;
                }
                c = s[++pos];
            } else if ((unsigned char)c < 32 || c == 127) {
                snprintf(err, errlen, "%s: options: control character at character %zu", o->name,
                         pos + 1);
                rc = SZ_ERR_INVALID_ARG;
                goto fail;
            }
            if (vlen + 1 >= OUT_OPT_VALUE_MAX) {
                snprintf(err, errlen, "%s: options: value of '%s' is longer than %d bytes", o->name,
                         key, OUT_OPT_VALUE_MAX - 1);
                rc = SZ_ERR_INVALID_ARG;
                goto fail;
            }
            val[vlen++] = c;
            pos++;
        }
        val[vlen] = '\0';
        for (int i = 0; i < o->n; i++) {
            if (strcmp(o->items[i].key, key) == 0) {
                snprintf(err, errlen, "%s: options: '%s' is given twice", o->name, key);
                rc = SZ_ERR_INVALID_ARG;
                goto fail;
            }
        }
        if (o->n == OUT_OPT_MAX) {
            snprintf(err, errlen, "%s: options: more than %d pairs", o->name, OUT_OPT_MAX);
            rc = SZ_ERR_INVALID_ARG;
            goto fail;
        }
        out_opt *it = &o->items[o->n];
        memcpy(it->key, key, klen + 1);
        it->value = strdup(val);
        if (!it->value) {
            snprintf(err, errlen, "%s: out of memory", o->name);
            rc = SZ_ERR_NO_MEMORY;
            goto fail;
        }
        it->used = 0;
        o->n++;
    }
    free(val);
    return SZ_OK;
fail:
    free(val);
    out_options_free(o);
    return rc;
}

static out_opt *out_options_find(out_options *o, const char *key)
{
    for (int i = 0; i < o->n; i++)
        if (strcmp(o->items[i].key, key) == 0)
            return &o->items[i];
    return NULL;
}

const char *out_options_get(out_options *o, const char *key)
{
    out_opt *it = out_options_find(o, key);
    if (!it)
        return NULL;
    it->used = 1;
    return it->value;
}

static int out_options_bad(const out_options *o, const char *key, const char *v, char *err,
                           size_t errlen, const char *expected)
{
    snprintf(err, errlen, "%s: option %s='%.60s': expected %s", o->name, key, v, expected);
    return SZ_ERR_INVALID_ARG;
}

int out_options_int(out_options *o, const char *key, int64_t lo, int64_t hi, int64_t *val,
                    char *err, size_t errlen)
{
    const char *v = out_options_get(o, key);
    if (!v)
        return SZ_OK;
    char *end = NULL;
    long long x = strtoll(v, &end, 10);
    if (end == v || *end || x < lo || x > hi) {
        char what[96];
        snprintf(what, sizeof what, "an integer from %lld to %lld", (long long)lo, (long long)hi);
        return out_options_bad(o, key, v, err, errlen, what);
    }
    *val = x;
    return SZ_OK;
}

int out_options_double(out_options *o, const char *key, double lo, double hi, double *val,
                       char *err, size_t errlen)
{
    const char *v = out_options_get(o, key);
    if (!v)
        return SZ_OK;
    char *end = NULL;
    double x = strtod(v, &end);
    if (end == v || *end || !isfinite(x) || x < lo || x > hi) {
        char what[96];
        snprintf(what, sizeof what, "a number from %g to %g", lo, hi);
        return out_options_bad(o, key, v, err, errlen, what);
    }
    *val = x;
    return SZ_OK;
}

int out_options_bitrate(out_options *o, const char *key, int64_t lo, int64_t hi, int64_t *val,
                        char *err, size_t errlen)
{
    const char *v = out_options_get(o, key);
    if (!v)
        return SZ_OK;
    char *end = NULL;
    double x = strtod(v, &end);
    if (end != v && (*end == 'k' || *end == 'K')) {
        x *= 1e3;
        end++;
    } else if (end != v && (*end == 'm' || *end == 'M')) {
        x *= 1e6;
        end++;
    }
    if (end == v || *end || !isfinite(x) || x < (double)lo || x > (double)hi) {
        char what[128];
        snprintf(what, sizeof what, "a bit rate in bit/s from %lld to %lld (suffix k or M allowed)",
                 (long long)lo, (long long)hi);
        return out_options_bad(o, key, v, err, errlen, what);
    }
    *val = (int64_t)llround(x);
    return SZ_OK;
}

int out_options_bool(out_options *o, const char *key, int *val, char *err, size_t errlen)
{
    const char *v = out_options_get(o, key);
    if (!v)
        return SZ_OK;
    static const char *const yes[] = {"1", "yes", "on", "true"};
    static const char *const no[] = {"0", "no", "off", "false"};
    for (size_t i = 0; i < 4; i++) {
        if (strcasecmp(v, yes[i]) == 0) {
            *val = 1;
            return SZ_OK;
        }
        if (strcasecmp(v, no[i]) == 0) {
            *val = 0;
            return SZ_OK;
        }
    }
    return out_options_bad(o, key, v, err, errlen, "1 or 0 (yes/no, on/off, true/false)");
}

int out_options_choice(out_options *o, const char *key, const char *const *choices, int *idx,
                       char *err, size_t errlen)
{
    const char *v = out_options_get(o, key);
    if (!v)
        return SZ_OK;
    char list[256] = "";
    size_t used = 0;
    for (int i = 0; choices[i]; i++) {
        if (strcmp(v, choices[i]) == 0) {
            *idx = i;
            return SZ_OK;
        }
        if (used < sizeof list)
            used += (size_t)snprintf(list + used, sizeof list - used, "%s%s", i ? ", " : "one of ",
                                     choices[i]);
    }
    return out_options_bad(o, key, v, err, errlen, list);
}

int out_options_string(out_options *o, const char *key, char *buf, size_t cap, char *err,
                       size_t errlen)
{
    const char *v = out_options_get(o, key);
    if (!v)
        return SZ_OK;
    size_t n = strlen(v);
    if (n == 0 || n >= cap) {
        char what[64];
        snprintf(what, sizeof what, "1 to %zu bytes", cap - 1);
        return out_options_bad(o, key, v, err, errlen, what);
    }
    memcpy(buf, v, n + 1);
    return SZ_OK;
}

int out_options_check_used(const out_options *o, const char *known, char *err, size_t errlen)
{
    for (int i = 0; i < o->n; i++) {
        if (!o->items[i].used) {
            if (known && known[0])
                snprintf(err, errlen, "%s: unknown option '%s' (this output takes: %s)", o->name,
                         o->items[i].key, known);
            else
                snprintf(err, errlen, "%s: unknown option '%s' (this output takes no options)",
                         o->name, o->items[i].key);
            return SZ_ERR_INVALID_ARG;
        }
    }
    return SZ_OK;
}

size_t out_options_escape(char *dst, size_t cap, const char *value)
{
    size_t n = 0;
    for (const char *p = value; *p; p++) {
        if (*p == ':' || *p == '\\') {
            if (n + 1 < cap)
                dst[n] = '\\';
            n++;
        }
        if (n + 1 < cap)
            dst[n] = *p;
        n++;
    }
    if (cap)
        dst[n < cap ? n : cap - 1] = '\0';
    return n;
}
