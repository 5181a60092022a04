/* SPDX-License-Identifier: Apache-2.0 */
/* photo_renderer.c: the photo avatar kind (avatar_kind.h). At open the
 * portrait is scaled into a frame-sized layer, the scene background is made,
 * and the rest frame (background + portrait) is composed once; every point
 * of the mesh gets its displacement per motion (photo_motion.h). A frame
 * copies the rest frame, then redraws only the region that can move: the
 * background, the eyeballs (a fan mesh per eye whose iris follows the gaze),
 * the inside of the mouth, and the mesh's triangles warped from the
 * portrait layer with the lids and lips at their new places. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "avatar/avatar_kind.h"
#include "avatar/image.h"
#include "avatar/photo/mouth.h"
#include "avatar/photo/photo_motion.h"
#include "avatar/photo/photo_rig.h"
#include "avatar/photo/warp.h"
#include "avatar/rig.h"
#include "shuzi.h"

#define PR_EYE_RING 8
#define PR_EYE_MAX 64

typedef struct pr_eye {
    int n; /* vertices: 0 pupil, 1..RING ring, then the outline */
    float rest[2 * PR_EYE_MAX];
    float basis[PR_EYE_MAX][PM_N_MOTIONS * 2];
    float cur[2 * PR_EYE_MAX];
    int n_tri;
    int tri[3 * 2 * PR_EYE_MAX];
    float gaze_x, gaze_y; /* pixels per unit of gaze */
} pr_eye;

typedef struct photo_renderer {
    photo_rig *rig;
    photo_motion *motion;
    photo_mouth *mouth;
    int width, height;
    double scale, offx, offy; /* image -> frame */
    warp_image person;        /* the portrait at rest in frame pixels */
    uint8_t *person_px;
    cairo_surface_t *background; /* the scene without the person */
    uint8_t *rest;               /* background + person */
    int n;                       /* mesh vertices */
    float *rest_xy, *cur, *basis;
    uint8_t *soft; /* per triangle: which edges are soft */
    uint8_t *soft_open;
    int dyn[4];  /* the region redrawn each frame */
    int bare[2]; /* its columns the portrait covers (from the bare background) */
    pr_eye eyes[2];
    float teeth_basis[2][PM_N_MOTIONS * 2], teeth_rest[2][2];
    float *outline; /* the mouth opening this frame */
} photo_renderer;

static void pr_point(const photo_renderer *r, float ix, float iy, float *fx, float *fy)
{
    *fx = (float)(ix * r->scale + r->offx);
    *fy = (float)(iy * r->scale + r->offy);
}

static void pr_move(const float *rest, const float *basis, const float *coef, float *out)
{
    float x = rest[0], y = rest[1];
    for (int k = 0; k < PM_N_MOTIONS; k++) {
        x += coef[k] * basis[2 * k];
        y += coef[k] * basis[2 * k + 1];
    }
    out[0] = x;
    out[1] = y;
}

/* Edges {a, b} that lie on consecutive entries of a list. */
static int pr_on_line(const int *list, int n, int a, int b)
{
    for (int i = 0; i + 1 < n; i++)
        if ((list[i] == a && list[i + 1] == b) || (list[i] == b && list[i + 1] == a))
            return 1;
    return 0;
}

static void pr_basis_scaled(const photo_renderer *r, float ix, float iy, pm_point_kind kind,
                            int eye, float *out)
{
    photo_motion_basis(r->motion, ix, iy, kind, eye, 0, out);
    for (int k = 0; k < 2 * PM_N_MOTIONS; k++)
        out[k] *= (float)r->scale;
}

/* The eyeball under the lids: pupil, an iris ring, and the hole's outline
 * grown a little, joined in a fan. */
static void pr_build_eye(photo_renderer *r, int e)
{
    const photo_mesh *m = &r->rig->mesh;
    pr_eye *eye = &r->eyes[e];
    const float *pupil = r->rig->landmarks[PHOTO_EYE_LEFT + e];
    int ne = m->n_eye[e];
    int n_out = 2 * ne - 2;
    if (n_out + 1 + PR_EYE_RING > PR_EYE_MAX)
        n_out = PR_EYE_MAX - 1 - PR_EYE_RING;
    float outline[2 * PR_EYE_MAX];
    int k = 0;
    for (int i = 0; i < ne && k < n_out; i++, k++) {
        outline[2 * k] = m->xy[2 * m->eye_upper[e][i]];
        outline[2 * k + 1] = m->xy[2 * m->eye_upper[e][i] + 1];
    }
    for (int i = ne - 2; i >= 1 && k < n_out; i--, k++) {
        outline[2 * k] = m->xy[2 * m->eye_lower[e][i]];
        outline[2 * k + 1] = m->xy[2 * m->eye_lower[e][i] + 1];
    }
    n_out = k;
    double cx = 0, cy = 0, near = 1e30;
    for (int i = 0; i < n_out; i++) {
        cx += outline[2 * i] / n_out;
        cy += outline[2 * i + 1] / n_out;
    }
    for (int i = 0; i < n_out; i++)
        near = fmin(near, hypot(outline[2 * i] - pupil[0], outline[2 * i + 1] - pupil[1]));
    double ring = 0.7 * near;
    double ew = hypot(outline[2 * (ne - 1)] - outline[0], outline[2 * (ne - 1) + 1] - outline[1]);
    eye->n = 1 + PR_EYE_RING + n_out;
    float ix[PR_EYE_MAX], iy[PR_EYE_MAX];
    ix[0] = pupil[0];
    iy[0] = pupil[1];
    for (int i = 0; i < PR_EYE_RING; i++) {
        double a = 2 * M_PI * i / PR_EYE_RING;
        ix[1 + i] = (float)(pupil[0] + ring * cos(a));
        iy[1 + i] = (float)(pupil[1] + ring * sin(a));
    }
    for (int i = 0; i < n_out; i++) {
        double dx = outline[2 * i] - cx, dy = outline[2 * i + 1] - cy, d = hypot(dx, dy);
        double grow = d > 1e-6 ? 2.0 / r->scale / d : 0.0; /* 2 frame pixels out */
        ix[1 + PR_EYE_RING + i] = (float)(outline[2 * i] + dx * grow);
        iy[1 + PR_EYE_RING + i] = (float)(outline[2 * i + 1] + dy * grow);
    }
    for (int i = 0; i < eye->n; i++) {
        pr_point(r, ix[i], iy[i], &eye->rest[2 * i], &eye->rest[2 * i + 1]);
        pr_basis_scaled(r, ix[i], iy[i], PM_POINT_HEAD, e, eye->basis[i]);
    }
    /* triangles: the iris fan, then a band from the ring to the outline,
     * walking both by angle around the pupil */
    int t = 0;
    for (int i = 0; i < PR_EYE_RING; i++) {
        eye->tri[3 * t] = 0;
        eye->tri[3 * t + 1] = 1 + i;
        eye->tri[3 * t + 2] = 1 + (i + 1) % PR_EYE_RING;
        t++;
    }
    double ang[PR_EYE_MAX];
    int order[PR_EYE_MAX];
    for (int i = 0; i < n_out; i++) {
        ang[i] = atan2(iy[1 + PR_EYE_RING + i] - pupil[1], ix[1 + PR_EYE_RING + i] - pupil[0]);
        if (ang[i] < 0)
            ang[i] += 2 * M_PI;
        order[i] = i;
    }
    for (int i = 1; i < n_out; i++) /* insertion sort by angle */
        for (int j = i; j > 0 && ang[order[j]] < ang[order[j - 1]]; j--) {
            int tmp = order[j];
            order[j] = order[j - 1];
            order[j - 1] = tmp;
        }
    int a = 0, b = 0; /* ring index, outline position */
    while (a < PR_EYE_RING || b < n_out) {
        double ra = 2 * M_PI * (a + 0.5) / PR_EYE_RING;
        double ob = b < n_out ? ang[order[b]] : 1e9;
        int ring_v = 1 + a % PR_EYE_RING, out_v = 1 + PR_EYE_RING + order[b % n_out];
        if (b < n_out && (a >= PR_EYE_RING || ob < ra)) {
            eye->tri[3 * t] = ring_v;
            eye->tri[3 * t + 1] = out_v;
            eye->tri[3 * t + 2] = 1 + PR_EYE_RING + order[(b + 1) % n_out];
            b++;
        } else {
            eye->tri[3 * t] = ring_v;
            eye->tri[3 * t + 1] = out_v;
            eye->tri[3 * t + 2] = 1 + (a + 1) % PR_EYE_RING;
            a++;
        }
        t++;
    }
    eye->n_tri = t;
    double room = 0.5 * ew - ring;
    if (room < 0)
        room = 0;
    eye->gaze_x = (float)(0.35 * room * r->scale);
    eye->gaze_y = (float)(0.12 * room * r->scale);
}

static void pr_destroy(void *state)
{
    photo_renderer *r = state;
    if (!r)
        return;
    photo_rig_free(&r->rig);
    photo_motion_free(&r->motion);
    photo_mouth_free(&r->mouth);
    if (r->background)
        cairo_surface_destroy(r->background);
    free(r->person_px);
    free(r->rest);
    free(r->rest_xy);
    free(r->cur);
    free(r->basis);
    free(r->soft);
    free(r->soft_open);
    free(r->outline);
    free(r);
}

static const char *pr_name(const void *state)
{
    const photo_renderer *r = state;
    return r && r->rig ? r->rig->name : "";
}

/* The widest a point can travel: each motion at its largest. */
static float pr_reach(const float *basis)
{
    static const float most[PM_N_MOTIONS] = {1, 1, 1, 1, 1, 1.2f, 1, 1, 0.35f, 0.35f, 0.35f, 1};
    float dx = 0, dy = 0;
    for (int k = 0; k < PM_N_MOTIONS; k++) {
        dx += fabsf(basis[2 * k]) * most[k];
        dy += fabsf(basis[2 * k + 1]) * most[k];
    }
    return fmaxf(dx, dy);
}

static int pr_open(const avatar_config *cfg, const char *manifest, void **state, char *err,
                   size_t errlen)
{
    *state = NULL;
    photo_renderer *r = calloc(1, sizeof *r);
    if (!r) {
        snprintf(err, errlen, "avatar: out of memory");
        return SZ_ERR_NO_MEMORY;
    }
    int rc = photo_rig_load_file(manifest, &r->rig, err, errlen);
    if (rc != SZ_OK)
        goto fail;
    rc = photo_motion_open(r->rig, &r->motion, err, errlen);
    if (rc != SZ_OK)
        goto fail;
    cairo_surface_t *img = NULL;
    rc = image_load(r->rig->image_path, &img, err, errlen);
    if (rc != SZ_OK)
        goto fail;
    int W = cfg->width, H = cfg->height;
    r->width = W;
    r->height = H;
    float ax = cfg->avatar_x, ay = cfg->avatar_y, sc = cfg->avatar_scale;
    if (ax == 0.0f && ay == 0.0f)
        ax = 0.5f, ay = 1.0f;
    if (sc == 0.0f)
        sc = 1.0f;
    const float *crop = r->rig->crop;
    r->scale = fmin(W / crop[2], H / crop[3]) * sc;
    r->offx = ax * W - 0.5 * crop[2] * r->scale - crop[0] * r->scale;
    r->offy = ay * H - crop[3] * r->scale - crop[1] * r->scale;
    /* the person layer: the portrait at rest, in frame pixels */
    int stride = cairo_format_stride_for_width(CAIRO_FORMAT_ARGB32, W);
    r->person_px = calloc((size_t)stride * H, 1);
    r->rest = malloc((size_t)stride * H);
    if (!r->person_px || !r->rest) {
        cairo_surface_destroy(img);
        rc = SZ_ERR_NO_MEMORY;
        snprintf(err, errlen, "avatar: out of memory for a %dx%d frame", W, H);
        goto fail;
    }
    r->person = (warp_image){r->person_px, W, H, stride};
    cairo_surface_t *ps =
        cairo_image_surface_create_for_data(r->person_px, CAIRO_FORMAT_ARGB32, W, H, stride);
    cairo_t *cr = cairo_create(ps);
    cairo_translate(cr, r->offx, r->offy);
    cairo_scale(cr, r->scale, r->scale);
    cairo_set_source_surface(cr, img, 0, 0);
    cairo_pattern_set_filter(cairo_get_source(cr), CAIRO_FILTER_GOOD);
    cairo_paint(cr);
    cairo_destroy(cr);
    cairo_surface_flush(ps);
    int iw = cairo_image_surface_get_width(img), ih = cairo_image_surface_get_height(img);
    cairo_surface_destroy(img);
    /* where the body reaches the portrait's sides, carry the shoulders on
     * to the frame's edges, sloping down as they were, so a bust never ends
     * in a vertical cut */
    int left = (int)ceil(r->offx), right = (int)floor(r->offx + iw * r->scale) - 1;
    int bottom_row = (int)floor(r->offy + ih * r->scale);
    if (bottom_row > H)
        bottom_row = H;
    for (int side = 0; side < 2; side++) {
        int edge = side ? right - 3 : left + 3, step = side ? -1 : 1; /* past the filtered rim */
        if (edge < 0 || edge >= W || (side ? right >= W - 1 : left <= 0))
            continue;
        int in = edge + step * (int)fmax(4, 0.03 * iw * r->scale);
        if (in < 0 || in >= W)
            continue;
        int top_e = -1, top_i = -1;
        for (int y = 0; y < bottom_row && (top_e < 0 || top_i < 0); y++) {
            const uint32_t *row = (const uint32_t *)(r->person_px + (size_t)y * stride);
            if (top_e < 0 && (row[edge] >> 24) >= 128)
                top_e = y;
            if (top_i < 0 && (row[in] >> 24) >= 128)
                top_i = y;
        }
        /* a photo opaque up its sides (no cut-out) is shown as it is */
        if (top_e < 0 || top_e < r->offy + 0.2 * ih * r->scale)
            continue;
        double slope = top_i >= 0 ? (double)(top_e - top_i) / abs(in - edge) : 0.5;
        if (slope < 0.2)
            slope = 0.2;
        int from = side ? edge + 1 : 0, to = side ? W : edge;
        for (int x = from; x < to; x++) {
            double dist = side ? x - edge : edge - x;
            double top = top_e + slope * dist + 0.0015 * dist * dist;
            for (int y = (int)floor(top); y < bottom_row; y++) {
                if (y < 0)
                    continue;
                uint32_t *row = (uint32_t *)(r->person_px + (size_t)y * stride);
                uint32_t px = row[edge];
                if ((px >> 24) < 250) {
                    /* the edge column's body colour from further down */
                    for (int yy = y; yy < bottom_row; yy++) {
                        uint32_t q = ((const uint32_t *)(r->person_px + (size_t)yy * stride))[edge];
                        if ((q >> 24) >= 250) {
                            px = q;
                            break;
                        }
                    }
                }
                double cov = y + 1 - top;
                if (cov >= 1.0) {
                    row[x] = px;
                } else {
                    uint32_t c = (uint32_t)(cov * 256);
                    uint32_t rb = ((px & 0x00ff00ffu) * c >> 8) & 0x00ff00ffu;
                    uint32_t ag = (((px >> 8) & 0x00ff00ffu) * c) & 0xff00ff00u;
                    row[x] = rb | ag;
                }
            }
        }
    }
    cairo_surface_mark_dirty(ps);
    rc = avatar_scene_background(cfg, W, H, &r->background, err, errlen);
    if (rc == SZ_OK) {
        cairo_surface_flush(r->background);
        memcpy(r->rest, cairo_image_surface_get_data(r->background), (size_t)stride * H);
        cairo_surface_t *rs =
            cairo_image_surface_create_for_data(r->rest, CAIRO_FORMAT_ARGB32, W, H, stride);
        cr = cairo_create(rs);
        cairo_set_source_surface(cr, ps, 0, 0);
        cairo_paint(cr);
        cairo_destroy(cr);
        cairo_surface_destroy(rs);
    }
    cairo_surface_destroy(ps);
    if (rc != SZ_OK)
        goto fail;

    /* the mesh in frame pixels, each vertex's motions, and soft edges */
    const photo_mesh *m = &r->rig->mesh;
    r->n = m->n_vertices;
    r->rest_xy = malloc((size_t)r->n * 2 * sizeof *r->rest_xy);
    r->cur = malloc((size_t)r->n * 2 * sizeof *r->cur);
    r->basis = malloc((size_t)r->n * PM_N_MOTIONS * 2 * sizeof *r->basis);
    r->soft = calloc((size_t)m->n_triangles, 1);
    r->soft_open = calloc((size_t)m->n_triangles, 1);
    r->outline = malloc((size_t)(2 * m->n_seam) * 2 * sizeof *r->outline);
    if (!r->rest_xy || !r->cur || !r->basis || !r->soft || !r->soft_open || !r->outline) {
        rc = SZ_ERR_NO_MEMORY;
        snprintf(err, errlen, "avatar: out of memory");
        goto fail;
    }
    for (int i = 0; i < r->n; i++) {
        pm_point_kind kind = PM_POINT_SKIN;
        int eye = 0;
        for (int s = 1; s + 1 < m->n_seam; s++) {
            if (m->seam_upper[s] == i)
                kind = PM_POINT_SEAM_UPPER;
            if (m->seam_lower[s] == i)
                kind = PM_POINT_SEAM_LOWER;
        }
        for (int e = 0; e < 2; e++)
            for (int s = 1; s + 1 < m->n_eye[e]; s++) {
                if (m->eye_upper[e][s] == i)
                    kind = PM_POINT_LID_UPPER, eye = e;
                if (m->eye_lower[e][s] == i)
                    kind = PM_POINT_LID_LOWER, eye = e;
            }
        float ix = m->xy[2 * i], iy = m->xy[2 * i + 1];
        pr_point(r, ix, iy, &r->rest_xy[2 * i], &r->rest_xy[2 * i + 1]);
        pr_basis_scaled(r, ix, iy, kind, eye, r->basis + (size_t)i * PM_N_MOTIONS * 2);
    }
    int x0 = W, y0 = H, x1 = 0, y1 = 0;
    for (int t = 0; t < m->n_triangles; t++) {
        const int *v = m->tri + 3 * t;
        float reach = 0;
        for (int k = 0; k < 3; k++)
            reach = fmaxf(reach, pr_reach(r->basis + (size_t)v[k] * PM_N_MOTIONS * 2));
        for (int k = 0; k < 3; k++) {
            int a = v[k], b = v[(k + 1) % 3];
            int hole = 0;
            for (int e = 0; e < 2; e++)
                hole |= pr_on_line(m->eye_upper[e], m->n_eye[e], a, b) ||
                        pr_on_line(m->eye_lower[e], m->n_eye[e], a, b);
            if (hole)
                r->soft[t] |= (uint8_t)(1 << k);
            if (pr_on_line(m->seam_upper, m->n_seam, a, b) ||
                pr_on_line(m->seam_lower, m->n_seam, a, b))
                r->soft_open[t] |= (uint8_t)(1 << k);
        }
        r->soft_open[t] |= r->soft[t];
        if (reach < 0.05f)
            continue;
        for (int k = 0; k < 3; k++) {
            const float *p = r->rest_xy + 2 * v[k];
            x0 = (int)fmin(x0, floor(p[0] - reach - 2));
            y0 = (int)fmin(y0, floor(p[1] - reach - 2));
            x1 = (int)fmax(x1, ceil(p[0] + reach + 2));
            y1 = (int)fmax(y1, ceil(p[1] + reach + 2));
        }
    }
    r->dyn[0] = x0 < 0 ? 0 : x0;
    r->dyn[1] = y0 < 0 ? 0 : y0;
    r->dyn[2] = x1 > W ? W : x1;
    r->dyn[3] = y1 > H ? H : y1;
    /* outside the portrait (its carried-on edges) the rest frame stays */
    r->bare[0] = (int)fmax(r->dyn[0], ceil(r->offx - 0.5)); /* pixel centres the mesh covers */
    r->bare[1] = (int)fmin(r->dyn[2], ceil(r->offx + iw * r->scale - 0.5));
    if (r->bare[1] < r->bare[0])
        r->bare[1] = r->bare[0];
    for (int e = 0; e < 2; e++)
        pr_build_eye(r, e);
    /* teeth anchors: the middle of the seam, on the upper jaw and the lower */
    int mid = m->n_seam / 2;
    float sx = m->xy[2 * m->seam_upper[mid]], sy = m->xy[2 * m->seam_upper[mid] + 1];
    float mw = photo_motion_mouth_width(r->motion), ux[2], vy[2];
    photo_motion_axes(r->motion, ux, vy);
    float up_x = sx + 0.06f * mw * vy[0], up_y = sy + 0.06f * mw * vy[1];
    float lo_x = sx - 0.03f * mw * vy[0], lo_y = sy - 0.03f * mw * vy[1];
    pr_point(r, up_x, up_y, &r->teeth_rest[0][0], &r->teeth_rest[0][1]);
    pr_point(r, lo_x, lo_y, &r->teeth_rest[1][0], &r->teeth_rest[1][1]);
    pr_basis_scaled(r, up_x, up_y, PM_POINT_HEAD, 0, r->teeth_basis[0]);
    pr_basis_scaled(r, lo_x, lo_y, PM_POINT_JAW, 0, r->teeth_basis[1]);
    if (photo_mouth_open(mw * r->scale, &r->mouth) != 0) {
        rc = SZ_ERR_NO_MEMORY;
        snprintf(err, errlen, "avatar: out of memory");
        goto fail;
    }
    *state = r;
    return SZ_OK;
fail:
    pr_destroy(r);
    return rc;
}

static int pr_render(void *state, const float *controls, sz_video_frame *frame, cairo_t *cr)
{
    photo_renderer *r = state;
    int W = r->width, H = r->height, stride = frame->stride;
    int rs = cairo_format_stride_for_width(CAIRO_FORMAT_ARGB32, W);
    float coef[PM_N_MOTIONS];
    photo_motion_coefficients(controls, coef);
    /* the rest frame, then the moving region from the bare background */
    const uint8_t *bg = cairo_image_surface_get_data(r->background);
    for (int y = 0; y < H; y++) {
        uint8_t *row = frame->data + (size_t)y * stride;
        if (y >= r->dyn[1] && y < r->dyn[3]) {
            size_t a = (size_t)r->bare[0] * 4, b = (size_t)r->bare[1] * 4;
            memcpy(row, r->rest + (size_t)y * rs, a);
            memcpy(row + a, bg + (size_t)y * rs + a, b - a);
            memcpy(row + b, r->rest + (size_t)y * rs + b, (size_t)W * 4 - b);
        } else {
            memcpy(row, r->rest + (size_t)y * rs, (size_t)W * 4);
        }
    }
    warp_image dst = {frame->data, W, H, stride};
    /* eyeballs */
    for (int e = 0; e < 2; e++) {
        pr_eye *eye = &r->eyes[e];
        for (int i = 0; i < eye->n; i++) {
            pr_move(eye->rest + 2 * i, eye->basis[i], coef, eye->cur + 2 * i);
            if (i <= PR_EYE_RING) {
                eye->cur[2 * i] += controls[RIG_C_GAZE_X] * eye->gaze_x;
                eye->cur[2 * i + 1] += controls[RIG_C_GAZE_Y] * eye->gaze_y;
            }
        }
        for (int t = 0; t < eye->n_tri; t++) {
            float d[6], s[6];
            for (int k = 0; k < 3; k++) {
                int v = eye->tri[3 * t + k];
                d[2 * k] = eye->cur[2 * v];
                d[2 * k + 1] = eye->cur[2 * v + 1];
                s[2 * k] = eye->rest[2 * v];
                s[2 * k + 1] = eye->rest[2 * v + 1];
            }
            warp_triangle(&dst, &r->person, d, s, 0, r->dyn);
        }
    }
    /* the mesh at this frame's place */
    for (int i = 0; i < r->n; i++)
        pr_move(r->rest_xy + 2 * i, r->basis + (size_t)i * PM_N_MOTIONS * 2, coef, r->cur + 2 * i);
    const photo_mesh *m = &r->rig->mesh;
    float gap = 0.0f;
    for (int s = 1; s + 1 < m->n_seam; s++) {
        const float *u = r->cur + 2 * m->seam_upper[s], *l = r->cur + 2 * m->seam_lower[s];
        gap = fmaxf(gap, hypotf(l[0] - u[0], l[1] - u[1]));
    }
    int open = gap > 0.75f;
    if (open) {
        int k = 0;
        for (int s = 0; s < m->n_seam; s++, k++) {
            r->outline[2 * k] = r->cur[2 * m->seam_upper[s]];
            r->outline[2 * k + 1] = r->cur[2 * m->seam_upper[s] + 1];
        }
        for (int s = m->n_seam - 2; s >= 1; s--, k++) {
            r->outline[2 * k] = r->cur[2 * m->seam_lower[s]];
            r->outline[2 * k + 1] = r->cur[2 * m->seam_lower[s] + 1];
        }
        photo_mouth_pose pose = {r->outline, k, {0, 0}, {0, 0}, 0.0f, controls[RIG_C_TONGUE]};
        pr_move(r->teeth_rest[0], r->teeth_basis[0], coef, pose.upper_teeth);
        pr_move(r->teeth_rest[1], r->teeth_basis[1], coef, pose.lower_teeth);
        pose.angle = controls[RIG_C_HEAD_ROLL];
        cairo_surface_mark_dirty(cairo_get_target(cr));
        cairo_save(cr);
        cairo_rectangle(cr, r->dyn[0], r->dyn[1], r->dyn[2] - r->dyn[0], r->dyn[3] - r->dyn[1]);
        cairo_clip(cr);
        photo_mouth_draw(r->mouth, cr, &pose);
        cairo_restore(cr);
        cairo_surface_flush(cairo_get_target(cr));
    }
    const uint8_t *soft = open ? r->soft_open : r->soft;
    for (int t = 0; t < m->n_triangles; t++) {
        const int *v = m->tri + 3 * t;
        float d[6], s[6];
        float bx0 = 1e9f, by0 = 1e9f, bx1 = -1e9f, by1 = -1e9f;
        for (int k = 0; k < 3; k++) {
            d[2 * k] = r->cur[2 * v[k]];
            d[2 * k + 1] = r->cur[2 * v[k] + 1];
            s[2 * k] = r->rest_xy[2 * v[k]];
            s[2 * k + 1] = r->rest_xy[2 * v[k] + 1];
            bx0 = fminf(bx0, d[2 * k]);
            bx1 = fmaxf(bx1, d[2 * k]);
            by0 = fminf(by0, d[2 * k + 1]);
            by1 = fmaxf(by1, d[2 * k + 1]);
        }
        if (bx1 < r->dyn[0] - 1 || bx0 > r->dyn[2] + 1 || by1 < r->dyn[1] - 1 ||
            by0 > r->dyn[3] + 1)
            continue;
        warp_triangle(&dst, &r->person, d, s, soft[t], r->dyn);
    }
    return SZ_OK;
}

static int pr_describe(const char *manifest, char *description, size_t dlen, char *style,
                       size_t slen, char *err, size_t errlen)
{
    photo_rig *rig = NULL;
    int rc = photo_rig_load_file(manifest, &rig, err, errlen);
    if (rc != SZ_OK)
        return rc;
    snprintf(description, dlen, "%s", rig->description);
    snprintf(style, slen, "%s", rig->style);
    photo_rig_free(&rig);
    return SZ_OK;
}

const avatar_kind avatar_photo_kind = {
    .format = PHOTO_FORMAT,
    .open = pr_open,
    .render = pr_render,
    .destroy = pr_destroy,
    .name = pr_name,
    .describe = pr_describe,
    .kind = "photo",
};
