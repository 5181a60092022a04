/* SPDX-License-Identifier: Apache-2.0 */
/* fuzz_tflite.c: libFuzzer target for the TFLite model reader of the face
 * landmark detector (tfl_model_parse): any input is refused with one line,
 * or gives a model that runs without reading or writing outside its tensors
 * (runs are limited to small graphs so the fuzzer stays fast). Seed: a tiny
 * model using every operator, made by tools/avatars/tiny_tflite.py. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "avatar/landmarks/tflite.h"
#include "shuzi.h"

#define FUZZ_MAX_COST 2000000u

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* an exact-size copy, so ASan sees any read past the end */
    uint8_t *buf = malloc(size ? size : 1);
    if (!buf)
        return 0;
    memcpy(buf, data, size);
    char err[256];
    err[0] = '\0';
    tfl_model *m = NULL;
    int rc = tfl_model_parse(buf, size, "fuzz", &m, err, sizeof(err));
    free(buf); /* the model must not keep pointers into the file */
    if (rc != SZ_OK) {
        if (rc >= 0 || m != NULL || err[0] == '\0' || strchr(err, '\n') != NULL)
            abort();
        return 0;
    }
    if (!m || !tfl_input(m, 0) || !tfl_output(m, 0))
        abort();
    if (m->cost <= FUZZ_MAX_COST) {
        for (int i = 0; i < m->n_inputs; i++) {
            tfl_tensor *t = tfl_input(m, i);
            for (size_t k = 0; k < t->count; k++)
                t->f[k] = (float)((int)(k % 7) - 3) * 0.5f;
        }
        if (tfl_model_run(m, err, sizeof(err)) != SZ_OK)
            abort();
        volatile float sink = 0.0f;
        for (int i = 0; i < m->n_outputs; i++) {
            const tfl_tensor *t = tfl_output(m, i);
            sink += t->f[0] + t->f[t->count - 1];
        }
        (void)sink;
    }
    tfl_model_free(&m);
    if (m != NULL)
        abort();
    return 0;
}
