/* SPDX-License-Identifier: Apache-2.0 */
/* json.h: JSON through libcjson with errors a user can act on: which file,
 * which line and column, which field, what was expected. */
#ifndef SZ_CORE_JSON_H
#define SZ_CORE_JSON_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#define JSON_MAX_FILE_BYTES (16u * 1024u * 1024u)

/* Parses text (not necessarily NUL-terminated). label names the source in
 * messages. On error returns NULL and writes "label:LINE:COL: ..." to err. */
cJSON *json_parse(const char *text, size_t len, const char *label, char *err, size_t errlen);
/* Reads and parses a file (at most JSON_MAX_FILE_BYTES). */
cJSON *json_load_file(const char *path, char *err, size_t errlen);

/* Typed field access. Each returns SZ_OK, or SZ_ERR_FORMAT with a message
 * "label: path.to.key: expected ..." when present but wrong; when absent,
 * returns SZ_ERR_NOT_FOUND if required is 0 (value untouched) and
 * SZ_ERR_FORMAT with "... is required" if required is 1. */
int json_get_string(const cJSON *obj, const char *key, const char *path, int required,
                    const char **out, char *err, size_t errlen);
int json_get_int(const cJSON *obj, const char *key, const char *path, int required,
                 int64_t min, int64_t max, int64_t *out, char *err, size_t errlen);
int json_get_number(const cJSON *obj, const char *key, const char *path, int required,
                    double min, double max, double *out, char *err, size_t errlen);
int json_get_bool(const cJSON *obj, const char *key, const char *path, int required, int *out,
                  char *err, size_t errlen);
/* Rejects keys not in the NULL-terminated list (catches typos in configs). */
int json_check_keys(const cJSON *obj, const char *const *allowed, const char *path, char *err,
                    size_t errlen);

/* Appends s to a buffer as a JSON string literal (with quotes). Returns the
 * number of bytes that would be written (like snprintf). */
size_t json_escape(char *dst, size_t cap, const char *s);

#endif
