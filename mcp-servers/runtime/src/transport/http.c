/*
 * http.c - the Streamable HTTP endpoint /{instanceId}/mcp (and /{instanceId}) for both protocol eras.
 *
 * POST: Host/Origin (403) -> Content-Type (415) -> Accept (406) -> instance auth (401/403/404/503)
 * -> JSON-RPC parse (-32700; valid JSON with an integer beyond int64: -32600) / classify (-32600) -> era: modern when
 * params._meta carries a protocol version or MCP-Protocol-Version names a modern revision -> era checks (modern: _meta,
 * version, Mcp-Method/Mcp-Name/MCP-Protocol-Version headers; legacy: session, MCP-Protocol-Version) -> dispatch.
 * Notifications get 202 (notifications/cancelled ends the named call of the session); a legacy client response is
 * routed to the call of its session waiting for it (202; no such request: 400), a modern one is dropped (202). A
 * request gets application/json, or text/event-stream when its tool emits messages before the result (switched lazily
 * at the first one; every event has an id, see sse.h). GET: a legacy session's stream for server-initiated messages, or
 * the resumption of a stream (Last-Event-ID); 405 without a session (2026-07-28 has no GET stream). DELETE: ends a
 * legacy session (400 without Mcp-Session-Id).
 */
#include "tokens/auth.h"
#include "common/log.h"
#include "common/status.h"
#include "transport/http_out.h"
#include "protocol/jsonrpc.h"
#include "transport/server_internal.h"
#include "transport/sse.h"
#include "tokens/usage.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static void on_req_dispose(void *p)
{
    struct mcp_http_req *r = p;
    mcp__sse_writer_gone(r);
    r->req = NULL;
    mcp__out_release(r);
    mcp__authenticate_abandon(r);
}

/* ------------------------------------------------------------------ era checks */

static int is_modern_header(const char *v)
{
    return v != NULL && mcp_protocol_modern_supported(v);
}

/* Header the modern era requires for a method: params.name or params.uri for these three, params.taskId for the
 * tasks extension's methods. */
static int is_task_method(const char *method)
{
    return strcmp(method, "tasks/get") == 0 || strcmp(method, "tasks/cancel") == 0 ||
           strcmp(method, "tasks/update") == 0;
}

static const char *name_param_of(const mcp_jsonrpc_msg_t *msg)
{
    if (is_task_method(msg->method))
        return json_string_value(json_object_get(msg->params, "taskId"));
    if (strcmp(msg->method, "tools/call") == 0 || strcmp(msg->method, "prompts/get") == 0)
        return json_string_value(json_object_get(msg->params, "name"));
    if (strcmp(msg->method, "resources/read") == 0)
        return json_string_value(json_object_get(msg->params, "uri"));
    return NULL;
}

static int needs_name_header(const char *method)
{
    return strcmp(method, "tools/call") == 0 || strcmp(method, "prompts/get") == 0 ||
           strcmp(method, "resources/read") == 0 || is_task_method(method);
}

/* The header form of an argument value (x-mcp-header): strings as is, numbers and booleans as JSON text. */
static char *param_text(const json_t *v)
{
    if (json_is_string(v))
        return strdup(json_string_value(v));
    if (json_is_number(v) || json_is_boolean(v))
        return json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
    return NULL;
}

/* SEP-2243: every argument whose schema property carries "x-mcp-header": "<Name>" must be mirrored, equal, in
 * Mcp-Param-<Name> (values may be =?base64?...?= encoded). Responds 400 -32020 and returns -1 on a violation. */
static int param_header_checks(struct mcp_http_req *r, const mcp_jsonrpc_msg_t *msg)
{
    const mcp_tool_t *tool = mcp_tools_find(r->s->tools, json_string_value(json_object_get(msg->params, "name")));
    json_t *props = tool ? json_object_get(json_object_get(mcp_tool_json(tool), "inputSchema"), "properties") : NULL;
    json_t *args = json_object_get(msg->params, "arguments");
    const char *key;
    json_t *prop;
    json_object_foreach(props, key, prop)
    {
        const char *hname = json_string_value(json_object_get(prop, "x-mcp-header"));
        json_t *arg = json_object_get(args, key);
        if (hname == NULL || arg == NULL || json_is_null(arg))
            continue;
        char lc[160];
        int n = snprintf(lc, sizeof(lc), "mcp-param-%s", hname);
        if (n < 0 || (size_t)n >= sizeof(lc))
            continue;
        for (char *p = lc; *p; p++)
            if (*p >= 'A' && *p <= 'Z')
                *p = (char)(*p - 'A' + 'a');
        int bad = 0;
        char *hv = mcp__header_value(r->req, lc, &bad);
        char *want = param_text(arg);
        int ok = hv != NULL && want != NULL && strcmp(hv, want) == 0;
        free(want);
        if (!ok) {
            char m[256];
            snprintf(m, sizeof(m), "Mcp-Param-%s header is %s", hname,
                     bad ? "not validly encoded" : (hv == NULL ? "missing" : "not equal to the argument"));
            mcp__respond_rpc_error(r->req, 400, msg->id, MCP_ERR_HEADER_MISMATCH, m, NULL);
            return -1;
        }
    }
    return 0;
}

/* Validates a modern request; on failure responds and returns -1. Fills ctx. */
static int modern_checks(struct mcp_http_req *r, const mcp_jsonrpc_msg_t *msg, mcp_request_ctx_t *ctx)
{
    h2o_req_t *req = r->req;
    int bad = 0;
    json_t *meta = json_is_object(msg->params) ? json_object_get(msg->params, "_meta") : NULL;
    const char *version = json_string_value(json_object_get(meta, MCP_META_PROTOCOL_VERSION));
    json_t *caps = json_object_get(meta, MCP_META_CLIENT_CAPS);
    if (msg->kind == MCP_MSG_REQUEST) {
        if (!json_is_object(meta) || version == NULL || !json_is_object(caps)) {
            mcp__respond_rpc_error(req, 400, msg->id, MCP_JSONRPC_INVALID_PARAMS,
                                   "params._meta must carry io.modelcontextprotocol/protocolVersion and "
                                   "io.modelcontextprotocol/clientCapabilities",
                                   NULL);
            return -1;
        }
    }
    char *hv = mcp__header_value(req, "mcp-protocol-version", &bad);
    if (version != NULL && (hv == NULL || strcmp(hv, version) != 0)) {
        mcp__respond_rpc_error(req, 400, msg->id, MCP_ERR_HEADER_MISMATCH,
                               "MCP-Protocol-Version header must equal params._meta protocolVersion", NULL);
        return -1;
    }
    if (version != NULL && !mcp_protocol_modern_supported(version)) {
        mcp__respond_rpc_error(
            req, 400, msg->id, MCP_ERR_UNSUPPORTED_PROTOCOL_VERSION, "Unsupported protocol version",
            json_pack("{s:o, s:s}", "supported", mcp_protocol_versions(MCP_ERA_MODERN), "requested", version));
        return -1;
    }
    char *hm = mcp__header_value(req, "mcp-method", &bad);
    if (hm == NULL || strcmp(hm, msg->method) != 0) {
        mcp__respond_rpc_error(req, 400, msg->id, MCP_ERR_HEADER_MISMATCH,
                               bad ? "Mcp-Method header is not validly encoded"
                                   : "Mcp-Method header is missing or does not match the body's method",
                               NULL);
        return -1;
    }
    if (needs_name_header(msg->method)) {
        const char *want = name_param_of(msg);
        char *hn = mcp__header_value(req, "mcp-name", &bad);
        if (want != NULL && (hn == NULL || strcmp(hn, want) != 0)) {
            mcp__respond_rpc_error(req, 400, msg->id, MCP_ERR_HEADER_MISMATCH,
                                   bad ? "Mcp-Name header is not validly encoded"
                                       : "Mcp-Name header is missing or does not match params.name/uri/taskId",
                                   NULL);
            return -1;
        }
    }
    if (strcmp(msg->method, "tools/call") == 0 && param_header_checks(r, msg) != 0)
        return -1;
    ctx->era = MCP_ERA_MODERN;
    ctx->protocol_version = version != NULL ? version : (hv != NULL ? hv : MCP_MODERN_VERSION);
    ctx->client_capabilities = caps;
    ctx->log_threshold = mcp_log_level_from_str(json_string_value(json_object_get(meta, MCP_META_LOG_LEVEL)));
    return 0;
}

/* Legacy checks: session + protocol version header. Fills ctx (session may be NULL for initialize). */
static int legacy_checks(struct mcp_http_req *r, const mcp_jsonrpc_msg_t *msg, mcp_request_ctx_t *ctx,
                         mcp_session_t **session_out)
{
    h2o_req_t *req = r->req;
    mcp_server_t *s = r->s;
    int bad = 0;
    *session_out = NULL;
    ctx->era = MCP_ERA_LEGACY;
    ctx->log_threshold = -1;
    if (msg->kind == MCP_MSG_REQUEST && strcmp(msg->method, "initialize") == 0)
        return 0;
    char *hv = mcp__header_value(req, "mcp-protocol-version", &bad);
    if (hv != NULL && !mcp_protocol_legacy_supported(hv)) {
        mcp__respond_rpc_error(
            req, 400, msg->id, -32000, "Bad Request: Unsupported protocol version",
            json_pack("{s:o, s:s}", "supported", mcp_protocol_versions(MCP_ERA_LEGACY), "requested", hv));
        return -1;
    }
    char *sid = mcp__header_value(req, "mcp-session-id", &bad);
    if (sid == NULL) {
        mcp__respond_rpc_error(req, 400, msg->id, -32000,
                               "Bad Request: Mcp-Session-Id header is required (send initialize first)", NULL);
        return -1;
    }
    mcp_session_t *sess = mcp_sessions_lookup(s->sessions, sid, r->instance, r->credential, mcp__now_ms());
    if (sess == NULL) {
        mcp__respond_rpc_error(req, 404, msg->id, -32001, "Session not found: initialize a new session", NULL);
        return -1;
    }
    if (hv != NULL && strcmp(hv, sess->protocol_version) != 0) {
        mcp__respond_rpc_error(req, 400, msg->id, -32000,
                               "Bad Request: MCP-Protocol-Version does not match the negotiated version", NULL);
        return -1;
    }
    ctx->protocol_version = sess->protocol_version;
    ctx->session_id = sess->id;
    ctx->client_capabilities = mcp_protocol_input_caps_json(sess->client_input_caps);
    ctx->session_log_level = &sess->log_level;
    ctx->log_threshold = sess->log_level;
    *session_out = sess;
    return 0;
}

/* ------------------------------------------------------------------ POST */

/* resources/subscribe and /unsubscribe (answered by the dispatcher: the URI exists) on the session's stream state. */
static void record_subscription(mcp_server_t *s, mcp_session_t *sess, const mcp_jsonrpc_msg_t *msg)
{
    int sub = strcmp(msg->method, "resources/subscribe") == 0;
    if (!sub && strcmp(msg->method, "resources/unsubscribe") != 0)
        return;
    const char *uri = json_string_value(json_object_get(msg->params, "uri"));
    json_t *set = uri != NULL ? mcp__sse_subscriptions(s, sess) : NULL;
    if (set == NULL)
        return;
    if (sub && json_object_size(set) < MCP_MAX_SUBSCRIPTIONS)
        json_object_set_new(set, uri, json_true());
    else if (!sub)
        json_object_del(set, uri);
}

static void handle_message(struct mcp_http_req *r)
{
    h2o_req_t *req = r->req;
    mcp_server_t *s = r->s;
    const char *why = NULL;
    mcp_jsonrpc_msg_t msg;
    mcp_request_ctx_t ctx;
    mcp_session_t *sess = NULL;
    int bad = 0;

    memset(&ctx, 0, sizeof(ctx));
    json_t *doc = mcp_jsonrpc_parse(req->entity.base, req->entity.len, &why);
    if (doc == NULL) {
        json_t *unread_id = NULL;
        int code = mcp_jsonrpc_parse_error(req->entity.base, req->entity.len, &unread_id);
        s->stats.errors++;
        mcp__respond_rpc_error(req, 400, unread_id, code, why, NULL);
        json_decref(unread_id);
        return;
    }
    if (mcp_jsonrpc_classify(doc, &msg) == MCP_MSG_INVALID) {
        s->stats.errors++;
        mcp__respond_rpc_error(req, 400, msg.id, msg.error_code, msg.error_message, NULL);
        goto out_decref_doc;
    }
    if (mcp__scope_check(r, &msg) != 0)
        goto out_decref_doc;
    ctx.instance_id = r->instance;
    ctx.credential = r->credential;
    ctx.call_context = s;
    ctx.notify = mcp__sse_sink_notify;
    ctx.complete = mcp__sse_sink_complete;
    ctx.waiting = mcp__sse_sink_waiting;

    json_t *meta = json_is_object(msg.params) ? json_object_get(msg.params, "_meta") : NULL;
    int modern = json_object_get(meta, MCP_META_PROTOCOL_VERSION) != NULL ||
                 is_modern_header(mcp__header_value(req, "mcp-protocol-version", &bad));
    if (msg.kind == MCP_MSG_RESPONSE && modern) {
        /* the modern era has no server-to-client requests (input_required instead): nothing to answer */
        cm_respond_empty(req, 202);
        goto out_decref_doc;
    }
    if (modern ? modern_checks(r, &msg, &ctx) : legacy_checks(r, &msg, &ctx, &sess))
        goto out_decref_doc;
    if (msg.kind == MCP_MSG_RESPONSE) {
        /* an answer to one of this session's input requests; an unknown id and another session's look the same */
        if (mcp_protocol_deliver(s->proto, ctx.session_id, doc) != CM_OK) {
            mcp__respond_rpc_error(req, 400, msg.id, MCP_JSONRPC_INVALID_REQUEST,
                                   "Bad Request: no request with this id is awaiting a response in this session", NULL);
            goto out_decref_doc;
        }
        if (r->req != NULL)
            cm_respond_empty(req, 202);
        goto out_decref_doc;
    }
    r->era = ctx.era;
    if (s->usage != NULL)
        mcp_usage_count(s->usage, r->instance, mcp__unix_now());

    if (msg.kind == MCP_MSG_NOTIFICATION) {
        s->stats.notifications++;
        if (sess != NULL && strcmp(msg.method, "notifications/initialized") == 0)
            sess->initialized = 1;
        if (sess != NULL && strcmp(msg.method, "notifications/cancelled") == 0)
            mcp__sse_cancel(s, sess, json_object_get(msg.params, "requestId"));
        cm_respond_empty(req, 202);
        goto out_decref_doc;
    }
    s->stats.requests++;
    if (ctx.era == MCP_ERA_MODERN && strcmp(msg.method, "subscriptions/listen") == 0) {
        mcp__listen_open(r, msg.id, msg.params);
        goto out_decref_doc;
    }
    if (strcmp(msg.method, "tools/call") == 0) {
        /* the stream the call answers on: it may outlive this request (see sse.h) */
        mcp_sse_stream_t *st = mcp__sse_stream_new(s, sess);
        if (st == NULL) {
            mcp__respond_rpc_error(req, 503, msg.id, MCP_JSONRPC_INTERNAL_ERROR, "out of memory", NULL);
            goto out_decref_doc;
        }
        st->conn = r;
        st->era = ctx.era;
        st->call_id = json_incref(msg.id);
        r->stream = st;
        ctx.sink_ctx = st;
    }
    mcp_reply_t reply;
    mcp_protocol_dispatch(s->proto, &ctx, &msg, &reply);
    if (reply.pending) {
        s->stats.tool_calls++;
        /* the handler may have completed synchronously, in which case the call is already freed */
        if (r->stream != NULL)
            mcp__sse_call_pending(r->stream, reply.call);
        goto out_decref_doc;
    }
    if (reply.text != NULL) {
        cm_add_header(req, "cache-control", "no-store");
        cm_respond_body(req, reply.http_status, "application/json", reply.text, strlen(reply.text));
        free(reply.text);
        goto out_decref_doc;
    }
    if (reply.body == NULL) { /* cannot happen for a request; be safe */
        mcp__respond_rpc_error(req, 500, msg.id, MCP_JSONRPC_INTERNAL_ERROR, "no response", NULL);
        goto out_decref_doc;
    }
    if (json_object_get(reply.body, "error") != NULL)
        s->stats.errors++;
    else if (sess != NULL && strncmp(msg.method, "resources/", 10) == 0)
        record_subscription(s, sess, &msg);
    if (ctx.era == MCP_ERA_LEGACY && strcmp(msg.method, "initialize") == 0 &&
        json_object_get(reply.body, "result") != NULL) {
        json_t *result = json_object_get(reply.body, "result");
        mcp_session_t *created = NULL;
        int rc =
            mcp_sessions_create(s->sessions, r->instance, r->credential,
                                json_string_value(json_object_get(result, "protocolVersion")), mcp__now_ms(), &created);
        if (rc != CM_OK) {
            json_decref(reply.body);
            mcp__respond_rpc_error(req, 503, msg.id, MCP_JSONRPC_INTERNAL_ERROR, "could not create a session", NULL);
            goto out_decref_doc;
        }
        json_t *ci = json_object_get(msg.params, "clientInfo");
        const char *cname = json_string_value(json_object_get(ci, "name"));
        if (cname != NULL) {
            size_t n = strlen(cname);
            if (n >= sizeof(created->client_name))
                n = sizeof(created->client_name) - 1;
            memcpy(created->client_name, cname, n);
            created->client_name[n] = '\0';
        }
        created->client_input_caps = mcp_protocol_input_caps_bits(json_object_get(msg.params, "capabilities"));
        cm_add_header(req, "mcp-session-id", created->id);
    }
    mcp__out_json(r, reply.http_status, reply.body);

out_decref_doc:
    if (ctx.era == MCP_ERA_LEGACY)
        json_decref(ctx.client_capabilities); /* built from the session's bits */
    json_decref(doc);
}

static void on_auth_done(void *arg, const mcp_auth_outcome_t *o);

static void respond_auth_failure(struct mcp_http_req *r, const mcp_auth_outcome_t *o)
{
    h2o_req_t *req = r->req;
    r->s->stats.auth_failed++;
    switch (o->result) {
    case MCP_AUTHZ_MISSING:
    case MCP_AUTHZ_BAD_KEY:
        mcp__respond_unauthorized(r->s, req, r->service_url ? NULL : r->instance, o->message);
        return;
    case MCP_AUTHZ_NOT_FOUND:
        mcp__respond_rpc_error(req, 404, NULL, -32001, o->message ? o->message : "Unknown instance",
                               json_pack("{s:s}", "code", "instance_not_found"));
        return;
    case MCP_AUTHZ_INACTIVE: {
        json_t *data =
            json_pack("{s:s, s:s}", "code", "instance_not_active", "status", o->status ? o->status : "inactive");
        if (o->authorize_url != NULL)
            json_object_set_new(data, "authorize_url", json_string(o->authorize_url));
        mcp__respond_rpc_error(req, 403, NULL, -32001, o->message, data);
        return;
    }
    default:
        mcp__respond_rpc_error(req, 503, NULL, -32001, o->message ? o->message : "authorization service unavailable",
                               json_pack("{s:s}", "code", "broker_unavailable"));
    }
}

/* 1 when the authenticated request r may go on; otherwise it was answered (or is gone). */
static int auth_passed(struct mcp_http_req *r, const mcp_auth_outcome_t *o)
{
    r->auth_wait = NULL;
    if (r->req == NULL)
        return 0;
    if (o->result != MCP_AUTHZ_OK) {
        respond_auth_failure(r, o);
        return 0;
    }
    r->s->stats.auth_ok++;
    return mcp__scope_check(r, NULL) == 0;
}

static void on_auth_done(void *arg, const mcp_auth_outcome_t *o)
{
    if (auth_passed(arg, o))
        handle_message(arg);
}

static void handle_post(struct mcp_http_req *r)
{
    h2o_req_t *req = r->req;
    mcp_server_t *s = r->s;
    if (!mcp__is_json_content_type(req)) {
        mcp__respond_rpc_error(req, 415, NULL, -32000, "Unsupported Media Type: Content-Type must be application/json",
                               NULL);
        return;
    }
    if (!mcp__accepts(req, 1, 1)) {
        mcp__respond_rpc_error(req, 406, NULL, -32000,
                               "Not Acceptable: Accept must list both application/json and text/event-stream", NULL);
        return;
    }
    if (s->auth_mode == MCP_AUTH_NONE) {
        handle_message(r);
        return;
    }
    mcp__authenticate(r, on_auth_done);
}

/* ------------------------------------------------------------------ DELETE / GET */

static void handle_delete(struct mcp_http_req *r)
{
    h2o_req_t *req = r->req;
    int bad = 0;
    char *sid = mcp__header_value(req, "mcp-session-id", &bad);
    if (sid == NULL) {
        /* DELETE is allowed here; the request lacks the header that names what to delete */
        mcp__respond_rpc_error(req, 400, NULL, -32000, "Bad Request: DELETE needs an Mcp-Session-Id header", NULL);
        return;
    }
    if (mcp_sessions_delete(r->s->sessions, sid, r->instance, r->credential) != CM_OK) {
        mcp__respond_rpc_error(req, 404, NULL, -32001, "Session not found", NULL);
        return;
    }
    cm_respond_empty(req, 200);
}

/* GET: a legacy session's stream (sse.c). Without a session there is nothing to stream (405, as 2026-07-28 has no
 * GET stream). */
static void handle_get(struct mcp_http_req *r)
{
    h2o_req_t *req = r->req;
    int bad = 0;
    char *sid = mcp__header_value(req, "mcp-session-id", &bad);
    if (sid == NULL) {
        cm_add_header(req, "allow", "GET, POST, DELETE");
        mcp__respond_rpc_error(req, 405, NULL, -32000,
                               "Method Not Allowed: GET opens the stream of a session (Mcp-Session-Id)", NULL);
        return;
    }
    if (!mcp__accepts(req, 0, 1)) {
        mcp__respond_rpc_error(req, 406, NULL, -32000, "Not Acceptable: Accept must list text/event-stream", NULL);
        return;
    }
    mcp_session_t *sess = mcp_sessions_lookup(r->s->sessions, sid, r->instance, r->credential, mcp__now_ms());
    if (sess == NULL) {
        mcp__respond_rpc_error(req, 404, NULL, -32001, "Session not found: initialize a new session", NULL);
        return;
    }
    mcp__sse_get(r, sess);
}

static void on_get_auth(void *arg, const mcp_auth_outcome_t *o)
{
    if (auth_passed(arg, o))
        handle_get(arg);
}

static void on_delete_auth(void *arg, const mcp_auth_outcome_t *o)
{
    struct mcp_http_req *r = arg;
    r->auth_wait = NULL;
    if (r->req == NULL)
        return;
    if (o->result != MCP_AUTHZ_OK && o->result != MCP_AUTHZ_INACTIVE) { /* ending a session is always allowed */
        respond_auth_failure(r, o);
        return;
    }
    if (mcp__scope_check(r, NULL) != 0)
        return;
    handle_delete(r);
}

/* The endpoint for instance (NULL at the service URL, where authentication names it). */
static void serve(mcp_server_t *s, h2o_req_t *req, char *instance)
{
    if (!mcp__guard_host(s, req) || !mcp__guard_origin(s, req)) {
        mcp__respond_rpc_error(req, 403, NULL, -32000, "Forbidden: Host or Origin not allowed", NULL);
        return;
    }
    mcp__cors_endpoint(req);
    if (mcp__cors_preflight(req))
        return;
    struct mcp_http_req *r = h2o_mem_alloc_shared(&req->pool, sizeof(*r), on_req_dispose);
    memset(r, 0, sizeof(*r));
    r->s = s;
    r->req = req;
    r->instance = instance;
    r->service_url = instance == NULL;
    if (cm_req_method_is(req, "POST")) {
        handle_post(r);
    } else if (cm_req_method_is(req, "GET")) {
        if (s->auth_mode == MCP_AUTH_NONE)
            handle_get(r);
        else
            mcp__authenticate(r, on_get_auth);
    } else if (cm_req_method_is(req, "DELETE")) {
        if (s->auth_mode == MCP_AUTH_NONE)
            handle_delete(r);
        else
            mcp__authenticate(r, on_delete_auth);
    } else {
        cm_add_header(req, "allow", "GET, POST, DELETE");
        mcp__respond_rpc_error(req, 405, NULL, -32000, "Method Not Allowed", NULL);
    }
}

int mcp__http_on_mcp(void *data, h2o_req_t *req, const cm_route_match_t *m)
{
    char *instance = cm_match_str(req, m, 0);
    if (!mcp__instance_id_valid(instance) || strcmp(instance, "health") == 0 || strcmp(instance, "cache-tokens") == 0) {
        cm_respond_error(req, 404, "not_found", NULL, "no such endpoint");
        return 0;
    }
    serve(data, req, instance);
    return 0;
}

int mcp__http_on_service_mcp(void *data, h2o_req_t *req, const cm_route_match_t *m)
{
    mcp_server_t *s = data;
    (void)m;
    if (s->auth_mode == MCP_AUTH_NONE) { /* without authentication nothing names the instance */
        cm_respond_error(req, 404, "not_found", NULL, "the service URL needs authorization (MCP_AUTH=broker)");
        return 0;
    }
    serve(s, req, NULL);
    return 0;
}
