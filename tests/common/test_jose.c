/*
 * test_jose.c - common/jose.h against the published examples of RFC 7515 (A.2, A.3) and RFC 7638 (3.1), and its own
 * contract: what verification refuses, key import/export and JWK Sets (the claim checks and the parser's refusals:
 * test_jose_claims.c).
 */
#include "cu.h"

#include "common/crypto.h"
#include "common/jose.h"
#include "common/status.h"

#include "jose_fixture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* RFC 7515 A.3 (ES256) */
static const char a3_token[] =
    "eyJhbGciOiJFUzI1NiJ9."
    "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ."
    "DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q";
static const char a3_jwk[] = "{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU\","
                             "\"y\":\"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0\"";
static const char a3_d[] = "jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI";

/* RFC 7515 A.2 (RS256) */
static const char a2_token[] =
    "eyJhbGciOiJSUzI1NiJ9."
    "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ."
    "cC4hiUPoj9Eetdgtv3hF80EGrhuB__dzERat0XF9g2VtQgr9PJbu3XOiZj5RZmh7AAuHIm4Bh-0Qc_lF5YKt_O8W2Fp5jujGbds9uJdbF9CUAr7t"
    "1dnZcAcQjbKBYNX4BAynRFdiuB--f_nZLgrnbyTyWzO75vRK5h6xBArLIARNPvkSjtQBMHlb1L07Qe7K0GarZRmB_eSN9383LcOLn6_dO--xi12jz"
    "DwusC-eOkHWEsqtFZESc6BfI7noOPqvhJ1phCnvWh6IeYI2w9QOYEUipUTI8np6LbgGY9Fs98rqVt5AXLIhWkWywlVmtVrBp0igcN_IoypGlUPQGe"
    "77Rw";
static const char a2_n[] =
    "ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPddxHmfHQp-Vaw-4qPCJrcS2mJPMEzP1Pt0Bm4d4QlL-yRT-SFd2lZS-"
    "pCgNMs"
    "D1W_YpRPEwOWvG6b32690r2jZ47soMZo9wGzjb_7OMg0LOL-bSf63kpaSHSXndS5z5rexMdbBYUsLA9e-KXBdQOS-"
    "UTo7WTBEMa2R2CapHg665xsmtdV"
    "MTBQY4uDZlxvb3qCo5ZwKh9kG4LT6_I5IhlJH7aGhyxXFvUK-DWNmoudF8NAco9_h9iaGNj8q2ethFkMLs91kzk2PAcDTW9gb54h4FRWyuXpoQ";

/* RFC 7638 3.1 */
static const char rfc7638_n[] =
    "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_"
    "BJECPebWKRXjBZCiFV4n3oknjhMs"
    "tn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_"
    "FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5ha"
    "jrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw";

static json_t *load(const char *text)
{
    json_t *j = json_loads(text, 0, NULL);
    CU_ASSERT_FATAL(j != NULL);
    return j;
}

static cm_jwk_t *import_text(const char *text)
{
    json_t *j = load(text);
    cm_jwk_t *k = NULL;
    CU_ASSERT_EQUAL_FATAL(cm_jwk_import(j, &k), CM_OK);
    json_decref(j);
    return k;
}

/* parse + verify in one step: the status of cm_jws_verify, or CM_EINVAL when the parse refused. */
static int verify_text(const char *token, const cm_jwk_t *k, unsigned allowed)
{
    cm_jws_parsed_t p;
    int rc = cm_jws_parse(token, strlen(token), &p);
    if (rc != CM_OK)
        return rc;
    rc = cm_jws_verify(&p, k, allowed);
    cm_jws_parsed_free(&p);
    return rc;
}

static void test_rfc7515_a3_es256(void)
{
    char text[512];
    snprintf(text, sizeof(text), "%s}", a3_jwk);
    cm_jwk_t *pub = import_text(text);
    CU_ASSERT_EQUAL(cm_jwk_alg(pub), CM_JOSE_ES256);
    CU_ASSERT_FALSE(cm_jwk_has_private(pub));
    /* RFC 7638 of this key, as the jose npm package and a hand-built canonical form both compute it */
    CU_ASSERT_STRING_EQUAL(cm_jwk_kid(pub), "oKIywvGUpTVTyxMQ3bwIIeQUudfr_CkLMjCE19ECD-U");
    cm_jws_parsed_t p;
    CU_ASSERT_EQUAL_FATAL(cm_jws_parse(a3_token, strlen(a3_token), &p), CM_OK);
    CU_ASSERT_STRING_EQUAL(p.alg, "ES256");
    CU_ASSERT_PTR_NULL(p.kid);
    CU_ASSERT_EQUAL(p.sig_len, 64);
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(p.payload, "iss")), "joe");
    CU_ASSERT_EQUAL(cm_jws_verify(&p, pub, CM_JOSE_ES256), CM_OK);
    CU_ASSERT_EQUAL(cm_jws_verify(&p, pub, CM_JOSE_RS256), CM_EPERM); /* not in the caller's allow-list */
    cm_jws_parsed_free(&p);

    /* the published private half imports (d matches the point) and its signatures verify with the public half */
    snprintf(text, sizeof(text), "%s,\"d\":\"%s\"}", a3_jwk, a3_d);
    cm_jwk_t *priv = import_text(text);
    CU_ASSERT_TRUE(cm_jwk_has_private(priv));
    json_t *claims = json_pack("{s:s}", "iss", "joe");
    char *tok = NULL;
    CU_ASSERT_EQUAL_FATAL(cm_jws_sign(priv, NULL, claims, &tok), CM_OK);
    CU_ASSERT_EQUAL(verify_text(tok, pub, CM_JOSE_ES256), CM_OK);
    free(tok);
    json_decref(claims);

    /* a d of another key does not pass for this point */
    snprintf(text, sizeof(text), "%s,\"d\":\"%s\"}", a3_jwk, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAE");
    json_t *j = load(text);
    cm_jwk_t *bad = NULL;
    CU_ASSERT_EQUAL(cm_jwk_import(j, &bad), CM_EINVAL);
    CU_ASSERT_PTR_NULL(bad);
    json_decref(j);
    cm_jwk_free(priv);
    cm_jwk_free(pub);
}

static void test_rfc7515_a2_rs256(void)
{
    char text[1024];
    snprintf(text, sizeof(text), "{\"kty\":\"RSA\",\"n\":\"%s\",\"e\":\"AQAB\",\"kid\":\"2010-12-29\"}", a2_n);
    cm_jwk_t *k = import_text(text);
    CU_ASSERT_EQUAL(cm_jwk_alg(k), CM_JOSE_RS256);
    CU_ASSERT_STRING_EQUAL(cm_jwk_kid(k), "2010-12-29");
    CU_ASSERT_EQUAL(verify_text(a2_token, k, CM_JOSE_RS256 | CM_JOSE_ES256), CM_OK);
    CU_ASSERT_EQUAL(verify_text(a2_token, k, CM_JOSE_ES256), CM_EPERM);
    char *t = strdup(a2_token);
    CU_ASSERT_FATAL(t != NULL);
    t[strlen(t) - 5] = t[strlen(t) - 5] == 'A' ? 'B' : 'A';
    CU_ASSERT_EQUAL(verify_text(t, k, CM_JOSE_RS256), CM_EPERM);
    free(t);
    /* a signing key cannot be an RSA key: RS256 only verifies */
    json_t *claims = json_object();
    char *out = NULL;
    CU_ASSERT_EQUAL(cm_jws_sign(k, NULL, claims, &out), CM_EINVAL);
    CU_ASSERT_PTR_NULL(out);
    json_decref(claims);
    cm_jwk_free(k);
}

static void test_rfc7638_thumbprint(void)
{
    char text[1024];
    snprintf(text, sizeof(text), "{\"kty\":\"RSA\",\"n\":\"%s\",\"e\":\"AQAB\",\"alg\":\"RS256\"}", rfc7638_n);
    cm_jwk_t *k = import_text(text);
    CU_ASSERT_STRING_EQUAL(cm_jwk_kid(k), "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs");
    cm_jwk_free(k);
    /* a generated key gets its thumbprint as kid; the thumbprint of its export recomputed equals it */
    cm_jwk_t *g = NULL;
    CU_ASSERT_EQUAL_FATAL(cm_jwk_generate_es256(NULL, &g), CM_OK);
    json_t *pub = cm_jwk_export(g, 0);
    CU_ASSERT_FATAL(pub != NULL);
    json_object_del(pub, "kid");
    cm_jwk_t *again = NULL;
    CU_ASSERT_EQUAL_FATAL(cm_jwk_import(pub, &again), CM_OK);
    CU_ASSERT_STRING_EQUAL(cm_jwk_kid(again), cm_jwk_kid(g));
    CU_ASSERT_EQUAL(strlen(cm_jwk_kid(g)), 43);
    json_decref(pub);
    cm_jwk_free(again);
    cm_jwk_free(g);
}

static void test_sign_verify_roundtrip(void)
{
    cm_jwk_t *k = NULL;
    CU_ASSERT_EQUAL_FATAL(cm_jwk_generate_es256("key-1", &k), CM_OK);
    CU_ASSERT_STRING_EQUAL(cm_jwk_kid(k), "key-1");
    json_t *claims = json_pack("{s:s, s:s, s:I}", "iss", "https://as.example", "sub", "i-1", "exp", (json_int_t)2000);
    char *tok = NULL;
    CU_ASSERT_EQUAL_FATAL(cm_jws_sign(k, "at+jwt", claims, &tok), CM_OK);
    cm_jws_parsed_t p;
    CU_ASSERT_EQUAL_FATAL(cm_jws_parse(tok, strlen(tok), &p), CM_OK);
    CU_ASSERT_STRING_EQUAL(p.alg, "ES256");
    CU_ASSERT_STRING_EQUAL(p.kid, "key-1");
    CU_ASSERT_STRING_EQUAL(p.typ, "at+jwt");
    CU_ASSERT_TRUE(json_equal(p.payload, claims));
    CU_ASSERT_EQUAL(cm_jws_verify(&p, k, CM_JOSE_ES256), CM_OK);
    cm_jws_parsed_free(&p);

    /* the public export verifies; another key does not */
    json_t *pubj = cm_jwk_export(k, 0);
    CU_ASSERT_PTR_NULL(json_object_get(pubj, "d"));
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(pubj, "use")), "sig");
    cm_jwk_t *pub = NULL;
    CU_ASSERT_EQUAL_FATAL(cm_jwk_import(pubj, &pub), CM_OK);
    CU_ASSERT_FALSE(cm_jwk_has_private(pub));
    CU_ASSERT_EQUAL(verify_text(tok, pub, CM_JOSE_ES256), CM_OK);
    cm_jwk_t *other = NULL;
    CU_ASSERT_EQUAL_FATAL(cm_jwk_generate_es256("key-1", &other), CM_OK);
    CU_ASSERT_EQUAL(verify_text(tok, other, CM_JOSE_ES256), CM_EPERM);
    /* a public key does not sign */
    char *none = NULL;
    CU_ASSERT_EQUAL(cm_jws_sign(pub, NULL, claims, &none), CM_EINVAL);
    free(tok);
    json_decref(pubj);
    json_decref(claims);
    cm_jwk_free(other);
    cm_jwk_free(pub);
    cm_jwk_free(k);
}

static void test_tampered(void)
{
    cm_jwk_t *k = NULL;
    CU_ASSERT_EQUAL_FATAL(cm_jwk_generate_es256("k", &k), CM_OK);
    json_t *claims = json_pack("{s:s}", "sub", "alice");
    char *tok = NULL;
    CU_ASSERT_EQUAL_FATAL(cm_jws_sign(k, "at+jwt", claims, &tok), CM_OK);
    CU_ASSERT_EQUAL(verify_text(tok, k, CM_JOSE_ES256), CM_OK);
    /* another payload under the same header and signature */
    char *t = jose_forge("{\"alg\":\"ES256\",\"kid\":\"k\",\"typ\":\"at+jwt\"}", "{\"sub\":\"mallory\"}", tok);
    CU_ASSERT_EQUAL(verify_text(t, k, CM_JOSE_ES256), CM_EPERM);
    free(t);
    /* the original header text re-encoded with a changed member */
    t = jose_forge("{\"alg\":\"ES256\",\"kid\":\"k\",\"typ\":\"JWT\"}", "{\"sub\":\"alice\"}", tok);
    CU_ASSERT_EQUAL(verify_text(t, k, CM_JOSE_ES256), CM_EPERM);
    free(t);
    /* one signature character changed, then a truncated signature */
    t = strdup(tok);
    CU_ASSERT_FATAL(t != NULL);
    char *last = t + strlen(t) - 10;
    *last = *last == 'A' ? 'B' : 'A';
    CU_ASSERT_EQUAL(verify_text(t, k, CM_JOSE_ES256), CM_EPERM);
    t[strlen(t) - 2] = '\0'; /* 84 characters: 63 bytes, well-formed base64url */
    CU_ASSERT_EQUAL(verify_text(t, k, CM_JOSE_ES256), CM_EPERM);
    free(t);
    free(tok);
    json_decref(claims);
    cm_jwk_free(k);
}

static void test_refused_algs(void)
{
    cm_jwk_t *k = NULL;
    CU_ASSERT_EQUAL_FATAL(cm_jwk_generate_es256("k", &k), CM_OK);
    json_t *claims = json_pack("{s:s}", "sub", "alice");
    char *tok = NULL;
    CU_ASSERT_EQUAL_FATAL(cm_jws_sign(k, NULL, claims, &tok), CM_OK);
    /* alg none with an empty signature: parses, never verifies, whatever the allow-list says */
    char *t = jose_forge("{\"alg\":\"none\",\"kid\":\"k\"}", "{\"sub\":\"alice\"}", "x.y.");
    CU_ASSERT_EQUAL(verify_text(t, k, 0xffffffffu), CM_EPERM);
    free(t);
    /* HS256 keyed with anything: refused before any MAC */
    t = jose_forge("{\"alg\":\"HS256\",\"kid\":\"k\"}", "{\"sub\":\"alice\"}", tok);
    CU_ASSERT_EQUAL(verify_text(t, k, 0xffffffffu), CM_EPERM);
    free(t);
    /* RS256 header with an EC key, ES256 header with an RSA key */
    t = jose_forge("{\"alg\":\"RS256\",\"kid\":\"k\"}", "{\"sub\":\"alice\"}", tok);
    CU_ASSERT_EQUAL(verify_text(t, k, CM_JOSE_ES256 | CM_JOSE_RS256), CM_EPERM);
    free(t);
    char text[1024];
    snprintf(text, sizeof(text), "{\"kty\":\"RSA\",\"n\":\"%s\",\"e\":\"AQAB\",\"kid\":\"k\"}", a2_n);
    cm_jwk_t *rsa = import_text(text);
    CU_ASSERT_EQUAL(verify_text(tok, rsa, CM_JOSE_ES256 | CM_JOSE_RS256), CM_EPERM);
    /* kid of the token differs from the key's */
    cm_jwk_t *k2 = NULL;
    json_t *exp = cm_jwk_export(k, 0);
    json_object_set_new(exp, "kid", json_string("other"));
    CU_ASSERT_EQUAL_FATAL(cm_jwk_import(exp, &k2), CM_OK);
    CU_ASSERT_EQUAL(verify_text(tok, k2, CM_JOSE_ES256), CM_EPERM);
    /* an empty allow-list allows nothing */
    CU_ASSERT_EQUAL(verify_text(tok, k, 0), CM_EPERM);
    CU_ASSERT_EQUAL(verify_text(tok, k, CM_JOSE_ES256), CM_OK);
    /* crit is refused at parse time */
    t = jose_forge("{\"alg\":\"ES256\",\"crit\":[\"exp\"],\"exp\":1}", "{}", tok);
    cm_jws_parsed_t p;
    CU_ASSERT_EQUAL(cm_jws_parse(t, strlen(t), &p), CM_EINVAL);
    free(t);
    CU_ASSERT_EQUAL(cm_jose_alg_parse("none"), CM_JOSE_ALG_NONE);
    CU_ASSERT_EQUAL(cm_jose_alg_parse("HS256"), CM_JOSE_ALG_NONE);
    CU_ASSERT_EQUAL(cm_jose_alg_parse("es256"), CM_JOSE_ALG_NONE);
    CU_ASSERT_STRING_EQUAL(cm_jose_alg_name(CM_JOSE_RS256), "RS256");
    CU_ASSERT_PTR_NULL(cm_jose_alg_name(CM_JOSE_ALG_NONE));
    json_decref(exp);
    cm_jwk_free(k2);
    cm_jwk_free(rsa);
    free(tok);
    json_decref(claims);
    cm_jwk_free(k);
}

static void test_jwk_export_import(void)
{
    cm_jwk_t *k = NULL;
    CU_ASSERT_EQUAL_FATAL(cm_jwk_generate_es256(NULL, &k), CM_OK);
    json_t *priv = cm_jwk_export(k, 1);
    CU_ASSERT_FATAL(priv != NULL);
    CU_ASSERT_EQUAL(strlen(json_string_value(json_object_get(priv, "d"))), 43);
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(priv, "kid")), cm_jwk_kid(k));
    cm_jwk_t *back = NULL;
    CU_ASSERT_EQUAL_FATAL(cm_jwk_import(priv, &back), CM_OK);
    CU_ASSERT_TRUE(cm_jwk_has_private(back));
    json_t *again = cm_jwk_export(back, 1);
    CU_ASSERT_TRUE(json_equal(priv, again));
    json_t *claims = json_pack("{s:s}", "sub", "x");
    char *tok = NULL;
    CU_ASSERT_EQUAL_FATAL(cm_jws_sign(back, NULL, claims, &tok), CM_OK);
    CU_ASSERT_EQUAL(verify_text(tok, k, CM_JOSE_ES256), CM_OK);
    free(tok);

    /* PKCS#8 DER and back */
    uint8_t *der = NULL;
    size_t der_len = 0;
    CU_ASSERT_EQUAL_FATAL(cm_jwk_private_der(k, &der, &der_len), CM_OK);
    CU_ASSERT(der_len > 60 && der[0] == 0x30);
    cm_jwk_t *from_der = NULL;
    CU_ASSERT_EQUAL_FATAL(cm_jwk_from_private_der("stored", der, der_len, &from_der), CM_OK);
    CU_ASSERT_STRING_EQUAL(cm_jwk_kid(from_der), "stored");
    CU_ASSERT_EQUAL(cm_jwk_alg(from_der), CM_JOSE_ES256);
    json_t *from_der_pub = cm_jwk_export(from_der, 0);
    json_t *pub = cm_jwk_export(k, 0);
    CU_ASSERT_TRUE(json_equal(json_object_get(pub, "x"), json_object_get(from_der_pub, "x")));
    CU_ASSERT_TRUE(json_equal(json_object_get(pub, "y"), json_object_get(from_der_pub, "y")));
    CU_ASSERT_EQUAL_FATAL(cm_jws_sign(from_der, NULL, claims, &tok), CM_OK);
    CU_ASSERT_EQUAL(verify_text(tok, k, CM_JOSE_ES256), CM_EPERM); /* kid "stored" is not k's */
    CU_ASSERT_EQUAL(verify_text(tok, from_der, CM_JOSE_ES256), CM_OK);
    free(tok);
    /* broken DER, trailing garbage, a public key cannot export DER */
    cm_jwk_t *bad = NULL;
    CU_ASSERT_EQUAL(cm_jwk_from_private_der(NULL, der, der_len - 1, &bad), CM_EINVAL);
    uint8_t *longer = malloc(der_len + 1);
    CU_ASSERT_FATAL(longer != NULL);
    memcpy(longer, der, der_len);
    longer[der_len] = 0;
    CU_ASSERT_EQUAL(cm_jwk_from_private_der(NULL, longer, der_len + 1, &bad), CM_EINVAL);
    CU_ASSERT_PTR_NULL(bad);
    free(longer);
    uint8_t *der2 = NULL;
    size_t der2_len = 0;
    cm_jwk_t *pubk = NULL;
    CU_ASSERT_EQUAL_FATAL(cm_jwk_import(from_der_pub, &pubk), CM_OK);
    der2 = NULL;
    CU_ASSERT_EQUAL(cm_jwk_private_der(pubk, &der2, &der2_len), CM_EINVAL);
    CU_ASSERT_PTR_NULL(cm_jwk_export(NULL, 0));
    cm_jwk_free(pubk);
    cm_secure_free(der, der_len);
    json_decref(from_der_pub);
    json_decref(pub);
    json_decref(claims);
    json_decref(again);
    json_decref(priv);
    cm_jwk_free(from_der);
    cm_jwk_free(back);
    cm_jwk_free(k);
}

static void test_jwk_import_refused(void)
{
    static const char *const refused[] = {
        "{\"kty\":\"oct\",\"k\":\"AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-"
        "1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow\"}",
        "{\"kty\":\"EC\",\"crv\":\"P-384\",\"x\":\"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU\","
        "\"y\":\"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0\"}",
        /* y of another point: not on the curve */
        "{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU\","
        "\"y\":\"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a1\"}",
        /* x one byte short */
        "{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvR\","
        "\"y\":\"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0\"}",
        /* padded base64 */
        "{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU=\","
        "\"y\":\"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0\"}",
        "{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU\","
        "\"y\":\"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0\",\"use\":\"enc\"}",
        "{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU\","
        "\"y\":\"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0\",\"alg\":\"RS256\"}",
        "{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU\","
        "\"y\":\"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0\",\"kid\":7}",
        "{\"kty\":\"RSA\",\"e\":\"AQAB\"}",
        "[]",
    };
    for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
        json_t *j = load(refused[i]);
        cm_jwk_t *k = NULL;
        int rc = cm_jwk_import(j, &k);
        if (rc != CM_EINVAL)
            fprintf(stderr, "accepted: %s\n", refused[i]);
        CU_ASSERT_EQUAL(rc, CM_EINVAL);
        CU_ASSERT_PTR_NULL(k);
        json_decref(j);
    }
    /* RSA below 2048 bits */
    uint8_t n1024[128];
    memset(n1024, 0xc1, sizeof(n1024));
    char *n64 = cm_b64url_encode(n1024, sizeof(n1024));
    CU_ASSERT_FATAL(n64 != NULL);
    char text[512];
    snprintf(text, sizeof(text), "{\"kty\":\"RSA\",\"e\":\"AQAB\",\"n\":\"%s\"}", n64);
    json_t *j = load(text);
    cm_jwk_t *k = NULL;
    CU_ASSERT_EQUAL(cm_jwk_import(j, &k), CM_EINVAL);
    json_decref(j);
    free(n64);
}

static void test_jwks(void)
{
    char text[4096];
    snprintf(
        text, sizeof(text),
        "{\"keys\":["
        "{\"kty\":\"oct\",\"kid\":\"hmac\",\"k\":\"c2VjcmV0\"},"
        "%s,\"kid\":\"ec-1\",\"use\":\"sig\"},"
        "{\"kty\":\"EC\",\"crv\":\"P-521\",\"kid\":\"ec-521\",\"x\":\"AA\",\"y\":\"AA\"},"
        "{\"kty\":\"RSA\",\"kid\":\"rsa-1\",\"n\":\"%s\",\"e\":\"AQAB\",\"alg\":\"RS256\"},"
        "{\"kty\":\"RSA\",\"kid\":\"rsa-enc\",\"n\":\"%s\",\"e\":\"AQAB\",\"use\":\"enc\"},"
        "%s},"
        "{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"kid\":\"ed\",\"x\":\"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo\"},"
        "\"not a key\", 42]}",
        a3_jwk, a2_n, a2_n, a3_jwk);
    json_t *j = load(text);
    cm_jwk_t **keys = NULL;
    size_t n = 0;
    CU_ASSERT_EQUAL_FATAL(cm_jwks_parse(j, &keys, &n), CM_OK);
    CU_ASSERT_EQUAL_FATAL(n, 2); /* the EC key without kid is skipped too */
    CU_ASSERT_STRING_EQUAL(cm_jwk_kid(keys[0]), "ec-1");
    CU_ASSERT_STRING_EQUAL(cm_jwk_kid(keys[1]), "rsa-1");
    CU_ASSERT_EQUAL(verify_text(a2_token, keys[1], CM_JOSE_RS256), CM_OK);
    cm_jwks_free(keys, n);
    json_decref(j);

    static const char *const not_sets[] = {"{}", "{\"keys\":{}}", "[]", "{\"keys\":\"x\"}"};
    for (size_t i = 0; i < sizeof(not_sets) / sizeof(not_sets[0]); i++) {
        j = json_loads(not_sets[i], JSON_DECODE_ANY, NULL);
        keys = (cm_jwk_t **)1;
        CU_ASSERT_EQUAL(cm_jwks_parse(j, &keys, &n), CM_EINVAL);
        CU_ASSERT_PTR_NULL(keys);
        CU_ASSERT_EQUAL(n, 0);
        json_decref(j);
    }
    j = load("{\"keys\":[]}");
    CU_ASSERT_EQUAL(cm_jwks_parse(j, &keys, &n), CM_OK);
    CU_ASSERT_EQUAL(n, 0);
    cm_jwks_free(keys, n);
    json_decref(j);
}

void tests_register(void)
{
    CU_SUITE("jose", NULL, NULL, {"rfc7515_a3_es256", test_rfc7515_a3_es256},
             {"rfc7515_a2_rs256", test_rfc7515_a2_rs256}, {"rfc7638_thumbprint", test_rfc7638_thumbprint},
             {"sign_verify_roundtrip", test_sign_verify_roundtrip}, {"tampered", test_tampered},
             {"refused_algs", test_refused_algs}, {"jwk_export_import", test_jwk_export_import},
             {"jwk_import_refused", test_jwk_import_refused}, {"jwks", test_jwks});
}
