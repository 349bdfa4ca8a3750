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

/* One request's continuation: the tool's callback, run only on success. */
typedef struct gc_req {
    mcp_provider_cb cb;
    void *arg;
    void (*arg_free)(void *);
    char what[512]; /* the item for 404 / 410 texts, "" when none */
} gc_req_t;

static void on_answer(mcp_call_t *c, const mcp_provider_response_t *res, void *arg)
{
    gc_req_t *r = arg;
    if (res->error == NULL) {
        r->cb(c, res, r->arg);
        free(r);
        return;
    }
    char gm[320];
    mcp_google_message(res, gm, sizeof(gm));
    if (r->what[0] && res->status == 404)
        mcp_call_fail(c, "%s was not found (404).%s%s", r->what, gm[0] ? " " GC_PROVIDER " says: " : "", gm);
    else if (r->what[0] && res->status == 410)
        mcp_call_fail(c, "%s has been deleted (410 Gone).%s%s", r->what, gm[0] ? " " GC_PROVIDER " says: " : "", gm);
    else
        mcp_call_fail(c, "%s", res->error);
    if (r->arg_free != NULL)
        r->arg_free(r->arg);
    free(r);
}

void gc_fetch(mcp_call_t *c, const char *method, char *url_owned, json_t *body, gc_scope_t scope, const char *what,
              mcp_provider_cb cb, void *arg, void (*arg_free)(void *))
{
    gc_req_t *r = calloc(1, sizeof(*r));
    if (r == NULL) {
        free(url_owned);
        json_decref(body);
        if (arg_free != NULL)
            arg_free(arg);
        mcp_call_fail(c, "out of memory");
        return;
    }
    r->cb = cb;
    r->arg = arg;
    r->arg_free = arg_free;
    snprintf(r->what, sizeof(r->what), "%s", what ? what : "");
    /* every outcome comes back to on_answer, which names the item on 404 / 410 */
    mcp_provider_request_t req = {.provider = GC_PROVIDER,
                                  .method = method,
                                  .timeout_ms = 30000,
                                  .flags = MCP_PROVIDER_DELIVER_ERRORS,
                                  .error_text = hooks[scope]};
    mcp_provider_fetch_json(c, &req, url_owned, body, on_answer, r);
}
