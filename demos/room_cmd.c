/* SPDX-License-Identifier: Apache-2.0 */
/* room_cmd.c: `shuzi live` and `shuzi kiosk`: a live session with the host
 * (answers, products, comments), the control API, and for the kiosk the
 * window, the speakers, questions on stdin and the microphone
 * (demos/modes.h). */
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

#include "demos/modes_internal.h"

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
        ap.max_per_ip = mc->api_max_per_ip;
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
    while (!modes_signal_received() && !atomic_load(&m->failed) && clock_now_us() < end) {
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
