/*
 * schedule.c - the proactive refresh schedule (refresher.h): a min-heap of instances by due time, fed by a periodic
 * database scan (tokens expiring within refresh.margin + 2 scan intervals) and by every stored token; due entries
 * become unforced refresh requests, at most refresh.concurrency in flight (the tick, refresh_op.c).
 */
#include "refresh/refresher_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void ob_refresher_schedule(ob_refresher_t *r, const char *id, int64_t token_expires_at)
{
    if (r == NULL || id == NULL)
        return;
    if (token_expires_at <= 0) {
        ob_heap_remove(r->heap, id);
        return;
    }
    int64_t in_s = token_expires_at - r->b->cfg->refresh_margin_s - ob_now();
    ob_heap_schedule(r->heap, id, cm_now_ms() + (in_s > 0 ? in_s * 1000 : 0));
    ob_rsched_arm(r);
}

void ob_refresher_forget(ob_refresher_t *r, const char *id)
{
    if (r != NULL && id != NULL)
        ob_heap_remove(r->heap, id);
}

static void on_scanned(void *arg, int status, PGresult *res)
{
    ob_refresher_t *r = arg;
    r->scanning = 0;
    if (status == CM_OK && PQresultStatus(res) == PGRES_TUPLES_OK) {
        int64_t now = ob_now(), mono = cm_now_ms();
        for (int i = 0; i < PQntuples(res); i++) {
            int64_t exp = strtoll(PQgetvalue(res, i, 1), NULL, 10);
            int64_t next_at = strtoll(PQgetvalue(res, i, 2), NULL, 10);
            int64_t due = exp - r->b->cfg->refresh_margin_s;
            if (next_at > due)
                due = next_at;
            ob_heap_schedule_earlier(r->heap, PQgetvalue(res, i, 0), mono + (due > now ? (due - now) * 1000 : 0));
        }
        cm_debug("refresh", "schedule: %d instances due soon, %zu scheduled", PQntuples(res), ob_heap_size(r->heap));
    } else {
        cm_warn("refresh", "schedule scan failed: %s",
                status != CM_OK ? cm_status_str(status) : PQresultErrorMessage(res));
    }
    ob_rsched_arm(r);
}

static void scan(ob_refresher_t *r)
{
    char horizon[24];
    snprintf(horizon, sizeof(horizon), "%d", r->b->cfg->refresh_margin_s + 2 * r->b->cfg->refresh_scan_interval_s);
    const char *p[1] = {horizon};
    r->next_scan_ms = cm_now_ms() + (int64_t)r->b->cfg->refresh_scan_interval_s * 1000;
    if (cm_pg_query(r->b->db,
                    "SELECT c.instance_id, extract(epoch FROM c.token_expires_at)::bigint,"
                    " COALESCE(extract(epoch FROM c.next_refresh_at)::bigint, 0)"
                    " FROM mcp_credentials c JOIN mcp_service_table s ON s.instance_id = c.instance_id"
                    " WHERE c.refresh_token_enc IS NOT NULL AND c.token_expires_at IS NOT NULL"
                    " AND s.status = 'active'"
                    " AND c.token_expires_at < now() + make_interval(secs => $1::bigint)"
                    " ORDER BY c.token_expires_at LIMIT 10000",
                    1, p, on_scanned, r) == CM_AGAIN)
        r->scanning = 1;
}

int ob_rsched_pop_due(ob_refresher_t *r, int64_t now_ms, char *id)
{
    const ob_heap_entry_t *top = ob_heap_peek(r->heap);
    ob_heap_entry_t e;
    if (top == NULL || top->due_ms > now_ms || !ob_heap_pop(r->heap, &e))
        return 0;
    snprintf(id, 37, "%s", e.id);
    return 1;
}

void ob_rsched_scan_if_due(ob_refresher_t *r, int64_t now_ms)
{
    if (!r->scanning && now_ms >= r->next_scan_ms)
        scan(r);
}

void ob_rsched_arm(ob_refresher_t *r)
{
    if (r->tick == NULL)
        return;
    int64_t mono = cm_now_ms(), at = r->next_scan_ms;
    const ob_heap_entry_t *top = ob_heap_peek(r->heap);
    if (top != NULL && top->due_ms < at)
        at = r->running < ob_rop_concurrency(r) ? top->due_ms : mono + 100; /* saturated: look again soon */
    cm_timer_start(r->tick, at > mono ? (long)(at - mono) : 0);
}
