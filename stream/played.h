/* SPDX-License-Identifier: Apache-2.0 */
/* played.h: what this process's speakers play, kept for a short while so a
 * listener can remove it from the microphone (the echo canceller's far end).
 * The speaker output (stream/speaker.c) publishes every block it hands to
 * its device, from the device callback, with the monotonic time the block's
 * first sample is heard. A listener reads it back resampled to its own rate
 * by time: the audio that was heard while a microphone frame was captured.
 *
 * One tap per process, because one room plays through one set of speakers:
 * the first speaker to attach owns it; later ones play unrecorded. Publishing
 * is lock-free and allocation-free (a single-producer ring). */
#ifndef SZ_STREAM_PLAYED_H
#define SZ_STREAM_PLAYED_H

#include <stddef.h>
#include <stdint.h>

/* Speaker side. attach: before the device starts (allocates the ring for
 * rate); returns 1 when this caller now owns the tap, 0 when another speaker
 * does (or out of memory). publish and detach only by the owner. */
int played_attach(int rate);
/* n samples, every stride-th float of x (stride: the device's channels). */
void played_publish(const float *x, size_t n, size_t stride, int64_t heard_at_us);
void played_detach(void);

/* Listener side: one reader at a time. */
typedef struct played_reader played_reader;

played_reader *played_reader_open(int rate);
void played_reader_close(played_reader **r);

/* Fills out[0..n) with what was heard from t_us on, at the reader's rate
 * (silence where nothing was played or it is no longer kept). Returns 1 when
 * any of it was played audio, 0 when all is silence. Times should increase
 * from call to call; older audio is forgotten. */
int played_read(played_reader *r, int64_t t_us, float *out, size_t n);

#endif
