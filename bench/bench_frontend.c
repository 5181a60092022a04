/* SPDX-License-Identifier: Apache-2.0 */
/* bench_frontend.c: text frontend throughput in characters (code points) per
 * second, median of repeated runs: normalization + segmentation of English,
 * Mandarin and mixed text; SSML parsing; the streaming cutter; and the whole
 * dry-run path with phonemes from libespeak-ng. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tts/frontend/frontend.h"

#define BENCH_RUNS 9

static const char *const bench_en =
    "Welcome to First National Bank. Your balance is $12,345.67 as of 11/29/2026 at 3:45 pm. "
    "Dr. Smith's appointment is on November 30, 2026 at 10:30 a.m. in Room 101. "
    "Call 555-123-4567 or visit www.example.com for details; rates start at 3.5% APR. "
    "The 2nd payment of $1,299.00 is due in 14 days, and 1/2 of it may be deferred. "
    "Ship 2kg or 500ml at 25°C, about 60 km/h... Thanks! ";
static const char *const bench_zh =
    "欢迎光临！这款手机只要5999元，今天下单立减¥200，相当于打了9.5折。"
    "活动时间是2026年11月29日至12月1日，每天10:00到22:00。"
    "客服电话400-820-8820，手机13800138000，工作时间内随时拨打。"
    "您的账户余额为¥1,299.00，本月利率为百分之三点五，增长了3.5%。"
    "产品重2kg，容量500ml，屏幕6.7英寸，电池5000mAh。";
static const char *const bench_mixed =
    "这款iPhone 16 Pro只要¥7,999，比上一代便宜了12%。Apple Watch Series 10售价$399。"
    "Order #12345 will arrive on 11/29. 请访问www.apple.com.cn了解详情，或发邮件到"
    "support@example.com。Today only: buy 2 get 1 free! 限时优惠，欲购从速😀。";
static const char *const bench_ssml_body =
    "<p>Welcome. <break time=\"300ms\"/><prosody rate=\"fast\">Today only</prosody>, "
    "<say-as interpret-as=\"currency\">$19.99</say-as>. <mark name=\"price\"/>"
    "<lang xml:lang=\"zh-CN\">这款只要5999元。</lang> <sub alias=\"World Wide Web\">WWW</sub> "
    "<say-as interpret-as=\"telephone\">555 123 4567</say-as>.</p>";

static double bench_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static int bench_cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static size_t bench_chars(const char *s, size_t n)
{
    size_t c = 0;
    for (size_t i = 0; i < n; i++)
        c += ((unsigned char)s[i] & 0xC0) != 0x80;
    return c;
}

/* Repeats a paragraph to about target bytes. */
static char *bench_text(const char *unit, size_t target, const char *head, const char *tail)
{
    size_t ul = strlen(unit), n = target / ul + 1;
    char *t = malloc(n * ul + strlen(head) + strlen(tail) + 1);
    if (!t)
        return NULL;
    strcpy(t, head);
    for (size_t i = 0; i < n; i++)
        strcat(t, unit);
    strcat(t, tail);
    return t;
}

typedef enum { BENCH_PROCESS, BENCH_SEGMENT, BENCH_DRY_RUN } bench_kind;

static double bench_one(bench_kind kind, const char *text, int ssml, const char *default_base)
{
    size_t len = strlen(text);
    double rates[BENCH_RUNS];
    for (int r = 0; r < BENCH_RUNS; r++) {
        fe_params p = fe_default_params();
        p.ssml = ssml;
        p.default_base = default_base;
        char err[512];
        double t0 = bench_now();
        if (kind == BENCH_SEGMENT) {
            size_t pos = 0;
            fe_cut_kind k;
            while (pos < len) {
                size_t c = fe_segment_next(text + pos, len - pos, 1, 1, &k);
                if (!c)
                    break;
                pos += c;
            }
        } else {
            fe_doc *d = NULL;
            if (fe_process(text, len, &p, &d, err, sizeof err) != SZ_OK) {
                fprintf(stderr, "bench_frontend: %s\n", err);
                exit(1);
            }
            for (size_t i = 0; kind == BENCH_DRY_RUN && i < d->n_sentences; i++) {
                char *j = fe_sentence_json(d, i, err, sizeof err);
                if (!j) {
                    fprintf(stderr, "bench_frontend: %s\n", err);
                    exit(1);
                }
                free(j);
            }
            fe_doc_free(&d);
        }
        double dt = bench_now() - t0;
        rates[r] = (double)bench_chars(text, len) / (dt > 1e-9 ? dt : 1e-9);
    }
    qsort(rates, BENCH_RUNS, sizeof rates[0], bench_cmp);
    return rates[BENCH_RUNS / 2];
}

int main(void)
{
    const size_t big = 64 * 1024, small = 8 * 1024;
    char *en = bench_text(bench_en, big, "", ""), *zh = bench_text(bench_zh, big, "", "");
    char *mixed = bench_text(bench_mixed, big, "", "");
    char *ssml = bench_text(bench_ssml_body, big, "<speak>", "</speak>");
    char *en_s = bench_text(bench_en, small, "", ""), *zh_s = bench_text(bench_zh, small, "", "");
    char *mixed_s = bench_text(bench_mixed, small, "", "");
    if (!en || !zh || !mixed || !ssml || !en_s || !zh_s || !mixed_s)
        return 1;
    printf("text frontend throughput, characters per second, median of %d runs\n", BENCH_RUNS);
    printf("  normalize + segment, English  (%6zu chars): %12.0f chars/s\n",
           bench_chars(en, strlen(en)), bench_one(BENCH_PROCESS, en, 0, "en"));
    printf("  normalize + segment, Mandarin (%6zu chars): %12.0f chars/s\n",
           bench_chars(zh, strlen(zh)), bench_one(BENCH_PROCESS, zh, 0, "zh"));
    printf("  normalize + segment, mixed    (%6zu chars): %12.0f chars/s\n",
           bench_chars(mixed, strlen(mixed)), bench_one(BENCH_PROCESS, mixed, 0, "en"));
    printf("  SSML parse + normalize        (%6zu chars): %12.0f chars/s\n",
           bench_chars(ssml, strlen(ssml)), bench_one(BENCH_PROCESS, ssml, 1, "en"));
    printf("  streaming cutter only, mixed  (%6zu chars): %12.0f chars/s\n",
           bench_chars(mixed, strlen(mixed)), bench_one(BENCH_SEGMENT, mixed, 0, "en"));
    printf("  dry run with espeak-ng phonemes, English  (%5zu chars): %9.0f chars/s\n",
           bench_chars(en_s, strlen(en_s)), bench_one(BENCH_DRY_RUN, en_s, 0, "en"));
    printf("  dry run with espeak-ng phonemes, Mandarin (%5zu chars): %9.0f chars/s\n",
           bench_chars(zh_s, strlen(zh_s)), bench_one(BENCH_DRY_RUN, zh_s, 0, "zh"));
    printf("  dry run with espeak-ng phonemes, mixed    (%5zu chars): %9.0f chars/s\n",
           bench_chars(mixed_s, strlen(mixed_s)), bench_one(BENCH_DRY_RUN, mixed_s, 0, "en"));
    free(en);
    free(zh);
    free(mixed);
    free(ssml);
    free(en_s);
    free(zh_s);
    free(mixed_s);
    return 0;
}
