/* SPDX-License-Identifier: Apache-2.0 */
/* config_modes.c: reads the live/kiosk/render keys of the config file
 * (config_modes.h). Each wrong value is reported with its path, e.g.
 * "products[2].price: expected a string". */
#include "engine/config_modes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "avatar/card.h"
#include "core/json.h"
#include "core/utf8.h"
#include "shuzi.h"

#define CONFIG_MODES_MAX_TEXT (64u << 10)

const char *const config_mode_keys[] = {
    "outputs",   "llm",      "persona", "faq",   "products",    "present", "present_gap_s",
    "text_file", "comments", "api",     "kiosk", "error_reply", "mic",           "listen",
    "asr",       NULL};

void config_modes_defaults(sz_mode_config *m)
{
    memset(m, 0, sizeof *m);
    snprintf(m->llm_key_env, sizeof m->llm_key_env, "SHUZI_LLM_API_KEY");
    m->llm_timeout_s = 30;
    m->llm_connect_timeout_s = 5;
    m->llm_idle_timeout_s = 20;
    m->llm_retries = 2;
    m->llm_temperature = -1;
    m->history_tokens = 2000;
    m->present = 1;
    m->present_gap_s = 1.5;
    m->comment_max_queue = 20;
    m->comment_max_chars = 200;
    m->comment_max_age_s = 120;
    m->comment_user_interval_s = 10;
    snprintf(m->api_host, sizeof m->api_host, "127.0.0.1");
    m->api_port = 8765;
    snprintf(m->api_token_env, sizeof m->api_token_env, "SHUZI_API_TOKEN");
    m->api_max_body = 64 << 10;
    m->api_max_per_ip = 16;
    m->barge_in = 1;
    m->echo_cancel = 1;
    m->listen_onset_ms = 150;
    m->listen_hangover_ms = 500;
    m->listen_noise_db = -25;
    snprintf(m->asr_model, sizeof m->asr_model, "whisper-1");
    snprintf(m->asr_key_env, sizeof m->asr_key_env, "SHUZI_ASR_API_KEY");
    m->asr_timeout_s = 15;
    m->asr_retries = 1;
}

static void config_modes_product_free(cfg_product *p)
{
    free(p->name), free(p->price), free(p->description), free(p->pitch);
    free(p->keywords), free(p->stock), free(p->name_zh), free(p->price_zh);
    free(p->description_zh), free(p->stock_zh), free(p->image);
    avatar_card_free(&p->card);
    memset(p, 0, sizeof *p);
}

void config_modes_free(sz_mode_config *m)
{
    if (!m)
        return;
    for (int i = 0; i < m->n_outputs; i++)
        free(m->outputs[i]);
    for (int i = 0; i < m->n_products; i++)
        config_modes_product_free(&m->products[i]);
    for (int i = 0; i < m->n_blocklist; i++)
        free(m->blocklist[i]);
    free(m->persona);
    free(m->error_reply);
    free(m->greeting);
    memset(m, 0, sizeof *m);
}

/* A UTF-8 string of 1..max bytes (allow_empty: 0..max), copied to *out
 * (freeing what was there). SZ_ERR_NOT_FOUND when absent. */
static int config_modes_dup(const cJSON *obj, const char *key, const char *path, size_t max,
                            int allow_empty, char **out, char *why, size_t whylen)
{
    const char *s = NULL;
    int rc = json_get_string(obj, key, path, 0, &s, why, whylen);
    if (rc != SZ_OK)
        return rc;
    size_t n = strlen(s), bad;
    if ((!allow_empty && n == 0) || n > max) {
        snprintf(why, whylen, "%s%s%s: expected text of %s to %zu bytes", path ? path : "",
                 path ? "." : "", key, allow_empty ? "0" : "1", max);
        return SZ_ERR_FORMAT;
    }
    if (!utf8_valid(s, n, &bad)) {
        snprintf(why, whylen, "%s%s%s: not valid UTF-8 (byte %zu)", path ? path : "",
                 path ? "." : "", key, bad);
        return SZ_ERR_FORMAT;
    }
    char *c = strdup(s);
    if (!c) {
        snprintf(why, whylen, "out of memory");
        return SZ_ERR_NO_MEMORY;
    }
    free(*out);
    *out = c;
    return SZ_OK;
}

/* The same into a fixed buffer. */
static int config_modes_copy(const cJSON *obj, const char *key, const char *path, char *dst,
                             size_t cap, char *why, size_t whylen)
{
    char *tmp = NULL;
    int rc = config_modes_dup(obj, key, path, cap - 1, 0, &tmp, why, whylen);
    if (rc == SZ_OK) {
        snprintf(dst, cap, "%s", tmp);
        free(tmp);
    }
    return rc;
}

/* A path relative to the config file's folder (absolute paths kept). */
static int config_modes_path(const cJSON *obj, const char *key, const char *label, char *dst,
                             size_t cap, char *why, size_t whylen)
{
    char tmp[1024];
    int rc = config_modes_copy(obj, key, NULL, tmp, sizeof tmp, why, whylen);
    if (rc != SZ_OK)
        return rc;
    const char *slash = label ? strrchr(label, '/') : NULL;
    int w;
    if (tmp[0] == '/' || !slash)
        w = snprintf(dst, cap, "%s", tmp);
    else
        w = snprintf(dst, cap, "%.*s/%s", (int)(slash - label), label, tmp);
    if (w < 0 || (size_t)w >= cap) {
        snprintf(why, whylen, "%s: path too long", key);
        return SZ_ERR_FORMAT;
    }
    return SZ_OK;
}

#define CONFIG_MODES_TRY(expr)                                                                     \
    do {                                                                                           \
        int rc_ = (expr);                                                                          \
        if (rc_ != SZ_OK && rc_ != SZ_ERR_NOT_FOUND)                                               \
            return rc_;                                                                            \
    } while (0)

static int config_modes_number(const cJSON *o, const char *key, const char *path, double lo,
                               double hi, double *out, char *why, size_t whylen)
{
    return json_get_number(o, key, path, 0, lo, hi, out, why, whylen);
}

static int config_modes_int(const cJSON *o, const char *key, const char *path, int lo, int hi,
                            int *out, char *why, size_t whylen)
{
    int64_t v;
    int rc = json_get_int(o, key, path, 0, lo, hi, &v, why, whylen);
    if (rc == SZ_OK)
        *out = (int)v;
    return rc;
}

/* A secret's place in the config: the name of an environment variable
 * (letters, digits, _), never the secret itself. */
static int config_modes_env_name(const char *name, const char *path, char *why, size_t whylen)
{
    for (const char *p = name; *p; p++)
        if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
              *p == '_')) {
            snprintf(why, whylen,
                     "%s.api_key_env: expected the name of an environment "
                     "variable (letters, digits, _), not the key itself",
                     path);
            return SZ_ERR_FORMAT;
        }
    return SZ_OK;
}

static int config_modes_llm(const cJSON *o, sz_mode_config *m, char *why, size_t whylen)
{
    static const char *const keys[] = {"url",
                                       "model",
                                       "api_key_env",
                                       "timeout_s",
                                       "connect_timeout_s",
                                       "idle_timeout_s",
                                       "retries",
                                       "max_tokens",
                                       "temperature",
                                       "history_tokens",
                                       NULL};
    CONFIG_MODES_TRY(json_check_keys(o, keys, "llm", why, whylen));
    const char *url = NULL;
    CONFIG_MODES_TRY(json_get_string(o, "url", "llm", 1, &url, why, whylen));
    CONFIG_MODES_TRY(
        config_modes_copy(o, "url", "llm", m->llm_url, sizeof m->llm_url, why, whylen));
    m->has_llm = 1;
    CONFIG_MODES_TRY(
        config_modes_copy(o, "model", "llm", m->llm_model, sizeof m->llm_model, why, whylen));
    CONFIG_MODES_TRY(config_modes_copy(o, "api_key_env", "llm", m->llm_key_env,
                                       sizeof m->llm_key_env, why, whylen));
    CONFIG_MODES_TRY(config_modes_env_name(m->llm_key_env, "llm", why, whylen));
    CONFIG_MODES_TRY(
        config_modes_number(o, "timeout_s", "llm", 0.1, 3600, &m->llm_timeout_s, why, whylen));
    CONFIG_MODES_TRY(config_modes_number(o, "connect_timeout_s", "llm", 0.1, 600,
                                         &m->llm_connect_timeout_s, why, whylen));
    CONFIG_MODES_TRY(config_modes_number(o, "idle_timeout_s", "llm", 0.1, 3600,
                                         &m->llm_idle_timeout_s, why, whylen));
    CONFIG_MODES_TRY(config_modes_int(o, "retries", "llm", 0, 10, &m->llm_retries, why, whylen));
    CONFIG_MODES_TRY(
        config_modes_int(o, "max_tokens", "llm", 1, 1000000, &m->llm_max_tokens, why, whylen));
    CONFIG_MODES_TRY(
        config_modes_number(o, "temperature", "llm", 0, 2, &m->llm_temperature, why, whylen));
    CONFIG_MODES_TRY(
        config_modes_int(o, "history_tokens", "llm", 64, 1000000, &m->history_tokens, why, whylen));
    return SZ_OK;
}

/* A product's "image": resolved against the config's folder and decoded
 * now, so a missing or broken file fails the load, naming the product. */
static int config_modes_image(const cJSON *it, const char *path, const char *label,
                              cfg_product *p, char *why, size_t whylen)
{
    char file[1024];
    int rc = config_modes_path(it, "image", label, file, sizeof file, why, whylen);
    if (rc != SZ_OK) {
        if (rc != SZ_ERR_NOT_FOUND) {
            char e2[256];
            snprintf(e2, sizeof e2, "%s", why);
            snprintf(why, whylen, "%s.%s", path, e2);
        }
        return rc;
    }
    char e2[1200] = "";
    rc = avatar_card_load(file, &p->card, e2, sizeof e2);
    if (rc != SZ_OK) {
        snprintf(why, whylen, "%s (\"%.80s\").image: %s", path, p->name, e2);
        return rc == SZ_ERR_NO_MEMORY ? rc : SZ_ERR_FORMAT;
    }
    if (!(p->image = strdup(file))) {
        snprintf(why, whylen, "out of memory");
        return SZ_ERR_NO_MEMORY;
    }
    return SZ_OK;
}

static int config_modes_products(const cJSON *arr, const char *label, sz_mode_config *m,
                                 char *why, size_t whylen)
{
    if (!cJSON_IsArray(arr)) {
        snprintf(why, whylen, "products: expected an array of objects");
        return SZ_ERR_FORMAT;
    }
    static const char *const keys[] = {"name",           "price",    "description", "pitch",
                                       "keywords",       "stock",    "name_zh",     "price_zh",
                                       "description_zh", "stock_zh", "image",    NULL};
    int i = 0;
    for (const cJSON *it = arr->child; it; it = it->next, i++) {
        char path[32];
        snprintf(path, sizeof path, "products[%d]", i);
        if (i >= CFG_MAX_PRODUCTS) {
            snprintf(why, whylen, "products: more than %d", CFG_MAX_PRODUCTS);
            return SZ_ERR_FORMAT;
        }
        if (!cJSON_IsObject(it)) {
            snprintf(why, whylen, "%s: expected an object with name, price, description", path);
            return SZ_ERR_FORMAT;
        }
        CONFIG_MODES_TRY(json_check_keys(it, keys, path, why, whylen));
        cfg_product *p = &m->products[m->n_products++];
        const char *name = NULL;
        CONFIG_MODES_TRY(json_get_string(it, "name", path, 1, &name, why, whylen));
        CONFIG_MODES_TRY(config_modes_dup(it, "name", path, 200, 0, &p->name, why, whylen));
        CONFIG_MODES_TRY(config_modes_dup(it, "price", path, 100, 0, &p->price, why, whylen));
        CONFIG_MODES_TRY(
            config_modes_dup(it, "description", path, 4000, 0, &p->description, why, whylen));
        CONFIG_MODES_TRY(config_modes_dup(it, "pitch", path, 8000, 0, &p->pitch, why, whylen));
        CONFIG_MODES_TRY(
            config_modes_dup(it, "keywords", path, 1000, 0, &p->keywords, why, whylen));
        CONFIG_MODES_TRY(config_modes_dup(it, "stock", path, 1000, 0, &p->stock, why, whylen));
        CONFIG_MODES_TRY(config_modes_dup(it, "name_zh", path, 200, 0, &p->name_zh, why, whylen));
        CONFIG_MODES_TRY(config_modes_dup(it, "price_zh", path, 100, 0, &p->price_zh, why, whylen));
        CONFIG_MODES_TRY(
            config_modes_dup(it, "description_zh", path, 4000, 0, &p->description_zh, why, whylen));
        CONFIG_MODES_TRY(
            config_modes_dup(it, "stock_zh", path, 1000, 0, &p->stock_zh, why, whylen));
        CONFIG_MODES_TRY(config_modes_image(it, path, label, p, why, whylen));
    }
    return SZ_OK;
}

static int config_modes_comments(const cJSON *o, sz_mode_config *m, char *why, size_t whylen)
{
    static const char *const keys[] = {"max_queue",           "max_chars", "max_age_s",
                                       "per_user_interval_s", "blocklist", NULL};
    CONFIG_MODES_TRY(json_check_keys(o, keys, "comments", why, whylen));
    CONFIG_MODES_TRY(
        config_modes_int(o, "max_queue", "comments", 1, 10000, &m->comment_max_queue, why, whylen));
    CONFIG_MODES_TRY(
        config_modes_int(o, "max_chars", "comments", 1, 4000, &m->comment_max_chars, why, whylen));
    CONFIG_MODES_TRY(config_modes_number(o, "max_age_s", "comments", 0, 86400,
                                         &m->comment_max_age_s, why, whylen));
    CONFIG_MODES_TRY(config_modes_number(o, "per_user_interval_s", "comments", 0, 86400,
                                         &m->comment_user_interval_s, why, whylen));
    const cJSON *bl = cJSON_GetObjectItemCaseSensitive(o, "blocklist");
    if (bl) {
        if (!cJSON_IsArray(bl)) {
            snprintf(why, whylen, "comments.blocklist: expected an array of words");
            return SZ_ERR_FORMAT;
        }
        int i = 0;
        for (const cJSON *it = bl->child; it; it = it->next, i++) {
            size_t bad;
            if (!cJSON_IsString(it) || !it->valuestring[0] || strlen(it->valuestring) > 200 ||
                !utf8_valid(it->valuestring, strlen(it->valuestring), &bad)) {
                snprintf(why, whylen, "comments.blocklist[%d]: expected a word (1 to 200 bytes)",
                         i);
                return SZ_ERR_FORMAT;
            }
            if (m->n_blocklist >= CFG_MAX_BLOCKLIST) {
                snprintf(why, whylen, "comments.blocklist: more than %d words", CFG_MAX_BLOCKLIST);
                return SZ_ERR_FORMAT;
            }
            if (!(m->blocklist[m->n_blocklist] = strdup(it->valuestring))) {
                snprintf(why, whylen, "out of memory");
                return SZ_ERR_NO_MEMORY;
            }
            m->n_blocklist++;
        }
    }
    return SZ_OK;
}

static int config_modes_api(const cJSON *o, sz_mode_config *m, char *why, size_t whylen)
{
    static const char *const keys[] = {"host",           "port", "token_env",
                                       "max_body_bytes", "max_connections_per_ip", NULL};
    CONFIG_MODES_TRY(json_check_keys(o, keys, "api", why, whylen));
    CONFIG_MODES_TRY(
        config_modes_copy(o, "host", "api", m->api_host, sizeof m->api_host, why, whylen));
    CONFIG_MODES_TRY(config_modes_int(o, "port", "api", 0, 65535, &m->api_port, why, whylen));
    CONFIG_MODES_TRY(config_modes_copy(o, "token_env", "api", m->api_token_env,
                                       sizeof m->api_token_env, why, whylen));
    CONFIG_MODES_TRY(
        config_modes_int(o, "max_body_bytes", "api", 256, 16 << 20, &m->api_max_body, why, whylen));
    CONFIG_MODES_TRY(config_modes_int(o, "max_connections_per_ip", "api", 0, 256,
                                      &m->api_max_per_ip, why, whylen));
    return SZ_OK;
}

static int config_modes_kiosk(const cJSON *o, sz_mode_config *m, char *why, size_t whylen)
{
    static const char *const keys[] = {"fullscreen", "audio_device", "greeting", NULL};
    CONFIG_MODES_TRY(json_check_keys(o, keys, "kiosk", why, whylen));
    CONFIG_MODES_TRY(json_get_bool(o, "fullscreen", "kiosk", 0, &m->kiosk_fullscreen, why, whylen));
    CONFIG_MODES_TRY(config_modes_copy(o, "audio_device", "kiosk", m->kiosk_audio_device,
                                       sizeof m->kiosk_audio_device, why, whylen));
    CONFIG_MODES_TRY(config_modes_dup(o, "greeting", "kiosk", 4000, 1, &m->greeting, why, whylen));
    return SZ_OK;
}

static int config_modes_listen(const cJSON *o, sz_mode_config *m, char *why, size_t whylen)
{
    static const char *const keys[] = {"mode",        "barge_in",         "echo_cancel", "onset_ms",
                                       "hangover_ms", "noise_suppress_db", NULL};
    CONFIG_MODES_TRY(json_check_keys(o, keys, "listen", why, whylen));
    char mode[32] = "";
    CONFIG_MODES_TRY(config_modes_copy(o, "mode", "listen", mode, sizeof mode, why, whylen));
    if (mode[0]) {
        if (strcmp(mode, "auto") != 0 && strcmp(mode, "push_to_talk") != 0) {
            snprintf(why, whylen, "listen.mode: expected \"auto\" or \"push_to_talk\"");
            return SZ_ERR_FORMAT;
        }
        m->listen_push_to_talk = strcmp(mode, "push_to_talk") == 0;
    }
    CONFIG_MODES_TRY(json_get_bool(o, "barge_in", "listen", 0, &m->barge_in, why, whylen));
    CONFIG_MODES_TRY(json_get_bool(o, "echo_cancel", "listen", 0, &m->echo_cancel, why, whylen));
    CONFIG_MODES_TRY(
        config_modes_int(o, "onset_ms", "listen", 30, 2000, &m->listen_onset_ms, why, whylen));
    CONFIG_MODES_TRY(config_modes_int(o, "hangover_ms", "listen", 100, 5000,
                                      &m->listen_hangover_ms, why, whylen));
    CONFIG_MODES_TRY(config_modes_int(o, "noise_suppress_db", "listen", -60, 0,
                                      &m->listen_noise_db, why, whylen));
    return SZ_OK;
}

static int config_modes_asr(const cJSON *o, sz_mode_config *m, char *why, size_t whylen)
{
    static const char *const keys[] = {"url",      "model",     "api_key_env", "language",
                                       "timeout_s", "retries", NULL};
    CONFIG_MODES_TRY(json_check_keys(o, keys, "asr", why, whylen));
    const char *url = NULL;
    CONFIG_MODES_TRY(json_get_string(o, "url", "asr", 1, &url, why, whylen));
    CONFIG_MODES_TRY(
        config_modes_copy(o, "url", "asr", m->asr_url, sizeof m->asr_url, why, whylen));
    m->has_asr = 1;
    CONFIG_MODES_TRY(
        config_modes_copy(o, "model", "asr", m->asr_model, sizeof m->asr_model, why, whylen));
    CONFIG_MODES_TRY(config_modes_copy(o, "api_key_env", "asr", m->asr_key_env,
                                       sizeof m->asr_key_env, why, whylen));
    CONFIG_MODES_TRY(config_modes_env_name(m->asr_key_env, "asr", why, whylen));
    CONFIG_MODES_TRY(config_modes_copy(o, "language", "asr", m->asr_language,
                                       sizeof m->asr_language, why, whylen));
    CONFIG_MODES_TRY(
        config_modes_number(o, "timeout_s", "asr", 0.1, 600, &m->asr_timeout_s, why, whylen));
    CONFIG_MODES_TRY(config_modes_int(o, "retries", "asr", 0, 10, &m->asr_retries, why, whylen));
    return SZ_OK;
}

int config_modes_attach(const cJSON *root, const char *label, sz_mode_config **mode, char *why,
                        size_t whylen)
{
    int any = 0;
    for (const char *const *k = config_mode_keys; *k && !any; k++)
        any = cJSON_GetObjectItemCaseSensitive(root, *k) != NULL;
    if (!any)
        return SZ_OK;
    if (!*mode) {
        *mode = malloc(sizeof **mode);
        if (!*mode) {
            snprintf(why, whylen, "out of memory");
            return SZ_ERR_NO_MEMORY;
        }
        config_modes_defaults(*mode);
    }
    return config_modes_load(root, label, *mode, why, whylen);
}

int config_modes_load(const cJSON *root, const char *label, sz_mode_config *m, char *why,
                      size_t whylen)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, "outputs");
    if (v) {
        if (!cJSON_IsArray(v)) {
            snprintf(why, whylen, "outputs: expected an array of URLs or file paths");
            return SZ_ERR_FORMAT;
        }
        for (int i = 0; i < m->n_outputs; i++)
            free(m->outputs[i]);
        m->n_outputs = 0;
        int i = 0;
        for (const cJSON *it = v->child; it; it = it->next, i++) {
            if (i >= CFG_MAX_OUTPUTS) {
                snprintf(why, whylen, "outputs: at most %d", CFG_MAX_OUTPUTS);
                return SZ_ERR_FORMAT;
            }
            if (!cJSON_IsString(it) || !it->valuestring[0] || strlen(it->valuestring) > 2000) {
                snprintf(why, whylen, "outputs[%d]: expected a URL or file path", i);
                return SZ_ERR_FORMAT;
            }
            if (!(m->outputs[m->n_outputs] = strdup(it->valuestring))) {
                snprintf(why, whylen, "out of memory");
                return SZ_ERR_NO_MEMORY;
            }
            m->n_outputs++;
        }
    }
    if ((v = cJSON_GetObjectItemCaseSensitive(root, "llm"))) {
        if (!cJSON_IsObject(v)) {
            snprintf(why, whylen, "llm: expected an object with url, model, api_key_env...");
            return SZ_ERR_FORMAT;
        }
        CONFIG_MODES_TRY(config_modes_llm(v, m, why, whylen));
    }
    CONFIG_MODES_TRY(config_modes_dup(root, "persona", NULL, CONFIG_MODES_MAX_TEXT, 1, &m->persona,
                                      why, whylen));
    CONFIG_MODES_TRY(
        config_modes_dup(root, "error_reply", NULL, 4000, 1, &m->error_reply, why, whylen));
    CONFIG_MODES_TRY(config_modes_path(root, "faq", label, m->faq, sizeof m->faq, why, whylen));
    CONFIG_MODES_TRY(config_modes_path(root, "text_file", label, m->text_file, sizeof m->text_file,
                                       why, whylen));
    if ((v = cJSON_GetObjectItemCaseSensitive(root, "products"))) {
        for (int i = 0; i < m->n_products; i++)
            config_modes_product_free(&m->products[i]);
        m->n_products = 0;
        CONFIG_MODES_TRY(config_modes_products(v, label, m, why, whylen));
    }
    CONFIG_MODES_TRY(config_modes_copy(root, "mic", NULL, m->mic, sizeof m->mic, why, whylen));
    CONFIG_MODES_TRY(json_get_bool(root, "present", NULL, 0, &m->present, why, whylen));
    CONFIG_MODES_TRY(
        config_modes_number(root, "present_gap_s", NULL, 0, 3600, &m->present_gap_s, why, whylen));
    static const struct {
        const char *key;
        int (*fn)(const cJSON *, sz_mode_config *, char *, size_t);
    } objs[] = {{"comments", config_modes_comments},
                {"api", config_modes_api},
                {"kiosk", config_modes_kiosk},
                {"listen", config_modes_listen},
                {"asr", config_modes_asr}};
    for (size_t i = 0; i < sizeof objs / sizeof objs[0]; i++) {
        if (!(v = cJSON_GetObjectItemCaseSensitive(root, objs[i].key)))
            continue;
        if (!cJSON_IsObject(v)) {
            snprintf(why, whylen, "%s: expected an object", objs[i].key);
            return SZ_ERR_FORMAT;
        }
        CONFIG_MODES_TRY(objs[i].fn(v, m, why, whylen));
    }
    return SZ_OK;
}
