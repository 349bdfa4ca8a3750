/*
 * GET /instances/{id}/token[?refresh=1] - token vending to MCP servers (docs/mcp-broker-protocol.md, 2).
 *
 * Authorization: Bearer <service bearer> + X-MCP-Service. A service gets tokens only for its own
 * instances (403 forbidden otherwise). The instance status is checked on every vend, cache hit or not:
 * 409 instance_inactive / instance_expired / needs_reauth (also for an instance never authorized), each
 * with status and authorize_url. A token valid beyond oauth.refresh_margin_s is served from memory.
 * 200 {access_token, token_type, expires_at, scope, instance_status, version}: never the refresh token or the
 * client secret. version is the instance's event_version as read with the token (push events carry the same
 * counter, docs/mcp-broker-protocol.md). A vend that finds an active instance past its expires_at records the
 * expiry and pushes an invalidation (status expired). An expired token whose refresh found another broker
 * process's refresh in flight (refresh intent marker) gets 503 refresh_in_progress with Retry-After; one whose
 * refresh failed or is backing off (the provider is down) gets 503 provider_unavailable with Retry-After = what is
 * left of the backoff (bounded by refresh.expired_backoff_max_ms), so the MCP server can tell the user when to
 * retry.
 */
#include "handlers/flow_util.h"
#include "handlers/routes.h"

#include "push/pusher.h"
#include "refresh/refresher.h"
#include "store/instance_cache.h"
#include "store/instances_db.h"

#include "common/log.h"
#include "common/metrics.h"
#include "common/status.h"

#include <stdlib.h>
#include <string.h>

typedef struct vend_ctx {
    ob_async_t a;
    char id[37];
    char service[65];
    int refresh;
    int64_t in_progress_ms; /* the refresh found another process's refresh in flight: its Retry-After (0 = no) */
    int64_t backoff_ms;     /* the refresh failed or is backing off: the time before the next attempt (0 = none) */
    char error[64];         /* the refresh's error code */
} vend_ctx_t;

static void instance_error(ob_broker_t *b, h2o_req_t *req, const ob_instance_t *inst, cm_inst_status_t status,
                           const char *code, const char *message)
{
    char *auth = ob_authorize_url(b, inst->id);
    json_t *o =
        json_pack("{s:s, s:s, s:s, s:s?, s:s}", "code", code, "message", message, "status", cm_inst_status_name(status),
                  "authorize_url", auth, "oauth_status", ob_oauth_status_name(inst->oauth_status));
    free(auth);
    cm_respond_json(req, 409, o);
}

static void on_marked_expired(void *arg, int status, PGresult *res)
{
    ob_broker_t *b = arg;
    if (!ob_pg_ok(status, res, PGRES_TUPLES_OK)) {
        ob_respond_db_error(NULL, status, res, "marking an instance expired");
        return;
    }
    /* one row: this call made the change (another vend or replica may have made it first, and pushed) */
    if (PQntuples(res) == 1) {
        ob_icache_invalidate(b->instances, PQgetvalue(res, 0, 0));
        ob_refresher_forget(b->refresher, PQgetvalue(res, 0, 0));
        ob_push_invalidate(b->pusher, PQgetvalue(res, 0, 1), PQgetvalue(res, 0, 0), CM_INST_EXPIRED,
                           strtoll(PQgetvalue(res, 0, 2), NULL, 10));
    }
}

static int refresh_then_vend(ob_broker_t *b, h2o_req_t *req, const char *service, const char *id, int forced);

static void on_marked_expired(void *arg, int status, PGresult *res);

/* after: the context of the refresh this vend waited for (NULL: none yet). */
static void vend_ex(ob_broker_t *b, h2o_req_t *req, const char *service, ob_instance_t *inst, int refresh,
                    const vend_ctx_t *after)
{
    int64_t now = ob_now();
    if (strcmp(inst->service, service) != 0) {
        cm_respond_error(req, 403, "forbidden", NULL, "this instance belongs to another service");
        return;
    }
    cm_inst_status_t status = ob_instance_effective_status(inst, now);
    if (status == CM_INST_INACTIVE) {
        instance_error(b, req, inst, status, "instance_inactive", "the instance is disabled");
        return;
    }
    if (status == CM_INST_EXPIRED) {
        if (inst->status == CM_INST_ACTIVE)
            ob_db_mark_expired(b->db, inst->id, on_marked_expired, b); /* lazily record what the clock says */
        instance_error(b, req, inst, status, "instance_expired", "the instance has expired");
        return;
    }
    if (status == CM_INST_NEEDS_REAUTH) {
        instance_error(b, req, inst, status, "needs_reauth", "the user must authorize the instance again");
        return;
    }
    if (inst->access_token == NULL) {
        instance_error(b, req, inst, status, "needs_reauth", "the instance has not been authorized yet");
        return;
    }
    int expired = inst->token_expires_at != 0 && inst->token_expires_at <= now;
    int in_margin = inst->token_expires_at != 0 && inst->token_expires_at - now <= b->cfg->refresh_margin_s;
    if (refresh || expired) {
        /* refresh on read (single flight, advisory lock, rotation-safe: refresh/refresher.h) */
        if (after == NULL && refresh_then_vend(b, req, service, inst->id, refresh) == CM_AGAIN)
            return;
        if (!expired) { /* the refresh failed or is backing off: the current token is still valid */
            cm_debug("vend", "instance %s: refresh not possible now, the valid token is served", inst->id);
        } else if (after != NULL && after->in_progress_ms > 0) { /* another broker process is refreshing it */
            ob_respond_refresh_in_progress(req, after->in_progress_ms);
            return;
        } else if (after != NULL && after->backoff_ms > 0) {
            ob_respond_retry_later(req, after->backoff_ms, "provider_unavailable",
                                   "the access token expired and the provider could not refresh it now",
                                   after->error[0] ? after->error : "refresh_failed");
            return;
        } else if (after != NULL && strcmp(after->error, "database_unavailable") == 0) {
            ob_respond_db_error(req, CM_EUNAVAIL, NULL, "refreshing an expired token");
            return;
        } else {
            cm_respond_error(req, 502, "provider_error", NULL, "the access token expired and could not be refreshed");
            return;
        }
    }
    if (in_margin && !expired) {
        cm_debug("vend", "instance %s: token inside the refresh margin, still valid: served", inst->id);
        ob_refresh_request(b->refresher, inst->id, 0, NULL, NULL); /* background, single flight */
    }
    if (inst->vend_body == NULL) {
        /* serialized once per cached instance (status active here; any change drops the cache entry) */
        json_t *o = json_pack("{s:s, s:s, s:I, s:s?, s:s, s:I}", "access_token", inst->access_token, "token_type",
                              inst->token_type ? inst->token_type : "Bearer", "expires_at",
                              (json_int_t)inst->token_expires_at, "scope", inst->scope, "instance_status",
                              cm_inst_status_name(status), "version", (json_int_t)inst->event_version);
        inst->vend_body = o ? json_dumps(o, JSON_COMPACT) : NULL;
        inst->vend_body_len = inst->vend_body ? strlen(inst->vend_body) : 0;
        json_decref(o);
        if (inst->vend_body == NULL) {
            cm_respond_error(req, 500, "internal_error", NULL, "out of memory");
            return;
        }
    }
    h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CACHE_CONTROL, NULL, H2O_STRLIT("no-store"));
    cm_respond_body(req, 200, "application/json", inst->vend_body, inst->vend_body_len);
}

static void vend(ob_broker_t *b, h2o_req_t *req, const char *service, ob_instance_t *inst, int refresh)
{
    vend_ex(b, req, service, inst, refresh, NULL);
}

/* After a refresh (any outcome) the instance is read again and vended as it now is, without a second refresh: a
 * fresh token is served, a still valid one too, an expired one gets 503 (backoff, refresh in progress) or 502,
 * needs_reauth 409. */
static void on_reloaded(void *arg, int status, ob_instance_t *inst)
{
    vend_ctx_t *c = arg;
    h2o_req_t *req = c->a.req;
    if (req != NULL && ob_instance_loaded(req, status, "loading an instance for vending"))
        vend_ex(c->a.b, req, c->service, inst, 0, c);
    ob_async_free(c);
}

static void on_refreshed(void *arg, const ob_refresh_result_t *r)
{
    vend_ctx_t *c = arg;
    if (r->outcome == OB_REFRESH_TRANSIENT && r->error_code != NULL &&
        strcmp(r->error_code, "refresh_in_progress") == 0)
        c->in_progress_ms = r->backoff_ms > 0 ? r->backoff_ms : 1000;
    else if (r->outcome == OB_REFRESH_TRANSIENT && r->backoff_ms > 0)
        c->backoff_ms = r->backoff_ms;
    snprintf(c->error, sizeof(c->error), "%s", r->error_code ? r->error_code : "");
    if (c->a.req == NULL) {
        ob_async_free(c);
        return;
    }
    ob_instance_t *inst = ob_icache_peek(c->a.b->instances, c->id);
    if (inst != NULL) {
        vend_ex(c->a.b, c->a.req, c->service, inst, 0, c);
        ob_async_free(c);
        return;
    }
    int rc = ob_icache_load(c->a.b->instances, c->id, on_reloaded, c);
    if (rc != CM_AGAIN) {
        ob_respond_db_error(c->a.req, rc, NULL, "loading an instance for vending");
        ob_async_free(c);
    }
}

static int refresh_then_vend(ob_broker_t *b, h2o_req_t *req, const char *service, const char *id, int forced)
{
    vend_ctx_t *c = ob_async_new(b, req, sizeof(*c));
    if (c == NULL)
        return CM_AGAIN; /* answered (500) */
    snprintf(c->id, sizeof(c->id), "%s", id);
    snprintf(c->service, sizeof(c->service), "%s", service);
    int rc = ob_refresh_request(b->refresher, id, forced ? OB_REFRESH_FORCE : 0, on_refreshed, c);
    if (rc != CM_AGAIN)
        ob_async_free(c);
    return rc;
}

static void on_loaded(void *arg, int status, ob_instance_t *inst)
{
    vend_ctx_t *c = arg;
    h2o_req_t *req = c->a.req;
    if (req != NULL && ob_instance_loaded(req, status, "loading an instance for vending"))
        vend(c->a.b, req, c->service, inst, c->refresh);
    ob_async_free(c);
}

/* oauth_broker_vends_total{cache}: whether the instance (with its decrypted token) was in memory; hit < 0 only
 * declares the metric. */
static void count_vend(int hit)
{
    static cm_metric_series_t *hits, *misses;
    if (hits == NULL) {
        cm_metric_family_t *f = cm_counter("oauth_broker_vends_total",
                                           "Token vends by instance cache result (hit: served from memory).", "cache");
        hits = cm_metric_get(f, "hit");
        misses = cm_metric_get(f, "miss");
    }
    if (hit >= 0)
        cm_metric_inc(hit ? hits : misses);
}

static int on_token(void *data, h2o_req_t *req, const cm_route_match_t *m)
{
    ob_broker_t *b = data;
    int bad = 0;
    const char *service = NULL;
    char *id = ob_service_instance_id(b, req, m, &service);
    if (id == NULL)
        return 0;
    char *r = cm_req_query(req, "refresh", &bad);
    int refresh = r != NULL && strcmp(r, "1") == 0;
    ob_instance_t *inst = ob_icache_peek(b->instances, id);
    count_vend(inst != NULL);
    if (inst != NULL) {
        vend(b, req, service, inst, refresh);
        return 0;
    }
    vend_ctx_t *c = ob_async_new(b, req, sizeof(*c));
    if (c == NULL)
        return 0;
    memcpy(c->id, id, sizeof(c->id));
    snprintf(c->service, sizeof(c->service), "%s", service);
    c->refresh = refresh;
    int rc = ob_icache_load(b->instances, id, on_loaded, c);
    if (rc != CM_AGAIN) {
        ob_respond_db_error(req, rc, NULL, "loading an instance for vending");
        ob_async_free(c);
    }
    return 0;
}

int ob_mcp_token_register(ob_broker_t *b)
{
    count_vend(-1);
    return cm_server_route(b->server, "GET", "/instances/*/token", on_token, b);
}
