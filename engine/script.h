/* SPDX-License-Identifier: Apache-2.0 */
/* script.h: the explainer script of `shuzi render`: plain UTF-8 text, spoken
 * paragraph by paragraph, with directives in square brackets:
 *     # a comment line
 *     [background #1e3a5f]   [background office.png]   [scene green]
 *     [expression happy]     [expression surprised 0.6]   [expression neutral]
 *     Welcome to the bank. [pause 1.5s] Today: savings accounts.
 *     [pause 800ms]
 * A blank line ends a paragraph; "[[" and "]]" are literal brackets. Image paths are
 * relative to the script's folder. */
#ifndef SZ_ENGINE_SCRIPT_H
#define SZ_ENGINE_SCRIPT_H

#include <stddef.h>
#include <stdint.h>

#define SCRIPT_MAX_BYTES (1u << 20)

typedef enum script_kind {
    SCRIPT_SAY = 0,
    SCRIPT_PAUSE,
    SCRIPT_EXPRESSION,
    SCRIPT_BACKGROUND,
} script_kind;

typedef struct script_item {
    script_kind kind;
    int line;            /* where it starts, for messages */
    char *text;          /* SAY: the paragraph; BACKGROUND: the image path or NULL */
    int pause_ms;        /* PAUSE */
    char expression[16]; /* EXPRESSION: neutral, happy, angry, sad, relaxed, surprised */
    float weight;        /* EXPRESSION: 0..1 */
    uint32_t rgb;        /* BACKGROUND: the colour when no image */
} script_item;

typedef struct script {
    script_item *items;
    int n;
    size_t say_chars; /* characters to speak, for progress estimates */
    int64_t pause_ms; /* total of the pauses */
} script;

/* Parses text; label names it in messages ("talk.txt:4:12: ..."); base_dir
 * resolves relative image paths (NULL = the current folder). With
 * check_files, background images must be readable now. */
int script_parse(const char *text, size_t len, const char *label, const char *base_dir,
                 int check_files, script *out, char *err, size_t errlen);
int script_load(const char *path, script *out, char *err, size_t errlen);
void script_free(script *s);

/* "800ms", "1.5s", "2" (seconds): 0 < ms <= 600000. Returns ms or -1. */
int script_parse_duration(const char *s);

#endif
