/* SPDX-License-Identifier: Apache-2.0 */
/* file.h: reading a whole regular file into memory under a size limit, for
 * the loaders of outside input (config, script, FAQ, rig, audio, JSON).
 * Thread-safe. */
#ifndef SZ_CORE_FILE_H
#define SZ_CORE_FILE_H

#include <stddef.h>
#include <stdio.h>

/* Reads f (opened by the caller from path, which names it in messages) into
 * *out: malloc'd, NUL-terminated, *len bytes before the NUL; the caller
 * frees it. f must be a regular file of at most max_bytes. Closes f in every
 * case. Errors, each with a message in err:
 *   SZ_ERR_IO        "PATH: not a regular file", "PATH: read error"
 *   SZ_ERR_FORMAT    "PATH: file too large (N bytes, limit M)"; *len is the
 *                    file's size, so a caller may word its own message
 *   SZ_ERR_NO_MEMORY "PATH: out of memory" */
int file_read_all(FILE *f, const char *path, size_t max_bytes, char **out, size_t *len, char *err,
                  size_t errlen);

#endif
