/*
 * id_token.h - the checks the broker applies to an ID token returned by the token endpoint of the
 * authorization code flow (OpenID Connect Core 3.1.3.7).
 *
 * The token comes straight from the token endpoint over TLS, so its signature is not verified
 * (Core 3.1.3.7 step 6 allows TLS server validation instead); what this adds is the binding to our
 * own request: the nonce we sent (step 11, a replayed or injected code carries another one), the
 * audience (our client_id, step 3) and, when the provider's issuer is known, the issuer (step 2).
 */
#ifndef OB_OAUTH_ID_TOKEN_H
#define OB_OAUTH_ID_TOKEN_H

#include <stddef.h>

/*
 * Checks a compact JWS ID token. nonce: the nonce sent in the authorization request (required: the claim must
 * be present and equal). client_id: must be in aud (skipped when NULL or ""). issuer: must equal iss (skipped
 * when NULL). Returns CM_OK, or CM_EINVAL with a short reason in why (never token contents).
 */
int ob_id_token_check(const char *id_token, const char *nonce, const char *client_id, const char *issuer, char *why,
                      size_t whysz);

#endif
