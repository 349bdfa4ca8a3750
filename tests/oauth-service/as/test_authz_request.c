/*
 * test_authz_request.c - the parameter checks of an authorization request (response_type, PKCE S256, scope), the
 * redirect built for the client (query appended, private-use schemes kept) and the origin named in the consent
 * page's form-action.
 */
#include "cu.h"

#include "as/authz_request.h"

#include <stdlib.h>
#include <string.h>

#define CH "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"

static void test_code_pkce(void)
{
    const char *desc = NULL;
    CU_ASSERT_PTR_NULL(ob_as_check_code_pkce("code", CH, "S256", &desc));
    CU_ASSERT_STRING_EQUAL(ob_as_check_code_pkce("token", CH, "S256", &desc), "unsupported_response_type");
    CU_ASSERT_PTR_NOT_NULL(desc);
    CU_ASSERT_STRING_EQUAL(ob_as_check_code_pkce(NULL, CH, "S256", &desc), "unsupported_response_type");
    CU_ASSERT_STRING_EQUAL(ob_as_check_code_pkce("code id_token", CH, "S256", &desc), "unsupported_response_type");
    CU_ASSERT_STRING_EQUAL(ob_as_check_code_pkce("code", NULL, "S256", &desc), "invalid_request");
    CU_ASSERT_STRING_EQUAL(ob_as_check_code_pkce("code", CH, NULL, &desc), "invalid_request"); /* absent = plain */
    CU_ASSERT_STRING_EQUAL(ob_as_check_code_pkce("code", CH, "plain", &desc), "invalid_request");
    CU_ASSERT_STRING_EQUAL(ob_as_check_code_pkce("code", CH, "s256", &desc), "invalid_request");
    CU_ASSERT_STRING_EQUAL(ob_as_check_code_pkce("code", "short", "S256", &desc), "invalid_request");
    CU_ASSERT_STRING_EQUAL(ob_as_check_code_pkce("code", CH "A", "S256", &desc), "invalid_request");
    CU_ASSERT_STRING_EQUAL(ob_as_check_code_pkce("code", "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw+cM", "S256", &desc),
                           "invalid_request");
}

static const char *scope(const char *in)
{
    static char out[32];
    return ob_as_scope_normalize(in, out) ? out : "(refused)";
}

static void test_scope(void)
{
    CU_ASSERT_STRING_EQUAL(scope(NULL), "mcp:read mcp:write");
    CU_ASSERT_STRING_EQUAL(scope(""), "mcp:read mcp:write");
    CU_ASSERT_STRING_EQUAL(scope("mcp:read"), "mcp:read");
    CU_ASSERT_STRING_EQUAL(scope("mcp:write"), "mcp:write");
    CU_ASSERT_STRING_EQUAL(scope("mcp:write mcp:read"), "mcp:read mcp:write");
    CU_ASSERT_STRING_EQUAL(scope("  mcp:read   mcp:read "), "mcp:read");
    CU_ASSERT_STRING_EQUAL(scope("mcp:read offline_access"), "(refused)");
    CU_ASSERT_STRING_EQUAL(scope("mcp:readx"), "(refused)");
    CU_ASSERT_STRING_EQUAL(scope("MCP:READ"), "(refused)");
    CU_ASSERT_STRING_EQUAL(scope("mcp:read\tmcp:write"), "(refused)");
}

static void test_redirect_with(void)
{
    const char *p1[] = {"code", "abc", "state", "s t&x", "iss", "http://127.0.0.1:3001", NULL};
    char *u = ob_as_redirect_with("http://127.0.0.1:5000/cb", p1);
    CU_ASSERT_STRING_EQUAL(u, "http://127.0.0.1:5000/cb?code=abc&state=s%20t%26x&iss=http%3A%2F%2F127.0.0.1%3A3001");
    free(u);
    const char *p2[] = {"error", "access_denied", "state", NULL, NULL};
    u = ob_as_redirect_with("https://app.example/cb?tenant=1", p2);
    CU_ASSERT_STRING_EQUAL(u, "https://app.example/cb?tenant=1&error=access_denied");
    free(u);
    u = ob_as_redirect_with("cursor://anysphere.cursor-mcp/oauth/callback", p2);
    CU_ASSERT_STRING_EQUAL(u, "cursor://anysphere.cursor-mcp/oauth/callback?error=access_denied");
    free(u);
}

static void test_origin(void)
{
    char o[64];
    CU_ASSERT_TRUE(ob_as_uri_origin("http://127.0.0.1:5000/cb?x=1", o, sizeof(o)));
    CU_ASSERT_STRING_EQUAL(o, "http://127.0.0.1:5000");
    CU_ASSERT_TRUE(ob_as_uri_origin("https://claude.ai/api/mcp/auth_callback", o, sizeof(o)));
    CU_ASSERT_STRING_EQUAL(o, "https://claude.ai");
    CU_ASSERT_TRUE(ob_as_uri_origin("http://[::1]:8080/", o, sizeof(o)));
    CU_ASSERT_STRING_EQUAL(o, "http://[::1]:8080");
    CU_ASSERT_TRUE(ob_as_uri_origin("com.example.app:/cb", o, sizeof(o)));
    CU_ASSERT_STRING_EQUAL(o, "com.example.app:");
    CU_ASSERT_FALSE(ob_as_uri_origin("https://a;b/cb", o, sizeof(o))); /* would end the CSP directive */
    CU_ASSERT_FALSE(ob_as_uri_origin("https://a'b/cb", o, sizeof(o)));
    CU_ASSERT_FALSE(ob_as_uri_origin("no-colon", o, sizeof(o)));
    CU_ASSERT_FALSE(ob_as_uri_origin("https://a-very-long-host-name-that-does-not-fit.example.com/cb", o, 16));
}

void tests_register(void)
{
    CU_SUITE("as_authz_request", NULL, NULL, {"code_pkce", test_code_pkce}, {"scope", test_scope},
             {"redirect_with", test_redirect_with}, {"origin", test_origin});
}
