/*
 * pg_listen.c - the LISTEN connection (see pg_listen.h): BACKOFF -> CONNECTING -> SUBSCRIBING (LISTEN sent) -> UP,
 * back to BACKOFF on loss, on a failed LISTEN or on a ping without answer. Like the pool's connections, the loop
 * watches a dup() of libpq's socket (a fresh one after every PQconnectPoll step), so libpq closing its fd never
 * breaks the loop. It borrows the pool's conninfo and resolved host addresses (pg_internal.h) rather than
 * resolving names again on the loop thread.
 */
#include "common/pg_listen.h"

#include "pg_internal.h"
#include "common/log.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CONNECT_TIMEOUT_MS 5000
#define BACKOFF_MIN_MS 100
#define BACKOFF_MAX_MS 5000
#define STABLE_MS 1000 /* up for less than this before the loss: the next attempt backs off */
#define DEFAULT_PING_MS 10000

enum lstate { LS_BACKOFF, LS_CONNECTING, LS_SUBSCRIBING, LS_UP };

struct cm_pg_listener {
    cm_pg_pool_t *pool;
    char listen_sql[80];
    int ping_ms;
    cm_pg_notify_cb on_notify;
    cm_pg_listen_state_cb on_state;
    void *arg;
    enum lstate state;
    PGconn *pg;
    h2o_socket_t *sock; /* wraps a dup() of PQsocket(pg); ours to close */
    cm_timer_t *timer;  /* backoff, connect/LISTEN timeout, next ping or ping timeout, by state */
    int pinging;        /* UP: a ping is in flight */
    int attempts;
    int64_t up_since_ms;
    unsigned long connects;
    uint64_t rng;
};

static void on_readable(h2o_socket_t *sock, const char *err);
static void on_connect_io(h2o_socket_t *sock, const char *err);

static void log_pg(int level, const char *what, const char *msg)
{
    size_t len = msg ? strlen(msg) : 0;
    while (len > 0 && (msg[len - 1] == '\n' || msg[len - 1] == ' '))
        len--;
    cm_log(level, "pg", "listener %s: %.*s", what, (int)len, msg ? msg : "");
}

static void lconn_close(cm_pg_listener_t *l)
{
    if (l->sock != NULL) {
        h2o_socket_close(l->sock); /* closes our dup only */
        l->sock = NULL;
    }
    PQfinish(l->pg);
    l->pg = NULL;
    l->pinging = 0;
}

static int lconn_wrap(cm_pg_listener_t *l)
{
    if (l->sock != NULL) {
        h2o_socket_close(l->sock);
        l->sock = NULL;
    }
    int fd = PQsocket(l->pg) < 0 ? -1 : fcntl(PQsocket(l->pg), F_DUPFD_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    l->sock = h2o_evloop_socket_create(l->pool->loop, fd, H2O_SOCKET_FLAG_DONT_READ);
    l->sock->data = l;
    return 0;
}

static long backoff_ms(cm_pg_listener_t *l)
{
    long ms = BACKOFF_MIN_MS;
    for (int i = 1; i < l->attempts && ms < BACKOFF_MAX_MS; i++)
        ms *= 2;
    l->rng ^= l->rng << 13; /* xorshift64: +-25 % jitter */
    l->rng ^= l->rng >> 7;
    l->rng ^= l->rng << 17;
    ms = ms * 3 / 4 + (long)(l->rng % (uint64_t)(ms / 2 + 1));
    return ms < BACKOFF_MIN_MS ? BACKOFF_MIN_MS : ms > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : ms;
}

/* Drops the connection and schedules the next attempt: at once after a stable session, else with backoff. */
static void lconn_reset(cm_pg_listener_t *l, const char *why)
{
    int was_up = l->state == LS_UP;
    log_pg(l->attempts == 0 ? CM_LOG_WARN : CM_LOG_DEBUG,
           l->state == LS_BACKOFF || l->state == LS_CONNECTING ? "connect failed" : "lost", why);
    lconn_close(l);
    if (l->state == LS_UP && cm_now_ms() - l->up_since_ms >= STABLE_MS)
        l->attempts = 0;
    else
        l->attempts++;
    l->state = LS_BACKOFF;
    cm_timer_start(l->timer, l->attempts ? backoff_ms(l) : 0);
    if (was_up && l->on_state != NULL)
        l->on_state(l->arg, 0);
}

/* Sends sql (LISTEN or the ping) and flushes; the rest of the flush, if any, from the writable callback. */
static void on_writable(h2o_socket_t *sock, const char *err)
{
    cm_pg_listener_t *l = sock->data;
    int r = err == NULL ? PQflush(l->pg) : -1;
    if (r < 0)
        lconn_reset(l, err != NULL ? err : PQerrorMessage(l->pg));
    else if (r == 1)
        h2o_socket_notify_write(l->sock, on_writable);
}

static int lconn_send(cm_pg_listener_t *l, const char *sql)
{
    if (!PQsendQuery(l->pg, sql))
        return -1;
    int r = PQflush(l->pg);
    if (r < 0)
        return -1;
    if (r == 1 && !h2o_socket_is_writing(l->sock))
        h2o_socket_notify_write(l->sock, on_writable);
    return 0;
}

static void on_notice(void *arg, const char *message)
{
    (void)arg;
    log_pg(CM_LOG_DEBUG, "notice", message);
}

static void connect_established(cm_pg_listener_t *l)
{
    if (PQsetnonblocking(l->pg, 1) != 0 || lconn_wrap(l) != 0) {
        lconn_reset(l, "cannot watch the socket");
        return;
    }
    h2o_socket_read_start(l->sock, on_readable);
    l->state = LS_SUBSCRIBING;
    cm_timer_start(l->timer, l->pool->timeout_ms);
    if (lconn_send(l, l->listen_sql) != 0)
        lconn_reset(l, PQerrorMessage(l->pg));
}

static void connect_wait(cm_pg_listener_t *l, PostgresPollingStatusType st)
{
    if (st == PGRES_POLLING_OK) {
        connect_established(l);
        return;
    }
    if (st == PGRES_POLLING_FAILED || lconn_wrap(l) != 0) {
        lconn_reset(l, st == PGRES_POLLING_FAILED ? PQerrorMessage(l->pg) : "no socket");
        return;
    }
    if (st == PGRES_POLLING_READING)
        h2o_socket_read_start(l->sock, on_connect_io);
    else
        h2o_socket_notify_write(l->sock, on_connect_io);
}

static void on_connect_io(h2o_socket_t *sock, const char *err)
{
    cm_pg_listener_t *l = sock->data;
    connect_wait(l, PQconnectPoll(l->pg));
}

static void connect_start(cm_pg_listener_t *l)
{
    /* as the pool's connections: keepalive defaults first so conninfo overrides them, resolved hostaddr last */
    static const char *const keys[] = {
        "keepalives", "keepalives_idle", "keepalives_interval", "keepalives_count", "dbname", "hostaddr", NULL};
    const char *vals[] = {"1", "30", "10", "3", l->pool->conninfo, l->pool->hostaddr, NULL};
    l->pg = PQconnectStartParams(keys, vals, 1);
    if (l->pg == NULL || PQstatus(l->pg) == CONNECTION_BAD) {
        lconn_reset(l, l->pg ? PQerrorMessage(l->pg) : "out of memory");
        return;
    }
    PQsetNoticeProcessor(l->pg, on_notice, l);
    l->state = LS_CONNECTING;
    cm_timer_start(l->timer, CONNECT_TIMEOUT_MS);
    connect_wait(l, PGRES_POLLING_WRITING); /* libpq: "behave as if it last returned WRITING" */
}

/* The statement in flight (LISTEN or a ping) has its results: move on. Returns 0, or -1 after a reset. */
static int statement_done(cm_pg_listener_t *l, ExecStatusType st, const char *msg)
{
    if (l->state == LS_SUBSCRIBING) {
        if (st != PGRES_COMMAND_OK) {
            lconn_reset(l, msg);
            return -1;
        }
        if (l->attempts > 0 || l->connects > 0)
            cm_info("pg", "listener (re)connected: %s", l->listen_sql);
        l->state = LS_UP;
        l->up_since_ms = cm_now_ms();
        l->connects++;
        cm_timer_start(l->timer, l->ping_ms);
        if (l->on_state != NULL)
            l->on_state(l->arg, 1);
        return 0;
    }
    if (st != PGRES_EMPTY_QUERY && st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
        lconn_reset(l, msg);
        return -1;
    }
    l->pinging = 0;
    cm_timer_start(l->timer, l->ping_ms);
    return 0;
}

static void on_readable(h2o_socket_t *sock, const char *err)
{
    cm_pg_listener_t *l = sock->data;
    if (err != NULL || !PQconsumeInput(l->pg) || PQstatus(l->pg) == CONNECTION_BAD) {
        lconn_reset(l, err != NULL ? err : PQerrorMessage(l->pg));
        return;
    }
    if (l->state == LS_SUBSCRIBING || l->pinging) {
        ExecStatusType last = PGRES_EMPTY_QUERY;
        char msg[256] = "";
        int got = 0;
        while (!PQisBusy(l->pg)) {
            PGresult *res = PQgetResult(l->pg);
            if (res == NULL) {
                if (got && statement_done(l, last, msg) != 0)
                    return;
                break;
            }
            got = 1;
            last = PQresultStatus(res);
            snprintf(msg, sizeof(msg), "%s", PQresultErrorMessage(res));
            PQclear(res);
        }
    }
    PGnotify *n;
    while (l->state == LS_UP && (n = PQnotifies(l->pg)) != NULL) {
        if (l->on_notify != NULL)
            l->on_notify(l->arg, n->extra != NULL ? n->extra : "");
        PQfreemem(n);
    }
}

static void on_timer(void *arg)
{
    cm_pg_listener_t *l = arg;
    switch (l->state) {
    case LS_BACKOFF:
        connect_start(l);
        break;
    case LS_CONNECTING:
        lconn_reset(l, "connect timed out");
        break;
    case LS_SUBSCRIBING:
        lconn_reset(l, "LISTEN timed out");
        break;
    case LS_UP:
        if (l->pinging) {
            lconn_reset(l, "ping timed out");
            break;
        }
        if (lconn_send(l, ";") != 0) {
            lconn_reset(l, PQerrorMessage(l->pg));
            break;
        }
        l->pinging = 1;
        cm_timer_start(l->timer, l->pool->timeout_ms);
        break;
    }
}

static int channel_ok(const char *ch)
{
    size_t n = ch ? strlen(ch) : 0;
    if (n == 0 || n > 63)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((ch[i] >= 'a' && ch[i] <= 'z') || (ch[i] >= '0' && ch[i] <= '9') || ch[i] == '_'))
            return 0;
    return 1;
}

cm_pg_listener_t *cm_pg_listener_new(cm_pg_pool_t *pool, const char *channel, int ping_ms, cm_pg_notify_cb on_notify,
                                     cm_pg_listen_state_cb on_state, void *arg)
{
    if (pool == NULL || !channel_ok(channel))
        return NULL;
    cm_pg_listener_t *l = calloc(1, sizeof(*l));
    if (l == NULL)
        return NULL;
    l->pool = pool;
    snprintf(l->listen_sql, sizeof(l->listen_sql), "LISTEN %s", channel);
    l->ping_ms = ping_ms > 0 ? ping_ms : DEFAULT_PING_MS;
    l->on_notify = on_notify;
    l->on_state = on_state;
    l->arg = arg;
    l->state = LS_BACKOFF;
    l->rng = (uint64_t)cm_now_ms() * 0x9E3779B97F4A7C15ull ^ (uint64_t)getpid() ^ (uint64_t)(uintptr_t)l;
    if (l->rng == 0)
        l->rng = 1;
    if ((l->timer = cm_timer_new(pool->loop, on_timer, l)) == NULL) {
        free(l);
        return NULL;
    }
    cm_timer_start(l->timer, 0); /* connect once the loop runs */
    return l;
}

void cm_pg_listener_free(cm_pg_listener_t *l)
{
    if (l == NULL)
        return;
    lconn_close(l);
    cm_timer_free(l->timer);
    free(l);
}

int cm_pg_listener_up(const cm_pg_listener_t *l)
{
    return l != NULL && l->state == LS_UP;
}

unsigned long cm_pg_listener_connects(const cm_pg_listener_t *l)
{
    return l != NULL ? l->connects : 0;
}
