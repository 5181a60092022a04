/* SPDX-License-Identifier: Apache-2.0 */
/* fuzz_avatar.c: libFuzzer target for the 2D rig loader (avatar.json): the
 * JSON and field checks, SVG path data, morph structure checks; a rig that
 * loads is also opened and rendered at 64x64 with face parameters taken from
 * the input, so evaluation and drawing see what the loader accepted. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "avatar/avatar.h"
#include "avatar/rig.h"
#include "shuzi.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    avatar_rig *rig = NULL;
    char err[512];
    if (rig_load_text((const char *)data, size, "fuzz.json", &rig, err, sizeof err) != SZ_OK) {
        if (rig)
            abort(); /* a failed load must not hand out a rig */
        return 0;
    }
    if (rig->n_parts < 1 || rig->canvas_w < 16 || rig->canvas_h < 16)
        abort();
    avatar_config cfg = {.width = 64, .height = 64, .background_rgb = 0x204060};
    avatar_renderer *r = NULL;
    if (avatar_open_rig(&cfg, rig, &r, err, sizeof err) != SZ_OK)
        return 0;
    static uint8_t pixels[64 * 64 * 4];
    sz_video_frame frame = {SZ_PIX_BGRA, 64, 64, 64 * 4, pixels, 0};
    sz_face face;
    memset(&face, 0, sizeof face);
    float *f = (float *)&face;
    size_t nf = sizeof face / sizeof *f;
    for (size_t i = 0; i < nf; i++) /* input bytes as control values, -1..1.5 */
        f[i] = (float)data[(i * 7) % size] / 100.0f - 1.0f;
    avatar_render(r, NULL, &frame);
    avatar_render(r, &face, &frame);
    avatar_free(&r);
    return 0;
}
