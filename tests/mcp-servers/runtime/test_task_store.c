/* test_task_store.c - the tasks extension's store: ownership, ttl (never early), bounds, settling, cancellation. */
#include "common/status.h"
#include "cu.h"
#include "features/task_store.h"
#include "features/tools_internal.h"

#include <stdlib.h>
#include <string.h>

static mcp_call_t *held_call; /* the call the held tool did not finish yet */
static int sink_calls;

static void hold_tool(mcp_call_t *c, json_t *args, void *data)
{
    held_call = c;
}

static void settle_sink(void *ctx, json_t *response)
{
    sink_calls++;
    mcp_task_settle(ctx, response, 5000);
}

/* Starts a call of a tool that holds it open, with the task as its sink (as dispatch does). */
static mcp_tools_t *start_held_call(mcp_task_t *t)
{
    mcp_tools_t *r = mcp_tools_new(0);
    mcp_tool_def_t d = {.name = "hold", .fn = hold_tool, .task_support = MCP_TASK_OPTIONAL};
    char err[200];
    CU_ASSERT_EQUAL(mcp_tools_add(r, &d, err, sizeof(err)), CM_OK);
    mcp_call_params_t cp = {.tool = mcp_tools_find(r, "hold"),
                            .id = NULL,
                            .log_threshold = -1,
                            .sink = {.complete = settle_sink, .ctx = t}};
    held_call = NULL;
    t->call = mcp__call_new(&cp);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t->call);
    mcp__call_run(t->call, NULL);
    CU_ASSERT_PTR_EQUAL(held_call, t->call);
    return r;
}

static void test_create_and_owner(void)
{
    mcp_task_store_t *s = mcp_task_store_new(&(mcp_task_limits_t){.ttl_ms = 1000});
    mcp_task_t *t = NULL, *t2 = NULL;
    CU_ASSERT_EQUAL(mcp_task_create(s, "inst-a", "g:grant-1", 100, 1764892800123, &t), CM_OK);
    CU_ASSERT_EQUAL(strlen(t->id), MCP_TASK_ID_LEN);
    CU_ASSERT_EQUAL(mcp_task_create(s, "inst-a", "g:grant-1", 100, 1764892800123, &t2), CM_OK);
    CU_ASSERT_STRING_NOT_EQUAL(t->id, t2->id);
    CU_ASSERT_PTR_EQUAL(mcp_task_find(s, t->id, "inst-a", "g:grant-1", 200), t);
    /* another instance, another credential of the same instance, or none: unknown, like an id never issued */
    CU_ASSERT_PTR_NULL(mcp_task_find(s, t->id, "inst-b", "g:grant-1", 200));
    CU_ASSERT_PTR_NULL(mcp_task_find(s, t->id, "inst-a", "g:grant-2", 200));
    CU_ASSERT_PTR_NULL(mcp_task_find(s, t->id, "inst-a", NULL, 200));
    CU_ASSERT_PTR_NULL(mcp_task_find(s, "0123456789abcdef0123456789abcdef", "inst-a", "g:grant-1", 200));
    CU_ASSERT_PTR_NULL(mcp_task_find(s, NULL, "inst-a", "g:grant-1", 200));

    json_t *j = mcp_task_json(t, mcp_task_store_ttl_ms(s), 250, 1);
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(j, "taskId")), t->id);
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(j, "status")), "working");
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(j, "createdAt")), "2025-12-05T00:00:00.123Z");
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(j, "lastUpdatedAt")), "2025-12-05T00:00:00.123Z");
    CU_ASSERT_EQUAL(json_integer_value(json_object_get(j, "ttlMs")), 1000);
    CU_ASSERT_EQUAL(json_integer_value(json_object_get(j, "pollIntervalMs")), 250);
    CU_ASSERT_PTR_NULL(json_object_get(j, "ttl"));
    CU_ASSERT_PTR_NULL(json_object_get(j, "result"));
    CU_ASSERT_PTR_NULL(json_object_get(j, "error"));
    json_decref(j);

    char longid[100];
    memset(longid, 'x', 99);
    longid[99] = '\0';
    CU_ASSERT_EQUAL(mcp_task_create(s, longid, longid, 100, 0, &t), CM_EINVAL);
    mcp_task_stats_t st;
    mcp_task_store_stats(s, &st);
    CU_ASSERT_EQUAL(st.active, 2);
    CU_ASSERT_EQUAL(st.created, 2);
    mcp_task_store_free(s);
}

/* A task stays for its whole ttl whatever its status, and not a millisecond more. */
static void test_ttl(void)
{
    mcp_task_store_t *s = mcp_task_store_new(&(mcp_task_limits_t){.ttl_ms = 1000});
    mcp_task_t *t = NULL, *done = NULL;
    CU_ASSERT_EQUAL(mcp_task_create(s, "a", NULL, 0, 0, &t), CM_OK);
    CU_ASSERT_EQUAL(mcp_task_create(s, "a", NULL, 500, 0, &done), CM_OK);
    char id[MCP_TASK_ID_LEN + 1], done_id[MCP_TASK_ID_LEN + 1];
    memcpy(id, t->id, sizeof(id));
    memcpy(done_id, done->id, sizeof(done_id));
    mcp_task_settle(done, json_pack("{s:{s:[]}}", "result", "content"), 600);
    CU_ASSERT_PTR_EQUAL(mcp_task_find(s, id, "a", NULL, 999), t);
    CU_ASSERT_PTR_NULL(mcp_task_find(s, id, "a", NULL, 1000));
    CU_ASSERT_PTR_EQUAL(mcp_task_find(s, done_id, "a", NULL, 1499), done);
    CU_ASSERT_PTR_NULL(mcp_task_find(s, done_id, "a", NULL, 1500));
    mcp_task_stats_t st;
    mcp_task_store_stats(s, &st);
    CU_ASSERT_EQUAL(st.active, 0);
    CU_ASSERT_EQUAL(st.expired, 2);

    /* expiry abandons a call still running: its late result goes nowhere */
    CU_ASSERT_EQUAL(mcp_task_create(s, "a", NULL, 2000, 0, &t), CM_OK);
    mcp_tools_t *r = start_held_call(t);
    CU_ASSERT_PTR_NULL(mcp_task_find(s, "none", "a", NULL, 3000)); /* sweeps */
    sink_calls = 0;
    mcp_call_add_text(held_call, "late");
    mcp_call_finish(held_call);
    CU_ASSERT_EQUAL(sink_calls, 0);
    mcp_tools_free(r);
    mcp_task_store_free(s);
}

static void test_bounds(void)
{
    mcp_task_store_t *s = mcp_task_store_new(&(mcp_task_limits_t){.ttl_ms = 1000, .max_total = 3, .max_per_owner = 2});
    mcp_task_t *t = NULL, *first = NULL;
    CU_ASSERT_EQUAL(mcp_task_create(s, "a", "k:1", 0, 0, &first), CM_OK);
    CU_ASSERT_EQUAL(mcp_task_create(s, "a", "k:1", 10, 0, &t), CM_OK);
    CU_ASSERT_EQUAL(mcp_task_create(s, "a", "k:1", 20, 0, &t), CM_EUNAVAIL); /* per instance + credential */
    CU_ASSERT_PTR_NULL(t);
    CU_ASSERT_EQUAL(mcp_task_create(s, "a", "k:2", 20, 0, &t), CM_OK);      /* another credential has its own share */
    CU_ASSERT_EQUAL(mcp_task_create(s, "b", NULL, 30, 0, &t), CM_EUNAVAIL); /* the store is full */
    /* a refusal never evicts a task whose ttl was promised */
    CU_ASSERT_PTR_EQUAL(mcp_task_find(s, first->id, "a", "k:1", 30), first);
    mcp_task_discard(s, first);
    CU_ASSERT_EQUAL(mcp_task_create(s, "a", "k:1", 40, 0, &t), CM_OK);
    CU_ASSERT_EQUAL(mcp_task_create(s, "b", NULL, 40, 0, &t), CM_EUNAVAIL);
    CU_ASSERT_EQUAL(mcp_task_create(s, "b", NULL, 1010, 0, &t), CM_OK); /* the one of t=10 expired */
    mcp_task_stats_t st;
    mcp_task_store_stats(s, &st);
    CU_ASSERT_EQUAL(st.refused, 3);
    CU_ASSERT_EQUAL(st.active, 3);
    mcp_task_store_free(s);
}

static void test_settle(void)
{
    mcp_task_store_t *s = mcp_task_store_new(NULL);
    CU_ASSERT_EQUAL(mcp_task_store_ttl_ms(s), 3600 * 1000);
    mcp_task_t *ok = NULL, *bad = NULL, *ask = NULL;
    mcp_task_create(s, "a", NULL, 0, 1000, &ok);
    mcp_task_create(s, "a", NULL, 0, 1000, &bad);
    mcp_task_create(s, "a", NULL, 0, 1000, &ask);
    mcp_task_settle(ok,
                    json_pack("{s:{s:[{s:s,s:s}], s:b, s:s}}", "result", "content", "type", "text", "text", "no",
                              "isError", 1, "resultType", "complete"),
                    2000);
    json_t *j = mcp_task_json(ok, 1, 0, 1);
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(j, "status")), "completed");
    CU_ASSERT_TRUE(json_is_true(json_object_get(json_object_get(j, "result"), "isError")));
    CU_ASSERT_PTR_NULL(json_object_get(json_object_get(j, "result"), "resultType"));
    CU_ASSERT_PTR_NULL(json_object_get(j, "pollIntervalMs"));
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(j, "lastUpdatedAt")), "1970-01-01T00:00:02.000Z");
    json_decref(j);
    j = mcp_task_json(ok, 1, 0, 0); /* the CreateTaskResult shape: never the result */
    CU_ASSERT_PTR_NULL(json_object_get(j, "result"));
    json_decref(j);

    mcp_task_settle(bad, json_pack("{s:{s:i, s:s}}", "error", "code", -32603, "message", "broke"), 2000);
    j = mcp_task_json(bad, 1, 0, 1);
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(j, "status")), "failed");
    CU_ASSERT_EQUAL(json_integer_value(json_object_get(json_object_get(j, "error"), "code")), -32603);
    CU_ASSERT_PTR_NULL(json_object_get(j, "result"));
    json_decref(j);
    /* a terminal task keeps its outcome */
    mcp_task_settle(bad, json_pack("{s:{s:[]}}", "result", "content"), 3000);
    CU_ASSERT_EQUAL(bad->status, MCP_TASK_FAILED);

    mcp_task_settle(ask,
                    json_pack("{s:{s:s, s:{s:{s:s}}, s:s}}", "result", "resultType", "input_required", "inputRequests",
                              "confirm", "method", "elicitation/create", "requestState", "opaque"),
                    2000);
    j = mcp_task_json(ask, 1, 0, 1);
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(j, "status")), "input_required");
    CU_ASSERT_PTR_NOT_NULL(json_object_get(json_object_get(j, "inputRequests"), "confirm"));
    CU_ASSERT_PTR_NULL(json_object_get(j, "requestState")); /* kept for the retry, never shown */
    CU_ASSERT_STRING_EQUAL(json_string_value(ask->request_state), "opaque");
    json_decref(j);
    mcp_task_store_free(s);
}

/* Cancel abandons the call (its late result is dropped) and is idempotent; a terminal task stays as it is. */
static void test_cancel(void)
{
    mcp_task_store_t *s = mcp_task_store_new(NULL);
    mcp_task_t *t = NULL, *done = NULL;
    CU_ASSERT_EQUAL(mcp_task_create(s, "a", NULL, 0, 1000, &t), CM_OK);
    mcp_tools_t *r = start_held_call(t);
    mcp_task_cancel(t, 2000);
    CU_ASSERT_EQUAL(t->status, MCP_TASK_CANCELLED);
    CU_ASSERT_PTR_NULL(t->call);
    CU_ASSERT_TRUE(mcp_call_abandoned(held_call));
    sink_calls = 0;
    mcp_call_add_text(held_call, "late");
    mcp_call_finish(held_call);
    CU_ASSERT_EQUAL(sink_calls, 0);
    CU_ASSERT_EQUAL(t->status, MCP_TASK_CANCELLED);
    CU_ASSERT_PTR_NULL(t->result);
    mcp_task_cancel(t, 3000);
    CU_ASSERT_EQUAL(t->status, MCP_TASK_CANCELLED);
    CU_ASSERT_EQUAL(t->updated_wall_ms, 2000);
    mcp_task_settle(t, json_pack("{s:{s:[]}}", "result", "content"), 4000); /* too late */
    CU_ASSERT_EQUAL(t->status, MCP_TASK_CANCELLED);

    CU_ASSERT_EQUAL(mcp_task_create(s, "a", NULL, 0, 1000, &done), CM_OK);
    mcp_task_settle(done, json_pack("{s:{s:[]}}", "result", "content"), 1500);
    mcp_task_cancel(done, 2000);
    CU_ASSERT_EQUAL(done->status, MCP_TASK_COMPLETED);
    CU_ASSERT_EQUAL(done->updated_wall_ms, 1500);
    mcp_task_stats_t st;
    mcp_task_store_stats(s, &st);
    CU_ASSERT_EQUAL(st.cancelled, 1);

    /* freeing the store abandons what still runs */
    mcp_task_t *running = NULL;
    CU_ASSERT_EQUAL(mcp_task_create(s, "a", NULL, 0, 1000, &running), CM_OK);
    mcp_tools_t *r2 = start_held_call(running);
    mcp_call_t *c = held_call;
    mcp_task_store_free(s);
    CU_ASSERT_TRUE(mcp_call_abandoned(c));
    mcp_call_finish(c);
    CU_ASSERT_EQUAL(sink_calls, 0);
    mcp_tools_free(r);
    mcp_tools_free(r2);
}

void tests_register(void)
{
    CU_SUITE("task store", NULL, NULL, {"create, owner, wire shape", test_create_and_owner}, {"ttl", test_ttl},
             {"bounds", test_bounds}, {"settle", test_settle}, {"cancel", test_cancel});
}
