/* http_out.h (private) - the per-request state of the MCP endpoint and its JSON / SSE response writer. */
#ifndef MCP_HTTP_OUT_H
#define MCP_HTTP_OUT_H

#include "tokens/auth.h"
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
    mcp_auth_wait_t *auth_wait;
    json_t *call_id;              /* id of the pending tools/call (for the deadline answer) */
    h2o_timeout_entry_t deadline; /* linked while a tools/call is pending (server tool_timeout) */
    /* SSE output */
    h2o_generator_t gen;
    int sse_started, sending, final_queued;
    struct mcp_out_chunk *qhead, *qtail;
};

/* Sends one JSON response (body stolen). */
void mcp__out_json(struct mcp_http_req *r, int status, json_t *body);
/* Sends msg (stolen) as an SSE "message" event, starting the stream if needed; final ends the response. */
void mcp__out_sse_event(struct mcp_http_req *r, json_t *msg, int final);

#endif
