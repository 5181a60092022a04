/* SPDX-License-Identifier: Apache-2.0 */
/* engine.c: the engine object: process-wide settings shared by sessions. */
#include "engine/engine.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "avatar/avatar.h"
#include "core/assets.h"
#include "tts/voice.h"

sz_engine_params sz_engine_default_params(void)
{
    sz_engine_params p = {.n_threads = 0, .assets_dir = NULL};
    return p;
}

int sz_engine_create(sz_engine_params params, sz_engine **out_engine)
{
    if (!out_engine)
        return SZ_ERR_INVALID_ARG;
    *out_engine = NULL;
    if (params.n_threads < 0 || params.n_threads > 256)
        return SZ_ERR_INVALID_ARG;
    sz_engine *e = calloc(1, sizeof *e);
    if (!e)
        return SZ_ERR_NO_MEMORY;
    if (params.n_threads == 0) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        params.n_threads = n > 0 ? (int)n : 1;
    }
    snprintf(e->assets_dir, sizeof e->assets_dir, "%s",
             params.assets_dir ? params.assets_dir : sz_assets_dir());
    params.assets_dir = e->assets_dir;
    e->params = params;
    *out_engine = e;
    return SZ_OK;
}

void sz_engine_free(sz_engine **engine)
{
    if (!engine || !*engine)
        return;
    free(*engine);
    *engine = NULL;
}

const char *sz_engine_last_error(sz_engine *engine) { return engine ? engine->last_error : ""; }

int sz_engine_list_voices(sz_engine *engine, sz_voice_list_fn fn, void *user_data)
{
    if (!engine || !fn)
        return SZ_ERR_INVALID_ARG;
    return tts_list_voices(fn, user_data);
}

typedef struct eng_avatar_list {
    sz_avatar_list_fn fn;
    void *user;
} eng_avatar_list;

static int eng_avatar_one(const avatar_info *a, void *user)
{
    eng_avatar_list *l = user;
    sz_avatar_info info = {a->name, a->description, a->style, a->path, a->kind};
    return l->fn(&info, l->user);
}

int sz_engine_list_avatars(sz_engine *engine, sz_avatar_list_fn fn, void *user_data)
{
    if (!engine || !fn)
        return SZ_ERR_INVALID_ARG;
    eng_avatar_list l = {fn, user_data};
    return avatar_list(engine->assets_dir, eng_avatar_one, &l);
}
