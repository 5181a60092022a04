/* SPDX-License-Identifier: Apache-2.0 */
/* photo_motion.c: the displacement fields of a photo avatar (photo_motion.h).
 * Everything is computed in the face's own frame: x along the eye line from
 * the point between the pupils, y down the face. Lengths scale with the
 * inter-pupil distance (ipd) and the mouth width (mw). */
#include "avatar/photo/photo_motion.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shuzi.h"

#define PMO_MAX_LINE 64

typedef struct pm_line {
    int n;
    float x[PMO_MAX_LINE], y[PMO_MAX_LINE];
} pm_line;

struct photo_motion {
    float ox, oy;       /* between the pupils, image pixels */
    float ux[2], vy[2]; /* the face axes */
    float ipd, mw;
    float mx, my; /* mouth centre, face frame */
    float chin_y, chin_x;
    pm_line seam, lip_up, lip_lo, jaw;
    pm_line lid_up[2], lid_lo[2], brow[2];
    float eye_w[2];
    float nose_x, nose_y;
};

static void pmo_local(const photo_motion *m, float x, float y, float *fx, float *fy)
{
    float dx = x - m->ox, dy = y - m->oy;
    *fx = dx * m->ux[0] + dy * m->ux[1];
    *fy = dx * m->vy[0] + dy * m->vy[1];
}

static void pmo_line(const photo_motion *m, const photo_contour *c, pm_line *l)
{
    l->n = c->n < PMO_MAX_LINE ? c->n : PMO_MAX_LINE;
    for (int i = 0; i < l->n; i++)
        pmo_local(m, c->xy[2 * i], c->xy[2 * i + 1], &l->x[i], &l->y[i]);
}

/* y of a left-to-right polyline at x (held flat beyond its ends) */
static float pmo_y_at(const pm_line *l, float x)
{
    if (l->n == 0)
        return 0.0f;
    if (x <= l->x[0])
        return l->y[0];
    for (int i = 1; i < l->n; i++)
        if (x <= l->x[i]) {
            float w = l->x[i] - l->x[i - 1];
            float t = w > 1e-6f ? (x - l->x[i - 1]) / w : 1.0f;
            return l->y[i - 1] + t * (l->y[i] - l->y[i - 1]);
        }
    return l->y[l->n - 1];
}

static float pmo_smooth(float a, float b, float x)
{
    if (b == a)
        return x < a ? 0.0f : 1.0f;
    float t = (x - a) / (b - a);
    t = t < 0 ? 0 : t > 1 ? 1 : t;
    return t * t * (3.0f - 2.0f * t);
}

static float pmo_clamp(float x, float lo, float hi)
{
    return x < lo ? lo : x > hi ? hi : x;
}

/* A smooth bump: 1 at d = 0, 0 from d = r on (motion stays local, exactly). */
static float pmo_bump(float d, float r)
{
    float t = d / r;
    if (!(t < 1.0f))
        return 0.0f;
    t = 1.0f - t * t;
    return t * t;
}

/* The lowest point of the jaw line at x (the chin's y beyond its ends). */
static float pmo_jaw_y(const photo_motion *m, float x)
{
    const pm_line *j = &m->jaw;
    float best = -1e9f;
    for (int i = 1; i < j->n; i++) {
        float x0 = j->x[i - 1], x1 = j->x[i];
        if ((x0 - x) * (x1 - x) > 0 || x0 == x1)
            continue;
        float y = j->y[i - 1] + (x - x0) / (x1 - x0) * (j->y[i] - j->y[i - 1]);
        if (y > best)
            best = y;
    }
    return best > -1e8f ? best : j->y[0];
}

/* Half-width and centre of the face outline (the jaw line) at height y. */
static void pmo_face_width(const photo_motion *m, float y, float *cx, float *hw)
{
    const pm_line *j = &m->jaw;
    float xl = j->x[0], xr = j->x[j->n - 1];
    int found_l = 0, found_r = 0;
    for (int i = 1; i < j->n; i++) {
        float y0 = j->y[i - 1], y1 = j->y[i];
        if ((y0 - y) * (y1 - y) > 0 || y0 == y1)
            continue;
        float x = j->x[i - 1] + (y - y0) / (y1 - y0) * (j->x[i] - j->x[i - 1]);
        if (y1 > y0 && !found_l) {
            xl = x;
            found_l = 1;
        } else if (y1 < y0) {
            xr = x;
            found_r = 1;
        }
    }
    if (y > m->chin_y) {
        xl = xr = m->chin_x;
    } else {
        (void)found_r;
    }
    *cx = 0.5f * (xl + xr);
    *hw = 0.5f * (xr - xl);
    if (*hw < 0.25f * m->mw)
        *hw = 0.25f * m->mw;
}

int photo_motion_open(const photo_rig *rig, photo_motion **out, char *err, size_t errlen)
{
    *out = NULL;
    photo_motion *m = calloc(1, sizeof *m);
    if (!m) {
        snprintf(err, errlen, "out of memory");
        return SZ_ERR_NO_MEMORY;
    }
    const float *el = rig->landmarks[PHOTO_EYE_LEFT], *er = rig->landmarks[PHOTO_EYE_RIGHT];
    float dx = er[0] - el[0], dy = er[1] - el[1];
    m->ipd = sqrtf(dx * dx + dy * dy);
    if (!(m->ipd >= 4.0f)) {
        snprintf(err, errlen, "the eyes are too close together (%.1f pixels)", m->ipd);
        free(m);
        return SZ_ERR_INVALID_ARG;
    }
    m->ux[0] = dx / m->ipd;
    m->ux[1] = dy / m->ipd;
    m->vy[0] = -m->ux[1];
    m->vy[1] = m->ux[0];
    m->ox = 0.5f * (el[0] + er[0]);
    m->oy = 0.5f * (el[1] + er[1]);
    pmo_line(m, &rig->contours[PHOTO_LIP_INNER], &m->seam);
    pmo_line(m, &rig->contours[PHOTO_LIP_UPPER_OUTER], &m->lip_up);
    pmo_line(m, &rig->contours[PHOTO_LIP_LOWER_OUTER], &m->lip_lo);
    pmo_line(m, &rig->contours[PHOTO_JAW], &m->jaw);
    for (int e = 0; e < 2; e++) {
        pmo_line(m, &rig->contours[PHOTO_EYE_LEFT_UPPER + 2 * e], &m->lid_up[e]);
        pmo_line(m, &rig->contours[PHOTO_EYE_LEFT_LOWER + 2 * e], &m->lid_lo[e]);
        pmo_line(m, &rig->contours[PHOTO_BROW_LEFT + e], &m->brow[e]);
        m->eye_w[e] = m->lid_up[e].x[m->lid_up[e].n - 1] - m->lid_up[e].x[0];
    }
    const pm_line *s = &m->seam;
    m->mw = s->x[s->n - 1] - s->x[0];
    m->mx = 0.5f * (s->x[0] + s->x[s->n - 1]);
    m->my = pmo_y_at(s, m->mx);
    pmo_local(m, rig->landmarks[PHOTO_CHIN][0], rig->landmarks[PHOTO_CHIN][1], &m->chin_x,
              &m->chin_y);
    if (!(m->mw > 0.1f * m->ipd) || !(m->my > 0.2f * m->ipd) || !(m->chin_y > m->my) ||
        m->eye_w[0] <= 0 || m->eye_w[1] <= 0) {
        free(m);
        snprintf(err, errlen,
                 "the landmarks do not make a frontal face (mouth, chin and eyes "
                 "out of order)");
        return SZ_ERR_INVALID_ARG;
    }
    m->nose_x = m->mx;
    m->nose_y = 0.6f * m->my;
    *out = m;
    return SZ_OK;
}

void photo_motion_free(photo_motion **m)
{
    if (m && *m) {
        free(*m);
        *m = NULL;
    }
}

float photo_motion_ipd(const photo_motion *m)
{
    return m->ipd;
}
float photo_motion_mouth_width(const photo_motion *m)
{
    return m->mw;
}
void photo_motion_axes(const photo_motion *m, float *ux, float *vy)
{
    ux[0] = m->ux[0], ux[1] = m->ux[1], vy[0] = m->vy[0], vy[1] = m->vy[1];
}

void photo_motion_coefficients(const float *c, float *coef)
{
    float j = c[RIG_C_JAW_OPEN], s = c[RIG_C_LIP_SPREAD], f = c[RIG_C_TEETH_LIP];
    float happy = c[RIG_C_HAPPY];
    coef[PM_JAW] = j;
    coef[PM_OPEN] = c[RIG_C_MOUTH_OPEN];
    coef[PM_SPREAD] = s;
    coef[PM_ROUND] = c[RIG_C_LIP_ROUND];
    coef[PM_SMILE] = happy;
    coef[PM_LIFT] = pmo_clamp(0.25f * j + 0.55f * j * s + 1.0f * f, 0.0f, 1.2f);
    coef[PM_BLINK] = c[RIG_C_BLINK];
    coef[PM_BROW] =
        0.9f * c[RIG_C_SURPRISED] + 0.35f * c[RIG_C_SAD] + 0.12f * happy - 0.7f * c[RIG_C_ANGRY];
    coef[PM_YAW] = c[RIG_C_HEAD_YAW];
    coef[PM_PITCH] = c[RIG_C_HEAD_PITCH];
    coef[PM_ROLL] = c[RIG_C_HEAD_ROLL];
    coef[PM_BREATH] = c[RIG_C_BREATH];
}

/* out += (a * ux + b * vy) for motion k */
static void pmo_put(const photo_motion *m, float *out, int k, float a, float b)
{
    out[2 * k] += a * m->ux[0] + b * m->vy[0];
    out[2 * k + 1] += a * m->ux[1] + b * m->vy[1];
}

void photo_motion_basis(const photo_motion *m, float x, float y, pm_point_kind kind, int eye,
                        int index, float *out)
{
    memset(out, 0, PM_N_MOTIONS * 2 * sizeof *out);
    float fx, fy;
    pmo_local(m, x, y, &fx, &fy);
    float ipd = m->ipd, mw = m->mw;
    float face_h = m->chin_y;

    /* the head: whole above the chin, fading down the neck */
    float wh = 1.0f - pmo_smooth(m->chin_y + 0.1f * face_h, m->chin_y + 0.45f * face_h, fy);
    /* ...and only around the head and neck: shoulders and background stay */
    float reach =
        fy < m->chin_y
            ? 1.6f * ipd
            : 1.6f * ipd - 0.9f * ipd * pmo_smooth(m->chin_y, m->chin_y + 0.3f * face_h, fy);
    wh *= 1.0f - pmo_smooth(reach, reach + 0.6f * ipd, fabsf(fx - m->chin_x));
    float rn = hypotf(fx - m->nose_x, (fy - m->nose_y) * 0.8f) / (0.95f * ipd);
    float wf = (1.0f - pmo_smooth(0.25f, 1.0f, rn)) * wh;
    pmo_put(m, out, PM_YAW, ipd * (0.35f * wh + 1.1f * wf), 0.0f);
    pmo_put(m, out, PM_PITCH, 0.0f, ipd * (0.3f * wh + 0.8f * wf));
    float qx = m->chin_x, qy = m->chin_y + 0.35f * face_h; /* the neck: roll pivot */
    pmo_put(m, out, PM_ROLL, -(fy - qy) * wh, (fx - qx) * wh);
    pmo_put(m, out, PM_BREATH, 0.0f, -0.012f * ipd * wh);
    if (kind == PM_POINT_HEAD)
        return;

    float J = 0.36f * mw;
    float xr = (fx - m->mx) / (0.5f * mw);
    float xc = pmo_clamp(xr, -1.0f, 1.0f);
    float seam_y = pmo_y_at(&m->seam, fx);
    if (kind == PM_POINT_JAW) {
        pmo_put(m, out, PM_JAW, 0.0f, 0.85f * J);
        return;
    }
    /* which lip the point is on: the seam's vertices say; others by place */
    int below = kind == PM_POINT_SEAM_LOWER || (kind == PM_POINT_SKIN && fy > seam_y);
    if (kind == PM_POINT_SEAM_UPPER)
        below = 0;
    float side = fabsf(xr) > 1.0f ? (fabsf(xr) - 1.0f) * 0.5f * mw : 0.0f;
    float sig = 0.28f * mw;
    float wl, wu;
    if (fabsf(xr) <= 1.0f || kind == PM_POINT_SEAM_LOWER || kind == PM_POINT_SEAM_UPPER) {
        float lo_y = pmo_y_at(&m->lip_lo, fx), up_y = pmo_y_at(&m->lip_up, fx);
        float d_lo = fy > lo_y ? fy - lo_y : 0.0f, d_up = fy < up_y ? up_y - fy : 0.0f;
        wl = below ? pmo_bump(d_lo, 2.2f * sig) : 0.0f;
        wu = below ? 0.0f : pmo_bump(d_up, 0.3f * mw);
    } else {
        /* beside the mouth: continuous across the seam's extension */
        float t = pmo_smooth(-0.12f * mw, 0.12f * mw, fy - seam_y);
        float fall = pmo_bump(side, 2.2f * sig);
        float lo_y = pmo_y_at(&m->lip_lo, fx), d_lo = fy > lo_y ? fy - lo_y : 0.0f;
        wl = t * fall * pmo_bump(d_lo, 2.2f * sig);
        wu = (1.0f - t) * fall * 0.5f * pmo_bump(seam_y - fy, 0.3f * mw);
    }
    /* the lower lip parts in a lens: most at the centre, little at the corners */
    float lens = 0.2f + 0.8f * (1.0f - xc * xc);
    float tchin = (fy - m->my) / (m->chin_y - m->my);
    float lipdrop = 0.8f + 0.2f * pmo_clamp(tchin, 0.0f, 1.0f);
    /* the jaw: the lower face below the mouth, inside the face outline */
    float fcx, fhw;
    pmo_face_width(m, m->my, &fcx, &fhw);
    /* the jaw turns about the ears: the chin drops most, the jaw's corners
     * little, the neck beside it not at all */
    float H = 1.0f - pmo_smooth(0.25f, 1.05f, fabsf(fx - m->chin_x) / fhw);
    /* below the jaw line the neck is covered as the jaw drops: it moves as
     * the jaw line above it does, fading out further down */
    float jy = pmo_jaw_y(m, fx), V;
    float tj = (fminf(fy, jy) - m->my) / (m->chin_y - m->my);
    V = pmo_smooth(-0.3f, 0.45f, tj) * (0.8f + 0.2f * pmo_clamp(tj, 0.0f, 1.0f));
    if (fy > jy)
        V *= 1.0f - pmo_smooth(0.0f, 0.35f * (m->chin_y - m->my), fy - jy);
    if (below && fabsf(xr) <= 1.0f && V < 0.8f)
        V = 0.8f; /* the lower lip rides the jaw */
    if (!below)
        V *= pmo_smooth(1.0f, 1.7f, fabsf(xr)); /* the upper lip stays with the skull */
    float wjaw = V * H;
    pmo_put(m, out, PM_JAW, 0.0f, J * wjaw * (1.0f - wl));
    pmo_put(m, out, PM_OPEN, 0.0f, J * wl * lens * lipdrop);
    /* lip shapes: horizontal about the mouth centre, fading into the skin */
    float dm_y = fy < seam_y ? pmo_y_at(&m->lip_up, fx) - fy : fy - pmo_y_at(&m->lip_lo, fx);
    if (dm_y < 0)
        dm_y = 0;
    float rv = fy < seam_y ? 0.32f * mw : 0.7f * mw;
    float wm = pmo_bump(
        sqrtf((dm_y / rv) * (dm_y / rv) + (side / (0.6f * mw)) * (side / (0.6f * mw))), 1.0f);
    pmo_put(m, out, PM_SPREAD, 0.11f * mw * xc * wm, -0.01f * mw * wm);
    /* rounding pushes the lips out: thicker in front, the seam itself stays */
    float off_seam = pmo_clamp(fabsf(fy - seam_y) / (0.1f * mw), 0.0f, 1.0f);
    pmo_put(m, out, PM_ROUND, -0.2f * mw * xc * wm * (0.4f + 0.6f * fabsf(xc)),
            (below ? 0.035f : -0.035f) * mw * wm * (1.0f - xc * xc) * off_seam);
    pmo_put(m, out, PM_SMILE, 0.07f * mw * xc * wm, -0.09f * mw * xc * xc * wm);
    pmo_put(m, out, PM_LIFT, 0.0f, -0.085f * mw * wu * (1.0f - 0.5f * xc * xc));
    /* cheeks rise with a smile */
    for (int e = 0; e < 2; e++) {
        float cx = m->lid_lo[e].x[m->lid_lo[e].n / 2], cy = pmo_y_at(&m->lid_lo[e], cx);
        float ccy = cy + 0.45f * ipd;
        float dc = hypotf(fx - cx, fy - ccy) / (0.45f * ipd);
        pmo_put(m, out, PM_SMILE, 0.0f, -0.025f * ipd * pmo_bump(dc, 2.0f));
    }

    /* eyes: lids and the skin above and below them */
    for (int e = 0; e < 2; e++) {
        const pm_line *up = &m->lid_up[e], *lo = &m->lid_lo[e], *br = &m->brow[e];
        float x0 = up->x[0], x1 = up->x[up->n - 1], ew = m->eye_w[e];
        float beyond = fx < x0 ? x0 - fx : fx > x1 ? fx - x1 : 0.0f;
        float hx = 1.0f - pmo_smooth(0.0f, 0.45f * ew, beyond);
        if (hx <= 0.0f)
            continue;
        float uy = pmo_y_at(up, fx), ly = pmo_y_at(lo, fx);
        float gap = ly - uy;
        if (gap < 0)
            gap = 0;
        float by = 0.0f;
        for (int i = 0; i < br->n; i++)
            by += br->y[i] / br->n;
        if (kind == PM_POINT_LID_UPPER && eye == e) {
            pmo_put(m, out, PM_BLINK, 0.0f, 0.9f * gap);
            pmo_put(m, out, PM_SMILE, 0.0f, 0.04f * gap);
        } else if (kind == PM_POINT_LID_LOWER && eye == e) {
            pmo_put(m, out, PM_BLINK, 0.0f, -0.1f * gap);
            pmo_put(m, out, PM_SMILE, 0.0f, -0.22f * gap);
        } else if (fy < uy && fy > by - 0.4f * ipd) {
            /* the lashes ride down with the margin whole; the lid skin
             * above them unfolds over the eye */
            float lash = uy - PHOTO_LASH_BAND * ipd;
            float t = fy >= lash ? 1.0f : pmo_clamp((fy - by) / (lash - by), 0.0f, 1.0f);
            pmo_put(m, out, PM_BLINK, 0.0f, 0.9f * gap * t * t * hx);
        } else if (fy > ly && fy < ly + 0.6f * ew) {
            float t = 1.0f - (fy - ly) / (0.6f * ew);
            pmo_put(m, out, PM_BLINK, 0.0f, -0.1f * gap * t * hx);
            pmo_put(m, out, PM_SMILE, 0.0f, -0.22f * gap * t * hx);
        }
        (void)index;
        /* brows: raised and lowered with the skin around them, lids still */
        float dbx = beyond > 0 ? beyond : 0.0f;
        float dby = fy - by;
        float wb = pmo_bump(sqrtf((dbx / (0.8f * ew)) * (dbx / (0.8f * ew)) +
                                  (dby / (0.66f * ipd)) * (dby / (0.66f * ipd))),
                            1.0f);
        float keep = pmo_smooth(uy + 0.02f * ipd, uy - 0.25f * ipd, fy); /* 0 at the lid margin */
        if (fy >= uy)
            keep = 0.0f;
        pmo_put(m, out, PM_BROW, 0.0f, -0.08f * ipd * wb * keep);
    }
}
