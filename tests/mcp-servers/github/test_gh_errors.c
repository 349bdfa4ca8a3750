/* test_gh_errors.c - the github service's error texts: rate limit with reset time, missing OAuth scope, 404 that
 * may mean "no access", 422 details; Link-header next page. */
#include "cu.h"
#include "gh.h"

#include <string.h>

static mcp_provider_response_t resp(int status, const cm_http_header_t *h, size_t n, json_t *json)
{
    mcp_provider_response_t r = {.status = status, .headers = h, .n_headers = n, .json = json, .retry_after_s = -1};
    return r;
}

static void test_missing_scopes(void)
{
    char buf[128];
    gh_missing_scopes("repo", "read:user", buf, sizeof(buf));
    CU_ASSERT_STRING_EQUAL(buf, "repo");
    gh_missing_scopes("repo, public_repo", "read:user, public_repo", buf, sizeof(buf));
    CU_ASSERT_STRING_EQUAL(buf, ""); /* any accepted scope suffices */
    gh_missing_scopes("admin:org, write:org", "", buf, sizeof(buf));
    CU_ASSERT_STRING_EQUAL(buf, "admin:org, write:org");
    gh_missing_scopes("", "repo", buf, sizeof(buf));
    CU_ASSERT_STRING_EQUAL(buf, "");
}

static void test_rate_limit(void)
{
    const cm_http_header_t h[] = {{"x-ratelimit-remaining", "0"}, {"x-ratelimit-reset", "1700000060"}};
    json_t *j = json_pack("{s:s}", "message", "API rate limit exceeded for user ID 1.");
    mcp_provider_response_t r = resp(403, h, 2, j);
    char buf[1024];
    gh_error_text_at(&r, "generic", 1700000000, buf, sizeof(buf));
    CU_ASSERT_PTR_NOT_NULL(strstr(buf, "rate limit exceeded"));
    CU_ASSERT_PTR_NOT_NULL(strstr(buf, "2023-11-14T22:14:20Z"));
    CU_ASSERT_PTR_NOT_NULL(strstr(buf, "in 60 seconds"));
    json_decref(j);
}

static void test_scope_and_permission(void)
{
    const cm_http_header_t h[] = {
        {"x-accepted-oauth-scopes", "repo"}, {"x-oauth-scopes", "read:user"}, {"x-ratelimit-remaining", "4999"}};
    mcp_provider_response_t r = resp(403, h, 3, NULL);
    char buf[1024];
    gh_error_text_at(&r, "generic", 0, buf, sizeof(buf));
    CU_ASSERT_PTR_NOT_NULL(strstr(buf, "lacks the OAuth scope repo (granted: read:user)"));
    const cm_http_header_t h2[] = {{"x-accepted-oauth-scopes", "repo"}, {"x-oauth-scopes", "repo, read:user"}};
    r = resp(403, h2, 2, NULL);
    gh_error_text_at(&r, "generic", 0, buf, sizeof(buf));
    CU_ASSERT_PTR_NOT_NULL(strstr(buf, "no permission"));
    CU_ASSERT_PTR_NULL(strstr(buf, "lacks the OAuth scope"));
}

static void test_404_and_422(void)
{
    json_t *j = json_pack("{s:s}", "message", "Not Found");
    mcp_provider_response_t r = resp(404, NULL, 0, j);
    char buf[1024];
    gh_error_text_at(&r, "generic", 0, buf, sizeof(buf));
    CU_ASSERT_PTR_NOT_NULL(strstr(buf, "private"));
    CU_ASSERT_PTR_NOT_NULL(strstr(buf, "GitHub says: Not Found"));
    json_decref(j);
    j = json_pack("{s:s, s:[{s:s, s:s, s:s}]}", "message", "Validation Failed", "errors", "resource", "Issue", "field",
                  "title", "code", "missing_field");
    r = resp(422, NULL, 0, j);
    gh_error_text_at(&r, "generic", 0, buf, sizeof(buf));
    CU_ASSERT_PTR_NOT_NULL(strstr(buf, "title missing_field"));
    json_decref(j);
    r = resp(502, NULL, 0, NULL);
    gh_error_text_at(&r, "GitHub is having problems", 0, buf, sizeof(buf));
    CU_ASSERT_STRING_EQUAL(buf, "GitHub is having problems");
}

static void test_next_page(void)
{
    const cm_http_header_t h[] = {{"link", "<https://api.github.com/user/repos?per_page=2&page=2>; rel=\"next\", "
                                           "<https://api.github.com/user/repos?per_page=2&page=9>; rel=\"last\""}};
    mcp_provider_response_t r = resp(200, h, 1, NULL);
    CU_ASSERT_EQUAL(gh_next_page(&r), 2);
    r = resp(200, NULL, 0, NULL);
    CU_ASSERT_EQUAL(gh_next_page(&r), 0);
}

void tests_register(void)
{
    CU_SUITE("github errors", NULL, NULL, {"missing scopes", test_missing_scopes}, {"rate limit", test_rate_limit},
             {"scope and permission", test_scope_and_permission}, {"404 and 422", test_404_and_422},
             {"next page", test_next_page});
}
