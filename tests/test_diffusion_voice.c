/* SPDX-License-Identifier: Apache-2.0 */
/* test_diffusion_voice.c: the diffusion voice in C against its PyTorch
 * reference (tests/data/diffusion_reference.safetensors), its envelope
 * refiner against the numpy twin, damaged voice files and refiners,
 * and what the voice kind promises: same seed same audio, streaming, exact
 * phone timeline, rate and pitch controls. Skips when the voice is absent. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "pitch.h"
#include "core/cpu/nn.h"
#include "core/safetensors.h"
#include "tts/model/dv_model.h"
#include "tts/vocoder/refiner.h"
#include "tts/vocoder/vocoder.h"
#include "tts/voice.h"

static char voice_path[1024], ref_path[1024];

/* ---- C against PyTorch ------------------------------------------------- */

static void test_reference(void)
{
    char err[512];
    st_file *ref = NULL;
    dv_model *m = NULL;
    if (st_open(ref_path, &ref, err, sizeof err) != SZ_OK) {
        CHECK(0, "reference: %s", err);
        return;
    }
    CHECK(dv_model_open(voice_path, &m, err, sizeof err) == SZ_OK, "open: %s", err);
    if (!m) {
        st_close(&ref);
        return;
    }
    const char *want = st_metadata(ref, "voice_sha256");
    const char *have = dv_model_metadata(m, "data_sha256");
    CHECK(want && have && strcmp(want, have) == 0,
          "the reference was made from another voice file: rerun tools/train/reference.py");
    const st_tensor *ids_t = st_find(ref, "ids"), *mu_t = st_find(ref, "mu");
    const st_tensor *fr_t = st_find(ref, "frames"), *ft_t = st_find(ref, "features");
    const dv_info *in = dv_model_info(m);
    int d = in->n_feats;
    if (!ids_t || !mu_t || !fr_t || !ft_t || mu_t->shape[1] != d) {
        CHECK(0, "reference tensors missing or of the wrong shape");
        goto done;
    }
    int n = (int)ids_t->n_elements;
    const float *idf = ids_t->data, *rmu = mu_t->data, *rfr = fr_t->data, *rft = ft_t->data;
    int ids[DV_MAX_TOKENS], frames[DV_MAX_TOKENS];
    for (int i = 0; i < n; i++)
        ids[i] = (int)idf[i];
    dv_work *w = dv_work_new(m);
    float *mu = malloc(sizeof(float) * (size_t)d * n);
    CHECK(dv_encode(m, w, ids, n, 1.0f, mu, frames) == SZ_OK, "encode");
    /* encoder: mu within 1e-4 (PyTorch stores it token-major) */
    double worst = 0;
    for (int t = 0; t < n; t++)
        for (int c = 0; c < d; c++)
            worst = fmax(worst, fabs(mu[(size_t)c * n + t] - rmu[(size_t)t * d + c]));
    printf("encoder mu: max |C - PyTorch| = %.2e over %d x %d\n", worst, n, d);
    CHECK(worst < 1e-4, "mu differs by %.2e (tolerance 1e-4)", worst);
    int same = 0, total = 0;
    for (int t = 0; t < n; t++) {
        same += frames[t] == (int)rfr[t];
        total += (int)rfr[t];
    }
    CHECK(same == n, "durations: %d of %d tokens agree", same, n);
    /* decoder: 4 Euler steps from mu, no noise */
    int tl = (int)ft_t->shape[0];
    CHECK(tl == total && tl <= DV_MAX_WINDOW, "reference has %d frames, durations sum to %d", tl,
          total);
    if (tl == total && tl <= DV_MAX_WINDOW) {
        float *x = malloc(sizeof(float) * (size_t)d * tl), *mu_y = malloc(sizeof(float) * (size_t)d * tl);
        for (int t = 0, k = 0, left = frames[0]; t < tl; t++, left--) {
            while (left == 0)
                left = frames[++k];
            for (int c = 0; c < d; c++)
                x[(size_t)c * tl + t] = mu_y[(size_t)c * tl + t] = mu[(size_t)c * n + k];
        }
        CHECK(dv_decode(m, w, x, mu_y, tl, 4) == SZ_OK, "decode");
        worst = 0;
        double scale = 0;
        for (int t = 0; t < tl; t++)
            for (int c = 0; c < d; c++) {
                worst = fmax(worst, fabs(x[(size_t)c * tl + t] - rft[(size_t)t * d + c]));
                scale = fmax(scale, fabs(rft[(size_t)t * d + c]));
            }
        printf("decoder features: max |C - PyTorch| = %.2e (values up to %.2f) over %d frames\n",
               worst, scale, tl);
        CHECK(worst < 1e-3, "features differ by %.2e (tolerance 1e-3)", worst);
        free(x);
        free(mu_y);
        /* streaming: windows of 24 then 96 frames with 24 frames of context
         * (what the voice does) against the whole sequence at once, with noise */
        int starts[DV_MAX_TOKENS + 1] = {0};
        for (int i = 0; i < n; i++)
            starts[i + 1] = starts[i] + frames[i];
        float *whole = malloc(sizeof(float) * (size_t)d * tl);
        float *part = malloc(sizeof(float) * (size_t)d * tl);
        CHECK(dv_decode_frames(m, w, mu, n, starts, 0, tl, 0, 6, 0.5f, 3, 0, whole) == SZ_OK,
              "whole decode");
        for (int a = 0; a < tl;) {
            int b = a + (a == 0 ? 24 : 96) < tl ? a + (a == 0 ? 24 : 96) : tl;
            CHECK(dv_decode_frames(m, w, mu, n, starts, a, b, 24, 6, 0.5f, 3, 0,
                                   part + (size_t)a * d) == SZ_OK, "window decode");
            a = b;
        }
        worst = 0;
        for (size_t i = 0; i < (size_t)d * tl; i++)
            worst = fmax(worst, fabs(whole[i] - part[i]));
        printf("streamed windows against the whole sequence: max difference %.2e\n", worst);
        CHECK(worst < 0.02, "windowed decoding differs by %.3f from the whole (tolerance 0.02)",
              worst);
        free(whole);
        free(part);
    }
    free(mu);
    dv_work_free(&w);
done:
    dv_model_free(&m);
    st_close(&ref);
}

/* ---- the envelope refiner ---------------------------------------------- */

/* The refiner against refiner.py's numpy twin on the reference's decoded
 * features, and the vocoder with the refiner against the vocoder without it
 * on the frames refined outside: the same samples, so the lag of C frames
 * and the clamped edges are right. */
static void test_refiner(void)
{
    char err[512];
    st_file *ref = NULL;
    dv_model *m = NULL;
    voc_refiner *r = NULL;
    if (st_open(ref_path, &ref, err, sizeof err) != SZ_OK ||
        dv_model_open(voice_path, &m, err, sizeof err) != SZ_OK) {
        CHECK(0, "refiner: %s", err);
        goto done;
    }
    const dv_info *in = dv_model_info(m);
    CHECK(voc_refiner_load(dv_model_file(m), in->n_bands, in->sample_rate, &r, err, sizeof err) ==
              SZ_OK, "refiner: %s", err);
    const st_tensor *x_t = st_find(ref, "refiner_in"), *y_t = st_find(ref, "refiner_out");
    if (!r) {
        CHECK(!x_t, "the reference has refiner tensors, the voice no refiner");
        printf("the voice has no envelope refiner\n");
        goto done;
    }
    const int d = in->n_feats, nb = in->n_bands, c = voc_refiner_context(r);
    if (!x_t || !y_t || x_t->n_dims != 2 || x_t->shape[1] != d || y_t->shape[1] != nb ||
        y_t->shape[0] != x_t->shape[0]) {
        CHECK(0, "refiner reference tensors missing or of the wrong shape: rerun reference.py");
        goto done;
    }
    const int n = (int)x_t->shape[0];
    const float *x = x_t->data, *want = y_t->data;
    float *scratch = malloc(sizeof(float) * voc_refiner_scratch(r));
    float *refined = malloc(sizeof(float) * (size_t)n * d), out[260];
    double worst = 0, moved = 0;
    for (int t = 0; t < n; t++) {
        const float *frames[2 * VOC_REFINER_MAX_CONTEXT + 1];
        for (int i = 0; i <= 2 * c; i++) {
            int k = t - c + i;
            frames[i] = x + (size_t)(k < 0 ? 0 : k >= n ? n - 1 : k) * d;
        }
        voc_refiner_apply(r, frames, 0.0f, scratch, out);
        memcpy(refined + (size_t)t * d, x + (size_t)t * d, sizeof(float) * d);
        for (int b = 0; b < nb; b++) {
            worst = fmax(worst, fabs(out[b] - want[(size_t)t * nb + b]));
            moved = fmax(moved, fabs(out[b] - x[(size_t)t * d + b]));
            refined[(size_t)t * d + b] = out[b];
        }
    }
    printf("refiner: max |C - numpy| = %.2e over %d frames (bands moved up to %.2f)\n", worst, n,
           moved);
    CHECK(worst < 1e-4, "refined bands differ by %.2e (tolerance 1e-4)", worst);
    CHECK(moved > 0.05, "the refiner moved no band by more than %.3f", moved);
    voc_params p = {.sample_rate = in->sample_rate, .hop = in->hop, .n_bands = nb,
                    .voicing_threshold = in->voicing_threshold};
    voc *plain = voc_new(&p);
    p.refiner = r;
    voc *with = voc_new(&p);
    size_t cap = (size_t)(n + 2 * c + 2) * in->hop;
    float *a = calloc(cap, sizeof(float)), *b = calloc(cap, sizeof(float));
    size_t na = 0, nb2 = 0;
    if (plain && with && a && b) {
        voc_reset(plain, 5);
        voc_reset(with, 5);
        for (int t = 0; t < n; t++) {
            size_t ga = voc_push(with, x + (size_t)t * d, 1.0f, a + na);
            CHECK(t > c || ga == 0, "frame %d: output before the refiner's context", t);
            na += ga;
            nb2 += voc_push(plain, refined + (size_t)t * d, 1.0f, b + nb2);
        }
        na += voc_finish(with, a + na);
        nb2 += voc_finish(plain, b + nb2);
        CHECK(na == (size_t)n * in->hop && nb2 == na, "%zu and %zu samples for %d frames", na, nb2,
              n);
        double diff = 0;
        for (size_t i = 0; i < na && i < nb2; i++)
            diff = fmax(diff, fabs(a[i] - b[i]));
        printf("vocoder with the refiner against refined frames: max difference %.2e\n", diff);
        CHECK(diff < 1e-4, "the vocoder's refined output differs by %.2e", diff);
    } else {
        CHECK(0, "voc_new");
    }
    free(a);
    free(b);
    voc_free(&plain);
    voc_free(&with);
    free(scratch);
    free(refined);
done:
    voc_refiner_free(&r);
    dv_model_free(&m);
    st_close(&ref);
}

/* ---- damaged files ------------------------------------------------------- */

static unsigned char *read_all(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *buf = malloc((size_t)len);
    if (buf && fread(buf, 1, (size_t)len, f) != (size_t)len) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    *n = (size_t)len;
    return buf;
}

static void write_all(const char *path, const unsigned char *buf, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (f) {
        fwrite(buf, 1, n, f);
        fclose(f);
    }
}

/* Opens a damaged copy and checks the error names the problem. */
static void expect_refused_by(const char *label, const unsigned char *buf, size_t n,
                              const char *needle, int through_voice)
{
    char path[64], err[512] = "";
    snprintf(path, sizeof path, "/tmp/shuzi_dv_test_%d.safetensors", (int)getpid());
    write_all(path, buf, n);
    int rc, accepted;
    if (through_voice) { /* the voice kind: the model, then what else the file carries */
        char name[80];
        snprintf(name, sizeof name, "diffusion:%s", path);
        tts_voice_params p = {.speaking_rate = 1.0f, .n_threads = 1, .seed = 1};
        tts_voice *v = NULL;
        rc = tts_voice_open(name, &p, &v, err, sizeof err);
        accepted = v != NULL;
        tts_voice_free(&v);
    } else {
        dv_model *m = NULL;
        rc = dv_model_open(path, &m, err, sizeof err);
        accepted = m != NULL;
        dv_model_free(&m);
    }
    CHECK(rc != SZ_OK && !accepted, "%s: a damaged voice file was accepted", label);
    CHECK(strstr(err, needle) != NULL, "%s: message '%s' should mention '%s'", label, err, needle);
    CHECK(strstr(err, path) != NULL, "%s: message '%s' should name the file", label, err);
    printf("%-22s -> %s\n", label, err);
    unlink(path);
}

static void expect_refused(const char *label, const unsigned char *buf, size_t n, const char *needle)
{
    expect_refused_by(label, buf, n, needle, 0);
}

static void replace_once(unsigned char *buf, size_t n, const char *from, const char *to)
{
    size_t lf = strlen(from);
    for (size_t i = 0; i + lf <= n; i++)
        if (memcmp(buf + i, from, lf) == 0) {
            memcpy(buf + i, to, lf); /* same length: offsets stay valid */
            return;
        }
}

static void test_damaged(void)
{
    size_t n = 0;
    unsigned char *orig = read_all(voice_path, &n);
    if (!orig) {
        CHECK(0, "cannot read %s", voice_path);
        return;
    }
    unsigned char *buf = malloc(n);
    uint64_t hlen = 0;
    memcpy(&hlen, orig, 8);
    /* truncated: half the file, and one byte short */
    expect_refused("truncated to half", orig, n / 2, "");
    expect_refused("one byte short", orig, n - 1, "");
    /* one weight altered: the checksum catches it */
    memcpy(buf, orig, n);
    buf[8 + hlen + (n - 8 - hlen) / 2] ^= 0x01;
    expect_refused("one bit flipped", buf, n, "checksum");
    /* a non-finite weight */
    memcpy(buf, orig, n);
    const float inf = INFINITY;
    memcpy(buf + 8 + hlen + 4 * 10, &inf, 4);
    expect_refused("infinite weight", buf, n, "non-finite");
    /* metadata: another format, an impossible hyper-parameter, a bad table */
    memcpy(buf, orig, n);
    replace_once(buf, n, "shuzi-diffusion-voice", "shuzi-diffusion-vXXX");
    expect_refused("wrong format tag", buf, n, "format");
    memcpy(buf, orig, n);
    replace_once(buf, n, "\\\"enc_layers\\\": 6", "\\\"enc_layers\\\": 0");
    expect_refused("bad hyper-parameter", buf, n, "enc_layers");
    memcpy(buf, orig, n);
    replace_once(buf, n, "\"symbols\":\"[", "\"symbols\":\"{");
    expect_refused("bad symbol table", buf, n, "symbols");
    /* not a safetensors file at all */
    expect_refused("text file", (const unsigned char *)"hello, world\n", 13, "");
    free(buf);
    free(orig);
}

/* A copy with the header edited (same length) must be refused by the voice
 * (its model loads: the checksum covers the tensors, not the metadata). */
static void expect_refiner_refused(const char *label, const unsigned char *orig, size_t n,
                                   const char *from, const char *to, const char *needle)
{
    unsigned char *buf = malloc(n);
    memcpy(buf, orig, n);
    replace_once(buf, n, from, to);
    CHECK(memcmp(buf, orig, n) != 0, "%s: '%s' not found in the voice file", label, from);
    expect_refused_by(label, buf, n, needle, 1);
    free(buf);
}

static void test_refiner_damaged(void)
{
    size_t n = 0;
    unsigned char *orig = read_all(voice_path, &n);
    if (!orig) {
        CHECK(0, "cannot read %s", voice_path);
        return;
    }
    if (!memmem(orig, n < 65536 ? n : 65536, "\"refiner_context\":\"", 19)) {
        printf("the voice has no envelope refiner: its damaged copies not tried\n");
        free(orig);
        return;
    }
    expect_refiner_refused("refiner context 9", orig, n, "\"refiner_context\":\"2\"",
                           "\"refiner_context\":\"9\"", "refiner_context");
    expect_refiner_refused("refiner width", orig, n, "\"refiner_hidden\":\"256\"",
                           "\"refiner_hidden\":\"255\"", "refiner.l1.weight");
    expect_refiner_refused("refiner window", orig, n, "\"refiner_win\":\"512\"",
                           "\"refiner_win\":\"500\"", "refiner.ripple");
    expect_refiner_refused("refiner tensor renamed", orig, n, "\"refiner.l2.bias\"",
                           "\"refiner.l2.bia_\"", "refiner.l2.bias");
    expect_refiner_refused("refiner, no metadata", orig, n, "\"refiner_context\":\"2\"",
                           "\"refiner_contexx\":\"2\"", "no 'refiner_context'");
    free(orig);
}

/* ---- the voice kind ---------------------------------------------------- */

typedef struct capture {
    float *pcm;
    size_t n, cap;
    int chunks;
    size_t first_chunk;
    tts_event ev[512];
    int n_ev;
    int64_t first_event_after_audio; /* an event that arrived after audio past its start */
} capture;

static int cap_audio(void *user, const float *pcm, size_t n)
{
    capture *c = user;
    if (c->n + n > c->cap) {
        c->cap = (c->n + n) * 2;
        c->pcm = realloc(c->pcm, sizeof(float) * c->cap);
    }
    memcpy(c->pcm + c->n, pcm, sizeof(float) * n);
    if (c->chunks++ == 0)
        c->first_chunk = n;
    c->n += n;
    return 0;
}

static int cap_event(void *user, const tts_event *e)
{
    capture *c = user;
    if (e->start < (int64_t)c->n && c->first_event_after_audio < 0)
        c->first_event_after_audio = e->start;
    if (c->n_ev < 512)
        c->ev[c->n_ev++] = *e;
    return 0;
}

static int say(tts_voice *v, const char *text, float rate, float pitch, capture *c)
{
    memset(c, 0, sizeof *c);
    c->first_event_after_audio = -1;
    tts_sink sink = {cap_audio, cap_event, c};
    tts_synth_opts o = tts_synth_default_opts();
    o.rate = rate;
    o.pitch = pitch;
    char err[256];
    int rc = tts_voice_synthesize(v, text, &o, &sink, err, sizeof err);
    CHECK(rc == SZ_OK, "synthesize '%s': %s", text, err);
    return rc;
}

/* Warnings about OpenBLAS's kernels (the voice's open logs one per process
 * when they are generic on a CPU with better ones). */
static int kernel_warnings;
static void count_kernel_warnings(sz_log_level level, const char *tag, const char *message,
                                  void *user)
{
    (void)tag;
    (void)user;
    if (level == SZ_LOG_WARN && strstr(message, "OPENBLAS_CORETYPE="))
        kernel_warnings++;
}

static void test_voice(void)
{
    char err[512], name[1100];
    snprintf(name, sizeof name, "diffusion:%s", voice_path);
    tts_voice_params p = {.speaking_rate = 1.0f, .n_threads = 1, .seed = 7};
    tts_voice *v = NULL, *v2 = NULL, *v3 = NULL;
    CHECK(tts_voice_open(name, &p, &v, err, sizeof err) == SZ_OK, "open %s: %s", name, err);
    CHECK(tts_voice_open(name, &p, &v2, err, sizeof err) == SZ_OK, "open again: %s", err);
    p.seed = 8;
    CHECK(tts_voice_open(name, &p, &v3, err, sizeof err) == SZ_OK, "open, seed 8: %s", err);
    if (!v || !v2 || !v3)
        goto done;
    int sr = tts_voice_sample_rate(v);
    CHECK(sr == 22050, "sample rate %d", sr);
    const char *text = "Thank you for calling the bank today, how may I help you with your account";
    capture a, b, c;
    say(v, text, 1.0f, 1.0f, &a);
    say(v2, text, 1.0f, 1.0f, &b);
    say(v3, text, 1.0f, 1.0f, &c);
    double secs = (double)a.n / sr;
    printf("'%s': %.2f s in %d chunks (first %zu samples), %d events\n", text, secs, a.chunks,
           a.first_chunk, a.n_ev);
    CHECK(secs > 2.0 && secs < 12.0, "%.2f s of audio for 15 words", secs);
    CHECK(a.n == b.n && memcmp(a.pcm, b.pcm, sizeof(float) * a.n) == 0,
          "same seed, same text: the audio differs");
    int differs = c.n != a.n || memcmp(a.pcm, c.pcm, sizeof(float) * a.n) != 0;
    CHECK(differs, "another seed gave identical audio (the sampler ignores the seed)");
    /* streaming: several chunks, the first well before the end */
    CHECK(a.chunks >= 3 && a.first_chunk * 4 < a.n, "%d chunks, first %zu of %zu samples",
          a.chunks, a.first_chunk, a.n);
    /* level: speech, not silence, not clipping */
    double peak = 0, e = 0;
    for (size_t i = 0; i < a.n; i++) {
        peak = fmax(peak, fabs(a.pcm[i]));
        e += a.pcm[i] * a.pcm[i];
    }
    double rms = sqrt(e / (double)(a.n ? a.n : 1));
    printf("peak %.3f, rms %.4f\n", peak, rms);
    CHECK(rms > 0.01 && peak < 1.0, "rms %.4f, peak %.3f", rms, peak);
    /* phone timeline: in order, on frame boundaries, inside the audio, never late */
    int phones = 0, words = 0, ordered = 1, on_hop = 1;
    int64_t last = -1;
    for (int i = 0; i < a.n_ev; i++) {
        const tts_event *ev = &a.ev[i];
        if (ev->type == TTS_EV_PHONE) {
            phones++;
            ordered &= ev->start >= last;
            on_hop &= ev->start % 256 == 0;
            last = ev->start;
        }
        if (ev->type == TTS_EV_WORD)
            words++;
    }
    /* every text word gets its event, in order, without punctuation, even
     * where espeak joins words ("of the") */
    CHECK(phones >= 40 && words == 15, "%d phone events, %d word events (15 words)", phones, words);
    char said[512] = "";
    for (int i = 0; i < a.n_ev; i++)
        if (a.ev[i].type == TTS_EV_WORD && strlen(said) + strlen(a.ev[i].value) + 2 < sizeof said) {
            if (said[0])
                strcat(said, " ");
            strcat(said, a.ev[i].value);
        }
    CHECK(strcmp(said, "Thank you for calling the bank today how may I help you with your account") == 0,
          "word events say '%s'", said);
    CHECK(ordered && on_hop, "phone events must be in order and on 256-sample frame boundaries");
    CHECK(last < (int64_t)a.n, "last phone at %lld, audio ends at %zu", (long long)last, a.n);
    CHECK(a.first_event_after_audio < 0,
          "an event at sample %lld arrived after the audio that contains it",
          (long long)a.first_event_after_audio);
    /* whole frames: every decoded frame reaches the vocoder, also where a
     * text is shorter than the first window (frames are held back for the
     * envelope's temporal sharpening until their neighbours are decoded) */
    capture oh;
    say(v, "Oh.", 2.0f, 1.0f, &oh); /* fewer than 24 frames */
    printf("'Oh.': %zu samples in %d chunks\n", oh.n, oh.chunks);
    CHECK(a.n % 256 == 0 && oh.n % 256 == 0, "audio of %zu and %zu samples: not whole frames", a.n,
          oh.n);
    CHECK(oh.n > (size_t)sr / 16 && oh.n < (size_t)sr, "%zu samples for 'Oh.' at rate 2", oh.n);
    free(oh.pcm);
    /* controls: rate and pitch */
    capture fast, high;
    say(v, text, 2.0f, 1.0f, &fast);
    double ratio = (double)fast.n / (double)a.n;
    printf("rate 2: %.2f of the length\n", ratio);
    CHECK(ratio > 0.35 && ratio < 0.65, "rate 2.0 gave %.2f of the length", ratio);
    say(v, text, 1.0f, 1.5f, &high);
    double f_a = pitch_median_f0(a.pcm, a.n, sr), f_h = pitch_median_f0(high.pcm, high.n, sr);
    printf("median F0 %.1f Hz, with pitch 1.5: %.1f Hz (x%.2f)\n", f_a, f_h, f_h / f_a);
    CHECK(f_a > 120 && f_a < 320, "median F0 %.1f Hz for a female voice", f_a);
    CHECK(f_h / f_a > 1.35 && f_h / f_a < 1.65, "pitch 1.5 moved F0 by x%.2f", f_h / f_a);
    free(a.pcm);
    free(b.pcm);
    free(c.pcm);
    free(fast.pcm);
    free(high.pcm);
done:
    tts_voice_free(&v);
    tts_voice_free(&v2);
    tts_voice_free(&v3);
}

int main(void)
{
    const char *src = getenv("SHUZI_SOURCE_DIR");
    snprintf(voice_path, sizeof voice_path, "%s/assets/voices/kathleen.safetensors", src ? src : "..");
    snprintf(ref_path, sizeof ref_path, "%s/tests/data/diffusion_reference.safetensors",
             src ? src : "..");
    if (access(voice_path, R_OK) != 0) {
        fprintf(stderr, "skip: no voice file at %s\n", voice_path);
        return 77;
    }
    test_reference();
    test_refiner();
    test_damaged();
    test_refiner_damaged();
    /* the Mandarin voice file is refused the same way when damaged */
    char kathleen[sizeof voice_path];
    memcpy(kathleen, voice_path, sizeof kathleen);
    snprintf(voice_path, sizeof voice_path, "%s/assets/voices/hantts.safetensors", src ? src : "..");
    if (access(voice_path, R_OK) == 0)
        test_damaged();
    else
        printf("no Mandarin voice at %s: its damaged copies not tried\n", voice_path);
    memcpy(voice_path, kathleen, sizeof kathleen);
    sz_set_log_callback(count_kernel_warnings, NULL);
    test_voice();
    sz_set_log_callback(NULL, NULL);
    /* this program is not restarted as the shuzi command is */
    const char *better = nn_blas_better_kernels();
    printf("OpenBLAS kernels %s; better ones for this CPU: %s; warnings: %d\n", nn_blas_kernels(),
           better ? better : "none", kernel_warnings);
    CHECK(kernel_warnings == (better ? 1 : 0), "%d warnings about the kernels, expected %d",
          kernel_warnings, better ? 1 : 0);
    return check_summary("test_diffusion_voice");
}
