/*
 * jose_jwk.c - JSON Web Keys (RFC 7517, 7518 6) on OpenSSL 3 EVP keys: ES256 (P-256) and RS256 (RSA) only; the
 * RFC 7638 thumbprint as the default kid; PKCS#8 DER for storing a private key; JWK Sets.
 */
#include "jose_internal.h"

#include "common/crypto.h"
#include "common/status.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/param_build.h>
#include <openssl/x509.h>

/* A JWK Set with more keys than this is cut: no provider rotates through more, and each key costs an import. */
#define JOSE_JWKS_MAX_KEYS 64
/* A kid longer than this is refused: kids are short labels, and they end up in headers and logs. */
#define JOSE_KID_MAX 256

cm_jose_alg_t cm_jose_alg_parse(const char *name)
{
    if (name == NULL)
        return CM_JOSE_ALG_NONE;
    if (strcmp(name, "ES256") == 0)
        return CM_JOSE_ES256;
    if (strcmp(name, "RS256") == 0)
        return CM_JOSE_RS256;
    return CM_JOSE_ALG_NONE;
}

const char *cm_jose_alg_name(cm_jose_alg_t alg)
{
    switch (alg) {
    case CM_JOSE_ES256:
        return "ES256";
    case CM_JOSE_RS256:
        return "RS256";
    default:
        return NULL;
    }
}

/* The base64url member name of jwk, decoded. want = exact decoded length (0 = any non-empty). NULL when absent,
 * not a string or malformed; *len its length. The caller frees (cm_secure_free for private parts). */
static uint8_t *b64_member(const json_t *jwk, const char *name, size_t want, size_t *len)
{
    const json_t *v = json_object_get(jwk, name);
    if (!json_is_string(v))
        return NULL;
    const char *s = json_string_value(v);
    size_t slen = json_string_length(v);
    if (slen == 0 || memchr(s, '=', slen) != NULL) /* RFC 7515 2: base64url without padding */
        return NULL;
    size_t n = 0;
    uint8_t *b = cm_b64url_decode(s, slen, &n);
    if (b == NULL)
        return NULL;
    if (n == 0 || (want != 0 && n != want)) {
        cm_secure_free(b, n);
        return NULL;
    }
    *len = n;
    return b;
}

/* An EC P-256 key from its coordinates (and d, NULL for a public key); the point must be on the curve and d must
 * match it. CM_OK / CM_EINVAL. */
static int ec_pkey_from(const uint8_t *x, const uint8_t *y, const uint8_t *d, EVP_PKEY **out)
{
    int rc = CM_EINVAL;
    uint8_t point[1 + 2 * JOSE_P256_LEN];
    point[0] = 0x04; /* uncompressed (SEC 1 2.3.3) */
    memcpy(point + 1, x, JOSE_P256_LEN);
    memcpy(point + 1 + JOSE_P256_LEN, y, JOSE_P256_LEN);
    BIGNUM *dbn = NULL;
    OSSL_PARAM *params = NULL;
    EVP_PKEY_CTX *ctx = NULL;
    EVP_PKEY_CTX *check = NULL;
    EVP_PKEY *pkey = NULL;
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    if (bld == NULL)
        return CM_ENOMEM;
    if (OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) != 1 ||
        OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, point, sizeof(point)) != 1)
        goto out_free_bld;
    if (d != NULL) {
        dbn = BN_secure_new();
        if (dbn == NULL || BN_bin2bn(d, JOSE_P256_LEN, dbn) == NULL ||
            OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, dbn) != 1)
            goto out_free_bld;
    }
    params = OSSL_PARAM_BLD_to_param(bld);
    ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
    if (params == NULL || ctx == NULL || EVP_PKEY_fromdata_init(ctx) != 1 ||
        EVP_PKEY_fromdata(ctx, &pkey, d != NULL ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY, params) != 1)
        goto out_free_params;
    check = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL);
    if (check == NULL || EVP_PKEY_public_check(check) != 1 || (d != NULL && EVP_PKEY_pairwise_check(check) != 1)) {
        EVP_PKEY_free(pkey);
        goto out_free_check;
    }
    *out = pkey;
    rc = CM_OK;
out_free_check:
    EVP_PKEY_CTX_free(check);
out_free_params:
    EVP_PKEY_CTX_free(ctx);
    OSSL_PARAM_free(params);
out_free_bld:
    OSSL_PARAM_BLD_free(bld);
    BN_clear_free(dbn);
    return rc;
}

/* An RSA public key from n and e (big-endian), JOSE_RSA_MIN_BITS..JOSE_RSA_MAX_BITS, odd e > 1. */
static int rsa_pkey_from(const uint8_t *n, size_t nlen, const uint8_t *e, size_t elen, EVP_PKEY **out)
{
    int rc = CM_EINVAL;
    if (nlen > INT_MAX || elen > 8)
        return CM_EINVAL;
    BIGNUM *nbn = BN_bin2bn(n, (int)nlen, NULL);
    BIGNUM *ebn = BN_bin2bn(e, (int)elen, NULL);
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    OSSL_PARAM *params = NULL;
    EVP_PKEY_CTX *ctx = NULL;
    if (nbn == NULL || ebn == NULL || bld == NULL) {
        rc = CM_ENOMEM;
        goto out_free_bn;
    }
    int bits = BN_num_bits(nbn);
    if (bits < JOSE_RSA_MIN_BITS || bits > JOSE_RSA_MAX_BITS || !BN_is_odd(nbn) || !BN_is_odd(ebn) || BN_is_one(ebn))
        goto out_free_bn;
    if (OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, nbn) != 1 ||
        OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, ebn) != 1)
        goto out_free_bn;
    params = OSSL_PARAM_BLD_to_param(bld);
    ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
    if (params != NULL && ctx != NULL && EVP_PKEY_fromdata_init(ctx) == 1 &&
        EVP_PKEY_fromdata(ctx, out, EVP_PKEY_PUBLIC_KEY, params) == 1)
        rc = CM_OK;
    EVP_PKEY_CTX_free(ctx);
    OSSL_PARAM_free(params);
out_free_bn:
    OSSL_PARAM_BLD_free(bld);
    BN_free(nbn);
    BN_free(ebn);
    return rc;
}

/* The big-endian bytes of a BIGNUM parameter of pkey: exactly pad bytes when pad > 0, else its minimal length.
 * base64url, malloc'ed; NULL on failure. */
static char *bn_param_b64(const EVP_PKEY *pkey, const char *name, int pad)
{
    BIGNUM *bn = NULL;
    char *s = NULL;
    if (EVP_PKEY_get_bn_param(pkey, name, &bn) != 1)
        return NULL;
    int n = pad > 0 ? pad : BN_num_bytes(bn);
    uint8_t *buf = n > 0 ? malloc((size_t)n) : NULL;
    if (buf != NULL && BN_bn2binpad(bn, buf, n) == n)
        s = cm_b64url_encode(buf, (size_t)n);
    if (buf != NULL)
        cm_secure_free(buf, (size_t)n);
    BN_clear_free(bn);
    return s;
}

/* The public members of k in the order RFC 7638 3.2 sorts them: EC: x, y; RSA: n, e. Both malloc'ed. */
static int public_members(const cm_jwk_t *k, char **a, char **b)
{
    if (k->alg == CM_JOSE_ES256) {
        *a = bn_param_b64(k->pkey, OSSL_PKEY_PARAM_EC_PUB_X, JOSE_P256_LEN);
        *b = bn_param_b64(k->pkey, OSSL_PKEY_PARAM_EC_PUB_Y, JOSE_P256_LEN);
    } else {
        *a = bn_param_b64(k->pkey, OSSL_PKEY_PARAM_RSA_N, 0);
        *b = bn_param_b64(k->pkey, OSSL_PKEY_PARAM_RSA_E, 0);
    }
    if (*a != NULL && *b != NULL)
        return CM_OK;
    free(*a);
    free(*b);
    *a = *b = NULL;
    return CM_ENOMEM;
}

/* RFC 7638: base64url(SHA-256(the required members, sorted, no whitespace)). malloc'ed, NULL on failure. */
static char *thumbprint(const cm_jwk_t *k)
{
    char *a = NULL, *b = NULL;
    if (public_members(k, &a, &b) != CM_OK)
        return NULL;
    char *canon = NULL;
    size_t cap = strlen(a) + strlen(b) + 64;
    char *thumb = NULL;
    canon = malloc(cap);
    if (canon == NULL)
        goto out_free_members;
    int n = k->alg == CM_JOSE_ES256
                ? snprintf(canon, cap, "{\"crv\":\"P-256\",\"kty\":\"EC\",\"x\":\"%s\",\"y\":\"%s\"}", a, b)
                : snprintf(canon, cap, "{\"e\":\"%s\",\"kty\":\"RSA\",\"n\":\"%s\"}", b, a);
    if (n > 0 && (size_t)n < cap) {
        uint8_t md[CM_SHA256_LEN];
        cm_sha256(canon, (size_t)n, md);
        thumb = cm_b64url_encode(md, sizeof(md));
    }
    free(canon);
out_free_members:
    free(a);
    free(b);
    return thumb;
}

/* Wraps pkey (taken over, freed on failure) in a key with kid (copied; NULL = the thumbprint). */
static int key_new(cm_jose_alg_t alg, EVP_PKEY *pkey, int priv, const char *kid, cm_jwk_t **out)
{
    cm_jwk_t *k = calloc(1, sizeof(*k));
    if (k == NULL) {
        EVP_PKEY_free(pkey);
        return CM_ENOMEM;
    }
    k->alg = alg;
    k->pkey = pkey;
    k->priv = priv;
    k->kid = kid != NULL ? strdup(kid) : thumbprint(k);
    if (k->kid == NULL) {
        cm_jwk_free(k);
        return CM_ENOMEM;
    }
    *out = k;
    return CM_OK;
}

int cm_jwk_generate_es256(const char *kid, cm_jwk_t **out)
{
    if (out == NULL)
        return CM_EINVAL;
    *out = NULL;
    EVP_PKEY *pkey = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    if (pkey == NULL)
        return CM_ENOMEM;
    return key_new(CM_JOSE_ES256, pkey, 1, kid, out);
}

static int import_ec(const json_t *jwk, EVP_PKEY **pkey, int *priv)
{
    int rc = CM_EINVAL;
    size_t xl = 0, yl = 0, dl = 0;
    if (!json_is_string(json_object_get(jwk, "crv")) ||
        strcmp(json_string_value(json_object_get(jwk, "crv")), "P-256") != 0)
        return CM_EINVAL;
    uint8_t *x = b64_member(jwk, "x", JOSE_P256_LEN, &xl);
    uint8_t *y = b64_member(jwk, "y", JOSE_P256_LEN, &yl);
    uint8_t *d = NULL;
    if (json_object_get(jwk, "d") != NULL) {
        d = b64_member(jwk, "d", JOSE_P256_LEN, &dl);
        if (d == NULL)
            goto out_free;
    }
    if (x != NULL && y != NULL)
        rc = ec_pkey_from(x, y, d, pkey);
    *priv = d != NULL;
out_free:
    free(x);
    free(y);
    cm_secure_free(d, dl);
    return rc;
}

/* Private RSA members are ignored: RSA keys only ever verify here. */
static int import_rsa(const json_t *jwk, EVP_PKEY **pkey)
{
    size_t nl = 0, el = 0;
    uint8_t *n = b64_member(jwk, "n", 0, &nl);
    uint8_t *e = b64_member(jwk, "e", 0, &el);
    int rc = n != NULL && e != NULL ? rsa_pkey_from(n, nl, e, el, pkey) : CM_EINVAL;
    free(n);
    free(e);
    return rc;
}

int cm_jwk_import(const json_t *jwk, cm_jwk_t **out)
{
    if (out == NULL)
        return CM_EINVAL;
    *out = NULL;
    if (!json_is_object(jwk))
        return CM_EINVAL;
    const json_t *kty = json_object_get(jwk, "kty");
    const json_t *use = json_object_get(jwk, "use");
    const json_t *alg = json_object_get(jwk, "alg");
    const json_t *kid = json_object_get(jwk, "kid");
    if (!json_is_string(kty) || (use != NULL && (!json_is_string(use) || strcmp(json_string_value(use), "sig") != 0)))
        return CM_EINVAL;
    if (kid != NULL &&
        (!json_is_string(kid) || json_string_length(kid) == 0 || json_string_length(kid) > JOSE_KID_MAX ||
         strlen(json_string_value(kid)) != json_string_length(kid)))
        return CM_EINVAL;
    cm_jose_alg_t a;
    if (strcmp(json_string_value(kty), "EC") == 0)
        a = CM_JOSE_ES256;
    else if (strcmp(json_string_value(kty), "RSA") == 0)
        a = CM_JOSE_RS256;
    else
        return CM_EINVAL;
    if (alg != NULL && (!json_is_string(alg) || cm_jose_alg_parse(json_string_value(alg)) != a))
        return CM_EINVAL;
    EVP_PKEY *pkey = NULL;
    int priv = 0;
    int rc = a == CM_JOSE_ES256 ? import_ec(jwk, &pkey, &priv) : import_rsa(jwk, &pkey);
    if (rc != CM_OK)
        return rc;
    return key_new(a, pkey, priv, kid != NULL ? json_string_value(kid) : NULL, out);
}

json_t *cm_jwk_export(const cm_jwk_t *k, int private_too)
{
    if (k == NULL)
        return NULL;
    char *a = NULL, *b = NULL, *d = NULL;
    if (public_members(k, &a, &b) != CM_OK)
        return NULL;
    json_t *o = NULL;
    if (private_too && k->priv) {
        d = bn_param_b64(k->pkey, OSSL_PKEY_PARAM_PRIV_KEY, JOSE_P256_LEN);
        if (d == NULL)
            goto out_free;
    }
    if (k->alg == CM_JOSE_ES256)
        o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "kid", k->kid, "kty", "EC", "alg", "ES256", "use", "sig",
                      "crv", "P-256", "x", a, "y", b);
    else
        o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "kid", k->kid, "kty", "RSA", "alg", "RS256", "use", "sig", "n",
                      a, "e", b);
    if (o != NULL && d != NULL && json_object_set_new(o, "d", json_string(d)) != 0) {
        json_decref(o);
        o = NULL;
    }
out_free:
    free(a);
    free(b);
    if (d != NULL)
        cm_secure_free(d, 0);
    return o;
}

int cm_jwk_private_der(const cm_jwk_t *k, uint8_t **der, size_t *len)
{
    if (k == NULL || der == NULL || len == NULL || !k->priv)
        return CM_EINVAL;
    *der = NULL;
    *len = 0;
    int rc = CM_ENOMEM;
    PKCS8_PRIV_KEY_INFO *p8 = EVP_PKEY2PKCS8(k->pkey);
    if (p8 == NULL)
        return CM_ENOMEM;
    int n = i2d_PKCS8_PRIV_KEY_INFO(p8, NULL);
    uint8_t *buf = n > 0 ? malloc((size_t)n) : NULL;
    if (buf == NULL)
        goto out_free_p8;
    uint8_t *p = buf;
    if (i2d_PKCS8_PRIV_KEY_INFO(p8, &p) != n) {
        cm_secure_free(buf, (size_t)n);
        goto out_free_p8;
    }
    *der = buf;
    *len = (size_t)n;
    rc = CM_OK;
out_free_p8:
    PKCS8_PRIV_KEY_INFO_free(p8);
    return rc;
}

/* 1 when pkey is an EC key on P-256. */
static int is_p256(const EVP_PKEY *pkey)
{
    char group[64];
    size_t glen = 0;
    return EVP_PKEY_is_a(pkey, "EC") &&
           EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group), &glen) == 1 &&
           strcmp(group, "prime256v1") == 0;
}

int cm_jwk_from_private_der(const char *kid, const uint8_t *der, size_t len, cm_jwk_t **out)
{
    if (out == NULL)
        return CM_EINVAL;
    *out = NULL;
    if (der == NULL || len == 0 || len > LONG_MAX)
        return CM_EINVAL;
    const unsigned char *p = der;
    PKCS8_PRIV_KEY_INFO *p8 = d2i_PKCS8_PRIV_KEY_INFO(NULL, &p, (long)len);
    if (p8 == NULL)
        return CM_EINVAL;
    int rc = CM_EINVAL;
    if (p != der + len) /* trailing bytes: not one DER structure */
        goto out_free_p8;
    EVP_PKEY *pkey = EVP_PKCS82PKEY(p8);
    if (pkey == NULL)
        goto out_free_p8;
    if (!is_p256(pkey)) {
        EVP_PKEY_free(pkey);
        goto out_free_p8;
    }
    rc = key_new(CM_JOSE_ES256, pkey, 1, kid, out);
out_free_p8:
    PKCS8_PRIV_KEY_INFO_free(p8);
    return rc;
}

const char *cm_jwk_kid(const cm_jwk_t *k)
{
    return k != NULL ? k->kid : NULL;
}

cm_jose_alg_t cm_jwk_alg(const cm_jwk_t *k)
{
    return k != NULL ? k->alg : CM_JOSE_ALG_NONE;
}

int cm_jwk_has_private(const cm_jwk_t *k)
{
    return k != NULL && k->priv;
}

void cm_jwk_free(cm_jwk_t *k)
{
    if (k == NULL)
        return;
    EVP_PKEY_free(k->pkey);
    free(k->kid);
    free(k);
}

int cm_jwks_parse(const json_t *jwks, cm_jwk_t ***keys, size_t *n)
{
    if (keys == NULL || n == NULL)
        return CM_EINVAL;
    *keys = NULL;
    *n = 0;
    const json_t *arr = json_is_object(jwks) ? json_object_get(jwks, "keys") : NULL;
    if (!json_is_array(arr))
        return CM_EINVAL;
    size_t cap = json_array_size(arr) < JOSE_JWKS_MAX_KEYS ? json_array_size(arr) : JOSE_JWKS_MAX_KEYS;
    cm_jwk_t **out = calloc(cap > 0 ? cap : 1, sizeof(*out));
    if (out == NULL)
        return CM_ENOMEM;
    size_t got = 0;
    for (size_t i = 0; i < cap; i++) {
        const json_t *jwk = json_array_get(arr, i);
        if (!json_is_string(json_object_get(jwk, "kid"))) /* a set's keys are found by kid */
            continue;
        cm_jwk_t *k = NULL;
        if (cm_jwk_import(jwk, &k) == CM_OK)
            out[got++] = k;
    }
    *keys = out;
    *n = got;
    return CM_OK;
}

void cm_jwks_free(cm_jwk_t **keys, size_t n)
{
    if (keys == NULL)
        return;
    for (size_t i = 0; i < n; i++)
        cm_jwk_free(keys[i]);
    free(keys);
}
