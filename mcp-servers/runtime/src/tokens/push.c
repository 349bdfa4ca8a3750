/*
 * push.c - HMAC-SHA256 push verification with a timestamp window and replay rejection (see tokens/push.h).
 */
#include "tokens/push.h"
#include "common/crypto.h"
#include "common/status.h"
#include "util/lru.h"

#include <stdlib.h>
#include <string.h>

struct mcp_push_verifier {
    uint8_t key[CM_BP_KEY_LEN];
    int window_s;
    mcp_lru_t *seen; /* push id -> int64_t* accepted-at (unix s) */
};

mcp_push_verifier_t *mcp_push_verifier_new(const uint8_t push_key[CM_BP_KEY_LEN], int window_s, size_t replay_cap)
{
    mcp_push_verifier_t *v = calloc(1, sizeof(*v));
    if (v == NULL)
        return NULL;
    memcpy(v->key, push_key, CM_BP_KEY_LEN);
    v->window_s = window_s > 0 ? window_s : 300;
    v->seen = mcp_lru_new(replay_cap > 0 ? replay_cap : 10000, free);
    if (v->seen == NULL) {
        mcp_push_verifier_free(v);
        return NULL;
    }
    return v;
}

void mcp_push_verifier_free(mcp_push_verifier_t *v)
{
    if (v == NULL)
        return;
    cm_wipe(v->key, sizeof(v->key));
    mcp_lru_free(v->seen);
    free(v);
}

static int64_t forget_old(mcp_push_verifier_t *v, int64_t now_s)
{
    const char *k;
    int64_t *at;
    int64_t n = 0;
    while ((at = mcp_lru_oldest(v->seen, &k)) != NULL && now_s - *at > 2 * (int64_t)v->window_s) {
        mcp_lru_remove(v->seen, k);
        n++;
    }
    return n;
}

mcp_push_result_t mcp_push_verify(mcp_push_verifier_t *v, const char *timestamp, size_t ts_len, const char *signature,
                                  size_t sig_len, const char *body, size_t body_len, int64_t now_s, json_t **out_body,
                                  const char **why)
{
    int64_t ts;
    *out_body = NULL;
    if (cm_bp_parse_timestamp(timestamp, ts_len, &ts) != CM_OK) {
        *why = CM_BP_HDR_TIMESTAMP " must be unix seconds";
        return MCP_PUSH_MALFORMED;
    }
    int rc = cm_bp_push_check(v->key, timestamp, ts_len, signature, sig_len, body, body_len);
    if (rc == CM_EINVAL) {
        *why = CM_BP_HDR_SIGNATURE " must be sha256=<64 hex digits>";
        return MCP_PUSH_MALFORMED;
    }
    if (rc != CM_OK) {
        *why = rc == CM_EPERM ? "signature does not match" : "signature could not be computed";
        return MCP_PUSH_BAD_SIGNATURE;
    }
    if (ts < now_s - v->window_s || ts > now_s + v->window_s) {
        *why = "timestamp outside the accepted window";
        return MCP_PUSH_STALE;
    }
    json_error_t jerr;
    json_t *doc = json_loadb(body, body_len, JSON_REJECT_DUPLICATES, &jerr);
    json_t *id = doc ? json_object_get(doc, "id") : NULL;
    if (!json_is_object(doc) || !json_is_string(id) || json_string_length(id) == 0 || json_string_length(id) > 128 ||
        !json_is_array(json_object_get(doc, "events"))) {
        json_decref(doc);
        *why = "body must be {\"id\": string (1..128), \"events\": [...]}";
        return MCP_PUSH_MALFORMED;
    }
    forget_old(v, now_s);
    if (mcp_lru_peek(v->seen, json_string_value(id)) != NULL) {
        json_decref(doc);
        *why = "push id already seen";
        return MCP_PUSH_REPLAYED;
    }
    if (mcp_lru_size(v->seen) >= mcp_lru_capacity(v->seen)) {
        /* every remembered id is still inside the replay window (forget_old dropped the others) */
        json_decref(doc);
        *why = "too many pushes inside the replay window; retry later";
        return MCP_PUSH_BUSY;
    }
    int64_t *at = malloc(sizeof(*at));
    if (at == NULL || mcp_lru_put(v->seen, json_string_value(id), at) != CM_OK) {
        free(at);
        json_decref(doc);
        *why = "out of memory";
        return MCP_PUSH_MALFORMED;
    }
    *at = now_s;
    *out_body = doc;
    return MCP_PUSH_OK;
}
