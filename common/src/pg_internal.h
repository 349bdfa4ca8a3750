/*
 * pg_internal.h - private to the pool's three layers: pg.c (public API) -> pg_conn.c (one connection's state
 * machine) -> pg_queue.c (items, delivery queue, lifetime), and pg_hosts.c (the server list of a multi-host
 * conninfo, used by the first two). Not a contract: nothing outside them includes it.
 */
#ifndef COMMON_PG_INTERNAL_H
#define COMMON_PG_INTERNAL_H

#include "common/metrics.h"
#include "common/pg.h"
#include "common/request_id.h"
#include "common/timer.h"

#include <stdint.h>

#define DEFAULT_TIMEOUT_MS 5000
#define DEFAULT_QUEUE_LIMIT 1024
#define MAX_POOL_SIZE 64

enum item_kind { IT_QUERY, IT_ACQUIRE, IT_ROLLBACK };
enum conn_state { CS_BACKOFF, CS_CONNECTING, CS_IDLE, CS_BUSY };

struct item {
    struct item *next;
    enum item_kind kind;
    cm_pg_result_cb cb;
    cm_pg_acquire_cb acb;
    void *arg;
    int64_t deadline_ms;
    double queued_at;   /* monotonic seconds when it entered the pool's queue (the wait-time metric) */
    int status;         /* result to deliver from pool->done */
    cm_pg_conn_t *conn; /* acquire grant */
    const char *sql;
    int nparams;
    const char **params; /* sql and params live in the same allocation */
    cm_reqid_t reqid;    /* current when the call was made: current again in its callback */
};

struct fifo {
    struct item *head, *tail;
    size_t n;
};

struct cm_pg_conn {
    cm_pg_pool_t *pool;
    int id;
    enum conn_state state;
    PGconn *pg;
    h2o_socket_t *sock; /* wraps a dup() of PQsocket(pg); ours to close */
    cm_timer_t *timer;  /* backoff, connect timeout or query timeout, by state */
    struct item *cur;   /* in flight (BUSY) */
    PGresult *res;      /* last result of cur so far */
    int flushing;
    int attempts; /* failed connects and early losses since the connection was last stable */
    int was_up;
    int64_t up_since_ms;
    int reserved;      /* out of the pool: held, or rolling back after release */
    int held;          /* granted to a user, until cm_pg_release */
    int lost_reserved; /* connection lost while held: the transaction is gone */
    struct fifo q;     /* statements of the holder */
};

/* One rotation of a multi-host conninfo (pg_hosts.c): host i's name and port, and the lists starting with host i. */
struct pg_hosts_rot {
    char *name, *port;             /* host i as libpq reports it (PQhost, PQport; port "" when conninfo has none) */
    char *host, *hostaddr, *ports; /* the lists from host i on (NULL when conninfo has no such list) */
};

struct cm_pg_pool {
    h2o_evloop_t *loop;
    char *conninfo;
    char *hostaddr;             /* host names of conninfo resolved once at creation (NULL: nothing to resolve) */
    struct pg_hosts_rot *hosts; /* nhosts rotations when conninfo names 2 or more hosts, else NULL */
    int nhosts, first_host;     /* attempts start with host first_host */
    int connect_timeout_ms;     /* one connection attempt (conninfo's connect_timeout, else 5 s) */
    cm_pg_conn_t *conns;
    int size;
    int connected;
    int down;
    struct fifo q;    /* waiting for any connection: queries and acquires */
    struct fifo done; /* results to deliver from the kick timer */
    size_t max_queued;
    int timeout_ms;
    cm_timer_t *kick, *qtimer;
    int busy, dead;
    uint64_t rng;
};

static inline void fifo_push(struct fifo *f, struct item *it)
{
    it->next = NULL;
    if (f->tail != NULL)
        f->tail->next = it;
    else
        f->head = it;
    f->tail = it;
    f->n++;
}

static inline struct item *fifo_pop(struct fifo *f)
{
    struct item *it = f->head;
    if (it != NULL) {
        f->head = it->next;
        if (f->head == NULL)
            f->tail = NULL;
        f->n--;
        it->next = NULL;
    }
    return it;
}

/* pg_queue.c (the bottom layer: calls nothing in pg_conn.c or pg.c) */
struct item *cm_pgi_item_new(enum item_kind kind, const char *sql, int nparams, const char *const *params,
                             int timeout_ms);
/* Queues it for delivery (its callback) from the pool's 0 ms kick timer; frees internal items. */
void cm_pgi_deliver_later(cm_pg_pool_t *p, struct item *it, int status);
void cm_pgi_fail_all(cm_pg_pool_t *p, struct fifo *f, int status);
/* Frees the pool, its connections and every queued item without calling a callback. */
void cm_pgi_pool_destroy(cm_pg_pool_t *p);
/* Bracket every loop entry point: a pool freed inside is destroyed by the outermost cm_pgi_leave. */
void cm_pgi_enter(cm_pg_pool_t *p);
void cm_pgi_leave(cm_pg_pool_t *p);

/* pg_hosts.c (a leaf) */
/* Reads connect_timeout and the host/hostaddr/port lists (after p->hostaddr is set). 0, or -1 out of memory. */
int cm_pgi_hosts_init(cm_pg_pool_t *p, const PQconninfoOption *opts);
/* The host, hostaddr and port values of the next attempt (borrowed; NULL: conninfo's own). */
void cm_pgi_hosts_params(const cm_pg_pool_t *p, const char **host, const char **hostaddr, const char **port);
/* An attempt of pg timed out: later attempts start with the host after the one libpq was waiting for. */
void cm_pgi_hosts_skip(cm_pg_pool_t *p, PGconn *pg, int conn_id);
void cm_pgi_hosts_free(cm_pg_pool_t *p);

/* Connection plumbing shared by the pool's connections and the LISTEN connection (pg_conn.c). */
/* The delay before reconnect attempt `attempts` (1, 2, ...): 100 ms doubling up to 5 s, +-25 % jitter from *rng
 * (xorshift64 state, never 0). */
long cm_pgi_backoff_ms(int attempts, uint64_t *rng);
/* Wraps a dup() of pg's current socket in *sock (closing the previous one) for loop, with data. Returns 0 or -1. */
int cm_pgi_sock_wrap(h2o_evloop_t *loop, PGconn *pg, h2o_socket_t **sock, void *data);
/* Closes *sock (our dup only) and finishes *pg; both NULL afterwards. */
void cm_pgi_sock_close(h2o_socket_t **sock, PGconn **pg);

/* pg_conn.c (calls pg_queue.c and pg_hosts.c only; none of these calls a callback, except cm_pgi_deliver) */
/* Sends it on an idle connection (or fails it through cm_pgi_deliver_later). */
void cm_pgi_conn_send(cm_pg_conn_t *c, struct item *it);
/* An idle connection takes its next statement: the holder's, the release ROLLBACK, or pool work. */
void cm_pgi_conn_next(cm_pg_conn_t *c);
/* The connection's timer: reconnect after backoff, connect timeout or query timeout, by state. */
void cm_pgi_conn_on_timer(void *arg);
/* Hands queued pool work to idle, unreserved connections. Never calls a callback. */
void cm_pgi_dispatch(cm_pg_pool_t *p);
/* Calls its callback now and frees it (and res). Only from a loop event, inside cm_pgi_enter/leave. */
void cm_pgi_deliver(cm_pg_pool_t *p, struct item *it, int status, PGresult *res);

#endif
