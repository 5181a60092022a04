/* SPDX-License-Identifier: Apache-2.0 */
/* test_phonemize.c: phonemes through libespeak-ng: English IPA with stress
 * and its word boundaries; Mandarin initials, finals and Chao tone letters
 * after tone sandhi (3-3, 一, 不, half third); IPA from SSML split into
 * phones; phones rewritten into a voice's symbol set; the dry-run JSON. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tts/espeak_voice.h"
#include "tts/frontend/frontend.h"

#include "check.h"

/* Words joined by " | ", phones by " ". */
static void ph_str(const fe_phones *p, char *out, size_t cap)
{
    size_t o = 0;
    out[0] = 0;
    for (size_t w = 0; w < p->n_words && o < cap; w++)
        for (size_t k = p->word_start[w]; k < p->word_start[w + 1] && o < cap; k++)
            o += (size_t)snprintf(out + o, cap - o, "%s%s", k == p->word_start[w] ? (w ? " | " : "")
                                                                                   : " ",
                                  p->phones[k]);
}

typedef struct ph_case {
    const char *lang, *text, *want;
} ph_case;

static const ph_case cases[] = {
    {"en-us", "hello world", "h ə l ˈoʊ | w ˈɜː l d"},
    {"en-us", "one two three", "w ˈʌ n | t ˈuː | θ ɹ ˈiː"},
    {"en-us", "A B C", "ˈeɪ | b ˈiː | s ˈiː"},
    {"en-us", "three P M", "θ ɹ ˈiː | p ˈiː | ˈɛ m"},
    {"en-us", "nineteen dollars", "n ˈaɪ n t iː n | d ˈɑː l ɚ z"},
    /* the four tones and the neutral tone */
    {"cmn", "妈", "m ɑ ˥"},
    {"cmn", "麻", "m ɑ ˧˥"},
    {"cmn", "马", "m ɑ ˨˩˦"},
    {"cmn", "骂", "m ɑ ˥˩"},
    {"cmn", "一个", "j i ˧˥ | k ɤ ˩"},
    /* third tone sandhi and the half third */
    {"cmn", "你好", "n i ˧˥ | x ɑu ˨˩˦"},
    {"cmn", "老虎", "l ɑu ˧˥ | x u ˨˩˦"},
    {"cmn", "五千", "w u ˨˩ | tɕʰ iɛ n ˥"},
    /* 一 and 不 */
    {"cmn", "一天", "j i ˥˩ | tʰ iɛ n ˥"},
    {"cmn", "一百", "j i ˥˩ | p ai ˨˩˦"},
    {"cmn", "第一", "t i ˥˩ | j i ˥"},
    {"cmn", "十一", "ʂ ʅ ˧˥ | j i ˥"},
    {"cmn", "不是", "p u ˧˥ | ʂ ʅ ˥˩"},
    {"cmn", "不好", "p u ˥˩ | x ɑu ˨˩˦"},
    {"cmn", "三十", "s a n ˥ | ʂ ʅ ˧˥"},
    {"cmn", "元", "yæ n ˧˥"},
    /* tones espeak-ng's dictionary gets wrong: 欢 is huān, neutral in 喜欢;
     * lexical neutral tones */
    {"cmn", "欢迎", "x uɑ n ˥ | j i ŋ ˧˥"},
    {"cmn", "欢", "x uɑ n ˥"},
    {"cmn", "喜欢", "ɕ i ˨˩ | x uɑ n ˩"},
    {"cmn", "告诉", "k ɑu ˥˩ | s u ˩"},
    {"cmn", "诉讼", "s u ˥˩ | s uŋ ˥˩"},
    {"cmn", "妈妈", "m ɑ ˥ | m ɑ ˩"},
    {"cmn", "朋友", "pʰ ə ŋ ˧˥ | j iou ˩"},
    /* the grammar's neutral tones (Chao, A Grammar of Spoken Chinese, 1968,
     * 1.3.6: particles and suffixes; reduplicated verbs; 不 inside a
     * potential complement), the half third before them, 3-3 chains over a
     * phrase (Duanmu, The Phonology of Standard Chinese, 2007, ch. 11) */
    {"cmn", "我的书", "w o ˨˩ | t ə ˩ | ʂ u ˥"},
    {"cmn", "走了", "ts ou ˨˩ | l ə ˩"},
    {"cmn", "好吗", "x ɑu ˨˩ | m ɑ ˩"},
    {"cmn", "我们", "w o ˨˩ | m ə n ˩"},
    {"cmn", "桌子", "ʈʂ uo ˥ | ts ɿ ˩"},
    {"cmn", "看看", "kʰ a n ˥˩ | kʰ a n ˩"},
    {"cmn", "我很好", "w o ˧˥ | x ə n ˧˥ | x ɑu ˨˩˦"},
    {"cmn", "展览馆", "ʈʂ a n ˧˥ | l a n ˧˥ | k w a n ˨˩˦"},
    {"cmn", "一起", "j i ˥˩ | tɕʰ i ˨˩˦"},
    {"cmn", "一样", "j i ˧˥ | j iɑ ŋ ˥˩"},
    {"cmn", "不对", "p u ˧˥ | t uei ˥˩"},
    {"cmn", "对不起", "t uei ˥˩ | p u ˩ | tɕʰ i ˨˩˦"},
    {"cmn", "看不见", "kʰ a n ˥˩ | p u ˩ | tɕ iɛ n ˥˩"},
    {"cmn", "差不多", "ʈʂʰ ɑ ˥˩ | p u ˩ | t uo ˥"},
    /* 地 is dì, and de only after an adverb (espeak-ng reads de everywhere) */
    {"cmn", "土地", "tʰ u ˨˩ | t i ˥˩"},
    {"cmn", "地球", "t i ˥˩ | tɕʰ iou ˧˥"},
    {"cmn", "地方", "t i ˥˩ | f a ŋ ˩"},
    {"cmn", "慢慢地走", "m a n ˥˩ | m a n ˥˩ | t ə ˩ | ts ou ˨˩˦"},
};

static void test_espeak_phones(void)
{
    char got[1024], err[256];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        fe_phones p;
        int rc = fe_phonemize(cases[i].lang, cases[i].text, &p, err, sizeof err);
        CHECK(rc == SZ_OK, "%s: %s", cases[i].text, err);
        if (rc != SZ_OK)
            continue;
        ph_str(&p, got, sizeof got);
        CHECK(strcmp(got, cases[i].want) == 0, "%s (%s)\n  want: %s\n  got:  %s", cases[i].text,
              cases[i].lang, cases[i].want, got);
        fe_phones_clear(&p);
    }
    /* word boundaries survive: one word per word of normalized English */
    fe_phones p;
    CHECK(fe_phonemize("en-us", "the price is nineteen dollars and ninety nine cents", &p, err,
                       sizeof err) == SZ_OK,
          "%s", err);
    CHECK(p.n_words == 9, "%zu words", p.n_words);
    CHECK(p.word_start[p.n_words] == p.n_phones, "sentinel");
    fe_phones_clear(&p);
    /* one tone letter per Han character, and every syllable ends with one */
    const char *zh = "这款手机只要五千九百九十九元";
    CHECK(fe_phonemize("cmn", zh, &p, err, sizeof err) == SZ_OK, "%s", err);
    size_t tones = 0;
    for (size_t k = 0; k < p.n_phones; k++)
        tones += strstr("˥ ˧˥ ˨˩˦ ˨˩ ˥˩ ˩", p.phones[k]) != NULL && p.phones[k][0] != 0 &&
                 ((unsigned char)p.phones[k][0] == 0xCB);
    CHECK(tones == 14, "%zu tone letters for 14 characters", tones);
    CHECK(p.n_words >= 1 && p.n_words <= 14, "%zu words", p.n_words);
    for (size_t w = 0; w < p.n_words; w++) {
        const char *last = p.phones[p.word_start[w + 1] - 1];
        CHECK((unsigned char)last[0] == 0xCB, "word %zu ends with a tone: %s", w, last);
    }
    fe_phones_clear(&p);
    /* a language espeak-ng does not have */
    CHECK(fe_phonemize("xx-nope", "abc", &p, err, sizeof err) == SZ_ERR_UNSUPPORTED, "unsupported");
    CHECK(strstr(err, "xx-nope") != NULL, "%s", err);
}

static void test_ipa(void)
{
    static const struct {
        const char *ipa, *want;
    } ipa[] = {
        {"təˈmeɪtoʊ", "t ə m ˈeɪ t oʊ"},
        {"ma˥˩", "m a ˥˩"},
        {"tʰa", "tʰ a"},
        {"ˈhæ.pi ˈdeɪ", "h ˈæ p i | d ˈeɪ"},
        {"t͡ʃiz", "t͡ʃ i z"},
        {"ʃoʊ", "ʃ oʊ"},
        {"ˌɪn.fɚˈmeɪ.ʃən", "ˌɪ n f ɚ m ˈeɪ ʃ ə n"},
        {"kʰwan˨˩˦", "kʰ w a n ˨˩˦"},
    };
    char got[512], err[256];
    for (size_t i = 0; i < sizeof ipa / sizeof ipa[0]; i++) {
        fe_phones p;
        CHECK(fe_phonemize_ipa(ipa[i].ipa, &p, err, sizeof err) == SZ_OK, "%s", err);
        ph_str(&p, got, sizeof got);
        CHECK(strcmp(got, ipa[i].want) == 0, "%s\n  want: %s\n  got:  %s", ipa[i].ipa,
              ipa[i].want, got);
        fe_phones_clear(&p);
    }
    /* IPA to espeak-ng's English phoneme names for <phoneme> input */
    char en[256];
    CHECK(tts_espeak_ipa_to_en("həlˈoʊ", en, sizeof en, err, sizeof err) && !strcmp(en, "h@l'oU"),
          "%s", en);
    CHECK(tts_espeak_ipa_to_en("təˈmeɪɾoʊ", en, sizeof en, err, sizeof err) &&
              !strcmp(en, "t@'meIt#oU"),
          "%s", en);
    CHECK(tts_espeak_ipa_to_en("ˈwɔːɾɚ ˈθɪŋk", en, sizeof en, err, sizeof err) &&
              !strcmp(en, "'wO:t#3 'TINk"),
          "%s", en);
    CHECK(!tts_espeak_ipa_to_en("aʘb", en, sizeof en, err, sizeof err), "click");
    CHECK(strstr(err, "'ʘ'") != NULL, "%s", err);
}

static void test_phone_set(void)
{
    char got[512], err[256];
    fe_phones p;
    CHECK(fe_phonemize("en-us", "hello world", &p, err, sizeof err) == SZ_OK, "%s", err);
    static const char *const with_stress[] = {"h", "ə", "l", "oʊ", "ˈ", "w", "ɜː", "d"};
    CHECK(fe_phones_map(&p, with_stress, 8, err, sizeof err) == SZ_OK, "%s", err);
    ph_str(&p, got, sizeof got);
    CHECK(strcmp(got, "h ə l ˈ oʊ | w ˈ ɜː l d") == 0, "%s", got);
    fe_phones_clear(&p);
    CHECK(fe_phonemize("en-us", "hello world", &p, err, sizeof err) == SZ_OK, "%s", err);
    static const char *const no_stress[] = {"h", "ə", "l", "oʊ", "w", "ɜː", "d"};
    CHECK(fe_phones_map(&p, no_stress, 7, err, sizeof err) == SZ_OK, "%s", err);
    ph_str(&p, got, sizeof got);
    CHECK(strcmp(got, "h ə l oʊ | w ɜː l d") == 0, "%s", got);
    static const char *const tiny[] = {"h", "l"};
    CHECK(fe_phones_map(&p, tiny, 2, err, sizeof err) == SZ_ERR_UNSUPPORTED, "tiny set");
    CHECK(strstr(err, "'ə'") != NULL && strstr(err, "word 1") != NULL, "%s", err);
    ph_str(&p, got, sizeof got);
    CHECK(strcmp(got, "h ə l oʊ | w ɜː l d") == 0, "unchanged after a failure: %s", got);
    fe_phones_clear(&p);
}

static void test_json(void)
{
    fe_params prm = fe_default_params();
    fe_doc *d = NULL;
    char err[256];
    const char *text = "Hello. 你好！";
    CHECK(fe_process(text, strlen(text), &prm, &d, err, sizeof err) == SZ_OK, "%s", err);
    if (!d)
        return;
    char *j0 = fe_sentence_json(d, 0, err, sizeof err);
    char *j1 = fe_sentence_json(d, 1, err, sizeof err);
    CHECK(j0 && !strcmp(j0, "{\"lang\":\"en\",\"text\":\"Hello.\",\"phones\":[[\"h\",\"ə\",\"l\","
                            "\"ˈoʊ\"]]}"),
          "%s", j0 ? j0 : err);
    CHECK(j1 && !strcmp(j1, "{\"lang\":\"zh\",\"text\":\"你好！\",\"phones\":[[\"n\",\"i\",\"˧˥\"],"
                            "[\"x\",\"ɑu\",\"˨˩˦\"]]}"),
          "%s", j1 ? j1 : err);
    CHECK(fe_sentence_json(d, 2, err, sizeof err) == NULL, "no third sentence");
    free(j0);
    free(j1);
    fe_doc_free(&d);
}

int main(void)
{
    test_espeak_phones();
    test_ipa();
    test_phone_set();
    test_json();
    printf("phonemize: %zu espeak-ng cases (English stress, Mandarin tones and sandhi), IPA, "
           "phone sets, JSON\n",
           sizeof cases / sizeof cases[0]);
    return check_summary("test_phonemize");
}
