/*
 * cred_crypto.h - encryption of credential fields at rest (mcp_credentials *_enc + *_key_id).
 *
 * Every value is AES-256-GCM under the key ring's newest credentials sub-key, with associated data
 *   "ob-cred-v1" NUL <instance id, lowercase> NUL <field name>
 * so a ciphertext copied to another row or another column fails to open. Values travel to and from
 * PostgreSQL as bytea hex text ("\x0a1b..."), since the pool uses text parameters and results.
 */
#ifndef OB_STORE_CRED_CRYPTO_H
#define OB_STORE_CRED_CRYPTO_H

#include "keys/keyring.h"

#include <libpq-fe.h>
#include <stddef.h>

#define OB_FIELD_CLIENT_SECRET "client_secret"
#define OB_FIELD_ACCESS_TOKEN "access_token"
#define OB_FIELD_REFRESH_TOKEN "refresh_token"

/* Largest secret value accepted (bytes): provider tokens are far smaller. */
#define OB_CRED_MAX_VALUE (32u * 1024)

/*
 * Seals value for (instance_id, field). *bytea_hex is malloc'ed "\x..." text for a bytea parameter (caller
 * frees); *key_id is the primary key's id (borrowed from kr). CM_OK, CM_EINVAL (bad arguments / too large),
 * CM_ENOMEM or CM_ERR.
 */
int ob_cred_seal(const ob_keyring_t *kr, const char *instance_id, const char *field, const char *value, size_t len,
                 char **bytea_hex, const char **key_id);

/*
 * Opens a bytea hex text sealed for (instance_id, field) under key_id. *out is malloc'ed and NUL-terminated;
 * the caller frees it with cm_secure_free(*out, *outlen). CM_OK, CM_ENOTFOUND (key id not in the ring) or
 * CM_EINVAL (malformed, or authentication failed: tampered, moved to another row/field, wrong key).
 */
int ob_cred_open(const ob_keyring_t *kr, const char *instance_id, const char *field, const char *key_id,
                 const char *bytea_hex, char **out, size_t *outlen);

/*
 * Opens the sealed value in column col of res's first row, whose key id is in column col + 1. malloc'ed and
 * NUL-terminated (free with cm_secure_free(p, 0)), or NULL when either column is NULL or it does not open (logged:
 * a value that does not open means a missing key or a tampered row).
 */
char *ob_cred_open_column(const ob_keyring_t *kr, const char *instance_id, const char *field, const PGresult *res,
                          int col);

/* Decodes PostgreSQL bytea hex output ("\x...") into malloc'ed bytes. NULL on malformed input. */
unsigned char *ob_bytea_decode(const char *text, size_t *outlen);
/* Encodes bytes as bytea hex input ("\x..."). malloc'ed; NULL on failure. */
char *ob_bytea_encode(const unsigned char *in, size_t len);

#endif
