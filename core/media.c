/* SPDX-License-Identifier: Apache-2.0 */
/* media.c: names of the shared media enums. */
#include "core/media.h"

#include "shuzi.h"

static const char *const media_viseme_names[VIS_COUNT] = {
    "sil", "PP", "FF", "TH", "DD", "kk", "CH", "SS", "nn", "RR", "aa", "E", "ih", "oh", "ou"};

const char *media_viseme_name(int v) { return v >= 0 && v < VIS_COUNT ? media_viseme_names[v] : NULL; }

const char *sz_mark_type_name(sz_mark_type type)
{
    switch (type) {
    case SZ_MARK_SENTENCE: return "sentence";
    case SZ_MARK_WORD: return "word";
    case SZ_MARK_PHONEME: return "phoneme";
    case SZ_MARK_VISEME: return "viseme";
    case SZ_MARK_MARK: return "mark";
    }
    return "unknown";
}

const char *sz_state_name(sz_state state)
{
    switch (state) {
    case SZ_STATE_IDLE: return "idle";
    case SZ_STATE_SPEAKING: return "speaking";
    case SZ_STATE_INTERRUPTED: return "interrupted";
    case SZ_STATE_FINISHED: return "finished";
    case SZ_STATE_ERROR: return "error";
    }
    return "unknown";
}
