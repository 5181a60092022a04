/* SPDX-License-Identifier: Apache-2.0 */
/* subtitle.h: burned-in subtitles: text shaped with HarfBuzz, drawn with a
 * FreeType face through cairo, wrapped (spaces, and between CJK characters)
 * inside title-safe margins, at most two lines at a time. */
#ifndef SZ_AVATAR_SUBTITLE_H
#define SZ_AVATAR_SUBTITLE_H

#include <cairo.h>
#include <stddef.h>

#define SUBS_MAX_BYTES 1024 /* longer text is cut at a character boundary */

typedef struct avatar_subs avatar_subs;

/* font: a file, optionally ":N" for a face of a collection; NULL searches
 * the Noto Sans CJK files. SZ_ERR_UNSUPPORTED when the build lacks FreeType
 * or HarfBuzz. */
int subs_open(int width, int height, const char *font, avatar_subs **out, char *err,
              size_t errlen);
/* Lays out text when it (or its page) changes; NULL or "" hides it. */
int subs_set(avatar_subs *s, const char *text, float progress);
/* Composites the current subtitle in device space. */
void subs_draw(avatar_subs *s, cairo_t *cr);
/* Lines and pages of the current text (for tests). */
void subs_layout_info(const avatar_subs *s, int *n_lines, int *n_pages, int *page);
void subs_free(avatar_subs **s);

#endif
