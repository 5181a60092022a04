/* SPDX-License-Identifier: Apache-2.0 */
/* bench_voice.c: the diffusion voice's bars (issue 8) beside espeak-ng: ASR word
 * error rate on held-out sentences (with Festival and the real recordings), RTF and
 * first-chunk latency on one thread, peak RSS of `shuzi tts`. Prints figures only. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/cpu/nn.h"
#include "lipsync/audio_file.h"
#include "shuzi.h"
#include "tts/speak.h"
#include "tts/voice.h"

#ifdef SHUZI_HAVE_POCKETSPHINX
#include <pocketsphinx.h>
#include <sphinxbase/err.h>

#include "bench/festival.h"
#endif

#ifndef SHUZI_SOURCE_DIR
#define SHUZI_SOURCE_DIR "."
#endif

#define BV_DEFAULT_VOICE "diffusion:kathleen"
#define BV_BASELINE_VOICE "espeak:en-us"
#define BV_ASR_RATE 16000
#define BV_SOUND_LEVEL 1e-3f /* a chunk "holds sound" when a sample passes -60 dBFS */
#define BV_LATENCY_RUNS 7
#define BV_MAX_SENTENCES 4096
#define BV_TARGET_WER_RATIO 1.25
/* on Kathleen's held-out texts: her own recordings are the yardstick */
#define BV_TARGET_WER_RATIO_REC 1.10
#define BV_TARGET_RTF 0.05
#define BV_TARGET_FIRST_MS 50.0
#define BV_TARGET_RSS_MB 200.0

/* 20 words, for first-chunk latency and memory. */
static const char bv_short_text[] =
    "Please remember to bring your passport, two recent photographs, and the signed "
    "application form when you visit our office tomorrow.";

/* About 150 words: memory must not grow with the length of the text. */
static const char bv_long_text[] =
    "Our branch on Market Street opens at nine in the morning and closes at five in the "
    "afternoon, from Monday to Friday. On Saturdays we open for a few hours before noon, "
    "mainly for deposits and simple questions. If you would like to open a new account, "
    "please bring a document that shows your name and your address, such as a recent "
    "letter from a utility company. The whole process usually takes about twenty minutes, "
    "and you will leave with a card you can use the same day. Customers who prefer to bank "
    "from home can do almost everything through the website, including paying bills, "
    "moving money between accounts and setting up regular transfers. When something goes "
    "wrong, our support team is ready to help by phone or in person, and we always try to "
    "answer every question within one working day. Thank you for choosing us, and we look "
    "forward to seeing you soon at the branch.";

/* The same for a Mandarin voice (about 30 and 230 syllables). */
static const char bv_short_text_zh[] =
    "请您明天来办理的时候，带上护照、两张近期照片和签好字的申请表，我们会尽快为您处理。";
static const char bv_long_text_zh[] =
    "我们在市场街的网点，周一到周五上午九点开门，下午五点关门。星期六上午也营业几个小时，"
    "主要办理存款和回答一些简单的问题。如果您想开一个新账户，请带上能证明您姓名和住址的证件，"
    "比如最近的水电费账单。整个过程一般需要二十分钟左右，办完以后您当天就能拿到一张可以使用的银行卡。"
    "喜欢在家办理业务的客户，几乎所有的事情都可以在网上完成，包括缴费、在账户之间转账和设置定期转账。"
    "如果遇到问题，我们的客服团队随时准备通过电话或者当面为您提供帮助，我们总是尽量在一个工作日内"
    "回答每一个问题。感谢您选择我们，期待很快在网点见到您。";

/* The texts the speed and memory sections say: Mandarin ones for a
 * Mandarin voice (set in main). */
static const char *bv_short = bv_short_text, *bv_long = bv_long_text;

typedef struct bv_sentence {
    char uid[128];
    char *text;
} bv_sentence;

/* the systems the wer section scores (--systems ours,espeak,festival,data) */
enum { BV_OURS, BV_ESPEAK, BV_FESTIVAL, BV_KATHLEEN, BV_N_SYSTEMS };

typedef struct bv_opts {
    const char *voice;
    int wer, speed, memory;
    int systems[BV_N_SYSTEMS]; /* 1: scored */
    size_t limit;
    char data_dir[1024];
    const char *data_label; /* what the recordings are (default: Kathleen's voice) */
    char sentences[1024];
    const char *dump;
    char shuzi[1024];
} bv_opts;

/* ---- small helpers ------------------------------------------------------- */

static double bv_now_s(void)
{
    return (double)clock_now_us() * 1e-6;
}

/* CPU time of this process (all threads), in seconds. */
static double bv_cpu_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static int bv_cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Median of v[0..n) (sorts v). */
static double bv_median(double *v, size_t n)
{
    if (n == 0)
        return 0.0;
    qsort(v, n, sizeof *v, bv_cmp_double);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/* ---- sentences ----------------------------------------------------------- */

static void bv_sentences_free(bv_sentence *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(s[i].text);
    free(s);
}

/* Reads "uid<TAB>text" lines; keeps the first uid of each distinct text, in
 * file order. Returns the count, or -1 with a message on stderr. */
static long bv_sentences_load(const char *path, bv_sentence **out)
{
    *out = NULL;
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "bench_voice: %s: cannot open: %s\n", path, strerror(errno));
        return -1;
    }
    bv_sentence *s = calloc(BV_MAX_SENTENCES, sizeof *s);
    size_t n = 0, cap = 0;
    char *line = NULL;
    long lineno = 0;
    ssize_t len;
    int bad = s == NULL;
    while (!bad && (len = getline(&line, &cap, f)) >= 0) {
        lineno++;
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = 0;
        if (len == 0)
            continue;
        char *tab = strchr(line, '\t');
        if (!tab || tab == line || tab[1] == 0 || strchr(tab + 1, '\t') ||
            (size_t)(tab - line) >= sizeof s[0].uid) {
            fprintf(stderr,
                    "bench_voice: %s:%ld: expected \"UID<TAB>TEXT\" (a uid of at most %zu "
                    "characters, one tab, a non-empty text)\n",
                    path, lineno, sizeof s[0].uid - 1);
            bad = 1;
            break;
        }
        *tab = 0;
        int seen = 0;
        for (size_t i = 0; i < n && !seen; i++)
            seen = strcmp(s[i].text, tab + 1) == 0;
        if (seen)
            continue;
        if (n == BV_MAX_SENTENCES) {
            fprintf(stderr, "bench_voice: %s:%ld: more than %d distinct texts\n", path, lineno,
                    BV_MAX_SENTENCES);
            bad = 1;
            break;
        }
        snprintf(s[n].uid, sizeof s[n].uid, "%s", line);
        s[n].text = strdup(tab + 1);
        if (!s[n].text)
            bad = 1;
        else
            n++;
    }
    free(line);
    fclose(f);
    if (!bad && n == 0) {
        fprintf(stderr, "bench_voice: %s: no sentences\n", path);
        bad = 1;
    }
    if (bad) {
        if (s)
            bv_sentences_free(s, n);
        return -1;
    }
    *out = s;
    return (long)n;
}

/* ---- synthesis into memory ----------------------------------------------- */

/* What one tts_speak call produced, and when its first chunks came. */
typedef struct bv_take {
    int keep; /* store PCM and events (else only count and time them) */
    float *pcm;
    size_t n, cap;
    tts_event *ev;
    size_t n_ev, cap_ev;
    int64_t t0_us, first_us, sound_us; /* after t0: first chunk, first chunk with sound */
    int oom;
} bv_take;

static void bv_take_reset(bv_take *t, int keep)
{
    t->keep = keep;
    t->n = t->n_ev = 0;
    t->first_us = t->sound_us = -1;
    t->oom = 0;
    t->t0_us = clock_now_us();
}

static void bv_take_free(bv_take *t)
{
    free(t->pcm);
    free(t->ev);
    memset(t, 0, sizeof *t);
}

static int bv_on_audio(void *user, const float *pcm, size_t n)
{
    bv_take *t = user;
    int64_t now = clock_now_us() - t->t0_us;
    if (t->first_us < 0)
        t->first_us = now;
    if (t->sound_us < 0)
        for (size_t i = 0; i < n; i++)
            if (fabsf(pcm[i]) > BV_SOUND_LEVEL) {
                t->sound_us = now;
                break;
            }
    if (t->keep) {
        if (t->n + n > t->cap) {
            size_t cap = t->cap ? t->cap : 1 << 16;
            while (cap < t->n + n)
                cap *= 2;
            float *p = realloc(t->pcm, cap * sizeof *p);
            if (!p) {
                t->oom = 1;
                return 1;
            }
            t->pcm = p;
            t->cap = cap;
        }
        memcpy(t->pcm + t->n, pcm, n * sizeof *pcm);
    }
    t->n += n;
    return 0;
}

static int bv_on_event(void *user, const tts_event *ev)
{
    bv_take *t = user;
    if (!t->keep)
        return 0;
    if (t->n_ev == t->cap_ev) {
        size_t cap = t->cap_ev ? t->cap_ev * 2 : 256;
        tts_event *e = realloc(t->ev, cap * sizeof *e);
        if (!e) {
            t->oom = 1;
            return 1;
        }
        t->ev = e;
        t->cap_ev = cap;
    }
    t->ev[t->n_ev++] = *ev;
    return 0;
}

/* Says text with voice into t. Returns SZ_OK or the error (message in err). */
static int bv_speak(tts_voice *voice, const char *text, bv_take *t, int keep, char *err,
                    size_t errlen)
{
    tts_sink sink = {.on_audio = bv_on_audio, .on_event = bv_on_event, .user = t};
    bv_take_reset(t, keep);
    err[0] = 0;
    int rc = tts_speak(voice, text, 0, &sink, err, errlen);
    if (t->oom) {
        snprintf(err, errlen, "out of memory");
        return SZ_ERR_NO_MEMORY;
    }
    if (rc != SZ_OK && !err[0])
        snprintf(err, errlen, "%s", sz_strerror(rc));
    return rc;
}

/* --temperature and --rate: sampling settings of the tested voice (0: its defaults) */
static float bv_temperature, bv_rate;
/* --seeds N: the tested voice is scored with seeds 1..N (its WER is pooled) */
static int bv_seeds = 1;
static uint64_t bv_seed = 1;

static int bv_open_voice(const char *name, int steps, tts_voice **v, char *err, size_t errlen)
{
    int ours = strncmp(name, "espeak", 6) != 0;
    tts_voice_params p = {.speaking_rate = ours && bv_rate > 0 ? bv_rate : 1.0f,
                          .n_threads = 1,
                          .seed = ours ? bv_seed : 1,
                          .steps = steps,
                          .temperature = ours ? bv_temperature : 0.0f};
    return tts_voice_open(name, &p, v, err, errlen);
}

/* ---- words --------------------------------------------------------------- */

/* The words of text for scoring: lowercase letters and digits, apostrophes
 * kept only inside words, everything else a word break. Returns the count;
 * *out (NULL when none) is freed with bv_words_free. */
static size_t bv_words(const char *text, char ***out)
{
    size_t len = strlen(text);
    char *buf = malloc(len + 1);
    char **w = calloc(len / 2 + 2, sizeof *w);
    *out = NULL;
    if (!buf || !w) {
        free(buf);
        free(w);
        return 0;
    }
    size_t o = 0, n = 0;
    const unsigned char *s = (const unsigned char *)text;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = s[i];
        int alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    (c >= 0x80 && !(c == 0xE2 && i + 2 < len && s[i + 1] == 0x80));
        size_t skip = 0; /* extra bytes of a typographic apostrophe or dash */
        int apos = c == '\'';
        if (c == 0xE2 && i + 2 < len && s[i + 1] == 0x80) {
            apos = s[i + 2] == 0x99; /* ’ */
            skip = 2;
        }
        if (alnum) {
            if (o == 0 || buf[o - 1] == ' ')
                w[n++] = buf + o;
            buf[o++] = (char)(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
            continue;
        }
        unsigned char next = i + skip + 1 < len ? s[i + skip + 1] : 0;
        int next_alnum = (next >= 'a' && next <= 'z') || (next >= 'A' && next <= 'Z') ||
                         (next >= '0' && next <= '9');
        if (apos && o > 0 && buf[o - 1] != ' ' && next_alnum)
            buf[o++] = '\'';
        else if (o > 0 && buf[o - 1] != ' ')
            buf[o++] = ' ';
        i += skip;
    }
    while (o > 0 && buf[o - 1] == ' ')
        o--;
    buf[o] = 0;
    for (size_t i = 0; i < o; i++)
        if (buf[i] == ' ')
            buf[i] = 0;
    if (n == 0) {
        free(buf);
        free(w);
        return 0;
    }
    *out = w;
    return n;
}

static void bv_words_free(char **w)
{
    if (w) {
        free(w[0]);
        free(w);
    }
}

/* ---- word error rate (needs pocketsphinx) -------------------------------- */

#ifdef SHUZI_HAVE_POCKETSPHINX

static int bv_exists(const char *path)
{
    return access(path, R_OK) == 0;
}

/* mkdir -p. */
static int bv_mkdirs(const char *path)
{
    char buf[1024];
    int w = snprintf(buf, sizeof buf, "%s", path);
    if (w <= 0 || (size_t)w >= sizeof buf)
        return -1;
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = 0;
        if (mkdir(buf, 0777) != 0 && errno != EEXIST)
            return -1;
        *p = '/';
    }
    return mkdir(buf, 0777) != 0 && errno != EEXIST ? -1 : 0;
}

/* Writes mono float PCM as a 16-bit WAV file. */
static int bv_write_wav(const char *path, const float *pcm, size_t n, int rate)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    uint32_t data = (uint32_t)(n * 2);
    uint8_t h[44];
    const uint32_t v32[] = {
        36 + data, 16, 1 | (1u << 16), (uint32_t)rate, (uint32_t)rate * 2, 2 | (16u << 16), data};
    memcpy(h, "RIFF", 4);
    memcpy(h + 8, "WAVEfmt ", 8);
    memcpy(h + 36, "data", 4);
    const size_t at[] = {4, 16, 20, 24, 28, 32, 40};
    for (size_t i = 0; i < 7; i++)
        for (int b = 0; b < 4; b++)
            h[at[i] + (size_t)b] = (uint8_t)(v32[i] >> (8 * b));
    int ok = fwrite(h, 1, sizeof h, f) == sizeof h;
    for (size_t i = 0; i < n && ok; i++) {
        float x = pcm[i] > 1.0f ? 1.0f : pcm[i] < -1.0f ? -1.0f : pcm[i];
        int16_t s = (int16_t)lrintf(x * 32767.0f);
        uint8_t le[2] = {(uint8_t)(s & 0xff), (uint8_t)((uint16_t)s >> 8)};
        ok = fwrite(le, 1, 2, f) == 2;
    }
    return fclose(f) == 0 && ok ? 0 : -1;
}

/* ---- what the audio and the phone timeline look like --------------------- */

typedef struct bv_health {
    size_t phones, pauses, words, unnamed, disorder, past_end;
    size_t nonfinite, clipped, silent, failed;
    double longest_ms;
    char longest_phone[32];
    size_t longest_at;
} bv_health;

static void bv_health_add(bv_health *h, const bv_take *t, int rate, size_t sentence)
{
    float peak = 0.0f;
    for (size_t i = 0; i < t->n; i++) {
        float x = t->pcm[i];
        if (!isfinite(x)) {
            h->nonfinite++;
            continue;
        }
        if (fabsf(x) > 1.0f)
            h->clipped++;
        if (fabsf(x) > peak)
            peak = fabsf(x);
    }
    if (peak <= BV_SOUND_LEVEL)
        h->silent++;
    int64_t prev = -1;
    for (size_t i = 0; i < t->n_ev; i++) {
        const tts_event *e = &t->ev[i];
        if (e->type == TTS_EV_WORD) {
            h->words++;
            h->unnamed += !e->value[0];
        }
        if (e->type != TTS_EV_PHONE)
            continue;
        if (e->start < prev)
            h->disorder++;
        if (e->start > (int64_t)t->n)
            h->past_end++;
        prev = e->start;
        if (!e->value[0]) {
            h->pauses++;
            continue;
        }
        h->phones++;
        int64_t end = (int64_t)t->n;
        for (size_t j = i + 1; j < t->n_ev; j++)
            if (t->ev[j].type == TTS_EV_PHONE) {
                end = t->ev[j].start;
                break;
            }
        double ms = (double)(end - e->start) * 1000.0 / rate;
        if (ms > h->longest_ms) {
            h->longest_ms = ms;
            h->longest_at = sentence;
            snprintf(h->longest_phone, sizeof h->longest_phone, "%.31s", e->value);
        }
    }
}

static void bv_health_print(const char *name, const bv_health *h, size_t ref_words)
{
    printf("  %s: %zu phones + %zu pauses, %zu word events (%zu without text) for %zu reference "
           "words, %zu phone events out of order, %zu past the end of the audio; longest phone "
           "'%s' %.0f ms (sentence %zu); %zu non-finite samples, %zu samples beyond +-1, %zu "
           "silent sentences, %zu failed\n",
           name, h->phones, h->pauses, h->words, h->unnamed, ref_words, h->disorder, h->past_end,
           h->longest_phone, h->longest_ms, h->longest_at, h->nonfinite, h->clipped, h->silent,
           h->failed);
}

/* Word-level Levenshtein distance. */
static size_t bv_edit_distance(char **a, size_t na, char **b, size_t nb)
{
    size_t *prev = malloc((nb + 1) * sizeof *prev), *cur = malloc((nb + 1) * sizeof *cur);
    if (!prev || !cur) {
        free(prev);
        free(cur);
        return na > nb ? na : nb;
    }
    for (size_t j = 0; j <= nb; j++)
        prev[j] = j;
    for (size_t i = 1; i <= na; i++) {
        cur[0] = i;
        for (size_t j = 1; j <= nb; j++) {
            size_t sub = prev[j - 1] + (strcmp(a[i - 1], b[j - 1]) != 0);
            size_t del = prev[j] + 1, ins = cur[j - 1] + 1;
            cur[j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
        }
        size_t *t = prev;
        prev = cur;
        cur = t;
    }
    size_t d = prev[nb];
    free(prev);
    free(cur);
    return d;
}

/* Joins words with spaces into dst. */
static void bv_join(char **w, size_t n, char *dst, size_t cap)
{
    size_t o = 0;
    dst[0] = 0;
    for (size_t i = 0; i < n && o + 1 < cap; i++) {
        int k = snprintf(dst + o, cap - o, "%s%s", i ? " " : "", w[i]);
        if (k < 0)
            break;
        o += (size_t)k;
    }
}

static const char *const bv_system_dir[BV_N_SYSTEMS] = {"ours", "espeak", "festival", "kathleen"};

typedef struct bv_wer {
    const char *label;
    int available;
    char why[512]; /* when not available */
    size_t sentences, ref_words, errors, empty, failed;
    double audio_s;
} bv_wer;

static ps_decoder_t *bv_asr_open(char *err, size_t errlen)
{
    char hmm[1200], lm[1200], dict[1200], probe[1300];
    snprintf(hmm, sizeof hmm, "%s/en-us/en-us", SHUZI_PSPHINX_MODELDIR);
    snprintf(lm, sizeof lm, "%s/en-us/en-us.lm.bin", SHUZI_PSPHINX_MODELDIR);
    snprintf(dict, sizeof dict, "%s/en-us/cmudict-en-us.dict", SHUZI_PSPHINX_MODELDIR);
    snprintf(probe, sizeof probe, "%s/mdef", hmm);
    const char *missing = !bv_exists(probe)  ? probe
                          : !bv_exists(lm)   ? lm
                          : !bv_exists(dict) ? dict
                                             : NULL;
    if (missing) {
        snprintf(err, errlen, "%.900s is missing (install pocketsphinx-en-us)", missing);
        return NULL;
    }
    err_set_logfp(NULL);
    cmd_ln_t *cfg = cmd_ln_init(NULL, ps_args(), TRUE, "-hmm", hmm, "-lm", lm, "-dict", dict,
                                "-cmn", "batch", "-logfn", "/dev/null", NULL);
    ps_decoder_t *ps = cfg ? ps_init(cfg) : NULL;
    if (cfg)
        cmd_ln_free_r(cfg);
    if (!ps)
        snprintf(err, errlen, "pocketsphinx could not load its US English model");
    return ps;
}

/* Decodes pcm (mono, rate) into hyp. */
static int bv_asr_decode(ps_decoder_t *ps, const float *pcm, size_t n, int rate, char *hyp,
                         size_t cap)
{
    hyp[0] = 0;
    float *rs = NULL;
    size_t rn = 0;
    if (rate != BV_ASR_RATE) {
        if (lipsync_resample(pcm, n, rate, BV_ASR_RATE, &rs, &rn) != SZ_OK)
            return -1;
        pcm = rs;
        n = rn;
    }
    int16_t *s16 = malloc((n ? n : 1) * sizeof *s16);
    if (!s16) {
        free(rs);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        float x = isfinite(pcm[i]) ? pcm[i] : 0.0f;
        x = x > 1.0f ? 1.0f : x < -1.0f ? -1.0f : x;
        s16[i] = (int16_t)lrintf(x * 32767.0f);
    }
    int rc = -1;
    if (ps_start_utt(ps) >= 0) {
        int ok = ps_process_raw(ps, s16, n, FALSE, TRUE) >= 0;
        if (ps_end_utt(ps) >= 0 && ok) {
            const char *h = ps_get_hyp(ps, NULL);
            snprintf(hyp, cap, "%s", h ? h : "");
            rc = 0;
        }
    }
    free(s16);
    free(rs);
    return rc;
}

/* Scores one hypothesis and, with --dump, records it. */
static void bv_score(bv_wer *w, const char *ref, const char *hyp, size_t idx, const char *uid,
                     FILE *hyps)
{
    char **rw = NULL, **hw = NULL;
    size_t nr = bv_words(ref, &rw), nh = bv_words(hyp, &hw);
    size_t e = bv_edit_distance(rw, nr, hw, nh);
    w->sentences++;
    w->ref_words += nr;
    w->errors += e;
    w->empty += nh == 0;
    if (hyps) {
        char r[2048], h[2048];
        bv_join(rw, nr, r, sizeof r);
        bv_join(hw, nh, h, sizeof h);
        fprintf(hyps, "%s\t%zu\t%s\t%zu\t%zu\t%s\t%s\n", w->label, idx, uid, nr, e, r, h);
    }
    bv_words_free(rw);
    bv_words_free(hw);
}

/* Writes a take's events as "type start_ms end_ms value" lines. */
static void bv_dump_events(const char *path, const bv_take *t, int rate)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return;
    static const char *const names[] = {"sentence", "word", "phone", "mark"};
    for (size_t i = 0; i < t->n_ev; i++) {
        const tts_event *e = &t->ev[i];
        fprintf(f, "%s\t%.1f\t%.1f\t%s\n", (unsigned)e->type < 4 ? names[e->type] : "?",
                (double)e->start * 1000.0 / rate, (double)e->end * 1000.0 / rate, e->value);
    }
    fclose(f);
}

static void bv_wer_print(const bv_wer *w)
{
    if (!w->available) {
        printf("  %-40s unavailable: %s\n", w->label, w->why);
        return;
    }
    printf("  %-40s %9zu %10zu %7zu %7.1f%% %9.1f %6zu %6zu\n", w->label, w->sentences,
           w->ref_words, w->errors,
           w->ref_words ? 100.0 * (double)w->errors / (double)w->ref_words : 0.0, w->audio_s,
           w->empty, w->failed);
}

static double bv_wer_value(const bv_wer *w)
{
    return w->ref_words ? (double)w->errors / (double)w->ref_words : 0.0;
}

/* One system's audio for sentence i: a voice speaks it into take (au then
 * points into take), or a file is read into au. */
typedef int (*bv_audio_fn)(void *ctx, size_t i, ls_audio *au, bv_take *take, char *err,
                           size_t errlen);

typedef struct bv_voice_src {
    tts_voice *voice;
    const bv_sentence *s;
} bv_voice_src;

static int bv_audio_voice(void *ctx, size_t i, ls_audio *au, bv_take *take, char *err,
                          size_t errlen)
{
    const bv_voice_src *src = ctx;
    int rc = bv_speak(src->voice, src->s[i].text, take, 1, err, errlen);
    if (rc != SZ_OK)
        return rc;
    au->pcm = take->pcm;
    au->n = take->n;
    au->sample_rate_hz = tts_voice_sample_rate(src->voice);
    return SZ_OK;
}

typedef struct bv_file_src {
    const char *dir; /* Festival's output folder, or the recordings' wavs/ */
    const bv_sentence *s;
    int festival;
} bv_file_src;

/* A data set's recording of sentence s: DIR/wavs/UID.flac. */
static void bv_recording_path(char *path, size_t cap, const char *wavs, const bv_sentence *s)
{
    snprintf(path, cap, "%s/%s.flac", wavs, s->uid);
}

static int bv_audio_file(void *ctx, size_t i, ls_audio *au, bv_take *take, char *err, size_t errlen)
{
    (void)take;
    const bv_file_src *src = ctx;
    char path[1400];
    if (src->festival)
        snprintf(path, sizeof path, "%s/%zu.wav", src->dir, i);
    else
        bv_recording_path(path, sizeof path, src->dir, &src->s[i]);
    return lipsync_audio_load(path, 0, au, err, errlen);
}

static void bv_wer_system(bv_wer *w, int sys, ps_decoder_t *ps, const bv_sentence *s, size_t n,
                          bv_audio_fn audio_of, void *ctx, const char *dump, FILE *hyps,
                          bv_health *health)
{
    char dir[1200] = "";
    if (dump) {
        snprintf(dir, sizeof dir, "%s/%s", dump, bv_system_dir[sys]);
        if (bv_mkdirs(dir) != 0) {
            fprintf(stderr, "bench_voice: cannot create %s\n", dir);
            dir[0] = 0;
        }
    }
    bv_take take;
    memset(&take, 0, sizeof take);
    char err[1024], hyp[4096];
    for (size_t i = 0; i < n; i++) {
        ls_audio au;
        memset(&au, 0, sizeof au);
        int rc = audio_of(ctx, i, &au, &take, err, sizeof err);
        int from_take = au.pcm == take.pcm && take.pcm != NULL;
        if (rc != SZ_OK) {
            fprintf(stderr, "bench_voice: %s, sentence %zu (%s): %s\n", w->label, i, s[i].uid, err);
            w->failed++;
            if (health)
                health->failed++;
            bv_score(w, s[i].text, "", i, s[i].uid, hyps);
            continue;
        }
        w->audio_s += (double)au.n / au.sample_rate_hz;
        if (health)
            bv_health_add(health, &take, au.sample_rate_hz, i);
        if (dir[0]) {
            char path[1400];
            snprintf(path, sizeof path, "%s/%03zu.wav", dir, i);
            if (bv_write_wav(path, au.pcm, au.n, au.sample_rate_hz) != 0)
                fprintf(stderr, "bench_voice: cannot write %s\n", path);
            if (from_take) {
                snprintf(path, sizeof path, "%s/%03zu.events.tsv", dir, i);
                bv_dump_events(path, &take, au.sample_rate_hz);
            }
        }
        if (bv_asr_decode(ps, au.pcm, au.n, au.sample_rate_hz, hyp, sizeof hyp) != 0) {
            fprintf(stderr, "bench_voice: %s, sentence %zu: the recognizer failed\n", w->label, i);
            w->failed++;
            hyp[0] = 0;
        }
        bv_score(w, s[i].text, hyp, i, s[i].uid, hyps);
        if (!from_take)
            lipsync_audio_free(&au);
    }
    bv_take_free(&take);
}

/* Festival's SLT voice: all sentences in one process, then recognized. */
static void bv_wer_festival(bv_wer *w, ps_decoder_t *ps, const bv_sentence *s, size_t n,
                            const char *dump, FILE *hyps)
{
    if (!festival_available()) {
        snprintf(w->why, sizeof w->why, "festival with festvox-us-slt-hts is not installed");
    } else {
        double t0 = bv_now_s();
        char dir[] = "/tmp/shuzi-bench-voice-fest-XXXXXX";
        const char **texts = malloc(n * sizeof *texts);
        if (!texts || !mkdtemp(dir)) {
            snprintf(w->why, sizeof w->why, "no temporary folder");
        } else {
            for (size_t i = 0; i < n; i++)
                texts[i] = s[i].text;
            if (festival_synthesize(dir, texts, n) != 0) {
                char log[200];
                size_t len = 0;
                snprintf(log, sizeof log, "%s/festival.log", dir);
                char *text = festival_read(log, &len);
                size_t from = len > 200 ? len - 200 : 0;
                snprintf(w->why, sizeof w->why, "festival failed (%s ends: %.*s)", log,
                         (int)(len - from), text ? text + from : "");
                free(text);
            } else {
                w->available = 1;
                bv_file_src src = {.dir = dir, .s = s, .festival = 1};
                bv_wer_system(w, BV_FESTIVAL, ps, s, n, bv_audio_file, &src, dump, hyps, NULL);
                festival_cleanup(dir, n);
            }
        }
        free(texts);
        printf("  (%s: synthesis and recognition took %.1f s)\n", w->label, bv_now_s() - t0);
    }
}

/* The real recordings of data_dir: the first uid of each text. */
static void bv_wer_recordings(bv_wer *w, ps_decoder_t *ps, const bv_sentence *s, size_t n,
                              const char *data_dir, const char *dump, FILE *hyps)
{
    char wavs[1100];
    snprintf(wavs, sizeof wavs, "%s/wavs", data_dir);
    int have_wavs = bv_exists(wavs);
    size_t recorded = 0; /* sentences with a recording (other texts have none) */
    for (size_t i = 0; i < n && have_wavs; i++) {
        char path[1400];
        bv_recording_path(path, sizeof path, wavs, &s[i]);
        recorded += bv_exists(path);
    }
    if (!have_wavs) {
        snprintf(w->why, sizeof w->why, "%.400s not found (give the data set with --data DIR)",
                 wavs);
    } else if (!recorded) {
        snprintf(w->why, sizeof w->why, "none of these sentences has a recording in %.400s", wavs);
    } else {
        double t0 = bv_now_s();
        w->available = 1;
        bv_file_src src = {.dir = wavs, .s = s, .festival = 0};
        bv_wer_system(w, BV_KATHLEEN, ps, s, n, bv_audio_file, &src, dump, hyps, NULL);
        printf("  (%s: recognition took %.1f s)\n", w->label, bv_now_s() - t0);
    }
}

static int bv_section_wer(const bv_opts *o, const bv_sentence *s, size_t n)
{
    printf("\n== 1. Intelligibility: pocketsphinx word error rate on %zu held-out sentences\n", n);
    char err[1024];
    ps_decoder_t *ps = bv_asr_open(err, sizeof err);
    if (!ps) {
        printf("  unavailable: %s\n", err);
        return 0;
    }
    printf("  recognizer: pocketsphinx, generic US English (en-us acoustic model, en-us.lm.bin, "
           "cmudict-en-us.dict; %s), 16 kHz, batch CMN\n",
           SHUZI_PSPHINX_MODELDIR);
    printf("  normalization: lowercase; punctuation (but apostrophes inside words) becomes a "
           "space; WER = word edit distance / reference words, summed over sentences\n");
    FILE *hyps = NULL;
    if (o->dump) {
        char path[1200];
        snprintf(path, sizeof path, "%s/hypotheses.tsv", o->dump);
        if (bv_mkdirs(o->dump) == 0 && (hyps = fopen(path, "w")) != NULL)
            fprintf(hyps, "system\tindex\tuid\tref_words\terrors\treference\thypothesis\n");
        else
            fprintf(stderr, "bench_voice: cannot write %s\n", path);
    }
    bv_wer w[BV_N_SYSTEMS];
    memset(w, 0, sizeof w);
    char label_ours[300];
    /* "NAME", "NAME (steps 4)", "NAME (steps 4, 3 seeds)" or "NAME (3 seeds)" */
    int diffusion = strncmp(o->voice, "diffusion", 9) == 0;
    char steps[32] = "", seeds[32] = "";
    if (diffusion)
        snprintf(steps, sizeof steps, "steps %d", TTS_DIFFUSION_DEFAULT_STEPS);
    if (bv_seeds > 1)
        snprintf(seeds, sizeof seeds, "%s%d seeds", diffusion ? ", " : "", bv_seeds);
    snprintf(label_ours, sizeof label_ours, steps[0] || seeds[0] ? "%.200s (%s%s)" : "%.200s",
             o->voice, steps, seeds);
    w[BV_OURS].label = label_ours;
    w[BV_ESPEAK].label = BV_BASELINE_VOICE;
    w[BV_FESTIVAL].label = "festival cmu_us_slt_arctic_hts";
    w[BV_KATHLEEN].label = o->data_label ? o->data_label : "kathleen recordings (human)";
    bv_health health[2];
    memset(health, 0, sizeof health);
    const char *names[2] = {o->voice, BV_BASELINE_VOICE};
    for (int k = 0; k < BV_N_SYSTEMS; k++)
        if (!o->systems[k])
            snprintf(w[k].why, sizeof w[k].why, "not asked for (--systems)");
    for (int k = 0; k < 2; k++) {
        if (!o->systems[k])
            continue;
        double t0 = bv_now_s();
        int runs = k == BV_OURS ? bv_seeds : 1;
        for (int r = 0; r < runs; r++) {
            bv_seed = (uint64_t)r + 1;
            tts_voice *v = NULL;
            if (bv_open_voice(names[k], 0, &v, err, sizeof err) != SZ_OK) {
                snprintf(w[k].why, sizeof w[k].why, "%.500s", err);
                break;
            }
            w[k].available = 1;
            bv_voice_src src = {.voice = v, .s = s};
            size_t e0 = w[k].errors, r0 = w[k].ref_words;
            /* only the first seed's audio is dumped */
            bv_wer_system(&w[k], k, ps, s, n, bv_audio_voice, &src, r ? NULL : o->dump, hyps,
                          &health[k]);
            tts_voice_free(&v);
            if (runs > 1)
                printf("  (%s, seed %d: WER %.1f%%)\n", names[k], r + 1,
                       100.0 * (double)(w[k].errors - e0) / (double)(w[k].ref_words - r0));
        }
        printf("  (%s: synthesis and recognition took %.1f s)\n", w[k].label, bv_now_s() - t0);
    }
    if (o->systems[BV_FESTIVAL])
        bv_wer_festival(&w[BV_FESTIVAL], ps, s, n, o->dump, hyps);
    if (o->systems[BV_KATHLEEN])
        bv_wer_recordings(&w[BV_KATHLEEN], ps, s, n, o->data_dir, o->dump, hyps);
    if (hyps)
        fclose(hyps);
    ps_free(ps);

    printf("\n  %-40s %9s %10s %7s %8s %9s %6s %6s\n", "system", "sentences", "ref words", "errors",
           "WER", "audio s", "empty", "failed");
    for (int k = 0; k < BV_N_SYSTEMS; k++)
        bv_wer_print(&w[k]);
    printf("  (empty: sentences where the recognizer heard no word; failed: synthesis or "
           "decoding failed, scored as all words deleted)\n");
    if (w[BV_OURS].available && w[BV_FESTIVAL].available && w[BV_FESTIVAL].errors > 0) {
        double r = bv_wer_value(&w[BV_OURS]) / bv_wer_value(&w[BV_FESTIVAL]);
        printf("  WER ratio ours / Festival: %.2f   (target on LJ Speech and service sentences "
               "<= %.2f: %s)\n",
               r, BV_TARGET_WER_RATIO, r <= BV_TARGET_WER_RATIO ? "met" : "NOT met");
    } else {
        printf("  WER ratio ours / Festival: not computed (one of them is unavailable or "
               "Festival made no error)\n");
    }
    if (w[BV_OURS].available && w[BV_KATHLEEN].available && w[BV_KATHLEEN].errors > 0) {
        double r = bv_wer_value(&w[BV_OURS]) / bv_wer_value(&w[BV_KATHLEEN]);
        if (o->data_label)
            printf("  WER ratio ours / %s: %.2f\n", o->data_label, r);
        else
            printf("  WER ratio ours / Kathleen's recordings: %.2f   (target on her held-out "
                   "texts <= %.2f: %s)\n",
                   r, BV_TARGET_WER_RATIO_REC, r <= BV_TARGET_WER_RATIO_REC ? "met" : "NOT met");
    }
    if (w[BV_OURS].available && w[BV_ESPEAK].available && w[BV_ESPEAK].errors > 0)
        printf("  WER ratio ours / espeak: %.2f\n",
               bv_wer_value(&w[BV_OURS]) / bv_wer_value(&w[BV_ESPEAK]));
    printf("\n  audio and phone timeline:\n");
    size_t ref_words = 0;
    for (size_t i = 0; i < n; i++) {
        char **rw = NULL;
        ref_words += bv_words(s[i].text, &rw);
        bv_words_free(rw);
    }
    for (int k = 0; k < 2; k++)
        if (w[k].available)
            bv_health_print(w[k].label, &health[k],
                            ref_words * (size_t)(k == BV_OURS ? bv_seeds : 1));
    if (o->dump)
        printf("  dumped: %s/{ours,espeak,festival,kathleen}/NNN.wav, NNN.events.tsv (voices), "
               "%s/hypotheses.tsv\n",
               o->dump, o->dump);
    return 0;
}

#else /* no pocketsphinx */

static int bv_section_wer(const bv_opts *o, const bv_sentence *s, size_t n)
{
    (void)o;
    (void)s;
    printf("\n== 1. Intelligibility: pocketsphinx word error rate on %zu held-out sentences\n", n);
    printf("  unavailable: this build has no pocketsphinx (install libpocketsphinx-dev and "
           "pocketsphinx-en-us, then re-run cmake)\n");
    return 0;
}

#endif

/* ---- speed --------------------------------------------------------------- */

/* One voice (or one setting of it) in the speed section. The voices take
 * turns sentence by sentence, so that load from other work on the machine
 * falls on all of them alike. */
typedef struct bv_timed {
    char label[300];
    tts_voice *voice;
    bv_take take;
    double synth_s, cpu_s, audio_s;
    double *rtf; /* per sentence */
    size_t sentences, failed;
    int stopped; /* the latency runs stopped with an error */
    char err[512];
    double first_ms[BV_LATENCY_RUNS], sound_ms[BV_LATENCY_RUNS], total_ms[BV_LATENCY_RUNS];
} bv_timed;

#define BV_SPEED_MAX 4

/* Opens a voice for timing and says one untimed warm-up sentence. */
static int bv_timed_open(bv_timed *t, const char *name, int steps, size_t n)
{
    memset(t, 0, sizeof *t);
    if (steps)
        snprintf(t->label, sizeof t->label, "%s (steps %d)", name, steps);
    else
        snprintf(t->label, sizeof t->label, "%s", name);
    if (bv_open_voice(name, steps, &t->voice, t->err, sizeof t->err) != SZ_OK)
        return -1;
    t->rtf = calloc(n ? n : 1, sizeof *t->rtf);
    if (!t->rtf) {
        snprintf(t->err, sizeof t->err, "out of memory");
        tts_voice_free(&t->voice);
        return -1;
    }
    char err[512];
    bv_speak(t->voice, bv_short, &t->take, 0, err, sizeof err);
    return 0;
}

static void bv_timed_close(bv_timed *t)
{
    free(t->rtf);
    bv_take_free(&t->take);
    tts_voice_free(&t->voice);
}

/* Times one tts_speak of sentence i. */
static void bv_timed_sentence(bv_timed *t, const char *text, size_t i)
{
    char err[512];
    double t0 = bv_now_s(), c0 = bv_cpu_s();
    int rc = bv_speak(t->voice, text, &t->take, 0, err, sizeof err);
    double dt = bv_now_s() - t0, dc = bv_cpu_s() - c0;
    if (rc != SZ_OK || t->take.n == 0) {
        fprintf(stderr, "bench_voice: %s, sentence %zu: %s\n", t->label, i,
                rc != SZ_OK ? err : "no audio");
        t->failed++;
        return;
    }
    double audio = (double)t->take.n / tts_voice_sample_rate(t->voice);
    t->synth_s += dt;
    t->cpu_s += dc;
    t->audio_s += audio;
    t->rtf[t->sentences++] = dt / audio;
}

/* One latency run of the 20-word sentence. */
static void bv_timed_latency(bv_timed *t, int run)
{
    if (t->stopped)
        return;
    double t0 = bv_now_s();
    int rc = bv_speak(t->voice, bv_short, &t->take, 0, t->err, sizeof t->err);
    t->total_ms[run] = (bv_now_s() - t0) * 1000.0;
    t->first_ms[run] = (double)t->take.first_us * 1e-3;
    t->sound_ms[run] = (double)t->take.sound_us * 1e-3;
    if (rc == SZ_OK && t->take.sound_us < 0) {
        snprintf(t->err, sizeof t->err, "no chunk held sound (all samples within -60 dBFS)");
        rc = SZ_ERR_INTERNAL;
    }
    t->stopped = rc != SZ_OK;
}

static int bv_section_speed(const bv_opts *o, const bv_sentence *s, size_t n)
{
    printf("\n== 2. Speed, one compute thread, voice loaded, text frontend included, after one "
           "untimed warm-up call\n");
    nn_set_threads(1);
    printf("  matrix products: OpenBLAS, %s kernels (%s)\n", nn_blas_kernels(), nn_blas_choice());
    double load[3];
    if (getloadavg(load, 3) == 3)
        printf("  load average now: %.2f %.2f %.2f (other work on the machine slows wall times)\n",
               load[0], load[1], load[2]);
    int diffusion = strncmp(o->voice, "diffusion", 9) == 0;
    const int steps[] = {TTS_DIFFUSION_DEFAULT_STEPS, 6, 10};
    bv_timed *tv = calloc(BV_SPEED_MAX, sizeof *tv);
    if (!tv) {
        printf("  unavailable: out of memory\n");
        return 0;
    }
    int nv = 0;
    for (int k = 0; k < (diffusion ? 4 : 2); k++) {
        const char *name = k < (diffusion ? 3 : 1) ? o->voice : BV_BASELINE_VOICE;
        if (bv_timed_open(&tv[nv], name, diffusion && k < 3 ? steps[k] : 0, n) != 0)
            printf("  %-40s unavailable: %s\n", tv[nv].label, tv[nv].err);
        else
            nv++;
    }
    printf("  real-time factor over %zu sentences, the voices taking turns sentence by sentence "
           "(RTF = synthesis time / audio duration; target <= %.2f)\n",
           n, BV_TARGET_RTF);
    for (size_t i = 0; i < n; i++)
        for (int j = 0; j < nv; j++) {
            int k = (int)((i + (size_t)j) % (size_t)nv); /* rotate who goes first */
            bv_timed_sentence(&tv[k], s[i].text, i);
        }
    printf("  %-40s %9s %8s %8s %8s %11s %8s %7s\n", "voice", "sentences", "audio s", "synth s",
           "RTF", "median RTF", "CPU RTF", "target");
    for (int k = 0; k < nv; k++) {
        const bv_timed *t = &tv[k];
        double rtf = t->audio_s > 0 ? t->synth_s / t->audio_s : 0.0;
        printf("  %-40s %9zu %8.1f %8.2f %8.4f %11.4f %8.4f %7s%s\n", t->label, t->sentences,
               t->audio_s, t->synth_s, rtf, bv_median(tv[k].rtf, t->sentences),
               t->audio_s > 0 ? t->cpu_s / t->audio_s : 0.0,
               rtf <= BV_TARGET_RTF ? "met" : "NOT met",
               t->failed ? " (some sentences failed)" : "");
    }
    printf("  (RTF: wall time, which the target applies to; CPU RTF: this process's CPU time "
           "over the audio, less sensitive to other work on the machine)\n");

    printf("\n  first chunk of a 20-word sentence (median of %d runs, the voices taking turns; "
           "target <= %.0f ms):\n  \"%s\"\n",
           BV_LATENCY_RUNS, BV_TARGET_FIRST_MS, bv_short);
    /* the voice under test at its default steps, and the baseline */
    int lat[2] = {0, nv - 1};
    int n_lat = nv > 1 ? 2 : nv;
    for (int r = 0; r < BV_LATENCY_RUNS; r++)
        for (int j = 0; j < n_lat; j++)
            bv_timed_latency(&tv[lat[(r + j) % n_lat]], r);
    printf("  %-40s %14s %16s %10s %8s %7s\n", "voice", "first chunk ms", "first sound ms",
           "whole ms", "audio s", "target");
    for (int j = 0; j < n_lat; j++) {
        bv_timed *t = &tv[lat[j]];
        if (t->stopped) {
            printf("  %-40s failed: %s\n", t->label, t->err);
            continue;
        }
        double sound = bv_median(t->sound_ms, BV_LATENCY_RUNS);
        printf("  %-40s %14.1f %16.1f %10.1f %8.2f %7s\n", t->label,
               bv_median(t->first_ms, BV_LATENCY_RUNS), sound,
               bv_median(t->total_ms, BV_LATENCY_RUNS),
               (double)t->take.n / tts_voice_sample_rate(t->voice),
               sound <= BV_TARGET_FIRST_MS ? "met" : "NOT met");
    }
    printf("  (first chunk: the first on_audio callback; first sound: the first callback with a "
           "sample above -60 dBFS, which the target applies to)\n");
    for (int k = 0; k < nv; k++)
        bv_timed_close(&tv[k]);
    free(tv);
    return 0;
}

/* ---- memory -------------------------------------------------------------- */

/* The launcher: `bench_voice --spawn-rss LOG PROGRAM ARGS...` runs PROGRAM
 * (output to LOG) from this fresh, small process and prints "STATUS
 * MAXRSS_KB WALL_S FLOOR_KB" for it. A child's ru_maxrss starts from the RSS
 * of the process that forked it, so forking shuzi from the bench itself
 * (voices and the recognizer loaded) would count the bench's memory. FLOOR_KB
 * is the launcher's own peak RSS at the fork: the most of the child's figure
 * that can come from the launcher. */
static int bv_spawn_rss_main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "bench_voice: --spawn-rss LOG PROGRAM [ARGS...]\n");
        return 2;
    }
    /* this process's own high-water mark (VmHWM: ru_maxrss would include
     * the bench that forked it) */
    long floor_kb = 0;
    FILE *st = fopen("/proc/self/status", "r");
    if (st) {
        char line[256];
        while (fgets(line, sizeof line, st))
            if (sscanf(line, "VmHWM: %ld", &floor_kb) == 1)
                break;
        fclose(st);
    }
    double t0 = bv_now_s();
    pid_t pid = fork();
    if (pid < 0) {
        fprintf(stderr, "bench_voice: fork: %s\n", strerror(errno));
        return 1;
    }
    if (pid == 0) {
        int fd = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd >= 0) {
            dup2(fd, STDOUT_FILENO);
            dup2(fd, STDERR_FILENO);
            close(fd);
        }
        execv(argv[3], argv + 3);
        fprintf(stderr, "bench_voice: cannot run %s: %s\n", argv[3], strerror(errno));
        _exit(127);
    }
    int status = 0;
    struct rusage ru;
    memset(&ru, 0, sizeof ru);
    if (wait4(pid, &status, 0, &ru) < 0) {
        fprintf(stderr, "bench_voice: wait4: %s\n", strerror(errno));
        return 1;
    }
    printf("%d %ld %.3f %ld\n", status, ru.ru_maxrss, bv_now_s() - t0, floor_kb);
    return 0;
}

typedef struct bv_rss {
    double rss_mb, floor_mb, wall_s;
} bv_rss;

/* Runs `shuzi tts TEXT -o OUT --voice VOICE` through the launcher. */
static int bv_child_rss(const char *shuzi, const char *text, const char *voice, const char *out,
                        const char *log, bv_rss *r, char *err, size_t errlen)
{
    int fds[2];
    if (pipe(fds) != 0) {
        snprintf(err, errlen, "pipe: %s", strerror(errno));
        return -1;
    }
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(err, errlen, "fork: %s", strerror(errno));
        close(fds[0]);
        close(fds[1]);
        return -1;
    }
    if (pid == 0) {
        close(fds[0]);
        dup2(fds[1], STDOUT_FILENO);
        close(fds[1]);
        char *const argv[] = {"bench_voice", "--spawn-rss", (char *)log, (char *)shuzi,
                              "tts",         (char *)text,  "-o",        (char *)out,
                              "--voice",     (char *)voice, NULL};
        execv("/proc/self/exe", argv);
        _exit(127);
    }
    close(fds[1]);
    char line[200];
    size_t got = 0;
    ssize_t k;
    while (got + 1 < sizeof line && (k = read(fds[0], line + got, sizeof line - 1 - got)) > 0)
        got += (size_t)k;
    line[got] = 0;
    close(fds[0]);
    int wst = 0;
    waitpid(pid, &wst, 0);
    int status = 0;
    long rss_kb = 0, floor_kb = 0;
    double wall = 0;
    if (!WIFEXITED(wst) || WEXITSTATUS(wst) != 0 ||
        sscanf(line, "%d %ld %lf %ld", &status, &rss_kb, &wall, &floor_kb) != 4) {
        snprintf(err, errlen, "the launcher (this program with --spawn-rss) failed");
        return -1;
    }
    r->rss_mb = (double)rss_kb / 1024.0; /* ru_maxrss is in KiB on Linux */
    r->floor_mb = (double)floor_kb / 1024.0;
    r->wall_s = wall;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        char tail[300] = "";
        FILE *f = fopen(log, "r");
        if (f) {
            fseek(f, 0, SEEK_END);
            long sz = ftell(f);
            fseek(f, sz > 250 ? sz - 250 : 0, SEEK_SET);
            size_t n = fread(tail, 1, sizeof tail - 1, f);
            tail[n] = 0;
            fclose(f);
            for (char *p = tail; *p; p++)
                if (*p == '\n')
                    *p = ' ';
        }
        if (WIFEXITED(status))
            snprintf(err, errlen, "shuzi exited with status %d: %s", WEXITSTATUS(status), tail);
        else
            snprintf(err, errlen, "shuzi died from signal %d", WTERMSIG(status));
        return -1;
    }
    return 0;
}

/* Words, or for Chinese text its characters (syllables). */
static size_t bv_count_words(const char *text)
{
    size_t han = 0;
    for (const unsigned char *p = (const unsigned char *)text; *p; p++)
        han += *p >= 0xE4 && *p <= 0xE9; /* U+4000-U+9FFF lead bytes */
    if (han)
        return han;
    char **w = NULL;
    size_t n = bv_words(text, &w);
    bv_words_free(w);
    return n;
}

static int bv_section_memory(const bv_opts *o)
{
    printf("\n== 3. Memory: peak RSS of `shuzi tts` (a child process; ru_maxrss from wait4; "
           "target <= %.0f MB)\n",
           BV_TARGET_RSS_MB);
    if (access(o->shuzi, X_OK) != 0) {
        printf("  unavailable: %s is not an executable (build the 'shuzi' target, or give "
               "--shuzi PATH)\n",
               o->shuzi);
        return 0;
    }
    char dir[] = "/tmp/shuzi-bench-voice-rss-XXXXXX";
    if (!mkdtemp(dir)) {
        printf("  unavailable: cannot create a temporary folder: %s\n", strerror(errno));
        return 0;
    }
    printf("  short text: %zu words; long text: %zu words (\"%.50s...\")\n",
           bv_count_words(bv_short), bv_count_words(bv_long), bv_long);
    printf("  %-40s %-6s %12s %8s %8s %7s\n", "voice", "text", "peak RSS MB", "wall s", "audio s",
           "target");
    const char *voices[2] = {o->voice, BV_BASELINE_VOICE};
    const char *texts[2] = {bv_short, bv_long};
    const char *tn[2] = {"short", "long"};
    double floor_mb = 0;
    for (int k = 0; k < 2; k++)
        for (int t = 0; t < 2; t++) {
            char out[200], log[200], err[600];
            snprintf(out, sizeof out, "%s/%d%s.wav", dir, k, tn[t]);
            snprintf(log, sizeof log, "%s/%d%s.log", dir, k, tn[t]);
            bv_rss r;
            if (bv_child_rss(o->shuzi, texts[t], voices[k], out, log, &r, err, sizeof err) != 0) {
                printf("  %-40s %-6s failed: %s\n", voices[k], tn[t], err);
            } else {
                ls_audio au;
                double secs = 0;
                char e2[512];
                if (lipsync_audio_load(out, 0, &au, e2, sizeof e2) == SZ_OK) {
                    secs = (double)au.n / au.sample_rate_hz;
                    lipsync_audio_free(&au);
                }
                printf("  %-40s %-6s %12.1f %8.2f %8.2f %7s\n", voices[k], tn[t], r.rss_mb,
                       r.wall_s, secs, r.rss_mb <= BV_TARGET_RSS_MB ? "met" : "NOT met");
                floor_mb = r.floor_mb;
            }
            unlink(out);
            unlink(log);
        }
    rmdir(dir);
    printf("  command: %s tts \"<text>\" -o OUT.wav --voice VOICE   (default threads)\n"
           "  (launched from a fresh copy of this program whose own peak RSS, %.1f MB, bounds "
           "what of the figure can come from the launcher)\n",
           o->shuzi, floor_mb);
    return 0;
}

/* ---- main ---------------------------------------------------------------- */

static void bv_usage(FILE *f)
{
    fprintf(
        f,
        "Usage: bench_voice [--voice NAME] [--sections wer,speed,memory] [--limit N]\n"
        "                   [--seeds N] [--temperature T] [--rate X] [--data DIR]\n"
        "                   [--data-label TEXT] [--sentences FILE] [--dump DIR]\n"
        "                   [--systems LIST] [--shuzi PATH]\n"
        "\n"
        "Measures a voice against the bars of issue 8, each beside " BV_BASELINE_VOICE ":\n"
        "  wer     word error rate of pocketsphinx (generic US English) on held-out\n"
        "          sentences, beside Festival's SLT HTS voice and the real recordings\n"
        "  speed   real-time factor on one thread (steps 4 = the default, 6, 10) and the\n"
        "          first-chunk latency of a 20-word sentence\n"
        "  memory  peak RSS of `shuzi tts` for a short and a long text\n"
        "\n"
        "Options:\n"
        "  --voice NAME      voice to test (default " BV_DEFAULT_VOICE ")\n"
        "  --sections LIST   comma-separated: wer, speed, memory (default all)\n"
        "  --limit N         use the first N sentences only\n"
        "  --temperature T   sampling noise of the tested voice, 0 to 2 (default: its own)\n"
        "  --rate X          speaking rate of the tested voice, 0.3 to 3 (default 1)\n"
        "  --seeds N         score the tested voice with seeds 1..N and pool its WER\n"
        "                    (default 1; sampling noise moves one seed's WER by a few\n"
        "                    points)\n"
        "  --data DIR        the recordings' data set (DIR/wavs/UID.flac; default\n"
        "                    SOURCE/../shared/data/kathleen)\n"
        "  --data-label TEXT what DIR holds, for the table (default \"kathleen recordings\n"
        "                    (human)\"; tools/train/copysynth.py writes copy syntheses)\n"
        "  --sentences FILE  UID<TAB>TEXT lines (default SOURCE/bench/data/kathleen_heldout.tsv,\n"
        "                    the held-out Kathleen texts; also there: lj_dev.tsv, 160 LJ\n"
        "                    Speech sentences that settings are chosen on; lj_test.tsv,\n"
        "                    160 more that nothing was trained or chosen on; and\n"
        "                    service_sentences.tsv, 60 of a bank kiosk, a live-selling\n"
        "                    host and explainer videos)\n"
        "  --systems LIST    what the wer section scores, comma-separated: ours (the\n"
        "                    tested voice), espeak, festival, data (the recordings of\n"
        "                    --data); default all (data alone scores copy syntheses fast)\n"
        "  --dump DIR        write each system's WAVs, the voices' events and the\n"
        "                    recognizer's hypotheses there\n"
        "  --shuzi PATH      the shuzi binary for the memory section (default: beside\n"
        "                    this program)\n"
        "SOURCE is $SHUZI_SOURCE_DIR, else the source tree this program was built from.\n"
        "(--spawn-rss LOG PROGRAM ARGS... is internal: the memory section's launcher.)\n");
}

/* A comma-separated LIST of names (option --OPT, each a KIND): on[k] = 1 for
 * each names[k] given, 0 for the others. Unknown names and empty lists are
 * refused with one line. */
static int bv_parse_names(const char *opt, const char *kind, const char *list,
                          const char *const *names, int count, int *on)
{
    char expected[200] = "";
    for (int k = 0; k < count; k++) {
        size_t used = strlen(expected);
        snprintf(expected + used, sizeof expected - used, k ? ", %s" : "%s", names[k]);
        on[k] = 0;
    }
    int any = 0;
    for (const char *p = list; *p;) {
        size_t n = strcspn(p, ",");
        int k = 0;
        while (k < count && !(strlen(names[k]) == n && !strncmp(p, names[k], n)))
            k++;
        if (k == count) {
            fprintf(stderr, "bench_voice: --%s: unknown %s '%.*s' (expected %s)\n", opt, kind,
                    (int)n, p, expected);
            return -1;
        }
        on[k] = any = 1;
        p += n;
        if (*p == ',')
            p++;
    }
    if (!any) {
        fprintf(stderr, "bench_voice: --%s: empty list\n", opt);
        return -1;
    }
    return 0;
}

static int bv_parse_sections(const char *list, bv_opts *o)
{
    static const char *const names[] = {"wer", "speed", "memory"};
    int on[3];
    if (bv_parse_names("sections", "section", list, names, 3, on) != 0)
        return -1;
    o->wer = on[0];
    o->speed = on[1];
    o->memory = on[2];
    return 0;
}

/* --systems LIST: which of ours, espeak, festival, data the wer section scores */
static const char *const bv_system_name[BV_N_SYSTEMS] = {"ours", "espeak", "festival", "data"};

static int bv_parse(int argc, char **argv, bv_opts *o)
{
    memset(o, 0, sizeof *o);
    o->voice = BV_DEFAULT_VOICE;
    o->wer = o->speed = o->memory = 1;
    for (int k = 0; k < BV_N_SYSTEMS; k++)
        o->systems[k] = 1;
    const char *src = getenv("SHUZI_SOURCE_DIR");
    if (!src || !src[0])
        src = SHUZI_SOURCE_DIR;
    snprintf(o->data_dir, sizeof o->data_dir, "%s/../shared/data/kathleen", src);
    snprintf(o->sentences, sizeof o->sentences, "%s/bench/data/kathleen_heldout.tsv", src);
    char exe[900];
    ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (len > 0) {
        exe[len] = 0;
        char *slash = strrchr(exe, '/');
        if (slash)
            *slash = 0;
        snprintf(o->shuzi, sizeof o->shuzi, "%s/shuzi", exe);
    } else {
        snprintf(o->shuzi, sizeof o->shuzi, "./shuzi");
    }
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            bv_usage(stdout);
            exit(0);
        }
        if (i + 1 >= argc) {
            fprintf(stderr, "bench_voice: %s: unknown option or missing value (see --help)\n", a);
            return -1;
        }
        const char *v = argv[++i];
        if (!strcmp(a, "--voice")) {
            o->voice = v;
        } else if (!strcmp(a, "--sections")) {
            if (bv_parse_sections(v, o) != 0)
                return -1;
        } else if (!strcmp(a, "--systems")) {
            if (bv_parse_names("systems", "system", v, bv_system_name, BV_N_SYSTEMS, o->systems) !=
                0)
                return -1;
        } else if (!strcmp(a, "--temperature") || !strcmp(a, "--rate")) {
            char *end = NULL;
            double x = strtod(v, &end);
            int temp = !strcmp(a, "--temperature");
            if (!end || *end || !(temp ? x >= 0 && x <= 2 : x >= 0.3 && x <= 3)) {
                fprintf(stderr, "bench_voice: %s '%s': expected %s\n", a, v,
                        temp ? "0 to 2" : "0.3 to 3");
                return -1;
            }
            if (temp)
                bv_temperature = x > 0 ? (float)x : -1.0f;
            else
                bv_rate = (float)x;
        } else if (!strcmp(a, "--seeds")) {
            char *end = NULL;
            errno = 0;
            long k = strtol(v, &end, 10);
            if (errno || !end || *end || k < 1 || k > 20) {
                fprintf(stderr, "bench_voice: --seeds '%s': expected 1 to 20\n", v);
                return -1;
            }
            bv_seeds = (int)k;
        } else if (!strcmp(a, "--limit")) {
            char *end = NULL;
            errno = 0;
            long n = strtol(v, &end, 10);
            if (errno || !end || *end || n < 1 || n > BV_MAX_SENTENCES) {
                fprintf(stderr, "bench_voice: --limit '%s': expected 1 to %d\n", v,
                        BV_MAX_SENTENCES);
                return -1;
            }
            o->limit = (size_t)n;
        } else if (!strcmp(a, "--data")) {
            snprintf(o->data_dir, sizeof o->data_dir, "%s", v);
        } else if (!strcmp(a, "--data-label")) {
            if (!v[0]) {
                fprintf(stderr, "bench_voice: --data-label: expected a non-empty text\n");
                return -1;
            }
            o->data_label = v;
        } else if (!strcmp(a, "--sentences")) {
            snprintf(o->sentences, sizeof o->sentences, "%s", v);
        } else if (!strcmp(a, "--dump")) {
            o->dump = v;
        } else if (!strcmp(a, "--shuzi")) {
            snprintf(o->shuzi, sizeof o->shuzi, "%s", v);
        } else {
            fprintf(stderr, "bench_voice: %s: unknown option (see --help)\n", a);
            return -1;
        }
    }
    return 0;
}

/* The header: what ran, where, and how to run it again. */
static void bv_header(const bv_opts *o, int argc, char **argv, size_t n, size_t n_file)
{
    char cpu[256] = "unknown CPU";
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (f) {
        char line[512];
        while (fgets(line, sizeof line, f))
            if (!strncmp(line, "model name", 10) && strchr(line, ':')) {
                snprintf(cpu, sizeof cpu, "%s", strchr(line, ':') + 2);
                cpu[strcspn(cpu, "\n")] = 0;
                break;
            }
        fclose(f);
    }
    printf("bench_voice: voice %s against %s; shuzi %s\n", o->voice, BV_BASELINE_VOICE,
           sz_version());
    printf("bars: WER at most %.2fx Festival's, and %.2fx Kathleen's recordings on her texts; "
           "RTF at most %.2f; first sound within %.0f ms; peak RSS at most %.0f MB\n",
           BV_TARGET_WER_RATIO, BV_TARGET_WER_RATIO_REC, BV_TARGET_RTF, BV_TARGET_FIRST_MS,
           BV_TARGET_RSS_MB);
    printf("machine: %s, %ld online CPUs; load average at start: ", cpu,
           sysconf(_SC_NPROCESSORS_ONLN));
    double load[3];
    if (getloadavg(load, 3) == 3)
        printf("%.2f %.2f %.2f\n", load[0], load[1], load[2]);
    else
        printf("unknown\n");
    printf("sentences: %zu of the %zu distinct texts of %s\n", n, n_file, o->sentences);
    printf("reproduce:\n  cmake -S SOURCE -B BUILD && cmake --build BUILD -j2 --target bench_voice "
           "shuzi\n  ");
    for (int i = 0; i < argc; i++)
        printf(i ? " '%s'" : "%s", argv[i]);
    char sections[32];
    snprintf(sections, sizeof sections, "%s%s%s", o->wer ? ",wer" : "", o->speed ? ",speed" : "",
             o->memory ? ",memory" : "");
    printf("\n  (in full: --voice '%s' --sections %s --limit %zu --sentences '%s' --data '%s'",
           o->voice, sections + 1, n, o->sentences, o->data_dir);
    if (o->data_label)
        printf(" --data-label '%s'", o->data_label);
    if (o->dump)
        printf(" --dump '%s'", o->dump);
    printf(" --systems ");
    for (int k = 0, first = 1; k < BV_N_SYSTEMS; k++)
        if (o->systems[k]) {
            printf(first ? "%s" : ",%s", bv_system_name[k]);
            first = 0;
        }
    printf(" --shuzi '%s')\n", o->shuzi);
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "--spawn-rss") == 0)
        return bv_spawn_rss_main(argc, argv);
    nn_blas_restart(argv); /* the kernels shuzi runs with (see core/cpu/nn.h) */
    bv_opts o;
    if (bv_parse(argc, argv, &o) != 0)
        return 2;
    setvbuf(stdout, NULL, _IOLBF, 0);
    bv_sentence *s = NULL;
    long n_file = bv_sentences_load(o.sentences, &s);
    if (n_file < 0)
        return 1;
    size_t n = o.limit && o.limit < (size_t)n_file ? o.limit : (size_t)n_file;
    nn_set_threads(1);
    bv_header(&o, argc, argv, n, (size_t)n_file);
    /* fail early and clearly when the voice under test does not open */
    char err[1024];
    tts_voice *v = NULL;
    if (bv_open_voice(o.voice, 0, &v, err, sizeof err) != SZ_OK) {
        fprintf(stderr, "bench_voice: cannot open voice %s: %s\n", o.voice, err);
        bv_sentences_free(s, (size_t)n_file);
        return 1;
    }
    printf("voice under test: %s, %d Hz, language '%s'\n", tts_voice_name(v),
           tts_voice_sample_rate(v), tts_voice_language(v));
    if (tts_is_mandarin(tts_voice_language(v))) {
        bv_short = bv_short_text_zh;
        bv_long = bv_long_text_zh;
    }
    tts_voice_free(&v);
    double t0 = bv_now_s();
    if (o.wer) {
        double t = bv_now_s();
        bv_section_wer(&o, s, n);
        printf("  [section wer took %.1f s]\n", bv_now_s() - t);
    }
    if (o.speed) {
        double t = bv_now_s();
        bv_section_speed(&o, s, n);
        printf("  [section speed took %.1f s]\n", bv_now_s() - t);
    }
    if (o.memory) {
        double t = bv_now_s();
        bv_section_memory(&o);
        printf("  [section memory took %.1f s]\n", bv_now_s() - t);
    }
    printf("\nbench_voice: done in %.1f s\n", bv_now_s() - t0);
    bv_sentences_free(s, (size_t)n_file);
    return 0;
}
