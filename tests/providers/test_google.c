/*
 * test_google.c - the google plugin (real .so): authorize URL, token requests (client_secret_post),
 * responses and error classes, refresh without a new refresh token, RFC 7009 revocation, config.
 */
#include "cu.h"
#include "fake_host.h"

#include <stdlib.h>
#include <string.h>

static fh_plugin_t pl;
static const op_provider_t *g;
static const op_client_t client = {sizeof(op_client_t), "123.apps.googleusercontent.com", "GOCSPX-secret",
                                   "https://broker.test/oauth/callback", NULL};
#define CHALLENGE "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
#define VERIFIER "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"

static int setup(void)
{
    fh_reset();
    if (fh_load(&pl, "google", NULL) != OP_OK)
        return -1;
    g = fh_provider("google");
    return g != NULL ? 0 : -1;
}

static int teardown(void)
{
    fh_unload(&pl);
    fh_reset();
    return 0;
}

static void test_registration(void)
{
    CU_ASSERT_EQUAL(fh_provider_count(), 1);
    CU_ASSERT_STRING_EQUAL(g->display_name, "Google");
    CU_ASSERT_STRING_EQUAL(g->default_scopes, "openid email");
    CU_ASSERT_EQUAL(g->capabilities, OP_CAP_REFRESH | OP_CAP_REVOKE | OP_CAP_PKCE | OP_CAP_OIDC);
    CU_ASSERT_STRING_EQUAL(g->authorization_endpoint, "https://accounts.google.com/o/oauth2/v2/auth");
    CU_ASSERT_STRING_EQUAL(g->token_endpoint, "https://oauth2.googleapis.com/token");
    CU_ASSERT_STRING_EQUAL(g->revocation_endpoint, "https://oauth2.googleapis.com/revoke");
    /* the issuer is fixed and known (ID token iss is checked); RFC 9207 iss is not advertised by Google */
    CU_ASSERT_PTR_NOT_NULL_FATAL(g->issuer);
    CU_ASSERT_STRING_EQUAL(g->issuer, "https://accounts.google.com");
    CU_ASSERT_EQUAL(g->authorization_response_iss, 0);
    CU_ASSERT_PTR_NOT_NULL(g->refresh);
    CU_ASSERT_PTR_NOT_NULL(g->revoke);
    CU_ASSERT_EQUAL(pl.plugin->abi_major, OP_ABI_MAJOR);
    CU_ASSERT_STRING_EQUAL(pl.plugin->name, "google");
}

static void test_authorize_url(void)
{
    op_authorize_params_t ap = {sizeof(ap), "sealed.state-123", NULL, CHALLENGE, "nonce-9", NULL};
    char *url = NULL;
    op_error_t err;
    CU_ASSERT_EQUAL_FATAL(g->build_authorize_url(g->data, &client, &ap, &url, &err), OP_OK);
    char *base = fh_url_base(url);
    CU_ASSERT_STRING_EQUAL(base, "https://accounts.google.com/o/oauth2/v2/auth");
    free(base);
    FH_ASSERT_QUERY(url, "client_id", "123.apps.googleusercontent.com");
    FH_ASSERT_QUERY(url, "redirect_uri", "https://broker.test/oauth/callback");
    FH_ASSERT_QUERY(url, "response_type", "code");
    FH_ASSERT_QUERY(url, "scope", "openid email");
    FH_ASSERT_QUERY(url, "state", "sealed.state-123");
    FH_ASSERT_QUERY(url, "code_challenge", CHALLENGE);
    FH_ASSERT_QUERY(url, "code_challenge_method", "S256");
    FH_ASSERT_QUERY(url, "access_type", "offline");
    FH_ASSERT_QUERY(url, "prompt", "consent");
    FH_ASSERT_QUERY(url, "include_granted_scopes", "true");
    FH_ASSERT_QUERY(url, "nonce", "nonce-9");
    CU_ASSERT_EQUAL(fh_query_total(url), 11);
    fh_host()->mem_free(url);

    ap.scopes = "https://www.googleapis.com/auth/gmail.modify  openid";
    ap.code_challenge = NULL;
    ap.nonce = NULL;
    ap.login_hint = "user@example.com";
    CU_ASSERT_EQUAL_FATAL(g->build_authorize_url(g->data, &client, &ap, &url, &err), OP_OK);
    FH_ASSERT_QUERY(url, "scope", "https://www.googleapis.com/auth/gmail.modify openid");
    FH_ASSERT_QUERY(url, "login_hint", "user@example.com");
    CU_ASSERT_EQUAL(fh_query_count(url, "code_challenge"), 0);
    CU_ASSERT_EQUAL(fh_query_count(url, "code_challenge_method"), 0);
    fh_host()->mem_free(url);
    CU_ASSERT_EQUAL(fh_live_allocations(), 0);
}

static void test_authorize_requires_state(void)
{
    op_authorize_params_t ap = {sizeof(ap), NULL, NULL, CHALLENGE, NULL, NULL};
    char *url = (char *)"untouched";
    op_error_t err;
    CU_ASSERT_EQUAL(g->build_authorize_url(g->data, &client, &ap, &url, &err), OP_EINVAL);
    CU_ASSERT_PTR_NULL(url);
    CU_ASSERT_STRING_EQUAL(err.code, "missing_state");
    ap.state = "";
    CU_ASSERT_EQUAL(g->build_authorize_url(g->data, &client, &ap, &url, &err), OP_EINVAL);
    op_client_t nouri = client;
    nouri.redirect_uri = NULL;
    ap.state = "s";
    CU_ASSERT_EQUAL(g->build_authorize_url(g->data, &nouri, &ap, &url, &err), OP_EINVAL);
}

static void test_exchange(void)
{
    fh_reset();
    fh_token_result_t res = {0};
    fh_script(200, "application/json; charset=utf-8",
              "{\"access_token\":\"ya29.a0AfH6\",\"expires_in\":3599,\"refresh_token\":\"1//0gLx\","
              "\"scope\":\"https://www.googleapis.com/auth/userinfo.email openid\",\"token_type\":\"Bearer\","
              "\"id_token\":\"eyJhbGciOi.eyJpc3Mi.c2ln\"}");
    CU_ASSERT_EQUAL_FATAL(g->exchange_code(g->data, &client, "4/0AX4Xf", VERIFIER, fh_token_cb, &res), OP_AGAIN);
    CU_ASSERT_EQUAL(res.called, 0);
    const fh_request_t *r = fh_last_request();
    CU_ASSERT_STRING_EQUAL(r->method, "POST");
    CU_ASSERT_STRING_EQUAL(r->url, "https://oauth2.googleapis.com/token");
    CU_ASSERT_STRING_EQUAL(fh_header(r, "Content-Type"), "application/x-www-form-urlencoded");
    CU_ASSERT_PTR_NULL(fh_header(r, "Authorization")); /* client_secret_post */
    FH_ASSERT_FORM(r, "grant_type", "authorization_code");
    FH_ASSERT_FORM(r, "code", "4/0AX4Xf");
    FH_ASSERT_FORM(r, "redirect_uri", "https://broker.test/oauth/callback");
    FH_ASSERT_FORM(r, "code_verifier", VERIFIER);
    FH_ASSERT_FORM(r, "client_id", "123.apps.googleusercontent.com");
    FH_ASSERT_FORM(r, "client_secret", "GOCSPX-secret");
    CU_ASSERT_EQUAL(fh_form_count(r), 6);
    CU_ASSERT_EQUAL(fh_flush(), 1);
    CU_ASSERT_EQUAL(res.called, 1);
    CU_ASSERT_EQUAL_FATAL(res.status, OP_OK);
    CU_ASSERT_STRING_EQUAL(res.tokens.access_token, "ya29.a0AfH6");
    CU_ASSERT_STRING_EQUAL(res.tokens.refresh_token, "1//0gLx");
    CU_ASSERT_STRING_EQUAL(res.tokens.token_type, "Bearer");
    CU_ASSERT_STRING_EQUAL(res.tokens.scope, "https://www.googleapis.com/auth/userinfo.email openid");
    CU_ASSERT_STRING_EQUAL(res.tokens.id_token, "eyJhbGciOi.eyJpc3Mi.c2ln");
    CU_ASSERT_EQUAL(res.tokens.expires_at, FH_NOW + 3599);
    CU_ASSERT_PTR_NULL(res.tokens.extras_json);
    fh_token_result_clear(&res);
    CU_ASSERT_EQUAL(fh_live_allocations(), 0);
}

static void test_refresh_without_new_refresh_token(void)
{
    fh_reset();
    fh_token_result_t res = {0};
    fh_script(200, "application/json", "{\"access_token\":\"ya29.new\",\"expires_in\":3599,\"token_type\":\"Bearer\"}");
    CU_ASSERT_EQUAL_FATAL(g->refresh(g->data, &client, "1//0gLx", NULL, fh_token_cb, &res), OP_AGAIN);
    const fh_request_t *r = fh_last_request();
    FH_ASSERT_FORM(r, "grant_type", "refresh_token");
    FH_ASSERT_FORM(r, "refresh_token", "1//0gLx");
    FH_ASSERT_NO_FORM(r, "code");
    FH_ASSERT_NO_FORM(r, "scope");
    fh_flush();
    CU_ASSERT_EQUAL_FATAL(res.status, OP_OK);
    CU_ASSERT_STRING_EQUAL(res.tokens.access_token, "ya29.new");
    CU_ASSERT_PTR_NULL(res.tokens.refresh_token); /* the broker keeps the old one */
    fh_token_result_clear(&res);
}

static void test_errors(void)
{
    fh_reset();
    fh_token_result_t r1 = {0}, r2 = {0}, r3 = {0}, r4 = {0};
    fh_script(400, "application/json",
              "{\"error\":\"invalid_grant\",\"error_description\":\"Token has been expired or revoked.\"}");
    fh_script(503, "text/html", "<html><body>Service Unavailable</body></html>");
    fh_script_retry(429, "application/json", "{\"error\":\"rate_limit_exceeded\"}", 30);
    fh_script_transport(1, "timeout");
    g->refresh(g->data, &client, "1//0gLx", NULL, fh_token_cb, &r1);
    g->refresh(g->data, &client, "1//0gLx", NULL, fh_token_cb, &r2);
    g->refresh(g->data, &client, "1//0gLx", NULL, fh_token_cb, &r3);
    g->exchange_code(g->data, &client, "c", NULL, fh_token_cb, &r4);
    CU_ASSERT_EQUAL(fh_flush(), 4);
    CU_ASSERT_EQUAL(r1.status, OP_ERR);
    CU_ASSERT_EQUAL(r1.err.error_class, OP_ERRCLASS_PERMANENT);
    CU_ASSERT_STRING_EQUAL(r1.err.code, "invalid_grant");
    CU_ASSERT_PTR_NOT_NULL(strstr(r1.err.description, "expired or revoked"));
    CU_ASSERT_EQUAL(r2.err.error_class, OP_ERRCLASS_TRANSIENT);
    CU_ASSERT_STRING_EQUAL(r2.err.code, "http_503");
    CU_ASSERT_EQUAL(r2.err.http_status, 503);
    CU_ASSERT_EQUAL(r3.err.error_class, OP_ERRCLASS_TRANSIENT);
    CU_ASSERT_EQUAL(r3.err.retry_after_s, 30);
    CU_ASSERT_STRING_EQUAL(r4.err.code, "timeout");
    CU_ASSERT_PTR_NULL(r1.tokens.access_token);
    CU_ASSERT_EQUAL(r1.called + r2.called + r3.called + r4.called, 4);
    CU_ASSERT_EQUAL(fh_live_allocations(), 0);
}

static void test_revoke(void)
{
    fh_reset();
    fh_done_result_t ok = {0}, dead = {0}, down = {0};
    fh_script(200, "application/json", "{}");
    fh_script(400, "application/json", "{\"error\":\"invalid_token\",\"error_description\":\"Token expired\"}");
    fh_script(503, "text/plain", "unavailable");
    CU_ASSERT_EQUAL_FATAL(g->revoke(g->data, &client, "1//0gLx", "refresh_token", fh_done_cb, &ok), OP_AGAIN);
    const fh_request_t *r = fh_last_request();
    CU_ASSERT_STRING_EQUAL(r->method, "POST");
    CU_ASSERT_STRING_EQUAL(r->url, "https://oauth2.googleapis.com/revoke");
    CU_ASSERT_STRING_EQUAL(fh_header(r, "Content-Type"), "application/x-www-form-urlencoded");
    FH_ASSERT_FORM(r, "token", "1//0gLx");
    CU_ASSERT_EQUAL(fh_form_count(r), 1); /* Google takes the token alone */
    CU_ASSERT_PTR_NULL(fh_header(r, "Authorization"));
    g->revoke(g->data, &client, "ya29.x", "access_token", fh_done_cb, &dead);
    g->revoke(g->data, &client, "ya29.x", NULL, fh_done_cb, &down);
    CU_ASSERT_EQUAL(ok.called + dead.called + down.called, 0);
    fh_flush();
    CU_ASSERT_EQUAL(ok.status, OP_OK);
    CU_ASSERT_FALSE(ok.has_err);
    CU_ASSERT_EQUAL(dead.status, OP_OK); /* already invalid: nothing left to revoke */
    CU_ASSERT_EQUAL(down.status, OP_ERR);
    CU_ASSERT_EQUAL(down.err.error_class, OP_ERRCLASS_TRANSIENT);
    CU_ASSERT_EQUAL(g->revoke(g->data, &client, "", NULL, fh_done_cb, &ok), OP_EINVAL);
}

static void test_config_overrides(void)
{
    fh_plugin_t other;
    fh_unload(&pl);
    fh_reset();
    CU_ASSERT_EQUAL_FATAL(fh_load(&other, "google",
                                  "{\"authorization_endpoint\":\"http://127.0.0.1:8089/auth\","
                                  "\"token_endpoint\":\"http://127.0.0.1:8089/token\","
                                  "\"revocation_endpoint\":\"http://127.0.0.1:8089/revoke\","
                                  "\"default_scopes\":\"openid\"}"),
                          OP_OK);
    const op_provider_t *p = fh_provider("google");
    CU_ASSERT_STRING_EQUAL(p->token_endpoint, "http://127.0.0.1:8089/token");
    CU_ASSERT_STRING_EQUAL(p->default_scopes, "openid");
    fh_token_result_t res = {0};
    p->exchange_code(p->data, &client, "c", NULL, fh_token_cb, &res);
    CU_ASSERT_STRING_EQUAL(fh_last_request()->url, "http://127.0.0.1:8089/token");
    fh_unload(&other);
    CU_ASSERT_EQUAL(res.called, 1);

    const char *bad[] = {"{\"token_endpoint\":\"not a url\"}",
                         "{\"token_endpoint\":42}",
                         "{\"tokn_endpoint\":\"x\"}",
                         "{\"default_scopes\":[1]}",
                         "[1,2]",
                         "{broken",
                         NULL};
    for (size_t i = 0; bad[i] != NULL; i++) {
        fh_reset();
        CU_ASSERT_EQUAL(fh_load(&other, "google", bad[i]), OP_EINVAL);
        CU_ASSERT_EQUAL(fh_provider_count(), 0);
        CU_ASSERT_EQUAL(fh_log_count(), 1);
        fh_unload(&other);
    }
    CU_ASSERT_TRUE(fh_logged("not valid JSON"));
    fh_reset();
    CU_ASSERT_EQUAL(fh_load(&pl, "google", NULL), OP_OK); /* for the suite's teardown */
    g = fh_provider("google");
}

void tests_register(void)
{
    CU_SUITE("google", setup, teardown, {"registration", test_registration}, {"authorize url", test_authorize_url},
             {"authorize requires state", test_authorize_requires_state}, {"exchange", test_exchange},
             {"refresh without new refresh token", test_refresh_without_new_refresh_token}, {"errors", test_errors},
             {"revoke", test_revoke}, {"config overrides", test_config_overrides});
}
