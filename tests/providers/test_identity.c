/*
 * test_identity.c - op_provider_t.identify (ABI 1.3) of the real plugins (google, microsoft, github, slack) on the
 * scripted fake host: ID tokens signed here (common/jose) and checked against a JWK Set the plugin fetches through
 * the host (signature, iss, aud, exp, nonce; an unknown kid fetches the set again, at most once a minute), and the
 * user-info endpoints (Google's OIDC user-info, GitHub's GET /user, Slack's auth.test).
 */
#include "cu.h"
#include "fake_host.h"

#include "common/jose.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CLIENT_ID "123.apps.googleusercontent.com"
#define GOOGLE_JWKS "https://www.googleapis.com/oauth2/v3/certs"
#define MS_TENANT "9188040d-6c67-4c5b-b112-36a304b66dad"

static const op_client_t client = {sizeof(op_client_t), CLIENT_ID, "secret", "https://broker.test/oauth/callback",
                                   NULL};
static fh_plugin_t pl;
static const op_provider_t *prov;
static cm_jwk_t *k1, *k2, *k3, *stranger;

typedef struct who {
    int called, status;
    char subject[128], issuer[128], email[64], code[64];
} who_t;

static void on_identity(void *arg, int status, const op_identity_t *id, const op_error_t *err)
{
    who_t *w = arg;
    w->called++;
    w->status = status;
    if (id != NULL) {
        CU_ASSERT_EQUAL(id->struct_size, sizeof(op_identity_t));
        snprintf(w->subject, sizeof(w->subject), "%s", id->subject);
        snprintf(w->issuer, sizeof(w->issuer), "%s", id->issuer != NULL ? id->issuer : "(null)");
        snprintf(w->email, sizeof(w->email), "%s", id->email != NULL ? id->email : "(null)");
    }
    if (err != NULL)
        snprintf(w->code, sizeof(w->code), "%s", err->code);
}

static int suite_setup(void)
{
    if (cm_jwk_generate_es256("k1", &k1) != 0 || cm_jwk_generate_es256("k2", &k2) != 0 ||
        cm_jwk_generate_es256("k3", &k3) != 0 || cm_jwk_generate_es256("k1", &stranger) != 0)
        return -1;
    return 0;
}

static int suite_teardown(void)
{
    cm_jwk_free(k1);
    cm_jwk_free(k2);
    cm_jwk_free(k3);
    cm_jwk_free(stranger);
    return 0;
}

static void load(const char *plugin, const char *name, const char *config)
{
    fh_reset();
    CU_ASSERT_EQUAL_FATAL(fh_load(&pl, plugin, config), OP_OK);
    prov = fh_provider(name);
    CU_ASSERT_PTR_NOT_NULL_FATAL(prov);
    CU_ASSERT_PTR_NOT_NULL_FATAL(prov->identify);
}

static void unload(void)
{
    fh_unload(&pl);
    CU_ASSERT_EQUAL(fh_live_allocations(), 0);
    fh_reset();
}

/* The JWK Set of the given keys (NULL-terminated) as text (malloc'ed). */
static char *jwks_of(cm_jwk_t *first, ...)
{
    json_t *keys = json_array();
    va_list ap;
    va_start(ap, first);
    for (cm_jwk_t *k = first; k != NULL; k = va_arg(ap, cm_jwk_t *))
        json_array_append_new(keys, cm_jwk_export(k, 0));
    va_end(ap);
    json_t *set = json_pack("{s:o}", "keys", keys);
    char *text = json_dumps(set, JSON_COMPACT);
    json_decref(set);
    return text;
}

/* An ID token signed by k with the given claims (exp relative to the fake clock). */
static char *id_token(cm_jwk_t *k, const char *iss, const char *aud, int64_t exp_in, const char *nonce)
{
    json_t *c =
        json_pack("{s:s, s:s, s:s, s:I, s:I, s:s}", "iss", iss, "aud", aud, "sub", "110169484474386276334", "iat",
                  (json_int_t)FH_NOW - 10, "exp", (json_int_t)(FH_NOW + exp_in), "email", "alice@example.com");
    if (nonce != NULL)
        json_object_set_new(c, "nonce", json_string(nonce));
    char *t = NULL;
    CU_ASSERT_EQUAL_FATAL(cm_jws_sign(k, NULL, c, &t), 0);
    json_decref(c);
    return t;
}

/* identify with an ID token; the outcome in *w. Returns identify's status. */
static int identify_token(const char *token, const char *nonce, who_t *w)
{
    op_token_set_t ts = {.struct_size = sizeof(ts), .access_token = "ya29.at", .id_token = (char *)token};
    memset(w, 0, sizeof(*w));
    return prov->identify(prov->data, &client, &ts, nonce, on_identity, w);
}

/* The first identify fetches the key set; answering it with set delivers. */
static void first_fetch(const char *token, const char *set, who_t *w)
{
    size_t before = fh_request_count();
    CU_ASSERT_EQUAL(identify_token(token, "n-1", w), OP_AGAIN);
    CU_ASSERT_EQUAL(w->called, 0);
    CU_ASSERT_EQUAL_FATAL(fh_request_count(), before + 1);
    CU_ASSERT_STRING_EQUAL(fh_last_request()->method, "GET");
    fh_script(200, "application/json", set);
    fh_flush();
    CU_ASSERT_EQUAL(w->called, 1);
}

static void test_google_id_token(void)
{
    load("google", "google", NULL);
    char *set = jwks_of(k1, NULL);
    char *good = id_token(k1, "https://accounts.google.com", CLIENT_ID, 300, "n-1");
    who_t w;
    first_fetch(good, set, &w);
    CU_ASSERT_STRING_EQUAL(fh_last_request()->url, GOOGLE_JWKS);
    CU_ASSERT_EQUAL(w.status, OP_OK);
    CU_ASSERT_STRING_EQUAL(w.subject, "110169484474386276334");
    CU_ASSERT_STRING_EQUAL(w.issuer, "https://accounts.google.com");
    CU_ASSERT_STRING_EQUAL(w.email, "alice@example.com");

    /* the key set is cached: answered inside the call, no request */
    size_t requests = fh_request_count();
    CU_ASSERT_EQUAL(identify_token(good, "n-1", &w), OP_OK);
    CU_ASSERT_EQUAL(w.called, 1);
    CU_ASSERT_EQUAL(w.status, OP_OK);
    /* Google's second spelling of its issuer; no nonce sent: not looked at */
    char *alt = id_token(k1, "accounts.google.com", CLIENT_ID, 300, NULL);
    CU_ASSERT_EQUAL(identify_token(alt, NULL, &w), OP_OK);
    CU_ASSERT_EQUAL(w.status, OP_OK);

    struct {
        char *token;
        const char *why;
    } bad[] = {
        {id_token(stranger, "https://accounts.google.com", CLIENT_ID, 300, "n-1"), "signed by another key, kid k1"},
        {id_token(k1, "https://accounts.google.com", "someone-else", 300, "n-1"), "wrong aud"},
        {id_token(k1, "https://evil.example", CLIENT_ID, 300, "n-1"), "wrong iss"},
        {id_token(k1, "https://accounts.google.com", CLIENT_ID, -200, "n-1"), "expired beyond the leeway"},
        {id_token(k1, "https://accounts.google.com", CLIENT_ID, 300, "n-other"), "wrong nonce"},
        {id_token(k1, "https://accounts.google.com", CLIENT_ID, 300, NULL), "nonce sent, none in the token"},
        {strdup("not.a-token"), "not a JWS"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        CU_ASSERT_EQUAL(identify_token(bad[i].token, "n-1", &w), OP_OK);
        if (w.called != 1 || w.status == OP_OK)
            fprintf(stderr, "accepted: %s\n", bad[i].why);
        CU_ASSERT_EQUAL(w.called, 1);
        CU_ASSERT_EQUAL(w.status, OP_ERR);
        CU_ASSERT_STRING_EQUAL(w.code, "invalid_id_token");
        free(bad[i].token);
    }
    CU_ASSERT_EQUAL(fh_request_count(), requests);
    free(alt);
    free(good);
    free(set);
    unload();
}

static void test_unknown_kid_refetch(void)
{
    load("google", "google", NULL);
    char *set1 = jwks_of(k1, NULL), *set12 = jwks_of(k1, k2, NULL);
    char *t1 = id_token(k1, "https://accounts.google.com", CLIENT_ID, 6000, "n-1");
    char *t2 = id_token(k2, "https://accounts.google.com", CLIENT_ID, 6000, "n-1");
    char *t3 = id_token(k3, "https://accounts.google.com", CLIENT_ID, 600, "n-1");
    who_t w;
    first_fetch(t1, set1, &w);
    CU_ASSERT_EQUAL(w.status, OP_OK);
    /* an unknown kid within a minute of the fetch: refused, nothing fetched */
    fh_set_now(FH_NOW + 30);
    size_t requests = fh_request_count();
    CU_ASSERT_EQUAL(identify_token(t2, "n-1", &w), OP_OK);
    CU_ASSERT_EQUAL(w.status, OP_ERR);
    CU_ASSERT_STRING_EQUAL(w.code, "unknown_kid");
    CU_ASSERT_EQUAL(fh_request_count(), requests);
    /* later: the set is fetched again, now with k2 (a rotation) */
    fh_set_now(FH_NOW + 61);
    first_fetch(t2, set12, &w);
    CU_ASSERT_EQUAL(w.status, OP_OK);
    /* k3 nobody publishes: one refetch a minute later, refused after it */
    fh_set_now(FH_NOW + 90);
    requests = fh_request_count();
    CU_ASSERT_EQUAL(identify_token(t3, "n-1", &w), OP_OK);
    CU_ASSERT_STRING_EQUAL(w.code, "unknown_kid");
    CU_ASSERT_EQUAL(fh_request_count(), requests);
    fh_set_now(FH_NOW + 125);
    first_fetch(t3, set12, &w);
    CU_ASSERT_EQUAL(w.status, OP_ERR);
    CU_ASSERT_STRING_EQUAL(w.code, "unknown_kid");
    /* two calls during one fetch share it */
    fh_set_now(FH_NOW + 4000); /* the set is stale */
    who_t a, b;
    requests = fh_request_count();
    CU_ASSERT_EQUAL(identify_token(t1, "n-1", &a), OP_AGAIN);
    CU_ASSERT_EQUAL(identify_token(t2, "n-1", &b), OP_AGAIN);
    CU_ASSERT_EQUAL(fh_request_count(), requests + 1);
    fh_script(503, "text/html", "<html>down</html>");
    fh_flush();
    /* the old set still serves when a fetch fails */
    CU_ASSERT_EQUAL(a.called, 1);
    CU_ASSERT_EQUAL(b.called, 1);
    CU_ASSERT_EQUAL(a.status, OP_OK);
    CU_ASSERT_EQUAL(b.status, OP_OK);
    free(t1);
    free(t2);
    free(t3);
    free(set1);
    free(set12);
    unload();
}

/* A key set that cannot be fetched: the sign-ins of the next minute are refused without a request each. */
static void test_jwks_down(void)
{
    load("google", "google", NULL);
    char *t = id_token(k1, "https://accounts.google.com", CLIENT_ID, 6000, "n-1");
    who_t w;
    CU_ASSERT_EQUAL(identify_token(t, "n-1", &w), OP_AGAIN);
    fh_script(503, "text/html", "<html>down</html>");
    fh_flush();
    CU_ASSERT_EQUAL(w.status, OP_ERR);
    CU_ASSERT_STRING_EQUAL(w.code, "jwks_unavailable");
    size_t requests = fh_request_count();
    fh_set_now(FH_NOW + 59);
    CU_ASSERT_EQUAL(identify_token(t, "n-1", &w), OP_OK);
    CU_ASSERT_STRING_EQUAL(w.code, "jwks_unavailable");
    CU_ASSERT_EQUAL(fh_request_count(), requests);
    fh_set_now(FH_NOW + 60);
    char *set = jwks_of(k1, NULL);
    first_fetch(t, set, &w);
    CU_ASSERT_EQUAL(w.status, OP_OK);
    free(set);
    free(t);
    unload();
}

static void test_google_userinfo(void)
{
    load("google", "google",
         "{\"jwks_uri\": \"http://127.0.0.1:9/certs\", \"userinfo_endpoint\": \"http://127.0.0.1:9/v1/userinfo\"}");
    op_token_set_t ts = {.struct_size = sizeof(ts), .access_token = "ya29.at"};
    who_t w = {0};
    CU_ASSERT_EQUAL(prov->identify(prov->data, &client, &ts, "n-1", on_identity, &w), OP_AGAIN);
    const fh_request_t *r = fh_last_request();
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_STRING_EQUAL(r->url, "http://127.0.0.1:9/v1/userinfo");
    CU_ASSERT_STRING_EQUAL(r->method, "GET");
    CU_ASSERT_STRING_EQUAL(fh_header(r, "Authorization"), "Bearer ya29.at");
    fh_script(200, "application/json", "{\"sub\": \"u-42\", \"email\": \"bob@example.com\"}");
    fh_flush();
    CU_ASSERT_EQUAL(w.called, 1);
    CU_ASSERT_EQUAL(w.status, OP_OK);
    CU_ASSERT_STRING_EQUAL(w.subject, "u-42");
    CU_ASSERT_STRING_EQUAL(w.issuer, "https://accounts.google.com");
    /* a refused token, an answer without sub */
    memset(&w, 0, sizeof(w));
    CU_ASSERT_EQUAL(prov->identify(prov->data, &client, &ts, NULL, on_identity, &w), OP_AGAIN);
    fh_script(401, "application/json", "{\"error\": \"invalid_token\"}");
    fh_flush();
    CU_ASSERT_EQUAL(w.status, OP_ERR);
    memset(&w, 0, sizeof(w));
    CU_ASSERT_EQUAL(prov->identify(prov->data, &client, &ts, NULL, on_identity, &w), OP_AGAIN);
    fh_script(200, "application/json", "{\"email\": \"bob@example.com\"}");
    fh_flush();
    CU_ASSERT_EQUAL(w.status, OP_ERR);
    CU_ASSERT_STRING_EQUAL(w.code, "bad_response");
    /* the configured key set URL is the one fetched */
    char *set = jwks_of(k1, NULL);
    char *t = id_token(k1, "https://accounts.google.com", CLIENT_ID, 300, "n-1");
    first_fetch(t, set, &w);
    CU_ASSERT_STRING_EQUAL(fh_last_request()->url, "http://127.0.0.1:9/certs");
    CU_ASSERT_EQUAL(w.status, OP_OK);
    free(t);
    free(set);
    unload();
}

static void test_microsoft_tenant_issuer(void)
{
    load("microsoft", "microsoft", NULL);
    char *set = jwks_of(k1, NULL);
    json_t *c =
        json_pack("{s:s, s:s, s:s, s:s, s:I, s:s}", "iss", "https://login.microsoftonline.com/" MS_TENANT "/v2.0",
                  "tid", MS_TENANT, "aud", CLIENT_ID, "sub", "AAAAAAAAAAAAAAAAAAAAAIkzqFVrSaSaFHy782bbtaQ", "exp",
                  (json_int_t)FH_NOW + 300, "nonce", "n-1");
    char *good = NULL;
    CU_ASSERT_EQUAL_FATAL(cm_jws_sign(k1, NULL, c, &good), 0);
    who_t w;
    first_fetch(good, set, &w);
    CU_ASSERT_STRING_EQUAL(fh_last_request()->url, "https://login.microsoftonline.com/common/discovery/v2.0/keys");
    CU_ASSERT_EQUAL(w.status, OP_OK);
    CU_ASSERT_STRING_EQUAL(w.subject, "AAAAAAAAAAAAAAAAAAAAAIkzqFVrSaSaFHy782bbtaQ");
    /* iss of another tenant than the token's tid */
    json_object_set_new(c, "iss",
                        json_string("https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/v2.0"));
    char *bad = NULL;
    CU_ASSERT_EQUAL_FATAL(cm_jws_sign(k1, NULL, c, &bad), 0);
    CU_ASSERT_EQUAL(identify_token(bad, "n-1", &w), OP_OK);
    CU_ASSERT_EQUAL(w.status, OP_ERR);
    json_decref(c);
    free(good);
    free(bad);
    free(set);
    unload();
}

static void test_github_user(void)
{
    load("github", "github", "{\"api_base\": \"http://127.0.0.1:9/api/\"}");
    op_token_set_t ts = {.struct_size = sizeof(ts), .access_token = "ghu_at", .id_token = "ignored.not.oidc"};
    who_t w = {0};
    CU_ASSERT_EQUAL(prov->identify(prov->data, &client, &ts, NULL, on_identity, &w), OP_AGAIN);
    CU_ASSERT_STRING_EQUAL(fh_last_request()->url, "http://127.0.0.1:9/api/user");
    CU_ASSERT_STRING_EQUAL(fh_header(fh_last_request(), "Authorization"), "Bearer ghu_at");
    fh_script(200, "application/json", "{\"login\": \"octocat\", \"id\": 583231, \"email\": null}");
    fh_flush();
    CU_ASSERT_EQUAL(w.status, OP_OK);
    CU_ASSERT_STRING_EQUAL(w.subject, "583231");
    CU_ASSERT_STRING_EQUAL(w.issuer, "(null)"); /* GitHub has no issuer: the broker names the provider */
    unload();
}

static void test_slack_auth_test(void)
{
    load("slack", "slack", NULL);
    op_token_set_t ts = {.struct_size = sizeof(ts), .access_token = "xoxp-at"};
    who_t w = {0};
    CU_ASSERT_EQUAL(prov->identify(prov->data, &client, &ts, NULL, on_identity, &w), OP_AGAIN);
    CU_ASSERT_STRING_EQUAL(fh_last_request()->url, "https://slack.com/api/auth.test");
    fh_script(200, "application/json", "{\"ok\": true, \"user_id\": \"U061F7AUR\", \"team_id\": \"T061EG9R6\"}");
    fh_flush();
    CU_ASSERT_EQUAL(w.status, OP_OK);
    CU_ASSERT_STRING_EQUAL(w.subject, "T061EG9R6:U061F7AUR");
    memset(&w, 0, sizeof(w));
    CU_ASSERT_EQUAL(prov->identify(prov->data, &client, &ts, NULL, on_identity, &w), OP_AGAIN);
    fh_script(200, "application/json", "{\"ok\": false, \"error\": \"invalid_auth\"}");
    fh_flush();
    CU_ASSERT_EQUAL(w.status, OP_ERR);
    unload();
}

static void test_custom_discovered(void)
{
    fh_reset();
    CU_ASSERT_EQUAL_FATAL(
        fh_load(&pl, "custom", "{\"providers\":[{\"name\":\"idp\",\"issuer\":\"https://idp.test\"}]}"), OP_OK);
    fh_script(200, "application/json",
              "{\"issuer\": \"https://idp.test\", \"authorization_endpoint\": \"https://idp.test/auth\", "
              "\"token_endpoint\": \"https://idp.test/token\", \"jwks_uri\": \"https://idp.test/jwks\"}");
    fh_flush();
    prov = fh_provider("idp");
    CU_ASSERT_PTR_NOT_NULL_FATAL(prov);
    CU_ASSERT_PTR_NOT_NULL_FATAL(prov->identify);
    char *set = jwks_of(k2, NULL);
    char *t = id_token(k2, "https://idp.test", CLIENT_ID, 300, "n-1");
    who_t w;
    first_fetch(t, set, &w);
    CU_ASSERT_STRING_EQUAL(fh_last_request()->url, "https://idp.test/jwks");
    CU_ASSERT_EQUAL(w.status, OP_OK);
    CU_ASSERT_STRING_EQUAL(w.issuer, "https://idp.test");
    free(t);
    free(set);
    unload();
}

static void test_custom_userinfo(void)
{
    load("custom", "notion",
         "{\"providers\":[{\"name\":\"notion\",\"authorization_endpoint\":\"https://api.notion.test/auth\","
         "\"token_endpoint\":\"https://api.notion.test/token\","
         "\"userinfo_endpoint\":\"https://api.notion.test/v1/users/me\",\"subject_field\":\"id\"}]}");
    op_token_set_t ts = {.struct_size = sizeof(ts), .access_token = "secret_at"};
    who_t w = {0};
    CU_ASSERT_EQUAL(prov->identify(prov->data, &client, &ts, NULL, on_identity, &w), OP_AGAIN);
    CU_ASSERT_STRING_EQUAL(fh_last_request()->url, "https://api.notion.test/v1/users/me");
    fh_script(200, "application/json", "{\"object\": \"user\", \"id\": \"e79a0b74-3aba-4149-9f74-0bb5791a6ee6\"}");
    fh_flush();
    CU_ASSERT_EQUAL(w.status, OP_OK);
    CU_ASSERT_STRING_EQUAL(w.subject, "e79a0b74-3aba-4149-9f74-0bb5791a6ee6");
    unload();
    /* neither a key set nor a user-info endpoint: the provider cannot identify */
    fh_reset();
    CU_ASSERT_EQUAL_FATAL(fh_load(&pl, "custom",
                                  "{\"providers\":[{\"name\":\"bare\",\"authorization_endpoint\":\"https://b.test/a\","
                                  "\"token_endpoint\":\"https://b.test/t\"}]}"),
                          OP_OK);
    CU_ASSERT_PTR_NULL(fh_provider("bare")->identify);
    unload();
}

void tests_register(void)
{
    CU_SUITE("provider_identity", suite_setup, suite_teardown, {"google id token", test_google_id_token},
             {"unknown kid refetch", test_unknown_kid_refetch}, {"key set down", test_jwks_down},
             {"google userinfo", test_google_userinfo}, {"microsoft tenant issuer", test_microsoft_tenant_issuer},
             {"github user", test_github_user}, {"slack auth.test", test_slack_auth_test},
             {"custom discovered", test_custom_discovered}, {"custom userinfo", test_custom_userinfo});
}
