/*
 * streams_api.c - the server-initiated messages of mcp/streams.h over the event streams of sse.h.
 */
#include "mcp/streams.h"
#include "common/status.h"
#include "transport/http_out.h"
#include "transport/sse.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static json_t *notification(const char *method, json_t *params)
{
    json_t *n = json_pack("{s:s, s:s}", "jsonrpc", "2.0", "method", method);
    if (n != NULL && params != NULL)
        json_object_set_new(n, "params", params);
    else
        json_decref(params);
    return n;
}

int mcp_server_session_send(mcp_server_t *s, const char *session_id, json_t *msg)
{
    mcp_session_t *sess = mcp_sessions_peek(s->sessions, session_id);
    if (sess == NULL) {
        json_decref(msg);
        return CM_ENOTFOUND;
    }
    return mcp__sse_session_send(s, sess, msg);
}

int mcp_server_declare_list_changed(mcp_server_t *s, const char *kind)
{
    return mcp_protocol_declare_list_changed(s->proto, kind);
}

size_t mcp_server_notify_list_changed(mcp_server_t *s, const char *kind)
{
    char method[64];
    if (kind == NULL || (strcmp(kind, "tools") != 0 && strcmp(kind, "resources") != 0 && strcmp(kind, "prompts") != 0))
        return 0;
    snprintf(method, sizeof(method), "notifications/%s/list_changed", kind);
    json_t *n = notification(method, NULL);
    char *text = n != NULL ? json_dumps(n, JSON_COMPACT) : NULL;
    size_t count = 0;
    struct mcp_http_req *next;
    for (struct mcp_http_req *r = text != NULL ? s->get_writers : NULL; r != NULL; r = next) {
        next = r->gnext; /* emitting may drop a slow writer */
        if (r->stream == NULL)
            continue;
        if (r->listen != NULL) {
            if (!mcp__listen_wants_list(r, kind))
                continue;
            mcp__listen_emit(r, n);
        } else if (r->stream->ss != NULL) {
            mcp__sse_emit_text(r->stream, text, strlen(text), 0);
        } else {
            continue;
        }
        count++;
    }
    free(text);
    json_decref(n);
    return count;
}

size_t mcp_server_resource_updated(mcp_server_t *s, const char *instance_id, const char *uri)
{
    size_t count = 0;
    if (uri == NULL)
        return 0;
    /* every subscribed session, whether or not its GET stream is open: the event waits in its replay buffer */
    for (struct mcp_sse_session *ss = s->sse_sessions; ss != NULL; ss = ss->next) {
        if (ss->subscriptions == NULL || json_object_get(ss->subscriptions, uri) == NULL)
            continue;
        if (instance_id != NULL && strcmp(ss->sess->instance_id, instance_id) != 0)
            continue;
        json_t *n = notification("notifications/resources/updated", json_pack("{s:s}", "uri", uri));
        if (n != NULL && mcp__sse_session_send(s, ss->sess, n) == CM_OK)
            count++;
    }
    json_t *n = notification("notifications/resources/updated", json_pack("{s:s}", "uri", uri));
    struct mcp_http_req *next;
    for (struct mcp_http_req *r = n != NULL ? s->get_writers : NULL; r != NULL; r = next) {
        next = r->gnext;
        if (r->listen == NULL || r->stream == NULL || !mcp__listen_wants_uri(r, uri) ||
            (instance_id != NULL && (r->instance == NULL || strcmp(r->instance, instance_id) != 0)))
            continue;
        mcp__listen_emit(r, n);
        count++;
    }
    json_decref(n);
    return count;
}
