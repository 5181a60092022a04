/* SPDX-License-Identifier: Apache-2.0 */
/* espeak_voice.h: libespeak-ng beyond the voice interface: phonemes for the
 * text frontend, taken under the same process-wide lock as synthesis. */
#ifndef SZ_TTS_ESPEAK_VOICE_H
#define SZ_TTS_ESPEAK_VOICE_H

#include <stddef.h>

/* Phonemes of text in a voice language ("en-us", "cmn", "fr"): words
 * separated by spaces, phones by '|', clauses by " ". ascii: espeak's own
 * phoneme names (they keep Mandarin tone numbers) instead of IPA. *out is
 * malloc'd. SZ_ERR_UNSUPPORTED when espeak-ng has no voice for the language. */
int tts_espeak_phonemes(const char *language, const char *text, int ascii, char **out, char *err,
                        size_t errlen);

/* IPA (SSML <phoneme ph>) to espeak-ng's English phoneme names, for
 * "[[...]]" input. Returns 0 and names the first symbol it cannot map in err. */
int tts_espeak_ipa_to_en(const char *ipa, char *dst, size_t cap, char *err, size_t errlen);

#endif
