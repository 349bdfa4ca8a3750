/* http_out.h (private) - the per-request state of the MCP endpoint and its JSON / SSE response writer. */
#ifndef MCP_HTTP_OUT_H
#define MCP_HTTP_OUT_H

#include "tokens/auth.h"
#include "protocol/jsonrpc.h"
#include "transport/server_internal.h"

struct mcp_out_chunk {
    h2o_iovec_t buf;
    struct mcp_out_chunk *next;
};

/* Allocated in req->pool with a dispose hook (http.c): lives exactly as long as the request. */
struct mcp_http_req {
    mcp_server_t *s;
    h2o_req_t *req; /* NULL once the request is gone */
    char *instance; /* pool */
    mcp_era_t era;
    mcp_call_t *call; /* pending tools/call */
    int completed;    /* the call delivered its response */
    int input_wait;   /* the call waits for the client's input (no tool deadline meanwhile) */
    mcp_auth_wait_t *auth_wait;
    /* authentication (auth_req.c) */
    int service_url; /* came to /mcp: the instance is the access token's sub */
    int jwt;         /* authenticated with an access token (scopes apply) */
    unsigned scopes; /* MCP_SCOPE_* of the token */
    /* the credential's name that binds sessions: "g:<grant id>" or "k:<SHA-256 of the key>"; "" without one */
    char credential[MCP_SESSION_CREDENTIAL_LEN];
    h2o_iovec_t bearer;        /* the token (the request's header) */
    struct cm_jws_parsed *jws; /* the token while its key is fetched (malloc'ed) */
    struct mcp_jwks_wait *jwks_wait;
    mcp_auth_cb authn_done;
    json_t *call_id;              /* id of the pending tools/call (for the deadline answer) */
    h2o_timeout_entry_t deadline; /* linked while a tools/call is pending (server tool_timeout) */
    /* SSE output */
    h2o_generator_t gen;
    int sse_started, sending, final_queued;
    struct mcp_out_chunk *qhead, *qtail;
};

/*
 * Authenticates r's request: a Bearer value shaped like a JWS is an access token, verified locally (jwt.h, keys from
 * jwks.h) and its grant checked with the broker; anything else is an instance access key (refused at the service
 * URL). At the service URL r->instance is set to the token's sub. done(r, outcome) runs exactly once, now or later on
 * the loop thread (never after the request is gone). A token failure is MCP_AUTHZ_BAD_KEY (401 invalid_token).
 */
void mcp__authenticate(struct mcp_http_req *r, mcp_auth_cb done);
/* Releases what a pending authentication holds (request disposal). */
void mcp__authenticate_abandon(struct mcp_http_req *r);
/* Scope rules of access tokens (docs/mcp-authorization.md): 0 when msg is allowed, else answers 403 insufficient_scope
 * and returns -1. Keys have every scope. */
int mcp__scope_check(struct mcp_http_req *r, const mcp_jsonrpc_msg_t *msg);

/* Sends one JSON response (body stolen). */
void mcp__out_json(struct mcp_http_req *r, int status, json_t *body);
/* Sends msg (stolen) as an SSE "message" event, starting the stream if needed; final ends the response. */
void mcp__out_sse_event(struct mcp_http_req *r, json_t *msg, int final);

#endif
