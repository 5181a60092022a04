/* SPDX-License-Identifier: Apache-2.0 */
/* engine.h: what sessions need from the engine object. */
#ifndef SZ_ENGINE_ENGINE_H
#define SZ_ENGINE_ENGINE_H

#include <stdarg.h>
#include <stdint.h>

#include "core/media.h"
#include "shuzi.h"

struct sz_engine {
    sz_engine_params params;
    char assets_dir[1024];
    char last_error[512];
};

/* Shows a product card (avatar/card.h) beside the avatar, in order with what
 * is said: from the end of what is queued now (between utterances). NULL
 * hides it. The card is kept by the caller until the session is freed. An
 * interrupt drops a change still queued, like other queued changes. */
struct avatar_card;
int engine_session_show_card(sz_session *session, const struct avatar_card *card);

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

/* Test hook, for tests only: fn is called on the avatar thread with each
 * rendered video frame (BGRA) and its time. Call before sz_session_start. */
typedef void (*engine_test_frame_fn)(int64_t time_ms, const sz_video_frame *frame, void *user);
int engine_test_watch_frames(sz_session *session, engine_test_frame_fn fn, void *user);

#endif
