/* SPDX-License-Identifier: Apache-2.0 */
/* fuzz_voice.c: libFuzzer target for diffusion voice files (dv_model_parse):
 * any input is refused with a message or gives a model whose encoder and
 * decoder run on it without reading outside its tensors, and whose envelope
 * refiner, where it has one, loads or is refused and refines a frame. Seeds:
 * tiny valid voices made by tools/train/tiny_voice.py (one with a refiner). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "shuzi.h"
#include "tts/model/dv_model.h"
#include "tts/vocoder/refiner.h"

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
        voc_refiner *r = NULL;
        if (voc_refiner_load(dv_model_file(m), in->n_bands, in->sample_rate, &r, err,
                             sizeof err) == SZ_OK && r) {
            float frame[260] = {0}, refined[260];
            frame[in->n_bands] = 5.0f; /* log F0 */
            const float *frames[2 * VOC_REFINER_MAX_CONTEXT + 1];
            for (int i = 0; i <= 2 * voc_refiner_context(r); i++)
                frames[i] = frame;
            float *scratch = malloc(sizeof(float) * voc_refiner_scratch(r));
            if (scratch)
                voc_refiner_apply(r, frames, 0.0f, scratch, refined);
            free(scratch);
            voc_refiner_free(&r);
        }
        free(mu);
        free(out);
        dv_work_free(&w);
        dv_model_free(&m);
    }
    free(buf);
    return 0;
}
