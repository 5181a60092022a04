/* SPDX-License-Identifier: Apache-2.0 */
/* config.c: session config file and value parsers. */
#include "engine/config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/file.h"
#include "core/json.h"
#include "engine/config_modes.h"

void config_defaults(sz_config *cfg)
{
    sz_session_params p = sz_session_default_params();
    memset(cfg, 0, sizeof *cfg);
    cfg->width = p.width;
    cfg->height = p.height;
    cfg->fps = p.fps;
    cfg->background_rgb = p.background_rgb;
    cfg->seed = p.seed;
    cfg->speaking_rate = p.speaking_rate;
    cfg->lead_in_ms = p.lead_in_ms;
    cfg->tail_ms = p.tail_ms;
    cfg->avatar_x = p.avatar_x;
    cfg->avatar_y = p.avatar_y;
    cfg->avatar_scale = p.avatar_scale;
    cfg->overlay_x = p.overlay_x;
    cfg->overlay_y = p.overlay_y;
    cfg->overlay_width = p.overlay_width;
}

int config_parse_size(const char *s, int *w, int *h, char *err, size_t errlen)
{
    char *end;
    long a = strtol(s, &end, 10);
    if (end == s || (*end != 'x' && *end != 'X'))
        goto bad;
    const char *s2 = end + 1;
    long b = strtol(s2, &end, 10);
    if (end == s2 || *end)
        goto bad;
    if (a < 64 || a > 4096 || b < 64 || b > 4096 || a % 2 || b % 2) {
        snprintf(err, errlen, "size '%s': width and height must be even, 64 to 4096", s);
        return SZ_ERR_INVALID_ARG;
    }
    *w = (int)a;
    *h = (int)b;
    return SZ_OK;
bad:
    snprintf(err, errlen, "size '%s': expected WIDTHxHEIGHT, e.g. 1280x720", s);
    return SZ_ERR_INVALID_ARG;
}

int config_parse_color(const char *s, uint32_t *rgb, char *err, size_t errlen)
{
    static const struct {
        const char *name;
        uint32_t rgb;
    } names[] = {{"black", 0x000000}, {"white", 0xffffff}, {"green", 0x00b140},
                 {"blue", 0x0047bb},  {"gray", 0x808080},  {"grey", 0x808080},
                 {"navy", 0x1b2a41}};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (strcasecmp(s, names[i].name) == 0) {
            *rgb = names[i].rgb;
            return SZ_OK;
        }
    }
    const char *h = s[0] == '#' ? s + 1 : s;
    if (strlen(h) == 6) {
        int ok = 1;
        for (int i = 0; i < 6; i++)
            ok &= isxdigit((unsigned char)h[i]) != 0;
        if (ok) {
            *rgb = (uint32_t)strtoul(h, NULL, 16);
            return SZ_OK;
        }
    }
    snprintf(err, errlen, "colour '%s': expected #RRGGBB or one of black, white, green, blue, "
                          "gray, navy", s);
    return SZ_ERR_INVALID_ARG;
}

static int config_has_image_ext(const char *s)
{
    static const char *const exts[] = {".png", ".jpg", ".jpeg", NULL};
    size_t n = strlen(s);
    for (const char *const *e = exts; *e; e++) {
        size_t k = strlen(*e);
        if (n > k && strcasecmp(s + n - k, *e) == 0)
            return 1;
    }
    return 0;
}

int config_parse_background(const char *s, sz_config *cfg, char *err, size_t errlen)
{
    if (strcasecmp(s, "transparent") == 0) {
        cfg->transparent_background = 1;
        cfg->background_image[0] = 0;
        return SZ_OK;
    }
    uint32_t rgb;
    char e2[256];
    if (config_parse_color(s, &rgb, e2, sizeof e2) == SZ_OK) {
        cfg->background_rgb = rgb;
        cfg->transparent_background = 0;
        cfg->background_image[0] = 0;
        return SZ_OK;
    }
    if (config_has_image_ext(s)) {
        if (strlen(s) >= sizeof cfg->background_image) {
            snprintf(err, errlen, "image path too long");
            return SZ_ERR_INVALID_ARG;
        }
        snprintf(cfg->background_image, sizeof cfg->background_image, "%s", s);
        cfg->transparent_background = 0;
        return SZ_OK;
    }
    snprintf(err, errlen, "'%s': expected #RRGGBB, a colour name (black, white, green, blue, "
                          "gray, navy), transparent, or a .png/.jpg image", s);
    return SZ_ERR_INVALID_ARG;
}

int config_parse_fractions(const char *s, float *v, int min_n, int max_n, char *err,
                           size_t errlen)
{
    int n = 0, dangling = 0;
    const char *p = s;
    while (n < max_n) {
        char *end;
        double d = strtod(p, &end);
        if (end == p || !(d >= -10.0 && d <= 10.0))
            break;
        v[n++] = (float)d;
        p = end;
        dangling = *p == ',';
        if (!dangling)
            break;
        p++;
    }
    if (*p || dangling || n < min_n) {
        if (min_n == max_n)
            snprintf(err, errlen, "'%s': expected %d comma-separated numbers", s, min_n);
        else
            snprintf(err, errlen, "'%s': expected %d to %d comma-separated numbers", s, min_n,
                     max_n);
        return SZ_ERR_INVALID_ARG;
    }
    return n;
}

/* avatar_position [x, y], avatar_scale, overlay, overlay_position [x, y, w],
 * burn_subtitles, subtitle_font. */
static int config_load_scene(const cJSON *root, sz_config *cfg, char *why, size_t whylen)
{
    static const struct {
        const char *key;
        int n;
        float lo, hi;
    } vecs[] = {{"avatar_position", 2, -1.0f, 3.0f}, {"overlay_position", 3, 0.0f, 1.0f}};
    for (int i = 0; i < 2; i++) {
        const cJSON *a = cJSON_GetObjectItemCaseSensitive(root, vecs[i].key);
        if (!a)
            continue;
        float v[3];
        int ok = cJSON_IsArray(a) && cJSON_GetArraySize(a) == vecs[i].n;
        for (int k = 0; ok && k < vecs[i].n; k++) {
            const cJSON *e = cJSON_GetArrayItem(a, k);
            ok = cJSON_IsNumber(e) && e->valuedouble >= vecs[i].lo && e->valuedouble <= vecs[i].hi;
            v[k] = ok ? (float)e->valuedouble : 0.0f;
        }
        if (!ok) {
            snprintf(why, whylen, "%s: expected %s with numbers from %g to %g (frame fractions)",
                     vecs[i].key, vecs[i].n == 2 ? "[x, y]" : "[x, y, width]", vecs[i].lo,
                     vecs[i].hi);
            return SZ_ERR_FORMAT;
        }
        if (i == 0) {
            cfg->avatar_x = v[0];
            cfg->avatar_y = v[1];
        } else {
            cfg->overlay_x = v[0];
            cfg->overlay_y = v[1];
            cfg->overlay_width = v[2];
        }
    }
    double dv;
    int rc = json_get_number(root, "avatar_scale", NULL, 0, 0.1, 10.0, &dv, why, whylen);
    if (rc == SZ_OK)
        cfg->avatar_scale = (float)dv;
    else if (rc != SZ_ERR_NOT_FOUND)
        return rc;
    int b;
    rc = json_get_bool(root, "burn_subtitles", NULL, 0, &b, why, whylen);
    if (rc == SZ_OK)
        cfg->burn_subtitles = b;
    else if (rc != SZ_ERR_NOT_FOUND)
        return rc;
    static const char *const paths[] = {"overlay", "subtitle_font"};
    char *dst[] = {cfg->overlay, cfg->subtitle_font};
    size_t cap[] = {sizeof cfg->overlay, sizeof cfg->subtitle_font};
    for (int i = 0; i < 2; i++) {
        const char *str = NULL;
        rc = json_get_string(root, paths[i], NULL, 0, &str, why, whylen);
        if (rc == SZ_ERR_NOT_FOUND)
            continue;
        if (rc != SZ_OK)
            return rc;
        if (!str[0] || strlen(str) >= cap[i]) {
            snprintf(why, whylen, "%s: expected a file path (1 to %zu bytes)", paths[i],
                     cap[i] - 1);
            return SZ_ERR_FORMAT;
        }
        snprintf(dst[i], cap[i], "%s", str);
    }
    return SZ_OK;
}

int config_load_text(const char *text, size_t len, const char *label, sz_config *cfg, char *err,
                     size_t errlen)
{
    cJSON *root = json_parse(text, len, label, err, errlen);
    if (!root)
        return SZ_ERR_FORMAT;
    static const char *const keys[] = {"voice", "avatar", "size", "fps", "background", "seed",
                                       "speaking_rate", "voice_pitch", "voice_steps",
                                       "voice_temperature", "lead_in_ms", "tail_ms",
                                       "avatar_position", "avatar_scale", "overlay",
                                       "overlay_position", "burn_subtitles", "subtitle_font",
                                       NULL};
    char why[384] = "";
    const char *all[64];
    size_t na = 0;
    for (const char *const *k = keys; *k && na < 40; k++)
        all[na++] = *k;
    for (const char *const *k = config_mode_keys; *k && na < 63; k++)
        all[na++] = *k;
    all[na] = NULL;
    int rc = json_check_keys(root, all, NULL, why, sizeof why);
    const char *str = NULL;
    int64_t iv;
    double dv;
    if (rc == SZ_OK && (rc = json_get_string(root, "voice", NULL, 0, &str, why, sizeof why)) == SZ_OK) {
        if (strlen(str) >= sizeof cfg->voice) {
            snprintf(why, sizeof why, "voice: name too long");
            rc = SZ_ERR_FORMAT;
        } else {
            snprintf(cfg->voice, sizeof cfg->voice, "%s", str);
        }
    }
    if (rc == SZ_ERR_NOT_FOUND)
        rc = SZ_OK;
    if (rc == SZ_OK && (rc = json_get_string(root, "avatar", NULL, 0, &str, why, sizeof why)) == SZ_OK) {
        if (strlen(str) >= sizeof cfg->avatar) {
            snprintf(why, sizeof why, "avatar: name too long");
            rc = SZ_ERR_FORMAT;
        } else {
            snprintf(cfg->avatar, sizeof cfg->avatar, "%s", str);
        }
    }
    if (rc == SZ_ERR_NOT_FOUND)
        rc = SZ_OK;
    if (rc == SZ_OK && (rc = json_get_string(root, "size", NULL, 0, &str, why, sizeof why)) == SZ_OK) {
        char e2[256];
        if (config_parse_size(str, &cfg->width, &cfg->height, e2, sizeof e2) != SZ_OK) {
            snprintf(why, sizeof why, "size: %s", e2);
            rc = SZ_ERR_FORMAT;
        }
    }
    if (rc == SZ_ERR_NOT_FOUND)
        rc = SZ_OK;
    if (rc == SZ_OK && (rc = json_get_int(root, "fps", NULL, 0, 1, 120, &iv, why, sizeof why)) == SZ_OK)
        cfg->fps = (int)iv;
    if (rc == SZ_ERR_NOT_FOUND)
        rc = SZ_OK;
    if (rc == SZ_OK &&
        (rc = json_get_string(root, "background", NULL, 0, &str, why, sizeof why)) == SZ_OK) {
        char e2[256];
        if (config_parse_background(str, cfg, e2, sizeof e2) != SZ_OK) {
            snprintf(why, sizeof why, "background: %s", e2);
            rc = SZ_ERR_FORMAT;
        }
    }
    if (rc == SZ_ERR_NOT_FOUND)
        rc = SZ_OK;
    if (rc == SZ_OK &&
        (rc = json_get_int(root, "seed", NULL, 0, 0, (int64_t)1 << 53, &iv, why, sizeof why)) == SZ_OK)
        cfg->seed = (uint64_t)iv;
    if (rc == SZ_ERR_NOT_FOUND)
        rc = SZ_OK;
    if (rc == SZ_OK && (rc = json_get_number(root, "speaking_rate", NULL, 0, 0.3, 3.0, &dv, why,
                                             sizeof why)) == SZ_OK)
        cfg->speaking_rate = dv;
    if (rc == SZ_ERR_NOT_FOUND)
        rc = SZ_OK;
    if (rc == SZ_OK && (rc = json_get_number(root, "voice_pitch", NULL, 0, 0.5, 2.0, &dv, why,
                                             sizeof why)) == SZ_OK)
        cfg->voice_pitch = dv;
    if (rc == SZ_ERR_NOT_FOUND)
        rc = SZ_OK;
    if (rc == SZ_OK && (rc = json_get_int(root, "voice_steps", NULL, 0, 1, 64, &iv, why,
                                          sizeof why)) == SZ_OK)
        cfg->voice_steps = (int)iv;
    if (rc == SZ_ERR_NOT_FOUND)
        rc = SZ_OK;
    if (rc == SZ_OK && (rc = json_get_number(root, "voice_temperature", NULL, 0, 0.0, 2.0, &dv,
                                             why, sizeof why)) == SZ_OK)
        cfg->voice_temperature = dv > 0 ? dv : -1.0;
    if (rc == SZ_ERR_NOT_FOUND)
        rc = SZ_OK;
    if (rc == SZ_OK &&
        (rc = json_get_number(root, "lead_in_ms", NULL, 0, 0, 60000, &dv, why, sizeof why)) == SZ_OK)
        cfg->lead_in_ms = dv;
    if (rc == SZ_ERR_NOT_FOUND)
        rc = SZ_OK;
    if (rc == SZ_OK &&
        (rc = json_get_number(root, "tail_ms", NULL, 0, 0, 60000, &dv, why, sizeof why)) == SZ_OK)
        cfg->tail_ms = dv;
    if (rc == SZ_ERR_NOT_FOUND)
        rc = SZ_OK;
    if (rc == SZ_OK)
        rc = config_load_scene(root, cfg, why, sizeof why);
    if (rc == SZ_OK)
        rc = config_modes_attach(root, label, &cfg->mode, why, sizeof why);
    cJSON_Delete(root);
    if (rc != SZ_OK) {
        snprintf(err, errlen, "%s: %s", label, why);
        return SZ_ERR_FORMAT;
    }
    return SZ_OK;
}

int config_load(const char *path, sz_config *cfg, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return SZ_ERR_IO;
    }
    char *buf;
    size_t n;
    int rc = file_read_all(f, path, JSON_MAX_FILE_BYTES, &buf, &n, err, errlen);
    if (rc == SZ_ERR_FORMAT)
        snprintf(err, errlen, "%s: file too large (limit %u bytes)", path, JSON_MAX_FILE_BYTES);
    if (rc != SZ_OK)
        return rc;
    rc = config_load_text(buf, n, path, cfg, err, errlen);
    free(buf);
    return rc;
}

void config_free(sz_config *cfg)
{
    if (!cfg || !cfg->mode)
        return;
    config_modes_free(cfg->mode);
    free(cfg->mode);
    cfg->mode = NULL;
}

void config_apply(const sz_config *cfg, sz_session_params *p)
{
    p->voice = cfg->voice[0] ? cfg->voice : NULL;
    p->avatar = cfg->avatar[0] ? cfg->avatar : NULL;
    p->width = cfg->width;
    p->height = cfg->height;
    p->fps = cfg->fps;
    p->background_rgb = cfg->background_rgb;
    p->seed = cfg->seed;
    p->speaking_rate = (float)cfg->speaking_rate;
    p->voice_pitch = (float)cfg->voice_pitch;
    p->voice_steps = cfg->voice_steps;
    p->voice_temperature = (float)cfg->voice_temperature;
    p->lead_in_ms = cfg->lead_in_ms;
    p->tail_ms = cfg->tail_ms;
    p->background_image = cfg->background_image[0] ? cfg->background_image : NULL;
    p->transparent_background = cfg->transparent_background;
    p->avatar_x = cfg->avatar_x;
    p->avatar_y = cfg->avatar_y;
    p->avatar_scale = cfg->avatar_scale;
    p->overlay_image = cfg->overlay[0] ? cfg->overlay : NULL;
    p->overlay_x = cfg->overlay_x;
    p->overlay_y = cfg->overlay_y;
    p->overlay_width = cfg->overlay_width;
    p->burn_subtitles = cfg->burn_subtitles;
    p->subtitle_font = cfg->subtitle_font[0] ? cfg->subtitle_font : NULL;
}
