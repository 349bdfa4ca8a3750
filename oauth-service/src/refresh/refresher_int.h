/*
 * refresher_int.h - what refresher.c (operations, lock, row read, provider call, schedule) and refresh_store.c
 * (storing the provider's answer, reconciling a lost compare-and-set, retrying a failed store, recording
 * failures) share. Not a public contract: include only from those two files.
 */
#ifndef OB_REFRESH_REFRESHER_INT_H
#define OB_REFRESH_REFRESHER_INT_H

#include "refresh/heap.h"
#include "refresh/refresher.h"

#include "core/broker.h"
#include "config/config.h"

#include "common/pg.h"
#include "common/timer.h"

#include "provider_abi.h"
#include <stdint.h>

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
    int running; /* 0 = queued behind the concurrency limit */
    waiter_t *waiters;
    waiter_t *forced; /* forced requests that joined this unforced operation while it ran (see finish) */
    cm_pg_conn_t *conn;
    cm_timer_t *lock_timer; /* lock polling, and the backoff between store attempts */
    int64_t lock_deadline_ms;
    char start_version[24]; /* credentials row_version when the operation first looked ("" = not yet) */
    int have_start_version;
    /* the row read under the lock */
    char service[65];
    char row_version[24];
    int failures;
    int request_failures;
    int64_t token_expires_at;
    char *spent_rt; /* the refresh token sent to the provider (wiped on free): decides a reconciliation */
    /* the result */
    ob_refresh_result_t res;
    char code[64];
    op_token_set_t ts;     /* new tokens, until committed (never dropped while the store is retried) */
    char push_status[16];  /* the status the store statement read back ("" = none) */
    int64_t event_version; /* the instance's event_version after the change (push "version") */
    int pushed_status;     /* PERMANENT: push an invalidation after the commit */
    int unknown_before;    /* the row carried refresh_outcome_unknown_at: an earlier attempt's result was lost */
    int recovering;        /* op->ts is being written again (a new transaction under the lock, after a failure) */
    int cas_tries;         /* compare-and-set attempts in this transaction */
    int store_attempts;    /* failed store transactions so far */
    int unknown_recorded;  /* refresh_outcome_unknown was flagged for this operation */
    int marker_state;      /* enum ob_marker_state: this operation's refresh intent marker (intent.c) */
    int keep_marker;       /* the outcome leaves the marker (the refresh token may have been spent) */
} rop_t;

enum ob_marker_state {
    OB_MARKER_NONE = 0, /* not set by this operation, or cleared */
    OB_MARKER_SET,      /* committed; the provider not called yet */
    OB_MARKER_SENT,     /* the provider was called: only a recorded outcome clears it */
};

struct ob_refresher {
    ob_broker_t *b;
    rop_t *ops;
    size_t running;
    ob_heap_t *heap;
    cm_timer_t *tick; /* next due entry or the next scan */
    int64_t next_scan_ms;
    int scanning;
    int closing; /* shutting down: plugin callbacks drained by the registry only release their operation */
    ob_refresher_stats_t st;
    char owner[256]; /* this process's refresh intent owner id (owner.c), generated at start */
};

/* refresh.concurrency (at least 1): operations running at once */
static inline size_t ob_rop_concurrency(const ob_refresher_t *r)
{
    return r->b->cfg->refresh_concurrency > 0 ? (size_t)r->b->cfg->refresh_concurrency : 1;
}

/* refresher.c */
void ob_rop_finish(rop_t *op, int outcome, const char *code);
/* Answers the waiters now with a TRANSIENT result without ending op (a store still being retried). */
void ob_rop_answer_early(rop_t *op, const char *code);
/* (Re)starts op: connection, BEGIN, the advisory lock; then the row read, or ob_rstore_locked when recovering. */
void ob_rop_start(rop_t *op);
int ob_rop_db_ok(int status, PGresult *res, ExecStatusType want, rop_t *op, const char *what);
/* Reads the credentials row on op->conn (the lock is held), then decides (refresh or not) and calls the provider. */
void ob_rop_read_row(rop_t *op);

/* refresh_store.c */
/* The provider answered with op->ts: write it (compare-and-set on op->row_version) on op->conn, then COMMIT. */
void ob_rstore_tokens(rop_t *op);
/* The recovery transaction holds the lock again: reconcile with the row and write op->ts. */
void ob_rstore_locked(rop_t *op);
/* A store transaction failed (or its lock could not be had): release, back off, try again. */
void ob_rstore_failed(rop_t *op, const char *what);
/* The provider refused or failed (sent: the request reached it, or may have). */
void ob_rstore_failure(rop_t *op, const op_error_t *err, int sent);

/* schedule.c - the proactive schedule */
/* (Re)arms the tick timer for the next due entry or scan. */
void ob_rsched_arm(ob_refresher_t *r);
/* The tick timer's callback (arg: the refresher): starts due refreshes, scans when it is time. */
void ob_rsched_tick(void *arg);

/* owner.c - who set a marker */
/* Writes this process's owner id (hostname:pid:random:starttime:hostkey) into out. CM_OK, or CM_EIO (no random)
 * / CM_EINVAL (too small). */
int ob_intent_owner_new(char *out, size_t outsz);
/* 1 when owner (a marker's owner id) is a process of the same host and pid namespace as self (this process's
 * owner id) that is provably dead: its pid is gone or runs another process; 0 otherwise (alive, another host,
 * or cannot be told). Reads /proc (local files, no waiting). */
int ob_intent_owner_dead(const char *owner, const char *self);

/* intent.c - the refresh intent marker */
/* The row read under the lock found marker (is_set, owner, age_ms by the database clock) and the provider is to
 * be called: 1 = go on (this operation's marker is committed), 0 = op continues asynchronously (the marker is
 * being set, then ob_rop_read_row) or was finished (a refresh in flight elsewhere: "refresh_in_progress"). */
int ob_intent_check(rop_t *op, int is_set, const char *owner, int64_t age_ms);
/* Queues the owner-guarded clear on op->conn before a COMMIT that records an outcome; 1 when queued. */
int ob_intent_queue_clear(rop_t *op);
/* From ob_rop_finish: clears a marker set by op whose provider call never started (best effort). */
void ob_intent_finish(rop_t *op);

#endif
