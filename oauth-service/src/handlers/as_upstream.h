/*
 * as_upstream.h - the upstream sign-in of an MCP client's authorization request (docs/mcp-authorization.md,
 * "Authorization request" 4, "Service URL sign-in"): Allow on a service URL sends the browser to the provider with
 * the operator's app credentials (as/apps.h); the provider's answer at /oauth/callback (a state of kind
 * OB_STATE_AS_LOGIN) identifies the account, creates or reuses its instance, stores the upstream tokens and
 * completes the MCP client's request with a code. The proof of ownership of an instance URL runs the same leg through
 * the instance's own client (OB_STATE_AS_PROOF) and issues the code only for the account the instance is bound to.
 *
 * Browser binding: Allow sets the cookie ob_as_login (the consent's CSRF value; HttpOnly, SameSite=Lax - the
 * callback is a cross-site top-level navigation - Path=/oauth/callback) and the callback requires it to match the
 * request row's csrf_hash, so a provider link handed to another browser cannot complete someone else's request.
 *
 * Threading: the loop thread. Each function answers req itself (HTML page or redirect).
 */
#ifndef OB_HANDLERS_AS_UPSTREAM_H
#define OB_HANDLERS_AS_UPSTREAM_H

#include "core/broker.h"
#include "oauth/state.h"
#include "provider_abi.h"

#include "common/httpd.h"

#include <jansson.h>

/*
 * Allow of a service URL request with app credentials: consumes the request row (id_hash, csrf_hash; it moves to
 * the stage "upstream"), sets the ob_as_login cookie (csrf: the consent cookie's value) and 303s to the provider.
 * row: the stored request (borrowed).
 */
void ob_as_upstream_start(ob_broker_t *b, h2o_req_t *req, const char *id_hash, const char *csrf_hash, const char *csrf,
                          const json_t *row);

/*
 * The other proof of ownership of an instance URL: Allow by signing in again at the provider through the instance's
 * own client. The instance must be bound to an account (upstream_subject; else a page, the row untouched); then as
 * ob_as_upstream_start, with a state of kind OB_STATE_AS_PROOF naming the instance.
 */
void ob_as_upstream_proof_start(ob_broker_t *b, h2o_req_t *req, const char *id_hash, const char *csrf_hash,
                                const char *csrf, const json_t *row);

/*
 * The provider's answer for a state of kind OB_STATE_AS_LOGIN or OB_STATE_AS_PROOF. st: opened (expired = its expiry
 * has passed); provider: the state's provider (NULL when not loaded); code, error: the query's (may be NULL); iss_ok:
 * the RFC 9207 check passed. Everything is copied.
 */
void ob_as_upstream_callback(ob_broker_t *b, h2o_req_t *req, const ob_state_t *st, int expired,
                             const op_provider_t *provider, const char *code, const char *error, int iss_ok);

/* The origin of the provider's authorization endpoint of a service (into out, a CSP source for the consent page's
 * form-action), or 0 when it cannot be built. */
int ob_as_upstream_origin(const ob_broker_t *b, const char *service, char *out, size_t outsz);

#endif
