/* SPDX-License-Identifier: Apache-2.0 */
/* file.c: reading a whole regular file into memory under a size limit;
 * removing the temporary files a killed run left. */
#include "core/file.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/log.h"
#include "shuzi.h"

int file_read_all(FILE *f, const char *path, size_t max_bytes, char **out, size_t *len, char *err,
                  size_t errlen)
{
    *out = NULL;
    *len = 0;
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
        fclose(f);
        snprintf(err, errlen, "%s: not a regular file", path);
        return SZ_ERR_IO;
    }
    if ((uint64_t)st.st_size > (uint64_t)max_bytes) {
        fclose(f);
        *len = (size_t)st.st_size;
        snprintf(err, errlen, "%s: file too large (%lld bytes, limit %zu)", path,
                 (long long)st.st_size, max_bytes);
        return SZ_ERR_FORMAT;
    }
    size_t n = (size_t)st.st_size;
    char *buf = malloc(n + 1);
    if (!buf) {
        fclose(f);
        snprintf(err, errlen, "%s: out of memory", path);
        return SZ_ERR_NO_MEMORY;
    }
    size_t got = fread(buf, 1, n, f);
    fclose(f);
    if (got != n) {
        free(buf);
        snprintf(err, errlen, "%s: read error", path);
        return SZ_ERR_IO;
    }
    buf[n] = 0;
    *out = buf;
    *len = n;
    return SZ_OK;
}

int file_remove_stale_partials(const char *dir, const char *prefix)
{
    DIR *d = opendir(dir && *dir ? dir : ".");
    if (!d)
        return 0;
    size_t pn = strlen(prefix);
    time_t now = time(NULL);
    int removed = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strncmp(e->d_name, prefix, pn) != 0)
            continue;
        const char *q = e->d_name + pn;
        long pid = 0;
        int digits = 0;
        while (*q >= '0' && *q <= '9' && digits < 10) {
            pid = pid * 10 + (*q++ - '0');
            digits++;
        }
        if (!digits || pid <= 0 || pid == (long)getpid() || kill((pid_t)pid, 0) == 0 ||
            errno != ESRCH)
            continue;
        char path[4096];
        struct stat st;
        if (snprintf(path, sizeof path, "%s/%s", dir && *dir ? dir : ".", e->d_name) >=
                (int)sizeof path ||
            lstat(path, &st) != 0 || !S_ISREG(st.st_mode) || now - st.st_mtime < 60)
            continue;
        if (unlink(path) == 0) {
            removed++;
            SZ_LOGI("io", "removed %s, left by a run (pid %ld) that did not finish", path, pid);
        }
    }
    closedir(d);
    return removed;
}

void file_partial_path(char *dst, size_t cap, const char *path)
{
    const char *slash = strrchr(path, '/');
    const char *name = slash ? slash + 1 : path;
    char dir[4096], prefix[512];
    if (!slash)
        snprintf(dir, sizeof dir, ".");
    else if (slash == path)
        snprintf(dir, sizeof dir, "/");
    else
        snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
    if (snprintf(prefix, sizeof prefix, ".%s.partial-", name) < (int)sizeof prefix)
        file_remove_stale_partials(dir, prefix);
    if (slash)
        snprintf(dst, cap, "%.*s/.%s.partial-%d", (int)(slash - path), path, name, (int)getpid());
    else
        snprintf(dst, cap, ".%s.partial-%d", path, (int)getpid());
}
