/* test_access_tokens.c - local verification of the broker's access tokens (tokens/jwt.h) against keys made here
 * with common/jose, and the JWKS cache (tokens/jwks.h) against a scripted fetcher: first use, unknown kid refetch
 * rate limit, failures, Cache-Control max-age bounds, waiters. */
#include "common/crypto.h"
#include "common/status.h"
#include "cu.h"
#include "tokens/jwks.h"
#include "tokens/jwt.h"
#include "tokens/verified.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define ISS "http://127.0.0.1:4100"
#define AUD_A "http://127.0.0.1:4200/inst-a/mcp"
#define AUD_SVC "http://127.0.0.1:4200/mcp"

static cm_jwk_t *k1, *k2;

static int setup(void)
{
    return cm_jwk_generate_es256("k1", &k1) == CM_OK && cm_jwk_generate_es256("k2", &k2) == CM_OK ? 0 : -1;
}

static int teardown(void)
{
    cm_jwk_free(k1);
    cm_jwk_free(k2);
    return 0;
}

/* the clock skew run() allows; the tests set it back to the default */
static int leeway = MCP_JWT_LEEWAY_S_DEFAULT;

/* The claims of a good token for inst-a at its instance URL, issued now. Caller decrefs. */
static json_t *claims(int64_t now)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:s}", "iss", ISS, "aud", AUD_A, "sub", "inst-a",
                     "client_id", "https://client.example/cimd", "scope", "mcp:read mcp:write", "gid",
                     "0b0e8c3e-7d7f-4d4b-9a57-3c2b1d0e9f11", "iat", (json_int_t)now, "nbf", (json_int_t)now, "exp",
                     (json_int_t)(now + 3600), "jti", "j1");
}

/* Signs c (stolen) with k and typ, parses it; verifies against key with expectations (instance NULL = service). */
static cm_jwt_fail_t run(const cm_jwk_t *k, const char *typ, json_t *c, const cm_jwk_t *key, const char *aud,
                         const char *instance, int64_t now, mcp_jwt_claims_t *out)
{
    char *tok = NULL;
    cm_jws_parsed_t p;
    CU_ASSERT_EQUAL_FATAL(cm_jws_sign(k, typ, c, &tok), CM_OK);
    json_decref(c);
    CU_ASSERT_TRUE(mcp_jwt_shaped(tok, strlen(tok)));
    CU_ASSERT_EQUAL_FATAL(cm_jws_parse(tok, strlen(tok), &p), CM_OK);
    mcp_jwt_expect_t e = {.iss = ISS, .aud = aud, .instance = instance, .now = now, .leeway_s = leeway};
    cm_jwt_fail_t f = mcp_jwt_verify(&p, key, &e, out);
    cm_jws_parsed_free(&p);
    free(tok);
    return f;
}

static cm_jwt_fail_t verify_text(const char *tok, int64_t now)
{
    cm_jws_parsed_t p;
    mcp_jwt_claims_t out;
    if (cm_jws_parse(tok, strlen(tok), &p) != CM_OK)
        return CM_JWT_MALFORMED;
    mcp_jwt_expect_t e = {
        .iss = ISS, .aud = AUD_A, .instance = "inst-a", .now = now, .leeway_s = MCP_JWT_LEEWAY_S_DEFAULT};
    cm_jwt_fail_t f = mcp_jwt_verify(&p, k1, &e, &out);
    cm_jws_parsed_free(&p);
    return f;
}

static char *b64(const char *s)
{
    return cm_b64url_encode(s, strlen(s));
}

static void test_shape_and_scopes(void)
{
    CU_ASSERT_TRUE(mcp_jwt_shaped("a.b.c", 5));
    CU_ASSERT_TRUE(mcp_jwt_shaped("a.b.", 4)); /* alg none: an empty signature still takes the token path */
    CU_ASSERT_FALSE(mcp_jwt_shaped("a.b", 3));
    CU_ASSERT_FALSE(mcp_jwt_shaped("a.b.c.d", 7));
    CU_ASSERT_FALSE(mcp_jwt_shaped(".b.c", 4));
    CU_ASSERT_FALSE(mcp_jwt_shaped("a..c", 4));
    CU_ASSERT_FALSE(mcp_jwt_shaped("a.b+.c", 6));
    CU_ASSERT_FALSE(mcp_jwt_shaped("0123456789abcdef0123456789abcdef", 32)); /* an instance key */
    CU_ASSERT_EQUAL(mcp_jwt_scopes("mcp:read mcp:write"), MCP_SCOPE_READ | MCP_SCOPE_WRITE);
    CU_ASSERT_EQUAL(mcp_jwt_scopes("mcp:read"), MCP_SCOPE_READ);
    CU_ASSERT_EQUAL(mcp_jwt_scopes("  mcp:write  other"), MCP_SCOPE_WRITE);
    CU_ASSERT_EQUAL(mcp_jwt_scopes("mcp:reader mcp:writes"), 0);
    CU_ASSERT_EQUAL(mcp_jwt_scopes(NULL), 0);
}

static void test_verify_claims(void)
{
    int64_t now = (int64_t)time(NULL);
    mcp_jwt_claims_t out;
    CU_ASSERT_EQUAL(run(k1, "at+jwt", claims(now), k1, AUD_A, "inst-a", now, &out), CM_JWT_OK);
    CU_ASSERT_STRING_EQUAL(out.sub, "inst-a");
    CU_ASSERT_STRING_EQUAL(out.gid, "0b0e8c3e-7d7f-4d4b-9a57-3c2b1d0e9f11");
    CU_ASSERT_EQUAL(out.scopes, MCP_SCOPE_READ | MCP_SCOPE_WRITE);
    CU_ASSERT_EQUAL(run(k1, "application/at+jwt", claims(now), k1, AUD_A, "inst-a", now, &out), CM_JWT_OK);

    /* the service URL: aud is <public>/mcp, the instance comes from sub */
    json_t *c = claims(now);
    json_object_set_new(c, "aud", json_string(AUD_SVC));
    CU_ASSERT_EQUAL(run(k1, "at+jwt", c, k1, AUD_SVC, NULL, now, &out), CM_JWT_OK);
    CU_ASSERT_STRING_EQUAL(out.sub, "inst-a");
    /* ... and that token at an instance URL (of its own instance too) is refused */
    c = claims(now);
    json_object_set_new(c, "aud", json_string(AUD_SVC));
    CU_ASSERT_EQUAL(run(k1, "at+jwt", c, k1, AUD_A, "inst-a", now, &out), CM_JWT_BAD_AUD);

    /* a token for inst-a at inst-b's URL; another service (another port) */
    CU_ASSERT_EQUAL(run(k1, "at+jwt", claims(now), k1, "http://127.0.0.1:4200/inst-b/mcp", "inst-b", now, &out),
                    CM_JWT_BAD_AUD);
    CU_ASSERT_EQUAL(run(k1, "at+jwt", claims(now), k1, "http://127.0.0.1:4300/inst-a/mcp", "inst-a", now, &out),
                    CM_JWT_BAD_AUD);
    /* aud right but sub another instance */
    c = claims(now);
    json_object_set_new(c, "sub", json_string("inst-b"));
    CU_ASSERT_EQUAL(run(k1, "at+jwt", c, k1, AUD_A, "inst-a", now, &out), CM_JWT_BAD_AUD);

    c = claims(now);
    json_object_set_new(c, "iss", json_string("http://127.0.0.1:4101"));
    CU_ASSERT_EQUAL(run(k1, "at+jwt", c, k1, AUD_A, "inst-a", now, &out), CM_JWT_BAD_ISS);

    /* times, 60 s leeway */
    CU_ASSERT_EQUAL(run(k1, "at+jwt", claims(now - 3600 - 30), k1, AUD_A, "inst-a", now, &out), CM_JWT_OK);
    CU_ASSERT_EQUAL(run(k1, "at+jwt", claims(now - 3600 - 61), k1, AUD_A, "inst-a", now, &out), CM_JWT_EXPIRED);
    /* an operator's smaller leeway (MCP_JWT_LEEWAY_S): 0 s refuses what 60 s accepts */
    leeway = 0;
    CU_ASSERT_EQUAL(run(k1, "at+jwt", claims(now - 3600 - 30), k1, AUD_A, "inst-a", now, &out), CM_JWT_EXPIRED);
    CU_ASSERT_EQUAL(run(k1, "at+jwt", claims(now - 3600 + 1), k1, AUD_A, "inst-a", now, &out), CM_JWT_OK);
    CU_ASSERT_EQUAL(run(k1, "at+jwt", claims(now + 5), k1, AUD_A, "inst-a", now, &out), CM_JWT_NOT_YET_VALID);
    leeway = MCP_JWT_LEEWAY_S_DEFAULT;
    c = claims(now);
    json_object_set_new(c, "nbf", json_integer(now + 120));
    CU_ASSERT_EQUAL(run(k1, "at+jwt", c, k1, AUD_A, "inst-a", now, &out), CM_JWT_NOT_YET_VALID);
    c = claims(now);
    json_object_set_new(c, "iat", json_integer(now + 120));
    CU_ASSERT_EQUAL(run(k1, "at+jwt", c, k1, AUD_A, "inst-a", now, &out), CM_JWT_NOT_YET_VALID);
    c = claims(now);
    json_object_del(c, "exp");
    CU_ASSERT_NOT_EQUAL(run(k1, "at+jwt", c, k1, AUD_A, "inst-a", now, &out), CM_JWT_OK);
    c = claims(now);
    json_object_del(c, "iat");
    CU_ASSERT_EQUAL(run(k1, "at+jwt", c, k1, AUD_A, "inst-a", now, &out), CM_JWT_MALFORMED);
    c = claims(now);
    json_object_del(c, "gid");
    CU_ASSERT_EQUAL(run(k1, "at+jwt", c, k1, AUD_A, "inst-a", now, &out), CM_JWT_MALFORMED);

    /* header: typ required and at+jwt */
    CU_ASSERT_EQUAL(run(k1, NULL, claims(now), k1, AUD_A, "inst-a", now, &out), CM_JWT_BAD_TYP);
    CU_ASSERT_EQUAL(run(k1, "JWT", claims(now), k1, AUD_A, "inst-a", now, &out), CM_JWT_BAD_TYP);
    /* signed by another key */
    CU_ASSERT_EQUAL(run(k2, "at+jwt", claims(now), k1, AUD_A, "inst-a", now, &out), CM_JWT_BAD_SIGNATURE);
}

static void test_forged_tokens(void)
{
    int64_t now = (int64_t)time(NULL);
    char *tok = NULL, buf[4096];
    json_t *c = claims(now);
    CU_ASSERT_EQUAL_FATAL(cm_jws_sign(k1, "at+jwt", c, &tok), CM_OK);
    CU_ASSERT_EQUAL(verify_text(tok, now), CM_JWT_OK);
    char *dot1 = strchr(tok, '.'), *dot2 = strrchr(tok, '.');

    /* tampered payload (another scope), signature kept */
    json_object_set_new(c, "sub", json_string("inst-a"));
    json_object_set_new(c, "scope", json_string("mcp:read mcp:write admin"));
    char *pl_text = json_dumps(c, JSON_COMPACT), *pl = b64(pl_text);
    snprintf(buf, sizeof(buf), "%.*s.%s%s", (int)(dot1 - tok), tok, pl, dot2);
    CU_ASSERT_EQUAL(verify_text(buf, now), CM_JWT_BAD_SIGNATURE);
    /* one bit of the signature flipped */
    snprintf(buf, sizeof(buf), "%s", tok);
    char *last = buf + strlen(buf) - 2;
    *last = *last == 'A' ? 'B' : 'A';
    CU_ASSERT_EQUAL(verify_text(buf, now), CM_JWT_BAD_SIGNATURE);

    /* alg none, with and without a signature part */
    char *h_none = b64("{\"alg\":\"none\",\"typ\":\"at+jwt\",\"kid\":\"k1\"}");
    snprintf(buf, sizeof(buf), "%s.%s.", h_none, pl);
    CU_ASSERT_EQUAL(verify_text(buf, now), CM_JWT_BAD_ALG);
    snprintf(buf, sizeof(buf), "%s.%s.%s", h_none, pl, dot2 + 1);
    CU_ASSERT_EQUAL(verify_text(buf, now), CM_JWT_BAD_ALG);

    /* HS256 with the public key (its JWK text) as the HMAC secret: the classic key-confusion forgery */
    json_t *pub = cm_jwk_export(k1, 0);
    char *pub_text = json_dumps(pub, JSON_COMPACT),
         *h_hs = b64("{\"alg\":\"HS256\",\"typ\":\"at+jwt\",\"kid\":\"k1\"}");
    char signing[3000];
    snprintf(signing, sizeof(signing), "%s.%s", h_hs, pl);
    uint8_t mac[32];
    cm_hmac_sha256(pub_text, strlen(pub_text), signing, strlen(signing), mac);
    char *mac64 = cm_b64url_encode(mac, 32);
    snprintf(buf, sizeof(buf), "%s.%s", signing, mac64);
    CU_ASSERT_EQUAL(verify_text(buf, now), CM_JWT_BAD_ALG);
    /* ES384 / RS256 names are refused too: ES256 is the only algorithm an access token may use */
    char *h_rs = b64("{\"alg\":\"RS256\",\"typ\":\"at+jwt\",\"kid\":\"k1\"}");
    snprintf(buf, sizeof(buf), "%s.%s%s", h_rs, pl, dot2);
    CU_ASSERT_EQUAL(verify_text(buf, now), CM_JWT_BAD_ALG);

    free(h_rs);
    free(mac64);
    free(h_hs);
    free(pub_text);
    json_decref(pub);
    free(h_none);
    free(pl);
    free(pl_text);
    json_decref(c);
    free(tok);
}

/* ------------------------------------------------------------------ JWKS cache */

static struct {
    int calls;
    mcp_jwks_done_fn done;
    void *done_arg;
    int fail_start;
} fetcher;

static int fake_fetch(void *ctx, const char *url, mcp_jwks_done_fn done, void *done_arg)
{
    (void)ctx;
    CU_ASSERT_STRING_EQUAL(url, ISS "/as/jwks.json");
    if (fetcher.fail_start)
        return CM_EIO;
    CU_ASSERT_PTR_NULL(fetcher.done); /* one fetch at a time */
    fetcher.calls++;
    fetcher.done = done;
    fetcher.done_arg = done_arg;
    return CM_AGAIN;
}

/* Answers the pending fetch with the public parts of the given keys (n = 0: status 503). */
static void answer_fetch(const cm_jwk_t *a, const cm_jwk_t *b, long max_age)
{
    CU_ASSERT_PTR_NOT_NULL_FATAL(fetcher.done);
    mcp_jwks_done_fn done = fetcher.done;
    fetcher.done = NULL;
    if (a == NULL) {
        done(fetcher.done_arg, 503, "{}", 2, -1);
        return;
    }
    json_t *set = json_pack("{s:[]}", "keys");
    json_array_append_new(json_object_get(set, "keys"), cm_jwk_export(a, 0));
    if (b != NULL)
        json_array_append_new(json_object_get(set, "keys"), cm_jwk_export(b, 0));
    char *text = json_dumps(set, JSON_COMPACT);
    done(fetcher.done_arg, 200, text, strlen(text), max_age);
    free(text);
    json_decref(set);
}

static int woken;
static void on_wake(void *arg)
{
    (void)arg;
    woken++;
}

static int lookup(mcp_jwks_t *j, const char *kid, int64_t now, const cm_jwk_t **key)
{
    mcp_jwks_wait_t *w;
    return mcp_jwks_lookup(j, kid, now, on_wake, NULL, &w, key);
}

static void test_jwks_cache(void)
{
    memset(&fetcher, 0, sizeof(fetcher));
    woken = 0;
    mcp_jwks_t *j = mcp_jwks_new(ISS "/as/jwks.json", NULL, fake_fetch, NULL, 0);
    const cm_jwk_t *key;
    int64_t t = 1000000;
    /* first use: fetched, the request waits; two requests share the fetch */
    CU_ASSERT_EQUAL(lookup(j, "k1", t, &key), CM_AGAIN);
    CU_ASSERT_EQUAL(lookup(j, "k1", t, &key), CM_AGAIN);
    CU_ASSERT_EQUAL(fetcher.calls, 1);
    answer_fetch(k1, NULL, 300);
    CU_ASSERT_EQUAL(woken, 2);
    CU_ASSERT_EQUAL(lookup(j, "k1", t + 10, &key), CM_OK);
    CU_ASSERT_STRING_EQUAL(cm_jwk_kid(key), "k1");
    /* an unknown kid: refetched (the broker rotated), found after the fetch */
    CU_ASSERT_EQUAL(lookup(j, "k2", t + 31000, &key), CM_AGAIN);
    CU_ASSERT_EQUAL(fetcher.calls, 2);
    answer_fetch(k1, k2, 300);
    CU_ASSERT_EQUAL(lookup(j, "k2", t + 31000, &key), CM_OK);
    /* still unknown after a fetch: refused; no other fetch for 30 s however many tokens name unknown kids */
    CU_ASSERT_EQUAL(lookup(j, "k9", t + 32000, &key), CM_ENOTFOUND);
    CU_ASSERT_EQUAL(lookup(j, "k8", t + 60000, &key), CM_ENOTFOUND);
    CU_ASSERT_EQUAL(fetcher.calls, 2);
    CU_ASSERT_EQUAL(lookup(j, "k9", t + 61000, &key), CM_AGAIN);
    CU_ASSERT_EQUAL(fetcher.calls, 3);
    answer_fetch(k1, k2, 300);
    CU_ASSERT_EQUAL(lookup(j, "k9", t + 61000, &key), CM_ENOTFOUND);
    /* past max-age (300 s from the last fetch): the key is still used, the set refetched in the background */
    CU_ASSERT_EQUAL(lookup(j, "k1", t + 61000 + 299000, &key), CM_OK);
    CU_ASSERT_EQUAL(fetcher.calls, 3);
    CU_ASSERT_EQUAL(lookup(j, "k1", t + 61000 + 300000, &key), CM_OK);
    CU_ASSERT_EQUAL(fetcher.calls, 4);
    /* that fetch fails: the keys stay */
    answer_fetch(NULL, NULL, -1);
    CU_ASSERT_EQUAL(lookup(j, "k2", t + 361500, &key), CM_OK);
    mcp_jwks_stats_t st;
    mcp_jwks_get_stats(j, t + 361500, &st);
    CU_ASSERT_EQUAL(st.keys, 2);
    CU_ASSERT_EQUAL(st.fetches, 4);
    CU_ASSERT_EQUAL(st.failures, 1);
    mcp_jwks_free(j);

    /* max-age below the floor counts as 60 s; above the ceiling as 3600 s */
    memset(&fetcher, 0, sizeof(fetcher));
    j = mcp_jwks_new(ISS "/as/jwks.json", NULL, fake_fetch, NULL, 0);
    CU_ASSERT_EQUAL(lookup(j, "k1", t, &key), CM_AGAIN);
    answer_fetch(k1, NULL, 1);
    CU_ASSERT_EQUAL(lookup(j, "k1", t + 59000, &key), CM_OK);
    CU_ASSERT_EQUAL(fetcher.calls, 1);
    CU_ASSERT_EQUAL(lookup(j, "k1", t + 60000, &key), CM_OK);
    CU_ASSERT_EQUAL(fetcher.calls, 2);
    answer_fetch(k1, NULL, 999999);
    CU_ASSERT_EQUAL(lookup(j, "k1", t + 60000 + 3599000, &key), CM_OK);
    CU_ASSERT_EQUAL(fetcher.calls, 2);
    CU_ASSERT_EQUAL(lookup(j, "k1", t + 60000 + 3600000, &key), CM_OK);
    CU_ASSERT_EQUAL(fetcher.calls, 3);
    mcp_jwks_free(j); /* freed with the fetch in flight: the late answer reaches nobody */
    woken = 0;
    answer_fetch(k1, NULL, 300);
    CU_ASSERT_EQUAL(woken, 0);

    /* the broker unreachable at first use: EIO (503 for the request), retried after 1 s, not before */
    memset(&fetcher, 0, sizeof(fetcher));
    j = mcp_jwks_new(ISS "/as/jwks.json", NULL, fake_fetch, NULL, 0);
    CU_ASSERT_EQUAL(lookup(j, "k1", t, &key), CM_AGAIN);
    answer_fetch(NULL, NULL, -1);
    CU_ASSERT_EQUAL(lookup(j, "k1", t + 500, &key), CM_EIO);
    CU_ASSERT_EQUAL(fetcher.calls, 1);
    fetcher.fail_start = 1;
    CU_ASSERT_EQUAL(lookup(j, "k1", t + 1000, &key), CM_EIO); /* could not even start */
    fetcher.fail_start = 0;
    CU_ASSERT_EQUAL(lookup(j, "k1", t + 2000, &key), CM_AGAIN);
    /* a cancelled waiter is not called */
    mcp_jwks_wait_t *w;
    woken = 0;
    CU_ASSERT_EQUAL(mcp_jwks_lookup(j, "k1", t + 2000, on_wake, NULL, &w, &key), CM_AGAIN);
    mcp_jwks_cancel(w);
    answer_fetch(k1, NULL, 300);
    CU_ASSERT_EQUAL(woken, 1);
    CU_ASSERT_EQUAL(lookup(j, "k1", t + 2000, &key), CM_OK);
    /* a kid-less token is accepted only when the set has exactly one key */
    CU_ASSERT_EQUAL(lookup(j, NULL, t + 2000, &key), CM_OK);
    mcp_jwks_free(j);
}

static void test_verified_cache(void)
{
    mcp_verified_t *v = mcp_verified_new(2, MCP_JWT_LEEWAY_S_DEFAULT);
    mcp_jwt_claims_t c = {.sub = "inst-a", .gid = "g1", .scopes = MCP_SCOPE_READ, .exp = 10000, .not_before = 6400};
    mcp_jwt_claims_t out;
    const char *tok = "aaa.bbb.ccc";
    CU_ASSERT_FALSE(mcp_verified_get(v, tok, strlen(tok), AUD_A, 7000, &out));
    mcp_verified_put(v, tok, strlen(tok), AUD_A, &c);
    CU_ASSERT_TRUE(mcp_verified_get(v, tok, strlen(tok), AUD_A, 7000, &out));
    CU_ASSERT_STRING_EQUAL(out.gid, "g1");
    CU_ASSERT_EQUAL(out.scopes, MCP_SCOPE_READ);
    /* only for the resource it was verified for, only that exact token */
    CU_ASSERT_FALSE(mcp_verified_get(v, tok, strlen(tok), AUD_SVC, 7000, &out));
    CU_ASSERT_FALSE(mcp_verified_get(v, "aaa.bbb.ccd", 11, AUD_A, 7000, &out));
    CU_ASSERT_FALSE(mcp_verified_get(v, "aaa.bbX.ccc", 11, AUD_A, 7000, &out)); /* the signature reused on another
                                                                                    payload */
    CU_ASSERT_TRUE(mcp_verified_get(v, tok, strlen(tok), AUD_A, 7000, &out));   /* ... did not evict the real one */
    CU_ASSERT_FALSE(mcp_verified_get(v, tok, strlen(tok) - 1, AUD_A, 7000, &out));
    /* the window with the leeway: nbf/iat 6400, exp 10000 */
    CU_ASSERT_TRUE(mcp_verified_get(v, tok, strlen(tok), AUD_A, 6340, &out));
    CU_ASSERT_FALSE(mcp_verified_get(v, tok, strlen(tok), AUD_A, 6339, &out)); /* and dropped */
    mcp_verified_put(v, tok, strlen(tok), AUD_A, &c);
    CU_ASSERT_TRUE(mcp_verified_get(v, tok, strlen(tok), AUD_A, 10060, &out));
    CU_ASSERT_FALSE(mcp_verified_get(v, tok, strlen(tok), AUD_A, 10061, &out));
    CU_ASSERT_EQUAL(mcp_verified_count(v), 0);
    /* bounded */
    mcp_verified_put(v, "a.b.c1", 6, AUD_A, &c);
    mcp_verified_put(v, "a.b.c2", 6, AUD_A, &c);
    mcp_verified_put(v, "a.b.c3", 6, AUD_A, &c);
    CU_ASSERT_EQUAL(mcp_verified_count(v), 2);
    CU_ASSERT_FALSE(mcp_verified_get(v, "a.b.c1", 6, AUD_A, 7000, &out));
    mcp_verified_free(v);
    /* a smaller leeway shortens the window the same way */
    v = mcp_verified_new(2, 5);
    mcp_verified_put(v, tok, strlen(tok), AUD_A, &c);
    CU_ASSERT_TRUE(mcp_verified_get(v, tok, strlen(tok), AUD_A, 10005, &out));
    CU_ASSERT_FALSE(mcp_verified_get(v, tok, strlen(tok), AUD_A, 10006, &out));
    mcp_verified_free(v);

    /* verification fills the window from the token: not_before = the later of nbf and iat */
    int64_t now = (int64_t)time(NULL);
    json_t *cl = claims(now);
    json_object_set_new(cl, "nbf", json_integer(now + 30));
    mcp_jwt_claims_t got;
    CU_ASSERT_EQUAL(run(k1, "at+jwt", cl, k1, AUD_A, "inst-a", now, &got), CM_JWT_OK);
    CU_ASSERT_EQUAL(got.not_before, now + 30);
    CU_ASSERT_EQUAL(got.exp, now + 3600);
}

void tests_register(void)
{
    CU_SUITE("access tokens", setup, teardown, {"JWS shape and scopes", test_shape_and_scopes},
             {"claims, audience, times, typ, keys", test_verify_claims},
             {"forged tokens: tampered, alg none, HS256 key confusion", test_forged_tokens},
             {"JWKS cache", test_jwks_cache}, {"verified tokens cache", test_verified_cache});
}
