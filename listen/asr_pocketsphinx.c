/* SPDX-License-Identifier: Apache-2.0 */
/* asr_pocketsphinx.c: the offline US English recognizer of the listening
 * kiosk, on pocketsphinx (0.8 / 5prealpha API) with its generic en-us
 * acoustic model, language model and dictionary. Audio is decoded as it is
 * fed (float to 16-bit); every partial_every_ms of audio the hypothesis so
 * far is reported when it changed; finish ends the utterance and returns the
 * final hypothesis (language "en"). */
#include "listen/asr.h"

#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "shuzi.h"

asr_pocketsphinx_params asr_pocketsphinx_default_params(void)
{
    asr_pocketsphinx_params p;
    memset(&p, 0, sizeof p);
    p.model_dir = NULL;
    p.partial_every_ms = 300;
    return p;
}

#ifndef SHUZI_HAVE_POCKETSPHINX

int asr_pocketsphinx_create(const asr_pocketsphinx_params *p, asr **out, char *err, size_t errlen)
{
    (void)p;
    if (out)
        *out = NULL;
    snprintf(err, errlen,
             "the offline recognizer needs pocketsphinx, which this shuzi was built without "
             "(install libpocketsphinx-dev and pocketsphinx-en-us and rebuild)");
    return SZ_ERR_UNSUPPORTED;
}

#else

#include <pocketsphinx.h>
#include <pthread.h>
#include <sphinxbase/cmn.h>
#include <sphinxbase/err.h>
#include <sphinxbase/feat.h>

/* Samples converted and decoded at a time (bounds the stack buffer). */
#define PSR_CHUNK 4096
#define PSR_MAX_HYP 4096

typedef struct psr {
    ps_decoder_t *ps;
    int partial_every; /* samples; 0 never */
    size_t since_partial;
    size_t fed;
    int started;
    atomic_int cancel;
    mfcc_t *cmn0;           /* the model's initial cepstral mean, restored at each begin */
    char last[PSR_MAX_HYP]; /* the last partial reported */
} psr;

static pthread_once_t psr_once = PTHREAD_ONCE_INIT;
static void psr_quiet(void)
{
    err_set_logfp(NULL);
}

static int psr_exists(const char *path)
{
    return access(path, R_OK) == 0;
}

static void psr_copy(char *dst, size_t cap, const char *s)
{
    if (cap == 0)
        return;
    snprintf(dst, cap, "%s", s ? s : "");
}

static int psr_begin(void *state, char *err, size_t errlen)
{
    psr *r = state;
    atomic_store(&r->cancel, 0);
    if (r->started) { /* an utterance left unfinished: drop it */
        ps_end_utt(r->ps);
        r->started = 0;
    }
    /* The live cepstral mean starts each utterance where the model does:
     * the same audio gives the same words whatever was heard before. */
    feat_t *fc = ps_get_feat(r->ps);
    if (r->cmn0 && fc && fc->cmn_struct)
        cmn_live_set(fc->cmn_struct, r->cmn0);
    if (ps_start_utt(r->ps) < 0) {
        snprintf(err, errlen, "pocketsphinx: cannot start an utterance");
        return SZ_ERR_INTERNAL;
    }
    r->started = 1;
    r->since_partial = 0;
    r->fed = 0;
    r->last[0] = 0;
    return SZ_OK;
}

static int psr_feed(void *state, const float *pcm, size_t n, char *partial, size_t partial_cap,
                    char *err, size_t errlen)
{
    psr *r = state;
    if (atomic_load(&r->cancel)) {
        snprintf(err, errlen, "speech recognition cancelled");
        return SZ_ERR_CANCELLED;
    }
    int16_t s16[PSR_CHUNK];
    for (size_t i = 0; i < n; i += PSR_CHUNK) {
        size_t m = n - i < PSR_CHUNK ? n - i : PSR_CHUNK;
        for (size_t k = 0; k < m; k++) {
            float x = pcm[i + k];
            x = isfinite(x) ? x : 0.0f;
            x = x > 1.0f ? 1.0f : x < -1.0f ? -1.0f : x;
            s16[k] = (int16_t)lrintf(x * 32767.0f);
        }
        if (ps_process_raw(r->ps, s16, m, FALSE, FALSE) < 0) {
            snprintf(err, errlen, "pocketsphinx: decoding failed");
            return SZ_ERR_INTERNAL;
        }
    }
    r->fed += n;
    r->since_partial += n;
    if (r->partial_every <= 0 || r->since_partial < (size_t)r->partial_every)
        return 0;
    r->since_partial = 0;
    const char *h = ps_get_hyp(r->ps, NULL);
    if (!h)
        h = "";
    if (strcmp(h, r->last) == 0)
        return 0;
    psr_copy(r->last, sizeof r->last, h);
    psr_copy(partial, partial_cap, h);
    return 1;
}

static int psr_finish(void *state, char *text, size_t text_cap, char *lang, size_t lang_cap,
                      asr_stats *stats, char *err, size_t errlen)
{
    psr *r = state;
    stats->attempts = 0;
    stats->http_status = 0;
    stats->audio_s = (double)r->fed / ASR_RATE;
    if (!r->started) {
        snprintf(err, errlen, "pocketsphinx: finish without an utterance");
        return SZ_ERR_STATE;
    }
    int ok = ps_end_utt(r->ps) >= 0;
    r->started = 0;
    if (atomic_load(&r->cancel)) {
        snprintf(err, errlen, "speech recognition cancelled");
        return SZ_ERR_CANCELLED;
    }
    if (!ok) {
        snprintf(err, errlen, "pocketsphinx: cannot end the utterance");
        return SZ_ERR_INTERNAL;
    }
    const char *h = ps_get_hyp(r->ps, NULL);
    psr_copy(text, text_cap, h);
    psr_copy(lang, lang_cap, "en");
    return SZ_OK;
}

static void psr_cancel(void *state)
{
    psr *r = state;
    atomic_store(&r->cancel, 1);
}

static void psr_destroy(void *state)
{
    psr *r = state;
    if (!r)
        return;
    if (r->ps) {
        if (r->started)
            ps_end_utt(r->ps);
        ps_free(r->ps);
    }
    free(r->cmn0);
    free(r);
}

static const asr_kind psr_kind = {
    .name = "pocketsphinx",
    .begin = psr_begin,
    .feed = psr_feed,
    .finish = psr_finish,
    .cancel = psr_cancel,
    .destroy = psr_destroy,
};

int asr_pocketsphinx_create(const asr_pocketsphinx_params *p, asr **out, char *err, size_t errlen)
{
    asr_pocketsphinx_params d = asr_pocketsphinx_default_params();
    if (!p)
        p = &d;
    if (!out) {
        snprintf(err, errlen, "pocketsphinx: no place for the recognizer");
        return SZ_ERR_INVALID_ARG;
    }
    *out = NULL;
    if (p->partial_every_ms < 0 || p->partial_every_ms > 60000) {
        snprintf(err, errlen, "pocketsphinx: partial_every_ms must be 0 to 60000");
        return SZ_ERR_INVALID_ARG;
    }
    const char *dir = p->model_dir && *p->model_dir ? p->model_dir : SHUZI_PSPHINX_MODELDIR;
    char hmm[1200], lm[1200], dict[1200], probe[1300];
    snprintf(hmm, sizeof hmm, "%.1000s/en-us/en-us", dir);
    snprintf(lm, sizeof lm, "%.1000s/en-us/en-us.lm.bin", dir);
    snprintf(dict, sizeof dict, "%.1000s/en-us/cmudict-en-us.dict", dir);
    snprintf(probe, sizeof probe, "%s/mdef", hmm);
    const char *missing = !psr_exists(probe)  ? probe
                          : !psr_exists(lm)   ? lm
                          : !psr_exists(dict) ? dict
                                              : NULL;
    if (missing) {
        snprintf(err, errlen, "pocketsphinx: %.900s is missing (install pocketsphinx-en-us)",
                 missing);
        return SZ_ERR_IO;
    }
    pthread_once(&psr_once, psr_quiet);
    psr *r = calloc(1, sizeof *r);
    if (!r) {
        snprintf(err, errlen, "out of memory");
        return SZ_ERR_NO_MEMORY;
    }
    r->partial_every = (int)((int64_t)p->partial_every_ms * ASR_RATE / 1000);
    cmd_ln_t *cfg = cmd_ln_init(NULL, ps_args(), TRUE, "-hmm", hmm, "-lm", lm, "-dict", dict,
                                "-samprate", "16000", "-logfn", "/dev/null", NULL);
    r->ps = cfg ? ps_init(cfg) : NULL;
    if (cfg)
        cmd_ln_free_r(cfg);
    if (!r->ps) {
        free(r);
        snprintf(err, errlen, "pocketsphinx could not load its US English model from %.900s",
                 dir);
        return SZ_ERR_IO;
    }
    feat_t *fc = ps_get_feat(r->ps);
    if (fc && fc->cmn_struct && fc->cmn_struct->veclen > 0 &&
        (r->cmn0 = malloc((size_t)fc->cmn_struct->veclen * sizeof *r->cmn0)))
        cmn_live_get(fc->cmn_struct, r->cmn0);
    *out = asr_wrap(&psr_kind, r);
    if (!*out) {
        snprintf(err, errlen, "out of memory");
        return SZ_ERR_NO_MEMORY;
    }
    return SZ_OK;
}

#endif /* SHUZI_HAVE_POCKETSPHINX */
