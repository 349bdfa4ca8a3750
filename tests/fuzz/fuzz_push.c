/*
 * fuzz_push.c - the broker's signed pushes to POST /cache-tokens (mcp-servers/runtime/src/push.c, with the
 * signature check of common/src/broker_proto.c): the X-Broker-Timestamp and X-Broker-Signature headers and the
 * body behind a valid signature.
 *
 * Input: mode byte, then NUL-separated fields.
 *   mode even: timestamp \0 signature \0 body, as they arrive (any bytes).
 *   mode odd:  body only; it is signed with the right key and a current timestamp, so the body parse
 *              and the replay check are reached. An accepted push must be refused the second time.
 */
#include "fuzz.h"

#include "common/status.h"
#include "tokens/push.h"

#define NOW 1700000000

static uint8_t key[CM_BP_KEY_LEN];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    FZ_CHECK(cm_bp_derive_key("fuzz-service-secret", 19, CM_BP_PUSH_KEY_LABEL, key) == CM_OK);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_in_t in = {data, size};
    int signed_here = fz_byte(&in) & 1;
    size_t ts_len = 0, sig_len = 0, body_len = 0;
    char *ts, *sig, *body;
    if (signed_here) {
        char now[32], mac[80];
        snprintf(now, sizeof(now), "%d", NOW - 5);
        ts = strdup(now);
        ts_len = strlen(ts);
        body = fz_strndup(in.p, in.left);
        body_len = in.left;
        FZ_CHECK(cm_bp_push_sign(key, ts, ts_len, body, body_len, mac, sizeof(mac)) == CM_OK);
        sig = strdup(mac);
        sig_len = strlen(sig);
    } else {
        ts = fz_field(&in, &ts_len);
        sig = fz_field(&in, &sig_len);
        body = fz_field(&in, &body_len);
    }
    mcp_push_verifier_t *v = mcp_push_verifier_new(key, 300, 4);
    FZ_CHECK(v != NULL);
    json_t *doc = NULL;
    const char *why = NULL;
    mcp_push_result_t r = mcp_push_verify(v, ts, ts_len, sig, sig_len, body, body_len, NOW, &doc, &why);
    if (r == MCP_PUSH_OK) {
        FZ_CHECK(json_is_object(doc) && json_is_array(json_object_get(doc, "events")));
        json_decref(doc);
        doc = NULL;
        FZ_CHECK(mcp_push_verify(v, ts, ts_len, sig, sig_len, body, body_len, NOW, &doc, &why) == MCP_PUSH_REPLAYED);
        FZ_CHECK(doc == NULL);
    } else {
        FZ_CHECK(doc == NULL && why != NULL);
        FZ_CHECK(!signed_here || r == MCP_PUSH_MALFORMED);
    }
    mcp_push_verifier_free(v);
    free(ts);
    free(sig);
    free(body);
    return 0;
}
