/* espeak_voice.c: the espeak-ng voice kind, the baseline and fallback voice.
 * Real formant speech from libespeak-ng with its phoneme events (IPA names,
 * exact sample positions), word, sentence and SSML mark events. */
#include <espeak-ng/speak_lib.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/utf8.h"
#include "tts/voice.h"

#define ESPK_CHUNK_MS 40
#define ESPK_MAX_CHUNK 4096

/* libespeak-ng keeps global state: one synthesis at a time, process-wide. */
static pthread_mutex_t espk_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t espk_once = PTHREAD_ONCE_INIT;
static int espk_rate_hz = -1;

typedef struct espk_voice {
    char language[64];
    int rate_wpm;
} espk_voice;

/* Per-synthesis context handed to the callback. */
typedef struct espk_ctx {
    const tts_sink *sink;
    const char *text;
    size_t text_len;
    int64_t samples_done;
    int stop;
    float pcm[ESPK_MAX_CHUNK];
    tts_event pending_word;
    int has_word;
    tts_event pending_sentence;
    int has_sentence;
} espk_ctx;

static void espk_init(void)
{
    espk_rate_hz = espeak_Initialize(AUDIO_OUTPUT_SYNCHRONOUS, ESPK_CHUNK_MS, NULL,
                                     espeakINITIALIZE_PHONEME_EVENTS |
                                         espeakINITIALIZE_PHONEME_IPA |
                                         espeakINITIALIZE_DONT_EXIT);
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
    espk_voice *v = calloc(1, sizeof *v);
    if (!v) {
        snprintf(err, errlen, "out of memory");
        return SZ_ERR_NO_MEMORY;
    }
    snprintf(v->language, sizeof v->language, "%s", language);
    v->rate_wpm = (int)(175.0f * rate + 0.5f);
    if (v->rate_wpm < espeakRATE_MINIMUM)
        v->rate_wpm = espeakRATE_MINIMUM;
    if (v->rate_wpm > espeakRATE_MAXIMUM)
        v->rate_wpm = espeakRATE_MAXIMUM;
    *state = v;
    return SZ_OK;
}

static int espk_sample_rate(void *state)
{
    (void)state;
    return espk_rate_hz;
}

static void espk_emit(espk_ctx *c, const tts_event *ev)
{
    if (!c->stop && c->sink->on_event && c->sink->on_event(c->sink->user, ev))
        c->stop = 1;
}

/* Copies characters [pos, pos+len) of the input (1-based char position as
 * espeak reports it) into dst, trimmed. */
static void espk_text_span(const espk_ctx *c, int pos, int len, char *dst, size_t cap)
{
    dst[0] = 0;
    if (pos < 1 || len < 0)
        return;
    size_t a = utf8_char_offset(c->text, c->text_len, (size_t)pos - 1);
    size_t b = len > 0 ? utf8_char_offset(c->text, c->text_len, (size_t)(pos - 1 + len))
                       : c->text_len;
    while (a < b && (c->text[a] == ' ' || c->text[a] == '\n' || c->text[a] == '\t'))
        a++;
    while (b > a && (c->text[b - 1] == ' ' || c->text[b - 1] == '\n' || c->text[b - 1] == '\t'))
        b--;
    size_t n = b - a;
    if (n >= cap) { /* cut on a character boundary */
        n = cap - 1;
        while (n > 0 && ((unsigned char)c->text[a + n] & 0xC0) == 0x80)
            n--;
    }
    memcpy(dst, c->text + a, n);
    dst[n] = 0;
}

static void espk_close_pending(espk_ctx *c, tts_event *pending, int *has, int64_t at)
{
    if (!*has)
        return;
    pending->end = at > pending->start ? at : pending->start;
    espk_emit(c, pending);
    *has = 0;
}

/* The sentence event holds the char position in .end until it closes. */
static void espk_finish_sentence(espk_ctx *c, int next_char_pos, int64_t at)
{
    if (!c->has_sentence)
        return;
    int pos = (int)c->pending_sentence.end;
    int len = next_char_pos > pos ? next_char_pos - pos : 0; /* 0: to the end */
    espk_text_span(c, pos, len, c->pending_sentence.value, sizeof c->pending_sentence.value);
    espk_close_pending(c, &c->pending_sentence, &c->has_sentence, at);
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
            espk_close_pending(c, &c->pending_word, &c->has_word, at);
        espk_emit(c, &ph);
        break;
    }
    case espeakEVENT_WORD:
        espk_close_pending(c, &c->pending_word, &c->has_word, at);
        memset(&c->pending_word, 0, sizeof c->pending_word);
        c->pending_word.type = TTS_EV_WORD;
        c->pending_word.start = at;
        espk_text_span(c, ev->text_position, ev->length, c->pending_word.value,
                       sizeof c->pending_word.value);
        c->has_word = 1;
        break;
    case espeakEVENT_SENTENCE:
        espk_finish_sentence(c, ev->text_position, at);
        memset(&c->pending_sentence, 0, sizeof c->pending_sentence);
        c->pending_sentence.type = TTS_EV_SENTENCE;
        c->pending_sentence.start = at;
        /* The sentence's text: from here to the end; cut at the next sentence. */
        c->pending_sentence.end = ev->text_position; /* char position, fixed on close */
        c->has_sentence = 1;
        break;
    case espeakEVENT_END:
        espk_close_pending(c, &c->pending_word, &c->has_word, at);
        break;
    case espeakEVENT_MARK: {
        tts_event m = {.type = TTS_EV_MARK, .start = at, .end = at};
        snprintf(m.value, sizeof m.value, "%s", ev->id.name ? ev->id.name : "");
        espk_emit(c, &m);
        break;
    }
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
        for (int i = 0; i < m; i++)
            c->pcm[i] = (float)wav[done + i] * (1.0f / 32768.0f);
        if (c->sink->on_audio(c->sink->user, c->pcm, (size_t)m)) {
            c->stop = 1;
            return 1;
        }
        done += m;
    }
    c->samples_done += n;
    return 0;
}

static int espk_synthesize(void *state, const char *text, int flags, const tts_sink *sink,
                           char *err, size_t errlen)
{
    espk_voice *v = state;
    espk_ctx *c = calloc(1, sizeof *c);
    if (!c) {
        snprintf(err, errlen, "out of memory");
        return SZ_ERR_NO_MEMORY;
    }
    c->sink = sink;
    c->text = text;
    c->text_len = strlen(text);

    pthread_mutex_lock(&espk_lock);
    espeak_SetSynthCallback(espk_callback);
    int rc = SZ_OK;
    if (espeak_SetVoiceByName(v->language) != EE_OK) {
        snprintf(err, errlen, "espeak-ng: cannot select voice '%s'", v->language);
        rc = SZ_ERR_NOT_FOUND;
        goto done;
    }
    espeak_SetParameter(espeakRATE, v->rate_wpm, 0);
    unsigned int synth_flags = espeakCHARS_UTF8 | ((flags & SZ_SAY_SSML) ? espeakSSML : 0);
    espeak_ERROR e = espeak_Synth(text, c->text_len + 1, 0, POS_CHARACTER, 0, synth_flags, NULL, c);
    if (e != EE_OK) {
        snprintf(err, errlen, "espeak-ng: synthesis failed (error %d)", (int)e);
        rc = SZ_ERR_INTERNAL;
        goto done;
    }
    espeak_Synchronize();
    if (!c->stop) {
        espk_close_pending(c, &c->pending_word, &c->has_word, c->samples_done);
        espk_finish_sentence(c, 0, c->samples_done);
    }
    if (c->stop)
        rc = SZ_ERR_CANCELLED;
done:
    pthread_mutex_unlock(&espk_lock);
    free(c);
    return rc;
}

static void espk_destroy(void *state) { free(state); }

const tts_voice_kind tts_espeak_kind = {
    .kind = "espeak",
    .list = espk_list,
    .open = espk_open,
    .sample_rate = espk_sample_rate,
    .synthesize = espk_synthesize,
    .destroy = espk_destroy,
};
