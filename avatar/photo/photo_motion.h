/* SPDX-License-Identifier: Apache-2.0 */
/* photo_motion.h: how a photo avatar's points move with the face controls.
 * Each point gets one displacement per motion (jaw, lips apart, spread,
 * round, smile, upper lip lift, blink, brows, head yaw/pitch/roll, breath),
 * computed once from the landmarks; a frame is the rest position plus the
 * displacements weighted by that frame's coefficients. */
#ifndef SZ_AVATAR_PHOTO_MOTION_H
#define SZ_AVATAR_PHOTO_MOTION_H

#include "avatar/photo/photo_rig.h"

enum {
    PM_JAW = 0, /* jaw_open: chin and jaw drop */
    PM_OPEN,    /* mouth_open: the lower lip parts from the upper */
    PM_SPREAD,  /* lip_spread */
    PM_ROUND,   /* lip_round: corners in */
    PM_SMILE,   /* happy: corners up and out, cheeks and lower lids up */
    PM_LIFT,    /* the upper lip lifts (wide vowels, FF) */
    PM_BLINK,   /* upper lids down to the lower */
    PM_BROW,    /* brows up (negative: down) */
    PM_YAW,     /* head turn, radians */
    PM_PITCH,   /* head nod, radians */
    PM_ROLL,    /* head tilt, radians (small-angle rotation) */
    PM_BREATH,  /* -1..1 */
    PM_N_MOTIONS
};

/* What a point belongs to where the mesh is split or layered. */
typedef enum {
    PM_POINT_SKIN = 0,   /* anything: decided by where it is */
    PM_POINT_SEAM_UPPER, /* the upper lip's edge on the seam */
    PM_POINT_SEAM_LOWER, /* the lower lip's edge on the seam */
    PM_POINT_LID_UPPER,  /* an upper lid margin vertex (index in eye contour below) */
    PM_POINT_LID_LOWER,
    PM_POINT_HEAD, /* moves with the head only (eyeballs, upper teeth) */
    PM_POINT_JAW   /* moves with the head and the jaw (lower teeth) */
} pm_point_kind;

typedef struct photo_motion photo_motion;

int photo_motion_open(const photo_rig *rig, photo_motion **out, char *err, size_t errlen);
void photo_motion_free(photo_motion **m);
/* Displacements of a point (image pixels per unit of each motion) into
 * out[PM_N_MOTIONS][2]. eye/index: for lid points, which eye and which
 * position along the lid. */
void photo_motion_basis(const photo_motion *m, float x, float y, pm_point_kind kind, int eye,
                        int index, float *out);
/* The coefficients of a frame from the rig controls (rig.h). */
void photo_motion_coefficients(const float *controls, float *coef);
/* Scale of the face: inter-pupil distance and mouth width, pixels. */
float photo_motion_ipd(const photo_motion *m);
float photo_motion_mouth_width(const photo_motion *m);
/* The face's axes: unit vectors along the eye line and down the face. */
void photo_motion_axes(const photo_motion *m, float *ux, float *vy);

#endif
