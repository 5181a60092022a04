/* SPDX-License-Identifier: Apache-2.0 */
/* file.c: reading a whole regular file into memory under a size limit. */
#include "core/file.h"

#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>

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
