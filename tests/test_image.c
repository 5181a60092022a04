/* SPDX-License-Identifier: Apache-2.0 */
/* test_image.c: the scene-image reader (avatar/image.c) on good and bad
 * files: small PNG and JPEG load at their size; a PNG whose header claims
 * 30000x30000 is refused before anything is allocated (cairo would have
 * tried); truncated, empty and foreign files are refused with a message
 * naming the file. The good files are the fuzz target's seeds. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "avatar/image.h"
#include "check.h"
#include "shuzi.h"

static int load(const char *path, int *w, int *h, char *err, size_t errlen)
{
    cairo_surface_t *s = NULL;
    err[0] = 0;
    int rc = image_load(path, &s, err, errlen);
    if (rc == SZ_OK) {
        *w = cairo_image_surface_get_width(s);
        *h = cairo_image_surface_get_height(s);
        cairo_surface_destroy(s);
    } else if (s) {
        rc = SZ_ERR_INTERNAL; /* a refusal must give nothing */
    }
    return rc;
}

static void write_file(const char *path, const void *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (f) {
        fwrite(data, 1, n, f);
        fclose(f);
    }
}

int main(void)
{
    const char *src = getenv("SHUZI_SOURCE_DIR");
    char dir[1024], path[1100], err[1200];
    snprintf(dir, sizeof dir, "%s/fuzz/corpus/fuzz_image", src ? src : ".");
    int w = 0, h = 0;

    snprintf(path, sizeof path, "%s/small.png", dir);
    CHECK(load(path, &w, &h, err, sizeof err) == SZ_OK && w == 16 && h == 12, "small.png: %s %dx%d",
          err, w, h);
#ifdef SHUZI_HAVE_JPEG
    snprintf(path, sizeof path, "%s/small.jpg", dir);
    CHECK(load(path, &w, &h, err, sizeof err) == SZ_OK && w == 16 && h == 12, "small.jpg: %s %dx%d",
          err, w, h);
#endif
    snprintf(path, sizeof path, "%s/huge-header.png", dir);
    int rc = load(path, &w, &h, err, sizeof err);
    CHECK(rc == SZ_ERR_FORMAT && strstr(err, "30000x30000") && strstr(err, "huge-header.png"),
          "a 30000x30000 PNG header: rc %d, '%s'", rc, err);
    printf("huge header: %s\n", err);

    char tmp[] = "/tmp/shuzi-test-image-XXXXXX";
    if (!mkdtemp(tmp))
        return 1;
    /* the first 30 bytes of a good PNG: the header is there, the pixels not */
    snprintf(path, sizeof path, "%s/small.png", dir);
    FILE *f = fopen(path, "rb");
    unsigned char buf[64] = {0};
    size_t n = f ? fread(buf, 1, 30, f) : 0;
    if (f)
        fclose(f);
    char cut[1200];
    snprintf(cut, sizeof cut, "%s/cut.png", tmp);
    write_file(cut, buf, n);
    rc = load(cut, &w, &h, err, sizeof err);
    CHECK(rc == SZ_ERR_FORMAT && strstr(err, "cut.png"), "truncated PNG: rc %d, '%s'", rc, err);
    snprintf(cut, sizeof cut, "%s/empty.png", tmp);
    write_file(cut, "", 0);
    rc = load(cut, &w, &h, err, sizeof err);
    CHECK(rc == SZ_ERR_FORMAT && strstr(err, "not a PNG or JPEG"), "empty file: rc %d, '%s'", rc,
          err);
    snprintf(cut, sizeof cut, "%s/text.jpg", tmp);
    write_file(cut, "GIF89a not really", 17);
    rc = load(cut, &w, &h, err, sizeof err);
    CHECK(rc == SZ_ERR_FORMAT && strstr(err, "text.jpg"), "foreign bytes: rc %d, '%s'", rc, err);
    snprintf(cut, sizeof cut, "%s/none.png", tmp);
    rc = load(cut, &w, &h, err, sizeof err);
    CHECK(rc == SZ_ERR_NOT_FOUND, "missing file: rc %d, '%s'", rc, err);

    char cmd[1200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", tmp);
    return check_summary("test_image");
}
