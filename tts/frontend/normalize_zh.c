/* SPDX-License-Identifier: Apache-2.0 */
/* normalize_zh.c: how Mandarin says numbers, amounts, dates, times, units
 * and symbols: 一千二百九十九元, 百分之三点五, 二零二六年十一月二十九日,
 * 两 before measure words, 幺 in telephone numbers. 一 and 不 keep their
 * citation tone here; the phonemizer applies the tone changes. */
#include <string.h>

#include "tts/frontend/fe_internal.h"

static const char *const zh_digit[10] = {"零", "一", "二", "三", "四",
                                         "五", "六", "七", "八", "九"};

static void zh_emit(fe_norm *n, const fe_buf *b)
{
    if (b->n && !b->oom)
        fe_out_word(n->out, n->han_tag, b->p, b->n);
}

static void zh_latin(fe_norm *n, const char *s)
{
    fe_out_word(n->out, n->latin_tag, s, strlen(s));
}

static void zh_digit_chars(fe_buf *b, const char *d, size_t len, int phone)
{
    for (size_t i = 0; i < len; i++)
        if (d[i] >= '0' && d[i] <= '9')
            fe_buf_str(b, phone && d[i] == '1' ? "幺" : zh_digit[d[i] - '0']);
}

/* Cardinal of a digit string in sections of 万 and 亿; more than 16
 * digits are read one by one. measure: a measure word follows, so a lone
 * 2 is 两. */
static void zh_cardinal(fe_buf *b, const char *digits, size_t len, int measure)
{
    static const char *const pos_char[4] = {"千", "百", "十", ""};
    static const char *const sec_unit[4] = {"", "万", "亿", "万亿"};
    while (len > 0 && *digits == '0') {
        digits++;
        len--;
    }
    if (len == 0) {
        fe_buf_str(b, "零");
        return;
    }
    if (len > 16) {
        zh_digit_chars(b, digits, len, 0);
        return;
    }
    if (len == 1 && digits[0] == '2' && measure) {
        fe_buf_str(b, "两");
        return;
    }
    size_t sections = (len + 3) / 4;
    size_t head = len - (sections - 1) * 4;
    size_t p = 0;
    int emitted = 0, need_zero = 0;
    for (size_t sct = 0; sct < sections; sct++) {
        int d[4] = {0, 0, 0, 0};
        size_t take = sct == 0 ? head : 4;
        for (size_t k = 0; k < take; k++)
            d[4 - take + k] = digits[p + k] - '0';
        p += take;
        int v = d[0] * 1000 + d[1] * 100 + d[2] * 10 + d[3];
        const char *unit = sec_unit[sections - 1 - sct];
        if (v == 0) {
            if (emitted)
                need_zero = 1;
            continue;
        }
        if (emitted && (need_zero || v < 1000))
            fe_buf_str(b, "零");
        need_zero = 0;
        int zero = 0, sec_emitted = 0;
        for (int k = 0; k < 4; k++) {
            int dig = d[k];
            if (dig == 0) {
                if (sec_emitted)
                    zero = 1;
                continue;
            }
            if (zero)
                fe_buf_str(b, "零");
            zero = 0;
            if (k == 2 && dig == 1 && !emitted && !sec_emitted) {
                fe_buf_str(b, "十"); /* 十二, not 一十二, at the start */
            } else {
                const char *ch = zh_digit[dig];
                if (dig == 2) {
                    if (k == 0)
                        ch = "两"; /* 两千 */
                    else if (k == 1 && !emitted && !sec_emitted)
                        ch = "两"; /* 两百 leading */
                    else if (k == 3 && v == 2 && *unit)
                        ch = "两"; /* 两万, 两亿 */
                }
                fe_buf_str(b, ch);
                fe_buf_str(b, pos_char[k]);
            }
            sec_emitted = 1;
        }
        fe_buf_str(b, unit);
        emitted = 1;
    }
}

static void zh_number_buf(fe_buf *b, const fe_num *x, int measure)
{
    if (x->neg)
        fe_buf_str(b, "负");
    if (x->point && x->fp[0]) {
        zh_cardinal(b, x->ip, strlen(x->ip), 0);
        fe_buf_str(b, "点");
        zh_digit_chars(b, x->fp, strlen(x->fp), 0);
    } else {
        zh_cardinal(b, x->ip, strlen(x->ip), measure);
    }
}

static void zh_number(fe_norm *n, const fe_num *x, int measure)
{
    fe_buf b = {0};
    zh_number_buf(&b, x, measure);
    zh_emit(n, &b);
    fe_buf_free(&b);
}

static void zh_ordinal(fe_norm *n, const fe_num *x)
{
    fe_buf b = {0};
    fe_buf_str(&b, "第");
    zh_cardinal(&b, x->ip, strlen(x->ip), 0);
    zh_emit(n, &b);
    fe_buf_free(&b);
}

static void zh_digits(fe_norm *n, const char *d, size_t len, int phone)
{
    fe_buf b = {0};
    zh_digit_chars(&b, d, len, phone);
    zh_emit(n, &b);
    fe_buf_free(&b);
}

static void zh_year(fe_norm *n, const char *d, size_t len)
{
    zh_digits(n, d, len, 0);
}

static void zh_small(fe_buf *b, int v, int measure)
{
    char s[12];
    size_t k = 0;
    char tmp[12];
    if (v < 0)
        v = 0;
    do {
        tmp[k++] = (char)('0' + v % 10);
        v /= 10;
    } while (v && k < sizeof tmp);
    for (size_t i = 0; i < k; i++)
        s[i] = tmp[k - 1 - i];
    zh_cardinal(b, s, k, measure);
}

static void zh_date(fe_norm *n, const char *y, size_t ylen, int m, int d, int day_hao)
{
    fe_buf b = {0};
    if (y && ylen) {
        zh_digit_chars(&b, y, ylen, 0);
        fe_buf_str(&b, "年");
    }
    if (m >= 1 && m <= 12) {
        zh_small(&b, m, 0);
        fe_buf_str(&b, "月");
    }
    if (d > 0) {
        zh_small(&b, d, 0);
        fe_buf_str(&b, day_hao ? "号" : "日");
    }
    zh_emit(n, &b);
    fe_buf_free(&b);
}

static void zh_time(fe_norm *n, int h, int m, int s, int ampm)
{
    fe_buf b = {0};
    int hh = h;
    if (ampm) {
        fe_buf_str(&b, ampm == 1 ? "上午" : "下午");
        hh = h % 12;
        if (hh == 0)
            hh = 12;
    }
    zh_small(&b, hh, 1); /* 两点 */
    fe_buf_str(&b, "点");
    if (m > 0) {
        if (m < 10)
            fe_buf_str(&b, "零");
        zh_small(&b, m, 0);
        fe_buf_str(&b, "分");
    }
    if (s > 0) {
        zh_small(&b, s, 0);
        fe_buf_str(&b, "秒");
    }
    zh_emit(n, &b);
    fe_buf_free(&b);
}

static const char *const zh_currency[FE_CUR_COUNT] = {
    [FE_CUR_USD] = "美元", [FE_CUR_EUR] = "欧元", [FE_CUR_GBP] = "英镑",
    [FE_CUR_CNY] = "元",   [FE_CUR_JPY] = "日元", [FE_CUR_HKD] = "港元",
    [FE_CUR_KRW] = "韩元", [FE_CUR_INR] = "卢比",
};

static void zh_money(fe_norm *n, fe_currency cur, const fe_num *x, fe_scale scale)
{
    static const char *const scale_word[] = {"", "千", "百万", "十亿", "万亿", "万", "亿"};
    fe_buf b = {0};
    fe_num v = *x;
    size_t fl = strlen(v.fp);
    while (fl > 0 && v.fp[fl - 1] == '0') /* ¥3.20: 三点二元 */
        v.fp[--fl] = 0;
    if (v.point && fl == 0)
        v.point = 0;
    zh_number_buf(&b, &v, 1); /* 两元, 两万元 */
    fe_buf_str(&b, scale_word[scale]);
    fe_buf_str(&b, zh_currency[cur]);
    zh_emit(n, &b);
    fe_buf_free(&b);
}

static void zh_percent(fe_norm *n, const fe_num *x, int permille)
{
    fe_buf b = {0};
    fe_num v = *x;
    if (v.neg)
        fe_buf_str(&b, "负");
    v.neg = 0;
    fe_buf_str(&b, permille ? "千分之" : "百分之");
    zh_number_buf(&b, &v, 0);
    zh_emit(n, &b);
    fe_buf_free(&b);
}

static void zh_fraction(fe_norm *n, const fe_num *whole, const fe_num *num, const fe_num *den)
{
    fe_buf b = {0};
    if (whole) {
        zh_number_buf(&b, whole, 0);
        fe_buf_str(&b, "又");
    }
    zh_cardinal(&b, den->ip, strlen(den->ip), 0);
    fe_buf_str(&b, "分之");
    zh_number_buf(&b, num, 0);
    zh_emit(n, &b);
    fe_buf_free(&b);
}

/* Chinese unit names; NULL where Chinese speakers keep the Latin symbol. */
static const char *const zh_units[FE_U_COUNT] = {
    [FE_U_MM] = "毫米",      [FE_U_CM] = "厘米",       [FE_U_M] = "米",
    [FE_U_KM] = "公里",      [FE_U_IN] = "英寸",       [FE_U_FT] = "英尺",
    [FE_U_YD] = "码",        [FE_U_MI] = "英里",       [FE_U_MPH] = "英里每小时",
    [FE_U_KMH] = "公里每小时", [FE_U_MPS] = "米每秒",  [FE_U_MG] = "毫克",
    [FE_U_G] = "克",         [FE_U_KG] = "公斤",       [FE_U_LB] = "磅",
    [FE_U_OZ] = "盎司",      [FE_U_T] = "吨",          [FE_U_ML] = "毫升",
    [FE_U_L] = "升",         [FE_U_GAL] = "加仑",      [FE_U_MS] = "毫秒",
    [FE_U_S] = "秒",         [FE_U_MIN] = "分钟",      [FE_U_H] = "小时",
    [FE_U_HZ] = "赫兹",      [FE_U_KHZ] = "千赫兹",    [FE_U_MHZ] = "兆赫兹",
    [FE_U_GHZ] = "吉赫兹",   [FE_U_W] = "瓦",          [FE_U_KW] = "千瓦",
    [FE_U_KWH] = "千瓦时",   [FE_U_V] = "伏",          [FE_U_MAH] = "毫安时",
    [FE_U_PX] = "像素",      [FE_U_DB] = "分贝",       [FE_U_FPS] = "帧每秒",
    [FE_U_CAL] = "卡",       [FE_U_KCAL] = "千卡",     [FE_U_CELSIUS] = "摄氏度",
    [FE_U_FAHRENHEIT] = "华氏度", [FE_U_DEGREE] = "度", [FE_U_SQM] = "平方米",
    [FE_U_SQKM] = "平方公里", [FE_U_SQFT] = "平方英尺", [FE_U_THOUSAND] = "千",
    [FE_U_TIMES] = "倍",
};

static const char *const zh_unit_latin[FE_U_COUNT] = {
    [FE_U_KB] = "KB",     [FE_U_MB] = "MB",     [FE_U_GB] = "GB",     [FE_U_TB] = "TB",
    [FE_U_KBPS] = "Kbps", [FE_U_MBPS] = "Mbps", [FE_U_GBPS] = "Gbps",
};

static void zh_unit(fe_norm *n, const fe_num *x, fe_unit u)
{
    fe_buf b = {0};
    if (x) {
        fe_num v = *x;
        if (v.neg && (u == FE_U_CELSIUS || u == FE_U_FAHRENHEIT || u == FE_U_DEGREE)) {
            fe_buf_str(&b, "零下"); /* temperatures below zero */
            v.neg = 0;
        }
        zh_number_buf(&b, &v, 1);
    }
    if (zh_units[u]) {
        fe_buf_str(&b, zh_units[u]);
        zh_emit(n, &b);
    } else {
        zh_emit(n, &b);
        zh_latin(n, zh_unit_latin[u] ? zh_unit_latin[u] : "");
    }
    fe_buf_free(&b);
}

static void zh_decade(fe_norm *n, const fe_num *x)
{
    fe_buf b = {0};
    size_t len = strlen(x->ip);
    if (len == 4)
        zh_digit_chars(&b, x->ip, len, 0);
    else
        zh_cardinal(&b, x->ip, len, 0);
    fe_buf_str(&b, "年代");
    zh_emit(n, &b);
    fe_buf_free(&b);
}

static void zh_number_sign(fe_norm *n, const fe_num *x)
{
    fe_buf b = {0};
    zh_number_buf(&b, x, 0);
    fe_buf_str(&b, "号");
    zh_emit(n, &b);
    fe_buf_free(&b);
}

static const char *const zh_words[FE_W_COUNT] = {
    [FE_W_TO] = "到",       [FE_W_POINT] = "点",     [FE_W_DOT] = "点",
    [FE_W_AT] = "艾特",     [FE_W_SLASH] = "斜杠",   [FE_W_DASH] = "杠",
    [FE_W_UNDERSCORE] = "下划线", [FE_W_COLON] = "冒号", [FE_W_QUESTION] = "问号",
    [FE_W_EQUALS] = "等于", [FE_W_AND] = "和",       [FE_W_HASH] = "井号",
    [FE_W_PLUS] = "加",     [FE_W_TILDE] = "波浪号", [FE_W_PERCENT] = "百分号",
    [FE_W_BY] = "乘",       [FE_W_RATIO] = "比",     [FE_W_HASHTAG] = "话题",
    [FE_W_MINUS] = "减",    [FE_W_ABOUT] = "约",
};

static void zh_fixed(fe_norm *n, fe_word w)
{
    fe_out_word(n->out, n->han_tag, zh_words[w], strlen(zh_words[w]));
}

static const struct {
    uint32_t cp;
    const char *name;
} zh_symbols[] = {
    {'&', "和"},          {'+', "加"},          {'=', "等于"},       {'@', "艾特"},
    {'%', "百分号"},      {'<', "小于"},        {'>', "大于"},       {0xD7, "乘"},
    {0xF7, "除以"},       {0xB1, "正负"},       {0x2248, "约等于"},  {0x2260, "不等于"},
    {0x2264, "小于等于"}, {0x2265, "大于等于"}, {0x221E, "无穷大"},  {0x221A, "根号"},
    {0xA9, "版权"},       {0xAE, "注册商标"},   {0x2122, "商标"},    {0xA7, "节"},
    {0x2116, "号"},       {0x2030, "千分号"},   {0xB0, "度"},        {0x2103, "摄氏度"},
    {0x2109, "华氏度"},   {'$', "美元"},        {0x20AC, "欧元"},    {0xA3, "英镑"},
    {0xA5, "元"},         {0x3B1, "阿尔法"},    {0x3B2, "贝塔"},     {0x3B3, "伽马"},
    {0x3B4, "德尔塔"},    {0x394, "德尔塔"},    {0x3B5, "艾普西隆"}, {0x3B8, "西塔"},
    {0x3BB, "兰布达"},    {0x3BC, "缪"},        {0xB5, "微"},        {0x3C0, "派"},
    {0x3C3, "西格玛"},    {0x3A3, "西格玛"},    {0x3C6, "斐"},       {0x3C9, "欧米伽"},
    {0x3A9, "欧米伽"},
};

static int zh_symbol(fe_norm *n, uint32_t cp)
{
    for (size_t i = 0; i < sizeof zh_symbols / sizeof zh_symbols[0]; i++)
        if (zh_symbols[i].cp == cp) {
            fe_out_word(n->out, n->han_tag, zh_symbols[i].name, strlen(zh_symbols[i].name));
            return 1;
        }
    return 0;
}

static void zh_spell(fe_norm *n, const char *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        if (s[i] >= '0' && s[i] <= '9') {
            size_t j = i;
            while (j < len && s[j] >= '0' && s[j] <= '9')
                j++;
            zh_digits(n, s + i, j - i, 0);
            i = j;
        } else {
            fe_buf b = {0};
            while (i < len && !(s[i] >= '0' && s[i] <= '9')) {
                char c = s[i++];
                if (c >= 'a' && c <= 'z')
                    c = (char)(c - 'a' + 'A');
                if (c >= 'A' && c <= 'Z') {
                    char l[3] = {' ', c, 0};
                    fe_buf_str(&b, b.n ? l : l + 1);
                }
            }
            if (b.n && !b.oom)
                fe_out_word(n->out, n->latin_tag, b.p, b.n);
            fe_buf_free(&b);
        }
    }
}

static void zh_minus(fe_norm *n, int temperature)
{
    fe_out_word(n->out, n->han_tag, temperature ? "零下" : "负",
                strlen(temperature ? "零下" : "负"));
}

const fe_lang_ops fe_zh_ops = {
    .number = zh_number,
    .ordinal = zh_ordinal,
    .digits = zh_digits,
    .year = zh_year,
    .date = zh_date,
    .time = zh_time,
    .money = zh_money,
    .percent = zh_percent,
    .fraction = zh_fraction,
    .unit = zh_unit,
    .decade = zh_decade,
    .number_sign = zh_number_sign,
    .word = zh_fixed,
    .symbol = zh_symbol,
    .spell = zh_spell,
    .minus = zh_minus,
};

/* Measure words, units and the number scales after which 2 reads 两.
 * Longer entries first so 个月 wins over 个. */
size_t fe_zh_measure(const char *s, size_t len)
{
    static const char *const words[] = {
        "个月", "公斤", "千克", "公里", "千米", "厘米", "毫米", "毫升", "小时", "分钟",
        "美元", "欧元", "英镑", "日元", "港元", "港币", "人民币", "平方米", "英寸", "英尺",
        "星期", "礼拜", "摄氏度", "公顷", "个", "元", "块", "本", "张", "件", "次", "天",
        "岁", "位", "条", "只", "台", "瓶", "箱", "斤", "克", "米", "升", "周", "种", "份",
        "名", "辆", "杯", "双", "套", "对", "部", "支", "盒", "包", "袋", "点", "倍", "层",
        "座", "家", "间", "页", "句", "口", "头", "匹", "顿", "碗", "把", "年", "秒", "分",
        "毛", "角", "成", "遍", "段", "片", "颗", "根", "款", "晚", "场", "轮", "趟", "万",
        "亿", "千", "百", "吨", "集", "章", "节", "道", "处", "项", "副", "束", "枚", "粒",
    };
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
        size_t l = strlen(words[i]);
        if (l <= len && memcmp(s, words[i], l) == 0)
            return l;
    }
    return 0;
}
