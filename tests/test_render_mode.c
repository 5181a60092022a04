/* SPDX-License-Identifier: Apache-2.0 */
/* test_render_mode.c: `shuzi render` end to end: a script with a pause, an
 * expression and a background change rendered to MKV, checked with
 * libavformat: the pause is a silent gap of its length, the background is
 * the script's colour before and after the change, and the SRT/VTT cues
 * carry the sentences at their times (the second after the pause). Script
 * errors give one line with line:column and leave no file behind. */
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "files.h"

static char dir[] = "/tmp/shuzi-render-XXXXXX";

/* Runs argv with stdout and stderr to files; returns the exit code. */
static int run(char *const argv[], const char *out, const char *err)
{
    fflush(stdout); /* the child must not print our buffer again */
    pid_t pid = fork();
    if (pid == 0) {
        if (!freopen(out, "w", stdout) || !freopen(err, "w", stderr))
            _exit(126);
        execv(argv[0], argv);
        _exit(127);
    }
    int st;
    if (pid < 0 || waitpid(pid, &st, 0) < 0 || !WIFEXITED(st))
        return -1;
    return WEXITSTATUS(st);
}

/* ---- decoding ---------------------------------------------------------- */

#define WIN_MS 50

typedef struct probe {
    double duration;
    double rms[4096]; /* per 50 ms window */
    int n_win;
    int u_at[2], v_at[2]; /* chroma at the top-left corner, at the two probe times */
    int got_frame[2];
    double probe_t[2];
    char vcodec[32], acodec[32];
} probe;

static void probe_file(const char *path, probe *p)
{
    AVFormatContext *fc = NULL;
    if (avformat_open_input(&fc, path, NULL, NULL) < 0) {
        CHECK(0, "cannot open %s", path);
        return;
    }
    avformat_find_stream_info(fc, NULL);
    p->duration = fc->duration / (double)AV_TIME_BASE;
    int vs = av_find_best_stream(fc, AVMEDIA_TYPE_VIDEO, -1, -1, NULL, 0);
    int as = av_find_best_stream(fc, AVMEDIA_TYPE_AUDIO, -1, -1, NULL, 0);
    AVCodecContext *dec[2] = {NULL, NULL};
    int idx[2] = {vs, as};
    for (int k = 0; k < 2; k++) {
        if (idx[k] < 0)
            continue;
        const AVCodec *c = avcodec_find_decoder(fc->streams[idx[k]]->codecpar->codec_id);
        snprintf(k ? p->acodec : p->vcodec, 32, "%s", c ? c->name : "?");
        dec[k] = avcodec_alloc_context3(c);
        avcodec_parameters_to_context(dec[k], fc->streams[idx[k]]->codecpar);
        avcodec_open2(dec[k], c, NULL);
    }
    AVPacket *pkt = av_packet_alloc();
    AVFrame *fr = av_frame_alloc();
    double sum2[4096] = {0};
    long cnt[4096] = {0};
    while (av_read_frame(fc, pkt) >= 0) {
        int k = pkt->stream_index == vs ? 0 : pkt->stream_index == as ? 1 : -1;
        if (k >= 0 && dec[k] && avcodec_send_packet(dec[k], pkt) >= 0) {
            while (avcodec_receive_frame(dec[k], fr) >= 0) {
                AVRational tb = fc->streams[idx[k]]->time_base;
                double t = fr->best_effort_timestamp * av_q2d(tb);
                if (k == 0) {
                    for (int q = 0; q < 2; q++)
                        if (!p->got_frame[q] && t >= p->probe_t[q]) {
                            p->got_frame[q] = 1;
                            p->u_at[q] = fr->data[1][2 * fr->linesize[1] + 2];
                            p->v_at[q] = fr->data[2][2 * fr->linesize[2] + 2];
                        }
                } else {
                    for (int i = 0; i < fr->nb_samples; i++) {
                        float v =
                            fr->format == AV_SAMPLE_FMT_FLTP ? ((float *)fr->data[0])[i]
                            : fr->format == AV_SAMPLE_FMT_S16
                                ? ((int16_t *)fr->data[0])[i * fr->ch_layout.nb_channels] / 32768.0f
                                : 0;
                        int w = (int)((t + (double)i / fr->sample_rate) * 1000 / WIN_MS);
                        if (w >= 0 && w < 4096) {
                            sum2[w] += (double)v * v;
                            cnt[w]++;
                            if (w + 1 > p->n_win)
                                p->n_win = w + 1;
                        }
                    }
                }
            }
        }
        av_packet_unref(pkt);
    }
    for (int w = 0; w < p->n_win; w++)
        p->rms[w] = cnt[w] ? sqrt(sum2[w] / cnt[w]) : 0;
    av_frame_free(&fr);
    av_packet_free(&pkt);
    for (int k = 0; k < 2; k++)
        avcodec_free_context(&dec[k]);
    avformat_close_input(&fc);
}

/* The longest run of silent windows between the first and the last loud one. */
static double longest_gap_s(const probe *p, int *gap_start)
{
    int first = -1, last = -1;
    for (int w = 0; w < p->n_win; w++)
        if (p->rms[w] > 0.01) {
            if (first < 0)
                first = w;
            last = w;
        }
    int best = 0, run = 0;
    for (int w = first; w >= 0 && w <= last; w++) {
        if (p->rms[w] < 0.001) {
            run++;
            if (run > best) {
                best = run;
                *gap_start = w - run + 1;
            }
        } else {
            run = 0;
        }
    }
    return best * WIN_MS / 1000.0;
}

/* SRT: "HH:MM:SS,mmm --> HH:MM:SS,mmm" lines. */
static int parse_cues(const char *text, double *start, double *end, char texts[][256], int max)
{
    int n = 0;
    const char *p = text;
    while ((p = strstr(p, " --> ")) && n < max) {
        const char *ls = p;
        while (ls > text && ls[-1] != '\n')
            ls--;
        int h1, m1, s1, ms1, h2, m2, s2, ms2;
        char sep1, sep2;
        if (sscanf(ls, "%d:%d:%d%c%d --> %d:%d:%d%c%d", &h1, &m1, &s1, &sep1, &ms1, &h2, &m2, &s2,
                   &sep2, &ms2) == 10) {
            start[n] = h1 * 3600 + m1 * 60 + s1 + ms1 / 1000.0;
            end[n] = h2 * 3600 + m2 * 60 + s2 + ms2 / 1000.0;
            const char *body = strchr(p, '\n');
            const char *stop = body ? strstr(body + 1, "\n\n") : NULL;
            size_t len = body && stop ? (size_t)(stop - body - 1) : 0;
            snprintf(texts[n], 256, "%.*s", (int)(len < 255 ? len : 255), body ? body + 1 : "");
            for (char *c = texts[n]; *c; c++)
                if (*c == '\n')
                    *c = ' ';
            n++;
        }
        p += 5;
    }
    return n;
}

int main(void)
{
    const char *bin = getenv("SHUZI_BIN"), *src = getenv("SHUZI_SOURCE_DIR");
    if (!bin || !src) {
        fprintf(stderr, "SHUZI_BIN and SHUZI_SOURCE_DIR must be set\n");
        return 1;
    }
    if (!mkdtemp(dir))
        return 1;
    char script[256], mkv[256], srt[256], vtt[256], out[256], err[256];
    snprintf(script, sizeof script, "%s/talk.txt", dir);
    snprintf(mkv, sizeof mkv, "%s/talk.mkv", dir);
    snprintf(srt, sizeof srt, "%s/talk.srt", dir);
    snprintf(vtt, sizeof vtt, "%s/talk.vtt", dir);
    snprintf(out, sizeof out, "%s/stdout", dir);
    snprintf(err, sizeof err, "%s/stderr", dir);
    write_file(script, "# a test script\n"
                       "[background #ff0000]\n"
                       "[expression happy]\n"
                       "One, two, three.\n"
                       "[pause 2s]\n"
                       "[background #0000ff]\n"
                       "[expression neutral]\n"
                       "Four, five, six. [[Seven]]\n");

    /* 1. the render */
    char *argv1[] = {(char *)bin, "render", script,    "-o",         mkv, "--subtitles",
                     srt,         "--size", "320x180", "--progress", NULL};
    int rc = run(argv1, out, err);
    char *e = slurp(err), *o = slurp(out);
    CHECK(rc == 0, "render exit %d: %s", rc, e);
    CHECK(o[0] == 0, "nothing on stdout: '%s'", o);
    CHECK(strstr(e, "%  ") && strstr(e, "ETA") && strstr(e, "real time") &&
              strstr(e, "shuzi: wrote ") && strstr(e, "cues)"),
          "progress bar and summary on stderr: %s", e);
    free(e);
    free(o);
    probe p;
    memset(&p, 0, sizeof p);
    p.probe_t[0] = 0.5;
    probe_file(mkv, &p);
    int gap_w = 0;
    double gap = longest_gap_s(&p, &gap_w);
    CHECK(gap >= 1.9 && gap <= 2.6, "the [pause 2s] is a silent gap of %.2f s", gap);
    double gap_start = gap_w * WIN_MS / 1000.0;
    CHECK(strcmp(p.vcodec, "h264") == 0 && strcmp(p.acodec, "aac") == 0, "codecs %s %s", p.vcodec,
          p.acodec);
    CHECK(p.duration > 5 && p.duration < 10, "duration %.2f s", p.duration);
    /* red before the change: V high, U low; blue after: U high, V low */
    CHECK(p.got_frame[0] && p.v_at[0] > 200 && p.u_at[0] < 120, "red background: U %d V %d",
          p.u_at[0], p.v_at[0]);
    memset(&p, 0, sizeof p);
    p.probe_t[0] = 0.5;
    p.probe_t[1] = gap_start + 2.3; /* after the pause: the new background */
    probe_file(mkv, &p);
    CHECK(p.got_frame[1] && p.u_at[1] > 200 && p.v_at[1] < 130,
          "blue background after the change (t=%.2f): U %d V %d", p.probe_t[1], p.u_at[1],
          p.v_at[1]);

    /* subtitles */
    char *s = slurp(srt);
    double cs[32], ce[32];
    char ct[32][256];
    int n = parse_cues(s, cs, ce, ct, 32);
    CHECK(n == 3, "3 cues, got %d: %s", n, s);
    if (n == 3) {
        CHECK(strncmp(s, "1\n", 2) == 0 && strstr(s, ",") != NULL, "SRT numbering and commas");
        CHECK(strcmp(ct[0], "One, two, three.") == 0 && strcmp(ct[1], "Four, five, six.") == 0 &&
                  strcmp(ct[2], "[Seven]") == 0,
              "cue texts '%s' '%s' '%s'", ct[0], ct[1], ct[2]);
        CHECK(cs[2] >= ce[1], "cues in order without overlap");
        CHECK(cs[0] >= 0.25 && cs[0] < 0.6, "first cue after the 300 ms lead-in: %.3f", cs[0]);
        CHECK(ce[0] > cs[0] && cs[1] >= ce[0] && cs[1] - ce[0] >= 1.9,
              "second cue after the pause: %.3f-%.3f, %.3f", cs[0], ce[0], cs[1]);
        CHECK(fabs(cs[1] - (gap_start + gap)) < 0.3,
              "second cue starts where the sound does again: %.3f vs %.3f", cs[1], gap_start + gap);
    }
    free(s);

    /* 2. VTT, from the same script */
    char *argv2[] = {(char *)bin, "render", script,    "-o", mkv, "--subtitles",
                     vtt,         "--size", "320x180", "-q", NULL};
    rc = run(argv2, out, err);
    s = slurp(vtt);
    e = slurp(err);
    CHECK(rc == 0 && e[0] == 0, "vtt render: %d '%s'", rc, e);
    n = parse_cues(s, cs, ce, ct, 32);
    CHECK(strncmp(s, "WEBVTT\n\n", 8) == 0 && n == 3 && strstr(s, "00:00:00."), "VTT: %d cues: %s",
          n, s);
    free(s);
    free(e);

    /* 3. errors: one line naming the place; nothing written */
    struct {
        const char *script, *want;
    } bad[] = {
        {"Hello.\n[pasue 1s]\n", "talk.txt:2:1: unknown directive 'pasue'"},
        {"Hello.\n  and [pause 5 seconds]\n",
         "talk.txt:2:7: pause '5 seconds': expected a duration"},
        {"Hi [expression glad]\n", "talk.txt:1:4: expression 'glad': expected neutral"},
        {"Hi [background purple-ish]\n", "talk.txt:1:4: background 'purple-ish': expected #RRGGBB"},
        {"Hi [background missing.png]\n", "talk.txt:1:4: background image"},
        {"Hi [pause 1s\n", "talk.txt:1:4: unclosed '['"},
        {"[pause 1s]\n# only a pause\n", "talk.txt: nothing to say"},
        {"Caf\xc3\n", "talk.txt:1:4: not valid UTF-8"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        write_file(script, bad[i].script);
        unlink(mkv);
        char *argv3[] = {(char *)bin, "render", script, "-o", mkv, "-q", NULL};
        rc = run(argv3, out, err);
        e = slurp(err);
        int lines = 0;
        for (char *c = e; *c; c++)
            lines += *c == '\n';
        CHECK(rc == 1 && lines == 1 && strncmp(e, "shuzi: ", 7) == 0 && strstr(e, bad[i].want) &&
                  access(mkv, F_OK) != 0,
              "bad script %zu: exit %d, stderr '%s' (want '%s')", i, rc, e, bad[i].want);
        free(e);
    }
    /* 4. Ctrl-C (here SIGTERM): exit 1, one line, nothing half-written */
    snprintf(script, sizeof script, "%s/demos/explainer.txt", src);
    unlink(mkv);
    unlink(srt);
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        if (!freopen(out, "w", stdout) || !freopen(err, "w", stderr))
            _exit(126);
        execl(bin, bin, "render", script, "-o", mkv, "--subtitles", srt, "--size", "320x180", "-q",
              (char *)NULL);
        _exit(127);
    }
    usleep(1500000);
    kill(pid, SIGTERM);
    int st;
    waitpid(pid, &st, 0);
    e = slurp(err);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 1 && strstr(e, "interrupted by signal 15") &&
              access(mkv, F_OK) != 0 && access(srt, F_OK) != 0,
          "SIGTERM: exit %d, '%s'", WIFEXITED(st) ? WEXITSTATUS(st) : -1, e);
    free(e);
    char lsdir[300];
    snprintf(lsdir, sizeof lsdir, "ls -A %s | grep -q partial", dir);
    CHECK(system(lsdir) != 0, "no partial files left in %s", dir);

    char *argv4[] = {(char *)bin, "render", script, "-o", mkv, "--subtitles", "x.txt", NULL};
    CHECK(run(argv4, out, err) == 2, "--subtitles x.txt is a usage error");
    char *argv5[] = {(char *)bin, "render", "/nonexistent/talk.txt", "-o", mkv, NULL};
    rc = run(argv5, out, err);
    e = slurp(err);
    CHECK(rc == 1 && strstr(e, "/nonexistent/talk.txt: No such file"), "missing script: %s", e);
    free(e);

    remove_tree(dir);
    return check_summary("test_render_mode");
}
