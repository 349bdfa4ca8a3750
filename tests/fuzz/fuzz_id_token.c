/*
 * fuzz_id_token.c - the ID token checks of the authorization code flow (oauth-service/src/oauth/id_token.c).
 *
 * Input: mode byte, then bytes.
 *   mode even: the bytes are the id_token text as the token endpoint returned it (compact JWS).
 *   mode odd:  the bytes are a claims set, wrapped here in a JWS (a fixed header, a dummy signature), so the
 *              claims parser behind the base64url layer is reached.
 * Invariant: an accepted token's claims carry our nonce, name our client in aud, the issuer in iss and an exp
 * that has not passed (beyond the allowed skew); a refusal always says why.
 */
#include "fuzz.h"

#include <jansson.h>

#include "common/crypto.h"
#include "common/status.h"
#include "oauth/id_token.h"

#define NOW 1700000000
#define NONCE "n-0S6_WzA2Mj"
#define CLIENT "client-1"
#define ISSUER "https://issuer.example"

static int aud_has(const json_t *aud, const char *client)
{
    if (json_is_string(aud))
        return strcmp(json_string_value(aud), client) == 0;
    size_t i;
    const json_t *v;
    json_array_foreach(aud, i, v)
    {
        if (json_is_string(v) && strcmp(json_string_value(v), client) == 0)
            return 1;
    }
    return 0;
}

/* The claims of an accepted token must show what the check promised. */
static void check_accepted(const char *token, int with_nonce)
{
    const char *dot1 = strchr(token, '.');
    FZ_CHECK(dot1 != NULL);
    const char *dot2 = strchr(dot1 + 1, '.');
    FZ_CHECK(dot2 != NULL);
    size_t len = 0;
    uint8_t *payload = cm_b64url_decode(dot1 + 1, (size_t)(dot2 - dot1 - 1), &len);
    FZ_CHECK(payload != NULL);
    json_t *claims = json_loadb((const char *)payload, len, JSON_REJECT_DUPLICATES, NULL);
    FZ_CHECK(json_is_object(claims));
    if (with_nonce)
        FZ_CHECK(json_is_string(json_object_get(claims, "nonce")) &&
                 strcmp(json_string_value(json_object_get(claims, "nonce")), NONCE) == 0);
    FZ_CHECK(aud_has(json_object_get(claims, "aud"), CLIENT));
    const json_t *exp = json_object_get(claims, "exp");
    FZ_CHECK(json_is_number(exp) && json_number_value(exp) >= (double)(NOW - OB_ID_TOKEN_SKEW_S));
    json_decref(claims);
    free(payload);
}

static void check(const char *token)
{
    char why[160];
    for (int with_nonce = 0; with_nonce <= 1; with_nonce++) {
        why[0] = '\0';
        int rc = ob_id_token_check(token, with_nonce ? NONCE : NULL, CLIENT, ISSUER, NOW, why, sizeof(why));
        if (rc == CM_OK)
            check_accepted(token, with_nonce);
        else
            FZ_CHECK(rc == CM_EINVAL && why[0] != '\0' && memchr(why, '\0', sizeof(why)) != NULL);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    uint8_t mode = data[0];
    char *text = fz_strndup(data + 1, size - 1);
    if ((mode & 1) == 0) {
        check(text);
    } else {
        char *payload = cm_b64url_encode(text, size - 1);
        FZ_CHECK(payload != NULL);
        static const char header[] = "eyJhbGciOiJSUzI1NiIsImtpZCI6ImsxIn0."; /* {"alg":"RS256","kid":"k1"} */
        size_t n = sizeof(header) + strlen(payload) + 8;
        char *token = malloc(n);
        FZ_CHECK(token != NULL);
        snprintf(token, n, "%s%s.c2ln", header, payload);
        check(token);
        free(token);
        free(payload);
    }
    free(text);
    return 0;
}
