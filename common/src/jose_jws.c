/*
 * jose_jws.c - JWS compact serialization (RFC 7515 7.1): signing with ES256, parsing hostile input, verifying ES256
 * and RS256. ES256 signatures are the fixed-size r||s of RFC 7518 3.4; OpenSSL speaks DER ECDSA-Sig-Value, so both
 * directions convert.
 */
#include "jose_internal.h"

#include "common/crypto.h"
#include "common/status.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/ec.h>

/* Bigger tokens are refused before any decoding: access tokens and ID tokens are a few KiB at most. */
#define JOSE_JWS_MAX 16384

/* r||s (64 bytes) -> DER ECDSA-Sig-Value. *der is OPENSSL_malloc'ed. CM_OK / CM_EINVAL / CM_ENOMEM. */
static int raw_to_der(const uint8_t *raw, uint8_t **der, int *der_len)
{
    ECDSA_SIG *sig = ECDSA_SIG_new();
    BIGNUM *r = BN_bin2bn(raw, JOSE_P256_LEN, NULL);
    BIGNUM *s = BN_bin2bn(raw + JOSE_P256_LEN, JOSE_P256_LEN, NULL);
    if (sig == NULL || r == NULL || s == NULL || ECDSA_SIG_set0(sig, r, s) != 1) {
        ECDSA_SIG_free(sig);
        BN_free(r);
        BN_free(s);
        return CM_ENOMEM;
    }
    *der = NULL;
    *der_len = i2d_ECDSA_SIG(sig, der);
    ECDSA_SIG_free(sig); /* frees r and s */
    return *der_len > 0 ? CM_OK : CM_ENOMEM;
}

/* DER ECDSA-Sig-Value -> r||s (64 bytes). */
static int der_to_raw(const uint8_t *der, size_t len, uint8_t *raw)
{
    const unsigned char *p = der;
    ECDSA_SIG *sig = d2i_ECDSA_SIG(NULL, &p, (long)len);
    if (sig == NULL)
        return CM_EINVAL;
    const BIGNUM *r = NULL, *s = NULL;
    ECDSA_SIG_get0(sig, &r, &s);
    int ok = BN_bn2binpad(r, raw, JOSE_P256_LEN) == JOSE_P256_LEN &&
             BN_bn2binpad(s, raw + JOSE_P256_LEN, JOSE_P256_LEN) == JOSE_P256_LEN;
    ECDSA_SIG_free(sig);
    return ok ? CM_OK : CM_EINVAL;
}

/* SHA-256 signature of data with k's private key, as r||s. */
static int es256_sign(const cm_jwk_t *k, const char *data, size_t len, uint8_t *raw)
{
    int rc = CM_ENOMEM;
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    uint8_t der[80]; /* a P-256 DER signature is at most 72 bytes */
    size_t der_len = sizeof(der);
    if (md == NULL)
        return CM_ENOMEM;
    if (EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, k->pkey) == 1 &&
        EVP_DigestSign(md, der, &der_len, (const unsigned char *)data, len) == 1)
        rc = der_to_raw(der, der_len, raw);
    EVP_MD_CTX_free(md);
    return rc;
}

/* base64url of the compact JSON of v; malloc'ed. */
static char *b64_json(const json_t *v)
{
    char *s = json_dumps(v, JSON_COMPACT);
    if (s == NULL)
        return NULL;
    char *b = cm_b64url_encode(s, strlen(s));
    free(s);
    return b;
}

int cm_jws_sign(const cm_jwk_t *k, const char *typ, const json_t *claims, char **out)
{
    if (out == NULL)
        return CM_EINVAL;
    *out = NULL;
    if (k == NULL || !k->priv || k->alg != CM_JOSE_ES256 || !json_is_object(claims))
        return CM_EINVAL;
    int rc = CM_ENOMEM;
    char *h64 = NULL, *p64 = NULL, *s64 = NULL, *input = NULL;
    json_t *header = json_pack("{s:s, s:s}", "alg", "ES256", "kid", k->kid);
    if (header == NULL || (typ != NULL && json_object_set_new(header, "typ", json_string(typ)) != 0))
        goto out_free;
    h64 = b64_json(header);
    p64 = b64_json(claims);
    if (h64 == NULL || p64 == NULL)
        goto out_free;
    size_t hl = strlen(h64), pl = strlen(p64);
    input = malloc(hl + 1 + pl + 1 + 88); /* 64 signature bytes are 86 base64url characters */
    if (input == NULL)
        goto out_free;
    memcpy(input, h64, hl);
    input[hl] = '.';
    memcpy(input + hl + 1, p64, pl + 1);
    uint8_t raw[2 * JOSE_P256_LEN];
    rc = es256_sign(k, input, hl + 1 + pl, raw);
    if (rc != CM_OK)
        goto out_free;
    s64 = cm_b64url_encode(raw, sizeof(raw));
    if (s64 == NULL) {
        rc = CM_ENOMEM;
        goto out_free;
    }
    input[hl + 1 + pl] = '.';
    memcpy(input + hl + 1 + pl + 1, s64, strlen(s64) + 1);
    *out = input;
    input = NULL;
out_free:
    json_decref(header);
    free(h64);
    free(p64);
    free(s64);
    free(input);
    return rc;
}

/* 1 when s[0..len) is base64url without padding (the alphabet only). */
static int b64url_chars(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_'))
            return 0;
    }
    return 1;
}

/* Decodes one part; an empty part decodes to an empty (allocated) buffer. NULL on bad input. */
static uint8_t *decode_part(const char *s, size_t len, size_t *out_len)
{
    if (!b64url_chars(s, len))
        return NULL;
    if (len == 0) {
        *out_len = 0;
        return calloc(1, 1);
    }
    return cm_b64url_decode(s, len, out_len);
}

/* A member of the header that must be a string when present: its value, or NULL; *bad set when not a string. */
static const char *header_str(const json_t *h, const char *name, int *bad)
{
    const json_t *v = json_object_get(h, name);
    if (v == NULL)
        return NULL;
    if (!json_is_string(v) || strlen(json_string_value(v)) != json_string_length(v)) {
        *bad = 1;
        return NULL;
    }
    return json_string_value(v);
}

int cm_jws_parse(const char *compact, size_t len, cm_jws_parsed_t *out)
{
    if (out == NULL)
        return CM_EINVAL;
    memset(out, 0, sizeof(*out));
    if (compact == NULL || len == 0 || len > JOSE_JWS_MAX)
        return CM_EINVAL;
    const char *d1 = memchr(compact, '.', len);
    const char *d2 = d1 != NULL ? memchr(d1 + 1, '.', len - (size_t)(d1 + 1 - compact)) : NULL;
    if (d2 == NULL || memchr(d2 + 1, '.', len - (size_t)(d2 + 1 - compact)) != NULL)
        return CM_EINVAL;
    size_t hlen = (size_t)(d1 - compact), plen = (size_t)(d2 - d1 - 1), slen = len - (size_t)(d2 + 1 - compact);
    size_t hn = 0, pn = 0;
    uint8_t *hb = hlen > 0 ? decode_part(compact, hlen, &hn) : NULL;
    uint8_t *pb = decode_part(d1 + 1, plen, &pn);
    out->sig = decode_part(d2 + 1, slen, &out->sig_len);
    if (hb == NULL || pb == NULL || out->sig == NULL)
        goto out_fail;
    out->header = json_loadb((const char *)hb, hn, JSON_REJECT_DUPLICATES, NULL);
    if (!json_is_object(out->header) || json_object_get(out->header, "crit") != NULL)
        goto out_fail;
    int bad = 0;
    out->alg = header_str(out->header, "alg", &bad);
    out->kid = header_str(out->header, "kid", &bad);
    out->typ = header_str(out->header, "typ", &bad);
    if (out->alg == NULL || bad)
        goto out_fail;
    out->payload = json_loadb((const char *)pb, pn, JSON_REJECT_DUPLICATES, NULL);
    if (out->payload != NULL && !json_is_object(out->payload)) {
        json_decref(out->payload);
        out->payload = NULL;
    }
    out->signing_input = malloc((size_t)(d2 - compact) + 1);
    if (out->signing_input == NULL)
        goto out_fail;
    memcpy(out->signing_input, compact, (size_t)(d2 - compact));
    out->signing_input[d2 - compact] = '\0';
    free(hb);
    free(pb);
    return CM_OK;
out_fail:
    free(hb);
    free(pb);
    cm_jws_parsed_free(out);
    return CM_EINVAL;
}

void cm_jws_parsed_free(cm_jws_parsed_t *p)
{
    if (p == NULL)
        return;
    json_decref(p->header);
    json_decref(p->payload);
    free(p->signing_input);
    free(p->sig);
    memset(p, 0, sizeof(*p));
}

/* EVP verification of sig over data with k's public key. 1 when it verifies. */
static int evp_verify(const cm_jwk_t *k, const uint8_t *sig, size_t sig_len, const char *data)
{
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    if (md == NULL)
        return 0;
    int ok = EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, k->pkey) == 1 &&
             EVP_DigestVerify(md, sig, sig_len, (const unsigned char *)data, strlen(data)) == 1;
    EVP_MD_CTX_free(md);
    return ok;
}

int cm_jws_verify(const cm_jws_parsed_t *p, const cm_jwk_t *k, unsigned allowed)
{
    if (p == NULL || k == NULL || p->signing_input == NULL || p->sig == NULL)
        return CM_EPERM;
    cm_jose_alg_t alg = cm_jose_alg_parse(p->alg);
    allowed &= (unsigned)(CM_JOSE_ES256 | CM_JOSE_RS256); /* the caller can only narrow */
    if (alg == CM_JOSE_ALG_NONE || ((unsigned)alg & allowed) == 0 || alg != k->alg)
        return CM_EPERM;
    if (p->kid != NULL && k->kid != NULL && strcmp(p->kid, k->kid) != 0)
        return CM_EPERM;
    if (alg == CM_JOSE_ES256) {
        if (p->sig_len != 2 * JOSE_P256_LEN)
            return CM_EPERM;
        uint8_t *der = NULL;
        int der_len = 0;
        if (raw_to_der(p->sig, &der, &der_len) != CM_OK)
            return CM_EPERM;
        int ok = evp_verify(k, der, (size_t)der_len, p->signing_input);
        OPENSSL_free(der);
        return ok ? CM_OK : CM_EPERM;
    }
    /* RS256: the signature is exactly the modulus size (RFC 8017 8.2.2 step 1) */
    if (p->sig_len != (size_t)EVP_PKEY_get_size(k->pkey))
        return CM_EPERM;
    return evp_verify(k, p->sig, p->sig_len, p->signing_input) ? CM_OK : CM_EPERM;
}
