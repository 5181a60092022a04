/* SPDX-License-Identifier: Apache-2.0 */
/* espeak_voice.c: the espeak-ng voice kind, the baseline and fallback voice.
 * Real formant speech from libespeak-ng with its phoneme events (IPA names,
 * exact sample positions) and word events, one run of one language at a
 * time; and phonemes for the text frontend. */
#include <espeak-ng/speak_lib.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/utf8.h"
#include "tts/espeak_voice.h"
#include "tts/voice.h"

#define ESPK_CHUNK_MS 40
#define ESPK_MAX_CHUNK 4096
#define ESPK_LANG_MAX 64

/* libespeak-ng keeps global state: one synthesis at a time, process-wide. */
static pthread_mutex_t espk_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t espk_once = PTHREAD_ONCE_INIT;
static int espk_rate_hz = -1;
static char espk_selected[ESPK_LANG_MAX]; /* the language espeak has loaded now */
static char espk_cmn_voice[ESPK_LANG_MAX]; /* which espeak voice reads Han as Mandarin */

typedef struct espk_voice {
    char language[ESPK_LANG_MAX];
    int rate_wpm;
    float pitch; /* multiplier of espeak's base pitch (50 on its 0..100 scale) */
} espk_voice;

/* Per-synthesis context handed to the callback. */
typedef struct espk_ctx {
    const tts_sink *sink;
    const char *orig;   /* the run as given (word events quote it) */
    size_t orig_len;
    const int *map;     /* character i of the text espeak reads -> character of orig */
    size_t map_len;
    float gain;
    int64_t samples_done;
    int stop;
    float pcm[ESPK_MAX_CHUNK];
    tts_event pending_word;
    int has_word;
} espk_ctx;

static void espk_init(void)
{
    /* espeak-ng 1.51 opens an audio device even for synchronous output, and
     * PulseAudio then complains on stderr (no server, no home directory) */
    log_stderr_hold q;
    log_stderr_hold_begin(&q);
    espk_rate_hz = espeak_Initialize(AUDIO_OUTPUT_SYNCHRONOUS, ESPK_CHUNK_MS, NULL,
                                     espeakINITIALIZE_PHONEME_EVENTS |
                                         espeakINITIALIZE_PHONEME_IPA |
                                         espeakINITIALIZE_DONT_EXIT);
    log_stderr_hold_end(&q);
}

static int espk_ready(char *err, size_t errlen)
{
    pthread_once(&espk_once, espk_init);
    if (espk_rate_hz <= 0) {
        snprintf(err, errlen, "libespeak-ng failed to initialize (is espeak-ng-data installed?)");
        return SZ_ERR_IO;
    }
    return SZ_OK;
}

/* First language code of an espeak voice entry ("en-us"). */
static const char *espk_voice_language(const espeak_VOICE *v)
{
    return v->languages && v->languages[0] ? v->languages + 1 : NULL;
}

static int espk_list(sz_voice_list_fn fn, void *user)
{
    char err[128];
    if (espk_ready(err, sizeof err) != SZ_OK)
        return SZ_OK; /* nothing installed */
    pthread_mutex_lock(&espk_lock);
    const espeak_VOICE **voices = espeak_ListVoices(NULL);
    int rc = SZ_OK;
    for (int i = 0; voices && voices[i] && rc == SZ_OK; i++) {
        const char *lang = espk_voice_language(voices[i]);
        if (!lang || strncmp(voices[i]->identifier, "mb/", 3) == 0)
            continue;
        int seen = 0; /* two voices can share a language (yue): the first one names it */
        for (int j = 0; j < i && !seen; j++) {
            const char *l = espk_voice_language(voices[j]);
            seen = l && strncmp(voices[j]->identifier, "mb/", 3) != 0 && strcasecmp(l, lang) == 0;
        }
        if (seen)
            continue;
        char name[96];
        snprintf(name, sizeof name, "espeak:%s", lang);
        sz_voice_info info = {.name = name,
                              .kind = "espeak",
                              .language = lang,
                              .sample_rate_hz = espk_rate_hz,
                              .description = voices[i]->name};
        if (fn(&info, user))
            rc = 1;
    }
    pthread_mutex_unlock(&espk_lock);
    return rc;
}

static int espk_language_exists(const char *language)
{
    const espeak_VOICE **voices = espeak_ListVoices(NULL);
    for (int i = 0; voices && voices[i]; i++) {
        const char *lang = espk_voice_language(voices[i]);
        if (lang && strcasecmp(lang, language) == 0)
            return 1;
    }
    return 0;
}

/* ---- choosing the espeak voice for a run's language (lock held) -------- */

static int espk_set(const char *name)
{
    if (espeak_SetVoiceByName(name) == EE_OK)
        return 1;
    espeak_VOICE want;
    memset(&want, 0, sizeof want);
    want.languages = name;
    return espeak_SetVoiceByProperties(&want) == EE_OK;
}

/* Debian's espeak-ng 1.51 "cmn" voice spells its dictionary's pinyin with
 * English rules ("你" comes out as "nee three"); "cmn-latn-pinyin" reads Han
 * properly. Probe once which one works. */
static void espk_probe_cmn(void)
{
    if (espk_cmn_voice[0])
        return;
    static const char *const candidates[] = {"cmn", "cmn-latn-pinyin"};
    snprintf(espk_cmn_voice, sizeof espk_cmn_voice, "cmn");
    for (size_t k = 0; k < sizeof candidates / sizeof candidates[0]; k++) {
        if (espeak_SetVoiceByName(candidates[k]) != EE_OK)
            continue;
        const void *p = "\xE4\xBD\xA0"; /* 你 */
        const char *ph = espeak_TextToPhonemes(&p, espeakCHARS_UTF8, espeakPHONEMES_IPA);
        if (ph && !strstr(ph, "(en)")) {
            snprintf(espk_cmn_voice, sizeof espk_cmn_voice, "%s", candidates[k]);
            break;
        }
    }
    espk_selected[0] = 0;
}

static void espk_lower(const char *s, char *d, size_t cap)
{
    size_t n = 0;
    for (; s[n] && n + 1 < cap; n++)
        d[n] = (char)(s[n] >= 'A' && s[n] <= 'Z' ? s[n] - 'A' + 'a' : s[n]);
    d[n] = 0;
}

static int espk_select(const char *language, char *err, size_t errlen)
{
    char tag[ESPK_LANG_MAX];
    espk_lower(language, tag, sizeof tag);
    const char *name = tag;
    if (!strcmp(tag, "yue") || !strcmp(tag, "zh-yue") || !strcmp(tag, "zh-hk")) {
        name = "yue";
    } else if (!strncmp(tag, "cmn", 3) || !strcmp(tag, "zh") || !strncmp(tag, "zh-", 3)) {
        espk_probe_cmn();
        name = espk_cmn_voice;
    } else if (!strcmp(tag, "en")) {
        name = "en-us";
    }
    if (strcmp(espk_selected, name) == 0)
        return SZ_OK;
    int ok = espk_set(name);
    if (!ok) {
        char primary[ESPK_LANG_MAX];
        snprintf(primary, sizeof primary, "%s", name);
        char *dash = strchr(primary, '-');
        if (dash) {
            *dash = 0;
            ok = espk_set(primary);
        }
    }
    if (!ok) {
        espk_selected[0] = 0;
        snprintf(err, errlen, "espeak-ng has no voice for language '%s'", language);
        return SZ_ERR_UNSUPPORTED;
    }
    snprintf(espk_selected, sizeof espk_selected, "%s", name);
    return SZ_OK;
}

static int espk_is_english(const char *language)
{
    return (language[0] == 'e' || language[0] == 'E') && (language[1] == 'n' || language[1] == 'N') &&
           (language[2] == 0 || language[2] == '-');
}

/* ---- text as espeak should read it --------------------------------------- */

static int espk_upper_letter_token(const char *s, size_t a, size_t b)
{
    return b == a + 1 && s[a] >= 'A' && s[a] <= 'Z';
}

static int espk_number_word(const char *s, size_t a, size_t b)
{
    static const char *const w[] = {"zero", "one", "two", "three", "four", "five", "six",
                                    "seven", "eight", "nine", "ten", "eleven", "twelve",
                                    "twenty", "thirty", "forty", "fifty", "hundred", NULL};
    for (int k = 0; w[k]; k++)
        if (strlen(w[k]) == b - a && strncmp(s + a, w[k], b - a) == 0)
            return 1;
    return 0;
}

static int espk_letter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

/* English voices read a lone capital A in a spelled sequence ("U S A", "A
 * four", "A M") as the article; "eh" says the letter. Returns the text to
 * read (malloc'd) and, in *map, each of its characters' index in text. */
static char *espk_prepare(const char *text, int english, int **map, size_t *map_len)
{
    size_t len = strlen(text);
    char *out = malloc(2 * len + 1);
    int *m = malloc((2 * len + 2) * sizeof *m);
    if (!out || !m) {
        free(out);
        free(m);
        return NULL;
    }
    size_t o = 0, chars_in = 0, chars_out = 0;
    size_t prev_a = 0, prev_b = 0;
    int have_prev = 0;
    size_t i = 0;
    while (i < len) {
        if (english && espk_letter(text[i]) && (i == 0 || !espk_letter(text[i - 1]))) {
            size_t a = i, b = i;
            while (b < len && espk_letter(text[b]))
                b++;
            int spell = 0;
            if (b == a + 1 && text[a] == 'A' && (b >= len || text[b] == ' ' || text[b] == ',' ||
                                                  text[b] == '.' || text[b] == '?' ||
                                                  text[b] == '!' || text[b] == ';')) {
                size_t na = b;
                while (na < len && text[na] == ' ')
                    na++;
                size_t nb = na;
                while (nb < len && espk_letter(text[nb]))
                    nb++;
                int next_word = b < len && text[b] == ' ' && nb > na;
                if (have_prev && espk_upper_letter_token(text, prev_a, prev_b) &&
                    prev_b + 1 == a)
                    spell = 1;
                else if (!next_word)
                    spell = 1;
                else if (espk_upper_letter_token(text, na, nb) || espk_number_word(text, na, nb))
                    spell = 1;
            }
            if (spell) {
                out[o] = 'e';
                m[chars_out++] = (int)chars_in;
                out[o + 1] = 'h';
                m[chars_out++] = (int)chars_in;
                o += 2;
                chars_in++;
                i = b;
            } else {
                memcpy(out + o, text + a, b - a);
                for (size_t k = a; k < b; k++)
                    m[chars_out++] = (int)chars_in++;
                o += b - a;
                i = b;
            }
            prev_a = a;
            prev_b = b;
            have_prev = 1;
            continue;
        }
        out[o++] = text[i];
        if (((unsigned char)text[i] & 0xC0) != 0x80)
            m[chars_out++] = (int)chars_in++;
        if (text[i] != ' ' && !espk_letter(text[i]))
            have_prev = 0;
        i++;
    }
    out[o] = 0;
    m[chars_out] = (int)chars_in;
    *map = m;
    *map_len = chars_out + 1;
    return out;
}

/* IPA to espeak-ng English phoneme names; longer symbols first. */
static const struct {
    const char *ipa, *en;
} espk_ipa_en[] = {
    {"aɪɚ", "aI3"}, {"aɪə", "aI@"}, {"aʊɚ", "aU3"}, {"ɑːɹ", "A@"}, {"ɔːɹ", "o@"},
    {"oːɹ", "o@"},  {"ɛɹ", "e@"},   {"eə", "e@"},   {"ɪɹ", "i@3"}, {"ɪə", "i@"},
    {"iə", "i@"},   {"ʊɹ", "U@"},   {"ʊə", "U@"},   {"aɪ", "aI"},  {"aʊ", "aU"},
    {"ɔɪ", "OI"},   {"eɪ", "eI"},   {"oʊ", "oU"},   {"əʊ", "oU"},  {"tʃ", "tS"},
    {"t͡ʃ", "tS"},   {"dʒ", "dZ"},   {"d͡ʒ", "dZ"},   {"n̩", "n-"},   {"l̩", "l-"},
    {"ɜː", "3:"},   {"ɑː", "A:"},   {"iː", "i:"},   {"uː", "u:"},  {"ɔː", "O:"},
    {"oː", "o:"},   {"θ", "T"},     {"ð", "D"},     {"ʃ", "S"},    {"ʒ", "Z"},
    {"ŋ", "N"},     {"ɹ", "r"},     {"ɾ", "t#"},    {"ʔ", "?"},    {"ɡ", "g"},
    {"ɫ", "l"},     {"ɑ", "A"},     {"ɒ", "0"},     {"æ", "a"},    {"ʌ", "V"},
    {"ə", "@"},     {"ɚ", "3"},     {"ɜ", "3"},     {"ɛ", "E"},    {"ɪ", "I"},
    {"ʊ", "U"},     {"ɔ", "O"},     {"ɐ", "a#"},    {"ᵻ", "I#"},   {"ɨ", "I#"},
    {"ˈ", "'"},     {"ˌ", ","},     {"ː", ":"},     {"'", "'"},    {",", ","},
    {"p", "p"},     {"b", "b"},     {"t", "t"},     {"d", "d"},    {"k", "k"},
    {"g", "g"},     {"f", "f"},     {"v", "v"},     {"s", "s"},    {"z", "z"},
    {"h", "h"},     {"m", "m"},     {"n", "n"},     {"l", "l"},    {"w", "w"},
    {"j", "j"},     {"r", "r"},     {"x", "x"},     {"i", "i"},    {"u", "u:"},
    {"e", "e"},     {"o", "o"},     {"a", "a"},     {".", ""},     {"|", ""},
};

int tts_espeak_ipa_to_en(const char *ipa, char *dst, size_t cap, char *err, size_t errlen)
{
    size_t o = 0, i = 0, n = strlen(ipa);
    while (i < n) {
        if (ipa[i] == ' ') {
            if (o + 1 >= cap)
                goto full;
            if (o && dst[o - 1] != ' ')
                dst[o++] = ' ';
            i++;
            continue;
        }
        size_t k = 0, best = 0, best_len = 0;
        for (k = 0; k < sizeof espk_ipa_en / sizeof espk_ipa_en[0]; k++) {
            size_t l = strlen(espk_ipa_en[k].ipa);
            if (l > best_len && i + l <= n && memcmp(ipa + i, espk_ipa_en[k].ipa, l) == 0) {
                best = k;
                best_len = l;
            }
        }
        if (!best_len) {
            size_t cl = 1;
            while (i + cl < n && ((unsigned char)ipa[i + cl] & 0xC0) == 0x80)
                cl++;
            snprintf(err, errlen, "IPA symbol '%.*s' has no espeak-ng English phoneme", (int)cl,
                     ipa + i);
            return 0;
        }
        size_t el = strlen(espk_ipa_en[best].en);
        if (o + el + 1 >= cap)
            goto full;
        memcpy(dst + o, espk_ipa_en[best].en, el);
        o += el;
        i += best_len;
    }
    dst[o] = 0;
    return 1;
full:
    snprintf(err, errlen, "IPA string too long");
    return 0;
}

/* ---- opening ---------------------------------------------------------------- */

static int espk_open(const char *variant, const tts_voice_params *params, void **state, char *err,
                     size_t errlen)
{
    int rc = espk_ready(err, errlen);
    if (rc != SZ_OK)
        return rc;
    const char *language = variant && *variant ? variant : "en-us";
    if (strlen(language) >= sizeof(((espk_voice *)0)->language)) {
        snprintf(err, errlen, "unknown voice 'espeak:%s'", language);
        return SZ_ERR_NOT_FOUND;
    }
    pthread_mutex_lock(&espk_lock);
    int exists = espk_language_exists(language);
    pthread_mutex_unlock(&espk_lock);
    if (!exists) {
        snprintf(err, errlen, "unknown voice 'espeak:%s' (run 'shuzi voices' to list them)",
                 language);
        return SZ_ERR_NOT_FOUND;
    }
    float rate = params && params->speaking_rate > 0 ? params->speaking_rate : 1.0f;
    if (rate < 0.3f || rate > 3.0f) {
        snprintf(err, errlen, "speaking rate %.2f out of range [0.3, 3.0]", rate);
        return SZ_ERR_INVALID_ARG;
    }
    float pitch = params && params->pitch > 0 ? params->pitch : 1.0f;
    if (pitch < 0.5f || pitch > 2.0f) {
        snprintf(err, errlen, "pitch %.2f out of range [0.5, 2.0]", pitch);
        return SZ_ERR_INVALID_ARG;
    }
    espk_voice *v = calloc(1, sizeof *v);
    if (!v) {
        snprintf(err, errlen, "out of memory");
        return SZ_ERR_NO_MEMORY;
    }
    snprintf(v->language, sizeof v->language, "%s", language);
    v->rate_wpm = (int)(175.0f * rate + 0.5f);
    v->pitch = pitch;
    *state = v;
    return SZ_OK;
}

static int espk_sample_rate(void *state)
{
    (void)state;
    return espk_rate_hz;
}

static const char *espk_language(void *state) { return ((espk_voice *)state)->language; }

/* ---- synthesis ----------------------------------------------------------------- */

static void espk_emit(espk_ctx *c, const tts_event *ev)
{
    if (!c->stop && c->sink->on_event && c->sink->on_event(c->sink->user, ev))
        c->stop = 1;
}

/* Copies characters [pos, pos+len) of what espeak read (1-based, as espeak
 * reports them) from the run as given, trimmed. */
static void espk_text_span(const espk_ctx *c, int pos, int len, char *dst, size_t cap)
{
    dst[0] = 0;
    if (pos < 1 || len < 0 || (size_t)pos > c->map_len)
        return;
    size_t ca = (size_t)c->map[pos - 1];
    size_t cb = len > 0 && (size_t)(pos - 1 + len) < c->map_len
                    ? (size_t)c->map[pos - 1 + len]
                    : (size_t)c->map[c->map_len - 1];
    size_t a = utf8_char_offset(c->orig, c->orig_len, ca);
    size_t b = utf8_char_offset(c->orig, c->orig_len, cb);
    while (a < b && (c->orig[a] == ' ' || c->orig[a] == '\n' || c->orig[a] == '\t'))
        a++;
    while (b > a && (c->orig[b - 1] == ' ' || c->orig[b - 1] == '\n' || c->orig[b - 1] == '\t'))
        b--;
    size_t n = b - a;
    if (n >= cap) { /* cut on a character boundary */
        n = cap - 1;
        while (n > 0 && ((unsigned char)c->orig[a + n] & 0xC0) == 0x80)
            n--;
    }
    memcpy(dst, c->orig + a, n);
    dst[n] = 0;
}

static void espk_close_word(espk_ctx *c, int64_t at)
{
    if (!c->has_word)
        return;
    c->pending_word.end = at > c->pending_word.start ? at : c->pending_word.start;
    espk_emit(c, &c->pending_word);
    c->has_word = 0;
}

static void espk_event(espk_ctx *c, const espeak_EVENT *ev)
{
    int64_t at = ev->sample;
    switch (ev->type) {
    case espeakEVENT_PHONEME: {
        /* Sent at once: lip-sync needs each phone as soon as it is known. A
         * phone lasts until the next one starts (the session completes it). */
        tts_event ph = {.type = TTS_EV_PHONE, .start = at, .end = at};
        snprintf(ph.value, sizeof ph.value, "%.8s", ev->id.string);
        if (ph.value[0] == 0) /* a pause ends the word */
            espk_close_word(c, at);
        espk_emit(c, &ph);
        break;
    }
    case espeakEVENT_WORD:
        espk_close_word(c, at);
        memset(&c->pending_word, 0, sizeof c->pending_word);
        c->pending_word.type = TTS_EV_WORD;
        c->pending_word.start = at;
        espk_text_span(c, ev->text_position, ev->length, c->pending_word.value,
                       sizeof c->pending_word.value);
        c->has_word = 1;
        break;
    case espeakEVENT_END:
        espk_close_word(c, at);
        break;
    default:
        break;
    }
}

static int espk_callback(short *wav, int n, espeak_EVENT *events)
{
    espk_ctx *c = events ? (espk_ctx *)events->user_data : NULL;
    if (!c)
        return 0;
    for (espeak_EVENT *ev = events; ev->type != espeakEVENT_LIST_TERMINATED; ev++)
        espk_event(c, ev);
    if (c->stop)
        return 1;
    int done = 0;
    while (wav && done < n) {
        int m = n - done < ESPK_MAX_CHUNK ? n - done : ESPK_MAX_CHUNK;
        for (int i = 0; i < m; i++) {
            float x = (float)wav[done + i] * (1.0f / 32768.0f) * c->gain;
            c->pcm[i] = x > 1.0f ? 1.0f : x < -1.0f ? -1.0f : x;
        }
        if (c->sink->on_audio(c->sink->user, c->pcm, (size_t)m)) {
            c->stop = 1;
            return 1;
        }
        done += m;
    }
    c->samples_done += n;
    return 0;
}

static int espk_synthesize(void *state, const char *text, const tts_synth_opts *opts,
                           const tts_sink *sink, char *err, size_t errlen)
{
    espk_voice *v = state;
    const char *language = opts->language && opts->language[0] ? opts->language : v->language;
    int english = espk_is_english(language);
    const char *read = text;
    unsigned int synth_flags = espeakCHARS_UTF8;
    char *ipa_buf = NULL;
    if (opts->input == TTS_INPUT_IPA) {
        /* SSML <phoneme>: espeak reads [[...]] in its own phoneme names */
        size_t cap = 4 * strlen(text) + 8;
        ipa_buf = malloc(cap);
        char why[160] = "";
        if (ipa_buf && english && cap > 4) {
            memcpy(ipa_buf, "[[", 2);
            if (tts_espeak_ipa_to_en(text, ipa_buf + 2, cap - 4, why, sizeof why)) {
                strcat(ipa_buf, "]]");
                read = ipa_buf;
                synth_flags |= espeakPHONEMES;
            }
        } else if (!english) {
            snprintf(why, sizeof why, "IPA input is read by English espeak voices only");
        }
        if (read == text) {
            SZ_LOGW("tts", "phoneme \"%s\": %s; saying \"%s\" instead", text, why,
                    opts->display ? opts->display : "");
            read = opts->display ? opts->display : "";
        }
    }
    espk_ctx *c = calloc(1, sizeof *c);
    int *map = NULL;
    size_t map_len = 0;
    char *prepared = c ? espk_prepare(read, english && !(synth_flags & espeakPHONEMES), &map,
                                      &map_len)
                       : NULL;
    if (!c || !prepared) {
        free(c);
        free(ipa_buf);
        snprintf(err, errlen, "out of memory");
        return SZ_ERR_NO_MEMORY;
    }
    c->sink = sink;
    c->orig = read;
    c->orig_len = strlen(read);
    c->map = map;
    c->map_len = map_len;
    c->gain = opts->volume >= 0 ? opts->volume : 1.0f;

    pthread_mutex_lock(&espk_lock);
    espeak_SetSynthCallback(espk_callback);
    int rc = espk_select(language, err, errlen);
    if (rc != SZ_OK)
        goto done;
    float rate = opts->rate > 0 ? opts->rate : 1.0f;
    int wpm = (int)((float)v->rate_wpm * rate + 0.5f);
    if (wpm < espeakRATE_MINIMUM)
        wpm = espeakRATE_MINIMUM;
    if (wpm > espeakRATE_MAXIMUM)
        wpm = espeakRATE_MAXIMUM;
    /* espeak-ng's pitch parameter (0..100, default 50) moves F0 by about 1% a
     * step, exponentially (en-us measured 81, 102, 131, 170 Hz at 25, 50, 75,
     * 100): a multiplier m is 50 + 100 ln m, which reaches 0.6x to 1.65x. */
    float m = v->pitch * (opts->pitch > 0 ? opts->pitch : 1.0f);
    int pitch = (int)lrintf(50.0f + 100.0f * logf(m));
    espeak_SetParameter(espeakRATE, wpm, 0);
    espeak_SetParameter(espeakPITCH, pitch < 0 ? 0 : pitch > 100 ? 100 : pitch, 0);
    espeak_ERROR e = espeak_Synth(prepared, strlen(prepared) + 1, 0, POS_CHARACTER, 0,
                                  synth_flags, NULL, c);
    if (e != EE_OK) {
        snprintf(err, errlen, "espeak-ng: synthesis failed (error %d)", (int)e);
        rc = SZ_ERR_INTERNAL;
        goto done;
    }
    espeak_Synchronize();
    if (!c->stop)
        espk_close_word(c, c->samples_done);
    if (c->stop)
        rc = SZ_ERR_CANCELLED;
done:
    pthread_mutex_unlock(&espk_lock);
    free(prepared);
    free(map);
    free(ipa_buf);
    free(c);
    return rc;
}

int tts_espeak_phonemes(const char *language, const char *text, int ascii, char **out, char *err,
                        size_t errlen)
{
    *out = NULL;
    int rc = espk_ready(err, errlen);
    if (rc != SZ_OK)
        return rc;
    int *map = NULL;
    size_t map_len = 0;
    char *prepared = espk_prepare(text, espk_is_english(language), &map, &map_len);
    free(map);
    if (!prepared) {
        snprintf(err, errlen, "out of memory");
        return SZ_ERR_NO_MEMORY;
    }
    size_t cap = 256, n = 0;
    char *buf = malloc(cap);
    if (!buf) {
        free(prepared);
        snprintf(err, errlen, "out of memory");
        return SZ_ERR_NO_MEMORY;
    }
    buf[0] = 0;
    pthread_mutex_lock(&espk_lock);
    rc = espk_select(language, err, errlen);
    const void *p = prepared;
    int mode = (ascii ? 0 : espeakPHONEMES_IPA) | ('|' << 8);
    while (rc == SZ_OK && p) {
        const char *ph = espeak_TextToPhonemes(&p, espeakCHARS_UTF8, mode);
        if (!ph)
            break;
        size_t l = strlen(ph);
        if (n + l + 2 > cap) {
            while (n + l + 2 > cap)
                cap *= 2;
            char *b = realloc(buf, cap);
            if (!b) {
                snprintf(err, errlen, "out of memory");
                rc = SZ_ERR_NO_MEMORY;
                break;
            }
            buf = b;
        }
        if (n)
            buf[n++] = ' ';
        memcpy(buf + n, ph, l);
        n += l;
        buf[n] = 0;
    }
    pthread_mutex_unlock(&espk_lock);
    free(prepared);
    if (rc != SZ_OK) {
        free(buf);
        return rc;
    }
    *out = buf;
    return SZ_OK;
}

static void espk_destroy(void *state) { free(state); }

const tts_voice_kind tts_espeak_kind = {
    .kind = "espeak",
    .list = espk_list,
    .open = espk_open,
    .sample_rate = espk_sample_rate,
    .synthesize = espk_synthesize,
    .destroy = espk_destroy,
    .language = espk_language,
};
