/* SPDX-License-Identifier: Apache-2.0 */
/* test_live_subtitles.c: burned-in subtitles show the sentence as written
 * ("¥99", with its punctuation), one sentence at a time, paged as it is
 * spoken, in a live session (what `shuzi live` and `kiosk` burn) exactly as
 * in an offline one (what `shuzi say --burn-subtitles` burns). A fake voice
 * speaks the normalized words ("ninety nine yuan") faster than real time,
 * so a live session starts each line before its end is known. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/engine.h"
#include "shuzi.h"
#include "tts/voice.h"

#include "check.h"
#include "files.h"

#define WORDY_RATE 16000
#define WORDY_CHUNK (WORDY_RATE / 50) /* 20 ms */

static int wordy_list(sz_voice_list_fn fn, void *user)
{
    sz_voice_info v = {"wordy:en", "wordy", "en-us", WORDY_RATE, "test voice with word events"};
    if (fn(&v, user))
        return 1;
    sz_voice_info z = {"wordy:zh", "wordy", "cmn", WORDY_RATE, "test voice with word events"};
    return fn(&z, user) ? 1 : SZ_OK;
}

static int wordy_open(const char *variant, const tts_voice_params *p, void **state, char *err,
                      size_t errlen)
{
    (void)variant, (void)p, (void)err, (void)errlen;
    *state = malloc(1);
    return *state ? SZ_OK : SZ_ERR_NO_MEMORY;
}

static int wordy_rate(void *state)
{
    (void)state;
    return WORDY_RATE;
}

/* The next word of a normalized run, as the diffusion voice reports them:
 * space-separated Latin words, each Han character alone, punctuation left
 * out. Returns its length (0 at the end) and advances *p. */
static size_t wordy_next(const char **p, char *word, size_t cap)
{
    const unsigned char *s = (const unsigned char *)*p;
    size_t n = 0;
    for (;;) {
        if (!*s)
            break;
        int len = *s < 0x80 ? 1 : *s < 0xE0 ? 2 : *s < 0xF0 ? 3 : 4;
        int han = *s >= 0xE4 && *s <= 0xE9;
        int punct = *s == ' ' || *s == ',' || *s == '.' || *s == '!' || *s == '?' ||
                    (len == 3 && !han);
        if (punct || (han && n > 0)) {
            if (n > 0)
                break;
            s += punct ? len : 0;
            continue;
        }
        if (n + (size_t)len < cap) {
            memcpy(word + n, s, (size_t)len);
            n += (size_t)len;
        }
        s += len;
        if (han)
            break;
    }
    word[n] = 0;
    *p = (const char *)s;
    return n;
}

/* 300 ms of tone per word (120 ms per Han character), each word's events
 * sent with its first audio, made at four times real time. */
static int wordy_synth(void *state, const char *text, const tts_synth_opts *opts,
                       const tts_sink *sink, char *err, size_t errlen)
{
    (void)state, (void)opts, (void)err, (void)errlen;
    float chunk[WORDY_CHUNK];
    for (int i = 0; i < WORDY_CHUNK; i++)
        chunk[i] = (i / 40) % 2 ? 0.3f : -0.3f;
    int64_t t = 0;
    char word[TTS_EVENT_VALUE_MAX];
    const char *p = text;
    size_t n;
    while ((n = wordy_next(&p, word, sizeof word)) > 0) {
        int chunks = (unsigned char)word[0] >= 0xE4 ? 6 : 15;
        tts_event w = {.type = TTS_EV_WORD, .start = t, .end = t + chunks * WORDY_CHUNK};
        snprintf(w.value, sizeof w.value, "%s", word);
        tts_event ph = {.type = TTS_EV_PHONE, .start = t, .end = t, .value = "a"};
        if (sink->on_event(sink->user, &w) || sink->on_event(sink->user, &ph))
            return SZ_ERR_CANCELLED;
        for (int c = 0; c < chunks; c++, t += WORDY_CHUNK) {
            usleep(5000);
            if (sink->on_audio(sink->user, chunk, WORDY_CHUNK))
                return SZ_ERR_CANCELLED;
        }
    }
    return SZ_OK;
}

static void wordy_destroy(void *state) { free(state); }

static const tts_voice_kind wordy_kind = {.kind = "wordy",
                                          .list = wordy_list,
                                          .open = wordy_open,
                                          .sample_rate = wordy_rate,
                                          .synthesize = wordy_synth,
                                          .destroy = wordy_destroy};

/* ---- what each frame burned ------------------------------------------ */

#define MAX_SHOWN 64

typedef struct shown {
    pthread_mutex_t lock;
    int n;                    /* distinct subtitles in order ("" gaps left out) */
    char text[MAX_SHOWN][256];
    int frames[MAX_SHOWN];    /* frames each was shown */
    int first_page[MAX_SHOWN], last_page[MAX_SHOWN], n_pages[MAX_SHOWN];
    int page_back;            /* a page went back while its text stayed */
    int64_t last_ms;
    int prev_page;
} shown;

static void on_subtitle(int64_t ms, const char *text, int page, int n_pages, void *user)
{
    shown *s = user;
    pthread_mutex_lock(&s->lock);
    s->last_ms = ms;
    if (text[0]) {
        int i = s->n - 1;
        if (i < 0 || strcmp(s->text[i], text) != 0 || s->prev_page < 0) {
            if (s->n < MAX_SHOWN) {
                i = s->n++;
                snprintf(s->text[i], sizeof s->text[i], "%s", text);
                s->frames[i] = 0;
                s->first_page[i] = page;
            }
        } else if (page < s->prev_page) {
            s->page_back = 1;
        }
        if (i >= 0 && i < MAX_SHOWN) {
            s->frames[i]++;
            s->last_page[i] = page;
            s->n_pages[i] = n_pages;
        }
    }
    s->prev_page = text[0] ? page : -1;
    pthread_mutex_unlock(&s->lock);
}

/* Says each text in one session; returns 0, or 77 when subtitles cannot be
 * drawn in this build. */
static int run_session(const char *dir, const char *voice, sz_pacing pacing,
                       const char *const *texts, int n_texts, shown *out)
{
    char path[600];
    snprintf(path, sizeof path, "%s/subs-%d.mkv", dir, (int)pacing);
    memset(out, 0, sizeof *out);
    pthread_mutex_init(&out->lock, NULL);
    out->prev_page = -1;
    sz_engine *e = NULL;
    sz_session *s = NULL;
    sz_engine_create(sz_engine_default_params(), &e);
    sz_session_params p = sz_session_default_params();
    p.voice = voice;
    p.width = 320;
    p.height = 180;
    p.fps = 25;
    p.pacing = pacing;
    p.burn_subtitles = 1;
    int rc = sz_session_create(e, p, &s);
    if (rc == SZ_ERR_UNSUPPORTED || rc == SZ_ERR_NOT_FOUND) {
        printf("skipped: subtitles cannot be drawn here: %s\n", sz_engine_last_error(e));
        sz_engine_free(&e);
        return 77;
    }
    CHECK(rc == SZ_OK, "create: %s", sz_engine_last_error(e));
    if (!s) {
        sz_engine_free(&e);
        return 1;
    }
    CHECK(engine_test_watch_subtitles(s, on_subtitle, out) == SZ_OK, "watch");
    CHECK(sz_session_add_output(s, path, NULL) == SZ_OK, "output: %s", sz_session_last_error(s));
    CHECK(sz_session_start(s) == SZ_OK, "start: %s", sz_session_last_error(s));
    for (int i = 0; i < n_texts; i++)
        CHECK(sz_session_say(s, texts[i], 0) >= 0, "say '%s'", texts[i]);
    CHECK(sz_session_finish(s) == SZ_OK, "finish: %s", sz_session_last_error(s));
    sz_session_free(&s);
    sz_engine_free(&e);
    pthread_mutex_destroy(&out->lock);
    return 0;
}

static void print_shown(const char *what, const shown *s)
{
    printf("%s: %d subtitles\n", what, s->n);
    for (int i = 0; i < s->n; i++)
        printf("  '%s': %d frames, pages %d..%d of %d\n", s->text[i], s->frames[i],
               s->first_page[i], s->last_page[i], s->n_pages[i]);
}

/* The subtitles shown were exactly want[], in order, each for a while and
 * from its first page to its last. */
static void check_shown(const char *what, const shown *s, const char *const *want, int n_want)
{
    CHECK(s->n == n_want, "%s: %d subtitles shown, expected %d (first: '%s')", what, s->n,
          n_want, s->n > 0 ? s->text[0] : "");
    for (int i = 0; i < n_want && i < s->n; i++) {
        CHECK(strcmp(s->text[i], want[i]) == 0, "%s: subtitle %d is '%s', expected '%s'", what,
              i, s->text[i], want[i]);
        CHECK(s->frames[i] >= 5, "%s: '%s' shown for %d frames", what, s->text[i], s->frames[i]);
        CHECK(s->first_page[i] == 0 && s->last_page[i] == s->n_pages[i] - 1,
              "%s: '%s' paged %d..%d of %d", what, s->text[i], s->first_page[i],
              s->last_page[i], s->n_pages[i]);
    }
    CHECK(!s->page_back, "%s: a page went back", what);
}

static int test_english(const char *dir)
{
    const char *const texts[] = {"The kettle is \xc2\xa5" "99. Buy two!"};
    const char *const want[] = {"The kettle is \xc2\xa5" "99.", "Buy two!"};
    shown live, offline;
    int rc = run_session(dir, "wordy:en", SZ_PACING_LIVE, texts, 1, &live);
    if (rc)
        return rc;
    print_shown("live", &live);
    check_shown("live", &live, want, 2);
    run_session(dir, "wordy:en", SZ_PACING_OFFLINE, texts, 1, &offline);
    print_shown("offline", &offline);
    check_shown("offline", &offline, want, 2);
    return 0;
}

static void test_chinese(const char *dir)
{
    /* the second one wraps onto more than two lines at 320x180: pages */
    const char *const texts[] = {
        "\xe8\xbf\x99\xe6\xac\xbe\xe6\xb0\xb4\xe5\xa3\xb6\xe5\x8f\xaa\xe8\xa6\x81\xc2\xa5" "99"
        "\xef\xbc\x8c\xe4\xbb\x8a\xe5\xa4\xa9\xe5\x8c\x85\xe9\x82\xae\xef\xbc\x81",
        "\xe8\xbf\x99\xe6\xac\xbe\xe7\xba\xa2\xe8\x89\xb2\xe7\x94\xb5\xe7\x83\xad\xe6\xb0\xb4"
        "\xe5\xa3\xb6\xe4\xb8\x80\xe6\xac\xa1\xe8\x83\xbd\xe7\x83\xa7\xe5\xbc\x80\xe4\xb8\x80"
        "\xe6\x95\xb4\xe5\x8d\x87\xe6\xb0\xb4\xef\xbc\x8c\xe7\x83\xa7\xe5\xbc\x80\xe4\xbb\xa5"
        "\xe5\x90\x8e\xe8\xbf\x98\xe4\xbc\x9a\xe8\x87\xaa\xe5\x8a\xa8\xe6\x96\xad\xe7\x94\xb5"
        "\xef\xbc\x8c\xe4\xbb\x8a\xe5\xa4\xa9\xe7\x9b\xb4\xe6\x92\xad\xe9\x97\xb4\xe5\x8f\xaa"
        "\xe8\xa6\x81\xc2\xa5" "99\xef\xbc\x8c\xe8\xbf\x98\xe9\x80\x81\xe4\xb8\xa4\xe4\xb8\xaa"
        "\xe7\x8e\xbb\xe7\x92\x83\xe6\x9d\xaf\xe3\x80\x82"};
    shown live, offline;
    if (run_session(dir, "wordy:zh", SZ_PACING_LIVE, texts, 2, &live))
        return;
    print_shown("live (Chinese)", &live);
    check_shown("live (Chinese)", &live, texts, 2);
    CHECK(live.n == 2 && live.n_pages[1] >= 2, "the long sentence has %d pages",
          live.n == 2 ? live.n_pages[1] : 0);
    run_session(dir, "wordy:zh", SZ_PACING_OFFLINE, texts, 2, &offline);
    print_shown("offline (Chinese)", &offline);
    check_shown("offline (Chinese)", &offline, texts, 2);
}

int main(void)
{
    sz_set_log_level(SZ_LOG_ERROR);
    if (tts_register_kind(&wordy_kind) != SZ_OK) {
        fprintf(stderr, "cannot register the test voice\n");
        return 1;
    }
    char dir[] = "/tmp/shuzi-subs-XXXXXX";
    if (!mkdtemp(dir))
        return 1;
    int rc = test_english(dir);
    if (rc == 77) {
        remove_tree(dir);
        return 77;
    }
    test_chinese(dir);
    remove_tree(dir);
    return check_summary("test_live_subtitles");
}
