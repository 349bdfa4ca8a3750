/*
 * jose_internal.h - what the three files of common/jose share: the key object and the JWS header size bound.
 */
#ifndef COMMON_JOSE_INTERNAL_H
#define COMMON_JOSE_INTERNAL_H

#include "common/jose.h"

#include <openssl/evp.h>

/* P-256 field element and scalar size: x, y and d of a JWK, r and s of an ES256 signature. */
#define JOSE_P256_LEN 32
/* RS256 keys below this many bits are refused (RFC 7518 3.3). */
#define JOSE_RSA_MIN_BITS 2048
/* Above this, RSA verification is a denial-of-service lever (a public exponent check per token) rather than a
 * security gain: no provider publishes larger keys. */
#define JOSE_RSA_MAX_BITS 8192

struct cm_jwk {
    cm_jose_alg_t alg;
    EVP_PKEY *pkey;
    char *kid;
    int priv;
};

#endif
