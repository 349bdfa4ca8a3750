/* test_tools.c - tool registry, tools/list pagination, tools/call validation and results. */
#include "common/status.h"
#include "cu.h"
#include "protocol/jsonrpc.h"
#include "mcp/tools.h"
#include "features/tools_internal.h"

#include <stdio.h>
#include <string.h>

static void noop_tool(mcp_call_t *c, json_t *args, void *data)
{
    mcp_call_add_text(c, "ok");
    mcp_call_finish(c);
}

static void echo_tool(mcp_call_t *c, json_t *args, void *data)
{
    mcp_call_log(c, MCP_LOG_DEBUG, "echo", json_string("debug line"));
    mcp_call_log(c, MCP_LOG_ERROR, "echo", json_string("error line"));
    mcp_call_progress(c, 1, 2, "half");
    mcp_call_set_structured(c, json_pack("{s:O}", "echoed", json_object_get(args, "text")));
    mcp_call_finish(c);
}

static void bad_output_tool(mcp_call_t *c, json_t *args, void *data)
{
    mcp_call_set_structured(c, json_pack("{s:i}", "echoed", 5));
    mcp_call_finish(c);
}

/* answers the integer it reads the way the services do (json_integer_value, 0 for a real) */
static void int_tool(mcp_call_t *c, json_t *args, void *data)
{
    char buf[96];
    json_t *items = json_object_get(args, "items");
    snprintf(buf, sizeof(buf), "%lld %lld %d", (long long)json_integer_value(json_object_get(args, "max")),
             (long long)json_integer_value(json_array_get(items, 0)), json_is_integer(json_object_get(args, "n")));
    mcp_call_add_text(c, buf);
    mcp_call_finish(c);
}

static void failing_tool(mcp_call_t *c, json_t *args, void *data)
{
    mcp_call_fail(c, "upstream said %d", 503);
}

static void test_registry(void)
{
    char err[256];
    mcp_tools_t *r = mcp_tools_new(0);
    mcp_tool_def_t d = {.name = "a_tool",
                        .description = "d",
                        .fn = noop_tool,
                        .annotations = {.read_only = MCP_HINT_TRUE, .destructive = MCP_HINT_FALSE}};
    CU_ASSERT_EQUAL(mcp_tools_add(r, &d, err, sizeof(err)), CM_OK);
    CU_ASSERT_EQUAL(mcp_tools_add(r, &d, err, sizeof(err)), CM_ECONFLICT);
    mcp_tool_def_t bad = {.name = "bad name", .fn = noop_tool};
    CU_ASSERT_EQUAL(mcp_tools_add(r, &bad, err, sizeof(err)), CM_EINVAL);
    bad.name = "ok";
    bad.input_schema = "{\"type\":\"string\"}";
    CU_ASSERT_EQUAL(mcp_tools_add(r, &bad, err, sizeof(err)), CM_EINVAL);
    bad.input_schema = "{\"type\":\"object\",\"properties\":{\"x\":{\"pattern\":\"(?<=a)\"}}}";
    CU_ASSERT_EQUAL(mcp_tools_add(r, &bad, err, sizeof(err)), CM_EINVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "inputSchema"));
    bad.input_schema = "{not json";
    CU_ASSERT_EQUAL(mcp_tools_add(r, &bad, err, sizeof(err)), CM_EINVAL);
    bad.input_schema = NULL;
    bad.fn = NULL;
    CU_ASSERT_EQUAL(mcp_tools_add(r, &bad, err, sizeof(err)), CM_EINVAL);
    CU_ASSERT_EQUAL(mcp_tools_count(r), 1);

    json_t *page = NULL;
    CU_ASSERT_EQUAL(mcp_tools_list(r, NULL, &page), CM_OK);
    json_t *t = json_array_get(json_object_get(page, "tools"), 0);
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(t, "name")), "a_tool");
    json_t *in = json_object_get(t, "inputSchema");
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(in, "type")), "object");
    CU_ASSERT_TRUE(json_is_false(json_object_get(in, "additionalProperties")));
    json_t *ann = json_object_get(t, "annotations");
    CU_ASSERT_TRUE(json_is_true(json_object_get(ann, "readOnlyHint")));
    CU_ASSERT_TRUE(json_is_false(json_object_get(ann, "destructiveHint")));
    CU_ASSERT_PTR_NULL(json_object_get(ann, "idempotentHint"));
    CU_ASSERT_PTR_NULL(json_object_get(page, "nextCursor"));
    json_decref(page);
    mcp_tools_free(r);
}

static void test_pagination(void)
{
    char err[256], name[32];
    mcp_tools_t *r = mcp_tools_new(3);
    for (int i = 0; i < 7; i++) {
        snprintf(name, sizeof(name), "tool_%d", i);
        mcp_tool_def_t d = {.name = name, .fn = noop_tool};
        CU_ASSERT_EQUAL(mcp_tools_add(r, &d, err, sizeof(err)), CM_OK);
    }
    const char *cursor = NULL;
    int seen = 0, pages = 0;
    char cur[32];
    do {
        json_t *page = NULL;
        CU_ASSERT_EQUAL_FATAL(mcp_tools_list(r, cursor, &page), CM_OK);
        json_t *tools = json_object_get(page, "tools");
        for (size_t i = 0; i < json_array_size(tools); i++) {
            snprintf(name, sizeof(name), "tool_%d", seen++);
            CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(json_array_get(tools, i), "name")), name);
        }
        json_t *next = json_object_get(page, "nextCursor");
        cursor = NULL;
        if (next) {
            snprintf(cur, sizeof(cur), "%s", json_string_value(next));
            cursor = cur;
        }
        json_decref(page);
        pages++;
    } while (cursor != NULL && pages < 10);
    CU_ASSERT_EQUAL(seen, 7);
    CU_ASSERT_EQUAL(pages, 3);
    json_t *page = NULL;
    CU_ASSERT_EQUAL(mcp_tools_list(r, "p3", &page), CM_EINVAL);
    CU_ASSERT_EQUAL(mcp_tools_list(r, "garbage", &page), CM_EINVAL);
    CU_ASSERT_EQUAL(mcp_tools_list(r, "p01", &page), CM_EINVAL);
    CU_ASSERT_EQUAL(mcp_tools_list(r, "", &page), CM_EINVAL);
    CU_ASSERT_EQUAL(mcp_tools_list(r, "p99999999999", &page), CM_EINVAL);
    mcp_tools_free(r);
}

/* a sink that records what the call produced */
static json_t *responses, *notifications;
static void sink_notify(void *ctx, json_t *n)
{
    json_array_append_new(notifications, n);
}
static void sink_complete(void *ctx, json_t *r)
{
    json_array_append_new(responses, r);
}

static json_t *run(mcp_tools_t *r, const char *tool, const char *args_json, int log_threshold, json_t *progress)
{
    responses = json_array();
    notifications = json_array();
    json_t *id = json_integer(7);
    mcp_call_params_t p = {.tool = mcp_tools_find(r, tool),
                           .id = id,
                           .instance_id = "inst",
                           .protocol_version = "2025-11-25",
                           .progress_token = progress,
                           .log_threshold = log_threshold,
                           .sink = {sink_notify, sink_complete, NULL}};
    CU_ASSERT_PTR_NOT_NULL_FATAL(p.tool);
    mcp_call_t *c = mcp__call_new(&p);
    json_t *args = args_json ? json_loads(args_json, 0, NULL) : NULL;
    mcp__call_run(c, args);
    json_decref(args);
    json_decref(id);
    CU_ASSERT_EQUAL(json_array_size(responses), 1);
    json_t *resp = json_incref(json_array_get(responses, 0));
    json_decref(responses);
    return resp;
}

static mcp_tools_t *echo_registry(void)
{
    char err[256];
    mcp_tools_t *r = mcp_tools_new(0);
    static const char in[] = "{\"type\":\"object\",\"properties\":{\"text\":{\"type\":\"string\",\"minLength\":1},"
                             "\"n\":{\"type\":\"integer\",\"default\":2}},\"required\":[\"text\"]}";
    static const char out[] =
        "{\"type\":\"object\",\"properties\":{\"echoed\":{\"type\":\"string\"}},\"required\":[\"echoed\"]}";
    mcp_tool_def_t e = {.name = "echo", .input_schema = in, .output_schema = out, .fn = echo_tool};
    mcp_tool_def_t b = {.name = "bad_output", .output_schema = out, .fn = bad_output_tool};
    mcp_tool_def_t f = {.name = "failing", .fn = failing_tool};
    CU_ASSERT_EQUAL(mcp_tools_add(r, &e, err, sizeof(err)), CM_OK);
    CU_ASSERT_EQUAL(mcp_tools_add(r, &b, err, sizeof(err)), CM_OK);
    CU_ASSERT_EQUAL(mcp_tools_add(r, &f, err, sizeof(err)), CM_OK);
    return r;
}

static void test_call_results(void)
{
    mcp_tools_t *r = echo_registry();
    json_t *progress = json_string("tok");
    json_t *resp = run(r, "echo", "{\"text\":\"hi\"}", MCP_LOG_INFO, progress);
    json_t *res = json_object_get(resp, "result");
    CU_ASSERT_EQUAL(json_integer_value(json_object_get(resp, "id")), 7);
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(json_object_get(res, "structuredContent"), "echoed")),
                           "hi");
    json_t *text = json_array_get(json_object_get(res, "content"), 0);
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(text, "text")), "{\"echoed\":\"hi\"}");
    CU_ASSERT_PTR_NULL(json_object_get(res, "isError"));
    /* the debug line is below the threshold; error line and progress went out */
    CU_ASSERT_EQUAL(json_array_size(notifications), 2);
    json_t *n0 = json_array_get(notifications, 0);
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(n0, "method")), "notifications/message");
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(json_object_get(n0, "params"), "level")), "error");
    json_t *n1 = json_array_get(notifications, 1);
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(n1, "method")), "notifications/progress");
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(json_object_get(n1, "params"), "progressToken")), "tok");
    json_decref(notifications);
    json_decref(resp);
    json_decref(progress);

    /* no log level requested, no progress token: no notifications */
    resp = run(r, "echo", "{\"text\":\"hi\"}", -1, NULL);
    CU_ASSERT_EQUAL(json_array_size(notifications), 0);
    json_decref(notifications);
    json_decref(resp);

    resp = run(r, "failing", NULL, -1, NULL);
    res = json_object_get(resp, "result");
    CU_ASSERT_TRUE(json_is_true(json_object_get(res, "isError")));
    CU_ASSERT_STRING_EQUAL(
        json_string_value(json_object_get(json_array_get(json_object_get(res, "content"), 0), "text")),
        "upstream said 503");
    json_decref(notifications);
    json_decref(resp);

    /* structured output that violates the outputSchema is a server error */
    resp = run(r, "bad_output", NULL, -1, NULL);
    CU_ASSERT_EQUAL(json_integer_value(json_object_get(json_object_get(resp, "error"), "code")), -32603);
    json_decref(notifications);
    json_decref(resp);
    mcp_tools_free(r);
}

static void expect_invalid(mcp_tools_t *r, const char *tool, const char *args, const char *needle)
{
    json_t *resp = run(r, tool, args, -1, NULL);
    json_t *res = json_object_get(resp, "result");
    CU_ASSERT_TRUE(json_is_true(json_object_get(res, "isError")));
    const char *text = json_string_value(json_object_get(json_array_get(json_object_get(res, "content"), 0), "text"));
    CU_ASSERT_PTR_NOT_NULL_FATAL(text);
    if (strstr(text, needle) == NULL) {
        fprintf(stderr, "\n  \"%s\" lacks \"%s\"\n", text, needle);
        CU_FAIL("message");
    }
    json_decref(notifications);
    json_decref(resp);
}

static void test_call_validation(void)
{
    mcp_tools_t *r = echo_registry();
    expect_invalid(r, "echo", "{}", "field 'text' is required");
    expect_invalid(r, "echo", "{\"text\":\"\"}", "field 'text' must be at least 1");
    expect_invalid(r, "echo", "{\"text\":\"a\",\"n\":\"2\"}", "field 'n' must be of type integer");
    expect_invalid(r, "failing", "{\"x\":1}", "field 'x' is not an allowed property");
    mcp_tools_free(r);
}

static void test_call_whole_decimals(void)
{
    char err[256];
    mcp_tools_t *r = mcp_tools_new(0);
    static const char in[] = "{\"type\":\"object\",\"properties\":{\"max\":{\"type\":\"integer\",\"maximum\":500},"
                             "\"items\":{\"type\":\"array\",\"items\":{\"type\":\"integer\"}},"
                             "\"n\":{\"type\":\"integer\"}}}";
    mcp_tool_def_t t = {.name = "ints", .input_schema = in, .fn = int_tool};
    CU_ASSERT_EQUAL_FATAL(mcp_tools_add(r, &t, err, sizeof(err)), CM_OK);
    json_t *resp = run(r, "ints", "{\"max\":5.0,\"items\":[42.0],\"n\":1}", -1, NULL);
    json_t *text =
        json_object_get(json_array_get(json_object_get(json_object_get(resp, "result"), "content"), 0), "text");
    CU_ASSERT_STRING_EQUAL(json_string_value(text), "5 42 1");
    json_decref(notifications);
    json_decref(resp);
    expect_invalid(r, "ints", "{\"max\":5.5}", "field 'max' must be of type integer");
    mcp_tools_free(r);
}

void tests_register(void)
{
    CU_SUITE("tools", NULL, NULL, {"registry", test_registry}, {"pagination", test_pagination},
             {"call results", test_call_results}, {"argument validation", test_call_validation},
             {"whole-number decimals reach handlers as integers", test_call_whole_decimals});
}
