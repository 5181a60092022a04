/* SPDX-License-Identifier: Apache-2.0 */
/* landmarks.c: the face landmark pipeline: BlazeFace (short range) on the
 * letterboxed image, weighted non-maximum suppression, then for each face
 * two passes of Face Mesh on a crop rotated by the eye line (the second crop
 * is fitted to the first pass's points), and the named points read off the
 * mesh: iris centres (468, 473) for the pupils, mouth corners 61/291, outer
 * lip centre 0 (top) and 17 (bottom), chin 152. With the attention model the
 * refined lip and eye regions replace the mesh's own points, as MediaPipe
 * does. Models and scratch buffers are set up once in face_detector_open. */
#include "avatar/landmarks/landmarks.h"

#include "avatar/image.h"
#include "avatar/landmarks/tflite.h"
#include "core/assets.h"
#include "core/log.h"
#include "shuzi.h"

#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LM_TAG "landmarks"
#define LM_ANCHORS 896
#define LM_DET_COORDS 16
#define LM_MESH_POINTS 468
#define LM_IRIS_POINTS 5
#define LM_LIP_POINTS 80
#define LM_EYE_POINTS 71

/* Mesh indices of the attention model's refined regions, in the order of its
 * outputs (the same lists its Landmarks2TransformMatrix options hold): lips,
 * the eye on the image's left (with its halo and brow), the other eye. */
static const short lip_index[LM_LIP_POINTS] = {
    61, 146, 91, 181, 84, 17, 314, 405, 321, 375, 291, 185, 40, 39, 37, 0,  267, 269, 270, 409,
    78, 95,  88, 178, 87, 14, 317, 402, 318, 324, 308, 191, 80, 81, 82, 13, 312, 311, 310, 415,
    76, 77,  90, 180, 85, 16, 315, 404, 320, 307, 306, 184, 74, 73, 72, 11, 302, 303, 304, 408,
    62, 96,  89, 179, 86, 15, 316, 403, 319, 325, 292, 183, 42, 41, 38, 12, 268, 271, 272, 407};
static const short eye_index[2][LM_EYE_POINTS] = {
    {33,  7,   163, 144, 145, 153, 154, 155, 133, 246, 161, 160, 159, 158, 157, 173, 130, 25,
     110, 24,  23,  22,  26,  112, 243, 247, 30,  29,  27,  28,  56,  190, 226, 31,  228, 229,
     230, 231, 232, 233, 244, 113, 225, 224, 223, 222, 221, 189, 35,  124, 46,  53,  52,  65,
     143, 111, 117, 118, 119, 120, 121, 128, 245, 156, 70,  63,  105, 66,  107, 55,  193},
    {263, 249, 390, 373, 374, 380, 381, 382, 362, 466, 388, 387, 386, 385, 384, 398, 359, 255,
     339, 254, 253, 252, 256, 341, 463, 467, 260, 259, 257, 258, 286, 414, 446, 261, 448, 449,
     450, 451, 452, 453, 464, 342, 445, 444, 443, 442, 441, 413, 265, 353, 276, 283, 282, 295,
     372, 340, 346, 347, 348, 349, 350, 357, 465, 383, 300, 293, 334, 296, 336, 285, 417}};
#define LM_SCORE_MIN 0.5f    /* detector score threshold (as MediaPipe) */
#define LM_NMS_IOU 0.3f      /* weighted NMS overlap threshold (as MediaPipe) */
#define LM_ROI_SCALE 1.5f    /* crop side over face box side (as MediaPipe) */
#define LM_PRESENCE_MIN 0.2f /* a mesh pass below this face presence drops the face */
#define LM_MAX_IMAGE_SIDE 32768
#define LM_MAX_CAND 2048     /* detector candidates over all windows */
#define LM_GRID_MIN_SIDE 256 /* smaller images are not searched window by window */

typedef struct lm_det {
    float score;
    float box[4]; /* x centre, y centre, w, h: image pixels */
    float kp[6][2];
} lm_det;

struct face_detector {
    tfl_model *det, *mesh;
    int det_size, mesh_size;
    const tfl_tensor *det_boxes, *det_scores, *mesh_points, *mesh_flag;
    const tfl_tensor *iris[2];        /* attention model: 5 points an eye; NULL otherwise */
    const tfl_tensor *lips, *eyes[2]; /* attention model: refined lips and eye regions */
    float anchors[LM_ANCHORS][2];
    lm_det cand[LM_MAX_CAND];
    int used[LM_MAX_CAND];
    lm_det kept[LM_MAX_CAND];
    float pts[LM_MESH_POINTS][3];         /* one mesh pass, crop pixels */
    float iris_img[2][LM_IRIS_POINTS][2]; /* one mesh pass, image pixels */
};

/* An affine map from crop pixels (continuous) to image pixels. */
typedef struct lm_affine {
    float ox, oy; /* image point of the crop's (0, 0) */
    float ux, uy; /* image step for +1 crop pixel along x */
    float vx, vy; /* ... along y */
} lm_affine;

static char lm_default_dir[PATH_MAX + 16];
static pthread_once_t lm_default_once = PTHREAD_ONCE_INIT;

static void lm_default_dir_init(void)
{
    snprintf(lm_default_dir, sizeof lm_default_dir, "%s/models/face", sz_assets_dir());
}

const char *face_detector_default_dir(void)
{
    pthread_once(&lm_default_once, lm_default_dir_init);
    return lm_default_dir;
}

/* ---- image sampling ------------------------------------------------------ */

/* Bilinear sample of channel values at image point (x, y); pixel centres
 * at +0.5. Outside the image: zero (zero_border) or the nearest edge pixel. */
static void sample_bilinear(const uint8_t *rgb, int w, int h, int stride, float x, float y,
                            int zero_border, float acc[3])
{
    if (zero_border && (x < 0.0f || y < 0.0f || x >= (float)w || y >= (float)h))
        return;
    float fx = x - 0.5f, fy = y - 0.5f;
    if (fx < 0.0f)
        fx = 0.0f;
    if (fy < 0.0f)
        fy = 0.0f;
    if (fx > (float)(w - 1))
        fx = (float)(w - 1);
    if (fy > (float)(h - 1))
        fy = (float)(h - 1);
    int x0 = (int)fx, y0 = (int)fy;
    int x1 = x0 + 1 < w ? x0 + 1 : x0, y1 = y0 + 1 < h ? y0 + 1 : y0;
    float ax = fx - (float)x0, ay = fy - (float)y0;
    const uint8_t *r0 = rgb + (size_t)y0 * (size_t)stride, *r1 = rgb + (size_t)y1 * (size_t)stride;
    for (int c = 0; c < 3; c++) {
        float top = r0[3 * x0 + c] + ax * (float)(r0[3 * x1 + c] - r0[3 * x0 + c]);
        float bot = r1[3 * x0 + c] + ax * (float)(r1[3 * x1 + c] - r1[3 * x0 + c]);
        acc[c] += top + ay * (bot - top);
    }
}

/* Fills an n x n x 3 tensor with the crop a describes, each value
 * v * mul + add for v in 0..255. Downscaling averages k x k bilinear samples
 * per pixel (k about the scale) so small crops of big photos do not alias. */
static void sample_crop(const uint8_t *rgb, int w, int h, int stride, const lm_affine *a, int n,
                        float mul, float add, int zero_border, float *dst)
{
    float step = fmaxf(hypotf(a->ux, a->uy), hypotf(a->vx, a->vy));
    int k = (int)ceilf(step);
    if (k < 1)
        k = 1;
    if (k > 8)
        k = 8;
    float inv = 1.0f / (float)(k * k);
    for (int py = 0; py < n; py++)
        for (int px = 0; px < n; px++) {
            float acc[3] = {0, 0, 0};
            for (int j = 0; j < k; j++)
                for (int i = 0; i < k; i++) {
                    float cx = (float)px + ((float)i + 0.5f) / (float)k;
                    float cy = (float)py + ((float)j + 0.5f) / (float)k;
                    float x = a->ox + a->ux * cx + a->vx * cy;
                    float y = a->oy + a->uy * cx + a->vy * cy;
                    sample_bilinear(rgb, w, h, stride, x, y, zero_border, acc);
                }
            float *o = dst + ((size_t)py * n + px) * 3;
            for (int c = 0; c < 3; c++)
                o[c] = acc[c] * inv * mul + add;
        }
}

/* ---- setup ---------------------------------------------------------------- */

/* BlazeFace short-range anchors (SSD anchors with fixed size): a 16x16 grid
 * with 2 anchors a cell, then an 8x8 grid with 6; centres only. */
static void make_anchors(face_detector *d)
{
    int at = 0;
    const int grids[2] = {16, 8}, per_cell[2] = {2, 6};
    for (int g = 0; g < 2; g++)
        for (int y = 0; y < grids[g]; y++)
            for (int x = 0; x < grids[g]; x++)
                for (int k = 0; k < per_cell[g]; k++) {
                    d->anchors[at][0] = ((float)x + 0.5f) / (float)grids[g];
                    d->anchors[at][1] = ((float)y + 0.5f) / (float)grids[g];
                    at++;
                }
}

static int square_rgb_input(tfl_model *m)
{
    tfl_tensor *in = tfl_input(m, 0);
    if (!in || in->n_dims != 4 || in->shape[0] != 1 || in->shape[3] != 3 ||
        in->shape[1] != in->shape[2] || in->shape[1] < 16 || in->shape[1] > 1024)
        return 0;
    return in->shape[1];
}

static const tfl_tensor *output_with_count(const tfl_model *m, size_t count)
{
    for (int i = 0; i < m->n_outputs; i++)
        if (tfl_output(m, i)->count == count)
            return tfl_output(m, i);
    return NULL;
}

int face_detector_open(const char *models_dir, face_detector **out, char *err, size_t errlen)
{
    if (err && errlen)
        err[0] = '\0';
    if (!out) {
        if (err && errlen)
            snprintf(err, errlen, "%s: no place for the detector", LM_TAG);
        return SZ_ERR_INVALID_ARG;
    }
    *out = NULL;
    if (!models_dir)
        models_dir = face_detector_default_dir();
    face_detector *d = calloc(1, sizeof(*d));
    if (!d) {
        if (err && errlen)
            snprintf(err, errlen, "%s: out of memory", LM_TAG);
        return SZ_ERR_NO_MEMORY;
    }
    char path[4096];
    int rc;
    snprintf(path, sizeof(path), "%s/%s", models_dir, FACE_DETECTOR_MODEL);
    if ((rc = tfl_model_load(path, &d->det, err, errlen)) != SZ_OK)
        goto fail;
    d->det_size = square_rgb_input(d->det);
    d->det_boxes = output_with_count(d->det, (size_t)LM_ANCHORS * LM_DET_COORDS);
    d->det_scores = output_with_count(d->det, LM_ANCHORS);
    if (d->det_size != 128 || !d->det_boxes || !d->det_scores) {
        if (err && errlen)
            snprintf(err, errlen,
                     "%s: not the short-range face detector (expected input [1,128,128,3], "
                     "outputs of 896x16 and 896 floats)",
                     path);
        rc = SZ_ERR_FORMAT;
        goto fail;
    }
    snprintf(path, sizeof(path), "%s/%s", models_dir, FACE_MESH_MODEL);
    rc = tfl_model_load(path, &d->mesh, err, errlen);
    if (rc == SZ_ERR_NOT_FOUND) {
        snprintf(path, sizeof(path), "%s/%s", models_dir, FACE_MESH_MODEL_468);
        rc = tfl_model_load(path, &d->mesh, err, errlen);
        if (rc == SZ_ERR_NOT_FOUND && err && errlen)
            snprintf(err, errlen, "%s: neither %s nor %s found", models_dir, FACE_MESH_MODEL,
                     FACE_MESH_MODEL_468);
    }
    if (rc != SZ_OK)
        goto fail;
    d->mesh_size = square_rgb_input(d->mesh);
    d->mesh_points = output_with_count(d->mesh, (size_t)LM_MESH_POINTS * 3);
    d->mesh_flag = output_with_count(d->mesh, 1);
    if (!d->mesh_size || !d->mesh_points || !d->mesh_flag) {
        if (err && errlen)
            snprintf(err, errlen,
                     "%s: not a face mesh model (expected a square RGB input, outputs of 1404 "
                     "floats and 1 float)",
                     path);
        rc = SZ_ERR_FORMAT;
        goto fail;
    }
    /* The attention model's outputs, in its order: mesh, lips, eye on the
     * image's left, the other eye, iris on the image's left, the other iris,
     * face flag. */
    for (int i = 0, ki = 0, ke = 0; i < d->mesh->n_outputs; i++) {
        const tfl_tensor *t = tfl_output(d->mesh, i);
        if (t->count == LM_IRIS_POINTS * 2 && ki < 2)
            d->iris[ki++] = t;
        else if (t->count == LM_EYE_POINTS * 2 && ke < 2)
            d->eyes[ke++] = t;
        else if (t->count == LM_LIP_POINTS * 2)
            d->lips = t;
    }
    if (!d->iris[1] || !d->eyes[1] || !d->lips)
        d->iris[0] = d->iris[1] = d->eyes[0] = d->eyes[1] = d->lips = NULL;
    make_anchors(d);
    SZ_LOGD(LM_TAG, "models from %s: detector %llu, mesh %llu multiply-adds", models_dir,
            (unsigned long long)d->det->cost, (unsigned long long)d->mesh->cost);
    *out = d;
    return SZ_OK;
fail:
    face_detector_free(&d);
    return rc;
}

void face_detector_free(face_detector **pd)
{
    if (!pd || !*pd)
        return;
    tfl_model_free(&(*pd)->det);
    tfl_model_free(&(*pd)->mesh);
    free(*pd);
    *pd = NULL;
}

/* ---- detection ------------------------------------------------------------ */

static float box_iou(const float a[4], const float b[4])
{
    float ax0 = a[0] - a[2] / 2, ax1 = a[0] + a[2] / 2, ay0 = a[1] - a[3] / 2,
          ay1 = a[1] + a[3] / 2;
    float bx0 = b[0] - b[2] / 2, bx1 = b[0] + b[2] / 2, by0 = b[1] - b[3] / 2,
          by1 = b[1] + b[3] / 2;
    float iw = fminf(ax1, bx1) - fmaxf(ax0, bx0), ih = fminf(ay1, by1) - fmaxf(ay0, by0);
    if (iw <= 0.0f || ih <= 0.0f)
        return 0.0f;
    float inter = iw * ih, uni = a[2] * a[3] + b[2] * b[3] - inter;
    return uni > 0.0f ? inter / uni : 0.0f;
}

static int cmp_score_desc(const void *pa, const void *pb)
{
    const lm_det *a = pa, *b = pb;
    if (a->score != b->score)
        return a->score < b->score ? 1 : -1;
    /* ties: position, so the order never depends on qsort */
    if (a->box[1] != b->box[1])
        return a->box[1] < b->box[1] ? -1 : 1;
    return a->box[0] < b->box[0] ? -1 : (a->box[0] > b->box[0]);
}

static int cmp_area_desc(const void *pa, const void *pb)
{
    const lm_det *a = pa, *b = pb;
    float sa = a->box[2] * a->box[3], sb = b->box[2] * b->box[3];
    if (sa != sb)
        return sa < sb ? 1 : -1;
    return a->box[0] < b->box[0] ? -1 : (a->box[0] > b->box[0]);
}

/* Runs the detector on the square window of side `side` (image pixels) whose
 * top-left corner is (x0, y0), parts outside the image black; appends the
 * candidates above the score threshold to d->cand from *nc. */
static void detect_window(face_detector *d, const uint8_t *rgb, int w, int h, int stride, float x0,
                          float y0, float side, int *nc)
{
    int n = d->det_size;
    float scale = side / (float)n; /* image pixels per input pixel */
    lm_affine a = {.ox = x0, .oy = y0, .ux = scale, .uy = 0, .vx = 0, .vy = scale};
    sample_crop(rgb, w, h, stride, &a, n, 1.0f / 127.5f, -1.0f, 1, tfl_input(d->det, 0)->f);
    tfl_model_run(d->det, NULL, 0);

    const float *raw = d->det_boxes->f, *logit = d->det_scores->f;
    for (int i = 0; i < LM_ANCHORS && *nc < LM_MAX_CAND; i++) {
        float s = logit[i];
        s = s < -100.0f ? -100.0f : (s > 100.0f ? 100.0f : s);
        s = 1.0f / (1.0f + expf(-s));
        if (!(s >= LM_SCORE_MIN))
            continue;
        const float *r = raw + (size_t)i * LM_DET_COORDS;
        lm_det *c = &d->cand[*nc];
        float ax = d->anchors[i][0], ay = d->anchors[i][1], fn = (float)n;
        c->score = s;
        /* offsets in input pixels from the anchor centre, then image pixels */
        c->box[0] = a.ox + (r[0] + ax * fn) * scale;
        c->box[1] = a.oy + (r[1] + ay * fn) * scale;
        c->box[2] = r[2] * scale;
        c->box[3] = r[3] * scale;
        for (int k = 0; k < 6; k++) {
            c->kp[k][0] = a.ox + (r[4 + 2 * k] + ax * fn) * scale;
            c->kp[k][1] = a.oy + (r[5 + 2 * k] + ay * fn) * scale;
        }
        if (c->box[2] > 1.0f && c->box[3] > 1.0f && isfinite(c->box[0]) && isfinite(c->box[1]))
            (*nc)++;
    }
}

/* Runs the detector; returns the number of faces in d->kept, largest first.
 * The whole image first (letterboxed); when that finds nothing, a 3 x 3 grid
 * of half-size windows, for faces too small for the detector at full view. */
static int run_detector(face_detector *d, const uint8_t *rgb, int w, int h, int stride)
{
    int nc = 0;
    float side = (float)(w > h ? w : h);
    detect_window(d, rgb, w, h, stride, (float)w / 2 - side / 2, (float)h / 2 - side / 2, side,
                  &nc);
    if (nc == 0 && side >= LM_GRID_MIN_SIDE) {
        float half = side / 2;
        for (int gy = 0; gy < 3; gy++)
            for (int gx = 0; gx < 3; gx++) {
                /* windows spread evenly; a side shorter than half is centred */
                float x0 = (float)w <= half ? (float)w / 2 - half / 2 : ((float)w - half) * gx / 2;
                float y0 = (float)h <= half ? (float)h / 2 - half / 2 : ((float)h - half) * gy / 2;
                detect_window(d, rgb, w, h, stride, x0, y0, half, &nc);
            }
    }
    qsort(d->cand, (size_t)nc, sizeof(lm_det), cmp_score_desc);
    /* Weighted NMS: each kept face is the score-weighted mean of the
     * candidates overlapping the best remaining one. */
    memset(d->used, 0, sizeof(d->used));
    int nk = 0;
    for (int i = 0; i < nc; i++) {
        if (d->used[i])
            continue;
        lm_det sum = {0};
        float wsum = 0.0f;
        for (int j = i; j < nc; j++) {
            if (d->used[j] || box_iou(d->cand[i].box, d->cand[j].box) <= LM_NMS_IOU)
                continue;
            d->used[j] = 1;
            float wgt = d->cand[j].score;
            wsum += wgt;
            for (int k = 0; k < 4; k++)
                sum.box[k] += wgt * d->cand[j].box[k];
            for (int k = 0; k < 6; k++) {
                sum.kp[k][0] += wgt * d->cand[j].kp[k][0];
                sum.kp[k][1] += wgt * d->cand[j].kp[k][1];
            }
        }
        d->used[i] = 1;
        lm_det *o = &d->kept[nk++];
        if (wsum <= 0.0f) {
            *o = d->cand[i];
            continue;
        }
        o->score = d->cand[i].score;
        for (int k = 0; k < 4; k++)
            o->box[k] = sum.box[k] / wsum;
        for (int k = 0; k < 6; k++) {
            o->kp[k][0] = sum.kp[k][0] / wsum;
            o->kp[k][1] = sum.kp[k][1] / wsum;
        }
    }
    qsort(d->kept, (size_t)nk, sizeof(lm_det), cmp_area_desc);
    return nk;
}

/* ---- mesh ------------------------------------------------------------------ */

typedef struct lm_roi {
    float cx, cy, size, rot; /* centre, side (image pixels), rotation (radians) */
} lm_roi;

/* One Face Mesh pass on roi: points in image pixels into out (468), the
 * crop-frame points in d->pts; returns the face presence 0..1. */
static float run_mesh(face_detector *d, const uint8_t *rgb, int w, int h, int stride,
                      const lm_roi *roi, float out[][2])
{
    int n = d->mesh_size;
    float c = cosf(roi->rot), s = sinf(roi->rot), k = roi->size / (float)n;
    lm_affine a = {.ux = c * k, .uy = s * k, .vx = -s * k, .vy = c * k};
    a.ox = roi->cx - a.ux * (float)n / 2 - a.vx * (float)n / 2;
    a.oy = roi->cy - a.uy * (float)n / 2 - a.vy * (float)n / 2;
    sample_crop(rgb, w, h, stride, &a, n, 1.0f / 255.0f, 0.0f, 0, tfl_input(d->mesh, 0)->f);
    tfl_model_run(d->mesh, NULL, 0);
    const float *p = d->mesh_points->f;
    for (int i = 0; i < LM_MESH_POINTS; i++) {
        d->pts[i][0] = p[3 * i];
        d->pts[i][1] = p[3 * i + 1];
        d->pts[i][2] = p[3 * i + 2];
    }
    if (d->lips) { /* the refined regions replace x and y (as MediaPipe does) */
        for (int i = 0; i < LM_LIP_POINTS; i++) {
            d->pts[lip_index[i]][0] = d->lips->f[2 * i];
            d->pts[lip_index[i]][1] = d->lips->f[2 * i + 1];
        }
        for (int e = 0; e < 2; e++)
            for (int i = 0; i < LM_EYE_POINTS; i++) {
                d->pts[eye_index[e][i]][0] = d->eyes[e]->f[2 * i];
                d->pts[eye_index[e][i]][1] = d->eyes[e]->f[2 * i + 1];
            }
    }
    for (int i = 0; i < LM_MESH_POINTS; i++) {
        float px = d->pts[i][0], py = d->pts[i][1];
        out[i][0] = a.ox + a.ux * px + a.vx * py;
        out[i][1] = a.oy + a.uy * px + a.vy * py;
    }
    for (int e = 0; e < 2 && d->iris[0]; e++)
        for (int i = 0; i < LM_IRIS_POINTS; i++) {
            float px = d->iris[e]->f[2 * i], py = d->iris[e]->f[2 * i + 1];
            d->iris_img[e][i][0] = a.ox + a.ux * px + a.vx * py;
            d->iris_img[e][i][1] = a.oy + a.uy * px + a.vy * py;
        }
    float f = d->mesh_flag->f[0];
    f = f < -100.0f ? -100.0f : (f > 100.0f ? 100.0f : f);
    return 1.0f / (1.0f + expf(-f));
}

/* The crop around a set of mesh points: rotated by the line between the
 * outer eye corners (33, image left; 263, image right), fitted to the
 * points' extent in that frame, scaled by LM_ROI_SCALE. */
static lm_roi roi_from_mesh(float pts[][2])
{
    lm_roi r;
    r.rot = atan2f(pts[263][1] - pts[33][1], pts[263][0] - pts[33][0]);
    float c = cosf(r.rot), s = sinf(r.rot);
    float x0 = INFINITY, x1 = -INFINITY, y0 = INFINITY, y1 = -INFINITY;
    for (int i = 0; i < LM_MESH_POINTS; i++) {
        float u = c * pts[i][0] + s * pts[i][1], v = -s * pts[i][0] + c * pts[i][1];
        x0 = fminf(x0, u);
        x1 = fmaxf(x1, u);
        y0 = fminf(y0, v);
        y1 = fmaxf(y1, v);
    }
    float u = (x0 + x1) / 2, v = (y0 + y1) / 2;
    r.cx = c * u - s * v;
    r.cy = s * u + c * v;
    r.size = fmaxf(x1 - x0, y1 - y0) * LM_ROI_SCALE;
    return r;
}

/* Eye contours of the 468-point mesh (16 points each, Face Mesh topology):
 * the eye on the image's left (the subject's right) and on its right. */
static const int eye_ring_left[16] = {33,  7,   163, 144, 145, 153, 154, 155,
                                      133, 173, 157, 158, 159, 160, 161, 246};
static const int eye_ring_right[16] = {263, 249, 390, 373, 374, 380, 381, 382,
                                       362, 398, 384, 385, 386, 387, 388, 466};

static void ring_centre(float pts[][2], const int ring[16], float out[2])
{
    float x = 0, y = 0;
    for (int i = 0; i < 16; i++) {
        x += pts[ring[i]][0];
        y += pts[ring[i]][1];
    }
    out[0] = x / 16;
    out[1] = y / 16;
}

static void copy2(float dst[2], const float src[2])
{
    dst[0] = src[0];
    dst[1] = src[1];
}

static void fill_named(face_detector *d, face_landmarks *f)
{
    float(*m)[2] = f->mesh;
    ring_centre(m, eye_ring_left, f->eye_left);
    ring_centre(m, eye_ring_right, f->eye_right);
    f->n_mesh = LM_MESH_POINTS;
    if (d->iris[0]) {
        /* Points 468-472: the iris of the eye on the image's left (centre
         * first), 473-477: the other, as in MediaPipe's 478-point mesh. */
        float c0[2] = {d->iris_img[0][0][0], d->iris_img[0][0][1]};
        float c1[2] = {d->iris_img[1][0][0], d->iris_img[1][0][1]};
        float d00 = hypotf(c0[0] - f->eye_left[0], c0[1] - f->eye_left[1]);
        float d10 = hypotf(c1[0] - f->eye_left[0], c1[1] - f->eye_left[1]);
        int first = d00 <= d10 ? 0 : 1;
        for (int e = 0; e < 2; e++)
            for (int i = 0; i < LM_IRIS_POINTS; i++)
                copy2(m[LM_MESH_POINTS + e * LM_IRIS_POINTS + i],
                      d->iris_img[e == 0 ? first : 1 - first][i]);
        f->n_mesh = LM_MESH_POINTS + 2 * LM_IRIS_POINTS;
        copy2(f->eye_left, m[468]);
        copy2(f->eye_right, m[473]);
    }
    copy2(f->mouth_left, m[61]);
    copy2(f->mouth_right, m[291]);
    copy2(f->lip_top, m[0]);
    copy2(f->lip_bottom, m[17]);
    copy2(f->chin, m[152]);
    f->roll_deg = atan2f(f->eye_right[1] - f->eye_left[1], f->eye_right[0] - f->eye_left[0]) *
                  (float)(180.0 / M_PI);
    /* Yaw from the depth of the two face-edge points at cheek height
     * (234 image left, 454 image right), in the roll-free crop frame. */
    float dx = d->pts[454][0] - d->pts[234][0], dz = d->pts[454][2] - d->pts[234][2];
    f->yaw_deg = atan2f(dz, dx) * (float)(180.0 / M_PI);
}

static int lm_fail(char *err, size_t errlen, int code, const char *msg)
{
    if (err && errlen)
        snprintf(err, errlen, "%s: %s", LM_TAG, msg);
    return code;
}

int face_detect(face_detector *d, const uint8_t *rgb, int width, int height, int stride,
                face_landmarks *out, int max, int *n_found, char *err, size_t errlen)
{
    if (err && errlen)
        err[0] = '\0';
    if (n_found)
        *n_found = 0;
    if (!d || !n_found)
        return lm_fail(err, errlen, SZ_ERR_INVALID_ARG, "no detector or no place for the count");
    if (!rgb || width < 1 || height < 1 || width > LM_MAX_IMAGE_SIDE ||
        height > LM_MAX_IMAGE_SIDE || stride < 3 * width)
        return lm_fail(err, errlen, SZ_ERR_INVALID_ARG,
                       "image must be 8-bit RGB, 1 to 32768 pixels a side, stride >= 3 x width");
    if (max < 0 || (max > 0 && !out))
        return lm_fail(err, errlen, SZ_ERR_INVALID_ARG, "max must be >= 0 with room for max faces");
    if (max == 0)
        return SZ_OK;

    int nk = run_detector(d, rgb, width, height, stride);
    int found = 0;
    /* Candidates the mesh rejects do not count toward max; a few spares are
     * tried, no more, so a busy image cannot cost hundreds of mesh runs. */
    int tries = max + 4;
    for (int i = 0; i < nk && i < tries && found < max; i++) {
        const lm_det *det = &d->kept[i];
        face_landmarks *f = &out[found];
        memset(f, 0, sizeof(*f));
        lm_roi roi = {.cx = det->box[0], .cy = det->box[1]};
        roi.size = fmaxf(det->box[2], det->box[3]) * LM_ROI_SCALE;
        roi.rot = atan2f(det->kp[1][1] - det->kp[0][1], det->kp[1][0] - det->kp[0][0]);
        float presence = run_mesh(d, rgb, width, height, stride, &roi, f->mesh);
        if (presence < LM_PRESENCE_MIN)
            continue;
        roi = roi_from_mesh(f->mesh);
        presence = run_mesh(d, rgb, width, height, stride, &roi, f->mesh);
        if (presence < LM_PRESENCE_MIN)
            continue;
        f->score = presence < det->score ? presence : det->score;
        f->box[0] = det->box[0] - det->box[2] / 2;
        f->box[1] = det->box[1] - det->box[3] / 2;
        f->box[2] = det->box[2];
        f->box[3] = det->box[3];
        fill_named(d, f);
        found++;
    }
    *n_found = found;
    return SZ_OK;
}

int face_image_load_rgb(const char *path, uint8_t **rgb, int *width, int *height, char *err,
                        size_t errlen)
{
    if (!path || !rgb || !width || !height)
        return lm_fail(err, errlen, SZ_ERR_INVALID_ARG, "no path or no place for the image");
    *rgb = NULL;
    *width = *height = 0;
    cairo_surface_t *s = NULL;
    int rc = image_load(path, &s, err, errlen);
    if (rc != SZ_OK)
        return rc;
    rc = face_surface_rgb(s, path, rgb, width, height, err, errlen);
    cairo_surface_destroy(s);
    return rc;
}

int face_surface_rgb(cairo_surface_t *s, const char *path, uint8_t **rgb, int *width, int *height,
                     char *err, size_t errlen)
{
    *rgb = NULL;
    *width = *height = 0;
    cairo_surface_flush(s);
    int w = cairo_image_surface_get_width(s), h = cairo_image_surface_get_height(s);
    int sstride = cairo_image_surface_get_stride(s);
    cairo_format_t fmt = cairo_image_surface_get_format(s);
    const uint8_t *src = cairo_image_surface_get_data(s);
    if (!src || w < 1 || h < 1 || (fmt != CAIRO_FORMAT_ARGB32 && fmt != CAIRO_FORMAT_RGB24)) {
        if (err && errlen)
            snprintf(err, errlen, "%s: unexpected pixel format after decoding", path);
        return SZ_ERR_FORMAT;
    }
    uint8_t *dst = malloc((size_t)w * (size_t)h * 3);
    if (!dst) {
        return lm_fail(err, errlen, SZ_ERR_NO_MEMORY, "out of memory");
    }
    for (int y = 0; y < h; y++) {
        const uint32_t *row = (const uint32_t *)(const void *)(src + (size_t)y * (size_t)sstride);
        uint8_t *o = dst + (size_t)y * (size_t)w * 3;
        for (int x = 0; x < w; x++) {
            uint32_t p = row[x];
            unsigned a = fmt == CAIRO_FORMAT_ARGB32 ? p >> 24 : 255u;
            unsigned r = (p >> 16) & 255u, g = (p >> 8) & 255u, b = p & 255u;
            if (a && a < 255) { /* un-premultiply */
                r = r * 255u / a;
                g = g * 255u / a;
                b = b * 255u / a;
            }
            o[3 * x] = (uint8_t)(r > 255 ? 255 : r);
            o[3 * x + 1] = (uint8_t)(g > 255 ? 255 : g);
            o[3 * x + 2] = (uint8_t)(b > 255 ? 255 : b);
        }
    }
    *rgb = dst;
    *width = w;
    *height = h;
    return SZ_OK;
}
