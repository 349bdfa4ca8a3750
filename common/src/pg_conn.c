/*
 * pg_conn.c - one pooled connection: BACKOFF -> CONNECTING -> IDLE <-> BUSY, back to BACKOFF on loss
 * or timeout (see pg.c for the pool); idle connections take the pool's queued work (cm_pgi_dispatch), and
 * results reach their callbacks (cm_pgi_deliver). libpq owns its socket; the loop watches a dup() of it, a fresh
 * one after every PQconnectPoll step since the socket may change while connecting.
 */
#include "pg_internal.h"
#include "common/log.h"
#include "common/status.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#define BACKOFF_MIN_MS 100
#define BACKOFF_MAX_MS 5000
#define STABLE_MS 1000 /* a connection lost sooner than this counts as a failed attempt (backoff) */
#define MAX_CANCEL_THREADS 4

static atomic_int cancels_running;

static void conn_reset(cm_pg_conn_t *c, int fail_status, const char *why);
static void on_conn_readable(h2o_socket_t *sock, const char *err);
static void on_conn_writable(h2o_socket_t *sock, const char *err);

/* ---------------------------------------------------------------- connections */

static void log_pg_error(int level, cm_pg_conn_t *c, const char *what, const char *msg)
{
    size_t len = msg ? strlen(msg) : 0;
    while (len > 0 && (msg[len - 1] == '\n' || msg[len - 1] == ' '))
        len--;
    cm_log(level, "pg", "connection %d %s: %.*s", c->id, what, (int)len, msg ? msg : "");
}

static void *cancel_main(void *arg)
{
    char errbuf[256];
    PQcancel(arg, errbuf, sizeof(errbuf));
    PQfreeCancel(arg);
    atomic_fetch_sub(&cancels_running, 1);
    return NULL;
}

/* Asks the server to cancel the running statement of pg, without blocking the loop. Best effort. */
static void cancel_backend(PGconn *pg)
{
    pthread_attr_t attr;
    pthread_t tid;
    PGcancel *cancel;

    if (atomic_fetch_add(&cancels_running, 1) >= MAX_CANCEL_THREADS)
        goto out_undo_count;
    if ((cancel = PQgetCancel(pg)) == NULL)
        goto out_undo_count;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    int rc = pthread_create(&tid, &attr, cancel_main, cancel);
    pthread_attr_destroy(&attr);
    if (rc != 0)
        goto out_free_cancel;
    return;

out_free_cancel:
    PQfreeCancel(cancel);
out_undo_count:
    atomic_fetch_sub(&cancels_running, 1);
}

void cm_pgi_sock_close(h2o_socket_t **sock, PGconn **pg)
{
    if (*sock != NULL) {
        h2o_socket_close(*sock); /* closes our dup only */
        *sock = NULL;
    }
    PQfinish(*pg);
    *pg = NULL;
}

int cm_pgi_sock_wrap(h2o_evloop_t *loop, PGconn *pg, h2o_socket_t **sock, void *data)
{
    if (*sock != NULL) {
        h2o_socket_close(*sock);
        *sock = NULL;
    }
    int fd = PQsocket(pg) < 0 ? -1 : fcntl(PQsocket(pg), F_DUPFD_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    *sock = h2o_evloop_socket_create(loop, fd, H2O_SOCKET_FLAG_DONT_READ);
    (*sock)->data = data;
    return 0;
}

long cm_pgi_backoff_ms(int attempts, uint64_t *rng)
{
    long ms = BACKOFF_MIN_MS;
    for (int i = 1; i < attempts && ms < BACKOFF_MAX_MS; i++)
        ms *= 2;
    *rng ^= *rng << 13; /* xorshift64 */
    *rng ^= *rng >> 7;
    *rng ^= *rng << 17;
    ms = ms * 3 / 4 + (long)(*rng % (uint64_t)(ms / 2 + 1));
    return ms < BACKOFF_MIN_MS ? BACKOFF_MIN_MS : ms > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : ms;
}

static void conn_close(cm_pg_conn_t *c)
{
    cm_pgi_sock_close(&c->sock, &c->pg);
    c->flushing = 0;
}

static int conn_wrap(cm_pg_conn_t *c)
{
    return cm_pgi_sock_wrap(c->pool->loop, c->pg, &c->sock, c);
}

static void connect_failed(cm_pg_conn_t *c, const char *why)
{
    cm_pg_pool_t *p = c->pool;
    log_pg_error(c->attempts == 0 ? CM_LOG_WARN : CM_LOG_DEBUG, c, "connect failed", why);
    conn_close(c);
    c->state = CS_BACKOFF;
    c->attempts++;
    cm_timer_start(c->timer, cm_pgi_backoff_ms(c->attempts, &p->rng));
    if (p->connected == 0) {
        p->down = 1;
        cm_pgi_fail_all(p, &p->q, CM_EUNAVAIL);
    }
}

static void connect_established(cm_pg_conn_t *c)
{
    cm_pg_pool_t *p = c->pool;
    if (PQsetnonblocking(c->pg, 1) != 0 || conn_wrap(c) != 0) {
        connect_failed(c, "cannot watch the socket");
        return;
    }
    h2o_socket_read_start(c->sock, on_conn_readable);
    cm_timer_stop(c->timer);
    if (c->was_up || c->attempts > 0)
        cm_info("pg", "connection %d (re)established (%s:%s)", c->id, PQhost(c->pg), PQport(c->pg));
    c->state = CS_IDLE;
    c->up_since_ms = cm_now_ms(); /* attempts is cleared once the connection proved stable */
    c->was_up = 1;
    p->connected++;
    p->down = 0;
    cm_pgi_conn_next(c);
}

static void on_connect_io(h2o_socket_t *sock, const char *err);

/* Advances PQconnectPoll and waits on a fresh wrapper of whatever socket libpq uses now. */
static void connect_wait(cm_pg_conn_t *c, PostgresPollingStatusType st)
{
    if (st == PGRES_POLLING_OK) {
        connect_established(c);
        return;
    }
    if (st == PGRES_POLLING_FAILED) {
        connect_failed(c, PQerrorMessage(c->pg));
        return;
    }
    if (conn_wrap(c) != 0) {
        connect_failed(c, "no socket");
        return;
    }
    if (st == PGRES_POLLING_READING)
        h2o_socket_read_start(c->sock, on_connect_io);
    else
        h2o_socket_notify_write(c->sock, on_connect_io);
}

static void on_connect_io(h2o_socket_t *sock, const char *err)
{
    cm_pg_conn_t *c = sock->data;
    cm_pgi_enter(c->pool);
    connect_wait(c, PQconnectPoll(c->pg));
    cm_pgi_leave(c->pool);
}

static void on_notice(void *arg, const char *message)
{
    log_pg_error(CM_LOG_DEBUG, arg, "notice", message);
}

static void connect_start(cm_pg_conn_t *c)
{
    /* keepalive defaults come before the expanded conninfo, so the caller's settings override them */
    static const char *const keys[] = {"keepalives",
                                       "keepalives_idle",
                                       "keepalives_interval",
                                       "keepalives_count",
                                       "dbname",
                                       "hostaddr",
                                       "host",
                                       "port",
                                       NULL};
    /* hostaddr (resolved at pool creation, see resolve_hosts in pg.c) after the conninfo, so no DNS here; several
     * hosts: the lists rotated to start where the pool left off (pg_hosts.c); a NULL value keeps conninfo's */
    const char *vals[] = {"1", "30", "10", "3", c->pool->conninfo, NULL, NULL, NULL, NULL};
    cm_pgi_hosts_params(c->pool, &vals[6], &vals[5], &vals[7]);
    c->pg = PQconnectStartParams(keys, vals, 1);
    if (c->pg == NULL || PQstatus(c->pg) == CONNECTION_BAD) {
        connect_failed(c, c->pg ? PQerrorMessage(c->pg) : "out of memory");
        return;
    }
    PQsetNoticeProcessor(c->pg, on_notice, c);
    c->state = CS_CONNECTING;
    cm_timer_start(c->timer, c->pool->connect_timeout_ms);
    connect_wait(c, PGRES_POLLING_WRITING); /* libpq: "behave as if it last returned WRITING" */
}

/* Drops the connection (loss or timeout): fails what it carried and reconnects, at once when it had
 * been up for a while, else after a backoff (a server that drops every new session gets no storm). */
static void conn_reset(cm_pg_conn_t *c, int fail_status, const char *why)
{
    cm_pg_pool_t *p = c->pool;
    int was_rollback = c->cur != NULL && c->cur->kind == IT_ROLLBACK;
    if (c->state == CS_IDLE || c->state == CS_BUSY) {
        p->connected--;
        log_pg_error(CM_LOG_WARN, c, "reset", why);
    }
    if (c->cur != NULL)
        cm_pgi_deliver_later(p, c->cur, fail_status);
    c->cur = NULL;
    PQclear(c->res);
    c->res = NULL;
    conn_close(c);
    if (c->reserved) {
        cm_pgi_fail_all(p, &c->q, CM_EIO); /* the transaction is gone: later statements must not run */
        if (!c->held || was_rollback)
            c->reserved = 0;
        else
            c->lost_reserved = 1;
    }
    c->state = CS_BACKOFF;
    if (cm_now_ms() - c->up_since_ms >= STABLE_MS)
        c->attempts = 0;
    else
        c->attempts++;
    cm_timer_start(c->timer, c->attempts ? cm_pgi_backoff_ms(c->attempts, &p->rng) : 0);
}

static void conn_flush(cm_pg_conn_t *c)
{
    int r = PQflush(c->pg);
    if (r < 0) {
        conn_reset(c, CM_EIO, PQerrorMessage(c->pg));
        return;
    }
    c->flushing = r == 1;
    if (c->flushing && !h2o_socket_is_writing(c->sock))
        h2o_socket_notify_write(c->sock, on_conn_writable);
}

static void on_conn_writable(h2o_socket_t *sock, const char *err)
{
    cm_pg_conn_t *c = sock->data;
    cm_pgi_enter(c->pool);
    if (c->flushing && c->state == CS_BUSY)
        conn_flush(c);
    cm_pgi_leave(c->pool);
}

/* Sends it on an idle connection. */
void cm_pgi_conn_send(cm_pg_conn_t *c, struct item *it)
{
    int64_t left = it->deadline_ms - cm_now_ms();
    if (left <= 0) {
        cm_pgi_deliver_later(c->pool, it, CM_ETIMEDOUT);
        return;
    }
    int ok = it->kind == IT_ROLLBACK ? PQsendQuery(c->pg, "ROLLBACK")
                                     : PQsendQueryParams(c->pg, it->sql, it->nparams, NULL, it->params, NULL, NULL, 0);
    c->cur = it;
    c->state = CS_BUSY;
    if (!ok) {
        conn_reset(c, CM_EIO, PQerrorMessage(c->pg));
        return;
    }
    cm_timer_start(c->timer, (long)left);
    conn_flush(c);
}

static void release_finish(cm_pg_conn_t *c)
{
    cm_pg_pool_t *p = c->pool;
    PGTransactionStatusType ts = PQtransactionStatus(c->pg);
    if (ts == PQTRANS_INTRANS || ts == PQTRANS_INERROR) {
        struct item *it = cm_pgi_item_new(IT_ROLLBACK, NULL, 0, NULL, p->timeout_ms);
        if (it != NULL) {
            cm_pgi_conn_send(c, it); /* reserved until the ROLLBACK completes */
            return;
        }
    }
    c->reserved = 0;
    if (ts != PQTRANS_IDLE) /* could not roll back, or unknown state: start over */
        conn_reset(c, CM_EIO, "released in an unknown transaction state");
    else
        cm_pgi_dispatch(p);
}

/* An idle connection looks for its next statement. */
void cm_pgi_conn_next(cm_pg_conn_t *c)
{
    if (c->state != CS_IDLE)
        return;
    if (!c->reserved) {
        cm_pgi_dispatch(c->pool);
        return;
    }
    while (c->state == CS_IDLE && c->q.head != NULL) /* a statement past its deadline is failed, not sent */
        cm_pgi_conn_send(c, fifo_pop(&c->q));
    if (c->state == CS_IDLE && !c->held)
        release_finish(c);
}

/* Completes finished statements; delivers results. */
static void conn_drain(cm_pg_conn_t *c)
{
    cm_pg_pool_t *p = c->pool;
    while (!p->dead && c->state == CS_BUSY && !PQisBusy(c->pg)) {
        PGresult *r = PQgetResult(c->pg);
        if (r != NULL) {
            PQclear(c->res);
            c->res = r;
            continue;
        }
        struct item *it = c->cur;
        PGresult *res = c->res;
        c->cur = NULL;
        c->res = NULL;
        c->state = CS_IDLE;
        cm_timer_stop(c->timer);
        if (it->kind == IT_ROLLBACK) {
            int ok = res != NULL && PQresultStatus(res) == PGRES_COMMAND_OK;
            PQclear(res);
            free(it);
            c->reserved = 0;
            if (!ok) {
                conn_reset(c, CM_EIO, "rollback on release failed");
                return;
            }
        } else if (res == NULL) {
            cm_pgi_deliver_later(p, it, CM_EIO);
        } else {
            cm_pgi_deliver(p, it, CM_OK, res); /* may re-enter: query, release, free */
        }
        if (!p->dead)
            cm_pgi_conn_next(c);
    }
}

static void on_conn_readable(h2o_socket_t *sock, const char *err)
{
    cm_pg_conn_t *c = sock->data;
    cm_pg_pool_t *p = c->pool;
    PGnotify *n;
    cm_pgi_enter(p);
    if (!PQconsumeInput(c->pg) || PQstatus(c->pg) == CONNECTION_BAD) {
        conn_reset(c, CM_EIO, PQerrorMessage(c->pg));
        goto out_leave;
    }
    while ((n = PQnotifies(c->pg)) != NULL)
        PQfreemem(n);
    if (c->flushing) {
        conn_flush(c);
        if (c->state != CS_BUSY)
            goto out_leave;
    }
    conn_drain(c);
out_leave:
    cm_pgi_leave(p);
}

void cm_pgi_conn_on_timer(void *arg)
{
    cm_pg_conn_t *c = arg;
    cm_pgi_enter(c->pool);
    switch (c->state) {
    case CS_BACKOFF:
        connect_start(c);
        break;
    case CS_CONNECTING:
        cm_pgi_hosts_skip(c->pool, c->pg, c->id);
        connect_failed(c, "timed out");
        break;
    case CS_BUSY:
        cancel_backend(c->pg);
        conn_reset(c, CM_ETIMEDOUT, "query timed out");
        break;
    case CS_IDLE:
        break;
    }
    cm_pgi_leave(c->pool);
}

/* ---------------------------------------------------------------- handing out work */

static cm_pg_conn_t *idle_conn(cm_pg_pool_t *p)
{
    for (int i = 0; i < p->size; i++)
        if (p->conns[i].state == CS_IDLE && !p->conns[i].reserved)
            return &p->conns[i];
    return NULL;
}

void cm_pgi_dispatch(cm_pg_pool_t *p)
{
    static cm_metric_family_t *wait;
    if (wait == NULL)
        wait = cm_histogram("pg_pool_wait_seconds",
                            "Time a query or connection request waited in the PostgreSQL pool's queue.", NULL);
    cm_pg_conn_t *c;
    while (p->q.head != NULL && (c = idle_conn(p)) != NULL) {
        struct item *it = fifo_pop(&p->q);
        cm_metric_observe(cm_metric_series(wait, NULL), cm_metrics_now() - it->queued_at);
        if (it->kind == IT_ACQUIRE) {
            c->reserved = c->held = 1;
            it->conn = c;
            cm_pgi_deliver_later(p, it, CM_OK);
        } else {
            cm_pgi_conn_send(c, it);
        }
    }
}

/* Calls the user's callback and frees it. Only from a loop event with p->busy held. */
void cm_pgi_deliver(cm_pg_pool_t *p, struct item *it, int status, PGresult *res)
{
    cm_reqid_t saved;
    cm_reqid_switch(&it->reqid, &saved);
    if (it->kind == IT_ACQUIRE) {
        cm_pg_conn_t *c = it->conn;
        if (status == CM_OK && c->lost_reserved) { /* lost between grant and delivery */
            c->reserved = c->held = c->lost_reserved = 0;
            status = CM_EIO;
            cm_pgi_dispatch(p);
        }
        it->acb(it->arg, status, status == CM_OK ? c : NULL);
    } else {
        it->cb(it->arg, status, res);
    }
    cm_reqid_restore(&saved);
    PQclear(res);
    free(it);
}
