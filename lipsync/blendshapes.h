/* SPDX-License-Identifier: Apache-2.0 */
/* blendshapes.h: face parameters (15 viseme weights and mouth controls) as
 * the blendshape weights 3D rigs take: ARKit-style face blendshapes and the
 * VRM lip-sync expressions aa/ih/ou/ee/oh. */
#ifndef SZ_LIPSYNC_BLENDSHAPES_H
#define SZ_LIPSYNC_BLENDSHAPES_H

#include "core/media.h"

/* The mouth and jaw subset of Apple ARKit's face blendshapes, which most
 * rigs exported for real-time use (VRChat, Unreal MetaHuman, Ready Player
 * Me...) carry under these names. */
enum {
    LS_ARKIT_JAW_OPEN = 0,
    LS_ARKIT_MOUTH_CLOSE,
    LS_ARKIT_MOUTH_FUNNEL,
    LS_ARKIT_MOUTH_PUCKER,
    LS_ARKIT_MOUTH_STRETCH_LEFT,
    LS_ARKIT_MOUTH_STRETCH_RIGHT,
    LS_ARKIT_MOUTH_SMILE_LEFT,
    LS_ARKIT_MOUTH_SMILE_RIGHT,
    LS_ARKIT_MOUTH_FROWN_LEFT,
    LS_ARKIT_MOUTH_FROWN_RIGHT,
    LS_ARKIT_MOUTH_PRESS_LEFT,
    LS_ARKIT_MOUTH_PRESS_RIGHT,
    LS_ARKIT_MOUTH_ROLL_LOWER,
    LS_ARKIT_MOUTH_ROLL_UPPER,
    LS_ARKIT_MOUTH_SHRUG_LOWER,
    LS_ARKIT_MOUTH_SHRUG_UPPER,
    LS_ARKIT_MOUTH_LOWER_DOWN_LEFT,
    LS_ARKIT_MOUTH_LOWER_DOWN_RIGHT,
    LS_ARKIT_MOUTH_UPPER_UP_LEFT,
    LS_ARKIT_MOUTH_UPPER_UP_RIGHT,
    LS_ARKIT_TONGUE_OUT,
    LS_ARKIT_COUNT
};

/* "jawOpen", "mouthClose", ... for 0..LS_ARKIT_COUNT-1; NULL outside. */
const char *lipsync_arkit_name(int index);

/* ARKit weights (0..1) for a face: the viseme blend mapped through one
 * target per viseme, then the mouth controls enforced (closed lips give
 * mouthClose equal to jawOpen, as ARKit defines it: lips together while the
 * jaw is open) and the expression weights added (happy: smile). */
void lipsync_arkit_from_face(const sz_face *face, float out[LS_ARKIT_COUNT]);

/* VRM 1.0 lip-sync expressions, in this order. */
enum { LS_VRM_AA = 0, LS_VRM_IH, LS_VRM_OU, LS_VRM_EE, LS_VRM_OH, LS_VRM_COUNT };

/* "aa", "ih", "ou", "ee", "oh"; NULL outside. */
const char *lipsync_vrm_name(int index);

/* VRM weights (0..1): the five vowels carry their own viseme; consonants
 * lend the vowel their mouth looks like (SS: ih, CH: ou...). Closed lips
 * (lip_close) scale all five toward 0, and the sum never exceeds 1, so the
 * rig's mouth never opens beyond a single vowel. */
void lipsync_vrm_from_face(const sz_face *face, float out[LS_VRM_COUNT]);

#endif
