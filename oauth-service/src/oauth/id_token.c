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

/*
 * Step 2: iss equals the issuer exactly; the one tolerance is the issuer without its "https://" when the issuer
 * is a bare host: OIDC Core's implementer note on Google, whose ID tokens name "accounts.google.com" or
 * "https://accounts.google.com" depending on the flow. Only the issuer's own host can produce that spelling.
 */
static int iss_matches(const char *iss, const char *issuer)
{
    static const char https[] = "https://";
    if (str_eq(iss, issuer))
        return 1;
    if (iss == NULL || strncmp(issuer, https, sizeof(https) - 1) != 0)
        return 0;
    const char *host = issuer + sizeof(https) - 1;
    return strchr(host, '/') == NULL && strchr(iss, ':') == NULL && str_eq(iss, host);
}

/* A NumericDate claim (RFC 7519 2: seconds, fractions allowed) in *out; 0 when absent or not a number. */
static int numeric_date(const json_t *claims, const char *key, double *out)
{
    const json_t *v = json_object_get(claims, key);
    if (!json_is_number(v))
        return 0;
    *out = json_number_value(v);
    return 1;
}

/* Core 3.1.3.7 steps 3-5: our client_id among the audiences; with several audiences the authorized party
 * (azp) must be present and be us, and an azp that is present must be us whatever the audience count. */
static const char *audience_problem(const json_t *claims, const char *client_id)
{
    const json_t *aud = json_object_get(claims, "aud");
    const json_t *azp = json_object_get(claims, "azp");
    if (!aud_has(aud, client_id))
        return "the ID token is not issued to this client (aud)";
    if (azp != NULL && !str_eq(json_string_value(azp), client_id))
        return "the ID token's authorized party (azp) is another client";
    if (json_is_array(aud) && json_array_size(aud) > 1 && azp == NULL)
        return "the ID token has several audiences and no authorized party (azp)";
    return NULL;
}

/* Core 3.1.3.7 steps 9-10: not expired, not issued in the future (both with skew seconds of allowance). */
static const char *time_problem(const json_t *claims, int64_t now, int skew)
{
    double exp = 0, iat = 0;
    if (!numeric_date(claims, "exp", &exp))
        return "the ID token has no expiry (exp)";
    if (exp + skew <= (double)now)
        return "the ID token has expired (exp)";
    if (json_object_get(claims, "iat") != NULL && (!numeric_date(claims, "iat", &iat) || iat > (double)(now + skew)))
        return "the ID token's issue time (iat) is not valid";
    return NULL;
}

int ob_id_token_check(const char *id_token, const char *nonce, const char *client_id, const char *issuer, int64_t now,
                      char *why, size_t whysz)
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
    /* step 11: a nonce we sent must come back; one we did not send binds nothing */
    if (nonce != NULL && !str_eq(cm_json_str(claims, "nonce"), nonce)) {
        reason =
            json_object_get(claims, "nonce") == NULL ? "the ID token has no nonce" : "the ID token's nonce differs";
        goto out_free;
    }
    if (client_id != NULL && client_id[0] != '\0' && (reason = audience_problem(claims, client_id)) != NULL)
        goto out_free;
    if (issuer != NULL && !iss_matches(cm_json_str(claims, "iss"), issuer)) {
        reason = "the ID token names another issuer";
        goto out_free;
    }
    reason = time_problem(claims, now, OB_ID_TOKEN_SKEW_S);
out_free:
    json_decref(claims);
    cm_secure_free(payload, len);
    if (reason != NULL && why != NULL)
        snprintf(why, whysz, "%s", reason);
    return reason == NULL ? CM_OK : CM_EINVAL;
}
