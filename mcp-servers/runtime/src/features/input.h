/*
 * input.h (private) - what tools and prompts share of input requests (mcp/input.h): the record of one handler run
 * (answers known, requests asked, answers read), the capability rules, the form-schema restrictions, the
 * requestState of 2026-07-28 and the table of server requests awaiting a client response in 2025-11-25.
 */
#ifndef MCP_FEATURES_INPUT_H
#define MCP_FEATURES_INPUT_H

#include "mcp/input.h"

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#define MCP_INPUT_KEY_MAX 64
#define MCP_INPUT_STATE_KEY_LEN 32

typedef struct mcp__pending mcp__pending_t;

/* The server's input settings (owned by the dispatcher). */
typedef struct mcp__input_cfg {
    uint8_t key[MCP_INPUT_STATE_KEY_LEN]; /* seals requestState */
    mcp__pending_t *pending;              /* 2025-11-25 requests awaiting the client */
    int timeout_s;                        /* a 2025-11-25 wait for answers; a requestState's lifetime */
    size_t max_state;                     /* bytes of a requestState */
    int confirm;                          /* confirm destructive / confirm-marked tools (MCP_CONFIRM_DESTRUCTIVE) */
} mcp__input_cfg_t;

/* One handler's view of its input: reset (mcp__input_rerun) before every run. */
typedef struct mcp__input {
    json_t *responses; /* object: key -> the client's answer (every answer known) */
    json_t *asked;     /* object: key -> {method, params}: asked in this run without an answer */
    json_t *used;      /* object: key -> answer read in this run (what a requestState carries on) */
    json_t *caps;      /* the client's capabilities (own reference; NULL = none declared) */
    json_t *missing;   /* object: the capabilities asked for without the client declaring them; NULL when none */
    char bad[200];     /* a request the handler built is invalid (a server bug): why; "" when fine */
} mcp__input_t;

/* caps borrowed (incref'd). CM_OK or CM_ENOMEM. */
int mcp__input_init(mcp__input_t *in, json_t *caps);
void mcp__input_clear(mcp__input_t *in);
/* Before a run: forgets what was asked and read (answers stay). */
void mcp__input_rerun(mcp__input_t *in);
/* The answer for key, or NULL after recording the request (params stolen). See mcp_call_input. */
const json_t *mcp__input_ask(mcp__input_t *in, const char *key, const char *method, json_t *params);
/* Adds answers (each value must be an object; borrowed, values incref'd). CM_OK, or CM_EINVAL with why in err. */
int mcp__input_add_responses(mcp__input_t *in, json_t *responses, char *err, size_t errsz);
/* 1 when caps declares what kind needs. */
int mcp__input_caps_support(const json_t *caps, mcp_input_kind_t kind);
/* {"requiredCapabilities": {...}} for the error of a request the client cannot serve (new reference). */
json_t *mcp__input_missing_data(const mcp__input_t *in);
/* "elicitation", "sampling"... of the first missing capability (static), for messages. */
const char *mcp__input_missing_name(const mcp__input_t *in);
/* Form-mode requestedSchema restrictions: 0, or -1 with why in err. */
int mcp__elicit_schema_check(const json_t *schema, char *err, size_t errsz);

/* ------------------------------------------------------------------ requestState (2026-07-28) */

/* Parses params.inputResponses / params.requestState of a modern request into in (state opened with key, bound to
 * target ("tool:<name>" / "prompt:<name>"), instance and args). 0, or -1 with a message for a -32602 in err. */
int mcp__input_from_request(mcp__input_t *in, const uint8_t key[MCP_INPUT_STATE_KEY_LEN], json_t *params,
                            const char *target, const char *instance, const json_t *args, char *err, size_t errsz);
/* The input_required result for what in asked (its answers read so far sealed into requestState; new reference), or
 * NULL with why in err (state beyond max_bytes, out of memory). */
json_t *mcp__input_required_result(const mcp__input_t *in, const uint8_t key[MCP_INPUT_STATE_KEY_LEN],
                                   const char *target, const char *instance, const json_t *args, int ttl_s,
                                   size_t max_bytes, char *err, size_t errsz);

/* ------------------------------------------------------------------ pending server requests (2025-11-25) */

/* max_per_session 0 = 16; max_total 0 = 4096. Caller owns it. */
mcp__pending_t *mcp__pending_new(size_t max_per_session, size_t max_total);
void mcp__pending_free(mcp__pending_t *t);
/* Registers a request of owner (an opaque pointer: the call) for session under key; *id receives its JSON-RPC id.
 * CM_OK, CM_EUNAVAIL (the session or the table is full), CM_ENOMEM. */
int mcp__pending_add(mcp__pending_t *t, const char *session, void *owner, const char *key, int64_t deadline_ms,
                     json_int_t *id);
/* Removes the request id of session: its owner and key (copied into key, MCP_INPUT_KEY_MAX + 1 bytes); NULL when no
 * such request is pending for that session (unknown id, or another session's). */
void *mcp__pending_take(mcp__pending_t *t, const char *session, const json_t *id, char *key);
/* Removes every request of owner. */
void mcp__pending_drop(mcp__pending_t *t, void *owner);
/* Number of requests of owner still pending. */
size_t mcp__pending_count(const mcp__pending_t *t, const void *owner);
/* An owner with a request past its deadline at now_ms (its requests removed), or NULL. Call until NULL. */
void *mcp__pending_expired(mcp__pending_t *t, int64_t now_ms);

#endif
