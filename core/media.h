/* SPDX-License-Identifier: Apache-2.0 */
/* media.h: the data every stage passes along: face parameters (one per video
 * frame) and video frames. Audio travels as mono float32 at the voice's rate. */
#ifndef SZ_CORE_MEDIA_H
#define SZ_CORE_MEDIA_H

#include <stdint.h>

/* The 15 visemes of the Oculus/OpenXR set, in this order. */
enum {
    VIS_SIL = 0, VIS_PP, VIS_FF, VIS_TH, VIS_DD, VIS_KK, VIS_CH, VIS_SS,
    VIS_NN, VIS_RR, VIS_AA, VIS_E, VIS_IH, VIS_OH, VIS_OU,
    VIS_COUNT
};

/* "sil", "PP", ... for index 0..14; NULL outside. */
const char *media_viseme_name(int viseme);

enum { EXPR_HAPPY = 0, EXPR_ANGRY, EXPR_SAD, EXPR_RELAXED, EXPR_SURPRISED, EXPR_COUNT };

typedef struct sz_face {
    float viseme[VIS_COUNT]; /* weights 0..1, summing to ~1 */
    /* Derived mouth controls, 0..1 unless noted. */
    float jaw_open;   /* how far the jaw drops */
    float lip_spread; /* mouth corners pulled wide (E, ih, SS) */
    float lip_round;  /* pucker/rounding (ou, oh) */
    float lip_close;  /* lips pressed together (PP) */
    float teeth_lip;  /* lower lip under upper teeth (FF) */
    float tongue;     /* tongue tip visible (TH, DD, nn) */
    /* Idle life and pose. */
    float blink;      /* 0 open .. 1 closed */
    float gaze_x, gaze_y;     /* -1..1 */
    float head_yaw, head_pitch, head_roll; /* radians */
    float breath;     /* -1..1 phase of breathing (chest/shoulders rise) */
    float expression[EXPR_COUNT];
    float speaking;   /* 0..1 how much the face is in speech */
} sz_face;

/* Pixel layouts. BGRA32 is cairo's ARGB32 on a little-endian machine:
 * premultiplied alpha, bytes B, G, R, A. */
typedef enum sz_pixfmt { SZ_PIX_BGRA = 0, SZ_PIX_I420 = 1 } sz_pixfmt;

typedef struct sz_video_frame {
    sz_pixfmt format;
    int width, height;
    int stride;       /* bytes per row of plane 0 */
    uint8_t *data;    /* plane 0 (BGRA: the whole image) */
    int64_t pts;      /* frame index (time = pts / fps) */
} sz_video_frame;

#endif
