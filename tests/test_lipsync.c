/* SPDX-License-Identifier: Apache-2.0 */
/* test_lipsync.c: phone -> viseme mapping (IPA, ARPAbet), viseme names, and
 * the coarticulated timeline: steady shapes, silence outside the utterance,
 * normalised blends, anticipation and carry-over, invisible consonants taking
 * the vowels' lips, closure on every p/b/m at any frame rate, no lag, bounded
 * look-ahead; and the ARKit / VRM blendshape mappings. */
#include "core/media.h"
#include "lipsync/blendshapes.h"
#include "lipsync/viseme.h"
#include "shuzi.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

#define RATE 22050

static void test_phones(void)
{
    static const struct {
        const char *ipa;
        int vis;
    } cases[] = {
        /* English (espeak en-us IPA, with stress and length marks) */
        {"ˈæ", VIS_AA},
        {"aɪ", VIS_AA},
        {"ˈaɪ", VIS_AA},
        {"aʊ", VIS_AA},
        {"ʌ", VIS_AA},
        {"ˈɑː", VIS_AA},
        {"ɐ", VIS_AA},
        {"tʃ", VIS_CH},
        {"dʒ", VIS_CH},
        {"ʃ", VIS_CH},
        {"ʒ", VIS_CH},
        {"oʊ", VIS_OH},
        {"ɔ", VIS_OH},
        {"ɔɪ", VIS_OH},
        {"ɒ", VIS_OH},
        {"ˈɔː", VIS_OH},
        {"ɚ", VIS_RR},
        {"ɝ", VIS_RR},
        {"ɹ", VIS_RR},
        {"r", VIS_RR},
        {"p", VIS_PP},
        {"b", VIS_PP},
        {"m", VIS_PP},
        {"f", VIS_FF},
        {"v", VIS_FF},
        {"θ", VIS_TH},
        {"ð", VIS_TH},
        {"t", VIS_DD},
        {"d", VIS_DD},
        {"ɾ", VIS_DD},
        {"s", VIS_SS},
        {"z", VIS_SS},
        {"k", VIS_KK},
        {"ɡ", VIS_KK},
        {"g", VIS_KK},
        {"ŋ", VIS_KK},
        {"ʔ", VIS_KK},
        {"n", VIS_NN},
        {"l", VIS_NN},
        {"ɫ", VIS_NN},
        {"i:", VIS_IH},
        {"iː", VIS_IH},
        {"ˈiː", VIS_IH},
        {"ɪ", VIS_IH},
        {"j", VIS_IH},
        {"ᵻ", VIS_IH},
        {"u", VIS_OU},
        {"uː", VIS_OU},
        {"ʊ", VIS_OU},
        {"w", VIS_OU},
        {"ə", VIS_E},
        {"ɛ", VIS_E},
        {"e", VIS_E},
        {"eɪ", VIS_E},
        {"ˌɜː", VIS_E},
        {"ɜ", VIS_E},
        /* Mandarin (espeak cmn, tone digits after the vowel) */
        {"tɕ", VIS_CH},
        {"tɕʰ", VIS_CH},
        {"ʂ", VIS_CH},
        {"ʈʂ", VIS_CH},
        {"ɕ", VIS_CH},
        {"ʐ", VIS_CH},
        {"ts", VIS_SS},
        {"tsʰ", VIS_SS},
        {"dz", VIS_SS},
        {"x", VIS_KK},
        {"y", VIS_OU},
        {"a5", VIS_AA},
        {"a1", VIS_AA},
        {"i3", VIS_IH},
        {"ɤ4", VIS_E},
        {"ɻ", VIS_RR},
        {"ɲ", VIS_NN},
        {"pʰ", VIS_PP},
        {"s.", VIS_CH},
        {"ts.h", VIS_CH},
        {"z.", VIS_CH},
        {"ər", VIS_RR},
        {"i̪", VIS_IH},
        {"i.", VIS_IH},
        {"tsh", VIS_SS},
        {"χ", -1},
        /* pauses and unknown symbols are silence; h takes its neighbour's shape */
        {"", VIS_SIL},
        {"_", VIS_SIL},
        {"ˈ", VIS_SIL},
        {"ː", VIS_SIL},
        {"Q", VIS_SIL},
        {"h", -1},
        {"ˈh", -1},
        {"ɦ", -1},
    };
    int n = (int)(sizeof cases / sizeof cases[0]);
    CHECK(n >= 40, "only %d phones", n);
    for (int i = 0; i < n; i++) {
        int v = lipsync_viseme_of_phone(cases[i].ipa);
        CHECK(v == cases[i].vis, "phone '%s' -> %d (%s), expected %d (%s)", cases[i].ipa, v,
              media_viseme_name(v) ? media_viseme_name(v) : "-", cases[i].vis,
              media_viseme_name(cases[i].vis) ? media_viseme_name(cases[i].vis) : "-");
    }
    CHECK(lipsync_viseme_of_phone(NULL) == VIS_SIL, "NULL phone");
}

static void test_names(void)
{
    static const char *const want[VIS_COUNT] = {"sil", "PP", "FF", "TH", "DD", "kk", "CH", "SS",
                                                "nn",  "RR", "aa", "E",  "ih", "oh", "ou"};
    CHECK(VIS_COUNT == 15, "VIS_COUNT %d", VIS_COUNT);
    for (int v = 0; v < VIS_COUNT; v++) {
        const char *s = media_viseme_name(v);
        CHECK(s && strcmp(s, want[v]) == 0, "viseme %d named '%s', expected '%s'", v,
              s ? s : "(null)", want[v]);
    }
    CHECK(media_viseme_name(-1) == NULL, "name of -1");
    CHECK(media_viseme_name(VIS_COUNT) == NULL, "name of VIS_COUNT");
    CHECK(media_viseme_name(1000) == NULL, "name of 1000");
}

static void test_arpabet(void)
{
    static const struct {
        const char *arpa;
        int long_vowel;
        const char *ipa;
        int vis;
    } cases[] = {
        {"AA", 0, "ɑ", VIS_AA},  {"aa1", 0, "ɑ", VIS_AA},   {"AH", 0, "ə", VIS_E},
        {"AH", 1, "ʌ", VIS_AA},  {"AH0", 0, "ə", VIS_E},    {"ER", 0, "ɚ", VIS_RR},
        {"ER", 1, "ɝ", VIS_RR},  {"IY", 0, "i", VIS_IH},    {"UW", 0, "u", VIS_OU},
        {"OW", 0, "oʊ", VIS_OH}, {"AY", 0, "aɪ", VIS_AA},   {"EY", 0, "eɪ", VIS_E},
        {"P", 0, "p", VIS_PP},   {"B", 0, "b", VIS_PP},     {"M", 0, "m", VIS_PP},
        {"F", 0, "f", VIS_FF},   {"V", 0, "v", VIS_FF},     {"TH", 0, "θ", VIS_TH},
        {"DH", 0, "ð", VIS_TH},  {"T", 0, "t", VIS_DD},     {"K", 0, "k", VIS_KK},
        {"NG", 0, "ŋ", VIS_KK},  {"CH", 0, "tʃ", VIS_CH},   {"JH", 0, "dʒ", VIS_CH},
        {"SH", 0, "ʃ", VIS_CH},  {"S", 0, "s", VIS_SS},     {"Z", 0, "z", VIS_SS},
        {"N", 0, "n", VIS_NN},   {"L", 0, "l", VIS_NN},     {"R", 0, "ɹ", VIS_RR},
        {"W", 0, "w", VIS_OU},   {"Y", 0, "j", VIS_IH},     {"HH", 0, "h", -1},
        {"SIL", 0, "", VIS_SIL}, {"+NSN+", 0, "", VIS_SIL}, {"pau", 0, "", VIS_SIL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *ipa = lipsync_arpabet_to_ipa(cases[i].arpa, cases[i].long_vowel);
        CHECK(ipa && strcmp(ipa, cases[i].ipa) == 0, "ARPAbet %s (long %d) -> '%s', expected '%s'",
              cases[i].arpa, cases[i].long_vowel, ipa ? ipa : "(null)", cases[i].ipa);
        if (ipa)
            CHECK(lipsync_viseme_of_phone(ipa) == cases[i].vis, "ARPAbet %s -> viseme %d",
                  cases[i].arpa, lipsync_viseme_of_phone(ipa));
    }
    const char *bad[] = {"XX", "", "AAAAAAAAAA", "A1B", "ə", NULL};
    for (int i = 0; bad[i]; i++)
        CHECK(lipsync_arpabet_to_ipa(bad[i], 0) == NULL, "'%s' accepted as ARPAbet", bad[i]);
    CHECK(lipsync_arpabet_to_ipa(NULL, 0) == NULL, "NULL accepted");

    /* IPA (espeak's phones) back to ARPAbet, as OOV words are phonemized. */
    static const struct {
        const char *ipa;
        const char *want; /* space separated */
    } back[] = {
        {"ˈaɪ", "AY"}, {"ɑːɹ", "AA R"}, {"ɜːɹ", "ER"}, {"tʃ", "CH"}, {"ᵻ", "IH"},
        {"ˈoʊ", "OW"}, {"ð", "DH"},     {"ɾ", "D"},    {"", ""},     {"iə", "IY AH"},
    };
    for (size_t i = 0; i < sizeof back / sizeof back[0]; i++) {
        const char *out[4];
        int n = lipsync_ipa_to_arpabet(back[i].ipa, out, 4);
        char got[64] = "";
        for (int k = 0; k < n && k < 4; k++) {
            strcat(got, k ? " " : "");
            strcat(got, out[k]);
        }
        CHECK(n >= 0 && strcmp(got, back[i].want) == 0, "IPA '%s' -> '%s' (%d), expected '%s'",
              back[i].ipa, got, n, back[i].want);
    }
    const char *out[2];
    CHECK(lipsync_ipa_to_arpabet("ʘ", out, 2) == -1, "a click is not English");
    CHECK(lipsync_ipa_to_arpabet("tʃɑːɹ", out, 2) == 3, "count beyond cap reported");
}

static float tl_sum(const sz_face *f)
{
    float s = 0;
    for (int v = 0; v < VIS_COUNT; v++)
        s += f->viseme[v];
    return s;
}

static void tl_face(const ls_timeline *tl, int64_t t, sz_face *f)
{
    memset(f, 0, sizeof *f);
    lipsync_face_at(tl, t, f);
}

#define MS(x) ((int64_t)(x)*RATE / 1000)

/* Builds a timeline from (start ms, viseme) pairs closed at end_ms. */
static void tl_build(ls_timeline *tl, const int (*ph)[2], int n, int end_ms)
{
    lipsync_timeline_reset(tl);
    for (int i = 0; i < n; i++)
        lipsync_timeline_add(tl, MS(ph[i][0]), ph[i][1]);
    lipsync_timeline_close(tl, MS(end_ms));
}

/* sil 0-100, m 100-200, a 200-400, closed at 400. */
static void test_timeline(void)
{
    ls_timeline tl;
    lipsync_timeline_init(&tl, RATE);
    CHECK(tl.n == 0 && tl.end == -1 && tl.sample_rate_hz == RATE, "init: n %zu end %lld", tl.n,
          (long long)tl.end);
    sz_face f;
    tl_face(&tl, 1000, &f);
    CHECK(f.viseme[VIS_SIL] == 1.0f && f.jaw_open == 0.0f, "empty timeline not at rest");
    static const int ph[][2] = {{0, VIS_SIL}, {100, VIS_PP}, {200, VIS_AA}};
    tl_build(&tl, ph, 3, 400);
    CHECK(tl.n == 3 && tl.end == MS(400), "timeline n %zu end %lld", tl.n, (long long)tl.end);

    int64_t w = lipsync_lookahead_samples(RATE);
    CHECK(w > 0 && w <= MS(120), "look-ahead %lld samples (expected 0 < w <= 120 ms)",
          (long long)w);
    int64_t lead = lipsync_frame_lead_samples(RATE);
    CHECK(lead >= 0 && lead <= MS(20), "frame lead %lld samples (at most 20 ms)", (long long)lead);

    tl_face(&tl, MS(300), &f); /* middle of "a" */
    CHECK(f.viseme[VIS_AA] > 0.97f, "mid a: aa weight %.3f", f.viseme[VIS_AA]);
    CHECK(f.jaw_open > 0.8f && f.lip_close < 0.02f && f.speaking > 0.97f,
          "mid a: jaw %.3f close %.3f speaking %.3f", f.jaw_open, f.lip_close, f.speaking);
    tl_face(&tl, MS(150), &f); /* middle of "m" */
    CHECK(f.viseme[VIS_PP] > 0.97f && f.lip_close > 0.97f && f.jaw_open < 0.03f,
          "mid m: PP %.3f close %.3f jaw %.3f", f.viseme[VIS_PP], f.lip_close, f.jaw_open);

    /* Before the speech and well after the end: at rest. */
    const int64_t quiet[] = {0, MS(30), MS(480), MS(5000)};
    for (size_t i = 0; i < sizeof quiet / sizeof quiet[0]; i++) {
        tl_face(&tl, quiet[i], &f);
        CHECK(f.viseme[VIS_SIL] == 1.0f && f.jaw_open == 0.0f && f.speaking == 0.0f,
              "t=%lld: sil %.4f jaw %.4f", (long long)quiet[i], f.viseme[VIS_SIL], f.jaw_open);
    }
    /* Weights are a partition of unity everywhere, each in [0, 1]. */
    int bad_sum = 0, bad_range = 0;
    for (int64_t t = -MS(50); t < MS(600); t += 37) {
        tl_face(&tl, t, &f);
        bad_sum += fabsf(tl_sum(&f) - 1.0f) > 1e-4f;
        for (int v = 0; v < VIS_COUNT; v++)
            bad_range += !(f.viseme[v] >= 0.0f && f.viseme[v] <= 1.0f);
        bad_range += !(f.jaw_open >= 0.0f && f.jaw_open <= 1.0f);
    }
    CHECK(bad_sum == 0, "%d instants with weights not summing to 1", bad_sum);
    CHECK(bad_range == 0, "%d weights/controls outside [0, 1]", bad_range);

    /* At the m -> a boundary the face is a blend of both. */
    tl_face(&tl, MS(200), &f);
    CHECK(f.viseme[VIS_PP] > 0.2f && f.viseme[VIS_AA] > 0.2f, "m|a boundary: PP %.3f aa %.3f",
          f.viseme[VIS_PP], f.viseme[VIS_AA]);

    /* Fields other than the mouth are left alone. */
    memset(&f, 0, sizeof f);
    f.blink = 0.7f;
    f.gaze_x = 0.3f;
    f.head_yaw = -0.2f;
    f.expression[EXPR_HAPPY] = 0.4f;
    lipsync_face_frame(&tl, MS(280), MS(313), &f);
    CHECK(f.blink == 0.7f && f.gaze_x == 0.3f && f.head_yaw == -0.2f &&
              f.expression[EXPR_HAPPY] == 0.4f,
          "face_frame touched non-mouth fields");

    /* Reset keeps the allocation; an open timeline lasts until closed. */
    ls_phone *mem = tl.phones;
    lipsync_timeline_reset(&tl);
    CHECK(tl.n == 0 && tl.end == -1 && tl.phones == mem, "reset: n %zu end %lld", tl.n,
          (long long)tl.end);
    CHECK(lipsync_timeline_add(&tl, 1000, VIS_OH) == SZ_OK, "add oh");
    tl_face(&tl, 500000, &f);
    CHECK(f.viseme[VIS_OH] > 0.999f, "open timeline: oh %.3f far after the start",
          f.viseme[VIS_OH]);
    CHECK(lipsync_timeline_add(&tl, 500, VIS_E) == SZ_OK, "add e");
    CHECK(tl.phones[1].start == 1000, "backwards start kept as %lld",
          (long long)tl.phones[1].start);
    CHECK(lipsync_timeline_add(&tl, 1200, 99) == SZ_OK && tl.phones[2].viseme == VIS_SIL,
          "out-of-range viseme stored as %d", tl.phones[2].viseme);
    for (int i = 0; i < 300; i++)
        CHECK(lipsync_timeline_add(&tl, 2000 + i * 100, i % 2 ? VIS_AA : VIS_SS) == SZ_OK, "add %d",
              i);
    CHECK(tl.n == 303 && tl.phones[302].start == 2000 + 299 * 100, "after growth n %zu", tl.n);
    lipsync_timeline_free(&tl);
    CHECK(tl.phones == NULL && tl.n == 0, "free did not clear");
}

/* Coarticulation: lip rounding anticipated and carried over; consonants that
 * only the tongue makes take the lips of the vowels around them. */
static void test_coarticulation(void)
{
    ls_timeline tl;
    lipsync_timeline_init(&tl, RATE);
    sz_face f;
    /* "s t u s": sil 0-100, s 100-200, t 200-260, u 260-460, s 460-560, sil */
    static const int stus[][2] = {{0, VIS_SIL},  {100, VIS_SS}, {200, VIS_DD},
                                  {260, VIS_OU}, {460, VIS_SS}, {560, VIS_SIL}};
    tl_build(&tl, stus, 6, 700);
    tl_face(&tl, MS(230), &f); /* middle of t, 30 ms before u */
    CHECK(f.lip_round > 0.25f, "anticipation: lip_round %.3f in the t before u", f.lip_round);
    tl_face(&tl, MS(175), &f); /* s, 85 ms before u */
    float early = f.lip_round;
    CHECK(early > 0.0f && early < 0.2f, "anticipation starts within 100 ms: %.3f", early);
    tl_face(&tl, MS(90), &f);
    CHECK(f.lip_round == 0.0f, "no rounding 170 ms ahead: %.3f", f.lip_round);
    tl_face(&tl, MS(475), &f); /* 15 ms into the s after u */
    CHECK(f.lip_round > 0.2f, "carry-over: lip_round %.3f after u", f.lip_round);
    tl_face(&tl, MS(540), &f);
    CHECK(f.lip_round < 0.01f, "carry-over ends: lip_round %.3f 80 ms after u", f.lip_round);

    /* k between u's stays rounded; between i's spread (the lips belong to the vowels). */
    static const int uku[][2] = {
        {0, VIS_SIL}, {100, VIS_OU}, {250, VIS_KK}, {310, VIS_OU}, {460, VIS_SIL}};
    static const int iki[][2] = {
        {0, VIS_SIL}, {100, VIS_IH}, {250, VIS_KK}, {310, VIS_IH}, {460, VIS_SIL}};
    tl_build(&tl, uku, 5, 600);
    tl_face(&tl, MS(280), &f);
    float round_k = f.lip_round, spread_k = f.lip_spread;
    tl_build(&tl, iki, 5, 600);
    tl_face(&tl, MS(280), &f);
    CHECK(round_k > 0.4f && f.lip_spread > 0.25f && round_k > f.lip_round + 0.3f &&
              f.lip_spread > spread_k + 0.15f,
          "k keeps its vowels' lips: u k u round %.3f spread %.3f, i k i round %.3f spread %.3f",
          round_k, spread_k, f.lip_round, f.lip_spread);
    /* ...while a bilabial between the same vowels still closes. */
    static const int upu[][2] = {
        {0, VIS_SIL}, {100, VIS_OU}, {250, VIS_PP}, {310, VIS_OU}, {460, VIS_SIL}};
    tl_build(&tl, upu, 5, 600);
    tl_face(&tl, MS(280), &f);
    CHECK(f.lip_close > 0.7f && f.lip_close > round_k, "p between u's: lip_close %.3f",
          f.lip_close);
    memset(&f, 0, sizeof f);
    lipsync_face_frame(&tl, MS(265), MS(298), &f);
    CHECK(f.lip_close >= 0.99f, "p between u's, its frame: lip_close %.3f", f.lip_close);

    /* A short gap between words does not shut the mouth; a real pause does. */
    static const int gap[][2] = {{0, VIS_SIL},  {100, VIS_AA},  {300, VIS_SIL},
                                 {315, VIS_AA}, {500, VIS_SIL}, {700, VIS_AA}};
    tl_build(&tl, gap, 6, 900);
    memset(&f, 0, sizeof f);
    lipsync_face_frame(&tl, MS(291), MS(324), &f);
    float short_gap = f.jaw_open;
    memset(&f, 0, sizeof f);
    lipsync_face_frame(&tl, MS(583), MS(616), &f);
    CHECK(short_gap > 0.6f && f.jaw_open < 0.05f,
          "15 ms gap: jaw %.3f (stays open); 200 ms pause: jaw %.3f (shut)", short_gap, f.jaw_open);

    /* h takes the next vowel's shape. */
    static const int iha[][2] = {{0, VIS_SIL}, {100, VIS_IH}, {200, -1}, {300, VIS_AA}};
    tl_build(&tl, iha, 4, 500);
    tl_face(&tl, MS(250), &f);
    CHECK(f.viseme[VIS_AA] > 0.8f && f.viseme[VIS_IH] < 0.1f, "h before a: aa %.3f ih %.3f",
          f.viseme[VIS_AA], f.viseme[VIS_IH]);
    static const int eh[][2] = {{0, VIS_E}, {100, -1}};
    tl_build(&tl, eh, 2, 300);
    tl_face(&tl, MS(200), &f);
    CHECK(f.viseme[VIS_SIL] > 0.9f, "final h rests: sil %.3f", f.viseme[VIS_SIL]);
    lipsync_timeline_free(&tl);
}

/* The mouth never lags the sound: an open vowel between pauses opens and
 * closes with it, and equal-strength neighbours cross exactly at their boundary. */
static void test_no_lag(void)
{
    ls_timeline tl;
    lipsync_timeline_init(&tl, RATE);
    static const int sas[][2] = {{0, VIS_SIL}, {200, VIS_AA}, {400, VIS_SIL}};
    tl_build(&tl, sas, 3, 600);
    sz_face f;
    int64_t up = -1, down = -1;
    double num = 0, den = 0;
    for (int64_t t = 0; t < MS(600); t++) {
        tl_face(&tl, t, &f);
        if (up < 0 && f.viseme[VIS_AA] >= 0.5f)
            up = t;
        if (up >= 0 && down < 0 && f.viseme[VIS_AA] < 0.5f)
            down = t;
        num += (double)t * f.jaw_open;
        den += f.jaw_open;
    }
    CHECK(llabs(up - MS(200)) <= 2 && llabs(down - MS(400)) <= 2,
          "aa crosses 0.5 at %.2f ms and %.2f ms (phone 200-400 ms)", up * 1000.0 / RATE,
          down * 1000.0 / RATE);
    double centre_ms = num / den * 1000.0 / RATE;
    CHECK(centre_ms <= 300.0 && centre_ms > 290.0,
          "jaw opening centred at %.2f ms (the vowel's centre: 300; later would lag)", centre_ms);

    /* A vowel after a closure opens with the release, within 8 ms. */
    static const int ma[][2] = {{0, VIS_SIL}, {100, VIS_PP}, {200, VIS_AA}};
    tl_build(&tl, ma, 3, 400);
    int64_t open = -1;
    for (int64_t t = MS(100); t < MS(400) && open < 0; t++) {
        tl_face(&tl, t, &f);
        if (f.viseme[VIS_AA] >= 0.5f)
            open = t;
    }
    CHECK(open >= 0 && open - MS(200) <= MS(8) && open >= MS(195),
          "m|a: the mouth opens at %.2f ms (release at 200)", open * 1000.0 / RATE);
    lipsync_timeline_free(&tl);
}

static uint32_t lcg(uint32_t *s)
{
    *s = *s * 1664525u + 1013904223u;
    return *s >> 8;
}

/* Every p/b/m closes the lips in at least one video frame, whatever its
 * length and the frame rate. */
static void test_closure(void)
{
    ls_timeline tl;
    lipsync_timeline_init(&tl, RATE);
    static const int fps_list[] = {10, 12, 24, 25, 29, 30, 48, 50, 60, 120};
    uint32_t seed = 7;
    int cases = 0, missed = 0;
    for (size_t fi = 0; fi < sizeof fps_list / sizeof fps_list[0]; fi++) {
        int fps = fps_list[fi];
        for (int trial = 0; trial < 60; trial++) {
            int dur_ms = 8 + (int)(lcg(&seed) % 70); /* 8..77 ms */
            int start_ms = 150 + (int)(lcg(&seed) % 100);
            int v1 = trial % 2 ? VIS_AA : VIS_OU, v2 = trial % 3 ? VIS_E : VIS_AA;
            int ph[][2] = {{0, VIS_SIL}, {100, v1}, {start_ms, VIS_PP}, {start_ms + dur_ms, v2}};
            tl_build(&tl, ph, 4, start_ms + dur_ms + 150);
            int closed = 0;
            int64_t lead = lipsync_frame_lead_samples(RATE);
            for (int64_t k = 0;; k++) { /* frames whose (led) span meets the phone */
                int64_t a = k * RATE / fps, b = (k + 1) * RATE / fps;
                if (a + lead > MS(start_ms + dur_ms))
                    break;
                if (b + lead <= MS(start_ms))
                    continue;
                sz_face f;
                memset(&f, 0, sizeof f);
                lipsync_face_frame(&tl, a, b, &f);
                closed |= f.lip_close >= 0.99f && f.jaw_open <= 0.06f;
            }
            cases++;
            if (!closed) {
                missed++;
                if (missed <= 5)
                    fprintf(stderr, "  no closed frame: %d ms p at %d ms, %d fps\n", dur_ms,
                            start_ms, fps);
            }
        }
    }
    CHECK(missed == 0, "%d of %d short p/b/m had no closed frame", missed, cases);

    /* A frame far from any p/b/m is not closed by the guarantee. */
    static const int aa[][2] = {{0, VIS_SIL}, {100, VIS_AA}, {400, VIS_PP}, {440, VIS_AA}};
    tl_build(&tl, aa, 4, 700);
    sz_face f;
    memset(&f, 0, sizeof f);
    lipsync_face_frame(&tl, MS(200), MS(233), &f);
    CHECK(f.lip_close < 0.01f && f.jaw_open > 0.7f, "open vowel frame: close %.3f jaw %.3f",
          f.lip_close, f.jaw_open);
    lipsync_timeline_free(&tl);
}

/* Per-frame evaluation at any frame rate: a frame averages the blend over
 * its span, moved earlier by the frame lead (a steady vowel gives the point
 * value; a frame spanning a boundary a value between its sides), and
 * nothing beyond the look-ahead matters. */
static void test_frames(void)
{
    ls_timeline tl;
    lipsync_timeline_init(&tl, RATE);
    static const int ph[][2] = {{0, VIS_SIL},   {100, VIS_AA}, {300, VIS_IH},  {420, VIS_SS},
                                {500, VIS_OU},  {650, VIS_PP}, {700, VIS_OH},  {900, VIS_FF},
                                {980, VIS_SIL}, {1200, VIS_E}, {1400, VIS_SIL}};
    tl_build(&tl, ph, 11, 1600);
    sz_face f, g;
    memset(&f, 0, sizeof f);
    memset(&g, 0, sizeof g);
    int64_t lead = lipsync_frame_lead_samples(RATE);
    lipsync_face_frame(&tl, MS(180), MS(220), &f);
    lipsync_face_at(&tl, MS(200) + lead, &g);
    CHECK(fabsf(f.jaw_open - g.jaw_open) < 1e-4f, "steady vowel: frame %.4f vs point %.4f",
          f.jaw_open, g.jaw_open);
    /* The frame's value lies within the range of the point values inside it. */
    int outside = 0;
    static const int fps_list[] = {24, 25, 30, 60};
    for (size_t fi = 0; fi < 4; fi++) {
        int fps = fps_list[fi];
        for (int64_t k = 0; k * RATE / fps < MS(1600); k++) {
            int64_t a = k * RATE / fps, b = (k + 1) * RATE / fps;
            memset(&f, 0, sizeof f);
            lipsync_face_frame(&tl, a, b, &f);
            if (f.lip_close >= 0.99f)
                continue; /* a forced closure */
            float lo = 2, hi = -1;
            for (int64_t t = a + lead; t < b + lead; t += 8) {
                lipsync_face_at(&tl, t, &g);
                lo = g.jaw_open < lo ? g.jaw_open : lo;
                hi = g.jaw_open > hi ? g.jaw_open : hi;
            }
            outside += f.jaw_open < lo - 1e-3f || f.jaw_open > hi + 1e-3f;
        }
    }
    CHECK(outside == 0, "%d frames with jaw_open outside its span's values", outside);

    /* Bounded look-ahead: adding phones after b + look-ahead changes nothing. */
    ls_timeline t2;
    lipsync_timeline_init(&t2, RATE);
    static const int pre[][2] = {{0, VIS_SIL}, {100, VIS_AA}, {300, VIS_IH}, {420, VIS_SS}};
    tl_build(&t2, pre, 4, 2000);
    t2.end = -1; /* still arriving: the last phone lasts */
    ls_timeline t3;
    lipsync_timeline_init(&t3, RATE);
    tl_build(&t3, pre, 4, 2000);
    t3.end = -1;
    lipsync_timeline_add(&t3, MS(600), VIS_OU);
    lipsync_timeline_add(&t3, MS(640), VIS_PP);
    int64_t look = lipsync_lookahead_samples(RATE);
    int diff = 0, frames = 0;
    for (int64_t k = 0;; k++) {
        int64_t a = k * RATE / 30, b = (k + 1) * RATE / 30;
        if (b + look > MS(600))
            break;
        memset(&f, 0, sizeof f);
        memset(&g, 0, sizeof g);
        lipsync_face_frame(&t2, a, b, &f);
        lipsync_face_frame(&t3, a, b, &g);
        diff += memcmp(f.viseme, g.viseme, sizeof f.viseme) != 0 || f.jaw_open != g.jaw_open;
        frames++;
    }
    CHECK(frames > 10 && diff == 0, "%d of %d frames changed by phones beyond the look-ahead", diff,
          frames);
    lipsync_timeline_free(&t2);
    lipsync_timeline_free(&t3);
    lipsync_timeline_free(&tl);
}

static void test_silent(void)
{
    sz_face f;
    memset(&f, 0, sizeof f);
    for (int v = 0; v < VIS_COUNT; v++)
        f.viseme[v] = 0.5f;
    f.jaw_open = 0.9f;
    f.lip_close = 0.8f;
    f.blink = 0.25f;
    lipsync_face_silent(&f);
    CHECK(f.jaw_open == 0.0f && f.lip_close == 0.0f && f.lip_round == 0.0f &&
              f.lip_spread == 0.0f && f.teeth_lip == 0.0f && f.tongue == 0.0f,
          "silent mouth controls not zero");
    CHECK(f.viseme[VIS_SIL] == 1.0f && tl_sum(&f) == 1.0f && f.speaking == 0.0f,
          "silent weights: sil %.3f sum %.3f", f.viseme[VIS_SIL], tl_sum(&f));
    CHECK(f.blink == 0.25f, "silent touched blink");
    sz_face a, b, m;
    memset(&a, 0, sizeof a);
    memset(&b, 0, sizeof b);
    memset(&m, 0, sizeof m);
    a.viseme[VIS_OU] = 1.0f;
    b.viseme[VIS_IH] = 1.0f;
    m.viseme[VIS_OU] = 0.5f;
    m.viseme[VIS_IH] = 0.5f;
    lipsync_derive_controls(&a);
    lipsync_derive_controls(&b);
    lipsync_derive_controls(&m);
    CHECK(a.lip_round > 0.9f && b.lip_spread > 0.5f, "ou round %.3f, ih spread %.3f", a.lip_round,
          b.lip_spread);
    CHECK(fabsf(m.lip_round - 0.5f * (a.lip_round + b.lip_round)) < 1e-5f &&
              fabsf(m.jaw_open - 0.5f * (a.jaw_open + b.jaw_open)) < 1e-5f,
          "mixed controls are not the weighted mean");
}

/* Louder speech opens the jaw wider; closed lips stay closed. */
static void test_loudness(void)
{
    enum { N = 735 }; /* a 30 fps frame at 22050 Hz */
    static float loud[N], quiet[N];
    for (int i = 0; i < N; i++) {
        loud[i] = 0.3f * sinf((float)i * 0.2f);
        quiet[i] = 0.3f * 0.05f * sinf((float)i * 0.2f); /* 26 dB down */
    }
    ls_loudness l;
    lipsync_loudness_reset(&l);
    sz_face f;
    memset(&f, 0, sizeof f);
    f.viseme[VIS_AA] = 1.0f;
    lipsync_derive_controls(&f);
    float full = f.jaw_open;
    lipsync_loudness_apply(&l, loud, N, RATE, &f);
    CHECK(fabsf(f.jaw_open - full) < 1e-6f, "loud frame: jaw %.3f of %.3f", f.jaw_open, full);
    lipsync_derive_controls(&f);
    lipsync_loudness_apply(&l, quiet, N, RATE, &f);
    CHECK(f.jaw_open < 0.7f * full && f.jaw_open >= 0.55f * full - 1e-6f,
          "quiet frame after a loud one: jaw %.3f of %.3f", f.jaw_open, full);
    lipsync_derive_controls(&f);
    f.lip_close = 1.0f;
    f.jaw_open = 0.05f;
    lipsync_loudness_apply(&l, quiet, N, RATE, &f);
    CHECK(f.jaw_open == 0.05f, "closed lips changed: %.3f", f.jaw_open);
    /* A quiet speaker is not a closed mouth: the peak adapts. */
    lipsync_loudness_reset(&l);
    f.lip_close = 0;
    lipsync_derive_controls(&f);
    lipsync_loudness_apply(&l, quiet, N, RATE, &f);
    CHECK(fabsf(f.jaw_open - full) < 1e-6f, "quiet utterance: jaw %.3f of %.3f", f.jaw_open,
          full);
    lipsync_loudness_apply(&l, NULL, 0, RATE, &f); /* nothing to measure: unchanged */
}

static void pure(sz_face *f, int v)
{
    memset(f, 0, sizeof *f);
    f->viseme[v] = 1.0f;
    lipsync_derive_controls(f);
}

static void test_blendshapes(void)
{
    /* names: present, unique, ARKit spelling */
    for (int i = 0; i < LS_ARKIT_COUNT; i++) {
        const char *n = lipsync_arkit_name(i);
        CHECK(n && *n, "ARKit name %d missing", i);
        for (int j = 0; n && j < i; j++)
            CHECK(strcmp(n, lipsync_arkit_name(j)) != 0, "ARKit name %s twice", n);
    }
    CHECK(strcmp(lipsync_arkit_name(LS_ARKIT_JAW_OPEN), "jawOpen") == 0 &&
              strcmp(lipsync_arkit_name(LS_ARKIT_MOUTH_PUCKER), "mouthPucker") == 0 &&
              strcmp(lipsync_arkit_name(LS_ARKIT_MOUTH_SMILE_LEFT), "mouthSmile_L") == 0,
          "ARKit names");
    CHECK(lipsync_arkit_name(-1) == NULL && lipsync_arkit_name(LS_ARKIT_COUNT) == NULL,
          "ARKit name out of range");
    static const char *const vrm[] = {"aa", "ih", "ou", "ee", "oh"};
    for (int i = 0; i < LS_VRM_COUNT; i++)
        CHECK(strcmp(lipsync_vrm_name(i), vrm[i]) == 0, "VRM name %d", i);
    CHECK(lipsync_vrm_name(5) == NULL, "VRM name out of range");

    sz_face f;
    float ak[LS_ARKIT_COUNT], v[LS_VRM_COUNT];
    pure(&f, VIS_SIL);
    lipsync_arkit_from_face(&f, ak);
    lipsync_vrm_from_face(&f, v);
    float any = 0;
    for (int i = 0; i < LS_ARKIT_COUNT; i++)
        any += ak[i];
    for (int i = 0; i < LS_VRM_COUNT; i++)
        any += v[i];
    CHECK(any == 0.0f, "rest face moves blendshapes (sum %.3f)", any);

    pure(&f, VIS_AA);
    lipsync_arkit_from_face(&f, ak);
    lipsync_vrm_from_face(&f, v);
    CHECK(ak[LS_ARKIT_JAW_OPEN] > 0.6f && ak[LS_ARKIT_MOUTH_CLOSE] == 0.0f &&
              ak[LS_ARKIT_MOUTH_PUCKER] == 0.0f,
          "aa: jawOpen %.2f mouthClose %.2f pucker %.2f", ak[LS_ARKIT_JAW_OPEN],
          ak[LS_ARKIT_MOUTH_CLOSE], ak[LS_ARKIT_MOUTH_PUCKER]);
    CHECK(v[LS_VRM_AA] == 1.0f && v[LS_VRM_OU] == 0.0f, "aa: VRM aa %.2f ou %.2f", v[LS_VRM_AA],
          v[LS_VRM_OU]);
    pure(&f, VIS_OU);
    lipsync_arkit_from_face(&f, ak);
    lipsync_vrm_from_face(&f, v);
    CHECK(ak[LS_ARKIT_MOUTH_PUCKER] > 0.7f && ak[LS_ARKIT_JAW_OPEN] < 0.3f,
          "ou: pucker %.2f jaw %.2f", ak[LS_ARKIT_MOUTH_PUCKER], ak[LS_ARKIT_JAW_OPEN]);
    CHECK(v[LS_VRM_OU] == 1.0f, "ou: VRM ou %.2f", v[LS_VRM_OU]);
    pure(&f, VIS_IH);
    lipsync_arkit_from_face(&f, ak);
    lipsync_vrm_from_face(&f, v);
    CHECK(ak[LS_ARKIT_MOUTH_STRETCH_LEFT] > 0.4f &&
              ak[LS_ARKIT_MOUTH_STRETCH_LEFT] == ak[LS_ARKIT_MOUTH_STRETCH_RIGHT],
          "ih: stretch %.2f/%.2f", ak[LS_ARKIT_MOUTH_STRETCH_LEFT],
          ak[LS_ARKIT_MOUTH_STRETCH_RIGHT]);
    CHECK(v[LS_VRM_IH] == 1.0f, "ih: VRM ih %.2f", v[LS_VRM_IH]);
    pure(&f, VIS_E);
    lipsync_vrm_from_face(&f, v);
    CHECK(v[LS_VRM_EE] == 1.0f, "E: VRM ee %.2f", v[LS_VRM_EE]);
    pure(&f, VIS_OH);
    lipsync_arkit_from_face(&f, ak);
    lipsync_vrm_from_face(&f, v);
    CHECK(v[LS_VRM_OH] == 1.0f && ak[LS_ARKIT_MOUTH_FUNNEL] > 0.5f, "oh: VRM oh %.2f funnel %.2f",
          v[LS_VRM_OH], ak[LS_ARKIT_MOUTH_FUNNEL]);
    pure(&f, VIS_FF);
    lipsync_arkit_from_face(&f, ak);
    CHECK(ak[LS_ARKIT_MOUTH_ROLL_LOWER] > 0.5f, "FF: rollLower %.2f",
          ak[LS_ARKIT_MOUTH_ROLL_LOWER]);
    /* Closed lips: ARKit mouthClose equals jawOpen (lips sealed); VRM shut. */
    pure(&f, VIS_PP);
    lipsync_arkit_from_face(&f, ak);
    lipsync_vrm_from_face(&f, v);
    CHECK(ak[LS_ARKIT_MOUTH_CLOSE] > 0.0f &&
              fabsf(ak[LS_ARKIT_MOUTH_CLOSE] - ak[LS_ARKIT_JAW_OPEN]) < 1e-6f &&
              ak[LS_ARKIT_MOUTH_PRESS_LEFT] > 0.3f,
          "PP: mouthClose %.3f jawOpen %.3f press %.2f", ak[LS_ARKIT_MOUTH_CLOSE],
          ak[LS_ARKIT_JAW_OPEN], ak[LS_ARKIT_MOUTH_PRESS_LEFT]);
    float vs = 0;
    for (int i = 0; i < LS_VRM_COUNT; i++)
        vs += v[i];
    CHECK(vs == 0.0f, "PP: VRM sum %.3f", vs);
    /* A forced closure on an otherwise open blend still seals the lips. */
    memset(&f, 0, sizeof f);
    f.viseme[VIS_PP] = 0.85f;
    f.viseme[VIS_AA] = 0.15f;
    lipsync_derive_controls(&f);
    f.lip_close = 1.0f;
    lipsync_arkit_from_face(&f, ak);
    lipsync_vrm_from_face(&f, v);
    CHECK(ak[LS_ARKIT_JAW_OPEN] <= 0.08f && ak[LS_ARKIT_MOUTH_CLOSE] == ak[LS_ARKIT_JAW_OPEN] &&
              v[LS_VRM_AA] == 0.0f,
          "forced closure: jawOpen %.3f mouthClose %.3f VRM aa %.3f", ak[LS_ARKIT_JAW_OPEN],
          ak[LS_ARKIT_MOUTH_CLOSE], v[LS_VRM_AA]);
    /* happy adds a smile; every blend stays in [0, 1] and VRM sums to <= 1. */
    int bad = 0;
    uint32_t seed = 3;
    for (int trial = 0; trial < 500; trial++) {
        memset(&f, 0, sizeof f);
        float sum = 0;
        for (int k = 0; k < VIS_COUNT; k++)
            sum += f.viseme[k] = (float)(lcg(&seed) % 1000);
        for (int k = 0; k < VIS_COUNT; k++)
            f.viseme[k] /= sum;
        f.expression[EXPR_HAPPY] = (float)(lcg(&seed) % 100) / 100.0f;
        lipsync_derive_controls(&f);
        lipsync_arkit_from_face(&f, ak);
        lipsync_vrm_from_face(&f, v);
        float vsum = 0;
        for (int i = 0; i < LS_ARKIT_COUNT; i++)
            bad += !(ak[i] >= 0.0f && ak[i] <= 1.0f);
        for (int i = 0; i < LS_VRM_COUNT; i++) {
            bad += !(v[i] >= 0.0f && v[i] <= 1.0f);
            vsum += v[i];
        }
        bad += vsum > 1.0f + 1e-5f;
    }
    CHECK(bad == 0, "%d blendshape values out of range", bad);
    pure(&f, VIS_SIL);
    f.expression[EXPR_HAPPY] = 1.0f;
    lipsync_arkit_from_face(&f, ak);
    CHECK(ak[LS_ARKIT_MOUTH_SMILE_LEFT] > 0.5f, "happy: smile %.2f", ak[LS_ARKIT_MOUTH_SMILE_LEFT]);
}

int main(void)
{
    test_phones();
    test_names();
    test_arpabet();
    test_timeline();
    test_coarticulation();
    test_no_lag();
    test_closure();
    test_frames();
    test_silent();
    test_loudness();
    test_blendshapes();
    return check_summary("test_lipsync");
}
