/* SPDX-License-Identifier: Apache-2.0 */
/* test_intonation.c: prosody a listener notices, from our own voice
 * (diffusion:kathleen), measured in its audio: a yes/no question ends
 * higher than the same words said as a statement, a statement's last word
 * falls, a comma's word stays up (the list goes on), and SSML <prosody>
 * and <emphasis> change pitch, loudness and length. F0 by autocorrelation
 * over the voiced frames of a word (the voice's own word events). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shuzi.h"
#include "tts/speak.h"
#include "tts/voice.h"

#include "capture.h"
#include "check.h"
#include "pitch.h"


static int say(tts_voice *v, const char *text, int flags, capture *c)
{
    memset(c, 0, sizeof *c);
    tts_sink sink = {cap_audio, cap_event, c};
    char err[256] = "";
    int rc = tts_speak(v, text, flags, &sink, err, sizeof err);
    CHECK(rc == SZ_OK, "'%s': %s", text, err);
    return rc;
}

/* Median F0 of the voiced 20 ms frames in [a, b) samples; 0 if none. */
static double median_f0(const capture *c, int sr, size_t a, size_t b)
{
    double f0s[512];
    int n = 0;
    size_t w = (size_t)sr / 50, tail = (size_t)sr / 70 + 1;
    for (size_t s = a; s + w + tail < b && s + w + tail < c->n && n < 512; s += w / 2) {
        double strength = 0;
        double f = pitch_f0(c->pcm, s, w, sr, 70.0, 500.0, &strength);
        if (strength > 0.6 && f > 0)
            f0s[n++] = f;
    }
    if (n == 0)
        return 0;
    for (int i = 1; i < n; i++)
        for (int j = i; j > 0 && f0s[j] < f0s[j - 1]; j--) {
            double t = f0s[j];
            f0s[j] = f0s[j - 1];
            f0s[j - 1] = t;
        }
    return f0s[n / 2];
}

/* The samples of the k-th word event whose value is word (k from 0). */
static int word_span(const capture *c, const char *word, int k, size_t *a, size_t *b)
{
    for (size_t i = 0; i < c->n_ev; i++)
        if (c->ev[i].type == TTS_EV_WORD && strcasecmp(c->ev[i].value, word) == 0 && k-- == 0) {
            *a = (size_t)c->ev[i].start;
            *b = (size_t)c->ev[i].end;
            return 1;
        }
    return 0;
}

/* F0 of the second half of a word (where a phrase's tune shows). */
static double end_f0(const capture *c, int sr, const char *word, int k)
{
    size_t a, b;
    if (!word_span(c, word, k, &a, &b)) {
        CHECK(0, "no word event for '%s'", word);
        return 0;
    }
    return median_f0(c, sr, a + (b - a) / 2, b);
}

static double rms(const capture *c, size_t a, size_t b)
{
    double s = 0;
    for (size_t i = a; i < b && i < c->n; i++)
        s += (double)c->pcm[i] * c->pcm[i];
    return b > a ? sqrt(s / (double)(b - a)) : 0;
}

int main(void)
{
    tts_voice *v = NULL;
    tts_voice_params vp = {.seed = 5};
    char err[256] = "";
    if (tts_voice_open("diffusion:kathleen", &vp, &v, err, sizeof err) != SZ_OK) {
        fprintf(stderr, "cannot open diffusion:kathleen: %s\n", err);
        return 1;
    }
    int sr = tts_voice_sample_rate(v);
    capture st, q, wq;
    /* a yes/no question rises at its end; the statement falls */
    say(v, "You are coming to the meeting tomorrow.", 0, &st);
    say(v, "You are coming to the meeting tomorrow?", 0, &q);
    double f_st = end_f0(&st, sr, "tomorrow", 0), f_q = end_f0(&q, sr, "tomorrow", 0);
    double f_st_start = median_f0(&st, sr, 0, st.n / 3);
    printf("statement: 'tomorrow' ends at %.0f Hz (the sentence's first third %.0f Hz); "
           "question: %.0f Hz (%.2f times)\n",
           f_st, f_st_start, f_q, f_q / f_st);
    CHECK(f_q > 1.15 * f_st, "the question ends higher than the statement: %.0f against %.0f Hz",
          f_q, f_st);
    CHECK(f_st < 0.95 * f_st_start,
          "the statement falls at its end: %.0f Hz against %.0f at "
          "its start",
          f_st, f_st_start);
    /* a question with a question word ends low, as a statement does */
    say(v, "Where are you going tomorrow?", 0, &wq);
    double f_wq = end_f0(&wq, sr, "tomorrow", 0);
    printf("wh-question: 'tomorrow' ends at %.0f Hz\n", f_wq);
    CHECK(f_wq < 0.95 * f_q,
          "a wh-question does not rise like a yes/no question: %.0f against "
          "%.0f Hz",
          f_wq, f_q);
    /* a list: the words before the commas stay up, the last one falls */
    capture li;
    say(v, "We have apples, pears, and plums.", 0, &li);
    double f_pears = end_f0(&li, sr, "pears", 0), f_plums = end_f0(&li, sr, "plums", 0);
    printf("list: 'pears,' ends at %.0f Hz, 'plums.' at %.0f Hz\n", f_pears, f_plums);
    CHECK(f_pears > 1.1 * f_plums, "a comma continues, the end falls: %.0f against %.0f Hz",
          f_pears, f_plums);
    /* SSML: prosody pitch and rate, emphasis */
    capture plain, high, slow, emph;
    say(v, "<speak>Please sign here.</speak>", SZ_SAY_SSML, &plain);
    say(v, "<speak><prosody pitch=\"high\">Please sign here.</prosody></speak>", SZ_SAY_SSML,
        &high);
    say(v, "<speak><prosody rate=\"slow\">Please sign here.</prosody></speak>", SZ_SAY_SSML, &slow);
    double f_plain = median_f0(&plain, sr, 0, plain.n), f_high = median_f0(&high, sr, 0, high.n);
    printf("prosody: pitch high %.0f Hz against %.0f; rate slow %zu samples against %zu\n", f_high,
           f_plain, slow.n, plain.n);
    CHECK(f_high > 1.1 * f_plain, "prosody pitch=high raises the voice: %.0f against %.0f Hz",
          f_high, f_plain);
    CHECK(slow.n > plain.n * 1.15, "prosody rate=slow is longer: %zu against %zu samples", slow.n,
          plain.n);
    say(v, "<speak>Please sign <emphasis level=\"strong\">here</emphasis>.</speak>", SZ_SAY_SSML,
        &emph);
    size_t a0, b0, a1, b1;
    if (word_span(&plain, "here", 0, &a0, &b0) && word_span(&emph, "here", 0, &a1, &b1)) {
        double r0 = rms(&plain, a0, b0), r1 = rms(&emph, a1, b1);
        double p0 = median_f0(&plain, sr, a0, b0), p1 = median_f0(&emph, sr, a1, b1);
        printf("emphasis: 'here' rms %.4f against %.4f, F0 %.0f against %.0f Hz, %zu against %zu "
               "samples\n",
               r1, r0, p1, p0, b1 - a1, b0 - a0);
        CHECK(r1 > 1.15 * r0 && p1 > 1.05 * p0, "strong emphasis is louder and higher");
    } else {
        CHECK(0, "no word event for 'here'");
    }
    free(st.pcm);
    free(q.pcm);
    free(wq.pcm);
    free(li.pcm);
    free(plain.pcm);
    free(high.pcm);
    free(slow.pcm);
    free(emph.pcm);
    tts_voice_free(&v);
    return check_summary("test_intonation");
}
