/* SPDX-License-Identifier: Apache-2.0 */
/* fuzz_zh_words.c: libFuzzer target for the Mandarin word list
 * (assets/lexicon/zh-words.txt, or any file put in its place): opened from
 * an in-memory file, it is refused with a reason or, when accepted, answers
 * lookups and cuts a sentence into words that cover it exactly. */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "fuzz/memfile.h"
#include "tts/frontend/fe_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[64], err[600] = "";
    int fd = fuzz_memfile(data, size, path, sizeof path);
    if (fd < 0)
        return 0;
    fe_zh_lexicon *lx = fe_zh_lexicon_open(path, err, sizeof err);
    close(fd);
    if (!lx) {
        if (!err[0])
            abort(); /* a refusal says why */
        return 0;
    }
    /* 今天的价格非常优惠: lookups of every span, then the cut */
    static const uint32_t s[] = {0x4ECA, 0x5929, 0x7684, 0x4EF7, 0x683C,
                                 0x975E, 0x5E38, 0x4F18, 0x60E0};
    const size_t n = sizeof s / sizeof s[0];
    for (size_t i = 0; i < n; i++)
        for (size_t l = 1; l <= 5 && i + l <= n; l++)
            (void)fe_zh_lexicon_count(lx, s + i, l);
    unsigned char start[9];
    if (!fe_zh_segment(lx, s, n, start) || !start[0])
        abort(); /* the first character always begins a word */
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        run = start[i] ? 1 : run + 1;
        if (run > 4)
            abort(); /* no word is longer than four characters */
    }
    fe_zh_lexicon_close(lx);
    return 0;
}
