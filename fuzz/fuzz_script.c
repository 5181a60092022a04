/* SPDX-License-Identifier: Apache-2.0 */
/* fuzz_script.c: libFuzzer target for the text files users write: the
 * render script parser and the FAQ file parser (first byte picks), with
 * questions matched against a parsed FAQ. An accepted script has something
 * to say and only valid items. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "engine/script.h"
#include "llm/llm.h"
#include "shuzi.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    const char *in = (const char *)data + 1;
    size_t len = size - 1;
    char err[512];
    if (data[0] & 1) {
        script sc;
        if (script_parse(in, len, "fuzz.txt", "/nonexistent", 0, &sc, err, sizeof err) == SZ_OK) {
            if (sc.say_chars == 0)
                abort();
            for (int i = 0; i < sc.n; i++) {
                const script_item *it = &sc.items[i];
                if ((it->kind == SCRIPT_SAY && (!it->text || !it->text[0])) ||
                    (it->kind == SCRIPT_PAUSE && (it->pause_ms < 1 || it->pause_ms > 600000)) ||
                    (it->kind == SCRIPT_EXPRESSION && !(it->weight >= 0 && it->weight <= 1)) ||
                    (it->kind == SCRIPT_BACKGROUND && it->rgb > 0xffffff))
                    abort();
            }
            script_free(&sc);
        }
    } else {
        llm_backend *b = NULL;
        if (llm_faq_create(in, len, "fuzz.faq", &b, err, sizeof err) == SZ_OK) {
            /* the file's own lines as questions */
            char q[256];
            size_t k = len < sizeof q - 1 ? len : sizeof q - 1;
            memcpy(q, in, k);
            q[k] = 0;
            llm_faq_match(b, q);
            llm_faq_match(b, "what are your opening hours");
            /* the file's text as a product's facts, then asked about */
            llm_faq_product p = {.name = "kettle", .price = "9", .description = q, .stock = q,
                                 .keywords = q, .name_zh = "水壶"};
            llm_faq_result r;
            if (llm_faq_add_product(b, &p, err, sizeof err) == SZ_OK &&
                llm_faq_answer(b, q, &r) == SZ_OK && r.matched &&
                !(r.score >= r.threshold && r.score <= 1.0 + 1e-9))
                abort();
            llm_faq_similarity(q, "how much is the kettle");
            llm_backend_free(&b);
        }
    }
    return 0;
}
