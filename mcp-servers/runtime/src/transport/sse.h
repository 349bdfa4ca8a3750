/*
 * sse.h (private to transport/) - event streams of the MCP endpoint: event ids, the per-session replay buffer, the
 * GET stream of a legacy session, and the writers (responses) that carry them.
 *
 * A stream is a logical sequence of SSE events; a writer is the HTTP response currently carrying it. Every event has
 * the id "<stream key>-<seq>" (key 0 = the session's GET stream, 1.. = the session's POST response streams; ids of
 * sessionless streams use keys from a server-wide counter and are never replayed). Events of a session's streams are
 * also kept in the session's replay buffer (bounded in bytes, oldest dropped first): a GET with Last-Event-ID
 * "<key>-<seq>" replays the events of that stream after seq and, when the stream is still live, carries it on.
 * A tools/call of a legacy session whose response already switched to SSE keeps running when its writer goes away
 * (a disconnect is not a cancellation); notifications/cancelled or the tool timeout end it.
 *
 * Limits (mcp_server_t.sse): replay bytes per session, open GET streams per server and per instance, bytes queued
 * per writer (a reader that does not read past it is dropped: its socket is shut down), idle time of a GET stream.
 * Loop-thread only.
 */
#ifndef MCP_SSE_H
#define MCP_SSE_H

#include "protocol/session.h"
#include "transport/server_internal.h"

#include <jansson.h>
#include <stdint.h>

/* Resource subscriptions kept per session (beyond it, resources/subscribe is acknowledged but not recorded). */
#define MCP_MAX_SUBSCRIPTIONS 1000
/* A GET stream that carried nothing for this long gets an SSE comment (a dead peer shows up as a write error). */
#define MCP_SSE_KEEPALIVE_MS 15000

struct mcp_http_req;
struct mcp_sse_session;

typedef struct mcp_sse_stream {
    mcp_server_t *s;
    struct mcp_sse_session *ss; /* owner; NULL = sessionless (no replay, never outlives its writer) */
    uint32_t key;
    uint64_t seq;                 /* of the last event */
    struct mcp_http_req *conn;    /* the writer; NULL while detached */
    mcp_call_t *call;             /* the tools/call answering on this stream; NULL when none (or done) */
    json_t *call_id;              /* its JSON-RPC id (cancellation, the deadline answer) */
    mcp_era_t era;                /* of the request (the deadline answer) */
    h2o_timeout_entry_t deadline; /* linked while call runs (server tool_timeout) */
    int done;                     /* the final event (the response) was emitted */
    int input_wait;               /* the call waits for the client's input: no tool deadline meanwhile */
    struct mcp_sse_stream *next;  /* in ss->streams */
} mcp_sse_stream_t;

/* One event kept for replay (malloc'ed with its frame). */
struct mcp_sse_event {
    struct mcp_sse_event *next;
    uint32_t key;
    uint64_t seq;
    int final;
    size_t len;
    char frame[];
};

/* The stream state of a legacy session (mcp_session_t.transport). */
struct mcp_sse_session {
    mcp_server_t *s;
    mcp_session_t *sess;
    mcp_sse_stream_t *get;     /* key 0; NULL until the first GET or server-initiated message */
    mcp_sse_stream_t *streams; /* the POST response streams */
    uint32_t next_key;
    struct mcp_sse_event *head, *tail; /* replay buffer, oldest first */
    size_t bytes;
    json_t *subscriptions;               /* {uri: true} (resources/subscribe); NULL = none */
    struct mcp_sse_session *next, *prev; /* every session state of the server */
};

/* The session's stream state, created when create is set (NULL on ENOMEM or when absent). */
struct mcp_sse_session *mcp__sse_session_of(mcp_server_t *s, mcp_session_t *sess, int create);
/* The session's GET stream (key 0), created on demand; NULL on ENOMEM. */
mcp_sse_stream_t *mcp__sse_get_stream(struct mcp_sse_session *ss);
/* Emits an already serialized message (borrowed) on st. */
void mcp__sse_emit_text(mcp_sse_stream_t *st, const char *json, size_t len, int final);

/* A new stream for a request (ss NULL = sessionless); owned by ss, or by the request when sessionless. NULL on ENOMEM.
 */
mcp_sse_stream_t *mcp__sse_stream_new(mcp_server_t *s, mcp_session_t *sess);
/* Emits msg (stolen) on st: recorded for replay (session streams) and written to the writer if any. final marks the
 * response (the stream ends after it). */
void mcp__sse_emit(mcp_sse_stream_t *st, json_t *msg, int final);
/* st lost its writer (disposed or dropped): detaches it; abandons a call nobody can resume (sessionless, or no event
 * sent yet); frees st when nothing needs it any more. */
void mcp__sse_detach(mcp_sse_stream_t *st);
/* The request r is disposed: detaches its stream and unregisters it as a GET writer. */
void mcp__sse_writer_gone(struct mcp_http_req *r);
/* The sink of a tools/call (mcp_request_ctx_t.notify / .complete; ctx is the stream). */
void mcp__sse_sink_notify(void *ctx, json_t *msg);
void mcp__sse_sink_complete(void *ctx, json_t *response);
/* The call waits for the client's answers to its input requests (a person may take a while): the tool deadline pauses,
 * and restarts when the call runs again (mcp_request_ctx_t.waiting). */
void mcp__sse_sink_waiting(void *ctx, int waiting);
/* After dispatch returned a pending call on st: remembers it and starts its deadline (unless it already answered). */
void mcp__sse_call_pending(mcp_sse_stream_t *st, mcp_call_t *call);
/* notifications/cancelled {requestId} of a session: ends that call (never answered), ends its stream. 1 if found. */
int mcp__sse_cancel(mcp_server_t *s, mcp_session_t *sess, json_t *request_id);
/* GET on the endpoint for a session (authenticated, session checked): opens the session's GET stream, or replays
 * and resumes the stream named by Last-Event-ID. Answers r's request in every case. */
void mcp__sse_get(struct mcp_http_req *r, mcp_session_t *sess);
/* Sends msg (stolen) on the session's GET stream (recorded for replay even while no GET is open). CM_OK,
 * CM_ENOTFOUND (no such session). */
int mcp__sse_session_send(mcp_server_t *s, mcp_session_t *sess, json_t *msg);
/* 0, or the HTTP status refusing one more long-lived stream for r's instance (429) or the server (503). */
int mcp__sse_admit(struct mcp_http_req *r);
/* Lists r among the long-lived writers (limits, idle ends, keepalives, broadcasts); unlisted when disposed. */
void mcp__sse_register(struct mcp_http_req *r);

/* listen.c: subscriptions/listen (2026-07-28), the long-lived POST response that replaced the GET stream. */
/* Opens the subscription of a validated modern request msg on r: acknowledges the filter the server honours as the
 * first event; answers r in every case. */
void mcp__listen_open(struct mcp_http_req *r, json_t *id, json_t *params);
/* Ends a subscription gracefully: its result (tagged with the subscription id) is the last event. */
void mcp__listen_end(struct mcp_http_req *r);
/* 1 when the subscription of r asked for notifications/<kind>/list_changed ("tools", "prompts", "resources"). */
int mcp__listen_wants_list(const struct mcp_http_req *r, const char *kind);
/* 1 when the subscription of r names uri in resourceSubscriptions. */
int mcp__listen_wants_uri(const struct mcp_http_req *r, const char *uri);
/* Emits notification (borrowed) on r's subscription, tagged with its subscription id. */
void mcp__listen_emit(struct mcp_http_req *r, json_t *notification);
/* The session's subscribed resource URIs ({uri: true}); created on demand; NULL on ENOMEM. Borrowed. */
json_t *mcp__sse_subscriptions(mcp_server_t *s, mcp_session_t *sess);
/* Maintenance: ends GET streams idle for longer than the idle limit. */
void mcp__sse_sweep(mcp_server_t *s, int64_t now_ms);
/* The session table's drop hook: frees the session's stream state (ends its writers, abandons its calls). */
void mcp__sse_session_drop(void *arg, mcp_session_t *sess);
/* Shutdown: every writer ended, every stream state freed. */
void mcp__sse_shutdown(mcp_server_t *s);

#endif
