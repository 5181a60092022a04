/* SPDX-License-Identifier: Apache-2.0 */
/* card.h: product cards, the picture shown beside the avatar while a live
 * room presents a product. An image is decoded and checked once, when the
 * config is loaded, and scaled down then if it is larger than a card ever
 * needs; the renderer (avatar_set_card) fits it into the overlay box. */
#ifndef SZ_AVATAR_CARD_H
#define SZ_AVATAR_CARD_H

#include <stddef.h>

#define AVATAR_CARD_MAX_SIDE 1024 /* larger images are scaled down at load */

typedef struct avatar_card avatar_card;

/* Loads a PNG or JPEG (image.h's decoder). Errors name the file. Thread-safe;
 * a loaded card is read-only and may be shown by several renderers. */
int avatar_card_load(const char *path, avatar_card **out, char *err, size_t errlen);
/* The image's size after loading (after any scaling down). */
void avatar_card_size(const avatar_card *card, int *width, int *height);
void avatar_card_free(avatar_card **card);

#endif
