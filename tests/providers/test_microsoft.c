/*
 * test_microsoft.c - the microsoft plugin (real .so): tenant in the URL path (options, config
 * default, "common"), tenant validation, offline_access always requested, response_mode=query,
 * PKCE, client_secret_post, and no revocation endpoint.
 */
#include "cu.h"
#include "fake_host.h"

#include <stdlib.h>
#include <string.h>

static fh_plugin_t pl;
static const op_provider_t *ms;
#define CHALLENGE "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"

static int setup(void)
{
    fh_reset();
    if (fh_load(&pl, "microsoft", NULL) != OP_OK)
        return -1;
    ms = fh_provider("microsoft");
    return ms != NULL ? 0 : -1;
}

static int teardown(void)
{
    fh_unload(&pl);
    fh_reset();
    return 0;
}

static op_client_t client_with(const char *options)
{
    op_client_t c = {sizeof(c), "00000000-aaaa-bbbb-cccc-111111111111", "ms~secret",
                     "https://broker.test/oauth/callback", options};
    return c;
}

/* Builds the authorize URL for options/scopes; returns its status; *url host-allocated. */
static int authorize(const char *options, const char *scopes, char **url, op_error_t *err)
{
    op_client_t c = client_with(options);
    op_authorize_params_t ap = {sizeof(ap), "st-1", scopes, CHALLENGE, NULL, NULL};
    *url = NULL;
    return ms->build_authorize_url(ms->data, &c, &ap, url, err);
}

static void expect_path(const char *options, const char *base)
{
    char *url;
    op_error_t err;
    CU_ASSERT_EQUAL_FATAL(authorize(options, NULL, &url, &err), OP_OK);
    char *b = fh_url_base(url);
    CU_ASSERT_STRING_EQUAL(b, base);
    free(b);
    fh_host()->mem_free(url);
}

static void test_registration(void)
{
    CU_ASSERT_STRING_EQUAL(ms->display_name, "Microsoft");
    CU_ASSERT_STRING_EQUAL(ms->default_scopes, "offline_access User.Read");
    CU_ASSERT_EQUAL(ms->capabilities, OP_CAP_REFRESH | OP_CAP_PKCE | OP_CAP_OIDC);
    CU_ASSERT_FALSE(ms->capabilities & OP_CAP_REVOKE);
    CU_ASSERT_PTR_NULL(ms->revoke);
    CU_ASSERT_PTR_NULL(ms->revocation_endpoint);
    CU_ASSERT_STRING_EQUAL(ms->authorization_endpoint,
                           "https://login.microsoftonline.com/{tenant}/oauth2/v2.0/authorize");
}

static void test_authorize_url(void)
{
    char *url;
    op_error_t err;
    CU_ASSERT_EQUAL_FATAL(authorize(NULL, NULL, &url, &err), OP_OK);
    char *b = fh_url_base(url);
    CU_ASSERT_STRING_EQUAL(b, "https://login.microsoftonline.com/common/oauth2/v2.0/authorize");
    free(b);
    FH_ASSERT_QUERY(url, "client_id", "00000000-aaaa-bbbb-cccc-111111111111");
    FH_ASSERT_QUERY(url, "redirect_uri", "https://broker.test/oauth/callback");
    FH_ASSERT_QUERY(url, "response_type", "code");
    FH_ASSERT_QUERY(url, "response_mode", "query");
    FH_ASSERT_QUERY(url, "scope", "offline_access User.Read");
    FH_ASSERT_QUERY(url, "state", "st-1");
    FH_ASSERT_QUERY(url, "code_challenge", CHALLENGE);
    FH_ASSERT_QUERY(url, "code_challenge_method", "S256");
    CU_ASSERT_EQUAL(fh_query_total(url), 8);
    fh_host()->mem_free(url);
    /* offline_access is always requested, once */
    CU_ASSERT_EQUAL_FATAL(authorize(NULL, "User.Read Mail.Read", &url, &err), OP_OK);
    FH_ASSERT_QUERY(url, "scope", "offline_access User.Read Mail.Read");
    fh_host()->mem_free(url);
    CU_ASSERT_EQUAL_FATAL(authorize(NULL, "Mail.Send offline_access", &url, &err), OP_OK);
    FH_ASSERT_QUERY(url, "scope", "Mail.Send offline_access");
    fh_host()->mem_free(url);
    CU_ASSERT_EQUAL(fh_live_allocations(), 0);
}

static void test_tenants(void)
{
    expect_path("{\"tenant\":\"organizations\"}",
                "https://login.microsoftonline.com/organizations/oauth2/v2.0/authorize");
    expect_path("{\"tenant\":\"consumers\"}", "https://login.microsoftonline.com/consumers/oauth2/v2.0/authorize");
    expect_path("{\"tenant\":\"72F988BF-86f1-41af-91ab-2d7cd011db47\"}",
                "https://login.microsoftonline.com/72F988BF-86f1-41af-91ab-2d7cd011db47/oauth2/v2.0/authorize");
    expect_path("{\"tenant\":\"contoso.onmicrosoft.com\"}",
                "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/authorize");
    expect_path("{\"other\":1}", "https://login.microsoftonline.com/common/oauth2/v2.0/authorize");
    expect_path("{\"tenant\":null}", "https://login.microsoftonline.com/common/oauth2/v2.0/authorize");
}

static void test_invalid_tenants(void)
{
    const char *bad[] = {"{\"tenant\":\"../evil\"}",     "{\"tenant\":\"evil/x\"}",
                         "{\"tenant\":\"a b\"}",         "{\"tenant\":\"\"}",
                         "{\"tenant\":\"localhost\"}",   "{\"tenant\":\"10.0.0.1\"}",
                         "{\"tenant\":\"-bad.com\"}",    "{\"tenant\":\"bad-.com\"}",
                         "{\"tenant\":\"a..com\"}",      "{\"tenant\":\"contoso.com?x=1\"}",
                         "{\"tenant\":\"Common\"}",      "{\"tenant\":5}",
                         "{\"tenant\":\"common%2F..\"}", NULL};
    for (size_t i = 0; bad[i] != NULL; i++) {
        char *url;
        op_error_t err;
        CU_ASSERT_EQUAL(authorize(bad[i], NULL, &url, &err), OP_EINVAL);
        CU_ASSERT_PTR_NULL(url);
        CU_ASSERT_STRING_EQUAL(err.code, "invalid_tenant");
        CU_ASSERT_EQUAL(err.error_class, OP_ERRCLASS_REQUEST);
    }
    char *url;
    op_error_t err;
    CU_ASSERT_EQUAL(authorize("[1]", NULL, &url, &err), OP_EINVAL);
    CU_ASSERT_STRING_EQUAL(err.code, "invalid_options");
    CU_ASSERT_EQUAL(authorize("{not json", NULL, &url, &err), OP_EINVAL);
    /* 254-character domain */
    char opts[400] = "{\"tenant\":\"";
    size_t n = strlen(opts);
    for (int i = 0; i < 50; i++) {
        memcpy(opts + n, "abcd.", 5);
        n += 5;
    }
    memcpy(opts + n, "comm\"}", 7);
    CU_ASSERT_EQUAL(authorize(opts, NULL, &url, &err), OP_EINVAL);
    /* the token endpoint refuses too, before sending anything */
    fh_reset();
    op_client_t c = client_with("{\"tenant\":\"../x\"}");
    fh_token_result_t res = {0};
    CU_ASSERT_EQUAL(ms->exchange_code(ms->data, &c, "code", NULL, fh_token_cb, &res), OP_EINVAL);
    CU_ASSERT_EQUAL(ms->refresh(ms->data, &c, "rt", NULL, fh_token_cb, &res), OP_EINVAL);
    CU_ASSERT_EQUAL(fh_request_count(), 0);
    CU_ASSERT_EQUAL(res.called, 0);
}

static void test_exchange_and_refresh(void)
{
    fh_reset();
    op_client_t c = client_with("{\"tenant\":\"contoso.onmicrosoft.com\"}");
    fh_token_result_t res = {0}, ref = {0};
    fh_script(200, "application/json",
              "{\"token_type\":\"Bearer\",\"scope\":\"User.Read Mail.Read\",\"expires_in\":\"3599\","
              "\"ext_expires_in\":3599,\"access_token\":\"eyJ0eXAi.ms\",\"refresh_token\":\"0.AAAA-rt\"}");
    fh_script(400, "application/json",
              "{\"error\":\"invalid_grant\",\"error_description\":\"AADSTS70008: The refresh token has expired\","
              "\"error_codes\":[70008]}");
    CU_ASSERT_EQUAL_FATAL(ms->exchange_code(ms->data, &c, "0.AX-code", "v-123", fh_token_cb, &res), OP_AGAIN);
    const fh_request_t *r = fh_last_request();
    CU_ASSERT_STRING_EQUAL(r->url, "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token");
    FH_ASSERT_FORM(r, "grant_type", "authorization_code");
    FH_ASSERT_FORM(r, "client_id", "00000000-aaaa-bbbb-cccc-111111111111");
    FH_ASSERT_FORM(r, "client_secret", "ms~secret");
    FH_ASSERT_FORM(r, "code_verifier", "v-123");
    FH_ASSERT_FORM(r, "redirect_uri", "https://broker.test/oauth/callback");
    CU_ASSERT_PTR_NULL(fh_header(r, "Authorization"));
    CU_ASSERT_EQUAL_FATAL(ms->refresh(ms->data, &c, "0.AAAA-rt", "User.Read", fh_token_cb, &ref), OP_AGAIN);
    FH_ASSERT_FORM(fh_last_request(), "scope", "User.Read");
    fh_flush();
    CU_ASSERT_EQUAL_FATAL(res.status, OP_OK);
    CU_ASSERT_EQUAL(res.tokens.expires_at, FH_NOW + 3599);
    CU_ASSERT_STRING_EQUAL(res.tokens.refresh_token, "0.AAAA-rt");
    CU_ASSERT_STRING_EQUAL(res.tokens.extras_json, "{\"ext_expires_in\":3599}");
    CU_ASSERT_EQUAL(ref.err.error_class, OP_ERRCLASS_PERMANENT);
    CU_ASSERT_STRING_EQUAL(ref.err.code, "invalid_grant");
    fh_token_result_clear(&res);
    CU_ASSERT_EQUAL(fh_live_allocations(), 0);
}

static void test_config(void)
{
    fh_plugin_t other;
    fh_unload(&pl);
    fh_reset();
    CU_ASSERT_EQUAL_FATAL(fh_load(&other, "microsoft",
                                  "{\"default_tenant\":\"organizations\","
                                  "\"authorization_endpoint\":\"http://127.0.0.1:8089/{tenant}/authorize\","
                                  "\"token_endpoint\":\"http://127.0.0.1:8089/{tenant}/token\"}"),
                          OP_OK);
    ms = fh_provider("microsoft");
    char *url;
    op_error_t err;
    CU_ASSERT_EQUAL_FATAL(authorize(NULL, NULL, &url, &err), OP_OK);
    char *b = fh_url_base(url);
    CU_ASSERT_STRING_EQUAL(b, "http://127.0.0.1:8089/organizations/authorize");
    free(b);
    fh_host()->mem_free(url);
    expect_path("{\"tenant\":\"consumers\"}", "http://127.0.0.1:8089/consumers/authorize");
    fh_unload(&other);

    const char *bad[] = {"{\"default_tenant\":\"not a tenant\"}", "{\"token_endpoint\":\"{tenant}/token\"}",
                         "{\"revocation_endpoint\":\"http://x/revoke\"}", NULL};
    for (size_t i = 0; bad[i] != NULL; i++) {
        fh_reset();
        CU_ASSERT_EQUAL(fh_load(&other, "microsoft", bad[i]), OP_EINVAL);
        CU_ASSERT_EQUAL(fh_provider_count(), 0);
        CU_ASSERT_EQUAL(fh_log_count(), 1);
        fh_unload(&other);
    }
    fh_reset();
    CU_ASSERT_EQUAL(fh_load(&pl, "microsoft", NULL), OP_OK);
    ms = fh_provider("microsoft");
}

void tests_register(void)
{
    CU_SUITE("microsoft", setup, teardown, {"registration", test_registration}, {"authorize url", test_authorize_url},
             {"tenants", test_tenants}, {"invalid tenants", test_invalid_tenants},
             {"exchange and refresh", test_exchange_and_refresh}, {"config", test_config});
}
