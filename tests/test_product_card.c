/* SPDX-License-Identifier: Apache-2.0 */
/* test_product_card.c: a live config's product "image": the card is decoded
 * at config load (relative to the config's folder, huge images scaled down
 * once), a missing file or a file that is not an image is refused in one
 * line naming the product and the file; the card shows in the rendered
 * frames while its product is presented and is gone after. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cairo.h>

#include "avatar/card.h"
#include "engine/config.h"
#include "engine/config_modes.h"
#include "engine/engine.h"
#include "shuzi.h"
#include "tts/voice.h"

#include "check.h"
#include "files.h"

#define TONE_RATE 16000
#define TONE_CHUNK (TONE_RATE / 50) /* 20 ms */

/* A solid magenta PNG: a colour nothing else in the scene has. */
static int write_png(const char *path, int w, int h)
{
    cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, w, h);
    cairo_t *cr = cairo_create(s);
    cairo_set_source_rgb(cr, 1, 0, 1);
    cairo_paint(cr);
    cairo_destroy(cr);
    int rc = cairo_surface_write_to_png(s, path) == CAIRO_STATUS_SUCCESS ? 0 : -1;
    cairo_surface_destroy(s);
    return rc;
}

static int write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    fputs(text, f);
    return fclose(f);
}

/* Loads a config whose one product has "image": image. */
static int load_with_image(const char *dir, const char *image, sz_config *cfg, char *err,
                           size_t errlen)
{
    char path[600], json[1200];
    snprintf(path, sizeof path, "%s/room.json", dir);
    snprintf(json, sizeof json,
             "{\"products\": [{\"name\": \"red kettle\", \"price\": \"199 yuan\"},"
             " {\"name\": \"blue teapot\", \"price\": \"88 yuan\", \"image\": \"%s\"}]}",
             image);
    if (write_text(path, json) != 0)
        return SZ_ERR_IO;
    config_defaults(cfg);
    return config_load(path, cfg, err, errlen);
}

static void test_config(const char *dir, const char *src)
{
    char path[600], err[1200];
    sz_config cfg;
    snprintf(path, sizeof path, "%s/teapot.png", dir);
    CHECK(write_png(path, 40, 30) == 0, "write %s", path);
    int rc = load_with_image(dir, "teapot.png", &cfg, err, sizeof err);
    CHECK(rc == SZ_OK && cfg.mode && cfg.mode->n_products == 2, "good image: %s", err);
    if (rc == SZ_OK && cfg.mode) {
        const cfg_product *p = &cfg.mode->products[1];
        CHECK(p->card && p->image && strcmp(p->image, path) == 0,
              "the image is resolved against the config's folder: %s",
              p->image ? p->image : "(none)");
        int w = 0, h = 0;
        avatar_card_size(p->card, &w, &h);
        CHECK(w == 40 && h == 30, "a small image keeps its size: %dx%d", w, h);
        CHECK(!cfg.mode->products[0].card && !cfg.mode->products[0].image,
              "a product without an image has no card");
    }
    config_free(&cfg);

    snprintf(path, sizeof path, "%s/huge.png", dir);
    CHECK(write_png(path, 3000, 1500) == 0, "write %s", path);
    rc = load_with_image(dir, "huge.png", &cfg, err, sizeof err);
    CHECK(rc == SZ_OK && cfg.mode, "huge image: %s", err);
    if (rc == SZ_OK && cfg.mode) {
        int w = 0, h = 0;
        avatar_card_size(cfg.mode->products[1].card, &w, &h);
        CHECK(w == AVATAR_CARD_MAX_SIDE && h == AVATAR_CARD_MAX_SIDE / 2,
              "a huge image is scaled down at load: %dx%d", w, h);
    }
    config_free(&cfg);

    err[0] = 0;
    rc = load_with_image(dir, "missing.png", &cfg, err, sizeof err);
    CHECK(rc != SZ_OK && strstr(err, "blue teapot") && strstr(err, "missing.png") &&
              !strchr(err, '\n'),
          "a missing image is refused naming the product and the file: %d '%s'", rc, err);
    config_free(&cfg);

    snprintf(path, sizeof path, "%s/notes.png", dir);
    CHECK(write_text(path, "these are words, not pixels\n") == 0, "write %s", path);
    err[0] = 0;
    rc = load_with_image(dir, "notes.png", &cfg, err, sizeof err);
    CHECK(rc == SZ_ERR_FORMAT && strstr(err, "blue teapot") && strstr(err, "notes.png") &&
              strstr(err, "not a PNG or JPEG") && !strchr(err, '\n'),
          "a file that is not an image is refused: %d '%s'", rc, err);
    config_free(&cfg);

    /* an empty image file is not an image either */
    snprintf(path, sizeof path, "%s/empty.jpg", dir);
    CHECK(write_text(path, "") == 0, "write %s", path);
    rc = load_with_image(dir, "empty.jpg", &cfg, err, sizeof err);
    CHECK(rc == SZ_ERR_FORMAT && strstr(err, "empty.jpg"), "an empty file: %d '%s'", rc, err);
    config_free(&cfg);

    rc = load_with_image(dir, "", &cfg, err, sizeof err);
    CHECK(rc == SZ_ERR_FORMAT && strstr(err, "products[1].image"), "an empty path: '%s'", err);
    config_free(&cfg);

    if (!src) {
        printf("SHUZI_SOURCE_DIR is not set: the demo config is not checked\n");
        return;
    }
    snprintf(path, sizeof path, "%s/demos/live.json", src);
    config_defaults(&cfg);
    rc = config_load(path, &cfg, err, sizeof err);
    CHECK(rc == SZ_OK && cfg.mode && cfg.mode->products[0].card,
          "the demo's kettle has its picture: %s", err);
    config_free(&cfg);
}

/* ---- frames ------------------------------------------------------------ */

static int tone_list(sz_voice_list_fn fn, void *user)
{
    sz_voice_info v = {"tone:en", "tone", "en-us", TONE_RATE, "test voice"};
    return fn(&v, user) ? 1 : SZ_OK;
}

static int tone_open(const char *variant, const tts_voice_params *p, void **state, char *err,
                     size_t errlen)
{
    (void)variant, (void)p, (void)err, (void)errlen;
    *state = malloc(1);
    return *state ? SZ_OK : SZ_ERR_NO_MEMORY;
}

static int tone_rate(void *state)
{
    (void)state;
    return TONE_RATE;
}

/* One second of tone per text. */
static int tone_synth(void *state, const char *text, const tts_synth_opts *opts,
                      const tts_sink *sink, char *err, size_t errlen)
{
    (void)state, (void)text, (void)opts, (void)err, (void)errlen;
    float chunk[TONE_CHUNK];
    for (int i = 0; i < TONE_CHUNK; i++)
        chunk[i] = (i / 40) % 2 ? 0.3f : -0.3f;
    for (int c = 0; c < 50; c++)
        if (sink->on_audio(sink->user, chunk, TONE_CHUNK))
            return SZ_ERR_CANCELLED;
    return SZ_OK;
}

static void tone_destroy(void *state) { free(state); }

static const tts_voice_kind tone_kind = {.kind = "tone",
                                         .list = tone_list,
                                         .open = tone_open,
                                         .sample_rate = tone_rate,
                                         .synthesize = tone_synth,
                                         .destroy = tone_destroy};

#define MAX_FRAMES 400

typedef struct watched {
    pthread_mutex_t lock;
    int n;
    int64_t ms[MAX_FRAMES];
    int magenta[MAX_FRAMES]; /* pixels of the card's colour */
    int id[2];               /* the two utterances */
    int64_t start_ms[2];     /* when they began (-1 until then) */
} watched;

static void on_frame(int64_t ms, const sz_video_frame *f, void *user)
{
    watched *w = user;
    int n = 0;
    for (int y = 0; y < f->height; y++) {
        const uint8_t *row = f->data + (size_t)y * (size_t)f->stride;
        for (int x = 0; x < f->width; x++) {
            const uint8_t *px = row + 4 * x; /* B G R A */
            n += px[0] > 230 && px[1] < 30 && px[2] > 230;
        }
    }
    pthread_mutex_lock(&w->lock);
    if (w->n < MAX_FRAMES) {
        w->ms[w->n] = ms;
        w->magenta[w->n++] = n;
    }
    pthread_mutex_unlock(&w->lock);
}

static void on_state(sz_state st, int utt, int64_t ms, void *user)
{
    watched *w = user;
    pthread_mutex_lock(&w->lock);
    for (int i = 0; i < 2; i++)
        if (st == SZ_STATE_SPEAKING && utt == w->id[i] && w->start_ms[i] < 0)
            w->start_ms[i] = ms;
    pthread_mutex_unlock(&w->lock);
}

/* Shows the card, says the presentation, hides it, says the next thing. */
static void test_frames(const char *dir)
{
    char path[600], err[512];
    snprintf(path, sizeof path, "%s/card.png", dir);
    CHECK(write_png(path, 60, 80) == 0, "write %s", path);
    avatar_card *card = NULL;
    CHECK(avatar_card_load(path, &card, err, sizeof err) == SZ_OK, "card: %s", err);
    static watched w;
    memset(&w, 0, sizeof w);
    pthread_mutex_init(&w.lock, NULL);
    w.start_ms[0] = w.start_ms[1] = -1;
    w.id[0] = w.id[1] = -100;
    sz_engine *e = NULL;
    sz_session *s = NULL;
    sz_engine_create(sz_engine_default_params(), &e);
    sz_session_params p = sz_session_default_params();
    p.voice = "tone:en";
    p.width = 320;
    p.height = 180;
    p.fps = 10;
    p.on_state = on_state;
    p.on_state_user_data = &w;
    int rc = sz_session_create(e, p, &s);
    CHECK(rc == SZ_OK && s, "create: %s", sz_engine_last_error(e));
    if (!s || !card) {
        avatar_card_free(&card);
        sz_engine_free(&e);
        return;
    }
    snprintf(path, sizeof path, "%s/card.mkv", dir);
    CHECK(engine_test_watch_frames(s, on_frame, &w) == SZ_OK, "watch");
    CHECK(sz_session_add_output(s, path, NULL) == SZ_OK, "output: %s", sz_session_last_error(s));
    CHECK(sz_session_start(s) == SZ_OK, "start: %s", sz_session_last_error(s));
    CHECK(engine_session_show_card(s, card) == SZ_OK, "show the card");
    /* the ids are known before the first state callback can name them */
    pthread_mutex_lock(&w.lock);
    w.id[0] = sz_session_say(s, "Here is our blue teapot.", 0);
    CHECK(w.id[0] >= 0, "say 1");
    CHECK(engine_session_show_card(s, NULL) == SZ_OK, "hide the card");
    w.id[1] = sz_session_say(s, "Thanks for watching.", 0);
    CHECK(w.id[1] > w.id[0], "say 2");
    pthread_mutex_unlock(&w.lock);
    CHECK(sz_session_finish(s) == SZ_OK, "finish: %s", sz_session_last_error(s));
    sz_session_free(&s);
    sz_engine_free(&e);

    CHECK(w.start_ms[0] >= 0 && w.start_ms[1] > w.start_ms[0], "utterances at %lld and %lld ms",
          (long long)w.start_ms[0], (long long)w.start_ms[1]);
    int before = 0, during = 0, during_frames = 0, after = 0, after_frames = 0;
    for (int i = 0; i < w.n; i++) {
        int64_t t = w.ms[i];
        if (t < w.start_ms[0] - 100) {
            before += w.magenta[i] > 0;
        } else if (t >= w.start_ms[0] + 100 && t < w.start_ms[1] - 100) {
            during_frames++;
            /* 60x80 fitted in a 64-pixel box (less padding): a few thousand pixels */
            during += w.magenta[i] > 1000;
        } else if (t >= w.start_ms[1] + 100) {
            after_frames++;
            after += w.magenta[i] > 0;
        }
    }
    CHECK(during_frames >= 5 && during == during_frames,
          "the card shows while its product is presented: %d of %d frames", during,
          during_frames);
    CHECK(after_frames >= 5 && after == 0, "and is gone after: %d of %d frames still show it",
          after, after_frames);
    if (check_failures)
        for (int i = 0; i < w.n; i++)
            printf("  %lld ms: %d card pixels\n", (long long)w.ms[i], w.magenta[i]);
    CHECK(before == 0, "not before the presentation: %d frames", before);
    avatar_card_free(&card);
    pthread_mutex_destroy(&w.lock);
}

int main(void)
{
    sz_set_log_level(SZ_LOG_ERROR);
    if (tts_register_kind(&tone_kind) != SZ_OK) {
        fprintf(stderr, "cannot register the test voice\n");
        return 1;
    }
    const char *src = getenv("SHUZI_SOURCE_DIR");
    char dir[] = "/tmp/shuzi-card-XXXXXX";
    if (!mkdtemp(dir))
        return 1;
    test_config(dir, src);
    test_frames(dir);
    remove_tree(dir);
    return check_summary("test_product_card");
}
