/* SPDX-License-Identifier: Apache-2.0 */
/* test_session_memory.c: a long text streams through the session. `shuzi tts`
 * with the espeak voice says ~40 KB of text (about 45 minutes of speech,
 * 240 MB as float samples) and ~1 KB; the long run's peak RSS (the child's
 * ru_maxrss) may exceed the short run's by only a few MB, not by its audio.
 * Memory, not timing: the bound holds on any machine. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"

#if defined(__SANITIZE_ADDRESS__)
#define MEM_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define MEM_ASAN 1
#endif
#endif

#define MEM_LONG_BYTES 40000
#define MEM_SHORT_BYTES 1000
/* The long run may peak this much above the short one: its text, the
 * frontend's document and the lip-sync timeline, not its audio. */
#define MEM_GROWTH_MAX_MB 40.0
#define MEM_RATE 22050

static const char *mem_sentences[] = {
    "Welcome to our bank, where a savings account takes ten minutes to open.",
    "Please have your identity card ready and sign where the clerk shows you.",
    "The printing press changed how books were made in the fifteenth century.",
    "Each letter was cast in metal, set by hand, inked and pressed onto paper.",
    "Our live room opens at eight tonight with three new products to show.",
    "Questions from viewers are read aloud and answered before the next item.",
    "Interest is paid monthly, and the rate is fixed for the first full year.",
};

static char dir[] = "/tmp/shuzi-test-memory-XXXXXX";

/* Writes about n bytes of text (whole sentences) to path. */
static int mem_write_text(const char *path, size_t n)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    size_t k = sizeof mem_sentences / sizeof mem_sentences[0], done = 0;
    for (size_t i = 0; done < n; i++) {
        int w = fprintf(f, "%s%s", mem_sentences[i % k], i % 5 == 4 ? "\n" : " ");
        if (w < 0)
            break;
        done += (size_t)w;
    }
    return fclose(f) == 0 && done >= n ? 0 : -1;
}

/* Runs `shuzi tts --voice espeak:en-us - -o wav -q < text`. Returns the
 * child's peak RSS in MB, or -1 if it failed. */
static double mem_run(const char *bin, const char *text, const char *wav)
{
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        int fd = open(text, O_RDONLY);
        if (fd < 0 || dup2(fd, 0) < 0)
            _exit(127);
        execl(bin, bin, "tts", "--voice", "espeak:en-us", "-", "-o", wav, "-q", (char *)NULL);
        _exit(127);
    }
    int status;
    struct rusage ru;
    if (wait4(pid, &status, 0, &ru) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
        return -1;
    return (double)ru.ru_maxrss / 1024.0;
}

static double mem_wav_seconds(const char *wav)
{
    struct stat st;
    return stat(wav, &st) == 0 && st.st_size > 44 ? (double)(st.st_size - 44) / 2 / MEM_RATE : 0;
}

int main(void)
{
#ifdef MEM_ASAN
    printf("test_session_memory: skipped: AddressSanitizer keeps freed memory in quarantine, "
           "so peak RSS says nothing here\n");
    return 77;
#endif
    const char *bin = getenv("SHUZI_BIN");
    if (!bin) {
        fprintf(stderr, "SHUZI_BIN must be set\n");
        return 1;
    }
    if (!mkdtemp(dir))
        return 1;
    char short_txt[256], long_txt[256], short_wav[256], long_wav[256];
    snprintf(short_txt, sizeof short_txt, "%s/short.txt", dir);
    snprintf(long_txt, sizeof long_txt, "%s/long.txt", dir);
    snprintf(short_wav, sizeof short_wav, "%s/short.wav", dir);
    snprintf(long_wav, sizeof long_wav, "%s/long.wav", dir);
    CHECK(mem_write_text(short_txt, MEM_SHORT_BYTES) == 0, "cannot write %s", short_txt);
    CHECK(mem_write_text(long_txt, MEM_LONG_BYTES) == 0, "cannot write %s", long_txt);

    double short_mb = mem_run(bin, short_txt, short_wav);
    double long_mb = mem_run(bin, long_txt, long_wav);
    CHECK(short_mb > 0, "shuzi tts on %d bytes failed", MEM_SHORT_BYTES);
    CHECK(long_mb > 0, "shuzi tts on %d bytes failed", MEM_LONG_BYTES);
    double short_s = mem_wav_seconds(short_wav), long_s = mem_wav_seconds(long_wav);
    /* the long text really was said: ~15 characters a second */
    CHECK(long_s > MEM_LONG_BYTES / 30.0, "the long WAV holds %.1f s of speech", long_s);
    CHECK(long_s > 20 * short_s, "long %.1f s, short %.1f s of speech", long_s, short_s);
    printf("peak RSS: %.1f MB for %d bytes (%.0f s of speech), %.1f MB for %d bytes (%.0f s)\n",
           short_mb, MEM_SHORT_BYTES, short_s, long_mb, MEM_LONG_BYTES, long_s);
    /* Before streaming, the scheduler kept the whole utterance's audio:
     * +4 bytes a sample, ~200 MB here. */
    CHECK(long_mb - short_mb < MEM_GROWTH_MAX_MB,
          "peak RSS grew by %.1f MB from %d to %d bytes of text (at most %.0f MB: long texts "
          "must stream, not be held in memory)",
          long_mb - short_mb, MEM_SHORT_BYTES, MEM_LONG_BYTES, MEM_GROWTH_MAX_MB);

    unlink(short_txt);
    unlink(long_txt);
    unlink(short_wav);
    unlink(long_wav);
    rmdir(dir);
    return check_summary("test_session_memory");
}
