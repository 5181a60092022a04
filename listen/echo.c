/* SPDX-License-Identifier: Apache-2.0 */
/* echo.c: the microphone's clean-up (see echo.h). Per frame: float -> int16,
 * speexdsp's echo canceller (far end = what the speakers played), speexdsp's
 * preprocessor (noise suppression and suppression of the echo's residue,
 * driven by the canceller's state), int16 -> float; then a voice decision on
 * levels, and an endpointer.
 *
 * The voice decision. speexdsp's VAD is weak: measured on residual echo and
 * on customers speaking over it, SPEEX_PREPROCESS_GET_PROB sat at 0.8-0.99 for
 * both, so it is not used (SET_VAD also prints a "replaced by a hack"
 * warning). A frame is voice when the cleaned level clears every bar:
 *   - VOICE_MIN_DB, absolute, and VOICE_SNR_DB above an adaptive noise floor
 *     (follows dips quickly, rises slowly, so speech does not lift it);
 *   - while the far end is active (its envelope, below, is audible): the
 *     residual echo estimate plus ECHO_MARGIN_DB. The estimate is the far
 *     envelope plus "erl", the echo return loss after cancellation and
 *     suppression (cleaned level minus far envelope), tracked on frames where
 *     only the far end plays. The tracker leans high (rises fast, falls
 *     slowly): it sits near the top of what the residue does, so the avatar's
 *     own voice stays under the bar while a customer over it clears it;
 *   - while the canceller converges: during the first LEARN_MS of far-end
 *     sound nothing is voice while the far end is active (the residue is then
 *     nearly the echo itself); over the next CONVERGE_MS the echo bar starts
 *     CONVERGE_DB higher and relaxes linearly.
 * The endpointer starts an utterance after onset_ms of voice frames (dips up
 * to ONSET_GAP_MS allowed: a customer's syllables over the avatar are partly
 * masked); while the far end plays, one frame of the onset must also clear
 * the bars by STRONG_DB (speech has syllable peaks, bursts of residue are
 * flat). It ends one after hangover_ms without voice or at max_utterance_ms.
 * The figures below were tuned with bench/bench_echo.c (avatar recordings
 * at -20 dBFS through a simulated room, echo gain 0.5, -60 dBFS noise). */
#include "listen/echo.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shuzi.h"

#ifdef SHUZI_HAVE_SPEEXDSP
#include <speex/speex_echo.h>
#include <speex/speex_preprocess.h>
#endif

/* ---- thresholds; levels are dBFS (20 log10 of the RMS of samples in
 * [-1, 1]); rates are per 10 ms and scaled for 20 ms frames ---- */

/* The level reported for digital silence. */
#define SILENCE_DB (-100.0f)
/* Far-end sound quieter than this makes no echo worth a stricter test: with
 * any plausible echo gain (< 1) it lands under the microphone's own noise.
 * Kiosk playback is around -20 dBFS. */
#define FAR_AUDIBLE_DB (-60.0f)
/* The far envelope fades this much per 10 ms after a far frame, as a small
 * room's reverberation does (60 dB in 250 ms, the default tail). */
#define ENV_DECAY_DB 2.4f
/* Quieter than this after clean-up is not someone addressing the kiosk: a
 * voice at arm's length reaches -40..-20 dBFS on a usual microphone gain. */
#define VOICE_MIN_DB (-50.0f)
/* Voice stands this far above the noise floor: less is breathing, fans,
 * footsteps. */
#define VOICE_SNR_DB 10.0f
/* ...and this far above the residual echo estimate while the far end plays.
 * 6 let bursts of residue through now and then, 10-12 delayed barge-ins. */
#define ECHO_MARGIN_DB 8.0f
/* A start over the far end needs one frame clearing the bars by this much. */
#define STRONG_DB 8.0f
/* Convergence: speexdsp's MDF filter needs ~1 s of far-end speech to cancel
 * much, and ten or so to settle (bench: residue bursts 20 dB above the
 * settled residue in the first 5-8 s). */
#define LEARN_MS 1500
#define CONVERGE_MS 10000
#define CONVERGE_DB 20.0f
/* erl before anything was measured: 0 dB, the residue as loud as the far
 * end, which is safe for echo gains up to 1. */
#define ERL_START_DB 0.0f
#define ERL_MIN_DB (-80.0f)
#define ERL_MAX_DB 20.0f
/* The erl tracker: towards a louder residue fast (0.1: ~100 ms), towards a
 * quieter one slowly (0.003: ~3 s), which settles near the residue's top
 * percent; only on frames ERL_HOLD_MS after the last voice frame and outside
 * utterances (a customer's softer syllables and pauses would lift it). */
#define ERL_UP 0.1f
#define ERL_DOWN 0.003f
#define ERL_HOLD_MS 300
/* Noise floor: starts here, follows a quieter frame quickly (0.3) and rises
 * at most NOISE_RISE_DB_S (speech comes in bursts of a few hundred ms, so
 * it barely lifts it). Tracked on frames that are not voice. */
#define NOISE_START_DB (-70.0f)
#define NOISE_FALL 0.3f
#define NOISE_RISE_DB_S 3.0f
/* Dips this long inside an onset do not restart it. */
#define ONSET_GAP_MS 80

struct echo_canceller {
    echo_params p;
    int n; /* samples per frame */
#ifdef SHUZI_HAVE_SPEEXDSP
    SpeexEchoState *aec;
    SpeexPreprocessState *pre;
#endif
    short *near16, *far16, *out16;
    float *linear; /* the echo-cancelled frame before suppression */
    /* far-end envelope: far_db of the last tail_frames frames, a ring */
    float *far_hist;
    int tail_frames, far_pos;
    int far_ms;     /* far-end activity so far (counted up to convergence) */
    float erl_db;   /* residual echo relative to the far-end envelope */
    float noise_db; /* noise floor of the cleaned signal */
    /* endpointer */
    int in_utt;
    int run_ms;     /* voice so far in the current onset */
    int gap_ms;     /* no-voice since the last voice frame */
    int utt_ms;     /* length of the utterance in progress */
    int quiet_ms;   /* since the last voice frame */
    float run_peak; /* best clearance of the bars in the current onset */
    int run_far;    /* the far end was active during the current onset */
};

echo_params echo_default_params(void)
{
    echo_params p = {
        .rate = 16000,
        .frame_ms = 10,
        .tail_ms = 250,
        .noise_suppress_db = -25,
        .cancel_echo = 1,
        .onset_ms = 150,
        .hangover_ms = 400,
        .max_utterance_ms = 15000,
    };
    return p;
}

static int echo_check(const echo_params *p, char *err, size_t errlen)
{
    const char *why = NULL;
    if (p->rate < 8000 || p->rate > 48000 || p->rate % 100 != 0)
        why = "rate must be 8000 to 48000 Hz, a multiple of 100";
    else if (p->frame_ms != 10 && p->frame_ms != 20)
        why = "frame_ms must be 10 or 20";
    else if (p->tail_ms < 10 || p->tail_ms > 2000)
        why = "tail_ms must be 10 to 2000";
    else if (p->noise_suppress_db < -60 || p->noise_suppress_db > 0)
        why = "noise_suppress_db must be -60 to 0 (0: off)";
    else if (p->onset_ms < 0 || p->onset_ms > 5000)
        why = "onset_ms must be 0 to 5000";
    else if (p->hangover_ms < p->frame_ms || p->hangover_ms > 10000)
        why = "hangover_ms must be frame_ms to 10000";
    else if (p->max_utterance_ms <= p->onset_ms || p->max_utterance_ms > 600000)
        why = "max_utterance_ms must be above onset_ms and at most 600000";
    if (!why)
        return SZ_OK;
    if (err && errlen)
        snprintf(err, errlen, "echo: %s (rate %d, frame_ms %d, tail_ms %d)", why, p->rate,
                 p->frame_ms, p->tail_ms);
    return SZ_ERR_INVALID_ARG;
}

int echo_create(const echo_params *p, echo_canceller **out, char *err, size_t errlen)
{
    if (out)
        *out = NULL;
    if (!p || !out) {
        if (err && errlen)
            snprintf(err, errlen, "echo: no parameters or no place for the result");
        return SZ_ERR_INVALID_ARG;
    }
    int rc = echo_check(p, err, errlen);
    if (rc != SZ_OK)
        return rc;
#ifndef SHUZI_HAVE_SPEEXDSP
    if (err && errlen)
        snprintf(err, errlen,
                 "echo: built without speexdsp (libspeexdsp-dev): no echo "
                 "cancellation or listening");
    return SZ_ERR_UNSUPPORTED;
#else
    echo_canceller *e = calloc(1, sizeof *e);
    if (!e)
        goto nomem;
    e->p = *p;
    e->p.cancel_echo = p->cancel_echo != 0;
    e->n = p->rate * p->frame_ms / 1000; /* whole: rate is a multiple of 100 */
    e->tail_frames = (p->tail_ms + p->frame_ms - 1) / p->frame_ms;
    e->near16 = calloc((size_t)e->n, sizeof *e->near16);
    e->far16 = calloc((size_t)e->n, sizeof *e->far16);
    e->out16 = calloc((size_t)e->n, sizeof *e->out16);
    e->linear = calloc((size_t)e->n, sizeof *e->linear);
    e->far_hist = malloc((size_t)e->tail_frames * sizeof *e->far_hist);
    if (!e->near16 || !e->far16 || !e->out16 || !e->linear || !e->far_hist)
        goto nomem;
    for (int i = 0; i < e->tail_frames; i++)
        e->far_hist[i] = SILENCE_DB;
    int rate = p->rate;
    if (e->p.cancel_echo) {
        e->aec = speex_echo_state_init(e->n, p->rate * p->tail_ms / 1000);
        if (!e->aec)
            goto nomem;
        speex_echo_ctl(e->aec, SPEEX_ECHO_SET_SAMPLING_RATE, &rate);
    }
    e->pre = speex_preprocess_state_init(e->n, rate);
    if (!e->pre)
        goto nomem;
    int denoise = p->noise_suppress_db != 0, level = p->noise_suppress_db;
    speex_preprocess_ctl(e->pre, SPEEX_PREPROCESS_SET_DENOISE, &denoise);
    if (denoise)
        speex_preprocess_ctl(e->pre, SPEEX_PREPROCESS_SET_NOISE_SUPPRESS, &level);
    if (e->aec) /* residual echo suppression from the canceller's estimate */
        speex_preprocess_ctl(e->pre, SPEEX_PREPROCESS_SET_ECHO_STATE, e->aec);
#ifdef ECHO_SUP_ACTIVE
    {
        int sa = ECHO_SUP_ACTIVE;
        speex_preprocess_ctl(e->pre, SPEEX_PREPROCESS_SET_ECHO_SUPPRESS_ACTIVE, &sa);
    }
#endif
#ifdef ECHO_SUP
    {
        int sa = ECHO_SUP;
        speex_preprocess_ctl(e->pre, SPEEX_PREPROCESS_SET_ECHO_SUPPRESS, &sa);
    }
#endif
    e->erl_db = ERL_START_DB;
    e->noise_db = NOISE_START_DB;
    *out = e;
    return SZ_OK;
nomem:
    echo_destroy(&e);
    if (err && errlen)
        snprintf(err, errlen, "echo: out of memory");
    return SZ_ERR_NO_MEMORY;
#endif
}

void echo_destroy(echo_canceller **ep)
{
    if (!ep || !*ep)
        return;
    echo_canceller *e = *ep;
#ifdef SHUZI_HAVE_SPEEXDSP
    if (e->pre)
        speex_preprocess_state_destroy(e->pre);
    if (e->aec)
        speex_echo_state_destroy(e->aec);
#endif
    free(e->near16);
    free(e->far16);
    free(e->out16);
    free(e->linear);
    free(e->far_hist);
    free(e);
    *ep = NULL;
}

int echo_frame_samples(const echo_canceller *e)
{
    return e ? e->n : 0;
}

int echo_in_utterance(const echo_canceller *e)
{
    return e ? e->in_utt : 0;
}

void echo_reset_endpoint(echo_canceller *e)
{
    if (!e)
        return;
    e->in_utt = 0;
    e->run_ms = 0;
    e->gap_ms = 0;
    e->utt_ms = 0;
    e->run_peak = 0;
    e->run_far = 0;
}

/* RMS level in dBFS; SILENCE_DB for digital silence. */
static float level_db(const float *x, int n)
{
    double s = 0;
    for (int i = 0; i < n; i++)
        s += (double)x[i] * x[i];
    s /= n;
    return s > 1e-10 ? (float)(10.0 * log10(s)) : SILENCE_DB;
}

/* float [-1, 1] -> int16, rounded, clipped. */
static void to_s16(const float *x, short *y, int n)
{
    for (int i = 0; i < n; i++) {
        float v = x[i] * 32768.0f;
        v = v > 32767.0f ? 32767.0f : v < -32768.0f ? -32768.0f : v;
        y[i] = (short)lrintf(v);
    }
}

/* The endpointer: one voice decision in, at most one event out. */
static echo_event endpoint(echo_canceller *e, int voice, float clear, int far_active)
{
    int fm = e->p.frame_ms;
    if (!e->in_utt) {
        if (voice) {
            e->run_ms += fm;
            e->gap_ms = 0;
            e->run_peak = clear > e->run_peak ? clear : e->run_peak;
            e->run_far |= far_active;
        } else if ((e->gap_ms += fm) > ONSET_GAP_MS) {
            e->run_ms = 0;
            e->run_peak = 0;
            e->run_far = 0;
        }
        if (voice && e->run_ms >= e->p.onset_ms && (!e->run_far || e->run_peak >= STRONG_DB)) {
            e->in_utt = 1;
            e->utt_ms = e->run_ms;
            e->gap_ms = 0;
            return ECHO_START;
        }
        return ECHO_NONE;
    }
    e->utt_ms += fm;
    e->gap_ms = voice ? 0 : e->gap_ms + fm;
    if (e->gap_ms >= e->p.hangover_ms || e->utt_ms >= e->p.max_utterance_ms) {
        echo_reset_endpoint(e);
        return ECHO_END;
    }
    return ECHO_NONE;
}

echo_event echo_process(echo_canceller *e, const float *near, const float *far, float *out,
                        echo_frame *info)
{
    echo_frame fr = {SILENCE_DB, SILENCE_DB, SILENCE_DB, 0, 0};
    if (info)
        *info = fr;
    if (!e || !near || !out)
        return ECHO_NONE;
    int n = e->n;
    fr.near_db = level_db(near, n);
    if (far && e->p.cancel_echo)
        fr.far_db = level_db(far, n);
#ifdef SHUZI_HAVE_SPEEXDSP
    to_s16(near, e->near16, n);
    short *clean = e->near16;
    if (e->aec) {
        if (far && e->p.cancel_echo)
            to_s16(far, e->far16, n);
        else
            memset(e->far16, 0, (size_t)n * sizeof *e->far16);
        speex_echo_cancellation(e->aec, e->near16, e->far16, e->out16);
        clean = e->out16;
    }
    /* the recognizer's copy is taken before suppression (echo.h) */
    if (!e->p.suppressed_output)
        for (int i = 0; i < n; i++)
            e->linear[i] = (float)clean[i] / 32768.0f;
    speex_preprocess_run(e->pre, clean);
    for (int i = 0; i < n; i++)
        out[i] = (float)clean[i] / 32768.0f;
#else
    (void)to_s16;
    if (out != near)
        memcpy(out, near, (size_t)n * sizeof *out);
#endif
    fr.out_db = level_db(out, n);
#ifdef SHUZI_HAVE_SPEEXDSP
    if (!e->p.suppressed_output)
        memcpy(out, e->linear, (size_t)n * sizeof *out);
#endif

    /* the far envelope: each far frame of the tail, fading at ENV_DECAY_DB
     * per 10 ms since it played; the far end is active while it is audible */
    e->far_hist[e->far_pos] = fr.far_db;
    float far_env = SILENCE_DB;
    for (int age = 0; age < e->tail_frames; age++) {
        float d = e->far_hist[(e->far_pos - age + e->tail_frames) % e->tail_frames];
        d -= ENV_DECAY_DB * (float)(age * e->p.frame_ms) / 10.0f;
        far_env = d > far_env ? d : far_env;
    }
    e->far_pos = (e->far_pos + 1) % e->tail_frames;
    fr.far_active = far_env > FAR_AUDIBLE_DB;

    /* convergence: far-end activity so far decides how cautious to be */
    int learning = e->far_ms < LEARN_MS;
    float converge = 0;
    if (e->far_ms < LEARN_MS + CONVERGE_MS)
        converge = CONVERGE_DB * (1.0f - (float)(e->far_ms - LEARN_MS) / CONVERGE_MS);
    converge = converge > CONVERGE_DB ? CONVERGE_DB : converge;
    if (fr.far_active && e->far_ms < LEARN_MS + CONVERGE_MS)
        e->far_ms += e->p.frame_ms;

    /* the voice decision: how far the cleaned level clears every bar */
    float clear = fr.out_db - VOICE_MIN_DB;
    float snr = fr.out_db - (e->noise_db + VOICE_SNR_DB);
    clear = snr < clear ? snr : clear;
    if (fr.far_active) {
        float residue = far_env + e->erl_db;
        float over = fr.out_db - (residue + ECHO_MARGIN_DB + converge);
        clear = over < clear ? over : clear;
    }
    int voice = clear > 0;
    if (fr.far_active && learning)
        voice = 0; /* the canceller is converging: the residue is the echo */
    fr.voice = voice;

    /* trackers, after the decision they served */
    float step = (float)e->p.frame_ms / 10.0f; /* rates above are per 10 ms */
    e->quiet_ms = voice ? 0 : e->quiet_ms + e->p.frame_ms;
    if (fr.far_active && !e->in_utt && e->quiet_ms >= ERL_HOLD_MS) {
        float r = fr.out_db - far_env;
        float k = (r > e->erl_db ? ERL_UP : ERL_DOWN) * step;
        e->erl_db += k * (r - e->erl_db);
        e->erl_db = e->erl_db < ERL_MIN_DB   ? ERL_MIN_DB
                    : e->erl_db > ERL_MAX_DB ? ERL_MAX_DB
                                             : e->erl_db;
    }
    if (!voice) {
        if (fr.out_db < e->noise_db)
            e->noise_db += NOISE_FALL * step * (fr.out_db - e->noise_db);
        else {
            float rise = NOISE_RISE_DB_S * (float)e->p.frame_ms / 1000.0f;
            float d = fr.out_db - e->noise_db;
            e->noise_db += d < rise ? d : rise;
        }
    }
    if (info)
        *info = fr;
    return endpoint(e, voice, clear, fr.far_active);
}
