/*
 * fuzz_jsonrpc.c - JSON-RPC / MCP request bodies (mcp-servers/runtime/src/jsonrpc.c) and the dispatch of a
 * parsed message (protocol.c, tools, prompts, resources, completions, argument schemas), without a network.
 *
 * Input: era/version selector, then the POST body. The message is parsed and classified like http.c does and
 * dispatched to a registry with a tool (input schema with a pattern and defaults), a prompt, a resource and
 * a resource template. Whatever comes back must be one JSON-RPC response echoing the request id.
 */
#include "fuzz.h"

#include "common/status.h"
#include "protocol/jsonrpc.h"
#include "dispatch/protocol.h"

static mcp_tools_t *tools;
static mcp_protocol_t *proto;
static json_t *completed;

static void echo_tool(mcp_call_t *c, json_t *args, void *data)
{
    const char *text = json_string_value(json_object_get(args, "text"));
    if (text != NULL && strcmp(text, "fail") == 0) {
        mcp_call_fail(c, "asked to fail");
        return;
    }
    mcp_call_log(c, MCP_LOG_INFO, "echo", json_string(text != NULL ? text : ""));
    mcp_call_progress(c, 1, 2, "half");
    mcp_call_add_text(c, text != NULL ? text : "");
    mcp_call_set_structured(c, json_pack("{s:s}", "text", text != NULL ? text : ""));
    mcp_call_finish(c);
}

static int greet_prompt(mcp_prompt_result_t *out, json_t *args, void *data)
{
    const char *who = json_string_value(json_object_get(args, "who"));
    return mcp_prompt_add_text(out, "user", who != NULL ? who : "nobody");
}

static int read_item(mcp_resource_contents_t *out, const char *uri, json_t *vars, void *data)
{
    const char *id = json_string_value(json_object_get(vars, "id"));
    return mcp_resource_add_text(out, uri, "text/plain", id != NULL ? id : "");
}

static void on_complete(void *ctx, json_t *r)
{
    FZ_CHECK(completed == NULL); /* exactly one response per request */
    completed = r;
}

static void on_notify(void *ctx, json_t *n)
{
    FZ_CHECK(json_is_object(n));
    json_decref(n);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    char err[256];
    tools = mcp_tools_new(2);
    mcp_tool_def_t echo = {.name = "echo",
                           .description = "echoes text",
                           .input_schema =
                               "{\"type\":\"object\",\"properties\":{\"text\":{\"type\":\"string\",\"maxLength\":64,"
                               "\"pattern\":\"^[a-z ]*$\"},\"n\":{\"type\":\"integer\",\"minimum\":0,\"default\":3},"
                               "\"tags\":{\"type\":\"array\",\"items\":{\"enum\":[\"a\",\"b\"]},\"uniqueItems\":true}},"
                               "\"required\":[\"text\"],\"additionalProperties\":false}",
                           .output_schema = "{\"type\":\"object\",\"properties\":{\"text\":{\"type\":\"string\"}}}",
                           .fn = echo_tool};
    mcp_tool_def_t other = {.name = "other.tool", .fn = echo_tool};
    mcp_tool_def_t third = {.name = "third", .fn = echo_tool};
    FZ_CHECK(mcp_tools_add(tools, &echo, err, sizeof(err)) == CM_OK);
    FZ_CHECK(mcp_tools_add(tools, &other, err, sizeof(err)) == CM_OK);
    FZ_CHECK(mcp_tools_add(tools, &third, err, sizeof(err)) == CM_OK);
    mcp_protocol_info_t info = {.name = "mcp-fuzz", .version = "1.0", .instructions = "fuzz", .list_ttl_ms = 1000};
    proto = mcp_protocol_new(&info, tools);
    FZ_CHECK(proto != NULL);
    mcp_prompt_arg_t who = {.name = "who", .required = 1};
    mcp_prompt_def_t greet = {.name = "greet", .args = &who, .nargs = 1, .fn = greet_prompt};
    FZ_CHECK(mcp_prompts_add(mcp_protocol_prompts(proto), &greet, err, sizeof(err)) == CM_OK);
    mcp_resource_def_t res = {.uri = "test://static/a", .name = "a", .text = "hello"};
    FZ_CHECK(mcp_resources_add(mcp_protocol_resources(proto), &res, err, sizeof(err)) == CM_OK);
    mcp_resource_template_def_t tmpl = {.uri_template = "test://item/{id}", .name = "item", .fn = read_item};
    FZ_CHECK(mcp_resources_add_template(mcp_protocol_resources(proto), &tmpl, err, sizeof(err)) == CM_OK);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const versions[] = {"2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05", MCP_MODERN_VERSION};
    fz_in_t in = {data, size};
    uint8_t sel = fz_byte(&in);
    mcp_era_t era = (sel & 1) ? MCP_ERA_MODERN : MCP_ERA_LEGACY;
    const char *why = NULL;
    json_t *doc = mcp_jsonrpc_parse((const char *)in.p, in.left, &why);
    if (doc == NULL) {
        FZ_CHECK(why != NULL);
        return 0;
    }
    mcp_jsonrpc_msg_t msg;
    mcp_msg_kind_t kind = mcp_jsonrpc_classify(doc, &msg);
    FZ_CHECK(kind == msg.kind);
    if (kind == MCP_MSG_INVALID) {
        FZ_CHECK(msg.error_code != 0 && msg.error_message != NULL);
        json_t *e = mcp_jsonrpc_error(msg.id, msg.error_code, msg.error_message, NULL);
        FZ_CHECK(e != NULL);
        json_decref(e);
        json_decref(doc);
        return 0;
    }
    int level = MCP_LOG_INFO;
    mcp_request_ctx_t ctx = {
        .era = era,
        .protocol_version = era == MCP_ERA_MODERN ? MCP_MODERN_VERSION : versions[(sel >> 1) % 4],
        .instance_id = "11111111-2222-4333-8444-555555555555",
        .session_log_level = era == MCP_ERA_LEGACY ? &level : NULL,
        .log_threshold = (sel & 2) ? MCP_LOG_DEBUG : -1,
        .client_capabilities = json_object_get(json_object_get(msg.params, "_meta"), MCP_META_CLIENT_CAPS),
        .notify = on_notify,
        .complete = on_complete,
    };
    mcp_reply_t r;
    mcp_protocol_dispatch(proto, &ctx, &msg, &r);
    json_t *answer = r.body;
    if (r.text != NULL) {
        FZ_CHECK(answer == NULL);
        answer = json_loads(r.text, 0, NULL);
        FZ_CHECK(answer != NULL); /* the pre-serialized answer is valid JSON */
        free(r.text);
    }
    if (r.pending) {
        FZ_CHECK(answer == NULL && completed != NULL); /* every tool here finishes synchronously */
        answer = completed;
        completed = NULL;
    }
    if (kind == MCP_MSG_REQUEST) {
        FZ_CHECK(json_is_object(answer));
        FZ_CHECK(json_equal(json_object_get(answer, "id"), msg.id));
        FZ_CHECK((json_object_get(answer, "result") != NULL) != (json_object_get(answer, "error") != NULL));
    } else {
        FZ_CHECK(answer == NULL);
    }
    json_decref(answer);
    json_decref(doc);
    return 0;
}
