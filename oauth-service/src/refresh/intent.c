/*
 * intent.c - the refresh intent marker (db/migrations/0007_refresh_intent.sql, docs/oauth-flows.md "Refresh
 * intent marker"): a write-ahead record, committed before the stored refresh token is sent to the provider,
 * that outlives the advisory lock.
 *
 * The advisory lock is transaction-level: when the refreshing process's connection dies (a failed COMMIT,
 * pg_terminate_backend, a network cut) or the process itself dies, the lock goes with it while the provider may
 * already have rotated (spent) the refresh token. Another replica that takes the lock then reads the spent token;
 * sending it again makes a provider with reuse detection revoke the whole grant. So:
 *  - under the lock, after the row read decided that the provider is to be called, the marker
 *    (refresh_started_at = now(), refresh_owner = this process) is written in its own autocommit statement on
 *    another pooled connection (the lock transaction stays open: there is no window without the lock), then the
 *    row is read again and the provider called;
 *  - the transaction that stores the answer, or records any outcome that proves the token was not spent, clears
 *    it (refresh_store.c commit); an outcome unknown (timeout after sending), a store still being retried or a
 *    shutdown leaves it;
 *  - a refresh that finds a marker of ANOTHER process younger than refresh.intent_hold_s, or one of its own
 *    while its own store retry is pending, does not call the provider: TRANSIENT "refresh_in_progress",
 *    rescheduled shortly; an older one is an outcome unknown: audited (event refresh_outcome_unknown) and
 *    the refresh proceeds (taking the marker over). So is, at once, the marker of a process on this host that
 *    is provably dead (owner.c: its pid is gone or belongs to another process): a broker killed with -9 and
 *    restarted does not block its own instances for the hold window.
 * The marker never changes row_version (the compare-and-set of the store is about the credentials only).
 */
#include "refresh/refresher_int.h"

#include "store/instance_cache.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define IN_PROGRESS_RETRY_MIN_MS 500
#define IN_PROGRESS_RETRY_MAX_MS 5000

/* ---- clearing ---- */

static const char sql_clear[] = "UPDATE mcp_credentials SET refresh_started_at = NULL, refresh_owner = NULL"
                                " WHERE instance_id = $1::uuid AND refresh_owner = $2";

static void on_cleared(void *arg, int status, PGresult *res)
{
    (void)arg;
    if (status != CM_OK || PQresultStatus(res) != PGRES_COMMAND_OK)
        cm_warn("refresh", "clearing a refresh intent marker failed: %s",
                status != CM_OK ? cm_status_str(status) : PQresultErrorMessage(res));
}

void ob_intent_queue_clear(rop_t *op)
{
    const char *p[2] = {op->id, op->r->owner};
    (void)cm_pg_conn_query(op->conn, sql_clear, 2, p, on_cleared, NULL); /* else the COMMIT fails too */
}

void ob_intent_clear(rop_t *op)
{
    /* best effort, owner-guarded: its own statement (the lock transaction may be gone) */
    const char *p[2] = {op->id, op->r->owner};
    if (cm_pg_query(op->r->b->db, sql_clear, 2, p, on_cleared, NULL) != CM_AGAIN)
        cm_warn("refresh", "instance %s: the refresh intent marker could not be cleared", op->id);
}

/* ---- setting ---- */

static const char sql_set[] =
    "WITH c AS ("
    "  UPDATE mcp_credentials SET refresh_started_at = now(), refresh_owner = $2"
    "   WHERE instance_id = $1::uuid RETURNING instance_id),"
    " a AS ("
    "  INSERT INTO token_audit_log (instance_id, event, actor, detail)"
    "  SELECT instance_id, 'refresh_outcome_unknown', 'refresher', $4::jsonb FROM c WHERE $3::boolean)"
    " SELECT count(*) FROM c";

static void on_set(void *arg, int status, PGresult *res)
{
    rop_t *op = arg;
    if (op->r->closing) {
        ob_rop_end(op, OB_REFRESH_TRANSIENT, "shutting_down"); /* the marker is cleared again: nothing was sent */
        return;
    }
    if (!ob_rop_db_ok(status, res, PGRES_TUPLES_OK, op, "setting the refresh intent marker")) {
        /* maybe committed after all: the owner-guarded clear at the end (nothing was sent) */
        ob_rop_end(op, OB_REFRESH_TRANSIENT, "database_unavailable");
        return;
    }
    if (strcmp(PQgetvalue(res, 0, 0), "0") == 0) {
        ob_rop_end(op, OB_REFRESH_GONE, "instance_not_found");
        return;
    }
    ob_rop_report(op, OB_REV_MARKER_SET, NULL);
}

int ob_intent_set(rop_t *op, const ob_rop_marker_t *m)
{
    /* another process's marker taken over is audited as an outcome unknown; our own left-over one is not */
    int stale = m->is_set && strcmp(m->owner, op->r->owner) != 0;
    const char *prev_owner = m->is_set ? m->owner : "";
    int64_t age_ms = m->is_set ? m->age_ms : 0;
    char *detail = NULL;
    if (stale) {
        json_t *d =
            json_pack("{s:s, s:s, s:s, s:I, s:i, s:b, s:b}", "class", "unknown", "error", "refresh_outcome_unknown",
                      "previous_owner", prev_owner, "marker_age_s", (json_int_t)(age_ms / 1000), "hold_s",
                      op->r->b->cfg->refresh_intent_hold_s, "own", strcmp(prev_owner, op->r->owner) == 0, "owner_dead",
                      age_ms < (int64_t)op->r->b->cfg->refresh_intent_hold_s * 1000);
        detail = d ? json_dumps(d, JSON_COMPACT) : NULL;
        json_decref(d);
    }
    const char *p[4] = {op->id, op->r->owner, stale ? "true" : "false", detail ? detail : "{}"};
    int rc = cm_pg_query(op->r->b->db, sql_set, 4, p, on_set, op);
    free(detail);
    return rc;
}

/* Another operation of this process on the same instance is retrying the store of its answer. */
static int own_retry_pending(const rop_t *op)
{
    for (const rop_t *o = op->r->ops; o; o = o->next)
        if (o != op && o->store_attempts > 0 && strcmp(o->id, op->id) == 0)
            return 1;
    return 0;
}

/* A refresh is in flight elsewhere: the side effects of not calling the provider (the operation ends TRANSIENT
 * "refresh_in_progress"). */
static void in_progress(rop_t *op, int64_t left_ms, const char *owner)
{
    int64_t ms = left_ms;
    if (ms < IN_PROGRESS_RETRY_MIN_MS)
        ms = IN_PROGRESS_RETRY_MIN_MS;
    if (ms > IN_PROGRESS_RETRY_MAX_MS)
        ms = IN_PROGRESS_RETRY_MAX_MS;
    cm_info("refresh",
            "instance %s: a refresh by %s is in flight (intent marker, %" PRId64
            " ms of the hold window left): the provider is not called, retried in %" PRId64 " ms",
            op->id, strcmp(owner, op->r->owner) == 0 ? "this process" : "another process", left_ms, ms);
    op->r->st.intent_waits++;
    op->res.backoff_ms = ms;
    /* its result lands in the database: drop the cached copy so the next vend reads it */
    ob_icache_invalidate(op->r->b->instances, op->id);
}

int ob_intent_decide(rop_t *op, const ob_rop_marker_t *m)
{
    int64_t hold_ms = (int64_t)op->r->b->cfg->refresh_intent_hold_s * 1000, age_ms = m->age_ms;
    const char *owner = m->owner;
    int own = m->is_set && strcmp(owner, op->r->owner) == 0;
    if (!m->is_set)
        return 1;
    if (own && own_retry_pending(op)) {
        in_progress(op, hold_ms - age_ms, owner); /* my retry will finish it */
        return 0;
    }
    if (!own && age_ms < hold_ms && !ob_intent_owner_dead(owner, op->r->owner)) {
        in_progress(op, hold_ms - age_ms, owner);
        return 0;
    }
    if (own) {
        /* an earlier attempt of this process ended without clearing it: an outcome unknown already recorded
         * (a timeout after sending), or a failure whose record did not commit. Nothing of it is in flight. */
        cm_warn("refresh", "instance %s: this process's own refresh intent marker (%" PRId64 " s old) is left over",
                op->id, age_ms / 1000);
    } else if (age_ms < hold_ms) {
        cm_error("refresh",
                 "instance %s: refresh outcome unknown: the refresh intent marker (%" PRId64
                 " s old) belongs to a process of this host that is gone (%s): it may have spent the refresh token; "
                 "refreshing",
                 op->id, age_ms / 1000, owner);
    } else {
        cm_error("refresh",
                 "instance %s: refresh outcome unknown: another process's refresh intent marker is %" PRId64
                 " s old (hold window %d s): it may have spent the refresh token; refreshing",
                 op->id, age_ms / 1000, op->r->b->cfg->refresh_intent_hold_s);
    }
    op->unknown_before = 1;
    return 1;
}
