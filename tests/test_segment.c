/* SPDX-License-Identifier: Apache-2.0 */
/* test_segment.c: the streaming sentence and clause cutter: where whole
 * texts are cut (Chinese and Western punctuation, ellipses, decimal
 * points, abbreviations, URLs, line breaks), that a cut is only reported
 * once more text cannot change it, and that the frontend's sentences follow
 * the same cuts. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tts/frontend/frontend.h"

#include "check.h"

/* Cuts a whole text; pieces are trimmed and joined with " | ", each
 * followed by its kind: . sentence, , clause, P paragraph. */
static void seg_all(const char *text, int clauses, char *out, size_t cap)
{
    size_t len = strlen(text), pos = 0, o = 0;
    out[0] = 0;
    while (pos < len) {
        fe_cut_kind kind;
        size_t k = fe_segment_next(text + pos, len - pos, 1, clauses, &kind);
        if (k == 0)
            break;
        size_t a = pos, b = pos + k;
        while (a < b && (text[a] == ' ' || text[a] == '\n'))
            a++;
        while (b > a && (text[b - 1] == ' ' || text[b - 1] == '\n'))
            b--;
        o += (size_t)snprintf(out + o, cap - o, "%s%.*s%s", o ? " | " : "", (int)(b - a), text + a,
                              kind == FE_CUT_CLAUSE      ? " ,"
                              : kind == FE_CUT_PARAGRAPH ? " P"
                                                         : " .");
        if (o >= cap)
            return;
        pos += k;
    }
}

typedef struct seg_case {
    const char *in;
    int clauses;
    const char *want;
} seg_case;

static const seg_case seg_cases[] = {
    {"Hello world. How are you?", 0, "Hello world. . | How are you? ."},
    {"It costs 3.5 dollars. Thanks.", 0, "It costs 3.5 dollars. . | Thanks. ."},
    {"Dr. Smith is here. He waits.", 0, "Dr. Smith is here. . | He waits. ."},
    {"Mr. and Mrs. Lee came.", 0, "Mr. and Mrs. Lee came. ."},
    {"No. 5 won. Then No. 7 lost.", 0, "No. 5 won. . | Then No. 7 lost. ."},
    {"Try e.g. tea or i.e. coffee.", 0, "Try e.g. tea or i.e. coffee. ."},
    {"The U.S. Army marched.", 0, "The U.S. Army marched. ."},
    {"J. R. R. Tolkien wrote it.", 0, "J. R. R. Tolkien wrote it. ."},
    {"Apples, etc. Then pears.", 0, "Apples, etc. . | Then pears. ."},
    {"Since Jan. 5 it rained.", 0, "Since Jan. 5 it rained. ."},
    {"Visit www.example.com today. Bye.", 0, "Visit www.example.com today. . | Bye. ."},
    {"Mail a.b@c.com now! Ok?", 0, "Mail a.b@c.com now! . | Ok? ."},
    {"Wait... what?", 0, "Wait... what? ."},
    {"Wait... What?", 0, "Wait... . | What? ."},
    {"Really?! Yes.", 0, "Really?! . | Yes. ."},
    {"He said \"Stop.\" Then left.", 0, "He said \"Stop.\" . | Then left. ."},
    {"Version 1.2.3 is out.", 0, "Version 1.2.3 is out. ."},
    {"At 3 p.m. Then home.", 0, "At 3 p.m. . | Then home. ."},
    {"Line one\nLine two", 0, "Line one . | Line two ."},
    {"Para one.\n\nPara two.", 0, "Para one. P | Para two. ."},
    {"No final stop", 0, "No final stop ."},
    {"你好。今天天气很好！你呢？", 0, "你好。 . | 今天天气很好！ . | 你呢？ ."},
    {"价格是5.5元。谢谢", 0, "价格是5.5元。 . | 谢谢 ."},
    {"他说：“好的。”然后走了。", 0, "他说：“好的。” . | 然后走了。 ."},
    {"我想……算了。", 0, "我想……算了。 ."},
    {"结束了……", 0, "结束了…… ."},
    {"Hello 你好。World.", 0, "Hello 你好。 . | World. ."},
    {"ok. thanks.", 0, "ok. thanks. ."},
    {"Hello, world; yes: no.", 1, "Hello, , | world; , | yes: , | no. ."},
    {"It costs 1,299 dollars, ok.", 1, "It costs 1,299 dollars, , | ok. ."},
    {"At 10:30, go.", 1, "At 10:30, , | go. ."},
    {"See https://x.com/a, then.", 1, "See https://x.com/a, , | then. ."},
    {"你好，世界；再见：明天、后天。", 1, "你好， , | 世界； , | 再见： , | 明天、 , | 后天。 ."},
    {"Wait... what? Yes - no.", 1, "Wait... , | what? . | Yes - , | no. ."},
    {"Pages 5–10 and more—fine.", 1, "Pages 5–10 and more— , | fine. ."},
    {"我想……算了", 1, "我想…… , | 算了 ."},
};

/* Streaming: the cut appears only once the text after it settles it. */
static void test_streaming(void)
{
    fe_cut_kind k;
    CHECK(fe_segment_next("It costs 3.", 11, 0, 0, &k) == 0, "'3.' may become 3.5");
    CHECK(fe_segment_next("It costs 3.5", 12, 0, 0, &k) == 0, "no cut inside a number");
    CHECK(fe_segment_next("It costs 3. Then", 16, 0, 0, &k) == 11 && k == FE_CUT_SENTENCE,
          "cut after '3.'");
    CHECK(fe_segment_next("Hello.", 6, 0, 0, &k) == 0, "a quote may follow");
    CHECK(fe_segment_next("Hello.", 6, 1, 0, &k) == 6, "final text ends a sentence");
    CHECK(fe_segment_next("Hello. ", 7, 0, 0, &k) == 0, "the next word decides");
    CHECK(fe_segment_next("Hello. W", 8, 0, 0, &k) == 6, "a capital follows");
    CHECK(fe_segment_next("Hello! ", 7, 0, 0, &k) == 6, "'!' needs no next word");
    CHECK(fe_segment_next("Dr. ", 4, 0, 0, &k) == 0, "a title");
    CHECK(fe_segment_next("Dr. Smith", 9, 0, 0, &k) == 0, "a title is not a cut");
    CHECK(fe_segment_next("1,", 2, 0, 1, &k) == 0, "'1,' may become 1,299");
    CHECK(fe_segment_next("Hi,", 3, 0, 1, &k) == 3 && k == FE_CUT_CLAUSE, "a clause at once");
    CHECK(fe_segment_next("Hi, there", 9, 0, 0, &k) == 0, "no clause cuts when not asked");
    CHECK(fe_segment_next("你好。", 9, 0, 0, &k) == 0, "a closing quote may follow");
    CHECK(fe_segment_next("你好。我", 12, 0, 0, &k) == 9, "cut after 。");
    CHECK(fe_segment_next("你好，", 9, 0, 1, &k) == 0 || k == FE_CUT_CLAUSE, "clause");
    CHECK(fe_segment_next("line\n", 5, 0, 0, &k) == 0, "a blank line may follow");
    CHECK(fe_segment_next("line\nnext", 9, 0, 0, &k) == 5 && k == FE_CUT_SENTENCE, "line break");
    CHECK(fe_segment_next("a\n\nb", 4, 0, 0, &k) == 3 && k == FE_CUT_PARAGRAPH, "paragraph");
    CHECK(fe_segment_next("   ", 3, 1, 0, &k) == 0, "blank text has no sentence");
    CHECK(fe_segment_next("", 0, 1, 1, &k) == 0, "empty text");
    /* streaming a text piece by piece gives the same cuts as the whole */
    const char *text = "Dr. Lee paid $3.50 at 3 p.m. today. Then he left! 你好。再见";
    size_t len = strlen(text), done = 0, cuts_stream[16], n_stream = 0;
    for (size_t avail = 1; avail <= len && n_stream < 16; avail++) {
        size_t c = fe_segment_next(text + done, avail - done, avail == len, 0, &k);
        if (c) {
            cuts_stream[n_stream++] = done + c;
            done += c;
        }
    }
    size_t cuts_whole[16], n_whole = 0, pos = 0;
    while (pos < len && n_whole < 16) {
        size_t c = fe_segment_next(text + pos, len - pos, 1, 0, &k);
        if (!c)
            break;
        pos += c;
        cuts_whole[n_whole++] = pos;
    }
    CHECK(n_stream == n_whole && n_whole == 4, "streamed %zu cuts, whole %zu", n_stream, n_whole);
    for (size_t i = 0; i < n_whole && i < n_stream; i++)
        CHECK(cuts_stream[i] == cuts_whole[i], "cut %zu: %zu vs %zu", i, cuts_stream[i],
              cuts_whole[i]);
}

/* The frontend's sentences follow the cuts, and clauses become runs with a
 * pause between them. */
static void test_frontend_sentences(void)
{
    const char *text = "Hello, world. 你好，世界！Dr. Smith paid $3.50. Bye";
    fe_params p = fe_default_params();
    fe_doc *d = NULL;
    char err[256];
    CHECK(fe_process(text, strlen(text), &p, &d, err, sizeof err) == SZ_OK, "%s", err);
    if (!d)
        return;
    CHECK(d->n_sentences == 4, "%zu sentences", d->n_sentences);
    static const char *const want[] = {"Hello, world.", "你好，世界！",
                                       "Doctor Smith paid three dollars and fifty cents.", "Bye"};
    static const char *const lang[] = {"en", "zh", "en", "en"};
    for (size_t i = 0; i < d->n_sentences && i < 4; i++) {
        CHECK(strcmp(d->sentences[i].text, want[i]) == 0, "sentence %zu: '%s'", i,
              d->sentences[i].text);
        CHECK(strcmp(d->sentences[i].lang, lang[i]) == 0, "sentence %zu lang %s", i,
              d->sentences[i].lang);
    }
    CHECK(strcmp(d->sentences[2].source, "Dr. Smith paid $3.50.") == 0, "source '%s'",
          d->sentences[2].source);
    /* runs: Hello, | 150 | world. | 300 | 你好， | 150 | 世界！ | 300 | Doctor... | 300 | Bye */
    static const struct {
        fe_item_kind kind;
        const char *text;
        int ms;
    } items[] = {{FE_ITEM_TEXT, "Hello,", 0},  {FE_ITEM_BREAK, "", 150},
                 {FE_ITEM_TEXT, "world.", 0},  {FE_ITEM_BREAK, "", 300},
                 {FE_ITEM_TEXT, "你好，", 0},  {FE_ITEM_BREAK, "", 150},
                 {FE_ITEM_TEXT, "世界！", 0},  {FE_ITEM_BREAK, "", 300},
                 {FE_ITEM_TEXT, "Doctor Smith paid three dollars and fifty cents.", 0},
                 {FE_ITEM_BREAK, "", 300},     {FE_ITEM_TEXT, "Bye", 0}};
    CHECK(d->n_items == sizeof items / sizeof items[0], "%zu items", d->n_items);
    for (size_t i = 0; i < d->n_items && i < sizeof items / sizeof items[0]; i++) {
        CHECK(d->items[i].kind == items[i].kind, "item %zu kind %d", i, d->items[i].kind);
        CHECK(strcmp(d->items[i].text, items[i].text) == 0, "item %zu '%s'", i, d->items[i].text);
        CHECK(d->items[i].break_ms == items[i].ms, "item %zu %d ms", i, d->items[i].break_ms);
        if (d->items[i].kind == FE_ITEM_TEXT)
            CHECK(strcmp(d->items[i].lang, i == 4 || i == 6 ? "cmn" : "en-us") == 0,
                  "item %zu lang %s", i, d->items[i].lang);
    }
    size_t covered = 0;
    for (size_t i = 0; i < d->n_sentences; i++) {
        CHECK(d->sentences[i].first == covered, "sentences cover the items in order");
        covered += d->sentences[i].count;
    }
    CHECK(covered == d->n_items, "all items in sentences");
    fe_doc_free(&d);
    CHECK(d == NULL, "free sets NULL");

    /* no pauses when asked */
    p.pauses = 0;
    CHECK(fe_process("One, two. Three.", 16, &p, &d, err, sizeof err) == SZ_OK, "%s", err);
    if (d) {
        size_t breaks = 0;
        for (size_t i = 0; i < d->n_items; i++)
            breaks += d->items[i].kind == FE_ITEM_BREAK;
        CHECK(breaks == 0 && d->n_items == 3, "%zu items, %zu breaks", d->n_items, breaks);
        fe_doc_free(&d);
    }
}

static void test_bad_input(void)
{
    fe_params p = fe_default_params();
    fe_doc *d = NULL;
    char err[256];
    CHECK(fe_process("caf\xC3", 4, &p, &d, err, sizeof err) == SZ_ERR_FORMAT && !d,
          "invalid UTF-8");
    CHECK(strstr(err, "offset 3") != NULL, "%s", err);
    CHECK(fe_process("a\0b", 3, &p, &d, err, sizeof err) == SZ_ERR_FORMAT, "NUL byte");
    char *big = malloc(FE_MAX_INPUT_BYTES + 2);
    if (big) {
        memset(big, 'a', FE_MAX_INPUT_BYTES + 1);
        big[FE_MAX_INPUT_BYTES + 1] = 0;
        CHECK(fe_process(big, FE_MAX_INPUT_BYTES + 1, &p, &d, err, sizeof err) ==
                  SZ_ERR_INVALID_ARG,
              "too long");
        free(big);
    }
    /* only emoji: nothing to say, nothing crashes */
    CHECK(fe_process("\xF0\x9F\x98\x80\xF0\x9F\x91\x8D", 8, &p, &d, err, sizeof err) == SZ_OK,
          "%s", err);
    if (d) {
        CHECK(d->n_items == 0 && d->n_dropped == 2, "%zu items, %zu dropped", d->n_items,
              d->n_dropped);
        fe_doc_free(&d);
    }
}

int main(void)
{
    char got[2048];
    size_t n = sizeof seg_cases / sizeof seg_cases[0];
    for (size_t i = 0; i < n; i++) {
        seg_all(seg_cases[i].in, seg_cases[i].clauses, got, sizeof got);
        CHECK(strcmp(got, seg_cases[i].want) == 0, "\n  input: %s\n  want:  %s\n  got:   %s",
              seg_cases[i].in, seg_cases[i].want, got);
    }
    printf("segmentation: %zu whole-text cases, 24 streaming checks\n", n);
    test_streaming();
    test_frontend_sentences();
    test_bad_input();
    return check_summary("test_segment");
}
