/* SPDX-License-Identifier: Apache-2.0 */
/* viseme.c: phone symbol tables (IPA, ARPAbet) and the coarticulated
 * timeline: each phone has a dominance that rises before it (anticipation)
 * and fades after it (carry-over); the face is the dominance-weighted blend. */
#include "lipsync/viseme.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "shuzi.h"

/* Longest prefixes first: "tʃ" before "t". espeak writes Mandarin's
 * retroflexes with a dot ("s.", "ts.h") and its h as "χ". */
static const struct {
    const char *ipa;
    int viseme;
} ls_phone_table[] = {
    {"ts.", VIS_CH}, {"s.", VIS_CH}, {"z.", VIS_CH}, {"ər", VIS_RR}, {"χ", -1},      {"tʃ", VIS_CH},
    {"dʒ", VIS_CH},  {"tɕ", VIS_CH}, {"ʈʂ", VIS_CH}, {"ts", VIS_SS}, {"dz", VIS_SS}, {"p", VIS_PP},
    {"b", VIS_PP},   {"m", VIS_PP},  {"f", VIS_FF},  {"v", VIS_FF},  {"θ", VIS_TH},  {"ð", VIS_TH},
    {"t", VIS_DD},   {"d", VIS_DD},  {"ɾ", VIS_DD},  {"k", VIS_KK},  {"g", VIS_KK},  {"ɡ", VIS_KK},
    {"ŋ", VIS_KK},   {"x", VIS_KK},  {"ʔ", VIS_KK},  {"ʃ", VIS_CH},  {"ʒ", VIS_CH},  {"ɕ", VIS_CH},
    {"ʂ", VIS_CH},   {"ʐ", VIS_CH},  {"s", VIS_SS},  {"z", VIS_SS},  {"n", VIS_NN},  {"l", VIS_NN},
    {"ɫ", VIS_NN},   {"ɲ", VIS_NN},  {"r", VIS_RR},  {"ɹ", VIS_RR},  {"ɻ", VIS_RR},  {"ɚ", VIS_RR},
    {"ɝ", VIS_RR},   {"a", VIS_AA},  {"ɑ", VIS_AA},  {"æ", VIS_AA},  {"ʌ", VIS_AA},  {"ɐ", VIS_AA},
    {"e", VIS_E},    {"ɛ", VIS_E},   {"ə", VIS_E},   {"ɜ", VIS_E},   {"ɤ", VIS_E},   {"i", VIS_IH},
    {"ɪ", VIS_IH},   {"j", VIS_IH},  {"ɨ", VIS_IH},  {"ᵻ", VIS_IH},  {"o", VIS_OH},  {"ɔ", VIS_OH},
    {"ɒ", VIS_OH},   {"u", VIS_OU},  {"ʊ", VIS_OU},  {"w", VIS_OU},  {"ɵ", VIS_OU},  {"ʉ", VIS_OU},
    {"y", VIS_OU},   {"ʏ", VIS_OU},  {"h", -1},      {"ɦ", -1},
};

/* Stress, length, syllabic, aspiration, tone and tie marks voices may put in
 * a phone's name. */
static size_t ls_skip_marks(const char *s)
{
    static const char *const marks[] = {"ˈ", "ˌ", "ː", "ˑ", "̩", "͡", "ʰ", "̯", "-", "'", ",", NULL};
    size_t i = 0;
    for (;;) {
        int skipped = 0;
        for (const char *const *m = marks; *m; m++) {
            size_t n = strlen(*m);
            if (strncmp(s + i, *m, n) == 0) {
                i += n;
                skipped = 1;
            }
        }
        if (!skipped)
            return i;
    }
}

int lipsync_viseme_of_phone(const char *ipa)
{
    if (!ipa)
        return VIS_SIL;
    const char *s = ipa + ls_skip_marks(ipa);
    if (!*s || *s == '_')
        return VIS_SIL;
    for (size_t i = 0; i < sizeof ls_phone_table / sizeof ls_phone_table[0]; i++) {
        size_t n = strlen(ls_phone_table[i].ipa);
        if (strncmp(s, ls_phone_table[i].ipa, n) == 0)
            return ls_phone_table[i].viseme;
    }
    return VIS_SIL;
}

/* ---- ARPAbet ---------------------------------------------------------- */

static const struct {
    const char *arpa;
    const char *ipa, *ipa_long; /* ipa_long: the stressed reading, if another */
} ls_arpabet[] = {
    {"AA", "ɑ", NULL},   {"AE", "æ", NULL},   {"AH", "ə", "ʌ"},   {"AO", "ɔ", NULL},
    {"AW", "aʊ", NULL},  {"AX", "ə", NULL},   {"AXR", "ɚ", NULL}, {"AY", "aɪ", NULL},
    {"EH", "ɛ", NULL},   {"ER", "ɚ", "ɝ"},    {"EY", "eɪ", NULL}, {"IH", "ɪ", NULL},
    {"IX", "ɨ", NULL},   {"IY", "i", NULL},   {"OW", "oʊ", NULL}, {"OY", "ɔɪ", NULL},
    {"UH", "ʊ", NULL},   {"UW", "u", NULL},   {"UX", "ʉ", NULL},  {"B", "b", NULL},
    {"CH", "tʃ", NULL},  {"D", "d", NULL},    {"DH", "ð", NULL},  {"DX", "ɾ", NULL},
    {"EL", "l", NULL},   {"EM", "m", NULL},   {"EN", "n", NULL},  {"F", "f", NULL},
    {"G", "ɡ", NULL},    {"HH", "h", NULL},   {"H", "h", NULL},   {"JH", "dʒ", NULL},
    {"K", "k", NULL},    {"L", "l", NULL},    {"M", "m", NULL},   {"N", "n", NULL},
    {"NG", "ŋ", NULL},   {"NX", "n", NULL},   {"P", "p", NULL},   {"Q", "ʔ", NULL},
    {"R", "ɹ", NULL},    {"S", "s", NULL},    {"SH", "ʃ", NULL},  {"T", "t", NULL},
    {"TH", "θ", NULL},   {"V", "v", NULL},    {"W", "w", NULL},   {"WH", "w", NULL},
    {"Y", "j", NULL},    {"Z", "z", NULL},    {"ZH", "ʒ", NULL},  {"SIL", "", NULL},
    {"SP", "", NULL},    {"PAU", "", NULL},   {"H#", "", NULL},   {"+NSN+", "", NULL},
    {"+SPN+", "", NULL}, {"<SIL>", "", NULL},
};

const char *lipsync_arpabet_to_ipa(const char *arpabet, int long_vowel)
{
    if (!arpabet)
        return NULL;
    char up[8];
    size_t n = 0;
    for (; arpabet[n] && n < sizeof up - 1; n++) {
        unsigned char c = (unsigned char)arpabet[n];
        if (c >= '0' && c <= '2' && arpabet[n + 1] == 0 && n > 0)
            break; /* stress digit */
        up[n] = (char)toupper(c);
    }
    if (arpabet[n] && !(arpabet[n] >= '0' && arpabet[n] <= '2' && arpabet[n + 1] == 0))
        return NULL; /* too long to be ARPAbet */
    up[n] = 0;
    for (size_t i = 0; i < sizeof ls_arpabet / sizeof ls_arpabet[0]; i++)
        if (strcmp(up, ls_arpabet[i].arpa) == 0)
            return long_vowel && ls_arpabet[i].ipa_long ? ls_arpabet[i].ipa_long
                                                        : ls_arpabet[i].ipa;
    return NULL;
}

/* IPA units of English as espeak writes them, longest first. */
static const struct {
    const char *ipa;
    const char *arpa;
} ls_ipa_arpa[] = {
    {"aɪ", "AY"}, {"aʊ", "AW"}, {"eɪ", "EY"}, {"oʊ", "OW"}, {"əʊ", "OW"}, {"ɔɪ", "OY"},
    {"tʃ", "CH"}, {"dʒ", "JH"}, {"ɑ", "AA"},  {"ɒ", "AA"},  {"a", "AA"},  {"æ", "AE"},
    {"ʌ", "AH"},  {"ə", "AH"},  {"ɐ", "AH"},  {"ɚ", "ER"},  {"ɝ", "ER"},  {"ɜ", "ER"},
    {"ɛ", "EH"},  {"e", "EH"},  {"ɪ", "IH"},  {"ᵻ", "IH"},  {"ɨ", "IH"},  {"i", "IY"},
    {"ɔ", "AO"},  {"o", "OW"},  {"ʊ", "UH"},  {"u", "UW"},  {"b", "B"},   {"d", "D"},
    {"ð", "DH"},  {"ɾ", "D"},   {"f", "F"},   {"ɡ", "G"},   {"g", "G"},   {"h", "HH"},
    {"j", "Y"},   {"k", "K"},   {"l", "L"},   {"ɫ", "L"},   {"m", "M"},   {"n", "N"},
    {"ŋ", "NG"},  {"p", "P"},   {"ɹ", "R"},   {"r", "R"},   {"s", "S"},   {"ʃ", "SH"},
    {"t", "T"},   {"θ", "TH"},  {"v", "V"},   {"w", "W"},   {"z", "Z"},   {"ʒ", "ZH"},
    {"ʔ", "T"},   {"x", "K"},
};

int lipsync_ipa_to_arpabet(const char *ipa, const char **out, int cap)
{
    if (!ipa)
        return 0;
    int n = 0;
    const char *s = ipa;
    for (;;) {
        s += ls_skip_marks(s);
        if (!*s || *s == '_')
            break;
        size_t i = 0, count = sizeof ls_ipa_arpa / sizeof ls_ipa_arpa[0];
        for (; i < count; i++)
            if (strncmp(s, ls_ipa_arpa[i].ipa, strlen(ls_ipa_arpa[i].ipa)) == 0)
                break;
        if (i == count)
            return -1;
        const char *a = ls_ipa_arpa[i].arpa;
        /* "ɜːɹ" is one sound (ER), not ER R */
        int dup = n > 0 && n <= cap && strcmp(a, "R") == 0 && strcmp(out[n - 1], "ER") == 0;
        if (!dup) {
            if (n < cap)
                out[n] = a;
            n++;
        }
        s += strlen(ls_ipa_arpa[i].ipa);
    }
    return n;
}

/* ---- timeline --------------------------------------------------------- */

void lipsync_timeline_init(ls_timeline *tl, int sample_rate_hz)
{
    memset(tl, 0, sizeof *tl);
    tl->sample_rate_hz = sample_rate_hz;
    tl->end = -1;
}

void lipsync_timeline_reset(ls_timeline *tl)
{
    tl->n = 0;
    tl->end = -1;
}

void lipsync_timeline_free(ls_timeline *tl)
{
    free(tl->phones);
    memset(tl, 0, sizeof *tl);
}

int lipsync_timeline_add(ls_timeline *tl, int64_t start, int viseme)
{
    if (tl->n == tl->cap) {
        size_t cap = tl->cap ? tl->cap * 2 : 64;
        ls_phone *p = realloc(tl->phones, cap * sizeof *p);
        if (!p)
            return SZ_ERR_NO_MEMORY;
        tl->phones = p;
        tl->cap = cap;
    }
    if (tl->n > 0 && start < tl->phones[tl->n - 1].start)
        start = tl->phones[tl->n - 1].start;
    if (viseme < -1 || viseme >= VIS_COUNT)
        viseme = VIS_SIL;
    tl->phones[tl->n].start = start;
    tl->phones[tl->n].viseme = viseme;
    tl->n++;
    return SZ_OK;
}

void lipsync_timeline_close(ls_timeline *tl, int64_t end_sample)
{
    tl->end = end_sample;
}

/* ---- coarticulation ----------------------------------------------------- */

/* Dominance of each viseme (after Cohen and Massaro's model): its strength,
 * how long before the phone it starts to pull the mouth (anticipation) and
 * how long after the phone it keeps pulling (carry-over), in ms. Lip
 * rounding anticipates far; closures and labiodentals are strong but brief,
 * so the lips close and release with the sound; tongue-only consonants are
 * weak and borrow the lips of the vowels around them. */
static const struct {
    float alpha, ant_ms, carry_ms;
} ls_dominance[VIS_COUNT] = {
    [VIS_SIL] = {1.0f, 40, 30}, [VIS_PP] = {2.0f, 20, 15}, [VIS_FF] = {1.6f, 25, 20},
    [VIS_TH] = {1.1f, 30, 25},  [VIS_DD] = {0.6f, 30, 25}, [VIS_KK] = {0.5f, 30, 25},
    [VIS_CH] = {1.3f, 60, 35},  [VIS_SS] = {0.9f, 35, 25}, [VIS_NN] = {0.6f, 30, 25},
    [VIS_RR] = {1.0f, 60, 35},  [VIS_AA] = {1.0f, 45, 35}, [VIS_E] = {1.0f, 45, 35},
    [VIS_IH] = {1.0f, 50, 35},  [VIS_OH] = {1.2f, 80, 45}, [VIS_OU] = {1.4f, 100, 50},
};
#define LS_MAX_ANT_MS 100
/* A video frame shows the mouth this much ahead of its audio: viewers notice
 * sound leading picture from about 45 ms but picture leading sound only from
 * about 125 ms (ITU-R BT.1359), and a voice's phone labels trail the
 * acoustic onsets by a few ms; so any error should fall on the early side. */
#define LS_LEAD_MS 15
#define LS_FULL_PAUSE_MS 80
#define LS_MAX_CARRY_MS 50
/* Closure forced in a frame: at least this much PP, and the jaw nearly shut. */
#define LS_CLOSURE_WEIGHT 0.85f
#define LS_CLOSURE_JAW 0.06f
/* Sub-samples per frame: one per this many ms, 1 to 8. */
#define LS_SUBSAMPLE_MS 10

int64_t lipsync_frame_lead_samples(int sample_rate_hz)
{
    return (int64_t)sample_rate_hz * LS_LEAD_MS / 1000;
}

int64_t lipsync_lookahead_samples(int sample_rate_hz)
{
    return (int64_t)sample_rate_hz * (LS_MAX_ANT_MS + LS_LEAD_MS) / 1000;
}

/* 0 for x <= -1, 1 for x >= 1, 0.5 at 0, smooth (cubic) in between. */
static double ls_smooth(double x)
{
    if (x <= -1.0)
        return 0.0;
    if (x >= 1.0)
        return 1.0;
    double s = 0.5 * (x + 1.0);
    return s * s * (3.0 - 2.0 * s);
}

/* Viseme of phone i, resolving "takes its neighbour's shape" to the next
 * phone's viseme (or silence at the end). */
static int ls_resolved_viseme(const ls_timeline *tl, size_t i)
{
    for (size_t j = i; j < tl->n; j++)
        if (tl->phones[j].viseme >= 0)
            return tl->phones[j].viseme;
    return VIS_SIL;
}

#define LS_INF (INT64_MAX / 4)

static int64_t ls_phone_end(const ls_timeline *tl, size_t i)
{
    if (i + 1 < tl->n)
        return tl->phones[i + 1].start;
    return tl->end >= 0 ? tl->end : LS_INF;
}

/* Dominance at t of a segment [a, b) with viseme v (a = -LS_INF or b = LS_INF
 * for the open rest before and after the utterance). A pause shorter than
 * LS_FULL_PAUSE_MS (between words, at a light comma) is weaker in
 * proportion: the lips do not shut for every gap in the sound. */
static double ls_dominance_at(int v, int64_t a, int64_t b, int64_t t, double samples_per_ms)
{
    double d = ls_dominance[v].alpha;
    if (v == VIS_SIL && a > -LS_INF && b < LS_INF && b - a < LS_FULL_PAUSE_MS * samples_per_ms)
        d *= (double)(b - a) / (LS_FULL_PAUSE_MS * samples_per_ms);
    if (a > -LS_INF)
        d *= ls_smooth((double)(t - a) / (ls_dominance[v].ant_ms * samples_per_ms));
    if (b < LS_INF)
        d *= ls_smooth((double)(b - t) / (ls_dominance[v].carry_ms * samples_per_ms));
    return d;
}

/* First phone whose end is at or after t (binary search on starts). */
static size_t ls_first_ending_after(const ls_timeline *tl, int64_t t)
{
    size_t lo = 0, hi = tl->n;
    while (lo < hi) { /* first phone starting after t */
        size_t mid = lo + (hi - lo) / 2;
        if (tl->phones[mid].start <= t)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo > 0 ? lo - 1 : 0;
}

/* Adds the normalised dominance blend at t to acc (weights sum to 1). */
static void ls_blend_at(const ls_timeline *tl, int64_t t, double acc[VIS_COUNT])
{
    double w[VIS_COUNT] = {0};
    double spm = tl->sample_rate_hz / 1000.0;
    if (tl->n == 0) {
        acc[VIS_SIL] += 1.0;
        return;
    }
    int64_t first = tl->phones[0].start;
    w[VIS_SIL] += ls_dominance_at(VIS_SIL, -LS_INF, first, t, spm);
    if (tl->end >= 0)
        w[VIS_SIL] += ls_dominance_at(VIS_SIL, tl->end, LS_INF, t, spm);
    int64_t lo = t - (int64_t)(LS_MAX_CARRY_MS * spm) - 1;
    int64_t hi = t + (int64_t)(LS_MAX_ANT_MS * spm) + 1;
    for (size_t i = ls_first_ending_after(tl, lo); i < tl->n; i++) {
        int64_t a = tl->phones[i].start, b = ls_phone_end(tl, i);
        if (a > hi)
            break;
        if (b <= a || b < lo)
            continue;
        int v = ls_resolved_viseme(tl, i);
        w[v] += ls_dominance_at(v, a, b, t, spm);
    }
    double sum = 0;
    for (int v = 0; v < VIS_COUNT; v++)
        sum += w[v];
    if (sum <= 0) {
        acc[VIS_SIL] += 1.0;
        return;
    }
    for (int v = 0; v < VIS_COUNT; v++)
        acc[v] += w[v] / sum;
}

/* Per-viseme mouth shape: jaw, spread, round, close, teeth on lip, tongue. */
static const float ls_shapes[VIS_COUNT][6] = {
    [VIS_SIL] = {0.00f, 0.00f, 0.00f, 0.00f, 0.0f, 0.0f},
    [VIS_PP] = {0.00f, 0.05f, 0.05f, 1.00f, 0.0f, 0.0f},
    [VIS_FF] = {0.12f, 0.20f, 0.00f, 0.00f, 1.0f, 0.0f},
    [VIS_TH] = {0.25f, 0.20f, 0.00f, 0.00f, 0.0f, 1.0f},
    [VIS_DD] = {0.25f, 0.25f, 0.00f, 0.00f, 0.0f, 0.6f},
    [VIS_KK] = {0.30f, 0.20f, 0.00f, 0.00f, 0.0f, 0.0f},
    [VIS_CH] = {0.20f, 0.00f, 0.60f, 0.00f, 0.0f, 0.0f},
    [VIS_SS] = {0.12f, 0.50f, 0.00f, 0.00f, 0.0f, 0.0f},
    [VIS_NN] = {0.22f, 0.25f, 0.00f, 0.00f, 0.0f, 0.5f},
    [VIS_RR] = {0.25f, 0.00f, 0.45f, 0.00f, 0.0f, 0.0f},
    [VIS_AA] = {0.85f, 0.25f, 0.00f, 0.00f, 0.0f, 0.0f},
    [VIS_E] = {0.50f, 0.55f, 0.00f, 0.00f, 0.0f, 0.0f},
    [VIS_IH] = {0.30f, 0.70f, 0.00f, 0.00f, 0.0f, 0.0f},
    [VIS_OH] = {0.60f, 0.00f, 0.65f, 0.00f, 0.0f, 0.0f},
    [VIS_OU] = {0.30f, 0.00f, 1.00f, 0.00f, 0.0f, 0.0f},
};

void lipsync_derive_controls(sz_face *face)
{
    float c[6] = {0};
    for (int v = 0; v < VIS_COUNT; v++)
        for (int k = 0; k < 6; k++)
            c[k] += face->viseme[v] * ls_shapes[v][k];
    face->jaw_open = c[0];
    face->lip_spread = c[1];
    face->lip_round = c[2];
    face->lip_close = c[3];
    face->teeth_lip = c[4];
    face->tongue = c[5];
    face->speaking = 1.0f - face->viseme[VIS_SIL];
    if (face->speaking < 0.0f)
        face->speaking = 0.0f;
}

void lipsync_face_silent(sz_face *face)
{
    memset(face->viseme, 0, sizeof face->viseme);
    face->viseme[VIS_SIL] = 1.0f;
    lipsync_derive_controls(face);
}

static void ls_store(sz_face *face, const double acc[VIS_COUNT], double scale)
{
    for (int v = 0; v < VIS_COUNT; v++) {
        double x = acc[v] * scale;
        face->viseme[v] = (float)(x < 0 ? 0 : x > 1 ? 1 : x);
    }
}

void lipsync_face_at(const ls_timeline *tl, int64_t t, sz_face *face)
{
    double acc[VIS_COUNT] = {0};
    ls_blend_at(tl, t, acc);
    ls_store(face, acc, 1.0);
    lipsync_derive_controls(face);
}

/* Does the frame [a, b) hold the middle of a p/b/m, or is its centre inside one? */
static int ls_frame_needs_closure(const ls_timeline *tl, int64_t a, int64_t b)
{
    int64_t c = a + (b - a) / 2;
    int64_t reach = b - a + 1;
    for (size_t i = ls_first_ending_after(tl, a - reach); i < tl->n; i++) {
        int64_t pa = tl->phones[i].start, pb = ls_phone_end(tl, i);
        if (pa >= b)
            break;
        if (pb <= pa || ls_resolved_viseme(tl, i) != VIS_PP)
            continue;
        int64_t mid = pb >= LS_INF ? pa : pa + (pb - pa) / 2;
        if ((mid >= a && mid < b) || (c >= pa && c < pb))
            return 1;
    }
    return 0;
}

void lipsync_face_frame(const ls_timeline *tl, int64_t a, int64_t b, sz_face *face)
{
    int64_t lead = lipsync_frame_lead_samples(tl->sample_rate_hz);
    a += lead;
    b += lead;
    if (b <= a) {
        lipsync_face_at(tl, a, face);
        return;
    }
    int64_t step = (int64_t)tl->sample_rate_hz * LS_SUBSAMPLE_MS / 1000;
    int k = step > 0 ? (int)((b - a + step - 1) / step) : 1;
    k = k < 1 ? 1 : k > 8 ? 8 : k;
    double acc[VIS_COUNT] = {0};
    for (int i = 0; i < k; i++) /* sub-samples at the centres of k equal parts */
        ls_blend_at(tl, a + (int64_t)((2 * i + 1) * (b - a) / (2 * k)), acc);
    if (ls_frame_needs_closure(tl, a, b)) {
        double pp = acc[VIS_PP] / k;
        if (pp < LS_CLOSURE_WEIGHT) {
            double rest = 1.0 - pp, keep = rest > 0 ? (1.0 - LS_CLOSURE_WEIGHT) / rest : 0.0;
            for (int v = 0; v < VIS_COUNT; v++)
                acc[v] = v == VIS_PP ? LS_CLOSURE_WEIGHT * k : acc[v] * keep;
        }
        ls_store(face, acc, 1.0 / k);
        lipsync_derive_controls(face);
        face->lip_close = 1.0f;
        if (face->jaw_open > LS_CLOSURE_JAW)
            face->jaw_open = LS_CLOSURE_JAW;
        face->teeth_lip = 0.0f;
        return;
    }
    ls_store(face, acc, 1.0 / k);
    lipsync_derive_controls(face);
}

/* ---- loudness ------------------------------------------------------------ */

#define LS_LOUD_RANGE_DB 30.0f
#define LS_LOUD_DECAY_DB_PER_S 6.0f
#define LS_LOUD_MIN_OPEN 0.55f

void lipsync_loudness_reset(ls_loudness *l)
{
    l->peak_db = -30.0f;
    l->primed = 0;
}

void lipsync_loudness_apply(ls_loudness *l, const float *pcm, size_t n, int rate_hz,
                            sz_face *face)
{
    if (!pcm || n == 0 || rate_hz <= 0)
        return;
    double sq = 0;
    for (size_t i = 0; i < n; i++)
        sq += (double)pcm[i] * pcm[i];
    float db = (float)(10.0 * log10(sq / (double)n + 1e-12));
    if (!l->primed && db > -60.0f) {
        l->peak_db = db;
        l->primed = 1;
    }
    l->peak_db -= LS_LOUD_DECAY_DB_PER_S * (float)n / (float)rate_hz;
    if (db > l->peak_db)
        l->peak_db = db;
    float level = 1.0f - (l->peak_db - db) / LS_LOUD_RANGE_DB;
    level = level < 0.0f ? 0.0f : level > 1.0f ? 1.0f : level;
    if (face->lip_close < 0.99f)
        face->jaw_open *= LS_LOUD_MIN_OPEN + (1.0f - LS_LOUD_MIN_OPEN) * level;
}
