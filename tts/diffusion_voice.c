/* SPDX-License-Identifier: Apache-2.0 */
/* diffusion_voice.c: the "diffusion" voice kind, shuzi's own synthesizer.
 *
 * One run of text -> phones (the text frontend, libespeak-ng) -> tokens
 * (the rule of tools/train/symbols.py) -> encoder and durations
 * (tts/model/) -> flow-matching decoder over overlapping windows of frames
 * -> DSP vocoder (tts/vocoder/) -> PCM, chunk by chunk. Phone and word
 * events carry exact sample positions: they come from the same durations
 * that place the frames.
 *
 * Voices are files: "diffusion:NAME" opens ASSETS/voices/NAME.safetensors;
 * "diffusion:/path/to/file.safetensors" opens any voice file. A run in a
 * language the voice was not trained on gets SZ_ERR_UNSUPPORTED (tts/voice.c
 * then has espeak-ng say it). */
#include <dirent.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <ctype.h>

#include <cjson/cJSON.h>

#include "core/assets.h"
#include "core/cpu/nn.h"
#include "core/log.h"
#include "tts/frontend/frontend.h"
#include "tts/model/dv_model.h"
#include "tts/vocoder/vocoder.h"
#include "tts/voice.h"

#define DIFF_DEFAULT_VARIANT "kathleen"
#define DIFF_FIRST_CHUNK 24  /* frames in the first decoded window (latency) */
#define DIFF_CHUNK 160       /* frames in later windows */
#define DIFF_MARGIN 24       /* context frames on each side of a window */
#define DIFF_EDGE_FRAMES 3   /* most frames for leading/trailing silence tokens */
#define DIFF_TEMPERATURE 0.2f /* default sampling noise */
/* Envelope sharpening, chosen on 60 LJ Speech sentences (not the held-out
 * test texts, seed 1). Pocketsphinx word error rate with the previous voice
 * (Kathleen only): 46.7% without it, 41.3% at 0.3, 40.4% at 0.6, 44.0% at
 * 1.0, 45.9% at 1.5; rechecked with the first teacher-pretrained voice
 * (7,000 + 5,000 steps): 39.2% at 0.3, 37.1% at 0.6, 38.5% at 1.0; with the
 * shipped one (14,000 + 6,000), on the other 100 development sentences:
 * 35.7% at 0.3, 33.4% at 0.6, 33.8% at 1.0. */
#define DIFF_POSTFILTER 0.6f
/* Temporal sharpening of the envelope: each band moves away from its mean
 * over +-DIFF_SHARPEN_RADIUS frames by DIFF_SHARPEN, but never above the
 * highest value in those frames. The decoder's envelopes change too
 * smoothly from frame to frame (the variance of their frame-to-frame
 * differences is about 0.8 of the recordings'), which blurs the moves
 * between phones. Chosen on 60 LJ Speech sentences, not the test texts
 * (shipped voice, postfilter 0.6). Pocketsphinx word error rate of
 * `shuzi tts`, seeds 1 and 2: 36.9/38.5% without it; radius 3 at 1.0:
 * 33.6/35.9%. Unbounded it scored 33.5/33.6%, but overshot onsets: the
 * median peak of a sentence rose from 0.39 to 1.0 (clipping), against 0.43
 * with the bound; bounded below as well, it gained nothing (37.4/36.7%).
 * Radius 2 (unbounded): 34.5/33.8% at 1.0, 34.0% at 1.5 and 38.9% at 2.0
 * (seed 1). */
#define DIFF_SHARPEN 1.0f
#define DIFF_SHARPEN_RADIUS 3
_Static_assert(DIFF_FIRST_CHUNK > DIFF_SHARPEN_RADIUS && DIFF_CHUNK > DIFF_SHARPEN_RADIUS,
               "a window must free the frames held before it");

/* Phrase tunes (diff_tunes): how F0 moves over the last word of a phrase,
 * on top of the model's own (its data are nearly all statements). */
enum { DIFF_TUNE_FALL = 0, DIFF_TUNE_RISE, DIFF_TUNE_CONTINUE, DIFF_TUNE_TONE };
/* Mandarin tone shapes (diff_tunes): the voice trained on the teacher's
 * speech says the tones' levels but flattens their movement inside a
 * syllable (bench/bench_zh_voice.py: a second tone rose 0.5 semitones where
 * the teacher's rise 2.5). Each syllable's F0 gets its tone's movement on
 * top over its voiced part (after a voiceless initial), in semitones from
 * its start to its end; a glide smooths the joins. The sizes were set on
 * training sentences (bench/data/hantts_dev.tsv and the first 40 of
 * hantts_tone_train.tsv) by the share of tones bench_zh_voice.py's
 * recognizer hears right. */
#define DIFF_TONE1_HOLD 1.0f  /* ˥: the model lets it sag toward the next syllable */
#define DIFF_TONE2_RISE 4.5f  /* ˧˥: rises through the syllable */
#define DIFF_TONE3_RISE 3.0f  /* ˨˩˦ (before a pause): low, then rises at its end */
#define DIFF_TONE4_FALL 4.7f  /* ˥˩: falls */
#define DIFF_TONE6_FALL 1.2f  /* ˨˩, the half third: falls a little and stays low */
#define DIFF_TONE_GLIDE 0.45f /* per frame: a time constant of about 20 ms */
#define DIFF_TUNE_RISE_TO 1.35f     /* a yes/no question ends 35% higher */
#define DIFF_TUNE_CONTINUE_TO 1.12f /* a comma's word lifts a little */
#define DIFF_TUNE_FALL_TO 0.88f     /* a statement's last word falls */

typedef enum diff_tok_kind { TOK_EDGE, TOK_PHONE, TOK_STRESS, TOK_SPACE, TOK_PUNCT } diff_tok_kind;

typedef struct diff_tok {
    int id;
    diff_tok_kind kind;
    int word; /* -1 for edges and punctuation */
} diff_tok;

typedef struct diff_voice {
    dv_model *model;
    dv_work *work;
    voc_refiner *refiner; /* the voice file's envelope refiner, or NULL */
    voc *vocoder;
    const dv_info *info;
    int steps;
    float temperature, rate, pitch;
    uint64_t seed;
    int id_start, id_end, id_space, id_comma, id_period, id_question, id_exclaim;
    /* per synthesis */
    diff_tok toks[DV_MAX_TOKENS];
    float mu[DV_MAX_TOKENS * 260];
    int frames[DV_MAX_TOKENS], starts[DV_MAX_TOKENS + 1];
    float held[(DIFF_CHUNK + 2 * DIFF_SHARPEN_RADIUS) * 260]; /* decoded, not yet vocoded */
    float frame[260];
    float pcm[(DIFF_CHUNK + 8) * 1024];
    /* the phrase tunes of the segment being said (diff_tunes) */
    int n_tunes;
    struct {
        int a, b; /* frames of the phrase's last word */
        int kind; /* DIFF_TUNE_* */
        int tone; /* DIFF_TUNE_TONE: the syllable's tone, 1-6 as the frontend's */
    } tunes[DV_MAX_TOKENS];
    float tone_st; /* the tone shape's glide (semitones), frame by frame */
} diff_voice;

/* ---- finding voice files ------------------------------------------------ */

static int diff_path(const char *variant, const char *assets, char *path, size_t cap)
{
    const char *v = variant && variant[0] ? variant : DIFF_DEFAULT_VARIANT;
    size_t n = strlen(v);
    int is_file = strchr(v, '/') || (n > 12 && strcmp(v + n - 12, ".safetensors") == 0);
    int w = is_file ? snprintf(path, cap, "%s", v)
                    : snprintf(path, cap, "%s/voices/%s.safetensors",
                               assets && assets[0] ? assets : sz_assets_dir(), v);
    return w > 0 && (size_t)w < cap;
}

/* "shuzi diffusion voice: <who speaks>", from the speaker its provenance
 * names ("the Kathleen data set (...): a native U.S. English female
 * speaker" gives what follows the last ": "). */
static void diff_describe(const dv_model *m, char *out, size_t cap)
{
    snprintf(out, cap, "shuzi diffusion voice");
    const char *prov = dv_model_metadata(m, "provenance");
    cJSON *j = prov ? cJSON_Parse(prov) : NULL;
    const cJSON *sp = cJSON_GetObjectItemCaseSensitive(j, "speaker");
    if (cJSON_IsString(sp) && sp->valuestring[0]) {
        const char *who = sp->valuestring, *c;
        while ((c = strstr(who, ": ")) != NULL)
            who = c + 2;
        snprintf(out, cap, "shuzi diffusion voice: %.80s", who);
    }
    cJSON_Delete(j);
}

static int diff_list(sz_voice_list_fn fn, void *user)
{
    char dir[1100];
    snprintf(dir, sizeof dir, "%s/voices", sz_assets_dir());
    struct dirent **names = NULL;
    int n = scandir(dir, &names, NULL, alphasort);
    int stop = 0;
    for (int i = 0; i < n; i++) {
        const char *e = names[i]->d_name;
        size_t len = strlen(e);
        if (!stop && len > 12 && strcmp(e + len - 12, ".safetensors") == 0) {
            char path[1400], err[256], name[300];
            snprintf(path, sizeof path, "%s/%s", dir, e);
            dv_model *m = NULL;
            if (dv_model_open(path, &m, err, sizeof err) == SZ_OK) {
                snprintf(name, sizeof name, "diffusion:%.*s", (int)(len - 12), e);
                const dv_info *in = dv_model_info(m);
                char description[128];
                diff_describe(m, description, sizeof description);
                sz_voice_info info = {.name = name,
                                      .kind = "diffusion",
                                      .language = in->language,
                                      .sample_rate_hz = in->sample_rate,
                                      .description = description};
                stop = fn(&info, user) != 0;
                dv_model_free(&m);
            } else {
                SZ_LOGW("tts", "skipping voice file %s: %s", path, err);
            }
        }
        free(names[i]);
    }
    free(names);
    return stop;
}

static void diff_destroy(void *state)
{
    diff_voice *v = state;
    if (!v)
        return;
    voc_free(&v->vocoder);
    voc_refiner_free(&v->refiner);
    dv_work_free(&v->work);
    dv_model_free(&v->model);
    free(v);
}

static int diff_open(const char *variant, const tts_voice_params *params, void **state, char *err,
                     size_t errlen)
{
    char path[1100];
    if (!diff_path(variant, params ? params->assets_dir : NULL, path, sizeof path)) {
        snprintf(err, errlen, "diffusion voice name too long");
        return SZ_ERR_INVALID_ARG;
    }
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "no diffusion voice '%s' (%s not found; see 'shuzi voices')",
                 variant && variant[0] ? variant : DIFF_DEFAULT_VARIANT, path);
        return SZ_ERR_NOT_FOUND;
    }
    fclose(f);
    diff_voice *v = calloc(1, sizeof *v);
    if (!v) {
        snprintf(err, errlen, "out of memory");
        return SZ_ERR_NO_MEMORY;
    }
    int rc = dv_model_open(path, &v->model, err, errlen);
    if (rc != SZ_OK) {
        free(v);
        return rc;
    }
    v->info = dv_model_info(v->model);
    if (v->info->n_feats > 260 || v->info->hop > 1024) {
        snprintf(err, errlen, "%s: more features or a longer hop than this build supports", path);
        diff_destroy(v);
        return SZ_ERR_UNSUPPORTED;
    }
    rc = voc_refiner_load(dv_model_file(v->model), v->info->n_bands, v->info->sample_rate,
                          &v->refiner, err, errlen);
    if (rc != SZ_OK) {
        diff_destroy(v);
        return rc;
    }
    voc_params vp = {.sample_rate = v->info->sample_rate,
                     .hop = v->info->hop,
                     .n_bands = v->info->n_bands,
                     .voicing_threshold = v->info->voicing_threshold,
                     .refiner = v->refiner};
    v->work = dv_work_new(v->model);
    v->vocoder = voc_new(&vp);
    if (!v->work || !v->vocoder) {
        snprintf(err, errlen, "out of memory (or an unusable hop in %s)", path);
        diff_destroy(v);
        return SZ_ERR_NO_MEMORY;
    }
    const char *specials[] = {"^", "$", " ", ",", ".", "?", "!"};
    int *ids[] = {&v->id_start, &v->id_end, &v->id_space, &v->id_comma, &v->id_period,
                  &v->id_question, &v->id_exclaim};
    for (size_t i = 0; i < sizeof specials / sizeof *specials; i++) {
        *ids[i] = dv_model_symbol_id(v->model, specials[i]);
        if (*ids[i] < 0) {
            snprintf(err, errlen, "%s: the symbol table lacks '%s'", path, specials[i]);
            diff_destroy(v);
            return SZ_ERR_FORMAT;
        }
    }
    v->steps = params && params->steps > 0 ? params->steps : TTS_DIFFUSION_DEFAULT_STEPS;
    if (v->steps > DV_MAX_STEPS)
        v->steps = DV_MAX_STEPS;
    v->temperature = !params || params->temperature == 0.0f ? DIFF_TEMPERATURE
                     : params->temperature < 0.0f           ? 0.0f
                                                            : params->temperature;
    v->rate = params && params->speaking_rate > 0 ? params->speaking_rate : 1.0f;
    v->pitch = params && params->pitch > 0 ? params->pitch : 1.0f;
    v->seed = params ? params->seed : 1;
    /* One thread unless asked: it is about 70 times faster than real time
     * alone (RTF 0.0135 with AVX-512 kernels), and OpenBLAS threads spin,
     * taking cores from rendering and encoding. */
    nn_set_threads(params && params->n_threads > 0 ? params->n_threads : 1);
    /* the shuzi command restarts itself for this; a program that links the
     * library has to set the variable itself (core/cpu/nn.h) */
    static int warned;
    const char *better = nn_blas_better_kernels();
    if (better && !__atomic_exchange_n(&warned, 1, __ATOMIC_RELAXED))
        SZ_LOGW("tts", "OpenBLAS runs its generic %s kernels; this CPU can run its %s ones, "
                       "about three times as fast for this voice: start the program with "
                       "OPENBLAS_CORETYPE=%s",
                nn_blas_kernels(), better, better);
    if (tts_is_mandarin(v->info->language))
        fe_prepare_mandarin(); /* the word list now, not in the first sentence's time */
    *state = v;
    return SZ_OK;
}

static int diff_sample_rate(void *state) { return ((diff_voice *)state)->info->sample_rate; }

static const char *diff_language(void *state) { return ((diff_voice *)state)->info->language; }

/* ---- text -> tokens ----------------------------------------------------- */

/* symbols.py's punct_of: the token a word's closing punctuation gives. */
static int diff_punct(const diff_voice *v, const char *word, size_t n)
{
    while (n > 0 && strchr("\"')]}", word[n - 1]))
        n--;
    while (n >= 3 && (memcmp(word + n - 3, "\xE2\x80\x9D", 3) == 0 || /* ” */
                      memcmp(word + n - 3, "\xE2\x80\x99", 3) == 0))  /* ’ */
        n -= 3;
    if (n >= 2 && memcmp(word + n - 2, "\xC2\xBB", 2) == 0) /* » */
        n -= 2;
    /* closing brackets and quotes of Chinese text: 」 』 ） */
    while (n >= 3 && (memcmp(word + n - 3, "\xE3\x80\x8D", 3) == 0 ||
                      memcmp(word + n - 3, "\xE3\x80\x8F", 3) == 0 ||
                      memcmp(word + n - 3, "\xEF\xBC\x89", 3) == 0))
        n -= 3;
    if (n >= 3) { /* Chinese clause punctuation counts as its ASCII form */
        static const struct {
            const char *mark;
            char ascii;
        } zh[] = {{"\xEF\xBC\x8C", ','}, {"\xE3\x80\x81", ','}, {"\xEF\xBC\x9B", ','},
                  {"\xEF\xBC\x9A", ','}, {"\xE3\x80\x82", '.'}, {"\xEF\xBC\x9F", '?'},
                  {"\xEF\xBC\x81", '!'}};
        for (size_t k = 0; k < sizeof zh / sizeof zh[0]; k++)
            if (memcmp(word + n - 3, zh[k].mark, 3) == 0)
                return zh[k].ascii == ',' ? v->id_comma
                       : zh[k].ascii == '.' ? v->id_period
                       : zh[k].ascii == '?' ? v->id_question
                                            : v->id_exclaim;
    }
    if (n == 0)
        return -1;
    char c = word[n - 1];
    if (c == ',' || c == ';' || c == ':')
        return v->id_comma;
    if (n >= 3 && (memcmp(word + n - 3, "\xE2\x80\x94", 3) == 0 || /* — */
                   memcmp(word + n - 3, "\xE2\x80\x93", 3) == 0 || /* – */
                   memcmp(word + n - 3, "\xE2\x80\xA6", 3) == 0))  /* … */
        return v->id_comma;
    if (c == '.')
        return n >= 2 && word[n - 2] == '.' ? v->id_comma : v->id_period;
    if (c == '?')
        return v->id_question;
    if (c == '!')
        return v->id_exclaim;
    return -1;
}

/* The last whitespace-separated word of text. */
static void diff_last_word(const char *text, const char **w, size_t *n)
{
    size_t len = strlen(text);
    while (len > 0 && (text[len - 1] == ' ' || text[len - 1] == '\t' || text[len - 1] == '\n'))
        len--;
    size_t s = len;
    while (s > 0 && text[s - 1] != ' ' && text[s - 1] != '\t' && text[s - 1] != '\n')
        s--;
    *w = text + s;
    *n = len - s;
}

/* symbols.py's is_tone: a phone made of Chao tone letters (U+02E5-U+02E9),
 * as the frontend ends each Mandarin syllable. The voice folds it into the
 * syllable's other phones ("x uɑ n ˥" -> x˥ uɑ˥ n˥). */
static int diff_is_tone(const char *ph)
{
    if (!ph[0])
        return 0;
    for (const unsigned char *p = (const unsigned char *)ph; *p; p += 2)
        if (p[0] != 0xCB || p[1] < 0xA5 || p[1] > 0xA9)
            return 0;
    return 1;
}

/* The length of a symbol without its folded tone letters: phone events name
 * the phone ("uɑ"), not the voice's token ("uɑ˥"). */
static size_t diff_untoned_len(const char *s)
{
    size_t n = strlen(s);
    while (n >= 2 && (unsigned char)s[n - 2] == 0xCB && (unsigned char)s[n - 1] >= 0xA5 &&
           (unsigned char)s[n - 1] <= 0xA9)
        n -= 2;
    return n ? n : strlen(s);
}

/* Appends the tokens of one phone: itself when the voice knows it, else its
 * longest known pieces; a stress mark becomes its own token. Characters no
 * symbol covers are dropped (counted in *dropped). */
static int diff_phone_tokens(const diff_voice *v, const char *ph, int word, diff_tok *out, int cap,
                             int n, int *dropped)
{
    int id = dv_model_symbol_id(v->model, ph);
    if (id >= 0) {
        if (n < cap)
            out[n] = (diff_tok){id, TOK_PHONE, word};
        return n + 1;
    }
    size_t len = strlen(ph), i = 0;
    while (i < len) {
        size_t best = 0;
        int best_id = -1;
        for (size_t s = 0; s < v->info->n_symbols; s++) {
            const char *sym = dv_model_symbol(v->model, s);
            size_t l = strlen(sym);
            if (s == (size_t)v->id_start || s == (size_t)v->id_end || s == (size_t)v->id_space ||
                s == (size_t)v->id_comma || s == (size_t)v->id_period ||
                s == (size_t)v->id_question || s == (size_t)v->id_exclaim)
                continue;
            if (l > best && i + l <= len && memcmp(ph + i, sym, l) == 0) {
                best = l;
                best_id = (int)s;
            }
        }
        if (!best) {
            i++;
            while (i < len && ((unsigned char)ph[i] & 0xC0) == 0x80)
                i++; /* the rest of that UTF-8 character */
            (*dropped)++;
            continue;
        }
        const char *sym = dv_model_symbol(v->model, (size_t)best_id);
        int stress = strcmp(sym, "\xCB\x88") == 0 || strcmp(sym, "\xCB\x8C") == 0;
        if (n < cap)
            out[n] = (diff_tok){best_id, stress ? TOK_STRESS : TOK_PHONE, word};
        n++;
        i += best;
    }
    return n;
}

/* ---- synthesis ------------------------------------------------------------ */

typedef struct diff_run {
    diff_voice *v;
    const tts_sink *sink;
    const tts_synth_opts *opts;
    const fe_phones *ph;
    char **words;       /* text words (punctuation stripped) */
    size_t n_text_words;
    int *first_text;    /* per phone word: its first text word */
    int *n_texts;       /* per phone word: how many text words it says (0: it goes on
                           saying the previous word; 2+: espeak joined words) */
    int *text_cost;     /* per text word: phones when said alone (to split joins) */
    int64_t base;      /* samples before this segment */
    int64_t sent;      /* samples delivered in this segment */
    int next_event;    /* next token whose events are due */
    int64_t frame_base; /* frames before this segment (noise index) */
    int stop;
} diff_run;

static int diff_event(diff_run *r, tts_event_type type, int64_t start, int64_t end,
                      const char *value, size_t n)
{
    tts_event ev = {.type = type, .start = start, .end = end};
    if (n >= sizeof ev.value)
        n = sizeof ev.value - 1;
    memcpy(ev.value, value, n);
    ev.value[n] = 0;
    if (r->sink->on_event && r->sink->on_event(r->sink->user, &ev))
        r->stop = 1;
    return !r->stop;
}

/* Word events for the phone word starting at token i: one text word, or
 * several when espeak joined them ("of the"), its tokens split between them
 * by how many phones each has alone. A phone word that continues the
 * previous text word extends it. */
static void diff_word_events(diff_run *r, int i, int n_tok)
{
    diff_voice *v = r->v;
    const int hop = v->info->hop;
    int pw = v->toks[i].word;
    int m = r->n_texts ? r->n_texts[pw] : 0;
    if (m <= 0 || !r->words)
        return;
    int end = i; /* tokens of this phone word and of words continuing it */
    while (end < n_tok && v->toks[end].kind != TOK_EDGE && v->toks[end].kind != TOK_PUNCT &&
           (v->toks[end].word == pw || v->toks[end].word < 0 ||
            (v->toks[end].word > pw && r->n_texts[v->toks[end].word] == 0)))
        end++;
    while (end > i && v->toks[end - 1].kind == TOK_SPACE)
        end--;
    int first = r->first_text[pw], total = 0, acc = 0;
    for (int k = 0; k < m; k++)
        total += r->text_cost[first + k] > 0 ? r->text_cost[first + k] : 1;
    int span = end - i, at_tok = i;
    for (int k = 0; k < m && !r->stop; k++) {
        acc += r->text_cost[first + k] > 0 ? r->text_cost[first + k] : 1;
        int next = k + 1 == m ? end : i + (int)((double)span * acc / total + 0.5);
        if (next <= at_tok)
            next = at_tok + 1 < end ? at_tok + 1 : end;
        const char *w = r->words[first + k];
        diff_event(r, TTS_EV_WORD, r->base + (int64_t)v->starts[at_tok] * hop,
                   r->base + (int64_t)v->starts[next] * hop, w, strlen(w));
        at_tok = next < end ? next : end;
    }
}

/* Sends the events of tokens that start before sample `upto` of the segment. */
static void diff_events_until(diff_run *r, int n_tok, int64_t upto)
{
    diff_voice *v = r->v;
    const int hop = v->info->hop;
    while (!r->stop && r->next_event < n_tok &&
           (int64_t)v->starts[r->next_event] * hop < upto) {
        int i = r->next_event++;
        const diff_tok *t = &v->toks[i];
        int64_t at = r->base + (int64_t)v->starts[i] * hop;
        if (t->kind == TOK_SPACE)
            continue;
        if (t->kind == TOK_EDGE || t->kind == TOK_PUNCT) {
            diff_event(r, TTS_EV_PHONE, at, at, "", 0);
            continue;
        }
        /* the first token of a word starts the word */
        if (t->word >= 0 && (i == 0 || v->toks[i - 1].word != t->word))
            diff_word_events(r, i, n_tok);
        if (t->kind == TOK_STRESS) {
            /* the stress mark and the vowel after it are one phone */
            char buf[96];
            const char *s = dv_model_symbol(v->model, (size_t)t->id);
            int nb = snprintf(buf, sizeof buf, "%s%s", s,
                              i + 1 < n_tok && v->toks[i + 1].kind == TOK_PHONE
                                  ? dv_model_symbol(v->model, (size_t)v->toks[i + 1].id)
                                  : "");
            diff_event(r, TTS_EV_PHONE, at, at, buf, (size_t)nb);
            if (i + 1 < n_tok && v->toks[i + 1].kind == TOK_PHONE &&
                v->toks[i + 1].word == t->word)
                r->next_event++; /* its vowel is part of this event */
            continue;
        }
        const char *s = dv_model_symbol(v->model, (size_t)t->id);
        diff_event(r, TTS_EV_PHONE, at, at, s, diff_untoned_len(s));
    }
}

static void diff_audio(diff_run *r, int n_tok, const float *pcm, size_t n)
{
    if (!n || r->stop)
        return;
    diff_events_until(r, n_tok, r->sent + (int64_t)n);
    if (r->stop)
        return;
    float gain = r->opts->volume >= 0 ? r->opts->volume : 1.0f;
    float *p = (float *)pcm;
    if (gain != 1.0f)
        for (size_t i = 0; i < n; i++)
            p[i] *= gain;
    if (r->sink->on_audio && r->sink->on_audio(r->sink->user, pcm, n))
        r->stop = 1;
    r->sent += (int64_t)n;
}

/* Sharpens the envelope of one frame: each band moves away from the mean
 * of its neighbours (+-3 bands of 48, the same width in mel for other band
 * counts: +-5 of 80) by DIFF_POSTFILTER. Models trained on a squared error
 * predict over-smoothed spectra (formant peaks too flat); this restores
 * some of their contrast. */
static void diff_postfilter(const diff_voice *v, float *f)
{
    const int nb = v->info->n_bands, r = (3 * nb + 24) / 48;
    const float alpha = DIFF_POSTFILTER;
    float orig[256];
    memcpy(orig, f, sizeof(float) * (size_t)nb);
    for (int i = 0; i < nb; i++) {
        int lo = i - r < 0 ? 0 : i - r, hi = i + r >= nb ? nb - 1 : i + r;
        float m = 0;
        for (int k = lo; k <= hi; k++)
            m += orig[k];
        m /= (float)(hi - lo + 1);
        f[i] = orig[i] + alpha * (orig[i] - m);
    }
}

/* Frame t of a segment of `total` frames, sharpened in time, into out:
 * held[] holds frames h0 .. h0 + n_held - 1, which must include t's
 * neighbours (clamped to the segment). Only the envelope bands change. */
static void diff_sharpen(const diff_voice *v, int h0, int total, int t, float *out)
{
    const int nb = v->info->n_bands, d = v->info->n_feats, r = DIFF_SHARPEN_RADIUS;
    const float *f = v->held + (size_t)(t - h0) * d;
    memcpy(out, f, sizeof(float) * (size_t)d);
    for (int i = 0; i < nb; i++) {
        float m = 0, hi = f[i];
        for (int k = t - r; k <= t + r; k++) {
            int c = k < 0 ? 0 : k >= total ? total - 1 : k;
            float e = v->held[(size_t)(c - h0) * d + i];
            m += e;
            hi = e > hi ? e : hi;
        }
        m /= (float)(2 * r + 1);
        float s = f[i] + DIFF_SHARPEN * (f[i] - m);
        out[i] = s > hi ? hi : s;
    }
}

/* The question words that make a question fall at its end like a statement. */
static int diff_wh_word(const char *w)
{
    static const char *const wh[] = {"what", "where", "when", "why",  "who",
                                     "whom", "whose", "which", "how", NULL};
    for (int i = 0; wh[i]; i++)
        if (strcasecmp(w, wh[i]) == 0)
            return 1;
    return 0;
}

/* The tone a token folds in (its symbol's trailing tone letters): 1-6, or
 * 0 for none. */
static int diff_token_tone(const diff_voice *v, int id)
{
    const char *s = dv_model_symbol(v->model, (size_t)id);
    size_t n = strlen(s), k = diff_untoned_len(s);
    if (k >= n)
        return 0;
    static const char *const letters[] = {"", "˥", "˧˥", "˨˩˦", "˥˩", "˩", "˨˩"};
    for (int t = 1; t <= 6; t++)
        if (strcmp(s + k, letters[t]) == 0)
            return t;
    return 0;
}

/* Whether a Mandarin token is a voiceless initial (no F0 to shape). */
static int diff_voiceless_initial(const diff_voice *v, int id)
{
    static const char *const initials[] = {"p", "pʰ", "t", "tʰ", "k", "kʰ", "f", "x", "tɕ", "tɕʰ",
                                           "ɕ", "ʈʂ", "ʈʂʰ", "ʂ", "ts", "tsʰ", "s"};
    const char *s = dv_model_symbol(v->model, (size_t)id);
    size_t n = diff_untoned_len(s);
    for (size_t k = 0; k < sizeof initials / sizeof initials[0]; k++)
        if (strlen(initials[k]) == n && !strncmp(s, initials[k], n))
            return 1;
    return 0;
}

/* Mandarin: a tone shape over each syllable (a word of tokens). */
static void diff_tones(diff_voice *v, int n)
{
    for (int i = 0; i < n;) {
        const diff_tok *t = &v->toks[i];
        if (t->kind != TOK_PHONE || t->word < 0) {
            i++;
            continue;
        }
        int j = i;
        while (j < n && v->toks[j].word == t->word && v->toks[j].kind == TOK_PHONE)
            j++;
        int tone = diff_token_tone(v, v->toks[j - 1].id);
        /* the shape goes over the voiced part: after a voiceless initial */
        int k = i;
        if (j - i > 1 && diff_voiceless_initial(v, v->toks[i].id))
            k = i + 1;
        if (tone >= 1 && tone <= 6 && tone != 5) {
            v->tunes[v->n_tunes].a = v->starts[k];
            v->tunes[v->n_tunes].b = v->starts[j];
            v->tunes[v->n_tunes].kind = DIFF_TUNE_TONE;
            v->tunes[v->n_tunes].tone = tone;
            v->n_tunes++;
        }
        i = j;
    }
}

/* The tune of each phrase in tokens [0, n): the frames of the word before
 * each punctuation token and how F0 moves over it. A question rises unless
 * its first word asks what, where, ...; a comma's word lifts (the list goes
 * on); a statement's or exclamation's last word falls. */
static void diff_tunes(diff_run *r, int n)
{
    diff_voice *v = r->v;
    v->n_tunes = 0;
    /* A tone language carries its phrase intonation in the voice itself (the
     * Mandarin teacher's declination, final lowering and question rise): a
     * tune on top would bend the last syllable's tone. */
    if (tts_is_mandarin(v->info->language)) {
        diff_tones(v, n);
        return;
    }
    int phrase_first_word = -1;
    for (int i = 0; i < n; i++) {
        const diff_tok *t = &v->toks[i];
        if (t->kind == TOK_PHONE && phrase_first_word < 0)
            phrase_first_word = t->word;
        if (t->kind != TOK_PUNCT)
            continue;
        int j = i - 1;
        while (j >= 0 && v->toks[j].kind == TOK_SPACE)
            j--;
        int w = j >= 0 ? v->toks[j].word : -1;
        int kind = -1;
        if (t->id == v->id_comma) {
            kind = DIFF_TUNE_CONTINUE;
        } else if (t->id == v->id_question) {
            kind = DIFF_TUNE_RISE;
            if (phrase_first_word >= 0 && r->words && r->n_texts &&
                r->n_texts[phrase_first_word] > 0 &&
                diff_wh_word(r->words[r->first_text[phrase_first_word]]))
                kind = DIFF_TUNE_FALL;
        } else if (t->id == v->id_period || t->id == v->id_exclaim) {
            kind = DIFF_TUNE_FALL;
        }
        if (t->id != v->id_comma)
            phrase_first_word = -1; /* a new sentence begins */
        if (kind < 0 || w < 0)
            continue;
        int first = j;
        while (first > 0 && (v->toks[first - 1].word == w || v->toks[first - 1].kind == TOK_STRESS))
            first--;
        if (v->starts[i] <= v->starts[first])
            continue;
        v->tunes[v->n_tunes].a = v->starts[first];
        v->tunes[v->n_tunes].b = v->starts[i];
        v->tunes[v->n_tunes].kind = kind;
        v->n_tunes++;
    }
}

/* The F0 multiplier of a frame from the phrase tunes. */
static float diff_tune_at(const diff_voice *v, int frame)
{
    for (int k = 0; k < v->n_tunes; k++) {
        if (frame < v->tunes[k].a || frame >= v->tunes[k].b)
            continue;
        if (v->tunes[k].kind == DIFF_TUNE_TONE)
            continue;
        float t = (float)(frame - v->tunes[k].a + 0.5f) / (float)(v->tunes[k].b - v->tunes[k].a);
        switch (v->tunes[k].kind) {
        case DIFF_TUNE_RISE:
            return 1.0f + (DIFF_TUNE_RISE_TO - 1.0f) * t * t;
        case DIFF_TUNE_CONTINUE:
            return 1.0f + (DIFF_TUNE_CONTINUE_TO - 1.0f) * sinf(1.5707963f * t);
        default:
            return 1.0f + (DIFF_TUNE_FALL_TO - 1.0f) * t;
        }
    }
    return 1.0f;
}

/* The tone shape of a frame (semitones, before the glide): 0 outside the
 * syllables of a rising or falling tone. */
static float diff_tone_st(const diff_voice *v, int frame)
{
    for (int k = 0; k < v->n_tunes; k++) {
        if (v->tunes[k].kind != DIFF_TUNE_TONE || frame < v->tunes[k].a || frame >= v->tunes[k].b)
            continue;
        float t = (float)(frame - v->tunes[k].a + 0.5f) / (float)(v->tunes[k].b - v->tunes[k].a);
        switch (v->tunes[k].tone) {
        case 2:
            return DIFF_TONE2_RISE * (t - 0.5f);
        case 3:
            return DIFF_TONE3_RISE * (t * t - 0.33f);
        case 4:
            return DIFF_TONE4_FALL * (0.5f - t);
        case 1:
            return DIFF_TONE1_HOLD * (t - 0.5f);
        default:
            return DIFF_TONE6_FALL * (0.5f - t);
        }
    }
    return 0.0f;
}

/* Synthesizes tokens v->toks[0..n): encoder, windows of decoder, vocoder. */
static int diff_segment(diff_run *r, int n)
{
    diff_voice *v = r->v;
    const dv_info *in = v->info;
    const int d = in->n_feats, hop = in->hop;
    int ids[DV_MAX_TOKENS];
    for (int i = 0; i < n; i++)
        ids[i] = v->toks[i].id;
    float rate = (r->opts->rate > 0 ? r->opts->rate : 1.0f) * v->rate;
    int rc = dv_encode(v->model, v->work, ids, n, rate, v->mu, v->frames);
    if (rc != SZ_OK)
        return rc;
    /* leading and trailing silence is short: the engine adds its own pauses */
    for (int i = 0; i < n; i++)
        if (v->toks[i].kind == TOK_EDGE ||
            (v->toks[i].kind == TOK_PUNCT && i == n - 2 && v->toks[n - 1].kind == TOK_EDGE))
            if (v->frames[i] > DIFF_EDGE_FRAMES)
                v->frames[i] = DIFF_EDGE_FRAMES;
    v->starts[0] = 0;
    for (int i = 0; i < n; i++)
        v->starts[i + 1] = v->starts[i] + v->frames[i];
    const int total = v->starts[n];
    float pitch = (r->opts->pitch > 0 ? r->opts->pitch : 1.0f) * v->pitch;
    diff_tunes(r, n);
    v->tone_st = 0.0f;
    voc_reset(v->vocoder, v->seed ^ (uint64_t)r->frame_base);
    r->sent = 0;
    r->next_event = 0;
    /* Decoded frames wait in v->held until their right neighbours for the
     * sharpening are decoded: frames h0 .. h0 + n_held - 1 are held, frames
     * from `next` on are not vocoded yet. */
    int h0 = 0, n_held = 0, next = 0;
    for (int a = 0; a < total && !r->stop;) {
        int b = a + (a == 0 ? DIFF_FIRST_CHUNK : DIFF_CHUNK);
        if (b > total)
            b = total;
        rc = dv_decode_frames(v->model, v->work, v->mu, n, v->starts, a, b, DIFF_MARGIN, v->steps,
                              v->temperature, v->seed, r->frame_base,
                              v->held + (size_t)n_held * d);
        if (rc != SZ_OK)
            return rc;
        n_held += b - a;
        int ready = b == total ? total : b - DIFF_SHARPEN_RADIUS;
        size_t got = 0;
        for (; next < ready; next++) {
            diff_sharpen(v, h0, total, next, v->frame);
            diff_postfilter(v, v->frame);
            v->tone_st += DIFF_TONE_GLIDE * (diff_tone_st(v, next) - v->tone_st);
            got += voc_push(v->vocoder, v->frame,
                            pitch * diff_tune_at(v, next) * exp2f(v->tone_st / 12.0f),
                            v->pcm + got);
        }
        diff_audio(r, n, v->pcm, got);
        int keep = next - DIFF_SHARPEN_RADIUS > h0 ? next - DIFF_SHARPEN_RADIUS : h0;
        n_held -= keep - h0;
        memmove(v->held, v->held + (size_t)(keep - h0) * d, sizeof(float) * (size_t)n_held * d);
        h0 = keep;
        a = b;
    }
    if (!r->stop) {
        size_t got = voc_finish(v->vocoder, v->pcm);
        diff_audio(r, n, v->pcm, got);
        diff_events_until(r, n, INT64_MAX);
    }
    r->base += (int64_t)total * hop;
    r->frame_base += total;
    return r->stop ? SZ_ERR_CANCELLED : SZ_OK;
}

/* Strips the punctuation around a word ("closely." -> "closely"). */
static char *diff_bare_word(char *w)
{
    size_t n = strlen(w);
    while (n > 0 && ispunct((unsigned char)w[n - 1]))
        w[--n] = 0;
    while (n >= 3 && (unsigned char)w[n - 3] == 0xE2 && (unsigned char)w[n - 2] == 0x80) {
        w[n - 3] = 0; /* ” ’ … — – */
        n -= 3;
        while (n > 0 && ispunct((unsigned char)w[n - 1]))
            w[--n] = 0;
    }
    while (*w && ispunct((unsigned char)*w) && *w != '\'')
        w++;
    while ((unsigned char)w[0] == 0xE2 && (unsigned char)w[1] == 0x80 && w[2])
        w += 3; /* “ ‘ */
    return w;
}

/* A copy of text with each Han character a word of its own and Chinese
 * punctuation a space: Mandarin syllables are matched to characters. */
static char *diff_spaced_copy(const char *text)
{
    size_t len = strlen(text);
    char *out = malloc(len * 3 + 1), *o = out;
    if (!out)
        return NULL;
    for (size_t i = 0; i < len;) {
        const unsigned char *p = (const unsigned char *)text + i;
        uint32_t cp = 0;
        size_t n = 1;
        if (p[0] >= 0xE0 && p[0] < 0xF0 && i + 3 <= len && (p[1] & 0xC0) == 0x80 &&
            (p[2] & 0xC0) == 0x80) {
            cp = ((uint32_t)(p[0] & 0x0F) << 12) | ((uint32_t)(p[1] & 0x3F) << 6) | (p[2] & 0x3F);
            n = 3;
        }
        int han = (cp >= 0x3400 && cp <= 0x9FFF) || (cp >= 0xF900 && cp <= 0xFAFF);
        int punct = (cp >= 0x3000 && cp <= 0x303F) || (cp >= 0xFF01 && cp <= 0xFF0F) ||
                    (cp >= 0xFF1A && cp <= 0xFF20) || (cp >= 0xFF3B && cp <= 0xFF40) ||
                    (cp >= 0xFF5B && cp <= 0xFF65);
        if (punct) {
            *o++ = ' ';
        } else if (han) {
            *o++ = ' ';
            memcpy(o, p, n);
            o += n;
            *o++ = ' ';
        } else {
            memcpy(o, p, n);
            o += n;
        }
        i += n;
    }
    *o = 0;
    return out;
}

/* Splits the shown text into words and matches them to the phone words.
 * When counts differ (espeak joins "of the", or splits a word), each text
 * word is phonemized alone and the words are assigned greedily by phone
 * counts. Returns the storage of r->words (caller frees); on failure the
 * word events are simply left out. */
static char *diff_align_words(diff_voice *v, const char *shown, const fe_phones *ph, int ipa,
                              diff_run *r)
{
    char *copy = diff_spaced_copy(shown);
    size_t cap = strlen(shown) / 2 + 2, n = 0, np = ph->n_words;
    r->words = calloc(cap, sizeof *r->words);
    r->text_cost = calloc(cap, sizeof *r->text_cost);
    r->first_text = calloc(np + 1, sizeof *r->first_text);
    r->n_texts = calloc(np + 1, sizeof *r->n_texts);
    if (!copy || !r->words || !r->text_cost || !r->first_text || !r->n_texts) {
        free(r->words);
        r->words = NULL;
        return copy;
    }
    char *save = NULL;
    for (char *w = strtok_r(copy, " \t\n", &save); w && n < cap; w = strtok_r(NULL, " \t\n", &save)) {
        char *b = diff_bare_word(w);
        if (*b)
            r->words[n++] = b;
    }
    r->n_text_words = n;
    if (n == np || ipa || n == 0) { /* one to one (extra words of an IPA run are dropped) */
        for (size_t j = 0; j < np; j++) {
            r->first_text[j] = (int)(j < n ? j : 0);
            r->n_texts[j] = j < n ? 1 : 0;
        }
        for (size_t i = 0; i < n; i++)
            r->text_cost[i] = 1;
        return copy;
    }
    for (size_t i = 0; i < n; i++) {
        fe_phones one;
        memset(&one, 0, sizeof one);
        char err[64];
        if (fe_phonemize(v->info->language, r->words[i], &one, err, sizeof err) == SZ_OK)
            r->text_cost[i] = (int)one.n_phones;
        fe_phones_clear(&one);
    }
    /* dynamic programming: groups of g phone words <-> m text words (one of
     * them 1), cost = phone count mismatch + a little per join or split */
    size_t w1 = n + 1;
    float *cost = malloc(sizeof(float) * (np + 1) * w1);
    unsigned char *how = malloc((np + 1) * w1);
    if (!cost || !how) {
        free(cost);
        free(how);
        for (size_t j = 0; j < np; j++)
            r->n_texts[j] = 0;
        return copy;
    }
    for (size_t i = 0; i < (np + 1) * w1; i++)
        cost[i] = 1e30f;
    cost[0] = 0;
    for (size_t j = 0; j < np; j++)
        for (size_t k = 0; k < n; k++) {
            float c0 = cost[j * w1 + k];
            if (c0 >= 1e30f)
                continue;
            for (int g = 1; g <= 3 && j + (size_t)g <= np; g++)
                for (int m = 1; m <= 4 && k + (size_t)m <= n; m++) {
                    if (g > 1 && m > 1)
                        break;
                    int lp = (int)(ph->word_start[j + (size_t)g] - ph->word_start[j]), lt = 0;
                    for (int q = 0; q < m; q++)
                        lt += r->text_cost[k + (size_t)q];
                    float c = c0 + (float)abs(lp - lt) + 0.5f * (float)(g + m - 2);
                    size_t at = (j + (size_t)g) * w1 + k + (size_t)m;
                    if (c < cost[at]) {
                        cost[at] = c;
                        how[at] = (unsigned char)(g * 8 + m);
                    }
                }
        }
    if (cost[np * w1 + n] >= 1e30f) { /* cannot happen when n <= 4 np and np <= 3 n */
        for (size_t j = 0; j < np; j++)
            r->n_texts[j] = 0;
    } else {
        for (size_t j = np, k = n; j > 0;) {
            int g = how[j * w1 + k] / 8, m = how[j * w1 + k] % 8;
            j -= (size_t)g;
            k -= (size_t)m;
            r->first_text[j] = (int)k;
            r->n_texts[j] = m;
            for (int q = 1; q < g; q++)
                r->n_texts[j + (size_t)q] = 0;
        }
    }
    free(cost);
    free(how);
    return copy;
}

static int diff_synthesize(void *state, const char *text, const tts_synth_opts *opts,
                           const tts_sink *sink, char *err, size_t errlen)
{
    diff_voice *v = state;
    const char *lang = opts->language && opts->language[0] ? opts->language : v->info->language;
    if (!tts_language_matches(v->info->language, lang)) {
        snprintf(err, errlen, "voice %s speaks %s, not %s", v->info->name, v->info->language,
                 lang);
        return SZ_ERR_UNSUPPORTED;
    }
    fe_phones ph;
    memset(&ph, 0, sizeof ph);
    int rc = opts->input == TTS_INPUT_IPA ? fe_phonemize_ipa(text, &ph, err, errlen)
                                          : fe_phonemize(v->info->language, text, &ph, err, errlen);
    if (rc != SZ_OK)
        return rc;
    /* text words, for word events, matched to espeak's phone words */
    const char *shown = opts->input == TTS_INPUT_IPA && opts->display ? opts->display : text;
    diff_run r = {.v = v, .sink = sink, .opts = opts, .ph = &ph};
    char *copy = diff_align_words(v, shown, &ph, opts->input == TTS_INPUT_IPA, &r);
    const char *last;
    size_t last_n;
    diff_last_word(shown, &last, &last_n);
    int final_punct = diff_punct(v, last, last_n);
    int dropped = 0;
    /* segments of at most DV_MAX_TOKENS tokens, cut between words */
    size_t w = 0;
    rc = SZ_OK;
    while (rc == SZ_OK && (w < ph.n_words || (ph.n_words == 0 && w == 0))) {
        int n = 0;
        v->toks[n++] = (diff_tok){v->id_start, TOK_EDGE, -1};
        size_t first = w;
        int prev_toned = 0;
        while (w < ph.n_words) {
            diff_tok tmp[64];
            int m = 0;
            size_t k0 = ph.word_start[w], k1 = ph.word_start[w + 1];
            const char *tone = k1 - k0 > 1 && diff_is_tone(ph.phones[k1 - 1]) ? ph.phones[k1 - 1]
                                                                               : NULL;
            /* symbols.py: no space between two Mandarin syllables */
            if (w > first && !(tone && prev_toned))
                tmp[m++] = (diff_tok){v->id_space, TOK_SPACE, -1};
            prev_toned = tone != NULL;
            for (size_t k = k0; k < (tone ? k1 - 1 : k1); k++) {
                char toned[64];
                const char *p = ph.phones[k];
                if (tone && snprintf(toned, sizeof toned, "%s%s", p, tone) < (int)sizeof toned)
                    p = toned;
                m = diff_phone_tokens(v, p, (int)w, tmp, 64, m, &dropped);
            }
            if (m > 64)
                m = 64; /* a 60-phone word: the rest is dropped */
            if (n + m + 2 > DV_MAX_TOKENS && w > first)
                break;
            if (n + m + 2 > DV_MAX_TOKENS)
                m = DV_MAX_TOKENS - 2 - n;
            memcpy(v->toks + n, tmp, sizeof(diff_tok) * (size_t)m);
            n += m;
            w++;
        }
        if (w >= ph.n_words && final_punct >= 0)
            v->toks[n++] = (diff_tok){final_punct, TOK_PUNCT, -1};
        v->toks[n++] = (diff_tok){v->id_end, TOK_EDGE, -1};
        rc = diff_segment(&r, n);
        if (ph.n_words == 0)
            break;
    }
    if (dropped)
        SZ_LOGW("tts", "voice %s: %d phone character(s) it has no symbol for were left out",
                v->info->name, dropped);
    if (rc == SZ_ERR_CANCELLED)
        err[0] = 0;
    else if (rc != SZ_OK)
        snprintf(err, errlen, "diffusion voice: synthesis failed (%s)", sz_strerror(rc));
    free(r.words);
    free(r.first_text);
    free(r.n_texts);
    free(r.text_cost);
    free(copy);
    fe_phones_clear(&ph);
    return rc;
}

const tts_voice_kind tts_diffusion_kind = {
    .kind = "diffusion",
    .list = diff_list,
    .open = diff_open,
    .sample_rate = diff_sample_rate,
    .synthesize = diff_synthesize,
    .destroy = diff_destroy,
    .language = diff_language,
    .raw_text = 0,
};
