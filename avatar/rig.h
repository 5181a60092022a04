/* SPDX-License-Identifier: Apache-2.0 */
/* rig.h: the 2D rig format (avatar.json): layered vector parts in groups,
 * driven by named controls computed from the face parameters. The loader
 * validates every field and names the bad one by path. docs/AVATAR_RIG.md
 * describes the format for artists. */
#ifndef SZ_AVATAR_RIG_H
#define SZ_AVATAR_RIG_H

#include <stddef.h>
#include <stdint.h>

#include "core/media.h"

#define RIG_NAME_MAX 64
#define RIG_MAX_GROUPS 64
#define RIG_MAX_PARTS 512
#define RIG_MAX_PAINTS 256
#define RIG_MAX_STOPS 16
#define RIG_MAX_MORPHS 32 /* per part */
#define RIG_MAX_DRIVES 16 /* per part or group */
#define RIG_MAX_VALUES 4096 /* numbers in one shape */

/* Controls: what drives morphs and transforms. Values are clamped: 0..1
 * except gaze_x/gaze_y/breath (-1..1) and the head angles (radians, -0.35..0.35). */
enum {
    RIG_C_JAW_OPEN = 0,
    RIG_C_LIP_SPREAD,
    RIG_C_LIP_ROUND,
    RIG_C_LIP_CLOSE,
    RIG_C_TEETH_LIP,
    RIG_C_TONGUE,
    RIG_C_MOUTH_OPEN, /* lips apart: jaw_open * (1 - lip_close) * (1 - 0.75 teeth_lip) */
    RIG_C_BLINK,
    RIG_C_GAZE_X,
    RIG_C_GAZE_Y,
    RIG_C_HEAD_YAW,
    RIG_C_HEAD_PITCH,
    RIG_C_HEAD_ROLL,
    RIG_C_BREATH,
    RIG_C_HAPPY,
    RIG_C_ANGRY,
    RIG_C_SAD,
    RIG_C_RELAXED,
    RIG_C_SURPRISED,
    RIG_C_SPEAKING,
    RIG_C_VISEME0, /* viseme_sil, viseme_PP, ... viseme_ou: the 15 weights */
    RIG_C_COUNT = RIG_C_VISEME0 + VIS_COUNT
};

/* "jaw_open", ..., "viseme_ou"; NULL outside. */
const char *rig_control_name(int control);
/* Index of a control name, or -1. */
int rig_control_find(const char *name);
/* Fills out[RIG_C_COUNT] from a face (NULL = neutral); NaN reads as 0. */
void rig_controls_from_face(const sz_face *face, float *out);

/* An input: a control mapped to the number that scales an effect. */
typedef enum { RIG_MAP_RAW = 0, RIG_MAP_RANGE, RIG_MAP_CLAMP } rig_map_kind;

typedef struct rig_input {
    int control;
    rig_map_kind map; /* RANGE: (v - lo) / (hi - lo) clamped to 0..1; CLAMP: lo..hi */
    float lo, hi;
    float gain; /* multiplies the mapped value (default 1) */
    int unless; /* a control that fades the input out: value * (1 - unless), or -1 */
} rig_input;

/* Transform and opacity effects of one input (each scaled by it). */
typedef struct rig_drive {
    rig_input in;
    float tx, ty;  /* translate */
    float rotate;  /* radians, about the pivot */
    float sx, sy;  /* scale added to 1, about the pivot */
    float opacity; /* added to the base opacity */
} rig_drive;

typedef enum { RIG_SHAPE_PATH = 0, RIG_SHAPE_ELLIPSE, RIG_SHAPE_RECT } rig_shape_kind;

/* Path commands after normalisation (absolute coordinates). */
enum { RIG_OP_MOVE = 'M', RIG_OP_LINE = 'L', RIG_OP_CURVE = 'C', RIG_OP_CLOSE = 'Z' };

typedef struct rig_shape {
    rig_shape_kind kind;
    int n_ops;
    uint8_t *ops; /* path only */
    int n_vals;
    float *vals; /* path: 2 per M/L, 6 per C; ellipse: cx cy rx ry; rect: x y w h r */
} rig_shape;

typedef struct rig_morph {
    rig_input in;
    float *delta; /* n_vals of the base shape: target - base */
} rig_morph;

typedef enum { RIG_PAINT_SOLID = 0, RIG_PAINT_LINEAR, RIG_PAINT_RADIAL } rig_paint_kind;

typedef struct rig_paint {
    char name[RIG_NAME_MAX]; /* "" for a colour written inline */
    rig_paint_kind kind;
    float rgba[4];  /* solid */
    float geom[6];  /* linear: x0 y0 x1 y1; radial: cx0 cy0 r0 cx1 cy1 r1 */
    int n_stops;
    float stops[RIG_MAX_STOPS][5]; /* offset r g b a */
} rig_paint;

typedef enum { RIG_CAP_BUTT = 0, RIG_CAP_ROUND, RIG_CAP_SQUARE } rig_cap;
typedef enum { RIG_JOIN_MITER = 0, RIG_JOIN_ROUND, RIG_JOIN_BEVEL } rig_join;

typedef struct rig_group {
    char name[RIG_NAME_MAX];
    int parent;       /* index of an earlier group, -1 for the canvas */
    float ax, ay;     /* anchor: where the group's origin sits in its parent */
    float px, py;     /* pivot for rotation and scale, group-local */
    int n_drives;
    rig_drive *drives;
} rig_group;

typedef struct rig_part {
    char name[RIG_NAME_MAX];
    int group;        /* index into groups */
    float ax, ay;     /* anchor: the part's origin in its group */
    float px, py;     /* pivot, part-local */
    rig_shape shape;
    int n_morphs;
    rig_morph *morphs;
    int n_drives;
    rig_drive *drives;
    int fill, stroke; /* paint index or -1 */
    float stroke_width;
    rig_cap cap;
    rig_join join;
    float opacity;
    int clip;         /* index of an earlier part whose shape clips this one, or -1 */
} rig_part;

typedef struct avatar_rig {
    char name[RIG_NAME_MAX];
    char description[256];
    char style[RIG_NAME_MAX];
    float canvas_w, canvas_h;
    int n_paints, n_groups, n_parts;
    rig_paint *paints;
    rig_group *groups;
    rig_part *parts;
    int max_vals; /* the largest shape, for scratch buffers */
} avatar_rig;

/* Parses and validates a manifest. label names it in messages (the file
 * path); errors read "label: parts[3].anchor: expected [x, y]". */
int rig_load_text(const char *text, size_t len, const char *label, avatar_rig **out, char *err,
                  size_t errlen);
int rig_load_file(const char *path, avatar_rig **out, char *err, size_t errlen);
void rig_free(avatar_rig **rig);

/* Parses SVG path data (M L H V C S Q T Z, absolute and relative) into
 * absolute M/L/C/Z. On error writes "at character N: ..." to err. */
int rig_parse_path(const char *d, rig_shape *shape, char *err, size_t errlen);

/* The value an input gives for the current controls. */
float rig_input_value(const rig_input *in, const float *controls);

#endif
