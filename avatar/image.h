/* SPDX-License-Identifier: Apache-2.0 */
/* image.h: scene images (PNG, JPEG) loaded into cairo surfaces. */
#ifndef SZ_AVATAR_IMAGE_H
#define SZ_AVATAR_IMAGE_H

#include <cairo.h>
#include <stddef.h>

/* Loads a PNG or JPEG (picked by its first bytes). Errors name the file. */
int image_load(const char *path, cairo_surface_t **out, char *err, size_t errlen);
/* A w x h ARGB32 copy of src, scaled to cover (cropping) or to fit inside
 * (letterboxed with transparency), centred. */
int image_fit(cairo_surface_t *src, int w, int h, int cover, cairo_surface_t **out);

#endif
