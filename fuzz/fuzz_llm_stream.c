/* SPDX-License-Identifier: Apache-2.0 */
/* fuzz_llm_stream.c: libFuzzer target for what an LLM server sends: the
 * server-sent-events decoder and the OpenAI chunk parser (fed in pieces of
 * fuzzer-chosen sizes), non-streaming answers and error bodies, and the
 * speech cleaner/cutter that the answer text goes through. Every piece of
 * text handed on must be valid UTF-8. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/utf8.h"
#include "llm/speech.h"
#include "llm/sse.h"
#include "shuzi.h"

typedef struct fuzz_ctx {
    speech_stream *speech;
} fuzz_ctx;

static int fuzz_piece(void *user, const char *t, size_t n)
{
    (void)user;
    size_t bad;
    if (n == 0 || !utf8_valid(t, n, &bad))
        abort();
    return 0;
}

static int fuzz_text(void *user, const char *t, size_t n)
{
    fuzz_ctx *c = user;
    size_t bad;
    if (!utf8_valid(t, n, &bad))
        abort();
    speech_stream_push(c->speech, t, n, fuzz_piece, NULL);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    size_t step = (size_t)(data[0] % 17) + 1;
    const char *in = (const char *)data + 1;
    size_t len = size - 1;
    fuzz_ctx c = {NULL};
    if (speech_stream_create(NULL, &c.speech) != SZ_OK)
        return 0;
    oai_stream s;
    oai_stream_init(&s, fuzz_text, &c);
    int rc = SZ_OK;
    for (size_t i = 0; i < len && rc == SZ_OK; i += step)
        rc = oai_stream_feed(&s, in + i, len - i < step ? len - i : step);
    if (rc == SZ_OK)
        oai_stream_end(&s);
    oai_stream_free(&s);
    speech_stream_finish(c.speech, fuzz_piece, NULL);

    char err[512];
    speech_stream_reset(c.speech);
    oai_parse_completion(in, len, fuzz_text, &c, err, sizeof err);
    speech_stream_finish(c.speech, fuzz_piece, NULL);
    oai_error_message(in, len, err, sizeof err);
    size_t bad;
    if (!utf8_valid(err, strlen(err), &bad))
        abort();

    /* raw bytes straight into the cleaner and cutter, split the same way */
    speech_stream_reset(c.speech);
    for (size_t i = 0; i < len; i += step)
        speech_stream_push(c.speech, in + i, len - i < step ? len - i : step, fuzz_piece, NULL);
    speech_stream_finish(c.speech, fuzz_piece, NULL);
    speech_stream_free(&c.speech);
    return 0;
}
