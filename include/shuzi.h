/* SPDX-License-Identifier: Apache-2.0 */
/* shuzi.h: the public C API of shuzi, a text-to-talking-avatar engine.
 *
 * Usage (render one line to a video file, offline):
 *
 *     sz_engine *engine = NULL;
 *     sz_session *session = NULL;
 *     if (sz_engine_create(sz_engine_default_params(), &engine) != SZ_OK) return 1;
 *
 *     sz_session_params sp = sz_session_default_params();
 *     sp.voice = "diffusion:kathleen";
 *     sp.width = 1280; sp.height = 720; sp.fps = 30;
 *     sz_session_create(engine, sp, &session);
 *     sz_session_add_output(session, "hello.mp4", NULL);
 *     sz_session_start(session);
 *     sz_session_say(session, "Hello, welcome to our bank.", 0);
 *     int err = sz_session_finish(session);     // waits, closes the file
 *     if (err != SZ_OK) fprintf(stderr, "%s\n", sz_session_last_error(session));
 *     sz_session_free(&session);
 *     sz_engine_free(&engine);
 *
 * Thread safety:
 *   - sz_strerror, sz_version and the *_default_params functions are pure.
 *   - sz_set_log_callback / sz_set_log_level: call once at start-up, before
 *     any engine exists.
 *   - sz_engine_*: create/free from one thread; sz_engine_list_voices may be
 *     called from any thread while the engine lives.
 *   - sz_session_say, sz_session_interrupt and sz_session_last_error are
 *     thread-safe: any thread may call them while the session runs (a
 *     control API thread, an LLM thread...).
 *   - sz_session_create, _add_output, _start, _finish and _free must be
 *     called from one thread (the owner), in that order.
 *   - Callbacks (marks, state, log) run on engine threads: keep them short and
 *     never call sz_session_finish or sz_session_free from inside them.
 *
 * Time: int64_t microseconds or milliseconds on the session clock, which is
 * driven by the audio samples emitted (audio is the master clock). In an
 * offline session the session clock equals the time in the output file.
 */
#ifndef SHUZI_H
#define SHUZI_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SZ_VERSION_MAJOR 0
#define SZ_VERSION_MINOR 1
#define SZ_VERSION_PATCH 0

/* ---- errors ---------------------------------------------------------- */

typedef enum sz_result {
    SZ_OK = 0,
    SZ_ERR_INVALID_ARG = -1, /* a parameter or input is not acceptable */
    SZ_ERR_NO_MEMORY = -2,
    SZ_ERR_IO = -3,          /* a file or device could not be read/written */
    SZ_ERR_FORMAT = -4,      /* outside data (file, JSON, text) is malformed */
    SZ_ERR_NOT_FOUND = -5,   /* unknown voice, avatar, file... */
    SZ_ERR_UNSUPPORTED = -6, /* valid request this build cannot do */
    SZ_ERR_STATE = -7,       /* call not allowed in the object's state */
    SZ_ERR_CODEC = -8,       /* encoder/muxer failure */
    SZ_ERR_TIMEOUT = -9,
    SZ_ERR_CANCELLED = -10,
    SZ_ERR_INTERNAL = -11,
} sz_result;

/* A static English description of an error code; never NULL. */
const char *sz_strerror(int err);

/* "0.1.0" */
const char *sz_version(void);

/* ---- logging --------------------------------------------------------- */

typedef enum sz_log_level {
    SZ_LOG_ERROR = 0,
    SZ_LOG_WARN = 1,
    SZ_LOG_INFO = 2,
    SZ_LOG_DEBUG = 3,
} sz_log_level;

/* tag is the module ("tts", "stream", ...); message has no trailing newline. */
typedef void (*sz_log_fn)(sz_log_level level, const char *tag, const char *message,
                          void *user_data);

/* Replaces the default logger (stderr, "[tag] message"). NULL restores it. */
void sz_set_log_callback(sz_log_fn fn, void *user_data);
/* Messages above this level are dropped. Default SZ_LOG_WARN. */
void sz_set_log_level(sz_log_level level);

/* ---- engine ---------------------------------------------------------- */

typedef struct sz_engine sz_engine;

typedef struct sz_engine_params {
    int n_threads;          /* threads for heavy compute; 0 = number of cores */
    const char *assets_dir; /* shipped voices/avatars; NULL = built-in default */
} sz_engine_params;

sz_engine_params sz_engine_default_params(void);

int sz_engine_create(sz_engine_params params, sz_engine **out_engine);
/* Frees the engine and sets *engine to NULL; safe on NULL. All sessions must
 * be freed first. */
void sz_engine_free(sz_engine **engine);

typedef struct sz_voice_info {
    const char *name;     /* what sz_session_params.voice takes: "espeak:en-us" */
    const char *kind;     /* "espeak", "diffusion" */
    const char *language; /* BCP-47-ish: "en-us", "cmn" */
    int sample_rate_hz;
    const char *description;
} sz_voice_info;

/* One line describing why the last sz_session_create on this engine failed
 * ("" when none). Call from the thread that called sz_session_create. */
const char *sz_engine_last_error(sz_engine *engine);

/* Calls fn once per installed voice; stops early if fn returns non-zero. */
typedef int (*sz_voice_list_fn)(const sz_voice_info *voice, void *user_data);
int sz_engine_list_voices(sz_engine *engine, sz_voice_list_fn fn, void *user_data);

typedef struct sz_avatar_info {
    const char *name;        /* what sz_session_params.avatar takes: "presenter" */
    const char *description;
    const char *style;       /* "vector, soft shading", "cartoon" */
    const char *path;        /* its avatar.json */
    const char *kind;        /* "2d" (vector rig) or "photo" (a portrait, photo_rig) */
} sz_avatar_info;

/* Calls fn once per installed avatar (<assets_dir>/avatars/NAME/avatar.json),
 * in name order; a broken manifest is logged and skipped. Stops early if fn
 * returns non-zero. */
typedef int (*sz_avatar_list_fn)(const sz_avatar_info *avatar, void *user_data);
int sz_engine_list_avatars(sz_engine *engine, sz_avatar_list_fn fn, void *user_data);

/* ---- sessions -------------------------------------------------------- */

typedef struct sz_session sz_session;

typedef enum sz_pacing {
    SZ_PACING_OFFLINE = 0, /* as fast as possible, deterministic, ends with finish */
    SZ_PACING_LIVE = 1,    /* real-time clock, idle frames and silence between lines */
} sz_pacing;

typedef enum sz_mark_type {
    SZ_MARK_SENTENCE = 0,
    SZ_MARK_WORD = 1,
    SZ_MARK_PHONEME = 2,
    SZ_MARK_VISEME = 3,
    SZ_MARK_MARK = 4, /* an SSML <mark name="..."/> */
} sz_mark_type;

/* "sentence", "word", "phoneme", "viseme", "mark" */
const char *sz_mark_type_name(sz_mark_type type);

typedef struct sz_mark {
    sz_mark_type type;
    int64_t time_ms;   /* session clock */
    int64_t end_ms;    /* session clock; equals time_ms when it has no extent */
    const char *value; /* UTF-8: the word, phone symbol, viseme name or mark name */
    int utterance_id;  /* what sz_session_say returned */
} sz_mark;

typedef void (*sz_mark_fn)(const sz_mark *mark, void *user_data);

typedef enum sz_state {
    SZ_STATE_IDLE = 0,
    SZ_STATE_SPEAKING = 1,
    SZ_STATE_INTERRUPTED = 2,
    SZ_STATE_FINISHED = 3, /* the session ended (finish or error) */
    SZ_STATE_ERROR = 4,    /* a stage failed; see sz_session_last_error */
} sz_state;

const char *sz_state_name(sz_state state);

typedef void (*sz_state_fn)(sz_state state, int utterance_id, int64_t time_ms,
                            void *user_data);

typedef struct sz_session_params {
    const char *voice;      /* NULL = the default voice (diffusion:kathleen) */
    const char *avatar;     /* NULL = the default avatar */
    int width, height;      /* video size in pixels, even numbers; default 1280x720 */
    int fps;                /* frames per second; default 30 */
    sz_pacing pacing;       /* default SZ_PACING_OFFLINE */
    uint64_t seed;          /* idle motion and sampling; fixed seed = same output */
    float speaking_rate;    /* 1.0 = the voice's normal rate */
    float voice_pitch;      /* multiplier of the voice's pitch; 0 = 1 */
    int voice_steps;        /* diffusion voice: sampling steps; 0 = its default (4) */
    float voice_temperature; /* diffusion voice: noise scale; 0 = its default (0.2),
                                negative = none (the mean path) */
    uint32_t background_rgb; /* 0xRRGGBB */
    /* Scene. Positions and sizes are fractions of the frame's width/height. */
    const char *background_image; /* PNG or JPEG covering the frame; NULL = background_rgb */
    int transparent_background;   /* 1 = alpha 0 behind the avatar (needs an output with
                                     alpha: .webm VP9 or .mov ProRes 4444) */
    float avatar_x, avatar_y;     /* where the avatar's bottom centre goes (0.5, 1.0) */
    float avatar_scale;           /* 1.0 = the avatar's canvas fits the frame */
    const char *overlay_image;    /* product image or logo, PNG or JPEG; NULL = none */
    float overlay_x, overlay_y, overlay_width; /* its centre and width (0.89, 0.42, 0.2) */
    int burn_subtitles;           /* draw the sentence being spoken at the bottom */
    const char *subtitle_font;    /* font file (".ttc:N" for a face); NULL = Noto Sans CJK */
    double lead_in_ms;      /* offline: idle time before the first line (default 300) */
    double tail_ms;         /* offline: idle time after the last line (default 400) */
    sz_mark_fn on_mark;
    void *on_mark_user_data;
    sz_state_fn on_state;
    void *on_state_user_data;
} sz_session_params;

sz_session_params sz_session_default_params(void);

int sz_session_create(sz_engine *engine, sz_session_params params, sz_session **out_session);

/* Adds an output before sz_session_start (up to 8; each runs on its own
 * thread, so a slow or reconnecting one never holds up the others). url:
 *   files: .mp4 (H.264 + AAC, faststart) .mkv .ts .flv .m3u8 (HLS)
 *          .webm (VP9 + Opus) .mov (ProRes 4444 + PCM): both with alpha when
 *          the frames are transparent; .wav (audio only)
 *   network: rtmp:// rtmps:// (FLV) srt:// (MPEG-TS); live sessions reconnect
 *          with exponential backoff and jitter
 *   gst:PIPELINE   raw frames and audio into a GStreamer pipeline that has
 *          "appsrc name=video" and/or "appsrc name=audio"
 *   window:[fullscreen]   an SDL2 window; speaker:[NAME|#N|null|file:X.wav]
 *          audio on a PortAudio device, the clock the window follows
 * options: NULL or "key=value:key=value" (':' in a value written "\:"):
 * crf, preset, x264_opts, video_bitrate, audio_bitrate, audio_codec (aac|opus|
 * pcm), keyint_s, alpha (auto|on|off), threads, queue, timeout_ms, reconnect,
 * reconnect_min_ms, reconnect_max_ms; window: fullscreen, title, width,
 * height, capture; speaker: buffer_ms, latency_ms, rate. Offline, files are
 * written under a temporary name and appear under their real name only when
 * sz_session_finish succeeds; live, recordings are written under their real
 * name, fragmented, so they play even after a crash, and are kept on cancel. */
int sz_session_add_output(sz_session *session, const char *url, const char *options);

/* Starts the pipeline threads. */
int sz_session_start(sz_session *session);

typedef enum sz_say_flags {
    SZ_SAY_SSML = 1, /* text is an SSML document (<speak>...</speak>) */
} sz_say_flags;

/* Queues text (UTF-8) to be spoken after what is already queued. Returns an
 * utterance id (>= 0) or a negative sz_result. Thread-safe. */
int sz_session_say(sz_session *session, const char *text, int flags);

/* Drops everything scheduled after now: the audio fades out within 20 ms and
 * the mouth closes within a few frames. Thread-safe. */
int sz_session_interrupt(sz_session *session);

/* Changes that take effect in order with what is said, between utterances
 * (a script's [pause], [expression] and [background] directives). All
 * thread-safe; dropped by an interrupt like queued text.
 * pause: duration_ms (1..600000) of idle frames and silence.
 * set_expression: name is neutral, happy, angry, sad, relaxed or surprised,
 *   weight 0..1; the face eases into it over about 150 ms.
 * set_background: a colour (0xRRGGBB), or a PNG/JPEG image when image is
 *   not NULL (checked now, loaded when the change is reached). */
int sz_session_pause(sz_session *session, int duration_ms);
int sz_session_set_expression(sz_session *session, const char *name, float weight);
int sz_session_set_background(sz_session *session, uint32_t rgb, const char *image);

/* Stops the session now from any thread (a signal handler thread, a control
 * API): sz_session_finish returns SZ_ERR_CANCELLED and outputs are aborted
 * (partial files removed). Thread-safe. */
int sz_session_cancel(sz_session *session);

/* Waits until everything queued has been rendered, then closes the outputs.
 * Returns SZ_OK or the first error any stage hit. */
int sz_session_finish(sz_session *session);

/* One line describing the first error, or "" when none. Thread-safe. */
const char *sz_session_last_error(sz_session *session);

typedef struct sz_session_stats {
    int64_t frames_out;     /* video frames delivered to outputs */
    int64_t frames_dropped; /* live: frames the output clock skipped */
    int64_t underruns;      /* live: frames whose speech audio was not ready */
    int64_t samples_out;    /* audio samples (voice rate) delivered */
    int sample_rate_hz;     /* the voice's */
} sz_session_stats;

int sz_session_get_stats(sz_session *session, sz_session_stats *out);

typedef struct sz_output_stats {
    const char *url;          /* as added, secrets (stream keys) hidden */
    int connected;            /* 1 while it delivers (network: connected) */
    int failed;               /* it stopped on an error (see error) */
    int closed;               /* window: the user closed it */
    int64_t frames_written;   /* frames it took */
    int64_t frames_dropped;   /* frames it could not take in time or missed while
                                 reconnecting (silence keeps the audio aligned) */
    int64_t reconnects;       /* connections made again after a loss */
    int64_t connect_failures; /* connection attempts that failed */
    int64_t connected_at_us;  /* CLOCK_MONOTONIC time of the last connection (0: never) */
    int64_t late_frames;      /* window: frames skipped because their time had passed */
    int64_t audio_underruns;  /* speaker: device buffers that ran dry */
    int64_t audio_overflows;  /* speaker: writes dropped because the device was behind */
    double av_offset_ms;      /* window following speakers: mean time by which frames
                                 were shown after (+) or before (-) their sound */
    double device_latency_ms; /* speaker: output latency the device reports */
    double audio_buffer_ms;   /* speaker: audio queued for the device (recent mean) */
    char error[256];          /* why it failed, or the last connection error; "" */
} sz_output_stats;

/* Figures of output `index` (0 = the first added). Thread-safe. */
int sz_session_get_output_stats(sz_session *session, int index, sz_output_stats *out);

typedef struct sz_audio_device {
    int index;                     /* "speaker:#N" selects it */
    const char *name;              /* "speaker:NAME" matches a part of it */
    const char *host_api;          /* "ALSA", "JACK Audio Connection Kit"... */
    int max_output_channels;
    double default_sample_rate_hz;
    double default_latency_ms;     /* what a speaker output asks for by default */
    int is_default;
} sz_audio_device;

typedef int (*sz_audio_device_fn)(const sz_audio_device *device, void *user_data);
/* Calls fn for each audio output device (PortAudio); stops early if fn returns
 * non-zero. SZ_ERR_UNSUPPORTED when built without PortAudio. */
int sz_list_audio_devices(sz_audio_device_fn fn, void *user_data);

/* Stops the session if it runs (outputs are aborted: partial files removed),
 * frees it and sets *session to NULL; safe on NULL. */
void sz_session_free(sz_session **session);

#ifdef __cplusplus
}
#endif

#endif /* SHUZI_H */
