/*
 * tools_copy.c - onedrive's copy tool. Graph copies asynchronously: POST .../copy answers 202 with a Location monitor
 * URL (possibly off Graph, needing no token: polled WITHOUT it, plain.c). The monitor reports {"status":
 * "notStarted|inProgress|completed|failed", "percentageComplete", "resourceId"} (or redirects to the new item). It is
 * polled on the loop's timers (never blocking): after 100 ms, then once a second, at most OD_COPY_MAX_POLLS times;
 * a copy still running then is reported as in progress, not as an error.
 */
#include "common/status.h"
#include "onedrive.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct cp {
    mcp_call_t *call;
    h2o_timeout_entry_t timer;
    char *monitor;
    int polls;
    double percent;
};

static void cp_free(void *p)
{
    struct cp *s = p;
    if (s == NULL)
        return;
    free(s->monitor);
    free(s);
}

static void done(mcp_call_t *c, struct cp *s, const char *id)
{
    char text[512];
    snprintf(text, sizeof(text), "Copy completed. The new item's id is %s.", id);
    mcp_tool_finish_text(c, text, json_pack("{s:s, s:s}", "status", "completed", "item_id", id));
    cp_free(s);
}

static void poll(struct cp *s);

static void schedule(struct cp *s)
{
    h2o_context_t *ctx = mcp_server_context(mcp_call_server(s->call));
    if (s->polls >= OD_COPY_MAX_POLLS || mcp_call_abandoned(s->call)) {
        char text[400];
        snprintf(text, sizeof(text),
                 "The copy is still in progress (%.0f%% done after %d checks); the new item will appear in the "
                 "destination folder when Graph finishes it.",
                 s->percent, s->polls);
        mcp_tool_finish_text(s->call, text, json_pack("{s:s, s:f}", "status", "inProgress", "percent", s->percent));
        cp_free(s);
        return;
    }
    h2o_timeout_link(ctx->loop, s->polls == 0 ? &ctx->hundred_ms_timeout : &ctx->one_sec_timeout, &s->timer);
}

static void on_monitor(mcp_call_t *c, const cm_http_response_t *res, void *arg)
{
    struct cp *s = arg;
    char msg[1400];
    const char *loc = mcp_header_get(res->headers, res->n_headers, "location");
    if (res->status == 303 && loc != NULL) { /* done: redirected to the new item, .../items/{id} */
        const char *p = strstr(loc, "/items/");
        char id[256] = "";
        if (p != NULL)
            snprintf(id, sizeof(id), "%.*s", (int)strcspn(p + 7, "/?#"), p + 7);
        done(c, s, id[0] ? id : "unknown");
        return;
    }
    if (res->status != 200 && res->status != 202) {
        od_plain_error(res, "Checking the copy's progress failed", msg, sizeof(msg));
        mcp_call_fail(c, "%s", msg);
        cp_free(s);
        return;
    }
    json_t *j = json_loadb(res->body, res->body_len, 0, NULL);
    const char *st = json_string_value(json_object_get(j, "status"));
    const char *rid = json_string_value(json_object_get(j, "resourceId"));
    if (json_is_number(json_object_get(j, "percentageComplete")))
        s->percent = json_number_value(json_object_get(j, "percentageComplete"));
    if (st != NULL && strcmp(st, "completed") == 0 && rid != NULL) {
        char id[256];
        snprintf(id, sizeof(id), "%s", rid);
        json_decref(j);
        done(c, s, id);
        return;
    }
    if (st == NULL || strcmp(st, "failed") == 0 || strcmp(st, "completed") == 0) {
        const json_t *e = json_object_get(j, "error");
        const char *code = json_string_value(json_object_get(e, "code"));
        const char *text = json_string_value(json_object_get(e, "message"));
        snprintf(msg, sizeof(msg), "The copy failed%s%s%s.%s%s", st ? "" : " (the monitor gave no status)",
                 code ? ": " : "", code ? code : "", text ? " Microsoft Graph says: " : "", text ? text : "");
        json_decref(j);
        mcp_call_fail(c, "%s", msg);
        cp_free(s);
        return;
    }
    json_decref(j);
    schedule(s);
}

static void poll(struct cp *s)
{
    s->polls++;
    if (od_plain_fetch(s->call, "GET", s->monitor, NULL, 0, NULL, 0, 0, on_monitor, s) != CM_OK) {
        mcp_call_fail(s->call, "Could not check the copy's progress (monitor URL unusable).");
        cp_free(s);
    }
}

static void on_timer(h2o_timeout_entry_t *e)
{
    poll(H2O_STRUCT_FROM_MEMBER(struct cp, timer, e));
}

static void on_accepted(mcp_call_t *c, const mcp_provider_response_t *res, void *arg)
{
    (void)arg;
    const char *loc = mcp_header_get(res->headers, res->n_headers, "location");
    struct cp *s = calloc(1, sizeof(*s));
    if (s == NULL || loc == NULL || (s->monitor = strdup(loc)) == NULL) {
        mcp_call_fail(c, loc == NULL ? "Microsoft Graph accepted the copy but gave no monitor URL (Location)."
                                     : "out of memory");
        cp_free(s);
        return;
    }
    s->call = c;
    s->timer.cb = on_timer;
    schedule(s);
}

void onedrive_copy(mcp_call_t *c, json_t *args, void *data)
{
    (void)data;
    char path[4096];
    const char *name = od_arg_str(args, "new_name"), *parent = od_arg_str(args, "destination_parent_id");
    if (name == NULL && parent == NULL) {
        mcp_call_fail(c, "Missing argument: give 'destination_parent_id', 'new_name' or both (a copy in the same "
                         "folder needs a new name).");
        return;
    }
    if (name != NULL && od_child_path(c, args, "item_id", "path", "new_name", "", path, sizeof(path)) != CM_OK)
        return;
    if (od_item_path(c, args, "item_id", "path", 0, "/copy", path, sizeof(path)) != CM_OK)
        return;
    json_t *body = json_object();
    if (parent != NULL)
        json_object_set_new(body, "parentReference", json_pack("{s:s}", "id", parent));
    if (name != NULL)
        json_object_set_new(body, "name", json_string(name));
    od_graph(c, "POST", msgraph_url(path, NULL), body, od_error_write, on_accepted, NULL);
}
