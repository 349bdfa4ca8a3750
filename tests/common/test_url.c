/*
 * test_url.c - common/url.h: buffer, percent-encoding, form parsing, URL building.
 */
#include "cu.h"

#include "common/status.h"
#include "common/url.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void test_buf(void)
{
    cm_buf_t b = {0};
    char *s = cm_buf_take(&b);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    CU_ASSERT_STRING_EQUAL(s, "");
    free(s);

    CU_ASSERT_EQUAL(cm_buf_append(&b, "", 0), CM_OK);
    CU_ASSERT_PTR_NOT_NULL_FATAL(b.data);
    CU_ASSERT_STRING_EQUAL(b.data, "");
    CU_ASSERT_EQUAL(cm_buf_appendz(&b, "abc"), CM_OK);
    CU_ASSERT_EQUAL(cm_buf_append(&b, "defXYZ", 3), CM_OK);
    CU_ASSERT_EQUAL(cm_buf_printf(&b, "-%d-%s", 42, "x"), CM_OK);
    CU_ASSERT_EQUAL(b.len, 11);
    CU_ASSERT_STRING_EQUAL(b.data, "abcdef-42-x");
    /* printf that needs to grow the buffer */
    char big[1000];
    memset(big, 'q', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    CU_ASSERT_EQUAL(cm_buf_printf(&b, "[%s]", big), CM_OK);
    CU_ASSERT_EQUAL(b.len, 11 + 1001);
    CU_ASSERT_EQUAL(b.data[b.len], '\0');
    CU_ASSERT_EQUAL(b.data[11], '[');
    CU_ASSERT_EQUAL(b.data[b.len - 1], ']');
    for (int i = 0; i < 200; i++)
        CU_ASSERT_EQUAL(cm_buf_append(&b, "0123456789", 10), CM_OK);
    CU_ASSERT_EQUAL(b.len, 11 + 1001 + 2000);
    s = cm_buf_take(&b);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    CU_ASSERT_EQUAL(strlen(s), 3012);
    CU_ASSERT_PTR_NULL(b.data);
    CU_ASSERT_EQUAL(b.len, 0);
    free(s);

    /* a failure is sticky and take reports it */
    CU_ASSERT_EQUAL(cm_buf_appendz(&b, "ok"), CM_OK);
    CU_ASSERT_NOT_EQUAL(cm_buf_append(&b, NULL, 3), CM_OK);
    CU_ASSERT_NOT_EQUAL(cm_buf_appendz(&b, "more"), CM_OK);
    CU_ASSERT_PTR_NULL(cm_buf_take(&b));
    CU_ASSERT_PTR_NULL(b.data);
    cm_buf_free(&b);
    cm_buf_free(&b);
}

static void test_escape(void)
{
    char *e = cm_url_escape("a b&c=d/e?f#g+h%i", strlen("a b&c=d/e?f#g+h%i"));
    CU_ASSERT_STRING_EQUAL(e, "a%20b%26c%3Dd%2Fe%3Ff%23g%2Bh%25i");
    free(e);
    e = cm_url_escape("AZaz09-._~", 10);
    CU_ASSERT_STRING_EQUAL(e, "AZaz09-._~");
    free(e);
    e = cm_url_escape("caf\xc3\xa9 \xe2\x82\xac", 9); /* "café €" */
    CU_ASSERT_STRING_EQUAL(e, "caf%C3%A9%20%E2%82%AC");
    free(e);
    e = cm_url_escape("a\0b", 3);
    CU_ASSERT_STRING_EQUAL(e, "a%00b");
    free(e);
    e = cm_url_escape("abc", 0);
    CU_ASSERT_STRING_EQUAL(e, "");
    free(e);
    e = cm_url_escape("abcdef", 3);
    CU_ASSERT_STRING_EQUAL(e, "abc");
    free(e);
    CU_ASSERT_PTR_NULL(cm_url_escape(NULL, 0));
}

static void test_unescape(void)
{
    size_t n = 99;
    char *d = cm_url_unescape("a%20b%26c%3Dd%2Fe%3ff", strlen("a%20b%26c%3Dd%2Fe%3ff"), 0, &n);
    CU_ASSERT_STRING_EQUAL(d, "a b&c=d/e?f");
    CU_ASSERT_EQUAL(n, 11);
    free(d);
    d = cm_url_unescape("caf%C3%A9%20%e2%82%ac", strlen("caf%C3%A9%20%e2%82%ac"), 0, &n);
    CU_ASSERT_STRING_EQUAL(d, "caf\xc3\xa9 \xe2\x82\xac");
    free(d);
    /* plus-as-space only when asked */
    d = cm_url_unescape("a+b%2B", 6, 1, &n);
    CU_ASSERT_STRING_EQUAL(d, "a b+");
    free(d);
    d = cm_url_unescape("a+b%2B", 6, 0, &n);
    CU_ASSERT_STRING_EQUAL(d, "a+b+");
    free(d);
    /* %00 is binary-safe: counted in outlen */
    d = cm_url_unescape("a%00b", 5, 0, &n);
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    CU_ASSERT_EQUAL(n, 3);
    CU_ASSERT(memcmp(d, "a\0b", 4) == 0);
    free(d);
    d = cm_url_unescape("", 0, 1, &n);
    CU_ASSERT_STRING_EQUAL(d, "");
    CU_ASSERT_EQUAL(n, 0);
    free(d);
    /* len is honoured: "%4" of "%41" is truncated */
    CU_ASSERT_PTR_NULL(cm_url_unescape("%41", 2, 0, &n));
    d = cm_url_unescape("%41", 3, 0, NULL);
    CU_ASSERT_STRING_EQUAL(d, "A");
    free(d);

    const char *bad[] = {"%G1", "%1G", "abc%4", "%", "%%", "a%zzb", "%-1", "100%"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        CU_ASSERT_PTR_NULL(cm_url_unescape(bad[i], strlen(bad[i]), 1, &n));

    /* round trip of every byte */
    char all[256];
    for (int i = 0; i < 256; i++)
        all[i] = (char)i;
    char *e = cm_url_escape(all, sizeof(all));
    CU_ASSERT_PTR_NOT_NULL_FATAL(e);
    d = cm_url_unescape(e, strlen(e), 0, &n);
    CU_ASSERT_EQUAL(n, 256);
    CU_ASSERT(d != NULL && memcmp(d, all, 256) == 0);
    free(d);
    free(e);
}

static void test_form_add(void)
{
    cm_buf_t b = {0};
    CU_ASSERT_EQUAL(cm_form_add(&b, "grant_type", "authorization_code"), CM_OK);
    CU_ASSERT_EQUAL(cm_form_add(&b, "skipped", NULL), CM_OK);
    CU_ASSERT_EQUAL(cm_form_add(&b, "redirect_uri", "https://a.example/cb?x=1&y=2"), CM_OK);
    CU_ASSERT_EQUAL(cm_form_add(&b, "empty", ""), CM_OK);
    CU_ASSERT_EQUAL(cm_form_add(&b, "sp ace", "a b"), CM_OK);
    char *s = cm_buf_take(&b);
    CU_ASSERT_STRING_EQUAL(s, "grant_type=authorization_code&redirect_uri=https%3A%2F%2Fa.example%2Fcb%3Fx%3D1%26y%3D2&"
                              "empty=&sp%20ace=a%20b");
    /* what we encode, we parse back */
    char *v = cm_form_get(s, strlen(s), "redirect_uri");
    CU_ASSERT_STRING_EQUAL(v, "https://a.example/cb?x=1&y=2");
    free(v);
    v = cm_form_get(s, strlen(s), "sp ace");
    CU_ASSERT_STRING_EQUAL(v, "a b");
    free(v);
    free(s);
    CU_ASSERT_EQUAL(cm_form_add(&b, NULL, "x"), CM_EINVAL);
    cm_buf_free(&b);
}

struct collect {
    int n;
    char names[8][32];
    char values[8][64];
    int stop_at; /* return 7 from this call (1-based), 0 = never */
};

static int collect_cb(void *arg, const char *name, const char *value)
{
    struct collect *c = arg;
    if (c->n < 8) {
        snprintf(c->names[c->n], sizeof(c->names[0]), "%s", name);
        snprintf(c->values[c->n], sizeof(c->values[0]), "%s", value);
    }
    c->n++;
    return c->stop_at == c->n ? 7 : 0;
}

static void test_form_parse(void)
{
    struct collect c = {0};
    const char *q = "a=1&b=&c&a=2&&d=x%2By+z&=v&e==&";
    CU_ASSERT_EQUAL(cm_form_parse(q, strlen(q), collect_cb, &c), CM_OK);
    CU_ASSERT_EQUAL_FATAL(c.n, 7);
    CU_ASSERT_STRING_EQUAL(c.names[0], "a");
    CU_ASSERT_STRING_EQUAL(c.values[0], "1");
    CU_ASSERT_STRING_EQUAL(c.names[1], "b"); /* empty value */
    CU_ASSERT_STRING_EQUAL(c.values[1], "");
    CU_ASSERT_STRING_EQUAL(c.names[2], "c"); /* missing '=' */
    CU_ASSERT_STRING_EQUAL(c.values[2], "");
    CU_ASSERT_STRING_EQUAL(c.names[3], "a"); /* repeated key, in order */
    CU_ASSERT_STRING_EQUAL(c.values[3], "2");
    CU_ASSERT_STRING_EQUAL(c.names[4], "d");
    CU_ASSERT_STRING_EQUAL(c.values[4], "x+y z");
    CU_ASSERT_STRING_EQUAL(c.names[5], "");
    CU_ASSERT_STRING_EQUAL(c.values[5], "v");
    CU_ASSERT_STRING_EQUAL(c.names[6], "e"); /* only the first '=' splits */
    CU_ASSERT_STRING_EQUAL(c.values[6], "=");

    /* callback stops the walk and its value comes back */
    struct collect s = {.stop_at = 2};
    CU_ASSERT_EQUAL(cm_form_parse(q, strlen(q), collect_cb, &s), 7);
    CU_ASSERT_EQUAL(s.n, 2);

    /* malformed escapes anywhere: CM_EINVAL before any callback */
    const char *bad[] = {"a=1&b=%G1", "a=1&b=%4", "a%zz=1", "a=1&b=%00", "x=%"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct collect z = {0};
        CU_ASSERT_EQUAL(cm_form_parse(bad[i], strlen(bad[i]), collect_cb, &z), CM_EINVAL);
        CU_ASSERT_EQUAL(z.n, 0);
    }
    /* empty input */
    struct collect e = {0};
    CU_ASSERT_EQUAL(cm_form_parse("", 0, collect_cb, &e), CM_OK);
    CU_ASSERT_EQUAL(cm_form_parse(NULL, 0, collect_cb, &e), CM_OK);
    CU_ASSERT_EQUAL(cm_form_parse("&&&", 3, collect_cb, &e), CM_OK);
    CU_ASSERT_EQUAL(e.n, 0);
    /* len is honoured */
    struct collect l = {0};
    CU_ASSERT_EQUAL(cm_form_parse("a=12345", 4, collect_cb, &l), CM_OK);
    CU_ASSERT_EQUAL(l.n, 1);
    CU_ASSERT_STRING_EQUAL(l.values[0], "12");
}

static void test_form_get(void)
{
    const char *q = "code=abc%2Fdef&state=x+y&code=second&flag&empty=";
    char *v = cm_form_get(q, strlen(q), "code");
    CU_ASSERT_STRING_EQUAL(v, "abc/def"); /* first occurrence */
    free(v);
    v = cm_form_get(q, strlen(q), "state");
    CU_ASSERT_STRING_EQUAL(v, "x y");
    free(v);
    v = cm_form_get(q, strlen(q), "flag");
    CU_ASSERT_STRING_EQUAL(v, "");
    free(v);
    v = cm_form_get(q, strlen(q), "empty");
    CU_ASSERT_STRING_EQUAL(v, "");
    free(v);
    CU_ASSERT_PTR_NULL(cm_form_get(q, strlen(q), "missing"));
    CU_ASSERT_PTR_NULL(cm_form_get(q, strlen(q), "cod"));
    CU_ASSERT_PTR_NULL(cm_form_get("code=%G1", 8, "code"));
    CU_ASSERT_PTR_NULL(cm_form_get("code=ok&x=%4", 12, "code")); /* invalid anywhere = invalid */
    CU_ASSERT_PTR_NULL(cm_form_get(q, strlen(q), NULL));
}

static void test_with_query(void)
{
    const char *p1[] = {"code", "a b/c", "state", "s&t=1", "skip", NULL, "iss", "https://idp.example", NULL};
    char *u = cm_url_with_query("https://client.example/cb", p1);
    CU_ASSERT_STRING_EQUAL(u, "https://client.example/cb?code=a%20b%2Fc&state=s%26t%3D1&iss=https%3A%2F%2Fidp.example");
    free(u);

    /* base already has a query */
    const char *p2[] = {"code", "xyz", NULL};
    u = cm_url_with_query("https://client.example/cb?tenant=7&x=", p2);
    CU_ASSERT_STRING_EQUAL(u, "https://client.example/cb?tenant=7&x=&code=xyz");
    free(u);
    /* fragment stays last */
    u = cm_url_with_query("https://client.example/cb#frag", p2);
    CU_ASSERT_STRING_EQUAL(u, "https://client.example/cb?code=xyz#frag");
    free(u);
    /* path is kept as is, port kept */
    u = cm_url_with_query("http://127.0.0.1:8080/a/../b", p2);
    CU_ASSERT_STRING_EQUAL(u, "http://127.0.0.1:8080/a/../b?code=xyz");
    free(u);
    /* no params: the base comes back (normalised) */
    u = cm_url_with_query("https://client.example", NULL);
    CU_ASSERT_STRING_EQUAL(u, "https://client.example/");
    free(u);
    const char *none[] = {NULL};
    u = cm_url_with_query("https://client.example/cb?a=1", none);
    CU_ASSERT_STRING_EQUAL(u, "https://client.example/cb?a=1");
    free(u);
    /* UTF-8 values */
    const char *p3[] = {"name", "caf\xc3\xa9", NULL};
    u = cm_url_with_query("https://h.example/", p3);
    CU_ASSERT_STRING_EQUAL(u, "https://h.example/?name=caf%C3%A9");
    free(u);

    const char *invalid[] = {"",
                             "not a url",
                             "/relative/path",
                             "https://",
                             "http://exa mple.com/",
                             "https://a.example/\n",
                             "com.example.app:/cb",
                             " https://a.example/"};
    for (size_t i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++) {
        u = cm_url_with_query(invalid[i], p2);
        if (u != NULL)
            fprintf(stderr, "accepted invalid base [%s] -> %s\n", invalid[i], u);
        CU_ASSERT_PTR_NULL(u);
        free(u);
    }
    CU_ASSERT_PTR_NULL(cm_url_with_query(NULL, p2));
}

static void test_is_http(void)
{
    CU_ASSERT_TRUE(cm_url_is_http("http://localhost"));
    CU_ASSERT_TRUE(cm_url_is_http("https://a.example/path?q=1#f"));
    CU_ASSERT_TRUE(cm_url_is_http("HTTPS://A.EXAMPLE/"));
    CU_ASSERT_TRUE(cm_url_is_http("http://127.0.0.1:8080/x"));
    CU_ASSERT_TRUE(cm_url_is_http("http://[::1]:8080/"));
    CU_ASSERT_FALSE(cm_url_is_http(NULL));
    CU_ASSERT_FALSE(cm_url_is_http(""));
    CU_ASSERT_FALSE(cm_url_is_http("ftp://a.example/"));
    CU_ASSERT_FALSE(cm_url_is_http("javascript:alert(1)"));
    CU_ASSERT_FALSE(cm_url_is_http("com.example.app:/cb"));
    CU_ASSERT_FALSE(cm_url_is_http("//a.example/"));
    CU_ASSERT_FALSE(cm_url_is_http("/path"));
    CU_ASSERT_FALSE(cm_url_is_http("a.example"));
    CU_ASSERT_FALSE(cm_url_is_http("http://"));
    CU_ASSERT_FALSE(cm_url_is_http("https:///a.example"));
    CU_ASSERT_FALSE(cm_url_is_http("http:a.example"));
    CU_ASSERT_FALSE(cm_url_is_http(" http://a.example"));
    CU_ASSERT_FALSE(cm_url_is_http("http://a.example/\r\n"));
    CU_ASSERT_FALSE(cm_url_is_http("http://a b.example/"));
}

void tests_register(void)
{
    CU_SUITE("url", NULL, NULL, {"buf", test_buf}, {"escape", test_escape}, {"unescape", test_unescape},
             {"form_add", test_form_add}, {"form_parse", test_form_parse}, {"form_get", test_form_get},
             {"with_query", test_with_query}, {"is_http", test_is_http});
}
