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

#include "core/json.h"
#include "engine/config.h"
#include "shuzi.h"

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
            "  say TEXT -o OUT      speak TEXT and write a video (.mp4 .mkv) or audio (.wav)\n"
            "  tts TEXT -o OUT.wav  speech only, with optional speech marks\n"
            "  voices               list installed voices\n"
            "  avatars              list installed avatars\n"
            "  help [COMMAND]       show help for a command\n"
            "\n"
            "Not yet in this version: lipsync, render, live, kiosk, bench (see the README).\n"
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
            "      --voice NAME      voice (default espeak:en-us; see 'shuzi voices')\n"
            "      --rate X          speaking rate, 0.3 to 3.0 (default 1.0)\n",
            cmd,
            tts ? "Synthesizes speech to a WAV file." :
                  "Speaks TEXT with a talking avatar and writes a video file.",
            tts ? "output .wav" : "output: .mp4 or .mkv (H.264 + AAC), or .wav (audio only)");
    if (!tts)
        fprintf(f,
                "      --avatar NAME     avatar (default 'default'; see 'shuzi avatars')\n"
                "      --size WxH        video size (default 1280x720)\n"
                "      --fps N           frames per second (default 30)\n"
                "      --background C    #RRGGBB or black, white, green, blue, gray, navy\n"
                "      --seed N          seed for idle motion (same seed, same video)\n"
                "      --config FILE     session config (JSON); flags override it\n"
                "      --crf N           H.264 quality, 0 (best) to 51 (default 23)\n"
                "      --preset NAME     x264 preset (default veryfast)\n");
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
    fprintf(f, "Usage: shuzi %s\n\nLists installed %s: name, kind, language, sample rate.\n", cmd,
            cmd);
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

static void temp_name(char *dst, size_t cap, const char *path)
{
    const char *slash = strrchr(path, '/');
    if (slash)
        snprintf(dst, cap, "%.*s/.%s.partial-%d", (int)(slash - path), path, slash + 1,
                 (int)getpid());
    else
        snprintf(dst, cap, ".%s.partial-%d", path, (int)getpid());
}

/* Opens the marks file under a temporary name (fails early if unwritable). */
static FILE *marks_open(const char *path, char *tmp, size_t cap)
{
    temp_name(tmp, cap, path);
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
    int signalled;
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

static sigset_t cli_signals;
static pthread_mutex_t cli_sig_lock = PTHREAD_MUTEX_INITIALIZER;
static cli_run *cli_active_run;
static int cli_pending_signal;

/* First signal: cancel the run cleanly (outputs removed). Second: exit now. */
static void *signal_main(void *arg)
{
    (void)arg;
    int sig, count = 0;
    while (sigwait(&cli_signals, &sig) == 0) {
        if (++count > 1)
            _exit(128 + sig);
        pthread_mutex_lock(&cli_sig_lock);
        if (cli_active_run) {
            cli_active_run->signalled = sig;
            sz_session_cancel(cli_active_run->session);
        } else {
            cli_pending_signal = sig;
        }
        pthread_mutex_unlock(&cli_sig_lock);
    }
    return NULL;
}

static void cli_set_active_run(cli_run *run)
{
    pthread_mutex_lock(&cli_sig_lock);
    cli_active_run = run;
    if (run && cli_pending_signal) {
        run->signalled = cli_pending_signal;
        sz_session_cancel(run->session);
    }
    pthread_mutex_unlock(&cli_sig_lock);
}

/* ---- say / tts -------------------------------------------------------- */

static int has_ext(const char *path, const char *ext)
{
    size_t n = strlen(path), e = strlen(ext);
    return n > e && strcasecmp(path + n - e, ext) == 0;
}

static int cmd_say(int argc, char **argv, const char *cmd)
{
    int tts_only = strcmp(cmd, "tts") == 0;
    enum { OPT_MARKS = 256, OPT_SSML, OPT_VOICE, OPT_AVATAR, OPT_SIZE, OPT_FPS, OPT_BG, OPT_SEED,
           OPT_CONFIG, OPT_RATE, OPT_CRF, OPT_PRESET };
    static const struct option opts[] = {
        {"output", required_argument, 0, 'o'},   {"marks", required_argument, 0, OPT_MARKS},
        {"ssml", no_argument, 0, OPT_SSML},      {"voice", required_argument, 0, OPT_VOICE},
        {"avatar", required_argument, 0, OPT_AVATAR}, {"size", required_argument, 0, OPT_SIZE},
        {"fps", required_argument, 0, OPT_FPS},  {"background", required_argument, 0, OPT_BG},
        {"seed", required_argument, 0, OPT_SEED}, {"config", required_argument, 0, OPT_CONFIG},
        {"rate", required_argument, 0, OPT_RATE}, {"crf", required_argument, 0, OPT_CRF},
        {"preset", required_argument, 0, OPT_PRESET}, {"quiet", no_argument, 0, 'q'},
        {"verbose", no_argument, 0, 'v'},        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    const char *out = NULL, *marks_path = NULL, *config_path = NULL;
    const char *voice = NULL, *avatar = NULL, *size = NULL, *bg = NULL, *preset = NULL;
    long fps = -1, crf = -1;
    double rate = -1;
    long long seed = -1;
    int ssml = 0, quiet = 0;
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
        case OPT_VOICE: voice = optarg; break;
        case OPT_AVATAR: avatar = optarg; break;
        case OPT_SIZE: size = optarg; break;
        case OPT_BG: bg = optarg; break;
        case OPT_CONFIG: config_path = optarg; break;
        case OPT_PRESET: preset = optarg; break;
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
                         c == OPT_SEED || c == OPT_CONFIG || c == OPT_CRF || c == OPT_PRESET))
            return fail(EXIT_USAGE, "tts: option '%s' is for video ('shuzi say')",
                        argv[optind - 1]);
    }
    if (optind >= argc)
        return fail(EXIT_USAGE, "%s: missing TEXT (see 'shuzi %s --help')", cmd, cmd);
    if (optind + 1 < argc)
        return fail(EXIT_USAGE, "%s: unexpected argument '%s' (quote the text: shuzi %s \"...\")",
                    cmd, argv[optind + 1], cmd);
    if (!out)
        return fail(EXIT_USAGE, "%s: missing -o OUT (see 'shuzi %s --help')", cmd, cmd);
    if (tts_only && !has_ext(out, ".wav"))
        return fail(EXIT_USAGE, "tts: output must be a .wav file (use 'shuzi say' for video)");
    if (marks_path && !has_ext(marks_path, ".jsonl"))
        return fail(EXIT_USAGE, "--marks '%s': expected a .jsonl file", marks_path);
    if (verbose)
        sz_set_log_level(SZ_LOG_INFO);

    sz_config cfg;
    config_defaults(&cfg);
    if (config_path && config_load(config_path, &cfg, err, sizeof err) != SZ_OK)
        return fail(EXIT_RUNTIME, "%s", err);
    if (size && config_parse_size(size, &cfg.width, &cfg.height, err, sizeof err) != SZ_OK)
        return fail(EXIT_USAGE, "--%s", err);
    if (bg && config_parse_color(bg, &cfg.background_rgb, err, sizeof err) != SZ_OK)
        return fail(EXIT_USAGE, "--background: %s", err);
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

    char *text = argv[optind];
    char *owned = NULL;
    if (strcmp(text, "-") == 0) {
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
    pthread_t progress_thread, signal_thread;
    int progress_started = 0;

    /* Signals go to one thread, which cancels the session cleanly. Block them
     * before any thread exists (encoders start their own), so all inherit it. */
    sigemptyset(&cli_signals);
    sigaddset(&cli_signals, SIGINT);
    sigaddset(&cli_signals, SIGTERM);
    sigaddset(&cli_signals, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &cli_signals, NULL);
    if (pthread_create(&signal_thread, NULL, signal_main, NULL) == 0)
        pthread_detach(signal_thread);

    if (sz_engine_create(sz_engine_default_params(), &engine) != SZ_OK) {
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
    char options[128] = "";
    size_t used = 0;
    if (crf >= 0)
        used += (size_t)snprintf(options + used, sizeof options - used, "crf=%ld", crf);
    if (preset)
        used += (size_t)snprintf(options + used, sizeof options - used, "%spreset=%s",
                                 used ? ":" : "", preset);
    if (used >= sizeof options) {
        fail(EXIT_USAGE, "--preset: value too long");
        rc = EXIT_USAGE;
        goto done;
    }
    if (sz_session_add_output(session, out, used ? options : NULL) != SZ_OK) {
        fail(EXIT_RUNTIME, "%s", sz_session_last_error(session));
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
    cli_set_active_run(&run);

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
        else
            fail(EXIT_RUNTIME, "cannot queue the text: %s", sz_strerror(id));
        goto done;
    }
    e = sz_session_finish(session);
    if (e != SZ_OK) {
        if (run.signalled)
            fail(EXIT_RUNTIME, "interrupted by signal %d: no output written", run.signalled);
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
        fprintf(stderr, "%s: wrote %s (%.2f s%s)\n", prog, out,
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
    cli_set_active_run(NULL);
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

static int print_voice(const sz_voice_info *v, void *user)
{
    (void)user;
    printf("%-24s %-10s %-10s %6d Hz  %s\n", v->name, v->kind, v->language, v->sample_rate_hz,
           v->description ? v->description : "");
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
    printf("%-24s %-10s %-10s %9s  %s\n", "NAME", "KIND", "LANGUAGE", "RATE", "DESCRIPTION");
    int rc = sz_engine_list_voices(engine, print_voice, NULL);
    sz_engine_free(&engine);
    return rc == SZ_OK ? 0 : fail(EXIT_RUNTIME, "cannot list voices: %s", sz_strerror(rc));
}

static int cmd_avatars(int argc, char **argv)
{
    if (argc > 1 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
        usage_list(stdout, "avatars");
        return 0;
    }
    if (argc > 1)
        return fail(EXIT_USAGE, "avatars: unexpected argument '%s'", argv[1]);
    printf("NAME      KIND\ndefault   2d-cairo (built in: a presenter in a suit)\n");
    return 0;
}

int main(int argc, char **argv)
{
    sz_set_log_callback(cli_log, NULL);
    if (argc < 2)
        return fail(EXIT_USAGE, "missing command (see 'shuzi --help')");
    const char *cmd = argv[1];
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
        usage_main(stdout);
        return 0;
    }
    if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) {
        printf("shuzi %s\n", sz_version());
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
    static const char *const later[] = {"lipsync", "render", "live", "kiosk", "bench", NULL};
    for (const char *const *l = later; *l; l++)
        if (strcmp(cmd, *l) == 0)
            return fail(EXIT_RUNTIME, "'%s' is not implemented in shuzi %s yet", cmd,
                        sz_version());
    return fail(EXIT_USAGE, "unknown command '%s' (see 'shuzi --help')", cmd);
}
