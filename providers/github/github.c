/*
 * github.c - GitHub OAuth apps and GitHub App user tokens.
 *
 * Authorize: https://github.com/login/oauth/authorize (space-separated scopes, PKCE S256,
 * login_hint is sent as GitHub's "login").
 * Token: https://github.com/login/oauth/access_token, client_secret_post, Accept: application/json
 * (the parser also takes the form-encoded body GitHub sends without it).
 * Quirks handled:
 *   - errors arrive with HTTP 200: {"error": "bad_verification_code", ...} -> REQUEST,
 *     incorrect_client_credentials / bad_refresh_token / unverified_user_email -> PERMANENT;
 *   - OAuth-app tokens carry no expires_in: they never expire (expires_at 0), no refresh token;
 *     GitHub App user tokens carry expires_in, refresh_token and refresh_token_expires_in;
 *   - granted scopes come comma separated ("repo,gist"): normalised to spaces.
 * Revoke: DELETE {api_base}/applications/{client_id}/grant with HTTP Basic client_id:client_secret
 * and the JSON body {"access_token": "..."}: 204 = revoked, 404 = already gone (both success).
 * It revokes the whole grant and needs the access token (not a refresh token).
 *
 * Account identification: GET {api_base}/user with the access token, the numeric "id".
 *
 * Configuration (all optional): {"authorization_endpoint": url, "token_endpoint": url,
 * "api_base": "https://api.github.com", "userinfo_endpoint": url (default {api_base}/user),
 * "default_scopes": "read:user user:email"}.
 */
#include "provider_support.h"

#include <stdlib.h>
#include <string.h>

static const char *const gh_config_keys[] = {"api_base", NULL};

static int gh_authorize_hook(ps_provider_t *p, const op_client_t *c, const op_authorize_params_t *ap, ps_params_t *q,
                             op_error_t *err)
{
    const char *hint = ps_params_get(q, "login_hint");
    if (hint == NULL)
        return OP_OK;
    int rc = ps_params_add(q, "login", hint);
    return rc == OP_OK ? ps_params_set(q, "login_hint", NULL) : rc;
}

static int gh_revoke_judge(ps_provider_t *p, const op_http_response_t *res, op_error_t *err)
{
    if ((res->status >= 200 && res->status <= 299) || res->status == 404)
        return OP_OK;
    json_t *doc = res->status != 0 ? ps_decode_body(res->body, res->body_len) : NULL;
    ps_classify_response(p->errmap, res, doc, err);
    json_decref(doc);
    return OP_ERR;
}

static int gh_revoke(void *data, const op_client_t *c, const char *token, const char *token_type_hint, op_done_fn done,
                     void *arg)
{
    ps_provider_t *p = data;
    ps_request_t r;
    if (c == NULL || c->client_id == NULL || c->client_id[0] == '\0' || c->client_secret == NULL || token == NULL ||
        token[0] == '\0' || done == NULL)
        return OP_EINVAL;
    int rc = OP_ENOMEM;
    char *id = ps_url_escape(c->client_id), *url = NULL, *auth = NULL;
    if (id == NULL)
        return OP_ENOMEM;
    url = ps_concat(p->option, "/applications/", id, "/grant", NULL);
    free(id);
    if (url == NULL || (auth = ps_basic_auth(c->client_id, c->client_secret, 0)) == NULL)
        goto out_free;
    if (ps_request_init(&r, "DELETE", url) != OP_OK)
        goto out_free;
    json_t *body = json_pack("{s:s}", "access_token", token);
    r.body = ps_json_dumps(body);
    json_decref(body);
    if (r.body == NULL) {
        ps_request_free(&r);
        goto out_free;
    }
    r.body_len = strlen(r.body);
    if (ps_request_header(&r, "Authorization", auth) != OP_OK ||
        ps_request_header(&r, "Accept", "application/vnd.github+json") != OP_OK ||
        ps_request_header(&r, "X-GitHub-Api-Version", "2022-11-28") != OP_OK ||
        ps_request_header(&r, "Content-Type", "application/json") != OP_OK) {
        ps_request_free(&r);
        goto out_free;
    }
    rc = ps_revoke_call(p, &r, gh_revoke_judge, done, arg);
out_free:
    free(url);
    ps_secret_free(auth);
    return rc;
}

/* "api_base" (the REST API the grant is deleted through); the registered revocation endpoint names it. */
static int gh_configure(ps_provider_t *p, const json_t *cfg)
{
    char *api = NULL, *revoke_doc = NULL;
    int rc = ps_config_url(p->host, "github", cfg, "api_base", "https://api.github.com", &api);
    if (rc != OP_OK)
        return rc;
    size_t n = strlen(api);
    while (n > 0 && api[n - 1] == '/')
        api[--n] = '\0';
    p->option = api; /* the API base, without a trailing '/' */
    if ((revoke_doc = ps_concat(api, "/applications/{client_id}/grant", NULL)) == NULL)
        return OP_ENOMEM;
    rc = ps_provider_set_endpoints(p, p->authorization_endpoint, p->token_endpoint, revoke_doc);
    free(revoke_doc);
    if (rc == OP_OK && json_object_get(cfg, "userinfo_endpoint") == NULL) { /* the account lives under api_base too */
        char *user = ps_concat(api, "/user", NULL);
        rc = user != NULL ? ps_identity_set_userinfo(p, user) : OP_ENOMEM;
        free(user);
    }
    return rc;
}

static const ps_errmap_t gh_errors[] = {
    {"bad_verification_code", OP_ERRCLASS_REQUEST},          {"redirect_uri_mismatch", OP_ERRCLASS_REQUEST},
    {"incorrect_client_credentials", OP_ERRCLASS_PERMANENT}, {"bad_refresh_token", OP_ERRCLASS_PERMANENT},
    {"unverified_user_email", OP_ERRCLASS_PERMANENT},        {NULL, 0},
};

static const ps_hooks_t gh_hooks = {
    .config_keys = gh_config_keys,
    .configure = gh_configure,
    .authorize = gh_authorize_hook,
    .revoke = gh_revoke,
};

static const ps_spec_t gh_spec = {
    .name = "github",
    .display_name = "GitHub",
    .capabilities = OP_CAP_REFRESH | OP_CAP_REVOKE | OP_CAP_PKCE,
    .endpoints = {"https://github.com/login/oauth/authorize", "https://github.com/login/oauth/access_token"},
    .default_scopes = "read:user user:email",
    .response_scope_separator = ',',
    .client_auth = PS_AUTH_POST,
    .errors = gh_errors,
    .hooks = &gh_hooks,
    .identity = {.userinfo_endpoint = "https://api.github.com/user", .subject_field = "id", .name_field = "login"},
};

PS_PLUGIN(gh_spec, "github", "1.0.0");
