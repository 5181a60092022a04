/* SPDX-License-Identifier: Apache-2.0 */
/* zh_tones.c: Mandarin tones in context. Citation tones come from
 * espeak-ng's dictionary; here they are corrected where it is wrong (words
 * with a neutral second syllable, 欢 read as in 喜欢, 地 the particle),
 * then changed by the sandhi rules: 一 and 不 by the tone after them, 3-3
 * to 2-3 by prosodic word, and the half third before any other tone in the
 * same phrase.
 *
 * Third-tone sandhi follows its prosodic structure (after Shih 1986 and
 * Chen 2000): the sentence is cut into lexicon words (zh_words.c); a
 * neutral-tone particle joins the word before it; runs of one-syllable
 * words pair up from the left into feet, and a one-syllable word left over
 * joins a two-syllable neighbour (the next one first: 买|雨伞, then the one
 * before: 我很|好). The rule then applies cyclically, inside words first,
 * then between a prosodic word's parts, then between prosodic words from
 * the right: 展览馆 [[展览]馆] 2-2-3, 小老虎 [小[老虎]] 3-2-3, 你也很好
 * [你也][很好] 2-3-2-3 (not four second tones), 老李买好酒 2-2-3-2-3. A
 * phrase break (punctuation) stops every rule, and a third tone before one
 * stays a full third. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tts/frontend/fe_internal.h"

static int zt_is_numeral(uint32_t c)
{
    static const uint32_t nums[] = {0x96F6, 0x4E00, 0x4E8C, 0x4E09, 0x56DB, 0x4E94, 0x516D,
                                    0x4E03, 0x516B, 0x4E5D, 0x5341, 0x4E24, 0x3007};
    for (size_t k = 0; k < sizeof nums / sizeof nums[0]; k++)
        if (nums[k] == c)
            return 1;
    return 0;
}

static int zt_is_big_unit(uint32_t c)
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
} zt_tone_fix[] = {
    {0x6B22, 1}, /* 欢 */ {0x8BC9, 4}, /* 诉 */ {0x8BC6, 2}, /* 识 */ {0x606F, 1}, /* 息 */
    {0x4E4E, 1}, /* 乎 */ {0x5DF4, 1}, /* 巴 */ {0x592B, 1}, /* 夫 */ {0x52A1, 4}, /* 务 */
    {0x775B, 1}, /* 睛 */ {0x5B9C, 2}, /* 宜 */ {0x695A, 3}, /* 楚 */ {0x6735, 3}, /* 朵 */
    {0x7237, 2}, /* 爷 */ {0x5A18, 2}, /* 娘 */ {0x6668, 2}, /* 晨 */ {0x7CCA, 2}, /* 糊 */
    {0x8F91, 2}, /* 辑 */ {0x72F8, 2}, /* 狸 */ {0x4F0D, 3}, /* 伍 */ {0x6D82, 2}, /* 涂 */
    {0x4ED9, 1}, /* 仙 */ {0x916C, 2}, /* 酬 */ {0x626E, 4}, /* 扮 */ {0x77E9, 3}, /* 矩 */
    {0x655E, 3}, /* 敞 */ {0x62FE, 2}, /* 拾 */ {0x7F62, 4},                       /* 罢 */
};

/* Two-character words whose second syllable is neutral. */
static const char *const zt_neutral_words[] = {
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
static const char *const zt_neutral_bu[] = {
    "对不起", "差不多", "看不见", "听不见", "来不及", "受不了", "买不起", "看不起", "用不着",
    "说不定", "舍不得", "怪不得", "恨不得", "了不起", "想不到", "找不到", "做不到", "睡不着",
};

/* Adverbs that take the particle 地 (de) after them: 认真地, 慢慢地. */
static const char *const zt_de_adverbs[] = {
    "认真", "高兴", "努力", "不断", "大声", "仔细", "耐心", "热情", "默默", "紧紧", "轻轻",
    "悄悄", "静静", "慢慢", "好好", "渐渐", "深深", "小心", "主动", "积极", "快速", "迅速",
    "安静", "开心", "激动", "清楚", "明显", "彻底", "不停", "简单", "自然", "礼貌",
};

static int zt_word_at(const uint32_t *chars, size_t n, size_t i, const char *w)
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

void fe_zh_lexical_tones(fe_zh_syl *syl, size_t n, const uint32_t *chars)
{
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < sizeof zt_tone_fix / sizeof zt_tone_fix[0]; k++)
            if (chars[i] == zt_tone_fix[k].c && syl[i].tone == 5)
                syl[i].tone = zt_tone_fix[k].tone;
    /* 地: espeak-ng reads it as the particle de everywhere (土地, 地图); it is
     * dì except after a reduplicated or listed adverb */
    for (size_t i = 0; i < n; i++) {
        if (chars[i] != 0x5730 || syl[i].tone != 5)
            continue;
        int de = i >= 2 && chars[i - 1] == chars[i - 2];
        for (size_t k = 0; !de && i >= 2 && k < sizeof zt_de_adverbs / sizeof zt_de_adverbs[0]; k++)
            de = zt_word_at(chars, n, i - 2, zt_de_adverbs[k]);
        if (!de) {
            snprintf(syl[i].ph[0], sizeof syl[i].ph[0], "t");
            snprintf(syl[i].ph[1], sizeof syl[i].ph[1], "i");
            syl[i].n = 2;
            syl[i].tone = 4;
        }
    }
    for (size_t i = 1; i + 1 < n; i++)
        for (size_t k = 0; chars[i] == 0x4E0D && k < sizeof zt_neutral_bu / sizeof zt_neutral_bu[0]; k++)
            if (zt_word_at(chars, n, i - 1, zt_neutral_bu[k])) {
                syl[i].tone = 5;
                break;
            }
    for (size_t i = 0; i + 1 < n; i++)
        for (size_t k = 0; k < sizeof zt_neutral_words / sizeof zt_neutral_words[0]; k++) {
            const char *w = zt_neutral_words[k];
            size_t len = strlen(w), a, b;
            uint32_t c1 = fe_next(w, len, 0, &a);
            uint32_t c2 = fe_next(w, len, a, &b);
            if (chars[i] == c1 && chars[i + 1] == c2) {
                syl[i + 1].tone = 5;
                break;
            }
        }
}


/* ---- sandhi ------------------------------------------------------------------ */

typedef struct zt_span {
    size_t lo, hi;
} zt_span;

/* One step of the cyclic rule at the join before syllable m. */
static void zt_join(int *t, size_t m)
{
    if (t[m - 1] == 3 && t[m] == 3)
        t[m - 1] = 2;
}

static void zt_merge(zt_span *u, size_t *nu, size_t k)
{
    u[k].hi = u[k + 1].hi;
    memmove(u + k + 1, u + k + 2, (*nu - k - 2) * sizeof *u);
    (*nu)--;
}

/* 3-3 sandhi over the syllables [a, b) of one phrase. */
static int zt_phrase(const fe_zh_syl *syl, const uint32_t *chars, size_t a, size_t b, int *t)
{
    size_t n = b - a;
    const fe_zh_lexicon *lx = chars ? fe_zh_lexicon_default() : NULL;
    unsigned char *start = malloc(n);
    zt_span *u = malloc(n * sizeof *u);
    if (!start || !u || !fe_zh_segment(lx, chars ? chars + a : NULL, n, start)) {
        free(start);
        free(u);
        return 0;
    }
    size_t nu = 0;
    for (size_t i = 0; i < n; i++) {
        if (start[i])
            u[nu++] = (zt_span){a + i, a + i + 1};
        else
            u[nu - 1].hi = a + i + 1;
    }
    free(start);
    /* inside words: a three-syllable word is [[AB]C] unless only BC is a word */
    for (size_t k = 0; k < nu; k++) {
        size_t lo = u[k].lo, len = u[k].hi - lo;
        if (len == 2) {
            zt_join(t, lo + 1);
        } else if (len == 3) {
            int right = fe_zh_lexicon_count(lx, chars + lo, 2) == 0 &&
                        fe_zh_lexicon_count(lx, chars + lo + 1, 2) != 0;
            zt_join(t, right ? lo + 2 : lo + 1);
            zt_join(t, right ? lo + 1 : lo + 2);
        } else if (len == 4) {
            zt_join(t, lo + 1);
            zt_join(t, lo + 3);
            zt_join(t, lo + 2);
        }
    }
    /* prosodic words: a neutral syllable joins the word before it */
    for (size_t k = 1; k < nu; k++)
        if (u[k].hi - u[k].lo == 1 && syl[u[k].lo].tone == 5) {
            zt_join(t, u[k].lo);
            zt_merge(u, &nu, k - 1);
            k--;
        }
    /* runs of one-syllable words pair up from the left */
    for (size_t k = 0; k + 1 < nu; k++)
        if (u[k].hi - u[k].lo == 1 && u[k + 1].hi - u[k + 1].lo == 1) {
            zt_join(t, u[k + 1].lo);
            zt_merge(u, &nu, k);
        }
    /* one left over joins a two-syllable neighbour, the next one first */
    for (size_t k = 0; k < nu; k++) {
        if (u[k].hi - u[k].lo != 1)
            continue;
        if (k + 1 < nu && u[k + 1].hi - u[k + 1].lo == 2) {
            zt_join(t, u[k + 1].lo);
            zt_merge(u, &nu, k);
        } else if (k > 0 && u[k - 1].hi - u[k - 1].lo == 2) {
            zt_join(t, u[k].lo);
            zt_merge(u, &nu, k - 1);
            k--;
        }
    }
    /* between prosodic words, from the right */
    for (size_t k = nu; k-- > 1;)
        zt_join(t, u[k].lo);
    free(u);
    return 1;
}

int fe_zh_sandhi(const fe_zh_syl *syl, size_t n, const uint32_t *chars, const unsigned char *brk,
                 int *out)
{
    for (size_t i = 0; i < n; i++)
        out[i] = syl[i].tone;
    if (chars) {
        for (size_t i = 0; i < n; i++) {
            int has_prev = i > 0 && !(brk && brk[i]);
            int has_next = i + 1 < n && !(brk && brk[i + 1]);
            uint32_t prev = has_prev ? chars[i - 1] : 0, next = has_next ? chars[i + 1] : 0;
            int next_tone = has_next ? syl[i + 1].tone : 0;
            if (chars[i] == 0x4E00 && syl[i].tone == 1) { /* 一 */
                int keep = prev == 0x7B2C /* 第 */ || !next ||
                           (zt_is_numeral(next) && !zt_is_big_unit(next)) ||
                           (zt_is_numeral(prev) && !zt_is_big_unit(next)) ||
                           (prev && zt_is_big_unit(prev) && !zt_is_big_unit(next)) ||
                           next == 0x6708 || next == 0x53F7 || next == 0x65E5; /* 月号日 */
                if (!keep)
                    out[i] = (next_tone == 4 || next_tone == 5) ? 2 : 4;
            } else if (chars[i] == 0x4E0D && syl[i].tone == 4 && next_tone == 4) { /* 不 */
                out[i] = 2;
            }
        }
    }
    for (size_t a = 0; a < n;) {
        size_t b = a + 1;
        while (b < n && !(brk && brk[b]))
            b++;
        if (!zt_phrase(syl, chars, a, b, out))
            return 0;
        a = b;
    }
    for (size_t i = 0; i + 1 < n; i++)
        if (out[i] == 3 && !(brk && brk[i + 1]))
            out[i] = 6;
    return 1;
}
