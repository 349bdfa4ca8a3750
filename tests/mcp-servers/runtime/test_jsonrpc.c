/* test_jsonrpc.c - JSON-RPC 2.0 layer: parsing, classification, envelopes. */
#include "cu.h"
#include "protocol/jsonrpc.h"

#include <stdlib.h>
#include <string.h>

static json_t *parse(const char *s)
{
    const char *why = NULL;
    return mcp_jsonrpc_parse(s, strlen(s), &why);
}

/* Classifies s; the parsed message stays alive (m borrows from it) until the next call. */
static mcp_msg_kind_t kind_of(const char *s, mcp_jsonrpc_msg_t *m)
{
    static json_t *last;
    json_decref(last);
    last = parse(s);
    CU_ASSERT_PTR_NOT_NULL_FATAL(last);
    return mcp_jsonrpc_classify(last, m);
}

static void test_parse_errors(void)
{
    const char *why = NULL;
    CU_ASSERT_PTR_NULL(mcp_jsonrpc_parse("{bad", 4, &why));
    CU_ASSERT_PTR_NOT_NULL(why);
    CU_ASSERT_PTR_NULL(mcp_jsonrpc_parse("", 0, &why));
    CU_ASSERT_PTR_NULL(parse("{\"a\":1} trailing"));
    CU_ASSERT_PTR_NULL(parse("{\"a\":1,\"a\":2}"));                      /* duplicate keys */
    CU_ASSERT_PTR_NULL(parse("{\"a\":\"\\u0000\"}"));                    /* NUL in a string */
    CU_ASSERT_PTR_NULL(parse("{\"a\":\"\xff\xfe\"}"));                   /* not UTF-8 */
    CU_ASSERT_PTR_NULL(parse("{\"n\":123456789012345678901234567890}")); /* integer overflow */
    CU_ASSERT_PTR_NULL(parse("{\"n\":1e999}"));                          /* real overflow */
}

static int error_code_of(const char *s, json_t **id)
{
    return mcp_jsonrpc_parse_error(s, strlen(s), id);
}

/* Valid JSON with numbers jansson cannot hold is an Invalid Request, not a parse error; the id is carried only
 * when it is exactly representable. */
static void test_ids_beyond_64_bits(void)
{
    json_t *id = (json_t *)1;
    CU_ASSERT_EQUAL(error_code_of("{\"jsonrpc\":\"2.0\",\"id\":9223372036854775808,\"method\":\"ping\"}", &id),
                    MCP_JSONRPC_INVALID_REQUEST); /* 2^63 */
    CU_ASSERT_PTR_NULL(id);
    CU_ASSERT_EQUAL(
        error_code_of("{\"jsonrpc\":\"2.0\",\"id\":1000000000000000000000000000000,\"method\":\"ping\"}", &id),
        MCP_JSONRPC_INVALID_REQUEST); /* 1e30 written out */
    CU_ASSERT_PTR_NULL(id);
    CU_ASSERT_EQUAL(error_code_of("{\"jsonrpc\":\"2.0\",\"id\":-99999999999999999999,\"method\":\"ping\"}", &id),
                    MCP_JSONRPC_INVALID_REQUEST);
    CU_ASSERT_PTR_NULL(id);
    /* the overflow elsewhere: the id is echoed exactly */
    CU_ASSERT_EQUAL(error_code_of("{\"jsonrpc\":\"2.0\",\"id\":42,\"method\":\"tools/call\",\"params\":{\"n\":1e30,"
                                  "\"m\":123456789012345678901234567890}}",
                                  &id),
                    MCP_JSONRPC_INVALID_REQUEST);
    CU_ASSERT_TRUE(json_is_integer(id) && json_integer_value(id) == 42);
    json_decref(id);
    CU_ASSERT_EQUAL(error_code_of("{\"id\":\"s-1\",\"n\":-123456789012345678901234567890}", &id),
                    MCP_JSONRPC_INVALID_REQUEST);
    CU_ASSERT_STRING_EQUAL(json_string_value(id), "s-1");
    json_decref(id);
    /* not JSON at all, even if a huge integer comes first: still a parse error */
    CU_ASSERT_EQUAL(error_code_of("{\"id\":123456789012345678901234567890,", &id), MCP_JSONRPC_PARSE_ERROR);
    CU_ASSERT_PTR_NULL(id);
    CU_ASSERT_EQUAL(error_code_of("{bad", &id), MCP_JSONRPC_PARSE_ERROR);
    CU_ASSERT_EQUAL(mcp_jsonrpc_parse_error("", 0, &id), MCP_JSONRPC_PARSE_ERROR);
    /* the parse refusal names the cause */
    const char *why = NULL;
    const char *big = "{\"id\":9223372036854775808}";
    CU_ASSERT_PTR_NULL(mcp_jsonrpc_parse(big, strlen(big), &why));
    CU_ASSERT_PTR_NOT_NULL(strstr(why, "64-bit"));
}

static void test_deep_nesting(void)
{
    char buf[4096];
    size_t n = 0;
    for (int i = 0; i < 1000; i++)
        buf[n++] = '[';
    for (int i = 0; i < 1000; i++)
        buf[n++] = ']';
    const char *why = NULL;
    CU_ASSERT_PTR_NULL(mcp_jsonrpc_parse(buf, n, &why));
    CU_ASSERT_STRING_EQUAL(why, "JSON nesting too deep");
    /* brackets inside strings do not count */
    json_t *v = parse("{\"s\":\"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\"}");
    CU_ASSERT_PTR_NOT_NULL(v);
    json_decref(v);
}

static void test_request_ids_echoed(void)
{
    mcp_jsonrpc_msg_t m;
    json_t *v = parse("{\"jsonrpc\":\"2.0\",\"id\":\"abc-1\",\"method\":\"ping\"}");
    CU_ASSERT_EQUAL(mcp_jsonrpc_classify(v, &m), MCP_MSG_REQUEST);
    json_t *r = mcp_jsonrpc_result(m.id, json_object());
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(r, "id")), "abc-1");
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(r, "jsonrpc")), "2.0");
    CU_ASSERT_TRUE(json_is_object(json_object_get(r, "result")));
    json_decref(r);
    json_decref(v);

    v = parse("{\"jsonrpc\":\"2.0\",\"id\":9007199254740993,\"method\":\"ping\"}");
    CU_ASSERT_EQUAL(mcp_jsonrpc_classify(v, &m), MCP_MSG_REQUEST);
    r = mcp_jsonrpc_error(m.id, MCP_JSONRPC_METHOD_NOT_FOUND, NULL, NULL);
    char *text = json_dumps(r, JSON_COMPACT);
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "\"id\":9007199254740993"));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "\"code\":-32601"));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "Method not found"));
    free(text);
    json_decref(r);
    json_decref(v);

    v = parse("{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"x\"}");
    CU_ASSERT_EQUAL(mcp_jsonrpc_classify(v, &m), MCP_MSG_REQUEST);
    CU_ASSERT_EQUAL(json_integer_value(m.id), 0);
    json_decref(v);
}

static void test_invalid_requests(void)
{
    mcp_jsonrpc_msg_t m;
    static const char *const bad[] = {
        "{\"jsonrpc\":\"1.0\",\"id\":1,\"method\":\"ping\"}",
        "{\"id\":1,\"method\":\"ping\"}",
        "{\"jsonrpc\":\"2.0\",\"id\":null,\"method\":\"ping\"}",
        "{\"jsonrpc\":\"2.0\",\"id\":1.5,\"method\":\"ping\"}",
        "{\"jsonrpc\":\"2.0\",\"id\":true,\"method\":\"ping\"}",
        "{\"jsonrpc\":\"2.0\",\"id\":{},\"method\":\"ping\"}",
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":5}",
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"\"}",
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"x\",\"params\":\"str\"}",
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"x\",\"result\":{}}",
        "{\"jsonrpc\":\"2.0\",\"id\":1}",
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{},\"error\":{\"code\":1,\"message\":\"x\"}}",
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"message\":\"x\"}}",
        "[]",
        "[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}]",
        "42",
        "\"str\"",
        "null",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        json_t *v = json_loads(bad[i], JSON_DECODE_ANY, NULL);
        CU_ASSERT_PTR_NOT_NULL_FATAL(v);
        CU_ASSERT_EQUAL(mcp_jsonrpc_classify(v, &m), MCP_MSG_INVALID);
        CU_ASSERT_EQUAL(m.error_code, MCP_JSONRPC_INVALID_REQUEST);
        CU_ASSERT_PTR_NOT_NULL(m.error_message);
        json_decref(v);
    }
    /* the id is still echoed when readable */
    json_t *v = parse("{\"jsonrpc\":\"1.0\",\"id\":\"k\",\"method\":\"ping\"}");
    mcp_jsonrpc_classify(v, &m);
    json_t *e = mcp_jsonrpc_error(m.id, m.error_code, m.error_message, NULL);
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(e, "id")), "k");
    json_decref(e);
    json_decref(v);
    /* an unreadable id answers null */
    v = parse("{\"jsonrpc\":\"2.0\",\"id\":[1],\"method\":\"ping\"}");
    mcp_jsonrpc_classify(v, &m);
    e = mcp_jsonrpc_error(m.id, m.error_code, m.error_message, NULL);
    CU_ASSERT_TRUE(json_is_null(json_object_get(e, "id")));
    CU_ASSERT_EQUAL(json_integer_value(json_object_get(json_object_get(e, "error"), "code")), -32600);
    json_decref(e);
    json_decref(v);
}

static void test_notifications_and_responses(void)
{
    mcp_jsonrpc_msg_t m;
    CU_ASSERT_EQUAL(kind_of("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}", &m),
                    MCP_MSG_NOTIFICATION);
    CU_ASSERT_PTR_NULL(m.id);
    CU_ASSERT_STRING_EQUAL(m.method, "notifications/initialized");
    CU_ASSERT_EQUAL(kind_of("{\"jsonrpc\":\"2.0\",\"method\":\"n\",\"params\":{\"a\":1}}", &m), MCP_MSG_NOTIFICATION);
    CU_ASSERT_TRUE(json_is_object(m.params));
    CU_ASSERT_EQUAL(kind_of("{\"jsonrpc\":\"2.0\",\"id\":3,\"result\":{}}", &m), MCP_MSG_RESPONSE);
    CU_ASSERT_EQUAL(kind_of("{\"jsonrpc\":\"2.0\",\"id\":\"x\",\"error\":{\"code\":-1,\"message\":\"m\"}}", &m),
                    MCP_MSG_RESPONSE);
    CU_ASSERT_EQUAL(kind_of("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"m\",\"params\":[1,2]}", &m), MCP_MSG_REQUEST);
    CU_ASSERT_TRUE(json_is_array(m.params));
}

static void test_error_codes(void)
{
    int codes[] = {-32700, -32600, -32601, -32602, -32603};
    for (size_t i = 0; i < 5; i++) {
        json_t *e = mcp_jsonrpc_error(NULL, codes[i], NULL, json_pack("{s:s}", "k", "v"));
        json_t *err = json_object_get(e, "error");
        CU_ASSERT_EQUAL(json_integer_value(json_object_get(err, "code")), codes[i]);
        CU_ASSERT_TRUE(json_string_length(json_object_get(err, "message")) > 0);
        CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(json_object_get(err, "data"), "k")), "v");
        CU_ASSERT_TRUE(json_is_null(json_object_get(e, "id")));
        json_decref(e);
    }
    /* a non-UTF-8 message never produces invalid JSON */
    json_t *e = mcp_jsonrpc_error(NULL, -32603, "bad \xff", NULL);
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(json_object_get(e, "error"), "message")),
                           "Internal error");
    json_decref(e);
}

void tests_register(void)
{
    CU_SUITE("jsonrpc", NULL, NULL, {"parse errors", test_parse_errors}, {"deep nesting", test_deep_nesting},
             {"ids beyond 64 bits", test_ids_beyond_64_bits}, {"ids echoed", test_request_ids_echoed},
             {"invalid requests", test_invalid_requests},
             {"notifications and responses", test_notifications_and_responses}, {"error codes", test_error_codes});
}
