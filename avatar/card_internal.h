/* SPDX-License-Identifier: Apache-2.0 */
/* card_internal.h: what the renderer reads of a product card (card.h). */
#ifndef SZ_AVATAR_CARD_INTERNAL_H
#define SZ_AVATAR_CARD_INTERNAL_H

#include <cairo.h>

#include "avatar/card.h"

struct avatar_card {
    cairo_surface_t *image; /* ARGB32 or RGB24, at most AVATAR_CARD_MAX_SIDE a side */
};

#endif
