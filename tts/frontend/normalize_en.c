/* SPDX-License-Identifier: Apache-2.0 */
/* normalize_en.c: how English says numbers, amounts, dates, times, units
 * and symbols (US conventions: "one thousand two hundred ninety nine",
 * "nineteen dollars and ninety nine cents", "November twenty ninth, twenty
 * twenty six"), and the English abbreviations the frontend knows. */
#include <stdio.h>
#include <string.h>

#include "tts/frontend/fe_internal.h"

static const char *const en_ones[20] = {
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
    "nineteen"};
static const char *const en_tens[10] = {"", "", "twenty", "thirty", "forty",
                                        "fifty", "sixty", "seventy", "eighty", "ninety"};
static const char *const en_scales[6] = {"", "thousand", "million", "billion", "trillion",
                                         "quadrillion"};
static const char *const en_months[13] = {"", "January", "February", "March", "April", "May",
                                          "June", "July", "August", "September", "October",
                                          "November", "December"};

static void en_emit(fe_norm *n, const fe_buf *b)
{
    if (b->n && !b->oom)
        fe_out_word(n->out, n->latin_tag, b->p, b->n);
}

static void en_word(fe_buf *b, const char *w)
{
    if (b->n)
        fe_buf_add(b, " ", 1);
    fe_buf_str(b, w);
}

static void en_under_1000(fe_buf *b, int v)
{
    if (v >= 100) {
        en_word(b, en_ones[v / 100]);
        en_word(b, "hundred");
        v %= 100;
    }
    if (v >= 20) {
        en_word(b, en_tens[v / 10]);
        if (v % 10)
            en_word(b, en_ones[v % 10]);
    } else if (v > 0) {
        en_word(b, en_ones[v]);
    }
}

/* Digits without leading zeros; "" is zero. */
static void en_strip(const char *d, size_t len, const char **out, size_t *out_len)
{
    while (len > 0 && *d == '0') {
        d++;
        len--;
    }
    *out = d;
    *out_len = len;
}

static void en_digit_words(fe_buf *b, const char *d, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (d[i] >= '0' && d[i] <= '9')
            en_word(b, en_ones[d[i] - '0']);
}

/* Cardinal of a digit string; more than 18 digits are read one by one. */
static void en_cardinal(fe_buf *b, const char *digits, size_t len)
{
    const char *d;
    size_t n;
    en_strip(digits, len, &d, &n);
    if (n == 0) {
        en_word(b, "zero");
        return;
    }
    if (n > 18) {
        en_digit_words(b, d, n);
        return;
    }
    size_t groups = (n + 2) / 3;
    size_t first = n - (groups - 1) * 3;
    size_t pos = 0;
    for (size_t g = 0; g < groups; g++) {
        size_t take = g == 0 ? first : 3;
        int v = 0;
        for (size_t k = 0; k < take; k++)
            v = v * 10 + (d[pos + k] - '0');
        pos += take;
        if (v) {
            en_under_1000(b, v);
            if (groups - 1 - g > 0)
                en_word(b, en_scales[groups - 1 - g]);
        }
    }
}

static int en_is_one(const char *d, size_t len)
{
    const char *s;
    size_t n;
    en_strip(d, len, &s, &n);
    return n == 1 && s[0] == '1';
}

/* Turns the last word of b into its ordinal. */
static void en_ordinalize(fe_buf *b)
{
    static const struct {
        const char *card, *ord;
    } irregular[] = {{"one", "first"},   {"two", "second"}, {"three", "third"},
                     {"five", "fifth"},  {"eight", "eighth"}, {"nine", "ninth"},
                     {"twelve", "twelfth"}};
    if (!b->n || b->oom)
        return;
    size_t start = b->n;
    while (start > 0 && b->p[start - 1] != ' ')
        start--;
    char last[32];
    size_t wl = b->n - start;
    if (wl >= sizeof last)
        return;
    memcpy(last, b->p + start, wl);
    last[wl] = 0;
    b->n = start;
    b->p[b->n] = 0;
    for (size_t i = 0; i < sizeof irregular / sizeof irregular[0]; i++)
        if (strcmp(last, irregular[i].card) == 0) {
            fe_buf_str(b, irregular[i].ord);
            return;
        }
    if (wl > 1 && last[wl - 1] == 'y') {
        last[wl - 1] = 0;
        fe_buf_str(b, last);
        fe_buf_str(b, "ieth");
        return;
    }
    fe_buf_str(b, last);
    fe_buf_str(b, "th");
}

static void en_number_buf(fe_buf *b, const fe_num *x)
{
    if (x->neg)
        en_word(b, "minus");
    if (x->ip[0] || !x->point)
        en_cardinal(b, x->ip, strlen(x->ip));
    if (x->point && x->fp[0]) {
        en_word(b, "point");
        en_digit_words(b, x->fp, strlen(x->fp));
    }
}

static void en_number(fe_norm *n, const fe_num *x, int measure)
{
    (void)measure;
    fe_buf b = {0};
    en_number_buf(&b, x);
    en_emit(n, &b);
    fe_buf_free(&b);
}

static void en_ordinal(fe_norm *n, const fe_num *x)
{
    fe_buf b = {0};
    en_cardinal(&b, x->ip, strlen(x->ip));
    en_ordinalize(&b);
    en_emit(n, &b);
    fe_buf_free(&b);
}

static void en_digits(fe_norm *n, const char *d, size_t len, int phone)
{
    (void)phone;
    fe_buf b = {0};
    en_digit_words(&b, d, len);
    en_emit(n, &b);
    fe_buf_free(&b);
}

static void en_year_buf(fe_buf *b, const char *d, size_t len)
{
    int y = 0;
    for (size_t i = 0; i < len && i < 4; i++)
        y = y * 10 + (d[i] - '0');
    if (len != 4 || d[0] == '0') {
        en_cardinal(b, d, len);
        return;
    }
    int hi = y / 100, lo = y % 100;
    if (y >= 2000 && y < 2010) {
        en_cardinal(b, d, len); /* two thousand five */
        return;
    }
    if (lo == 0 && hi % 10 == 0) {
        en_cardinal(b, d, len); /* two thousand, one thousand */
        return;
    }
    en_under_1000(b, hi);
    if (lo == 0) {
        en_word(b, "hundred");
    } else if (lo < 10) {
        en_word(b, "oh");
        en_word(b, en_ones[lo]);
    } else {
        en_under_1000(b, lo);
    }
}

static void en_year(fe_norm *n, const char *d, size_t len)
{
    fe_buf b = {0};
    en_year_buf(&b, d, len);
    en_emit(n, &b);
    fe_buf_free(&b);
}

static void en_date(fe_norm *n, const char *y, size_t ylen, int m, int d, int day_hao)
{
    (void)day_hao;
    fe_buf b = {0};
    if (m >= 1 && m <= 12)
        en_word(&b, en_months[m]);
    if (d > 0) {
        char ds[4];
        int l = snprintf(ds, sizeof ds, "%d", d);
        en_cardinal(&b, ds, (size_t)l);
        en_ordinalize(&b);
    }
    en_emit(n, &b);
    fe_buf_free(&b);
    if (y && ylen) {
        if (d)
            fe_out_punct(n->out, ",", FE_CUT_NONE);
        en_year(n, y, ylen);
    }
}

static void en_time(fe_norm *n, int h, int m, int s, int ampm)
{
    fe_buf b = {0};
    int hh = h;
    if (ampm) {
        hh = h % 12;
        if (hh == 0)
            hh = 12;
    }
    char hs[4];
    int hl = snprintf(hs, sizeof hs, "%d", hh);
    if (m == 0 && !ampm) {
        if (hh >= 1 && hh <= 12) {
            en_cardinal(&b, hs, (size_t)hl);
            en_word(&b, "o'clock");
        } else {
            en_cardinal(&b, hs, (size_t)hl);
            en_word(&b, "hundred");
        }
    } else {
        en_cardinal(&b, hs, (size_t)hl);
        if (m > 0 && m < 10) {
            en_word(&b, "oh");
            en_word(&b, en_ones[m]);
        } else if (m >= 10) {
            en_under_1000(&b, m);
        }
    }
    if (s > 0) {
        en_word(&b, "and");
        en_under_1000(&b, s);
        en_word(&b, s == 1 ? "second" : "seconds");
    }
    if (ampm)
        en_word(&b, ampm == 1 ? "A M" : "P M");
    en_emit(n, &b);
    fe_buf_free(&b);
}

static const struct {
    const char *one, *many, *minor_one, *minor_many;
} en_currencies[FE_CUR_COUNT] = {
    [FE_CUR_USD] = {"dollar", "dollars", "cent", "cents"},
    [FE_CUR_EUR] = {"euro", "euros", "cent", "cents"},
    [FE_CUR_GBP] = {"pound", "pounds", "penny", "pence"},
    [FE_CUR_CNY] = {"yuan", "yuan", NULL, NULL},
    [FE_CUR_JPY] = {"yen", "yen", NULL, NULL},
    [FE_CUR_HKD] = {"Hong Kong dollar", "Hong Kong dollars", "cent", "cents"},
    [FE_CUR_KRW] = {"won", "won", NULL, NULL},
    [FE_CUR_INR] = {"rupee", "rupees", NULL, NULL},
};

static int en_all_zero(const char *d)
{
    for (; *d; d++)
        if (*d != '0')
            return 0;
    return 1;
}

static void en_money(fe_norm *n, fe_currency cur, const fe_num *x, fe_scale scale)
{
    fe_buf b = {0};
    size_t fl = strlen(x->fp);
    if (scale != FE_SCALE_NONE) {
        static const char *const sw[] = {"", "thousand", "million", "billion", "trillion",
                                         "ten thousand", "hundred million"};
        en_number_buf(&b, x);
        en_word(&b, sw[scale]);
        en_word(&b, en_currencies[cur].many);
    } else if (en_currencies[cur].minor_one && fl <= 2) {
        char cents[3] = {'0', '0', 0};
        if (fl >= 1)
            cents[0] = x->fp[0];
        if (fl == 2)
            cents[1] = x->fp[1];
        int c = (cents[0] - '0') * 10 + (cents[1] - '0');
        int whole_zero = en_all_zero(x->ip);
        if (x->neg)
            en_word(&b, "minus");
        if (!whole_zero || c == 0) {
            en_cardinal(&b, x->ip, strlen(x->ip));
            en_word(&b, en_is_one(x->ip, strlen(x->ip)) ? en_currencies[cur].one
                                                       : en_currencies[cur].many);
        }
        if (c > 0) {
            if (!whole_zero)
                en_word(&b, "and");
            en_under_1000(&b, c);
            en_word(&b, c == 1 ? en_currencies[cur].minor_one : en_currencies[cur].minor_many);
        }
    } else if (!x->point || en_all_zero(x->fp)) {
        fe_num whole = *x;
        whole.point = 0;
        whole.fp[0] = 0;
        en_number_buf(&b, &whole);
        en_word(&b, en_is_one(x->ip, strlen(x->ip)) && !x->neg ? en_currencies[cur].one
                                                               : en_currencies[cur].many);
    } else {
        en_number_buf(&b, x);
        en_word(&b, en_currencies[cur].many);
    }
    en_emit(n, &b);
    fe_buf_free(&b);
}

static void en_percent(fe_norm *n, const fe_num *x, int permille)
{
    fe_buf b = {0};
    en_number_buf(&b, x);
    en_word(&b, permille ? "per mille" : "percent");
    en_emit(n, &b);
    fe_buf_free(&b);
}

static void en_fraction(fe_norm *n, const fe_num *whole, const fe_num *num, const fe_num *den)
{
    fe_buf b = {0};
    const char *dd;
    size_t dl;
    en_strip(den->ip, strlen(den->ip), &dd, &dl);
    int one = en_is_one(num->ip, strlen(num->ip));
    int dv = 0;
    for (size_t i = 0; i < dl && i < 6; i++)
        dv = dv * 10 + (dd[i] - '0');
    if (whole) {
        en_number_buf(&b, whole);
        en_word(&b, "and");
        if (one && (dv == 2 || dv == 4)) {
            en_word(&b, dv == 2 ? "a half" : "a quarter");
            en_emit(n, &b);
            fe_buf_free(&b);
            return;
        }
    }
    if (dl == 0 || dl > 4 || dv < 2) {
        en_cardinal(&b, num->ip, strlen(num->ip));
        en_word(&b, "over");
        en_cardinal(&b, den->ip, strlen(den->ip));
    } else {
        en_cardinal(&b, num->ip, strlen(num->ip));
        if (dv == 2) {
            en_word(&b, one ? "half" : "halves");
        } else if (dv == 4) {
            en_word(&b, one ? "quarter" : "quarters");
        } else {
            fe_buf o = {0};
            en_cardinal(&o, dd, dl);
            en_ordinalize(&o);
            if (!o.oom && o.n) {
                en_word(&b, o.p);
                if (!one)
                    fe_buf_add(&b, "s", 1);
            }
            fe_buf_free(&o);
        }
    }
    en_emit(n, &b);
    fe_buf_free(&b);
}

static const struct {
    const char *one, *many;
} en_units[FE_U_COUNT] = {
    [FE_U_MM] = {"millimeter", "millimeters"},
    [FE_U_CM] = {"centimeter", "centimeters"},
    [FE_U_M] = {"meter", "meters"},
    [FE_U_KM] = {"kilometer", "kilometers"},
    [FE_U_IN] = {"inch", "inches"},
    [FE_U_FT] = {"foot", "feet"},
    [FE_U_YD] = {"yard", "yards"},
    [FE_U_MI] = {"mile", "miles"},
    [FE_U_MPH] = {"mile per hour", "miles per hour"},
    [FE_U_KMH] = {"kilometer per hour", "kilometers per hour"},
    [FE_U_MPS] = {"meter per second", "meters per second"},
    [FE_U_MG] = {"milligram", "milligrams"},
    [FE_U_G] = {"gram", "grams"},
    [FE_U_KG] = {"kilogram", "kilograms"},
    [FE_U_LB] = {"pound", "pounds"},
    [FE_U_OZ] = {"ounce", "ounces"},
    [FE_U_T] = {"ton", "tons"},
    [FE_U_ML] = {"milliliter", "milliliters"},
    [FE_U_L] = {"liter", "liters"},
    [FE_U_GAL] = {"gallon", "gallons"},
    [FE_U_MS] = {"millisecond", "milliseconds"},
    [FE_U_S] = {"second", "seconds"},
    [FE_U_MIN] = {"minute", "minutes"},
    [FE_U_H] = {"hour", "hours"},
    [FE_U_KB] = {"kilobyte", "kilobytes"},
    [FE_U_MB] = {"megabyte", "megabytes"},
    [FE_U_GB] = {"gigabyte", "gigabytes"},
    [FE_U_TB] = {"terabyte", "terabytes"},
    [FE_U_KBPS] = {"kilobit per second", "kilobits per second"},
    [FE_U_MBPS] = {"megabit per second", "megabits per second"},
    [FE_U_GBPS] = {"gigabit per second", "gigabits per second"},
    [FE_U_HZ] = {"hertz", "hertz"},
    [FE_U_KHZ] = {"kilohertz", "kilohertz"},
    [FE_U_MHZ] = {"megahertz", "megahertz"},
    [FE_U_GHZ] = {"gigahertz", "gigahertz"},
    [FE_U_W] = {"watt", "watts"},
    [FE_U_KW] = {"kilowatt", "kilowatts"},
    [FE_U_KWH] = {"kilowatt hour", "kilowatt hours"},
    [FE_U_V] = {"volt", "volts"},
    [FE_U_MAH] = {"milliamp hour", "milliamp hours"},
    [FE_U_PX] = {"pixel", "pixels"},
    [FE_U_DB] = {"decibel", "decibels"},
    [FE_U_FPS] = {"frame per second", "frames per second"},
    [FE_U_CAL] = {"calorie", "calories"},
    [FE_U_KCAL] = {"kilocalorie", "kilocalories"},
    [FE_U_CELSIUS] = {"degree Celsius", "degrees Celsius"},
    [FE_U_FAHRENHEIT] = {"degree Fahrenheit", "degrees Fahrenheit"},
    [FE_U_DEGREE] = {"degree", "degrees"},
    [FE_U_SQM] = {"square meter", "square meters"},
    [FE_U_SQKM] = {"square kilometer", "square kilometers"},
    [FE_U_SQFT] = {"square foot", "square feet"},
    [FE_U_THOUSAND] = {"thousand", "thousand"},
    [FE_U_TIMES] = {"times", "times"},
};

static void en_unit(fe_norm *n, const fe_num *x, fe_unit u)
{
    fe_buf b = {0};
    int one = 0;
    if (x) {
        en_number_buf(&b, x);
        one = !x->point && en_is_one(x->ip, strlen(x->ip));
    }
    en_word(&b, one ? en_units[u].one : en_units[u].many);
    en_emit(n, &b);
    fe_buf_free(&b);
}

static void en_pluralize(fe_buf *b)
{
    if (!b->n || b->oom)
        return;
    if (b->p[b->n - 1] == 'y') {
        b->n--;
        b->p[b->n] = 0;
        fe_buf_str(b, "ies");
    } else if (b->p[b->n - 1] == 'x') {
        fe_buf_str(b, "es");
    } else {
        fe_buf_str(b, "s");
    }
}

static void en_decade(fe_norm *n, const fe_num *x)
{
    fe_buf b = {0};
    size_t len = strlen(x->ip);
    if (len == 2 && x->ip[0] != '0')
        en_cardinal(&b, x->ip, len);
    else
        en_year_buf(&b, x->ip, len);
    en_pluralize(&b);
    en_emit(n, &b);
    fe_buf_free(&b);
}

static void en_number_sign(fe_norm *n, const fe_num *x)
{
    fe_buf b = {0};
    en_word(&b, "number");
    en_number_buf(&b, x);
    en_emit(n, &b);
    fe_buf_free(&b);
}

static const char *const en_words[FE_W_COUNT] = {
    [FE_W_TO] = "to",           [FE_W_POINT] = "point",   [FE_W_DOT] = "dot",
    [FE_W_AT] = "at",           [FE_W_SLASH] = "slash",   [FE_W_DASH] = "dash",
    [FE_W_UNDERSCORE] = "underscore", [FE_W_COLON] = "colon", [FE_W_QUESTION] = "question mark",
    [FE_W_EQUALS] = "equals",   [FE_W_AND] = "and",       [FE_W_HASH] = "hash",
    [FE_W_PLUS] = "plus",       [FE_W_TILDE] = "tilde",   [FE_W_PERCENT] = "percent",
    [FE_W_BY] = "by",           [FE_W_RATIO] = "to",      [FE_W_HASHTAG] = "hashtag",
    [FE_W_MINUS] = "minus",     [FE_W_ABOUT] = "about",
};

static void en_fixed(fe_norm *n, fe_word w)
{
    fe_out_word(n->out, n->latin_tag, en_words[w], strlen(en_words[w]));
}

static const struct {
    uint32_t cp;
    const char *name;
} en_symbols[] = {
    {'&', "and"},
    {'+', "plus"},
    {'=', "equals"},
    {'@', "at"},
    {'%', "percent"},
    {'<', "less than"},
    {'>', "greater than"},
    {0xD7, "times"},
    {0xF7, "divided by"},
    {0xB1, "plus or minus"},
    {0x2248, "approximately"},
    {0x2260, "is not equal to"},
    {0x2264, "is less than or equal to"},
    {0x2265, "is greater than or equal to"},
    {0x221E, "infinity"},
    {0x221A, "square root of"},
    {0xA9, "copyright"},
    {0xAE, "registered"},
    {0x2122, "trademark"},
    {0xA7, "section"},
    {0x2116, "number"},
    {0x2030, "per mille"},
    {0xB0, "degrees"},
    {0x2103, "degrees Celsius"},
    {0x2109, "degrees Fahrenheit"},
    {'$', "dollars"},
    {0x20AC, "euros"},
    {0xA3, "pounds"},
    {0xA5, "yuan"},
    {0xA2, "cents"},
    {0x3B1, "alpha"},
    {0x3B2, "beta"},
    {0x3B3, "gamma"},
    {0x3B4, "delta"},
    {0x394, "delta"},
    {0x3B5, "epsilon"},
    {0x3B8, "theta"},
    {0x3BB, "lambda"},
    {0x3BC, "mu"},
    {0xB5, "micro"},
    {0x3C0, "pi"},
    {0x3C3, "sigma"},
    {0x3A3, "sigma"},
    {0x3C6, "phi"},
    {0x3C9, "omega"},
    {0x3A9, "omega"},
};

static int en_symbol(fe_norm *n, uint32_t cp)
{
    for (size_t i = 0; i < sizeof en_symbols / sizeof en_symbols[0]; i++)
        if (en_symbols[i].cp == cp) {
            fe_out_word(n->out, n->latin_tag, en_symbols[i].name, strlen(en_symbols[i].name));
            return 1;
        }
    return 0;
}

static void en_spell(fe_norm *n, const char *s, size_t len)
{
    fe_buf b = {0};
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (c >= 'a' && c <= 'z')
            c = (char)(c - 'a' + 'A');
        if (c >= 'A' && c <= 'Z') {
            char l[2] = {c, 0};
            en_word(&b, l);
        } else if (c >= '0' && c <= '9') {
            en_word(&b, en_ones[c - '0']);
        }
    }
    en_emit(n, &b);
    fe_buf_free(&b);
}

static void en_minus(fe_norm *n, int temperature)
{
    (void)temperature;
    fe_out_word(n->out, n->latin_tag, "minus", 5);
}

const fe_lang_ops fe_en_ops = {
    .number = en_number,
    .ordinal = en_ordinal,
    .digits = en_digits,
    .year = en_year,
    .date = en_date,
    .time = en_time,
    .money = en_money,
    .percent = en_percent,
    .fraction = en_fraction,
    .unit = en_unit,
    .decade = en_decade,
    .number_sign = en_number_sign,
    .word = en_fixed,
    .symbol = en_symbol,
    .spell = en_spell,
    .minus = en_minus,
};

/* ---- abbreviations ---------------------------------------------------- */

static const fe_abbr en_abbrevs[] = {
    {"Mr", FE_ABBR_TITLE, "mister", NULL, 0},
    {"Mrs", FE_ABBR_TITLE, "missus", NULL, 0},
    {"Ms", FE_ABBR_TITLE, "miz", NULL, 0},
    {"Dr", FE_ABBR_TITLE, "doctor", "Drive", 0},
    {"Prof", FE_ABBR_TITLE, "professor", NULL, 1},
    {"St", FE_ABBR_TITLE, "Saint", "Street", 1},
    {"Mt", FE_ABBR_TITLE, "Mount", NULL, 1},
    {"Gen", FE_ABBR_TITLE, "General", NULL, 1},
    {"Capt", FE_ABBR_TITLE, "Captain", NULL, 1},
    {"Lt", FE_ABBR_TITLE, "Lieutenant", NULL, 1},
    {"Sgt", FE_ABBR_TITLE, "Sergeant", NULL, 1},
    {"Col", FE_ABBR_TITLE, "Colonel", NULL, 1},
    {"Gov", FE_ABBR_TITLE, "Governor", NULL, 1},
    {"Sen", FE_ABBR_TITLE, "Senator", NULL, 1},
    {"Rep", FE_ABBR_TITLE, "Representative", NULL, 1},
    {"Rev", FE_ABBR_TITLE, "Reverend", NULL, 1},
    {"Hon", FE_ABBR_TITLE, "Honorable", NULL, 1},
    {"Pres", FE_ABBR_TITLE, "President", NULL, 1},
    {"No", FE_ABBR_NUMBER, "number", NULL, 1},
    {"Nos", FE_ABBR_NUMBER, "numbers", NULL, 1},
    {"Fig", FE_ABBR_NUMBER, "figure", NULL, 1},
    {"Vol", FE_ABBR_NUMBER, "volume", NULL, 1},
    {"Ch", FE_ABBR_NUMBER, "chapter", NULL, 1},
    {"Sec", FE_ABBR_NUMBER, "section", NULL, 1},
    {"Art", FE_ABBR_NUMBER, "article", NULL, 1},
    {"p", FE_ABBR_NUMBER, "page", NULL, 1},
    {"pp", FE_ABBR_NUMBER, "pages", NULL, 1},
    {"Tel", FE_ABBR_NUMBER, "telephone", NULL, 1},
    {"tel", FE_ABBR_NUMBER, "telephone", NULL, 1},
    {"Ext", FE_ABBR_NUMBER, "extension", NULL, 1},
    {"ext", FE_ABBR_NUMBER, "extension", NULL, 1},
    {"Apt", FE_ABBR_NUMBER, "apartment", NULL, 1},
    {"Rm", FE_ABBR_NUMBER, "room", NULL, 1},
    {"vs", FE_ABBR_INNER, "versus", NULL, 0},
    {"e.g", FE_ABBR_INNER, "for example", NULL, 1},
    {"i.e", FE_ABBR_INNER, "that is", NULL, 1},
    {"E.g", FE_ABBR_INNER, "for example", NULL, 1},
    {"I.e", FE_ABBR_INNER, "that is", NULL, 1},
    {"approx", FE_ABBR_INNER, "approximately", NULL, 1},
    {"etc", FE_ABBR_WORD, "et cetera", NULL, 1},
    {"Inc", FE_ABBR_WORD, "Incorporated", NULL, 1},
    {"Ltd", FE_ABBR_WORD, "Limited", NULL, 1},
    {"Co", FE_ABBR_WORD, "Company", NULL, 1},
    {"Corp", FE_ABBR_WORD, "Corporation", NULL, 1},
    {"Dept", FE_ABBR_WORD, "Department", NULL, 1},
    {"Jr", FE_ABBR_WORD, "Junior", NULL, 1},
    {"Sr", FE_ABBR_WORD, "Senior", NULL, 1},
    {"Ave", FE_ABBR_WORD, "Avenue", NULL, 1},
    {"Blvd", FE_ABBR_WORD, "Boulevard", NULL, 1},
    {"Rd", FE_ABBR_WORD, "Road", NULL, 1},
    {"Ln", FE_ABBR_WORD, "Lane", NULL, 1},
    {"Hwy", FE_ABBR_WORD, "Highway", NULL, 1},
    {"Univ", FE_ABBR_WORD, "University", NULL, 1},
    {"Assn", FE_ABBR_WORD, "Association", NULL, 1},
    {"Bros", FE_ABBR_WORD, "Brothers", NULL, 1},
    {"Mon", FE_ABBR_WORD, "Monday", NULL, 1},
    {"Tue", FE_ABBR_WORD, "Tuesday", NULL, 1},
    {"Tues", FE_ABBR_WORD, "Tuesday", NULL, 1},
    {"Wed", FE_ABBR_WORD, "Wednesday", NULL, 1},
    {"Thu", FE_ABBR_WORD, "Thursday", NULL, 1},
    {"Thurs", FE_ABBR_WORD, "Thursday", NULL, 1},
    {"Fri", FE_ABBR_WORD, "Friday", NULL, 1},
    {"Sat", FE_ABBR_WORD, "Saturday", NULL, 1},
    {"a.m", FE_ABBR_WORD, "A M", NULL, 1},
    {"p.m", FE_ABBR_WORD, "P M", NULL, 1},
    {"A.M", FE_ABBR_WORD, "A M", NULL, 1},
    {"P.M", FE_ABBR_WORD, "P M", NULL, 1},
    {"Ph.D", FE_ABBR_WORD, "P H D", NULL, 1},
    {"min", FE_ABBR_WORD, "minutes", NULL, 1},
    {"hrs", FE_ABBR_WORD, "hours", NULL, 1},
    {"est", FE_ABBR_WORD, "established", NULL, 1},
};

const fe_abbr *fe_en_abbrev(const char *word, size_t len)
{
    for (size_t i = 0; i < sizeof en_abbrevs / sizeof en_abbrevs[0]; i++) {
        const char *a = en_abbrevs[i].abbr;
        if (strlen(a) == len && strncmp(a, word, len) == 0)
            return &en_abbrevs[i];
    }
    /* "MR", "DR": all capitals of a title */
    if (len >= 2 && len <= 4) {
        for (size_t i = 0; i < sizeof en_abbrevs / sizeof en_abbrevs[0]; i++) {
            const char *a = en_abbrevs[i].abbr;
            if (strlen(a) != len || en_abbrevs[i].kind != FE_ABBR_TITLE)
                continue;
            size_t k = 0;
            for (; k < len; k++) {
                char c = a[k];
                if (c >= 'a' && c <= 'z')
                    c = (char)(c - 'a' + 'A');
                if (c != word[k])
                    break;
            }
            if (k == len)
                return &en_abbrevs[i];
        }
    }
    /* months with a period: Jan. Feb. Sept. */
    if (len >= 3 && len <= 4 && fe_en_month(word, len) && word[0] >= 'A' && word[0] <= 'Z') {
        static fe_abbr month = {"", FE_ABBR_WORD, NULL, NULL, 1};
        return &month;
    }
    return NULL;
}

int fe_en_month(const char *w, size_t len)
{
    static const char *const abbr[13] = {"",    "jan", "feb", "mar", "apr", "may", "jun",
                                         "jul", "aug", "sep", "oct", "nov", "dec"};
    char low[16];
    if (len < 3 || len >= sizeof low)
        return 0;
    for (size_t i = 0; i < len; i++) {
        char c = w[i];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        low[i] = c;
    }
    low[len] = 0;
    for (int m = 1; m <= 12; m++) {
        char full[16];
        size_t k = 0;
        for (const char *p = en_months[m]; *p && k < sizeof full - 1; p++, k++)
            full[k] = (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
        full[k] = 0;
        if (strcmp(low, full) == 0 || strcmp(low, abbr[m]) == 0)
            return m;
        if (m == 9 && strcmp(low, "sept") == 0)
            return 9;
    }
    return 0;
}

/* Capitalized tokens of 2-4 letters that are said as words, not spelled:
 * acronyms read as words, and common words written in capitals for
 * emphasis ("It is FREE", "NOT now"). Everything else of that shape is an
 * initialism (OTP, VIP, SMS, ID) and the normalizer spells it. */
int fe_en_caps_word(const char *w, size_t len)
{
    static const char *const words[] = {
        /* acronyms said as words */
        "NASA", "NATO", "PIN", "AIDS", "LOL", "SIM", "RAM", "ROM", "GIF", "LAN", "SARS",
        "FIFA", "OPEC", "ZIP", "WIFI", "JPEG", "IKEA", "MIDI", "SWAT", "DOS",
        /* common words */
        "OK", "NO", "YES", "NOT", "ALL", "AND", "ARE", "BUT", "CAN", "FOR", "THE", "YOU",
        "OUR", "NEW", "NOW", "OFF", "OUT", "BIG", "HOT", "TOP", "WOW", "BUY", "GET", "ONE",
        "TWO", "TEN", "WIN", "OPEN", "FREE", "SALE", "ONLY", "VERY", "BEST", "STOP", "HELP",
        "LIVE", "LOVE", "MUST", "THIS", "THAT", "WITH", "HERE", "EXIT", "PUSH", "PULL", "DO",
        "GO", "SO", "IS", "IT", "AT", "AM", "BE", "WE", "ME", "MY", "HE", "IN", "ON", "OF",
        "TO", "UP", "BY", "OR", "AN", "IF", "US", "HI", "OH", "GOOD", "COOL", "WAIT", "NEXT",
        "LAST", "MORE", "LESS", "SAVE", "DEAL", "HUGE", "FAST", "EASY", "HOME", "SHOP",
    };
    if (len < 2 || len > 4)
        return 0;
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (strlen(words[i]) == len && !strncmp(words[i], w, len))
            return 1;
    return 0;
}
