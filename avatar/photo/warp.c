/* SPDX-License-Identifier: Apache-2.0 */
/* warp.c: draws a triangle of a source image into a destination triangle
 * (piecewise-affine warping). Each destination pixel inside the triangle
 * maps back to the source by the triangle's affine map, is sampled
 * bilinearly in 8-bit fixed point, and composited OVER (premultiplied).
 * Soft edges get coverage from the pixel centre's distance to the edge. */
#include "avatar/photo/warp.h"

#include <math.h>
#include <stddef.h>

/* Bilinear sample of premultiplied BGRA at fixed point (fx, fy) (8
 * fractional bits, pixel centres at integers), clamped to the image. */
static inline uint32_t warp_sample(const warp_image *src, int fx, int fy)
{
    int x = fx >> 8, y = fy >> 8;
    int ax = fx & 255, ay = fy & 255;
    int x1 = x + 1, y1 = y + 1;
    if (x < 0) {
        x = x1 = 0;
        ax = 0;
    } else if (x1 >= src->width) {
        x = x1 = src->width - 1;
        ax = 0;
    }
    if (y < 0) {
        y = y1 = 0;
        ay = 0;
    } else if (y1 >= src->height) {
        y = y1 = src->height - 1;
        ay = 0;
    }
    const uint32_t *r0 = (const uint32_t *)(src->data + (size_t)y * src->stride);
    const uint32_t *r1 = (const uint32_t *)(src->data + (size_t)y1 * src->stride);
    uint32_t p00 = r0[x], p01 = r0[x1], p10 = r1[x], p11 = r1[x1];
    /* two channels at a time: 0x00ff00ff masks */
    uint32_t w00 = (uint32_t)((256 - ax) * (256 - ay)) >> 8, w01 = (uint32_t)(ax * (256 - ay)) >> 8;
    uint32_t w10 = (uint32_t)((256 - ax) * ay) >> 8, w11 = 256u - w00 - w01 - w10;
    uint32_t rb = (p00 & 0x00ff00ffu) * w00 + (p01 & 0x00ff00ffu) * w01 +
                  (p10 & 0x00ff00ffu) * w10 + (p11 & 0x00ff00ffu) * w11;
    uint32_t ag = ((p00 >> 8) & 0x00ff00ffu) * w00 + ((p01 >> 8) & 0x00ff00ffu) * w01 +
                  ((p10 >> 8) & 0x00ff00ffu) * w10 + ((p11 >> 8) & 0x00ff00ffu) * w11;
    return ((rb >> 8) & 0x00ff00ffu) | (ag & 0xff00ff00u);
}

static inline double warp_clamp(double x, double lim)
{
    return x < -lim ? -lim : x > lim ? lim : x;
}

/* 16 fractional bits to the sampler's 8, within int */
static inline int warp_fix8(int64_t a)
{
    a /= 256;
    return a < -(1 << 30) ? -(1 << 30) : a > (1 << 30) ? (1 << 30) : (int)a;
}

/* dst = s * cov + dst * (1 - alpha(s) * cov), cov 0..256 */
static inline uint32_t warp_over(uint32_t d, uint32_t s, uint32_t cov)
{
    if (cov < 256) {
        uint32_t rb = ((s & 0x00ff00ffu) * cov >> 8) & 0x00ff00ffu;
        uint32_t ag = (((s >> 8) & 0x00ff00ffu) * cov) & 0xff00ff00u;
        s = rb | ag;
    }
    uint32_t inv = 255u - (s >> 24);
    if (inv == 0)
        return s;
    uint32_t rb = (d & 0x00ff00ffu) * inv;
    uint32_t ag = ((d >> 8) & 0x00ff00ffu) * inv;
    /* divide by 255: (x + 128 + ((x + 128) >> 8)) >> 8, per 16-bit lane */
    rb += 0x00800080u;
    rb = ((rb + ((rb >> 8) & 0x00ff00ffu)) >> 8) & 0x00ff00ffu;
    ag += 0x00800080u;
    ag = (ag + ((ag >> 8) & 0x00ff00ffu)) & 0xff00ff00u;
    return s + (rb | ag);
}

void warp_triangle(const warp_image *dst, const warp_image *src, const float dst_xy[6],
                   const float src_xy[6], int soft_edges, const int clip[4])
{
    double x[3] = {dst_xy[0], dst_xy[2], dst_xy[4]}, y[3] = {dst_xy[1], dst_xy[3], dst_xy[5]};
    double u[3] = {src_xy[0], src_xy[2], src_xy[4]}, v[3] = {src_xy[1], src_xy[3], src_xy[5]};
    double area = (x[1] - x[0]) * (y[2] - y[0]) - (x[2] - x[0]) * (y[1] - y[0]);
    if (!(fabs(area) > 1e-9))
        return;
    /* the affine map destination -> source */
    double inv = 1.0 / area;
    double dux = ((u[1] - u[0]) * (y[2] - y[0]) - (u[2] - u[0]) * (y[1] - y[0])) * inv;
    double duy = ((u[2] - u[0]) * (x[1] - x[0]) - (u[1] - u[0]) * (x[2] - x[0])) * inv;
    double dvx = ((v[1] - v[0]) * (y[2] - y[0]) - (v[2] - v[0]) * (y[1] - y[0])) * inv;
    double dvy = ((v[2] - v[0]) * (x[1] - x[0]) - (v[1] - v[0]) * (x[2] - x[0])) * inv;
    /* edge functions, positive inside, in pixels of distance */
    double ea[3], eb[3], ec[3];
    int soft[3];
    double sign = area > 0 ? 1.0 : -1.0;
    for (int k = 0; k < 3; k++) {
        int k1 = (k + 1) % 3;
        double dx = x[k1] - x[k], dy = y[k1] - y[k];
        double len = sqrt(dx * dx + dy * dy);
        if (len < 1e-12)
            return;
        /* inside for a counter-clockwise (positive area) triangle: cross > 0 */
        ea[k] = -dy * sign / len;
        eb[k] = dx * sign / len;
        ec[k] = -(ea[k] * x[k] + eb[k] * y[k]);
        soft[k] = (soft_edges >> k) & 1;
    }
    double pad = soft_edges ? 1.0 : 0.0;
    double minx = fmin(x[0], fmin(x[1], x[2])) - pad, maxx = fmax(x[0], fmax(x[1], x[2])) + pad;
    double miny = fmin(y[0], fmin(y[1], y[2])) - pad, maxy = fmax(y[0], fmax(y[1], y[2])) + pad;
    int x0 = (int)floor(minx), x1 = (int)ceil(maxx), y0 = (int)floor(miny), y1 = (int)ceil(maxy);
    if (x0 < clip[0])
        x0 = clip[0];
    if (y0 < clip[1])
        y0 = clip[1];
    if (x1 > clip[2])
        x1 = clip[2];
    if (y1 > clip[3])
        y1 = clip[3];
    if (x0 >= x1 || y0 >= y1)
        return;
    /* a half-open rule for hard edges: a pixel centre exactly on an edge
     * belongs to the triangle on the edge's positive (a, b) side */
    double tie[3];
    for (int k = 0; k < 3; k++)
        tie[k] = (ea[k] > 0 || (ea[k] == 0 && eb[k] > 0)) ? 0.0 : 1e-9;
    for (int py = y0; py < y1; py++) {
        double cy = py + 0.5, cx = x0 + 0.5;
        double e[3];
        for (int k = 0; k < 3; k++)
            e[k] = ea[k] * cx + eb[k] * cy + ec[k];
        /* the span of this row: solve each edge for where it turns inside */
        double lo = x0, hi = x1;
        for (int k = 0; k < 3; k++) {
            double lim = soft[k] ? -0.5 : tie[k];
            if (fabs(ea[k]) < 1e-12) {
                if (e[k] < lim)
                    lo = hi;
                continue;
            }
            double xs = x0 + (lim - e[k]) / ea[k]; /* e(x0 + t) = e + ea t */
            if (ea[k] > 0)
                lo = fmax(lo, ceil(xs - 1e-9));
            else
                hi = fmin(hi, floor(xs + 1e-9) + 1);
        }
        int sx = (int)lo, ex = (int)hi;
        if (sx < x0)
            sx = x0;
        if (ex > x1)
            ex = x1;
        if (sx >= ex)
            continue;
        uint32_t *row = (uint32_t *)(dst->data + (size_t)py * dst->stride);
        double px = sx + 0.5;
        double su = u[0] + dux * (px - x[0]) + duy * (cy - y[0]) - 0.5;
        double sv = v[0] + dvx * (px - x[0]) + dvy * (cy - y[0]) - 0.5;
        /* 16 fractional bits while stepping, 8 when sampling; kept in range
         * whatever the triangles (a flat source triangle maps far away) */
        int64_t acc_u = (int64_t)llrint(warp_clamp(su, 1e6) * 65536.0);
        int64_t acc_v = (int64_t)llrint(warp_clamp(sv, 1e6) * 65536.0);
        int64_t fdu = (int64_t)llrint(warp_clamp(dux, 1e4) * 65536.0);
        int64_t fdv = (int64_t)llrint(warp_clamp(dvx, 1e4) * 65536.0);
        if (!soft_edges) {
            for (int px_i = sx; px_i < ex; px_i++) {
                uint32_t s = warp_sample(src, warp_fix8(acc_u), warp_fix8(acc_v));
                if (s)
                    row[px_i] = warp_over(row[px_i], s, 256);
                acc_u += fdu;
                acc_v += fdv;
            }
            continue;
        }
        for (int px_i = sx; px_i < ex; px_i++) {
            double c = 1.0;
            double pxc = px_i + 0.5;
            for (int k = 0; k < 3; k++) {
                if (!soft[k])
                    continue;
                double d = ea[k] * pxc + eb[k] * cy + ec[k] + 0.5;
                if (d < c)
                    c = d;
            }
            if (c > 0.0) {
                uint32_t s = warp_sample(src, warp_fix8(acc_u), warp_fix8(acc_v));
                if (s)
                    row[px_i] = warp_over(row[px_i], s, (uint32_t)lrint(c * 256.0));
            }
            acc_u += fdu;
            acc_v += fdv;
        }
    }
}
