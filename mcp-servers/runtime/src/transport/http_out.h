/* http_out.h (private) - the per-request state of the MCP endpoint and its JSON / SSE response writer. */
#ifndef MCP_HTTP_OUT_H
#define MCP_HTTP_OUT_H

#include "tokens/auth.h"
#include "protocol/jsonrpc.h"
#include "transport/server_internal.h"

struct mcp_sse_stream;

/* One SSE frame queued for a writer (malloc'ed with its bytes; freed once h2o is done with it). */
struct mcp_out_chunk {
    struct mcp_out_chunk *next;
    size_t len;
    char bytes[];
};

/* Allocated in req->pool with a dispose hook (http.c): lives exactly as long as the request. */
struct mcp_http_req {
    mcp_server_t *s;
    h2o_req_t *req; /* NULL once the request is gone */
    char *instance; /* pool */
    mcp_era_t era;
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
    struct mcp_sse_stream *stream; /* the event stream this response carries (sse.h); NULL when none */
    /* SSE output: qhead..qtail wait for h2o; inflight were handed to h2o and live until it proceeds */
    h2o_generator_t gen;
    int sse_started, sending, final_queued, ended;
    int dropped;   /* a slow reader: nothing more is queued, its socket was shut down */
    size_t queued; /* bytes in qhead..qtail and inflight (the slow-reader bound) */
    struct mcp_out_chunk *qhead, *qtail, *inflight;
    /* a GET stream: linked in the server's list of GET writers (counted against the stream limits) */
    int is_get;
    json_t *listen; /* subscriptions/listen: {"id": <request id>, "filter": <honoured filter>}; NULL otherwise */
    int64_t last_event_ms, last_write_ms;
    struct mcp_http_req *gnext, *gprev;
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
/* Starts r's response as text/event-stream (no-op when started). */
void mcp__out_sse_start(struct mcp_http_req *r);
/* Queues one SSE frame (copied) on r, starting the stream if needed; final ends the response after it (frame may be
 * NULL with final: just end). A writer whose queue would pass the server's sse max_queued is dropped instead
 * (mcp__out_drop). */
void mcp__out_sse_frame(struct mcp_http_req *r, const char *frame, size_t len, int final);
/* Drops a writer: frees its queue, detaches its stream and shuts its socket down so that h2o ends the request. */
void mcp__out_drop(struct mcp_http_req *r);
/* Frees what r's output still holds (request disposal). */
void mcp__out_release(struct mcp_http_req *r);

#endif
