/* SPDX-License-Identifier: Apache-2.0 */
/* test_faq_answer.c: the offline answerer (llm/faq.c) on the questions of
 * the user report: product facts, not keywords (dishwasher-safe teapot ->
 * DEFAULT; kettle in stock -> the stock fact, never the price), the answer
 * in the question's language, DEFAULT per language, malformed FAQ files,
 * and several viewers answered at once by name (host_viewers_answer). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "engine/config.h"
#include "engine/config_modes.h"
#include "engine/host.h"
#include "llm/llm.h"

static const char *src_dir(void)
{
    const char *s = getenv("SHUZI_SOURCE_DIR");
    return s ? s : ".";
}

/* The demo FAQ and the demo live room's products. */
static llm_backend *demo_faq(int with_stock)
{
    char path[1024], err[1024];
    llm_backend *b = NULL;
    snprintf(path, sizeof path, "%s/demos/faq.txt", src_dir());
    int rc = llm_faq_load(path, &b, err, sizeof err);
    CHECK(rc == SZ_OK, "demo faq: %s", err);
    if (rc != SZ_OK)
        return NULL;
    sz_config cfg;
    config_defaults(&cfg);
    snprintf(path, sizeof path, "%s/demos/live.json", src_dir());
    rc = config_load(path, &cfg, err, sizeof err);
    CHECK(rc == SZ_OK && cfg.mode && cfg.mode->n_products == 3, "demo config: %s", err);
    for (int i = 0; rc == SZ_OK && i < cfg.mode->n_products; i++) {
        const cfg_product *p = &cfg.mode->products[i];
        llm_faq_product fp = {
            p->name,    p->price,    p->description,    with_stock ? p->stock : NULL,   p->keywords,
            p->name_zh, p->price_zh, p->description_zh, with_stock ? p->stock_zh : NULL};
        CHECK(llm_faq_add_product(b, &fp, err, sizeof err) == SZ_OK, "product: %s", err);
    }
    config_free(&cfg);
    return b;
}

static const char *answer(llm_backend *b, const char *q, llm_faq_result *r)
{
    memset(r, 0, sizeof *r);
    CHECK(llm_faq_answer(b, q, r) == SZ_OK, "answer '%s'", q);
    return r->answer ? r->answer : "";
}

static void test_user_report(void)
{
    llm_faq_result r;
    for (int stock = 0; stock < 2; stock++) {
        llm_backend *b = demo_faq(stock);
        if (!b)
            return;
        const char *a = answer(b, "Is the teapot dishwasher safe?", &r);
        CHECK(!r.matched && strstr(a, "Sorry") && r.score < r.threshold,
              "teapot dishwasher: the DEFAULT, not a guess (got '%s', %s %.2f)", a,
              r.entry ? r.entry : "-", r.score);
        a = answer(b, "Is the kettle in stock?", &r);
        CHECK(!strstr(a, "199"), "kettle in stock: never the price (got '%s')", a);
        if (stock)
            CHECK(r.matched && strstr(a, "ships today"), "kettle in stock: the stock fact ('%s')",
                  a);
        else
            CHECK(!r.matched, "kettle in stock without a stock fact: the DEFAULT ('%s')", a);
        a = answer(b, "你好，这个水壶多少钱？", &r);
        CHECK(r.matched && strcmp(r.lang, "zh") == 0 && strstr(a, "199元") && strstr(a, "价格"),
              "kettle price in Chinese, not a greeting (got '%s')", a);
        a = answer(b, "How much is the kettle?", &r);
        CHECK(r.matched && strcmp(a, "The red electric kettle is 199 yuan.") == 0,
              "kettle price: '%s'", a);
        a = answer(b, "请问可以换外币吗？", &r);
        CHECK(!r.matched && strcmp(r.lang, "zh") == 0 && strstr(a, "抱歉"),
              "Chinese kiosk question: the Chinese DEFAULT (got '%s')", a);
        a = answer(b, "您好", &r);
        CHECK(r.matched && strstr(a, "海港银行"), "a greeting alone is a greeting ('%s')", a);
        llm_backend_free(&b);
    }
    /* the built-in FAQ (a kiosk with no file): Chinese DEFAULT too */
    llm_backend *b = NULL;
    char err[512];
    const char *def = llm_faq_default_text();
    CHECK(llm_faq_create(def, strlen(def), "built-in", &b, err, sizeof err) == SZ_OK, "%s", err);
    const char *a = answer(b, "我想咨询一下房贷业务", &r);
    CHECK(!r.matched && strstr(a, "抱歉"), "built-in: Chinese DEFAULT ('%s')", a);
    a = answer(b, "Can I buy shares here?", &r);
    CHECK(!r.matched && strstr(a, "Sorry"), "built-in: English DEFAULT ('%s')", a);
    llm_backend_free(&b);
}

static void test_languages_and_defaults(void)
{
    char err[512];
    llm_backend *b = NULL;
    const char *txt = "Q: What are your opening hours?\nA: Nine to five.\n"
                      "Q: 营业时间\nA: 九点到五点。\n"
                      "DEFAULT[en]: Sorry.\n"
                      "DEFAULT[zh]: 抱歉。\n";
    CHECK(llm_faq_create(txt, strlen(txt), "two.faq", &b, err, sizeof err) == SZ_OK, "%s", err);
    llm_faq_result r;
    CHECK(strcmp(answer(b, "When are you open? What hours?", &r), "Nine to five.") == 0,
          "en entry: '%s'", r.answer);
    CHECK(strcmp(answer(b, "请问营业时间是几点？", &r), "九点到五点。") == 0, "zh entry: '%s'",
          r.answer);
    CHECK(strcmp(answer(b, "Tell me a joke", &r), "Sorry.") == 0 && !r.matched, "en DEFAULT");
    CHECK(strcmp(answer(b, "讲个笑话", &r), "抱歉。") == 0 && !r.matched, "zh DEFAULT");
    llm_backend_free(&b);
    /* the old single DEFAULT: still valid; it serves its own language, the
       other gets a built-in sentence in its language */
    txt = "Q: hours\nA: Nine to five.\nDEFAULT: Sorry, I do not know.\n";
    CHECK(llm_faq_create(txt, strlen(txt), "one.faq", &b, err, sizeof err) == SZ_OK, "%s", err);
    CHECK(strcmp(answer(b, "Tell me a joke", &r), "Sorry, I do not know.") == 0, "old DEFAULT");
    const char *a = answer(b, "讲个笑话", &r);
    CHECK(!r.matched && strcmp(r.lang, "zh") == 0 && strstr(a, "抱歉"),
          "zh question, English-only DEFAULT: a Chinese sentence ('%s')", a);
    llm_backend_free(&b);

    struct {
        const char *txt, *msg;
    } bad[] = {
        {"Q: x\nA: y\nDEFAULT[fr]: non\n", "bad.faq:3: unknown language 'fr'"},
        {"Q: x\nA: y\nDEFAULT[zh: 抱歉\n", "bad.faq:3: expected 'DEFAULT:' or 'DEFAULT[LANG]:'"},
        {"Q: x\nA: y\nDEFAULT[zh]: 抱歉\nDEFAULT[zh]: 对不起\n",
         "bad.faq:4: a second 'DEFAULT[zh]:' answer"},
        {"DEFAULT: a\nDEFAULT: b\n", "bad.faq:2: a second 'DEFAULT:' answer"},
        {"Q: x\nA: y\nDEFAULT[en]:\n", "bad.faq:3: empty answer after 'DEFAULT[en]:'"},
        {"Q: x\nA: y\nDEFAULTS: z\n", "bad.faq:3: expected 'Q:', 'A:', 'DEFAULT:'"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        err[0] = 0;
        int rc = llm_faq_create(bad[i].txt, strlen(bad[i].txt), "bad.faq", &b, err, sizeof err);
        CHECK(rc == SZ_ERR_FORMAT && !b && strstr(err, bad[i].msg),
              "bad faq %zu: rc %d '%s' (want '%s')", i, rc, err, bad[i].msg);
        llm_backend_free(&b);
    }
}

static void test_viewers(void)
{
    llm_backend *b = demo_faq(1);
    if (!b)
        return;
    const char *two[] = {"Anna", "Ben"};
    char *s = host_viewers_answer(b, two, 2, 2, "how much is the kettle?");
    CHECK(s && strcmp(s, "Anna and Ben asked about the price of the red electric kettle: The red "
                         "electric kettle is 199 yuan.") == 0,
          "two viewers named: '%s'", s ? s : "(null)");
    free(s);
    const char *three[] = {"Anna", "Ben", "Cat"};
    s = host_viewers_answer(b, three, 3, 7, "水壶多少钱");
    CHECK(s &&
              strcmp(s, "Anna、Ben、Cat等7位观众问了红色电水壶的价格：红色电水壶的价格是199元。") ==
                  0,
          "seven viewers in Chinese: '%s'", s ? s : "(null)");
    free(s);
    s = host_viewers_answer(b, three, 3, 3, "What are your opening hours?");
    CHECK(s && strncmp(s, "Anna, Ben and Cat asked: We are open", 36) == 0, "an FAQ entry: '%s'",
          s ? s : "(null)");
    free(s);
    /* near-identical comments */
    CHECK(llm_faq_similarity("How much is the kettle?", "how much is the kettle??") > 0.99 &&
              llm_faq_similarity("How much is the kettle?", "Is the teapot red?") < 0.5,
          "similarity");
    llm_backend_free(&b);
}

int main(void)
{
    sz_set_log_level(SZ_LOG_ERROR);
    test_user_report();
    test_languages_and_defaults();
    test_viewers();
    return check_summary("test_faq_answer");
}
