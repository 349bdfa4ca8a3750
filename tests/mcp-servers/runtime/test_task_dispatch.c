/* test_task_dispatch.c - the tasks extension in the dispatcher: opt-in per request, CreateTaskResult and the
 * immediate-result shortcut, tasks/get, tasks/cancel, tasks/update with its resume hook, ownership, era; a task whose
 * call asks for input twice, resumed by the runtime's own hook. */
#include "common/status.h"
#include "cu.h"
#include "dispatch/dispatch_internal.h"
#include "mcp/input.h"
#include "protocol/jsonrpc.h"

#include <stdlib.h>
#include <string.h>

static mcp_tools_t *tools;
static mcp_protocol_t *proto;
static json_t *completed, *with_ext, *without_ext;
static mcp_call_t *held;
static int resumed;
static json_t *resumed_answers, *resumed_state;

static void quick_tool(mcp_call_t *c, json_t *args, void *data)
{
    mcp_call_add_text(c, "quick");
    mcp_call_finish(c);
}

static void hold_tool(mcp_call_t *c, json_t *args, void *data)
{
    held = c;
}

static json_t *text_schema(void)
{
    return json_pack("{s:s, s:{s:{s:s}}}", "type", "object", "properties", "x", "type", "string");
}

/* Asks "first"; without its answer the first run is held (the test asks later, so a task exists), then "second". */
static void asker_tool(mcp_call_t *c, json_t *args, void *data)
{
    if (mcp_call_elicit(c, "first", "First?", text_schema()) == NULL) {
        held = c;
        return;
    }
    if (mcp_call_elicit(c, "second", "Second?", text_schema()) == NULL) {
        mcp_call_need_input(c);
        return;
    }
    mcp_call_add_text(c, "both answered");
    mcp_call_finish(c);
}

static void on_complete(void *ctx, json_t *r)
{
    json_decref(completed);
    completed = r;
}

static void resume_hook(mcp_protocol_t *p, mcp_task_t *t, json_t *answers, json_t *state)
{
    resumed++;
    json_decref(resumed_answers);
    json_decref(resumed_state);
    resumed_answers = json_deep_copy(answers);
    resumed_state = json_incref(state);
}

static int setup(void)
{
    char err[128];
    tools = mcp_tools_new(0);
    const mcp_tool_def_t defs[] = {
        {.name = "sync", .fn = quick_tool},
        {.name = "quick", .fn = quick_tool, .task_support = MCP_TASK_OPTIONAL},
        {.name = "held", .fn = hold_tool, .task_support = MCP_TASK_OPTIONAL},
        {.name = "must", .fn = hold_tool, .task_support = MCP_TASK_REQUIRED},
        {.name = "asker", .fn = asker_tool, .task_support = MCP_TASK_OPTIONAL},
    };
    for (size_t i = 0; i < sizeof(defs) / sizeof(defs[0]); i++)
        mcp_tools_add(tools, &defs[i], err, sizeof(err));
    mcp_protocol_info_t info = {.name = "mcp-test", .version = "1", .tasks = {.ttl_ms = 60000}, .task_poll_ms = 500};
    proto = mcp_protocol_new(&info, tools);
    with_ext = json_pack("{s:{s:{}}}", "extensions", "io.modelcontextprotocol/tasks");
    without_ext = json_object();
    return proto == NULL;
}

static int teardown(void)
{
    mcp_protocol_free(proto);
    mcp_tools_free(tools);
    json_decref(completed);
    json_decref(with_ext);
    json_decref(without_ext);
    json_decref(resumed_answers);
    json_decref(resumed_state);
    return 0;
}

/* Dispatches text as instance/credential in era with caps; returns the reply body (caller owns; NULL if pending). */
static json_t *run_as(const char *text, mcp_era_t era, json_t *caps, const char *instance, const char *credential,
                      int *http_status)
{
    json_t *doc = json_loads(text, 0, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
    mcp_jsonrpc_msg_t msg;
    mcp_jsonrpc_classify(doc, &msg);
    mcp_request_ctx_t ctx = {.era = era,
                             .protocol_version = era == MCP_ERA_MODERN ? MCP_MODERN_VERSION : "2025-11-25",
                             .instance_id = instance,
                             .credential = credential,
                             .log_threshold = -1,
                             .client_capabilities = caps,
                             .complete = on_complete};
    mcp_reply_t r;
    mcp_protocol_dispatch(proto, &ctx, &msg, &r);
    json_decref(doc);
    if (http_status != NULL)
        *http_status = r.http_status;
    if (r.text != NULL) {
        r.body = json_loads(r.text, 0, NULL);
        free(r.text);
    }
    return r.body;
}

static json_t *run(const char *text, json_t *caps)
{
    return run_as(text, MCP_ERA_MODERN, caps, "i", "k:1", NULL);
}

static json_t *result_of(json_t *body)
{
    return json_object_get(body, "result");
}

static json_int_t err_code(json_t *body)
{
    return json_integer_value(json_object_get(json_object_get(body, "error"), "code"));
}

/* tools/call of name as a declaring client; returns the taskId (static buffer) or "" */
static const char *create(const char *name)
{
    static char id[MCP_TASK_ID_LEN + 1];
    char text[200];
    snprintf(text, sizeof(text),
             "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"%s\"}}", name);
    json_t *b = run(text, with_ext);
    const char *got = json_string_value(json_object_get(result_of(b), "taskId"));
    snprintf(id, sizeof(id), "%s", got ? got : "");
    json_decref(b);
    return id;
}

static json_t *task_req(const char *method, const char *id, const char *extra, json_t *caps, const char *instance,
                        const char *credential)
{
    char text[400];
    snprintf(text, sizeof(text), "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"%s\",\"params\":{\"taskId\":\"%s\"%s}}",
             method, id, extra ? extra : "");
    return run_as(text, MCP_ERA_MODERN, caps, instance, credential, NULL);
}

static const char *status_of(json_t *b)
{
    const char *s = json_string_value(json_object_get(result_of(b), "status"));
    return s ? s : "";
}

static void test_advertised(void)
{
    json_t *b = run("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"server/discover\",\"params\":{}}", without_ext);
    CU_ASSERT_PTR_NOT_NULL(json_object_get(json_object_get(json_object_get(result_of(b), "capabilities"), "extensions"),
                                           "io.modelcontextprotocol/tasks"));
    json_decref(b);
    b = run_as("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-11-25\","
               "\"capabilities\":{},\"clientInfo\":{\"name\":\"c\",\"version\":\"1\"}}}",
               MCP_ERA_LEGACY, NULL, "i", NULL, NULL);
    CU_ASSERT_PTR_NULL(json_object_get(json_object_get(result_of(b), "capabilities"), "extensions"));
    json_decref(b);
    /* the tasks/ methods exist in the modern era only; tasks/result and tasks/list in none */
    int status = 0;
    b = run_as("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tasks/get\",\"params\":{\"taskId\":\"x\"}}", MCP_ERA_LEGACY,
               NULL, "i", NULL, NULL);
    CU_ASSERT_EQUAL(err_code(b), MCP_JSONRPC_METHOD_NOT_FOUND);
    json_decref(b);
    b = run_as("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tasks/result\",\"params\":{\"taskId\":\"x\"}}",
               MCP_ERA_MODERN, with_ext, "i", NULL, &status);
    CU_ASSERT_EQUAL(err_code(b), MCP_JSONRPC_METHOD_NOT_FOUND);
    CU_ASSERT_EQUAL(status, 404);
    json_decref(b);
}

static void test_opt_in(void)
{
    int status = 0;
    /* no extension: an optional tool runs the ordinary way, a required one is -32021 */
    json_t *b =
        run("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"quick\"}}", without_ext);
    CU_ASSERT_PTR_NULL(b); /* answered through the sink, like any call */
    CU_ASSERT_STRING_EQUAL(
        json_string_value(json_object_get(json_array_get(json_object_get(result_of(completed), "content"), 0), "text")),
        "quick");
    b = run_as("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"must\"}}",
               MCP_ERA_MODERN, without_ext, "i", NULL, &status);
    CU_ASSERT_EQUAL(err_code(b), MCP_ERR_MISSING_CLIENT_CAPABILITY);
    CU_ASSERT_EQUAL(status, 400);
    CU_ASSERT_PTR_NOT_NULL(json_object_get(
        json_object_get(json_object_get(json_object_get(json_object_get(b, "error"), "data"), "requiredCapabilities"),
                        "extensions"),
        "io.modelcontextprotocol/tasks"));
    json_decref(b);
    b = task_req("tasks/get", "x", NULL, without_ext, "i", "k:1");
    CU_ASSERT_EQUAL(err_code(b), MCP_ERR_MISSING_CLIENT_CAPABILITY);
    json_decref(b);

    /* declared: a sync-only tool stays sync; a quick one answers at once (no task left); a held one is a task */
    mcp_task_stats_t before, after;
    mcp_task_store_stats(mcp_protocol_tasks(proto), &before);
    b = run("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"quick\"}}", with_ext);
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(result_of(b), "resultType")), "complete");
    CU_ASSERT_PTR_NULL(json_object_get(result_of(b), "taskId"));
    CU_ASSERT_PTR_NOT_NULL(json_object_get(result_of(b), "content"));
    json_decref(b);
    mcp_task_store_stats(mcp_protocol_tasks(proto), &after);
    CU_ASSERT_EQUAL(after.active, before.active);
    b = run("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"held\"}}", with_ext);
    json_t *res = result_of(b);
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(res, "resultType")), "task");
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(res, "status")), "working");
    CU_ASSERT_EQUAL(json_integer_value(json_object_get(res, "ttlMs")), 60000);
    CU_ASSERT_EQUAL(json_integer_value(json_object_get(res, "pollIntervalMs")), 500);
    CU_ASSERT_PTR_NULL(json_object_get(res, "result"));
    CU_ASSERT_PTR_NOT_NULL(json_object_get(res, "_meta"));
    char id[MCP_TASK_ID_LEN + 1];
    snprintf(id, sizeof(id), "%s", json_string_value(json_object_get(res, "taskId")));
    json_decref(b);

    b = task_req("tasks/get", id, NULL, with_ext, "i", "k:1");
    CU_ASSERT_STRING_EQUAL(status_of(b), "working");
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(result_of(b), "resultType")), "complete");
    json_decref(b);
    /* another instance, another credential: as unknown as a made-up id */
    b = task_req("tasks/get", id, NULL, with_ext, "j", "k:1");
    CU_ASSERT_EQUAL(err_code(b), MCP_JSONRPC_INVALID_PARAMS);
    json_decref(b);
    b = task_req("tasks/cancel", id, NULL, with_ext, "i", "k:2");
    CU_ASSERT_EQUAL(err_code(b), MCP_JSONRPC_INVALID_PARAMS);
    json_decref(b);
    b = task_req("tasks/get", "nope", NULL, with_ext, "i", "k:1");
    CU_ASSERT_EQUAL(err_code(b), MCP_JSONRPC_INVALID_PARAMS);
    json_decref(b);
    b = run("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tasks/get\",\"params\":{}}", with_ext);
    CU_ASSERT_EQUAL(err_code(b), MCP_JSONRPC_INVALID_PARAMS);
    json_decref(b);

    mcp_call_add_text(held, "held result");
    mcp_call_finish(held);
    b = task_req("tasks/get", id, NULL, with_ext, "i", "k:1");
    CU_ASSERT_STRING_EQUAL(status_of(b), "completed");
    CU_ASSERT_STRING_EQUAL(
        json_string_value(json_object_get(
            json_array_get(json_object_get(json_object_get(result_of(b), "result"), "content"), 0), "text")),
        "held result");
    json_decref(b);
}

static void test_cancel(void)
{
    char id[MCP_TASK_ID_LEN + 1];
    snprintf(id, sizeof(id), "%s", create("held"));
    CU_ASSERT_EQUAL(strlen(id), MCP_TASK_ID_LEN);
    mcp_call_t *call = held;
    json_t *b = task_req("tasks/cancel", id, NULL, with_ext, "i", "k:1");
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(result_of(b), "resultType")), "complete");
    CU_ASSERT_PTR_NULL(json_object_get(result_of(b), "taskId"));
    CU_ASSERT_PTR_NULL(json_object_get(result_of(b), "status"));
    json_decref(b);
    CU_ASSERT_TRUE(mcp_call_abandoned(call));
    mcp_call_finish(call); /* the late result goes nowhere */
    b = task_req("tasks/get", id, NULL, with_ext, "i", "k:1");
    CU_ASSERT_STRING_EQUAL(status_of(b), "cancelled");
    CU_ASSERT_PTR_NULL(json_object_get(result_of(b), "result"));
    json_decref(b);
    b = task_req("tasks/cancel", id, NULL, with_ext, "i", "k:1");
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(result_of(b), "resultType")), "complete");
    json_decref(b);
}

/* A task whose call asked for two inputs: answered one at a time, resumed once both are in. */
static void test_update(void)
{
    char id[MCP_TASK_ID_LEN + 1];
    snprintf(id, sizeof(id), "%s", create("held"));
    mcp_task_t *t = mcp_task_find(mcp_protocol_tasks(proto), id, "i", "k:1", 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    mcp_call_t *call = held;
    mcp__call_abandon(call);
    t->call = NULL;
    mcp_call_finish(call);
    mcp_task_settle(t,
                    json_pack("{s:{s:s, s:{s:{s:s}, s:{s:s}}, s:s}}", "result", "resultType", "input_required",
                              "inputRequests", "a", "method", "elicitation/create", "b", "method", "roots/list",
                              "requestState", "state-1"),
                    1);
    json_t *b = task_req("tasks/get", id, NULL, with_ext, "i", "k:1");
    CU_ASSERT_STRING_EQUAL(status_of(b), "input_required");
    CU_ASSERT_EQUAL(json_object_size(json_object_get(result_of(b), "inputRequests")), 2);
    CU_ASSERT_PTR_NULL(json_object_get(result_of(b), "requestState"));
    json_decref(b);

    b = task_req("tasks/update", id, ",\"inputResponses\":7", with_ext, "i", "k:1");
    CU_ASSERT_EQUAL(err_code(b), MCP_JSONRPC_INVALID_PARAMS);
    json_decref(b);
    proto->task_resume = resume_hook;
    b = task_req("tasks/update", id, ",\"inputResponses\":{\"a\":{\"action\":\"accept\"},\"zz\":{}}", with_ext, "i",
                 "k:1");
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(result_of(b), "resultType")), "complete");
    CU_ASSERT_PTR_NULL(json_object_get(result_of(b), "status"));
    json_decref(b);
    CU_ASSERT_EQUAL(resumed, 0);
    b = task_req("tasks/get", id, NULL, with_ext, "i", "k:1");
    CU_ASSERT_STRING_EQUAL(status_of(b), "input_required");
    json_t *pending = json_object_get(result_of(b), "inputRequests");
    CU_ASSERT_EQUAL(json_object_size(pending), 1);
    CU_ASSERT_PTR_NOT_NULL(json_object_get(pending, "b"));
    json_decref(b);
    b = task_req("tasks/update", id, ",\"inputResponses\":{\"b\":{\"roots\":[]}}", with_ext, "i", "k:1");
    json_decref(b);
    CU_ASSERT_EQUAL(resumed, 1);
    CU_ASSERT_EQUAL(json_object_size(resumed_answers), 2);
    CU_ASSERT_PTR_NOT_NULL(json_object_get(resumed_answers, "a"));
    CU_ASSERT_PTR_NULL(json_object_get(resumed_answers, "zz"));
    CU_ASSERT_STRING_EQUAL(json_string_value(resumed_state), "state-1");
    b = task_req("tasks/get", id, NULL, with_ext, "i", "k:1");
    CU_ASSERT_STRING_EQUAL(status_of(b), "working");
    json_decref(b);

    /* without a resume hook the task cannot go on: it fails rather than waiting for ever */
    proto->task_resume = NULL;
    mcp_task_settle(t, json_pack("{s:{s:s, s:{s:{}}}}", "result", "resultType", "input_required", "inputRequests", "c"),
                    2);
    b = task_req("tasks/update", id, ",\"inputResponses\":{\"c\":{}}", with_ext, "i", "k:1");
    json_decref(b);
    b = task_req("tasks/get", id, NULL, with_ext, "i", "k:1");
    CU_ASSERT_STRING_EQUAL(status_of(b), "failed");
    CU_ASSERT_EQUAL(json_integer_value(json_object_get(json_object_get(result_of(b), "error"), "code")),
                    MCP_JSONRPC_INTERNAL_ERROR);
    json_decref(b);
}

/* The runtime's resume runs the call again with every answer and the requestState, with the capabilities of the
 * request that created the task (the second question needs elicitation too), until it completes. */
static void test_resume_default(void)
{
    json_t *caps = json_pack("{s:{s:{}}, s:{}}", "extensions", "io.modelcontextprotocol/tasks", "elicitation");
    json_t *b = run("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"asker\","
                    "\"arguments\":{}}}",
                    caps);
    char id[MCP_TASK_ID_LEN + 1];
    const char *tid = json_string_value(json_object_get(result_of(b), "taskId"));
    snprintf(id, sizeof(id), "%s", tid ? tid : "");
    json_decref(b);
    CU_ASSERT_EQUAL_FATAL(strlen(id), MCP_TASK_ID_LEN);
    mcp_call_need_input(held); /* the first run asks after the task was announced */
    b = task_req("tasks/get", id, NULL, caps, "i", "k:1");
    CU_ASSERT_STRING_EQUAL(status_of(b), "input_required");
    CU_ASSERT_PTR_NOT_NULL(json_object_get(json_object_get(result_of(b), "inputRequests"), "first"));
    json_decref(b);

    b = task_req("tasks/update", id,
                 ",\"inputResponses\":{\"first\":{\"action\":\"accept\",\"content\":{\"x\":\"1\"}}}", caps, "i", "k:1");
    json_decref(b);
    b = task_req("tasks/get", id, NULL, caps, "i", "k:1");
    CU_ASSERT_STRING_EQUAL(status_of(b), "input_required");
    json_t *pending = json_object_get(result_of(b), "inputRequests");
    CU_ASSERT_EQUAL(json_object_size(pending), 1);
    CU_ASSERT_PTR_NOT_NULL(json_object_get(pending, "second"));
    json_decref(b);

    b = task_req("tasks/update", id,
                 ",\"inputResponses\":{\"second\":{\"action\":\"accept\",\"content\":{\"x\":\"2\"}}}", caps, "i",
                 "k:1");
    json_decref(b);
    b = task_req("tasks/get", id, NULL, caps, "i", "k:1");
    CU_ASSERT_STRING_EQUAL(status_of(b), "completed");
    json_t *content = json_object_get(json_object_get(result_of(b), "result"), "content");
    const char *text = json_string_value(json_object_get(json_array_get(content, 0), "text"));
    CU_ASSERT_STRING_EQUAL(text ? text : "", "both answered");
    json_decref(b);
    json_decref(caps);
}

void tests_register(void)
{
    CU_SUITE("task dispatch", setup, teardown, {"advertised, era", test_advertised},
             {"opt-in, create, get", test_opt_in}, {"cancel", test_cancel},
             {"resumed by the runtime", test_resume_default}, {"update and resume", test_update});
}
