/* SPDX-License-Identifier: Apache-2.0 */
/* error.c: sz_strerror and version string. */
#include "shuzi.h"

#define SZ_STR2(x) #x
#define SZ_STR(x) SZ_STR2(x)

const char *sz_version(void)
{
    return SZ_STR(SZ_VERSION_MAJOR) "." SZ_STR(SZ_VERSION_MINOR) "." SZ_STR(SZ_VERSION_PATCH);
}

const char *sz_strerror(int err)
{
    switch ((sz_result)err) {
    case SZ_OK: return "success";
    case SZ_ERR_INVALID_ARG: return "invalid argument";
    case SZ_ERR_NO_MEMORY: return "out of memory";
    case SZ_ERR_IO: return "input/output error";
    case SZ_ERR_FORMAT: return "malformed data";
    case SZ_ERR_NOT_FOUND: return "not found";
    case SZ_ERR_UNSUPPORTED: return "not supported";
    case SZ_ERR_STATE: return "not allowed in this state";
    case SZ_ERR_CODEC: return "encoder or muxer error";
    case SZ_ERR_TIMEOUT: return "timed out";
    case SZ_ERR_CANCELLED: return "cancelled";
    case SZ_ERR_INTERNAL: return "internal error";
    }
    return "unknown error";
}
