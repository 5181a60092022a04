/* SPDX-License-Identifier: Apache-2.0 */
/* fuzz_lipsync.c: libFuzzer target for the outside input audio-only
 * lip-sync reads: WAV files (RIFF chunks, formats), Festival xlabel segment
 * files, and phone symbols (IPA and ARPAbet) mapped to visemes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/media.h"
#include "lipsync/audio_file.h"
#include "lipsync/cues.h"
#include "lipsync/evaluate.h"
#include "lipsync/viseme.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[512];
    ls_audio a;
    if (lipsync_wav_parse(data, size, "fuzz.wav", &a, err, sizeof err) == 0) {
        for (size_t i = 0; i < a.n; i++)
            if (!(a.pcm[i] >= -1.0f && a.pcm[i] <= 1.0f))
                abort(); /* samples must be finite and in range */
        lipsync_audio_free(&a);
    }
    ls_track t;
    lipsync_track_init(&t);
    if (lipsync_read_xlabel((const char *)data, size, "fuzz.segs", &t, err, sizeof err) == 0) {
        for (size_t i = 0; i < t.n_segs; i++)
            if (t.segs[i].end_us < t.segs[i].start_us || t.segs[i].viseme < 0 ||
                t.segs[i].viseme >= VIS_COUNT)
                abort();
        ls_cues c;
        if (lipsync_cues_from_track(&t, LS_EXT_ALL, &c) == 0) {
            for (size_t i = 0; i + 1 < c.n; i++)
                if (c.cues[i].end_us != c.cues[i + 1].start_us)
                    abort(); /* cues cover the recording without gaps */
            lipsync_cues_free(&c);
        }
    }
    lipsync_track_free(&t);
    char *s = malloc(size + 1);
    if (!s)
        return 0;
    memcpy(s, data, size);
    s[size] = 0;
    int v = lipsync_viseme_of_phone(s);
    if (v < -1 || v >= VIS_COUNT)
        abort();
    lipsync_arpabet_to_ipa(s, 1);
    const char *arpa[8];
    lipsync_ipa_to_arpabet(s, arpa, 8);
    free(s);
    return 0;
}
