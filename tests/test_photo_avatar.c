/* SPDX-License-Identifier: Apache-2.0 */
/* test_photo_avatar.c: the photo avatar kind (avatar/photo/). Renders the
 * shipped host `mei` and checks the warp by pixels: the lips stay closed on
 * PP, the dark opening grows with the jaw, nothing outside the face moves
 * unless the head does (and the shoulders and background never do), blinks
 * cover the iris, the gaze moves it, frames repeat exactly, and transparency
 * works. Then malformed manifests and `avatar create` on shared portraits
 * and on each kind of bad input (no folder may be left behind). */
#include <cairo.h>
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "avatar/avatar.h"
#include "avatar/photo/photo_create.h"
#include "avatar/photo/photo_rig.h"
#include "shuzi.h"

#include "check.h"

#define W 640
#define H 360

/* the face at three times the normal size: the mouth is many pixels */
static const avatar_config zoom_cfg = {.avatar = "mei",
                                       .width = W,
                                       .height = H,
                                       .background_rgb = 0x2b3a4a,
                                       .avatar_scale = 3.0f,
                                       .avatar_x = 0.5f,
                                       .avatar_y = 1.75f};

static int render(const avatar_config *cfg, const sz_face *f, uint8_t *buf)
{
    avatar_renderer *r = NULL;
    char err[512] = "";
    int rc = avatar_open(cfg, &r, err, sizeof err);
    CHECK(rc == SZ_OK, "open %s: %s", cfg->avatar, err);
    if (rc != SZ_OK)
        return rc;
    sz_video_frame fr = {SZ_PIX_BGRA, cfg->width, cfg->height, cfg->width * 4, buf, 0};
    rc = avatar_render(r, f, &fr);
    CHECK(rc == SZ_OK, "render: %d", rc);
    avatar_free(&r);
    return rc;
}

static void face_mouth(sz_face *f, float jaw, float spread, float round, float close)
{
    memset(f, 0, sizeof *f);
    f->jaw_open = jaw;
    f->lip_spread = spread;
    f->lip_round = round;
    f->lip_close = close;
}

/* Dark, reddish pixels (the mouth's inside) in the mouth's box. */
static int cavity_pixels(const uint8_t *buf)
{
    int n = 0;
    for (int y = 185; y < 320; y++)
        for (int x = 220; x < 420; x++) {
            const uint8_t *p = buf + ((size_t)y * W + x) * 4;
            int b = p[0], g = p[1], r = p[2];
            if (r + g + b < 120 && r >= g)
                n++;
        }
    return n;
}

/* Dark iris pixels around the left eye. */
static int iris_pixels(const uint8_t *buf, double *cx)
{
    int n = 0;
    double sx = 0;
    for (int y = 0; y < 80; y++)
        for (int x = 150; x < 320; x++) {
            const uint8_t *p = buf + ((size_t)y * W + x) * 4;
            if (p[0] + p[1] + p[2] < 120) {
                n++;
                sx += x;
            }
        }
    if (cx)
        *cx = n ? sx / n : 0;
    return n;
}

/* 1 when the box is the same in both frames; else says where it is not */
static int rows_equal(const uint8_t *a, const uint8_t *b, int y0, int y1, int x0, int x1)
{
    int n = 0, fx = -1, fy = -1;
    for (int y = y0; y < y1; y++)
        for (int x = x0; x < x1; x++)
            if (memcmp(a + ((size_t)y * W + x) * 4, b + ((size_t)y * W + x) * 4, 4) != 0) {
                if (!n++)
                    fx = x, fy = y;
            }
    if (n)
        fprintf(stderr, "  %d pixels differ in x %d..%d y %d..%d, the first at (%d, %d)\n", n, x0,
                x1, y0, y1, fx, fy);
    return n == 0;
}

static void test_warp(void)
{
    uint8_t *rest = malloc((size_t)W * H * 4), *a = malloc((size_t)W * H * 4),
            *b = malloc((size_t)W * H * 4);
    sz_face f;
    face_mouth(&f, 0, 0, 0, 0);
    if (render(&zoom_cfg, &f, rest) != SZ_OK)
        goto done;
    int closed = cavity_pixels(rest); /* the lips' own dark line and shadows */
    /* PP: the jaw a little open, the lips pressed together */
    face_mouth(&f, 0.3f, 0.05f, 0.05f, 1.0f);
    render(&zoom_cfg, &f, a);
    int pp = cavity_pixels(a);
    CHECK(abs(pp - closed) < 15, "PP: the lips stay closed: %d cavity pixels, %d at rest", pp,
          closed);
    /* the opening grows with the jaw */
    int last = closed;
    for (int i = 1; i <= 4; i++) {
        face_mouth(&f, 0.22f * i, 0.2f, 0, 0);
        render(&zoom_cfg, &f, a);
        int n = cavity_pixels(a);
        printf("jaw %.2f: %d cavity pixels\n", 0.22 * i, n);
        CHECK(n > last + 30, "jaw %.2f: the opening grows (%d cavity pixels, %d before)", 0.22 * i,
              n, last);
        last = n;
        /* nothing above the mouth moves with the jaw: the eyes and the hair */
        CHECK(rows_equal(rest, a, 0, 130, 0, W), "jaw %.2f: the upper face moved", 0.22 * i);
        /* nor the background at the sides */
        CHECK(rows_equal(rest, a, 0, H, 0, 60) && rows_equal(rest, a, 0, H, W - 60, W),
              "jaw %.2f: the background moved", 0.22 * i);
    }
    /* teeth are visible in an open "aa": bright pixels in the opening */
    face_mouth(&f, 0.85f, 0.25f, 0, 0);
    render(&zoom_cfg, &f, a);
    int bright = 0;
    for (int y = 200; y < 280; y++)
        for (int x = 250; x < 390; x++) {
            const uint8_t *p = a + ((size_t)y * W + x) * 4;
            bright += p[0] > 150 && p[1] > 150 && p[2] > 150;
        }
    CHECK(bright > 40, "aa shows the upper teeth: %d bright pixels", bright);
    /* blink: the lid covers the iris */
    face_mouth(&f, 0, 0, 0, 0);
    double cx0, cx1;
    int iris_open = iris_pixels(rest, &cx0);
    f.blink = 1.0f;
    render(&zoom_cfg, &f, a);
    int iris_shut = iris_pixels(a, NULL);
    CHECK(iris_open > 200 && iris_shut < 0.4 * iris_open,
          "blink covers the eye: %d dark iris pixels open, %d shut", iris_open, iris_shut);
    /* gaze: the iris moves toward it, the lids stay */
    face_mouth(&f, 0, 0, 0, 0);
    f.gaze_x = 1.0f;
    render(&zoom_cfg, &f, a);
    iris_pixels(a, &cx1);
    CHECK(cx1 > cx0 + 1.5, "gaze right moves the iris right: centre %.1f -> %.1f", cx0, cx1);
    /* head motion moves the head but never the shoulders or the background */
    avatar_config full = {.avatar = "mei", .width = W, .height = H, .background_rgb = 0x2b3a4a};
    face_mouth(&f, 0, 0, 0, 0);
    render(&full, &f, rest);
    f.head_roll = 0.03f;
    f.head_yaw = 0.03f;
    f.head_pitch = 0.02f;
    f.breath = 1.0f;
    render(&full, &f, a);
    /* the shoulders carry on past the portrait's sides without a seam: no
     * background-coloured pixel between two garment pixels in the bottom row */
    int seams = 0;
    for (int x = 1; x + 1 < W; x++) {
        const uint8_t *p = rest + ((size_t)(H - 3) * W + x) * 4;
        int bg = p[0] == 0x4a && p[1] == 0x3a && p[2] == 0x2b;
        int lbg = p[-4] == 0x4a && p[-3] == 0x3a && p[-2] == 0x2b;
        int rbg = p[4] == 0x4a && p[5] == 0x3a && p[6] == 0x2b;
        seams += bg && !lbg && !rbg;
    }
    CHECK(seams == 0, "%d background pixels cut the garment in the bottom row", seams);
    CHECK(!rows_equal(rest, a, 60, 250, 0, W), "head motion moves the head");
    CHECK(rows_equal(rest, a, H - 40, H, 0, W), "head motion leaves the shoulders");
    CHECK(rows_equal(rest, a, 0, H, 0, 150) && rows_equal(rest, a, 0, H, W - 150, W),
          "head motion leaves the background");
    /* identical input, identical frames (two renderers) */
    render(&full, &f, b);
    CHECK(memcmp(a, b, (size_t)W * H * 4) == 0, "the same face gives the same frame");
    /* transparency: the background clear, the person opaque, also when moving */
    avatar_config tr = full;
    tr.transparent = 1;
    face_mouth(&f, 0.8f, 0.2f, 0, 0);
    f.head_roll = 0.03f;
    render(&tr, &f, a);
    CHECK(a[3] == 0 && a[(size_t)(W - 1) * 4 + 3] == 0, "transparent corners: alpha %d %d", a[3],
          a[(size_t)(W - 1) * 4 + 3]);
    CHECK(a[((size_t)(H / 2) * W + W / 2) * 4 + 3] == 255, "the face is opaque: alpha %d",
          a[((size_t)(H / 2) * W + W / 2) * 4 + 3]);
done:
    free(rest);
    free(a);
    free(b);
}

/* ---- malformed manifests --------------------------------------------- */

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    if (buf)
        buf[n] = 0;
    *len = (size_t)n;
    return buf;
}

/* text with the first `from` replaced by `to` */
static char *replace(const char *text, const char *from, const char *to)
{
    const char *at = strstr(text, from);
    if (!at)
        return NULL;
    size_t n = strlen(text) - strlen(from) + strlen(to);
    char *out = malloc(n + 1);
    size_t pre = (size_t)(at - text);
    memcpy(out, text, pre);
    strcpy(out + pre, to);
    strcat(out, at + strlen(from));
    return out;
}

static void test_manifests(const char *assets)
{
    char path[1200];
    snprintf(path, sizeof path, "%s/avatars/mei/avatar.json", assets);
    size_t len;
    char *text = read_file(path, &len);
    CHECK(text != NULL, "read %s", path);
    if (!text)
        return;
    photo_rig *rig = NULL;
    char err[512] = "";
    int rc = photo_rig_load_text(text, len, "mei", ".", &rig, err, sizeof err);
    CHECK(rc == SZ_OK, "the shipped manifest loads: %s", err);
    int nv = rig ? rig->mesh.n_vertices : 0;
    photo_rig_free(&rig);
    char big[64];
    snprintf(big, sizeof big, "\"triangles\": [[%d, 1, 2], [", nv + 5);
    struct {
        const char *from, *to, *want;
    } cases[] = {
        {"\"shuzi-photo\"", "\"shuzi-rig-2d\"", "format"},
        {"\"version\": 1", "\"version\": 2", "version"},
        {"\"image\": \"portrait.png\",", "", "image"},
        {"\"crop\": [", "\"crop\": [\"a\", ", "crop"},
        {"\"eye_left\": [", "\"eye_left\": [1e999, ", "eye_left"},
        {"\"triangles\": [[", big, "triangles"},
        {"\"seam_lower\": [", "\"seam_lower\": [1, ", "seam_lower"},
        {"\"vertices\": [[", "\"vertices\": [[\"x\", 1], [", "vertices"},
        {"\"lip_inner\": [[", "\"lip_inner\": [[1]], \"x\": [[", "contours"},
        {"\"mesh\": {", "\"mesh\": {\"extra\": 1, ", "mesh"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *bad = replace(text, cases[i].from, cases[i].to);
        CHECK(bad != NULL, "case %zu: '%s' is in the manifest", i, cases[i].from);
        if (!bad)
            continue;
        err[0] = 0;
        rc = photo_rig_load_text(bad, strlen(bad), "bad", ".", &rig, err, sizeof err);
        CHECK(rc != SZ_OK && rig == NULL && strstr(err, cases[i].want),
              "case %zu (%s): refused naming '%s': rc %d, '%s'", i, cases[i].from, cases[i].want,
              rc, err);
        free(bad);
    }
    /* every truncation is refused, none crashes */
    int refused = 0, tried = 0;
    for (size_t cut = 0; cut < len; cut += len / 97 + 1) {
        tried++;
        if (photo_rig_load_text(text, cut, "cut", ".", &rig, err, sizeof err) != SZ_OK)
            refused++;
        photo_rig_free(&rig);
    }
    CHECK(refused == tried, "truncated manifests refused: %d of %d", refused, tried);
    free(text);
}

/* ---- avatar create ------------------------------------------------------ */

static int exists(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0;
}

/* no folder and no hidden partial folder in dir */
static int dir_empty(const char *dir)
{
    DIR *d = opendir(dir);
    int n = 0;
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            n++;
    if (d)
        closedir(d);
    return n == 0;
}

static void write_points(const char *path, float (*pts)[2], int idx_n, const int *idx, double scale,
                         double angle, double shift_mouth)
{
    static const char *names[] = {"eye_left", "eye_right",  "mouth_left", "mouth_right",
                                  "lip_top",  "lip_bottom", "chin"};
    FILE *f = fopen(path, "w");
    double cx = pts[0][0], cy = pts[0][1];
    fputc('{', f);
    for (int i = 0; i < idx_n; i++) {
        double x = pts[idx[i]][0] - cx, y = pts[idx[i]][1] - cy;
        double xr = x * cos(angle) - y * sin(angle), yr = x * sin(angle) + y * cos(angle);
        if (i >= 2)
            xr += shift_mouth;
        fprintf(f, "%s\"%s\": [%.2f, %.2f]", i ? ", " : "", names[i], cx + xr * scale,
                cy + yr * scale);
    }
    fputs("}\n", f);
    fclose(f);
}

static void test_create(const char *faces, const char *work)
{
    char photo[1200], tem[1200], out[1100], json[1100];
    char err[512];
    snprintf(photo, sizeof photo, "%s/composite/f_easian.jpg", faces);
    snprintf(tem, sizeof tem, "%s/composite/f_easian.tem", faces);
    /* a composite with its hand-placed template */
    snprintf(out, sizeof out, "%s/made/easian", work);
    char made[1100];
    snprintf(made, sizeof made, "%s/made", work);
    mkdir(made, 0755);
    snprintf(json, sizeof json, "%s/easian.json", work);
    photo_create_params p = {
        .photo = photo, .landmarks = tem, .out_dir = out, .landmarks_out = json};
    err[0] = 0;
    int rc = photo_avatar_create(&p, err, sizeof err);
    CHECK(rc == SZ_OK, "create from f_easian.jpg + .tem: %s", err);
    char manifest[1200];
    snprintf(manifest, sizeof manifest, "%s/avatar.json", out);
    CHECK(exists(manifest), "%s written", manifest);
    avatar_config cfg = {.avatar = out, .width = 320, .height = 180, .background_rgb = 0x2b3a4a};
    uint8_t *buf = malloc(320 * 180 * 4);
    sz_face f;
    face_mouth(&f, 0.7f, 0.2f, 0, 0);
    avatar_renderer *r = NULL;
    rc = avatar_open(&cfg, &r, err, sizeof err);
    CHECK(rc == SZ_OK, "the made avatar opens: %s", err);
    if (r) {
        sz_video_frame fr = {SZ_PIX_BGRA, 320, 180, 320 * 4, buf, 0};
        CHECK(avatar_render(r, &f, &fr) == SZ_OK, "the made avatar renders");
        avatar_free(&r);
    }
    free(buf);
    /* the landmarks it wrote are the template's points */
    float pts[189][2];
    rc = photo_landmarks_read(json, pts, err, sizeof err);
    CHECK(rc == SZ_OK, "--landmarks-out JSON reads back: %s", err);
    float tp[189][2];
    photo_landmarks_read(tem, tp, err, sizeof err);
    CHECK(fabsf(pts[0][0] - tp[0][0]) < 0.01f && fabsf(pts[129][1] - tp[129][1]) < 0.01f,
          "the written points are the template's: eye %.2f/%.2f chin %.2f/%.2f", pts[0][0],
          tp[0][0], pts[129][1], tp[129][1]);
    /* seven points only: the mean face is fitted to them */
    static const int seven[] = {0, 1, 87, 93, 90, 106, 129};
    char tem2[1200];
    snprintf(photo, sizeof photo, "%s/composite/m_white.jpg", faces);
    snprintf(tem2, sizeof tem2, "%s/composite/m_white.tem", faces);
    float mw[189][2];
    CHECK(photo_landmarks_read(tem2, mw, err, sizeof err) == SZ_OK, "m_white.tem: %s", err);
    snprintf(json, sizeof json, "%s/m_white.json", work);
    write_points(json, mw, 7, seven, 1.0, 0.0, 0.0);
    snprintf(out, sizeof out, "%s/made/white", work);
    p = (photo_create_params){.photo = photo, .landmarks = json, .out_dir = out};
    rc = photo_avatar_create(&p, err, sizeof err);
    CHECK(rc == SZ_OK, "create from m_white.jpg + seven points: %s", err);
    float fit[189][2];
    photo_landmarks_read(json, fit, err, sizeof err);
    double e = 0;
    for (int i = 0; i < 189; i++)
        e += hypot(fit[i][0] - mw[i][0], fit[i][1] - mw[i][1]) / 189;
    double ipd = hypot(mw[1][0] - mw[0][0], mw[1][1] - mw[0][1]);
    printf("the mean face fitted to seven points: mean error %.1f px (%.1f%% of the eye "
           "distance) over all 189\n",
           e, 100 * e / ipd);
    CHECK(e < 0.12 * ipd, "the fitted face is near the template: %.1f px", e);

    /* refusals: one message, exit code, and nothing left behind */
    char bad[1024];
    snprintf(bad, sizeof bad, "%s/bad", work);
    mkdir(bad, 0755);
    snprintf(out, sizeof out, "%s/host", bad);
    struct {
        const char *what;
        double scale, angle, shift;
        int swap;
        const char *want;
    } faces_bad[] = {
        {"too small", 0.15, 0, 0, 0, "too small"},
        {"tilted", 1.0, 0.6, 0, 0, "tilted"},
        {"turned", 1.0, 0, 70, 0, "turned"},
    };
    for (size_t i = 0; i < sizeof faces_bad / sizeof faces_bad[0]; i++) {
        write_points(json, mw, 7, seven, faces_bad[i].scale, faces_bad[i].angle,
                     faces_bad[i].shift);
        p = (photo_create_params){.photo = photo, .landmarks = json, .out_dir = out};
        err[0] = 0;
        rc = photo_avatar_create(&p, err, sizeof err);
        CHECK(rc != SZ_OK && strstr(err, faces_bad[i].want) && dir_empty(bad),
              "%s face refused: rc %d, '%s'", faces_bad[i].what, rc, err);
    }
    /* not an image */
    p = (photo_create_params){.photo = json, .landmarks = tem2, .out_dir = out};
    rc = photo_avatar_create(&p, err, sizeof err);
    CHECK(rc != SZ_OK && dir_empty(bad), "a JSON file as the photo is refused: '%s'", err);
    /* a bad landmark file */
    FILE *fb = fopen(json, "w");
    fputs("{\"eye_left\": [1, 2]}", fb);
    fclose(fb);
    p = (photo_create_params){.photo = photo, .landmarks = json, .out_dir = out};
    rc = photo_avatar_create(&p, err, sizeof err);
    CHECK(rc != SZ_OK && strstr(err, "eye_right") && dir_empty(bad),
          "incomplete landmarks refused: '%s'", err);
    /* detected landmarks: the face detector finds the one face */
    snprintf(photo, sizeof photo, "%s/composite/f_white.jpg", faces);
    snprintf(out, sizeof out, "%s/made/detected", work);
    snprintf(json, sizeof json, "%s/detected.json", work);
    p = (photo_create_params){.photo = photo, .out_dir = out, .landmarks_out = json};
    rc = photo_avatar_create(&p, err, sizeof err);
    CHECK(rc == SZ_OK, "create with detected landmarks: %s", err);
    float det[189][2], ref[189][2];
    snprintf(tem, sizeof tem, "%s/composite/f_white.tem", faces);
    if (rc == SZ_OK && photo_landmarks_read(json, det, err, sizeof err) == SZ_OK &&
        photo_landmarks_read(tem, ref, err, sizeof err) == SZ_OK) {
        double ipd_ref = hypot(ref[1][0] - ref[0][0], ref[1][1] - ref[0][1]), worst = 0;
        static const int seven_idx[] = {0, 1, 87, 93, 90, 106, 129};
        for (int k = 0; k < 7; k++)
            worst = fmax(worst, hypot(det[seven_idx[k]][0] - ref[seven_idx[k]][0],
                                      det[seven_idx[k]][1] - ref[seven_idx[k]][1]));
        CHECK(worst < 0.1 * ipd_ref,
              "detected points within 10%% of the eye distance of the "
              "hand-placed ones: worst %.1f px, eye distance %.0f",
              worst, ipd_ref);
    }
    /* pictures the detector must refuse: no face, two faces, a face too
     * small, a mouth open in the photo */
    cairo_surface_t *src = NULL;
    snprintf(made, sizeof made, "%s/made/detected/portrait.png", work);
    src = cairo_image_surface_create_from_png(made);
    CHECK(cairo_surface_status(src) == CAIRO_STATUS_SUCCESS, "read %s", made);
    struct {
        const char *what, *want;
        int w, h, copies;
        double scale;
    } pics[] = {
        {"a blank picture", "no face", 640, 480, 0, 0},
        {"two portraits side by side", "2 faces", 1000, 500, 2, 500.0 / 1350},
        {"a face too small", "too small", 300, 300, 1, 0.1},
    };
    for (size_t i = 0; i < sizeof pics / sizeof pics[0]; i++) {
        cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, pics[i].w, pics[i].h);
        cairo_t *cr = cairo_create(s);
        cairo_set_source_rgb(cr, 0.8, 0.8, 0.8);
        cairo_paint(cr);
        for (int c = 0; c < pics[i].copies; c++) {
            cairo_save(cr);
            cairo_translate(cr, c * pics[i].w / 2.0, 0);
            cairo_scale(cr, pics[i].scale, pics[i].scale);
            cairo_set_source_surface(cr, src, 0, 0);
            cairo_paint(cr);
            cairo_restore(cr);
        }
        cairo_destroy(cr);
        char pic[1200];
        snprintf(pic, sizeof pic, "%s/pic%zu.png", work, i);
        cairo_surface_write_to_png(s, pic);
        cairo_surface_destroy(s);
        snprintf(out, sizeof out, "%s/host", bad);
        p = (photo_create_params){.photo = pic, .out_dir = out};
        err[0] = 0;
        rc = photo_avatar_create(&p, err, sizeof err);
        CHECK(rc != SZ_OK && strstr(err, pics[i].want) && dir_empty(bad), "%s refused: rc %d, '%s'",
              pics[i].what, rc, err);
    }
    cairo_surface_destroy(src);
    snprintf(photo, sizeof photo, "%s/london/smiling/025_08.jpg", faces);
    if (exists(photo)) {
        p = (photo_create_params){.photo = photo, .out_dir = out};
        rc = photo_avatar_create(&p, err, sizeof err);
        CHECK(rc != SZ_OK && strstr(err, "mouth is open") && dir_empty(bad),
              "a smile with the teeth showing refused: '%s'", err);
    }
    /* an existing folder is never touched */
    mkdir(out, 0755);
    p = (photo_create_params){.photo = photo, .landmarks = tem2, .out_dir = out};
    rc = photo_avatar_create(&p, err, sizeof err);
    CHECK(rc != SZ_OK && strstr(err, "exists") && exists(out), "an existing folder is refused");
    rmdir(out);
}

/* A manifest is recognized by its "format" wherever it stands in the file
 * (here after a long description). */
static void test_format_anywhere(const char *assets)
{
    char dir[] = "/tmp/shuzi-photo-format-XXXXXX";
    if (!mkdtemp(dir)) {
        CHECK(0, "mkdtemp");
        return;
    }
    char path[1200], cmd[2600];
    snprintf(path, sizeof path, "%s/avatars/mei/avatar.json", assets);
    size_t len;
    char *text = read_file(path, &len);
    char pad[700];
    snprintf(pad, sizeof pad, "{\"description\": \"%0600d\", \"format\": \"shuzi-photo\",", 0);
    char *moved = text ? replace(text, "\"format\": \"shuzi-photo\",", "") : NULL;
    char *late = moved ? replace(moved, "{", pad) : NULL;
    CHECK(late && strstr(late, "shuzi-photo") - late > 600, "a manifest with its format late");
    snprintf(path, sizeof path, "%s/avatar.json", dir);
    FILE *f = late ? fopen(path, "w") : NULL;
    if (f) {
        fputs(late, f);
        fclose(f);
    }
    snprintf(cmd, sizeof cmd, "cp '%s/avatars/mei/portrait.png' '%s/'", assets, dir);
    CHECK(system(cmd) == 0, "%s", cmd);
    avatar_config cfg = {.avatar = path, .width = 320, .height = 180};
    avatar_renderer *r = NULL;
    char err[512] = "";
    int rc = avatar_open(&cfg, &r, err, sizeof err);
    CHECK(rc == SZ_OK && r && strcmp(avatar_rig_name(r), "mei") == 0,
          "a photo manifest with its format after 600 bytes opens: %s", err);
    avatar_free(&r);
    free(text);
    free(moved);
    free(late);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "cannot remove %s\n", dir);
}

/* The default avatar is the photo host mei. */
static void test_default(void)
{
    avatar_config cfg = {.avatar = NULL, .width = 320, .height = 180};
    avatar_renderer *r = NULL;
    char err[256] = "";
    int rc = avatar_open(&cfg, &r, err, sizeof err);
    CHECK(rc == SZ_OK && strcmp(avatar_rig_name(r), "mei") == 0, "the default avatar: %s %s",
          r ? avatar_rig_name(r) : "-", err);
    avatar_free(&r);
}

int main(void)
{
    test_default();
    const char *src = getenv("SHUZI_SOURCE_DIR");
    char assets[1024], faces[1024];
    snprintf(assets, sizeof assets, "%s/assets", src ? src : ".");
    test_warp();
    test_manifests(assets);
    test_format_anywhere(assets);
    snprintf(faces, sizeof faces, "%s/../shared/data/faces", src ? src : ".");
    struct stat st;
    if (stat(faces, &st) != 0) {
        printf("skip: %s is absent: avatar create on shared portraits not tested\n", faces);
    } else {
        char work[] = "/tmp/shuzi-photo-XXXXXX";
        if (mkdtemp(work)) {
            test_create(faces, work);
            char cmd[1200];
            snprintf(cmd, sizeof cmd, "rm -rf '%s'", work);
            if (system(cmd) != 0)
                fprintf(stderr, "cannot remove %s\n", work);
        }
    }
    return check_summary("test_photo_avatar");
}
