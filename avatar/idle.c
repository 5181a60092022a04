/* SPDX-License-Identifier: Apache-2.0 */
/* idle.c: the avatar's idle life: random blinks (now and then a double
 * blink), eye saccades, breathing, a slow head sway and a resting smile that
 * drifts a little. Deterministic for a seed: everything is a function of the
 * frame index and a splitmix64 stream. */
#include <math.h>
#include <stdint.h>

#include "avatar/avatar.h"
#include "core/rng.h"

#define IDLE_PI 3.14159265358979323846

#define IDLE_BLINK_MIN_S 2.0 /* gap between blink groups */
#define IDLE_BLINK_MAX_S 6.0
#define IDLE_BLINK_MEDIAN_S 3.4 /* log-normal median of that gap */
#define IDLE_BLINK_SIGMA 0.35
#define IDLE_DOUBLE_BLINK_P 0.15
#define IDLE_SACCADE_MIN_S 0.8
#define IDLE_SACCADE_MAX_S 3.0
#define IDLE_SACCADE_TAU_S 0.035 /* the eyes arrive within about two frames */

static uint64_t idle_next(avatar_idle *idle) { return rng_next(&idle->rng); }

/* Uniform in [0, 1). */
static double idle_unit(avatar_idle *idle)
{
    return (double)(idle_next(idle) >> 11) * 0x1.0p-53;
}

static double idle_uniform(avatar_idle *idle, double lo, double hi)
{
    return lo + (hi - lo) * idle_unit(idle);
}

static int64_t idle_frames(const avatar_idle *idle, double seconds)
{
    int64_t n = (int64_t)llround(seconds * idle->fps);
    return n < 1 ? 1 : n;
}

/* Gap to the next blink group: log-normal, clamped to 2..6 s. */
static double idle_blink_gap_s(avatar_idle *idle)
{
    double u1 = idle_unit(idle), u2 = idle_unit(idle);
    double n = sqrt(-2.0 * log(1.0 - u1)) * cos(2.0 * IDLE_PI * u2);
    double s = IDLE_BLINK_MEDIAN_S * exp(IDLE_BLINK_SIGMA * n);
    if (s < IDLE_BLINK_MIN_S)
        s = IDLE_BLINK_MIN_S;
    if (s > IDLE_BLINK_MAX_S)
        s = IDLE_BLINK_MAX_S;
    return s;
}

static void idle_start_blink(avatar_idle *idle)
{
    idle->blink_start = idle->frame;
    idle->blink_len = (int)idle_frames(idle, idle_uniform(idle, 0.15, 0.20));
    if (idle->blink_len < 3)
        idle->blink_len = 3;
    if (idle->double_blink) {
        /* this is the second blink of a pair */
        idle->double_blink = 0;
        idle->next_blink = idle->frame + idle_frames(idle, idle_blink_gap_s(idle));
    } else if (idle_unit(idle) < IDLE_DOUBLE_BLINK_P) {
        idle->double_blink = 1;
        idle->next_blink =
            idle->frame + idle->blink_len + idle_frames(idle, idle_uniform(idle, 0.06, 0.12));
    } else {
        idle->next_blink = idle->frame + idle_frames(idle, idle_blink_gap_s(idle));
    }
}

/* Lid closure for the current frame: a fast close (a third of the blink)
 * and a slower eased opening. Fully closed on one frame. */
static float idle_blink_value(const avatar_idle *idle)
{
    if (idle->blink_start < 0)
        return 0.0f;
    int64_t k = idle->frame - idle->blink_start + 1;
    int len = idle->blink_len;
    if (k < 1 || k > len)
        return 0.0f;
    int close = (int)lround(0.35 * len);
    if (close < 1)
        close = 1;
    if (k <= close)
        return (float)sin(0.5 * IDLE_PI * (double)k / close);
    double x = (double)(k - close) / (double)(len - close + 1);
    return (float)(1.0 - x * x * (3.0 - 2.0 * x));
}

static void idle_saccade(avatar_idle *idle)
{
    if (idle_unit(idle) < 0.4) {
        /* back to the camera */
        idle->gaze_tx = (float)idle_uniform(idle, -0.05, 0.05);
        idle->gaze_ty = (float)idle_uniform(idle, -0.04, 0.04);
    } else {
        idle->gaze_tx = (float)idle_uniform(idle, -0.35, 0.35);
        idle->gaze_ty = (float)idle_uniform(idle, -0.2, 0.15);
    }
    idle->next_saccade =
        idle->frame + idle_frames(idle, idle_uniform(idle, IDLE_SACCADE_MIN_S, IDLE_SACCADE_MAX_S));
}

void avatar_idle_init(avatar_idle *idle, uint64_t seed, int fps)
{
    if (!idle)
        return;
    *idle = (avatar_idle){0};
    idle->rng = seed ^ 0x5A17D1E5EEDull;
    idle->fps = fps > 0 ? fps : 30;
    idle->blink_start = -1;
    idle->next_blink = idle_frames(idle, idle_uniform(idle, 0.6, 2.5));
    idle->next_saccade = idle_frames(idle, idle_uniform(idle, 0.5, 1.5));
    for (int i = 0; i < 3; i++)
        idle->head_phase[i] = (float)idle_uniform(idle, 0.0, 2.0 * IDLE_PI);
    idle->breath_phase = (float)idle_uniform(idle, 0.0, 2.0 * IDLE_PI);
    idle->breath_period_s = (float)idle_uniform(idle, 3.7, 4.3);
    idle->smile_phase = (float)idle_uniform(idle, 0.0, 2.0 * IDLE_PI);
}

void avatar_idle_step(avatar_idle *idle, sz_face *face)
{
    if (!idle || !face)
        return;
    if (idle->fps <= 0)
        idle->fps = 30;
    if (idle->frame >= idle->next_blink)
        idle_start_blink(idle);
    if (idle->frame >= idle->next_saccade)
        idle_saccade(idle);

    double a = 1.0 - exp(-1.0 / (IDLE_SACCADE_TAU_S * idle->fps));
    idle->gaze_x += (float)(a * (idle->gaze_tx - idle->gaze_x));
    idle->gaze_y += (float)(a * (idle->gaze_ty - idle->gaze_y));

    double t = (double)idle->frame / idle->fps;
    double w = 2.0 * IDLE_PI;
    const float *p = idle->head_phase;
    /* periods chosen incommensurate so the sway never visibly repeats */
    double yaw = 0.62 * sin(w * t / 11.3 + p[0]) + 0.38 * sin(w * t / 4.71 + 1.7 * p[0]);
    double pitch = 0.6 * sin(w * t / 8.9 + p[1]) + 0.4 * sin(w * t / 3.37 + 2.3 * p[1]);
    double roll = 0.65 * sin(w * t / 13.7 + p[2]) + 0.35 * sin(w * t / 5.83 + 1.3 * p[2]);

    face->blink = idle_blink_value(idle);
    face->gaze_x = idle->gaze_x;
    face->gaze_y = idle->gaze_y;
    face->head_yaw = (float)(0.035 * yaw);     /* about 2 degrees */
    face->head_pitch = (float)(0.026 * pitch); /* 1.5 degrees */
    face->head_roll = (float)(0.021 * roll);   /* 1.2 degrees */
    face->breath = (float)sin(w * t / idle->breath_period_s + idle->breath_phase);
    /* the resting smile drifts by a few percent over tens of seconds */
    double sp = idle->smile_phase;
    double smile = 0.035 * sin(w * t / 23.1 + sp) + 0.02 * sin(w * t / 9.7 + 2.3 * sp);
    float happy = face->expression[EXPR_HAPPY] + (float)smile;
    face->expression[EXPR_HAPPY] = happy < 0.0f ? 0.0f : happy > 1.0f ? 1.0f : happy;
    idle->frame++;
}
