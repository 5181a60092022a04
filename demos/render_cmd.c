/* SPDX-License-Identifier: Apache-2.0 */
/* render_cmd.c: `shuzi render`: an explainer video from a script, offline,
 * with a progress bar and subtitles (demos/modes.h). */
#include "demos/modes.h"

#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "core/clock.h"
#include "core/utf8.h"
#include "engine/api.h"
#include "engine/config.h"
#include "engine/config_modes.h"
#include "engine/host.h"
#include "engine/listening.h"
#include "engine/script.h"
#include "llm/llm.h"
#include "shuzi.h"
#include "stream/subtitles.h"

#include "demos/modes_internal.h"

/* ---- render ---------------------------------------------------------- */

typedef struct render_run {
    pthread_mutex_t lock;
    sz_mark *marks; /* sentence and word marks, values copied */
    size_t n, cap;
    int oom;
    int *utt_item; /* utterance id -> script item */
    int n_utt;
    double *units; /* per item: characters, or the pause's equivalent */
    double total;
    int done_item; /* items up to here are rendered */
    int cur_utt;
    double cur_chars; /* words marked in the utterance being rendered */
    atomic_int failed;
    sz_session *session;
    int show;
    volatile int finished;
    pthread_cond_t cond;
    int64_t t0_us;
} render_run;

static void modes_render_on_mark(const sz_mark *m, void *user)
{
    render_run *r = user;
    if (m->type != SZ_MARK_SENTENCE && m->type != SZ_MARK_WORD)
        return;
    pthread_mutex_lock(&r->lock);
    if (m->type == SZ_MARK_WORD) {
        if (m->utterance_id != r->cur_utt) {
            r->cur_utt = m->utterance_id;
            r->cur_chars = 0;
        }
        r->cur_chars += (double)utf8_char_offset(m->value, strlen(m->value), 1u << 20) + 1;
    }
    if (r->n == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 256;
        sz_mark *p = realloc(r->marks, cap * sizeof *p);
        if (!p) {
            r->oom = 1;
            pthread_mutex_unlock(&r->lock);
            return;
        }
        r->marks = p;
        r->cap = cap;
    }
    sz_mark c = *m;
    c.value = strdup(m->value ? m->value : "");
    if (!c.value)
        r->oom = 1;
    else
        r->marks[r->n++] = c;
    pthread_mutex_unlock(&r->lock);
}

static void modes_render_on_state(sz_state st, int utt, int64_t time_ms, void *user)
{
    (void)time_ms;
    render_run *r = user;
    if (st == SZ_STATE_ERROR) {
        atomic_store(&r->failed, 1);
        return;
    }
    if ((st == SZ_STATE_IDLE || st == SZ_STATE_INTERRUPTED) && utt >= 0) {
        pthread_mutex_lock(&r->lock);
        if (utt < r->n_utt && r->utt_item[utt] > r->done_item)
            r->done_item = r->utt_item[utt];
        if (utt == r->cur_utt)
            r->cur_chars = 0;
        pthread_mutex_unlock(&r->lock);
    }
}

static double modes_render_progress(render_run *r, const script *sc)
{
    pthread_mutex_lock(&r->lock);
    double done = 0;
    for (int i = 0; i <= r->done_item && i < sc->n; i++)
        done += r->units[i];
    int next = r->done_item + 1;
    while (next < sc->n && sc->items[next].kind != SCRIPT_SAY)
        next++;
    if (next < sc->n && r->cur_chars > 0)
        done += r->cur_chars < r->units[next] ? r->cur_chars : r->units[next];
    pthread_mutex_unlock(&r->lock);
    return r->total > 0 ? done / r->total : 0;
}

typedef struct render_bar {
    render_run *r;
    const script *sc;
} render_bar;

static void *modes_render_progress_main(void *arg)
{
    render_bar *b = arg;
    render_run *r = b->r;
    pthread_mutex_lock(&r->lock);
    for (int first = 1; !r->finished; first = 0) {
        if (!first) { /* the bar shows at once, then every 250 ms */
            struct timespec ts;
            clock_gettime(CLOCK_REALTIME, &ts);
            ts.tv_nsec += 250000000;
            if (ts.tv_nsec >= 1000000000) {
                ts.tv_sec++;
                ts.tv_nsec -= 1000000000;
            }
            pthread_cond_timedwait(&r->cond, &r->lock, &ts);
            if (r->finished)
                break;
        }
        pthread_mutex_unlock(&r->lock);
        double p = modes_render_progress(r, b->sc);
        sz_session_stats st;
        double media = 0;
        if (sz_session_get_stats(r->session, &st) == SZ_OK && st.sample_rate_hz > 0)
            media = (double)st.samples_out / st.sample_rate_hz;
        double wall = (clock_now_us() - r->t0_us) / 1e6;
        char bar[31];
        int fill = (int)(p * 30 + 0.5);
        for (int i = 0; i < 30; i++)
            bar[i] = i < fill ? '#' : '-';
        bar[30] = 0;
        char eta[32] = "--:--";
        if (p > 0.02 && p < 1) {
            int s = (int)(wall * (1 - p) / p + 0.5);
            snprintf(eta, sizeof eta, "%d:%02d", s / 60, s % 60);
        } else if (p >= 1) {
            snprintf(eta, sizeof eta, "0:00");
        }
        fprintf(stderr, "\r[%s] %3d%%  %6.1f s of video  %4.1fx real time  ETA %s  ", bar,
                (int)(p * 100), media, wall > 0 ? media / wall : 0.0, eta);
        fflush(stderr);
        pthread_mutex_lock(&r->lock);
    }
    pthread_mutex_unlock(&r->lock);
    fprintf(stderr, "\r\033[K");
    fflush(stderr);
    return NULL;
}

/* Queues one script item, waiting while the session's request queue is full. */
static int modes_render_feed(render_run *r, const script_item *it, int index)
{
    for (;;) {
        int rc;
        switch (it->kind) {
        case SCRIPT_SAY: rc = sz_session_say(r->session, it->text, 0); break;
        case SCRIPT_PAUSE: rc = sz_session_pause(r->session, it->pause_ms); break;
        case SCRIPT_EXPRESSION:
            rc = sz_session_set_expression(r->session, it->expression, it->weight);
            break;
        default: rc = sz_session_set_background(r->session, it->rgb, it->text); break;
        }
        if (rc >= 0) {
            if (it->kind == SCRIPT_SAY) {
                pthread_mutex_lock(&r->lock);
                if (rc >= r->n_utt) {
                    int n = rc + 64;
                    int *m = realloc(r->utt_item, (size_t)n * sizeof *m);
                    if (!m) {
                        pthread_mutex_unlock(&r->lock);
                        return SZ_ERR_NO_MEMORY;
                    }
                    for (int i = r->n_utt; i < n; i++)
                        m[i] = -1;
                    r->utt_item = m;
                    r->n_utt = n;
                }
                r->utt_item[rc] = index;
                pthread_mutex_unlock(&r->lock);
            }
            return SZ_OK;
        }
        /* SZ_ERR_STATE: the queue is full (wait) or the session stopped */
        if (rc != SZ_ERR_STATE || atomic_load(&r->failed) || modes_signal_received())
            return rc;
        modes_sleep_ms(10);
    }
}

int modes_render(int argc, char **argv)
{
    modes_opts o;
    int rc = modes_parse("render", argc, argv, &o);
    if (rc >= 0)
        return rc;
    if (optind >= argc)
        return modes_fail(EXIT_USAGE, "render: missing SCRIPT (see 'shuzi render --help')");
    if (optind + 1 < argc)
        return modes_fail(EXIT_USAGE, "render: unexpected argument '%s'", argv[optind + 1]);
    if (!o.output)
        return modes_fail(EXIT_USAGE, "render: missing -o OUT (see 'shuzi render --help')");
    if (o.subs && !subs_path_ok(o.subs))
        return modes_fail(EXIT_USAGE, "--subtitles '%s': expected a .srt or .vtt file", o.subs);
    sz_set_log_callback(modes_log, NULL);
    modes_signals_start();

    sz_config cfg;
    config_defaults(&cfg);
    script sc;
    memset(&sc, 0, sizeof sc);
    render_run r;
    memset(&r, 0, sizeof r);
    pthread_mutex_init(&r.lock, NULL);
    pthread_cond_init(&r.cond, NULL);
    r.done_item = -1;
    r.cur_utt = -1;
    sz_engine *engine = NULL;
    sz_session *session = NULL;
    pthread_t bar_thread;
    int bar_started = 0;
    render_bar bar = {&r, &sc};
    char err[1200];
    int exit_code = EXIT_RUNTIME;

    if ((rc = modes_config(&o, &cfg)) >= 0) {
        exit_code = rc;
        goto done;
    }
    if (script_load(argv[optind], &sc, err, sizeof err) != SZ_OK ||
        (o.subs && subs_check_writable(o.subs, err, sizeof err) != SZ_OK)) {
        modes_fail(EXIT_RUNTIME, "%s", err);
        goto done;
    }
    r.units = calloc((size_t)sc.n, sizeof *r.units);
    if (!r.units) {
        modes_fail(EXIT_RUNTIME, "out of memory");
        goto done;
    }
    for (int i = 0; i < sc.n; i++) {
        const script_item *it = &sc.items[i];
        r.units[i] = it->kind == SCRIPT_SAY
                         ? (double)utf8_char_offset(it->text, strlen(it->text), 1u << 30)
                     : it->kind == SCRIPT_PAUSE ? it->pause_ms * 0.015 /* ~15 characters/s */
                                                : 0;
        r.total += r.units[i];
    }
    if (sz_engine_create(sz_engine_default_params(), &engine) != SZ_OK) {
        modes_fail(EXIT_RUNTIME, "cannot create the engine");
        goto done;
    }
    sz_session_params sp = sz_session_default_params();
    config_apply(&cfg, &sp);
    sp.pacing = SZ_PACING_OFFLINE;
    sp.on_mark = modes_render_on_mark;
    sp.on_mark_user_data = &r;
    sp.on_state = modes_render_on_state;
    sp.on_state_user_data = &r;
    if (sz_session_create(engine, sp, &session) != SZ_OK) {
        modes_fail(EXIT_RUNTIME, "%s", sz_engine_last_error(engine));
        goto done;
    }
    r.session = session;
    char options[160];
    if (modes_encoder_options(&o, options, sizeof options) != 0) {
        exit_code = modes_fail(EXIT_USAGE, "--preset: value too long");
        goto done;
    }
    if (sz_session_add_output(session, o.output, options[0] ? options : NULL) != SZ_OK) {
        modes_fail(EXIT_RUNTIME, "%s", sz_session_last_error(session));
        goto done;
    }
    modes_signals_watch(session);
    if (sz_session_start(session) != SZ_OK) {
        modes_fail(EXIT_RUNTIME, "%s", sz_session_last_error(session));
        goto done;
    }
    r.t0_us = clock_now_us();
    r.show = !o.quiet && (o.progress || isatty(2));
    if (r.show)
        bar_started = pthread_create(&bar_thread, NULL, modes_render_progress_main, &bar) == 0;
    int feed_rc = SZ_OK;
    for (int i = 0; i < sc.n && feed_rc == SZ_OK; i++)
        feed_rc = modes_render_feed(&r, &sc.items[i], i);
    int fin = sz_session_finish(session);
    if (bar_started) {
        pthread_mutex_lock(&r.lock);
        r.finished = 1;
        pthread_cond_signal(&r.cond);
        pthread_mutex_unlock(&r.lock);
        pthread_join(bar_thread, NULL);
        bar_started = 0;
    }
    if (modes_signal_received()) {
        modes_fail(EXIT_RUNTIME, "interrupted by signal %d: no output written",
                   modes_signal_received());
        goto done;
    }
    if (fin != SZ_OK || feed_rc != SZ_OK) {
        const char *why = sz_session_last_error(session);
        modes_fail(EXIT_RUNTIME, "%s", *why ? why : sz_strerror(fin != SZ_OK ? fin : feed_rc));
        goto done;
    }
    sz_session_stats st;
    sz_session_get_stats(session, &st);
    double media = st.sample_rate_hz ? (double)st.samples_out / st.sample_rate_hz : 0;
    double wall = (clock_now_us() - r.t0_us) / 1e6;
    int cues = 0;
    if (o.subs) {
        if (r.oom) {
            modes_fail(EXIT_RUNTIME, "%s: out of memory collecting the speech marks", o.subs);
            goto done;
        }
        if (subs_write(o.subs, r.marks, r.n, NULL, &cues, err, sizeof err) != SZ_OK) {
            modes_fail(EXIT_RUNTIME, "%s", err);
            goto done;
        }
    }
    if (!o.quiet) {
        char extra[600] = "";
        if (o.subs)
            snprintf(extra, sizeof extra, " and %s (%d cues)", o.subs, cues);
        fprintf(stderr, "shuzi: wrote %s (%.1f s of video, rendered at %.1fx real time)%s\n",
                o.output, media, wall > 0 ? media / wall : 0.0, extra);
    }
    exit_code = 0;
done:
    if (bar_started) {
        pthread_mutex_lock(&r.lock);
        r.finished = 1;
        pthread_cond_signal(&r.cond);
        pthread_mutex_unlock(&r.lock);
        pthread_join(bar_thread, NULL);
    }
    modes_signals_watch(NULL);
    sz_session_free(&session); /* removes a partial output after a failure */
    sz_engine_free(&engine);
    for (size_t i = 0; i < r.n; i++)
        free((char *)r.marks[i].value);
    free(r.marks);
    free(r.utt_item);
    free(r.units);
    script_free(&sc);
    config_free(&cfg);
    return exit_code;
}
