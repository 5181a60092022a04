/* SPDX-License-Identifier: Apache-2.0 */
/* voice.h: the voice interface every synthesizer implements (espeak today, the
 * diffusion model next). A voice turns one run of normalized text (one
 * language, one prosody) into mono float PCM chunks plus timed events (words,
 * phones), in samples from the start of the run. tts/speak.h drives a voice
 * through a whole utterance on one clock. */
#ifndef SZ_TTS_VOICE_H
#define SZ_TTS_VOICE_H

#include <stddef.h>
#include <stdint.h>

#include "shuzi.h"

typedef enum tts_event_type {
    TTS_EV_SENTENCE = 0,
    TTS_EV_WORD = 1,
    TTS_EV_PHONE = 2, /* value: IPA symbol; "" is a pause */
    TTS_EV_MARK = 3,
    TTS_EV_SENTENCE_BEGIN = 4, /* tts_speak: a sentence starts here (value: its text
                                  as written; end == start); its TTS_EV_SENTENCE,
                                  with the end, follows its last words */
} tts_event_type;

#define TTS_EVENT_VALUE_MAX 256

typedef struct tts_event {
    tts_event_type type;
    int64_t start; /* samples from utterance start */
    int64_t end;   /* samples; >= start. Phones are sent as soon as they start,
                      with end == start: a phone lasts until the next one starts
                      or the utterance ends. */
    char value[TTS_EVENT_VALUE_MAX];
} tts_event;

/* Where a voice delivers its output. A non-zero return from either callback
 * asks the voice to stop as soon as it can (interrupt). Events are delivered
 * no later than the audio that contains their start. */
typedef struct tts_sink {
    int (*on_audio)(void *user, const float *pcm, size_t n_samples);
    int (*on_event)(void *user, const tts_event *event);
    void *user;
} tts_sink;

typedef struct tts_voice_params {
    float speaking_rate; /* 1.0 normal */
    int n_threads;       /* compute threads (the diffusion voice); 0 = as configured */
    uint64_t seed;       /* sampling noise: a fixed seed gives identical audio */
    int steps;           /* diffusion sampling steps; 0 = TTS_DIFFUSION_DEFAULT_STEPS */
    float temperature;   /* sampling noise scale; 0 = the voice's default (0.2),
                            negative = none (the mean path) */
    float pitch;         /* multiplier of the voice's pitch; 0 = 1 */
    const char *assets_dir; /* where "kind:NAME" voice files live; NULL = built in */
} tts_voice_params;

typedef enum tts_input {
    TTS_INPUT_TEXT = 0, /* normalized words (the text frontend's output) */
    TTS_INPUT_IPA = 1,  /* IPA phones (SSML <phoneme>); words separated by spaces */
} tts_input;

/* How to say one run of an utterance. The text frontend cuts an utterance
 * into runs of one language and one prosody; the caller keeps the clock. */
typedef struct tts_synth_opts {
    const char *language; /* voice language of the run ("en-us", "cmn"); NULL or "":
                             the voice's own. A voice that cannot speak it returns
                             SZ_ERR_UNSUPPORTED before producing anything;
                             tts_voice_synthesize then has espeak-ng say the run
                             when espeak runs at the voice's sample rate. */
    tts_input input;
    const char *display;  /* TTS_INPUT_IPA: the words the phones stand for (word events) */
    float rate;           /* multiplier of the voice's rate; 1 = as opened */
    float pitch;          /* multiplier of the voice's base pitch */
    float volume;         /* linear gain */
} tts_synth_opts;

tts_synth_opts tts_synth_default_opts(void);

typedef struct tts_voice_kind {
    const char *kind; /* "espeak"; voice names are "kind:variant" */
    /* Calls fn for each installed voice of this kind; stops if fn returns non-zero. */
    int (*list)(sz_voice_list_fn fn, void *user);
    int (*open)(const char *variant, const tts_voice_params *params, void **state, char *err,
                size_t errlen);
    int (*sample_rate)(void *state);
    /* Says one run. Text is valid UTF-8 and already normalized (no SSML).
     * Event times count from the start of this call's audio. */
    int (*synthesize)(void *state, const char *text, const tts_synth_opts *opts,
                      const tts_sink *sink, char *err, size_t errlen);
    void (*destroy)(void *state);
    /* Optional: the voice's own language ("en-us", "cmn"); NULL if unknown. */
    const char *(*language)(void *state);
    /* 1: the voice takes the utterance as written, without the text frontend
     * (the audio voice: a file path); tts_speak passes it through whole. */
    int raw_text;
} tts_voice_kind;

typedef struct tts_voice tts_voice;

/* The voice used when none is named. */
const char *tts_default_voice(void);
/* The voice that says runs of a language the chosen voice lacks, unless the
 * user paired another ("A,B" below): our own voice of that language
 * ("diffusion:hantts" for Mandarin, "diffusion:kathleen" for English); NULL
 * when we have none (espeak-ng says those runs). */
const char *tts_default_voice_for(const char *lang);
/* 1 if lang is Mandarin ("cmn", "zh", "zh-cn"; not "zh-yue"). */
int tts_is_mandarin(const char *lang);
/* 1 if a voice of voice_lang speaks runs tagged run_lang ("cmn" speaks "zh";
 * otherwise the first two letters decide). */
int tts_language_matches(const char *voice_lang, const char *run_lang);
/* name: "kind:variant" or just "kind" (its default variant). A list
 * "A,B,..." opens A and pairs the others with it: a run in a language A
 * lacks goes to the first of them that speaks it (then to that language's
 * default voice, then to espeak-ng). They must run at A's sample rate. */
int tts_voice_open(const char *name, const tts_voice_params *params, tts_voice **out, char *err,
                   size_t errlen);
int tts_voice_sample_rate(const tts_voice *voice);
const char *tts_voice_name(const tts_voice *voice);
/* The voice's language; "" when it does not say. */
const char *tts_voice_language(const tts_voice *voice);
int tts_voice_raw_text(const tts_voice *voice);
/* Says one run (see tts_voice_kind.synthesize). opts NULL: the defaults. To
 * say a whole utterance (plain text or SSML) use tts_speak (tts/speak.h). */
int tts_voice_synthesize(tts_voice *voice, const char *text, const tts_synth_opts *opts,
                         const tts_sink *sink, char *err, size_t errlen);
void tts_voice_free(tts_voice **voice);

int tts_list_voices(sz_voice_list_fn fn, void *user);
/* Adds a voice kind (tests register synthetic voices this way). At most 8. */
int tts_register_kind(const tts_voice_kind *kind);

extern const tts_voice_kind tts_espeak_kind;
/* shuzi's own diffusion voices: ASSETS/voices/NAME.safetensors, or a path.
 * Default sampling steps: on 100 LJ Speech sentences (not test texts) 4 steps
 * made as few ASR word errors as 6 at two thirds of the time: with the
 * Kathleen-only voice 41.0% and 40.8% against 41.0% and 41.6% (two seeds),
 * with the first teacher-pretrained one (7,000 + 5,000 steps) 37.2% against
 * 37.1%, with the shipped one (14,000 + 6,000) 33.4% against 32.8% (seed
 * 1): within noise, and 6 steps sit at the real-time factor budget. */
#define TTS_DIFFUSION_DEFAULT_STEPS 4
extern const tts_voice_kind tts_diffusion_kind;
/* Plays a recording (the utterance text is its path, optionally a newline
 * and its transcript) with phones from audio-only lip-sync. "audio:RATE"
 * picks the output rate (default 48000). */
extern const tts_voice_kind tts_audio_kind;

#endif
