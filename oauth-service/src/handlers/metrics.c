/*
 * metrics.c - GET /metrics of the broker (common's guarded endpoint over the process registry) and the gauges the
 * broker samples: the PostgreSQL pool at each scrape, instances by status from a periodic asynchronous count (never a
 * query in a request path).
 */
#include "core/broker.h"
#include "handlers/routes.h"

#include "common/log.h"
#include "common/metrics.h"
#include "common/pg.h"
#include "common/status.h"
#include "common/timer.h"

#include <stdlib.h>

#define INSTANCE_COUNT_PERIOD_MS 15000

static struct {
    ob_broker_t *broker;
    cm_timer_t *timer;
    int counting; /* a count query is in flight */
    int closed;
    cm_metric_family_t *instances, *pool_size, *pool_in_use, *pool_queued;
} bm;

static void on_collect(cm_metrics_t *m, void *arg)
{
    (void)m;
    ob_broker_t *b = arg;
    int size = 0, in_use = 0;
    size_t queued = 0;
    if (b->db != NULL)
        cm_pg_pool_stats(b->db, &size, &in_use, &queued);
    cm_metric_set(cm_metric_series(bm.pool_size, NULL), size);
    cm_metric_set(cm_metric_series(bm.pool_in_use, NULL), in_use);
    cm_metric_set(cm_metric_series(bm.pool_queued, NULL), (double)queued);
}

static void on_count(void *arg, int status, PGresult *res)
{
    (void)arg;
    bm.counting = 0;
    if (bm.closed)
        return;
    if (status == CM_OK && res != NULL) {
        cm_metric_family_zero(bm.instances);
        for (int i = 0; i < PQntuples(res); i++)
            cm_metric_set(cm_metric_get(bm.instances, PQgetvalue(res, i, 0)), atof(PQgetvalue(res, i, 1)));
    }
    cm_timer_start(bm.timer, INSTANCE_COUNT_PERIOD_MS);
}

static void on_timer(void *arg)
{
    ob_broker_t *b = arg;
    if (bm.closed || bm.counting)
        return;
    static const char sql[] = "SELECT status, count(*) FROM mcp_service_table GROUP BY status";
    if (cm_pg_query(b->db, sql, 0, NULL, on_count, NULL) == CM_AGAIN)
        bm.counting = 1;
    else
        cm_timer_start(bm.timer, INSTANCE_COUNT_PERIOD_MS);
}

int ob_metrics_register(ob_broker_t *b)
{
    const ob_config_t *cfg = b->cfg;
    bm.broker = b;
    bm.closed = 0;
    bm.instances = cm_gauge("oauth_broker_instances", "Instances by status (counted every 15 s).", "status");
    bm.pool_size = cm_gauge("pg_pool_size", "Connections of the PostgreSQL pool.", NULL);
    bm.pool_in_use = cm_gauge("pg_pool_in_use", "PostgreSQL pool connections running a statement or held.", NULL);
    bm.pool_queued = cm_gauge("pg_pool_queued", "Requests waiting for a PostgreSQL pool connection.", NULL);
    for (size_t i = 0; i < 4; i++) {
        static const char *const statuses[] = {"active", "inactive", "expired", "needs_reauth"};
        (void)cm_metric_get(bm.instances, statuses[i]); /* shown at 0 before the first count */
    }
    int rc = cm_metrics_on_collect(cm_metrics_default(), on_collect, b);
    if (rc != CM_OK)
        return rc;
    if (b->db != NULL) {
        if ((bm.timer = cm_timer_new(cm_server_loop(b->server), on_timer, b)) == NULL)
            return CM_ENOMEM;
        cm_timer_start(bm.timer, 0);
    }
    rc = cm_server_metrics(b->server, NULL, cfg->metrics_allow_loopback, cfg->metrics_token_file);
    if (rc == CM_EIO)
        cm_error("broker", "metrics.token_file: cannot read a token from %s", cfg->metrics_token_file);
    return rc;
}

void ob_metrics_close(void)
{
    bm.closed = 1;
    cm_metrics_off_collect(cm_metrics_default(), on_collect, bm.broker);
    cm_timer_free(bm.timer);
    bm.timer = NULL;
}
