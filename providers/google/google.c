/*
 * google.c - Google OAuth 2.0 / OpenID Connect.
 *
 * Authorize: https://accounts.google.com/o/oauth2/v2/auth with access_type=offline and
 * prompt=consent (otherwise Google issues a refresh token only on the very first consent) and
 * include_granted_scopes=true (incremental authorization), PKCE S256.
 * Token: https://oauth2.googleapis.com/token, client_secret_post.
 * Revoke: https://oauth2.googleapis.com/revoke, RFC 7009 form `token=...`, 200 = revoked (400
 * invalid_token = already dead, also success).
 * Issuer: https://accounts.google.com (an ID token's iss must name it; RFC 9207 iss is not advertised).
 *
 * Configuration (all optional): {"authorization_endpoint": url, "token_endpoint": url,
 * "revocation_endpoint": url, "default_scopes": "openid email"}.
 */
#include "provider_support.h"

#include <stdlib.h>

#define GOOGLE_AUTHORIZE "https://accounts.google.com/o/oauth2/v2/auth"
#define GOOGLE_TOKEN "https://oauth2.googleapis.com/token"
#define GOOGLE_REVOKE "https://oauth2.googleapis.com/revoke"
/* Google's issuer (its discovery document); the ID token's iss is checked against it. Google does not
 * advertise authorization_response_iss_parameter_supported, so a callback without iss stays valid. */
#define GOOGLE_ISSUER "https://accounts.google.com"

static const char *const config_keys[] = {"authorization_endpoint", "token_endpoint", "revocation_endpoint",
                                          "default_scopes", NULL};

static void google_fini(void *state)
{
    ps_provider_free(state);
}

static int google_init(const op_host_api_t *host, const char *config_json, void **state)
{
    int rc = OP_EINVAL;
    char *authorize = NULL, *token = NULL, *revoke = NULL;
    const char *scopes = NULL;
    ps_provider_t *p = NULL;
    json_t *cfg = ps_config_parse(host, "google", config_json);
    if (cfg == NULL)
        return OP_EINVAL;
    if (ps_config_check_keys(host, "google", cfg, config_keys) != OP_OK ||
        ps_config_url(host, "google", cfg, "authorization_endpoint", GOOGLE_AUTHORIZE, &authorize) != OP_OK ||
        ps_config_url(host, "google", cfg, "token_endpoint", GOOGLE_TOKEN, &token) != OP_OK ||
        ps_config_url(host, "google", cfg, "revocation_endpoint", GOOGLE_REVOKE, &revoke) != OP_OK ||
        ps_config_str(host, "google", cfg, "default_scopes", "openid email", &scopes) != OP_OK)
        goto out_free;
    rc = OP_ENOMEM;
    p = ps_provider_new(host, "google", "Google", scopes, OP_CAP_REFRESH | OP_CAP_REVOKE | OP_CAP_PKCE | OP_CAP_OIDC);
    if (p == NULL || ps_provider_set_endpoints(p, authorize, token, revoke) != OP_OK)
        goto out_free;
    p->op.issuer = GOOGLE_ISSUER;
    p->client_auth = PS_AUTH_POST;
    p->revoke_auth = PS_AUTH_OMIT; /* Google's revocation endpoint takes the token alone */
    ps_params_add(&p->authorize_extra, "access_type", "offline");
    ps_params_add(&p->authorize_extra, "prompt", "consent");
    ps_params_add(&p->authorize_extra, "include_granted_scopes", "true");
    if (p->authorize_extra.failed)
        goto out_free;
    if ((rc = ps_provider_register(p)) != OP_OK)
        goto out_free;
    *state = p;
    p = NULL;
out_free:
    ps_provider_free(p);
    free(authorize);
    free(token);
    free(revoke);
    json_decref(cfg);
    return rc;
}

PS_EXPORT const op_plugin_t oauth_provider_plugin = {
    OP_PLUGIN_HEADER("google", "1.0.0"),
    .init = google_init,
    .fini = google_fini,
};
