/* config.h: the session config file (JSON) and the value syntaxes shared by
 * the config and the command line (sizes, colours). */
#ifndef SZ_ENGINE_CONFIG_H
#define SZ_ENGINE_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "shuzi.h"

typedef struct sz_config {
    char voice[128];
    char avatar[64];
    int width, height, fps;
    uint32_t background_rgb;
    uint64_t seed;
    double speaking_rate;
    double lead_in_ms, tail_ms;
} sz_config;

/* Defaults equal sz_session_default_params(). */
void config_defaults(sz_config *cfg);
/* Reads a JSON config file over the values already in cfg. Keys: voice,
 * avatar, size ("1280x720"), fps, background ("#RRGGBB" or a name), seed,
 * speaking_rate, lead_in_ms, tail_ms. Unknown keys are errors. */
int config_load(const char *path, sz_config *cfg, char *err, size_t errlen);
int config_load_text(const char *text, size_t len, const char *label, sz_config *cfg, char *err,
                     size_t errlen);
/* Copies the config into session params (strings point into cfg). */
void config_apply(const sz_config *cfg, sz_session_params *p);

/* "1280x720" -> 1280, 720 (even, 64..4096). */
int config_parse_size(const char *s, int *w, int *h, char *err, size_t errlen);
/* "#1e90ff", "1e90ff", "black", "white", "green" (chroma key), "blue", "gray". */
int config_parse_color(const char *s, uint32_t *rgb, char *err, size_t errlen);

#endif
