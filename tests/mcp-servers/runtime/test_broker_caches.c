/* test_broker_caches.c - the instance-auth cache and the token client against a scripted broker (broker.h's
 * fake): status lifetime, expires_at, version ordering of answers and pushes, refresh coalescing, superseded
 * fetches, the 401 retry with a token that replaced the rejected one. */
#include "common/status.h"
#include "cu.h"
#include "tokens/token_client.h"
#include "tokens/auth.h"
#include "tokens/broker.h"
#include "tokens/revoked.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

int64_t mcp__now_ms(void); /* the runtime's monotonic clock (http_guard.c) */

struct call {
    char method[8], path[160];
    json_t *body;
    mcp_broker_cb cb;
    void *arg;
};
static struct call pending[16];
static size_t npending;

static int fake(void *ctx, const char *method, const char *path, const json_t *body, mcp_broker_cb cb, void *arg)
{
    CU_ASSERT_FATAL(npending < 16);
    struct call *c = &pending[npending++];
    snprintf(c->method, sizeof(c->method), "%s", method);
    snprintf(c->path, sizeof(c->path), "%s", path);
    c->body = body ? json_deep_copy(body) : NULL;
    c->cb = cb;
    c->arg = arg;
    return CM_AGAIN;
}

/* Answers pending call i with status and the JSON text (may be NULL) and removes it. */
static void answer(size_t i, int status, const char *json)
{
    CU_ASSERT_FATAL(i < npending);
    struct call c = pending[i];
    memmove(&pending[i], &pending[i + 1], (npending - i - 1) * sizeof(pending[0]));
    npending--;
    json_t *body = json ? json_loads(json, 0, NULL) : NULL;
    c.cb(c.arg, status, body, status == 0 ? "refused" : NULL);
    json_decref(body);
    json_decref(c.body);
}

/* ------------------------------------------------------------------ auth */

static int auth_calls;
static mcp_auth_outcome_t auth_last;
static char auth_status[32];
static void on_auth(void *arg, const mcp_auth_outcome_t *o)
{
    auth_calls++;
    auth_last = *o;
    snprintf(auth_status, sizeof(auth_status), "%s", o->status ? o->status : "");
}

/* Runs a check; when it went to the broker, answers it with (status, json) and returns the callback's outcome. */
static int check(mcp_auth_t *a, const char *inst, int64_t now_ms, int *asked, int status, const char *json)
{
    mcp_auth_wait_t *w;
    mcp_auth_outcome_t now;
    int before = auth_calls;
    int rc = mcp_auth_check(a, inst, "the-key", 7, now_ms, on_auth, NULL, &w, &now);
    *asked = rc == CM_AGAIN;
    if (rc != CM_AGAIN) {
        snprintf(auth_status, sizeof(auth_status), "%s", now.status ? now.status : "");
        return now.result;
    }
    CU_ASSERT_EQUAL_FATAL(npending, 1);
    CU_ASSERT_STRING_EQUAL(pending[0].method, "POST");
    CU_ASSERT_EQUAL(json_string_length(json_object_get(pending[0].body, "key_sha256")), 64);
    answer(0, status, json);
    CU_ASSERT_EQUAL(auth_calls, before + 1);
    return auth_last.result;
}

static void test_auth_status_lifetime(void)
{
    mcp_broker_t *b = mcp_broker_new_fake(fake, NULL);
    mcp_auth_t *a = mcp_auth_new(b, 300, 0, 0, MCP_AUTH_STALE_IF_ERROR_S_DEFAULT, 10); /* the defaults: recheck after 1
                                                                                 s, lifetime 5 s, stale 30 s */
    int asked;
    int64_t t = mcp__now_ms();
    CU_ASSERT_EQUAL(check(a, "i", t, &asked, 200, "{\"status\":\"active\",\"expires_at\":null,\"version\":3}"),
                    MCP_AUTHZ_OK);
    CU_ASSERT_TRUE(asked);
    CU_ASSERT_EQUAL(mcp_auth_version(a, "i"), 3);
    t = mcp__now_ms(); /* the lifetime counts from the answer, stamped with the clock (slow under valgrind) */
    CU_ASSERT_EQUAL(check(a, "i", t + 900, &asked, 0, NULL), MCP_AUTHZ_OK); /* cached, nothing asked */
    CU_ASSERT_FALSE(asked);
    CU_ASSERT_EQUAL(npending, 0);
    /* past the lifetime (5 s, not the 300 s of the key confirmation) the request waits for the broker */
    CU_ASSERT_EQUAL(check(a, "i", t + 5100, &asked, 200,
                          "{\"status\":\"needs_reauth\",\"authorize_url\":\"http://b/re\",\"version\":4}"),
                    MCP_AUTHZ_INACTIVE);
    CU_ASSERT_TRUE(asked);
    CU_ASSERT_STRING_EQUAL(auth_status, "needs_reauth");
    mcp_auth_free(a);

    a = mcp_auth_new(b, 300, 5, 5000, 30, 10); /* configurable; recheck = lifetime: no background call */
    t = mcp__now_ms();
    CU_ASSERT_EQUAL(check(a, "i", t, &asked, 200, "{\"status\":\"active\"}"), MCP_AUTHZ_OK);
    t = mcp__now_ms();
    CU_ASSERT_EQUAL(check(a, "i", t + 4000, &asked, 0, NULL), MCP_AUTHZ_OK);
    CU_ASSERT_FALSE(asked);
    CU_ASSERT_EQUAL(npending, 0);
    CU_ASSERT_EQUAL(check(a, "i", t + 6000, &asked, 200, "{\"status\":\"active\"}"), MCP_AUTHZ_OK);
    CU_ASSERT_TRUE(asked);
    /* the broker down when the status is due: the last active status is served until 30 s after it was learned
     * (stale-if-error; the answer above was learned at about t, the fake broker answering at once), the broker asked
     * again at most once per recheck interval (here 5 s) */
    CU_ASSERT_EQUAL(check(a, "i", t + 12000, &asked, 0, NULL), MCP_AUTHZ_OK);
    CU_ASSERT_TRUE(asked);
    CU_ASSERT_EQUAL(check(a, "i", t + 13000, &asked, 0, NULL), MCP_AUTHZ_OK); /* now without waiting */
    CU_ASSERT_FALSE(asked);
    CU_ASSERT_EQUAL(npending, 0);
    CU_ASSERT_EQUAL(check(a, "i", t + 17100, &asked, 0, NULL), MCP_AUTHZ_OK);
    CU_ASSERT_FALSE(asked);
    CU_ASSERT_EQUAL_FATAL(npending, 1); /* the one retry of this interval, in the background */
    answer(0, 503, "{\"code\":\"database_unavailable\"}");
    CU_ASSERT_EQUAL(check(a, "i", t + 29900, &asked, 0, NULL), MCP_AUTHZ_OK);
    CU_ASSERT_EQUAL_FATAL(npending, 1);
    answer(0, 0, NULL);
    mcp_auth_stale_stats_t st;
    mcp_auth_get_stale_stats(a, t + 29900, &st);
    CU_ASSERT_EQUAL(st.bound_s, 30);
    CU_ASSERT_EQUAL(st.served, 4);
    CU_ASSERT_EQUAL(st.last_age_ms, 0);
    /* past the bound: refused (the request waits for the broker, which still fails) */
    CU_ASSERT_EQUAL(check(a, "i", t + 30100, &asked, 0, NULL), MCP_AUTHZ_UNAVAILABLE);
    CU_ASSERT_TRUE(asked);
    mcp_auth_get_stale_stats(a, t + 30100, &st);
    CU_ASSERT_EQUAL(st.served, 4);
    /* the broker back: served again, and the stale mode is over */
    CU_ASSERT_EQUAL(check(a, "i", t + 30200, &asked, 200, "{\"status\":\"active\"}"), MCP_AUTHZ_OK);
    CU_ASSERT_TRUE(asked);
    mcp_auth_free(a);
    mcp_broker_free(b);
}

/* A status past its recheck age is served while one background call (per instance and key) asks the broker; what
 * the broker says then applies to the next request: disabled or deleted instances stop being served a round trip
 * later, not at the end of the lifetime. */
static void test_auth_background_recheck(void)
{
    mcp_broker_t *b = mcp_broker_new_fake(fake, NULL);
    mcp_auth_t *a = mcp_auth_new(b, 300, 5, 1000, 30, 10);
    int asked;
    int64_t t = mcp__now_ms();
    CU_ASSERT_EQUAL(check(a, "i", t, &asked, 200, "{\"status\":\"active\",\"version\":1}"), MCP_AUTHZ_OK);
    CU_ASSERT_EQUAL(check(a, "i", t + 1500, &asked, 0, NULL), MCP_AUTHZ_OK); /* served at once ... */
    CU_ASSERT_FALSE(asked);
    CU_ASSERT_EQUAL_FATAL(npending, 1); /* ... while the broker is asked */
    CU_ASSERT_EQUAL(json_string_length(json_object_get(pending[0].body, "key_sha256")), 64);
    for (int i = 0; i < 50; i++) /* coalesced: no second call while it runs */
        CU_ASSERT_EQUAL(check(a, "i", t + 1600 + i, &asked, 0, NULL), MCP_AUTHZ_OK);
    CU_ASSERT_EQUAL(npending, 1);
    int before = auth_calls;
    answer(0, 200, "{\"status\":\"inactive\",\"authorize_url\":\"http://b/act\",\"version\":2}");
    CU_ASSERT_EQUAL(auth_calls, before);                                                /* nobody waited for it */
    CU_ASSERT_EQUAL(check(a, "i", mcp__now_ms(), &asked, 0, NULL), MCP_AUTHZ_INACTIVE); /* disabled: seen */
    CU_ASSERT_FALSE(asked);
    CU_ASSERT_STRING_EQUAL(auth_status, "inactive");

    /* deleted at the broker: the background answer 404 stops the cached status from being served */
    t = mcp__now_ms();
    CU_ASSERT_EQUAL(check(a, "d", t, &asked, 200, "{\"status\":\"active\"}"), MCP_AUTHZ_OK);
    CU_ASSERT_EQUAL(check(a, "d", t + 1200, &asked, 0, NULL), MCP_AUTHZ_OK);
    CU_ASSERT_EQUAL_FATAL(npending, 1);
    answer(0, 404, "{\"code\":\"instance_not_found\"}");
    CU_ASSERT_EQUAL(check(a, "d", t + 1300, &asked, 404, "{\"code\":\"instance_not_found\"}"), MCP_AUTHZ_NOT_FOUND);
    CU_ASSERT_TRUE(asked);

    /* a failing broker: still served within the lifetime, one background attempt per recheck interval; past the
     * lifetime still served (stale-if-error, the last attempt failed) until 30 s after the status was learned, then
     * the request waits (and hears the broker is unavailable) */
    CU_ASSERT_EQUAL(check(a, "j", t, &asked, 200, "{\"status\":\"active\"}"), MCP_AUTHZ_OK);
    CU_ASSERT_EQUAL(check(a, "j", t + 1100, &asked, 0, NULL), MCP_AUTHZ_OK);
    CU_ASSERT_EQUAL_FATAL(npending, 1);
    answer(0, 0, NULL);
    CU_ASSERT_EQUAL(check(a, "j", t + 1500, &asked, 0, NULL), MCP_AUTHZ_OK);
    CU_ASSERT_EQUAL(npending, 0); /* not again before another second */
    CU_ASSERT_EQUAL(check(a, "j", t + 2200, &asked, 0, NULL), MCP_AUTHZ_OK);
    CU_ASSERT_EQUAL_FATAL(npending, 1);
    answer(0, 0, NULL);
    CU_ASSERT_EQUAL(check(a, "j", t + 5500, &asked, 0, NULL), MCP_AUTHZ_OK);
    CU_ASSERT_FALSE(asked);
    CU_ASSERT_EQUAL_FATAL(npending, 1);
    answer(0, 0, NULL);
    CU_ASSERT_EQUAL(check(a, "j", t + 30500, &asked, 0, NULL), MCP_AUTHZ_UNAVAILABLE);
    CU_ASSERT_TRUE(asked);

    /* a replaced key: the background 401 ends the old key's confirmation */
    CU_ASSERT_EQUAL(check(a, "k", t, &asked, 200, "{\"status\":\"active\"}"), MCP_AUTHZ_OK);
    CU_ASSERT_EQUAL(check(a, "k", t + 1100, &asked, 0, NULL), MCP_AUTHZ_OK);
    CU_ASSERT_EQUAL_FATAL(npending, 1);
    answer(0, 401, "{\"code\":\"invalid_key\"}");
    CU_ASSERT_EQUAL(check(a, "k", t + 1200, &asked, 401, "{\"code\":\"invalid_key\"}"), MCP_AUTHZ_BAD_KEY);
    CU_ASSERT_TRUE(asked);
    mcp_auth_free(a);
    mcp_broker_free(b);
}

/* Stale-if-error is for a broker that cannot answer, never for an answer: 401/403/404 and a status act at once; no
 * status known, a status that is not active, another key, or stale-if-error off: 503 while the broker fails. */
static void test_auth_stale_if_error_limits(void)
{
    mcp_broker_t *b = mcp_broker_new_fake(fake, NULL);
    mcp_auth_t *a = mcp_auth_new(b, 300, 5, 1000, 30, 10);
    mcp_auth_wait_t *w;
    mcp_auth_outcome_t now;
    int asked;
    int64_t t = mcp__now_ms();
    CU_ASSERT_EQUAL(check(a, "new", t, &asked, 0, NULL), MCP_AUTHZ_UNAVAILABLE); /* nothing known */
    CU_ASSERT_EQUAL(check(a, "new", t, &asked, 502, "{}"), MCP_AUTHZ_UNAVAILABLE);
    const struct {
        int status;
        const char *json;
        int want;
    } definite[] = {{403, "{\"code\":\"invalid_service_credentials\"}", MCP_AUTHZ_UNAVAILABLE},
                    {401, "{\"code\":\"invalid_key\"}", MCP_AUTHZ_BAD_KEY},
                    {404, "{\"code\":\"instance_not_found\"}", MCP_AUTHZ_NOT_FOUND}};
    for (int i = 0; i < 3; i++) { /* past the lifetime, within the stale bound: the answer applies */
        CU_ASSERT_EQUAL(check(a, "x", t, &asked, 200, "{\"status\":\"active\"}"), MCP_AUTHZ_OK);
        CU_ASSERT_EQUAL(check(a, "x", t + 6000, &asked, definite[i].status, definite[i].json), definite[i].want);
        CU_ASSERT_TRUE(asked);
        CU_ASSERT_EQUAL(check(a, "x", t + 6100, &asked, 0, NULL), MCP_AUTHZ_UNAVAILABLE); /* and the outage then */
        CU_ASSERT_TRUE(asked);
    }
    /* a disabled answer during a flapping broker: refused at once, and not turned active by the next failure */
    CU_ASSERT_EQUAL(check(a, "y", t, &asked, 200, "{\"status\":\"active\"}"), MCP_AUTHZ_OK);
    CU_ASSERT_EQUAL(check(a, "y", t + 6000, &asked, 0, NULL), MCP_AUTHZ_OK); /* stale */
    CU_ASSERT_TRUE(asked);
    CU_ASSERT_EQUAL(check(a, "y", t + 7100, &asked, 0, NULL), MCP_AUTHZ_OK); /* stale, retried in the background */
    CU_ASSERT_FALSE(asked);
    CU_ASSERT_EQUAL_FATAL(npending, 1);
    answer(0, 200, "{\"status\":\"inactive\"}");
    CU_ASSERT_STRING_EQUAL(mcp_auth_status(a, "y", NULL), "inactive");
    CU_ASSERT_EQUAL(check(a, "y", t + 12000, &asked, 0, NULL), MCP_AUTHZ_UNAVAILABLE);
    CU_ASSERT_TRUE(asked);
    /* another key than the confirmed one is not vouched for by the stale status */
    CU_ASSERT_EQUAL(check(a, "z", t, &asked, 200, "{\"status\":\"active\"}"), MCP_AUTHZ_OK);
    CU_ASSERT_EQUAL(check(a, "z", t + 6000, &asked, 0, NULL), MCP_AUTHZ_OK);
    CU_ASSERT_EQUAL(mcp_auth_check(a, "z", "other-key", 9, t + 6100, on_auth, NULL, &w, &now), CM_AGAIN);
    CU_ASSERT_EQUAL_FATAL(npending, 1);
    answer(0, 0, NULL);
    CU_ASSERT_EQUAL(auth_last.result, MCP_AUTHZ_UNAVAILABLE);
    mcp_auth_free(a);

    a = mcp_auth_new(b, 300, 5, 1000, 0, 10); /* off: the old rule */
    CU_ASSERT_EQUAL(check(a, "i", t, &asked, 200, "{\"status\":\"active\"}"), MCP_AUTHZ_OK);
    CU_ASSERT_EQUAL(check(a, "i", t + 6000, &asked, 0, NULL), MCP_AUTHZ_UNAVAILABLE);
    mcp_auth_stale_stats_t st;
    mcp_auth_get_stale_stats(a, t + 6000, &st);
    CU_ASSERT_EQUAL(st.bound_s, 0);
    CU_ASSERT_EQUAL(st.served, 0);
    CU_ASSERT_EQUAL(st.last_age_ms, -1);
    mcp_auth_free(a);
    mcp_broker_free(b);
}

static void test_auth_expires_at(void)
{
    mcp_broker_t *b = mcp_broker_new_fake(fake, NULL);
    mcp_auth_t *a = mcp_auth_new(b, 300, 30, 30000, 30, 10);
    char json[160];
    int asked;
    int64_t t = mcp__now_ms();
    /* already past: refused as expired at once although the broker still says active */
    snprintf(json, sizeof(json), "{\"status\":\"active\",\"expires_at\":%lld,\"version\":1}",
             (long long)time(NULL) - 1);
    CU_ASSERT_EQUAL(check(a, "old", t, &asked, 200, json), MCP_AUTHZ_INACTIVE);
    CU_ASSERT_STRING_EQUAL(auth_status, "expired");
    CU_ASSERT_PTR_NOT_NULL(auth_last.message);
    CU_ASSERT_EQUAL(check(a, "old", t + 1000, &asked, 0, NULL), MCP_AUTHZ_INACTIVE); /* cache hit: still checked */
    CU_ASSERT_FALSE(asked);
    CU_ASSERT_STRING_EQUAL(auth_status, "expired");
    CU_ASSERT_STRING_EQUAL(mcp_auth_status(a, "old", NULL), "expired");
    /* expires within the cached lifetime: the cached entry turns expired without asking the broker */
    snprintf(json, sizeof(json), "{\"status\":\"active\",\"expires_at\":%lld}", (long long)time(NULL) + 2);
    CU_ASSERT_EQUAL(check(a, "soon", t, &asked, 200, json), MCP_AUTHZ_OK);
    struct timespec nap = {2, 200 * 1000 * 1000};
    nanosleep(&nap, NULL);
    CU_ASSERT_EQUAL(check(a, "soon", mcp__now_ms(), &asked, 0, NULL), MCP_AUTHZ_INACTIVE);
    CU_ASSERT_FALSE(asked);
    CU_ASSERT_STRING_EQUAL(auth_status, "expired");
    mcp_auth_free(a);
    mcp_broker_free(b);
}

static void test_auth_versions(void)
{
    mcp_broker_t *b = mcp_broker_new_fake(fake, NULL);
    mcp_auth_t *a = mcp_auth_new(b, 300, 30, 30000, 30, 10);
    mcp_auth_wait_t *w;
    mcp_auth_outcome_t now;
    /* a push (version 10) lands while the broker answer (version 9, older) is in flight: the push wins */
    CU_ASSERT_EQUAL(mcp_auth_check(a, "k", "the-key", 7, mcp__now_ms(), on_auth, NULL, &w, &now), CM_AGAIN);
    mcp_auth_set_status(a, "k", "inactive", "http://b/act", 10);
    answer(0, 200, "{\"status\":\"active\",\"version\":9}");
    CU_ASSERT_EQUAL(auth_last.result, MCP_AUTHZ_INACTIVE);
    CU_ASSERT_STRING_EQUAL(mcp_auth_status(a, "k", NULL), "inactive");
    CU_ASSERT_EQUAL(mcp_auth_version(a, "k"), 10);
    /* a newer answer replaces it */
    int asked;
    CU_ASSERT_EQUAL(check(a, "k", mcp__now_ms() + 31000, &asked, 200, "{\"status\":\"active\",\"version\":11}"),
                    MCP_AUTHZ_OK);
    /* "deleted" forgets the status but keeps the version, so older pushes stay recognisable */
    mcp_auth_set_status(a, "k", "deleted", NULL, 12);
    CU_ASSERT_PTR_NULL(mcp_auth_status(a, "k", NULL));
    CU_ASSERT_EQUAL(mcp_auth_version(a, "k"), 12);
    CU_ASSERT_EQUAL(check(a, "k", mcp__now_ms(), &asked, 404, "{\"code\":\"instance_not_found\"}"),
                    MCP_AUTHZ_NOT_FOUND);
    CU_ASSERT_TRUE(asked);
    mcp_auth_note_version(a, "fresh", 4);
    CU_ASSERT_EQUAL(mcp_auth_version(a, "fresh"), 4);
    mcp_auth_note_version(a, "fresh", 2);
    CU_ASSERT_EQUAL(mcp_auth_version(a, "fresh"), 4);
    CU_ASSERT_EQUAL(mcp_auth_version(a, "never"), -1);
    mcp_auth_free(a);
    mcp_broker_free(b);
}

/* ------------------------------------------------------------------ tokens */

static int tok_calls;
static char tok_last[64];
static void on_tok(void *arg, const mcp_token_result_t *r)
{
    tok_calls++;
    snprintf(tok_last, sizeof(tok_last), "%s", r->ok ? r->access_token : "(none)");
}

static const char *token_json(const char *tok, int version)
{
    static char buf[160];
    if (version >= 0)
        snprintf(buf, sizeof(buf), "{\"access_token\":\"%s\",\"expires_at\":%lld,\"version\":%d}", tok,
                 (long long)time(NULL) + 3600, version);
    else
        snprintf(buf, sizeof(buf), "{\"access_token\":\"%s\",\"expires_at\":%lld}", tok, (long long)time(NULL) + 3600);
    return buf;
}

static void test_token_coalescing(void)
{
    mcp_broker_t *b = mcp_broker_new_fake(fake, NULL);
    mcp_token_client_t *tc = mcp_token_client_new(b, 60, 10);
    mcp_token_wait_t *w;
    mcp_token_result_t now;
    int64_t ts = time(NULL);
    mcp_token_stats_t st;
    /* concurrent fetches share one call */
    CU_ASSERT_EQUAL(mcp_token_get(tc, "i", 0, ts, on_tok, NULL, &w, &now), CM_AGAIN);
    CU_ASSERT_EQUAL(mcp_token_get(tc, "i", 0, ts, on_tok, NULL, &w, &now), CM_AGAIN);
    CU_ASSERT_EQUAL(npending, 1);
    CU_ASSERT_STRING_EQUAL(pending[0].path, "/instances/i/token");
    answer(0, 200, token_json("t1", 5));
    CU_ASSERT_EQUAL(tok_calls, 2);
    CU_ASSERT_STRING_EQUAL(tok_last, "t1");
    CU_ASSERT_EQUAL(mcp_token_version(tc, "i"), 5);

    /* three concurrent 401s for t1: one refresh */
    tok_calls = 0;
    for (int k = 0; k < 3; k++)
        CU_ASSERT_EQUAL(mcp_token_get_after_401(tc, "i", "t1", ts, on_tok, NULL, &w, &now), CM_AGAIN);
    CU_ASSERT_EQUAL_FATAL(npending, 1);
    CU_ASSERT_STRING_EQUAL(pending[0].path, "/instances/i/token?refresh=1");
    mcp_token_get_stats(tc, &st);
    CU_ASSERT_EQUAL(st.refreshes_joined, 2);
    answer(0, 200, token_json("t2", 6));
    CU_ASSERT_EQUAL(tok_calls, 3);
    CU_ASSERT_STRING_EQUAL(tok_last, "t2");

    /* a late 401 for t1 (sent before the refresh landed): retried with t2, no broker call */
    CU_ASSERT_EQUAL(mcp_token_get_after_401(tc, "i", "t1", ts, on_tok, NULL, &w, &now), CM_OK);
    CU_ASSERT_TRUE(now.ok);
    CU_ASSERT_STRING_EQUAL(now.access_token, "t2");
    CU_ASSERT_EQUAL(npending, 0);
    /* a 401 for t2 itself refreshes */
    CU_ASSERT_EQUAL(mcp_token_get_after_401(tc, "i", "t2", ts, on_tok, NULL, &w, &now), CM_AGAIN);
    CU_ASSERT_EQUAL(mcp_token_expiry(tc, "i"), 0); /* the rejected token is gone */
    answer(0, 200, token_json("t3", 7));
    CU_ASSERT_STRING_EQUAL(tok_last, "t3");

    /* a refresh started while a plain fetch is in flight: the fetch's waiters get the refreshed token */
    tok_calls = 0;
    mcp_token_invalidate(tc, "i");
    CU_ASSERT_EQUAL(mcp_token_get(tc, "i", 0, ts, on_tok, NULL, &w, &now), CM_AGAIN);
    CU_ASSERT_EQUAL(mcp_token_get(tc, "i", 1, ts, on_tok, NULL, &w, &now), CM_AGAIN);
    CU_ASSERT_EQUAL_FATAL(npending, 2);
    answer(0, 200, token_json("stale", -1));
    CU_ASSERT_EQUAL(tok_calls, 0);
    CU_ASSERT_EQUAL(mcp_token_expiry(tc, "i"), 0); /* the superseded answer was not stored */
    answer(0, 200, token_json("t4", 8));
    CU_ASSERT_EQUAL(tok_calls, 2);
    CU_ASSERT_STRING_EQUAL(tok_last, "t4");
    mcp_token_client_free(tc);
    mcp_broker_free(b);
}

static void test_token_ordering(void)
{
    mcp_broker_t *b = mcp_broker_new_fake(fake, NULL);
    mcp_token_client_t *tc = mcp_token_client_new(b, 60, 10);
    mcp_token_wait_t *w;
    mcp_token_result_t now;
    int64_t ts = time(NULL);
    /* pushes: an older version than the cached token is refused and changes nothing */
    CU_ASSERT_EQUAL(mcp_token_put(tc, "i", "v8", ts + 3600, 8), CM_OK);
    CU_ASSERT_EQUAL(mcp_token_put(tc, "i", "v7", ts + 3600, 7), CM_ECONFLICT);
    CU_ASSERT_EQUAL(mcp_token_put(tc, "i", "v8b", ts + 3600, 8), CM_OK); /* same version: applied */
    CU_ASSERT_EQUAL(mcp_token_put(tc, "i", "unversioned", ts + 3600, -1), CM_OK);
    CU_ASSERT_EQUAL(mcp_token_version(tc, "i"), 8);
    CU_ASSERT_EQUAL(mcp_token_get(tc, "i", 0, ts, on_tok, NULL, &w, &now), CM_OK);
    CU_ASSERT_STRING_EQUAL(now.access_token, "unversioned");

    /* a fetch whose answer is older than a token pushed meanwhile: dropped, the waiter gets the pushed one */
    tok_calls = 0;
    mcp_token_invalidate(tc, "j");
    CU_ASSERT_EQUAL(mcp_token_get(tc, "j", 0, ts, on_tok, NULL, &w, &now), CM_AGAIN);
    CU_ASSERT_EQUAL(mcp_token_put(tc, "j", "pushed", ts + 3600, 9), CM_OK);
    answer(0, 200, token_json("fetched", 6));
    CU_ASSERT_EQUAL(tok_calls, 1);
    CU_ASSERT_STRING_EQUAL(tok_last, "pushed");
    CU_ASSERT_EQUAL(mcp_token_version(tc, "j"), 9);
    /* without versions: a token stored after the fetch started wins */
    mcp_token_invalidate(tc, "k");
    CU_ASSERT_EQUAL(mcp_token_get(tc, "k", 0, ts, on_tok, NULL, &w, &now), CM_AGAIN);
    CU_ASSERT_EQUAL(mcp_token_put(tc, "k", "pushed-k", ts + 3600, -1), CM_OK);
    answer(0, 200, token_json("fetched-k", -1));
    CU_ASSERT_STRING_EQUAL(tok_last, "pushed-k");
    /* a newer fetched version replaces an older pushed one */
    mcp_token_invalidate(tc, "m");
    CU_ASSERT_EQUAL(mcp_token_get(tc, "m", 0, ts, on_tok, NULL, &w, &now), CM_AGAIN);
    CU_ASSERT_EQUAL(mcp_token_put(tc, "m", "pushed-m", ts + 3600, 3), CM_OK);
    answer(0, 200, token_json("fetched-m", 4));
    CU_ASSERT_STRING_EQUAL(tok_last, "fetched-m");
    mcp_token_stats_t st;
    mcp_token_get_stats(tc, &st);
    CU_ASSERT_EQUAL(st.superseded, 2);

    /* freed with calls in flight (one of them superseded): the answers arrive later and reach nobody */
    tok_calls = 0;
    CU_ASSERT_EQUAL(mcp_token_get(tc, "x", 0, ts, on_tok, NULL, &w, &now), CM_AGAIN);
    CU_ASSERT_EQUAL(mcp_token_get(tc, "x", 1, ts, on_tok, NULL, &w, &now), CM_AGAIN);
    CU_ASSERT_EQUAL_FATAL(npending, 2);
    mcp_token_client_free(tc);
    answer(1, 200, token_json("late", 1));
    answer(0, 200, token_json("late", 1));
    CU_ASSERT_EQUAL(tok_calls, 0);
    mcp_broker_free(b);
}

/* ------------------------------------------------------------------ grants of access tokens */

/* Runs a grant check; when it went to the broker, checks the body names the grant and answers (status, json). */
static int check_grant(mcp_auth_t *a, const char *inst, const char *gid, int64_t now_ms, int *asked, int status,
                       const char *json)
{
    mcp_auth_wait_t *w;
    mcp_auth_outcome_t now;
    int rc = mcp_auth_check_grant(a, inst, gid, now_ms, on_auth, NULL, &w, &now);
    *asked = rc == CM_AGAIN;
    if (rc != CM_AGAIN)
        return now.result;
    CU_ASSERT_EQUAL_FATAL(npending, 1);
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(pending[0].body, "grant_id")), gid);
    CU_ASSERT_PTR_NULL(json_object_get(pending[0].body, "key_sha256"));
    answer(0, status, json);
    return auth_last.result;
}

static void test_auth_grants(void)
{
    mcp_broker_t *b = mcp_broker_new_fake(fake, NULL);
    mcp_auth_t *a = mcp_auth_new(b, 300, 5, 1000, 30, 10);
    int asked;
    int64_t t = mcp__now_ms();
    CU_ASSERT_EQUAL(check_grant(a, "g", "grant-1", t, &asked, 200, "{\"status\":\"active\",\"version\":1}"),
                    MCP_AUTHZ_OK);
    CU_ASSERT_TRUE(asked);
    t = mcp__now_ms();
    int64_t confirmed = t; /* grant-1's confirmation, stamped with the clock just before */
    CU_ASSERT_EQUAL(check_grant(a, "g", "grant-1", t + 500, &asked, 0, NULL), MCP_AUTHZ_OK); /* cached */
    CU_ASSERT_FALSE(asked);
    /* the key of the same instance and a second grant have their own confirmations; none evicts the others */
    CU_ASSERT_EQUAL(check(a, "g", t + 600, &asked, 200, "{\"status\":\"active\",\"version\":1}"), MCP_AUTHZ_OK);
    CU_ASSERT_TRUE(asked);
    CU_ASSERT_EQUAL(check_grant(a, "g", "grant-2", t + 600, &asked, 200, "{\"status\":\"active\",\"version\":1}"),
                    MCP_AUTHZ_OK);
    CU_ASSERT_TRUE(asked);
    t = mcp__now_ms();
    CU_ASSERT_EQUAL(check_grant(a, "g", "grant-1", t, &asked, 0, NULL), MCP_AUTHZ_OK);
    CU_ASSERT_FALSE(asked);
    CU_ASSERT_EQUAL(check(a, "g", t, &asked, 0, NULL), MCP_AUTHZ_OK);
    CU_ASSERT_FALSE(asked);

    /* a status push does not extend a grant's confirmation: past the status lifetime the grant is asked for again,
       and a revocation the broker could not push is seen then (401 invalid_grant) */
    struct timespec pause = {0, 100 * 1000 * 1000};
    nanosleep(&pause, NULL); /* the push comes 100 ms after the confirmation */
    mcp_auth_set_status(a, "g", "active", NULL, 2);
    CU_ASSERT_EQUAL(check_grant(a, "g", "grant-1", confirmed + 5050, &asked, 401, "{\"code\":\"invalid_grant\"}"),
                    MCP_AUTHZ_BAD_KEY);
    CU_ASSERT_TRUE(asked);
    /* refused again: the confirmation is gone, the broker is asked (and refuses) */
    CU_ASSERT_EQUAL(check_grant(a, "g", "grant-1", t + 5300, &asked, 401, "{\"code\":\"invalid_grant\"}"),
                    MCP_AUTHZ_BAD_KEY);
    CU_ASSERT_TRUE(asked);
    /* an invalid_key answer to a grant is not a grant refusal (unexpected code: the broker is unusable) */
    CU_ASSERT_EQUAL(check_grant(a, "g", "grant-9", t, &asked, 401, "{\"code\":\"invalid_key\"}"),
                    MCP_AUTHZ_UNAVAILABLE);

    /* a pushed revocation: refused at once, without the broker, although grant-2 was confirmed a moment ago */
    t = mcp__now_ms();
    CU_ASSERT_EQUAL(check_grant(a, "g", "grant-2", t, &asked, 0, NULL), MCP_AUTHZ_OK);
    mcp_auth_revoke_grant(a, "g", "grant-2", t);
    CU_ASSERT_EQUAL(mcp_auth_revoked_count(a), 1);
    CU_ASSERT_EQUAL(check_grant(a, "g", "grant-2", t, &asked, 0, NULL), MCP_AUTHZ_BAD_KEY);
    CU_ASSERT_FALSE(asked);
    CU_ASSERT_EQUAL(npending, 0);
    /* only that grant of that instance: the same grant id at another instance is not affected */
    CU_ASSERT_EQUAL(check_grant(a, "h", "grant-2", t, &asked, 200, "{\"status\":\"active\"}"), MCP_AUTHZ_OK);
    CU_ASSERT_EQUAL(check(a, "g", t, &asked, 0, NULL), MCP_AUTHZ_OK);

    /* the push arrives while the broker is being asked: its later 200 does not confirm the revoked grant */
    mcp_auth_wait_t *w;
    mcp_auth_outcome_t now;
    CU_ASSERT_EQUAL(mcp_auth_check_grant(a, "g", "grant-3", t, on_auth, NULL, &w, &now), CM_AGAIN);
    mcp_auth_revoke_grant(a, "g", "grant-3", t);
    answer(0, 200, "{\"status\":\"active\"}");
    CU_ASSERT_EQUAL(auth_last.result, MCP_AUTHZ_BAD_KEY);
    CU_ASSERT_EQUAL(check_grant(a, "g", "grant-3", t, &asked, 0, NULL), MCP_AUTHZ_BAD_KEY);
    CU_ASSERT_FALSE(asked);
    mcp_auth_free(a);
    mcp_broker_free(b);
}

static void test_revoked_set_bounds(void)
{
    mcp_revoked_t *r = mcp_revoked_new(10, 3);
    CU_ASSERT_EQUAL(mcp_revoked_add(r, "i", "g1", 1000), CM_OK);
    CU_ASSERT_TRUE(mcp_revoked_has(r, "i", "g1", 10999));
    CU_ASSERT_FALSE(mcp_revoked_has(r, "j", "g1", 1000));
    CU_ASSERT_FALSE(mcp_revoked_has(r, "i", "g1", 11000)); /* kept 10 s */
    CU_ASSERT_EQUAL(mcp_revoked_count(r), 0);
    for (int i = 0; i < 5; i++) {
        char g[8];
        snprintf(g, sizeof(g), "g%d", i);
        CU_ASSERT_EQUAL(mcp_revoked_add(r, "i", g, 2000 + i), CM_OK);
    }
    CU_ASSERT_EQUAL(mcp_revoked_count(r), 3); /* capacity: the oldest dropped */
    CU_ASSERT_FALSE(mcp_revoked_has(r, "i", "g0", 2010));
    CU_ASSERT_TRUE(mcp_revoked_has(r, "i", "g4", 2010));
    /* a repeated push does not extend the first revocation */
    CU_ASSERT_EQUAL(mcp_revoked_add(r, "i", "g4", 9000), CM_OK);
    CU_ASSERT_FALSE(mcp_revoked_has(r, "i", "g4", 12004));
    mcp_revoked_free(r);
}

void tests_register(void)
{
    CU_SUITE("broker-backed caches", NULL, NULL, {"auth status lifetime", test_auth_status_lifetime},
             {"auth background recheck", test_auth_background_recheck},
             {"auth stale-if-error limits", test_auth_stale_if_error_limits}, {"auth expires_at", test_auth_expires_at},
             {"auth versions", test_auth_versions}, {"token refresh coalescing", test_token_coalescing},
             {"token ordering", test_token_ordering}, {"auth grants of access tokens", test_auth_grants},
             {"revoked grants set bounds", test_revoked_set_bounds});
}
