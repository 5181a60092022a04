/* SPDX-License-Identifier: Apache-2.0 */
/* renderer.c: draws a 2D rig (rig.h) with cairo into a scene. At open the
 * static parts are drawn once into cached layers: the background (colour,
 * image or transparency, with every static part of the root group below the
 * first moving part) and one layer per run of static parts whose group only
 * translates (composited at a whole-pixel offset). Each frame evaluates the
 * controls, the group transforms, the morphs, and draws the moving parts;
 * buffers are sized at open, so nothing is allocated per frame. */
#include <cairo.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "avatar/avatar.h"
#include "avatar/avatar_kind.h"
#include "avatar/card_internal.h"
#include "avatar/image.h"
#include "avatar/rig.h"
#include "avatar/subtitle.h"
#include "core/json.h"
#include "core/log.h"
#include "shuzi.h"

#define AV_MIN_SIZE 64
#define AV_MAX_SIZE 4096
#define AV_N_TARGETS 4 /* caller buffers we keep a cairo context for */
#define AV_KAPPA 0.5522847498

typedef enum { AV_ITEM_PART = 0, AV_ITEM_LAYER } av_item_kind;

typedef struct av_item {
    av_item_kind kind;
    int part;               /* AV_ITEM_PART */
    int group;              /* AV_ITEM_LAYER: whose translation moves it (-1: none) */
    cairo_surface_t *layer; /* AV_ITEM_LAYER */
    int lx, ly;             /* the layer's frame position at rest */
} av_item;

typedef struct av_target {
    uint8_t *data;
    int stride;
    cairo_surface_t *surface;
    cairo_t *cr;
} av_target;

struct avatar_renderer {
    const avatar_kind *kind; /* another kind of avatar (avatar_kind.h), or NULL: a 2D rig */
    void *kind_state;
    avatar_rig *rig;
    int width, height;
    cairo_matrix_t canvas; /* canvas -> frame */
    double scale;          /* canvas units -> pixels */
    float controls[RIG_C_COUNT];
    cairo_matrix_t *group_m;  /* per group: group-local -> canvas, this frame */
    cairo_matrix_t *group_rest;
    int *group_moves;         /* 0 static, 1 translates only, 2 rotates or scales */
    float *shape, *clip_shape; /* scratch for morphed shapes */
    cairo_pattern_t **patterns; /* per paint; NULL for solid colours */
    av_item *items;
    int n_items;
    cairo_surface_t *background;
    cairo_surface_t *overlay;
    int overlay_x, overlay_y;
    double box_cx, box_cy, box_w; /* the overlay box, frame fractions (product cards) */
    const avatar_card *card;      /* the product card shown, NULL none */
    cairo_surface_t *card_fit;    /* it, drawn at its place in the box */
    int card_x, card_y;
    avatar_subs *subs;
    av_target targets[AV_N_TARGETS];
    int next_target;
};

static void av_err(char *err, size_t errlen, const char *fmt, ...) SZ_PRINTF(3, 4);

static void av_err(char *err, size_t errlen, const char *fmt, ...)
{
    if (!err || errlen == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

/* ---- evaluation ------------------------------------------------------- */

typedef struct av_local {
    double tx, ty, rot, sx, sy, opacity;
} av_local;

static av_local av_drives(const rig_drive *d, int n, const float *controls)
{
    av_local l = {0, 0, 0, 1, 1, 0};
    for (int i = 0; i < n; i++) {
        double v = rig_input_value(&d[i].in, controls);
        l.tx += v * d[i].tx;
        l.ty += v * d[i].ty;
        l.rot += v * d[i].rotate;
        l.sx += v * d[i].sx;
        l.sy += v * d[i].sy;
        l.opacity += v * d[i].opacity;
    }
    return l;
}

/* m = m * T(anchor + t) * T(pivot) * R * S * T(-pivot) */
static void av_apply(cairo_matrix_t *m, double ax, double ay, double px, double py,
                     const av_local *l)
{
    cairo_matrix_translate(m, ax + l->tx, ay + l->ty);
    if (l->rot != 0.0 || l->sx != 1.0 || l->sy != 1.0) {
        cairo_matrix_translate(m, px, py);
        if (l->rot != 0.0)
            cairo_matrix_rotate(m, l->rot);
        if (l->sx != 1.0 || l->sy != 1.0)
            cairo_matrix_scale(m, fabs(l->sx) < 1e-4 ? 1e-4 : l->sx,
                               fabs(l->sy) < 1e-4 ? 1e-4 : l->sy);
        cairo_matrix_translate(m, -px, -py);
    }
}

static void av_eval_groups(avatar_renderer *r, cairo_matrix_t *out)
{
    const avatar_rig *rig = r->rig;
    for (int g = 0; g < rig->n_groups; g++) {
        const rig_group *gr = &rig->groups[g];
        cairo_matrix_t m;
        if (gr->parent >= 0)
            m = out[gr->parent];
        else
            cairo_matrix_init_identity(&m);
        av_local l = av_drives(gr->drives, gr->n_drives, r->controls);
        av_apply(&m, gr->ax, gr->ay, gr->px, gr->py, &l);
        out[g] = m;
    }
}

/* The part's matrix (part-local -> frame) and its opacity this frame. */
static double av_part_matrix(const avatar_renderer *r, const rig_part *p, cairo_matrix_t *m)
{
    cairo_matrix_t g;
    if (p->group >= 0)
        g = r->group_m[p->group];
    else
        cairo_matrix_init_identity(&g);
    av_local l = av_drives(p->drives, p->n_drives, r->controls);
    av_apply(&g, p->ax, p->ay, p->px, p->py, &l);
    cairo_matrix_multiply(m, &g, &r->canvas);
    double o = p->opacity + l.opacity;
    return o < 0.0 ? 0.0 : o > 1.0 ? 1.0 : o;
}

/* The part's shape with its morphs applied, into buf. */
static const float *av_part_shape(const avatar_renderer *r, const rig_part *p, float *buf)
{
    if (p->n_morphs == 0)
        return p->shape.vals;
    int n = p->shape.n_vals;
    memcpy(buf, p->shape.vals, (size_t)n * sizeof *buf);
    for (int k = 0; k < p->n_morphs; k++) {
        float w = rig_input_value(&p->morphs[k].in, r->controls);
        if (w == 0.0f)
            continue;
        const float *d = p->morphs[k].delta;
        for (int i = 0; i < n; i++)
            buf[i] += w * d[i];
    }
    return buf;
}

static void av_emit(cairo_t *cr, const rig_shape *s, const float *v)
{
    cairo_new_path(cr);
    if (s->kind == RIG_SHAPE_PATH) {
        const float *p = v;
        for (int i = 0; i < s->n_ops; i++) {
            switch (s->ops[i]) {
            case RIG_OP_MOVE: cairo_move_to(cr, p[0], p[1]); p += 2; break;
            case RIG_OP_LINE: cairo_line_to(cr, p[0], p[1]); p += 2; break;
            case RIG_OP_CURVE: cairo_curve_to(cr, p[0], p[1], p[2], p[3], p[4], p[5]); p += 6; break;
            default: cairo_close_path(cr); break;
            }
        }
    } else if (s->kind == RIG_SHAPE_ELLIPSE) {
        double cx = v[0], cy = v[1], rx = fabs(v[2]), ry = fabs(v[3]);
        double kx = AV_KAPPA * rx, ky = AV_KAPPA * ry;
        cairo_move_to(cr, cx + rx, cy);
        cairo_curve_to(cr, cx + rx, cy + ky, cx + kx, cy + ry, cx, cy + ry);
        cairo_curve_to(cr, cx - kx, cy + ry, cx - rx, cy + ky, cx - rx, cy);
        cairo_curve_to(cr, cx - rx, cy - ky, cx - kx, cy - ry, cx, cy - ry);
        cairo_curve_to(cr, cx + kx, cy - ry, cx + rx, cy - ky, cx + rx, cy);
        cairo_close_path(cr);
    } else {
        double x = v[0], y = v[1], w = fabs(v[2]), h = fabs(v[3]);
        double rad = fabs(v[4]);
        if (rad > 0.5 * w)
            rad = 0.5 * w;
        if (rad > 0.5 * h)
            rad = 0.5 * h;
        if (rad <= 0.0) {
            cairo_rectangle(cr, x, y, w, h);
            return;
        }
        double k = (1.0 - AV_KAPPA) * rad;
        cairo_move_to(cr, x + rad, y);
        cairo_line_to(cr, x + w - rad, y);
        cairo_curve_to(cr, x + w - k, y, x + w, y + k, x + w, y + rad);
        cairo_line_to(cr, x + w, y + h - rad);
        cairo_curve_to(cr, x + w, y + h - k, x + w - k, y + h, x + w - rad, y + h);
        cairo_line_to(cr, x + rad, y + h);
        cairo_curve_to(cr, x + k, y + h, x, y + h - k, x, y + h - rad);
        cairo_line_to(cr, x, y + rad);
        cairo_curve_to(cr, x, y + k, x + k, y, x + rad, y);
        cairo_close_path(cr);
    }
}

static void av_source(const avatar_renderer *r, cairo_t *cr, int paint, double alpha)
{
    const rig_paint *p = &r->rig->paints[paint];
    if (p->kind == RIG_PAINT_SOLID)
        cairo_set_source_rgba(cr, p->rgba[0], p->rgba[1], p->rgba[2], p->rgba[3] * alpha);
    else
        cairo_set_source(cr, r->patterns[paint]);
}

static void av_draw_part(avatar_renderer *r, cairo_t *cr, int index)
{
    const rig_part *p = &r->rig->parts[index];
    cairo_matrix_t m;
    double alpha = av_part_matrix(r, p, &m);
    if (alpha <= 0.002)
        return;
    cairo_save(cr);
    if (p->clip >= 0) {
        const rig_part *c = &r->rig->parts[p->clip];
        cairo_matrix_t cm;
        av_part_matrix(r, c, &cm);
        cairo_set_matrix(cr, &cm);
        av_emit(cr, &c->shape, av_part_shape(r, c, r->clip_shape));
        cairo_clip(cr);
    }
    cairo_set_matrix(cr, &m);
    const float *v = av_part_shape(r, p, r->shape);
    av_emit(cr, &p->shape, v);
    if (p->fill >= 0) {
        int solid = r->rig->paints[p->fill].kind == RIG_PAINT_SOLID;
        if (solid || alpha >= 0.999) {
            av_source(r, cr, p->fill, alpha);
            if (p->stroke >= 0)
                cairo_fill_preserve(cr);
            else
                cairo_fill(cr);
        } else {
            /* a gradient fading: clip to the shape and paint with alpha */
            cairo_save(cr);
            cairo_clip_preserve(cr);
            av_source(r, cr, p->fill, 1.0);
            cairo_paint_with_alpha(cr, alpha);
            cairo_restore(cr);
        }
    }
    if (p->stroke >= 0) {
        static const cairo_line_cap_t caps[] = {CAIRO_LINE_CAP_BUTT, CAIRO_LINE_CAP_ROUND,
                                                CAIRO_LINE_CAP_SQUARE};
        static const cairo_line_join_t joins[] = {CAIRO_LINE_JOIN_MITER, CAIRO_LINE_JOIN_ROUND,
                                                  CAIRO_LINE_JOIN_BEVEL};
        cairo_set_line_width(cr, p->stroke_width);
        cairo_set_line_cap(cr, caps[p->cap]);
        cairo_set_line_join(cr, joins[p->join]);
        int solid = r->rig->paints[p->stroke].kind == RIG_PAINT_SOLID;
        if (solid || alpha >= 0.999) {
            av_source(r, cr, p->stroke, alpha);
            cairo_stroke(cr);
        } else {
            cairo_push_group(cr);
            av_source(r, cr, p->stroke, 1.0);
            cairo_stroke(cr);
            cairo_pop_group_to_source(cr);
            cairo_identity_matrix(cr);
            cairo_paint_with_alpha(cr, alpha);
        }
    }
    cairo_new_path(cr);
    cairo_restore(cr);
}

/* ---- classification and cached layers ----------------------------------- */

static int av_drives_move(const rig_drive *d, int n)
{
    int moves = 0;
    for (int i = 0; i < n; i++) {
        if (d[i].rotate != 0.0f || d[i].sx != 0.0f || d[i].sy != 0.0f)
            return 2;
        if (d[i].tx != 0.0f || d[i].ty != 0.0f)
            moves = 1;
    }
    return moves;
}

static void av_classify_groups(avatar_renderer *r)
{
    const avatar_rig *rig = r->rig;
    for (int g = 0; g < rig->n_groups; g++) {
        int m = av_drives_move(rig->groups[g].drives, rig->groups[g].n_drives);
        int parent = rig->groups[g].parent >= 0 ? r->group_moves[rig->groups[g].parent] : 0;
        r->group_moves[g] = m > parent ? m : parent;
    }
}

/* A part that never changes relative to its group and whose group at most
 * translates: it can live in a layer drawn once and moved whole. */
static int av_part_static(const avatar_renderer *r, int index)
{
    const rig_part *p = &r->rig->parts[index];
    if (p->n_morphs || p->n_drives)
        return 0;
    if (p->clip >= 0) {
        const rig_part *c = &r->rig->parts[p->clip];
        if (c->group != p->group || c->n_morphs || c->n_drives)
            return 0;
    }
    /* a turning group's parts are drawn as vectors each frame: resampling a
     * cached layer through a rotation costs more in pixman than drawing them */
    return p->group < 0 || r->group_moves[p->group] < 2;
}

/* The translation of a group this frame relative to rest, in whole pixels. */
static void av_group_shift(const avatar_renderer *r, int group, int *dx, int *dy)
{
    *dx = *dy = 0;
    if (group < 0 || r->group_moves[group] == 0)
        return;
    double ox = r->group_m[group].x0 - r->group_rest[group].x0;
    double oy = r->group_m[group].y0 - r->group_rest[group].y0;
    *dx = (int)lround(ox * r->scale);
    *dy = (int)lround(oy * r->scale);
}

/* How far (pixels) a translating group can move from rest. */
static double av_group_reach(const avatar_renderer *r, int group)
{
    double reach = 0.0;
    for (int g = group; g >= 0; g = r->rig->groups[g].parent) {
        const rig_group *gr = &r->rig->groups[g];
        for (int i = 0; i < gr->n_drives; i++) {
            const rig_input *in = &gr->drives[i].in;
            double vmax = in->map == RIG_MAP_CLAMP ? fmax(fabs(in->lo), fabs(in->hi)) : 1.0;
            reach += fabs(in->gain) * vmax * hypot(gr->drives[i].tx, gr->drives[i].ty);
        }
    }
    return reach * r->scale + 2.0;
}

/* Bounding box in frame pixels of parts [a, b) at rest. */
static void av_extents(avatar_renderer *r, cairo_t *cr, int a, int b, double *x0, double *y0,
                       double *x1, double *y1)
{
    *x0 = *y0 = 1e9;
    *x1 = *y1 = -1e9;
    for (int i = a; i < b; i++) {
        const rig_part *p = &r->rig->parts[i];
        cairo_matrix_t m;
        av_part_matrix(r, p, &m);
        cairo_set_matrix(cr, &m);
        av_emit(cr, &p->shape, p->shape.vals);
        cairo_identity_matrix(cr);
        double e[4];
        cairo_path_extents(cr, &e[0], &e[1], &e[2], &e[3]);
        cairo_new_path(cr);
        double pad = 2.0 + (p->stroke >= 0 ? p->stroke_width * r->scale * 4.0 : 0.0);
        *x0 = fmin(*x0, e[0] - pad);
        *y0 = fmin(*y0, e[1] - pad);
        *x1 = fmax(*x1, e[2] + pad);
        *y1 = fmax(*y1, e[3] + pad);
    }
}

static int av_build_layer(avatar_renderer *r, cairo_t *probe, int a, int b, av_item *it)
{
    int group = r->rig->parts[a].group;
    double reach = group >= 0 && r->group_moves[group] ? av_group_reach(r, group) : 0.0;
    double x0, y0, x1, y1;
    av_extents(r, probe, a, b, &x0, &y0, &x1, &y1);
    x0 = fmax(x0, -reach);
    y0 = fmax(y0, -reach);
    x1 = fmin(x1, r->width + reach);
    y1 = fmin(y1, r->height + reach);
    it->kind = AV_ITEM_LAYER;
    it->group = group;
    it->lx = (int)floor(x0);
    it->ly = (int)floor(y0);
    int w = (int)ceil(x1) - it->lx, h = (int)ceil(y1) - it->ly;
    if (w < 1 || h < 1)
        w = h = 1; /* entirely off-frame */
    it->layer = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, w, h);
    if (cairo_surface_status(it->layer) != CAIRO_STATUS_SUCCESS)
        return SZ_ERR_NO_MEMORY;
    cairo_t *cr = cairo_create(it->layer);
    cairo_translate(cr, -it->lx, -it->ly);
    cairo_matrix_t keep = r->canvas;
    cairo_matrix_t shift;
    cairo_matrix_init_translate(&shift, -it->lx, -it->ly);
    cairo_matrix_multiply(&r->canvas, &keep, &shift);
    for (int i = a; i < b; i++)
        av_draw_part(r, cr, i);
    r->canvas = keep;
    int st = cairo_status(cr);
    cairo_destroy(cr);
    return st == CAIRO_STATUS_SUCCESS ? SZ_OK : SZ_ERR_NO_MEMORY;
}

int avatar_scene_background(const avatar_config *cfg, int width, int height,
                            cairo_surface_t **out, char *err, size_t errlen)
{
    *out = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, width, height);
    if (cairo_surface_status(*out) != CAIRO_STATUS_SUCCESS) {
        cairo_surface_destroy(*out);
        *out = NULL;
        av_err(err, errlen, "avatar: out of memory for a %dx%d background", width, height);
        return SZ_ERR_NO_MEMORY;
    }
    cairo_t *cr = cairo_create(*out);
    int rc = SZ_OK;
    if (cfg->transparent) {
        cairo_set_operator(cr, CAIRO_OPERATOR_CLEAR);
        cairo_paint(cr);
        cairo_set_operator(cr, CAIRO_OPERATOR_OVER);
    } else {
        uint32_t rgb = cfg->background_rgb;
        cairo_set_source_rgb(cr, ((rgb >> 16) & 0xFF) / 255.0, ((rgb >> 8) & 0xFF) / 255.0,
                             (rgb & 0xFF) / 255.0);
        cairo_paint(cr);
        if (cfg->background_image && cfg->background_image[0]) {
            cairo_surface_t *img = NULL, *fit = NULL;
            rc = image_load(cfg->background_image, &img, err, errlen);
            if (rc == SZ_OK)
                rc = image_fit(img, width, height, 1, &fit);
            if (rc == SZ_OK) {
                cairo_set_source_surface(cr, fit, 0, 0);
                cairo_paint(cr);
            } else if (rc == SZ_ERR_NO_MEMORY) {
                av_err(err, errlen, "background image %s: out of memory", cfg->background_image);
            }
            if (img)
                cairo_surface_destroy(img);
            if (fit)
                cairo_surface_destroy(fit);
        }
    }
    if (rc == SZ_OK && cairo_status(cr) != CAIRO_STATUS_SUCCESS) {
        av_err(err, errlen, "avatar: out of memory drawing the background");
        rc = SZ_ERR_NO_MEMORY;
    }
    cairo_destroy(cr);
    cairo_surface_flush(*out);
    return rc;
}

static int av_build_background(avatar_renderer *r, const avatar_config *cfg, int n_bottom,
                               char *err, size_t errlen)
{
    int rc = avatar_scene_background(cfg, r->width, r->height, &r->background, err, errlen);
    if (rc != SZ_OK)
        return rc;
    cairo_t *cr = cairo_create(r->background);
    for (int i = 0; i < n_bottom; i++)
        av_draw_part(r, cr, i);
    if (cairo_status(cr) != CAIRO_STATUS_SUCCESS)
        rc = SZ_ERR_NO_MEMORY;
    cairo_destroy(cr);
    return rc;
}

/* Where the overlay box is: the overlay image and product cards go there. */
static void av_set_box(avatar_renderer *r, const avatar_config *cfg)
{
    r->box_cx = cfg->overlay_x > 0 ? cfg->overlay_x : 0.89;
    r->box_cy = cfg->overlay_y > 0 ? cfg->overlay_y : 0.42;
    r->box_w = cfg->overlay_w > 0 ? cfg->overlay_w : 0.2;
}

static int av_build_overlay(avatar_renderer *r, const avatar_config *cfg, char *err,
                            size_t errlen)
{
    double cx = cfg->overlay_x > 0 ? cfg->overlay_x : 0.89;
    double cy = cfg->overlay_y > 0 ? cfg->overlay_y : 0.42;
    double fw = cfg->overlay_w > 0 ? cfg->overlay_w : 0.2;
    cairo_surface_t *img = NULL;
    int rc = image_load(cfg->overlay_image, &img, err, errlen);
    if (rc != SZ_OK)
        return rc;
    int iw = cairo_image_surface_get_width(img), ih = cairo_image_surface_get_height(img);
    int w = (int)lround(fw * r->width);
    int h = (int)lround((double)w * ih / iw);
    if (w < 1 || h < 1 || w > 2 * AV_MAX_SIZE || h > 2 * AV_MAX_SIZE) {
        cairo_surface_destroy(img);
        av_err(err, errlen, "overlay %s: a %dx%d image at width %.2f gives %dx%d pixels",
               cfg->overlay_image, iw, ih, fw, w, h);
        return SZ_ERR_INVALID_ARG;
    }
    rc = image_fit(img, w, h, 0, &r->overlay);
    cairo_surface_destroy(img);
    if (rc != SZ_OK) {
        av_err(err, errlen, "overlay %s: out of memory", cfg->overlay_image);
        return rc;
    }
    r->overlay_x = (int)lround(cx * r->width - 0.5 * w);
    r->overlay_y = (int)lround(cy * r->height - 0.5 * h);
    return SZ_OK;
}

static int av_build_patterns(avatar_renderer *r)
{
    const avatar_rig *rig = r->rig;
    for (int i = 0; i < rig->n_paints; i++) {
        const rig_paint *p = &rig->paints[i];
        if (p->kind == RIG_PAINT_SOLID)
            continue;
        const float *g = p->geom;
        cairo_pattern_t *pat = p->kind == RIG_PAINT_LINEAR ?
            cairo_pattern_create_linear(g[0], g[1], g[2], g[3]) :
            cairo_pattern_create_radial(g[0], g[1], g[2], g[3], g[4], g[5]);
        for (int k = 0; k < p->n_stops; k++)
            cairo_pattern_add_color_stop_rgba(pat, p->stops[k][0], p->stops[k][1], p->stops[k][2],
                                              p->stops[k][3], p->stops[k][4]);
        r->patterns[i] = pat;
        if (cairo_pattern_status(pat) != CAIRO_STATUS_SUCCESS)
            return SZ_ERR_NO_MEMORY;
    }
    return SZ_OK;
}

/* Splits the parts into the background, cached layers and per-frame parts. */
static int av_build_items(avatar_renderer *r, const avatar_config *cfg, char *err, size_t errlen)
{
    const avatar_rig *rig = r->rig;
    int n = rig->n_parts;
    /* the background takes the static parts of unmoving groups at the bottom */
    int bottom = 0;
    while (bottom < n && av_part_static(r, bottom) &&
           (rig->parts[bottom].group < 0 || r->group_moves[rig->parts[bottom].group] == 0))
        bottom++;
    int rc = av_build_background(r, cfg, bottom, err, errlen);
    if (rc != SZ_OK)
        return rc;
    r->items = calloc((size_t)(n - bottom + 1), sizeof *r->items);
    if (!r->items)
        return SZ_ERR_NO_MEMORY;
    cairo_surface_t *ps = cairo_image_surface_create(CAIRO_FORMAT_A8, 1, 1);
    cairo_t *probe = cairo_create(ps);
    for (int i = bottom; i < n && rc == SZ_OK;) {
        av_item *it = &r->items[r->n_items++];
        if (!av_part_static(r, i)) {
            it->kind = AV_ITEM_PART;
            it->part = i;
            i++;
            continue;
        }
        int j = i + 1;
        while (j < n && av_part_static(r, j) && rig->parts[j].group == rig->parts[i].group)
            j++;
        rc = av_build_layer(r, probe, i, j, it);
        i = j;
    }
    cairo_destroy(probe);
    cairo_surface_destroy(ps);
    return rc;
}

/* ---- public ------------------------------------------------------------ */

const char *avatar_rig_name(const avatar_renderer *r)
{
    if (r && r->kind)
        return r->kind->name(r->kind_state);
    return r && r->rig ? r->rig->name : "";
}

const avatar_kind *avatar_kind_of_manifest(const char *path)
{
    static const avatar_kind *const kinds[] = {&avatar_photo_kind};
    char err[256];
    cJSON *root = json_load_file(path, err, sizeof err);
    if (!root)
        return NULL; /* the 2D rig loader says what is wrong with it */
    const cJSON *f = cJSON_GetObjectItemCaseSensitive(root, "format");
    const avatar_kind *kind = NULL;
    for (size_t i = 0; cJSON_IsString(f) && i < sizeof kinds / sizeof kinds[0]; i++)
        if (strcmp(f->valuestring, kinds[i]->format) == 0)
            kind = kinds[i];
    cJSON_Delete(root);
    return kind;
}

/* Opens another kind of avatar: its state draws the scene and the avatar,
 * this renderer the overlay and subtitles. */
static int av_open_kind(const avatar_config *cfg, const avatar_kind *kind, const char *path,
                        avatar_renderer **out, char *err, size_t errlen)
{
    avatar_renderer *r = calloc(1, sizeof *r);
    if (!r) {
        av_err(err, errlen, "avatar: out of memory");
        return SZ_ERR_NO_MEMORY;
    }
    r->kind = kind;
    r->width = cfg->width;
    r->height = cfg->height;
    av_set_box(r, cfg);
    int rc = kind->open(cfg, path, &r->kind_state, err, errlen);
    if (rc == SZ_OK && cfg->overlay_image && cfg->overlay_image[0])
        rc = av_build_overlay(r, cfg, err, errlen);
    if (rc == SZ_OK && cfg->subtitles)
        rc = subs_open(cfg->width, cfg->height, cfg->subtitle_font, &r->subs, err, errlen);
    if (rc != SZ_OK) {
        avatar_free(&r);
        return rc;
    }
    *out = r;
    return SZ_OK;
}

/* The frame size, placement and overlay box of a config. */
static int av_check_cfg(const avatar_config *cfg, char *err, size_t errlen)
{
    int w = cfg->width, h = cfg->height;
    if (w < AV_MIN_SIZE || w > AV_MAX_SIZE || h < AV_MIN_SIZE || h > AV_MAX_SIZE || (w % 2) ||
        (h % 2)) {
        av_err(err, errlen,
               "avatar frame size %dx%d is not supported: width and height must be even numbers "
               "from %d to %d", w, h, AV_MIN_SIZE, AV_MAX_SIZE);
        return SZ_ERR_INVALID_ARG;
    }
    float ax = cfg->avatar_x, ay = cfg->avatar_y, sc = cfg->avatar_scale;
    if (ax == 0.0f && ay == 0.0f)
        ax = 0.5f, ay = 1.0f;
    if (sc == 0.0f)
        sc = 1.0f;
    if (!(ax >= -1.0f && ax <= 2.0f && ay >= -1.0f && ay <= 3.0f) || !(sc >= 0.1f && sc <= 10.0f)) {
        av_err(err, errlen, "avatar position %.2f,%.2f or scale %.2f out of range (position "
                            "-1..2 x -1..3 frame fractions, scale 0.1..10)", ax, ay, sc);
        return SZ_ERR_INVALID_ARG;
    }
    if (cfg->overlay_image && (!(cfg->overlay_x >= 0.0f && cfg->overlay_x <= 1.0f) ||
                               !(cfg->overlay_y >= 0.0f && cfg->overlay_y <= 1.0f) ||
                               !(cfg->overlay_w >= 0.0f && cfg->overlay_w <= 1.0f))) {
        av_err(err, errlen, "overlay position and width are frame fractions from 0 to 1");
        return SZ_ERR_INVALID_ARG;
    }
    return SZ_OK;
}

int avatar_open(const avatar_config *cfg, avatar_renderer **out, char *err, size_t errlen)
{
    char spare[8];
    if (!err || errlen == 0) {
        err = spare;
        errlen = sizeof spare;
    }
    if (out)
        *out = NULL;
    if (!cfg || !out) {
        av_err(err, errlen, "avatar_open: config and output pointer are required");
        return SZ_ERR_INVALID_ARG;
    }
    if (av_check_cfg(cfg, err, errlen) != SZ_OK)
        return SZ_ERR_INVALID_ARG;
    char path[1200];
    int rc = avatar_resolve(cfg->assets_dir, cfg->avatar, path, sizeof path, err, errlen);
    if (rc != SZ_OK)
        return rc;
    const avatar_kind *kind = avatar_kind_of_manifest(path);
    if (kind)
        return av_open_kind(cfg, kind, path, out, err, errlen);
    avatar_rig *rig = NULL;
    rc = rig_load_file(path, &rig, err, errlen);
    if (rc != SZ_OK)
        return rc;
    return avatar_open_rig(cfg, rig, out, err, errlen);
}

int avatar_open_rig(const avatar_config *cfg, avatar_rig *loaded, avatar_renderer **out,
                    char *err, size_t errlen)
{
    char spare[8];
    if (!err || errlen == 0) {
        err = spare;
        errlen = sizeof spare;
    }
    if (out)
        *out = NULL;
    if (!cfg || !out || !loaded) {
        rig_free(&loaded);
        av_err(err, errlen, "avatar_open_rig: config, rig and output pointer are required");
        return SZ_ERR_INVALID_ARG;
    }
    if (av_check_cfg(cfg, err, errlen) != SZ_OK) {
        rig_free(&loaded);
        return SZ_ERR_INVALID_ARG;
    }
    int w = cfg->width, h = cfg->height, rc;
    float ax = cfg->avatar_x, ay = cfg->avatar_y, sc = cfg->avatar_scale;
    if (ax == 0.0f && ay == 0.0f)
        ax = 0.5f, ay = 1.0f;
    if (sc == 0.0f)
        sc = 1.0f;
    avatar_renderer *r = calloc(1, sizeof *r);
    if (!r) {
        rig_free(&loaded);
        av_err(err, errlen, "avatar: out of memory");
        return SZ_ERR_NO_MEMORY;
    }
    r->rig = loaded;
    const avatar_rig *rig = r->rig;
    r->width = w;
    r->height = h;
    av_set_box(r, cfg);
    r->scale = fmin(w / rig->canvas_w, h / rig->canvas_h) * sc;
    cairo_matrix_init_translate(&r->canvas, ax * w - 0.5 * rig->canvas_w * r->scale,
                                ay * h - rig->canvas_h * r->scale);
    cairo_matrix_scale(&r->canvas, r->scale, r->scale);
    int ng = rig->n_groups > 0 ? rig->n_groups : 1;
    r->group_m = calloc((size_t)ng, sizeof *r->group_m);
    r->group_rest = calloc((size_t)ng, sizeof *r->group_rest);
    r->group_moves = calloc((size_t)ng, sizeof *r->group_moves);
    r->shape = calloc((size_t)rig->max_vals + 1, sizeof *r->shape);
    r->clip_shape = calloc((size_t)rig->max_vals + 1, sizeof *r->clip_shape);
    r->patterns = calloc((size_t)rig->n_paints + 1, sizeof *r->patterns);
    rc = SZ_ERR_NO_MEMORY;
    if (!r->group_m || !r->group_rest || !r->group_moves || !r->shape || !r->clip_shape ||
        !r->patterns)
        goto fail;
    rig_controls_from_face(NULL, r->controls);
    av_eval_groups(r, r->group_rest);
    memcpy(r->group_m, r->group_rest, (size_t)ng * sizeof *r->group_m);
    av_classify_groups(r);
    rc = av_build_patterns(r);
    if (rc != SZ_OK)
        goto fail;
    err[0] = 0;
    rc = av_build_items(r, cfg, err, errlen);
    if (rc != SZ_OK) {
        if (err[0])
            goto fail_quiet;
        goto fail;
    }
    if (cfg->overlay_image && cfg->overlay_image[0]) {
        rc = av_build_overlay(r, cfg, err, errlen);
        if (rc != SZ_OK)
            goto fail_quiet;
    }
    if (cfg->subtitles) {
        rc = subs_open(w, h, cfg->subtitle_font, &r->subs, err, errlen);
        if (rc != SZ_OK)
            goto fail_quiet;
    }
    *out = r;
    return SZ_OK;
fail:
    av_err(err, errlen, "avatar: out of memory building the %dx%d layers", w, h);
fail_quiet:
    avatar_free(&r);
    return rc;
}

/* The cairo context drawing into this caller buffer; made once per buffer. */
static cairo_t *av_target_for(avatar_renderer *r, sz_video_frame *frame)
{
    for (int i = 0; i < AV_N_TARGETS; i++) {
        av_target *t = &r->targets[i];
        if (t->cr && t->data == frame->data && t->stride == frame->stride) {
            cairo_surface_mark_dirty(t->surface);
            return t->cr;
        }
    }
    av_target *t = &r->targets[r->next_target];
    r->next_target = (r->next_target + 1) % AV_N_TARGETS;
    if (t->cr)
        cairo_destroy(t->cr);
    if (t->surface)
        cairo_surface_destroy(t->surface);
    *t = (av_target){0};
    cairo_surface_t *s = cairo_image_surface_create_for_data(frame->data, CAIRO_FORMAT_ARGB32,
                                                             r->width, r->height, frame->stride);
    if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS) {
        cairo_surface_destroy(s);
        return NULL;
    }
    cairo_t *cr = cairo_create(s);
    if (cairo_status(cr) != CAIRO_STATUS_SUCCESS) {
        cairo_destroy(cr);
        cairo_surface_destroy(s);
        return NULL;
    }
    *t = (av_target){frame->data, frame->stride, s, cr};
    return cr;
}

int avatar_render(avatar_renderer *r, const sz_face *face, sz_video_frame *frame)
{
    if (!r || !frame || !frame->data || frame->format != SZ_PIX_BGRA || frame->width != r->width ||
        frame->height != r->height)
        return SZ_ERR_INVALID_ARG;
    if (frame->stride < cairo_format_stride_for_width(CAIRO_FORMAT_ARGB32, r->width) ||
        (frame->stride % 4) != 0)
        return SZ_ERR_INVALID_ARG;
    cairo_t *cr = av_target_for(r, frame);
    if (!cr)
        return SZ_ERR_NO_MEMORY;
    rig_controls_from_face(face, r->controls);
    cairo_save(cr);
    if (r->kind) {
        int rc = r->kind->render(r->kind_state, r->controls, frame, cr);
        if (rc != SZ_OK) {
            cairo_restore(cr);
            return rc;
        }
        cairo_surface_mark_dirty(cairo_get_target(cr));
        goto scene_top;
    }
    av_eval_groups(r, r->group_m);

    cairo_set_operator(cr, CAIRO_OPERATOR_SOURCE);
    cairo_set_source_surface(cr, r->background, 0, 0);
    cairo_paint(cr);
    cairo_set_operator(cr, CAIRO_OPERATOR_OVER);
    for (int i = 0; i < r->n_items; i++) {
        const av_item *it = &r->items[i];
        if (it->kind == AV_ITEM_PART) {
            av_draw_part(r, cr, it->part);
        } else {
            int dx, dy;
            av_group_shift(r, it->group, &dx, &dy);
            cairo_identity_matrix(cr);
            cairo_set_source_surface(cr, it->layer, it->lx + dx, it->ly + dy);
            cairo_paint(cr);
        }
    }
scene_top:
    cairo_identity_matrix(cr);
    if (r->card_fit) { /* a product card takes the overlay's place */
        cairo_set_source_surface(cr, r->card_fit, r->card_x, r->card_y);
        cairo_paint(cr);
    } else if (r->overlay) {
        cairo_set_source_surface(cr, r->overlay, r->overlay_x, r->overlay_y);
        cairo_paint(cr);
    }
    subs_draw(r->subs, cr);
    cairo_restore(cr);

    cairo_surface_flush(cairo_get_target(cr));
    if (cairo_status(cr) != CAIRO_STATUS_SUCCESS) {
        /* a context in error stays so: drop it, the next frame makes a new one */
        for (int i = 0; i < AV_N_TARGETS; i++) {
            if (r->targets[i].cr == cr) {
                cairo_destroy(cr);
                cairo_surface_destroy(r->targets[i].surface);
                r->targets[i] = (av_target){0};
            }
        }
        return SZ_ERR_INTERNAL;
    }
    return SZ_OK;
}

/* The card: a light panel the overlay box wide, the image fitted inside it
 * (at most 60% of the frame high), centred on the box and kept in the frame. */
static int av_build_card(avatar_renderer *r, const avatar_card *card)
{
    int iw = cairo_image_surface_get_width(card->image);
    int ih = cairo_image_surface_get_height(card->image);
    int bw = (int)lround(r->box_w * r->width);
    int pad = bw / 16 > 2 ? bw / 16 : 2;
    int fw = bw - 2 * pad, fh = (int)lround((double)fw * ih / iw);
    int max_h = (int)(0.6 * r->height) - 2 * pad;
    if (fh > max_h) {
        fh = max_h;
        fw = (int)lround((double)fh * iw / ih);
    }
    if (fw < 1 || fh < 1)
        return SZ_ERR_INVALID_ARG; /* a box too small to show anything */
    int cw = fw + 2 * pad, ch = fh + 2 * pad;
    cairo_surface_t *fit = NULL;
    int rc = image_fit(card->image, fw, fh, 0, &fit);
    cairo_surface_t *panel = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, cw, ch);
    cairo_t *cr = cairo_create(panel);
    double rad = pad * 1.5;
    cairo_new_sub_path(cr);
    cairo_arc(cr, cw - rad, rad, rad, -M_PI / 2, 0);
    cairo_arc(cr, cw - rad, ch - rad, rad, 0, M_PI / 2);
    cairo_arc(cr, rad, ch - rad, rad, M_PI / 2, M_PI);
    cairo_arc(cr, rad, rad, rad, M_PI, 1.5 * M_PI);
    cairo_close_path(cr);
    cairo_set_source_rgba(cr, 0.97, 0.97, 0.96, 0.94);
    cairo_fill(cr);
    if (rc == SZ_OK) {
        cairo_set_source_surface(cr, fit, pad, pad);
        cairo_paint(cr);
    }
    if (rc == SZ_OK && cairo_status(cr) != CAIRO_STATUS_SUCCESS)
        rc = SZ_ERR_NO_MEMORY;
    cairo_destroy(cr);
    if (fit)
        cairo_surface_destroy(fit);
    if (rc != SZ_OK) {
        cairo_surface_destroy(panel);
        return rc;
    }
    int x = (int)lround(r->box_cx * r->width - 0.5 * cw);
    int y = (int)lround(r->box_cy * r->height - 0.5 * ch);
    r->card_x = x < 0 ? 0 : x + cw > r->width ? r->width - cw : x;
    r->card_y = y < 0 ? 0 : y + ch > r->height ? r->height - ch : y;
    r->card_fit = panel;
    return SZ_OK;
}

int avatar_set_card(avatar_renderer *r, const avatar_card *card)
{
    if (!r)
        return SZ_ERR_INVALID_ARG;
    if (card == r->card)
        return SZ_OK;
    if (r->card_fit)
        cairo_surface_destroy(r->card_fit);
    r->card_fit = NULL;
    r->card = NULL;
    if (!card)
        return SZ_OK;
    int rc = av_build_card(r, card);
    if (rc == SZ_OK)
        r->card = card;
    return rc;
}

int avatar_set_subtitle(avatar_renderer *r, const char *text, float progress)
{
    if (!r)
        return SZ_ERR_INVALID_ARG;
    if (!r->subs)
        return SZ_ERR_UNSUPPORTED;
    return subs_set(r->subs, text, progress);
}

void avatar_subtitle_layout(const avatar_renderer *r, int *n_lines, int *n_pages, int *page)
{
    subs_layout_info(r ? r->subs : NULL, n_lines, n_pages, page);
}

void avatar_free(avatar_renderer **pr)
{
    if (!pr || !*pr)
        return;
    avatar_renderer *r = *pr;
    if (r->kind && r->kind_state)
        r->kind->destroy(r->kind_state);
    for (int i = 0; i < AV_N_TARGETS; i++) {
        if (r->targets[i].cr)
            cairo_destroy(r->targets[i].cr);
        if (r->targets[i].surface)
            cairo_surface_destroy(r->targets[i].surface);
    }
    for (int i = 0; i < r->n_items; i++)
        if (r->items[i].layer)
            cairo_surface_destroy(r->items[i].layer);
    free(r->items);
    if (r->background)
        cairo_surface_destroy(r->background);
    if (r->overlay)
        cairo_surface_destroy(r->overlay);
    if (r->card_fit)
        cairo_surface_destroy(r->card_fit);
    subs_free(&r->subs);
    if (r->patterns && r->rig)
        for (int i = 0; i < r->rig->n_paints; i++)
            if (r->patterns[i])
                cairo_pattern_destroy(r->patterns[i]);
    free(r->patterns);
    free(r->group_m);
    free(r->group_rest);
    free(r->group_moves);
    free(r->shape);
    free(r->clip_shape);
    rig_free(&r->rig);
    free(r);
    *pr = NULL;
}
