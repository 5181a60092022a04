/* SPDX-License-Identifier: Apache-2.0 */
/* fuzz_landmarks.c: libFuzzer target for landmark files (`shuzi avatar
 * create --landmarks`): a 189-point Psychomorph .tem or JSON with the seven
 * named points (fitted with the mean face). Whatever parses must give
 * finite points. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "avatar/photo/photo_create.h"
#include "shuzi.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    float pts[189][2];
    char err[512] = "";
    if (photo_landmarks_parse((const char *)data, size, "fuzz", pts, err, sizeof err) != SZ_OK) {
        if (!err[0])
            abort(); /* a refusal says why */
        return 0;
    }
    for (int i = 0; i < 189; i++)
        if (!isfinite(pts[i][0]) || !isfinite(pts[i][1]))
            abort();
    return 0;
}
