/*
 * broker_proto.c - purpose keys and push signatures of the broker <-> MCP server contract (see broker_proto.h).
 */
#include "common/broker_proto.h"

#include "common/crypto.h"
#include "common/status.h"

#include <stdlib.h>
#include <string.h>

int cm_bp_derive_key(const void *secret, size_t len, const char *label, uint8_t out[CM_BP_KEY_LEN])
{
    if (secret == NULL || len == 0 || label == NULL || out == NULL)
        return CM_EINVAL;
    return cm_hkdf_sha256(secret, len, NULL, 0, label, out, CM_BP_KEY_LEN);
}

int cm_bp_service_keys(const void *secret, size_t len, uint8_t push_key[CM_BP_KEY_LEN],
                       char bearer_hex[CM_BP_BEARER_HEX_LEN])
{
    uint8_t bearer[CM_BP_KEY_LEN];
    int rc = cm_bp_derive_key(secret, len, CM_BP_PUSH_KEY_LABEL, push_key);
    if (rc == CM_OK)
        rc = cm_bp_derive_key(secret, len, CM_BP_BEARER_LABEL, bearer);
    if (rc != CM_OK) {
        cm_wipe(push_key, CM_BP_KEY_LEN);
        cm_wipe(bearer_hex, CM_BP_BEARER_HEX_LEN);
        return CM_EINVAL;
    }
    cm_hex_encode(bearer, sizeof(bearer), bearer_hex, CM_BP_BEARER_HEX_LEN);
    cm_wipe(bearer, sizeof(bearer));
    return CM_OK;
}

int cm_bp_parse_timestamp(const char *ts, size_t len, int64_t *out)
{
    int64_t v = 0;
    if (ts == NULL || len == 0 || len > CM_BP_TS_MAX_DIGITS)
        return CM_EINVAL;
    for (size_t i = 0; i < len; i++) {
        if (ts[i] < '0' || ts[i] > '9')
            return CM_EINVAL;
        v = v * 10 + (ts[i] - '0');
    }
    *out = v;
    return CM_OK;
}

/* HMAC-SHA256(key, ts "." body) into mac. */
static int push_mac(const uint8_t key[CM_BP_KEY_LEN], const char *ts, size_t ts_len, const char *body, size_t len,
                    uint8_t mac[CM_SHA256_LEN])
{
    size_t n = ts_len + 1 + len;
    char *msg = malloc(n);
    if (msg == NULL)
        return CM_ENOMEM;
    memcpy(msg, ts, ts_len);
    msg[ts_len] = '.';
    if (len > 0)
        memcpy(msg + ts_len + 1, body, len);
    int rc = cm_hmac_sha256(key, CM_BP_KEY_LEN, msg, n, mac);
    cm_secure_free(msg, n); /* the body carries access tokens */
    return rc;
}

int cm_bp_push_sign(const uint8_t key[CM_BP_KEY_LEN], const char *ts, size_t ts_len, const char *body, size_t len,
                    char *out, size_t outsz)
{
    uint8_t mac[CM_SHA256_LEN];
    if (key == NULL || ts == NULL || out == NULL || outsz < CM_BP_SIG_LEN || (body == NULL && len > 0))
        return CM_EINVAL;
    int rc = push_mac(key, ts, ts_len, body, len, mac);
    if (rc != CM_OK)
        return rc;
    memcpy(out, CM_BP_SIG_PREFIX, 7);
    cm_hex_encode(mac, sizeof(mac), out + 7, outsz - 7);
    return CM_OK;
}

int cm_bp_push_check(const uint8_t key[CM_BP_KEY_LEN], const char *ts, size_t ts_len, const char *sig, size_t sig_len,
                     const char *body, size_t len)
{
    char hex[65];
    uint8_t presented[CM_SHA256_LEN], expected[CM_SHA256_LEN];
    size_t n = 0;
    if (sig == NULL || sig_len != CM_BP_SIG_LEN - 1 || memcmp(sig, CM_BP_SIG_PREFIX, 7) != 0)
        return CM_EINVAL;
    memcpy(hex, sig + 7, 64);
    hex[64] = '\0';
    if (cm_hex_decode(hex, presented, sizeof(presented), &n) != CM_OK || n != sizeof(presented))
        return CM_EINVAL;
    if (key == NULL || ts == NULL || (body == NULL && len > 0))
        return CM_EINVAL;
    int rc = push_mac(key, ts, ts_len, body, len, expected);
    if (rc != CM_OK)
        return rc;
    int match = cm_ct_equal(presented, sizeof(presented), expected, sizeof(expected));
    cm_wipe(expected, sizeof(expected));
    return match ? CM_OK : CM_EPERM;
}

static const char *const inst_status_names[CM_INST__COUNT] = {
    [CM_INST_ACTIVE] = "active",   [CM_INST_INACTIVE] = "inactive",
    [CM_INST_EXPIRED] = "expired", [CM_INST_NEEDS_REAUTH] = "needs_reauth",
    [CM_INST_DELETED] = "deleted",
};

int cm_inst_status_parse(const char *name, cm_inst_status_t *out)
{
    if (name == NULL)
        return CM_EINVAL;
    for (int i = 0; i < CM_INST__COUNT; i++) {
        if (strcmp(name, inst_status_names[i]) == 0) {
            if (out != NULL)
                *out = (cm_inst_status_t)i;
            return CM_OK;
        }
    }
    return CM_EINVAL;
}

const char *cm_inst_status_name(cm_inst_status_t st)
{
    if ((int)st < 0 || st >= CM_INST__COUNT)
        return "unknown";
    return inst_status_names[st];
}
