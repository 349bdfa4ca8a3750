/*
 * task_store.h (private) - the tasks of the 2026-07-28 tasks extension (io.modelcontextprotocol/tasks), in memory,
 * one store per server.
 *
 * A task is a tools/call that runs on after its HTTP request answered with a CreateTaskResult; the client polls
 * tasks/get for its status and, once terminal, its inlined result or error, and may tasks/cancel it. Each task belongs
 * to the instance and the credential that created it: the same id asked for by another instance or credential is
 * unknown, exactly like an id that never existed, so one client cannot probe or cancel another's work.
 *
 * Lifetime: a task lives ttl_ms from its creation, whatever its status, and never less (the client was promised
 * ttlMs); then it is dropped, and a call still in flight is abandoned (its late result discarded). A cancelled task
 * abandons its call at once and keeps status "cancelled" until its ttl. Expired tasks are swept on every store
 * operation, oldest first (all tasks share one ttl, so creation order is expiry order).
 *
 * Bounds: max_total tasks per store and max_per_owner per instance+credential, live or terminal alike; creating one
 * beyond a bound fails (CM_EUNAVAIL) rather than evicting a task whose ttl was promised.
 *
 * Statuses: working -> completed | failed | cancelled | input_required; input_required -> working (the hook for the
 * multi-round-trip composition: the task's call settled with an input_required result, the client answers through
 * tasks/update, and the call is run again with the answers) -> ...
 *
 * Loop-thread only. Times: now_ms is monotonic (expiry), wall_ms is unix milliseconds (createdAt, lastUpdatedAt).
 */
#ifndef MCP_FEATURES_TASK_STORE_H
#define MCP_FEATURES_TASK_STORE_H

#include "mcp/tools.h"

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#define MCP_TASK_ID_LEN 32
/* An owner: instance id (<= 64) + "\n" + credential name (< 72). */
#define MCP_TASK_OWNER_LEN 140

typedef enum mcp_task_status {
    MCP_TASK_WORKING = 0,
    MCP_TASK_INPUT_REQUIRED,
    MCP_TASK_COMPLETED,
    MCP_TASK_FAILED,
    MCP_TASK_CANCELLED,
} mcp_task_status_t;

typedef struct mcp_task_store mcp_task_store_t;

typedef struct mcp_task {
    char id[MCP_TASK_ID_LEN + 1];
    char owner[MCP_TASK_OWNER_LEN];
    mcp_task_status_t status;
    int64_t created_wall_ms, updated_wall_ms;
    int64_t expires_ms;      /* monotonic */
    json_t *result;          /* completed: the tool result (content, isError, ...) */
    json_t *error;           /* failed: {code, message[, data]} */
    json_t *input_requests;  /* input_required: the map of pending requests */
    json_t *request_state;   /* input_required: the opaque state the call's retry carries (never sent on tasks/get) */
    json_t *input_responses; /* input_required: the answers tasks/update delivered so far */
    mcp_call_t *call;        /* the call in flight, NULL once it settled or was abandoned */
    const void *tool;        /* the tool and arguments of the call (to run it again with input) */
    json_t *args;
    /* what a resumed call needs of the request that created the task (a retry sees the same client and instance) */
    json_t *client_caps; /* the request's client capabilities; NULL = none */
    void *call_context;  /* the server's call context (outlives every task) */
    char instance[65];
    char protocol_version[16];
    int starting;            /* 1 while the call runs inside the tools/call that creates the task */
    json_t *early;           /* a response that came while starting (the task was never announced) */
    mcp_task_store_t *store; /* back pointer for the call's completion sink */
} mcp_task_t;

typedef struct mcp_task_limits {
    int64_t ttl_ms;       /* 0 = 1 hour */
    size_t max_total;     /* 0 = 10000 */
    size_t max_per_owner; /* 0 = 100 */
} mcp_task_limits_t;

typedef struct mcp_task_stats {
    size_t active; /* tasks held (any status) */
    uint64_t created, expired, cancelled, refused;
} mcp_task_stats_t;

/* A store with these limits (copied; NULL = defaults). NULL on allocation failure. Caller owns it. */
mcp_task_store_t *mcp_task_store_new(const mcp_task_limits_t *limits);
/* Abandons every call in flight, frees every task and the store. NULL is a no-op. */
void mcp_task_store_free(mcp_task_store_t *s);
/* The effective ttl (milliseconds). */
int64_t mcp_task_store_ttl_ms(const mcp_task_store_t *s);
void mcp_task_store_stats(const mcp_task_store_t *s, mcp_task_stats_t *out);

/*
 * A new working task owned by instance_id + credential (NULL = ""). CM_OK and *out (borrowed from the store: valid
 * until it expires or is discarded), CM_EUNAVAIL when a bound is reached, CM_EINVAL for an over-long owner, CM_ENOMEM,
 * CM_EIO when no random bytes could be had.
 */
int mcp_task_create(mcp_task_store_t *s, const char *instance_id, const char *credential, int64_t now_ms,
                    int64_t wall_ms, mcp_task_t **out);
/* The live task with this id owned by instance_id + credential, or NULL (unknown, expired, another owner's). */
mcp_task_t *mcp_task_find(mcp_task_store_t *s, const char *id, const char *instance_id, const char *credential,
                          int64_t now_ms);
/* Removes a task at once (the immediate-result shortcut: its call answered before the task was ever announced). Its
 * call, if any, is abandoned. */
void mcp_task_discard(mcp_task_store_t *s, mcp_task_t *t);

/*
 * The task's call answered with response (a JSON-RPC response: {result} or {error}; stolen). A result whose resultType
 * is "input_required" parks the task in input_required (inputRequests and requestState kept); another result completes
 * it; an error fails it. Ignored (response dropped) once the task is terminal. The call is done: t->call is cleared.
 */
void mcp_task_settle(mcp_task_t *t, json_t *response, int64_t wall_ms);
/* Cancels a working or input_required task: status cancelled, its call abandoned (the late result is dropped).
 * A terminal task is left as it is (idempotent). */
void mcp_task_cancel(mcp_task_t *t, int64_t wall_ms);

/* "working", "input_required", "completed", "failed", "cancelled" (static storage). */
const char *mcp_task_status_str(mcp_task_status_t st);
/* 1 for completed, failed, cancelled. */
int mcp_task_terminal(const mcp_task_t *t);
/*
 * The task as the wire shows it (a new object, caller owns): taskId, status, createdAt, lastUpdatedAt (ISO 8601 UTC),
 * ttlMs, pollIntervalMs (when poll_ms > 0); with detailed, also the inlined result (completed), error (failed) or
 * inputRequests (input_required) - the tasks/get DetailedTask. Never requestState.
 */
json_t *mcp_task_json(const mcp_task_t *t, int64_t ttl_ms, int poll_ms, int detailed);

#endif
