/*
 * pq_util.c - blocking libpq helpers for the start-up database code.
 */
#include "db/pq_util.h"
#include "db/migrate.h"

#include "common/status.h"

#include <stdio.h>
#include <string.h>

/* Copies s into out (bounded), turning line breaks into spaces and dropping trailing ones. */
static void one_line(char *out, size_t outsz, const char *s)
{
    snprintf(out, outsz, "%s", s ? s : "");
    for (char *p = out; *p; p++)
        if (*p == '\n' || *p == '\r' || *p == '\t')
            *p = ' ';
    size_t n = strlen(out);
    while (n > 0 && out[n - 1] == ' ')
        out[--n] = '\0';
}

int ob_pq_fail(const PGresult *res, char *err, size_t errsz, const char *what)
{
    char msg[256], detail[256];
    const char *primary = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    one_line(msg, sizeof(msg), primary ? primary : (res ? PQresultErrorMessage(res) : "out of memory"));
    one_line(detail, sizeof(detail), res ? PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL) : NULL);
    if (msg[0] == '\0' && res != NULL)
        snprintf(msg, sizeof(msg), "unexpected result %s", PQresStatus(PQresultStatus(res)));
    if (detail[0] != '\0')
        snprintf(err, errsz, "%s: %s (%s)", what, msg, detail);
    else
        snprintf(err, errsz, "%s: %s", what, msg);
    return CM_EIO;
}

int ob_pq_params(PGconn *conn, const char *sql, int n, const char *const *params, ExecStatusType want, PGresult **out,
                 const char *what, char *err, size_t errsz)
{
    PGresult *res = PQexecParams(conn, sql, n, NULL, params, NULL, NULL, 0);
    *out = NULL;
    if (PQresultStatus(res) != want) {
        int rc = ob_pq_fail(res, err, errsz, what);
        PQclear(res);
        return rc;
    }
    *out = res;
    return CM_OK;
}

int ob_pq_exec(PGconn *conn, const char *sql, const char *what, char *err, size_t errsz)
{
    PGresult *res = PQexec(conn, sql);
    int rc = CM_OK;
    if (PQresultStatus(res) != PGRES_COMMAND_OK && PQresultStatus(res) != PGRES_TUPLES_OK)
        rc = ob_pq_fail(res, err, errsz, what);
    PQclear(res);
    return rc;
}

void ob_pq_rollback(PGconn *conn)
{
    if (PQtransactionStatus(conn) != PQTRANS_IDLE)
        PQclear(PQexec(conn, "ROLLBACK"));
}

static int advisory(PGconn *conn, const char *fn, char *err, size_t errsz)
{
    char sql[96];
    snprintf(sql, sizeof(sql), "SELECT %s(%lld)", fn, (long long)OB_MIGRATE_LOCK_KEY);
    PGresult *res = PQexec(conn, sql);
    int rc = CM_OK;
    if (PQresultStatus(res) != PGRES_TUPLES_OK)
        rc = ob_pq_fail(res, err, errsz, fn);
    PQclear(res);
    return rc;
}

int ob_pq_advisory_lock(PGconn *conn, char *err, size_t errsz)
{
    return advisory(conn, "pg_advisory_lock", err, errsz);
}

void ob_pq_advisory_unlock(PGconn *conn)
{
    char ignored[8];
    advisory(conn, "pg_advisory_unlock", ignored, sizeof(ignored));
}

int ob_pq_advisory_xact_lock(PGconn *conn, char *err, size_t errsz)
{
    return advisory(conn, "pg_advisory_xact_lock", err, errsz);
}
