/*
 * call.c - one tools/call in flight: argument validation, result building, notifications (see mcp/tools.h).
 */
#include "common/metrics.h"
#include "common/status.h"
#include "protocol/jsonrpc.h"
#include "features/call_internal.h"
#include "features/input.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const level_names[] = {"debug", "info",     "notice", "warning",
                                          "error", "critical", "alert",  "emergency"};

int mcp_log_level_from_str(const char *s)
{
    for (size_t i = 0; s != NULL && i < sizeof(level_names) / sizeof(level_names[0]); i++)
        if (strcmp(s, level_names[i]) == 0)
            return (int)i;
    return -1;
}

const char *mcp_log_level_str(int level)
{
    return level >= 0 && level <= MCP_LOG_EMERGENCY ? level_names[level] : "info";
}

static void copy_str(char *dst, size_t dstsz, const char *src)
{
    size_t n = src ? strlen(src) : 0;
    if (n >= dstsz)
        n = dstsz - 1;
    memcpy(dst, src ? src : "", n);
    dst[n] = '\0';
}

mcp_call_t *mcp__call_new(const mcp_call_params_t *p)
{
    mcp_call_t *c = calloc(1, sizeof(*c));
    if (c == NULL)
        return NULL;
    if ((c->content = json_array()) == NULL) {
        free(c);
        return NULL;
    }
    c->tool = p->tool;
    c->started = cm_metrics_now();
    c->id = json_incref(p->id);
    copy_str(c->instance, sizeof(c->instance), p->instance_id);
    copy_str(c->protocol_version, sizeof(c->protocol_version), p->protocol_version);
    c->progress_token = json_incref(p->progress_token);
    c->log_threshold = p->log_threshold;
    c->result_extra = json_incref(p->result_extra);
    c->context = p->context;
    c->sink = p->sink;
    c->modern = p->modern;
    c->cfg = p->input_cfg;
    copy_str(c->session, sizeof(c->session), p->session_id);
    c->confirm = p->input_cfg != NULL && p->input_cfg->confirm && p->tool->confirm;
    if (mcp__input_init(&c->in, p->client_capabilities) != CM_OK) {
        mcp__call_free(c);
        return NULL;
    }
    if (p->modern && p->input_params != NULL) {
        c->raw_args = json_incref(json_object_get(p->input_params, "arguments"));
        char target[160];
        snprintf(target, sizeof(target), "tool:%s", p->tool->name);
        if (mcp__input_from_request(&c->in, p->input_cfg->key, p->input_params, target, c->instance, c->raw_args,
                                    c->input_error, sizeof(c->input_error)) != 0 &&
            c->input_error[0] == '\0')
            snprintf(c->input_error, sizeof(c->input_error), "invalid inputResponses");
    }
    return c;
}

void mcp__call_free(mcp_call_t *c)
{
    if (c == NULL)
        return;
    if (c->waiting && c->cfg != NULL)
        mcp__pending_drop(c->cfg->pending, c);
    json_decref(c->id);
    json_decref(c->progress_token);
    json_decref(c->result_extra);
    json_decref(c->args);
    json_decref(c->raw_args);
    mcp__input_clear(&c->in);
    json_decref(c->content);
    json_decref(c->structured);
    free(c);
}

void mcp__call_abandon(mcp_call_t *c)
{
    c->abandoned = 1;
    c->sink.notify = NULL;
    c->sink.complete = NULL;
    c->sink.waiting = NULL;
    if (c->waiting) { /* nobody else holds a call that waits for input: its answers could go nowhere */
        mcp__call_complete(c, NULL, "abandoned");
        return;
    }
    mcp_call_abort_fn fn = c->abort_fn;
    c->abort_fn = NULL;
    if (fn != NULL)
        fn(c, c->abort_arg); /* may finish (and free) the call */
}

void mcp_call_set_abort(mcp_call_t *c, mcp_call_abort_fn fn, void *arg)
{
    c->abort_fn = fn;
    c->abort_arg = arg;
}

const char *mcp_call_session_id(const mcp_call_t *c)
{
    return c->session[0] != '\0' ? c->session : NULL;
}

void mcp_call_send(mcp_call_t *c, json_t *msg)
{
    if (c->sink.notify == NULL || msg == NULL) {
        json_decref(msg);
        return;
    }
    c->sink.notify(c->sink.ctx, msg);
}

const char *mcp_call_instance(const mcp_call_t *c)
{
    return c->instance;
}

const char *mcp_call_tool(const mcp_call_t *c)
{
    return c->tool->name;
}

const char *mcp_call_protocol_version(const mcp_call_t *c)
{
    return c->protocol_version;
}

void *mcp_call_context(const mcp_call_t *c)
{
    return c->context;
}

int mcp_call_abandoned(const mcp_call_t *c)
{
    return c->abandoned;
}

void mcp_call_add_text(mcp_call_t *c, const char *text)
{
    json_t *s = json_string(text ? text : "");
    if (s == NULL) /* not UTF-8: never emit invalid JSON */
        s = json_string("(tool produced text that is not valid UTF-8)");
    json_t *b = json_object();
    json_object_set_new(b, "type", json_string("text"));
    json_object_set_new(b, "text", s);
    json_array_append_new(c->content, b);
}

void mcp_call_add_content(mcp_call_t *c, json_t *block)
{
    if (block != NULL)
        json_array_append_new(c->content, block);
}

void mcp_call_set_structured(mcp_call_t *c, json_t *value)
{
    json_decref(c->structured);
    c->structured = value;
}

static void merge_extra(mcp_call_t *c, json_t *result)
{
    if (c->result_extra != NULL)
        json_object_update(result, c->result_extra);
}

/* mcp_tool_calls_total{tool,outcome} and mcp_tool_call_duration_seconds{tool}. outcome: ok, tool_error (isError),
 * error (a JSON-RPC error), abandoned (timed out or the client went away first). */
static void count_call(const mcp_call_t *c, const char *outcome)
{
    static cm_metric_family_t *calls, *duration;
    if (calls == NULL) {
        calls = cm_counter("mcp_tool_calls_total", "tools/call requests by tool and outcome.", "tool,outcome");
        duration =
            cm_histogram("mcp_tool_call_duration_seconds", "Time from a tools/call to its result, by tool.", "tool");
    }
    cm_metric_inc(cm_metric_get(calls, c->tool->name, c->abandoned ? "abandoned" : outcome));
    cm_metric_observe(cm_metric_get(duration, c->tool->name), cm_metrics_now() - c->started);
}

/* Delivers response (stolen) and frees the call. */
void mcp__call_complete(mcp_call_t *c, json_t *response, const char *outcome)
{
    count_call(c, outcome);
    if (c->waiting && c->cfg != NULL) {
        mcp__pending_drop(c->cfg->pending, c);
        c->waiting = 0;
    }
    if (c->sink.complete != NULL && response != NULL)
        c->sink.complete(c->sink.ctx, response);
    else
        json_decref(response);
    mcp__call_free(c);
}

void mcp_call_error(mcp_call_t *c, int code, const char *message)
{
    mcp__call_complete(c, mcp_jsonrpc_error(c->id, code, message, NULL), "error");
}

void mcp_call_error_data(mcp_call_t *c, int code, const char *message, json_t *data)
{
    mcp__call_complete(c, mcp_jsonrpc_error(c->id, code, message, data), "error");
}

json_t *mcp_call_client_capabilities(const mcp_call_t *c)
{
    return c->in.caps;
}

void mcp_call_finish(mcp_call_t *c)
{
    if (c->tool->output != NULL) {
        mcp_schema_error_t e;
        if (c->structured == NULL) {
            mcp_call_error(c, MCP_JSONRPC_INTERNAL_ERROR,
                           "tool declared an outputSchema but returned no structuredContent");
            return;
        }
        if (mcp_schema_validate(c->tool->output, c->structured, &e) != CM_OK) {
            char msg[600];
            snprintf(msg, sizeof(msg), "tool output does not match its outputSchema: %s%s%s", e.path,
                     e.path[0] ? " " : "", e.message);
            mcp_call_error(c, MCP_JSONRPC_INTERNAL_ERROR, msg);
            return;
        }
    }
    if (c->structured != NULL && json_array_size(c->content) == 0) {
        char *text = json_dumps(c->structured, JSON_COMPACT | JSON_ENCODE_ANY);
        mcp_call_add_text(c, text ? text : "");
        free(text);
    }
    json_t *result = json_object();
    json_object_set(result, "content", c->content);
    if (c->structured != NULL)
        json_object_set(result, "structuredContent", c->structured);
    merge_extra(c, result);
    mcp__call_complete(c, mcp_jsonrpc_result(c->id, result), "ok");
}

static void fail_text(mcp_call_t *c, const char *msg)
{
    json_t *result = json_object(), *content = json_array(), *b = json_object();
    json_t *s = json_string(msg);
    json_object_set_new(b, "type", json_string("text"));
    json_object_set_new(b, "text", s ? s : json_string("tool failed"));
    json_array_append_new(content, b);
    json_object_set_new(result, "content", content);
    json_object_set_new(result, "isError", json_true());
    merge_extra(c, result);
    mcp__call_complete(c, mcp_jsonrpc_result(c->id, result), "tool_error");
}

void mcp_call_fail(mcp_call_t *c, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    fail_text(c, msg);
}

static void notify(mcp_call_t *c, const char *method, json_t *params)
{
    if (c->sink.notify == NULL) {
        json_decref(params);
        return;
    }
    json_t *n = json_object();
    json_object_set_new(n, "jsonrpc", json_string("2.0"));
    json_object_set_new(n, "method", json_string(method));
    json_object_set_new(n, "params", params);
    c->sink.notify(c->sink.ctx, n);
}

void mcp_call_log(mcp_call_t *c, int level, const char *logger, json_t *data)
{
    if (c->log_threshold < 0 || level < c->log_threshold || c->abandoned) {
        json_decref(data);
        return;
    }
    json_t *p = json_object();
    json_object_set_new(p, "level", json_string(mcp_log_level_str(level)));
    if (logger != NULL)
        json_object_set_new(p, "logger", json_string(logger));
    json_object_set_new(p, "data", data != NULL ? data : json_null());
    notify(c, "notifications/message", p);
}

void mcp_call_progress(mcp_call_t *c, double progress, double total, const char *message)
{
    if (c->progress_token == NULL || c->abandoned)
        return;
    json_t *p = json_object();
    json_object_set(p, "progressToken", c->progress_token);
    json_object_set_new(p, "progress", json_real(progress));
    if (total >= 0)
        json_object_set_new(p, "total", json_real(total));
    if (message != NULL)
        json_object_set_new(p, "message", json_string(message));
    notify(c, "notifications/progress", p);
}

void mcp__call_run(mcp_call_t *c, json_t *args)
{
    mcp_schema_error_t e;
    /* the handler gets its own copy only when defaults may be filled in or whole-number decimals may become
       integers; otherwise the request's object */
    int copy = args == NULL || mcp_schema_has_defaults(c->tool->input) || mcp_schema_has_whole_reals(args);
    json_t *a = args == NULL ? json_object() : copy ? json_deep_copy(args) : json_incref(args);
    if (a == NULL) {
        mcp_call_error(c, MCP_JSONRPC_INTERNAL_ERROR, "out of memory");
        return;
    }
    if (mcp_schema_apply_defaults(c->tool->input, a) != CM_OK) {
        json_decref(a);
        mcp_call_error(c, MCP_JSONRPC_INTERNAL_ERROR, "out of memory");
        return;
    }
    if (mcp_schema_validate(c->tool->input, a, &e) != CM_OK) {
        json_decref(a);
        if (e.path[0] != '\0')
            mcp_call_fail(c, "Invalid arguments for tool %s: field '%s' %s", c->tool->name, e.path, e.message);
        else
            mcp_call_fail(c, "Invalid arguments for tool %s: arguments %s", c->tool->name, e.message);
        return;
    }
    /* 5.0 passed "type": "integer": hand the handler 5 (json_integer_value reads a real as 0) */
    if (copy && mcp_schema_normalize_integers(c->tool->input, a) != CM_OK) {
        json_decref(a);
        mcp_call_error(c, MCP_JSONRPC_INTERNAL_ERROR, "out of memory");
        return;
    }
    c->args = a;
    if (c->input_error[0] != '\0') {
        mcp_call_error(c, MCP_JSONRPC_INVALID_PARAMS, c->input_error);
        return;
    }
    mcp__call_run_handler(c);
}
