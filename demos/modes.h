/* SPDX-License-Identifier: Apache-2.0 */
/* modes.h: the `shuzi render`, `shuzi live` and `shuzi kiosk` commands
 * (demos/render_cmd.c, demos/room_cmd.c; what they share in demos/modes.c),
 * called from the command dispatcher in demos/shuzi.c.
 * Each takes argv starting at the command name and returns the exit code. */
#ifndef SZ_DEMOS_MODES_H
#define SZ_DEMOS_MODES_H

#include <stdio.h>

#include "engine/config.h"
#include "shuzi.h"

int modes_render(int argc, char **argv);
int modes_live(int argc, char **argv);
int modes_kiosk(int argc, char **argv);
/* Help text of "render", "live" or "kiosk"; returns 0, or -1 for another name. */
int modes_usage(FILE *f, const char *cmd);
/* The scene flags 'say' and 'render' share (NULL or 0: not given), their
 * help lines, and how they go into the config: SZ_OK, or SZ_ERR_INVALID_ARG
 * with err naming the flag and what it expects. */
typedef struct modes_scene {
    const char *avatar_position, *avatar_scale, *overlay, *overlay_position, *subtitle_font;
    int burn_subtitles;
} modes_scene;
extern const char modes_scene_help[];
int modes_scene_apply(const modes_scene *sc, sz_config *cfg, char *err, size_t errlen);
/* Installs handler for SIGINT, SIGTERM and SIGHUP (SA_RESTART), except for a
 * signal our parent left ignored (nohup, a script's &), which stays ignored. */
void modes_catch_signals(void (*handler)(int));
/* Starts the one signal thread of the command (idempotent): the first
 * SIGINT/SIGTERM/SIGHUP cancels the watched session, a second exits at once. */
void modes_signals_start(void);
/* The session a signal cancels (NULL: none); cancels at once if one came. */
void modes_signals_watch(sz_session *session);
/* The signal received, or 0. */
int modes_signal_received(void);

#endif
