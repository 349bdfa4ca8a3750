/*
 * api.c - Google Calendar API access for the tools: the base URL (env GOOGLECALENDAR_API_BASE, path /calendar/v3),
 * URLs, and requests through the runtime's provider helper with Google's error texts (apis/google.h: the missing
 * scope on 403, usage limits, Google's own message) and a 404 / 410 text that names the item the tool asked for.
 */
#include "common/log.h"
#include "common/status.h"
#include "apis/google.h"
#include "googlecalendar.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static mcp_api_base_t base;

int gc_api_init(void)
{
    char err[160];
    if (mcp_api_base_init(&base, "GOOGLECALENDAR_API_BASE", "https://www.googleapis.com", "/calendar/v3", err,
                          sizeof(err)) != CM_OK) {
        cm_error("googlecalendar", "configuration: %s", err);
        return CM_EINVAL;
    }
    return CM_OK;
}

char *gc_url(const char *path, const char *const *query)
{
    return mcp_api_url(&base, path, query);
}

char *gc_calendar_path(const char *calendar_id, const char *suffix)
{
    char *id = cm_url_escape(calendar_id, strlen(calendar_id));
    if (id == NULL)
        return NULL;
    cm_buf_t b = {0};
    cm_buf_printf(&b, "/calendars/%s%s", id, suffix ? suffix : "");
    free(id);
    return cm_buf_take(&b);
}

static const mcp_google_scope_t scope_names[] = {
    [GC_SCOPE_READ] = {GC_PROVIDER, "https://www.googleapis.com/auth/calendar.readonly (or calendar)"},
    [GC_SCOPE_EVENTS] = {GC_PROVIDER, "https://www.googleapis.com/auth/calendar.events (or calendar)"},
};

#define HOOK(name, scope)                                                                                              \
    static void name(const mcp_provider_response_t *res, const char *generic, char *buf, size_t bufsz)                 \
    {                                                                                                                  \
        mcp_google_error_text(res, generic, &scope_names[scope], buf, bufsz);                                          \
    }
HOOK(err_read, GC_SCOPE_READ)
HOOK(err_events, GC_SCOPE_EVENTS)
static const mcp_provider_error_fn hooks[] = {err_read, err_events};

void gc_fetch(mcp_call_t *c, const char *method, char *url_owned, json_t *body, gc_scope_t scope, const char *what,
              mcp_provider_cb cb, void *arg, void (*arg_free)(void *))
{
    mcp_provider_request_t req = {.provider = GC_PROVIDER,
                                  .method = method,
                                  .timeout_ms = 30000,
                                  .error_text = hooks[scope],
                                  .arg_free = arg_free,
                                  .subject = what != NULL && what[0] != '\0' ? what : NULL};
    mcp_provider_fetch_json(c, &req, url_owned, body, cb, arg);
}
