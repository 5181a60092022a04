/* SPDX-License-Identifier: Apache-2.0 */
/* check.h: the one assertion macro the C tests share. CHECK(cond, fmt, ...)
 * counts a check and, when cond is false, prints file:line, the condition
 * and the printf-style message to stderr and counts a failure; the message
 * arguments are only evaluated on failure. check_summary() ends a test.
 * Header-only; each test is one translation unit. */
#ifndef SZ_TESTS_CHECK_H
#define SZ_TESTS_CHECK_H

#include <stdio.h>

/* Helpers a program may not all use. */
#define CHECK_FN static __attribute__((unused))

/* Checks made and checks failed so far in this program. */
static __attribute__((unused)) int check_count;
static __attribute__((unused)) int check_failures;

CHECK_FN void check_fail_at(const char *file, int line, const char *cond)
{
    check_failures++;
    fprintf(stderr, "FAIL %s:%d: %s: ", file, line, cond);
}

/* The message (fmt and its arguments) is required: say what was expected. */
#define CHECK(cond, ...)                                                                           \
    do {                                                                                           \
        check_count++;                                                                             \
        if (!(cond)) {                                                                             \
            check_fail_at(__FILE__, __LINE__, #cond);                                              \
            fprintf(stderr, __VA_ARGS__);                                                          \
            fputc('\n', stderr);                                                                   \
        }                                                                                          \
    } while (0)

/* Prints how many checks passed or failed under name; returns the exit code
 * (0 when all passed, 1 otherwise). */
CHECK_FN int check_summary(const char *name)
{
    if (check_failures) {
        fprintf(stderr, "%s: %d of %d checks failed\n", name, check_failures, check_count);
        return 1;
    }
    printf("%s: %d checks passed\n", name, check_count);
    return 0;
}

#endif
