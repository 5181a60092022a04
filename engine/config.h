/* SPDX-License-Identifier: Apache-2.0 */
/* config.h: the session config file (JSON) and the value syntaxes shared by
 * the config and the command line (sizes, colours). */
#ifndef SZ_ENGINE_CONFIG_H
#define SZ_ENGINE_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "shuzi.h"

typedef struct sz_config {
    char voice[128];
    char avatar[1024]; /* a name or a path */
    int width, height, fps;
    uint32_t background_rgb;
    uint64_t seed;
    double speaking_rate;
    double voice_pitch, voice_temperature; /* as in sz_session_params */
    int voice_steps;
    double lead_in_ms, tail_ms;
    /* scene */
    char background_image[1024];
    int transparent_background;
    float avatar_x, avatar_y, avatar_scale;
    char overlay[1024];
    float overlay_x, overlay_y, overlay_width;
    int burn_subtitles;
    char subtitle_font[1024];
    /* live, kiosk and render settings (engine/config_modes.h); NULL when the
     * file has none. Owned: release with config_free (after a failed load too). */
    struct sz_mode_config *mode;
} sz_config;

/* Defaults equal sz_session_default_params(). */
void config_defaults(sz_config *cfg);
/* Reads a JSON config file over the values already in cfg. Keys: voice,
 * avatar, size ("1280x720"), fps, background ("#RRGGBB" or a name), seed,
 * speaking_rate, voice_pitch (0.5 to 2), voice_steps (1 to 64), voice_temperature
 * (0 to 2; 0 = no noise), lead_in_ms, tail_ms, and the scene: background (also
 * "transparent" or a .png/.jpg path), avatar_position [x, y], avatar_scale,
 * overlay (image path), overlay_position [x, y, width], burn_subtitles,
 * subtitle_font; and the mode keys of config_modes.h (outputs, llm, persona,
 * faq, products, present, present_gap_s, text_file, comments, api, kiosk,
 * error_reply). Unknown keys are errors. */
int config_load(const char *path, sz_config *cfg, char *err, size_t errlen);
int config_load_text(const char *text, size_t len, const char *label, sz_config *cfg, char *err,
                     size_t errlen);
/* Frees what config_load allocated (cfg->mode); cfg stays usable. */
void config_free(sz_config *cfg);
/* Copies the config into session params (strings point into cfg). */
void config_apply(const sz_config *cfg, sz_session_params *p);

/* "1280x720" -> 1280, 720 (even, 64..4096). */
int config_parse_size(const char *s, int *w, int *h, char *err, size_t errlen);
/* "#1e90ff", "1e90ff", "black", "white", "green" (chroma key), "blue", "gray". */
int config_parse_color(const char *s, uint32_t *rgb, char *err, size_t errlen);
/* A colour, "transparent", or a .png/.jpg/.jpeg path, into cfg. */
int config_parse_background(const char *s, sz_config *cfg, char *err, size_t errlen);
/* "0.3,0.9": min_n to max_n numbers (-10..10) into v; returns how many, or a
 * negative sz_result with a message. */
int config_parse_fractions(const char *s, float *v, int min_n, int max_n, char *err,
                           size_t errlen);

#endif
