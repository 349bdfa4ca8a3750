/* test_resources.c - resource registry, level-1 URI templates, reads, completion of template variables. */
#include "common/status.h"
#include "cu.h"
#include "features/completion.h"
#include "features/resources.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int item_read(mcp_resource_contents_t *out, const char *uri, json_t *vars, void *data)
{
    const char *id = json_string_value(json_object_get(vars, "id"));
    if (strcmp(id, "missing") == 0)
        return CM_ENOTFOUND;
    if (strcmp(id, "bad") == 0) {
        mcp_resource_fail(out, "id %s is not acceptable", id);
        return CM_EINVAL;
    }
    if (strcmp(id, "empty") == 0)
        return CM_OK; /* no contents: reported as not found */
    if (strcmp(id, "boom") == 0)
        return CM_EIO;
    char text[300];
    snprintf(text, sizeof(text), "item %s", id);
    return mcp_resource_add_text(out, NULL, NULL, text);
}

static int dynamic_read(mcp_resource_contents_t *out, const char *uri, json_t *vars, void *data)
{
    static const unsigned char b[] = {0xde, 0xad, 0xbe, 0xef};
    CU_ASSERT_PTR_NULL(vars);
    mcp_resource_add_text(out, NULL, "text/markdown", "# one");
    return mcp_resource_add_blob(out, "test://dynamic#2", NULL, b, sizeof(b));
}

static const char *const ids[] = {"123", "124", "200", NULL};

static mcp_resources_t *new_registry(void)
{
    char err[256];
    mcp_resources_t *r = mcp_resources_new(2);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    static const unsigned char png[] = {0x89, 'P', 'N', 'G'};
    mcp_resource_def_t text = {.uri = "test://static-text", .name = "t", .mime_type = "text/plain", .text = "hello"};
    mcp_resource_def_t bin = {.uri = "test://bin", .name = "b", .mime_type = "image/png", .blob = png, .blob_len = 4};
    mcp_resource_def_t dyn = {.uri = "test://dynamic", .name = "d", .mime_type = "text/plain", .fn = dynamic_read};
    const mcp_resource_var_t vars[] = {{.name = "id", .complete = {.values = ids}}};
    mcp_resource_template_def_t items = {.uri_template = "test://items/{id}/data",
                                         .name = "items",
                                         .mime_type = "application/json",
                                         .vars = vars,
                                         .nvars = 1,
                                         .fn = item_read};
    mcp_resource_template_def_t files = {.uri_template = "file:///{dir}/{name}.txt", .name = "files", .fn = item_read};
    CU_ASSERT_EQUAL(mcp_resources_add(r, &text, err, sizeof(err)), CM_OK);
    CU_ASSERT_EQUAL(mcp_resources_add(r, &bin, err, sizeof(err)), CM_OK);
    CU_ASSERT_EQUAL(mcp_resources_add(r, &dyn, err, sizeof(err)), CM_OK);
    CU_ASSERT_EQUAL(mcp_resources_add_template(r, &items, err, sizeof(err)), CM_OK);
    CU_ASSERT_EQUAL(mcp_resources_add_template(r, &files, err, sizeof(err)), CM_OK);
    return r;
}

static void test_registration(void)
{
    char err[256];
    mcp_resources_t *r = new_registry();
    mcp_resource_def_t dup = {.uri = "test://bin", .name = "x", .text = "a"};
    CU_ASSERT_EQUAL(mcp_resources_add(r, &dup, err, sizeof(err)), CM_ECONFLICT);
    const mcp_resource_def_t bad[] = {
        {.uri = "no-scheme", .name = "x", .text = "a"},
        {.uri = "test://a b", .name = "x", .text = "a"},
        {.uri = "1x://a", .name = "x", .text = "a"},
        {.uri = "test:", .name = "x", .text = "a"},
        {.uri = "test://\x01", .name = "x", .text = "a"},
        {.uri = "test://n", .text = "a"},
        {.uri = "test://n", .name = "", .text = "a"},
        {.uri = "test://n", .name = "x"},
        {.uri = "test://n", .name = "x", .text = "a", .fn = dynamic_read},
        {.uri = "test://n", .name = "x", .text = "\xff"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        CU_ASSERT_EQUAL(mcp_resources_add(r, &bad[i], err, sizeof(err)), CM_EINVAL);
    char huge[MCP_URI_MAX + 10];
    memset(huge, 'a', sizeof(huge) - 1);
    memcpy(huge, "test://", 7);
    huge[sizeof(huge) - 1] = '\0';
    mcp_resource_def_t toolong = {.uri = huge, .name = "x", .text = "a"};
    CU_ASSERT_EQUAL(mcp_resources_add(r, &toolong, err, sizeof(err)), CM_EINVAL);

    const char *bad_templates[] = {"test://{+path}", "test://{a}{b}", "test://{a}/{a}", "test://{a",
                                   "test://{}",      "test://{a,b}",  "test://a b/{x}", ""};
    for (size_t i = 0; i < sizeof(bad_templates) / sizeof(bad_templates[0]); i++) {
        mcp_resource_template_def_t t = {.uri_template = bad_templates[i], .name = "x", .fn = item_read};
        CU_ASSERT_EQUAL(mcp_resources_add_template(r, &t, err, sizeof(err)), CM_EINVAL);
    }
    mcp_resource_template_def_t nofn = {.uri_template = "test://q/{x}", .name = "x"};
    CU_ASSERT_EQUAL(mcp_resources_add_template(r, &nofn, err, sizeof(err)), CM_EINVAL);
    mcp_resource_template_def_t twice = {.uri_template = "test://items/{id}/data", .name = "x", .fn = item_read};
    CU_ASSERT_EQUAL(mcp_resources_add_template(r, &twice, err, sizeof(err)), CM_ECONFLICT);
    const mcp_resource_var_t stray[] = {{.name = "nope", .complete = {.values = ids}}};
    mcp_resource_template_def_t strayvar = {
        .uri_template = "test://s/{x}", .name = "x", .vars = stray, .nvars = 1, .fn = item_read};
    CU_ASSERT_EQUAL(mcp_resources_add_template(r, &strayvar, err, sizeof(err)), CM_EINVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "not a variable"));
    CU_ASSERT_EQUAL(mcp_resources_count(r), 3);
    CU_ASSERT_EQUAL(mcp_resources_template_count(r), 2);
    mcp_resources_free(r);
}

static void test_lists(void)
{
    mcp_resources_t *r = new_registry();
    json_t *page = NULL;
    CU_ASSERT_EQUAL_FATAL(mcp_resources_list(r, NULL, &page), CM_OK);
    json_t *items = json_object_get(page, "resources");
    CU_ASSERT_EQUAL(json_array_size(items), 2);
    json_t *first = json_array_get(items, 0);
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(first, "uri")), "test://static-text");
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(first, "mimeType")), "text/plain");
    CU_ASSERT_EQUAL(json_integer_value(json_object_get(first, "size")), 5);
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(page, "nextCursor")), "p1");
    json_decref(page);
    CU_ASSERT_EQUAL_FATAL(mcp_resources_list(r, "p1", &page), CM_OK);
    CU_ASSERT_EQUAL(json_array_size(json_object_get(page, "resources")), 1);
    CU_ASSERT_PTR_NULL(json_object_get(json_array_get(json_object_get(page, "resources"), 0), "size"));
    json_decref(page);
    CU_ASSERT_EQUAL(mcp_resources_list(r, "p2", &page), CM_EINVAL);
    CU_ASSERT_EQUAL_FATAL(mcp_resources_templates_list(r, NULL, &page), CM_OK);
    json_t *t = json_object_get(page, "resourceTemplates");
    CU_ASSERT_EQUAL(json_array_size(t), 2);
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(json_array_get(t, 0), "uriTemplate")),
                           "test://items/{id}/data");
    CU_ASSERT_PTR_NULL(json_object_get(page, "nextCursor"));
    json_decref(page);
    CU_ASSERT_EQUAL(mcp_resources_templates_list(r, "p1", &page), CM_EINVAL);
    mcp_resources_free(r);
}

static void expect_match(const char *tmpl, const char *uri, const char *var, const char *value)
{
    json_t *vars = NULL;
    CU_ASSERT_EQUAL_FATAL(mcp_uri_template_match(tmpl, uri, &vars), 1);
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(vars, var)), value);
    json_decref(vars);
}

static void test_templates(void)
{
    expect_match("test://template/{id}/data", "test://template/123/data", "id", "123");
    expect_match("test://t/{id}", "test://t/a%2Fb", "id", "a/b"); /* decoded after matching */
    expect_match("file:///{dir}/{name}.txt", "file:///docs/re.port.txt", "name", "re.port");
    expect_match("file:///{dir}/{name}.txt", "file:///docs/re.port.txt", "dir", "docs");
    expect_match("x:{a}", "x:~._-", "a", "~._-");
    const char *no[][2] = {
        {"test://template/{id}/data", "test://template//data"},    /* empty value */
        {"test://template/{id}/data", "test://template/1/2/data"}, /* '/' is not in a level-1 value */
        {"test://template/{id}/data", "test://template/1/datax"},
        {"test://template/{id}/data", "test://template/1"},
        {"test://t/{id}", "test://t/a?b"},
        {"test://t/{id}", "test://t/%zz"},
        {"test://t/{id}", "test://t/%00"}, /* NUL never reaches a handler */
        {"test://t/{id}", "test://t/%ff"}, /* invalid UTF-8 */
        {"test://t/{id}", "TEST://t/1"},
        {"test://t/{id}", ""},
    };
    for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
        CU_ASSERT_EQUAL(mcp_uri_template_match(no[i][0], no[i][1], NULL), 0);
    CU_ASSERT_EQUAL(mcp_uri_template_match("test://{+x}", "test://a", NULL), -1);
    CU_ASSERT_EQUAL(mcp_uri_template_match("test://{x}", NULL, NULL), 0);
    /* a long hostile URI: linear, no match */
    char *uri = malloc(MCP_URI_MAX + 1);
    memcpy(uri, "x:", 2);
    memset(uri + 2, 'a', MCP_URI_MAX - 2);
    uri[MCP_URI_MAX] = '\0';
    CU_ASSERT_EQUAL(mcp_uri_template_match("x:{a}aaaaaaaaaaaaaaaab{b}", uri, NULL), 0);
    CU_ASSERT_EQUAL(mcp_uri_template_match("x:{a}", uri, NULL), 1);
    free(uri);
    json_t *names = NULL;
    char err[128];
    CU_ASSERT_EQUAL_FATAL(mcp_uri_template_parse("a://{x}/{y}", &names, err, sizeof(err)), CM_OK);
    CU_ASSERT_EQUAL(json_array_size(names), 2);
    json_decref(names);
}

static int read_code(mcp_resources_t *r, const char *uri, json_t **res, char *msg)
{
    return mcp_resources_read(r, uri, res, msg, 256);
}

static void test_read(void)
{
    mcp_resources_t *r = new_registry();
    json_t *res = NULL;
    char msg[256];
    CU_ASSERT_EQUAL_FATAL(read_code(r, "test://static-text", &res, msg), MCP_READ_OK);
    json_t *c = json_array_get(json_object_get(res, "contents"), 0);
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(c, "uri")), "test://static-text");
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(c, "text")), "hello");
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(c, "mimeType")), "text/plain");
    json_decref(res);
    CU_ASSERT_EQUAL_FATAL(read_code(r, "test://bin", &res, msg), MCP_READ_OK);
    c = json_array_get(json_object_get(res, "contents"), 0);
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(c, "blob")), "iVBORw==");
    CU_ASSERT_PTR_NULL(json_object_get(c, "text"));
    json_decref(res);
    CU_ASSERT_EQUAL_FATAL(read_code(r, "test://dynamic", &res, msg), MCP_READ_OK);
    json_t *arr = json_object_get(res, "contents");
    CU_ASSERT_EQUAL(json_array_size(arr), 2);
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(json_array_get(arr, 0), "mimeType")), "text/markdown");
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(json_array_get(arr, 1), "mimeType")), "text/plain");
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(json_array_get(arr, 1), "uri")), "test://dynamic#2");
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(json_array_get(arr, 1), "blob")), "3q2+7w==");
    json_decref(res);
    CU_ASSERT_EQUAL_FATAL(read_code(r, "test://items/42/data", &res, msg), MCP_READ_OK);
    c = json_array_get(json_object_get(res, "contents"), 0);
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(c, "text")), "item 42");
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(c, "uri")), "test://items/42/data");
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(c, "mimeType")), "application/json");
    json_decref(res);

    CU_ASSERT_EQUAL(read_code(r, "test://nope", &res, msg), MCP_READ_NOT_FOUND);
    CU_ASSERT_EQUAL(read_code(r, "test://items/missing/data", &res, msg), MCP_READ_NOT_FOUND);
    CU_ASSERT_EQUAL(read_code(r, "test://items/empty/data", &res, msg), MCP_READ_NOT_FOUND);
    CU_ASSERT_EQUAL(read_code(r, "test://items/bad/data", &res, msg), MCP_READ_INVALID);
    CU_ASSERT_STRING_EQUAL(msg, "id bad is not acceptable");
    CU_ASSERT_EQUAL(read_code(r, "test://items/boom/data", &res, msg), MCP_READ_FAILED);
    CU_ASSERT_EQUAL(read_code(r, NULL, &res, msg), MCP_READ_NOT_FOUND);
    CU_ASSERT_PTR_NULL(res);
    CU_ASSERT_TRUE(mcp_resources_exists(r, "test://items/9/data"));
    CU_ASSERT_TRUE(mcp_resources_exists(r, "test://bin"));
    CU_ASSERT_FALSE(mcp_resources_exists(r, "test://items/9/data/"));
    mcp_resources_free(r);
}

static void test_template_completion(void)
{
    mcp_resources_t *r = new_registry();
    json_t *res = NULL;
    char msg[256];
    CU_ASSERT_TRUE(mcp_completions_available(NULL, r));
    json_t *p = json_pack("{s:{s:s, s:s}, s:{s:s, s:s}}", "ref", "type", "ref/resource", "uri",
                          "test://items/{id}/data", "argument", "name", "id", "value", "12");
    CU_ASSERT_EQUAL_FATAL(mcp_completion_complete(NULL, r, p, &res, msg, sizeof(msg)), 0);
    json_t *values = json_object_get(json_object_get(res, "completion"), "values");
    CU_ASSERT_EQUAL(json_array_size(values), 2);
    json_decref(res);
    json_decref(p);
    p = json_pack("{s:{s:s, s:s}, s:{s:s, s:s}}", "ref", "type", "ref/resource", "uri", "test://items/{id}/data",
                  "argument", "name", "other", "value", "");
    CU_ASSERT_EQUAL(mcp_completion_complete(NULL, r, p, &res, msg, sizeof(msg)), -32602);
    json_decref(p);
    p = json_pack("{s:{s:s, s:s}, s:{s:s, s:s}}", "ref", "type", "ref/resource", "uri", "test://items/1/data",
                  "argument", "name", "id", "value", "");
    CU_ASSERT_EQUAL(mcp_completion_complete(NULL, r, p, &res, msg, sizeof(msg)), -32602);
    CU_ASSERT_PTR_NOT_NULL(strstr(msg, "Unknown resource template"));
    json_decref(p);
    mcp_resources_free(r);
}

void tests_register(void)
{
    CU_SUITE("resources", NULL, NULL, {"registration rules", test_registration}, {"lists and pages", test_lists},
             {"level-1 URI templates", test_templates}, {"reads", test_read},
             {"template variable completion", test_template_completion});
}
