/*
 * lock.c - the first step of a refresh and of every store retry (refresher_int.h): a pooled connection, BEGIN,
 * and pg_try_advisory_xact_lock on the instance's refresh lock key. Reports LOCKED (op->conn holds the lock in an
 * open transaction), LOCK_BUSY (another holder: the connection was given back) or LOCK_FAILED.
 */
#include "refresh/refresher_int.h"

#include "store/refresh_lock.h"

#include <string.h>

static void lock_failed(rop_t *op, const char *code)
{
    ob_rop_report(op, OB_REV_LOCK_FAILED, code);
}

static void on_lock(void *arg, int status, PGresult *res)
{
    rop_t *op = arg;
    if (!ob_rop_db_ok(status, res, PGRES_TUPLES_OK, op, "taking the refresh lock")) {
        lock_failed(op, "database_unavailable");
        return;
    }
    if (!op->have_start_version) {
        /* the credentials as they were when this operation first looked (a forced refresh compares) */
        snprintf(op->start_version, sizeof(op->start_version), "%s", PQgetvalue(res, 0, 1));
        op->have_start_version = 1;
    }
    if (strcmp(PQgetvalue(res, 0, 0), "t") != 0) {
        /* another replica is refreshing this instance: give the connection back, poll again */
        cm_pg_release(op->conn);
        op->conn = NULL;
        op->r->st.lock_waits++;
        ob_rop_report(op, OB_REV_LOCK_BUSY, NULL);
        return;
    }
    ob_rop_report(op, OB_REV_LOCKED, NULL);
}

/* arg is NULL: the lock statement queued behind BEGIN reports the failure (and owns finishing the op) */
static void on_begin(void *arg, int status, PGresult *res)
{
    (void)arg;
    if (status != CM_OK || PQresultStatus(res) != PGRES_COMMAND_OK)
        cm_warn("refresh", "BEGIN failed: %s", status != CM_OK ? cm_status_str(status) : PQresultErrorMessage(res));
}

static void on_conn(void *arg, int status, cm_pg_conn_t *conn)
{
    rop_t *op = arg;
    if (status != CM_OK) {
        lock_failed(op, "database_unavailable");
        return;
    }
    op->conn = conn;
    const char *p[1] = {op->id};
    /* statements run in order; a failed BEGIN fails the lock statement too */
    if (cm_pg_conn_query(conn, "BEGIN", 0, NULL, on_begin, NULL) != CM_AGAIN ||
        cm_pg_conn_query(conn,
                         "SELECT pg_try_advisory_xact_lock(" OB_REFRESH_LOCK_KEY(
                             "$1") "),"
                                   " (SELECT row_version FROM mcp_credentials WHERE instance_id = $1::uuid)",
                         1, p, on_lock, op) != CM_AGAIN)
        lock_failed(op, "database_unavailable");
}

void ob_rlock_take(rop_t *op)
{
    if (cm_pg_acquire(op->r->b->db, on_conn, op) != CM_AGAIN)
        lock_failed(op, "database_unavailable");
}
