/*
 * state.h - the sealed OAuth `state` parameter.
 *
 * The state carries everything the callback needs, so /oauth/authorize writes nothing and any
 * replica can finish the flow: instance id, PKCE verifier, a single-use nonce, expiry, the provider,
 * an optional return URL and the popup flag. It is AES-256-GCM under the key ring's state sub-key
 * (HKDF label of its own: never the credentials key) and travels as
 *   base64url( 0x01 || key id length (1 byte) || key id || iv(12) || ciphertext || tag(16) )
 * with associated data "ob-state-v1" NUL <key id>. The plaintext is a small length-prefixed binary record
 * (state.c; binary rather than JSON because /oauth/authorize is a hot path). Any
 * change to any byte fails authentication. The nonce is consumed at the callback (oauth_state_nonces,
 * unique), so a state works once.
 */
#ifndef OB_OAUTH_STATE_H
#define OB_OAUTH_STATE_H

#include "keys/keyring.h"

#include <stddef.h>
#include <stdint.h>

#define OB_STATE_MAX_LEN 4096 /* longest state text accepted at the callback */
#define OB_RETURN_URL_MAX 1024

typedef struct ob_state {
    char instance_id[37];
    char provider[65];
    char verifier[129]; /* PKCE code_verifier ("" when the provider has no PKCE) */
    char nonce[65];     /* single-use id; also the OIDC nonce */
    int64_t expires_at; /* unix s */
    int popup;          /* answer with a page that posts to window.opener */
    int nonce_not_sent; /* the authorization request carried no OIDC nonce (an ID token need not hold one) */
    char return_url[OB_RETURN_URL_MAX + 1]; /* "" when none */
    /* what the sign-in is for: an instance's own authorization (/oauth/authorize), or an MCP client's authorization
     * request (docs/mcp-authorization.md: a service URL sign-in with the operator's app, or an instance URL's proof
     * of ownership); the latter two carry the SHA-256 hex of the request id (as_requests.request_hash) */
    int kind;
    char as_request[65]; /* "" for OB_STATE_INSTANCE */
} ob_state_t;

enum { OB_STATE_INSTANCE = 0, OB_STATE_AS_LOGIN = 1, OB_STATE_AS_PROOF = 2 };

/* Fills a fresh state for instance_id (NULL or "" for OB_STATE_AS_LOGIN)/provider: new PKCE verifier (when pkce), new
 * nonce, expiry now + ttl_s. */
int ob_state_init(ob_state_t *st, const char *instance_id, const char *provider, int pkce, int64_t now, int ttl_s);

/* Seals st. Returns the malloc'ed state text (caller frees) or NULL. */
char *ob_state_seal(const ob_keyring_t *kr, const ob_state_t *st);

/*
 * Opens a state text into *st. Returns CM_OK; CM_ETIMEDOUT when it is authentic but expired (st is filled,
 * so the caller knows the instance); CM_EINVAL when it is malformed, tampered with or sealed under an
 * unknown key (st is zeroed).
 */
int ob_state_open(const ob_keyring_t *kr, const char *text, int64_t now, ob_state_t *st);

/* Wipes the secrets in st (verifier, nonce). */
void ob_state_wipe(ob_state_t *st);

#endif
