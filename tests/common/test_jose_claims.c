/*
 * test_jose_claims.c - common/jose.h: the JWT claim checks (RFC 7519 4.1, RFC 9068 4) and what the compact JWS parser
 * refuses, including oversize input.
 */
#include "cu.h"

#include "common/jose.h"
#include "common/status.h"

#include "jose_fixture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The claim check of a payload text under header {"alg":"ES256"[,"typ":typ]}. */
static cm_jwt_fail_t claims_of(const char *typ, const char *payload, const cm_jwt_expect_t *e)
{
    char header[128];
    if (typ != NULL)
        snprintf(header, sizeof(header), "{\"alg\":\"ES256\",\"typ\":\"%s\"}", typ);
    else
        snprintf(header, sizeof(header), "{\"alg\":\"ES256\"}");
    char *t = jose_forge(header, payload, "x.y.c2ln");
    cm_jws_parsed_t p;
    CU_ASSERT_EQUAL_FATAL(cm_jws_parse(t, strlen(t), &p), CM_OK);
    cm_jwt_fail_t f = cm_jwt_check_claims(&p, e);
    cm_jws_parsed_free(&p);
    free(t);
    return f;
}

static void test_claims(void)
{
    const char *good = "{\"iss\":\"https://as\",\"aud\":\"https://mcp/1/mcp\",\"exp\":1100,\"nbf\":1000,\"iat\":1000}";
    cm_jwt_expect_t e = {.iss = "https://as",
                         .aud = "https://mcp/1/mcp",
                         .typ = "at+jwt",
                         .now = 1050,
                         .leeway_s = 60,
                         .require_exp = 1,
                         .max_age_s = 3600};
    CU_ASSERT_EQUAL(claims_of("at+jwt", good, &e), CM_JWT_OK);
    CU_ASSERT_EQUAL(claims_of("application/at+JWT", good, &e), CM_JWT_OK);
    CU_ASSERT_EQUAL(claims_of("JWT", good, &e), CM_JWT_BAD_TYP);
    CU_ASSERT_EQUAL(claims_of(NULL, good, &e), CM_JWT_BAD_TYP);
    e.typ = "application/at+jwt";
    CU_ASSERT_EQUAL(claims_of("at+jwt", good, &e), CM_JWT_OK);
    e.typ = NULL;
    CU_ASSERT_EQUAL(claims_of(NULL, good, &e), CM_JWT_OK);

    CU_ASSERT_EQUAL(claims_of(NULL, "{\"iss\":\"https://as/\",\"aud\":\"https://mcp/1/mcp\",\"exp\":1100}", &e),
                    CM_JWT_BAD_ISS);
    CU_ASSERT_EQUAL(claims_of(NULL, "{\"aud\":\"https://mcp/1/mcp\",\"exp\":1100}", &e), CM_JWT_BAD_ISS);
    CU_ASSERT_EQUAL(claims_of(NULL, "{\"iss\":[\"https://as\"],\"aud\":\"https://mcp/1/mcp\",\"exp\":1100}", &e),
                    CM_JWT_BAD_ISS);
    CU_ASSERT_EQUAL(claims_of(NULL, "{\"iss\":\"https://as\",\"aud\":\"https://mcp/2/mcp\",\"exp\":1100}", &e),
                    CM_JWT_BAD_AUD);
    CU_ASSERT_EQUAL(claims_of(NULL, "{\"iss\":\"https://as\",\"exp\":1100}", &e), CM_JWT_BAD_AUD);
    CU_ASSERT_EQUAL(
        claims_of(NULL, "{\"iss\":\"https://as\",\"aud\":[\"a\",\"https://mcp/1/mcp\"],\"exp\":1100,\"iat\":1000}", &e),
        CM_JWT_OK);
    CU_ASSERT_EQUAL(claims_of(NULL, "{\"iss\":\"https://as\",\"aud\":[\"a\",\"b\"],\"exp\":1100}", &e), CM_JWT_BAD_AUD);
    CU_ASSERT_EQUAL(claims_of(NULL, "{\"iss\":\"https://as\",\"aud\":[],\"exp\":1100}", &e), CM_JWT_BAD_AUD);

    /* exp: valid strictly before exp + leeway */
    const char *exp1100 = "{\"iss\":\"https://as\",\"aud\":\"https://mcp/1/mcp\",\"exp\":1100,\"iat\":1000}";
    e.now = 1159;
    CU_ASSERT_EQUAL(claims_of(NULL, exp1100, &e), CM_JWT_OK);
    e.now = 1160;
    CU_ASSERT_EQUAL(claims_of(NULL, exp1100, &e), CM_JWT_EXPIRED);
    e.leeway_s = 0;
    e.now = 1100;
    CU_ASSERT_EQUAL(claims_of(NULL, exp1100, &e), CM_JWT_EXPIRED);
    e.now = 1099;
    CU_ASSERT_EQUAL(claims_of(NULL, exp1100, &e), CM_JWT_OK);
    CU_ASSERT_EQUAL(claims_of(NULL, "{\"iss\":\"https://as\",\"aud\":\"https://mcp/1/mcp\",\"iat\":1000}", &e),
                    CM_JWT_MALFORMED);
    CU_ASSERT_EQUAL(
        claims_of(NULL, "{\"iss\":\"https://as\",\"aud\":\"https://mcp/1/mcp\",\"exp\":\"1100\",\"iat\":1000}", &e),
        CM_JWT_MALFORMED);
    e.require_exp = 0;
    CU_ASSERT_EQUAL(claims_of(NULL, "{\"iss\":\"https://as\",\"aud\":\"https://mcp/1/mcp\",\"iat\":1000}", &e),
                    CM_JWT_OK);
    e.require_exp = 1;

    /* nbf and iat in the future, beyond the leeway */
    e.leeway_s = 60;
    e.now = 1000;
    CU_ASSERT_EQUAL(
        claims_of(NULL, "{\"iss\":\"https://as\",\"aud\":\"https://mcp/1/mcp\",\"exp\":2000,\"nbf\":1060,\"iat\":1000}",
                  &e),
        CM_JWT_OK);
    CU_ASSERT_EQUAL(
        claims_of(NULL, "{\"iss\":\"https://as\",\"aud\":\"https://mcp/1/mcp\",\"exp\":2000,\"nbf\":1061,\"iat\":1000}",
                  &e),
        CM_JWT_NOT_YET_VALID);
    CU_ASSERT_EQUAL(
        claims_of(NULL, "{\"iss\":\"https://as\",\"aud\":\"https://mcp/1/mcp\",\"exp\":2000,\"iat\":1061}", &e),
        CM_JWT_NOT_YET_VALID);

    /* iat older than max_age (+ leeway), or missing when max_age asks for it */
    e.max_age_s = 100;
    e.now = 1160;
    CU_ASSERT_EQUAL(
        claims_of(NULL, "{\"iss\":\"https://as\",\"aud\":\"https://mcp/1/mcp\",\"exp\":2000,\"iat\":1000}", &e),
        CM_JWT_OK);
    e.now = 1161;
    CU_ASSERT_EQUAL(
        claims_of(NULL, "{\"iss\":\"https://as\",\"aud\":\"https://mcp/1/mcp\",\"exp\":2000,\"iat\":1000}", &e),
        CM_JWT_TOO_OLD);
    CU_ASSERT_EQUAL(claims_of(NULL, "{\"iss\":\"https://as\",\"aud\":\"https://mcp/1/mcp\",\"exp\":2000}", &e),
                    CM_JWT_MALFORMED);

    /* a payload that is no JSON object */
    cm_jws_parsed_t p;
    char *t = jose_forge("{\"alg\":\"ES256\"}", "[1,2]", "x.y.c2ln");
    CU_ASSERT_EQUAL_FATAL(cm_jws_parse(t, strlen(t), &p), CM_OK);
    CU_ASSERT_PTR_NULL(p.payload);
    CU_ASSERT_EQUAL(cm_jwt_check_claims(&p, &e), CM_JWT_MALFORMED);
    cm_jws_parsed_free(&p);
    free(t);
    CU_ASSERT_STRING_EQUAL(cm_jwt_fail_str(CM_JWT_EXPIRED), "expired");
    CU_ASSERT_STRING_EQUAL(cm_jwt_fail_str(CM_JWT_BAD_AUD), "bad audience");
}

static void test_parse_refused(void)
{
    cm_jws_parsed_t p;
    static const char *const bad[] = {
        "",
        "eyJhbGciOiJFUzI1NiJ9.e30",                 /* two parts */
        "eyJhbGciOiJFUzI1NiJ9.e30.c2ln.c2ln",       /* four parts */
        ".e30.c2ln",                                /* empty header */
        "eyJhbGciOiJFUzI1NiJ9=.e30.c2ln",           /* padding */
        "eyJhbGciOiJFUzI1NiJ9.e30.c2l+",            /* base64, not base64url */
        "e30.e30.c2ln",                             /* header without alg: {} */
        "WzFd.e30.c2ln",                            /* header not an object: [1] */
        "eyJhbGciOjV9.e30.c2ln",                    /* alg not a string: {"alg":5} */
        "eyJhbGciOiJFUzI1NiIsImtpZCI6MX0.e30.c2ln", /* kid not a string: {"alg":"ES256","kid":1} */
        /* duplicate alg: {"alg":"ES256","alg":"none"} */
        "eyJhbGciOiJFUzI1NiIsImFsZyI6Im5vbmUifQ.e30.c2ln",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        int rc = cm_jws_parse(bad[i], strlen(bad[i]), &p);
        if (rc != CM_EINVAL)
            fprintf(stderr, "parsed: %s\n", bad[i]);
        CU_ASSERT_EQUAL(rc, CM_EINVAL);
        CU_ASSERT_PTR_NULL(p.header);
        CU_ASSERT_PTR_NULL(p.signing_input);
    }
    CU_ASSERT_EQUAL(cm_jws_parse(NULL, 3, &p), CM_EINVAL);
    static const char ok[] = "eyJhbGciOiJFUzI1NiJ9.e30.c2ln";
    CU_ASSERT_EQUAL(cm_jws_parse(ok, strlen(ok), NULL), CM_EINVAL);
    /* the signing input is the first two parts byte for byte */
    CU_ASSERT_EQUAL_FATAL(cm_jws_parse(ok, strlen(ok), &p), CM_OK);
    CU_ASSERT_STRING_EQUAL(p.signing_input, "eyJhbGciOiJFUzI1NiJ9.e30");
    CU_ASSERT_EQUAL(p.sig_len, 3);
    CU_ASSERT_EQUAL(memcmp(p.sig, "sig", 3), 0);
    cm_jws_parsed_free(&p);
}

static void test_oversize(void)
{
    /* a token of exactly 16 KiB parses; one byte more is refused before decoding */
    const size_t max = 16384;
    char *t = malloc(max + 2);
    CU_ASSERT_FATAL(t != NULL);
    static const char head[] = "eyJhbGciOiJFUzI1NiJ9.";
    static const char tail[] = ".c2ln";
    memcpy(t, head, sizeof(head) - 1);
    size_t fill = max - (sizeof(head) - 1) - (sizeof(tail) - 1);
    memset(t + sizeof(head) - 1, 'A', fill);
    memcpy(t + sizeof(head) - 1 + fill, tail, sizeof(tail));
    cm_jws_parsed_t p;
    CU_ASSERT_EQUAL(strlen(t), max);
    CU_ASSERT_EQUAL(cm_jws_parse(t, max, &p), CM_OK);
    CU_ASSERT_PTR_NULL(p.payload); /* NUL bytes: not JSON */
    cm_jws_parsed_free(&p);
    memmove(t + sizeof(head), t + sizeof(head) - 1, max - (sizeof(head) - 1) + 1);
    CU_ASSERT_EQUAL(strlen(t), max + 1);
    CU_ASSERT_EQUAL(cm_jws_parse(t, max + 1, &p), CM_EINVAL);
    free(t);
}

void tests_register(void)
{
    CU_SUITE("jose_claims", NULL, NULL, {"claims", test_claims}, {"parse_refused", test_parse_refused},
             {"oversize", test_oversize});
}
