/*
 * health.c - GET /health (service, version, port, uptime, broker reachability, caches, sessions, tasks, counters)
 * and GET /{instanceId}/health (instance status, token valid until; never a secret).
 */
#include "tokens/auth.h"
#include "tokens/jwks.h"
#include "tokens/broker.h"
#include "tokens/token_client.h"
#include "common/status.h"
#include "transport/server_internal.h"
#include "tokens/usage.h"

#include "tokens/broker_api.h"

#include <string.h>

static void on_probe(void *arg, int status, json_t *body, const char *error)
{
    mcp_server_t *s = arg; /* pending calls are cancelled without a callback when the server is freed */
    s->probe.inflight = 0;
    s->probe.status = status;
    s->probe.at = mcp__unix_now();
    (void)body;
    (void)error;
}

void mcp__health_probe(mcp_server_t *s, int64_t now_ms)
{
    if (s->broker == NULL || s->probe.inflight ||
        (s->probe.started_ms != 0 && now_ms - s->probe.started_ms < MCP_BROKER_PROBE_MS))
        return;
    s->probe.started_ms = now_ms;
    /* the broker call has its timeout (broker_timeout_ms); failure to start counts as unreachable */
    if (mcp_broker_call(s->broker, "GET", MCP_BROKER_PATH_HEALTH, NULL, 1, on_probe, s, NULL) == CM_AGAIN)
        s->probe.inflight = 1;
    else {
        s->probe.status = 0;
        s->probe.at = mcp__unix_now();
    }
}

/* reachable / unreachable / unhealthy (answered, not 2xx) from the last probe; before one: from earlier calls. */
static const char *broker_status(const mcp_server_t *s)
{
    if (s->probe.status > 0)
        return s->probe.status >= 200 && s->probe.status < 300 ? "reachable" : "unhealthy";
    if (s->probe.status == 0)
        return "unreachable";
    unsigned fails = mcp_broker_failures(s->broker);
    return fails > 0 ? "unreachable" : (mcp_broker_last_ok_ms(s->broker) > 0 ? "reachable" : "unknown");
}

/* Stale-if-error of the instance status (auth.h): the bound, how many requests were answered from a status past its
 * lifetime because the broker failed, and whether that is happening now (one such answer in the last 10 s), so that an
 * operator sees MCP servers riding out a broker outage. */
static void add_stale_stats(const mcp_server_t *s, json_t *auth_cache)
{
    mcp_auth_stale_stats_t st;
    mcp_auth_get_stale_stats(s->auth, mcp__now_ms(), &st);
    json_object_set_new(auth_cache, "stale_if_error_s", json_integer(st.bound_s));
    json_object_set_new(auth_cache, "stale_served", json_integer((json_int_t)st.served));
    json_object_set_new(auth_cache, "serving_stale", json_boolean(st.last_age_ms >= 0 && st.last_age_ms < 10000));
}

int mcp__health_service(void *data, h2o_req_t *req, const cm_route_match_t *m)
{
    mcp_server_t *s = data;
    mcp_sessions_stats_t ss;
    mcp_sessions_get_stats(s->sessions, &ss);
    json_t *broker;
    if (s->broker == NULL) {
        broker = json_pack("{s:b, s:s}", "configured", 0, "status", "not_configured");
    } else {
        int64_t last = mcp_broker_last_ok_ms(s->broker);
        unsigned fails = mcp_broker_failures(s->broker);
        broker =
            json_pack("{s:b, s:s, s:s, s:I, s:i}", "configured", 1, "url", mcp_broker_url(s->broker), "status",
                      broker_status(s), "last_ok_at", (json_int_t)(last / 1000), "consecutive_failures", (int)fails);
        if (broker != NULL && s->probe.status >= 0) {
            json_object_set_new(broker, "probe_http_status", json_integer(s->probe.status));
            json_object_set_new(broker, "probed_at", json_integer(s->probe.at));
        }
    }
    json_t *tokens = json_null();
    if (s->tokens != NULL) {
        mcp_token_stats_t t;
        mcp_token_get_stats(s->tokens, &t);
        tokens = json_pack("{s:I, s:I, s:I, s:I, s:I, s:I}", "entries", (json_int_t)t.entries, "capacity",
                           (json_int_t)t.capacity, "hits", (json_int_t)t.hits, "misses", (json_int_t)t.misses,
                           "fetches", (json_int_t)t.fetches, "fetch_failures", (json_int_t)t.fetch_failures);
    }
    json_t *body =
        json_pack("{s:s, s:s, s:s, s:i, s:f, s:s, s:o, s:o, s:{s:I, s:I, s:I, s:I}, s:{s:I}, s:I, s:{s:I, s:I, s:I, "
                  "s:I, s:I, s:I, s:I, s:I}}",
                  "status", "ok", "service", s->service, "version", s->version, "port", s->port, "uptime_s",
                  cm_server_uptime(s->httpd), "auth", s->auth_mode == MCP_AUTH_NONE ? "none" : "broker", "broker",
                  broker, "token_cache", tokens, "sessions", "active", (json_int_t)ss.active, "created",
                  (json_int_t)ss.created, "expired", (json_int_t)ss.expired, "evicted", (json_int_t)ss.evicted,
                  "auth_cache", "entries", (json_int_t)(s->auth ? mcp_auth_cached(s->auth) : 0), "usage_unflushed",
                  (json_int_t)(s->usage ? mcp_usage_total(s->usage) - mcp_usage_flushed(s->usage) : 0), "counters",
                  "requests", (json_int_t)s->stats.requests, "notifications", (json_int_t)s->stats.notifications,
                  "errors", (json_int_t)s->stats.errors, "tool_calls", (json_int_t)s->stats.tool_calls, "sse_responses",
                  (json_int_t)s->stats.sse_responses, "auth_failed", (json_int_t)s->stats.auth_failed, "pushes_ok",
                  (json_int_t)s->stats.pushes_ok, "pushes_rejected", (json_int_t)s->stats.pushes_rejected);
    if (body != NULL)
        json_object_set_new(json_object_get(body, "counters"), "push_events_ignored",
                            json_integer((json_int_t)s->stats.push_events_ignored));
    if (body != NULL && mcp_tools_task_capable(s->tools)) {
        mcp_task_stats_t ts;
        mcp_task_store_stats(mcp_protocol_tasks(s->proto), &ts);
        json_object_set_new(body, "tasks",
                            json_pack("{s:I, s:I, s:I, s:I, s:I}", "active", (json_int_t)ts.active, "created",
                                      (json_int_t)ts.created, "expired", (json_int_t)ts.expired, "cancelled",
                                      (json_int_t)ts.cancelled, "refused", (json_int_t)ts.refused));
    }
    if (body != NULL) /* the event streams (sse.h) */
        json_object_set_new(body, "streams",
                            json_pack("{s:I, s:I, s:I}", "open", (json_int_t)s->sse_open, "dropped_slow_readers",
                                      (json_int_t)s->stats.sse_dropped, "cancelled_calls",
                                      (json_int_t)s->stats.cancelled));
    if (body != NULL && s->auth != NULL)
        add_stale_stats(s, json_object_get(body, "auth_cache"));
    if (body != NULL && s->jwks != NULL) {
        mcp_jwks_stats_t js;
        mcp_jwks_get_stats(s->jwks, mcp__now_ms(), &js);
        json_object_set_new(body, "access_tokens",
                            json_pack("{s:s, s:I, s:I, s:I, s:I, s:I}", "issuer", s->issuer, "jwks_keys",
                                      (json_int_t)js.keys, "jwks_fetches", (json_int_t)js.fetches, "jwks_failures",
                                      (json_int_t)js.failures, "jwks_age_ms", (json_int_t)js.age_ms, "revoked_grants",
                                      (json_int_t)(s->auth ? mcp_auth_revoked_count(s->auth) : 0)));
    }
    cm_respond_json(req, body ? 200 : 500, body);
    return 0;
}

int mcp__health_instance(void *data, h2o_req_t *req, const cm_route_match_t *m)
{
    mcp_server_t *s = data;
    char *instance = cm_match_str(req, m, 0);
    if (!mcp__instance_id_valid(instance)) {
        cm_respond_error(req, 404, "not_found", NULL, "no such endpoint");
        return 0;
    }
    const char *url = NULL;
    const char *status = s->auth ? mcp_auth_status(s->auth, instance, &url) : NULL;
    int64_t exp = s->tokens ? mcp_token_expiry(s->tokens, instance) : 0;
    json_t *body = json_pack("{s:s, s:s, s:s, s:b, s:i}", "instance_id", instance, "service", s->service, "status",
                             status ? status : "unknown", "token_cached", exp > 0, "sessions",
                             (int)mcp_sessions_count_instance(s->sessions, instance));
    if (exp > 0)
        json_object_set_new(body, "token_valid_until", json_integer(exp));
    if (url != NULL && status != NULL && !mcp_auth_status_is(status, CM_INST_ACTIVE))
        json_object_set_new(body, "authorize_url", json_string(url));
    cm_respond_json(req, 200, body);
    return 0;
}
