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

/* Removes what a killed run left beside a file it was writing: in dir, the
 * files whose names start with prefix (".out.partial-") followed by the
 * process id of a process that no longer runs, unmodified for a minute (a
 * writer on another machine sharing the folder keeps its file fresh).
 * Returns how many it removed. Thread-safe. */
int file_remove_stale_partials(const char *dir, const char *prefix);

/* The hidden temporary name a whole file is written under before it is
 * renamed to path: "<dir>/.<name>.partial-<pid>". Also removes that name's
 * leftovers from killed runs (file_remove_stale_partials). */
void file_partial_path(char *dst, size_t cap, const char *path);

#endif
