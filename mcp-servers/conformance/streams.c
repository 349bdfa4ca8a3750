/*
 * streams.c - the conformance fixture's tools that drive server-initiated messages (mcp/streams.h): notifications on
 * the session's GET stream over time (resumability tests), list_changed to every GET stream (tests, the fan-out
 * benchmark) and resources/updated to subscribed sessions.
 */
#include "common/status.h"
#include "fixture.h"
#include "mcp/streams.h"
#include "mcp/tools.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* test_stream_notify: answers at once, then sends count notifications/message {data: "n<i>", pad: <size bytes>} to
 * the session's GET stream, one per 100 ms tick (all in the first tick with burst). */
struct ticker {
    h2o_timeout_entry_t entry;
    mcp_server_t *s;
    char session[72];
    int sent, count, burst;
    char *pad;
};

static int send_one(struct ticker *t)
{
    char data[32];
    snprintf(data, sizeof(data), "n%d", ++t->sent);
    json_t *n = json_pack("{s:s, s:s, s:{s:s, s:s, s:{s:s, s:s}}}", "jsonrpc", "2.0", "method", "notifications/message",
                          "params", "level", "info", "logger", "stream", "data", "seq", data, "pad", t->pad);
    return mcp_server_session_send(t->s, t->session, n);
}

static void on_tick(h2o_timeout_entry_t *e)
{
    struct ticker *t = H2O_STRUCT_FROM_MEMBER(struct ticker, entry, e);
    int rc = send_one(t);
    while (rc == CM_OK && t->burst && t->sent < t->count)
        rc = send_one(t);
    if (rc != CM_OK || t->sent >= t->count) {
        free(t->pad);
        free(t);
        return;
    }
    h2o_context_t *ctx = mcp_server_context(t->s);
    h2o_timeout_link(ctx->loop, &ctx->hundred_ms_timeout, &t->entry);
}

static void t_stream_notify(mcp_call_t *c, json_t *args, void *data)
{
    const char *sid = mcp_call_session_id(c);
    if (sid == NULL) {
        mcp_call_fail(c, "test_stream_notify needs a session (2025-11-25)");
        return;
    }
    struct ticker *t = calloc(1, sizeof(*t));
    if (t == NULL) {
        mcp_call_fail(c, "out of memory");
        return;
    }
    t->s = mcp_call_server(c);
    snprintf(t->session, sizeof(t->session), "%s", sid);
    t->count = (int)json_integer_value(json_object_get(args, "count"));
    t->burst = json_is_true(json_object_get(args, "burst"));
    size_t size = (size_t)json_integer_value(json_object_get(args, "size"));
    if ((t->pad = malloc(size + 1)) == NULL) {
        free(t);
        mcp_call_fail(c, "out of memory");
        return;
    }
    memset(t->pad, 'x', size);
    t->pad[size] = '\0';
    t->entry.cb = on_tick;
    h2o_context_t *ctx = mcp_server_context(t->s);
    h2o_timeout_link(ctx->loop, &ctx->hundred_ms_timeout, &t->entry);
    mcp_call_add_text(c, "scheduled");
    mcp_call_finish(c);
}

static void t_list_changed(mcp_call_t *c, json_t *args, void *data)
{
    char text[64];
    snprintf(text, sizeof(text), "%zu", mcp_server_notify_list_changed(mcp_call_server(c), "tools"));
    mcp_call_add_text(c, text);
    mcp_call_finish(c);
}

static void t_resource_updated(mcp_call_t *c, json_t *args, void *data)
{
    char text[64];
    const char *uri = json_string_value(json_object_get(args, "uri"));
    snprintf(text, sizeof(text), "%zu", mcp_server_resource_updated(mcp_call_server(c), mcp_call_instance(c), uri));
    mcp_call_add_text(c, text);
    mcp_call_finish(c);
}

int fixture_register_streams(mcp_server_t *s)
{
    static const mcp_tool_def_t defs[] = {
        {.name = "test_stream_notify",
         .description = "Sends count notifications/message to the session's GET stream, one per 100 ms",
         .input_schema = "{\"type\":\"object\",\"properties\":{\"count\":{\"type\":\"integer\",\"minimum\":1,"
                         "\"maximum\":1000},\"size\":{\"type\":\"integer\",\"minimum\":0,\"maximum\":1048576,"
                         "\"default\":0},\"burst\":{\"type\":\"boolean\",\"default\":false}},\"required\":[\"count\"],"
                         "\"additionalProperties\":false}",
         .annotations = MCP_HINTS(1, 0, 1, 0),
         .fn = t_stream_notify},
        {.name = "test_trigger_tool_change",
         .description = "Sends notifications/tools/list_changed to every open GET / subscriptions/listen stream that "
                        "asked for it (the suite's diagnostic hook); answers how many",
         .input_schema = NULL,
         .annotations = MCP_HINTS(1, 0, 1, 0),
         .fn = t_list_changed},
        {.name = "test_resource_updated",
         .description = "Sends notifications/resources/updated for uri to the subscribed sessions; answers how many",
         .input_schema = "{\"type\":\"object\",\"properties\":{\"uri\":{\"type\":\"string\",\"maxLength\":500}},"
                         "\"required\":[\"uri\"],\"additionalProperties\":false}",
         .annotations = MCP_HINTS(1, 0, 1, 0),
         .fn = t_resource_updated},
    };
    if (mcp_server_add_tools(s, defs, sizeof(defs) / sizeof(defs[0])) != CM_OK)
        return CM_EINVAL;
    return mcp_server_declare_list_changed(s, "tools");
}
