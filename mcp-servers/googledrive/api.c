/*
 * api.c - Google Drive API v3 access for the tools: the API bases (env GOOGLEDRIVE_API_BASE; the metadata URI
 * /drive/v3 and the upload URI /upload/drive/v3 on the same host), URLs, requests through the runtime's provider
 * helper (token, 401 refresh and retry) with Google's error texts (apis/google.h: the missing scope on 403, usage
 * limits with Retry-After, Google's own message).
 */
#include "apis/google.h"
#include "common/log.h"
#include "common/status.h"
#include "googledrive.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static mcp_api_base_t base, upload_base;

int gd_api_init(void)
{
    char err[160];
    if (mcp_api_base_init(&base, "GOOGLEDRIVE_API_BASE", "https://www.googleapis.com", "/drive/v3", err, sizeof(err)) !=
            CM_OK ||
        mcp_api_base_init(&upload_base, "GOOGLEDRIVE_API_BASE", "https://www.googleapis.com", "/upload/drive/v3", err,
                          sizeof(err)) != CM_OK) {
        cm_error("googledrive", "configuration: %s", err);
        return CM_EINVAL;
    }
    return CM_OK;
}

/* base + path + query, with supportsAllDrives=true added for the /files calls: without it Drive answers 404 for
 * files on shared drives (and refuses to create or move into them). query holds at most 16 pairs. */
static char *drive_url(const mcp_api_base_t *b, const char *path, const char *const *query)
{
    const char *q[2 * 16 + 3];
    size_t n = 0;
    for (; query != NULL && query[n] != NULL && n < 2 * 16; n += 2) {
        q[n] = query[n];
        q[n + 1] = query[n + 1];
    }
    if (strncmp(path, "/files", 6) == 0) {
        q[n++] = "supportsAllDrives";
        q[n++] = "true";
    }
    q[n] = NULL;
    return mcp_api_url(b, path, q);
}

char *gd_url(const char *path, const char *const *query)
{
    return drive_url(&base, path, query);
}

char *gd_upload_url(const char *path, const char *const *query)
{
    return drive_url(&upload_base, path, query);
}

char *gd_file_url(const char *id, const char *suffix, const char *const *query)
{
    char *esc = cm_url_escape(id, strlen(id));
    cm_buf_t p = {0};
    if (esc == NULL)
        return NULL;
    cm_buf_printf(&p, "/files/%s%s", esc, suffix != NULL ? suffix : "");
    free(esc);
    char *path = cm_buf_take(&p);
    char *url = path != NULL ? gd_url(path, query) : NULL;
    free(path);
    return url;
}

int gd_under_upload_base(const char *url)
{
    return mcp_url_under_base(url, mcp_api_base_url(&upload_base));
}

static const mcp_google_scope_t scope_names[] = {
    [GD_SCOPE_METADATA] = {"Google Drive",
                           "https://www.googleapis.com/auth/drive.metadata.readonly (or drive.readonly / drive)"},
    [GD_SCOPE_READ] = {"Google Drive", "https://www.googleapis.com/auth/drive.readonly (or drive)"},
    [GD_SCOPE_WRITE] = {"Google Drive", "https://www.googleapis.com/auth/drive (drive.file covers only the files "
                                        "this app created or was given)"},
};

#define HOOK(name, scope)                                                                                              \
    static void name(const mcp_provider_response_t *res, const char *generic, char *buf, size_t bufsz)                 \
    {                                                                                                                  \
        mcp_google_error_text(res, generic, &scope_names[scope], buf, bufsz);                                          \
    }
HOOK(err_metadata, GD_SCOPE_METADATA)
HOOK(err_read, GD_SCOPE_READ)
HOOK(err_write, GD_SCOPE_WRITE)
static const mcp_provider_error_fn hooks[] = {err_metadata, err_read, err_write};

mcp_provider_error_fn gd_error_hook(gd_scope_t scope)
{
    return hooks[scope];
}

void gd_fetch(mcp_call_t *c, const char *method, char *url_owned, json_t *body, gd_scope_t scope, mcp_provider_cb cb,
              void *arg, void (*arg_free)(void *))
{
    mcp_provider_request_t req = {.provider = GD_PROVIDER,
                                  .method = method,
                                  .timeout_ms = 30000,
                                  .error_text = hooks[scope],
                                  .arg_free = arg_free};
    mcp_provider_fetch_json(c, &req, url_owned, body, cb, arg);
}

void gd_fetch_media(mcp_call_t *c, char *url_owned, size_t max_response, const char *too_large, mcp_provider_cb cb,
                    void *arg, void (*arg_free)(void *))
{
    mcp_provider_request_t req = {.provider = GD_PROVIDER,
                                  .method = "GET",
                                  .timeout_ms = 60000,
                                  .max_response = max_response,
                                  .too_large = too_large,
                                  .error_text = hooks[GD_SCOPE_READ],
                                  .arg_free = arg_free};
    mcp_provider_fetch_json(c, &req, url_owned, NULL, cb, arg);
}

const char *gd_str(json_t *args, const char *key)
{
    const char *s = json_string_value(json_object_get(args, key));
    return s != NULL && s[0] != '\0' ? s : NULL;
}

int gd_cursor_ok(mcp_call_t *c, json_t *args)
{
    const char *cur = gd_str(args, "cursor");
    if (cur == NULL || mcp_google_page_token_ok(cur))
        return 1;
    mcp_call_fail(c,
                  "Invalid arguments: cursor is not a page token of this tool (use next_cursor of its last answer).");
    return 0;
}

int gd_names_ok(mcp_call_t *c, json_t *args)
{
    static const char *const keys[] = {"name", "new_name", "name_contains"};
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        const char *v = json_string_value(json_object_get(args, keys[i]));
        for (const unsigned char *p = (const unsigned char *)v; p != NULL && *p; p++)
            if (*p < 0x20 || *p == 0x7f) {
                mcp_call_fail(c, "Invalid arguments: %s holds a control character.", keys[i]);
                return 0;
            }
    }
    return 1;
}
