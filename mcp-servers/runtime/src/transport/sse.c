/*
 * sse.c - event streams: ids, the per-session replay buffer, the sink of tools/call, cancellation and the tool
 * deadline (see sse.h). The GET side (opening, resuming, broadcasts, limits) is in sse_get.c.
 */
#include "transport/sse.h"
#include "common/status.h"
#include "protocol/jsonrpc.h"
#include "transport/http_out.h"
#include "util/lru.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void on_deadline(h2o_timeout_entry_t *e);

struct mcp_sse_session *mcp__sse_session_of(mcp_server_t *s, mcp_session_t *sess, int create)
{
    if (sess == NULL)
        return NULL;
    if (sess->transport != NULL || !create)
        return sess->transport;
    struct mcp_sse_session *ss = calloc(1, sizeof(*ss));
    if (ss == NULL)
        return NULL;
    ss->s = s;
    ss->sess = sess;
    ss->next = s->sse_sessions;
    if (ss->next != NULL)
        ss->next->prev = ss;
    s->sse_sessions = ss;
    sess->transport = ss;
    return ss;
}

static mcp_sse_stream_t *stream_alloc(mcp_server_t *s, struct mcp_sse_session *ss, uint32_t key)
{
    mcp_sse_stream_t *st = calloc(1, sizeof(*st));
    if (st == NULL)
        return NULL;
    st->s = s;
    st->ss = ss;
    st->key = key;
    st->deadline.cb = on_deadline;
    return st;
}

mcp_sse_stream_t *mcp__sse_get_stream(struct mcp_sse_session *ss)
{
    if (ss->get == NULL)
        ss->get = stream_alloc(ss->s, ss, 0);
    return ss->get;
}

mcp_sse_stream_t *mcp__sse_stream_new(mcp_server_t *s, mcp_session_t *sess)
{
    struct mcp_sse_session *ss = mcp__sse_session_of(s, sess, 1);
    if (sess != NULL && ss == NULL)
        return NULL;
    /* key 0 is the GET stream: POST streams count from 1 */
    mcp_sse_stream_t *st = stream_alloc(s, ss, ss != NULL ? ++ss->next_key : ++s->sse_next_key);
    if (st == NULL || ss == NULL)
        return st;
    st->next = ss->streams;
    ss->streams = st;
    return st;
}

static void stream_free(mcp_sse_stream_t *st)
{
    struct mcp_sse_session *ss = st->ss;
    if (ss != NULL && ss->get != st) {
        for (mcp_sse_stream_t **pp = &ss->streams; *pp != NULL; pp = &(*pp)->next)
            if (*pp == st) {
                *pp = st->next;
                break;
            }
    } else if (ss != NULL) {
        ss->get = NULL;
    }
    if (h2o_timeout_is_linked(&st->deadline))
        h2o_timeout_unlink(&st->deadline);
    json_decref(st->call_id);
    free(st);
}

/* Ends the call running on st without an answer (its sink is cleared first, so nothing reaches st any more). */
static void abandon_call(mcp_sse_stream_t *st)
{
    if (h2o_timeout_is_linked(&st->deadline))
        h2o_timeout_unlink(&st->deadline);
    mcp_call_t *call = st->call;
    st->call = NULL;
    st->done = 1;
    if (call != NULL)
        mcp_protocol_abandon(call);
}

/* ------------------------------------------------------------------ replay buffer */

static void replay_trim(struct mcp_sse_session *ss, size_t cap)
{
    while (ss->head != NULL && ss->bytes > cap) {
        struct mcp_sse_event *e = ss->head;
        ss->head = e->next;
        if (ss->head == NULL)
            ss->tail = NULL;
        ss->bytes -= e->len;
        free(e);
    }
}

static void replay_add(struct mcp_sse_session *ss, uint32_t key, uint64_t seq, int final, const char *frame, size_t len)
{
    size_t cap = ss->s->opts.sse_replay_bytes;
    if (len > cap) { /* larger than the whole buffer: what is kept could not be replayed without it */
        replay_trim(ss, 0);
        return;
    }
    struct mcp_sse_event *e = malloc(sizeof(*e) + len);
    if (e == NULL)
        return;
    e->next = NULL;
    e->key = key;
    e->seq = seq;
    e->final = final;
    e->len = len;
    memcpy(e->frame, frame, len);
    if (ss->tail != NULL)
        ss->tail->next = e;
    else
        ss->head = e;
    ss->tail = e;
    ss->bytes += len;
    replay_trim(ss, cap);
}

/* ------------------------------------------------------------------ emitting */

void mcp__sse_emit_text(mcp_sse_stream_t *st, const char *json, size_t len, int final)
{
    if (st->done)
        return;
    char head[64];
    int hn = snprintf(head, sizeof(head), "id: %" PRIu32 "-%" PRIu64 "\nevent: message\ndata: ", st->key, st->seq + 1);
    size_t flen = (size_t)hn + len + 2;
    char *frame = malloc(flen);
    if (hn < 0 || frame == NULL) {
        free(frame);
        return;
    }
    st->seq++;
    memcpy(frame, head, (size_t)hn);
    memcpy(frame + hn, json, len);
    memcpy(frame + hn + len, "\n\n", 2);
    if (st->ss != NULL)
        replay_add(st->ss, st->key, st->seq, final, frame, flen);
    if (st->conn != NULL) {
        st->conn->last_event_ms = st->conn->last_write_ms = mcp__now_ms();
        mcp__out_sse_frame(st->conn, frame, flen, final);
    }
    free(frame);
    if (final) {
        st->done = 1;
        if (h2o_timeout_is_linked(&st->deadline))
            h2o_timeout_unlink(&st->deadline);
        st->call = NULL;
        if (st->conn == NULL)
            stream_free(st);
    }
}

void mcp__sse_emit(mcp_sse_stream_t *st, json_t *msg, int final)
{
    char *text = msg != NULL ? json_dumps(msg, JSON_COMPACT) : NULL;
    json_decref(msg);
    if (text != NULL)
        mcp__sse_emit_text(st, text, strlen(text), final);
    free(text);
}

void mcp__sse_detach(mcp_sse_stream_t *st)
{
    if (st == NULL)
        return;
    st->conn = NULL;
    if (st->ss != NULL && st->ss->get == st)
        return; /* the GET stream lives as long as its session */
    /* a client can resume only a session's stream that already gave it an event id */
    if (st->call != NULL && (st->ss == NULL || st->seq == 0))
        abandon_call(st);
    if (st->call == NULL)
        stream_free(st);
}

void mcp__sse_sink_notify(void *ctx, json_t *msg)
{
    mcp__sse_emit(ctx, msg, 0);
}

static int http_status_of(const mcp_sse_stream_t *st, json_t *response)
{
    json_t *err = json_object_get(response, "error");
    if (err == NULL || st->era != MCP_ERA_MODERN)
        return 200;
    json_int_t code = json_integer_value(json_object_get(err, "code"));
    if (code == MCP_JSONRPC_METHOD_NOT_FOUND)
        return 404;
    if (code == MCP_ERR_HEADER_MISMATCH || code == MCP_ERR_MISSING_CLIENT_CAPABILITY ||
        code == MCP_ERR_UNSUPPORTED_PROTOCOL_VERSION)
        return 400;
    return 200;
}

/* Delivers the final response (stolen) of st: as the JSON body when its writer has not switched to SSE. */
static void deliver(mcp_sse_stream_t *st, json_t *response)
{
    if (json_object_get(response, "error") != NULL)
        st->s->stats.errors++;
    struct mcp_http_req *r = st->conn;
    if (r != NULL && !r->sse_started && st->seq == 0) {
        st->done = 1;
        st->call = NULL;
        if (h2o_timeout_is_linked(&st->deadline))
            h2o_timeout_unlink(&st->deadline);
        mcp__out_json(r, http_status_of(st, response), response);
        return;
    }
    mcp__sse_emit(st, response, 1);
}

void mcp__sse_sink_complete(void *ctx, json_t *response)
{
    deliver(ctx, response);
}

void mcp__sse_sink_waiting(void *ctx, int waiting)
{
    mcp_sse_stream_t *st = ctx;
    st->input_wait = waiting;
    if (waiting && h2o_timeout_is_linked(&st->deadline))
        h2o_timeout_unlink(&st->deadline);
    else if (!waiting && st->call != NULL && !st->done && !h2o_timeout_is_linked(&st->deadline))
        h2o_timeout_link(cm_server_loop(st->s->httpd), &st->s->tool_timeout, &st->deadline);
}

void mcp__sse_call_pending(mcp_sse_stream_t *st, mcp_call_t *call)
{
    if (st->done)
        return; /* answered synchronously: the call is gone */
    st->call = call;
    if (!st->input_wait) /* a call waiting for the client's input has no deadline until it runs again */
        h2o_timeout_link(cm_server_loop(st->s->httpd), &st->s->tool_timeout, &st->deadline);
}

/* A tools/call that outlives the server's tool timeout: answer with a tool error, stop the call. */
static void on_deadline(h2o_timeout_entry_t *e)
{
    mcp_sse_stream_t *st = H2O_STRUCT_FROM_MEMBER(mcp_sse_stream_t, deadline, e);
    if (st->call == NULL)
        return;
    mcp_call_t *call = st->call;
    st->call = NULL;
    mcp_protocol_abandon(call);
    char text[160];
    snprintf(text, sizeof(text), "The tool did not finish within %d seconds; it was abandoned.",
             st->s->tool_timeout_ms / 1000);
    json_t *result = json_pack("{s:[{s:s, s:s}], s:b}", "content", "type", "text", "text", text, "isError", 1);
    if (st->era == MCP_ERA_MODERN)
        json_object_set_new(result, "resultType", json_string("complete"));
    deliver(st, mcp_jsonrpc_result(st->call_id, result));
}

int mcp__sse_cancel(mcp_server_t *s, mcp_session_t *sess, json_t *request_id)
{
    struct mcp_sse_session *ss = mcp__sse_session_of(s, sess, 0);
    if (ss == NULL || request_id == NULL)
        return 0;
    for (mcp_sse_stream_t *st = ss->streams; st != NULL; st = st->next) {
        if (st->call == NULL || st->done || !json_equal(st->call_id, request_id))
            continue;
        abandon_call(st);
        s->stats.cancelled++;
        if (st->conn != NULL)
            mcp__out_sse_frame(st->conn, NULL, 0, 1); /* end the response without the result */
        else
            stream_free(st);
        return 1;
    }
    return 0;
}

/* ------------------------------------------------------------------ session state */

static void session_state_free(struct mcp_sse_session *ss)
{
    mcp_server_t *s = ss->s;
    mcp_sse_stream_t *all[2] = {ss->get, ss->streams};
    ss->get = NULL;
    ss->streams = NULL;
    for (int i = 0; i < 2; i++) {
        mcp_sse_stream_t *st = all[i];
        while (st != NULL) {
            mcp_sse_stream_t *next = i == 0 ? NULL : st->next;
            if (st->call != NULL)
                abandon_call(st);
            if (st->conn != NULL) {
                st->conn->stream = NULL;
                mcp__out_sse_frame(st->conn, NULL, 0, 1);
            }
            st->ss = NULL;
            if (h2o_timeout_is_linked(&st->deadline))
                h2o_timeout_unlink(&st->deadline);
            json_decref(st->call_id);
            free(st);
            st = next;
        }
    }
    replay_trim(ss, 0);
    json_decref(ss->subscriptions);
    if (ss->prev != NULL)
        ss->prev->next = ss->next;
    else
        s->sse_sessions = ss->next;
    if (ss->next != NULL)
        ss->next->prev = ss->prev;
    if (ss->sess != NULL)
        ss->sess->transport = NULL;
    free(ss);
}

void mcp__sse_session_drop(void *arg, mcp_session_t *sess)
{
    (void)arg;
    if (sess->transport != NULL)
        session_state_free(sess->transport);
}

void mcp__sse_shutdown(mcp_server_t *s)
{
    while (s->sse_sessions != NULL)
        session_state_free(s->sse_sessions);
    mcp_lru_free(s->sse_per_instance);
    s->sse_per_instance = NULL;
}

json_t *mcp__sse_subscriptions(mcp_server_t *s, mcp_session_t *sess)
{
    struct mcp_sse_session *ss = mcp__sse_session_of(s, sess, 1);
    if (ss != NULL && ss->subscriptions == NULL)
        ss->subscriptions = json_object();
    return ss != NULL ? ss->subscriptions : NULL;
}

int mcp__sse_session_send(mcp_server_t *s, mcp_session_t *sess, json_t *msg)
{
    struct mcp_sse_session *ss = mcp__sse_session_of(s, sess, 1);
    mcp_sse_stream_t *st = ss != NULL ? mcp__sse_get_stream(ss) : NULL;
    if (st == NULL) {
        json_decref(msg);
        return CM_ENOMEM;
    }
    mcp__sse_emit(st, msg, 0);
    return CM_OK;
}
