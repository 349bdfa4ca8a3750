/*
 * msgraph.c - the Microsoft Graph conventions every Graph service shares (apis/msgraph.h).
 */
#include "apis/msgraph.h"
#include "common/log.h"
#include "common/status.h"
#include "common/url.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

static mcp_api_base_t base;

int msgraph_init(const char *service)
{
    char err[160];
    if (mcp_api_base_init(&base, "GRAPH_API_BASE", "https://graph.microsoft.com/v1.0", NULL, err, sizeof(err)) !=
        CM_OK) {
        cm_error(service, "configuration: %s", err);
        return CM_EINVAL;
    }
    return CM_OK;
}

const char *msgraph_base(void)
{
    return mcp_api_base_url(&base);
}

char *msgraph_url(const char *path, const char *const *query)
{
    return mcp_api_url(&base, path, query);
}

char *msgraph_escape(const char *s)
{
    return cm_url_escape(s, strlen(s));
}

int msgraph_page_token_ok(const char *token)
{
    return mcp_url_under_base(token, mcp_api_base_url(&base));
}

void msgraph_error_text(const mcp_provider_response_t *res, const char *generic, const char *permission, char *buf,
                        size_t bufsz)
{
    const json_t *e = json_object_get(res->json, "error");
    const char *code = json_string_value(json_object_get(e, "code"));
    const char *msg = json_string_value(json_object_get(e, "message"));
    char retry[96] = "", extra[160] = "";
    if (bufsz == 0)
        return;
    /* Graph throttles with 429 (the runtime's text carries Retry-After) and also with 503 + Retry-After */
    if (res->status == 503 && res->retry_after_s >= 0)
        snprintf(retry, sizeof(retry), " Retry after %ld seconds.", res->retry_after_s);
    if (res->status == 403 && permission != NULL)
        snprintf(extra, sizeof(extra), " This action needs the %s permission.", permission);
    /* generic names the re-authorize URL on 403 when the broker gave one */
    snprintf(buf, bufsz, "%s%s%s%s%s%s%s", generic, retry, extra, code || msg ? " Microsoft Graph says: " : "",
             code ? code : "", code && msg ? ": " : "", msg ? msg : "");
}
