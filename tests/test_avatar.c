/* SPDX-License-Identifier: Apache-2.0 */
/* test_avatar.c: the rig renderer, its scene and the idle generator. Renders
 * the 2D presenter at 320x240 and checks pixels in the mouth, eye and
 * background regions; checks the scene options (transparency, images,
 * placement, overlay, subtitles) and the second avatar; runs the idle
 * generator for ten minutes of frames and checks blink timing and
 * determinism. Golden images are in test_avatar_golden.c. */
#include <cairo.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef SHUZI_HAVE_JPEG
#include <jpeglib.h>
#endif

#include "avatar/avatar.h"
#include "avatar/subtitle_track.h"
#include "shuzi.h"

#define BG_RGB 0x3B4A5Cu

#include "check.h"

typedef struct image {
    sz_video_frame f;
    uint8_t *buf;
} image;

static image image_new(int w, int h)
{
    image im = {0};
    im.f.format = SZ_PIX_BGRA;
    im.f.width = w;
    im.f.height = h;
    im.f.stride = w * 4;
    im.buf = calloc((size_t)w * h, 4);
    im.f.data = im.buf;
    return im;
}

/* The 2D presenter, whose regions the checks below know (the default avatar,
 * the photo host mei, has its own test: test_photo_avatar.c). */
static avatar_renderer *open_default(int w, int h)
{
    avatar_config cfg = {.avatar = "presenter", .width = w, .height = h, .background_rgb = BG_RGB};
    avatar_renderer *r = NULL;
    char err[256] = "";
    int rc = avatar_open(&cfg, &r, err, sizeof err);
    CHECK(rc == SZ_OK && r, "avatar_open %dx%d: %d %s", w, h, rc, err);
    return r;
}

/* Region in the presenter's 1280x720 canvas, mapped like the renderer's
 * default placement (bottom centre of the canvas at the frame's). */
typedef struct box {
    int x0, y0, x1, y1;
} box;

static box ref_box(int w, int h, double rx0, double ry0, double rx1, double ry1)
{
    double s = (double)w / 1280.0 < (double)h / 720.0 ? (double)w / 1280.0 : (double)h / 720.0;
    double ox = 0.5 * (w - 1280.0 * s), oy = h - 720.0 * s; /* canvas at the bottom */
    box b = {(int)(ox + rx0 * s), (int)(oy + ry0 * s), (int)(ox + rx1 * s + 1),
             (int)(oy + ry1 * s + 1)};
    return b;
}

static int count_diff(const image *a, const image *b, box r, int thresh)
{
    int n = 0;
    for (int y = r.y0; y < r.y1; y++)
        for (int x = r.x0; x < r.x1; x++) {
            const uint8_t *p = a->buf + (size_t)y * a->f.stride + 4 * x;
            const uint8_t *q = b->buf + (size_t)y * b->f.stride + 4 * x;
            for (int c = 0; c < 3; c++)
                if (abs(p[c] - q[c]) > thresh) {
                    n++;
                    break;
                }
        }
    return n;
}

/* The mouth cavity colour: dark red-brown. Lips, skin and the closed-lip
 * line are all much lighter. */
static int count_dark(const image *a, box r)
{
    int n = 0;
    for (int y = r.y0; y < r.y1; y++)
        for (int x = r.x0; x < r.x1; x++) {
            const uint8_t *p = a->buf + (size_t)y * a->f.stride + 4 * x;
            if (p[2] < 110 && p[1] < 70 && p[0] < 70)
                n++;
        }
    return n;
}

static void render(avatar_renderer *r, const sz_face *face, image *im)
{
    int rc = avatar_render(r, face, &im->f);
    CHECK(rc == SZ_OK, "avatar_render: %d", rc);
}

static void test_render(void)
{
    const int w = 320, h = 240;
    avatar_renderer *r = open_default(w, h);
    if (!r)
        return;
    image neutral = image_new(w, h), open = image_new(w, h), img = image_new(w, h);
    sz_face face = {0};
    render(r, &face, &neutral);
    face.jaw_open = 1.0f;
    render(r, &face, &open);

    /* mouth around reference (640, 370); eyes around (598, 278) and (682, 278) */
    box mouth = ref_box(w, h, 600, 350, 680, 410);
    box eyes = ref_box(w, h, 570, 262, 710, 292);
    box top_left = {0, 0, 40, 30}, top_right = {w - 40, 0, w, 30};

    int md = count_diff(&neutral, &open, mouth, 30);
    int area = (mouth.x1 - mouth.x0) * (mouth.y1 - mouth.y0);
    CHECK(md > area / 8, "jaw_open=1 changed only %d of %d mouth pixels", md, area);
    CHECK(count_diff(&neutral, &open, top_left, 0) == 0, "jaw_open changed the top-left corner");
    CHECK(count_diff(&neutral, &open, top_right, 0) == 0, "jaw_open changed the top-right corner");
    printf("mouth: %d of %d pixels differ between jaw 0 and 1\n", md, area);

    /* the background colour in the corners */
    const uint8_t *c0 = neutral.buf;
    const uint8_t *c1 = neutral.buf + (size_t)(h - 1) * neutral.f.stride + 4 * (w - 1);
    uint8_t want[4] = {BG_RGB & 0xFF, (BG_RGB >> 8) & 0xFF, (BG_RGB >> 16) & 0xFF, 0xFF};
    for (int c = 0; c < 4; c++) {
        CHECK(abs(c0[c] - want[c]) <= 1, "top-left channel %d is %d, background %d", c, c0[c],
              want[c]);
        CHECK(abs(c1[c] - want[c]) <= 1, "bottom-right channel %d is %d, background %d", c, c1[c],
              want[c]);
    }

    /* blink closes the eyes */
    face = (sz_face){0};
    face.blink = 1.0f;
    render(r, &face, &img);
    int ed = count_diff(&neutral, &img, eyes, 30);
    CHECK(ed > 30, "blink=1 changed only %d eye pixels", ed);
    CHECK(count_diff(&neutral, &img, mouth, 0) == 0, "blink changed the mouth");
    printf("eyes: %d pixels differ between blink 0 and 1\n", ed);

    /* closed lips show no cavity, an open jaw does */
    int dark_open = count_dark(&open, mouth);
    face = (sz_face){0};
    face.lip_close = 1.0f;
    render(r, &face, &img);
    int dark_closed = count_dark(&img, mouth);
    CHECK(dark_closed == 0, "lip_close=1 shows %d dark cavity pixels", dark_closed);
    CHECK(dark_open > 15, "jaw_open=1 shows only %d dark cavity pixels", dark_open);
    CHECK(count_dark(&neutral, mouth) == 0, "neutral face shows a cavity");
    face.jaw_open = 1.0f; /* pressed lips win over the jaw: p/b/m during an open vowel */
    render(r, &face, &img);
    CHECK(count_dark(&img, mouth) < dark_open / 4, "lip_close=1 leaves the mouth open (%d)",
          count_dark(&img, mouth));
    printf("cavity: %d dark pixels open, %d closed\n", dark_open, dark_closed);

    /* each mouth control changes the mouth; none touches the corners */
    const char *names[] = {"lip_spread", "lip_round", "teeth_lip", "smile"};
    for (int i = 0; i < 4; i++) {
        face = (sz_face){0};
        face.jaw_open = 0.3f;
        render(r, &face, &open);
        if (i == 0)
            face.lip_spread = 1.0f;
        else if (i == 1)
            face.lip_round = 1.0f;
        else if (i == 2)
            face.teeth_lip = 1.0f;
        else
            face.expression[EXPR_HAPPY] = 1.0f;
        render(r, &face, &img);
        int d = count_diff(&open, &img, mouth, 30);
        CHECK(d > 10, "%s changed only %d mouth pixels", names[i], d);
        CHECK(count_diff(&open, &img, top_left, 0) == 0, "%s changed the background", names[i]);
    }

    /* gaze moves the irises; breathing moves the shoulders, not the corners */
    face = (sz_face){0};
    face.gaze_x = 1.0f;
    render(r, &face, &img);
    CHECK(count_diff(&neutral, &img, eyes, 30) > 10, "gaze_x did not move the eyes");
    face = (sz_face){0};
    face.breath = 1.0f;
    render(r, &face, &img);
    face.breath = -1.0f;
    render(r, &face, &open);
    box shoulders = ref_box(w, h, 300, 470, 980, 560);
    CHECK(count_diff(&open, &img, shoulders, 30) > 20, "breath did not move the shoulders");
    CHECK(count_diff(&open, &img, top_left, 0) == 0, "breath changed the background");

    /* a NaN or out-of-range control must not break the frame */
    face = (sz_face){0};
    face.jaw_open = NAN;
    face.head_roll = 100.0f;
    CHECK(avatar_render(r, &face, &img.f) == SZ_OK, "render with NaN failed");
    CHECK(avatar_render(r, NULL, &img.f) == SZ_OK, "render with a NULL face failed");

    /* bad frames */
    image small = image_new(w - 2, h);
    CHECK(avatar_render(r, &face, &small.f) == SZ_ERR_INVALID_ARG, "wrong frame size accepted");
    sz_video_frame bad = neutral.f;
    bad.stride = w * 4 - 4;
    CHECK(avatar_render(r, &face, &bad) == SZ_ERR_INVALID_ARG, "short stride accepted");
    bad = neutral.f;
    bad.format = SZ_PIX_I420;
    CHECK(avatar_render(r, &face, &bad) == SZ_ERR_INVALID_ARG, "I420 frame accepted");
    /* a padded stride works */
    image pad = image_new(w, h);
    free(pad.buf);
    pad.f.stride = w * 4 + 64;
    pad.buf = calloc((size_t)pad.f.stride * h, 1);
    pad.f.data = pad.buf;
    CHECK(avatar_render(r, NULL, &pad.f) == SZ_OK, "padded stride rejected");
    CHECK(memcmp(pad.buf + (size_t)120 * pad.f.stride, neutral.buf + (size_t)120 * neutral.f.stride,
                 (size_t)w * 4) == 0,
          "padded-stride frame differs from the packed one");

    free(pad.buf);
    free(small.buf);
    free(neutral.buf);
    free(open.buf);
    free(img.buf);
    avatar_free(&r);
    CHECK(r == NULL, "avatar_free did not clear the pointer");
    avatar_free(&r);
    avatar_free(NULL);
}

static void test_sizes(void)
{
    static const int ok[][2] = {{64, 64}, {1920, 1080}, {720, 1280}, {4096, 64}};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        avatar_renderer *r = open_default(ok[i][0], ok[i][1]);
        if (!r)
            continue;
        image im = image_new(ok[i][0], ok[i][1]);
        render(r, NULL, &im);
        uint32_t px;
        memcpy(&px, im.buf, 4);
        CHECK((px & 0xFFFFFFu) == BG_RGB && (px >> 24) == 0xFF,
              "%dx%d: corner 0x%08X, want the background", ok[i][0], ok[i][1], (unsigned)px);
        free(im.buf);
        avatar_free(&r);
    }

    static const int bad[][2] = {{0, 0},      {62, 64},    {64, 62},  {65, 64},   {64, 65},
                                 {4098, 720}, {640, 4098}, {-2, 480}, {1281, 720}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        avatar_config cfg = {.avatar = NULL, .width = bad[i][0], .height = bad[i][1]};
        avatar_renderer *r = (avatar_renderer *)&cfg; /* must be reset to NULL */
        char err[256] = "";
        int rc = avatar_open(&cfg, &r, err, sizeof err);
        CHECK(rc == SZ_ERR_INVALID_ARG && r == NULL, "%dx%d: rc %d", bad[i][0], bad[i][1], rc);
        CHECK(strstr(err, "even") != NULL, "%dx%d: message '%s'", bad[i][0], bad[i][1], err);
    }

    avatar_config cfg = {.avatar = "x", .width = 320, .height = 240};
    avatar_renderer *r = NULL;
    char err[256] = "";
    int rc = avatar_open(&cfg, &r, err, sizeof err);
    CHECK(rc == SZ_ERR_NOT_FOUND && r == NULL, "unknown avatar: rc %d", rc);
    CHECK(strstr(err, "unknown avatar 'x' (installed: ") && strstr(err, "panda") &&
              strstr(err, "presenter"),
          "message '%s'", err);
    CHECK(avatar_open(NULL, &r, err, sizeof err) == SZ_ERR_INVALID_ARG, "NULL config accepted");
    cfg.avatar = NULL;
    CHECK(avatar_open(&cfg, NULL, NULL, 0) == SZ_ERR_INVALID_ARG, "NULL out accepted");

}

/* Pixels within tol of an 0xRRGGBB colour. */
static int count_color(const image *im, uint32_t rgb, int tol)
{
    int n = 0;
    for (int i = 0; i < im->f.width * im->f.height; i++) {
        const uint8_t *p = im->buf + 4 * i;
        n += abs(p[2] - (int)(rgb >> 16 & 0xFF)) <= tol &&
             abs(p[1] - (int)(rgb >> 8 & 0xFF)) <= tol && abs(p[0] - (int)(rgb & 0xFF)) <= tol;
    }
    return n;
}

static uint32_t pixel(const image *im, int x, int y)
{
    uint32_t px;
    memcpy(&px, im->buf + (size_t)y * im->f.stride + 4 * x, 4);
    return px;
}

/* A w x h PNG of one colour with a different centre pixel block, for the
 * image scene tests. */
static int write_test_png(const char *path, int w, int h, uint32_t argb)
{
    cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, w, h);
    cairo_t *cr = cairo_create(s);
    cairo_set_source_rgba(cr, ((argb >> 16) & 0xFF) / 255.0, ((argb >> 8) & 0xFF) / 255.0,
                          (argb & 0xFF) / 255.0, (argb >> 24) / 255.0);
    cairo_set_operator(cr, CAIRO_OPERATOR_SOURCE);
    cairo_paint(cr);
    cairo_destroy(cr);
    int ok = cairo_surface_write_to_png(s, path) == CAIRO_STATUS_SUCCESS;
    cairo_surface_destroy(s);
    return ok;
}

#ifdef SHUZI_HAVE_JPEG
static int test_write_jpeg(const char *path, int w, int h, uint8_t r, uint8_t g, uint8_t b)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return 0;
    struct jpeg_compress_struct c;
    struct jpeg_error_mgr jerr;
    c.err = jpeg_std_error(&jerr);
    jpeg_create_compress(&c);
    jpeg_stdio_dest(&c, f);
    c.image_width = (JDIMENSION)w;
    c.image_height = (JDIMENSION)h;
    c.input_components = 3;
    c.in_color_space = JCS_RGB;
    jpeg_set_defaults(&c);
    jpeg_set_quality(&c, 95, TRUE);
    jpeg_start_compress(&c, TRUE);
    uint8_t *row = malloc((size_t)w * 3);
    for (int x = 0; x < w; x++)
        row[3 * x] = r, row[3 * x + 1] = g, row[3 * x + 2] = b;
    while (c.next_scanline < c.image_height) {
        JSAMPROW rp = row;
        jpeg_write_scanlines(&c, &rp, 1);
    }
    jpeg_finish_compress(&c);
    jpeg_destroy_compress(&c);
    free(row);
    return fclose(f) == 0;
}
#endif

static avatar_renderer *open_cfg(const avatar_config *cfg, char *err, size_t errlen)
{
    avatar_renderer *r = NULL;
    int rc = avatar_open(cfg, &r, err, errlen);
    return rc == SZ_OK ? r : NULL;
}

static void test_scene(void)
{
    const int w = 320, h = 180;
    image im = image_new(w, h), ref = image_new(w, h);
    char err[512] = "";

    /* transparent: premultiplied, alpha 0 in the corners, opaque on the face */
    avatar_config cfg = {.avatar = "presenter", .width = w, .height = h, .transparent = 1};
    avatar_renderer *r = open_cfg(&cfg, err, sizeof err);
    CHECK(r != NULL, "transparent: %s", err);
    if (r) {
        render(r, NULL, &im);
        CHECK(pixel(&im, 0, 0) == 0 && pixel(&im, w - 1, 0) == 0, "corners not transparent: %08X",
              (unsigned)pixel(&im, 0, 0));
        CHECK((pixel(&im, w / 2, h / 3) >> 24) == 0xFF, "face not opaque: %08X",
              (unsigned)pixel(&im, w / 2, h / 3));
        int bad = 0;
        for (int i = 0; i < w * h; i++) {
            const uint8_t *p = im.buf + 4 * i;
            bad += p[0] > p[3] || p[1] > p[3] || p[2] > p[3]; /* premultiplied: c <= a */
        }
        CHECK(bad == 0, "%d pixels are not premultiplied", bad);
        avatar_free(&r);
    }

    /* a PNG background covers the frame (the default avatar hides the middle) */
    const char *png = "/tmp/shuzi_test_bg.png";
    CHECK(write_test_png(png, 64, 36, 0xFF10A050u), "cannot write %s", png);
    cfg = (avatar_config){.avatar = NULL, .width = w, .height = h, .background_rgb = 0xFF0000,
                          .background_image = png};
    r = open_cfg(&cfg, err, sizeof err);
    CHECK(r != NULL, "PNG background: %s", err);
    if (r) {
        render(r, NULL, &im);
        uint32_t c = pixel(&im, 2, 2);
        CHECK((c & 0xFFFFFF) == 0x10A050, "PNG background corner %06X", (unsigned)(c & 0xFFFFFF));
        avatar_free(&r);
    }
#ifdef SHUZI_HAVE_JPEG
    /* a JPEG background */
    {
        const char *jpg = "/tmp/shuzi_test_bg.jpg";
        CHECK(test_write_jpeg(jpg, 48, 48, 200, 40, 40), "cannot write %s", jpg);
        cfg.background_image = jpg;
        r = open_cfg(&cfg, err, sizeof err);
        CHECK(r != NULL, "JPEG background: %s", err);
        if (r) {
            render(r, NULL, &im);
            uint32_t c = pixel(&im, 2, 2);
            int dr = abs((int)((c >> 16) & 0xFF) - 200), dg = abs((int)((c >> 8) & 0xFF) - 40);
            CHECK(dr < 8 && dg < 8, "JPEG background corner %06X", (unsigned)(c & 0xFFFFFF));
            avatar_free(&r);
        }
    }
#endif
    /* bad images: named in the error */
    const char *bads[] = {"/tmp/shuzi_no_such_image.png", "/tmp/shuzi_test_bad.png"};
    FILE *f = fopen(bads[1], "wb");
    if (f) {
        fputs("not an image", f);
        fclose(f);
    }
    for (int i = 0; i < 2; i++) {
        cfg.background_image = bads[i];
        r = open_cfg(&cfg, err, sizeof err);
        CHECK(r == NULL && strstr(err, bads[i]), "bad background %s: '%s'", bads[i], err);
        avatar_free(&r);
        cfg.background_image = NULL;
        cfg.overlay_image = bads[i];
        r = open_cfg(&cfg, err, sizeof err);
        CHECK(r == NULL && strstr(err, bads[i]), "bad overlay %s: '%s'", bads[i], err);
        avatar_free(&r);
        cfg.overlay_image = NULL;
    }

    /* placement: moved left and scaled down, the right half is background */
    cfg = (avatar_config){.width = w, .height = h, .background_rgb = 0x203040};
    r = open_cfg(&cfg, err, sizeof err);
    if (r) {
        render(r, NULL, &ref);
        avatar_free(&r);
    }
    cfg.avatar_x = 0.25f;
    cfg.avatar_y = 1.0f;
    cfg.avatar_scale = 0.6f;
    r = open_cfg(&cfg, err, sizeof err);
    CHECK(r != NULL, "placement: %s", err);
    if (r) {
        render(r, NULL, &im);
        int other = 0;
        for (int y = 0; y < h; y++)
            for (int x = w / 2 + 10; x < w; x++)
                other += (pixel(&im, x, y) & 0xFFFFFF) != 0x203040;
        CHECK(other == 0, "%d pixels of the right half are not background", other);
        CHECK((pixel(&ref, w * 3 / 4, h - 5) & 0xFFFFFF) != 0x203040, "default placement moved");
        CHECK((pixel(&im, w / 4, h - 5) & 0xFFFFFF) != 0x203040, "moved avatar not at x=0.25");
        avatar_free(&r);
    }
    cfg.avatar_scale = 50.0f;
    r = open_cfg(&cfg, err, sizeof err);
    CHECK(r == NULL && strstr(err, "scale"), "scale 50 accepted: '%s'", err);

    /* overlay: its colour at its centre, scaled to its width */
    CHECK(write_test_png("/tmp/shuzi_test_overlay.png", 40, 20, 0xFFFFD000u), "overlay png");
    cfg = (avatar_config){.width = w, .height = h, .background_rgb = 0x203040,
                          .overlay_image = "/tmp/shuzi_test_overlay.png",
                          .overlay_x = 0.8f, .overlay_y = 0.3f, .overlay_w = 0.25f};
    r = open_cfg(&cfg, err, sizeof err);
    CHECK(r != NULL, "overlay: %s", err);
    if (r) {
        render(r, NULL, &im);
        int inside = 0, cx = (int)(0.8 * w), cy = (int)(0.3 * h);
        for (int x = 0; x < w; x++)
            inside += (pixel(&im, x, cy) & 0xFFFFFF) == 0xFFD000;
        CHECK((pixel(&im, cx, cy) & 0xFFFFFF) == 0xFFD000, "overlay centre %06X",
              (unsigned)(pixel(&im, cx, cy) & 0xFFFFFF));
        CHECK(abs(inside - (int)(0.25 * w)) <= 2, "overlay is %d px wide, want %d", inside,
              (int)(0.25 * w));
        avatar_free(&r);
    }
    cfg.overlay_x = 1.5f;
    r = open_cfg(&cfg, err, sizeof err);
    CHECK(r == NULL, "overlay x 1.5 accepted");
    free(im.buf);
    free(ref.buf);
}

/* The mascot: a different rig through the same renderer. */
static void test_panda(void)
{
    const int w = 320, h = 180;
    avatar_config cfg = {.avatar = "panda", .width = w, .height = h, .background_rgb = BG_RGB};
    char err[512];
    avatar_renderer *r = open_cfg(&cfg, err, sizeof err);
    CHECK(r != NULL, "panda: %s", err);
    if (!r)
        return;
    CHECK(strcmp(avatar_rig_name(r), "panda") == 0, "rig name %s", avatar_rig_name(r));
    image a = image_new(w, h), b = image_new(w, h);
    sz_face face = {0};
    render(r, &face, &a);
    face.jaw_open = 1.0f;
    render(r, &face, &b);
    box all = {0, 0, w, h};
    int open_diff = count_diff(&a, &b, all, 30);
    face = (sz_face){0};
    face.blink = 1.0f;
    render(r, &face, &b);
    int blink_diff = count_diff(&a, &b, all, 30);
    face = (sz_face){0};
    face.jaw_open = 1.0f;
    render(r, &face, &b);
    int cavity_open = count_color(&b, 0x5b1c26, 24);
    face.lip_close = 1.0f;
    render(r, &face, &b);
    int cavity_pp = count_color(&b, 0x5b1c26, 24);
    int cavity_rest = count_color(&a, 0x5b1c26, 24); /* outline edges on red come close */
    printf("panda: jaw %d px, blink %d px changed; mouth cavity %d px open, %d px on PP\n",
           open_diff, blink_diff, cavity_open, cavity_pp);
    CHECK(open_diff > 40, "panda: jaw_open changed %d pixels", open_diff);
    CHECK(blink_diff > 40, "panda: blink changed %d pixels", blink_diff);
    CHECK(cavity_open > cavity_rest + 30 && abs(cavity_pp - cavity_rest) <= 3,
          "panda: cavity-coloured pixels %d open, %d with closed lips, %d at rest", cavity_open,
          cavity_pp, cavity_rest);
    free(a.buf);
    free(b.buf);
    avatar_free(&r);
}

/* Bright text pixels in rows [y0, y1). */
static int count_white(const image *im, int y0, int y1)
{
    int n = 0;
    for (int y = y0; y < y1; y++)
        for (int x = 0; x < im->f.width; x++) {
            const uint8_t *p = im->buf + (size_t)y * im->f.stride + 4 * x;
            n += p[0] > 230 && p[1] > 230 && p[2] > 230;
        }
    return n;
}

static void test_subtitles(void)
{
#ifndef SHUZI_HAVE_SUBTITLES
    printf("subtitles: skipped (built without FreeType/HarfBuzz)\n");
#else
    const int w = 640, h = 360;
    avatar_config cfg = {.width = w, .height = h, .background_rgb = 0x203040, .subtitles = 1};
    char err[512];
    avatar_renderer *r = open_cfg(&cfg, err, sizeof err);
    if (!r && strstr(err, "no CJK font")) {
        printf("subtitles: skipped (%s)\n", err);
        return;
    }
    CHECK(r != NULL, "subtitles: %s", err);
    if (!r)
        return;
    image a = image_new(w, h), b = image_new(w, h);
    render(r, NULL, &a);
    CHECK(avatar_set_subtitle(r, "Hello, welcome to our bank.", 0.0f) == SZ_OK, "set");
    render(r, NULL, &b);
    int top = count_white(&b, 0, h * 2 / 3), bottom = count_white(&b, h * 3 / 4, h);
    int before = count_white(&a, h * 3 / 4, h);
    printf("subtitles: %d white text pixels at the bottom (%d before)\n", bottom, before);
    CHECK(bottom > before + 200, "no subtitle text at the bottom (%d vs %d)", bottom, before);
    CHECK(count_white(&a, 0, h * 2 / 3) == top, "subtitles touched the upper frame");
    /* safe margins: nothing in the outer 8% of the width */
    int edge = 0;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
            if (x < w * 8 / 100 || x >= w - w * 8 / 100)
                edge += memcmp(a.buf + (size_t)y * a.f.stride + 4 * x,
                               b.buf + (size_t)y * b.f.stride + 4 * x, 4) != 0;
    CHECK(edge == 0, "%d subtitle pixels outside the title-safe area", edge);

    int lines, pages, page;
    const char *cjk = "欢迎光临我们的直播间，今天为大家带来一款非常实用的厨房好物，限时优惠，"
                      "数量有限，先到先得，喜欢的朋友赶快下单吧。";
    CHECK(avatar_set_subtitle(r, cjk, 0.0f) == SZ_OK, "set CJK");
    avatar_subtitle_layout(r, &lines, &pages, &page);
    printf("subtitles: CJK sentence: %d lines, %d pages\n", lines, pages);
    CHECK(lines >= 3 && pages >= 2 && page == 0, "CJK wrap: %d lines %d pages page %d", lines,
          pages, page);
    render(r, NULL, &b);
    CHECK(count_white(&b, h * 3 / 4, h) > before + 200, "no CJK text drawn");
    CHECK(avatar_set_subtitle(r, cjk, 0.99f) == SZ_OK, "set CJK late");
    avatar_subtitle_layout(r, &lines, &pages, &page);
    CHECK(page == pages - 1, "at the end of the speech the last page shows (page %d of %d)", page,
          pages);
    /* a long word with no break opportunity is split rather than overflowing */
    char longword[400];
    memset(longword, 'W', sizeof longword - 1);
    longword[sizeof longword - 1] = 0;
    CHECK(avatar_set_subtitle(r, longword, 0.0f) == SZ_OK, "long word");
    avatar_subtitle_layout(r, &lines, &pages, &page);
    CHECK(lines > 3, "long word: %d lines", lines);
    /* invalid UTF-8 must not crash the shaper */
    CHECK(avatar_set_subtitle(r, "bad \xff\xfe bytes \xe4\xb8", 0.5f) == SZ_OK, "bad UTF-8");
    render(r, NULL, &b);
    CHECK(avatar_set_subtitle(r, NULL, 0.0f) == SZ_OK, "hide");
    render(r, NULL, &b);
    CHECK(memcmp(a.buf, b.buf, (size_t)w * h * 4) == 0, "hidden subtitle left pixels behind");
    avatar_free(&r);

    cfg.subtitle_font = "/nonexistent/font.ttf";
    r = open_cfg(&cfg, err, sizeof err);
    CHECK(r == NULL && strstr(err, "/nonexistent/font.ttf"), "bad font: '%s'", err);
    cfg.subtitles = 0;
    cfg.subtitle_font = NULL;
    r = open_cfg(&cfg, err, sizeof err);
    CHECK(r && avatar_set_subtitle(r, "x", 0) == SZ_ERR_UNSUPPORTED, "subtitles off accepted text");
    avatar_free(&r);
    free(a.buf);
    free(b.buf);
#endif
}

/* Sentence cues win; word phrases fill in; interrupts cut; old cues go. */
static void test_subtitle_track(void)
{
    sub_track *t = NULL;
    CHECK(sub_track_create(&t) == SZ_OK, "create");
    char text[64];
    float pr;
    sub_track_add_word(t, 0, 300, "Hello,");
    sub_track_add_word(t, 320, 600, "world.");
    sub_track_add_word(t, 1500, 1800, "Again"); /* after a pause: a new phrase */
    sub_track_add_word(t, 1800, 2000, "\xe4\xbd\xa0\xe5\xa5\xbd"); /* CJK after Latin */
    sub_track_add_word(t, 2000, 2200, "\xe5\x90\x97");             /* CJK after CJK: no space */
    CHECK(sub_track_at(t, 100, text, sizeof text, &pr) && strcmp(text, "Hello, world.") == 0,
          "phrase '%s'", text);
    CHECK(fabsf(pr - 100.0f / 850.0f) < 1e-3f, "progress %g", pr);
    CHECK(sub_track_at(t, 1700, text, sizeof text, &pr) &&
              strcmp(text, "Again \xe4\xbd\xa0\xe5\xa5\xbd\xe5\x90\x97") == 0,
          "second phrase '%s'", text);
    sub_track_add(t, 2500, 4000, "A whole sentence.");
    sub_track_add_word(t, 2500, 3000, "A");
    CHECK(sub_track_at(t, 2800, text, sizeof text, &pr) && strcmp(text, "A whole sentence.") == 0,
          "the sentence wins: '%s'", text);
    CHECK(!sub_track_at(t, 1300, text, sizeof text, &pr) && text[0] == 0,
          "an old time shows '%s'", text);
    sub_track_cut(t, 3000);
    CHECK(!sub_track_at(t, 3500, text, sizeof text, &pr), "after the cut: '%s'", text);
    sub_track_add(t, 5000, 6000, "small");
    CHECK(sub_track_at(t, 5500, text, 4, &pr) && strcmp(text, "sma") == 0, "cut copy '%s'", text);
    for (int i = 0; i < 200; i++) /* a long way ahead: the ring keeps the newest */
        sub_track_add(t, 10000 + i * 100, 10100 + i * 100, "x");
    CHECK(sub_track_at(t, 10000 + 199 * 100 + 50, text, sizeof text, &pr), "newest kept");
    sub_track_free(&t);
    CHECK(t == NULL, "free");
    CHECK(!sub_track_at(NULL, 0, text, sizeof text, &pr), "NULL track");

    /* A sentence begun before its end is known (live): shown as written,
     * its spoken words ("ninety nine yuan" for "¥99") move the progress to
     * where they stand in it, they make no phrase, the next sentence
     * replaces it, and its end closes it. */
    CHECK(sub_track_create(&t) == SZ_OK, "create");
    const char *s1 = "The kettle is \xc2\xa5" "99. Buy it!"; /* 26 characters */
    sub_track_begin(t, 1000, s1);
    CHECK(sub_track_at(t, 1000, text, sizeof text, &pr) && strcmp(text, s1) == 0 && pr == 0.0f,
          "begun: '%s' %g", text, pr);
    const char *spoken[] = {"The", "kettle", "is", "ninety", "nine", "yuan", "Buy", "it"};
    for (int i = 0; i < 8; i++)
        sub_track_add_word(t, 1000 + i * 300, 1300 + i * 300, spoken[i]);
    CHECK(sub_track_at(t, 1700, text, sizeof text, &pr) && fabsf(pr - 11.5f / 26.0f) < 1e-3f,
          "at 'is': %g", pr);
    CHECK(sub_track_at(t, 2500, text, sizeof text, &pr) && fabsf(pr - 13.5f / 26.0f) < 1e-3f,
          "'yuan' is not written: progress stays after 'is' (%g)", pr);
    CHECK(sub_track_at(t, 2900, text, sizeof text, &pr) && strcmp(text, s1) == 0 &&
              fabsf(pr - 19.5f / 26.0f) < 1e-3f,
          "at 'Buy': '%s' %g", text, pr);
    sub_track_add(t, 1000, 3400, s1);
    CHECK(!sub_track_at(t, 3500, text, sizeof text, &pr) && text[0] == 0,
          "closed at its end, no phrase of its words: '%s'", text);
    const char *s2 = "\xe4\xbb\x8a\xe5\xa4\xa9\xe5\x8c\x85\xe9\x82\xae\xef\xbc\x81"; /* 今天包邮！ */
    sub_track_begin(t, 4000, "First.");
    sub_track_begin(t, 4500, s2);
    sub_track_add_word(t, 4600, 4700, "\xe5\x8c\x85");
    CHECK(sub_track_at(t, 4650, text, sizeof text, &pr) && strcmp(text, s2) == 0 &&
              fabsf(pr - 2.5f / 5.0f) < 1e-3f,
          "the next sentence replaces the open one: '%s' %g", text, pr);
    sub_track_cut(t, 5000);
    CHECK(!sub_track_at(t, 5000, text, sizeof text, &pr), "an open sentence is cut: '%s'", text);
    sub_track_free(&t);
}

static void test_idle(void)
{
    const int fps = 30;
    avatar_idle a, b, c;
    avatar_idle_init(&a, 42, fps);
    avatar_idle_init(&b, 42, fps);
    avatar_idle_init(&c, 43, fps);
    int same = 1, differ = 0;
    for (int i = 0; i < 3000; i++) {
        sz_face fa = {0}, fb = {0}, fc = {0};
        avatar_idle_step(&a, &fa);
        avatar_idle_step(&b, &fb);
        avatar_idle_step(&c, &fc);
        if (memcmp(&fa, &fb, sizeof fa) != 0)
            same = 0;
        if (memcmp(&fa, &fc, sizeof fa) != 0)
            differ = 1;
    }
    CHECK(same, "two idle generators with seed 42 diverge");
    CHECK(differ, "seeds 42 and 43 give the same idle motion");

    /* ten minutes: blink timing, value ranges, untouched mouth controls */
    avatar_idle_init(&a, 7, fps);
    const int n = 10 * 60 * fps;
    int blinks = 0, doubles = 0, bad_gaps = 0, prev_closed = 0, out_of_range = 0;
    int closed_frames = 0, touched = 0;
    long last_onset = -1;
    double min_gap = 1e9, max_gap = 0, max_head = 0, max_gaze = 0;
    float smile_lo = 1.0f, smile_hi = 0.0f;
    for (int i = 0; i < n; i++) {
        sz_face f = {0};
        f.viseme[VIS_AA] = 0.5f;
        f.jaw_open = 0.25f;
        f.lip_round = 0.75f;
        f.expression[EXPR_HAPPY] = 0.5f;
        avatar_idle_step(&a, &f);
        if (f.viseme[VIS_AA] != 0.5f || f.jaw_open != 0.25f || f.lip_round != 0.75f ||
            fabsf(f.expression[EXPR_HAPPY] - 0.5f) > 0.06f || f.lip_spread != 0.0f ||
            f.speaking != 0.0f)
            touched = 1;
        smile_lo = f.expression[EXPR_HAPPY] < smile_lo ? f.expression[EXPR_HAPPY] : smile_lo;
        smile_hi = f.expression[EXPR_HAPPY] > smile_hi ? f.expression[EXPR_HAPPY] : smile_hi;
        if (!(f.blink >= 0.0f && f.blink <= 1.0f) || !(f.breath >= -1.0f && f.breath <= 1.0f))
            out_of_range++;
        if (f.blink >= 0.99f)
            closed_frames++;
        double hm = fabsf(f.head_yaw) + fabsf(f.head_pitch) + fabsf(f.head_roll);
        max_head = hm > max_head ? hm : max_head;
        double gm = fabsf(f.gaze_x) + fabsf(f.gaze_y);
        max_gaze = gm > max_gaze ? gm : max_gaze;
        int closed = f.blink >= 0.5f;
        if (closed && !prev_closed) {
            if (last_onset >= 0) {
                double gap = (double)(i - last_onset) / fps;
                if (gap < 0.7) {
                    doubles++;
                } else {
                    min_gap = gap < min_gap ? gap : min_gap;
                    max_gap = gap > max_gap ? gap : max_gap;
                    if (gap < 1.5 || gap > 7.0)
                        bad_gaps++;
                }
            }
            last_onset = i;
            blinks++;
        }
        prev_closed = closed;
    }
    printf("idle: %d blinks (%d double) in 10 min, gaps %.2f..%.2f s, %d fully closed frames, "
           "max head %.3f rad, max gaze %.2f\n",
           blinks, doubles, min_gap, max_gap, closed_frames, max_head, max_gaze);
    CHECK(!touched, "idle changed visemes or mouth controls, or moved the smile by > 0.06");
    CHECK(smile_hi - smile_lo > 0.03f, "the resting smile never drifts (%.3f..%.3f)", smile_lo,
          smile_hi);
    CHECK(out_of_range == 0, "%d frames with blink or breath out of range", out_of_range);
    CHECK(blinks >= 100 && blinks <= 400, "%d blinks in 10 minutes", blinks);
    CHECK(bad_gaps == 0, "%d blink gaps outside 1.5..7 s (min %.2f max %.2f)", bad_gaps, min_gap,
          max_gap);
    CHECK(doubles >= 1, "no double blink in 10 minutes");
    CHECK(closed_frames >= blinks, "blinks do not close the eyes fully (%d closed frames)",
          closed_frames);
    CHECK(max_head > 0.01 && max_head < 0.15, "head sway %.3f rad", max_head);
    CHECK(max_gaze > 0.05 && max_gaze < 1.0, "gaze range %.2f", max_gaze);

    /* breathing: about one cycle every 4 s */
    avatar_idle_init(&a, 9, fps);
    int crossings = 0;
    float prev = 0.0f;
    for (int i = 0; i < 60 * fps; i++) {
        sz_face f = {0};
        avatar_idle_step(&a, &f);
        if (i > 0 && prev < 0.0f && f.breath >= 0.0f)
            crossings++;
        prev = f.breath;
    }
    CHECK(crossings >= 13 && crossings <= 17, "%d breaths in a minute", crossings);
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    test_render();
    test_sizes();
    test_scene();
    test_panda();
    test_subtitles();
    test_subtitle_track();
    test_idle();
    return check_summary("test_avatar");
}
