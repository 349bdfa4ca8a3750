/* test_features_dispatch.c - prompts, resources and completion through the dispatcher, in both protocol eras. */
#include "common/status.h"
#include "cu.h"
#include "protocol/jsonrpc.h"
#include "dispatch/protocol.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static mcp_tools_t *tools;
static mcp_protocol_t *proto;

static int hello(mcp_prompt_result_t *out, json_t *args, void *data)
{
    return mcp_prompt_add_text(out, "user", json_string_value(json_object_get(args, "name")));
}

static int by_id(mcp_resource_contents_t *out, const char *uri, json_t *vars, void *data)
{
    return mcp_resource_add_text(out, NULL, NULL, json_string_value(json_object_get(vars, "id")));
}

static const char *const names[] = {"alice", "bob", NULL};

static int setup(void)
{
    tools = mcp_tools_new(0);
    mcp_protocol_info_t info = {.name = "mcp-test", .version = "1", .list_ttl_ms = 5000};
    proto = mcp_protocol_new(&info, tools);
    return proto == NULL;
}

static int teardown(void)
{
    mcp_protocol_free(proto);
    mcp_tools_free(tools);
    return 0;
}

static json_t *run(const char *text, mcp_era_t era, int *http_status)
{
    json_t *doc = json_loads(text, 0, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
    mcp_jsonrpc_msg_t msg;
    mcp_jsonrpc_classify(doc, &msg);
    mcp_request_ctx_t ctx = {.era = era,
                             .protocol_version = era ? MCP_MODERN_VERSION : "2025-11-25",
                             .instance_id = "i",
                             .log_threshold = -1};
    mcp_reply_t r;
    mcp_protocol_dispatch(proto, &ctx, &msg, &r);
    json_decref(doc);
    CU_ASSERT_PTR_NULL(r.text);
    CU_ASSERT_FALSE(r.pending);
    if (http_status != NULL)
        *http_status = r.http_status;
    return r.body;
}

static json_int_t code_of(json_t *body)
{
    return json_integer_value(json_object_get(json_object_get(body, "error"), "code"));
}

static json_t *caps_of(mcp_era_t era)
{
    json_t *b = era == MCP_ERA_LEGACY
                    ? run("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":"
                          "\"2025-11-25\",\"capabilities\":{},\"clientInfo\":{\"name\":\"c\",\"version\":\"1\"}}}",
                          era, NULL)
                    : run("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"server/discover\",\"params\":{}}", era, NULL);
    json_t *caps = json_incref(json_object_get(json_object_get(b, "result"), "capabilities"));
    json_decref(b);
    return caps;
}

static void test_nothing_registered(void)
{
    json_t *caps = caps_of(MCP_ERA_LEGACY);
    CU_ASSERT_PTR_NULL(json_object_get(caps, "prompts"));
    CU_ASSERT_PTR_NULL(json_object_get(caps, "resources"));
    CU_ASSERT_PTR_NULL(json_object_get(caps, "completions"));
    json_decref(caps);
    const char *methods[] = {
        "prompts/list",        "prompts/get",        "resources/list", "resources/read", "resources/templates/list",
        "resources/subscribe", "completion/complete"};
    for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++) {
        char text[200];
        int status = 0;
        snprintf(text, sizeof(text), "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"%s\",\"params\":{}}", methods[i]);
        json_t *b = run(text, MCP_ERA_LEGACY, NULL);
        CU_ASSERT_EQUAL(code_of(b), MCP_JSONRPC_METHOD_NOT_FOUND);
        json_decref(b);
        b = run(text, MCP_ERA_MODERN, &status);
        CU_ASSERT_EQUAL(code_of(b), MCP_JSONRPC_METHOD_NOT_FOUND);
        CU_ASSERT_EQUAL(status, 404);
        json_decref(b);
    }
}

static void test_register_and_advertise(void)
{
    char err[256];
    const mcp_prompt_arg_t args[] = {{.name = "name", .required = 1, .complete = {.values = names}}};
    mcp_prompt_def_t p = {.name = "hello", .description = "Says hello", .args = args, .nargs = 1, .fn = hello};
    CU_ASSERT_EQUAL_FATAL(mcp_prompts_add(mcp_protocol_prompts(proto), &p, err, sizeof(err)), CM_OK);
    json_t *caps = caps_of(MCP_ERA_LEGACY);
    CU_ASSERT_PTR_NOT_NULL(json_object_get(caps, "prompts"));
    CU_ASSERT_PTR_NOT_NULL(json_object_get(caps, "completions"));
    CU_ASSERT_PTR_NULL(json_object_get(caps, "resources"));
    CU_ASSERT_PTR_NOT_NULL(json_object_get(caps, "tools"));
    json_decref(caps);
    mcp_resource_def_t r = {.uri = "test://one", .name = "one", .mime_type = "text/plain", .text = "1"};
    mcp_resource_template_def_t t = {.uri_template = "test://by/{id}", .name = "by", .fn = by_id};
    CU_ASSERT_EQUAL_FATAL(mcp_resources_add(mcp_protocol_resources(proto), &r, err, sizeof(err)), CM_OK);
    CU_ASSERT_EQUAL_FATAL(mcp_resources_add_template(mcp_protocol_resources(proto), &t, err, sizeof(err)), CM_OK);
    caps = caps_of(MCP_ERA_LEGACY);
    json_t *res = json_object_get(caps, "resources");
    CU_ASSERT_TRUE(json_is_true(json_object_get(res, "subscribe")));
    CU_ASSERT_TRUE(json_is_false(json_object_get(res, "listChanged")));
    json_decref(caps);
    caps = caps_of(MCP_ERA_MODERN); /* resources/subscribe does not exist in 2026-07-28 */
    CU_ASSERT_PTR_NOT_NULL(json_object_get(caps, "resources"));
    CU_ASSERT_PTR_NULL(json_object_get(json_object_get(caps, "resources"), "subscribe"));
    CU_ASSERT_PTR_NOT_NULL(json_object_get(caps, "prompts"));
    json_decref(caps);
}

static void test_methods_both_eras(void)
{
    for (int era = 0; era < 2; era++) {
        json_t *b = run("{\"jsonrpc\":\"2.0\",\"id\":\"a\",\"method\":\"prompts/list\"}", era, NULL);
        json_t *result = json_object_get(b, "result");
        CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(b, "id")), "a");
        CU_ASSERT_EQUAL(json_array_size(json_object_get(result, "prompts")), 1);
        CU_ASSERT_EQUAL(json_object_get(result, "ttlMs") != NULL, era == MCP_ERA_MODERN);
        if (era == MCP_ERA_MODERN) {
            CU_ASSERT_EQUAL(json_integer_value(json_object_get(result, "ttlMs")), 5000);
            CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(result, "cacheScope")), "public");
            CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(result, "resultType")), "complete");
        }
        json_decref(b);
        /* the shared page was not decorated by the modern answer */
        json_t *page = NULL;
        CU_ASSERT_EQUAL(mcp_prompts_list(mcp_protocol_prompts(proto), NULL, &page), CM_OK);
        CU_ASSERT_PTR_NULL(json_object_get(page, "ttlMs"));
        json_decref(page);

        b = run("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"prompts/get\",\"params\":{\"name\":\"hello\","
                "\"arguments\":{\"name\":\"bob\"}}}",
                era, NULL);
        json_t *m = json_array_get(json_object_get(json_object_get(b, "result"), "messages"), 0);
        CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(json_object_get(m, "content"), "text")), "bob");
        json_decref(b);
        b = run("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"prompts/get\",\"params\":{\"name\":\"nope\"}}", era, NULL);
        CU_ASSERT_EQUAL(code_of(b), MCP_JSONRPC_INVALID_PARAMS);
        json_decref(b);
        b = run("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"prompts/get\",\"params\":{\"name\":7}}", era, NULL);
        CU_ASSERT_EQUAL(code_of(b), MCP_JSONRPC_INVALID_PARAMS);
        json_decref(b);
        b = run("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"prompts/list\",\"params\":{\"cursor\":\"zz\"}}", era, NULL);
        CU_ASSERT_EQUAL(code_of(b), MCP_JSONRPC_INVALID_PARAMS);
        json_decref(b);
        b = run("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"resources/list\",\"params\":{\"cursor\":5}}", era, NULL);
        CU_ASSERT_EQUAL(code_of(b), MCP_JSONRPC_INVALID_PARAMS);
        json_decref(b);

        b = run("{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"resources/read\",\"params\":{\"uri\":\"test://by/x%20y\"}}",
                era, NULL);
        result = json_object_get(b, "result");
        CU_ASSERT_STRING_EQUAL(
            json_string_value(json_object_get(json_array_get(json_object_get(result, "contents"), 0), "text")), "x y");
        CU_ASSERT_EQUAL(json_object_get(result, "cacheScope") != NULL, era == MCP_ERA_MODERN);
        json_decref(b);
        b = run("{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"resources/templates/list\"}", era, NULL);
        CU_ASSERT_EQUAL(json_array_size(json_object_get(json_object_get(b, "result"), "resourceTemplates")), 1);
        json_decref(b);

        /* resource not found: -32002 up to 2025-11-25, -32602 in 2026-07-28 (SEP-2164); data.uri in both */
        b = run("{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"resources/read\",\"params\":{\"uri\":\"test://none\"}}",
                era, NULL);
        CU_ASSERT_EQUAL(code_of(b), era == MCP_ERA_MODERN ? MCP_JSONRPC_INVALID_PARAMS : MCP_ERR_RESOURCE_NOT_FOUND);
        CU_ASSERT_STRING_EQUAL(
            json_string_value(json_object_get(json_object_get(json_object_get(b, "error"), "data"), "uri")),
            "test://none");
        json_decref(b);
        b = run("{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"resources/read\",\"params\":{\"uri\":[]}}", era, NULL);
        CU_ASSERT_EQUAL(code_of(b), MCP_JSONRPC_INVALID_PARAMS);
        json_decref(b);

        b = run("{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"completion/complete\",\"params\":{\"ref\":{\"type\":"
                "\"ref/prompt\",\"name\":\"hello\"},\"argument\":{\"name\":\"name\",\"value\":\"al\"}}}",
                era, NULL);
        json_t *values = json_object_get(json_object_get(json_object_get(b, "result"), "completion"), "values");
        CU_ASSERT_EQUAL(json_array_size(values), 1);
        CU_ASSERT_STRING_EQUAL(json_string_value(json_array_get(values, 0)), "alice");
        json_decref(b);
    }
}

static void test_subscribe(void)
{
    json_t *b =
        run("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"resources/subscribe\",\"params\":{\"uri\":\"test://one\"}}",
            MCP_ERA_LEGACY, NULL);
    CU_ASSERT_TRUE(json_is_object(json_object_get(b, "result")));
    CU_ASSERT_EQUAL(json_object_size(json_object_get(b, "result")), 0);
    json_decref(b);
    b = run("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"resources/unsubscribe\",\"params\":{\"uri\":\"test://by/7\"}}",
            MCP_ERA_LEGACY, NULL);
    CU_ASSERT_PTR_NOT_NULL(json_object_get(b, "result"));
    json_decref(b);
    b = run("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"resources/subscribe\",\"params\":{\"uri\":\"test://zzz\"}}",
            MCP_ERA_LEGACY, NULL);
    CU_ASSERT_EQUAL(code_of(b), MCP_ERR_RESOURCE_NOT_FOUND);
    json_decref(b);
    b = run("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"resources/subscribe\",\"params\":{}}", MCP_ERA_LEGACY, NULL);
    CU_ASSERT_EQUAL(code_of(b), MCP_JSONRPC_INVALID_PARAMS);
    json_decref(b);
    int status = 0;
    b = run("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"resources/subscribe\",\"params\":{\"uri\":\"test://one\"}}",
            MCP_ERA_MODERN, &status);
    CU_ASSERT_EQUAL(code_of(b), MCP_JSONRPC_METHOD_NOT_FOUND);
    CU_ASSERT_EQUAL(status, 404);
    json_decref(b);
}

void tests_register(void)
{
    CU_SUITE("features dispatch", setup, teardown,
             {"nothing registered: not advertised, -32601", test_nothing_registered},
             {"capabilities follow registrations", test_register_and_advertise},
             {"methods in both eras", test_methods_both_eras}, {"subscribe / unsubscribe", test_subscribe});
}
