/* SPDX-License-Identifier: Apache-2.0 */
/* subtitle_track.c: a small ring of timed cues behind a mutex (see
 * subtitle_track.h). Texts live in fixed slots, so nothing is allocated
 * after creation. */
#include "avatar/subtitle_track.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "avatar/subtitle.h"
#include "shuzi.h"

#define SUBT_SLOTS 64
#define SUBT_PHRASE_GAP_MS 600 /* a pause this long between words starts a new phrase */
#define SUBT_PHRASE_BYTES 120  /* a phrase is cut after this much text */
#define SUBT_HOLD_MS 250       /* a phrase stays up this long after its last word */

typedef struct sub_cue {
    int64_t start_ms, end_ms;
    char text[SUBS_MAX_BYTES + 1];
} sub_cue;

typedef struct sub_ring {
    sub_cue cues[SUBT_SLOTS];
    int head, count; /* oldest cue, number of cues */
} sub_ring;

/* Sentences come from sentence marks; phrases are built from word marks and
 * shown only where no sentence covers the time (a voice without sentence
 * marks still gets subtitles). */
struct sub_track {
    pthread_mutex_t lock;
    sub_ring sentences, phrases;
    int64_t phrase_last_end; /* end of the last word added to the newest phrase */
};

int sub_track_create(sub_track **out)
{
    *out = calloc(1, sizeof **out);
    if (!*out)
        return SZ_ERR_NO_MEMORY;
    pthread_mutex_init(&(*out)->lock, NULL);
    return SZ_OK;
}

/* Appends text to dst (capacity SUBS_MAX_BYTES + 1), cut at a character. */
static void subt_append(char *dst, const char *text)
{
    size_t used = strlen(dst), n = strlen(text);
    if (used + n > SUBS_MAX_BYTES) {
        n = SUBS_MAX_BYTES - used;
        while (n > 0 && ((unsigned char)text[n] & 0xC0) == 0x80)
            n--;
    }
    memcpy(dst + used, text, n);
    dst[used + n] = 0;
}

static sub_cue *subt_push(sub_ring *r, int64_t start_ms, int64_t end_ms)
{
    if (r->count == SUBT_SLOTS) { /* far ahead of the video: the oldest goes */
        r->head = (r->head + 1) % SUBT_SLOTS;
        r->count--;
    }
    sub_cue *c = &r->cues[(r->head + r->count) % SUBT_SLOTS];
    c->start_ms = start_ms;
    c->end_ms = end_ms > start_ms ? end_ms : start_ms;
    c->text[0] = 0;
    r->count++;
    return c;
}

void sub_track_add(sub_track *t, int64_t start_ms, int64_t end_ms, const char *text)
{
    if (!t || !text)
        return;
    pthread_mutex_lock(&t->lock);
    subt_append(subt_push(&t->sentences, start_ms, end_ms)->text, text);
    pthread_mutex_unlock(&t->lock);
}

static int subt_is_cjk_start(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    return p[0] >= 0xE2; /* three- and four-byte sequences: CJK, kana, hangul, fullwidth */
}

void sub_track_add_word(sub_track *t, int64_t start_ms, int64_t end_ms, const char *text)
{
    if (!t || !text || !text[0])
        return;
    pthread_mutex_lock(&t->lock);
    sub_ring *r = &t->phrases;
    sub_cue *last = r->count ? &r->cues[(r->head + r->count - 1) % SUBT_SLOTS] : NULL;
    int join = last && start_ms - t->phrase_last_end < SUBT_PHRASE_GAP_MS &&
               start_ms >= last->start_ms && strlen(last->text) + strlen(text) < SUBT_PHRASE_BYTES;
    if (!join) {
        last = subt_push(r, start_ms, end_ms + SUBT_HOLD_MS);
    } else {
        size_t n = strlen(last->text);
        int cjk = n > 0 && subt_is_cjk_start(text) && (unsigned char)last->text[n - 1] >= 0x80;
        if (!cjk)
            subt_append(last->text, " ");
        if (end_ms + SUBT_HOLD_MS > last->end_ms)
            last->end_ms = end_ms + SUBT_HOLD_MS;
    }
    subt_append(last->text, text);
    t->phrase_last_end = end_ms;
    pthread_mutex_unlock(&t->lock);
}

static void subt_cut(sub_ring *r, int64_t at_ms)
{
    for (int i = 0; i < r->count; i++) {
        sub_cue *c = &r->cues[(r->head + i) % SUBT_SLOTS];
        if (c->end_ms > at_ms)
            c->end_ms = at_ms > c->start_ms ? at_ms : c->start_ms;
    }
}

void sub_track_cut(sub_track *t, int64_t at_ms)
{
    if (!t)
        return;
    pthread_mutex_lock(&t->lock);
    subt_cut(&t->sentences, at_ms);
    subt_cut(&t->phrases, at_ms);
    pthread_mutex_unlock(&t->lock);
}

/* The cue of r covering at_ms, after dropping those that ended. */
static const sub_cue *subt_find(sub_ring *r, int64_t at_ms)
{
    /* cues that ended before now are done (the video only moves forward) */
    while (r->count > 0 && r->cues[r->head].end_ms <= at_ms) {
        r->head = (r->head + 1) % SUBT_SLOTS;
        r->count--;
    }
    for (int i = r->count - 1; i >= 0; i--) {
        const sub_cue *c = &r->cues[(r->head + i) % SUBT_SLOTS];
        if (c->start_ms <= at_ms && at_ms < c->end_ms)
            return c;
    }
    return NULL;
}

int sub_track_at(sub_track *t, int64_t at_ms, char *text, size_t cap, float *progress)
{
    if (cap)
        text[0] = 0;
    *progress = 0.0f;
    if (!t)
        return 0;
    pthread_mutex_lock(&t->lock);
    const sub_cue *c = subt_find(&t->sentences, at_ms);
    const sub_cue *w = subt_find(&t->phrases, at_ms);
    if (!c)
        c = w;
    if (c) {
        size_t n = strlen(c->text);
        if (n >= cap)
            n = cap ? cap - 1 : 0;
        if (cap) {
            memcpy(text, c->text, n);
            text[n] = 0;
        }
        *progress = (float)(at_ms - c->start_ms) / (float)(c->end_ms - c->start_ms);
    }
    pthread_mutex_unlock(&t->lock);
    return c != NULL;
}

void sub_track_free(sub_track **tp)
{
    if (!tp || !*tp)
        return;
    pthread_mutex_destroy(&(*tp)->lock);
    free(*tp);
    *tp = NULL;
}
