/* SPDX-License-Identifier: Apache-2.0 */
/* test_voice_pairing.c: mixed-language text and the voices that say it.
 * Two probe voices, one English and one Mandarin, record the runs they are
 * given: with "--voice en,zh" every Latin run reaches the first and every Han
 * run the second, in order; a paired voice at another sample rate, or one
 * that does not exist, is refused with a clear error; the language rule
 * ("cmn" speaks "zh", not "zh-yue"). With the shipped voices: Mandarin text
 * said by the default voice is our Mandarin voice's audio, sample for
 * sample. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "tts/speak.h"

#include "capture.h"
#include "check.h"

#define PROBE_RATE 22050

static char said[16][64]; /* "en:Hello" per call, in order */
static int n_said;

static int probe_synth(const char *own, void *state, const char *text, const tts_synth_opts *o,
                       const tts_sink *sink, char *err, size_t errlen)
{
    (void)state;
    if (o->language && o->language[0] && !tts_language_matches(own, o->language)) {
        snprintf(err, errlen, "probe %s cannot say %s", own, o->language);
        return SZ_ERR_UNSUPPORTED;
    }
    if (n_said < 16)
        snprintf(said[n_said++], sizeof said[0], "%.3s:%s", own, text);
    float pcm[100] = {0};
    return sink->on_audio(sink->user, pcm, 100) ? SZ_ERR_CANCELLED : SZ_OK;
}

static int en_synth(void *s, const char *t, const tts_synth_opts *o, const tts_sink *k, char *e,
                    size_t n)
{
    return probe_synth("en-us", s, t, o, k, e, n);
}

static int zh_synth(void *s, const char *t, const tts_synth_opts *o, const tts_sink *k, char *e,
                    size_t n)
{
    return probe_synth("cmn", s, t, o, k, e, n);
}

static int no_list(sz_voice_list_fn fn, void *user)
{
    (void)fn, (void)user;
    return SZ_OK;
}

static int probe_open(const char *variant, const tts_voice_params *p, void **state, char *err,
                      size_t errlen)
{
    (void)variant, (void)p, (void)err, (void)errlen;
    *state = malloc(1);
    return *state ? SZ_OK : SZ_ERR_NO_MEMORY;
}

static int rate_22k(void *s)
{
    (void)s;
    return PROBE_RATE;
}

static int rate_16k(void *s)
{
    (void)s;
    return 16000;
}

static const char *lang_en(void *s)
{
    (void)s;
    return "en-us";
}

static const char *lang_zh(void *s)
{
    (void)s;
    return "cmn";
}

static const tts_voice_kind en_kind = {.kind = "pen", .list = no_list, .open = probe_open,
                                       .sample_rate = rate_22k, .synthesize = en_synth,
                                       .destroy = free, .language = lang_en};
static const tts_voice_kind zh_kind = {.kind = "pzh", .list = no_list, .open = probe_open,
                                       .sample_rate = rate_22k, .synthesize = zh_synth,
                                       .destroy = free, .language = lang_zh};
static const tts_voice_kind zh16_kind = {.kind = "pzh16", .list = no_list, .open = probe_open,
                                         .sample_rate = rate_16k, .synthesize = zh_synth,
                                         .destroy = free, .language = lang_zh};

static void test_language_rule(void)
{
    static const struct {
        const char *voice, *run;
        int same;
    } cases[] = {{"cmn", "zh", 1},     {"zh", "cmn", 1},      {"cmn", "zh-cn", 1},
                 {"cmn", "zh-yue", 0}, {"cmn", "yue", 0},     {"en-us", "en", 1},
                 {"en-us", "en-gb", 1}, {"en-us", "zh", 0},   {"cmn", "en", 0},
                 {"", "en", 0}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        CHECK(tts_language_matches(cases[i].voice, cases[i].run) == cases[i].same,
              "a %s voice %s %s runs", cases[i].voice, cases[i].same ? "says" : "does not say",
              cases[i].run);
    CHECK(tts_default_voice_for("zh") && !strcmp(tts_default_voice_for("zh"), "diffusion:hantts"),
          "Mandarin's own voice");
    CHECK(tts_default_voice_for("en-gb") &&
              !strcmp(tts_default_voice_for("en-gb"), tts_default_voice()),
          "English's own voice is the default voice");
    CHECK(tts_default_voice_for("ja") == NULL, "no voice of our own for Japanese");
}

static void test_pair(void)
{
    tts_voice_params vp = {.speaking_rate = 1.0f, .n_threads = 1, .seed = 1};
    char err[256];
    tts_voice *v = NULL;
    CHECK(tts_voice_open("pen:a,pzh:b", &vp, &v, err, sizeof err) == SZ_OK, "%s", err);
    if (!v)
        return;
    CHECK(!strcmp(tts_voice_name(v), "pen:a"), "the voice is the first of the list: %s",
          tts_voice_name(v));
    capture c = {0};
    tts_sink sink = {cap_audio, cap_event, &c};
    n_said = 0;
    CHECK(tts_speak(v, "Hello 你好 there, 再见.", 0, &sink, err, sizeof err) == SZ_OK, "%s", err);
    const char *want[] = {"en-:Hello", "cmn:你好", "en-:there,", "cmn:再见"};
    CHECK(n_said == 4, "four runs, got %d", n_said);
    for (int i = 0; i < n_said && i < 4; i++)
        CHECK(!strncmp(said[i], want[i], 4) && strstr(said[i], want[i] + 4) == said[i] + 4,
              "run %d: want %s, got %s", i, want[i], said[i]);
    free(c.pcm);
    tts_voice_free(&v);

    CHECK(tts_voice_open("pen:a,pzh16:b", &vp, &v, err, sizeof err) == SZ_ERR_INVALID_ARG &&
              strstr(err, "16000 Hz") && strstr(err, "pzh16:b"),
          "another sample rate is refused: %s", err);
    CHECK(tts_voice_open("pen:a,nosuch:b", &vp, &v, err, sizeof err) == SZ_ERR_NOT_FOUND &&
              strstr(err, "nosuch"),
          "an unknown paired voice is refused: %s", err);
    CHECK(tts_voice_open("pen:a,,pzh:b", &vp, &v, err, sizeof err) == SZ_ERR_INVALID_ARG,
          "an empty name in the list is refused: %s", err);
    CHECK(tts_voice_open(",pzh:b", &vp, &v, err, sizeof err) == SZ_ERR_INVALID_ARG,
          "an empty first name is refused: %s", err);
    CHECK(v == NULL, "nothing opened after a refusal");
}

/* The default voice says Mandarin with our Mandarin voice. */
static void test_default_mandarin(void)
{
    tts_voice_params vp = {.speaking_rate = 1.0f, .n_threads = 1, .seed = 7};
    char err[256];
    tts_voice *zh = NULL, *def = NULL;
    if (tts_voice_open("diffusion:hantts", &vp, &zh, err, sizeof err) != SZ_OK) {
        printf("SKIP the shipped Mandarin voice: %s\n", err);
        return;
    }
    CHECK(tts_voice_open(NULL, &vp, &def, err, sizeof err) == SZ_OK, "%s", err);
    capture a = {0}, b = {0};
    tts_sink sa = {cap_audio, cap_event, &a}, sb = {cap_audio, cap_event, &b};
    const char *text = "欢迎光临，今天的价格非常优惠。";
    CHECK(tts_speak(zh, text, 0, &sa, err, sizeof err) == SZ_OK, "%s", err);
    CHECK(def && tts_speak(def, text, 0, &sb, err, sizeof err) == SZ_OK, "%s", err);
    CHECK(a.n > 22050 && a.n == b.n && !memcmp(a.pcm, b.pcm, a.n * sizeof *a.pcm),
          "the default voice's Mandarin is diffusion:hantts's: %zu and %zu samples", a.n, b.n);
    free(a.pcm);
    free(b.pcm);
    tts_voice_free(&zh);
    tts_voice_free(&def);
}

int main(void)
{
    if (tts_register_kind(&en_kind) != SZ_OK || tts_register_kind(&zh_kind) != SZ_OK ||
        tts_register_kind(&zh16_kind) != SZ_OK) {
        fprintf(stderr, "cannot register the probe voices\n");
        return 1;
    }
    test_language_rule();
    test_pair();
    test_default_mandarin();
    return check_summary("test_voice_pairing");
}
