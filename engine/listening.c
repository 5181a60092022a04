/* SPDX-License-Identifier: Apache-2.0 */
/* listening.c: the listener wired to a room (listening.h). Callbacks run on
 * the listener's threads and only publish events, count, and hand the host
 * a question or an interrupt, which return at once. */
#include "engine/listening.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/json.h"
#include "core/log.h"
#include "engine/events.h"
#include "engine/metrics.h"
#include "listen/asr.h"
#include "listen/listener.h"
#include "stream/window_status.h"

struct listening {
    host *h;
    listener *lst;
    int barge_in;
    int print_heard;
    int push_to_talk;
    atomic_llong answer_wait_us; /* endpoint of a question whose answer has not sounded yet */
    sz_state_fn chained_state;
    void *chained_state_user;
    char desc[700];
};

listening_params listening_default_params(void)
{
    listening_params p;
    memset(&p, 0, sizeof p);
    p.barge_in = -1;
    p.push_to_talk = -1;
    p.sim_echo_delay_ms = 30;
    return p;
}

static void lsn_publish(listening *l, const char *type, const char *json)
{
    ev_hub *hub = host_events(l->h);
    if (hub)
        ev_hub_publish(hub, type, json);
}

static void lsn_state(listening *l, const char *state)
{
    char json[96];
    snprintf(json, sizeof json, "{\"state\": \"%s\"}", state);
    lsn_publish(l, "state", json);
}

static void lsn_on_speech_start(void *user, int64_t onset_us)
{
    listening *l = user;
    lsn_state(l, "listening");
    window_status_set_mic(WINDOW_MIC_HEARING);
    if (!l->barge_in)
        return;
    host_status st;
    host_get_status(l->h, &st);
    if (strcmp(st.state, "idle") == 0 && st.utterances_pending == 0)
        return;
    /* the customer cuts in: the avatar stops and listens */
    host_interrupt(l->h);
    metrics *m = host_metrics(l->h);
    metrics_add(m, MT_BARGE_INS, 1);
    int64_t now = clock_now_us();
    metrics_observe(m, MT_BARGE_IN, now > onset_us ? (now - onset_us) / 1e6 : 0.0);
    lsn_state(l, "barge_in");
}

static void lsn_on_speech_end(void *user, int64_t end_us)
{
    listening *l = user;
    (void)end_us;
    metrics_add(host_metrics(l->h), MT_HEARD_UTTERANCES, 1);
    window_status_set_mic(l->push_to_talk ? WINDOW_MIC_WAITING : WINDOW_MIC_OPEN);
}

static void lsn_on_heard(void *user, const char *text, int final, const char *lang,
                         int64_t endpoint_us)
{
    listening *l = user;
    size_t cap = strlen(text) * 6 + 128;
    char *json = malloc(cap);
    if (!json)
        return;
    size_t k = (size_t)snprintf(json, cap, "{\"text\": ");
    k += json_escape(json + k, cap - k, text);
    snprintf(json + k, cap - k, ", \"final\": %s, \"lang\": \"%s\"}", final ? "true" : "false",
             lang && strlen(lang) < 8 ? lang : "");
    lsn_publish(l, "heard", json);
    free(json);
    if (text[0])
        window_status_set_heard(text);
    if (!final)
        return;
    metrics *m = host_metrics(l->h);
    int64_t now = clock_now_us();
    if (endpoint_us > 0)
        metrics_observe(m, MT_ASR_LATENCY, now > endpoint_us ? (now - endpoint_us) / 1e6 : 0.0);
    if (!text[0])
        return;
    metrics_add(m, MT_HEARD_RECOGNIZED, 1);
    if (l->print_heard)
        fprintf(stderr, "shuzi: heard: %s\n", text);
    char why[300];
    atomic_store(&l->answer_wait_us, endpoint_us > 0 ? endpoint_us : now);
    if (host_chat(l->h, text, l->barge_in, why, sizeof why) < 0) {
        atomic_store(&l->answer_wait_us, 0);
        SZ_LOGW("listening", "the question was not taken: %s", why);
    }
}

static void lsn_on_error(void *user, const char *message)
{
    listening *l = user;
    metrics_add(host_metrics(l->h), MT_ASR_ERRORS, 1);
    char json[1200];
    size_t k = (size_t)snprintf(json, sizeof json, "{\"source\": \"listening\", \"message\": ");
    json_escape(json + k, sizeof json - k - 2, message);
    strncat(json, "}", sizeof json - strlen(json) - 1);
    lsn_publish(l, "error", json);
    SZ_LOGW("listening", "%s", message);
}

static void lsn_push(void *user, int on)
{
    listening *l = user;
    listener_push_to_talk(l->lst, on);
    if (!l->push_to_talk)
        return;
    window_status_set_mic(on ? WINDOW_MIC_OPEN : WINDOW_MIC_WAITING);
    if (on)
        lsn_state(l, "listening");
}

static void lsn_on_state(sz_state st, int utt, int64_t time_ms, void *user)
{
    listening *l = user;
    if (l->chained_state)
        l->chained_state(st, utt, time_ms, l->chained_state_user);
    if (st != SZ_STATE_SPEAKING)
        return;
    int64_t at = atomic_exchange(&l->answer_wait_us, 0);
    if (at > 0) {
        int64_t now = clock_now_us();
        metrics_observe(host_metrics(l->h), MT_HEARD_FIRST_AUDIO,
                        now > at ? (now - at) / 1e6 : 0.0);
    }
}

void listening_attach(listening *l, sz_session_params *sp)
{
    l->chained_state = sp->on_state;
    l->chained_state_user = sp->on_state_user_data;
    sp->on_state = lsn_on_state;
    sp->on_state_user_data = l;
}

static int lsn_recognizer(const listening_params *p, asr **out, char *desc, size_t desclen,
                          char *err, size_t errlen)
{
    const sz_mode_config *mc = p->mc;
    const char *url = p->asr_url ? p->asr_url : mc->has_asr ? mc->asr_url : "";
    if (!url[0]) {
        asr_pocketsphinx_params pp = asr_pocketsphinx_default_params();
        snprintf(desc, desclen, "offline English recognizer (pocketsphinx)");
        return asr_pocketsphinx_create(&pp, out, err, errlen);
    }
    asr_openai_params op = asr_openai_default_params();
    op.base_url = url;
    if (mc->asr_model[0])
        op.model = mc->asr_model;
    op.api_key = mc->asr_key_env[0] ? getenv(mc->asr_key_env) : NULL;
    op.language = mc->asr_language[0] ? mc->asr_language : NULL;
    op.timeout_s = mc->asr_timeout_s;
    op.max_retries = mc->asr_retries;
    snprintf(desc, desclen, "transcription server %.400s", url);
    return asr_openai_create(&op, out, err, errlen);
}

int listening_create(const listening_params *p, host *h, listening **out, char *err,
                     size_t errlen)
{
    *out = NULL;
    const sz_mode_config *mc = p->mc;
    listening *l = calloc(1, sizeof *l);
    if (!l) {
        snprintf(err, errlen, "listening: out of memory");
        return SZ_ERR_NO_MEMORY;
    }
    l->h = h;
    l->barge_in = p->barge_in >= 0 ? p->barge_in : mc->barge_in;
    l->print_heard = p->print_heard;
    char rdesc[500];
    listener_params lp = listener_default_params();
    int rc = lsn_recognizer(p, &lp.recognizer, rdesc, sizeof rdesc, err, errlen);
    if (rc != SZ_OK) {
        free(l);
        return rc;
    }
    lp.mic = p->mic ? p->mic : mc->mic;
    l->push_to_talk = p->push_to_talk >= 0 ? p->push_to_talk : mc->listen_push_to_talk;
    lp.mode = l->push_to_talk ? LISTEN_PUSH_TO_TALK : LISTEN_ALWAYS;
    lp.echo.cancel_echo = mc->echo_cancel;
    lp.echo.onset_ms = mc->listen_onset_ms;
    lp.echo.hangover_ms = mc->listen_hangover_ms;
    lp.echo.noise_suppress_db = mc->listen_noise_db;
    lp.sim_echo_gain = p->sim_echo_gain;
    lp.sim_echo_delay_ms = p->sim_echo_delay_ms;
    lp.cb = (listener_callbacks){lsn_on_speech_start, lsn_on_speech_end, lsn_on_heard,
                                 lsn_on_error, l};
    if ((rc = listener_create(&lp, &l->lst, err, errlen)) != SZ_OK) {
        free(l);
        return rc;
    }
    snprintf(l->desc, sizeof l->desc, "listening on %.150s (%s%s), %s", lp.mic,
             lp.mode == LISTEN_PUSH_TO_TALK ? "push-to-talk" : "always",
             l->barge_in ? ", barge-in" : "", rdesc);
    *out = l;
    return SZ_OK;
}

int listening_start(listening *l, char *err, size_t errlen)
{
    int rc = listener_start(l->lst, err, errlen);
    if (rc == SZ_OK) {
        host_set_listen(l->h, lsn_push, l);
        window_status_set_heard(NULL);
        window_status_set_mic(l->push_to_talk ? WINDOW_MIC_WAITING : WINDOW_MIC_OPEN);
        window_status_set_key(lsn_push, l);
    }
    return rc;
}

const char *listening_describe(const listening *l)
{
    return l->desc;
}

int listening_mic_done(listening *l)
{
    return l ? listener_mic_done(l->lst) : 0;
}

int listening_busy(listening *l)
{
    if (!l)
        return 0;
    return !listener_mic_done(l->lst) || listener_busy(l->lst);
}

void listening_stop(listening *l)
{
    if (!l)
        return;
    host_set_listen(l->h, NULL, NULL);
    window_status_set_key(NULL, NULL);
    listener_stop(l->lst); /* the indicator stays until listening_free: a
                              window drawn while the session finishes shows it */
}

void listening_free(listening **pl)
{
    if (!pl || !*pl)
        return;
    listening_stop(*pl);
    window_status_set_mic(WINDOW_MIC_NONE);
    window_status_set_heard(NULL);
    listener_free(&(*pl)->lst);
    free(*pl);
    *pl = NULL;
}
