/*
 * metrics.c - GET /metrics of the broker (common's guarded endpoint over the process registry) and the gauges the
 * broker samples: the PostgreSQL pool at each scrape, instances by status from a periodic asynchronous count (never a
 * query in a request path).
 */
#include "core/broker.h"
#include "core/metrics_board.h"
#include "handlers/routes.h"

#include "common/log.h"
#include "common/metrics.h"
#include "common/pg.h"
#include "common/status.h"
#include "common/timer.h"

#include <stdio.h>
#include <stdlib.h>

#define INSTANCE_COUNT_PERIOD_MS 15000
#define PUBLISH_PERIOD_MS 1000 /* several workers: how old another worker's figures in a scrape may be */

static struct {
    ob_broker_t *broker;
    cm_timer_t *timer;
    cm_timer_t *publish; /* several workers: this worker's exposition onto the board, every PUBLISH_PERIOD_MS */
    int counting;        /* a count query is in flight */
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

/* This worker's exposition onto its slot of the board; *own keeps it (caller frees) when own is not NULL. */
static int publish(ob_broker_t *b, char **own, size_t *own_len)
{
    char *text = NULL;
    size_t len = 0;
    int rc = cm_metrics_render(cm_metrics_default(), &text, &len);
    if (rc != CM_OK)
        return rc;
    rc = ob_metrics_board_publish(b->metrics_board, b->worker, text, len);
    if (rc == CM_ETOOBIG)
        cm_warn("broker", "metrics: this worker's exposition (%zu bytes) exceeds the board's slot", len);
    if (own != NULL) {
        *own = text;
        *own_len = len;
    } else {
        free(text);
    }
    return CM_OK;
}

static void on_publish(void *arg)
{
    ob_broker_t *b = arg;
    if (bm.closed)
        return;
    (void)publish(b, NULL, NULL);
    cm_timer_start(bm.publish, PUBLISH_PERIOD_MS);
}

/* GET /metrics with several workers: every worker's samples, each with worker="<index>" (this worker's as of now,
 * the others' as of their last publication, at most about PUBLISH_PERIOD_MS old). */
static int render_workers(void *arg, char **out, size_t *len)
{
    ob_broker_t *b = arg;
    int n = ob_metrics_board_slots(b->metrics_board);
    char *texts[64] = {0}, names[64][8];
    const char *values[64];
    int64_t age;
    size_t own_len;
    int rc = publish(b, &texts[b->worker], &own_len);
    if (rc != CM_OK)
        return rc;
    for (int i = 0; i < n && i < 64; i++) {
        snprintf(names[i], sizeof(names[i]), "%d", i);
        values[i] = names[i];
        if (i != b->worker && ob_metrics_board_read(b->metrics_board, i, &texts[i], &age) != CM_OK)
            texts[i] = NULL; /* not published yet (starting) or unreadable: left out of this scrape */
    }
    rc = cm_metrics_merge((const char *const *)texts, values, (size_t)(n < 64 ? n : 64), "worker", out, len);
    for (int i = 0; i < n && i < 64; i++)
        free(texts[i]);
    return rc;
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
    if (rc == CM_OK && b->metrics_board != NULL) {
        if ((bm.publish = cm_timer_new(cm_server_loop(b->server), on_publish, b)) == NULL)
            return CM_ENOMEM;
        cm_timer_start(bm.publish, 0);
        cm_server_metrics_renderer(b->server, render_workers, b);
    }
    return rc;
}

void ob_metrics_close(void)
{
    bm.closed = 1;
    cm_metrics_off_collect(cm_metrics_default(), on_collect, bm.broker);
    cm_timer_free(bm.timer);
    bm.timer = NULL;
    cm_timer_free(bm.publish);
    bm.publish = NULL;
}
