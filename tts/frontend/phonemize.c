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


static int phz_mandarin(const char *raw, const char *text, fe_phones *out, char *err,
                        size_t errlen)
{
    size_t cap = 16, n = 0;
    fe_zh_syl *syl = malloc(cap * sizeof *syl);
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
        fe_zh_syl cur = {.n = 0, .tone = 0, .word = word};
        for (int k = 0; k < nn; k++) {
            char *nm = names[k];
            size_t l = strlen(nm), d = l;
            while (d > 0 && nm[d - 1] >= '0' && nm[d - 1] <= '9')
                d--;
            int tone = d < l ? phz_tone(nm + d) : 0;
            nm[d] = 0;
            const char *ipa = phz_cmn_ipa(nm);
            if (cur.n < FE_ZH_MAX_SYL_PHONES)
                snprintf(cur.ph[cur.n++], sizeof cur.ph[0], "%.15s", ipa ? ipa : nm);
            if (!tone)
                continue;
            cur.tone = tone;
            if (k + 1 < nn && (!strcmp(names[k + 1], "n") || !strcmp(names[k + 1], "N")) &&
                (k + 2 >= nn || !(names[k + 2][strlen(names[k + 2]) - 1] >= '0' &&
                                  names[k + 2][strlen(names[k + 2]) - 1] <= '9'))) {
                const char *coda = phz_cmn_ipa(names[k + 1]);
                if (cur.n < FE_ZH_MAX_SYL_PHONES)
                    snprintf(cur.ph[cur.n++], sizeof cur.ph[0], "%s", coda ? coda : "n");
                k++;
            }
            if (n == cap) {
                cap *= 2;
                fe_zh_syl *v = realloc(syl, cap * sizeof *v);
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
                fe_zh_syl *v = realloc(syl, cap * sizeof *v);
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
    unsigned char *brk = malloc(nt + 1); /* punctuation before the character */
    size_t nc = 0, len = strlen(text), i = 0;
    int punct = 0;
    while (chars && brk && i < len) {
        size_t k;
        uint32_t cp = fe_next(text, len, i, &k);
        fe_cc cc = fe_class(cp);
        if (cc == FE_CC_HAN) {
            if (nc == nt) {
                nc = nt + 1;
                break;
            }
            brk[nc] = (unsigned char)(nc > 0 && punct);
            chars[nc++] = cp;
            punct = 0;
        } else if (cc == FE_CC_PUNCT) {
            punct = 1;
        }
        i += k ? k : 1;
    }
    if (!chars || !brk || nc != nt) { /* not one character per syllable */
        free(chars);
        free(brk);
        chars = NULL;
        brk = NULL;
    }
    int *tones = malloc((n + 1) * sizeof *tones);
    if (!tones) {
        free(chars);
        free(brk);
        goto oom;
    }
    /* sandhi over the toned syllables */
    fe_zh_syl *toned = malloc((nt + 1) * sizeof *toned);
    int *tt = malloc((nt + 1) * sizeof *tt);
    if (!toned || !tt) {
        free(chars);
        free(brk);
        free(tones);
        free(toned);
        free(tt);
        goto oom;
    }
    size_t m = 0;
    for (size_t k = 0; k < n; k++)
        if (syl[k].tone)
            toned[m++] = syl[k];
    if (chars)
        fe_zh_lexical_tones(toned, m, chars);
    int sandhi_ok = fe_zh_sandhi(toned, m, chars, brk, tt);
    free(brk);
    if (!sandhi_ok) {
        free(chars);
        free(tones);
        free(toned);
        free(tt);
        goto oom;
    }
    m = 0;
    for (size_t k = 0; k < n; k++) {
        if (syl[k].tone) {
            memcpy(syl[k].ph, toned[m].ph, sizeof syl[k].ph); /* 地 may be respelled */
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
