/* test_prompts.c - the prompt registry: registration rules, pagination, argument checks, builders, completion. */
#include "common/status.h"
#include "cu.h"
#include "features/completion.h"
#include "features/prompts.h"
#include "features/resources.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int greet(mcp_prompt_result_t *out, json_t *args, void *data)
{
    char text[300];
    const char *who = json_string_value(json_object_get(args, "who"));
    const char *tone = json_string_value(json_object_get(args, "tone"));
    if (tone != NULL && strcmp(tone, "rude") == 0) {
        mcp_prompt_fail(out, "tone %s is not allowed", tone);
        return CM_EINVAL;
    }
    snprintf(text, sizeof(text), "Hello %s%s%s", who, tone ? " in a " : "", tone ? tone : "");
    mcp_prompt_set_description(out, "a greeting");
    return mcp_prompt_add_text(out, "user", text);
}

static int mixed(mcp_prompt_result_t *out, json_t *args, void *data)
{
    static const unsigned char bytes[] = {0, 1, 2, 255};
    mcp_prompt_add_image(out, "user", "image/png", "iVBORw0KGgo=");
    mcp_prompt_add_resource_text(out, "assistant", "test://a", "text/plain", "A");
    mcp_prompt_add_resource_blob(out, "user", "test://b", NULL, bytes, sizeof(bytes));
    return mcp_prompt_add_content(
        out, "user", json_pack("{s:s, s:s, s:s}", "type", "resource_link", "uri", "test://c", "name", "c"));
}

static int bad_role(mcp_prompt_result_t *out, json_t *args, void *data)
{
    mcp_prompt_add_text(out, "system", "roles are user or assistant only");
    return CM_OK;
}

static int broken(mcp_prompt_result_t *out, json_t *args, void *data)
{
    mcp_prompt_fail(out, "backend unavailable");
    return CM_EIO;
}

static const char *const tones[] = {"Friendly", "formal", "funny", "warm", NULL};

static int who_fn(const char *name, const char *value, json_t *context, json_t *values, void *data)
{
    /* the context (other arguments) steers the candidates */
    const char *tone = json_string_value(json_object_get(context, "tone"));
    json_array_append_new(values, json_string(tone && strcmp(tone, "formal") == 0 ? "Sir" : "friend"));
    json_array_append_new(values, json_string("family"));
    return *(int *)data;
}

static int fn_rc = CM_OK;

static const mcp_prompt_arg_t greet_args[] = {
    {.name = "who", .description = "whom to greet", .required = 1, .complete = {.fn = who_fn, .data = &fn_rc}},
    {.name = "tone", .complete = {.values = tones}},
};

static mcp_prompts_t *new_registry(void)
{
    char err[256];
    mcp_prompts_t *r = mcp_prompts_new(2);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    mcp_prompt_def_t g = {
        .name = "greet", .title = "Greet", .description = "Greets", .args = greet_args, .nargs = 2, .fn = greet};
    mcp_prompt_def_t m = {.name = "mixed", .fn = mixed};
    mcp_prompt_def_t b = {.name = "bad_role", .fn = bad_role};
    mcp_prompt_def_t x = {.name = "broken", .fn = broken};
    CU_ASSERT_EQUAL(mcp_prompts_add(r, &g, err, sizeof(err)), CM_OK);
    CU_ASSERT_EQUAL(mcp_prompts_add(r, &m, err, sizeof(err)), CM_OK);
    CU_ASSERT_EQUAL(mcp_prompts_add(r, &b, err, sizeof(err)), CM_OK);
    CU_ASSERT_EQUAL(mcp_prompts_add(r, &x, err, sizeof(err)), CM_OK);
    return r;
}

static void test_registration(void)
{
    char err[256];
    mcp_prompts_t *r = new_registry();
    mcp_prompt_def_t dup = {.name = "greet", .fn = greet};
    CU_ASSERT_EQUAL(mcp_prompts_add(r, &dup, err, sizeof(err)), CM_ECONFLICT);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "twice"));
    mcp_prompt_def_t noname = {.name = "", .fn = greet}, nofn = {.name = "x"}, badname = {.name = "a b", .fn = greet};
    CU_ASSERT_EQUAL(mcp_prompts_add(r, &noname, err, sizeof(err)), CM_EINVAL);
    CU_ASSERT_EQUAL(mcp_prompts_add(r, &nofn, err, sizeof(err)), CM_EINVAL);
    CU_ASSERT_EQUAL(mcp_prompts_add(r, &badname, err, sizeof(err)), CM_EINVAL);
    const mcp_prompt_arg_t twice[] = {{.name = "a"}, {.name = "a"}};
    mcp_prompt_def_t dupargs = {.name = "y", .args = twice, .nargs = 2, .fn = greet};
    CU_ASSERT_EQUAL(mcp_prompts_add(r, &dupargs, err, sizeof(err)), CM_EINVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "declared twice"));
    const mcp_prompt_arg_t unnamed[] = {{.name = NULL}};
    mcp_prompt_def_t noargname = {.name = "z", .args = unnamed, .nargs = 1, .fn = greet};
    CU_ASSERT_EQUAL(mcp_prompts_add(r, &noargname, err, sizeof(err)), CM_EINVAL);
    mcp_prompt_def_t missing_args = {.name = "w", .args = NULL, .nargs = 3, .fn = greet};
    CU_ASSERT_EQUAL(mcp_prompts_add(r, &missing_args, err, sizeof(err)), CM_EINVAL);
    const char *const bad_utf8[] = {"ok", "\xff\xfe", NULL};
    const mcp_prompt_arg_t bad_values[] = {{.name = "a", .complete = {.values = bad_utf8}}};
    mcp_prompt_def_t badcomp = {.name = "v", .args = bad_values, .nargs = 1, .fn = greet};
    CU_ASSERT_EQUAL(mcp_prompts_add(r, &badcomp, err, sizeof(err)), CM_EINVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "UTF-8"));
    CU_ASSERT_EQUAL(mcp_prompts_count(r), 4); /* nothing half-registered */
    CU_ASSERT_PTR_NULL(mcp_prompts_find(r, "y"));
    mcp_prompts_free(r);
}

static void test_list_pages(void)
{
    mcp_prompts_t *r = new_registry();
    json_t *page = NULL;
    CU_ASSERT_EQUAL_FATAL(mcp_prompts_list(r, NULL, &page), CM_OK);
    json_t *items = json_object_get(page, "prompts");
    CU_ASSERT_EQUAL(json_array_size(items), 2);
    json_t *g = json_array_get(items, 0);
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(g, "name")), "greet");
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(g, "title")), "Greet");
    json_t *args = json_object_get(g, "arguments");
    CU_ASSERT_EQUAL(json_array_size(args), 2);
    CU_ASSERT_TRUE(json_is_true(json_object_get(json_array_get(args, 0), "required")));
    CU_ASSERT_PTR_NULL(json_object_get(json_array_get(args, 1), "required"));
    CU_ASSERT_PTR_NULL(json_object_get(json_array_get(items, 1), "arguments"));
    char cursor[16];
    snprintf(cursor, sizeof(cursor), "%s", json_string_value(json_object_get(page, "nextCursor")));
    json_decref(page);
    CU_ASSERT_EQUAL_FATAL(mcp_prompts_list(r, cursor, &page), CM_OK);
    CU_ASSERT_EQUAL(json_array_size(json_object_get(page, "prompts")), 2);
    CU_ASSERT_PTR_NULL(json_object_get(page, "nextCursor"));
    json_decref(page);
    const char *bad[] = {"", "p", "p0", "p2", "p01", "x1", "p99999999999", "p-1"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        CU_ASSERT_EQUAL(mcp_prompts_list(r, bad[i], &page), CM_EINVAL);
    mcp_prompts_free(r);
}

static int get(mcp_prompts_t *r, const char *name, const char *args_text, json_t **result, char *msg)
{
    json_t *args = args_text ? json_loads(args_text, JSON_DECODE_ANY, NULL) : NULL;
    int code = mcp_prompts_get(r, name, args, result, msg, 256);
    json_decref(args);
    return code;
}

static void test_get(void)
{
    mcp_prompts_t *r = new_registry();
    json_t *res = NULL;
    char msg[256];
    CU_ASSERT_EQUAL_FATAL(get(r, "greet", "{\"who\":\"Ann\",\"tone\":\"warm\"}", &res, msg), 0);
    json_t *m = json_array_get(json_object_get(res, "messages"), 0);
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(m, "role")), "user");
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(json_object_get(m, "content"), "text")),
                           "Hello Ann in a warm");
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(res, "description")), "a greeting");
    json_decref(res);

    CU_ASSERT_EQUAL_FATAL(get(r, "mixed", NULL, &res, msg), 0);
    json_t *msgs = json_object_get(res, "messages");
    CU_ASSERT_EQUAL(json_array_size(msgs), 4);
    json_t *img = json_object_get(json_array_get(msgs, 0), "content");
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(img, "type")), "image");
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(img, "mimeType")), "image/png");
    json_t *emb = json_object_get(json_array_get(msgs, 1), "content");
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(emb, "type")), "resource");
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(json_object_get(emb, "resource"), "text")), "A");
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(json_array_get(msgs, 1), "role")), "assistant");
    json_t *blob = json_object_get(json_object_get(json_array_get(msgs, 2), "content"), "resource");
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(blob, "blob")), "AAEC/w==");
    CU_ASSERT_PTR_NULL(json_object_get(blob, "mimeType"));
    json_decref(res);

    CU_ASSERT_EQUAL(get(r, "nope", NULL, &res, msg), -32602);
    CU_ASSERT_STRING_EQUAL(msg, "Unknown prompt: nope");
    CU_ASSERT_PTR_NULL(res);
    CU_ASSERT_EQUAL(get(r, NULL, NULL, &res, msg), -32602);
    CU_ASSERT_EQUAL(get(r, "greet", NULL, &res, msg), -32602);
    CU_ASSERT_PTR_NOT_NULL(strstr(msg, "Missing required argument 'who'"));
    CU_ASSERT_EQUAL(get(r, "greet", "{\"who\":\"a\",\"extra\":\"x\"}", &res, msg), -32602);
    CU_ASSERT_PTR_NOT_NULL(strstr(msg, "Unknown argument 'extra'"));
    CU_ASSERT_EQUAL(get(r, "greet", "{\"who\":5}", &res, msg), -32602);
    CU_ASSERT_PTR_NOT_NULL(strstr(msg, "must be a string"));
    CU_ASSERT_EQUAL(get(r, "greet", "[\"who\"]", &res, msg), -32602);
    CU_ASSERT_EQUAL(get(r, "greet", "\"who\"", &res, msg), -32602);
    CU_ASSERT_EQUAL(get(r, "greet", "{\"who\":\"a\",\"tone\":\"rude\"}", &res, msg), -32602);
    CU_ASSERT_STRING_EQUAL(msg, "tone rude is not allowed");
    CU_ASSERT_EQUAL(get(r, "bad_role", NULL, &res, msg), -32603);
    CU_ASSERT_EQUAL(get(r, "broken", "{}", &res, msg), -32603);
    CU_ASSERT_STRING_EQUAL(msg, "backend unavailable");
    CU_ASSERT_PTR_NULL(res);
    /* null arguments are the same as none */
    CU_ASSERT_EQUAL(get(r, "mixed", "null", &res, msg), 0);
    json_decref(res);
    /* a hostile, long name is cut in the message, not echoed whole */
    char longname[5000];
    memset(longname, 'a', sizeof(longname) - 1);
    longname[sizeof(longname) - 1] = '\0';
    CU_ASSERT_EQUAL(get(r, longname, NULL, &res, msg), -32602);
    CU_ASSERT_TRUE(strlen(msg) < 200);
    mcp_prompts_free(r);
}

static int complete(mcp_prompts_t *r, const char *params_text, json_t **result, char *msg)
{
    json_t *params = json_loads(params_text, 0, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(params);
    int code = mcp_completion_complete(r, NULL, params, result, msg, 256);
    json_decref(params);
    return code;
}

static void test_completion(void)
{
    mcp_prompts_t *r = new_registry();
    json_t *res = NULL;
    char msg[256];
    CU_ASSERT_TRUE(mcp_completions_available(r, NULL));
    CU_ASSERT_EQUAL_FATAL(complete(r,
                                   "{\"ref\":{\"type\":\"ref/prompt\",\"name\":\"greet\"},"
                                   "\"argument\":{\"name\":\"tone\",\"value\":\"f\"}}",
                                   &res, msg),
                          0);
    json_t *c = json_object_get(res, "completion");
    CU_ASSERT_EQUAL(json_array_size(json_object_get(c, "values")), 3); /* Friendly (case-insensitive), formal, funny */
    CU_ASSERT_STRING_EQUAL(json_string_value(json_array_get(json_object_get(c, "values"), 0)), "Friendly");
    CU_ASSERT_EQUAL(json_integer_value(json_object_get(c, "total")), 3);
    CU_ASSERT_TRUE(json_is_false(json_object_get(c, "hasMore")));
    json_decref(res);
    /* a function source sees the context */
    CU_ASSERT_EQUAL_FATAL(complete(r,
                                   "{\"ref\":{\"type\":\"ref/prompt\",\"name\":\"greet\"},\"argument\":{\"name\":"
                                   "\"who\",\"value\":\"\"},\"context\":{\"arguments\":{\"tone\":\"formal\"}}}",
                                   &res, msg),
                          0);
    json_t *values = json_object_get(json_object_get(res, "completion"), "values");
    CU_ASSERT_EQUAL(json_array_size(values), 2);
    CU_ASSERT_STRING_EQUAL(json_string_value(json_array_get(values, 0)), "Sir");
    json_decref(res);
    fn_rc = CM_EIO;
    CU_ASSERT_EQUAL(complete(r,
                             "{\"ref\":{\"type\":\"ref/prompt\",\"name\":\"greet\"},\"argument\":{\"name\":"
                             "\"who\",\"value\":\"\"}}",
                             &res, msg),
                    -32603);
    fn_rc = CM_OK;
    /* an argument without a source completes to nothing */
    CU_ASSERT_EQUAL(mcp_prompts_count(r), 4);
    char err[256];
    const mcp_prompt_arg_t plain[] = {{.name = "p"}};
    mcp_prompt_def_t d = {.name = "plain", .args = plain, .nargs = 1, .fn = greet};
    CU_ASSERT_EQUAL_FATAL(mcp_prompts_add(r, &d, err, sizeof(err)), CM_OK);
    CU_ASSERT_EQUAL_FATAL(complete(r,
                                   "{\"ref\":{\"type\":\"ref/prompt\",\"name\":\"plain\"},"
                                   "\"argument\":{\"name\":\"p\",\"value\":\"x\"}}",
                                   &res, msg),
                          0);
    CU_ASSERT_EQUAL(json_array_size(json_object_get(json_object_get(res, "completion"), "values")), 0);
    json_decref(res);
    /* unknown and hostile input */
    const char *bad[] = {
        "{}",
        "{\"ref\":{\"type\":\"ref/prompt\",\"name\":\"nope\"},\"argument\":{\"name\":\"a\",\"value\":\"\"}}",
        "{\"ref\":{\"type\":\"ref/prompt\",\"name\":\"greet\"},\"argument\":{\"name\":\"nope\",\"value\":\"\"}}",
        "{\"ref\":{\"type\":\"ref/other\",\"name\":\"greet\"},\"argument\":{\"name\":\"who\",\"value\":\"\"}}",
        "{\"ref\":{\"type\":\"ref/prompt\"},\"argument\":{\"name\":\"who\",\"value\":\"\"}}",
        "{\"ref\":{\"type\":\"ref/prompt\",\"name\":\"greet\"},\"argument\":{\"name\":\"who\",\"value\":7}}",
        "{\"ref\":{\"type\":\"ref/prompt\",\"name\":\"greet\"},\"argument\":\"who\"}",
        "{\"ref\":\"greet\",\"argument\":{\"name\":\"who\",\"value\":\"\"}}",
        "{\"ref\":{\"type\":\"ref/prompt\",\"name\":\"greet\"},\"argument\":{\"name\":\"who\",\"value\":\"\"},"
        "\"context\":{\"arguments\":[1]}}",
        "{\"ref\":{\"type\":\"ref/resource\",\"uri\":\"x://{a}\"},\"argument\":{\"name\":\"a\",\"value\":\"\"}}",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        CU_ASSERT_EQUAL(complete(r, bad[i], &res, msg), -32602);
        CU_ASSERT_PTR_NULL(res);
    }
    char big[3000];
    int n = snprintf(big, sizeof(big),
                     "{\"ref\":{\"type\":\"ref/prompt\",\"name\":\"greet\"},\"argument\":{\"name\":"
                     "\"tone\",\"value\":\"");
    memset(big + n, 'f', 2000);
    snprintf(big + n + 2000, sizeof(big) - (size_t)n - 2000, "\"}}");
    CU_ASSERT_EQUAL(complete(r, big, &res, msg), -32602);
    CU_ASSERT_EQUAL(mcp_completion_complete(r, NULL, NULL, &res, msg, sizeof(msg)), -32602);
    mcp_prompts_free(r);
}

static void test_completion_limits(void)
{
    /* 150 candidates: 100 values, total 150, hasMore */
    static char names[150][8];
    static const char *vals[151];
    for (int i = 0; i < 150; i++) {
        snprintf(names[i], sizeof(names[i]), "v%03d", i);
        vals[i] = names[i];
    }
    vals[150] = NULL;
    char err[256], msg[256];
    mcp_prompts_t *r = mcp_prompts_new(0);
    const mcp_prompt_arg_t a[] = {{.name = "n", .complete = {.values = vals}}};
    mcp_prompt_def_t d = {.name = "many", .args = a, .nargs = 1, .fn = greet};
    CU_ASSERT_FALSE(mcp_completions_available(r, NULL));
    CU_ASSERT_EQUAL_FATAL(mcp_prompts_add(r, &d, err, sizeof(err)), CM_OK);
    json_t *res = NULL;
    CU_ASSERT_EQUAL_FATAL(
        complete(r,
                 "{\"ref\":{\"type\":\"ref/prompt\",\"name\":\"many\"},\"argument\":{\"name\":\"n\",\"value\":\"V\"}}",
                 &res, msg),
        0);
    json_t *c = json_object_get(res, "completion");
    CU_ASSERT_EQUAL(json_array_size(json_object_get(c, "values")), MCP_COMPLETION_MAX_VALUES);
    CU_ASSERT_EQUAL(json_integer_value(json_object_get(c, "total")), 150);
    CU_ASSERT_TRUE(json_is_true(json_object_get(c, "hasMore")));
    json_decref(res);
    mcp_prompts_free(r);
}

void tests_register(void)
{
    CU_SUITE("prompts", NULL, NULL, {"registration rules", test_registration}, {"list pagination", test_list_pages},
             {"prompts/get: arguments, builders, errors", test_get}, {"completion", test_completion},
             {"completion limits", test_completion_limits});
}
