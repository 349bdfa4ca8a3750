/* test_http_headers.c - header lookup, RFC 8288 Link parsing, URL query parameters, next-link base check. */
#include "cu.h"
#include "mcp/provider_http.h"

#include <stdlib.h>
#include <string.h>

static void test_header_get(void)
{
    const cm_http_header_t h[] = {{"content-type", "application/json"}, {"link", "<x>; rel=next"}, {"link", "2"}};
    CU_ASSERT_STRING_EQUAL(mcp_header_get(h, 3, "Link"), "<x>; rel=next");
    CU_ASSERT_STRING_EQUAL(mcp_header_get(h, 3, "CONTENT-TYPE"), "application/json");
    CU_ASSERT_PTR_NULL(mcp_header_get(h, 3, "x-oauth-scopes"));
    CU_ASSERT_PTR_NULL(mcp_header_get(NULL, 0, "link"));
}

static void check_link(const char *link, const char *rel, const char *want)
{
    char *got = mcp_link_find(link, rel);
    if (want == NULL) {
        CU_ASSERT_PTR_NULL(got);
    } else {
        CU_ASSERT_PTR_NOT_NULL_FATAL(got);
        CU_ASSERT_STRING_EQUAL(got, want);
    }
    free(got);
}

static void test_link(void)
{
    const char *gh = "<https://api.github.com/user/repos?page=3&per_page=100>; rel=\"next\", "
                     "<https://api.github.com/user/repos?page=50&per_page=100>; rel=\"last\"";
    check_link(gh, "next", "https://api.github.com/user/repos?page=3&per_page=100");
    check_link(gh, "last", "https://api.github.com/user/repos?page=50&per_page=100");
    check_link(gh, "prev", NULL);
    check_link("<a>; rel=\"prev first\",<b>;rel=NEXT", "next", "b");    /* unquoted, case-insensitive, no space */
    check_link("<a>; rel=\"prev first\", <b>; rel=next", "first", "a"); /* one of several relation types */
    check_link("<a>; title=\"x, rel=next\"; rel=last", "next", NULL);   /* a comma inside a quoted value */
    check_link("<a>; title=\"x, rel=next\"; rel=last", "last", "a");
    check_link("<a; rel=next", "next", NULL); /* malformed */
    check_link("garbage", "next", NULL);
    check_link("", "next", NULL);
    check_link(NULL, "next", NULL);
}

static void test_query_get(void)
{
    char *v = mcp_url_query_get("https://x/y?per_page=10&page=4#frag", "page");
    CU_ASSERT_STRING_EQUAL(v, "4");
    free(v);
    v = mcp_url_query_get("https://x/y?%24skiptoken=a%2Bb&x=1", "$skiptoken");
    CU_ASSERT_STRING_EQUAL(v, "a+b");
    free(v);
    CU_ASSERT_PTR_NULL(mcp_url_query_get("https://x/y?pages=4", "page"));
    CU_ASSERT_PTR_NULL(mcp_url_query_get("https://x/y", "page"));
}

static void test_under_base(void)
{
    const char *b = "https://graph.microsoft.com/v1.0";
    CU_ASSERT_TRUE(mcp_url_under_base("https://graph.microsoft.com/v1.0/me/messages?$skip=10", b));
    CU_ASSERT_TRUE(mcp_url_under_base("https://graph.microsoft.com/v1.0/me/messages?$skip=10",
                                      "https://graph.microsoft.com/v1.0/"));
    CU_ASSERT_FALSE(mcp_url_under_base("https://graph.microsoft.com/v1.0.evil.com/me", b));
    CU_ASSERT_FALSE(mcp_url_under_base("https://evil.example/v1.0/me", b));
    CU_ASSERT_FALSE(mcp_url_under_base("https://graph.microsoft.com/v1.0/../beta/me", b));
    CU_ASSERT_FALSE(mcp_url_under_base("https://graph.microsoft.com/v1.0/me/%2e%2e/x", b));
    CU_ASSERT_FALSE(mcp_url_under_base("https://graph.microsoft.com/v1.0/me\r\nX: y", b));
    CU_ASSERT_FALSE(mcp_url_under_base("http://graph.microsoft.com/v1.0/me", b));
    CU_ASSERT_FALSE(mcp_url_under_base(NULL, b));
}

void tests_register(void)
{
    CU_SUITE("http_headers", NULL, NULL, {"header lookup", test_header_get}, {"link header", test_link},
             {"query parameter", test_query_get}, {"next link under base", test_under_base});
}
