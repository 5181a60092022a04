/* SPDX-License-Identifier: Apache-2.0 */
/* subtitle.c: burned-in subtitles (subtitle.h). The text is shaped once per
 * change with HarfBuzz, broken into lines greedily (after spaces, around CJK
 * characters, never before closing punctuation), and drawn with cairo into a
 * cached strip that each frame composites. */
#include "avatar/subtitle.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shuzi.h"

#ifndef SHUZI_HAVE_SUBTITLES

int subs_open(int width, int height, const char *font, avatar_subs **out, char *err,
              size_t errlen)
{
    (void)width;
    (void)height;
    (void)font;
    *out = NULL;
    snprintf(err, errlen, "burned-in subtitles need FreeType and HarfBuzz, which this build lacks "
                          "(install libfreetype-dev and libharfbuzz-dev, then reconfigure)");
    return SZ_ERR_UNSUPPORTED;
}
int subs_set(avatar_subs *s, const char *text, float progress)
{
    (void)s;
    (void)text;
    (void)progress;
    return SZ_ERR_UNSUPPORTED;
}
void subs_draw(avatar_subs *s, cairo_t *cr)
{
    (void)s;
    (void)cr;
}
void subs_layout_info(const avatar_subs *s, int *n_lines, int *n_pages, int *page)
{
    (void)s;
    *n_lines = *n_pages = *page = 0;
}
void subs_free(avatar_subs **s)
{
    if (s)
        *s = NULL;
}

#else

#include <ft2build.h>
#include FT_FREETYPE_H
#include FT_OUTLINE_H
#include <hb-ft.h>
#include <hb.h>

#define SUBS_MAX_GLYPHS (SUBS_MAX_BYTES + 16)
#define SUBS_MAX_LINES 64
#define SUBS_LINES_PER_PAGE 2

static const char *const subs_default_fonts[] = {
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc:2", /* Simplified Chinese face */
    "/usr/share/fonts/opentype/noto/NotoSansCJKsc-Regular.otf",
    "/usr/share/fonts/truetype/noto/NotoSansCJK-Regular.ttc:2",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc:2",
    NULL};

typedef struct subs_line {
    int g0, g1;  /* glyph range */
    double width; /* pixels */
} subs_line;

struct avatar_subs {
    int width, height;
    double px;            /* font size in pixels */
    double line_h, pad;
    double max_w;         /* the title-safe width */
    int strip_y, strip_h; /* where the strip sits in the frame */
    FT_Library ft;
    FT_Face face;
    hb_font_t *hb_font;
    hb_buffer_t *hb_buf;
    double ascent, descent; /* pixels */
    cairo_surface_t *strip;
    cairo_t *cr;
    char text[SUBS_MAX_BYTES + 1];
    int page;
    int visible;
    int n_glyphs;
    cairo_glyph_t glyphs[SUBS_MAX_GLYPHS]; /* x = pen position, y = 0 */
    uint32_t cluster[SUBS_MAX_GLYPHS];
    double advance[SUBS_MAX_GLYPHS];
    int n_lines;
    subs_line lines[SUBS_MAX_LINES];
};

static int subs_try_font(avatar_subs *s, const char *spec)
{
    char path[1024];
    snprintf(path, sizeof path, "%s", spec);
    long index = 0;
    char *colon = strrchr(path, ':');
    if (colon && colon[1] && strspn(colon + 1, "0123456789") == strlen(colon + 1)) {
        index = strtol(colon + 1, NULL, 10);
        *colon = 0;
    }
    FT_Face face = NULL;
    if (FT_New_Face(s->ft, path, index, &face) != 0)
        return 0;
    s->face = face;
    return 1;
}

/* The code point at byte i of a valid UTF-8 string. */
static uint32_t subs_cp(const char *t, uint32_t i)
{
    const unsigned char *p = (const unsigned char *)t + i;
    if (p[0] < 0x80)
        return p[0];
    int need = (p[0] & 0xE0) == 0xC0 ? 1 : (p[0] & 0xF0) == 0xE0 ? 2 : 3;
    for (int k = 1; k <= need; k++)
        if ((p[k] & 0xC0) != 0x80)
            return 0xFFFD; /* broken sequence: never read past its end */
    if ((p[0] & 0xE0) == 0xC0)
        return ((uint32_t)(p[0] & 0x1F) << 6) | (p[1] & 0x3F);
    if ((p[0] & 0xF0) == 0xE0)
        return ((uint32_t)(p[0] & 0x0F) << 12) | ((uint32_t)(p[1] & 0x3F) << 6) | (p[2] & 0x3F);
    return ((uint32_t)(p[0] & 0x07) << 18) | ((uint32_t)(p[1] & 0x3F) << 12) |
           ((uint32_t)(p[2] & 0x3F) << 6) | (p[3] & 0x3F);
}

/* The code point ending just before byte i. */
static uint32_t subs_cp_before(const char *t, uint32_t i)
{
    if (i == 0)
        return 0;
    uint32_t k = i - 1;
    while (k > 0 && ((unsigned char)t[k] & 0xC0) == 0x80)
        k--;
    return subs_cp(t, k);
}

static int subs_is_cjk(uint32_t c)
{
    return (c >= 0x2E80 && c <= 0x9FFF) || (c >= 0xAC00 && c <= 0xD7AF) ||
           (c >= 0xF900 && c <= 0xFAFF) || (c >= 0xFF00 && c <= 0xFFEF) ||
           (c >= 0x20000 && c <= 0x2FFFF);
}

static int subs_no_break_before(uint32_t c)
{
    static const uint32_t closing[] = {0x3001, 0x3002, 0xFF0C, 0xFF0E, 0xFF01, 0xFF1F, 0xFF1A,
                                       0xFF1B, 0xFF09, 0x300D, 0x300F, 0x3011, 0x300B, 0x3009,
                                       0x201D, 0x2019, 0x2026, 0x30FC, 0xFF5E, ',', '.', '!',
                                       '?', ':', ';', ')', 0};
    for (const uint32_t *p = closing; *p; p++)
        if (*p == c)
            return 1;
    return 0;
}

static int subs_no_break_after(uint32_t c)
{
    static const uint32_t opening[] = {0xFF08, 0x300C, 0x300E, 0x3010, 0x300A, 0x3008,
                                       0x201C, 0x2018, '(', 0};
    for (const uint32_t *p = opening; *p; p++)
        if (*p == c)
            return 1;
    return 0;
}

/* May a line start at glyph i? */
static int subs_can_break(const avatar_subs *s, int i)
{
    if (i <= 0 || i >= s->n_glyphs)
        return 0;
    uint32_t at = s->cluster[i];
    if (at == s->cluster[i - 1])
        return 0; /* inside a cluster */
    uint32_t c = subs_cp(s->text, at), b = subs_cp_before(s->text, at);
    if (c == ' ')
        return 0; /* break after the space, not before it */
    if (b == ' ')
        return 1;
    if (subs_no_break_before(c) || subs_no_break_after(b))
        return 0;
    return subs_is_cjk(c) || subs_is_cjk(b);
}

static int subs_is_space(const avatar_subs *s, int i)
{
    return subs_cp(s->text, s->cluster[i]) == ' ';
}

static void subs_wrap(avatar_subs *s)
{
    s->n_lines = 0;
    int i = 0;
    while (i < s->n_glyphs && s->n_lines < SUBS_MAX_LINES) {
        while (i < s->n_glyphs && subs_is_space(s, i))
            i++; /* a line never starts with a space */
        if (i >= s->n_glyphs)
            break;
        int start = i, last_break = -1;
        double w = 0.0;
        while (i < s->n_glyphs) {
            if (i > start && subs_can_break(s, i))
                last_break = i;
            if (w + s->advance[i] > s->max_w && i > start) {
                if (last_break > start)
                    i = last_break;
                break;
            }
            w += s->advance[i];
            i++;
        }
        int end = i;
        while (end > start && subs_is_space(s, end - 1))
            end--;
        double lw = 0.0;
        for (int k = start; k < end; k++)
            lw += s->advance[k];
        s->lines[s->n_lines++] = (subs_line){start, end, lw};
    }
}

/* Glyph outlines go straight from FreeType into the cairo path. */
typedef struct subs_pen {
    cairo_t *cr;
    double x, y; /* origin of the glyph */
    double cx, cy; /* current point, pixels */
} subs_pen;

static int subs_move(const FT_Vector *to, void *user)
{
    subs_pen *p = user;
    p->cx = p->x + to->x / 64.0;
    p->cy = p->y - to->y / 64.0;
    cairo_close_path(p->cr);
    cairo_move_to(p->cr, p->cx, p->cy);
    return 0;
}

static int subs_lineto(const FT_Vector *to, void *user)
{
    subs_pen *p = user;
    p->cx = p->x + to->x / 64.0;
    p->cy = p->y - to->y / 64.0;
    cairo_line_to(p->cr, p->cx, p->cy);
    return 0;
}

static int subs_conic(const FT_Vector *c, const FT_Vector *to, void *user)
{
    subs_pen *p = user;
    double qx = p->x + c->x / 64.0, qy = p->y - c->y / 64.0;
    double ex = p->x + to->x / 64.0, ey = p->y - to->y / 64.0;
    cairo_curve_to(p->cr, p->cx + 2.0 / 3.0 * (qx - p->cx), p->cy + 2.0 / 3.0 * (qy - p->cy),
                   ex + 2.0 / 3.0 * (qx - ex), ey + 2.0 / 3.0 * (qy - ey), ex, ey);
    p->cx = ex;
    p->cy = ey;
    return 0;
}

static int subs_cubic(const FT_Vector *c1, const FT_Vector *c2, const FT_Vector *to, void *user)
{
    subs_pen *p = user;
    p->cx = p->x + to->x / 64.0;
    p->cy = p->y - to->y / 64.0;
    cairo_curve_to(p->cr, p->x + c1->x / 64.0, p->y - c1->y / 64.0, p->x + c2->x / 64.0,
                   p->y - c2->y / 64.0, p->cx, p->cy);
    return 0;
}

static void subs_glyph_path(avatar_subs *s, cairo_t *cr, unsigned int gid, double x, double y)
{
    static const FT_Outline_Funcs funcs = {subs_move, subs_lineto, subs_conic, subs_cubic, 0, 0};
    if (FT_Load_Glyph(s->face, gid, FT_LOAD_NO_BITMAP | FT_LOAD_NO_HINTING) != 0 ||
        s->face->glyph->format != FT_GLYPH_FORMAT_OUTLINE)
        return; /* a glyph without an outline draws nothing */
    subs_pen pen = {cr, x, y, x, y};
    FT_Outline_Decompose(&s->face->glyph->outline, &funcs, &pen);
    cairo_close_path(cr);
}

static void subs_round_rect(cairo_t *cr, double x, double y, double w, double h, double r)
{
    cairo_new_sub_path(cr);
    cairo_arc(cr, x + w - r, y + r, r, -1.5707963, 0);
    cairo_arc(cr, x + w - r, y + h - r, r, 0, 1.5707963);
    cairo_arc(cr, x + r, y + h - r, r, 1.5707963, 3.1415927);
    cairo_arc(cr, x + r, y + r, r, 3.1415927, 4.712389);
    cairo_close_path(cr);
}

/* Draws lines [l0, l1) into the strip, bottom-aligned. */
static void subs_render(avatar_subs *s, int l0, int l1)
{
    cairo_t *cr = s->cr;
    cairo_save(cr);
    cairo_set_operator(cr, CAIRO_OPERATOR_CLEAR);
    cairo_paint(cr);
    cairo_restore(cr);
    int n = l1 - l0;
    double top = s->strip_h - n * s->line_h - s->pad;
    double text_h = s->ascent + s->descent;
    for (int k = 0; k < n; k++) {
        const subs_line *ln = &s->lines[l0 + k];
        double y = top + k * s->line_h;
        double x = 0.5 * (s->width - ln->width);
        subs_round_rect(cr, x - 0.45 * s->px, y, ln->width + 0.9 * s->px, s->line_h - 0.08 * s->px,
                        0.22 * s->px);
        cairo_set_source_rgba(cr, 0.0, 0.0, 0.0, 0.55);
        cairo_fill(cr);
        double base = y + 0.5 * (s->line_h - 0.08 * s->px - text_h) + s->ascent;
        double shift = s->glyphs[ln->g0].x;
        cairo_new_path(cr);
        for (int g = ln->g0; g < ln->g1; g++)
            subs_glyph_path(s, cr, (unsigned int)s->glyphs[g].index, s->glyphs[g].x - shift + x,
                            s->glyphs[g].y + base);
        cairo_set_fill_rule(cr, CAIRO_FILL_RULE_WINDING);
        cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
        cairo_set_line_width(cr, 0.1 * s->px);
        cairo_set_source_rgba(cr, 0.05, 0.05, 0.08, 0.9);
        cairo_stroke_preserve(cr);
        cairo_set_source_rgb(cr, 1.0, 1.0, 1.0);
        cairo_fill(cr);
    }
    cairo_surface_flush(s->strip);
}

int subs_set(avatar_subs *s, const char *text, float progress)
{
    if (!s)
        return SZ_ERR_INVALID_ARG;
    if (!text || !text[0]) {
        s->visible = 0;
        s->text[0] = 0;
        return SZ_OK;
    }
    int same = strncmp(text, s->text, SUBS_MAX_BYTES) == 0 && s->text[0];
    if (!same) {
        size_t n = strlen(text);
        if (n > SUBS_MAX_BYTES) {
            n = SUBS_MAX_BYTES;
            while (n > 0 && ((unsigned char)text[n] & 0xC0) == 0x80)
                n--; /* cut at a character boundary */
        }
        memcpy(s->text, text, n);
        s->text[n] = 0;
        for (size_t i = 0; i < n; i++)
            if (s->text[i] == '\n' || s->text[i] == '\t' || s->text[i] == '\r')
                s->text[i] = ' ';
        hb_buffer_clear_contents(s->hb_buf);
        hb_buffer_add_utf8(s->hb_buf, s->text, (int)n, 0, (int)n);
        hb_buffer_guess_segment_properties(s->hb_buf);
        hb_shape(s->hb_font, s->hb_buf, NULL, 0);
        unsigned int count = 0;
        hb_glyph_info_t *info = hb_buffer_get_glyph_infos(s->hb_buf, &count);
        hb_glyph_position_t *pos = hb_buffer_get_glyph_positions(s->hb_buf, NULL);
        if (count > SUBS_MAX_GLYPHS)
            count = SUBS_MAX_GLYPHS;
        double pen = 0.0;
        for (unsigned int i = 0; i < count; i++) {
            s->glyphs[i].index = info[i].codepoint;
            s->glyphs[i].x = pen + pos[i].x_offset / 64.0;
            s->glyphs[i].y = -pos[i].y_offset / 64.0;
            s->cluster[i] = info[i].cluster;
            s->advance[i] = pos[i].x_advance / 64.0;
            pen += s->advance[i];
        }
        s->n_glyphs = (int)count;
        subs_wrap(s);
        s->page = -1;
    }
    if (s->n_lines == 0) {
        s->visible = 0;
        return SZ_OK;
    }
    /* the page holding the glyph that speech has reached */
    int n_pages = (s->n_lines + SUBS_LINES_PER_PAGE - 1) / SUBS_LINES_PER_PAGE;
    float pr = progress < 0.0f || progress != progress ? 0.0f : progress > 1.0f ? 1.0f : progress;
    int at = (int)(pr * (float)s->n_glyphs);
    int page = n_pages - 1;
    for (int p = 0; p < n_pages; p++) {
        int last = (p + 1) * SUBS_LINES_PER_PAGE - 1;
        if (last >= s->n_lines)
            last = s->n_lines - 1;
        if (at < s->lines[last].g1) {
            page = p;
            break;
        }
    }
    if (page != s->page) {
        int l0 = page * SUBS_LINES_PER_PAGE;
        int l1 = l0 + SUBS_LINES_PER_PAGE < s->n_lines ? l0 + SUBS_LINES_PER_PAGE : s->n_lines;
        subs_render(s, l0, l1);
        s->page = page;
    }
    s->visible = 1;
    return cairo_status(s->cr) == CAIRO_STATUS_SUCCESS ? SZ_OK : SZ_ERR_INTERNAL;
}

void subs_draw(avatar_subs *s, cairo_t *cr)
{
    if (!s || !s->visible)
        return;
    cairo_save(cr);
    cairo_identity_matrix(cr);
    cairo_set_source_surface(cr, s->strip, 0, s->strip_y);
    cairo_rectangle(cr, 0, s->strip_y, s->width, s->strip_h);
    cairo_fill(cr);
    cairo_restore(cr);
}

void subs_layout_info(const avatar_subs *s, int *n_lines, int *n_pages, int *page)
{
    *n_lines = s ? s->n_lines : 0;
    *n_pages = s ? (s->n_lines + SUBS_LINES_PER_PAGE - 1) / SUBS_LINES_PER_PAGE : 0;
    *page = s && s->visible ? s->page : -1;
}

int subs_open(int width, int height, const char *font, avatar_subs **out, char *err,
              size_t errlen)
{
    *out = NULL;
    avatar_subs *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(err, errlen, "subtitles: out of memory");
        return SZ_ERR_NO_MEMORY;
    }
    s->width = width;
    s->height = height;
    int rc = SZ_ERR_NO_MEMORY;
    if (FT_Init_FreeType(&s->ft) != 0) {
        snprintf(err, errlen, "subtitles: FreeType did not start");
        rc = SZ_ERR_INTERNAL;
        goto fail;
    }
    if (font && font[0]) {
        if (!subs_try_font(s, font)) {
            snprintf(err, errlen, "subtitle font %s: cannot open it as a font", font);
            rc = SZ_ERR_NOT_FOUND;
            goto fail;
        }
    } else {
        for (const char *const *f = subs_default_fonts; *f && !s->face; f++)
            subs_try_font(s, *f);
        if (!s->face) {
            snprintf(err, errlen, "subtitles: no CJK font found (install fonts-noto-cjk, or give "
                                  "a font file)");
            rc = SZ_ERR_NOT_FOUND;
            goto fail;
        }
    }
    int small = width < height ? width : height;
    s->px = small * 0.052 < 12.0 ? 12.0 : small * 0.052;
    s->line_h = 1.45 * s->px;
    s->pad = 0.2 * s->px;
    s->max_w = 0.80 * width - 0.9 * s->px; /* 10% title-safe margins, minus the box padding */
    s->strip_h = (int)(SUBS_LINES_PER_PAGE * s->line_h + 2 * s->pad + 1);
    s->strip_y = (int)(height * 0.93) - s->strip_h; /* 7% above the bottom edge */
    if (s->strip_y < 0)
        s->strip_y = 0;
    if (FT_Set_Pixel_Sizes(s->face, 0, (FT_UInt)(s->px + 0.5)) != 0) {
        snprintf(err, errlen, "subtitles: the font cannot be scaled to %.0f px", s->px);
        rc = SZ_ERR_FORMAT;
        goto fail;
    }
    s->hb_font = hb_ft_font_create_referenced(s->face);
    s->hb_buf = hb_buffer_create();
    if (!s->hb_font || !hb_buffer_allocation_successful(s->hb_buf) ||
        !hb_buffer_pre_allocate(s->hb_buf, SUBS_MAX_GLYPHS))
        goto oom;
    s->ascent = s->face->size->metrics.ascender / 64.0;
    s->descent = -s->face->size->metrics.descender / 64.0;
    s->strip = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, width, s->strip_h);
    s->cr = cairo_create(s->strip);
    if (cairo_status(s->cr) != CAIRO_STATUS_SUCCESS)
        goto oom;
    s->page = -1;
    *out = s;
    return SZ_OK;
oom:
    snprintf(err, errlen, "subtitles: out of memory");
fail:
    subs_free(&s);
    return rc;
}

void subs_free(avatar_subs **sp)
{
    if (!sp || !*sp)
        return;
    avatar_subs *s = *sp;
    if (s->cr)
        cairo_destroy(s->cr);
    if (s->strip)
        cairo_surface_destroy(s->strip);
    if (s->hb_buf)
        hb_buffer_destroy(s->hb_buf);
    if (s->hb_font)
        hb_font_destroy(s->hb_font); /* drops its own reference to the face */
    if (s->face)
        FT_Done_Face(s->face);
    if (s->ft)
        FT_Done_FreeType(s->ft);
    free(s);
    *sp = NULL;
}

#endif
