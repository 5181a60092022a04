/* SPDX-License-Identifier: Apache-2.0 */
/* test_config_modes.c: the live/kiosk/render keys of the config file: the
 * shipped demo configs load with the values they hold, relative paths are
 * resolved against the config's folder, and each malformed value is
 * refused with its path ("products[1].price: expected a string"). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/config.h"
#include "engine/config_modes.h"
#include "shuzi.h"

#include "check.h"

static void test_demos(const char *src)
{
    char path[1024], err[1024];
    sz_config cfg;

    snprintf(path, sizeof path, "%s/demos/live.json", src);
    config_defaults(&cfg);
    int rc = config_load(path, &cfg, err, sizeof err);
    CHECK(rc == SZ_OK && cfg.mode, "live.json: %s", err);
    if (rc == SZ_OK && cfg.mode) {
        sz_mode_config *m = cfg.mode;
        CHECK(m->n_outputs == 1 && strcmp(m->outputs[0], "rtmp://127.0.0.1:1935/live/room1") == 0,
              "outputs");
        CHECK(!m->has_llm, "live.json answers from the FAQ");
        CHECK(m->n_products == 3 && strcmp(m->products[0].name, "red electric kettle") == 0 &&
                  strcmp(m->products[0].price, "199 yuan") == 0 && m->products[1].pitch &&
                  strcmp(m->products[2].keywords, "cutting board | board | 砧板 | 菜板") == 0 &&
                  m->products[0].stock && strcmp(m->products[0].price_zh, "199元") == 0 &&
                  strcmp(m->products[1].name_zh, "绿色玻璃茶壶") == 0 &&
                  m->products[2].description_zh && !m->products[2].stock_zh,
              "products");
        CHECK(m->present == 1 && m->present_gap_s == 2, "present");
        CHECK(m->n_blocklist == 2 && strcmp(m->blocklist[1], "scam") == 0 &&
                  m->comment_user_interval_s == 10,
              "comments");
        CHECK(strcmp(m->api_host, "127.0.0.1") == 0 && m->api_port == 8765 &&
                  strcmp(m->api_token_env, "SHUZI_API_TOKEN") == 0,
              "api");
        CHECK(m->persona && strstr(m->persona, "Lily") && m->error_reply, "persona, error_reply");
        CHECK(cfg.width == 1280 && cfg.fps == 30 && cfg.background_rgb == 0x3a2440,
              "session keys still read");
    }
    config_free(&cfg);
    CHECK(cfg.mode == NULL, "config_free clears the mode");

    snprintf(path, sizeof path, "%s/demos/live-llm.json", src);
    config_defaults(&cfg);
    rc = config_load(path, &cfg, err, sizeof err);
    CHECK(rc == SZ_OK && cfg.mode && cfg.mode->has_llm, "live-llm.json: %s", err);
    if (rc == SZ_OK && cfg.mode) {
        sz_mode_config *m = cfg.mode;
        CHECK(strcmp(m->llm_url, "http://127.0.0.1:8080/v1") == 0 &&
                  strcmp(m->llm_model, "qwen2.5-7b-instruct") == 0 &&
                  strcmp(m->llm_key_env, "SHUZI_LLM_API_KEY") == 0 && m->llm_timeout_s == 20 &&
                  m->llm_max_tokens == 200 && m->llm_temperature == 0.7 &&
                  m->history_tokens == 2000,
              "llm settings");
    }
    config_free(&cfg);

    snprintf(path, sizeof path, "%s/demos/kiosk.json", src);
    config_defaults(&cfg);
    rc = config_load(path, &cfg, err, sizeof err);
    CHECK(rc == SZ_OK && cfg.mode, "kiosk.json: %s", err);
    if (rc == SZ_OK && cfg.mode) {
        char want[1100];
        snprintf(want, sizeof want, "%s/demos/faq.txt", src);
        CHECK(strcmp(cfg.mode->faq, want) == 0, "faq path relative to the config: %s",
              cfg.mode->faq);
        CHECK(cfg.mode->greeting && strstr(cfg.mode->greeting, "Mia") &&
                  !cfg.mode->kiosk_fullscreen,
              "kiosk settings");
    }
    config_free(&cfg);

    /* a session-only config has no mode part */
    snprintf(path, sizeof path, "%s/demos/session.json", src);
    config_defaults(&cfg);
    rc = config_load(path, &cfg, err, sizeof err);
    CHECK(rc == SZ_OK && cfg.mode == NULL, "session.json: %s", err);
    config_free(&cfg);
}

/* The listening keys load into the mode config. */
static void test_listening_keys(void)
{
    const char *json = "{\"mic\": \"file:q.wav\", \"listen\": {\"mode\": \"push_to_talk\", "
                       "\"barge_in\": false, \"hangover_ms\": 700}, \"asr\": {\"url\": "
                       "\"http://127.0.0.1:9000/v1\", \"language\": \"zh\", \"retries\": 3}}";
    sz_config cfg;
    char err[1024] = "";
    config_defaults(&cfg);
    int rc = config_load_text(json, strlen(json), "kiosk.json", &cfg, err, sizeof err);
    const sz_mode_config *m = cfg.mode;
    CHECK(rc == SZ_OK && m, "listening keys: %s", err);
    if (m)
        CHECK(!strcmp(m->mic, "file:q.wav") && m->listen_push_to_talk == 1 && m->barge_in == 0 &&
                  m->listen_hangover_ms == 700 && m->listen_onset_ms == 150 && m->has_asr &&
                  !strcmp(m->asr_url, "http://127.0.0.1:9000/v1") &&
                  !strcmp(m->asr_language, "zh") && m->asr_retries == 3 &&
                  !strcmp(m->asr_key_env, "SHUZI_ASR_API_KEY"),
              "listening keys: mic '%s' ptt %d barge %d hangover %d asr '%s'", m->mic,
              m->listen_push_to_talk, m->barge_in, m->listen_hangover_ms, m->asr_url);
    config_free(&cfg);
}

static void test_errors(void)
{
    struct {
        const char *json, *want;
    } bad[] = {
        {"{\"outputs\": \"rtmp://x\"}", "outputs: expected an array"},
        {"{\"outputs\": [\"\"]}", "outputs[0]: expected a URL or file path"},
        {"{\"outputs\": [\"a\",\"b\",\"c\",\"d\",\"e\",\"f\",\"g\",\"h\",\"i\"]}", "at most 8"},
        {"{\"llm\": {\"model\": \"m\"}}", "llm.url: is required"},
        {"{\"llm\": {\"url\": \"http://x\", \"modle\": \"m\"}}", "llm.modle: unknown key"},
        {"{\"llm\": {\"url\": \"http://x\", \"api_key_env\": \"sk-abc 123\"}}",
         "not the key itself"},
        {"{\"llm\": {\"url\": \"http://x\", \"temperature\": 3}}",
         "llm.temperature: 3 is out of range"},
        {"{\"llm\": {\"url\": \"http://x\", \"retries\": 1.5}}",
         "llm.retries: expected an integer"},
        {"{\"llm\": \"http://x\"}", "llm: expected an object"},
        {"{\"products\": [{\"name\": \"a\"}, {\"name\": \"b\", \"price\": 5}]}",
         "products[1].price: expected a string"},
        {"{\"products\": [{\"price\": \"5\"}]}", "products[0].name: is required"},
        {"{\"products\": [{\"name\": \"a\", \"colour\": \"red\"}]}",
         "products[0].colour: unknown key"},
        {"{\"products\": [{\"name\": \"a\", \"stock_zh\": 3}]}",
         "products[0].stock_zh: expected a string"},
        {"{\"products\": {}}", "products: expected an array"},
        {"{\"comments\": {\"blocklist\": [\"ok\", 5]}}", "comments.blocklist[1]: expected a word"},
        {"{\"comments\": {\"max_queue\": 0}}", "comments.max_queue: 0 is out of range"},
        {"{\"api\": {\"port\": 70000}}", "api.port: 70000 is out of range"},
        {"{\"api\": {\"host\": \"\"}}", "api.host: expected text of 1"},
        {"{\"kiosk\": {\"fullscreen\": \"yes\"}}", "kiosk.fullscreen: expected true or false"},
        {"{\"present\": 1}", "present: expected true or false"},
        {"{\"persona\": 5}", "persona: expected a string"},
        {"{\"faq\": \"\"}", "faq: expected text of 1"},
        {"{\"llm\": {\"url\": \"http://x\"}, \"mood\": 1}", "mood: unknown key"},
        {"{\"asr\": {\"url\": \"http://x\", \"api_key_env\": \"sk-abc 123\"}}",
         "asr.api_key_env: expected the name of an environment variable"},
        {"{\"asr\": {\"model\": \"whisper-1\"}}", "asr.url: is required"},
        {"{\"asr\": {\"url\": \"http://x\", \"retries\": 11}}", "asr.retries: 11 is out of range"},
        {"{\"listen\": {\"mode\": \"sometimes\"}}", "listen.mode: expected \"auto\" or"},
        {"{\"listen\": {\"onset_ms\": 5}}", "listen.onset_ms: 5 is out of range"},
        {"{\"listen\": {\"barge_in\": \"no\"}}", "listen.barge_in: expected true or false"},
        {"{\"mic\": 3}", "mic: expected a string"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        sz_config cfg;
        char err[1024] = "";
        config_defaults(&cfg);
        int rc =
            config_load_text(bad[i].json, strlen(bad[i].json), "room.json", &cfg, err, sizeof err);
        CHECK(rc == SZ_ERR_FORMAT && strncmp(err, "room.json: ", 11) == 0 &&
                  strstr(err, bad[i].want),
              "case %zu: rc %d '%s' (want '%s')", i, rc, err, bad[i].want);
        config_free(&cfg); /* also after a failed load */
    }
    /* flags over a later load: a second file replaces outputs and products */
    sz_config cfg;
    char err[512];
    config_defaults(&cfg);
    const char *a = "{\"outputs\": [\"a.mkv\", \"b.mkv\"], \"products\": [{\"name\": \"x\"}]}";
    const char *b =
        "{\"outputs\": [\"c.mkv\"], \"products\": [{\"name\": \"y\"}, {\"name\": \"z\"}]}";
    CHECK(config_load_text(a, strlen(a), "/etc/shuzi/a.json", &cfg, err, sizeof err) == SZ_OK &&
              config_load_text(b, strlen(b), "b.json", &cfg, err, sizeof err) == SZ_OK,
          "%s", err);
    CHECK(cfg.mode && cfg.mode->n_outputs == 1 && strcmp(cfg.mode->outputs[0], "c.mkv") == 0 &&
              cfg.mode->n_products == 2 && strcmp(cfg.mode->products[1].name, "z") == 0,
          "a later file replaces the lists");
    const char *c = "{\"faq\": \"answers.txt\", \"text_file\": \"/abs/lines.txt\"}";
    CHECK(config_load_text(c, strlen(c), "/etc/shuzi/c.json", &cfg, err, sizeof err) == SZ_OK &&
              strcmp(cfg.mode->faq, "/etc/shuzi/answers.txt") == 0 &&
              strcmp(cfg.mode->text_file, "/abs/lines.txt") == 0,
          "paths: %s %s", cfg.mode->faq, cfg.mode->text_file);
    config_free(&cfg);
}

int main(void)
{
    const char *src = getenv("SHUZI_SOURCE_DIR");
    if (!src) {
        fprintf(stderr, "SHUZI_SOURCE_DIR is not set\n");
        return 1;
    }
    test_demos(src);
    test_errors();
    test_listening_keys();
    return check_summary("test_config_modes");
}
