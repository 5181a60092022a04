/* SPDX-License-Identifier: Apache-2.0 */
/* fuzz_api.c: libFuzzer target for the control API's request parsers (say,
 * chat, comments, interrupt bodies), the event-stream filter and the bearer
 * check. The first byte picks the parser; an accepted request must hold
 * valid, non-empty UTF-8. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/utf8.h"
#include "engine/api_parse.h"
#include "shuzi.h"

static void fuzz_check(const api_request *r)
{
    size_t bad;
    if (!r->text || !r->text[0] || !utf8_valid(r->text, strlen(r->text), &bad))
        abort();
    if (r->user && (!r->user[0] || !utf8_valid(r->user, strlen(r->user), &bad)))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    const char *body = (const char *)data + 1;
    size_t len = size - 1;
    char err[512];
    api_request r;
    switch (data[0] % 6) {
    case 0:
        if (api_parse_say(body, len, &r, err, sizeof err) == SZ_OK) {
            fuzz_check(&r);
            api_request_free(&r);
        }
        break;
    case 1:
        if (api_parse_chat(body, len, &r, err, sizeof err) == SZ_OK) {
            fuzz_check(&r);
            api_request_free(&r);
        }
        break;
    case 2:
        if (api_parse_comment(body, len, &r, err, sizeof err) == SZ_OK) {
            fuzz_check(&r);
            if (!r.user)
                abort();
            api_request_free(&r);
        }
        break;
    case 3: {
        api_parse_interrupt(body, len, err, sizeof err);
        int on = -1;
        if (api_parse_listen(body, len, &on, err, sizeof err) == SZ_OK && on != 0 && on != 1)
            abort();
        break;
    }
    default: {
        /* NUL-terminated pieces: the filter's two query values, a header */
        char *s = malloc(len + 1);
        if (!s)
            return 0;
        memcpy(s, body, len);
        s[len] = 0;
        char *marks = strchr(s, '&');
        if (marks)
            *marks++ = 0;
        char t[160], m[96];
        api_parse_event_filter(s, marks, t, sizeof t, m, sizeof m, err, sizeof err);
        api_check_bearer(s, "token-123");
        api_host_is_loopback(s);
        free(s);
        break;
    }
    }
    return 0;
}
