/* test_avatar.c: the cairo avatar renderer and the idle generator. Renders
 * faces at 320x240 and checks pixels in the mouth, eye and background regions;
 * runs the idle generator for ten minutes of frames and checks blink timing
 * and determinism. SHUZI_WRITE_PNG=1 also writes 1280x720 PNGs to /tmp. */
#include <cairo.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "avatar/avatar.h"
#include "shuzi.h"

#define BG_RGB 0x3B4A5Cu

static int failures;

#define CHECK(cond, ...)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);                                   \
            fprintf(stderr, __VA_ARGS__);                                                          \
            fprintf(stderr, "\n");                                                                 \
            failures++;                                                                            \
        }                                                                                          \
    } while (0)

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

static avatar_renderer *open_default(int w, int h)
{
    avatar_config cfg = {.avatar = "default", .width = w, .height = h, .background_rgb = BG_RGB};
    avatar_renderer *r = NULL;
    char err[256] = "";
    int rc = avatar_open(&cfg, &r, err, sizeof err);
    CHECK(rc == SZ_OK && r, "avatar_open %dx%d: %d %s", w, h, rc, err);
    return r;
}

/* Region in the 1280x720 reference space, mapped like the renderer does. */
typedef struct box {
    int x0, y0, x1, y1;
} box;

static box ref_box(int w, int h, double rx0, double ry0, double rx1, double ry1)
{
    double s = (double)w / 1280.0 < (double)h / 720.0 ? (double)w / 1280.0 : (double)h / 720.0;
    double ox = 0.5 * (w - 1280.0 * s), oy = 0.5 * (h - 720.0 * s);
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

static void write_png(const image *im, const char *path)
{
    cairo_surface_t *s = cairo_image_surface_create_for_data(
        im->buf, CAIRO_FORMAT_ARGB32, im->f.width, im->f.height, im->f.stride);
    cairo_status_t st = cairo_surface_write_to_png(s, path);
    CHECK(st == CAIRO_STATUS_SUCCESS, "write %s: %s", path, cairo_status_to_string(st));
    if (st == CAIRO_STATUS_SUCCESS)
        printf("wrote %s\n", path);
    cairo_surface_destroy(s);
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
    CHECK(strcmp(err, "unknown avatar 'x' (installed: default)") == 0, "message '%s'", err);
    CHECK(avatar_open(NULL, &r, err, sizeof err) == SZ_ERR_INVALID_ARG, "NULL config accepted");
    cfg.avatar = NULL;
    CHECK(avatar_open(&cfg, NULL, NULL, 0) == SZ_ERR_INVALID_ARG, "NULL out accepted");

    const char *const *names = avatar_names();
    CHECK(names && names[0] && strcmp(names[0], "default") == 0 && names[1] == NULL,
          "avatar_names is not {\"default\", NULL}");
}

static void test_pngs(void)
{
    if (!getenv("SHUZI_WRITE_PNG"))
        return;
    avatar_renderer *r = open_default(1280, 720);
    if (!r)
        return;
    image im = image_new(1280, 720);
    sz_face face = {0};
    render(r, &face, &im);
    write_png(&im, "/tmp/shuzi_avatar_neutral.png");
    face.jaw_open = 1.0f;
    render(r, &face, &im);
    write_png(&im, "/tmp/shuzi_avatar_aa.png");
    free(im.buf);
    avatar_free(&r);
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
    for (int i = 0; i < n; i++) {
        sz_face f = {0};
        f.viseme[VIS_AA] = 0.5f;
        f.jaw_open = 0.25f;
        f.lip_round = 0.75f;
        f.expression[EXPR_HAPPY] = 0.5f;
        avatar_idle_step(&a, &f);
        if (f.viseme[VIS_AA] != 0.5f || f.jaw_open != 0.25f || f.lip_round != 0.75f ||
            f.expression[EXPR_HAPPY] != 0.5f || f.lip_spread != 0.0f || f.speaking != 0.0f)
            touched = 1;
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
    CHECK(!touched, "idle changed visemes, mouth controls or expressions");
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
    test_pngs();
    test_idle();
    if (failures) {
        fprintf(stderr, "test_avatar: %d check(s) failed\n", failures);
        return 1;
    }
    printf("test_avatar: all checks passed\n");
    return 0;
}
