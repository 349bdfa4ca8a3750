/*
 * fuzz_jws.c - JOSE input from outside: compact JWS (access tokens, ID tokens) and JWK Sets (a provider's JWKS):
 * common/src/jose_jws.c (cm_jws_parse, cm_jws_verify), jose_jwt.c (cm_jwt_check_claims), jose_jwk.c (cm_jwks_parse,
 * cm_jwk_import, cm_jwk_export).
 *
 * Input: mode byte, then bytes.
 *   mode even: the bytes are a compact JWS; it is parsed, verified with the RFC 7515 A.3 public key (the seed corpus
 *              holds that example, so verification succeeds on some inputs) and its claims checked.
 *   mode odd:  the bytes are a JWK Set.
 * Invariants: a parsed token has an object header with a string alg and a signing input that is a prefix of the
 * input; a verified token has the A.3 signing input (no forgery); a claims check names a known outcome; every key a
 * JWK Set yields exports and imports back to the same public key.
 */
#include "fuzz.h"

#include <jansson.h>

#include "common/jose.h"
#include "common/status.h"

static const char a3_signing_input[] =
    "eyJhbGciOiJFUzI1NiJ9."
    "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ";

static cm_jwk_t *a3_key(void)
{
    static cm_jwk_t *k;
    if (k == NULL) {
        json_t *j = json_pack("{s:s, s:s, s:s, s:s}", "kty", "EC", "crv", "P-256", "x",
                              "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU", "y",
                              "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0");
        FZ_CHECK(j != NULL && cm_jwk_import(j, &k) == CM_OK);
        json_decref(j);
    }
    return k;
}

static void check_token(const uint8_t *data, size_t size)
{
    cm_jws_parsed_t p;
    int rc = cm_jws_parse((const char *)data, size, &p);
    if (rc != CM_OK) {
        FZ_CHECK(rc == CM_EINVAL && p.header == NULL && p.signing_input == NULL && p.sig == NULL);
        return;
    }
    FZ_CHECK(json_is_object(p.header) && p.alg != NULL && p.sig != NULL);
    FZ_CHECK(json_object_get(p.header, "crit") == NULL);
    size_t in_len = strlen(p.signing_input);
    FZ_CHECK(in_len < size && memcmp(p.signing_input, data, in_len) == 0 && data[in_len] == '.');
    FZ_CHECK(p.payload == NULL || json_is_object(p.payload));
    if (cm_jws_verify(&p, a3_key(), CM_JOSE_ES256 | CM_JOSE_RS256) == CM_OK)
        FZ_CHECK(strcmp(p.signing_input, a3_signing_input) == 0 && strcmp(p.alg, "ES256") == 0);
    cm_jwt_expect_t e = {.iss = "joe",
                         .aud = "bob",
                         .typ = "at+jwt",
                         .now = 1300819000,
                         .leeway_s = 60,
                         .require_exp = 1,
                         .max_age_s = 3600};
    cm_jwt_fail_t f = cm_jwt_check_claims(&p, &e);
    FZ_CHECK(f >= CM_JWT_OK && f <= CM_JWT_TOO_OLD && cm_jwt_fail_str(f) != NULL);
    if (f == CM_JWT_OK) {
        const json_t *iss = json_object_get(p.payload, "iss");
        FZ_CHECK(json_is_string(iss) && strcmp(json_string_value(iss), "joe") == 0);
        FZ_CHECK(json_is_number(json_object_get(p.payload, "exp")) && p.typ != NULL);
    }
    cm_jws_parsed_free(&p);
}

static void check_jwks(const uint8_t *data, size_t size)
{
    json_t *j = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);
    cm_jwk_t **keys = NULL;
    size_t n = 0;
    int rc = cm_jwks_parse(j, &keys, &n);
    FZ_CHECK(rc == CM_OK || (rc == CM_EINVAL && keys == NULL && n == 0));
    for (size_t i = 0; i < n; i++) {
        FZ_CHECK(cm_jwk_kid(keys[i]) != NULL && cm_jwk_alg(keys[i]) != CM_JOSE_ALG_NONE);
        json_t *pub = cm_jwk_export(keys[i], 0);
        FZ_CHECK(pub != NULL && json_object_get(pub, "d") == NULL);
        cm_jwk_t *back = NULL;
        FZ_CHECK(cm_jwk_import(pub, &back) == CM_OK);
        json_t *again = cm_jwk_export(back, 0);
        FZ_CHECK(json_equal(pub, again));
        json_decref(again);
        json_decref(pub);
        cm_jwk_free(back);
    }
    cm_jwks_free(keys, n);
    json_decref(j);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    if ((data[0] & 1) == 0)
        check_token(data + 1, size - 1);
    else
        check_jwks(data + 1, size - 1);
    return 0;
}
