/*
 * api.c - Google Docs API access for the tools: the Docs v1 base (env GOOGLEDOCS_API_BASE), the Drive v3 base for
 * exports (env GOOGLEDOCS_DRIVE_API_BASE), URLs, and requests through the runtime's provider helper with Google's
 * error texts (apis/google.h: the missing scope on a 403, usage limits, Google's own message) and a 404 that names
 * the document.
 */
#include "apis/google.h"
#include "common/log.h"
#include "common/status.h"
#include "googledocs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static mcp_api_base_t docs_base, drive_base;

int gd_api_init(void)
{
    char err[160];
    const char *drive_env = getenv("GOOGLEDOCS_DRIVE_API_BASE");
    int rc =
        mcp_api_base_init(&docs_base, "GOOGLEDOCS_API_BASE", "https://docs.googleapis.com", "/v1", err, sizeof(err));
    if (rc == CM_OK && drive_env != NULL && drive_env[0] != '\0')
        rc = mcp_api_base_init(&drive_base, "GOOGLEDOCS_DRIVE_API_BASE", "https://www.googleapis.com/drive/v3", NULL,
                               err, sizeof(err));
    else if (rc == CM_OK) /* a test's GOOGLEDOCS_API_BASE serves Drive too, under /drive/v3 as Google does */
        rc = mcp_api_base_init(&drive_base, "GOOGLEDOCS_API_BASE", "https://www.googleapis.com", "/drive/v3", err,
                               sizeof(err));
    if (rc != CM_OK)
        cm_error("googledocs", "configuration: %s", err);
    return rc;
}

char *gd_docs_url(const char *path, const char *const *query)
{
    return mcp_api_url(&docs_base, path, query);
}

char *gd_drive_url(const char *path, const char *const *query)
{
    return mcp_api_url(&drive_base, path, query);
}

char *gd_doc_path(const char *id, const char *suffix)
{
    char *esc = cm_url_escape(id, strlen(id));
    cm_buf_t b = {0};
    if (esc == NULL)
        return NULL;
    cm_buf_printf(&b, "/documents/%s%s", esc, suffix ? suffix : "");
    free(esc);
    return cm_buf_take(&b);
}

static const mcp_google_scope_t scope_names[] = {
    [GD_SCOPE_READ] = {"Google Docs", "https://www.googleapis.com/auth/documents.readonly (or documents)"},
    [GD_SCOPE_WRITE] = {"Google Docs", "https://www.googleapis.com/auth/documents"},
    [GD_SCOPE_EXPORT] = {"Google Drive", "https://www.googleapis.com/auth/drive.readonly (Drive exports the file; "
                                         "documents alone does not allow it)"},
};

#define HOOK(name, scope)                                                                                              \
    static void name(const mcp_provider_response_t *res, const char *generic, char *buf, size_t bufsz)                 \
    {                                                                                                                  \
        mcp_google_error_text(res, generic, &scope_names[scope], buf, bufsz);                                          \
    }
HOOK(err_read, GD_SCOPE_READ)
HOOK(err_write, GD_SCOPE_WRITE)
HOOK(err_export, GD_SCOPE_EXPORT)
static const mcp_provider_error_fn hooks[] = {err_read, err_write, err_export};

/* What gd_fetch keeps between the request and its answer. */
typedef struct pending {
    mcp_provider_cb cb;
    void *arg;
    void (*arg_free)(void *);
    int deliver_errors;
} pending_t;

static void on_answer(mcp_call_t *c, const mcp_provider_response_t *res, void *p_)
{
    pending_t *p = p_;
    if (res->error != NULL && !p->deliver_errors) {
        if (p->arg_free != NULL)
            p->arg_free(p->arg);
        mcp_call_fail(c, "%s", res->error);
    } else {
        p->cb(c, res, p->arg);
    }
    free(p);
}

void gd_fetch(mcp_call_t *c, const char *method, char *url_owned, json_t *body, gd_scope_t scope,
              const gd_fetch_opts_t *o, mcp_provider_cb cb, void *arg, void (*arg_free)(void *))
{
    static const gd_fetch_opts_t none = {0};
    pending_t *p = calloc(1, sizeof(*p));
    char subject[200];
    if (o == NULL)
        o = &none;
    if (p == NULL) {
        free(url_owned);
        json_decref(body);
        if (arg_free != NULL)
            arg_free(arg);
        mcp_call_fail(c, "Out of memory.");
        return;
    }
    p->cb = cb, p->arg = arg, p->arg_free = arg_free, p->deliver_errors = o->deliver_errors;
    mcp_provider_request_t req = {.provider = scope == GD_SCOPE_EXPORT ? "Google Drive" : "Google Docs",
                                  .method = method,
                                  .timeout_ms = o->raw ? 60000 : 30000,
                                  .max_response = o->max_response,
                                  .too_large = o->too_large,
                                  .flags = MCP_PROVIDER_DELIVER_ERRORS,
                                  .error_text = hooks[scope],
                                  .subject = o->doc_id != NULL ? subject : NULL};
    snprintf(subject, sizeof(subject), "Document %.160s", o->doc_id != NULL ? o->doc_id : "");
    if (!o->raw) {
        mcp_provider_fetch_json(c, &req, url_owned, body, on_answer, p);
        return;
    }
    json_decref(body);
    req.url = url_owned;
    if (url_owned == NULL) {
        mcp_provider_response_t res = {.status = 0, .retry_after_s = -1, .error = "Could not build the request."};
        on_answer(c, &res, p);
        return;
    }
    mcp_provider_fetch(c, &req, on_answer, p); /* copies the request */
    free(url_owned);
}

const char *gd_str(json_t *args, const char *key)
{
    const char *s = json_string_value(json_object_get(args, key));
    return s != NULL && s[0] != '\0' ? s : NULL;
}
