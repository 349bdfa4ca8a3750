/*
 * id_token.h - the checks the broker applies to an ID token returned by the token endpoint of the
 * authorization code flow (OpenID Connect Core 3.1.3.7).
 *
 * The token comes straight from the token endpoint over TLS, so its signature is not verified
 * (Core 3.1.3.7 step 6 allows TLS server validation instead); what this adds is the binding to our
 * own request: the nonce we sent (step 11, a replayed or injected code carries another one), the
 * audience (our client_id, step 3; with several audiences azp must name us, steps 4-5), when the
 * provider's issuer is known the issuer (step 2), and its lifetime (exp not passed, iat not in the
 * future: steps 9-10) with OB_ID_TOKEN_SKEW_S of allowance for the two clocks.
 */
#ifndef OB_OAUTH_ID_TOKEN_H
#define OB_OAUTH_ID_TOKEN_H

#include <stddef.h>
#include <stdint.h>

#define OB_ID_TOKEN_SKEW_S 120 /* seconds of clock difference tolerated on exp and iat */

/*
 * Checks a compact JWS ID token. nonce: the nonce sent in the authorization request (the claim must be present
 * and equal), NULL when none was sent (the claim is then not looked at). client_id: must be in aud, and be azp
 * when azp is present or aud lists several audiences (skipped when NULL or ""). issuer: must equal iss (skipped
 * when NULL). now: unix seconds; exp is required and must lie ahead, iat (when present) not ahead, both within
 * OB_ID_TOKEN_SKEW_S. Returns CM_OK, or CM_EINVAL with a short reason in why (never token contents).
 */
int ob_id_token_check(const char *id_token, const char *nonce, const char *client_id, const char *issuer, int64_t now,
                      char *why, size_t whysz);

#endif
