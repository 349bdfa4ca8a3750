/*
 * task_methods.c - the tasks extension of 2026-07-28 (io.modelcontextprotocol/tasks, SEP-2663): a tools/call of a
 * task-supporting tool from a client that declared the extension (in the request's _meta clientCapabilities) runs as a
 * task, and tasks/get, tasks/cancel and tasks/update (see features/task_store.h for the store).
 *
 * The server decides: a declared client gets a CreateTaskResult (resultType "task", the task's fields flat at the top)
 * for every call of a task-supporting tool, unless the handler answered before returning - then the result itself, as
 * an ordinary call would have had it (the immediate-result shortcut: nothing was ever announced, so the task is
 * dropped). A client that did not declare the extension gets the ordinary answer for an optional tool, -32021 with
 * data.requiredCapabilities for a required one, and -32021 on every tasks/ method. An unknown task id (never created,
 * expired, or another instance's or credential's) is -32602.
 *
 * A task's call has no HTTP request to outlive: the tool timeout does not apply, the task's ttl does (an expired task
 * abandons its call). Its notifications (progress, log messages) have no stream and are dropped.
 */
#include "common/status.h"
#include "dispatch/dispatch_internal.h"
#include "common/timer.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#define TASKS_EXTENSION "io.modelcontextprotocol/tasks"

int mcp__serves_tasks(const mcp_protocol_t *p)
{
    return mcp_tools_task_capable(p->tools);
}

static int64_t wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int declared(const mcp_request_ctx_t *ctx)
{
    return ctx->era == MCP_ERA_MODERN &&
           json_object_get(json_object_get(ctx->client_capabilities, "extensions"), TASKS_EXTENSION) != NULL;
}

static void reply_missing_extension(const mcp_request_ctx_t *ctx, const mcp_jsonrpc_msg_t *msg, const char *what,
                                    mcp_reply_t *out)
{
    char m[200];
    snprintf(m, sizeof(m), "%.120s needs the client capability extensions[\"%s\"]", what, TASKS_EXTENSION);
    mcp__reply_error(ctx, msg, MCP_ERR_MISSING_CLIENT_CAPABILITY, m,
                     json_pack("{s:{s:{s:{}}}}", "requiredCapabilities", "extensions", TASKS_EXTENSION), out);
}

/* ------------------------------------------------------------------ a task's call */

static void task_sink_complete(void *ctx, json_t *response)
{
    mcp_task_t *t = ctx;
    if (t->starting) {
        t->call = NULL;
        json_decref(t->early);
        t->early = response;
        return;
    }
    mcp_task_settle(t, response, wall_ms());
}

/* Starts the task's call (its result settles into t, never into the HTTP response) with t's arguments; input_params
 * (borrowed; NULL = none) are the request's params carrying inputResponses and requestState (the multi-round-trip
 * retry). CM_OK or CM_ENOMEM. */
static int start_call(mcp_protocol_t *p, mcp_task_t *t, json_t *id, json_t *input_params)
{
    mcp_call_params_t cp = {
        .tool = t->tool,
        .id = id,
        .instance_id = t->instance,
        .protocol_version = t->protocol_version,
        .log_threshold = -1,
        .client_capabilities = t->client_caps,
        .context = t->call_context,
        .sink = {.complete = task_sink_complete, .ctx = t},
        .modern = 1,
        .input_cfg = &p->input,
        .input_params = input_params,
    };
    mcp_call_t *call = mcp__call_new(&cp);
    if (call == NULL)
        return CM_ENOMEM;
    t->call = call;
    mcp__call_run(call, t->args);
    return CM_OK;
}

void mcp__task_resume(mcp_protocol_t *p, mcp_task_t *t, json_t *input_responses, json_t *request_state)
{
    json_t *params = json_pack("{s:O, s:O}", "arguments", t->args, "inputResponses", input_responses);
    if (params != NULL && request_state != NULL)
        json_object_set(params, "requestState", request_state);
    if (params == NULL || start_call(p, t, NULL, params) != CM_OK)
        mcp_task_settle(t, mcp_jsonrpc_error(NULL, MCP_JSONRPC_INTERNAL_ERROR, "out of memory", NULL), wall_ms());
    json_decref(params);
}

/* The handler answered inside tools/call: hand its response on as the ordinary call would have had it. */
static void reply_early(mcp_protocol_t *p, const mcp_request_ctx_t *ctx, const mcp_jsonrpc_msg_t *msg, json_t *response,
                        mcp_reply_t *out)
{
    json_t *error = json_object_get(response, "error");
    if (error != NULL) {
        mcp__reply_error(ctx, msg, (int)json_integer_value(json_object_get(error, "code")),
                         json_string_value(json_object_get(error, "message")),
                         json_incref(json_object_get(error, "data")), out);
        return;
    }
    json_t *result = json_incref(json_object_get(response, "result"));
    json_t *type = json_incref(json_object_get(result, "resultType"));
    mcp__reply_result(p, ctx, msg, result != NULL ? result : json_object(), out);
    if (type != NULL) /* an input_required result keeps its own resultType */
        json_object_set_new(json_object_get(out->body, "result"), "resultType", type);
}

int mcp__tasks_call(mcp_protocol_t *p, const mcp_request_ctx_t *ctx, const mcp_jsonrpc_msg_t *msg,
                    const mcp_tool_t *tool, json_t *args, mcp_reply_t *out)
{
    if (!declared(ctx)) {
        if (tool->task_support != MCP_TASK_REQUIRED)
            return 0;
        char what[200];
        snprintf(what, sizeof(what), "Tool %.150s runs only as a task: it", tool->name);
        reply_missing_extension(ctx, msg, what, out);
        return 1;
    }
    mcp_task_t *t = NULL;
    int rc = mcp_task_create(p->tasks, ctx->instance_id, ctx->credential, cm_now_ms(), wall_ms(), &t);
    if (rc == CM_EUNAVAIL) {
        mcp__reply_error(ctx, msg, MCP_JSONRPC_INTERNAL_ERROR,
                         "Too many tasks: wait for a task to expire or cancel one, then call again", NULL, out);
        return 1;
    }
    if (rc != CM_OK) {
        mcp__reply_error(ctx, msg, MCP_JSONRPC_INTERNAL_ERROR, "could not create a task", NULL, out);
        return 1;
    }
    t->tool = tool;
    t->args = json_is_object(args) ? json_deep_copy(args) : json_object();
    t->client_caps = json_incref(ctx->client_capabilities);
    t->call_context = ctx->call_context;
    snprintf(t->instance, sizeof(t->instance), "%s", ctx->instance_id ? ctx->instance_id : "");
    snprintf(t->protocol_version, sizeof(t->protocol_version), "%s",
             ctx->protocol_version ? ctx->protocol_version : "");
    t->starting = 1;
    if (t->args == NULL || start_call(p, t, msg->id, msg->params) != CM_OK) {
        mcp_task_discard(p->tasks, t);
        mcp__reply_error(ctx, msg, MCP_JSONRPC_INTERNAL_ERROR, "out of memory", NULL, out);
        return 1;
    }
    t->starting = 0;
    if (t->early != NULL) {
        json_t *response = t->early;
        t->early = NULL;
        mcp_task_discard(p->tasks, t);
        reply_early(p, ctx, msg, response, out);
        json_decref(response);
        return 1;
    }
    json_t *result = mcp_task_json(t, mcp_task_store_ttl_ms(p->tasks), p->task_poll_ms, 0);
    if (result == NULL) {
        mcp_task_discard(p->tasks, t);
        mcp__reply_error(ctx, msg, MCP_JSONRPC_INTERNAL_ERROR, "out of memory", NULL, out);
        return 1;
    }
    mcp__reply_result(p, ctx, msg, result, out);
    json_object_set_new(result, "resultType", json_string("task"));
    return 1;
}

/* ------------------------------------------------------------------ tasks/get, tasks/cancel, tasks/update */

/* The request's task, or NULL after answering (no extension: -32021; no or unknown taskId: -32602). */
static mcp_task_t *request_task(mcp_protocol_t *p, const mcp_request_ctx_t *ctx, const mcp_jsonrpc_msg_t *msg,
                                mcp_reply_t *out)
{
    if (!declared(ctx)) {
        reply_missing_extension(ctx, msg, msg->method, out);
        return NULL;
    }
    const char *id = json_string_value(json_object_get(msg->params, "taskId"));
    if (id == NULL) {
        mcp__reply_error(ctx, msg, MCP_JSONRPC_INVALID_PARAMS, "params.taskId must be a string", NULL, out);
        return NULL;
    }
    mcp_task_t *t = mcp_task_find(p->tasks, id, ctx->instance_id, ctx->credential, cm_now_ms());
    if (t == NULL) {
        char m[200];
        snprintf(m, sizeof(m), "Unknown task: %.100s", id);
        mcp__reply_error(ctx, msg, MCP_JSONRPC_INVALID_PARAMS, m, NULL, out);
    }
    return t;
}

MCP__METHOD(mcp__do_tasks_get)
{
    mcp_task_t *t = request_task(p, ctx, msg, out);
    if (t == NULL)
        return;
    json_t *result = mcp_task_json(t, mcp_task_store_ttl_ms(p->tasks), p->task_poll_ms, 1);
    if (result == NULL) {
        mcp__reply_error(ctx, msg, MCP_JSONRPC_INTERNAL_ERROR, "out of memory", NULL, out);
        return;
    }
    mcp__reply_result(p, ctx, msg, result, out);
}

/* The ack of tasks/cancel and tasks/update carries nothing of the task: its state is read with tasks/get. */
MCP__METHOD(mcp__do_tasks_cancel)
{
    mcp_task_t *t = request_task(p, ctx, msg, out);
    if (t == NULL)
        return;
    mcp_task_cancel(t, wall_ms());
    mcp__reply_result(p, ctx, msg, json_object(), out);
}

/* Answers for keys the task is not waiting for are ignored; the task resumes once every request is answered. */
MCP__METHOD(mcp__do_tasks_update)
{
    json_t *responses = json_object_get(msg->params, "inputResponses");
    mcp_task_t *t = request_task(p, ctx, msg, out);
    if (t == NULL)
        return;
    if (!json_is_object(responses)) {
        mcp__reply_error(ctx, msg, MCP_JSONRPC_INVALID_PARAMS, "params.inputResponses must be an object", NULL, out);
        return;
    }
    if (t->status == MCP_TASK_INPUT_REQUIRED && t->input_requests != NULL) {
        const char *key;
        json_t *answer;
        if (t->input_responses == NULL)
            t->input_responses = json_object();
        json_object_foreach(responses, key, answer)
        {
            if (json_object_get(t->input_requests, key) == NULL)
                continue;
            json_object_set(t->input_responses, key, answer);
            json_object_del(t->input_requests, key);
        }
        t->updated_wall_ms = wall_ms();
        if (json_object_size(t->input_requests) == 0) {
            t->status = MCP_TASK_WORKING;
            if (p->task_resume != NULL) {
                p->task_resume(p, t, t->input_responses, t->request_state);
            } else {
                json_t *response = mcp_jsonrpc_error(NULL, MCP_JSONRPC_INTERNAL_ERROR,
                                                     "this server cannot resume a task with input", NULL);
                mcp_task_settle(t, response, t->updated_wall_ms);
            }
        }
    }
    mcp__reply_result(p, ctx, msg, json_object(), out);
}
