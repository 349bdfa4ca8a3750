/*
 * test_instance_validate.c - every malformed admin API body gets the right status, code and field
 * (the integration test checks that nothing is written for the same inputs).
 */
#include "cu.h"

#include "handlers/instance_validate.h"

#include "common/status.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BASE "\"service\":\"gmail\",\"user_id\":\"u1\",\"client_id\":\"cid\",\"client_secret\":\"sec\""

static void expect_create_as(int public_client, const char *json, int status, const char *code, const char *field)
{
    json_error_t jerr;
    json_t *body = json_loads(json, 0, &jerr);
    ob_create_req_t in;
    ob_verr_t e;
    memset(&e, 0, sizeof(e));
    int rc = ob_validate_create(body, public_client, &in, &e);
    if (rc != CM_EINVAL || e.status != status || strcmp(e.code, code) != 0 ||
        (field == NULL ? e.field != NULL : (e.field == NULL || strcmp(e.field, field) != 0))) {
        fprintf(stderr, "\n%s -> rc %d status %d code %s field %s (want %d %s %s)\n", json, rc, e.status,
                e.code ? e.code : "-", e.field ? e.field : "-", status, code, field ? field : "-");
        CU_FAIL("wrong validation result");
    }
    if (rc == CM_OK)
        free(in.provider_options);
    json_decref(body);
}

static void expect_create(const char *json, int status, const char *code, const char *field)
{
    expect_create_as(0, json, status, code, field);
}

static char *repeat(char c, size_t n)
{
    char *s = malloc(n + 1);
    memset(s, c, n);
    s[n] = '\0';
    return s;
}

static void test_create_ok(void)
{
    json_t *body = json_loads("{" BASE ",\"scopes\":\"openid email https://x/y\",\"custom_name\":\"Work\","
                              "\"provider_options\":{\"tenant\":\"organizations\"},\"expires_in\":3600}",
                              0, NULL);
    ob_create_req_t in;
    ob_verr_t e;
    CU_ASSERT_EQUAL_FATAL(ob_validate_create(body, 0, &in, &e), CM_OK);
    CU_ASSERT_STRING_EQUAL(in.service, "gmail");
    CU_ASSERT_STRING_EQUAL(in.scopes, "openid email https://x/y");
    CU_ASSERT_STRING_EQUAL(in.provider_options, "{\"tenant\":\"organizations\"}");
    CU_ASSERT_EQUAL(in.expires_in, 3600);
    free(in.provider_options);
    json_decref(body);
    body = json_loads("{" BASE ",\"custom_name\":null,\"scopes\":null,\"provider_options\":null}", 0, NULL);
    CU_ASSERT_EQUAL_FATAL(ob_validate_create(body, 0, &in, &e), CM_OK);
    CU_ASSERT_STRING_EQUAL(in.provider_options, "{}");
    CU_ASSERT_PTR_NULL(in.custom_name);
    CU_ASSERT_EQUAL(in.expires_in, 0);
    free(in.provider_options);
    json_decref(body);
}

/* A public client (client auth "none") has no secret: none asked for, one sent refused (it would never be used). */
static void test_create_public(void)
{
    json_t *body = json_loads("{\"service\":\"gmail\",\"user_id\":\"u1\",\"client_id\":\"cid\"}", 0, NULL);
    ob_create_req_t in;
    ob_verr_t e;
    CU_ASSERT_EQUAL_FATAL(ob_validate_create(body, 1, &in, &e), CM_OK);
    CU_ASSERT_PTR_NULL(in.client_secret);
    free(in.provider_options);
    json_decref(body);
    body =
        json_loads("{\"service\":\"gmail\",\"user_id\":\"u1\",\"client_id\":\"cid\",\"client_secret\":null}", 0, NULL);
    CU_ASSERT_EQUAL_FATAL(ob_validate_create(body, 1, &in, &e), CM_OK);
    free(in.provider_options);
    json_decref(body);
    expect_create_as(1, "{" BASE "}", 400, "invalid_field", "client_secret");
    expect_create_as(1, "{\"service\":\"gmail\",\"user_id\":\"u1\",\"client_id\":\"cid\",\"client_secret\":\"\"}", 400,
                     "invalid_field", "client_secret");
    expect_create_as(1, "{\"service\":\"gmail\",\"user_id\":\"u1\",\"client_secret\":\"s\"}", 400, "missing_field",
                     "client_id");
}

static void test_create_errors(void)
{
    char buf[8192];
    expect_create("[]", 400, "invalid_json", NULL);
    expect_create("{}", 400, "missing_field", "service");
    expect_create("{\"user_id\":\"u\",\"client_id\":\"c\",\"client_secret\":\"s\"}", 400, "missing_field", "service");
    expect_create("{\"service\":\"gmail\",\"client_id\":\"c\",\"client_secret\":\"s\"}", 400, "missing_field",
                  "user_id");
    expect_create("{\"service\":\"gmail\",\"user_id\":\"u\",\"client_secret\":\"s\"}", 400, "missing_field",
                  "client_id");
    expect_create("{\"service\":\"gmail\",\"user_id\":\"u\",\"client_id\":\"c\"}", 400, "missing_field",
                  "client_secret");
    expect_create("{" BASE ",\"extra\":1}", 400, "unknown_field", "extra");
    expect_create("{\"service\":5,\"user_id\":\"u\",\"client_id\":\"c\",\"client_secret\":\"s\"}", 400, "invalid_field",
                  "service");
    expect_create("{\"service\":\"Gmail!\",\"user_id\":\"u\",\"client_id\":\"c\",\"client_secret\":\"s\"}", 400,
                  "invalid_field", "service");
    expect_create("{\"service\":\"\",\"user_id\":\"u\",\"client_id\":\"c\",\"client_secret\":\"s\"}", 400,
                  "invalid_field", "service");
    expect_create("{\"service\":\"gmail\",\"user_id\":\"a\\nb\",\"client_id\":\"c\",\"client_secret\":\"s\"}", 400,
                  "invalid_field", "user_id");
    expect_create("{\"service\":\"gmail\",\"user_id\":null,\"client_id\":\"c\",\"client_secret\":\"s\"}", 400,
                  "missing_field", "user_id");
    expect_create("{" BASE ",\"scopes\":\"a \\\"b\\\"\"}", 400, "invalid_field", "scopes");
    expect_create("{" BASE ",\"scopes\":[\"a\"]}", 400, "invalid_field", "scopes");
    expect_create("{" BASE ",\"scopes\":\"   \"}", 400, "invalid_field", "scopes");
    expect_create("{" BASE ",\"provider_options\":[]}", 400, "invalid_field", "provider_options");
    expect_create("{" BASE ",\"expires_in\":10}", 400, "invalid_field", "expires_in");
    expect_create("{" BASE ",\"expires_in\":\"3600\"}", 400, "invalid_field", "expires_in");
    expect_create("{" BASE ",\"expires_in\":1.5}", 400, "invalid_field", "expires_in");
    expect_create("{" BASE ",\"expires_in\":99999999999}", 400, "invalid_field", "expires_in");
    expect_create("{" BASE ",\"custom_name\":7}", 400, "invalid_field", "custom_name");

    char *big = repeat('u', OB_MAX_USER_ID + 1);
    snprintf(buf, sizeof(buf), "{\"service\":\"gmail\",\"user_id\":\"%s\",\"client_id\":\"c\",\"client_secret\":\"s\"}",
             big);
    expect_create(buf, 413, "field_too_large", "user_id");
    free(big);
    big = repeat('s', OB_MAX_CLIENT_SECRET + 1);
    char *huge = malloc(OB_MAX_CLIENT_SECRET + 200);
    snprintf(huge, OB_MAX_CLIENT_SECRET + 200,
             "{\"service\":\"gmail\",\"user_id\":\"u\",\"client_id\":\"c\",\"client_secret\":\"%s\"}", big);
    expect_create(huge, 413, "field_too_large", "client_secret");
    free(huge);
    free(big);
    big = repeat('n', OB_MAX_CUSTOM_NAME + 1);
    snprintf(buf, sizeof(buf), "{" BASE ",\"custom_name\":\"%s\"}", big);
    expect_create(buf, 413, "field_too_large", "custom_name");
    free(big);
    big = repeat('x', OB_MAX_PROVIDER_OPTIONS);
    snprintf(buf, sizeof(buf), "{" BASE ",\"provider_options\":{\"k\":\"%s\"}}", big);
    expect_create(buf, 413, "field_too_large", "provider_options");
    free(big);
    big = repeat('s', 65);
    snprintf(buf, sizeof(buf), "{\"service\":\"%s\",\"user_id\":\"u\",\"client_id\":\"c\",\"client_secret\":\"s\"}",
             big);
    expect_create(buf, 413, "field_too_large", "service");
    free(big);
}

static void expect_patch(const char *json, int rc_want, int status, const char *code, const char *field)
{
    json_t *body = json_loads(json, 0, NULL);
    const char *st = NULL, *name = NULL;
    int set = 0;
    ob_verr_t e;
    memset(&e, 0, sizeof(e));
    int rc = ob_validate_patch(body, &st, &set, &name, &e);
    CU_ASSERT_EQUAL(rc, rc_want);
    if (rc_want != CM_OK) {
        CU_ASSERT_EQUAL(e.status, status);
        CU_ASSERT(e.code != NULL && strcmp(e.code, code) == 0);
        CU_ASSERT(field == NULL ? e.field == NULL : (e.field != NULL && strcmp(e.field, field) == 0));
    }
    json_decref(body);
}

static void test_patch(void)
{
    expect_patch("{\"status\":\"inactive\"}", CM_OK, 0, NULL, NULL);
    expect_patch("{\"custom_name\":null}", CM_OK, 0, NULL, NULL);
    expect_patch("{\"status\":\"active\",\"custom_name\":\"x\"}", CM_OK, 0, NULL, NULL);
    expect_patch("{}", CM_EINVAL, 400, "missing_field", "status");
    expect_patch("{\"status\":\"needs_reauth\"}", CM_EINVAL, 400, "invalid_field", "status");
    expect_patch("{\"status\":true}", CM_EINVAL, 400, "invalid_field", "status");
    expect_patch("{\"user_id\":\"x\"}", CM_EINVAL, 400, "unknown_field", "user_id");
    expect_patch("[1]", CM_EINVAL, 400, "invalid_json", NULL);
    char buf[600];
    char *big = repeat('n', 256);
    snprintf(buf, sizeof(buf), "{\"custom_name\":\"%s\"}", big);
    free(big);
    expect_patch(buf, CM_EINVAL, 413, "field_too_large", "custom_name");
}

static void test_scopes(void)
{
    CU_ASSERT_TRUE(ob_scopes_ok("openid"));
    CU_ASSERT_TRUE(ob_scopes_ok("a b  c"));
    CU_ASSERT_TRUE(ob_scopes_ok("https://www.googleapis.com/auth/gmail.modify"));
    CU_ASSERT_FALSE(ob_scopes_ok(""));
    CU_ASSERT_FALSE(ob_scopes_ok(" "));
    CU_ASSERT_FALSE(ob_scopes_ok("a\tb"));
    CU_ASSERT_FALSE(ob_scopes_ok("a\\b"));
    CU_ASSERT_FALSE(ob_scopes_ok("caf\xc3\xa9"));
}

void tests_register(void)
{
    CU_SUITE("instance_validate", NULL, NULL, {"create: valid bodies", test_create_ok},
             {"create: public clients", test_create_public}, {"create: every malformed input", test_create_errors},
             {"patch", test_patch}, {"scope tokens", test_scopes});
}
