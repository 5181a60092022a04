/* SPDX-License-Identifier: Apache-2.0 */
/* avatar.h: renders video frames from face parameters: a 2D rig (rig.h)
 * drawn with cairo into a scene (background colour, image or transparency,
 * avatar placement, an overlay image, burned-in subtitles). Also the idle
 * life generator and the catalogue of installed avatars. */
#ifndef SZ_AVATAR_AVATAR_H
#define SZ_AVATAR_AVATAR_H

#include <stddef.h>
#include <stdint.h>

#include "core/media.h"

#define AVATAR_DEFAULT "mei"

typedef struct avatar_config {
    const char *avatar;       /* a name under assets_dir/avatars, a folder or an avatar.json
                                 path; NULL or "default" = AVATAR_DEFAULT */
    const char *assets_dir;   /* NULL = the built-in assets folder */
    int width, height;        /* even, 64..4096 */
    uint32_t background_rgb;  /* 0xRRGGBB */
    const char *background_image; /* PNG or JPEG, scaled to cover the frame; NULL = colour */
    int transparent;          /* background alpha 0 (premultiplied BGRA out) */
    float avatar_x, avatar_y; /* where the canvas's bottom centre goes, in frame fractions;
                                 0, 0 = the default 0.5, 1.0 */
    float avatar_scale;       /* 1 = the canvas fits the frame; 0 = 1 */
    const char *overlay_image; /* PNG or JPEG shown over the scene; NULL = none */
    float overlay_x, overlay_y, overlay_w; /* its centre and width, frame fractions;
                                              0 = 0.89, 0.42, 0.2 */
    int subtitles;            /* draw the text given to avatar_set_subtitle */
    const char *subtitle_font; /* a font file (".ttc:2" picks a face); NULL = search */
} avatar_config;

typedef struct avatar_renderer avatar_renderer;

int avatar_open(const avatar_config *cfg, avatar_renderer **out, char *err, size_t errlen);
/* The same with a rig already loaded (rig.h; cfg->avatar is not read), after
 * avatar_open's checks of cfg. Takes the rig, also when it fails. */
struct avatar_rig;
int avatar_open_rig(const avatar_config *cfg, struct avatar_rig *rig, avatar_renderer **out,
                    char *err, size_t errlen);
/* Draws into frame (BGRA, caller-owned, width*height, stride >= width*4).
 * Allocates nothing in the steady state. */
int avatar_render(avatar_renderer *r, const sz_face *face, sz_video_frame *frame);
/* The subtitle shown from the next frame on; NULL or "" hides it. progress
 * (0..1) is how far the speech of that text has got: text longer than two
 * lines is shown a page at a time. Laid out only when the text or page
 * changes. Returns SZ_ERR_UNSUPPORTED if subtitles were not enabled. */
int avatar_set_subtitle(avatar_renderer *r, const char *text, float progress);
/* The product card (card.h) shown in the overlay box from the next frame on,
 * in the overlay image's place; NULL hides it. The card is kept by the
 * caller while shown. Scaled to the box here, when it changes (call it from
 * the rendering thread, not per frame with different cards). */
struct avatar_card;
int avatar_set_card(avatar_renderer *r, const struct avatar_card *card);
/* Lines and pages of the current subtitle and the page shown (-1: none). */
void avatar_subtitle_layout(const avatar_renderer *r, int *n_lines, int *n_pages, int *page);
void avatar_free(avatar_renderer **r);
/* The loaded rig's name and the canvas-to-frame mapping (for tests). */
const char *avatar_rig_name(const avatar_renderer *r);

/* Installed avatars: folders under <assets>/avatars holding an avatar.json. */
typedef struct avatar_info {
    const char *name;
    const char *description;
    const char *style;
    const char *path; /* the manifest */
    const char *kind; /* "2d" (vector rig) or "photo" */
} avatar_info;
typedef int (*avatar_list_fn)(const avatar_info *info, void *user);
/* Calls fn for each installed avatar in name order (broken ones are logged
 * and skipped); stops early when fn returns non-zero. */
int avatar_list(const char *assets_dir, avatar_list_fn fn, void *user);
/* Resolves a name or path to a manifest path. */
int avatar_resolve(const char *assets_dir, const char *name, char *path, size_t cap, char *err,
                   size_t errlen);

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
    float smile_phase;
} avatar_idle;

void avatar_idle_init(avatar_idle *idle, uint64_t seed, int fps);
/* Fills blink, gaze, head pose and breath for the next frame, and raises
 * the happy expression to a subtle resting smile that drifts slowly. */
void avatar_idle_step(avatar_idle *idle, sz_face *face);

#endif
