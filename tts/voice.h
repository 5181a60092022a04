/* voice.h: the voice interface every synthesizer implements (espeak today, the
 * diffusion model next). A voice turns one utterance of text into mono float
 * PCM chunks plus timed events (sentences, words, phones, SSML marks), all in
 * samples from the start of the utterance. */
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
    int n_threads;
    uint64_t seed;
} tts_voice_params;

typedef struct tts_voice_kind {
    const char *kind; /* "espeak"; voice names are "kind:variant" */
    /* Calls fn for each installed voice of this kind; stops if fn returns non-zero. */
    int (*list)(sz_voice_list_fn fn, void *user);
    int (*open)(const char *variant, const tts_voice_params *params, void **state, char *err,
                size_t errlen);
    int (*sample_rate)(void *state);
    /* flags: SZ_SAY_SSML. Text is valid UTF-8 (checked by the caller). */
    int (*synthesize)(void *state, const char *text, int flags, const tts_sink *sink, char *err,
                      size_t errlen);
    void (*destroy)(void *state);
} tts_voice_kind;

typedef struct tts_voice tts_voice;

/* The voice used when none is named. */
const char *tts_default_voice(void);
/* name: "kind:variant" or just "kind" (its default variant). */
int tts_voice_open(const char *name, const tts_voice_params *params, tts_voice **out, char *err,
                   size_t errlen);
int tts_voice_sample_rate(const tts_voice *voice);
const char *tts_voice_name(const tts_voice *voice);
int tts_voice_synthesize(tts_voice *voice, const char *text, int flags, const tts_sink *sink,
                         char *err, size_t errlen);
void tts_voice_free(tts_voice **voice);

int tts_list_voices(sz_voice_list_fn fn, void *user);
/* Adds a voice kind (tests register synthetic voices this way). At most 8. */
int tts_register_kind(const tts_voice_kind *kind);

extern const tts_voice_kind tts_espeak_kind;

#endif
