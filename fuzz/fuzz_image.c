/* SPDX-License-Identifier: Apache-2.0 */
/* fuzz_image.c: libFuzzer target for the images users give (backgrounds,
 * overlays, product cards, portraits): image_load over PNG (cairo/libpng),
 * JPEG (libjpeg) and anything else, read from an in-memory file. Whatever is
 * refused says why; whatever loads has a sane size and is scaled into a
 * small box both ways (cover and fit). */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "fuzz/memfile.h"
#include "avatar/image.h"
#include "shuzi.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[64], err[600] = "";
    int fd = fuzz_memfile(data, size, path, sizeof path);
    if (fd < 0)
        return 0;
    cairo_surface_t *img = NULL;
    int rc = image_load(path, &img, err, sizeof err);
    close(fd);
    if (rc != SZ_OK) {
        if (!err[0] || img)
            abort(); /* a refusal says why and gives nothing */
        return 0;
    }
    int w = cairo_image_surface_get_width(img), h = cairo_image_surface_get_height(img);
    if (w < 1 || h < 1 || w > 16384 || h > 16384)
        abort();
    for (int cover = 0; cover < 2; cover++) {
        cairo_surface_t *fit = NULL;
        if (image_fit(img, 48, 32, cover, &fit) == SZ_OK)
            cairo_surface_destroy(fit);
    }
    cairo_surface_destroy(img);
    return 0;
}
