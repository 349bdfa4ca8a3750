/*
 * protocol.h - MCP method dispatch for both protocol eras, independent of HTTP.
 *
 * Legacy era (2024-11-05, 2025-03-26, 2025-06-18, 2025-11-25): initialize (version negotiation),
 * ping, tools/list, tools/call, logging/setLevel; notifications are accepted and never answered.
 * Modern era (2026-07-28): stateless; every request carries params._meta with
 * io.modelcontextprotocol/protocolVersion and /clientCapabilities; server/discover, tools/list,
 * tools/call; results carry resultType and _meta serverInfo; tools/list carries ttlMs + cacheScope;
 * initialize, ping and logging/setLevel are removed (-32601 with HTTP 404). Unknown methods: -32601.
 *
 * The transport (http.c) decides the era from the request, validates the era's headers, then calls
 * mcp_protocol_dispatch. Only implemented capabilities are advertised (tools, logging; prompts, resources and
 * completions when the service registered any: feature_methods.c). The methods and the era each is served in
 * are one table (dispatch.c).
 */
#ifndef MCP_PROTOCOL_H
#define MCP_PROTOCOL_H

#include "features/prompts.h"
#include "features/task_store.h"
#include "features/resources.h"
#include "features/input.h"
#include "features/tools_internal.h"
#include "mcp/tools.h"
#include "protocol/jsonrpc.h"
#include "protocol/version.h"

#include <jansson.h>
#include <stdint.h>

typedef struct mcp_protocol mcp_protocol_t;

typedef struct mcp_protocol_info {
    const char *name;         /* serverInfo.name, e.g. "mcp-gmail" */
    const char *version;      /* serverInfo.version */
    const char *title;        /* optional */
    const char *instructions; /* optional */
    int list_ttl_ms;          /* ttlMs on 2026-07-28 list results (default 0) */
    mcp_task_limits_t tasks;  /* the tasks extension's store (0s = defaults; see features/task_store.h) */
    int task_poll_ms;         /* pollIntervalMs suggested to clients polling tasks/get (0 = 1000) */
} mcp_protocol_info_t;

/* Creates the dispatcher over a registry (borrowed; must outlive it). Strings are copied. Caller owns it. */
mcp_protocol_t *mcp_protocol_new(const mcp_protocol_info_t *info, mcp_tools_t *tools);
void mcp_protocol_free(mcp_protocol_t *p);
mcp_tools_t *mcp_protocol_tools(mcp_protocol_t *p);
/* The prompt and resource registries (owned by the dispatcher, created empty; see prompts.h, resources.h). Their
 * capabilities (and completions) are advertised once something is registered. */
mcp_prompts_t *mcp_protocol_prompts(mcp_protocol_t *p);
mcp_resources_t *mcp_protocol_resources(mcp_protocol_t *p);

/* Everything dispatch needs to know about the request besides the message. */
typedef struct mcp_request_ctx {
    mcp_era_t era;
    const char *protocol_version; /* negotiated (legacy session) or from _meta (modern) */
    const char *instance_id;
    const char *credential;      /* the name of the credential that authenticated the request ("" or NULL = none) */
    int *session_log_level;      /* legacy: the session's threshold (logging/setLevel writes it); NULL when none */
    int log_threshold;           /* threshold for this request (-1 = no log notifications) */
    json_t *client_capabilities; /* modern: from _meta (borrowed); legacy: from the session or NULL */
    void *call_context;          /* handed to tool handlers */
    /* where tools/call delivers its notifications and response (see tools_internal.h) */
    void (*notify)(void *ctx, json_t *notification);
    void (*complete)(void *ctx, json_t *response);
    void (*waiting)(void *ctx, int waiting); /* the call waits for the client's input (1) or runs again (0) */
    void *sink_ctx;
    const char *session_id; /* legacy: the request's Mcp-Session-Id (borrowed); NULL when none */
} mcp_request_ctx_t;

/* The outcome of a dispatch. */
typedef struct mcp_reply {
    json_t *body;     /* the JSON-RPC response (caller owns); NULL when pending or for notifications */
    char *text;       /* instead of body: the response already serialized (malloc'ed, caller frees); see tools/list */
    int http_status;  /* 200, or the status the era prescribes for this error (400, 404) */
    int pending;      /* 1: a tools/call is running and will answer through ctx->complete */
    mcp_call_t *call; /* when pending: the call (to abandon it if the request goes away) */
} mcp_reply_t;

/*
 * Handles one classified request or notification. For a legacy initialize the result holds the
 * negotiated protocolVersion (the transport creates the session). Never blocks.
 */
void mcp_protocol_dispatch(mcp_protocol_t *p, const mcp_request_ctx_t *ctx, const mcp_jsonrpc_msg_t *msg,
                           mcp_reply_t *out);

/* The tasks of the tasks extension (borrowed from p; see features/task_store.h). */
mcp_task_store_t *mcp_protocol_tasks(mcp_protocol_t *p);

/* The capabilities object this server advertises (borrowed). */
json_t *mcp_protocol_capabilities(mcp_protocol_t *p);
/* The server emits notifications/<kind>/list_changed ("tools", "resources", "prompts"): advertised as listChanged.
 * CM_OK or CM_EINVAL. */
int mcp_protocol_declare_list_changed(mcp_protocol_t *p, const char *kind);

/* Abandons a pending call whose HTTP request vanished (its result is discarded). */
void mcp_protocol_abandon(mcp_call_t *call);

/* Input requests (mcp/input.h). Settings: key (MCP_INPUT_STATE_KEY_LEN bytes, copied; NULL keeps the random one),
 * timeout_s, max pending per session, max requestState bytes (0 = default each), confirm (MCP_CONFIRM_DESTRUCTIVE).
 * CM_OK or CM_ENOMEM. */
int mcp_protocol_input_configure(mcp_protocol_t *p, const uint8_t *key, int timeout_s, size_t max_pending,
                                 size_t max_state, int confirm);
/* 2025-11-25: a client's response (the whole JSON-RPC response document, borrowed) in session. CM_OK when it answered
 * one of that session's pending input requests, CM_ENOTFOUND otherwise (unknown id, another session's). */
int mcp_protocol_deliver(mcp_protocol_t *p, const char *session_id, json_t *response);
/* From the maintenance tick: ends calls whose input requests went unanswered past their deadline. */
void mcp_protocol_input_tick(mcp_protocol_t *p, int64_t now_ms);
/* The input capabilities declared in an initialize's params.capabilities, as bits (1 << mcp_input_kind_t); and back
 * to a capabilities object for the calls of a session (new reference). */
unsigned mcp_protocol_input_caps_bits(const json_t *caps);
json_t *mcp_protocol_input_caps_json(unsigned bits);

#endif
