/*
 * refresher_int.h - the data of the refresher and of one refresh operation, and the steps the operation's state
 * machine (refresh_op.c) calls. Not a public contract: include only from the files of refresh/.
 *
 * Direction of calls: refresh_op.c (the machine, the operations' lifecycle, the public API) calls the steps
 * (lock.c, row.c, intent.c, refresh_store.c, schedule.c, owner.c, heap.c); a step never calls the machine or
 * another step: it ends by reporting an event (ob_rop_report), which the machine turns into the next
 * transition of its table (refresh_op.h).
 */
#ifndef OB_REFRESH_REFRESHER_INT_H
#define OB_REFRESH_REFRESHER_INT_H

#include "refresh/heap.h"
#include "refresh/refresh_op.h"
#include "refresh/refresher.h"

#include "config/config.h"
#include "core/broker.h"

#include "common/log.h"
#include "common/pg.h"
#include "common/status.h"
#include "common/timer.h"

#include "provider_abi.h"
#include <stdint.h>
#include <stdio.h>

typedef struct waiter {
    struct waiter *next;
    ob_refresh_cb cb;
    void *arg;
} waiter_t;

typedef struct rop {
    struct rop *next, *prev;
    ob_refresher_t *r;
    char id[37];
    unsigned flags;
    int state; /* ob_rop_state_t; changed only by refresh_op.c, through its transition table */
    waiter_t *waiters;
    waiter_t *forced; /* forced requests that joined this unforced operation while it ran (see finish) */
    cm_pg_conn_t *conn;
    cm_timer_t *lock_timer; /* lock polling, and the backoff between store attempts */
    int64_t lock_deadline_ms;
    char start_version[24]; /* credentials row_version when the operation first looked */
    int have_start_version; /* start_version was captured (a value, not a phase: "" is a possible reading) */
    /* the row read under the lock */
    char service[65];
    char row_version[24];
    int failures;
    int request_failures;
    int64_t token_expires_at;
    int unknown_before; /* a fact about the row (it carried refresh_outcome_unknown_at, or a left-over marker):
                           recorded in the audit of a failure, whatever the state */
    char *spent_rt;     /* the refresh token sent to the provider (wiped on free): decides a reconciliation */
    /* the result */
    ob_refresh_result_t res;
    char code[64];
    op_token_set_t ts;     /* new tokens, until committed (never dropped while the store is retried) */
    int push_status;       /* the status the store statement read back (cm_inst_status_t; OB_PUSH_NO_STATUS) */
    int64_t event_version; /* the instance's event_version after the change (push "version"); 0 = no change */
    int cas_tries;         /* compare-and-set attempts in this transaction */
    int store_attempts;    /* failed store transactions so far (> 0: the store is being retried) */
    int unknown_recorded;  /* refresh_outcome_unknown was flagged for this operation: a side effect done at most
                              once, from whichever state first needs it */
} rop_t;

/* What a step reports when it ends (ob_rop_report); the machine decides the next state. */
enum ob_rop_event {
    OB_REV_START = 0,       /* a slot, or the poll / retry timer: (re)take the lock */
    OB_REV_LOCKED,          /* the advisory lock is held on op->conn */
    OB_REV_LOCK_BUSY,       /* another holder: the connection was given back */
    OB_REV_LOCK_FAILED,     /* arg: the code (const char *) */
    OB_REV_ROW_READ,        /* the row says: refresh; arg: the marker found (const ob_rop_marker_t *) */
    OB_REV_MARKER_SET,      /* our intent marker is committed */
    OB_REV_CALLING,         /* the provider is being called */
    OB_REV_TOKENS,          /* the provider answered with op->ts */
    OB_REV_PROVIDER_FAILED, /* arg: const ob_rop_failure_t * */
    OB_REV_STORE,           /* (re)write op->ts on the row version in op->row_version */
    OB_REV_CAS_MISSED,      /* the compare-and-set found another row version: re-read it */
    OB_REV_COMMIT,          /* commit the outcome in op->res.outcome */
    OB_REV_STORE_FAILED,    /* arg: what failed (const char *) */
    OB_REV_END,             /* finish with op->res.outcome and op->code */
};

/* The intent marker the row read found (borrowed for the report). */
typedef struct ob_rop_marker {
    int is_set;
    const char *owner;
    int64_t age_ms;
} ob_rop_marker_t;

/* A provider failure (borrowed for the report). sent: the request reached the provider, or may have. */
typedef struct ob_rop_failure {
    const op_error_t *err;
    int sent;
} ob_rop_failure_t;

typedef void (*ob_rop_event_fn)(rop_t *op, int ev, const void *arg);

struct ob_refresher {
    ob_broker_t *b;
    rop_t *ops;
    size_t running;
    ob_heap_t *heap;
    cm_timer_t *tick; /* next due entry or the next scan */
    int64_t next_scan_ms;
    int scanning;
    int scan_pages;          /* pages read by the scan in progress */
    int scan_rows;           /* rows read by it */
    char scan_after_id[37];  /* its keyset cursor: the last row read ("" = first page) */
    char scan_after_exp[40]; /* and that row's token_expires_at (ISO 8601, microseconds, UTC) */
    int closing;             /* shutting down: plugin callbacks drained by the registry only release their operation */
    ob_refresher_stats_t st;
    char owner[256];          /* this process's refresh intent owner id (owner.c), generated at start */
    ob_rop_event_fn on_event; /* the machine (refresh_op.c): where steps report */
};

/* refresh.concurrency (at least 1): operations running at once */
static inline size_t ob_rop_concurrency(const ob_refresher_t *r)
{
    return r->b->cfg->refresh_concurrency > 0 ? (size_t)r->b->cfg->refresh_concurrency : 1;
}

/* A step ends: the machine takes over (it may free op: touch nothing of it afterwards). */
static inline void ob_rop_report(rop_t *op, int ev, const void *arg)
{
    op->r->on_event(op, ev, arg);
}

/* A step ends the operation: outcome, and code (NULL = keep op->code). */
static inline void ob_rop_end(rop_t *op, int outcome, const char *code)
{
    op->res.outcome = outcome;
    if (code != NULL && code != op->code)
        snprintf(op->code, sizeof(op->code), "%s", code);
    ob_rop_report(op, OB_REV_END, NULL);
}

/* 1 when the pool call succeeded with the wanted result status; else logs "<what> failed" and returns 0. */
static inline int ob_rop_db_ok(int status, PGresult *res, ExecStatusType want, rop_t *op, const char *what)
{
    if (status == CM_OK && PQresultStatus(res) == want)
        return 1;
    cm_warn("refresh", "instance %s: %s failed: %s", op->id, what,
            status != CM_OK ? cm_status_str(status) : PQresultErrorMessage(res));
    return 0;
}

/* lock.c - a pooled connection, BEGIN, pg_try_advisory_xact_lock (reports LOCKED, LOCK_BUSY or LOCK_FAILED) */
void ob_rlock_take(rop_t *op);

/* row.c - the credentials row under the lock: decides (reports END, or ROW_READ when the provider is to be called
 * and the marker is not ours yet); in REREADING calls the provider (reports CALLING, then TOKENS or
 * PROVIDER_FAILED). */
void ob_rrow_read(rop_t *op);

/* intent.c - the refresh intent marker */
/* What the marker found by the first read means: 1 = set ours (ob_intent_set), 0 = a refresh is in flight
 * elsewhere (op->res.backoff_ms and the in-progress side effects done: end "refresh_in_progress"). */
int ob_intent_decide(rop_t *op, const ob_rop_marker_t *m);
/* Queues the statement that commits our marker (auditing a stale one); it reports MARKER_SET or END. CM_AGAIN, or
 * an error when nothing was queued (nothing reported). */
int ob_intent_set(rop_t *op, const ob_rop_marker_t *m);
/* Queues the owner-guarded clear on op->conn before the COMMIT of an outcome (not for an outcome unknown). */
void ob_intent_queue_clear(rop_t *op);
/* Clears a marker that may be set while the provider was never called (best effort, its own statement). */
void ob_intent_clear(rop_t *op);

/* refresh_store.c - the provider's answer and failures */
/* Writes op->ts (compare-and-set on op->row_version): reports COMMIT, CAS_MISSED, STORE_FAILED or END. */
void ob_rstore_tokens(rop_t *op);
/* Re-reads the row FOR UPDATE and reconciles it with op->ts: reports COMMIT, STORE, STORE_FAILED or END. */
void ob_rstore_reconcile(rop_t *op);
/* COMMIT of op->res.outcome: reports END, or STORE_FAILED when new tokens were not stored. */
void ob_rstore_commit(rop_t *op);
/* 1 when this failure is recorded as an outcome unknown: a transient one whose request may have reached the
 * provider with its answer lost (the refresh token may have been spent: the intent marker stays). */
int ob_rstore_failure_unknown(const rop_t *op, const op_error_t *err, int sent);
/* Writes a refresh failure (permanent, request class, transient): reports COMMIT or END. */
void ob_rstore_record_failure(rop_t *op, const op_error_t *err, int sent);
/* Flags the row refresh_outcome_unknown (at most once per operation, best effort, its own statement). */
void ob_rstore_mark_unknown(rop_t *op, const char *why);

/* schedule.c - the proactive schedule */
/* (Re)arms the tick timer for the next due entry or scan. */
void ob_rsched_arm(ob_refresher_t *r);
/* Pops the next entry due by now_ms (monotonic) into id (37 bytes); 0 when none is due. */
int ob_rsched_pop_due(ob_refresher_t *r, int64_t now_ms, char *id);
/* Starts the database scan when it is time (now_ms, monotonic) and none is running. */
void ob_rsched_scan_if_due(ob_refresher_t *r, int64_t now_ms);

/* owner.c - who set a marker */
/* Writes this process's owner id (hostname:pid:random:starttime:hostkey) into out. CM_OK, or CM_EIO (no random)
 * / CM_EINVAL (too small). */
int ob_intent_owner_new(char *out, size_t outsz);
/* 1 when owner (a marker's owner id) is a process of the same host and pid namespace as self (this process's
 * owner id) that is provably dead: its pid is gone or runs another process; 0 otherwise (alive, another host,
 * or cannot be told). Reads /proc (local files, no waiting). */
int ob_intent_owner_dead(const char *owner, const char *self);

/* Counts a finished refresh operation in oauth_broker_refreshes_total{outcome} (metrics.c); an outcome out of range
 * only declares the metric. */
void ob_refresh_metric(int outcome);

#endif
