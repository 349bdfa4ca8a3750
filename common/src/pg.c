/*
 * pg.c - asynchronous PostgreSQL pool on the h2o evloop (libpq non-blocking API): the public API, the pool's
 * queue deadlines and the delivery timer. Layers: pg.c -> pg_conn.c (one connection's state machine, and
 * handing work to idle connections) -> pg_queue.c (work items, delivery queue, pool lifetime); calls go only
 * downward.
 *
 * Each connection is a small state machine: BACKOFF -> CONNECTING -> IDLE <-> BUSY, and back to
 * BACKOFF on loss or timeout. libpq owns its socket; we wrap a dup() of it (a fresh one after every
 * PQconnectPoll step, since the socket may change while connecting), so libpq closing its fd never
 * pulls an fd from under the loop.
 *
 * Callback discipline: user callbacks run only from loop events (socket readable, timers), never
 * from inside a cm_pg_* call. Successful results are delivered from the readable handler; every
 * failure, and every acquire grant, goes through pool->done (delivered by the 0 ms kick timer), so
 * the state transitions themselves never call out. Each entry point increments pool->busy; a pool
 * freed from inside a callback is destroyed when the outermost handler unwinds.
 *
 * Outage policy: a failed connection attempt while no connection is up marks the pool "down":
 * queued work fails with CM_EUNAVAIL at once and new work fails fast (still via the callback) until
 * a connection succeeds. Reconnects back off 100 ms .. 5 s with jitter, so replicas sharing one
 * server do not reconnect in lockstep after it restarts. A timed-out query also gets a server-side
 * cancel (PQcancel is blocking in PG 15, so it runs on a short-lived detached thread, at most
 * MAX_CANCEL_THREADS at a time) so its backend does not keep running after the reset.
 */
#include "pg_internal.h"
#include "common/log.h"
#include "common/status.h"

#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* ---------------------------------------------------------------- pool lifetime */

static void on_kick(void *arg)
{
    cm_pg_pool_t *p = arg;
    /* only what was due when the timer fired: a callback that retries at once (and fails at once,
     * e.g. while the pool is down) waits for the next loop iteration instead of spinning here */
    struct fifo batch = p->done;
    struct item *it;
    memset(&p->done, 0, sizeof(p->done));
    cm_pgi_enter(p);
    while ((it = fifo_pop(&batch)) != NULL) {
        if (p->dead)
            free(it); /* freed from a callback: the rest is dropped */
        else
            cm_pgi_deliver(p, it, it->status, NULL);
    }
    cm_pgi_leave(p);
}

/* Fails queued work whose deadline passed and re-arms for the earliest remaining one. */
static void on_qtimer(void *arg)
{
    cm_pg_pool_t *p = arg;
    int64_t now = cm_now_ms(), earliest = INT64_MAX;
    struct fifo keep = {0};
    struct item *it;
    cm_pgi_enter(p);
    while ((it = fifo_pop(&p->q)) != NULL) {
        if (it->deadline_ms <= now) {
            cm_pgi_deliver_later(p, it, CM_ETIMEDOUT);
            continue;
        }
        if (it->deadline_ms < earliest)
            earliest = it->deadline_ms;
        fifo_push(&keep, it);
    }
    p->q = keep;
    if (keep.n > 0)
        cm_timer_start(p->qtimer, (long)(earliest - now));
    cm_pgi_leave(p);
}

void cm_pg_pool_stats(const cm_pg_pool_t *p, int *size, int *in_use, size_t *queued)
{
    int used = 0;
    for (int i = 0; i < p->size; i++)
        used += p->conns[i].state == CS_BUSY || p->conns[i].reserved;
    *size = p->size;
    *in_use = used;
    *queued = p->q.n;
}

/* ---------------------------------------------------------------- queueing */

static int pool_enqueue(cm_pg_pool_t *p, struct item *it)
{
    if (p->down) {
        cm_pgi_deliver_later(p, it, CM_EUNAVAIL);
        return CM_AGAIN;
    }
    it->queued_at = cm_metrics_now();
    fifo_push(&p->q, it);
    if (!cm_timer_armed(p->qtimer))
        cm_timer_start(p->qtimer, (long)(it->deadline_ms - cm_now_ms()));
    cm_pgi_dispatch(p);
    return CM_AGAIN;
}

/*
 * libpq resolves host names inside PQconnectStart, synchronously: on the loop thread every reconnect
 * would wait on DNS. So the names of conninfo's host= (each of a comma-separated list; unix-socket
 * paths and names already given a hostaddr are left alone) are resolved once, here, when the pool is
 * created at start-up, and every connection attempt passes them as hostaddr= (host= still serves
 * authentication and TLS verification). Returns a malloc'ed hostaddr list or NULL (nothing to resolve,
 * or a name that does not resolve now: then libpq resolves it itself, as before, and the error it
 * reports names the host).
 */
static char *resolve_hosts(const PQconninfoOption *opts)
{
    const char *host = NULL, *hostaddr = NULL;
    for (const PQconninfoOption *o = opts; o->keyword != NULL; o++) {
        if (strcmp(o->keyword, "host") == 0)
            host = o->val;
        else if (strcmp(o->keyword, "hostaddr") == 0)
            hostaddr = o->val;
    }
    if (host == NULL || host[0] == '\0' || (hostaddr != NULL && hostaddr[0] != '\0'))
        return NULL;
    size_t cap = 4096, len = 0;
    char *out = malloc(cap);
    if (out == NULL)
        return NULL;
    int any_name = 0;
    for (const char *h = host; *h != '\0';) {
        size_t n = strcspn(h, ",");
        char name[256];
        char num[NI_MAXHOST] = "";
        if (n == 0 || n >= sizeof(name) || h[0] == '/' || h[0] == '@')
            goto out_none; /* a socket directory (or an oddity): leave the whole list to libpq */
        memcpy(name, h, n);
        name[n] = '\0';
        struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *ai = NULL;
        hints.ai_flags = AI_NUMERICHOST;
        if (getaddrinfo(name, NULL, &hints, &ai) == 0) { /* already an address */
            freeaddrinfo(ai);
            snprintf(num, sizeof(num), "%s", name);
        } else {
            hints.ai_flags = AI_ADDRCONFIG;
            if (getaddrinfo(name, NULL, &hints, &ai) != 0 || ai == NULL)
                goto out_none;
            int rc = getnameinfo(ai->ai_addr, ai->ai_addrlen, num, sizeof(num), NULL, 0, NI_NUMERICHOST);
            freeaddrinfo(ai);
            if (rc != 0)
                goto out_none;
            any_name = 1;
        }
        int w = snprintf(out + len, cap - len, "%s%s", len ? "," : "", num);
        if (w < 0 || (size_t)w >= cap - len)
            goto out_none;
        len += (size_t)w;
        h += n;
        if (*h == ',')
            h++;
    }
    if (any_name)
        return out;
out_none:
    free(out);
    return NULL;
}

/* ---------------------------------------------------------------- public */

cm_pg_pool_t *cm_pg_pool_new(h2o_evloop_t *loop, const char *conninfo, int size)
{
    if (loop == NULL || conninfo == NULL || size < 1 || size > MAX_POOL_SIZE)
        return NULL;
    cm_pg_pool_t *p = calloc(1, sizeof(*p));
    if (p == NULL)
        return NULL;
    p->loop = loop;
    p->timeout_ms = DEFAULT_TIMEOUT_MS;
    p->max_queued = DEFAULT_QUEUE_LIMIT;
    p->rng = (uint64_t)cm_now_ms() * 0x9E3779B97F4A7C15ull ^ (uint64_t)getpid() ^ (uint64_t)(uintptr_t)p;
    if (p->rng == 0)
        p->rng = 1;
    char *err = NULL;
    PQconninfoOption *opts = PQconninfoParse(conninfo, &err);
    if (opts == NULL) {
        cm_error("pg", "invalid connection string: %s", err ? err : "out of memory");
        PQfreemem(err);
        goto out_destroy_pool;
    }
    p->hostaddr = resolve_hosts(opts);
    int hosts_rc = cm_pgi_hosts_init(p, opts);
    PQconninfoFree(opts);
    if (hosts_rc != 0)
        goto out_destroy_pool;
    if ((p->conninfo = strdup(conninfo)) == NULL)
        goto out_destroy_pool;
    if ((p->conns = calloc((size_t)size, sizeof(*p->conns))) == NULL)
        goto out_destroy_pool;
    if ((p->kick = cm_timer_new(loop, on_kick, p)) == NULL || (p->qtimer = cm_timer_new(loop, on_qtimer, p)) == NULL)
        goto out_destroy_pool;
    for (int i = 0; i < size; i++) {
        cm_pg_conn_t *c = &p->conns[i];
        c->pool = p;
        c->id = i;
        c->state = CS_BACKOFF;
        if ((c->timer = cm_timer_new(loop, cm_pgi_conn_on_timer, c)) == NULL)
            goto out_destroy_pool;
        p->size++;                   /* counts initialised connections for cm_pgi_pool_destroy */
        cm_timer_start(c->timer, 0); /* connect once the loop runs */
    }
    return p;

out_destroy_pool:
    cm_pgi_pool_destroy(p);
    return NULL;
}

void cm_pg_pool_free(cm_pg_pool_t *pool)
{
    if (pool == NULL || pool->dead)
        return;
    pool->dead = 1;
    if (pool->busy == 0)
        cm_pgi_pool_destroy(pool);
}

void cm_pg_pool_set_timeout(cm_pg_pool_t *pool, int query_timeout_ms)
{
    pool->timeout_ms = query_timeout_ms > 0 ? query_timeout_ms : DEFAULT_TIMEOUT_MS;
}

void cm_pg_pool_set_queue_limit(cm_pg_pool_t *pool, size_t max_queued)
{
    pool->max_queued = max_queued > 0 ? max_queued : DEFAULT_QUEUE_LIMIT;
}

int cm_pg_pool_connected(const cm_pg_pool_t *pool)
{
    return pool ? pool->connected : 0;
}

static int check_query_args(const char *sql, int nparams, const char *const *params)
{
    return sql != NULL && nparams >= 0 && nparams <= 65535 && (nparams == 0 || params != NULL);
}

int cm_pg_query(cm_pg_pool_t *pool, const char *sql, int nparams, const char *const *params, cm_pg_result_cb cb,
                void *arg)
{
    if (pool == NULL || pool->dead || cb == NULL || !check_query_args(sql, nparams, params))
        return CM_EINVAL;
    if (pool->q.n >= pool->max_queued)
        return CM_EUNAVAIL;
    struct item *it = cm_pgi_item_new(IT_QUERY, sql, nparams, params, pool->timeout_ms);
    if (it == NULL)
        return CM_ENOMEM;
    it->cb = cb;
    it->arg = arg;
    return pool_enqueue(pool, it);
}

int cm_pg_acquire(cm_pg_pool_t *pool, cm_pg_acquire_cb cb, void *arg)
{
    if (pool == NULL || pool->dead || cb == NULL)
        return CM_EINVAL;
    if (pool->q.n >= pool->max_queued)
        return CM_EUNAVAIL;
    struct item *it = cm_pgi_item_new(IT_ACQUIRE, NULL, 0, NULL, pool->timeout_ms);
    if (it == NULL)
        return CM_ENOMEM;
    it->acb = cb;
    it->arg = arg;
    return pool_enqueue(pool, it);
}

int cm_pg_conn_query(cm_pg_conn_t *conn, const char *sql, int nparams, const char *const *params, cm_pg_result_cb cb,
                     void *arg)
{
    if (conn == NULL || conn->pool->dead || !conn->held || cb == NULL || !check_query_args(sql, nparams, params))
        return CM_EINVAL;
    struct item *it = cm_pgi_item_new(IT_QUERY, sql, nparams, params, conn->pool->timeout_ms);
    if (it == NULL)
        return CM_ENOMEM;
    it->cb = cb;
    it->arg = arg;
    if (conn->lost_reserved) {
        cm_pgi_deliver_later(conn->pool, it, CM_EIO);
        return CM_AGAIN;
    }
    fifo_push(&conn->q, it);
    cm_pgi_conn_next(conn);
    return CM_AGAIN;
}

void cm_pg_release(cm_pg_conn_t *conn)
{
    if (conn == NULL || !conn->held)
        return;
    conn->held = 0;
    if (conn->lost_reserved || (conn->state != CS_IDLE && conn->state != CS_BUSY)) {
        conn->reserved = conn->lost_reserved = 0; /* the server already rolled back */
        cm_pgi_dispatch(conn->pool);
        return;
    }
    cm_pgi_conn_next(conn); /* finishes now when idle, else after the holder's last statement */
}
