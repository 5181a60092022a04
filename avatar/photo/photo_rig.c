/* SPDX-License-Identifier: Apache-2.0 */
/* photo_rig.c: loads, checks and writes the photo avatar manifest
 * (photo_rig.h). Every number is checked to be finite and in range, every
 * index to be in range; errors name the field by its path. */
#include "avatar/photo/photo_rig.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/file.h"
#include "core/json.h"
#include "core/log.h"
#include "shuzi.h"

#define PR_COORD_MAX 100000.0

static const char *const pr_landmark_names[PHOTO_N_LANDMARKS] = {
    "eye_left", "eye_right", "mouth_left", "mouth_right", "lip_top", "lip_bottom", "chin"};
/* NULL-terminated for json_check_keys */
static const char *const pr_contour_names[PHOTO_N_CONTOURS + 1] = {"eye_left_upper",
                                                                   "eye_left_lower",
                                                                   "eye_right_upper",
                                                                   "eye_right_lower",
                                                                   "brow_left",
                                                                   "brow_right",
                                                                   "lip_upper_outer",
                                                                   "lip_inner",
                                                                   "lip_lower_outer",
                                                                   "jaw",
                                                                   "nose",
                                                                   "head",
                                                                   "neck",
                                                                   "extra",
                                                                   NULL};
/* contours a rig must have, and the fewest points each */
static const int pr_contour_min[PHOTO_N_CONTOURS] = {3, 3, 3, 3, 2, 2, 3, 3, 3, 3, 1, 0, 0, 0};

const char *photo_landmark_name(int i)
{
    return i >= 0 && i < PHOTO_N_LANDMARKS ? pr_landmark_names[i] : NULL;
}

const char *photo_contour_name(int i)
{
    return i >= 0 && i < PHOTO_N_CONTOURS ? pr_contour_names[i] : NULL;
}

void photo_err(char *err, size_t errlen, const char *fmt, ...)
{
    if (!err || !errlen)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

static int pr_point(const cJSON *a, float *out)
{
    if (!cJSON_IsArray(a) || cJSON_GetArraySize(a) != 2)
        return 0;
    for (int k = 0; k < 2; k++) {
        const cJSON *v = cJSON_GetArrayItem(a, k);
        if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble) || fabs(v->valuedouble) > PR_COORD_MAX)
            return 0;
        out[k] = (float)v->valuedouble;
    }
    return 1;
}

/* An array of [x, y] points into a new buffer. */
static int pr_points(const cJSON *a, const char *label, const char *path, int min, int max,
                     float **out, int *n, char *err, size_t errlen)
{
    if (!cJSON_IsArray(a)) {
        photo_err(err, errlen, "%s: %s: expected an array of [x, y] points", label, path);
        return SZ_ERR_FORMAT;
    }
    int c = cJSON_GetArraySize(a);
    if (c < min || c > max) {
        photo_err(err, errlen, "%s: %s: expected %d to %d points, got %d", label, path, min, max,
                  c);
        return SZ_ERR_FORMAT;
    }
    float *xy = calloc((size_t)(c > 0 ? c : 1), 2 * sizeof *xy);
    if (!xy) {
        photo_err(err, errlen, "%s: out of memory", label);
        return SZ_ERR_NO_MEMORY;
    }
    for (int i = 0; i < c; i++) {
        if (!pr_point(cJSON_GetArrayItem(a, i), xy + 2 * i)) {
            free(xy);
            photo_err(err, errlen, "%s: %s[%d]: expected [x, y] with |x|, |y| <= %g", label, path,
                      i, PR_COORD_MAX);
            return SZ_ERR_FORMAT;
        }
    }
    *out = xy;
    *n = c;
    return SZ_OK;
}

static int pr_indices(const cJSON *a, const char *label, const char *path, int min, int max,
                      int limit, int **out, int *n, char *err, size_t errlen)
{
    if (!cJSON_IsArray(a)) {
        photo_err(err, errlen, "%s: %s: expected an array of vertex indices", label, path);
        return SZ_ERR_FORMAT;
    }
    int c = cJSON_GetArraySize(a);
    if (c < min || c > max) {
        photo_err(err, errlen, "%s: %s: expected %d to %d indices, got %d", label, path, min, max,
                  c);
        return SZ_ERR_FORMAT;
    }
    int *idx = calloc((size_t)(c > 0 ? c : 1), sizeof *idx);
    if (!idx) {
        photo_err(err, errlen, "%s: out of memory", label);
        return SZ_ERR_NO_MEMORY;
    }
    for (int i = 0; i < c; i++) {
        const cJSON *v = cJSON_GetArrayItem(a, i);
        if (!cJSON_IsNumber(v) || v->valuedouble != floor(v->valuedouble) || v->valuedouble < 0 ||
            v->valuedouble >= limit) {
            free(idx);
            photo_err(err, errlen, "%s: %s[%d]: expected a vertex index from 0 to %d", label, path,
                      i, limit - 1);
            return SZ_ERR_FORMAT;
        }
        idx[i] = (int)v->valuedouble;
    }
    *out = idx;
    *n = c;
    return SZ_OK;
}

static int pr_load_mesh(const cJSON *m, const char *label, photo_rig *r, char *err, size_t errlen)
{
    static const char *const keys[] = {"vertices",        "triangles",       "seam_upper",
                                       "seam_lower",      "eye_left_upper",  "eye_left_lower",
                                       "eye_right_upper", "eye_right_lower", NULL};
    if (!cJSON_IsObject(m)) {
        photo_err(err, errlen, "%s: mesh: expected an object", label);
        return SZ_ERR_FORMAT;
    }
    int rc = json_check_keys(m, keys, "mesh", err, errlen);
    if (rc != SZ_OK)
        return rc;
    photo_mesh *mesh = &r->mesh;
    rc = pr_points(cJSON_GetObjectItemCaseSensitive(m, "vertices"), label, "mesh.vertices", 3,
                   PHOTO_MAX_VERTICES, &mesh->xy, &mesh->n_vertices, err, errlen);
    if (rc != SZ_OK)
        return rc;
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(m, "triangles");
    if (!cJSON_IsArray(t) || cJSON_GetArraySize(t) < 1 ||
        cJSON_GetArraySize(t) > PHOTO_MAX_TRIANGLES) {
        photo_err(err, errlen, "%s: mesh.triangles: expected 1 to %d triangles [a, b, c]", label,
                  PHOTO_MAX_TRIANGLES);
        return SZ_ERR_FORMAT;
    }
    mesh->n_triangles = cJSON_GetArraySize(t);
    mesh->tri = calloc((size_t)mesh->n_triangles, 3 * sizeof *mesh->tri);
    if (!mesh->tri) {
        photo_err(err, errlen, "%s: out of memory", label);
        return SZ_ERR_NO_MEMORY;
    }
    for (int i = 0; i < mesh->n_triangles; i++) {
        char path[64];
        snprintf(path, sizeof path, "mesh.triangles[%d]", i);
        int *idx = NULL, n = 0;
        rc = pr_indices(cJSON_GetArrayItem(t, i), label, path, 3, 3, mesh->n_vertices, &idx, &n,
                        err, errlen);
        if (rc != SZ_OK)
            return rc;
        memcpy(mesh->tri + 3 * i, idx, 3 * sizeof *idx);
        free(idx);
    }
    int n_lo = 0;
    rc = pr_indices(cJSON_GetObjectItemCaseSensitive(m, "seam_upper"), label, "mesh.seam_upper", 3,
                    PHOTO_MAX_POINTS, mesh->n_vertices, &mesh->seam_upper, &mesh->n_seam, err,
                    errlen);
    if (rc == SZ_OK)
        rc = pr_indices(cJSON_GetObjectItemCaseSensitive(m, "seam_lower"), label, "mesh.seam_lower",
                        3, PHOTO_MAX_POINTS, mesh->n_vertices, &mesh->seam_lower, &n_lo, err,
                        errlen);
    if (rc != SZ_OK)
        return rc;
    if (n_lo != mesh->n_seam) {
        photo_err(err, errlen, "%s: mesh.seam_lower: expected %d indices like seam_upper, got %d",
                  label, mesh->n_seam, n_lo);
        return SZ_ERR_FORMAT;
    }
    static const char *const eye_keys[2][2] = {{"eye_left_upper", "eye_left_lower"},
                                               {"eye_right_upper", "eye_right_lower"}};
    for (int e = 0; e < 2; e++) {
        char p0[40], p1[40];
        snprintf(p0, sizeof p0, "mesh.%s", eye_keys[e][0]);
        snprintf(p1, sizeof p1, "mesh.%s", eye_keys[e][1]);
        int n1 = 0;
        rc = pr_indices(cJSON_GetObjectItemCaseSensitive(m, eye_keys[e][0]), label, p0, 3,
                        PHOTO_MAX_POINTS, mesh->n_vertices, &mesh->eye_upper[e], &mesh->n_eye[e],
                        err, errlen);
        if (rc == SZ_OK)
            rc = pr_indices(cJSON_GetObjectItemCaseSensitive(m, eye_keys[e][1]), label, p1, 3,
                            PHOTO_MAX_POINTS, mesh->n_vertices, &mesh->eye_lower[e], &n1, err,
                            errlen);
        if (rc != SZ_OK)
            return rc;
        if (n1 != mesh->n_eye[e]) {
            photo_err(err, errlen, "%s: %s: expected %d indices like %s, got %d", label, p1,
                      mesh->n_eye[e], p0, n1);
            return SZ_ERR_FORMAT;
        }
    }
    return SZ_OK;
}

int photo_rig_load_text(const char *text, size_t len, const char *label, const char *dir,
                        photo_rig **out, char *err, size_t errlen)
{
    static const char *const keys[] = {"format",   "version", "name", "description",
                                       "style",    "image",   "crop", "landmarks",
                                       "contours", "mesh",    NULL};
    if (out)
        *out = NULL;
    if (!text || !out) {
        photo_err(err, errlen, "%s: no manifest text", label ? label : "photo avatar");
        return SZ_ERR_INVALID_ARG;
    }
    cJSON *root = json_parse(text, len, label, err, errlen);
    if (!root)
        return SZ_ERR_FORMAT;
    photo_rig *r = calloc(1, sizeof *r);
    int rc = SZ_ERR_NO_MEMORY;
    if (!r) {
        photo_err(err, errlen, "%s: out of memory", label);
        goto done;
    }
    rc = SZ_ERR_FORMAT;
    if (!cJSON_IsObject(root)) {
        photo_err(err, errlen, "%s: expected a JSON object", label);
        goto done;
    }
    const char *s = NULL;
    int64_t version = 0;
    if ((rc = json_check_keys(root, keys, "", err, errlen)) != SZ_OK ||
        (rc = json_get_string(root, "format", "format", 1, &s, err, errlen)) != SZ_OK)
        goto done;
    if (strcmp(s, PHOTO_FORMAT) != 0) {
        photo_err(err, errlen, "%s: format: expected \"%s\", got \"%.40s\"", label, PHOTO_FORMAT,
                  s);
        rc = SZ_ERR_FORMAT;
        goto done;
    }
    if ((rc = json_get_int(root, "version", "version", 1, 1, 1, &version, err, errlen)) != SZ_OK)
        goto done;
    if ((rc = json_get_string(root, "name", "name", 1, &s, err, errlen)) != SZ_OK)
        goto done;
    if (!s[0] || strlen(s) >= sizeof r->name) {
        photo_err(err, errlen, "%s: name: expected 1 to %zu characters", label, sizeof r->name - 1);
        rc = SZ_ERR_FORMAT;
        goto done;
    }
    snprintf(r->name, sizeof r->name, "%s", s);
    if (json_get_string(root, "description", "description", 0, &s, err, errlen) == SZ_OK)
        snprintf(r->description, sizeof r->description, "%s", s);
    snprintf(r->style, sizeof r->style, "photo");
    if (json_get_string(root, "style", "style", 0, &s, err, errlen) == SZ_OK)
        snprintf(r->style, sizeof r->style, "%s", s);
    if ((rc = json_get_string(root, "image", "image", 1, &s, err, errlen)) != SZ_OK)
        goto done;
    if (!s[0] || strlen(s) >= 512) {
        photo_err(err, errlen, "%s: image: expected a file name", label);
        rc = SZ_ERR_FORMAT;
        goto done;
    }
    if (s[0] == '/' || !dir || !dir[0])
        snprintf(r->image_path, sizeof r->image_path, "%s", s);
    else
        snprintf(r->image_path, sizeof r->image_path, "%s/%s", dir, s);
    const cJSON *crop = cJSON_GetObjectItemCaseSensitive(root, "crop");
    rc = SZ_ERR_FORMAT;
    if (!cJSON_IsArray(crop) || cJSON_GetArraySize(crop) != 4) {
        photo_err(err, errlen, "%s: crop: expected [x, y, width, height]", label);
        goto done;
    }
    for (int k = 0; k < 4; k++) {
        const cJSON *v = cJSON_GetArrayItem(crop, k);
        if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble) || v->valuedouble < 0 ||
            v->valuedouble > PR_COORD_MAX || (k >= 2 && v->valuedouble < 16)) {
            photo_err(err, errlen, "%s: crop[%d]: expected a number from %d to %g", label, k,
                      k >= 2 ? 16 : 0, PR_COORD_MAX);
            goto done;
        }
        r->crop[k] = (float)v->valuedouble;
    }
    const cJSON *lm = cJSON_GetObjectItemCaseSensitive(root, "landmarks");
    if (!cJSON_IsObject(lm)) {
        photo_err(err, errlen, "%s: landmarks: expected an object of [x, y] points", label);
        goto done;
    }
    for (int i = 0; i < PHOTO_N_LANDMARKS; i++) {
        if (!pr_point(cJSON_GetObjectItemCaseSensitive(lm, pr_landmark_names[i]),
                      r->landmarks[i])) {
            photo_err(err, errlen, "%s: landmarks.%s: expected [x, y]", label,
                      pr_landmark_names[i]);
            goto done;
        }
    }
    const cJSON *cs = cJSON_GetObjectItemCaseSensitive(root, "contours");
    if (!cJSON_IsObject(cs)) {
        photo_err(err, errlen, "%s: contours: expected an object of point lists", label);
        goto done;
    }
    if ((rc = json_check_keys(cs, pr_contour_names, "contours", err, errlen)) != SZ_OK)
        goto done;
    for (int i = 0; i < PHOTO_N_CONTOURS; i++) {
        const cJSON *c = cJSON_GetObjectItemCaseSensitive(cs, pr_contour_names[i]);
        char path[64];
        snprintf(path, sizeof path, "contours.%s", pr_contour_names[i]);
        if (!c && pr_contour_min[i] == 0)
            continue;
        if (!c) {
            photo_err(err, errlen, "%s: %s is required", label, path);
            rc = SZ_ERR_FORMAT;
            goto done;
        }
        rc = pr_points(c, label, path, pr_contour_min[i], PHOTO_MAX_POINTS, &r->contours[i].xy,
                       &r->contours[i].n, err, errlen);
        if (rc != SZ_OK)
            goto done;
    }
    rc = pr_load_mesh(cJSON_GetObjectItemCaseSensitive(root, "mesh"), label, r, err, errlen);
    if (rc == SZ_OK)
        rc = photo_mesh_check(r, err, errlen);
done:
    cJSON_Delete(root);
    if (rc != SZ_OK) {
        photo_rig_free(&r);
        return rc;
    }
    *out = r;
    return SZ_OK;
}

int photo_rig_load_file(const char *path, photo_rig **out, char *err, size_t errlen)
{
    if (out)
        *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f) {
        photo_err(err, errlen, "%s: cannot open: %s", path, strerror(errno));
        return errno == ENOENT ? SZ_ERR_NOT_FOUND : SZ_ERR_IO;
    }
    char *buf;
    size_t n;
    int rc = file_read_all(f, path, JSON_MAX_FILE_BYTES, &buf, &n, err, errlen);
    if (rc == SZ_ERR_FORMAT)
        photo_err(err, errlen, "%s: file too large (limit %u bytes)", path, JSON_MAX_FILE_BYTES);
    if (rc != SZ_OK)
        return rc;
    char dir[1024];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash)
        *slash = 0;
    else
        snprintf(dir, sizeof dir, ".");
    rc = photo_rig_load_text(buf, n, path, dir, out, err, errlen);
    free(buf);
    return rc;
}

void photo_mesh_free(photo_mesh *m)
{
    free(m->xy);
    free(m->tri);
    free(m->seam_upper);
    free(m->seam_lower);
    for (int e = 0; e < 2; e++) {
        free(m->eye_upper[e]);
        free(m->eye_lower[e]);
    }
    memset(m, 0, sizeof *m);
}

void photo_rig_free(photo_rig **rp)
{
    if (!rp || !*rp)
        return;
    photo_rig *r = *rp;
    for (int i = 0; i < PHOTO_N_CONTOURS; i++)
        free(r->contours[i].xy);
    photo_mesh_free(&r->mesh);
    free(r);
    *rp = NULL;
}

/* ---- writing ----------------------------------------------------------- */

static void pr_write_points(FILE *f, const float *xy, int n)
{
    fputc('[', f);
    for (int i = 0; i < n; i++)
        fprintf(f, "%s[%.2f, %.2f]", i ? ", " : "", xy[2 * i], xy[2 * i + 1]);
    fputc(']', f);
}

static void pr_write_indices(FILE *f, const char *key, const int *idx, int n)
{
    fprintf(f, ",\n    \"%s\": [", key);
    for (int i = 0; i < n; i++)
        fprintf(f, "%s%d", i ? ", " : "", idx[i]);
    fputc(']', f);
}

int photo_rig_write(const photo_rig *r, const char *image_name, const char *path, char *err,
                    size_t errlen)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        photo_err(err, errlen, "%s: cannot write: %s", path, strerror(errno));
        return SZ_ERR_IO;
    }
    char esc[1200];
    fprintf(f, "{\n  \"format\": \"%s\", \"version\": 1,\n", PHOTO_FORMAT);
    json_escape(esc, sizeof esc, r->name);
    fprintf(f, "  \"name\": %s,\n", esc);
    json_escape(esc, sizeof esc, r->description);
    fprintf(f, "  \"description\": %s,\n", esc);
    json_escape(esc, sizeof esc, r->style);
    fprintf(f, "  \"style\": %s,\n", esc);
    json_escape(esc, sizeof esc, image_name);
    fprintf(f, "  \"image\": %s,\n", esc);
    fprintf(f, "  \"crop\": [%.1f, %.1f, %.1f, %.1f],\n  \"landmarks\": {", r->crop[0], r->crop[1],
            r->crop[2], r->crop[3]);
    for (int i = 0; i < PHOTO_N_LANDMARKS; i++)
        fprintf(f, "%s\n    \"%s\": [%.2f, %.2f]", i ? "," : "", pr_landmark_names[i],
                r->landmarks[i][0], r->landmarks[i][1]);
    fprintf(f, "\n  },\n  \"contours\": {");
    int first = 1;
    for (int i = 0; i < PHOTO_N_CONTOURS; i++) {
        if (!r->contours[i].n)
            continue;
        fprintf(f, "%s\n    \"%s\": ", first ? "" : ",", pr_contour_names[i]);
        pr_write_points(f, r->contours[i].xy, r->contours[i].n);
        first = 0;
    }
    const photo_mesh *m = &r->mesh;
    fprintf(f, "\n  },\n  \"mesh\": {\n    \"vertices\": ");
    pr_write_points(f, m->xy, m->n_vertices);
    fprintf(f, ",\n    \"triangles\": [");
    for (int i = 0; i < m->n_triangles; i++)
        fprintf(f, "%s[%d, %d, %d]", i ? ", " : "", m->tri[3 * i], m->tri[3 * i + 1],
                m->tri[3 * i + 2]);
    fputc(']', f);
    pr_write_indices(f, "seam_upper", m->seam_upper, m->n_seam);
    pr_write_indices(f, "seam_lower", m->seam_lower, m->n_seam);
    pr_write_indices(f, "eye_left_upper", m->eye_upper[0], m->n_eye[0]);
    pr_write_indices(f, "eye_left_lower", m->eye_lower[0], m->n_eye[0]);
    pr_write_indices(f, "eye_right_upper", m->eye_upper[1], m->n_eye[1]);
    pr_write_indices(f, "eye_right_lower", m->eye_lower[1], m->n_eye[1]);
    fprintf(f, "\n  }\n}\n");
    int bad = ferror(f);
    if (fclose(f) != 0 || bad) {
        photo_err(err, errlen, "%s: write failed: %s", path, strerror(errno));
        return SZ_ERR_IO;
    }
    return SZ_OK;
}
