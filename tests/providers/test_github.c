/*
 * test_github.c - the github plugin (real .so): authorize URL, Accept: application/json and the
 * form-encoded fallback, errors inside HTTP 200, OAuth-app tokens that never expire vs GitHub App
 * tokens with refresh, comma scopes, and the DELETE /applications/{client_id}/grant revocation.
 */
#include "cu.h"
#include "fake_host.h"

#include "common/crypto.h"
#include "common/json_util.h"

#include <stdlib.h>
#include <string.h>

static fh_plugin_t pl;
static const op_provider_t *gh;
static const op_client_t client = {sizeof(op_client_t), "Iv1.8a61f9b3a7aba766", "gh-secret-40chars",
                                   "https://broker.test/oauth/callback", NULL};

static int setup(void)
{
    fh_reset();
    if (fh_load(&pl, "github", NULL) != OP_OK)
        return -1;
    gh = fh_provider("github");
    return gh != NULL ? 0 : -1;
}

static int teardown(void)
{
    fh_unload(&pl);
    fh_reset();
    return 0;
}

static void test_registration(void)
{
    CU_ASSERT_STRING_EQUAL(gh->display_name, "GitHub");
    CU_ASSERT_EQUAL(gh->capabilities, OP_CAP_REFRESH | OP_CAP_REVOKE | OP_CAP_PKCE);
    CU_ASSERT_STRING_EQUAL(gh->authorization_endpoint, "https://github.com/login/oauth/authorize");
    CU_ASSERT_STRING_EQUAL(gh->token_endpoint, "https://github.com/login/oauth/access_token");
    CU_ASSERT_STRING_EQUAL(gh->revocation_endpoint, "https://api.github.com/applications/{client_id}/grant");
}

static void test_authorize_url(void)
{
    op_authorize_params_t ap = {sizeof(ap), "st-gh",  "repo read:org", "chal-43-chars-E9Melhoa2OwvFrEMTJguCHaoeK1",
                                NULL,       "octocat"};
    char *url = NULL;
    op_error_t err;
    CU_ASSERT_EQUAL_FATAL(gh->build_authorize_url(gh->data, &client, &ap, &url, &err), OP_OK);
    char *b = fh_url_base(url);
    CU_ASSERT_STRING_EQUAL(b, "https://github.com/login/oauth/authorize");
    free(b);
    FH_ASSERT_QUERY(url, "client_id", "Iv1.8a61f9b3a7aba766");
    FH_ASSERT_QUERY(url, "redirect_uri", "https://broker.test/oauth/callback");
    FH_ASSERT_QUERY(url, "response_type", "code");
    FH_ASSERT_QUERY(url, "scope", "repo read:org");
    FH_ASSERT_QUERY(url, "state", "st-gh");
    FH_ASSERT_QUERY(url, "code_challenge", "chal-43-chars-E9Melhoa2OwvFrEMTJguCHaoeK1");
    FH_ASSERT_QUERY(url, "code_challenge_method", "S256");
    FH_ASSERT_QUERY(url, "login", "octocat");
    CU_ASSERT_EQUAL(fh_query_count(url, "login_hint"), 0);
    CU_ASSERT_EQUAL(fh_query_total(url), 8);
    fh_host()->mem_free(url);
    ap.state = NULL;
    CU_ASSERT_EQUAL(gh->build_authorize_url(gh->data, &client, &ap, &url, &err), OP_EINVAL);
}

static void test_oauth_app_token_never_expires(void)
{
    fh_reset();
    fh_token_result_t res = {0};
    fh_script(200, "application/json",
              "{\"access_token\":\"gho_16C7e42F292c6912E7710c838347Ae178B4a\","
              "\"scope\":\"repo,gist\",\"token_type\":\"bearer\"}");
    CU_ASSERT_EQUAL_FATAL(gh->exchange_code(gh->data, &client, "c0de", "verifier-x", fh_token_cb, &res), OP_AGAIN);
    const fh_request_t *r = fh_last_request();
    CU_ASSERT_STRING_EQUAL(r->url, "https://github.com/login/oauth/access_token");
    CU_ASSERT_STRING_EQUAL(fh_header(r, "Accept"), "application/json");
    FH_ASSERT_FORM(r, "client_id", "Iv1.8a61f9b3a7aba766");
    FH_ASSERT_FORM(r, "client_secret", "gh-secret-40chars");
    FH_ASSERT_FORM(r, "code", "c0de");
    FH_ASSERT_FORM(r, "code_verifier", "verifier-x");
    FH_ASSERT_FORM(r, "redirect_uri", "https://broker.test/oauth/callback");
    fh_flush();
    CU_ASSERT_EQUAL_FATAL(res.status, OP_OK);
    CU_ASSERT_STRING_EQUAL(res.tokens.access_token, "gho_16C7e42F292c6912E7710c838347Ae178B4a");
    CU_ASSERT_STRING_EQUAL(res.tokens.token_type, "Bearer");
    CU_ASSERT_STRING_EQUAL(res.tokens.scope, "repo gist");
    CU_ASSERT_EQUAL(res.tokens.expires_at, 0);
    CU_ASSERT_EQUAL(res.tokens.refresh_expires_at, 0);
    CU_ASSERT_PTR_NULL(res.tokens.refresh_token);
    fh_token_result_clear(&res);
}

static void test_form_encoded_fallback(void)
{
    /* GitHub's default answer, with its own content type, a wrong one, or none */
    const char *types[] = {"application/x-www-form-urlencoded; charset=utf-8", "text/html", "application/json", NULL};
    for (size_t i = 0; i < 4; i++) {
        op_token_set_t ts;
        op_error_t err;
        CU_ASSERT_EQUAL_FATAL(
            fh_parse(gh, 200, types[i],
                     "access_token=ghu_16C7e42F292c69&expires_in=28800&refresh_token=ghr_1B4a2e77838347a7E420ce178F&"
                     "refresh_token_expires_in=15897600&scope=&token_type=bearer",
                     &ts, &err),
            OP_OK);
        CU_ASSERT_STRING_EQUAL(ts.access_token, "ghu_16C7e42F292c69");
        CU_ASSERT_STRING_EQUAL(ts.refresh_token, "ghr_1B4a2e77838347a7E420ce178F");
        CU_ASSERT_EQUAL(ts.expires_at, FH_NOW + 28800);
        CU_ASSERT_EQUAL(ts.refresh_expires_at, FH_NOW + 15897600);
        CU_ASSERT_STRING_EQUAL(ts.scope, "");
        fh_host()->token_set_clear(&ts);
    }
    CU_ASSERT_EQUAL(fh_live_allocations(), 0);
}

static void expect(const char *ctype, const char *body, int cls, const char *code)
{
    op_token_set_t ts;
    op_error_t err;
    CU_ASSERT_EQUAL(fh_parse(gh, 200, ctype, body, &ts, &err), OP_ERR);
    CU_ASSERT_EQUAL(err.error_class, cls);
    CU_ASSERT_STRING_EQUAL(err.code, code);
    CU_ASSERT_EQUAL(err.http_status, 200);
}

static void test_errors_with_200(void)
{
    expect("application/json",
           "{\"error\":\"bad_verification_code\",\"error_description\":\"The code passed is incorrect or expired.\","
           "\"error_uri\":\"https://docs.github.com/apps/troubleshooting\"}",
           OP_ERRCLASS_REQUEST, "bad_verification_code");
    expect("application/x-www-form-urlencoded",
           "error=bad_verification_code&error_description=The+code+passed+is+incorrect+or+expired.&"
           "error_uri=https%3A%2F%2Fdocs.github.com",
           OP_ERRCLASS_REQUEST, "bad_verification_code");
    expect("application/json", "{\"error\":\"incorrect_client_credentials\"}", OP_ERRCLASS_PERMANENT,
           "incorrect_client_credentials");
    expect("application/json", "{\"error\":\"redirect_uri_mismatch\"}", OP_ERRCLASS_REQUEST, "redirect_uri_mismatch");
    expect("application/json", "{\"error\":\"unverified_user_email\"}", OP_ERRCLASS_PERMANENT, "unverified_user_email");
    expect("text/html", "<!DOCTYPE html><html>Unicorn!</html>", OP_ERRCLASS_TRANSIENT, "bad_response");
    /* through refresh: bad_refresh_token is permanent */
    fh_reset();
    fh_token_result_t res = {0};
    fh_script(200, "application/json", "{\"error\":\"bad_refresh_token\",\"error_description\":\"expired\"}");
    CU_ASSERT_EQUAL_FATAL(gh->refresh(gh->data, &client, "ghr_old", NULL, fh_token_cb, &res), OP_AGAIN);
    FH_ASSERT_FORM(fh_last_request(), "grant_type", "refresh_token");
    FH_ASSERT_FORM(fh_last_request(), "refresh_token", "ghr_old");
    fh_flush();
    CU_ASSERT_EQUAL(res.status, OP_ERR);
    CU_ASSERT_EQUAL(res.err.error_class, OP_ERRCLASS_PERMANENT);
    CU_ASSERT_STRING_EQUAL(res.err.code, "bad_refresh_token");
}

static void test_revoke(void)
{
    fh_reset();
    fh_done_result_t ok = {0}, gone = {0}, denied = {0}, down = {0};
    fh_script(204, NULL, "");
    fh_script(404, "application/json", "{\"message\":\"Not Found\"}");
    fh_script(401, "application/json", "{\"message\":\"Requires authentication\"}");
    fh_script(502, "text/html", "<html>Bad gateway</html>");
    CU_ASSERT_EQUAL_FATAL(gh->revoke(gh->data, &client, "gho_token", "access_token", fh_done_cb, &ok), OP_AGAIN);
    const fh_request_t *r = fh_last_request();
    CU_ASSERT_STRING_EQUAL(r->method, "DELETE");
    CU_ASSERT_STRING_EQUAL(r->url, "https://api.github.com/applications/Iv1.8a61f9b3a7aba766/grant");
    CU_ASSERT_STRING_EQUAL(fh_header(r, "Accept"), "application/vnd.github+json");
    CU_ASSERT_STRING_EQUAL(fh_header(r, "Content-Type"), "application/json");
    const char *auth = fh_header(r, "Authorization");
    CU_ASSERT_PTR_NOT_NULL_FATAL(auth);
    CU_ASSERT_EQUAL(strncmp(auth, "Basic ", 6), 0);
    uint8_t *plain = cm_b64_decode(auth + 6, strlen(auth + 6), NULL);
    CU_ASSERT_STRING_EQUAL((char *)plain, "Iv1.8a61f9b3a7aba766:gh-secret-40chars");
    free(plain);
    json_t *body = cm_json_loadb(r->body, r->body_len, NULL);
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(body, "access_token")), "gho_token");
    CU_ASSERT_EQUAL(json_object_size(body), 1);
    json_decref(body);
    gh->revoke(gh->data, &client, "gho_token", NULL, fh_done_cb, &gone);
    gh->revoke(gh->data, &client, "gho_token", NULL, fh_done_cb, &denied);
    gh->revoke(gh->data, &client, "gho_token", NULL, fh_done_cb, &down);
    CU_ASSERT_EQUAL(fh_flush(), 4);
    CU_ASSERT_EQUAL(ok.status, OP_OK);
    CU_ASSERT_EQUAL(gone.status, OP_OK);
    CU_ASSERT_EQUAL(denied.status, OP_ERR);
    CU_ASSERT_EQUAL(denied.err.error_class, OP_ERRCLASS_PERMANENT);
    CU_ASSERT_EQUAL(denied.err.http_status, 401);
    CU_ASSERT_EQUAL(down.err.error_class, OP_ERRCLASS_TRANSIENT);
    op_client_t nosecret = client;
    nosecret.client_secret = NULL;
    CU_ASSERT_EQUAL(gh->revoke(gh->data, &nosecret, "gho_token", NULL, fh_done_cb, &ok), OP_EINVAL);
}

static void test_api_base_override(void)
{
    fh_plugin_t other;
    fh_unload(&pl);
    fh_reset();
    CU_ASSERT_EQUAL_FATAL(fh_load(&other, "github",
                                  "{\"api_base\":\"http://127.0.0.1:8090/api/v3/\","
                                  "\"token_endpoint\":\"http://127.0.0.1:8090/login/oauth/access_token\"}"),
                          OP_OK);
    const op_provider_t *p = fh_provider("github");
    CU_ASSERT_STRING_EQUAL(p->revocation_endpoint, "http://127.0.0.1:8090/api/v3/applications/{client_id}/grant");
    op_client_t c = client;
    c.client_id = "id with/slash";
    fh_done_result_t done = {0};
    p->revoke(p->data, &c, "t", NULL, fh_done_cb, &done);
    CU_ASSERT_STRING_EQUAL(fh_last_request()->url, "http://127.0.0.1:8090/api/v3/applications/id%20with%2Fslash/grant");
    fh_unload(&other);
    CU_ASSERT_EQUAL(done.called, 1);
    fh_reset();
    CU_ASSERT_EQUAL(fh_load(&other, "github", "{\"api_base\":\"api.github.com\"}"), OP_EINVAL);
    CU_ASSERT_TRUE(fh_logged("api_base"));
    fh_unload(&other);
    fh_reset();
    CU_ASSERT_EQUAL(fh_load(&pl, "github", NULL), OP_OK);
    gh = fh_provider("github");
}

void tests_register(void)
{
    CU_SUITE("github", setup, teardown, {"registration", test_registration}, {"authorize url", test_authorize_url},
             {"oauth app token never expires", test_oauth_app_token_never_expires},
             {"form-encoded fallback", test_form_encoded_fallback}, {"errors with 200", test_errors_with_200},
             {"revoke", test_revoke}, {"api_base override", test_api_base_override});
}
