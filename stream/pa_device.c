/* SPDX-License-Identifier: Apache-2.0 */
/* pa_device.c: PortAudio start/stop and device lookup (pa_device.h). */
#include "stream/pa_device.h"

#ifdef SHUZI_HAVE_PORTAUDIO
#include <dlfcn.h>
#include <portaudio.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"

static pthread_mutex_t pa_lock = PTHREAD_MUTEX_INITIALIZER;

/* JACK also reports from its destructors at exit, after any redirection. */
static void pa_jack_silent(const char *msg)
{
    (void)msg;
}

static void pa_jack_quiet(void)
{
    if (sz_log_enabled(SZ_LOG_INFO))
        return;
    void (*set_fn)(void (*)(const char *));
    *(void **)&set_fn = dlsym(RTLD_DEFAULT, "jack_set_error_function");
    if (set_fn)
        set_fn(pa_jack_silent);
    *(void **)&set_fn = dlsym(RTLD_DEFAULT, "jack_set_info_function");
    if (set_fn)
        set_fn(pa_jack_silent);
}

int pa_device_init(void)
{
    pthread_mutex_lock(&pa_lock);
    pa_jack_quiet();
    log_stderr_hold q;
    log_stderr_hold_begin(&q);
    PaError e = Pa_Initialize();
    log_stderr_hold_end(&q);
    pthread_mutex_unlock(&pa_lock);
    return e;
}

void pa_device_term(void)
{
    pthread_mutex_lock(&pa_lock);
    log_stderr_hold q;
    log_stderr_hold_begin(&q);
    Pa_Terminate();
    log_stderr_hold_end(&q);
    pthread_mutex_unlock(&pa_lock);
}

static int pa_channels(const PaDeviceInfo *di, int input)
{
    return di ? (input ? di->maxInputChannels : di->maxOutputChannels) : 0;
}

int pa_device_find(const char *spec, int input, char *err, size_t errlen, const char *label)
{
    const char *what = input ? "input" : "output";
    int n = Pa_GetDeviceCount();
    if (n < 0) {
        snprintf(err, errlen, "%s: PortAudio cannot list devices: %s", label, Pa_GetErrorText(n));
        return -1;
    }
    if (!spec[0] || strcmp(spec, "default") == 0) {
        int d = input ? Pa_GetDefaultInputDevice() : Pa_GetDefaultOutputDevice();
        if (d == paNoDevice)
            snprintf(err, errlen, "%s: no default audio %s device (%d devices found)", label, what,
                     n);
        return d == paNoDevice ? -1 : d;
    }
    if (spec[0] == '#') {
        char *end = NULL;
        long i = strtol(spec + 1, &end, 10);
        if (end == spec + 1 || *end || i < 0 || i >= n) {
            snprintf(err, errlen, "%s: device '%s': expected #0 to #%d", label, spec, n - 1);
            return -1;
        }
        if (pa_channels(Pa_GetDeviceInfo((int)i), input) < 1) {
            snprintf(err, errlen, "%s: device %s has no %ss", label, spec, what);
            return -1;
        }
        return (int)i;
    }
    char names[300] = "";
    size_t used = 0;
    for (int i = 0; i < n; i++) {
        const PaDeviceInfo *di = Pa_GetDeviceInfo(i);
        if (pa_channels(di, input) < 1)
            continue;
        if (strcasestr(di->name, spec))
            return i;
        if (used < sizeof names)
            used += (size_t)snprintf(names + used, sizeof names - used, "%s'%s'", used ? ", " : "",
                                     di->name);
    }
    snprintf(err, errlen, "%s: no audio %s device matches '%s' (have: %s)", label, what, spec,
             names[0] ? names : "none");
    return -1;
}
#else
typedef int pa_device_unused; /* ISO C: a translation unit is not empty */
#endif
