/* SPDX-License-Identifier: Apache-2.0 */
/* pa_device.h: what the speaker output and the microphone share of
 * PortAudio: starting and stopping the library quietly (without a sound card,
 * ALSA and JACK probing print some 60 lines), and finding a device by name. */
#ifndef SZ_STREAM_PA_DEVICE_H
#define SZ_STREAM_PA_DEVICE_H

#include <stddef.h>

/* Pa_Initialize / Pa_Terminate (counted by PortAudio), serialized and quiet.
 * Returns PortAudio's error code (paNoError = 0). */
int pa_device_init(void);
void pa_device_term(void);

/* The device index for spec: "" or "default" = the default device, "#N" =
 * index N, else the first device whose name contains spec (case-insensitive);
 * only devices with inputs (input != 0) or outputs. -1 with one line in err
 * naming label and, for a name, the devices there are. */
int pa_device_find(const char *spec, int input, char *err, size_t errlen, const char *label);

#endif
