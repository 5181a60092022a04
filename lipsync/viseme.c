/* viseme.c: IPA phone -> viseme table and a timeline evaluated with symmetric
 * cross-fades (no lag: a frame sees the same phones the audio plays). */
#include "lipsync/viseme.h"

#include <stdlib.h>
#include <string.h>

#include "shuzi.h"

/* Longest prefixes first: "tʃ" before "t". */
static const struct {
    const char *ipa;
    int viseme;
} ls_phone_table[] = {
    {"tʃ", VIS_CH}, {"dʒ", VIS_CH}, {"tɕ", VIS_CH}, {"ʈʂ", VIS_CH}, {"ts", VIS_SS},
    {"dz", VIS_SS}, {"p", VIS_PP},  {"b", VIS_PP},  {"m", VIS_PP},  {"f", VIS_FF},
    {"v", VIS_FF},  {"θ", VIS_TH},  {"ð", VIS_TH},  {"t", VIS_DD},  {"d", VIS_DD},
    {"ɾ", VIS_DD},  {"k", VIS_KK},  {"g", VIS_KK},  {"ɡ", VIS_KK},  {"ŋ", VIS_KK},
    {"x", VIS_KK},  {"ʔ", VIS_KK},  {"ʃ", VIS_CH},  {"ʒ", VIS_CH},  {"ɕ", VIS_CH},
    {"ʂ", VIS_CH},  {"ʐ", VIS_CH},  {"s", VIS_SS},  {"z", VIS_SS},  {"n", VIS_NN},
    {"l", VIS_NN},  {"ɫ", VIS_NN},  {"ɲ", VIS_NN},  {"r", VIS_RR},  {"ɹ", VIS_RR},
    {"ɻ", VIS_RR},  {"ɚ", VIS_RR},  {"ɝ", VIS_RR},  {"a", VIS_AA},  {"ɑ", VIS_AA},
    {"æ", VIS_AA},  {"ʌ", VIS_AA},  {"ɐ", VIS_AA},  {"e", VIS_E},   {"ɛ", VIS_E},
    {"ə", VIS_E},   {"ɜ", VIS_E},   {"ɤ", VIS_E},   {"i", VIS_IH},  {"ɪ", VIS_IH},
    {"j", VIS_IH},  {"ɨ", VIS_IH},  {"ᵻ", VIS_IH},  {"o", VIS_OH},  {"ɔ", VIS_OH},
    {"ɒ", VIS_OH},  {"u", VIS_OU},  {"ʊ", VIS_OU},  {"w", VIS_OU},  {"ɵ", VIS_OU},
    {"y", VIS_OU},  {"ʏ", VIS_OU},  {"h", -1},      {"ɦ", -1},
};

/* Stress, length, syllabic, tone and tie marks espeak may put in a name. */
static size_t ls_skip_marks(const char *s)
{
    static const char *const marks[] = {"ˈ", "ˌ", "ː", "ˑ", "̩", "͡", "-", "'", ",", NULL};
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
    tl->phones[tl->n].start = start;
    tl->phones[tl->n].viseme = viseme;
    tl->n++;
    return SZ_OK;
}

void lipsync_timeline_close(ls_timeline *tl, int64_t end_sample) { tl->end = end_sample; }

/* Cross-fade half-width: 30 ms (about one frame at 30 fps). */
int64_t lipsync_lookahead_samples(int sample_rate_hz) { return (int64_t)sample_rate_hz * 30 / 1000; }

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
}

void lipsync_face_silent(sz_face *face)
{
    memset(face->viseme, 0, sizeof face->viseme);
    face->viseme[VIS_SIL] = 1.0f;
    lipsync_derive_controls(face);
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

static int64_t ls_phone_end(const ls_timeline *tl, size_t i)
{
    if (i + 1 < tl->n)
        return tl->phones[i + 1].start;
    return tl->end >= 0 ? tl->end : INT64_MAX / 4;
}

/* Overlap of [a,b) with [lo,hi) */
static double ls_overlap(int64_t a, int64_t b, int64_t lo, int64_t hi)
{
    int64_t x = a > lo ? a : lo, y = b < hi ? b : hi;
    return y > x ? (double)(y - x) : 0.0;
}

void lipsync_face_at(const ls_timeline *tl, int64_t t, sz_face *face)
{
    memset(face->viseme, 0, sizeof face->viseme);
    /* Box-filter the phone sequence over [t - w, t + w): each phone weighs by
     * how much of the window it covers; outside the phones is silence. */
    int64_t w = lipsync_lookahead_samples(tl->sample_rate_hz);
    int64_t lo = t - w, hi = t + w;
    double total = (double)(hi - lo), covered = 0.0; /* in samples of the window */
    float weights[VIS_COUNT] = {0};
    for (size_t i = 0; i < tl->n; i++) {
        int64_t a = tl->phones[i].start, b = ls_phone_end(tl, i);
        if (a >= hi)
            break;
        double o = ls_overlap(a, b, lo, hi);
        if (o <= 0)
            continue;
        int v = ls_resolved_viseme(tl, i);
        weights[v] += (float)o;
        covered += o;
    }
    if (covered < total)
        weights[VIS_SIL] += (float)(total - covered);
    double sum = 0;
    for (int v = 0; v < VIS_COUNT; v++)
        sum += weights[v];
    for (int v = 0; v < VIS_COUNT; v++)
        face->viseme[v] = sum > 0 ? (float)(weights[v] / sum) : (v == VIS_SIL);
    lipsync_derive_controls(face);
}
