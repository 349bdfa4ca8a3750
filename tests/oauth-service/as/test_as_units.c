/*
 * test_as_units.c - the pure parts of the authorization server's token side: the redirect URI policy, registration
 * metadata, client ids and secrets, scopes, access token claims, the token response, the metadata document and the
 * per-address registration limit.
 */
#include "cu.h"

#include "as/clients.h"
#include "as/metadata.h"
#include "as/rate.h"
#include "as/tokens.h"

#include "common/status.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void test_redirect_policy(void)
{
    static const char *const ok[] = {"https://app.example.com/cb",
                                     "http://127.0.0.1/callback",
                                     "http://127.0.0.1:53122/callback",
                                     "http://localhost:3000/oauth/callback",
                                     "http://[::1]:8080/cb",
                                     "cursor://anysphere.cursor-retrieval/oauth/callback",
                                     "com.example.app:/oauth2redirect",
                                     "https://vscode.dev/redirect",
                                     "https://app.example.com/cb?x=1",
                                     NULL};
    static const char *const bad[] = {"",
                                      "javascript:alert(1)",
                                      "JavaScript:alert(1)",
                                      "data:text/html,x",
                                      "file:///etc/passwd",
                                      "https://app.example.com/cb#frag",
                                      "https://user:pw@app.example.com/cb",
                                      "http://app.example.com/cb",
                                      "http://127.0.0.2/cb",
                                      "http://localhost.evil.com/cb",
                                      "http://127.0.0.1:x/cb",
                                      "https:///nohost",
                                      "/relative/cb",
                                      "https://a.example/ cb",
                                      "https://a.example/\tcb",
                                      "vbscript:x",
                                      "cb",
                                      "http://[::2]/cb",
                                      "cursor://user@host/cb",
                                      NULL};
    for (size_t i = 0; ok[i] != NULL; i++) {
        const char *why = NULL;
        if (!ob_as_redirect_uri_ok(ok[i], &why)) {
            fprintf(stderr, "\nrefused %s: %s\n", ok[i], why);
            CU_FAIL("a good redirect URI was refused");
        }
    }
    for (size_t i = 0; bad[i] != NULL; i++) {
        const char *why = NULL;
        if (ob_as_redirect_uri_ok(bad[i], &why)) {
            fprintf(stderr, "\naccepted %s\n", bad[i]);
            CU_FAIL("a bad redirect URI was accepted");
        } else {
            CU_ASSERT_PTR_NOT_NULL(why);
        }
    }
    char big[2100];
    memset(big, 'a', sizeof(big));
    memcpy(big, "https://x.example/", 18);
    big[sizeof(big) - 1] = '\0';
    CU_ASSERT_FALSE(ob_as_redirect_uri_ok(big, NULL));
}

/* Validates json; expects CM_OK or the given error code. Returns the registered metadata (caller's) on success. */
static json_t *validate(const char *json, const char *want_error)
{
    json_error_t jerr;
    json_t *in = json_loads(json, 0, &jerr), *out = NULL;
    const char *error = NULL;
    char desc[256] = "";
    int rc = ob_as_client_metadata_validate(in, &out, &error, desc, sizeof(desc));
    json_decref(in);
    if (want_error == NULL && rc != CM_OK) {
        fprintf(stderr, "\n%s -> %s (%s)\n", json, error, desc);
        CU_FAIL("valid metadata refused");
    }
    if (want_error != NULL && (rc != CM_EINVAL || error == NULL || strcmp(error, want_error) != 0 || !desc[0])) {
        fprintf(stderr, "\n%s -> rc %d %s (want %s)\n", json, rc, error ? error : "-", want_error);
        CU_FAIL("wrong refusal");
    }
    return out;
}

static void test_metadata_defaults(void)
{
    json_t *o = validate("{\"redirect_uris\":[\"http://127.0.0.1/cb\"],\"unknown_member\":{\"x\":1}}", NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(o);
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(o, "token_endpoint_auth_method")), "client_secret_basic");
    CU_ASSERT_STRING_EQUAL(json_string_value(json_array_get(json_object_get(o, "grant_types"), 0)),
                           "authorization_code");
    CU_ASSERT_STRING_EQUAL(json_string_value(json_array_get(json_object_get(o, "response_types"), 0)), "code");
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(o, "application_type")), "web");
    CU_ASSERT_PTR_NULL(json_object_get(o, "unknown_member"));
    CU_ASSERT_TRUE(ob_as_client_is_confidential(o));
    json_decref(o);

    o = validate("{\"redirect_uris\":[\"http://localhost:1/cb\",\"https://a.example/cb\"],"
                 "\"token_endpoint_auth_method\":\"none\",\"grant_types\":[\"authorization_code\",\"refresh_token\"],"
                 "\"application_type\":\"native\",\"client_name\":\"My client\",\"scope\":\"mcp:read\","
                 "\"client_uri\":\"https://a.example\",\"contacts\":[\"a@example.com\"]}",
                 NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(o);
    CU_ASSERT_FALSE(ob_as_client_is_confidential(o));
    CU_ASSERT_EQUAL(json_array_size(json_object_get(o, "redirect_uris")), 2);
    CU_ASSERT_EQUAL(json_array_size(json_object_get(o, "grant_types")), 2);
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(o, "client_name")), "My client");
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(o, "application_type")), "native");
    CU_ASSERT_PTR_NOT_NULL(json_object_get(o, "contacts"));
    json_decref(o);
    o = validate("{\"redirect_uris\":[\"https://a.example/cb\"],\"token_endpoint_auth_method\":\"client_secret_post\"}",
                 NULL);
    CU_ASSERT_TRUE(ob_as_client_is_confidential(o));
    json_decref(o);
}

static void test_metadata_refusals(void)
{
    char name[300], json[400];
    validate("[1]", "invalid_client_metadata");
    validate("{}", "invalid_redirect_uri");
    validate("{\"redirect_uris\":[]}", "invalid_redirect_uri");
    validate("{\"redirect_uris\":\"https://a.example/cb\"}", "invalid_redirect_uri");
    validate("{\"redirect_uris\":[\"javascript:alert(1)\"]}", "invalid_redirect_uri");
    validate("{\"redirect_uris\":[\"https://a.example/cb\", 5]}", "invalid_redirect_uri");
    validate("{\"redirect_uris\":[\"https://a.example/cb\"],\"token_endpoint_auth_method\":\"private_key_jwt\"}",
             "invalid_client_metadata");
    validate("{\"redirect_uris\":[\"https://a.example/cb\"],\"grant_types\":[\"implicit\"]}",
             "invalid_client_metadata");
    validate("{\"redirect_uris\":[\"https://a.example/cb\"],\"grant_types\":[\"authorization_code\",\"password\"]}",
             "invalid_client_metadata");
    validate("{\"redirect_uris\":[\"https://a.example/cb\"],\"grant_types\":[]}", "invalid_client_metadata");
    validate("{\"redirect_uris\":[\"https://a.example/cb\"],\"response_types\":[\"token\"]}",
             "invalid_client_metadata");
    validate("{\"redirect_uris\":[\"https://a.example/cb\"],\"application_type\":\"desktop\"}",
             "invalid_client_metadata");
    validate("{\"redirect_uris\":[\"https://a.example/cb\"],\"client_name\":7}", "invalid_client_metadata");
    validate("{\"redirect_uris\":[\"https://a.example/cb\"],\"client_name\":\"\"}", "invalid_client_metadata");
    memset(name, 'n', 201);
    name[201] = '\0';
    snprintf(json, sizeof(json), "{\"redirect_uris\":[\"https://a.example/cb\"],\"client_name\":\"%s\"}", name);
    validate(json, "invalid_client_metadata");
    name[200] = '\0'; /* 200 bytes is the limit itself */
    snprintf(json, sizeof(json), "{\"redirect_uris\":[\"https://a.example/cb\"],\"client_name\":\"%s\"}", name);
    json_decref(validate(json, NULL));
}

static void test_ids(void)
{
    char a[64], b[64], s[64];
    CU_ASSERT_EQUAL_FATAL(ob_as_client_id_new(a, sizeof(a)), CM_OK);
    CU_ASSERT_EQUAL_FATAL(ob_as_client_id_new(b, sizeof(b)), CM_OK);
    CU_ASSERT_EQUAL(strlen(a), 36);
    CU_ASSERT_EQUAL(strncmp(a, "mcp_", 4), 0);
    CU_ASSERT_EQUAL(strspn(a + 4, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"), 32);
    CU_ASSERT_STRING_NOT_EQUAL(a, b);
    CU_ASSERT_EQUAL_FATAL(ob_as_client_secret_new(s, sizeof(s)), CM_OK);
    CU_ASSERT_EQUAL(strlen(s), 43);
    CU_ASSERT_EQUAL(strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"), 43);
    CU_ASSERT_EQUAL(ob_as_client_id_new(a, 20), CM_EINVAL);
}

static void test_scopes(void)
{
    CU_ASSERT_TRUE(ob_as_scope_valid("mcp:read"));
    CU_ASSERT_TRUE(ob_as_scope_valid("mcp:read mcp:write"));
    CU_ASSERT_TRUE(ob_as_scope_valid("mcp:write  mcp:read"));
    CU_ASSERT_FALSE(ob_as_scope_valid(""));
    CU_ASSERT_FALSE(ob_as_scope_valid(" "));
    CU_ASSERT_FALSE(ob_as_scope_valid("mcp:admin"));
    CU_ASSERT_FALSE(ob_as_scope_valid("mcp:read mcp:read"));
    CU_ASSERT_FALSE(ob_as_scope_valid("mcp:read offline_access"));
    CU_ASSERT_FALSE(ob_as_scope_valid(NULL));

    CU_ASSERT_TRUE(ob_as_scope_subset("mcp:read", "mcp:read mcp:write"));
    CU_ASSERT_TRUE(ob_as_scope_subset("mcp:write mcp:read", "mcp:read mcp:write"));
    CU_ASSERT_TRUE(ob_as_scope_subset("mcp:read", "mcp:read"));
    CU_ASSERT_FALSE(ob_as_scope_subset("mcp:write", "mcp:read"));
    CU_ASSERT_FALSE(ob_as_scope_subset("mcp:rea", "mcp:read"));
    CU_ASSERT_FALSE(ob_as_scope_subset("mcp:read mcp:write", "mcp:read"));
    CU_ASSERT_FALSE(ob_as_scope_subset("", "mcp:read"));
    CU_ASSERT_FALSE(ob_as_scope_subset(NULL, "mcp:read"));
}

static void test_claims_and_response(void)
{
    ob_as_access_t a = {.issuer = "http://127.0.0.1:9",
                        .resource = "http://127.0.0.1:8/abc/mcp",
                        .instance_id = "abc",
                        .client_id = "mcp_x",
                        .scope = "mcp:read",
                        .grant_id = "g1",
                        .service = "gmail",
                        .iat = 1000,
                        .ttl_s = 3600};
    json_t *c = ob_as_access_claims(&a, "jti1");
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(c, "iss")), "http://127.0.0.1:9");
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(c, "aud")), "http://127.0.0.1:8/abc/mcp");
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(c, "sub")), "abc");
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(c, "client_id")), "mcp_x");
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(c, "scope")), "mcp:read");
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(c, "jti")), "jti1");
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(c, "gid")), "g1");
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(c, "service")), "gmail");
    CU_ASSERT_EQUAL(json_integer_value(json_object_get(c, "iat")), 1000);
    CU_ASSERT_EQUAL(json_integer_value(json_object_get(c, "nbf")), 1000);
    CU_ASSERT_EQUAL(json_integer_value(json_object_get(c, "exp")), 4600);
    CU_ASSERT_EQUAL(json_object_size(c), 11);
    json_decref(c);

    json_t *r = ob_as_token_response("AT", 3600, "mcp:read mcp:write", "RT");
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(r, "access_token")), "AT");
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(r, "token_type")), "Bearer");
    CU_ASSERT_EQUAL(json_integer_value(json_object_get(r, "expires_in")), 3600);
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(r, "scope")), "mcp:read mcp:write");
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(r, "refresh_token")), "RT");
    CU_ASSERT_EQUAL(json_object_size(r), 5);
    json_decref(r);
    r = ob_as_token_response("AT", 60, "mcp:read", NULL);
    CU_ASSERT_PTR_NULL(json_object_get(r, "refresh_token"));
    json_decref(r);
}

static void test_metadata_document(void)
{
    json_t *m = ob_as_metadata("http://127.0.0.1:4242");
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(m, "issuer")), "http://127.0.0.1:4242");
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(m, "token_endpoint")), "http://127.0.0.1:4242/as/token");
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(m, "authorization_endpoint")),
                           "http://127.0.0.1:4242/as/authorize");
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(m, "jwks_uri")), "http://127.0.0.1:4242/as/jwks.json");
    CU_ASSERT_STRING_EQUAL(json_string_value(json_array_get(json_object_get(m, "code_challenge_methods_supported"), 0)),
                           "S256");
    CU_ASSERT_EQUAL(json_array_size(json_object_get(m, "code_challenge_methods_supported")), 1);
    CU_ASSERT_TRUE(json_is_true(json_object_get(m, "client_id_metadata_document_supported")));
    CU_ASSERT_TRUE(json_is_true(json_object_get(m, "authorization_response_iss_parameter_supported")));
    CU_ASSERT_EQUAL(json_array_size(json_object_get(m, "token_endpoint_auth_methods_supported")), 3);
    json_decref(m);
}

static void test_rate(void)
{
    int64_t retry = 0;
    ob_as_rate_t *r = ob_as_rate_new(2, 3, 60000);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    for (int i = 0; i < 3; i++)
        CU_ASSERT_EQUAL(ob_as_rate_hit(r, "10.0.0.1", 1000 + i, &retry), 0);
    CU_ASSERT_EQUAL(ob_as_rate_hit(r, "10.0.0.1", 2000, &retry), 1);
    CU_ASSERT_EQUAL(retry, 59);
    CU_ASSERT_EQUAL(ob_as_rate_hit(r, "10.0.0.2", 2000, &retry), 0);  /* another address has its own budget */
    CU_ASSERT_EQUAL(ob_as_rate_hit(r, "10.0.0.1", 61000, &retry), 0); /* a new window */
    ob_as_rate_free(r);
    r = ob_as_rate_new(4, 0, 60000); /* 0 = no limit */
    for (int i = 0; i < 100; i++)
        CU_ASSERT_EQUAL(ob_as_rate_hit(r, "10.0.0.1", 1000, &retry), 0);
    ob_as_rate_free(r);
}

void tests_register(void)
{
    CU_SUITE("as_units", NULL, NULL, {"redirect URI policy", test_redirect_policy},
             {"metadata defaults and echo", test_metadata_defaults}, {"metadata refusals", test_metadata_refusals},
             {"client ids and secrets", test_ids}, {"scopes", test_scopes},
             {"access claims and token response", test_claims_and_response},
             {"AS metadata document", test_metadata_document}, {"registration rate", test_rate});
}
