/* SPDX-License-Identifier: Apache-2.0 */
/* modes.c: what the three production commands of DESIGN.md share: their
 * help, options, config and signal handling. The commands themselves:
 * render (an explainer script to a video file, demos/render_cmd.c), live and
 * kiosk (a room on the air or on a screen, demos/room_cmd.c). */
#include "demos/modes.h"
#include "demos/modes_internal.h"

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


int modes_verbose;

int modes_fail(int code, const char *fmt, ...)
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
void modes_log(sz_log_level level, const char *tag, const char *msg, void *user)
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
int modes_parse(const char *cmd, int argc, char **argv, modes_opts *o)
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
int modes_config(const modes_opts *o, sz_config *cfg)
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

int modes_encoder_options(const modes_opts *o, char *out, size_t cap)
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

void modes_sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}
