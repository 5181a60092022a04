/* SPDX-License-Identifier: Apache-2.0 */
/* photo_create.h: makes a photo avatar folder from a portrait: landmarks
 * from a file (a 189-point Psychomorph .tem, or JSON with the seven named
 * points) or from the face detector, checks that the face can be animated,
 * builds the mesh and writes portrait.png and avatar.json. Nothing is left
 * behind when it fails. */
#ifndef SZ_AVATAR_PHOTO_CREATE_H
#define SZ_AVATAR_PHOTO_CREATE_H

#include <stddef.h>

typedef struct photo_create_params {
    const char *photo;         /* JPEG or PNG */
    const char *landmarks;     /* .tem or .json; NULL = detect */
    const char *out_dir;       /* must not exist yet */
    const char *name;          /* NULL = the folder's name */
    const char *landmarks_out; /* write the seven points as JSON; may be NULL */
    const char *models_dir;    /* the detector's models; NULL = built-in */
} photo_create_params;

int photo_avatar_create(const photo_create_params *p, char *err, size_t errlen);

/* Reads landmarks from a file into the 189-point template order (seven
 * named points fitted with the mean face when the file has only those).
 * pts must hold 189 points. */
int photo_landmarks_read(const char *path, float (*pts)[2], char *err, size_t errlen);
/* The same from text in memory; label names it in messages. */
int photo_landmarks_parse(const char *text, size_t len, const char *label, float (*pts)[2],
                          char *err, size_t errlen);

#endif
