/*
 * api.c - Gmail API access for the tools: base URLs (env GMAIL_API_BASE; the metadata URI /gmail/v1 and the media
 * upload URI /upload/gmail/v1), URLs, requests through the runtime's provider helpers (mcp/provider_http.h,
 * mcp/result.h) with Gmail-specific error texts (the missing scope on 403, Gmail's own error message), and
 * multipart/related uploads.
 */
#include "gmail.h"
#include "common/crypto.h"
#include "common/log.h"
#include "common/status.h"
#include "apis/google.h"
#include "mcp/provider_http.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static mcp_api_base_t base, upload_base;

int gm_api_init(void)
{
    char err[160];
    /* the upload URI is the resource URI with /upload before /gmail/v1 (developers.google.com/gmail/api/guides/
       uploads), on the same host */
    if (mcp_api_base_init(&base, "GMAIL_API_BASE", "https://gmail.googleapis.com", "/gmail/v1/users/me", err,
                          sizeof(err)) != CM_OK ||
        mcp_api_base_init(&upload_base, "GMAIL_API_BASE", "https://gmail.googleapis.com", "/upload/gmail/v1/users/me",
                          err, sizeof(err)) != CM_OK) {
        cm_error("gmail", "configuration: %s", err);
        return CM_EINVAL;
    }
    return CM_OK;
}

char *gm_url(const char *path, const char *const *query)
{
    return mcp_api_url(&base, path, query);
}

static const mcp_google_scope_t scope_names[] = {
    [GM_SCOPE_READ] = {"Gmail", "https://www.googleapis.com/auth/gmail.readonly (or gmail.modify)"},
    [GM_SCOPE_SEND] = {"Gmail", "https://www.googleapis.com/auth/gmail.send (or gmail.compose / gmail.modify)"},
    [GM_SCOPE_COMPOSE] = {"Gmail", "https://www.googleapis.com/auth/gmail.compose (or gmail.modify)"},
    [GM_SCOPE_MODIFY] = {"Gmail", "https://www.googleapis.com/auth/gmail.modify"},
    [GM_SCOPE_LABELS] = {"Gmail", "https://www.googleapis.com/auth/gmail.labels (or gmail.modify)"},
    [GM_SCOPE_FULL] = {"Gmail",
                       "https://mail.google.com/ (full access; gmail.modify does not allow permanent deletion)"},
};

#define HOOK(name, scope)                                                                                              \
    static void name(const mcp_provider_response_t *res, const char *generic, char *buf, size_t bufsz)                 \
    {                                                                                                                  \
        mcp_google_error_text(res, generic, &scope_names[scope], buf, bufsz);                                          \
    }
HOOK(err_read, GM_SCOPE_READ)
HOOK(err_send, GM_SCOPE_SEND)
HOOK(err_compose, GM_SCOPE_COMPOSE)
HOOK(err_modify, GM_SCOPE_MODIFY)
HOOK(err_labels, GM_SCOPE_LABELS)
HOOK(err_full, GM_SCOPE_FULL)
static const mcp_provider_error_fn hooks[] = {err_read, err_send, err_compose, err_modify, err_labels, err_full};

void gm_fetch(mcp_call_t *c, const char *method, char *url_owned, json_t *body, gm_scope_t scope, mcp_provider_cb cb,
              void *arg, void (*arg_free)(void *))
{
    gm_fetch_ex(c, method, url_owned, body, scope, 0, cb, arg, arg_free);
}

void gm_fetch_ex(mcp_call_t *c, const char *method, char *url_owned, json_t *body, gm_scope_t scope, int flags,
                 mcp_provider_cb cb, void *arg, void (*arg_free)(void *))
{
    mcp_provider_request_t req = {.provider = "Gmail",
                                  .method = method,
                                  .timeout_ms = 30000,
                                  .flags = flags,
                                  .error_text = hooks[scope],
                                  .arg_free = arg_free};
    mcp_provider_fetch_json(c, &req, url_owned, body, cb, arg);
}

void gm_fetch_large(mcp_call_t *c, char *url_owned, gm_scope_t scope, size_t max_response, const char *too_large,
                    mcp_provider_cb cb, void *arg, void (*arg_free)(void *))
{
    mcp_provider_request_t req = {.provider = "Gmail",
                                  .method = "GET",
                                  .timeout_ms = 45000,
                                  .max_response = max_response,
                                  .too_large = too_large,
                                  .error_text = hooks[scope],
                                  .arg_free = arg_free};
    mcp_provider_fetch_json(c, &req, url_owned, NULL, cb, arg);
}

int gm_upload_body(json_t *metadata, const char *msg, size_t len, char *boundary, size_t boundarysz, char **body,
                   size_t *body_len)
{
    return mcp_google_multipart_body(metadata, "message/rfc822", msg, len, boundary, boundarysz, body, body_len);
}

void gm_fetch_upload(mcp_call_t *c, const char *path, json_t *metadata, const char *msg, size_t len, gm_scope_t scope,
                     mcp_provider_cb cb, void *arg)
{
    static const char *const q[] = {"uploadType", "multipart", NULL};
    char boundary[80], ctype[128], *body = NULL;
    size_t body_len = 0;
    char *url = mcp_api_url(&upload_base, path, q);
    int rc = gm_upload_body(metadata, msg, len, boundary, sizeof(boundary), &body, &body_len);
    json_decref(metadata);
    if (url == NULL || rc != CM_OK) {
        mcp_call_fail(c, "Could not build the Gmail upload request.");
        goto out_free;
    }
    snprintf(ctype, sizeof(ctype), "multipart/related; boundary=\"%s\"", boundary);
    cm_http_header_t h[] = {{"Content-Type", ctype}};
    mcp_provider_request_t req = {.provider = "Gmail",
                                  .method = "POST",
                                  .url = url,
                                  .headers = h,
                                  .n_headers = 1,
                                  .body = body,
                                  .body_len = body_len,
                                  .timeout_ms = 120000, /* up to ~14 MB up */
                                  .error_text = hooks[scope]};
    mcp_provider_fetch(c, &req, cb, arg); /* copies the request */
out_free:
    if (body != NULL) {
        cm_wipe(body, body_len);
        free(body);
    }
    free(url);
}

const char *gm_str(json_t *args, const char *key)
{
    const char *s = json_string_value(json_object_get(args, key));
    return s && s[0] ? s : NULL;
}
