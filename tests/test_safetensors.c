/* SPDX-License-Identifier: Apache-2.0 */
/* test_safetensors.c: reads back a known .safetensors file (from memory and from
 * disk) and checks that corrupt variants are refused with the right error code
 * and a message naming the offending tensor. */
#include "core/safetensors.h"
#include "shuzi.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"

/* 8-byte little-endian length (as given), the header bytes, then data_len
 * bytes of data (zeros when data is NULL). */
static uint8_t *test_make_raw(uint64_t hlen, const char *header, size_t header_bytes,
                              const void *data, size_t data_len, size_t *out_len)
{
    size_t len = 8 + header_bytes + data_len;
    uint8_t *buf = calloc(1, len ? len : 1);
    if (!buf) {
        fprintf(stderr, "out of memory\n");
        exit(2);
    }
    for (int i = 0; i < 8; i++)
        buf[i] = (uint8_t)(hlen >> (8 * i));
    memcpy(buf + 8, header, header_bytes);
    if (data)
        memcpy(buf + 8 + header_bytes, data, data_len);
    *out_len = len;
    return buf;
}

static uint8_t *test_make(const char *header, const void *data, size_t data_len, size_t *out_len)
{
    size_t h = strlen(header);
    return test_make_raw(h, header, h, data, data_len, out_len);
}

static int test_write(const char *path, const void *buf, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    size_t w = fwrite(buf, 1, len, f);
    int rc = fclose(f);
    return (w == len && rc == 0) ? 0 : -1;
}

/* The valid file: header padded with spaces to 8 bytes as the Python writer
 * does, F32 [3, 4], F16 [4], I64 scalar, U8 [0, 5], and two metadata keys. */
static const char *const valid_header =
    "{\"__metadata__\":{\"format\":\"pt\",\"voice\":\"anna\"},"
    "\"enc.w\":{\"dtype\":\"F32\",\"shape\":[3,4],\"data_offsets\":[0,48]},"
    "\"enc.b\":{\"shape\":[4],\"dtype\":\"F16\",\"data_offsets\":[48,56]},"
    "\"steps\":{\"dtype\":\"I64\",\"shape\":[],\"data_offsets\":[56,64]},"
    "\"empty\":{\"dtype\":\"U8\",\"shape\":[0,5],\"data_offsets\":[64,64]}}";

static uint8_t valid_data[64];

static uint8_t *test_make_valid(size_t *out_len)
{
    char header[1024];
    size_t h = strlen(valid_header);
    memcpy(header, valid_header, h);
    while (h % 8)
        header[h++] = ' ';
    for (int i = 0; i < 12; i++) {
        float v = (float)i * 0.5f;
        memcpy(valid_data + 4 * i, &v, 4);
    }
    const uint16_t halves[4] = {0x3c00, 0x4000, 0xbc00, 0x0000}; /* 1, 2, -1, 0 */
    memcpy(valid_data + 48, halves, sizeof(halves));
    int64_t steps = -7;
    memcpy(valid_data + 56, &steps, 8);
    return test_make_raw(h, header, h, valid_data, sizeof(valid_data), out_len);
}

static void test_check_valid(const st_file *f, const char *what)
{
    CHECK(st_count(f) == 4, "%s: st_count is %zu, expected 4", what, st_count(f));
    const char *names[4] = {"enc.w", "enc.b", "steps", "empty"};
    for (size_t i = 0; i < 4 && i < st_count(f); i++) {
        const st_tensor *t = st_get(f, i);
        CHECK(t && strcmp(t->name, names[i]) == 0, "%s: tensor %zu is '%s', expected '%s'", what, i,
              t ? t->name : "(null)", names[i]);
    }
    CHECK(st_get(f, 4) == NULL, "%s: st_get past the end is not NULL", what);

    const st_tensor *w = st_find(f, "enc.w");
    CHECK(w != NULL, "%s: enc.w not found", what);
    if (w) {
        CHECK(w->dtype == ST_F32 && w->n_dims == 2 && w->shape[0] == 3 && w->shape[1] == 4 &&
                  w->n_elements == 12 && w->nbytes == 48,
              "%s: enc.w is %s n_dims %d [%lld, %lld] n=%lld bytes=%zu", what,
              st_dtype_name(w->dtype), w->n_dims, (long long)w->shape[0], (long long)w->shape[1],
              (long long)w->n_elements, w->nbytes);
        for (int i = 0; i < 12; i++) {
            float v;
            memcpy(&v, (const uint8_t *)w->data + 4 * i, 4);
            CHECK(v == (float)i * 0.5f, "%s: enc.w[%d] = %g, expected %g", what, i, v,
                  (float)i * 0.5f);
        }
    }
    const st_tensor *b = st_find(f, "enc.b");
    CHECK(b && b->dtype == ST_F16 && b->n_dims == 1 && b->shape[0] == 4 && b->nbytes == 8,
          "%s: enc.b has the wrong dtype or shape", what);
    if (b) {
        uint16_t h[4];
        memcpy(h, b->data, 8);
        CHECK(h[0] == 0x3c00 && h[1] == 0x4000 && h[2] == 0xbc00 && h[3] == 0,
              "%s: enc.b values %04x %04x %04x %04x", what, h[0], h[1], h[2], h[3]);
    }
    const st_tensor *s = st_find(f, "steps");
    CHECK(s && s->dtype == ST_I64 && s->n_dims == 0 && s->n_elements == 1 && s->nbytes == 8,
          "%s: steps is not an I64 scalar", what);
    if (s) {
        int64_t v;
        memcpy(&v, s->data, 8);
        CHECK(v == -7, "%s: steps = %lld, expected -7", what, (long long)v);
    }
    const st_tensor *e = st_find(f, "empty");
    CHECK(e && e->dtype == ST_U8 && e->n_dims == 2 && e->shape[0] == 0 && e->shape[1] == 5 &&
              e->n_elements == 0 && e->nbytes == 0,
          "%s: empty is not U8 [0, 5]", what);
    CHECK(st_find(f, "enc") == NULL && st_find(f, "__metadata__") == NULL &&
              st_find(f, "zzz") == NULL,
          "%s: st_find found a tensor that does not exist", what);

    const char *fmt = st_metadata(f, "format"), *voice = st_metadata(f, "voice");
    CHECK(fmt && strcmp(fmt, "pt") == 0, "%s: metadata format = %s", what, fmt ? fmt : "(null)");
    CHECK(voice && strcmp(voice, "anna") == 0, "%s: metadata voice = %s", what,
          voice ? voice : "(null)");
    CHECK(st_metadata(f, "missing") == NULL, "%s: metadata 'missing' is not NULL", what);
}

static void test_expect(const st_file *f)
{
    char err[512];
    const st_tensor *t = NULL;
    const int64_t s34[2] = {3, 4}, s3any[2] = {3, -1}, s43[2] = {4, 3};

    int rc = st_expect(f, "enc.w", ST_F32, 2, s34, &t, err, sizeof(err));
    CHECK(rc == SZ_OK && t && strcmp(t->name, "enc.w") == 0, "st_expect enc.w F32 [3,4]: %d %s", rc,
          err);
    rc = st_expect(f, "enc.w", ST_F32, 2, s3any, &t, err, sizeof(err));
    CHECK(rc == SZ_OK && t != NULL, "st_expect enc.w F32 [3,*]: %d %s", rc, err);
    rc = st_expect(f, "steps", ST_I64, 0, NULL, NULL, err, sizeof(err));
    CHECK(rc == SZ_OK, "st_expect steps I64 []: %d %s", rc, err);

    rc = st_expect(f, "enc.w", ST_F16, 2, s34, &t, err, sizeof(err));
    CHECK(rc == SZ_ERR_FORMAT && t == NULL && strstr(err, "'enc.w'") && strstr(err, "F32 [3, 4]") &&
              strstr(err, "F16 [3, 4]"),
          "st_expect wrong dtype: %d '%s'", rc, err);
    rc = st_expect(f, "enc.w", ST_F32, 2, s43, &t, err, sizeof(err));
    CHECK(rc == SZ_ERR_FORMAT && t == NULL && strstr(err, "'enc.w'") && strstr(err, "[4, 3]"),
          "st_expect wrong shape: %d '%s'", rc, err);
    rc = st_expect(f, "enc.w", ST_F32, 1, s34, &t, err, sizeof(err));
    CHECK(rc == SZ_ERR_FORMAT && strstr(err, "'enc.w'"), "st_expect wrong n_dims: %d '%s'", rc,
          err);
    rc = st_expect(f, "dec.w", ST_F32, 2, s34, &t, err, sizeof(err));
    CHECK(rc == SZ_ERR_NOT_FOUND && t == NULL && strstr(err, "'dec.w'") && strstr(err, "missing"),
          "st_expect missing: %d '%s'", rc, err);
    rc = st_expect(f, "dec.w", ST_F32, 2, s34, NULL, NULL, 0);
    CHECK(rc == SZ_ERR_NOT_FOUND, "st_expect missing without err buffer: %d", rc);

    /* integer metadata: "voice" is 'anna', not a number; a missing key */
    int v = 5;
    rc = st_metadata_int(f, "test", "voice", 0, 10, &v, err, sizeof(err));
    CHECK(rc == SZ_ERR_FORMAT && v == 5 && strncmp(err, st_label(f), strlen(st_label(f))) == 0 &&
              strstr(err, "test metadata 'voice'") && strstr(err, "got 'anna'"),
          "st_metadata_int on text: %d '%s'", rc, err);
    rc = st_metadata_int(f, "test", "missing", 0, 10, &v, err, sizeof(err));
    CHECK(rc == SZ_ERR_FORMAT && strstr(err, "got nothing"), "st_metadata_int missing: %d '%s'",
          rc, err);
}

typedef struct test_case {
    const char *what;
    const char *header;
    size_t data_len;
    int code;
    const char *want1, *want2; /* substrings the message must hold (NULL = none) */
} test_case;

static const test_case corrupt_cases[] = {
    {"non-JSON", "{\"w\": not json", 0, SZ_ERR_FORMAT, "not valid JSON", NULL},
    {"JSON array", "[1, 2, 3]", 0, SZ_ERR_FORMAT, "JSON array", NULL},
    {"JSON string", "\"w\"", 0, SZ_ERR_FORMAT, "JSON string", NULL},
    {"trailing data", "{} x", 0, SZ_ERR_FORMAT, "after the JSON", NULL},
    {"bad dtype", "{\"w\":{\"dtype\":\"F8\",\"shape\":[2],\"data_offsets\":[0,2]}}", 2,
     SZ_ERR_FORMAT, "'w'", "dtype 'F8'"},
    {"lowercase dtype", "{\"w\":{\"dtype\":\"f32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4,
     SZ_ERR_FORMAT, "'w'", "dtype 'f32'"},
    {"dtype number", "{\"w\":{\"dtype\":4,\"shape\":[1],\"data_offsets\":[0,4]}}", 4, SZ_ERR_FORMAT,
     "'w'", "dtype"},
    {"negative shape", "{\"w\":{\"dtype\":\"F32\",\"shape\":[-1,2],\"data_offsets\":[0,8]}}", 8,
     SZ_ERR_FORMAT, "'w'", "shape[0] is -1"},
    {"fractional shape", "{\"w\":{\"dtype\":\"F32\",\"shape\":[2,2.5],\"data_offsets\":[0,8]}}", 8,
     SZ_ERR_FORMAT, "'w'", "shape[1] is 2.5"},
    {"huge shape", "{\"w\":{\"dtype\":\"U8\",\"shape\":[1e300],\"data_offsets\":[0,8]}}", 8,
     SZ_ERR_FORMAT, "'w'", "shape[0]"},
    {"string shape", "{\"w\":{\"dtype\":\"U8\",\"shape\":[\"2\"],\"data_offsets\":[0,2]}}", 2,
     SZ_ERR_FORMAT, "'w'", "shape[0]"},
    {"shape not array", "{\"w\":{\"dtype\":\"U8\",\"shape\":2,\"data_offsets\":[0,2]}}", 2,
     SZ_ERR_FORMAT, "'w'", "shape"},
    {"too many dims",
     "{\"w\":{\"dtype\":\"F32\",\"shape\":[1,1,1,1,1,1,1,1,1],\"data_offsets\":[0,4]}}", 4,
     SZ_ERR_FORMAT, "'w'", "dims"},
    {"element-count overflow",
     "{\"w\":{\"dtype\":\"U8\",\"shape\":[4294967296,4294967296,4294967296],"
     "\"data_offsets\":[0,0]}}",
     0, SZ_ERR_FORMAT, "'w'", "2^63"},
    {"byte-count overflow",
     "{\"w\":{\"dtype\":\"F64\",\"shape\":[9007199254740992,1023],\"data_offsets\":[0,0]}}", 0,
     SZ_ERR_FORMAT, "'w'", "2^64"},
    {"offsets reversed", "{\"w\":{\"dtype\":\"U8\",\"shape\":[8],\"data_offsets\":[8,0]}}", 8,
     SZ_ERR_FORMAT, "'w'", "[8, 0]"},
    {"offsets past end", "{\"w\":{\"dtype\":\"U8\",\"shape\":[400],\"data_offsets\":[0,400]}}", 48,
     SZ_ERR_FORMAT, "'w'", "past the data buffer of 48"},
    {"negative offset", "{\"w\":{\"dtype\":\"U8\",\"shape\":[4],\"data_offsets\":[-4,0]}}", 8,
     SZ_ERR_FORMAT, "'w'", "begin"},
    {"three offsets", "{\"w\":{\"dtype\":\"U8\",\"shape\":[4],\"data_offsets\":[0,4,8]}}", 8,
     SZ_ERR_FORMAT, "'w'", "3 entries"},
    {"size mismatch", "{\"enc.w\":{\"dtype\":\"F32\",\"shape\":[3,4],\"data_offsets\":[0,40]}}", 48,
     SZ_ERR_FORMAT,
     "<memory>: tensor 'enc.w': data_offsets [0, 40] hold 40 bytes but F32 [3, 4] needs 48", NULL},
    {"overlapping tensors",
     "{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]},"
     "\"b\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[8,24]}}",
     24, SZ_ERR_FORMAT, "'a'", "'b'"},
    {"overlap with a zero-size tensor inside",
     "{\"a\":{\"dtype\":\"U8\",\"shape\":[0],\"data_offsets\":[4,4]},"
     "\"b\":{\"dtype\":\"U8\",\"shape\":[8],\"data_offsets\":[0,8]},"
     "\"c\":{\"dtype\":\"U8\",\"shape\":[8],\"data_offsets\":[6,14]}}",
     16, SZ_ERR_FORMAT, "'b'", "'c'"},
    {"duplicate name",
     "{\"w\":{\"dtype\":\"U8\",\"shape\":[4],\"data_offsets\":[0,4]},"
     "\"w\":{\"dtype\":\"U8\",\"shape\":[4],\"data_offsets\":[4,8]}}",
     8, SZ_ERR_FORMAT, "'w'", "twice"},
    {"duplicate key in entry",
     "{\"w\":{\"dtype\":\"U8\",\"dtype\":\"U8\",\"shape\":[4],\"data_offsets\":[0,4]}}", 4,
     SZ_ERR_FORMAT, "'w'", "twice"},
    {"unknown key", "{\"w\":{\"dtype\":\"U8\",\"shape\":[4],\"data_offsets\":[0,4],\"x\":1}}", 4,
     SZ_ERR_FORMAT, "'w'", "'x'"},
    {"missing data_offsets", "{\"w\":{\"dtype\":\"U8\",\"shape\":[4]}}", 4, SZ_ERR_FORMAT, "'w'",
     "data_offsets"},
    {"missing dtype", "{\"w\":{\"shape\":[4],\"data_offsets\":[0,4]}}", 4, SZ_ERR_FORMAT, "'w'",
     "dtype"},
    {"entry not object", "{\"w\":[1,2]}", 0, SZ_ERR_FORMAT, "'w'", "JSON array"},
    {"non-string metadata value", "{\"__metadata__\":{\"format\":\"pt\",\"rate\":24000}}", 0,
     SZ_ERR_FORMAT, "'rate'", "expected a string"},
    {"metadata not object", "{\"__metadata__\":[\"pt\"]}", 0, SZ_ERR_FORMAT, "__metadata__", NULL},
    {"duplicate metadata key", "{\"__metadata__\":{\"k\":\"a\",\"k\":\"b\"}}", 0, SZ_ERR_FORMAT,
     "'k'", "twice"},
    {"invalid UTF-8", "{\"w\xc3\x28\":{}}", 0, SZ_ERR_FORMAT, "UTF-8", NULL},
};

static void test_corrupt(void)
{
    char err[512];
    size_t n = sizeof(corrupt_cases) / sizeof(corrupt_cases[0]);
    for (size_t i = 0; i < n; i++) {
        const test_case *c = &corrupt_cases[i];
        size_t len;
        uint8_t *buf = test_make(c->header, NULL, c->data_len, &len);
        st_file *f = (st_file *)buf; /* must be overwritten with NULL */
        memset(err, 'x', sizeof(err));
        int rc = st_parse(buf, len, NULL, &f, err, sizeof(err));
        CHECK(rc == c->code && f == NULL, "%s: rc %d (want %d), file %p", c->what, rc, c->code,
              (void *)f);
        CHECK(strchr(err, '\n') == NULL && strlen(err) < sizeof(err), "%s: message not one line",
              c->what);
        CHECK(strstr(err, c->want1) != NULL, "%s: message '%s' lacks '%s'", c->what, err, c->want1);
        if (c->want2)
            CHECK(strstr(err, c->want2) != NULL, "%s: message '%s' lacks '%s'", c->what, err,
                  c->want2);
        /* Same result without an error buffer. */
        rc = st_parse(buf, len, "x", &f, NULL, 0);
        CHECK(rc == c->code && f == NULL, "%s without err: rc %d", c->what, rc);
        st_close(&f);
        free(buf);
    }
    printf("%zu corrupt headers rejected\n", n);
}

static void test_expect_fail(const uint8_t *buf, size_t len, const char *what, int code,
                             const char *want)
{
    char err[512] = "";
    st_file *f = NULL;
    int rc = st_parse(buf, len, "cut.safetensors", &f, err, sizeof(err));
    CHECK(rc == code && f == NULL, "%s: rc %d (want %d)", what, rc, code);
    CHECK(strncmp(err, "cut.safetensors: ", 17) == 0, "%s: message '%s' lacks the label", what,
          err);
    CHECK(strstr(err, want) != NULL, "%s: message '%s' lacks '%s'", what, err, want);
    st_close(&f);
}

/* Cut points of the valid file and bad header lengths. */
static int test_raw(const uint8_t *valid, size_t valid_len)
{
    int n = 0;
    uint64_t hlen = 0;
    for (int i = 7; i >= 0; i--)
        hlen = (hlen << 8) | valid[i];
    size_t header_end = 8 + (size_t)hlen;

    test_expect_fail(valid, 0, "truncated to 0", SZ_ERR_FORMAT, "8-byte"), n++;
    test_expect_fail(NULL, 0, "NULL buffer", SZ_ERR_FORMAT, "8-byte"), n++;
    test_expect_fail(valid, 5, "truncated to 5", SZ_ERR_FORMAT, "8-byte"), n++;
    test_expect_fail(valid, 7, "truncated to 7", SZ_ERR_FORMAT, "8-byte"), n++;
    test_expect_fail(valid, 8, "truncated to 8", SZ_ERR_FORMAT, "runs past the end"), n++;
    test_expect_fail(valid, header_end / 2, "truncated in the header", SZ_ERR_FORMAT,
                     "runs past the end"),
        n++;
    test_expect_fail(valid, header_end - 1, "truncated by one header byte", SZ_ERR_FORMAT,
                     "runs past the end"),
        n++;
    test_expect_fail(valid, header_end, "truncated at the data", SZ_ERR_FORMAT, "'enc.w'"), n++;
    test_expect_fail(valid, header_end + 50, "truncated inside enc.b", SZ_ERR_FORMAT, "'enc.b'"),
        n++;
    test_expect_fail(valid, valid_len - 1, "truncated by one data byte", SZ_ERR_FORMAT, "'steps'"),
        n++;

    size_t len;
    uint8_t *buf = test_make_raw(1000, "{}", 2, NULL, 0, &len);
    test_expect_fail(buf, len, "header length larger than the file", SZ_ERR_FORMAT,
                     "header length 1000"),
        n++;
    free(buf);
    buf = test_make_raw(0, "{}", 2, NULL, 0, &len);
    test_expect_fail(buf, len, "header length 0", SZ_ERR_FORMAT, "header length is 0"), n++;
    free(buf);
    buf = test_make_raw((uint64_t)ST_MAX_HEADER_BYTES + 1, "{}", 2, NULL, 0, &len);
    test_expect_fail(buf, len, "header over the limit", SZ_ERR_FORMAT, "limit"), n++;
    free(buf);
    buf = test_make_raw(UINT64_MAX, "{}", 2, NULL, 0, &len);
    test_expect_fail(buf, len, "header length 2^64-1", SZ_ERR_FORMAT, "limit"), n++;
    free(buf);
    buf = test_make_raw(3, "{}\0", 3, NULL, 0, &len);
    test_expect_fail(buf, len, "NUL after the JSON", SZ_ERR_FORMAT, "after the JSON"), n++;
    free(buf);
    buf = test_make_raw(1, "{", 1, NULL, 0, &len);
    test_expect_fail(buf, len, "header cut inside the JSON", SZ_ERR_FORMAT, "not valid JSON"), n++;
    free(buf);
    return n;
}

/* Headers the reader must accept. */
static void test_valid_edges(void)
{
    char err[512];
    st_file *f = NULL;
    size_t len;
    uint8_t *buf = test_make("{}", NULL, 0, &len);
    int rc = st_parse(buf, len, "e", &f, err, sizeof(err));
    CHECK(rc == SZ_OK && f && st_count(f) == 0 && st_find(f, "a") == NULL &&
              st_metadata(f, "a") == NULL && st_get(f, 0) == NULL,
          "empty header: %d %s", rc, err);
    st_close(&f);
    CHECK(f == NULL, "st_close did not clear the pointer");
    st_close(&f);
    st_close(NULL);
    free(buf);

    /* Gaps between tensors, tensors out of order, all dtypes. */
    buf = test_make("{\"b\":{\"dtype\":\"BOOL\",\"shape\":[2],\"data_offsets\":[40,42]},"
                    "\"a\":{\"dtype\":\"BF16\",\"shape\":[1,2],\"data_offsets\":[0,4]},"
                    "\"c\":{\"dtype\":\"F64\",\"shape\":[2],\"data_offsets\":[8,24]},"
                    "\"__metadata__\":{}}  \n",
                    NULL, 48, &len);
    rc = st_parse(buf, len, "e", &f, err, sizeof(err));
    CHECK(rc == SZ_OK && st_count(f) == 3, "gaps and order: %d %s", rc, err);
    if (rc == SZ_OK) {
        const st_tensor *b = st_find(f, "b"), *a = st_find(f, "a");
        CHECK(b && b->data == buf + len - 48 + 40 && b->dtype == ST_BOOL, "tensor b data pointer");
        CHECK(a && a->data == buf + len - 48 && a->dtype == ST_BF16, "tensor a data pointer");
        CHECK(strcmp(st_get(f, 0)->name, "b") == 0, "header order not kept");
    }
    st_close(&f);
    free(buf);

    /* A zero-size tensor holds no bytes, so sitting inside another is fine. */
    buf = test_make("{\"z\":{\"dtype\":\"F32\",\"shape\":[2,0],\"data_offsets\":[4,4]},"
                    "\"b\":{\"dtype\":\"U8\",\"shape\":[8],\"data_offsets\":[0,8]}}",
                    NULL, 8, &len);
    rc = st_parse(buf, len, "e", &f, err, sizeof(err));
    CHECK(rc == SZ_OK && st_count(f) == 2 && st_find(f, "z")->nbytes == 0,
          "zero-size tensor inside another: %d %s", rc, err);
    st_close(&f);
    free(buf);

    size_t sum = 0;
    for (int d = 0; d < ST_DTYPE_COUNT; d++) {
        st_dtype dt;
        const char *name = st_dtype_name((st_dtype)d);
        char header[200];
        snprintf(header, sizeof(header),
                 "{\"t\":{\"dtype\":\"%s\",\"shape\":[3],\"data_offsets\":[0,%zu]}}", name,
                 3 * st_dtype_size((st_dtype)d));
        buf = test_make(header, NULL, 24, &len);
        rc = st_parse(buf, len, "e", &f, err, sizeof(err));
        dt = rc == SZ_OK ? st_get(f, 0)->dtype : ST_DTYPE_COUNT;
        CHECK(rc == SZ_OK && dt == (st_dtype)d, "dtype %s: %d %s", name, rc, err);
        sum += st_dtype_size((st_dtype)d);
        st_close(&f);
        free(buf);
    }
    CHECK(sum == 1 + 1 + 1 + 2 + 2 + 2 + 2 + 4 + 4 + 4 + 8 + 8 + 8, "dtype sizes sum to %zu", sum);
    CHECK(st_dtype_size(ST_DTYPE_COUNT) == 0 && strcmp(st_dtype_name(ST_DTYPE_COUNT), "?") == 0,
          "out-of-range dtype");
}

static void test_files(const char *dir, const uint8_t *valid, size_t valid_len)
{
    char path[512], err[512];
    st_file *f = NULL;

    snprintf(path, sizeof(path), "%s/voice.safetensors", dir);
    CHECK(test_write(path, valid, valid_len) == 0, "cannot write %s", path);
    int rc = st_open(path, &f, err, sizeof(err));
    CHECK(rc == SZ_OK && f != NULL, "st_open valid file: %d %s", rc, err);
    if (f) {
        test_check_valid(f, "st_open");
        test_expect(f);
        char e2[512];
        rc = st_expect(f, "nope", ST_F32, 0, NULL, NULL, e2, sizeof(e2));
        CHECK(rc == SZ_ERR_NOT_FOUND && strncmp(e2, path, strlen(path)) == 0,
              "st_expect message lacks the path: '%s'", e2);
    }
    st_close(&f);
    CHECK(f == NULL, "st_close did not clear the pointer");

    snprintf(path, sizeof(path), "%s/missing.safetensors", dir);
    f = (st_file *)path;
    rc = st_open(path, &f, err, sizeof(err));
    CHECK(rc == SZ_ERR_IO && f == NULL && strstr(err, path), "missing file: %d '%s'", rc, err);

    rc = st_open(dir, &f, err, sizeof(err));
    CHECK(rc == SZ_ERR_IO && f == NULL, "directory: %d '%s'", rc, err);

    snprintf(path, sizeof(path), "%s/short.safetensors", dir);
    CHECK(test_write(path, valid, 5) == 0, "cannot write %s", path);
    rc = st_open(path, &f, err, sizeof(err));
    CHECK(rc == SZ_ERR_FORMAT && f == NULL && strstr(err, "8-byte"), "5-byte file: %d '%s'", rc,
          err);

    snprintf(path, sizeof(path), "%s/empty.safetensors", dir);
    CHECK(test_write(path, valid, 0) == 0, "cannot write %s", path);
    rc = st_open(path, &f, err, sizeof(err));
    CHECK(rc == SZ_ERR_FORMAT && f == NULL, "empty file: %d '%s'", rc, err);

    snprintf(path, sizeof(path), "%s/cut.safetensors", dir);
    CHECK(test_write(path, valid, valid_len - 4) == 0, "cannot write %s", path);
    rc = st_open(path, &f, err, sizeof(err));
    CHECK(rc == SZ_ERR_FORMAT && f == NULL && strstr(err, "'steps'") &&
              strncmp(err, path, strlen(path)) == 0,
          "truncated file: %d '%s'", rc, err);

    size_t len;
    uint8_t *buf = test_make(
        "{\"enc.w\":{\"dtype\":\"F32\",\"shape\":[3,4],\"data_offsets\":[0,40]}}", NULL, 48, &len);
    snprintf(path, sizeof(path), "%s/bad.safetensors", dir);
    CHECK(test_write(path, buf, len) == 0, "cannot write %s", path);
    rc = st_open(path, &f, err, sizeof(err));
    char want[640];
    snprintf(want, sizeof(want),
             "%s: tensor 'enc.w': data_offsets [0, 40] hold 40 bytes but F32 [3, 4] needs 48",
             path);
    CHECK(rc == SZ_ERR_FORMAT && f == NULL && strcmp(err, want) == 0, "size mismatch file: '%s'",
          err);
    free(buf);

    rc = st_open(path, &f, NULL, 0);
    CHECK(rc == SZ_ERR_FORMAT && f == NULL, "st_open without err buffer: %d", rc);
    rc = st_open(NULL, &f, err, sizeof(err));
    CHECK(rc == SZ_ERR_INVALID_ARG, "st_open(NULL): %d", rc);
    rc = st_parse(valid, valid_len, "x", NULL, err, sizeof(err));
    CHECK(rc == SZ_ERR_INVALID_ARG, "st_parse without out: %d", rc);

    const char *names[] = {"voice.safetensors", "short.safetensors", "empty.safetensors",
                           "cut.safetensors", "bad.safetensors"};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
        unlink(path);
    }
}

int main(void)
{
    char dir[] = "/tmp/shuzi_st_XXXXXX";
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    size_t valid_len;
    uint8_t *valid = test_make_valid(&valid_len);

    char err[512];
    st_file *f = NULL;
    int rc = st_parse(valid, valid_len, "mem", &f, err, sizeof(err));
    CHECK(rc == SZ_OK && f != NULL && err[0] == '\0', "st_parse valid buffer: %d %s", rc, err);
    if (f) {
        test_check_valid(f, "st_parse");
        test_expect(f);
    }
    st_close(&f);

    test_valid_edges();
    test_corrupt();
    int raw = test_raw(valid, valid_len);
    printf("%d truncated or bad-length buffers rejected\n", raw);
    test_files(dir, valid, valid_len);

    free(valid);
    rmdir(dir);
    return check_summary("test_safetensors");
}
