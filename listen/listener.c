/* SPDX-License-Identifier: Apache-2.0 */
/* listener.c: the listening stage (listener.h). sz-listen: microphone
 * frames, the far end read back from the speakers' record (stream/played.h),
 * echo cancellation and endpointing (listen/echo.h); each utterance goes,
 * with the audio just before its detected start, as messages through a
 * bounded queue to sz-asr, which feeds the recognizer and reports text. */
#include "listen/listener.h"

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/log.h"
#include "core/queue.h"
#include "core/thread.h"
#include "listen/mic.h"
#include "shuzi.h"
#include "stream/played.h"

#define LS_RATE ASR_RATE
#define LS_FRAME_MAX 320      /* 20 ms at 16 kHz */
#define LS_PREROLL_MS 600 /* audio kept before a detected start, beyond onset_ms: a start found late (the canceller still converging) keeps its first words */
#define LS_QUEUE_FRAMES 4000  /* 40 s of 10 ms frames waiting for the recognizer */
#define LS_SIM_MAX_MS 200     /* longest simulated echo path */

typedef enum ls_msg_kind { LS_BEGIN, LS_AUDIO, LS_END, LS_ABORT } ls_msg_kind;

typedef struct ls_msg {
    ls_msg_kind kind;
    int64_t t_us; /* LS_END: the endpoint */
    size_t n;
    float pcm[]; /* LS_AUDIO */
} ls_msg;

struct listener {
    listener_params p;
    mic *mic;
    echo_canceller *echo;
    asr *asr;
    played_reader *far;
    int frame; /* samples per frame */
    sz_thread listen_thread, asr_thread;
    int listen_started, asr_started;
    atomic_int stop;
    sz_queue *q;

    /* sz-listen only */
    float *preroll; /* ring of cleaned audio */
    size_t preroll_cap, preroll_pos, preroll_fill;
    float *sim_hist; /* far-end history for the simulated room */
    size_t sim_len, sim_pos;
    atomic_int in_utterance; /* written by sz-listen only */
    int64_t window_until_us; /* push-to-talk: 0 closed; else open until */

    atomic_int pending;        /* utterances begun and not yet recognized */
    atomic_int window_request; /* push-to-talk: 1 open, -1 close, 0 nothing new */
    pthread_mutex_t lock;      /* stats */
    listener_stats st;
    int error_reported;
};

listener_params listener_default_params(void)
{
    listener_params p;
    memset(&p, 0, sizeof p);
    p.mic = "default";
    p.mode = LISTEN_ALWAYS;
    p.echo = echo_default_params();
    p.far_lead_ms = 20;
    p.sim_echo_delay_ms = 30;
    p.push_window_s = 8.0;
    return p;
}

static void ls_error(listener *l, const char *msg)
{
    pthread_mutex_lock(&l->lock);
    l->st.errors++;
    pthread_mutex_unlock(&l->lock);
    if (l->p.cb.on_error)
        l->p.cb.on_error(l->p.cb.user, msg);
}

static void ls_send(listener *l, ls_msg_kind kind, const float *pcm, size_t n, int64_t t_us)
{
    ls_msg *m = malloc(sizeof *m + n * sizeof(float));
    if (!m)
        return;
    m->kind = kind;
    m->t_us = t_us;
    m->n = n;
    if (n)
        memcpy(m->pcm, pcm, n * sizeof(float));
    if (queue_push(l->q, m, 0) != SZ_OK) {
        free(m);
        pthread_mutex_lock(&l->lock);
        l->st.dropped_frames++;
        pthread_mutex_unlock(&l->lock);
    }
}

/* The simulated room: the direct path and three reflections of what the
 * speakers played, added to the microphone. */
static void ls_sim_echo(listener *l, const float *far, float *near, int n)
{
    static const struct {
        int extra_ms;
        float gain;
    } taps[] = {{0, 1.0f}, {7, 0.5f}, {19, 0.3f}, {37, 0.15f}};
    for (int i = 0; i < n; i++) {
        l->sim_hist[l->sim_pos] = far ? far[i] : 0.0f;
        float e = 0;
        for (size_t k = 0; k < sizeof taps / sizeof taps[0]; k++) {
            size_t d = (size_t)(l->p.sim_echo_delay_ms + taps[k].extra_ms) * LS_RATE / 1000;
            e += taps[k].gain * l->sim_hist[(l->sim_pos + l->sim_len - d) % l->sim_len];
        }
        near[i] += (float)l->p.sim_echo_gain * e;
        l->sim_pos = (l->sim_pos + 1) % l->sim_len;
    }
}

static void ls_preroll_add(listener *l, const float *x, int n)
{
    for (int i = 0; i < n; i++) {
        l->preroll[l->preroll_pos] = x[i];
        l->preroll_pos = (l->preroll_pos + 1) % l->preroll_cap;
    }
    l->preroll_fill += (size_t)n;
    if (l->preroll_fill > l->preroll_cap)
        l->preroll_fill = l->preroll_cap;
}

/* Sends the kept audio (oldest first) as the utterance's beginning. */
static void ls_preroll_send(listener *l)
{
    size_t n = l->preroll_fill;
    size_t start = (l->preroll_pos + l->preroll_cap - n) % l->preroll_cap;
    float buf[LS_FRAME_MAX * 8];
    while (n > 0) {
        size_t k = n < sizeof buf / sizeof buf[0] ? n : sizeof buf / sizeof buf[0];
        for (size_t i = 0; i < k; i++)
            buf[i] = l->preroll[(start + i) % l->preroll_cap];
        ls_send(l, LS_AUDIO, buf, k, 0);
        start = (start + k) % l->preroll_cap;
        n -= k;
    }
}

static int ls_open(listener *l, int64_t now)
{
    if (l->p.mode == LISTEN_ALWAYS)
        return 1;
    int req = atomic_exchange(&l->window_request, 0);
    if (req > 0 && !l->window_until_us)
        l->window_until_us = now + (int64_t)(l->p.push_window_s * 1e6);
    if (req < 0 && l->window_until_us) {
        l->window_until_us = 0;
        if (l->in_utterance) { /* released mid-sentence: hear what was said */
            ls_send(l, LS_END, NULL, 0, now);
            l->in_utterance = 0;
        }
        echo_reset_endpoint(l->echo);
    }
    if (l->window_until_us && !l->in_utterance && now > l->window_until_us) {
        l->window_until_us = 0;
        echo_reset_endpoint(l->echo);
    }
    pthread_mutex_lock(&l->lock);
    l->st.window_open = l->window_until_us != 0;
    pthread_mutex_unlock(&l->lock);
    return l->window_until_us != 0;
}

static void *ls_listen_main(void *arg)
{
    listener *l = arg;
    float near[LS_FRAME_MAX], far[LS_FRAME_MAX], clean[LS_FRAME_MAX];
    int n = l->frame;
    int64_t frame_us = (int64_t)n * 1000000 / LS_RATE;
    while (!atomic_load(&l->stop)) {
        int64_t t;
        char err[300];
        int rc = mic_read(l->mic, near, (size_t)n, &t, 200000, err, sizeof err);
        if (rc == SZ_ERR_TIMEOUT)
            continue;
        if (rc != SZ_OK) {
            if (!l->error_reported)
                ls_error(l, err);
            l->error_reported = 1;
            clock_sleep_until_us(clock_now_us() + 200000);
            continue;
        }
        int any = played_read(l->far, t - (int64_t)l->p.far_lead_ms * 1000, far, (size_t)n);
        if (l->p.sim_echo_gain > 0)
            ls_sim_echo(l, any ? far : NULL, near, n);
        int open = ls_open(l, t);
        echo_frame info;
        echo_event ev = echo_process(l->echo, near, any ? far : NULL, clean, &info);
        pthread_mutex_lock(&l->lock);
        l->st.frames++;
        l->st.last_out_db = info.out_db;
        pthread_mutex_unlock(&l->lock);
        if (!open) {
            if (echo_in_utterance(l->echo))
                echo_reset_endpoint(l->echo);
            ls_preroll_add(l, clean, n);
            continue;
        }
        if (ev == ECHO_START && !l->in_utterance) {
            l->in_utterance = 1;
            int64_t onset = t + frame_us - (int64_t)l->p.echo.onset_ms * 1000;
            if (l->p.cb.on_speech_start)
                l->p.cb.on_speech_start(l->p.cb.user, onset);
            pthread_mutex_lock(&l->lock);
            l->st.listening = 1;
            pthread_mutex_unlock(&l->lock);
            atomic_fetch_add(&l->pending, 1);
            ls_send(l, LS_BEGIN, NULL, 0, onset);
            ls_preroll_send(l);
        }
        ls_preroll_add(l, clean, n);
        if (l->in_utterance)
            ls_send(l, LS_AUDIO, clean, (size_t)n, t);
        if (ev == ECHO_END && l->in_utterance) {
            l->in_utterance = 0;
            int64_t end = t + frame_us;
            ls_send(l, LS_END, NULL, 0, end);
            pthread_mutex_lock(&l->lock);
            l->st.listening = 0;
            l->st.utterances++;
            pthread_mutex_unlock(&l->lock);
            if (l->p.cb.on_speech_end)
                l->p.cb.on_speech_end(l->p.cb.user, end);
            if (l->p.mode == LISTEN_PUSH_TO_TALK)
                l->window_until_us = 0; /* one utterance per push */
        }
    }
    queue_close(l->q);
    return NULL;
}

static void *ls_asr_main(void *arg)
{
    listener *l = arg;
    int active = 0;
    char err[600], partial[1024], text[4096], lang[16];
    for (;;) {
        void *item;
        int rc = queue_pop(l->q, &item, -1);
        if (rc != SZ_OK)
            break;
        ls_msg *m = item;
        if (m->kind == LS_BEGIN) {
            active = asr_begin(l->asr, err, sizeof err) == SZ_OK;
            if (!active)
                ls_error(l, err);
        } else if (m->kind == LS_AUDIO && active) {
            int got = asr_feed(l->asr, m->pcm, m->n, partial, sizeof partial, err, sizeof err);
            if (got < 0) {
                ls_error(l, err);
                active = 0;
            } else if (got > 0 && l->p.cb.on_heard && !atomic_load(&l->stop)) {
                l->p.cb.on_heard(l->p.cb.user, partial, 0, "", 0);
            }
        } else if (m->kind == LS_END && !active) {
            atomic_fetch_sub(&l->pending, 1);
        } else if (m->kind == LS_END && active) {
            asr_stats as;
            rc = asr_finish(l->asr, text, sizeof text, lang, sizeof lang, &as, err, sizeof err);
            active = 0;
            if (rc == SZ_OK) {
                pthread_mutex_lock(&l->lock);
                if (text[0])
                    l->st.recognized++;
                pthread_mutex_unlock(&l->lock);
                if (l->p.cb.on_heard && !atomic_load(&l->stop))
                    l->p.cb.on_heard(l->p.cb.user, text, 1, lang, m->t_us);
            } else if (rc != SZ_ERR_CANCELLED) {
                ls_error(l, err);
            }
            atomic_fetch_sub(&l->pending, 1);
        }
        free(m);
    }
    return NULL;
}

int listener_create(const listener_params *p, listener **out, char *err, size_t errlen)
{
    *out = NULL;
    asr *recognizer = p->recognizer;
    listener *l = calloc(1, sizeof *l);
    if (!l) {
        asr_destroy(&recognizer);
        snprintf(err, errlen, "listening: out of memory");
        return SZ_ERR_NO_MEMORY;
    }
    l->p = *p;
    l->asr = recognizer;
    pthread_mutex_init(&l->lock, NULL);
    int rc = SZ_OK;
    if (!l->asr) {
        snprintf(err, errlen, "listening: no speech recognizer");
        rc = SZ_ERR_INVALID_ARG;
        goto fail;
    }
    if (p->sim_echo_gain < 0 || p->sim_echo_gain > 4 || p->sim_echo_delay_ms < 0 ||
        p->sim_echo_delay_ms + 40 > LS_SIM_MAX_MS || p->far_lead_ms < 0 || p->far_lead_ms > 500 ||
        p->push_window_s <= 0) {
        snprintf(err, errlen,
                 "listening: simulated echo gain 0 to 4 and delay 0 to %d ms, far-end lead 0 to "
                 "500 ms, push window > 0",
                 LS_SIM_MAX_MS - 40);
        rc = SZ_ERR_INVALID_ARG;
        goto fail;
    }
    l->p.echo.rate = LS_RATE;
    if ((rc = echo_create(&l->p.echo, &l->echo, err, errlen)) != SZ_OK)
        goto fail;
    l->frame = echo_frame_samples(l->echo);
    if (l->frame <= 0 || l->frame > LS_FRAME_MAX) {
        snprintf(err, errlen, "listening: frames of %d samples are not supported", l->frame);
        rc = SZ_ERR_INVALID_ARG;
        goto fail;
    }
    l->preroll_cap = (size_t)(p->echo.onset_ms + LS_PREROLL_MS) * LS_RATE / 1000;
    l->preroll = calloc(l->preroll_cap, sizeof *l->preroll);
    l->sim_len = (size_t)LS_SIM_MAX_MS * LS_RATE / 1000;
    l->sim_hist = calloc(l->sim_len, sizeof *l->sim_hist);
    l->q = queue_create(LS_QUEUE_FRAMES);
    l->far = played_reader_open(LS_RATE);
    if (!l->preroll || !l->sim_hist || !l->q || !l->far) {
        snprintf(err, errlen, "listening: out of memory");
        rc = SZ_ERR_NO_MEMORY;
        goto fail;
    }
    if ((rc = mic_open(p->mic, LS_RATE, &l->mic, err, errlen)) != SZ_OK)
        goto fail;
    *out = l;
    return SZ_OK;
fail:
    listener_free(&l);
    return rc;
}

int listener_start(listener *l, char *err, size_t errlen)
{
    if (thread_start(&l->asr_thread, "sz-asr", ls_asr_main, l) != SZ_OK) {
        snprintf(err, errlen, "listening: cannot start the recognizer thread");
        return SZ_ERR_NO_MEMORY;
    }
    l->asr_started = 1;
    if (thread_start(&l->listen_thread, "sz-listen", ls_listen_main, l) != SZ_OK) {
        snprintf(err, errlen, "listening: cannot start the microphone thread");
        listener_stop(l);
        return SZ_ERR_NO_MEMORY;
    }
    l->listen_started = 1;
    return SZ_OK;
}

void listener_stop(listener *l)
{
    if (!l)
        return;
    atomic_store(&l->stop, 1);
    if (l->asr)
        asr_cancel(l->asr);
    if (l->listen_started)
        thread_join(&l->listen_thread);
    l->listen_started = 0;
    if (l->q)
        queue_close(l->q);
    if (l->asr_started)
        thread_join(&l->asr_thread);
    l->asr_started = 0;
}

void listener_free(listener **pl)
{
    if (!pl || !*pl)
        return;
    listener *l = *pl;
    listener_stop(l);
    if (l->q) {
        void *item;
        while (queue_pop(l->q, &item, 0) == SZ_OK)
            free(item);
        queue_free(&l->q);
    }
    mic_close(&l->mic);
    echo_destroy(&l->echo);
    asr_destroy(&l->asr);
    played_reader_close(&l->far);
    free(l->preroll);
    free(l->sim_hist);
    pthread_mutex_destroy(&l->lock);
    free(l);
    *pl = NULL;
}

void listener_push_to_talk(listener *l, int on)
{
    if (l && l->p.mode == LISTEN_PUSH_TO_TALK)
        atomic_store(&l->window_request, on ? 1 : -1);
}

void listener_get_stats(listener *l, listener_stats *out)
{
    pthread_mutex_lock(&l->lock);
    *out = l->st;
    pthread_mutex_unlock(&l->lock);
}

const char *listener_mic_kind(const listener *l)
{
    return mic_kind_name(l->mic);
}

int listener_mic_done(listener *l)
{
    return mic_done(l->mic);
}

int listener_busy(listener *l)
{
    return l->in_utterance || atomic_load(&l->pending) > 0;
}
