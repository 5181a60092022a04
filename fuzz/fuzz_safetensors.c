/* SPDX-License-Identifier: Apache-2.0 */
/* fuzz_safetensors.c: libFuzzer target for the .safetensors reader. Any input
 * must be refused cleanly or yield tensors whose bytes all lie in the buffer
 * and that st_find and st_expect agree with. */
#include "core/safetensors.h"
#include "shuzi.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define FUZZ_AREA_BYTES (4u << 20)

/* cJSON is usually not built with ASan, so the input is copied to end right
 * before a PROT_NONE page: a read past the header by any code faults. */
static const uint8_t *fuzz_guarded_copy(const uint8_t *data, size_t size)
{
    static uint8_t *area;
    static size_t page;
    if (!area) {
        page = (size_t)sysconf(_SC_PAGESIZE);
        void *p = mmap(NULL, FUZZ_AREA_BYTES + page, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED || mprotect((uint8_t *)p + FUZZ_AREA_BYTES, page, PROT_NONE) != 0)
            abort();
        area = p;
    }
    if (size > FUZZ_AREA_BYTES)
        return data;
    uint8_t *dst = area + FUZZ_AREA_BYTES - size;
    if (size)
        memcpy(dst, data, size);
    return dst;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *input, size_t size)
{
    const uint8_t *data = fuzz_guarded_copy(input, size);
    char err[256];
    st_file *f = NULL;
    int rc = st_parse(data, size, "fuzz", &f, err, sizeof(err));
    if (rc != SZ_OK) {
        /* Refused: a negative code, no file, and a one-line message. */
        if (rc >= 0 || f != NULL || err[0] == '\0' || strchr(err, '\n') != NULL)
            abort();
        return 0;
    }

    volatile uint8_t sink = 0;
    size_t n = st_count(f);
    for (size_t i = 0; i < n; i++) {
        const st_tensor *t = st_get(f, i);
        if (!t || st_find(f, t->name) != t)
            abort();
        if (t->n_dims < 0 || t->n_dims > ST_MAX_DIMS || t->n_elements < 0)
            abort();
        if (t->nbytes != (size_t)t->n_elements * st_dtype_size(t->dtype))
            abort();
        const uint8_t *p = t->data;
        if (p < data || p + t->nbytes > data + size)
            abort();
        if (t->nbytes) /* touch both ends so ASan sees any out-of-buffer pointer */
            sink ^= p[0] ^ p[t->nbytes - 1];
        if (st_expect(f, t->name, t->dtype, t->n_dims, t->shape, NULL, err, sizeof(err)) != SZ_OK)
            abort();
        /* Tensor names double as metadata keys to probe the lookup. */
        const char *v = st_metadata(f, t->name);
        if (v)
            sink ^= (uint8_t)strlen(v);
    }
    if (st_get(f, n) != NULL)
        abort();
    const char *keys[] = {"format", "", "__metadata__", "voice"};
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        const char *v = st_metadata(f, keys[i]);
        if (v)
            sink ^= (uint8_t)strlen(v);
    }
    (void)sink;
    st_close(&f);
    if (f != NULL)
        abort();
    return 0;
}
