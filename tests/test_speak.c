/* SPDX-License-Identifier: Apache-2.0 */
/* test_speak.c: one utterance, said run by run on one sample clock. A probe
 * voice records every call: each run reaches it with its language and
 * prosody; later runs' events are shifted by the samples before them;
 * breaks are real silence; marks and sentences land on the right sample;
 * voices that take raw text bypass the frontend. Then the real espeak-ng
 * voice: Latin and Han runs of one sentence go to en-us and Mandarin. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "tts/speak.h"

#include "capture.h"
#include "check.h"
#include "pitch.h"

/* ---- the probe voice: 10 samples of 0.25 per byte of text, at 1 kHz ---- */

#define PROBE_RATE 1000
#define MAX_CALLS 32

typedef struct probe_call {
    char lang[32], text[256], display[64];
    tts_input input;
    float rate, pitch, volume;
} probe_call;

static probe_call calls[MAX_CALLS];
static int n_calls;

static int probe_list(sz_voice_list_fn fn, void *user)
{
    sz_voice_info v = {"probe", "probe", "en-us", PROBE_RATE, "records calls"};
    return fn(&v, user) ? 1 : SZ_OK;
}

static int probe_open(const char *variant, const tts_voice_params *p, void **state, char *err,
                      size_t errlen)
{
    (void)variant, (void)p, (void)err, (void)errlen;
    *state = malloc(1);
    return *state ? SZ_OK : SZ_ERR_NO_MEMORY;
}

static int probe_rate(void *state)
{
    (void)state;
    return PROBE_RATE;
}

static int probe_synth(void *state, const char *text, const tts_synth_opts *o,
                       const tts_sink *sink, char *err, size_t errlen)
{
    (void)state;
    if (o->language && !strcmp(o->language, "ja")) {
        snprintf(err, errlen, "probe has no voice for 'ja'");
        return SZ_ERR_UNSUPPORTED;
    }
    if (n_calls < MAX_CALLS) {
        probe_call *c = &calls[n_calls++];
        snprintf(c->lang, sizeof c->lang, "%s", o->language ? o->language : "");
        snprintf(c->text, sizeof c->text, "%s", text);
        snprintf(c->display, sizeof c->display, "%s", o->display ? o->display : "");
        c->input = o->input;
        c->rate = o->rate;
        c->pitch = o->pitch;
        c->volume = o->volume;
    }
    int64_t n = 10 * (int64_t)strlen(text);
    tts_event ev = {.type = TTS_EV_PHONE, .start = 0, .end = 0};
    snprintf(ev.value, sizeof ev.value, "a");
    if (sink->on_event(sink->user, &ev))
        return SZ_ERR_CANCELLED;
    ev = (tts_event){.type = TTS_EV_WORD, .start = 0, .end = n / 2};
    snprintf(ev.value, sizeof ev.value, "%.20s", text);
    if (sink->on_event(sink->user, &ev))
        return SZ_ERR_CANCELLED;
    ev = (tts_event){.type = TTS_EV_SENTENCE, .start = 0, .end = n}; /* must be dropped */
    if (sink->on_event(sink->user, &ev))
        return SZ_ERR_CANCELLED;
    float chunk[7];
    for (int i = 0; i < 7; i++)
        chunk[i] = 0.25f;
    for (int64_t done = 0; done < n;) {
        size_t m = n - done < 7 ? (size_t)(n - done) : 7;
        if (sink->on_audio(sink->user, chunk, m))
            return SZ_ERR_CANCELLED;
        done += (int64_t)m;
    }
    return SZ_OK;
}

static void probe_destroy(void *state) { free(state); }

static const tts_voice_kind probe_kind = {.kind = "probe",
                                          .list = probe_list,
                                          .open = probe_open,
                                          .sample_rate = probe_rate,
                                          .synthesize = probe_synth,
                                          .destroy = probe_destroy};

static const tts_voice_kind raw_kind = {.kind = "rawprobe",
                                        .list = probe_list,
                                        .open = probe_open,
                                        .sample_rate = probe_rate,
                                        .synthesize = probe_synth,
                                        .destroy = probe_destroy,
                                        .raw_text = 1};

/* ---- a sink that keeps everything: capture.h ---- */

static const tts_event *find_event(const capture *c, tts_event_type type, const char *value,
                                   size_t from)
{
    for (size_t i = from; i < c->n_ev; i++)
        if (c->ev[i].type == type && (!value || !strcmp(c->ev[i].value, value)))
            return &c->ev[i];
    return NULL;
}

static void test_plain_clock(tts_voice *v)
{
    capture c = {0};
    tts_sink sink = {cap_audio, cap_event, &c};
    char err[256] = "";
    n_calls = 0;
    CHECK(tts_speak(v, "Hello world. 你好！", 0, &sink, err, sizeof err) == SZ_OK, "%s", err);
    CHECK(n_calls == 2, "%d calls", n_calls);
    CHECK(!strcmp(calls[0].lang, "en-us") && !strcmp(calls[0].text, "Hello world."), "%s '%s'",
          calls[0].lang, calls[0].text);
    CHECK(!strcmp(calls[1].lang, "cmn") && !strcmp(calls[1].text, "你好！"), "%s '%s'",
          calls[1].lang, calls[1].text);
    /* 120 samples, 300 ms of silence, 90 samples */
    CHECK(c.n == 510, "%zu samples", c.n);
    int silent_ok = 1, loud_ok = 1;
    for (size_t i = 0; i < c.n; i++) {
        if (i >= 120 && i < 420)
            silent_ok &= c.pcm[i] == 0.0f;
        else
            loud_ok &= c.pcm[i] == 0.25f;
    }
    CHECK(silent_ok && loud_ok, "silence exactly in the break");
    const tts_event *w2 = find_event(&c, TTS_EV_WORD, "你好！", 0);
    CHECK(w2 && w2->start == 420 && w2->end == 465, "second run's word shifted: %lld..%lld",
          w2 ? (long long)w2->start : -1, w2 ? (long long)w2->end : -1);
    const tts_event *pause = find_event(&c, TTS_EV_PHONE, "", 0);
    CHECK(pause && pause->start == 120, "a pause phone at the break");
    const tts_event *s1 = find_event(&c, TTS_EV_SENTENCE, NULL, 0);
    const tts_event *s2 = s1 ? find_event(&c, TTS_EV_SENTENCE, NULL, (size_t)(s1 - c.ev) + 1)
                             : NULL;
    CHECK(s1 && s1->start == 0 && s1->end == 120 && !strcmp(s1->value, "Hello world."),
          "sentence 1");
    CHECK(s2 && s2->start == 420 && s2->end == 510 && !strcmp(s2->value, "你好！"), "sentence 2");
    size_t n_sent = 0;
    for (size_t i = 0; i < c.n_ev; i++)
        n_sent += c.ev[i].type == TTS_EV_SENTENCE;
    CHECK(n_sent == 2, "the voice's own sentence events are replaced: %zu", n_sent);
    /* each sentence is announced, as written, before its first word */
    const tts_event *b1 = find_event(&c, TTS_EV_SENTENCE_BEGIN, "Hello world.", 0);
    const tts_event *b2 = find_event(&c, TTS_EV_SENTENCE_BEGIN, "你好！", 0);
    const tts_event *w1 = find_event(&c, TTS_EV_WORD, NULL, 0);
    CHECK(b1 && b1->start == 0 && b1->end == 0 && w1 && b1 < w1, "sentence 1 begins at 0");
    CHECK(b2 && b2->start == 420 && b2->end == 420 && w2 && b2 < w2 && s1 && s1 < b2,
          "sentence 2 begins at 420, after sentence 1 ended");
    free(c.pcm);
}

static void test_ssml_clock(tts_voice *v)
{
    capture c = {0};
    tts_sink sink = {cap_audio, cap_event, &c};
    char err[256] = "";
    n_calls = 0;
    const char *doc = "<speak>One <mark name=\"m\"/><break time=\"50ms\"/><prosody rate=\"slow\" "
                      "volume=\"soft\" pitch=\"high\">two</prosody> <lang xml:lang=\"ja\">こんにちは"
                      "</lang> <phoneme alphabet=\"ipa\" ph=\"θriː\">three</phoneme></speak>";
    sz_set_log_level(SZ_LOG_ERROR); /* the skipped Japanese run warns */
    CHECK(tts_speak(v, doc, SZ_SAY_SSML, &sink, err, sizeof err) == SZ_OK, "%s", err);
    sz_set_log_level(SZ_LOG_WARN);
    CHECK(n_calls == 3, "%d calls (the Japanese run is skipped)", n_calls);
    CHECK(!strcmp(calls[0].text, "One") && calls[0].rate == 1.0f, "call 0 '%s'", calls[0].text);
    CHECK(!strcmp(calls[1].text, "two") && fabsf(calls[1].rate - 0.75f) < 1e-6f &&
              fabsf(calls[1].volume - 0.5f) < 1e-6f && fabsf(calls[1].pitch - 1.15f) < 1e-6f,
          "call 1 '%s' rate %.2f volume %.2f pitch %.2f", calls[1].text, calls[1].rate,
          calls[1].volume, calls[1].pitch);
    CHECK(calls[2].input == TTS_INPUT_IPA && !strcmp(calls[2].text, "θriː") &&
              !strcmp(calls[2].display, "three") && !strcmp(calls[2].lang, "en-us"),
          "call 2 %d '%s' '%s' %s", calls[2].input, calls[2].text, calls[2].display,
          calls[2].lang);
    /* One: 0..30, mark at 30, break 30..80, two: 80..110, three (6 bytes): 110..170 */
    const tts_event *m = find_event(&c, TTS_EV_MARK, "m", 0);
    CHECK(m && m->start == 30 && m->end == 30, "mark at %lld", m ? (long long)m->start : -1);
    const tts_event *w = find_event(&c, TTS_EV_WORD, "two", 0);
    CHECK(w && w->start == 80, "word two at %lld", w ? (long long)w->start : -1);
    const tts_event *w3 = find_event(&c, TTS_EV_WORD, "three", 0);
    CHECK(w3 && w3->start == 110, "the phoneme's word reports its text: %s",
          w3 ? w3->value : "(none)");
    CHECK(c.n == 170, "%zu samples", c.n);
    const tts_event *s = find_event(&c, TTS_EV_SENTENCE, NULL, 0);
    CHECK(s && s->start == 0 && s->end == 170, "sentence %lld..%lld", s ? (long long)s->start : -1,
          s ? (long long)s->end : -1);
    free(c.pcm);

    /* malformed SSML is refused with its position */
    capture c2 = {0};
    tts_sink sink2 = {cap_audio, cap_event, &c2};
    n_calls = 0;
    CHECK(tts_speak(v, "<speak>x<break time=\"x\"/></speak>", SZ_SAY_SSML, &sink2, err,
                    sizeof err) == SZ_ERR_FORMAT,
          "malformed");
    CHECK(strstr(err, "ssml: line 1, column 16") != NULL, "%s", err);
    CHECK(n_calls == 0 && c2.n == 0, "nothing said");
    free(c2.pcm);
}

static void test_cancel_and_raw(tts_voice *v)
{
    capture c = {.stop_after = 50};
    tts_sink sink = {cap_audio, cap_event, &c};
    char err[256];
    CHECK(tts_speak(v, "A long sentence here. And another one.", 0, &sink, err, sizeof err) ==
              SZ_ERR_CANCELLED,
          "cancel");
    CHECK(c.n < 60, "stopped early: %zu", c.n);
    free(c.pcm);

    tts_voice *raw = NULL;
    tts_voice_params vp = {.speaking_rate = 1.0f, .n_threads = 1, .seed = 1};
    CHECK(tts_voice_open("rawprobe", &vp, &raw, err, sizeof err) == SZ_OK, "%s", err);
    if (!raw)
        return;
    capture c2 = {0};
    tts_sink sink2 = {cap_audio, cap_event, &c2};
    n_calls = 0;
    const char *text = "/tmp/voice.wav\n$5 & more";
    CHECK(tts_speak(raw, text, 0, &sink2, err, sizeof err) == SZ_OK, "%s", err);
    CHECK(n_calls == 1 && !strcmp(calls[0].text, text), "raw text passed whole: '%s'",
          calls[0].text);
    CHECK(tts_speak(raw, "<speak>x</speak>", SZ_SAY_SSML, &sink2, err, sizeof err) ==
              SZ_ERR_INVALID_ARG,
          "raw voices take no SSML");
    free(c2.pcm);
    tts_voice_free(&raw);
}

/* The real espeak-ng voice: a sentence in two scripts goes to two voices. */
static void test_espeak(void)
{
    tts_voice *v = NULL;
    tts_voice_params vp = {.speaking_rate = 1.0f, .n_threads = 1, .seed = 1};
    char err[256];
    if (tts_voice_open("espeak:en-us", &vp, &v, err, sizeof err) != SZ_OK) {
        CHECK(0, "espeak: %s", err);
        return;
    }
    capture c = {0};
    tts_sink sink = {cap_audio, cap_event, &c};
    CHECK(tts_speak(v, "Hello 你好", 0, &sink, err, sizeof err) == SZ_OK, "%s", err);
    const tts_event *hello = find_event(&c, TTS_EV_WORD, "Hello", 0);
    const tts_event *ni = find_event(&c, TTS_EV_WORD, "你", 0);
    const tts_event *hao = find_event(&c, TTS_EV_WORD, "好", 0);
    CHECK(hello && ni && hao, "words Hello, 你, 好");
    if (hello && ni && hao) {
        CHECK(hello->start < ni->start && ni->start < hao->start && hello->end <= ni->start,
              "in order on one clock: %lld %lld %lld", (long long)hello->start,
              (long long)ni->start, (long long)hao->start);
        /* the Mandarin phones come after the English ones: "n" "i" after "oʊ" */
        const tts_event *oo = find_event(&c, TTS_EV_PHONE, "oʊ", 0);
        const tts_event *n = find_event(&c, TTS_EV_PHONE, "n", oo ? (size_t)(oo - c.ev) : 0);
        CHECK(oo && n && n->start >= ni->start && n->start < hao->start,
              "Mandarin phones under 你");
        CHECK(hao->end <= (int64_t)c.n, "inside the audio");
    }
    double energy = 0;
    for (size_t i = 0; i < c.n; i++)
        energy += (double)c.pcm[i] * c.pcm[i];
    CHECK(c.n > 5000 && energy > 1.0, "audible: %zu samples", c.n);
    size_t normal = c.n;
    float peak = 0;
    for (size_t i = 0; i < c.n; i++)
        peak = fabsf(c.pcm[i]) > peak ? fabsf(c.pcm[i]) : peak;

    /* prosody: twice as fast is much shorter, soft is quieter */
    capture f = {0};
    tts_sink fs = {cap_audio, cap_event, &f};
    CHECK(tts_speak(v, "<speak><prosody rate=\"200%\" volume=\"soft\">Hello 你好</prosody></speak>",
                    SZ_SAY_SSML, &fs, err, sizeof err) == SZ_OK,
          "%s", err);
    float fpeak = 0;
    for (size_t i = 0; i < f.n; i++)
        fpeak = fabsf(f.pcm[i]) > fpeak ? fabsf(f.pcm[i]) : fpeak;
    CHECK(f.n < normal * 3 / 4, "fast: %zu vs %zu samples", f.n, normal);
    CHECK(fpeak < peak * 0.6f && fpeak > peak * 0.4f, "soft: peak %.3f vs %.3f", fpeak, peak);

    /* a spelled A is reported as A, not as what espeak was given */
    capture a = {0};
    tts_sink as = {cap_audio, cap_event, &a};
    CHECK(tts_speak(v, "Plan A.", 0, &as, err, sizeof err) == SZ_OK, "%s", err);
    CHECK(find_event(&a, TTS_EV_WORD, "A", 0) != NULL, "word A");
    CHECK(find_event(&a, TTS_EV_PHONE, "eɪ", 0) != NULL, "A said as a letter");

    /* <phoneme> is spoken from its IPA */
    capture p = {0};
    tts_sink ps = {cap_audio, cap_event, &p};
    CHECK(tts_speak(v, "<speak><phoneme alphabet=\"ipa\" ph=\"təˈmɑːtoʊ\">tomato</phoneme></speak>",
                    SZ_SAY_SSML, &ps, err, sizeof err) == SZ_OK,
          "%s", err);
    CHECK(find_event(&p, TTS_EV_PHONE, "ɑː", 0) != NULL, "the IPA's ɑː is spoken");
    CHECK(find_event(&p, TTS_EV_WORD, "tomato", 0) != NULL, "word tomato");

    /* the voice's own pitch (--pitch, "voice_pitch"), not only SSML's */
    tts_voice *hv = NULL;
    tts_voice_params hp = vp;
    hp.pitch = 1.5f;
    capture lo = {0}, hi = {0};
    tts_sink los = {cap_audio, cap_event, &lo}, his = {cap_audio, cap_event, &hi};
    const char *line = "We are open from nine in the morning until five in the evening.";
    if (tts_voice_open("espeak:en-us", &hp, &hv, err, sizeof err) == SZ_OK &&
        tts_speak(v, line, 0, &los, err, sizeof err) == SZ_OK &&
        tts_speak(hv, line, 0, &his, err, sizeof err) == SZ_OK) {
        int sr = tts_voice_sample_rate(v);
        double f_lo = pitch_median_f0(lo.pcm, lo.n, sr), f_hi = pitch_median_f0(hi.pcm, hi.n, sr);
        printf("espeak median F0 %.1f Hz, with the voice's pitch 1.5: %.1f Hz\n", f_lo, f_hi);
        CHECK(f_lo > 0 && f_hi > 1.3 * f_lo && f_hi < 1.7 * f_lo, "pitch 1.5: %.1f vs %.1f Hz",
              f_hi, f_lo);
    } else {
        CHECK(0, "espeak with pitch 1.5: %s", err);
    }
    hp.pitch = 2.5f;
    tts_voice *bad = NULL;
    CHECK(tts_voice_open("espeak:en-us", &hp, &bad, err, sizeof err) == SZ_ERR_INVALID_ARG &&
              strstr(err, "pitch"),
          "pitch 2.5 refused: %s", err);
    tts_voice_free(&hv);
    free(lo.pcm);
    free(hi.pcm);
    free(c.pcm);
    free(f.pcm);
    free(a.pcm);
    free(p.pcm);
    tts_voice_free(&v);
}

int main(void)
{
    if (tts_register_kind(&probe_kind) != SZ_OK || tts_register_kind(&raw_kind) != SZ_OK) {
        fprintf(stderr, "cannot register the probe voices\n");
        return 1;
    }
    tts_voice *v = NULL;
    tts_voice_params vp = {.speaking_rate = 1.0f, .n_threads = 1, .seed = 1};
    char err[256];
    if (tts_voice_open("probe", &vp, &v, err, sizeof err) != SZ_OK) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    test_plain_clock(v);
    test_ssml_clock(v);
    test_cancel_and_raw(v);
    tts_voice_free(&v);
    test_espeak();
    return check_summary("test_speak");
}
