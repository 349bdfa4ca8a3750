/*
 * jose.h - JSON Web Signatures, Keys and Tokens (RFC 7515, 7517, 7518, 7519), the subset both sides of the MCP
 * authorization speak: the broker signs access tokens (RFC 9068) and publishes its keys as a JWK Set; the MCP
 * runtime verifies them; the provider support library verifies upstream ID tokens against a provider's JWKS.
 *
 * Algorithms: ES256 (P-256, signature = raw r||s, 64 bytes, RFC 7518 3.4) signs and verifies; RS256 (RSA >= 2048
 * bits, PKCS#1 v1.5) only verifies (upstream ID tokens, RFC 9068's mandatory algorithm). "none", HS* and every other
 * algorithm are refused by verification whatever the header says: the caller's allow-list can only narrow this.
 *
 * Ownership: every cm_jwk_t is the caller's (cm_jwk_free); returned strings and json_t are the caller's; inputs are
 * borrowed. Thread-safe (no shared state).
 */
#ifndef COMMON_JOSE_H
#define COMMON_JOSE_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

typedef struct cm_jwk cm_jwk_t;

typedef enum cm_jose_alg {
    CM_JOSE_ALG_NONE = 0, /* unknown or refused */
    CM_JOSE_ES256 = 1 << 0,
    CM_JOSE_RS256 = 1 << 1,
} cm_jose_alg_t;

/* "ES256" -> CM_JOSE_ES256 ...; anything else (including "none") -> CM_JOSE_ALG_NONE. */
cm_jose_alg_t cm_jose_alg_parse(const char *name);
/* The JOSE name of alg ("ES256", "RS256"), or NULL. */
const char *cm_jose_alg_name(cm_jose_alg_t alg);

/* A fresh ES256 (P-256) private key with key id kid (copied; NULL = the RFC 7638 thumbprint). CM_OK / CM_ENOMEM. */
int cm_jwk_generate_es256(const char *kid, cm_jwk_t **out);
/* Imports a JWK object (RFC 7517): kty EC (crv P-256, x, y[, d]) or RSA (n, e); "use" other than "sig" and "alg"
 * other than the key type's algorithm are refused. CM_OK, CM_EINVAL (malformed or unsupported). */
int cm_jwk_import(const json_t *jwk, cm_jwk_t **out);
/* Exports the key as a JWK object with kid, kty, alg, use "sig"; the private part ("d") only when private_too. */
json_t *cm_jwk_export(const cm_jwk_t *k, int private_too);
/* The PKCS#8 DER of a private key (for storage, sealed by the caller) and back. *der is the caller's (free). */
int cm_jwk_private_der(const cm_jwk_t *k, uint8_t **der, size_t *len);
int cm_jwk_from_private_der(const char *kid, const uint8_t *der, size_t len, cm_jwk_t **out);
const char *cm_jwk_kid(const cm_jwk_t *k);
cm_jose_alg_t cm_jwk_alg(const cm_jwk_t *k);
int cm_jwk_has_private(const cm_jwk_t *k);
void cm_jwk_free(cm_jwk_t *k);

/* A JWK Set: {"keys": [...]} -> keys (kid required on each; keys the module does not support are skipped, not an
 * error). *keys is an array of *n keys, the caller's (cm_jwks_free). CM_OK, CM_EINVAL (not a JWK Set). */
int cm_jwks_parse(const json_t *jwks, cm_jwk_t ***keys, size_t *n);
void cm_jwks_free(cm_jwk_t **keys, size_t n);

/*
 * Signs a compact JWS: header {"alg", "kid", "typ": typ (NULL = omitted)} and payload = the compact JSON of claims.
 * k must hold a private ES256 key. *out is the caller's. CM_OK, CM_EINVAL, CM_ENOMEM.
 */
int cm_jws_sign(const cm_jwk_t *k, const char *typ, const json_t *claims, char **out);

/* A compact JWS split and decoded, before any signature check. Caller owns (cm_jws_parsed_free). */
typedef struct cm_jws_parsed {
    json_t *header;
    json_t *payload;     /* NULL when the payload is not a JSON object */
    const char *alg;     /* borrowed from header */
    const char *kid;     /* borrowed from header, NULL when absent */
    const char *typ;     /* borrowed from header, NULL when absent */
    char *signing_input; /* "<b64 header>.<b64 payload>" */
    uint8_t *sig;
    size_t sig_len;
} cm_jws_parsed_t;

/* Splits and decodes; refuses more or fewer than 3 parts, non-base64url, a header that is not an object or has no
 * alg, "crit" (no extension is understood), input over 16 KiB. CM_OK, CM_EINVAL. */
int cm_jws_parse(const char *compact, size_t len, cm_jws_parsed_t *out);
void cm_jws_parsed_free(cm_jws_parsed_t *p);

/* Checks p's signature with k: the header alg must be in allowed (a mask of cm_jose_alg_t) and equal k's algorithm,
 * and the kid, when both have one, must match. CM_OK, CM_EPERM (bad signature, alg not allowed or mismatched). */
int cm_jws_verify(const cm_jws_parsed_t *p, const cm_jwk_t *k, unsigned allowed);

/* What a JWT's claims must satisfy (RFC 7519 4.1, RFC 9068 4). NULL / 0 members are not checked. */
typedef struct cm_jwt_expect {
    const char *iss;   /* exact */
    const char *aud;   /* must equal "aud" or be an element of it */
    const char *typ;   /* header typ, compared case-insensitively, "application/" prefix allowed */
    int64_t now;       /* unix s */
    int64_t leeway_s;  /* applied to exp, nbf and iat */
    int require_exp;   /* exp required */
    int64_t max_age_s; /* iat required and not older than this (0 = not checked) */
} cm_jwt_expect_t;

typedef enum cm_jwt_fail {
    CM_JWT_OK = 0,
    CM_JWT_MALFORMED,
    CM_JWT_BAD_ALG,
    CM_JWT_BAD_SIGNATURE,
    CM_JWT_UNKNOWN_KID,
    CM_JWT_BAD_TYP,
    CM_JWT_BAD_ISS,
    CM_JWT_BAD_AUD,
    CM_JWT_EXPIRED,
    CM_JWT_NOT_YET_VALID,
    CM_JWT_TOO_OLD,
} cm_jwt_fail_t;

/* Checks the claims of a parsed, signature-verified JWT. Returns CM_JWT_OK or the first failure. */
cm_jwt_fail_t cm_jwt_check_claims(const cm_jws_parsed_t *p, const cm_jwt_expect_t *e);
/* A static English name of a failure ("expired", "bad audience", ...) for logs and error descriptions. */
const char *cm_jwt_fail_str(cm_jwt_fail_t f);

#endif
