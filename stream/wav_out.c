/* SPDX-License-Identifier: Apache-2.0 */
/* wav_out.c: the "wav" output: 16-bit PCM mono at the voice's rate. Written
 * under a temporary name beside the target, the RIFF sizes patched and the file
 * renamed at finish; an unfinished file is removed. */
#include <errno.h>
#include <math.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "core/file.h"
#include "shuzi.h"
#include "stream/output.h"

#define WAV_OUT_HEADER_BYTES 44
#define WAV_OUT_CHUNK 4096 /* samples converted per fwrite */
/* RIFF sizes are 32-bit: the data chunk must leave room for the header. */
#define WAV_OUT_MAX_DATA_BYTES (0xFFFFFFFFu - 36u)

typedef struct wav_out {
    char *final_path;
    char *tmp_path;
    char *dir; /* for messages */
    FILE *fp;
    int sample_rate_hz;
    uint64_t data_bytes;
    int failed;   /* a write failed; finish reports err */
    int finished; /* renamed to final_path */
    uint8_t buf[WAV_OUT_CHUNK * 2];
    char err[512];
} wav_out;

static atomic_uint wav_out_counter;

static int wav_out_accepts(const char *url)
{
    size_t n = strlen(url);
    return n > 4 && strcasecmp(url + n - 4, ".wav") == 0 && url[n - 5] != '/' &&
           !strstr(url, "://") && strncmp(url, "speaker:", 8) != 0 && strncmp(url, "gst:", 4) != 0;
}

static void wav_out_put_u32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static void wav_out_put_u16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void wav_out_header(uint8_t h[WAV_OUT_HEADER_BYTES], int rate, uint32_t data_bytes)
{
    memcpy(h, "RIFF", 4);
    wav_out_put_u32(h + 4, 36u + data_bytes);
    memcpy(h + 8, "WAVEfmt ", 8);
    wav_out_put_u32(h + 16, 16);                 /* fmt chunk size */
    wav_out_put_u16(h + 20, 1);                  /* PCM */
    wav_out_put_u16(h + 22, 1);                  /* channels */
    wav_out_put_u32(h + 24, (uint32_t)rate);     /* sample rate */
    wav_out_put_u32(h + 28, (uint32_t)rate * 2); /* byte rate */
    wav_out_put_u16(h + 32, 2);                  /* block align */
    wav_out_put_u16(h + 34, 16);                 /* bits per sample */
    memcpy(h + 36, "data", 4);
    wav_out_put_u32(h + 40, data_bytes);
}

/* dir = everything before the last '/' ("." if none, "/" for the root);
 * tmp = <dir>/.<stem>.partial-<pid>-<n>.wav */
static int wav_out_paths(wav_out *w, const char *url)
{
    const char *slash = strrchr(url, '/');
    const char *base = slash ? slash + 1 : url;
    size_t dir_len = slash ? (size_t)(slash - url) : 0;
    size_t stem_len = strlen(base) - 4; /* accepts() guaranteed ".wav" */
    size_t n = strlen(url) + 64;

    w->final_path = strdup(url);
    w->dir = malloc(dir_len + 2);
    w->tmp_path = malloc(n);
    if (!w->final_path || !w->dir || !w->tmp_path)
        return SZ_ERR_NO_MEMORY;
    if (!slash)
        strcpy(w->dir, ".");
    else if (dir_len == 0)
        strcpy(w->dir, "/");
    else {
        memcpy(w->dir, url, dir_len);
        w->dir[dir_len] = '\0';
    }
    unsigned id = atomic_fetch_add(&wav_out_counter, 1u);
    snprintf(w->tmp_path, n, "%.*s.%.*s.partial-%ld-%u%s", (int)(base - url), url, (int)stem_len,
             base, (long)getpid(), id, base + stem_len);
    char prefix[512];
    if (snprintf(prefix, sizeof prefix, ".%.*s.partial-", (int)stem_len, base) < (int)sizeof prefix)
        file_remove_stale_partials(w->dir, prefix);
    return SZ_OK;
}

static void wav_out_destroy(void *state)
{
    wav_out *w = state;
    if (!w)
        return;
    if (w->fp)
        fclose(w->fp);
    if (!w->finished && w->fp && w->tmp_path)
        unlink(w->tmp_path);
    free(w->final_path);
    free(w->tmp_path);
    free(w->dir);
    free(w);
}

static int wav_out_create(const out_config *cfg, out_options *opts, void **state, char *err,
                          size_t errlen)
{
    (void)opts; /* takes none: the core reports any given */
    *state = NULL;
    wav_out *w = calloc(1, sizeof *w);
    if (!w) {
        snprintf(err, errlen, "%s: out of memory", cfg->url);
        return SZ_ERR_NO_MEMORY;
    }
    int rc = wav_out_paths(w, cfg->url);
    if (rc != SZ_OK) {
        snprintf(err, errlen, "%s: out of memory", cfg->url);
        goto fail;
    }
    w->sample_rate_hz = cfg->sample_rate_hz;
    w->fp = fopen(w->tmp_path, "wb");
    if (!w->fp) {
        snprintf(err, errlen, "%s: cannot create a file in directory '%s': %s", cfg->url, w->dir,
                 strerror(errno));
        rc = SZ_ERR_IO;
        goto fail;
    }
    uint8_t h[WAV_OUT_HEADER_BYTES];
    wav_out_header(h, w->sample_rate_hz, 0);
    if (fwrite(h, 1, sizeof h, w->fp) != sizeof h) {
        snprintf(err, errlen, "%s: cannot write the WAV header to '%s': %s", cfg->url, w->tmp_path,
                 strerror(errno));
        rc = SZ_ERR_IO;
        goto fail;
    }
    *state = w;
    return SZ_OK;

fail:
    wav_out_destroy(w);
    return rc;
}

static int wav_out_put_audio(wav_out *w, const float *pcm, int n_samples);

static int wav_out_write_audio(void *state, const float *pcm, int n_samples, char *err,
                               size_t errlen)
{
    wav_out *w = state;
    int rc = wav_out_put_audio(w, pcm, n_samples);
    if (rc != SZ_OK)
        snprintf(err, errlen, "%s", w->err);
    return rc;
}

static int wav_out_put_audio(wav_out *w, const float *pcm, int n_samples)
{
    if (w->failed)
        return SZ_ERR_IO;
    if (w->data_bytes + 2u * (uint64_t)n_samples > WAV_OUT_MAX_DATA_BYTES) {
        snprintf(w->err, sizeof w->err, "%s: WAV files are limited to 4 GiB of audio",
                 w->final_path);
        w->failed = 1;
        return SZ_ERR_UNSUPPORTED;
    }
    for (int done = 0; done < n_samples;) {
        int n = n_samples - done < WAV_OUT_CHUNK ? n_samples - done : WAV_OUT_CHUNK;
        for (int i = 0; i < n; i++) {
            float x = pcm[done + i];
            if (!(x >= -1.0f)) /* also maps NaN to -1 */
                x = -1.0f;
            else if (x > 1.0f)
                x = 1.0f;
            long v = lrintf(x * 32767.0f);
            wav_out_put_u16(w->buf + 2 * i, (uint16_t)(int16_t)v);
        }
        if (fwrite(w->buf, 2, (size_t)n, w->fp) != (size_t)n) {
            snprintf(w->err, sizeof w->err, "%s: writing audio to '%s' failed: %s", w->final_path,
                     w->tmp_path, strerror(errno));
            w->failed = 1;
            return SZ_ERR_IO;
        }
        done += n;
    }
    w->data_bytes += 2u * (uint64_t)n_samples;
    return SZ_OK;
}

static int wav_out_finish(void *state, char *err, size_t errlen)
{
    wav_out *w = state;
    if (w->failed) {
        snprintf(err, errlen, "%s", w->err);
        return SZ_ERR_IO;
    }
    uint8_t h[WAV_OUT_HEADER_BYTES];
    wav_out_header(h, w->sample_rate_hz, (uint32_t)w->data_bytes);
    if (fseek(w->fp, 0, SEEK_SET) != 0 || fwrite(h, 1, sizeof h, w->fp) != sizeof h ||
        fflush(w->fp) != 0) {
        snprintf(err, errlen, "%s: writing the WAV header to '%s' failed: %s", w->final_path,
                 w->tmp_path, strerror(errno));
        return SZ_ERR_IO;
    }
    FILE *fp = w->fp;
    w->fp = NULL;
    if (fclose(fp) != 0) {
        snprintf(err, errlen, "%s: closing '%s' failed: %s", w->final_path, w->tmp_path,
                 strerror(errno));
        unlink(w->tmp_path);
        return SZ_ERR_IO;
    }
    if (rename(w->tmp_path, w->final_path) != 0) {
        snprintf(err, errlen, "%s: cannot rename '%s' to it: %s", w->final_path, w->tmp_path,
                 strerror(errno));
        unlink(w->tmp_path);
        return SZ_ERR_IO;
    }
    w->finished = 1;
    return SZ_OK;
}

const out_kind out_kind_wav = {
    .name = "wav",
    .accepts = wav_out_accepts,
    .flags = 0,
    .option_names = "",
    .create = wav_out_create,
    .write_audio = wav_out_write_audio,
    .finish = wav_out_finish,
    .destroy = wav_out_destroy,
};
