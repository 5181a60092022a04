/* SPDX-License-Identifier: Apache-2.0 */
/* session.c: a session is the pipeline of DESIGN.md: four threads (tts,
 * scheduler/lipsync, avatar, stream) joined by bounded SPSC queues. Audio is
 * the master clock: video frame k covers voice samples
 * [floor(k*sr/fps), floor((k+1)*sr/fps)). Frame jobs come from a pool
 * allocated at start and circulate scheduler -> avatar -> stream -> pool. */
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "avatar/avatar.h"
#include "avatar/subtitle_track.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/queue.h"
#include "core/thread.h"
#include "core/utf8.h"
#include "engine/engine.h"
#include "lipsync/viseme.h"
#include "stream/output.h"
#include "tts/speak.h"
#include "tts/voice.h"

#define SES_POOL 6
#define SES_REQ_CAP 256
#define SES_MSG_CAP 64
#define SES_CHUNK 1024
#define SES_MAX_TEXT_BYTES (1u << 20)
#define SES_FADE_MS 20
#define SES_MOUTH_RELEASE_FRAMES 3
#define SES_IDLE_SMILE 0.2f
#define SES_MAX_FACE_SHIFT 8

typedef enum { REQ_SAY, REQ_FINISH, REQ_CONTROL } ses_req_kind;

/* A queued change that takes effect between utterances, in order: an idle
 * pause, an expression, a new background (sz_session_pause...). Travels
 * inline in the request and message payloads, so a plain free() frees it. */
typedef enum { CTL_PAUSE, CTL_EXPRESSION, CTL_BACKGROUND, CTL_CARD } ses_ctl_kind;

typedef struct ses_ctl {
    ses_ctl_kind kind;
    int pause_ms;
    float expression[EXPR_COUNT];
    uint32_t rgb;
    char image[1024]; /* "" = the colour */
    const struct avatar_card *card; /* CTL_CARD: kept by the caller; NULL hides it */
} ses_ctl;

#define SES_CTL_FLOATS ((sizeof(ses_ctl) + sizeof(float) - 1) / sizeof(float))
#define SES_EXPR_EASE_S 0.15 /* time constant of expression changes */

typedef struct ses_req {
    ses_req_kind kind;
    int id;
    int flags;
    uint64_t generation;
    char text[];
} ses_req;

typedef enum { MSG_START, MSG_AUDIO, MSG_EVENT, MSG_END, MSG_FINISH, MSG_CONTROL } ses_msg_kind;

typedef struct ses_msg {
    ses_msg_kind kind;
    int utt_id;
    uint64_t generation;
    int n;
    tts_event ev;
    float pcm[];
} ses_msg;

typedef struct ses_job {
    int eos;
    int64_t frame;
    int n_audio;
    float *audio;
    sz_face face;
    sz_video_frame video;
    int has_scene; /* a background change to apply before this frame */
    ses_ctl scene;
    int has_card; /* a product card change to apply before this frame */
    const struct avatar_card *card;
} ses_job;

/* The scheduler's view of the utterance being spoken. */
typedef struct ses_utt {
    int active;
    int id;
    uint64_t generation;
    int64_t t0; /* session sample where it starts; -1 until scheduled */
    /* The audio not yet spoken: buf[0] is utterance sample buf_off and
     * n_buf counts every sample received, so buf holds [buf_off, n_buf).
     * Samples before keep_from (the next frame's start) are never read
     * again and make room for new ones: the scheduler pulls audio only as
     * far as the frame it fills needs, the bounded tts queue makes the voice
     * wait for it, and memory stays bounded however long the utterance. */
    float *buf;
    size_t n_buf, cap_buf, buf_off, keep_from;
    int ended;
    ls_timeline tl;
    ls_loudness loud;
    tts_event last_phone;
    int have_last_phone;
    int last_viseme;
    tts_event *held; /* marks waiting for t0 */
    size_t n_held, cap_held;
} ses_utt;

struct sz_session {
    sz_engine *engine;
    sz_session_params p;
    char avatar_name[1024]; /* a name or a path */
    tts_voice *voice;
    int sr;
    avatar_renderer *avatar;
    avatar_idle idle;
    sub_track *subs; /* burned-in subtitles: sentence cues, NULL when off */
    char sub_text[1100];
    out_group *outs; /* each output runs on its own thread (stream/output.h) */
    int any_video;

    sz_queue *q_req, *q_tts, *q_avatar, *q_stream, *q_free;
    ses_job jobs[SES_POOL];
    float *audio_mem;
    uint8_t *video_mem;
    int max_frame_samples;
    sz_thread th_tts, th_sched, th_avatar, th_stream;

    pthread_mutex_t say_lock;
    int next_id;
    atomic_uint_fast64_t generation;
    atomic_int interrupt_pending;
    /* The start of an utterance said after an interrupt, pulled while the
     * interrupted one was still being played (its end was dropped with the
     * rest of it): held until the interrupt has stopped that one, so that
     * the interrupt never lands on the new utterance. Scheduler thread. */
    struct ses_msg *held_start;
    atomic_int stop;
    int started, finished;

    pthread_mutex_t err_lock;
    int err_code;
    char err_msg[512];

    atomic_llong frames_out, frames_dropped, underruns, samples_out;

    /* scheduler-thread state */
    ses_utt utt;
    int64_t frame;
    sz_face prev_face;
    int mouth_release;
    int face_shift; /* test hook: faces delayed by this many frames */
    engine_test_subtitle_fn test_subs_fn; /* test hook: each frame's subtitle */
    void *test_subs_user;
    engine_test_frame_fn test_frame_fn; /* test hook: each rendered frame */
    void *test_frame_user;
    sz_face face_delay[SES_MAX_FACE_SHIFT];
    int finishing;
    sz_clock clock;
    int64_t pause_left; /* frames of a queued pause still to emit */
    float expr_cur[EXPR_COUNT], expr_target[EXPR_COUNT];
    int has_scene_pending;
    ses_ctl scene_pending;
    int has_card_pending;
    const struct avatar_card *card_pending;
    const struct avatar_card *card; /* avatar thread: the card shown */
    /* how the avatar was opened, to open it again on a background change */
    avatar_config avatar_cfg;
    char *cfg_overlay, *cfg_font;
};

static void ses_fail(sz_session *s, int code, const char *fmt, ...) SZ_PRINTF(3, 4);

static void ses_fail(sz_session *s, int code, const char *fmt, ...)
{
    pthread_mutex_lock(&s->err_lock);
    int first = s->err_code == SZ_OK;
    if (first) {
        s->err_code = code;
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(s->err_msg, sizeof s->err_msg, fmt, ap);
        va_end(ap);
    }
    pthread_mutex_unlock(&s->err_lock);
    if (first) {
        SZ_LOGE("engine", "%s", s->err_msg);
        if (s->p.on_state)
            s->p.on_state(SZ_STATE_ERROR, -1, 0, s->p.on_state_user_data);
    }
}

/* An API call was refused: the message is kept for sz_session_last_error,
 * the session itself is unharmed. */
static void ses_api_error(sz_session *s, const char *fmt, ...) SZ_PRINTF(2, 3);

static void ses_api_error(sz_session *s, const char *fmt, ...)
{
    pthread_mutex_lock(&s->err_lock);
    if (s->err_code == SZ_OK) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(s->err_msg, sizeof s->err_msg, fmt, ap);
        va_end(ap);
    }
    pthread_mutex_unlock(&s->err_lock);
}

/* Stops every thread: used on fatal errors and on abort. */
static void ses_halt(sz_session *s)
{
    atomic_store(&s->stop, 1);
    sz_queue *qs[] = {s->q_req, s->q_tts, s->q_avatar, s->q_stream, s->q_free};
    for (size_t i = 0; i < sizeof qs / sizeof qs[0]; i++)
        if (qs[i])
            queue_close(qs[i]);
}

/* Blocking push that gives up when the session stops. */
static int ses_push(sz_session *s, sz_queue *q, void *item)
{
    for (;;) {
        if (atomic_load(&s->stop))
            return SZ_ERR_CANCELLED;
        int rc = queue_push(q, item, 50000);
        if (rc != SZ_ERR_TIMEOUT)
            return rc;
    }
}

sz_session_params sz_session_default_params(void)
{
    sz_session_params p;
    memset(&p, 0, sizeof p);
    p.width = 1280;
    p.height = 720;
    p.fps = 30;
    p.pacing = SZ_PACING_OFFLINE;
    p.seed = 1;
    p.speaking_rate = 1.0f;
    p.background_rgb = 0x2b3a4a;
    p.avatar_x = 0.5f;
    p.avatar_y = 1.0f;
    p.avatar_scale = 1.0f;
    /* right of the default framing: a 16:9 frame's centred square portrait
     * ends at x = 0.78; the box spans 0.79 to 0.99 */
    p.overlay_x = 0.89f;
    p.overlay_y = 0.42f;
    p.overlay_width = 0.2f;
    p.lead_in_ms = 300;
    p.tail_ms = 400;
    return p;
}

/* ---- tts thread ------------------------------------------------------ */

typedef struct ses_tts_ctx {
    sz_session *s;
    uint64_t generation;
    int utt_id;
    ses_msg *chunk;
} ses_tts_ctx;

static ses_msg *ses_msg_new(ses_msg_kind kind, int utt_id, uint64_t gen, size_t n_pcm)
{
    ses_msg *m = malloc(sizeof *m + n_pcm * sizeof(float));
    if (!m)
        return NULL;
    m->kind = kind;
    m->utt_id = utt_id;
    m->generation = gen;
    m->n = 0;
    return m;
}

static int ses_tts_cancelled(ses_tts_ctx *c)
{
    return atomic_load(&c->s->stop) || atomic_load(&c->s->generation) != c->generation;
}

static int ses_tts_send(ses_tts_ctx *c, ses_msg *m)
{
    if (ses_push(c->s, c->s->q_tts, m) != SZ_OK) {
        free(m);
        return 1;
    }
    return 0;
}

static int ses_tts_flush(ses_tts_ctx *c)
{
    if (!c->chunk || c->chunk->n == 0)
        return 0;
    ses_msg *m = c->chunk;
    c->chunk = NULL;
    return ses_tts_send(c, m);
}

static int ses_tts_on_audio(void *user, const float *pcm, size_t n)
{
    ses_tts_ctx *c = user;
    while (n > 0) {
        if (ses_tts_cancelled(c))
            return 1;
        if (!c->chunk) {
            c->chunk = ses_msg_new(MSG_AUDIO, c->utt_id, c->generation, SES_CHUNK);
            if (!c->chunk)
                return 1;
        }
        size_t room = SES_CHUNK - (size_t)c->chunk->n;
        size_t take = n < room ? n : room;
        memcpy(c->chunk->pcm + c->chunk->n, pcm, take * sizeof(float));
        c->chunk->n += (int)take;
        pcm += take;
        n -= take;
        if (c->chunk->n == SES_CHUNK && ses_tts_flush(c))
            return 1;
    }
    return 0;
}

static int ses_tts_on_event(void *user, const tts_event *ev)
{
    ses_tts_ctx *c = user;
    if (ses_tts_cancelled(c))
        return 1;
    /* Keep order: audio before the event goes first. */
    if (ses_tts_flush(c))
        return 1;
    ses_msg *m = ses_msg_new(MSG_EVENT, c->utt_id, c->generation, 0);
    if (!m)
        return 1;
    m->ev = *ev;
    return ses_tts_send(c, m);
}

static void *ses_tts_main(void *arg)
{
    sz_session *s = arg;
    for (;;) {
        void *item;
        if (queue_pop(s->q_req, &item, -1) != SZ_OK)
            break;
        ses_req *r = item;
        if (r->kind == REQ_CONTROL) { /* passed on in order; dropped if interrupted */
            if (r->generation == atomic_load(&s->generation)) {
                ses_msg *m = ses_msg_new(MSG_CONTROL, -1, r->generation, SES_CTL_FLOATS);
                if (m) {
                    memcpy(m->pcm, r->text, sizeof(ses_ctl));
                    if (ses_push(s, s->q_tts, m) != SZ_OK)
                        free(m);
                }
            }
            free(r);
            continue;
        }
        if (r->kind == REQ_FINISH) {
            free(r);
            ses_msg *m = ses_msg_new(MSG_FINISH, -1, 0, 0);
            if (m && ses_push(s, s->q_tts, m) != SZ_OK)
                free(m);
            break;
        }
        ses_tts_ctx c = {.s = s, .generation = r->generation, .utt_id = r->id};
        if (ses_tts_cancelled(&c)) {
            free(r);
            continue;
        }
        ses_msg *start = ses_msg_new(MSG_START, r->id, r->generation, 0);
        if (!start || ses_tts_send(&c, start)) {
            free(r);
            continue;
        }
        tts_sink sink = {.on_audio = ses_tts_on_audio, .on_event = ses_tts_on_event, .user = &c};
        char err[512] = "";
        /* the text frontend, then the voice run by run on one clock */
        int rc = tts_speak(s->voice, r->text, r->flags, &sink, err, sizeof err);
        ses_tts_flush(&c);
        free(c.chunk);
        if (rc != SZ_OK && rc != SZ_ERR_CANCELLED) {
            if (s->p.pacing == SZ_PACING_OFFLINE)
                ses_fail(s, rc, "tts: utterance %d: %s", r->id, err);
            else
                SZ_LOGW("tts", "utterance %d skipped: %s", r->id, err);
        }
        ses_msg *end = ses_msg_new(MSG_END, r->id, r->generation, 0);
        if (end)
            ses_tts_send(&c, end);
        free(r);
        if (rc != SZ_OK && rc != SZ_ERR_CANCELLED && s->p.pacing == SZ_PACING_OFFLINE) {
            ses_halt(s);
            break;
        }
    }
    return NULL;
}

/* ---- scheduler (lipsync) thread -------------------------------------- */

static void ses_state(sz_session *s, sz_state st, int utt_id, int64_t sample)
{
    if (st == SZ_STATE_INTERRUPTED || st == SZ_STATE_IDLE)
        sub_track_cut(s->subs, sample * 1000 / s->sr); /* nothing shows past the speech */
    if (s->p.on_state)
        s->p.on_state(st, utt_id, sample * 1000 / s->sr, s->p.on_state_user_data);
}

static void ses_mark(sz_session *s, sz_mark_type type, int64_t start, int64_t end,
                     const char *value, int utt_id)
{
    if (type == SZ_MARK_SENTENCE)
        sub_track_add(s->subs, start * 1000 / s->sr, end * 1000 / s->sr, value);
    else if (type == SZ_MARK_WORD)
        sub_track_add_word(s->subs, start * 1000 / s->sr, end * 1000 / s->sr, value);
    if (!s->p.on_mark)
        return;
    sz_mark m = {.type = type,
                 .time_ms = start * 1000 / s->sr,
                 .end_ms = end * 1000 / s->sr,
                 .value = value,
                 .utterance_id = utt_id};
    s->p.on_mark(&m, s->p.on_mark_user_data);
}

/* Emits a complete event (utterance-relative samples) on the session clock. */
static void ses_emit_event(sz_session *s, const tts_event *ev)
{
    ses_utt *u = &s->utt;
    int64_t a = u->t0 + ev->start, b = u->t0 + (ev->end > ev->start ? ev->end : ev->start);
    switch (ev->type) {
    case TTS_EV_SENTENCE_BEGIN: sub_track_begin(s->subs, a * 1000 / s->sr, ev->value); break;
    case TTS_EV_SENTENCE: ses_mark(s, SZ_MARK_SENTENCE, a, b, ev->value, u->id); break;
    case TTS_EV_WORD: ses_mark(s, SZ_MARK_WORD, a, b, ev->value, u->id); break;
    case TTS_EV_MARK: ses_mark(s, SZ_MARK_MARK, a, b, ev->value, u->id); break;
    case TTS_EV_PHONE: {
        if (ev->value[0])
            ses_mark(s, SZ_MARK_PHONEME, a, b, ev->value, u->id);
        int v = lipsync_viseme_of_phone(ev->value);
        if (v >= 0 && v != u->last_viseme) {
            ses_mark(s, SZ_MARK_VISEME, a, b, media_viseme_name(v), u->id);
            u->last_viseme = v;
        }
        break;
    }
    }
}

static void ses_utt_event(sz_session *s, const tts_event *ev)
{
    ses_utt *u = &s->utt;
    if (u->t0 >= 0) {
        ses_emit_event(s, ev);
        return;
    }
    if (u->n_held == u->cap_held) {
        size_t cap = u->cap_held ? u->cap_held * 2 : 32;
        tts_event *h = realloc(u->held, cap * sizeof *h);
        if (!h)
            return; /* a lost mark is not worth failing the session */
        u->held = h;
        u->cap_held = cap;
    }
    u->held[u->n_held++] = *ev;
}

/* A phone's end is the next phone's start: complete the previous one. */
static void ses_utt_phone_done(sz_session *s, int64_t end)
{
    ses_utt *u = &s->utt;
    if (!u->have_last_phone)
        return;
    u->last_phone.end = end;
    ses_utt_event(s, &u->last_phone);
    u->have_last_phone = 0;
}

static int ses_utt_take(sz_session *s, ses_msg *m)
{
    ses_utt *u = &s->utt;
    switch (m->kind) {
    case MSG_AUDIO: {
        size_t held = u->n_buf - u->buf_off;
        if (held + (size_t)m->n > u->cap_buf && u->keep_from > u->buf_off) {
            /* full: drop what the frames already took */
            size_t drop = u->keep_from - u->buf_off;
            drop = drop < held ? drop : held;
            memmove(u->buf, u->buf + drop, (held - drop) * sizeof *u->buf);
            u->buf_off += drop;
            held -= drop;
        }
        if (held + (size_t)m->n > u->cap_buf) {
            size_t cap = u->cap_buf ? u->cap_buf * 2 : (size_t)s->sr * 4;
            while (cap < held + (size_t)m->n)
                cap *= 2;
            float *b = realloc(u->buf, cap * sizeof *b);
            if (!b)
                return SZ_ERR_NO_MEMORY;
            u->buf = b;
            u->cap_buf = cap;
        }
        memcpy(u->buf + held, m->pcm, (size_t)m->n * sizeof(float));
        u->n_buf += (size_t)m->n;
        break;
    }
    case MSG_EVENT:
        if (m->ev.type == TTS_EV_PHONE) {
            ses_utt_phone_done(s, m->ev.start);
            int rc = lipsync_timeline_add(&u->tl, m->ev.start, lipsync_viseme_of_phone(m->ev.value));
            if (rc != SZ_OK)
                return rc;
            u->last_phone = m->ev;
            u->have_last_phone = 1;
        } else {
            ses_utt_event(s, &m->ev);
        }
        break;
    case MSG_END:
        u->ended = 1;
        lipsync_timeline_close(&u->tl, (int64_t)u->n_buf);
        ses_utt_phone_done(s, (int64_t)u->n_buf);
        break;
    default:
        break;
    }
    return SZ_OK;
}

static void ses_utt_begin(sz_session *s, const ses_msg *m)
{
    ses_utt *u = &s->utt;
    u->active = 1;
    u->id = m->utt_id;
    u->generation = m->generation;
    u->t0 = -1;
    u->n_buf = 0;
    u->buf_off = 0;
    u->keep_from = 0;
    u->ended = 0;
    u->have_last_phone = 0;
    u->last_viseme = VIS_SIL;
    u->n_held = 0;
    lipsync_timeline_reset(&u->tl);
    lipsync_loudness_reset(&u->loud);
}

static void ses_utt_schedule(sz_session *s, int64_t t0)
{
    ses_utt *u = &s->utt;
    u->t0 = t0;
    ses_state(s, SZ_STATE_SPEAKING, u->id, t0);
    for (size_t i = 0; i < u->n_held; i++)
        ses_emit_event(s, &u->held[i]);
    u->n_held = 0;
}

/* A queued control reached the scheduler (between utterances). */
static void ses_apply_control(sz_session *s, const ses_ctl *c)
{
    switch (c->kind) {
    case CTL_PAUSE:
        s->pause_left = ((int64_t)c->pause_ms * s->p.fps + 500) / 1000;
        break;
    case CTL_EXPRESSION:
        memcpy(s->expr_target, c->expression, sizeof s->expr_target);
        break;
    case CTL_BACKGROUND:
        s->scene_pending = *c; /* the next frame carries it to the avatar thread */
        s->has_scene_pending = 1;
        break;
    case CTL_CARD:
        s->card_pending = c->card;
        s->has_card_pending = 1;
        break;
    }
}

/* Pulls one message from the tts queue. Returns 1 if one was handled, 0 on
 * timeout, -1 when the queue closed or the session failed. */
static int ses_pull(sz_session *s, int64_t deadline_us)
{
    ses_msg *m = s->held_start;
    int rc;
    if (m) {
        if (s->utt.active)
            return 0; /* the utterance before it is not stopped yet */
        s->held_start = NULL;
    } else {
        void *item;
        rc = queue_pop_until(s->q_tts, &item, deadline_us);
        if (rc == SZ_ERR_TIMEOUT)
            return 0;
        if (rc != SZ_OK)
            return -1;
        m = item;
    }
    uint64_t gen = atomic_load(&s->generation);
    if (m->kind == MSG_FINISH) {
        s->finishing = 1;
    } else if (m->generation != gen) {
        /* interrupted: dropped */
    } else if (m->kind == MSG_CONTROL) {
        ses_ctl c;
        memcpy(&c, m->pcm, sizeof c);
        ses_apply_control(s, &c);
    } else if (m->kind == MSG_START && s->utt.active) {
        s->held_start = m; /* begun once the interrupt has stopped the one playing */
        return 0;
    } else if (m->kind == MSG_START) {
        ses_utt_begin(s, m);
    } else if (s->utt.active && m->utt_id == s->utt.id) {
        rc = ses_utt_take(s, m);
        if (rc != SZ_OK) {
            free(m);
            ses_fail(s, rc, "scheduler: %s", sz_strerror(rc));
            return -1;
        }
    }
    free(m);
    return 1;
}

/* Fills job with frame s->frame: audio slice and mouth shape. */
static void ses_fill_frame(sz_session *s, ses_job *job, int live)
{
    ses_utt *u = &s->utt;
    int64_t a = clock_frame_first_sample(s->frame, s->sr, s->p.fps);
    int64_t b = clock_frame_first_sample(s->frame + 1, s->sr, s->p.fps);
    int n = (int)(b - a);
    int64_t look = lipsync_lookahead_samples(s->sr);
    job->frame = s->frame;
    job->eos = 0;
    job->n_audio = n;
    memset(job->audio, 0, (size_t)n * sizeof(float));
    sz_face face;
    memset(&face, 0, sizeof face);
    lipsync_face_silent(&face);

    int interrupted = atomic_exchange(&s->interrupt_pending, 0);
    if (interrupted && u->active && u->generation == atomic_load(&s->generation))
        interrupted = 0; /* said after the interrupt: not among what it drops */
    if (interrupted)
        s->pause_left = 0; /* a queued pause is dropped with the rest */
    if (interrupted && u->active && u->t0 < 0)
        u->active = 0; /* never started: nothing to fade */

    if (u->active && u->t0 < 0) {
        /* Schedule it at this frame once its first audio (plus the lip
         * look-ahead) is ready; offline waits, live never does. */
        while (!u->ended && (int64_t)u->n_buf < n + look && u->active) {
            if (ses_pull(s, live ? 0 : -1) <= 0)
                break;
        }
        if (u->ended || (int64_t)u->n_buf >= n + look)
            ses_utt_schedule(s, a);
    }
    if (u->active && u->t0 >= 0) {
        int64_t ra = a - u->t0, rb = b - u->t0;
        while (!u->ended && (int64_t)u->n_buf < rb + look) {
            if (ses_pull(s, live ? 0 : -1) <= 0)
                break;
        }
        if (interrupted && !u->ended && (int64_t)u->n_buf < rb) {
            /* interrupted while starved: nothing to fade */
            u->active = 0;
            ses_state(s, SZ_STATE_INTERRUPTED, u->id, a);
            ses_state(s, SZ_STATE_IDLE, u->id, a);
        } else if (!u->ended && (int64_t)u->n_buf < rb) {
            /* live underrun: pause the utterance by one frame */
            u->t0 += n;
            atomic_fetch_add(&s->underruns, 1);
        } else {
            int64_t avail = (int64_t)u->n_buf;
            int64_t off = (int64_t)u->buf_off; /* u->buf[0] is utterance sample off */
            for (int64_t i = ra; i < rb && i < avail; i++)
                job->audio[i - ra] = u->buf[i - off];
            lipsync_face_frame(&u->tl, ra, rb, &face);
            int64_t lead = lipsync_frame_lead_samples(s->sr); /* the audio this frame shows */
            int64_t la = ra + lead < avail ? ra + lead : avail;
            int64_t lb = rb + lead < avail ? rb + lead : avail;
            lipsync_loudness_apply(&u->loud, u->buf + (la - off), (size_t)(lb - la), s->sr, &face);
            /* later frames start at rb (an underrun moves t0, not ra) */
            int64_t keep = rb + (lead < 0 ? lead : 0);
            if (keep > (int64_t)u->keep_from)
                u->keep_from = (size_t)keep;
            if (interrupted) {
                int fade = s->sr * SES_FADE_MS / 1000;
                for (int i = 0; i < n; i++)
                    job->audio[i] *= i < fade ? 1.0f - (float)i / (float)fade : 0.0f;
                ses_state(s, SZ_STATE_INTERRUPTED, u->id, a);
                u->active = 0;
                s->mouth_release = SES_MOUTH_RELEASE_FRAMES;
                ses_state(s, SZ_STATE_IDLE, u->id, b);
            } else if (u->ended && rb >= avail) {
                u->active = 0;
                ses_state(s, SZ_STATE_IDLE, u->id, u->t0 + avail);
            }
        }
    }
    if (s->mouth_release > 0 && face.speaking == 0.0f) {
        /* after an interrupt: close the mouth over a few frames */
        float k = (float)s->mouth_release / (SES_MOUTH_RELEASE_FRAMES + 1);
        for (int v = 0; v < VIS_COUNT; v++)
            face.viseme[v] = face.viseme[v] * (1 - k) + s->prev_face.viseme[v] * k;
        lipsync_derive_controls(&face);
        s->mouth_release--;
    }
    /* expressions ease towards what the script or API asked for */
    float ease = 1.0f - expf(-1.0f / (float)(s->p.fps * SES_EXPR_EASE_S));
    for (int e = 0; e < EXPR_COUNT; e++) {
        s->expr_cur[e] += (s->expr_target[e] - s->expr_cur[e]) * ease;
        face.expression[e] = s->expr_cur[e];
    }
    job->has_scene = s->has_scene_pending;
    if (s->has_scene_pending) {
        job->scene = s->scene_pending;
        s->has_scene_pending = 0;
    }
    job->has_card = s->has_card_pending;
    job->card = s->card_pending;
    s->has_card_pending = 0;
    s->prev_face = face;
    if (s->face_shift > 0) { /* test hook: the mouth lags by face_shift frames */
        sz_face *slot = &s->face_delay[s->frame % s->face_shift];
        sz_face late = *slot;
        *slot = face;
        face = late;
    }
    job->face = face;
}

static ses_job *ses_free_job(sz_session *s, int64_t deadline_us)
{
    void *item;
    return queue_pop_until(s->q_free, &item, deadline_us) == SZ_OK ? item : NULL;
}

static void *ses_sched_main(void *arg)
{
    sz_session *s = arg;
    int live = s->p.pacing == SZ_PACING_LIVE;
    int64_t lead = live ? 0 : (int64_t)(s->p.lead_in_ms * s->p.fps / 1000.0 + 0.5);
    int64_t tail = live ? 0 : (int64_t)(s->p.tail_ms * s->p.fps / 1000.0 + 0.5);
    int64_t tail_left = -1;
    clock_start(&s->clock);
    while (!atomic_load(&s->stop)) {
        int64_t deadline = s->clock.start_us + s->frame * 1000000 / s->p.fps;
        if (live)
            clock_sleep_until_us(deadline);
        /* Between utterances: look for the next one (offline waits for it);
         * a queued pause holds it back. */
        if (!s->utt.active && !s->finishing && s->frame >= lead && s->pause_left == 0) {
            if (live) {
                while (!s->utt.active && !s->finishing && s->pause_left == 0 &&
                       ses_pull(s, 0) > 0) {
                }
            } else if (ses_pull(s, -1) < 0) {
                break;
            }
            if (!s->utt.active && !s->finishing && !live && s->pause_left == 0)
                continue; /* a control or a dropped (interrupted) message: look again */
        }
        if (s->pause_left > 0 && !s->utt.active)
            s->pause_left--;
        if (s->finishing && !s->utt.active) {
            if (tail_left < 0)
                tail_left = tail;
            if (tail_left-- == 0)
                break;
        }
        ses_job *job = ses_free_job(s, live ? deadline + 1000000 / s->p.fps : -1);
        if (!job) {
            if (atomic_load(&s->stop))
                break;
            atomic_fetch_add(&s->frames_dropped, 1); /* live: downstream too slow */
            s->frame++;
            continue;
        }
        ses_fill_frame(s, job, live);
        s->frame++;
        if (ses_push(s, s->q_avatar, job) != SZ_OK)
            break;
    }
    ses_job *eos = atomic_load(&s->stop) ? NULL : ses_free_job(s, -1);
    if (eos) {
        eos->eos = 1;
        eos->frame = s->frame;
        if (ses_push(s, s->q_avatar, eos) != SZ_OK)
            return NULL;
    }
    return NULL;
}

/* ---- avatar thread --------------------------------------------------- */

/* A background change: the renderer is opened again with the new scene. A
 * failure stops an offline session (the video would be wrong) and is logged
 * in a live one (the old background stays). */
static int ses_change_scene(sz_session *s, const ses_ctl *c)
{
    avatar_config ac = s->avatar_cfg;
    ac.background_rgb = c->rgb;
    ac.background_image = c->image[0] ? c->image : NULL;
    ac.transparent = 0;
    avatar_renderer *r = NULL;
    char err[512] = "";
    int rc = avatar_open(&ac, &r, err, sizeof err);
    if (rc != SZ_OK) {
        if (s->p.pacing == SZ_PACING_OFFLINE) {
            ses_fail(s, rc, "background change: %s", err[0] ? err : sz_strerror(rc));
            return rc;
        }
        SZ_LOGW("engine", "background change ignored: %s", err[0] ? err : sz_strerror(rc));
        return SZ_OK;
    }
    if (avatar_set_card(r, s->card) != SZ_OK)
        SZ_LOGW("engine", "the product card does not fit the new scene");
    avatar_free(&s->avatar);
    s->avatar = r;
    return SZ_OK;
}

static void *ses_avatar_main(void *arg)
{
    sz_session *s = arg;
    for (;;) {
        void *item;
        if (queue_pop(s->q_avatar, &item, -1) != SZ_OK)
            break;
        ses_job *job = item;
        if (job->has_scene) {
            job->has_scene = 0;
            if (s->any_video && ses_change_scene(s, &job->scene) != SZ_OK) {
                ses_halt(s);
                break;
            }
        }
        if (job->has_card) {
            job->has_card = 0;
            s->card = job->card;
            if (s->any_video && avatar_set_card(s->avatar, s->card) != SZ_OK)
                SZ_LOGW("engine", "the product card cannot be shown (out of memory, or no room)");
        }
        if (!job->eos && s->any_video) {
            avatar_idle_step(&s->idle, &job->face);
            job->video.pts = job->frame;
            int rc = SZ_OK;
            if (s->subs) {
                float progress;
                int64_t ms = (job->frame * 1000 + 500) / s->p.fps;
                sub_track_at(s->subs, ms, s->sub_text, sizeof s->sub_text, &progress);
                rc = avatar_set_subtitle(s->avatar, s->sub_text, progress);
                if (s->test_subs_fn) {
                    int n_lines, n_pages, page;
                    avatar_subtitle_layout(s->avatar, &n_lines, &n_pages, &page);
                    s->test_subs_fn(ms, s->sub_text, page, n_pages, s->test_subs_user);
                }
            }
            if (rc == SZ_OK)
                rc = avatar_render(s->avatar, &job->face, &job->video);
            if (rc == SZ_OK && s->test_frame_fn)
                s->test_frame_fn((job->frame * 1000 + 500) / s->p.fps, &job->video,
                                 s->test_frame_user);
            if (rc != SZ_OK) {
                ses_fail(s, rc, "avatar: rendering frame %lld failed: %s",
                         (long long)job->frame, sz_strerror(rc));
                ses_halt(s);
                break;
            }
        }
        int eos = job->eos;
        if (ses_push(s, s->q_stream, job) != SZ_OK || eos)
            break;
    }
    return NULL;
}

/* ---- stream thread --------------------------------------------------- */

/* Hands each frame to the output group, which never waits in live sessions
 * (a slow output drops and counts frames, with silence for them) and fills
 * gaps left by frames the live clock dropped. */
static void *ses_stream_main(void *arg)
{
    sz_session *s = arg;
    for (;;) {
        void *item;
        if (queue_pop(s->q_stream, &item, -1) != SZ_OK)
            break;
        ses_job *job = item;
        char err[512] = "";
        if (job->eos) {
            int rc = out_group_finish(s->outs, err, sizeof err);
            if (rc != SZ_OK)
                ses_fail(s, rc, "%s", err);
            break;
        }
        int rc = out_group_write(s->outs, job->frame, s->any_video ? &job->video : NULL,
                                 job->audio, job->n_audio, err, sizeof err);
        if (rc != SZ_OK) {
            ses_fail(s, rc, "stream: %s", err[0] ? err : sz_strerror(rc));
            ses_halt(s);
            break;
        }
        atomic_fetch_add(&s->frames_out, 1);
        atomic_fetch_add(&s->samples_out, job->n_audio);
        if (ses_push(s, s->q_free, job) != SZ_OK)
            break;
    }
    return NULL;
}

/* ---- public API ------------------------------------------------------ */

static void ses_engine_error(sz_engine *e, const char *fmt, ...) SZ_PRINTF(2, 3);

static void ses_engine_error(sz_engine *e, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->last_error, sizeof e->last_error, fmt, ap);
    va_end(ap);
}

int sz_session_create(sz_engine *engine, sz_session_params params, sz_session **out_session)
{
    if (!engine || !out_session)
        return SZ_ERR_INVALID_ARG;
    *out_session = NULL;
    engine->last_error[0] = 0;
    if (params.width < 64 || params.width > 4096 || params.height < 64 || params.height > 4096 ||
        params.width % 2 || params.height % 2) {
        ses_engine_error(engine, "video size %dx%d: expected even numbers between 64 and 4096",
                         params.width, params.height);
        return SZ_ERR_INVALID_ARG;
    }
    if (params.fps < 1 || params.fps > 120) {
        ses_engine_error(engine, "frame rate %d: expected 1 to 120", params.fps);
        return SZ_ERR_INVALID_ARG;
    }
    if (params.pacing != SZ_PACING_OFFLINE && params.pacing != SZ_PACING_LIVE) {
        ses_engine_error(engine, "unknown pacing %d", (int)params.pacing);
        return SZ_ERR_INVALID_ARG;
    }
    if (params.lead_in_ms < 0 || params.lead_in_ms > 60000 || params.tail_ms < 0 ||
        params.tail_ms > 60000) {
        ses_engine_error(engine, "lead-in and tail must be between 0 and 60000 ms");
        return SZ_ERR_INVALID_ARG;
    }
    if (params.voice_steps < 0 || params.voice_steps > 64 || params.voice_temperature > 2.0f ||
        !(params.voice_pitch == 0.0f || (params.voice_pitch >= 0.5f && params.voice_pitch <= 2.0f))) {
        ses_engine_error(engine, "voice steps must be 0 to 64, temperature at most 2, pitch 0.5 to 2");
        return SZ_ERR_INVALID_ARG;
    }
    sz_session *s = calloc(1, sizeof *s);
    if (!s) {
        ses_engine_error(engine, "out of memory");
        return SZ_ERR_NO_MEMORY;
    }
    int rc = SZ_OK;
    char err[512] = "";
    s->engine = engine;
    s->p = params;
    pthread_mutex_init(&s->say_lock, NULL);
    pthread_mutex_init(&s->err_lock, NULL);
    snprintf(s->avatar_name, sizeof s->avatar_name, "%s", params.avatar ? params.avatar : "default");
    s->p.avatar = s->avatar_name;
    s->p.voice = NULL; /* the name lives in the voice object */

    tts_voice_params vp = {.speaking_rate = params.speaking_rate > 0 ? params.speaking_rate : 1.0f,
                           .n_threads = engine->params.n_threads,
                           .seed = params.seed,
                           .steps = params.voice_steps,
                           .temperature = params.voice_temperature,
                           .pitch = params.voice_pitch,
                           .assets_dir = engine->assets_dir};
    rc = tts_voice_open(params.voice, &vp, &s->voice, err, sizeof err);
    if (rc != SZ_OK)
        goto fail;
    s->sr = tts_voice_sample_rate(s->voice);
    if (s->sr < 8000 || s->sr > 96000) {
        snprintf(err, sizeof err, "voice %s reports sample rate %d Hz", tts_voice_name(s->voice),
                 s->sr);
        rc = SZ_ERR_FORMAT;
        goto fail;
    }
    avatar_config ac = {.avatar = s->avatar_name,
                        .assets_dir = engine->assets_dir,
                        .width = params.width,
                        .height = params.height,
                        .background_rgb = params.background_rgb,
                        .background_image = params.background_image,
                        .transparent = params.transparent_background,
                        .avatar_x = params.avatar_x,
                        .avatar_y = params.avatar_y,
                        .avatar_scale = params.avatar_scale,
                        .overlay_image = params.overlay_image,
                        .overlay_x = params.overlay_x,
                        .overlay_y = params.overlay_y,
                        .overlay_w = params.overlay_width,
                        .subtitles = params.burn_subtitles,
                        .subtitle_font = params.subtitle_font};
    rc = avatar_open(&ac, &s->avatar, err, sizeof err);
    if (rc != SZ_OK)
        goto fail;
    /* kept to open the avatar again when the background changes */
    s->cfg_overlay = params.overlay_image ? strdup(params.overlay_image) : NULL;
    s->cfg_font = params.subtitle_font ? strdup(params.subtitle_font) : NULL;
    s->avatar_cfg = ac;
    s->avatar_cfg.overlay_image = s->cfg_overlay;
    s->avatar_cfg.subtitle_font = s->cfg_font;
    s->avatar_cfg.background_image = NULL;
    s->expr_target[EXPR_HAPPY] = s->expr_cur[EXPR_HAPPY] = SES_IDLE_SMILE;
    avatar_idle_init(&s->idle, params.seed, params.fps);
    if (params.burn_subtitles && sub_track_create(&s->subs) != SZ_OK) {
        rc = SZ_ERR_NO_MEMORY;
        goto fail;
    }
    lipsync_timeline_init(&s->utt.tl, s->sr);
    s->max_frame_samples = s->sr / params.fps + 2;
    s->q_req = queue_create(SES_REQ_CAP);
    s->q_tts = queue_create(SES_MSG_CAP);
    s->q_avatar = queue_create(SES_POOL);
    s->q_stream = queue_create(SES_POOL);
    s->q_free = queue_create(SES_POOL);
    s->audio_mem = calloc((size_t)SES_POOL * (size_t)s->max_frame_samples, sizeof(float));
    if (!s->q_req || !s->q_tts || !s->q_avatar || !s->q_stream || !s->q_free || !s->audio_mem) {
        snprintf(err, sizeof err, "out of memory");
        rc = SZ_ERR_NO_MEMORY;
        goto fail;
    }
    *out_session = s;
    return SZ_OK;
fail:
    ses_engine_error(engine, "%s", err[0] ? err : sz_strerror(rc));
    sz_session_free(&s);
    return rc;
}

int sz_session_add_output(sz_session *s, const char *url, const char *options)
{
    if (!s || !url)
        return SZ_ERR_INVALID_ARG;
    if (s->started) {
        ses_api_error(s, "outputs must be added before the session starts");
        return SZ_ERR_STATE;
    }
    if (!s->outs && out_group_create(s->p.pacing == SZ_PACING_LIVE, &s->outs) != SZ_OK) {
        ses_api_error(s, "out of memory");
        return SZ_ERR_NO_MEMORY;
    }
    /* transparent: formats without alpha refuse it (use .webm or .mov) */
    out_config cfg = {.url = url,
                      .options = options,
                      .width = s->p.width,
                      .height = s->p.height,
                      .fps = s->p.fps,
                      .sample_rate_hz = s->sr,
                      .transparent = s->p.transparent_background != 0};
    char err[512] = "";
    int rc = out_group_add(s->outs, &cfg, err, sizeof err);
    if (rc != SZ_OK) {
        ses_api_error(s, "%s", err[0] ? err : sz_strerror(rc));
        return rc;
    }
    s->any_video = out_group_needs_video(s->outs);
    return SZ_OK;
}

int sz_session_start(sz_session *s)
{
    if (!s)
        return SZ_ERR_INVALID_ARG;
    if (s->started) {
        ses_api_error(s, "session already started");
        return SZ_ERR_STATE;
    }
    if (out_group_count(s->outs) == 0) {
        ses_api_error(s, "no output: add one before starting the session");
        return SZ_ERR_STATE;
    }
    if (s->err_code != SZ_OK)
        return s->err_code;
    size_t stride = (size_t)s->p.width * 4;
    if (s->any_video) {
        s->video_mem = malloc((size_t)SES_POOL * stride * (size_t)s->p.height);
        if (!s->video_mem) {
            ses_fail(s, SZ_ERR_NO_MEMORY, "out of memory for %d video frames", SES_POOL);
            return SZ_ERR_NO_MEMORY;
        }
    }
    for (int i = 0; i < SES_POOL; i++) {
        ses_job *j = &s->jobs[i];
        j->audio = s->audio_mem + (size_t)i * (size_t)s->max_frame_samples;
        j->video.format = SZ_PIX_BGRA;
        j->video.width = s->p.width;
        j->video.height = s->p.height;
        j->video.stride = (int)stride;
        j->video.data = s->video_mem ? s->video_mem + (size_t)i * stride * (size_t)s->p.height
                                     : NULL;
        queue_push(s->q_free, j, 0);
    }
    struct {
        sz_thread *t;
        const char *name;
        void *(*fn)(void *);
    } th[] = {{&s->th_stream, "sz-stream", ses_stream_main},
              {&s->th_avatar, "sz-avatar", ses_avatar_main},
              {&s->th_sched, "sz-lipsync", ses_sched_main},
              {&s->th_tts, "sz-tts", ses_tts_main}};
    for (size_t i = 0; i < sizeof th / sizeof th[0]; i++) {
        if (thread_start(th[i].t, th[i].name, th[i].fn, s) != SZ_OK) {
            ses_fail(s, SZ_ERR_NO_MEMORY, "cannot start thread %s", th[i].name);
            ses_halt(s);
            return SZ_ERR_NO_MEMORY;
        }
    }
    s->started = 1;
    return SZ_OK;
}

int sz_session_say(sz_session *s, const char *text, int flags)
{
    if (!s || !text)
        return SZ_ERR_INVALID_ARG;
    size_t len = strlen(text);
    size_t bad = 0;
    if (len > SES_MAX_TEXT_BYTES) {
        SZ_LOGE("engine", "text too long (%zu bytes, limit %u)", len, SES_MAX_TEXT_BYTES);
        return SZ_ERR_INVALID_ARG;
    }
    if (!utf8_valid(text, len, &bad)) {
        SZ_LOGE("engine", "text is not valid UTF-8 (at byte %zu)", bad);
        return SZ_ERR_FORMAT;
    }
    int blank = 1;
    for (size_t i = 0; i < len && blank; i++)
        blank = text[i] == ' ' || text[i] == '\t' || text[i] == '\n' || text[i] == '\r';
    if (blank) {
        SZ_LOGE("engine", "nothing to say: the text is empty");
        return SZ_ERR_INVALID_ARG;
    }
    if (flags & ~SZ_SAY_SSML)
        return SZ_ERR_INVALID_ARG;
    if (flags & SZ_SAY_SSML) {
        char why[320];
        if (fe_ssml_check(text, len, why, sizeof why) != SZ_OK) {
            SZ_LOGE("engine", "%s", why);
            ses_api_error(s, "%s", why);
            return SZ_ERR_FORMAT;
        }
    }
    if (!s->started || s->finished || atomic_load(&s->stop))
        return SZ_ERR_STATE;
    char why[160];
    int chk = tts_speak_check(s->voice, text, flags, why, sizeof why);
    if (chk != SZ_OK) { /* only emoji: refused like empty text, nothing is written */
        SZ_LOGI("engine", "%s", why); /* the caller gets the code and sz_session_last_error */
        ses_api_error(s, "%s", why);
        return chk;
    }
    ses_req *r = malloc(sizeof *r + len + 1);
    if (!r)
        return SZ_ERR_NO_MEMORY;
    r->kind = REQ_SAY;
    r->flags = flags;
    memcpy(r->text, text, len + 1);
    pthread_mutex_lock(&s->say_lock);
    int id = r->id = s->next_id++; /* r belongs to the tts thread once pushed */
    r->generation = atomic_load(&s->generation);
    int rc = queue_push(s->q_req, r, 0);
    if (rc != SZ_OK)
        s->next_id--;
    pthread_mutex_unlock(&s->say_lock);
    if (rc != SZ_OK) {
        free(r);
        SZ_LOGE("engine", "too many queued utterances (%d)", SES_REQ_CAP);
        return rc == SZ_ERR_TIMEOUT ? SZ_ERR_STATE : rc;
    }
    return id;
}

int sz_session_interrupt(sz_session *s)
{
    if (!s)
        return SZ_ERR_INVALID_ARG;
    pthread_mutex_lock(&s->say_lock);
    atomic_fetch_add(&s->generation, 1);
    atomic_store(&s->interrupt_pending, 1);
    pthread_mutex_unlock(&s->say_lock);
    return SZ_OK;
}

/* Queues a control behind what is already said (REQ_CONTROL). */
static int ses_queue_control(sz_session *s, const ses_ctl *c)
{
    if (!s->started || s->finished || atomic_load(&s->stop))
        return SZ_ERR_STATE;
    ses_req *r = malloc(sizeof *r + sizeof *c);
    if (!r)
        return SZ_ERR_NO_MEMORY;
    r->kind = REQ_CONTROL;
    r->id = -1;
    r->flags = 0;
    memcpy(r->text, c, sizeof *c);
    pthread_mutex_lock(&s->say_lock);
    r->generation = atomic_load(&s->generation);
    int rc = queue_push(s->q_req, r, 0);
    pthread_mutex_unlock(&s->say_lock);
    if (rc != SZ_OK) {
        free(r);
        SZ_LOGE("engine", "too many queued requests (%d)", SES_REQ_CAP);
        return rc == SZ_ERR_TIMEOUT ? SZ_ERR_STATE : rc;
    }
    return SZ_OK;
}

int sz_session_pause(sz_session *s, int duration_ms)
{
    if (!s)
        return SZ_ERR_INVALID_ARG;
    if (duration_ms < 1 || duration_ms > 600000) {
        ses_api_error(s, "pause of %d ms: expected 1 to 600000", duration_ms);
        return SZ_ERR_INVALID_ARG;
    }
    ses_ctl c;
    memset(&c, 0, sizeof c);
    c.kind = CTL_PAUSE;
    c.pause_ms = duration_ms;
    return ses_queue_control(s, &c);
}

int sz_session_set_expression(sz_session *s, const char *name, float weight)
{
    static const char *const names[EXPR_COUNT] = {"happy", "angry", "sad", "relaxed",
                                                  "surprised"};
    if (!s || !name)
        return SZ_ERR_INVALID_ARG;
    if (!(weight >= 0.0f && weight <= 1.0f)) {
        ses_api_error(s, "expression weight %g: expected 0 to 1", (double)weight);
        return SZ_ERR_INVALID_ARG;
    }
    ses_ctl c;
    memset(&c, 0, sizeof c);
    c.kind = CTL_EXPRESSION;
    int found = strcmp(name, "neutral") == 0;
    for (int e = 0; e < EXPR_COUNT && !found; e++)
        if (strcmp(name, names[e]) == 0) {
            c.expression[e] = weight;
            found = 1;
        }
    if (!found) {
        ses_api_error(s, "unknown expression '%.40s' (expected neutral, happy, angry, sad, "
                         "relaxed or surprised)", name);
        return SZ_ERR_INVALID_ARG;
    }
    return ses_queue_control(s, &c);
}

int sz_session_set_background(sz_session *s, uint32_t rgb, const char *image)
{
    if (!s)
        return SZ_ERR_INVALID_ARG;
    if (rgb > 0xffffff) {
        ses_api_error(s, "background colour 0x%x: expected 0xRRGGBB", rgb);
        return SZ_ERR_INVALID_ARG;
    }
    ses_ctl c;
    memset(&c, 0, sizeof c);
    c.kind = CTL_BACKGROUND;
    c.rgb = rgb;
    if (image && *image) {
        if (strlen(image) >= sizeof c.image) {
            ses_api_error(s, "background image path too long");
            return SZ_ERR_INVALID_ARG;
        }
        FILE *f = fopen(image, "rb");
        if (!f) {
            ses_api_error(s, "background image %.900s: cannot read it", image);
            return SZ_ERR_NOT_FOUND;
        }
        fclose(f);
        snprintf(c.image, sizeof c.image, "%s", image);
    }
    return ses_queue_control(s, &c);
}

int engine_session_show_card(sz_session *s, const struct avatar_card *card)
{
    if (!s)
        return SZ_ERR_INVALID_ARG;
    ses_ctl c;
    memset(&c, 0, sizeof c);
    c.kind = CTL_CARD;
    c.card = card;
    return ses_queue_control(s, &c);
}

int sz_session_cancel(sz_session *s)
{
    if (!s)
        return SZ_ERR_INVALID_ARG;
    ses_halt(s);
    return SZ_OK;
}

static void ses_join(sz_session *s)
{
    thread_join(&s->th_tts);
    thread_join(&s->th_sched);
    thread_join(&s->th_avatar);
    thread_join(&s->th_stream);
}

int sz_session_finish(sz_session *s)
{
    if (!s)
        return SZ_ERR_INVALID_ARG;
    if (!s->started || s->finished)
        return SZ_ERR_STATE;
    ses_req *r = calloc(1, sizeof *r);
    if (!r)
        return SZ_ERR_NO_MEMORY;
    r->kind = REQ_FINISH;
    pthread_mutex_lock(&s->say_lock);
    int rc = ses_push(s, s->q_req, r);
    pthread_mutex_unlock(&s->say_lock);
    if (rc != SZ_OK)
        free(r);
    ses_join(s);
    s->finished = 1;
    if (s->p.on_state)
        s->p.on_state(SZ_STATE_FINISHED, -1, s->frame * 1000 / s->p.fps, s->p.on_state_user_data);
    pthread_mutex_lock(&s->err_lock);
    rc = s->err_code;
    pthread_mutex_unlock(&s->err_lock);
    if (rc == SZ_OK && atomic_load(&s->stop))
        rc = SZ_ERR_CANCELLED;
    return rc;
}

const char *sz_session_last_error(sz_session *s)
{
    if (!s)
        return "";
    return s->err_msg; /* a pipeline error is written once and then kept */
}

int engine_test_shift_face(sz_session *s, int frames)
{
    if (!s || frames < 0 || frames > SES_MAX_FACE_SHIFT)
        return SZ_ERR_INVALID_ARG;
    if (s->started)
        return SZ_ERR_STATE;
    for (int i = 0; i < SES_MAX_FACE_SHIFT; i++) {
        memset(&s->face_delay[i], 0, sizeof s->face_delay[i]);
        lipsync_face_silent(&s->face_delay[i]);
        s->face_delay[i].expression[EXPR_HAPPY] = SES_IDLE_SMILE;
    }
    s->face_shift = frames;
    return SZ_OK;
}

int engine_test_watch_subtitles(sz_session *s, engine_test_subtitle_fn fn, void *user)
{
    if (!s)
        return SZ_ERR_INVALID_ARG;
    if (s->started)
        return SZ_ERR_STATE;
    s->test_subs_fn = fn;
    s->test_subs_user = user;
    return SZ_OK;
}

int engine_test_watch_frames(sz_session *s, engine_test_frame_fn fn, void *user)
{
    if (!s)
        return SZ_ERR_INVALID_ARG;
    if (s->started)
        return SZ_ERR_STATE;
    s->test_frame_fn = fn;
    s->test_frame_user = user;
    return SZ_OK;
}

int sz_session_get_stats(sz_session *s, sz_session_stats *out)
{
    if (!s || !out)
        return SZ_ERR_INVALID_ARG;
    out->frames_out = atomic_load(&s->frames_out);
    out->frames_dropped = atomic_load(&s->frames_dropped);
    out->underruns = atomic_load(&s->underruns);
    out->samples_out = atomic_load(&s->samples_out);
    out->sample_rate_hz = s->sr;
    return SZ_OK;
}

int sz_session_get_output_stats(sz_session *s, int index, sz_output_stats *out)
{
    if (!s || !out)
        return SZ_ERR_INVALID_ARG;
    return out_group_stats(s->outs, index, out);
}

static void ses_drain(sz_queue *q, int owns)
{
    void *item;
    if (!q)
        return;
    while (queue_pop(q, &item, 0) == SZ_OK)
        if (owns)
            free(item);
}

void sz_session_free(sz_session **sp)
{
    if (!sp || !*sp)
        return;
    sz_session *s = *sp;
    if (s->started && !s->finished) {
        ses_halt(s);
        ses_join(s);
    }
    out_group_free(&s->outs); /* stops outputs not finished */
    ses_drain(s->q_req, 1);
    ses_drain(s->q_tts, 1);
    free(s->held_start);
    queue_free(&s->q_req);
    queue_free(&s->q_tts);
    queue_free(&s->q_avatar);
    queue_free(&s->q_stream);
    queue_free(&s->q_free);
    free(s->audio_mem);
    free(s->video_mem);
    free(s->utt.buf);
    free(s->utt.held);
    lipsync_timeline_free(&s->utt.tl);
    avatar_free(&s->avatar);
    free(s->cfg_overlay);
    free(s->cfg_font);
    sub_track_free(&s->subs);
    tts_voice_free(&s->voice);
    pthread_mutex_destroy(&s->say_lock);
    pthread_mutex_destroy(&s->err_lock);
    free(s);
    *sp = NULL;
}
