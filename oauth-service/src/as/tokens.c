/*
 * tokens.c - access token signature and opaque secrets (tokens.h); the pure shapes are in token_shape.c.
 */
#include "as/tokens.h"

#include "as/signing_keys.h"

#include "common/crypto.h"
#include "common/status.h"

#include <stdlib.h>
#include <string.h>

int ob_as_access_token(const ob_as_t *as, const ob_as_access_t *a, char **out)
{
    uint8_t raw[16];
    *out = NULL;
    const ob_as_key_t *k = ob_as_signing_key(as, a->iat);
    if (k == NULL)
        return CM_ENOTFOUND;
    if (cm_random_bytes(raw, sizeof(raw)) != CM_OK)
        return CM_ERR;
    char *jti = cm_b64url_encode(raw, sizeof(raw));
    json_t *claims = jti ? ob_as_access_claims(a, jti) : NULL;
    int rc = claims ? cm_jws_sign(k->jwk, "at+jwt", claims, out) : CM_ENOMEM;
    json_decref(claims);
    free(jti);
    return rc;
}

int ob_as_opaque_new(char *out, size_t outsz, char *hash, size_t hashsz)
{
    uint8_t raw[32];
    if (outsz < 44 || hashsz < 65 || cm_random_bytes(raw, sizeof(raw)) != CM_OK)
        return CM_ERR;
    char *s = cm_b64url_encode(raw, sizeof(raw));
    cm_wipe(raw, sizeof(raw));
    if (s == NULL || strlen(s) != 43) {
        cm_secure_free(s, 0);
        return CM_ERR;
    }
    memcpy(out, s, 44);
    cm_secure_free(s, 0);
    cm_sha256_hex(out, 43, hash, hashsz);
    return CM_OK;
}
