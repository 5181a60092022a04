/* SPDX-License-Identifier: Apache-2.0 */
/* engine.h: what sessions need from the engine object. */
#ifndef SZ_ENGINE_ENGINE_H
#define SZ_ENGINE_ENGINE_H

#include <stdarg.h>
#include <stdint.h>

#include "shuzi.h"

struct sz_engine {
    sz_engine_params params;
    char assets_dir[1024];
    char last_error[512];
};

/* Test hook, for tests only: delays the face parameters by frames (0 to 8)
 * video frames against the audio, so a lip-sync lag test can prove it
 * detects a lagging mouth. Call before sz_session_start. */
int engine_test_shift_face(sz_session *session, int frames);

/* Test hook, for tests only: in a session that burns subtitles, fn is called
 * on the avatar thread for each video frame with its time, the subtitle it
 * shows ("" for none), the page shown (-1 for none) and the text's pages.
 * Call before sz_session_start. */
typedef void (*engine_test_subtitle_fn)(int64_t time_ms, const char *text, int page, int n_pages,
                                        void *user);
int engine_test_watch_subtitles(sz_session *session, engine_test_subtitle_fn fn, void *user);

#endif
