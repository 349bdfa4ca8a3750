/*
 * http_out.c - response writer of the MCP endpoint: one JSON body, or an SSE stream
 * ("event: message\ndata: <json>\n\n" per message) written with h2o's generator flow control.
 */
#include "transport/http_out.h"
#include "protocol/jsonrpc.h"

#include <stdlib.h>
#include <string.h>

void mcp__out_json(struct mcp_http_req *r, int status, json_t *body)
{
    /* one encoding pass (cm_respond_json sizes first, then encodes: twice the work on the hot path) */
    char *text = body != NULL ? json_dumps(body, JSON_COMPACT) : NULL;
    json_decref(body);
    if (text == NULL) {
        cm_respond_json(r->req, 500,
                        mcp_jsonrpc_error(NULL, MCP_JSONRPC_INTERNAL_ERROR, "response encoding failed", NULL));
        return;
    }
    cm_add_header(r->req, "cache-control", "no-store");
    cm_respond_body(r->req, status, "application/json", text, strlen(text));
    free(text);
}

static void out_flush(struct mcp_http_req *r)
{
    if (r->req == NULL || r->sending || (r->qhead == NULL && !r->final_queued))
        return;
    h2o_iovec_t bufs[16];
    size_t n = 0;
    while (r->qhead != NULL && n < 16) {
        bufs[n++] = r->qhead->buf;
        r->qhead = r->qhead->next;
    }
    if (r->qhead == NULL)
        r->qtail = NULL;
    int final = r->qhead == NULL && r->final_queued;
    r->sending = 1;
    if (final)
        r->final_queued = 0; /* nothing may be sent after FINAL */
    h2o_send(r->req, bufs, n, final ? H2O_SEND_STATE_FINAL : H2O_SEND_STATE_IN_PROGRESS);
}

static void on_proceed(h2o_generator_t *g, h2o_req_t *req)
{
    struct mcp_http_req *r = H2O_STRUCT_FROM_MEMBER(struct mcp_http_req, gen, g);
    r->sending = 0;
    out_flush(r);
}

static void on_stop(h2o_generator_t *g, h2o_req_t *req)
{
    struct mcp_http_req *r = H2O_STRUCT_FROM_MEMBER(struct mcp_http_req, gen, g);
    r->qhead = r->qtail = NULL;
    r->final_queued = 0;
}

static void start_sse(struct mcp_http_req *r)
{
    h2o_req_t *req = r->req;
    req->res.status = 200;
    req->res.reason = "OK";
    cm_add_header(req, "content-type", "text/event-stream");
    cm_add_header(req, "cache-control", "no-cache, no-transform");
    cm_add_header(req, "x-accel-buffering", "no");
    r->gen.proceed = on_proceed;
    r->gen.stop = on_stop;
    r->sse_started = 1;
    r->s->stats.sse_responses++;
    h2o_start_response(req, &r->gen);
}

void mcp__out_sse_event(struct mcp_http_req *r, json_t *msg, int final)
{
    if (r->req == NULL) {
        json_decref(msg);
        return;
    }
    char *text = json_dumps(msg, JSON_COMPACT);
    json_decref(msg);
    if (!r->sse_started)
        start_sse(r);
    if (text != NULL) {
        size_t len = strlen(text);
        struct mcp_out_chunk *c = h2o_mem_alloc_pool(&r->req->pool, sizeof(*c));
        char *buf = h2o_mem_alloc_pool(&r->req->pool, len + 24);
        memcpy(buf, "event: message\ndata: ", 21);
        memcpy(buf + 21, text, len);
        memcpy(buf + 21 + len, "\n\n", 2);
        c->buf = h2o_iovec_init(buf, len + 23);
        c->next = NULL;
        if (r->qtail)
            r->qtail->next = c;
        else
            r->qhead = c;
        r->qtail = c;
        free(text);
    }
    if (final)
        r->final_queued = 1;
    out_flush(r);
}
