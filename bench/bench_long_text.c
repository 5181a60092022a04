/* SPDX-License-Identifier: Apache-2.0 */
/* bench_long_text.c: peak memory (RSS) and wall time of `shuzi tts` on long
 * texts: the first 5, 20, 80 and 200 KB of a text, each said as one
 * utterance to a WAV file. A session streams, so the peak should not grow
 * with the length (the audio alone is 4 bytes a sample, ~5 MB per KB).
 * Usage: bench_long_text [TEXT_FILE [VOICE [MAX_KB]]]. TEXT_FILE: plain text,
 * or an LJ Speech style metadata file (id|text|normalized: the second field
 * of each line is read); without it, a few sentences are repeated. VOICE
 * defaults to espeak:en-us. Runs the shuzi binary next to it. */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *bench_sentences[] = {
    "Welcome to our bank, where a savings account takes ten minutes to open.",
    "Please have your identity card ready and sign where the clerk shows you.",
    "The printing press changed how books were made in the fifteenth century.",
    "Each letter was cast in metal, set by hand, inked and pressed onto paper.",
    "Our live room opens at eight tonight with three new products to show.",
};

static double bench_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* Appends s (len bytes) to out, cut at n bytes in all. */
static void bench_put(FILE *out, const char *s, size_t len, size_t n, size_t *done)
{
    if (len > n - *done)
        len = n - *done;
    fwrite(s, 1, len, out);
    *done += len;
}

/* Writes the first n bytes of the text to path: TEXT_FILE's lines (their
 * second '|' field when they have one, each with its newline), or the
 * repeated sentences. Returns the bytes written (fewer when the file is
 * shorter), -1 on error. */
static long bench_text(const char *src, size_t n, const char *path)
{
    FILE *out = fopen(path, "w");
    if (!out)
        return -1;
    size_t done = 0;
    if (src) {
        FILE *in = fopen(src, "r");
        if (!in) {
            fclose(out);
            return -1;
        }
        char *line = NULL;
        size_t cap = 0;
        while (done < n && getline(&line, &cap, in) >= 0) {
            char *field = line, *bar = strchr(line, '|');
            if (bar) {
                field = bar + 1;
                field[strcspn(field, "|\n")] = 0;
            } else {
                field[strcspn(field, "\n")] = 0;
            }
            bench_put(out, field, strlen(field), n, &done);
            bench_put(out, "\n", 1, n, &done);
        }
        free(line);
        fclose(in);
    } else {
        size_t k = sizeof bench_sentences / sizeof bench_sentences[0];
        for (size_t i = 0; done < n; i++) {
            bench_put(out, bench_sentences[i % k], strlen(bench_sentences[i % k]), n, &done);
            bench_put(out, i % 4 == 3 ? "\n" : " ", 1, n, &done);
        }
    }
    return fclose(out) == 0 ? (long)done : -1;
}

/* Seconds of 16-bit mono speech in a WAV file (its header's rate). */
static double bench_wav_seconds(const char *path)
{
    FILE *f = fopen(path, "rb");
    unsigned char h[44];
    double s = 0;
    if (f && fread(h, 1, sizeof h, f) == sizeof h) {
        unsigned rate = h[24] | h[25] << 8 | h[26] << 16 | (unsigned)h[27] << 24;
        struct stat st;
        if (rate > 0 && fstat(fileno(f), &st) == 0)
            s = (double)(st.st_size - 44) / 2 / rate;
    }
    if (f)
        fclose(f);
    return s;
}

/* Runs `shuzi tts --voice VOICE - -o wav -q < text`; peak RSS in MB. */
static int bench_run(const char *bin, const char *voice, const char *text, const char *wav,
                     double *wall_s, double *rss_mb)
{
    double t0 = bench_now();
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        int fd = open(text, O_RDONLY);
        if (fd < 0 || dup2(fd, 0) < 0)
            _exit(127);
        execl(bin, bin, "tts", "--voice", voice, "-", "-o", wav, "-q", (char *)NULL);
        _exit(127);
    }
    int status;
    struct rusage ru;
    if (wait4(pid, &status, 0, &ru) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
        return -1;
    *wall_s = bench_now() - t0;
    *rss_mb = (double)ru.ru_maxrss / 1024.0;
    return 0;
}

int main(int argc, char **argv)
{
    const char *src = argc > 1 ? argv[1] : NULL;
    const char *voice = argc > 2 ? argv[2] : "espeak:en-us";
    long max_kb = argc > 3 ? atol(argv[3]) : 200;
    if (argc > 4 || max_kb < 1) {
        fprintf(stderr, "usage: bench_long_text [TEXT_FILE [VOICE [MAX_KB]]]\n");
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
        fprintf(stderr, "bench_long_text: %s not found (build the shuzi target)\n", bin);
        return 1;
    }
    char dir[] = "/tmp/shuzi-bench-XXXXXX";
    if (!mkdtemp(dir))
        return 1;
    char text[256], wav[256];
    snprintf(text, sizeof text, "%s/text.txt", dir);
    snprintf(wav, sizeof wav, "%s/speech.wav", dir);

    printf("bench_long_text: shuzi tts --voice %s, text %s\n", voice,
           src ? src : "(repeated sentences)");
    printf("  %9s %11s %9s %13s\n", "text", "speech", "wall", "peak RSS");
    static const long sizes_kb[] = {5, 20, 80, 200};
    int rc = 0;
    for (size_t i = 0; i < sizeof sizes_kb / sizeof sizes_kb[0] && sizes_kb[i] <= max_kb; i++) {
        long bytes = bench_text(src, (size_t)sizes_kb[i] * 1000, text);
        if (bytes <= 0) {
            fprintf(stderr, "bench_long_text: cannot read or write the text\n");
            rc = 1;
            break;
        }
        double wall, rss;
        if (bench_run(bin, voice, text, wav, &wall, &rss) != 0) {
            fprintf(stderr, "bench_long_text: shuzi tts failed on %ld bytes\n", bytes);
            rc = 1;
            break;
        }
        printf("  %6ld KB %9.0f s %7.2f s %10.1f MB\n", bytes / 1000, bench_wav_seconds(wav), wall,
               rss);
        unlink(wav);
        if (bytes < sizes_kb[i] * 1000)
            break; /* the file holds no more */
    }
    unlink(text);
    rmdir(dir);
    return rc;
}
