/* SPDX-License-Identifier: Apache-2.0 */
/* test_config.c: the session config file (every field, and a bad value of
 * each kind refused with a message naming the key or a line:col), the size
 * and colour syntaxes, json_escape, and strict UTF-8 validation. */
#include "core/json.h"
#include "core/utf8.h"
#include "engine/config.h"
#include "shuzi.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"

static const char tc_valid[] = "{\n"
                               "  \"voice\": \"espeak:en-us\",\n"
                               "  \"avatar\": \"anna\",\n"
                               "  \"size\": \"640x480\",\n"
                               "  \"fps\": 25,\n"
                               "  \"background\": \"#1e90ff\",\n"
                               "  \"seed\": 123456789,\n"
                               "  \"speaking_rate\": 1.25,\n"
                               "  \"lead_in_ms\": 150,\n"
                               "  \"tail_ms\": 250.5\n"
                               "}\n";

static void tc_check_valid(const sz_config *c, const char *where)
{
    CHECK(strcmp(c->voice, "espeak:en-us") == 0, "%s: voice '%s'", where, c->voice);
    CHECK(strcmp(c->avatar, "anna") == 0, "%s: avatar '%s'", where, c->avatar);
    CHECK(c->width == 640 && c->height == 480, "%s: size %dx%d", where, c->width, c->height);
    CHECK(c->fps == 25, "%s: fps %d", where, c->fps);
    CHECK(c->background_rgb == 0x1e90ff, "%s: background %06x", where,
          (unsigned)c->background_rgb);
    CHECK(c->seed == 123456789u, "%s: seed %llu", where, (unsigned long long)c->seed);
    CHECK(fabs(c->speaking_rate - 1.25) < 1e-12, "%s: speaking_rate %g", where, c->speaking_rate);
    CHECK(fabs(c->lead_in_ms - 150.0) < 1e-12, "%s: lead_in_ms %g", where, c->lead_in_ms);
    CHECK(fabs(c->tail_ms - 250.5) < 1e-12, "%s: tail_ms %g", where, c->tail_ms);
}

static void test_config_valid(void)
{
    sz_config c;
    config_defaults(&c);
    CHECK(c.width == 1280 && c.height == 720 && c.fps == 30, "defaults %dx%d@%d", c.width,
          c.height, c.fps);
    CHECK(c.voice[0] == 0 && c.avatar[0] == 0, "default voice/avatar not empty");
    char err[512] = "";
    int rc = config_load_text(tc_valid, strlen(tc_valid), "cfg.json", &c, err, sizeof err);
    CHECK(rc == SZ_OK, "valid config refused (%d): %s", rc, err);
    tc_check_valid(&c, "text");

    /* A partial config changes only the keys it names. */
    const char *partial = "{\"fps\": 60}";
    rc = config_load_text(partial, strlen(partial), "p.json", &c, err, sizeof err);
    CHECK(rc == SZ_OK, "partial config refused (%d): %s", rc, err);
    CHECK(c.fps == 60, "partial: fps %d", c.fps);
    CHECK(c.width == 640 && strcmp(c.voice, "espeak:en-us") == 0 && c.seed == 123456789u,
          "partial config touched other fields");

    /* Not NUL-terminated: only len bytes are read. */
    char buf[64];
    memset(buf, 'x', sizeof buf);
    memcpy(buf, "{\"fps\": 24}", 11);
    rc = config_load_text(buf, 11, "nonul.json", &c, err, sizeof err);
    CHECK(rc == SZ_OK && c.fps == 24, "unterminated text: rc %d fps %d: %s", rc, c.fps, err);

    /* null means "not given". */
    const char *nul = "{\"fps\": null, \"voice\": null}";
    rc = config_load_text(nul, strlen(nul), "n.json", &c, err, sizeof err);
    CHECK(rc == SZ_OK && c.fps == 24, "null values: rc %d fps %d: %s", rc, c.fps, err);

    /* config_apply copies into session params. */
    sz_session_params p = sz_session_default_params();
    config_apply(&c, &p);
    CHECK(p.voice && strcmp(p.voice, "espeak:en-us") == 0, "apply: voice");
    CHECK(p.avatar && strcmp(p.avatar, "anna") == 0, "apply: avatar");
    CHECK(p.width == 640 && p.height == 480 && p.fps == 24, "apply: %dx%d@%d", p.width, p.height,
          p.fps);
    CHECK(p.background_rgb == 0x1e90ff && p.seed == 123456789u, "apply: background/seed");
    CHECK(fabsf(p.speaking_rate - 1.25f) < 1e-6f && p.lead_in_ms == 150 && p.tail_ms == 250.5,
          "apply: rate/lead/tail");

    /* From a file. */
    char path[] = "/tmp/test_config_XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0, "mkstemp failed");
    if (fd >= 0) {
        size_t n = strlen(tc_valid);
        CHECK(write(fd, tc_valid, n) == (ssize_t)n, "write failed");
        close(fd);
        sz_config f;
        config_defaults(&f);
        rc = config_load(path, &f, err, sizeof err);
        CHECK(rc == SZ_OK, "config_load(%s) = %d: %s", path, rc, err);
        tc_check_valid(&f, "file");
        unlink(path);
    }

    const char *missing = "/nonexistent-dir-shuzi/missing-config.json";
    err[0] = 0;
    rc = config_load(missing, &c, err, sizeof err);
    CHECK(rc == SZ_ERR_IO, "missing file: rc %d, expected SZ_ERR_IO", rc);
    CHECK(strstr(err, missing) != NULL, "missing file: message does not name the path: '%s'", err);
}

typedef struct tc_bad {
    const char *text;
    const char *want; /* substring the message must contain */
} tc_bad;

static void test_config_bad(void)
{
    static const tc_bad cases[] = {
        {"{\n  \"fps\": 30,\n  \"size\": ,\n}\n", "cfg.json:3:11:"},  /* invalid JSON at the , */
        {"{\n  \"fps\": 30\n", "cfg.json:"},                           /* unterminated */
        {"{\"fps\": 30} xyz", "cfg.json:1:13:"},                       /* trailing garbage */
        {"{\"fps\": 30}\n\n  }", "cfg.json:3:3:"},                      /* trailing garbage */
        {"[1, 2, 3]", "expected an object"},                           /* array root */
        {"\"hello\"", "expected an object"},                           /* string root */
        {"{\"fsp\": 30}", "fsp"},                                      /* unknown key */
        {"{\"voice\": \"a\", \"Voice\": \"b\"}", "Voice"},             /* keys are case-sensitive */
        {"{\"fps\": \"30\"}", "fps"},                                  /* fps as a string */
        {"{\"fps\": 0}", "fps"},                                       /* fps 0 */
        {"{\"fps\": 2.5}", "fps"},                                     /* fps not an integer */
        {"{\"fps\": 121}", "fps"},                                     /* fps too high */
        {"{\"size\": \"12x\"}", "size"},                               /* no height */
        {"{\"size\": \"1281x720\"}", "size"},                          /* odd width */
        {"{\"size\": \"1280x720x3\"}", "size"},                        /* trailing junk */
        {"{\"size\": 1280}", "size"},                                  /* not a string */
        {"{\"background\": \"#12345\"}", "background"},                /* five digits */
        {"{\"background\": \"purple\"}", "background"},                /* unknown name */
        {"{\"speaking_rate\": 9}", "speaking_rate"},                   /* out of range */
        {"{\"speaking_rate\": true}", "speaking_rate"},                /* not a number */
        {"{\"seed\": -1}", "seed"},                                    /* negative seed */
        {"{\"lead_in_ms\": -5}", "lead_in_ms"},                        /* negative */
        {"{\"tail_ms\": 1e9}", "tail_ms"},                             /* too long */
        {"{\"voice\": 5}", "voice"},                                   /* not a string */
        {"{\"avatar\": 5}", "avatar"},                                 /* not a string */
        {"{\"background\": \"photo.gif\"}", "background"},          /* not PNG/JPEG */
        {"{\"avatar_position\": [0.5]}", "avatar_position"},         /* one number */
        {"{\"avatar_position\": \"0.5,1\"}", "avatar_position"},     /* not an array */
        {"{\"avatar_scale\": 0}", "avatar_scale"},                    /* too small */
        {"{\"overlay_position\": [0.5, 0.5, 2]}", "overlay_position"}, /* wider than the frame */
        {"{\"overlay\": \"\"}", "overlay"},                            /* empty path */
        {"{\"burn_subtitles\": \"yes\"}", "burn_subtitles"},          /* not a boolean */
        {"{\"subtitle_font\": 3}", "subtitle_font"},                  /* not a string */
        {"", "empty"},                                                 /* empty document */
        {"   \n  ", "cfg.json:"},                                      /* only whitespace */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        sz_config c;
        config_defaults(&c);
        char err[512] = "";
        int rc = config_load_text(cases[i].text, strlen(cases[i].text), "cfg.json", &c, err,
                                  sizeof err);
        CHECK(rc == SZ_ERR_FORMAT, "bad config %zu (%s): rc %d, expected SZ_ERR_FORMAT", i,
              cases[i].text, rc);
        CHECK(strstr(err, cases[i].want) != NULL, "bad config %zu (%s): message '%s' lacks '%s'",
              i, cases[i].text, err, cases[i].want);
        CHECK(strncmp(err, "cfg.json", 8) == 0, "bad config %zu: message '%s' lacks the label", i,
              err);
    }

    /* The unknown-key message names the key itself, not only the allowed list. */
    char err[512] = "";
    sz_config c;
    config_defaults(&c);
    const char *t = "{\"fps\": 30, \"colour\": \"black\"}";
    CHECK(config_load_text(t, strlen(t), "k.json", &c, err, sizeof err) == SZ_ERR_FORMAT,
          "unknown key accepted");
    CHECK(strstr(err, "colour") != NULL, "unknown key message: '%s'", err);

    /* A tiny error buffer is truncated, not overrun. */
    char small[8];
    memset(small, '#', sizeof small);
    CHECK(config_load_text("[]", 2, "cfg.json", &c, small, 6) == SZ_ERR_FORMAT, "small buffer");
    CHECK(small[5] == 0 && small[6] == '#' && small[7] == '#', "small buffer overrun or unterminated");
}

static void test_parse_size_color(void)
{
    static const struct {
        const char *s;
        int w, h;
    } good[] = {{"1280x720", 1280, 720}, {"64x64", 64, 64}, {"4096X2160", 4096, 2160},
                {"720x1280", 720, 1280}};
    char err[256];
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        int w = -1, h = -1;
        int rc = config_parse_size(good[i].s, &w, &h, err, sizeof err);
        CHECK(rc == SZ_OK && w == good[i].w && h == good[i].h, "size '%s': rc %d -> %dx%d",
              good[i].s, rc, w, h);
    }
    static const char *const bad[] = {"",       "x",       "1280",     "1280x",   "x720",
                                      "12x",    "1281x720", "1280x721", "62x64",   "4098x64",
                                      "abcxdef", "1280x720 ", "1280*720", "-64x64", "64x64x64"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int w = -7, h = -7;
        err[0] = 0;
        int rc = config_parse_size(bad[i], &w, &h, err, sizeof err);
        CHECK(rc == SZ_ERR_INVALID_ARG, "size '%s' accepted (rc %d)", bad[i], rc);
        CHECK(w == -7 && h == -7, "size '%s': outputs written on error", bad[i]);
        CHECK(strstr(err, "size") != NULL, "size '%s': message '%s'", bad[i], err);
    }

    static const struct {
        const char *s;
        uint32_t rgb;
    } colors[] = {{"#1e90ff", 0x1e90ff}, {"1E90FF", 0x1e90ff}, {"#000000", 0},
                  {"#FFFFFF", 0xffffff}, {"black", 0},         {"White", 0xffffff},
                  {"green", 0x00b140},   {"blue", 0x0047bb},   {"gray", 0x808080},
                  {"GREY", 0x808080},    {"navy", 0x1b2a41}};
    for (size_t i = 0; i < sizeof colors / sizeof colors[0]; i++) {
        uint32_t rgb = 0xdeadbeef;
        int rc = config_parse_color(colors[i].s, &rgb, err, sizeof err);
        CHECK(rc == SZ_OK && rgb == colors[i].rgb, "colour '%s': rc %d -> %06x", colors[i].s, rc,
              (unsigned)rgb);
    }
    static const char *const badc[] = {"",         "#",        "#12345",  "#1234567", "purple",
                                       "#12345g",  "0x123456", "# 12345", "##123456", "12345",
                                       "-12345"};
    for (size_t i = 0; i < sizeof badc / sizeof badc[0]; i++) {
        uint32_t rgb = 0xdeadbeef;
        err[0] = 0;
        int rc = config_parse_color(badc[i], &rgb, err, sizeof err);
        CHECK(rc == SZ_ERR_INVALID_ARG, "colour '%s' accepted (rc %d, %06x)", badc[i], rc,
              (unsigned)rgb);
        CHECK(rgb == 0xdeadbeef, "colour '%s': output written on error", badc[i]);
        CHECK(strstr(err, "colour") != NULL, "colour '%s': message '%s'", badc[i], err);
    }
}

/* Escapes s, checks the result against want and that it parses back to s. */
static void tc_escape(const char *s, const char *want)
{
    char out[256];
    size_t n = json_escape(out, sizeof out, s);
    CHECK(n == strlen(want), "escape(%s): length %zu, expected %zu", want, n, strlen(want));
    CHECK(strcmp(out, want) == 0, "escape: got %s, expected %s", out, want);
    CHECK(json_escape(NULL, 0, s) == n, "escape(%s) with cap 0: length differs", want);
    cJSON *v = cJSON_Parse(out);
    CHECK(v && cJSON_IsString(v) && strcmp(v->valuestring, s) == 0,
          "escape(%s) does not parse back to the input", want);
    cJSON_Delete(v);
}

static void test_json_escape(void)
{
    tc_escape("", "\"\"");
    tc_escape("plain", "\"plain\"");
    tc_escape("say \"hi\"", "\"say \\\"hi\\\"\"");
    tc_escape("C:\\dir\\f", "\"C:\\\\dir\\\\f\"");
    tc_escape("a\nb\tc\rd", "\"a\\nb\\tc\\rd\"");
    tc_escape("\x01", "\"\\u0001\"");
    tc_escape("x\x1f\x08y", "\"x\\u001f\\u0008y\"");
    tc_escape("数字人 😀", "\"数字人 😀\"");
    tc_escape("/ é \x7f", "\"/ é \x7f\"");

    /* Truncation: every cap from 0 to full size + 1; the output is a NUL
     * terminated prefix of the full escape and nothing past cap is written. */
    const char *s = "a\"b\x01数";
    char full[64];
    size_t n = json_escape(full, sizeof full, s);
    CHECK(n == strlen("\"a\\\"b\\u0001数\""), "full escape length %zu", n);
    for (size_t cap = 0; cap <= n + 1; cap++) {
        char buf[80];
        memset(buf, '#', sizeof buf);
        size_t r = json_escape(buf, cap, s);
        CHECK(r == n, "cap %zu: returned %zu, expected the full length %zu", cap, r, n);
        if (cap == 0) {
            CHECK(buf[0] == '#', "cap 0 wrote to the buffer");
            continue;
        }
        size_t want = cap - 1 < n ? cap - 1 : n;
        CHECK(buf[want] == 0, "cap %zu: not NUL-terminated at %zu", cap, want);
        CHECK(strncmp(buf, full, want) == 0, "cap %zu: '%s' is not a prefix of %s", cap, buf, full);
        int clean = 1;
        for (size_t k = cap; k < sizeof buf; k++)
            clean &= buf[k] == '#';
        CHECK(clean, "cap %zu: wrote past the capacity", cap);
    }
}

static void test_utf8(void)
{
    size_t off = 999;
    const char *ok[] = {"", "hello, world", "数字人", "😀 emoji", "a\xF4\x8F\xBF\xBF",
                        "\xEF\xBF\xBF", "\xC2\x80", "\xED\x9F\xBF"};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        off = 999;
        CHECK(utf8_valid(ok[i], strlen(ok[i]), &off) == 1, "valid string %zu refused at %zu", i,
              off);
    }
    CHECK(utf8_valid("数字人", 9, NULL) == 1, "数字人 with NULL offset");

    static const struct {
        const char *s;
        size_t len, at;
    } bad[] = {
        {"ab\x80" "cd", 5, 2},           /* lone continuation byte */
        {"\xBF", 1, 0},                  /* lone continuation at start */
        {"ab\xE6\x95", 4, 2},            /* truncated 3-byte sequence at the end */
        {"\xE6", 1, 0},                  /* lead byte alone */
        {"x\xC0\xAF", 3, 1},             /* overlong '/' */
        {"\xE0\x80\xAF", 3, 0},          /* overlong 3-byte */
        {"\xF0\x82\x82\xAC", 4, 0},      /* overlong 4-byte */
        {"ok\xED\xA0\x80", 5, 2},        /* surrogate U+D800 */
        {"\xED\xBF\xBF", 3, 0},          /* surrogate U+DFFF */
        {"\xF4\x90\x80\x80", 4, 0},      /* U+110000 */
        {"\xF5\x80\x80\x80", 4, 0},      /* lead byte beyond the range */
        {"\xFF", 1, 0},                  /* never valid */
        {"\xE6\x95" "a", 3, 0},          /* continuation missing mid-string */
        {"数\x80", 4, 3},                /* error after a valid 3-byte char */
        {"😀\xF0\x9F\x98", 7, 4},        /* truncated emoji after a full one */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        off = 999;
        int v = utf8_valid(bad[i].s, bad[i].len, &off);
        CHECK(v == 0, "invalid string %zu accepted", i);
        CHECK(off == bad[i].at, "invalid string %zu: bad offset %zu, expected %zu", i, off,
              bad[i].at);
    }
    CHECK(utf8_valid("\xC0\xAF", 2, NULL) == 0, "overlong with NULL offset");
    /* Only len bytes are looked at. */
    CHECK(utf8_valid("ab\xFF", 2, NULL) == 1, "byte past len was read");

    const char *s = "a数b";
    size_t len = strlen(s);
    CHECK(len == 5, "strlen(a数b) = %zu", len);
    size_t want[] = {0, 1, 4, 5, 5};
    for (size_t n = 0; n < 5; n++) {
        size_t o = utf8_char_offset(s, len, n);
        CHECK(o == want[n], "utf8_char_offset(a数b, %zu) = %zu, expected %zu", n, o, want[n]);
    }
    CHECK(utf8_char_offset("😀x", 5, 1) == 4, "char offset after an emoji");
    CHECK(utf8_char_offset("", 0, 0) == 0, "char offset in empty string");
}

/* The scene keys and the value parsers the CLI shares with the config. */
static void test_config_scene(void)
{
    static const char text[] = "{\"background\": \"studio.JPG\", \"avatar\": \"/x/my avatar\","
                               " \"avatar_position\": [0.3, 1.1], \"avatar_scale\": 0.8,"
                               " \"overlay\": \"logo.png\", \"overlay_position\": [0.8, 0.2, 0.15],"
                               " \"burn_subtitles\": true, \"subtitle_font\": \"/f.ttc:2\"}";
    sz_config c;
    config_defaults(&c);
    char err[512] = "";
    CHECK(config_load_text(text, strlen(text), "scene.json", &c, err, sizeof err) == SZ_OK,
          "scene config: %s", err);
    CHECK(strcmp(c.background_image, "studio.JPG") == 0 && !c.transparent_background,
          "background image '%s'", c.background_image);
    CHECK(strcmp(c.avatar, "/x/my avatar") == 0, "avatar path '%s'", c.avatar);
    CHECK(fabsf(c.avatar_x - 0.3f) < 1e-6f && fabsf(c.avatar_y - 1.1f) < 1e-6f &&
              fabsf(c.avatar_scale - 0.8f) < 1e-6f, "avatar placement");
    CHECK(strcmp(c.overlay, "logo.png") == 0 && fabsf(c.overlay_width - 0.15f) < 1e-6f,
          "overlay");
    CHECK(c.burn_subtitles == 1 && strcmp(c.subtitle_font, "/f.ttc:2") == 0, "subtitles");
    sz_session_params p = sz_session_default_params();
    config_apply(&c, &p);
    CHECK(p.background_image && strcmp(p.background_image, "studio.JPG") == 0 &&
              p.overlay_image && p.burn_subtitles && p.subtitle_font &&
              fabsf(p.overlay_x - 0.8f) < 1e-6f, "apply scene");
    sz_config d;
    config_defaults(&d);
    config_apply(&d, &p);
    CHECK(!p.background_image && !p.overlay_image && !p.burn_subtitles && !p.subtitle_font &&
              p.avatar_x == 0.5f && p.avatar_y == 1.0f && p.avatar_scale == 1.0f,
          "default scene");

    CHECK(config_parse_background("transparent", &c, err, sizeof err) == SZ_OK &&
              c.transparent_background && !c.background_image[0], "transparent");
    CHECK(config_parse_background("navy", &c, err, sizeof err) == SZ_OK &&
              !c.transparent_background && c.background_rgb == 0x1b2a41, "colour after transparent");
    CHECK(config_parse_background("a.jpeg", &c, err, sizeof err) == SZ_OK &&
              strcmp(c.background_image, "a.jpeg") == 0, "jpeg");
    CHECK(config_parse_background("a.gif", &c, err, sizeof err) == SZ_ERR_INVALID_ARG &&
              strstr(err, "transparent"), "gif: '%s'", err);
    float v[3];
    CHECK(config_parse_fractions("0.25,0.5", v, 2, 2, err, sizeof err) == 2 && v[1] == 0.5f,
          "two fractions");
    CHECK(config_parse_fractions("0.1,0.2,0.3", v, 2, 3, err, sizeof err) == 3, "three");
    CHECK(config_parse_fractions("0.1", v, 2, 3, err, sizeof err) < 0 && strstr(err, "2 to 3"),
          "one of 2..3: '%s'", err);
    CHECK(config_parse_fractions("0.1,x", v, 2, 2, err, sizeof err) < 0, "junk accepted");
    CHECK(config_parse_fractions("0.1,0.2,", v, 2, 3, err, sizeof err) < 0, "trailing comma");
}

int main(void)
{
    test_config_valid();
    test_config_scene();
    test_config_bad();
    test_parse_size_color();
    test_json_escape();
    test_utf8();
    return check_summary("test_config");
}
