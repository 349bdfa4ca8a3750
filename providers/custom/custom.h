/*
 * custom.h - internals of the custom plugin: generic OAuth 2.0 / OpenID Connect providers described
 * entirely by configuration, several at once.
 *
 * Configuration:
 *   {"providers": [{
 *       "name": "notion",                  required, [a-z0-9_-]{1,63}, unique
 *       "display_name": "Notion",          default: name
 *       "authorization_endpoint": url,     required unless "issuer" is set
 *       "token_endpoint": url,             required unless "issuer" is set
 *       "revocation_endpoint": url,        optional (RFC 7009)
 *       "issuer": url,                     optional: OpenID Connect discovery (below); the ID token's iss
 *       "authorization_response_iss_parameter_supported": bool,  RFC 9207 (needs issuer; default: discovery's)
 *       "client_auth": "basic"|"post"|"none",  default "basic" (RFC 6749 2.3.1); "none" = public client
 *                                          (no secret; client_id in token and revocation requests)
 *       "pkce": true|false,                default true
 *       "scope_separator": " "|",",        default " " (also used to read granted scopes)
 *       "default_scopes": "...",           default "" (no scope parameter)
 *       "default_expires_in": seconds,     expiry to assume when responses carry none (default 0 = never)
 *       "extra_authorize_params": {..},    strings; cannot replace state, client_id, PKCE, ...
 *       "extra_token_params": {..},        strings; cannot replace grant_type, code, secrets, ...
 *       "capabilities": ["refresh","revoke","pkce","oidc"],  default: derived from the above
 *       "discovery_retry_s": 30            cool-down after a failed discovery
 *       "jwks_uri": url,                   the ID tokens' keys (default: discovery's), to identify accounts
 *       "userinfo_endpoint": url,          user-info (default: discovery's), used without an ID token
 *       "subject_field": "sub"             the user-info member naming the account (e.g. "id")
 *   }, ...]}
 * Invalid configuration (missing name, bad URL, duplicate names, unknown members) fails init with
 * one log line naming the provider and the member. No "providers" at all: init returns
 * OP_EUNSUPPORTED ("not configured").
 *
 * OpenID Connect discovery (issuer set, authorization or token endpoint not configured):
 * init() cannot block, so it registers the provider at once and starts
 * GET {issuer}/.well-known/openid-configuration through host->http_send (the host queues it until
 * its loop runs). The document must name exactly the configured issuer (OIDC Discovery 4.3) and
 * carry http(s) endpoints; it also fills in the revocation endpoint and, when not configured,
 * PKCE support (code_challenge_methods_supported) and client auth
 * (token_endpoint_auth_methods_supported). Until discovery has succeeded:
 *   - build_authorize_url (synchronous) fails with OP_EUNAVAIL and a TRANSIENT error
 *     "discovery_pending" (retry_after_s 1) or "discovery_failed" (retry_after_s = the cool-down left);
 *   - exchange_code / refresh / revoke (asynchronous) are queued and run when discovery completes,
 *     or fail through their callback with TRANSIENT "discovery_failed";
 *   - after a failure, the next operation once the cool-down has passed starts a new discovery
 *     (lazy retry: no timers needed); inside the cool-down the asynchronous ones return OP_EUNAVAIL.
 * The registered endpoint members are NULL until discovery fills them in.
 */
#ifndef PROVIDERS_CUSTOM_H
#define PROVIDERS_CUSTOM_H

#include "provider_support.h"

enum { CU_STATIC = 0, CU_PENDING, CU_READY, CU_FAILED };

typedef struct cu_waiter cu_waiter_t;

typedef struct cu_data {
    char *issuer;                                /* configured issuer or NULL */
    int discovery;                               /* CU_* */
    int64_t failed_at;                           /* time of the last failed discovery */
    int64_t retry_s;                             /* cool-down after a failure */
    int pkce_set, client_auth_set, caps_set;     /* configured explicitly (discovery must not override) */
    int iss_param_set;                           /* authorization_response_iss_parameter_supported configured */
    char *configured_revoke;                     /* configured revocation endpoint (wins over the discovered one) */
    char *configured_jwks, *configured_userinfo; /* configured identification endpoints (win over discovery's) */
    char *subject_field;                         /* the user-info member naming the account */
    cu_waiter_t *waiters;                        /* operations queued behind discovery, in order */
    char last_error[160];
} cu_data_t;

/* Starts discovery for p (state CU_PENDING). OP_AGAIN, or an error (state CU_FAILED). */
int cu_discovery_start(ps_provider_t *p);
/* Installs the discovery-aware operations on p->op. */
void cu_discovery_install(ps_provider_t *p);
/* Sets up account identification with the configured endpoints, else the discovered ones (NULL before discovery).
 * OP_OK or OP_ENOMEM. */
int cu_identity_setup(ps_provider_t *p, const char *discovered_jwks, const char *discovered_userinfo);
/* Frees queued operations without calling them (fini only). */
void cu_discovery_drop(ps_provider_t *p);

#endif
