/* SPDX-License-Identifier: Apache-2.0 */
/* photo_create.c: `shuzi avatar create` (photo_create.h). The landmarks
 * become the 189-point template; its points name the contours the mesh is
 * built from. The folder is written under a hidden name and renamed when
 * complete. */
#include "avatar/photo/photo_create.h"

#include <cairo.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "avatar/image.h"
#include "avatar/landmarks/landmarks.h"
#include "avatar/photo/face_template.h"
#include "avatar/photo/photo_rig.h"
#include "core/file.h"
#include "core/json.h"
#include "core/log.h"
#include "shuzi.h"

#define PC_N 189
#define PC_MIN_IPD 40.0 /* pixels between the pupils */
#define PC_MAX_ROLL_DEG 20.0
#define PC_MAX_TURN 0.18 /* nose and mouth off the eyes' middle, in ipd */

/* the template's points of each contour, and of the seven landmarks */
static const int pc_landmark_index[PHOTO_N_LANDMARKS] = {0, 1, 87, 93, 90, 106, 129};
static const int pc_eye_lu[] = {18, 19, 20, 21, 22, -1}, pc_eye_ll[] = {18, 28, 29, 30, 22, -1};
static const int pc_eye_ru[] = {23, 24, 25, 26, 27, -1}, pc_eye_rl[] = {23, 31, 32, 33, 27, -1};
static const int pc_brow_l[] = {71, 72, 73, 74, 75, 76, 84, 83, -1};
static const int pc_brow_r[] = {77, 78, 79, 80, 81, 82, 86, 85, -1};
static const int pc_lip_uo[] = {87, 88, 89, 90, 91, 92, 93, -1};
static const int pc_lip_in[] = {87, 94, 95, 96, 97, 98, 93, -1};
static const int pc_lip_lo[] = {87, 104, 105, 106, 107, 108, 93, -1};
static const int pc_jaw[] = {109, 110, 111, 125, 126, 127, 128, 129,
                             130, 131, 132, 133, 114, 113, 112, -1};
static const int pc_nose[] = {50, 51, 52, 53, 54, 55, 56, 57, 58,  59,  60,  61,  62,
                              63, 64, 65, 66, 67, 68, 69, 70, 179, 180, 181, 182, -1};
static const int pc_head[] = {146, 147, 148, 149, 150, 151, 152, 153, 154, 155, 156, -1};
static const int pc_neck[] = {145, 183, 184, 157, -1};
static const int pc_extra[] = {34,  35,  36,  37,  38,  39,  40,  41,  42,  43,  44,  45,  46,
                               47,  48,  49,  115, 116, 117, 118, 119, 120, 121, 122, 123, 124,
                               134, 135, 136, 137, 138, 139, 140, 141, 142, 143, 144, 158, 159,
                               160, 161, 162, 163, 164, 165, 166, 167, 168, 169, 170, 171, 172,
                               173, 174, 175, 176, 177, 178, 185, 186, 187, 188, -1};
static const int *const pc_contours[PHOTO_N_CONTOURS] = {
    pc_eye_lu, pc_eye_ll, pc_eye_ru, pc_eye_rl, pc_brow_l, pc_brow_r, pc_lip_uo,
    pc_lip_in, pc_lip_lo, pc_jaw,    pc_nose,   pc_head,   pc_neck,   pc_extra};

static int pc_read_tem(const char *path, const char *text, float (*pts)[2], char *err,
                       size_t errlen)
{
    const char *p = text;
    char *end;
    long n = strtol(p, &end, 10);
    if (end == p || n != PC_N) {
        photo_err(err, errlen, "%s: expected a Psychomorph template of %d points, first line %ld",
                  path, PC_N, end == p ? -1L : n);
        return SZ_ERR_FORMAT;
    }
    p = end;
    for (int i = 0; i < PC_N; i++)
        for (int k = 0; k < 2; k++) {
            double v = strtod(p, &end);
            if (end == p || !isfinite(v) || fabs(v) > 100000) {
                photo_err(err, errlen, "%s: point %d: expected two numbers", path, i);
                return SZ_ERR_FORMAT;
            }
            pts[i][k] = (float)v;
            p = end;
        }
    return SZ_OK;
}

/* Seven named points -> the mean face, fitted by least squares (affine),
 * then each point nudged by the nearby landmarks' remaining error. */
static void pc_fit_template(const float (*seven)[2], float (*pts)[2])
{
    double ata[3][3] = {{0}}, atx[3] = {0}, aty[3] = {0};
    for (int i = 0; i < PHOTO_N_LANDMARKS; i++) {
        const float *t = face_template_189[pc_landmark_index[i]];
        double row[3] = {t[0], t[1], 1.0};
        for (int a = 0; a < 3; a++) {
            for (int b = 0; b < 3; b++)
                ata[a][b] += row[a] * row[b];
            atx[a] += row[a] * seven[i][0];
            aty[a] += row[a] * seven[i][1];
        }
    }
    /* solve the 3x3 normal equations by Cramer's rule */
    double det = ata[0][0] * (ata[1][1] * ata[2][2] - ata[1][2] * ata[2][1]) -
                 ata[0][1] * (ata[1][0] * ata[2][2] - ata[1][2] * ata[2][0]) +
                 ata[0][2] * (ata[1][0] * ata[2][1] - ata[1][1] * ata[2][0]);
    double cx[3], cy[3];
    for (int c = 0; c < 3; c++) {
        double m[3][3];
        memcpy(m, ata, sizeof m);
        for (int r = 0; r < 3; r++)
            m[r][c] = atx[r];
        double d = m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1]) -
                   m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0]) +
                   m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0]);
        cx[c] = d / det;
        memcpy(m, ata, sizeof m);
        for (int r = 0; r < 3; r++)
            m[r][c] = aty[r];
        d = m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1]) -
            m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0]) +
            m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0]);
        cy[c] = d / det;
    }
    double res[PHOTO_N_LANDMARKS][2];
    for (int i = 0; i < PC_N; i++) {
        const float *t = face_template_189[i];
        pts[i][0] = (float)(cx[0] * t[0] + cx[1] * t[1] + cx[2]);
        pts[i][1] = (float)(cy[0] * t[0] + cy[1] * t[1] + cy[2]);
    }
    double ipd = hypot(seven[1][0] - seven[0][0], seven[1][1] - seven[0][1]);
    for (int i = 0; i < PHOTO_N_LANDMARKS; i++) {
        res[i][0] = seven[i][0] - pts[pc_landmark_index[i]][0];
        res[i][1] = seven[i][1] - pts[pc_landmark_index[i]][1];
    }
    double sig = 0.18 * (ipd > 1.0 ? ipd : 1.0); /* coinciding eyes are refused later */
    for (int i = 0; i < PC_N; i++) {
        double wx = 0, wy = 0;
        for (int k = 0; k < PHOTO_N_LANDMARKS; k++) {
            const float *q = pts[pc_landmark_index[k]];
            double d2 =
                (pts[i][0] - q[0]) * (pts[i][0] - q[0]) + (pts[i][1] - q[1]) * (pts[i][1] - q[1]);
            double w = exp(-d2 / (2 * sig * sig));
            wx += w * res[k][0];
            wy += w * res[k][1];
        }
        pts[i][0] += (float)wx;
        pts[i][1] += (float)wy;
    }
    for (int k = 0; k < PHOTO_N_LANDMARKS; k++) {
        pts[pc_landmark_index[k]][0] = seven[k][0];
        pts[pc_landmark_index[k]][1] = seven[k][1];
    }
}

/* ---- from the face detector ----------------------------------------- */

#define PC_MAX_YAW_DEG 15.0
#define PC_MIN_SCORE 0.5

/* A MediaPipe mesh polyline resampled evenly to n points. */
static void pc_mesh_line(const face_landmarks *f, const int *idx, int m, int n, float (*out)[2])
{
    double len[64] = {0};
    for (int i = 1; i < m; i++)
        len[i] = len[i - 1] + hypot(f->mesh[idx[i]][0] - f->mesh[idx[i - 1]][0],
                                    f->mesh[idx[i]][1] - f->mesh[idx[i - 1]][1]);
    int seg = 1;
    for (int k = 0; k < n; k++) {
        double want = len[m - 1] * k / (n - 1);
        while (seg < m - 1 && len[seg] < want)
            seg++;
        double w = len[seg] - len[seg - 1];
        double t = w > 1e-9 ? (want - len[seg - 1]) / w : 0.0;
        t = t < 0 ? 0 : t > 1 ? 1 : t;
        const float *a = f->mesh[idx[seg - 1]], *b = f->mesh[idx[seg]];
        out[k][0] = (float)(a[0] + t * (b[0] - a[0]));
        out[k][1] = (float)(a[1] + t * (b[1] - a[1]));
    }
}

/* A mesh line resampled to n points; its points [from, from + count) go
 * to pts[dst], pts[dst + 1], ... */
static void pc_place(const face_landmarks *f, const int *idx, int m, int n, int from, int count,
                     int dst, float (*pts)[2])
{
    float line[16][2];
    pc_mesh_line(f, idx, m, n, line);
    for (int k = 0; k < count; k++)
        memcpy(pts[dst + k], line[from + k], sizeof line[k]);
}

/* The detector's face in the template's order: the mean face fitted to its
 * seven points, then the eye lids and lips from its mesh. */
static void pc_from_detector(const face_landmarks *f, float (*pts)[2])
{
    float seven[PHOTO_N_LANDMARKS][2] = {{f->eye_left[0], f->eye_left[1]},
                                         {f->eye_right[0], f->eye_right[1]},
                                         {f->mouth_left[0], f->mouth_left[1]},
                                         {f->mouth_right[0], f->mouth_right[1]},
                                         {f->lip_top[0], f->lip_top[1]},
                                         {f->lip_bottom[0], f->lip_bottom[1]},
                                         {f->chin[0], f->chin[1]}};
    pc_fit_template((const float(*)[2])seven, pts);
    if (f->n_mesh < 468)
        return;
    /* MediaPipe's indices, left to right as seen in the image */
    static const int eye_lu[] = {33, 246, 161, 160, 159, 158, 157, 173, 133};
    static const int eye_ll[] = {33, 7, 163, 144, 145, 153, 154, 155, 133};
    static const int eye_ru[] = {362, 398, 384, 385, 386, 387, 388, 466, 263};
    static const int eye_rl[] = {362, 382, 381, 380, 374, 373, 390, 249, 263};
    static const int lip_uo[] = {61, 185, 40, 39, 37, 0, 267, 269, 270, 409, 291};
    static const int lip_ui[] = {61, 191, 80, 81, 82, 13, 312, 311, 310, 415, 291};
    static const int lip_li[] = {61, 95, 88, 178, 87, 14, 317, 402, 318, 324, 291};
    static const int lip_lo[] = {61, 146, 91, 181, 84, 17, 314, 405, 321, 375, 291};
    pc_place(f, eye_lu, 9, 5, 0, 5, 18, pts);
    pc_place(f, eye_ll, 9, 5, 1, 3, 28, pts);
    pc_place(f, eye_ru, 9, 5, 0, 5, 23, pts);
    pc_place(f, eye_rl, 9, 5, 1, 3, 31, pts);
    pc_place(f, lip_uo, 11, 7, 0, 7, 87, pts); /* corners 87 and 93 */
    pc_place(f, lip_lo, 11, 7, 1, 5, 104, pts);
    pc_place(f, lip_ui, 11, 7, 1, 5, 94, pts); /* the inner lines */
    pc_place(f, lip_li, 11, 7, 1, 5, 99, pts);
}

/* Landmarks of the one face in the photo, or a clear refusal. */
static int pc_detect(const photo_create_params *p, cairo_surface_t *img, float (*pts)[2],
                     char *err, size_t errlen)
{
    uint8_t *rgb = NULL;
    int w = 0, h = 0;
    int rc = face_surface_rgb(img, p->photo, &rgb, &w, &h, err, errlen);
    if (rc != SZ_OK)
        return rc;
    face_detector *d = NULL;
    rc = face_detector_open(p->models_dir, &d, err, errlen);
    if (rc != SZ_OK) {
        free(rgb);
        return rc;
    }
    face_landmarks *faces = malloc(4 * sizeof *faces);
    int n = 0;
    if (!faces) {
        rc = SZ_ERR_NO_MEMORY;
        photo_err(err, errlen, "out of memory");
    } else {
        rc = face_detect(d, rgb, w, h, w * 3, faces, 4, &n, err, errlen);
    }
    face_detector_free(&d);
    free(rgb);
    if (rc == SZ_OK && n == 0) {
        photo_err(err, errlen, "no face found in %s: use a frontal portrait", p->photo);
        rc = SZ_ERR_INVALID_ARG;
    } else if (rc == SZ_OK && n > 1) {
        photo_err(err, errlen, "%d faces found in %s: use a portrait of one person", n, p->photo);
        rc = SZ_ERR_INVALID_ARG;
    } else if (rc == SZ_OK && faces[0].score < PC_MIN_SCORE) {
        photo_err(err, errlen,
                  "no clear face in %s (confidence %.2f): use a sharp, frontal "
                  "portrait",
                  p->photo, faces[0].score);
        rc = SZ_ERR_INVALID_ARG;
    } else if (rc == SZ_OK && fabs(faces[0].yaw_deg) > PC_MAX_YAW_DEG) {
        photo_err(err, errlen,
                  "the face is turned %.0f degrees to one side (at most %.0f): use a "
                  "frontal portrait",
                  fabs(faces[0].yaw_deg), PC_MAX_YAW_DEG);
        rc = SZ_ERR_INVALID_ARG;
    }
    if (rc == SZ_OK)
        pc_from_detector(&faces[0], pts);
    free(faces);
    return rc;
}

static int pc_read_json(const char *path, const char *text, size_t len, float (*pts)[2], char *err,
                        size_t errlen)
{
    cJSON *root = json_parse(text, len, path, err, errlen);
    if (!root)
        return SZ_ERR_FORMAT;
    float seven[PHOTO_N_LANDMARKS][2];
    int rc = SZ_OK;
    for (int i = 0; i < PHOTO_N_LANDMARKS && rc == SZ_OK; i++) {
        const cJSON *a = cJSON_IsObject(root)
                             ? cJSON_GetObjectItemCaseSensitive(root, photo_landmark_name(i))
                             : NULL;
        if (!cJSON_IsArray(a) || cJSON_GetArraySize(a) != 2 ||
            !cJSON_IsNumber(cJSON_GetArrayItem(a, 0)) ||
            !cJSON_IsNumber(cJSON_GetArrayItem(a, 1))) {
            photo_err(err, errlen, "%s: %s: expected [x, y] in the photo's pixels", path,
                      photo_landmark_name(i));
            rc = SZ_ERR_FORMAT;
            break;
        }
        for (int k = 0; k < 2; k++) {
            double v = cJSON_GetArrayItem(a, k)->valuedouble;
            if (!isfinite(v) || fabs(v) > 100000) {
                photo_err(err, errlen, "%s: %s: coordinate out of range", path,
                          photo_landmark_name(i));
                rc = SZ_ERR_FORMAT;
            }
            seven[i][k] = (float)v;
        }
    }
    cJSON_Delete(root);
    if (rc == SZ_OK)
        pc_fit_template((const float(*)[2])seven, pts);
    return rc;
}

int photo_landmarks_parse(const char *text, size_t len, const char *label, float (*pts)[2],
                          char *err, size_t errlen)
{
    /* the .tem reader wants a terminated string */
    char *buf = malloc(len + 1);
    if (!buf) {
        photo_err(err, errlen, "out of memory");
        return SZ_ERR_NO_MEMORY;
    }
    memcpy(buf, text, len);
    buf[len] = 0;
    const char *p = buf;
    while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
        p++;
    int rc;
    if (*p == '{')
        rc = pc_read_json(label, buf, len, pts, err, errlen);
    else
        rc = pc_read_tem(label, buf, pts, err, errlen);
    free(buf);
    for (int i = 0; rc == SZ_OK && i < PC_N; i++)
        if (!isfinite(pts[i][0]) || !isfinite(pts[i][1])) {
            photo_err(err, errlen, "%s: the points do not make a face (point %d is undefined)",
                      label, i);
            rc = SZ_ERR_FORMAT;
        }
    return rc;
}

int photo_landmarks_read(const char *path, float (*pts)[2], char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        photo_err(err, errlen, "%s: cannot open: %s", path, strerror(errno));
        return SZ_ERR_NOT_FOUND;
    }
    char *buf;
    size_t n;
    int rc = file_read_all(f, path, 1u << 20, &buf, &n, err, errlen);
    if (rc == SZ_ERR_FORMAT)
        photo_err(err, errlen, "%s: too large for a landmark file", path);
    if (rc != SZ_OK)
        return rc;
    rc = photo_landmarks_parse(buf, n, path, pts, err, errlen);
    free(buf);
    return rc;
}

/* The checks a face must pass to be animated. */
static int pc_check_face(const float (*pts)[2], int w, int h, char *err, size_t errlen)
{
    for (int i = 0; i < PHOTO_N_LANDMARKS; i++) {
        const float *q = pts[pc_landmark_index[i]];
        if (q[0] < 0 || q[1] < 0 || q[0] >= w || q[1] >= h) {
            photo_err(err, errlen, "the %s landmark (%.0f, %.0f) is outside the %dx%d photo",
                      photo_landmark_name(i), q[0], q[1], w, h);
            return SZ_ERR_INVALID_ARG;
        }
    }
    const float *el = pts[0], *er = pts[1];
    double dx = er[0] - el[0], dy = er[1] - el[1], ipd = hypot(dx, dy);
    if (dx <= 0) {
        photo_err(err, errlen,
                  "the left eye is not left of the right eye: the landmarks are swapped "
                  "or the face is upside down");
        return SZ_ERR_INVALID_ARG;
    }
    if (ipd < PC_MIN_IPD) {
        photo_err(err, errlen,
                  "the face is too small to animate: %.0f pixels between the pupils "
                  "(at least %.0f)",
                  ipd, PC_MIN_IPD);
        return SZ_ERR_INVALID_ARG;
    }
    double roll = atan2(dy, dx) * 180.0 / M_PI;
    if (fabs(roll) > PC_MAX_ROLL_DEG) {
        photo_err(err, errlen,
                  "the head is tilted %.0f degrees (at most %.0f): use a frontal, "
                  "upright portrait",
                  roll, PC_MAX_ROLL_DEG);
        return SZ_ERR_INVALID_ARG;
    }
    /* a turned head puts the mouth and chin off the eyes' middle */
    double ux = dx / ipd, uy = dy / ipd, mx = 0.5 * (el[0] + er[0]), my = 0.5 * (el[1] + er[1]);
    double mouth = ((0.5 * (pts[87][0] + pts[93][0]) - mx) * ux +
                    (0.5 * (pts[87][1] + pts[93][1]) - my) * uy) /
                   ipd;
    double chin = ((pts[129][0] - mx) * ux + (pts[129][1] - my) * uy) / ipd;
    if (fabs(mouth) > PC_MAX_TURN || fabs(chin) > 1.5 * PC_MAX_TURN) {
        photo_err(err, errlen,
                  "the face is turned to one side (mouth %.2f, chin %.2f of the eye "
                  "distance off centre): use a frontal portrait",
                  mouth, chin);
        return SZ_ERR_INVALID_ARG;
    }
    /* the lips must meet in the photo: the mouth opens from there */
    double gap = 0;
    for (int k = 1; k < 6; k++)
        gap = fmax(gap, hypot(pts[93 + k][0] - pts[98 + k][0], pts[93 + k][1] - pts[98 + k][1]));
    if (gap > 0.06 * ipd) {
        photo_err(err, errlen,
                  "the mouth is open in the photo: use a portrait with the lips "
                  "closed");
        return SZ_ERR_INVALID_ARG;
    }
    double down = (-(pts[129][0] - mx) * uy + (pts[129][1] - my) * ux) / ipd;
    if (down < 1.2 || down > 3.5) {
        photo_err(err, errlen,
                  "the chin is %.2f eye distances below the eyes (a face has about 2): "
                  "check the landmarks",
                  down);
        return SZ_ERR_INVALID_ARG;
    }
    return SZ_OK;
}

static void pc_rmtree(const char *dir)
{
    static const char *const files[] = {"avatar.json", "portrait.png", NULL};
    char p[1200];
    for (int i = 0; files[i]; i++) {
        snprintf(p, sizeof p, "%s/%s", dir, files[i]);
        unlink(p);
    }
    rmdir(dir);
}

int photo_avatar_create(const photo_create_params *p, char *err, size_t errlen)
{
    if (!p || !p->photo || !p->out_dir || !p->out_dir[0]) {
        photo_err(err, errlen, "a photo and an output folder are required");
        return SZ_ERR_INVALID_ARG;
    }
    struct stat st;
    if (stat(p->out_dir, &st) == 0) {
        photo_err(err, errlen, "%s already exists: give a new folder", p->out_dir);
        return SZ_ERR_INVALID_ARG;
    }
    cairo_surface_t *img = NULL;
    int rc = image_load(p->photo, &img, err, errlen);
    if (rc != SZ_OK)
        return rc;
    int w = cairo_image_surface_get_width(img), h = cairo_image_surface_get_height(img);
    float pts[PC_N][2];
    photo_rig *rig = NULL;
    char tmp[1200] = "";
    if (p->landmarks)
        rc = photo_landmarks_read(p->landmarks, pts, err, errlen);
    else
        rc = pc_detect(p, img, pts, err, errlen);
    if (rc != SZ_OK)
        goto done;
    rc = pc_check_face((const float(*)[2])pts, w, h, err, errlen);
    if (rc != SZ_OK)
        goto done;
    rig = calloc(1, sizeof *rig);
    if (!rig) {
        rc = SZ_ERR_NO_MEMORY;
        photo_err(err, errlen, "out of memory");
        goto done;
    }
    const char *name = p->name;
    const char *slash = strrchr(p->out_dir, '/');
    char base[RIG_NAME_MAX];
    snprintf(base, sizeof base, "%s", slash && slash[1] ? slash + 1 : p->out_dir);
    if (!name || !name[0])
        name = base;
    snprintf(rig->name, sizeof rig->name, "%s", name);
    snprintf(rig->description, sizeof rig->description, "photo host made from %s",
             strrchr(p->photo, '/') ? strrchr(p->photo, '/') + 1 : p->photo);
    snprintf(rig->style, sizeof rig->style, "photographic portrait");
    rig->crop[0] = 0;
    rig->crop[1] = 0;
    rig->crop[2] = (float)w;
    rig->crop[3] = (float)h;
    for (int i = 0; i < PHOTO_N_LANDMARKS; i++) {
        rig->landmarks[i][0] = pts[pc_landmark_index[i]][0];
        rig->landmarks[i][1] = pts[pc_landmark_index[i]][1];
    }
    for (int c = 0; c < PHOTO_N_CONTOURS; c++) {
        int n = 0;
        while (pc_contours[c][n] >= 0)
            n++;
        rig->contours[c].xy = malloc((size_t)n * 2 * sizeof(float));
        if (!rig->contours[c].xy) {
            rc = SZ_ERR_NO_MEMORY;
            photo_err(err, errlen, "out of memory");
            goto done;
        }
        rig->contours[c].n = n;
        for (int k = 0; k < n; k++) {
            int i = pc_contours[c][k];
            rig->contours[c].xy[2 * k] = pts[i][0];
            rig->contours[c].xy[2 * k + 1] = pts[i][1];
            if (c == PHOTO_LIP_INNER && i >= 94 && i <= 98) {
                /* where the lips meet: between the upper and the lower inner line */
                rig->contours[c].xy[2 * k] = 0.5f * (pts[i][0] + pts[i + 5][0]);
                rig->contours[c].xy[2 * k + 1] = 0.5f * (pts[i][1] + pts[i + 5][1]);
            }
        }
    }
    rc = photo_mesh_build(rig, w, h, err, errlen);
    if (rc != SZ_OK)
        goto done;
    /* write under a hidden name beside the folder, then rename */
    char parent[1024];
    snprintf(parent, sizeof parent, "%s", p->out_dir);
    char *ps = strrchr(parent, '/');
    if (ps)
        *ps = 0;
    else
        snprintf(parent, sizeof parent, ".");
    snprintf(tmp, sizeof tmp, "%s/.%s.partial-%d", parent, base, (int)getpid());
    if (mkdir(tmp, 0755) != 0) {
        photo_err(err, errlen, "%s: cannot create: %s", p->out_dir, strerror(errno));
        tmp[0] = 0;
        rc = SZ_ERR_IO;
        goto done;
    }
    char path[1300];
    snprintf(path, sizeof path, "%s/portrait.png", tmp);
    if (cairo_surface_write_to_png(img, path) != CAIRO_STATUS_SUCCESS) {
        photo_err(err, errlen, "%s: cannot write the portrait", p->out_dir);
        rc = SZ_ERR_IO;
        goto done;
    }
    snprintf(path, sizeof path, "%s/avatar.json", tmp);
    rc = photo_rig_write(rig, "portrait.png", path, err, errlen);
    if (rc != SZ_OK)
        goto done;
    if (p->landmarks_out) {
        FILE *f = fopen(p->landmarks_out, "w");
        if (!f) {
            photo_err(err, errlen, "%s: cannot write: %s", p->landmarks_out, strerror(errno));
            rc = SZ_ERR_IO;
            goto done;
        }
        fputc('{', f);
        for (int i = 0; i < PHOTO_N_LANDMARKS; i++)
            fprintf(f, "%s\"%s\": [%.2f, %.2f]", i ? ", " : "", photo_landmark_name(i),
                    rig->landmarks[i][0], rig->landmarks[i][1]);
        fputs("}\n", f);
        if (fclose(f) != 0) {
            photo_err(err, errlen, "%s: write failed", p->landmarks_out);
            unlink(p->landmarks_out);
            rc = SZ_ERR_IO;
            goto done;
        }
    }
    if (rename(tmp, p->out_dir) != 0) {
        photo_err(err, errlen, "%s: cannot create: %s", p->out_dir, strerror(errno));
        rc = SZ_ERR_IO;
        goto done;
    }
    tmp[0] = 0;
done:
    if (tmp[0])
        pc_rmtree(tmp);
    photo_rig_free(&rig);
    cairo_surface_destroy(img);
    return rc;
}
