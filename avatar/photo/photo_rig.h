/* SPDX-License-Identifier: Apache-2.0 */
/* photo_rig.h: the photo avatar format (avatar.json with "format":
 * "shuzi-photo"): a portrait image, its face landmarks and contours, and a
 * triangle mesh over the whole image whose vertices the renderer moves. The
 * loader validates every field and names the bad one by path; the builder
 * makes the mesh from the contours (shuzi avatar create writes it). See
 * docs/AVATAR_RIG.md. */
#ifndef SZ_AVATAR_PHOTO_RIG_H
#define SZ_AVATAR_PHOTO_RIG_H

#include <stddef.h>

#include "avatar/rig.h"
#include "core/log.h"

#define PHOTO_FORMAT "shuzi-photo"
#define PHOTO_MAX_POINTS 512 /* per contour */
#define PHOTO_MAX_VERTICES 20000
#define PHOTO_MAX_TRIANGLES 40000
/* The upper lashes: a band this far above the lid margin (times the
 * inter-pupil distance) that moves whole with the margin in a blink. */
#define PHOTO_LASH_BAND 0.05f

/* The seven named landmarks, image pixels; left and right as seen in the image. */
enum {
    PHOTO_EYE_LEFT = 0,
    PHOTO_EYE_RIGHT,
    PHOTO_MOUTH_LEFT,
    PHOTO_MOUTH_RIGHT,
    PHOTO_LIP_TOP,
    PHOTO_LIP_BOTTOM,
    PHOTO_CHIN,
    PHOTO_N_LANDMARKS
};
const char *photo_landmark_name(int i); /* "eye_left", ... */

/* Contours, image pixels. Eye lids, lips and the jaw run left to right and
 * begin and end at the same corners (eye corners, mouth corners; the jaw at
 * the ears). lip_inner is where the closed lips meet in the photograph. */
enum {
    PHOTO_EYE_LEFT_UPPER = 0,
    PHOTO_EYE_LEFT_LOWER,
    PHOTO_EYE_RIGHT_UPPER,
    PHOTO_EYE_RIGHT_LOWER,
    PHOTO_BROW_LEFT,
    PHOTO_BROW_RIGHT,
    PHOTO_LIP_UPPER_OUTER,
    PHOTO_LIP_INNER,
    PHOTO_LIP_LOWER_OUTER,
    PHOTO_JAW,
    PHOTO_NOSE,
    PHOTO_HEAD,  /* optional: the outline of head and hair */
    PHOTO_NECK,  /* optional */
    PHOTO_EXTRA, /* optional: more points for the mesh (cheeks, forehead) */
    PHOTO_N_CONTOURS
};
const char *photo_contour_name(int i); /* "eye_left_upper", ... */

typedef struct photo_contour {
    int n;
    float *xy; /* 2n */
} photo_contour;

typedef struct photo_mesh {
    int n_vertices, n_triangles;
    float *xy; /* 2 per vertex, image pixels at rest */
    int *tri;  /* 3 per triangle */
    /* vertex index lists, left corner to right corner */
    int n_seam;                   /* lip_inner vertices, corners included */
    int *seam_upper, *seam_lower; /* the same corners; the split points between */
    int n_eye[2];
    int *eye_upper[2], *eye_lower[2]; /* lid margins of each eye hole, corners shared */
} photo_mesh;

typedef struct photo_rig {
    char name[RIG_NAME_MAX];
    char description[256];
    char style[RIG_NAME_MAX];
    char image_path[1024]; /* resolved against the manifest's folder */
    float crop[4];         /* x, y, w, h: the part of the image shown (the canvas) */
    float landmarks[PHOTO_N_LANDMARKS][2];
    photo_contour contours[PHOTO_N_CONTOURS];
    photo_mesh mesh;
} photo_rig;

/* Parses and validates a manifest (dir: the folder image paths are relative
 * to). Errors read "label: mesh.triangles[12]: vertex 9001 out of range". */
int photo_rig_load_text(const char *text, size_t len, const char *label, const char *dir,
                        photo_rig **out, char *err, size_t errlen);
int photo_rig_load_file(const char *path, photo_rig **out, char *err, size_t errlen);
void photo_rig_free(photo_rig **rig);
void photo_mesh_free(photo_mesh *mesh);

/* Writes a message to err (the photo modules' one way to say what failed). */
void photo_err(char *err, size_t errlen, const char *fmt, ...) SZ_PRINTF(3, 4);

/* Builds rig->mesh from the landmarks and contours over an image of
 * image_w x image_h pixels (replacing any mesh). */
int photo_mesh_build(photo_rig *rig, int image_w, int image_h, char *err, size_t errlen);
/* Checks a mesh against its rig: indices, orientation, holes. */
int photo_mesh_check(const photo_rig *rig, char *err, size_t errlen);
/* Writes the manifest (JSON) of a rig; image_name as given. */
int photo_rig_write(const photo_rig *rig, const char *image_name, const char *path, char *err,
                    size_t errlen);

#endif
