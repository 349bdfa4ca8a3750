/*
 * google.c - Google OAuth 2.0 / OpenID Connect.
 *
 * Authorize with access_type=offline and prompt=consent (otherwise Google issues a refresh token only
 * on the very first consent) and include_granted_scopes=true (incremental authorization), PKCE S256.
 * Token: client_secret_post. Revoke: RFC 7009 form `token=...` without client identification, 200 =
 * revoked (400 invalid_token = already dead, also success). An ID token's iss must name the issuer;
 * Google does not advertise RFC 9207 iss, so a callback without iss stays valid.
 *
 * Account identification: the ID token (when the scopes had openid) against Google's keys, iss
 * https://accounts.google.com or accounts.google.com; else the OpenID user-info endpoint's "sub".
 *
 * Configuration (all optional): {"authorization_endpoint": url, "token_endpoint": url,
 * "revocation_endpoint": url, "jwks_uri": url, "userinfo_endpoint": url, "default_scopes": "openid email"}.
 */
#include "provider_support.h"

static const op_kv_t google_authorize_params[] = {
    {"access_type", "offline"},
    {"prompt", "consent"},
    {"include_granted_scopes", "true"},
    {NULL, NULL},
};

static const ps_spec_t google_spec = {
    .name = "google",
    .display_name = "Google",
    .capabilities = OP_CAP_REFRESH | OP_CAP_REVOKE | OP_CAP_PKCE | OP_CAP_OIDC,
    .issuer = "https://accounts.google.com",
    .endpoints = {"https://accounts.google.com/o/oauth2/v2/auth", "https://oauth2.googleapis.com/token",
                  "https://oauth2.googleapis.com/revoke"},
    .default_scopes = "openid email",
    .client_auth = PS_AUTH_POST,
    .revoke_auth = PS_AUTH_OMIT,
    .authorize_params = google_authorize_params,
    .identity = {.jwks_uri = "https://www.googleapis.com/oauth2/v3/certs",
                 .alt_issuer = "accounts.google.com",
                 .userinfo_endpoint = "https://openidconnect.googleapis.com/v1/userinfo"},
};

PS_PLUGIN(google_spec, "google", "1.0.0");
