/*
 * push_http.c - POST /cache-tokens: the broker's signed pushes (broker_api.h section 4), applied at once.
 */
#include "tokens/auth.h"
#include "common/log.h"
#include "tokens/broker_api.h"
#include "tokens/token_client.h"
#include "common/status.h"
#include "transport/server_internal.h"

#include <string.h>

/* Highest version known for an instance (its cached token, its auth entry), -1 = none. */
static int64_t known_version(mcp_server_t *s, const char *instance)
{
    int64_t t = s->tokens != NULL ? mcp_token_version(s->tokens, instance) : -1;
    int64_t a = s->auth != NULL ? mcp_auth_version(s->auth, instance) : -1;
    return t > a ? t : a;
}

/* 1 applied, 0 not applicable (malformed event), -1 ignored: older than what the runtime already has. */
static int apply_event(mcp_server_t *s, json_t *ev)
{
    const char *type = json_string_value(json_object_get(ev, "type"));
    const char *instance = json_string_value(json_object_get(ev, "instance_id"));
    const char *status = json_string_value(json_object_get(ev, "status"));
    json_t *ver = json_object_get(ev, "version");
    if (type == NULL || !mcp__instance_id_valid(instance))
        return 0;
    if (strcmp(type, "grant_revoked") == 0) { /* final: applied whatever the order, no version */
        const char *grant = json_string_value(json_object_get(ev, "grant_id"));
        if (grant == NULL || !mcp__instance_id_valid(grant) || s->auth == NULL)
            return 0;
        mcp_auth_revoke_grant(s->auth, instance, grant, mcp__now_ms());
        return 1;
    }
    if (ver != NULL && (!json_is_integer(ver) || json_integer_value(ver) < 0))
        return 0;
    int64_t version = ver != NULL ? json_integer_value(ver) : -1; /* no version: applied as before */
    /* older than the cached or the remembered version of an evicted instance (or not orderable): never applied */
    if (mcp_versions_stale(s->versions, instance, known_version(s, instance), version))
        return -1;
    if (strcmp(type, "token") == 0) {
        const char *token = json_string_value(json_object_get(ev, "access_token"));
        json_t *exp = json_object_get(ev, "expires_at");
        if (token == NULL || !json_is_integer(exp) || s->tokens == NULL)
            return 0;
        int rc = mcp_token_put(s->tokens, instance, token, json_integer_value(exp), version);
        if (rc == CM_ECONFLICT)
            return -1;
        if (rc != CM_OK)
            return 0;
        if (s->auth != NULL) {
            if (status != NULL)
                mcp_auth_set_status(s->auth, instance, status, NULL, version);
            else
                mcp_auth_note_version(s->auth, instance, version);
        }
        return 1;
    }
    if (strcmp(type, "invalidate") == 0) {
        if (s->tokens != NULL)
            mcp_token_invalidate(s->tokens, instance);
        if (s->auth != NULL) {
            mcp_auth_set_status(s->auth, instance, status, json_string_value(json_object_get(ev, "authorize_url")),
                                version);
            mcp_auth_note_version(s->auth, instance, version); /* remembered even when the entry was forgotten */
        }
        if (status != NULL && !mcp_auth_status_is(status, CM_INST_ACTIVE))
            mcp_sessions_delete_instance(s->sessions, instance);
        return 1;
    }
    return 0;
}

int mcp__cache_tokens(void *data, h2o_req_t *req, const cm_route_match_t *m)
{
    mcp_server_t *s = data;
    json_t *body = NULL;
    const char *why = "push verification is not configured (no service secret)";
    if (s->push == NULL) {
        s->stats.pushes_rejected++;
        cm_respond_error(req, 503, "push_not_configured", NULL, "%s", why);
        return 0;
    }
    h2o_iovec_t ts = cm_req_header(req, MCP_PUSH_HEADER_TIMESTAMP);
    h2o_iovec_t sig = cm_req_header(req, MCP_PUSH_HEADER_SIGNATURE);
    mcp_push_result_t r = mcp_push_verify(s->push, ts.base, ts.len, sig.base, sig.len, req->entity.base,
                                          req->entity.len, mcp__unix_now(), &body, &why);
    static const struct {
        int status;
        const char *code;
    } answers[] = {
        [MCP_PUSH_MALFORMED] = {400, "malformed_push"},
        [MCP_PUSH_BAD_SIGNATURE] = {401, "bad_signature"},
        [MCP_PUSH_STALE] = {408, "stale_push"},
        [MCP_PUSH_REPLAYED] = {409, "replayed_push"},
        [MCP_PUSH_BUSY] = {503, "push_replay_cache_full"},
    };
    if (r != MCP_PUSH_OK) {
        s->stats.pushes_rejected++;
        cm_warn(s->name, "rejected push: %s", why);
        if (r == MCP_PUSH_BUSY)
            h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_RETRY_AFTER, NULL, H2O_STRLIT("60"));
        cm_respond_error(req, answers[r].status, answers[r].code, NULL, "%s", why);
        return 0;
    }
    size_t i, applied = 0, ignored = 0;
    json_t *ev;
    json_array_foreach(json_object_get(body, "events"), i, ev)
    {
        int rc = apply_event(s, ev);
        applied += rc > 0;
        ignored += rc < 0;
    }
    s->stats.pushes_ok++;
    s->stats.push_events_ignored += ignored;
    json_decref(body);
    /* "ignored": events older (lower version) than what this server already has; they changed nothing */
    cm_respond_json(req, 200, json_pack("{s:I, s:I}", "applied", (json_int_t)applied, "ignored", (json_int_t)ignored));
    return 0;
}
