/*
 * identity.h - the upstream account of a token set, through the provider plugin (op_provider_t.identify, ABI 1.3):
 * what the broker records on an instance (mcp_service_table.upstream_subject) and what a service URL sign-in looks
 * instances up by.
 *
 * The recorded form is "<issuer>|<subject>", the issuer being the ID token's iss (or the provider's issuer), else the
 * provider's name: subjects are unique only within their issuer.
 *
 * Threading: the loop thread.
 */
#ifndef OB_OAUTH_IDENTITY_H
#define OB_OAUTH_IDENTITY_H

#include "core/broker.h"
#include "provider_abi.h"

/* The outcome: status CM_OK with subject ("<issuer>|<subject>", borrowed for the call) and id (borrowed, the
 * plugin's answer), or an error (subject and id NULL; the reason was logged). */
typedef void (*ob_identity_cb)(void *arg, int status, const char *subject, const op_identity_t *id);

/*
 * Identifies the account tokens belong to. nonce: the one sent in the authorization request, NULL when none. Every
 * argument is borrowed for the call. Returns CM_AGAIN (cb called exactly once, later: an answer the plugin had at
 * once is delivered on the next loop iteration), CM_EUNAVAIL when the provider cannot identify accounts (a plugin
 * built before ABI 1.3, or none described), or another error (cb never called).
 */
int ob_identify(ob_broker_t *b, const op_provider_t *provider, const op_client_t *client, const op_token_set_t *tokens,
                const char *nonce, ob_identity_cb cb, void *arg);

/* Writes subject (NULL clears it) into the instance's upstream_subject. cb as for cm_pg_query (may be NULL: the
 * outcome is only logged). CM_AGAIN or an error. */
int ob_identity_record(ob_broker_t *b, const char *instance_id, const char *subject, cm_pg_result_cb cb, void *arg);

#endif
