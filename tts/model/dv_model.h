/* SPDX-License-Identifier: Apache-2.0 */
/* dv_model.h: the diffusion voice's acoustic model in C (the twin of
 * tools/train/model.py). A voice file (.safetensors) holds the weights, the
 * feature normalization, the token table and the hyper-parameters; this
 * loads and checks it, and runs:
 *   - the encoder: tokens -> mean features (mu) and log durations;
 *   - the flow-matching decoder: Euler steps from mu + temperature * noise
 *     to features, on a window of frames (streaming decodes overlapping
 *     windows; see tts/diffusion_voice.c).
 * Features per frame: N_BANDS log envelope values, log F0, voicing. */
#ifndef SZ_TTS_MODEL_DV_MODEL_H
#define SZ_TTS_MODEL_DV_MODEL_H

#include <stddef.h>
#include <stdint.h>

#define DV_MAX_TOKENS 400      /* tokens per encoder pass (longer runs are split) */
#define DV_MAX_WINDOW 512      /* frames per decoder window */
#define DV_MAX_STEPS 64

typedef struct dv_model dv_model;

typedef struct dv_info {
    int sample_rate;
    int hop;       /* samples per frame */
    int win;       /* analysis window (samples) */
    int n_bands;   /* envelope bands */
    int n_feats;   /* n_bands + 2 */
    float voicing_threshold;
    const char *name;     /* "kathleen" */
    const char *language; /* "en-us" */
    size_t n_symbols;
} dv_info;

/* Loads a voice file and checks everything: format tag, hyper-parameters,
 * every tensor's shape, finite weights, and the checksum of the data. */
int dv_model_open(const char *path, dv_model **out, char *err, size_t errlen);
/* The same checks on a voice file in memory (the buffer must outlive the
 * model); label names it in messages. The fuzz target uses this. */
int dv_model_parse(const void *buf, size_t len, const char *label, dv_model **out, char *err,
                   size_t errlen);
void dv_model_free(dv_model **model);
const dv_info *dv_model_info(const dv_model *model);
const char *dv_model_symbol(const dv_model *model, size_t id);
/* Token id of a symbol; -1 when the voice lacks it. */
int dv_model_symbol_id(const dv_model *model, const char *symbol);
/* The symbol table as an array (for fe_phones_map). */
const char *const *dv_model_symbols(const dv_model *model);
const char *dv_model_metadata(const dv_model *model, const char *key);
/* The checked file itself (for what else it carries: the vocoder's
 * envelope refiner, tts/vocoder/refiner.h). Lives as long as the model. */
const struct st_file *dv_model_file(const dv_model *model);

/* Scratch for one synthesis at a time (one per voice instance). */
typedef struct dv_work dv_work;
dv_work *dv_work_new(const dv_model *model);
void dv_work_free(dv_work **work);

/* Encoder on n <= DV_MAX_TOKENS tokens: mu (n_feats x n, channels first,
 * normalized feature space) and frames per token (durations at rate 1
 * divided by rate, rounded, at least 1). */
int dv_encode(const dv_model *model, dv_work *work, const int *ids, int n, float rate,
              float *mu, int *frames);

/* Runs `steps` Euler steps of the decoder on x (n_feats x t_len, channels
 * first), conditioned on mu_y (the token means repeated per frame), in
 * place. t_len <= DV_MAX_WINDOW. */
int dv_decode(const dv_model *model, dv_work *work, float *x, const float *mu_y, int t_len,
              int steps);

/* Normalized features -> real ones (envelope, log F0, voicing), in place
 * on a frame-major copy: out[t * n_feats + d]. */
void dv_denormalize(const dv_model *model, const float *x, int t_len, int t_from, int t_to,
                    float *out);

/* Streaming decode: frames [a, b) of a sequence of n tokens with means mu
 * (from dv_encode) and start frames starts[0..n] (starts[n] = all frames).
 * The decoder runs on [a - margin, b + margin) (clipped to the sequence),
 * from mu + temperature * dv_noise(seed, frame_base + t, d), and the real
 * features of [a, b) go to out (frame-major, (b - a) x n_feats). With a
 * margin of a few receptive fields the result matches decoding the whole
 * sequence at once (test_diffusion_voice measures how closely).
 * b - a + 2 * margin must not exceed DV_MAX_WINDOW. */
int dv_decode_frames(const dv_model *model, dv_work *work, const float *mu, int n,
                     const int *starts, int a, int b, int margin, int steps, float temperature,
                     uint64_t seed, int64_t frame_base, float *out);

/* A standard normal value for (seed, frame, dim): the decoder's noise,
 * independent of how frames are cut into windows. */
float dv_noise(uint64_t seed, int64_t frame, int dim);

#endif
