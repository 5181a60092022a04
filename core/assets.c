/* SPDX-License-Identifier: Apache-2.0 */
/* assets.c: finds the assets folder at run time (core/assets.h): the
 * environment, then the install folder relative to the running library or
 * program, then the build tree, then the configured install path. */
#include <dlfcn.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/assets.h"

/* Set by CMakeLists.txt for this file; these defaults only keep it building. */
#ifndef SHUZI_ASSETS_DIR
#define SHUZI_ASSETS_DIR "assets" /* the build tree's assets */
#endif
#ifndef SHUZI_INSTALL_ASSETS_DIR
#define SHUZI_INSTALL_ASSETS_DIR "/usr/local/share/shuzi"
#endif
#ifndef SHUZI_ASSETS_FROM_BIN
#define SHUZI_ASSETS_FROM_BIN "../share/shuzi" /* from the bin folder */
#endif
#ifndef SHUZI_ASSETS_FROM_LIB
#define SHUZI_ASSETS_FROM_LIB "../share/shuzi" /* from the lib folder */
#endif

static char assets_dir[PATH_MAX];
static pthread_once_t assets_once = PTHREAD_ONCE_INIT;

static int assets_is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Into assets_dir: <folder holding the file `object`>/<rel>, resolved, when
 * that is a folder. Returns 1 when it is. */
static int assets_beside(const char *object, const char *rel)
{
    char real[PATH_MAX], cand[PATH_MAX + 64], dir[PATH_MAX];
    if (!object || !object[0] || !realpath(object, real))
        return 0;
    char *slash = strrchr(real, '/');
    if (!slash)
        return 0;
    *slash = '\0';
    int n = snprintf(cand, sizeof cand, "%s/%s", real, rel);
    if (n <= 0 || (size_t)n >= sizeof cand || !realpath(cand, dir) || !assets_is_dir(dir))
        return 0;
    snprintf(assets_dir, sizeof assets_dir, "%s", dir);
    return 1;
}

static void assets_resolve(void)
{
    const char *env = getenv("SHUZI_ASSETS_DIR");
    if (env && env[0]) {
        snprintf(assets_dir, sizeof assets_dir, "%s", env);
        return;
    }
    /* This code lives in libshuzi.so or, linked statically, in the program. */
    char exe[PATH_MAX] = "";
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    exe[n > 0 ? n : 0] = '\0';
    const char *lib = NULL;
    char lib_real[PATH_MAX], exe_real[PATH_MAX];
    Dl_info info;
    if (dladdr((void *)sz_assets_dir, &info) && info.dli_fname && strchr(info.dli_fname, '/') &&
        realpath(info.dli_fname, lib_real) &&
        !(exe[0] && realpath(exe, exe_real) && strcmp(lib_real, exe_real) == 0))
        lib = lib_real;
    if (lib ? assets_beside(lib, SHUZI_ASSETS_FROM_LIB) : assets_beside(exe, SHUZI_ASSETS_FROM_BIN))
        return;
    snprintf(assets_dir, sizeof assets_dir, "%s",
             assets_is_dir(SHUZI_ASSETS_DIR) ? SHUZI_ASSETS_DIR : SHUZI_INSTALL_ASSETS_DIR);
}

const char *sz_assets_dir(void)
{
    pthread_once(&assets_once, assets_resolve);
    return assets_dir;
}
