/* SPDX-License-Identifier: Apache-2.0 */
/* memfile.h: the fuzz input as a file a loader can open by path (an
 * in-memory file, /proc/self/fd/N). Header-only, for the fuzz targets. */
#ifndef SZ_FUZZ_MEMFILE_H
#define SZ_FUZZ_MEMFILE_H

#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

/* The descriptor (close it when done), its path in path; -1 on failure. */
static inline int fuzz_memfile(const uint8_t *data, size_t size, char *path, size_t cap)
{
    int fd = memfd_create("fuzz-input", 0);
    if (fd < 0)
        return -1;
    if (write(fd, data, size) != (ssize_t)size) {
        close(fd);
        return -1;
    }
    snprintf(path, cap, "/proc/self/fd/%d", fd);
    return fd;
}

#endif
