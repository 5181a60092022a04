/* avatar.h: renders one video frame from face parameters. The first renderer
 * draws a simple 2D face with cairo. */
#ifndef SZ_AVATAR_AVATAR_H
#define SZ_AVATAR_AVATAR_H

#include <stddef.h>
#include <stdint.h>

#include "core/media.h"

typedef struct avatar_config {
    const char *avatar;      /* name ("default") or NULL */
    int width, height;
    uint32_t background_rgb; /* 0xRRGGBB */
} avatar_config;

typedef struct avatar_renderer avatar_renderer;

int avatar_open(const avatar_config *cfg, avatar_renderer **out, char *err, size_t errlen);
/* Draws into frame (BGRA, caller-owned, width*height, stride >= width*4). */
int avatar_render(avatar_renderer *r, const sz_face *face, sz_video_frame *frame);
void avatar_free(avatar_renderer **r);
/* Names of the built-in avatars, NULL-terminated. */
const char *const *avatar_names(void);

/* Idle life: blinks at random intervals, breathing, small gaze and head
 * motion. Deterministic for a seed. */
typedef struct avatar_idle {
    uint64_t rng;
    int fps;
    int64_t frame;
    int64_t next_blink;  /* frame index of the next blink start */
    int blink_len;       /* frames */
    int64_t blink_start;
    int double_blink;
    int64_t next_saccade;
    float gaze_x, gaze_y, gaze_tx, gaze_ty;
    float head_phase[3];
    float breath_phase;    /* radians at frame 0 */
    float breath_period_s; /* about 4 s, varies a little with the seed */
} avatar_idle;

void avatar_idle_init(avatar_idle *idle, uint64_t seed, int fps);
/* Fills blink, gaze, head pose and breath for the next frame. */
void avatar_idle_step(avatar_idle *idle, sz_face *face);

#endif
