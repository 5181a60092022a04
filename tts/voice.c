/* SPDX-License-Identifier: Apache-2.0 */
/* voice.c: the registry of voice kinds and the generic voice handle. */
#include "tts/voice.h"

#include "core/log.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define TTS_MAX_KINDS 8

static const tts_voice_kind *tts_kinds[TTS_MAX_KINDS] = {&tts_diffusion_kind, &tts_espeak_kind,
                                                         &tts_audio_kind};
static int tts_n_kinds = 3;
static pthread_mutex_t tts_kinds_lock = PTHREAD_MUTEX_INITIALIZER;

#define TTS_MAX_PARTNERS 4

struct tts_voice {
    const tts_voice_kind *kind;
    void *state;
    char name[128];
    tts_voice_params params; /* as opened (assets_dir dropped) */
    char assets_dir[1024];   /* params.assets_dir, kept for partners opened later */
    void *fallback;          /* espeak-ng state for runs the voice cannot say */
    /* The voices for runs in other languages (mixed sentences): those named
     * after the first in "A,B", then each language's default, opened on
     * first use (tts_voice_synthesize). */
    tts_voice *partners[TTS_MAX_PARTNERS];
    int n_named;           /* partners[0..n_named) were named by the user */
    int n_partners;
    char refused[TTS_MAX_PARTNERS][128]; /* defaults that would not open */
    int n_refused;
};

/* shuzi's own voice is the default; a run in a language it lacks goes to that
 * language's default voice (Mandarin: our Mandarin voice), and espeak-ng says
 * the runs in languages we have no voice for (the fallback below). */
const char *tts_default_voice(void) { return "diffusion:kathleen"; }

int tts_is_mandarin(const char *lang)
{
    if (!lang)
        return 0;
    return !strncasecmp(lang, "cmn", 3) || !strcasecmp(lang, "zh") ||
           (!strncasecmp(lang, "zh-", 3) && strcasecmp(lang, "zh-yue") != 0 &&
            strcasecmp(lang, "zh-hk") != 0);
}

int tts_language_matches(const char *voice_lang, const char *run_lang)
{
    if (!voice_lang || !run_lang || !voice_lang[0] || !run_lang[0])
        return 0;
    if (tts_is_mandarin(voice_lang) || tts_is_mandarin(run_lang))
        return tts_is_mandarin(voice_lang) && tts_is_mandarin(run_lang);
    return strncasecmp(voice_lang, run_lang, 2) == 0;
}

const char *tts_default_voice_for(const char *lang)
{
    if (tts_is_mandarin(lang))
        return "diffusion:hantts";
    if (lang && !strncasecmp(lang, "en", 2))
        return "diffusion:kathleen";
    return NULL;
}

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

static int tts_voice_open_one(const char *name, const tts_voice_params *params, tts_voice **out,
                              char *err, size_t errlen);

int tts_voice_open(const char *name, const tts_voice_params *params, tts_voice **out, char *err,
                   size_t errlen)
{
    *out = NULL;
    if (!name || !*name)
        name = tts_default_voice();
    const char *comma = strchr(name, ',');
    if (!comma)
        return tts_voice_open_one(name, params, out, err, errlen);
    /* "A,B,...": A is the voice; B... say the runs in their languages */
    char first[128];
    if ((size_t)(comma - name) >= sizeof first || comma == name) {
        snprintf(err, errlen, "voice list '%s': each name is 1 to 127 characters", name);
        return SZ_ERR_INVALID_ARG;
    }
    memcpy(first, name, (size_t)(comma - name));
    first[comma - name] = 0;
    int rc = tts_voice_open_one(first, params, out, err, errlen);
    if (rc != SZ_OK)
        return rc;
    tts_voice *v = *out;
    for (const char *p = comma + 1; *p;) {
        const char *e = strchr(p, ',');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        char one[128];
        if (n == 0 || n >= sizeof one || v->n_named == TTS_MAX_PARTNERS) {
            snprintf(err, errlen, "voice list '%s': at most %d voices after the first, each 1 to "
                     "127 characters", name, TTS_MAX_PARTNERS);
            tts_voice_free(out);
            return SZ_ERR_INVALID_ARG;
        }
        memcpy(one, p, n);
        one[n] = 0;
        char why[256];
        rc = tts_voice_open_one(one, params, &v->partners[v->n_named], why, sizeof why);
        if (rc == SZ_OK && tts_voice_sample_rate(v->partners[v->n_named]) != tts_voice_sample_rate(v)) {
            snprintf(why, sizeof why, "it runs at %d Hz, %s at %d Hz",
                     tts_voice_sample_rate(v->partners[v->n_named]), first, tts_voice_sample_rate(v));
            tts_voice_free(&v->partners[v->n_named]);
            rc = SZ_ERR_INVALID_ARG;
        }
        if (rc != SZ_OK) {
            snprintf(err, errlen, "voice list '%s': cannot pair '%s': %s", name, one, why);
            tts_voice_free(out);
            return rc;
        }
        v->n_named++;
        v->n_partners++;
        p = e ? e + 1 : p + n;
    }
    return SZ_OK;
}

static int tts_voice_open_one(const char *name, const tts_voice_params *params, tts_voice **out,
                              char *err, size_t errlen)
{
    *out = NULL;
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
        if (params->assets_dir)
            snprintf(v->assets_dir, sizeof v->assets_dir, "%s", params->assets_dir);
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

/* The voice that says runs in lang for this one: the first named partner
 * that speaks it, else the language's default voice when it opens at this
 * voice's sample rate; NULL for none (espeak-ng then). */
static tts_voice *tts_voice_partner(tts_voice *voice, const char *lang)
{
    for (int i = 0; i < voice->n_partners; i++)
        if (tts_language_matches(tts_voice_language(voice->partners[i]), lang))
            return voice->partners[i];
    const char *def = tts_default_voice_for(lang);
    if (!def || !strcmp(def, voice->name) || voice->n_partners == TTS_MAX_PARTNERS)
        return NULL;
    for (int i = 0; i < voice->n_partners; i++)
        if (!strcmp(voice->partners[i]->name, def))
            return NULL; /* open, but not for this language */
    for (int i = 0; i < voice->n_refused; i++)
        if (!strcmp(voice->refused[i], def))
            return NULL;
    tts_voice_params p = voice->params;
    p.assets_dir = voice->assets_dir[0] ? voice->assets_dir : NULL;
    tts_voice *d = NULL;
    char err[256];
    int rc = tts_voice_open_one(def, &p, &d, err, sizeof err);
    if (rc == SZ_OK && (tts_voice_sample_rate(d) != tts_voice_sample_rate(voice) ||
                        !tts_language_matches(tts_voice_language(d), lang))) {
        snprintf(err, sizeof err, "it runs at %d Hz and speaks %s", tts_voice_sample_rate(d),
                 tts_voice_language(d));
        tts_voice_free(&d);
        rc = SZ_ERR_UNSUPPORTED;
    }
    if (rc != SZ_OK) {
        SZ_LOGI("tts", "%s cannot say the %s runs for %s (%s)", def, lang, voice->name, err);
        if (voice->n_refused < TTS_MAX_PARTNERS)
            snprintf(voice->refused[voice->n_refused++], sizeof voice->refused[0], "%s", def);
        return NULL;
    }
    SZ_LOGI("tts", "%s says the %s runs for %s", def, lang, voice->name);
    voice->partners[voice->n_partners++] = d;
    return d;
}

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
    /* A run in a language the voice lacks: the paired voice for it says it */
    tts_voice *partner = tts_voice_partner(voice, opts->language);
    if (partner) {
        char why[256];
        snprintf(why, sizeof why, "%s", err);
        rc = partner->kind->synthesize(partner->state, text, opts, sink, err, errlen);
        if (rc != SZ_ERR_UNSUPPORTED)
            return rc;
        snprintf(err, errlen, "%s", why);
    }
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
    for (int i = 0; i < (*voice)->n_partners; i++)
        tts_voice_free(&(*voice)->partners[i]);
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
