/* SPDX-License-Identifier: Apache-2.0 */
/* zh_words.c: Mandarin words. The word list (assets/lexicon/zh-words.txt,
 * WORD<TAB>COUNT lines sorted by bytes, made by tools/zh_lexicon.py) is
 * mapped read-only, checked line by line when it is opened, and searched
 * by bisection; a sentence is cut into the words whose counts make it most
 * likely (each word's probability is its count over all counts, a character
 * the list lacks counts once). Third-tone sandhi is applied by word. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/assets.h"
#include "core/log.h"
#include "tts/frontend/fe_internal.h"

#define ZW_MAX_BYTES (64u << 20)
#define ZW_MAX_COUNT 999999999u

struct fe_zh_lexicon {
    const char *map;
    size_t len;
    uint32_t *line; /* offset of each line */
    size_t n;
    double log_total;
};

static int zw_cmp(const char *a, size_t an, const char *b, size_t bn)
{
    int c = memcmp(a, b, an < bn ? an : bn);
    return c ? c : (an > bn) - (an < bn);
}

/* The word's bytes at line k. */
static const char *zw_word(const fe_zh_lexicon *lx, size_t k, size_t *n)
{
    const char *s = lx->map + lx->line[k];
    *n = (size_t)((const char *)memchr(s, '\t', lx->len - lx->line[k]) - s);
    return s;
}

void fe_zh_lexicon_close(fe_zh_lexicon *lx)
{
    if (!lx)
        return;
    if (lx->map)
        munmap((void *)lx->map, lx->len);
    free(lx->line);
    free(lx);
}

fe_zh_lexicon *fe_zh_lexicon_open(const char *path, char *err, size_t errlen)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return NULL;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size <= 0 ||
        (unsigned long long)st.st_size > ZW_MAX_BYTES) {
        snprintf(err, errlen, "%s: not a word list (empty, not a file, or over %u MB)", path,
                 ZW_MAX_BYTES >> 20);
        close(fd);
        return NULL;
    }
    fe_zh_lexicon *lx = calloc(1, sizeof *lx);
    if (!lx) {
        close(fd);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    lx->len = (size_t)st.st_size;
    void *m = mmap(NULL, lx->len, PROT_READ, MAP_SHARED, fd, 0);
    close(fd);
    if (m == MAP_FAILED) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        free(lx);
        return NULL;
    }
    lx->map = m;
    size_t cap = 0, lineno = 0;
    double total = 0;
    const char *s = lx->map, *end = s + lx->len, *prev = NULL;
    size_t prev_n = 0;
    while (s < end) {
        lineno++;
        const char *nl = memchr(s, '\n', (size_t)(end - s));
        if (!nl) {
            snprintf(err, errlen, "%s:%zu: the last line has no newline", path, lineno);
            goto bad;
        }
        /* one to four Han characters, a tab, a count */
        size_t at = 0, len = (size_t)(nl - s), chars = 0;
        while (at < len && s[at] != '\t') {
            size_t k;
            uint32_t cp = fe_next(s, len, at, &k);
            if (fe_class(cp) != FE_CC_HAN || ++chars > 4) {
                snprintf(err, errlen, "%s:%zu: a word must be 1 to 4 Han characters", path,
                         lineno);
                goto bad;
            }
            at += k;
        }
        size_t wn = at;
        if (!wn || at >= len || at + 1 == len || len - at - 1 > 9) {
            snprintf(err, errlen, "%s:%zu: expected WORD<TAB>COUNT", path, lineno);
            goto bad;
        }
        unsigned long count = 0;
        for (size_t k = at + 1; k < len; k++) {
            if (s[k] < '0' || s[k] > '9') {
                snprintf(err, errlen, "%s:%zu: the count is not a number", path, lineno);
                goto bad;
            }
            count = count * 10 + (unsigned long)(s[k] - '0');
        }
        if (!count || count > ZW_MAX_COUNT) {
            snprintf(err, errlen, "%s:%zu: the count must be 1 to %u", path, lineno,
                     ZW_MAX_COUNT);
            goto bad;
        }
        if (prev && zw_cmp(prev, prev_n, s, wn) >= 0) {
            snprintf(err, errlen, "%s:%zu: not sorted by bytes, or a word twice", path, lineno);
            goto bad;
        }
        if (lx->n == cap) {
            cap = cap ? cap * 2 : 4096;
            uint32_t *v = realloc(lx->line, cap * sizeof *v);
            if (!v) {
                snprintf(err, errlen, "out of memory");
                goto bad;
            }
            lx->line = v;
        }
        lx->line[lx->n++] = (uint32_t)(s - lx->map);
        total += (double)count;
        prev = s;
        prev_n = wn;
        s = nl + 1;
    }
    if (!lx->n) {
        snprintf(err, errlen, "%s: no words", path);
        goto bad;
    }
    lx->log_total = log(total);
    return lx;
bad:
    fe_zh_lexicon_close(lx);
    return NULL;
}

static fe_zh_lexicon *zw_default;
static pthread_once_t zw_once = PTHREAD_ONCE_INIT;

static void zw_open_default(void)
{
    char path[4096], err[512];
    snprintf(path, sizeof path, "%s/lexicon/zh-words.txt", sz_assets_dir());
    zw_default = fe_zh_lexicon_open(path, err, sizeof err);
    if (!zw_default)
        SZ_LOGW("tts", "Mandarin word list: %s; tone sandhi goes by character pairs", err);
}

const fe_zh_lexicon *fe_zh_lexicon_default(void)
{
    pthread_once(&zw_once, zw_open_default);
    return zw_default;
}

void fe_prepare_mandarin(void)
{
    (void)fe_zh_lexicon_default();
}

uint32_t fe_zh_lexicon_count(const fe_zh_lexicon *lx, const uint32_t *chars, size_t n)
{
    if (!lx || !n || n > 4)
        return 0;
    char key[32];
    size_t kn = 0;
    for (size_t i = 0; i < n; i++)
        kn += fe_put_utf8(key + kn, chars[i]);
    size_t lo = 0, hi = lx->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2, wn;
        const char *w = zw_word(lx, mid, &wn);
        int c = zw_cmp(w, wn, key, kn);
        if (c == 0) {
            uint32_t count = 0;
            for (const char *d = w + wn + 1; *d != '\n'; d++)
                count = count * 10 + (uint32_t)(*d - '0');
            return count;
        }
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return 0;
}

int fe_zh_segment(const fe_zh_lexicon *lx, const uint32_t *chars, size_t n, unsigned char *start)
{
    if (!n)
        return 1;
    for (size_t i = 0; i < n; i++)
        start[i] = 1;
    if (!lx)
        return 1;
    double *best = malloc((n + 1) * sizeof *best);
    unsigned char *len = malloc(n + 1);
    if (!best || !len) {
        free(best);
        free(len);
        return 0;
    }
    best[0] = 0;
    for (size_t j = 1; j <= n; j++) {
        best[j] = -INFINITY;
        len[j] = 1;
        for (size_t l = 1; l <= 4 && l <= j; l++) {
            uint32_t c = fe_zh_lexicon_count(lx, chars + j - l, l);
            if (!c && l > 1)
                continue;
            double s = best[j - l] + log(c ? (double)c : 1.0) - lx->log_total;
            if (s > best[j]) {
                best[j] = s;
                len[j] = (unsigned char)l;
            }
        }
    }
    for (size_t j = n; j > 0; j -= len[j]) {
        for (size_t i = j - len[j] + 1; i < j; i++)
            start[i] = 0;
    }
    free(best);
    free(len);
    return 1;
}
