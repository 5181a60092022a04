/* SPDX-License-Identifier: Apache-2.0 */
/* test_speech.c: streamed LLM text to speakable pieces: where the cutter
 * cuts (first clause early, sentences after, never inside 3.5, 1,299 or
 * Dr.), CJK punctuation, text split at any byte, and the cleaning of
 * markdown, code, links, tables, emoji and <think> sections. The cutting
 * cases run twice: with the cutter's own rule and with the text frontend's
 * segmentation that the host uses (host_segment). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/host.h"
#include "llm/speech.h"
#include "shuzi.h"

static int use_frontend; /* cut with host_segment (the frontend's rules) */
static speech_params seg_params;

#include "check.h"

#define MAXP 64

typedef struct pieces {
    char *p[MAXP];
    int n;
    int pushed_when[MAXP]; /* how many pushes had happened when it came out */
    int pushes;
} pieces;

static int collect(void *user, const char *t, size_t n)
{
    pieces *ps = user;
    if (ps->n < MAXP) {
        ps->p[ps->n] = strndup(t, n);
        ps->pushed_when[ps->n] = ps->pushes;
        ps->n++;
    }
    return 0;
}

static void pieces_free(pieces *ps)
{
    for (int i = 0; i < ps->n; i++)
        free(ps->p[i]);
    memset(ps, 0, sizeof *ps);
}

/* Streams text in chunks of `step` bytes (0: word-sized tokens). */
static void run(const char *text, size_t step, pieces *ps)
{
    memset(ps, 0, sizeof *ps);
    speech_stream *s = NULL;
    if (speech_stream_create(NULL, &s) != SZ_OK) {
        CHECK(0, "speech_stream_create failed");
        return;
    }
    seg_params = speech_default_params();
    if (use_frontend)
        speech_stream_set_segmenter(s, host_segment, &seg_params);
    size_t n = strlen(text);
    for (size_t i = 0; i < n;) {
        size_t k = step;
        if (step == 0) { /* like an LLM: a leading space plus a word, or punctuation */
            k = 1;
            while (i + k < n && text[i + k] != ' ' && text[i + k] != ',' && text[i + k] != '.' &&
                   text[i + k] != '!' && text[i + k] != '?')
                k++;
        }
        if (i + k > n)
            k = n - i;
        ps->pushes++;
        CHECK(speech_stream_push(s, text + i, k, collect, ps) == SZ_OK, "push");
        i += k;
    }
    CHECK(speech_stream_finish(s, collect, ps) == SZ_OK, "finish");
    CHECK(speech_stream_pending(s) == 0, "nothing pending after finish");
    speech_stream_free(&s);
}

static void expect(const char *what, const char *text, size_t step, const char *const *want)
{
    pieces ps;
    run(text, step, &ps);
    int nw = 0;
    while (want[nw])
        nw++;
    int ok = ps.n == nw;
    for (int i = 0; ok && i < nw; i++)
        ok = strcmp(ps.p[i], want[i]) == 0;
    CHECK(ok, "%s (step %zu, %s rule): got %d pieces, want %d", what, step,
          use_frontend ? "frontend" : "built-in", ps.n, nw);
    if (!ok) {
        for (int i = 0; i < ps.n; i++)
            fprintf(stderr, "   got  [%d] '%s'\n", i, ps.p[i]);
        for (int i = 0; i < nw; i++)
            fprintf(stderr, "   want [%d] '%s'\n", i, want[i]);
    }
    pieces_free(&ps);
}

/* The same pieces whatever the split: word tokens, 1, 2, 3 and 7 bytes. */
static void expect_all_splits(const char *what, const char *text, const char *const *want)
{
    size_t steps[] = {0, 1, 2, 3, 7, 1000};
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++)
        expect(what, text, steps[i], want);
}

static void test_cutting(void)
{
    expect_all_splits("sentences",
                      "Hello! Our opening hours are nine to five, Monday to Friday. Is there "
                      "anything else?",
                      (const char *const[]){"Hello!",
                                            "Our opening hours are nine to five, Monday to Friday.",
                                            "Is there anything else?", NULL});
    expect_all_splits("first clause cut early",
                      "To open an account, you need your identity card and proof of address. "
                      "It takes twenty minutes.",
                      (const char *const[]){"To open an account,",
                                            "you need your identity card and proof of address.",
                                            "It takes twenty minutes.", NULL});
    expect_all_splits("a short first clause is not cut", "Well, it depends on the account.",
                      (const char *const[]){"Well, it depends on the account.", NULL});
    expect_all_splits("numbers never cut",
                      "The rate is 3.5 percent, so ¥1,299.00 becomes ¥1,344.47 in a year. Done.",
                      (const char *const[]){"The rate is 3.5 percent,",
                                            "so ¥1,299.00 becomes ¥1,344.47 in a year.", "Done.",
                                            NULL});
    expect_all_splits("abbreviations and initials",
                      "Dr. Smith of No. 5 Main St. met J. Doe, e.g. at 3 p.m. on Monday. Bye now.",
                      (const char *const[]){"Dr. Smith of No. 5 Main St. met J. Doe,",
                                            "e.g. at 3 p.m. on Monday.", "Bye now.", NULL});
    expect_all_splits(
        "quotes stay with their sentence", "She said \"welcome.\" Then she left... The end.",
        (const char *const[]){"She said \"welcome.\"", "Then she left...", "The end.", NULL});
    expect_all_splits(
        "mandarin", "您好！我们的营业时间是上午九点到下午五点，周一到周五。还有什么可以帮您？",
        (const char *const[]){"您好！", "我们的营业时间是上午九点到下午五点，周一到周五。",
                              "还有什么可以帮您？", NULL});
    expect_all_splits(
        "mandarin first clause", "这款手机只要五千九百九十九元，今天下单明天就到。",
        (const char *const[]){"这款手机只要五千九百九十九元，", "今天下单明天就到。", NULL});
    expect_all_splits("mixed scripts", "这款iPhone 16只要5999元！Really.",
                      (const char *const[]){"这款iPhone 16只要5999元！", "Really.", NULL});
    expect_all_splits("no final punctuation", "Thanks for watching",
                      (const char *const[]){"Thanks for watching", NULL});

    /* A long text without punctuation is cut at a space within the limit. */
    char lng[2000] = "";
    for (int i = 0; i < 150; i++)
        strcat(lng, "word ");
    pieces ps;
    run(lng, 0, &ps);
    CHECK(ps.n >= 2, "long unpunctuated text cut into %d pieces", ps.n);
    for (int i = 0; i < ps.n; i++) {
        CHECK(strlen(ps.p[i]) <= 400, "piece %d is %zu bytes", i, strlen(ps.p[i]));
        size_t l = strlen(ps.p[i]);
        CHECK(l >= 4 && strcmp(ps.p[i] + l - 4, "word") == 0, "piece %d ends on a word: '%s'", i,
              ps.p[i] + (l > 10 ? l - 10 : 0));
    }
    pieces_free(&ps);

    /* The first piece comes out as soon as its clause is complete, before
     * the rest of the answer arrives. */
    run("Hello! Our opening hours are nine to five.", 0, &ps);
    CHECK(ps.n == 2 && ps.pushed_when[0] == 2, "first piece after %d of %d pushes",
          ps.n ? ps.pushed_when[0] : -1, ps.pushes);
    pieces_free(&ps);
    run("您好！我们的营业时间是上午九点。", 1, &ps);
    /* the frontend waits for the next character: a closing quote may follow */
    CHECK(ps.n == 2 && ps.pushed_when[0] == (use_frontend ? 12 : 9),
          "CJK piece out right after its '！' (push %d)", ps.n ? ps.pushed_when[0] : -1);
    pieces_free(&ps);
}

static void test_cleaning(void)
{
    expect_all_splits("markdown",
                      "## Steps\n1. **Bring** your `ID card`.\n2. Fill in [the form]"
                      "(https://bank.example/form).\n- Sign it\n\n```python\nprint('hi. there')\n"
                      "```\nThat's all!",
                      (const char *const[]){"Steps.", "Bring your ID card.", "Fill in the form.",
                                            "Sign it.", "That's all!", NULL});
    expect_all_splits(
        "emoji", "Great choice 👍🏽! Ships today 🚚. Love it ❤️✨ so much.",
        (const char *const[]){"Great choice!", "Ships today.", "Love it so much.", NULL});
    expect_all_splits("table", "| Plan | Price |\n|---|---|\n| Basic | $5 |\n",
                      (const char *const[]){"Plan, Price.", "Basic, $5.", NULL});
    expect_all_splits("think section",
                      "<think>The user wants the hours. Answer briefly.</think>We open at nine.",
                      (const char *const[]){"We open at nine.", NULL});
    expect_all_splits("urls and snake_case",
                      "Visit https://example.com/x today. Call get_balance now. See www.shop.cn.",
                      (const char *const[]){"Visit today.", "Call get balance now.", "See.", NULL});
    expect_all_splits("emphasis, strike, escapes, rules, quotes",
                      "*Note*: this is __important__ and ~~old~~ new \\*5\\*.\n\n---\n> Quoted "
                      "line\n#sale today",
                      (const char *const[]){"Note: this is important and old new *5*.",
                                            "Quoted line sale today", NULL});
    expect_all_splits("only noise", "```\ncode only.\n```\n😀 ** --- **",
                      (const char *const[]){NULL});

    char out[256];
    size_t n = speech_clean_text("**Hi** there 👋. Read [this](http://x.y).", 43, out, sizeof out);
    CHECK(strcmp(out, "Hi there. Read this.") == 0 && n == strlen(out), "clean_text: '%s'", out);
    n = speech_clean_text("abc", 3, out, 2);
    CHECK(n <= 1 && strlen(out) <= 1, "clean_text respects cap: '%s'", out);
}

/* A replacement segmenter (the frontend's will plug in the same way). */
static size_t cut_words(void *user, const char *text, size_t len, int final, int first)
{
    (void)first;
    int *calls = user;
    (*calls)++;
    const char *sp = memchr(text, ' ', len);
    if (sp)
        return (size_t)(sp - text) + 1;
    return final ? len : 0;
}

static void test_segmenter_hook(void)
{
    speech_stream *s = NULL;
    CHECK(speech_stream_create(NULL, &s) == SZ_OK, "create");
    int calls = 0;
    speech_stream_set_segmenter(s, cut_words, &calls);
    pieces ps;
    memset(&ps, 0, sizeof ps);
    const char *t = "one two, three.";
    speech_stream_push(s, t, strlen(t), collect, &ps);
    speech_stream_finish(s, collect, &ps);
    CHECK(ps.n == 3 && strcmp(ps.p[0], "one") == 0 && strcmp(ps.p[1], "two,") == 0 &&
              strcmp(ps.p[2], "three.") == 0,
          "custom segmenter pieces: %d", ps.n);
    CHECK(calls >= 3, "custom segmenter called %d times", calls);
    pieces_free(&ps);
    /* reset drops what is pending; NULL restores the built-in rule */
    speech_stream_set_segmenter(s, NULL, NULL);
    speech_stream_push(s, "half a sent", 11, collect, &ps);
    speech_stream_reset(s);
    CHECK(speech_stream_pending(s) == 0, "reset drops pending text");
    speech_stream_push(s, "New one. ", 9, collect, &ps);
    CHECK(ps.n == 1 && strcmp(ps.p[0], "New one.") == 0, "after reset: '%s'", ps.n ? ps.p[0] : "");
    pieces_free(&ps);
    speech_stream_free(&s);
    CHECK(s == NULL, "free sets NULL");
    speech_stream_free(&s);
}

/* Bytes that are not UTF-8 never crash the cleaner and never come out. */
static void test_garbage(void)
{
    const char bad[] = "ok \xff\xfe then \xe4\xbd end. \xc3";
    pieces ps;
    run(bad, 1, &ps);
    for (int i = 0; i < ps.n; i++)
        for (const unsigned char *p = (const unsigned char *)ps.p[i]; *p; p++)
            CHECK(*p != 0xff && *p != 0xfe, "invalid byte passed through in '%s'", ps.p[i]);
    pieces_free(&ps);
}

int main(void)
{
    for (use_frontend = 0; use_frontend < 2; use_frontend++) {
        test_cutting();
        test_cleaning();
    }
    use_frontend = 0;
    test_segmenter_hook();
    test_garbage();
    return check_summary("test_speech");
}
