/* SPDX-License-Identifier: Apache-2.0 */
/* bench_landmarks.c: accuracy and speed of the face landmark detector on
 * portraits with hand-placed Psychomorph templates (.tem): for each photo the
 * mean distance of the seven named points (pupils, mouth corners, lip top and
 * bottom, chin) from the template's, as a percentage of the template's
 * inter-pupil distance (IPD), and the median milliseconds per face_detect.
 *
 *     build/bench_landmarks [FOLDER] [RUNS]
 *
 * FOLDER holds NAME.jpg + NAME.tem pairs; the default is the London set in
 * ../shared/data/faces/london/neutral beside the source tree.
 * RUNS: timed runs per photo (default 3). The bar: mean error at most 5% IPD. */
#include <dirent.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "avatar/landmarks/landmarks.h"
#include "shuzi.h"

#define BENCH_MAX_PHOTOS 64
#define BENCH_N_POINTS 7

/* Template indices of the seven points, in face_landmarks order. */
static const int tem_index[BENCH_N_POINTS] = {0, 1, 87, 93, 90, 106, 129};
static const char *point_name[BENCH_N_POINTS] = {"eye_l",   "eye_r",   "mouth_l", "mouth_r",
                                                 "lip_top", "lip_bot", "chin"};

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int read_tem(const char *path, float pts[][2], int max)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    int n = 0;
    if (fscanf(f, "%d", &n) != 1 || n < 1 || n > max) {
        fclose(f);
        return -1;
    }
    for (int i = 0; i < n; i++)
        if (fscanf(f, "%f %f", &pts[i][0], &pts[i][1]) != 2) {
            fclose(f);
            return -1;
        }
    fclose(f);
    return n;
}

static void named_points(const face_landmarks *f, float p[BENCH_N_POINTS][2])
{
    const float *src[BENCH_N_POINTS] = {f->eye_left, f->eye_right,  f->mouth_left, f->mouth_right,
                                        f->lip_top,  f->lip_bottom, f->chin};
    for (int i = 0; i < BENCH_N_POINTS; i++) {
        p[i][0] = src[i][0];
        p[i][1] = src[i][1];
    }
}

int main(int argc, char **argv)
{
    /* The folder: the argument, else beside the source tree (found from
     * $SHUZI_SOURCE_DIR, else from the built-in models folder
     * SOURCE/assets/models/face), else from the working directory. */
    char folder[4096];
    const char *src = getenv("SHUZI_SOURCE_DIR");
    if (argc > 1)
        snprintf(folder, sizeof(folder), "%s", argv[1]);
    else if (src)
        snprintf(folder, sizeof(folder), "%s/../shared/data/faces/london/neutral", src);
    else
        snprintf(folder, sizeof(folder), "%s/../../../../shared/data/faces/london/neutral",
                 face_detector_default_dir());
    if (argc <= 1 && access(folder, R_OK) != 0)
        snprintf(folder, sizeof(folder), "../shared/data/faces/london/neutral");
    int runs = argc > 2 ? atoi(argv[2]) : 3;
    if (runs < 1)
        runs = 1;

    DIR *dir = opendir(folder);
    if (!dir) {
        fprintf(stderr, "bench_landmarks: cannot open %s (give the folder as the first argument)\n",
                folder);
        return 1;
    }
    char *names[BENCH_MAX_PHOTOS];
    int n_names = 0;
    struct dirent *e;
    while ((e = readdir(dir)) && n_names < BENCH_MAX_PHOTOS) {
        size_t len = strlen(e->d_name);
        if (len > 4 && strcmp(e->d_name + len - 4, ".jpg") == 0)
            names[n_names++] = strdup(e->d_name);
    }
    closedir(dir);
    qsort(names, (size_t)n_names, sizeof(char *), cmp_str);

    char err[512];
    face_detector *det = NULL;
    if (face_detector_open(NULL, &det, err, sizeof(err)) != SZ_OK) {
        fprintf(stderr, "bench_landmarks: %s\n", err);
        return 1;
    }

    static double times[BENCH_MAX_PHOTOS * 16];
    int n_times = 0, n_done = 0, n_missed = 0;
    double sum_err = 0, worst_mean = 0, point_sum[BENCH_N_POINTS] = {0};
    char worst_name[256] = "", worst_point[300] = "";
    double worst_point_err = 0;
    printf("%-14s %7s %7s %7s %7s %7s %7s %7s | %6s %6s %6s %6s\n", "photo", point_name[0],
           point_name[1], point_name[2], point_name[3], point_name[4], point_name[5], point_name[6],
           "mean%", "max%", "yaw", "roll");
    for (int i = 0; i < n_names; i++) {
        char path[4600], tem[4600];
        snprintf(path, sizeof(path), "%s/%s", folder, names[i]);
        snprintf(tem, sizeof(tem), "%.*s.tem", (int)(strlen(path) - 4), path);
        static float ref[256][2];
        if (read_tem(tem, ref, 256) < 130) {
            fprintf(stderr, "bench_landmarks: %s: no usable template, skipped\n", tem);
            continue;
        }
        uint8_t *rgb = NULL;
        int w = 0, h = 0;
        if (face_image_load_rgb(path, &rgb, &w, &h, err, sizeof(err)) != SZ_OK) {
            fprintf(stderr, "bench_landmarks: %s\n", err);
            continue;
        }
        static face_landmarks faces[2];
        int n = 0;
        for (int r = 0; r < runs; r++) {
            double t0 = now_ms();
            if (face_detect(det, rgb, w, h, 3 * w, faces, 2, &n, err, sizeof(err)) != SZ_OK) {
                fprintf(stderr, "bench_landmarks: %s: %s\n", path, err);
                break;
            }
            times[n_times++] = now_ms() - t0;
        }
        free(rgb);
        if (n < 1) {
            printf("%-14s no face found\n", names[i]);
            n_missed++;
            continue;
        }
        float p[BENCH_N_POINTS][2];
        named_points(&faces[0], p);
        double ipd = hypot(ref[1][0] - ref[0][0], ref[1][1] - ref[0][1]);
        double mean = 0, mx = 0;
        printf("%-14s", names[i]);
        for (int k = 0; k < BENCH_N_POINTS; k++) {
            const float *r = ref[tem_index[k]];
            double d = hypot(p[k][0] - r[0], p[k][1] - r[1]) / ipd * 100.0;
            printf(" %7.2f", d);
            mean += d / BENCH_N_POINTS;
            mx = d > mx ? d : mx;
            if (d > worst_point_err) {
                worst_point_err = d;
                snprintf(worst_point, sizeof(worst_point), "%s %s", names[i], point_name[k]);
            }
            point_sum[k] += d;
        }
        printf(" | %6.2f %6.2f %6.1f %6.1f\n", mean, mx, faces[0].yaw_deg, faces[0].roll_deg);
        sum_err += mean;
        if (mean > worst_mean) {
            worst_mean = mean;
            snprintf(worst_name, sizeof(worst_name), "%s", names[i]);
        }
        n_done++;
    }
    face_detector_free(&det);
    for (int i = 0; i < n_names; i++)
        free(names[i]);
    if (n_done == 0) {
        fprintf(stderr, "bench_landmarks: no photo measured in %s\n", folder);
        return 1;
    }
    qsort(times, (size_t)n_times, sizeof(double), cmp_double);
    printf("%-14s", "per point");
    for (int k = 0; k < BENCH_N_POINTS; k++)
        printf(" %7.2f", point_sum[k] / n_done);
    printf("\n");
    printf("photos: %d measured, %d without a face\n", n_done, n_missed);
    printf("mean error: %.2f%% of the inter-pupil distance (bar: 5%%)\n", sum_err / n_done);
    printf("worst photo: %s, %.2f%% IPD (mean of its seven points)\n", worst_name, worst_mean);
    printf("largest single point error: %.2f%% IPD (%s)\n", worst_point_err, worst_point);
    printf("face_detect: median %.1f ms over %d runs\n", times[n_times / 2], n_times);
    return 0;
}
