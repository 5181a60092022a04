/* SPDX-License-Identifier: Apache-2.0 */
/* bench_faq.c: how often the scripted answerer (llm/faq.c) is right on
 * questions written for it (bench/data/faq_questions.tsv: paraphrases about
 * the demo FAQ and products, in English and Mandarin, and questions it
 * cannot answer, whose right answer is the DEFAULT). Prints per language:
 * in-scope accuracy (and how many were refused or answered wrong), and
 * out-of-scope correct refusals (and wrong answers).
 * Usage: bench_faq [-v] [QUESTIONS.tsv [FAQ [CONFIG]]]; defaults: the files
 * of the source tree (bench/data/faq_questions.tsv, demos/faq.txt,
 * demos/live.json). -v lists every miss with its score. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/config.h"
#include "engine/config_modes.h"
#include "llm/llm.h"

#ifndef SHUZI_SOURCE_DIR
#define SHUZI_SOURCE_DIR "."
#endif

typedef struct bench_counts {
    int in, in_right, in_refused, in_wrong;
    int out, out_refused, out_wrong;
} bench_counts;

int main(int argc, char **argv)
{
    int verbose = argc > 1 && strcmp(argv[1], "-v") == 0;
    if (verbose)
        argc--, argv++;
    char dq[1024], df[1024], dc[1024];
    snprintf(dq, sizeof dq, "%s/bench/data/faq_questions.tsv", SHUZI_SOURCE_DIR);
    snprintf(df, sizeof df, "%s/demos/faq.txt", SHUZI_SOURCE_DIR);
    snprintf(dc, sizeof dc, "%s/demos/live.json", SHUZI_SOURCE_DIR);
    const char *qpath = argc > 1 ? argv[1] : dq, *fpath = argc > 2 ? argv[2] : df,
               *cpath = argc > 3 ? argv[3] : dc;
    char err[1024];
    llm_backend *b = NULL;
    if (llm_faq_load(fpath, &b, err, sizeof err) != SZ_OK) {
        fprintf(stderr, "bench_faq: %s\n", err);
        return 1;
    }
    sz_config cfg;
    config_defaults(&cfg);
    if (config_load(cpath, &cfg, err, sizeof err) != SZ_OK) {
        fprintf(stderr, "bench_faq: %s\n", err);
        return 1;
    }
    for (int i = 0; cfg.mode && i < cfg.mode->n_products; i++) {
        const cfg_product *p = &cfg.mode->products[i];
        llm_faq_product fp = {p->name,    p->price,    p->description,    p->stock,   p->keywords,
                              p->name_zh, p->price_zh, p->description_zh, p->stock_zh};
        if (llm_faq_add_product(b, &fp, err, sizeof err) != SZ_OK) {
            fprintf(stderr, "bench_faq: %s\n", err);
            return 1;
        }
    }
    FILE *fp = fopen(qpath, "r");
    if (!fp) {
        perror(qpath);
        return 1;
    }
    bench_counts c[2];
    memset(c, 0, sizeof c);
    char line[4096];
    int ln = 0;
    while (fgets(line, sizeof line, fp)) {
        ln++;
        line[strcspn(line, "\r\n")] = 0;
        if (!line[0] || line[0] == '#')
            continue;
        char *t1 = strchr(line, '\t'), *t2 = t1 ? strchr(t1 + 1, '\t') : NULL;
        if (!t1 || !t2) {
            fprintf(stderr, "bench_faq: %s:%d: expected LANG<TAB>EXPECTED<TAB>QUESTION\n", qpath,
                    ln);
            return 1;
        }
        *t1 = *t2 = 0;
        const char *lang = line, *expect = t1 + 1, *q = t2 + 1;
        int zh = strcmp(lang, "zh") == 0;
        if (!zh && strcmp(lang, "en") != 0) {
            fprintf(stderr, "bench_faq: %s:%d: language '%s' (expected en or zh)\n", qpath, ln,
                    lang);
            return 1;
        }
        llm_faq_result r;
        if (llm_faq_answer(b, q, &r) != SZ_OK) {
            fprintf(stderr, "bench_faq: %s:%d: not valid UTF-8\n", qpath, ln);
            return 1;
        }
        bench_counts *k = &c[zh];
        int lang_ok = strcmp(r.lang, lang) == 0;
        int ok;
        if (strcmp(expect, "FALLBACK") == 0) {
            k->out++;
            ok = !r.matched && lang_ok;
            k->out_refused += ok;
            k->out_wrong += r.matched;
        } else {
            k->in++;
            ok = r.matched && lang_ok && r.answer && strstr(r.answer, expect);
            k->in_right += ok;
            k->in_refused += !r.matched;
            k->in_wrong += r.matched && !ok;
        }
        if (verbose && !ok)
            printf("miss %s:%d [%s] %s -> %s (%s %.2f; runner-up %s %.2f)\n", qpath, ln, expect, q,
                   r.matched ? r.answer : "DEFAULT", r.entry ? r.entry : "-", r.score,
                   r.runner_up ? r.runner_up : "-", r.runner_up_score);
    }
    fclose(fp);
    printf("FAQ answerer on %s (threshold %.2f, margin %.2f)\n", qpath, LLM_FAQ_THRESHOLD,
           LLM_FAQ_MARGIN);
    printf("lang  in-scope  right        refused  wrong | out-of-scope  refused      wrong\n");
    for (int l = 0; l < 2; l++) {
        bench_counts *k = &c[l];
        printf("%-4s  %8d  %3d (%5.1f%%)  %7d  %5d | %12d  %3d (%5.1f%%)  %5d\n", l ? "zh" : "en",
               k->in, k->in_right, k->in ? 100.0 * k->in_right / k->in : 0, k->in_refused,
               k->in_wrong, k->out, k->out_refused, k->out ? 100.0 * k->out_refused / k->out : 0,
               k->out_wrong);
    }
    llm_backend_free(&b);
    config_free(&cfg);
    return 0;
}
