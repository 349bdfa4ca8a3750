/*
 * test_id_token.c - the ID token checks of the code flow: nonce (present and equal when sent, ignored when not),
 * audience and authorized party, issuer, lifetime (exp, iat, with the clock allowance) and malformed tokens.
 */
#include "cu.h"

#include "oauth/id_token.h"

#include "common/crypto.h"
#include "common/status.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* An unsigned compact JWS with the given claims (malloc'ed). */
static char *jwt(const char *claims)
{
    char *payload = cm_b64url_encode(claims, strlen(claims));
    size_t n = strlen(payload) + 64;
    char *out = malloc(n);
    snprintf(out, n, "eyJhbGciOiJSUzI1NiJ9.%s.c2ln", payload);
    free(payload);
    return out;
}

#define NOW 1700000000
#define LIVE "\"exp\":1700000600" /* ten minutes ahead of NOW */

/* claims_fmt may hold one %s: it becomes LIVE */
static int check_nonce(const char *claims_fmt, const char *nonce, const char *issuer, char *why)
{
    char claims[512];
    snprintf(claims, sizeof(claims), claims_fmt, LIVE);
    char *t = jwt(claims);
    int rc = ob_id_token_check(t, nonce, "client-1", issuer, NOW, why, 96);
    free(t);
    return rc;
}

static int check(const char *claims_fmt, const char *issuer, char *why)
{
    return check_nonce(claims_fmt, "nonce-123", issuer, why);
}

static void test_id_token(void)
{
    char why[96] = "";
    CU_ASSERT_EQUAL(
        check("{\"iss\":\"https://idp\",\"aud\":\"client-1\",\"nonce\":\"nonce-123\",%s}", "https://idp", why), CM_OK);
    CU_ASSERT_EQUAL(
        check("{\"iss\":\"https://idp\",\"aud\":[\"x\",\"client-1\"],\"azp\":\"client-1\",\"nonce\":\"nonce-123\",%s}",
              NULL, why),
        CM_OK);
    CU_ASSERT_EQUAL(check("{\"aud\":\"client-1\",\"nonce\":\"nonce-999\",%s}", NULL, why), CM_EINVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(why, "nonce differs"));
    CU_ASSERT_PTR_NULL(strstr(why, "nonce-999")); /* never token contents */
    CU_ASSERT_EQUAL(check("{\"aud\":\"client-1\",%s}", NULL, why), CM_EINVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(why, "no nonce"));
    CU_ASSERT_EQUAL(check("{\"aud\":\"client-1\",\"nonce\":123,%s}", NULL, why), CM_EINVAL);
    CU_ASSERT_EQUAL(check("{\"aud\":\"other\",\"nonce\":\"nonce-123\",%s}", NULL, why), CM_EINVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(why, "aud"));
    CU_ASSERT_EQUAL(
        check("{\"iss\":\"https://evil\",\"aud\":\"client-1\",\"nonce\":\"nonce-123\",%s}", "https://idp", why),
        CM_EINVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(why, "issuer"));
    CU_ASSERT_EQUAL(check("[1,2]", NULL, why), CM_EINVAL);
    CU_ASSERT_EQUAL(ob_id_token_check("no-dots", "nonce-123", "client-1", NULL, NOW, why, sizeof(why)), CM_EINVAL);
    CU_ASSERT_EQUAL(ob_id_token_check("a.b.c.d", "nonce-123", "client-1", NULL, NOW, why, sizeof(why)), CM_EINVAL);
    CU_ASSERT_EQUAL(ob_id_token_check("a.!!!.c", "nonce-123", "client-1", NULL, NOW, why, sizeof(why)), CM_EINVAL);
    CU_ASSERT_EQUAL(ob_id_token_check(NULL, "nonce-123", "client-1", NULL, NOW, why, sizeof(why)), CM_EINVAL);
}

/* iss: exact, or the scheme-less spelling of a bare-host https issuer (Google's two spellings) */
static void test_id_token_issuer(void)
{
    char why[96] = "";
    const char *g = "https://accounts.google.com";
    CU_ASSERT_EQUAL(
        check("{\"iss\":\"https://accounts.google.com\",\"aud\":\"client-1\",\"nonce\":\"nonce-123\",%s}", g, why),
        CM_OK);
    CU_ASSERT_EQUAL(check("{\"iss\":\"accounts.google.com\",\"aud\":\"client-1\",\"nonce\":\"nonce-123\",%s}", g, why),
                    CM_OK);
    CU_ASSERT_EQUAL(
        check("{\"iss\":\"http://accounts.google.com\",\"aud\":\"client-1\",\"nonce\":\"nonce-123\",%s}", g, why),
        CM_EINVAL);
    CU_ASSERT_EQUAL(check("{\"iss\":\"evil.example\",\"aud\":\"client-1\",\"nonce\":\"nonce-123\",%s}", g, why),
                    CM_EINVAL);
    CU_ASSERT_EQUAL(check("{\"aud\":\"client-1\",\"nonce\":\"nonce-123\",%s}", g, why), CM_EINVAL); /* no iss */
    /* an issuer with a path keeps the exact match */
    CU_ASSERT_EQUAL(check("{\"iss\":\"idp.example/t1\",\"aud\":\"client-1\",\"nonce\":\"nonce-123\",%s}",
                          "https://idp.example/t1", why),
                    CM_EINVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(why, "issuer"));
}

/* No nonce in the authorization request (no openid scope, no OIDC): the ID token's nonce is not looked at. */
static void test_id_token_nonce_not_sent(void)
{
    char why[96] = "";
    CU_ASSERT_EQUAL(check_nonce("{\"aud\":\"client-1\",%s}", NULL, NULL, why), CM_OK);
    CU_ASSERT_EQUAL(check_nonce("{\"aud\":\"client-1\",\"nonce\":\"whatever\",%s}", NULL, NULL, why), CM_OK);
    /* the other checks still apply */
    CU_ASSERT_EQUAL(check_nonce("{\"aud\":\"other\",%s}", NULL, NULL, why), CM_EINVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(why, "aud"));
}

/* Core 3.1.3.7 steps 4-5: several audiences need azp = our client_id; an azp present must be us. */
static void test_id_token_azp(void)
{
    char why[96] = "";
    CU_ASSERT_EQUAL(check("{\"aud\":[\"x\",\"client-1\"],\"nonce\":\"nonce-123\",%s}", NULL, why), CM_EINVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(why, "azp"));
    CU_ASSERT_EQUAL(check("{\"aud\":[\"x\",\"client-1\"],\"azp\":\"x\",\"nonce\":\"nonce-123\",%s}", NULL, why),
                    CM_EINVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(why, "azp"));
    CU_ASSERT_EQUAL(check("{\"aud\":\"client-1\",\"azp\":\"x\",\"nonce\":\"nonce-123\",%s}", NULL, why), CM_EINVAL);
    CU_ASSERT_EQUAL(check("{\"aud\":[\"client-1\"],\"nonce\":\"nonce-123\",%s}", NULL, why), CM_OK);
    CU_ASSERT_EQUAL(check("{\"aud\":\"client-1\",\"azp\":\"client-1\",\"nonce\":\"nonce-123\",%s}", NULL, why), CM_OK);
}

/* Core 3.1.3.7 steps 9-10 with OB_ID_TOKEN_SKEW_S (120 s) of allowance. */
static void test_id_token_lifetime(void)
{
    char why[96] = "";
    const char *ok[] = {
        "{\"aud\":\"client-1\",\"nonce\":\"nonce-123\",\"exp\":1700000060}",
        "{\"aud\":\"client-1\",\"nonce\":\"nonce-123\",\"exp\":1699999900}",   /* 100 s ago: within the skew */
        "{\"aud\":\"client-1\",\"nonce\":\"nonce-123\",\"exp\":1700000600.5}", /* NumericDate with a fraction */
        "{\"aud\":\"client-1\",\"nonce\":\"nonce-123\",\"exp\":1700000600,\"iat\":1700000100}", /* 100 s ahead */
        "{\"aud\":\"client-1\",\"nonce\":\"nonce-123\",\"exp\":1700000600,\"iat\":1699990000}",
        NULL};
    const char *bad[] = {
        "{\"aud\":\"client-1\",\"nonce\":\"nonce-123\"}",                                       /* no exp */
        "{\"aud\":\"client-1\",\"nonce\":\"nonce-123\",\"exp\":\"1700000600\"}",                /* not a number */
        "{\"aud\":\"client-1\",\"nonce\":\"nonce-123\",\"exp\":1699999880}",                    /* 120 s ago */
        "{\"aud\":\"client-1\",\"nonce\":\"nonce-123\",\"exp\":1600000000}",                    /* long expired */
        "{\"aud\":\"client-1\",\"nonce\":\"nonce-123\",\"exp\":1700000600,\"iat\":1700000300}", /* 5 min ahead */
        "{\"aud\":\"client-1\",\"nonce\":\"nonce-123\",\"exp\":1700000600,\"iat\":\"now\"}",
        NULL};
    for (int i = 0; ok[i] != NULL; i++) {
        char *t = jwt(ok[i]);
        CU_ASSERT_EQUAL(ob_id_token_check(t, "nonce-123", "client-1", NULL, NOW, why, sizeof(why)), CM_OK);
        free(t);
    }
    for (int i = 0; bad[i] != NULL; i++) {
        char *t = jwt(bad[i]);
        why[0] = '\0';
        CU_ASSERT_EQUAL(ob_id_token_check(t, "nonce-123", "client-1", NULL, NOW, why, sizeof(why)), CM_EINVAL);
        CU_ASSERT(strstr(why, "exp") != NULL || strstr(why, "iat") != NULL);
        free(t);
    }
}

void tests_register(void)
{
    CU_SUITE("id_token", NULL, NULL, {"checks", test_id_token}, {"nonce not sent", test_id_token_nonce_not_sent},
             {"azp", test_id_token_azp}, {"issuer", test_id_token_issuer}, {"lifetime", test_id_token_lifetime});
}
