/* SPDX-License-Identifier: Apache-2.0 */
/* image.c: loads scene images (backgrounds, overlays) into cairo surfaces:
 * PNG through cairo, JPEG through libjpeg when the build has it. The file's
 * first bytes pick the decoder, not its name. */
#include "avatar/image.h"

#include <errno.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef SHUZI_HAVE_JPEG
#include <jpeglib.h>
#endif

#include "shuzi.h"

#define IMG_MAX_SIDE 16384
#define IMG_MAX_PIXELS (64u * 1024u * 1024u)

#ifdef SHUZI_HAVE_JPEG
typedef struct img_jerr {
    struct jpeg_error_mgr mgr;
    jmp_buf jump;
    char msg[JMSG_LENGTH_MAX];
} img_jerr;

static void img_jpeg_exit(j_common_ptr cinfo)
{
    img_jerr *e = (img_jerr *)cinfo->err;
    (*cinfo->err->format_message)(cinfo, e->msg);
    longjmp(e->jump, 1);
}

static void img_jpeg_quiet(j_common_ptr cinfo, int level)
{
    (void)cinfo;
    (void)level; /* warnings about slightly broken files are not errors */
}

static int img_load_jpeg(FILE *f, const char *path, cairo_surface_t **out, char *err,
                         size_t errlen)
{
    struct jpeg_decompress_struct cinfo;
    img_jerr jerr;
    cairo_surface_t *volatile surf = NULL;
    uint8_t *volatile row = NULL;
    memset(&cinfo, 0, sizeof cinfo);
    cinfo.err = jpeg_std_error(&jerr.mgr);
    jerr.mgr.error_exit = img_jpeg_exit;
    jerr.mgr.emit_message = img_jpeg_quiet;
    jerr.msg[0] = 0;
    if (setjmp(jerr.jump)) {
        snprintf(err, errlen, "%s: not a readable JPEG: %s", path, jerr.msg);
        jpeg_destroy_decompress(&cinfo);
        if (surf)
            cairo_surface_destroy(surf);
        free(row);
        return SZ_ERR_FORMAT;
    }
    jpeg_create_decompress(&cinfo);
    jpeg_stdio_src(&cinfo, f);
    jpeg_read_header(&cinfo, TRUE);
    cinfo.out_color_space = JCS_RGB;
    jpeg_start_decompress(&cinfo);
    int w = (int)cinfo.output_width, h = (int)cinfo.output_height;
    if (w < 1 || h < 1 || w > IMG_MAX_SIDE || h > IMG_MAX_SIDE ||
        (unsigned)w * (unsigned)h > IMG_MAX_PIXELS || cinfo.output_components != 3) {
        snprintf(err, errlen, "%s: JPEG of %dx%d is too large (limit %d per side)", path, w, h,
                 IMG_MAX_SIDE);
        jpeg_destroy_decompress(&cinfo);
        return SZ_ERR_FORMAT;
    }
    surf = cairo_image_surface_create(CAIRO_FORMAT_RGB24, w, h);
    row = malloc((size_t)w * 3);
    if (cairo_surface_status(surf) != CAIRO_STATUS_SUCCESS || !row) {
        snprintf(err, errlen, "%s: out of memory for a %dx%d image", path, w, h);
        jpeg_destroy_decompress(&cinfo);
        cairo_surface_destroy(surf);
        free(row);
        return SZ_ERR_NO_MEMORY;
    }
    cairo_surface_flush(surf);
    uint8_t *data = cairo_image_surface_get_data(surf);
    int stride = cairo_image_surface_get_stride(surf);
    while (cinfo.output_scanline < cinfo.output_height) {
        JSAMPROW rp = row;
        int y = (int)cinfo.output_scanline;
        jpeg_read_scanlines(&cinfo, &rp, 1);
        uint32_t *dst = (uint32_t *)(data + (size_t)y * (size_t)stride);
        for (int x = 0; x < w; x++)
            dst[x] = 0xFF000000u | ((uint32_t)row[3 * x] << 16) | ((uint32_t)row[3 * x + 1] << 8) |
                     row[3 * x + 2];
    }
    jpeg_finish_decompress(&cinfo);
    jpeg_destroy_decompress(&cinfo);
    free(row);
    cairo_surface_mark_dirty(surf);
    *out = surf;
    return SZ_OK;
}
#endif

int image_load(const char *path, cairo_surface_t **out, char *err, size_t errlen)
{
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
        return errno == ENOENT ? SZ_ERR_NOT_FOUND : SZ_ERR_IO;
    }
    uint8_t magic[24] = {0};
    size_t n = fread(magic, 1, sizeof magic, f);
    static const uint8_t png[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    if (n >= 8 && memcmp(magic, png, 8) == 0) {
        fclose(f);
        /* cairo would allocate whatever the header says: check the size in
         * the IHDR chunk first, like the JPEG reader's limit */
        if (n < 24 || memcmp(magic + 12, "IHDR", 4) != 0) {
            snprintf(err, errlen, "%s: not a readable PNG: no IHDR chunk first", path);
            return SZ_ERR_FORMAT;
        }
        uint32_t w = (uint32_t)magic[16] << 24 | (uint32_t)magic[17] << 16 |
                     (uint32_t)magic[18] << 8 | magic[19];
        uint32_t h = (uint32_t)magic[20] << 24 | (uint32_t)magic[21] << 16 |
                     (uint32_t)magic[22] << 8 | magic[23];
        if (w < 1 || h < 1 || w > IMG_MAX_SIDE || h > IMG_MAX_SIDE ||
            (uint64_t)w * h > IMG_MAX_PIXELS) {
            snprintf(err, errlen, "%s: PNG of %ux%u is too large (limit %d per side)", path, w, h,
                     IMG_MAX_SIDE);
            return SZ_ERR_FORMAT;
        }
        cairo_surface_t *s = cairo_image_surface_create_from_png(path);
        cairo_status_t st = cairo_surface_status(s);
        if (st != CAIRO_STATUS_SUCCESS) {
            cairo_surface_destroy(s);
            snprintf(err, errlen, "%s: not a readable PNG: %s", path, cairo_status_to_string(st));
            return st == CAIRO_STATUS_NO_MEMORY ? SZ_ERR_NO_MEMORY : SZ_ERR_FORMAT;
        }
        *out = s;
        return SZ_OK;
    }
    if (n >= 3 && magic[0] == 0xFF && magic[1] == 0xD8 && magic[2] == 0xFF) {
#ifdef SHUZI_HAVE_JPEG
        rewind(f);
        int rc = img_load_jpeg(f, path, out, err, errlen);
        fclose(f);
        return rc;
#else
        fclose(f);
        snprintf(err, errlen, "%s: JPEG images need libjpeg, which this build lacks (use a PNG)",
                 path);
        return SZ_ERR_UNSUPPORTED;
#endif
    }
    fclose(f);
    snprintf(err, errlen, "%s: not a PNG or JPEG image", path);
    return SZ_ERR_FORMAT;
}

int image_fit(cairo_surface_t *src, int w, int h, int cover, cairo_surface_t **out)
{
    *out = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, w, h);
    if (cairo_surface_status(*out) != CAIRO_STATUS_SUCCESS)
        return SZ_ERR_NO_MEMORY;
    int sw = cairo_image_surface_get_width(src), sh = cairo_image_surface_get_height(src);
    double sx = (double)w / sw, sy = (double)h / sh;
    double s = cover ? (sx > sy ? sx : sy) : (sx < sy ? sx : sy);
    cairo_t *cr = cairo_create(*out);
    cairo_translate(cr, 0.5 * (w - sw * s), 0.5 * (h - sh * s));
    cairo_scale(cr, s, s);
    cairo_set_source_surface(cr, src, 0, 0);
    cairo_pattern_set_filter(cairo_get_source(cr), CAIRO_FILTER_GOOD);
    cairo_pattern_set_extend(cairo_get_source(cr), CAIRO_EXTEND_PAD);
    cairo_rectangle(cr, 0, 0, sw, sh);
    cairo_fill(cr);
    int st = cairo_status(cr);
    cairo_destroy(cr);
    return st == CAIRO_STATUS_SUCCESS ? SZ_OK : SZ_ERR_NO_MEMORY;
}
