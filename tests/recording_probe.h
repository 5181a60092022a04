/* SPDX-License-Identifier: Apache-2.0 */
/* recording_probe.h: reads a recording back with libavformat for the mode
 * tests: its length, codecs, picture size and the RMS of its (float planar)
 * audio, so "the recording holds speech" is a number. Header-only. */
#ifndef SZ_TESTS_RECORDING_PROBE_H
#define SZ_TESTS_RECORDING_PROBE_H

#include <math.h>
#include <stdio.h>
#include <string.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>

typedef struct recording_info {
    double duration_s;           /* 0 when the file cannot be opened */
    double rms;                  /* of the float planar audio's first channel; 0 without */
    char vcodec[32], acodec[32]; /* "" when there is no such stream */
    int width, height;           /* 0 without video */
} recording_info;

/* Fills *ri from the file at path. */
static __attribute__((unused)) void recording_probe(const char *path, recording_info *ri)
{
    memset(ri, 0, sizeof *ri);
    AVFormatContext *fc = NULL;
    if (avformat_open_input(&fc, path, NULL, NULL) < 0)
        return;
    avformat_find_stream_info(fc, NULL);
    ri->duration_s = fc->duration / (double)AV_TIME_BASE;
    int vs = av_find_best_stream(fc, AVMEDIA_TYPE_VIDEO, -1, -1, NULL, 0);
    int as = av_find_best_stream(fc, AVMEDIA_TYPE_AUDIO, -1, -1, NULL, 0);
    if (vs >= 0) {
        const AVCodecParameters *vp = fc->streams[vs]->codecpar;
        snprintf(ri->vcodec, sizeof ri->vcodec, "%s", avcodec_get_name(vp->codec_id));
        ri->width = vp->width;
        ri->height = vp->height;
    }
    if (as < 0) {
        avformat_close_input(&fc);
        return;
    }
    snprintf(ri->acodec, sizeof ri->acodec, "%s",
             avcodec_get_name(fc->streams[as]->codecpar->codec_id));
    const AVCodec *c = avcodec_find_decoder(fc->streams[as]->codecpar->codec_id);
    AVCodecContext *dec = avcodec_alloc_context3(c);
    avcodec_parameters_to_context(dec, fc->streams[as]->codecpar);
    avcodec_open2(dec, c, NULL);
    AVPacket *pkt = av_packet_alloc();
    AVFrame *fr = av_frame_alloc();
    double s2 = 0;
    long n = 0;
    while (av_read_frame(fc, pkt) >= 0) {
        if (pkt->stream_index == as && avcodec_send_packet(dec, pkt) >= 0)
            while (avcodec_receive_frame(dec, fr) >= 0)
                if (fr->format == AV_SAMPLE_FMT_FLTP)
                    for (int i = 0; i < fr->nb_samples; i++) {
                        float v = ((float *)fr->data[0])[i];
                        s2 += (double)v * v;
                        n++;
                    }
        av_packet_unref(pkt);
    }
    ri->rms = n ? sqrt(s2 / n) : 0;
    av_frame_free(&fr);
    av_packet_free(&pkt);
    avcodec_free_context(&dec);
    avformat_close_input(&fc);
}

#endif
