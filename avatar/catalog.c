/* SPDX-License-Identifier: Apache-2.0 */
/* catalog.c: the installed avatars: <assets>/avatars/<name>/avatar.json.
 * Resolves `--avatar NAME|PATH` and lists what is installed. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "avatar/avatar.h"
#include "avatar/avatar_kind.h"
#include "avatar/rig.h"
#include "core/assets.h"
#include "core/log.h"
#include "shuzi.h"

#define CAT_MAX_AVATARS 256

static const char *cat_assets(const char *assets_dir)
{
    return assets_dir && assets_dir[0] ? assets_dir : sz_assets_dir();
}

static int cat_is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static int cat_plain_name(const char *s)
{
    if (!s[0] || strlen(s) >= RIG_NAME_MAX)
        return 0;
    for (const char *p = s; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '_' || *p == '-'))
            return 0;
    return 1;
}

int avatar_resolve(const char *assets_dir, const char *name, char *path, size_t cap, char *err,
                   size_t errlen)
{
    if (!name || !name[0] || strcmp(name, "default") == 0)
        name = AVATAR_DEFAULT;
    int n;
    if (cat_plain_name(name)) {
        n = snprintf(path, cap, "%s/avatars/%s/avatar.json", cat_assets(assets_dir), name);
        if (n < 0 || (size_t)n >= cap) {
            snprintf(err, errlen, "avatar '%s': path too long", name);
            return SZ_ERR_INVALID_ARG;
        }
        struct stat st;
        if (stat(path, &st) != 0) {
            char list[512] = "";
            size_t used = 0;
            char dir[1024];
            snprintf(dir, sizeof dir, "%s/avatars", cat_assets(assets_dir));
            DIR *dd = opendir(dir);
            struct dirent *e;
            while (dd && (e = readdir(dd)) != NULL && used < sizeof list) {
                if (e->d_name[0] == '.')
                    continue;
                used += (size_t)snprintf(list + used, sizeof list - used, "%s%s",
                                         used ? ", " : "", e->d_name);
            }
            if (dd)
                closedir(dd);
            snprintf(err, errlen, "unknown avatar '%s' (installed: %s; or give a folder or "
                                  "avatar.json path)", name, used ? list : "none");
            return SZ_ERR_NOT_FOUND;
        }
        return SZ_OK;
    }
    if (cat_is_dir(name))
        n = snprintf(path, cap, "%s/avatar.json", name);
    else
        n = snprintf(path, cap, "%s", name);
    if (n < 0 || (size_t)n >= cap) {
        snprintf(err, errlen, "avatar '%.80s...': path too long", name);
        return SZ_ERR_INVALID_ARG;
    }
    struct stat st;
    if (stat(path, &st) != 0) {
        snprintf(err, errlen, "avatar %s: %s", path, strerror(errno));
        return SZ_ERR_NOT_FOUND;
    }
    return SZ_OK;
}

static int cat_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int avatar_list(const char *assets_dir, avatar_list_fn fn, void *user)
{
    if (!fn)
        return SZ_ERR_INVALID_ARG;
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/avatars", cat_assets(assets_dir));
    DIR *d = opendir(dir);
    if (!d) {
        SZ_LOGW("avatar", "%s: cannot list avatars: %s", dir, strerror(errno));
        return errno == ENOENT ? SZ_OK : SZ_ERR_IO;
    }
    char *names[CAT_MAX_AVATARS];
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL && n < CAT_MAX_AVATARS) {
        if (e->d_name[0] == '.' || !cat_plain_name(e->d_name))
            continue;
        names[n] = strdup(e->d_name);
        if (names[n])
            n++;
    }
    closedir(d);
    qsort(names, (size_t)n, sizeof names[0], cat_cmp);
    int rc = SZ_OK;
    for (int i = 0; i < n; i++) {
        char path[1200], err[512];
        snprintf(path, sizeof path, "%s/%s/avatar.json", dir, names[i]);
        struct stat st;
        if (rc != SZ_OK || stat(path, &st) != 0)
            continue;
        const avatar_kind *kind = avatar_kind_of_manifest(path);
        char description[256], style[RIG_NAME_MAX];
        if (kind) {
            if (kind->describe(path, description, sizeof description, style, sizeof style, err,
                               sizeof err) != SZ_OK) {
                SZ_LOGW("avatar", "skipping %s", err);
                continue;
            }
        } else {
            avatar_rig *rig = NULL;
            if (rig_load_file(path, &rig, err, sizeof err) != SZ_OK) {
                SZ_LOGW("avatar", "skipping %s", err);
                continue;
            }
            snprintf(description, sizeof description, "%s", rig->description);
            snprintf(style, sizeof style, "%s", rig->style);
            rig_free(&rig);
        }
        avatar_info info = {.name = names[i],
                            .description = description,
                            .style = style,
                            .path = path,
                            .kind = kind ? kind->kind : "2d"};
        if (fn(&info, user))
            rc = SZ_ERR_CANCELLED;
    }
    for (int i = 0; i < n; i++)
        free(names[i]);
    return rc == SZ_ERR_CANCELLED ? SZ_OK : rc;
}
