/* SPDX-License-Identifier: Apache-2.0 */
/* events.h: a broadcast ring of engine events (speech marks, state changes,
 * text handed to speech, errors) for the control API's server-sent-events
 * stream. Publishers never block on readers: a reader that falls behind the
 * ring is told how many events it missed. Thread-safe. */
#ifndef SZ_ENGINE_EVENTS_H
#define SZ_ENGINE_EVENTS_H

#include <stddef.h>
#include <stdint.h>

typedef struct ev_hub ev_hub;

/* capacity: events kept for readers (>= 16). */
int ev_hub_create(size_t capacity, ev_hub **out);
void ev_hub_free(ev_hub **hub);

/* type: a short word ("mark", "state", "text", "error", "comment");
 * json: one JSON object on one line. Both are copied. */
void ev_hub_publish(ev_hub *hub, const char *type, const char *json);

/* The sequence number the next published event will get: a new reader
 * starts there (only events after it). */
uint64_t ev_hub_head(ev_hub *hub);

/* Writes the event at *cursor as an SSE block ("event: T\nid: N\ndata: J\n\n")
 * into buf and advances *cursor. When the reader fell behind, writes an
 * "event: dropped" block saying how many were lost and jumps ahead. Waits up
 * to timeout_us for an event. Returns the block's length, 0 on timeout,
 * -1 when the hub is closed. A block longer than cap is skipped. */
long ev_hub_read(ev_hub *hub, uint64_t *cursor, char *buf, size_t cap, int64_t timeout_us);

/* Wakes every reader with -1 (shutting down). */
void ev_hub_close(ev_hub *hub);

/* Readers now inside ev_hub_read (for status). */
int ev_hub_readers(ev_hub *hub);

#endif
