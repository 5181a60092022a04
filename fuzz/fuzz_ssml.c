/* SPDX-License-Identifier: Apache-2.0 */
/* fuzz_ssml.c: libFuzzer target for the SSML parser and the frontend on
 * SSML: any input is either refused with a one-line "ssml: line L, column
 * C: ..." message (or an input-level one) or becomes spans and a document
 * within the limits (break lengths, mark names). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "shuzi.h"
#include "tts/frontend/fe_internal.h"

#define FUZZ_MAX_INPUT 16384

static void fuzz_quiet(sz_log_level level, const char *tag, const char *msg, void *user)
{
    (void)level, (void)tag, (void)msg, (void)user;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int quiet;
    if (!quiet) {
        sz_set_log_callback(fuzz_quiet, NULL);
        quiet = 1;
    }
    if (size > FUZZ_MAX_INPUT)
        size = FUZZ_MAX_INPUT;
    const char *text = (const char *)data;
    char err[512] = "";
    fe_spans spans;
    int rc = fe_ssml_parse(text, size, &spans, err, sizeof err);
    if (rc == SZ_OK) {
        long total = 0;
        for (size_t i = 0; i < spans.n; i++) {
            const fe_span *s = &spans.v[i];
            if (s->kind == FE_SPAN_BREAK) {
                if (s->break_ms < 0 || s->break_ms > FE_MAX_BREAK_MS)
                    abort();
                total += s->break_ms;
            }
            if (s->kind == FE_SPAN_MARK && (!s->text || !s->len || s->len > FE_MAX_NAME_BYTES))
                abort();
            if ((s->kind == FE_SPAN_TEXT || s->kind == FE_SPAN_PHONES) && !s->text)
                abort();
            if (s->kind == FE_SPAN_PHONES && (!s->ipa || !s->ipa[0]))
                abort();
            if (s->prosody.rate < 0.3f || s->prosody.rate > 3.0f || s->prosody.volume < 0.0f ||
                s->prosody.volume > 4.0f || s->prosody.pitch < 0.5f || s->prosody.pitch > 2.0f)
                abort();
        }
        if (total > FE_MAX_TOTAL_BREAK_MS)
            abort();
        fe_spans_free(&spans);
    } else if (!err[0] || strchr(err, '\n') || spans.v) {
        abort();
    }
    fe_params p = fe_default_params();
    p.ssml = 1;
    fe_doc *doc = NULL;
    err[0] = 0;
    int rc2 = fe_process(text, size, &p, &doc, err, sizeof err);
    if ((rc2 == SZ_OK) != (rc == SZ_OK) && memchr(text, 0, size) == NULL)
        abort(); /* the frontend refuses exactly what the parser refuses */
    if (rc2 == SZ_OK) {
        size_t covered = 0;
        for (size_t i = 0; i < doc->n_sentences; i++) {
            if (doc->sentences[i].first != covered)
                abort();
            covered += doc->sentences[i].count;
        }
        if (covered != doc->n_items)
            abort();
        fe_doc_free(&doc);
    } else if (!err[0] || doc) {
        abort();
    }
    return 0;
}
