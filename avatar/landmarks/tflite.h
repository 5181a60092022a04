/* SPDX-License-Identifier: Apache-2.0 */
/* tflite.h: a small validating reader and float32 CPU interpreter for the
 * TensorFlow Lite flatbuffer models the face landmark detector uses.
 * Only the operators those graphs need are implemented; anything else is
 * refused at load time with a message naming the file and the operator.
 * A loaded model owns its weights and activation buffers (allocated once at
 * load); tfl_model_run is deterministic and allocates nothing. A model is
 * not thread-safe: one run at a time. */
#ifndef SZ_AVATAR_LANDMARKS_TFLITE_H
#define SZ_AVATAR_LANDMARKS_TFLITE_H

#include <stddef.h>
#include <stdint.h>

#define TFL_MAX_DIMS 6
#define TFL_MAX_IO 8
/* Limits on outside input: no tensor or model may ask for more. */
#define TFL_MAX_FILE_BYTES (64u << 20)
#define TFL_MAX_TENSOR_ELEMS (16u << 20)
#define TFL_MAX_TOTAL_ELEMS (32u << 20) /* activations; and again for folded weights */

/* TensorType values of the schema that this reader knows. */
enum { TFL_T_FLOAT32 = 0, TFL_T_FLOAT16 = 1, TFL_T_INT32 = 2 };

/* BuiltinOperator values of the schema that this interpreter runs. */
enum {
    TFL_OP_ADD = 0,
    TFL_OP_AVERAGE_POOL_2D = 1,
    TFL_OP_CONCATENATION = 2,
    TFL_OP_CONV_2D = 3,
    TFL_OP_DEPTHWISE_CONV_2D = 4,
    TFL_OP_DEQUANTIZE = 6,
    TFL_OP_FULLY_CONNECTED = 9,
    TFL_OP_LOGISTIC = 14,
    TFL_OP_MAX_POOL_2D = 17,
    TFL_OP_MUL = 18,
    TFL_OP_RELU = 19,
    TFL_OP_RELU6 = 21,
    TFL_OP_RESHAPE = 22,
    TFL_OP_TANH = 28,
    TFL_OP_CUSTOM = 32,
    TFL_OP_PAD = 34,
    TFL_OP_SUB = 41,
    TFL_OP_STRIDED_SLICE = 45,
    TFL_OP_PRELU = 54,
    TFL_OP_FOLDED = -1, /* done at load (DEQUANTIZE of constant weights) */
    /* MediaPipe's custom operators (face mesh with attention), by name. */
    TFL_OP_MP_LANDMARKS_TO_MATRIX = 1001, /* "Landmarks2TransformMatrix" (version 2) */
    TFL_OP_MP_TRANSFORM_BILINEAR = 1002,  /* "TransformTensorBilinear" (version 2) */
    TFL_OP_MP_TRANSFORM_LANDMARKS = 1003, /* "TransformLandmarks" (version 2) */
};

#define TFL_MAX_SUBSET 1024 /* landmark indices of a Landmarks2TransformMatrix */

typedef struct tfl_tensor {
    int type; /* TFL_T_* as stored in the file */
    int n_dims;
    int shape[TFL_MAX_DIMS];
    size_t count; /* number of elements (1 for a scalar) */
    int is_const; /* holds data from the file */
    float *f;     /* float data: converted weights or activations; NULL for int32 */
    int32_t *i32; /* int32 constants (paddings, shapes); NULL otherwise */
    char name[64];
} tfl_tensor;

typedef struct tfl_op {
    int code;                 /* TFL_OP_* */
    char custom[48];          /* custom operator name, for messages */
    int n_in, in[TFL_MAX_IO]; /* tensor indices; -1 = optional input left out */
    int n_out, out[TFL_MAX_IO];
    /* Options, from the operator's options table (defaults when absent). */
    int padding_valid; /* 0 SAME, 1 VALID */
    int stride_w, stride_h, dil_w, dil_h, filter_w, filter_h, depth_mult;
    int act;  /* fused activation: 0 none, 1 relu, 2 relu_n1_to_1, 3 relu6, 4 tanh */
    int axis; /* concatenation */
    /* STRIDED_SLICE masks */
    int begin_mask, end_mask, ellipsis_mask, new_axis_mask, shrink_axis_mask;
    /* Landmarks2TransformMatrix (from its flexbuffer options) */
    int left_idx, right_idx, out_w, out_h, n_subset;
    float scale_x, scale_y, target_rot;
    int32_t *subset; /* n_subset landmark indices, owned by the model */
} tfl_op;

typedef struct tfl_model {
    char label[96];
    int n_tensors;
    tfl_tensor *t;
    int n_ops;
    tfl_op *ops;
    int n_inputs, inputs[TFL_MAX_IO];
    int n_outputs, outputs[TFL_MAX_IO];
    uint64_t cost; /* multiply-adds (about) of one run, known after load */
    float *arena;  /* activation storage, one block */
} tfl_model;

/* Parses and validates a model in memory (label names it in messages), copies
 * the weights, checks every operator's shapes and allocates activations.
 * The buffer may be freed afterwards. Errors: SZ_ERR_FORMAT (malformed),
 * SZ_ERR_UNSUPPORTED (valid but uses something this interpreter lacks),
 * SZ_ERR_NO_MEMORY; each with one line in err. */
int tfl_model_parse(const uint8_t *buf, size_t len, const char *label, tfl_model **out, char *err,
                    size_t errlen);
/* Reads and parses a file (at most TFL_MAX_FILE_BYTES). */
int tfl_model_load(const char *path, tfl_model **out, char *err, size_t errlen);
void tfl_model_free(tfl_model **m);

/* Input/output i (in the graph's order); NULL when out of range. */
tfl_tensor *tfl_input(tfl_model *m, int i);
const tfl_tensor *tfl_output(const tfl_model *m, int i);

/* Runs the graph on what the caller wrote into the input tensors. */
int tfl_model_run(tfl_model *m, char *err, size_t errlen);

/* Internal, shared by tflite.c and tflite_ops.c: checks shapes of every
 * operator and sets m->cost (prepare), and runs one operator. */
int tfl_ops_prepare(tfl_model *m, char *err, size_t errlen);
void tfl_op_run(tfl_model *m, const tfl_op *op);
const char *tfl_op_name(int code);

#endif
