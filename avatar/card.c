/* SPDX-License-Identifier: Apache-2.0 */
/* card.c: product card images (card.h): decoded by image.c, scaled down once
 * when a side exceeds AVATAR_CARD_MAX_SIDE. */
#include "avatar/card.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "avatar/card_internal.h"
#include "avatar/image.h"
#include "shuzi.h"

int avatar_card_load(const char *path, avatar_card **out, char *err, size_t errlen)
{
    *out = NULL;
    cairo_surface_t *img = NULL;
    int rc = image_load(path, &img, err, errlen);
    if (rc != SZ_OK)
        return rc;
    int w = cairo_image_surface_get_width(img), h = cairo_image_surface_get_height(img);
    if (w > AVATAR_CARD_MAX_SIDE || h > AVATAR_CARD_MAX_SIDE) {
        double s = (double)AVATAR_CARD_MAX_SIDE / (w > h ? w : h);
        int sw = (int)lround(w * s), sh = (int)lround(h * s);
        cairo_surface_t *small = NULL;
        rc = image_fit(img, sw < 1 ? 1 : sw, sh < 1 ? 1 : sh, 0, &small);
        cairo_surface_destroy(img);
        if (rc != SZ_OK) {
            if (small)
                cairo_surface_destroy(small);
            snprintf(err, errlen, "%s: out of memory scaling a %dx%d image down", path, w, h);
            return rc;
        }
        img = small;
    }
    avatar_card *c = calloc(1, sizeof *c);
    if (!c) {
        cairo_surface_destroy(img);
        snprintf(err, errlen, "%s: out of memory", path);
        return SZ_ERR_NO_MEMORY;
    }
    c->image = img;
    *out = c;
    return SZ_OK;
}

void avatar_card_size(const avatar_card *card, int *width, int *height)
{
    *width = card ? cairo_image_surface_get_width(card->image) : 0;
    *height = card ? cairo_image_surface_get_height(card->image) : 0;
}

void avatar_card_free(avatar_card **card)
{
    if (!card || !*card)
        return;
    if ((*card)->image)
        cairo_surface_destroy((*card)->image);
    free(*card);
    *card = NULL;
}
