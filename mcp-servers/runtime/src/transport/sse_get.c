/*
 * sse_get.c - the GET side of the event streams (see sse.h): opening a session's GET stream, resuming a stream with
 * Last-Event-ID, the registry of long-lived writers (GET and subscriptions/listen: the stream limits, idle ends).
 */
#include "transport/sse.h"
#include "common/status.h"
#include "transport/http_out.h"
#include "util/lru.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ the registry of GET writers */

static size_t *instance_count(mcp_server_t *s, const char *instance, int create)
{
    if (s->sse_per_instance == NULL) {
        if (!create || (s->sse_per_instance = mcp_lru_new(0, free)) == NULL)
            return NULL;
    }
    size_t *n = mcp_lru_peek(s->sse_per_instance, instance);
    if (n == NULL && create && (n = calloc(1, sizeof(*n))) != NULL && mcp_lru_put(s->sse_per_instance, instance, n)) {
        free(n);
        n = NULL;
    }
    return n;
}

/* 0, or the HTTP status refusing one more GET stream for r's instance (429 per instance, 503 for the server). */
int mcp__sse_admit(struct mcp_http_req *r)
{
    mcp_server_t *s = r->s;
    if (s->sse_open >= s->opts.sse_max_streams)
        return 503;
    size_t *n = instance_count(s, r->instance, 1);
    if (n == NULL)
        return 503;
    return *n >= s->opts.sse_max_streams_per_instance ? 429 : 0;
}

void mcp__sse_register(struct mcp_http_req *r)
{
    mcp_server_t *s = r->s;
    size_t *n = instance_count(s, r->instance, 1);
    if (n != NULL)
        (*n)++;
    r->is_get = 1;
    r->last_event_ms = r->last_write_ms = mcp__now_ms();
    r->gprev = NULL;
    r->gnext = s->get_writers;
    if (r->gnext != NULL)
        r->gnext->gprev = r;
    s->get_writers = r;
    s->sse_open++;
}

static void unregister_writer(struct mcp_http_req *r)
{
    mcp_server_t *s = r->s;
    if (!r->is_get)
        return;
    r->is_get = 0;
    size_t *n = instance_count(s, r->instance, 0);
    if (n != NULL && *n > 0 && --(*n) == 0)
        mcp_lru_remove(s->sse_per_instance, r->instance);
    if (r->gprev != NULL)
        r->gprev->gnext = r->gnext;
    else
        s->get_writers = r->gnext;
    if (r->gnext != NULL)
        r->gnext->gprev = r->gprev;
    r->gnext = r->gprev = NULL;
    s->sse_open--;
}

void mcp__sse_writer_gone(struct mcp_http_req *r)
{
    unregister_writer(r);
    json_decref(r->listen);
    r->listen = NULL;
    mcp_sse_stream_t *st = r->stream;
    r->stream = NULL;
    if (st != NULL && st->conn == r)
        mcp__sse_detach(st);
}

/* ------------------------------------------------------------------ GET */

static void refuse(struct mcp_http_req *r, int status, const char *message)
{
    if (status == 503 || status == 429)
        cm_add_header(r->req, "retry-after", "5");
    mcp__respond_rpc_error(r->req, status, NULL, -32000, message, NULL);
}

/* "<key>-<seq>" -> 0, else -1. */
static int parse_event_id(const char *v, uint32_t *key, uint64_t *seq)
{
    char *end = NULL;
    if (v == NULL || *v < '0' || *v > '9')
        return -1;
    unsigned long long k = strtoull(v, &end, 10);
    if (*end != '-' || k > UINT32_MAX || end[1] < '0' || end[1] > '9')
        return -1;
    const char *p = end + 1;
    unsigned long long q = strtoull(p, &end, 10);
    if (*end != '\0')
        return -1;
    *key = (uint32_t)k;
    *seq = q;
    return 0;
}

static mcp_sse_stream_t *find_stream(struct mcp_sse_session *ss, uint32_t key)
{
    if (key == 0)
        return mcp__sse_get_stream(ss);
    for (mcp_sse_stream_t *st = ss->streams; st != NULL; st = st->next)
        if (st->key == key)
            return st;
    return NULL;
}

/* A stream being read again: the earlier writer is dropped. HTTP/1.1 notices a peer that went away only when it
 * writes, so a reconnecting client usually finds its old connection still listed; the events that connection may
 * have lost are replayed from the Last-Event-ID the client sends. */
static void take_over(mcp_sse_stream_t *st)
{
    struct mcp_http_req *old = st->conn;
    if (old == NULL)
        return;
    old->stream = NULL;
    st->conn = NULL;
    unregister_writer(old);
    mcp__out_drop(old);
}

/* Attaches r as the writer of st (a GET stream is registered against the limits). */
static void attach(struct mcp_http_req *r, mcp_sse_stream_t *st)
{
    take_over(st);
    st->conn = r;
    r->stream = st;
    if (st->key == 0)
        mcp__sse_register(r);
}

/* Replays the events of stream key after seq, then carries the stream on (or ends the response when it is over). */
static void resume(struct mcp_http_req *r, struct mcp_sse_session *ss, uint32_t key, uint64_t seq)
{
    mcp_sse_stream_t *st = find_stream(ss, key);
    uint64_t last = st != NULL ? st->seq : 0;
    const struct mcp_sse_event *first = NULL;
    for (const struct mcp_sse_event *e = ss->head; e != NULL; e = e->next) {
        if (e->key != key)
            continue;
        if (st == NULL && e->seq > last)
            last = e->seq;
        if (first == NULL && e->seq > seq)
            first = e;
    }
    /* exactly the missed events, or nothing: a gap (evicted events) or an id never issued is refused */
    if ((st == NULL && last == 0) || seq > last || (first == NULL && seq != last) ||
        (first != NULL && first->seq != seq + 1)) {
        refuse(r, 404, "Not Found: the events after this Last-Event-ID are no longer available");
        return;
    }
    int status = key == 0 && (st == NULL || st->conn == NULL) ? mcp__sse_admit(r) : 0;
    if (status != 0) {
        refuse(r, status, "Too many open streams");
        return;
    }
    mcp__out_sse_start(r);
    int over = 0;
    for (const struct mcp_sse_event *e = first; e != NULL && !r->dropped; e = e->next)
        if (e->key == key) {
            mcp__out_sse_frame(r, e->frame, e->len, e->final);
            over |= e->final;
        }
    if (r->dropped)
        return;
    if (st != NULL && !st->done)
        attach(r, st);
    else if (!over)
        mcp__out_sse_frame(r, NULL, 0, 1);
}

void mcp__sse_get(struct mcp_http_req *r, mcp_session_t *sess)
{
    int bad = 0;
    struct mcp_sse_session *ss = mcp__sse_session_of(r->s, sess, 1);
    if (ss == NULL || mcp__sse_get_stream(ss) == NULL) {
        refuse(r, 503, "Service Unavailable: out of memory");
        return;
    }
    const char *last = mcp__header_value(r->req, "last-event-id", &bad);
    if (last != NULL) {
        uint32_t key;
        uint64_t seq;
        if (parse_event_id(last, &key, &seq) != 0) {
            refuse(r, 400, "Bad Request: Last-Event-ID is not an event id of this server");
            return;
        }
        resume(r, ss, key, seq);
        return;
    }
    mcp_sse_stream_t *st = ss->get;
    int status = st->conn == NULL ? mcp__sse_admit(r) : 0; /* a reconnect replaces the session's earlier GET */
    if (status != 0) {
        refuse(r, status, status == 429 ? "Too many open streams for this instance" : "Too many open streams");
        return;
    }
    attach(r, st);
    /* the priming event: an id (the stream's position) and no data, so the client can resume from here */
    char prime[48];
    int n = snprintf(prime, sizeof(prime), "id: 0-%" PRIu64 "\ndata: \n\n", st->seq);
    mcp__out_sse_frame(r, prime, (size_t)n, 0);
}

/* ------------------------------------------------------------------ idle ends, keepalives */

void mcp__sse_sweep(mcp_server_t *s, int64_t now_ms)
{
    int64_t idle = (int64_t)s->opts.sse_idle_s * 1000;
    struct mcp_http_req *next;
    for (struct mcp_http_req *r = s->get_writers; r != NULL; r = next) {
        next = r->gnext;
        if (r->stream == NULL || r->stream->done)
            continue;
        if (idle <= 0 || now_ms - r->last_event_ms <= idle) {
            /* a comment now and then: the only way HTTP/1.1 learns that an idle reader went away */
            if (now_ms - r->last_write_ms >= MCP_SSE_KEEPALIVE_MS) {
                r->last_write_ms = now_ms;
                mcp__out_sse_frame(r, ": keepalive\n\n", 13, 0);
            }
            continue;
        }
        /* the client reconnects (with Last-Event-ID: nothing is lost); a writer that cannot even take the end of
         * its response is dropped */
        mcp_sse_stream_t *st = r->stream;
        r->stream = NULL;
        st->conn = NULL;
        unregister_writer(r);
        if (r->sending)
            mcp__out_drop(r);
        else
            mcp__out_sse_frame(r, NULL, 0, 1);
    }
}
