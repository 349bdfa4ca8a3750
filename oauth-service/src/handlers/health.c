/*
 * GET /health - liveness and readiness: version, uptime, a real timed database round trip, plugins, the instance
 * cache. 200 when the database answered within the health timeout (status "ok"), and also while it does not but
 * instances are cached (status "degraded": vends of their valid tokens go on from memory, store/instance_cache.h), so
 * that a load balancer routing on /health keeps sending vends to a broker that can still serve them; 503 with status
 * "unavailable" when the database is away and nothing is cached. Monitoring reads `status`, not the code.
 */
#include "core/broker.h"
#include "handlers/routes.h"
#include "providers/registry.h"
#include "store/change_feed.h"
#include "store/instance_cache.h"

#include "common/log.h"
#include "common/status.h"
#include "common/timer.h"

#include <stdlib.h>
#include <unistd.h>

struct health_ctx {
    ob_broker_t *broker;
    h2o_req_t *req; /* NULL once the request is gone */
    int64_t started_ms;
    cm_timer_t *timer;
    int done;
    struct health_ref *ref;
};

struct health_ref {
    struct health_ctx *ctx;
};

static void respond(struct health_ctx *c, int db_ok, const char *db_error)
{
    if (c->done)
        return;
    c->done = 1;
    if (c->req == NULL)
        return;
    ob_broker_t *b = c->broker;
    double latency_ms = (double)(cm_now_ms() - c->started_ms);
    json_t *body = json_object();
    size_t cached = ob_icache_count(b->instances);
    json_object_set_new(body, "status", json_string(db_ok ? "ok" : cached > 0 ? "degraded" : "unavailable"));
    json_object_set_new(body, "service", json_string("oauth-service"));
    json_object_set_new(body, "version", json_string(OB_VERSION));
    json_object_set_new(body, "uptime_s", json_real(cm_server_uptime(b->server)));
    /* which process answered (listen.workers): worker index, its pid and the worker count */
    json_object_set_new(
        body, "worker",
        json_pack("{s:i, s:i, s:i}", "index", b->worker, "pid", (int)getpid(), "of", b->workers > 0 ? b->workers : 1));
    json_t *db = json_object();
    json_object_set_new(db, "ok", json_boolean(db_ok));
    json_object_set_new(db, "latency_ms", json_real(latency_ms));
    json_object_set_new(db, "connections", json_integer(cm_pg_pool_connected(b->db)));
    if (db_error != NULL)
        json_object_set_new(db, "error", json_string(db_error));
    json_object_set_new(body, "database", db);
    json_t *ic = json_object();
    json_object_set_new(ic, "entries", json_integer((json_int_t)cached));
    ob_icache_stats_t st;
    ob_icache_stats(b->instances, &st);
    json_object_set_new(ic, "stale_served", json_integer((json_int_t)st.stale_served));
    json_object_set_new(ic, "max_entries", json_integer((json_int_t)st.max_entries));
    json_object_set_new(ic, "evictions", json_integer((json_int_t)st.evictions));
    json_object_set_new(ic, "changes", json_integer((json_int_t)st.changes));
    json_object_set_new(ic, "resyncs", json_integer((json_int_t)st.resyncs));
    json_object_set_new(ic, "notifications", json_boolean(ob_change_feed_up(b->changes)));
    json_object_set_new(body, "instance_cache", ic);
    json_t *plugins = json_array();
    size_t n = ob_registry_count(b->providers);
    for (size_t i = 0; i < n; i++)
        json_array_append_new(plugins, json_string(ob_registry_at(b->providers, i)->name));
    json_object_set_new(body, "providers_loaded", plugins);
    cm_respond_json(c->req, db_ok || cached > 0 ? 200 : 503, body);
    c->req = NULL;
}

static void release(struct health_ctx *c)
{
    /* freed once both the db callback and the timer are done with it */
    if (c->ref != NULL)
        c->ref->ctx = NULL;
    cm_timer_free(c->timer);
    free(c);
}

static void on_db(void *arg, int status, PGresult *res)
{
    struct health_ctx *c = arg;
    if (status == CM_OK && PQresultStatus(res) == PGRES_TUPLES_OK)
        respond(c, 1, NULL);
    else
        respond(c, 0, status == CM_OK ? "query failed" : cm_status_str(status));
    release(c);
}

static void on_timeout(void *arg)
{
    struct health_ctx *c = arg;
    respond(c, 0, "timed out");
    /* the query callback still comes (pool timeout) and frees c */
}

static void on_req_dispose(void *p)
{
    struct health_ref *ref = p;
    if (ref->ctx != NULL) {
        ref->ctx->req = NULL;
        ref->ctx->ref = NULL;
    }
}

static int on_health(void *data, h2o_req_t *req, const cm_route_match_t *m)
{
    ob_broker_t *b = data;
    struct health_ctx *c = calloc(1, sizeof(*c));
    if (c == NULL) {
        cm_respond_error(req, 500, "internal_error", NULL, "out of memory");
        return 0;
    }
    c->broker = b;
    c->req = req;
    c->started_ms = cm_now_ms();
    struct health_ref *ref = h2o_mem_alloc_shared(&req->pool, sizeof(*ref), on_req_dispose);
    ref->ctx = c;
    c->ref = ref;
    int rc = cm_pg_query(b->db, "SELECT 1", 0, NULL, on_db, c);
    if (rc != CM_AGAIN) {
        respond(c, 0, cm_status_str(rc));
        release(c);
        return 0;
    }
    c->timer = cm_timer_new(cm_server_loop(b->server), on_timeout, c);
    if (c->timer != NULL)
        cm_timer_start(c->timer, b->cfg->health_db_timeout_ms);
    return 0;
}

int ob_health_register(ob_broker_t *b)
{
    return cm_server_route(b->server, "GET", "/health", on_health, b);
}
