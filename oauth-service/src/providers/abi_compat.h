/*
 * abi_compat.h - plugins built for an earlier minor of the provider ABI (provider_abi.h, "Versioning").
 *
 * Before ABI 1.2 op_token_set_t had no struct_size: a plugin built for 1.0 or 1.1 writes the members from
 * offset 0. The registry hands such a plugin a view of the host whose token_set_clear knows that layout
 * (ob_abi_compat_token_set_clear), and registers, instead of each of its providers, a host-owned wrapper
 * whose operations call the plugin's and convert every token set to the current layout. The rest of the
 * broker sees current providers only.
 *
 * Threading: the loop thread, like the providers.
 */
#ifndef OB_PROVIDERS_ABI_COMPAT_H
#define OB_PROVIDERS_ABI_COMPAT_H

#include "provider_abi.h"

/* 1 when a plugin built for abi_minor (of OP_ABI_MAJOR) needs the wrapper. */
int ob_abi_compat_needed(unsigned abi_minor);

/* token_set_clear for a pre-1.2 token set (the host view of such a plugin carries it). */
void ob_abi_compat_token_set_clear(op_token_set_t *ts);

/*
 * A wrapper of orig (borrowed: it must outlive the wrapper) that presents it with the current token-set
 * layout, or NULL on allocation failure. Caller owns it: ob_abi_compat_free.
 */
op_provider_t *ob_abi_compat_wrap(const op_provider_t *orig);
/* Copies the members a plugin may update after init (endpoints, issuer) from the original again. */
void ob_abi_compat_refresh(op_provider_t *wrapper);
/* The plugin's own provider behind p (p itself when p is no wrapper). */
const op_provider_t *ob_abi_compat_original(const op_provider_t *p);
/* Frees a wrapper; a provider that is no wrapper (or NULL) is left alone. */
void ob_abi_compat_free(const op_provider_t *p);

/*
 * Starts p's identify (ABI 1.3) when its plugin offers one: read only when the struct_size of the plugin's own
 * provider covers it, so a plugin built for 1.2 or earlier is never asked. Arguments as op_provider_t.identify.
 * Returns OP_AGAIN (done called exactly once, later), OP_EUNSUPPORTED when the provider cannot identify accounts,
 * or the plugin's error (done never called).
 */
int ob_provider_identify(const op_provider_t *p, const op_client_t *client, const op_token_set_t *tokens,
                         const char *nonce, op_identity_done_fn done, void *arg);

#endif
