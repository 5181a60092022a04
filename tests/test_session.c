/* SPDX-License-Identifier: Apache-2.0 */
/* test_session.c: the engine's pacing and control: live pacing keeps the
 * frame clock running while a slow voice starves it, interrupt silences the
 * audio within 20 ms, a line said right after an interrupt is spoken (the
 * interrupt stops only what came before it), and a session reports state
 * changes in order. */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/clock.h"
#include "shuzi.h"
#include "tts/voice.h"

#include "check.h"
#include "files.h"

/* ---- a slow synthetic voice: a 200 Hz tone made at half real time ---- */

#define SLOW_RATE 16000

static int slow_list(sz_voice_list_fn fn, void *user)
{
    sz_voice_info v = {"slow:tone", "slow", "und", SLOW_RATE, "test tone, half real time"};
    return fn(&v, user) ? 1 : SZ_OK;
}

static int slow_open(const char *variant, const tts_voice_params *p, void **state, char *err,
                     size_t errlen)
{
    (void)variant, (void)p, (void)err, (void)errlen;
    *state = malloc(1);
    return *state ? SZ_OK : SZ_ERR_NO_MEMORY;
}

static int slow_rate(void *state)
{
    (void)state;
    return SLOW_RATE;
}

/* One second of tone per word, produced in 20 ms chunks at half speed. */
static int slow_synth(void *state, const char *text, const tts_synth_opts *opts,
                      const tts_sink *sink, char *err, size_t errlen)
{
    (void)state, (void)opts, (void)err, (void)errlen;
    int words = 1;
    for (const char *p = text; *p; p++)
        words += *p == ' ';
    float chunk[SLOW_RATE / 50];
    int64_t t = 0;
    for (int w = 0; w < words; w++) {
        tts_event ev = {.type = TTS_EV_PHONE, .start = t, .end = t};
        snprintf(ev.value, sizeof ev.value, "a");
        if (sink->on_event(sink->user, &ev))
            return SZ_ERR_CANCELLED;
        for (int c = 0; c < 50; c++) {
            for (int i = 0; i < SLOW_RATE / 50; i++, t++)
                chunk[i] = 0.5f * sinf(2.0f * 3.14159265f * 200.0f * (float)t / SLOW_RATE);
            usleep(40000); /* 20 ms of audio every 40 ms */
            if (sink->on_audio(sink->user, chunk, SLOW_RATE / 50))
                return SZ_ERR_CANCELLED;
        }
    }
    return SZ_OK;
}

static void slow_destroy(void *state) { free(state); }

static const tts_voice_kind slow_kind = {.kind = "slow",
                                         .list = slow_list,
                                         .open = slow_open,
                                         .sample_rate = slow_rate,
                                         .synthesize = slow_synth,
                                         .destroy = slow_destroy};

/* ---- helpers --------------------------------------------------------- */

#define MAX_STATES 64
typedef struct states {
    pthread_mutex_t lock;
    sz_state st[MAX_STATES];
    int id[MAX_STATES];
    int64_t t_ms[MAX_STATES];
    int64_t wall_us[MAX_STATES];
    int n;
} states;

static void on_state(sz_state st, int id, int64_t t_ms, void *user)
{
    states *s = user;
    pthread_mutex_lock(&s->lock);
    if (s->n < MAX_STATES) {
        s->st[s->n] = st;
        s->id[s->n] = id;
        s->t_ms[s->n] = t_ms;
        s->wall_us[s->n] = clock_now_us();
        s->n++;
    }
    pthread_mutex_unlock(&s->lock);
}

/* Whether utterance id has reached state st; waits up to timeout_ms. */
static int wait_state(states *s, sz_state st, int id, int timeout_ms)
{
    for (int waited = 0; waited <= timeout_ms; waited += 10) {
        int found = 0;
        pthread_mutex_lock(&s->lock);
        for (int i = 0; i < s->n && !found; i++)
            found = s->st[i] == st && s->id[i] == id;
        pthread_mutex_unlock(&s->lock);
        if (found)
            return 1;
        usleep(10000);
    }
    return 0;
}

static int find_state(states *s, sz_state st)
{
    for (int i = 0; i < s->n; i++)
        if (s->st[i] == st)
            return i;
    return -1;
}

/* Reads a 16-bit mono WAV written by the engine. */
static int16_t *read_wav(const char *path, size_t *n, int *rate)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    unsigned char h[44];
    if (fread(h, 1, 44, f) != 44) {
        fclose(f);
        return NULL;
    }
    *rate = h[24] | h[25] << 8 | h[26] << 16 | h[27] << 24;
    uint32_t bytes = (uint32_t)(h[40] | h[41] << 8 | h[42] << 16 | (uint32_t)h[43] << 24);
    *n = bytes / 2;
    int16_t *s = malloc(bytes ? bytes : 1);
    if (s && fread(s, 2, *n, f) != *n) {
        free(s);
        s = NULL;
    }
    fclose(f);
    return s;
}

/* ---- tests ----------------------------------------------------------- */

static void test_live_never_stalls(const char *dir)
{
    char path[512];
    snprintf(path, sizeof path, "%s/live.wav", dir);
    sz_engine *e = NULL;
    sz_session *s = NULL;
    sz_engine_create(sz_engine_default_params(), &e);
    sz_session_params p = sz_session_default_params();
    p.voice = "slow:tone";
    p.width = 160;
    p.height = 96;
    p.fps = 25;
    p.pacing = SZ_PACING_LIVE;
    CHECK(sz_session_create(e, p, &s) == SZ_OK, "create: %s", sz_engine_last_error(e));
    if (!s)
        return;
    CHECK(sz_session_add_output(s, path, NULL) == SZ_OK, "output: %s", sz_session_last_error(s));
    int64_t t0 = clock_now_us();
    CHECK(sz_session_start(s) == SZ_OK, "start");
    usleep(400000); /* idle first: frames and silence must flow */
    sz_session_stats st;
    sz_session_get_stats(s, &st);
    CHECK(st.frames_out >= 5, "idle live session produced %lld frames in 0.4 s",
          (long long)st.frames_out);
    CHECK(sz_session_say(s, "one two", 0) >= 0, "say");
    CHECK(sz_session_finish(s) == SZ_OK, "finish: %s", sz_session_last_error(s));
    double wall = (double)(clock_now_us() - t0) / 1e6;
    sz_session_get_stats(s, &st);
    sz_session_free(&s);
    sz_engine_free(&e);
    /* The voice makes 2 s of audio in 4 s: the clock kept running anyway. */
    double media = (double)st.samples_out / SLOW_RATE;
    printf("live: %.2f s wall, %.2f s media, %lld frames, %lld underruns, %lld dropped\n", wall,
           media, (long long)st.frames_out, (long long)st.underruns,
           (long long)st.frames_dropped);
    CHECK(st.underruns > 10, "a voice at half real time starves the clock (%lld underruns)",
          (long long)st.underruns);
    CHECK(media > 0.8 * wall && media < wall + 0.2, "media %.2f s tracks wall %.2f s", media,
          wall);
    size_t n;
    int rate;
    int16_t *pcm = read_wav(path, &n, &rate);
    CHECK(pcm != NULL, "read %s", path);
    if (pcm) {
        CHECK(rate == SLOW_RATE, "rate %d", rate);
        CHECK((int64_t)n == st.samples_out, "wav has %zu samples, engine sent %lld", n,
              (long long)st.samples_out);
        /* All 2 s of tone made it out, in pieces, between silences. */
        size_t loud = 0;
        for (size_t i = 0; i < n; i++)
            loud += abs(pcm[i]) > 1000;
        CHECK(loud > (size_t)(1.5 * SLOW_RATE * 0.5), "%zu loud samples", loud);
        free(pcm);
    }
}

/* A started live session of the default voice (160x96) writing dir/name
 * (its path into path), reporting its states to sts; NULL (after a failed
 * check, the engine freed) if it cannot. */
static sz_session *start_live(char *path, size_t size, const char *dir, const char *name,
                              states *sts, sz_engine **e)
{
    sz_session *s = NULL;
    snprintf(path, size, "%s/%s", dir, name);
    sz_engine_create(sz_engine_default_params(), e);
    sz_session_params p = sz_session_default_params();
    p.pacing = SZ_PACING_LIVE;
    p.width = 160;
    p.height = 96;
    p.on_state = on_state;
    p.on_state_user_data = sts;
    CHECK(sz_session_create(*e, p, &s) == SZ_OK, "create: %s", sz_engine_last_error(*e));
    if (!s)
        sz_engine_free(e);
    if (!s)
        return NULL;
    CHECK(sz_session_add_output(s, path, NULL) == SZ_OK, "output: %s", sz_session_last_error(s));
    CHECK(sz_session_start(s) == SZ_OK, "start");
    return s;
}

static void test_interrupt(const char *dir)
{
    char path[512];
    sz_engine *e = NULL;
    states sts = {.lock = PTHREAD_MUTEX_INITIALIZER};
    sz_session *s = start_live(path, sizeof path, dir, "interrupt.wav", &sts, &e);
    if (!s)
        return;
    CHECK(sz_session_say(s, "This is a long sentence that will be cut off in the middle, long "
                            "before it reaches its natural end.", 0) >= 0, "say");
    CHECK(sz_session_say(s, "And this queued one is dropped too.", 0) >= 0, "say 2");
    usleep(1200000);
    int64_t asked = clock_now_us();
    CHECK(sz_session_interrupt(s) == SZ_OK, "interrupt");
    usleep(300000);
    CHECK(sz_session_say(s, "Yes?", 0) >= 0, "say after interrupt");
    usleep(1500000);
    CHECK(sz_session_finish(s) == SZ_OK, "finish: %s", sz_session_last_error(s));
    sz_session_free(&s);
    sz_engine_free(&e);

    int i_sp = find_state(&sts, SZ_STATE_SPEAKING);
    int i_int = find_state(&sts, SZ_STATE_INTERRUPTED);
    CHECK(i_sp >= 0 && i_int > i_sp, "speaking (%d) then interrupted (%d)", i_sp, i_int);
    if (i_int < 0)
        return;
    CHECK(i_int + 1 < sts.n && sts.st[i_int + 1] == SZ_STATE_IDLE, "idle after interrupted");
    int speaking_again = 0;
    for (int k = i_int + 1; k < sts.n; k++)
        speaking_again |= sts.st[k] == SZ_STATE_SPEAKING;
    CHECK(speaking_again, "the line said after the interrupt is spoken");
    printf("interrupt: acknowledged %.1f ms after the call (state %d of %d)\n",
           (double)(sts.wall_us[i_int] - asked) / 1000.0, i_int, sts.n);
    size_t n;
    int rate;
    int16_t *pcm = read_wav(path, &n, &rate);
    CHECK(pcm != NULL, "read %s", path);
    if (!pcm)
        return;
    /* Audible before the interrupt, silent from 20 ms after it until the
     * next line starts. */
    int64_t cut = sts.t_ms[i_int] * rate / 1000;
    int64_t fade_end = cut + rate * 21 / 1000;
    int64_t next = n;
    for (int k = i_int + 1; k < sts.n; k++)
        if (sts.st[k] == SZ_STATE_SPEAKING) {
            next = sts.t_ms[k] * rate / 1000;
            break;
        }
    double before = 0;
    int64_t nb = 0;
    for (int64_t i = cut - rate / 2; i < cut; i++, nb++)
        if (i >= 0)
            before += (double)pcm[i] * pcm[i];
    int peak_after = 0;
    for (int64_t i = fade_end; i < next && i < (int64_t)n; i++)
        peak_after = abs(pcm[i]) > peak_after ? abs(pcm[i]) : peak_after;
    CHECK(sqrt(before / (double)nb) > 300, "speech before the interrupt (RMS %.0f)",
          sqrt(before / (double)nb));
    CHECK(next > fade_end + rate / 10, "a silent gap after the interrupt (%lld samples)",
          (long long)(next - fade_end));
    CHECK(peak_after == 0, "silence 20 ms after the interrupt (peak %d)", peak_after);
    free(pcm);
}

/* A host that interrupts a line and answers at once (interrupt, then say,
 * with nothing in between) must hear the answer: the interrupt stops the
 * line before it, never the answer. Eight rounds in one live session. */
static void test_interrupt_then_say(const char *dir)
{
    char path[512];
    sz_engine *e = NULL;
    states sts = {.lock = PTHREAD_MUTEX_INITIALIZER};
    sz_session *s = start_live(path, sizeof path, dir, "answer.wav", &sts, &e);
    if (!s)
        return;
    int lost = 0, wrong = 0, rounds = 8;
    for (int r = 0; r < rounds; r++) {
        int line = sz_session_say(s, "This line goes on for quite a while, so that it is still "
                                     "being spoken when the host cuts in with an answer.", 0);
        if (!wait_state(&sts, SZ_STATE_SPEAKING, line, 5000)) {
            CHECK(0, "round %d: the line never started", r);
            break;
        }
        usleep(200000 + 37000 * r); /* a different point of the line each round */
        CHECK(sz_session_interrupt(s) == SZ_OK, "interrupt");
        int answer = sz_session_say(s, "Yes?", 0);
        wrong += !wait_state(&sts, SZ_STATE_INTERRUPTED, line, 2000);
        lost += !wait_state(&sts, SZ_STATE_SPEAKING, answer, 3000) ||
                !wait_state(&sts, SZ_STATE_IDLE, answer, 3000);
    }
    CHECK(sz_session_finish(s) == SZ_OK, "finish: %s", sz_session_last_error(s));
    sz_session_free(&s);
    sz_engine_free(&e);
    int answer_cut = 0;
    for (int i = 0; i < sts.n; i++)
        answer_cut += sts.st[i] == SZ_STATE_INTERRUPTED && sts.id[i] % 2 == 1;
    printf("interrupt then say at once: %d rounds, %d answers lost, %d lines not interrupted, "
           "%d answers interrupted\n", rounds, lost, wrong, answer_cut);
    CHECK(lost == 0 && wrong == 0 && answer_cut == 0,
          "every answer spoken, every line interrupted (%d lost, %d lines, %d answers cut)", lost,
          wrong, answer_cut);
}

static void test_errors(void)
{
    sz_engine *e = NULL;
    sz_session *s = NULL;
    sz_engine_create(sz_engine_default_params(), &e);
    sz_session_params p = sz_session_default_params();
    p.voice = "nosuch:voice";
    CHECK(sz_session_create(e, p, &s) == SZ_ERR_NOT_FOUND, "unknown voice kind");
    CHECK(strstr(sz_engine_last_error(e), "nosuch:voice") != NULL, "message: %s",
          sz_engine_last_error(e));
    p.voice = "espeak:xx-nosuch";
    CHECK(sz_session_create(e, p, &s) == SZ_ERR_NOT_FOUND, "unknown espeak language");
    p = sz_session_default_params();
    p.width = 641;
    CHECK(sz_session_create(e, p, &s) == SZ_ERR_INVALID_ARG, "odd width");
    p = sz_session_default_params();
    p.fps = 0;
    CHECK(sz_session_create(e, p, &s) == SZ_ERR_INVALID_ARG, "fps 0");
    p = sz_session_default_params();
    p.width = 160;
    p.height = 96;
    CHECK(sz_session_create(e, p, &s) == SZ_OK, "valid");
    CHECK(sz_session_say(s, "not started", 0) == SZ_ERR_STATE, "say before start");
    CHECK(sz_session_start(s) == SZ_ERR_STATE, "start without output");
    CHECK(sz_session_add_output(s, "/nonexistent-dir/x.mp4", NULL) == SZ_ERR_IO, "bad dir");
    CHECK(strstr(sz_session_last_error(s), "/nonexistent-dir") != NULL, "message: %s",
          sz_session_last_error(s));
    sz_session_free(&s);
    CHECK(s == NULL, "free sets NULL");
    sz_session_free(&s);
    CHECK(strcmp(sz_strerror(SZ_ERR_NOT_FOUND), "not found") == 0, "strerror");
    CHECK(strcmp(sz_strerror(12345), "unknown error") == 0, "strerror unknown");
    sz_engine_free(&e);
    CHECK(e == NULL, "engine free sets NULL");
}

static void test_bad_text(const char *dir)
{
    char path[512];
    snprintf(path, sizeof path, "%s/bad.wav", dir);
    sz_engine *e = NULL;
    sz_session *s = NULL;
    sz_engine_create(sz_engine_default_params(), &e);
    sz_session_params p = sz_session_default_params();
    p.width = 160;
    p.height = 96;
    sz_session_create(e, p, &s);
    sz_session_add_output(s, path, NULL);
    sz_session_start(s);
    CHECK(sz_session_say(s, "", 0) == SZ_ERR_INVALID_ARG, "empty");
    CHECK(sz_session_say(s, "  \n\t", 0) == SZ_ERR_INVALID_ARG, "blank");
    CHECK(sz_session_say(s, "bad \xC3\x28 utf8", 0) == SZ_ERR_FORMAT, "invalid UTF-8");
    CHECK(sz_session_say(s, "ok", 7) == SZ_ERR_INVALID_ARG, "unknown flags");
    CHECK(sz_session_say(s, "\xF0\x9F\x94\xA5\xF0\x9F\x94\xA5 \xF0\x9F\x91\x8D", 0) ==
              SZ_ERR_INVALID_ARG, "only emoji: nothing to say");
    CHECK(strstr(sz_session_last_error(s), "nothing to say") != NULL, "only emoji: the reason");
    /* Aborting a running session leaves no file. */
    sz_session_say(s, "This will be aborted.", 0);
    sz_session_free(&s);
    CHECK(access(path, F_OK) != 0, "aborted output removed");
    sz_engine_free(&e);
}

int main(void)
{
    sz_set_log_level(SZ_LOG_ERROR);
    if (tts_register_kind(&slow_kind) != SZ_OK) {
        fprintf(stderr, "cannot register the test voice\n");
        return 1;
    }
    char dir[] = "/tmp/shuzi-session-XXXXXX";
    if (!mkdtemp(dir))
        return 1;
    test_errors();
    test_bad_text(dir);
    test_live_never_stalls(dir);
    test_interrupt(dir);
    test_interrupt_then_say(dir);
    remove_tree(dir);
    return check_summary("test_session");
}
