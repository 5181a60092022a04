/* SPDX-License-Identifier: Apache-2.0 */
/* photo_mesh.c: builds and checks the triangle mesh of a photo avatar. The
 * vertices are the contours (eye lids and lips resampled evenly), a ring
 * around the mouth, and a grid over the rest of the image; a Delaunay
 * triangulation joins them. The eye openings are holes (the eyeball is drawn
 * beneath), and the line where the lips meet is split in two, upper and
 * lower vertices at the same place, so the mouth can open. */
#include "avatar/photo/photo_rig.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "shuzi.h"

#define PM_EYE_POINTS 9   /* per lid, corners included */
#define PM_SEAM_POINTS 15 /* corners included */
#define PM_LIP_POINTS 9

typedef struct pm_points {
    float *xy;
    int n, cap;
} pm_points;

static int pm_add(pm_points *p, float x, float y)
{
    if (p->n == p->cap) {
        int cap = p->cap ? 2 * p->cap : 256;
        float *xy = realloc(p->xy, (size_t)cap * 2 * sizeof *xy);
        if (!xy)
            return -1;
        p->xy = xy;
        p->cap = cap;
    }
    p->xy[2 * p->n] = x;
    p->xy[2 * p->n + 1] = y;
    return p->n++;
}

/* n points evenly spaced by arc length along a polyline */
static void pm_resample(const photo_contour *c, int n, float *out)
{
    double total = 0.0;
    for (int i = 1; i < c->n; i++)
        total += hypot(c->xy[2 * i] - c->xy[2 * i - 2], c->xy[2 * i + 1] - c->xy[2 * i - 1]);
    int seg = 1;
    double at = 0.0;
    for (int k = 0; k < n; k++) {
        double want = total * k / (n - 1);
        while (seg < c->n - 1 && at + hypot(c->xy[2 * seg] - c->xy[2 * seg - 2],
                                            c->xy[2 * seg + 1] - c->xy[2 * seg - 1]) <
                                     want) {
            at +=
                hypot(c->xy[2 * seg] - c->xy[2 * seg - 2], c->xy[2 * seg + 1] - c->xy[2 * seg - 1]);
            seg++;
        }
        double len =
            hypot(c->xy[2 * seg] - c->xy[2 * seg - 2], c->xy[2 * seg + 1] - c->xy[2 * seg - 1]);
        double t = len > 1e-9 ? (want - at) / len : 0.0;
        t = t < 0 ? 0 : t > 1 ? 1 : t;
        out[2 * k] = (float)(c->xy[2 * seg - 2] + t * (c->xy[2 * seg] - c->xy[2 * seg - 2]));
        out[2 * k + 1] =
            (float)(c->xy[2 * seg - 1] + t * (c->xy[2 * seg + 1] - c->xy[2 * seg - 1]));
    }
}

static int pm_inside(const float *poly, int n, double x, double y)
{
    int in = 0;
    for (int i = 0, j = n - 1; i < n; j = i++) {
        double xi = poly[2 * i], yi = poly[2 * i + 1], xj = poly[2 * j], yj = poly[2 * j + 1];
        if ((yi > y) != (yj > y) && x < (xj - xi) * (y - yi) / (yj - yi) + xi)
            in = !in;
    }
    return in;
}

static double pm_nearest(const pm_points *p, int upto, double x, double y)
{
    double best = 1e30;
    for (int i = 0; i < upto; i++) {
        double d = hypot(p->xy[2 * i] - x, p->xy[2 * i + 1] - y);
        if (d < best)
            best = d;
    }
    return best;
}

/* ---- Delaunay triangulation (Bowyer-Watson) --------------------------- */

typedef struct pm_tri {
    int v[3];
    double cx, cy, r2; /* circumcircle */
    int alive;
} pm_tri;

static int pm_circum(const double *x, const double *y, const int *v, pm_tri *t)
{
    double ax = x[v[0]], ay = y[v[0]], bx = x[v[1]], by = y[v[1]], cx = x[v[2]], cy = y[v[2]];
    double d = 2.0 * (ax * (by - cy) + bx * (cy - ay) + cx * (ay - by));
    if (fabs(d) < 1e-12)
        return 0;
    double a2 = ax * ax + ay * ay, b2 = bx * bx + by * by, c2 = cx * cx + cy * cy;
    t->cx = (a2 * (by - cy) + b2 * (cy - ay) + c2 * (ay - by)) / d;
    t->cy = (a2 * (cx - bx) + b2 * (ax - cx) + c2 * (bx - ax)) / d;
    t->r2 = (ax - t->cx) * (ax - t->cx) + (ay - t->cy) * (ay - t->cy);
    memcpy(t->v, v, sizeof t->v);
    t->alive = 1;
    return 1;
}

/* Triangulates n points; writes 3 indices per triangle to *tri_out. */
static int pm_delaunay(const float *xy, int n, int **tri_out, int *n_tri)
{
    double *x = malloc((size_t)(n + 3) * sizeof *x), *y = malloc((size_t)(n + 3) * sizeof *y);
    int cap = 2 * n + 16, nt = 0;
    pm_tri *t = malloc((size_t)cap * sizeof *t);
    int ecap = 256;
    int *edges = malloc((size_t)ecap * 2 * sizeof *edges);
    if (!x || !y || !t || !edges)
        goto oom;
    double minx = 1e30, miny = 1e30, maxx = -1e30, maxy = -1e30;
    for (int i = 0; i < n; i++) {
        x[i] = xy[2 * i];
        y[i] = xy[2 * i + 1];
        minx = fmin(minx, x[i]);
        maxx = fmax(maxx, x[i]);
        miny = fmin(miny, y[i]);
        maxy = fmax(maxy, y[i]);
    }
    double span = fmax(maxx - minx, maxy - miny) + 1.0;
    double mx = 0.5 * (minx + maxx), my = 0.5 * (miny + maxy);
    x[n] = mx - 20 * span, y[n] = my - span;
    x[n + 1] = mx + 20 * span, y[n + 1] = my - span;
    x[n + 2] = mx, y[n + 2] = my + 20 * span;
    int sv[3] = {n, n + 1, n + 2};
    pm_circum(x, y, sv, &t[nt++]);
    for (int p = 0; p < n; p++) {
        int ne = 0;
        for (int i = 0; i < nt; i++) {
            if (!t[i].alive)
                continue;
            double dx = x[p] - t[i].cx, dy = y[p] - t[i].cy;
            if (dx * dx + dy * dy > t[i].r2 * (1.0 + 1e-12))
                continue;
            t[i].alive = 0;
            for (int k = 0; k < 3; k++) {
                int a = t[i].v[k], b = t[i].v[(k + 1) % 3];
                /* an edge seen twice is interior to the cavity: drop both */
                int dup = -1;
                for (int e = 0; e < ne; e++)
                    if ((edges[2 * e] == b && edges[2 * e + 1] == a) ||
                        (edges[2 * e] == a && edges[2 * e + 1] == b)) {
                        dup = e;
                        break;
                    }
                if (dup >= 0) {
                    edges[2 * dup] = edges[2 * (ne - 1)];
                    edges[2 * dup + 1] = edges[2 * (ne - 1) + 1];
                    ne--;
                    continue;
                }
                if (ne == ecap) {
                    ecap *= 2;
                    int *e2 = realloc(edges, (size_t)ecap * 2 * sizeof *e2);
                    if (!e2)
                        goto oom;
                    edges = e2;
                }
                edges[2 * ne] = a;
                edges[2 * ne + 1] = b;
                ne++;
            }
        }
        /* compact dead triangles now and then */
        if (nt + ne >= cap) {
            int w = 0;
            for (int i = 0; i < nt; i++)
                if (t[i].alive)
                    t[w++] = t[i];
            nt = w;
            if (nt + ne >= cap) {
                cap = 2 * (nt + ne) + 16;
                pm_tri *t2 = realloc(t, (size_t)cap * sizeof *t2);
                if (!t2)
                    goto oom;
                t = t2;
            }
        }
        for (int e = 0; e < ne; e++) {
            int v[3] = {edges[2 * e], edges[2 * e + 1], p};
            if (pm_circum(x, y, v, &t[nt]))
                nt++;
        }
    }
    int *tri = malloc((size_t)(nt + 1) * 3 * sizeof *tri), m = 0;
    if (!tri)
        goto oom;
    for (int i = 0; i < nt; i++) {
        if (!t[i].alive || t[i].v[0] >= n || t[i].v[1] >= n || t[i].v[2] >= n)
            continue;
        memcpy(tri + 3 * m, t[i].v, 3 * sizeof *tri);
        m++;
    }
    free(x);
    free(y);
    free(t);
    free(edges);
    *tri_out = tri;
    *n_tri = m;
    return SZ_OK;
oom:
    free(x);
    free(y);
    free(t);
    free(edges);
    return SZ_ERR_NO_MEMORY;
}

static int pm_has_edge(const int *tri, int nt, int a, int b)
{
    for (int i = 0; i < nt; i++)
        for (int k = 0; k < 3; k++) {
            int p = tri[3 * i + k], q = tri[3 * i + (k + 1) % 3];
            if ((p == a && q == b) || (p == b && q == a))
                return 1;
        }
    return 0;
}

/* ---- building ---------------------------------------------------------- */

int photo_mesh_build(photo_rig *rig, int image_w, int image_h, char *err, size_t errlen)
{
    const float *el = rig->landmarks[PHOTO_EYE_LEFT], *er = rig->landmarks[PHOTO_EYE_RIGHT];
    double ipd = hypot(er[0] - el[0], er[1] - el[1]);
    if (!(ipd >= 8.0)) {
        photo_err(err, errlen, "the eyes are %.1f pixels apart: too small to animate", ipd);
        return SZ_ERR_INVALID_ARG;
    }
    for (int c = 0; c < PHOTO_N_CONTOURS; c++)
        if (c <= PHOTO_JAW && c != PHOTO_NOSE && rig->contours[c].n < 2) {
            photo_err(err, errlen, "contour %s has %d points", photo_contour_name(c),
                      rig->contours[c].n);
            return SZ_ERR_INVALID_ARG;
        }
    photo_mesh_free(&rig->mesh);
    photo_mesh *m = &rig->mesh;
    pm_points p = {0};
    int rc = SZ_ERR_NO_MEMORY;
    int *tri = NULL, nt = 0;
    float eye_poly[2][4 * PM_EYE_POINTS], mouth_poly[4 * PM_LIP_POINTS];
    int n_eye_poly = 2 * PM_EYE_POINTS - 2, n_mouth_poly = 2 * PM_LIP_POINTS - 2;
    m->n_seam = PM_SEAM_POINTS;
    m->seam_upper = calloc(PM_SEAM_POINTS, sizeof(int));
    m->seam_lower = calloc(PM_SEAM_POINTS, sizeof(int));
    for (int e = 0; e < 2; e++) {
        m->n_eye[e] = PM_EYE_POINTS;
        m->eye_upper[e] = calloc(PM_EYE_POINTS, sizeof(int));
        m->eye_lower[e] = calloc(PM_EYE_POINTS, sizeof(int));
        if (!m->eye_upper[e] || !m->eye_lower[e])
            goto fail;
    }
    if (!m->seam_upper || !m->seam_lower)
        goto fail;

    /* eyes: both lids resampled, the lower one sharing the upper's corners */
    for (int e = 0; e < 2; e++) {
        float up[2 * PM_EYE_POINTS], lo[2 * PM_EYE_POINTS];
        pm_resample(&rig->contours[PHOTO_EYE_LEFT_UPPER + 2 * e], PM_EYE_POINTS, up);
        pm_resample(&rig->contours[PHOTO_EYE_LEFT_LOWER + 2 * e], PM_EYE_POINTS, lo);
        for (int k = 0; k < PM_EYE_POINTS; k++) {
            if ((m->eye_upper[e][k] = pm_add(&p, up[2 * k], up[2 * k + 1])) < 0)
                goto fail;
            eye_poly[e][2 * k] = up[2 * k];
            eye_poly[e][2 * k + 1] = up[2 * k + 1];
        }
        m->eye_lower[e][0] = m->eye_upper[e][0];
        m->eye_lower[e][PM_EYE_POINTS - 1] = m->eye_upper[e][PM_EYE_POINTS - 1];
        for (int k = 1; k < PM_EYE_POINTS - 1; k++)
            if ((m->eye_lower[e][k] = pm_add(&p, lo[2 * k], lo[2 * k + 1])) < 0)
                goto fail;
        /* the hole polygon: upper left to right, lower right to left */
        for (int k = PM_EYE_POINTS - 2, j = PM_EYE_POINTS; k >= 1; k--, j++) {
            eye_poly[e][2 * j] = lo[2 * k];
            eye_poly[e][2 * j + 1] = lo[2 * k + 1];
        }
    }
    /* lips: the seam, then the outer lines sharing the seam's corners */
    float seam[2 * PM_SEAM_POINTS], lu[2 * PM_LIP_POINTS], ll[2 * PM_LIP_POINTS];
    pm_resample(&rig->contours[PHOTO_LIP_INNER], PM_SEAM_POINTS, seam);
    pm_resample(&rig->contours[PHOTO_LIP_UPPER_OUTER], PM_LIP_POINTS, lu);
    pm_resample(&rig->contours[PHOTO_LIP_LOWER_OUTER], PM_LIP_POINTS, ll);
    for (int k = 0; k < PM_SEAM_POINTS; k++)
        if ((m->seam_upper[k] = pm_add(&p, seam[2 * k], seam[2 * k + 1])) < 0)
            goto fail;
    double mcx = 0.5 * (seam[0] + seam[2 * PM_SEAM_POINTS - 2]);
    double mcy = 0.5 * (seam[1] + seam[2 * PM_SEAM_POINTS - 1]);
    double mw =
        hypot(seam[2 * PM_SEAM_POINTS - 2] - seam[0], seam[2 * PM_SEAM_POINTS - 1] - seam[1]);
    for (int k = 1; k < PM_LIP_POINTS - 1; k++) {
        if (pm_add(&p, lu[2 * k], lu[2 * k + 1]) < 0 || pm_add(&p, ll[2 * k], ll[2 * k + 1]) < 0)
            goto fail;
    }
    for (int k = 0; k < PM_LIP_POINTS; k++) {
        mouth_poly[2 * k] = lu[2 * k];
        mouth_poly[2 * k + 1] = lu[2 * k + 1];
    }
    for (int k = PM_LIP_POINTS - 2, j = PM_LIP_POINTS; k >= 1; k--, j++) {
        mouth_poly[2 * j] = ll[2 * k];
        mouth_poly[2 * j + 1] = ll[2 * k + 1];
    }
    /* the top of the upper lashes, a row above each upper lid, so the
     * lashes move whole in a blink (photo_motion.c) */
    for (int e = 0; e < 2; e++)
        for (int k = 1; k < PM_EYE_POINTS - 1; k++) {
            const float *q = p.xy + 2 * m->eye_upper[e][k];
            if (pm_add(&p, q[0], q[1] - (float)(PHOTO_LASH_BAND * ipd)) < 0)
                goto fail;
        }
    /* a ring around the lips, so their motion fades into the skin */
    for (int k = 1; k < PM_LIP_POINTS - 1; k += 1) {
        for (int s = 0; s < 2; s++) {
            const float *q = s ? ll : lu;
            double dx = q[2 * k] - mcx, dy = q[2 * k + 1] - mcy;
            double len = hypot(dx, dy);
            double grow = len > 1e-6 ? (len + 0.22 * mw) / len : 1.0;
            if (pm_add(&p, (float)(mcx + dx * grow), (float)(mcy + dy * grow)) < 0)
                goto fail;
        }
    }
    for (int s = 0; s < 2; s++) {
        const float *c = s ? seam + 2 * (PM_SEAM_POINTS - 1) : seam;
        double dx = c[0] - mcx, dy = c[1] - mcy, len = hypot(dx, dy);
        if (len > 1e-6 && pm_add(&p, (float)(c[0] + dx / len * 0.2 * mw),
                                 (float)(c[1] + dy / len * 0.2 * mw)) < 0)
            goto fail;
    }
    /* the other contours, skipping points that crowd earlier ones */
    /* a third of the eye distance; coarser on a large photo with a small face
     * (the contours carry the face, the grid only fills) */
    double g = fmax(ipd / 3.4, fmax(image_w, image_h) / 110.0);
    int n_features;
    for (int c = PHOTO_BROW_LEFT; c < PHOTO_N_CONTOURS; c++) {
        if (c == PHOTO_LIP_UPPER_OUTER || c == PHOTO_LIP_INNER || c == PHOTO_LIP_LOWER_OUTER)
            continue;
        const photo_contour *ct = &rig->contours[c];
        for (int k = 0; k < ct->n; k++) {
            double x = ct->xy[2 * k], y = ct->xy[2 * k + 1];
            if (x <= 0.5 || y <= 0.5 || x >= image_w - 0.5 || y >= image_h - 0.5)
                continue;
            if (pm_inside(eye_poly[0], n_eye_poly, x, y) ||
                pm_inside(eye_poly[1], n_eye_poly, x, y) ||
                pm_inside(mouth_poly, n_mouth_poly, x, y))
                continue;
            if (pm_nearest(&p, p.n, x, y) < 0.3 * g)
                continue;
            if (pm_add(&p, (float)x, (float)y) < 0)
                goto fail;
        }
    }
    n_features = p.n;
    /* a grid over the image, its border included */
    int gx = (int)ceil(image_w / g), gy = (int)ceil(image_h / g);
    for (int j = 0; j <= gy; j++) {
        for (int i = 0; i <= gx; i++) {
            double x = (double)image_w * i / gx, y = (double)image_h * j / gy;
            int border = i == 0 || j == 0 || i == gx || j == gy;
            if (!border) {
                if (pm_nearest(&p, n_features, x, y) < 0.6 * g)
                    continue;
                if (pm_inside(eye_poly[0], n_eye_poly, x, y) ||
                    pm_inside(eye_poly[1], n_eye_poly, x, y) ||
                    pm_inside(mouth_poly, n_mouth_poly, x, y))
                    continue;
            }
            if (pm_add(&p, (float)x, (float)y) < 0)
                goto fail;
        }
    }
    if (p.n > PHOTO_MAX_VERTICES - PM_SEAM_POINTS) {
        photo_err(err, errlen, "the mesh would need %d vertices (at most %d)", p.n,
                  PHOTO_MAX_VERTICES);
        rc = SZ_ERR_INVALID_ARG;
        goto fail_msg;
    }
    rc = pm_delaunay(p.xy, p.n, &tri, &nt);
    if (rc != SZ_OK)
        goto fail;
    /* the eye holes */
    int w = 0;
    for (int i = 0; i < nt; i++) {
        const int *v = tri + 3 * i;
        double cx = (p.xy[2 * v[0]] + p.xy[2 * v[1]] + p.xy[2 * v[2]]) / 3.0;
        double cy = (p.xy[2 * v[0] + 1] + p.xy[2 * v[1] + 1] + p.xy[2 * v[2] + 1]) / 3.0;
        if (pm_inside(eye_poly[0], n_eye_poly, cx, cy) ||
            pm_inside(eye_poly[1], n_eye_poly, cx, cy))
            continue;
        memmove(tri + 3 * w, v, 3 * sizeof *tri);
        w++;
    }
    nt = w;
    /* the holes' outlines and the seam must be edges of the mesh */
    for (int e = 0; e < 2; e++)
        for (int k = 0; k + 1 < PM_EYE_POINTS; k++)
            if (!pm_has_edge(tri, nt, m->eye_upper[e][k], m->eye_upper[e][k + 1]) ||
                !pm_has_edge(tri, nt, m->eye_lower[e][k], m->eye_lower[e][k + 1])) {
                photo_err(err, errlen,
                          "the mesh does not follow the %s eye's outline: are the eye "
                          "landmarks right?",
                          e ? "right" : "left");
                rc = SZ_ERR_INVALID_ARG;
                goto fail_msg;
            }
    for (int k = 0; k + 1 < PM_SEAM_POINTS; k++)
        if (!pm_has_edge(tri, nt, m->seam_upper[k], m->seam_upper[k + 1])) {
            photo_err(err, errlen,
                      "the mesh does not follow the line between the lips: are the "
                      "mouth landmarks right?");
            rc = SZ_ERR_INVALID_ARG;
            goto fail_msg;
        }
    /* split the seam: triangles below it take the lower copies */
    m->seam_lower[0] = m->seam_upper[0];
    m->seam_lower[PM_SEAM_POINTS - 1] = m->seam_upper[PM_SEAM_POINTS - 1];
    for (int k = 1; k < PM_SEAM_POINTS - 1; k++)
        if ((m->seam_lower[k] = pm_add(&p, seam[2 * k], seam[2 * k + 1])) < 0)
            goto fail;
    for (int i = 0; i < nt; i++) {
        int *v = tri + 3 * i;
        double cx = 0, cy = 0;
        int touches = 0;
        for (int k = 0; k < 3; k++) {
            cx += p.xy[2 * v[k]] / 3.0;
            cy += p.xy[2 * v[k] + 1] / 3.0;
            for (int s = 1; s < PM_SEAM_POINTS - 1; s++)
                touches |= v[k] == m->seam_upper[s];
        }
        if (!touches)
            continue;
        /* the side of the seam the centroid is on, from the nearest segment */
        int best = 0;
        double bd = 1e30;
        for (int s = 0; s + 1 < PM_SEAM_POINTS; s++) {
            double mx = 0.5 * (seam[2 * s] + seam[2 * s + 2]),
                   my = 0.5 * (seam[2 * s + 1] + seam[2 * s + 3]);
            double d = hypot(cx - mx, cy - my);
            if (d < bd)
                bd = d, best = s;
        }
        double sx = seam[2 * best], sy = seam[2 * best + 1];
        double dx = seam[2 * best + 2] - sx, dy = seam[2 * best + 3] - sy;
        if (dx * (cy - sy) - dy * (cx - sx) <= 0)
            continue; /* above */
        for (int k = 0; k < 3; k++)
            for (int s = 1; s < PM_SEAM_POINTS - 1; s++)
                if (v[k] == m->seam_upper[s])
                    v[k] = m->seam_lower[s];
    }
    m->xy = p.xy;
    m->n_vertices = p.n;
    m->tri = tri;
    m->n_triangles = nt;
    return photo_mesh_check(rig, err, errlen);
fail:
    photo_err(err, errlen, "out of memory building the mesh");
    rc = SZ_ERR_NO_MEMORY;
fail_msg:
    free(p.xy);
    free(tri);
    photo_mesh_free(m);
    return rc;
}

int photo_mesh_check(const photo_rig *rig, char *err, size_t errlen)
{
    const photo_mesh *m = &rig->mesh;
    for (int i = 0; i < m->n_triangles; i++) {
        const int *v = m->tri + 3 * i;
        for (int k = 0; k < 3; k++)
            if (v[k] < 0 || v[k] >= m->n_vertices) {
                photo_err(err, errlen, "mesh.triangles[%d]: vertex %d out of range", i, v[k]);
                return SZ_ERR_FORMAT;
            }
        const float *a = m->xy + 2 * v[0], *b = m->xy + 2 * v[1], *c = m->xy + 2 * v[2];
        double area = (b[0] - a[0]) * (c[1] - a[1]) - (c[0] - a[0]) * (b[1] - a[1]);
        if (!(fabs(area) > 1e-6)) {
            photo_err(err, errlen, "mesh.triangles[%d]: the triangle has no area", i);
            return SZ_ERR_FORMAT;
        }
    }
    if (m->n_seam < 3 || m->seam_upper[0] != m->seam_lower[0] ||
        m->seam_upper[m->n_seam - 1] != m->seam_lower[m->n_seam - 1]) {
        photo_err(err, errlen,
                  "mesh.seam_upper and seam_lower: expected the same mouth corners "
                  "first and last");
        return SZ_ERR_FORMAT;
    }
    for (int e = 0; e < 2; e++) {
        int n = m->n_eye[e];
        if (n < 3 || m->eye_upper[e][0] != m->eye_lower[e][0] ||
            m->eye_upper[e][n - 1] != m->eye_lower[e][n - 1]) {
            photo_err(err, errlen, "mesh.%s: expected upper and lower lids sharing the eye corners",
                      e ? "eye_right" : "eye_left");
            return SZ_ERR_FORMAT;
        }
    }
    return SZ_OK;
}
