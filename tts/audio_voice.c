/* SPDX-License-Identifier: Apache-2.0 */
/* audio_voice.c: the "audio" voice kind: instead of synthesizing, it plays a
 * recording and reports the phones that audio-only lip-sync estimates from
 * it, so a user's own voice drives the avatar. An utterance's text is the
 * file's path, optionally followed by a newline and its transcript. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "lipsync/audio_file.h"
#include "lipsync/recognize.h"
#include "tts/voice.h"

#define AUDIO_VOICE_DEFAULT_RATE 48000
#define AUDIO_VOICE_CHUNK 2048
#define AUDIO_VOICE_MAX_PATH 4096

typedef struct audio_voice {
    int rate;
    ls_analyzer *analyzer;
} audio_voice;

static int audio_voice_list(sz_voice_list_fn fn, void *user)
{
    if (!lipsync_audio_supported())
        return SZ_OK; /* nothing to offer in this build */
    sz_voice_info info = {.name = "audio",
                          .kind = "audio",
                          .language = "en",
                          .sample_rate_hz = AUDIO_VOICE_DEFAULT_RATE,
                          .description = "plays a recording (text: PATH or PATH, newline, "
                                         "transcript); lips from audio-only lip-sync"};
    return fn(&info, user) ? 1 : SZ_OK;
}

static int audio_voice_open(const char *variant, const tts_voice_params *params, void **state,
                            char *err, size_t errlen)
{
    (void)params;
    int rate = AUDIO_VOICE_DEFAULT_RATE;
    if (variant && *variant) {
        char *end = NULL;
        long r = strtol(variant, &end, 10);
        if (*end || r < 8000 || r > 96000) {
            snprintf(err, errlen,
                     "voice 'audio:%s': expected a sample rate in Hz from 8000 to 96000", variant);
            return SZ_ERR_INVALID_ARG;
        }
        rate = (int)r;
    }
    audio_voice *v = calloc(1, sizeof *v);
    if (!v) {
        snprintf(err, errlen, "out of memory");
        return SZ_ERR_NO_MEMORY;
    }
    v->rate = rate;
    int rc = lipsync_analyzer_open(NULL, &v->analyzer, err, errlen);
    if (rc != SZ_OK) {
        free(v);
        return rc;
    }
    *state = v;
    return SZ_OK;
}

static int audio_voice_sample_rate(void *state)
{
    return ((audio_voice *)state)->rate;
}

/* Splits "PATH" or "PATH\nTRANSCRIPT" (both trimmed). */
static int audio_voice_split(const char *text, char *path, size_t cap, const char **transcript,
                             char *err, size_t errlen)
{
    while (*text == ' ' || *text == '\t' || *text == '\r' || *text == '\n')
        text++;
    const char *nl = strchr(text, '\n');
    size_t n = nl ? (size_t)(nl - text) : strlen(text);
    while (n > 0 && (text[n - 1] == ' ' || text[n - 1] == '\t' || text[n - 1] == '\r'))
        n--;
    if (n == 0) {
        snprintf(err, errlen,
                 "audio voice: the text must name a recording (PATH, then "
                 "optionally a newline and its transcript)");
        return SZ_ERR_INVALID_ARG;
    }
    if (n >= cap) {
        snprintf(err, errlen, "audio voice: the path is longer than %zu bytes", cap - 1);
        return SZ_ERR_INVALID_ARG;
    }
    memcpy(path, text, n);
    path[n] = 0;
    *transcript = nl ? nl + 1 : NULL;
    return SZ_OK;
}

static int audio_voice_synthesize(void *state, const char *text, const tts_synth_opts *opts,
                                  const tts_sink *sink, char *err, size_t errlen)
{
    audio_voice *v = state;
    (void)opts; /* raw_text: tts_speak passes the utterance whole and refuses SSML */
    char path[AUDIO_VOICE_MAX_PATH];
    const char *transcript = NULL;
    int rc = audio_voice_split(text, path, sizeof path, &transcript, err, errlen);
    if (rc != SZ_OK)
        return rc;
    ls_audio au;
    rc = lipsync_audio_load(path, 0, &au, err, errlen);
    if (rc != SZ_OK)
        return rc;
    float *play = NULL, *an = NULL;
    size_t n_play = 0, n_an = 0;
    ls_track tr;
    lipsync_track_init(&tr);
    if (lipsync_resample(au.pcm, au.n, au.sample_rate_hz, v->rate, &play, &n_play) != SZ_OK ||
        lipsync_resample(au.pcm, au.n, au.sample_rate_hz, LS_ANALYSIS_RATE, &an, &n_an) != SZ_OK) {
        snprintf(err, errlen, "%s: resampling failed", path);
        rc = SZ_ERR_NO_MEMORY;
        goto done;
    }
    rc = lipsync_analyze(v->analyzer, an, n_an, transcript, &tr, err, errlen);
    if (rc != SZ_OK)
        goto done;

    /* Events go out no later than the audio holding their start. */
    double k = v->rate / 1e6;
    size_t seg = 0, word = 0;
    int sentence_sent = 0;
    int64_t first = -1, last = 0;
    for (size_t i = 0; i < tr.n_segs; i++)
        if (tr.segs[i].ipa[0]) {
            if (first < 0)
                first = tr.segs[i].start_us;
            last = tr.segs[i].end_us;
        }
    for (size_t pos = 0; pos < n_play || seg < tr.n_segs || word < tr.n_words;) {
        size_t m = n_play - pos < AUDIO_VOICE_CHUNK ? n_play - pos : AUDIO_VOICE_CHUNK;
        int64_t horizon = (int64_t)(pos + m);
        if (m == 0)
            horizon = INT64_MAX; /* after the audio: whatever is left */
        if (!sentence_sent && first >= 0 && (int64_t)(first * k) < horizon) {
            tts_event ev = {
                .type = TTS_EV_SENTENCE, .start = (int64_t)(first * k), .end = (int64_t)(last * k)};
            snprintf(ev.value, sizeof ev.value, "%.*s", (int)sizeof ev.value - 1,
                     transcript && *transcript ? transcript : path);
            if (sink->on_event && sink->on_event(sink->user, &ev)) {
                rc = SZ_ERR_CANCELLED;
                goto done;
            }
            sentence_sent = 1;
        }
        while (word < tr.n_words && (int64_t)(tr.words[word].start_us * k) < horizon) {
            tts_event ev = {.type = TTS_EV_WORD,
                            .start = (int64_t)(tr.words[word].start_us * k),
                            .end = (int64_t)(tr.words[word].end_us * k)};
            snprintf(ev.value, sizeof ev.value, "%s", tr.words[word].text);
            word++;
            if (sink->on_event && sink->on_event(sink->user, &ev)) {
                rc = SZ_ERR_CANCELLED;
                goto done;
            }
        }
        while (seg < tr.n_segs && (int64_t)(tr.segs[seg].start_us * k) < horizon) {
            int64_t at = (int64_t)(tr.segs[seg].start_us * k);
            tts_event ev = {.type = TTS_EV_PHONE, .start = at, .end = at};
            snprintf(ev.value, sizeof ev.value, "%s", tr.segs[seg].ipa);
            seg++;
            if (sink->on_event && sink->on_event(sink->user, &ev)) {
                rc = SZ_ERR_CANCELLED;
                goto done;
            }
        }
        if (m > 0 && sink->on_audio(sink->user, play + pos, m)) {
            rc = SZ_ERR_CANCELLED;
            goto done;
        }
        pos += m;
        if (m == 0)
            break;
    }
    rc = SZ_OK;
done:
    lipsync_track_free(&tr);
    free(play);
    free(an);
    lipsync_audio_free(&au);
    return rc;
}

static void audio_voice_destroy(void *state)
{
    audio_voice *v = state;
    if (!v)
        return;
    lipsync_analyzer_free(&v->analyzer);
    free(v);
}

const tts_voice_kind tts_audio_kind = {
    .kind = "audio",
    .list = audio_voice_list,
    .open = audio_voice_open,
    .sample_rate = audio_voice_sample_rate,
    .synthesize = audio_voice_synthesize,
    .destroy = audio_voice_destroy,
    .raw_text = 1,
};
