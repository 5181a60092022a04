/* SPDX-License-Identifier: Apache-2.0 */
/* rig.c: loads and validates avatar.json (the 2D rig format of rig.h) with
 * libcjson. Every field is checked; the first problem is reported by its path
 * ("parts[3].anchor: expected [x, y]") and nothing half-built escapes. */
#include "avatar/rig.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/file.h"
#include "core/json.h"
#include "core/log.h"
#include "shuzi.h"

#define RIG_COORD_MAX 100000.0 /* any coordinate, offset or size */
#define RIG_TOTAL_VALUES (1 << 21) /* numbers in all shapes and morphs together */

static const char *const rig_control_names[RIG_C_COUNT] = {
    "jaw_open",  "lip_spread", "lip_round", "lip_close",  "teeth_lip",  "tongue",
    "mouth_open", "blink",     "gaze_x",    "gaze_y",     "head_yaw",   "head_pitch",
    "head_roll", "breath",     "happy",     "angry",      "sad",        "relaxed",
    "surprised", "speaking",   "viseme_sil", "viseme_PP", "viseme_FF",  "viseme_TH",
    "viseme_DD", "viseme_kk",  "viseme_CH", "viseme_SS",  "viseme_nn",  "viseme_RR",
    "viseme_aa", "viseme_E",   "viseme_ih", "viseme_oh",  "viseme_ou"};

const char *rig_control_name(int control)
{
    return control >= 0 && control < RIG_C_COUNT ? rig_control_names[control] : NULL;
}

int rig_control_find(const char *name)
{
    for (int i = 0; i < RIG_C_COUNT; i++)
        if (strcmp(rig_control_names[i], name) == 0)
            return i;
    return -1;
}

static float rig_clampf(float v, float lo, float hi)
{
    if (isnan(v))
        return 0.0f;
    return v < lo ? lo : v > hi ? hi : v;
}

void rig_controls_from_face(const sz_face *f, float *c)
{
    static const sz_face neutral;
    if (!f)
        f = &neutral;
    c[RIG_C_JAW_OPEN] = rig_clampf(f->jaw_open, 0, 1);
    c[RIG_C_LIP_SPREAD] = rig_clampf(f->lip_spread, 0, 1);
    c[RIG_C_LIP_ROUND] = rig_clampf(f->lip_round, 0, 1);
    c[RIG_C_LIP_CLOSE] = rig_clampf(f->lip_close, 0, 1);
    c[RIG_C_TEETH_LIP] = rig_clampf(f->teeth_lip, 0, 1);
    c[RIG_C_TONGUE] = rig_clampf(f->tongue, 0, 1);
    c[RIG_C_MOUTH_OPEN] = c[RIG_C_JAW_OPEN] * (1.0f - c[RIG_C_LIP_CLOSE]) *
                          (1.0f - 0.75f * c[RIG_C_TEETH_LIP]);
    c[RIG_C_BLINK] = rig_clampf(f->blink, 0, 1);
    c[RIG_C_GAZE_X] = rig_clampf(f->gaze_x, -1, 1);
    c[RIG_C_GAZE_Y] = rig_clampf(f->gaze_y, -1, 1);
    c[RIG_C_HEAD_YAW] = rig_clampf(f->head_yaw, -0.35f, 0.35f);
    c[RIG_C_HEAD_PITCH] = rig_clampf(f->head_pitch, -0.35f, 0.35f);
    c[RIG_C_HEAD_ROLL] = rig_clampf(f->head_roll, -0.35f, 0.35f);
    c[RIG_C_BREATH] = rig_clampf(f->breath, -1, 1);
    c[RIG_C_HAPPY] = rig_clampf(f->expression[EXPR_HAPPY], 0, 1);
    c[RIG_C_ANGRY] = rig_clampf(f->expression[EXPR_ANGRY], 0, 1);
    c[RIG_C_SAD] = rig_clampf(f->expression[EXPR_SAD], 0, 1);
    c[RIG_C_RELAXED] = rig_clampf(f->expression[EXPR_RELAXED], 0, 1);
    c[RIG_C_SURPRISED] = rig_clampf(f->expression[EXPR_SURPRISED], 0, 1);
    c[RIG_C_SPEAKING] = rig_clampf(f->speaking, 0, 1);
    for (int v = 0; v < VIS_COUNT; v++)
        c[RIG_C_VISEME0 + v] = rig_clampf(f->viseme[v], 0, 1);
}

float rig_input_value(const rig_input *in, const float *controls)
{
    float v = controls[in->control];
    if (in->map == RIG_MAP_RANGE)
        v = rig_clampf((v - in->lo) / (in->hi - in->lo), 0.0f, 1.0f);
    else if (in->map == RIG_MAP_CLAMP)
        v = rig_clampf(v, in->lo, in->hi);
    v *= in->gain;
    if (in->unless >= 0)
        v *= 1.0f - rig_clampf(controls[in->unless], 0.0f, 1.0f);
    return v;
}

/* ---- SVG path data ----------------------------------------------------- */

typedef struct rig_pathbuf {
    uint8_t *ops;
    float *vals;
    int n_ops, n_vals, cap_ops, cap_vals;
} rig_pathbuf;

static int rig_pb_op(rig_pathbuf *b, uint8_t op, const float *v, int n)
{
    if (b->n_vals + n > RIG_MAX_VALUES)
        return -1;
    if (b->n_ops == b->cap_ops) {
        int cap = b->cap_ops ? 2 * b->cap_ops : 32;
        uint8_t *o = realloc(b->ops, (size_t)cap);
        if (!o)
            return -2;
        b->ops = o;
        b->cap_ops = cap;
    }
    if (b->n_vals + n > b->cap_vals) {
        int cap = b->cap_vals ? 2 * b->cap_vals : 64;
        while (cap < b->n_vals + n)
            cap *= 2;
        float *nv = realloc(b->vals, (size_t)cap * sizeof *nv);
        if (!nv)
            return -2;
        b->vals = nv;
        b->cap_vals = cap;
    }
    b->ops[b->n_ops++] = op;
    memcpy(b->vals + b->n_vals, v, (size_t)n * sizeof *v);
    b->n_vals += n;
    return 0;
}

/* Whitespace with at most one comma. */
static const char *rig_skip_sep(const char *p)
{
    while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
        p++;
    if (*p == ',')
        p++;
    while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
        p++;
    return p;
}

/* One number in SVG syntax; returns the end or NULL. */
static const char *rig_number(const char *p, float *out)
{
    const char *s = p;
    if (*p == '+' || *p == '-')
        p++;
    int digits = 0;
    while (isdigit((unsigned char)*p)) {
        p++;
        digits++;
    }
    if (*p == '.') {
        p++;
        while (isdigit((unsigned char)*p)) {
            p++;
            digits++;
        }
    }
    if (!digits)
        return NULL;
    if (*p == 'e' || *p == 'E') {
        const char *e = p + 1;
        if (*e == '+' || *e == '-')
            e++;
        if (isdigit((unsigned char)*e)) {
            while (isdigit((unsigned char)*e))
                e++;
            p = e;
        }
    }
    char buf[64];
    size_t n = (size_t)(p - s);
    if (n >= sizeof buf)
        return NULL;
    memcpy(buf, s, n);
    buf[n] = 0;
    double v = strtod(buf, NULL);
    if (!isfinite(v) || fabs(v) > RIG_COORD_MAX)
        return NULL;
    *out = (float)v;
    return p;
}

int rig_parse_path(const char *d, rig_shape *shape, char *err, size_t errlen)
{
    rig_pathbuf b = {0};
    const char *p = rig_skip_sep(d);
    char cmd = 0;
    float cx = 0, cy = 0, sx = 0, sy = 0; /* current point, subpath start */
    float lcx = 0, lcy = 0;               /* last control point (for S and T) */
    char prev = 0;
    int rc = 0;
    const char *why = NULL;
    if (!*p) {
        why = "empty path";
        goto bad;
    }
    while (*p) {
        if (isalpha((unsigned char)*p)) {
            cmd = *p++;
            if (!strchr("MmLlHhVvCcSsQqTtZz", cmd)) {
                why = (cmd == 'A' || cmd == 'a') ? "arcs (A) are not supported: use curves (C)"
                                                 : "unknown command";
                p--;
                goto bad;
            }
        } else if (!cmd) {
            why = "expected a command (M) first";
            goto bad;
        } else if (cmd == 'Z' || cmd == 'z') {
            why = "expected a command after Z";
            goto bad;
        }
        if (b.n_ops == 0 && cmd != 'M' && cmd != 'm') {
            why = "a path must start with M";
            goto bad;
        }
        int rel = islower((unsigned char)cmd);
        char up = (char)toupper((unsigned char)cmd);
        int need = up == 'M' || up == 'L' || up == 'T' ? 2 : up == 'H' || up == 'V' ? 1 :
                   up == 'C' ? 6 : up == 'S' || up == 'Q' ? 4 : 0;
        float a[6];
        while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
            p++;
        for (int i = 0; i < need; i++) {
            if (i > 0)
                p = rig_skip_sep(p);
            const char *e = rig_number(p, &a[i]);
            if (!e) {
                why = "expected a number";
                goto bad;
            }
            p = e;
        }
        float ox = rel ? cx : 0, oy = rel ? cy : 0;
        float v[6];
        switch (up) {
        case 'M':
            cx = sx = a[0] + ox;
            cy = sy = a[1] + oy;
            v[0] = cx, v[1] = cy;
            rc = rig_pb_op(&b, RIG_OP_MOVE, v, 2);
            cmd = rel ? 'l' : 'L'; /* further pairs are lines */
            break;
        case 'L': case 'H': case 'V':
            if (up == 'L')
                cx = a[0] + ox, cy = a[1] + oy;
            else if (up == 'H')
                cx = a[0] + ox;
            else
                cy = a[0] + oy;
            v[0] = cx, v[1] = cy;
            rc = rig_pb_op(&b, RIG_OP_LINE, v, 2);
            break;
        case 'C': case 'S': {
            float c1x, c1y;
            if (up == 'C') {
                c1x = a[0] + ox, c1y = a[1] + oy;
                v[2] = a[2] + ox, v[3] = a[3] + oy, v[4] = a[4] + ox, v[5] = a[5] + oy;
            } else {
                int smooth = prev == 'C' || prev == 'S';
                c1x = smooth ? 2 * cx - lcx : cx;
                c1y = smooth ? 2 * cy - lcy : cy;
                v[2] = a[0] + ox, v[3] = a[1] + oy, v[4] = a[2] + ox, v[5] = a[3] + oy;
            }
            v[0] = c1x, v[1] = c1y;
            lcx = v[2], lcy = v[3];
            cx = v[4], cy = v[5];
            rc = rig_pb_op(&b, RIG_OP_CURVE, v, 6);
            break;
        }
        case 'Q': case 'T': {
            float qx, qy, ex, ey;
            if (up == 'Q') {
                qx = a[0] + ox, qy = a[1] + oy, ex = a[2] + ox, ey = a[3] + oy;
            } else {
                int smooth = prev == 'Q' || prev == 'T';
                qx = smooth ? 2 * cx - lcx : cx;
                qy = smooth ? 2 * cy - lcy : cy;
                ex = a[0] + ox, ey = a[1] + oy;
            }
            /* the quadratic as a cubic */
            v[0] = cx + 2.0f / 3.0f * (qx - cx), v[1] = cy + 2.0f / 3.0f * (qy - cy);
            v[2] = ex + 2.0f / 3.0f * (qx - ex), v[3] = ey + 2.0f / 3.0f * (qy - ey);
            v[4] = ex, v[5] = ey;
            lcx = qx, lcy = qy;
            cx = ex, cy = ey;
            rc = rig_pb_op(&b, RIG_OP_CURVE, v, 6);
            break;
        }
        case 'Z':
            rc = rig_pb_op(&b, RIG_OP_CLOSE, v, 0);
            cx = sx, cy = sy;
            break;
        }
        if (rc == -1) {
            why = "too many numbers in one path";
            goto bad;
        }
        if (rc == -2) {
            free(b.ops);
            free(b.vals);
            snprintf(err, errlen, "out of memory");
            return SZ_ERR_NO_MEMORY;
        }
        prev = up;
        p = rig_skip_sep(p);
    }
    shape->kind = RIG_SHAPE_PATH;
    shape->ops = b.ops;
    shape->n_ops = b.n_ops;
    shape->vals = b.vals;
    shape->n_vals = b.n_vals;
    return SZ_OK;
bad:
    free(b.ops);
    free(b.vals);
    snprintf(err, errlen, "at character %d: %s", (int)(p - d) + 1, why);
    return SZ_ERR_FORMAT;
}

/* ---- the manifest ------------------------------------------------------ */

typedef struct rig_ctx {
    const char *label;
    char *err;
    size_t errlen;
    avatar_rig *rig;
    long total_values;
} rig_ctx;

static int rig_fail(rig_ctx *c, const char *fmt, ...) SZ_PRINTF(2, 3);

static int rig_fail(rig_ctx *c, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (c->err && c->errlen)
        snprintf(c->err, c->errlen, "%s: %s", c->label, msg);
    return SZ_ERR_FORMAT;
}

static int rig_keys(rig_ctx *c, const cJSON *obj, const char *const *keys, const char *path)
{
    char why[512];
    if (json_check_keys(obj, keys, path, why, sizeof why) != SZ_OK)
        return rig_fail(c, "%s", why);
    return SZ_OK;
}

/* A number field: required or (absent) the default. */
static int rig_num(rig_ctx *c, const cJSON *obj, const char *key, const char *path, int required,
                   double lo, double hi, double def, float *out)
{
    double v = def;
    char why[512];
    int rc = json_get_number(obj, key, path, required, lo, hi, &v, why, sizeof why);
    if (rc == SZ_ERR_NOT_FOUND)
        v = def;
    else if (rc != SZ_OK)
        return rig_fail(c, "%s", why);
    *out = (float)v;
    return SZ_OK;
}

/* An array of exactly n finite numbers within +-RIG_COORD_MAX. */
static int rig_vec(rig_ctx *c, const cJSON *v, int n, const char *path, const char *what,
                   float *out)
{
    int ok = cJSON_IsArray(v) && cJSON_GetArraySize(v) == n;
    for (int i = 0; ok && i < n; i++) {
        const cJSON *e = cJSON_GetArrayItem(v, i);
        ok = cJSON_IsNumber(e) && isfinite(e->valuedouble) &&
             fabs(e->valuedouble) <= RIG_COORD_MAX;
        if (ok)
            out[i] = (float)e->valuedouble;
    }
    return ok ? SZ_OK : rig_fail(c, "%s: expected %s", path, what);
}

/* An optional [x, y] field. */
static int rig_xy(rig_ctx *c, const cJSON *obj, const char *key, const char *path, float *x,
                  float *y)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!v)
        return SZ_OK;
    char p[256];
    snprintf(p, sizeof p, "%.190s.%.60s", path, key);
    float xy[2];
    int rc = rig_vec(c, v, 2, p, "[x, y]", xy);
    if (rc == SZ_OK)
        *x = xy[0], *y = xy[1];
    return rc;
}

static int rig_name_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n >= RIG_NAME_MAX)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)s[i]) && s[i] != '_' && s[i] != '-' && s[i] != '.')
            return 0;
    return 1;
}

static int rig_name(rig_ctx *c, const cJSON *obj, const char *key, const char *path,
                    char *out)
{
    const char *s = NULL;
    char why[512];
    if (json_get_string(obj, key, path, 1, &s, why, sizeof why) != SZ_OK)
        return rig_fail(c, "%s", why);
    if (!rig_name_ok(s))
        return rig_fail(c, "%s.%s: '%.80s' is not a name (1 to %d letters, digits, _ - .)", path,
                        key, s, RIG_NAME_MAX - 1);
    snprintf(out, RIG_NAME_MAX, "%s", s);
    return SZ_OK;
}

/* "#rrggbb" or "#rrggbbaa". */
static int rig_color(const char *s, float *rgba)
{
    size_t n = strlen(s);
    if (s[0] != '#' || (n != 7 && n != 9))
        return 0;
    for (size_t i = 1; i < n; i++)
        if (!isxdigit((unsigned char)s[i]))
            return 0;
    unsigned long v = strtoul(s + 1, NULL, 16);
    if (n == 7)
        v = (v << 8) | 0xFF;
    rgba[0] = (float)((v >> 24) & 0xFF) / 255.0f;
    rgba[1] = (float)((v >> 16) & 0xFF) / 255.0f;
    rgba[2] = (float)((v >> 8) & 0xFF) / 255.0f;
    rgba[3] = (float)(v & 0xFF) / 255.0f;
    return 1;
}

static int rig_paint_parse(rig_ctx *c, const cJSON *v, const char *path, rig_paint *p)
{
    if (cJSON_IsString(v)) {
        p->kind = RIG_PAINT_SOLID;
        if (!rig_color(v->valuestring, p->rgba))
            return rig_fail(c, "%s: '%.40s' is not a colour (expected #rrggbb or #rrggbbaa)",
                            path, v->valuestring);
        return SZ_OK;
    }
    if (!cJSON_IsObject(v))
        return rig_fail(c, "%s: expected a colour \"#rrggbb\" or a gradient object", path);
    static const char *const keys[] = {"linear", "radial", "stops", NULL};
    int rc = rig_keys(c, v, keys, path);
    if (rc != SZ_OK)
        return rc;
    const cJSON *lin = cJSON_GetObjectItemCaseSensitive(v, "linear");
    const cJSON *rad = cJSON_GetObjectItemCaseSensitive(v, "radial");
    char p2[256];
    if ((lin != NULL) == (rad != NULL))
        return rig_fail(c, "%s: expected exactly one of \"linear\" or \"radial\"", path);
    if (lin) {
        p->kind = RIG_PAINT_LINEAR;
        snprintf(p2, sizeof p2, "%s.linear", path);
        rc = rig_vec(c, lin, 4, p2, "[x0, y0, x1, y1]", p->geom);
    } else {
        p->kind = RIG_PAINT_RADIAL;
        snprintf(p2, sizeof p2, "%s.radial", path);
        rc = rig_vec(c, rad, 6, p2, "[cx0, cy0, r0, cx1, cy1, r1]", p->geom);
        if (rc == SZ_OK && (p->geom[2] < 0 || p->geom[5] < 0))
            return rig_fail(c, "%s: radii must not be negative", p2);
    }
    if (rc != SZ_OK)
        return rc;
    const cJSON *stops = cJSON_GetObjectItemCaseSensitive(v, "stops");
    snprintf(p2, sizeof p2, "%s.stops", path);
    if (!cJSON_IsArray(stops) || cJSON_GetArraySize(stops) < 2 ||
        cJSON_GetArraySize(stops) > RIG_MAX_STOPS)
        return rig_fail(c, "%s: expected 2 to %d stops [offset, \"#rrggbb\"]", p2,
                        RIG_MAX_STOPS);
    p->n_stops = cJSON_GetArraySize(stops);
    float last = 0.0f;
    for (int i = 0; i < p->n_stops; i++) {
        const cJSON *s = cJSON_GetArrayItem(stops, i);
        const cJSON *off = cJSON_GetArrayItem(s, 0), *col = cJSON_GetArrayItem(s, 1);
        if (!cJSON_IsArray(s) || cJSON_GetArraySize(s) != 2 || !cJSON_IsNumber(off) ||
            !cJSON_IsString(col))
            return rig_fail(c, "%s[%d]: expected [offset, \"#rrggbb\"]", p2, i);
        double o = off->valuedouble;
        if (!(o >= 0.0 && o <= 1.0) || o < last)
            return rig_fail(c, "%s[%d]: offset %g must be in 0..1 and not below the previous one",
                            p2, i, o);
        last = (float)o;
        p->stops[i][0] = (float)o;
        if (!rig_color(col->valuestring, &p->stops[i][1]))
            return rig_fail(c, "%s[%d]: '%.40s' is not a colour (expected #rrggbb or #rrggbbaa)",
                            p2, i, col->valuestring);
    }
    return SZ_OK;
}

static int rig_paints(rig_ctx *c, const cJSON *root)
{
    const cJSON *paints = cJSON_GetObjectItemCaseSensitive(root, "paints");
    if (!paints)
        return SZ_OK;
    if (!cJSON_IsObject(paints))
        return rig_fail(c, "paints: expected an object of name: colour or gradient");
    avatar_rig *r = c->rig;
    for (const cJSON *it = paints->child; it; it = it->next) {
        if (r->n_paints >= RIG_MAX_PAINTS)
            return rig_fail(c, "paints: more than %d", RIG_MAX_PAINTS);
        char path[160];
        snprintf(path, sizeof path, "paints.%.60s", it->string ? it->string : "");
        if (!it->string || !rig_name_ok(it->string))
            return rig_fail(c, "%s: not a name (1 to %d letters, digits, _ - .)", path,
                            RIG_NAME_MAX - 1);
        rig_paint *p = &r->paints[r->n_paints];
        memset(p, 0, sizeof *p);
        snprintf(p->name, sizeof p->name, "%s", it->string);
        int rc = rig_paint_parse(c, it, path, p);
        if (rc != SZ_OK)
            return rc;
        r->n_paints++;
    }
    return SZ_OK;
}

/* "fill"/"stroke": a paint name, an inline colour, or "none" (-1). */
static int rig_paint_ref(rig_ctx *c, const cJSON *obj, const char *key, const char *path,
                         int *out)
{
    *out = -1;
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!v)
        return SZ_OK;
    if (!cJSON_IsString(v))
        return rig_fail(c, "%s.%s: expected a paint name, \"#rrggbb\" or \"none\"", path, key);
    const char *s = v->valuestring;
    if (strcmp(s, "none") == 0)
        return SZ_OK;
    avatar_rig *r = c->rig;
    if (s[0] == '#') {
        if (r->n_paints >= RIG_MAX_PAINTS)
            return rig_fail(c, "%s.%s: more than %d paints and colours", path, key,
                            RIG_MAX_PAINTS);
        rig_paint *p = &r->paints[r->n_paints];
        memset(p, 0, sizeof *p);
        if (!rig_color(s, p->rgba))
            return rig_fail(c, "%s.%s: '%.40s' is not a colour (expected #rrggbb or #rrggbbaa)",
                            path, key, s);
        p->kind = RIG_PAINT_SOLID;
        *out = r->n_paints++;
        return SZ_OK;
    }
    for (int i = 0; i < r->n_paints; i++) {
        if (r->paints[i].name[0] && strcmp(r->paints[i].name, s) == 0) {
            *out = i;
            return SZ_OK;
        }
    }
    return rig_fail(c, "%s.%s: no paint named '%.60s' in \"paints\"", path, key, s);
}

/* The control and mapping shared by drives and morphs. */
static int rig_input_parse(rig_ctx *c, const cJSON *obj, const char *path, rig_input *in)
{
    const char *name = NULL;
    char why[512];
    if (json_get_string(obj, "control", path, 1, &name, why, sizeof why) != SZ_OK)
        return rig_fail(c, "%s", why);
    in->control = rig_control_find(name);
    if (in->control < 0)
        return rig_fail(c, "%s.control: unknown control '%.60s' (see docs/AVATAR_RIG.md)", path,
                        name);
    const cJSON *range = cJSON_GetObjectItemCaseSensitive(obj, "range");
    const cJSON *clamp = cJSON_GetObjectItemCaseSensitive(obj, "clamp");
    char p2[160];
    in->map = RIG_MAP_RAW;
    if (range && clamp)
        return rig_fail(c, "%s: \"range\" and \"clamp\" exclude each other", path);
    if (range || clamp) {
        float lh[2];
        snprintf(p2, sizeof p2, "%s.%s", path, range ? "range" : "clamp");
        int rc = rig_vec(c, range ? range : clamp, 2, p2, "[low, high]", lh);
        if (rc != SZ_OK)
            return rc;
        if (!(lh[1] > lh[0]))
            return rig_fail(c, "%s: high must be above low", p2);
        in->map = range ? RIG_MAP_RANGE : RIG_MAP_CLAMP;
        in->lo = lh[0];
        in->hi = lh[1];
    }
    in->unless = -1;
    const cJSON *unless = cJSON_GetObjectItemCaseSensitive(obj, "unless");
    if (unless) {
        in->unless = cJSON_IsString(unless) ? rig_control_find(unless->valuestring) : -1;
        if (in->unless < 0)
            return rig_fail(c, "%s.unless: expected a control name", path);
    }
    return rig_num(c, obj, "gain", path, 0, -RIG_COORD_MAX, RIG_COORD_MAX, 1.0, &in->gain);
}

static int rig_drives(rig_ctx *c, const cJSON *obj, const char *path, rig_drive **out, int *n)
{
    const cJSON *arr = cJSON_GetObjectItemCaseSensitive(obj, "drive");
    *out = NULL;
    *n = 0;
    if (!arr)
        return SZ_OK;
    char p[160];
    snprintf(p, sizeof p, "%s.drive", path);
    if (!cJSON_IsArray(arr) || cJSON_GetArraySize(arr) > RIG_MAX_DRIVES)
        return rig_fail(c, "%s: expected an array of at most %d drives", p, RIG_MAX_DRIVES);
    int count = cJSON_GetArraySize(arr);
    if (count == 0)
        return SZ_OK;
    rig_drive *d = calloc((size_t)count, sizeof *d);
    if (!d)
        return rig_fail(c, "%s: out of memory", p);
    *out = d;
    *n = count;
    static const char *const keys[] = {"control", "range", "clamp",   "gain", "unless",
                                       "translate", "rotate", "scale", "opacity", NULL};
    for (int i = 0; i < count; i++) {
        const cJSON *e = cJSON_GetArrayItem(arr, i);
        char pe[192];
        snprintf(pe, sizeof pe, "%s[%d]", p, i);
        int rc = rig_keys(c, e, keys, pe);
        if (rc == SZ_OK)
            rc = rig_input_parse(c, e, pe, &d[i].in);
        if (rc == SZ_OK)
            rc = rig_xy(c, e, "translate", pe, &d[i].tx, &d[i].ty);
        if (rc == SZ_OK)
            rc = rig_xy(c, e, "scale", pe, &d[i].sx, &d[i].sy);
        if (rc == SZ_OK)
            rc = rig_num(c, e, "rotate", pe, 0, -100.0, 100.0, 0.0, &d[i].rotate);
        if (rc == SZ_OK)
            rc = rig_num(c, e, "opacity", pe, 0, -100.0, 100.0, 0.0, &d[i].opacity);
        if (rc != SZ_OK)
            return rc;
        if (!cJSON_GetObjectItemCaseSensitive(e, "translate") &&
            !cJSON_GetObjectItemCaseSensitive(e, "scale") &&
            !cJSON_GetObjectItemCaseSensitive(e, "rotate") &&
            !cJSON_GetObjectItemCaseSensitive(e, "opacity"))
            return rig_fail(c, "%s: expected at least one of translate, rotate, scale, opacity",
                            pe);
    }
    return SZ_OK;
}

static int rig_group_find(const avatar_rig *r, const char *name, int upto)
{
    for (int i = 0; i < upto; i++)
        if (strcmp(r->groups[i].name, name) == 0)
            return i;
    return -1;
}

static int rig_part_find(const avatar_rig *r, const char *name, int upto)
{
    for (int i = 0; i < upto; i++)
        if (strcmp(r->parts[i].name, name) == 0)
            return i;
    return -1;
}

static int rig_groups(rig_ctx *c, const cJSON *root)
{
    const cJSON *arr = cJSON_GetObjectItemCaseSensitive(root, "groups");
    avatar_rig *r = c->rig;
    if (!arr)
        return SZ_OK;
    if (!cJSON_IsArray(arr) || cJSON_GetArraySize(arr) > RIG_MAX_GROUPS)
        return rig_fail(c, "groups: expected an array of at most %d groups", RIG_MAX_GROUPS);
    static const char *const keys[] = {"name", "parent", "anchor", "pivot", "drive", NULL};
    int count = cJSON_GetArraySize(arr);
    for (int i = 0; i < count; i++) {
        const cJSON *e = cJSON_GetArrayItem(arr, i);
        char p[64];
        snprintf(p, sizeof p, "groups[%d]", i);
        rig_group *g = &r->groups[i];
        g->parent = -1;
        int rc = rig_keys(c, e, keys, p);
        if (rc == SZ_OK)
            rc = rig_name(c, e, "name", p, g->name);
        if (rc != SZ_OK)
            return rc;
        if (rig_group_find(r, g->name, i) >= 0)
            return rig_fail(c, "%s.name: '%s' is used by an earlier group", p, g->name);
        const cJSON *par = cJSON_GetObjectItemCaseSensitive(e, "parent");
        if (par && !cJSON_IsNull(par)) {
            if (!cJSON_IsString(par))
                return rig_fail(c, "%s.parent: expected the name of an earlier group", p);
            g->parent = rig_group_find(r, par->valuestring, i);
            if (g->parent < 0)
                return rig_fail(c, "%s.parent: no earlier group named '%.60s'", p,
                                par->valuestring);
        }
        rc = rig_xy(c, e, "anchor", p, &g->ax, &g->ay);
        if (rc == SZ_OK)
            rc = rig_xy(c, e, "pivot", p, &g->px, &g->py);
        if (rc == SZ_OK)
            rc = rig_drives(c, e, p, &g->drives, &g->n_drives);
        r->n_groups = i + 1;
        if (rc != SZ_OK)
            return rc;
        for (int k = 0; k < g->n_drives; k++)
            if (cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(
                    cJSON_GetObjectItemCaseSensitive(e, "drive"), k), "opacity"))
                return rig_fail(c, "%s.drive[%d].opacity: groups have no opacity (drive the "
                                   "parts)", p, k);
    }
    return SZ_OK;
}

static const char *const rig_shape_keys[] = {"path", "ellipse", "circle", "rect", NULL};

/* The shape given under key (one of rig_shape_keys) of obj. */
static int rig_shape_parse(rig_ctx *c, const cJSON *v, const char *key, const char *path,
                           rig_shape *s)
{
    char p[200];
    snprintf(p, sizeof p, "%s.%s", path, key);
    int rc;
    if (strcmp(key, "path") == 0) {
        if (!cJSON_IsString(v))
            return rig_fail(c, "%s: expected SVG path data (\"M 0 0 L 10 0 Z\")", p);
        char why[256];
        rc = rig_parse_path(v->valuestring, s, why, sizeof why);
        if (rc == SZ_ERR_NO_MEMORY)
            return rig_fail(c, "%s: out of memory", p);
        if (rc != SZ_OK)
            return rig_fail(c, "%s: %s", p, why);
    } else {
        int n = strcmp(key, "circle") == 0 ? 3 : 4;
        float tmp[5] = {0};
        const char *what = n == 3 ? "[cx, cy, r]" : strcmp(key, "ellipse") == 0 ?
                                    "[cx, cy, rx, ry]" : "[x, y, width, height] or [x, y, width, height, radius]";
        if (strcmp(key, "rect") == 0 && cJSON_IsArray(v) && cJSON_GetArraySize(v) == 5)
            n = 5;
        rc = rig_vec(c, v, n, p, what, tmp);
        if (rc != SZ_OK)
            return rc;
        for (int i = 2; i < n; i++)
            if (tmp[i] < 0)
                return rig_fail(c, "%s: sizes must not be negative", p);
        s->kind = strcmp(key, "rect") == 0 ? RIG_SHAPE_RECT : RIG_SHAPE_ELLIPSE;
        s->n_vals = s->kind == RIG_SHAPE_RECT ? 5 : 4;
        s->vals = calloc((size_t)s->n_vals, sizeof *s->vals);
        if (!s->vals)
            return rig_fail(c, "%s: out of memory", p);
        memcpy(s->vals, tmp, (size_t)n * sizeof *tmp);
        if (n == 3)
            s->vals[3] = tmp[2]; /* circle: ry = rx */
    }
    c->total_values += s->n_vals;
    if (c->total_values > RIG_TOTAL_VALUES)
        return rig_fail(c, "%s: the rig has more than %d numbers in its shapes", p,
                        RIG_TOTAL_VALUES);
    return SZ_OK;
}

static const char *rig_shape_key_of(const cJSON *obj, int *count)
{
    const char *key = NULL;
    *count = 0;
    for (const char *const *k = rig_shape_keys; *k; k++) {
        if (cJSON_GetObjectItemCaseSensitive(obj, *k)) {
            key = *k;
            (*count)++;
        }
    }
    return key;
}

static void rig_shape_free(rig_shape *s)
{
    free(s->ops);
    free(s->vals);
    memset(s, 0, sizeof *s);
}

static int rig_morphs(rig_ctx *c, const cJSON *obj, const char *path, rig_part *part,
                      const char *base_key)
{
    const cJSON *arr = cJSON_GetObjectItemCaseSensitive(obj, "morphs");
    if (!arr)
        return SZ_OK;
    char p[160];
    snprintf(p, sizeof p, "%s.morphs", path);
    if (!cJSON_IsArray(arr) || cJSON_GetArraySize(arr) > RIG_MAX_MORPHS)
        return rig_fail(c, "%s: expected an array of at most %d morphs", p, RIG_MAX_MORPHS);
    int count = cJSON_GetArraySize(arr);
    if (count == 0)
        return SZ_OK;
    part->morphs = calloc((size_t)count, sizeof *part->morphs);
    if (!part->morphs)
        return rig_fail(c, "%s: out of memory", p);
    static const char *const keys[] = {"control", "range", "clamp", "gain", "unless", "path",
                                       "ellipse", "circle", "rect", NULL};
    const rig_shape *base = &part->shape;
    for (int i = 0; i < count; i++) {
        const cJSON *e = cJSON_GetArrayItem(arr, i);
        char pe[192];
        snprintf(pe, sizeof pe, "%s[%d]", p, i);
        rig_morph *m = &part->morphs[i];
        int rc = rig_keys(c, e, keys, pe);
        if (rc == SZ_OK)
            rc = rig_input_parse(c, e, pe, &m->in);
        if (rc != SZ_OK)
            return rc;
        int nkeys;
        const char *key = rig_shape_key_of(e, &nkeys);
        if (nkeys != 1 || strcmp(key, base_key) != 0)
            return rig_fail(c, "%s: expected the target shape under \"%s\", like the part's", pe,
                            base_key);
        rig_shape t = {0};
        rc = rig_shape_parse(c, cJSON_GetObjectItemCaseSensitive(e, key), key, pe, &t);
        if (rc != SZ_OK) {
            rig_shape_free(&t);
            return rc;
        }
        int same = t.n_vals == base->n_vals && t.n_ops == base->n_ops &&
                   (t.n_ops == 0 || memcmp(t.ops, base->ops, (size_t)t.n_ops) == 0);
        if (!same) {
            int k = 0;
            while (k < t.n_ops && k < base->n_ops && t.ops[k] == base->ops[k])
                k++;
            char here = k < t.n_ops ? (char)t.ops[k] : '-';
            char there = k < base->n_ops ? (char)base->ops[k] : '-';
            int n_here = t.n_vals;
            rig_shape_free(&t);
            if (k < base->n_ops || here != '-')
                return rig_fail(c, "%s.%s: does not match the part's shape: command %d is %c "
                                   "here and %c in the part (after normalising to M L C Z)",
                                pe, key, k + 1, here, there);
            return rig_fail(c, "%s.%s: does not match the part's shape (%d numbers here, %d in "
                               "the part)", pe, key, n_here, base->n_vals);
        }
        m->delta = t.vals; /* turned into target - base */
        t.vals = NULL;
        for (int k = 0; k < base->n_vals; k++)
            m->delta[k] -= base->vals[k];
        rig_shape_free(&t);
        part->n_morphs = i + 1;
    }
    return SZ_OK;
}

static int rig_parts(rig_ctx *c, const cJSON *root)
{
    const cJSON *arr = cJSON_GetObjectItemCaseSensitive(root, "parts");
    avatar_rig *r = c->rig;
    if (!cJSON_IsArray(arr) || cJSON_GetArraySize(arr) < 1 ||
        cJSON_GetArraySize(arr) > RIG_MAX_PARTS)
        return rig_fail(c, "parts: expected an array of 1 to %d parts", RIG_MAX_PARTS);
    static const char *const keys[] = {"name",   "group",        "anchor",   "pivot",
                                       "path",   "ellipse",      "circle",   "rect",
                                       "morphs", "drive",        "fill",     "stroke",
                                       "stroke_width", "line_cap", "line_join", "opacity",
                                       "clip",   NULL};
    int count = cJSON_GetArraySize(arr);
    for (int i = 0; i < count; i++) {
        const cJSON *e = cJSON_GetArrayItem(arr, i);
        char p[64];
        snprintf(p, sizeof p, "parts[%d]", i);
        rig_part *pt = &r->parts[i];
        pt->group = -1;
        pt->clip = -1;
        pt->fill = pt->stroke = -1;
        r->n_parts = i + 1;
        int rc = rig_keys(c, e, keys, p);
        if (rc == SZ_OK)
            rc = rig_name(c, e, "name", p, pt->name);
        if (rc != SZ_OK)
            return rc;
        if (rig_part_find(r, pt->name, i) >= 0)
            return rig_fail(c, "%s.name: '%s' is used by an earlier part", p, pt->name);
        const cJSON *g = cJSON_GetObjectItemCaseSensitive(e, "group");
        if (g) {
            if (!cJSON_IsString(g))
                return rig_fail(c, "%s.group: expected a group name", p);
            pt->group = rig_group_find(r, g->valuestring, r->n_groups);
            if (pt->group < 0)
                return rig_fail(c, "%s.group: no group named '%.60s'", p, g->valuestring);
        }
        rc = rig_xy(c, e, "anchor", p, &pt->ax, &pt->ay);
        if (rc == SZ_OK)
            rc = rig_xy(c, e, "pivot", p, &pt->px, &pt->py);
        if (rc != SZ_OK)
            return rc;
        int nkeys;
        const char *key = rig_shape_key_of(e, &nkeys);
        if (nkeys != 1)
            return rig_fail(c, "%s: expected exactly one shape: path, ellipse, circle or rect", p);
        rc = rig_shape_parse(c, cJSON_GetObjectItemCaseSensitive(e, key), key, p, &pt->shape);
        if (rc == SZ_OK)
            rc = rig_morphs(c, e, p, pt, key);
        if (rc == SZ_OK)
            rc = rig_drives(c, e, p, &pt->drives, &pt->n_drives);
        if (rc == SZ_OK)
            rc = rig_paint_ref(c, e, "fill", p, &pt->fill);
        if (rc == SZ_OK)
            rc = rig_paint_ref(c, e, "stroke", p, &pt->stroke);
        if (rc == SZ_OK)
            rc = rig_num(c, e, "stroke_width", p, 0, 0.0, 1000.0, 1.0, &pt->stroke_width);
        if (rc == SZ_OK)
            rc = rig_num(c, e, "opacity", p, 0, 0.0, 1.0, 1.0, &pt->opacity);
        if (rc != SZ_OK)
            return rc;
        if (pt->fill < 0 && pt->stroke < 0)
            return rig_fail(c, "%s: needs a \"fill\" or a \"stroke\"", p);
        static const char *const caps[] = {"butt", "round", "square", NULL};
        static const char *const joins[] = {"miter", "round", "bevel", NULL};
        const char *const *lists[2] = {caps, joins};
        const char *names[2] = {"line_cap", "line_join"};
        int vals[2] = {RIG_CAP_ROUND, RIG_JOIN_ROUND};
        for (int k = 0; k < 2; k++) {
            const cJSON *v = cJSON_GetObjectItemCaseSensitive(e, names[k]);
            if (!v)
                continue;
            int found = -1;
            for (int j = 0; cJSON_IsString(v) && lists[k][j]; j++)
                if (strcmp(v->valuestring, lists[k][j]) == 0)
                    found = j;
            if (found < 0)
                return rig_fail(c, "%s.%s: expected \"%s\", \"%s\" or \"%s\"", p, names[k],
                                lists[k][0], lists[k][1], lists[k][2]);
            vals[k] = found;
        }
        pt->cap = (rig_cap)vals[0];
        pt->join = (rig_join)vals[1];
        const cJSON *clip = cJSON_GetObjectItemCaseSensitive(e, "clip");
        if (clip) {
            if (!cJSON_IsString(clip))
                return rig_fail(c, "%s.clip: expected the name of an earlier part", p);
            pt->clip = rig_part_find(r, clip->valuestring, i);
            if (pt->clip < 0)
                return rig_fail(c, "%s.clip: no earlier part named '%.60s'", p,
                                clip->valuestring);
            if (r->parts[pt->clip].clip >= 0)
                return rig_fail(c, "%s.clip: part '%s' is itself clipped (one level only)", p,
                                r->parts[pt->clip].name);
        }
        if (pt->shape.n_vals > r->max_vals)
            r->max_vals = pt->shape.n_vals;
        for (int k = 0; k < pt->n_morphs; k++)
            c->total_values += pt->shape.n_vals;
        if (c->total_values > RIG_TOTAL_VALUES)
            return rig_fail(c, "%s: the rig has more than %d numbers in its shapes", p,
                            RIG_TOTAL_VALUES);
    }
    return SZ_OK;
}

int rig_load_text(const char *text, size_t len, const char *label, avatar_rig **out, char *err,
                  size_t errlen)
{
    if (out)
        *out = NULL;
    if (!text || !out) {
        snprintf(err, errlen, "%s: no rig text", label ? label : "avatar.json");
        return SZ_ERR_INVALID_ARG;
    }
    rig_ctx c = {.label = label ? label : "avatar.json", .err = err, .errlen = errlen};
    cJSON *root = json_parse(text, len, c.label, err, errlen);
    if (!root)
        return SZ_ERR_FORMAT;
    avatar_rig *r = calloc(1, sizeof *r);
    int rc = SZ_ERR_NO_MEMORY;
    if (!r)
        goto fail;
    r->paints = calloc(RIG_MAX_PAINTS, sizeof *r->paints);
    r->groups = calloc(RIG_MAX_GROUPS, sizeof *r->groups);
    r->parts = calloc(RIG_MAX_PARTS, sizeof *r->parts);
    if (!r->paints || !r->groups || !r->parts)
        goto fail;
    c.rig = r;
    static const char *const keys[] = {"format", "version", "name",   "description", "style",
                                       "canvas", "paints",  "groups", "parts",       NULL};
    rc = rig_keys(&c, root, keys, NULL);
    if (rc != SZ_OK)
        goto fail;
    const char *s = NULL;
    char why[512];
    if (json_get_string(root, "format", NULL, 1, &s, why, sizeof why) != SZ_OK) {
        rc = rig_fail(&c, "%s", why);
        goto fail;
    }
    if (strcmp(s, "shuzi-rig-2d") != 0) {
        rc = rig_fail(&c, "format: '%.60s' is not \"shuzi-rig-2d\"", s);
        goto fail;
    }
    int64_t version = 0;
    if (json_get_int(root, "version", NULL, 1, 0, 1000, &version, why, sizeof why) != SZ_OK) {
        rc = rig_fail(&c, "%s", why);
        goto fail;
    }
    if (version != 1) {
        rc = rig_fail(&c, "version: %d is not supported (this build reads version 1)",
                      (int)version);
        goto fail;
    }
    rc = rig_name(&c, root, "name", NULL, r->name);
    if (rc != SZ_OK)
        goto fail;
    static const char *const texts[] = {"description", "style"};
    char *dst[] = {r->description, r->style};
    size_t cap[] = {sizeof r->description, sizeof r->style};
    for (int i = 0; i < 2; i++) {
        s = "";
        int grc = json_get_string(root, texts[i], NULL, 0, &s, why, sizeof why);
        if (grc != SZ_OK && grc != SZ_ERR_NOT_FOUND) {
            rc = rig_fail(&c, "%s", why);
            goto fail;
        }
        snprintf(dst[i], cap[i], "%s", grc == SZ_OK ? s : "");
    }
    const cJSON *canvas = cJSON_GetObjectItemCaseSensitive(root, "canvas");
    float wh[2];
    if (!canvas) {
        rc = rig_fail(&c, "canvas: is required ([width, height] of the design space)");
        goto fail;
    }
    rc = rig_vec(&c, canvas, 2, "canvas", "[width, height]", wh);
    if (rc != SZ_OK)
        goto fail;
    if (!(wh[0] >= 16 && wh[1] >= 16 && wh[0] <= 16384 && wh[1] <= 16384)) {
        rc = rig_fail(&c, "canvas: width and height must be 16 to 16384");
        goto fail;
    }
    r->canvas_w = wh[0];
    r->canvas_h = wh[1];
    rc = rig_paints(&c, root);
    if (rc == SZ_OK)
        rc = rig_groups(&c, root);
    if (rc == SZ_OK)
        rc = rig_parts(&c, root);
    if (rc != SZ_OK)
        goto fail;
    cJSON_Delete(root);
    *out = r;
    return SZ_OK;
fail:
    if (rc == SZ_ERR_NO_MEMORY)
        snprintf(err, errlen, "%s: out of memory", c.label);
    cJSON_Delete(root);
    rig_free(&r);
    return rc;
}

int rig_load_file(const char *path, avatar_rig **out, char *err, size_t errlen)
{
    if (out)
        *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
        return errno == ENOENT ? SZ_ERR_NOT_FOUND : SZ_ERR_IO;
    }
    char *buf;
    size_t n;
    int rc = file_read_all(f, path, JSON_MAX_FILE_BYTES, &buf, &n, err, errlen);
    if (rc == SZ_ERR_FORMAT)
        snprintf(err, errlen, "%s: file too large (limit %u bytes)", path, JSON_MAX_FILE_BYTES);
    if (rc != SZ_OK)
        return rc;
    rc = rig_load_text(buf, n, path, out, err, errlen);
    free(buf);
    return rc;
}

void rig_free(avatar_rig **rp)
{
    if (!rp || !*rp)
        return;
    avatar_rig *r = *rp;
    if (r->groups)
        for (int i = 0; i < r->n_groups; i++)
            free(r->groups[i].drives);
    if (r->parts) {
        for (int i = 0; i < r->n_parts; i++) {
            rig_part *p = &r->parts[i];
            rig_shape_free(&p->shape);
            for (int k = 0; k < p->n_morphs; k++)
                free(p->morphs[k].delta);
            free(p->morphs);
            free(p->drives);
        }
    }
    free(r->paints);
    free(r->groups);
    free(r->parts);
    free(r);
    *rp = NULL;
}
