/* SPDX-License-Identifier: Apache-2.0 */
/* audio_file.h: reads a recording for audio-only lip-sync as mono float32:
 * WAV (RIFF) with our own strict parser, any other format libavformat
 * decodes (FLAC, MP3, Ogg...), resampled to the rate the caller asks for. */
#ifndef SZ_LIPSYNC_AUDIO_FILE_H
#define SZ_LIPSYNC_AUDIO_FILE_H

#include <stddef.h>
#include <stdint.h>

/* Longest recording accepted, and the largest file read. */
#define LS_AUDIO_MAX_SECONDS (60 * 60)
#define LS_AUDIO_MAX_FILE_BYTES (1024u * 1024u * 1024u)

typedef struct ls_audio {
    float *pcm; /* mono, -1..1 */
    size_t n;
    int sample_rate_hz;
} ls_audio;

/* Parses a whole WAV file held in memory: PCM 8/16/24/32-bit, IEEE float 32/
 * 64-bit, or WAVE_FORMAT_EXTENSIBLE of those, 1 to 8 channels (averaged to
 * mono), 1 kHz to 384 kHz. label names the source in messages ("x.wav: fmt
 * chunk: 12 channels, expected 1 to 8"). A data chunk cut short by the end
 * of the file is read up to the last whole frame. */
int lipsync_wav_parse(const uint8_t *data, size_t len, const char *label, ls_audio *out, char *err,
                      size_t errlen);

/* Reads path (WAV by the parser above, other formats by libavformat) and
 * resamples to rate_hz (0 keeps the file's rate). */
int lipsync_audio_load(const char *path, int rate_hz, ls_audio *out, char *err, size_t errlen);

/* Resamples mono float audio (libswresample). *out is malloc'ed. */
int lipsync_resample(const float *in, size_t n, int in_rate_hz, int out_rate_hz, float **out,
                     size_t *out_n);

void lipsync_audio_free(ls_audio *audio);

#endif
