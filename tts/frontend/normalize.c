/* SPDX-License-Identifier: Apache-2.0 */
/* normalize.c: the language-independent half of text normalization. It
 * scans raw text, recognizes what each token is (an amount, a date, a time,
 * a phone or account number, a URL, a unit, an abbreviation, a symbol...)
 * and asks the sentence's verbalizer (normalize_en.c, normalize_zh.c) to
 * say it. Emoji and unknown symbols are dropped, never spelled out. */
#include <stdio.h>
#include <string.h>

#include "core/log.h"
#include "tts/frontend/fe_internal.h"

#define NORM_MAX_GROUPS 8
#define NORM_MAX_TOKEN 512 /* URLs and e-mail addresses longer than this are words */

/* ---- small helpers ------------------------------------------------------ */

static int norm_digit(const char *s, size_t len, size_t i)
{
    return i < len && s[i] >= '0' && s[i] <= '9';
}

static int norm_alpha_c(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

static int norm_alpha(const char *s, size_t len, size_t i) { return i < len && norm_alpha_c(s[i]); }

static int norm_alnum(const char *s, size_t len, size_t i)
{
    return norm_digit(s, len, i) || norm_alpha(s, len, i);
}

static char norm_lower(char c) { return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c; }

static size_t norm_digit_run(const char *s, size_t len, size_t i)
{
    size_t j = i;
    while (norm_digit(s, len, j))
        j++;
    return j - i;
}

static int norm_value(const char *s, size_t n)
{
    int v = 0;
    for (size_t i = 0; i < n && i < 9; i++)
        v = v * 10 + (s[i] - '0');
    return v;
}

static int norm_is_space_at(const char *s, size_t len, size_t i)
{
    return i < len && (s[i] == ' ' || s[i] == '\t');
}

/* Whether the Latin letter (any, accents included) at i starts. */
static int norm_latin_at(const char *s, size_t len, size_t i)
{
    size_t k;
    if (i >= len)
        return 0;
    return fe_class(fe_next(s, len, i, &k)) == FE_CC_LATIN;
}

static const fe_lang_ops *norm_ops(const fe_norm *n)
{
    return n->base == FE_NL_ZH ? &fe_zh_ops : &fe_en_ops;
}

/* Case-insensitive: does s[i..] start with the ASCII word w (and no letter follows)? */
static size_t norm_word_at(const char *s, size_t len, size_t i, const char *w)
{
    size_t l = strlen(w);
    if (i + l > len)
        return 0;
    for (size_t k = 0; k < l; k++)
        if (norm_lower(s[i + k]) != norm_lower(w[k]))
            return 0;
    if (norm_alpha(s, len, i + l))
        return 0;
    return l;
}

/* Only closing punctuation, spaces and droppable characters remain. */
static int norm_rest_blank(const char *s, size_t len, size_t i)
{
    while (i < len) {
        size_t k;
        uint32_t cp = fe_next(s, len, i, &k);
        fe_cc c = fe_class(cp);
        if (c != FE_CC_SPACE && c != FE_CC_NEWLINE && c != FE_CC_IGNORE && c != FE_CC_DROP &&
            !(c == FE_CC_PUNCT && (cp == '"' || cp == '\'' || cp == ')' || cp == ']' ||
                                   cp == 0x201D || cp == 0x300D || cp == 0x300F || cp == 0xFF09)))
            return 0;
        i += k;
    }
    return 1;
}

/* An abbreviation or a.m. swallowed the sentence's final period: put it back. */
static void norm_final_period(fe_norm *n, const char *s, size_t len, size_t j)
{
    if (n->sentence_final && j > 0 && s[j - 1] == '.' && norm_rest_blank(s, len, j))
        fe_out_punct(n->out, ".", FE_CUT_NONE);
}

void fe_norm_reset_context(fe_norm *n)
{
    memset(n->prev, 0, sizeof n->prev);
    n->han_tail[0] = 0;
    n->last_year = 0;
    n->prev_cap = 0;
}

static void norm_push_word(fe_norm *n, const char *w, size_t len)
{
    memmove(n->prev[1], n->prev[0], sizeof n->prev[0] * 2);
    size_t k = 0;
    for (; k < len && k < sizeof n->prev[0] - 1; k++)
        n->prev[0][k] = norm_lower(w[k]);
    n->prev[0][k] = 0;
    n->han_tail[0] = 0;
}

static int norm_in_list(const char *w, const char *const *list)
{
    for (; *list; list++)
        if (strcmp(w, *list) == 0)
            return 1;
    return 0;
}

static void norm_han_tail_add(fe_norm *n, const char *s, size_t len)
{
    size_t cur = strlen(n->han_tail);
    if (len >= sizeof n->han_tail) {
        s += len - (sizeof n->han_tail - 4);
        len = sizeof n->han_tail - 4;
        while (len > 0 && ((unsigned char)*s & 0xC0) == 0x80) {
            s++;
            len--;
        }
    }
    while (cur + len >= sizeof n->han_tail) {
        size_t k;
        fe_next(n->han_tail, cur, 0, &k);
        memmove(n->han_tail, n->han_tail + k, cur - k + 1);
        cur -= k;
    }
    memcpy(n->han_tail + cur, s, len);
    n->han_tail[cur + len] = 0;
}

static int norm_han_tail_ends(const fe_norm *n, const char *const *list)
{
    size_t tl = strlen(n->han_tail);
    for (; *list; list++) {
        size_t l = strlen(*list);
        for (int extra = 0; extra < 2; extra++) {
            /* "电话" or "电话是" / "电话为" */
            size_t need = l + (extra ? 3 : 0);
            if (tl < need)
                continue;
            const char *end = n->han_tail + tl - need;
            if (memcmp(end, *list, l) != 0)
                continue;
            if (!extra || memcmp(end + l, "是", 3) == 0 || memcmp(end + l, "为", 3) == 0)
                return 1;
        }
    }
    return 0;
}

/* ---- numbers ------------------------------------------------------------- */

/* Scans digits with optional thousands separators (1,299 and 1,234,567)
 * and a decimal part (3.5, .5). Returns the end; i when there is none or
 * when it is too long to be a number (then the caller reads digits). */
static size_t norm_scan_num(const char *s, size_t len, size_t i, fe_num *x, int *grouped)
{
    memset(x, 0, sizeof *x);
    *grouped = 0;
    size_t j = i, nd = 0;
    while (norm_digit(s, len, j)) {
        if (nd >= FE_NUM_DIGITS)
            return i;
        x->ip[nd++] = s[j++];
    }
    if (nd >= 1 && nd <= 3) {
        while (j + 3 < len && s[j] == ',' && norm_digit(s, len, j + 1) &&
               norm_digit(s, len, j + 2) && norm_digit(s, len, j + 3) &&
               !norm_digit(s, len, j + 4) && nd + 3 <= FE_NUM_DIGITS) {
            memcpy(x->ip + nd, s + j + 1, 3);
            nd += 3;
            j += 4;
            *grouped = 1;
        }
    }
    x->ip[nd] = 0;
    if (j < len && s[j] == '.' && norm_digit(s, len, j + 1)) {
        size_t fd = 0;
        j++;
        while (norm_digit(s, len, j)) {
            if (fd < FE_NUM_DIGITS)
                x->fp[fd++] = s[j];
            j++;
        }
        x->fp[fd] = 0;
        x->point = 1;
    }
    if (nd == 0 && !x->point)
        return i;
    return j;
}

static void norm_num_from(fe_num *x, const char *s, size_t n)
{
    memset(x, 0, sizeof *x);
    if (n > FE_NUM_DIGITS)
        n = FE_NUM_DIGITS;
    memcpy(x->ip, s, n);
}

/* Multiplies a number by 10^k (for 万 and 亿 in English). */
static void norm_num_shift(fe_num *x, int k)
{
    char all[2 * FE_NUM_DIGITS + 8];
    size_t il = strlen(x->ip), fl = strlen(x->fp);
    if (il + (size_t)k > FE_NUM_DIGITS)
        return;
    memcpy(all, x->ip, il);
    size_t t = il;
    for (int q = 0; q < k; q++)
        all[t++] = (size_t)q < fl ? x->fp[q] : '0';
    all[t] = 0;
    memcpy(x->ip, all, t + 1);
    if ((size_t)k < fl)
        memmove(x->fp, x->fp + k, fl - (size_t)k + 1);
    else
        x->fp[0] = 0;
    x->point = x->fp[0] != 0;
}

static int norm_currency_sym(uint32_t cp, fe_currency *cur)
{
    switch (cp) {
    case '$': *cur = FE_CUR_USD; return 1;
    case 0x20AC: *cur = FE_CUR_EUR; return 1;
    case 0xA3: *cur = FE_CUR_GBP; return 1;
    case 0xA5: *cur = FE_CUR_CNY; return 1;
    case 0x20A9: *cur = FE_CUR_KRW; return 1;
    case 0x20B9: *cur = FE_CUR_INR; return 1;
    default: return 0;
    }
}

static const struct {
    const char *code;
    fe_currency cur;
} norm_codes[] = {
    {"USD", FE_CUR_USD}, {"EUR", FE_CUR_EUR}, {"GBP", FE_CUR_GBP}, {"CNY", FE_CUR_CNY},
    {"RMB", FE_CUR_CNY}, {"JPY", FE_CUR_JPY}, {"HKD", FE_CUR_HKD}, {"KRW", FE_CUR_KRW},
    {"INR", FE_CUR_INR},
};

static size_t norm_currency_code(const char *s, size_t len, size_t i, fe_currency *cur)
{
    for (size_t k = 0; k < sizeof norm_codes / sizeof norm_codes[0]; k++) {
        size_t l = strlen(norm_codes[k].code);
        if (i + l <= len && memcmp(s + i, norm_codes[k].code, l) == 0 &&
            !norm_alpha(s, len, i + l)) {
            *cur = norm_codes[k].cur;
            return l;
        }
    }
    return 0;
}

/* Chinese currency words after an amount in an English sentence. */
static size_t norm_han_currency(const char *s, size_t len, size_t i, fe_currency *cur)
{
    static const struct {
        const char *w;
        fe_currency cur;
    } words[] = {{"人民币", FE_CUR_CNY}, {"美元", FE_CUR_USD}, {"欧元", FE_CUR_EUR},
                 {"英镑", FE_CUR_GBP},   {"日元", FE_CUR_JPY}, {"港元", FE_CUR_HKD},
                 {"港币", FE_CUR_HKD},   {"元", FE_CUR_CNY},   {"块", FE_CUR_CNY}};
    for (size_t k = 0; k < sizeof words / sizeof words[0]; k++) {
        size_t l = strlen(words[k].w);
        if (i + l <= len && memcmp(s + i, words[k].w, l) == 0) {
            *cur = words[k].cur;
            return l;
        }
    }
    return 0;
}

static const struct {
    const char *sp;
    fe_unit unit;
    int attached_only;
} norm_units[] = {
    {"km/h", FE_U_KMH, 0},   {"kmh", FE_U_KMH, 0},      {"kph", FE_U_KMH, 0},
    {"mph", FE_U_MPH, 0},    {"m/s", FE_U_MPS, 1},      {"kWh", FE_U_KWH, 0},
    {"mAh", FE_U_MAH, 0},    {"kcal", FE_U_KCAL, 0},    {"Kbps", FE_U_KBPS, 0},
    {"kbps", FE_U_KBPS, 0},  {"Mbps", FE_U_MBPS, 0},    {"Gbps", FE_U_GBPS, 0},
    {"kHz", FE_U_KHZ, 0},    {"KHz", FE_U_KHZ, 0},      {"MHz", FE_U_MHZ, 0},
    {"GHz", FE_U_GHZ, 0},    {"Hz", FE_U_HZ, 0},        {"km²", FE_U_SQKM, 0},
    {"m²", FE_U_SQM, 1},     {"m2", FE_U_SQM, 1},       {"sqm", FE_U_SQM, 0},
    {"sqft", FE_U_SQFT, 0},  {"㎡", FE_U_SQM, 0},       {"°C", FE_U_CELSIUS, 0},
    {"℃", FE_U_CELSIUS, 0},  {"°F", FE_U_FAHRENHEIT, 0}, {"℉", FE_U_FAHRENHEIT, 0},
    {"°", FE_U_DEGREE, 1},   {"mm", FE_U_MM, 0},        {"cm", FE_U_CM, 0},
    {"km", FE_U_KM, 0},      {"㎜", FE_U_MM, 0},        {"㎝", FE_U_CM, 0},
    {"㎞", FE_U_KM, 0},      {"mg", FE_U_MG, 0},        {"kgs", FE_U_KG, 0},
    {"kg", FE_U_KG, 0},      {"㎏", FE_U_KG, 0},        {"㎎", FE_U_MG, 0},
    {"lbs", FE_U_LB, 0},     {"lb", FE_U_LB, 0},        {"oz", FE_U_OZ, 0},
    {"ml", FE_U_ML, 0},      {"mL", FE_U_ML, 0},        {"㎖", FE_U_ML, 0},
    {"gal", FE_U_GAL, 0},    {"ms", FE_U_MS, 0},        {"secs", FE_U_S, 0},
    {"sec", FE_U_S, 0},      {"mins", FE_U_MIN, 0},     {"min", FE_U_MIN, 0},
    {"hrs", FE_U_H, 0},      {"hr", FE_U_H, 0},         {"KB", FE_U_KB, 0},
    {"kB", FE_U_KB, 0},      {"MB", FE_U_MB, 0},        {"GB", FE_U_GB, 0},
    {"TB", FE_U_TB, 0},      {"kW", FE_U_KW, 0},        {"px", FE_U_PX, 0},
    {"dB", FE_U_DB, 0},      {"fps", FE_U_FPS, 0},      {"cal", FE_U_CAL, 0},
    {"ft", FE_U_FT, 0},      {"yd", FE_U_YD, 0},        {"in", FE_U_IN, 1},
    {"mi", FE_U_MI, 1},      {"m", FE_U_M, 1},          {"g", FE_U_G, 1},
    {"l", FE_U_L, 1},        {"L", FE_U_L, 0},          {"s", FE_U_S, 1},
    {"h", FE_U_H, 1},        {"W", FE_U_W, 1},          {"V", FE_U_V, 1},
    {"t", FE_U_T, 1},        {"k", FE_U_THOUSAND, 1},   {"x", FE_U_TIMES, 1},
    {"X", FE_U_TIMES, 1},    {"×", FE_U_TIMES, 1},
};

/* A unit at s[i] (attached: right after the number). Returns its length. */
static size_t norm_unit_at(const char *s, size_t len, size_t i, int attached, fe_unit *unit)
{
    for (size_t k = 0; k < sizeof norm_units / sizeof norm_units[0]; k++) {
        size_t l = strlen(norm_units[k].sp);
        if (norm_units[k].attached_only && !attached)
            continue;
        if (i + l > len || memcmp(s + i, norm_units[k].sp, l) != 0)
            continue;
        if (norm_alpha(s, len, i + l))
            continue;
        if (norm_units[k].unit == FE_U_TIMES && norm_alnum(s, len, i + l))
            continue;
        *unit = norm_units[k].unit;
        return l;
    }
    return 0;
}

/* am/pm after a time: "pm", "PM", "p.m.", attached or after one space. */
static size_t norm_ampm(const char *s, size_t len, size_t i, int *ampm)
{
    size_t j = i;
    if (norm_is_space_at(s, len, j))
        j++;
    if (j >= len)
        return 0;
    char c = norm_lower(s[j]);
    if (c != 'a' && c != 'p')
        return 0;
    if (j + 1 < len && norm_lower(s[j + 1]) == 'm' && !norm_alpha(s, len, j + 2)) {
        *ampm = c == 'a' ? 1 : 2;
        return j + 2 - i;
    }
    if (j + 3 < len && s[j + 1] == '.' && norm_lower(s[j + 2]) == 'm' && s[j + 3] == '.') {
        *ampm = c == 'a' ? 1 : 2;
        return j + 4 - i;
    }
    return 0;
}

/* Reads digit groups one by one, a pause between groups. */
static void norm_say_groups(fe_norm *n, const char *s, const size_t *start, const size_t *glen,
                            int ng, int phone)
{
    const fe_lang_ops *ops = norm_ops(n);
    for (int g = 0; g < ng; g++) {
        if (g)
            fe_out_punct(n->out, ",", FE_CUT_NONE);
        ops->digits(n, s + start[g], glen[g], phone);
    }
}

/* Telephone and account numbers: +86 138 0013 8000, (555) 123-4567,
 * 555-123-4567, 010-12345678, 6222 0212 3456 7890, sort codes 12-34-56. */
static size_t norm_try_phone(fe_norm *n, const char *s, size_t len, size_t i)
{
    size_t j = i;
    int plus = 0, paren = 0;
    size_t gs[NORM_MAX_GROUPS], gl[NORM_MAX_GROUPS];
    char sep[NORM_MAX_GROUPS];
    int ng = 0;
    if (j < len && s[j] == '+') {
        if (!norm_digit(s, len, j + 1))
            return 0;
        plus = 1;
        j++;
    }
    if (j < len && s[j] == '(') {
        size_t r = norm_digit_run(s, len, j + 1);
        if (r < 2 || r > 4 || j + 1 + r >= len || s[j + 1 + r] != ')')
            return 0;
        gs[0] = j + 1;
        gl[0] = r;
        sep[0] = ' ';
        ng = 1;
        paren = 1;
        j += r + 2;
        if (norm_is_space_at(s, len, j) && norm_digit(s, len, j + 1))
            j++;
        else if (!norm_digit(s, len, j))
            return 0;
    }
    while (ng < NORM_MAX_GROUPS && norm_digit(s, len, j)) {
        size_t r = norm_digit_run(s, len, j);
        gs[ng] = j;
        gl[ng] = r;
        sep[ng] = 0;
        ng++;
        j += r;
        if (j + 1 < len && (s[j] == '-' || s[j] == ' ' || s[j] == '.') &&
            norm_digit(s, len, j + 1)) {
            sep[ng - 1] = s[j];
            j++;
            continue;
        }
        break;
    }
    if (ng == 0)
        return 0;
    int use = ng;
    size_t total = 0;
    if (plus || paren) {
        for (int g = 0; g < use; g++)
            total += gl[g];
        if (total < 7 || (paren && use < 2))
            return 0;
    } else {
        /* the longest prefix with one kind of separator */
        char kind = sep[0];
        use = 1;
        while (use < ng && sep[use - 1] == kind)
            use++;
        if (use < 2)
            return 0;
        for (int g = 0; g < use; g++)
            total += gl[g];
        int ok = 0;
        if (kind == '-') {
            if (use == 3 && gl[0] == 2 && gl[1] == 2 && gl[2] == 2) {
                ok = 1; /* a sort code, 12-34-56: never a range */
            } else if (use >= 3) {
                ok = total >= 7;
                for (int g = 1; g < use; g++)
                    ok &= gl[g] >= 2;
            } else {
                ok = (gl[0] == 3 && gl[1] == 4) ||
                     (s[gs[0]] == '0' && gl[0] >= 3 && gl[0] <= 4 && gl[1] >= 7 && gl[1] <= 8);
            }
        } else if (kind == ' ') {
            ok = use >= 3 && total >= 10;
            for (int g = 0; g < use; g++)
                ok &= gl[g] >= 3 && gl[g] <= 4;
        } else if (kind == '.') {
            ok = use == 3 && gl[0] == 3 && gl[1] == 3 && gl[2] == 4;
        }
        if (!ok)
            return 0;
    }
    if (plus)
        norm_ops(n)->word(n, FE_W_PLUS);
    norm_say_groups(n, s, gs, gl, use, 1);
    return gs[use - 1] + gl[use - 1];
}

static int norm_valid_md(int m, int d) { return m >= 1 && m <= 12 && d >= 1 && d <= 31; }

/* 2026-11-29, 2026/11/29, 2026.11.29, 11/29/2026, 29.11.2026, 11/29. */
static size_t norm_try_date(fe_norm *n, const char *s, size_t len, size_t i)
{
    const fe_lang_ops *ops = norm_ops(n);
    size_t r1 = norm_digit_run(s, len, i);
    size_t j = i + r1;
    if (j + 1 >= len || (s[j] != '-' && s[j] != '/' && s[j] != '.'))
        return 0;
    char sp = s[j];
    size_t r2 = norm_digit_run(s, len, j + 1);
    if (r2 < 1 || r2 > 2)
        return 0;
    size_t k = j + 1 + r2;
    int has3 = k + 1 < len && s[k] == sp && norm_digit(s, len, k + 1);
    size_t r3 = has3 ? norm_digit_run(s, len, k + 1) : 0;
    size_t end = has3 ? k + 1 + r3 : k;
    if (end < len && (s[end] == sp) && norm_digit(s, len, end + 1))
        return 0; /* 1.2.3.4: not a date */
    if (r1 == 4 && has3 && r3 >= 1 && r3 <= 2) {
        int m = norm_value(s + j + 1, r2), d = norm_value(s + k + 1, r3);
        if (!norm_valid_md(m, d))
            return 0;
        ops->date(n, s + i, 4, m, d, 0);
        return end;
    }
    if (r1 < 1 || r1 > 2)
        return 0;
    int a = norm_value(s + i, r1), b = norm_value(s + j + 1, r2);
    if (has3 && (r3 == 4 || (r3 == 2 && sp == '/'))) {
        int m = a, d = b;
        if (sp == '.' ? b <= 12 : a > 12) {
            m = b;
            d = a;
        }
        if (!norm_valid_md(m, d))
            return 0;
        ops->date(n, s + k + 1, r3, m, d, 0);
        return end;
    }
    if (has3 || sp != '/')
        return 0;
    if (!norm_valid_md(a, b) || (b <= 10 && a < b))
        return 0; /* 3/4 is a fraction */
    fe_unit u;
    size_t after = end;
    if (norm_is_space_at(s, len, after))
        after++;
    if (norm_unit_at(s, len, after, after == end, &u))
        return 0;
    ops->date(n, NULL, 0, a, b, 0);
    return end;
}

/* 9:05, 14:30, 14:30:15, 3:30 pm. */
static size_t norm_try_time(fe_norm *n, const char *s, size_t len, size_t i)
{
    size_t rh = norm_digit_run(s, len, i);
    size_t j = i + rh;
    if (rh < 1 || rh > 2 || j >= len || s[j] != ':' || norm_digit_run(s, len, j + 1) != 2)
        return 0;
    int h = norm_value(s + i, rh), m = norm_value(s + j + 1, 2), sec = -1;
    if (h > 24 || m > 59)
        return 0;
    size_t e = j + 3;
    if (e + 2 < len && s[e] == ':' && norm_digit_run(s, len, e + 1) == 2) {
        sec = norm_value(s + e + 1, 2);
        if (sec > 59)
            return 0;
        e += 3;
    }
    if (e < len && (s[e] == ':' || norm_digit(s, len, e)))
        return 0;
    int ampm = 0;
    size_t al = h <= 12 ? norm_ampm(s, len, e, &ampm) : 0;
    norm_ops(n)->time(n, h, m, sec, ampm);
    if (al) {
        e += al;
        norm_final_period(n, s, len, e);
    }
    return e;
}

/* 3:2, 16:9, 1:100. */
static size_t norm_try_ratio(fe_norm *n, const char *s, size_t len, size_t i)
{
    size_t ra = norm_digit_run(s, len, i);
    size_t j = i + ra;
    if (ra < 1 || ra > 4 || j >= len || s[j] != ':')
        return 0;
    size_t rb = norm_digit_run(s, len, j + 1);
    if (rb < 1 || rb > 4 || norm_alnum(s, len, j + 1 + rb) ||
        (j + 1 + rb < len && s[j + 1 + rb] == ':'))
        return 0;
    const fe_lang_ops *ops = norm_ops(n);
    fe_num a, b;
    norm_num_from(&a, s + i, ra);
    norm_num_from(&b, s + j + 1, rb);
    ops->number(n, &a, 0);
    ops->word(n, FE_W_RATIO);
    ops->number(n, &b, 0);
    return j + 1 + rb;
}

/* 192.168.1.1 (digits) and 1.2.3 (a version). */
static size_t norm_try_dotted(fe_norm *n, const char *s, size_t len, size_t i)
{
    size_t ps[NORM_MAX_GROUPS], pl[NORM_MAX_GROUPS];
    int np = 0;
    size_t j = i;
    while (np < NORM_MAX_GROUPS) {
        size_t r = norm_digit_run(s, len, j);
        if (r == 0 || r > 6)
            return 0;
        ps[np] = j;
        pl[np] = r;
        np++;
        j += r;
        if (j + 1 < len && s[j] == '.' && norm_digit(s, len, j + 1)) {
            j++;
            continue;
        }
        break;
    }
    if (np < 3 || norm_alpha(s, len, j))
        return 0;
    const fe_lang_ops *ops = norm_ops(n);
    int ip = np == 4;
    for (int k = 0; k < np && ip; k++)
        ip = pl[k] <= 3 && norm_value(s + ps[k], pl[k]) <= 255;
    for (int k = 0; k < np; k++) {
        if (k)
            ops->word(n, ip ? FE_W_DOT : FE_W_POINT);
        if (ip) {
            ops->digits(n, s + ps[k], pl[k], 0);
        } else {
            fe_num x;
            norm_num_from(&x, s + ps[k], pl[k]);
            ops->number(n, &x, 0);
        }
    }
    return j;
}

/* 3/4, 24/7. */
static size_t norm_try_fraction(fe_norm *n, const char *s, size_t len, size_t i,
                                const fe_num *whole)
{
    size_t ra = norm_digit_run(s, len, i);
    size_t j = i + ra;
    if (ra < 1 || ra > 4 || j >= len || s[j] != '/')
        return 0;
    size_t rb = norm_digit_run(s, len, j + 1);
    size_t e = j + 1 + rb;
    if (rb < 1 || rb > 4 || (e < len && (s[e] == '/' || s[e] == '.' || s[e] == ',') &&
                             norm_digit(s, len, e + 1)))
        return 0;
    fe_num a, b;
    norm_num_from(&a, s + i, ra);
    norm_num_from(&b, s + j + 1, rb);
    int av = norm_value(s + i, ra), bv = norm_value(s + j + 1, rb);
    if (bv == 0)
        return 0;
    const fe_lang_ops *ops = norm_ops(n);
    if (whole && av >= bv)
        return 0;
    if (!whole && av == 24 && bv == 7 && n->base == FE_NL_EN) {
        ops->number(n, &a, 0); /* 24/7 */
        ops->number(n, &b, 0);
        return e;
    }
    ops->fraction(n, whole, &a, &b);
    return e;
}

/* The digits at i can start a range's second half: "-10", "~ 10". Returns
 * where it starts (after the connector) or 0. */
static size_t norm_range_start(const char *s, size_t len, size_t j, int *minus)
{
    *minus = 0;
    fe_currency cur;
    size_t k;
    if (j < len && s[j] == '-' && j + 1 < len) {
        uint32_t cp = fe_next(s, len, j + 1, &k);
        if (norm_digit(s, len, j + 1) || norm_currency_sym(cp, &cur))
            return j + 1;
        return 0;
    }
    size_t a = j;
    while (norm_is_space_at(s, len, a))
        a++;
    if (a >= len)
        return 0;
    uint32_t cp = fe_next(s, len, a, &k);
    if (cp == '~' || cp == 0x2013 || (cp == '-' && a > j)) {
        size_t b = a + k;
        int spaced = b < len && (s[b] == ' ' || s[b] == '\t');
        while (norm_is_space_at(s, len, b))
            b++;
        if (!norm_digit(s, len, b) && !(b < len && norm_currency_sym(fe_next(s, len, b, &k), &cur)))
            return 0;
        if (cp == '-') {
            if (!spaced || a == j)
                return 0;
            *minus = 1; /* 5 - 3: arithmetic */
        }
        return b;
    }
    return 0;
}

/* After a number: a range or a subtraction may follow. */
static size_t norm_range(fe_norm *n, const char *s, size_t len, size_t j)
{
    int minus;
    size_t b = norm_range_start(s, len, j, &minus);
    if (!b)
        return j;
    norm_ops(n)->word(n, minus ? FE_W_MINUS : FE_W_TO);
    return b;
}

static const char *const norm_digit_words_en[] = {
    "phone", "telephone", "tel", "call", "dial", "fax", "mobile", "cell", "account", "acct",
    "card", "pin", "code", "otp", "extension", "ext", "zip", "reference", "ref", "tracking",
    "serial", "passcode", "password", "verification", "confirmation", "order", "ending", "id",
    "hotline", "ssn", "iban", NULL};
static const char *const norm_digit_words_zh[] = {
    "电话", "号码", "卡号", "账号", "帐号", "尾号", "编号", "验证码", "热线", "拨打", "手机",
    "密码", "工号", "单号", "致电", "传真", "邮编", "分机", "账户", "帐户", "学号", "订单号",
    "快递单号", "手机号", NULL};
static const char *const norm_year_words[] = {
    "copyright", "in", "since", "by", "from", "until", "till", "year", "circa", "before", "after", "during",
    "around", "early", "late", "mid", "of", "between", "spring", "summer", "autumn", "fall",
    "winter", "class", NULL};
static const char *const norm_decade_words[] = {"the", "early", "late", "mid", "her", "his",
                                                "their", "my", "your", "our", NULL};

static int norm_digit_context(const fe_norm *n)
{
    if (n->base == FE_NL_ZH && norm_han_tail_ends(n, norm_digit_words_zh))
        return 1;
    for (int k = 0; k < 3; k++)
        if (n->prev[k][0] && norm_in_list(n->prev[k], norm_digit_words_en))
            return 1;
    return 0;
}

static void norm_after_number(fe_norm *n, int year)
{
    norm_push_word(n, "#", 1);
    n->last_year = year;
    n->prev_cap = 0;
}

/* A day number then a month name: "29 November 2026". */
static size_t norm_try_day_month(fe_norm *n, const char *s, size_t len, size_t i, size_t e,
                                 int day)
{
    if (n->base != FE_NL_EN || day < 1 || day > 31 || !norm_is_space_at(s, len, e))
        return 0;
    size_t a = e + 1, b = a;
    while (norm_alpha(s, len, b))
        b++;
    int m = b > a && s[a] >= 'A' && s[a] <= 'Z' ? fe_en_month(s + a, b - a) : 0;
    if (!m)
        return 0;
    if (b < len && s[b] == '.')
        b++;
    size_t y = b;
    if (y < len && s[y] == ',')
        y++;
    size_t yr = 0;
    if (norm_is_space_at(s, len, y)) {
        yr = norm_digit_run(s, len, y + 1);
        if (yr != 4 || norm_alnum(s, len, y + 1 + yr))
            yr = 0;
    }
    (void)i;
    norm_ops(n)->date(n, yr ? s + y + 1 : NULL, yr, m, day, 0);
    return yr ? y + 1 + yr : b;
}

/* A number that starts at i (a digit, or '.' before a digit). neg: a minus
 * sign came before; cur >= 0: a currency sign came before. */
static size_t norm_number(fe_norm *n, const char *s, size_t len, size_t i, int neg, int cur)
{
    const fe_lang_ops *ops = norm_ops(n);
    size_t e;
    if (cur < 0 && !neg && norm_digit(s, len, i)) {
        if ((e = norm_try_date(n, s, len, i)) || (e = norm_try_phone(n, s, len, i)) ||
            (e = norm_try_time(n, s, len, i)) || (e = norm_try_ratio(n, s, len, i)) ||
            (e = norm_try_dotted(n, s, len, i)) || (e = norm_try_fraction(n, s, len, i, NULL))) {
            norm_after_number(n, 0);
            return norm_range(n, s, len, e);
        }
        size_t ra = norm_digit_run(s, len, i);
        size_t x1 = i + ra;
        uint32_t xc = 0;
        size_t xk = 0;
        if (x1 < len)
            xc = fe_next(s, len, x1, &xk);
        if (ra <= 5 && (xc == 'x' || xc == 'X' || xc == 0xD7 || xc == '*') &&
            norm_digit(s, len, x1 + xk) && norm_digit_run(s, len, x1 + xk) <= 5) {
            fe_num a; /* 1920x1080: the second number reads itself */
            norm_num_from(&a, s + i, ra);
            ops->number(n, &a, 0);
            ops->word(n, FE_W_BY);
            norm_after_number(n, 0);
            return x1 + xk;
        }
    }
    size_t run = norm_digit_run(s, len, i);
    if (run > 18) {
        ops->digits(n, s + i, run, 0);
        norm_after_number(n, 0);
        return i + run;
    }
    fe_num x;
    int grouped;
    e = norm_scan_num(s, len, i, &x, &grouped);
    if (e == i) {
        ops->digits(n, s + i, run, 0);
        norm_after_number(n, 0);
        return i + (run ? run : 1);
    }
    x.neg = neg;
    size_t il = strlen(x.ip);
    int integer = !x.point;

    if (cur >= 0) {
        /* an amount after a currency sign: $19.99, ¥1,299.00, $5M, ¥5万 */
        fe_scale scale = FE_SCALE_NONE;
        size_t j = e;
        if (j < len && !norm_alpha(s, len, j + 1) && (s[j] == 'k' || s[j] == 'K')) {
            scale = FE_SCALE_THOUSAND;
            j++;
        } else if (j < len && (s[j] == 'm' || s[j] == 'M') &&
                   (!norm_alpha(s, len, j + 1) ||
                    (j + 1 < len && (s[j + 1] == 'n' || s[j + 1] == 'M') &&
                     !norm_alpha(s, len, j + 2)))) {
            scale = FE_SCALE_MILLION;
            j += norm_alpha(s, len, j + 1) ? 2 : 1;
        } else if (j < len && (s[j] == 'b' || s[j] == 'B') &&
                   (!norm_alpha(s, len, j + 1) ||
                    (j + 1 < len && s[j + 1] == 'n' && !norm_alpha(s, len, j + 2)))) {
            scale = FE_SCALE_BILLION;
            j += norm_alpha(s, len, j + 1) ? 2 : 1;
        } else if (j + 3 <= len && memcmp(s + j, "万", 3) == 0) {
            scale = FE_SCALE_WAN;
            j += 3;
        } else if (j + 3 <= len && memcmp(s + j, "亿", 3) == 0) {
            scale = FE_SCALE_YI;
            j += 3;
        } else if (norm_is_space_at(s, len, j)) {
            static const struct {
                const char *w;
                fe_scale sc;
            } sw[] = {{"thousand", FE_SCALE_THOUSAND},
                      {"million", FE_SCALE_MILLION},
                      {"billion", FE_SCALE_BILLION},
                      {"trillion", FE_SCALE_TRILLION}};
            for (size_t q = 0; q < 4; q++) {
                size_t l = norm_word_at(s, len, j + 1, sw[q].w);
                if (l) {
                    scale = sw[q].sc;
                    j += 1 + l;
                    break;
                }
            }
        }
        if (n->base != FE_NL_ZH && (scale == FE_SCALE_WAN || scale == FE_SCALE_YI)) {
            norm_num_shift(&x, scale == FE_SCALE_WAN ? 4 : 8);
            scale = FE_SCALE_NONE;
        }
        ops->money(n, (fe_currency)cur, &x, scale);
        norm_after_number(n, 0);
        return norm_range(n, s, len, j);
    }

    size_t j = e;
    uint32_t nc = 0;
    size_t nk = 0;
    if (j < len)
        nc = fe_next(s, len, j, &nk);
    /* percent, per mille */
    if (nc == '%' || nc == 0x2030) {
        ops->percent(n, &x, nc == 0x2030);
        norm_after_number(n, 0);
        return norm_range(n, s, len, j + nk);
    }
    /* 1st 2nd 3rd 4th */
    if (integer && j + 1 < len && !norm_alpha(s, len, j + 2)) {
        char a = norm_lower(s[j]), b = norm_lower(s[j + 1]);
        if ((a == 's' && b == 't') || (a == 'n' && b == 'd') || (a == 'r' && b == 'd') ||
            (a == 't' && b == 'h')) {
            ops->ordinal(n, &x);
            norm_after_number(n, 0);
            return norm_range(n, s, len, j + 2);
        }
    }
    /* decades: 1990s, '90s */
    if (integer && !grouped && j < len && s[j] == 's' && !norm_alpha(s, len, j + 1) &&
        x.ip[il - 1] == '0' &&
        (il == 4 ||
         (il == 2 && x.ip[0] >= '2' &&
          ((i > 0 && s[i - 1] == '\'') || norm_in_list(n->prev[0], norm_decade_words))))) {
        ops->decade(n, &x);
        norm_after_number(n, 0);
        return j + 1;
    }
    /* 3pm, 10 a.m. */
    int ampm = 0;
    size_t al;
    if (integer && il <= 2 && (al = norm_ampm(s, len, j, &ampm))) {
        int h = norm_value(x.ip, il);
        if (h >= 1 && h <= 12) {
            ops->time(n, h, 0, -1, ampm);
            norm_final_period(n, s, len, j + al);
            norm_after_number(n, 0);
            return norm_range(n, s, len, j + al);
        }
    }
    /* units: 500ml, 2 kg, 25°C */
    fe_unit unit;
    size_t ul = norm_unit_at(s, len, j, 1, &unit);
    size_t us = j;
    if (!ul && norm_is_space_at(s, len, j)) {
        ul = norm_unit_at(s, len, j + 1, 0, &unit);
        us = j + 1;
    }
    if (ul) {
        if (unit == FE_U_S && il == 4 && integer && x.ip[3] == '0')
            ul = 0; /* never "1990 seconds" for 1990s: handled above */
    }
    if (ul) {
        ops->unit(n, &x, unit);
        norm_after_number(n, 0);
        return norm_range(n, s, len, us + ul);
    }
    /* an amount with the currency after it: 5€, 100 USD, 5999元 in English */
    {
        fe_currency c2;
        size_t a = j;
        if (norm_is_space_at(s, len, a))
            a++;
        size_t k2;
        uint32_t cp2 = a < len ? fe_next(s, len, a, &k2) : 0;
        size_t cl = 0;
        if (cp2 && norm_currency_sym(cp2, &c2))
            cl = k2;
        else
            cl = norm_currency_code(s, len, a, &c2);
        if (!cl && n->base == FE_NL_EN && a == j)
            cl = norm_han_currency(s, len, a, &c2);
        if (cl) {
            ops->money(n, c2, &x, FE_SCALE_NONE);
            norm_after_number(n, 0);
            return norm_range(n, s, len, a + cl);
        }
    }
    /* a mixed fraction: 1 1/2, 1½ */
    if (integer && il <= 3) {
        if (norm_is_space_at(s, len, j) && norm_digit(s, len, j + 1)) {
            size_t fe2 = norm_try_fraction(n, s, len, j + 1, &x);
            if (fe2) {
                norm_after_number(n, 0);
                return fe2;
            }
        }
        static const struct {
            uint32_t cp;
            const char *num, *den;
        } vulgar[] = {{0xBD, "1", "2"},   {0xBC, "1", "4"},   {0xBE, "3", "4"},
                      {0x2153, "1", "3"}, {0x2154, "2", "3"}, {0x215B, "1", "8"},
                      {0x215C, "3", "8"}, {0x215D, "5", "8"}, {0x215E, "7", "8"}};
        for (size_t q = 0; q < sizeof vulgar / sizeof vulgar[0]; q++)
            if (nc == vulgar[q].cp) {
                fe_num a, b;
                norm_num_from(&a, vulgar[q].num, 1);
                norm_num_from(&b, vulgar[q].den, 1);
                ops->fraction(n, &x, &a, &b);
                norm_after_number(n, 0);
                return j + nk;
            }
    }
    /* 29 November 2026 */
    if (integer && il <= 2) {
        size_t dm = norm_try_day_month(n, s, len, i, j, norm_value(x.ip, il));
        if (dm) {
            norm_after_number(n, 0);
            return dm;
        }
    }
    if (integer && !grouped && !neg) {
        /* telephone, account and code numbers: digit by digit */
        int digits = (il >= 3 && norm_digit_context(n)) || il >= 13 || (il >= 2 && x.ip[0] == '0');
        if (n->base == FE_NL_ZH && il == 11 && x.ip[0] == '1' && x.ip[1] >= '3') {
            size_t gs[3] = {i, i + 3, i + 7}, gl[3] = {3, 4, 4};
            norm_say_groups(n, s, gs, gl, 3, 1); /* 138 0013 8000 */
            norm_after_number(n, 0);
            return j;
        }
        if (digits) {
            ops->digits(n, x.ip, il, 1);
            norm_after_number(n, 0);
            return norm_range(n, s, len, j);
        }
        /* years: "in 1999", 2026年 */
        int v = il == 4 ? norm_value(x.ip, 4) : 0;
        int year = 0;
        if (n->base == FE_NL_ZH && il == 4 && j + 3 <= len && memcmp(s + j, "年", 3) == 0)
            year = 1;
        if (n->base == FE_NL_EN && v >= 1000 && v <= 2099 && x.ip[0] != '0' &&
            (norm_in_list(n->prev[0], norm_year_words) ||
             (n->last_year && (strcmp(n->prev[1], "#") == 0 || strcmp(n->prev[0], "#") == 0) &&
              (strcmp(n->prev[0], "to") == 0 || strcmp(n->prev[0], "and") == 0 ||
               strcmp(n->prev[0], "through") == 0 || strcmp(n->prev[0], "or") == 0))))
            year = 1;
        if (n->base == FE_NL_EN && v >= 1000 && v <= 2099 && n->last_year && i > 0 &&
            (s[i - 1] == '-' || s[i - 1] == '~'))
            year = 1; /* 2020-2025 */
        if (year) {
            ops->year(n, x.ip, il);
            norm_after_number(n, 1);
            int was = 1;
            size_t r = norm_range(n, s, len, j);
            n->last_year = was;
            return r;
        }
        if (n->base == FE_NL_EN && v >= 1000 && v <= 2099 && x.ip[0] != '0') {
            int minus;
            size_t b = norm_range_start(s, len, j, &minus);
            if (b && !minus && norm_digit_run(s, len, b) == 4) {
                ops->year(n, x.ip, il); /* 2020-2025: both are years */
                norm_after_number(n, 1);
                ops->word(n, FE_W_TO);
                return b;
            }
        }
    }
    /* plain numbers; in Chinese 2 before a measure word is 两 */
    int measure = 0;
    if (n->base == FE_NL_ZH) {
        size_t a = j;
        while (norm_is_space_at(s, len, a))
            a++;
        size_t tl = strlen(n->han_tail);
        int after_di = tl >= 3 && memcmp(n->han_tail + tl - 3, "第", 3) == 0;
        measure = !after_di && fe_zh_measure(s + a, len - a) > 0;
        int minus;
        size_t b = norm_range_start(s, len, j, &minus);
        if (b && !minus) {
            /* 5-10%: both ends are percentages in Chinese */
            fe_num y;
            int g2;
            size_t e2 = norm_scan_num(s, len, b, &y, &g2);
            if (e2 > b && e2 < len && s[e2] == '%') {
                ops->percent(n, &x, 0);
                norm_after_number(n, 0);
                return norm_range(n, s, len, j);
            }
            if (e2 > b) {
                size_t a2 = e2;
                while (norm_is_space_at(s, len, a2))
                    a2++;
                if (fe_zh_measure(s + a2, len - a2))
                    measure = 1; /* 2-3个: 两到三个 */
            }
        }
    }
    ops->number(n, &x, measure);
    norm_after_number(n, 0);
    return norm_range(n, s, len, j);
}

/* ---- URLs and e-mail addresses ---------------------------------------------- */

static int norm_url_char(char c)
{
    return norm_alpha_c(c) || (c >= '0' && c <= '9') || (c && strchr("-._~:/?#@!$&*+,;=%", c));
}

static int norm_known_tld(const char *t, size_t n)
{
    static const char *const tlds[] = {
        "com", "net", "org", "edu", "gov", "mil", "int", "io",   "ai",   "co",    "cn",
        "uk",  "de",  "jp",  "fr",  "ru",  "us",  "ca",  "au",   "in",   "br",    "it",
        "es",  "nl",  "se",  "ch",  "hk",  "tw",  "sg",  "kr",   "info", "biz",   "me",
        "tv",  "app", "dev", "shop", "top", "xyz", "online", "site", "store", "tech",
        "cloud", "vip", "club", NULL};
    char low[8];
    if (n == 0 || n >= sizeof low)
        return 0;
    for (size_t k = 0; k < n; k++)
        low[k] = norm_lower(t[k]);
    low[n] = 0;
    return norm_in_list(low, tlds);
}

static int norm_word_tld(const char *t, size_t n)
{
    static const char *const words[] = {"com", "net", "org", "edu", "gov", "info", "shop",
                                        "app", "online", "site", "store", "tech", "cloud",
                                        "club", NULL};
    char low[8];
    if (n == 0 || n >= sizeof low)
        return 0;
    for (size_t k = 0; k < n; k++)
        low[k] = norm_lower(t[k]);
    low[n] = 0;
    return norm_in_list(low, words);
}

/* Kind of token at [a, b): 1 e-mail, 2 URL, 0 neither. */
static int norm_url_kind(const char *s, size_t a, size_t b, size_t *host_start)
{
    size_t n = b - a;
    const char *t = s + a;
    *host_start = a;
    const char *at = memchr(t, '@', n);
    if (at && at > t) {
        const char *d = at + 1;
        size_t dl = (size_t)(t + n - d);
        const char *dot = NULL;
        for (size_t k = 0; k < dl; k++) {
            if (d[k] == '.')
                dot = d + k;
            else if (!norm_alpha_c(d[k]) && !(d[k] >= '0' && d[k] <= '9') && d[k] != '-')
                return 0;
        }
        if (!dot || dot == d || (size_t)(t + n - dot - 1) < 2)
            return 0;
        for (const char *p = dot + 1; p < t + n; p++)
            if (!norm_alpha_c(*p))
                return 0;
        for (const char *p = t; p < at; p++)
            if (!norm_alpha_c(*p) && !(*p >= '0' && *p <= '9') && !strchr("._%+-", *p))
                return 0;
        return 1;
    }
    size_t h = 0;
    for (size_t k = 0; k + 2 < n; k++) {
        if (!norm_alpha_c(t[k]))
            break;
        if (t[k + 1] == ':' && t[k + 2] == '/' && k + 3 < n && t[k + 3] == '/') {
            *host_start = a + k + 4;
            return 2;
        }
    }
    if (n > 4 && norm_lower(t[0]) == 'w' && norm_lower(t[1]) == 'w' && norm_lower(t[2]) == 'w' &&
        t[3] == '.')
        return 2;
    /* host.tld or host.tld/path */
    size_t host_end = n;
    for (size_t k = 0; k < n; k++)
        if (t[k] == '/' || t[k] == '?' || t[k] == '#') {
            host_end = k;
            break;
        }
    size_t last_dot = 0;
    int dots = 0, letters = 0;
    for (h = 0; h < host_end; h++) {
        char c = t[h];
        if (c == '.') {
            if (h == 0 || t[h - 1] == '.')
                return 0;
            last_dot = h;
            dots++;
        } else if (norm_alpha_c(c)) {
            letters++;
        } else if (!(c >= '0' && c <= '9') && c != '-') {
            return 0;
        }
    }
    if (!dots || !letters || last_dot + 1 >= host_end)
        return 0;
    return norm_known_tld(t + last_dot + 1, host_end - last_dot - 1) ? 2 : 0;
}

static int norm_has_vowel(const char *w, size_t n)
{
    for (size_t k = 0; k < n; k++)
        if (strchr("aeiouyAEIOUY", w[k]))
            return 1;
    return 0;
}

static void norm_read_url(fe_norm *n, const char *s, size_t a, size_t b, int email)
{
    const fe_lang_ops *ops = norm_ops(n);
    size_t host_end = b;
    const char *at = email ? memchr(s + a, '@', b - a) : NULL;
    if (!email)
        for (size_t k = a; k < b; k++)
            if (s[k] == '/' || s[k] == '?' || s[k] == '#') {
                host_end = k;
                break;
            }
    size_t tld_start = 0;
    for (size_t k = email ? (size_t)(at - s) : a; k < (email ? b : host_end); k++)
        if (s[k] == '.')
            tld_start = k + 1;
    size_t i = a;
    while (i < b) {
        char c = s[i];
        if (norm_alpha_c(c)) {
            size_t j = i;
            while (j < b && norm_alpha_c(s[j]))
                j++;
            size_t l = j - i;
            int is_www = l == 3 && norm_lower(s[i]) == 'w' && norm_lower(s[i + 1]) == 'w' &&
                         norm_lower(s[i + 2]) == 'w';
            if (i == tld_start && j == (email ? b : host_end) && !norm_word_tld(s + i, l))
                ops->spell(n, s + i, l);
            else if (is_www || l == 1 || !norm_has_vowel(s + i, l))
                ops->spell(n, s + i, l);
            else {
                char low[NORM_MAX_TOKEN];
                for (size_t k = 0; k < l && k < sizeof low; k++)
                    low[k] = norm_lower(s[i + k]);
                fe_out_word(n->out, n->latin_tag, low, l < sizeof low ? l : sizeof low);
            }
            i = j;
        } else if (c >= '0' && c <= '9') {
            size_t j = i;
            while (j < b && s[j] >= '0' && s[j] <= '9')
                j++;
            ops->digits(n, s + i, j - i, 0);
            i = j;
        } else {
            static const struct {
                char c;
                fe_word w;
            } seps[] = {{'.', FE_W_DOT},   {'/', FE_W_SLASH},      {'-', FE_W_DASH},
                        {'_', FE_W_UNDERSCORE}, {':', FE_W_COLON}, {'?', FE_W_QUESTION},
                        {'=', FE_W_EQUALS}, {'&', FE_W_AND},       {'#', FE_W_HASH},
                        {'@', FE_W_AT},    {'+', FE_W_PLUS},       {'~', FE_W_TILDE},
                        {'%', FE_W_PERCENT}};
            int trailing_slash = c == '/' && i + 1 == b;
            for (size_t k = 0; k < sizeof seps / sizeof seps[0] && !trailing_slash; k++)
                if (seps[k].c == c) {
                    ops->word(n, seps[k].w);
                    break;
                }
            i++;
        }
    }
}

static size_t norm_try_url(fe_norm *n, const char *s, size_t len, size_t i)
{
    if (i > 0 && norm_url_char(s[i - 1]) && s[i - 1] != ',' && s[i - 1] != ';')
        return 0; /* not at a token start */
    size_t e = i;
    while (e < len && e - i < NORM_MAX_TOKEN && norm_url_char(s[e]))
        e++;
    if (e - i >= NORM_MAX_TOKEN)
        return 0;
    while (e > i && strchr(".,;:!?'", s[e - 1]))
        e--;
    if (e - i < 4)
        return 0;
    size_t host;
    int kind = norm_url_kind(s, i, e, &host);
    if (!kind)
        return 0;
    norm_read_url(n, s, kind == 2 ? host : i, e, kind == 1);
    norm_after_number(n, 0);
    return e;
}

/* ---- words ---------------------------------------------------------------- */

static int norm_next_word_cap(const char *s, size_t len, size_t j)
{
    while (norm_is_space_at(s, len, j))
        j++;
    return j < len && s[j] >= 'A' && s[j] <= 'Z';
}

static int norm_next_is_number(const char *s, size_t len, size_t j)
{
    while (norm_is_space_at(s, len, j))
        j++;
    return norm_digit(s, len, j) || (j < len && s[j] == '#' && norm_digit(s, len, j + 1));
}

static void norm_say_word(fe_norm *n, const char *w, size_t len)
{
    fe_out_word(n->out, n->latin_tag, w, len);
}

/* Month name then a day: "November 29, 2026", "Nov. 29th". */
static size_t norm_try_month_date(fe_norm *n, const char *s, size_t len, size_t i, size_t j)
{
    if (n->base != FE_NL_EN || s[i] < 'A' || s[i] > 'Z')
        return 0;
    int m = fe_en_month(s + i, j - i);
    if (!m)
        return 0;
    size_t k = j;
    if (k < len && s[k] == '.')
        k++;
    if (!norm_is_space_at(s, len, k))
        return 0;
    k++;
    size_t r = norm_digit_run(s, len, k);
    int d = 0;
    size_t e = k + r;
    if (r >= 1 && r <= 2) {
        d = norm_value(s + k, r);
        if (e + 1 < len && !norm_alpha(s, len, e + 2)) {
            char a = norm_lower(s[e]), b = norm_lower(s[e + 1]);
            if ((a == 's' && b == 't') || (a == 'n' && b == 'd') || (a == 'r' && b == 'd') ||
                (a == 't' && b == 'h'))
                e += 2;
        }
        if (d < 1 || d > 31 || norm_alpha(s, len, e) || (e < len && (s[e] == ':' || s[e] == '/')))
            return 0;
    } else if (r != 4) {
        return 0;
    }
    if (r == 4) {
        if (norm_alnum(s, len, e))
            return 0;
        norm_ops(n)->date(n, s + k, 4, m, 0, 0); /* November 2026 */
        return e;
    }
    size_t y = e;
    if (y < len && s[y] == ',')
        y++;
    size_t yr = 0;
    if (norm_is_space_at(s, len, y)) {
        yr = norm_digit_run(s, len, y + 1);
        if (yr != 4 || norm_alnum(s, len, y + 1 + yr) ||
            (y + 1 + yr < len && (s[y + 1 + yr] == ':' || s[y + 1 + yr] == '.') &&
             norm_digit(s, len, y + 2 + yr)))
            yr = 0;
    }
    norm_ops(n)->date(n, yr ? s + y + 1 : NULL, yr, m, d, 0);
    return yr ? y + 1 + yr : e;
}

/* Whether a capitalized token of 2-4 letters is an initialism to spell
 * (OTP, VIP, SMS, ID), which espeak-ng would often read as a word. Left as
 * words: acronyms and common words said as words (fe_en_caps_word), month
 * names, roman numerals (II, XIV), four letters that alternate consonants
 * and vowels like a word (LEGO, ZARA), and text written all in capitals
 * (no lower-case letter and three words or more: shouting, not initials). */
static int norm_roman(const char *w, size_t wl)
{
    static const char *const digits[3][10] = {
        {"", "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX"},
        {"", "X", "XX", "XXX", "XL", "L", "LX", "LXX", "LXXX", "XC"},
        {"", "C", "CC", "CCC", "CD", "D", "DC", "DCC", "DCCC", "CM"}};
    size_t k = 0;
    while (k < wl && w[k] == 'M')
        k++;
    for (int place = 2; place >= 0; place--) {
        size_t best = 0; /* the longest numeral of this place that matches */
        for (int d = 1; d < 10; d++) {
            size_t l = strlen(digits[place][d]);
            if (l > best && k + l <= wl && !strncmp(w + k, digits[place][d], l))
                best = l;
        }
        k += best;
    }
    return k == wl;
}

static int norm_initialism(const char *s, size_t len, const char *w, size_t wl)
{
    if (wl < 2 || wl > 4)
        return 0;
    for (size_t k = 0; k < wl; k++)
        if (w[k] < 'A' || w[k] > 'Z')
            return 0;
    if (norm_roman(w, wl) || fe_en_caps_word(w, wl) || fe_en_month(w, wl))
        return 0;
    if (wl == 4) {
        int alt = 1;
        for (size_t k = 1; k < wl; k++)
            alt &= !strchr("AEIOUY", w[k]) != !strchr("AEIOUY", w[k - 1]);
        if (alt)
            return 0;
    }
    size_t words = 0;
    for (size_t k = 0; k < len; k++) {
        if (s[k] >= 'a' && s[k] <= 'z')
            return 1;
        words += norm_alpha_c(s[k]) && (k == 0 || !norm_alpha_c(s[k - 1]));
    }
    return words < 3;
}

/* A Latin word, an abbreviation, initials, a month date, a currency code. */
static size_t norm_latin(fe_norm *n, const char *s, size_t len, size_t i)
{
    size_t e = norm_try_url(n, s, len, i);
    if (e)
        return e;
    size_t j = i;
    while (j < len) {
        size_t k;
        uint32_t cp = fe_next(s, len, j, &k);
        fe_cc c = fe_class(cp);
        if (c == FE_CC_LATIN || c == FE_CC_MARK) {
            j += k;
        } else if ((cp == '\'' || cp == '-') && j > i && norm_latin_at(s, len, j + k)) {
            j += k;
        } else {
            break;
        }
    }
    const char *w = s + i;
    size_t wl = j - i;
    /* currencies: US$5, HK$5, USD 100 */
    fe_currency cur;
    if (wl == 2 && j + 1 < len && s[j] == '$' && norm_digit(s, len, j + 1) &&
        ((w[0] == 'U' && w[1] == 'S') || (w[0] == 'H' && w[1] == 'K'))) {
        return norm_number(n, s, len, j + 1, 0, w[0] == 'U' ? FE_CUR_USD : FE_CUR_HKD);
    }
    if (wl == 3 && norm_currency_code(s, len, i, &cur)) {
        size_t a = j;
        if (norm_is_space_at(s, len, a))
            a++;
        if (norm_digit(s, len, a))
            return norm_number(n, s, len, a, 0, cur);
    }
    /* dotted tokens: e.g. U.S.A. a.m. Ph.D. */
    size_t tok_end = j;
    while (tok_end + 1 < len && s[tok_end] == '.' && norm_alpha(s, len, tok_end + 1)) {
        size_t q = tok_end + 1;
        while (norm_alpha(s, len, q))
            q++;
        if (q - tok_end - 1 > 2)
            break;
        tok_end = q;
    }
    int final_dot = tok_end < len && s[tok_end] == '.';
    if (n->base == FE_NL_ZH && tok_end == j && wl == 2 && final_dot && norm_lower(w[0]) == 'n' &&
        norm_lower(w[1]) == 'o') {
        size_t a = tok_end + 1; /* No.1 in Mandarin: 第一, not "number" */
        while (norm_is_space_at(s, len, a))
            a++;
        size_t r = norm_digit_run(s, len, a);
        if (r >= 1 && r <= 9 && !(a + r + 1 < len && (s[a + r] == '.' || s[a + r] == ',') &&
                                  norm_digit(s, len, a + r + 1))) {
            fe_num x;
            norm_num_from(&x, s + a, r);
            norm_ops(n)->ordinal(n, &x);
            norm_after_number(n, 0);
            return a + r;
        }
    }
    const fe_abbr *ab = fe_en_abbrev(w, tok_end - i);
    if (ab && (final_dot || !ab->needs_period)) {
        size_t after = tok_end + (final_dot ? 1 : 0);
        int next_cap = norm_next_word_cap(s, len, after);
        const char *say = ab->expansion;
        int use = 1;
        if (ab->kind == FE_ABBR_TITLE) {
            if (ab->after_name && n->prev_cap && !next_cap)
                say = ab->after_name;
            else if (!final_dot && !next_cap)
                use = 0; /* "Dr" alone without a name: leave it */
        } else if (ab->kind == FE_ABBR_NUMBER) {
            use = norm_next_is_number(s, len, after);
        }
        if (use) {
            if (!say) {
                int m = fe_en_month(w, tok_end - i);
                size_t md = norm_try_month_date(n, s, len, i, tok_end);
                if (md) {
                    norm_after_number(n, 0);
                    return md;
                }
                static const char *const months[13] = {
                    "", "January", "February", "March", "April", "May", "June", "July",
                    "August", "September", "October", "November", "December"};
                say = months[m];
            }
            char cap[64];
            snprintf(cap, sizeof cap, "%s", say);
            if (w[0] >= 'A' && w[0] <= 'Z' && cap[0] >= 'a' && cap[0] <= 'z')
                cap[0] = (char)(cap[0] - 'a' + 'A'); /* Dr. -> Doctor */
            norm_say_word(n, cap, strlen(cap));
            norm_push_word(n, w, tok_end - i);
            n->prev_cap = 0;
            n->last_year = 0;
            norm_final_period(n, s, len, after);
            return after;
        }
    }
    if (tok_end > j || (wl == 1 && final_dot && norm_alpha_c(w[0]) &&
                        norm_next_word_cap(s, len, tok_end + 1))) {
        /* initials: U.S. -> U S; J. Smith */
        int single = 1;
        for (size_t q = i; q < tok_end; q++)
            if (s[q] != '.' && q + 1 < tok_end && s[q + 1] != '.')
                single = 0;
        if (single) {
            char letters[64];
            size_t nl = 0;
            for (size_t q = i; q < tok_end && nl < sizeof letters; q++)
                if (s[q] != '.')
                    letters[nl++] = s[q];
            norm_ops(n)->spell(n, letters, nl);
            size_t after = tok_end + (final_dot ? 1 : 0);
            norm_push_word(n, w, wl);
            n->prev_cap = 1;
            norm_final_period(n, s, len, after);
            return after;
        }
    }
    size_t md = norm_try_month_date(n, s, len, i, j);
    if (md) {
        norm_after_number(n, 0);
        return md;
    }
    if (norm_initialism(s, len, w, wl)) {
        norm_ops(n)->spell(n, w, wl); /* OTP -> O T P */
        norm_push_word(n, w, wl);
        n->prev_cap = 1;
        n->last_year = 0;
        return j;
    }
    norm_say_word(n, w, wl);
    norm_push_word(n, w, wl);
    n->prev_cap = w[0] >= 'A' && w[0] <= 'Z';
    n->last_year = 0;
    return j;
}

static const char *norm_script_tag(const fe_norm *n, fe_cc c)
{
    if (n->base == FE_NL_PASS && n->base_tag) {
        const char *t = n->base_tag;
        int match = (c == FE_CC_CYRILLIC && (!strncmp(t, "ru", 2) || !strncmp(t, "uk", 2) ||
                                             !strncmp(t, "bg", 2) || !strncmp(t, "sr", 2) ||
                                             !strncmp(t, "mk", 2) || !strncmp(t, "be", 2) ||
                                             !strncmp(t, "kk", 2))) ||
                    (c == FE_CC_GREEK && !strncmp(t, "el", 2)) ||
                    (c == FE_CC_KANA && !strncmp(t, "ja", 2)) ||
                    (c == FE_CC_HANGUL && !strncmp(t, "ko", 2)) ||
                    (c == FE_CC_ARABIC && (!strncmp(t, "ar", 2) || !strncmp(t, "fa", 2) ||
                                           !strncmp(t, "ur", 2))) ||
                    (c == FE_CC_HEBREW && !strncmp(t, "he", 2)) ||
                    (c == FE_CC_THAI && !strncmp(t, "th", 2)) ||
                    (c == FE_CC_DEVANAGARI && (!strncmp(t, "hi", 2) || !strncmp(t, "mr", 2) ||
                                               !strncmp(t, "ne", 2)));
        if (match)
            return t;
    }
    switch (c) {
    case FE_CC_CYRILLIC: return "ru";
    case FE_CC_GREEK: return "el";
    case FE_CC_KANA: return "ja";
    case FE_CC_HANGUL: return "ko";
    case FE_CC_ARABIC: return "ar";
    case FE_CC_HEBREW: return "he";
    case FE_CC_THAI: return "th";
    case FE_CC_DEVANAGARI: return "hi";
    default: return n->latin_tag;
    }
}

/* A run of one script other than Latin and Han. */
static size_t norm_script_run(fe_norm *n, const char *s, size_t len, size_t i, fe_cc c)
{
    size_t j = i;
    int letters = 0;
    uint32_t first = 0;
    while (j < len) {
        size_t k;
        uint32_t cp = fe_next(s, len, j, &k);
        fe_cc d = fe_class(cp);
        if (d != c && d != FE_CC_MARK && !(c == FE_CC_KANA && d == FE_CC_HAN))
            break;
        if (!first)
            first = cp;
        letters += d != FE_CC_MARK;
        j += k;
    }
    if (c == FE_CC_GREEK && letters == 1) {
        if (!norm_ops(n)->symbol(n, first))
            fe_out_dropped(n->out, 1); /* π, α: named */
        return j;
    }
    fe_out_word(n->out, norm_script_tag(n, c), s + i, j - i);
    norm_push_word(n, "", 0);
    return j;
}

static size_t norm_han(fe_norm *n, const char *s, size_t len, size_t i)
{
    size_t j = i;
    while (j < len) {
        size_t k;
        uint32_t cp = fe_next(s, len, j, &k);
        fe_cc c = fe_class(cp);
        if (c != FE_CC_HAN && c != FE_CC_MARK && c != FE_CC_IGNORE)
            break;
        j += k;
    }
    fe_out_word(n->out, n->han_tag, s + i, j - i);
    memset(n->prev, 0, sizeof n->prev);
    n->prev_cap = 0;
    n->last_year = 0;
    norm_han_tail_add(n, s + i, j - i);
    return j;
}

/* ---- punctuation and symbols ------------------------------------------------ */

static size_t norm_punct(fe_norm *n, const char *s, size_t len, size_t i, uint32_t cp, size_t k)
{
    size_t j = i + k;
    int terminal = cp == '.' || cp == '!' || cp == '?' || cp == 0x3002 || cp == 0xFF01 ||
                   cp == 0xFF1F || cp == 0x2026 || cp == 0x203C || cp == 0x2049 || cp == 0x2048 ||
                   cp == 0xFF61;
    if (terminal) {
        int q = 0, ex = 0, dots = 0;
        size_t e = i;
        while (e < len) {
            size_t m;
            uint32_t d = fe_next(s, len, e, &m);
            if (d == '?' || d == 0xFF1F || d == 0x2048 || d == 0x2049)
                q = 1;
            else if (d == '!' || d == 0xFF01 || d == 0x203C)
                ex = 1;
            else if (d == '.' || d == 0x3002 || d == 0xFF61)
                dots++;
            else if (d == 0x2026)
                dots += 3;
            else
                break;
            e += m;
        }
        if (n->sentence_final && norm_rest_blank(s, len, e))
            fe_out_punct(n->out, q ? "?" : ex ? "!" : ".", FE_CUT_NONE);
        else
            fe_out_punct(n->out, ",", FE_CUT_CLAUSE);
        return e;
    }
    if (cp == ',' || cp == 0xFF0C || cp == 0x3001 || cp == 0xFF64 || cp == 0x60C) {
        fe_out_punct(n->out, cp == 0x3001 || cp == 0xFF64 ? "、" : ",", FE_CUT_CLAUSE);
        return j;
    }
    if (cp == ';' || cp == 0xFF1B || cp == 0x61B) {
        fe_out_punct(n->out, ";", FE_CUT_CLAUSE);
        return j;
    }
    if (cp == ':' || cp == 0xFF1A) {
        fe_out_punct(n->out, ":", FE_CUT_CLAUSE);
        return j;
    }
    if (cp == '-') {
        uint32_t before = fe_prev(s, i, NULL);
        size_t m;
        uint32_t after = fe_next(s, len, j, &m);
        fe_currency cur;
        int prev_word = before && (fe_class(before) == FE_CC_LATIN ||
                                   fe_class(before) == FE_CC_DIGIT);
        if (!prev_word && (norm_digit(s, len, j) || (after == '.' && norm_digit(s, len, j + 1))))
            return norm_number(n, s, len, j, 1, -1); /* -5 */
        if (!prev_word && after && norm_currency_sym(after, &cur) && norm_digit(s, len, j + m))
            return norm_number(n, s, len, j + m, 1, cur); /* -$5 */
        if (before && after && fe_class(before) == FE_CC_SPACE && fe_class(after) == FE_CC_SPACE)
            fe_out_punct(n->out, ",", FE_CUT_CLAUSE); /* a spaced dash */
        return j; /* COVID-19, a bullet: nothing */
    }
    if (cp == 0x2014 || cp == 0x2013 || cp == 0x2015) {
        size_t e = j;
        while (e < len) {
            size_t m;
            uint32_t d = fe_next(s, len, e, &m);
            if (d != 0x2014 && d != 0x2013 && d != 0x2015)
                break;
            e += m;
        }
        fe_out_punct(n->out, ",", FE_CUT_CLAUSE);
        return e;
    }
    return j; /* quotes and brackets: nothing */
}

static size_t norm_symbol(fe_norm *n, const char *s, size_t len, size_t i, uint32_t cp, size_t k)
{
    const fe_lang_ops *ops = norm_ops(n);
    size_t j = i + k;
    fe_currency cur;
    if (norm_currency_sym(cp, &cur)) {
        size_t a = j;
        if (norm_is_space_at(s, len, a))
            a++;
        if (norm_digit(s, len, a) || (a + 1 < len && s[a] == '.' && norm_digit(s, len, a + 1)))
            return norm_number(n, s, len, a, 0, cur);
    }
    uint32_t before = fe_prev(s, i, NULL);
    size_t m;
    uint32_t after = fe_next(s, len, j, &m);
    int prev_digit = before >= '0' && before <= '9';
    switch (cp) {
    case '+':
        if (norm_digit(s, len, j)) {
            size_t e = norm_try_phone(n, s, len, i);
            if (e) {
                norm_after_number(n, 0);
                return e;
            }
        }
        ops->word(n, FE_W_PLUS);
        return j;
    case '#':
        if (norm_digit(s, len, j)) {
            size_t r = norm_digit_run(s, len, j);
            if (norm_digit_context(n) && r >= 3) {
                ops->digits(n, s + j, r, 1);
            } else {
                fe_num x;
                norm_num_from(&x, s + j, r);
                ops->number_sign(n, &x);
            }
            norm_after_number(n, 0);
            return j + r;
        }
        if (norm_latin_at(s, len, j) || (after && fe_class(after) == FE_CC_HAN)) {
            ops->word(n, FE_W_HASHTAG);
            return j;
        }
        break;
    case '@':
        if (norm_latin_at(s, len, j)) {
            ops->word(n, FE_W_AT);
            return j;
        }
        break;
    case '~':
        if (norm_digit(s, len, j)) {
            ops->word(n, FE_W_ABOUT);
            return j;
        }
        fe_out_dropped(n->out, 1);
        return j;
    case '*':
    case '^':
        if (prev_digit && norm_digit(s, len, j) && cp == '*') {
            ops->word(n, FE_W_BY);
            return j;
        }
        fe_out_dropped(n->out, 1);
        return j;
    case '/':
        if (before && after && (fe_is_letter_class(fe_class(before)) || prev_digit) &&
            (fe_is_letter_class(fe_class(after)) || (after >= '0' && after <= '9'))) {
            ops->word(n, FE_W_SLASH);
            return j;
        }
        fe_out_dropped(n->out, 1);
        return j;
    case '<':
    case '>':
        if ((before == ' ' || prev_digit) && (after == ' ' || (after >= '0' && after <= '9')))
            break; /* a comparison */
        fe_out_dropped(n->out, 1);
        return j;
    case '_':
    case '|':
    case '\\':
    case '`':
    case 0xA6: case 0xA8: case 0xAF: case 0xB4: case 0xB8: case 0xAC: case 0xB6: case 0xB7:
        fe_out_dropped(n->out, 1);
        return j;
    case 0xB0:
        if (prev_digit)
            break;
        fe_out_dropped(n->out, 1);
        return j;
    default:
        break;
    }
    if (cp == 0xA9) {
        int named = ops->symbol(n, cp);
        norm_push_word(n, "copyright", 9); /* © 2026: a year */
        if (!named)
            fe_out_dropped(n->out, 1);
        return j;
    }
    if (cp == 0xBD || cp == 0xBC || cp == 0xBE) {
        fe_num a, b;
        norm_num_from(&a, cp == 0xBE ? "3" : "1", 1);
        norm_num_from(&b, cp == 0xBD ? "2" : "4", 1);
        ops->fraction(n, NULL, &a, &b);
        return j;
    }
    if (!ops->symbol(n, cp))
        fe_out_dropped(n->out, 1);
    return j;
}

/* ---- other languages: the voice reads numbers itself -------------------- */

static size_t norm_pass_number(fe_norm *n, const char *s, size_t len, size_t i)
{
    size_t j = i;
    while (j < len && (norm_digit(s, len, j) ||
                       ((s[j] == '.' || s[j] == ',' || s[j] == ':' || s[j] == '/' ||
                         s[j] == '-') &&
                        norm_digit(s, len, j + 1))))
        j++;
    if (j < len && s[j] == '%')
        j++;
    fe_out_word(n->out, n->base_tag ? n->base_tag : n->latin_tag, s + i, j - i);
    norm_push_word(n, "#", 1);
    return j;
}

/* ---- say-as ------------------------------------------------------------- */

static int norm_sayas(fe_norm *n, const char *s, size_t len)
{
    const fe_lang_ops *ops = norm_ops(n);
    size_t a = 0, b = len;
    while (a < b && (s[a] == ' ' || s[a] == '\t' || s[a] == '\n' || s[a] == '\r'))
        a++;
    while (b > a && (s[b - 1] == ' ' || s[b - 1] == '\t' || s[b - 1] == '\n' || s[b - 1] == '\r'))
        b--;
    if (a == b)
        return 1;
    switch (n->sayas) {
    case FE_SAYAS_CHARACTERS:
    case FE_SAYAS_DIGITS: {
        size_t i = a;
        while (i < b) {
            size_t k;
            uint32_t cp = fe_next(s, b, i, &k);
            fe_cc c = fe_class(cp);
            if (c == FE_CC_DIGIT || (c == FE_CC_LATIN && cp < 0x80)) {
                size_t j = i;
                while (j < b && norm_alnum(s, b, j))
                    j++;
                if (n->sayas == FE_SAYAS_DIGITS) {
                    for (size_t q = i; q < j; q++) {
                        if (norm_digit(s, b, q))
                            ops->digits(n, s + q, 1, 0);
                        else
                            ops->spell(n, s + q, 1);
                    }
                } else {
                    ops->spell(n, s + i, j - i);
                }
                i = j;
            } else if (c == FE_CC_HAN) {
                fe_out_word(n->out, n->han_tag, s + i, k);
                i += k;
            } else {
                if (c == FE_CC_SYMBOL && !ops->symbol(n, cp))
                    fe_out_dropped(n->out, 1);
                i += k;
            }
        }
        return 1;
    }
    case FE_SAYAS_CARDINAL:
    case FE_SAYAS_ORDINAL: {
        size_t i = a;
        int neg = 0;
        if (i < b && s[i] == '-') {
            neg = 1;
            i++;
        }
        fe_num x;
        int grouped;
        size_t e = norm_scan_num(s, b, i, &x, &grouped);
        if (e == i)
            return 0;
        if (n->sayas == FE_SAYAS_ORDINAL) {
            if (x.point || neg)
                return 0;
            if (e + 2 == b && norm_alpha(s, b, e) && norm_alpha(s, b, e + 1))
                e = b; /* 21st */
            if (e != b)
                return 0;
            ops->ordinal(n, &x);
            return 1;
        }
        if (e != b)
            return 0;
        x.neg = neg;
        ops->number(n, &x, 0);
        return 1;
    }
    case FE_SAYAS_DATE: {
        int f[3] = {0, 0, 0};
        size_t fs[3] = {0, 0, 0}, fl[3] = {0, 0, 0};
        int nf = 0;
        size_t i = a;
        while (i < b && nf < 3) {
            size_t r = norm_digit_run(s, b, i);
            if (!r) {
                if (norm_alnum(s, b, i))
                    return 0;
                i++;
                continue;
            }
            if (r > 4)
                return 0;
            fs[nf] = i;
            fl[nf] = r;
            f[nf++] = norm_value(s + i, r);
            i += r;
        }
        if (!nf || i < b)
            return 0;
        const char *fmt = n->sayas_format[0] ? n->sayas_format : NULL;
        if (!fmt)
            fmt = nf == 3 ? (fl[0] == 4 ? "ymd" : "mdy") : nf == 2 ? "md" : "y";
        if (strlen(fmt) != (size_t)nf)
            return 0;
        int y = -1, m = 0, d = 0;
        for (int q = 0; q < nf; q++) {
            if (fmt[q] == 'y')
                y = q;
            else if (fmt[q] == 'm')
                m = f[q];
            else if (fmt[q] == 'd')
                d = f[q];
            else
                return 0;
        }
        if ((m && (m < 1 || m > 12)) || (d && (d < 1 || d > 31)))
            return 0;
        ops->date(n, y >= 0 ? s + fs[y] : NULL, y >= 0 ? fl[y] : 0, m, d, 0);
        return 1;
    }
    case FE_SAYAS_TIME: {
        size_t rh = norm_digit_run(s, b, a);
        if (rh < 1 || rh > 2)
            return 0;
        int h = norm_value(s + a, rh), m = 0, sec = -1;
        size_t i = a + rh;
        if (i < b && s[i] == ':') {
            if (norm_digit_run(s, b, i + 1) != 2)
                return 0;
            m = norm_value(s + i + 1, 2);
            i += 3;
            if (i < b && s[i] == ':') {
                if (norm_digit_run(s, b, i + 1) != 2)
                    return 0;
                sec = norm_value(s + i + 1, 2);
                i += 3;
            }
        }
        int ampm = 0;
        size_t al = norm_ampm(s, b, i, &ampm);
        i += al;
        if (i != b || h > 24 || m > 59 || sec > 59 || (ampm && (h < 1 || h > 12)))
            return 0;
        ops->time(n, h, m, sec, ampm);
        return 1;
    }
    case FE_SAYAS_TELEPHONE: {
        size_t gs[NORM_MAX_GROUPS], gl[NORM_MAX_GROUPS];
        int ng = 0;
        size_t i = a;
        if (s[i] == '+') {
            ops->word(n, FE_W_PLUS);
            i++;
        }
        while (i < b) {
            size_t r = norm_digit_run(s, b, i);
            if (r) {
                if (ng == NORM_MAX_GROUPS)
                    return 0;
                gs[ng] = i;
                gl[ng++] = r;
                i += r;
            } else if (strchr(" -.()/", s[i])) {
                i++;
            } else {
                return 0;
            }
        }
        if (!ng)
            return 0;
        norm_say_groups(n, s, gs, gl, ng, 1);
        return 1;
    }
    case FE_SAYAS_CURRENCY: {
        size_t i = a;
        size_t k;
        fe_currency cur = n->base == FE_NL_ZH ? FE_CUR_CNY : FE_CUR_USD;
        uint32_t cp = fe_next(s, b, i, &k);
        if (norm_currency_sym(cp, &cur)) {
            i += k;
        } else {
            size_t cl = norm_currency_code(s, b, i, &cur);
            i += cl;
        }
        while (i < b && s[i] == ' ')
            i++;
        fe_num x;
        int grouped;
        size_t e = norm_scan_num(s, b, i, &x, &grouped);
        if (e == i)
            return 0;
        while (e < b && s[e] == ' ')
            e++;
        if (e < b) {
            fe_currency c2;
            size_t cl = norm_currency_code(s, b, e, &c2);
            if (!cl)
                cl = norm_han_currency(s, b, e, &c2);
            if (!cl || e + cl != b)
                return 0;
            cur = c2;
        }
        ops->money(n, cur, &x, FE_SCALE_NONE);
        return 1;
    }
    default:
        return 0;
    }
}

/* ---- the scanner ---------------------------------------------------------- */

static void norm_scan(fe_norm *n, const char *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        size_t k;
        uint32_t cp = fe_next(s, len, i, &k);
        fe_cc c = fe_class(cp);
        size_t next = i + k;
        switch (c) {
        case FE_CC_SPACE:
        case FE_CC_NEWLINE:
        case FE_CC_IGNORE:
            break;
        case FE_CC_MARK:
            break; /* a stray combining mark */
        case FE_CC_DROP: {
            /* one emoji sequence counts once: skin tones, joiners, selectors */
            while (next < len) {
                size_t m;
                uint32_t d = fe_next(s, len, next, &m);
                fe_cc dc = fe_class(d);
                if (dc != FE_CC_IGNORE && dc != FE_CC_MARK &&
                    !(dc == FE_CC_DROP && (d == 0x200D || (d >= 0x1F3FB && d <= 0x1F3FF) ||
                                           (d >= 0x1F1E6 && d <= 0x1F1FF) ||
                                           (d >= 0xE0020 && d <= 0xE007F))))
                    break;
                next += m;
            }
            fe_out_dropped(n->out, 1);
            break;
        }
        case FE_CC_DIGIT:
            if (n->base == FE_NL_PASS) {
                next = norm_pass_number(n, s, len, i);
            } else {
                size_t e = norm_try_url(n, s, len, i);
                next = e ? e : norm_number(n, s, len, i, 0, -1);
            }
            break;
        case FE_CC_LATIN:
            next = norm_latin(n, s, len, i);
            break;
        case FE_CC_HAN:
            next = norm_han(n, s, len, i);
            break;
        case FE_CC_PUNCT:
            if (cp == '.' && n->base != FE_NL_PASS && norm_digit(s, len, i + 1) &&
                !(i > 0 && norm_digit(s, len, i - 1)))
                next = norm_number(n, s, len, i, 0, -1); /* .5 */
            else if (cp == '(' && n->base != FE_NL_PASS && norm_digit(s, len, i + 1) &&
                     (next = norm_try_phone(n, s, len, i)) != 0)
                norm_after_number(n, 0);
            else
                next = norm_punct(n, s, len, i, cp, k);
            break;
        case FE_CC_SYMBOL:
            if (n->base == FE_NL_PASS) {
                fe_out_dropped(n->out, 1);
                break;
            }
            next = norm_symbol(n, s, len, i, cp, k);
            break;
        default:
            next = norm_script_run(n, s, len, i, c);
            break;
        }
        if (next <= i)
            next = i + (k ? k : 1); /* always move on */
        i = next;
    }
}

void fe_normalize(fe_norm *n, const char *s, size_t len)
{
    if (n->sayas != FE_SAYAS_NONE && n->base != FE_NL_PASS) {
        if (norm_sayas(n, s, len))
            return;
        SZ_LOGW("tts", "say-as: '%.*s' is not what interpret-as says; read as plain text",
                (int)(len > 60 ? 60 : len), s);
    }
    norm_scan(n, s, len);
}
