/* SPDX-License-Identifier: Apache-2.0 */
/* modes_internal.h: what the render, live and kiosk commands share
 * (demos/modes.c: help, options, config, signals; demos/render_cmd.c;
 * demos/room_cmd.c). Not part of the library. */
#ifndef SZ_DEMOS_MODES_INTERNAL_H
#define SZ_DEMOS_MODES_INTERNAL_H

#include <stddef.h>

#include "demos/modes.h"
#include "engine/config.h"
#include "shuzi.h"

#define EXIT_RUNTIME 1
#define EXIT_USAGE 2
#define MODES_MAX_OUTPUTS 8
#define MODES_MAX_LINES 10000

typedef struct modes_opts {
    const char *config, *voice, *avatar, *size, *bg, *preset, *subs, *output;
    const char *text_file, *llm_url, *llm_model, *faq, *persona, *api_port, *api_host;
    const char *audio_dev;
    const char *mic, *asr_url, *mic_echo;
    int push_to_talk, no_barge_in;
    const char *outs[MODES_MAX_OUTPUTS];
    int n_outs;
    long fps, crf;
    long long seed;
    double rate, duration;
    int quiet, progress, no_present, fullscreen, no_window, no_speakers;
    modes_scene scene;
} modes_opts;

/* -v was given: library errors are logged too. */
extern int modes_verbose;
/* Prints "shuzi: MESSAGE" on stderr and returns code. */
int modes_fail(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The log callback of the commands: warnings show, errors only with -v. */
void modes_log(sz_log_level level, const char *tag, const char *msg, void *user);
/* Parses the options cmd takes; -1 to go on, or an exit code (help printed,
 * usage error). */
int modes_parse(const char *cmd, int argc, char **argv, modes_opts *o);
/* Config file, then flags over it. Returns -1 or an exit code. */
int modes_config(const modes_opts *o, sz_config *cfg);
/* --crf/--preset as an output's options ("crf=20:preset=fast"); -1 if too long. */
int modes_encoder_options(const modes_opts *o, char *out, size_t cap);
void modes_sleep_ms(int ms);

#endif
