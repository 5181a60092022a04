/* SPDX-License-Identifier: Apache-2.0 */
/* voice.c: the registry of voice kinds and the generic voice handle. */
#include "tts/voice.h"

#include "core/log.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TTS_MAX_KINDS 8

static const tts_voice_kind *tts_kinds[TTS_MAX_KINDS] = {&tts_diffusion_kind, &tts_espeak_kind,
                                                         &tts_audio_kind};
static int tts_n_kinds = 3;
static pthread_mutex_t tts_kinds_lock = PTHREAD_MUTEX_INITIALIZER;

struct tts_voice {
    const tts_voice_kind *kind;
    void *state;
    char name[128];
    tts_voice_params params; /* as opened (assets_dir dropped) */
    void *fallback;          /* espeak-ng state for runs the voice cannot say */
};

/* shuzi's own voice is the default; espeak-ng stays available by name and
 * says the runs in languages the default voice lacks (the fallback below). */
const char *tts_default_voice(void) { return "diffusion:kathleen"; }

int tts_register_kind(const tts_voice_kind *kind)
{
    pthread_mutex_lock(&tts_kinds_lock);
    int rc = SZ_OK;
    if (tts_n_kinds >= TTS_MAX_KINDS)
        rc = SZ_ERR_NO_MEMORY;
    else
        tts_kinds[tts_n_kinds++] = kind;
    pthread_mutex_unlock(&tts_kinds_lock);
    return rc;
}

static const tts_voice_kind *tts_find_kind(const char *kind, size_t len)
{
    const tts_voice_kind *found = NULL;
    pthread_mutex_lock(&tts_kinds_lock);
    for (int i = 0; i < tts_n_kinds; i++)
        if (strlen(tts_kinds[i]->kind) == len && strncmp(tts_kinds[i]->kind, kind, len) == 0)
            found = tts_kinds[i];
    pthread_mutex_unlock(&tts_kinds_lock);
    return found;
}

int tts_voice_open(const char *name, const tts_voice_params *params, tts_voice **out, char *err,
                   size_t errlen)
{
    *out = NULL;
    if (!name || !*name)
        name = tts_default_voice();
    if (strlen(name) >= sizeof(((tts_voice *)0)->name)) {
        snprintf(err, errlen, "voice name too long");
        return SZ_ERR_INVALID_ARG;
    }
    const char *colon = strchr(name, ':');
    size_t kind_len = colon ? (size_t)(colon - name) : strlen(name);
    const tts_voice_kind *kind = tts_find_kind(name, kind_len);
    if (!kind) {
        snprintf(err, errlen, "unknown voice '%s' (run 'shuzi voices' to list them)", name);
        return SZ_ERR_NOT_FOUND;
    }
    tts_voice *v = calloc(1, sizeof *v);
    if (!v) {
        snprintf(err, errlen, "out of memory");
        return SZ_ERR_NO_MEMORY;
    }
    v->kind = kind;
    snprintf(v->name, sizeof v->name, "%s", name);
    if (params) {
        v->params = *params;
        v->params.assets_dir = NULL;
    }
    int rc = kind->open(colon ? colon + 1 : "", params, &v->state, err, errlen);
    if (rc != SZ_OK) {
        free(v);
        return rc;
    }
    *out = v;
    return SZ_OK;
}

int tts_voice_sample_rate(const tts_voice *voice) { return voice->kind->sample_rate(voice->state); }

const char *tts_voice_name(const tts_voice *voice) { return voice->name; }

tts_synth_opts tts_synth_default_opts(void)
{
    tts_synth_opts o = {.language = NULL, .input = TTS_INPUT_TEXT, .display = NULL,
                        .rate = 1.0f, .pitch = 1.0f, .volume = 1.0f};
    return o;
}

const char *tts_voice_language(const tts_voice *voice)
{
    const char *l = voice->kind->language ? voice->kind->language(voice->state) : NULL;
    return l ? l : "";
}

int tts_voice_raw_text(const tts_voice *voice) { return voice->kind->raw_text; }

int tts_voice_synthesize(tts_voice *voice, const char *text, const tts_synth_opts *opts,
                         const tts_sink *sink, char *err, size_t errlen)
{
    tts_synth_opts def = tts_synth_default_opts();
    if (!opts)
        opts = &def;
    int rc = voice->kind->synthesize(voice->state, text, opts, sink, err, errlen);
    if (rc != SZ_ERR_UNSUPPORTED || voice->kind == &tts_espeak_kind || !opts->language ||
        !opts->language[0])
        return rc;
    /* A run in a language the voice lacks (Mandarin in an English sentence):
     * espeak-ng says it when it runs at the voice's rate; otherwise the run
     * stays unsupported (tts_speak skips it with a warning). */
    char why[256];
    snprintf(why, sizeof why, "%s", err);
    if (!voice->fallback &&
        tts_espeak_kind.open(opts->language, &voice->params, &voice->fallback, err, errlen) != SZ_OK)
        voice->fallback = NULL;
    if (!voice->fallback ||
        tts_espeak_kind.sample_rate(voice->fallback) != voice->kind->sample_rate(voice->state)) {
        snprintf(err, errlen, "%s", why);
        return SZ_ERR_UNSUPPORTED;
    }
    SZ_LOGI("tts", "%s; espeak-ng says that run", why);
    return tts_espeak_kind.synthesize(voice->fallback, text, opts, sink, err, errlen);
}

void tts_voice_free(tts_voice **voice)
{
    if (!voice || !*voice)
        return;
    if ((*voice)->kind && (*voice)->state)
        (*voice)->kind->destroy((*voice)->state);
    if ((*voice)->fallback)
        tts_espeak_kind.destroy((*voice)->fallback);
    free(*voice);
    *voice = NULL;
}

int tts_list_voices(sz_voice_list_fn fn, void *user)
{
    pthread_mutex_lock(&tts_kinds_lock);
    int n = tts_n_kinds;
    const tts_voice_kind *kinds[TTS_MAX_KINDS];
    memcpy(kinds, tts_kinds, sizeof kinds);
    pthread_mutex_unlock(&tts_kinds_lock);
    for (int i = 0; i < n; i++) {
        int rc = kinds[i]->list(fn, user);
        if (rc < 0)
            return rc;
        if (rc > 0) /* the caller asked to stop */
            return SZ_OK;
    }
    return SZ_OK;
}
