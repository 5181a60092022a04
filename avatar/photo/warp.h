/* SPDX-License-Identifier: Apache-2.0 */
/* warp.h: piecewise-affine image warping: one triangle of a source image
 * drawn into a destination triangle, bilinear, composited OVER. Both images
 * are premultiplied BGRA (cairo's ARGB32). */
#ifndef SZ_AVATAR_PHOTO_WARP_H
#define SZ_AVATAR_PHOTO_WARP_H

#include <stdint.h>

typedef struct warp_image {
    uint8_t *data;
    int width, height, stride;
} warp_image;

/* Which edges of a triangle are drawn with soft (anti-aliased) coverage:
 * bit k is the edge from vertex k to vertex (k + 1) % 3. Shared edges
 * inside a mesh stay hard so neighbours meet without seams. */
enum { WARP_EDGE0 = 1, WARP_EDGE1 = 2, WARP_EDGE2 = 4 };

/* Draws the destination triangle dst (x0 y0 x1 y1 x2 y2, pixels) with the
 * pixels of the source triangle src, clipped to clip = {x0, y0, x1, y1}
 * (x1, y1 exclusive). Pixel centres are at +0.5. */
void warp_triangle(const warp_image *dst, const warp_image *src, const float dst_xy[6],
                   const float src_xy[6], int soft_edges, const int clip[4]);

#endif
