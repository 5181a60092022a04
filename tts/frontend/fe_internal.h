/* SPDX-License-Identifier: Apache-2.0 */
/* fe_internal.h: what the files of tts/frontend share and nothing outside
 * uses: character classes, a growable string, the output builder the
 * normalizers write to, the language-specific verbalizers, and SSML spans. */
#ifndef SZ_TTS_FE_INTERNAL_H
#define SZ_TTS_FE_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "tts/frontend/frontend.h"

/* ---- characters (chars.c) --------------------------------------------- */

typedef enum fe_cc {
    FE_CC_SPACE,
    FE_CC_NEWLINE,
    FE_CC_LATIN, /* letters of Latin script, accents included */
    FE_CC_DIGIT, /* 0-9 (fullwidth folded) */
    FE_CC_HAN,
    FE_CC_KANA,
    FE_CC_HANGUL,
    FE_CC_CYRILLIC,
    FE_CC_GREEK,
    FE_CC_ARABIC,
    FE_CC_HEBREW,
    FE_CC_THAI,
    FE_CC_DEVANAGARI,
    FE_CC_PUNCT,  /* sentence and clause punctuation, quotes, brackets, dashes */
    FE_CC_SYMBOL, /* symbols that may have a name: & + = @ # % ° € ... */
    FE_CC_MARK,   /* combining marks: part of the letter before */
    FE_CC_IGNORE, /* zero-width joiners, variation selectors: nothing */
    FE_CC_DROP,   /* emoji, pictographs, box drawing, private use, controls */
} fe_cc;

/* Decodes the code point at s[i] (s is valid UTF-8, but a bad byte gives
 * U+FFFD and length 1). Fullwidth ASCII letters, digits and symbols fold to
 * ASCII, odd spaces to ' ', the minus sign to '-', curly apostrophes to '\''. */
uint32_t fe_next(const char *s, size_t len, size_t i, size_t *n);
/* The code point before offset i (0 when i == 0); *start gets its offset. */
uint32_t fe_prev(const char *s, size_t i, size_t *start);
fe_cc fe_class(uint32_t cp);
int fe_is_letter_class(fe_cc c); /* any script's letters, Han included */
size_t fe_put_utf8(char *dst, uint32_t cp); /* writes 1-4 bytes */
int fe_is_cjk_punct(uint32_t cp);

/* ---- growable strings ------------------------------------------------- */

typedef struct fe_buf {
    char *p;
    size_t n, cap;
    int oom;
} fe_buf;

void fe_buf_add(fe_buf *b, const char *s, size_t n);
void fe_buf_str(fe_buf *b, const char *s);
void fe_buf_cp(fe_buf *b, uint32_t cp);
void fe_buf_free(fe_buf *b);
/* Last code point in the buffer, 0 if empty. */
uint32_t fe_buf_last(const fe_buf *b);
/* Whether joining text ending in a with text starting with b needs a space. */
int fe_join_space(uint32_t a, uint32_t b);

/* ---- the output builder (frontend.c) ------------------------------------ */

typedef struct fe_out fe_out;

/* A word (or several, space separated) in a voice language. */
void fe_out_word(fe_out *o, const char *lang, const char *s, size_t n);
/* Punctuation attached to the word before. cut: FE_CUT_CLAUSE closes the
 * clause (a pause follows); FE_CUT_NONE keeps it inside the run. */
void fe_out_punct(fe_out *o, const char *s, fe_cut_kind cut);
void fe_out_dropped(fe_out *o, size_t n);

/* ---- normalization (normalize.c) --------------------------------------- */

typedef enum fe_nlang {
    FE_NL_EN = 0,   /* English rules */
    FE_NL_ZH = 1,   /* Mandarin rules */
    FE_NL_PASS = 2, /* other languages: the voice reads digits itself */
} fe_nlang;

typedef enum fe_sayas {
    FE_SAYAS_NONE = 0,
    FE_SAYAS_CHARACTERS,
    FE_SAYAS_DIGITS,
    FE_SAYAS_CARDINAL,
    FE_SAYAS_ORDINAL,
    FE_SAYAS_DATE,
    FE_SAYAS_TIME,
    FE_SAYAS_TELEPHONE,
    FE_SAYAS_CURRENCY,
} fe_sayas;

#define FE_NUM_DIGITS 40

/* A number as written: digits without separators. */
typedef struct fe_num {
    int neg;
    int point;                  /* had a decimal point */
    char ip[FE_NUM_DIGITS + 1]; /* integer digits (leading zeros kept) */
    char fp[FE_NUM_DIGITS + 1]; /* fraction digits */
} fe_num;

typedef struct fe_norm {
    fe_out *out;
    fe_nlang base;
    const char *latin_tag; /* voice language of Latin words */
    const char *han_tag;
    const char *base_tag;  /* FE_NL_PASS: the declared language */
    fe_sayas sayas;
    char sayas_format[8];
    int sentence_final; /* the text being normalized ends its sentence */
    /* context carried across the pieces of one sentence */
    char prev[3][16];  /* the last Latin words, lower case, newest first; "#" a number */
    char han_tail[16]; /* the last Han characters (up to 4), "" after a non-Han token */
    int last_year;     /* the last number was read as a year */
    int prev_cap;      /* the last Latin word was capitalized */
} fe_norm;

void fe_norm_reset_context(fe_norm *n);
void fe_normalize(fe_norm *n, const char *s, size_t len);

/* Currencies, units and joining words the verbalizers know. */
typedef enum fe_currency {
    FE_CUR_USD,
    FE_CUR_EUR,
    FE_CUR_GBP,
    FE_CUR_CNY,
    FE_CUR_JPY,
    FE_CUR_HKD,
    FE_CUR_KRW,
    FE_CUR_INR,
    FE_CUR_COUNT
} fe_currency;

typedef enum fe_scale {
    FE_SCALE_NONE,
    FE_SCALE_THOUSAND,
    FE_SCALE_MILLION,
    FE_SCALE_BILLION,
    FE_SCALE_TRILLION,
    FE_SCALE_WAN, /* 万 */
    FE_SCALE_YI,  /* 亿 */
} fe_scale;

typedef enum fe_unit {
    FE_U_MM, FE_U_CM, FE_U_M, FE_U_KM, FE_U_IN, FE_U_FT, FE_U_YD, FE_U_MI,
    FE_U_MPH, FE_U_KMH, FE_U_MPS,
    FE_U_MG, FE_U_G, FE_U_KG, FE_U_LB, FE_U_OZ, FE_U_T,
    FE_U_ML, FE_U_L, FE_U_GAL,
    FE_U_MS, FE_U_S, FE_U_MIN, FE_U_H,
    FE_U_KB, FE_U_MB, FE_U_GB, FE_U_TB, FE_U_KBPS, FE_U_MBPS, FE_U_GBPS,
    FE_U_HZ, FE_U_KHZ, FE_U_MHZ, FE_U_GHZ,
    FE_U_W, FE_U_KW, FE_U_KWH, FE_U_V, FE_U_MAH,
    FE_U_PX, FE_U_DB, FE_U_FPS, FE_U_CAL, FE_U_KCAL,
    FE_U_CELSIUS, FE_U_FAHRENHEIT, FE_U_DEGREE,
    FE_U_SQM, FE_U_SQKM, FE_U_SQFT,
    FE_U_THOUSAND, /* 5k */
    FE_U_TIMES,    /* 2x */
    FE_U_COUNT
} fe_unit;

typedef enum fe_word {
    FE_W_TO,       /* ranges: "to", 到 */
    FE_W_POINT,    /* versions: "point", 点 */
    FE_W_DOT,      /* URLs, IPs: "dot", 点 */
    FE_W_AT,       /* e-mail: "at", 艾特 */
    FE_W_SLASH,
    FE_W_DASH,
    FE_W_UNDERSCORE,
    FE_W_COLON,
    FE_W_QUESTION,
    FE_W_EQUALS,
    FE_W_AND,
    FE_W_HASH,
    FE_W_PLUS,
    FE_W_TILDE,
    FE_W_PERCENT,
    FE_W_BY,       /* 1920x1080: "by", 乘 */
    FE_W_RATIO,    /* 3:2: "to", 比 */
    FE_W_HASHTAG,
    FE_W_MINUS,    /* 5 - 3: "minus", 减 */
    FE_W_ABOUT,    /* ~5: "about", 约 */
    FE_W_COUNT
} fe_word;

/* How one language says things (normalize_en.c, normalize_zh.c). */
typedef struct fe_lang_ops {
    /* cardinal or decimal; measure: a measure word or unit follows (zh 两) */
    void (*number)(fe_norm *n, const fe_num *x, int measure);
    void (*ordinal)(fe_norm *n, const fe_num *x);
    /* digit by digit; phone: a telephone or account number (zh 幺) */
    void (*digits)(fe_norm *n, const char *d, size_t len, int phone);
    void (*year)(fe_norm *n, const char *d, size_t len);
    /* y may be NULL; m 0 (none) or 1-12; d 0 (none) or 1-31; day_hao: zh 号 not 日 */
    void (*date)(fe_norm *n, const char *y, size_t ylen, int m, int d, int day_hao);
    /* s < 0: no seconds; ampm 0 none, 1 a.m., 2 p.m. */
    void (*time)(fe_norm *n, int h, int m, int s, int ampm);
    void (*money)(fe_norm *n, fe_currency cur, const fe_num *x, fe_scale scale);
    void (*percent)(fe_norm *n, const fe_num *x, int permille);
    /* whole may be NULL */
    void (*fraction)(fe_norm *n, const fe_num *whole, const fe_num *num, const fe_num *den);
    /* x NULL: the unit alone */
    void (*unit)(fe_norm *n, const fe_num *x, fe_unit unit);
    void (*decade)(fe_norm *n, const fe_num *x);
    void (*number_sign)(fe_norm *n, const fe_num *x); /* No. 5, #5 */
    void (*word)(fe_norm *n, fe_word w);
    /* Names a symbol in text; returns 0 when it has no name here (dropped). */
    int (*symbol)(fe_norm *n, uint32_t cp);
    /* Spells letters and digits one by one. */
    void (*spell)(fe_norm *n, const char *s, size_t len);
    /* the whole number 0 for negative temperatures etc. */
    void (*minus)(fe_norm *n, int temperature);
} fe_lang_ops;

extern const fe_lang_ops fe_en_ops;
extern const fe_lang_ops fe_zh_ops;

/* English words the normalizer and segmenter look up (normalize_en.c). */
typedef enum fe_abbr_kind {
    FE_ABBR_TITLE = 1,  /* before a name: Dr. Mr. St. (never ends a sentence) */
    FE_ABBR_NUMBER = 2, /* before a number: No. Fig. p. (never ends a sentence) */
    FE_ABBR_WORD = 3,   /* etc. Inc. Jan.: may end a sentence */
    FE_ABBR_INNER = 4,  /* e.g. i.e. vs.: never ends a sentence */
} fe_abbr_kind;

typedef struct fe_abbr {
    const char *abbr; /* without the final period */
    fe_abbr_kind kind;
    const char *expansion;
    const char *after_name; /* after a capitalized word (Elm St.): "Street"; or NULL */
    int needs_period;
} fe_abbr;

/* Looks up word[0..len) (case-sensitive, then with its first letter
 * capitalized). */
const fe_abbr *fe_en_abbrev(const char *word, size_t len);
/* 1-12 for a month name or abbreviation ("Nov", "november"), else 0. */
int fe_en_month(const char *word, size_t len);
/* 1 if the capitalized token word[0..len) (2-4 capitals) is said as a
 * word (NASA, PIN, FREE); 0 if it is an initialism to spell (OTP, VIP). */
int fe_en_caps_word(const char *word, size_t len);

/* Chinese measure words and units after a number (so 2 reads 两): the
 * number of bytes of s that form one, or 0. */
size_t fe_zh_measure(const char *s, size_t len);

/* ---- SSML (ssml.c) ------------------------------------------------------ */

typedef enum fe_span_kind {
    FE_SPAN_TEXT,    /* text to normalize (sub: its alias) */
    FE_SPAN_PHONES,  /* <phoneme>: ipa, with its text */
    FE_SPAN_BREAK,
    FE_SPAN_MARK,
    FE_SPAN_BOUNDARY, /* <p> or <s> starts or ends: the sentence ends here */
} fe_span_kind;

typedef struct fe_span {
    fe_span_kind kind;
    char *text;   /* TEXT, PHONES: what is read (or shown); MARK: the name */
    size_t len;
    char *ipa;    /* PHONES */
    int break_ms; /* BREAK */
    int paragraph; /* BOUNDARY: a <p> */
    fe_prosody prosody;
    char lang[FE_LANG_MAX]; /* xml:lang in scope, "" when none */
    fe_sayas sayas;
    char sayas_format[8];
    size_t line, column; /* where it starts in the document */
} fe_span;

typedef struct fe_spans {
    fe_span *v;
    size_t n, cap;
} fe_spans;

int fe_ssml_parse(const char *text, size_t len, fe_spans *out, char *err, size_t errlen);
void fe_spans_free(fe_spans *s);

/* The default length of a <break strength>, in ms. */
int fe_break_strength_ms(const char *strength);


/* ---- Mandarin words and tones (zh_words.c, zh_tones.c) ------------------ */

/* A word list: WORD<TAB>COUNT lines sorted by their bytes, words of 1-4 Han
 * characters (assets/lexicon/zh-words.txt). Open gives NULL and a message
 * for a missing, malformed or unsorted file. */
typedef struct fe_zh_lexicon fe_zh_lexicon;
fe_zh_lexicon *fe_zh_lexicon_open(const char *path, char *err, size_t errlen);
void fe_zh_lexicon_close(fe_zh_lexicon *lx);
/* The shipped list, opened on first use (thread-safe); NULL when it is
 * missing or malformed (warned once: sandhi then goes by character pairs). */
const fe_zh_lexicon *fe_zh_lexicon_default(void);
/* The count of the word chars[0..n), 0 when the list lacks it (or lx is NULL). */
uint32_t fe_zh_lexicon_count(const fe_zh_lexicon *lx, const uint32_t *chars, size_t n);
/* Cuts chars[0..n) into the most likely words: start[i] = 1 where a word
 * begins. With lx NULL every character is a word. 0 when out of memory. */
int fe_zh_segment(const fe_zh_lexicon *lx, const uint32_t *chars, size_t n, unsigned char *start);

#define FE_ZH_MAX_SYL_PHONES 8

/* One Mandarin syllable as espeak-ng gave it. */
typedef struct fe_zh_syl {
    char ph[FE_ZH_MAX_SYL_PHONES][16];
    int n;
    int tone; /* citation tone 1-5; 0: none */
    int word; /* index of the espeak word it is in */
} fe_zh_syl;

/* Corrects espeak-ng's citation tones (and 地's spelling) from the Han
 * characters, one per syllable. */
void fe_zh_lexical_tones(fe_zh_syl *syl, size_t n, const uint32_t *chars);
/* Tones after sandhi into out[0..n): 1-5, or 6 for the half third. chars
 * (one per syllable) may be NULL: then no 一/不 rules and each syllable is a
 * word. brk (may be NULL): brk[i] = 1 when a phrase break (punctuation)
 * comes before syllable i. 0 when out of memory. */
int fe_zh_sandhi(const fe_zh_syl *syl, size_t n, const uint32_t *chars, const unsigned char *brk,
                 int *out);

#endif
