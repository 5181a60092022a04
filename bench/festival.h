/* SPDX-License-Identifier: Apache-2.0 */
/* festival.h: speech with known phone timings for the lip-sync benchmark and
 * its regression test: Festival (the cmu_us_slt_arctic_hts voice) says each
 * sentence and writes its segment timings (utt.save.segs). Header-only, for
 * bench/ and tests/ programs; not library code. */
#ifndef SZ_BENCH_FESTIVAL_H
#define SZ_BENCH_FESTIVAL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Sentences chosen to cover English visemes: closures, labiodentals,
 * rounded and spread vowels, sibilants, numbers read out. */
static const char *const festival_sentences[] = {
    "The quick brown fox jumps over the lazy dog.",
    "My mother bakes apple pies on Sunday mornings.",
    "Please open the window before we leave the room.",
    "Five big ships moved slowly through the foggy harbor.",
    "She thinks the weather will be warmer tomorrow.",
    "Your account balance is twelve thousand four hundred dollars.",
    "We offer free delivery for every order above fifty dollars.",
    "Judge the value of each choice with care.",
    "Would you like to hear more about our new savings plan?",
    "Bright violet flowers bloom in the middle of May.",
    "Thank you for calling, how may I help you today?",
    "Measure twice, cut once, and the rest will follow.",
};
#define FESTIVAL_N_SENTENCES (sizeof festival_sentences / sizeof festival_sentences[0])

/* 1 if festival and the HTS voice are installed. */
static int festival_available(void)
{
    return system("command -v festival >/dev/null 2>&1") == 0 &&
           access("/usr/share/festival/voices/us/cmu_us_slt_arctic_hts", R_OK) == 0;
}

/* Synthesizes sentences[0..n) into dir/N.wav and dir/N.segs with one
 * festival run. Returns 0 on success. */
static int festival_synthesize(const char *dir, const char *const *sentences, size_t n)
{
    char path[512];
    snprintf(path, sizeof path, "%s/script.scm", dir);
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    fprintf(f, "(voice_cmu_us_slt_arctic_hts)\n");
    for (size_t i = 0; i < n; i++) {
        fprintf(f, "(set! u (Utterance Text \"");
        for (const char *c = sentences[i]; *c; c++) {
            if (*c == '"' || *c == '\\')
                fputc('\\', f);
            fputc(*c, f);
        }
        fprintf(f,
                "\"))\n(utt.synth u)\n(utt.save.wave u \"%s/%zu.wav\" 'riff)\n"
                "(utt.save.segs u \"%s/%zu.segs\")\n",
                dir, i, dir, i);
    }
    if (fclose(f) != 0)
        return -1;
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "festival --batch '%s' >'%s/festival.log' 2>&1", path, dir);
    if (system(cmd) != 0)
        return -1;
    for (size_t i = 0; i < n; i++) {
        snprintf(path, sizeof path, "%s/%zu.segs", dir, i);
        if (access(path, R_OK) != 0)
            return -1;
    }
    return 0;
}

/* Reads a whole small file; NULL on failure. */
static char *festival_read(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    while (buf) {
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0)
            break;
        if (n == cap) {
            char *b = realloc(buf, cap * 2);
            if (!b) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = b;
            cap *= 2;
        }
    }
    fclose(f);
    *len = n;
    return buf;
}

/* Removes dir and the files festival_synthesize wrote there. */
static void festival_cleanup(const char *dir, size_t n)
{
    char path[512];
    for (size_t i = 0; i < n; i++) {
        snprintf(path, sizeof path, "%s/%zu.wav", dir, i);
        unlink(path);
        snprintf(path, sizeof path, "%s/%zu.segs", dir, i);
        unlink(path);
    }
    snprintf(path, sizeof path, "%s/script.scm", dir);
    unlink(path);
    snprintf(path, sizeof path, "%s/festival.log", dir);
    unlink(path);
    rmdir(dir);
}

#endif
