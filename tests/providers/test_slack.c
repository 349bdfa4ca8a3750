/*
 * test_slack.c - the slack plugin (real .so): user_scope / bot scope in the authorize URL, HTTP
 * Basic client auth, authed_user vs bot token, ok:false errors inside HTTP 200, extras without
 * secrets, token rotation refresh, auth.revoke.
 */
#include "cu.h"
#include "fake_host.h"

#include "common/crypto.h"
#include "common/json_util.h"

#include <stdlib.h>
#include <string.h>

static fh_plugin_t pl;
static const op_provider_t *sl;
static const op_client_t client = {sizeof(op_client_t), "2141029472.691202649728", "e1b9e11d@:secret",
                                   "https://broker.test/oauth/callback", NULL};

#define V2_RESPONSE                                                                                                    \
    "{\"ok\":true,\"access_token\":\"xoxb-17653672481-19874698323-pdFZKVeTuE8sk7oOcBrzbqgy\","                         \
    "\"token_type\":\"bot\",\"scope\":\"commands,incoming-webhook\",\"bot_user_id\":\"U0KRQLJ9H\","                    \
    "\"app_id\":\"A0KRD7HC3\",\"team\":{\"name\":\"Slack Softball Team\",\"id\":\"T9TK3CUKW\"},"                       \
    "\"enterprise\":{\"name\":\"slack-sports\",\"id\":\"E12345678\"},\"is_enterprise_install\":false,"                 \
    "\"incoming_webhook\":{\"channel\":\"#general\",\"url\":\"https://hooks.slack.com/TXXXXX/BXXXXX/XXXXXXXXXX\"},"    \
    "\"authed_user\":{\"id\":\"U1234\",\"scope\":\"chat:write,channels:history\","                                     \
    "\"access_token\":\"xoxp-1234\",\"token_type\":\"user\",\"refresh_token\":\"xoxe-1-user\","                        \
    "\"expires_in\":43200}}"

static int setup(void)
{
    fh_reset();
    if (fh_load(&pl, "slack", NULL) != OP_OK)
        return -1;
    sl = fh_provider("slack");
    return sl != NULL ? 0 : -1;
}

static int teardown(void)
{
    fh_unload(&pl);
    fh_reset();
    return 0;
}

static void test_registration(void)
{
    CU_ASSERT_STRING_EQUAL(sl->display_name, "Slack");
    CU_ASSERT_EQUAL(sl->capabilities, OP_CAP_REFRESH | OP_CAP_REVOKE | OP_CAP_PKCE);
    CU_ASSERT_STRING_EQUAL(sl->authorization_endpoint, "https://slack.com/oauth/v2/authorize");
    CU_ASSERT_STRING_EQUAL(sl->token_endpoint, "https://slack.com/api/oauth.v2.access");
    CU_ASSERT_STRING_EQUAL(sl->revocation_endpoint, "https://slack.com/api/auth.revoke");
}

static void test_authorize_url(void)
{
    op_client_t c = client;
    op_authorize_params_t ap = {sizeof(ap), "st-slack", "channels:history chat:write", "chal", NULL, NULL};
    char *url = NULL;
    op_error_t err;
    CU_ASSERT_EQUAL_FATAL(sl->build_authorize_url(sl->data, &c, &ap, &url, &err), OP_OK);
    char *b = fh_url_base(url);
    CU_ASSERT_STRING_EQUAL(b, "https://slack.com/oauth/v2/authorize");
    free(b);
    FH_ASSERT_QUERY(url, "client_id", "2141029472.691202649728");
    FH_ASSERT_QUERY(url, "redirect_uri", "https://broker.test/oauth/callback");
    FH_ASSERT_QUERY(url, "user_scope", "channels:history,chat:write");
    FH_ASSERT_QUERY(url, "state", "st-slack");
    FH_ASSERT_QUERY(url, "response_type", "code");
    FH_ASSERT_QUERY(url, "code_challenge", "chal");
    FH_ASSERT_QUERY(url, "code_challenge_method", "S256");
    CU_ASSERT_EQUAL(fh_query_count(url, "scope"), 0); /* no bot scopes unless asked for */
    CU_ASSERT_EQUAL(fh_query_total(url), 7);
    fh_host()->mem_free(url);
    /* bot scopes from the instance options */
    c.options_json = "{\"bot_scopes\":\"commands  chat:write\"}";
    ap.scopes = NULL;
    CU_ASSERT_EQUAL_FATAL(sl->build_authorize_url(sl->data, &c, &ap, &url, &err), OP_OK);
    FH_ASSERT_QUERY(url, "scope", "commands,chat:write");
    FH_ASSERT_QUERY(url, "user_scope", "channels:read,chat:write,users:read");
    fh_host()->mem_free(url);
    c.options_json = "{\"bot_scopes\":7}";
    CU_ASSERT_EQUAL(sl->build_authorize_url(sl->data, &c, &ap, &url, &err), OP_EINVAL);
    CU_ASSERT_STRING_EQUAL(err.code, "invalid_options");
    ap.state = "";
    c.options_json = NULL;
    CU_ASSERT_EQUAL(sl->build_authorize_url(sl->data, &c, &ap, &url, &err), OP_EINVAL);
    CU_ASSERT_EQUAL(fh_live_allocations(), 0);
}

static void test_exchange_user_token(void)
{
    fh_reset();
    fh_token_result_t res = {0};
    fh_script(200, "application/json; charset=utf-8", V2_RESPONSE);
    CU_ASSERT_EQUAL_FATAL(sl->exchange_code(sl->data, &client, "1234.5678", "verif", fh_token_cb, &res), OP_AGAIN);
    const fh_request_t *r = fh_last_request();
    CU_ASSERT_STRING_EQUAL(r->url, "https://slack.com/api/oauth.v2.access");
    const char *auth = fh_header(r, "Authorization");
    CU_ASSERT_PTR_NOT_NULL_FATAL(auth);
    uint8_t *plain = cm_b64_decode(auth + 6, strlen(auth + 6), NULL);
    CU_ASSERT_STRING_EQUAL((char *)plain, "2141029472.691202649728:e1b9e11d%40%3Asecret"); /* RFC 6749 2.3.1 */
    free(plain);
    FH_ASSERT_NO_FORM(r, "client_secret");
    FH_ASSERT_FORM(r, "code", "1234.5678");
    FH_ASSERT_FORM(r, "code_verifier", "verif");
    FH_ASSERT_FORM(r, "grant_type", "authorization_code");
    fh_flush();
    CU_ASSERT_EQUAL_FATAL(res.status, OP_OK);
    CU_ASSERT_STRING_EQUAL(res.tokens.access_token, "xoxp-1234");
    CU_ASSERT_STRING_EQUAL(res.tokens.refresh_token, "xoxe-1-user");
    CU_ASSERT_STRING_EQUAL(res.tokens.token_type, "Bearer");
    CU_ASSERT_STRING_EQUAL(res.tokens.scope, "chat:write channels:history");
    CU_ASSERT_EQUAL(res.tokens.expires_at, FH_NOW + 43200);
    CU_ASSERT_PTR_NOT_NULL_FATAL(res.tokens.extras_json);
    json_t *ex = cm_json_loadb(res.tokens.extras_json, strlen(res.tokens.extras_json), NULL);
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(json_object_get(ex, "team"), "id")), "T9TK3CUKW");
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(json_object_get(ex, "enterprise"), "id")), "E12345678");
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(ex, "app_id")), "A0KRD7HC3");
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(json_object_get(ex, "authed_user"), "id")), "U1234");
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(ex, "slack_token_type")), "user");
    json_decref(ex);
    /* no credential of any kind in the extras */
    CU_ASSERT_PTR_NULL(strstr(res.tokens.extras_json, "xox"));
    CU_ASSERT_PTR_NULL(strstr(res.tokens.extras_json, "hooks.slack.com"));
    fh_token_result_clear(&res);
    CU_ASSERT_EQUAL(fh_live_allocations(), 0);
}

static void test_bot_only(void)
{
    op_token_set_t ts;
    op_error_t err;
    CU_ASSERT_EQUAL_FATAL(fh_parse(sl, 200, "application/json",
                                   "{\"ok\":true,\"access_token\":\"xoxb-1\",\"token_type\":\"bot\","
                                   "\"scope\":\"commands,chat:write\",\"team\":{\"id\":\"T1\"},"
                                   "\"authed_user\":{\"id\":\"U1\"}}",
                                   &ts, &err),
                          OP_OK);
    CU_ASSERT_STRING_EQUAL(ts.access_token, "xoxb-1");
    CU_ASSERT_STRING_EQUAL(ts.token_type, "Bearer");
    CU_ASSERT_STRING_EQUAL(ts.scope, "commands chat:write");
    CU_ASSERT_EQUAL(ts.expires_at, 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(ts.extras_json, "\"slack_token_type\":\"bot\""));
    fh_host()->token_set_clear(&ts);
}

static void expect(const char *body, int cls, const char *code)
{
    op_token_set_t ts;
    op_error_t err;
    CU_ASSERT_EQUAL(fh_parse(sl, 200, "application/json", body, &ts, &err), OP_ERR);
    CU_ASSERT_EQUAL(err.error_class, cls);
    CU_ASSERT_STRING_EQUAL(err.code, code);
}

static void test_ok_false(void)
{
    expect("{\"ok\":false,\"error\":\"invalid_code\"}", OP_ERRCLASS_REQUEST, "invalid_code");
    expect("{\"ok\":false,\"error\":\"code_already_used\"}", OP_ERRCLASS_REQUEST, "code_already_used");
    expect("{\"ok\":false,\"error\":\"bad_redirect_uri\"}", OP_ERRCLASS_REQUEST, "bad_redirect_uri");
    expect("{\"ok\":false,\"error\":\"invalid_refresh_token\"}", OP_ERRCLASS_PERMANENT, "invalid_refresh_token");
    expect("{\"ok\":false,\"error\":\"invalid_client_id\"}", OP_ERRCLASS_PERMANENT, "invalid_client_id");
    expect("{\"ok\":false,\"error\":\"bad_client_secret\"}", OP_ERRCLASS_PERMANENT, "bad_client_secret");
    expect("{\"ok\":false,\"error\":\"token_revoked\"}", OP_ERRCLASS_PERMANENT, "token_revoked");
    expect("{\"ok\":false,\"error\":\"ratelimited\"}", OP_ERRCLASS_TRANSIENT, "ratelimited");
    expect("{\"ok\":false}", OP_ERRCLASS_REQUEST, "provider_error");
    expect("{\"ok\":true}", OP_ERRCLASS_TRANSIENT, "bad_response");
}

static void test_refresh_rotation(void)
{
    fh_reset();
    fh_token_result_t res = {0}, limited = {0};
    fh_script(200, "application/json",
              "{\"ok\":true,\"access_token\":\"xoxe.xoxp-new\",\"token_type\":\"user\",\"scope\":\"chat:write\","
              "\"refresh_token\":\"xoxe-1-next\",\"expires_in\":43200,\"team\":{\"id\":\"T1\"}}");
    fh_script_retry(429, "application/json", "{\"ok\":false,\"error\":\"ratelimited\"}", 20);
    CU_ASSERT_EQUAL_FATAL(sl->refresh(sl->data, &client, "xoxe-1-user", NULL, fh_token_cb, &res), OP_AGAIN);
    const fh_request_t *r = fh_last_request();
    CU_ASSERT_STRING_EQUAL(r->url, "https://slack.com/api/oauth.v2.access");
    FH_ASSERT_FORM(r, "grant_type", "refresh_token");
    FH_ASSERT_FORM(r, "refresh_token", "xoxe-1-user");
    sl->refresh(sl->data, &client, "xoxe-1-user", NULL, fh_token_cb, &limited);
    fh_flush();
    CU_ASSERT_EQUAL_FATAL(res.status, OP_OK);
    CU_ASSERT_STRING_EQUAL(res.tokens.access_token, "xoxe.xoxp-new");
    CU_ASSERT_STRING_EQUAL(res.tokens.refresh_token, "xoxe-1-next");
    CU_ASSERT_EQUAL(res.tokens.expires_at, FH_NOW + 43200);
    CU_ASSERT_EQUAL(limited.err.error_class, OP_ERRCLASS_TRANSIENT);
    CU_ASSERT_EQUAL(limited.err.retry_after_s, 20);
    fh_token_result_clear(&res);
}

static void test_revoke(void)
{
    fh_reset();
    fh_done_result_t ok = {0}, dead = {0}, limited = {0}, broken = {0};
    fh_script(200, "application/json", "{\"ok\":true,\"revoked\":true}");
    fh_script(200, "application/json", "{\"ok\":false,\"error\":\"invalid_auth\"}");
    fh_script(200, "application/json", "{\"ok\":false,\"error\":\"ratelimited\"}");
    fh_script(500, "text/html", "<html>oops</html>");
    CU_ASSERT_EQUAL_FATAL(sl->revoke(sl->data, &client, "xoxp-1234", "access_token", fh_done_cb, &ok), OP_AGAIN);
    const fh_request_t *r = fh_last_request();
    CU_ASSERT_STRING_EQUAL(r->method, "POST");
    CU_ASSERT_STRING_EQUAL(r->url, "https://slack.com/api/auth.revoke");
    FH_ASSERT_FORM(r, "token", "xoxp-1234");
    CU_ASSERT_EQUAL(fh_form_count(r), 1);
    sl->revoke(sl->data, &client, "xoxp-1234", NULL, fh_done_cb, &dead);
    sl->revoke(sl->data, &client, "xoxp-1234", NULL, fh_done_cb, &limited);
    sl->revoke(sl->data, &client, "xoxp-1234", NULL, fh_done_cb, &broken);
    fh_flush();
    CU_ASSERT_EQUAL(ok.status, OP_OK);
    CU_ASSERT_EQUAL(dead.status, OP_OK);
    CU_ASSERT_EQUAL(limited.status, OP_ERR);
    CU_ASSERT_EQUAL(limited.err.error_class, OP_ERRCLASS_TRANSIENT);
    CU_ASSERT_EQUAL(broken.err.error_class, OP_ERRCLASS_TRANSIENT);
    CU_ASSERT_STRING_EQUAL(broken.err.code, "http_500");
}

void tests_register(void)
{
    CU_SUITE("slack", setup, teardown, {"registration", test_registration}, {"authorize url", test_authorize_url},
             {"exchange user token", test_exchange_user_token}, {"bot only", test_bot_only},
             {"ok false", test_ok_false}, {"refresh rotation", test_refresh_rotation}, {"revoke", test_revoke});
}
