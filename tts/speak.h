/* SPDX-License-Identifier: Apache-2.0 */
/* speak.h: says one utterance with a voice. The text frontend cuts it into
 * runs (language, prosody), breaks and marks; the voice says the runs in
 * order on one sample clock: later runs' events are shifted by the samples
 * already produced, breaks are real silence, marks are events at their
 * sample, and sentence events come from the frontend's sentences. */
#ifndef SZ_TTS_SPEAK_H
#define SZ_TTS_SPEAK_H

#include "tts/frontend/frontend.h"
#include "tts/voice.h"

/* The frontend parameters that suit a voice: its language decides which
 * voice language Latin and Han runs get. flags: SZ_SAY_SSML. */
fe_params tts_speak_params(const tts_voice *voice, int flags);

/* Whether text gives the voice anything to say: SZ_ERR_INVALID_ARG with
 * "nothing to say: ..." in err when nothing is left once emoji and symbols
 * are left out ("🔥🔥👍"), SZ_ERR_FORMAT for malformed SSML, else SZ_OK
 * (always for voices that take the text as written). Reentrant. */
int tts_speak_check(const tts_voice *voice, const char *text, int flags, char *err, size_t errlen);

/* Says text (plain, or SSML with SZ_SAY_SSML). Malformed SSML gives
 * SZ_ERR_FORMAT with its position in err; a voice that cannot speak a run's
 * language skips that run with a warning. Returns SZ_ERR_CANCELLED when a
 * sink callback asked to stop. */
int tts_speak(tts_voice *voice, const char *text, int flags, const tts_sink *sink, char *err,
              size_t errlen);

/* Says a document the frontend already made. */
int tts_speak_doc(tts_voice *voice, const fe_doc *doc, const tts_sink *sink, char *err,
                  size_t errlen);

#endif
