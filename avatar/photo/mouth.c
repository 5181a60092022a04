/* SPDX-License-Identifier: Apache-2.0 */
/* mouth.c: the inside of the mouth (mouth.h). The teeth are drawn once per
 * renderer into small textures: a row of individual teeth whose width
 * narrows toward the corners as the arch turns away, each with a gradient
 * from the gum to a slightly translucent biting edge, dark gaps between
 * them, and the row darkening into the mouth's depth at the sides. */
#include "avatar/photo/mouth.h"

#include <math.h>
#include <stdlib.h>

struct photo_mouth {
    double mw;
    cairo_surface_t *upper, *lower;
    int uw, uh, lw, lh;
};

/* One row of teeth: the biting edge at the bottom (upper) or top (lower). */
static cairo_surface_t *mouth_teeth(int w, int h, int upper)
{
    cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, w, h);
    cairo_t *cr = cairo_create(s);
    /* relative widths from the middle out: incisors, laterals, canines, premolars */
    static const double rel[] = {1.0, 0.78, 0.7, 0.6, 0.5};
    double total = 0;
    for (int i = 0; i < 5; i++)
        total += 2 * rel[i];
    double unit = w / total;
    double x = 0.5 * w;
    for (int side = -1; side <= 1; side += 2) {
        double at = x;
        for (int i = 0; i < 5; i++) {
            double tw = rel[i] * unit * (upper ? 1.0 : 0.82);
            double x0 = side < 0 ? at - tw : at, x1 = side < 0 ? at : at + tw;
            at = side < 0 ? x0 : x1;
            double depth = (double)i / 4.0; /* 0 in the middle, 1 at the back */
            double len = h * (upper ? (i == 0 ? 1.0 : 0.93 - 0.05 * i) : (0.95 - 0.06 * i));
            double r = 0.28 * tw;
            double y0 = upper ? 0 : h - len, y1 = upper ? len : h;
            cairo_new_path(cr);
            if (upper) {
                cairo_move_to(cr, x0 + 0.5, y0);
                cairo_line_to(cr, x1 - 0.5, y0);
                cairo_line_to(cr, x1 - 0.5, y1 - r);
                cairo_curve_to(cr, x1 - 0.5, y1, x1 - r, y1, 0.5 * (x0 + x1), y1);
                cairo_curve_to(cr, x0 + r, y1, x0 + 0.5, y1, x0 + 0.5, y1 - r);
            } else {
                cairo_move_to(cr, x0 + 0.5, y1);
                cairo_line_to(cr, x1 - 0.5, y1);
                cairo_line_to(cr, x1 - 0.5, y0 + r);
                cairo_curve_to(cr, x1 - 0.5, y0, x1 - r, y0, 0.5 * (x0 + x1), y0);
                cairo_curve_to(cr, x0 + r, y0, x0 + 0.5, y0, x0 + 0.5, y0 + r);
            }
            cairo_close_path(cr);
            double shade = (upper ? 0.84 : 0.66) * (1.0 - 0.6 * depth);
            cairo_pattern_t *g = cairo_pattern_create_linear(0, upper ? 0 : h, 0, upper ? h : 0);
            cairo_pattern_add_color_stop_rgb(g, 0.0, 0.74 * shade, 0.62 * shade, 0.55 * shade);
            cairo_pattern_add_color_stop_rgb(g, 0.3, 0.90 * shade, 0.85 * shade, 0.77 * shade);
            cairo_pattern_add_color_stop_rgb(g, 0.82, 0.94 * shade, 0.90 * shade, 0.83 * shade);
            cairo_pattern_add_color_stop_rgb(g, 1.0, 0.78 * shade, 0.78 * shade, 0.78 * shade);
            cairo_set_source(cr, g);
            cairo_fill_preserve(cr);
            cairo_pattern_destroy(g);
            /* a soft highlight down the middle of the front teeth */
            if (i < 2) {
                cairo_pattern_t *hl = cairo_pattern_create_linear(x0, 0, x1, 0);
                cairo_pattern_add_color_stop_rgba(hl, 0.0, 1, 1, 1, 0.0);
                cairo_pattern_add_color_stop_rgba(hl, 0.45, 1, 1, 1, 0.18);
                cairo_pattern_add_color_stop_rgba(hl, 1.0, 1, 1, 1, 0.0);
                cairo_set_source(cr, hl);
                cairo_fill_preserve(cr);
                cairo_pattern_destroy(hl);
            }
            cairo_set_source_rgba(cr, 0.35, 0.25, 0.22, 0.35);
            cairo_set_line_width(cr, fmax(0.5, 0.03 * tw));
            cairo_stroke(cr);
        }
    }
    /* the gum along the root side */
    cairo_pattern_t *gum =
        cairo_pattern_create_linear(0, upper ? 0 : h, 0, upper ? 0.2 * h : 0.8 * h);
    cairo_pattern_add_color_stop_rgba(gum, 0.0, 0.62, 0.30, 0.32, 1.0);
    cairo_pattern_add_color_stop_rgba(gum, 1.0, 0.62, 0.30, 0.32, 0.0);
    cairo_set_operator(cr, CAIRO_OPERATOR_ATOP);
    cairo_set_source(cr, gum);
    cairo_paint(cr);
    cairo_pattern_destroy(gum);
    cairo_destroy(cr);
    cairo_surface_flush(s);
    return s;
}

int photo_mouth_open(double mouth_width, photo_mouth **out)
{
    *out = NULL;
    photo_mouth *m = calloc(1, sizeof *m);
    if (!m)
        return -1;
    m->mw = mouth_width;
    m->uw = (int)ceil(0.86 * mouth_width) + 2;
    m->uh = (int)ceil(0.26 * mouth_width) + 2;
    m->lw = (int)ceil(0.78 * mouth_width) + 2;
    m->lh = (int)ceil(0.2 * mouth_width) + 2;
    m->upper = mouth_teeth(m->uw, m->uh, 1);
    m->lower = mouth_teeth(m->lw, m->lh, 0);
    if (cairo_surface_status(m->upper) != CAIRO_STATUS_SUCCESS ||
        cairo_surface_status(m->lower) != CAIRO_STATUS_SUCCESS) {
        photo_mouth_free(&m);
        return -1;
    }
    *out = m;
    return 0;
}

void photo_mouth_free(photo_mouth **pm)
{
    if (!pm || !*pm)
        return;
    photo_mouth *m = *pm;
    if (m->upper)
        cairo_surface_destroy(m->upper);
    if (m->lower)
        cairo_surface_destroy(m->lower);
    free(m);
    *pm = NULL;
}

void photo_mouth_draw(const photo_mouth *m, cairo_t *cr, const photo_mouth_pose *p)
{
    if (p->n < 3)
        return;
    double cx = 0, cy = 0;
    for (int i = 0; i < p->n; i++) {
        cx += p->outline[2 * i] / p->n;
        cy += p->outline[2 * i + 1] / p->n;
    }
    cairo_save(cr);
    cairo_new_path(cr);
    /* the outline grown by half a pixel from its centre */
    for (int i = 0; i < p->n; i++) {
        double x = p->outline[2 * i], y = p->outline[2 * i + 1];
        double dx = x - cx, dy = y - cy, d = hypot(dx, dy);
        if (d > 1e-6) {
            x += 0.5 * dx / d;
            y += 0.5 * dy / d;
        }
        if (i == 0)
            cairo_move_to(cr, x, y);
        else
            cairo_line_to(cr, x, y);
    }
    cairo_close_path(cr);
    cairo_clip(cr);
    double mw = m->mw;
    /* the cavity: dark, a little warmer in the middle */
    cairo_pattern_t *cav = cairo_pattern_create_radial(cx, cy + 0.05 * mw, 0, cx, cy, 0.55 * mw);
    cairo_pattern_add_color_stop_rgb(cav, 0.0, 0.20, 0.06, 0.07);
    cairo_pattern_add_color_stop_rgb(cav, 1.0, 0.06, 0.015, 0.02);
    cairo_set_source(cr, cav);
    cairo_paint(cr);
    cairo_pattern_destroy(cav);
    /* the tongue: low in the mouth, its tip rising toward the upper teeth */
    double ty =
        p->lower_teeth[1] - 0.04 * mw - p->tongue * (p->lower_teeth[1] - p->upper_teeth[1]) * 0.85;
    cairo_save(cr);
    cairo_translate(cr, p->lower_teeth[0], ty + 0.16 * mw);
    cairo_rotate(cr, p->angle);
    cairo_scale(cr, 0.34 * mw, 0.17 * mw);
    cairo_arc(cr, 0, 0, 1, 0, 2 * M_PI);
    cairo_restore(cr);
    cairo_pattern_t *tg = cairo_pattern_create_radial(p->lower_teeth[0], ty + 0.05 * mw, 0,
                                                      p->lower_teeth[0], ty + 0.16 * mw, 0.34 * mw);
    cairo_pattern_add_color_stop_rgb(tg, 0.0, 0.50, 0.23, 0.25);
    cairo_pattern_add_color_stop_rgb(tg, 1.0, 0.26, 0.08, 0.10);
    cairo_set_source(cr, tg);
    cairo_fill(cr);
    cairo_pattern_destroy(tg);
    /* teeth: the upper row hangs from the upper jaw, the lower rides the jaw */
    cairo_save(cr);
    cairo_translate(cr, p->lower_teeth[0], p->lower_teeth[1]);
    cairo_rotate(cr, p->angle);
    cairo_set_source_surface(cr, m->lower, -0.5 * m->lw, 0);
    cairo_paint(cr);
    cairo_restore(cr);
    cairo_save(cr);
    cairo_translate(cr, p->upper_teeth[0], p->upper_teeth[1]);
    cairo_rotate(cr, p->angle);
    cairo_set_source_surface(cr, m->upper, -0.5 * m->uw, -m->uh);
    cairo_paint(cr);
    cairo_restore(cr);
    /* shade: the lips' shadow at the top and the depth at the corners */
    cairo_pattern_t *sh = cairo_pattern_create_radial(cx, cy, 0.12 * mw, cx, cy, 0.55 * mw);
    cairo_pattern_add_color_stop_rgba(sh, 0.0, 0, 0, 0, 0.0);
    cairo_pattern_add_color_stop_rgba(sh, 1.0, 0.05, 0.0, 0.0, 0.75);
    cairo_set_source(cr, sh);
    cairo_paint(cr);
    cairo_pattern_destroy(sh);
    double top = cy;
    for (int i = 0; i < p->n; i++)
        top = fmin(top, p->outline[2 * i + 1]);
    cairo_pattern_t *ls = cairo_pattern_create_linear(0, top, 0, top + 0.08 * mw);
    cairo_pattern_add_color_stop_rgba(ls, 0.0, 0.08, 0.02, 0.02, 0.55);
    cairo_pattern_add_color_stop_rgba(ls, 1.0, 0.05, 0.0, 0.0, 0.0);
    cairo_set_source(cr, ls);
    cairo_paint(cr);
    cairo_pattern_destroy(ls);
    cairo_restore(cr);
}
