/*
 * pg_queue.c - the bottom layer of the PostgreSQL pool (pg.c): work items, the delivery queue the kick timer
 * drains, failing a queue, and the pool's lifetime bracket (a pool freed from inside a callback is destroyed when
 * the outermost loop entry point unwinds). Calls nothing in pg_conn.c or pg.c (only the leaf pg_hosts.c).
 */
#include "pg_internal.h"

#include <stdlib.h>
#include <string.h>

struct item *cm_pgi_item_new(enum item_kind kind, const char *sql, int nparams, const char *const *params,
                             int timeout_ms)
{
    size_t sql_len = sql ? strlen(sql) + 1 : 0, size = sizeof(struct item) + (size_t)nparams * sizeof(char *) + sql_len;
    for (int i = 0; i < nparams; i++)
        size += params[i] ? strlen(params[i]) + 1 : 0;
    struct item *it = calloc(1, size);
    if (it == NULL)
        return NULL;
    it->kind = kind;
    cm_reqid_capture(&it->reqid);
    it->deadline_ms = cm_now_ms() + timeout_ms;
    it->nparams = nparams;
    it->params = (const char **)(it + 1);
    char *w = (char *)(it->params + nparams);
    if (sql != NULL) {
        memcpy(w, sql, sql_len);
        it->sql = w;
        w += sql_len;
    }
    for (int i = 0; i < nparams; i++) {
        if (params[i] == NULL)
            continue;
        size_t len = strlen(params[i]) + 1;
        memcpy(w, params[i], len);
        it->params[i] = w;
        w += len;
    }
    return it;
}

/* Queues it for delivery from the kick timer (next loop iteration). */
void cm_pgi_deliver_later(cm_pg_pool_t *p, struct item *it, int status)
{
    if (it->kind == IT_ROLLBACK) { /* internal: nobody to tell */
        free(it);
        return;
    }
    it->status = status;
    fifo_push(&p->done, it);
    if (!cm_timer_armed(p->kick))
        cm_timer_start(p->kick, 0);
}

void cm_pgi_fail_all(cm_pg_pool_t *p, struct fifo *f, int status)
{
    struct item *it;
    while ((it = fifo_pop(f)) != NULL)
        cm_pgi_deliver_later(p, it, status);
}

void cm_pgi_pool_destroy(cm_pg_pool_t *p)
{
    struct item *it;
    for (int i = 0; i < p->size; i++) {
        cm_pg_conn_t *c = &p->conns[i];
        cm_timer_free(c->timer);
        free(c->cur);
        PQclear(c->res);
        if (c->sock != NULL)
            h2o_socket_close(c->sock);
        PQfinish(c->pg);
        while ((it = fifo_pop(&c->q)) != NULL)
            free(it);
    }
    while ((it = fifo_pop(&p->q)) != NULL)
        free(it);
    while ((it = fifo_pop(&p->done)) != NULL)
        free(it);
    cm_timer_free(p->kick);
    cm_timer_free(p->qtimer);
    free(p->conninfo);
    free(p->hostaddr);
    cm_pgi_hosts_free(p);
    free(p->conns);
    free(p);
}

void cm_pgi_enter(cm_pg_pool_t *p)
{
    p->busy++;
}

void cm_pgi_leave(cm_pg_pool_t *p)
{
    if (--p->busy == 0 && p->dead)
        cm_pgi_pool_destroy(p);
}
