/* SPDX-License-Identifier: Apache-2.0 */
/* test_landmarks.c: the face landmark detector. The TFLite interpreter alone:
 * two tiny models using every operator between them
 * (fuzz/corpus/fuzz_tflite/, made by tools/avatars/tiny_tflite.py, which
 * also computed the expected outputs) and malformed files (every truncation, byte flips, broken
 * model folders) that must be refused with one line. Then the whole detector on portraits from
 * ../shared/data/faces (skipped with a message when absent): seven points near the hand-placed
 * template points, no face on a blank image, two faces on two pasted portraits, deterministic
 * output. */
#include "avatar/landmarks/landmarks.h"
#include "avatar/landmarks/tflite.h"
#include "shuzi.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"

#define TOL_POINT_IPD 10.0 /* any point: at most this % of the inter-pupil distance */
#define TOL_MEAN_IPD 5.0   /* the mean of the seven points */

static uint8_t *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *buf = malloc(n > 0 ? (size_t)n : 1);
    if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        fclose(f);
        return NULL;
    }
    fclose(f);
    *len = (size_t)n;
    return buf;
}

static int write_file(const char *path, const void *buf, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    size_t w = fwrite(buf, 1, len, f);
    return (fclose(f) == 0 && w == len) ? 0 : -1;
}

static int one_line(const char *err)
{
    return err[0] != '\0' && strchr(err, '\n') == NULL;
}

/* ---- the interpreter alone ------------------------------------------------ */

/* Input i, element k of the tiny models (as tools/avatars/tiny_tflite.py). */
static float tiny_input(int model, int i, size_t k)
{
    if (model == 0)
        return (float)((int)(k * 7) % 11 - 5) / 4.0f;
    if (i == 0)
        return (float)((k * 5) % 13) * 0.75f + (float)(k % 3) * 0.5f;
    return (float)((int)(k * 7) % 17 - 8) / 8.0f;
}

static void test_tiny_model(const char *src, int model)
{
    static const char *files[2] = {"tiny.tflite", "tiny_mediapipe.tflite"};
    /* From tools/avatars/tiny_tflite.py (plain Python arithmetic). */
    static const float expect0[4] = {0.614429f, 0.484020f, 0.732051f, 0.615371f};
    static const float expect1[12] = {-0.105469f, 0.300781f,  0.148438f, 0.554688f,
                                      2.648438f,  -0.710938f, 4.523438f, 1.164062f,
                                      0.617188f,  1.320312f,  3.039062f, 1.710937f};
    const float *expect = model ? expect1 : expect0;
    size_t n_expect = model ? 12 : 4;
    char path[4096], err[256];
    snprintf(path, sizeof(path), "%s/fuzz/corpus/fuzz_tflite/%s", src, files[model]);
    size_t len = 0;
    uint8_t *buf = read_file(path, &len);
    CHECK(buf != NULL, "cannot read %s", path);
    if (!buf)
        return;

    tfl_model *m = NULL;
    int rc = tfl_model_parse(buf, len, files[model], &m, err, sizeof(err));
    CHECK(rc == SZ_OK && m, "%s refused: %s", files[model], err);
    if (m) {
        for (int i = 0; i < m->n_inputs; i++) {
            tfl_tensor *x = tfl_input(m, i);
            for (size_t k = 0; k < x->count; k++)
                x->f[k] = tiny_input(model, i, k);
        }
        CHECK(tfl_model_run(m, err, sizeof(err)) == SZ_OK, "run: %s", err);
        const tfl_tensor *y = tfl_output(m, 0);
        CHECK(y && y->count == n_expect, "%s: output of %zu floats expected", files[model],
              n_expect);
        for (size_t i = 0; y && i < n_expect && i < y->count; i++)
            CHECK(fabsf(y->f[i] - expect[i]) < 2e-5f, "%s output %zu: %.6f, expected %.6f",
                  files[model], i, (double)y->f[i], (double)expect[i]);
        CHECK(m->cost > 0, "the cost estimate is set");
        tfl_model_free(&m);
        CHECK(m == NULL, "free sets the pointer to NULL");
    }

    /* Every truncation is refused with one line. */
    int bad = 0;
    for (size_t n = 0; n < len; n++) {
        err[0] = '\0';
        rc = tfl_model_parse(buf, n, "cut.tflite", &m, err, sizeof(err));
        if (rc == SZ_OK || m != NULL || !one_line(err) || strncmp(err, "cut.tflite: ", 12) != 0) {
            if (!bad++)
                fprintf(stderr, "truncated at %zu: rc %d, err '%s'\n", n, rc, err);
            tfl_model_free(&m);
        }
    }
    CHECK(bad == 0, "%s: %d truncations not refused cleanly", files[model], bad);

    /* Flipped bytes: refused with one line, or accepted and runnable. */
    uint8_t *copy = malloc(len);
    int flips_refused = 0;
    bad = 0;
    for (size_t i = 0; copy && i < len; i++) {
        memcpy(copy, buf, len);
        copy[i] ^= (uint8_t)(0x5a + i);
        err[0] = '\0';
        rc = tfl_model_parse(copy, len, "flip.tflite", &m, err, sizeof(err));
        if (rc == SZ_OK) {
            if (tfl_model_run(m, err, sizeof(err)) != SZ_OK)
                bad++;
            tfl_model_free(&m);
        } else {
            flips_refused++;
            if (m || !one_line(err))
                bad++;
        }
    }
    CHECK(bad == 0, "%s: %d flipped files misbehaved", files[model], bad);
    CHECK(flips_refused > 50, "%s: only %d of %zu flipped files refused", files[model],
          flips_refused, len);

    /* Specific refusals. */
    if (copy) {
        memcpy(copy, buf, len);
        memcpy(copy + 4, "TFL2", 4);
        rc = tfl_model_parse(copy, len, "id.tflite", &m, err, sizeof(err));
        CHECK(rc == SZ_ERR_FORMAT && strstr(err, "TFL3"), "wrong identifier: rc %d '%s'", rc, err);
    }
    rc = tfl_model_parse(NULL, 0, "null.tflite", &m, err, sizeof(err));
    CHECK(rc == SZ_ERR_FORMAT && one_line(err), "no buffer: rc %d '%s'", rc, err);
    free(copy);
    free(buf);
}

static void test_bad_model_folder(const char *src)
{
    char err[512], dir[256], path[512];
    face_detector *d = NULL;
    int rc = face_detector_open("/nonexistent-shuzi-models", &d, err, sizeof(err));
    CHECK(rc == SZ_ERR_NOT_FOUND && !d && one_line(err) && strstr(err, FACE_DETECTOR_MODEL),
          "missing folder: rc %d '%s'", rc, err);

    snprintf(dir, sizeof(dir), "/tmp/shuzi_test_landmarks_%d", (int)getpid());
    mkdir(dir, 0700);
    /* A truncated detector. */
    char real[4096];
    snprintf(real, sizeof(real), "%s/assets/models/face/%s", src, FACE_DETECTOR_MODEL);
    size_t len = 0;
    uint8_t *buf = read_file(real, &len);
    CHECK(buf != NULL, "cannot read %s", real);
    snprintf(path, sizeof(path), "%s/%s", dir, FACE_DETECTOR_MODEL);
    if (buf) {
        write_file(path, buf, len / 2);
        rc = face_detector_open(dir, &d, err, sizeof(err));
        CHECK(rc == SZ_ERR_FORMAT && !d && one_line(err) && strstr(err, FACE_DETECTOR_MODEL),
              "truncated detector: rc %d '%s'", rc, err);
    }
    /* Text instead of a model. */
    write_file(path, "hello, not a model\n", 19);
    rc = face_detector_open(dir, &d, err, sizeof(err));
    CHECK(rc == SZ_ERR_FORMAT && !d && one_line(err), "text file: rc %d '%s'", rc, err);
    /* A valid model of the wrong kind (the tiny test graph) as the detector. */
    char tiny[4096];
    snprintf(tiny, sizeof(tiny), "%s/fuzz/corpus/fuzz_tflite/tiny.tflite", src);
    size_t tlen = 0;
    uint8_t *tbuf = read_file(tiny, &tlen);
    if (tbuf) {
        write_file(path, tbuf, tlen);
        rc = face_detector_open(dir, &d, err, sizeof(err));
        CHECK(rc == SZ_ERR_FORMAT && !d && one_line(err) && strstr(err, "short-range"),
              "wrong model: rc %d '%s'", rc, err);
    }
    /* A good detector but no mesh. */
    if (buf) {
        write_file(path, buf, len);
        rc = face_detector_open(dir, &d, err, sizeof(err));
        CHECK(rc == SZ_ERR_NOT_FOUND && !d && strstr(err, FACE_MESH_MODEL),
              "missing mesh: rc %d '%s'", rc, err);
    }
    unlink(path);
    rmdir(dir);
    free(buf);
    free(tbuf);
}

/* ---- the detector on photos ------------------------------------------------ */

static int read_tem(const char *path, float pts[][2], int max)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    int n = 0;
    if (fscanf(f, "%d", &n) != 1 || n < 1 || n > max)
        n = -1;
    for (int i = 0; i < n; i++)
        if (fscanf(f, "%f %f", &pts[i][0], &pts[i][1]) != 2)
            n = -1;
    fclose(f);
    return n;
}

/* Checks the seven points of f against template ref (scaled by s, moved by
 * dx, dy). */
static void check_points_at(const char *name, const face_landmarks *f, float ref[][2], float s,
                            float dx, float dy)
{
    static const int tem[7] = {0, 1, 87, 93, 90, 106, 129};
    const float *got[7] = {f->eye_left, f->eye_right,  f->mouth_left, f->mouth_right,
                           f->lip_top,  f->lip_bottom, f->chin};
    static const char *what[7] = {"eye_left", "eye_right",  "mouth_left", "mouth_right",
                                  "lip_top",  "lip_bottom", "chin"};
    double ipd = hypot(ref[1][0] - ref[0][0], ref[1][1] - ref[0][1]) * s, mean = 0;
    for (int k = 0; k < 7; k++) {
        double ex = ref[tem[k]][0] * s + dx, ey = ref[tem[k]][1] * s + dy;
        double e = hypot(got[k][0] - ex, got[k][1] - ey) / ipd * 100.0;
        mean += e / 7;
        CHECK(e <= TOL_POINT_IPD, "%s %s: (%.1f, %.1f), template (%.1f, %.1f): %.1f%% IPD", name,
              what[k], (double)got[k][0], (double)got[k][1], ex, ey, e);
    }
    CHECK(mean <= TOL_MEAN_IPD, "%s: mean error %.2f%% IPD", name, mean);
    CHECK(f->n_mesh == 478 && f->score > 0.5f, "%s: mesh %d points (478), score %.2f", name,
          f->n_mesh, (double)f->score);
    /* Each iris centre lies inside its eye: between the eye's corners. */
    CHECK(f->mesh[468][0] > f->mesh[33][0] && f->mesh[468][0] < f->mesh[133][0] &&
              f->mesh[473][0] > f->mesh[362][0] && f->mesh[473][0] < f->mesh[263][0],
          "%s: irises (%.0f, %.0f) between the eye corners", name, (double)f->mesh[468][0],
          (double)f->mesh[473][0]);
    CHECK(fabsf(f->yaw_deg) < 10.0f && fabsf(f->roll_deg) < 5.0f,
          "%s: frontal portrait, yaw %.1f roll %.1f degrees", name, (double)f->yaw_deg,
          (double)f->roll_deg);
}

static void check_points(const char *name, const face_landmarks *f, float ref[][2], float s,
                         float dx)
{
    check_points_at(name, f, ref, s, dx, 0.0f);
}

static void test_photos(const char *faces)
{
    char err[512], path[4400];
    face_detector *d = NULL;
    int rc = face_detector_open(NULL, &d, err, sizeof(err));
    CHECK(rc == SZ_OK && d, "open: %s", err);
    if (!d)
        return;
    static face_landmarks out[4], again[4];
    int n = -1;

    /* Blank images: no face. */
    int bw = 640, bh = 480;
    uint8_t *blank = malloc((size_t)bw * bh * 3);
    memset(blank, 128, (size_t)bw * bh * 3);
    rc = face_detect(d, blank, bw, bh, bw * 3, out, 4, &n, err, sizeof(err));
    CHECK(rc == SZ_OK && n == 0, "grey image: rc %d, %d faces", rc, n);
    memset(blank, 0, (size_t)bw * bh * 3);
    rc = face_detect(d, blank, bw, bh, bw * 3, out, 4, &n, err, sizeof(err));
    CHECK(rc == SZ_OK && n == 0, "black image: rc %d, %d faces", rc, n);
    rc = face_detect(d, blank, bw, bh, bw * 2, out, 4, &n, err, sizeof(err));
    CHECK(rc == SZ_ERR_INVALID_ARG && one_line(err), "short stride refused: rc %d '%s'", rc, err);
    free(blank);

    /* Portraits against their templates. */
    static const char *names[] = {"f_white", "m_african", "f_easian"};
    static float ref[3][256][2];
    uint8_t *img[3] = {NULL, NULL, NULL};
    int w[3] = {0}, h[3] = {0};
    for (int i = 0; i < 3; i++) {
        snprintf(path, sizeof(path), "%s/composite/%s.tem", faces, names[i]);
        CHECK(read_tem(path, ref[i], 256) >= 130, "cannot read %s", path);
        snprintf(path, sizeof(path), "%s/composite/%s.jpg", faces, names[i]);
        rc = face_image_load_rgb(path, &img[i], &w[i], &h[i], err, sizeof(err));
        CHECK(rc == SZ_OK, "load: %s", err);
        if (rc != SZ_OK)
            continue;
        rc = face_detect(d, img[i], w[i], h[i], w[i] * 3, out, 4, &n, err, sizeof(err));
        CHECK(rc == SZ_OK && n == 1, "%s: rc %d, %d faces (one expected): %s", names[i], rc, n,
              err);
        if (rc == SZ_OK && n >= 1)
            check_points(names[i], &out[0], ref[i], 1.0f, 0.0f);
        if (i == 0) { /* deterministic */
            int n2 = -1;
            face_detect(d, img[i], w[i], h[i], w[i] * 3, again, 4, &n2, err, sizeof(err));
            CHECK(n2 == n && memcmp(out, again, sizeof(face_landmarks) * (size_t)n) == 0,
                  "a second run gives the same result");
        }
    }

    /* The first portrait turned 20 degrees clockwise (on screen): roll +20,
     * and the seven points follow the turned template. Then mirrored: yaw
     * and roll change sign. */
    if (img[0]) {
        int W = w[0], H = h[0];
        float th = 20.0f * (float)M_PI / 180.0f, c = cosf(th), sn = sinf(th);
        float cx = (float)W / 2, cy = (float)H / 2;
        uint8_t *rot = malloc((size_t)W * H * 3);
        for (int y = 0; y < H; y++)
            for (int x = 0; x < W; x++) { /* nearest source pixel of the inverse turn */
                float dx = (float)x + 0.5f - cx, dy = (float)y + 0.5f - cy;
                int sx = (int)floorf(c * dx + sn * dy + cx),
                    sy = (int)floorf(-sn * dx + c * dy + cy);
                uint8_t *o = rot + ((size_t)y * W + x) * 3;
                if (sx < 0 || sy < 0 || sx >= W || sy >= H)
                    o[0] = o[1] = o[2] = 128;
                else
                    memcpy(o, img[0] + ((size_t)sy * W + sx) * 3, 3);
            }
        static float turned[256][2];
        for (int k = 0; k < 256; k++) {
            float dx = ref[0][k][0] - cx, dy = ref[0][k][1] - cy;
            turned[k][0] = c * dx - sn * dy + cx;
            turned[k][1] = sn * dx + c * dy + cy;
        }
        rc = face_detect(d, rot, W, H, W * 3, out, 4, &n, err, sizeof(err));
        CHECK(rc == SZ_OK && n == 1, "turned portrait: rc %d, %d faces", rc, n);
        if (rc == SZ_OK && n == 1) {
            CHECK(fabsf(out[0].roll_deg - 20.0f) < 3.0f, "turned portrait: roll %.1f, expected 20",
                  (double)out[0].roll_deg);
            out[0].roll_deg = 0.0f; /* checked above; check_points expects a frontal face */
            check_points("turned", &out[0], turned, 1.0f, 0.0f);
        }
        free(rot);

        face_landmarks orig = {0};
        rc = face_detect(d, img[0], W, H, W * 3, &orig, 1, &n, err, sizeof(err));
        uint8_t *mir = malloc((size_t)W * H * 3);
        for (int y = 0; y < H; y++)
            for (int x = 0; x < W; x++)
                memcpy(mir + ((size_t)y * W + x) * 3, img[0] + ((size_t)y * W + (W - 1 - x)) * 3,
                       3);
        rc = face_detect(d, mir, W, H, W * 3, out, 4, &n, err, sizeof(err));
        CHECK(rc == SZ_OK && n == 1, "mirrored portrait: rc %d, %d faces", rc, n);
        if (rc == SZ_OK && n == 1) {
            CHECK(fabsf(out[0].yaw_deg + orig.yaw_deg) < 2.0f &&
                      fabsf(out[0].roll_deg + orig.roll_deg) < 1.0f,
                  "mirrored: yaw %.1f roll %.1f, original yaw %.1f roll %.1f",
                  (double)out[0].yaw_deg, (double)out[0].roll_deg, (double)orig.yaw_deg,
                  (double)orig.roll_deg);
            float ipd = orig.eye_right[0] - orig.eye_left[0];
            CHECK(fabsf(out[0].eye_left[0] - ((float)W - orig.eye_right[0])) < 0.05f * ipd,
                  "mirrored: eye_left x %.1f, expected about %.1f", (double)out[0].eye_left[0],
                  (double)((float)W - orig.eye_right[0]));
        }
        free(mir);
    }

    /* A small face: the second portrait at 1/5 size on a grey canvas of the
     * full size (too small for the detector's whole-image view). */
    if (img[1]) {
        int W = w[1], H = h[1], sw = W / 5, sh = H / 5, x0 = W / 2, y0 = H / 3;
        uint8_t *canvas = malloc((size_t)W * H * 3);
        memset(canvas, 110, (size_t)W * H * 3);
        for (int y = 0; y < sh; y++)
            for (int x = 0; x < sw; x++)
                memcpy(canvas + ((size_t)(y + y0) * W + (x + x0)) * 3,
                       img[1] + ((size_t)(y * 5 + 2) * W + (x * 5 + 2)) * 3, 3);
        rc = face_detect(d, canvas, W, H, W * 3, out, 4, &n, err, sizeof(err));
        CHECK(rc == SZ_OK && n == 1, "small face: rc %d, %d faces (one expected)", rc, n);
        if (rc == SZ_OK && n == 1)
            check_points_at("small", &out[0], ref[1], 0.2f, (float)x0, (float)y0);
        free(canvas);
    }

    /* Two portraits side by side at half size: two faces, each in place. */
    if (img[0] && img[1] && h[0] == h[1] && w[0] == w[1]) {
        int pw = w[0] / 2, ph = h[0] / 2, W = 2 * pw;
        uint8_t *two = malloc((size_t)W * ph * 3);
        for (int y = 0; y < ph; y++)
            for (int x = 0; x < W; x++) {
                const uint8_t *srcimg = x < pw ? img[0] : img[1];
                int sx = (x % pw) * 2, sy = y * 2;
                for (int c = 0; c < 3; c++) { /* 2x2 box average */
                    const uint8_t *p = srcimg + ((size_t)sy * w[0] + sx) * 3 + c;
                    size_t row = (size_t)w[0] * 3;
                    two[((size_t)y * W + x) * 3 + c] =
                        (uint8_t)((p[0] + p[3] + p[row] + p[row + 3] + 2) / 4);
                }
            }
        rc = face_detect(d, two, W, ph, W * 3, out, 4, &n, err, sizeof(err));
        CHECK(rc == SZ_OK && n == 2, "two portraits: rc %d, %d faces (two expected)", rc, n);
        if (rc == SZ_OK && n == 2) {
            int left = out[0].eye_left[0] < out[1].eye_left[0] ? 0 : 1;
            check_points("two/left", &out[left], ref[0], 0.5f, 0.0f);
            check_points("two/right", &out[1 - left], ref[1], 0.5f, (float)pw);
        }
        rc = face_detect(d, two, W, ph, W * 3, out, 1, &n, err, sizeof(err));
        CHECK(rc == SZ_OK && n == 1, "max 1: %d faces", n);
        free(two);
    }
    for (int i = 0; i < 3; i++)
        free(img[i]);
    face_detector_free(&d);
    CHECK(d == NULL, "free sets the pointer to NULL");
}

int main(void)
{
    const char *src = getenv("SHUZI_SOURCE_DIR");
    if (!src) {
        fprintf(stderr, "test_landmarks: SHUZI_SOURCE_DIR is not set (run through ctest)\n");
        return 77;
    }
    test_tiny_model(src, 0);
    test_tiny_model(src, 1);
    test_bad_model_folder(src);
    char faces[4096], probe[4200];
    snprintf(faces, sizeof(faces), "%s/../shared/data/faces", src);
    snprintf(probe, sizeof(probe), "%s/composite/f_white.jpg", faces);
    if (access(probe, R_OK) != 0) {
        if (check_failures)
            return check_summary("test_landmarks");
        fprintf(stderr, "test_landmarks: %s not found: the photo checks are skipped\n", probe);
        return 77;
    }
    test_photos(faces);
    return check_summary("test_landmarks");
}
