/*
 * push.c - HMAC-SHA256 push verification with a timestamp window and replay rejection (see mcp/push.h).
 */
#include "mcp/push.h"
#include "common/status.h"
#include "mcp/lru.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/kdf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct mcp_push_verifier {
    uint8_t key[MCP_KEY_LEN];
    int window_s;
    mcp_lru_t *seen; /* push id -> int64_t* accepted-at (unix s) */
};

int mcp_derive_key(const void *secret, size_t secret_len, const char *label, uint8_t out[MCP_KEY_LEN])
{
    int rc = CM_ERR;
    EVP_KDF *kdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
    EVP_KDF_CTX *kctx = kdf ? EVP_KDF_CTX_new(kdf) : NULL;
    if (kctx == NULL || secret == NULL || secret_len == 0)
        goto out_free_kdf;
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)"SHA256", 0),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)secret, secret_len),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, (void *)label, strlen(label)),
        OSSL_PARAM_construct_end(),
    };
    if (EVP_KDF_derive(kctx, out, MCP_KEY_LEN, params) == 1)
        rc = CM_OK;
out_free_kdf:
    EVP_KDF_CTX_free(kctx);
    EVP_KDF_free(kdf);
    return rc;
}

mcp_push_verifier_t *mcp_push_verifier_new(const uint8_t push_key[MCP_KEY_LEN], int window_s, size_t replay_cap)
{
    mcp_push_verifier_t *v = calloc(1, sizeof(*v));
    if (v == NULL)
        return NULL;
    memcpy(v->key, push_key, MCP_KEY_LEN);
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
    OPENSSL_cleanse(v->key, sizeof(v->key));
    mcp_lru_free(v->seen);
    free(v);
}

static int compute(const uint8_t key[MCP_KEY_LEN], const char *ts, size_t ts_len, const char *body, size_t body_len,
                   uint8_t mac[32])
{
    unsigned int maclen = 0;
    int rc = CM_ERR;
    EVP_MAC *m = EVP_MAC_fetch(NULL, "HMAC", NULL);
    EVP_MAC_CTX *ctx = m ? EVP_MAC_CTX_new(m) : NULL;
    OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)"SHA256", 0),
                           OSSL_PARAM_construct_end()};
    size_t outl = 0;
    if (ctx == NULL || EVP_MAC_init(ctx, key, MCP_KEY_LEN, params) != 1)
        goto out_free_mac;
    if (EVP_MAC_update(ctx, (const unsigned char *)ts, ts_len) != 1 ||
        EVP_MAC_update(ctx, (const unsigned char *)".", 1) != 1 ||
        (body_len > 0 && EVP_MAC_update(ctx, (const unsigned char *)body, body_len) != 1) ||
        EVP_MAC_final(ctx, mac, &outl, 32) != 1 || outl != 32)
        goto out_free_mac;
    maclen = (unsigned)outl;
    rc = maclen == 32 ? CM_OK : CM_ERR;
out_free_mac:
    EVP_MAC_CTX_free(ctx);
    EVP_MAC_free(m);
    return rc;
}

int mcp_push_sign(const uint8_t push_key[MCP_KEY_LEN], const char *timestamp, const char *body, size_t body_len,
                  char *out, size_t outsz)
{
    uint8_t mac[32];
    static const char hex[] = "0123456789abcdef";
    if (outsz < 7 + 64 + 1 || compute(push_key, timestamp, strlen(timestamp), body, body_len, mac) != CM_OK)
        return CM_EINVAL;
    memcpy(out, "sha256=", 7);
    for (size_t i = 0; i < 32; i++) {
        out[7 + 2 * i] = hex[mac[i] >> 4];
        out[7 + 2 * i + 1] = hex[mac[i] & 15];
    }
    out[7 + 64] = '\0';
    return CM_OK;
}

static int hexnib(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Parses "<digits>" (at most 12) into *out. */
static int parse_ts(const char *s, size_t len, int64_t *out)
{
    int64_t v = 0;
    if (s == NULL || len == 0 || len > 12)
        return -1;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 0;
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
    uint8_t presented[32], expected[32];
    *out_body = NULL;
    if (parse_ts(timestamp, ts_len, &ts) != 0) {
        *why = "X-Broker-Timestamp must be unix seconds";
        return MCP_PUSH_MALFORMED;
    }
    if (signature == NULL || sig_len != 7 + 64 || memcmp(signature, "sha256=", 7) != 0) {
        *why = "X-Broker-Signature must be sha256=<64 hex digits>";
        return MCP_PUSH_MALFORMED;
    }
    for (size_t i = 0; i < 32; i++) {
        int hi = hexnib(signature[7 + 2 * i]), lo = hexnib(signature[7 + 2 * i + 1]);
        if (hi < 0 || lo < 0) {
            *why = "X-Broker-Signature must be sha256=<64 hex digits>";
            return MCP_PUSH_MALFORMED;
        }
        presented[i] = (uint8_t)(hi << 4 | lo);
    }
    if (compute(v->key, timestamp, ts_len, body, body_len, expected) != CM_OK) {
        *why = "signature could not be computed";
        return MCP_PUSH_BAD_SIGNATURE;
    }
    int match = CRYPTO_memcmp(presented, expected, 32) == 0;
    OPENSSL_cleanse(expected, sizeof(expected));
    if (!match) {
        *why = "signature does not match";
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
