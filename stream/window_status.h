/* SPDX-License-Identifier: Apache-2.0 */
/* window_status.h: what the kiosk window shows over the avatar besides the
 * video (a listening indicator and the text last heard), and where its
 * push-to-talk key goes. Process-wide, like the window itself (one per
 * process): the listening side sets it from its threads, the window reads
 * it on its own. Thread-safe. */
#ifndef SZ_STREAM_WINDOW_STATUS_H
#define SZ_STREAM_WINDOW_STATUS_H

#include <stddef.h>

typedef enum window_mic {
    WINDOW_MIC_NONE = 0, /* nothing listens: no indicator */
    WINDOW_MIC_WAITING,  /* push-to-talk, closed: grey */
    WINDOW_MIC_OPEN,     /* listening for speech: green */
    WINDOW_MIC_HEARING,  /* someone is speaking: red */
} window_mic;

void window_status_set_mic(window_mic state);
/* The text heard (partial or final); NULL or "" clears it. */
void window_status_set_heard(const char *text);
/* Copies the current status; returns a version that changes with the text. */
unsigned window_status_get(window_mic *state, char *heard, size_t cap);

/* The push-to-talk key (space in the window): down 1 on press, 0 on release. */
typedef void (*window_key_fn)(void *user, int down);
void window_status_set_key(window_key_fn fn, void *user);
void window_status_key(int down);

#endif
