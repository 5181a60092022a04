/* SPDX-License-Identifier: Apache-2.0 */
/* phonemize.c: phonemes through libespeak-ng, word by word. English (and
 * other languages) come as espeak-ng's IPA with stress on the vowel;
 * Mandarin comes as IPA initials and finals, each syllable ending with a
 * Chao tone letter after tone sandhi (3-3, 一, 不, half third). Also: IPA
 * strings from SSML split into phones, phones rewritten into a voice's
 * declared symbol set, and the per-sentence JSON of `shuzi tts --dry-run`. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "tts/espeak_voice.h"
#include "tts/frontend/fe_internal.h"

#define PHZ_MAX_SYL_PHONES 8

/* ---- building fe_phones ----------------------------------------------------- */

static int phz_grow(void **v, size_t n, size_t elem)
{
    if (n != 0 && (n & (n - 1)) != 0)
        return 1; /* capacity is the next power of two */
    size_t cap = n ? n * 2 : 8;
    void *p = realloc(*v, cap * elem);
    if (!p)
        return 0;
    *v = p;
    return 1;
}

static int phz_word(fe_phones *p)
{
    if (p->n_words && p->word_start[p->n_words - 1] == p->n_phones)
        return 1; /* the open word is still empty */
    if (!phz_grow((void **)&p->word_start, p->n_words + 1, sizeof *p->word_start))
        return 0;
    p->word_start[p->n_words++] = p->n_phones;
    return 1;
}

static int phz_phone(fe_phones *p, const char *s, size_t n)
{
    if (!n)
        return 1;
    if (!p->n_words && !phz_word(p))
        return 0;
    if (!phz_grow((void **)&p->phones, p->n_phones, sizeof *p->phones))
        return 0;
    char *d = malloc(n + 1);
    if (!d)
        return 0;
    memcpy(d, s, n);
    d[n] = 0;
    p->phones[p->n_phones++] = d;
    return 1;
}

/* Closes the list: drops a trailing empty word, sets the sentinel. */
static int phz_finish(fe_phones *p)
{
    while (p->n_words && p->word_start[p->n_words - 1] == p->n_phones)
        p->n_words--;
    if (!phz_grow((void **)&p->word_start, p->n_words + 1, sizeof *p->word_start))
        return 0;
    p->word_start[p->n_words] = p->n_phones;
    return 1;
}

void fe_phones_clear(fe_phones *p)
{
    for (size_t k = 0; k < p->n_phones; k++)
        free(p->phones[k]);
    free(p->phones);
    free(p->word_start);
    memset(p, 0, sizeof *p);
}

/* ---- Mandarin ------------------------------------------------------------------ */

/* espeak-ng's Mandarin phoneme names (without stress and tone) in IPA. */
static const struct {
    const char *espeak, *ipa;
} phz_cmn[] = {
    {"p", "p"},    {"ph", "pʰ"},   {"m", "m"},     {"f", "f"},    {"t", "t"},
    {"th", "tʰ"},  {"n", "n"},     {"l", "l"},     {"k", "k"},    {"kh", "kʰ"},
    {"X", "x"},    {"tS;", "tɕ"},  {"tS;h", "tɕʰ"}, {"S;", "ɕ"},  {"ts.", "ʈʂ"},
    {"ts.h", "ʈʂʰ"}, {"s.", "ʂ"},  {"z.", "ʐ"},    {"ts", "ts"},  {"tsh", "tsʰ"},
    {"s", "s"},    {"j", "j"},     {"w", "w"},     {"N", "ŋ"},    {"a", "a"},
    {"A", "ɑ"},    {"Au", "ɑu"},   {"@", "ə"},     {"@:", "ə"},   {"@r", "ɚ"},
    {"ai", "ai"},  {"ei", "ei"},   {"ou", "ou"},   {"i", "i"},    {"i.", "ʅ"},
    {"i[", "ɿ"},   {"iE", "iɛ"},   {"iA", "iɑ"},   {"iou", "iou"}, {"io", "io"},
    {"u", "u"},    {"uo", "uo"},   {"ua", "uɑ"},   {"uai", "uai"}, {"uei", "uei"},
    {"u@", "uə"},  {"y", "y"},     {"yE", "yɛ"},   {"y&", "yæ"},  {"y@", "yə"},
    {"yu", "yu"},  {"yi", "yi"},   {"ong", "uŋ"},  {"o", "o"},    {"o-", "ɤ"},
    {"e", "e"},    {"E", "ɛ"},     {"N-", "ŋ̍"},
};

static const char *phz_cmn_ipa(const char *e)
{
    for (size_t k = 0; k < sizeof phz_cmn / sizeof phz_cmn[0]; k++)
        if (strcmp(phz_cmn[k].espeak, e) == 0)
            return phz_cmn[k].ipa;
    return NULL;
}

/* Citation tone 1-5 from espeak's pitch numbers ("55", "35", "214", "51", "11"). */
static int phz_tone(const char *digits)
{
    size_t n = strlen(digits);
    if (!n)
        return 0;
    if (!strcmp(digits, "55"))
        return 1;
    if (!strcmp(digits, "35"))
        return 2;
    if (digits[0] == '2' && n >= 2 && digits[1] == '1')
        return 3;
    if (digits[0] == '5' && n >= 2)
        return 4;
    return 5;
}

typedef struct phz_syl {
    char ph[PHZ_MAX_SYL_PHONES][16];
    int n;
    int tone;        /* citation tone 1-5; 0: none */
    int word;        /* index of the espeak word it is in */
} phz_syl;

static int phz_is_numeral(uint32_t c)
{
    static const uint32_t nums[] = {0x96F6, 0x4E00, 0x4E8C, 0x4E09, 0x56DB, 0x4E94, 0x516D,
                                    0x4E03, 0x516B, 0x4E5D, 0x5341, 0x4E24, 0x3007};
    for (size_t k = 0; k < sizeof nums / sizeof nums[0]; k++)
        if (nums[k] == c)
            return 1;
    return 0;
}

static int phz_is_big_unit(uint32_t c)
{
    return c == 0x767E || c == 0x5343 || c == 0x4E07 || c == 0x4EBF; /* 百千万亿 */
}

/* Tones espeak-ng's dictionary gets wrong. It gives some characters the
 * neutral tone they take in one word (欢 as in 喜欢) everywhere: their own
 * tone comes back here, and the neutral tone stays in the words that have
 * it. Words whose second syllable is neutral in the standard lexicon
 * (朋友, 东西, reduplicated kin terms and verbs) get it too. */
static const struct {
    uint32_t c;
    int tone;
} phz_tone_fix[] = {
    {0x6B22, 1}, /* 欢 */ {0x8BC9, 4}, /* 诉 */ {0x8BC6, 2}, /* 识 */ {0x606F, 1}, /* 息 */
    {0x4E4E, 1}, /* 乎 */ {0x5DF4, 1}, /* 巴 */ {0x592B, 1}, /* 夫 */ {0x52A1, 4}, /* 务 */
    {0x775B, 1}, /* 睛 */ {0x5B9C, 2}, /* 宜 */ {0x695A, 3}, /* 楚 */ {0x6735, 3}, /* 朵 */
    {0x7237, 2}, /* 爷 */ {0x5A18, 2}, /* 娘 */ {0x6668, 2}, /* 晨 */ {0x7CCA, 2}, /* 糊 */
    {0x8F91, 2}, /* 辑 */ {0x72F8, 2}, /* 狸 */ {0x4F0D, 3}, /* 伍 */ {0x6D82, 2}, /* 涂 */
    {0x4ED9, 1}, /* 仙 */ {0x916C, 2}, /* 酬 */ {0x626E, 4}, /* 扮 */ {0x77E9, 3}, /* 矩 */
    {0x655E, 3}, /* 敞 */ {0x62FE, 2}, /* 拾 */ {0x7F62, 4},                       /* 罢 */
};

/* Two-character words whose second syllable is neutral. */
static const char *const phz_neutral_words[] = {
    "喜欢", "告诉", "认识", "知识", "休息", "消息", "在乎", "尾巴", "嘴巴", "下巴", "丈夫",
    "功夫", "任务", "眼睛", "便宜", "清楚", "耳朵", "爷爷", "姑娘", "早晨", "模糊", "逻辑",
    "狐狸", "队伍", "糊涂", "神仙", "应酬", "打扮", "规矩", "宽敞", "收拾", "妈妈", "爸爸",
    "哥哥", "姐姐", "弟弟", "妹妹", "奶奶", "叔叔", "舅舅", "姥姥", "宝宝", "谢谢", "看看",
    "试试", "想想", "说说", "走走", "听听", "问问", "东西", "朋友", "先生", "衣服", "知道",
    "明白", "事情", "关系", "意思", "地方", "舒服", "漂亮", "客气", "麻烦", "厉害", "学生",
    "暖和", "热闹", "聪明", "窗户", "月亮", "打算", "商量", "太阳", "脑袋", "头发", "石头",
    "木头", "骨头", "馒头", "枕头", "舌头", "豆腐", "时候", "早上", "晚上", "葡萄",
};

/* Words whose middle 不 is neutral (duìbuqǐ, and the potential complements
 * kàn bu jiàn). */
static const char *const phz_neutral_bu[] = {
    "对不起", "差不多", "看不见", "听不见", "来不及", "受不了", "买不起", "看不起", "用不着",
    "说不定", "舍不得", "怪不得", "恨不得", "了不起", "想不到", "找不到", "做不到", "睡不着",
};

/* Adverbs that take the particle 地 (de) after them: 认真地, 慢慢地. */
static const char *const phz_de_adverbs[] = {
    "认真", "高兴", "努力", "不断", "大声", "仔细", "耐心", "热情", "默默", "紧紧", "轻轻",
    "悄悄", "静静", "慢慢", "好好", "渐渐", "深深", "小心", "主动", "积极", "快速", "迅速",
    "安静", "开心", "激动", "清楚", "明显", "彻底", "不停", "简单", "自然", "礼貌",
};

static int phz_word_at(const uint32_t *chars, size_t n, size_t i, const char *w)
{
    size_t len = strlen(w), at = 0;
    for (size_t j = i; at < len; j++) {
        size_t k;
        uint32_t c = fe_next(w, len, at, &k);
        if (j >= n || chars[j] != c)
            return 0;
        at += k;
    }
    return 1;
}

static void phz_lexical(phz_syl *syl, size_t n, const uint32_t *chars)
{
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < sizeof phz_tone_fix / sizeof phz_tone_fix[0]; k++)
            if (chars[i] == phz_tone_fix[k].c && syl[i].tone == 5)
                syl[i].tone = phz_tone_fix[k].tone;
    /* 地: espeak-ng reads it as the particle de everywhere (土地, 地图); it is
     * dì except after a reduplicated or listed adverb */
    for (size_t i = 0; i < n; i++) {
        if (chars[i] != 0x5730 || syl[i].tone != 5)
            continue;
        int de = i >= 2 && chars[i - 1] == chars[i - 2];
        for (size_t k = 0; !de && i >= 2 && k < sizeof phz_de_adverbs / sizeof phz_de_adverbs[0]; k++)
            de = phz_word_at(chars, n, i - 2, phz_de_adverbs[k]);
        if (!de) {
            snprintf(syl[i].ph[0], sizeof syl[i].ph[0], "t");
            snprintf(syl[i].ph[1], sizeof syl[i].ph[1], "i");
            syl[i].n = 2;
            syl[i].tone = 4;
        }
    }
    for (size_t i = 1; i + 1 < n; i++)
        for (size_t k = 0; chars[i] == 0x4E0D && k < sizeof phz_neutral_bu / sizeof phz_neutral_bu[0]; k++)
            if (phz_word_at(chars, n, i - 1, phz_neutral_bu[k])) {
                syl[i].tone = 5;
                break;
            }
    for (size_t i = 0; i + 1 < n; i++)
        for (size_t k = 0; k < sizeof phz_neutral_words / sizeof phz_neutral_words[0]; k++) {
            const char *w = phz_neutral_words[k];
            size_t len = strlen(w), a, b;
            uint32_t c1 = fe_next(w, len, 0, &a);
            uint32_t c2 = fe_next(w, len, a, &b);
            if (chars[i] == c1 && chars[i + 1] == c2) {
                syl[i + 1].tone = 5;
                break;
            }
        }
}

/* Tone changes over one phrase: 一 and 不 (when the characters are known),
 * 3-3 to 2-3, and the half third before other tones. Returns the output
 * tone per syllable: 1-5, or 6 for the half third. */
static void phz_sandhi(phz_syl *syl, size_t n, const uint32_t *chars, int *out)
{
    for (size_t i = 0; i < n; i++)
        out[i] = syl[i].tone;
    if (chars) {
        for (size_t i = 0; i < n; i++) {
            uint32_t prev = i ? chars[i - 1] : 0, next = i + 1 < n ? chars[i + 1] : 0;
            int next_tone = i + 1 < n ? syl[i + 1].tone : 0;
            if (chars[i] == 0x4E00 && syl[i].tone == 1) { /* 一 */
                int keep = prev == 0x7B2C /* 第 */ || !next ||
                           (phz_is_numeral(next) && !phz_is_big_unit(next)) ||
                           (phz_is_numeral(prev) && !phz_is_big_unit(next)) ||
                           (prev && phz_is_big_unit(prev) && !phz_is_big_unit(next)) ||
                           next == 0x6708 || next == 0x53F7 || next == 0x65E5; /* 月号日 */
                if (!keep)
                    out[i] = (next_tone == 4 || next_tone == 5) ? 2 : 4;
            } else if (chars[i] == 0x4E0D && syl[i].tone == 4 && next_tone == 4) { /* 不 */
                out[i] = 2;
            }
        }
    }
    for (size_t i = 0; i + 1 < n; i++)
        if (syl[i].tone == 3 && syl[i + 1].tone == 3 && out[i] == 3)
            out[i] = 2;
    for (size_t i = 0; i + 1 < n; i++)
        if (out[i] == 3)
            out[i] = 6;
}

static int phz_mandarin(const char *raw, const char *text, fe_phones *out, char *err,
                        size_t errlen)
{
    size_t cap = 16, n = 0;
    phz_syl *syl = malloc(cap * sizeof *syl);
    if (!syl)
        goto oom;
    int word = -1;
    const char *p = raw;
    while (*p) {
        while (*p == ' ')
            p++;
        if (!*p)
            break;
        const char *we = p;
        while (*we && *we != ' ')
            we++;
        word++;
        /* the word's phone names */
        char names[64][24];
        int nn = 0;
        const char *q = p;
        while (q < we && nn < 64) {
            const char *e = q;
            while (e < we && *e != '|')
                e++;
            size_t l = (size_t)(e - q);
            if (l && l < sizeof names[0]) {
                size_t o = 0;
                for (size_t k = 0; k < l; k++)
                    if (q[k] != '\'' && q[k] != ',')
                        names[nn][o++] = q[k];
                names[nn][o] = 0;
                if (o && names[nn][0] != '_')
                    nn++;
            }
            q = e < we ? e + 1 : e;
        }
        p = we;
        phz_syl cur = {.n = 0, .tone = 0, .word = word};
        for (int k = 0; k < nn; k++) {
            char *nm = names[k];
            size_t l = strlen(nm), d = l;
            while (d > 0 && nm[d - 1] >= '0' && nm[d - 1] <= '9')
                d--;
            int tone = d < l ? phz_tone(nm + d) : 0;
            nm[d] = 0;
            const char *ipa = phz_cmn_ipa(nm);
            if (cur.n < PHZ_MAX_SYL_PHONES)
                snprintf(cur.ph[cur.n++], sizeof cur.ph[0], "%.15s", ipa ? ipa : nm);
            if (!tone)
                continue;
            cur.tone = tone;
            if (k + 1 < nn && (!strcmp(names[k + 1], "n") || !strcmp(names[k + 1], "N")) &&
                (k + 2 >= nn || !(names[k + 2][strlen(names[k + 2]) - 1] >= '0' &&
                                  names[k + 2][strlen(names[k + 2]) - 1] <= '9'))) {
                const char *coda = phz_cmn_ipa(names[k + 1]);
                if (cur.n < PHZ_MAX_SYL_PHONES)
                    snprintf(cur.ph[cur.n++], sizeof cur.ph[0], "%s", coda ? coda : "n");
                k++;
            }
            if (n == cap) {
                cap *= 2;
                phz_syl *v = realloc(syl, cap * sizeof *v);
                if (!v)
                    goto oom;
                syl = v;
            }
            syl[n++] = cur;
            cur.n = 0;
            cur.tone = 0;
        }
        if (cur.n) { /* phones without a tone (erhua): their own syllable */
            if (n == cap) {
                cap *= 2;
                phz_syl *v = realloc(syl, cap * sizeof *v);
                if (!v)
                    goto oom;
                syl = v;
            }
            syl[n++] = cur;
        }
    }
    /* the Han characters, when there is one per toned syllable */
    size_t nt = 0;
    for (size_t k = 0; k < n; k++)
        nt += syl[k].tone != 0;
    uint32_t *chars = malloc((nt + 1) * sizeof *chars);
    size_t nc = 0, len = strlen(text), i = 0;
    while (chars && i < len) {
        size_t k;
        uint32_t cp = fe_next(text, len, i, &k);
        if (fe_class(cp) == FE_CC_HAN) {
            if (nc == nt) {
                nc = nt + 1;
                break;
            }
            chars[nc++] = cp;
        }
        i += k ? k : 1;
    }
    int *tones = malloc((n + 1) * sizeof *tones);
    if (!tones) {
        free(chars);
        goto oom;
    }
    /* sandhi over the toned syllables */
    phz_syl *toned = malloc((nt + 1) * sizeof *toned);
    int *tt = malloc((nt + 1) * sizeof *tt);
    if (!toned || !tt) {
        free(chars);
        free(tones);
        free(toned);
        free(tt);
        goto oom;
    }
    size_t m = 0;
    for (size_t k = 0; k < n; k++)
        if (syl[k].tone)
            toned[m++] = syl[k];
    if (chars && nc == nt)
        phz_lexical(toned, m, chars);
    phz_sandhi(toned, m, chars && nc == nt ? chars : NULL, tt);
    m = 0;
    for (size_t k = 0; k < n; k++) {
        if (syl[k].tone) {
            memcpy(syl[k].ph, toned[m].ph, sizeof syl[k].ph); /* phz_lexical may respell */
            syl[k].n = toned[m].n;
        }
        tones[k] = syl[k].tone ? tt[m++] : 0;
    }
    free(toned);
    free(tt);
    free(chars);
    static const char *const letters[] = {"", "˥", "˧˥", "˨˩˦", "˥˩", "˩", "˨˩"};
    int last_word = -1;
    int ok = 1;
    for (size_t k = 0; k < n && ok; k++) {
        if (syl[k].word != last_word) {
            ok = phz_word(out);
            last_word = syl[k].word;
        }
        for (int j = 0; j < syl[k].n && ok; j++)
            ok = phz_phone(out, syl[k].ph[j], strlen(syl[k].ph[j]));
        if (tones[k] && ok)
            ok = phz_phone(out, letters[tones[k]], strlen(letters[tones[k]]));
    }
    free(tones);
    free(syl);
    if (!ok || !phz_finish(out)) {
        snprintf(err, errlen, "out of memory");
        return SZ_ERR_NO_MEMORY;
    }
    return SZ_OK;
oom:
    free(syl);
    snprintf(err, errlen, "out of memory");
    return SZ_ERR_NO_MEMORY;
}

/* ---- espeak-ng IPA (English and the rest) ------------------------------------------ */

static int phz_ipa_words(const char *raw, fe_phones *out)
{
    const char *p = raw;
    while (*p) {
        while (*p == ' ')
            p++;
        if (!*p)
            break;
        if (!phz_word(out))
            return 0;
        while (*p && *p != ' ') {
            const char *e = p;
            while (*e && *e != ' ' && *e != '|')
                e++;
            /* language switch markers such as "(en)" are not phones */
            if (!(e > p && p[0] == '(' && e[-1] == ')') && !phz_phone(out, p, (size_t)(e - p)))
                return 0;
            p = *e == '|' ? e + 1 : e;
        }
    }
    return phz_finish(out);
}

static int phz_is_mandarin(const char *lang)
{
    return !strncmp(lang, "cmn", 3) || !strcmp(lang, "zh") ||
           (!strncmp(lang, "zh-", 3) && strcmp(lang, "zh-yue") != 0 && strcmp(lang, "zh-hk") != 0);
}

int fe_phonemize(const char *lang, const char *text, fe_phones *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    char *raw = NULL;
    int mandarin = phz_is_mandarin(lang);
    int rc = tts_espeak_phonemes(lang, text, mandarin, &raw, err, errlen);
    if (rc != SZ_OK)
        return rc;
    if (mandarin) {
        rc = phz_mandarin(raw, text, out, err, errlen);
    } else if (!phz_ipa_words(raw, out)) {
        snprintf(err, errlen, "out of memory");
        rc = SZ_ERR_NO_MEMORY;
    }
    free(raw);
    if (rc != SZ_OK)
        fe_phones_clear(out);
    return rc;
}

/* ---- IPA strings ------------------------------------------------------------------ */

static int phz_is_stress(uint32_t cp) { return cp == 0x2C8 || cp == 0x2CC || cp == '\'' || cp == ','; }

static int phz_is_tone_letter(uint32_t cp) { return cp >= 0x2E5 && cp <= 0x2E9; }

static int phz_is_vowel(uint32_t cp)
{
    static const uint32_t v[] = {'a',   'e',   'i',   'o',   'u',   'y',   0xE6,  0x251, 0x252,
                                 0x250, 0x259, 0x25A, 0x25B, 0x25C, 0x25D, 0x26A, 0x268, 0x254,
                                 0xF8,  0x153, 0x275, 0x289, 0x28A, 0x28C, 0x28F, 0x26F, 0x264,
                                 0x258, 0x1D7B};
    for (size_t k = 0; k < sizeof v / sizeof v[0]; k++)
        if (v[k] == cp)
            return 1;
    return 0;
}

static int phz_attaches(uint32_t cp)
{
    /* length, aspiration, palatalization, nasal and syllabic marks... */
    return (cp >= 0x2B0 && cp <= 0x2FF && !phz_is_stress(cp) && !phz_is_tone_letter(cp)) ||
           (cp >= 0x300 && cp <= 0x36F) || cp == 0x1D4A;
}

int fe_phonemize_ipa(const char *ipa, fe_phones *out, char *err, size_t errlen)
{
    static const char *const multi[] = {"tʃ", "dʒ", "tɕ", "dʑ", "ʈʂ", "aɪ", "aʊ",
                                        "ɔɪ", "eɪ", "oʊ", "əʊ", NULL};
    memset(out, 0, sizeof *out);
    size_t n = strlen(ipa), i = 0;
    char stress[8] = "";
    fe_buf cur = {0};
    int ok = 1;
#define PHZ_FLUSH()                                                                                \
    do {                                                                                           \
        if (cur.n) {                                                                               \
            ok = ok && phz_phone(out, cur.p, cur.n);                                               \
            cur.n = 0;                                                                             \
        }                                                                                          \
    } while (0)
    while (i < n && ok) {
        size_t k;
        uint32_t cp = fe_next(ipa, n, i, &k);
        if (cp == ' ') {
            PHZ_FLUSH();
            ok = ok && phz_word(out);
            i += k;
            continue;
        }
        if (cp == '.' || cp == '|' || cp == 0x2016) {
            PHZ_FLUSH();
            i += k;
            continue;
        }
        if (phz_is_stress(cp)) {
            PHZ_FLUSH();
            snprintf(stress, sizeof stress, "%s", cp == 0x2C8 || cp == '\'' ? "ˈ" : "ˌ");
            i += k;
            continue;
        }
        if ((cp == 0x361 || cp == 0x35C) && cur.n && i + k < n) { /* a tie joins two symbols */
            size_t k2;
            fe_next(ipa, n, i + k, &k2);
            fe_buf_add(&cur, ipa + i, k + k2);
            i += k + k2;
            continue;
        }
        if (phz_attaches(cp) && cur.n) {
            fe_buf_add(&cur, ipa + i, k);
            i += k;
            continue;
        }
        if (phz_is_tone_letter(cp)) {
            PHZ_FLUSH();
            size_t j = i;
            while (j < n) {
                size_t m;
                uint32_t d = fe_next(ipa, n, j, &m);
                if (!phz_is_tone_letter(d))
                    break;
                j += m;
            }
            ok = ok && phz_phone(out, ipa + i, j - i);
            i = j;
            continue;
        }
        PHZ_FLUSH();
        if (!out->n_words)
            ok = ok && phz_word(out);
        if (phz_is_vowel(cp)) { /* stress goes on the vowel, as espeak-ng writes it */
            fe_buf_str(&cur, stress);
            stress[0] = 0;
        }
        size_t take = k;
        for (int m = 0; multi[m]; m++) {
            size_t l = strlen(multi[m]);
            if (i + l <= n && memcmp(ipa + i, multi[m], l) == 0) {
                take = l;
                break;
            }
        }
        fe_buf_add(&cur, ipa + i, take);
        i += take;
    }
    PHZ_FLUSH();
#undef PHZ_FLUSH
    if (cur.oom)
        ok = 0;
    fe_buf_free(&cur);
    if (!ok || !phz_finish(out)) {
        fe_phones_clear(out);
        snprintf(err, errlen, "out of memory");
        return SZ_ERR_NO_MEMORY;
    }
    return SZ_OK;
}

/* ---- a voice's symbol set --------------------------------------------------------- */

static int phz_in_set(const char *s, size_t n, const char *const *set, size_t ns)
{
    for (size_t k = 0; k < ns; k++)
        if (strlen(set[k]) == n && memcmp(set[k], s, n) == 0)
            return 1;
    return 0;
}

int fe_phones_map(fe_phones *p, const char *const *set, size_t ns, char *err, size_t errlen)
{
    fe_phones out;
    memset(&out, 0, sizeof out);
    int ok = 1;
    for (size_t w = 0; w < p->n_words && ok; w++) {
        ok = phz_word(&out);
        for (size_t k = p->word_start[w]; k < p->word_start[w + 1] && ok; k++) {
            const char *ph = p->phones[k];
            size_t n = strlen(ph);
            if (phz_in_set(ph, n, set, ns)) {
                ok = phz_phone(&out, ph, n);
                continue;
            }
            size_t i = 0;
            while (i < n && ok) {
                size_t best = 0;
                for (size_t s = 0; s < ns; s++) {
                    size_t l = strlen(set[s]);
                    if (l > best && i + l <= n && memcmp(ph + i, set[s], l) == 0)
                        best = l;
                }
                size_t k2;
                uint32_t cp = fe_next(ph, n, i, &k2);
                if (!best && (cp == 0x2C8 || cp == 0x2CC)) {
                    i += k2; /* the set has no stress marks: stress is dropped */
                    continue;
                }
                if (!best) {
                    snprintf(err, errlen,
                             "phone '%s' (word %zu) is not in the voice's phone set: '%.*s' has "
                             "no symbol", ph, w + 1, (int)k2, ph + i);
                    fe_phones_clear(&out);
                    return SZ_ERR_UNSUPPORTED;
                }
                ok = phz_phone(&out, ph + i, best);
                i += best;
            }
        }
    }
    if (!ok || !phz_finish(&out)) {
        fe_phones_clear(&out);
        snprintf(err, errlen, "out of memory");
        return SZ_ERR_NO_MEMORY;
    }
    fe_phones_clear(p);
    *p = out;
    return SZ_OK;
}

/* ---- the dry-run JSON ---------------------------------------------------------------- */

char *fe_sentence_json(const fe_doc *doc, size_t i, char *err, size_t errlen)
{
    if (i >= doc->n_sentences) {
        snprintf(err, errlen, "no sentence %zu", i);
        return NULL;
    }
    const fe_sentence *s = &doc->sentences[i];
    cJSON *o = cJSON_CreateObject();
    cJSON *phones = cJSON_CreateArray();
    if (!o || !phones) {
        cJSON_Delete(o);
        cJSON_Delete(phones);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    cJSON_AddStringToObject(o, "lang", s->lang);
    cJSON_AddStringToObject(o, "text", s->text);
    cJSON_AddItemToObject(o, "phones", phones);
    for (size_t k = s->first; k < s->first + s->count; k++) {
        const fe_item *it = &doc->items[k];
        if (it->kind != FE_ITEM_TEXT && it->kind != FE_ITEM_PHONES)
            continue;
        fe_phones ph;
        int rc = it->kind == FE_ITEM_TEXT ? fe_phonemize(it->lang, it->text, &ph, err, errlen)
                                          : fe_phonemize_ipa(it->ipa, &ph, err, errlen);
        if (rc == SZ_ERR_UNSUPPORTED) {
            SZ_LOGW("tts", "%s: no phones for \"%.60s\"", err, it->text);
            continue;
        }
        if (rc != SZ_OK) {
            cJSON_Delete(o);
            return NULL;
        }
        for (size_t w = 0; w < ph.n_words; w++) {
            cJSON *word = cJSON_CreateArray();
            if (!word)
                break;
            for (size_t q = ph.word_start[w]; q < ph.word_start[w + 1]; q++)
                cJSON_AddItemToArray(word, cJSON_CreateString(ph.phones[q]));
            cJSON_AddItemToArray(phones, word);
        }
        fe_phones_clear(&ph);
    }
    char *json = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    if (!json)
        snprintf(err, errlen, "out of memory");
    return json;
}
