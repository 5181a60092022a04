/* SPDX-License-Identifier: Apache-2.0 */
/* fuzz_config.c: libFuzzer target for the session config parser (JSON via
 * cJSON plus our field checks) and the size/colour value parsers. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "engine/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sz_config cfg;
    char err[512];
    config_defaults(&cfg);
    if (config_load_text((const char *)data, size, "fuzz.json", &cfg, err, sizeof err) == SZ_OK) {
        if (cfg.width < 64 || cfg.width > 4096 || cfg.height < 64 || cfg.height > 4096 ||
            cfg.fps < 1 || cfg.fps > 120)
            abort(); /* an accepted config must be in range */
    }
    config_free(&cfg); /* the live/kiosk keys it may have read */
    char *s = malloc(size + 1);
    if (!s)
        return 0;
    memcpy(s, data, size);
    s[size] = 0;
    int w, h;
    uint32_t rgb;
    if (config_parse_size(s, &w, &h, err, sizeof err) == SZ_OK && (w % 2 || h % 2))
        abort();
    config_parse_color(s, &rgb, err, sizeof err);
    free(s);
    return 0;
}
