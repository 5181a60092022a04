/* SPDX-License-Identifier: Apache-2.0 */
/* files.h: small file helpers the C tests share: read a whole file as a
 * string, write a text file, remove a temporary directory tree.
 * Header-only; each test is one translation unit. */
#ifndef SZ_TESTS_FILES_H
#define SZ_TESTS_FILES_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Helpers a program may not all use. */
#define FILES_FN static __attribute__((unused))

/* The whole file as a NUL-terminated string (malloc'd, caller frees);
 * an empty string when it cannot be opened. */
FILES_FN char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return strdup("");
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = malloc((size_t)n + 1);
    size_t got = fread(b, 1, (size_t)n, f);
    b[got] = 0;
    fclose(f);
    return b;
}

/* Writes text to path, replacing it; silently does nothing if it cannot. */
FILES_FN void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

/* Removes dir (a test's mkdtemp directory) and everything in it; says so on
 * stderr when it cannot. */
FILES_FN void remove_tree(const char *dir)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "cannot remove %s\n", dir);
}

#endif
