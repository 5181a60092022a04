/* SPDX-License-Identifier: Apache-2.0 */
/* asr.c: the recognizer wrapper shared by every kind of speech recognizer:
 * checks the arguments and the utterance state (begin, feed, finish), clears
 * the outputs, times asr_finish and dispatches through the kind's table. */
#include "listen/asr.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "shuzi.h"

struct asr {
    const asr_kind *kind;
    void *state;
    int in_utt; /* between asr_begin and asr_finish */
};

/* On failure (out of memory) the state is destroyed, so that a kind's create
 * function can return the NULL as an error without leaking. */
asr *asr_wrap(const asr_kind *kind, void *state)
{
    if (!kind)
        return NULL;
    asr *a = calloc(1, sizeof *a);
    if (!a) {
        if (state && kind->destroy)
            kind->destroy(state);
        return NULL;
    }
    a->kind = kind;
    a->state = state;
    return a;
}

const char *asr_name(const asr *a)
{
    return a && a->kind && a->kind->name ? a->kind->name : "";
}

static void asr_clear(char *s, size_t cap)
{
    if (s && cap)
        s[0] = 0;
}

int asr_begin(asr *a, char *err, size_t errlen)
{
    asr_clear(err, errlen);
    if (!a) {
        snprintf(err, errlen, "ASR: no recognizer");
        return SZ_ERR_INVALID_ARG;
    }
    int rc = a->kind->begin ? a->kind->begin(a->state, err, errlen) : SZ_OK;
    a->in_utt = rc == SZ_OK;
    return rc;
}

int asr_feed(asr *a, const float *pcm, size_t n, char *partial, size_t partial_cap, char *err,
             size_t errlen)
{
    asr_clear(err, errlen);
    asr_clear(partial, partial_cap);
    if (!a || (!pcm && n)) {
        snprintf(err, errlen, "ASR: no recognizer or no audio");
        return SZ_ERR_INVALID_ARG;
    }
    if (!a->in_utt) {
        snprintf(err, errlen, "ASR %s: feed without begin", asr_name(a));
        return SZ_ERR_STATE;
    }
    if (n == 0)
        return 0;
    char dummy[2];
    if (!partial || partial_cap == 0) {
        partial = dummy;
        partial_cap = sizeof dummy; /* a partial that does not fit is cut */
    }
    return a->kind->feed(a->state, pcm, n, partial, partial_cap, err, errlen);
}

int asr_finish(asr *a, char *text, size_t text_cap, char *lang, size_t lang_cap, asr_stats *stats,
               char *err, size_t errlen)
{
    asr_stats local;
    if (!stats)
        stats = &local;
    memset(stats, 0, sizeof *stats);
    asr_clear(err, errlen);
    asr_clear(text, text_cap);
    asr_clear(lang, lang_cap);
    if (!a || !text || text_cap == 0) {
        snprintf(err, errlen, "ASR: no recognizer or no room for the text");
        return SZ_ERR_INVALID_ARG;
    }
    if (!a->in_utt) {
        snprintf(err, errlen, "ASR %s: finish without begin", asr_name(a));
        return SZ_ERR_STATE;
    }
    char lbuf[16];
    if (!lang || lang_cap == 0) {
        lang = lbuf;
        lang_cap = sizeof lbuf;
        lang[0] = 0;
    }
    a->in_utt = 0;
    int64_t t0 = clock_now_us();
    int rc = a->kind->finish(a->state, text, text_cap, lang, lang_cap, stats, err, errlen);
    stats->finish_us = clock_now_us() - t0;
    if (rc != SZ_OK)
        text[0] = 0;
    return rc;
}

void asr_cancel(asr *a)
{
    if (a && a->kind->cancel)
        a->kind->cancel(a->state);
}

void asr_destroy(asr **a)
{
    if (!a || !*a)
        return;
    if ((*a)->kind->destroy)
        (*a)->kind->destroy((*a)->state);
    free(*a);
    *a = NULL;
}
