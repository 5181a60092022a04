/* SPDX-License-Identifier: Apache-2.0 */
/* gst_out.c: the "gst" output: "gst:PIPELINE" hands raw frames (BGRA) and
 * audio (F32LE mono) to a user's GStreamer pipeline through "appsrc
 * name=video" and/or "appsrc name=audio", for everything shuzi does not do
 * itself (WebRTC, NDI, hardware encoders...). A pipeline that fails while live
 * is rebuilt by the output core's reconnect, like a network push. */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef SHUZI_HAVE_GSTREAMER
#include <gst/app/gstappsrc.h>
#include <gst/gst.h>
#endif

#include "core/log.h"
#include "shuzi.h"
#include "stream/output.h"

#define GSTO_PREFIX "gst:"

static int gsto_accepts(const char *url)
{
    return strncmp(url, GSTO_PREFIX, strlen(GSTO_PREFIX)) == 0;
}

#ifdef SHUZI_HAVE_GSTREAMER

#define GSTO_EOS_TIMEOUT_S 10

typedef struct gsto {
    const char *name;
    const char *desc; /* the pipeline text */
    int live, width, height, fps, rate;
    GstElement *pipe;
    GstAppSrc *vsrc, *asrc;
    GstBus *bus;
    int playing;
    int64_t a_samples; /* audio samples pushed on this run */
    int64_t v_frames;
    GMutex lock;  /* the sources, against gsto_unblock from another thread */
    int stopping; /* unblocked: no new pipeline */
} gsto;

static pthread_once_t gsto_once = PTHREAD_ONCE_INIT;
static int gsto_init_ok;
static char gsto_init_err[256];

static void gsto_init(void)
{
    GError *e = NULL;
    gsto_init_ok = gst_init_check(NULL, NULL, &e);
    if (!gsto_init_ok)
        snprintf(gsto_init_err, sizeof gsto_init_err, "%s", e ? e->message : "unknown error");
    if (e)
        g_error_free(e);
}

static void gsto_teardown(gsto *g)
{
    g_mutex_lock(&g->lock);
    if (g->pipe) {
        gst_element_set_state(g->pipe, GST_STATE_NULL);
        gst_object_unref(g->pipe);
    }
    if (g->vsrc)
        gst_object_unref(g->vsrc);
    if (g->asrc)
        gst_object_unref(g->asrc);
    if (g->bus)
        gst_object_unref(g->bus);
    g->pipe = NULL;
    g->vsrc = g->asrc = NULL;
    g->bus = NULL;
    g->playing = 0;
    g_mutex_unlock(&g->lock);
}

/* The first error posted on the bus, if any (non-blocking). */
static int gsto_bus_error(gsto *g, char *err, size_t errlen)
{
    if (!g->bus)
        return SZ_OK;
    GstMessage *m = gst_bus_pop_filtered(g->bus, GST_MESSAGE_ERROR);
    if (!m)
        return SZ_OK;
    GError *e = NULL;
    gchar *dbg = NULL;
    gst_message_parse_error(m, &e, &dbg);
    snprintf(err, errlen, "%s: pipeline error from %s: %s", g->name,
             GST_OBJECT_NAME(GST_MESSAGE_SRC(m)), e ? e->message : "unknown");
    if (e)
        g_error_free(e);
    g_free(dbg);
    gst_message_unref(m);
    return SZ_ERR_IO;
}

static GstAppSrc *gsto_find_src(gsto *g, const char *which, char *err, size_t errlen, int *bad)
{
    GstElement *el = gst_bin_get_by_name(GST_BIN(g->pipe), which);
    if (!el)
        return NULL;
    if (!GST_IS_APP_SRC(el)) {
        snprintf(err, errlen, "%s: the element named '%s' is not an appsrc", g->name, which);
        gst_object_unref(el);
        *bad = 1;
        return NULL;
    }
    return GST_APP_SRC(el);
}

/* Parses the pipeline and sets up its sources (not started). */
static int gsto_build(gsto *g, char *err, size_t errlen)
{
    GError *e = NULL;
    g->pipe = gst_parse_launch(g->desc, &e);
    if (!g->pipe || e) {
        snprintf(err, errlen, "%s: the pipeline does not parse: %s", g->name,
                 e ? e->message : "unknown error");
        if (e)
            g_error_free(e);
        if (g->pipe)
            gst_object_unref(g->pipe);
        g->pipe = NULL;
        return SZ_ERR_INVALID_ARG;
    }
    if (!GST_IS_BIN(g->pipe)) {
        snprintf(err, errlen,
                 "%s: expected a pipeline with \"appsrc name=video\" and/or "
                 "\"appsrc name=audio\"",
                 g->name);
        return SZ_ERR_INVALID_ARG;
    }
    int bad = 0;
    g->vsrc = gsto_find_src(g, "video", err, errlen, &bad);
    if (!bad)
        g->asrc = gsto_find_src(g, "audio", err, errlen, &bad);
    if (bad)
        return SZ_ERR_INVALID_ARG;
    if (!g->vsrc && !g->asrc) {
        snprintf(err, errlen,
                 "%s: the pipeline has neither \"appsrc name=video\" nor \"appsrc name=audio\"",
                 g->name);
        return SZ_ERR_INVALID_ARG;
    }
    if (g->vsrc) {
        GstCaps *caps = gst_caps_new_simple("video/x-raw", "format", G_TYPE_STRING, "BGRA", "width",
                                            G_TYPE_INT, g->width, "height", G_TYPE_INT, g->height,
                                            "framerate", GST_TYPE_FRACTION, g->fps, 1,
                                            "pixel-aspect-ratio", GST_TYPE_FRACTION, 1, 1, NULL);
        g_object_set(g->vsrc, "caps", caps, "format", GST_FORMAT_TIME, "is-live", g->live, "block",
                     TRUE, "max-bytes", (guint64)g->width * g->height * 4 * 4, NULL);
        gst_caps_unref(caps);
    }
    if (g->asrc) {
        GstCaps *caps = gst_caps_new_simple("audio/x-raw", "format", G_TYPE_STRING, "F32LE",
                                            "layout", G_TYPE_STRING, "interleaved", "rate",
                                            G_TYPE_INT, g->rate, "channels", G_TYPE_INT, 1, NULL);
        g_object_set(g->asrc, "caps", caps, "format", GST_FORMAT_TIME, "is-live", g->live, "block",
                     TRUE, "max-bytes", (guint64)g->rate * 4, NULL);
        gst_caps_unref(caps);
    }
    g->bus = gst_element_get_bus(g->pipe);
    return SZ_OK;
}

static void gsto_destroy(void *state)
{
    gsto *g = state;
    if (!g)
        return;
    gsto_teardown(g);
    g_mutex_clear(&g->lock);
    free(g);
}

static int gsto_create(const out_config *cfg, out_options *opts, void **state, char *err,
                       size_t errlen)
{
    (void)opts;
    *state = NULL;
    pthread_once(&gsto_once, gsto_init);
    if (!gsto_init_ok) {
        snprintf(err, errlen, "%s: GStreamer does not start: %s", cfg->name, gsto_init_err);
        return SZ_ERR_UNSUPPORTED;
    }
    gsto *g = calloc(1, sizeof *g);
    if (!g) {
        snprintf(err, errlen, "%s: out of memory", cfg->name);
        return SZ_ERR_NO_MEMORY;
    }
    g_mutex_init(&g->lock);
    g->name = cfg->name;
    g->desc = cfg->url + strlen(GSTO_PREFIX);
    g->live = cfg->live;
    g->width = cfg->width;
    g->height = cfg->height;
    g->fps = cfg->fps;
    g->rate = cfg->sample_rate_hz;
    int rc = SZ_OK;
    if (!g->desc[0]) {
        snprintf(err, errlen, "%s: expected gst:PIPELINE", cfg->name);
        rc = SZ_ERR_INVALID_ARG;
    } else {
        rc = gsto_build(g, err, errlen); /* checked now; started at open */
    }
    if (rc != SZ_OK) {
        gsto_destroy(g);
        return rc;
    }
    *state = g;
    return SZ_OK;
}

static int gsto_open(void *state, char *err, size_t errlen)
{
    gsto *g = state;
    if (!g->pipe) {
        g_mutex_lock(&g->lock);
        int rc = g->stopping ? SZ_ERR_CANCELLED : gsto_build(g, err, errlen);
        g_mutex_unlock(&g->lock);
        if (rc != SZ_OK)
            return rc == SZ_ERR_INVALID_ARG ? rc : SZ_ERR_IO;
    }
    g->a_samples = 0;
    g->v_frames = 0;
    if (gst_element_set_state(g->pipe, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
        int rc = gsto_bus_error(g, err, errlen);
        if (rc == SZ_OK)
            snprintf(err, errlen, "%s: the pipeline does not start", g->name);
        gsto_teardown(g);
        return SZ_ERR_IO;
    }
    g->playing = 1;
    return SZ_OK;
}

static void gsto_close(void *state)
{
    gsto_teardown(state);
}

/* From the thread that stops us: flushing sources make a push blocked on a
 * full appsrc return at once. */
static void gsto_unblock(void *state)
{
    gsto *g = state;
    g_mutex_lock(&g->lock);
    g->stopping = 1;
    if (g->vsrc)
        gst_element_send_event(GST_ELEMENT(g->vsrc), gst_event_new_flush_start());
    if (g->asrc)
        gst_element_send_event(GST_ELEMENT(g->asrc), gst_event_new_flush_start());
    g_mutex_unlock(&g->lock);
}

static int gsto_push(gsto *g, GstAppSrc *src, GstBuffer *b, const char *what, char *err,
                     size_t errlen)
{
    GstFlowReturn fr = gst_app_src_push_buffer(src, b); /* takes b */
    int rc = gsto_bus_error(g, err, errlen);
    if (rc != SZ_OK)
        return rc;
    if (fr != GST_FLOW_OK) {
        snprintf(err, errlen, "%s: the pipeline refused %s: %s", g->name, what,
                 gst_flow_get_name(fr));
        return SZ_ERR_IO;
    }
    return SZ_OK;
}

static int gsto_write_video(void *state, const sz_video_frame *f, char *err, size_t errlen)
{
    gsto *g = state;
    if (!g->vsrc)
        return gsto_bus_error(g, err, errlen);
    size_t row = (size_t)f->width * 4;
    GstBuffer *b = gst_buffer_new_allocate(NULL, row * (size_t)f->height, NULL);
    GstMapInfo map;
    if (!b || !gst_buffer_map(b, &map, GST_MAP_WRITE)) {
        if (b)
            gst_buffer_unref(b);
        snprintf(err, errlen, "%s: out of memory", g->name);
        return SZ_ERR_NO_MEMORY;
    }
    for (int y = 0; y < f->height; y++)
        memcpy(map.data + row * (size_t)y, f->data + (size_t)f->stride * (size_t)y, row);
    gst_buffer_unmap(b, &map);
    GST_BUFFER_PTS(b) = gst_util_uint64_scale((guint64)f->pts, GST_SECOND, (guint64)g->fps);
    GST_BUFFER_DURATION(b) = gst_util_uint64_scale(1, GST_SECOND, (guint64)g->fps);
    g->v_frames++;
    return gsto_push(g, g->vsrc, b, "a frame", err, errlen);
}

static int gsto_write_audio(void *state, const float *pcm, int n, char *err, size_t errlen)
{
    gsto *g = state;
    if (!g->asrc)
        return SZ_OK;
    GstBuffer *b = gst_buffer_new_allocate(NULL, (size_t)n * sizeof(float), NULL);
    if (!b) {
        snprintf(err, errlen, "%s: out of memory", g->name);
        return SZ_ERR_NO_MEMORY;
    }
    gst_buffer_fill(b, 0, pcm, (size_t)n * sizeof(float));
    GST_BUFFER_PTS(b) = gst_util_uint64_scale((guint64)g->a_samples, GST_SECOND, (guint64)g->rate);
    GST_BUFFER_DURATION(b) = gst_util_uint64_scale((guint64)n, GST_SECOND, (guint64)g->rate);
    g->a_samples += n;
    return gsto_push(g, g->asrc, b, "audio", err, errlen);
}

static int gsto_finish(void *state, char *err, size_t errlen)
{
    gsto *g = state;
    if (!g->playing)
        return SZ_OK;
    if (g->stopping) { /* flushed by a stop: no end of stream will come */
        gsto_teardown(g);
        return SZ_OK;
    }
    if (g->vsrc)
        gst_app_src_end_of_stream(g->vsrc);
    if (g->asrc)
        gst_app_src_end_of_stream(g->asrc);
    GstMessage *m = gst_bus_timed_pop_filtered(g->bus, GSTO_EOS_TIMEOUT_S * GST_SECOND,
                                               GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
    int rc = SZ_OK;
    if (!m) {
        snprintf(err, errlen, "%s: the pipeline did not finish within %d s", g->name,
                 GSTO_EOS_TIMEOUT_S);
        rc = SZ_ERR_TIMEOUT;
    } else if (GST_MESSAGE_TYPE(m) == GST_MESSAGE_ERROR) {
        GError *e = NULL;
        gst_message_parse_error(m, &e, NULL);
        snprintf(err, errlen, "%s: pipeline error from %s: %s", g->name,
                 GST_OBJECT_NAME(GST_MESSAGE_SRC(m)), e ? e->message : "unknown");
        if (e)
            g_error_free(e);
        rc = SZ_ERR_IO;
    }
    if (m)
        gst_message_unref(m);
    gsto_teardown(g);
    return rc;
}

const out_kind out_kind_gst = {
    .name = "gst",
    .accepts = gsto_accepts,
    .flags = OUT_F_VIDEO | OUT_F_RECONNECT,
    .option_names = "",
    .create = gsto_create,
    .open = gsto_open,
    .close = gsto_close,
    .unblock = gsto_unblock,
    .write_video = gsto_write_video,
    .write_audio = gsto_write_audio,
    .finish = gsto_finish,
    .destroy = gsto_destroy,
};

#else /* no GStreamer */

static int gsto_create(const out_config *cfg, out_options *opts, void **state, char *err,
                       size_t errlen)
{
    (void)opts;
    *state = NULL;
    snprintf(err, errlen,
             "%s: this build has no GStreamer output (install libgstreamer1.0-dev and "
             "libgstreamer-plugins-base1.0-dev, then reconfigure)",
             cfg->name);
    return SZ_ERR_UNSUPPORTED;
}

const out_kind out_kind_gst = {
    .name = "gst",
    .accepts = gsto_accepts,
    .flags = OUT_F_VIDEO,
    .option_names = "",
    .create = gsto_create,
};

#endif
