/* SPDX-License-Identifier: Apache-2.0 */
/* landmarks.h: face landmarks from a photo, on the CPU, with no network: the
 * MediaPipe face detector (BlazeFace short range) finds faces, then Face Mesh
 * with attention places 478 points (468 mesh points, 5 per iris; MediaPipe's
 * numbering) on a crop around each one. Models: SHUZI_ASSETS_DIR/models/face
 * (see the README there for their origin and licence).
 *
 * Usage:
 *
 *     face_detector *d = NULL;
 *     char err[256];
 *     if (face_detector_open(NULL, &d, err, sizeof(err)) != SZ_OK) { log err; return; }
 *     face_landmarks faces[4];
 *     int n = 0;
 *     if (face_detect(d, rgb, w, h, stride, faces, 4, &n, err, sizeof(err)) == SZ_OK)
 *         ... faces[0].eye_left, faces[0].mouth_left ...
 *     face_detector_free(&d);
 *
 * Thread safety: a detector runs one face_detect at a time (it owns its
 * scratch buffers); use one detector per thread. Results are deterministic.
 * Image coordinates: pixels, (0, 0) the top-left corner of the top-left
 * pixel, so the centre of pixel (i, j) is (i + 0.5, j + 0.5). */
#ifndef SZ_AVATAR_LANDMARKS_H
#define SZ_AVATAR_LANDMARKS_H

#include <cairo.h>
#include <stddef.h>
#include <stdint.h>

/* clang-format off */
typedef struct face_landmarks {
    float eye_left[2], eye_right[2];     /* pupil centres in image pixels; left/right as seen in the image (eye_left has the smaller x) */
    float mouth_left[2], mouth_right[2]; /* mouth corners */
    float lip_top[2], lip_bottom[2];     /* top of the upper lip at the centre, bottom of the lower lip at the centre */
    float chin[2];                       /* bottom of the chin */
    float score;                         /* face presence/confidence 0..1 */
    float yaw_deg, roll_deg;             /* estimated head turn and tilt, degrees */
    int n_mesh;                          /* number of points in mesh (0 if none) */
    float mesh[478][2];                  /* the model's full landmark set in image pixels */
    /* Added fields. */
    float box[4];                        /* the detector's face box: x, y, width, height in image pixels */
} face_landmarks;
/* clang-format on */

/* Angles: roll_deg is the angle of the eye line (eye_left to eye_right) from
 * the image's x axis, positive when eye_right is lower (a clockwise tilt on
 * screen). yaw_deg is positive when the face turns toward the image's right
 * (the nose points right); about 0 for a frontal portrait. */

typedef struct face_detector face_detector;

/* clang-format off */
/* models_dir: folder holding the model files; NULL = the built-in assets folder (SHUZI_ASSETS_DIR "/models/face") */
int face_detector_open(const char *models_dir, face_detector **out, char *err, size_t errlen);
/* rgb: 8-bit RGB, 3 bytes a pixel, rows of stride bytes. Finds up to max faces (largest first), writes *n_found.
   Returns SZ_OK (even with 0 faces), or an SZ_ERR_* code with one clear line in err. Deterministic. */
int face_detect(face_detector *d, const uint8_t *rgb, int width, int height, int stride,
                face_landmarks *out, int max, int *n_found, char *err, size_t errlen);
void face_detector_free(face_detector **d);
/* clang-format on */

/* Loads a PNG or JPEG into a malloc'd 8-bit RGB buffer (stride 3 x *width)
 * for face_detect; the caller frees *rgb. Errors name the file. */
int face_image_load_rgb(const char *path, uint8_t **rgb, int *width, int *height, char *err,
                        size_t errlen);

/* The same from an image already decoded (image.h's cairo surface, which
 * stays the caller's); path only names it in messages. */
int face_surface_rgb(cairo_surface_t *s, const char *path, uint8_t **rgb, int *width, int *height,
                     char *err, size_t errlen);

/* The folder face_detector_open(NULL, ...) reads. */
const char *face_detector_default_dir(void);

/* Model file names inside models_dir. */
#define FACE_DETECTOR_MODEL "face_detection_short_range.tflite"
#define FACE_MESH_MODEL "face_landmark_with_attention.tflite" /* 478 points, irises */
#define FACE_MESH_MODEL_468 "face_landmark.tflite"            /* used when the above is absent */

#endif
