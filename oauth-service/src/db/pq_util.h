/*
 * pq_util.h - small blocking-libpq helpers shared by the start-up database code (oauth-service/src/db).
 * Blocking: start-up only, never on the event loop.
 */
#ifndef OB_DB_PQ_UTIL_H
#define OB_DB_PQ_UTIL_H

#include <libpq-fe.h>
#include <stddef.h>

/* Runs sql (no parameters). Returns CM_OK, or CM_EIO with "<what>: <error>" in err. */
int ob_pq_exec(PGconn *conn, const char *sql, const char *what, char *err, size_t errsz);

/* Writes "<what>: <primary message> (<detail>)" from a failed result into err (one line) and
 * returns CM_EIO. Does not clear res. */
int ob_pq_fail(const PGresult *res, char *err, size_t errsz, const char *what);

/* Runs sql with n text parameters. CM_OK with the result in *out (caller PQclears) when its status is want; else
 * CM_EIO with "<what>: <error>" in err and *out NULL. */
int ob_pq_params(PGconn *conn, const char *sql, int n, const char *const *params, ExecStatusType want, PGresult **out,
                 const char *what, char *err, size_t errsz);

/* ROLLBACK when conn is inside a transaction; otherwise nothing. */
void ob_pq_rollback(PGconn *conn);

/* Session advisory lock OB_MIGRATE_LOCK_KEY (waits for other replicas). CM_OK or CM_EIO. */
int ob_pq_advisory_lock(PGconn *conn, char *err, size_t errsz);
void ob_pq_advisory_unlock(PGconn *conn);
/* The same key as a transaction-level lock (released by COMMIT / ROLLBACK). */
int ob_pq_advisory_xact_lock(PGconn *conn, char *err, size_t errsz);

#endif
