/*
 * schedule.c - the proactive refresh schedule (refresher.h): a min-heap of instances by due time, fed by a periodic
 * database scan (tokens expiring within refresh.margin + 2 scan intervals) and by every stored token; due entries
 * become unforced refresh requests, at most refresh.concurrency in flight (the tick, refresh_op.c).
 *
 * The scan reads refresh.scan_page rows at a time in expiry order with a keyset cursor (expiry, instance id), and
 * fetches the next page as soon as a full one arrived: every token due within the horizon is in the heap after
 * one scan however large the backlog, and the heap hands them out earliest first while later pages load. The
 * work itself is paced by the heap and the concurrency, never by the scan interval.
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
    ob_heap_schedule(r->heap, id, cm_now_ms() + in_s * 1000); /* overdue: earlier, so in due order */
    ob_rsched_arm(r);
}

void ob_refresher_forget(ob_refresher_t *r, const char *id)
{
    if (r != NULL && id != NULL)
        ob_heap_remove(r->heap, id);
}

static void scan_page(ob_refresher_t *r);

static void on_scanned(void *arg, int status, PGresult *res)
{
    ob_refresher_t *r = arg;
    r->scanning = 0;
    if (status == CM_OK && PQresultStatus(res) == PGRES_TUPLES_OK) {
        int64_t mono = cm_now_ms();
        int n = PQntuples(res);
        for (int i = 0; i < n; i++) {
            /* overdue entries keep their distance: a backlog comes out of the heap in due order */
            int64_t in_ms = strtoll(PQgetvalue(res, i, 1), NULL, 10);
            ob_heap_schedule_earlier(r->heap, PQgetvalue(res, i, 0), mono + in_ms);
        }
        r->scan_pages++;
        r->scan_rows += n;
        r->st.scan_pages++;
        if (n > 0) {
            /* the keyset cursor: the next page starts after the last row of this one */
            snprintf(r->scan_after_id, sizeof(r->scan_after_id), "%s", PQgetvalue(res, n - 1, 0));
            snprintf(r->scan_after_exp, sizeof(r->scan_after_exp), "%s", PQgetvalue(res, n - 1, 2));
        }
        cm_debug("refresh", "schedule: page %d of this scan, %d instances due soon, %zu scheduled", r->scan_pages, n,
                 ob_heap_size(r->heap));
        if (n >= r->b->cfg->refresh_scan_page && !r->closing) {
            /* a full page: more may be due; fetched now, not at the next scan (a backlog never waits for it) */
            scan_page(r);
            if (r->scanning) {
                ob_rsched_arm(r);
                return;
            }
        }
        if (r->scan_rows > 0)
            cm_info("refresh", "schedule scan done: %d instances due within the horizon in %d page(s), %zu scheduled",
                    r->scan_rows, r->scan_pages, ob_heap_size(r->heap));
    } else {
        cm_warn("refresh", "schedule scan failed: %s",
                status != CM_OK ? cm_status_str(status) : PQresultErrorMessage(res));
    }
    ob_rsched_arm(r);
}

/* One page of the scan, in (token_expires_at, instance_id) order after the cursor (none on the first page). */
static void scan_page(ob_refresher_t *r)
{
    char horizon[24], limit[16], margin[16];
    snprintf(horizon, sizeof(horizon), "%d", r->b->cfg->refresh_margin_s + 2 * r->b->cfg->refresh_scan_interval_s);
    snprintf(limit, sizeof(limit), "%d", r->b->cfg->refresh_scan_page);
    snprintf(margin, sizeof(margin), "%d", r->b->cfg->refresh_margin_s);
    int first = r->scan_after_id[0] == '\0';
    const char *p[5] = {horizon, limit, first ? NULL : r->scan_after_exp, first ? NULL : r->scan_after_id, margin};
    /* due = expiry - margin, or the backoff's next attempt when later; as milliseconds from now (the database's
     * clock on both sides: no skew with ours), negative when overdue */
    if (cm_pg_query(r->b->db,
                    "SELECT c.instance_id,"
                    " (extract(epoch FROM GREATEST(c.token_expires_at - make_interval(secs => $5::int),"
                    "  COALESCE(c.next_refresh_at, '-infinity')) - now()) * 1000)::bigint,"
                    " to_char(c.token_expires_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"
                    " FROM mcp_credentials c JOIN mcp_service_table s ON s.instance_id = c.instance_id"
                    " WHERE c.refresh_token_enc IS NOT NULL AND c.token_expires_at IS NOT NULL"
                    " AND s.status = 'active'"
                    " AND c.token_expires_at < now() + make_interval(secs => $1::bigint)"
                    " AND ($3::timestamptz IS NULL"
                    "      OR (c.token_expires_at, c.instance_id) > ($3::timestamptz, $4::uuid))"
                    " ORDER BY c.token_expires_at, c.instance_id LIMIT $2::int",
                    5, p, on_scanned, r) == CM_AGAIN)
        r->scanning = 1;
}

/* A new scan: from the earliest expiry again (tokens stored by other replicas since the last one). */
static void scan(ob_refresher_t *r)
{
    r->next_scan_ms = cm_now_ms() + (int64_t)r->b->cfg->refresh_scan_interval_s * 1000;
    r->scan_after_id[0] = '\0';
    r->scan_after_exp[0] = '\0';
    r->scan_pages = 0;
    r->scan_rows = 0;
    r->st.scans++;
    scan_page(r);
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
