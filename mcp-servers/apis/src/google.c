/*
 * google.c - the tool error texts and page cursors every Google API service shares (apis/google.h).
 */
#include "apis/google.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

void mcp_google_message(const mcp_provider_response_t *res, char *out, size_t outsz)
{
    const json_t *e = json_object_get(res->json, "error");
    const char *m = json_string_value(json_object_get(e, "message"));
    if (m == NULL)
        m = json_string_value(json_object_get(res->json, "error_description"));
    out[0] = '\0';
    if (m == NULL || outsz == 0)
        return;
    size_t o = 0;
    for (const char *p = m; *p && o + 1 < outsz && o < 300; p++)
        out[o++] = (unsigned char)*p < 0x20 ? ' ' : *p;
    out[o] = '\0';
}

/* errors[0].reason of a Google error answer, or NULL. Borrowed from res. */
static const char *google_reason(const mcp_provider_response_t *res)
{
    const json_t *errors = json_object_get(json_object_get(res->json, "error"), "errors");
    return json_string_value(json_object_get(json_array_get(errors, 0), "reason"));
}

/* Drive's exportSizeLimitExceeded ends like a usage limit but is the file's size: waiting does not help. */
static int export_too_large(const char *reason)
{
    return reason != NULL && strcmp(reason, "exportSizeLimitExceeded") == 0;
}

static int limit_reason(const char *reason)
{
    if (reason == NULL || export_too_large(reason))
        return 0;
    size_t n = strlen(reason);
    return (n >= 13 && strcmp(reason + n - 13, "LimitExceeded") == 0) || strcmp(reason, "quotaExceeded") == 0;
}

/* A 403 that a missing scope explains: Google's scope reasons, an insufficient_scope challenge, or no reason at all
 * (an answer without errors[] says nothing better). */
static int scope_refusal(const char *reason, const char *www)
{
    static const char *const scope_reasons[] = {"insufficientPermissions", "insufficientScopes",
                                                "ACCESS_TOKEN_SCOPE_INSUFFICIENT", "forbidden"};
    if (reason == NULL || (www != NULL && strstr(www, "insufficient_scope") != NULL))
        return 1;
    for (size_t i = 0; i < sizeof(scope_reasons) / sizeof(scope_reasons[0]); i++)
        if (strcmp(reason, scope_reasons[i]) == 0)
            return 1;
    return 0;
}

int mcp_google_is_rate_limit(const mcp_provider_response_t *res)
{
    return res->status == 429 || (res->status == 403 && limit_reason(google_reason(res)));
}

void mcp_google_error_text(const mcp_provider_response_t *res, const char *generic, const mcp_google_scope_t *s,
                           char *buf, size_t bufsz)
{
    char gm[320], says[400] = "";
    const char *api = s != NULL && s->api != NULL ? s->api : "Google";
    if (bufsz == 0)
        return;
    mcp_google_message(res, gm, sizeof(gm));
    if (gm[0])
        snprintf(says, sizeof(says), " %s says: %s", api, gm);
    if (res->status == 401) {
        buf[0] = '\0'; /* the runtime's text: re-authorize at <url> */
        return;
    }
    const char *reason = google_reason(res);
    if (res->status == 403 && export_too_large(reason)) {
        snprintf(buf, bufsz,
                 "The file is too large for Google to export (403 %s: Google Drive exports at most 10 MB).%s", reason,
                 says);
        return;
    }
    if (res->status == 403 && limit_reason(reason)) {
        if (res->retry_after_s >= 0)
            snprintf(buf, bufsz, "%s usage limit reached (403 %s); retry after %ld seconds.%s", api, reason,
                     res->retry_after_s, says);
        else
            snprintf(buf, bufsz, "%s usage limit reached (403 %s); retry later.%s", api, reason, says);
        return;
    }
    const char *www = mcp_header_get(res->headers, res->n_headers, "www-authenticate");
    if (res->status == 403 && !scope_refusal(reason, www)) {
        /* the user's access to the item, a file that cannot be copied or downloaded...: no scope would help */
        snprintf(buf, bufsz, "%s refused the request (403 %.64s).%s", api, reason, says);
        return;
    }
    if (res->status == 403) {
        char granted[256] = "";
        const char *sc = www ? strstr(www, "scope=\"") : NULL;
        if (sc != NULL) {
            sc += 7;
            const char *e = strchr(sc, '"');
            snprintf(granted, sizeof(granted), " (Google names: %.*s)", e ? (int)(e - sc) : 0, sc);
        }
        /* generic names the re-authorize URL when the broker gave one */
        snprintf(buf, bufsz, "%s Missing scope: this tool needs %s%s.%s", generic,
                 s != NULL && s->scope != NULL ? s->scope : "a scope this instance was not granted", granted, says);
        return;
    }
    if (says[0])
        snprintf(buf, bufsz, "%s%s", generic, says);
    else
        buf[0] = '\0';
}

int mcp_google_page_token_ok(const char *token)
{
    size_t n = token != NULL ? strlen(token) : 0;
    if (n == 0 || n > 2048)
        return 0;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)token[i] <= 0x20 || (unsigned char)token[i] >= 0x7f)
            return 0;
    return 1;
}
