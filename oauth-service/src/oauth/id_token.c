/*
 * id_token.c - the ID token checks of the code flow (see id_token.h).
 */
#include "oauth/id_token.h"

#include "common/crypto.h"
#include "common/json_util.h"
#include "common/status.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ID_TOKEN_MAX (64u * 1024)

static int aud_has(const json_t *aud, const char *client_id)
{
    size_t i;
    json_t *v;
    if (json_is_string(aud))
        return strcmp(json_string_value(aud), client_id) == 0;
    json_array_foreach(aud, i, v)
    {
        if (json_is_string(v) && strcmp(json_string_value(v), client_id) == 0)
            return 1;
    }
    return 0;
}

static int str_eq(const char *a, const char *b)
{
    return a != NULL && b != NULL && cm_ct_equal(a, strlen(a), b, strlen(b));
}

int ob_id_token_check(const char *id_token, const char *nonce, const char *client_id, const char *issuer, char *why,
                      size_t whysz)
{
    const char *reason = NULL;
    json_t *claims = NULL;
    uint8_t *payload = NULL;
    size_t len = 0;
    const char *dot1 = id_token != NULL ? strchr(id_token, '.') : NULL;
    const char *dot2 = dot1 != NULL ? strchr(dot1 + 1, '.') : NULL;
    if (dot2 == NULL || strchr(dot2 + 1, '.') != NULL || strlen(id_token) > ID_TOKEN_MAX) {
        reason = "the ID token is not a compact JWS";
        goto out_free;
    }
    if ((payload = cm_b64url_decode(dot1 + 1, (size_t)(dot2 - dot1 - 1), &len)) == NULL ||
        (claims = cm_json_loadb((const char *)payload, len, NULL)) == NULL || !json_is_object(claims)) {
        reason = "the ID token's payload is not a JSON object";
        goto out_free;
    }
    if (!str_eq(cm_json_str(claims, "nonce"), nonce)) {
        reason = cm_json_str(claims, "nonce") == NULL ? "the ID token has no nonce" : "the ID token's nonce differs";
        goto out_free;
    }
    if (client_id != NULL && client_id[0] != '\0' && !aud_has(json_object_get(claims, "aud"), client_id)) {
        reason = "the ID token is not issued to this client (aud)";
        goto out_free;
    }
    if (issuer != NULL && !str_eq(cm_json_str(claims, "iss"), issuer))
        reason = "the ID token names another issuer";
out_free:
    json_decref(claims);
    cm_secure_free(payload, len);
    if (reason != NULL && why != NULL)
        snprintf(why, whysz, "%s", reason);
    return reason == NULL ? CM_OK : CM_EINVAL;
}
