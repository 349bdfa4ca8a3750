/* test_versions.c - versions survive eviction (tokens/versions.h): a push older than the last version an evicted
 * instance had is never applied; the bounded memory of those versions, and what happens once it forgot an id. */
#include "common/status.h"
#include "cu.h"
#include "tokens/auth.h"
#include "tokens/token_client.h"
#include "tokens/versions.h"

#include <stdio.h>
#include <time.h>

/* What the push endpoint (transport/push_http.c) decides for an event of instance with version: 1 = ignored. */
static int push_ignored(mcp_token_client_t *tc, mcp_auth_t *a, mcp_versions_t *v, const char *instance, int64_t version)
{
    int64_t t = mcp_token_version(tc, instance), s = mcp_auth_version(a, instance);
    return mcp_versions_stale(v, instance, t > s ? t : s, version);
}

static void fill(mcp_token_client_t *tc, mcp_auth_t *a, int from, int n, int64_t exp)
{
    char id[32];
    for (int i = from; i < from + n; i++) {
        snprintf(id, sizeof(id), "other-%d", i);
        CU_ASSERT_EQUAL(mcp_token_put(tc, id, "tok", exp, 1), CM_OK);
        mcp_auth_set_status(a, id, "active", NULL, 1);
    }
}

static void test_stale_push_after_eviction(void)
{
    int64_t exp = (int64_t)time(NULL) + 3600;
    mcp_token_client_t *tc = mcp_token_client_new(NULL, 0, 4);
    mcp_auth_t *a = mcp_auth_new(NULL, 0, 0, 0, 0, 4);
    mcp_versions_t *v = mcp_versions_new(100);
    CU_ASSERT_PTR_NOT_NULL_FATAL(tc);
    CU_ASSERT_PTR_NOT_NULL_FATAL(a);
    CU_ASSERT_PTR_NOT_NULL_FATAL(v);
    mcp_token_client_keep_versions(tc, v);
    mcp_auth_keep_versions(a, v);
    /* push version 5 of "i": token and status */
    CU_ASSERT_FALSE(push_ignored(tc, a, v, "i", 5));
    CU_ASSERT_EQUAL(mcp_token_put(tc, "i", "tok-v5", exp, 5), CM_OK);
    mcp_auth_set_status(a, "i", "active", NULL, 5);
    CU_ASSERT_TRUE(push_ignored(tc, a, v, "i", 1)); /* while cached: older -> ignored */
    /* fill both caches: "i" is evicted from both */
    fill(tc, a, 0, 8, exp);
    CU_ASSERT_EQUAL(mcp_token_version(tc, "i"), -1);
    CU_ASSERT_EQUAL(mcp_auth_version(a, "i"), -1);
    CU_ASSERT_EQUAL(mcp_versions_get(v, "i"), 5);
    /* push version 1 after 5, to the evicted instance: ignored; version 5 again and 6 are applied */
    CU_ASSERT_TRUE(push_ignored(tc, a, v, "i", 1));
    CU_ASSERT_FALSE(push_ignored(tc, a, v, "i", 5));
    CU_ASSERT_FALSE(push_ignored(tc, a, v, "i", 6));
    CU_ASSERT_FALSE(push_ignored(tc, a, v, "i", -1)); /* unversioned pushes are applied as before */
    /* an instance never seen (nothing forgotten yet): applied */
    CU_ASSERT_FALSE(push_ignored(tc, a, v, "new", 1));
    /* an invalidation drops the token: its version stays known */
    CU_ASSERT_EQUAL(mcp_token_put(tc, "j", "tok-j", exp, 7), CM_OK);
    mcp_token_invalidate(tc, "j");
    CU_ASSERT_EQUAL(mcp_versions_get(v, "j"), 7);
    CU_ASSERT_TRUE(push_ignored(tc, a, v, "j", 3));
    mcp_token_client_free(tc);
    mcp_auth_free(a);
    mcp_versions_free(v);
}

static void test_memory_bounded(void)
{
    mcp_versions_t *v = mcp_versions_new(3);
    CU_ASSERT_PTR_NOT_NULL_FATAL(v);
    mcp_versions_note(v, "a", 4);
    mcp_versions_note(v, "a", 2); /* the highest wins */
    CU_ASSERT_EQUAL(mcp_versions_get(v, "a"), 4);
    mcp_versions_note(v, "b", -1); /* no version: nothing kept */
    CU_ASSERT_EQUAL(mcp_versions_size(v), 1);
    CU_ASSERT_FALSE(mcp_versions_forgot(v));
    mcp_versions_note(v, "b", 1);
    mcp_versions_note(v, "c", 1);
    mcp_versions_note(v, "d", 1); /* "a" is dropped for room */
    CU_ASSERT_EQUAL(mcp_versions_size(v), 3);
    CU_ASSERT_EQUAL(mcp_versions_get(v, "a"), -1);
    CU_ASSERT_TRUE(mcp_versions_forgot(v));
    /* from now on a versioned push for an instance known nowhere is not orderable: ignored (the broker is asked) */
    CU_ASSERT_TRUE(mcp_versions_stale(v, "a", -1, 9));
    CU_ASSERT_TRUE(mcp_versions_stale(v, "never", -1, 1));
    CU_ASSERT_FALSE(mcp_versions_stale(v, "never", -1, -1));
    CU_ASSERT_FALSE(mcp_versions_stale(v, "cached", 3, 3)); /* cached: ordered by the cache */
    CU_ASSERT_TRUE(mcp_versions_stale(v, "cached", 3, 2));
    CU_ASSERT_FALSE(mcp_versions_stale(NULL, "x", -1, 1));
    mcp_versions_free(v);
}

void tests_register(void)
{
    CU_SUITE("versions of evicted instances", NULL, NULL, {"stale push after eviction", test_stale_push_after_eviction},
             {"bounded memory", test_memory_bounded});
}
