/* SPDX-License-Identifier: Apache-2.0 */
/* avatar_kind.h: a kind of avatar other than the built-in 2D rig, behind
 * the renderer (renderer.c): it opens from a manifest whose "format" it
 * names and draws the scene's background and the avatar into each frame;
 * the renderer adds the overlay image and subtitles on top. */
#ifndef SZ_AVATAR_AVATAR_KIND_H
#define SZ_AVATAR_AVATAR_KIND_H

#include <cairo.h>
#include <stddef.h>

#include "avatar/avatar.h"

typedef struct avatar_kind {
    const char *format; /* the manifest's "format" */
    int (*open)(const avatar_config *cfg, const char *manifest_path, void **state, char *err,
                size_t errlen);
    /* controls: rig.h's RIG_C_COUNT values; frame: BGRA, the renderer's size */
    int (*render)(void *state, const float *controls, sz_video_frame *frame, cairo_t *cr);
    void (*destroy)(void *state);
    const char *(*name)(const void *state);
    /* The manifest's description and style (for the catalogue), checked. */
    int (*describe)(const char *manifest_path, char *description, size_t description_len,
                    char *style, size_t style_len, char *err, size_t errlen);
    const char *kind; /* what `shuzi avatars` calls it: "photo" */
} avatar_kind;

extern const avatar_kind avatar_photo_kind; /* avatar/photo/photo_renderer.c */

/* The scene behind the avatar (colour, image or transparency), frame-sized. */
int avatar_scene_background(const avatar_config *cfg, int width, int height,
                            cairo_surface_t **out, char *err, size_t errlen);

/* The kind whose format a manifest names, or NULL for the 2D rig. */
const avatar_kind *avatar_kind_of_manifest(const char *path);

#endif
