/* SPDX-License-Identifier: Apache-2.0 */
/* out_options.h: the option strings of outputs, "key=value:key=value". A ':'
 * or '\' inside a value is written "\:" or "\\". The output core parses the
 * string once; each kind takes the keys it knows, and a key nobody took is an
 * error that names the keys the output does take. */
#ifndef SZ_STREAM_OUT_OPTIONS_H
#define SZ_STREAM_OUT_OPTIONS_H

#include <stddef.h>
#include <stdint.h>

#define OUT_OPT_MAX 64         /* pairs */
#define OUT_OPT_KEY_MAX 32     /* bytes, including the terminator */
#define OUT_OPT_VALUE_MAX 1024 /* bytes, including the terminator */

typedef struct out_opt {
    char key[OUT_OPT_KEY_MAX];
    char *value;
    int used;
} out_opt;

typedef struct out_options {
    out_opt items[OUT_OPT_MAX];
    int n;
    char name[160]; /* the output, for messages */
} out_options;

/* Parses s (NULL or "" gives no options). Keys are [a-z0-9_], unique. On
 * failure err says which pair and why; o is left empty. */
int out_options_parse(const char *s, const char *name, out_options *o, char *err, size_t errlen);
void out_options_free(out_options *o);

/* The value of key (marking it used) or NULL when absent. */
const char *out_options_get(out_options *o, const char *key);

/* Typed getters: leave *val unchanged when the key is absent and return
 * SZ_OK; a value that does not parse or is out of range gives
 * SZ_ERR_INVALID_ARG with "<name>: option key='v': expected ...". */
int out_options_int(out_options *o, const char *key, int64_t lo, int64_t hi, int64_t *val,
                    char *err, size_t errlen);
int out_options_double(out_options *o, const char *key, double lo, double hi, double *val,
                       char *err, size_t errlen);
/* Bits per second: "2500000", "2500k", "2.5M". */
int out_options_bitrate(out_options *o, const char *key, int64_t lo, int64_t hi, int64_t *val,
                        char *err, size_t errlen);
/* 1/0, yes/no, on/off, true/false. */
int out_options_bool(out_options *o, const char *key, int *val, char *err, size_t errlen);
/* One of choices (NULL-terminated); *idx is its index. */
int out_options_choice(out_options *o, const char *key, const char *const *choices, int *idx,
                       char *err, size_t errlen);
/* A string of at most cap-1 bytes copied into buf. */
int out_options_string(out_options *o, const char *key, char *buf, size_t cap, char *err,
                       size_t errlen);

/* SZ_OK when every key was used; otherwise names the first unknown key and
 * lists `known` (a space-separated list of the keys this output takes). */
int out_options_check_used(const out_options *o, const char *known, char *err, size_t errlen);

/* Writes value into dst with ':' and '\' escaped, for building option strings.
 * Returns the length it needs (like snprintf). */
size_t out_options_escape(char *dst, size_t cap, const char *value);

#endif
