/*
 * pg.h - asynchronous PostgreSQL on the h2o event loop (libpq non-blocking API).
 *
 * A pool of N connections owned by one loop thread; queries queue FIFO and run on the first free
 * connection. Connections are (re)established asynchronously (PQconnectStart/PQconnectPoll); a
 * lost connection fails its in-flight query with CM_EIO and is reconnected with backoff. Every
 * query has a timeout (default 5 s); on timeout the callback gets CM_ETIMEDOUT and the connection
 * is reset. The pool wraps a dup() of each libpq socket so libpq closing its fd never breaks the loop.
 *
 * For multi-statement work (transactions, advisory locks) acquire one connection, run queries
 * on it in sequence, and release it.
 */
#ifndef COMMON_PG_H
#define COMMON_PG_H

#ifndef H2O_USE_LIBUV
#define H2O_USE_LIBUV 0
#endif
#include <h2o.h>
#include <libpq-fe.h>

typedef struct cm_pg_pool cm_pg_pool_t;
typedef struct cm_pg_conn cm_pg_conn_t;

/*
 * status: CM_OK with res set (any PGRES_* status: check it), or CM_EIO / CM_ETIMEDOUT /
 * CM_EUNAVAIL (pool has no connection) with res NULL. res is borrowed: PQclear'ed after the callback.
 */
typedef void (*cm_pg_result_cb)(void *arg, int status, PGresult *res);
typedef void (*cm_pg_acquire_cb)(void *arg, int status, cm_pg_conn_t *conn);

/* Creates a pool (connections are opened asynchronously once the loop runs). Caller owns it. */
cm_pg_pool_t *cm_pg_pool_new(h2o_evloop_t *loop, const char *conninfo, int size);
void cm_pg_pool_free(cm_pg_pool_t *pool);
void cm_pg_pool_set_timeout(cm_pg_pool_t *pool, int query_timeout_ms);
/* Connections currently usable (connected and idle or busy). */
int cm_pg_pool_connected(const cm_pg_pool_t *pool);

/*
 * Queues a parameterised query (text params and results; params copied). Returns CM_AGAIN (cb is
 * called exactly once, later) or CM_ENOMEM / CM_EUNAVAIL (queue full) with cb never called.
 */
int cm_pg_query(cm_pg_pool_t *pool, const char *sql, int nparams, const char *const *params, cm_pg_result_cb cb,
                void *arg);

/* Reserves one connection for a sequence of statements. cb gets CM_OK + conn, or an error. Returns CM_AGAIN. */
int cm_pg_acquire(cm_pg_pool_t *pool, cm_pg_acquire_cb cb, void *arg);
/* Runs a query on an acquired connection. Same callback contract as cm_pg_query. */
int cm_pg_conn_query(cm_pg_conn_t *conn, const char *sql, int nparams, const char *const *params, cm_pg_result_cb cb,
                     void *arg);
/* Returns the connection to the pool. If a transaction is still open it is rolled back first. */
void cm_pg_release(cm_pg_conn_t *conn);

#endif
