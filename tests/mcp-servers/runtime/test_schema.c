/* test_schema.c - the JSON Schema validator: valid, invalid and hostile input. */
#include "common/status.h"
#include "cu.h"
#include "schema/schema.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static mcp_schema_t *compile(const char *text)
{
    char err[256] = "";
    json_t *doc = json_loads(text, 0, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
    mcp_schema_t *s = mcp_schema_compile(doc, err, sizeof(err));
    json_decref(doc);
    if (s == NULL)
        fprintf(stderr, "compile failed: %s\n", err);
    return s;
}

static int check(mcp_schema_t *s, const char *instance, mcp_schema_error_t *e)
{
    json_t *x = json_loads(instance, JSON_DECODE_ANY, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(x);
    int rc = mcp_schema_validate(s, x, e);
    json_decref(x);
    return rc;
}

static const char *person =
    "{\"type\":\"object\",\"properties\":{"
    "\"name\":{\"type\":\"string\",\"minLength\":2,\"maxLength\":5},"
    "\"age\":{\"type\":\"integer\",\"minimum\":0,\"maximum\":150},"
    "\"score\":{\"type\":\"number\",\"exclusiveMinimum\":0,\"multipleOf\":0.5},"
    "\"role\":{\"enum\":[\"admin\",\"user\",1]},"
    "\"email\":{\"type\":\"string\",\"pattern\":\"^[^@\\\\s]+@[\\\\w.-]+\\\\.[a-z]{2,}$\"},"
    "\"tags\":{\"type\":\"array\",\"items\":{\"type\":\"string\"},\"minItems\":1,\"maxItems\":3,\"uniqueItems\":true},"
    "\"limit\":{\"type\":\"integer\",\"default\":10},"
    "\"opts\":{\"type\":\"object\",\"properties\":{\"deep\":{\"type\":\"boolean\",\"default\":false}}}"
    "},\"required\":[\"name\"],\"additionalProperties\":false}";

static void test_valid(void)
{
    mcp_schema_t *s = compile(person);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    mcp_schema_error_t e;
    CU_ASSERT_EQUAL(check(s, "{\"name\":\"Ann\"}", &e), CM_OK);
    CU_ASSERT_EQUAL(check(s,
                          "{\"name\":\"Bob\",\"age\":150,\"score\":2.5,\"role\":\"admin\","
                          "\"email\":\"bob@example.com\",\"tags\":[\"a\",\"b\"]}",
                          &e),
                    CM_OK);
    CU_ASSERT_EQUAL(check(s, "{\"name\":\"Bo\",\"age\":3.0}", &e), CM_OK);  /* 3.0 is an integer */
    CU_ASSERT_EQUAL(check(s, "{\"name\":\"Bo\",\"role\":1.0}", &e), CM_OK); /* enum compares numbers by value */
    mcp_schema_free(s);
}

static void expect_fail(mcp_schema_t *s, const char *instance, const char *path, const char *msg_part)
{
    mcp_schema_error_t e;
    CU_ASSERT_EQUAL(check(s, instance, &e), CM_EINVAL);
    CU_ASSERT_STRING_EQUAL(e.path, path);
    if (strstr(e.message, msg_part) == NULL) {
        fprintf(stderr, "\n  %s: message \"%s\" lacks \"%s\"\n", instance, e.message, msg_part);
        CU_FAIL("message");
    }
}

static void test_invalid(void)
{
    mcp_schema_t *s = compile(person);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    expect_fail(s, "{}", "name", "required");
    expect_fail(s, "[]", "", "type object");
    expect_fail(s, "{\"name\":\"A\"}", "name", "at least 2");
    expect_fail(s, "{\"name\":\"Abcdef\"}", "name", "at most 5");
    expect_fail(s, "{\"name\":7}", "name", "type string");
    expect_fail(s, "{\"name\":\"Ann\",\"age\":-1}", "age", ">= 0");
    expect_fail(s, "{\"name\":\"Ann\",\"age\":151}", "age", "<= 150");
    expect_fail(s, "{\"name\":\"Ann\",\"age\":1.5}", "age", "type integer");
    expect_fail(s, "{\"name\":\"Ann\",\"score\":0}", "score", "> 0");
    expect_fail(s, "{\"name\":\"Ann\",\"score\":0.7}", "score", "multiple of");
    expect_fail(s, "{\"name\":\"Ann\",\"role\":\"root\"}", "role", "one of");
    expect_fail(s, "{\"name\":\"Ann\",\"email\":\"no-at-sign\"}", "email", "pattern");
    expect_fail(s, "{\"name\":\"Ann\",\"tags\":[]}", "tags", "at least 1");
    expect_fail(s, "{\"name\":\"Ann\",\"tags\":[\"a\",\"b\",\"c\",\"d\"]}", "tags", "at most 3");
    expect_fail(s, "{\"name\":\"Ann\",\"tags\":[\"a\",3]}", "tags[1]", "type string");
    expect_fail(s, "{\"name\":\"Ann\",\"tags\":[\"a\",\"a\"]}", "tags", "duplicate");
    expect_fail(s, "{\"name\":\"Ann\",\"extra\":1}", "extra", "not an allowed property");
    expect_fail(s, "{\"name\":\"Ann\",\"opts\":{\"deep\":\"yes\"}}", "opts.deep", "type boolean");
    mcp_schema_free(s);
}

static void test_defaults(void)
{
    mcp_schema_t *s = compile(person);
    json_t *x = json_loads("{\"name\":\"Ann\",\"opts\":{}}", 0, NULL);
    CU_ASSERT_EQUAL(mcp_schema_apply_defaults(s, x), CM_OK);
    CU_ASSERT_EQUAL(json_integer_value(json_object_get(x, "limit")), 10);
    CU_ASSERT_TRUE(json_is_false(json_object_get(json_object_get(x, "opts"), "deep")));
    CU_ASSERT_EQUAL(mcp_schema_validate(s, x, NULL), CM_OK);
    json_decref(x);
    /* an explicit value wins */
    x = json_loads("{\"name\":\"Ann\",\"limit\":3}", 0, NULL);
    mcp_schema_apply_defaults(s, x);
    CU_ASSERT_EQUAL(json_integer_value(json_object_get(x, "limit")), 3);
    json_decref(x);
    mcp_schema_free(s);
}

static void test_unicode_length(void)
{
    mcp_schema_t *s = compile("{\"type\":\"string\",\"minLength\":3,\"maxLength\":3}");
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    mcp_schema_error_t e;
    CU_ASSERT_EQUAL(check(s, "\"abc\"", &e), CM_OK);
    CU_ASSERT_EQUAL(check(s, "\"\\u00e9t\\u00e9\"", &e), CM_OK); /* été: 3 code points, 5 bytes */
    CU_ASSERT_EQUAL(check(s, "\"\\ud83d\\ude00\\ud83d\\ude00\\ud83d\\ude00\"", &e), CM_OK); /* 3 emoji, 12 bytes */
    CU_ASSERT_EQUAL(check(s, "\"\\u65e5\\u672c\"", &e), CM_EINVAL);                         /* 2 code points */
    CU_ASSERT_EQUAL(check(s, "\"abcd\"", &e), CM_EINVAL);
    CU_ASSERT_EQUAL(mcp_utf8_length("\xc3\xa9", 2), 1);
    mcp_schema_free(s);
}

static void test_combinators_and_refs(void)
{
    mcp_schema_t *s =
        compile("{\"$defs\":{\"pos\":{\"type\":\"integer\",\"minimum\":1}},"
                "\"type\":\"object\",\"properties\":{"
                "\"a\":{\"$ref\":\"#/$defs/pos\"},"
                "\"b\":{\"anyOf\":[{\"type\":\"string\"},{\"type\":\"null\"}]},"
                "\"c\":{\"oneOf\":[{\"type\":\"integer\"},{\"type\":\"number\",\"minimum\":0}]},"
                "\"d\":{\"not\":{\"const\":\"x\"}},"
                "\"e\":{\"type\":[\"string\",\"integer\"]},"
                "\"t\":{\"type\":\"array\",\"prefixItems\":[{\"type\":\"string\"}],\"items\":{\"type\":\"integer\"}}"
                "},\"patternProperties\":{\"^x-\":{\"type\":\"string\"}},\"additionalProperties\":false}");
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    mcp_schema_error_t e;
    CU_ASSERT_EQUAL(
        check(s, "{\"a\":1,\"b\":null,\"c\":-2,\"d\":\"y\",\"e\":\"s\",\"t\":[\"s\",1,2],\"x-k\":\"v\"}", &e), CM_OK);
    expect_fail(s, "{\"a\":0}", "a", ">= 1");
    expect_fail(s, "{\"b\":1}", "b", "anyOf");
    expect_fail(s, "{\"c\":5}", "c", "exactly one"); /* 5 is an integer and a number >= 0 */
    expect_fail(s, "{\"d\":\"x\"}", "d", "not");
    expect_fail(s, "{\"e\":1.5}", "e", "wrong type");
    expect_fail(s, "{\"t\":[1]}", "t[0]", "type string");
    expect_fail(s, "{\"t\":[\"s\",\"s\"]}", "t[1]", "type integer");
    expect_fail(s, "{\"x-k\":1}", "x-k", "type string");
    mcp_schema_free(s);
}

static void test_bad_schemas(void)
{
    static const char *const bad[] = {
        "{\"type\":\"strin\"}",
        "{\"type\":[]}",
        "{\"minLength\":-1}",
        "{\"minLength\":1.5}",
        "{\"required\":\"name\"}",
        "{\"properties\":[]}",
        "{\"pattern\":\"(unclosed\"}",
        "{\"pattern\":\"[a-\"}",
        "{\"pattern\":\"(?=lookahead)\"}",
        "{\"pattern\":\"(a)\\\\1\"}",
        "{\"pattern\":\"\\\\bword\"}",
        "{\"pattern\":\"a{2,1}\"}",
        "{\"pattern\":\"a**\"}",          /* nothing to repeat (ECMA SyntaxError); glibc's regcomp blows up */
        "{\"pattern\":\"D+++++++++++\"}", /* on stacked quantifiers like these */
        "{\"pattern\":\"^*a\"}",
        "{\"pattern\":\"(+)\"}",
        "{\"pattern\":\"a{2}{3}\"}",
        "{\"pattern\":\"((a{100}){100}){100}\"}", /* a million copies once expanded */
        "{\"pattern\":\"((){100}){100}\"}",       /* empty copies: quadratic in regcomp (1.5 GB) */
        "{\"pattern\":\"^[a-z]{1,20000}$\"}",     /* 3 GB */
        "{\"pattern\":\"((){10,}){100}\"}",       /* 1,100 atoms but 100 unbounded loops: over 10 s in regcomp */
        "{\"pattern\":\"((a*)+){400}\"}",         /* 800 loops: 1 s */
        "{\"pattern\":5}",
        "{\"$ref\":\"http://example.com/s.json\"}",
        "{\"$ref\":\"#/$defs/missing\"}",
        "{\"multipleOf\":0}",
        "{\"anyOf\":[]}",
        "{\"items\":5}",
        "42",
    };
    char err[256];
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        json_t *doc = json_loads(bad[i], JSON_DECODE_ANY, NULL);
        CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
        err[0] = '\0';
        mcp_schema_t *s = mcp_schema_compile(doc, err, sizeof(err));
        if (s != NULL)
            fprintf(stderr, "\n  accepted bad schema %s\n", bad[i]);
        CU_ASSERT_PTR_NULL(s);
        CU_ASSERT_TRUE(err[0] != '\0');
        mcp_schema_free(s);
        json_decref(doc);
    }
    /* the loop cap is 32 expanded unbounded loops: one more is refused */
    json_t *at_cap = json_loads("{\"pattern\":\"^(a+-){31}a*$\"}", 0, NULL);
    json_t *over = json_loads("{\"pattern\":\"^(a+-){32}a*$\"}", 0, NULL);
    mcp_schema_t *s = mcp_schema_compile(at_cap, err, sizeof(err));
    CU_ASSERT_PTR_NOT_NULL(s);
    mcp_schema_free(s);
    s = mcp_schema_compile(over, err, sizeof(err));
    CU_ASSERT_PTR_NULL(s);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "unbounded loops"));
    mcp_schema_free(s);
    json_decref(at_cap);
    json_decref(over);
}

static void test_patterns(void)
{
    struct {
        const char *pattern, *ok, *bad;
    } cases[] = {
        {"^\\\\d{3}-\\\\d{4}$", "\"555-1234\"", "\"55-1234\""},
        {"^(?:ab)+$", "\"abab\"", "\"aba\""},
        {"^[\\\\w.]+$", "\"a.b_c\"", "\"a b\""},
        {"^\\\\S+$", "\"nospace\"", "\"has space\""},
        {"^a.*?b$", "\"axxb\"", "\"axx\""},
        {"^\\\\$\\\\d+\\\\.\\\\d\\\\d$", "\"$10.50\"", "\"10.50\""},
        {"^[^\\\\]]+$", "\"abc\"", "\"a]c\""},
        {"^\\\\u00e9$", "\"\\u00e9\"", "\"e\""},
        {"caf", "\"a cafe\"", "\"tea\""}, /* unanchored: search */
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char schema[256];
        snprintf(schema, sizeof(schema), "{\"type\":\"string\",\"pattern\":\"%s\"}", cases[i].pattern);
        mcp_schema_t *s = compile(schema);
        CU_ASSERT_PTR_NOT_NULL_FATAL(s);
        mcp_schema_error_t e;
        if (check(s, cases[i].ok, &e) != CM_OK)
            fprintf(stderr, "\n  %s should match %s\n", cases[i].pattern, cases[i].ok);
        CU_ASSERT_EQUAL(check(s, cases[i].ok, &e), CM_OK);
        CU_ASSERT_EQUAL(check(s, cases[i].bad, &e), CM_EINVAL);
        mcp_schema_free(s);
    }
}

static void test_hostile(void)
{
    mcp_schema_error_t e;
    /* huge numbers compare exactly / safely */
    mcp_schema_t *s = compile("{\"type\":\"integer\",\"maximum\":9007199254740992}");
    CU_ASSERT_EQUAL(check(s, "9223372036854775807", &e), CM_EINVAL);
    CU_ASSERT_EQUAL(check(s, "-9223372036854775808", &e), CM_OK);
    CU_ASSERT_EQUAL(check(s, "9007199254740993", &e), CM_EINVAL);
    CU_ASSERT_EQUAL(check(s, "1e300", &e), CM_EINVAL);
    mcp_schema_free(s);
    s = compile("{\"type\":\"number\",\"minimum\":-1e308}");
    CU_ASSERT_EQUAL(check(s, "-1.7976931348623157e308", &e), CM_EINVAL);
    CU_ASSERT_EQUAL(check(s, "1.7976931348623157e308", &e), CM_OK);
    mcp_schema_free(s);
    s = compile("{\"type\":\"integer\",\"multipleOf\":3}");
    CU_ASSERT_EQUAL(check(s, "9223372036854775806", &e), CM_OK);
    CU_ASSERT_EQUAL(check(s, "-9223372036854775808", &e), CM_EINVAL);
    mcp_schema_free(s);

    /* deep nesting through a recursive schema is bounded */
    s = compile("{\"$defs\":{\"n\":{\"type\":\"array\",\"items\":{\"$ref\":\"#/$defs/n\"}}},\"$ref\":\"#/$defs/n\"}");
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    char deep[2100];
    size_t n = 0;
    for (int i = 0; i < 1000; i++)
        deep[n++] = '[';
    for (int i = 0; i < 1000; i++)
        deep[n++] = ']';
    deep[n] = '\0';
    CU_ASSERT_EQUAL(check(s, deep, &e), CM_EINVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.message, "nested too deeply"));
    CU_ASSERT_EQUAL(check(s, "[[[]],[]]", &e), CM_OK);
    mcp_schema_free(s);

    /* self-referencing $ref without progress terminates */
    s = compile("{\"$ref\":\"#\"}");
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    CU_ASSERT_EQUAL(check(s, "1", &e), CM_EINVAL);
    mcp_schema_free(s);

    /* uniqueItems is bounded */
    s = compile("{\"type\":\"array\",\"uniqueItems\":true}");
    char *big = malloc(8 * 2000 + 8);
    size_t off = 0;
    big[off++] = '[';
    for (int i = 0; i < 2000; i++)
        off += (size_t)snprintf(big + off, 16, "%s%d", i ? "," : "", i);
    big[off++] = ']';
    big[off] = '\0';
    CU_ASSERT_EQUAL(check(s, big, &e), CM_EINVAL);
    free(big);
    mcp_schema_free(s);

    /* long paths are truncated, not overflowed */
    s = compile("{\"type\":\"object\",\"additionalProperties\":{\"type\":\"object\",\"additionalProperties\":{\"type\":"
                "\"integer\"}}}");
    char inst[1200];
    char key[401];
    memset(key, 'k', 400);
    key[400] = '\0';
    snprintf(inst, sizeof(inst), "{\"%s\":{\"%s\":\"x\"}}", key, key);
    CU_ASSERT_EQUAL(check(s, inst, &e), CM_EINVAL);
    CU_ASSERT_TRUE(strlen(e.path) < sizeof(e.path));
    mcp_schema_free(s);

    /* pathological regex input stays fast (POSIX matcher has no exponential backtracking) */
    s = compile("{\"type\":\"string\",\"pattern\":\"^(a+)+$\"}");
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    char evil[64];
    memset(evil, 'a', 40);
    memcpy(evil + 40, "!\"", 3);
    char quoted[80];
    snprintf(quoted, sizeof(quoted), "\"%s", evil);
    CU_ASSERT_EQUAL(check(s, quoted, &e), CM_EINVAL);
    mcp_schema_free(s);
}

static void test_boolean_schemas(void)
{
    mcp_schema_t *s = compile("{\"type\":\"object\",\"properties\":{\"no\":false,\"yes\":true}}");
    mcp_schema_error_t e;
    CU_ASSERT_EQUAL(check(s, "{\"yes\":[1]}", &e), CM_OK);
    CU_ASSERT_EQUAL(check(s, "{\"no\":1}", &e), CM_EINVAL);
    CU_ASSERT_STRING_EQUAL(e.path, "no");
    mcp_schema_free(s);
}

/* normalizes instance (validated first) and compares it with want (both JSON texts), by type: 5 != 5.0 here */
static void expect_normalized(mcp_schema_t *s, const char *instance, const char *want)
{
    json_t *x = json_loads(instance, 0, NULL), *w = json_loads(want, 0, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(x);
    CU_ASSERT_PTR_NOT_NULL_FATAL(w);
    CU_ASSERT_EQUAL(mcp_schema_validate(s, x, NULL), CM_OK);
    CU_ASSERT_EQUAL(mcp_schema_normalize_integers(s, x), CM_OK);
    char *got = json_dumps(x, JSON_COMPACT | JSON_SORT_KEYS), *exp = json_dumps(w, JSON_COMPACT | JSON_SORT_KEYS);
    if (strcmp(got, exp) != 0) {
        fprintf(stderr, "\n  normalized %s\n  want       %s\n", got, exp);
        CU_FAIL("normalized");
    }
    free(got);
    free(exp);
    json_decref(x);
    json_decref(w);
}

static void test_normalize_integers(void)
{
    mcp_schema_t *s =
        compile("{\"$defs\":{\"n\":{\"type\":\"integer\"}},\"type\":\"object\",\"properties\":{"
                "\"max\":{\"type\":\"integer\",\"minimum\":1},\"ratio\":{\"type\":\"number\"},"
                "\"either\":{\"type\":[\"integer\",\"string\"]},\"ref\":{\"$ref\":\"#/$defs/n\"},"
                "\"ids\":{\"type\":\"array\",\"items\":{\"type\":\"integer\"}},"
                "\"pair\":{\"type\":\"array\",\"prefixItems\":[{\"type\":\"number\"},{\"type\":\"integer\"}]},"
                "\"deep\":{\"type\":\"object\",\"properties\":{\"page\":{\"type\":\"integer\"}},"
                "\"additionalProperties\":{\"type\":\"integer\"}},"
                "\"alt\":{\"anyOf\":[{\"type\":\"string\"},{\"type\":\"integer\",\"maximum\":9}]},"
                "\"level\":{\"enum\":[1,2,3]}},"
                "\"patternProperties\":{\"^n_\":{\"type\":\"integer\"}}}");
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    json_t *probe = json_pack("{s:[{s:f}]}", "a", "b", 5.0);
    CU_ASSERT_EQUAL(mcp_schema_has_whole_reals(probe), 1);
    json_decref(probe);
    probe = json_pack("{s:[{s:f,s:i}]}", "a", "b", 5.5, "c", 5);
    CU_ASSERT_EQUAL(mcp_schema_has_whole_reals(probe), 0);
    json_decref(probe);
    expect_normalized(s, "{\"max\":5.0,\"ratio\":2.0,\"either\":7.0,\"ref\":-3.0}",
                      "{\"max\":5,\"ratio\":2.0,\"either\":7,\"ref\":-3}");
    expect_normalized(s, "{\"ids\":[1.0,2,3.0],\"pair\":[1.0,2.0],\"deep\":{\"page\":4.0,\"other\":6.0}}",
                      "{\"ids\":[1,2,3],\"pair\":[1.0,2],\"deep\":{\"page\":4,\"other\":6}}");
    expect_normalized(s, "{\"alt\":8.0,\"level\":2.0,\"n_x\":1e2}", "{\"alt\":8,\"level\":2,\"n_x\":100}");
    /* reals that are not whole stay reals (and fail "integer"); so do numbers beyond the int64 range */
    mcp_schema_error_t e;
    CU_ASSERT_EQUAL(check(s, "{\"max\":5.5}", &e), CM_EINVAL);
    CU_ASSERT_EQUAL(check(s, "{\"max\":1e300}", &e), CM_EINVAL);
    CU_ASSERT_STRING_EQUAL(e.path, "max");
    mcp_schema_free(s);
}

/* Strings with an embedded NUL (json_stringn; the JSON-RPC parser rejects \u0000, handlers' output may not) */
static void test_embedded_nul(void)
{
    mcp_schema_t *s = compile("{\"type\":\"string\",\"pattern\":\"^[a-z]+$\",\"maxLength\":5}");
    mcp_schema_error_t e;
    json_t *x = json_stringn("ab\0;rm -rf", 11);
    CU_ASSERT_EQUAL(mcp_schema_validate(s, x, &e), CM_EINVAL); /* "ab" alone would match the pattern */
    json_decref(x);
    x = json_stringn("abc\0", 4);
    CU_ASSERT_EQUAL(mcp_schema_validate(s, x, &e), CM_EINVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.message, "NUL"));
    json_decref(x);
    mcp_schema_free(s);
    /* lengths count every code point, also after a NUL */
    s = compile("{\"type\":\"string\",\"maxLength\":3}");
    x = json_stringn("a\0bcd", 5);
    CU_ASSERT_EQUAL(mcp_schema_validate(s, x, &e), CM_EINVAL);
    json_decref(x);
    x = json_stringn("a\0\xc3\xa9", 4); /* a, NUL, e-acute: 3 code points */
    CU_ASSERT_EQUAL(mcp_schema_validate(s, x, &e), CM_OK);
    json_decref(x);
    mcp_schema_free(s);
    s = compile("{\"type\":\"string\",\"minLength\":3}");
    x = json_stringn("a\0b", 3);
    CU_ASSERT_EQUAL(mcp_schema_validate(s, x, &e), CM_OK);
    json_decref(x);
    mcp_schema_free(s);
}

void tests_register(void)
{
    CU_SUITE("schema", NULL, NULL, {"valid", test_valid}, {"invalid names the field", test_invalid},
             {"defaults", test_defaults}, {"unicode length", test_unicode_length},
             {"combinators and refs", test_combinators_and_refs}, {"bad schemas rejected", test_bad_schemas},
             {"patterns", test_patterns}, {"hostile input", test_hostile}, {"boolean schemas", test_boolean_schemas},
             {"whole-number decimals become integers", test_normalize_integers}, {"embedded NUL", test_embedded_nul});
}
