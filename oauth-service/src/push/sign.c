/*
 * sign.c - HMAC-SHA256 over "<timestamp>.<body>" (see sign.h).
 */
#include "push/sign.h"

#include "common/crypto.h"
#include "common/status.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int ob_push_sign(const uint8_t key[32], int64_t ts, const char *body, size_t len, char *out, size_t outsz)
{
    char prefix[32];
    uint8_t mac[CM_SHA256_LEN];
    if (key == NULL || out == NULL || outsz < OB_PUSH_SIG_LEN || (body == NULL && len > 0))
        return CM_EINVAL;
    int plen = snprintf(prefix, sizeof(prefix), "%" PRId64 ".", ts);
    if (plen <= 0 || (size_t)plen >= sizeof(prefix))
        return CM_EINVAL;
    char *msg = malloc((size_t)plen + len + 1);
    if (msg == NULL)
        return CM_ENOMEM;
    memcpy(msg, prefix, (size_t)plen);
    if (len > 0)
        memcpy(msg + plen, body, len);
    int rc = cm_hmac_sha256(key, 32, msg, (size_t)plen + len, mac);
    cm_secure_free(msg, (size_t)plen + len); /* the body carries access tokens */
    if (rc != CM_OK)
        return rc;
    memcpy(out, "sha256=", 7);
    cm_hex_encode(mac, sizeof(mac), out + 7, outsz - 7);
    return CM_OK;
}

int ob_push_verify(const uint8_t key[32], int64_t ts, const char *body, size_t len, const char *sig)
{
    char want[OB_PUSH_SIG_LEN];
    if (sig == NULL || ob_push_sign(key, ts, body, len, want, sizeof(want)) != CM_OK)
        return 0;
    return cm_ct_streq(want, sig);
}
