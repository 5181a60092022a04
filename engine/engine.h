/* engine.h: what sessions need from the engine object. */
#ifndef SZ_ENGINE_ENGINE_H
#define SZ_ENGINE_ENGINE_H

#include <stdarg.h>

#include "shuzi.h"

struct sz_engine {
    sz_engine_params params;
    char assets_dir[1024];
    char last_error[512];
};

#endif
