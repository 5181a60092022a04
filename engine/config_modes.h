/* SPDX-License-Identifier: Apache-2.0 */
/* config_modes.h: the parts of the session config file that the live, kiosk
 * and render modes read: outputs, the LLM, persona, FAQ, products, comment
 * filtering, the control API and kiosk settings. Loaded by config_load with
 * the rest of the file (config.h) into cfg->mode. Paths (faq, text_file, a
 * product's image) are relative to the config file. Product images are
 * decoded while loading: a missing or broken one fails the load. */
#ifndef SZ_ENGINE_CONFIG_MODES_H
#define SZ_ENGINE_CONFIG_MODES_H

#include <stddef.h>

#include <cjson/cJSON.h>

#define CFG_MAX_OUTPUTS 8
#define CFG_MAX_PRODUCTS 200
#define CFG_MAX_BLOCKLIST 500

typedef struct cfg_product {
    char *name, *price, *description, *pitch, *keywords; /* NULL when absent */
    char *stock, *name_zh, *price_zh, *description_zh, *stock_zh;
    char *image;               /* "image": a PNG or JPEG path, resolved; NULL when absent */
    struct avatar_card *card;  /* it, decoded (and scaled down) at load */
} cfg_product;

typedef struct sz_mode_config {
    char *outputs[CFG_MAX_OUTPUTS]; /* "outputs": ["rtmp://...", "rec.mkv"] */
    int n_outputs;
    /* "llm": {...}; has_llm when the object was given with a url */
    int has_llm;
    char llm_url[512];
    char llm_model[128];
    char llm_key_env[64]; /* environment variable holding the API key */
    double llm_timeout_s; /* first byte */
    double llm_connect_timeout_s;
    double llm_idle_timeout_s;
    int llm_retries;
    int llm_max_tokens;
    double llm_temperature; /* < 0: the server's default */
    int history_tokens;
    char *persona;        /* "persona": system prompt */
    char *error_reply;    /* "error_reply": said when the LLM fails */
    char faq[1024];       /* "faq": path ("" = built-in) */
    char text_file[1024]; /* "text_file": lines to present in turn */
    cfg_product products[CFG_MAX_PRODUCTS];
    int n_products;
    int present; /* "present": rotate products (default true) */
    double present_gap_s;
    /* "comments": {...} */
    int comment_max_queue, comment_max_chars;
    double comment_max_age_s, comment_user_interval_s;
    char *blocklist[CFG_MAX_BLOCKLIST];
    int n_blocklist;
    /* "api": {...} */
    char api_host[64];
    int api_port; /* 0 = off, -1 = any free port */
    char api_token_env[64];
    int api_max_body;
    int api_max_per_ip;
    /* "kiosk": {...} */
    int kiosk_fullscreen;
    char kiosk_audio_device[256];
    char *greeting;
    /* "mic": "default" | "#N" | NAME | "file:PATH"; "" = not listening */
    char mic[512];
    /* "listen": {...} */
    int listen_push_to_talk; /* "mode": "auto" (0) | "push_to_talk" (1) */
    int barge_in;            /* default 1 */
    int echo_cancel;         /* default 1 */
    int listen_onset_ms, listen_hangover_ms, listen_noise_db;
    /* "asr": {...}; has_asr when given with a url (else pocketsphinx) */
    int has_asr;
    char asr_url[512];
    char asr_model[128];
    char asr_key_env[64];
    char asr_language[16];
    double asr_timeout_s;
    int asr_retries;
} sz_mode_config;

/* Defaults (api on 127.0.0.1:8765, key from SHUZI_LLM_API_KEY, token from
 * SHUZI_API_TOKEN, built-in FAQ). */
void config_modes_defaults(sz_mode_config *m);
/* Reads the mode keys of a parsed config object into m (only those present).
 * label: the file, for messages and relative paths. why gets "key: ..." */
int config_modes_load(const cJSON *root, const char *label, sz_mode_config *m, char *why,
                      size_t whylen);
/* Allocates *mode (with the defaults) when root has any mode key, then loads
 * them; leaves *mode alone when it has none. */
int config_modes_attach(const cJSON *root, const char *label, sz_mode_config **mode, char *why,
                        size_t whylen);
/* Frees what m holds (not m itself). */
void config_modes_free(sz_mode_config *m);
/* The keys config_modes_load reads (NULL-terminated), for the unknown-key check. */
extern const char *const config_mode_keys[];

#endif
