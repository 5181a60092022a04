/* SPDX-License-Identifier: Apache-2.0 */
/* utf8.h: UTF-8 validation and character-index helpers for text input. */
#ifndef SZ_CORE_UTF8_H
#define SZ_CORE_UTF8_H

#include <stddef.h>

/* Returns 1 if s[0..len) is valid UTF-8 (no overlongs, no surrogates, <= U+10FFFF).
 * On failure and if bad_offset is not NULL, stores the byte offset of the error. */
int utf8_valid(const char *s, size_t len, size_t *bad_offset);
/* Byte offset of the n-th character (0-based); len if past the end. */
size_t utf8_char_offset(const char *s, size_t len, size_t n);

#endif
