/*
 * tasks.c - the fixture tools of the suite's tasks-* scenarios (the tasks extension of 2026-07-28): greet (never a
 * task), slow_compute (a task when the client takes one: `seconds` of work in 100 ms steps, stopped at the next step
 * once cancelled), failing_job (only as a task: a tool error after about a second) and protocol_error_job (a
 * protocol-level error after about a second); and those of the tasks-mrtr-* scenarios, which ask for input
 * (mcp/input.h): confirm_delete and multi_input first go asynchronous (so that a task is created), then ask and park
 * the task in input_required until tasks/update answers; test_tool_with_task asks at once (the plain input_required
 * round, no task) and, given the answer, goes asynchronous (the retry becomes a task).
 */
#include "common/status.h"
#include "fixture.h"
#include "mcp/input.h"

#include <stdio.h>
#include <stdlib.h>

enum job { JOB_COMPUTE, JOB_TOOL_ERROR, JOB_PROTOCOL_ERROR };

struct job_state {
    h2o_timeout_entry_t entry;
    mcp_call_t *call;
    enum job kind;
    int steps_left;
    char label[64];
};

static void job_step(h2o_timeout_entry_t *e)
{
    struct job_state *st = H2O_STRUCT_FROM_MEMBER(struct job_state, entry, e);
    /* a cancelled (abandoned) call stops working at once: its result would be dropped anyway */
    if (--st->steps_left > 0 && !mcp_call_abandoned(st->call)) {
        h2o_context_t *ctx = mcp_server_context(mcp_call_server(st->call));
        h2o_timeout_link(ctx->loop, &ctx->hundred_ms_timeout, &st->entry);
        return;
    }
    if (st->kind == JOB_TOOL_ERROR)
        mcp_call_fail(st->call, "failing_job failed, as it always does");
    else if (st->kind == JOB_PROTOCOL_ERROR)
        mcp_call_error(st->call, MCP_JSONRPC_INTERNAL_ERROR, "protocol_error_job broke down");
    else {
        char text[120];
        snprintf(text, sizeof(text), "computed %s", st->label);
        mcp_call_add_text(st->call, text);
        mcp_call_finish(st->call);
    }
    free(st);
}

static void start_job(mcp_call_t *c, enum job kind, int steps, const char *label)
{
    struct job_state *st = calloc(1, sizeof(*st));
    if (st == NULL) {
        mcp_call_fail(c, "out of memory");
        return;
    }
    st->call = c;
    st->kind = kind;
    st->steps_left = steps + 1;
    snprintf(st->label, sizeof(st->label), "%s", label ? label : "");
    st->entry.cb = job_step;
    job_step(&st->entry);
}

static void t_greet(mcp_call_t *c, json_t *args, void *data)
{
    char text[200];
    snprintf(text, sizeof(text), "Hello, %s!", json_string_value(json_object_get(args, "name")));
    mcp_call_add_text(c, text);
    mcp_call_finish(c);
}

static void t_slow_compute(mcp_call_t *c, json_t *args, void *data)
{
    int seconds = (int)json_integer_value(json_object_get(args, "seconds"));
    start_job(c, JOB_COMPUTE, seconds * 10, json_string_value(json_object_get(args, "label")));
}

static void t_failing_job(mcp_call_t *c, json_t *args, void *data)
{
    start_job(c, JOB_TOOL_ERROR, 10, NULL);
}

static void t_protocol_error_job(mcp_call_t *c, json_t *args, void *data)
{
    start_job(c, JOB_PROTOCOL_ERROR, 10, NULL);
}

/* ------------------------------------------------------------------ tools that ask for input */

typedef void (*later_fn)(mcp_call_t *c, json_t *args);

/* A step of a handler run on the next 100 ms tick: the handler has returned by then, so a task exists. */
struct later {
    h2o_timeout_entry_t entry;
    mcp_call_t *call;
    json_t *args;
    later_fn fn;
};

static void later_fire(h2o_timeout_entry_t *e)
{
    struct later *l = H2O_STRUCT_FROM_MEMBER(struct later, entry, e);
    l->fn(l->call, l->args);
    json_decref(l->args);
    free(l);
}

static void run_later(mcp_call_t *c, json_t *args, later_fn fn)
{
    struct later *l = calloc(1, sizeof(*l));
    if (l == NULL) {
        mcp_call_fail(c, "out of memory");
        return;
    }
    l->call = c;
    l->args = json_incref(args);
    l->fn = fn;
    l->entry.cb = later_fire;
    h2o_context_t *ctx = mcp_server_context(mcp_call_server(c));
    h2o_timeout_link(ctx->loop, &ctx->hundred_ms_timeout, &l->entry);
}

static const char confirm_schema[] = "{\"type\":\"object\",\"properties\":{\"confirm\":{\"type\":\"boolean\","
                                     "\"title\":\"Delete it?\"}},\"required\":[\"confirm\"]}";
static const char named_schema[] = "{\"type\":\"object\",\"properties\":{\"name\":{\"type\":\"string\"},"
                                   "\"confirm\":{\"type\":\"boolean\"}}}";

static void confirm_delete_step(mcp_call_t *c, json_t *args)
{
    const char *file = json_string_value(json_object_get(args, "filename"));
    const json_t *a = mcp_call_elicit(c, "confirm", "Delete this file?", json_loads(confirm_schema, 0, NULL));
    if (a == NULL) {
        mcp_call_need_input(c);
        return;
    }
    json_t *content = mcp_elicit_content(a);
    char text[200];
    snprintf(text, sizeof(text), "%s %s", json_is_true(json_object_get(content, "confirm")) ? "Deleted" : "Kept",
             file ? file : "(no file)");
    mcp_call_add_text(c, text);
    mcp_call_finish(c);
}

static void t_confirm_delete(mcp_call_t *c, json_t *args, void *data)
{
    run_later(c, args, confirm_delete_step);
}

/* The "name" of an accepted answer, or fallback. */
static const char *answered_name(const json_t *answer, const char *fallback)
{
    const char *name = json_string_value(json_object_get(mcp_elicit_content(answer), "name"));
    return name != NULL ? name : fallback;
}

static void multi_input_step(mcp_call_t *c, json_t *args)
{
    const json_t *first = mcp_call_elicit(c, "first", "First name?", json_loads(named_schema, 0, NULL));
    const json_t *second = mcp_call_elicit(c, "second", "Second name?", json_loads(named_schema, 0, NULL));
    if (first == NULL || second == NULL) {
        mcp_call_need_input(c);
        return;
    }
    char text[300];
    snprintf(text, sizeof(text), "Got %.100s and %.100s", answered_name(first, "?"), answered_name(second, "?"));
    mcp_call_add_text(c, text);
    mcp_call_finish(c);
}

static void t_multi_input(mcp_call_t *c, json_t *args, void *data)
{
    run_later(c, args, multi_input_step);
}

static void greet_user_step(mcp_call_t *c, json_t *args)
{
    const json_t *a = mcp_call_elicit(c, "user_name", "Your name?", json_loads(named_schema, 0, NULL));
    char text[200];
    snprintf(text, sizeof(text), "Hello, %.100s!", answered_name(a, "stranger"));
    mcp_call_add_text(c, text);
    mcp_call_finish(c);
}

static void t_tool_with_task(mcp_call_t *c, json_t *args, void *data)
{
    if (mcp_call_elicit(c, "user_name", "Your name?", json_loads(named_schema, 0, NULL)) == NULL) {
        mcp_call_need_input(c);
        return;
    }
    run_later(c, args, greet_user_step);
}

int fixture_register_tasks(mcp_server_t *s)
{
    static const char no_args[] = "{\"type\":\"object\",\"properties\":{}}";
    const mcp_tool_def_t defs[] = {
        {.name = "greet",
         .description = "Says hello (never runs as a task)",
         .input_schema =
             "{\"type\":\"object\",\"properties\":{\"name\":{\"type\":\"string\"}},\"required\":[\"name\"]}",
         .fn = t_greet},
        {.name = "slow_compute",
         .description = "Works for `seconds` seconds (0-3600), then answers; runs as a task when the client takes one",
         .input_schema =
             "{\"type\":\"object\",\"properties\":{\"seconds\":{\"type\":\"integer\",\"minimum\":0,"
             "\"maximum\":3600},\"label\":{\"type\":\"string\",\"maxLength\":40}},\"required\":[\"seconds\"]}",
         .task_support = MCP_TASK_OPTIONAL,
         .fn = t_slow_compute},
        {.name = "failing_job",
         .description = "Fails with a tool error after about a second; only runs as a task",
         .input_schema = no_args,
         .task_support = MCP_TASK_REQUIRED,
         .fn = t_failing_job},
        {.name = "protocol_error_job",
         .description = "Breaks down with a protocol error after about a second",
         .input_schema = no_args,
         .task_support = MCP_TASK_OPTIONAL,
         .fn = t_protocol_error_job},
        {.name = "confirm_delete",
         .description = "Asks the user to confirm, then pretends to delete `filename`",
         .input_schema = "{\"type\":\"object\",\"properties\":{\"filename\":{\"type\":\"string\"}}}",
         .task_support = MCP_TASK_OPTIONAL,
         .fn = t_confirm_delete},
        {.name = "multi_input",
         .description = "Asks two questions at once, then reports both answers",
         .input_schema = no_args,
         .task_support = MCP_TASK_OPTIONAL,
         .fn = t_multi_input},
        {.name = "test_tool_with_task",
         .description = "Asks for the user's name, then greets them from a task",
         .input_schema = no_args,
         .task_support = MCP_TASK_REQUIRED,
         .fn = t_tool_with_task},
    };
    return mcp_server_add_tools(s, defs, sizeof(defs) / sizeof(defs[0]));
}
