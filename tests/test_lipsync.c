/* test_lipsync.c: IPA phone -> viseme mapping, viseme names, and the phone
 * timeline evaluated into face weights (steady shapes, silence outside the
 * utterance, normalised blends at boundaries, h borrowing the next vowel,
 * and no lag between a phone's start and its mouth shape). */
#include "core/media.h"
#include "lipsync/viseme.h"
#include "shuzi.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures;
static int checks;

#define CHECK(cond, ...)                                                                           \
    do {                                                                                           \
        checks++;                                                                                  \
        if (!(cond)) {                                                                             \
            failures++;                                                                            \
            fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);                                   \
            fprintf(stderr, __VA_ARGS__);                                                          \
            fprintf(stderr, "\n");                                                                 \
        }                                                                                          \
    } while (0)

#define RATE 22050

static void test_phones(void)
{
    static const struct {
        const char *ipa;
        int vis;
    } cases[] = {
        /* English (espeak en-us IPA, with stress and length marks) */
        {"ˈæ", VIS_AA},   {"aɪ", VIS_AA},   {"ˈaɪ", VIS_AA},  {"aʊ", VIS_AA},  {"ʌ", VIS_AA},
        {"ˈɑː", VIS_AA},  {"ɐ", VIS_AA},    {"tʃ", VIS_CH},   {"dʒ", VIS_CH},  {"ʃ", VIS_CH},
        {"ʒ", VIS_CH},    {"oʊ", VIS_OH},   {"ɔ", VIS_OH},    {"ɔɪ", VIS_OH},  {"ɒ", VIS_OH},
        {"ˈɔː", VIS_OH},  {"ɚ", VIS_RR},    {"ɝ", VIS_RR},    {"ɹ", VIS_RR},   {"r", VIS_RR},
        {"p", VIS_PP},    {"b", VIS_PP},    {"m", VIS_PP},    {"f", VIS_FF},   {"v", VIS_FF},
        {"θ", VIS_TH},    {"ð", VIS_TH},    {"t", VIS_DD},    {"d", VIS_DD},   {"ɾ", VIS_DD},
        {"s", VIS_SS},    {"z", VIS_SS},    {"k", VIS_KK},    {"ɡ", VIS_KK},   {"g", VIS_KK},
        {"ŋ", VIS_KK},    {"ʔ", VIS_KK},    {"n", VIS_NN},    {"l", VIS_NN},   {"ɫ", VIS_NN},
        {"i:", VIS_IH},   {"iː", VIS_IH},   {"ˈiː", VIS_IH},  {"ɪ", VIS_IH},   {"j", VIS_IH},
        {"ᵻ", VIS_IH},    {"u", VIS_OU},    {"uː", VIS_OU},   {"ʊ", VIS_OU},   {"w", VIS_OU},
        {"ə", VIS_E},     {"ɛ", VIS_E},     {"e", VIS_E},     {"eɪ", VIS_E},   {"ˌɜː", VIS_E},
        {"ɜ", VIS_E},
        /* Mandarin (espeak cmn, tone digits after the vowel) */
        {"tɕ", VIS_CH},   {"tɕʰ", VIS_CH},  {"ʂ", VIS_CH},    {"ʈʂ", VIS_CH},  {"ɕ", VIS_CH},
        {"ʐ", VIS_CH},    {"ts", VIS_SS},   {"tsʰ", VIS_SS},  {"dz", VIS_SS},  {"x", VIS_KK},
        {"y", VIS_OU},    {"a5", VIS_AA},   {"a1", VIS_AA},   {"i3", VIS_IH},  {"ɤ4", VIS_E},
        {"ɻ", VIS_RR},    {"ɲ", VIS_NN},    {"pʰ", VIS_PP},
        /* pauses and unknown symbols are silence; h takes its neighbour's shape */
        {"", VIS_SIL},    {"_", VIS_SIL},   {"ˈ", VIS_SIL},   {"ː", VIS_SIL},  {"Q", VIS_SIL},
        {"h", -1},        {"ˈh", -1},       {"ɦ", -1},
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

/* sil@0, m@2205 (PP), a@4410 (AA), closed at 8820. */
static void test_timeline(void)
{
    ls_timeline tl;
    lipsync_timeline_init(&tl, RATE);
    CHECK(tl.n == 0 && tl.end == -1 && tl.sample_rate_hz == RATE, "init: n %zu end %lld", tl.n,
          (long long)tl.end);
    CHECK(lipsync_timeline_add(&tl, 0, lipsync_viseme_of_phone("")) == SZ_OK, "add sil");
    CHECK(lipsync_timeline_add(&tl, 2205, lipsync_viseme_of_phone("m")) == SZ_OK, "add m");
    CHECK(lipsync_timeline_add(&tl, 4410, lipsync_viseme_of_phone("a")) == SZ_OK, "add a");
    lipsync_timeline_close(&tl, 8820);
    CHECK(tl.n == 3 && tl.end == 8820, "timeline n %zu end %lld", tl.n, (long long)tl.end);

    int64_t w = lipsync_lookahead_samples(RATE);
    CHECK(w > 0 && w < 2205, "lookahead %lld samples at %d Hz (expected 0 < w < 100 ms)",
          (long long)w, RATE);
    int64_t w48 = lipsync_lookahead_samples(48000);
    CHECK(w48 > 0 && w48 < 4800, "lookahead %lld samples at 48 kHz", (long long)w48);

    sz_face f;
    /* Middle of "a". */
    tl_face(&tl, (4410 + 8820) / 2, &f);
    CHECK(f.viseme[VIS_AA] > 0.9f, "mid a: aa weight %.3f", f.viseme[VIS_AA]);
    CHECK(f.jaw_open > 0.7f, "mid a: jaw_open %.3f", f.jaw_open);
    CHECK(f.lip_close < 0.1f, "mid a: lip_close %.3f", f.lip_close);
    CHECK(f.speaking > 0.9f, "mid a: speaking %.3f", f.speaking);

    /* Middle of "m". */
    tl_face(&tl, (2205 + 4410) / 2, &f);
    CHECK(f.viseme[VIS_PP] > 0.9f, "mid m: PP weight %.3f", f.viseme[VIS_PP]);
    CHECK(f.lip_close > 0.9f, "mid m: lip_close %.3f", f.lip_close);
    CHECK(f.jaw_open < 0.1f, "mid m: jaw_open %.3f", f.jaw_open);

    /* Before speech and after the end: silent. */
    const int64_t quiet[] = {0, 12000, 100000};
    for (size_t i = 0; i < sizeof quiet / sizeof quiet[0]; i++) {
        tl_face(&tl, quiet[i], &f);
        CHECK(f.viseme[VIS_SIL] == 1.0f, "t=%lld: sil weight %.6f", (long long)quiet[i],
              f.viseme[VIS_SIL]);
        CHECK(f.jaw_open == 0.0f, "t=%lld: jaw_open %.6f", (long long)quiet[i], f.jaw_open);
        CHECK(f.lip_close == 0.0f && f.speaking == 0.0f, "t=%lld: lip_close %.3f speaking %.3f",
              (long long)quiet[i], f.lip_close, f.speaking);
    }

    /* Weights form a partition of unity everywhere, each in [0, 1]. */
    int bad_sum = 0, bad_range = 0;
    int64_t first_bad = -1;
    float worst = 0;
    for (int i = 0; i < 200; i++) {
        int64_t t = -2000 + (int64_t)i * 16000 / 199; /* -2000 .. 14000 */
        tl_face(&tl, t, &f);
        float d = fabsf(tl_sum(&f) - 1.0f);
        if (d > 1e-4f) {
            if (!bad_sum)
                first_bad = t;
            bad_sum++;
            if (d > worst)
                worst = d;
        }
        for (int v = 0; v < VIS_COUNT; v++)
            if (!(f.viseme[v] >= 0.0f && f.viseme[v] <= 1.0f + 1e-6f))
                bad_range++;
        if (!(f.jaw_open >= 0.0f && f.jaw_open <= 1.0f))
            bad_range++;
    }
    CHECK(bad_sum == 0, "%d of 200 times have weights not summing to 1 (first t=%lld, worst "
          "error %g)", bad_sum, (long long)first_bad, worst);
    CHECK(bad_range == 0, "%d weights/controls outside [0, 1]", bad_range);

    /* At the m -> a boundary the face is a blend of both. */
    tl_face(&tl, 4410, &f);
    CHECK(f.viseme[VIS_PP] > 0.2f && f.viseme[VIS_AA] > 0.2f,
          "m|a boundary: PP %.3f aa %.3f (expected a blend)", f.viseme[VIS_PP], f.viseme[VIS_AA]);
    CHECK(fabsf(tl_sum(&f) - 1.0f) < 1e-4f, "m|a boundary sum %.6f", tl_sum(&f));
    /* And at the sil -> m boundary. */
    tl_face(&tl, 2205, &f);
    CHECK(f.viseme[VIS_SIL] > 0.2f && f.viseme[VIS_PP] > 0.2f,
          "sil|m boundary: sil %.3f PP %.3f (expected a blend)", f.viseme[VIS_SIL],
          f.viseme[VIS_PP]);
    /* At the utterance end the mouth is half way to rest. */
    tl_face(&tl, 8820, &f);
    CHECK(fabsf(f.viseme[VIS_AA] - 0.5f) < 0.01f && fabsf(f.viseme[VIS_SIL] - 0.5f) < 0.01f,
          "end boundary: aa %.3f sil %.3f", f.viseme[VIS_AA], f.viseme[VIS_SIL]);

    /* No lag: aa passes 0.5 within 2 ms of the "a" phone's start. */
    int64_t cross = -1;
    for (int64_t t = 2205; t < 8820; t++) {
        tl_face(&tl, t, &f);
        if (f.viseme[VIS_AA] > 0.5f) {
            cross = t;
            break;
        }
    }
    int64_t tol = RATE * 2 / 1000; /* 44 samples */
    CHECK(cross >= 0 && llabs(cross - 4410) <= tol,
          "aa first exceeds 0.5 at sample %lld, %.2f ms from the phone start at 4410", 
          (long long)cross, (cross - 4410) * 1000.0 / RATE);
    /* And aa falls below 0.5 within 2 ms of the utterance end. */
    int64_t fall = -1;
    for (int64_t t = 6615; t < 12000; t++) {
        tl_face(&tl, t, &f);
        if (f.viseme[VIS_AA] < 0.5f) {
            fall = t;
            break;
        }
    }
    CHECK(fall >= 0 && llabs(fall - 8820) <= tol,
          "aa first falls below 0.5 at sample %lld (end at 8820)", (long long)fall);
    /* The ramp is symmetric: aa at start+d and silence at end-d mirror. */
    for (int64_t d = 100; d <= 600; d += 250) {
        sz_face a, b;
        tl_face(&tl, 8820 - d, &a);
        tl_face(&tl, 8820 + d, &b);
        CHECK(fabsf(a.viseme[VIS_AA] - (1.0f - b.viseme[VIS_AA])) < 0.01f,
              "fade-out not symmetric at +-%lld: %.3f vs %.3f", (long long)d, a.viseme[VIS_AA],
              b.viseme[VIS_AA]);
    }

    /* Fields other than the mouth are left alone. */
    memset(&f, 0, sizeof f);
    f.blink = 0.7f;
    f.gaze_x = 0.3f;
    f.head_yaw = -0.2f;
    f.expression[EXPR_HAPPY] = 0.4f;
    lipsync_face_at(&tl, 6000, &f);
    CHECK(f.blink == 0.7f && f.gaze_x == 0.3f && f.head_yaw == -0.2f &&
              f.expression[EXPR_HAPPY] == 0.4f,
          "face_at touched non-mouth fields");

    /* Reset keeps the allocation; an open timeline lasts until closed. */
    ls_phone *mem = tl.phones;
    lipsync_timeline_reset(&tl);
    CHECK(tl.n == 0 && tl.end == -1 && tl.phones == mem, "reset: n %zu end %lld", tl.n,
          (long long)tl.end);
    CHECK(lipsync_timeline_add(&tl, 1000, VIS_OH) == SZ_OK, "add oh");
    tl_face(&tl, 500000, &f);
    CHECK(f.viseme[VIS_OH] > 0.999f, "open timeline: oh %.3f far after the start",
          f.viseme[VIS_OH]);
    /* A start going backwards is clamped to the previous start. */
    CHECK(lipsync_timeline_add(&tl, 500, VIS_E) == SZ_OK, "add e");
    CHECK(tl.phones[1].start == 1000, "backwards start kept as %lld",
          (long long)tl.phones[1].start);
    /* Growth beyond the first allocation keeps every phone. */
    for (int i = 0; i < 300; i++)
        CHECK(lipsync_timeline_add(&tl, 2000 + i * 100, i % 2 ? VIS_AA : VIS_SS) == SZ_OK,
              "add %d", i);
    CHECK(tl.n == 302 && tl.phones[301].start == 2000 + 299 * 100, "after growth n %zu", tl.n);
    lipsync_timeline_free(&tl);
    CHECK(tl.phones == NULL && tl.n == 0, "free did not clear");
}

/* "h" takes the viseme of the following vowel (not the preceding one). */
static void test_h(void)
{
    ls_timeline tl;
    lipsync_timeline_init(&tl, RATE);
    lipsync_timeline_add(&tl, 0, VIS_SIL);
    lipsync_timeline_add(&tl, 2205, lipsync_viseme_of_phone("ɪ"));
    lipsync_timeline_add(&tl, 4410, lipsync_viseme_of_phone("h"));
    lipsync_timeline_add(&tl, 6615, lipsync_viseme_of_phone("ˈɑː"));
    lipsync_timeline_close(&tl, 11025);
    sz_face f;
    tl_face(&tl, (4410 + 6615) / 2, &f);
    CHECK(f.viseme[VIS_AA] > 0.9f, "mid h before aa: aa %.3f", f.viseme[VIS_AA]);
    CHECK(f.viseme[VIS_IH] < 0.1f, "mid h: ih %.3f (h took the previous vowel)",
          f.viseme[VIS_IH]);
    CHECK(f.viseme[VIS_SIL] < 0.1f, "mid h: sil %.3f", f.viseme[VIS_SIL]);
    CHECK(fabsf(tl_sum(&f) - 1.0f) < 1e-4f, "mid h: sum %.6f", tl_sum(&f));

    /* Several h-like phones in a row all resolve to the vowel after them. */
    lipsync_timeline_reset(&tl);
    lipsync_timeline_add(&tl, 0, -1);
    lipsync_timeline_add(&tl, 2205, -1);
    lipsync_timeline_add(&tl, 4410, VIS_OU);
    lipsync_timeline_close(&tl, 8820);
    tl_face(&tl, 1102, &f);
    CHECK(f.viseme[VIS_OU] > 0.9f, "h h ou: ou %.3f at the first h", f.viseme[VIS_OU]);

    /* A final h (nothing after it) closes to silence. */
    lipsync_timeline_reset(&tl);
    lipsync_timeline_add(&tl, 0, VIS_E);
    lipsync_timeline_add(&tl, 2205, -1);
    lipsync_timeline_close(&tl, 6615);
    tl_face(&tl, 4410, &f);
    CHECK(f.viseme[VIS_SIL] > 0.9f, "final h: sil %.3f", f.viseme[VIS_SIL]);
    for (int v = 0; v < VIS_COUNT; v++)
        CHECK(f.viseme[v] >= 0.0f, "final h: negative weight %d", v);
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
    CHECK(f.jaw_open == 0.0f, "silent jaw_open %.3f", f.jaw_open);
    CHECK(f.lip_close == 0.0f && f.lip_round == 0.0f && f.lip_spread == 0.0f &&
              f.teeth_lip == 0.0f && f.tongue == 0.0f,
          "silent mouth controls not zero");
    CHECK(f.viseme[VIS_SIL] == 1.0f && tl_sum(&f) == 1.0f, "silent weights: sil %.3f sum %.3f",
          f.viseme[VIS_SIL], tl_sum(&f));
    CHECK(f.speaking == 0.0f, "silent speaking %.3f", f.speaking);
    CHECK(f.blink == 0.25f, "silent touched blink");

    /* derive_controls: a pure viseme gives its shape; a 50/50 mix the mean. */
    memset(&f, 0, sizeof f);
    f.viseme[VIS_FF] = 1.0f;
    lipsync_derive_controls(&f);
    CHECK(f.teeth_lip > 0.9f && f.lip_close == 0.0f, "FF: teeth_lip %.3f", f.teeth_lip);
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

int main(void)
{
    test_phones();
    test_names();
    test_timeline();
    test_h();
    test_silent();
    if (failures) {
        fprintf(stderr, "%d of %d checks failed\n", failures, checks);
        return 1;
    }
    printf("test_lipsync: %d checks passed\n", checks);
    return 0;
}
