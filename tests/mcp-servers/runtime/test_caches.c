/* test_caches.c - token cache (margin, LRU bound, pushes), instance-auth cache without a broker, usage batches,
 * provider error mapping. The broker-backed paths run in tests/interop/run-clients.sh against a fake broker. */
#include "common/status.h"
#include "cu.h"
#include "mcp/provider_http.h"
#include "tokens/token_client.h"
#include "tokens/auth.h"
#include "tokens/usage.h"

#include <stdio.h>
#include <string.h>

static int called;
static void never(void *arg, const mcp_token_result_t *r)
{
    called++;
}

static void test_token_cache(void)
{
    mcp_token_client_t *tc = mcp_token_client_new(NULL, 60, 3);
    mcp_token_wait_t *w;
    mcp_token_result_t r;
    CU_ASSERT_EQUAL(mcp_token_put(tc, "a", "tok-a", 1000, -1), CM_OK);
    CU_ASSERT_EQUAL(mcp_token_get(tc, "a", 0, 900, never, NULL, &w, &r), CM_OK);
    CU_ASSERT_TRUE(r.ok);
    CU_ASSERT_STRING_EQUAL(r.access_token, "tok-a");
    CU_ASSERT_EQUAL(r.expires_at, 1000);
    /* inside the refresh margin the cached token is not used (no broker here: a clear failure) */
    CU_ASSERT_EQUAL(mcp_token_get(tc, "a", 0, 941, never, NULL, &w, &r), CM_OK);
    CU_ASSERT_FALSE(r.ok);
    CU_ASSERT_PTR_NOT_NULL(r.message);
    /* refresh=1 never serves the cache */
    CU_ASSERT_EQUAL(mcp_token_get(tc, "a", 1, 0, never, NULL, &w, &r), CM_OK);
    CU_ASSERT_FALSE(r.ok);
    /* bounded: the least recently used entry goes */
    mcp_token_put(tc, "b", "tok-b", 1000, -1);
    mcp_token_put(tc, "c", "tok-c", 1000, -1);
    mcp_token_get(tc, "a", 0, 0, never, NULL, &w, &r); /* a is now the most recent */
    mcp_token_put(tc, "d", "tok-d", 1000, -1);
    CU_ASSERT_EQUAL(mcp_token_expiry(tc, "b"), 0);
    CU_ASSERT_EQUAL(mcp_token_expiry(tc, "a"), 1000);
    mcp_token_invalidate(tc, "a");
    CU_ASSERT_EQUAL(mcp_token_expiry(tc, "a"), 0);
    char big[9000];
    memset(big, 'x', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    CU_ASSERT_EQUAL(mcp_token_put(tc, "e", big, 1000, -1), CM_EINVAL);
    CU_ASSERT_EQUAL(mcp_token_put(tc, "e", "", 1000, -1), CM_EINVAL);
    mcp_token_stats_t st;
    mcp_token_get_stats(tc, &st);
    CU_ASSERT_EQUAL(st.entries, 2); /* c, d */
    CU_ASSERT_EQUAL(st.capacity, 3);
    CU_ASSERT_TRUE(st.hits >= 2);
    CU_ASSERT_EQUAL(called, 0); /* no callback without a broker call */
    mcp_token_client_free(tc);
}

static void never_auth(void *arg, const mcp_auth_outcome_t *o)
{
    called++;
}

static void test_auth_without_broker(void)
{
    mcp_auth_t *a = mcp_auth_new(NULL, 60, 0, 0, 0, 10);
    mcp_auth_wait_t *w;
    mcp_auth_outcome_t o;
    CU_ASSERT_EQUAL(mcp_auth_check(a, "i", NULL, 0, 0, never_auth, NULL, &w, &o), CM_OK);
    CU_ASSERT_EQUAL(o.result, MCP_AUTHZ_MISSING);
    CU_ASSERT_EQUAL(mcp_auth_check(a, "i", "k", 1, 0, never_auth, NULL, &w, &o), CM_OK);
    CU_ASSERT_EQUAL(o.result, MCP_AUTHZ_UNAVAILABLE);
    char huge[600];
    memset(huge, 'k', sizeof(huge));
    CU_ASSERT_EQUAL(mcp_auth_check(a, "i", huge, sizeof(huge), 0, never_auth, NULL, &w, &o), CM_OK);
    CU_ASSERT_EQUAL(o.result, MCP_AUTHZ_BAD_KEY);
    /* pushed status is visible at once; "deleted" forgets the instance */
    mcp_auth_set_status(a, "i", "needs_reauth", "http://b/reauth", -1);
    const char *url = NULL;
    CU_ASSERT_STRING_EQUAL(mcp_auth_status(a, "i", &url), "needs_reauth");
    CU_ASSERT_STRING_EQUAL(url, "http://b/reauth");
    mcp_auth_set_status(a, "i", "deleted", NULL, -1);
    CU_ASSERT_PTR_NULL(mcp_auth_status(a, "i", &url));
    CU_ASSERT_EQUAL(called, 0);
    mcp_auth_free(a);
}

static void test_usage_batch(void)
{
    mcp_usage_t *u = mcp_usage_new(NULL, "svc");
    CU_ASSERT_PTR_NULL(mcp_usage_batch(u));
    for (int i = 0; i < 5; i++)
        mcp_usage_count(u, "a", 100 + i);
    mcp_usage_count(u, "b", 50);
    json_t *b = mcp_usage_batch(u);
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(b, "service")), "svc");
    json_t *rows = json_object_get(b, "usage");
    CU_ASSERT_EQUAL(json_array_size(rows), 2);
    for (size_t i = 0; i < json_array_size(rows); i++) {
        json_t *row = json_array_get(rows, i);
        const char *id = json_string_value(json_object_get(row, "instance_id"));
        if (strcmp(id, "a") == 0) {
            CU_ASSERT_EQUAL(json_integer_value(json_object_get(row, "count")), 5);
            CU_ASSERT_EQUAL(json_integer_value(json_object_get(row, "last_used_at")), 104);
        } else {
            CU_ASSERT_EQUAL(json_integer_value(json_object_get(row, "count")), 1);
        }
    }
    json_decref(b);
    mcp_usage_flush(u); /* no broker: counts stay */
    CU_ASSERT_EQUAL(mcp_usage_total(u), 6);
    CU_ASSERT_EQUAL(mcp_usage_flushed(u), 0);
    mcp_usage_free(u);
}

static void expect_text(int status, long retry, int timed_out, const char *needle)
{
    char buf[512];
    mcp_provider_error_text("Gmail", status, retry, timed_out, "http://b/auth", buf, sizeof(buf));
    if (strstr(buf, needle) == NULL) {
        fprintf(stderr, "\n  %d: \"%s\" lacks \"%s\"\n", status, buf, needle);
        CU_FAIL("provider error text");
    }
}

static void test_provider_errors(void)
{
    expect_text(401, -1, 0, "Re-authorize this instance at http://b/auth");
    expect_text(403, -1, 0, "scopes");
    expect_text(403, -1, 0, "Re-authorize this instance with them at http://b/auth.");
    expect_text(404, -1, 0, "does not exist");
    expect_text(429, 7, 0, "retry after 7 seconds");
    expect_text(429, -1, 0, "rate limit");
    expect_text(503, -1, 0, "HTTP 503");
    expect_text(0, -1, 1, "did not answer in time");
    expect_text(0, -1, 0, "could not be reached");
    expect_text(400, -1, 0, "rejected the request (HTTP 400)");
}

void tests_register(void)
{
    CU_SUITE("caches", NULL, NULL, {"token cache", test_token_cache}, {"auth without broker", test_auth_without_broker},
             {"usage batch", test_usage_batch}, {"provider errors", test_provider_errors});
}
