/* SPDX-License-Identifier: Apache-2.0 */
/* test_zh_tones.c: Mandarin tones in context. Third-tone sandhi by prosodic
 * word over the shipped word list (cases from the grammar references named
 * below), phrase breaks, the word list's refusals of malformed files, and
 * segmentation with and without a list. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tts/frontend/fe_internal.h"
#include "tts/frontend/frontend.h"

#include "check.h"

/* The tones of a text as digits: 1-5, 6 the half third. */
static void tones_of(const char *text, char *out, size_t cap)
{
    static const char *const letters[] = {"˥", "˧˥", "˨˩˦", "˥˩", "˩", "˨˩"};
    char err[256];
    fe_phones p;
    out[0] = 0;
    if (fe_phonemize("cmn", text, &p, err, sizeof err) != SZ_OK) {
        snprintf(out, cap, "error: %.100s", err);
        return;
    }
    size_t o = 0;
    for (size_t k = 0; k < p.n_phones && o + 3 < cap; k++)
        for (int t = 0; t < 6; t++)
            if (!strcmp(p.phones[k], letters[t])) {
                o += (size_t)snprintf(out + o, cap - o, "%s%d", o ? " " : "", t + 1);
                break;
            }
    fe_phones_clear(&p);
}

typedef struct tone_case {
    const char *text, *want, *why;
} tone_case;

/* Duanmu, The Phonology of Standard Chinese (2nd ed., 2007), ch. 11, and
 * Chen, Tone Sandhi (2000), ch. 9: the rule applies cyclically by
 * prosodic structure, so the branching decides a three-syllable chain. */
static const tone_case cases[] = {
    {"展览馆", "2 2 3", "[[展览]馆]: left-branching, both change"},
    {"选举法", "2 2 3", "[[选举]法]"},
    {"纸老虎", "6 2 3", "[纸[老虎]]: right-branching, the first stays a (half) third"},
    {"小老虎", "6 2 3", "[小[老虎]], 小 a word of its own"},
    {"买雨伞", "6 2 3", "verb and object: [买[雨伞]]"},
    {"我很好", "2 2 3", "a run of one-syllable words: [[我很]好]"},
    {"你也很好", "2 6 2 3", "[你也][很好]: not four second tones"},
    {"我也想买", "2 6 2 3", "[我也][想买]"},
    {"我很好看", "2 2 6 4", "sandhi across prosodic words before a third"},
    {"老李买好酒", "2 6 2 2 3", "Shih (1986)'s sentence: feet [老李][买好][酒]"},
    {"五百", "2 3", "a two-syllable word"},
    {"你好，我很好。", "2 3 2 2 3", "a comma stops the rule; a third before it stays full"},
    {"好，好。", "3 3", "no sandhi across a comma"},
    {"可以", "2 3", "可以"},
    {"我想买五本书", "2 6 2 2 6 1", "no more a chain of five second tones"},
};

static void test_sandhi(void)
{
    char got[256];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        tones_of(cases[i].text, got, sizeof got);
        CHECK(strcmp(got, cases[i].want) == 0, "%s (%s)\n  want: %s\n  got:  %s",
              cases[i].text, cases[i].why, cases[i].want, got);
    }
}

static const char *write_file(const char *name, const char *body, size_t n)
{
    static char path[512];
    snprintf(path, sizeof path, "%s/%s", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", name);
    FILE *f = fopen(path, "wb");
    if (!f)
        return NULL;
    fwrite(body, 1, n, f);
    fclose(f);
    return path;
}

static void test_lexicon_files(void)
{
    static const struct {
        const char *body, *says;
    } bad[] = {
        {"", "not a word list"},
        {"天\t5", "no newline"},
        {"天\n", "WORD<TAB>COUNT"},
        {"天\t\n", "WORD<TAB>COUNT"},
        {"abc\t5\n", "Han characters"},
        {"天气预报说\t5\n", "1 to 4 Han"},
        {"天\tx5\n", "not a number"},
        {"天\t0\n", "1 to"},
        {"天\t1234567890\n", "WORD<TAB>COUNT"},
        {"天气\t5\n天\t5\n", "not sorted"},
        {"天\t5\n天\t6\n", "not sorted"},
        {"\xff\xfe\t5\n", "Han characters"},
    };
    char err[512];
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const char *path = write_file("zh_words_bad.txt", bad[i].body, strlen(bad[i].body));
        CHECK(path != NULL, "temp file");
        if (!path)
            continue;
        err[0] = 0;
        fe_zh_lexicon *lx = fe_zh_lexicon_open(path, err, sizeof err);
        CHECK(lx == NULL && strstr(err, bad[i].says) != NULL, "case %zu: want \"%s\", got \"%s\"",
              i, bad[i].says, err);
        fe_zh_lexicon_close(lx);
        unlink(path);
    }
    CHECK(fe_zh_lexicon_open("/nonexistent/zh-words.txt", err, sizeof err) == NULL &&
              strstr(err, "No such file") != NULL,
          "%s", err);
    CHECK(fe_zh_lexicon_open("/", err, sizeof err) == NULL, "a folder is refused");

    /* a small good list: lookups and the most likely cut */
    /* sorted by bytes, as the tool writes it */
    const char *sorted[] = {"今天\t900\n", "价格\t500\n", "优惠\t300\n", "天\t50\n",
                            "的\t5000\n", "非常\t800\n"};
    char body[256] = "";
    for (size_t i = 0; i < 6; i++)
        strcat(body, sorted[i]);
    const char *path = write_file("zh_words_good.txt", body, strlen(body));
    fe_zh_lexicon *lx = path ? fe_zh_lexicon_open(path, err, sizeof err) : NULL;
    CHECK(lx != NULL, "good list: %s", err);
    if (lx) {
        uint32_t w[] = {0x4ECA, 0x5929, 0x7684, 0x4EF7, 0x683C, 0x975E, 0x5E38, 0x4F18, 0x60E0};
        CHECK(fe_zh_lexicon_count(lx, w, 2) == 900, "今天");
        CHECK(fe_zh_lexicon_count(lx, w + 1, 1) == 50, "天");
        CHECK(fe_zh_lexicon_count(lx, w, 1) == 0, "今 is not listed");
        CHECK(fe_zh_lexicon_count(lx, w, 5) == 0, "five characters are never a word");
        unsigned char s[9];
        CHECK(fe_zh_segment(lx, w, 9, s), "segment");
        char cut[32] = "";
        for (int i = 0; i < 9; i++)
            strcat(cut, s[i] ? "|x" : "x");
        CHECK(!strcmp(cut, "|xx|x|xx|xx|xx"), "今天/的/价格/非常/优惠: %s", cut);
        fe_zh_lexicon_close(lx);
    }
    if (path)
        unlink(path);
    /* without a list every character is a word */
    uint32_t two[] = {0x4F60, 0x597D};
    unsigned char s2[2] = {0, 0};
    CHECK(fe_zh_segment(NULL, two, 2, s2) && s2[0] && s2[1], "no list");
    /* the shipped list opens and knows common words */
    const fe_zh_lexicon *def = fe_zh_lexicon_default();
    CHECK(def != NULL, "the shipped word list (assets/lexicon/zh-words.txt) opens");
    uint32_t zhanlan[] = {0x5C55, 0x89C8};
    CHECK(def && fe_zh_lexicon_count(def, zhanlan, 2) > 0, "展览 is listed");
}

int main(void)
{
    test_sandhi();
    test_lexicon_files();
    printf("zh_tones: %zu sandhi cases, word list refusals, segmentation\n",
           sizeof cases / sizeof cases[0]);
    return check_summary("test_zh_tones");
}
