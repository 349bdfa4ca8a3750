/*
 * keyring.h - the data encryption key ring: several AES-256 keys, each with an id.
 *
 * The newest key (the LAST entry of the file) encrypts; every key decrypts, so keys can be rotated
 * without an outage: append a new key, restart, run `oauth-service rotate-keys`, and only then
 * remove the old one. Raw keys are never used directly: each purpose gets its own sub-key,
 * HKDF-SHA256(key, info = purpose label), so no key does two jobs.
 *
 * Text format (file, mode 0600, or the OB_DATA_KEYS environment variable):
 *   # comment
 *   <key id> <64 hex chars>          key id: [A-Za-z0-9._-]{1,64}; separator: spaces, tab or ':'
 * Entries are separated by newlines, ',' or ';'.
 *
 * Immutable after loading; safe to read from any thread.
 */
#ifndef OB_KEYS_KEYRING_H
#define OB_KEYS_KEYRING_H

#include <stddef.h>
#include <stdint.h>

#define OB_KEY_ID_MAX 64
#define OB_KEYRING_MAX 32

/* Purposes (each has its own HKDF label, see keyring.c). */
enum ob_key_purpose {
    OB_KEY_CREDENTIALS = 0, /* AES-256-GCM of client secrets and tokens at rest */
    OB_KEY_STATE = 1,       /* AES-256-GCM of the OAuth state blob */
    OB_KEY_PURPOSES
};

typedef struct ob_keyring ob_keyring_t;

/* Parses text. Returns CM_OK and *out (caller frees with ob_keyring_free) or CM_EINVAL with one line in err
 * (which names the entry number, never key material). */
int ob_keyring_parse(const char *text, size_t len, ob_keyring_t **out, char *err, size_t errsz);
/* Reads a key file (ob_keyfile_read rules: mode 0600) and parses it. Same ownership as ob_keyring_parse. */
int ob_keyring_load_file(const char *path, ob_keyring_t **out, char *err, size_t errsz);
/* Wipes and frees. NULL is fine. */
void ob_keyring_free(ob_keyring_t *kr);

size_t ob_keyring_count(const ob_keyring_t *kr);
/* The id of the newest key (the one that encrypts). Borrowed from kr. */
const char *ob_keyring_primary(const ob_keyring_t *kr);
/* The id of entry i (0 = oldest). Borrowed from kr; NULL when out of range. */
const char *ob_keyring_id_at(const ob_keyring_t *kr, size_t i);
/* The purpose sub-key of key `id` (32 bytes, borrowed from kr), or NULL when the id is unknown. */
const uint8_t *ob_keyring_subkey(const ob_keyring_t *kr, const char *id, int purpose);

/*
 * Seals pt under the primary key's purpose sub-key (AES-256-GCM, random IV, cm_aead_seal layout).
 * *out is malloc'ed (caller frees); *key_id points to the primary key's id (borrowed from kr).
 */
int ob_keyring_seal(const ob_keyring_t *kr, int purpose, const void *aad, size_t aadlen, const void *pt, size_t len,
                    uint8_t **out, size_t *outlen, const char **key_id);
/* Opens a value sealed under key_id. CM_ENOTFOUND for an unknown key id, CM_EINVAL when authentication fails.
 * *out is malloc'ed with a trailing NUL; the caller frees it with cm_secure_free(*out, *outlen). */
int ob_keyring_open(const ob_keyring_t *kr, int purpose, const char *key_id, const void *aad, size_t aadlen,
                    const uint8_t *in, size_t inlen, uint8_t **out, size_t *outlen);

/* Writes a fresh key line "<id> <64 hex>\n" into out (outsz >= OB_KEY_ID_MAX + 67); id is "k" + UTC time +
 * 4 random hex chars when NULL. Returns CM_OK or CM_EINVAL. */
int ob_keyring_new_line(const char *id, char *out, size_t outsz);

#endif
