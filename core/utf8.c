/* SPDX-License-Identifier: Apache-2.0 */
/* utf8.c: strict UTF-8 validation. */
#include "core/utf8.h"

int utf8_valid(const char *str, size_t len, size_t *bad_offset)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0;
    while (i < len) {
        unsigned c = s[i];
        size_t n;
        unsigned cp;
        if (c < 0x80) {
            i++;
            continue;
        } else if ((c & 0xE0) == 0xC0) {
            n = 1;
            cp = c & 0x1F;
        } else if ((c & 0xF0) == 0xE0) {
            n = 2;
            cp = c & 0x0F;
        } else if ((c & 0xF8) == 0xF0) {
            n = 3;
            cp = c & 0x07;
        } else {
            goto bad;
        }
        if (i + n >= len)
            goto bad;
        for (size_t k = 1; k <= n; k++) {
            if ((s[i + k] & 0xC0) != 0x80)
                goto bad;
            cp = (cp << 6) | (s[i + k] & 0x3F);
        }
        if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
            cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            goto bad;
        i += n + 1;
    }
    return 1;
bad:
    if (bad_offset)
        *bad_offset = i;
    return 0;
}

size_t utf8_char_offset(const char *str, size_t len, size_t n)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0, count = 0;
    while (i < len) {
        if ((s[i] & 0xC0) != 0x80) {
            if (count == n)
                return i;
            count++;
        }
        i++;
    }
    return len;
}
