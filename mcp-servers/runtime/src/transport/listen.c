/*
 * listen.c - subscriptions/listen (2026-07-28): a long-lived POST response carrying the notifications the client
 * opted in to (list_changed kinds, resources/updated for named URIs), each tagged with the subscription id (the
 * listen request's id). The first event acknowledges the filter the server honours: only kinds it can deliver.
 * Listen streams count against the same limits as GET streams (sse.h) and end with their result when idle.
 */
#include "common/status.h"
#include "protocol/jsonrpc.h"
#include "transport/http_out.h"
#include "transport/sse.h"

#include <stdio.h>
#include <string.h>

#define META_SUBSCRIPTION_ID "io.modelcontextprotocol/subscriptionId"

/* The filter the server honours of the one requested: list kinds whose capability says listChanged, URIs when
 * resources are served. */
static json_t *honoured(mcp_server_t *s, json_t *requested)
{
    static const char *const kinds[][2] = {
        {"toolsListChanged", "tools"}, {"promptsListChanged", "prompts"}, {"resourcesListChanged", "resources"}};
    json_t *caps = mcp_protocol_capabilities(s->proto);
    json_t *f = json_object();
    for (size_t i = 0; f != NULL && i < sizeof(kinds) / sizeof(kinds[0]); i++)
        if (json_is_true(json_object_get(requested, kinds[i][0])) &&
            json_is_true(json_object_get(json_object_get(caps, kinds[i][1]), "listChanged")))
            json_object_set_new(f, kinds[i][0], json_true());
    json_t *uris = json_object_get(requested, "resourceSubscriptions");
    if (f != NULL && json_is_array(uris) && json_object_get(caps, "resources") != NULL) {
        json_t *keep = json_array();
        size_t i;
        json_t *u;
        json_array_foreach(uris, i, u) if (json_is_string(u) && json_array_size(keep) < MCP_MAX_SUBSCRIPTIONS)
            json_array_append(keep, u);
        json_object_set_new(f, "resourceSubscriptions", keep);
    }
    return f;
}

void mcp__listen_open(struct mcp_http_req *r, json_t *id, json_t *params)
{
    json_t *requested = json_object_get(params, "notifications");
    if (!json_is_object(requested)) {
        mcp__respond_rpc_error(r->req, 400, id, MCP_JSONRPC_INVALID_PARAMS,
                               "subscriptions/listen needs params.notifications (an object)", NULL);
        return;
    }
    int status = mcp__sse_admit(r);
    if (status != 0) {
        cm_add_header(r->req, "retry-after", "5");
        mcp__respond_rpc_error(r->req, status, id, -32000, "Too many open streams", NULL);
        return;
    }
    json_t *filter = honoured(r->s, requested);
    mcp_sse_stream_t *st = filter != NULL ? mcp__sse_stream_new(r->s, NULL) : NULL;
    r->listen = st != NULL ? json_pack("{s:O, s:O}", "id", id, "filter", filter) : NULL;
    if (r->listen == NULL) {
        if (st != NULL)
            mcp__sse_detach(st);
        json_decref(filter);
        mcp__respond_rpc_error(r->req, 503, id, MCP_JSONRPC_INTERNAL_ERROR, "out of memory", NULL);
        return;
    }
    st->conn = r;
    st->era = MCP_ERA_MODERN;
    r->stream = st;
    mcp__sse_register(r);
    json_t *ack = json_pack("{s:s, s:s, s:{s:o}}", "jsonrpc", "2.0", "method",
                            "notifications/subscriptions/acknowledged", "params", "notifications", filter);
    mcp__listen_emit(r, ack);
    json_decref(ack);
}

void mcp__listen_emit(struct mcp_http_req *r, json_t *notification)
{
    if (r->listen == NULL || r->stream == NULL)
        return;
    json_t *n = json_deep_copy(notification);
    json_t *params = json_object_get(n, "params");
    if (params == NULL)
        json_object_set_new(n, "params", params = json_object());
    json_t *meta = json_object_get(params, "_meta");
    if (meta == NULL)
        json_object_set_new(params, "_meta", meta = json_object());
    json_object_set(meta, META_SUBSCRIPTION_ID, json_object_get(r->listen, "id"));
    mcp__sse_emit(r->stream, n, 0);
}

void mcp__listen_end(struct mcp_http_req *r)
{
    if (r->listen == NULL || r->stream == NULL)
        return;
    json_t *id = json_object_get(r->listen, "id");
    json_t *result = json_pack("{s:s, s:{s:O}}", "resultType", "complete", "_meta", META_SUBSCRIPTION_ID, id);
    mcp__sse_emit(r->stream, mcp_jsonrpc_result(id, result), 1);
}

int mcp__listen_wants_list(const struct mcp_http_req *r, const char *kind)
{
    char key[32];
    int n = snprintf(key, sizeof(key), "%sListChanged", kind);
    if (r->listen == NULL || n < 0 || (size_t)n >= sizeof(key))
        return 0;
    return json_is_true(json_object_get(json_object_get(r->listen, "filter"), key));
}

int mcp__listen_wants_uri(const struct mcp_http_req *r, const char *uri)
{
    json_t *uris = json_object_get(json_object_get(r->listen, "filter"), "resourceSubscriptions");
    size_t i;
    json_t *u;
    json_array_foreach(uris, i, u) if (strcmp(json_string_value(u), uri) == 0) return 1;
    return 0;
}
