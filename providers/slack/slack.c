/*
 * slack.c - Slack OAuth v2 ("Sign in with Slack" is not this; this is app installation).
 *
 * Authorize: https://slack.com/oauth/v2/authorize. MCP tools act as the user, so the requested
 * scopes go out as `user_scope` (comma separated); bot scopes, when an instance wants a bot token
 * too, come from its options {"bot_scopes": "chat:write commands"} and go out as `scope`. PKCE S256.
 * Token: https://slack.com/api/oauth.v2.access (code exchange and, with token rotation enabled,
 * grant_type=refresh_token), client credentials as HTTP Basic (Slack's recommendation).
 * Response quirks:
 *   - errors arrive with HTTP 200: {"ok": false, "error": "invalid_code"}; invalid_code,
 *     code_already_used, bad_redirect_uri -> REQUEST; invalid_refresh_token, invalid_client_id,
 *     bad_client_secret, token_revoked -> PERMANENT; ratelimited -> TRANSIENT;
 *   - the user token lives under authed_user {access_token, scope, refresh_token, expires_in,
 *     token_type: "user"}: the token set takes it when present, else the top-level (bot) token;
 *   - token_type "user"/"bot" is not an HTTP scheme: the set says "Bearer" and extras keep
 *     "slack_token_type"; team, enterprise, app_id, authed_user.id ... go to extras_json;
 *   - scopes are comma separated: normalised to spaces.
 * Revoke: POST https://slack.com/api/auth.revoke with form token=...; {"ok": true} = revoked, and
 * token_revoked / invalid_auth / not_authed / token_expired / account_inactive mean already dead.
 *
 * Account identification: auth.test with the user token (any token answers it, unlike
 * openid.connect.userInfo, which needs a Sign in with Slack token): "<team_id>:<user_id>".
 *
 * Configuration (all optional): {"authorization_endpoint": url, "token_endpoint": url,
 * "revocation_endpoint": url, "userinfo_endpoint": url, "default_scopes": "channels:read chat:write users:read"}.
 */
#include "provider_support.h"

#include <stdlib.h>
#include <string.h>

/* Revocation errors that mean the token is already unusable. */
static const char *const already_dead[] = {"token_revoked", "invalid_auth",     "not_authed",
                                           "token_expired", "account_inactive", NULL};

static int slack_authorize_hook(ps_provider_t *p, const op_client_t *c, const op_authorize_params_t *ap, ps_params_t *q,
                                op_error_t *err)
{
    json_t *opts = ps_client_options(c, err);
    if (opts == NULL)
        return OP_EINVAL;
    int rc = OP_OK;
    const json_t *v = json_object_get(opts, "bot_scopes");
    if (v != NULL && !json_is_null(v)) {
        const char *bot = ps_json_str(opts, "bot_scopes");
        char *joined = bot != NULL ? ps_scopes_join(bot, ',') : NULL;
        if (bot == NULL) {
            ps_error_set(err, OP_ERRCLASS_REQUEST, "invalid_options", 0, "\"bot_scopes\" must be a string");
            rc = OP_EINVAL;
        } else if (joined == NULL) {
            rc = OP_ENOMEM;
        } else if (joined[0] != '\0') {
            rc = ps_params_set(q, "scope", joined);
        }
        free(joined);
    }
    json_decref(opts);
    return rc;
}

/* The object holding the instance's token: authed_user when it carries one, else the top level. */
static const json_t *user_or_bot(const json_t *doc)
{
    const json_t *user = json_object_get(doc, "authed_user");
    return ps_json_str(user, "access_token") != NULL ? user : doc;
}

static const json_t *slack_select(ps_provider_t *p, const json_t *doc, op_error_t *err)
{
    if (json_is_false(json_object_get(doc, "ok"))) {
        /* "error" members were classified before; this is ok:false without one */
        ps_error_set(err, OP_ERRCLASS_REQUEST, "provider_error", 200, "Slack answered ok:false without an error");
        return NULL;
    }
    return user_or_bot(doc);
}

static int slack_post_parse(ps_provider_t *p, const json_t *doc, op_token_set_t *out, json_t *extras)
{
    const char *kind = ps_json_str(user_or_bot(doc), "token_type");
    if (kind == NULL || strcmp(out->token_type, "Bearer") == 0)
        return OP_OK;
    char *bearer = ps_host_strdup(p->host, "Bearer");
    if (bearer == NULL)
        return OP_ENOMEM;
    p->host->mem_free(out->token_type);
    out->token_type = bearer;
    json_object_set_new(extras, "slack_token_type", json_string(kind));
    return OP_OK;
}

static int slack_revoke_judge(ps_provider_t *p, const op_http_response_t *res, op_error_t *err)
{
    json_t *doc = res->status != 0 ? ps_decode_body(res->body, res->body_len) : NULL;
    int rc = OP_ERR;
    const char *code = ps_json_str(doc, "error");
    if (res->status >= 200 && res->status <= 299 && json_is_true(json_object_get(doc, "ok"))) {
        rc = OP_OK;
    } else if (res->status >= 200 && res->status <= 299 && code != NULL) {
        for (size_t i = 0; already_dead[i] != NULL; i++)
            if (strcmp(code, already_dead[i]) == 0)
                rc = OP_OK;
    }
    if (rc != OP_OK && !ps_classify_response(p->errmap, res, doc, err))
        ps_error_set(err, OP_ERRCLASS_TRANSIENT, "bad_response", res->status, "unexpected auth.revoke answer");
    json_decref(doc);
    return rc;
}

static const ps_hooks_t slack_hooks = {
    .authorize = slack_authorize_hook,
    .select_token = slack_select,
    .post_parse = slack_post_parse,
    .revoke_judge = slack_revoke_judge,
};

static const ps_errmap_t slack_errors[] = {
    {"invalid_code", OP_ERRCLASS_REQUEST},
    {"code_already_used", OP_ERRCLASS_REQUEST},
    {"bad_redirect_uri", OP_ERRCLASS_REQUEST},
    {"invalid_grant_type", OP_ERRCLASS_REQUEST},
    {"oauth_authorization_url_mismatch", OP_ERRCLASS_REQUEST},
    {"invalid_arguments", OP_ERRCLASS_REQUEST},
    {"invalid_refresh_token", OP_ERRCLASS_PERMANENT},
    {"invalid_client_id", OP_ERRCLASS_PERMANENT},
    {"bad_client_secret", OP_ERRCLASS_PERMANENT},
    {"token_revoked", OP_ERRCLASS_PERMANENT},
    {"token_expired", OP_ERRCLASS_PERMANENT},
    {"invalid_auth", OP_ERRCLASS_PERMANENT},
    {"account_inactive", OP_ERRCLASS_PERMANENT},
    {"app_uninstalled", OP_ERRCLASS_PERMANENT},
    {"ratelimited", OP_ERRCLASS_TRANSIENT},
    {"internal_error", OP_ERRCLASS_TRANSIENT},
    {"fatal_error", OP_ERRCLASS_TRANSIENT},
    {"service_unavailable", OP_ERRCLASS_TRANSIENT},
    {"request_timeout", OP_ERRCLASS_TRANSIENT},
    {NULL, 0},
};

static const ps_spec_t slack_spec = {
    .name = "slack",
    .display_name = "Slack",
    .capabilities = OP_CAP_REFRESH | OP_CAP_REVOKE | OP_CAP_PKCE,
    .endpoints = {"https://slack.com/oauth/v2/authorize", "https://slack.com/api/oauth.v2.access",
                  "https://slack.com/api/auth.revoke"},
    .default_scopes = "channels:read chat:write users:read",
    .scope_param = "user_scope",
    .scope_separator = ',',
    .response_scope_separator = ',',
    .client_auth = PS_AUTH_BASIC,
    .revoke_auth = PS_AUTH_OMIT, /* auth.revoke takes the token alone */
    .errors = slack_errors,
    .hooks = &slack_hooks,
    .identity = {.userinfo_endpoint = "https://slack.com/api/auth.test",
                 .subject_field = "user_id",
                 .subject_scope = "team_id",
                 .name_field = "user",
                 .require_ok = 1},
};

PS_PLUGIN(slack_spec, "slack", "1.0.0");
