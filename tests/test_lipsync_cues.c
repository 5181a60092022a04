/* SPDX-License-Identifier: Apache-2.0 */
/* test_lipsync_cues.c: the files audio-only lip-sync reads and writes. WAV
 * parsing (formats, channels, chunk layouts, and malformed files rejected
 * with a message naming the field), Festival's xlabel segments, phone tracks
 * to Rhubarb mouth cues (shapes, diphthongs, in-betweens, extended shapes),
 * the Rhubarb TSV and JSON writers, speech marks, per-frame blendshapes, and
 * the scores used by the benchmark. */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/media.h"
#include "lipsync/audio_file.h"
#include "lipsync/cues.h"
#include "lipsync/evaluate.h"
#include "shuzi.h"

#include "check.h"

/* ---- WAV ---------------------------------------------------------------- */

typedef struct wbuf {
    uint8_t d[4096];
    size_t n;
} wbuf;

static void put(wbuf *b, const void *p, size_t n)
{
    memcpy(b->d + b->n, p, n);
    b->n += n;
}
static void put32(wbuf *b, uint32_t v)
{
    uint8_t x[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
    put(b, x, 4);
}
static void put16(wbuf *b, uint16_t v)
{
    uint8_t x[2] = {(uint8_t)v, (uint8_t)(v >> 8)};
    put(b, x, 2);
}

/* RIFF header + fmt chunk (+ optional extra chunk before data). */
static void wav_head(wbuf *b, int tag, int ch, uint32_t rate, int bits, int block, int ext,
                     int junk)
{
    b->n = 0;
    put(b, "RIFF", 4);
    put32(b, 0); /* size: not checked */
    put(b, "WAVE", 4);
    if (junk) { /* an odd-sized chunk with its pad byte */
        put(b, "LIST", 4);
        put32(b, 3);
        put(b, "abc\0", 4);
    }
    put(b, "fmt ", 4);
    put32(b, ext ? 40 : 16);
    put16(b, (uint16_t)(ext ? 0xFFFE : tag));
    put16(b, (uint16_t)ch);
    put32(b, rate);
    put32(b, rate * (uint32_t)block);
    put16(b, (uint16_t)block);
    put16(b, (uint16_t)bits);
    if (ext) {
        put16(b, 22);
        put16(b, (uint16_t)bits);
        put32(b, 0);
        put16(b, (uint16_t)tag); /* sub-format GUID starts with the tag */
        uint8_t guid_rest[14] = {0, 0, 0, 0, 0x10, 0, 0x80, 0, 0, 0xAA, 0, 0x38, 0x9B, 0x71};
        put(b, guid_rest, 14);
    }
}

static void test_wav(void)
{
    wbuf b;
    ls_audio a;
    char err[256];
    /* 16-bit mono */
    wav_head(&b, 1, 1, 16000, 16, 2, 0, 1);
    put(&b, "data", 4);
    put32(&b, 6);
    put16(&b, 16384);
    put16(&b, (uint16_t)-32768);
    put16(&b, 0);
    int rc = lipsync_wav_parse(b.d, b.n, "t.wav", &a, err, sizeof err);
    CHECK(rc == SZ_OK && a.n == 3 && a.sample_rate_hz == 16000 && fabsf(a.pcm[0] - 0.5f) < 1e-6f &&
              a.pcm[1] == -1.0f && a.pcm[2] == 0.0f,
          "16-bit mono: rc %d n %zu rate %d: %s", rc, a.n, a.sample_rate_hz, rc ? err : "");
    lipsync_audio_free(&a);
    /* 24-bit stereo, averaged */
    wav_head(&b, 1, 2, 48000, 24, 6, 0, 0);
    put(&b, "data", 4);
    put32(&b, 6);
    uint8_t fr[6] = {0, 0, 0x40, 0, 0, 0xC0}; /* +0.5, -0.5 */
    put(&b, fr, 6);
    rc = lipsync_wav_parse(b.d, b.n, "t.wav", &a, err, sizeof err);
    CHECK(rc == SZ_OK && a.n == 1 && fabsf(a.pcm[0]) < 1e-6f, "24-bit stereo: rc %d %s", rc,
          rc ? err : "");
    lipsync_audio_free(&a);
    /* float32 via WAVE_FORMAT_EXTENSIBLE, 8-bit unsigned */
    wav_head(&b, 3, 1, 22050, 32, 4, 1, 0);
    put(&b, "data", 4);
    put32(&b, 8);
    float x[2] = {0.25f, -2.0f};
    put(&b, x, 8);
    rc = lipsync_wav_parse(b.d, b.n, "t.wav", &a, err, sizeof err);
    CHECK(rc == SZ_OK && a.n == 2 && a.pcm[0] == 0.25f && a.pcm[1] == -1.0f,
          "float extensible (clipped): rc %d %s", rc, rc ? err : "");
    lipsync_audio_free(&a);
    wav_head(&b, 1, 1, 8000, 8, 1, 0, 0);
    put(&b, "data", 4);
    put32(&b, 2);
    put(&b, "\x80\xC0", 2);
    rc = lipsync_wav_parse(b.d, b.n, "t.wav", &a, err, sizeof err);
    CHECK(rc == SZ_OK && a.n == 2 && a.pcm[0] == 0.0f && a.pcm[1] == 0.5f, "8-bit: rc %d", rc);
    lipsync_audio_free(&a);
    /* a data chunk cut short: the whole frames there are read */
    wav_head(&b, 1, 1, 16000, 16, 2, 0, 0);
    put(&b, "data", 4);
    put32(&b, 1000);
    put16(&b, 100);
    put16(&b, 200);
    put(&b, "\x01", 1);
    rc = lipsync_wav_parse(b.d, b.n, "t.wav", &a, err, sizeof err);
    CHECK(rc == SZ_OK && a.n == 2, "truncated data: rc %d n %zu", rc, a.n);
    lipsync_audio_free(&a);

    /* malformed: each rejected with the field named */
    static const struct {
        int tag, ch, bits, block, rate, data_first;
        const char *want;
    } bad[] = {
        {2, 1, 4, 1, 16000, 0, "audio format 2"}, {1, 0, 16, 2, 16000, 0, "0 channels"},
        {1, 9, 16, 18, 16000, 0, "9 channels"},   {1, 1, 12, 2, 16000, 0, "12 bits"},
        {1, 2, 16, 2, 16000, 0, "block align 2"}, {1, 1, 16, 2, 500, 0, "sample rate 500"},
        {3, 1, 16, 2, 16000, 0, "16 bits"},       {1, 1, 16, 2, 16000, 1, "before the fmt chunk"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        b.n = 0;
        if (bad[i].data_first) {
            put(&b, "RIFF\0\0\0\0WAVEdata\2\0\0\0\0\0", 20);
        } else {
            wav_head(&b, bad[i].tag, bad[i].ch, (uint32_t)bad[i].rate, bad[i].bits, bad[i].block, 0,
                     0);
            put(&b, "data\2\0\0\0\0\0", 10);
        }
        err[0] = 0;
        rc = lipsync_wav_parse(b.d, b.n, "bad.wav", &a, err, sizeof err);
        CHECK(rc != SZ_OK && strstr(err, bad[i].want) && strncmp(err, "bad.wav: ", 9) == 0 &&
                  a.pcm == NULL,
              "bad %zu: rc %d, message '%s' (wanted '%s')", i, rc, err, bad[i].want);
    }
    static const struct {
        const char *bytes;
        size_t n;
        const char *want;
    } junk[] = {
        {"", 0, "not a WAV file"},
        {"RIFF\0\0\0\0WAVX", 12, "not a WAV file"},
        {"RF64\0\0\0\0WAVE", 12, "RF64 is not supported"},
        {"RIFF\0\0\0\0WAVE", 12, "no fmt chunk"},
        {"RIFF\0\0\0\0WAVEfmt \x10\0\0\0\1\0", 22, "runs past the end"},
        {"RIFF\0\0\0\0WAVEfmt \x08\0\0\0\1\0\1\0\0\0\0\0", 28, "at least 16"},
    };
    for (size_t i = 0; i < sizeof junk / sizeof junk[0]; i++) {
        err[0] = 0;
        rc = lipsync_wav_parse((const uint8_t *)junk[i].bytes, junk[i].n, "j.wav", &a, err,
                               sizeof err);
        CHECK(rc != SZ_OK && strstr(err, junk[i].want), "junk %zu: rc %d '%s' (wanted '%s')", i, rc,
              err, junk[i].want);
    }
    wav_head(&b, 1, 1, 16000, 16, 2, 0, 0);
    rc = lipsync_wav_parse(b.d, b.n, "nodata.wav", &a, err, sizeof err);
    CHECK(rc != SZ_OK && strstr(err, "no data chunk"), "no data: '%s'", err);
    wav_head(&b, 1, 1, 16000, 16, 2, 0, 0);
    put(&b, "data\0\0\0\0", 8);
    rc = lipsync_wav_parse(b.d, b.n, "empty.wav", &a, err, sizeof err);
    CHECK(rc != SZ_OK && strstr(err, "no samples"), "empty data: '%s'", err);

    /* a file on disk, resampled; and a file that is not audio */
    char path[] = "/tmp/shuzi-lscues-XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0, "mkstemp");
    if (fd < 0)
        return;
    wav_head(&b, 1, 1, 8000, 16, 2, 0, 0);
    put(&b, "data", 4);
    put32(&b, 1600 * 2);
    FILE *f = fdopen(fd, "wb");
    fwrite(b.d, 1, b.n, f);
    for (int i = 0; i < 1600; i++) { /* 200 ms of 400 Hz */
        int16_t v = (int16_t)(10000 * sin(2 * M_PI * 400 * i / 8000.0));
        fwrite(&v, 2, 1, f);
    }
    fclose(f);
    rc = lipsync_audio_load(path, 16000, &a, err, sizeof err);
    CHECK(rc == SZ_OK && a.sample_rate_hz == 16000 && a.n >= 3150 && a.n <= 3250,
          "resampled load: rc %d n %zu (%s)", rc, a.n, rc ? err : "");
    double sq = 0;
    for (size_t i = 200; i + 200 < a.n; i++)
        sq += (double)a.pcm[i] * a.pcm[i];
    double rms = a.n > 400 ? sqrt(sq / (double)(a.n - 400)) : 0;
    CHECK(fabs(rms - 10000 / 32768.0 / sqrt(2)) < 0.01, "resampled RMS %.4f", rms);
    lipsync_audio_free(&a);
    f = fopen(path, "wb");
    fputs("this is not audio at all, just text\n", f);
    fclose(f);
    err[0] = 0;
    rc = lipsync_audio_load(path, 16000, &a, err, sizeof err);
    CHECK(rc != SZ_OK && strstr(err, path), "text file as audio: rc %d '%s'", rc, err);
    unlink(path);
    rc = lipsync_audio_load("/nonexistent/x.wav", 0, &a, err, sizeof err);
    CHECK(rc == SZ_ERR_NOT_FOUND && strstr(err, "/nonexistent/x.wav"), "missing file: %d '%s'", rc,
          err);
}

/* ---- xlabel ------------------------------------------------------------- */

static void test_xlabel(void)
{
    const char *good = "separator ;\nnfields 1\n#\n0.1650 100 pau\n0.2100 100 dh\n"
                       "0.2500 100 ax\n0.3600 100 ah\n0.42 100 m ; extra\n0.50 100 pau\n";
    ls_track t;
    lipsync_track_init(&t);
    char err[256];
    int rc = lipsync_read_xlabel(good, strlen(good), "a.segs", &t, err, sizeof err);
    CHECK(rc == SZ_OK && t.n_segs == 6 && t.duration_us == 500000, "good: rc %d n %zu (%s)", rc,
          t.n_segs, rc ? err : "");
    if (rc == SZ_OK && t.n_segs == 6) {
        CHECK(t.segs[0].start_us == 0 && t.segs[0].end_us == 165000 && t.segs[0].viseme == VIS_SIL,
              "pau segment");
        CHECK(t.segs[1].start_us == 165000 && t.segs[1].viseme == VIS_TH, "dh segment");
        CHECK(t.segs[2].viseme == VIS_E && t.segs[3].viseme == VIS_AA,
              "ax is a schwa (E), ah stressed (aa): %d %d", t.segs[2].viseme, t.segs[3].viseme);
        CHECK(t.segs[4].viseme == VIS_PP && strcmp(t.segs[4].phone, "M") == 0, "m segment");
    }
    static const struct {
        const char *text, *want;
    } bad[] = {
        {"0.1 100 pau\n", "no '#' line"},
        {"#\n", "no segments"},
        {"#\nabc 100 pau\n", "b.segs:2: field 1"},
        {"#\n0.5 100 pau\n0.4 100 m\n", "b.segs:3: end time"},
        {"#\n0.5\n", "b.segs:2: field 2"},
        {"#\n0.5 100\n", "b.segs:2: field 3"},
        {"#\n0.5 100 qq\n", "unknown phone 'qq'"},
        {"#\n-1 100 pau\n", "field 1"},
        {"#\n1e300 100 pau\n", "field 1"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        err[0] = 0;
        rc = lipsync_read_xlabel(bad[i].text, strlen(bad[i].text), "b.segs", &t, err, sizeof err);
        CHECK(rc == SZ_ERR_FORMAT && strstr(err, bad[i].want), "bad xlabel %zu: rc %d '%s'", i, rc,
              err);
    }
    lipsync_track_free(&t);
}

/* ---- cues ----------------------------------------------------------------- */

static void add(ls_track *t, int a_ms, int b_ms, const char *ph, int word)
{
    lipsync_track_add(t, a_ms * 1000LL, b_ms * 1000LL, ph, 0, word);
}

static const char *cue_string(const ls_cues *c, char *buf, size_t cap)
{
    buf[0] = 0;
    for (size_t i = 0; i < c->n; i++) {
        char one[32];
        snprintf(one, sizeof one, "%s%c@%lld", i ? " " : "", lipsync_shape_letter(c->cues[i].shape),
                 (long long)(c->cues[i].start_us / 10000));
        if (strlen(buf) + strlen(one) < cap)
            strcat(buf, one);
    }
    return buf;
}

static void test_cues(void)
{
    /* "hi" like Rhubarb's example: pause, HH, AY, pause. */
    ls_track t;
    lipsync_track_init(&t);
    add(&t, 0, 50, "SIL", -1);
    add(&t, 50, 120, "HH", 0);
    add(&t, 120, 430, "AY", 0);
    add(&t, 430, 470, "SIL", -1);
    t.duration_us = 470000;
    for (size_t i = 0; i < t.n_segs; i++)
        t.segs[i].level = 0.9f;
    lipsync_track_finish(&t);
    CHECK(t.segs[1].viseme == VIS_AA, "HH resolved to the next viseme: %d", t.segs[1].viseme);
    ls_cues c;
    char buf[512];
    CHECK(lipsync_cues_from_track(&t, LS_EXT_ALL, &c) == SZ_OK, "cues");
    cue_string(&c, buf, sizeof buf);
    /* X, then D from the h (anticipating AY), C in-between, B for the end of
     * the diphthong, and X again. */
    CHECK(strcmp(buf, "X@0 D@5 C@27 B@31 X@43") == 0, "hi: '%s'", buf);
    /* Cues cover [0, duration) without gaps or overlaps. */
    int gaps = 0;
    for (size_t i = 0; i + 1 < c.n; i++)
        gaps += c.cues[i].end_us != c.cues[i + 1].start_us;
    CHECK(c.n > 0 && c.cues[0].start_us == 0 && c.cues[c.n - 1].end_us == 470000 && gaps == 0,
          "coverage: %zu cues, %d gaps", c.n, gaps);

    /* TSV: start times; the last cue already rests (X), so no end line
     * repeats it. */
    char *mem = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&mem, &len);
    CHECK(lipsync_write_rhubarb_tsv(f, &c, 474999, LS_EXT_ALL) == SZ_OK, "tsv");
    fclose(f);
    CHECK(strcmp(mem, "0.00\tX\n0.05\tD\n0.27\tC\n0.31\tB\n0.43\tX\n") == 0,
          "tsv text (the last X line once):\n%s", mem);
    free(mem);

    /* JSON: parses; metadata and cues match. */
    f = open_memstream(&mem, &len);
    CHECK(lipsync_write_rhubarb_json(f, &c, 470000, "C:\\a \"b\".wav") == SZ_OK, "json");
    fclose(f);
    cJSON *j = cJSON_Parse(mem);
    CHECK(j != NULL, "json parses:\n%s", mem);
    if (j) {
        cJSON *meta = cJSON_GetObjectItem(j, "metadata");
        cJSON *cues = cJSON_GetObjectItem(j, "mouthCues");
        cJSON *sf = cJSON_GetObjectItem(meta, "soundFile");
        cJSON *dur = cJSON_GetObjectItem(meta, "duration");
        CHECK(cJSON_IsString(sf) && strcmp(sf->valuestring, "C:\\a \"b\".wav") == 0, "soundFile");
        CHECK(cJSON_IsNumber(dur) && fabs(dur->valuedouble - 0.47) < 1e-9, "duration");
        CHECK(cJSON_GetArraySize(cues) == (int)c.n, "%d cues in JSON", cJSON_GetArraySize(cues));
        cJSON *c1 = cJSON_GetArrayItem(cues, 1);
        cJSON *v = cJSON_GetObjectItem(c1, "value");
        CHECK(v && cJSON_IsString(v) && strcmp(v->valuestring, "D") == 0 &&
                  fabs(cJSON_GetObjectItem(c1, "start")->valuedouble - 0.05) < 1e-9 &&
                  fabs(cJSON_GetObjectItem(c1, "end")->valuedouble - 0.27) < 1e-9,
              "second cue");
        CHECK(strstr(mem, "{ \"start\": 0.00, \"end\": 0.05, \"value\": \"X\" }") != NULL,
              "Rhubarb's cue layout");
        cJSON_Delete(j);
    }
    free(mem);
    lipsync_cues_free(&c);

    /* Without extended shapes: X -> A at rest, last TSV line A. */
    CHECK(lipsync_cues_from_track(&t, 0, &c) == SZ_OK, "cues basic");
    cue_string(&c, buf, sizeof buf);
    CHECK(strcmp(buf, "A@0 D@5 C@27 B@31 A@43") == 0, "basic shapes: '%s'", buf);
    f = open_memstream(&mem, &len);
    lipsync_write_rhubarb_tsv(f, &c, 470000, 0);
    fclose(f);
    CHECK(len > 10 && strcmp(mem + len - 10, "\tB\n0.43\tA\n") == 0 && !strstr(mem, "0.47"),
          "basic tsv ends with one A line:\n%s", mem);
    free(mem);
    lipsync_cues_free(&c);

    /* "five mails": F/V -> G (or B), long L -> H (or C), closures kept when short. */
    lipsync_track_reset(&t);
    add(&t, 0, 100, "SIL", -1);
    add(&t, 100, 180, "F", 0);
    add(&t, 180, 330, "AY", 0);
    add(&t, 330, 400, "V", 0);
    add(&t, 400, 420, "M", 1);
    add(&t, 420, 560, "EY", 1);
    add(&t, 560, 680, "L", 1);
    add(&t, 680, 700, "Z", 1);
    add(&t, 700, 900, "SIL", -1);
    t.duration_us = 900000;
    for (size_t i = 0; i < t.n_segs; i++)
        t.segs[i].level = 0.8f;
    lipsync_track_finish(&t);
    CHECK(lipsync_cues_from_track(&t, LS_EXT_ALL, &c) == SZ_OK, "cues 2");
    cue_string(&c, buf, sizeof buf);
    CHECK(strcmp(buf, "X@0 G@10 D@18 C@24 B@27 G@33 A@40 C@42 B@50 H@56 X@70") == 0,
          "five mails: '%s'", buf);
    lipsync_cues_free(&c);
    unsigned mask = 99;
    char err[128];
    CHECK(lipsync_parse_extended_shapes("GX", &mask, err, sizeof err) == SZ_OK &&
              mask == (LS_EXT_G | LS_EXT_X),
          "GX mask %u", mask);
    CHECK(lipsync_parse_extended_shapes("", &mask, err, sizeof err) == SZ_OK && mask == 0, "''");
    CHECK(lipsync_parse_extended_shapes("GHQ", &mask, err, sizeof err) == SZ_ERR_INVALID_ARG &&
              strstr(err, "'Q' at position 3"),
          "bad shapes: '%s'", err);
    CHECK(lipsync_cues_from_track(&t, LS_EXT_X, &c) == SZ_OK, "cues X only");
    cue_string(&c, buf, sizeof buf);
    CHECK(strchr(buf, 'G') == NULL && strchr(buf, 'H') == NULL && strstr(buf, "C@56"),
          "no G/H: '%s'", buf);
    lipsync_cues_free(&c);

    /* Speech marks: sentence, words, phonemes (IPA), visemes on change. */
    lipsync_track_add_word(&t, 100000, 400000, "five");
    lipsync_track_add_word(&t, 400000, 700000, "mails");
    f = open_memstream(&mem, &len);
    CHECK(lipsync_write_marks(f, &t, "Five mails.") == SZ_OK, "marks");
    fclose(f);
    int lines = 0, words = 0, phonemes = 0, visemes = 0, sentences = 0, ordered = 1;
    long long last = -1;
    for (char *line = strtok(mem, "\n"); line; line = strtok(NULL, "\n")) {
        cJSON *m = cJSON_Parse(line);
        CHECK(m != NULL, "mark line parses: %s", line);
        if (!m)
            continue;
        lines++;
        const char *type = cJSON_GetObjectItem(m, "type")->valuestring;
        long long tm = (long long)cJSON_GetObjectItem(m, "time_ms")->valuedouble;
        long long end = (long long)cJSON_GetObjectItem(m, "end_ms")->valuedouble;
        const char *value = cJSON_GetObjectItem(m, "value")->valuestring;
        ordered &= tm >= last && end >= tm;
        last = tm;
        words += strcmp(type, "word") == 0;
        phonemes += strcmp(type, "phoneme") == 0;
        visemes += strcmp(type, "viseme") == 0;
        if (strcmp(type, "sentence") == 0) {
            sentences++;
            CHECK(tm == 100 && end == 700 && strcmp(value, "Five mails.") == 0, "sentence mark");
        }
        if (strcmp(type, "phoneme") == 0 && tm == 180)
            CHECK(strcmp(value, "aɪ") == 0, "AY as IPA: %s", value);
        if (strcmp(type, "viseme") == 0 && tm == 400)
            CHECK(strcmp(value, "PP") == 0 && end == 420, "m viseme %s %lld", value, end);
        cJSON_Delete(m);
    }
    CHECK(sentences == 1 && words == 2 && phonemes == 7 && ordered,
          "marks: %d lines, %d words, %d phonemes, ordered %d", lines, words, phonemes, ordered);
    CHECK(visemes == 8, "viseme marks: %d (one per change)", visemes);
    free(mem);

    /* Per-frame blendshapes at 25 fps: one line per frame, parseable. */
    f = open_memstream(&mem, &len);
    CHECK(lipsync_write_frames(f, &t, 25) == SZ_OK, "frames");
    fclose(f);
    int frames = 0, closed = 0, open_aa = 0;
    for (char *line = strtok(mem, "\n"); line; line = strtok(NULL, "\n")) {
        cJSON *m = cJSON_Parse(line);
        CHECK(m != NULL, "frame parses");
        if (!m)
            continue;
        CHECK((int)cJSON_GetObjectItem(m, "frame")->valuedouble == frames, "frame index");
        cJSON *ak = cJSON_GetObjectItem(m, "arkit"), *vrm = cJSON_GetObjectItem(m, "vrm");
        cJSON *mouth = cJSON_GetObjectItem(m, "mouth");
        closed += cJSON_GetObjectItem(mouth, "lip_close")->valuedouble >= 0.99;
        open_aa += cJSON_GetObjectItem(vrm, "aa")->valuedouble > 0.5 &&
                   cJSON_GetObjectItem(ak, "jawOpen")->valuedouble > 0.4;
        frames++;
        cJSON_Delete(m);
    }
    CHECK(frames == 23, "%d frames for 0.9 s at 25 fps", frames);
    CHECK(closed >= 1 && open_aa >= 2, "frames: %d closed (the 20 ms m), %d wide open", closed,
          open_aa);
    free(mem);
    CHECK(lipsync_write_frames(stdout, &t, 0) == SZ_ERR_INVALID_ARG, "fps 0 refused");
    lipsync_track_free(&t);
}

/* Rhubarb files from a track whose speech runs to the end of the
 * recording, and one whose end is a pause: the TSV's last line is never a
 * repeat of the line before, and no JSON cue ends after the duration stated
 * in its metadata (the duration is written cut to centiseconds, 0.47 for
 * 476 ms, so a last cue rounded up to 0.48 would end after it). */
static void test_cue_ends(void)
{
    for (int pause_at_end = 0; pause_at_end < 2; pause_at_end++) {
        for (unsigned ext = 0; ext <= LS_EXT_ALL; ext += LS_EXT_ALL) {
            ls_track t;
            lipsync_track_init(&t);
            add(&t, 0, 40, "SIL", -1);
            add(&t, 40, 200, "M", 0);
            add(&t, 200, pause_at_end ? 300 : 476, "AA", 0);
            if (pause_at_end)
                add(&t, 300, 476, "SIL", -1);
            t.duration_us = 476000;
            for (size_t i = 0; i < t.n_segs; i++)
                t.segs[i].level = 0.9f;
            lipsync_track_finish(&t);
            ls_cues c;
            CHECK(lipsync_cues_from_track(&t, ext, &c) == SZ_OK, "cues");
            CHECK(c.n > 0 && c.cues[c.n - 1].end_us <= 470000,
                  "pause %d ext %u: the last cue ends at %lld us, after the 0.47 s written",
                  pause_at_end, ext, c.n ? (long long)c.cues[c.n - 1].end_us : -1LL);
            char *mem = NULL;
            size_t len = 0;
            FILE *f = open_memstream(&mem, &len);
            CHECK(lipsync_write_rhubarb_tsv(f, &c, t.duration_us, ext) == SZ_OK, "tsv");
            fclose(f);
            char prev[32] = "", line[32] = "";
            int repeats = 0, lines = 0;
            char rest = ext ? 'X' : 'A';
            for (char *p = mem; p && *p;) {
                char *nl = strchr(p, '\n');
                size_t n = nl ? (size_t)(nl - p) : strlen(p);
                snprintf(line, sizeof line, "%.*s", (int)n, p);
                char *tab = strchr(line, '\t'), *ptab = strchr(prev, '\t');
                repeats += lines > 0 && tab && ptab && strcmp(tab, ptab) == 0;
                snprintf(prev, sizeof prev, "%s", line);
                lines++;
                p = nl ? nl + 1 : NULL;
            }
            CHECK(repeats == 0, "pause %d ext %u: %d TSV lines repeat the shape before:\n%s",
                  pause_at_end, ext, repeats, mem);
            CHECK(lines > 1 && line[strlen(line) - 1] == rest &&
                      (pause_at_end || strncmp(line, "0.47\t", 5) == 0),
                  "pause %d ext %u: TSV last line '%s'", pause_at_end, ext, line);
            free(mem);
            f = open_memstream(&mem, &len);
            CHECK(lipsync_write_rhubarb_json(f, &c, t.duration_us, "a.wav") == SZ_OK, "json");
            fclose(f);
            cJSON *j = cJSON_Parse(mem);
            CHECK(j != NULL, "json parses:\n%s", mem);
            if (j) {
                double dur = cJSON_GetObjectItem(cJSON_GetObjectItem(j, "metadata"), "duration")
                                 ->valuedouble;
                cJSON *cues = cJSON_GetObjectItem(j, "mouthCues");
                int n = cJSON_GetArraySize(cues), late = 0;
                for (int i = 0; i < n; i++)
                    late += cJSON_GetObjectItem(cJSON_GetArrayItem(cues, i), "end")->valuedouble >
                            dur + 1e-9;
                double last_end =
                    n ? cJSON_GetObjectItem(cJSON_GetArrayItem(cues, n - 1), "end")->valuedouble : 0;
                CHECK(n > 0 && late == 0 && fabs(last_end - dur) < 1e-9,
                      "pause %d ext %u: %d cues end after the duration %.2f (last ends %.2f)",
                      pause_at_end, ext, late, dur, last_end);
                cJSON_Delete(j);
            }
            free(mem);
            lipsync_cues_free(&c);
            lipsync_track_free(&t);
        }
    }
}

static void test_score(void)
{
    ls_track ref, est;
    lipsync_track_init(&ref);
    lipsync_track_init(&est);
    add(&ref, 0, 100, "SIL", -1);
    add(&ref, 100, 200, "M", 0);
    add(&ref, 200, 400, "AA", 0);
    add(&ref, 400, 500, "SIL", -1);
    ref.duration_us = 500000;
    add(&est, 0, 110, "SIL", -1);
    add(&est, 110, 200, "B", 0); /* same viseme */
    add(&est, 200, 380, "AE", 0);
    add(&est, 380, 500, "SIL", -1);
    lipsync_track_finish(&ref);
    lipsync_track_finish(&est);
    ls_score s;
    lipsync_score(&ref, &est, &s);
    CHECK(s.n_frames == 50 && fabs(s.accuracy_100hz - 47.0 / 50.0) < 1e-9,
          "accuracy %.3f over %zu frames", s.accuracy_100hz, s.n_frames);
    CHECK(s.n_ref_boundaries == 3 && fabs(s.boundary_mean_ms - 10.0) < 1e-9 &&
              fabs(s.boundary_bias_ms + 10.0 / 3.0) < 1e-9,
          "boundaries: %zu, mean %.2f ms, bias %.2f", s.n_ref_boundaries, s.boundary_mean_ms,
          s.boundary_bias_ms);
    lipsync_track_free(&ref);
    lipsync_track_free(&est);
}

int main(void)
{
    test_wav();
    test_xlabel();
    test_cues();
    test_cue_ends();
    test_score();
    return check_summary("test_lipsync_cues");
}
