/* SPDX-License-Identifier: Apache-2.0 */
/* test_gst.c: the gst:PIPELINE output hands raw frames and audio to a real
 * GStreamer pipeline (appsrc -> Theora/Vorbis -> Ogg file, elements from
 * gst-plugins-base), read back with libavformat: codecs, size, frames, A/V
 * sync; and the errors: a pipeline that does not parse, one without appsrc, an
 * appsrc of the wrong kind. Skips (77) in a build without GStreamer or when
 * the elements are missing. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libavutil/log.h>

#include "check.h"
#include "core/clock.h"
#include "media_check.h"
#include "shuzi.h"
#include "stream/output.h"

#define W 320
#define H 240
#define FPS 25
#define SR 22050

static uint8_t frame_buf[W * H * 4];
static float audio_buf[SR / FPS + 2];

static out_config cfg_of(const char *url, int live)
{
    out_config c;
    memset(&c, 0, sizeof c);
    c.url = url;
    c.width = W;
    c.height = H;
    c.fps = FPS;
    c.sample_rate_hz = SR;
    c.live = live;
    return c;
}

int main(void)
{
    av_log_set_level(AV_LOG_QUIET);
    setvbuf(stdout, NULL, _IOLBF, 0);
    char dir[] = "/tmp/sz_test_gst.XXXXXX";
    if (!mkdtemp(dir)) {
        printf("FAIL: mkdtemp: %s\n", strerror(errno));
        return 1;
    }
    char path[256], url[1024], err[512] = "";
    snprintf(path, sizeof path, "%s/out.ogg", dir);
    snprintf(url, sizeof url,
             "gst:appsrc name=video ! videoconvert ! theoraenc ! oggmux name=mux ! "
             "filesink location=%s appsrc name=audio ! audioconvert ! audioresample ! "
             "vorbisenc ! mux.",
             path);
    out_config c = cfg_of(url, 0);
    sz_output *o = NULL;
    int rc = output_open(&c, &o, err, sizeof err);
    if (rc == SZ_ERR_UNSUPPORTED) {
        printf("SKIP: %s\n", err);
        rmdir(dir);
        return 77;
    }
    if (rc == SZ_ERR_INVALID_ARG && strstr(err, "no element")) {
        printf("SKIP: GStreamer elements missing (gstreamer1.0-plugins-base): %s\n", err);
        rmdir(dir);
        return 77;
    }
    CHECK(rc == SZ_OK, "open: %s", err);
    if (rc == SZ_OK) {
        for (int64_t k = 0; k < 4 * FPS; k++) {
            mc_frame(frame_buf, W, H, k, FPS);
            int n = mc_audio(audio_buf, k, SR, FPS);
            sz_video_frame f = {SZ_PIX_BGRA, W, H, W * 4, frame_buf, k};
            CHECK(output_write(o, k, &f, audio_buf, n) == SZ_OK, "write %lld: %s", (long long)k,
                  output_error(o));
        }
        rc = output_finish(o, err, sizeof err);
        CHECK(rc == SZ_OK, "finish: %s", err);
        output_free(&o);
        mc_probe p;
        if (mc_probe_url(path, NULL, NULL, 0, 0, NULL, &p, err, sizeof err) == 0) {
            double mean, worst;
            int pairs = mc_sync(&p, &mean, &worst);
            CHECK(p.vcodec == AV_CODEC_ID_THEORA && p.acodec == AV_CODEC_ID_VORBIS, "gst: %s + %s",
                  avcodec_get_name(p.vcodec), avcodec_get_name(p.acodec));
            CHECK(p.width == W && p.height == H, "gst: %dx%d", p.width, p.height);
            CHECK(p.video_frames == 4 * FPS, "gst: %d frames", p.video_frames);
            CHECK(fabs((double)p.audio_samples / p.audio_rate - 4.0) < 0.1, "gst: %.3f s of audio",
                  (double)p.audio_samples / p.audio_rate);
            CHECK(pairs >= 3 && worst < 0.045, "gst: %d sync points, worst %.1f ms", pairs,
                  worst * 1e3);
            printf("ok   gst pipeline: theora %dx%d + vorbis %d Hz, %d frames, %.2f s audio, "
                   "A/V worst %.1f ms\n",
                   p.width, p.height, p.audio_rate, p.video_frames,
                   (double)p.audio_samples / p.audio_rate, worst * 1e3);
        } else {
            CHECK(0, "read back: %s", err);
        }
        unlink(path);
    }

    /* Errors come with the reason, before any frame. */
    static const struct {
        const char *url, *want;
    } bad[] = {
        {"gst:", "expected gst:PIPELINE"},
        {"gst:appsrc name=video ! nosuchelement", "does not parse"},
        {"gst:videotestsrc ! fakesink", "neither \"appsrc name=video\""},
        {"gst:fakesrc name=video ! fakesink", "is not an appsrc"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        c = cfg_of(bad[i].url, 0);
        rc = output_open(&c, &o, err, sizeof err);
        CHECK(rc == SZ_ERR_INVALID_ARG && strstr(err, bad[i].want) && !strchr(err, '\n'),
              "%s: %d '%s'", bad[i].url, rc, err);
        output_free(&o);
    }
    printf("ok   bad pipelines refused: %s\n", err);

    /* Audio only into a pipeline, live (paced in real time). */
    snprintf(path, sizeof path, "%s/audio.ogg", dir);
    snprintf(url, sizeof url,
             "gst:appsrc name=audio ! audioconvert ! audioresample ! vorbisenc ! oggmux ! "
             "filesink location=%s",
             path);
    c = cfg_of(url, 1);
    rc = output_open(&c, &o, err, sizeof err);
    CHECK(rc == SZ_OK, "audio-only: %s", err);
    if (rc == SZ_OK) {
        int64_t t0 = clock_now_us();
        for (int64_t k = 0; k < 2 * FPS; k++) {
            clock_sleep_until_us(t0 + k * 1000000 / FPS);
            mc_frame(frame_buf, W, H, k, FPS);
            int n = mc_audio(audio_buf, k, SR, FPS);
            sz_video_frame f = {SZ_PIX_BGRA, W, H, W * 4, frame_buf, k};
            output_write(o, k, &f, audio_buf, n);
        }
        CHECK(output_finish(o, err, sizeof err) == SZ_OK, "finish: %s", err);
        sz_output_stats st;
        output_get_stats(o, &st);
        CHECK(st.frames_dropped == 0, "live pipeline dropped %lld", (long long)st.frames_dropped);
        output_free(&o);
        mc_probe p;
        if (mc_probe_url(path, NULL, NULL, 0, 0, NULL, &p, err, sizeof err) == 0) {
            CHECK(p.n_video == 0 && p.acodec == AV_CODEC_ID_VORBIS &&
                      fabs((double)p.audio_samples / p.audio_rate - 2.0) < 0.05 && p.n_beeps == 1,
                  "audio-only: %d video, %s, %.3f s, %d beeps", p.n_video,
                  avcodec_get_name(p.acodec), (double)p.audio_samples / p.audio_rate, p.n_beeps);
            printf("ok   live audio-only pipeline: %.3f s of vorbis, the beep at %.3f s\n",
                   (double)p.audio_samples / p.audio_rate, p.n_beeps ? p.beeps[0] : -1.0);
        } else {
            CHECK(0, "%s", err);
        }
        unlink(path);
    }
    /* A stalled pipeline (its sink waits an hour for each frame, so pushes
     * block once the queues are full) does not hold up a stop. */
    c = cfg_of("gst:appsrc name=video ! queue max-size-buffers=1 ! "
               "fakesink sync=true ts-offset=3600000000000",
               1);
    rc = output_open(&c, &o, err, sizeof err);
    CHECK(rc == SZ_OK, "stalled pipeline: %s", err);
    if (rc == SZ_OK) {
        for (int64_t k = 0; k < 30; k++) {
            mc_frame(frame_buf, W, H, k, FPS);
            sz_video_frame f = {SZ_PIX_BGRA, W, H, W * 4, frame_buf, k};
            output_write(o, k, &f, audio_buf, 0);
            usleep(1000000 / FPS);
        }
        int64_t t = clock_now_us();
        output_free(&o);
        double took = (clock_now_us() - t) / 1e6;
        CHECK(took < 3.0, "stopping a stalled pipeline took %.2f s", took);
        printf("ok   a stalled pipeline is stopped in %.3f s\n", took);
    }
    rmdir(dir);
    return check_summary("test_gst");
}
