/*
 * signing_keys.h - the keys that sign access tokens (as_signing_keys; docs/mcp-authorization.md "Access tokens").
 *
 * The private part is stored sealed under the data key ring (purpose credentials, associated data bound to the
 * kid). At start-up the keys are loaded, and a key is created when none can sign (under a transaction advisory
 * lock, so replicas starting together create one between them). Every OB_AS_KEY_REREAD_MS the set is reread
 * asynchronously (a rotation by another replica, retirements). A key signs from not_before until retired_at and is
 * published until expires_at.
 * Loop-thread only (except ob_as_keys_start: start-up, blocking).
 */
#ifndef OB_AS_SIGNING_KEYS_H
#define OB_AS_SIGNING_KEYS_H

#include "as/as_int.h"

/* Blocking (libpq): loads the keys, creating the first one when none can sign. CM_OK or an error with one line in
 * err. */
int ob_as_keys_start(ob_as_t *as, char *err, size_t errsz);
/* Frees the loaded set. */
void ob_as_keys_clear(ob_as_t *as);
/* Starts an asynchronous reread (no-op while one is in flight). */
void ob_as_keys_reread(ob_as_t *as);

/* The key that signs at now: the newest not_before <= now that is not retired at now. Borrowed; NULL when none. */
const ob_as_key_t *ob_as_signing_key(const ob_as_t *as, int64_t now);
/* A published key by kid (expires_at not passed at now). Borrowed; NULL when unknown. */
const ob_as_key_t *ob_as_key_find(const ob_as_t *as, const char *kid, int64_t now);
/* The JWK Set of the keys published at now ({"keys": [...]}, public parts). Caller's. */
json_t *ob_as_jwks(const ob_as_t *as, int64_t now);
/* The key list of the admin API: [{kid, alg, created_at, not_before, retired_at, expires_at, signing, jwk}]. Caller's.
 */
json_t *ob_as_keys_describe(const ob_as_t *as, int64_t now);

/* status CM_OK with the new kid, or an error (kid NULL). */
typedef void (*ob_as_rotate_cb)(void *arg, int status, const char *kid);
/*
 * Creates the next key: published at once, signing from now + key_publish_ahead_s; the keys signing now retire then
 * and stay published for access_token_ttl_s more. One statement with the audit row (as_key_rotated, actor). Rereads
 * the set when done. CM_AGAIN (cb once, later) or an error (cb never called).
 */
int ob_as_keys_rotate(ob_as_t *as, const char *actor, ob_as_rotate_cb cb, void *arg);

#endif
