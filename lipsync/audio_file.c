/* SPDX-License-Identifier: Apache-2.0 */
/* audio_file.c: the WAV parser (RIFF chunks, PCM and float formats, checked
 * field by field), decoding of other formats through libavformat, and mono
 * resampling through libswresample. */
#include "lipsync/audio_file.h"

#include <errno.h>
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/channel_layout.h>
#include <libavutil/opt.h>
#include <libswresample/swresample.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "shuzi.h"

static uint32_t af_u32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint16_t af_u16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

enum { AF_PCM = 1, AF_FLOAT = 3, AF_EXTENSIBLE = 0xFFFE };

typedef struct af_fmt {
    int tag, channels, rate, bits, block;
} af_fmt;

static int af_parse_fmt(const uint8_t *p, uint32_t size, const char *label, af_fmt *f, char *err,
                        size_t errlen)
{
    if (size < 16) {
        snprintf(err, errlen, "%s: fmt chunk is %u bytes, expected at least 16", label, size);
        return SZ_ERR_FORMAT;
    }
    f->tag = af_u16(p);
    f->channels = af_u16(p + 2);
    uint32_t rate = af_u32(p + 4);
    f->block = af_u16(p + 12);
    f->bits = af_u16(p + 14);
    if (f->tag == AF_EXTENSIBLE) {
        if (size < 40) {
            snprintf(err, errlen, "%s: fmt chunk: WAVE_FORMAT_EXTENSIBLE needs 40 bytes, found %u",
                     label, size);
            return SZ_ERR_FORMAT;
        }
        f->tag = af_u16(p + 24); /* the sub-format GUID starts with the format tag */
    }
    if (f->tag != AF_PCM && f->tag != AF_FLOAT) {
        snprintf(err, errlen,
                 "%s: fmt chunk: audio format %d is not supported (expected PCM or IEEE float; "
                 "convert compressed WAV files first)",
                 label, f->tag);
        return SZ_ERR_UNSUPPORTED;
    }
    if (f->channels < 1 || f->channels > 8) {
        snprintf(err, errlen, "%s: fmt chunk: %d channels, expected 1 to 8", label, f->channels);
        return SZ_ERR_FORMAT;
    }
    if (rate < 1000 || rate > 384000) {
        snprintf(err, errlen, "%s: fmt chunk: sample rate %u Hz, expected 1000 to 384000", label,
                 rate);
        return SZ_ERR_FORMAT;
    }
    f->rate = (int)rate;
    int ok_bits = f->tag == AF_PCM
                      ? (f->bits == 8 || f->bits == 16 || f->bits == 24 || f->bits == 32)
                      : (f->bits == 32 || f->bits == 64);
    if (!ok_bits) {
        snprintf(err, errlen, "%s: fmt chunk: %d bits per sample is not supported for %s", label,
                 f->bits, f->tag == AF_PCM ? "PCM (8, 16, 24, 32)" : "float (32, 64)");
        return SZ_ERR_UNSUPPORTED;
    }
    if (f->block != f->channels * f->bits / 8) {
        snprintf(err, errlen, "%s: fmt chunk: block align %d, expected %d (%d channels of %d bits)",
                 label, f->block, f->channels * f->bits / 8, f->channels, f->bits);
        return SZ_ERR_FORMAT;
    }
    return SZ_OK;
}

static float af_sample(const uint8_t *p, const af_fmt *f)
{
    if (f->tag == AF_FLOAT) {
        if (f->bits == 32) {
            float x;
            memcpy(&x, p, 4);
            return x == x ? x : 0.0f;
        }
        double x;
        memcpy(&x, p, 8);
        return x == x ? (float)x : 0.0f;
    }
    switch (f->bits) {
    case 8: return ((int)p[0] - 128) / 128.0f;
    case 16: return (int16_t)af_u16(p) / 32768.0f;
    case 24: {
        int32_t v = (int32_t)((uint32_t)p[0] << 8 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 24);
        return (float)(v / 2147483648.0);
    }
    default: return (float)((int32_t)af_u32(p) / 2147483648.0);
    }
}

int lipsync_wav_parse(const uint8_t *data, size_t len, const char *label, ls_audio *out, char *err,
                      size_t errlen)
{
    memset(out, 0, sizeof *out);
    if (len < 12 || memcmp(data, "RIFF", 4) != 0 || memcmp(data + 8, "WAVE", 4) != 0) {
        snprintf(err, errlen, "%s: not a WAV file (expected 'RIFF....WAVE' at the start%s)", label,
                 len >= 4 && memcmp(data, "RF64", 4) == 0 ? "; RF64 is not supported" : "");
        return SZ_ERR_FORMAT;
    }
    af_fmt f = {0};
    int have_fmt = 0;
    size_t pos = 12;
    while (pos + 8 <= len) {
        uint32_t size = af_u32(data + pos + 4);
        const uint8_t *body = data + pos + 8;
        size_t avail = len - pos - 8;
        if (memcmp(data + pos, "fmt ", 4) == 0) {
            if (have_fmt) {
                snprintf(err, errlen, "%s: second fmt chunk at byte %zu", label, pos);
                return SZ_ERR_FORMAT;
            }
            if (size > avail) {
                snprintf(err, errlen, "%s: fmt chunk at byte %zu runs past the end of the file",
                         label, pos);
                return SZ_ERR_FORMAT;
            }
            int rc = af_parse_fmt(body, size, label, &f, err, errlen);
            if (rc != SZ_OK)
                return rc;
            have_fmt = 1;
        } else if (memcmp(data + pos, "data", 4) == 0) {
            if (!have_fmt) {
                snprintf(err, errlen, "%s: data chunk at byte %zu comes before the fmt chunk",
                         label, pos);
                return SZ_ERR_FORMAT;
            }
            size_t bytes = size < avail ? size : avail; /* a cut file: read what is there */
            size_t frames = bytes / (size_t)f.block;
            if ((double)frames > (double)LS_AUDIO_MAX_SECONDS * f.rate) {
                snprintf(err, errlen, "%s: %.0f s of audio, at most %d s accepted", label,
                         (double)frames / f.rate, LS_AUDIO_MAX_SECONDS);
                return SZ_ERR_UNSUPPORTED;
            }
            if (frames == 0) {
                snprintf(err, errlen, "%s: the data chunk holds no samples", label);
                return SZ_ERR_FORMAT;
            }
            float *pcm = malloc(frames * sizeof *pcm);
            if (!pcm) {
                snprintf(err, errlen, "%s: out of memory for %zu samples", label, frames);
                return SZ_ERR_NO_MEMORY;
            }
            int bps = f.bits / 8;
            for (size_t i = 0; i < frames; i++) {
                const uint8_t *fr = body + i * (size_t)f.block;
                float acc = 0.0f;
                for (int c = 0; c < f.channels; c++)
                    acc += af_sample(fr + c * bps, &f);
                acc /= (float)f.channels;
                pcm[i] = acc < -1.0f ? -1.0f : acc > 1.0f ? 1.0f : acc;
            }
            out->pcm = pcm;
            out->n = frames;
            out->sample_rate_hz = f.rate;
            return SZ_OK;
        }
        if (size > avail)
            break;
        pos += 8 + (size_t)size + (size & 1); /* chunks are padded to even sizes */
    }
    snprintf(err, errlen, "%s: %s", label,
             have_fmt ? "no data chunk" : "no fmt chunk (is the file complete?)");
    return SZ_ERR_FORMAT;
}

int lipsync_resample(const float *in, size_t n, int in_rate_hz, int out_rate_hz, float **out,
                     size_t *out_n)
{
    *out = NULL;
    *out_n = 0;
    if (in_rate_hz <= 0 || out_rate_hz <= 0 || n > (size_t)INT32_MAX)
        return SZ_ERR_INVALID_ARG;
    size_t cap = (size_t)((double)n * out_rate_hz / in_rate_hz) + 64;
    float *dst = malloc(cap * sizeof *dst);
    if (!dst)
        return SZ_ERR_NO_MEMORY;
    if (in_rate_hz == out_rate_hz) {
        memcpy(dst, in, n * sizeof *in);
        *out = dst;
        *out_n = n;
        return SZ_OK;
    }
    AVChannelLayout mono = AV_CHANNEL_LAYOUT_MONO;
    SwrContext *swr = NULL;
    int ret = swr_alloc_set_opts2(&swr, &mono, AV_SAMPLE_FMT_FLT, out_rate_hz, &mono,
                                  AV_SAMPLE_FMT_FLT, in_rate_hz, 0, NULL);
    if (ret >= 0)
        ret = swr_init(swr);
    size_t got = 0;
    const size_t chunk = 65536;
    for (size_t off = 0; ret >= 0; off += chunk) {
        int m = off < n ? (int)(n - off < chunk ? n - off : chunk) : 0;
        const uint8_t *src = m ? (const uint8_t *)(in + off) : NULL;
        uint8_t *d = (uint8_t *)(dst + got);
        ret = swr_convert(swr, &d, (int)(cap - got), m ? &src : NULL, m);
        if (ret < 0)
            break;
        got += (size_t)ret;
        if (m == 0)
            break; /* flushed */
    }
    swr_free(&swr);
    if (ret < 0) {
        free(dst);
        return SZ_ERR_INTERNAL;
    }
    *out = dst;
    *out_n = got;
    return SZ_OK;
}

/* Decodes any format libavformat knows to mono float at the file's rate. */
static int af_decode_av(const char *path, ls_audio *out, char *err, size_t errlen)
{
    AVFormatContext *fc = NULL;
    AVCodecContext *cc = NULL;
    SwrContext *swr = NULL;
    AVPacket *pkt = av_packet_alloc();
    AVFrame *fr = av_frame_alloc();
    float *pcm = NULL;
    size_t n = 0, cap = 0;
    int rc = SZ_ERR_FORMAT;
    char msg[128];
    int ret = avformat_open_input(&fc, path, NULL, NULL);
    if (ret < 0 || !pkt || !fr) {
        av_strerror(ret, msg, sizeof msg);
        snprintf(err, errlen, "%s: cannot read as audio: %s", path, msg);
        goto done;
    }
    if (avformat_find_stream_info(fc, NULL) < 0) {
        snprintf(err, errlen, "%s: cannot read stream information", path);
        goto done;
    }
    int si = av_find_best_stream(fc, AVMEDIA_TYPE_AUDIO, -1, -1, NULL, 0);
    if (si < 0) {
        snprintf(err, errlen, "%s: no audio stream", path);
        goto done;
    }
    AVCodecParameters *par = fc->streams[si]->codecpar;
    const AVCodec *dec = avcodec_find_decoder(par->codec_id);
    if (!dec || !(cc = avcodec_alloc_context3(dec)) || avcodec_parameters_to_context(cc, par) < 0 ||
        avcodec_open2(cc, dec, NULL) < 0) {
        snprintf(err, errlen, "%s: no decoder for its audio (%s)", path,
                 avcodec_get_name(par->codec_id));
        rc = SZ_ERR_UNSUPPORTED;
        goto done;
    }
    if (cc->sample_rate < 1000 || cc->sample_rate > 384000 || cc->ch_layout.nb_channels < 1) {
        snprintf(err, errlen, "%s: audio of %d Hz, %d channels is not supported", path,
                 cc->sample_rate, cc->ch_layout.nb_channels);
        goto done;
    }
    AVChannelLayout mono = AV_CHANNEL_LAYOUT_MONO;
    if (swr_alloc_set_opts2(&swr, &mono, AV_SAMPLE_FMT_FLT, cc->sample_rate, &cc->ch_layout,
                            cc->sample_fmt, cc->sample_rate, 0, NULL) < 0 ||
        swr_init(swr) < 0) {
        snprintf(err, errlen, "%s: cannot convert its audio to mono", path);
        goto done;
    }
    double max_n = (double)LS_AUDIO_MAX_SECONDS * cc->sample_rate;
    int eof = 0;
    while (!eof) {
        ret = av_read_frame(fc, pkt);
        if (ret < 0)
            eof = 1;
        else if (pkt->stream_index != si) {
            av_packet_unref(pkt);
            continue;
        }
        ret = avcodec_send_packet(cc, eof ? NULL : pkt);
        if (!eof)
            av_packet_unref(pkt);
        if (ret < 0 && ret != AVERROR(EAGAIN) && ret != AVERROR_EOF) {
            av_strerror(ret, msg, sizeof msg);
            snprintf(err, errlen, "%s: audio decoding failed: %s", path, msg);
            goto done;
        }
        while (avcodec_receive_frame(cc, fr) == 0) {
            size_t need = n + (size_t)fr->nb_samples + 64;
            if ((double)need > max_n) {
                snprintf(err, errlen, "%s: longer than %d s, the most accepted", path,
                         LS_AUDIO_MAX_SECONDS);
                rc = SZ_ERR_UNSUPPORTED;
                goto done;
            }
            if (need > cap) {
                size_t nc = cap ? cap * 2 : 1 << 16;
                while (nc < need)
                    nc *= 2;
                float *p = realloc(pcm, nc * sizeof *p);
                if (!p) {
                    snprintf(err, errlen, "%s: out of memory", path);
                    rc = SZ_ERR_NO_MEMORY;
                    goto done;
                }
                pcm = p;
                cap = nc;
            }
            uint8_t *d = (uint8_t *)(pcm + n);
            int got = swr_convert(swr, &d, (int)(cap - n), (const uint8_t **)fr->extended_data,
                                  fr->nb_samples);
            if (got > 0)
                n += (size_t)got;
            av_frame_unref(fr);
        }
    }
    if (n == 0) {
        snprintf(err, errlen, "%s: no audio samples decoded", path);
        goto done;
    }
    for (size_t i = 0; i < n; i++)
        pcm[i] = pcm[i] != pcm[i] ? 0.0f : pcm[i] < -1.0f ? -1.0f : pcm[i] > 1.0f ? 1.0f : pcm[i];
    out->pcm = pcm;
    out->n = n;
    out->sample_rate_hz = cc->sample_rate;
    pcm = NULL;
    rc = SZ_OK;
done:
    free(pcm);
    swr_free(&swr);
    avcodec_free_context(&cc);
    avformat_close_input(&fc);
    av_frame_free(&fr);
    av_packet_free(&pkt);
    return rc;
}

static int af_read_file(const char *path, uint8_t **data, size_t *len, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
        return errno == ENOENT ? SZ_ERR_NOT_FOUND : SZ_ERR_IO;
    }
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
        fclose(f);
        snprintf(err, errlen, "%s: not a regular file", path);
        return SZ_ERR_IO;
    }
    if ((uint64_t)st.st_size > LS_AUDIO_MAX_FILE_BYTES) {
        fclose(f);
        snprintf(err, errlen, "%s: %lld bytes, larger than the %u accepted", path,
                 (long long)st.st_size, LS_AUDIO_MAX_FILE_BYTES);
        return SZ_ERR_UNSUPPORTED;
    }
    uint8_t *buf = malloc((size_t)st.st_size + 1);
    if (!buf) {
        fclose(f);
        snprintf(err, errlen, "%s: out of memory", path);
        return SZ_ERR_NO_MEMORY;
    }
    size_t got = fread(buf, 1, (size_t)st.st_size, f);
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        free(buf);
        snprintf(err, errlen, "%s: read error", path);
        return SZ_ERR_IO;
    }
    *data = buf;
    *len = got;
    return SZ_OK;
}

int lipsync_audio_load(const char *path, int rate_hz, ls_audio *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    if (!path || rate_hz < 0 || rate_hz > 384000) {
        snprintf(err, errlen, "invalid arguments");
        return SZ_ERR_INVALID_ARG;
    }
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
        return errno == ENOENT ? SZ_ERR_NOT_FOUND : SZ_ERR_IO;
    }
    uint8_t magic[4] = {0};
    size_t got = fread(magic, 1, 4, f);
    fclose(f);
    int rc;
    ls_audio a;
    memset(&a, 0, sizeof a);
    if (got == 4 && (memcmp(magic, "RIFF", 4) == 0 || memcmp(magic, "RF64", 4) == 0)) {
        uint8_t *data = NULL;
        size_t len = 0;
        rc = af_read_file(path, &data, &len, err, errlen);
        if (rc == SZ_OK)
            rc = lipsync_wav_parse(data, len, path, &a, err, errlen);
        free(data);
    } else {
        rc = af_decode_av(path, &a, err, errlen);
    }
    if (rc != SZ_OK)
        return rc;
    if (rate_hz == 0 || rate_hz == a.sample_rate_hz) {
        *out = a;
        return SZ_OK;
    }
    float *rs = NULL;
    size_t rn = 0;
    rc = lipsync_resample(a.pcm, a.n, a.sample_rate_hz, rate_hz, &rs, &rn);
    lipsync_audio_free(&a);
    if (rc != SZ_OK) {
        snprintf(err, errlen, "%s: resampling to %d Hz failed", path, rate_hz);
        return rc;
    }
    out->pcm = rs;
    out->n = rn;
    out->sample_rate_hz = rate_hz;
    return SZ_OK;
}

void lipsync_audio_free(ls_audio *audio)
{
    if (!audio)
        return;
    free(audio->pcm);
    memset(audio, 0, sizeof *audio);
}
