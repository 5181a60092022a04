/* SPDX-License-Identifier: Apache-2.0 */
/* json.c: cJSON wrappers with precise error messages. */
#include "core/json.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/file.h"
#include "shuzi.h"

static void json_line_col(const char *text, size_t upto, int *line, int *col)
{
    *line = 1;
    *col = 1;
    for (size_t i = 0; i < upto; i++) {
        if (text[i] == '\n') {
            (*line)++;
            *col = 1;
        } else if (((unsigned char)text[i] & 0xC0) != 0x80) {
            (*col)++;
        }
    }
}

cJSON *json_parse(const char *text, size_t len, const char *label, char *err, size_t errlen)
{
    if (len == 0) {
        snprintf(err, errlen, "%s: empty JSON document", label);
        return NULL;
    }
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithLengthOpts(text, len, &end, 0);
    if (!root) {
        size_t at = end && end >= text && end <= text + len ? (size_t)(end - text) : 0;
        int line, col;
        json_line_col(text, at, &line, &col);
        snprintf(err, errlen, "%s:%d:%d: invalid JSON", label, line, col);
        return NULL;
    }
    /* Trailing garbage after the value (whitespace allowed). */
    size_t at = (size_t)(end - text);
    while (at < len && (text[at] == ' ' || text[at] == '\n' || text[at] == '\r' ||
                        text[at] == '\t' || text[at] == 0))
        at++;
    if (at < len) {
        int line, col;
        json_line_col(text, at, &line, &col);
        snprintf(err, errlen, "%s:%d:%d: unexpected data after the JSON value", label, line, col);
        cJSON_Delete(root);
        return NULL;
    }
    return root;
}

cJSON *json_load_file(const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
        return NULL;
    }
    char *buf;
    size_t n;
    if (file_read_all(f, path, JSON_MAX_FILE_BYTES, &buf, &n, err, errlen) != SZ_OK)
        return NULL;
    cJSON *root = json_parse(buf, n, path, err, errlen);
    free(buf);
    return root;
}

static const cJSON *json_field(const cJSON *obj, const char *key, const char *path, int required,
                               int *rc, char *err, size_t errlen)
{
    const cJSON *v = cJSON_IsObject(obj) ? cJSON_GetObjectItemCaseSensitive(obj, key) : NULL;
    if (!v || cJSON_IsNull(v)) {
        if (required) {
            snprintf(err, errlen, "%s%s%s: is required", path ? path : "", path ? "." : "", key);
            *rc = SZ_ERR_FORMAT;
        } else {
            *rc = SZ_ERR_NOT_FOUND;
        }
        return NULL;
    }
    *rc = SZ_OK;
    return v;
}

#define JSON_WHERE path ? path : "", path ? "." : "", key

int json_get_string(const cJSON *obj, const char *key, const char *path, int required,
                    const char **out, char *err, size_t errlen)
{
    int rc;
    const cJSON *v = json_field(obj, key, path, required, &rc, err, errlen);
    if (!v)
        return rc;
    if (!cJSON_IsString(v)) {
        snprintf(err, errlen, "%s%s%s: expected a string", JSON_WHERE);
        return SZ_ERR_FORMAT;
    }
    *out = v->valuestring;
    return SZ_OK;
}

int json_get_number(const cJSON *obj, const char *key, const char *path, int required,
                    double min, double max, double *out, char *err, size_t errlen)
{
    int rc;
    const cJSON *v = json_field(obj, key, path, required, &rc, err, errlen);
    if (!v)
        return rc;
    if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble)) {
        snprintf(err, errlen, "%s%s%s: expected a number", JSON_WHERE);
        return SZ_ERR_FORMAT;
    }
    if (v->valuedouble < min || v->valuedouble > max) {
        snprintf(err, errlen, "%s%s%s: %g is out of range [%g, %g]", JSON_WHERE, v->valuedouble,
                 min, max);
        return SZ_ERR_FORMAT;
    }
    *out = v->valuedouble;
    return SZ_OK;
}

int json_get_int(const cJSON *obj, const char *key, const char *path, int required, int64_t min,
                 int64_t max, int64_t *out, char *err, size_t errlen)
{
    int rc;
    const cJSON *v = json_field(obj, key, path, required, &rc, err, errlen);
    if (!v)
        return rc;
    double d = v->valuedouble;
    if (!cJSON_IsNumber(v) || !isfinite(d) || d != floor(d)) {
        snprintf(err, errlen, "%s%s%s: expected an integer", JSON_WHERE);
        return SZ_ERR_FORMAT;
    }
    if (d < (double)min || d > (double)max) {
        snprintf(err, errlen, "%s%s%s: %.0f is out of range [%lld, %lld]", JSON_WHERE, d,
                 (long long)min, (long long)max);
        return SZ_ERR_FORMAT;
    }
    *out = (int64_t)d;
    return SZ_OK;
}

int json_get_bool(const cJSON *obj, const char *key, const char *path, int required, int *out,
                  char *err, size_t errlen)
{
    int rc;
    const cJSON *v = json_field(obj, key, path, required, &rc, err, errlen);
    if (!v)
        return rc;
    if (!cJSON_IsBool(v)) {
        snprintf(err, errlen, "%s%s%s: expected true or false", JSON_WHERE);
        return SZ_ERR_FORMAT;
    }
    *out = cJSON_IsTrue(v);
    return SZ_OK;
}

int json_check_keys(const cJSON *obj, const char *const *allowed, const char *path, char *err,
                    size_t errlen)
{
    if (!cJSON_IsObject(obj)) {
        snprintf(err, errlen, "%s: expected an object", path ? path : "(root)");
        return SZ_ERR_FORMAT;
    }
    for (const cJSON *it = obj->child; it; it = it->next) {
        int ok = 0;
        for (const char *const *a = allowed; *a; a++)
            if (it->string && strcmp(it->string, *a) == 0)
                ok = 1;
        if (!ok) {
            char list[512] = "";
            size_t used = 0;
            for (const char *const *a = allowed; *a && used < sizeof list; a++)
                used += (size_t)snprintf(list + used, sizeof list - used, "%s%s",
                                         a == allowed ? "" : ", ", *a);
            snprintf(err, errlen, "%s%s%s: unknown key (expected one of: %s)", path ? path : "",
                     path ? "." : "", it->string ? it->string : "?", list);
            return SZ_ERR_FORMAT;
        }
    }
    return SZ_OK;
}

size_t json_escape(char *dst, size_t cap, const char *s)
{
    size_t n = 0;
#define JSON_PUT(c)                                                                               \
    do {                                                                                          \
        if (n + 1 < cap)                                                                          \
            dst[n] = (c);                                                                         \
        n++;                                                                                      \
    } while (0)
    JSON_PUT('"');
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        unsigned char c = *p;
        if (c == '"' || c == '\\') {
            JSON_PUT('\\');
            JSON_PUT((char)c);
        } else if (c == '\n') {
            JSON_PUT('\\');
            JSON_PUT('n');
        } else if (c == '\t') {
            JSON_PUT('\\');
            JSON_PUT('t');
        } else if (c == '\r') {
            JSON_PUT('\\');
            JSON_PUT('r');
        } else if (c < 0x20) {
            char hex[8];
            snprintf(hex, sizeof hex, "\\u%04x", c);
            for (char *h = hex; *h; h++)
                JSON_PUT(*h);
        } else {
            JSON_PUT((char)c);
        }
    }
    JSON_PUT('"');
#undef JSON_PUT
    if (cap)
        dst[n < cap ? n : cap - 1] = 0;
    return n;
}
