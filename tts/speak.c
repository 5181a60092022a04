/* SPDX-License-Identifier: Apache-2.0 */
/* speak.c: says one utterance: runs the text frontend, then drives the
 * voice run by run on one sample clock (breaks as silence, marks as events,
 * the frontend's sentences as sentence events: one when the sentence's first
 * sound or event comes, one with its end after its last run). */
#include <stdio.h>
#include <string.h>

#include "core/log.h"
#include "tts/speak.h"

#define SPEAK_SILENCE_CHUNK 1024

typedef struct speak_ctx {
    const tts_sink *sink;
    int64_t offset;      /* samples said before this run */
    int64_t produced;    /* samples of this run */
    const char *display; /* IPA runs: the words word events report */
    size_t display_pos;
    const char *sentence; /* the sentence as written, announced before its first output */
    int *begun;           /* whether it was announced (shared by its runs) */
} speak_ctx;

static int speak_event(const tts_sink *sink, tts_event_type type, int64_t start, int64_t end,
                       const char *value);

/* Announces the sentence when its first audio or event comes: listeners
 * (burned-in subtitles) show it as written while it is spoken, before its
 * end is known. */
static int speak_begin(speak_ctx *c)
{
    if (*c->begun)
        return 0;
    *c->begun = 1;
    return speak_event(c->sink, TTS_EV_SENTENCE_BEGIN, c->offset, c->offset, c->sentence);
}

static int speak_on_audio(void *user, const float *pcm, size_t n)
{
    speak_ctx *c = user;
    if (speak_begin(c))
        return 1;
    c->produced += (int64_t)n;
    return c->sink->on_audio(c->sink->user, pcm, n);
}

/* The next space-separated word of the display text. */
static void speak_display_word(speak_ctx *c, char *dst, size_t cap)
{
    const char *s = c->display + c->display_pos;
    while (*s == ' ')
        s++;
    size_t n = 0;
    while (s[n] && s[n] != ' ')
        n++;
    if (n == 0) { /* more word events than words: repeat the whole text */
        snprintf(dst, cap, "%s", c->display);
        return;
    }
    if (n >= cap)
        n = cap - 1;
    while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
        n--;
    memcpy(dst, s, n);
    dst[n] = 0;
    c->display_pos = (size_t)(s - c->display) + n;
}

static int speak_on_event(void *user, const tts_event *ev)
{
    speak_ctx *c = user;
    if (ev->type == TTS_EV_SENTENCE || ev->type == TTS_EV_SENTENCE_BEGIN)
        return 0; /* the frontend's sentences replace the voice's */
    if (speak_begin(c))
        return 1;
    tts_event e = *ev;
    e.start += c->offset;
    e.end += c->offset;
    if (e.type == TTS_EV_WORD && c->display)
        speak_display_word(c, e.value, sizeof e.value);
    return c->sink->on_event ? c->sink->on_event(c->sink->user, &e) : 0;
}

static int speak_event(const tts_sink *sink, tts_event_type type, int64_t start, int64_t end,
                       const char *value)
{
    if (!sink->on_event)
        return 0;
    tts_event e = {.type = type, .start = start, .end = end};
    size_t n = strlen(value);
    if (n >= sizeof e.value) { /* cut on a character boundary */
        n = sizeof e.value - 1;
        while (n > 0 && ((unsigned char)value[n] & 0xC0) == 0x80)
            n--;
    }
    memcpy(e.value, value, n);
    e.value[n] = 0;
    return sink->on_event(sink->user, &e);
}

static int speak_silence(const tts_sink *sink, int64_t n)
{
    static const float zeros[SPEAK_SILENCE_CHUNK];
    while (n > 0) {
        size_t m = n > SPEAK_SILENCE_CHUNK ? SPEAK_SILENCE_CHUNK : (size_t)n;
        if (sink->on_audio(sink->user, zeros, m))
            return 1;
        n -= (int64_t)m;
    }
    return 0;
}

int tts_speak_doc(tts_voice *voice, const fe_doc *doc, const tts_sink *sink, char *err,
                  size_t errlen)
{
    int sr = tts_voice_sample_rate(voice);
    int64_t clock = 0;
    for (size_t si = 0; si < doc->n_sentences; si++) {
        const fe_sentence *s = &doc->sentences[si];
        int64_t start = -1, end = -1;
        int begun = 0;
        size_t last = s->first; /* after its last run: the sentence's end is known */
        for (size_t k = s->first; k < s->first + s->count; k++)
            if (doc->items[k].kind == FE_ITEM_TEXT || doc->items[k].kind == FE_ITEM_PHONES)
                last = k;
        for (size_t k = s->first; k < s->first + s->count; k++) {
            const fe_item *it = &doc->items[k];
            switch (it->kind) {
            case FE_ITEM_TEXT:
            case FE_ITEM_PHONES: {
                tts_synth_opts o = tts_synth_default_opts();
                o.language = it->lang;
                o.rate = it->prosody.rate;
                o.pitch = it->prosody.pitch;
                o.volume = it->prosody.volume;
                o.input = it->kind == FE_ITEM_PHONES ? TTS_INPUT_IPA : TTS_INPUT_TEXT;
                o.display = it->kind == FE_ITEM_PHONES ? it->text : NULL;
                speak_ctx c = {.sink = sink,
                               .offset = clock,
                               .display = o.display,
                               .sentence = s->source,
                               .begun = &begun};
                tts_sink wrap = {.on_audio = speak_on_audio, .on_event = speak_on_event,
                                 .user = &c};
                int rc = tts_voice_synthesize(voice, it->kind == FE_ITEM_PHONES ? it->ipa
                                                                                : it->text,
                                              &o, &wrap, err, errlen);
                if (rc == SZ_ERR_UNSUPPORTED) {
                    SZ_LOGW("tts", "%s: skipped \"%.60s\"", err, it->text);
                    err[0] = 0;
                    rc = SZ_OK;
                }
                if (rc != SZ_OK)
                    return rc;
                if (c.produced > 0) {
                    if (start < 0)
                        start = clock;
                    clock += c.produced;
                    end = clock;
                }
                if (k == last && start >= 0 &&
                    speak_event(sink, TTS_EV_SENTENCE, start, end, s->source))
                    return SZ_ERR_CANCELLED;
                break;
            }
            case FE_ITEM_BREAK: {
                int64_t n = (int64_t)it->break_ms * sr / 1000;
                if (n <= 0)
                    break;
                if (speak_event(sink, TTS_EV_PHONE, clock, clock, "") || speak_silence(sink, n))
                    return SZ_ERR_CANCELLED;
                clock += n;
                break;
            }
            case FE_ITEM_MARK:
                if (speak_event(sink, TTS_EV_MARK, clock, clock, it->text))
                    return SZ_ERR_CANCELLED;
                break;
            }
        }
    }
    return SZ_OK;
}

fe_params tts_speak_params(const tts_voice *voice, int flags)
{
    fe_params p = fe_default_params();
    p.ssml = (flags & SZ_SAY_SSML) != 0;
    const char *lang = voice ? tts_voice_language(voice) : "";
    int chinese = !strncmp(lang, "cmn", 3) || !strncmp(lang, "zh", 2) || !strncmp(lang, "yue", 3);
    if (chinese) {
        p.han_lang = lang; /* espeak:yue reads Han in Cantonese */
        p.default_base = "zh";
    } else if (lang[0]) {
        p.latin_lang = lang;
    }
    return p;
}

int tts_speak_check(const tts_voice *voice, const char *text, int flags, char *err, size_t errlen)
{
    if (tts_voice_raw_text(voice))
        return SZ_OK;
    fe_params p = tts_speak_params(voice, flags);
    fe_doc *doc = NULL;
    int rc = fe_process(text, strlen(text), &p, &doc, err, errlen);
    if (rc != SZ_OK)
        return rc;
    if (doc->n_items == 0) {
        snprintf(err, errlen, "nothing to say: the text is empty once emoji and symbols are "
                              "left out");
        rc = SZ_ERR_INVALID_ARG;
    }
    fe_doc_free(&doc);
    return rc;
}

int tts_speak(tts_voice *voice, const char *text, int flags, const tts_sink *sink, char *err,
              size_t errlen)
{
    if (tts_voice_raw_text(voice)) {
        if (flags & SZ_SAY_SSML) {
            snprintf(err, errlen, "voice '%s' takes the text as written and does not accept SSML",
                     tts_voice_name(voice));
            return SZ_ERR_INVALID_ARG;
        }
        return tts_voice_synthesize(voice, text, NULL, sink, err, errlen);
    }
    fe_params p = tts_speak_params(voice, flags);
    fe_doc *doc = NULL;
    int rc = fe_process(text, strlen(text), &p, &doc, err, errlen);
    if (rc != SZ_OK)
        return rc;
    if (doc->n_items == 0)
        SZ_LOGW("tts", "nothing to say after normalization (%zu emoji or symbols left out)",
                doc->n_dropped);
    rc = tts_speak_doc(voice, doc, sink, err, errlen);
    fe_doc_free(&doc);
    return rc;
}
