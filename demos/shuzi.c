/* SPDX-License-Identifier: Apache-2.0 */
/* shuzi.c: the `shuzi` command. Subcommands map onto the public API in
 * include/shuzi.h. Exit codes: 0 success, 1 runtime error (one line on
 * stderr), 2 usage error. */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/cpu/nn.h"
#include "core/file.h"
#include "core/json.h"
#include "demos/modes.h"
#include "engine/config.h"
#include "lipsync/cues.h"
#include "lipsync/recognize.h"
#include "shuzi.h"
#include "demos/ask_cmd.h"
#include "demos/avatar_cmd.h"
#include "stream/out_options.h"
#include "stream/output.h"
#include "tts/frontend/frontend.h"
#include "tts/speak.h"
#include "tts/voice.h"

#define EXIT_RUNTIME 1
#define EXIT_USAGE 2
#define MAX_STDIN_BYTES (1u << 20)

static const char *prog = "shuzi";

static int fail(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int fail(int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "%s: ", prog);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return code;
}

/* The library logs through this hook; errors are reported once by the command. */
static int verbose;
static void cli_log(sz_log_level level, const char *tag, const char *msg, void *user)
{
    (void)user;
    if (level == SZ_LOG_ERROR && !verbose)
        return;
    fprintf(stderr, "[%s] %s\n", tag, msg);
}

static void usage_main(FILE *f)
{
    fprintf(f,
            "shuzi %s: text in, a talking avatar out (speech, lip-sync, video).\n"
            "\n"
            "Usage: shuzi COMMAND [OPTIONS]\n"
            "\n"
            "Commands:\n"
            "  say TEXT -o OUT      speak TEXT and write a video (.mp4 .mkv .webm .mov), audio\n"
            "                       (.wav), or more outputs with --out (rtmp, srt, window...)\n"
            "  tts TEXT -o OUT.wav  speech only, with optional speech marks\n"
            "  voices               list installed voices\n"
            "  avatars              list installed avatars\n"
            "  avatar create        make a photo avatar from a portrait\n"
            "  render SCRIPT -o OUT explainer video from a script, with subtitles\n"
            "  live --out URL       live room: push to RTMP/SRT, present products, answer comments\n"
            "  kiosk                window and speakers answering questions (stdin or API)\n"
            "  lipsync AUDIO -o OUT mouth cues from a recording: .jsonl marks, .tsv/.json Rhubarb\n"
            "  ask QUESTION         the scripted FAQ's answer to a question (--explain: why)\n"
            "  help [COMMAND]       show help for a command\n"
            "\n"
            "Options: --help, --version. Exit codes: 0 success, 1 runtime error, 2 usage error.\n"
            "Example:\n"
            "  shuzi say \"Hello, welcome to our bank.\" -o hello.mp4\n",
            sz_version());
}

static void usage_say(FILE *f, const char *cmd)
{
    int tts = strcmp(cmd, "tts") == 0;
    fprintf(f,
            "Usage: shuzi %s TEXT -o OUT [OPTIONS]\n"
            "\n"
            "%s\n"
            "TEXT is UTF-8; \"-\" reads it from standard input.\n"
            "\n"
            "Options:\n"
            "  -o, --output FILE     %s\n"
            "      --marks FILE      also write speech marks as JSON lines (.jsonl):\n"
            "                        {\"time_ms\":..,\"type\":\"word\",\"value\":..,\"end_ms\":..}\n"
            "      --ssml            TEXT is SSML (<speak>...</speak>)\n"
            "      --voice NAME      voice (default diffusion:kathleen, shuzi's own; Mandarin\n"
            "                        runs go to diffusion:hantts; espeak:LANG voices too).\n"
            "                        A list A,B pairs voices for mixed text: a run A cannot\n"
            "                        say goes to B (see 'shuzi voices')\n"
            "      --rate X          speaking rate, 0.3 to 3.0 (default 1.0)\n"
            "      --pitch X         pitch multiplier, 0.5 to 2.0 (default 1.0; espeak-ng\n"
            "                        voices reach 0.6 to 1.65)\n"
            "      --steps N         diffusion voice: sampling steps, 1 to 64 (default 4;\n"
            "                        fewer is faster, more is finer)\n"
            "      --temperature T   diffusion voice: sampling noise, 0 to 2 (default 0.2;\n"
            "                        0 = the mean path; more varies the delivery)\n"
            "      --seed N          seed for sampling and idle motion: same seed, same output\n"
            "      --threads N       compute threads for the voice (default 1)\n",
            cmd,
            tts ? "Synthesizes speech to a WAV file." :
                  "Speaks TEXT with a talking avatar and writes a video file.",
            tts ? "output .wav" : "output: .mp4 .mkv (H.264 + AAC), .webm (VP9 + Opus), .mov\n"
                                  "                        (ProRes 4444), .wav (audio only)");
    fprintf(f,
            "      --out URL         another output, repeatable (up to 8 with -o): a file as\n"
            "                        above or .ts .flv .m3u8 (HLS); rtmp:// rtmps:// srt://;\n"
            "                        gst:PIPELINE (with appsrc name=video/audio); window:\n"
            "                        or window:fullscreen; speaker:[NAME|#N] (audio device)\n");
    if (tts)
        fprintf(f,
                "      --dry-run         no audio: print what the text frontend makes of TEXT,\n"
                "                        one JSON object per sentence (no -o):\n"
                "                        {\"lang\":..,\"text\":normalized words,\"phones\":[[..],..]}\n"
                "      --lines           with --dry-run: each line of TEXT (of standard input\n"
                "                        with -) is a text of its own; every object starts\n"
                "                        with \"line\":N (the batch mode voice training uses)\n");
    if (!tts)
        fprintf(f,
                "      --avatar NAME     avatar name (default mei, a photo host; see 'shuzi\n"
                "                        avatars'), or a folder or avatar.json path\n"
                "      --size WxH        video size (default 1280x720)\n"
                "      --fps N           frames per second (default 30)\n"
                "      --background B    #RRGGBB, black, white, green (chroma key), blue, gray,\n"
                "                        navy; a .png/.jpg image; or transparent\n"
                "%s"
                "      --config FILE     session config (JSON); flags override it\n"
                "      --crf N           quality, 0 (best) to 51 for H.264 (default 23), to 63\n"
                "                        for VP9 (default 32)\n"
                "      --preset NAME     x264 preset (default veryfast)\n"
                "      --x264-opts K=V:K=V  options passed to x264 as they are\n"
                "      --video-bitrate B bit/s (2500k, 4M); default: quality-based for files,\n"
                "                        constant bit rate from size and fps for live pushes\n"
                "      --audio-bitrate B bit/s of AAC/Opus (default 96k; 128k live AAC)\n"
                "      --audio-codec C   aac or opus (where the container takes it), or pcm\n"
                "      --keyint S        seconds between keyframes (default 2 live)\n"
                "      --audio FILE      no TEXT: play a recording (WAV, FLAC...) and move the\n"
                "                        lips from it (audio-only lip-sync)\n"
                "      --text T          the recording's transcript (aligns its phones)\n",
                modes_scene_help);
    fprintf(f,
            "  -q, --quiet           no progress output\n"
            "  -v, --verbose         log what the engine does\n"
            "  -h, --help            this help\n"
            "\n"
            "Example:\n"
            "  shuzi %s \"Hello, welcome to our bank.\" -o %s\n",
            cmd, tts ? "hello.wav" : "hello.mp4");
}

static void usage_list(FILE *f, const char *cmd)
{
    if (strcmp(cmd, "avatars") == 0)
        fprintf(f, "Usage: shuzi avatars\n\nLists installed avatars (assets/avatars/NAME/"
                   "avatar.json): name, kind (2d: a vector rig; photo: a portrait), style,\n"
                   "description.\n");
    else
        fprintf(f, "Usage: shuzi %s\n\nLists installed %s: name, kind, language, sample "
                   "rate.\n", cmd, cmd);
}

/* ---- text input ------------------------------------------------------ */

static char *read_stdin_text(void)
{
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    if (!buf)
        return NULL;
    for (;;) {
        if (n + 1 >= cap) {
            if (cap >= MAX_STDIN_BYTES + 1) {
                free(buf);
                errno = EFBIG;
                return NULL;
            }
            cap *= 2;
            char *b = realloc(buf, cap);
            if (!b) {
                free(buf);
                return NULL;
            }
            buf = b;
        }
        size_t got = fread(buf + n, 1, cap - n - 1, stdin);
        if (got == 0)
            break;
        n += got;
    }
    buf[n] = 0;
    if (strlen(buf) != n) {
        free(buf);
        errno = EILSEQ;
        return NULL;
    }
    return buf;
}

/* ---- marks ----------------------------------------------------------- */

typedef struct cli_mark {
    sz_mark_type type;
    int64_t time_ms, end_ms;
    int seq;
    char *value;
} cli_mark;

typedef struct cli_marks {
    pthread_mutex_t lock;
    cli_mark *items;
    size_t n, cap;
    int oom;
} cli_marks;

static void on_mark(const sz_mark *m, void *user)
{
    cli_marks *ms = user;
    pthread_mutex_lock(&ms->lock);
    if (ms->n == ms->cap) {
        size_t cap = ms->cap ? ms->cap * 2 : 256;
        cli_mark *p = realloc(ms->items, cap * sizeof *p);
        if (!p) {
            ms->oom = 1;
            pthread_mutex_unlock(&ms->lock);
            return;
        }
        ms->items = p;
        ms->cap = cap;
    }
    cli_mark *c = &ms->items[ms->n];
    c->type = m->type;
    c->time_ms = m->time_ms;
    c->end_ms = m->end_ms;
    c->seq = (int)ms->n;
    c->value = strdup(m->value ? m->value : "");
    if (!c->value)
        ms->oom = 1;
    else
        ms->n++;
    pthread_mutex_unlock(&ms->lock);
}

static int mark_order(sz_mark_type t)
{
    /* At equal times: sentence, word, mark, viseme... as a reader expects. */
    static const int order[] = {[SZ_MARK_SENTENCE] = 0, [SZ_MARK_WORD] = 1, [SZ_MARK_MARK] = 2,
                                [SZ_MARK_PHONEME] = 3, [SZ_MARK_VISEME] = 4};
    return order[t];
}

static int cmp_marks(const void *a, const void *b)
{
    const cli_mark *x = a, *y = b;
    if (x->time_ms != y->time_ms)
        return x->time_ms < y->time_ms ? -1 : 1;
    if (mark_order(x->type) != mark_order(y->type))
        return mark_order(x->type) - mark_order(y->type);
    return x->seq - y->seq;
}

/* Opens the marks file under a temporary name (fails early if unwritable). */
static FILE *marks_open(const char *path, char *tmp, size_t cap)
{
    file_partial_path(tmp, cap, path);
    return fopen(tmp, "w");
}

static int marks_write(cli_marks *ms, FILE *f)
{
    qsort(ms->items, ms->n, sizeof *ms->items, cmp_marks);
    char value[2048];
    for (size_t i = 0; i < ms->n; i++) {
        cli_mark *m = &ms->items[i];
        json_escape(value, sizeof value, m->value);
        fprintf(f, "{\"time_ms\": %lld, \"type\": \"%s\", \"value\": %s, \"end_ms\": %lld}\n",
                (long long)m->time_ms, sz_mark_type_name(m->type), value, (long long)m->end_ms);
    }
    return ferror(f) ? -1 : 0;
}

static void marks_free(cli_marks *ms)
{
    for (size_t i = 0; i < ms->n; i++)
        free(ms->items[i].value);
    free(ms->items);
}

/* ---- progress and signals ------------------------------------------- */

typedef struct cli_run {
    sz_session *session;
    volatile int done;
    int show_progress;
    pthread_mutex_t lock;
    pthread_cond_t cond;
} cli_run;

static void *progress_main(void *arg)
{
    cli_run *r = arg;
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    pthread_mutex_lock(&r->lock);
    while (!r->done) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += 250000000;
        if (ts.tv_nsec >= 1000000000) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000;
        }
        pthread_cond_timedwait(&r->cond, &r->lock, &ts);
        if (r->done || !r->show_progress)
            continue;
        sz_session_stats st;
        if (sz_session_get_stats(r->session, &st) == SZ_OK && st.sample_rate_hz > 0) {
            struct timespec now;
            clock_gettime(CLOCK_MONOTONIC, &now);
            double wall = (double)(now.tv_sec - t0.tv_sec) + (now.tv_nsec - t0.tv_nsec) * 1e-9;
            double media = (double)st.samples_out / st.sample_rate_hz;
            fprintf(stderr, "\r%s: rendered %.1f s of media in %.1f s (%.1fx real time)  ", prog,
                    media, wall, wall > 0 ? media / wall : 0.0);
        }
    }
    pthread_mutex_unlock(&r->lock);
    if (r->show_progress)
        fprintf(stderr, "\r\033[K");
    return NULL;
}

/* ---- say / tts -------------------------------------------------------- */

static int has_ext(const char *path, const char *ext)
{
    size_t n = strlen(path), e = strlen(ext);
    return n > e && strcasecmp(path + n - e, ext) == 0;
}

/* Encoder flags of say, given to each output that takes them. */
typedef struct cli_encode {
    long crf; /* < 0: not given */
    const char *preset, *x264_opts, *video_bitrate, *audio_bitrate, *audio_codec, *keyint;
} cli_encode;

/* Appends ":key=value" (value escaped) when value is set. */
static void cli_opt(char *buf, size_t cap, const char *key, const char *value)
{
    if (!value)
        return;
    size_t n = strlen(buf);
    if (n + strlen(key) + 3 >= cap)
        return;
    n += (size_t)snprintf(buf + n, cap - n, "%s%s=", n ? ":" : "", key);
    out_options_escape(buf + n, cap - n, value);
}

/* Adds every output with the encoder flags that apply to its codec. Returns 0
 * or the exit code after printing the error. */
static int cli_add_outputs(sz_session *session, const char *const *urls, int n,
                           const cli_encode *e)
{
    char crf[24] = "";
    if (e->crf >= 0)
        snprintf(crf, sizeof crf, "%ld", e->crf);
    int took_x264 = 0, took_rate = 0, took_audio = 0;
    for (int i = 0; i < n; i++) {
        const char *codec = output_video_codec_name(urls[i]);
        char options[2048] = "";
        if (codec && strcmp(codec, "prores") != 0) {
            cli_opt(options, sizeof options, "crf", crf[0] ? crf : NULL);
            cli_opt(options, sizeof options, "video_bitrate", e->video_bitrate);
            cli_opt(options, sizeof options, "keyint_s", e->keyint);
            took_rate = 1;
        }
        if (codec && !strcmp(codec, "h264")) {
            cli_opt(options, sizeof options, "preset", e->preset);
            cli_opt(options, sizeof options, "x264_opts", e->x264_opts);
            took_x264 = 1;
        }
        if (codec) {
            cli_opt(options, sizeof options, "audio_bitrate", e->audio_bitrate);
            cli_opt(options, sizeof options, "audio_codec", e->audio_codec);
            took_audio = 1;
        }
        if (sz_session_add_output(session, urls[i], options[0] ? options : NULL) != SZ_OK)
            return fail(EXIT_RUNTIME, "%s", sz_session_last_error(session));
    }
    if (!took_x264 && (e->preset || e->x264_opts))
        return fail(EXIT_USAGE, "--%s: no output is H.264 (.mp4 .mkv .ts .flv .m3u8, rtmp, srt)",
                    e->preset ? "preset" : "x264-opts");
    if (!took_rate && (crf[0] || e->video_bitrate || e->keyint))
        return fail(EXIT_USAGE, "--%s: no output encodes H.264 or VP9 video",
                    crf[0] ? "crf" : e->video_bitrate ? "video-bitrate" : "keyint");
    if (!took_audio && (e->audio_bitrate || e->audio_codec))
        return fail(EXIT_USAGE, "--%s: no output encodes audio (a .wav is PCM)",
                    e->audio_bitrate ? "audio-bitrate" : "audio-codec");
    return 0;
}

/* Prints the frontend's JSON for one text, one object per sentence; with
 * line > 0 each object starts with "line":N (the --lines batch mode). */
static int dry_run_text(const char *text, size_t len, const fe_params *p, long line)
{
    char err[512];
    fe_doc *doc = NULL;
    int rc = EXIT_RUNTIME;
    if (fe_process(text, len, p, &doc, err, sizeof err) != SZ_OK) {
        if (line > 0)
            fail(EXIT_RUNTIME, "line %ld: %s", line, err);
        else
            fail(EXIT_RUNTIME, "%s", err);
        goto done;
    }
    for (size_t i = 0; i < doc->n_sentences; i++) {
        if (!doc->sentences[i].text[0])
            continue;
        char *json = fe_sentence_json(doc, i, err, sizeof err);
        if (!json) {
            fail(EXIT_RUNTIME, "%s", err);
            goto done;
        }
        if (line > 0) /* json is an object: splice the line number in first */
            printf("{\"line\":%ld,%s\n", line, json + 1);
        else
            puts(json);
        free(json);
    }
    rc = 0;
done:
    fe_doc_free(&doc);
    return rc;
}

static int is_blank(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\n' && s[i] != '\r')
            return 0;
    return 1;
}

/* --lines: each line of `in` is a text of its own, read one at a time, so a
 * batch of any size streams. Blank lines print nothing; a line with a NUL
 * byte or over MAX_STDIN_BYTES stops with its number. */
static int dry_run_lines(FILE *in, const fe_params *p)
{
    char *buf = NULL;
    size_t cap = 0;
    ssize_t got;
    long line = 0;
    int rc = 0;
    errno = 0;
    while (rc == 0 && (got = getline(&buf, &cap, in)) >= 0) {
        line++;
        size_t len = (size_t)got;
        if (strlen(buf) != len)
            rc = fail(EXIT_RUNTIME, "line %ld: it contains a NUL byte", line);
        else if (len > MAX_STDIN_BYTES)
            rc = fail(EXIT_RUNTIME, "line %ld: longer than %u bytes", line,
                      MAX_STDIN_BYTES);
        else if (!is_blank(buf, len))
            rc = dry_run_text(buf, len, p, line);
    }
    if (rc == 0 && ferror(in))
        rc = fail(EXIT_RUNTIME, "cannot read the text: %s", strerror(errno));
    free(buf);
    return rc;
}

/* `shuzi tts --dry-run TEXT`: the text frontend's output on standard output,
 * one JSON object per sentence: {"lang":..,"text":..,"phones":[[..],..]}.
 * With --lines every line of TEXT is a text of its own, and each object
 * starts with "line":N (1-based): how voice training phonemizes thousands of
 * texts in one process. */
static int cli_dry_run(const char *arg, int ssml, int lines, const char *voice_name)
{
    char *owned = NULL;
    const char *text = arg;
    int from_stdin = strcmp(arg, "-") == 0;
    if (from_stdin && !lines) {
        owned = read_stdin_text();
        if (!owned)
            return fail(EXIT_RUNTIME, "cannot read text from standard input: %s",
                        errno == EILSEQ ? "it contains a NUL byte" : strerror(errno));
        text = owned;
    }
    char err[512];
    int rc = EXIT_RUNTIME;
    tts_voice *voice = NULL;
    if (!(from_stdin && lines) && is_blank(text, strlen(text))) {
        fail(EXIT_RUNTIME, "nothing to say: the text is empty");
        goto done;
    }
    fe_params p = fe_default_params();
    p.ssml = ssml;
    if (voice_name) { /* its language decides which voice languages runs get */
        tts_voice_params vp = {.speaking_rate = 1.0f, .n_threads = 1, .seed = 1};
        if (tts_voice_open(voice_name, &vp, &voice, err, sizeof err) != SZ_OK) {
            fail(EXIT_RUNTIME, "%s", err);
            goto done;
        }
        p = tts_speak_params(voice, ssml ? SZ_SAY_SSML : 0);
    }
    if (lines) {
        FILE *in = from_stdin ? stdin : fmemopen((void *)text, strlen(text), "r");
        if (!in) {
            fail(EXIT_RUNTIME, "cannot read the text: %s", strerror(errno));
            goto done;
        }
        rc = dry_run_lines(in, &p);
        if (in != stdin)
            fclose(in);
    } else {
        rc = dry_run_text(text, strlen(text), &p, 0);
    }
    if (rc == 0 && fflush(stdout) != 0)
        rc = fail(EXIT_RUNTIME, "cannot write to standard output");
done:
    tts_voice_free(&voice);
    free(owned);
    return rc;
}

static int cmd_say(int argc, char **argv, const char *cmd)
{
    int tts_only = strcmp(cmd, "tts") == 0;
    enum { OPT_MARKS = 256, OPT_SSML, OPT_VOICE, OPT_AVATAR, OPT_SIZE, OPT_FPS, OPT_BG, OPT_SEED,
           OPT_CONFIG, OPT_RATE, OPT_CRF, OPT_PRESET, OPT_AV_POS, OPT_AV_SCALE, OPT_OVERLAY,
           OPT_OVERLAY_POS, OPT_BURN_SUBS, OPT_SUB_FONT, OPT_OUT, OPT_X264, OPT_VBITRATE,
           OPT_ABITRATE, OPT_ACODEC, OPT_KEYINT, OPT_DRY_RUN, OPT_LINES, OPT_AUDIO, OPT_TEXT, OPT_PITCH,
           OPT_STEPS, OPT_TEMPERATURE, OPT_THREADS };
    static const struct option opts[] = {
        {"output", required_argument, 0, 'o'},   {"marks", required_argument, 0, OPT_MARKS},
        {"ssml", no_argument, 0, OPT_SSML},      {"voice", required_argument, 0, OPT_VOICE},
        {"avatar", required_argument, 0, OPT_AVATAR}, {"size", required_argument, 0, OPT_SIZE},
        {"fps", required_argument, 0, OPT_FPS},  {"background", required_argument, 0, OPT_BG},
        {"seed", required_argument, 0, OPT_SEED}, {"config", required_argument, 0, OPT_CONFIG},
        {"rate", required_argument, 0, OPT_RATE}, {"crf", required_argument, 0, OPT_CRF},
        {"preset", required_argument, 0, OPT_PRESET}, {"quiet", no_argument, 0, 'q'},
        {"avatar-position", required_argument, 0, OPT_AV_POS},
        {"avatar-scale", required_argument, 0, OPT_AV_SCALE},
        {"overlay", required_argument, 0, OPT_OVERLAY},
        {"overlay-position", required_argument, 0, OPT_OVERLAY_POS},
        {"burn-subtitles", no_argument, 0, OPT_BURN_SUBS},
        {"subtitle-font", required_argument, 0, OPT_SUB_FONT},
        {"out", required_argument, 0, OPT_OUT}, {"x264-opts", required_argument, 0, OPT_X264},
        {"video-bitrate", required_argument, 0, OPT_VBITRATE},
        {"audio-bitrate", required_argument, 0, OPT_ABITRATE},
        {"audio-codec", required_argument, 0, OPT_ACODEC},
        {"keyint", required_argument, 0, OPT_KEYINT},
        {"dry-run", no_argument, 0, OPT_DRY_RUN}, {"lines", no_argument, 0, OPT_LINES},
        {"audio", required_argument, 0, OPT_AUDIO}, {"text", required_argument, 0, OPT_TEXT},
        {"pitch", required_argument, 0, OPT_PITCH}, {"steps", required_argument, 0, OPT_STEPS},
        {"temperature", required_argument, 0, OPT_TEMPERATURE},
        {"threads", required_argument, 0, OPT_THREADS},
        {"verbose", no_argument, 0, 'v'},        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    const char *out = NULL, *marks_path = NULL, *config_path = NULL;
    const char *voice = NULL, *avatar = NULL, *size = NULL, *bg = NULL, *preset = NULL;
    modes_scene scene = {0};
    const char *outs[8];
    int n_outs = 0;
    cli_encode enc = {0};
    long fps = -1, crf = -1;
    double rate = -1, pitch = -1, temperature = -1;
    long steps = -1, threads = -1;
    long long seed = -1;
    int ssml = 0, quiet = 0, dry_run = 0, lines = 0;
    const char *audio_path = NULL, *transcript = NULL; /* say --audio FILE [--text T] */
    char *audio_text = NULL;
    char err[512];
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, "o:qvh", opts, NULL)) != -1) {
        char *end = NULL;
        switch (c) {
        case 'o': out = optarg; break;
        case OPT_MARKS: marks_path = optarg; break;
        case OPT_SSML: ssml = 1; break;
        case OPT_DRY_RUN:
            if (!tts_only)
                return fail(EXIT_USAGE, "say: --dry-run is for 'shuzi tts'");
            dry_run = 1;
            break;
        case OPT_LINES:
            if (!tts_only)
                return fail(EXIT_USAGE, "say: --lines is for 'shuzi tts --dry-run'");
            lines = 1;
            break;
        case OPT_AUDIO:
        case OPT_TEXT:
            if (tts_only)
                return fail(EXIT_USAGE, "tts: --%s is for 'shuzi say' (drive the avatar from a "
                                        "recording)", c == OPT_AUDIO ? "audio" : "text");
            if (c == OPT_AUDIO)
                audio_path = optarg;
            else
                transcript = optarg;
            break;
        case OPT_VOICE: voice = optarg; break;
        case OPT_AVATAR: avatar = optarg; break;
        case OPT_SIZE: size = optarg; break;
        case OPT_BG: bg = optarg; break;
        case OPT_CONFIG: config_path = optarg; break;
        case OPT_PRESET: preset = optarg; break;
        case OPT_AV_POS: scene.avatar_position = optarg; break;
        case OPT_AV_SCALE: scene.avatar_scale = optarg; break;
        case OPT_OVERLAY: scene.overlay = optarg; break;
        case OPT_OVERLAY_POS: scene.overlay_position = optarg; break;
        case OPT_BURN_SUBS: scene.burn_subtitles = 1; break;
        case OPT_SUB_FONT: scene.subtitle_font = optarg; break;
        case OPT_OUT:
            if (n_outs == 8)
                return fail(EXIT_USAGE, "--out: at most 8 outputs");
            outs[n_outs++] = optarg;
            break;
        case OPT_X264: enc.x264_opts = optarg; break;
        case OPT_VBITRATE: enc.video_bitrate = optarg; break;
        case OPT_ABITRATE: enc.audio_bitrate = optarg; break;
        case OPT_ACODEC: enc.audio_codec = optarg; break;
        case OPT_KEYINT: enc.keyint = optarg; break;
        case OPT_FPS:
            fps = strtol(optarg, &end, 10);
            if (*end || fps < 1 || fps > 120)
                return fail(EXIT_USAGE, "--fps '%s': expected 1 to 120", optarg);
            break;
        case OPT_CRF:
            crf = strtol(optarg, &end, 10);
            if (*end || crf < 0 || crf > 51)
                return fail(EXIT_USAGE, "--crf '%s': expected 0 to 51", optarg);
            break;
        case OPT_SEED:
            seed = strtoll(optarg, &end, 10);
            if (*end || seed < 0)
                return fail(EXIT_USAGE, "--seed '%s': expected a non-negative integer", optarg);
            break;
        case OPT_RATE:
            rate = strtod(optarg, &end);
            if (*end || !(rate >= 0.3 && rate <= 3.0))
                return fail(EXIT_USAGE, "--rate '%s': expected 0.3 to 3.0", optarg);
            break;
        case OPT_PITCH:
            pitch = strtod(optarg, &end);
            if (*end || !(pitch >= 0.5 && pitch <= 2.0))
                return fail(EXIT_USAGE, "--pitch '%s': expected 0.5 to 2.0", optarg);
            break;
        case OPT_TEMPERATURE:
            temperature = strtod(optarg, &end);
            if (*end || !(temperature >= 0.0 && temperature <= 2.0))
                return fail(EXIT_USAGE, "--temperature '%s': expected 0 to 2", optarg);
            break;
        case OPT_STEPS:
            steps = strtol(optarg, &end, 10);
            if (*end || steps < 1 || steps > 64)
                return fail(EXIT_USAGE, "--steps '%s': expected 1 to 64", optarg);
            break;
        case OPT_THREADS:
            threads = strtol(optarg, &end, 10);
            if (*end || threads < 1 || threads > 64)
                return fail(EXIT_USAGE, "--threads '%s': expected 1 to 64", optarg);
            break;
        case 'q': quiet = 1; break;
        case 'v': verbose = 1; break;
        case 'h': usage_say(stdout, cmd); return 0;
        case '?':
        default:
            if (optopt)
                return fail(EXIT_USAGE, "%s: option -%c needs a value or is unknown (see 'shuzi "
                                        "%s --help')", cmd, optopt, cmd);
            return fail(EXIT_USAGE, "%s: unknown option '%s' (see 'shuzi %s --help')", cmd,
                        argv[optind - 1], cmd);
        }
        if (tts_only && (c == OPT_AVATAR || c == OPT_SIZE || c == OPT_FPS || c == OPT_BG ||
                         c == OPT_CONFIG || c == OPT_CRF || c == OPT_PRESET ||
                         c == OPT_AV_POS || c == OPT_AV_SCALE || c == OPT_OVERLAY ||
                         c == OPT_OVERLAY_POS || c == OPT_BURN_SUBS || c == OPT_SUB_FONT ||
                         c == OPT_X264 || c == OPT_VBITRATE || c == OPT_ABITRATE ||
                         c == OPT_ACODEC || c == OPT_KEYINT))
            return fail(EXIT_USAGE, "tts: option '%s' is for video ('shuzi say')",
                        argv[optind - 1]);
    }
    if (transcript && !audio_path)
        return fail(EXIT_USAGE, "say: --text is the transcript of --audio FILE; give both");
    if (audio_path && optind < argc)
        return fail(EXIT_USAGE, "say: with --audio there is no TEXT (its transcript goes in --text)");
    if (audio_path && (voice || ssml))
        return fail(EXIT_USAGE, "say: --audio replaces the voice; drop %s",
                    voice ? "--voice" : "--ssml");
    if (audio_path && strchr(audio_path, '\n'))
        return fail(EXIT_USAGE, "say: --audio: a path with a newline is not accepted");
    if (audio_path)
        voice = "audio"; /* the voice that plays a recording */
    if (optind >= argc && !audio_path)
        return fail(EXIT_USAGE, "%s: missing TEXT (see 'shuzi %s --help')", cmd, cmd);
    if (optind + 1 < argc)
        return fail(EXIT_USAGE, "%s: unexpected argument '%s' (quote the text: shuzi %s \"...\")",
                    cmd, argv[optind + 1], cmd);
    if (dry_run && (out || n_outs || marks_path))
        return fail(EXIT_USAGE, "tts: --dry-run prints JSON to standard output; drop -o/--out/--marks");
    if (lines && !dry_run)
        return fail(EXIT_USAGE, "tts: --lines needs --dry-run (it batches the frontend's JSON)");
    if (dry_run)
        return cli_dry_run(argv[optind], ssml, lines, voice);
    if (!out && !n_outs)
        return fail(EXIT_USAGE, "%s: missing -o OUT (see 'shuzi %s --help')", cmd, cmd);
    if (out && n_outs == 8)
        return fail(EXIT_USAGE, "--out: at most 8 outputs with -o");
    if (tts_only && out && !has_ext(out, ".wav"))
        return fail(EXIT_USAGE, "tts: output must be a .wav file (use 'shuzi say' for video)");
    if (marks_path && !has_ext(marks_path, ".jsonl"))
        return fail(EXIT_USAGE, "--marks '%s': expected a .jsonl file", marks_path);
    if (verbose)
        sz_set_log_level(SZ_LOG_INFO);

    sz_config cfg;
    config_defaults(&cfg);
    int cfg_rc = config_path ? config_load(config_path, &cfg, err, sizeof err) : SZ_OK;
    config_free(&cfg); /* say does not use the live/kiosk keys */
    if (cfg_rc != SZ_OK)
        return fail(EXIT_RUNTIME, "%s", err);
    if (size && config_parse_size(size, &cfg.width, &cfg.height, err, sizeof err) != SZ_OK)
        return fail(EXIT_USAGE, "--%s", err);
    if (bg && config_parse_background(bg, &cfg, err, sizeof err) != SZ_OK)
        return fail(EXIT_USAGE, "--background: %s", err);
    if (modes_scene_apply(&scene, &cfg, err, sizeof err) != SZ_OK)
        return fail(EXIT_USAGE, "%s", err);
    if (voice)
        snprintf(cfg.voice, sizeof cfg.voice, "%s", voice);
    if (avatar)
        snprintf(cfg.avatar, sizeof cfg.avatar, "%s", avatar);
    if (fps > 0)
        cfg.fps = (int)fps;
    if (seed >= 0)
        cfg.seed = (uint64_t)seed;
    if (rate > 0)
        cfg.speaking_rate = rate;
    if (pitch > 0)
        cfg.voice_pitch = pitch;
    if (steps > 0)
        cfg.voice_steps = (int)steps;
    if (temperature >= 0)
        cfg.voice_temperature = temperature > 0 ? temperature : -1.0;

    if (audio_path) { /* the audio voice's utterance: the file, then its transcript */
        size_t len = strlen(audio_path) + (transcript ? strlen(transcript) + 1 : 0) + 1;
        if (!(audio_text = malloc(len)))
            return fail(EXIT_RUNTIME, "out of memory");
        snprintf(audio_text, len, "%s%s%s", audio_path, transcript ? "\n" : "",
                 transcript ? transcript : "");
    }
    char *text = audio_text ? audio_text : argv[optind];
    char *owned = audio_text;
    if (!audio_text && strcmp(text, "-") == 0) {
        owned = read_stdin_text();
        if (!owned)
            return fail(EXIT_RUNTIME, "cannot read text from standard input: %s",
                        errno == EILSEQ ? "it contains a NUL byte" : strerror(errno));
        text = owned;
    }

    int rc = EXIT_RUNTIME;
    sz_engine *engine = NULL;
    sz_session *session = NULL;
    FILE *marks_f = NULL;
    char marks_tmp[4200] = "";
    cli_marks marks = {.lock = PTHREAD_MUTEX_INITIALIZER};
    cli_run run = {.lock = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER};
    pthread_t progress_thread;
    int progress_started = 0;

    /* A signal cancels the session cleanly: no partial output is left. */
    modes_signals_start();

    sz_engine_params ep = sz_engine_default_params();
    if (threads > 0)
        ep.n_threads = (int)threads;
    if (sz_engine_create(ep, &engine) != SZ_OK) {
        fail(EXIT_RUNTIME, "cannot create the engine");
        goto done;
    }
    sz_session_params sp = sz_session_default_params();
    config_apply(&cfg, &sp);
    if (marks_path) {
        sp.on_mark = on_mark;
        sp.on_mark_user_data = &marks;
    }
    int e = sz_session_create(engine, sp, &session);
    if (e != SZ_OK) {
        fail(EXIT_RUNTIME, "%s", sz_engine_last_error(engine));
        goto done;
    }
    /* Flags only the diffusion voice uses: say so rather than drop them. */
    const char *ignored = steps > 0 && temperature >= 0 ? "--steps and --temperature apply"
                          : steps > 0                   ? "--steps applies"
                          : temperature >= 0            ? "--temperature applies"
                                                        : NULL;
    if (ignored && cfg.voice[0] && strncmp(cfg.voice, "diffusion:", 10) != 0 &&
        strcmp(cfg.voice, "diffusion") != 0)
        fprintf(stderr, "%s: warning: %s to diffusion voices; %s ignores %s\n", prog, ignored,
                cfg.voice, steps > 0 && temperature >= 0 ? "them" : "it");
    enc.crf = crf;
    enc.preset = preset;
    if (out) { /* -o first: it is the output named in messages */
        memmove(outs + 1, outs, (size_t)n_outs * sizeof outs[0]);
        outs[0] = out;
        n_outs++;
    }
    int used_rc = cli_add_outputs(session, outs, n_outs, &enc);
    if (used_rc != 0) {
        rc = used_rc;
        goto done;
    }
    if (marks_path) {
        marks_f = marks_open(marks_path, marks_tmp, sizeof marks_tmp);
        if (!marks_f) {
            fail(EXIT_RUNTIME, "%s: cannot write: %s", marks_path, strerror(errno));
            goto done;
        }
    }
    run.session = session;
    modes_signals_watch(session);

    if (sz_session_start(session) != SZ_OK) {
        fail(EXIT_RUNTIME, "%s", sz_session_last_error(session));
        goto done;
    }
    run.show_progress = !quiet && isatty(2);
    progress_started = pthread_create(&progress_thread, NULL, progress_main, &run) == 0;
    int id = sz_session_say(session, text, ssml ? SZ_SAY_SSML : 0);
    if (id < 0) {
        size_t len = strlen(text), bad = 0;
        int blank = 1;
        for (size_t i = 0; i < len; i++)
            blank &= text[i] == ' ' || text[i] == '\t' || text[i] == '\n' || text[i] == '\r';
        extern int utf8_valid(const char *, size_t, size_t *);
        if (!utf8_valid(text, len, &bad))
            fail(EXIT_RUNTIME, "the text is not valid UTF-8 (bad byte at offset %zu)", bad);
        else if (blank)
            fail(EXIT_RUNTIME, "nothing to say: the text is empty");
        else if (*sz_session_last_error(session)) /* malformed SSML: where and what */
            fail(EXIT_RUNTIME, "%s", sz_session_last_error(session));
        else
            fail(EXIT_RUNTIME, "cannot queue the text: %s", sz_strerror(id));
        goto done;
    }
    e = sz_session_finish(session);
    if (e != SZ_OK) {
        if (modes_signal_received())
            fail(EXIT_RUNTIME, "interrupted by signal %d: no output written",
                 modes_signal_received());
        else
            fail(EXIT_RUNTIME, "%s", *sz_session_last_error(session)
                                         ? sz_session_last_error(session) : sz_strerror(e));
        goto done;
    }
    if (marks_f) {
        int bad = marks.oom || marks_write(&marks, marks_f) != 0;
        bad |= fclose(marks_f) != 0;
        marks_f = NULL;
        if (bad || rename(marks_tmp, marks_path) != 0) {
            fail(EXIT_RUNTIME, "%s: cannot write marks: %s", marks_path, strerror(errno));
            goto done;
        }
        marks_tmp[0] = 0;
    }
    sz_session_stats st;
    sz_session_get_stats(session, &st);
    if (!quiet)
        fprintf(stderr, "%s: wrote %s%s (%.2f s%s)\n", prog, outs[0], n_outs > 1 ? " and more" : "",
                (double)st.samples_out / st.sample_rate_hz,
                marks_path ? ", marks in the .jsonl file" : "");
    rc = 0;
done:
    if (progress_started) {
        pthread_mutex_lock(&run.lock);
        run.done = 1;
        pthread_cond_signal(&run.cond);
        pthread_mutex_unlock(&run.lock);
        pthread_join(progress_thread, NULL);
    }
    modes_signals_watch(NULL);
    if (marks_f)
        fclose(marks_f);
    if (marks_tmp[0])
        unlink(marks_tmp);
    sz_session_free(&session); /* removes a partial output after a failure */
    sz_engine_free(&engine);
    marks_free(&marks);
    free(owned);
    return rc;
}

/* ---- voices / avatars ------------------------------------------------ */

typedef struct voice_columns {
    int name, language; /* widths */
} voice_columns;

static int measure_voice(const sz_voice_info *v, void *user)
{
    voice_columns *w = user;
    int n = (int)strlen(v->name), l = (int)strlen(v->language);
    w->name = n > w->name ? n : w->name;
    w->language = l > w->language ? l : w->language;
    return 0;
}

static int print_voice(const sz_voice_info *v, void *user)
{
    const voice_columns *w = user;
    printf("%-*s %-10s %-*s %6d Hz  %s\n", w->name, v->name, v->kind, w->language, v->language,
           v->sample_rate_hz, v->description ? v->description : "");
    return 0;
}

static int cmd_voices(int argc, char **argv)
{
    if (argc > 1 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
        usage_list(stdout, "voices");
        return 0;
    }
    if (argc > 1)
        return fail(EXIT_USAGE, "voices: unexpected argument '%s'", argv[1]);
    sz_engine *engine = NULL;
    if (sz_engine_create(sz_engine_default_params(), &engine) != SZ_OK)
        return fail(EXIT_RUNTIME, "cannot create the engine");
    voice_columns w = {(int)strlen("NAME"), (int)strlen("LANGUAGE")};
    int rc = sz_engine_list_voices(engine, measure_voice, &w);
    if (rc == SZ_OK) {
        printf("%-*s %-10s %-*s %9s  %s\n", w.name, "NAME", "KIND", w.language, "LANGUAGE",
               "RATE", "DESCRIPTION");
        rc = sz_engine_list_voices(engine, print_voice, &w);
    }
    if (rc == SZ_OK) {
        printf("\nMixed-language text: a run in a language the chosen voice lacks goes to the\n"
               "voices paired with it (--voice A,B or \"voice\": \"A,B\" in a config), else to\n"
               "that language's own voice below, else to espeak-ng:\n");
        static const struct {
            const char *lang, *shown;
        } langs[] = {{"en-us", "English"}, {"cmn", "Mandarin"}};
        for (size_t i = 0; i < sizeof langs / sizeof langs[0]; i++) {
            const char *v = tts_default_voice_for(langs[i].lang);
            printf("  %-9s %s%s\n", langs[i].shown, v ? v : "espeak-ng",
                   v && !strcmp(v, tts_default_voice()) ? " (the default voice)" : "");
        }
    }
    sz_engine_free(&engine);
    return rc == SZ_OK ? 0 : fail(EXIT_RUNTIME, "cannot list voices: %s", sz_strerror(rc));
}

static int print_avatar(const sz_avatar_info *a, void *user)
{
    (void)user;
    printf("%-16s %-6s %-32s %s\n", a->name, a->kind ? a->kind : "2d",
           a->style && a->style[0] ? a->style : "-", a->description ? a->description : "");
    return 0;
}

static int cmd_avatars(int argc, char **argv)
{
    if (argc > 1 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
        usage_list(stdout, "avatars");
        return 0;
    }
    if (argc > 1)
        return fail(EXIT_USAGE, "avatars: unexpected argument '%s'", argv[1]);
    sz_engine *engine = NULL;
    if (sz_engine_create(sz_engine_default_params(), &engine) != SZ_OK)
        return fail(EXIT_RUNTIME, "cannot create the engine");
    printf("%-16s %-6s %-32s %s\n", "NAME", "KIND", "STYLE", "DESCRIPTION");
    int rc = sz_engine_list_avatars(engine, print_avatar, NULL);
    sz_engine_free(&engine);
    return rc == SZ_OK ? 0 : fail(EXIT_RUNTIME, "cannot list avatars: %s", sz_strerror(rc));
}

/* ---- lipsync --------------------------------------------------------- */

static void usage_lipsync(FILE *f)
{
    fprintf(f,
            "Usage: shuzi lipsync AUDIO -o OUT [OPTIONS]\n"
            "\n"
            "Estimates phones and mouth shapes from a recording (WAV, FLAC, MP3...; US\n"
            "English), aligned to its transcript when one is given.\n"
            "\n"
            "Options:\n"
            "  -o, --output FILE     .jsonl: speech marks (sentence, word, phoneme, viseme)\n"
            "                        .tsv: Rhubarb Lip Sync TSV (\"0.05<TAB>D\" lines)\n"
            "                        .json: Rhubarb Lip Sync JSON (metadata + mouthCues)\n"
            "      --text T          the transcript (better timing; words in the marks)\n"
            "      --text-file F     the transcript from a UTF-8 file\n"
            "      --extended-shapes S  which of Rhubarb's G, H, X to use (default GHX;\n"
            "                        \"\" for the six basic shapes A-F)\n"
            "      --frames FILE     also per-frame visemes, mouth controls, ARKit\n"
            "                        blendshapes and VRM aa/ih/ou/ee/oh as JSON lines\n"
            "      --fps N           frame rate of --frames (default 30)\n"
            "  -q, --quiet           no summary line\n"
            "  -v, --verbose         log what the analysis does\n"
            "  -h, --help            this help\n"
            "\n"
            "Example:\n"
            "  shuzi lipsync voice.wav --text \"Hello there.\" -o cues.tsv\n");
}

/* Writes through fn into path, under a temporary name renamed when complete. */
static int lipsync_write_file(const char *path, int (*fn)(FILE *, void *), void *arg)
{
    char tmp[4200];
    file_partial_path(tmp, sizeof tmp, path);
    FILE *f = fopen(tmp, "w");
    if (!f)
        return fail(EXIT_RUNTIME, "%s: cannot write: %s", path, strerror(errno));
    int bad = fn(f, arg) != SZ_OK;
    bad |= fclose(f) != 0;
    if (bad || rename(tmp, path) != 0) {
        int e = errno;
        unlink(tmp);
        return fail(EXIT_RUNTIME, "%s: cannot write: %s", path, bad ? "write error" : strerror(e));
    }
    return 0;
}

typedef struct lipsync_out {
    const ls_track *track;
    const ls_cues *cues;
    const char *audio, *transcript;
    unsigned ext;
    int fps;
} lipsync_out;

static int lipsync_put_tsv(FILE *f, void *a)
{
    const lipsync_out *o = a;
    return lipsync_write_rhubarb_tsv(f, o->cues, o->track->duration_us, o->ext);
}

static int lipsync_put_json(FILE *f, void *a)
{
    const lipsync_out *o = a;
    return lipsync_write_rhubarb_json(f, o->cues, o->track->duration_us, o->audio);
}

static int lipsync_put_marks(FILE *f, void *a)
{
    const lipsync_out *o = a;
    return lipsync_write_marks(f, o->track, o->transcript);
}

static int lipsync_put_frames(FILE *f, void *a)
{
    const lipsync_out *o = a;
    return lipsync_write_frames(f, o->track, o->fps);
}

static int cmd_lipsync(int argc, char **argv)
{
    enum { OPT_TEXT = 256, OPT_TEXT_FILE, OPT_EXT, OPT_FRAMES, OPT_FPS };
    static const struct option opts[] = {
        {"output", required_argument, 0, 'o'},       {"text", required_argument, 0, OPT_TEXT},
        {"text-file", required_argument, 0, OPT_TEXT_FILE},
        {"extended-shapes", required_argument, 0, OPT_EXT},
        {"frames", required_argument, 0, OPT_FRAMES}, {"fps", required_argument, 0, OPT_FPS},
        {"quiet", no_argument, 0, 'q'},              {"verbose", no_argument, 0, 'v'},
        {"help", no_argument, 0, 'h'},               {0, 0, 0, 0}};
    const char *out = NULL, *text = NULL, *text_file = NULL, *frames = NULL;
    const char *ext_spec = "GHX";
    long fps = 30;
    int quiet = 0;
    char err[512] = "";
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, "o:qvh", opts, NULL)) != -1) {
        char *end = NULL;
        switch (c) {
        case 'o': out = optarg; break;
        case OPT_TEXT: text = optarg; break;
        case OPT_TEXT_FILE: text_file = optarg; break;
        case OPT_EXT: ext_spec = optarg; break;
        case OPT_FRAMES: frames = optarg; break;
        case OPT_FPS:
            fps = strtol(optarg, &end, 10);
            if (*end || fps < 1 || fps > 240)
                return fail(EXIT_USAGE, "--fps '%s': expected 1 to 240", optarg);
            break;
        case 'q': quiet = 1; break;
        case 'v': verbose = 1; break;
        case 'h': usage_lipsync(stdout); return 0;
        default:
            if (optopt)
                return fail(EXIT_USAGE, "lipsync: option -%c needs a value or is unknown (see "
                                        "'shuzi lipsync --help')", optopt);
            return fail(EXIT_USAGE, "lipsync: unknown option '%s' (see 'shuzi lipsync --help')",
                        argv[optind - 1]);
        }
    }
    if (optind >= argc)
        return fail(EXIT_USAGE, "lipsync: missing AUDIO (see 'shuzi lipsync --help')");
    if (optind + 1 < argc)
        return fail(EXIT_USAGE, "lipsync: unexpected argument '%s'", argv[optind + 1]);
    if (!out)
        return fail(EXIT_USAGE, "lipsync: missing -o OUT (.jsonl, .tsv or .json)");
    int kind = has_ext(out, ".jsonl") ? 0 : has_ext(out, ".tsv") ? 1 : has_ext(out, ".json") ? 2
                                                                                           : -1;
    if (kind < 0)
        return fail(EXIT_USAGE, "lipsync: -o '%s': expected .jsonl (speech marks), .tsv or "
                                ".json (Rhubarb mouth cues)", out);
    if (frames && !has_ext(frames, ".jsonl"))
        return fail(EXIT_USAGE, "--frames '%s': expected a .jsonl file", frames);
    if (text && text_file)
        return fail(EXIT_USAGE, "lipsync: give --text or --text-file, not both");
    unsigned ext = 0;
    if (lipsync_parse_extended_shapes(ext_spec, &ext, err, sizeof err) != SZ_OK)
        return fail(EXIT_USAGE, "--%s", err);
    if (verbose)
        sz_set_log_level(SZ_LOG_INFO);
    char *owned = NULL;
    if (text_file) {
        FILE *f = fopen(text_file, "rb");
        if (!f)
            return fail(EXIT_RUNTIME, "%s: cannot open: %s", text_file, strerror(errno));
        owned = malloc(MAX_STDIN_BYTES + 1);
        size_t n = owned ? fread(owned, 1, MAX_STDIN_BYTES + 1, f) : 0;
        fclose(f);
        if (!owned || n > MAX_STDIN_BYTES || memchr(owned, 0, n)) {
            free(owned);
            return fail(EXIT_RUNTIME, "%s: %s", text_file,
                        n > MAX_STDIN_BYTES ? "larger than 1 MiB" : "not a text file");
        }
        owned[n] = 0;
        text = owned;
    }
    const char *audio = argv[optind];
    ls_analyzer *an = NULL;
    ls_track track;
    ls_cues cues = {0};
    lipsync_track_init(&track);
    int rc = lipsync_analyzer_open(NULL, &an, err, sizeof err);
    if (rc == SZ_OK)
        rc = lipsync_analyze_file(an, audio, text, &track, err, sizeof err);
    if (rc == SZ_OK)
        rc = lipsync_cues_from_track(&track, ext, &cues);
    int status = 0;
    if (rc != SZ_OK) {
        status = fail(EXIT_RUNTIME, "%s", err[0] ? err : sz_strerror(rc));
    } else {
        lipsync_out o = {.track = &track, .cues = &cues, .audio = audio, .transcript = text,
                         .ext = ext, .fps = (int)fps};
        status = lipsync_write_file(out, kind == 0 ? lipsync_put_marks
                                         : kind == 1 ? lipsync_put_tsv
                                                     : lipsync_put_json, &o);
        if (status == 0 && frames)
            status = lipsync_write_file(frames, lipsync_put_frames, &o);
        if (status == 0 && !quiet)
            fprintf(stderr, "%s: wrote %s (%.2f s, %zu phones, %zu mouth cues; %s)\n", prog, out,
                    track.duration_us / 1e6, track.n_segs, cues.n,
                    track.aligned ? "aligned to the transcript" : "phones recognised");
    }
    lipsync_cues_free(&cues);
    lipsync_track_free(&track);
    lipsync_analyzer_free(&an);
    free(owned);
    return status;
}

int main(int argc, char **argv)
{
    nn_blas_restart(argv); /* OpenBLAS's kernels for this CPU (see core/cpu/nn.h) */
    sz_set_log_callback(cli_log, NULL);
    if (argc < 2)
        return fail(EXIT_USAGE, "missing command (see 'shuzi --help')");
    const char *cmd = argv[1];
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
        usage_main(stdout);
        return 0;
    }
    if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) {
        printf("shuzi %s\nmatrix products: OpenBLAS, %s kernels (%s)\n", sz_version(),
               nn_blas_kernels(), nn_blas_choice());
        return 0;
    }
    if (strcmp(cmd, "help") == 0) {
        const char *what = argc > 2 ? argv[2] : NULL;
        if (!what)
            usage_main(stdout);
        else if (strcmp(what, "say") == 0 || strcmp(what, "tts") == 0)
            usage_say(stdout, what);
        else if (strcmp(what, "voices") == 0 || strcmp(what, "avatars") == 0)
            usage_list(stdout, what);
        else if (strcmp(what, "lipsync") == 0)
            usage_lipsync(stdout);
        else if (strcmp(what, "avatar") == 0)
            return cmd_avatar(2, (char *[]){"avatar", "--help", NULL}, fail);
        else if (strcmp(what, "ask") == 0)
            usage_ask(stdout);
        else if (modes_usage(stdout, what) == 0)
            return 0;
        else
            return fail(EXIT_USAGE, "help: unknown command '%s'", what);
        return 0;
    }
    if (strcmp(cmd, "say") == 0 || strcmp(cmd, "tts") == 0)
        return cmd_say(argc - 1, argv + 1, cmd);
    if (strcmp(cmd, "voices") == 0)
        return cmd_voices(argc - 1, argv + 1);
    if (strcmp(cmd, "avatars") == 0)
        return cmd_avatars(argc - 1, argv + 1);
    if (strcmp(cmd, "avatar") == 0)
        return cmd_avatar(argc - 1, argv + 1, fail);
    if (strcmp(cmd, "lipsync") == 0)
        return cmd_lipsync(argc - 1, argv + 1);
    if (strcmp(cmd, "ask") == 0)
        return cmd_ask(argc - 1, argv + 1, fail);
    if (strcmp(cmd, "render") == 0)
        return modes_render(argc - 1, argv + 1);
    if (strcmp(cmd, "live") == 0)
        return modes_live(argc - 1, argv + 1);
    if (strcmp(cmd, "kiosk") == 0)
        return modes_kiosk(argc - 1, argv + 1);
    return fail(EXIT_USAGE, "unknown command '%s' (see 'shuzi --help')", cmd);
}
