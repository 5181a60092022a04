/* SPDX-License-Identifier: Apache-2.0 */
/* fe_cases.h: the table runner shared by the text frontend's normalization
 * suites. A case is a category, an input and the exact normalized text the
 * frontend must make of it; failures print all three, and the number of
 * cases per category is printed for the report. */
#ifndef SZ_TESTS_FE_CASES_H
#define SZ_TESTS_FE_CASES_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tts/frontend/frontend.h"

typedef struct fe_case {
    const char *cat;
    const char *in;
    const char *want;
} fe_case;

/* Runs every case; returns the number that failed. */
static int fe_run_cases(const char *suite, const fe_case *cases, size_t n, const fe_params *p)
{
    int failed = 0;
    for (size_t i = 0; i < n; i++) {
        fe_doc *doc = NULL;
        char err[512];
        int rc = fe_process(cases[i].in, strlen(cases[i].in), p, &doc, err, sizeof err);
        char *got = rc == SZ_OK ? fe_doc_text(doc) : NULL;
        if (rc != SZ_OK || !got || strcmp(got, cases[i].want) != 0) {
            fprintf(stderr, "FAIL %s [%s]\n  input: %s\n  want:  %s\n  got:   %s\n", suite,
                    cases[i].cat, cases[i].in, cases[i].want, got ? got : err);
            failed++;
        }
        free(got);
        fe_doc_free(&doc);
    }
    /* per-category counts, in the order categories first appear */
    printf("%s: %zu cases\n", suite, n);
    for (size_t i = 0; i < n; i++) {
        int seen = 0;
        for (size_t j = 0; j < i && !seen; j++)
            seen = strcmp(cases[j].cat, cases[i].cat) == 0;
        if (seen)
            continue;
        int count = 0;
        for (size_t j = i; j < n; j++)
            count += strcmp(cases[j].cat, cases[i].cat) == 0;
        printf("  %-14s %3d\n", cases[i].cat, count);
    }
    return failed;
}

#endif
