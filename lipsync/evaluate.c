/* SPDX-License-Identifier: Apache-2.0 */
/* evaluate.c: the xlabel reader (strict: line and field in every message)
 * and the scores of an estimated phone track against a reference. */
#include "lipsync/evaluate.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/media.h"
#include "lipsync/viseme.h"
#include "shuzi.h"

#define EV_MAX_SECONDS (24.0 * 3600.0)

/* Next line of text: [*s, *e), advancing pos past its newline. */
static int ev_line(const char *text, size_t len, size_t *pos, const char **s, size_t *n)
{
    if (*pos >= len)
        return 0;
    *s = text + *pos;
    const char *nl = memchr(*s, '\n', len - *pos);
    *n = nl ? (size_t)(nl - *s) : len - *pos;
    *pos += *n + (nl ? 1 : 0);
    while (*n > 0 && ((*s)[*n - 1] == '\r' || (*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t'))
        (*n)--;
    return 1;
}

int lipsync_read_xlabel(const char *text, size_t len, const char *label, ls_track *out, char *err,
                        size_t errlen)
{
    lipsync_track_reset(out);
    size_t pos = 0, n = 0;
    const char *s = NULL;
    int line = 0, in_body = 0;
    int64_t prev_us = 0;
    while (ev_line(text, len, &pos, &s, &n)) {
        line++;
        if (!in_body) {
            if (n == 1 && s[0] == '#')
                in_body = 1;
            continue;
        }
        if (n == 0)
            continue;
        if (memchr(s, 0, n)) {
            snprintf(err, errlen, "%s:%d: NUL byte in the line", label, line);
            return SZ_ERR_FORMAT;
        }
        char buf[256];
        if (n >= sizeof buf) {
            snprintf(err, errlen, "%s:%d: line longer than %zu bytes", label, line, sizeof buf - 1);
            return SZ_ERR_FORMAT;
        }
        memcpy(buf, s, n);
        buf[n] = 0;
        char *end = NULL;
        double t = strtod(buf, &end);
        if (end == buf || !(t >= 0.0 && t <= EV_MAX_SECONDS)) {
            snprintf(err, errlen, "%s:%d: field 1: expected an end time in seconds (0 to %.0f)",
                     label, line, EV_MAX_SECONDS);
            return SZ_ERR_FORMAT;
        }
        char *p = end;
        while (*p == ' ' || *p == '\t')
            p++;
        char *colour = p;
        while (*p && *p != ' ' && *p != '\t')
            p++;
        if (p == colour) {
            snprintf(err, errlen, "%s:%d: field 2: expected a colour number", label, line);
            return SZ_ERR_FORMAT;
        }
        while (*p == ' ' || *p == '\t')
            p++;
        char *phone = p;
        while (*p && *p != ' ' && *p != '\t' && *p != ';')
            p++;
        *p = 0;
        if (!*phone) {
            snprintf(err, errlen, "%s:%d: field 3: expected a phone name", label, line);
            return SZ_ERR_FORMAT;
        }
        int64_t end_us = (int64_t)llround(t * 1e6);
        if (end_us < prev_us) {
            snprintf(err, errlen, "%s:%d: end time %.4f s is before the previous one (%.4f s)",
                     label, line, t, prev_us / 1e6);
            return SZ_ERR_FORMAT;
        }
        int is_pause = strcmp(phone, "pau") == 0 || strcmp(phone, "h#") == 0 ||
                       strcmp(phone, "sil") == 0 || strcmp(phone, "#") == 0;
        int is_long = strcmp(phone, "ah") == 0 || strcmp(phone, "er") == 0;
        const char *name = is_pause ? "SIL" : phone;
        if (!lipsync_arpabet_to_ipa(name, 0)) {
            snprintf(err, errlen, "%s:%d: field 3: unknown phone '%.32s'", label, line, phone);
            return SZ_ERR_FORMAT;
        }
        if (lipsync_track_add(out, prev_us, end_us, name, is_long, -1) != SZ_OK) {
            snprintf(err, errlen, "%s: out of memory", label);
            return SZ_ERR_NO_MEMORY;
        }
        prev_us = end_us;
    }
    if (!in_body) {
        snprintf(err, errlen, "%s: no '#' line ending the header (not an xlabel file?)", label);
        return SZ_ERR_FORMAT;
    }
    if (out->n_segs == 0) {
        snprintf(err, errlen, "%s: no segments", label);
        return SZ_ERR_FORMAT;
    }
    out->duration_us = prev_us;
    lipsync_track_finish(out);
    return SZ_OK;
}

static int ev_viseme_at(const ls_track *t, int64_t us, size_t *hint)
{
    size_t i = *hint;
    while (i < t->n_segs && t->segs[i].end_us <= us)
        i++;
    *hint = i;
    if (i < t->n_segs && t->segs[i].start_us <= us)
        return t->segs[i].viseme;
    return VIS_SIL;
}

static int ev_cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Boundaries: ends of segments followed by a different phone. */
static size_t ev_boundaries(const ls_track *t, int64_t *out)
{
    size_t n = 0;
    for (size_t i = 0; i + 1 < t->n_segs; i++)
        if (strcmp(t->segs[i].phone, t->segs[i + 1].phone) != 0)
            out[n++] = t->segs[i].end_us;
    return n;
}

void lipsync_score(const ls_track *ref, const ls_track *est, ls_score *out)
{
    memset(out, 0, sizeof *out);
    int64_t dur = ref->duration_us;
    size_t hr = 0, he = 0, agree = 0, frames = 0;
    for (int64_t t = 5000; t < dur; t += 10000, frames++)
        agree += ev_viseme_at(ref, t, &hr) == ev_viseme_at(est, t, &he);
    out->n_frames = frames;
    out->accuracy_100hz = frames ? (double)agree / (double)frames : 0.0;
    hr = he = agree = frames = 0;
    for (int64_t k = 0;; k++, frames++) {
        int64_t t = (2 * k + 1) * 1000000 / 60;
        if (t >= dur)
            break;
        agree += ev_viseme_at(ref, t, &hr) == ev_viseme_at(est, t, &he);
    }
    out->accuracy_30fps = frames ? (double)agree / (double)frames : 0.0;

    int64_t *rb = malloc((ref->n_segs + 1) * sizeof *rb);
    int64_t *eb = malloc((est->n_segs + 1) * sizeof *eb);
    double *d = malloc((ref->n_segs + 1) * sizeof *d);
    if (!rb || !eb || !d) {
        free(rb);
        free(eb);
        free(d);
        return;
    }
    size_t nr = ev_boundaries(ref, rb), ne = ev_boundaries(est, eb);
    out->n_ref_boundaries = nr;
    out->n_est_boundaries = ne;
    double sum = 0, bias = 0;
    size_t j = 0;
    for (size_t i = 0; i < nr; i++) {
        while (j + 1 < ne && eb[j + 1] <= rb[i])
            j++;
        double best = 1e18, signed_best = 0;
        for (size_t k = j; k < ne && k <= j + 1; k++) {
            double x = fabs((double)(eb[k] - rb[i])) / 1000.0;
            if (x < best) {
                best = x;
                signed_best = (double)(eb[k] - rb[i]) / 1000.0;
            }
        }
        if (ne == 0)
            best = (double)dur / 1000.0;
        d[i] = best;
        sum += best;
        bias += signed_best;
    }
    if (nr) {
        out->boundary_mean_ms = sum / (double)nr;
        out->boundary_bias_ms = bias / (double)nr;
        qsort(d, nr, sizeof *d, ev_cmp_double);
        out->boundary_median_ms = d[nr / 2];
    }
    free(rb);
    free(eb);
    free(d);
}
