/* test_push.c - HMAC verification of broker pushes: good, bad signature, stale timestamp, replayed id. */
#include "broker_proto_vectors.h"
#include "common/status.h"
#include "cu.h"
#include "tokens/push.h"

#include <stdio.h>
#include <string.h>

static uint8_t key[CM_BP_KEY_LEN];
static const int64_t NOW = 1800000000;

static int setup(void)
{
    static const char secret[] = "service-secret-for-tests-0123456789";
    return cm_bp_derive_key(secret, sizeof(secret) - 1, CM_BP_PUSH_KEY_LABEL, key) == CM_OK ? 0 : 1;
}

static mcp_push_result_t verify(mcp_push_verifier_t *v, int64_t ts, const char *body, const char *sig_override,
                                int64_t now, json_t **out)
{
    char tsbuf[24], sig[80];
    const char *why = NULL;
    snprintf(tsbuf, sizeof(tsbuf), "%lld", (long long)ts);
    CU_ASSERT_EQUAL(cm_bp_push_sign(key, tsbuf, strlen(tsbuf), body, strlen(body), sig, sizeof(sig)), CM_OK);
    const char *use = sig_override ? sig_override : sig;
    mcp_push_result_t r =
        mcp_push_verify(v, tsbuf, strlen(tsbuf), use, strlen(use), body, strlen(body), now, out, &why);
    CU_ASSERT_PTR_NOT_NULL(why != NULL || r == MCP_PUSH_OK ? (void *)1 : NULL);
    return r;
}

/* A push signed as the broker signs it (the shared known answer) is accepted; one bit off, it is not. */
static void test_shared_vector(void)
{
    uint8_t ones[CM_BP_KEY_LEN];
    memset(ones, 1, sizeof(ones));
    mcp_push_verifier_t *v = mcp_push_verifier_new(ones, 300, 0);
    json_t *body = NULL;
    const char *why = NULL;
    char sig[] = BPV_ONES_SIG;
    const char *b = BPV_ONES_BODY;
    sig[strlen(sig) - 1] ^= 1;
    CU_ASSERT_EQUAL(
        mcp_push_verify(v, BPV_ONES_TS, strlen(BPV_ONES_TS), sig, strlen(sig), b, strlen(b), NOW, &body, &why),
        MCP_PUSH_BAD_SIGNATURE);
    sig[strlen(sig) - 1] ^= 1;
    CU_ASSERT_EQUAL_FATAL(
        mcp_push_verify(v, BPV_ONES_TS, strlen(BPV_ONES_TS), sig, strlen(sig), b, strlen(b), NOW, &body, &why),
        MCP_PUSH_OK);
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(body, "id")), "x");
    json_decref(body);
    mcp_push_verifier_free(v);
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
    cm_bp_push_sign(key, tsbuf, strlen(tsbuf), b, strlen(b), sig, sizeof(sig));
    sig[10] = sig[10] == 'a' ? 'b' : 'a';
    CU_ASSERT_EQUAL(mcp_push_verify(v, tsbuf, strlen(tsbuf), sig, strlen(sig), b, strlen(b), NOW, &body, &why),
                    MCP_PUSH_BAD_SIGNATURE);
    /* body tampering */
    cm_bp_push_sign(key, tsbuf, strlen(tsbuf), b, strlen(b), sig, sizeof(sig));
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
    uint8_t other[CM_BP_KEY_LEN];
    cm_bp_derive_key("other", 5, CM_BP_PUSH_KEY_LABEL, other);
    cm_bp_push_sign(other, tsbuf, strlen(tsbuf), b, strlen(b), sig, sizeof(sig));
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
    CU_SUITE("push", setup, NULL, {"the shared signature vector", test_shared_vector}, {"good", test_good},
             {"bad signature", test_bad_signature}, {"stale timestamp", test_stale}, {"replayed id", test_replay},
             {"full replay cache refuses, never forgets early", test_replay_cache_full});
}
