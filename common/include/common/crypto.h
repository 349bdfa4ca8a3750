/*
 * crypto.h - the few cryptographic primitives the project uses, all from OpenSSL 3.
 *
 * Nothing here allocates unless it says so; buffers are caller-owned. Functions that allocate
 * return memory the caller frees with free() (or cm_secure_free() for secrets).
 */
#ifndef COMMON_CRYPTO_H
#define COMMON_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

#define CM_SHA256_LEN 32
#define CM_AES_KEY_LEN 32
#define CM_GCM_IV_LEN 12
#define CM_GCM_TAG_LEN 16

/* Fills buf with CSPRNG bytes (RAND_bytes). Returns CM_OK, CM_ERR, or CM_EINVAL for a NULL buf. */
int cm_random_bytes(void *buf, size_t len);
/* Same contract as cm_random_bytes, for small draws on hot paths: served from a per-thread pool of CSPRNG output,
 * each byte handed out once, dropped after fork. CM_EINVAL for a NULL out. */
int cm_random_pooled(void *out, size_t n);
/* Writes 2*nbytes lowercase hex chars + NUL of fresh random bytes into out (outsz >= 2*nbytes+1, else CM_EINVAL). */
int cm_random_hex(char *out, size_t outsz, size_t nbytes);
/* Random token: nbytes (> 0) random bytes, base64url without padding, malloc'ed. NULL on failure. */
char *cm_random_token(size_t nbytes);
/* RFC 4122 version 4 UUID, lowercase, into out (outsz >= 37, else CM_EINVAL). Returns CM_OK or an error. */
int cm_uuid_v4(char *out, size_t outsz);
/* 1 when s is a canonical UUID (8-4-4-4-12 hex, any case, any version), else 0. NULL gives 0. */
int cm_uuid_valid(const char *s);

/* Constant-time equality of two byte strings (different lengths compare unequal, still in time of the shorter). */
int cm_ct_equal(const void *a, size_t alen, const void *b, size_t blen);
/* Constant-time equality of two NUL-terminated strings; NULL equals nothing. */
int cm_ct_streq(const char *a, const char *b);

void cm_sha256(const void *data, size_t len, uint8_t out[CM_SHA256_LEN]);
/* SHA-256 as 64 lowercase hex chars + NUL (outsz >= 65, else out is set to ""). */
void cm_sha256_hex(const void *data, size_t len, char *out, size_t outsz);
/* HMAC-SHA256 (RFC 2104); an empty key is allowed. Returns CM_OK, CM_EINVAL or CM_ERR. */
int cm_hmac_sha256(const void *key, size_t keylen, const void *data, size_t len, uint8_t out[CM_SHA256_LEN]);
/* Lowercase hex + NUL into out (outsz >= 2*len+1, else out is set to ""). */
void cm_hex_encode(const uint8_t *in, size_t len, char *out, size_t outsz);
/* The value 0..15 of one hex digit (any case), or -1 when c is not one. The project's only hex digit decoder. */
int cm_hex_digit(int c);
/* Decodes NUL-terminated hex (even length, any case); returns CM_OK and *outlen, or CM_EINVAL (also when out is too
 * small). outlen may be NULL. */
int cm_hex_decode(const char *in, uint8_t *out, size_t outsz, size_t *outlen);
/* HKDF-SHA256 (RFC 5869) into out[outlen]. salt may be NULL/0 (HashLen zeros), info NULL or a C string. Returns CM_OK,
 * or CM_EINVAL for an empty ikm or outlen 0 or > 255*32. */
int cm_hkdf_sha256(const void *ikm, size_t ikmlen, const void *salt, size_t saltlen, const char *info, uint8_t *out,
                   size_t outlen);

/*
 * Base64 decoders are strict: only alphabet characters, '=' only as complete trailing padding, and unused trailing
 * bits must be zero. outlen may be NULL.
 */
/* Base64url without padding (RFC 4648 section 5). Returns a malloc'ed NUL-terminated string or NULL. */
char *cm_b64url_encode(const void *in, size_t len);
/* Decodes base64url (padding optional). Returns malloc'ed bytes (+NUL), *outlen; NULL on bad input. */
uint8_t *cm_b64url_decode(const char *in, size_t inlen, size_t *outlen);
/* Standard base64 with padding. malloc'ed, NULL on failure. */
char *cm_b64_encode(const void *in, size_t len);
/* Decodes standard base64 (padding required). Returns malloc'ed bytes (+NUL), *outlen; NULL on bad input. */
uint8_t *cm_b64_decode(const char *in, size_t inlen, size_t *outlen);

/*
 * AES-256-GCM with a random 96-bit IV. Output layout: iv(12) || ciphertext(len) || tag(16).
 * *out is malloc'ed (caller frees); *outlen = len + 28. aad may be NULL/0. Returns CM_OK, CM_EINVAL, CM_ENOMEM or
 * CM_ERR; *out is NULL on failure.
 */
int cm_aead_seal(const uint8_t key[CM_AES_KEY_LEN], const void *aad, size_t aadlen, const void *pt, size_t len,
                 uint8_t **out, size_t *outlen);
/* Inverse of cm_aead_seal. Returns CM_OK, or CM_EINVAL when the input is malformed or fails authentication. *out is
 * malloc'ed with a trailing NUL (not counted in *outlen); free it with cm_secure_free. *out is NULL on failure. */
int cm_aead_open(const uint8_t key[CM_AES_KEY_LEN], const void *aad, size_t aadlen, const uint8_t *in, size_t inlen,
                 uint8_t **out, size_t *outlen);

/* PKCE (RFC 7636): a 43..128 char verifier and its S256 challenge (base64url(sha256(verifier))). */
char *cm_pkce_verifier(void);                       /* malloc'ed, 64 chars */
char *cm_pkce_challenge_s256(const char *verifier); /* malloc'ed; NULL unless verifier is 43..128 [A-Za-z0-9-._~] */

/* Wipes and frees. NULL is fine. len may be 0 for NUL-terminated strings (strlen is used). */
void cm_secure_free(void *p, size_t len);
void cm_wipe(void *p, size_t len);

#endif
