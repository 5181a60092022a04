/* SPDX-License-Identifier: Apache-2.0 */
/* fuzz_asr_response.c: libFuzzer target for what a transcription server
 * answers: asr_openai_parse_response over JSON, verbose JSON, plain text and
 * anything else. The first byte picks the size of the text buffer (small
 * ones exercise the cut at a character boundary); the rest is the body.
 * Accepted text must be valid UTF-8 without control characters or
 * surrounding spaces, and fit; the language is "" or two lowercase letters;
 * a refusal says why in valid UTF-8. */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/utf8.h"
#include "listen/asr.h"
#include "shuzi.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    size_t cap = (size_t)(data[0] & 0x3f) + 1; /* 1..64 */
    if (data[0] & 0x40)
        cap = 4096;
    const char *body = (const char *)data + 1;
    size_t len = size - 1;
    char *text = malloc(cap);
    if (!text)
        return 0;
    char lang[8], err[1024];
    int rc = asr_openai_parse_response(body, len, text, cap, lang, sizeof lang, err, sizeof err);
    if (rc == SZ_OK) {
        size_t n = strlen(text);
        if (n >= cap || !utf8_valid(text, n, NULL))
            abort();
        for (size_t i = 0; i < n; i++)
            if ((unsigned char)text[i] < 0x20 || text[i] == 0x7f)
                abort();
        if (n > 0 && (isspace((unsigned char)text[0]) || isspace((unsigned char)text[n - 1])))
            abort();
        size_t ln = strlen(lang);
        if (ln != 0 && (ln != 2 || !islower((unsigned char)lang[0]) ||
                        !islower((unsigned char)lang[1])))
            abort();
    } else {
        if (rc != SZ_ERR_FORMAT || !err[0] || text[0] || !utf8_valid(err, strlen(err), NULL))
            abort();
    }
    free(text);
    return 0;
}
