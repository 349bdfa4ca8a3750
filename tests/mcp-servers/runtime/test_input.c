/* test_input.c - input requests of tools (features/input*.c): the form-schema restrictions, asking and answers,
 * capabilities, the sealed requestState and the table of pending server requests. */
#include "common/status.h"
#include "cu.h"
#include "features/input.h"

#include <stdlib.h>
#include <string.h>

static int schema_ok(const char *text)
{
    char err[200];
    json_t *s = json_loads(text, 0, NULL);
    int rc = mcp__elicit_schema_check(s, err, sizeof(err));
    json_decref(s);
    return rc == 0;
}

static void test_schema_restrictions(void)
{
    CU_ASSERT_TRUE(schema_ok("{\"type\":\"object\",\"properties\":{\"name\":{\"type\":\"string\",\"default\":\"J\","
                             "\"format\":\"email\",\"minLength\":1},\"age\":{\"type\":\"integer\",\"default\":30,"
                             "\"minimum\":0},\"score\":{\"type\":\"number\",\"default\":9.5},\"ok\":{\"type\":"
                             "\"boolean\",\"default\":true}},\"required\":[\"name\"]}"));
    CU_ASSERT_TRUE(
        schema_ok("{\"type\":\"object\",\"properties\":{"
                  "\"a\":{\"type\":\"string\",\"enum\":[\"x\",\"y\"],\"enumNames\":[\"X\",\"Y\"]},"
                  "\"b\":{\"type\":\"string\",\"oneOf\":[{\"const\":\"v\",\"title\":\"V\"}]},"
                  "\"c\":{\"type\":\"array\",\"items\":{\"type\":\"string\",\"enum\":[\"p\"]},\"maxItems\":1},"
                  "\"d\":{\"type\":\"array\",\"items\":{\"anyOf\":[{\"const\":\"v\",\"title\":\"V\"}]},"
                  "\"default\":[\"v\"]}}}"));
    /* nested objects, free arrays, unknown keywords, wrong defaults and formats are refused */
    CU_ASSERT_FALSE(schema_ok("{\"type\":\"object\",\"properties\":{\"o\":{\"type\":\"object\"}}}"));
    CU_ASSERT_FALSE(schema_ok("{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"array\",\"items\":{\"type\":"
                              "\"string\"}}}}"));
    CU_ASSERT_FALSE(schema_ok("{\"type\":\"object\",\"properties\":{\"s\":{\"type\":\"string\",\"pattern\":\"x\"}}}"));
    CU_ASSERT_FALSE(
        schema_ok("{\"type\":\"object\",\"properties\":{\"s\":{\"type\":\"string\",\"format\":\"ipv4\"}}}"));
    CU_ASSERT_FALSE(schema_ok("{\"type\":\"object\",\"properties\":{\"s\":{\"type\":\"string\",\"enum\":[\"a\"],"
                              "\"enumNames\":[\"A\",\"B\"]}}}"));
    CU_ASSERT_FALSE(schema_ok("{\"type\":\"object\",\"properties\":{\"n\":{\"type\":\"integer\",\"default\":1.5}}}"));
    CU_ASSERT_FALSE(schema_ok("{\"type\":\"object\",\"properties\":{\"b\":{\"type\":\"boolean\",\"default\":\"x\"}}}"));
    CU_ASSERT_FALSE(schema_ok("{\"type\":\"object\",\"properties\":{},\"required\":[\"missing\"]}"));
    CU_ASSERT_FALSE(schema_ok("{\"type\":\"array\",\"properties\":{}}"));
    CU_ASSERT_FALSE(schema_ok("{\"type\":\"object\",\"properties\":{},\"additionalProperties\":true}"));
}

static json_t *form(void)
{
    return json_pack("{s:s, s:s, s:{s:s, s:{s:{s:s}}, s:[s]}}", "mode", "form", "message", "Name?", "requestedSchema",
                     "type", "object", "properties", "name", "type", "string", "required", "name");
}

static void test_ask_and_answers(void)
{
    mcp__input_t in;
    char err[200];
    json_t *caps = json_pack("{s:{}, s:{}}", "elicitation", "sampling");
    CU_ASSERT_EQUAL_FATAL(mcp__input_init(&in, caps), CM_OK);
    CU_ASSERT_PTR_NULL(mcp__input_ask(&in, "who", "elicitation/create", form()));
    CU_ASSERT_PTR_NOT_NULL(json_object_get(in.asked, "who"));
    /* roots were not declared: recorded as missing, not asked */
    CU_ASSERT_PTR_NULL(mcp__input_ask(&in, "r", "roots/list", NULL));
    CU_ASSERT_PTR_NOT_NULL(json_object_get(in.missing, "roots"));
    CU_ASSERT_PTR_NULL(json_object_get(in.asked, "r"));
    /* a bad key and an unknown method are server bugs */
    CU_ASSERT_PTR_NULL(mcp__input_ask(&in, "", "roots/list", NULL));
    CU_ASSERT_NOT_EQUAL(in.bad[0], '\0');
    mcp__input_rerun(&in);
    CU_ASSERT_EQUAL(in.bad[0], '\0');
    CU_ASSERT_EQUAL(json_object_size(in.asked), 0);

    /* an answer whose content does not match the schema is asked again; a matching one is returned and used */
    json_t *wrong = json_pack("{s:{s:s, s:{s:i}}}", "who", "action", "accept", "content", "name", 5);
    CU_ASSERT_EQUAL(mcp__input_add_responses(&in, wrong, err, sizeof(err)), CM_OK);
    CU_ASSERT_PTR_NULL(mcp__input_ask(&in, "who", "elicitation/create", form()));
    mcp__input_rerun(&in);
    json_t *right = json_pack("{s:{s:s, s:{s:s}}}", "who", "action", "accept", "content", "name", "Ada");
    CU_ASSERT_EQUAL(mcp__input_add_responses(&in, right, err, sizeof(err)), CM_OK);
    const json_t *a = mcp__input_ask(&in, "who", "elicitation/create", form());
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(mcp_elicit_content(a), "name")), "Ada");
    CU_ASSERT_PTR_NOT_NULL(json_object_get(in.used, "who"));
    /* declined: no content, the action says so */
    json_t *no = json_pack("{s:{s:s}}", "who", "action", "decline");
    mcp__input_add_responses(&in, no, err, sizeof(err));
    a = mcp__input_ask(&in, "who", "elicitation/create", form());
    CU_ASSERT_STRING_EQUAL(mcp_elicit_action(a), "decline");
    CU_ASSERT_PTR_NULL(mcp_elicit_content(a));
    /* answers must be objects */
    json_t *bad = json_pack("{s:i}", "who", 12345);
    CU_ASSERT_EQUAL(mcp__input_add_responses(&in, bad, err, sizeof(err)), CM_EINVAL);
    CU_ASSERT_EQUAL(mcp__input_add_responses(&in, json_null(), err, sizeof(err)), CM_EINVAL);
    json_decref(wrong);
    json_decref(right);
    json_decref(no);
    json_decref(bad);
    json_decref(caps);
    mcp__input_clear(&in);
}

static void test_capabilities(void)
{
    json_t *empty = json_pack("{s:{}}", "elicitation");
    json_t *url_only = json_pack("{s:{s:{}}}", "elicitation", "url");
    json_t *both = json_pack("{s:{s:{}, s:{}}}", "elicitation", "form", "url");
    CU_ASSERT_TRUE(mcp__input_caps_support(empty, MCP_INPUT_ELICIT_FORM));
    CU_ASSERT_FALSE(mcp__input_caps_support(empty, MCP_INPUT_ELICIT_URL));
    CU_ASSERT_FALSE(mcp__input_caps_support(url_only, MCP_INPUT_ELICIT_FORM));
    CU_ASSERT_TRUE(mcp__input_caps_support(url_only, MCP_INPUT_ELICIT_URL));
    CU_ASSERT_TRUE(mcp__input_caps_support(both, MCP_INPUT_ELICIT_FORM));
    CU_ASSERT_FALSE(mcp__input_caps_support(NULL, MCP_INPUT_SAMPLING));
    json_decref(empty);
    json_decref(url_only);
    json_decref(both);
}

/* Seals what in read into a requestState and opens it again for target/instance/args. */
static int reopen(const uint8_t key[32], const char *state, const char *target, const char *instance, json_t *args)
{
    mcp__input_t in;
    char err[200];
    mcp__input_init(&in, NULL);
    json_t *params = json_pack("{s:s}", "requestState", state);
    int rc = mcp__input_from_request(&in, key, params, target, instance, args, err, sizeof(err));
    int ok = rc == 0 && json_object_get(in.responses, "who") != NULL;
    json_decref(params);
    mcp__input_clear(&in);
    return ok;
}

static void test_request_state(void)
{
    uint8_t key[32], other[32];
    memset(key, 7, sizeof(key));
    memset(other, 8, sizeof(other));
    mcp__input_t in;
    char err[200];
    json_t *caps = json_pack("{s:{}}", "elicitation");
    json_t *args = json_pack("{s:s}", "id", "m1"), *args2 = json_pack("{s:s}", "id", "m2");
    mcp__input_init(&in, caps);
    json_t *ans = json_pack("{s:{s:s, s:{s:s}}}", "who", "action", "accept", "content", "name", "Ada");
    mcp__input_add_responses(&in, ans, err, sizeof(err));
    mcp__input_ask(&in, "who", "elicitation/create", form());
    mcp__input_ask(&in, "next", "elicitation/create", form());
    json_t *res = mcp__input_required_result(&in, key, "tool:t", "inst", args, 60, 65536, err, sizeof(err));
    CU_ASSERT_PTR_NOT_NULL_FATAL(res);
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(res, "resultType")), "input_required");
    CU_ASSERT_PTR_NOT_NULL(json_object_get(json_object_get(res, "inputRequests"), "next"));
    const char *st = json_string_value(json_object_get(res, "requestState"));
    CU_ASSERT_TRUE(reopen(key, st, "tool:t", "inst", args));
    CU_ASSERT_FALSE(reopen(other, st, "tool:t", "inst", args)); /* another key */
    CU_ASSERT_FALSE(reopen(key, st, "tool:u", "inst", args));   /* another tool */
    CU_ASSERT_FALSE(reopen(key, st, "tool:t", "inst2", args));  /* another instance */
    CU_ASSERT_FALSE(reopen(key, st, "tool:t", "inst", args2));  /* other arguments */
    char *flipped = strdup(st);
    flipped[strlen(flipped) - 2] = flipped[strlen(flipped) - 2] == 'A' ? 'B' : 'A';
    CU_ASSERT_FALSE(reopen(key, flipped, "tool:t", "inst", args)); /* the MAC altered */
    free(flipped);
    json_decref(res);
    /* expired */
    res = mcp__input_required_result(&in, key, "tool:t", "inst", args, -10, 65536, err, sizeof(err));
    CU_ASSERT_FALSE(reopen(key, json_string_value(json_object_get(res, "requestState")), "tool:t", "inst", args));
    json_decref(res);
    /* beyond the size limit */
    CU_ASSERT_PTR_NULL(mcp__input_required_result(&in, key, "tool:t", "inst", args, 60, 64, err, sizeof(err)));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "limit"));
    json_decref(ans);
    json_decref(args);
    json_decref(args2);
    json_decref(caps);
    mcp__input_clear(&in);
}

static void test_pending(void)
{
    mcp__pending_t *t = mcp__pending_new(2, 3);
    int a, b;
    json_int_t id1, id2, id3, id4;
    char key[MCP_INPUT_KEY_MAX + 1];
    CU_ASSERT_EQUAL(mcp__pending_add(t, "s1", &a, "k1", 100, &id1), CM_OK);
    CU_ASSERT_EQUAL(mcp__pending_add(t, "s1", &a, "k2", 100, &id2), CM_OK);
    CU_ASSERT_EQUAL(mcp__pending_add(t, "s1", &b, "k3", 100, &id3), CM_EUNAVAIL); /* per session */
    CU_ASSERT_EQUAL(mcp__pending_add(t, "s2", &b, "k3", 500, &id3), CM_OK);
    CU_ASSERT_EQUAL(mcp__pending_add(t, "s3", &b, "k4", 500, &id4), CM_EUNAVAIL); /* in total */
    CU_ASSERT_NOT_EQUAL(id1, id2);
    json_t *j1 = json_integer(id1), *j3 = json_integer(id3), *unknown = json_integer(999), *str = json_string("1");
    CU_ASSERT_PTR_NULL(mcp__pending_take(t, "s2", j1, key)); /* another session's request */
    CU_ASSERT_PTR_NULL(mcp__pending_take(t, "s1", unknown, key));
    CU_ASSERT_PTR_NULL(mcp__pending_take(t, "s1", str, key));
    CU_ASSERT_PTR_EQUAL(mcp__pending_take(t, "s1", j1, key), &a);
    CU_ASSERT_STRING_EQUAL(key, "k1");
    CU_ASSERT_PTR_NULL(mcp__pending_take(t, "s1", j1, key)); /* answered once only */
    CU_ASSERT_EQUAL(mcp__pending_count(t, &a), 1);
    CU_ASSERT_PTR_EQUAL(mcp__pending_expired(t, 200), &a); /* past its deadline: all of a's requests go */
    CU_ASSERT_EQUAL(mcp__pending_count(t, &a), 0);
    CU_ASSERT_PTR_NULL(mcp__pending_expired(t, 200));
    mcp__pending_drop(t, &b);
    CU_ASSERT_PTR_NULL(mcp__pending_take(t, "s2", j3, key));
    json_decref(j1);
    json_decref(j3);
    json_decref(unknown);
    json_decref(str);
    mcp__pending_free(t);
}

void tests_register(void)
{
    CU_SUITE("input", NULL, NULL, {"form schema restrictions", test_schema_restrictions},
             {"asking and answers", test_ask_and_answers}, {"capabilities", test_capabilities},
             {"requestState", test_request_state}, {"pending server requests", test_pending});
}
