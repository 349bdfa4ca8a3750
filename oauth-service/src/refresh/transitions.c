/*
 * transitions.c - the one transition table of a refresh operation's states (refresh_op.h) and their names.
 */
#include "refresh/refresh_op.h"

#include "common/status.h"

#define S(x) (1u << OB_ROP_##x)

static const unsigned transitions[OB_ROP_STATE_COUNT] = {
    [OB_ROP_QUEUED] = S(LOCKING),
    [OB_ROP_LOCKING] = S(LOCK_WAIT) | S(READING) | S(DONE),
    [OB_ROP_LOCK_WAIT] = S(LOCKING) | S(DONE),
    [OB_ROP_READING] = S(MARKING) | S(DONE),
    [OB_ROP_MARKING] = S(REREADING) | S(DONE),
    [OB_ROP_REREADING] = S(CALLING) | S(DONE),
    [OB_ROP_CALLING] = S(STORING) | S(RECORDING) | S(RECORDING_UNKNOWN),
    [OB_ROP_STORING] = S(COMMITTING) | S(RECONCILING) | S(STORE_BACKOFF) | S(DONE),
    [OB_ROP_RECONCILING] = S(COMMITTING) | S(STORING) | S(STORE_BACKOFF) | S(DONE),
    [OB_ROP_RECORDING] = S(COMMITTING) | S(DONE),
    [OB_ROP_RECORDING_UNKNOWN] = S(COMMITTING) | S(DONE),
    [OB_ROP_COMMITTING] = S(STORE_BACKOFF) | S(DONE),
    [OB_ROP_STORE_BACKOFF] = S(RELOCKING) | S(DONE),
    [OB_ROP_RELOCKING] = S(RELOCK_WAIT) | S(RECONCILING) | S(STORE_BACKOFF),
    [OB_ROP_RELOCK_WAIT] = S(RELOCKING) | S(STORE_BACKOFF),
    [OB_ROP_DONE] = 0,
};

#undef S

static const char *const state_names[OB_ROP_STATE_COUNT] = {
    [OB_ROP_QUEUED] = "queued",
    [OB_ROP_LOCKING] = "locking",
    [OB_ROP_LOCK_WAIT] = "lock_wait",
    [OB_ROP_READING] = "reading",
    [OB_ROP_MARKING] = "marking",
    [OB_ROP_REREADING] = "rereading",
    [OB_ROP_CALLING] = "calling",
    [OB_ROP_STORING] = "storing",
    [OB_ROP_RECONCILING] = "reconciling",
    [OB_ROP_RECORDING] = "recording",
    [OB_ROP_RECORDING_UNKNOWN] = "recording_unknown",
    [OB_ROP_COMMITTING] = "committing",
    [OB_ROP_STORE_BACKOFF] = "store_backoff",
    [OB_ROP_RELOCKING] = "relocking",
    [OB_ROP_RELOCK_WAIT] = "relock_wait",
    [OB_ROP_DONE] = "done",
};

const char *ob_rop_state_name(int state)
{
    return state >= 0 && state < OB_ROP_STATE_COUNT ? state_names[state] : "?";
}

int ob_rop_transition_allowed(int from, int to)
{
    if (from < 0 || from >= OB_ROP_STATE_COUNT || to < 0 || to >= OB_ROP_STATE_COUNT)
        return 0;
    return (transitions[from] >> to) & 1u;
}

int ob_rop_transition(int *state, int to)
{
    if (!ob_rop_transition_allowed(*state, to))
        return CM_EINVAL;
    *state = to;
    return CM_OK;
}
