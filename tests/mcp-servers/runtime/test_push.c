/* test_push.c - HMAC verification of broker pushes: good, bad signature, stale timestamp, replayed id. */
#include "common/status.h"
#include "cu.h"
#include "mcp/push.h"

#include <stdio.h>
#include <string.h>

static uint8_t key[MCP_KEY_LEN];
static const int64_t NOW = 1800000000;

static int setup(void)
{
    static const char secret[] = "service-secret-for-tests-0123456789";
    return mcp_derive_key(secret, sizeof(secret) - 1, MCP_PUSH_KEY_INFO, key) == CM_OK ? 0 : 1;
}

static mcp_push_result_t verify(mcp_push_verifier_t *v, int64_t ts, const char *body, const char *sig_override,
                                int64_t now, json_t **out)
{
    char tsbuf[24], sig[80];
    const char *why = NULL;
    snprintf(tsbuf, sizeof(tsbuf), "%lld", (long long)ts);
    CU_ASSERT_EQUAL(mcp_push_sign(key, tsbuf, body, strlen(body), sig, sizeof(sig)), CM_OK);
    const char *use = sig_override ? sig_override : sig;
    mcp_push_result_t r =
        mcp_push_verify(v, tsbuf, strlen(tsbuf), use, strlen(use), body, strlen(body), now, out, &why);
    CU_ASSERT_PTR_NOT_NULL(why != NULL || r == MCP_PUSH_OK ? (void *)1 : NULL);
    return r;
}

static void test_derivation(void)
{
    uint8_t a[MCP_KEY_LEN], b[MCP_KEY_LEN];
    CU_ASSERT_EQUAL(mcp_derive_key("s", 1, MCP_PUSH_KEY_INFO, a), CM_OK);
    CU_ASSERT_EQUAL(mcp_derive_key("s", 1, MCP_SERVICE_BEARER_INFO, b), CM_OK);
    CU_ASSERT_NOT_EQUAL(memcmp(a, b, MCP_KEY_LEN), 0); /* one key per purpose */
    CU_ASSERT_EQUAL(mcp_derive_key("s", 1, MCP_PUSH_KEY_INFO, b), CM_OK);
    CU_ASSERT_EQUAL(memcmp(a, b, MCP_KEY_LEN), 0);
    CU_ASSERT_NOT_EQUAL(mcp_derive_key("", 0, MCP_PUSH_KEY_INFO, b), CM_OK);
    /* RFC 5869 test case 3 (no salt, no info) pins the construction */
    uint8_t ikm[22], okm[MCP_KEY_LEN];
    memset(ikm, 0x0b, sizeof(ikm));
    CU_ASSERT_EQUAL(mcp_derive_key(ikm, sizeof(ikm), "", okm), CM_OK);
    static const uint8_t expect[8] = {0x8d, 0xa4, 0xe7, 0x75, 0xa5, 0x63, 0xc1, 0x8f};
    CU_ASSERT_EQUAL(memcmp(okm, expect, sizeof(expect)), 0);
}

static void test_good(void)
{
    mcp_push_verifier_t *v = mcp_push_verifier_new(key, 300, 0);
    json_t *body = NULL;
    const char *b = "{\"id\":\"p-1\",\"events\":[{\"type\":\"invalidate\",\"instance_id\":\"i1\"}]}";
    CU_ASSERT_EQUAL(verify(v, NOW, b, NULL, NOW, &body), MCP_PUSH_OK);
    CU_ASSERT_PTR_NOT_NULL(body);
    CU_ASSERT_EQUAL(json_array_size(json_object_get(body, "events")), 1);
    json_decref(body);
    /* clock skew inside the window is fine */
    CU_ASSERT_EQUAL(verify(v, NOW + 299, "{\"id\":\"p-2\",\"events\":[]}", NULL, NOW, &body), MCP_PUSH_OK);
    json_decref(body);
    mcp_push_verifier_free(v);
}

static void test_bad_signature(void)
{
    mcp_push_verifier_t *v = mcp_push_verifier_new(key, 300, 0);
    json_t *body = NULL;
    const char *b = "{\"id\":\"p-1\",\"events\":[]}";
    char tsbuf[24], sig[80];
    const char *why;
    snprintf(tsbuf, sizeof(tsbuf), "%lld", (long long)NOW);
    mcp_push_sign(key, tsbuf, b, strlen(b), sig, sizeof(sig));
    sig[10] = sig[10] == 'a' ? 'b' : 'a';
    CU_ASSERT_EQUAL(mcp_push_verify(v, tsbuf, strlen(tsbuf), sig, strlen(sig), b, strlen(b), NOW, &body, &why),
                    MCP_PUSH_BAD_SIGNATURE);
    /* body tampering */
    mcp_push_sign(key, tsbuf, b, strlen(b), sig, sizeof(sig));
    const char *b2 = "{\"id\":\"p-1\",\"events\":[1]}";
    CU_ASSERT_EQUAL(mcp_push_verify(v, tsbuf, strlen(tsbuf), sig, strlen(sig), b2, strlen(b2), NOW, &body, &why),
                    MCP_PUSH_BAD_SIGNATURE);
    /* the timestamp is signed too */
    CU_ASSERT_EQUAL(mcp_push_verify(v, "1800000001", 10, sig, strlen(sig), b, strlen(b), NOW, &body, &why),
                    MCP_PUSH_BAD_SIGNATURE);
    /* malformed headers */
    CU_ASSERT_EQUAL(mcp_push_verify(v, NULL, 0, sig, strlen(sig), b, strlen(b), NOW, &body, &why), MCP_PUSH_MALFORMED);
    CU_ASSERT_EQUAL(mcp_push_verify(v, "12a", 3, sig, strlen(sig), b, strlen(b), NOW, &body, &why), MCP_PUSH_MALFORMED);
    CU_ASSERT_EQUAL(mcp_push_verify(v, tsbuf, strlen(tsbuf), sig + 7, 64, b, strlen(b), NOW, &body, &why),
                    MCP_PUSH_MALFORMED);
    CU_ASSERT_EQUAL(mcp_push_verify(v, tsbuf, strlen(tsbuf), NULL, 0, b, strlen(b), NOW, &body, &why),
                    MCP_PUSH_MALFORMED);
    sig[20] = 'z';
    CU_ASSERT_EQUAL(mcp_push_verify(v, tsbuf, strlen(tsbuf), sig, strlen(sig), b, strlen(b), NOW, &body, &why),
                    MCP_PUSH_MALFORMED);
    /* a signature made with another key */
    uint8_t other[MCP_KEY_LEN];
    mcp_derive_key("other", 5, MCP_PUSH_KEY_INFO, other);
    mcp_push_sign(other, tsbuf, b, strlen(b), sig, sizeof(sig));
    CU_ASSERT_EQUAL(mcp_push_verify(v, tsbuf, strlen(tsbuf), sig, strlen(sig), b, strlen(b), NOW, &body, &why),
                    MCP_PUSH_BAD_SIGNATURE);
    CU_ASSERT_PTR_NULL(body);
    /* nothing was recorded: the genuine push is still accepted */
    CU_ASSERT_EQUAL(verify(v, NOW, b, NULL, NOW, &body), MCP_PUSH_OK);
    json_decref(body);
    mcp_push_verifier_free(v);
}

static void test_stale(void)
{
    mcp_push_verifier_t *v = mcp_push_verifier_new(key, 300, 0);
    json_t *body = NULL;
    CU_ASSERT_EQUAL(verify(v, NOW - 301, "{\"id\":\"a\",\"events\":[]}", NULL, NOW, &body), MCP_PUSH_STALE);
    CU_ASSERT_EQUAL(verify(v, NOW + 301, "{\"id\":\"b\",\"events\":[]}", NULL, NOW, &body), MCP_PUSH_STALE);
    CU_ASSERT_EQUAL(verify(v, 0, "{\"id\":\"c\",\"events\":[]}", NULL, NOW, &body), MCP_PUSH_STALE);
    CU_ASSERT_PTR_NULL(body);
    mcp_push_verifier_free(v);
}

static void test_replay(void)
{
    mcp_push_verifier_t *v = mcp_push_verifier_new(key, 300, 0);
    json_t *body = NULL;
    const char *b = "{\"id\":\"once\",\"events\":[]}";
    CU_ASSERT_EQUAL(verify(v, NOW, b, NULL, NOW, &body), MCP_PUSH_OK);
    json_decref(body);
    body = NULL;
    CU_ASSERT_EQUAL(verify(v, NOW, b, NULL, NOW + 1, &body), MCP_PUSH_REPLAYED);
    CU_ASSERT_PTR_NULL(body);
    /* same id, fresh timestamp: still a replay */
    CU_ASSERT_EQUAL(verify(v, NOW + 200, b, NULL, NOW + 200, &body), MCP_PUSH_REPLAYED);
    /* bad bodies */
    CU_ASSERT_EQUAL(verify(v, NOW, "{\"events\":[]}", NULL, NOW, &body), MCP_PUSH_MALFORMED);
    CU_ASSERT_EQUAL(verify(v, NOW, "{\"id\":\"x\"}", NULL, NOW, &body), MCP_PUSH_MALFORMED);
    CU_ASSERT_EQUAL(verify(v, NOW, "not json", NULL, NOW, &body), MCP_PUSH_MALFORMED);
    mcp_push_verifier_free(v);
}

/* A full replay cache never forgets an id still inside the window: new pushes are refused instead. */
static void test_replay_cache_full(void)
{
    mcp_push_verifier_t *v = mcp_push_verifier_new(key, 300, 3);
    json_t *body = NULL;
    char b[64];
    for (int i = 0; i < 3; i++) {
        snprintf(b, sizeof(b), "{\"id\":\"p%d\",\"events\":[]}", i);
        CU_ASSERT_EQUAL(verify(v, NOW + i, b, NULL, NOW + i, &body), MCP_PUSH_OK);
        json_decref(body);
        body = NULL;
    }
    CU_ASSERT_EQUAL(verify(v, NOW + 10, "{\"id\":\"p3\",\"events\":[]}", NULL, NOW + 10, &body), MCP_PUSH_BUSY);
    CU_ASSERT_PTR_NULL(body);
    /* the oldest id is still remembered: its replay is still detected */
    CU_ASSERT_EQUAL(verify(v, NOW + 20, "{\"id\":\"p0\",\"events\":[]}", NULL, NOW + 20, &body), MCP_PUSH_REPLAYED);
    /* once the oldest has left the window (2 * 300 s after it was accepted), there is room again */
    CU_ASSERT_EQUAL(verify(v, NOW + 601, "{\"id\":\"p3\",\"events\":[]}", NULL, NOW + 601, &body), MCP_PUSH_OK);
    json_decref(body);
    body = NULL;
    CU_ASSERT_EQUAL(verify(v, NOW + 601, "{\"id\":\"p4\",\"events\":[]}", NULL, NOW + 601, &body), MCP_PUSH_BUSY);
    mcp_push_verifier_free(v);
}

void tests_register(void)
{
    CU_SUITE("push", setup, NULL, {"key derivation", test_derivation}, {"good", test_good},
             {"bad signature", test_bad_signature}, {"stale timestamp", test_stale}, {"replayed id", test_replay},
             {"full replay cache refuses, never forgets early", test_replay_cache_full});
}
