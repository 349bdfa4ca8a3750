/* test_dispatch.c - MCP method dispatch for both eras: lifecycle, errors, notifications, era differences. */
#include "common/status.h"
#include "cu.h"
#include "protocol/jsonrpc.h"
#include "dispatch/protocol.h"

#include <stdlib.h>
#include <string.h>

static mcp_tools_t *tools;
static mcp_protocol_t *proto;
static json_t *completed;

static void ok_tool(mcp_call_t *c, json_t *args, void *data)
{
    mcp_call_add_text(c, "done");
    mcp_call_finish(c);
}

static void on_complete(void *ctx, json_t *r)
{
    json_decref(completed);
    completed = r;
}

static int setup(void)
{
    char err[128];
    tools = mcp_tools_new(0);
    mcp_tool_def_t d = {.name = "t", .description = "d", .fn = ok_tool};
    mcp_tools_add(tools, &d, err, sizeof(err));
    mcp_protocol_info_t info = {.name = "mcp-test", .version = "9.9", .instructions = "be nice"};
    proto = mcp_protocol_new(&info, tools);
    return proto == NULL;
}

static int teardown(void)
{
    mcp_protocol_free(proto);
    mcp_tools_free(tools);
    json_decref(completed);
    return 0;
}

/* Dispatches text in an era; returns the reply (body owned by the caller). */
static mcp_reply_t run(const char *text, mcp_era_t era, int *session_level)
{
    json_t *doc = json_loads(text, 0, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
    mcp_jsonrpc_msg_t msg;
    mcp_jsonrpc_classify(doc, &msg);
    mcp_request_ctx_t ctx = {.era = era,
                             .protocol_version = era ? MCP_MODERN_VERSION : "2025-11-25",
                             .instance_id = "i",
                             .session_log_level = session_level,
                             .log_threshold = -1,
                             .complete = on_complete};
    mcp_reply_t r;
    mcp_protocol_dispatch(proto, &ctx, &msg, &r);
    json_decref(doc);
    if (r.text != NULL) { /* pre-serialized (tools/list): must be exactly one valid JSON-RPC response */
        CU_ASSERT_PTR_NULL(r.body);
        r.body = json_loads(r.text, 0, NULL);
        CU_ASSERT_PTR_NOT_NULL(r.body);
        free(r.text);
        r.text = NULL;
    }
    return r;
}

static json_int_t err_code(json_t *body)
{
    return json_integer_value(json_object_get(json_object_get(body, "error"), "code"));
}

static void test_initialize(void)
{
    mcp_reply_t r = run("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":"
                        "\"2025-06-18\",\"capabilities\":{},\"clientInfo\":{\"name\":\"c\",\"version\":\"1\"}}}",
                        MCP_ERA_LEGACY, NULL);
    json_t *res = json_object_get(r.body, "result");
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(res, "protocolVersion")), "2025-06-18");
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(json_object_get(res, "serverInfo"), "name")), "mcp-test");
    CU_ASSERT_PTR_NOT_NULL(json_object_get(json_object_get(res, "capabilities"), "tools"));
    CU_ASSERT_PTR_NULL(json_object_get(json_object_get(res, "capabilities"), "resources")); /* not implemented */
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(res, "instructions")), "be nice");
    json_decref(r.body);
    /* an unknown version gets our latest */
    r = run("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"1999-01-01\","
            "\"capabilities\":{},\"clientInfo\":{\"name\":\"c\",\"version\":\"1\"}}}",
            MCP_ERA_LEGACY, NULL);
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(json_object_get(r.body, "result"), "protocolVersion")),
                           MCP_LATEST_LEGACY_VERSION);
    json_decref(r.body);
    r = run("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{}}", MCP_ERA_LEGACY, NULL);
    CU_ASSERT_EQUAL(err_code(r.body), MCP_JSONRPC_INVALID_PARAMS);
    json_decref(r.body);
}

static void test_notifications_unanswered(void)
{
    mcp_reply_t r = run("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}", MCP_ERA_LEGACY, NULL);
    CU_ASSERT_PTR_NULL(r.body);
    CU_ASSERT_FALSE(r.pending);
    r = run("{\"jsonrpc\":\"2.0\",\"method\":\"tools/call\",\"params\":{\"name\":\"t\"}}", MCP_ERA_LEGACY, NULL);
    CU_ASSERT_PTR_NULL(r.body); /* even a "request" method sent as a notification is not answered */
    r = run("{\"jsonrpc\":\"2.0\",\"method\":\"no/such\"}", MCP_ERA_MODERN, NULL);
    CU_ASSERT_PTR_NULL(r.body);
}

static void test_errors(void)
{
    mcp_reply_t r = run("{\"jsonrpc\":\"2.0\",\"id\":\"s\",\"method\":\"no/such\"}", MCP_ERA_LEGACY, NULL);
    CU_ASSERT_EQUAL(err_code(r.body), MCP_JSONRPC_METHOD_NOT_FOUND);
    CU_ASSERT_EQUAL(r.http_status, 200);
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(r.body, "id")), "s");
    json_decref(r.body);
    r = run("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"no/such\"}", MCP_ERA_MODERN, NULL);
    CU_ASSERT_EQUAL(err_code(r.body), MCP_JSONRPC_METHOD_NOT_FOUND);
    CU_ASSERT_EQUAL(r.http_status, 404);
    json_decref(r.body);
    static const char *const removed[] = {"initialize", "ping", "logging/setLevel"};
    for (size_t i = 0; i < 3; i++) {
        char text[200];
        snprintf(text, sizeof(text), "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"%s\",\"params\":{}}", removed[i]);
        r = run(text, MCP_ERA_MODERN, NULL);
        CU_ASSERT_EQUAL(err_code(r.body), MCP_JSONRPC_METHOD_NOT_FOUND);
        CU_ASSERT_EQUAL(r.http_status, 404);
        json_decref(r.body);
    }
    r = run("{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"tools/call\",\"params\":{\"name\":\"nope\"}}", MCP_ERA_LEGACY,
            NULL);
    CU_ASSERT_EQUAL(err_code(r.body), MCP_JSONRPC_INVALID_PARAMS);
    CU_ASSERT_PTR_NOT_NULL(
        strstr(json_string_value(json_object_get(json_object_get(r.body, "error"), "message")), "nope"));
    json_decref(r.body);
    r = run("{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"tools/call\",\"params\":[1]}", MCP_ERA_LEGACY, NULL);
    CU_ASSERT_EQUAL(err_code(r.body), MCP_JSONRPC_INVALID_PARAMS);
    json_decref(r.body);
    r = run("{\"jsonrpc\":\"2.0\",\"id\":6,\"method\":\"tools/call\",\"params\":{\"name\":\"t\",\"arguments\":[]}}",
            MCP_ERA_LEGACY, NULL);
    CU_ASSERT_EQUAL(err_code(r.body), MCP_JSONRPC_INVALID_PARAMS);
    json_decref(r.body);
    r = run("{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"tools/list\",\"params\":{\"cursor\":\"bogus\"}}",
            MCP_ERA_LEGACY, NULL);
    CU_ASSERT_EQUAL(err_code(r.body), MCP_JSONRPC_INVALID_PARAMS);
    json_decref(r.body);
}

static void test_eras(void)
{
    mcp_reply_t r = run("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\"}", MCP_ERA_LEGACY, NULL);
    json_t *res = json_object_get(r.body, "result");
    CU_ASSERT_EQUAL(json_array_size(json_object_get(res, "tools")), 1);
    CU_ASSERT_PTR_NULL(json_object_get(res, "resultType"));
    CU_ASSERT_PTR_NULL(json_object_get(res, "ttlMs"));
    json_decref(r.body);
    r = run("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\",\"params\":{}}", MCP_ERA_MODERN, NULL);
    res = json_object_get(r.body, "result");
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(res, "resultType")), "complete");
    CU_ASSERT_TRUE(json_is_integer(json_object_get(res, "ttlMs")));
    CU_ASSERT_PTR_NOT_NULL(json_object_get(res, "cacheScope"));
    CU_ASSERT_PTR_NOT_NULL(json_object_get(json_object_get(res, "_meta"), MCP_META_SERVER_INFO));
    json_decref(r.body);
    /* the shared legacy page was not decorated by the modern answer */
    r = run("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\"}", MCP_ERA_LEGACY, NULL);
    CU_ASSERT_PTR_NULL(json_object_get(json_object_get(r.body, "result"), "ttlMs"));
    json_decref(r.body);
    /* cached answers still echo each request's id */
    r = run("{\"jsonrpc\":\"2.0\",\"id\":\"other-id\",\"method\":\"tools/list\"}", MCP_ERA_LEGACY, NULL);
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(r.body, "id")), "other-id");
    CU_ASSERT_EQUAL(json_array_size(json_object_get(json_object_get(r.body, "result"), "tools")), 1);
    json_decref(r.body);
    r = run("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"server/discover\",\"params\":{}}", MCP_ERA_MODERN, NULL);
    res = json_object_get(r.body, "result");
    CU_ASSERT_STRING_EQUAL(json_string_value(json_array_get(json_object_get(res, "supportedVersions"), 0)),
                           MCP_MODERN_VERSION);
    /* the endpoint serves the legacy revisions too (initialize): discover lists them after the modern one */
    json_t *listed = json_object_get(res, "supportedVersions");
    int has_legacy = 0;
    for (size_t i = 1; i < json_array_size(listed); i++)
        has_legacy |= strcmp(json_string_value(json_array_get(listed, i)), MCP_LATEST_LEGACY_VERSION) == 0;
    CU_ASSERT_TRUE(has_legacy);
    CU_ASSERT_EQUAL(json_array_size(listed), 5);
    CU_ASSERT_PTR_NOT_NULL(json_object_get(res, "capabilities"));
    json_decref(r.body);
    r = run("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"server/discover\"}", MCP_ERA_LEGACY, NULL);
    CU_ASSERT_EQUAL(err_code(r.body), MCP_JSONRPC_METHOD_NOT_FOUND);
    json_decref(r.body);
}

static void test_ping_and_levels(void)
{
    int level = -1;
    mcp_reply_t r = run("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}", MCP_ERA_LEGACY, NULL);
    CU_ASSERT_EQUAL(json_object_size(json_object_get(r.body, "result")), 0);
    json_decref(r.body);
    r = run("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"logging/setLevel\",\"params\":{\"level\":\"warning\"}}",
            MCP_ERA_LEGACY, &level);
    CU_ASSERT_EQUAL(level, MCP_LOG_WARNING);
    json_decref(r.body);
    r = run("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"logging/setLevel\",\"params\":{\"level\":\"loud\"}}",
            MCP_ERA_LEGACY, &level);
    CU_ASSERT_EQUAL(err_code(r.body), MCP_JSONRPC_INVALID_PARAMS);
    CU_ASSERT_EQUAL(level, MCP_LOG_WARNING);
    json_decref(r.body);
}

static void test_tool_call(void)
{
    mcp_reply_t r = run("{\"jsonrpc\":\"2.0\",\"id\":11,\"method\":\"tools/call\",\"params\":{\"name\":\"t\"}}",
                        MCP_ERA_MODERN, NULL);
    CU_ASSERT_TRUE(r.pending);
    CU_ASSERT_PTR_NULL(r.body);
    CU_ASSERT_PTR_NOT_NULL_FATAL(completed);
    CU_ASSERT_EQUAL(json_integer_value(json_object_get(completed, "id")), 11);
    json_t *res = json_object_get(completed, "result");
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(res, "resultType")), "complete");
    CU_ASSERT_STRING_EQUAL(
        json_string_value(json_object_get(json_array_get(json_object_get(res, "content"), 0), "text")), "done");
}

void tests_register(void)
{
    CU_SUITE("dispatch", setup, teardown, {"initialize", test_initialize},
             {"notifications unanswered", test_notifications_unanswered}, {"errors", test_errors}, {"eras", test_eras},
             {"ping and levels", test_ping_and_levels}, {"tools/call", test_tool_call});
}
