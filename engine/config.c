/* config.c: session config file and value parsers. */
#include "engine/config.h"

#include <ctype.h>
#include <errno.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/json.h"

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

int config_load_text(const char *text, size_t len, const char *label, sz_config *cfg, char *err,
                     size_t errlen)
{
    cJSON *root = json_parse(text, len, label, err, errlen);
    if (!root)
        return SZ_ERR_FORMAT;
    static const char *const keys[] = {"voice", "avatar", "size", "fps", "background", "seed",
                                       "speaking_rate", "lead_in_ms", "tail_ms", NULL};
    char why[384] = "";
    int rc = json_check_keys(root, keys, NULL, why, sizeof why);
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
        if (config_parse_color(str, &cfg->background_rgb, e2, sizeof e2) != SZ_OK) {
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
    struct stat st;
    if (!f || fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
        snprintf(err, errlen, "%s: %s", path, !f ? strerror(errno) : "not a regular file");
        if (f)
            fclose(f);
        return SZ_ERR_IO;
    }
    if ((uint64_t)st.st_size > JSON_MAX_FILE_BYTES) {
        fclose(f);
        snprintf(err, errlen, "%s: file too large (limit %u bytes)", path, JSON_MAX_FILE_BYTES);
        return SZ_ERR_FORMAT;
    }
    size_t n = (size_t)st.st_size;
    char *buf = malloc(n + 1);
    if (!buf) {
        fclose(f);
        snprintf(err, errlen, "%s: out of memory", path);
        return SZ_ERR_NO_MEMORY;
    }
    size_t got = fread(buf, 1, n, f);
    fclose(f);
    int rc = got == n ? config_load_text(buf, n, path, cfg, err, errlen) : SZ_ERR_IO;
    if (got != n)
        snprintf(err, errlen, "%s: read error", path);
    free(buf);
    return rc;
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
    p->lead_in_ms = cfg->lead_in_ms;
    p->tail_ms = cfg->tail_ms;
}
