/* SPDX-License-Identifier: Apache-2.0 */
/* cues.c: phone tracks, their Rhubarb mouth cues (phone -> shape, diphthong
 * halves, in-betweens, minimum durations) and the TSV/JSON/marks writers. */
#include "lipsync/cues.h"

#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "core/media.h"
#include "lipsync/blendshapes.h"
#include "lipsync/viseme.h"
#include "shuzi.h"

void lipsync_track_init(ls_track *t)
{
    memset(t, 0, sizeof *t);
}

void lipsync_track_reset(ls_track *t)
{
    t->n_segs = 0;
    t->n_words = 0;
    t->duration_us = 0;
    t->aligned = 0;
}

void lipsync_track_free(ls_track *t)
{
    free(t->segs);
    free(t->words);
    memset(t, 0, sizeof *t);
}

int lipsync_track_add(ls_track *t, int64_t start_us, int64_t end_us, const char *phone,
                      int long_vowel, int word)
{
    const char *ipa = lipsync_arpabet_to_ipa(phone, long_vowel);
    if (!ipa)
        ipa = ""; /* noise and unknown symbols: a pause */
    if (end_us < start_us)
        end_us = start_us;
    if (!*ipa && t->n_segs > 0 && t->segs[t->n_segs - 1].ipa[0] == 0 &&
        t->segs[t->n_segs - 1].end_us >= start_us) {
        t->segs[t->n_segs - 1].end_us = end_us; /* pause after pause */
        return SZ_OK;
    }
    if (t->n_segs == t->cap_segs) {
        size_t cap = t->cap_segs ? t->cap_segs * 2 : 128;
        ls_seg *p = realloc(t->segs, cap * sizeof *p);
        if (!p)
            return SZ_ERR_NO_MEMORY;
        t->segs = p;
        t->cap_segs = cap;
    }
    ls_seg *s = &t->segs[t->n_segs++];
    memset(s, 0, sizeof *s);
    s->start_us = start_us;
    s->end_us = end_us;
    snprintf(s->phone, sizeof s->phone, "%s", *ipa ? phone : "SIL");
    for (char *c = s->phone; *c; c++) /* upper case, no stress digit */
        if (*c >= 'a' && *c <= 'z')
            *c = (char)(*c - 'a' + 'A');
        else if (*c >= '0' && *c <= '9' && c > s->phone)
            *c = 0;
    snprintf(s->ipa, sizeof s->ipa, "%s", ipa);
    s->viseme = lipsync_viseme_of_phone(ipa);
    s->word = *ipa ? word : -1;
    return SZ_OK;
}

int lipsync_track_add_word(ls_track *t, int64_t start_us, int64_t end_us, const char *text)
{
    if (t->n_words == t->cap_words) {
        size_t cap = t->cap_words ? t->cap_words * 2 : 32;
        ls_word *p = realloc(t->words, cap * sizeof *p);
        if (!p)
            return SZ_ERR_NO_MEMORY;
        t->words = p;
        t->cap_words = cap;
    }
    ls_word *w = &t->words[t->n_words++];
    w->start_us = start_us;
    w->end_us = end_us > start_us ? end_us : start_us;
    snprintf(w->text, sizeof w->text, "%s", text);
    return SZ_OK;
}

void lipsync_track_finish(ls_track *t)
{
    int next = VIS_SIL;
    for (size_t i = t->n_segs; i-- > 0;) {
        if (t->segs[i].viseme < 0)
            t->segs[i].viseme = next;
        next = t->segs[i].viseme;
    }
}

/* ---- Rhubarb shapes ---------------------------------------------------- */

char lipsync_shape_letter(ls_shape shape)
{
    static const char letters[LS_SHAPE_COUNT] = {'A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'X'};
    return shape >= 0 && shape < LS_SHAPE_COUNT ? letters[shape] : '?';
}

int lipsync_parse_extended_shapes(const char *spec, unsigned *mask, char *err, size_t errlen)
{
    *mask = 0;
    for (const char *c = spec; c && *c; c++) {
        switch (*c) {
        case 'G':
        case 'g': *mask |= LS_EXT_G; break;
        case 'H':
        case 'h': *mask |= LS_EXT_H; break;
        case 'X':
        case 'x': *mask |= LS_EXT_X; break;
        default:
            snprintf(err, errlen, "extended-shapes '%s': '%c' at position %d is not one of G, H, X",
                     spec, *c, (int)(c - spec) + 1);
            return SZ_ERR_INVALID_ARG;
        }
    }
    return SZ_OK;
}

static ls_shape ls_fallback(ls_shape s, unsigned mask)
{
    if (s == LS_SHAPE_G && !(mask & LS_EXT_G))
        return LS_SHAPE_B;
    if (s == LS_SHAPE_H && !(mask & LS_EXT_H))
        return LS_SHAPE_C;
    if (s == LS_SHAPE_X && !(mask & LS_EXT_X))
        return LS_SHAPE_A;
    return s;
}

/* Shape of an ARPAbet phone: first and second half (equal for monophthongs). */
static void ls_phone_shapes(const ls_seg *s, ls_shape *first, ls_shape *second)
{
    static const struct {
        const char *phone;
        ls_shape a, b;
    } map[] = {
        {"SIL", LS_SHAPE_X, LS_SHAPE_X}, {"P", LS_SHAPE_A, LS_SHAPE_A},
        {"B", LS_SHAPE_A, LS_SHAPE_A},   {"M", LS_SHAPE_A, LS_SHAPE_A},
        {"EM", LS_SHAPE_A, LS_SHAPE_A},  {"F", LS_SHAPE_G, LS_SHAPE_G},
        {"V", LS_SHAPE_G, LS_SHAPE_G},   {"AA", LS_SHAPE_D, LS_SHAPE_D},
        {"AE", LS_SHAPE_C, LS_SHAPE_C},  {"AH", LS_SHAPE_C, LS_SHAPE_C},
        {"AX", LS_SHAPE_C, LS_SHAPE_C},  {"EH", LS_SHAPE_C, LS_SHAPE_C},
        {"IH", LS_SHAPE_B, LS_SHAPE_B},  {"IX", LS_SHAPE_B, LS_SHAPE_B},
        {"IY", LS_SHAPE_B, LS_SHAPE_B},  {"AO", LS_SHAPE_E, LS_SHAPE_E},
        {"ER", LS_SHAPE_E, LS_SHAPE_E},  {"AXR", LS_SHAPE_E, LS_SHAPE_E},
        {"R", LS_SHAPE_E, LS_SHAPE_E},   {"UH", LS_SHAPE_E, LS_SHAPE_E},
        {"UW", LS_SHAPE_F, LS_SHAPE_F},  {"UX", LS_SHAPE_F, LS_SHAPE_F},
        {"W", LS_SHAPE_F, LS_SHAPE_F},   {"WH", LS_SHAPE_F, LS_SHAPE_F},
        {"OW", LS_SHAPE_E, LS_SHAPE_F},  {"AY", LS_SHAPE_D, LS_SHAPE_B},
        {"AW", LS_SHAPE_D, LS_SHAPE_F},  {"EY", LS_SHAPE_C, LS_SHAPE_B},
        {"OY", LS_SHAPE_E, LS_SHAPE_B},  {"L", LS_SHAPE_B, LS_SHAPE_B},
        {"EL", LS_SHAPE_B, LS_SHAPE_B},
    };
    *first = *second = LS_SHAPE_B; /* other consonants */
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (strcmp(s->phone, map[i].phone) == 0) {
            *first = map[i].a;
            *second = map[i].b;
            break;
        }
    int64_t dur = s->end_us - s->start_us;
    if ((strcmp(s->phone, "L") == 0 || strcmp(s->phone, "EL") == 0) && dur >= 90000)
        *first = *second = LS_SHAPE_H; /* a long L shows the tongue */
    if (*first == LS_SHAPE_D && s->level < 0.25f)
        *first = LS_SHAPE_C; /* a quiet vowel does not open wide */
}

static int ls_is_vowel_shape(ls_shape s)
{
    return s >= LS_SHAPE_C && s <= LS_SHAPE_F;
}

static int ls_cues_push(ls_cues *c, int64_t a, int64_t b, ls_shape s)
{
    if (b <= a)
        return SZ_OK;
    if (c->n > 0 && c->cues[c->n - 1].shape == s && c->cues[c->n - 1].end_us >= a) {
        c->cues[c->n - 1].end_us = b;
        return SZ_OK;
    }
    if (c->n == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 128;
        ls_cue *p = realloc(c->cues, cap * sizeof *p);
        if (!p)
            return SZ_ERR_NO_MEMORY;
        c->cues = p;
        c->cap = cap;
    }
    c->cues[c->n].start_us = a;
    c->cues[c->n].end_us = b;
    c->cues[c->n].shape = s;
    c->n++;
    return SZ_OK;
}

/* Rounds to Rhubarb's resolution (centiseconds). */
static int64_t ls_centi(int64_t us)
{
    return (us + 5000) / 10000 * 10000;
}

#define LS_MIN_CUE_US 30000
#define LS_TWEEN_US 40000

/* Drops cues shorter than the minimum (closures excepted) by giving their
 * time to the previous cue, then merges equal neighbours. */
static void ls_cues_compact(ls_cues *c)
{
    size_t w = 0;
    for (size_t i = 0; i < c->n; i++) {
        ls_cue q = c->cues[i];
        if (q.end_us <= q.start_us)
            continue;
        int short_cue = q.end_us - q.start_us < LS_MIN_CUE_US && q.shape != LS_SHAPE_A;
        if (w > 0 && (short_cue || c->cues[w - 1].shape == q.shape)) {
            c->cues[w - 1].end_us = q.end_us;
            continue;
        }
        c->cues[w++] = q;
    }
    c->n = w;
    /* merging may have made equal neighbours meet */
    w = 0;
    for (size_t i = 0; i < c->n; i++) {
        if (w > 0 && c->cues[w - 1].shape == c->cues[i].shape)
            c->cues[w - 1].end_us = c->cues[i].end_us;
        else
            c->cues[w++] = c->cues[i];
    }
    c->n = w;
}

/* In-betweens: C between a closed talking mouth (A, B) and D; E between an
 * open one (C, D) and F. Taken from the side of the wider or rounder shape. */
static int ls_cues_tween(ls_cues *c)
{
    ls_cues out = {0};
    int rc = SZ_OK;
    for (size_t i = 0; i < c->n && rc == SZ_OK; i++) {
        ls_cue q = c->cues[i];
        ls_shape prev = i > 0 ? c->cues[i - 1].shape : LS_SHAPE_X;
        ls_shape next = i + 1 < c->n ? c->cues[i + 1].shape : LS_SHAPE_X;
        int64_t len = q.end_us - q.start_us, take = len / 3 < LS_TWEEN_US ? len / 3 : LS_TWEEN_US;
        take = ls_centi(take);
        int closed_prev = prev == LS_SHAPE_A || prev == LS_SHAPE_B;
        int closed_next = next == LS_SHAPE_A || next == LS_SHAPE_B;
        ls_shape head = q.shape, tail = q.shape;
        if (q.shape == LS_SHAPE_D) {
            head = closed_prev ? LS_SHAPE_C : q.shape;
            tail = closed_next ? LS_SHAPE_C : q.shape;
        } else if (q.shape == LS_SHAPE_F) {
            head = (prev == LS_SHAPE_C || prev == LS_SHAPE_D) ? LS_SHAPE_E : q.shape;
            tail = (next == LS_SHAPE_C || next == LS_SHAPE_D) ? LS_SHAPE_E : q.shape;
        }
        if (take < LS_MIN_CUE_US || len < 3 * LS_MIN_CUE_US)
            head = tail = q.shape;
        int64_t a = q.start_us, b = q.end_us;
        if (head != q.shape) {
            rc = ls_cues_push(&out, a, a + take, head);
            a += take;
        }
        if (tail != q.shape)
            b -= take;
        if (rc == SZ_OK)
            rc = ls_cues_push(&out, a, b, q.shape);
        if (rc == SZ_OK && tail != q.shape)
            rc = ls_cues_push(&out, b, q.end_us, tail);
    }
    if (rc != SZ_OK) {
        free(out.cues);
        return rc;
    }
    free(c->cues);
    *c = out;
    return SZ_OK;
}

int lipsync_cues_from_track(const ls_track *t, unsigned ext_mask, ls_cues *out)
{
    memset(out, 0, sizeof *out);
    int64_t dur = t->duration_us;
    for (size_t i = 0; i < t->n_segs; i++)
        if (t->segs[i].end_us > dur)
            dur = t->segs[i].end_us;
    int64_t end = ls_centi(dur);
    int rc = SZ_OK;
    int64_t at = 0;
    for (size_t i = 0; i < t->n_segs && rc == SZ_OK; i++) {
        const ls_seg *s = &t->segs[i];
        ls_shape a, b;
        ls_phone_shapes(s, &a, &b);
        if (strcmp(s->phone, "HH") == 0 || strcmp(s->phone, "H") == 0) {
            /* h has no mouth of its own: the next vowel's */
            if (i + 1 < t->n_segs) {
                ls_shape na, nb;
                ls_phone_shapes(&t->segs[i + 1], &na, &nb);
                if (ls_is_vowel_shape(na) || na == LS_SHAPE_B)
                    a = b = na;
            }
        }
        int64_t s0 = ls_centi(s->start_us), s1 = ls_centi(s->end_us);
        if (s0 > at) /* a gap: rest */
            rc = ls_cues_push(out, at, s0, LS_SHAPE_X);
        if (s0 < at)
            s0 = at;
        int64_t mid = a == b ? s1 : ls_centi(s0 + (s1 - s0) * 6 / 10);
        if (rc == SZ_OK)
            rc = ls_cues_push(out, s0, mid, a);
        if (rc == SZ_OK)
            rc = ls_cues_push(out, mid, s1, b);
        if (s1 > at)
            at = s1;
    }
    if (rc == SZ_OK && at < end)
        rc = ls_cues_push(out, at, end, LS_SHAPE_X);
    if (rc == SZ_OK && out->n == 0)
        rc = ls_cues_push(out, 0, end > 0 ? end : 10000, LS_SHAPE_X);
    if (rc == SZ_OK) {
        ls_cues_compact(out);
        rc = ls_cues_tween(out);
    }
    if (rc == SZ_OK) {
        for (size_t i = 0; i < out->n; i++)
            out->cues[i].shape = ls_fallback(out->cues[i].shape, ext_mask);
        ls_cues_compact(out);
        /* The writers state the duration cut to centiseconds: no cue may end
         * after it (rounding the last phone's end up would). */
        int64_t cut = dur / 10000 * 10000;
        while (cut > 0 && out->n > 1 && out->cues[out->n - 1].start_us >= cut)
            out->n--;
        if (cut > 0 && out->n > 0 && out->cues[out->n - 1].end_us > cut)
            out->cues[out->n - 1].end_us = cut;
    }
    if (rc != SZ_OK)
        lipsync_cues_free(out);
    return rc;
}

void lipsync_cues_free(ls_cues *c)
{
    free(c->cues);
    memset(c, 0, sizeof *c);
}

/* ---- writers ------------------------------------------------------------ */

/* Seconds with two decimals, from microseconds (rounded; trunc for the duration). */
static void ls_secs(char *buf, size_t cap, int64_t us, int truncate)
{
    int64_t cs = truncate ? us / 10000 : (us + 5000) / 10000;
    snprintf(buf, cap, "%lld.%02lld", (long long)(cs / 100), (long long)(cs % 100));
}

int lipsync_write_rhubarb_tsv(FILE *f, const ls_cues *c, int64_t duration_us, unsigned ext_mask)
{
    char t[32];
    for (size_t i = 0; i < c->n; i++) {
        ls_secs(t, sizeof t, c->cues[i].start_us, 0);
        fprintf(f, "%s\t%c\n", t, lipsync_shape_letter(c->cues[i].shape));
    }
    /* The end of the recording with the rest shape, unless the last cue
     * already rests (the line would repeat it). */
    ls_shape rest = (ext_mask & LS_EXT_X) ? LS_SHAPE_X : LS_SHAPE_A;
    if (c->n == 0 || c->cues[c->n - 1].shape != rest) {
        ls_secs(t, sizeof t, duration_us, 1);
        fprintf(f, "%s\t%c\n", t, lipsync_shape_letter(rest));
    }
    return ferror(f) ? SZ_ERR_IO : SZ_OK;
}

int lipsync_write_rhubarb_json(FILE *f, const ls_cues *c, int64_t duration_us,
                               const char *sound_file)
{
    size_t need = json_escape(NULL, 0, sound_file ? sound_file : "") + 1;
    char *name = malloc(need);
    if (!name)
        return SZ_ERR_NO_MEMORY;
    json_escape(name, need, sound_file ? sound_file : "");
    char t[32], u[32];
    ls_secs(t, sizeof t, duration_us, 1);
    fprintf(f, "{\n  \"metadata\": {\n    \"soundFile\": %s,\n    \"duration\": %s\n  },\n", name,
            t);
    free(name);
    fprintf(f, "  \"mouthCues\": [\n");
    int64_t cut = duration_us / 10000 * 10000; /* the duration as written */
    for (size_t i = 0; i < c->n; i++) {
        ls_secs(t, sizeof t, c->cues[i].start_us, 0);
        ls_secs(u, sizeof u, c->cues[i].end_us < cut ? c->cues[i].end_us : cut, 0);
        fprintf(f, "    { \"start\": %s, \"end\": %s, \"value\": \"%c\" }%s\n", t, u,
                lipsync_shape_letter(c->cues[i].shape), i + 1 < c->n ? "," : "");
    }
    fprintf(f, "  ]\n}\n");
    return ferror(f) ? SZ_ERR_IO : SZ_OK;
}

static void ls_mark(FILE *f, int64_t a_us, int64_t b_us, const char *type, const char *value)
{
    char buf[1024];
    size_t need = json_escape(NULL, 0, value);
    char *esc = need < sizeof buf ? buf : malloc(need + 1);
    if (!esc)
        return;
    json_escape(esc, need + 1, value);
    fprintf(f, "{\"time_ms\": %lld, \"type\": \"%s\", \"value\": %s, \"end_ms\": %lld}\n",
            (long long)(a_us / 1000), type, esc, (long long)(b_us / 1000));
    if (esc != buf)
        free(esc);
}

int lipsync_write_marks(FILE *f, const ls_track *t, const char *transcript)
{
    int64_t first = -1, last = -1;
    for (size_t i = 0; i < t->n_segs; i++)
        if (t->segs[i].ipa[0]) {
            if (first < 0)
                first = t->segs[i].start_us;
            last = t->segs[i].end_us;
        }
    if (transcript && *transcript && first >= 0)
        ls_mark(f, first, last, "sentence", transcript);
    /* Merge words and phones by time; at equal times a word comes first. */
    size_t w = 0;
    int last_vis = VIS_SIL;
    for (size_t i = 0; i < t->n_segs; i++) {
        const ls_seg *s = &t->segs[i];
        while (w < t->n_words && t->words[w].start_us <= s->start_us) {
            ls_mark(f, t->words[w].start_us, t->words[w].end_us, "word", t->words[w].text);
            w++;
        }
        if (s->ipa[0])
            ls_mark(f, s->start_us, s->end_us, "phoneme", s->ipa);
        if (s->viseme >= 0 && s->viseme != last_vis) {
            int64_t end = s->end_us; /* until the viseme changes */
            for (size_t j = i + 1; j < t->n_segs && t->segs[j].viseme == s->viseme; j++)
                end = t->segs[j].end_us;
            ls_mark(f, s->start_us, end, "viseme", media_viseme_name(s->viseme));
            last_vis = s->viseme;
        }
    }
    for (; w < t->n_words; w++)
        ls_mark(f, t->words[w].start_us, t->words[w].end_us, "word", t->words[w].text);
    return ferror(f) ? SZ_ERR_IO : SZ_OK;
}

int lipsync_write_frames(FILE *f, const ls_track *t, int fps)
{
    if (fps < 1 || fps > 240)
        return SZ_ERR_INVALID_ARG;
    ls_timeline tl;
    lipsync_timeline_init(&tl, 1000000); /* microseconds */
    int rc = SZ_OK;
    for (size_t i = 0; i < t->n_segs && rc == SZ_OK; i++)
        rc = lipsync_timeline_add(&tl, t->segs[i].start_us, t->segs[i].viseme);
    int64_t dur = t->duration_us;
    if (t->n_segs && t->segs[t->n_segs - 1].end_us > dur)
        dur = t->segs[t->n_segs - 1].end_us;
    lipsync_timeline_close(&tl, t->n_segs ? t->segs[t->n_segs - 1].end_us : 0);
    int64_t frames = (dur * fps + 999999) / 1000000;
    for (int64_t k = 0; k < frames && rc == SZ_OK; k++) {
        int64_t a = k * 1000000 / fps, b = (k + 1) * 1000000 / fps;
        sz_face face;
        memset(&face, 0, sizeof face);
        lipsync_face_frame(&tl, a, b, &face);
        float ak[LS_ARKIT_COUNT], vrm[LS_VRM_COUNT];
        lipsync_arkit_from_face(&face, ak);
        lipsync_vrm_from_face(&face, vrm);
        fprintf(f, "{\"frame\": %lld, \"time_ms\": %lld, \"visemes\": {", (long long)k,
                (long long)(a / 1000));
        for (int v = 0; v < VIS_COUNT; v++)
            fprintf(f, "%s\"%s\": %.3f", v ? ", " : "", media_viseme_name(v), face.viseme[v]);
        fprintf(f,
                "}, \"mouth\": {\"jaw_open\": %.3f, \"lip_spread\": %.3f, \"lip_round\": %.3f, "
                "\"lip_close\": %.3f, \"teeth_lip\": %.3f, \"tongue\": %.3f}, \"arkit\": {",
                face.jaw_open, face.lip_spread, face.lip_round, face.lip_close, face.teeth_lip,
                face.tongue);
        for (int i = 0; i < LS_ARKIT_COUNT; i++)
            fprintf(f, "%s\"%s\": %.3f", i ? ", " : "", lipsync_arkit_name(i), ak[i]);
        fprintf(f, "}, \"vrm\": {");
        for (int i = 0; i < LS_VRM_COUNT; i++)
            fprintf(f, "%s\"%s\": %.3f", i ? ", " : "", lipsync_vrm_name(i), vrm[i]);
        fprintf(f, "}}\n");
        if (ferror(f))
            rc = SZ_ERR_IO;
    }
    lipsync_timeline_free(&tl);
    return rc;
}
