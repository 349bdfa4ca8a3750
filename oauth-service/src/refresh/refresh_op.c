/*
 * refresh_op.c - one refresh operation as a state machine (refresh_op.h: the states; the one transition table is in
 * transitions.c),
 * the operations' lifecycle (single flight, the concurrency queue, waiters, the end of an operation) and the
 * public API of refresher.h. The steps (lock.c, row.c, intent.c, refresh_store.c) report how they ended
 * (refresher_int.h, enum ob_rop_event); on_event below is the only place that decides what comes next.
 */
#include "refresh/refresher_int.h"

#include "providers/host_api.h"
#include "push/pusher.h"
#include "store/instance_cache.h"

#include "common/crypto.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define LOCK_POLL_MS 50
#define STORE_ANSWER_AFTER 2
#define STORE_RETRY_BASE_MS 250
#define STORE_RETRY_MAX_MS 30000
#define SKIP_BUSY_MS 2000

/* ---- operation lifecycle ---- */

static void on_event(rop_t *op, int ev, const void *arg);
static void finish(rop_t *op, int clear_marker);

/* A marker set (or maybe set) by op whose provider call never started: nothing was spent, clear it at the end. */
static int marker_unspent(int state)
{
    return state == OB_ROP_MARKING || state == OB_ROP_REREADING;
}

/* Moves op to `to` (1). A transition the table refuses is a defect: logged, and the operation is ended at once
 * (TRANSIENT "internal_error") so that its waiters are answered; 0 is returned and the caller stops. */
static int enter(rop_t *op, int to)
{
    int from = op->state;
    if (ob_rop_transition(&op->state, to) == CM_OK)
        return 1;
    cm_error("refresh", "instance %s: refused transition %s -> %s", op->id, ob_rop_state_name(from),
             ob_rop_state_name(to));
    if (from != OB_ROP_DONE) {
        op->res.outcome = OB_REFRESH_TRANSIENT;
        snprintf(op->code, sizeof(op->code), "%s", "internal_error");
        op->state = OB_ROP_DONE;
        finish(op, marker_unspent(from));
    }
    return 0;
}

/* Ends op with outcome and code (NULL = keep op->code): DONE, then finish. */
static void end(rop_t *op, int outcome, const char *code)
{
    int from = op->state;
    op->res.outcome = outcome;
    if (code != NULL && code != op->code)
        snprintf(op->code, sizeof(op->code), "%s", code);
    if (enter(op, OB_ROP_DONE))
        finish(op, marker_unspent(from));
}

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
    if (op->state != OB_ROP_QUEUED)
        r->running--;
    if (op->ts.access_token != NULL && op->store_attempts > 0)
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

/* A queued operation gets a slot. */
static void run(rop_t *op)
{
    op->r->running++;
    on_event(op, OB_REV_START, NULL);
}

static void start_queued(ob_refresher_t *r)
{
    for (rop_t *op = r->ops; op && r->running < ob_rop_concurrency(r); op = op->next) {
        if (op->state == OB_ROP_QUEUED) {
            run(op);
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
    op->state = OB_ROP_QUEUED;
    op->push_status = OB_PUSH_NO_STATUS;
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
    if (r->running < ob_rop_concurrency(r))
        run(op); /* every completion path is asynchronous (CM_AGAIN contract), except errors */
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

/* Answers the waiters now with a TRANSIENT result without ending op (a store still being retried). */
static void answer_early(rop_t *op, const char *code)
{
    waiter_t *ws = op->waiters, *fs = op->forced;
    op->waiters = op->forced = NULL;
    ob_refresh_result_t res = {.outcome = OB_REFRESH_TRANSIENT, .error_code = code, .backoff_ms = 0};
    answer(ws, &res);
    answer(fs, &res);
}

/* After DONE (op->res.outcome, op->code): clears an unspent marker, releases the connection, answers every
 * waiter, frees op, starts the next queued operation. */
static void finish(rop_t *op, int clear_marker)
{
    ob_refresher_t *r = op->r;
    ob_broker_t *b = r->b;
    int outcome = op->res.outcome;
    op->res.error_code = op->code;
    if (clear_marker)
        ob_intent_clear(op);
    if (op->conn) {
        cm_pg_release(op->conn);
        op->conn = NULL;
    }
    ob_refresh_metric(outcome);
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
        ob_push_token(b->pusher, op->service, op->id, op->ts.access_token, op->ts.expires_at, op->push_status,
                      op->event_version);
    else if (outcome == OB_REFRESH_PERMANENT && op->event_version > 0)
        ob_push_invalidate(b->pusher, op->service, op->id, CM_INST_NEEDS_REAUTH, op->event_version);
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

/* ---- timers: lock polling and the store retry ---- */

static void on_timer(void *arg)
{
    on_event(arg, OB_REV_START, NULL);
}

static int start_timer(rop_t *op, long ms)
{
    if (op->lock_timer == NULL)
        op->lock_timer = cm_timer_new(cm_server_loop(op->r->b->server), on_timer, op);
    return op->lock_timer != NULL && cm_timer_start(op->lock_timer, ms) == CM_OK;
}

/*
 * A store transaction failed (or its lock could not be had) after the provider answered: the transaction is
 * rolled back (which releases the advisory lock), then the store is retried with backoff in a new transaction
 * that takes the refresh lock again and reconciles (refresh_store.c). The operation stays in flight meanwhile
 * (single flight: nothing else in this process refreshes the instance with the spent token); after
 * STORE_ANSWER_AFTER failed attempts the waiters are answered (TRANSIENT "refresh_store_pending") and the row is
 * flagged refresh_outcome_unknown, but the retries go on until the write succeeds, is superseded, or the broker
 * shuts down.
 */
static void store_failed(rop_t *op, const char *what)
{
    ob_refresher_t *r = op->r;
    if (op->conn) {
        cm_pg_release(op->conn); /* rolled back: the advisory lock goes with it */
        op->conn = NULL;
    }
    if (!enter(op, OB_ROP_STORE_BACKOFF))
        return;
    if (op->ts.access_token == NULL) { /* nothing left to store (cannot happen: defensive) */
        end(op, OB_REFRESH_TRANSIENT, "commit_failed");
        return;
    }
    op->store_attempts++;
    if (r->closing) {
        cm_error("refresh", "instance %s: shutting down before the refreshed tokens were stored (%s)", op->id, what);
        ob_rstore_mark_unknown(op, what);
        end(op, OB_REFRESH_TRANSIENT, "refresh_outcome_unknown");
        return;
    }
    int shift = op->store_attempts - 1 < 10 ? op->store_attempts - 1 : 10;
    int64_t delay = (int64_t)STORE_RETRY_BASE_MS << shift;
    if (delay > STORE_RETRY_MAX_MS)
        delay = STORE_RETRY_MAX_MS;
    cm_warn("refresh",
            "instance %s: %s after the provider answered (attempt %d); storing the new tokens again in "
            "%" PRId64 " ms under the refresh lock",
            op->id, what, op->store_attempts, delay);
    if (op->store_attempts >= STORE_ANSWER_AFTER) {
        ob_rstore_mark_unknown(op, what);
        answer_early(op, "refresh_store_pending");
    }
    op->lock_deadline_ms = cm_now_ms() + delay + r->b->cfg->refresh_lock_wait_ms;
    if (!start_timer(op, (long)delay)) {
        cm_error("refresh", "instance %s: no timer for the store retry: the refreshed tokens are lost", op->id);
        ob_rstore_mark_unknown(op, what);
        end(op, OB_REFRESH_TRANSIENT, "refresh_outcome_unknown");
    }
}

/* 1 when nobody waits for op: the schedule started it and no request joined it. */
static int scheduled_only(const rop_t *op)
{
    if (op->flags != 0 || op->forced != NULL)
        return 0;
    for (const waiter_t *w = op->waiters; w; w = w->next)
        if (w->cb != NULL)
            return 0;
    return 1;
}

static int relocking(const rop_t *op)
{
    return op->state == OB_ROP_RELOCKING || op->state == OB_ROP_RELOCK_WAIT;
}

/* The lock or its connection could not be had: the end of a refresh, or one more failed store attempt. */
static void lock_failed(rop_t *op, const char *code)
{
    if (relocking(op))
        store_failed(op, code);
    else
        end(op, OB_REFRESH_TRANSIENT, code);
}

/* ---- the machine ---- */

static void on_event(rop_t *op, int ev, const void *arg)
{
    switch (ev) {
    case OB_REV_START:
        if (op->state == OB_ROP_QUEUED || op->state == OB_ROP_LOCK_WAIT) {
            if (enter(op, OB_ROP_LOCKING))
                ob_rlock_take(op);
        } else if (enter(op, OB_ROP_RELOCKING)) {
            if (op->r->closing)
                store_failed(op, "shutting down");
            else
                ob_rlock_take(op);
        }
        return;
    case OB_REV_LOCKED:
        if (op->state == OB_ROP_RELOCKING) {
            if (enter(op, OB_ROP_RECONCILING)) {
                op->cas_tries = 0;
                ob_rstore_reconcile(op);
            }
        } else if (enter(op, OB_ROP_READING)) {
            ob_rrow_read(op);
        }
        return;
    case OB_REV_LOCK_BUSY:
        if (!relocking(op) && scheduled_only(op)) {
            /* another replica holds the lock (it is refreshing this token): leave it to them and take the next
             * one due instead of polling; a look after SKIP_BUSY_MS finds the token fresh and reschedules it */
            op->r->st.skipped_busy++;
            op->res.backoff_ms = SKIP_BUSY_MS;
            end(op, OB_REFRESH_TRANSIENT, "refresh_in_progress");
            return;
        }
        if (cm_now_ms() >= op->lock_deadline_ms) {
            lock_failed(op, "lock_timeout");
            return;
        }
        if (!enter(op, relocking(op) ? OB_ROP_RELOCK_WAIT : OB_ROP_LOCK_WAIT))
            return;
        if (!start_timer(op, LOCK_POLL_MS))
            lock_failed(op, "out_of_memory");
        return;
    case OB_REV_LOCK_FAILED:
        lock_failed(op, arg);
        return;
    case OB_REV_ROW_READ:
        /* the first read decided to refresh: another attempt in flight (refused), else our marker first */
        if (!ob_intent_decide(op, arg))
            end(op, OB_REFRESH_TRANSIENT, "refresh_in_progress");
        else if (ob_intent_set(op, arg) != CM_AGAIN)
            end(op, OB_REFRESH_TRANSIENT, "database_unavailable");
        else
            enter(op, OB_ROP_MARKING); /* its result is reported from a later loop event */
        return;
    case OB_REV_MARKER_SET:
        if (enter(op, OB_ROP_REREADING))
            ob_rrow_read(op); /* read again (the lock is still held) and call the provider */
        return;
    case OB_REV_CALLING:
        enter(op, OB_ROP_CALLING);
        return;
    case OB_REV_TOKENS:
        if (enter(op, OB_ROP_STORING))
            ob_rstore_tokens(op);
        return;
    case OB_REV_PROVIDER_FAILED: {
        const ob_rop_failure_t *f = arg;
        int unknown = ob_rstore_failure_unknown(op, f->err, f->sent);
        if (enter(op, unknown ? OB_ROP_RECORDING_UNKNOWN : OB_ROP_RECORDING))
            ob_rstore_record_failure(op, f->err, f->sent);
        return;
    }
    case OB_REV_STORE:
        if (enter(op, OB_ROP_STORING))
            ob_rstore_tokens(op);
        return;
    case OB_REV_CAS_MISSED:
        if (enter(op, OB_ROP_RECONCILING))
            ob_rstore_reconcile(op);
        return;
    case OB_REV_COMMIT: {
        /* the outcome is recorded with the marker cleared in the same transaction, except an outcome unknown:
         * the token may have been spent, other replicas wait out the hold window */
        int keep_marker = op->state == OB_ROP_RECORDING_UNKNOWN;
        if (!enter(op, OB_ROP_COMMITTING))
            return;
        if (!keep_marker)
            ob_intent_queue_clear(op);
        ob_rstore_commit(op);
        return;
    }
    case OB_REV_STORE_FAILED:
        store_failed(op, arg);
        return;
    case OB_REV_END:
        end(op, op->res.outcome, NULL);
        return;
    default:
        cm_error("refresh", "instance %s: unknown event %d in state %s", op->id, ev, ob_rop_state_name(op->state));
    }
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
            if (op->state == OB_ROP_QUEUED) {
                op->flags |= flags; /* not started yet: it becomes as forced as its most forced waiter */
            } else if ((flags & OB_REFRESH_FORCE) && !(op->flags & OB_REFRESH_FORCE)) {
                /* a forced request joining a running unforced one: answered by it only if it refreshes, else a
                 * forced follow-up runs after it (finish) */
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

/* The schedule's tick: due entries become unforced requests (at most refresh.concurrency in flight), then the
 * scan when it is time. */
static void on_tick(void *arg)
{
    ob_refresher_t *r = arg;
    char id[37];
    int64_t mono = cm_now_ms();
    while (r->running < ob_rop_concurrency(r) && ob_rsched_pop_due(r, mono, id))
        ob_refresh_request(r, id, 0, NULL, NULL);
    ob_rsched_scan_if_due(r, mono);
    ob_rsched_arm(r);
}

ob_refresher_t *ob_refresher_new(ob_broker_t *b)
{
    ob_refresher_t *r = calloc(1, sizeof(*r));
    if (r == NULL)
        return NULL;
    r->b = b;
    r->on_event = on_event;
    ob_refresh_metric(-1); /* declares the outcomes at 0 */
    if (ob_intent_owner_new(r->owner, sizeof(r->owner)) != CM_OK)
        goto out_free_refresher;
    cm_info("refresh", "refresh intent owner id %s (hold window %d s)", r->owner, b->cfg->refresh_intent_hold_s);
    if ((r->heap = ob_heap_new()) == NULL)
        goto out_free_refresher;
    if (b->cfg->refresh_enabled) {
        if ((r->tick = cm_timer_new(cm_server_loop(b->server), on_tick, r)) == NULL)
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
    while (r->ops)
        op_free(r->ops); /* no restart of queued work while tearing down: op_free starts nothing */
    cm_timer_free(r->tick);
    ob_heap_free(r->heap);
    free(r);
}
