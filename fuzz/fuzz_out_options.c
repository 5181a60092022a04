/* SPDX-License-Identifier: Apache-2.0 */
/* fuzz_out_options.c: libFuzzer target for what users give outputs: option
 * strings ("key=value:key=value" with '\' escapes), output URLs (the kind they
 * pick, the codec, the name printed with secrets hidden). An accepted option
 * string must survive escaping and parsing again unchanged. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "shuzi.h"
#include "stream/out_options.h"
#include "stream/output.h"

static void fuzz_roundtrip(out_options *o)
{
    /* Rebuild the string from the parsed pairs and parse it again. */
    size_t cap = 1 + (size_t)o->n * (OUT_OPT_KEY_MAX + 2 * OUT_OPT_VALUE_MAX + 2);
    char *s = malloc(cap);
    if (!s)
        return;
    size_t n = 0;
    for (int i = 0; i < o->n; i++) {
        size_t klen = strlen(o->items[i].key);
        if (klen == 0)
            abort(); /* an accepted key is never empty */
        if (i)
            s[n++] = ':';
        memcpy(s + n, o->items[i].key, klen);
        n += klen;
        s[n++] = '=';
        n += out_options_escape(s + n, cap - n, o->items[i].value);
    }
    s[n] = 0;
    out_options again;
    char err[512];
    if (out_options_parse(s, "fuzz", &again, err, sizeof err) != SZ_OK || again.n != o->n)
        abort();
    for (int i = 0; i < o->n; i++)
        if (strcmp(again.items[i].key, o->items[i].key) ||
            strcmp(again.items[i].value, o->items[i].value))
            abort();
    out_options_free(&again);
    free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (!s)
        return 0;
    memcpy(s, data, size);
    s[size] = 0;
    out_options o;
    char err[512];
    if (out_options_parse(s, "fuzz", &o, err, sizeof err) == SZ_OK) {
        fuzz_roundtrip(&o);
        int64_t v = 0;
        double d = 0;
        int b = 0, idx = 0;
        char buf[64];
        static const char *const choices[] = {"aac", "opus", NULL};
        out_options_int(&o, "queue", 1, 256, &v, err, sizeof err);
        out_options_bitrate(&o, "video_bitrate", 8000, 1000000000, &v, err, sizeof err);
        out_options_double(&o, "crf", 0, 63, &d, err, sizeof err);
        out_options_bool(&o, "reconnect", &b, err, sizeof err);
        out_options_choice(&o, "audio_codec", choices, &idx, err, sizeof err);
        out_options_string(&o, "preset", buf, sizeof buf, err, sizeof err);
        out_options_check_used(&o, "queue", err, sizeof err);
        out_options_free(&o);
    } else if (!err[0] || strchr(err, '\n')) {
        abort(); /* a refusal says why, on one line */
    }
    char name[256];
    output_display_name(s, name, sizeof name);
    if (strlen(name) >= sizeof name)
        abort();
    output_kind_for(s);
    output_video_codec_name(s);
    free(s);
    return 0;
}
