/*
 * test_json_util.c - common/json_util.h: guarded loading, typed getters, compact dumps.
 */
#include "cu.h"

#include "common/json_util.h"

#include <stdlib.h>
#include <string.h>

/* "[[[...1...]]]" with `depth` arrays, or objects {"a":{"a":...}} when obj. malloc'ed. */
static char *nested(int depth, int obj)
{
    size_t cap = (size_t)depth * 6 + 8;
    char *s = malloc(cap);
    CU_ASSERT_FATAL(s != NULL);
    size_t o = 0;
    for (int i = 0; i < depth; i++) {
        if (obj) {
            memcpy(s + o, "{\"a\":", 5);
            o += 5;
        } else {
            s[o++] = '[';
        }
    }
    s[o++] = '1';
    for (int i = 0; i < depth; i++)
        s[o++] = obj ? '}' : ']';
    s[o] = '\0';
    return s;
}

static void test_load_basic(void)
{
    json_error_t err;
    const char *doc = "{\"a\":1,\"b\":\"x\",\"c\":[true,null]}";
    json_t *v = cm_json_loadb(doc, strlen(doc), &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(v);
    CU_ASSERT_TRUE(json_is_object(v));
    json_decref(v);
    /* non-object top levels are fine */
    v = cm_json_loadb("[1,2]", 5, &err);
    CU_ASSERT_TRUE(json_is_array(v));
    json_decref(v);
    v = cm_json_loadb("\"s\"", 3, &err);
    CU_ASSERT_TRUE(json_is_string(v));
    json_decref(v);
    v = cm_json_loadb("42", 2, NULL);
    CU_ASSERT_TRUE(json_is_integer(v));
    json_decref(v);
    /* len is honoured, trailing garbage rejected */
    v = cm_json_loadb("[1]xyz", 3, &err);
    CU_ASSERT_PTR_NOT_NULL(v);
    json_decref(v);
    CU_ASSERT_PTR_NULL(cm_json_loadb("[1]xyz", 6, &err));
    CU_ASSERT_PTR_NULL(cm_json_loadb("{\"a\":", 5, &err));
    CU_ASSERT_PTR_NULL(cm_json_loadb("", 0, &err));
    CU_ASSERT_PTR_NULL(cm_json_loadb(NULL, 0, &err));
    CU_ASSERT_PTR_NULL(cm_json_loadb("\"a\\u0000b\"", 10, &err)); /* NUL in strings stays rejected */
    CU_ASSERT_PTR_NULL(cm_json_loadb("[1]\0", 4, &err));
}

static void test_duplicates(void)
{
    json_error_t err;
    const char *doc = "{\"a\":1,\"a\":2}";
    CU_ASSERT_PTR_NULL(cm_json_loadb(doc, strlen(doc), &err));
    CU_ASSERT_EQUAL(json_error_code(&err), json_error_duplicate_key);
    const char *inner = "{\"x\":{\"k\":\"1\",\"k\":\"2\"}}";
    CU_ASSERT_PTR_NULL(cm_json_loadb(inner, strlen(inner), &err));
    /* same key in different objects is fine */
    const char *ok = "[{\"k\":1},{\"k\":2}]";
    json_t *v = cm_json_loadb(ok, strlen(ok), &err);
    CU_ASSERT_PTR_NOT_NULL(v);
    json_decref(v);
}

static void test_depth(void)
{
    json_error_t err;
    for (int obj = 0; obj <= 1; obj++) {
        char *s = nested(CM_JSON_MAX_DEPTH, obj);
        json_t *v = cm_json_loadb(s, strlen(s), &err);
        CU_ASSERT_PTR_NOT_NULL(v);
        json_decref(v);
        free(s);
        s = nested(CM_JSON_MAX_DEPTH + 1, obj);
        memset(&err, 0, sizeof(err));
        CU_ASSERT_PTR_NULL(cm_json_loadb(s, strlen(s), &err));
        CU_ASSERT(strstr(err.text, "deep") != NULL);
        CU_ASSERT_EQUAL(json_error_code(&err), json_error_stack_overflow);
        free(s);
        s = nested(100000, obj); /* would blow jansson's recursion without the guard */
        CU_ASSERT_PTR_NULL(cm_json_loadb(s, strlen(s), NULL));
        free(s);
    }
    /* brackets inside strings (and escaped quotes) do not count */
    char *s = malloc(400);
    CU_ASSERT_FATAL(s != NULL);
    size_t o = 0;
    memcpy(s + o, "[\"\\\"", 4);
    o += 4;
    for (int i = 0; i < 100; i++)
        s[o++] = '[';
    memcpy(s + o, "\"]", 3);
    json_t *v = cm_json_loadb(s, strlen(s), &err);
    CU_ASSERT_PTR_NOT_NULL(v);
    json_decref(v);
    free(s);
    /* many siblings are not depth */
    char wide[2000];
    o = 0;
    wide[o++] = '[';
    for (int i = 0; i < 300; i++) {
        memcpy(wide + o, "[],", 3);
        o += 3;
    }
    wide[o - 1] = ']';
    wide[o] = '\0';
    v = cm_json_loadb(wide, o, &err);
    CU_ASSERT_PTR_NOT_NULL(v);
    CU_ASSERT_EQUAL(json_array_size(v), 300);
    json_decref(v);
}

static void test_str(void)
{
    json_t *o = json_pack("{s:s, s:i, s:n}", "s", "val", "i", 3, "n");
    CU_ASSERT_PTR_NOT_NULL_FATAL(o);
    CU_ASSERT_STRING_EQUAL(cm_json_str(o, "s"), "val");
    CU_ASSERT_PTR_NULL(cm_json_str(o, "i"));
    CU_ASSERT_PTR_NULL(cm_json_str(o, "n"));
    CU_ASSERT_PTR_NULL(cm_json_str(o, "missing"));
    CU_ASSERT_PTR_NULL(cm_json_str(NULL, "s"));
    CU_ASSERT_PTR_NULL(cm_json_str(o, NULL));
    json_object_set_new(o, "nul", json_stringn("a\0b", 3));
    CU_ASSERT_PTR_NULL(cm_json_str(o, "nul"));
    json_t *arr = json_array();
    CU_ASSERT_PTR_NULL(cm_json_str(arr, "s"));
    json_decref(arr);
    json_decref(o);
}

static void test_int(void)
{
    json_error_t err;
    const char *doc =
        "{\"n\":42,\"neg\":-7,\"max\":9223372036854775807,\"s\":\"123\",\"sneg\":\"-9223372036854775808\","
        "\"sover\":\"9223372036854775808\",\"sunder\":\"-9223372036854775809\",\"sbad\":\"12a\","
        "\"sspace\":\" 12\",\"splus\":\"+12\",\"sempty\":\"\",\"sminus\":\"-\",\"real\":1.0,"
        "\"bool\":true,\"null\":null,\"snul\":\"1\"}";
    json_t *o = cm_json_loadb(doc, strlen(doc), &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(o);
    json_object_set_new(o, "snul", json_stringn("1\0002", 3));
    int ok = -1;
    CU_ASSERT_EQUAL(cm_json_int(o, "n", 0, &ok), 42);
    CU_ASSERT_EQUAL(ok, 1);
    CU_ASSERT_EQUAL(cm_json_int(o, "neg", 0, &ok), -7);
    CU_ASSERT_EQUAL(ok, 1);
    CU_ASSERT_EQUAL(cm_json_int(o, "max", 0, &ok), INT64_MAX);
    CU_ASSERT_EQUAL(ok, 1);
    /* strings only when allowed */
    CU_ASSERT_EQUAL(cm_json_int(o, "s", 0, &ok), 0);
    CU_ASSERT_EQUAL(ok, 0);
    CU_ASSERT_EQUAL(cm_json_int(o, "s", 1, &ok), 123);
    CU_ASSERT_EQUAL(ok, 1);
    CU_ASSERT_EQUAL(cm_json_int(o, "sneg", 1, &ok), INT64_MIN);
    CU_ASSERT_EQUAL(ok, 1);
    CU_ASSERT_EQUAL(cm_json_int(o, "n", 1, &ok), 42); /* numbers still fine with allow_string */
    CU_ASSERT_EQUAL(ok, 1);
    const char *bad[] = {"sover",  "sunder", "sbad", "sspace", "splus",   "sempty",
                         "sminus", "real",   "bool", "null",   "missing", "snul"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        ok = -1;
        CU_ASSERT_EQUAL(cm_json_int(o, bad[i], 1, &ok), 0);
        CU_ASSERT_EQUAL(ok, 0);
    }
    CU_ASSERT_EQUAL(cm_json_int(o, "n", 0, NULL), 42);
    CU_ASSERT_EQUAL(cm_json_int(NULL, "n", 1, &ok), 0);
    CU_ASSERT_EQUAL(ok, 0);
    json_decref(o);
    /* a JSON number past int64 is rejected at load time */
    CU_ASSERT_PTR_NULL(cm_json_loadb("{\"n\":9223372036854775808}", 25, &err));
}

static void test_dumps(void)
{
    json_t *o = json_pack("{s:s, s:[i, b], s:n}", "name", "caf\xc3\xa9", "list", 1, 1, "z");
    CU_ASSERT_PTR_NOT_NULL_FATAL(o);
    char *s = cm_json_dumps(o);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    /* compact, insertion order, UTF-8 kept (not \u00e9) */
    CU_ASSERT_STRING_EQUAL(s, "{\"name\":\"caf\xc3\xa9\",\"list\":[1,true],\"z\":null}");
    free(s);
    json_decref(o);
    json_t *str = json_string("a\"b");
    s = cm_json_dumps(str);
    CU_ASSERT_STRING_EQUAL(s, "\"a\\\"b\"");
    free(s);
    json_decref(str);
    CU_ASSERT_PTR_NULL(cm_json_dumps(NULL));
}

static void test_copy_str(void)
{
    json_t *src = json_pack("{s:s, s:i, s:n}", "name", "a\"b", "size", 3, "nil");
    json_object_set_new(src, "nul", json_stringn("x\0y", 3));
    json_t *dst = json_object();
    cm_json_copy_str(dst, "title", src, "name");
    cm_json_copy_str(dst, "size", src, "size"); /* not a string: left out */
    cm_json_copy_str(dst, "nil", src, "nil");
    cm_json_copy_str(dst, "absent", src, "absent");
    cm_json_copy_str(dst, "nul", src, "nul"); /* whole, not cut at the NUL */
    CU_ASSERT_EQUAL(json_object_size(dst), 2);
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(dst, "title")), "a\"b");
    CU_ASSERT_EQUAL(json_string_length(json_object_get(dst, "nul")), 3);
    json_decref(src);
    json_decref(dst);
}

void tests_register(void)
{
    CU_SUITE("json_util", NULL, NULL, {"load_basic", test_load_basic}, {"copy_str", test_copy_str},
             {"duplicates", test_duplicates}, {"depth", test_depth}, {"str", test_str}, {"int", test_int},
             {"dumps", test_dumps});
}
