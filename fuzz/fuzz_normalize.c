/* SPDX-License-Identifier: Apache-2.0 */
/* fuzz_normalize.c: libFuzzer target for the text frontend on plain text:
 * normalization, segmentation and the streaming cutter. The first byte
 * picks the parameters (sentence language, pauses, voice language); the
 * rest is the text. Checks the document's invariants and that output stays
 * proportional to the input. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "shuzi.h"
#include "tts/frontend/frontend.h"

#define FUZZ_MAX_INPUT 8192 /* keeps every run well under a second */
#define FUZZ_MAX_GROWTH 64  /* no byte of input becomes more than this many bytes */

static void fuzz_quiet(sz_log_level level, const char *tag, const char *msg, void *user)
{
    (void)level, (void)tag, (void)msg, (void)user;
}

static void fuzz_check_doc(const fe_doc *d, size_t size)
{
    size_t covered = 0, total = 0;
    for (size_t i = 0; i < d->n_sentences; i++) {
        const fe_sentence *s = &d->sentences[i];
        if (s->first != covered || !s->text || !s->source)
            abort();
        covered += s->count;
        total += strlen(s->text);
    }
    if (covered != d->n_items || total > FUZZ_MAX_GROWTH * size + 64)
        abort();
    for (size_t i = 0; i < d->n_items; i++) {
        const fe_item *it = &d->items[i];
        if (!it->text || it->break_ms < 0 || it->break_ms > FE_MAX_BREAK_MS)
            abort();
        if ((it->kind == FE_ITEM_TEXT || it->kind == FE_ITEM_PHONES) && !it->lang[0])
            abort();
        if (it->kind == FE_ITEM_TEXT && !it->text[0])
            abort();
    }
    char *t = fe_doc_text(d);
    if (!t || strlen(t) > FUZZ_MAX_GROWTH * size + 64 + d->n_sentences)
        abort();
    free(t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int quiet;
    if (!quiet) {
        sz_set_log_callback(fuzz_quiet, NULL);
        quiet = 1;
    }
    if (size < 1)
        return 0;
    unsigned mode = data[0];
    const char *text = (const char *)data + 1;
    size--;
    if (size > FUZZ_MAX_INPUT)
        size = FUZZ_MAX_INPUT;
    static const char *const bases[] = {NULL, "en", "zh", "fr-FR"};
    fe_params p = fe_default_params();
    p.default_base = (mode & 1) ? "zh" : "en";
    p.pauses = (mode & 2) != 0;
    p.base_lang = bases[(mode >> 2) & 3];
    if (mode & 16)
        p.latin_lang = "fr";
    fe_doc *doc = NULL;
    char err[512] = "";
    int rc = fe_process(text, size, &p, &doc, err, sizeof err);
    if (rc == SZ_OK) {
        fuzz_check_doc(doc, size);
        fe_doc_free(&doc);
    } else if (!err[0] || doc) {
        abort(); /* a refusal always says why */
    }
    /* the streaming cutter always moves forward and stays inside the text */
    for (int final = 0; final < 2; final++) {
        size_t pos = 0;
        while (pos < size) {
            fe_cut_kind kind;
            size_t k = fe_segment_next(text + pos, size - pos, final, mode & 32, &kind);
            if (k == 0)
                break;
            if (k > size - pos || kind == FE_CUT_NONE)
                abort();
            pos += k;
        }
    }
    return 0;
}
