/* SPDX-License-Identifier: Apache-2.0 */
/* mic_portaudio.c: a PortAudio input device as the microphone ("default",
 * "#N", part of a name). The device callback copies the first channel into
 * a lock-free ring and stamps its newest block with the capture time (the
 * callback's ADC time on the monotonic clock); read resamples to the
 * listener's rate (libswresample) and dates what it returns from the stamp.
 * A reader that falls more than the ring behind loses the oldest audio. */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "listen/mic.h"
#include "shuzi.h"

#ifdef SHUZI_HAVE_PORTAUDIO
#include <libavutil/channel_layout.h>
#include <libswresample/swresample.h>
#include <portaudio.h>

#include "stream/pa_device.h"

#define MIC_RING_S 8

typedef struct mic_pa {
    PaStream *pa;
    int dev_rate, channels, rate;
    float *ring;
    size_t cap;
    atomic_size_t wr;
    atomic_llong stamp_idx, stamp_us; /* device sample stamp_idx was captured at stamp_us */
    atomic_uint seq;
    atomic_int overflows;
    size_t rd;
    SwrContext *swr;
    float *in, *out; /* one block of device samples and its resampled copy */
    size_t in_cap, out_cap;
    float *pend; /* resampled samples not yet returned */
    size_t pend_n, pend_cap;
    int64_t pend_t_us; /* capture time of pend[0] */
} mic_pa;

static int mic_pa_callback(const void *input, void *output, unsigned long frames,
                           const PaStreamCallbackTimeInfo *ti, PaStreamCallbackFlags flags,
                           void *user)
{
    (void)output;
    (void)flags;
    mic_pa *m = user;
    const float *in = input;
    int64_t now = clock_now_us();
    int64_t at = now;
    if (ti && ti->currentTime > 0 && ti->inputBufferAdcTime > 0) {
        double ago = ti->currentTime - ti->inputBufferAdcTime;
        if (ago >= 0 && ago < 1.0)
            at = now - (int64_t)(ago * 1e6);
    }
    size_t w = atomic_load_explicit(&m->wr, memory_order_relaxed);
    for (unsigned long i = 0; i < frames; i++)
        m->ring[(w + i) % m->cap] = in ? in[i * (size_t)m->channels] : 0.0f;
    unsigned s = atomic_load_explicit(&m->seq, memory_order_relaxed);
    atomic_store_explicit(&m->seq, s + 1, memory_order_relaxed);
    atomic_thread_fence(memory_order_release);
    atomic_store_explicit(&m->stamp_idx, (long long)w, memory_order_relaxed);
    atomic_store_explicit(&m->stamp_us, at, memory_order_relaxed);
    atomic_store_explicit(&m->seq, s + 2, memory_order_release);
    atomic_store_explicit(&m->wr, w + frames, memory_order_release);
    return paContinue;
}

static void mic_pa_destroy(void *state)
{
    mic_pa *m = state;
    if (!m)
        return;
    if (m->pa) {
        Pa_StopStream(m->pa);
        Pa_CloseStream(m->pa);
    }
    pa_device_term();
    swr_free(&m->swr);
    free(m->ring);
    free(m->in);
    free(m->out);
    free(m->pend);
    free(m);
}

int mic_portaudio_open(const char *spec, int rate, void **state, char *err, size_t errlen)
{
    PaError e = pa_device_init();
    if (e != paNoError) {
        snprintf(err, errlen, "microphone: cannot start PortAudio: %s", Pa_GetErrorText(e));
        return SZ_ERR_IO;
    }
    mic_pa *m = calloc(1, sizeof *m);
    if (!m) {
        pa_device_term();
        snprintf(err, errlen, "microphone: out of memory");
        return SZ_ERR_NO_MEMORY;
    }
    int dev = pa_device_find(spec, 1, err, errlen, "microphone");
    if (dev < 0) {
        mic_pa_destroy(m);
        return SZ_ERR_NOT_FOUND;
    }
    const PaDeviceInfo *di = Pa_GetDeviceInfo(dev);
    m->rate = rate;
    m->channels = di->maxInputChannels >= 1 ? 1 : di->maxInputChannels;
    m->dev_rate = (int)(di->defaultSampleRate > 0 ? di->defaultSampleRate : 48000);
    /* a device that takes the listener's rate directly saves resampling */
    PaStreamParameters ip = {dev, m->channels, paFloat32, di->defaultLowInputLatency, NULL};
    if (Pa_IsFormatSupported(&ip, NULL, rate) == paFormatIsSupported)
        m->dev_rate = rate;
    m->cap = (size_t)m->dev_rate * MIC_RING_S;
    m->ring = calloc(m->cap, sizeof *m->ring);
    AVChannelLayout mono = AV_CHANNEL_LAYOUT_MONO;
    if (!m->ring ||
        swr_alloc_set_opts2(&m->swr, &mono, AV_SAMPLE_FMT_FLT, rate, &mono, AV_SAMPLE_FMT_FLT,
                            m->dev_rate, 0, NULL) < 0 ||
        swr_init(m->swr) < 0) {
        snprintf(err, errlen, "microphone: cannot set up %d Hz to %d Hz", m->dev_rate, rate);
        mic_pa_destroy(m);
        return SZ_ERR_NO_MEMORY;
    }
    e = Pa_OpenStream(&m->pa, &ip, NULL, m->dev_rate, paFramesPerBufferUnspecified, paNoFlag,
                      mic_pa_callback, m);
    if (e == paNoError)
        e = Pa_StartStream(m->pa);
    if (e != paNoError) {
        snprintf(err, errlen, "microphone: cannot open '%s' (%s) at %d Hz: %s", spec, di->name,
                 m->dev_rate, Pa_GetErrorText(e));
        mic_pa_destroy(m);
        return SZ_ERR_IO;
    }
    *state = m;
    return SZ_OK;
}

/* Moves what the callback wrote since the last call through the resampler. */
static int mic_pa_take(mic_pa *m)
{
    size_t w = atomic_load_explicit(&m->wr, memory_order_acquire);
    if (w - m->rd > m->cap - m->cap / 8) { /* the reader fell behind: lose the oldest */
        atomic_fetch_add(&m->overflows, 1);
        m->rd = w - m->cap / 2;
        m->pend_n = 0;
        swr_init(m->swr);
    }
    size_t n = w - m->rd;
    if (n == 0)
        return 0;
    unsigned s0, s1;
    int64_t idx, at;
    do {
        s0 = atomic_load_explicit(&m->seq, memory_order_acquire);
        idx = atomic_load_explicit(&m->stamp_idx, memory_order_relaxed);
        at = atomic_load_explicit(&m->stamp_us, memory_order_relaxed);
        atomic_thread_fence(memory_order_acquire);
        s1 = atomic_load_explicit(&m->seq, memory_order_relaxed);
    } while ((s0 & 1) || s0 != s1);
    if (m->in_cap < n) {
        float *t = realloc(m->in, n * sizeof *t);
        if (!t)
            return SZ_ERR_NO_MEMORY;
        m->in = t;
        m->in_cap = n;
    }
    for (size_t i = 0; i < n; i++)
        m->in[i] = m->ring[(m->rd + i) % m->cap];
    int out_max = swr_get_out_samples(m->swr, (int)n);
    if (out_max < 0)
        return SZ_ERR_INTERNAL;
    if (m->pend_cap < m->pend_n + (size_t)out_max) {
        size_t c = m->pend_n + (size_t)out_max + 4096;
        float *t = realloc(m->pend, c * sizeof *t);
        if (!t)
            return SZ_ERR_NO_MEMORY;
        m->pend = t;
        m->pend_cap = c;
    }
    if (m->pend_n == 0) /* date the first pending sample from the stamp */
        m->pend_t_us = at + ((int64_t)m->rd - idx) * 1000000 / m->dev_rate;
    uint8_t *dst = (uint8_t *)(m->pend + m->pend_n);
    const uint8_t *src = (const uint8_t *)m->in;
    int got = swr_convert(m->swr, &dst, out_max, &src, (int)n);
    if (got > 0)
        m->pend_n += (size_t)got;
    m->rd = w;
    return 0;
}

static int mic_pa_read(void *state, float *pcm, size_t n, int64_t *t_us, int64_t timeout_us,
                       char *err, size_t errlen)
{
    mic_pa *m = state;
    int64_t deadline = timeout_us < 0 ? INT64_MAX : clock_now_us() + timeout_us;
    while (m->pend_n < n) {
        if (mic_pa_take(m) < 0) {
            snprintf(err, errlen, "microphone: out of memory");
            return SZ_ERR_NO_MEMORY;
        }
        if (m->pend_n >= n)
            break;
        if (Pa_IsStreamActive(m->pa) != 1) {
            snprintf(err, errlen, "microphone: the input device stopped");
            return SZ_ERR_IO;
        }
        int64_t now = clock_now_us();
        if (now >= deadline)
            return SZ_ERR_TIMEOUT;
        clock_sleep_until_us(now + 5000 < deadline ? now + 5000 : deadline);
    }
    memcpy(pcm, m->pend, n * sizeof *pcm);
    *t_us = m->pend_t_us;
    memmove(m->pend, m->pend + n, (m->pend_n - n) * sizeof *m->pend);
    m->pend_n -= n;
    m->pend_t_us += (int64_t)n * 1000000 / m->rate;
    return SZ_OK;
}

const mic_kind mic_portaudio_kind = {"portaudio", mic_pa_read, NULL, mic_pa_destroy};

#else

static void mic_pa_destroy(void *state)
{
    (void)state;
}

static int mic_pa_read(void *state, float *pcm, size_t n, int64_t *t_us, int64_t timeout_us,
                       char *err, size_t errlen)
{
    (void)state, (void)pcm, (void)n, (void)t_us, (void)timeout_us;
    snprintf(err, errlen, "microphone: built without PortAudio");
    return SZ_ERR_UNSUPPORTED;
}

int mic_portaudio_open(const char *spec, int rate, void **state, char *err, size_t errlen)
{
    (void)rate;
    (void)state;
    snprintf(err, errlen,
             "microphone '%s': this build has no PortAudio (install portaudio19-dev and rebuild); "
             "file:PATH works without it",
             spec);
    return SZ_ERR_UNSUPPORTED;
}

const mic_kind mic_portaudio_kind = {"portaudio", mic_pa_read, NULL, mic_pa_destroy};
#endif
