/* test_service_util.c - the helpers the MCP services share (mcp/provider_http.h, mcp/result.h, mcp/server.h): API base
 * from the environment and URLs below it, finishing a tool with text + structuredContent, the JSON request's up-front
 * failure, and cutting UTF-8 by characters. */
#include "common/status.h"
#include "cu.h"
#include "mcp/args.h"
#include "mcp/provider_http.h"
#include "mcp/result.h"
#include "mcp/server.h"
#include "features/tools_internal.h"

#include <stdlib.h>
#include <string.h>

static void test_api_base(void)
{
    mcp_api_base_t b;
    char err[160] = "";
    unsetenv("SVC_TEST_BASE");
    CU_ASSERT_EQUAL(mcp_api_base_init(&b, "SVC_TEST_BASE", "https://api.example.com/", NULL, err, sizeof(err)), CM_OK);
    CU_ASSERT_STRING_EQUAL(mcp_api_base_url(&b), "https://api.example.com");
    setenv("SVC_TEST_BASE", "http://127.0.0.1:9999//", 1);
    CU_ASSERT_EQUAL(
        mcp_api_base_init(&b, "SVC_TEST_BASE", "https://api.example.com", "/gmail/v1/users/me", err, sizeof(err)),
        CM_OK);
    CU_ASSERT_STRING_EQUAL(mcp_api_base_url(&b), "http://127.0.0.1:9999/gmail/v1/users/me");
    char *u = mcp_api_url(&b, "/messages", NULL);
    CU_ASSERT_STRING_EQUAL(u, "http://127.0.0.1:9999/gmail/v1/users/me/messages");
    free(u);
    const char *q[] = {"q", "from:a b&c", "skip", NULL, "maxResults", "5", NULL};
    u = mcp_api_url(&b, "/messages", q);
    CU_ASSERT_STRING_EQUAL(u, "http://127.0.0.1:9999/gmail/v1/users/me/messages?q=from%3Aa%20b%26c&maxResults=5");
    free(u);

    /* a bad value is refused with a reason; the default stays */
    setenv("SVC_TEST_BASE", "ftp://files.example.com", 1);
    CU_ASSERT_EQUAL(mcp_api_base_init(&b, "SVC_TEST_BASE", "https://api.example.com", NULL, err, sizeof(err)),
                    CM_EINVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "SVC_TEST_BASE"));
    CU_ASSERT_STRING_EQUAL(mcp_api_base_url(&b), "https://api.example.com");
    char longv[700] = "http://h/";
    memset(longv + 9, 'a', sizeof(longv) - 10);
    longv[sizeof(longv) - 1] = '\0';
    setenv("SVC_TEST_BASE", longv, 1);
    err[0] = '\0';
    CU_ASSERT_EQUAL(mcp_api_base_init(&b, "SVC_TEST_BASE", "https://api.example.com", NULL, err, sizeof(err)),
                    CM_EINVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "too long"));
    CU_ASSERT_STRING_EQUAL(mcp_api_base_url(&b), "https://api.example.com");
    unsetenv("SVC_TEST_BASE");
}

static void test_utf8_prefix(void)
{
    const char *s = "Gr\xc3\xbc\xc3\x9f"
                    "e \xe6\x9d\xb1\xe4\xba\xac \xf0\x9f\x98\x80!"; /* Grüße 東京 😀! */
    size_t len = strlen(s);
    CU_ASSERT_EQUAL(mcp_utf8_prefix_chars(s, len, 0), 0);
    CU_ASSERT_EQUAL(mcp_utf8_prefix_chars(s, len, 3), 4);   /* "Grü" */
    CU_ASSERT_EQUAL(mcp_utf8_prefix_chars(s, len, 4), 6);   /* "Grüß" */
    CU_ASSERT_EQUAL(mcp_utf8_prefix_chars(s, len, 7), 11);  /* "Grüße 東" */
    CU_ASSERT_EQUAL(mcp_utf8_prefix_chars(s, len, 10), 19); /* ... "😀" whole */
    CU_ASSERT_EQUAL(mcp_utf8_prefix_chars(s, len, 11), len);
    CU_ASSERT_EQUAL(mcp_utf8_prefix_chars(s, len, 1000), len);
    CU_ASSERT_EQUAL(mcp_utf8_prefix_chars("", 0, 5), 0);
}

/* ---- calls: a registry with tools that use the helpers, and a sink that keeps the response ---- */

static json_t *response;
static int freed;

static void sink_notify(void *ctx, json_t *n)
{
    (void)ctx;
    json_decref(n);
}
static void sink_complete(void *ctx, json_t *r)
{
    (void)ctx;
    json_decref(response);
    response = r;
}
static void free_arg(void *arg)
{
    freed++;
    free(arg);
}

static void buf_tool(mcp_call_t *c, json_t *args, void *data)
{
    (void)args;
    (void)data;
    cm_buf_t b = {0};
    cm_buf_printf(&b, "%d items", 2);
    mcp_tool_finish_buf(c, &b, json_pack("{s:i}", "count", 2));
}
static void oom_tool(mcp_call_t *c, json_t *args, void *data)
{
    (void)args;
    (void)data;
    cm_buf_t b = {.failed = 1};
    mcp_tool_finish_buf(c, &b, json_pack("{s:i}", "count", 2));
}
static void blocks_tool(mcp_call_t *c, json_t *args, void *data)
{
    (void)args;
    (void)data;
    mcp_call_add_text(c, "first");
    mcp_call_add_content(c, json_pack("{s:s, s:s}", "type", "text", "text", "second"));
    mcp_tool_finish_text(c, NULL, NULL);
}
static void bad_url_tool(mcp_call_t *c, json_t *args, void *data)
{
    (void)args;
    (void)data;
    mcp_provider_request_t req = {.provider = "Example API", .arg_free = free_arg};
    mcp_provider_fetch_json(c, &req, NULL, json_pack("{s:s}", "a", "b"), NULL, malloc(8));
}

static json_t *run(const char *name, mcp_tool_fn fn)
{
    char err[256];
    mcp_tools_t *r = mcp_tools_new(0);
    mcp_tool_def_t d = {.name = name, .fn = fn};
    CU_ASSERT_EQUAL_FATAL(mcp_tools_add(r, &d, err, sizeof(err)), CM_OK);
    json_t *id = json_integer(1);
    mcp_call_params_t p = {.tool = mcp_tools_find(r, name),
                           .id = id,
                           .instance_id = "inst",
                           .protocol_version = "2025-11-25",
                           .log_threshold = -1,
                           .sink = {sink_notify, sink_complete, NULL}};
    response = NULL;
    mcp_call_t *c = mcp__call_new(&p);
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    mcp__call_run(c, NULL);
    json_decref(id);
    mcp_tools_free(r);
    CU_ASSERT_PTR_NOT_NULL(response);
    json_t *res = json_incref(json_object_get(response, "result"));
    json_decref(response);
    response = NULL;
    return res;
}

static const char *block_text(json_t *res, size_t i)
{
    return json_string_value(json_object_get(json_array_get(json_object_get(res, "content"), i), "text"));
}

static void test_finish(void)
{
    json_t *res = run("buf", buf_tool);
    CU_ASSERT_STRING_EQUAL(block_text(res, 0), "2 items");
    CU_ASSERT_EQUAL(json_integer_value(json_object_get(json_object_get(res, "structuredContent"), "count")), 2);
    CU_ASSERT_FALSE(json_is_true(json_object_get(res, "isError")));
    json_decref(res);

    res = run("oom", oom_tool);
    CU_ASSERT_TRUE(json_is_true(json_object_get(res, "isError")));
    CU_ASSERT_STRING_EQUAL(block_text(res, 0), "out of memory");
    CU_ASSERT_PTR_NULL(json_object_get(res, "structuredContent"));
    json_decref(res);

    res = run("blocks", blocks_tool); /* NULL text: the tool's own blocks, in order, nothing added */
    CU_ASSERT_EQUAL(json_array_size(json_object_get(res, "content")), 2);
    CU_ASSERT_STRING_EQUAL(block_text(res, 0), "first");
    CU_ASSERT_STRING_EQUAL(block_text(res, 1), "second");
    json_decref(res);
}

static void test_arg_bytes(void)
{
    uint8_t *out = NULL;
    size_t len = 0;
    char err[256];
    json_t *text = json_string("hello"), *b64 = json_string("aGVsbG8="), *bad = json_string("aGVsbG8"),
           *num = json_integer(5), *big = json_string("0123456789");
    CU_ASSERT_EQUAL(mcp_arg_bytes(text, 0, 5, "content", &out, &len, err, sizeof(err)), CM_OK);
    CU_ASSERT_EQUAL(len, 5);
    CU_ASSERT_STRING_EQUAL((char *)out, "hello");
    free(out);
    CU_ASSERT_EQUAL(mcp_arg_bytes(b64, 1, 5, "content", &out, &len, err, sizeof(err)), CM_OK);
    CU_ASSERT_EQUAL(len, 5);
    CU_ASSERT_EQUAL(memcmp(out, "hello", 5), 0);
    free(out);
    /* padding required; the argument named */
    CU_ASSERT_EQUAL(mcp_arg_bytes(bad, 1, 5, "content_base64", &out, &len, err, sizeof(err)), CM_EINVAL);
    CU_ASSERT_PTR_NULL(out);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "'content_base64'"));
    CU_ASSERT_EQUAL(mcp_arg_bytes(num, 0, 5, "content", &out, &len, err, sizeof(err)), CM_EINVAL);
    /* one byte over the limit: refused with both sizes; a MiB limit also named in MiB */
    CU_ASSERT_EQUAL(mcp_arg_bytes(text, 0, 4, "content", &out, &len, err, sizeof(err)), CM_EINVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "5 bytes, above this tool's limit of 4 bytes"));
    CU_ASSERT_PTR_NULL(out);
    CU_ASSERT_EQUAL(len, 0);
    CU_ASSERT_EQUAL(mcp_arg_bytes(big, 0, 10, "content", &out, &len, err, sizeof(err)), CM_OK);
    free(out);
    json_decref(text);
    json_decref(b64);
    json_decref(bad);
    json_decref(num);
    json_decref(big);
}

static void test_fetch_json_bad_url(void)
{
    freed = 0;
    json_t *res = run("bad_url", bad_url_tool);
    CU_ASSERT_TRUE(json_is_true(json_object_get(res, "isError")));
    CU_ASSERT_STRING_EQUAL(block_text(res, 0), "Could not build the Example API request.");
    CU_ASSERT_EQUAL(freed, 1); /* the tool's state is released: cb never runs */
    json_decref(res);
}

void tests_register(void)
{
    CU_SUITE("service helpers", NULL, NULL, {"api base", test_api_base}, {"utf8 prefix", test_utf8_prefix},
             {"arg bytes", test_arg_bytes}, {"finish", test_finish}, {"fetch_json bad url", test_fetch_json_bad_url});
}
