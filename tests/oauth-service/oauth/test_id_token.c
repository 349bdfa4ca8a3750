/*
 * test_id_token.c - the ID token checks of the code flow: nonce (present and equal), audience, issuer, and
 * malformed tokens.
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

static int check(const char *claims, const char *issuer, char *why)
{
    char *t = jwt(claims);
    int rc = ob_id_token_check(t, "nonce-123", "client-1", issuer, why, 96);
    free(t);
    return rc;
}

static void test_id_token(void)
{
    char why[96] = "";
    CU_ASSERT_EQUAL(check("{\"iss\":\"https://idp\",\"aud\":\"client-1\",\"nonce\":\"nonce-123\"}", "https://idp", why),
                    CM_OK);
    CU_ASSERT_EQUAL(check("{\"iss\":\"https://idp\",\"aud\":[\"x\",\"client-1\"],\"nonce\":\"nonce-123\"}", NULL, why),
                    CM_OK);
    CU_ASSERT_EQUAL(check("{\"aud\":\"client-1\",\"nonce\":\"nonce-999\"}", NULL, why), CM_EINVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(why, "nonce differs"));
    CU_ASSERT_PTR_NULL(strstr(why, "nonce-999")); /* never token contents */
    CU_ASSERT_EQUAL(check("{\"aud\":\"client-1\"}", NULL, why), CM_EINVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(why, "no nonce"));
    CU_ASSERT_EQUAL(check("{\"aud\":\"client-1\",\"nonce\":123}", NULL, why), CM_EINVAL);
    CU_ASSERT_EQUAL(check("{\"aud\":\"other\",\"nonce\":\"nonce-123\"}", NULL, why), CM_EINVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(why, "aud"));
    CU_ASSERT_EQUAL(
        check("{\"iss\":\"https://evil\",\"aud\":\"client-1\",\"nonce\":\"nonce-123\"}", "https://idp", why),
        CM_EINVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(why, "issuer"));
    CU_ASSERT_EQUAL(check("[1,2]", NULL, why), CM_EINVAL);
    CU_ASSERT_EQUAL(ob_id_token_check("no-dots", "nonce-123", "client-1", NULL, why, sizeof(why)), CM_EINVAL);
    CU_ASSERT_EQUAL(ob_id_token_check("a.b.c.d", "nonce-123", "client-1", NULL, why, sizeof(why)), CM_EINVAL);
    CU_ASSERT_EQUAL(ob_id_token_check("a.!!!.c", "nonce-123", "client-1", NULL, why, sizeof(why)), CM_EINVAL);
    CU_ASSERT_EQUAL(ob_id_token_check(NULL, "nonce-123", "client-1", NULL, why, sizeof(why)), CM_EINVAL);
}

void tests_register(void)
{
    CU_SUITE("id_token", NULL, NULL, {"checks", test_id_token});
}
