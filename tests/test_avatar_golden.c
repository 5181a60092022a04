/* SPDX-License-Identifier: Apache-2.0 */
/* test_avatar_golden.c: golden-image tests of the shipped avatars. Renders
 * each avatar at known face parameters (neutral, "aa", "ou", "PP", blink,
 * happy) at 320x180, head and shoulders at twice the usual scale, and compares with tests/golden/<avatar>_<pose>.png: a
 * pixel differs when a channel is off by more than GOLD_TOL, and a frame
 * fails when more than GOLD_MAX_FRACTION of its pixels differ (anti-aliasing
 * may change a little between cairo/pixman versions; a moved part does not
 * pass).
 *
 * Regenerate the references after an intended change of the look:
 *     SHUZI_GOLDEN_UPDATE=1 build/test_avatar_golden
 * Write the README stills (640x360) into a folder:
 *     SHUZI_STILLS_DIR=docs/avatars build/test_avatar_golden */
#include <cairo.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "avatar/avatar.h"
#include "shuzi.h"

#define GOLD_W 320
#define GOLD_H 180
#define GOLD_TOL 32
#define GOLD_MAX_FRACTION 0.001
#define GOLD_BG 0x2b3a4a

#include "check.h"

typedef struct pose {
    const char *name;
    int viseme;                                   /* -1: none */
    float jaw, spread, round, close, teeth, tongue; /* as lipsync derives them */
    float blink, happy;
} pose;

/* The mouth controls are those lipsync gives for a full viseme; written out
 * so that a change in lipsync's tables does not move the references. */
static const pose gold_poses[] = {
    {"neutral", VIS_SIL, 0, 0, 0, 0, 0, 0, 0, 0.2f},
    {"aa", VIS_AA, 0.85f, 0.25f, 0, 0, 0, 0, 0, 0.2f},
    {"ou", VIS_OU, 0.30f, 0, 1.0f, 0, 0, 0, 0, 0.2f},
    {"PP", VIS_PP, 0, 0.05f, 0.05f, 1.0f, 0, 0, 0, 0.2f},
    {"FF", VIS_FF, 0.15f, 0.1f, 0, 0, 1.0f, 0, 0, 0.2f},
    {"blink", VIS_SIL, 0, 0, 0, 0, 0, 0, 1.0f, 0.2f},
    {"happy", VIS_SIL, 0, 0, 0, 0, 0, 0, 0, 1.0f},
};
/* Each avatar's framing: the references zoom in on the face (scale, where
 * the canvas's bottom goes), the README stills show head and shoulders. */
typedef struct framing {
    const char *avatar;
    float gold_scale, gold_y, still_scale, still_y;
} framing;
static const framing gold_avatars[] = {
    {"presenter", 2.0f, 1.7f, 1.0f, 1.0f},
    {"panda", 2.0f, 1.7f, 1.0f, 1.0f},
    {"mei", 3.0f, 1.75f, 1.5f, 1.2f},
    {"jun", 3.0f, 1.75f, 1.5f, 1.2f},
};

static void gold_face(const pose *p, sz_face *f)
{
    memset(f, 0, sizeof *f);
    if (p->viseme >= 0)
        f->viseme[p->viseme] = 1.0f;
    f->jaw_open = p->jaw;
    f->lip_spread = p->spread;
    f->lip_round = p->round;
    f->lip_close = p->close;
    f->teeth_lip = p->teeth;
    f->tongue = p->tongue;
    f->blink = p->blink;
    f->expression[EXPR_HAPPY] = p->happy;
    f->speaking = p->viseme > VIS_SIL ? 1.0f : 0.0f;
}

/* zoom: the references frame the head at twice the normal size, so that a
 * small change of the mouth or eyes is many pixels */
static int gold_render(const framing *fr_, const pose *p, int w, int h, int zoom, uint8_t *buf)
{
    const char *avatar = fr_->avatar;
    avatar_config cfg = {.avatar = avatar, .width = w, .height = h, .background_rgb = GOLD_BG};
    cfg.avatar_scale = zoom ? fr_->gold_scale : fr_->still_scale;
    cfg.avatar_x = 0.5f;
    cfg.avatar_y = zoom ? fr_->gold_y : fr_->still_y;
    avatar_renderer *r = NULL;
    char err[512] = "";
    int rc = avatar_open(&cfg, &r, err, sizeof err);
    CHECK(rc == SZ_OK, "%s: %s", avatar, err);
    if (rc != SZ_OK)
        return rc;
    sz_face f;
    gold_face(p, &f);
    sz_video_frame fr = {SZ_PIX_BGRA, w, h, w * 4, buf, 0};
    rc = avatar_render(r, &f, &fr);
    CHECK(rc == SZ_OK, "%s %s: render %d", avatar, p->name, rc);
    avatar_free(&r);
    return rc;
}

static int gold_write(const char *path, uint8_t *buf, int w, int h)
{
    cairo_surface_t *s = cairo_image_surface_create_for_data(buf, CAIRO_FORMAT_ARGB32, w, h, w * 4);
    cairo_status_t st = cairo_surface_write_to_png(s, path);
    cairo_surface_destroy(s);
    CHECK(st == CAIRO_STATUS_SUCCESS, "write %s: %s", path, cairo_status_to_string(st));
    return st == CAIRO_STATUS_SUCCESS;
}

static void gold_compare(const char *avatar, const pose *p, const uint8_t *buf, const char *path)
{
    cairo_surface_t *ref = cairo_image_surface_create_from_png(path);
    if (cairo_surface_status(ref) != CAIRO_STATUS_SUCCESS) {
        CHECK(0, "%s: cannot read the reference (%s); regenerate with SHUZI_GOLDEN_UPDATE=1",
              path, cairo_status_to_string(cairo_surface_status(ref)));
        cairo_surface_destroy(ref);
        return;
    }
    int w = cairo_image_surface_get_width(ref), h = cairo_image_surface_get_height(ref);
    CHECK(w == GOLD_W && h == GOLD_H, "%s: %dx%d, want %dx%d", path, w, h, GOLD_W, GOLD_H);
    if (w == GOLD_W && h == GOLD_H) {
        const uint8_t *data = cairo_image_surface_get_data(ref);
        int stride = cairo_image_surface_get_stride(ref);
        int differ = 0, worst = 0;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                const uint8_t *a = buf + (size_t)y * w * 4 + 4 * x;
                const uint8_t *b = data + (size_t)y * stride + 4 * x;
                int d = 0;
                for (int c = 0; c < 4; c++) {
                    int e = abs(a[c] - b[c]);
                    d = e > d ? e : d;
                }
                worst = d > worst ? d : worst;
                differ += d > GOLD_TOL;
            }
        }
        double frac = (double)differ / (w * h);
        printf("golden %-9s %-7s: %5d pixels differ (%.3f%%), largest channel difference %d\n",
               avatar, p->name, differ, 100.0 * frac, worst);
        CHECK(frac <= GOLD_MAX_FRACTION,
              "%s %s: %.2f%% of pixels differ by more than %d (limit %.2f%%) from %s", avatar,
              p->name, 100.0 * frac, GOLD_TOL, 100.0 * GOLD_MAX_FRACTION, path);
    }
    cairo_surface_destroy(ref);
}

/* The poses differ from each other: a golden set of identical frames would
 * prove nothing. */
static void gold_distinct(const char *avatar, uint8_t *const *frames, int n)
{
    for (int i = 1; i < n; i++) {
        int differ = 0;
        for (int k = 0; k < GOLD_W * GOLD_H; k++)
            differ += memcmp(frames[0] + 4 * k, frames[i] + 4 * k, 4) != 0;
        CHECK(differ > 20, "%s: pose %s looks like neutral (%d pixels differ)", avatar,
              gold_poses[i].name, differ);
    }
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    const char *src = getenv("SHUZI_SOURCE_DIR");
    const char *update = getenv("SHUZI_GOLDEN_UPDATE");
    const char *stills = getenv("SHUZI_STILLS_DIR");
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/tests/golden", src ? src : ".");
    const int n_poses = (int)(sizeof gold_poses / sizeof gold_poses[0]);
    uint8_t *frames[sizeof gold_poses / sizeof gold_poses[0]];
    for (int i = 0; i < n_poses; i++)
        frames[i] = calloc((size_t)GOLD_W * GOLD_H, 4);
    uint8_t *big = calloc((size_t)640 * 360, 4);
    if (stills)
        mkdir(stills, 0755);
    if (update)
        mkdir(dir, 0755);
    for (size_t a = 0; a < sizeof gold_avatars / sizeof gold_avatars[0]; a++) {
        for (int i = 0; i < n_poses; i++) {
            const pose *p = &gold_poses[i];
            char path[1400];
            snprintf(path, sizeof path, "%s/%s_%s.png", dir, gold_avatars[a].avatar, p->name);
            if (gold_render(&gold_avatars[a], p, GOLD_W, GOLD_H, 1, frames[i]) != SZ_OK)
                continue;
            if (update) {
                if (gold_write(path, frames[i], GOLD_W, GOLD_H))
                    printf("wrote %s\n", path);
            } else {
                gold_compare(gold_avatars[a].avatar, p, frames[i], path);
            }
            if (stills && gold_render(&gold_avatars[a], p, 640, 360, 0, big) == SZ_OK) {
                snprintf(path, sizeof path, "%s/%s_%s.png", stills, gold_avatars[a].avatar,
                         p->name);
                if (gold_write(path, big, 640, 360))
                    printf("wrote %s\n", path);
            }
        }
        gold_distinct(gold_avatars[a].avatar, frames, n_poses);
    }
    for (int i = 0; i < n_poses; i++)
        free(frames[i]);
    free(big);
    return check_summary("test_avatar_golden");
}
