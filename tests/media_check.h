/* SPDX-License-Identifier: Apache-2.0 */
/* media_check.h: test helper for outputs. Makes synthetic content whose sync
 * can be measured (a white frame every second with a 1 kHz beep that starts
 * with it, grey and silence between), and reads a file or stream back with
 * libavformat: codecs, size, frame rate, frames and samples decoded, and when
 * each flash and each beep happened, so A/V sync is a number. Header-only. */
#ifndef SZ_TESTS_MEDIA_CHECK_H
#define SZ_TESTS_MEDIA_CHECK_H

/* Helpers a program may not all use. */
#define MC_FN static __attribute__((unused))

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/pixdesc.h>

#include "core/clock.h"

#define MC_MAX_EVENTS 256

/* Frame k: grey (60), or white (235) when k is a whole second (k > 0), with
 * a small block moving along the top so no two frames are the same. */
MC_FN void mc_frame(uint8_t *bgra, int w, int h, int64_t k, int fps)
{
    uint8_t v = (k > 0 && k % fps == 0) ? 235 : 60;
    for (size_t i = 0; i < (size_t)w * (size_t)h; i++) {
        bgra[4 * i + 0] = v;
        bgra[4 * i + 1] = v;
        bgra[4 * i + 2] = v;
        bgra[4 * i + 3] = 255;
    }
    int x0 = (int)((k * 8) % (w - 16));
    for (int y = 4; y < 20 && y < h; y++)
        for (int x = x0; x < x0 + 16; x++)
            memset(bgra + 4 * ((size_t)y * (size_t)w + (size_t)x), 160, 3);
}

/* The audio of frame k (n samples from its first): a 100 ms 1 kHz beep that
 * starts with each white frame, silence otherwise. */
MC_FN int mc_audio(float *pcm, int64_t k, int sr, int fps)
{
    int64_t a = clock_frame_first_sample(k, sr, fps), b = clock_frame_first_sample(k + 1, sr, fps);
    for (int64_t i = a; i < b; i++) {
        int64_t kf = i * fps / sr; /* the frame this sample belongs to */
        int64_t flash = kf - kf % fps;
        int64_t since = i - clock_frame_first_sample(flash, sr, fps);
        pcm[i - a] = (flash > 0 && since < sr / 10)
                         ? 0.5f * sinf(2.0f * (float)M_PI * 1000.0f * (float)since / (float)sr)
                         : 0.0f;
    }
    return (int)(b - a);
}

typedef struct mc_probe {
    int n_video, n_audio;
    enum AVCodecID vcodec, acodec;
    enum AVPixelFormat pix_fmt; /* decoded */
    int width, height, audio_rate;
    double fps;
    int video_frames;
    int64_t audio_samples;
    double audio_rms;
    double first_video, last_video; /* seconds */
    double flashes[MC_MAX_EVENTS];
    int n_flashes;
    double beeps[MC_MAX_EVENTS];
    int n_beeps;
    /* alpha (yuva): mean alpha of the left and right quarter of the last frame */
    double alpha_left, alpha_right;
    /* colour of the middle of the last frame (luma) */
    double luma_mid;
} mc_probe;

MC_FN double mc_plane_mean(const AVFrame *f, int plane, int x0, int y0, int w, int h, int bytes)
{
    double sum = 0;
    for (int y = y0; y < y0 + h; y++) {
        const uint8_t *row = f->data[plane] + (size_t)y * (size_t)f->linesize[plane];
        for (int x = x0; x < x0 + w; x++)
            sum += bytes == 2 ? (double)((const uint16_t *)row)[x] : row[x];
    }
    return sum / (w * h);
}

MC_FN void mc_video_frame(mc_probe *p, const AVFrame *f, AVRational tb)
{
    int64_t ts = f->best_effort_timestamp != AV_NOPTS_VALUE ? f->best_effort_timestamp : f->pts;
    double t =
        ts == AV_NOPTS_VALUE ? p->video_frames / (p->fps > 0 ? p->fps : 25) : ts * av_q2d(tb);
    const AVPixFmtDescriptor *d = av_pix_fmt_desc_get(f->format);
    int bytes = d && d->comp[0].depth > 8 ? 2 : 1;
    double scale = bytes == 2 ? 1.0 / (1 << (d->comp[0].depth - 8)) : 1.0;
    int cw = f->width / 4, ch = f->height / 4;
    double y =
        mc_plane_mean(f, 0, f->width / 2 - cw / 2, f->height / 2 - ch / 2, cw, ch, bytes) * scale;
    p->luma_mid = y;
    int was = p->n_flashes > 0 && t - p->flashes[p->n_flashes - 1] < 0.2;
    if (y > 180 && !was && p->n_flashes < MC_MAX_EVENTS)
        p->flashes[p->n_flashes++] = t;
    if (p->video_frames == 0 || t < p->first_video)
        p->first_video = t;
    if (t > p->last_video)
        p->last_video = t;
    p->pix_fmt = f->format;
    if (d && (d->flags & AV_PIX_FMT_FLAG_ALPHA) && d->nb_components == 4) {
        int ap = d->comp[3].plane;
        int abytes = d->comp[3].depth > 8 ? 2 : 1;
        double amax = (double)((1 << d->comp[3].depth) - 1);
        p->alpha_left = mc_plane_mean(f, ap, 0, 0, f->width / 4, f->height, abytes) / amax;
        p->alpha_right =
            mc_plane_mean(f, ap, f->width * 3 / 4, 0, f->width / 4, f->height, abytes) / amax;
    } else {
        p->alpha_left = p->alpha_right = -1;
    }
    p->video_frames++;
}

MC_FN double mc_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* Sample i of the first channel, as a float. */
MC_FN double mc_sample(const AVFrame *f, int i)
{
    int ch = f->ch_layout.nb_channels;
    switch (f->format) {
    case AV_SAMPLE_FMT_FLTP: return ((const float *)f->extended_data[0])[i];
    case AV_SAMPLE_FMT_FLT: return ((const float *)f->extended_data[0])[i * ch];
    case AV_SAMPLE_FMT_S16P: return ((const int16_t *)f->extended_data[0])[i] / 32768.0;
    case AV_SAMPLE_FMT_S16: return ((const int16_t *)f->extended_data[0])[i * ch] / 32768.0;
    case AV_SAMPLE_FMT_S32P: return ((const int32_t *)f->extended_data[0])[i] / 2147483648.0;
    case AV_SAMPLE_FMT_S32: return ((const int32_t *)f->extended_data[0])[i * ch] / 2147483648.0;
    default: return 0;
    }
}

MC_FN void mc_audio_frame(mc_probe *p, const AVFrame *f, AVRational tb, double *sum2,
                          int64_t *quiet)
{
    int64_t ts = f->best_effort_timestamp != AV_NOPTS_VALUE ? f->best_effort_timestamp : f->pts;
    double t0 = ts == AV_NOPTS_VALUE ? (double)p->audio_samples / f->sample_rate : ts * av_q2d(tb);
    for (int i = 0; i < f->nb_samples; i++) {
        double x = mc_sample(f, i);
        *sum2 += x * x;
        if (fabs(x) > 0.2) {
            if (*quiet > f->sample_rate / 20 && p->n_beeps < MC_MAX_EVENTS)
                p->beeps[p->n_beeps++] = t0 + (double)i / f->sample_rate;
            *quiet = 0;
        } else if (fabs(x) < 0.05) {
            (*quiet)++;
        }
    }
    p->audio_samples += f->nb_samples;
}

MC_FN void mc_decode(AVCodecContext *dec, const AVPacket *pkt, AVFrame *fr, mc_probe *p,
                     AVRational tb, double *sum2, int64_t *quiet)
{
    if (avcodec_send_packet(dec, pkt) < 0)
        return;
    while (avcodec_receive_frame(dec, fr) == 0) {
        if (dec->codec_type == AVMEDIA_TYPE_VIDEO)
            mc_video_frame(p, fr, tb);
        else
            mc_audio_frame(p, fr, tb, sum2, quiet);
        av_frame_unref(fr);
    }
}

/* Reads url (a file or a stream) to its end, or for at most max_s seconds of
 * wall time (0: no limit) or until max_frames video frames (0: no limit).
 * vdec: a decoder name to use for video (NULL: the default one). */
MC_FN int mc_probe_url(const char *url, const char *fmt_name, AVDictionary **opts, double max_s,
                       int max_frames, const char *vdec, mc_probe *p, char *err, size_t errlen)
{
    memset(p, 0, sizeof *p);
    p->alpha_left = p->alpha_right = -1;
    AVFormatContext *fmt = NULL;
    const AVInputFormat *ifmt = fmt_name ? av_find_input_format(fmt_name) : NULL;
    int ret = avformat_open_input(&fmt, url, ifmt, opts);
    if (ret < 0) {
        snprintf(err, errlen, "cannot open %.200s: %s", url, av_err2str(ret));
        return -1;
    }
    if ((ret = avformat_find_stream_info(fmt, NULL)) < 0) {
        snprintf(err, errlen, "no stream info in %.200s: %s", url, av_err2str(ret));
        avformat_close_input(&fmt);
        return -1;
    }
    AVCodecContext *dec[8] = {0};
    for (unsigned i = 0; i < fmt->nb_streams && i < 8; i++) {
        AVStream *st = fmt->streams[i];
        AVCodecParameters *par = st->codecpar;
        const AVCodec *c = NULL;
        if (par->codec_type == AVMEDIA_TYPE_VIDEO) {
            p->n_video++;
            p->vcodec = par->codec_id;
            p->width = par->width;
            p->height = par->height;
            AVRational r = st->avg_frame_rate.num ? st->avg_frame_rate : st->r_frame_rate;
            p->fps = r.den ? av_q2d(r) : 0;
            c = vdec ? avcodec_find_decoder_by_name(vdec) : avcodec_find_decoder(par->codec_id);
        } else if (par->codec_type == AVMEDIA_TYPE_AUDIO) {
            p->n_audio++;
            p->acodec = par->codec_id;
            p->audio_rate = par->sample_rate;
            c = avcodec_find_decoder(par->codec_id);
        }
        if (!c)
            continue;
        dec[i] = avcodec_alloc_context3(c);
        avcodec_parameters_to_context(dec[i], par);
        dec[i]->pkt_timebase = st->time_base;
        if (avcodec_open2(dec[i], c, NULL) < 0)
            avcodec_free_context(&dec[i]);
    }
    AVPacket *pkt = av_packet_alloc();
    AVFrame *fr = av_frame_alloc();
    double sum2 = 0, start = mc_now();
    int64_t quiet = 1 << 30;
    while (av_read_frame(fmt, pkt) >= 0) {
        unsigned si = (unsigned)pkt->stream_index;
        if (si < 8 && dec[si])
            mc_decode(dec[si], pkt, fr, p, fmt->streams[si]->time_base, &sum2, &quiet);
        av_packet_unref(pkt);
        if (max_s > 0 && mc_now() - start > max_s)
            break;
        if (max_frames > 0 && p->video_frames >= max_frames)
            break;
    }
    for (unsigned i = 0; i < 8; i++)
        if (dec[i]) {
            mc_decode(dec[i], NULL, fr, p, fmt->streams[i]->time_base, &sum2, &quiet);
            avcodec_free_context(&dec[i]);
        }
    p->audio_rms = p->audio_samples ? sqrt(sum2 / (double)p->audio_samples) : 0;
    av_frame_free(&fr);
    av_packet_free(&pkt);
    avformat_close_input(&fmt);
    return 0;
}

/* Pairs each flash with the nearest beep (within 0.5 s); returns how many
 * pairs, their mean offset (beep minus flash, seconds) and the worst. */
MC_FN int mc_sync(const mc_probe *p, double *mean, double *worst)
{
    int n = 0;
    double sum = 0, w = 0;
    for (int i = 0; i < p->n_flashes; i++) {
        double best = 1e9;
        for (int j = 0; j < p->n_beeps; j++)
            if (fabs(p->beeps[j] - p->flashes[i]) < fabs(best))
                best = p->beeps[j] - p->flashes[i];
        if (fabs(best) < 0.5) {
            sum += best;
            w = fabs(best) > w ? fabs(best) : w;
            n++;
        }
    }
    *mean = n ? sum / n : 0;
    *worst = w;
    return n;
}

#endif
