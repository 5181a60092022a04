/* SPDX-License-Identifier: Apache-2.0 */
/* mouth.h: the inside of a photo avatar's open mouth, drawn behind the
 * warped lips: a dark cavity with soft shading, upper and lower teeth from
 * textures drawn once at open, and the tongue. */
#ifndef SZ_AVATAR_PHOTO_MOUTH_H
#define SZ_AVATAR_PHOTO_MOUTH_H

#include <cairo.h>

typedef struct photo_mouth photo_mouth;

/* mouth_width: pixels in the frame at rest. */
int photo_mouth_open(double mouth_width, photo_mouth **out);
void photo_mouth_free(photo_mouth **m);

typedef struct photo_mouth_pose {
    const float *outline; /* the opening, frame pixels: n points, closed */
    int n;
    float upper_teeth[2]; /* the middle of the upper teeth's biting edge */
    float lower_teeth[2]; /* the middle of the lower teeth's edge */
    float angle;          /* the face's tilt, radians */
    float tongue;         /* 0..1: the tip raised toward the upper teeth */
} photo_mouth_pose;

/* Draws the inside, clipped to the opening grown by half a pixel. */
void photo_mouth_draw(const photo_mouth *m, cairo_t *cr, const photo_mouth_pose *pose);

#endif
