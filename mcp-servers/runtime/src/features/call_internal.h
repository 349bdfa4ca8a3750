/* call_internal.h (private to features/) - the record of a tools/call in flight, shared by call.c (results,
 * notifications) and call_input.c (input requests, re-runs, confirmation). */
#ifndef MCP_CALL_INTERNAL_H
#define MCP_CALL_INTERNAL_H

#include "features/input.h"
#include "features/tools_internal.h"

#include <jansson.h>

struct mcp_call {
    double started; /* monotonic seconds (the duration metric) */
    const mcp_tool_t *tool;
    json_t *id;
    char instance[65];
    char protocol_version[16];
    json_t *progress_token;
    int log_threshold;
    json_t *result_extra;
    void *context;
    mcp_call_sink_t sink;
    int abandoned;
    json_t *content;            /* array */
    json_t *structured;         /* may be NULL */
    mcp_call_abort_fn abort_fn; /* stops the call's work in flight when it is abandoned */
    void *abort_arg;
    /* input requests (mcp/input.h) */
    json_t *args;          /* the validated arguments every run of the handler gets */
    json_t *raw_args;      /* modern: the request's arguments as sent (what requestState is bound to) */
    mcp__input_t in;       /* answers, what this run asked, the client's capabilities */
    mcp__input_cfg_t *cfg; /* the server's input settings; NULL in unit tests without them */
    char session[72];      /* legacy: the session input requests go to; "" = none */
    int modern;            /* 2026-07-28: input_required results instead of server requests */
    int waiting;           /* legacy: requests sent, answers awaited (the call is held by the pending table) */
    int rounds;            /* legacy: runs that asked for input (bounded) */
    int confirm;           /* ask the user before the handler runs */
    char input_error[200]; /* modern: inputResponses / requestState refused: -32602 with this */
};

/* Delivers response (stolen; NULL = nothing) with the metric outcome and frees the call. */
void mcp__call_complete(mcp_call_t *c, json_t *response, const char *outcome);
/* One run of the handler with c->args (after confirmation when that is due). */
void mcp__call_run_handler(mcp_call_t *c);

#endif
