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
#define SUBT_OPEN INT64_MAX    /* the end of a sentence still being spoken */
#define SUBT_WORDS 128         /* words followed in one sentence (more: the last is updated) */
#define SUBT_MATCH_SKIP 48     /* bytes of written text a spoken word may skip ("¥99") */

typedef struct sub_word {
    int64_t start_ms;
    int chars; /* characters of the written text before the word */
} sub_word;

typedef struct sub_cue {
    int64_t start_ms, end_ms; /* end_ms: SUBT_OPEN until the sentence's end is known */
    char text[SUBS_MAX_BYTES + 1];
    size_t cursor; /* sentences: the byte just past the last word found in text */
    int n_words;
    sub_word words[SUBT_WORDS];
} sub_cue;

typedef struct sub_ring {
    sub_cue cues[SUBT_SLOTS];
    int head, count; /* oldest cue, number of cues */
} sub_ring;

/* Sentences come from sentence marks; phrases are built from word marks
 * outside any sentence and shown only where no sentence covers the time (a
 * voice without sentence marks still gets subtitles). */
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
    c->cursor = 0;
    c->n_words = 0;
    r->count++;
    return c;
}

static sub_cue *subt_cue(sub_ring *r, int i)
{
    return &r->cues[(r->head + i) % SUBT_SLOTS];
}

void sub_track_begin(sub_track *t, int64_t start_ms, const char *text)
{
    if (!t || !text)
        return;
    pthread_mutex_lock(&t->lock);
    for (int i = 0; i < t->sentences.count; i++) { /* a new sentence replaces the old */
        sub_cue *c = subt_cue(&t->sentences, i);
        if (c->end_ms == SUBT_OPEN)
            c->end_ms = start_ms > c->start_ms ? start_ms : c->start_ms;
    }
    subt_append(subt_push(&t->sentences, start_ms, SUBT_OPEN)->text, text);
    pthread_mutex_unlock(&t->lock);
}

void sub_track_add(sub_track *t, int64_t start_ms, int64_t end_ms, const char *text)
{
    if (!t || !text)
        return;
    pthread_mutex_lock(&t->lock);
    sub_cue *open = NULL;
    for (int i = t->sentences.count - 1; i >= 0 && !open; i--) {
        sub_cue *c = subt_cue(&t->sentences, i);
        if (c->end_ms == SUBT_OPEN && c->start_ms == start_ms &&
            strncmp(c->text, text, SUBS_MAX_BYTES) == 0)
            open = c;
    }
    if (open)
        open->end_ms = end_ms > start_ms ? end_ms : start_ms;
    else
        subt_append(subt_push(&t->sentences, start_ms, end_ms)->text, text);
    pthread_mutex_unlock(&t->lock);
}

static int subt_alnum(unsigned char ch)
{
    return (ch >= '0' && ch <= '9') || ((ch | 0x20) >= 'a' && (ch | 0x20) <= 'z');
}

static int subt_same(const char *a, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char x = (unsigned char)a[i], y = (unsigned char)b[i];
        if (x >= 'A' && x <= 'Z')
            x = (unsigned char)(x | 0x20);
        if (y >= 'A' && y <= 'Z')
            y = (unsigned char)(y | 0x20);
        if (x != y)
            return 0;
    }
    return 1;
}

static int subt_chars(const char *s, size_t n)
{
    int k = 0;
    for (size_t i = 0; i < n && s[i]; i++)
        k += ((unsigned char)s[i] & 0xC0) != 0x80;
    return k;
}

/* Where speech is in sentence c once word w starts: the word is looked for
 * in the written text a little past the last word found (case aside, at a
 * word start); a word written otherwise ("ninety" for "¥99") is not found
 * and leaves the place where it was. */
static void subt_follow(sub_cue *c, int64_t start_ms, const char *w)
{
    size_t wn = strlen(w);
    while (wn > 0 && (unsigned char)w[0] < 0x80 && !subt_alnum((unsigned char)w[0]))
        w++, wn--; /* punctuation the voice kept ("Hello,") */
    while (wn > 0 && (unsigned char)w[wn - 1] < 0x80 && !subt_alnum((unsigned char)w[wn - 1]))
        wn--;
    size_t n = strlen(c->text), pos = c->cursor;
    for (size_t i = c->cursor; wn > 0 && i + wn <= n && i <= c->cursor + SUBT_MATCH_SKIP; i++) {
        if (((unsigned char)c->text[i] & 0xC0) == 0x80)
            continue; /* inside a character */
        if (i > 0 && subt_alnum((unsigned char)w[0]) && subt_alnum((unsigned char)c->text[i - 1]))
            continue; /* inside a word */
        if (subt_same(c->text + i, w, wn)) {
            pos = i;
            c->cursor = i + wn;
            break;
        }
    }
    int k = c->n_words < SUBT_WORDS ? c->n_words++ : SUBT_WORDS - 1;
    c->words[k].start_ms = start_ms;
    c->words[k].chars = subt_chars(c->text, pos);
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
    for (int i = t->sentences.count - 1; i >= 0; i--) {
        sub_cue *c = subt_cue(&t->sentences, i);
        if (c->start_ms <= start_ms && start_ms < c->end_ms) { /* a word of this sentence */
            subt_follow(c, start_ms, text);
            pthread_mutex_unlock(&t->lock);
            return;
        }
    }
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

/* How far speech is into c at at_ms: the character of the word being said,
 * else (no words) the share of the cue's time, 0 while its end is unknown. */
static float subt_progress(const sub_cue *c, int64_t at_ms)
{
    if (c->n_words > 0) {
        int total = subt_chars(c->text, sizeof c->text);
        for (int i = c->n_words - 1; i >= 0; i--)
            if (c->words[i].start_ms <= at_ms) {
                float p = total > 0 ? ((float)c->words[i].chars + 0.5f) / (float)total : 0.0f;
                return p < 1.0f ? p : 1.0f;
            }
        return 0.0f;
    }
    if (c->end_ms == SUBT_OPEN)
        return 0.0f;
    return (float)(at_ms - c->start_ms) / (float)(c->end_ms - c->start_ms);
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
        *progress = subt_progress(c, at_ms);
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
