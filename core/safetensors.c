/* SPDX-License-Identifier: Apache-2.0 */
/* safetensors.c: maps a .safetensors file (or takes a buffer) and checks every
 * byte of its JSON header before any tensor is handed out, so loaders can trust
 * names, dtypes, shapes and offsets. Errors name the file, tensor and expectation. */
#include "core/safetensors.h"

#include "shuzi.h"

#include <cjson/cJSON.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* Integers in the header above this may have been rounded by the double cJSON
 * stores them in, so they are refused rather than trusted. */
#define ST_MAX_JSON_INT 9007199254740992.0 /* 2^53 */
#define ST_NAME_SHOWN 80                   /* longest tensor name quoted in a message */

typedef struct st_meta {
    char *key;
    char *value;
} st_meta;

struct st_file {
    char *label;
    st_tensor *tensors; /* in header order */
    size_t n_tensors;
    const st_tensor **by_name; /* sorted by name, for st_find */
    st_meta *meta;             /* sorted by key */
    size_t n_meta;
    void *map; /* set by st_open only */
    size_t map_len;
};

typedef struct st_span {
    uint64_t begin, end;
    size_t index;
} st_span;

typedef struct st_ctx {
    const char *label;
    char *err;
    size_t errlen;
} st_ctx;

static const struct {
    const char *name;
    size_t size;
} st_dtypes[ST_DTYPE_COUNT] = {
    [ST_BOOL] = {"BOOL", 1}, [ST_U8] = {"U8", 1},   [ST_I8] = {"I8", 1},     [ST_I16] = {"I16", 2},
    [ST_U16] = {"U16", 2},   [ST_F16] = {"F16", 2}, [ST_BF16] = {"BF16", 2}, [ST_I32] = {"I32", 4},
    [ST_U32] = {"U32", 4},   [ST_F32] = {"F32", 4}, [ST_I64] = {"I64", 8},   [ST_U64] = {"U64", 8},
    [ST_F64] = {"F64", 8},
};

#if defined(__GNUC__)
#define ST_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define ST_PRINTF(f, a)
#endif

static int st_fail(const st_ctx *ctx, int code, const char *fmt, ...) ST_PRINTF(3, 4);

/* Writes "label: message" into the caller's buffer and returns code. */
static int st_fail(const st_ctx *ctx, int code, const char *fmt, ...)
{
    if (!ctx->err || ctx->errlen == 0)
        return code;
    int n = snprintf(ctx->err, ctx->errlen, "%s: ", ctx->label);
    if (n < 0 || (size_t)n >= ctx->errlen)
        return code;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ctx->err + n, ctx->errlen - (size_t)n, fmt, ap);
    va_end(ap);
    return code;
}

/* Copies a name for a message: control bytes and quotes become '?', long
 * names are cut, so the message stays on one line. */
static const char *st_quote(const char *s, char *buf, size_t n)
{
    size_t o = 0;
    for (size_t i = 0; s[i] && o + 1 < n; i++) {
        if (i == ST_NAME_SHOWN) {
            for (int k = 0; k < 3 && o + 1 < n; k++)
                buf[o++] = '.';
            break;
        }
        unsigned char c = (unsigned char)s[i];
        buf[o++] = (c < 0x20 || c == 0x7f || c == '\'') ? '?' : (char)c;
    }
    buf[o] = '\0';
    return buf;
}

/* "[3, 4]"; a negative entry (st_expect's wildcard) is shown as "*". */
static const char *st_shape_str(const int64_t *shape, int n_dims, char *buf, size_t n)
{
    size_t o = 0;
    int w = snprintf(buf, n, "[");
    o = w > 0 ? (size_t)w : 0;
    for (int i = 0; i < n_dims && o < n; i++) {
        if (shape[i] < 0)
            w = snprintf(buf + o, n - o, "%s*", i ? ", " : "");
        else
            w = snprintf(buf + o, n - o, "%s%" PRId64, i ? ", " : "", shape[i]);
        o += w > 0 ? (size_t)w : 0;
    }
    if (o < n)
        snprintf(buf + o, n - o, "]");
    return buf;
}

static const char *st_json_kind(const cJSON *item)
{
    if (cJSON_IsNull(item))
        return "null";
    if (cJSON_IsBool(item))
        return "boolean";
    if (cJSON_IsNumber(item))
        return "number";
    if (cJSON_IsString(item))
        return "string";
    if (cJSON_IsArray(item))
        return "array";
    if (cJSON_IsObject(item))
        return "object";
    return "value";
}

/* Strict UTF-8: no overlong forms, no surrogates, nothing past U+10FFFF. */
static int st_utf8_valid(const uint8_t *s, size_t n, size_t *bad_at)
{
    size_t i = 0;
    while (i < n) {
        uint8_t c = s[i];
        size_t len;
        uint32_t min, cp;
        if (c < 0x80) {
            i++;
            continue;
        } else if ((c & 0xe0) == 0xc0) {
            len = 2, min = 0x80, cp = c & 0x1f;
        } else if ((c & 0xf0) == 0xe0) {
            len = 3, min = 0x800, cp = c & 0x0f;
        } else if ((c & 0xf8) == 0xf0) {
            len = 4, min = 0x10000, cp = c & 0x07;
        } else {
            *bad_at = i;
            return 0;
        }
        if (n - i < len) {
            *bad_at = i;
            return 0;
        }
        for (size_t k = 1; k < len; k++) {
            if ((s[i + k] & 0xc0) != 0x80) {
                *bad_at = i;
                return 0;
            }
            cp = (cp << 6) | (s[i + k] & 0x3f);
        }
        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
            *bad_at = i;
            return 0;
        }
        i += len;
    }
    return 1;
}

static int st_is_json_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* A JSON number that is a whole number in [0, 2^53]. */
static int st_json_uint(const cJSON *item, uint64_t *out)
{
    if (!cJSON_IsNumber(item))
        return 0;
    double d = item->valuedouble;
    if (!(d >= 0.0 && d <= ST_MAX_JSON_INT))
        return 0; /* also NaN and infinities */
    uint64_t v = (uint64_t)d;
    if ((double)v != d)
        return 0;
    *out = v;
    return 1;
}

/* What a rejected number looked like, for the message. */
static const char *st_json_number_str(const cJSON *item, char *buf, size_t n)
{
    if (cJSON_IsNumber(item))
        snprintf(buf, n, "%.17g", item->valuedouble);
    else
        snprintf(buf, n, "a JSON %s", st_json_kind(item));
    return buf;
}

static int st_parse_dtype(const char *s, st_dtype *out)
{
    for (int i = 0; i < ST_DTYPE_COUNT; i++) {
        if (strcmp(s, st_dtypes[i].name) == 0) {
            *out = (st_dtype)i;
            return 1;
        }
    }
    return 0;
}

static int st_parse_shape(const st_ctx *ctx, const char *qname, const cJSON *item, st_tensor *t)
{
    char num[64];
    if (!cJSON_IsArray(item))
        return st_fail(ctx, SZ_ERR_FORMAT,
                       "tensor '%s': shape is a JSON %s; expected an array of sizes", qname,
                       st_json_kind(item));
    int n = 0;
    for (const cJSON *d = item->child; d; d = d->next) {
        if (n == ST_MAX_DIMS)
            return st_fail(ctx, SZ_ERR_FORMAT,
                           "tensor '%s': shape has more than %d dims; at most %d are supported",
                           qname, ST_MAX_DIMS, ST_MAX_DIMS);
        uint64_t v;
        if (!st_json_uint(d, &v))
            return st_fail(ctx, SZ_ERR_FORMAT,
                           "tensor '%s': shape[%d] is %s; expected a whole number from 0 to 2^53",
                           qname, n, st_json_number_str(d, num, sizeof(num)));
        t->shape[n++] = (int64_t)v;
    }
    t->n_dims = n;
    int64_t count = 1;
    for (int i = 0; i < n; i++) {
        if (t->shape[i] != 0 && count > INT64_MAX / t->shape[i]) {
            char sh[256];
            return st_fail(ctx, SZ_ERR_FORMAT, "tensor '%s': shape %s has more than 2^63 elements",
                           qname, st_shape_str(t->shape, n, sh, sizeof(sh)));
        }
        count *= t->shape[i];
    }
    t->n_elements = count;
    return SZ_OK;
}

static int st_parse_offsets(const st_ctx *ctx, const char *qname, const cJSON *item,
                            uint64_t data_len, st_span *span)
{
    char num[64];
    if (!cJSON_IsArray(item))
        return st_fail(ctx, SZ_ERR_FORMAT,
                       "tensor '%s': data_offsets is a JSON %s; expected [begin, end]", qname,
                       st_json_kind(item));
    int n = cJSON_GetArraySize(item);
    if (n != 2)
        return st_fail(ctx, SZ_ERR_FORMAT,
                       "tensor '%s': data_offsets has %d entries; expected [begin, end]", qname, n);
    const cJSON *b = item->child, *e = b->next;
    if (!st_json_uint(b, &span->begin))
        return st_fail(ctx, SZ_ERR_FORMAT,
                       "tensor '%s': data_offsets begin is %s; expected a whole number >= 0", qname,
                       st_json_number_str(b, num, sizeof(num)));
    if (!st_json_uint(e, &span->end))
        return st_fail(ctx, SZ_ERR_FORMAT,
                       "tensor '%s': data_offsets end is %s; expected a whole number >= 0", qname,
                       st_json_number_str(e, num, sizeof(num)));
    if (span->begin > span->end)
        return st_fail(ctx, SZ_ERR_FORMAT,
                       "tensor '%s': data_offsets [%" PRIu64 ", %" PRIu64
                       "] are reversed; expected begin <= end",
                       qname, span->begin, span->end);
    if (span->end > data_len)
        return st_fail(ctx, SZ_ERR_FORMAT,
                       "tensor '%s': data_offsets [%" PRIu64 ", %" PRIu64
                       "] run past the data buffer of %" PRIu64 " bytes",
                       qname, span->begin, span->end, data_len);
    return SZ_OK;
}

/* One tensor entry: exactly dtype, shape and data_offsets, consistent sizes. */
static int st_parse_tensor(const st_ctx *ctx, const cJSON *entry, const uint8_t *data,
                           uint64_t data_len, st_tensor *t, st_span *span)
{
    char qname[ST_NAME_SHOWN + 8];
    char qkey[ST_NAME_SHOWN + 8];
    st_quote(entry->string, qname, sizeof(qname));
    if (!cJSON_IsObject(entry))
        return st_fail(ctx, SZ_ERR_FORMAT,
                       "tensor '%s': entry is a JSON %s; expected an object with dtype, shape "
                       "and data_offsets",
                       qname, st_json_kind(entry));
    const cJSON *dtype = NULL, *shape = NULL, *offsets = NULL;
    for (const cJSON *f = entry->child; f; f = f->next) {
        const cJSON **slot = NULL;
        if (strcmp(f->string, "dtype") == 0)
            slot = &dtype;
        else if (strcmp(f->string, "shape") == 0)
            slot = &shape;
        else if (strcmp(f->string, "data_offsets") == 0)
            slot = &offsets;
        else
            return st_fail(ctx, SZ_ERR_FORMAT,
                           "tensor '%s': unknown key '%s'; expected only dtype, shape and "
                           "data_offsets",
                           qname, st_quote(f->string, qkey, sizeof(qkey)));
        if (*slot)
            return st_fail(ctx, SZ_ERR_FORMAT, "tensor '%s': key '%s' appears twice", qname,
                           f->string);
        *slot = f;
    }
    if (!dtype || !shape || !offsets)
        return st_fail(ctx, SZ_ERR_FORMAT,
                       "tensor '%s': missing '%s'; expected dtype, shape and data_offsets", qname,
                       !dtype   ? "dtype"
                       : !shape ? "shape"
                                : "data_offsets");

    if (!cJSON_IsString(dtype))
        return st_fail(ctx, SZ_ERR_FORMAT,
                       "tensor '%s': dtype is a JSON %s; expected a string such as \"F32\"", qname,
                       st_json_kind(dtype));
    if (!st_parse_dtype(dtype->valuestring, &t->dtype))
        return st_fail(ctx, SZ_ERR_FORMAT,
                       "tensor '%s': dtype '%s' is not one of BOOL U8 I8 I16 U16 F16 BF16 I32 "
                       "U32 F32 I64 U64 F64",
                       qname, st_quote(dtype->valuestring, qkey, sizeof(qkey)));
    int rc = st_parse_shape(ctx, qname, shape, t);
    if (rc < 0)
        return rc;
    rc = st_parse_offsets(ctx, qname, offsets, data_len, span);
    if (rc < 0)
        return rc;

    char sh[256];
    uint64_t have = span->end - span->begin;
    size_t esize = st_dtypes[t->dtype].size;
    if ((uint64_t)t->n_elements > UINT64_MAX / esize)
        return st_fail(ctx, SZ_ERR_FORMAT, "tensor '%s': %s %s needs more than 2^64 bytes", qname,
                       st_dtypes[t->dtype].name, st_shape_str(t->shape, t->n_dims, sh, sizeof(sh)));
    uint64_t need = (uint64_t)t->n_elements * esize;
    if (need != have)
        return st_fail(ctx, SZ_ERR_FORMAT,
                       "tensor '%s': data_offsets [%" PRIu64 ", %" PRIu64 "] hold %" PRIu64
                       " bytes but %s %s needs %" PRIu64,
                       qname, span->begin, span->end, have, st_dtypes[t->dtype].name,
                       st_shape_str(t->shape, t->n_dims, sh, sizeof(sh)), need);
    t->data = data + span->begin;
    t->nbytes = (size_t)have;
    return SZ_OK;
}

static int st_parse_metadata(const st_ctx *ctx, const cJSON *item, st_file *f)
{
    char qkey[ST_NAME_SHOWN + 8];
    if (!cJSON_IsObject(item))
        return st_fail(ctx, SZ_ERR_FORMAT,
                       "__metadata__ is a JSON %s; expected an object of string values",
                       st_json_kind(item));
    size_t n = 0;
    for (const cJSON *m = item->child; m; m = m->next)
        n++;
    f->meta = calloc(n ? n : 1, sizeof(*f->meta));
    if (!f->meta)
        return st_fail(ctx, SZ_ERR_NO_MEMORY, "out of memory reading __metadata__");
    for (const cJSON *m = item->child; m; m = m->next) {
        if (!cJSON_IsString(m))
            return st_fail(ctx, SZ_ERR_FORMAT,
                           "__metadata__ key '%s' is a JSON %s; expected a string",
                           st_quote(m->string, qkey, sizeof(qkey)), st_json_kind(m));
        st_meta *e = &f->meta[f->n_meta];
        e->key = strdup(m->string);
        e->value = strdup(m->valuestring);
        f->n_meta++;
        if (!e->key || !e->value)
            return st_fail(ctx, SZ_ERR_NO_MEMORY, "out of memory reading __metadata__");
    }
    return SZ_OK;
}

static int st_cmp_span(const void *a, const void *b)
{
    const st_span *x = a, *y = b;
    if (x->begin != y->begin)
        return x->begin < y->begin ? -1 : 1;
    if (x->end != y->end)
        return x->end < y->end ? -1 : 1;
    return 0;
}

static int st_cmp_tensor_name(const void *a, const void *b)
{
    const st_tensor *const *x = a, *const *y = b;
    return strcmp((*x)->name, (*y)->name);
}

static int st_cmp_meta(const void *a, const void *b)
{
    const st_meta *x = a, *y = b;
    return strcmp(x->key, y->key);
}

/* Names are unique, metadata keys are unique, byte ranges do not overlap. */
static int st_check_whole(const st_ctx *ctx, st_file *f, st_span *spans)
{
    char qa[ST_NAME_SHOWN + 8], qb[ST_NAME_SHOWN + 8];
    for (size_t i = 0; i < f->n_tensors; i++)
        f->by_name[i] = &f->tensors[i];
    if (f->n_tensors > 1)
        qsort(f->by_name, f->n_tensors, sizeof(*f->by_name), st_cmp_tensor_name);
    for (size_t i = 1; i < f->n_tensors; i++) {
        if (strcmp(f->by_name[i - 1]->name, f->by_name[i]->name) == 0)
            return st_fail(ctx, SZ_ERR_FORMAT,
                           "tensor '%s' appears twice in the header; expected unique names",
                           st_quote(f->by_name[i]->name, qa, sizeof(qa)));
    }
    if (f->n_meta > 1)
        qsort(f->meta, f->n_meta, sizeof(*f->meta), st_cmp_meta);
    for (size_t i = 1; i < f->n_meta; i++) {
        if (strcmp(f->meta[i - 1].key, f->meta[i].key) == 0)
            return st_fail(ctx, SZ_ERR_FORMAT,
                           "__metadata__ key '%s' appears twice; expected unique keys",
                           st_quote(f->meta[i].key, qa, sizeof(qa)));
    }
    if (f->n_tensors > 1)
        qsort(spans, f->n_tensors, sizeof(*spans), st_cmp_span);
    /* Zero-size tensors hold no bytes, so they cannot overlap anything. */
    const st_span *p = NULL;
    for (size_t i = 0; i < f->n_tensors; i++) {
        const st_span *c = &spans[i];
        if (c->begin == c->end)
            continue;
        if (!p || p->end <= c->begin) {
            p = c;
            continue;
        }
        return st_fail(ctx, SZ_ERR_FORMAT,
                       "tensor '%s' data_offsets [%" PRIu64 ", %" PRIu64
                       "] overlap tensor '%s' data_offsets [%" PRIu64 ", %" PRIu64
                       "]; expected disjoint ranges",
                       st_quote(f->tensors[c->index].name, qa, sizeof(qa)), c->begin, c->end,
                       st_quote(f->tensors[p->index].name, qb, sizeof(qb)), p->begin, p->end);
    }
    return SZ_OK;
}

/* Builds *out from the header; the cJSON tree is owned by the caller. */
static int st_build(const st_ctx *ctx, const cJSON *root, const uint8_t *data, uint64_t data_len,
                    st_file *f)
{
    st_span *spans = NULL;
    const cJSON *meta = NULL;
    int rc = SZ_OK;
    size_t n = 0;
    for (const cJSON *e = root->child; e; e = e->next) {
        if (strcmp(e->string, "__metadata__") != 0) {
            n++;
        } else if (meta) {
            return st_fail(ctx, SZ_ERR_FORMAT,
                           "__metadata__ appears twice in the header; expected at most one");
        } else {
            meta = e;
        }
    }
    if (meta) {
        rc = st_parse_metadata(ctx, meta, f);
        if (rc < 0)
            goto fail;
    }
    f->tensors = calloc(n ? n : 1, sizeof(*f->tensors));
    f->by_name = calloc(n ? n : 1, sizeof(*f->by_name));
    spans = calloc(n ? n : 1, sizeof(*spans));
    if (!f->tensors || !f->by_name || !spans) {
        rc = st_fail(ctx, SZ_ERR_NO_MEMORY, "out of memory for %zu tensors", n);
        goto fail;
    }
    for (const cJSON *e = root->child; e; e = e->next) {
        if (e == meta)
            continue;
        st_tensor *t = &f->tensors[f->n_tensors];
        st_span *s = &spans[f->n_tensors];
        rc = st_parse_tensor(ctx, e, data, data_len, t, s);
        if (rc < 0)
            goto fail;
        t->name = strdup(e->string);
        if (!t->name) {
            rc = st_fail(ctx, SZ_ERR_NO_MEMORY, "out of memory for tensor names");
            goto fail;
        }
        s->index = f->n_tensors;
        f->n_tensors++;
    }
    rc = st_check_whole(ctx, f, spans);
fail:
    free(spans);
    return rc;
}

static int st_parse_labelled(const void *buf, size_t len, const st_ctx *ctx, st_file **out)
{
    const uint8_t *bytes = buf;
    cJSON *root = NULL;
    st_file *f = NULL;
    int rc;

    if (len < 8)
        return st_fail(ctx, SZ_ERR_FORMAT,
                       "file is %zu bytes; expected at least the 8-byte header length", len);
    uint64_t hlen = 0;
    for (int i = 7; i >= 0; i--)
        hlen = (hlen << 8) | bytes[i];
    if (hlen == 0)
        return st_fail(ctx, SZ_ERR_FORMAT,
                       "header length is 0; expected a JSON object after the length field");
    if (hlen > ST_MAX_HEADER_BYTES)
        return st_fail(ctx, SZ_ERR_FORMAT,
                       "header length %" PRIu64 " is over the limit of %u bytes", hlen,
                       ST_MAX_HEADER_BYTES);
    if (hlen > len - 8)
        return st_fail(ctx, SZ_ERR_FORMAT,
                       "header length %" PRIu64 " runs past the end of the file (%zu bytes "
                       "follow the length field)",
                       hlen, len - 8);
    const char *json = (const char *)bytes + 8;
    size_t bad_at = 0;
    if (!st_utf8_valid((const uint8_t *)json, (size_t)hlen, &bad_at))
        return st_fail(ctx, SZ_ERR_FORMAT, "header is not valid UTF-8 at byte %zu", bad_at + 8);

    const char *end = NULL;
    root = cJSON_ParseWithLengthOpts(json, (size_t)hlen, &end, 0);
    if (!root) {
        size_t at = (end && end >= json && end <= json + hlen) ? (size_t)(end - json) : 0;
        return st_fail(ctx, SZ_ERR_FORMAT, "header is not valid JSON (error near byte %zu)",
                       at + 8);
    }
    for (const char *p = end; p && p < json + hlen; p++) {
        if (!st_is_json_space(*p)) {
            rc = st_fail(ctx, SZ_ERR_FORMAT,
                         "header has data after the JSON object at byte %zu; expected only "
                         "spaces",
                         (size_t)(p - json) + 8);
            goto fail;
        }
    }
    if (!cJSON_IsObject(root)) {
        rc = st_fail(ctx, SZ_ERR_FORMAT,
                     "header is a JSON %s; expected an object mapping tensor names to entries",
                     st_json_kind(root));
        goto fail;
    }

    f = calloc(1, sizeof(*f));
    if (!f || !(f->label = strdup(ctx->label))) {
        rc = st_fail(ctx, SZ_ERR_NO_MEMORY, "out of memory");
        goto fail;
    }
    const uint8_t *data = bytes + 8 + hlen;
    rc = st_build(ctx, root, data, (uint64_t)(len - 8 - hlen), f);
    if (rc < 0)
        goto fail;
    cJSON_Delete(root);
    *out = f;
    return SZ_OK;
fail:
    cJSON_Delete(root);
    st_close(&f);
    return rc;
}

int st_parse(const void *buf, size_t len, const char *label, st_file **out, char *err,
             size_t errlen)
{
    st_ctx ctx = {label ? label : "<memory>", err, errlen};
    if (err && errlen)
        err[0] = '\0';
    if (!out)
        return st_fail(&ctx, SZ_ERR_INVALID_ARG, "st_parse called without an output pointer");
    *out = NULL;
    if (!buf && len)
        return st_fail(&ctx, SZ_ERR_INVALID_ARG, "st_parse called with a NULL buffer");
    return st_parse_labelled(buf, len, &ctx, out);
}

int st_open(const char *path, st_file **out, char *err, size_t errlen)
{
    st_ctx ctx = {path ? path : "<null>", err, errlen};
    if (err && errlen)
        err[0] = '\0';
    if (!out)
        return st_fail(&ctx, SZ_ERR_INVALID_ARG, "st_open called without an output pointer");
    *out = NULL;
    if (!path)
        return st_fail(&ctx, SZ_ERR_INVALID_ARG, "st_open called without a path");

    void *map = NULL;
    size_t len = 0;
    int rc;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return st_fail(&ctx, SZ_ERR_IO, "cannot open: %s", strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0) {
        rc = st_fail(&ctx, SZ_ERR_IO, "cannot stat: %s", strerror(errno));
        goto fail;
    }
    if (!S_ISREG(st.st_mode)) {
        rc = st_fail(&ctx, SZ_ERR_IO, "not a regular file");
        goto fail;
    }
    if (st.st_size < 8) {
        rc = st_fail(&ctx, SZ_ERR_FORMAT,
                     "file is %lld bytes; expected at least the 8-byte header length",
                     (long long)st.st_size);
        goto fail;
    }
    if ((uintmax_t)st.st_size > SIZE_MAX) {
        rc = st_fail(&ctx, SZ_ERR_IO, "file of %lld bytes is too large to map",
                     (long long)st.st_size);
        goto fail;
    }
    len = (size_t)st.st_size;
    map = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
    if (map == MAP_FAILED) {
        map = NULL;
        rc = st_fail(&ctx, SZ_ERR_IO, "cannot map %zu bytes: %s", len, strerror(errno));
        goto fail;
    }
    close(fd);
    fd = -1;
    rc = st_parse_labelled(map, len, &ctx, out);
    if (rc < 0)
        goto fail;
    (*out)->map = map;
    (*out)->map_len = len;
    return SZ_OK;
fail:
    if (map)
        munmap(map, len);
    if (fd >= 0)
        close(fd);
    return rc;
}

void st_close(st_file **file)
{
    if (!file || !*file)
        return;
    st_file *f = *file;
    if (f->tensors) {
        for (size_t i = 0; i < f->n_tensors; i++)
            free((void *)f->tensors[i].name);
    }
    if (f->meta) {
        for (size_t i = 0; i < f->n_meta; i++) {
            free(f->meta[i].key);
            free(f->meta[i].value);
        }
    }
    free(f->tensors);
    free(f->by_name);
    free(f->meta);
    free(f->label);
    if (f->map)
        munmap(f->map, f->map_len);
    free(f);
    *file = NULL;
}

size_t st_count(const st_file *file)
{
    return file ? file->n_tensors : 0;
}

const st_tensor *st_get(const st_file *file, size_t index)
{
    if (!file || index >= file->n_tensors)
        return NULL;
    return &file->tensors[index];
}

const st_tensor *st_find(const st_file *file, const char *name)
{
    if (!file || !name || file->n_tensors == 0)
        return NULL;
    st_tensor key = {.name = name};
    const st_tensor *kp = &key;
    const st_tensor **hit =
        bsearch(&kp, file->by_name, file->n_tensors, sizeof(*file->by_name), st_cmp_tensor_name);
    return hit ? *hit : NULL;
}

const char *st_metadata(const st_file *file, const char *key)
{
    if (!file || !key || file->n_meta == 0)
        return NULL;
    st_meta k = {.key = (char *)key};
    const st_meta *hit = bsearch(&k, file->meta, file->n_meta, sizeof(*file->meta), st_cmp_meta);
    return hit ? hit->value : NULL;
}

int st_metadata_int(const st_file *file, const char *what, const char *key, int lo, int hi,
                    int *out, char *err, size_t errlen)
{
    const char *s = st_metadata(file, key);
    char *end = NULL;
    long v = s ? strtol(s, &end, 10) : 0;
    if (!s || end == s || *end || v < lo || v > hi) {
        st_ctx ctx = {file->label, err, errlen};
        return st_fail(&ctx, SZ_ERR_FORMAT,
                       "%s metadata '%s': expected an integer in [%d, %d], got %s%s%s", what, key,
                       lo, hi, s ? "'" : "", s ? s : "nothing", s ? "'" : "");
    }
    *out = (int)v;
    return SZ_OK;
}

const char *st_label(const st_file *file) { return file->label; }

const char *st_dtype_name(st_dtype dtype)
{
    if ((int)dtype < 0 || dtype >= ST_DTYPE_COUNT)
        return "?";
    return st_dtypes[dtype].name;
}

size_t st_dtype_size(st_dtype dtype)
{
    if ((int)dtype < 0 || dtype >= ST_DTYPE_COUNT)
        return 0;
    return st_dtypes[dtype].size;
}

int st_expect(const st_file *file, const char *name, st_dtype dtype, int n_dims,
              const int64_t *shape, const st_tensor **out, char *err, size_t errlen)
{
    st_ctx ctx = {file ? file->label : "<null>", err, errlen};
    char qname[ST_NAME_SHOWN + 8], want[256], have[256];
    if (err && errlen)
        err[0] = '\0';
    if (out)
        *out = NULL;
    if (!file || !name || n_dims < 0 || n_dims > ST_MAX_DIMS || (n_dims > 0 && !shape) ||
        (int)dtype < 0 || dtype >= ST_DTYPE_COUNT)
        return st_fail(&ctx, SZ_ERR_INVALID_ARG, "st_expect called with invalid arguments");
    st_quote(name, qname, sizeof(qname));
    st_shape_str(shape, n_dims, want, sizeof(want));
    const st_tensor *t = st_find(file, name);
    if (!t)
        return st_fail(&ctx, SZ_ERR_NOT_FOUND, "tensor '%s' is missing; expected %s %s", qname,
                       st_dtypes[dtype].name, want);
    int ok = t->dtype == dtype && t->n_dims == n_dims;
    for (int i = 0; ok && i < n_dims; i++)
        ok = shape[i] < 0 || shape[i] == t->shape[i];
    if (!ok)
        return st_fail(&ctx, SZ_ERR_FORMAT, "tensor '%s' is %s %s; expected %s %s", qname,
                       st_dtypes[t->dtype].name,
                       st_shape_str(t->shape, t->n_dims, have, sizeof(have)), st_dtypes[dtype].name,
                       want);
    if (out)
        *out = t;
    return SZ_OK;
}
