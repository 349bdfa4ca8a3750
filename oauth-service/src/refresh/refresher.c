/*
 * refresher.c - single-flight, lock-protected, rotation-safe refresh (see refresher.h): operations, the
 * advisory lock, the row read under it, the provider call and the proactive schedule. What happens with the
 * provider's answer is refresh_store.c.
 */
#include "refresh/refresher_int.h"
#include "store/refresh_lock.h"

#include "keys/keys.h"
#include "providers/host_api.h"
#include "push/pusher.h"
#include "store/cred_crypto.h"
#include "store/instance_cache.h"

#include "common/crypto.h"
#include "common/log.h"
#include "common/status.h"
#include "common/timer.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LOCK_POLL_MS 50

/* ---- operation lifecycle ---- */

static void free_waiters(waiter_t *w)
{
    while (w) {
        waiter_t *n = w->next;
        free(w);
        w = n;
    }
}

static void op_free(rop_t *op)
{
    ob_refresher_t *r = op->r;
    if (op->prev)
        op->prev->next = op->next;
    else
        r->ops = op->next;
    if (op->next)
        op->next->prev = op->prev;
    if (op->running)
        r->running--;
    if (op->ts.access_token != NULL && op->recovering)
        cm_error("refresh", "instance %s: abandoned with refreshed tokens not stored", op->id);
    free_waiters(op->waiters);
    free_waiters(op->forced);
    if (op->conn)
        cm_pg_release(op->conn);
    cm_timer_free(op->lock_timer);
    ob_host_token_set_clear(&op->ts);
    cm_secure_free(op->spent_rt, 0);
    free(op);
}

static void start_queued(ob_refresher_t *r)
{
    for (rop_t *op = r->ops; op && r->running < ob_rop_concurrency(r); op = op->next) {
        if (!op->running) {
            op->running = 1;
            r->running++;
            ob_rop_start(op);
            return; /* start may finish synchronously and change the list: one per call, re-entered by finish */
        }
    }
}

/* A new operation, appended (FIFO for the concurrency queue), started when there is room. Owns waiters. */
static rop_t *op_new(ob_refresher_t *r, const char *id, unsigned flags, waiter_t *waiters)
{
    rop_t *op = calloc(1, sizeof(*op));
    if (op == NULL)
        return NULL;
    op->r = r;
    snprintf(op->id, sizeof(op->id), "%s", id);
    op->flags = flags;
    op->waiters = waiters;
    op->lock_deadline_ms = cm_now_ms() + r->b->cfg->refresh_lock_wait_ms;
    rop_t **tail = &r->ops, *prev = NULL;
    while (*tail) {
        prev = *tail;
        tail = &(*tail)->next;
    }
    op->prev = prev;
    *tail = op;
    if (r->running < ob_rop_concurrency(r)) {
        op->running = 1;
        r->running++;
        ob_rop_start(op); /* every completion path is asynchronous (CM_AGAIN contract), except errors */
    }
    return op;
}

/* Schedules the next proactive look at op's instance after the outcome. */
static void reschedule(rop_t *op)
{
    ob_refresher_t *r = op->r;
    switch (op->res.outcome) {
    case OB_REFRESH_REFRESHED:
    case OB_REFRESH_FRESH:
        ob_refresher_schedule(r, op->id,
                              op->res.outcome == OB_REFRESH_REFRESHED ? op->ts.expires_at : op->token_expires_at);
        break;
    case OB_REFRESH_TRANSIENT:
        if (op->res.backoff_ms > 0)
            ob_heap_schedule(r->heap, op->id, cm_now_ms() + op->res.backoff_ms);
        break;
    default:
        ob_heap_remove(r->heap, op->id);
    }
}

static void answer(waiter_t *ws, const ob_refresh_result_t *res)
{
    while (ws) {
        waiter_t *w = ws;
        ws = w->next;
        if (w->cb)
            w->cb(w->arg, res);
        free(w);
    }
}

void ob_rop_answer_early(rop_t *op, const char *code)
{
    waiter_t *ws = op->waiters, *fs = op->forced;
    op->waiters = op->forced = NULL;
    ob_refresh_result_t res = {.outcome = OB_REFRESH_TRANSIENT, .error_code = code, .backoff_ms = 0};
    answer(ws, &res);
    answer(fs, &res);
}

/* Releases the connection, answers every waiter, frees op, starts the next queued operation. */
void ob_rop_finish(rop_t *op, int outcome, const char *code)
{
    ob_refresher_t *r = op->r;
    ob_broker_t *b = r->b;
    op->res.outcome = outcome;
    if (code != NULL && op->code != code)
        snprintf(op->code, sizeof(op->code), "%s", code);
    op->res.error_code = op->code;
    ob_intent_finish(op);
    if (op->conn) {
        cm_pg_release(op->conn);
        op->conn = NULL;
    }
    switch (outcome) {
    case OB_REFRESH_REFRESHED:
        r->st.refreshed++;
        break;
    case OB_REFRESH_FRESH:
        r->st.fresh++;
        break;
    case OB_REFRESH_TRANSIENT:
        r->st.transient++;
        break;
    case OB_REFRESH_PERMANENT:
        r->st.permanent++;
        break;
    }
    /* FRESH too: another replica (or writer) stored a token this process may still have cached as expired */
    if (outcome == OB_REFRESH_REFRESHED || outcome == OB_REFRESH_PERMANENT || outcome == OB_REFRESH_FRESH)
        ob_icache_invalidate(b->instances, op->id);
    if (outcome == OB_REFRESH_REFRESHED)
        ob_push_token(b->pusher, op->service, op->id, op->ts.access_token, op->ts.expires_at,
                      op->push_status[0] ? op->push_status : NULL, op->event_version);
    else if (outcome == OB_REFRESH_PERMANENT && op->pushed_status)
        ob_push_invalidate(b->pusher, op->service, op->id, "needs_reauth", op->event_version);
    reschedule(op);
    /* detach the waiters first: a callback may request again (a new operation) */
    waiter_t *ws = op->waiters, *forced = op->forced;
    unsigned forced_flags = op->flags | OB_REFRESH_FORCE | OB_REFRESH_IGNORE_BACKOFF;
    op->waiters = op->forced = NULL;
    ob_refresh_result_t res = op->res;
    char codebuf[64], id[37];
    memcpy(codebuf, op->code, sizeof(codebuf));
    memcpy(id, op->id, sizeof(id));
    res.error_code = codebuf;
    op_free(op);
    if (forced != NULL && outcome == OB_REFRESH_REFRESHED) {
        answer(forced, &res); /* a refresh that ran after they asked: as good as their own */
    } else if (forced != NULL && !r->closing) {
        /* forced requests joined an unforced operation that did not refresh: their own forced one now */
        if (op_new(r, id, forced_flags, forced) == NULL) {
            ob_refresh_result_t oom = {.outcome = OB_REFRESH_TRANSIENT, .error_code = "out_of_memory"};
            answer(forced, &oom);
        }
    } else {
        free_waiters(forced);
    }
    answer(ws, &res);
    start_queued(r);
    ob_rsched_arm(r);
}

int ob_rop_db_ok(int status, PGresult *res, ExecStatusType want, rop_t *op, const char *what)
{
    if (status == CM_OK && PQresultStatus(res) == want)
        return 1;
    cm_warn("refresh", "instance %s: %s failed: %s", op->id, what,
            status != CM_OK ? cm_status_str(status) : PQresultErrorMessage(res));
    return 0;
}

/* ---- the provider call ---- */

static void on_tokens(void *arg, int status, op_token_set_t *tokens, const op_error_t *err)
{
    rop_t *op = arg;
    if (op->r->closing) {
        if (tokens != NULL)
            ob_host_token_set_clear(tokens);
        return; /* ob_refresher_free releases the op */
    }
    if (status == OP_OK && tokens != NULL && tokens->access_token != NULL) {
        op->ts = *tokens; /* take the members */
        memset(tokens, 0, sizeof(*tokens));
        ob_rstore_tokens(op);
        return;
    }
    if (tokens != NULL)
        ob_host_token_set_clear(tokens);
    ob_rstore_failure(op, err, 1);
}

/* Columns of the row read under the lock. */
enum {
    C_SERVICE,
    C_STATUS,
    C_INST_EXP,
    C_CLIENT_ID,
    C_SECRET,
    C_SECRET_KID,
    C_RT,
    C_RT_KID,
    C_TOKEN_EXP,
    C_VERSION,
    C_OPTIONS,
    C_FAILURES,
    C_NEXT_AT,
    C_UNKNOWN,
    C_REQ_FAILURES,
    C_MARKER_SET,
    C_MARKER_OWNER,
    C_MARKER_AGE_MS
};

static void on_row(void *arg, int status, PGresult *res)
{
    rop_t *op = arg;
    ob_broker_t *b = op->r->b;
    if (!ob_rop_db_ok(status, res, PGRES_TUPLES_OK, op, "reading the credentials under the lock")) {
        ob_rop_finish(op, OB_REFRESH_TRANSIENT, "database_unavailable");
        return;
    }
    if (PQntuples(res) == 0) {
        ob_rop_finish(op, OB_REFRESH_GONE, "instance_not_found");
        return;
    }
    int64_t now = ob_now();
    snprintf(op->service, sizeof(op->service), "%s", PQgetvalue(res, 0, C_SERVICE));
    snprintf(op->row_version, sizeof(op->row_version), "%s", PQgetvalue(res, 0, C_VERSION));
    op->token_expires_at = strtoll(PQgetvalue(res, 0, C_TOKEN_EXP), NULL, 10);
    op->failures = (int)strtol(PQgetvalue(res, 0, C_FAILURES), NULL, 10);
    op->request_failures = (int)strtol(PQgetvalue(res, 0, C_REQ_FAILURES), NULL, 10);
    int64_t inst_exp = strtoll(PQgetvalue(res, 0, C_INST_EXP), NULL, 10);
    int64_t wait_ms = strtoll(PQgetvalue(res, 0, C_NEXT_AT), NULL, 10); /* left of the backoff, <= 0: none */
    op->unknown_before |= strcmp(PQgetvalue(res, 0, C_UNKNOWN), "t") == 0;
    if (op->unknown_before && op->marker_state == OB_MARKER_NONE) /* once: the row is read again after the marker */
        cm_warn("refresh",
                "instance %s: an earlier refresh's outcome is unknown; row re-read under the lock "
                "(row_version %s)",
                op->id, op->row_version);
    if (strcmp(PQgetvalue(res, 0, C_STATUS), "active") != 0 || (inst_exp != 0 && inst_exp <= now)) {
        ob_rop_finish(op, OB_REFRESH_UNREFRESHABLE, "instance_not_active");
        return;
    }
    if (PQgetisnull(res, 0, C_RT)) {
        ob_rop_finish(op, OB_REFRESH_UNREFRESHABLE, "no_refresh_token");
        return;
    }
    if (!(op->flags & OB_REFRESH_FORCE) &&
        (op->token_expires_at == 0 || op->token_expires_at - now > b->cfg->refresh_margin_s)) {
        ob_rop_finish(op, OB_REFRESH_FRESH, NULL); /* refreshed meanwhile (another replica) or never expires */
        return;
    }
    if ((op->flags & OB_REFRESH_FORCE) && op->have_start_version && strcmp(op->start_version, op->row_version) != 0) {
        /* forced, but new credentials were stored since it was asked for (another replica's refresh, most
         * likely, while this one waited for the lock): that answers it, without spending the token again */
        cm_info("refresh", "instance %s: credentials changed while the forced refresh waited (row_version %s -> %s)",
                op->id, op->start_version, op->row_version);
        ob_rop_finish(op, OB_REFRESH_FRESH, NULL);
        return;
    }
    if (op->token_expires_at != 0 && op->token_expires_at <= now && wait_ms > b->cfg->refresh_expired_max_ms)
        wait_ms = 0; /* a long backoff set while the token was valid: now that it expired, probe (failures set a
                        backoff within refresh.expired_backoff_max_ms) */
    if (!(op->flags & OB_REFRESH_IGNORE_BACKOFF) && wait_ms > 0) {
        op->res.backoff_ms = wait_ms;
        ob_rop_finish(op, OB_REFRESH_TRANSIENT, "backoff");
        return;
    }
    const op_provider_t *p = ob_service_provider(b, op->service);
    if (p == NULL || p->refresh == NULL || !(p->capabilities & OP_CAP_REFRESH)) {
        ob_rop_finish(op, OB_REFRESH_UNREFRESHABLE, "provider_cannot_refresh");
        return;
    }
    /* the intent marker: another attempt in flight (refused), a stale one (audited), else ours is set first */
    if (!ob_intent_check(op, strcmp(PQgetvalue(res, 0, C_MARKER_SET), "t") == 0, PQgetvalue(res, 0, C_MARKER_OWNER),
                         strtoll(PQgetvalue(res, 0, C_MARKER_AGE_MS), NULL, 10)))
        return;
    cm_secure_free(op->spent_rt, 0);
    char *rt = op->spent_rt = ob_cred_open_column(op->r->b->keys->ring, op->id, OB_FIELD_REFRESH_TOKEN, res, C_RT);
    char *secret = ob_cred_open_column(op->r->b->keys->ring, op->id, OB_FIELD_CLIENT_SECRET, res, C_SECRET);
    char *redirect = ob_redirect_uri(b, p->name);
    if (rt == NULL || redirect == NULL || (secret == NULL && !PQgetisnull(res, 0, C_SECRET))) {
        cm_secure_free(secret, 0);
        free(redirect);
        ob_rop_finish(op, OB_REFRESH_TRANSIENT, "credentials_unreadable");
        return;
    }
    op_client_t client = {.struct_size = sizeof(op_client_t),
                          .client_id = PQgetisnull(res, 0, C_CLIENT_ID) ? "" : PQgetvalue(res, 0, C_CLIENT_ID),
                          .client_secret = secret,
                          .redirect_uri = redirect,
                          .options_json = PQgetvalue(res, 0, C_OPTIONS)};
    op->r->st.started++;
    cm_debug("refresh", "instance %s: refreshing (row_version %s)", op->id, op->row_version);
    op->marker_state = OB_MARKER_SENT;
    int rc = p->refresh(p->data, &client, rt, NULL, on_tokens, op); /* rt stays with op (reconciliation) */
    cm_secure_free(secret, 0);
    free(redirect);
    if (rc != OP_AGAIN) {
        /* nothing reached the provider */
        op_error_t e = {.error_class = OP_ERRCLASS_TRANSIENT, .retry_after_s = -1};
        snprintf(e.code, sizeof(e.code), "%s", rc == OP_EUNAVAIL ? "provider_unavailable" : "refresh_not_started");
        ob_rstore_failure(op, &e, 0);
    }
}

static const char sql_row[] =
    "SELECT s.service_name, s.status, COALESCE(extract(epoch FROM s.expires_at)::bigint, 0), c.client_id,"
    " c.client_secret_enc, c.client_secret_key_id, c.refresh_token_enc, c.refresh_token_key_id,"
    " COALESCE(extract(epoch FROM c.token_expires_at)::bigint, 0), c.row_version,"
    " COALESCE(c.provider_options::text, '{}'), c.refresh_failures,"
    " COALESCE(ceil(extract(epoch FROM c.next_refresh_at - clock_timestamp()) * 1000)::bigint, 0),"
    " (c.refresh_outcome_unknown_at IS NOT NULL),"
    " c.request_failures, (c.refresh_started_at IS NOT NULL), COALESCE(c.refresh_owner, ''),"
    " COALESCE((extract(epoch FROM clock_timestamp() - c.refresh_started_at) * 1000)::bigint, 0)"
    " FROM mcp_service_table s JOIN mcp_credentials c ON c.instance_id = s.instance_id"
    " WHERE s.instance_id = $1::uuid";

static void on_lock_timer(void *arg);

/* The lock or its connection could not be had: the end of a refresh, or one more failed store attempt. */
static void lock_failed(rop_t *op, const char *code)
{
    if (op->recovering)
        ob_rstore_failed(op, code);
    else
        ob_rop_finish(op, OB_REFRESH_TRANSIENT, code);
}

static void on_lock(void *arg, int status, PGresult *res)
{
    rop_t *op = arg;
    if (!ob_rop_db_ok(status, res, PGRES_TUPLES_OK, op, "taking the refresh lock")) {
        lock_failed(op, "database_unavailable");
        return;
    }
    if (!op->have_start_version) {
        /* the credentials as they were when this operation first looked (a forced refresh compares) */
        snprintf(op->start_version, sizeof(op->start_version), "%s", PQgetvalue(res, 0, 1));
        op->have_start_version = 1;
    }
    if (strcmp(PQgetvalue(res, 0, 0), "t") != 0) {
        /* another replica is refreshing this instance: give the connection back, poll again */
        cm_pg_release(op->conn);
        op->conn = NULL;
        op->r->st.lock_waits++;
        if (cm_now_ms() >= op->lock_deadline_ms) {
            lock_failed(op, "lock_timeout");
            return;
        }
        if (op->lock_timer == NULL)
            op->lock_timer = cm_timer_new(cm_server_loop(op->r->b->server), on_lock_timer, op);
        if (op->lock_timer == NULL || cm_timer_start(op->lock_timer, LOCK_POLL_MS) != CM_OK)
            lock_failed(op, "out_of_memory");
        return;
    }
    if (op->recovering) {
        ob_rstore_locked(op);
        return;
    }
    ob_rop_read_row(op);
}

void ob_rop_read_row(rop_t *op)
{
    /* a new statement: its snapshot sees whatever the previous lock holder committed */
    const char *p[1] = {op->id};
    if (cm_pg_conn_query(op->conn, sql_row, 1, p, on_row, op) != CM_AGAIN)
        ob_rop_finish(op, OB_REFRESH_TRANSIENT, "database_unavailable");
}

/* arg is NULL: the lock statement queued behind BEGIN reports the failure (and owns finishing the op) */
static void on_begin(void *arg, int status, PGresult *res)
{
    (void)arg;
    if (status != CM_OK || PQresultStatus(res) != PGRES_COMMAND_OK)
        cm_warn("refresh", "BEGIN failed: %s", status != CM_OK ? cm_status_str(status) : PQresultErrorMessage(res));
}

static void on_conn(void *arg, int status, cm_pg_conn_t *conn)
{
    rop_t *op = arg;
    if (status != CM_OK) {
        lock_failed(op, "database_unavailable");
        return;
    }
    op->conn = conn;
    const char *p[1] = {op->id};
    /* statements run in order; a failed BEGIN fails the lock statement too */
    if (cm_pg_conn_query(conn, "BEGIN", 0, NULL, on_begin, NULL) != CM_AGAIN ||
        cm_pg_conn_query(conn,
                         "SELECT pg_try_advisory_xact_lock(" OB_REFRESH_LOCK_KEY(
                             "$1") "),"
                                   " (SELECT row_version FROM mcp_credentials WHERE instance_id = $1::uuid)",
                         1, p, on_lock, op) != CM_AGAIN)
        lock_failed(op, "database_unavailable");
}

void ob_rop_start(rop_t *op)
{
    if (op->r->closing && op->recovering) {
        ob_rstore_failed(op, "shutting down");
        return;
    }
    int rc = cm_pg_acquire(op->r->b->db, on_conn, op);
    if (rc != CM_AGAIN)
        lock_failed(op, "database_unavailable");
}

static void on_lock_timer(void *arg)
{
    ob_rop_start(arg);
}

/* ---- public entry points ---- */

int ob_refresh_request(ob_refresher_t *r, const char *id, unsigned flags, ob_refresh_cb cb, void *arg)
{
    if (r == NULL || id == NULL || !cm_uuid_valid(id))
        return CM_EINVAL;
    if (r->closing)
        return CM_EUNAVAIL;
    waiter_t *w = calloc(1, sizeof(*w));
    if (w == NULL)
        return CM_ENOMEM;
    w->cb = cb;
    w->arg = arg;
    for (rop_t *op = r->ops; op; op = op->next) {
        if (strcmp(op->id, id) == 0) {
            r->st.joined++;
            if (!op->running) {
                op->flags |= flags; /* not started yet: it becomes as forced as its most forced waiter */
            } else if ((flags & OB_REFRESH_FORCE) && !(op->flags & OB_REFRESH_FORCE)) {
                /* a forced request joining a running unforced one: answered by it only if it refreshes, else a
                 * forced follow-up runs after it (ob_rop_finish) */
                w->next = op->forced;
                op->forced = w;
                return CM_AGAIN;
            }
            w->next = op->waiters;
            op->waiters = w;
            return CM_AGAIN;
        }
    }
    if (op_new(r, id, flags, w) == NULL) {
        free(w);
        return CM_ENOMEM;
    }
    return CM_AGAIN;
}

void ob_refresher_stats(const ob_refresher_t *r, ob_refresher_stats_t *out)
{
    memset(out, 0, sizeof(*out));
    if (r == NULL)
        return;
    *out = r->st;
    out->scheduled = ob_heap_size(r->heap);
    out->inflight = r->running;
}

ob_refresher_t *ob_refresher_new(ob_broker_t *b)
{
    ob_refresher_t *r = calloc(1, sizeof(*r));
    if (r == NULL)
        return NULL;
    r->b = b;
    if (ob_intent_owner_new(r->owner, sizeof(r->owner)) != CM_OK)
        goto out_free_refresher;
    cm_info("refresh", "refresh intent owner id %s (hold window %d s)", r->owner, b->cfg->refresh_intent_hold_s);
    if ((r->heap = ob_heap_new()) == NULL)
        goto out_free_refresher;
    if (b->cfg->refresh_enabled) {
        if ((r->tick = cm_timer_new(cm_server_loop(b->server), ob_rsched_tick, r)) == NULL)
            goto out_free_heap;
        r->next_scan_ms = cm_now_ms(); /* first scan on the first tick */
        cm_timer_start(r->tick, 0);
    }
    return r;

out_free_heap:
    ob_heap_free(r->heap);
out_free_refresher:
    free(r);
    return NULL;
}

void ob_refresher_close(ob_refresher_t *r)
{
    if (r != NULL) {
        r->closing = 1;
        cm_timer_stop(r->tick);
    }
}

void ob_refresher_free(ob_refresher_t *r)
{
    if (r == NULL)
        return;
    r->closing = 1;
    while (r->ops) {
        r->ops->running = 0; /* no restart of queued work while tearing down */
        op_free(r->ops);
    }
    cm_timer_free(r->tick);
    ob_heap_free(r->heap);
    free(r);
}
