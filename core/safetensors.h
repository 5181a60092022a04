/* SPDX-License-Identifier: Apache-2.0 */
/* safetensors.h: a validating reader for .safetensors files (voices, models).
 * Every check failure names the file, the tensor and what was expected. */
#ifndef SZ_CORE_SAFETENSORS_H
#define SZ_CORE_SAFETENSORS_H

#include <stddef.h>
#include <stdint.h>

#define ST_MAX_DIMS 8
#define ST_MAX_HEADER_BYTES (100u * 1024u * 1024u) /* as the reference implementation */

typedef enum st_dtype {
    ST_BOOL, ST_U8, ST_I8, ST_I16, ST_U16, ST_F16, ST_BF16, ST_I32, ST_U32, ST_F32,
    ST_I64, ST_U64, ST_F64, ST_DTYPE_COUNT
} st_dtype;

typedef struct st_tensor {
    const char *name;
    st_dtype dtype;
    int n_dims;
    int64_t shape[ST_MAX_DIMS];
    int64_t n_elements;
    const void *data; /* inside the mapped file; aligned only as the file is */
    size_t nbytes;
} st_tensor;

typedef struct st_file st_file;

/* Maps and validates a file. On failure returns a negative sz_result and
 * writes one line into err ("voice.safetensors: tensor 'enc.w': ..."). */
int st_open(const char *path, st_file **out, char *err, size_t errlen);
/* Validates a buffer in memory (the fuzz target uses this). The buffer must
 * outlive the st_file; it is not copied. */
int st_parse(const void *buf, size_t len, const char *label, st_file **out, char *err,
             size_t errlen);
void st_close(st_file **file);

size_t st_count(const st_file *file);
const st_tensor *st_get(const st_file *file, size_t index);
const st_tensor *st_find(const st_file *file, const char *name);
/* __metadata__ string values; NULL when absent. */
const char *st_metadata(const st_file *file, const char *key);
/* A metadata value that must be a whole number in [lo, hi]; otherwise
 * writes "LABEL: WHAT metadata 'KEY': expected an integer in [lo, hi], got
 * ..." into err (naming the file, as every message here does) and returns
 * SZ_ERR_FORMAT. */
int st_metadata_int(const st_file *file, const char *what, const char *key, int lo, int hi,
                    int *out, char *err, size_t errlen);
/* The file's path (or the label given to st_parse), for messages. */
const char *st_label(const st_file *file);
const char *st_dtype_name(st_dtype dtype);
size_t st_dtype_size(st_dtype dtype);

/* Checks that a tensor exists with this dtype and shape (a -1 in the shape
 * accepts any size in that place). Writes a clear message into err on failure. */
int st_expect(const st_file *file, const char *name, st_dtype dtype, int n_dims,
              const int64_t *shape, const st_tensor **out, char *err, size_t errlen);

#endif
