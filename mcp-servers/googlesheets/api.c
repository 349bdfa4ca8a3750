/*
 * api.c - Google Sheets API access for the tools: the API base (env GOOGLESHEETS_API_BASE), URLs of spreadsheets and
 * value ranges, and requests through the runtime's provider helper with Google's error texts (apis/google.h: the
 * missing scope on a 403, the usage limit on 403 rateLimitExceeded / 429, Google's message) and the spreadsheet id
 * named on a 404.
 */
#include "apis/google.h"
#include "common/log.h"
#include "common/status.h"
#include "googlesheets.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static mcp_api_base_t base;

int gs_api_init(void)
{
    char err[160];
    if (mcp_api_base_init(&base, "GOOGLESHEETS_API_BASE", "https://sheets.googleapis.com", "/v4", err, sizeof(err)) !=
        CM_OK) {
        cm_error("googlesheets", "configuration: %s", err);
        return CM_EINVAL;
    }
    return CM_OK;
}

/* "/spreadsheets/" + id + ["/values/" + escaped range] + suffix, then the URL. */
static char *build(const char *id, const char *range, const char *suffix, const char *const *query)
{
    cm_buf_t p = {0};
    char *esc = id != NULL ? cm_url_escape(id, strlen(id)) : NULL, *erange = NULL, *path, *url = NULL;
    if (id != NULL && esc == NULL)
        return NULL;
    if (range != NULL && (erange = cm_url_escape(range, strlen(range))) == NULL)
        goto out_free_esc;
    cm_buf_appendz(&p, "/spreadsheets");
    if (esc != NULL)
        cm_buf_printf(&p, "/%s", esc);
    if (erange != NULL)
        cm_buf_printf(&p, "/values/%s", erange);
    if (suffix != NULL)
        cm_buf_appendz(&p, suffix);
    path = cm_buf_take(&p);
    if (path != NULL)
        url = mcp_api_url(&base, path, query);
    free(path);
    free(erange);
out_free_esc:
    free(esc);
    return url;
}

char *gs_url(const char *spreadsheet_id, const char *suffix, const char *const *query)
{
    return build(spreadsheet_id, NULL, suffix, query);
}

char *gs_values_url(const char *spreadsheet_id, const char *range, const char *suffix, const char *const *query)
{
    return build(spreadsheet_id, range, suffix, query);
}

static const mcp_google_scope_t scope_names[] = {
    [GS_SCOPE_READ] = {"Google Sheets", "https://www.googleapis.com/auth/spreadsheets.readonly (or spreadsheets)"},
    [GS_SCOPE_WRITE] = {"Google Sheets", "https://www.googleapis.com/auth/spreadsheets"},
};

static void err_read(const mcp_provider_response_t *res, const char *generic, char *buf, size_t bufsz)
{
    mcp_google_error_text(res, generic, &scope_names[GS_SCOPE_READ], buf, bufsz);
}

static void err_write(const mcp_provider_response_t *res, const char *generic, char *buf, size_t bufsz)
{
    mcp_google_error_text(res, generic, &scope_names[GS_SCOPE_WRITE], buf, bufsz);
}

static const mcp_provider_error_fn hooks[] = {[GS_SCOPE_READ] = err_read, [GS_SCOPE_WRITE] = err_write};

void gs_fetch(mcp_call_t *c, const char *method, char *url_owned, json_t *body, gs_scope_t scope,
              const char *spreadsheet_id, size_t max_response, mcp_provider_cb cb, void *arg, void (*arg_free)(void *))
{
    char subject[200];
    snprintf(subject, sizeof(subject), "Spreadsheet %.160s", spreadsheet_id != NULL ? spreadsheet_id : "");
    mcp_provider_request_t req = {.provider = GOOGLESHEETS_PROVIDER,
                                  .method = method,
                                  .timeout_ms = 30000,
                                  .max_response = max_response,
                                  .error_text = hooks[scope],
                                  .arg_free = arg_free,
                                  .subject = spreadsheet_id != NULL ? subject : NULL};
    mcp_provider_fetch_json(c, &req, url_owned, body, cb, arg);
}
