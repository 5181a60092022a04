/* SPDX-License-Identifier: Apache-2.0 */
/* fuzz_voice.c: libFuzzer target for diffusion voice files (dv_model_parse):
 * any input is refused with a message or gives a model whose encoder and
 * decoder run on it without reading outside its tensors. Seed: a tiny valid
 * voice made by tools/train/tiny_voice.py. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "shuzi.h"
#include "tts/model/dv_model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* the model keeps pointers into the buffer: give it a copy it owns */
    uint8_t *buf = malloc(size ? size : 1);
    if (!buf)
        return 0;
    memcpy(buf, data, size);
    char err[512];
    dv_model *m = NULL;
    if (dv_model_parse(buf, size, "fuzz", &m, err, sizeof err) == SZ_OK) {
        const dv_info *in = dv_model_info(m);
        dv_work *w = dv_work_new(m);
        int n = 3, ids[3], frames[3], starts[4] = {0};
        for (int i = 0; i < n; i++)
            ids[i] = (int)((size_t)i % in->n_symbols);
        float *mu = malloc(sizeof(float) * (size_t)in->n_feats * n);
        float *out = malloc(sizeof(float) * (size_t)in->n_feats * 8);
        if (w && mu && out && dv_encode(m, w, ids, n, 1.0f, mu, frames) == SZ_OK) {
            for (int i = 0; i < n; i++)
                starts[i + 1] = starts[i] + (frames[i] > 2 ? 2 : frames[i]);
            dv_decode_frames(m, w, mu, n, starts, 0, starts[n], 2, 2, 0.5f, 1, 0, out);
        }
        free(mu);
        free(out);
        dv_work_free(&w);
        dv_model_free(&m);
    }
    free(buf);
    return 0;
}
