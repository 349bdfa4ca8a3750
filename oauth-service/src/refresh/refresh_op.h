/*
 * refresh_op.h - the states of one refresh operation and the one table of the transitions between them
 * (refresh_op.c owns both; nothing else changes an operation's state).
 *
 *   QUEUED --> LOCKING <--> LOCK_WAIT                       (pooled connection, BEGIN, try the advisory lock)
 *                 |
 *              READING --> MARKING --> REREADING --> CALLING (row under the lock; intent marker; provider)
 *                                                      |
 *             +-------------------+--------------------+--------------------+
 *             v                   v                    v                    |
 *          STORING <--> RECONCILING      RECORDING / RECORDING_UNKNOWN      |  (answer written / failure recorded)
 *             |  \           |                         |                    |
 *             |   +----------+------> COMMITTING <-----+                    |
 *             v                          |                                  |
 *        STORE_BACKOFF <-----------------+   (a store that failed: the tokens are retried under a new lock)
 *             |
 *          RELOCKING <--> RELOCK_WAIT --> RECONCILING
 *
 * and DONE (the waiters answered) from every state that can end the operation. The intent marker follows the
 * state: it may be set (and must be cleared when the operation ends) in MARKING and REREADING, it is spent from
 * CALLING on and cleared with the recorded outcome, except an outcome unknown (RECORDING_UNKNOWN) leaves it.
 */
#ifndef OB_REFRESH_REFRESH_OP_H
#define OB_REFRESH_REFRESH_OP_H

typedef enum ob_rop_state {
    OB_ROP_QUEUED = 0,        /* behind refresh.concurrency */
    OB_ROP_LOCKING,           /* connection, BEGIN, pg_try_advisory_xact_lock */
    OB_ROP_LOCK_WAIT,         /* another holder: polled again after a short timer */
    OB_ROP_READING,           /* the credentials row under the lock, first read */
    OB_ROP_MARKING,           /* the refresh intent marker being committed */
    OB_ROP_REREADING,         /* the row read again, our marker committed */
    OB_ROP_CALLING,           /* the provider's refresh in flight (the refresh token may be spent from here on) */
    OB_ROP_STORING,           /* the compare-and-set write of the new tokens */
    OB_ROP_RECONCILING,       /* the row re-read FOR UPDATE after a missed compare-and-set or a failed store */
    OB_ROP_RECORDING,         /* a failure being written (the token was not spent) */
    OB_ROP_RECORDING_UNKNOWN, /* a failure whose outcome is unknown being written (the marker stays) */
    OB_ROP_COMMITTING,        /* COMMIT of the recorded outcome */
    OB_ROP_STORE_BACKOFF,     /* a store transaction failed: waiting to store the new tokens again */
    OB_ROP_RELOCKING,         /* the store retry's connection, BEGIN and lock */
    OB_ROP_RELOCK_WAIT,       /* the store retry waits for another holder of the lock */
    OB_ROP_DONE,              /* finished: waiters answered */
    OB_ROP_STATE_COUNT
} ob_rop_state_t;

/* The state's name ("queued", ...), "?" when out of range. */
const char *ob_rop_state_name(int state);
/* 1 when the table allows from -> to, else 0 (also for out-of-range states). */
int ob_rop_transition_allowed(int from, int to);
/* Moves *state to `to` when the table allows it: CM_OK; else CM_EINVAL and *state is unchanged. */
int ob_rop_transition(int *state, int to);

#endif
