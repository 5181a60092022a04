/* cairo_face.c: the first avatar renderer, a 2D presenter drawn with cairo.
 * Designed in a 1280x720 reference space, scaled and centred to the frame.
 * The background and the body are drawn once at open into cached layers;
 * each frame copies them (the body shifted for breathing) and draws only the
 * head and face on top. */
#include <cairo.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "avatar/avatar.h"
#include "shuzi.h"

#define CFACE_REF_W 1280.0
#define CFACE_REF_H 720.0
#define CFACE_MIN_SIZE 64
#define CFACE_MAX_SIZE 4096
/* Head origin in the reference space; head-local units are reference pixels. */
#define CFACE_HEAD_X 640.0
#define CFACE_HEAD_Y 282.0
#define CFACE_ROLL_PIVOT_Y 205.0 /* head-local: the base of the neck */
#define CFACE_BREATH_PX 3.0      /* shoulder rise at breath = 1 */
#define CFACE_YAW_PX 130.0       /* feature shift per radian of yaw */
#define CFACE_PITCH_PX 110.0     /* feature shift per radian of pitch */
#define CFACE_N_TARGETS 4        /* caller buffers we keep a cairo context for */
#define CFACE_PI 3.14159265358979323846

typedef struct cface_rgb {
    double r, g, b;
} cface_rgb;

static const cface_rgb CFACE_SKIN = {0.97, 0.82, 0.71};
static const cface_rgb CFACE_SKIN_SHADE = {0.90, 0.70, 0.59};
static const cface_rgb CFACE_SKIN_LINE = {0.72, 0.49, 0.40};
static const cface_rgb CFACE_NECK = {0.91, 0.73, 0.62};
static const cface_rgb CFACE_HAIR = {0.24, 0.16, 0.12};
static const cface_rgb CFACE_HAIR_LIGHT = {0.42, 0.29, 0.20};
static const cface_rgb CFACE_LIP_UP = {0.78, 0.47, 0.45};
static const cface_rgb CFACE_LIP_LO = {0.84, 0.55, 0.52};
static const cface_rgb CFACE_LIP_LINE = {0.56, 0.29, 0.29};
static const cface_rgb CFACE_CAVITY = {0.27, 0.07, 0.09};
static const cface_rgb CFACE_TEETH = {0.97, 0.96, 0.92};
static const cface_rgb CFACE_TONGUE = {0.80, 0.39, 0.41};
static const cface_rgb CFACE_EYE_WHITE = {0.98, 0.97, 0.95};
static const cface_rgb CFACE_LASH = {0.15, 0.10, 0.08};
static const cface_rgb CFACE_PUPIL = {0.05, 0.03, 0.03};
static const cface_rgb CFACE_SUIT = {0.17, 0.19, 0.25};
static const cface_rgb CFACE_SUIT_LIGHT = {0.25, 0.28, 0.35};
static const cface_rgb CFACE_SUIT_EDGE = {0.10, 0.11, 0.15};
static const cface_rgb CFACE_SHIRT = {0.95, 0.96, 0.98};
static const cface_rgb CFACE_SHIRT_SHADE = {0.80, 0.83, 0.88};
static const cface_rgb CFACE_TIE = {0.16, 0.33, 0.58};
static const cface_rgb CFACE_TIE_DARK = {0.11, 0.23, 0.42};

static const char *const cface_names[] = {"default", NULL};

typedef struct cface_target {
    uint8_t *data;
    int stride;
    cairo_surface_t *surface;
    cairo_t *cr;
} cface_target;

struct avatar_renderer {
    int width, height;
    double scale, off_x, off_y;  /* reference space -> frame */
    cairo_surface_t *background; /* the whole frame */
    cairo_surface_t *body;       /* shoulders, suit, neck; transparent elsewhere */
    int body_top;                /* frame row of the body layer's row 0 at rest */
    /* Patterns in head-local units, made once. */
    cairo_pattern_t *skin;
    cairo_pattern_t *hair;
    cairo_pattern_t *iris; /* centred on the origin */
    cairo_pattern_t *blush;
    cface_target targets[CFACE_N_TARGETS];
    int next_target;
};

/* Face parameters, clamped, with what the pose derives. */
typedef struct cface_pose {
    double jaw, spread, round, close, teeth_lip, tongue;
    double blink, gaze_x, gaze_y;
    double yaw, pitch, roll, breath;
    double happy, angry, sad, surprised;
    double fx, fy; /* facial feature shift from yaw and pitch, head-local */
} cface_pose;

static void cface_err(char *err, size_t errlen, const char *fmt, ...)
{
    if (!err || errlen == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

static double cface_clamp(double v, double lo, double hi)
{
    if (isnan(v))
        v = 0.0;
    return v < lo ? lo : v > hi ? hi : v;
}

static double cface_lerp(double a, double b, double t)
{
    return a + (b - a) * t;
}

static cface_rgb cface_mix(cface_rgb a, cface_rgb b, double t)
{
    return (cface_rgb){cface_lerp(a.r, b.r, t), cface_lerp(a.g, b.g, t), cface_lerp(a.b, b.b, t)};
}

static void cface_set(cairo_t *cr, cface_rgb c, double alpha)
{
    if (alpha >= 1.0)
        cairo_set_source_rgb(cr, c.r, c.g, c.b);
    else
        cairo_set_source_rgba(cr, c.r, c.g, c.b, alpha);
}

static void cface_stop(cairo_pattern_t *p, double off, cface_rgb c, double alpha)
{
    cairo_pattern_add_color_stop_rgba(p, off, c.r, c.g, c.b, alpha);
}

static void cface_ellipse(cairo_t *cr, double cx, double cy, double rx, double ry)
{
    cairo_save(cr);
    cairo_translate(cr, cx, cy);
    cairo_scale(cr, rx, ry);
    cairo_new_sub_path(cr);
    cairo_arc(cr, 0.0, 0.0, 1.0, 0.0, 2.0 * CFACE_PI);
    cairo_restore(cr);
}

static void cface_pose_from(cface_pose *p, const sz_face *f)
{
    static const sz_face neutral;
    if (!f)
        f = &neutral;
    p->jaw = cface_clamp(f->jaw_open, 0.0, 1.0);
    p->spread = cface_clamp(f->lip_spread, 0.0, 1.0);
    p->round = cface_clamp(f->lip_round, 0.0, 1.0);
    p->close = cface_clamp(f->lip_close, 0.0, 1.0);
    p->teeth_lip = cface_clamp(f->teeth_lip, 0.0, 1.0);
    p->tongue = cface_clamp(f->tongue, 0.0, 1.0);
    p->blink = cface_clamp(f->blink, 0.0, 1.0);
    p->gaze_x = cface_clamp(f->gaze_x, -1.0, 1.0);
    p->gaze_y = cface_clamp(f->gaze_y, -1.0, 1.0);
    p->yaw = cface_clamp(f->head_yaw, -0.35, 0.35);
    p->pitch = cface_clamp(f->head_pitch, -0.35, 0.35);
    p->roll = cface_clamp(f->head_roll, -0.35, 0.35);
    p->breath = cface_clamp(f->breath, -1.0, 1.0);
    p->happy = cface_clamp(f->expression[EXPR_HAPPY], 0.0, 1.0);
    p->angry = cface_clamp(f->expression[EXPR_ANGRY], 0.0, 1.0);
    p->sad = cface_clamp(f->expression[EXPR_SAD], 0.0, 1.0);
    p->surprised = cface_clamp(f->expression[EXPR_SURPRISED], 0.0, 1.0);
    /* features slide with the pose, softly limited so they stay on the face */
    p->fx = 14.0 * tanh(CFACE_YAW_PX * p->yaw / 14.0);
    p->fy = 10.0 * tanh(CFACE_PITCH_PX * p->pitch / 10.0);
}

/* ---- cached layers ---------------------------------------------------- */

static void cface_draw_background(avatar_renderer *r, cairo_t *cr, uint32_t rgb)
{
    cface_rgb bg = {((rgb >> 16) & 0xFF) / 255.0, ((rgb >> 8) & 0xFF) / 255.0,
                    (rgb & 0xFF) / 255.0};
    cface_rgb white = {1.0, 1.0, 1.0};
    cface_set(cr, bg, 1.0);
    cairo_paint(cr);

    /* A soft light behind the presenter that fades to the exact background
     * colour before the nearest frame corner. */
    double cx = r->off_x + CFACE_HEAD_X * r->scale;
    double cy = r->off_y + (CFACE_HEAD_Y + 40.0) * r->scale;
    double dx = fmin(cx, r->width - cx), dy = fmin(cy, r->height - cy);
    double radius = 0.92 * sqrt(dx * dx + dy * dy);
    cairo_pattern_t *glow = cairo_pattern_create_radial(cx, cy, 0.0, cx, cy, radius);
    cface_stop(glow, 0.0, cface_mix(bg, white, 0.13), 1.0);
    cface_stop(glow, 0.5, cface_mix(bg, white, 0.06), 1.0);
    cface_stop(glow, 1.0, bg, 1.0);
    cairo_set_source(cr, glow);
    cairo_paint(cr);
    cairo_pattern_destroy(glow);
}

/* Reference-space body: suit, shirt, tie, neck. bottom: reference y below
 * which nothing shows. */
static void cface_draw_body(cairo_t *cr, double bottom)
{
    const double x = CFACE_HEAD_X;
    cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
    cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);

    /* neck, behind everything else of the body */
    cairo_move_to(cr, x - 46, 320);
    cairo_curve_to(cr, x - 46, 380, x - 50, 430, x - 56, 470);
    cairo_line_to(cr, x + 56, 470);
    cairo_curve_to(cr, x + 50, 430, x + 46, 380, x + 46, 320);
    cairo_close_path(cr);
    cface_set(cr, CFACE_NECK, 1.0);
    cairo_fill_preserve(cr);
    cairo_pattern_t *shadow = cairo_pattern_create_linear(0, 360, 0, 430);
    cface_stop(shadow, 0.0, CFACE_SKIN_LINE, 0.55);
    cface_stop(shadow, 1.0, CFACE_SKIN_LINE, 0.0);
    cairo_set_source(cr, shadow);
    cairo_fill(cr);
    cairo_pattern_destroy(shadow);

    /* suit: shoulders sloping from the neck into the arms */
    cairo_move_to(cr, x - 60, 448);
    cairo_curve_to(cr, x - 116, 468, x - 190, 478, x - 248, 500);
    cairo_curve_to(cr, x - 312, 524, x - 332, 590, x - 340, 680);
    cairo_line_to(cr, x - 350, bottom);
    cairo_line_to(cr, x + 350, bottom);
    cairo_line_to(cr, x + 340, 680);
    cairo_curve_to(cr, x + 332, 590, x + 312, 524, x + 248, 500);
    cairo_curve_to(cr, x + 190, 478, x + 116, 468, x + 60, 448);
    cairo_close_path(cr);
    cairo_pattern_t *suit = cairo_pattern_create_linear(0, 450, 0, 720);
    cface_stop(suit, 0.0, CFACE_SUIT_LIGHT, 1.0);
    cface_stop(suit, 0.45, CFACE_SUIT, 1.0);
    cface_stop(suit, 1.0, cface_mix(CFACE_SUIT, CFACE_SUIT_EDGE, 0.5), 1.0);
    cairo_set_source(cr, suit);
    cairo_fill(cr);
    cairo_pattern_destroy(suit);

    /* shirt front between the lapels */
    cairo_move_to(cr, x - 66, 446);
    cairo_line_to(cr, x + 66, 446);
    cairo_line_to(cr, x + 30, 590);
    cairo_line_to(cr, x, 640);
    cairo_line_to(cr, x - 30, 590);
    cairo_close_path(cr);
    cface_set(cr, CFACE_SHIRT, 1.0);
    cairo_fill(cr);

    /* collar band behind the neck, then the neck front over it */
    cairo_move_to(cr, x - 58, 452);
    cairo_curve_to(cr, x - 56, 430, x - 40, 424, x, 426);
    cairo_curve_to(cr, x + 40, 424, x + 56, 430, x + 58, 452);
    cairo_close_path(cr);
    cface_set(cr, CFACE_SHIRT_SHADE, 1.0);
    cairo_fill(cr);
    cairo_move_to(cr, x - 47, 400);
    cairo_curve_to(cr, x - 48, 430, x - 40, 470, x, 488);
    cairo_curve_to(cr, x + 40, 470, x + 48, 430, x + 47, 400);
    cairo_close_path(cr);
    cface_set(cr, CFACE_NECK, 1.0);
    cairo_fill_preserve(cr);
    cface_set(cr, CFACE_SKIN_LINE, 0.25);
    cairo_fill(cr);

    /* tie: knot and blade */
    cairo_move_to(cr, x - 15, 478);
    cairo_line_to(cr, x + 15, 478);
    cairo_line_to(cr, x + 10, 506);
    cairo_line_to(cr, x - 10, 506);
    cairo_close_path(cr);
    cface_set(cr, CFACE_TIE_DARK, 1.0);
    cairo_fill(cr);
    cairo_move_to(cr, x - 10, 506);
    cairo_line_to(cr, x + 10, 506);
    cairo_line_to(cr, x + 24, 650);
    cairo_line_to(cr, x, 676);
    cairo_line_to(cr, x - 24, 650);
    cairo_close_path(cr);
    cface_set(cr, CFACE_TIE, 1.0);
    cairo_fill(cr);
    /* diagonal stripes on the blade */
    cairo_save(cr);
    cairo_move_to(cr, x - 10, 506);
    cairo_line_to(cr, x + 10, 506);
    cairo_line_to(cr, x + 24, 650);
    cairo_line_to(cr, x, 676);
    cairo_line_to(cr, x - 24, 650);
    cairo_close_path(cr);
    cairo_clip(cr);
    for (double s = 500; s < 700; s += 22) {
        cairo_move_to(cr, x - 30, s);
        cairo_line_to(cr, x + 30, s + 26);
    }
    cairo_set_line_width(cr, 4.0);
    cface_set(cr, CFACE_TIE_DARK, 0.6);
    cairo_stroke(cr);
    cairo_restore(cr);

    /* collar wings over the tie knot */
    for (int side = -1; side <= 1; side += 2) {
        double s = side;
        cairo_move_to(cr, x + s * 50, 418);
        cairo_curve_to(cr, x + s * 58, 440, x + s * 62, 462, x + s * 60, 478);
        cairo_line_to(cr, x + s * 36, 530);
        cairo_line_to(cr, x + s * 8, 484);
        cairo_curve_to(cr, x + s * 30, 470, x + s * 46, 448, x + s * 50, 418);
        cairo_close_path(cr);
        cface_set(cr, CFACE_SHIRT, 1.0);
        cairo_fill_preserve(cr);
        cairo_set_line_width(cr, 1.6);
        cface_set(cr, CFACE_SHIRT_SHADE, 1.0);
        cairo_stroke(cr);
    }

    /* lapels: from the shoulder seam down to the jacket's V, with a notch */
    for (int side = -1; side <= 1; side += 2) {
        double s = side;
        cairo_move_to(cr, x + s * 70, 446);
        cairo_line_to(cr, x + s * 96, 470);
        cairo_line_to(cr, x + s * 118, 512); /* notch */
        cairo_line_to(cr, x + s * 102, 522);
        cairo_line_to(cr, x + s * 114, 540);
        cairo_curve_to(cr, x + s * 90, 600, x + s * 40, 660, x + s * 4, 704);
        cairo_line_to(cr, x + s * 2, 690);
        cairo_line_to(cr, x + s * 30, 592);
        cairo_line_to(cr, x + s * 66, 446);
        cairo_close_path(cr);
        cface_set(cr, CFACE_SUIT_LIGHT, 1.0);
        cairo_fill_preserve(cr);
        cairo_set_line_width(cr, 2.0);
        cface_set(cr, CFACE_SUIT_EDGE, 1.0);
        cairo_stroke(cr);
    }
    /* the jacket closes below the V */
    cairo_move_to(cr, x, 690);
    cairo_line_to(cr, x - 6, bottom);
    cairo_set_line_width(cr, 2.0);
    cface_set(cr, CFACE_SUIT_EDGE, 1.0);
    cairo_stroke(cr);
    cface_ellipse(cr, x + 14, 716, 5, 5);
    cface_set(cr, CFACE_SUIT_EDGE, 1.0);
    cairo_fill(cr);
}

static int cface_build_layers(avatar_renderer *r, uint32_t rgb)
{
    r->background = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, r->width, r->height);
    if (cairo_surface_status(r->background) != CAIRO_STATUS_SUCCESS)
        return SZ_ERR_NO_MEMORY;
    cairo_t *cr = cairo_create(r->background);
    cface_draw_background(r, cr, rgb);
    int st = cairo_status(cr);
    cairo_destroy(cr);
    if (st != CAIRO_STATUS_SUCCESS)
        return SZ_ERR_NO_MEMORY;

    /* The body layer reaches past the frame bottom by the breathing margin so
     * that lifting it never uncovers the background under the shoulders. */
    int margin = (int)ceil(CFACE_BREATH_PX * r->scale) + 2;
    r->body_top = (int)floor(r->off_y + (CFACE_HEAD_Y + 30.0) * r->scale) - margin;
    int h = r->height + margin - r->body_top;
    r->body = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, r->width, h);
    if (cairo_surface_status(r->body) != CAIRO_STATUS_SUCCESS)
        return SZ_ERR_NO_MEMORY;
    cr = cairo_create(r->body);
    cairo_translate(cr, r->off_x, r->off_y - r->body_top);
    cairo_scale(cr, r->scale, r->scale);
    cface_draw_body(cr, (r->height + margin - r->off_y) / r->scale + 10.0);
    st = cairo_status(cr);
    cairo_destroy(cr);
    return st == CAIRO_STATUS_SUCCESS ? SZ_OK : SZ_ERR_NO_MEMORY;
}

static int cface_build_patterns(avatar_renderer *r)
{
    r->skin = cairo_pattern_create_radial(-18, -30, 30, 0, 0, 175);
    cface_stop(r->skin, 0.0, CFACE_SKIN, 1.0);
    cface_stop(r->skin, 0.6, CFACE_SKIN, 1.0);
    cface_stop(r->skin, 1.0, CFACE_SKIN_SHADE, 1.0);

    r->hair = cairo_pattern_create_linear(-70, -185, 50, -40);
    cface_stop(r->hair, 0.0, CFACE_HAIR_LIGHT, 1.0);
    cface_stop(r->hair, 0.55, CFACE_HAIR, 1.0);
    cface_stop(r->hair, 1.0, cface_mix(CFACE_HAIR, CFACE_PUPIL, 0.4), 1.0);

    r->iris = cairo_pattern_create_radial(0, 0, 0, 0, 0, 11.5);
    cface_stop(r->iris, 0.0, (cface_rgb){0.58, 0.40, 0.22}, 1.0);
    cface_stop(r->iris, 0.65, (cface_rgb){0.43, 0.28, 0.15}, 1.0);
    cface_stop(r->iris, 1.0, (cface_rgb){0.20, 0.12, 0.07}, 1.0);

    r->blush = cairo_pattern_create_radial(0, 0, 0, 0, 0, 28);
    cface_stop(r->blush, 0.0, (cface_rgb){0.95, 0.55, 0.55}, 0.16);
    cface_stop(r->blush, 1.0, (cface_rgb){0.95, 0.55, 0.55}, 0.0);

    cairo_pattern_t *all[] = {r->skin, r->hair, r->iris, r->blush};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        if (cairo_pattern_status(all[i]) != CAIRO_STATUS_SUCCESS)
            return SZ_ERR_NO_MEMORY;
    return SZ_OK;
}

/* ---- the head, drawn per frame in head-local units --------------------- */

static void cface_face_path(cairo_t *cr, double chin_drop)
{
    double c = chin_drop, j = 0.45 * chin_drop;
    cairo_move_to(cr, 0, -152);
    cairo_curve_to(cr, 58, -152, 98, -120, 100, -56);
    cairo_curve_to(cr, 103, -4, 100, 38, 87, 78 + j);
    cairo_curve_to(cr, 72, 116 + j, 38, 139 + c, 0, 140 + c);
    cairo_curve_to(cr, -38, 139 + c, -72, 116 + j, -87, 78 + j);
    cairo_curve_to(cr, -100, 38, -103, -4, -100, -56);
    cairo_curve_to(cr, -98, -120, -58, -152, 0, -152);
    cairo_close_path(cr);
}

static void cface_draw_ears(cairo_t *cr, const cface_pose *p)
{
    for (int side = -1; side <= 1; side += 2) {
        double s = side;
        double ex = s * 99 - 0.4 * p->fx, ey = 14 + 0.5 * p->fy;
        cface_ellipse(cr, ex, ey, 15, 32);
        cface_set(cr, CFACE_SKIN_SHADE, 1.0);
        cairo_fill_preserve(cr);
        cairo_set_line_width(cr, 1.2);
        cface_set(cr, CFACE_SKIN_LINE, 0.5);
        cairo_stroke(cr);
        /* the inner fold */
        cairo_move_to(cr, ex + s * 1, ey - 20);
        cairo_curve_to(cr, ex + s * 11, ey - 18, ex + s * 11, ey + 8, ex + s * 2, ey + 16);
        cairo_set_line_width(cr, 2.2);
        cface_set(cr, CFACE_SKIN_LINE, 0.45);
        cairo_stroke(cr);
    }
}

static void cface_draw_cheeks(avatar_renderer *r, cairo_t *cr, const cface_pose *p)
{
    for (int side = -1; side <= 1; side += 2) {
        cairo_save(cr);
        cairo_translate(cr, side * 62 + p->fx, 36 + p->fy - 4.0 * p->happy);
        cairo_scale(cr, 1.0, 0.75);
        cairo_set_source(cr, r->blush);
        cairo_arc(cr, 0, 0, 28, 0, 2 * CFACE_PI);
        cairo_clip(cr);
        cairo_paint_with_alpha(cr, 0.8 + 0.9 * p->happy);
        cairo_restore(cr);
    }
}

static void cface_draw_nose(cairo_t *cr, const cface_pose *p)
{
    double x = 1.35 * p->fx, y = p->fy;
    /* soft shade down the side of the bridge */
    cairo_move_to(cr, x - 11, -6 + y);
    cairo_curve_to(cr, x - 12, 10 + y, x - 15, 28 + y, x - 16, 40 + y);
    cairo_set_line_width(cr, 3.0);
    cface_set(cr, CFACE_SKIN_LINE, 0.14);
    cairo_stroke(cr);
    /* shadow under the tip */
    cface_ellipse(cr, x, 60 + y, 15, 4);
    cface_set(cr, CFACE_SKIN_LINE, 0.10);
    cairo_fill(cr);
    /* tip highlight */
    cface_ellipse(cr, x + 2, 43 + y, 7, 6);
    cface_set(cr, (cface_rgb){1, 1, 1}, 0.13);
    cairo_fill(cr);
    /* alae and the base of the nose */
    cairo_move_to(cr, x - 15, 42 + y);
    cairo_curve_to(cr, x - 22, 47 + y, x - 19, 56 + y, x - 11, 56 + y);
    cairo_curve_to(cr, x - 6, 60 + y, x + 6, 60 + y, x + 11, 56 + y);
    cairo_curve_to(cr, x + 19, 56 + y, x + 22, 47 + y, x + 15, 42 + y);
    cairo_set_line_width(cr, 1.8);
    cface_set(cr, CFACE_SKIN_LINE, 0.55);
    cairo_stroke(cr);
    for (int side = -1; side <= 1; side += 2) {
        cface_ellipse(cr, x + side * 6.5, 55 + y, 3.6, 1.9);
        cface_set(cr, CFACE_SKIN_LINE, 0.6);
        cairo_fill(cr);
    }
}

/* Mouth geometry for one frame (head-local). */
typedef struct cface_mouth {
    double mx, cy;       /* centre x, corner y */
    double w, wi;        /* outer and inner half-widths */
    double up_in, lo_in; /* inner edges of the lips at the centre */
    double up_out, lo_out;
    double k; /* how far the inner curves keep their height toward the corners */
    double open;
} cface_mouth;

/* One inner contour from corner to corner through apex y at the centre. */
static void cface_inner_curve(cairo_t *cr, const cface_mouth *m, double apex, int dir)
{
    double cy = m->cy + (apex - m->cy) * 4.0 / 3.0;
    cairo_curve_to(cr, m->mx - dir * m->wi * m->k, cy, m->mx + dir * m->wi * m->k, cy,
                   m->mx + dir * m->wi, m->cy);
}

static void cface_draw_mouth(cairo_t *cr, const cface_pose *p, double chin_drop)
{
    cface_mouth m;
    double j = p->jaw, sp = p->spread, rd = p->round, cl = p->close, tl = p->teeth_lip;
    double my = 86 + p->fy;
    m.mx = p->fx;
    m.open = 26.0 * j * (1.0 - cl) * (1.0 - 0.75 * tl);
    m.w = 30.0 * (1.0 + 0.22 * sp - 0.34 * rd + 0.07 * p->happy - 0.04 * cl);
    m.wi = m.w * (0.9 - 0.32 * rd);
    m.k = 0.5 + 0.45 * rd;
    m.cy = my - 1.5 - 4.0 * p->happy + 3.0 * p->sad + 2.0 * p->angry + 0.15 * m.open;
    m.up_in = my - 0.14 * m.open - 1.5 * tl;
    m.lo_in = my + 0.86 * m.open - 0.5 * tl;
    double th_up = 8.5 * (1.0 + 0.4 * rd - 0.45 * cl);
    double th_lo = 11.0 * (1.0 + 0.35 * rd - 0.4 * cl - 0.35 * tl);
    m.up_out = m.up_in - th_up;
    m.lo_out = m.lo_in + th_lo;

    double x = m.mx, w = m.w;
    cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);

    /* cavity with teeth and tongue */
    if (m.open > 0.3) {
        cairo_move_to(cr, x - m.wi, m.cy);
        cface_inner_curve(cr, &m, m.up_in, 1);
        cface_inner_curve(cr, &m, m.lo_in, -1);
        cairo_close_path(cr);
        cairo_save(cr);
        cairo_clip_preserve(cr);
        cface_set(cr, CFACE_CAVITY, 1.0);
        cairo_fill(cr);
        double ty = cface_lerp(m.lo_in + 2.0, m.up_in + 0.45 * m.open, p->tongue);
        cface_ellipse(cr, x, ty + 0.2 * m.open, m.wi * 0.62, 0.32 * m.open + 3.0);
        cface_set(cr, CFACE_TONGUE, 1.0);
        cairo_fill(cr);
        double teeth_h = fmin(7.5, 2.0 + 0.45 * m.open);
        cairo_rectangle(cr, x - m.wi * 0.74, m.up_in - 4.0, 2 * m.wi * 0.74, teeth_h + 4.0);
        cface_set(cr, CFACE_TEETH, 1.0);
        cairo_fill(cr);
        /* a gap line between the front teeth */
        cairo_move_to(cr, x, m.up_in - 1);
        cairo_line_to(cr, x, m.up_in + teeth_h - 0.5);
        cairo_set_line_width(cr, 0.8);
        cface_set(cr, CFACE_SHIRT_SHADE, 0.9);
        cairo_stroke(cr);
        if (m.open > 14.0) {
            cairo_rectangle(cr, x - m.wi * 0.5, m.lo_in - 3.0, m.wi, 4.0);
            cface_set(cr, CFACE_TEETH, 0.85);
            cairo_fill(cr);
        }
        cairo_restore(cr);
    }

    /* upper lip: outer contour with a cupid's bow, back along the inner edge */
    double uo = m.up_out;
    cairo_move_to(cr, x - w, m.cy);
    cairo_curve_to(cr, x - 0.78 * w, m.cy - 0.45 * (m.cy - uo), x - 0.45 * w, uo, x - 0.2 * w,
                   uo - 0.8);
    cairo_curve_to(cr, x - 0.1 * w, uo - 1.0, x - 0.06 * w, uo + 1.6, x, uo + 1.8);
    cairo_curve_to(cr, x + 0.06 * w, uo + 1.6, x + 0.1 * w, uo - 1.0, x + 0.2 * w, uo - 0.8);
    cairo_curve_to(cr, x + 0.45 * w, uo, x + 0.78 * w, m.cy - 0.45 * (m.cy - uo), x + w, m.cy);
    cairo_line_to(cr, x + m.wi, m.cy);
    cface_inner_curve(cr, &m, m.up_in, -1);
    cairo_close_path(cr);
    cface_set(cr, CFACE_LIP_UP, 1.0);
    cairo_fill(cr);

    /* lower lip */
    double lo = m.lo_out, kc = 0.62 + 0.3 * rd;
    double lcy = m.cy + (lo - m.cy) * 4.0 / 3.0;
    cairo_move_to(cr, x - m.wi, m.cy);
    cface_inner_curve(cr, &m, m.lo_in, 1);
    cairo_line_to(cr, x + w, m.cy);
    cairo_curve_to(cr, x + w * kc, lcy, x - w * kc, lcy, x - w, m.cy);
    cairo_close_path(cr);
    cface_set(cr, CFACE_LIP_LO, 1.0);
    cairo_fill(cr);
    /* lower lip highlight */
    cface_ellipse(cr, x + 2, cface_lerp(m.lo_in, lo, 0.45), 0.35 * w, 0.16 * (lo - m.lo_in));
    cface_set(cr, (cface_rgb){1, 1, 1}, 0.14);
    cairo_fill(cr);

    /* f/v: the upper teeth rest on the tucked lower lip */
    if (tl > 0.05) {
        double th = 4.5 * tl;
        cairo_move_to(cr, x - m.wi * 0.62, m.up_in - 1.0);
        cairo_line_to(cr, x + m.wi * 0.62, m.up_in - 1.0);
        cairo_curve_to(cr, x + m.wi * 0.62, m.up_in + th, x + m.wi * 0.5, m.up_in + th, x,
                       m.up_in + th);
        cairo_curve_to(cr, x - m.wi * 0.5, m.up_in + th, x - m.wi * 0.62, m.up_in + th,
                       x - m.wi * 0.62, m.up_in - 1.0);
        cairo_close_path(cr);
        cface_set(cr, CFACE_TEETH, fmin(1.0, 1.5 * tl));
        cairo_fill(cr);
    }

    /* the line between the lips, strongest when closed */
    double seam = 1.0 - cface_clamp(m.open / 6.0, 0.0, 1.0);
    if (seam > 0.0) {
        cairo_move_to(cr, x - m.wi - 0.5, m.cy);
        cface_inner_curve(cr, &m, m.up_in + 0.3, 1);
        cairo_set_line_width(cr, 1.6 + 0.6 * cl);
        cface_set(cr, CFACE_LIP_LINE, 0.85 * seam);
        cairo_stroke(cr);
    }
    /* corners and the chin dimple below the lower lip */
    for (int side = -1; side <= 1; side += 2) {
        double s = side;
        cairo_move_to(cr, x + s * (w + 1.0), m.cy - 3.0 - 2.0 * p->happy);
        cairo_curve_to(cr, x + s * (w + 3.5), m.cy - 1.0, x + s * (w + 3.0), m.cy + 2.0,
                       x + s * (w + 1.0), m.cy + 3.0);
        cairo_set_line_width(cr, 1.4);
        cface_set(cr, CFACE_SKIN_LINE, 0.22 + 0.25 * p->happy);
        cairo_stroke(cr);
    }
    cairo_move_to(cr, x - 13, lo + 12 + 0.4 * chin_drop);
    cairo_curve_to(cr, x - 5, lo + 15 + 0.4 * chin_drop, x + 5, lo + 15 + 0.4 * chin_drop, x + 13,
                   lo + 12 + 0.4 * chin_drop);
    cairo_set_line_width(cr, 2.0);
    cface_set(cr, CFACE_SKIN_LINE, 0.14);
    cairo_stroke(cr);
}

/* Eye opening: from the inner corner along the (blinking) upper lid to the
 * outer corner, back along the lower lid. s = -1 left (viewer's), +1 right. */
typedef struct cface_eye {
    double ix, iy, ox, oy;     /* inner and outer corners */
    double u1x, u1y, u2x, u2y; /* upper lid controls, inner to outer */
    double l1x, l1y, l2x, l2y; /* lower lid controls, outer to inner */
} cface_eye;

static void cface_eye_geom(cface_eye *e, double ex, double ey, double s, const cface_pose *p)
{
    const double ew = 22.5, ue = 13.5;
    double le = 8.5 - 2.5 * p->happy;
    e->ix = ex - s * ew;
    e->iy = ey + 1.5;
    e->ox = ex + s * ew;
    e->oy = ey - 1.0;
    e->l1x = ex + s * ew * 0.5;
    e->l1y = ey + le * 4.0 / 3.0;
    e->l2x = ex - s * ew * 0.45;
    e->l2y = ey + le * 4.0 / 3.0;
    /* the open upper lid; closing moves it onto the lower lid */
    double ou1x = ex - s * ew * 0.5, ou1y = ey - ue * 4.0 / 3.0;
    double ou2x = ex + s * ew * 0.45, ou2y = ey - ue * 4.0 / 3.0 - 0.5;
    e->u1x = cface_lerp(ou1x, e->l2x, p->blink);
    e->u1y = cface_lerp(ou1y, e->l2y, p->blink);
    e->u2x = cface_lerp(ou2x, e->l1x, p->blink);
    e->u2y = cface_lerp(ou2y, e->l1y, p->blink);
}

static void cface_eye_upper(cairo_t *cr, const cface_eye *e)
{
    cairo_move_to(cr, e->ix, e->iy);
    cairo_curve_to(cr, e->u1x, e->u1y, e->u2x, e->u2y, e->ox, e->oy);
}

static void cface_draw_eye(avatar_renderer *r, cairo_t *cr, const cface_pose *p, int side)
{
    double s = side;
    double ex = s * 41.0 + p->fx, ey = -4.0 + p->fy;
    cface_eye e;
    cface_eye_geom(&e, ex, ey, s, p);

    /* crease above the lid */
    cairo_move_to(cr, ex - s * 17, ey - 16);
    cairo_curve_to(cr, ex - s * 8, ey - 23, ex + s * 10, ey - 23, ex + s * 21, ey - 14);
    cairo_set_line_width(cr, 1.3);
    cface_set(cr, CFACE_SKIN_LINE, 0.35);
    cairo_stroke(cr);

    if (p->blink < 0.98) {
        cface_eye_upper(cr, &e);
        cairo_curve_to(cr, e.l1x, e.l1y, e.l2x, e.l2y, e.ix, e.iy);
        cairo_close_path(cr);
        cairo_save(cr);
        cairo_clip_preserve(cr);
        cface_set(cr, CFACE_EYE_WHITE, 1.0);
        cairo_fill(cr);

        double gx = ex + 7.5 * p->gaze_x, gy = ey + 0.5 + 4.5 * p->gaze_y;
        cairo_save(cr);
        cairo_translate(cr, gx, gy);
        cairo_set_source(cr, r->iris);
        cairo_arc(cr, 0, 0, 11.5, 0, 2 * CFACE_PI);
        cairo_fill(cr);
        cairo_restore(cr);
        cface_ellipse(cr, gx, gy, 5.2, 5.2);
        cface_set(cr, CFACE_PUPIL, 1.0);
        cairo_fill(cr);
        cface_ellipse(cr, gx + 3.6, gy - 3.6, 2.4, 2.4);
        cface_set(cr, (cface_rgb){1, 1, 1}, 0.92);
        cairo_fill(cr);
        /* shadow of the upper lid on the eyeball */
        cface_eye_upper(cr, &e);
        cairo_set_line_width(cr, 7.0);
        cface_set(cr, CFACE_LASH, 0.22);
        cairo_stroke(cr);
        cairo_restore(cr);
    }

    /* lower lid */
    cairo_move_to(cr, e.ox, e.oy);
    cairo_curve_to(cr, e.l1x, e.l1y, e.l2x, e.l2y, e.ix, e.iy);
    cairo_set_line_width(cr, 1.1);
    cface_set(cr, CFACE_SKIN_LINE, 0.5);
    cairo_stroke(cr);
    /* lash line with a small flick at the outer corner */
    cface_eye_upper(cr, &e);
    cairo_line_to(cr, e.ox + s * 4.0, e.oy - 2.5);
    cairo_set_line_width(cr, 2.8);
    cface_set(cr, CFACE_LASH, 1.0);
    cairo_stroke(cr);
}

static void cface_draw_brow(cairo_t *cr, const cface_pose *p, int side)
{
    double s = side;
    double lift = 1.5 * p->happy + 7.0 * p->surprised;
    double inner = lift + 5.0 * p->sad - 5.0 * p->angry;
    double outer = lift - 1.5 * p->sad + 1.0 * p->angry;
    double xi = s * 15 + p->fx, yi = -37 + p->fy - inner;
    double xa = s * 42 + p->fx, ya = -43 + p->fy - lift - 1.0 * p->surprised;
    double xo = s * 68 + p->fx, yo = -36 + p->fy - outer;

    cairo_move_to(cr, xi, yi + 3.5);
    cairo_curve_to(cr, xi + s * 10, yi + 3.0, xa - s * 8, ya + 3.4, xa, ya + 3.2);
    cairo_curve_to(cr, xa + s * 10, ya + 3.0, xo - s * 7, yo + 1.6, xo, yo + 0.8);
    cairo_curve_to(cr, xo + s * 1.5, yo + 0.2, xo + s * 1.5, yo - 1.0, xo, yo - 1.2);
    cairo_curve_to(cr, xo - s * 8, yo - 3.0, xa + s * 10, ya - 4.0, xa, ya - 4.0);
    cairo_curve_to(cr, xa - s * 9, ya - 4.0, xi + s * 6, yi - 4.0, xi, yi - 3.2);
    cairo_curve_to(cr, xi - s * 3, yi - 2.0, xi - s * 3, yi + 2.4, xi, yi + 3.5);
    cairo_close_path(cr);
    cface_set(cr, CFACE_HAIR, 1.0);
    cairo_fill(cr);
}

static void cface_draw_hair(avatar_renderer *r, cairo_t *cr)
{
    /* the hair's shadow along the hairline */
    cairo_move_to(cr, -94, -30);
    cairo_curve_to(cr, -92, -70, -80, -98, -40, -104);
    cairo_curve_to(cr, 0, -104, 60, -96, 90, -60);
    cairo_set_line_width(cr, 9.0);
    cface_set(cr, CFACE_SKIN_LINE, 0.16);
    cairo_stroke(cr);

    /* outline: thin sideburns, short sides, volume on top */
    cairo_move_to(cr, -100, -6);
    cairo_curve_to(cr, -104, -36, -108, -66, -107, -92);
    cairo_curve_to(cr, -106, -140, -70, -174, -14, -177);
    cairo_curve_to(cr, 44, -180, 96, -158, 106, -112);
    cairo_curve_to(cr, 111, -84, 106, -40, 101, -6);
    cairo_line_to(cr, 95, -12);
    cairo_curve_to(cr, 94, -30, 92, -50, 88, -68);
    /* hairline: a side part on the viewer's left, the fringe swept right
     * with a little lift where it leaves the parting */
    cairo_curve_to(cr, 74, -90, 44, -104, 8, -106);
    cairo_curve_to(cr, -24, -108, -46, -104, -60, -110);
    cairo_curve_to(cr, -76, -104, -90, -80, -91, -50);
    cairo_curve_to(cr, -92, -34, -93, -22, -94, -12);
    cairo_close_path(cr);
    cairo_set_source(cr, r->hair);
    cairo_fill(cr);

    /* strands following the sweep */
    cairo_move_to(cr, -40, -166);
    cairo_curve_to(cr, 0, -164, 50, -152, 92, -118);
    cairo_move_to(cr, -40, -146);
    cairo_curve_to(cr, 0, -142, 40, -130, 76, -98);
    cairo_move_to(cr, -44, -126);
    cairo_curve_to(cr, -10, -124, 24, -116, 50, -104);
    cairo_move_to(cr, -74, -152);
    cairo_curve_to(cr, -92, -134, -100, -108, -102, -74);
    cairo_set_line_width(cr, 2.0);
    cface_set(cr, CFACE_HAIR_LIGHT, 0.5);
    cairo_stroke(cr);
    /* the parting */
    cairo_move_to(cr, -60, -110);
    cairo_curve_to(cr, -61, -128, -60, -146, -56, -164);
    cairo_set_line_width(cr, 1.8);
    cface_set(cr, CFACE_PUPIL, 0.4);
    cairo_stroke(cr);
}

static void cface_draw_head(avatar_renderer *r, cairo_t *cr, const cface_pose *p)
{
    double chin_drop = 13.0 * p->jaw;
    cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);
    cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
    cface_draw_ears(cr, p);
    cface_face_path(cr, chin_drop);
    cairo_set_source(cr, r->skin);
    cairo_fill_preserve(cr);
    cairo_set_line_width(cr, 1.5);
    cface_set(cr, CFACE_SKIN_LINE, 0.35);
    cairo_stroke(cr);
    cface_draw_cheeks(r, cr, p);
    cface_draw_nose(cr, p);
    cface_draw_mouth(cr, p, chin_drop);
    cface_draw_eye(r, cr, p, -1);
    cface_draw_eye(r, cr, p, 1);
    cface_draw_brow(cr, p, -1);
    cface_draw_brow(cr, p, 1);
    cface_draw_hair(r, cr);
}

/* ---- public ------------------------------------------------------------ */

const char *const *avatar_names(void)
{
    return cface_names;
}

int avatar_open(const avatar_config *cfg, avatar_renderer **out, char *err, size_t errlen)
{
    if (out)
        *out = NULL;
    if (!cfg || !out) {
        cface_err(err, errlen, "avatar_open: config and output pointer are required");
        return SZ_ERR_INVALID_ARG;
    }
    const char *name = cfg->avatar && cfg->avatar[0] ? cfg->avatar : "default";
    if (strcmp(name, "default") != 0) {
        cface_err(err, errlen, "unknown avatar '%s' (installed: default)", name);
        return SZ_ERR_NOT_FOUND;
    }
    int w = cfg->width, h = cfg->height;
    if (w < CFACE_MIN_SIZE || w > CFACE_MAX_SIZE || h < CFACE_MIN_SIZE || h > CFACE_MAX_SIZE ||
        (w % 2) != 0 || (h % 2) != 0) {
        cface_err(err, errlen,
                  "avatar frame size %dx%d is not supported: width and height must be even "
                  "numbers from %d to %d",
                  w, h, CFACE_MIN_SIZE, CFACE_MAX_SIZE);
        return SZ_ERR_INVALID_ARG;
    }

    avatar_renderer *r = calloc(1, sizeof *r);
    if (!r) {
        cface_err(err, errlen, "avatar: out of memory");
        return SZ_ERR_NO_MEMORY;
    }
    r->width = w;
    r->height = h;
    r->scale = fmin(w / CFACE_REF_W, h / CFACE_REF_H);
    r->off_x = 0.5 * (w - CFACE_REF_W * r->scale);
    r->off_y = 0.5 * (h - CFACE_REF_H * r->scale);
    int rc = cface_build_patterns(r);
    if (rc == SZ_OK)
        rc = cface_build_layers(r, cfg->background_rgb);
    if (rc != SZ_OK)
        goto fail;
    *out = r;
    return SZ_OK;

fail:
    cface_err(err, errlen, "avatar: out of memory building the %dx%d layers", w, h);
    avatar_free(&r);
    return rc;
}

/* The cairo context drawing into this caller buffer; made once per buffer. */
static cairo_t *cface_target_for(avatar_renderer *r, sz_video_frame *frame)
{
    for (int i = 0; i < CFACE_N_TARGETS; i++) {
        cface_target *t = &r->targets[i];
        if (t->cr && t->data == frame->data && t->stride == frame->stride) {
            cairo_surface_mark_dirty(t->surface);
            return t->cr;
        }
    }
    cface_target *t = &r->targets[r->next_target];
    r->next_target = (r->next_target + 1) % CFACE_N_TARGETS;
    if (t->cr)
        cairo_destroy(t->cr);
    if (t->surface)
        cairo_surface_destroy(t->surface);
    *t = (cface_target){0};
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
    *t = (cface_target){frame->data, frame->stride, s, cr};
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
    cairo_t *cr = cface_target_for(r, frame);
    if (!cr)
        return SZ_ERR_NO_MEMORY;

    cface_pose p;
    cface_pose_from(&p, face);

    cairo_save(cr);
    cairo_set_operator(cr, CAIRO_OPERATOR_SOURCE);
    cairo_set_source_surface(cr, r->background, 0, 0);
    cairo_paint(cr);
    cairo_set_operator(cr, CAIRO_OPERATOR_OVER);
    /* whole pixels keep the body copy a plain blend; the head covers the seam */
    double lift = CFACE_BREATH_PX * p.breath;
    int dy = (int)lround(-lift * r->scale);
    cairo_set_source_surface(cr, r->body, 0, r->body_top + dy);
    cairo_paint(cr);

    cairo_translate(cr, r->off_x, r->off_y);
    cairo_scale(cr, r->scale, r->scale);
    cairo_translate(cr, CFACE_HEAD_X, CFACE_HEAD_Y - 0.8 * lift);
    cairo_translate(cr, 0, CFACE_ROLL_PIVOT_Y);
    cairo_rotate(cr, p.roll);
    cairo_translate(cr, 0, -CFACE_ROLL_PIVOT_Y);
    cface_draw_head(r, cr, &p);
    cairo_restore(cr);

    cairo_surface_flush(cairo_get_target(cr));
    if (cairo_status(cr) != CAIRO_STATUS_SUCCESS) {
        /* a context in error stays so: drop it, the next frame makes a new one */
        for (int i = 0; i < CFACE_N_TARGETS; i++) {
            if (r->targets[i].cr == cr) {
                cairo_destroy(cr);
                cairo_surface_destroy(r->targets[i].surface);
                r->targets[i] = (cface_target){0};
            }
        }
        return SZ_ERR_INTERNAL;
    }
    return SZ_OK;
}

void avatar_free(avatar_renderer **pr)
{
    if (!pr || !*pr)
        return;
    avatar_renderer *r = *pr;
    for (int i = 0; i < CFACE_N_TARGETS; i++) {
        if (r->targets[i].cr)
            cairo_destroy(r->targets[i].cr);
        if (r->targets[i].surface)
            cairo_surface_destroy(r->targets[i].surface);
    }
    if (r->background)
        cairo_surface_destroy(r->background);
    if (r->body)
        cairo_surface_destroy(r->body);
    cairo_pattern_t *pats[] = {r->skin, r->hair, r->iris, r->blush};
    for (size_t i = 0; i < sizeof pats / sizeof pats[0]; i++)
        if (pats[i])
            cairo_pattern_destroy(pats[i]);
    free(r);
    *pr = NULL;
}
