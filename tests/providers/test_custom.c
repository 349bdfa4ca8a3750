/*
 * test_custom.c - the custom plugin (real .so): several providers from one configuration, each
 * with its own client auth, PKCE, extra parameters and scope separator; configuration errors; and
 * OpenID Connect discovery (pending, success, issuer mismatch, failure and lazy retry).
 */
#include "cu.h"
#include "fake_host.h"

#include <stdlib.h>
#include <string.h>

static fh_plugin_t pl;
static const op_client_t client = {sizeof(op_client_t), "cid", "csecret", "https://broker.test/cb", NULL};

#define TWO_PROVIDERS                                                                                                  \
    "{\"providers\":["                                                                                                 \
    "{\"name\":\"notion\",\"display_name\":\"Notion\",\"authorization_endpoint\":\"https://api.notion.com/v1/oauth/"   \
    "authorize\",\"token_endpoint\":\"https://api.notion.com/v1/oauth/token\",\"client_auth\":\"basic\","              \
    "\"pkce\":false,\"extra_authorize_params\":{\"owner\":\"user\"}},"                                                 \
    "{\"name\":\"dropbox\",\"authorization_endpoint\":\"https://www.dropbox.com/oauth2/authorize\","                   \
    "\"token_endpoint\":\"https://api.dropboxapi.com/oauth2/token\",\"revocation_endpoint\":"                          \
    "\"https://api.dropboxapi.com/2/auth/token/revoke\",\"client_auth\":\"post\",\"pkce\":true,"                       \
    "\"default_scopes\":\"files.content.read account_info.read\",\"scope_separator\":\",\","                           \
    "\"extra_authorize_params\":{\"token_access_type\":\"offline\"},\"extra_token_params\":{\"audience\":\"x\"},"      \
    "\"default_expires_in\":14400}]}"

#define ISSUER "https://idp.example.com"
#define DISCOVERY_DOC                                                                                                  \
    "{\"issuer\":\"https://idp.example.com\",\"authorization_endpoint\":\"https://idp.example.com/oauth2/auth\","      \
    "\"token_endpoint\":\"https://idp.example.com/oauth2/token\",\"revocation_endpoint\":"                             \
    "\"https://idp.example.com/oauth2/revoke\",\"code_challenge_methods_supported\":[\"S256\"],"                       \
    "\"token_endpoint_auth_methods_supported\":[\"client_secret_basic\",\"client_secret_post\"]}"

static int setup(void)
{
    fh_reset();
    return 0;
}

static int teardown(void)
{
    fh_reset();
    return 0;
}

static char *authorize(const op_provider_t *p, const char *scopes, int *rc, op_error_t *err)
{
    op_authorize_params_t ap = {sizeof(ap), "st", scopes, "challenge-xyz", "n-1", NULL};
    char *url = NULL;
    *rc = p->build_authorize_url(p->data, &client, &ap, &url, err);
    return url;
}

static void test_two_providers(void)
{
    fh_reset();
    CU_ASSERT_EQUAL_FATAL(fh_load(&pl, "custom", TWO_PROVIDERS), OP_OK);
    CU_ASSERT_EQUAL(fh_provider_count(), 2);
    const op_provider_t *notion = fh_provider("notion"), *dropbox = fh_provider("dropbox");
    CU_ASSERT_PTR_NOT_NULL_FATAL(notion);
    CU_ASSERT_PTR_NOT_NULL_FATAL(dropbox);
    CU_ASSERT_STRING_EQUAL(notion->display_name, "Notion");
    CU_ASSERT_STRING_EQUAL(dropbox->display_name, "dropbox");
    CU_ASSERT_EQUAL(notion->capabilities, OP_CAP_REFRESH);
    CU_ASSERT_EQUAL(dropbox->capabilities, OP_CAP_REFRESH | OP_CAP_PKCE | OP_CAP_REVOKE);
    CU_ASSERT_PTR_NULL(notion->revoke);
    CU_ASSERT_PTR_NULL(notion->revocation_endpoint);
    CU_ASSERT_EQUAL(fh_request_count(), 0); /* no discovery for static endpoints */

    int rc;
    op_error_t err;
    char *url = authorize(notion, NULL, &rc, &err);
    CU_ASSERT_EQUAL_FATAL(rc, OP_OK);
    char *b = fh_url_base(url);
    CU_ASSERT_STRING_EQUAL(b, "https://api.notion.com/v1/oauth/authorize");
    free(b);
    FH_ASSERT_QUERY(url, "owner", "user");
    FH_ASSERT_QUERY(url, "client_id", "cid");
    FH_ASSERT_QUERY(url, "state", "st");
    CU_ASSERT_EQUAL(fh_query_count(url, "scope"), 0);          /* no default scopes */
    CU_ASSERT_EQUAL(fh_query_count(url, "code_challenge"), 0); /* pkce: false */
    CU_ASSERT_EQUAL(fh_query_count(url, "nonce"), 0);          /* not OIDC */
    fh_host()->mem_free(url);

    url = authorize(dropbox, NULL, &rc, &err);
    CU_ASSERT_EQUAL_FATAL(rc, OP_OK);
    FH_ASSERT_QUERY(url, "scope", "files.content.read,account_info.read");
    FH_ASSERT_QUERY(url, "token_access_type", "offline");
    FH_ASSERT_QUERY(url, "code_challenge", "challenge-xyz");
    FH_ASSERT_QUERY(url, "code_challenge_method", "S256");
    fh_host()->mem_free(url);

    /* token requests: basic for notion (no verifier), post + extras for dropbox */
    fh_token_result_t r1 = {0}, r2 = {0};
    fh_script(200, "application/json",
              "{\"access_token\":\"secret_notion\",\"token_type\":\"bearer\",\"bot_id\":\"b-1\","
              "\"workspace_name\":\"Acme\",\"owner\":{\"type\":\"user\"}}");
    fh_script(200, "application/json",
              "{\"access_token\":\"sl.dbx\",\"scope\":\"files.content.read,account_info.read\"}");
    notion->exchange_code(notion->data, &client, "code-n", "verifier", fh_token_cb, &r1);
    const fh_request_t *r = fh_last_request();
    CU_ASSERT_STRING_EQUAL(r->url, "https://api.notion.com/v1/oauth/token");
    CU_ASSERT_PTR_NOT_NULL(fh_header(r, "Authorization"));
    FH_ASSERT_NO_FORM(r, "client_secret");
    FH_ASSERT_NO_FORM(r, "client_id");
    FH_ASSERT_NO_FORM(r, "code_verifier");
    dropbox->exchange_code(dropbox->data, &client, "code-d", "verifier", fh_token_cb, &r2);
    r = fh_last_request();
    CU_ASSERT_PTR_NULL(fh_header(r, "Authorization"));
    FH_ASSERT_FORM(r, "client_secret", "csecret");
    FH_ASSERT_FORM(r, "code_verifier", "verifier");
    FH_ASSERT_FORM(r, "audience", "x");
    fh_flush();
    CU_ASSERT_EQUAL_FATAL(r1.status, OP_OK);
    CU_ASSERT_EQUAL(r1.tokens.expires_at, 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(r1.tokens.extras_json, "\"workspace_name\":\"Acme\""));
    CU_ASSERT_EQUAL_FATAL(r2.status, OP_OK);
    CU_ASSERT_EQUAL(r2.tokens.expires_at, FH_NOW + 14400); /* default_expires_in */
    CU_ASSERT_STRING_EQUAL(r2.tokens.scope, "files.content.read account_info.read");
    fh_token_result_clear(&r1);
    fh_token_result_clear(&r2);

    /* RFC 7009 revocation with client auth and the hint */
    fh_done_result_t d = {0};
    fh_script(200, NULL, "");
    CU_ASSERT_EQUAL(dropbox->revoke(dropbox->data, &client, "sl.dbx", "access_token", fh_done_cb, &d), OP_AGAIN);
    r = fh_last_request();
    FH_ASSERT_FORM(r, "token", "sl.dbx");
    FH_ASSERT_FORM(r, "token_type_hint", "access_token");
    FH_ASSERT_FORM(r, "client_secret", "csecret");
    fh_flush();
    CU_ASSERT_EQUAL(d.status, OP_OK);
    fh_unload(&pl);
    CU_ASSERT_EQUAL(fh_live_allocations(), 0);
}

static void expect_bad(const char *config, const char *logged)
{
    fh_reset();
    CU_ASSERT_EQUAL(fh_load(&pl, "custom", config), OP_EINVAL);
    CU_ASSERT_EQUAL(fh_provider_count(), 0);
    CU_ASSERT_EQUAL(fh_request_count(), 0);
    CU_ASSERT_TRUE(fh_logged(logged));
    if (!fh_logged(logged))
        fprintf(stderr, "expected a log line with \"%s\" for %s (got \"%s\")\n", logged, config,
                fh_log_line(0) ? fh_log_line(0) : "");
    fh_unload(&pl);
}

#define EP "\"authorization_endpoint\":\"https://a.test/auth\",\"token_endpoint\":\"https://a.test/token\""

static void test_invalid_config(void)
{
    expect_bad("{\"providers\":[{" EP "}]}", "\"name\" is required");
    expect_bad("{\"providers\":[{\"name\":\"Bad Name\"," EP "}]}", "\"name\" is required");
    expect_bad(
        "{\"providers\":[{\"name\":\"a\",\"authorization_endpoint\":\"ftp://x\",\"token_endpoint\":\"https://a\"}]}",
        "authorization_endpoint");
    expect_bad("{\"providers\":[{\"name\":\"a\"}]}", "are required without \"issuer\"");
    expect_bad("{\"providers\":[{\"name\":\"a\"," EP "},{\"name\":\"a\"," EP "}]}", "configured twice");
    expect_bad("{\"providers\":[{\"name\":\"a\"," EP ",\"colour\":\"red\"}]}",
               "unknown configuration member \"colour\"");
    expect_bad("{\"providers\":[{\"name\":\"a\"," EP ",\"client_auth\":\"jwt\"}]}", "client_auth");
    expect_bad("{\"providers\":[{\"name\":\"a\"," EP ",\"scope_separator\":\";\"}]}", "scope_separator");
    expect_bad("{\"providers\":[{\"name\":\"a\"," EP ",\"pkce\":\"yes\"}]}", "pkce");
    expect_bad("{\"providers\":[{\"name\":\"a\"," EP ",\"extra_authorize_params\":{\"state\":\"x\"}}]}",
               "may not set \"state\"");
    expect_bad("{\"providers\":[{\"name\":\"a\"," EP ",\"extra_token_params\":{\"client_secret\":\"x\"}}]}",
               "may not set \"client_secret\"");
    expect_bad("{\"providers\":[{\"name\":\"a\"," EP ",\"extra_token_params\":{\"n\":1}}]}", "must be a string");
    expect_bad("{\"providers\":[{\"name\":\"a\"," EP ",\"capabilities\":[\"teleport\"]}]}", "capabilities");
    expect_bad("{\"providers\":[{\"name\":\"a\"," EP ",\"capabilities\":[\"revoke\"]}]}",
               "needs \"revocation_endpoint\"");
    expect_bad("{\"providers\":[{\"name\":\"a\"," EP ",\"default_expires_in\":-1}]}", "non-negative");
    expect_bad("{\"providers\":[{\"name\":\"ok\"," EP "}, 7]}", "providers[1] must be an object");
    expect_bad("{\"providers\":{}}", "must be an array");
    expect_bad("{\"providers\":[],\"extra\":1}", "unknown configuration member");
    expect_bad("[\"providers\"]", "must be a JSON object");

    /* nothing configured: "not configured" rather than an error */
    fh_reset();
    CU_ASSERT_EQUAL(fh_load(&pl, "custom", NULL), OP_EUNSUPPORTED);
    fh_unload(&pl);
    CU_ASSERT_EQUAL(fh_load(&pl, "custom", "{\"providers\":[]}"), OP_EUNSUPPORTED);
    fh_unload(&pl);
    /* the host refuses one registration: init fails */
    fh_reset();
    fh_refuse_provider("dropbox");
    CU_ASSERT_EQUAL(fh_load(&pl, "custom", TWO_PROVIDERS), OP_EINVAL);
    fh_unload(&pl);
    /* explicit capabilities win */
    fh_reset();
    CU_ASSERT_EQUAL_FATAL(
        fh_load(&pl, "custom", "{\"providers\":[{\"name\":\"c\"," EP ",\"capabilities\":[\"pkce\"]}]}"), OP_OK);
    CU_ASSERT_EQUAL(fh_provider("c")->capabilities, OP_CAP_PKCE);
    fh_unload(&pl);
    CU_ASSERT_EQUAL(fh_live_allocations(), 0);
}

static void test_discovery(void)
{
    /* a terminating '/' is dropped before appending the well-known path (OIDC Discovery 4.1), but the
     * document must name the issuer exactly as configured (4.3) */
    fh_reset();
    CU_ASSERT_EQUAL_FATAL(fh_load(&pl, "custom", "{\"providers\":[{\"name\":\"oidc\",\"issuer\":\"" ISSUER "/\"}]}"),
                          OP_OK);
    CU_ASSERT_STRING_EQUAL(fh_request(0)->url, ISSUER "/.well-known/openid-configuration");
    fh_script(200, "application/json", DISCOVERY_DOC);
    fh_flush();
    CU_ASSERT_TRUE(fh_logged("different issuer"));
    fh_unload(&pl);

    fh_reset();
    CU_ASSERT_EQUAL_FATAL(
        fh_load(&pl, "custom",
                "{\"providers\":[{\"name\":\"oidc\",\"display_name\":\"Corp SSO\",\"issuer\":\"" ISSUER
                "\",\"default_scopes\":\"openid profile\"}]}"),
        OP_OK);
    const op_provider_t *p = fh_provider("oidc");
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    CU_ASSERT_EQUAL(fh_request_count(), 1);
    const fh_request_t *r = fh_request(0);
    CU_ASSERT_STRING_EQUAL(r->method, "GET");
    CU_ASSERT_STRING_EQUAL(r->url, ISSUER "/.well-known/openid-configuration");
    CU_ASSERT_PTR_NULL(p->authorization_endpoint);
    CU_ASSERT(p->capabilities & OP_CAP_OIDC);

    /* before discovery completes */
    int rc;
    op_error_t err;
    char *url = authorize(p, NULL, &rc, &err);
    CU_ASSERT_EQUAL(rc, OP_EUNAVAIL);
    CU_ASSERT_PTR_NULL(url);
    CU_ASSERT_STRING_EQUAL(err.code, "discovery_pending");
    CU_ASSERT_EQUAL(err.error_class, OP_ERRCLASS_TRANSIENT);
    CU_ASSERT_EQUAL(err.retry_after_s, 1);
    fh_token_result_t res = {0};
    CU_ASSERT_EQUAL(p->exchange_code(p->data, &client, "code-1", "verifier-1", fh_token_cb, &res), OP_AGAIN);
    CU_ASSERT_EQUAL(fh_request_count(), 1); /* queued behind discovery */

    fh_script(200, "application/json", DISCOVERY_DOC);
    fh_script(200, "application/json", "{\"access_token\":\"at\",\"id_token\":\"h.p.s\",\"expires_in\":300}");
    CU_ASSERT_EQUAL(fh_flush(), 2);
    CU_ASSERT_EQUAL_FATAL(res.status, OP_OK);
    CU_ASSERT_STRING_EQUAL(res.tokens.id_token, "h.p.s");
    fh_token_result_clear(&res);
    r = fh_request(1);
    CU_ASSERT_STRING_EQUAL(r->url, "https://idp.example.com/oauth2/token");
    FH_ASSERT_FORM(r, "code", "code-1");
    FH_ASSERT_FORM(r, "code_verifier", "verifier-1");
    CU_ASSERT_PTR_NOT_NULL(fh_header(r, "Authorization"));
    CU_ASSERT_STRING_EQUAL(p->authorization_endpoint, "https://idp.example.com/oauth2/auth");
    CU_ASSERT_STRING_EQUAL(p->revocation_endpoint, "https://idp.example.com/oauth2/revoke");
    CU_ASSERT(p->capabilities & OP_CAP_REVOKE);
    CU_ASSERT(p->capabilities & OP_CAP_PKCE);

    url = authorize(p, NULL, &rc, &err);
    CU_ASSERT_EQUAL_FATAL(rc, OP_OK);
    char *b = fh_url_base(url);
    CU_ASSERT_STRING_EQUAL(b, "https://idp.example.com/oauth2/auth");
    free(b);
    FH_ASSERT_QUERY(url, "scope", "openid profile");
    FH_ASSERT_QUERY(url, "nonce", "n-1");
    FH_ASSERT_QUERY(url, "code_challenge_method", "S256");
    fh_host()->mem_free(url);
    fh_done_result_t d = {0};
    fh_script(200, NULL, "");
    CU_ASSERT_EQUAL(p->revoke(p->data, &client, "at", NULL, fh_done_cb, &d), OP_AGAIN);
    CU_ASSERT_STRING_EQUAL(fh_last_request()->url, "https://idp.example.com/oauth2/revoke");
    fh_flush();
    CU_ASSERT_EQUAL(d.status, OP_OK);
    fh_unload(&pl);
    CU_ASSERT_EQUAL(fh_live_allocations(), 0);
}

static void test_discovery_issuer_mismatch_and_retry(void)
{
    fh_reset();
    CU_ASSERT_EQUAL_FATAL(fh_load(&pl, "custom",
                                  "{\"providers\":[{\"name\":\"oidc\",\"issuer\":\"" ISSUER "\","
                                  "\"discovery_retry_s\":60,\"client_auth\":\"basic\"}]}"),
                          OP_OK);
    const op_provider_t *p = fh_provider("oidc");
    fh_token_result_t queued = {0}, late = {0};
    fh_done_result_t revq = {0};
    CU_ASSERT_EQUAL(p->refresh(p->data, &client, "rt", NULL, fh_token_cb, &queued), OP_AGAIN);
    CU_ASSERT_EQUAL(p->revoke(p->data, &client, "rt", "refresh_token", fh_done_cb, &revq), OP_AGAIN);
    fh_script(200, "application/json",
              "{\"issuer\":\"https://evil.example.com\",\"authorization_endpoint\":\"https://evil.example.com/a\","
              "\"token_endpoint\":\"https://evil.example.com/t\"}");
    fh_flush();
    CU_ASSERT_TRUE(fh_logged("different issuer"));
    CU_ASSERT_EQUAL(queued.called, 1);
    CU_ASSERT_EQUAL(queued.status, OP_EUNAVAIL);
    CU_ASSERT_STRING_EQUAL(queued.err.code, "discovery_failed");
    CU_ASSERT_EQUAL(queued.err.error_class, OP_ERRCLASS_TRANSIENT);
    CU_ASSERT_EQUAL(revq.called, 1);
    CU_ASSERT_STRING_EQUAL(revq.err.code, "discovery_failed");
    CU_ASSERT_PTR_NULL(p->token_endpoint); /* nothing of the foreign document was kept */
    CU_ASSERT_EQUAL(fh_request_count(), 1);

    /* within the cool-down: refused at once, nothing sent */
    int rc;
    op_error_t err;
    char *url = authorize(p, NULL, &rc, &err);
    CU_ASSERT_EQUAL(rc, OP_EUNAVAIL);
    CU_ASSERT_STRING_EQUAL(err.code, "discovery_failed");
    CU_ASSERT_EQUAL(err.retry_after_s, 60);
    CU_ASSERT_EQUAL(p->exchange_code(p->data, &client, "c", NULL, fh_token_cb, &late), OP_EUNAVAIL);
    CU_ASSERT_EQUAL(fh_request_count(), 1);
    CU_ASSERT_EQUAL(late.called, 0);

    /* after it: the next operation starts a new discovery */
    fh_set_now(FH_NOW + 61);
    url = authorize(p, NULL, &rc, &err);
    CU_ASSERT_EQUAL(rc, OP_EUNAVAIL);
    CU_ASSERT_STRING_EQUAL(err.code, "discovery_pending");
    CU_ASSERT_EQUAL(fh_request_count(), 2);
    fh_script(200, "application/json", DISCOVERY_DOC);
    fh_flush();
    url = authorize(p, NULL, &rc, &err);
    CU_ASSERT_EQUAL(rc, OP_OK);
    fh_host()->mem_free(url);
    fh_unload(&pl);
    CU_ASSERT_EQUAL(fh_live_allocations(), 0);
}

static void test_discovery_failures(void)
{
    const char *bodies[] = {"<html>502</html>", "{\"issuer\":\"" ISSUER "\"}", "not json",
                            "{\"issuer\":\"" ISSUER "\",\"authorization_endpoint\":\"javascript:x\","
                            "\"token_endpoint\":\"https://idp.example.com/t\"}"};
    const int statuses[] = {502, 200, 200, 200};
    for (size_t i = 0; i < 4; i++) {
        fh_reset();
        CU_ASSERT_EQUAL_FATAL(fh_load(&pl, "custom", "{\"providers\":[{\"name\":\"oidc\",\"issuer\":\"" ISSUER "\"}]}"),
                              OP_OK);
        fh_script(statuses[i], "application/json", bodies[i]);
        fh_flush();
        int rc;
        op_error_t err;
        const op_provider_t *p = fh_provider("oidc");
        char *url = authorize(p, NULL, &rc, &err);
        CU_ASSERT_EQUAL(rc, OP_EUNAVAIL);
        CU_ASSERT_PTR_NULL(url);
        CU_ASSERT_STRING_EQUAL(err.code, "discovery_failed");
        CU_ASSERT_TRUE(fh_logged("OpenID discovery for issuer"));
        fh_unload(&pl);
    }
    /* a transport failure, then unloading with a discovery in flight */
    fh_reset();
    CU_ASSERT_EQUAL_FATAL(fh_load(&pl, "custom",
                                  "{\"providers\":[{\"name\":\"oidc\",\"issuer\":\"" ISSUER "\","
                                  "\"token_endpoint\":\"https://idp.example.com/fixed\","
                                  "\"pkce\":false,\"client_auth\":\"post\"}]}"),
                          OP_OK);
    fh_token_result_t res = {0};
    const op_provider_t *p = fh_provider("oidc");
    CU_ASSERT_EQUAL(p->exchange_code(p->data, &client, "c", "v", fh_token_cb, &res), OP_AGAIN);
    fh_script(200, "application/json",
              "{\"issuer\":\"" ISSUER "\",\"authorization_endpoint\":\"https://idp.example.com/a\","
              "\"token_endpoint\":\"https://idp.example.com/t\",\"code_challenge_methods_supported\":[\"S256\"],"
              "\"token_endpoint_auth_methods_supported\":[\"client_secret_basic\"]}");
    fh_flush(); /* discovery done; the queued exchange was sent, its answer is "no scripted response" */
    const fh_request_t *r = fh_request(1);
    CU_ASSERT_STRING_EQUAL(r->url, "https://idp.example.com/fixed"); /* configured endpoint wins */
    FH_ASSERT_FORM(r, "client_secret", "csecret");                   /* configured auth wins */
    FH_ASSERT_NO_FORM(r, "code_verifier");                           /* configured pkce wins */
    CU_ASSERT_EQUAL(res.called, 1);
    CU_ASSERT_STRING_EQUAL(res.err.code, "network");
    fh_unload(&pl);

    fh_reset();
    CU_ASSERT_EQUAL_FATAL(fh_load(&pl, "custom", "{\"providers\":[{\"name\":\"oidc\",\"issuer\":\"" ISSUER "\"}]}"),
                          OP_OK);
    p = fh_provider("oidc");
    CU_ASSERT_EQUAL(p->exchange_code(p->data, &client, "c", "v", fh_token_cb, &res), OP_AGAIN);
    fh_unload(&pl); /* cancelled discovery: the queued exchange still gets its one callback */
    CU_ASSERT_EQUAL(res.called, 2);
    CU_ASSERT_STRING_EQUAL(res.err.code, "discovery_failed");
    CU_ASSERT_EQUAL(fh_live_allocations(), 0);
}

/* A public client (client_auth none) identifies itself with client_id at the token endpoint and, like
 * there, at the revocation endpoint (RFC 7009 2.1); a confidential one authenticates both the same way. */
static void test_client_auth_at_revocation(void)
{
    static const op_client_t pub = {sizeof(op_client_t), "pub-id", NULL, "https://broker.test/cb", NULL};
    fh_reset();
    CU_ASSERT_EQUAL_FATAL(fh_load(&pl, "custom",
                                  "{\"providers\":[{\"name\":\"pub\"," EP ",\"revocation_endpoint\":"
                                  "\"https://a.test/revoke\",\"client_auth\":\"none\"},"
                                  "{\"name\":\"conf\"," EP ",\"revocation_endpoint\":\"https://a.test/revoke\","
                                  "\"client_auth\":\"basic\"}]}"),
                          OP_OK);
    const op_provider_t *p = fh_provider("pub"), *c = fh_provider("conf");
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    CU_ASSERT_TRUE(p->capabilities & OP_CAP_PUBLIC_CLIENT);
    CU_ASSERT_FALSE(c->capabilities & OP_CAP_PUBLIC_CLIENT);

    fh_token_result_t t = {0};
    fh_script(200, "application/json", "{\"access_token\":\"at\",\"expires_in\":60}");
    CU_ASSERT_EQUAL(p->exchange_code(p->data, &pub, "code-1", "verifier", fh_token_cb, &t), OP_AGAIN);
    const fh_request_t *r = fh_last_request();
    FH_ASSERT_FORM(r, "client_id", "pub-id");
    CU_ASSERT_PTR_NULL(fh_header(r, "Authorization"));
    fh_flush();
    fh_token_result_clear(&t);

    fh_done_result_t d = {0};
    fh_script(200, NULL, "");
    CU_ASSERT_EQUAL(p->revoke(p->data, &pub, "rt-1", "refresh_token", fh_done_cb, &d), OP_AGAIN);
    r = fh_last_request();
    FH_ASSERT_FORM(r, "token", "rt-1");
    FH_ASSERT_FORM(r, "client_id", "pub-id");
    char *secret = fh_form(r, "client_secret");
    CU_ASSERT_PTR_NULL(secret);
    free(secret);
    CU_ASSERT_PTR_NULL(fh_header(r, "Authorization"));
    fh_flush();
    CU_ASSERT_EQUAL(d.status, OP_OK);

    fh_done_result_t d2 = {0};
    fh_script(200, NULL, "");
    CU_ASSERT_EQUAL(c->revoke(c->data, &client, "rt-2", "refresh_token", fh_done_cb, &d2), OP_AGAIN);
    r = fh_last_request();
    CU_ASSERT_PTR_NOT_NULL(fh_header(r, "Authorization")); /* client_secret_basic, as at the token endpoint */
    fh_flush();
    CU_ASSERT_EQUAL(d2.status, OP_OK);
    fh_unload(&pl);
    CU_ASSERT_EQUAL(fh_live_allocations(), 0);
}

/* A provider not declared OIDC still gets the nonce when openid is among the scopes (strict servers require it). */
static void test_nonce_with_openid(void)
{
    fh_reset();
    CU_ASSERT_EQUAL_FATAL(fh_load(&pl, "custom", "{\"providers\":[{\"name\":\"plain\"," EP "}]}"), OP_OK);
    const op_provider_t *p = fh_provider("plain");
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    CU_ASSERT_FALSE(p->capabilities & OP_CAP_OIDC);
    int rc;
    op_error_t err;
    char *url = authorize(p, "email openid", &rc, &err);
    CU_ASSERT_EQUAL_FATAL(rc, OP_OK);
    FH_ASSERT_QUERY(url, "nonce", "n-1");
    fh_host()->mem_free(url);
    url = authorize(p, "email", &rc, &err);
    CU_ASSERT_EQUAL_FATAL(rc, OP_OK);
    CU_ASSERT_EQUAL(fh_query_count(url, "nonce"), 0);
    fh_host()->mem_free(url);
    fh_unload(&pl);
    CU_ASSERT_EQUAL(fh_live_allocations(), 0);
}

/* RFC 9207: the issuer and authorization_response_iss_parameter_supported, from the configuration or discovery. */
static void test_iss_parameter(void)
{
    fh_reset();
    CU_ASSERT_EQUAL_FATAL(fh_load(&pl, "custom",
                                  "{\"providers\":[{\"name\":\"st\"," EP ",\"issuer\":\"" ISSUER "\","
                                  "\"authorization_response_iss_parameter_supported\":true},"
                                  "{\"name\":\"plain\"," EP "}]}"),
                          OP_OK);
    const op_provider_t *st = fh_provider("st"), *plain = fh_provider("plain");
    CU_ASSERT_PTR_NOT_NULL_FATAL(st);
    CU_ASSERT_PTR_NOT_NULL_FATAL(plain);
    CU_ASSERT_TRUE_FATAL(st->struct_size >= sizeof(op_provider_t));
    CU_ASSERT_STRING_EQUAL(st->issuer, ISSUER);
    CU_ASSERT_EQUAL(st->authorization_response_iss, 1);
    CU_ASSERT_PTR_NULL(plain->issuer);
    CU_ASSERT_EQUAL(plain->authorization_response_iss, 0);
    fh_unload(&pl);

    expect_bad("{\"providers\":[{\"name\":\"a\"," EP ",\"authorization_response_iss_parameter_supported\":true}]}",
               "needs \"issuer\"");
    expect_bad("{\"providers\":[{\"name\":\"a\"," EP ",\"issuer\":\"" ISSUER
               "\",\"authorization_response_iss_parameter_supported\":1}]}",
               "must be true or false");

    fh_reset();
    CU_ASSERT_EQUAL_FATAL(fh_load(&pl, "custom", "{\"providers\":[{\"name\":\"d\",\"issuer\":\"" ISSUER "\"}]}"),
                          OP_OK);
    const op_provider_t *d = fh_provider("d");
    CU_ASSERT_EQUAL(d->authorization_response_iss, 0);
    fh_script(200, "application/json",
              "{\"issuer\":\"" ISSUER "\",\"authorization_endpoint\":\"" ISSUER "/a\",\"token_endpoint\":\"" ISSUER
              "/t\",\"authorization_response_iss_parameter_supported\":true}");
    fh_flush();
    CU_ASSERT_STRING_EQUAL(d->issuer, ISSUER);
    CU_ASSERT_EQUAL(d->authorization_response_iss, 1);
    fh_unload(&pl);
    CU_ASSERT_EQUAL(fh_live_allocations(), 0);
}

void tests_register(void)
{
    CU_SUITE("custom", setup, teardown, {"two providers", test_two_providers}, {"invalid config", test_invalid_config},
             {"discovery", test_discovery},
             {"discovery issuer mismatch and retry", test_discovery_issuer_mismatch_and_retry},
             {"discovery failures", test_discovery_failures},
             {"client auth at the revocation endpoint", test_client_auth_at_revocation},
             {"nonce with openid", test_nonce_with_openid}, {"RFC 9207 iss parameter", test_iss_parameter});
}
