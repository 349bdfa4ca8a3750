/*
 * test_pg.c - cm_pg pool against a real PostgreSQL (DATABASE_URL; exit 77 when unset): params, error
 * results, FIFO through a pool of 2, throughput, timeouts (with server-side cancel), acquire +
 * rollback on release, recovery after pg_terminate_backend, an unreachable server (fail fast),
 * queue bound, freeing the pool with pending work (also from inside a callback).
 * Every loop is bounded in time; callbacks must never run inside the call that started them.
 */
#include "cu.h"

#include "common/pg.h"
#include "common/status.h"
#include "common/timer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static h2o_evloop_t *loop;
static const char *db_url;
static int in_call; /* set around cm_pg_* calls: a callback seeing it was called synchronously */
static int sync_callbacks;

static int setup(void)
{
    loop = h2o_evloop_create();
    return loop == NULL;
}

static int teardown(void)
{
    h2o_evloop_run(loop, 0);
    h2o_evloop_destroy(loop);
    return 0;
}

static int run_until_abs(const int *flag, int target, int64_t end)
{
    while (*flag < target && cm_now_ms() < end)
        h2o_evloop_run(loop, 10);
    return *flag >= target;
}

static int run_until(const int *flag, int target, int64_t max_ms)
{
    return run_until_abs(flag, target, cm_now_ms() + cu_wait_ms(max_ms));
}

static void run_for(int64_t ms)
{
    int never = 0;
    run_until_abs(&never, 1, cm_now_ms() + ms);
}

static int wait_connected(cm_pg_pool_t *p, int n, int64_t max_ms)
{
    int64_t end = cm_now_ms() + cu_wait_ms(max_ms);
    while (cm_pg_pool_connected(p) < n && cm_now_ms() < end)
        h2o_evloop_run(loop, 10);
    return cm_pg_pool_connected(p) >= n;
}

/* Runs one statement on a separate blocking connection; returns the first value as an int (or -1). */
static int admin(const char *sql)
{
    PGconn *c = PQconnectdb(db_url);
    int v = -1;
    if (PQstatus(c) == CONNECTION_OK) {
        PGresult *r = PQexec(c, sql);
        if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) > 0)
            v = (int)strtol(PQgetvalue(r, 0, 0), NULL, 10);
        else if (PQresultStatus(r) == PGRES_COMMAND_OK)
            v = 0;
        PQclear(r);
    }
    PQfinish(c);
    return v;
}

struct res {
    int n;
    int status[8];
    ExecStatusType est[8];
    char val[8][64];
    char sqlstate[8][8];
    int64_t at[8];
};

static void on_res(void *arg, int status, PGresult *r)
{
    struct res *x = arg;
    if (in_call)
        sync_callbacks++;
    int i = x->n < 8 ? x->n : 7;
    x->status[i] = status;
    x->at[i] = cm_now_ms();
    if (r != NULL) {
        x->est[i] = PQresultStatus(r);
        if (PQntuples(r) > 0 && PQnfields(r) > 0)
            snprintf(x->val[i], sizeof(x->val[i]), "%s", PQgetvalue(r, 0, 0));
        const char *st = PQresultErrorField(r, PG_DIAG_SQLSTATE);
        snprintf(x->sqlstate[i], sizeof(x->sqlstate[i]), "%s", st ? st : "");
    }
    x->n++;
}

static int query(cm_pg_pool_t *p, const char *sql, int n, const char *const *params, struct res *x)
{
    in_call = 1;
    int rc = cm_pg_query(p, sql, n, params, on_res, x);
    in_call = 0;
    return rc;
}

/* ---- basics ---- */

/* A host name (resolved once by cm_pg_pool_new and passed as hostaddr=) connects, and reconnects after the
 * backend is killed without another lookup on the loop. */
static void test_host_name(void)
{
    const char *at = strstr(db_url, "@127.0.0.1:");
    if (at == NULL) {
        fprintf(stderr, "DATABASE_URL does not use 127.0.0.1: host name test not applicable\n");
        return;
    }
    char url[1024];
    int w = snprintf(url, sizeof(url), "%.*s@localhost:%s", (int)(at - db_url), db_url, at + strlen("@127.0.0.1:"));
    CU_ASSERT_FATAL(w > 0 && (size_t)w < sizeof(url));
    cm_pg_pool_t *p = cm_pg_pool_new(loop, url, 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    struct res x = {0};
    CU_ASSERT_EQUAL(query(p, "SELECT host(inet_server_addr())", 0, NULL, &x), CM_AGAIN);
    CU_ASSERT_TRUE(run_until(&x.n, 1, 5000));
    CU_ASSERT_EQUAL(x.status[0], CM_OK);
    CU_ASSERT(strcmp(x.val[0], "127.0.0.1") == 0 || strcmp(x.val[0], "::1") == 0);
    admin("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND "
          "datname = current_database() AND query LIKE '%inet_server_addr%'");
    run_for(300);
    CU_ASSERT_TRUE(wait_connected(p, 1, 8000));
    CU_ASSERT_EQUAL(query(p, "SELECT 'again'", 0, NULL, &x), CM_AGAIN);
    CU_ASSERT_TRUE(run_until(&x.n, 2, 5000));
    CU_ASSERT_EQUAL(x.status[1], CM_OK);
    CU_ASSERT_STRING_EQUAL(x.val[1], "again");
    /* a name that does not resolve: no pool error at creation, the pool reports itself down later */
    cm_pg_pool_t *bad = cm_pg_pool_new(loop, "postgresql://u@no-such-host.invalid:5432/x?connect_timeout=2", 1);
    CU_ASSERT_PTR_NOT_NULL(bad);
    cm_pg_pool_free(bad);
    cm_pg_pool_free(p);
}

static void test_params(void)
{
    cm_pg_pool_t *p = cm_pg_pool_new(loop, db_url, 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    /* connected first: the first connection of a process can outlast the 5 s connect timeout under valgrind */
    CU_ASSERT_TRUE(wait_connected(p, 1, 5000));
    struct res x = {0};
    const char *params[] = {"41", "h\xc3\xa9llo 'quoted'", NULL};
    CU_ASSERT_EQUAL(
        query(p, "SELECT ($1::int + 1)::text || '|' || $2::text || '|' || ($3::text IS NULL)::text", 3, params, &x),
        CM_AGAIN);
    CU_ASSERT_EQUAL(x.n, 0);
    CU_ASSERT_TRUE(run_until(&x.n, 1, 5000));
    CU_ASSERT_EQUAL(x.status[0], CM_OK);
    CU_ASSERT_EQUAL(x.est[0], PGRES_TUPLES_OK);
    CU_ASSERT_STRING_EQUAL(x.val[0], "42|h\xc3\xa9llo 'quoted'|true");
    CU_ASSERT_EQUAL(cm_pg_pool_connected(p), 1);
    CU_ASSERT_EQUAL(cm_pg_query(p, NULL, 0, NULL, on_res, &x), CM_EINVAL);
    CU_ASSERT_EQUAL(cm_pg_query(p, "SELECT 1", 1, NULL, on_res, &x), CM_EINVAL);
    CU_ASSERT_PTR_NULL(cm_pg_pool_new(loop, "this is not a conninfo", 1));
    CU_ASSERT_PTR_NULL(cm_pg_pool_new(loop, db_url, 0));
    CU_ASSERT_EQUAL(sync_callbacks, 0);
    cm_pg_pool_free(p);
}

static void test_error_result(void)
{
    cm_pg_pool_t *p = cm_pg_pool_new(loop, db_url, 1);
    struct res x = {0};
    query(p, "SELEC 1", 0, NULL, &x);
    query(p, "SELECT 1/0", 0, NULL, &x);
    query(p, "SELECT 'still fine'", 0, NULL, &x);
    CU_ASSERT_TRUE(run_until(&x.n, 3, 5000));
    CU_ASSERT_EQUAL(x.status[0], CM_OK);
    CU_ASSERT_EQUAL(x.est[0], PGRES_FATAL_ERROR);
    CU_ASSERT_STRING_EQUAL(x.sqlstate[0], "42601");
    CU_ASSERT_EQUAL(x.est[1], PGRES_FATAL_ERROR);
    CU_ASSERT_STRING_EQUAL(x.sqlstate[1], "22012");
    CU_ASSERT_EQUAL(x.est[2], PGRES_TUPLES_OK);
    CU_ASSERT_STRING_EQUAL(x.val[2], "still fine");
    CU_ASSERT_EQUAL(cm_pg_pool_connected(p), 1); /* an error result does not reset the connection */
    cm_pg_pool_free(p);
}

/* ---- FIFO through a pool of 2, and throughput ---- */

struct fifo_rec {
    int done, failed;
    int pids[2], last[2], order_ok;
};

static void on_fifo(void *arg, int status, PGresult *r)
{
    struct fifo_rec *f = arg;
    f->done++;
    if (status != CM_OK || PQresultStatus(r) != PGRES_TUPLES_OK) {
        f->failed++;
        return;
    }
    int i = (int)strtol(PQgetvalue(r, 0, 0), NULL, 10), pid = (int)strtol(PQgetvalue(r, 0, 1), NULL, 10);
    int slot = f->pids[0] == pid || f->pids[0] == 0 ? 0 : 1;
    if (f->pids[slot] != 0 && f->pids[slot] != pid)
        f->order_ok = 0; /* a third backend: the pool grew */
    f->pids[slot] = pid;
    if (i <= f->last[slot])
        f->order_ok = 0;
    f->last[slot] = i;
}

static void test_fifo_pool_of_two(void)
{
    cm_pg_pool_t *p = cm_pg_pool_new(loop, db_url, 2);
    CU_ASSERT_TRUE(wait_connected(p, 2, 5000));
    struct fifo_rec f = {.order_ok = 1, .last = {-1, -1}};
    char buf[16];
    for (int i = 0; i < 200; i++) {
        snprintf(buf, sizeof(buf), "%d", i);
        const char *params[] = {buf};
        CU_ASSERT_EQUAL(cm_pg_query(p, "SELECT $1::int, pg_backend_pid()", 1, params, on_fifo, &f), CM_AGAIN);
    }
    CU_ASSERT_TRUE(run_until(&f.done, 200, 10000));
    CU_ASSERT_EQUAL(f.done, 200);
    CU_ASSERT_EQUAL(f.failed, 0);
    CU_ASSERT_TRUE(f.order_ok);
    CU_ASSERT_TRUE(f.pids[0] != 0 && f.pids[1] != 0); /* both connections worked */

    /* throughput: 20000 queries, at most 1000 queued at a time */
    struct fifo_rec g = {.order_ok = 1, .last = {-1, -1}};
    int sent = 0, total = 20000;
    int64_t t0 = cm_now_ms(), end = t0 + 60000;
    while (g.done < total && cm_now_ms() < end) {
        while (sent < total && sent - g.done < 1000) {
            snprintf(buf, sizeof(buf), "%d", sent++);
            const char *params[] = {buf};
            cm_pg_query(p, "SELECT $1::int, pg_backend_pid()", 1, params, on_fifo, &g);
        }
        h2o_evloop_run(loop, 10);
    }
    int64_t ms = cm_now_ms() - t0;
    CU_ASSERT_EQUAL(g.done, total);
    CU_ASSERT_EQUAL(g.failed, 0);
    CU_ASSERT_TRUE(g.order_ok);
    fprintf(stderr, "\n    [pg] %d queries through a pool of 2 in %lld ms = %.0f queries/s\n", total, (long long)ms,
            ms > 0 ? total * 1000.0 / (double)ms : 0.0);
    cm_pg_pool_free(p);
}

static void test_queue_limit(void)
{
    cm_pg_pool_t *p = cm_pg_pool_new(loop, db_url, 1);
    cm_pg_pool_set_queue_limit(p, 3);
    struct res x = {0};
    for (int i = 0; i < 3; i++)
        CU_ASSERT_EQUAL(query(p, "SELECT 1", 0, NULL, &x), CM_AGAIN); /* not connected yet: all wait */
    CU_ASSERT_EQUAL(query(p, "SELECT 1", 0, NULL, &x), CM_EUNAVAIL);
    CU_ASSERT_TRUE(run_until(&x.n, 3, 5000));
    run_for(50);
    CU_ASSERT_EQUAL(x.n, 3);
    for (int i = 0; i < 3; i++)
        CU_ASSERT_EQUAL(x.status[i], CM_OK);
    cm_pg_pool_free(p);
}

/* ---- timeouts ---- */

static void test_timeout(void)
{
    cm_pg_pool_t *p = cm_pg_pool_new(loop, db_url, 1);
    CU_ASSERT_TRUE(wait_connected(p, 1, 5000));
    cm_pg_pool_set_timeout(p, 300);
    struct res x = {0};
    int64_t t0 = cm_now_ms();
    query(p, "SELECT pg_sleep(5) /* cm_pg_test_sleep */", 0, NULL, &x);
    query(p, "SELECT 'queued behind the sleeper'", 0, NULL, &x); /* waits in the queue, same deadline */
    CU_ASSERT_TRUE(run_until(&x.n, 2, 3000));
    CU_ASSERT_EQUAL(x.status[0], CM_ETIMEDOUT);
    CU_ASSERT_EQUAL(x.status[1], CM_ETIMEDOUT);
    CU_ASSERT_TRUE(x.at[0] - t0 >= 300);
    CU_ASSERT_TRUE(x.at[0] - t0 < 1000);

    cm_pg_pool_set_timeout(p, 5000);
    query(p, "SELECT 'after reset'", 0, NULL, &x);
    CU_ASSERT_TRUE(run_until(&x.n, 3, 5000));
    CU_ASSERT_EQUAL(x.status[2], CM_OK);
    CU_ASSERT_STRING_EQUAL(x.val[2], "after reset");

    /* the server-side cancel stopped the sleeping backend (not 5 s later) */
    int left = -1;
    for (int i = 0; i < 20 && left != 0; i++) {
        left = admin("SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%cm_pg_test_sleep%' "
                     "AND pid <> pg_backend_pid() AND state = 'active'");
        if (left != 0)
            run_for(50);
    }
    CU_ASSERT_EQUAL(left, 0);
    cm_pg_pool_free(p);
}

/* ---- acquire / transactions ---- */

struct tx {
    cm_pg_pool_t *pool;
    cm_pg_conn_t *conn;
    int acquired, acquire_status;
    struct res r;     /* statements on the acquired connection */
    struct res after; /* pool queries */
    int step;
};

static void on_acquired(void *arg, int status, cm_pg_conn_t *conn)
{
    struct tx *t = arg;
    if (in_call)
        sync_callbacks++;
    t->acquired++;
    t->acquire_status = status;
    t->conn = conn;
}

static int conn_query(cm_pg_conn_t *c, const char *sql, struct res *x)
{
    in_call = 1;
    int rc = cm_pg_conn_query(c, sql, 0, NULL, on_res, x);
    in_call = 0;
    return rc;
}

static void test_acquire_rollback(void)
{
    CU_ASSERT_EQUAL_FATAL(admin("DROP TABLE IF EXISTS cm_pg_test_tx; CREATE TABLE cm_pg_test_tx (id int)"), 0);
    struct tx t = {0};
    t.pool = cm_pg_pool_new(loop, db_url, 1);
    in_call = 1;
    CU_ASSERT_EQUAL(cm_pg_acquire(t.pool, on_acquired, &t), CM_AGAIN);
    in_call = 0;
    CU_ASSERT_TRUE(run_until(&t.acquired, 1, 5000));
    CU_ASSERT_EQUAL_FATAL(t.acquire_status, CM_OK);

    /* the only connection is reserved: pool work waits until release */
    query(t.pool, "SELECT count(*) FROM cm_pg_test_tx", 0, NULL, &t.after);
    CU_ASSERT_EQUAL(conn_query(t.conn, "BEGIN", &t.r), CM_AGAIN);
    CU_ASSERT_EQUAL(conn_query(t.conn, "INSERT INTO cm_pg_test_tx VALUES (1)", &t.r), CM_AGAIN);
    CU_ASSERT_EQUAL(conn_query(t.conn, "SELECT count(*) FROM cm_pg_test_tx", &t.r), CM_AGAIN);
    CU_ASSERT_TRUE(run_until(&t.r.n, 3, 5000));
    CU_ASSERT_STRING_EQUAL(t.r.val[2], "1"); /* visible inside the transaction */
    CU_ASSERT_EQUAL(t.after.n, 0);
    cm_pg_release(t.conn); /* no COMMIT: rolled back */
    CU_ASSERT_EQUAL(cm_pg_conn_query(t.conn, "SELECT 1", 0, NULL, on_res, &t.r), CM_EINVAL);
    CU_ASSERT_TRUE(run_until(&t.after.n, 1, 5000));
    CU_ASSERT_EQUAL(t.after.status[0], CM_OK);
    CU_ASSERT_STRING_EQUAL(t.after.val[0], "0");

    /* a failed transaction (INERROR) released with statements still queued: they run, then ROLLBACK */
    memset(&t.r, 0, sizeof(t.r));
    t.acquired = 0;
    cm_pg_acquire(t.pool, on_acquired, &t);
    CU_ASSERT_TRUE(run_until(&t.acquired, 1, 5000));
    CU_ASSERT_EQUAL_FATAL(t.acquire_status, CM_OK);
    conn_query(t.conn, "BEGIN", &t.r);
    conn_query(t.conn, "INSERT INTO cm_pg_test_tx VALUES (2)", &t.r);
    conn_query(t.conn, "SELECT 1/0", &t.r);
    cm_pg_release(t.conn); /* before any of them ran */
    query(t.pool, "SELECT 'usable', (SELECT count(*) FROM cm_pg_test_tx)", 0, NULL, &t.after);
    CU_ASSERT_TRUE(run_until(&t.after.n, 2, 5000));
    CU_ASSERT_EQUAL(t.r.n, 3);
    CU_ASSERT_EQUAL(t.r.est[2], PGRES_FATAL_ERROR);
    CU_ASSERT_EQUAL(t.after.status[1], CM_OK);
    CU_ASSERT_EQUAL(t.after.est[1], PGRES_TUPLES_OK); /* not "current transaction is aborted" */
    CU_ASSERT_EQUAL(admin("SELECT count(*) FROM cm_pg_test_tx"), 0);
    CU_ASSERT_EQUAL(sync_callbacks, 0);
    cm_pg_pool_free(t.pool);
    admin("DROP TABLE IF EXISTS cm_pg_test_tx");
}

/* Deadlines on a held connection: statements that expired while waiting behind a slow one fail
 * without being sent (and do not stall the rest); a statement that times out while running resets
 * the connection, so the transaction is gone and everything after it fails with CM_EIO. */
static void test_held_conn_timeouts(void)
{
    struct tx t = {0};
    t.pool = cm_pg_pool_new(loop, db_url, 1);
    cm_pg_acquire(t.pool, on_acquired, &t);
    CU_ASSERT_TRUE(run_until(&t.acquired, 1, 5000));
    CU_ASSERT_EQUAL_FATAL(t.acquire_status, CM_OK);
    conn_query(t.conn, "SELECT pg_sleep(0.3)", &t.r);
    cm_pg_pool_set_timeout(t.pool, 100);
    conn_query(t.conn, "SELECT 2", &t.r);
    conn_query(t.conn, "SELECT 3", &t.r);
    CU_ASSERT_TRUE(run_until(&t.r.n, 3, 3000));
    CU_ASSERT_EQUAL(t.r.status[0], CM_OK);
    CU_ASSERT_EQUAL(t.r.status[1], CM_ETIMEDOUT);
    CU_ASSERT_EQUAL(t.r.status[2], CM_ETIMEDOUT);

    cm_pg_pool_set_timeout(t.pool, 200);
    conn_query(t.conn, "SELECT pg_sleep(2)", &t.r);
    conn_query(t.conn, "SELECT 5", &t.r);
    CU_ASSERT_TRUE(run_until(&t.r.n, 5, 3000));
    CU_ASSERT_EQUAL(t.r.status[3], CM_ETIMEDOUT);
    CU_ASSERT_EQUAL(t.r.status[4], CM_EIO);
    conn_query(t.conn, "SELECT 6", &t.r); /* still held, but its session is gone */
    CU_ASSERT_TRUE(run_until(&t.r.n, 6, 3000));
    CU_ASSERT_EQUAL(t.r.status[5], CM_EIO);
    cm_pg_release(t.conn);

    cm_pg_pool_set_timeout(t.pool, 5000);
    query(t.pool, "SELECT 'pool again'", 0, NULL, &t.after);
    CU_ASSERT_TRUE(run_until(&t.after.n, 1, 5000));
    CU_ASSERT_EQUAL(t.after.status[0], CM_OK);
    CU_ASSERT_EQUAL(sync_callbacks, 0);
    cm_pg_pool_free(t.pool);
}

/* ---- connection loss ---- */

static void test_backend_killed(void)
{
    run_for(300); /* the previous test's cancel request (a short-lived thread with a socket) is done */
    int fds = cu_count_fds();
    cm_pg_pool_t *p = cm_pg_pool_new(loop, db_url, 2);
    CU_ASSERT_TRUE(wait_connected(p, 2, 5000));
    struct res x = {0};
    int64_t t0 = cm_now_ms();
    query(p, "SELECT pg_sleep(5) /* cm_pg_test_kill */", 0, NULL, &x);
    query(p, "SELECT pg_sleep(5) /* cm_pg_test_kill */", 0, NULL, &x);
    int busy = 0;
    for (int i = 0; i < 40 && busy < 2; i++) {
        run_for(25);
        busy = admin("SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%cm_pg_test_kill%' "
                     "AND pid <> pg_backend_pid() AND state = 'active'");
    }
    CU_ASSERT_EQUAL(busy, 2);
    admin("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE query LIKE '%cm_pg_test_kill%' "
          "AND pid <> pg_backend_pid()");
    int64_t t_kill = cm_now_ms();
    CU_ASSERT_TRUE(run_until(&x.n, 2, 3000));
    CU_ASSERT_EQUAL(x.status[0], CM_EIO);
    CU_ASSERT_EQUAL(x.status[1], CM_EIO);
    /* failed by the kill, not after the 5 s sleep (the polling above is slow under memcheck: measured from the kill) */
    CU_ASSERT_TRUE(cm_now_ms() - t_kill < 3000);
    CU_ASSERT_TRUE(cm_now_ms() - t0 < 5000 || cu_wait_ms(1) > 1);

    struct res y = {0};
    for (int i = 0; i < 6; i++)
        query(p, "SELECT 'back'", 0, NULL, &y);
    CU_ASSERT_TRUE(run_until(&y.n, 6, 5000));
    for (int i = 0; i < 6; i++) {
        CU_ASSERT_EQUAL(y.status[i], CM_OK);
        CU_ASSERT_STRING_EQUAL(y.val[i], "back");
    }
    CU_ASSERT_TRUE(wait_connected(p, 2, 5000));

    /* idle connections killed too: noticed, reconnected, and work goes on */
    struct res pids = {0};
    query(p, "SELECT pg_backend_pid() FROM pg_sleep(0.2)", 0, NULL, &pids);
    query(p, "SELECT pg_backend_pid() FROM pg_sleep(0.2)", 0, NULL, &pids);
    CU_ASSERT_TRUE(run_until(&pids.n, 2, 5000));
    char sql[256];
    snprintf(sql, sizeof(sql), "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE pid IN (%s, %s)",
             pids.val[0], pids.val[1]);
    CU_ASSERT_EQUAL(admin(sql), 2);
    run_for(200);
    struct res z = {0};
    query(p, "SELECT 'again'", 0, NULL, &z);
    CU_ASSERT_TRUE(run_until(&z.n, 1, 5000));
    CU_ASSERT_EQUAL(z.status[0], CM_OK);
    CU_ASSERT_EQUAL(sync_callbacks, 0);
    cm_pg_pool_free(p);
    run_for(20);
    if (cu_count_fds() != fds)
        fprintf(stderr, "fds: %d before, %d after\n", fds, cu_count_fds());
    CU_ASSERT_EQUAL(cu_count_fds(), fds); /* every dup() and libpq socket closed after four reconnects */
}

struct retrier {
    cm_pg_pool_t *pool;
    int failures;
};

static void on_retry(void *arg, int status, PGresult *res)
{
    struct retrier *r = arg;
    if (status != CM_OK)
        r->failures++;
    cm_pg_query(r->pool, "SELECT 1", 0, NULL, on_retry, r);
}

static void test_server_unreachable(void)
{
    cm_pg_pool_t *p = cm_pg_pool_new(loop, "postgresql://postgres@127.0.0.1:1/postgres", 2);
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    struct res x = {0};
    int64_t t0 = cm_now_ms();
    CU_ASSERT_EQUAL(query(p, "SELECT 1", 0, NULL, &x), CM_AGAIN);
    CU_ASSERT_EQUAL(x.n, 0);
    CU_ASSERT_TRUE(run_until(&x.n, 1, 3000));
    CU_ASSERT_EQUAL(x.status[0], CM_EUNAVAIL);
    CU_ASSERT_TRUE(cm_now_ms() - t0 < 1000);
    /* while down, new work fails fast, but never synchronously */
    CU_ASSERT_EQUAL(query(p, "SELECT 1", 0, NULL, &x), CM_AGAIN);
    CU_ASSERT_EQUAL(x.n, 1);
    CU_ASSERT_TRUE(run_until(&x.n, 2, 1000));
    CU_ASSERT_EQUAL(x.status[1], CM_EUNAVAIL);
    struct tx t = {0};
    cm_pg_acquire(p, on_acquired, &t);
    CU_ASSERT_TRUE(run_until(&t.acquired, 1, 1000));
    CU_ASSERT_EQUAL(t.acquire_status, CM_EUNAVAIL);
    CU_ASSERT_PTR_NULL(t.conn);
    CU_ASSERT_EQUAL(cm_pg_pool_connected(p), 0);

    /* a caller retrying at once on every failure must not spin inside one loop iteration */
    struct retrier r = {p, 0};
    cm_pg_query(p, "SELECT 1", 0, NULL, on_retry, &r);
    for (int i = 0; i < 5; i++)
        h2o_evloop_run(loop, 10);
    CU_ASSERT_TRUE(r.failures >= 2);
    CU_ASSERT_TRUE(r.failures <= 6);
    CU_ASSERT_EQUAL(sync_callbacks, 0);
    cm_pg_pool_free(p); /* drops the pending retry */
}

/* ---- freeing with pending work ---- */

struct freer {
    cm_pg_pool_t *pool;
    int calls;
};

static void on_free_pool(void *arg, int status, PGresult *r)
{
    struct freer *f = arg;
    f->calls++;
    cm_pg_pool_free(f->pool);
}

static void test_free_pending(void)
{
    struct res x = {0};
    cm_pg_pool_t *p = cm_pg_pool_new(loop, db_url, 1);
    CU_ASSERT_TRUE(wait_connected(p, 1, 5000));
    for (int i = 0; i < 5; i++)
        query(p, "SELECT pg_sleep(0.05)", 0, NULL, &x);
    cm_pg_pool_free(p);
    run_for(300);
    CU_ASSERT_EQUAL(x.n, 0);

    /* freed from inside a callback: the rest is dropped silently */
    struct freer f = {0};
    f.pool = cm_pg_pool_new(loop, db_url, 2);
    CU_ASSERT_TRUE(wait_connected(f.pool, 2, 5000));
    cm_pg_query(f.pool, "SELECT 1", 0, NULL, on_free_pool, &f);
    for (int i = 0; i < 5; i++)
        query(f.pool, "SELECT pg_sleep(0.05)", 0, NULL, &x);
    int64_t end = cm_now_ms() + 3000;
    while (f.calls == 0 && cm_now_ms() < end)
        h2o_evloop_run(loop, 10);
    run_for(300);
    CU_ASSERT_EQUAL(f.calls, 1);
    CU_ASSERT_EQUAL(x.n, 0);
}

void tests_register(void)
{
    db_url = getenv("DATABASE_URL");
    if (db_url == NULL || db_url[0] == '\0') {
        fprintf(stderr, "DATABASE_URL not set: skipping\n");
        exit(77);
    }
    CU_SUITE("pg", setup, teardown, {"params", test_params}, {"host_name", test_host_name},
             {"error_result", test_error_result}, {"fifo_pool_of_two", test_fifo_pool_of_two},
             {"queue_limit", test_queue_limit}, {"timeout", test_timeout}, {"acquire_rollback", test_acquire_rollback},
             {"held_conn_timeouts", test_held_conn_timeouts}, {"backend_killed", test_backend_killed},
             {"server_unreachable", test_server_unreachable}, {"free_pending", test_free_pending});
}
