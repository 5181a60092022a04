/* SPDX-License-Identifier: Apache-2.0 */
/* vocode.c: renders a file of acoustic features (tools/train/features.py)
 * through the diffusion voice's C vocoder, for copy synthesis: how much of
 * a recording's intelligibility survives the features and the vocoder
 * alone (tools/train/copysynth.py drives it).
 *
 *   build/vocode [--bands N] [--seed S] [--refiner VOICE.safetensors] FEATURES.f32 OUT.f32
 *
 * FEATURES.f32 holds frames of N + 2 little-endian float32 values (N log
 * band energies, log F0, voicing strength); OUT.f32 gets 256 float32
 * samples per frame at 22,050 Hz. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/cpu/nn.h"
#include "core/file.h"
#include "shuzi.h"
#include "tts/model/dv_model.h"
#include "tts/vocoder/vocoder.h"

#define VOCODE_RATE 22050
#define VOCODE_HOP 256
#define VOCODE_THRESHOLD 0.45f /* features.py VOICING_THRESHOLD */
#define VOCODE_MAX_BANDS 256
#define VOCODE_MAX_FRAMES (86 * 3600) /* an hour */

static void vocode_usage(FILE *f)
{
    fprintf(f,
            "Usage: vocode [--bands N] [--seed S] [--refiner VOICE.safetensors] FEATURES.f32 "
            "OUT.f32\n"
            "Renders acoustic features through the diffusion voice's vocoder.\n"
            "  FEATURES.f32  frames of N + 2 float32 values: N log band energies,\n"
            "                log F0 (Hz) and voicing strength (tools/train/features.py)\n"
            "  OUT.f32       float32 mono samples, %d per frame, at %d Hz\n"
            "  --bands N     log band energies per frame (default 48, 2 to %d)\n"
            "  --seed S      noise seed (default 1)\n"
            "  --refiner VOICE.safetensors\n"
            "                refine the envelope with that voice file's refiner, as the\n"
            "                voice does (tts/vocoder/refiner.h); the bands must match\n",
            VOCODE_HOP, VOCODE_RATE, VOCODE_MAX_BANDS);
}

static int vocode_int(const char *s, long lo, long hi, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

/* Reads and checks the features: a whole number of frames, all in range. */
static float *vocode_read(const char *path, int n_feats, long *n_frames)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "vocode: %s: cannot open: %s\n", path, strerror(errno));
        return NULL;
    }
    char *buf, err[512];
    size_t bytes;
    int rc = file_read_all(f, path, (size_t)VOCODE_MAX_FRAMES * (size_t)n_feats * sizeof(float),
                           &buf, &bytes, err, sizeof err);
    if (rc != SZ_OK) {
        fprintf(stderr, "vocode: %s%s\n", err,
                rc == SZ_ERR_FORMAT ? " (at most an hour of frames)" : "");
        return NULL;
    }
    float *x = (float *)buf; /* malloc'd: aligned for float */
    size_t n = bytes / sizeof(float);
    if (bytes % sizeof(float) || n % (size_t)n_feats || n == 0) {
        fprintf(stderr,
                "vocode: %s: %zu bytes is not a whole, non-zero number of frames of %d "
                "float32 values (--bands %d + log F0 + voicing)\n",
                path, bytes, n_feats, n_feats - 2);
        goto fail;
    }
    for (size_t i = 0; i < n; i++) {
        size_t k = i % (size_t)n_feats;
        float v = x[i];
        const char *what = !isfinite(v) ? "is not finite"
                           : k == (size_t)n_feats - 2 && (v < logf(20.0f) || v > logf(2000.0f))
                               ? "is a log F0 outside 20 to 2000 Hz"
                           : k == (size_t)n_feats - 1 && (v < 0.0f || v > 1.0f)
                               ? "is a voicing strength outside 0 to 1"
                           : k < (size_t)n_feats - 2 && (v < -60.0f || v > 30.0f)
                               ? "is a log band energy outside -60 to 30"
                               : NULL;
        if (what) {
            fprintf(stderr, "vocode: %s: frame %zu, value %zu (%g) %s\n", path, i / n_feats, k,
                    (double)v, what);
            goto fail;
        }
    }
    *n_frames = (long)(n / (size_t)n_feats);
    return x;
fail:
    free(x);
    return NULL;
}

int main(int argc, char **argv)
{
    long bands = 48, seed = 1;
    const char *in = NULL, *out = NULL, *refiner_path = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            vocode_usage(stdout);
            return 0;
        }
        if (!strcmp(a, "--bands") || !strcmp(a, "--seed")) {
            long *dst = a[2] == 'b' ? &bands : &seed;
            long lo = a[2] == 'b' ? 2 : 0, hi = a[2] == 'b' ? VOCODE_MAX_BANDS : 0x7fffffffL;
            if (i + 1 >= argc || vocode_int(argv[i + 1], lo, hi, dst)) {
                fprintf(stderr, "vocode: %s needs a whole number from %ld to %ld\n", a, lo, hi);
                return 2;
            }
            i++;
        } else if (!strcmp(a, "--refiner")) {
            if (i + 1 >= argc) {
                fprintf(stderr, "vocode: --refiner needs a voice file\n");
                return 2;
            }
            refiner_path = argv[++i];
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "vocode: unknown option %s (see --help)\n", a);
            return 2;
        } else if (!in) {
            in = a;
        } else if (!out) {
            out = a;
        } else {
            fprintf(stderr, "vocode: one FEATURES.f32 and one OUT.f32 (see --help)\n");
            return 2;
        }
    }
    if (!in || !out) {
        vocode_usage(stderr);
        return 2;
    }
    int n_feats = (int)bands + 2;
    long n_frames = 0;
    float *x = NULL;
    dv_model *model = NULL;
    voc_refiner *refiner = NULL;
    voc *v = NULL;
    float *pcm = NULL;
    int rc = 1;
    if (refiner_path) {
        char err[768];
        nn_set_threads(1); /* the refiner's small products: threads only cost */
        if (dv_model_open(refiner_path, &model, err, sizeof err) != SZ_OK) {
            fprintf(stderr, "vocode: %s\n", err);
            goto done;
        }
        if (dv_model_info(model)->n_bands != (int)bands ||
            dv_model_info(model)->sample_rate != VOCODE_RATE) {
            fprintf(stderr,
                    "vocode: %s: the voice has %d bands at %d Hz, not --bands %ld at %d Hz\n",
                    refiner_path, dv_model_info(model)->n_bands, dv_model_info(model)->sample_rate,
                    bands, VOCODE_RATE);
            goto done;
        }
        if (voc_refiner_load(dv_model_file(model), (int)bands, VOCODE_RATE, &refiner, err,
                             sizeof err) != SZ_OK) {
            fprintf(stderr, "vocode: %s\n", err);
            goto done;
        }
        if (!refiner) {
            fprintf(stderr, "vocode: %s: the voice has no envelope refiner\n", refiner_path);
            goto done;
        }
    }
    x = vocode_read(in, n_feats, &n_frames);
    if (!x)
        goto done;
    voc_params p = {.sample_rate = VOCODE_RATE,
                    .hop = VOCODE_HOP,
                    .n_bands = (int)bands,
                    .voicing_threshold = VOCODE_THRESHOLD,
                    .refiner = refiner};
    v = voc_new(&p);
    pcm = malloc(sizeof(float) * (size_t)(n_frames + 4 + VOC_REFINER_MAX_CONTEXT) * VOCODE_HOP);
    if (!v || !pcm) {
        fprintf(stderr, "vocode: out of memory\n");
        goto done;
    }
    voc_reset(v, (uint64_t)seed);
    size_t k = 0;
    for (long i = 0; i < n_frames; i++)
        k += voc_push(v, x + (size_t)i * (size_t)n_feats, 1.0f, pcm + k);
    k += voc_finish(v, pcm + k);
    /* written whole, then renamed: a failed run leaves no partial output */
    char tmp[4200];
    if (snprintf(tmp, sizeof tmp, "%s.part", out) >= (int)sizeof tmp) {
        fprintf(stderr, "vocode: %s: path too long\n", out);
        goto done;
    }
    FILE *f = fopen(tmp, "wb");
    if (!f) {
        fprintf(stderr, "vocode: %s: cannot create: %s\n", tmp, strerror(errno));
        goto done;
    }
    int ok = fwrite(pcm, sizeof(float), k, f) == k;
    ok = (fclose(f) == 0) && ok;
    if (!ok || rename(tmp, out) != 0) {
        fprintf(stderr, "vocode: %s: cannot write: %s\n", out, strerror(errno));
        remove(tmp);
        goto done;
    }
    rc = 0;
done:
    voc_free(&v);
    voc_refiner_free(&refiner);
    dv_model_free(&model);
    free(pcm);
    free(x);
    return rc;
}
