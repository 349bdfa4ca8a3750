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
 *
 * The per-query timeout runs from the cm_pg_query call: time spent waiting in the queue counts.
 * While no connection is up and the last connection attempt failed, the pool is "down": queued and
 * new work fails fast with CM_EUNAVAIL (through the callback) until a connection succeeds again.
 * Reconnects back off 100 ms .. 5 s with jitter. TCP keepalives are on by default (30 s idle, 3 x
 * 10 s probes) unless conninfo says otherwise. libpq would resolve host names synchronously inside
 * every (re)connect: cm_pg_pool_new resolves conninfo's host names once (it is called at start-up,
 * before the loop serves) and connections use the addresses (hostaddr=); a name that does not resolve
 * then is left to libpq. Restart to follow a DNS change of the database host.
 *
 * Several hosts (host=a,b / postgresql://a:1,b:2/db, with target_session_attrs=read-write for a primary and its
 * standbys): libpq tries them in order on every (re)connect. conninfo's connect_timeout (default 5 s, at least 2)
 * bounds one attempt; after an attempt timed out on a host, later attempts start with the next one.
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

/*
 * Creates a pool of size (1..64) connections, opened asynchronously once the loop runs. conninfo
 * (key=value or URI) is copied; NULL when it does not parse. Caller owns the pool.
 */
cm_pg_pool_t *cm_pg_pool_new(h2o_evloop_t *loop, const char *conninfo, int size);
/*
 * Closes every connection and frees the pool. Pending callbacks are never called (also when freed
 * from inside one of the pool's callbacks). Acquired cm_pg_conn_t handles become invalid.
 */
void cm_pg_pool_free(cm_pg_pool_t *pool);
/* Timeout for queries queued from now on (<= 0: the default, 5 s). */
void cm_pg_pool_set_timeout(cm_pg_pool_t *pool, int query_timeout_ms);
/* Bound of the shared wait queue (0: the default, 1024); beyond it cm_pg_query returns CM_EUNAVAIL. */
void cm_pg_pool_set_queue_limit(cm_pg_pool_t *pool, size_t max_queued);
/* Connections currently usable (connected and idle or busy). */
int cm_pg_pool_connected(const cm_pg_pool_t *pool);
/* The pool's size, connections in use (running a statement or held) and requests waiting for one. */
void cm_pg_pool_stats(const cm_pg_pool_t *pool, int *size, int *in_use, size_t *queued);

/*
 * Queues a parameterised query (text params and results; params copied). Returns CM_AGAIN (cb is
 * called exactly once, later) or CM_ENOMEM / CM_EUNAVAIL (queue full) with cb never called.
 */
int cm_pg_query(cm_pg_pool_t *pool, const char *sql, int nparams, const char *const *params, cm_pg_result_cb cb,
                void *arg);

/*
 * Reserves one connection for a sequence of statements. Returns CM_AGAIN (cb called exactly once,
 * later, with CM_OK + conn, or CM_ETIMEDOUT / CM_EUNAVAIL / CM_EIO + NULL), CM_ENOMEM or CM_EUNAVAIL
 * (queue full). The conn is borrowed until cm_pg_release; the holder must release it exactly once.
 */
int cm_pg_acquire(cm_pg_pool_t *pool, cm_pg_acquire_cb cb, void *arg);
/*
 * Runs a query on an acquired connection; statements run in call order. Same callback contract as
 * cm_pg_query. Once the connection was lost or a statement timed out (the transaction is gone),
 * every later statement fails with CM_EIO until release. CM_EINVAL after cm_pg_release.
 */
int cm_pg_conn_query(cm_pg_conn_t *conn, const char *sql, int nparams, const char *const *params, cm_pg_result_cb cb,
                     void *arg);
/*
 * Returns the connection to the pool (statements already queued on it still run and get their
 * callbacks). If a transaction is still open or failed it is rolled back first. Session state set
 * outside a transaction (SET, session advisory locks, temp tables) is NOT reset: holders use
 * SET LOCAL and pg_advisory_xact_lock.
 */
void cm_pg_release(cm_pg_conn_t *conn);

#endif
