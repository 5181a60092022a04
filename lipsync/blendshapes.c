/* SPDX-License-Identifier: Apache-2.0 */
/* blendshapes.c: tables from the 15 visemes to ARKit blendshapes and VRM
 * vowels, blended by the face's viseme weights. */
#include "lipsync/blendshapes.h"

#include <string.h>

static const char *const ls_arkit_names[LS_ARKIT_COUNT] = {
    "jawOpen",         "mouthClose",       "mouthFunnel",      "mouthPucker",    "mouthStretch_L",
    "mouthStretch_R",  "mouthSmile_L",     "mouthSmile_R",     "mouthFrown_L",   "mouthFrown_R",
    "mouthPress_L",    "mouthPress_R",     "mouthRollLower",   "mouthRollUpper", "mouthShrugLower",
    "mouthShrugUpper", "mouthLowerDown_L", "mouthLowerDown_R", "mouthUpperUp_L", "mouthUpperUp_R",
    "tongueOut",
};

const char *lipsync_arkit_name(int index)
{
    return index >= 0 && index < LS_ARKIT_COUNT ? ls_arkit_names[index] : NULL;
}

/* One ARKit target per viseme, symmetric (left = right). Columns: jaw,
 * funnel, pucker, stretch, press, rollLower, rollUpper, shrugLower,
 * shrugUpper, lowerDown, upperUp, tongue. mouthClose is derived. */
enum {
    AK_JAW,
    AK_FUNNEL,
    AK_PUCKER,
    AK_STRETCH,
    AK_PRESS,
    AK_ROLL_LO,
    AK_ROLL_UP,
    AK_SHRUG_LO,
    AK_SHRUG_UP,
    AK_LOWER_DOWN,
    AK_UPPER_UP,
    AK_TONGUE,
    AK_N
};

static const float ls_arkit_targets[VIS_COUNT][AK_N] = {
    [VIS_SIL] = {0},
    [VIS_PP] = {[AK_JAW] = 0.06f,
                [AK_PRESS] = 0.55f,
                [AK_ROLL_LO] = 0.15f,
                [AK_ROLL_UP] = 0.10f,
                [AK_SHRUG_LO] = 0.2f},
    [VIS_FF] =
        {[AK_JAW] = 0.10f, [AK_ROLL_LO] = 0.65f, [AK_UPPER_UP] = 0.25f, [AK_SHRUG_UP] = 0.15f},
    [VIS_TH] =
        {[AK_JAW] = 0.20f, [AK_STRETCH] = 0.10f, [AK_TONGUE] = 0.45f, [AK_LOWER_DOWN] = 0.15f},
    [VIS_DD] =
        {[AK_JAW] = 0.20f, [AK_STRETCH] = 0.15f, [AK_LOWER_DOWN] = 0.20f, [AK_UPPER_UP] = 0.10f},
    [VIS_KK] = {[AK_JAW] = 0.25f, [AK_STRETCH] = 0.12f, [AK_LOWER_DOWN] = 0.15f},
    [VIS_CH] = {[AK_JAW] = 0.15f,
                [AK_FUNNEL] = 0.55f,
                [AK_PUCKER] = 0.30f,
                [AK_UPPER_UP] = 0.20f,
                [AK_LOWER_DOWN] = 0.20f},
    [VIS_SS] =
        {[AK_JAW] = 0.06f, [AK_STRETCH] = 0.40f, [AK_UPPER_UP] = 0.15f, [AK_LOWER_DOWN] = 0.20f},
    [VIS_NN] = {[AK_JAW] = 0.18f, [AK_STRETCH] = 0.12f, [AK_LOWER_DOWN] = 0.10f},
    [VIS_RR] = {[AK_JAW] = 0.20f, [AK_FUNNEL] = 0.35f, [AK_PUCKER] = 0.30f},
    [VIS_AA] =
        {[AK_JAW] = 0.70f, [AK_STRETCH] = 0.10f, [AK_LOWER_DOWN] = 0.30f, [AK_UPPER_UP] = 0.10f},
    [VIS_E] =
        {[AK_JAW] = 0.40f, [AK_STRETCH] = 0.40f, [AK_LOWER_DOWN] = 0.25f, [AK_UPPER_UP] = 0.10f},
    [VIS_IH] =
        {[AK_JAW] = 0.20f, [AK_STRETCH] = 0.55f, [AK_UPPER_UP] = 0.15f, [AK_LOWER_DOWN] = 0.15f},
    [VIS_OH] = {[AK_JAW] = 0.50f, [AK_FUNNEL] = 0.70f, [AK_PUCKER] = 0.20f},
    [VIS_OU] = {[AK_JAW] = 0.20f, [AK_FUNNEL] = 0.40f, [AK_PUCKER] = 0.90f},
};

static float ls_clamp01(float x)
{
    return x < 0.0f ? 0.0f : x > 1.0f ? 1.0f : x;
}

void lipsync_arkit_from_face(const sz_face *face, float out[LS_ARKIT_COUNT])
{
    float t[AK_N] = {0};
    for (int v = 0; v < VIS_COUNT; v++)
        for (int k = 0; k < AK_N; k++)
            t[k] += face->viseme[v] * ls_arkit_targets[v][k];
    /* The mouth controls are authoritative (they hold the forced closure). */
    float close = ls_clamp01(face->lip_close);
    float jaw = t[AK_JAW] * (1.0f - close) + close * (t[AK_JAW] < 0.08f ? t[AK_JAW] : 0.08f);
    memset(out, 0, sizeof(float) * LS_ARKIT_COUNT);
    out[LS_ARKIT_JAW_OPEN] = ls_clamp01(jaw);
    out[LS_ARKIT_MOUTH_CLOSE] = ls_clamp01(close * jaw);
    out[LS_ARKIT_MOUTH_FUNNEL] = ls_clamp01(t[AK_FUNNEL]);
    out[LS_ARKIT_MOUTH_PUCKER] = ls_clamp01(t[AK_PUCKER]);
    out[LS_ARKIT_MOUTH_PRESS_LEFT] = out[LS_ARKIT_MOUTH_PRESS_RIGHT] = ls_clamp01(t[AK_PRESS]);
    out[LS_ARKIT_MOUTH_ROLL_LOWER] = ls_clamp01(t[AK_ROLL_LO]);
    out[LS_ARKIT_MOUTH_ROLL_UPPER] = ls_clamp01(t[AK_ROLL_UP]);
    out[LS_ARKIT_MOUTH_SHRUG_LOWER] = ls_clamp01(t[AK_SHRUG_LO]);
    out[LS_ARKIT_MOUTH_SHRUG_UPPER] = ls_clamp01(t[AK_SHRUG_UP]);
    float open = 1.0f - close;
    out[LS_ARKIT_MOUTH_LOWER_DOWN_LEFT] = out[LS_ARKIT_MOUTH_LOWER_DOWN_RIGHT] =
        ls_clamp01(t[AK_LOWER_DOWN] * open);
    out[LS_ARKIT_MOUTH_UPPER_UP_LEFT] = out[LS_ARKIT_MOUTH_UPPER_UP_RIGHT] =
        ls_clamp01(t[AK_UPPER_UP] * open);
    out[LS_ARKIT_TONGUE_OUT] = ls_clamp01(t[AK_TONGUE] * open);
    float happy = face->expression[EXPR_HAPPY], sad = face->expression[EXPR_SAD];
    float stretch = t[AK_STRETCH];
    out[LS_ARKIT_MOUTH_STRETCH_LEFT] = out[LS_ARKIT_MOUTH_STRETCH_RIGHT] = ls_clamp01(stretch);
    out[LS_ARKIT_MOUTH_SMILE_LEFT] = out[LS_ARKIT_MOUTH_SMILE_RIGHT] =
        ls_clamp01(0.8f * happy * (1.0f - 0.6f * t[AK_PUCKER]));
    out[LS_ARKIT_MOUTH_FROWN_LEFT] = out[LS_ARKIT_MOUTH_FROWN_RIGHT] = ls_clamp01(0.7f * sad);
}

static const char *const ls_vrm_names[LS_VRM_COUNT] = {"aa", "ih", "ou", "ee", "oh"};

const char *lipsync_vrm_name(int index)
{
    return index >= 0 && index < LS_VRM_COUNT ? ls_vrm_names[index] : NULL;
}

/* Columns: aa ih ou ee oh. A consonant lends the vowel its lips resemble,
 * at the opening its jaw has. */
static const float ls_vrm_targets[VIS_COUNT][LS_VRM_COUNT] = {
    [VIS_SIL] = {0},
    [VIS_PP] = {0},
    [VIS_FF] = {[LS_VRM_IH] = 0.15f},
    [VIS_TH] = {[LS_VRM_AA] = 0.10f, [LS_VRM_EE] = 0.20f},
    [VIS_DD] = {[LS_VRM_AA] = 0.10f, [LS_VRM_EE] = 0.25f},
    [VIS_KK] = {[LS_VRM_AA] = 0.20f, [LS_VRM_EE] = 0.15f},
    [VIS_CH] = {[LS_VRM_OU] = 0.45f, [LS_VRM_IH] = 0.10f},
    [VIS_SS] = {[LS_VRM_IH] = 0.40f},
    [VIS_NN] = {[LS_VRM_AA] = 0.10f, [LS_VRM_EE] = 0.20f},
    [VIS_RR] = {[LS_VRM_OU] = 0.30f, [LS_VRM_OH] = 0.15f},
    [VIS_AA] = {[LS_VRM_AA] = 1.0f},
    [VIS_E] = {[LS_VRM_EE] = 1.0f},
    [VIS_IH] = {[LS_VRM_IH] = 1.0f},
    [VIS_OH] = {[LS_VRM_OH] = 1.0f},
    [VIS_OU] = {[LS_VRM_OU] = 1.0f},
};

void lipsync_vrm_from_face(const sz_face *face, float out[LS_VRM_COUNT])
{
    float sum = 0.0f;
    float open = 1.0f - ls_clamp01(face->lip_close);
    for (int k = 0; k < LS_VRM_COUNT; k++) {
        float x = 0.0f;
        for (int v = 0; v < VIS_COUNT; v++)
            x += face->viseme[v] * ls_vrm_targets[v][k];
        out[k] = ls_clamp01(x * open);
        sum += out[k];
    }
    if (sum > 1.0f)
        for (int k = 0; k < LS_VRM_COUNT; k++)
            out[k] /= sum;
}
