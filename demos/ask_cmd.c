/* SPDX-License-Identifier: Apache-2.0 */
/* ask_cmd.c: `shuzi ask`: the answer the scripted FAQ would speak to one
 * question, with the same FAQ and products a live room or kiosk would use,
 * so a FAQ can be written and tried without starting a session. */
#include <stdio.h>
#include <string.h>

#include "demos/ask_cmd.h"
#include "engine/config.h"
#include "engine/config_modes.h"
#include "llm/llm.h"
#include "shuzi.h"

void usage_ask(FILE *f)
{
    fprintf(f, "Usage: shuzi ask [--config FILE] [--faq FILE] [--explain] QUESTION\n"
               "\n"
               "Prints the answer the scripted FAQ would speak to QUESTION (no LLM, no\n"
               "session): from --faq FILE, else the config's \"faq\", else the built-in FAQ,\n"
               "plus the facts of the config's products (price, description, stock).\n"
               "\n"
               "Options:\n"
               "      --config FILE   a session config (demos/live.json): faq and products\n"
               "      --faq FILE      the FAQ file (format: demos/faq.txt)\n"
               "      --explain       also print the entry matched, its score, the runner-up\n"
               "                      and the threshold (below it the DEFAULT answers)\n"
               "  -h, --help          this help\n"
               "\n"
               "Example:\n"
               "  shuzi ask --config demos/live.json --explain \"How much is the kettle?\"\n");
}

int cmd_ask(int argc, char **argv, int (*fail)(int code, const char *fmt, ...))
{
    const char *config = NULL, *faq = NULL, *question = NULL;
    int explain = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            usage_ask(stdout);
            return 0;
        }
        if (strcmp(a, "--explain") == 0) {
            explain = 1;
        } else if (strcmp(a, "--config") == 0 || strcmp(a, "--faq") == 0) {
            if (i + 1 >= argc)
                return fail(2, "ask: %s needs a value", a);
            *(strcmp(a, "--config") == 0 ? &config : &faq) = argv[++i];
        } else if (a[0] == '-' && a[1]) {
            return fail(2, "ask: unknown option '%s' (see 'shuzi ask --help')", a);
        } else if (question) {
            return fail(2, "ask: one QUESTION only (quote it)");
        } else {
            question = a;
        }
    }
    if (!question)
        return fail(2, "ask: missing QUESTION (see 'shuzi ask --help')");
    size_t qn = strlen(question);
    if (qn == 0 || qn > 4000)
        return fail(2, "ask: QUESTION must hold 1 to 4000 bytes");

    char err[1024] = "";
    sz_config cfg;
    config_defaults(&cfg);
    llm_backend *b = NULL;
    int status = 0, rc = SZ_OK;
    if (config && (rc = config_load(config, &cfg, err, sizeof err)) != SZ_OK) {
        status = fail(1, "%s", err);
        goto done;
    }
    const sz_mode_config *mc = cfg.mode;
    if (!faq && mc && mc->faq[0])
        faq = mc->faq;
    if (faq) {
        rc = llm_faq_load(faq, &b, err, sizeof err);
    } else {
        const char *t = llm_faq_default_text();
        rc = llm_faq_create(t, strlen(t), "built-in FAQ", &b, err, sizeof err);
    }
    if (rc != SZ_OK) {
        status = fail(1, "%s", err);
        goto done;
    }
    for (int i = 0; mc && i < mc->n_products; i++) {
        const cfg_product *p = &mc->products[i];
        llm_faq_product fp = {p->name,    p->price,    p->description,    p->stock,   p->keywords,
                              p->name_zh, p->price_zh, p->description_zh, p->stock_zh};
        if ((rc = llm_faq_add_product(b, &fp, err, sizeof err)) != SZ_OK) {
            status = fail(1, "%s: %s", config, err);
            goto done;
        }
    }
    llm_faq_result r;
    if ((rc = llm_faq_answer(b, question, &r)) != SZ_OK) {
        status = fail(2, "ask: QUESTION is not valid UTF-8");
        goto done;
    }
    if (!r.answer) {
        status = fail(1, "ask: nothing matches and the FAQ has no DEFAULT answer");
        goto done;
    }
    printf("%s\n", r.answer);
    if (explain) {
        printf("language: %s\n", r.lang);
        printf("matched: %s (score %.3f)\n", r.entry ? r.entry : "(none)", r.score);
        printf("runner-up: %s (score %.3f)\n", r.runner_up ? r.runner_up : "(none)",
               r.runner_up_score);
        printf("threshold: %.2f, margin %.2f: %s\n", r.threshold, LLM_FAQ_MARGIN,
               r.matched ? "answered" : "below, so the DEFAULT answers");
    }
done:
    llm_backend_free(&b);
    config_free(&cfg);
    return status;
}
