/* SPDX-License-Identifier: Apache-2.0 */
/* fuzz_photo_rig.c: libFuzzer target for the photo avatar manifest
 * (avatar.json, format shuzi-photo): the JSON and field checks, the mesh
 * checks, and the motion fields of every vertex; a manifest that loads is
 * also written beside a small portrait and rendered at 64x64 with face
 * parameters taken from the input, so the renderer sees what the loader
 * accepted (vertices anywhere, any triangles). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cairo.h>

#include "avatar/avatar.h"
#include "avatar/photo/photo_motion.h"
#include "avatar/photo/photo_rig.h"
#include "shuzi.h"

static char dir[64];

/* a folder holding portrait.png (48x48, opaque) for the manifests */
static void fuzz_setup(void)
{
    if (dir[0])
        return;
    snprintf(dir, sizeof dir, "/tmp/fuzz-photo-%d", (int)getpid());
    if (mkdir(dir, 0700) != 0 && access(dir, W_OK) != 0)
        abort();
    cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 48, 48);
    cairo_t *cr = cairo_create(s);
    cairo_set_source_rgb(cr, 0.8, 0.6, 0.5);
    cairo_paint(cr);
    cairo_destroy(cr);
    char path[128];
    snprintf(path, sizeof path, "%s/portrait.png", dir);
    cairo_surface_write_to_png(s, path);
    cairo_surface_destroy(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_setup();
    photo_rig *rig = NULL;
    char err[512];
    if (photo_rig_load_text((const char *)data, size, "fuzz.json", dir, &rig, err, sizeof err) !=
        SZ_OK) {
        if (rig)
            abort(); /* a failed load must not hand out a rig */
        return 0;
    }
    photo_motion *m = NULL;
    if (photo_motion_open(rig, &m, err, sizeof err) == SZ_OK) {
        float basis[PM_N_MOTIONS * 2];
        for (int i = 0; i < rig->mesh.n_vertices; i++)
            photo_motion_basis(m, rig->mesh.xy[2 * i], rig->mesh.xy[2 * i + 1],
                               (pm_point_kind)(i % 7), i % 2, 0, basis);
        photo_motion_free(&m);
    }
    photo_rig_free(&rig);
    char path[128];
    snprintf(path, sizeof path, "%s/avatar.json", dir);
    FILE *f = fopen(path, "wb");
    if (!f)
        abort();
    fwrite(data, 1, size, f);
    fclose(f);
    avatar_config cfg = {.avatar = path, .width = 64, .height = 64, .background_rgb = 0x204060};
    avatar_renderer *r = NULL;
    if (avatar_open(&cfg, &r, err, sizeof err) != SZ_OK)
        return 0;
    static uint8_t pixels[64 * 64 * 4];
    sz_video_frame frame = {SZ_PIX_BGRA, 64, 64, 64 * 4, pixels, 0};
    sz_face face;
    memset(&face, 0, sizeof face);
    float *fv = (float *)&face;
    size_t nf = sizeof face / sizeof *fv;
    for (size_t i = 0; i < nf; i++) /* input bytes as control values, -1..1.5 */
        fv[i] = (float)data[(i * 7) % size] / 100.0f - 1.0f;
    avatar_render(r, NULL, &frame);
    avatar_render(r, &face, &frame);
    avatar_free(&r);
    return 0;
}
