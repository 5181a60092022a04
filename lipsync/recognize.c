/* SPDX-License-Identifier: Apache-2.0 */
/* recognize.c: audio-only lip-sync with pocketsphinx. Forced alignment uses
 * a grammar whose words are single phones (so every phone gets its own
 * segment), chained as the transcript's pronunciations with optional pauses
 * between words; recognition uses the all-phone search with the phone
 * language model. Loudness comes from the signal's RMS envelope. */
#include "lipsync/recognize.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/utf8.h"
#include "lipsync/audio_file.h"
#include "lipsync/viseme.h"
#include "shuzi.h"

/* Loudness envelope: 10 ms frames. */
#define REC_HOP_MS 10

static int rec_cmp_float(const void *a, const void *b)
{
    float x = *(const float *)a, y = *(const float *)b;
    return x < y ? -1 : x > y;
}

/* RMS in dB of 10 ms frames; *floor_db and *peak_db from percentiles. */
static float *rec_envelope(const float *pcm, size_t n, int rate, size_t *n_frames, float *floor_db,
                           float *peak_db)
{
    size_t hop = (size_t)rate * REC_HOP_MS / 1000;
    if (hop == 0)
        hop = 1;
    size_t nf = (n + hop - 1) / hop;
    *n_frames = nf;
    float *db = malloc((nf ? nf : 1) * sizeof *db);
    float *sorted = malloc((nf ? nf : 1) * sizeof *sorted);
    if (!db || !sorted) {
        free(db);
        free(sorted);
        return NULL;
    }
    for (size_t f = 0; f < nf; f++) {
        size_t a = f * hop, b = a + hop < n ? a + hop : n;
        double sq = 0;
        for (size_t i = a; i < b; i++)
            sq += (double)pcm[i] * pcm[i];
        double rms = b > a ? sqrt(sq / (double)(b - a)) : 0.0;
        db[f] = (float)(20.0 * log10(rms + 1e-6));
        sorted[f] = db[f];
    }
    qsort(sorted, nf, sizeof *sorted, rec_cmp_float);
    *floor_db = nf ? sorted[nf / 10] : -120.0f;
    *peak_db = nf ? sorted[nf - 1 - nf / 100] : -120.0f;
    if (*peak_db < *floor_db + 10.0f)
        *peak_db = *floor_db + 10.0f;
    free(sorted);
    return db;
}

void lipsync_track_levels(ls_track *t, const float *pcm, size_t n, int rate_hz)
{
    size_t nf = 0;
    float lo = 0, hi = 0;
    float *db = rec_envelope(pcm, n, rate_hz, &nf, &lo, &hi);
    if (!db)
        return;
    for (size_t i = 0; i < t->n_segs; i++) {
        ls_seg *s = &t->segs[i];
        size_t a = (size_t)(s->start_us / (REC_HOP_MS * 1000));
        size_t b = (size_t)((s->end_us + REC_HOP_MS * 1000 - 1) / (REC_HOP_MS * 1000));
        double acc = 0;
        size_t cnt = 0;
        for (size_t f = a; f < b && f < nf; f++, cnt++) {
            double x = (db[f] - lo) / (hi - lo);
            acc += x < 0 ? 0 : x > 1 ? 1 : x;
        }
        s->level = cnt ? (float)(acc / (double)cnt) : 0.0f;
    }
    free(db);
}

#ifdef SHUZI_HAVE_POCKETSPHINX

#include <pocketsphinx.h>
#include <sphinxbase/err.h>
#include <sphinxbase/fsg_model.h>

#include "tts/voice.h"

#define REC_FRAME_US 10000
/* Vowels at least this long read as stressed (AH = ʌ rather than ə). */
#define REC_LONG_VOWEL_US 90000
#define REC_MAX_PRONS 3
#define REC_MAX_PRON_PHONES 40
#define REC_MAX_WORDS 20000
/* Grammar costs: leaving out one word of the transcript, and all the words
 * after a point (a recording cut short). A word left out must cost more than
 * its phones' poor fit to a voice unlike the model's speakers: at 1e-20
 * espeak-ng's "hello" (about 46 nats worse than a pause over its 160 ms) was
 * skipped and its speech called a pause, so the exact transcript of a clean
 * synthetic clip aligned at 43% and was refused. Words really missing from
 * the recording are still told apart by the fit checks below. */
#define REC_SKIP_WORD 1e-60
#define REC_SKIP_REST 1e-30
/* Below this share of the transcript's phones aligned, recognise instead. */
#define REC_MIN_ALIGNED 0.5
#define REC_MAX_MEAN_PHONE_US 250000
/* An alignment whose acoustic score per 10 ms frame falls this far below free
 * phone recognition's is forcing the wrong words onto the audio (measured:
 * 6-14 for right transcripts, 34-36 for wrong ones). */
#define REC_MAX_DEFICIT 22.0

static pthread_once_t rec_once = PTHREAD_ONCE_INIT;
static void rec_quiet(void)
{
    err_set_logfp(NULL);
}

static const char *const rec_phones[] = {
    "AA", "AE", "AH", "AO", "AW", "AY", "B",  "CH", "D", "DH", "EH", "ER", "EY",
    "F",  "G",  "HH", "IH", "IY", "JH", "K",  "L",  "M", "N",  "NG", "OW", "OY",
    "P",  "R",  "S",  "SH", "T",  "TH", "UH", "UW", "V", "W",  "Y",  "Z",  "ZH",
};
#define REC_N_PHONES (sizeof rec_phones / sizeof rec_phones[0])

struct ls_analyzer {
    char hmm[1024], dict[1024], phone_lm[1024];
    ps_decoder_t *lex; /* the full dictionary, loaded on the first transcript */
    tts_voice *espeak; /* for words the dictionary lacks */
};

int lipsync_audio_supported(void)
{
    return 1;
}

/* Frees a decoder whose all-phone search ran. pocketsphinx 5prealpha keeps
 * the last backtrace's segment list until the next backtrace and never frees
 * it; an empty utterance makes that backtrace, which clears it. */
static void rec_free_allphone(ps_decoder_t *ps)
{
    if (ps_start_utt(ps) >= 0)
        ps_end_utt(ps);
    ps_free(ps);
}

static int rec_file_exists(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f)
        fclose(f);
    return f != NULL;
}

static int rec_paths(const char *model_dir, char *hmm, char *dict, char *lm, size_t cap, char *err,
                     size_t errlen)
{
    const char *dir = model_dir ? model_dir : SHUZI_PSPHINX_MODELDIR;
    snprintf(hmm, cap, "%s/en-us/en-us", dir);
    snprintf(dict, cap, "%s/en-us/cmudict-en-us.dict", dir);
    snprintf(lm, cap, "%s/en-us/en-us-phone.lm.bin", dir);
    char probe[1100];
    snprintf(probe, sizeof probe, "%s/mdef", hmm);
    const char *missing = !rec_file_exists(probe)  ? probe
                          : !rec_file_exists(dict) ? dict
                          : !rec_file_exists(lm)   ? lm
                                                   : NULL;
    if (missing) {
        snprintf(err, errlen,
                 "pocketsphinx US English model not found (%s is missing; install the Debian "
                 "package pocketsphinx-en-us)",
                 missing);
        return SZ_ERR_NOT_FOUND;
    }
    return SZ_OK;
}

/* A decoder: full dictionary (for lookups) or none (phone words added). */
static ps_decoder_t *rec_decoder(const char *hmm, const char *dict, int live)
{
    pthread_once(&rec_once, rec_quiet);
    cmd_ln_t *cfg =
        cmd_ln_init(NULL, ps_args(), TRUE, "-hmm", hmm, "-dict", dict ? dict : "/dev/null",
                    "-logfn", "/dev/null", "-remove_silence", "no", "-beam", "1e-60", "-pbeam",
                    "1e-60", "-wbeam", "1e-50", "-lw", "2.0", "-pip", "1.0", "-fsgusefiller", "no",
                    "-cmn", live ? "live" : "batch", "-allphone_ci", "yes", NULL);
    if (!cfg)
        return NULL;
    ps_decoder_t *ps = ps_init(cfg);
    cmd_ln_free_r(cfg);
    return ps;
}

int lipsync_analyzer_open(const char *model_dir, ls_analyzer **out, char *err, size_t errlen)
{
    *out = NULL;
    ls_analyzer *a = calloc(1, sizeof *a);
    if (!a) {
        snprintf(err, errlen, "out of memory");
        return SZ_ERR_NO_MEMORY;
    }
    int rc = rec_paths(model_dir, a->hmm, a->dict, a->phone_lm, sizeof a->hmm, err, errlen);
    if (rc != SZ_OK) {
        free(a);
        return rc;
    }
    *out = a;
    return SZ_OK;
}

void lipsync_analyzer_free(ls_analyzer **a)
{
    if (!a || !*a)
        return;
    if ((*a)->lex)
        ps_free((*a)->lex);
    tts_voice_free(&(*a)->espeak);
    free(*a);
    *a = NULL;
}

/* ---- transcript -> pronunciations -------------------------------------- */

typedef struct rec_pron {
    const char *ph[REC_MAX_PRON_PHONES];
    int n;
} rec_pron;

typedef struct rec_word {
    char text[64];
    rec_pron prons[REC_MAX_PRONS];
    int n_prons;
} rec_word;

/* Maps a dictionary phone name to our static table (so pointers stay valid). */
static const char *rec_phone_sym(const char *p, size_t len)
{
    for (size_t i = 0; i < REC_N_PHONES; i++)
        if (strlen(rec_phones[i]) == len && strncmp(rec_phones[i], p, len) == 0)
            return rec_phones[i];
    return NULL;
}

static int rec_parse_pron(const char *s, rec_pron *p)
{
    p->n = 0;
    while (*s) {
        while (*s == ' ')
            s++;
        const char *e = s;
        while (*e && *e != ' ')
            e++;
        if (e > s) {
            const char *sym = rec_phone_sym(s, (size_t)(e - s));
            if (!sym || p->n == REC_MAX_PRON_PHONES)
                return -1;
            p->ph[p->n++] = sym;
        }
        s = e;
    }
    return p->n > 0 ? 0 : -1;
}

typedef struct rec_espeak_sink {
    rec_pron *pron;
    int bad;
} rec_espeak_sink;

static int rec_espeak_audio(void *user, const float *pcm, size_t n)
{
    (void)user;
    (void)pcm;
    (void)n;
    return 0;
}

static int rec_espeak_event(void *user, const tts_event *ev)
{
    rec_espeak_sink *k = user;
    if (ev->type != TTS_EV_PHONE || !ev->value[0])
        return 0;
    const char *arpa[4];
    int m = lipsync_ipa_to_arpabet(ev->value, arpa, 4);
    if (m < 0) {
        k->bad = 1;
        return 0;
    }
    for (int i = 0; i < m && i < 4 && k->pron->n < REC_MAX_PRON_PHONES; i++)
        k->pron->ph[k->pron->n++] = rec_phone_sym(arpa[i], strlen(arpa[i]));
    return 0;
}

/* A word the dictionary lacks (a name, a number...): espeak-ng's phones. */
static int rec_espeak_pron(ls_analyzer *a, const char *word, rec_pron *p)
{
    char err[256];
    if (!a->espeak) {
        tts_voice_params vp = {.speaking_rate = 1.0f, .n_threads = 1, .seed = 1};
        if (tts_voice_open("espeak:en-us", &vp, &a->espeak, err, sizeof err) != SZ_OK) {
            SZ_LOGW("lipsync", "cannot phonemize '%s': %s", word, err);
            return -1;
        }
    }
    p->n = 0;
    rec_espeak_sink k = {.pron = p};
    tts_sink sink = {.on_audio = rec_espeak_audio, .on_event = rec_espeak_event, .user = &k};
    if (tts_voice_synthesize(a->espeak, word, 0, &sink, err, sizeof err) != SZ_OK)
        return -1;
    return p->n > 0 ? 0 : -1;
}

/* Splits the transcript into words and finds their pronunciations. */
static int rec_words(ls_analyzer *a, const char *text, rec_word **out, int *n_out, char *err,
                     size_t errlen)
{
    *out = NULL;
    *n_out = 0;
    size_t len = strlen(text), bad = 0;
    if (!utf8_valid(text, len, &bad)) {
        snprintf(err, errlen, "transcript: not valid UTF-8 (bad byte at offset %zu)", bad);
        return SZ_ERR_FORMAT;
    }
    if (!a->lex) {
        a->lex = rec_decoder(a->hmm, a->dict, 0);
        if (!a->lex) {
            snprintf(err, errlen, "pocketsphinx: cannot load the dictionary %s", a->dict);
            return SZ_ERR_IO;
        }
    }
    int cap = 64, n = 0;
    rec_word *w = malloc((size_t)cap * sizeof *w);
    if (!w) {
        snprintf(err, errlen, "out of memory");
        return SZ_ERR_NO_MEMORY;
    }
    size_t i = 0;
    while (i < len) {
        unsigned char c = (unsigned char)text[i];
        int wordch = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                     c >= 0x80 || (c == '\'' && i > 0 && i + 1 < len);
        if (!wordch) {
            i++;
            continue;
        }
        size_t s = i;
        while (i < len) {
            c = (unsigned char)text[i];
            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c >= 0x80 || c == '\''))
                break;
            i++;
        }
        while (i > s && text[i - 1] == '\'')
            i--; /* closing quote */
        while (s < i && text[s] == '\'')
            s++;
        if (i == s) {
            i++;
            continue;
        }
        if (n == REC_MAX_WORDS) {
            free(w);
            snprintf(err, errlen, "transcript: more than %d words", REC_MAX_WORDS);
            return SZ_ERR_INVALID_ARG;
        }
        if (n == cap) {
            cap *= 2;
            rec_word *p = realloc(w, (size_t)cap * sizeof *p);
            if (!p) {
                free(w);
                snprintf(err, errlen, "out of memory");
                return SZ_ERR_NO_MEMORY;
            }
            w = p;
        }
        rec_word *wd = &w[n];
        memset(wd, 0, sizeof *wd);
        size_t wl = i - s < sizeof wd->text - 1 ? i - s : sizeof wd->text - 1;
        while (wl > 0 && wl < i - s && ((unsigned char)text[s + wl] & 0xC0) == 0x80)
            wl--; /* cut on a character boundary */
        memcpy(wd->text, text + s, wl);
        char key[80];
        for (size_t k = 0; k <= wl; k++)
            key[k] =
                (char)((wd->text[k] >= 'A' && wd->text[k] <= 'Z') ? wd->text[k] + 32 : wd->text[k]);
        for (int alt = 1; alt <= REC_MAX_PRONS && wd->n_prons < REC_MAX_PRONS; alt++) {
            char name[96];
            if (alt == 1)
                snprintf(name, sizeof name, "%s", key);
            else
                snprintf(name, sizeof name, "%s(%d)", key, alt);
            char *ph = ps_lookup_word(a->lex, name);
            if (!ph)
                break;
            if (rec_parse_pron(ph, &wd->prons[wd->n_prons]) == 0)
                wd->n_prons++;
            free(ph);
        }
        if (wd->n_prons == 0 && rec_espeak_pron(a, wd->text, &wd->prons[0]) == 0)
            wd->n_prons = 1;
        if (wd->n_prons == 0) {
            SZ_LOGW("lipsync", "transcript: no pronunciation for '%s'; it is skipped", wd->text);
            continue;
        }
        n++;
    }
    *out = w;
    *n_out = n;
    return SZ_OK;
}

/* ---- decoding ----------------------------------------------------------- */

static int16_t *rec_to_s16(const float *pcm, size_t n)
{
    int16_t *s = malloc((n ? n : 1) * sizeof *s);
    if (!s)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        float x = pcm[i] * 32767.0f;
        s[i] = (int16_t)(x > 32767.0f ? 32767 : x < -32768.0f ? -32768 : lrintf(x));
    }
    return s;
}

static int rec_add_phone_words(ps_decoder_t *ps)
{
    for (size_t i = 0; i < REC_N_PHONES; i++) {
        char w[16];
        snprintf(w, sizeof w, "%s_ph", rec_phones[i]);
        if (ps_add_word(ps, w, rec_phones[i], i + 1 == REC_N_PHONES) < 0)
            return -1;
    }
    return 0;
}

/* The alignment grammar: boundary state b[k] before word k; each
 * pronunciation a chain of phone words from b[k] to b[k+1]; a pause allowed
 * at every boundary; a word, or the rest of the transcript, may be left out
 * at a cost. */
static fsg_model_t *rec_grammar(ps_decoder_t *ps, const rec_word *w, int n)
{
    int states = n + 1;
    for (int k = 0; k < n; k++)
        for (int j = 0; j < w[k].n_prons; j++)
            states += w[k].prons[j].n - 1;
    logmath_t *lm = ps_get_logmath(ps);
    fsg_model_t *fsg = fsg_model_init("align", lm, 1.0f, states);
    if (!fsg)
        return NULL;
    int32 wid[REC_N_PHONES];
    for (size_t i = 0; i < REC_N_PHONES; i++) {
        char name[16];
        snprintf(name, sizeof name, "%s_ph", rec_phones[i]);
        wid[i] = fsg_model_word_add(fsg, name);
    }
    int next = n + 1; /* states 0..n are the boundaries */
    for (int k = 0; k < n; k++) {
        int32 lp = logmath_log(lm, 1.0 / w[k].n_prons);
        for (int j = 0; j < w[k].n_prons; j++) {
            const rec_pron *p = &w[k].prons[j];
            int from = k;
            for (int i = 0; i < p->n; i++) {
                int to = i + 1 == p->n ? k + 1 : next++;
                int sym = 0;
                while (rec_phones[sym] != p->ph[i])
                    sym++;
                fsg_model_trans_add(fsg, from, to, i == 0 ? lp : 0, wid[sym]);
                from = to;
            }
        }
        fsg_model_null_trans_add(fsg, k, k + 1, logmath_log(lm, REC_SKIP_WORD));
        if (k > 0 && k + 1 < n) /* the recording stops before the transcript does */
            fsg_model_null_trans_add(fsg, k, n, logmath_log(lm, REC_SKIP_REST));
    }
    fsg->start_state = 0;
    fsg->final_state = n;
    for (int k = 0; k <= n; k++)
        fsg_model_add_silence(fsg, "<sil>", k, 0.1f);
    glist_t nulls = fsg_model_null_trans_closure(fsg, NULL);
    glist_free(nulls);
    return fsg;
}

typedef struct rec_raw_seg {
    int sf, ef;
    const char *phone; /* static ARPAbet, or NULL for a pause */
    int32 ascr;        /* acoustic score (pocketsphinx's scaled log) */
} rec_raw_seg;

/* Decodes the whole utterance with the current search; segments out. */
static int rec_decode(ps_decoder_t *ps, const int16_t *s16, size_t n, rec_raw_seg **out, int *n_out,
                      double *score)
{
    *out = NULL;
    *n_out = 0;
    *score = 0;
    if (ps_start_utt(ps) < 0)
        return SZ_ERR_INTERNAL;
    if (ps_process_raw(ps, s16, n, FALSE, TRUE) < 0) {
        ps_end_utt(ps);
        return SZ_ERR_INTERNAL;
    }
    ps_end_utt(ps);
    int cap = 256, m = 0;
    rec_raw_seg *r = malloc((size_t)cap * sizeof *r);
    if (!r)
        return SZ_ERR_NO_MEMORY;
    for (ps_seg_t *seg = ps_seg_iter(ps); seg; seg = ps_seg_next(seg)) {
        int sf, ef;
        ps_seg_frames(seg, &sf, &ef);
        const char *word = ps_seg_word(seg);
        if (ef < sf || !word)
            continue;
        const char *ph = NULL;
        size_t wl = strlen(word);
        if (wl > 3 && strcmp(word + wl - 3, "_ph") == 0)
            ph = rec_phone_sym(word, wl - 3);
        else
            ph = rec_phone_sym(word, wl); /* all-phone search names phones plainly */
        if (m == cap) {
            cap *= 2;
            rec_raw_seg *p = realloc(r, (size_t)cap * sizeof *p);
            if (!p) {
                ps_seg_free(seg);
                free(r);
                return SZ_ERR_NO_MEMORY;
            }
            r = p;
        }
        r[m].sf = sf;
        r[m].ef = ef;
        r[m].phone = ph;
        int32 ascr = 0, lscr = 0, lback = 0;
        ps_seg_prob(seg, &ascr, &lscr, &lback);
        r[m].ascr = ascr;
        *score += ascr;
        m++;
    }
    *score /= (double)n / (LS_ANALYSIS_RATE / 100); /* per 10 ms frame */
    *out = r;
    *n_out = m;
    return SZ_OK;
}

/* Builds the track: segments without gaps from 0 to the end. */
static int rec_fill_track(ls_track *t, const rec_raw_seg *r, int m, const int *word_of,
                          int64_t dur_us)
{
    int64_t at = 0;
    for (int i = 0; i < m; i++) {
        int64_t a = (int64_t)r[i].sf * REC_FRAME_US, b = (int64_t)(r[i].ef + 1) * REC_FRAME_US;
        if (b > dur_us)
            b = dur_us;
        if (a < at)
            a = at;
        if (b <= a)
            continue;
        if (a > at && lipsync_track_add(t, at, a, "SIL", 0, -1) != SZ_OK)
            return SZ_ERR_NO_MEMORY;
        int is_long = b - a >= REC_LONG_VOWEL_US;
        if (lipsync_track_add(t, a, b, r[i].phone ? r[i].phone : "SIL", is_long,
                              word_of ? word_of[i] : -1) != SZ_OK)
            return SZ_ERR_NO_MEMORY;
        at = b;
    }
    if (at < dur_us && lipsync_track_add(t, at, dur_us, "SIL", 0, -1) != SZ_OK)
        return SZ_ERR_NO_MEMORY;
    return SZ_OK;
}

/* Matches the aligned phones back to the transcript's words (in order; a
 * word whose phones are not next was skipped). Returns the share of the
 * transcript's phones found. */
static double rec_assign_words(const rec_word *w, int n_words, const rec_raw_seg *r, int m,
                               int *word_of, ls_track *t)
{
    int total = 0, found = 0, j = 0;
    for (int i = 0; i < m; i++)
        word_of[i] = -1;
    for (int k = 0; k < n_words; k++) {
        total += w[k].prons[0].n;
        while (j < m && !r[j].phone)
            j++;
        for (int p = 0; p < w[k].n_prons; p++) {
            const rec_pron *pr = &w[k].prons[p];
            int i = j, q = 0;
            for (; q < pr->n && i < m; i++) {
                if (!r[i].phone)
                    continue; /* a pause inside the match cannot happen, but be safe */
                if (r[i].phone != pr->ph[q])
                    break;
                q++;
            }
            if (q == pr->n) {
                int64_t a = (int64_t)r[j].sf * REC_FRAME_US;
                int64_t b = (int64_t)(r[i - 1].ef + 1) * REC_FRAME_US;
                for (int x = j; x < i; x++)
                    if (r[x].phone)
                        word_of[x] = (int)t->n_words;
                lipsync_track_add_word(t, a, b, w[k].text);
                found += pr->n;
                j = i;
                break;
            }
        }
    }
    return total > 0 ? (double)found / total : 0.0;
}

static int rec_align(ls_analyzer *a, const int16_t *s16, size_t n, const rec_word *w, int n_words,
                     ls_track *out, double *share, double *score)
{
    *share = 0;
    ps_decoder_t *ps = rec_decoder(a->hmm, NULL, 0);
    if (!ps)
        return SZ_ERR_INTERNAL;
    int rc = SZ_ERR_INTERNAL;
    rec_raw_seg *r = NULL;
    int *word_of = NULL;
    int m = 0;
    fsg_model_t *fsg = NULL;
    if (rec_add_phone_words(ps) < 0)
        goto done;
    fsg = rec_grammar(ps, w, n_words);
    if (!fsg || ps_set_fsg(ps, "align", fsg) < 0 || ps_set_search(ps, "align") < 0)
        goto done;
    rc = rec_decode(ps, s16, n, &r, &m, score);
    if (rc != SZ_OK)
        goto done;
    word_of = malloc((m > 0 ? (size_t)m : 1u) * sizeof *word_of);
    if (!word_of) {
        rc = SZ_ERR_NO_MEMORY;
        goto done;
    }
    *share = rec_assign_words(w, n_words, r, m, word_of, out);
    rc = rec_fill_track(out, r, m, word_of, (int64_t)n * 1000000 / LS_ANALYSIS_RATE);
done:
    if (fsg)
        fsg_model_free(fsg);
    free(word_of);
    free(r);
    ps_free(ps);
    return rc;
}

/* Does an alignment explain the recording? Its phones have speech-like
 * lengths and the speech (loud 10 ms frames) lies inside aligned words:
 * most of it when most of the transcript aligned, nearly all of it when
 * only a part did (a recording that stops early). */
static int rec_alignment_fits(const ls_track *t, const float *pcm, size_t n, double share,
                              double *coverage)
{
    *coverage = 0;
    int64_t dur = 0;
    size_t phones = 0;
    for (size_t i = 0; i < t->n_segs; i++)
        if (t->segs[i].word >= 0) {
            dur += t->segs[i].end_us - t->segs[i].start_us;
            phones++;
        }
    if (phones == 0 || dur / (int64_t)phones > REC_MAX_MEAN_PHONE_US)
        return 0; /* phones stretched over speech they do not match */
    if (share < 0.1)
        return 0;
    size_t nf = 0;
    float lo = 0, hi = 0;
    float *db = rec_envelope(pcm, n, LS_ANALYSIS_RATE, &nf, &lo, &hi);
    if (!db)
        return 0;
    size_t speech = 0, covered = 0, seg = 0;
    for (size_t f = 0; f < nf; f++) {
        if ((db[f] - lo) / (hi - lo) < 0.3f)
            continue;
        speech++;
        int64_t t_us = (int64_t)f * REC_HOP_MS * 1000 + REC_HOP_MS * 500;
        while (seg < t->n_segs && t->segs[seg].end_us <= t_us)
            seg++;
        covered += seg < t->n_segs && t->segs[seg].word >= 0;
    }
    free(db);
    *coverage = speech ? (double)covered / (double)speech : 0.0;
    if (share >= REC_MIN_ALIGNED)
        return speech > 0 && covered >= speech * 70 / 100;
    return speech > 0 && covered >= speech * 85 / 100;
}

static int rec_recognize(ls_analyzer *a, const int16_t *s16, size_t n, ls_track *out, double *score)
{
    ps_decoder_t *ps = rec_decoder(a->hmm, NULL, 0);
    if (!ps)
        return SZ_ERR_INTERNAL;
    int rc = SZ_ERR_INTERNAL;
    rec_raw_seg *r = NULL;
    int m = 0;
    if (ps_set_allphone_file(ps, "phones", a->phone_lm) < 0 || ps_set_search(ps, "phones") < 0)
        goto done;
    rc = rec_decode(ps, s16, n, &r, &m, score);
    if (rc == SZ_OK)
        rc = rec_fill_track(out, r, m, NULL, (int64_t)n * 1000000 / LS_ANALYSIS_RATE);
done:
    free(r);
    rec_free_allphone(ps);
    return rc;
}

int lipsync_analyze(ls_analyzer *a, const float *pcm, size_t n, const char *transcript,
                    ls_track *out, char *err, size_t errlen)
{
    lipsync_track_reset(out);
    if (!a || (!pcm && n)) {
        snprintf(err, errlen, "invalid arguments");
        return SZ_ERR_INVALID_ARG;
    }
    if (n < LS_ANALYSIS_RATE / 10) {
        snprintf(err, errlen, "the recording is too short (%.0f ms; at least 100 ms needed)",
                 n * 1000.0 / LS_ANALYSIS_RATE);
        return SZ_ERR_INVALID_ARG;
    }
    out->duration_us = (int64_t)n * 1000000 / LS_ANALYSIS_RATE;
    int16_t *s16 = rec_to_s16(pcm, n);
    if (!s16) {
        snprintf(err, errlen, "out of memory");
        return SZ_ERR_NO_MEMORY;
    }
    int rc = SZ_OK, done = 0;
    if (transcript && *transcript) {
        rec_word *w = NULL;
        int nw = 0;
        ls_track free_track;
        lipsync_track_init(&free_track);
        double free_score = 0, score = 0, share = 0, coverage = 0;
        rc = rec_words(a, transcript, &w, &nw, err, errlen);
        if (rc == SZ_OK && nw == 0)
            SZ_LOGW("lipsync", "the transcript has no words; recognising phones instead");
        if (rc == SZ_OK && nw > 0) /* the yardstick for the alignment's fit */
            rc = rec_recognize(a, s16, n, &free_track, &free_score);
        if (rc == SZ_OK && nw > 0)
            rc = rec_align(a, s16, n, w, nw, out, &share, &score);
        if (rc == SZ_OK && nw > 0) {
            int fits = rec_alignment_fits(out, pcm, n, share, &coverage) &&
                       score >= free_score - REC_MAX_DEFICIT;
            SZ_LOGI("lipsync",
                    "alignment: %.0f%% of the transcript, %.0f%% of the speech inside "
                    "its words, score %.1f per frame (free recognition %.1f)",
                    share * 100, coverage * 100, score, free_score);
            if (fits) {
                out->aligned = 1;
            } else {
                SZ_LOGW("lipsync",
                        "the transcript does not fit the audio (%.0f%% of it aligned, "
                        "%.0f%% of the speech inside its words, acoustic fit %.1f "
                        "per frame below free recognition); using the recognised phones",
                        share * 100.0, coverage * 100.0, free_score - score);
                free_track.duration_us = out->duration_us;
                ls_track tmp = *out; /* keep the recognition */
                *out = free_track;
                free_track = tmp;
            }
            done = 1;
        }
        lipsync_track_free(&free_track);
        free(w);
    }
    if (rc == SZ_OK && !done) {
        double score = 0;
        rc = rec_recognize(a, s16, n, out, &score);
    }
    free(s16);
    if (rc != SZ_OK) {
        if (!err[0] || rc == SZ_ERR_INTERNAL)
            snprintf(err, errlen, "pocketsphinx: decoding failed (%s)", sz_strerror(rc));
        lipsync_track_reset(out);
        return rc;
    }
    lipsync_track_levels(out, pcm, n, LS_ANALYSIS_RATE);
    lipsync_track_finish(out);
    return SZ_OK;
}

/* ---- streaming ---------------------------------------------------------- */

#include <libavutil/channel_layout.h>
#include <libswresample/swresample.h>

/* Restart the recogniser after this long, at a pause, to bound its memory. */
#define REC_STREAM_RESTART_US (30 * 1000000LL)
#define REC_STREAM_FORCE_RESTART_US (90 * 1000000LL)
#define REC_STREAM_UPDATE_SAMPLES (LS_ANALYSIS_RATE / 25) /* 40 ms */
/* Faces are made from this much of the final track before ready_us. */
#define REC_STREAM_WINDOW_US 1000000

struct ls_stream {
    ps_decoder_t *ps;
    char hmm[1024], phone_lm[1024];
    SwrContext *swr;
    int in_rate;
    int64_t lookahead_us;
    float *rs; /* resampled scratch */
    size_t rs_cap;
    int16_t *utt; /* the current recogniser utterance's audio (16 kHz) */
    size_t utt_n, utt_cap;
    int64_t utt_t0_us; /* stream time of utt[0] */
    int64_t fed_us;    /* audio pushed so far */
    int64_t ready_us;
    size_t since_update;
    int in_utt;
    int finished;
    ls_track track;   /* final segments */
    ls_track view;    /* the last second of final segments + provisional, for faces */
    size_t view_from; /* first final segment in the view */
    ls_timeline tl;   /* the view as a timeline at 16 kHz */
    float *env_db;    /* loudness envelope, 10 ms frames */
    size_t env_n, env_cap;
    double env_acc;
    size_t env_cnt;
    float env_floor, env_peak;
};

static int rec_stream_decoder(ls_stream *st);

int lipsync_stream_open(const ls_stream_params *params, ls_stream **out, char *err, size_t errlen)
{
    *out = NULL;
    if (!params || params->sample_rate_hz < 8000 || params->sample_rate_hz > 192000) {
        snprintf(err, errlen, "stream: sample rate %d Hz, expected 8000 to 192000",
                 params ? params->sample_rate_hz : 0);
        return SZ_ERR_INVALID_ARG;
    }
    int look = params->lookahead_ms ? params->lookahead_ms : LS_STREAM_LOOKAHEAD_MS;
    if (look < LS_STREAM_MIN_LOOKAHEAD_MS || look > LS_STREAM_LOOKAHEAD_MS) {
        snprintf(err, errlen, "stream: look-ahead %d ms, expected %d to %d", look,
                 LS_STREAM_MIN_LOOKAHEAD_MS, LS_STREAM_LOOKAHEAD_MS);
        return SZ_ERR_INVALID_ARG;
    }
    char hmm[1024], dict[1024], lm[1024];
    int rc = rec_paths(params->model_dir, hmm, dict, lm, sizeof hmm, err, errlen);
    if (rc != SZ_OK)
        return rc;
    ls_stream *st = calloc(1, sizeof *st);
    if (!st) {
        snprintf(err, errlen, "out of memory");
        return SZ_ERR_NO_MEMORY;
    }
    st->in_rate = params->sample_rate_hz;
    st->lookahead_us = (int64_t)look * 1000;
    st->env_floor = 0;
    st->env_peak = -120;
    lipsync_track_init(&st->track);
    lipsync_track_init(&st->view);
    lipsync_timeline_init(&st->tl, LS_ANALYSIS_RATE);
    snprintf(st->hmm, sizeof st->hmm, "%s", hmm);
    snprintf(st->phone_lm, sizeof st->phone_lm, "%s", lm);
    if (rec_stream_decoder(st) != SZ_OK) {
        snprintf(err, errlen, "pocketsphinx: cannot load the phone recogniser");
        lipsync_stream_free(&st);
        return SZ_ERR_INTERNAL;
    }
    if (st->in_rate != LS_ANALYSIS_RATE) {
        AVChannelLayout mono = AV_CHANNEL_LAYOUT_MONO;
        if (swr_alloc_set_opts2(&st->swr, &mono, AV_SAMPLE_FMT_FLT, LS_ANALYSIS_RATE, &mono,
                                AV_SAMPLE_FMT_FLT, st->in_rate, 0, NULL) < 0 ||
            swr_init(st->swr) < 0) {
            snprintf(err, errlen, "stream: cannot resample %d Hz", st->in_rate);
            lipsync_stream_free(&st);
            return SZ_ERR_INTERNAL;
        }
    }
    *out = st;
    return SZ_OK;
}

static int rec_grow(void **p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return 0;
    size_t c = *cap ? *cap : 4096;
    while (c < need)
        c *= 2;
    void *q = realloc(*p, c * elem);
    if (!q)
        return -1;
    *p = q;
    *cap = c;
    return 0;
}

/* Appends final segments [track end, until) from the latest hypothesis. */
static int rec_stream_collect(ls_stream *st, int64_t until_us, ls_track *dst, int64_t from_us)
{
    int64_t at = from_us;
    for (ps_seg_t *seg = ps_seg_iter(st->ps); seg; seg = ps_seg_next(seg)) {
        int sf, ef;
        ps_seg_frames(seg, &sf, &ef);
        const char *w = ps_seg_word(seg);
        int64_t a = st->utt_t0_us + (int64_t)sf * REC_FRAME_US;
        int64_t b = st->utt_t0_us + (int64_t)(ef + 1) * REC_FRAME_US;
        if (b <= at || ef < sf || !w)
            continue;
        if (a >= until_us) {
            ps_seg_free(seg);
            break;
        }
        if (a < at)
            a = at;
        if (b > until_us)
            b = until_us;
        const char *ph = rec_phone_sym(w, strlen(w));
        int64_t dur_full = (int64_t)(ef + 1 - sf) * REC_FRAME_US;
        int rc;
        ls_seg *last = dst->n_segs ? &dst->segs[dst->n_segs - 1] : NULL;
        if (last && last->end_us == a && ph && strcmp(last->phone, ph) == 0) {
            last->end_us = b; /* the same phone continues */
            rc = SZ_OK;
        } else {
            rc = lipsync_track_add(dst, a, b, ph ? ph : "SIL", dur_full >= REC_LONG_VOWEL_US, -1);
        }
        if (rc != SZ_OK) {
            ps_seg_free(seg);
            return rc;
        }
        at = b;
    }
    if (at < until_us) /* the hypothesis does not reach: a pause */
        return lipsync_track_add(dst, at, until_us, "SIL", 0, -1);
    return SZ_OK;
}

/* Level (0..1) of the envelope at time t. */
static float rec_stream_level(const ls_stream *st, int64_t t_us)
{
    size_t f = (size_t)(t_us / (REC_HOP_MS * 1000));
    if (st->env_n == 0)
        return 0.0f;
    if (f >= st->env_n)
        f = st->env_n - 1;
    float lo = st->env_floor, hi = st->env_peak > lo + 10 ? st->env_peak : lo + 10;
    float x = (st->env_db[f] - lo) / (hi - lo);
    return x < 0 ? 0 : x > 1 ? 1 : x;
}

/* Resolves h-like phones at the end of a growing track to the viseme of the
 * phone after them (silence while none is known yet), from index from on. */
static void rec_resolve_tail(ls_track *t, size_t from)
{
    int next = VIS_SIL;
    for (size_t i = t->n_segs; i-- > 0;) {
        ls_seg *s = &t->segs[i];
        if (lipsync_viseme_of_phone(s->ipa) < 0)
            s->viseme = next;
        else if (i < from)
            break;
        next = s->viseme;
    }
}

/* Makes final what lies behind the look-ahead, and rebuilds the view faces
 * are made from: the last second of final segments, then the provisional
 * ones up to the audio pushed. Work per call is bounded by that window. */
static int rec_stream_update(ls_stream *st, int final)
{
    int64_t ready = final ? st->fed_us : st->fed_us - st->lookahead_us;
    if (ready < 0)
        ready = 0;
    size_t first_new = st->track.n_segs ? st->track.n_segs - 1 : 0; /* the last may grow */
    int64_t done = st->track.n_segs ? st->track.segs[st->track.n_segs - 1].end_us : 0;
    int rc = SZ_OK;
    if (ready > done)
        rc = rec_stream_collect(st, ready, &st->track, done);
    if (rc != SZ_OK)
        return rc;
    st->ready_us = ready;
    st->track.duration_us = ready;
    for (size_t i = first_new; i < st->track.n_segs; i++) { /* loudness of the new ones */
        ls_seg *s = &st->track.segs[i];
        double acc = 0;
        int cnt = 0;
        for (int64_t t = s->start_us; t < s->end_us; t += REC_HOP_MS * 1000, cnt++)
            acc += rec_stream_level(st, t);
        s->level = cnt ? (float)(acc / cnt) : 0.0f;
    }
    rec_resolve_tail(&st->track, first_new);
    while (st->view_from + 1 < st->track.n_segs &&
           st->track.segs[st->view_from].end_us < ready - REC_STREAM_WINDOW_US)
        st->view_from++;
    lipsync_track_reset(&st->view);
    for (size_t i = st->view_from; i < st->track.n_segs && rc == SZ_OK; i++) {
        const ls_seg *s = &st->track.segs[i];
        rc = lipsync_track_add(&st->view, s->start_us, s->end_us, s->phone, 0, -1);
        if (rc == SZ_OK) /* keep the exact IPA and viseme of the final segment */
            st->view.segs[st->view.n_segs - 1] = *s;
    }
    if (rc == SZ_OK && st->fed_us > ready)
        rc = rec_stream_collect(st, st->fed_us, &st->view, ready);
    if (rc != SZ_OK)
        return rc;
    rec_resolve_tail(&st->view, 0);
    lipsync_timeline_reset(&st->tl);
    for (size_t i = 0; i < st->view.n_segs && rc == SZ_OK; i++) {
        const ls_seg *s = &st->view.segs[i];
        rc = lipsync_timeline_add(&st->tl, s->start_us * LS_ANALYSIS_RATE / 1000000, s->viseme);
    }
    if (final)
        lipsync_timeline_close(&st->tl, st->fed_us * LS_ANALYSIS_RATE / 1000000);
    return rc;
}

/* Starts a new recogniser utterance at the end of the final segments,
 * feeding it the audio after that point again. */
static int rec_stream_decoder(ls_stream *st)
{
    st->ps = rec_decoder(st->hmm, NULL, 1);
    if (!st->ps || ps_set_allphone_file(st->ps, "phones", st->phone_lm) < 0 ||
        ps_set_search(st->ps, "phones") < 0)
        return SZ_ERR_INTERNAL;
    return SZ_OK;
}

static int rec_stream_restart(ls_stream *st)
{
    int64_t cut = st->track.n_segs ? st->track.segs[st->track.n_segs - 1].end_us : 0;
    size_t drop = (size_t)((cut - st->utt_t0_us) * LS_ANALYSIS_RATE / 1000000);
    if (drop > st->utt_n)
        drop = st->utt_n;
    /* A fresh decoder: pocketsphinx 5prealpha's all-phone search does not
     * reset its frame count between utterances. Loading one takes ~10 ms. */
    ps_end_utt(st->ps);
    st->in_utt = 0;
    rec_free_allphone(st->ps);
    st->ps = NULL;
    int rc = rec_stream_decoder(st);
    if (rc != SZ_OK)
        return rc;
    memmove(st->utt, st->utt + drop, (st->utt_n - drop) * sizeof *st->utt);
    st->utt_n -= drop;
    st->utt_t0_us += (int64_t)drop * 1000000 / LS_ANALYSIS_RATE;
    if (ps_start_utt(st->ps) < 0)
        return SZ_ERR_INTERNAL;
    st->in_utt = 1;
    if (st->utt_n && ps_process_raw(st->ps, st->utt, st->utt_n, FALSE, FALSE) < 0)
        return SZ_ERR_INTERNAL;
    return SZ_OK;
}

int lipsync_stream_push(ls_stream *st, const float *pcm, size_t n)
{
    if (!st || (!pcm && n) || n > (1u << 24))
        return SZ_ERR_INVALID_ARG;
    if (st->finished)
        return SZ_ERR_STATE;
    const float *x = pcm;
    size_t m = n;
    if (st->swr) {
        size_t need = (size_t)swr_get_out_samples(st->swr, (int)n) + 16;
        if (rec_grow((void **)&st->rs, &st->rs_cap, need, sizeof *st->rs) < 0)
            return SZ_ERR_NO_MEMORY;
        uint8_t *d = (uint8_t *)st->rs;
        const uint8_t *s = (const uint8_t *)pcm;
        int got = swr_convert(st->swr, &d, (int)st->rs_cap, n ? &s : NULL, (int)n);
        if (got < 0)
            return SZ_ERR_INTERNAL;
        x = st->rs;
        m = (size_t)got;
    }
    if (!st->in_utt) {
        if (ps_start_utt(st->ps) < 0)
            return SZ_ERR_INTERNAL;
        st->in_utt = 1;
    }
    if (rec_grow((void **)&st->utt, &st->utt_cap, st->utt_n + m, sizeof *st->utt) < 0)
        return SZ_ERR_NO_MEMORY;
    int16_t *dst = st->utt + st->utt_n;
    size_t hop = LS_ANALYSIS_RATE * REC_HOP_MS / 1000;
    for (size_t i = 0; i < m; i++) {
        float v = x[i] * 32767.0f;
        dst[i] = (int16_t)(v > 32767.0f ? 32767 : v < -32768.0f ? -32768 : lrintf(v));
        st->env_acc += (double)x[i] * x[i];
        if (++st->env_cnt == hop) {
            if (rec_grow((void **)&st->env_db, &st->env_cap, st->env_n + 1, sizeof(float)) < 0)
                return SZ_ERR_NO_MEMORY;
            float db = (float)(20.0 * log10(sqrt(st->env_acc / hop) + 1e-6));
            st->env_db[st->env_n++] = db;
            /* running floor (slow to rise) and peak (slow to fall) */
            if (st->env_n == 1)
                st->env_floor = db;
            st->env_floor = db < st->env_floor ? db : st->env_floor + 0.01f;
            st->env_peak = db > st->env_peak ? db : st->env_peak - 0.005f;
            st->env_acc = 0;
            st->env_cnt = 0;
        }
    }
    if (m && ps_process_raw(st->ps, dst, m, FALSE, FALSE) < 0)
        return SZ_ERR_INTERNAL;
    st->utt_n += m;
    st->fed_us = st->utt_t0_us + (int64_t)st->utt_n * 1000000 / LS_ANALYSIS_RATE;
    st->since_update += m;
    if (st->since_update < REC_STREAM_UPDATE_SAMPLES)
        return SZ_OK;
    st->since_update = 0;
    int rc = rec_stream_update(st, 0);
    if (rc != SZ_OK)
        return rc;
    int64_t len = st->fed_us - st->utt_t0_us;
    int at_pause = st->track.n_segs && st->track.segs[st->track.n_segs - 1].ipa[0] == 0;
    if ((len > REC_STREAM_RESTART_US && at_pause) || len > REC_STREAM_FORCE_RESTART_US)
        rc = rec_stream_restart(st);
    return rc;
}

int64_t lipsync_stream_ready_us(const ls_stream *st)
{
    return st ? st->ready_us : 0;
}

const ls_track *lipsync_stream_track(const ls_stream *st)
{
    return st ? &st->track : NULL;
}

int lipsync_stream_face(ls_stream *st, int64_t t_us, sz_face *face)
{
    if (!st || !face || t_us < 0)
        return SZ_ERR_INVALID_ARG;
    if (t_us > st->ready_us || t_us < st->ready_us - LS_STREAM_FACE_WINDOW_MS * 1000)
        return SZ_ERR_STATE;
    if (st->tl.n == 0) {
        lipsync_face_silent(face);
        return SZ_OK;
    }
    int64_t t = t_us * LS_ANALYSIS_RATE / 1000000;
    int64_t half = LS_ANALYSIS_RATE / 60; /* a 30 fps frame around t */
    lipsync_face_frame(&st->tl, t - half, t + half, face);
    float level = rec_stream_level(st, t_us);
    if (face->lip_close < 0.99f)
        face->jaw_open *= 0.55f + 0.45f * level;
    return SZ_OK;
}

int lipsync_stream_finish(ls_stream *st)
{
    if (!st)
        return SZ_ERR_INVALID_ARG;
    if (st->finished)
        return SZ_OK;
    if (st->swr) { /* flush the resampler */
        if (rec_grow((void **)&st->rs, &st->rs_cap, 4096, sizeof *st->rs) < 0)
            return SZ_ERR_NO_MEMORY;
        uint8_t *d = (uint8_t *)st->rs;
        int got = swr_convert(st->swr, &d, (int)st->rs_cap, NULL, 0);
        if (got > 0) {
            SwrContext *keep = st->swr;
            st->swr = NULL;
            int rc = lipsync_stream_push(st, st->rs, (size_t)got);
            st->swr = keep;
            if (rc != SZ_OK)
                return rc;
        }
    }
    if (st->in_utt) {
        ps_end_utt(st->ps);
        st->in_utt = 0;
    }
    int rc = rec_stream_update(st, 1);
    st->track.duration_us = st->fed_us;
    st->finished = 1;
    return rc;
}

void lipsync_stream_free(ls_stream **sp)
{
    if (!sp || !*sp)
        return;
    ls_stream *st = *sp;
    if (st->ps) {
        if (st->in_utt)
            ps_end_utt(st->ps);
        rec_free_allphone(st->ps);
    }
    swr_free(&st->swr);
    free(st->rs);
    free(st->utt);
    free(st->env_db);
    lipsync_track_free(&st->track);
    lipsync_track_free(&st->view);
    lipsync_timeline_free(&st->tl);
    free(st);
    *sp = NULL;
}

#else /* no pocketsphinx */

struct ls_analyzer {
    int unused;
};
struct ls_stream {
    int unused;
};

#define REC_NO_PS                                                                                  \
    "audio-only lip-sync is not in this build (pocketsphinx was not found at "                     \
    "build time; install libpocketsphinx-dev, libsphinxbase-dev and "                              \
    "pocketsphinx-en-us, then rebuild)"

int lipsync_audio_supported(void)
{
    return 0;
}

int lipsync_analyzer_open(const char *model_dir, ls_analyzer **out, char *err, size_t errlen)
{
    (void)model_dir;
    *out = NULL;
    snprintf(err, errlen, "%s", REC_NO_PS);
    return SZ_ERR_UNSUPPORTED;
}

void lipsync_analyzer_free(ls_analyzer **a)
{
    if (a)
        *a = NULL;
}

int lipsync_analyze(ls_analyzer *a, const float *pcm, size_t n, const char *transcript,
                    ls_track *out, char *err, size_t errlen)
{
    (void)a;
    (void)pcm;
    (void)n;
    (void)transcript;
    lipsync_track_reset(out);
    snprintf(err, errlen, "%s", REC_NO_PS);
    return SZ_ERR_UNSUPPORTED;
}

int lipsync_stream_open(const ls_stream_params *params, ls_stream **out, char *err, size_t errlen)
{
    (void)params;
    *out = NULL;
    snprintf(err, errlen, "%s", REC_NO_PS);
    return SZ_ERR_UNSUPPORTED;
}

int lipsync_stream_push(ls_stream *st, const float *pcm, size_t n)
{
    (void)st;
    (void)pcm;
    (void)n;
    return SZ_ERR_UNSUPPORTED;
}

int64_t lipsync_stream_ready_us(const ls_stream *st)
{
    (void)st;
    return 0;
}

const ls_track *lipsync_stream_track(const ls_stream *st)
{
    (void)st;
    return NULL;
}

int lipsync_stream_face(ls_stream *st, int64_t t_us, sz_face *face)
{
    (void)st;
    (void)t_us;
    (void)face;
    return SZ_ERR_UNSUPPORTED;
}

int lipsync_stream_finish(ls_stream *st)
{
    (void)st;
    return SZ_ERR_UNSUPPORTED;
}

void lipsync_stream_free(ls_stream **st)
{
    if (st)
        *st = NULL;
}

#endif

int lipsync_analyze_file(ls_analyzer *a, const char *path, const char *transcript, ls_track *out,
                         char *err, size_t errlen)
{
    ls_audio au;
    int rc = lipsync_audio_load(path, LS_ANALYSIS_RATE, &au, err, errlen);
    if (rc != SZ_OK)
        return rc;
    rc = lipsync_analyze(a, au.pcm, au.n, transcript, out, err, errlen);
    lipsync_audio_free(&au);
    return rc;
}
