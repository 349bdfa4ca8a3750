/* test_session.c - session table: creation, instance binding, idle expiry, caps, the LRU map, the drop hook. */
#include "common/status.h"
#include "cu.h"
#include "util/lru.h"
#include "protocol/session.h"

#include <stdlib.h>
#include <string.h>

static void test_create_lookup(void)
{
    mcp_sessions_t *t = mcp_sessions_new(1000, 10, 100);
    mcp_session_t *s = NULL, *s2 = NULL;
    CU_ASSERT_EQUAL(mcp_sessions_create(t, "inst-a", NULL, "2025-11-25", 0, &s), CM_OK);
    CU_ASSERT_EQUAL(strlen(s->id), MCP_SESSION_ID_LEN);
    for (size_t i = 0; i < MCP_SESSION_ID_LEN; i++)
        CU_ASSERT_TRUE(s->id[i] >= 0x21 && s->id[i] <= 0x7e);
    CU_ASSERT_EQUAL(mcp_sessions_create(t, "inst-a", NULL, "2025-06-18", 0, &s2), CM_OK);
    CU_ASSERT_STRING_NOT_EQUAL(s->id, s2->id);
    char id[MCP_SESSION_ID_LEN + 1];
    memcpy(id, s->id, sizeof(id));
    CU_ASSERT_PTR_EQUAL(mcp_sessions_lookup(t, id, "inst-a", NULL, 10), s);
    CU_ASSERT_STRING_EQUAL(s->protocol_version, "2025-11-25");
    CU_ASSERT_PTR_NULL(mcp_sessions_lookup(t, id, "inst-b", NULL, 10)); /* bound to its instance */
    CU_ASSERT_PTR_NULL(mcp_sessions_lookup(t, "nope", "inst-a", NULL, 10));
    CU_ASSERT_EQUAL(mcp_sessions_delete(t, id, "inst-b", NULL), CM_ENOTFOUND);
    CU_ASSERT_EQUAL(mcp_sessions_delete(t, id, "inst-a", NULL), CM_OK);
    CU_ASSERT_PTR_NULL(mcp_sessions_lookup(t, id, "inst-a", NULL, 10));
    CU_ASSERT_EQUAL(mcp_sessions_delete(t, id, "inst-a", NULL), CM_ENOTFOUND);
    CU_ASSERT_EQUAL(mcp_sessions_count(t), 1);
    CU_ASSERT_EQUAL(mcp_sessions_create(t, "", NULL, "v", 0, &s), CM_EINVAL);
    char longid[100];
    memset(longid, 'x', 99);
    longid[99] = '\0';
    CU_ASSERT_EQUAL(mcp_sessions_create(t, longid, NULL, "v", 0, &s), CM_EINVAL);
    mcp_sessions_free(t);
}

/* A session belongs to the credential that created it: another grant or the key of the same instance sees none. */
static void test_credential_binding(void)
{
    mcp_sessions_t *t = mcp_sessions_new(1000, 10, 100);
    mcp_session_t *s = NULL, *k = NULL, *anon = NULL;
    CU_ASSERT_EQUAL(mcp_sessions_create(t, "inst-a", "g:grant-1", "2025-11-25", 0, &s), CM_OK);
    CU_ASSERT_STRING_EQUAL(s->credential, "g:grant-1");
    char id[MCP_SESSION_ID_LEN + 1];
    memcpy(id, s->id, sizeof(id));
    CU_ASSERT_PTR_EQUAL(mcp_sessions_lookup(t, id, "inst-a", "g:grant-1", 1), s);
    CU_ASSERT_PTR_NULL(mcp_sessions_lookup(t, id, "inst-a", "g:grant-2", 1));
    CU_ASSERT_PTR_NULL(mcp_sessions_lookup(t, id, "inst-a", "k:00ff", 1));
    CU_ASSERT_PTR_NULL(mcp_sessions_lookup(t, id, "inst-a", NULL, 1));
    CU_ASSERT_EQUAL(mcp_sessions_delete(t, id, "inst-a", "g:grant-2"), CM_ENOTFOUND);
    CU_ASSERT_PTR_EQUAL(mcp_sessions_lookup(t, id, "inst-a", "g:grant-1", 2), s); /* a refused delete kept it */
    CU_ASSERT_EQUAL(mcp_sessions_create(t, "inst-a", "k:00ff", "2025-11-25", 0, &k), CM_OK);
    CU_ASSERT_PTR_EQUAL(mcp_sessions_lookup(t, k->id, "inst-a", "k:00ff", 3), k);
    CU_ASSERT_PTR_NULL(mcp_sessions_lookup(t, k->id, "inst-a", "g:grant-1", 3));
    CU_ASSERT_EQUAL(mcp_sessions_create(t, "inst-a", NULL, "2025-11-25", 0, &anon), CM_OK); /* no authentication */
    CU_ASSERT_PTR_EQUAL(mcp_sessions_lookup(t, anon->id, "inst-a", "", 3), anon);
    CU_ASSERT_PTR_NULL(mcp_sessions_lookup(t, anon->id, "inst-a", "g:grant-1", 3));
    CU_ASSERT_EQUAL(mcp_sessions_delete(t, id, "inst-a", "g:grant-1"), CM_OK);
    char toolong[MCP_SESSION_CREDENTIAL_LEN + 1];
    memset(toolong, 'c', MCP_SESSION_CREDENTIAL_LEN);
    toolong[MCP_SESSION_CREDENTIAL_LEN] = '\0';
    CU_ASSERT_EQUAL(mcp_sessions_create(t, "inst-a", toolong, "v", 0, &s), CM_EINVAL);
    mcp_sessions_free(t);
}

static void test_idle_expiry(void)
{
    mcp_sessions_t *t = mcp_sessions_new(1000, 10, 100);
    mcp_session_t *a, *b;
    mcp_sessions_create(t, "i", NULL, "v", 0, &a);
    mcp_sessions_create(t, "i", NULL, "v", 500, &b);
    char ida[MCP_SESSION_ID_LEN + 1], idb[MCP_SESSION_ID_LEN + 1];
    memcpy(ida, a->id, sizeof(ida));
    memcpy(idb, b->id, sizeof(idb));
    CU_ASSERT_PTR_NOT_NULL(mcp_sessions_lookup(t, ida, "i", NULL, 900)); /* use refreshes it */
    CU_ASSERT_EQUAL(mcp_sessions_sweep(t, 1600), 1);                     /* b idle 1100 ms > 1000 */
    CU_ASSERT_PTR_NULL(mcp_sessions_lookup(t, idb, "i", NULL, 1600));
    CU_ASSERT_PTR_NOT_NULL(mcp_sessions_lookup(t, ida, "i", NULL, 1600));
    /* lookup itself expires */
    CU_ASSERT_PTR_NULL(mcp_sessions_lookup(t, ida, "i", NULL, 2601));
    CU_ASSERT_EQUAL(mcp_sessions_count(t), 0);
    mcp_sessions_stats_t st;
    mcp_sessions_get_stats(t, &st);
    CU_ASSERT_EQUAL(st.expired, 2);
    CU_ASSERT_EQUAL(st.created, 2);
    /* default idle timeout is 30 minutes */
    mcp_sessions_t *d = mcp_sessions_new(0, 0, 0);
    CU_ASSERT_EQUAL(mcp_sessions_idle_ms(d), 30 * 60 * 1000);
    mcp_sessions_free(d);
    mcp_sessions_free(t);
}

static void test_caps(void)
{
    mcp_sessions_t *t = mcp_sessions_new(100000, 3, 5);
    mcp_session_t *s;
    char first[MCP_SESSION_ID_LEN + 1], second[MCP_SESSION_ID_LEN + 1];
    mcp_sessions_create(t, "a", NULL, "v", 1, &s);
    memcpy(first, s->id, sizeof(first));
    mcp_sessions_create(t, "a", NULL, "v", 2, &s);
    memcpy(second, s->id, sizeof(second));
    mcp_sessions_create(t, "a", NULL, "v", 3, &s);
    CU_ASSERT_PTR_NOT_NULL(mcp_sessions_lookup(t, first, "a", NULL, 4)); /* first is now the most recent */
    mcp_sessions_create(t, "a", NULL, "v", 5, &s);                       /* per-instance cap: evicts LRU = second */
    CU_ASSERT_EQUAL(mcp_sessions_count_instance(t, "a"), 3);
    CU_ASSERT_PTR_NULL(mcp_sessions_lookup(t, second, "a", NULL, 6));
    CU_ASSERT_PTR_NOT_NULL(mcp_sessions_lookup(t, first, "a", NULL, 6));
    /* total cap 5 */
    mcp_sessions_create(t, "b", NULL, "v", 7, &s);
    mcp_sessions_create(t, "b", NULL, "v", 8, &s);
    CU_ASSERT_EQUAL(mcp_sessions_count(t), 5);
    mcp_sessions_create(t, "c", NULL, "v", 9, &s);
    CU_ASSERT_EQUAL(mcp_sessions_count(t), 5);
    CU_ASSERT_EQUAL(mcp_sessions_count_instance(t, "a"), 2);
    mcp_sessions_stats_t st;
    mcp_sessions_get_stats(t, &st);
    CU_ASSERT_EQUAL(st.evicted, 2);
    CU_ASSERT_EQUAL(mcp_sessions_delete_instance(t, "b"), 2);
    CU_ASSERT_EQUAL(mcp_sessions_count_instance(t, "b"), 0);
    CU_ASSERT_EQUAL(mcp_sessions_count(t), 3);
    /* many creates stay within caps */
    for (int i = 0; i < 1000; i++)
        CU_ASSERT_EQUAL(mcp_sessions_create(t, i % 2 ? "x" : "y", NULL, "v", 10 + i, &s), CM_OK);
    CU_ASSERT_EQUAL(mcp_sessions_count(t), 5);
    CU_ASSERT_TRUE(mcp_sessions_count_instance(t, "x") <= 3);
    mcp_sessions_free(t);
}

static int visit_count(void *arg, const char *key, void *value)
{
    (*(int *)arg)++;
    return 0;
}

static void test_lru(void)
{
    mcp_lru_t *m = mcp_lru_new(3, free);
    const char *k;
    CU_ASSERT_EQUAL(mcp_lru_put(m, "a", strdup("A")), CM_OK);
    mcp_lru_put(m, "b", strdup("B"));
    mcp_lru_put(m, "c", strdup("C"));
    CU_ASSERT_STRING_EQUAL(mcp_lru_get(m, "a"), "A"); /* a becomes newest */
    mcp_lru_put(m, "d", strdup("D"));                 /* evicts b */
    CU_ASSERT_PTR_NULL(mcp_lru_peek(m, "b"));
    CU_ASSERT_EQUAL(mcp_lru_size(m), 3);
    CU_ASSERT_STRING_EQUAL(mcp_lru_oldest(m, &k), "C");
    CU_ASSERT_STRING_EQUAL(k, "c");
    mcp_lru_put(m, "c", strdup("C2")); /* replace frees the old value */
    CU_ASSERT_STRING_EQUAL(mcp_lru_peek(m, "c"), "C2");
    char *taken = mcp_lru_take(m, "c");
    CU_ASSERT_STRING_EQUAL(taken, "C2");
    free(taken);
    CU_ASSERT_EQUAL(mcp_lru_remove(m, "zz"), CM_ENOTFOUND);
    int n = 0;
    mcp_lru_foreach(m, visit_count, &n);
    CU_ASSERT_EQUAL(n, 2);
    mcp_lru_free(m);
    /* growth keeps every key */
    m = mcp_lru_new(0, NULL);
    char key[16];
    for (long i = 0; i < 5000; i++) {
        snprintf(key, sizeof(key), "k%ld", i);
        mcp_lru_put(m, key, (void *)(i + 1));
    }
    int all = 1;
    for (long i = 0; i < 5000; i++) {
        snprintf(key, sizeof(key), "k%ld", i);
        all &= mcp_lru_peek(m, key) == (void *)(i + 1);
    }
    CU_ASSERT_TRUE(all);
    mcp_lru_free(m);
}

/* The drop hook sees every session leave, however it leaves (the transport frees its stream state there). */
static int drops;
static void count_drop(void *arg, mcp_session_t *s)
{
    CU_ASSERT_PTR_EQUAL(arg, &drops);
    CU_ASSERT_PTR_EQUAL(s->transport, (void *)s); /* what the test hung on it */
    drops++;
}

static void test_drop_hook(void)
{
    mcp_sessions_t *t = mcp_sessions_new(1000, 2, 100);
    mcp_sessions_set_drop_hook(t, count_drop, &drops);
    mcp_session_t *a, *b, *c, *d;
    drops = 0;
    CU_ASSERT_EQUAL(mcp_sessions_create(t, "inst", NULL, "v", 0, &a), CM_OK);
    a->transport = a;
    CU_ASSERT_PTR_EQUAL(mcp_sessions_peek(t, a->id), a); /* any instance, not marked used */
    CU_ASSERT_PTR_NULL(mcp_sessions_peek(t, "nope"));
    CU_ASSERT_EQUAL(mcp_sessions_create(t, "inst", NULL, "v", 0, &b), CM_OK);
    b->transport = b;
    CU_ASSERT_EQUAL(mcp_sessions_create(t, "inst", NULL, "v", 0, &c), CM_OK); /* evicts a */
    c->transport = c;
    CU_ASSERT_EQUAL(drops, 1);
    char id[MCP_SESSION_ID_LEN + 1];
    memcpy(id, b->id, sizeof(id));
    CU_ASSERT_EQUAL(mcp_sessions_delete(t, id, "inst", NULL), CM_OK); /* DELETE */
    CU_ASSERT_EQUAL(drops, 2);
    CU_ASSERT_EQUAL(mcp_sessions_create(t, "other", NULL, "v", 0, &d), CM_OK);
    d->transport = d;
    CU_ASSERT_EQUAL(mcp_sessions_sweep(t, 5000), 2); /* idle expiry */
    CU_ASSERT_EQUAL(drops, 4);
    CU_ASSERT_EQUAL(mcp_sessions_create(t, "inst", NULL, "v", 0, &a), CM_OK);
    a->transport = a;
    mcp_sessions_free(t); /* the table going away */
    CU_ASSERT_EQUAL(drops, 5);
}

void tests_register(void)
{
    CU_SUITE("sessions", NULL, NULL, {"create and lookup", test_create_lookup},
             {"credential binding", test_credential_binding}, {"idle expiry", test_idle_expiry}, {"caps", test_caps},
             {"lru map", test_lru}, {"drop hook", test_drop_hook});
}
