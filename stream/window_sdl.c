/* SPDX-License-Identifier: Apache-2.0 */
/* window_sdl.c: the "window" output: an SDL2 window ("window:" or
 * "window:fullscreen") showing the frames with their aspect kept (black bars).
 * With a speaker output in the session it shows each frame when the speaker
 * reports its sound audible (device latency included); otherwise it keeps
 * real time itself. Closing the window (or F11 to toggle fullscreen) is
 * handled; the session goes on without it. All SDL calls run on the output's
 * thread. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef SHUZI_HAVE_SDL
#include <SDL.h>
#include <cairo.h>
#endif

#include "core/clock.h"
#include "core/log.h"
#include "shuzi.h"
#include "stream/output.h"
#include "stream/window_status.h"

#define WIN_PREFIX "window:"
#define WIN_OPTION_NAMES "fullscreen title width height capture"

static int win_accepts(const char *url)
{
    return strncmp(url, WIN_PREFIX, strlen(WIN_PREFIX)) == 0;
}

#ifdef SHUZI_HAVE_SDL

#define WIN_CLOCK_STALE_US 500000 /* audio clock silent this long: keep wall time */
#define WIN_WAIT_STEP_US 5000
#define WIN_EARLY_US 1000 /* show a frame when its sound is this close */

static atomic_int win_open_count; /* one window per process: SDL video is global */

/* SDL video, once started, stays up for the process: shutting it down and
 * opening the display again is not reliable with every X library. Windows
 * are still created and destroyed cleanly; only the connection stays. */
static pthread_mutex_t win_sdl_lock = PTHREAD_MUTEX_INITIALIZER;
static int win_sdl_up;

static int win_sdl_hold(char *why, size_t cap)
{
    pthread_mutex_lock(&win_sdl_lock);
    if (!win_sdl_up) {
        if (SDL_InitSubSystem(SDL_INIT_VIDEO) == 0)
            win_sdl_up = 1;
        else
            snprintf(why, cap, "%s", SDL_GetError());
    }
    int ok = win_sdl_up;
    pthread_mutex_unlock(&win_sdl_lock);
    return ok;
}

typedef struct win {
    const char *name;
    int width, height, fps, live;
    int fullscreen, win_w, win_h;
    char title[128];
    char capture[1024];
    out_clock *clock;
    int64_t base; /* session frame of pts 0 */
    SDL_Window *w;
    SDL_Renderer *r;
    SDL_Texture *t;
    int have_frame;
    atomic_int closed;
    /* wall-clock pacing (no speaker) */
    int wall_set;
    int64_t wall_t0, wall_f0;
    int64_t last_present_us;
    /* figures */
    atomic_llong late;
    atomic_llong synced; /* frames shown on the audio clock */
    atomic_llong offset_sum_us;
    /* listening overlay: the text heard, drawn once per change */
    SDL_Texture *heard_t;
    int heard_w, heard_h;
    unsigned heard_version;
} win;

static void win_release(win *v)
{
    if (v->heard_t)
        SDL_DestroyTexture(v->heard_t);
    v->heard_t = NULL;
    if (v->t)
        SDL_DestroyTexture(v->t);
    if (v->r)
        SDL_DestroyRenderer(v->r);
    if (v->w)
        SDL_DestroyWindow(v->w);
    v->t = NULL;
    v->r = NULL;
    v->w = NULL;
}

static void win_destroy(void *state)
{
    win *v = state;
    if (!v)
        return;
    win_release(v); /* normally done on the output's thread already */
    atomic_fetch_sub(&win_open_count, 1);
    free(v);
}

static int win_create(const out_config *cfg, out_options *opts, void **state, char *err,
                      size_t errlen)
{
    *state = NULL;
    /* "window:", "window:fullscreen", and options in the URL as well
     * ("window:capture=shot.bmp", "window:fullscreen:title=Shop") */
    const char *spec = cfg->url + strlen(WIN_PREFIX);
    int spec_fullscreen = 0;
    if (strncmp(spec, "fullscreen", 10) == 0 && (spec[10] == 0 || spec[10] == ':')) {
        spec_fullscreen = 1;
        spec += spec[10] ? 11 : 10;
    }
    out_options spec_opts;
    char why_spec[256] = "";
    if (out_options_parse(spec, cfg->name, &spec_opts, why_spec, sizeof why_spec) != SZ_OK) {
        snprintf(err, errlen,
                 "%s: expected window:, window:fullscreen or window:KEY=VALUE:... (%s)", cfg->name,
                 why_spec);
        return SZ_ERR_INVALID_ARG;
    }
    if (atomic_fetch_add(&win_open_count, 1) > 0) {
        atomic_fetch_sub(&win_open_count, 1);
        out_options_free(&spec_opts);
        snprintf(err, errlen, "%s: only one window output per process", cfg->name);
        return SZ_ERR_STATE;
    }
    win *v = calloc(1, sizeof *v);
    if (!v) {
        atomic_fetch_sub(&win_open_count, 1);
        out_options_free(&spec_opts);
        snprintf(err, errlen, "%s: out of memory", cfg->name);
        return SZ_ERR_NO_MEMORY;
    }
    v->name = cfg->name;
    v->width = cfg->width;
    v->height = cfg->height;
    v->fps = cfg->fps;
    v->live = cfg->live;
    v->clock = cfg->clock;
    v->fullscreen = spec_fullscreen;
    snprintf(v->title, sizeof v->title, "shuzi");
    int64_t ww = 0, wh = 0;
    int rc;
    /* the URL's options, then the option string's over them */
    for (int k = 0; k < 2; k++) {
        out_options *o = k == 0 ? &spec_opts : opts;
        if ((rc = out_options_bool(o, "fullscreen", &v->fullscreen, err, errlen)) ||
            (rc = out_options_string(o, "title", v->title, sizeof v->title, err, errlen)) ||
            (rc = out_options_int(o, "width", 64, 16384, &ww, err, errlen)) ||
            (rc = out_options_int(o, "height", 64, 16384, &wh, err, errlen)) ||
            (rc = out_options_string(o, "capture", v->capture, sizeof v->capture, err, errlen)))
            goto fail;
    }
    if ((rc = out_options_check_used(&spec_opts, WIN_OPTION_NAMES, err, errlen)) != SZ_OK)
        goto fail;
    out_options_free(&spec_opts);
    v->win_w = (int)ww;
    v->win_h = (int)wh;
    /* Fail now, not at the first frame, when there is no display. */
    char why[256] = "";
    if (!win_sdl_hold(why, sizeof why)) {
        snprintf(err, errlen, "%s: cannot open a display: %s", v->name, why);
        rc = SZ_ERR_IO;
        goto fail;
    }
    *state = v;
    return SZ_OK;
fail:
    out_options_free(&spec_opts);
    win_destroy(v);
    return rc;
}

static void win_settle(win *v);

/* (Re)creates the renderer and the frame's texture for the window. */
static int win_renderer(win *v, char *err, size_t errlen)
{
    if (v->heard_t)
        SDL_DestroyTexture(v->heard_t);
    v->heard_t = NULL;
    v->heard_version = 0;
    if (v->t)
        SDL_DestroyTexture(v->t);
    if (v->r)
        SDL_DestroyRenderer(v->r);
    v->t = NULL;
    v->r = SDL_CreateRenderer(v->w, -1, SDL_RENDERER_ACCELERATED);
    if (!v->r)
        v->r = SDL_CreateRenderer(v->w, -1, SDL_RENDERER_SOFTWARE);
    if (!v->r) {
        snprintf(err, errlen, "%s: cannot create a renderer: %s", v->name, SDL_GetError());
        return SZ_ERR_IO;
    }
    /* BGRA bytes in memory are ARGB8888 as 32-bit words on little-endian. */
    v->t = SDL_CreateTexture(v->r, SDL_PIXELFORMAT_ARGB8888, SDL_TEXTUREACCESS_STREAMING, v->width,
                             v->height);
    if (!v->t) {
        snprintf(err, errlen, "%s: cannot create a %dx%d texture: %s", v->name, v->width, v->height,
                 SDL_GetError());
        return SZ_ERR_IO;
    }
    /* Premultiplied colour over black is the colour itself: no blending. */
    SDL_SetTextureBlendMode(v->t, SDL_BLENDMODE_NONE);
    return SZ_OK;
}

/* On the output's thread, at the first frame. */
static int win_setup(win *v, char *err, size_t errlen)
{
    char why[256] = "";
    if (!win_sdl_hold(why, sizeof why)) {
        snprintf(err, errlen, "%s: cannot open a display: %s", v->name, why);
        return SZ_ERR_IO;
    }
    SDL_SetHint(SDL_HINT_RENDER_SCALE_QUALITY, "1");
    SDL_SetHint(SDL_HINT_VIDEO_MINIMIZE_ON_FOCUS_LOSS, "0");
    int w = v->win_w ? v->win_w : v->width, h = v->win_h ? v->win_h : v->height;
    SDL_Rect usable;
    if (!v->win_w && !v->win_h && SDL_GetDisplayUsableBounds(0, &usable) == 0 && usable.w > 0 &&
        usable.h > 0 && (w > usable.w * 9 / 10 || h > usable.h * 9 / 10)) {
        /* too big for the screen: shrink, keeping the aspect */
        double k = (double)usable.w * 0.9 / w;
        if ((double)usable.h * 0.9 / h < k)
            k = (double)usable.h * 0.9 / h;
        w = (int)(w * k);
        h = (int)(h * k);
    }
    Uint32 flags = SDL_WINDOW_RESIZABLE | SDL_WINDOW_ALLOW_HIGHDPI;
    SDL_DisplayMode desk;
    if (v->fullscreen) {
        flags |= SDL_WINDOW_FULLSCREEN_DESKTOP;
        /* made at the screen's size: some GL drivers keep a drawable's first
         * size when the display server resizes it */
        if (SDL_GetDesktopDisplayMode(0, &desk) == 0) {
            w = desk.w;
            h = desk.h;
        }
    }
    v->w = SDL_CreateWindow(v->title, SDL_WINDOWPOS_CENTERED, SDL_WINDOWPOS_CENTERED, w, h, flags);
    if (!v->w) {
        snprintf(err, errlen, "%s: cannot create the window: %s", v->name, SDL_GetError());
        return SZ_ERR_IO;
    }
    int rc = win_renderer(v, err, errlen);
    if (rc != SZ_OK)
        return rc;
    SDL_ShowCursor(v->fullscreen ? SDL_DISABLE : SDL_ENABLE);
    win_settle(v);
    return SZ_OK;
}

static void win_events(win *v);

/* Fullscreen is applied by the display server a little later: wait (at most
 * 1 s) until the renderer has the screen's size, so no frame is drawn at the
 * old one. */
static void win_settle(win *v)
{
    SDL_DisplayMode m;
    int d = SDL_GetWindowDisplayIndex(v->w);
    if (!v->fullscreen || d < 0 || SDL_GetDesktopDisplayMode(d, &m) != 0)
        return;
    int64_t end = clock_now_us() + 1000000;
    while (clock_now_us() < end) {
        win_events(v);
        int w = 0, h = 0;
        SDL_GetRendererOutputSize(v->r, &w, &h);
        if (w >= m.w && h >= m.h)
            return;
        clock_sleep_until_us(clock_now_us() + 5000);
    }
}

static void win_events(win *v)
{
    SDL_Event e;
    while (SDL_PollEvent(&e)) {
        if (e.type == SDL_QUIT ||
            (e.type == SDL_WINDOWEVENT && e.window.event == SDL_WINDOWEVENT_CLOSE)) {
            if (!atomic_exchange(&v->closed, 1))
                SZ_LOGI("stream", "%s: closed by the user", v->name);
        } else if ((e.type == SDL_KEYDOWN || e.type == SDL_KEYUP) &&
                   e.key.keysym.sym == SDLK_SPACE && !e.key.repeat) {
            window_status_key(e.type == SDL_KEYDOWN); /* push-to-talk */
        } else if (e.type == SDL_KEYDOWN && e.key.keysym.sym == SDLK_F11 && v->w) {
            v->fullscreen = !v->fullscreen;
            SDL_SetWindowFullscreen(v->w, v->fullscreen ? SDL_WINDOW_FULLSCREEN_DESKTOP : 0);
            SDL_ShowCursor(v->fullscreen ? SDL_DISABLE : SDL_ENABLE);
            win_settle(v);
            /* a new renderer gets a drawable of the new size (see win_setup);
             * the next frame fills its texture */
            char err[256];
            if (win_renderer(v, err, sizeof err) != SZ_OK)
                SZ_LOGW("stream", "%s", err);
            v->have_frame = 0;
        }
    }
}

/* The largest rectangle of the frame's aspect centred in the output. */
static SDL_Rect win_fit(const win *v, int ow, int oh)
{
    SDL_Rect d;
    if ((int64_t)ow * v->height > (int64_t)oh * v->width) { /* wider: bars left and right */
        d.h = oh;
        d.w = (int)((int64_t)oh * v->width / v->height);
    } else {
        d.w = ow;
        d.h = (int)((int64_t)ow * v->height / v->width);
    }
    d.x = (ow - d.w) / 2;
    d.y = (oh - d.h) / 2;
    return d;
}

/* The text heard as a texture: white on a translucent band, drawn with
 * cairo (its fontconfig face covers CJK) at a size fitting dw pixels. */
static void win_heard_texture(win *v, const char *text, int dw, int dh)
{
    if (v->heard_t)
        SDL_DestroyTexture(v->heard_t);
    v->heard_t = NULL;
    if (!text[0] || dw < 64 || dh < 64)
        return;
    int fs = dh / 24 > 12 ? dh / 24 : 12;
    int w = dw * 9 / 10, h = fs * 2;
    cairo_surface_t *cs = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, w, h);
    cairo_t *cr = cairo_create(cs);
    cairo_set_source_rgba(cr, 0, 0, 0, 0.55);
    cairo_paint(cr);
    cairo_select_font_face(cr, "Noto Sans CJK SC", CAIRO_FONT_SLANT_NORMAL,
                           CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr, fs);
    cairo_text_extents_t ex;
    cairo_text_extents(cr, text, &ex);
    if (ex.x_advance > w - fs) /* too long: smaller, down to half */
        cairo_set_font_size(cr, fs * ((w - fs) / ex.x_advance > 0.5 ? (w - fs) / ex.x_advance : 0.5));
    cairo_set_source_rgba(cr, 1, 1, 1, 1);
    cairo_move_to(cr, fs / 2, h * 0.68);
    cairo_show_text(cr, text);
    cairo_destroy(cr);
    cairo_surface_flush(cs);
    v->heard_t = SDL_CreateTexture(v->r, SDL_PIXELFORMAT_ARGB8888, SDL_TEXTUREACCESS_STATIC, w, h);
    if (v->heard_t) {
        SDL_UpdateTexture(v->heard_t, NULL, cairo_image_surface_get_data(cs),
                          cairo_image_surface_get_stride(cs));
        SDL_SetTextureBlendMode(v->heard_t, SDL_BLENDMODE_BLEND);
        v->heard_w = w;
        v->heard_h = h;
    }
    cairo_surface_destroy(cs);
}

/* The listening indicator (a dot in the video's top-left corner: grey
 * waiting for push-to-talk, green listening, red hearing speech) and the
 * text last heard along the top. */
static void win_draw_listening(win *v, SDL_Rect d)
{
    char heard[600];
    window_mic mic;
    unsigned ver = window_status_get(&mic, heard, sizeof heard);
    if (mic == WINDOW_MIC_NONE)
        return;
    if (ver != v->heard_version) {
        win_heard_texture(v, heard, d.w, d.h);
        v->heard_version = ver;
    }
    static const Uint8 colours[][3] = {{0, 0, 0}, {128, 128, 128}, {40, 200, 80}, {230, 40, 40}};
    int r = d.h / 40 > 4 ? d.h / 40 : 4;
    int cx = d.x + r * 2, cy = d.y + r * 2;
    SDL_SetRenderDrawColor(v->r, colours[mic][0], colours[mic][1], colours[mic][2], 255);
    for (int y = -r; y <= r; y++) { /* a filled disc, one line per row */
        int x = 0;
        while ((x + 1) * (x + 1) + y * y <= r * r)
            x++;
        SDL_RenderDrawLine(v->r, cx - x, cy + y, cx + x, cy + y);
    }
    if (v->heard_t) {
        SDL_Rect t = {d.x + (d.w - v->heard_w) / 2, d.y + r * 4, v->heard_w, v->heard_h};
        SDL_RenderCopy(v->r, v->heard_t, NULL, &t);
    }
}

static void win_draw(win *v)
{
    int ow = 0, oh = 0;
    SDL_RenderSetViewport(v->r, NULL); /* the whole window, also right after a resize */
    SDL_GetRendererOutputSize(v->r, &ow, &oh);
    SDL_SetRenderDrawColor(v->r, 0, 0, 0, 255);
    SDL_RenderClear(v->r);
    if (ow > 0 && oh > 0) {
        SDL_Rect d = win_fit(v, ow, oh);
        SDL_RenderCopy(v->r, v->t, NULL, &d);
        win_draw_listening(v, d);
    }
}

/* Sleeps until deadline (monotonic) while handling window events. */
static void win_wait_until(win *v, int64_t deadline)
{
    for (;;) {
        win_events(v);
        int64_t now = clock_now_us();
        if (now >= deadline)
            return;
        int64_t step = deadline - now < WIN_WAIT_STEP_US ? deadline - now : WIN_WAIT_STEP_US;
        clock_sleep_until_us(now + step);
    }
}

/* How far (µs) the frame's time is ahead of the audio clock now; 0 with
 * *ok = 0 when there is no usable audio clock. */
static int64_t win_audio_ahead(win *v, int64_t target_us, int *ok)
{
    int64_t pos, age;
    *ok = 0;
    if (!out_clock_has_source(v->clock) || !out_clock_read(v->clock, clock_now_us(), &pos, &age))
        return 0;
    if (age > WIN_CLOCK_STALE_US)
        return 0;
    *ok = 1;
    return target_us - pos;
}

static int win_write_video(void *state, const sz_video_frame *f, char *err, size_t errlen)
{
    win *v = state;
    if (atomic_load(&v->closed))
        return SZ_OK;
    if (!v->w) {
        int rc = win_setup(v, err, errlen);
        if (rc != SZ_OK)
            return rc;
    }
    win_events(v);
    int64_t frame_us = 1000000 / v->fps;
    int64_t abs_frame = v->base + f->pts;
    int64_t target_us = abs_frame * 1000000 / v->fps; /* session time of the frame */
    int synced = 0;
    int64_t ahead = 0;
    if (out_clock_has_source(v->clock)) {
        /* Follow the speaker; while it has not started (or stalls), wait up
         * to WIN_CLOCK_STALE_US for it, then keep wall time. */
        int64_t give_up = clock_now_us() + WIN_CLOCK_STALE_US;
        for (;;) {
            ahead = win_audio_ahead(v, target_us, &synced);
            if (synced && ahead <= WIN_EARLY_US)
                break;
            if (!synced && clock_now_us() >= give_up)
                break;
            int64_t step = synced && ahead < WIN_WAIT_STEP_US ? ahead : WIN_WAIT_STEP_US;
            win_wait_until(v, clock_now_us() + (step > 0 ? step : 1000));
            if (atomic_load(&v->closed))
                return SZ_OK;
        }
    }
    int64_t now = clock_now_us();
    if (synced) {
        v->wall_set = 0;
        if (-ahead > frame_us * 3 / 2 && now - v->last_present_us < 250000) {
            atomic_fetch_add(&v->late, 1); /* its sound has passed: skip it */
            return SZ_OK;
        }
    } else {
        if (!v->wall_set ||
            now - (v->wall_t0 + (abs_frame - v->wall_f0) * frame_us) > frame_us * 3 / 2) {
            /* (re)anchor: show now, then one frame per period */
            v->wall_set = 1;
            v->wall_t0 = now;
            v->wall_f0 = abs_frame;
        }
        win_wait_until(v, v->wall_t0 + (abs_frame - v->wall_f0) * frame_us);
        if (atomic_load(&v->closed))
            return SZ_OK;
    }
    if (SDL_UpdateTexture(v->t, NULL, f->data, f->stride) != 0) {
        snprintf(err, errlen, "%s: cannot update the texture: %s", v->name, SDL_GetError());
        return SZ_ERR_IO;
    }
    win_draw(v);
    if (synced) {
        int ok = 0;
        int64_t a = win_audio_ahead(v, target_us, &ok);
        if (ok) {
            atomic_fetch_add(&v->synced, 1);
            atomic_fetch_add(&v->offset_sum_us, -a); /* shown after its sound: positive */
        }
    }
    SDL_RenderPresent(v->r);
    v->have_frame = 1;
    v->last_present_us = clock_now_us();
    return SZ_OK;
}

static int win_write_audio(void *state, const float *pcm, int n, char *err, size_t errlen)
{
    (void)state;
    (void)pcm;
    (void)n;
    (void)err;
    (void)errlen;
    return SZ_OK;
}

static void win_set_base(void *state, int64_t first_frame)
{
    win *v = state;
    v->base = first_frame;
    v->wall_set = 0;
}

static int win_finish(void *state, char *err, size_t errlen)
{
    win *v = state;
    int rc = SZ_OK;
    if (v->capture[0] && v->r && v->have_frame) {
        /* What is on screen now, as a BMP (the kiosk's "what does it show"). */
        win_events(v);
        int ow = 0, oh = 0;
        SDL_GetRendererOutputSize(v->r, &ow, &oh);
        SDL_Surface *s = SDL_CreateRGBSurfaceWithFormat(0, ow, oh, 32, SDL_PIXELFORMAT_ARGB8888);
        win_draw(v);
        if (!s ||
            SDL_RenderReadPixels(v->r, NULL, SDL_PIXELFORMAT_ARGB8888, s->pixels, s->pitch) != 0 ||
            SDL_SaveBMP(s, v->capture) != 0) {
            snprintf(err, errlen, "%s: cannot save the window to '%s': %s", v->name, v->capture,
                     SDL_GetError());
            rc = SZ_ERR_IO;
        }
        SDL_FreeSurface(s);
    }
    win_release(v);
    return rc;
}

static void win_thread_end(void *state)
{
    win_release(state);
}

static void win_stats(void *state, sz_output_stats *st)
{
    win *v = state;
    st->closed = atomic_load(&v->closed);
    st->late_frames = atomic_load(&v->late);
    long long n = atomic_load(&v->synced);
    st->av_offset_ms = n ? (double)atomic_load(&v->offset_sum_us) / (double)n / 1000.0 : 0.0;
}

const out_kind out_kind_window = {
    .name = "window",
    .accepts = win_accepts,
    .flags = OUT_F_VIDEO | OUT_F_PACED,
    .option_names = WIN_OPTION_NAMES,
    .create = win_create,
    .set_base = win_set_base,
    .write_video = win_write_video,
    .write_audio = win_write_audio,
    .finish = win_finish,
    .destroy = win_destroy,
    .thread_end = win_thread_end,
    .stats = win_stats,
};

#else /* no SDL2 */

static int win_create(const out_config *cfg, out_options *opts, void **state, char *err,
                      size_t errlen)
{
    (void)opts;
    *state = NULL;
    snprintf(err, errlen,
             "%s: this build has no window output (install libsdl2-dev and reconfigure)",
             cfg->name);
    return SZ_ERR_UNSUPPORTED;
}

const out_kind out_kind_window = {
    .name = "window",
    .accepts = win_accepts,
    .flags = OUT_F_VIDEO | OUT_F_PACED,
    .option_names = "",
    .create = win_create,
};

#endif
