/* SPDX-License-Identifier: Apache-2.0 */
/* api_parse.c: request bodies of the control API: JSON objects with known
 * keys only, typed fields, valid UTF-8, non-blank text within limits. */
#include "engine/api_parse.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/json.h"
#include "core/utf8.h"
#include "shuzi.h"
#include "tts/frontend/frontend.h"

void api_request_free(api_request *r)
{
    if (!r)
        return;
    free(r->text);
    free(r->user);
    memset(r, 0, sizeof *r);
}

static cJSON *api_object(const char *body, size_t len, char *err, size_t errlen)
{
    if (len == 0) {
        snprintf(err, errlen, "the request body is empty: expected a JSON object");
        return NULL;
    }
    if (len > API_MAX_TEXT_BYTES * 2) {
        snprintf(err, errlen, "the request body is larger than %u bytes", API_MAX_TEXT_BYTES * 2);
        return NULL;
    }
    cJSON *root = json_parse(body, len, "body", err, errlen);
    if (!root)
        return NULL;
    if (!cJSON_IsObject(root)) {
        snprintf(err, errlen, "body: expected a JSON object ({...})");
        cJSON_Delete(root);
        return NULL;
    }
    return root;
}

static int api_blank(const char *s)
{
    for (; *s; s++)
        if (!isspace((unsigned char)*s))
            return 0;
    return 1;
}

/* A required or optional non-blank UTF-8 string field, copied. */
static int api_string(const cJSON *root, const char *key, int required, size_t max_bytes,
                      char **out, char *err, size_t errlen)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, key);
    if (!v) {
        if (required)
            snprintf(err, errlen, "body: \"%s\" is required", key);
        return required ? SZ_ERR_FORMAT : SZ_ERR_NOT_FOUND;
    }
    if (!cJSON_IsString(v)) {
        snprintf(err, errlen, "body: \"%s\": expected a string", key);
        return SZ_ERR_FORMAT;
    }
    const char *s = v->valuestring;
    size_t n = strlen(s), bad = 0;
    if (n > max_bytes) {
        snprintf(err, errlen, "body: \"%s\": longer than %zu bytes", key, max_bytes);
        return SZ_ERR_FORMAT;
    }
    if (!utf8_valid(s, n, &bad)) {
        snprintf(err, errlen, "body: \"%s\": not valid UTF-8 (byte %zu)", key, bad);
        return SZ_ERR_FORMAT;
    }
    if (api_blank(s)) {
        snprintf(err, errlen, "body: \"%s\": empty", key);
        return SZ_ERR_FORMAT;
    }
    *out = strdup(s);
    if (!*out) {
        snprintf(err, errlen, "out of memory");
        return SZ_ERR_NO_MEMORY;
    }
    return SZ_OK;
}

static int api_bool(const cJSON *root, const char *key, int *out, char *err, size_t errlen)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, key);
    if (!v)
        return SZ_OK;
    if (!cJSON_IsBool(v)) {
        snprintf(err, errlen, "body: \"%s\": expected true or false", key);
        return SZ_ERR_FORMAT;
    }
    *out = cJSON_IsTrue(v);
    return SZ_OK;
}

static int api_keys(const cJSON *root, const char *const *keys, char *err, size_t errlen)
{
    char why[256];
    if (json_check_keys(root, keys, NULL, why, sizeof why) != SZ_OK) {
        snprintf(err, errlen, "body: %s", why);
        return SZ_ERR_FORMAT;
    }
    return SZ_OK;
}

int api_parse_say(const char *body, size_t len, api_request *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    cJSON *root = api_object(body, len, err, errlen);
    if (!root)
        return SZ_ERR_FORMAT;
    static const char *const keys[] = {"text", "ssml", "interrupt", NULL};
    int rc = api_keys(root, keys, err, errlen);
    if (rc == SZ_OK) {
        int has_text = cJSON_GetObjectItemCaseSensitive(root, "text") != NULL;
        int has_ssml = cJSON_GetObjectItemCaseSensitive(root, "ssml") != NULL;
        if (has_text == has_ssml) {
            snprintf(err, errlen, "body: expected exactly one of \"text\" and \"ssml\"");
            rc = SZ_ERR_FORMAT;
        } else {
            out->ssml = has_ssml;
            rc = api_string(root, has_ssml ? "ssml" : "text", 1, API_MAX_TEXT_BYTES, &out->text,
                            err, errlen);
        }
    }
    if (rc == SZ_OK && out->ssml) {
        const char *p = out->text;
        while (isspace((unsigned char)*p))
            p++;
        if (strncmp(p, "<?xml", 5) != 0 && strncmp(p, "<speak", 6) != 0) {
            snprintf(err, errlen, "body: \"ssml\": expected a <speak> document");
            rc = SZ_ERR_FORMAT;
        } else if (fe_ssml_check(out->text, strlen(out->text), err, errlen) != SZ_OK) {
            rc = SZ_ERR_FORMAT; /* the CLI's message: "ssml: line L, column C: ..." */
        }
    }
    if (rc == SZ_OK)
        rc = api_bool(root, "interrupt", &out->interrupt, err, errlen);
    cJSON_Delete(root);
    if (rc != SZ_OK)
        api_request_free(out);
    return rc;
}

int api_parse_chat(const char *body, size_t len, api_request *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    cJSON *root = api_object(body, len, err, errlen);
    if (!root)
        return SZ_ERR_FORMAT;
    static const char *const keys[] = {"message", "interrupt", NULL};
    int rc = api_keys(root, keys, err, errlen);
    if (rc == SZ_OK)
        rc = api_string(root, "message", 1, API_MAX_TEXT_BYTES, &out->text, err, errlen);
    if (rc == SZ_OK)
        rc = api_bool(root, "interrupt", &out->interrupt, err, errlen);
    cJSON_Delete(root);
    if (rc != SZ_OK)
        api_request_free(out);
    return rc;
}

int api_parse_comment(const char *body, size_t len, api_request *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    cJSON *root = api_object(body, len, err, errlen);
    if (!root)
        return SZ_ERR_FORMAT;
    static const char *const keys[] = {"user", "text", NULL};
    int rc = api_keys(root, keys, err, errlen);
    if (rc == SZ_OK)
        rc = api_string(root, "user", 1, 256, &out->user, err, errlen);
    if (rc == SZ_OK)
        rc = api_string(root, "text", 1, 4096, &out->text, err, errlen);
    cJSON_Delete(root);
    if (rc != SZ_OK)
        api_request_free(out);
    return rc;
}

/* A body that may be empty (only white space: *root stays NULL, SZ_OK) or
 * a JSON object. */
static int api_optional_object(const char *body, size_t len, cJSON **root, char *err,
                               size_t errlen)
{
    *root = NULL;
    size_t i = 0;
    while (i < len && isspace((unsigned char)body[i]))
        i++;
    if (i == len)
        return SZ_OK;
    *root = api_object(body, len, err, errlen);
    return *root ? SZ_OK : SZ_ERR_FORMAT;
}

int api_parse_interrupt(const char *body, size_t len, char *err, size_t errlen)
{
    cJSON *root;
    int rc = api_optional_object(body, len, &root, err, errlen);
    if (rc != SZ_OK || !root)
        return rc;
    if (cJSON_GetArraySize(root) != 0) {
        snprintf(err, errlen, "body: expected an empty object {} (interrupt takes no fields)");
        rc = SZ_ERR_FORMAT;
    }
    cJSON_Delete(root);
    return rc;
}

int api_parse_listen(const char *body, size_t len, int *on, char *err, size_t errlen)
{
    *on = 1;
    cJSON *root;
    int rc = api_optional_object(body, len, &root, err, errlen);
    if (rc != SZ_OK || !root)
        return rc;
    static const char *const keys[] = {"on", NULL};
    rc = json_check_keys(root, keys, "body", err, errlen);
    if (rc == SZ_OK) {
        rc = json_get_bool(root, "on", "body", 0, on, err, errlen);
        if (rc == SZ_ERR_NOT_FOUND)
            rc = SZ_OK;
    }
    cJSON_Delete(root);
    return rc;
}

int api_check_bearer(const char *header, const char *token)
{
    if (!header || !token || !*token)
        return 0;
    if (strncasecmp(header, "Bearer ", 7) != 0)
        return 0;
    const char *got = header + 7;
    while (*got == ' ')
        got++;
    size_t gl = strlen(got), tl = strlen(token);
    while (gl > 0 && (got[gl - 1] == ' ' || got[gl - 1] == '\t'))
        gl--;
    unsigned diff = gl != tl;
    for (size_t i = 0; i < tl; i++)
        diff |= (unsigned char)token[i] ^ (unsigned char)(i < gl ? got[i] : 0);
    return diff == 0;
}

int api_host_is_loopback(const char *host)
{
    if (!host)
        return 0;
    if (strcasecmp(host, "localhost") == 0)
        return 1;
    struct in_addr a4;
    struct in6_addr a6;
    if (inet_pton(AF_INET, host, &a4) == 1)
        return (ntohl(a4.s_addr) >> 24) == 127;
    if (inet_pton(AF_INET6, host, &a6) == 1)
        return IN6_IS_ADDR_LOOPBACK(&a6);
    return 0;
}

static int api_filter_list(const char *in, const char *const *allowed, const char *what, char *out,
                           size_t cap, char *err, size_t errlen)
{
    out[0] = 0;
    if (!in || !*in)
        return SZ_OK;
    if (strlen(in) >= cap) {
        snprintf(err, errlen, "%s: too long", what);
        return SZ_ERR_FORMAT;
    }
    char buf[256];
    snprintf(buf, sizeof buf, "%s", in);
    size_t used = 0;
    for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok;
         tok = strtok_r(NULL, ",", &save)) {
        int ok = 0;
        for (int i = 0; allowed[i] && !ok; i++)
            ok = strcmp(tok, allowed[i]) == 0;
        if (!ok) {
            char names[160] = "";
            for (int i = 0; allowed[i]; i++) {
                strncat(names, allowed[i], sizeof names - strlen(names) - 1);
                if (allowed[i + 1])
                    strncat(names, ", ", sizeof names - strlen(names) - 1);
            }
            snprintf(err, errlen, "%s: unknown name '%.40s' (expected %s)", what, tok, names);
            return SZ_ERR_FORMAT;
        }
        used += (size_t)snprintf(out + used, cap - used, ",%s", tok);
    }
    if (used > 0 && used + 1 < cap)
        strcat(out, ",");
    return SZ_OK;
}

int api_parse_event_filter(const char *types, const char *marks, char *types_out, size_t types_cap,
                           char *marks_out, size_t marks_cap, char *err, size_t errlen)
{
    static const char *const tnames[] = {"mark",    "state",   "text",      "error",
                                         "comment", "present", "interrupt", "heard", NULL};
    static const char *const mnames[] = {"sentence", "word", "phoneme", "viseme", "mark", NULL};
    int rc = api_filter_list(types, tnames, "types", types_out, types_cap, err, errlen);
    if (rc == SZ_OK)
        rc = api_filter_list(marks, mnames, "marks", marks_out, marks_cap, err, errlen);
    return rc;
}
