/* SPDX-License-Identifier: Apache-2.0 */
/* modes.c: the three production commands of DESIGN.md. render: an explainer
 * script to a video file, offline, with a progress bar and SRT/VTT
 * subtitles. live: a room pushed to RTMP/SRT where the host presents
 * products in turn and answers viewer comments. kiosk: a window and
 * speakers answering questions typed on stdin or sent to the control API. */
#include "demos/modes.h"

#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "core/clock.h"
#include "core/utf8.h"
#include "engine/api.h"
#include "engine/config.h"
#include "engine/config_modes.h"
#include "engine/host.h"
#include "engine/listening.h"
#include "engine/script.h"
#include "llm/llm.h"
#include "shuzi.h"
#include "stream/subtitles.h"

#define EXIT_RUNTIME 1
#define EXIT_USAGE 2
#define MODES_MAX_OUTPUTS 8
#define MODES_MAX_LINES 10000

static int modes_verbose;

static int modes_fail(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int modes_fail(int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "shuzi: ");
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return code;
}

/* Library errors are reported once by the command; warnings show. */
static void modes_log(sz_log_level level, const char *tag, const char *msg, void *user)
{
    (void)user;
    if (level == SZ_LOG_ERROR && !modes_verbose)
        return;
    fprintf(stderr, "[%s] %s\n", tag, msg);
}

/* ---- help ------------------------------------------------------------- */

static const char modes_common_help[] =
    "      --config FILE     session config (JSON; see demos/); flags override it\n"
    "      --voice NAME      voice, or a list A,B for mixed text (see 'shuzi voices')\n"
    "      --avatar NAME     avatar (default mei, a photo host; see 'shuzi avatars')\n"
    "      --size WxH        video size (default 1280x720)\n"
    "      --fps N           frames per second (default 30)\n"
    "      --background C    #RRGGBB, a colour name, or a .png/.jpg image\n"
    "      --seed N          seed for idle motion\n"
    "      --rate X          speaking rate, 0.3 to 3.0\n"
    "  -q, --quiet           no progress output\n"
    "  -v, --verbose         log what the engine does\n"
    "  -h, --help            this help\n";

const char modes_scene_help[] =
    "      --avatar-position X,Y  the avatar's bottom centre, frame fractions\n"
    "                        (default 0.5,1)\n"
    "      --avatar-scale S  avatar size, 1 = fits the frame (0.1 to 10)\n"
    "      --overlay IMAGE   a product image or logo (.png/.jpg) over the scene\n"
    "      --overlay-position X,Y[,W]  its centre and width, frame fractions\n"
    "                        (default 0.89,0.42,0.2: right of a centred avatar)\n"
    "      --burn-subtitles  draw the sentence being spoken at the bottom\n"
    "      --subtitle-font F font file for the subtitles (.ttc:N picks a face;\n"
    "                        default Noto Sans CJK)\n";

int modes_scene_apply(const modes_scene *sc, sz_config *cfg, char *err, size_t errlen)
{
    float fr[3];
    char why[256];
    if (sc->avatar_position) {
        if (config_parse_fractions(sc->avatar_position, fr, 2, 2, why, sizeof why) < 0) {
            snprintf(err, errlen, "--avatar-position: %s", why);
            return SZ_ERR_INVALID_ARG;
        }
        cfg->avatar_x = fr[0];
        cfg->avatar_y = fr[1];
    }
    if (sc->avatar_scale) {
        if (config_parse_fractions(sc->avatar_scale, fr, 1, 1, why, sizeof why) < 0 ||
            !(fr[0] >= 0.1f && fr[0] <= 10.0f)) {
            snprintf(err, errlen, "--avatar-scale '%s': expected 0.1 to 10", sc->avatar_scale);
            return SZ_ERR_INVALID_ARG;
        }
        cfg->avatar_scale = fr[0];
    }
    if (sc->overlay)
        snprintf(cfg->overlay, sizeof cfg->overlay, "%s", sc->overlay);
    if (sc->overlay_position) {
        int n = config_parse_fractions(sc->overlay_position, fr, 2, 3, why, sizeof why);
        if (n < 0) {
            snprintf(err, errlen, "--overlay-position: %s", why);
            return SZ_ERR_INVALID_ARG;
        }
        for (int i = 0; i < n; i++)
            if (!(fr[i] >= 0.0f && fr[i] <= 1.0f)) {
                snprintf(err, errlen, "--overlay-position '%s': fractions from 0 to 1",
                         sc->overlay_position);
                return SZ_ERR_INVALID_ARG;
            }
        cfg->overlay_x = fr[0];
        cfg->overlay_y = fr[1];
        if (n == 3)
            cfg->overlay_width = fr[2];
    }
    if (sc->burn_subtitles)
        cfg->burn_subtitles = 1;
    if (sc->subtitle_font)
        snprintf(cfg->subtitle_font, sizeof cfg->subtitle_font, "%s", sc->subtitle_font);
    return SZ_OK;
}

static const char modes_answer_help[] =
    "      --llm-url URL     OpenAI-compatible server (llama.cpp, vLLM, Ollama, hosted);\n"
    "                        the API key is read from $SHUZI_LLM_API_KEY (or the variable\n"
    "                        named by llm.api_key_env in the config). Without a URL the\n"
    "                        scripted FAQ answers (nothing external needed).\n"
    "      --llm-model NAME  model name sent to the server\n"
    "      --faq FILE        FAQ file for the scripted answers (default: built in)\n"
    "      --persona TEXT    system prompt of the LLM\n"
    "      --api-port N      control API port on 127.0.0.1 (default 8765; 0 = off;\n"
    "                        auto = any free port, printed at start)\n"
    "      --api-host ADDR   listen address; beyond loopback it needs $SHUZI_API_TOKEN\n"
    "      --duration S      stop after S seconds (default: until Ctrl-C)\n"
    "Listening (the avatar hears questions; its own voice is cancelled out):\n"
    "      --mic M           microphone: default, #N, part of a device name, or\n"
    "                        file:PATH (a recording played as if spoken, then silence)\n"
    "      --asr-url URL     OpenAI-compatible transcription server (whisper.cpp,\n"
    "                        faster-whisper, vLLM, hosted; needed for Mandarin); key from\n"
    "                        $SHUZI_ASR_API_KEY. Default: offline English (pocketsphinx)\n"
    "      --push-to-talk    listen only after POST /v1/listen or the space bar in the\n"
    "                        window (default: always)\n"
    "      --no-barge-in     speaking over the avatar does not stop it\n"
    "      --mic-echo G[:MS] testing: mix the avatar's own speech into the microphone\n"
    "                        through a simulated room (gain G of the direct path, delay MS)\n";

int modes_usage(FILE *f, const char *cmd)
{
    if (strcmp(cmd, "render") == 0) {
        fprintf(f,
                "Usage: shuzi render SCRIPT -o OUT [--subtitles OUT.srt|OUT.vtt] [OPTIONS]\n"
                "\n"
                "Renders an explainer video from a plain-text script, offline and faster than\n"
                "real time, with a progress bar. In the script, blank lines separate\n"
                "paragraphs and directives in brackets change the scene:\n"
                "  [pause 1.5s]  [expression happy]  [expression surprised 0.5]\n"
                "  [background #1e3a5f]  [background office.png]  [scene green]\n"
                "Lines starting with # are comments; [[ is a literal bracket.\n"
                "\n"
                "Options:\n"
                "  -o, --output FILE     .mp4 .mkv .webm .mov (or .wav: audio only)\n"
                "      --subtitles FILE  also write subtitles (.srt or .vtt) timed by the speech\n"
                "      --crf N           H.264 quality, 0 (best) to 51\n"
                "      --preset NAME     x264 preset\n"
                "      --progress        show the progress bar even when stderr is not a terminal\n"
                "%s%s"
                "\n"
                "Example:\n"
                "  shuzi render demos/explainer.txt -o explainer.mp4 --subtitles explainer.srt\n",
                modes_scene_help, modes_common_help);
        return 0;
    }
    if (strcmp(cmd, "live") == 0) {
        fprintf(
            f,
            "Usage: shuzi live [--config FILE] --out URL [--out URL]... [OPTIONS]\n"
            "\n"
            "Runs a live room: pushes the avatar to each URL (rtmp://, rtmps://, srt://, a\n"
            "file to record), presents the config's products (or --text-file lines) in\n"
            "turn, and answers viewer comments sent to POST /v1/comments between them.\n"
            "Runs until Ctrl-C (or --duration). The control API: POST /v1/say, /v1/chat,\n"
            "/v1/comments, /v1/interrupt; GET /v1/status, /v1/events, /metrics.\n"
            "\n"
            "Options:\n"
            "      --out URL         where to push (repeatable; replaces the config's outputs)\n"
            "      --text-file FILE  lines to present in turn instead of products\n"
            "      --no-present      only answer; do not present products\n"
            "%s%s"
            "\n"
            "Example:\n"
            "  shuzi live --config demos/live.json --out rtmp://127.0.0.1/live/room1\n",
            modes_answer_help, modes_common_help);
        return 0;
    }
    if (strcmp(cmd, "kiosk") == 0) {
        fprintf(
            f,
            "Usage: shuzi kiosk [--config FILE] [--fullscreen] [--audio-device NAME] [OPTIONS]\n"
            "\n"
            "Shows the avatar in a window with sound on the speakers and answers questions\n"
            "typed on standard input (one per line) or sent to POST /v1/chat. The answer's\n"
            "text is printed on standard output as it is spoken. Without the control API\n"
            "(--api-port 0) it stops when standard input ends and all is spoken.\n"
            "\n"
            "Options:\n"
            "      --fullscreen      full-screen window\n"
            "      --audio-device D  speakers: a device name (part of it), #N, or null\n"
            "      --no-window       no window (sound only)\n"
            "      --no-speakers     no sound output\n"
            "      --out URL         also record or push to URL (repeatable); a speaker:\n"
            "                        or window: URL replaces the kiosk's own\n"
            "%s%s"
            "\n"
            "Examples:\n"
            "  shuzi kiosk --config demos/kiosk.json\n"
            "  shuzi kiosk --config demos/kiosk.json --mic default\n"
            "  shuzi kiosk --config demos/kiosk.json --mic file:question.wav --out speaker:null\n",
            modes_answer_help, modes_common_help);
        return 0;
    }
    return -1;
}

/* ---- options shared by the three ------------------------------------- */

enum {
    OPT_CONFIG = 256,
    OPT_VOICE,
    OPT_AVATAR,
    OPT_SIZE,
    OPT_FPS,
    OPT_BG,
    OPT_SEED,
    OPT_RATE,
    OPT_CRF,
    OPT_PRESET,
    OPT_SUBS,
    OPT_PROGRESS,
    OPT_OUT,
    OPT_TEXT_FILE,
    OPT_LLM_URL,
    OPT_LLM_MODEL,
    OPT_FAQ,
    OPT_PERSONA,
    OPT_API_PORT,
    OPT_API_HOST,
    OPT_DURATION,
    OPT_NO_PRESENT,
    OPT_FULLSCREEN,
    OPT_AUDIO_DEV,
    OPT_NO_WINDOW,
    OPT_NO_SPEAKERS,
    OPT_AV_POS,
    OPT_AV_SCALE,
    OPT_OVERLAY,
    OPT_OVERLAY_POS,
    OPT_BURN_SUBS,
    OPT_SUB_FONT,
    OPT_MIC,
    OPT_ASR_URL,
    OPT_PUSH_TO_TALK,
    OPT_NO_BARGE_IN,
    OPT_MIC_ECHO
};

typedef struct modes_opts {
    const char *config, *voice, *avatar, *size, *bg, *preset, *subs, *output;
    const char *text_file, *llm_url, *llm_model, *faq, *persona, *api_port, *api_host;
    const char *audio_dev;
    const char *mic, *asr_url, *mic_echo;
    int push_to_talk, no_barge_in;
    const char *outs[MODES_MAX_OUTPUTS];
    int n_outs;
    long fps, crf;
    long long seed;
    double rate, duration;
    int quiet, progress, no_present, fullscreen, no_window, no_speakers;
    modes_scene scene;
} modes_opts;

static const struct option modes_long[] = {
    {"config", required_argument, 0, OPT_CONFIG},
    {"voice", required_argument, 0, OPT_VOICE},
    {"avatar", required_argument, 0, OPT_AVATAR},
    {"size", required_argument, 0, OPT_SIZE},
    {"fps", required_argument, 0, OPT_FPS},
    {"background", required_argument, 0, OPT_BG},
    {"seed", required_argument, 0, OPT_SEED},
    {"rate", required_argument, 0, OPT_RATE},
    {"crf", required_argument, 0, OPT_CRF},
    {"preset", required_argument, 0, OPT_PRESET},
    {"subtitles", required_argument, 0, OPT_SUBS},
    {"progress", no_argument, 0, OPT_PROGRESS},
    {"output", required_argument, 0, 'o'},
    {"out", required_argument, 0, OPT_OUT},
    {"text-file", required_argument, 0, OPT_TEXT_FILE},
    {"llm-url", required_argument, 0, OPT_LLM_URL},
    {"llm-model", required_argument, 0, OPT_LLM_MODEL},
    {"faq", required_argument, 0, OPT_FAQ},
    {"persona", required_argument, 0, OPT_PERSONA},
    {"api-port", required_argument, 0, OPT_API_PORT},
    {"api-host", required_argument, 0, OPT_API_HOST},
    {"duration", required_argument, 0, OPT_DURATION},
    {"no-present", no_argument, 0, OPT_NO_PRESENT},
    {"fullscreen", no_argument, 0, OPT_FULLSCREEN},
    {"audio-device", required_argument, 0, OPT_AUDIO_DEV},
    {"no-window", no_argument, 0, OPT_NO_WINDOW},
    {"no-speakers", no_argument, 0, OPT_NO_SPEAKERS},
    {"avatar-position", required_argument, 0, OPT_AV_POS},
    {"avatar-scale", required_argument, 0, OPT_AV_SCALE},
    {"overlay", required_argument, 0, OPT_OVERLAY},
    {"overlay-position", required_argument, 0, OPT_OVERLAY_POS},
    {"burn-subtitles", no_argument, 0, OPT_BURN_SUBS},
    {"subtitle-font", required_argument, 0, OPT_SUB_FONT},
    {"mic", required_argument, 0, OPT_MIC},
    {"asr-url", required_argument, 0, OPT_ASR_URL},
    {"push-to-talk", no_argument, 0, OPT_PUSH_TO_TALK},
    {"no-barge-in", no_argument, 0, OPT_NO_BARGE_IN},
    {"mic-echo", required_argument, 0, OPT_MIC_ECHO},
    {"quiet", no_argument, 0, 'q'},
    {"verbose", no_argument, 0, 'v'},
    {"help", no_argument, 0, 'h'},
    {0, 0, 0, 0}};

/* Which options each command takes (the others are usage errors). */
static int modes_allowed(const char *cmd, int opt)
{
    static const int common[] = {OPT_CONFIG, OPT_VOICE, OPT_AVATAR, OPT_SIZE, OPT_FPS, OPT_BG,
                                 OPT_SEED,   OPT_RATE,  'q',        'v',      'h',     0};
    static const int render[] = {
        'o',          OPT_SUBS,    OPT_CRF,         OPT_PRESET,    OPT_PROGRESS, OPT_AV_POS,
        OPT_AV_SCALE, OPT_OVERLAY, OPT_OVERLAY_POS, OPT_BURN_SUBS, OPT_SUB_FONT, 0};
    static const int answer[] = {OPT_LLM_URL,  OPT_LLM_MODEL, OPT_FAQ,
                                 OPT_PERSONA,  OPT_API_PORT,  OPT_API_HOST,
                                 OPT_DURATION, OPT_OUT,       OPT_MIC,
                                 OPT_ASR_URL,  OPT_PUSH_TO_TALK, OPT_NO_BARGE_IN,
                                 OPT_MIC_ECHO, 0};
    static const int live[] = {OPT_TEXT_FILE, OPT_NO_PRESENT, 0};
    static const int kiosk[] = {OPT_FULLSCREEN, OPT_AUDIO_DEV, OPT_NO_WINDOW, OPT_NO_SPEAKERS, 0};
    for (const int *p = common; *p; p++)
        if (*p == opt)
            return 1;
    const int *lists[2] = {NULL, NULL};
    if (strcmp(cmd, "render") == 0)
        lists[0] = render;
    else if (strcmp(cmd, "live") == 0)
        lists[0] = answer, lists[1] = live;
    else
        lists[0] = answer, lists[1] = kiosk;
    for (int l = 0; l < 2; l++)
        for (const int *p = lists[l]; p && *p; p++)
            if (*p == opt)
                return 1;
    return 0;
}

/* Returns -1 to go on, or an exit code (help printed, usage error). */
static int modes_parse(const char *cmd, int argc, char **argv, modes_opts *o)
{
    memset(o, 0, sizeof *o);
    o->fps = o->crf = o->seed = -1;
    o->rate = -1;
    optind = 1;
    opterr = 0;
    int c, li = -1;
    while ((c = getopt_long(argc, argv, "o:qvh", modes_long, &li)) != -1) {
        char *end = NULL;
        char opt_name[48]; /* as given: argv[optind - 1] may be its value */
        if (li >= 0)
            snprintf(opt_name, sizeof opt_name, "--%s", modes_long[li].name);
        else
            snprintf(opt_name, sizeof opt_name, "-%c", c);
        li = -1;
        if (c == '?') {
            if (optopt)
                return modes_fail(EXIT_USAGE,
                                  "%s: option '%s' needs a value or is unknown (see "
                                  "'shuzi %s --help')",
                                  cmd, argv[optind - 1], cmd);
            return modes_fail(EXIT_USAGE, "%s: unknown option '%s' (see 'shuzi %s --help')", cmd,
                              argv[optind - 1], cmd);
        }
        if (!modes_allowed(cmd, c))
            return modes_fail(EXIT_USAGE,
                              "%s: option '%s' is not for this command (see 'shuzi "
                              "%s --help')",
                              cmd, opt_name, cmd);
        switch (c) {
        case 'h': modes_usage(stdout, cmd); return 0;
        case 'q': o->quiet = 1; break;
        case 'v': modes_verbose = 1; break;
        case 'o': o->output = optarg; break;
        case OPT_CONFIG: o->config = optarg; break;
        case OPT_VOICE: o->voice = optarg; break;
        case OPT_AVATAR: o->avatar = optarg; break;
        case OPT_SIZE: o->size = optarg; break;
        case OPT_BG: o->bg = optarg; break;
        case OPT_PRESET: o->preset = optarg; break;
        case OPT_SUBS: o->subs = optarg; break;
        case OPT_PROGRESS: o->progress = 1; break;
        case OPT_TEXT_FILE: o->text_file = optarg; break;
        case OPT_LLM_URL: o->llm_url = optarg; break;
        case OPT_LLM_MODEL: o->llm_model = optarg; break;
        case OPT_FAQ: o->faq = optarg; break;
        case OPT_PERSONA: o->persona = optarg; break;
        case OPT_API_HOST: o->api_host = optarg; break;
        case OPT_AUDIO_DEV: o->audio_dev = optarg; break;
        case OPT_MIC: o->mic = optarg; break;
        case OPT_ASR_URL: o->asr_url = optarg; break;
        case OPT_PUSH_TO_TALK: o->push_to_talk = 1; break;
        case OPT_NO_BARGE_IN: o->no_barge_in = 1; break;
        case OPT_MIC_ECHO: o->mic_echo = optarg; break;
        case OPT_NO_PRESENT: o->no_present = 1; break;
        case OPT_FULLSCREEN: o->fullscreen = 1; break;
        case OPT_NO_WINDOW: o->no_window = 1; break;
        case OPT_NO_SPEAKERS: o->no_speakers = 1; break;
        case OPT_AV_POS: o->scene.avatar_position = optarg; break;
        case OPT_AV_SCALE: o->scene.avatar_scale = optarg; break;
        case OPT_OVERLAY: o->scene.overlay = optarg; break;
        case OPT_OVERLAY_POS: o->scene.overlay_position = optarg; break;
        case OPT_BURN_SUBS: o->scene.burn_subtitles = 1; break;
        case OPT_SUB_FONT: o->scene.subtitle_font = optarg; break;
        case OPT_OUT:
            if (o->n_outs == MODES_MAX_OUTPUTS)
                return modes_fail(EXIT_USAGE, "%s: at most %d --out", cmd, MODES_MAX_OUTPUTS);
            o->outs[o->n_outs++] = optarg;
            break;
        case OPT_API_PORT: {
            long p = strtol(optarg, &end, 10);
            if (strcmp(optarg, "auto") != 0 && (*end || end == optarg || p < 0 || p > 65535))
                return modes_fail(EXIT_USAGE,
                                  "--api-port '%s': expected 0 (off), auto or 1 to "
                                  "65535",
                                  optarg);
            o->api_port = optarg;
            break;
        }
        case OPT_FPS:
            o->fps = strtol(optarg, &end, 10);
            if (*end || end == optarg || o->fps < 1 || o->fps > 120)
                return modes_fail(EXIT_USAGE, "--fps '%s': expected 1 to 120", optarg);
            break;
        case OPT_CRF:
            o->crf = strtol(optarg, &end, 10);
            if (*end || end == optarg || o->crf < 0 || o->crf > 51)
                return modes_fail(EXIT_USAGE, "--crf '%s': expected 0 to 51", optarg);
            break;
        case OPT_SEED:
            o->seed = strtoll(optarg, &end, 10);
            if (*end || end == optarg || o->seed < 0)
                return modes_fail(EXIT_USAGE, "--seed '%s': expected a non-negative integer",
                                  optarg);
            break;
        case OPT_RATE:
            o->rate = strtod(optarg, &end);
            if (*end || end == optarg || !(o->rate >= 0.3 && o->rate <= 3.0))
                return modes_fail(EXIT_USAGE, "--rate '%s': expected 0.3 to 3.0", optarg);
            break;
        case OPT_DURATION:
            o->duration = strtod(optarg, &end);
            if (*end || end == optarg || !(o->duration > 0 && o->duration <= 1e7))
                return modes_fail(EXIT_USAGE, "--duration '%s': expected seconds > 0", optarg);
            break;
        default:
            return modes_fail(EXIT_USAGE, "%s: unexpected option (see 'shuzi %s --help')", cmd,
                              cmd);
        }
    }
    if (modes_verbose)
        sz_set_log_level(SZ_LOG_INFO);
    return -1;
}

/* Config file, then flags over it. Returns -1 or an exit code. */
static int modes_config(const modes_opts *o, sz_config *cfg)
{
    char err[600];
    if (o->config && config_load(o->config, cfg, err, sizeof err) != SZ_OK)
        return modes_fail(EXIT_RUNTIME, "%s", err);
    if (o->size && config_parse_size(o->size, &cfg->width, &cfg->height, err, sizeof err) != SZ_OK)
        return modes_fail(EXIT_USAGE, "--%s", err);
    if (o->bg && config_parse_background(o->bg, cfg, err, sizeof err) != SZ_OK)
        return modes_fail(EXIT_USAGE, "--background: %s", err);
    if (modes_scene_apply(&o->scene, cfg, err, sizeof err) != SZ_OK)
        return modes_fail(EXIT_USAGE, "%s", err);
    if (o->voice)
        snprintf(cfg->voice, sizeof cfg->voice, "%s", o->voice);
    if (o->avatar)
        snprintf(cfg->avatar, sizeof cfg->avatar, "%s", o->avatar);
    if (o->fps > 0)
        cfg->fps = (int)o->fps;
    if (o->seed >= 0)
        cfg->seed = (uint64_t)o->seed;
    if (o->rate > 0)
        cfg->speaking_rate = o->rate;
    /* The audio voice reads the file its text names: never let text from a
     * script, an LLM or the control API choose files to read. */
    if (strncmp(cfg->voice, "audio", 5) == 0 && (cfg->voice[5] == 0 || cfg->voice[5] == ':'))
        return modes_fail(EXIT_USAGE, "voice '%s' plays recordings; it only works with "
                                      "'shuzi say --audio FILE'", cfg->voice);
    return -1;
}

static int modes_encoder_options(const modes_opts *o, char *out, size_t cap)
{
    size_t used = 0;
    out[0] = 0;
    if (o->crf >= 0)
        used += (size_t)snprintf(out + used, cap - used, "crf=%ld", o->crf);
    if (o->preset && used < cap)
        used += (size_t)snprintf(out + used, cap - used, "%spreset=%s", used ? ":" : "", o->preset);
    return used < cap ? 0 : -1;
}

/* ---- signals --------------------------------------------------------- */

static atomic_int modes_signalled;
static _Atomic(sz_session *) modes_cancel_on_signal;
static int modes_sig_pipe[2] = {-1, -1};
static volatile sig_atomic_t modes_sig_count;

/* Runs in whichever thread the kernel picks (libraries start threads of
 * their own, some before main): only async-signal-safe calls. First signal:
 * wake the signal thread; second: exit at once. */
static void modes_on_signal(int sig)
{
    if (++modes_sig_count > 1)
        _exit(128 + sig);
    unsigned char b = (unsigned char)sig;
    ssize_t w = write(modes_sig_pipe[1], &b, 1);
    (void)w;
}

/* Render cancels (outputs removed); live and kiosk see the flag and finish. */
static void *modes_signal_main(void *arg)
{
    (void)arg;
    unsigned char b;
    while (read(modes_sig_pipe[0], &b, 1) == 1) {
        atomic_store(&modes_signalled, b);
        sz_session *s = atomic_load(&modes_cancel_on_signal);
        if (s)
            sz_session_cancel(s);
    }
    return NULL;
}

void modes_catch_signals(void (*handler)(int))
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = handler;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    int sigs[] = {SIGINT, SIGTERM, SIGHUP};
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
        struct sigaction old;
        /* a signal our parent ignores (nohup, a script's &) stays ignored */
        if (sigaction(sigs[i], NULL, &old) == 0 && old.sa_handler == SIG_IGN)
            continue;
        sigaction(sigs[i], &sa, NULL);
    }
}

void modes_signals_start(void)
{
    if (modes_sig_pipe[0] >= 0 || pipe(modes_sig_pipe) != 0)
        return;
    pthread_t t;
    if (pthread_create(&t, NULL, modes_signal_main, NULL) != 0)
        return;
    pthread_detach(t);
    modes_catch_signals(modes_on_signal);
}

void modes_signals_watch(sz_session *session)
{
    atomic_store(&modes_cancel_on_signal, session);
    if (session && atomic_load(&modes_signalled)) /* it came before the session */
        sz_session_cancel(session);
}

int modes_signal_received(void) { return atomic_load(&modes_signalled); }

static void modes_sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* ---- render ---------------------------------------------------------- */

typedef struct render_run {
    pthread_mutex_t lock;
    sz_mark *marks; /* sentence and word marks, values copied */
    size_t n, cap;
    int oom;
    int *utt_item; /* utterance id -> script item */
    int n_utt;
    double *units; /* per item: characters, or the pause's equivalent */
    double total;
    int done_item; /* items up to here are rendered */
    int cur_utt;
    double cur_chars; /* words marked in the utterance being rendered */
    atomic_int failed;
    sz_session *session;
    int show;
    volatile int finished;
    pthread_cond_t cond;
    int64_t t0_us;
} render_run;

static void modes_render_on_mark(const sz_mark *m, void *user)
{
    render_run *r = user;
    if (m->type != SZ_MARK_SENTENCE && m->type != SZ_MARK_WORD)
        return;
    pthread_mutex_lock(&r->lock);
    if (m->type == SZ_MARK_WORD) {
        if (m->utterance_id != r->cur_utt) {
            r->cur_utt = m->utterance_id;
            r->cur_chars = 0;
        }
        r->cur_chars += (double)utf8_char_offset(m->value, strlen(m->value), 1u << 20) + 1;
    }
    if (r->n == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 256;
        sz_mark *p = realloc(r->marks, cap * sizeof *p);
        if (!p) {
            r->oom = 1;
            pthread_mutex_unlock(&r->lock);
            return;
        }
        r->marks = p;
        r->cap = cap;
    }
    sz_mark c = *m;
    c.value = strdup(m->value ? m->value : "");
    if (!c.value)
        r->oom = 1;
    else
        r->marks[r->n++] = c;
    pthread_mutex_unlock(&r->lock);
}

static void modes_render_on_state(sz_state st, int utt, int64_t time_ms, void *user)
{
    (void)time_ms;
    render_run *r = user;
    if (st == SZ_STATE_ERROR) {
        atomic_store(&r->failed, 1);
        return;
    }
    if ((st == SZ_STATE_IDLE || st == SZ_STATE_INTERRUPTED) && utt >= 0) {
        pthread_mutex_lock(&r->lock);
        if (utt < r->n_utt && r->utt_item[utt] > r->done_item)
            r->done_item = r->utt_item[utt];
        if (utt == r->cur_utt)
            r->cur_chars = 0;
        pthread_mutex_unlock(&r->lock);
    }
}

static double modes_render_progress(render_run *r, const script *sc)
{
    pthread_mutex_lock(&r->lock);
    double done = 0;
    for (int i = 0; i <= r->done_item && i < sc->n; i++)
        done += r->units[i];
    int next = r->done_item + 1;
    while (next < sc->n && sc->items[next].kind != SCRIPT_SAY)
        next++;
    if (next < sc->n && r->cur_chars > 0)
        done += r->cur_chars < r->units[next] ? r->cur_chars : r->units[next];
    pthread_mutex_unlock(&r->lock);
    return r->total > 0 ? done / r->total : 0;
}

typedef struct render_bar {
    render_run *r;
    const script *sc;
} render_bar;

static void *modes_render_progress_main(void *arg)
{
    render_bar *b = arg;
    render_run *r = b->r;
    pthread_mutex_lock(&r->lock);
    for (int first = 1; !r->finished; first = 0) {
        if (!first) { /* the bar shows at once, then every 250 ms */
            struct timespec ts;
            clock_gettime(CLOCK_REALTIME, &ts);
            ts.tv_nsec += 250000000;
            if (ts.tv_nsec >= 1000000000) {
                ts.tv_sec++;
                ts.tv_nsec -= 1000000000;
            }
            pthread_cond_timedwait(&r->cond, &r->lock, &ts);
            if (r->finished)
                break;
        }
        pthread_mutex_unlock(&r->lock);
        double p = modes_render_progress(r, b->sc);
        sz_session_stats st;
        double media = 0;
        if (sz_session_get_stats(r->session, &st) == SZ_OK && st.sample_rate_hz > 0)
            media = (double)st.samples_out / st.sample_rate_hz;
        double wall = (clock_now_us() - r->t0_us) / 1e6;
        char bar[31];
        int fill = (int)(p * 30 + 0.5);
        for (int i = 0; i < 30; i++)
            bar[i] = i < fill ? '#' : '-';
        bar[30] = 0;
        char eta[32] = "--:--";
        if (p > 0.02 && p < 1) {
            int s = (int)(wall * (1 - p) / p + 0.5);
            snprintf(eta, sizeof eta, "%d:%02d", s / 60, s % 60);
        } else if (p >= 1) {
            snprintf(eta, sizeof eta, "0:00");
        }
        fprintf(stderr, "\r[%s] %3d%%  %6.1f s of video  %4.1fx real time  ETA %s  ", bar,
                (int)(p * 100), media, wall > 0 ? media / wall : 0.0, eta);
        fflush(stderr);
        pthread_mutex_lock(&r->lock);
    }
    pthread_mutex_unlock(&r->lock);
    fprintf(stderr, "\r\033[K");
    fflush(stderr);
    return NULL;
}

/* Queues one script item, waiting while the session's request queue is full. */
static int modes_render_feed(render_run *r, const script_item *it, int index)
{
    for (;;) {
        int rc;
        switch (it->kind) {
        case SCRIPT_SAY: rc = sz_session_say(r->session, it->text, 0); break;
        case SCRIPT_PAUSE: rc = sz_session_pause(r->session, it->pause_ms); break;
        case SCRIPT_EXPRESSION:
            rc = sz_session_set_expression(r->session, it->expression, it->weight);
            break;
        default: rc = sz_session_set_background(r->session, it->rgb, it->text); break;
        }
        if (rc >= 0) {
            if (it->kind == SCRIPT_SAY) {
                pthread_mutex_lock(&r->lock);
                if (rc >= r->n_utt) {
                    int n = rc + 64;
                    int *m = realloc(r->utt_item, (size_t)n * sizeof *m);
                    if (!m) {
                        pthread_mutex_unlock(&r->lock);
                        return SZ_ERR_NO_MEMORY;
                    }
                    for (int i = r->n_utt; i < n; i++)
                        m[i] = -1;
                    r->utt_item = m;
                    r->n_utt = n;
                }
                r->utt_item[rc] = index;
                pthread_mutex_unlock(&r->lock);
            }
            return SZ_OK;
        }
        /* SZ_ERR_STATE: the queue is full (wait) or the session stopped */
        if (rc != SZ_ERR_STATE || atomic_load(&r->failed) || atomic_load(&modes_signalled))
            return rc;
        modes_sleep_ms(10);
    }
}

int modes_render(int argc, char **argv)
{
    modes_opts o;
    int rc = modes_parse("render", argc, argv, &o);
    if (rc >= 0)
        return rc;
    if (optind >= argc)
        return modes_fail(EXIT_USAGE, "render: missing SCRIPT (see 'shuzi render --help')");
    if (optind + 1 < argc)
        return modes_fail(EXIT_USAGE, "render: unexpected argument '%s'", argv[optind + 1]);
    if (!o.output)
        return modes_fail(EXIT_USAGE, "render: missing -o OUT (see 'shuzi render --help')");
    if (o.subs && !subs_path_ok(o.subs))
        return modes_fail(EXIT_USAGE, "--subtitles '%s': expected a .srt or .vtt file", o.subs);
    sz_set_log_callback(modes_log, NULL);
    modes_signals_start();

    sz_config cfg;
    config_defaults(&cfg);
    script sc;
    memset(&sc, 0, sizeof sc);
    render_run r;
    memset(&r, 0, sizeof r);
    pthread_mutex_init(&r.lock, NULL);
    pthread_cond_init(&r.cond, NULL);
    r.done_item = -1;
    r.cur_utt = -1;
    sz_engine *engine = NULL;
    sz_session *session = NULL;
    pthread_t bar_thread;
    int bar_started = 0;
    render_bar bar = {&r, &sc};
    char err[1200];
    int exit_code = EXIT_RUNTIME;

    if ((rc = modes_config(&o, &cfg)) >= 0) {
        exit_code = rc;
        goto done;
    }
    if (script_load(argv[optind], &sc, err, sizeof err) != SZ_OK ||
        (o.subs && subs_check_writable(o.subs, err, sizeof err) != SZ_OK)) {
        modes_fail(EXIT_RUNTIME, "%s", err);
        goto done;
    }
    r.units = calloc((size_t)sc.n, sizeof *r.units);
    if (!r.units) {
        modes_fail(EXIT_RUNTIME, "out of memory");
        goto done;
    }
    for (int i = 0; i < sc.n; i++) {
        const script_item *it = &sc.items[i];
        r.units[i] = it->kind == SCRIPT_SAY
                         ? (double)utf8_char_offset(it->text, strlen(it->text), 1u << 30)
                     : it->kind == SCRIPT_PAUSE ? it->pause_ms * 0.015 /* ~15 characters/s */
                                                : 0;
        r.total += r.units[i];
    }
    if (sz_engine_create(sz_engine_default_params(), &engine) != SZ_OK) {
        modes_fail(EXIT_RUNTIME, "cannot create the engine");
        goto done;
    }
    sz_session_params sp = sz_session_default_params();
    config_apply(&cfg, &sp);
    sp.pacing = SZ_PACING_OFFLINE;
    sp.on_mark = modes_render_on_mark;
    sp.on_mark_user_data = &r;
    sp.on_state = modes_render_on_state;
    sp.on_state_user_data = &r;
    if (sz_session_create(engine, sp, &session) != SZ_OK) {
        modes_fail(EXIT_RUNTIME, "%s", sz_engine_last_error(engine));
        goto done;
    }
    r.session = session;
    char options[160];
    if (modes_encoder_options(&o, options, sizeof options) != 0) {
        exit_code = modes_fail(EXIT_USAGE, "--preset: value too long");
        goto done;
    }
    if (sz_session_add_output(session, o.output, options[0] ? options : NULL) != SZ_OK) {
        modes_fail(EXIT_RUNTIME, "%s", sz_session_last_error(session));
        goto done;
    }
    modes_signals_watch(session);
    if (sz_session_start(session) != SZ_OK) {
        modes_fail(EXIT_RUNTIME, "%s", sz_session_last_error(session));
        goto done;
    }
    r.t0_us = clock_now_us();
    r.show = !o.quiet && (o.progress || isatty(2));
    if (r.show)
        bar_started = pthread_create(&bar_thread, NULL, modes_render_progress_main, &bar) == 0;
    int feed_rc = SZ_OK;
    for (int i = 0; i < sc.n && feed_rc == SZ_OK; i++)
        feed_rc = modes_render_feed(&r, &sc.items[i], i);
    int fin = sz_session_finish(session);
    if (bar_started) {
        pthread_mutex_lock(&r.lock);
        r.finished = 1;
        pthread_cond_signal(&r.cond);
        pthread_mutex_unlock(&r.lock);
        pthread_join(bar_thread, NULL);
        bar_started = 0;
    }
    if (atomic_load(&modes_signalled)) {
        modes_fail(EXIT_RUNTIME, "interrupted by signal %d: no output written",
                   atomic_load(&modes_signalled));
        goto done;
    }
    if (fin != SZ_OK || feed_rc != SZ_OK) {
        const char *why = sz_session_last_error(session);
        modes_fail(EXIT_RUNTIME, "%s", *why ? why : sz_strerror(fin != SZ_OK ? fin : feed_rc));
        goto done;
    }
    sz_session_stats st;
    sz_session_get_stats(session, &st);
    double media = st.sample_rate_hz ? (double)st.samples_out / st.sample_rate_hz : 0;
    double wall = (clock_now_us() - r.t0_us) / 1e6;
    int cues = 0;
    if (o.subs) {
        if (r.oom) {
            modes_fail(EXIT_RUNTIME, "%s: out of memory collecting the speech marks", o.subs);
            goto done;
        }
        if (subs_write(o.subs, r.marks, r.n, NULL, &cues, err, sizeof err) != SZ_OK) {
            modes_fail(EXIT_RUNTIME, "%s", err);
            goto done;
        }
    }
    if (!o.quiet) {
        char extra[600] = "";
        if (o.subs)
            snprintf(extra, sizeof extra, " and %s (%d cues)", o.subs, cues);
        fprintf(stderr, "shuzi: wrote %s (%.1f s of video, rendered at %.1fx real time)%s\n",
                o.output, media, wall > 0 ? media / wall : 0.0, extra);
    }
    exit_code = 0;
done:
    if (bar_started) {
        pthread_mutex_lock(&r.lock);
        r.finished = 1;
        pthread_cond_signal(&r.cond);
        pthread_mutex_unlock(&r.lock);
        pthread_join(bar_thread, NULL);
    }
    modes_signals_watch(NULL);
    sz_session_free(&session); /* removes a partial output after a failure */
    sz_engine_free(&engine);
    for (size_t i = 0; i < r.n; i++)
        free((char *)r.marks[i].value);
    free(r.marks);
    free(r.utt_item);
    free(r.units);
    script_free(&sc);
    config_free(&cfg);
    return exit_code;
}

/* ---- live and kiosk -------------------------------------------------- */

typedef struct modes_room {
    const char *cmd;
    modes_opts o;
    sz_config cfg;
    sz_mode_config defaults; /* when the config file has no mode keys */
    sz_mode_config *mc;
    llm_backend *llm;
    char backend_desc[1200];
    host_product *products;
    char **lines;
    int n_lines;
    host *h;
    listening *listen;
    api_server *api;
    sz_engine *engine;
    sz_session *session;
    atomic_int failed;
    atomic_int stdin_done;
    atomic_int stop;
    pthread_t stdin_thread, print_thread;
    uint64_t print_from; /* the first event the printer shows */
    int stdin_started, print_started;
} modes_room;

static void modes_room_on_state(sz_state st, int utt, int64_t time_ms, void *user)
{
    (void)utt, (void)time_ms;
    modes_room *m = user;
    if (st == SZ_STATE_ERROR)
        atomic_store(&m->failed, 1);
}

/* Lines of a text file: trimmed, blank ones and # comments skipped. */
static int modes_read_lines(const char *path, char ***out, int *n, char *err, size_t errlen)
{
    *out = NULL;
    *n = 0;
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return SZ_ERR_IO;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    int no = 0, rc = SZ_OK;
    while ((len = getline(&line, &cap, f)) >= 0) {
        no++;
        size_t bad;
        if (memchr(line, 0, (size_t)len) || !utf8_valid(line, (size_t)len, &bad)) {
            snprintf(err, errlen, "%s:%d: not valid UTF-8 text", path, no);
            rc = SZ_ERR_FORMAT;
            break;
        }
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r' || line[len - 1] == ' ' ||
                           line[len - 1] == '\t'))
            line[--len] = 0;
        char *t = line;
        while (*t == ' ' || *t == '\t')
            t++;
        if (!*t || *t == '#')
            continue;
        if (*n >= MODES_MAX_LINES) {
            snprintf(err, errlen, "%s: more than %d lines", path, MODES_MAX_LINES);
            rc = SZ_ERR_FORMAT;
            break;
        }
        char **nl = realloc(*out, (size_t)(*n + 1) * sizeof *nl);
        if (!nl || !(nl[*n] = strdup(t))) {
            if (nl)
                *out = nl;
            snprintf(err, errlen, "%s: out of memory", path);
            rc = SZ_ERR_NO_MEMORY;
            break;
        }
        *out = nl;
        (*n)++;
    }
    free(line);
    if (rc == SZ_OK && ferror(f)) {
        snprintf(err, errlen, "%s: read error", path);
        rc = SZ_ERR_IO;
    }
    fclose(f);
    if (rc == SZ_OK && *n == 0) {
        snprintf(err, errlen, "%s: no lines to present", path);
        rc = SZ_ERR_FORMAT;
    }
    return rc;
}

/* The text source: an LLM server when a URL is given, else the FAQ. */
static int modes_room_backend(modes_room *m, char *err, size_t errlen)
{
    const sz_mode_config *mc = m->mc;
    const char *url = m->o.llm_url ? m->o.llm_url : mc->has_llm ? mc->llm_url : NULL;
    if (url) {
        llm_openai_params p = llm_openai_default_params();
        p.base_url = url;
        p.model = m->o.llm_model ? m->o.llm_model : mc->llm_model;
        p.api_key = getenv(mc->llm_key_env);
        p.first_byte_timeout_s = mc->llm_timeout_s;
        p.connect_timeout_s = mc->llm_connect_timeout_s;
        p.idle_timeout_s = mc->llm_idle_timeout_s;
        p.max_retries = mc->llm_retries;
        p.max_tokens = mc->llm_max_tokens;
        p.temperature = mc->llm_temperature;
        int rc = llm_openai_create(&p, &m->llm, err, errlen);
        if (rc == SZ_OK)
            snprintf(m->backend_desc, sizeof m->backend_desc, "answers from the LLM at %s%s%s", url,
                     p.model && *p.model ? ", model " : "", p.model ? p.model : "");
        return rc;
    }
    const char *faq = m->o.faq ? m->o.faq : mc->faq[0] ? mc->faq : NULL;
    if (faq) {
        snprintf(m->backend_desc, sizeof m->backend_desc, "scripted answers from %.1000s", faq);
        return llm_faq_load(faq, &m->llm, err, errlen);
    }
    snprintf(m->backend_desc, sizeof m->backend_desc, "built-in scripted answers");
    const char *t = llm_faq_default_text();
    return llm_faq_create(t, strlen(t), "built-in FAQ", &m->llm, err, errlen);
}

/* Prints the text the host speaks (kiosk): one line per piece. */
static void *modes_room_print_main(void *arg)
{
    modes_room *m = arg;
    ev_hub *hub = host_events(m->h);
    uint64_t cursor = m->print_from;
    char *block = malloc(1 << 16);
    if (!block)
        return NULL;
    for (;;) {
        long n = ev_hub_read(hub, &cursor, block, 1 << 16, 200000);
        if (n < 0)
            break;
        if (n == 0)
            continue;
        int is_text = strncmp(block, "event: text\n", 12) == 0;
        int is_error = strncmp(block, "event: error\n", 13) == 0;
        if (!is_text && !is_error)
            continue;
        const char *data = strstr(block, "\ndata: ");
        cJSON *j = data ? cJSON_Parse(data + 7) : NULL;
        const cJSON *t = cJSON_GetObjectItemCaseSensitive(j, is_text ? "text" : "message");
        if (cJSON_IsString(t)) {
            if (is_text) {
                printf("%s\n", t->valuestring);
                fflush(stdout);
            } else {
                fprintf(stderr, "shuzi: %s\n", t->valuestring);
            }
        }
        cJSON_Delete(j);
    }
    free(block);
    return NULL;
}

/* Questions typed on stdin, one per line (kiosk). */
static void *modes_room_stdin_main(void *arg)
{
    modes_room *m = arg;
    char buf[8192];
    size_t n = 0;
    int eof = 0;
    while (!atomic_load(&m->stop) && !eof) {
        struct pollfd p = {0, POLLIN, 0};
        int r = poll(&p, 1, 200);
        if (r < 0 && errno != EINTR)
            break;
        if (r <= 0)
            continue;
        ssize_t got = read(0, buf + n, sizeof buf - 1 - n);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0) {
            eof = 1;
            if (n > 0)
                buf[n++] = '\n'; /* the last line without its newline */
        } else {
            n += (size_t)got;
        }
        char *start = buf, *nl;
        while ((nl = memchr(start, '\n', (size_t)(buf + n - start)))) {
            *nl = 0;
            char *q = start;
            while (*q == ' ' || *q == '\t')
                q++;
            size_t ql = strlen(q);
            while (ql > 0 && (q[ql - 1] == '\r' || q[ql - 1] == ' '))
                q[--ql] = 0;
            if (ql > 0) {
                char why[256];
                if (host_chat(m->h, q, 0, why, sizeof why) < 0)
                    fprintf(stderr, "shuzi: question not taken: %s\n", why);
            }
            start = nl + 1;
        }
        n = (size_t)(buf + n - start);
        memmove(buf, start, n);
        if (n == sizeof buf - 1) {
            fprintf(stderr, "shuzi: a question longer than %zu bytes was dropped\n",
                    sizeof buf - 1);
            n = 0;
        }
    }
    atomic_store(&m->stdin_done, 1);
    return NULL;
}

static void modes_room_free(modes_room *m)
{
    atomic_store(&m->stop, 1);
    if (m->stdin_started)
        pthread_join(m->stdin_thread, NULL);
    api_stop(&m->api);
    listening_free(&m->listen);
    if (m->h)
        host_stop(m->h);
    if (m->print_started)
        pthread_join(m->print_thread, NULL);
    sz_session_free(&m->session);
    host_free(&m->h);
    sz_engine_free(&m->engine);
    llm_backend_free(&m->llm);
    free(m->products);
    for (int i = 0; i < m->n_lines; i++)
        free(m->lines[i]);
    free(m->lines);
    config_modes_free(&m->defaults);
    config_free(&m->cfg);
}

/* The microphone, when --mic or "mic" asks for one: opened now, so a
 * missing device or file fails before anything records. -1 to go on. */
static int modes_room_listening(modes_room *m)
{
    const char *mic = m->o.mic ? m->o.mic : m->mc->mic;
    if (!mic || !*mic) {
        if (m->o.asr_url || m->o.push_to_talk || m->o.no_barge_in || m->o.mic_echo)
            return modes_fail(EXIT_USAGE, "%s: --asr-url, --push-to-talk, --no-barge-in and "
                                          "--mic-echo need a microphone (--mic)", m->cmd);
        return -1;
    }
    listening_params lp = listening_default_params();
    lp.mc = m->mc;
    lp.mic = mic;
    lp.asr_url = m->o.asr_url;
    if (m->o.no_barge_in)
        lp.barge_in = 0;
    if (m->o.push_to_talk)
        lp.push_to_talk = 1;
    lp.print_heard = !m->o.quiet;
    if (m->o.mic_echo) {
        char *end = NULL;
        lp.sim_echo_gain = strtod(m->o.mic_echo, &end);
        if (end != m->o.mic_echo && *end == ':') {
            const char *ms = end + 1;
            lp.sim_echo_delay_ms = (int)strtol(ms, &end, 10);
            if (end == ms)
                end = (char *)"x";
        }
        if (end == m->o.mic_echo || *end || !(lp.sim_echo_gain > 0 && lp.sim_echo_gain <= 4) ||
            lp.sim_echo_delay_ms < 0 || lp.sim_echo_delay_ms > 160)
            return modes_fail(EXIT_USAGE,
                              "--mic-echo '%s': expected GAIN[:DELAY_MS], gain 0 to 4, delay 0 "
                              "to 160 ms (for example 0.5:30)",
                              m->o.mic_echo);
    }
    char err[1200];
    if (listening_create(&lp, m->h, &m->listen, err, sizeof err) != SZ_OK)
        return modes_fail(EXIT_RUNTIME, "%s", err);
    return -1;
}

/* Shared by live and kiosk: everything up to a running session and API. */
static int modes_room_start(modes_room *m, const char *const *outs, const char *const *opts,
                            int n_outs)
{
    char err[1200];
    const sz_mode_config *mc = m->mc;
    if (modes_room_backend(m, err, sizeof err) != SZ_OK)
        return modes_fail(EXIT_RUNTIME, "%s", err);
    if (mc->n_products > 0) {
        m->products = calloc((size_t)mc->n_products, sizeof *m->products);
        if (!m->products)
            return modes_fail(EXIT_RUNTIME, "out of memory");
        for (int i = 0; i < mc->n_products; i++) {
            const cfg_product *p = &mc->products[i];
            m->products[i] = (host_product){
                p->name,  p->price,   p->description, p->pitch,          p->keywords,
                p->stock, p->name_zh, p->price_zh,    p->description_zh, p->stock_zh,
                p->card};
        }
    }
    const char *text_file = m->o.text_file     ? m->o.text_file
                            : mc->text_file[0] ? mc->text_file
                                               : NULL;
    if (text_file && modes_read_lines(text_file, &m->lines, &m->n_lines, err, sizeof err) != SZ_OK)
        return modes_fail(EXIT_RUNTIME, "%s", err);

    host_params hp = host_default_params();
    hp.llm = m->llm;
    hp.persona = m->o.persona ? m->o.persona : mc->persona;
    hp.history_tokens = mc->history_tokens;
    hp.products = m->products;
    hp.n_products = text_file ? 0 : mc->n_products;
    hp.lines = (const char *const *)m->lines;
    hp.n_lines = m->n_lines;
    hp.present = strcmp(m->cmd, "live") == 0 && mc->present && !m->o.no_present;
    hp.present_gap_s = mc->present_gap_s;
    hp.comment_queue_max = mc->comment_max_queue;
    hp.comment_max_chars = mc->comment_max_chars;
    hp.comment_max_age_s = mc->comment_max_age_s;
    hp.comment_user_interval_s = mc->comment_user_interval_s;
    hp.blocklist = (const char *const *)mc->blocklist;
    hp.n_blocklist = mc->n_blocklist;
    hp.error_reply = mc->error_reply;
    if (host_create(&hp, &m->h, err, sizeof err) != SZ_OK)
        return modes_fail(EXIT_RUNTIME, "%s", err);
    int rc = modes_room_listening(m);
    if (rc >= 0)
        return rc;

    /* The control API takes its port before any output opens a file: a port
     * in use fails here and leaves an earlier recording alone. */
    int port = mc->api_port;
    if (m->o.api_port)
        port = strcmp(m->o.api_port, "auto") == 0 ? -1 : atoi(m->o.api_port);
    const char *api_addr = m->o.api_host ? m->o.api_host : mc->api_host;
    const char *api_token = getenv(mc->api_token_env);
    if (port != 0) {
        api_params ap = api_default_params();
        ap.host = api_addr;
        ap.port = port < 0 ? 0 : port;
        ap.token = api_token;
        ap.max_body_bytes = (size_t)mc->api_max_body;
        ap.mode = m->cmd;
        if (api_bind(&ap, m->h, &m->api, err, sizeof err) != SZ_OK)
            return modes_fail(EXIT_RUNTIME, "%s", err);
    }

    if (sz_engine_create(sz_engine_default_params(), &m->engine) != SZ_OK)
        return modes_fail(EXIT_RUNTIME, "cannot create the engine");
    sz_session_params sp = sz_session_default_params();
    config_apply(&m->cfg, &sp);
    sp.pacing = SZ_PACING_LIVE;
    sp.on_state = modes_room_on_state;
    sp.on_state_user_data = m;
    host_attach(m->h, &sp);
    if (m->listen)
        listening_attach(m->listen, &sp);
    if (sz_session_create(m->engine, sp, &m->session) != SZ_OK)
        return modes_fail(EXIT_RUNTIME, "%s", sz_engine_last_error(m->engine));
    for (int i = 0; i < n_outs; i++)
        if (sz_session_add_output(m->session, outs[i], opts ? opts[i] : NULL) != SZ_OK)
            return modes_fail(EXIT_RUNTIME, "%s", sz_session_last_error(m->session));
    if (sz_session_start(m->session) != SZ_OK)
        return modes_fail(EXIT_RUNTIME, "%s", sz_session_last_error(m->session));
    if (host_start(m->h, m->session) != SZ_OK)
        return modes_fail(EXIT_RUNTIME, "cannot start the host thread");
    if (m->listen && listening_start(m->listen, err, sizeof err) != SZ_OK)
        return modes_fail(EXIT_RUNTIME, "%s", err);

    if (m->api) {
        if (api_serve(m->api, err, sizeof err) != SZ_OK)
            return modes_fail(EXIT_RUNTIME, "%s", err);
        if (!m->o.quiet)
            fprintf(stderr, "shuzi: control API on http://%s:%d%s\n", api_addr, api_port(m->api),
                    api_token && *api_token ? " (bearer token required)" : "");
    }
    return -1;
}

/* Runs until a signal, the duration, a failure or (kiosk without API) the
 * end of stdin; then stops the host and finishes the session. */
static int modes_room_run(modes_room *m)
{
    int64_t end = m->o.duration > 0 ? clock_now_us() + (int64_t)(m->o.duration * 1e6) : INT64_MAX;
    int ended_by_input = 0;
    while (!atomic_load(&modes_signalled) && !atomic_load(&m->failed) && clock_now_us() < end) {
        if (m->stdin_started && !m->api && atomic_load(&m->stdin_done) &&
            (!m->listen || !listening_busy(m->listen))) {
            /* nothing more can come: finish what was asked, then stop */
            if (host_wait_idle(m->h, 100000)) {
                ended_by_input = 1;
                break;
            }
            continue;
        }
        modes_sleep_ms(100);
        int closed = 0; /* the kiosk window closed by its user ends the session */
        sz_output_stats os;
        for (int i = 0; i < 8 && sz_session_get_output_stats(m->session, i, &os) == SZ_OK; i++)
            closed |= os.closed;
        if (closed)
            break;
    }
    (void)ended_by_input;
    atomic_store(&m->stop, 1);
    api_stop(&m->api);
    listening_stop(m->listen);
    host_stop(m->h);
    sz_session_interrupt(m->session); /* nothing queued is spoken after the stop */
    int rc = sz_session_finish(m->session);
    if (atomic_load(&m->failed) || (rc != SZ_OK && rc != SZ_ERR_CANCELLED)) {
        const char *why = sz_session_last_error(m->session);
        return modes_fail(EXIT_RUNTIME, "%s", *why ? why : sz_strerror(rc));
    }
    if (!m->o.quiet) {
        /* the session's frames, then what each output did with them: a push
         * drops frames by itself while it is slow or reconnecting */
        sz_session_stats st;
        sz_session_get_stats(m->session, &st);
        char per_out[8 * 300] = "";
        size_t k = 0;
        for (int i = 0; i < 8; i++) {
            sz_output_stats os;
            if (sz_session_get_output_stats(m->session, i, &os) != SZ_OK)
                break;
            int w = snprintf(per_out + k, sizeof per_out - k,
                             "; %.200s: %lld written, %lld dropped", os.url ? os.url : "output",
                             (long long)os.frames_written, (long long)os.frames_dropped);
            if (w > 0 && os.reconnects > 0 && (size_t)w < sizeof per_out - k)
                w += snprintf(per_out + k + (size_t)w, sizeof per_out - k - (size_t)w,
                              ", %lld reconnect%s", (long long)os.reconnects,
                              os.reconnects == 1 ? "" : "s");
            if (w < 0 || (size_t)w >= sizeof per_out - k)
                break;
            k += (size_t)w;
        }
        per_out[k] = 0;
        fprintf(stderr,
                "shuzi: %s stopped after %.1f s (%lld frames, %lld skipped by the clock%s)\n",
                m->cmd, st.sample_rate_hz ? (double)st.samples_out / st.sample_rate_hz : 0.0,
                (long long)st.frames_out, (long long)st.frames_dropped, per_out);
    }
    return 0;
}

static int modes_room_prepare(modes_room *m, const char *cmd, int argc, char **argv)
{
    memset(m, 0, sizeof *m);
    m->cmd = cmd;
    int rc = modes_parse(cmd, argc, argv, &m->o);
    if (rc >= 0)
        return rc;
    if (optind < argc)
        return modes_fail(EXIT_USAGE, "%s: unexpected argument '%s' (see 'shuzi %s --help')", cmd,
                          argv[optind], cmd);
    sz_set_log_callback(modes_log, NULL);
    modes_signals_start();
    config_defaults(&m->cfg);
    config_modes_defaults(&m->defaults);
    if ((rc = modes_config(&m->o, &m->cfg)) >= 0)
        return rc;
    m->mc = m->cfg.mode ? m->cfg.mode : &m->defaults;
    return -1;
}

int modes_live(int argc, char **argv)
{
    modes_room m;
    int rc = modes_room_prepare(&m, "live", argc, argv);
    if (rc < 0) {
        const char *outs[MODES_MAX_OUTPUTS];
        int n = 0;
        if (m.o.n_outs)
            for (int i = 0; i < m.o.n_outs; i++)
                outs[n++] = m.o.outs[i];
        else
            for (int i = 0; i < m.mc->n_outputs; i++)
                outs[n++] = m.mc->outputs[i];
        char options[160];
        const char *opts[MODES_MAX_OUTPUTS];
        if (modes_encoder_options(&m.o, options, sizeof options) != 0)
            rc = modes_fail(EXIT_USAGE, "--preset: value too long");
        for (int i = 0; i < n; i++)
            opts[i] = options[0] ? options : NULL;
        if (rc < 0 && n == 0)
            rc = modes_fail(EXIT_USAGE, "live: no output: give --out URL (for example "
                                        "rtmp://host/live/KEY) or \"outputs\" in the config");
        if (rc < 0)
            rc = modes_room_start(&m, outs, opts, n);
        if (rc < 0) {
            if (!m.o.quiet && m.listen)
                fprintf(stderr, "shuzi: %s\n", listening_describe(m.listen));
            if (!m.o.quiet) {
                int items = m.n_lines ? m.n_lines : m.mc->n_products;
                sz_output_stats os; /* its URL with the stream key hidden */
                int have = sz_session_get_output_stats(m.session, 0, &os) == SZ_OK && os.url;
                if (m.o.no_present) /* nothing is presented: say so, not the products */
                    fprintf(stderr,
                            "shuzi: live on %s%s; %s; only answering (--no-present); Ctrl-C "
                            "stops\n",
                            have ? os.url : "the outputs", n > 1 ? " and more" : "",
                            m.backend_desc);
                else
                    fprintf(stderr, "shuzi: live on %s%s; %s; %d %s to present; Ctrl-C stops\n",
                            have ? os.url : "the outputs", n > 1 ? " and more" : "", m.backend_desc,
                            items, m.n_lines ? "lines" : "products");
            }
            rc = modes_room_run(&m);
        }
    }
    modes_room_free(&m);
    return rc;
}

int modes_kiosk(int argc, char **argv)
{
    modes_room m;
    int rc = modes_room_prepare(&m, "kiosk", argc, argv);
    if (rc < 0) {
        const char *outs[MODES_MAX_OUTPUTS + 2];
        const char *opts[MODES_MAX_OUTPUTS + 2];
        char speaker[300];
        int n = 0;
        int full = m.o.fullscreen || m.mc->kiosk_fullscreen;
        /* an --out speaker:... or window:... given replaces the kiosk's own */
        int own_speaker = 0, own_window = 0;
        for (int i = 0; i < m.o.n_outs; i++) {
            own_speaker |= strncmp(m.o.outs[i], "speaker:", 8) == 0;
            own_window |= strncmp(m.o.outs[i], "window:", 7) == 0;
        }
        if (!m.o.no_window && !own_window) {
            opts[n] = NULL;
            outs[n++] = full ? "window:fullscreen" : "window:";
        }
        if (!m.o.no_speakers && !own_speaker) {
            const char *dev = m.o.audio_dev ? m.o.audio_dev : m.mc->kiosk_audio_device;
            snprintf(speaker, sizeof speaker, "speaker:%s", dev ? dev : "");
            opts[n] = NULL;
            outs[n++] = speaker;
        }
        for (int i = 0; i < m.o.n_outs; i++) {
            opts[n] = NULL;
            outs[n++] = m.o.outs[i];
        }
        if (n == 0)
            rc = modes_fail(EXIT_USAGE, "kiosk: --no-window and --no-speakers leave no output "
                                        "(add --out FILE)");
        if (rc < 0)
            rc = modes_room_start(&m, outs, opts, n);
        if (rc < 0) {
            m.print_from = ev_hub_head(host_events(m.h));
            m.print_started = pthread_create(&m.print_thread, NULL, modes_room_print_main, &m) == 0;
            const char *greeting =
                m.mc->greeting ? m.mc->greeting : "Hello! How can I help you today?";
            if (*greeting)
                host_say(m.h, greeting, 0, 0);
            m.stdin_started = pthread_create(&m.stdin_thread, NULL, modes_room_stdin_main, &m) == 0;
            if (!m.o.quiet) {
                if (m.listen)
                    fprintf(stderr, "shuzi: %s\n", listening_describe(m.listen));
                fprintf(stderr, "shuzi: kiosk ready (%s): %s%s\n", m.backend_desc,
                        m.listen ? "speak, or type a question and press Enter"
                                 : "type a question and press Enter",
                        m.api ? "; Ctrl-C stops" : "");
            }
            rc = modes_room_run(&m);
        }
    }
    modes_room_free(&m);
    return rc;
}
