/*
 * http_out.c - response writer of the MCP endpoint: one JSON body, or an SSE stream
 * (frames built by sse.c) written with h2o's generator flow control; a writer's queue is bounded (slow readers are
 * dropped).
 */
#include "transport/http_out.h"
#include "protocol/jsonrpc.h"
#include "transport/sse.h"

#include <sys/socket.h>

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

static void free_chunks(struct mcp_out_chunk *c)
{
    while (c != NULL) {
        struct mcp_out_chunk *next = c->next;
        free(c);
        c = next;
    }
}

static void out_flush(struct mcp_http_req *r)
{
    if (r->req == NULL || r->sending || r->ended || (r->qhead == NULL && !r->final_queued))
        return;
    h2o_iovec_t bufs[16];
    size_t n = 0;
    struct mcp_out_chunk *batch = r->qhead, *last = NULL;
    for (struct mcp_out_chunk *c = r->qhead; c != NULL && n < 16; c = c->next) {
        bufs[n++] = h2o_iovec_init(c->bytes, c->len);
        last = c;
    }
    if (last != NULL) {
        r->qhead = last->next;
        last->next = NULL;
        if (r->qhead == NULL)
            r->qtail = NULL;
        r->inflight = batch;
    }
    int final = r->qhead == NULL && r->final_queued;
    r->sending = 1;
    if (final) {
        r->final_queued = 0; /* nothing may be sent after FINAL */
        r->ended = 1;
    }
    h2o_send(r->req, bufs, n, final ? H2O_SEND_STATE_FINAL : H2O_SEND_STATE_IN_PROGRESS);
}

static void release_inflight(struct mcp_http_req *r)
{
    for (struct mcp_out_chunk *c = r->inflight; c != NULL; c = c->next)
        r->queued -= c->len;
    free_chunks(r->inflight);
    r->inflight = NULL;
}

static void on_proceed(h2o_generator_t *g, h2o_req_t *req)
{
    struct mcp_http_req *r = H2O_STRUCT_FROM_MEMBER(struct mcp_http_req, gen, g);
    r->sending = 0;
    release_inflight(r);
    out_flush(r);
}

static void on_stop(h2o_generator_t *g, h2o_req_t *req)
{
    struct mcp_http_req *r = H2O_STRUCT_FROM_MEMBER(struct mcp_http_req, gen, g);
    free_chunks(r->qhead);
    r->qhead = r->qtail = NULL;
    r->final_queued = 0;
}

void mcp__out_release(struct mcp_http_req *r)
{
    free_chunks(r->qhead);
    free_chunks(r->inflight);
    r->qhead = r->qtail = r->inflight = NULL;
    r->queued = 0;
}

void mcp__out_sse_start(struct mcp_http_req *r)
{
    h2o_req_t *req = r->req;
    if (req == NULL || r->sse_started)
        return;
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

void mcp__out_drop(struct mcp_http_req *r)
{
    if (r->dropped)
        return;
    r->dropped = 1;
    for (struct mcp_out_chunk *c = r->qhead; c != NULL; c = c->next)
        r->queued -= c->len;
    free_chunks(r->qhead);
    r->qhead = r->qtail = NULL;
    r->final_queued = 0;
    if (r->stream != NULL) {
        struct mcp_sse_stream *st = r->stream;
        r->stream = NULL;
        mcp__sse_detach(st);
    }
    /* shutting the socket down (never closing it: h2o owns the fd) fails h2o's pending write, and h2o then closes
     * the connection and disposes the request */
    h2o_socket_t *sock = r->req != NULL && r->req->conn->callbacks->get_socket != NULL
                             ? r->req->conn->callbacks->get_socket(r->req->conn)
                             : NULL;
    if (sock != NULL)
        shutdown(h2o_socket_get_fd(sock), SHUT_RDWR);
    /* with no write pending h2o would not look at the socket again: ending the response makes it write (and fail) */
    r->final_queued = 1;
    out_flush(r);
}

void mcp__out_sse_frame(struct mcp_http_req *r, const char *frame, size_t len, int final)
{
    if (r->req == NULL || r->dropped || r->ended)
        return;
    mcp__out_sse_start(r);
    if (frame != NULL && len > 0) {
        if (r->queued + len > r->s->opts.sse_max_queued_bytes) {
            r->s->stats.sse_dropped++; /* a slow reader */
            mcp__out_drop(r);
            return;
        }
        struct mcp_out_chunk *c = malloc(sizeof(*c) + len);
        if (c == NULL) {
            mcp__out_drop(r);
            return;
        }
        memcpy(c->bytes, frame, len);
        c->len = len;
        c->next = NULL;
        if (r->qtail)
            r->qtail->next = c;
        else
            r->qhead = c;
        r->qtail = c;
        r->queued += len;
    }
    if (final)
        r->final_queued = 1;
    out_flush(r);
}
