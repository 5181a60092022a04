/* SPDX-License-Identifier: Apache-2.0 */
/* bench_render.c: wall time, peak memory and real-time factor of `shuzi say`
 * rendering a ~10-second utterance at 720p30 to MP4, beside the same text to
 * WAV only (speech without video), measured in one run, medians of N runs.
 * Usage: bench_render [RUNS] (default 5). Runs the shuzi binary next to it. */
#include <libavformat/avformat.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *bench_text =
    "Welcome to our bank. Today I will explain how to open a savings account, which "
    "documents you need, and how long it takes. Please have your identity card ready.";

typedef struct bench_run {
    double wall_s;
    double maxrss_mb;
} bench_run;

static double bench_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int bench_exec(char *const argv[], bench_run *out)
{
    double t0 = bench_now();
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        execv(argv[0], argv);
        _exit(127);
    }
    int status;
    struct rusage ru;
    if (wait4(pid, &status, 0, &ru) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
        return -1;
    out->wall_s = bench_now() - t0;
    out->maxrss_mb = (double)ru.ru_maxrss / 1024.0;
    return 0;
}

static int bench_cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double bench_median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, bench_cmp);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

static double bench_duration(const char *path)
{
    AVFormatContext *fc = NULL;
    if (avformat_open_input(&fc, path, NULL, NULL) < 0)
        return -1;
    avformat_find_stream_info(fc, NULL);
    double d = fc->duration > 0 ? (double)fc->duration / AV_TIME_BASE : -1;
    avformat_close_input(&fc);
    return d;
}

int main(int argc, char **argv)
{
    int runs = argc > 1 ? atoi(argv[1]) : 5;
    if (runs < 1 || runs > 100) {
        fprintf(stderr, "usage: bench_render [RUNS 1..100]\n");
        return 2;
    }
    char bin[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", bin, sizeof bin - 16);
    if (n <= 0)
        return 1;
    bin[n] = 0;
    char *slash = strrchr(bin, '/');
    strcpy(slash + 1, "shuzi");
    if (access(bin, X_OK) != 0) {
        fprintf(stderr, "bench_render: %s not found (build the shuzi target)\n", bin);
        return 1;
    }
    char dir[] = "/tmp/shuzi-bench-XXXXXX";
    if (!mkdtemp(dir))
        return 1;
    char mp4[256], wav[256];
    snprintf(mp4, sizeof mp4, "%s/render.mp4", dir);
    snprintf(wav, sizeof wav, "%s/speech.wav", dir);
    char *video_cmd[] = {bin, "say", (char *)bench_text, "-o", mp4, "--size", "1280x720", "--fps",
                         "30", "-q", NULL};
    char *audio_cmd[] = {bin, "tts", (char *)bench_text, "-o", wav, "-q", NULL};

    double vw[100], vm[100], aw[100], am[100];
    for (int i = 0; i < runs; i++) { /* interleaved, so both see the same machine load */
        bench_run v, a;
        if (bench_exec(video_cmd, &v) != 0 || bench_exec(audio_cmd, &a) != 0) {
            fprintf(stderr, "bench_render: a shuzi run failed\n");
            return 1;
        }
        vw[i] = v.wall_s, vm[i] = v.maxrss_mb, aw[i] = a.wall_s, am[i] = a.maxrss_mb;
    }
    double dur = bench_duration(mp4);
    double speech = bench_duration(wav);
    double mvw = bench_median(vw, runs), mvm = bench_median(vm, runs);
    double maw = bench_median(aw, runs), mam = bench_median(am, runs);
    printf("bench_render: %d runs, medians; text of %zu characters\n", runs, strlen(bench_text));
    printf("  media duration                  %8.2f s MP4, %.2f s WAV (both with 0.7 s idle lead-in/tail)\n",
           dur, speech);
    printf("  say -> 1280x720 30 fps MP4      %8.2f s wall  %7.1f MB peak RSS  render/audio %.3f\n",
           mvw, mvm, mvw / dur);
    printf("  tts -> WAV (speech only)        %8.2f s wall  %7.1f MB peak RSS  synth/audio  %.3f\n",
           maw, mam, maw / speech);
    printf("  video pipeline cost / speech-only cost: %.1fx\n", mvw / maw);
    unlink(mp4);
    unlink(wav);
    rmdir(dir);
    return 0;
}
