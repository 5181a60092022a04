/* SPDX-License-Identifier: Apache-2.0 */
/* test_mandarin_voice.c: the shipped Mandarin voice, diffusion:hantts. It
 * speaks cmn; a fixed seed gives identical audio and another seed other
 * audio; each Han character is a word event, in order, inside the audio;
 * phone events name the frontend's phones, without the tone the voice
 * folds into its tokens; the four tones come out as tones: in 他说X。 the
 * F0 of 妈 stays level, 麻 rises above it, 骂 falls; and the clause's comma is
 * heard as a pause. Skips when the voice file is absent. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tts/speak.h"

#include "capture.h"
#include "check.h"
#include "pitch.h"

static int say(tts_voice *v, const char *text, capture *c)
{
    memset(c, 0, sizeof *c);
    tts_sink sink = {cap_audio, cap_event, c};
    char err[256];
    int rc = tts_speak(v, text, 0, &sink, err, sizeof err);
    CHECK(rc == SZ_OK, "%s: %s", text, err);
    return rc;
}

static const tts_event *word(const capture *c, const char *w)
{
    for (size_t i = 0; i < c->n_ev; i++)
        if (c->ev[i].type == TTS_EV_WORD && !strcmp(c->ev[i].value, w))
            return &c->ev[i];
    return NULL;
}

/* F0 movement over a syllable, over its word event (start to end): the
 * mean F0 (semitones) of the voiced frames of its last third minus that of
 * its first third. (Measuring on to the next word, or to the end of the
 * audio for the last one, also counted the fading voice after it.) */
static double tone_slope(const capture *c, const tts_event *w, int sr, int *voiced)
{
    double st[256], strength;
    int k = 0;
    size_t hop = (size_t)sr / 100, win = (size_t)sr / 40, lag = (size_t)sr / 70;
    size_t end = w->end > w->start ? (size_t)w->end : c->n;
    for (size_t s = (size_t)w->start; s + win + lag < c->n && s + win / 2 < end && k < 256;
         s += hop) {
        double f = pitch_f0(c->pcm, s, win, sr, 70, 400, &strength);
        if (strength > 0.7 && f > 0)
            st[k++] = 12 * log2(f / 100.0);
    }
    *voiced = k;
    if (k < 6)
        return NAN;
    int third = k / 3;
    double a = 0, b = 0;
    for (int i = 0; i < third; i++) {
        a += st[i];
        b += st[k - third + i];
    }
    return (b - a) / third;
}

int main(void)
{
    tts_voice_params vp = {.speaking_rate = 1.0f, .n_threads = 1, .seed = 3};
    char err[256];
    tts_voice *v = NULL;
    if (tts_voice_open("diffusion:hantts", &vp, &v, err, sizeof err) != SZ_OK) {
        printf("skip: %s\n", err);
        return 77;
    }
    int sr = tts_voice_sample_rate(v);
    CHECK(!strcmp(tts_voice_language(v), "cmn"), "language %s", tts_voice_language(v));

    const char *text = "欢迎光临，今天的价格非常优惠。";
    capture a, b, d;
    say(v, text, &a);
    say(v, text, &b);
    CHECK(a.n > (size_t)sr && a.n == b.n && !memcmp(a.pcm, b.pcm, a.n * sizeof *a.pcm),
          "same seed, same audio: %zu and %zu samples", a.n, b.n);
    tts_voice *v4 = NULL;
    vp.seed = 4;
    CHECK(tts_voice_open("diffusion:hantts", &vp, &v4, err, sizeof err) == SZ_OK, "%s", err);
    if (v4) {
        say(v4, text, &d);
        CHECK(d.n != a.n || memcmp(a.pcm, d.pcm, a.n * sizeof *a.pcm) != 0,
              "another seed, other audio");
        free(d.pcm);
        tts_voice_free(&v4);
    }
    double secs = (double)a.n / sr;
    printf("%s: %.2f s\n", text, secs);
    CHECK(secs > 1.8 && secs < 6.0, "13 syllables in %.2f s", secs);

    /* one word event per character, in order, inside the audio */
    const char *chars[] = {"欢", "迎", "光", "临", "今", "天", "的", "价", "格", "非", "常", "优", "惠"};
    int64_t last = -1;
    int words = 0, toned = 0, phones = 0;
    for (size_t i = 0; i < a.n_ev; i++) {
        const tts_event *e = &a.ev[i];
        if (e->type == TTS_EV_WORD) {
            CHECK(words < 13 && !strcmp(e->value, chars[words]), "word %d: %s", words, e->value);
            CHECK(e->start > last && e->end > e->start && e->end <= (int64_t)a.n,
                  "word %s at %lld..%lld", e->value, (long long)e->start, (long long)e->end);
            last = e->start;
            words++;
        } else if (e->type == TTS_EV_PHONE && e->value[0]) {
            phones++;
            if (strstr(e->value, "\xCB\xA5") || strstr(e->value, "\xCB\xA7") ||
                strstr(e->value, "\xCB\xA8") || strstr(e->value, "\xCB\xA9"))
                toned++;
        }
    }
    CHECK(words == 13, "13 word events, got %d", words);
    CHECK(phones >= 30 && toned == 0, "%d phone events, %d with a tone letter", phones, toned);

    /* the comma is a pause: the quietest 100 ms between 临 and 今 */
    const tts_event *lin = word(&a, "临"), *jin = word(&a, "今");
    if (lin && jin) {
        double quiet = 1e9, loud = 0;
        size_t w = (size_t)sr / 10;
        for (size_t s = (size_t)lin->start; s + w <= (size_t)jin->start + w / 2 && s + w <= a.n;
             s += w / 4) {
            double e = 0;
            for (size_t i = s; i < s + w; i++)
                e += (double)a.pcm[i] * a.pcm[i];
            quiet = fmin(quiet, e / w);
        }
        for (size_t i = 0; i < a.n; i++)
            loud += (double)a.pcm[i] * a.pcm[i];
        loud /= a.n;
        double db = 10 * log10((quiet + 1e-12) / (loud + 1e-12));
        printf("pause at the comma: %.1f dB below the mean\n", db);
        CHECK(db < -20, "a pause at the comma: %.1f dB", db);
    }
    free(a.pcm);
    free(b.pcm);

    /* the tones: level, rising, falling */
    static const struct {
        const char *text, *ch;
        double lo, hi;
    } tones[] = {{"他说妈。", "妈", -2.5, 2.5}, {"他说麻。", "麻", 0.8, 99}, {"他说骂。", "骂", -99, -2.5}};
    double moved[3] = {NAN, NAN, NAN};
    for (size_t t = 0; t < sizeof tones / sizeof tones[0]; t++) {
        capture c;
        if (say(v, tones[t].text, &c) != SZ_OK)
            continue;
        const tts_event *w = word(&c, tones[t].ch);
        int voiced = 0;
        double slope = w ? tone_slope(&c, w, sr, &voiced) : NAN;
        printf("%s: F0 moves %+.1f semitones over %s (%d voiced frames)\n", tones[t].text, slope,
               tones[t].ch, voiced);
        moved[t] = slope;
        CHECK(!isnan(slope) && slope > tones[t].lo && slope < tones[t].hi,
              "%s: %+.1f st, want %.1f to %.1f", tones[t].ch, slope, tones[t].lo, tones[t].hi);
        free(c.pcm);
    }
    /* a sentence's last syllable falls a little (final lowering): the
     * second tone is told from the first by how much more it rises */
    CHECK(moved[1] - moved[0] > 1.8 && moved[0] - moved[2] > 3.0,
          "rising 麻 %+.1f, level 妈 %+.1f, falling 骂 %+.1f st apart", moved[1], moved[0], moved[2]);
    tts_voice_free(&v);
    return check_summary("test_mandarin_voice");
}
