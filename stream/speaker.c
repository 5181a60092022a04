/* SPDX-License-Identifier: Apache-2.0 */
/* speaker.c: the "speaker" output: plays the session audio on a PortAudio
 * device ("speaker:", "speaker:NAME", "speaker:#N") or on a simulated device
 * that keeps real time without hardware ("speaker:null", and
 * "speaker:file:PATH.wav", which also records what it played; drift_ppm gives
 * it a clock error, as real devices have). It is the
 * audio clock of the session: it publishes which session time is audible,
 * with the latency the device reports, for the window to show frames in sync.
 * Live sessions keep the device buffer at its target by gently resampling
 * (the device clock and the session clock drift apart over hours). */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libavutil/channel_layout.h>
#include <libswresample/swresample.h>

#ifdef SHUZI_HAVE_PORTAUDIO
#include <portaudio.h>

#include "stream/pa_device.h"
#endif

#include "core/clock.h"
#include "core/log.h"
#include "core/thread.h"
#include "shuzi.h"
#include "stream/output.h"
#include "stream/played.h"

#define SPK_PREFIX "speaker:"
#define SPK_SIM_PERIOD_MS 10
#define SPK_DRIFT_THRESHOLD_US 10000 /* live: fill error that starts a correction */
#define SPK_DRIFT_MAX_PPM 5000       /* at most 0.5 % faster or slower */

enum { SPK_PORTAUDIO, SPK_NULL, SPK_FILE };

typedef struct spk {
    const char *name;
    int backend;
    int live;
    int in_rate, fps;
    int dev_rate, channels;
    int64_t buffer_us;    /* target fill of the ring */
    double latency_req_s; /* requested device latency; < 0 = the device's default */
    double latency_s;     /* what the device (or the simulation) reports */
    out_clock *clock;
    int (*interrupted)(void *);
    void *interrupt_opaque;

    /* input -> device rate */
    SwrContext *swr;
    float *rs_buf;
    int rs_cap;
    double ema_fill_us;
    atomic_llong mean_fill_us; /* for the figures */
    int64_t comp_until_us;     /* a drift correction runs until then */

    /* ring of mono device-rate samples: written by the output thread, read by
     * the device callback */
    float *ring;
    size_t ring_cap;
    atomic_size_t rd, wr;

    /* session time of stream position 0, and device samples added (+) or
     * removed (-) by drift corrections and overflows */
    atomic_llong base_us;
    atomic_llong adjust;
    atomic_llong consumed; /* stream samples the device has taken */
    atomic_llong underruns, overflows;
    atomic_int started, playing;
    atomic_int draining; /* finish: the ring runs dry on purpose */

    /* simulated device */
    sz_thread sim;
    atomic_int sim_stop;
    float *sim_buf;
    int sim_period;
    double sim_drift; /* simulated device clock error: 1 + ppm/1e6 */
    char *file_path;
    FILE *fp;
    uint64_t file_samples;
    int file_failed;
    int owns_tap; /* live: what this speaker plays is kept for echo cancellation */

#ifdef SHUZI_HAVE_PORTAUDIO
    PaStream *pa;
    int pa_init;
#endif
} spk;

static int spk_accepts(const char *url)
{
    return strncmp(url, SPK_PREFIX, strlen(SPK_PREFIX)) == 0;
}

/* ---- the ring ----------------------------------------------------------- */

static size_t spk_fill(spk *s)
{
    return atomic_load(&s->wr) - atomic_load(&s->rd);
}

static size_t spk_ring_write(spk *s, const float *x, size_t n)
{
    size_t w = atomic_load_explicit(&s->wr, memory_order_relaxed);
    size_t r = atomic_load_explicit(&s->rd, memory_order_acquire);
    size_t space = s->ring_cap - (w - r);
    if (n > space)
        n = space;
    for (size_t i = 0; i < n; i++)
        s->ring[(w + i) % s->ring_cap] = x[i];
    atomic_store_explicit(&s->wr, w + n, memory_order_release);
    return n;
}

/* The device side: fills frames x channels samples of out (interleaved);
 * what the ring cannot give is silence (an underrun once playing).
 * dac_delay_s: how long until the first of these samples is heard. */
static void spk_pull(spk *s, float *out, int frames, double dac_delay_s, int64_t now_us)
{
    size_t r = atomic_load_explicit(&s->rd, memory_order_relaxed);
    size_t w = atomic_load_explicit(&s->wr, memory_order_acquire);
    size_t avail = w - r;
    size_t n = (size_t)frames < avail ? (size_t)frames : avail;
    int ch = s->channels;
    for (size_t i = 0; i < n; i++) {
        float v = s->ring[(r + i) % s->ring_cap];
        for (int c = 0; c < ch; c++)
            out[i * (size_t)ch + (size_t)c] = v;
    }
    if (n < (size_t)frames) {
        memset(out + n * (size_t)ch, 0, ((size_t)frames - n) * (size_t)ch * sizeof(float));
        if (atomic_load_explicit(&s->playing, memory_order_relaxed) &&
            !atomic_load_explicit(&s->draining, memory_order_relaxed))
            atomic_fetch_add_explicit(&s->underruns, 1, memory_order_relaxed);
    }
    atomic_store_explicit(&s->rd, r + n, memory_order_release);
    if (s->owns_tap)
        played_publish(out, (size_t)frames, (size_t)ch, now_us + (int64_t)(dac_delay_s * 1e6));
    int64_t before = atomic_fetch_add_explicit(&s->consumed, (long long)n, memory_order_relaxed);
    if (n > 0)
        atomic_store_explicit(&s->playing, 1, memory_order_relaxed);
    if (s->clock) {
        int64_t base = atomic_load_explicit(&s->base_us, memory_order_relaxed);
        int64_t adj = atomic_load_explicit(&s->adjust, memory_order_relaxed);
        int64_t pos = base + (before - adj) * 1000000 / s->dev_rate;
        int64_t lim = base + (before + (int64_t)n - adj) * 1000000 / s->dev_rate;
        out_clock_publish(s->clock, pos, now_us + (int64_t)(dac_delay_s * 1e6), lim);
    }
}

/* ---- simulated device ---------------------------------------------------- */

static void spk_put_u32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

/* A 32-bit float mono WAV header for n samples. */
static void spk_wav_header(uint8_t h[44], int rate, uint64_t n)
{
    uint32_t data = n * 4 > 0xFFFFFFF0u ? 0xFFFFFFF0u : (uint32_t)(n * 4);
    memcpy(h, "RIFF", 4);
    spk_put_u32(h + 4, 36 + data);
    memcpy(h + 8, "WAVEfmt ", 8);
    spk_put_u32(h + 16, 16);
    h[20] = 3; /* IEEE float */
    h[21] = 0;
    h[22] = 1; /* mono */
    h[23] = 0;
    spk_put_u32(h + 24, (uint32_t)rate);
    spk_put_u32(h + 28, (uint32_t)rate * 4);
    h[32] = 4;
    h[33] = 0;
    h[34] = 32;
    h[35] = 0;
    memcpy(h + 36, "data", 4);
    spk_put_u32(h + 40, data);
}

static void *spk_sim_main(void *arg)
{
    spk *s = arg;
    int64_t t0 = clock_now_us();
    double period_us = s->sim_period * 1e6 / (s->dev_rate * s->sim_drift);
    for (int64_t k = 1; !atomic_load(&s->sim_stop); k++) {
        clock_sleep_until_us(t0 + (int64_t)(k * period_us));
        spk_pull(s, s->sim_buf, s->sim_period, s->latency_s, clock_now_us());
        if (s->fp && !s->file_failed) {
            if (fwrite(s->sim_buf, sizeof(float), (size_t)s->sim_period, s->fp) !=
                (size_t)s->sim_period)
                s->file_failed = errno ? errno : EIO;
            else
                s->file_samples += (uint64_t)s->sim_period;
        }
    }
    return NULL;
}

/* ---- PortAudio ------------------------------------------------------------ */

#ifdef SHUZI_HAVE_PORTAUDIO
static int spk_pa_callback(const void *in, void *out, unsigned long frames,
                           const PaStreamCallbackTimeInfo *ti, PaStreamCallbackFlags flags,
                           void *user)
{
    (void)in;
    (void)flags;
    spk *s = user;
    double delay = s->latency_s;
    if (ti && ti->outputBufferDacTime > 0 && ti->currentTime > 0) {
        double d = ti->outputBufferDacTime - ti->currentTime;
        if (d >= 0 && d < 2.0)
            delay = d;
    }
    spk_pull(s, out, (int)frames, delay, clock_now_us());
    return paContinue;
}

static int spk_pa_open(spk *s, const char *spec, char *err, size_t errlen)
{
    PaError e = pa_device_init();
    if (e != paNoError) {
        snprintf(err, errlen, "%s: cannot start PortAudio: %s", s->name, Pa_GetErrorText(e));
        return SZ_ERR_IO;
    }
    s->pa_init = 1;
    int dev = pa_device_find(spec, 0, err, errlen, s->name);
    if (dev < 0)
        return SZ_ERR_NOT_FOUND;
    const PaDeviceInfo *di = Pa_GetDeviceInfo(dev);
    s->channels = di->maxOutputChannels >= 2 ? 2 : 1;
    if (s->dev_rate <= 0)
        s->dev_rate = (int)(di->defaultSampleRate > 0 ? di->defaultSampleRate : 48000);
    PaStreamParameters op = {
        .device = dev,
        .channelCount = s->channels,
        .sampleFormat = paFloat32,
        .suggestedLatency = s->latency_req_s >= 0 ? s->latency_req_s : di->defaultHighOutputLatency,
        .hostApiSpecificStreamInfo = NULL};
    e = Pa_OpenStream(&s->pa, NULL, &op, s->dev_rate, paFramesPerBufferUnspecified, paNoFlag,
                      spk_pa_callback, s);
    if (e != paNoError) {
        snprintf(err, errlen, "%s: cannot open '%s' at %d Hz: %s", s->name, di->name, s->dev_rate,
                 Pa_GetErrorText(e));
        s->pa = NULL;
        return SZ_ERR_IO;
    }
    const PaStreamInfo *si = Pa_GetStreamInfo(s->pa);
    s->latency_s = si ? si->outputLatency : op.suggestedLatency;
    SZ_LOGI("stream", "%s: playing on '%s' at %d Hz, %d channel(s), latency %.1f ms", s->name,
            di->name, s->dev_rate, s->channels, s->latency_s * 1000);
    return SZ_OK;
}
#endif

int sz_list_audio_devices(sz_audio_device_fn fn, void *user)
{
#ifdef SHUZI_HAVE_PORTAUDIO
    if (!fn)
        return SZ_ERR_INVALID_ARG;
    if (pa_device_init() != paNoError)
        return SZ_ERR_IO;
    int n = Pa_GetDeviceCount();
    int def = Pa_GetDefaultOutputDevice();
    for (int i = 0; i < n; i++) {
        const PaDeviceInfo *di = Pa_GetDeviceInfo(i);
        if (!di || di->maxOutputChannels < 1)
            continue;
        const PaHostApiInfo *hi = Pa_GetHostApiInfo(di->hostApi);
        sz_audio_device d = {.index = i,
                             .name = di->name,
                             .host_api = hi ? hi->name : "",
                             .max_output_channels = di->maxOutputChannels,
                             .default_sample_rate_hz = di->defaultSampleRate,
                             .default_latency_ms = di->defaultHighOutputLatency * 1000,
                             .is_default = i == def};
        if (fn(&d, user))
            break;
    }
    pa_device_term();
    return n < 0 ? SZ_ERR_IO : SZ_OK;
#else
    (void)fn;
    (void)user;
    return SZ_ERR_UNSUPPORTED;
#endif
}

/* ---- the kind ------------------------------------------------------------ */

static void spk_stop_device(spk *s)
{
    if (s->backend == SPK_PORTAUDIO) {
#ifdef SHUZI_HAVE_PORTAUDIO
        if (s->pa && atomic_load(&s->started))
            Pa_StopStream(s->pa);
#endif
    } else if (atomic_load(&s->started)) {
        atomic_store(&s->sim_stop, 1);
        thread_join(&s->sim);
    }
    atomic_store(&s->started, 0);
}

static void spk_destroy(void *state)
{
    spk *s = state;
    if (!s)
        return;
    spk_stop_device(s);
    if (s->owns_tap)
        played_detach();
#ifdef SHUZI_HAVE_PORTAUDIO
    if (s->pa)
        Pa_CloseStream(s->pa);
    if (s->pa_init)
        pa_device_term();
#endif
    if (s->fp)
        fclose(s->fp);
    swr_free(&s->swr);
    free(s->rs_buf);
    free(s->ring);
    free(s->sim_buf);
    free(s->file_path);
    free(s);
}

static int spk_create(const out_config *cfg, out_options *opts, void **state, char *err,
                      size_t errlen)
{
    *state = NULL;
    const char *spec = cfg->url + strlen(SPK_PREFIX);
    spk *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(err, errlen, "%s: out of memory", cfg->name);
        return SZ_ERR_NO_MEMORY;
    }
    s->name = cfg->name;
    s->live = cfg->live;
    s->in_rate = cfg->sample_rate_hz;
    s->fps = cfg->fps;
    s->clock = cfg->clock;
    s->interrupted = cfg->interrupted;
    s->interrupt_opaque = cfg->interrupt_opaque;
    int64_t buffer_ms = s->live ? 80 : 100, rate = 0, drift_ppm = 0;
    double latency_ms = -1;
    int rc;
    if ((rc = out_options_int(opts, "buffer_ms", 10, 2000, &buffer_ms, err, errlen)) ||
        (rc = out_options_double(opts, "latency_ms", 0, 2000, &latency_ms, err, errlen)) ||
        (rc = out_options_int(opts, "rate", 8000, 192000, &rate, err, errlen)) ||
        (rc = out_options_int(opts, "drift_ppm", -20000, 20000, &drift_ppm, err, errlen)))
        goto fail;
    s->sim_drift = 1.0 + (double)drift_ppm / 1e6;
    s->buffer_us = buffer_ms * 1000;
    s->latency_req_s = latency_ms >= 0 ? latency_ms / 1000 : -1;
    s->dev_rate = (int)rate;

    if (drift_ppm && strcmp(spec, "null") && strncmp(spec, "file:", 5)) {
        snprintf(err, errlen,
                 "%s: option drift_ppm is for speaker:null and speaker:file: "
                 "(a simulated device)",
                 s->name);
        rc = SZ_ERR_INVALID_ARG;
        goto fail;
    }
    if (!strcmp(spec, "null") || !strncmp(spec, "file:", 5)) {
        s->backend = spec[0] == 'n' ? SPK_NULL : SPK_FILE;
        s->channels = 1;
        if (s->dev_rate <= 0)
            s->dev_rate = 48000;
        s->latency_s = s->latency_req_s >= 0 ? s->latency_req_s : 0.040;
        s->sim_period = s->dev_rate * SPK_SIM_PERIOD_MS / 1000;
        s->sim_buf = calloc((size_t)s->sim_period, sizeof(float));
        if (!s->sim_buf) {
            rc = SZ_ERR_NO_MEMORY;
            snprintf(err, errlen, "%s: out of memory", s->name);
            goto fail;
        }
        if (s->backend == SPK_FILE) {
            const char *path = spec + 5;
            size_t n = strlen(path);
            if (n < 5 || strcasecmp(path + n - 4, ".wav")) {
                snprintf(err, errlen, "%s: expected speaker:file:PATH.wav", s->name);
                rc = SZ_ERR_INVALID_ARG;
                goto fail;
            }
            s->file_path = strdup(path);
            s->fp = s->file_path ? fopen(path, "wb") : NULL;
            uint8_t h[44];
            spk_wav_header(h, s->dev_rate, 0);
            if (!s->fp || fwrite(h, 1, sizeof h, s->fp) != sizeof h) {
                snprintf(err, errlen, "%s: cannot write '%s': %s", s->name, path, strerror(errno));
                rc = SZ_ERR_IO;
                goto fail;
            }
        }
    } else {
        s->backend = SPK_PORTAUDIO;
#ifdef SHUZI_HAVE_PORTAUDIO
        rc = spk_pa_open(s, spec, err, errlen);
        if (rc != SZ_OK)
            goto fail;
#else
        snprintf(err, errlen,
                 "%s: this build has no PortAudio (install portaudio19-dev and reconfigure); "
                 "speaker:null and speaker:file:PATH.wav work without it",
                 s->name);
        rc = SZ_ERR_UNSUPPORTED;
        goto fail;
#endif
    }

    AVChannelLayout mono = AV_CHANNEL_LAYOUT_MONO;
    int ret = swr_alloc_set_opts2(&s->swr, &mono, AV_SAMPLE_FMT_FLT, s->dev_rate, &mono,
                                  AV_SAMPLE_FMT_FLT, s->in_rate, 0, NULL);
    if (ret >= 0)
        ret = swr_init(s->swr);
    if (ret < 0) {
        snprintf(err, errlen, "%s: cannot resample %d Hz to %d Hz", s->name, s->in_rate,
                 s->dev_rate);
        rc = SZ_ERR_CODEC;
        goto fail;
    }
    s->rs_cap = (int)((int64_t)(s->in_rate / s->fps + 64) * s->dev_rate / s->in_rate) + 512;
    /* Live: room for twice the target plus slack; offline: the target is the
     * room, and writing waits when it is full. */
    int64_t ring_us = s->live ? 2 * s->buffer_us + 200000 : s->buffer_us + 20000;
    s->ring_cap = (size_t)(ring_us * s->dev_rate / 1000000) + (size_t)s->rs_cap;
    s->rs_buf = malloc((size_t)s->rs_cap * sizeof(float));
    s->ring = calloc(s->ring_cap, sizeof(float));
    if (!s->rs_buf || !s->ring) {
        snprintf(err, errlen, "%s: out of memory", s->name);
        rc = SZ_ERR_NO_MEMORY;
        goto fail;
    }
    if (s->clock)
        out_clock_add_source(s->clock);
    if (s->live)
        s->owns_tap = played_attach(s->dev_rate);
    *state = s;
    return SZ_OK;
fail:
    spk_destroy(s);
    return rc;
}

static void spk_set_base(void *state, int64_t first_frame)
{
    spk *s = state;
    int64_t first = clock_frame_first_sample(first_frame, s->in_rate, s->fps);
    /* The ring may still hold audio of an earlier stretch: count it in. */
    atomic_store(&s->base_us, first * 1000000 / s->in_rate);
    atomic_store(&s->adjust, atomic_load(&s->consumed) + (int64_t)spk_fill(s));
}

static int spk_start(spk *s, char *err, size_t errlen)
{
    if (atomic_load(&s->started))
        return SZ_OK;
    if (s->backend == SPK_PORTAUDIO) {
#ifdef SHUZI_HAVE_PORTAUDIO
        PaError e = Pa_StartStream(s->pa);
        if (e != paNoError) {
            snprintf(err, errlen, "%s: cannot start playback: %s", s->name, Pa_GetErrorText(e));
            return SZ_ERR_IO;
        }
#endif
    } else {
        atomic_store(&s->sim_stop, 0);
        if (thread_start(&s->sim, "sz-speaker-sim", spk_sim_main, s) != SZ_OK) {
            snprintf(err, errlen, "%s: cannot start the device thread", s->name);
            return SZ_ERR_NO_MEMORY;
        }
    }
    atomic_store(&s->started, 1);
    return SZ_OK;
}

/* Live: the session clock and the device clock drift apart; keep the fill at
 * its target by resampling slightly faster or slower for a while. just: the
 * samples just written (the mean fill is half a write below the fill now). */
static void spk_track_drift(spk *s, size_t just)
{
    if (!atomic_load(&s->playing)) {
        s->ema_fill_us = 0;
        return;
    }
    double fill_us = ((double)spk_fill(s) - (double)just / 2) * 1e6 / s->dev_rate;
    s->ema_fill_us = s->ema_fill_us == 0 ? fill_us : 0.9 * s->ema_fill_us + 0.1 * fill_us;
    atomic_store(&s->mean_fill_us, (long long)s->ema_fill_us);
    int64_t now = clock_now_us();
    if (now < s->comp_until_us)
        return;
    double error_us = (double)s->buffer_us - s->ema_fill_us; /* > 0: too little queued */
    if (fabs(error_us) < SPK_DRIFT_THRESHOLD_US)
        return;
    /* Half the error over the next second of output: no overshoot. */
    int distance = s->dev_rate;
    int delta = (int)(error_us / 2 * s->dev_rate / 1e6);
    int limit = (int)((int64_t)distance * SPK_DRIFT_MAX_PPM / 1000000);
    if (delta > limit)
        delta = limit;
    if (delta < -limit)
        delta = -limit;
    if (delta == 0 || swr_set_compensation(s->swr, delta, distance) < 0)
        return;
    atomic_fetch_add(&s->adjust, delta);
    s->comp_until_us = now + 1000000;
}

static int spk_write_audio(void *state, const float *pcm, int n, char *err, size_t errlen)
{
    spk *s = state;
    const uint8_t *in[1] = {(const uint8_t *)pcm};
    uint8_t *out[1] = {(uint8_t *)s->rs_buf};
    int got = swr_convert(s->swr, out, s->rs_cap, in, n);
    if (got < 0) {
        snprintf(err, errlen, "%s: resampling failed", s->name);
        return SZ_ERR_CODEC;
    }
    size_t done = 0;
    while (done < (size_t)got) {
        done += spk_ring_write(s, s->rs_buf + done, (size_t)got - done);
        if (!atomic_load(&s->started) &&
            (int64_t)spk_fill(s) * 1000000 / s->dev_rate >= s->buffer_us) {
            int rc = spk_start(s, err, errlen);
            if (rc != SZ_OK)
                return rc;
        }
        if (done == (size_t)got)
            break;
        if (s->live) { /* the device is behind: drop, and count it */
            atomic_fetch_add(&s->overflows, 1);
            atomic_fetch_sub(&s->adjust, (long long)((size_t)got - done));
            break;
        }
        if (s->interrupted && s->interrupted(s->interrupt_opaque))
            return SZ_OK;
        clock_sleep_until_us(clock_now_us() + 2000); /* offline: the device paces us */
    }
    if (s->live)
        spk_track_drift(s, done);
    return SZ_OK;
}

static int spk_write_video(void *state, const sz_video_frame *f, char *err, size_t errlen)
{
    (void)state;
    (void)f;
    (void)err;
    (void)errlen;
    return SZ_OK;
}

static int spk_finish(void *state, char *err, size_t errlen)
{
    spk *s = state;
    atomic_store(&s->draining, 1);
    if (spk_fill(s) > 0) {
        int rc = spk_start(s, err, errlen);
        if (rc != SZ_OK)
            return rc;
    }
    /* Let what is queued play out, then the device latency. */
    int64_t limit = clock_now_us() + (int64_t)spk_fill(s) * 1000000 / s->dev_rate + 2000000;
    while (spk_fill(s) > 0 && clock_now_us() < limit &&
           !(s->interrupted && s->interrupted(s->interrupt_opaque)))
        clock_sleep_until_us(clock_now_us() + 5000);
    if (atomic_load(&s->started))
        clock_sleep_until_us(clock_now_us() + (int64_t)(s->latency_s * 1e6));
    spk_stop_device(s);
    if (s->fp) {
        uint8_t h[44];
        spk_wav_header(h, s->dev_rate, s->file_samples);
        int bad = s->file_failed || fseek(s->fp, 0, SEEK_SET) != 0 ||
                  fwrite(h, 1, sizeof h, s->fp) != sizeof h;
        bad |= fclose(s->fp) != 0;
        s->fp = NULL;
        if (bad) {
            snprintf(err, errlen, "%s: writing '%s' failed: %s", s->name, s->file_path,
                     strerror(s->file_failed ? s->file_failed : errno));
            return SZ_ERR_IO;
        }
    }
    return SZ_OK;
}

static void spk_stats(void *state, sz_output_stats *st)
{
    spk *s = state;
    st->audio_underruns = atomic_load(&s->underruns);
    st->audio_overflows = atomic_load(&s->overflows);
    st->device_latency_ms = s->latency_s * 1000;
    long long mean = atomic_load(&s->mean_fill_us);
    st->audio_buffer_ms =
        mean > 0 ? (double)mean / 1000.0 : (double)spk_fill(s) * 1000.0 / s->dev_rate;
}

const out_kind out_kind_speaker = {
    .name = "speaker",
    .accepts = spk_accepts,
    .flags = OUT_F_PACED,
    .option_names = "buffer_ms latency_ms rate drift_ppm",
    .create = spk_create,
    .set_base = spk_set_base,
    .write_video = spk_write_video,
    .write_audio = spk_write_audio,
    .finish = spk_finish,
    .destroy = spk_destroy,
    .stats = spk_stats,
};
