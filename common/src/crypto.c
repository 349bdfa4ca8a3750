/*
 * crypto.c - random, hashing, HMAC, HKDF, AES-256-GCM and PKCE on OpenSSL 3 (base64: base64.c).
 */
#include "common/crypto.h"
#include "common/status.h"

#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/kdf.h>
#include <openssl/rand.h>

static const char hex_digits[] = "0123456789abcdef";

/* Algorithms fetched once per process: OpenSSL 3 otherwise looks them up (locks, property queries) on every
 * EVP_*Init with EVP_aes_256_gcm()/EVP_sha256(), which showed up as ~10% of /oauth/authorize in the broker's
 * benchmark. Kept for the process lifetime; the legacy getters remain the fallback. */
static EVP_CIPHER *fetched_gcm;
static EVP_MD *fetched_sha256;
static pthread_once_t fetch_once = PTHREAD_ONCE_INIT;

static void fetch_algorithms(void)
{
    fetched_gcm = EVP_CIPHER_fetch(NULL, "AES-256-GCM", NULL);
    fetched_sha256 = EVP_MD_fetch(NULL, "SHA2-256", NULL);
}

static const EVP_CIPHER *aes_256_gcm(void)
{
    pthread_once(&fetch_once, fetch_algorithms);
    return fetched_gcm != NULL ? fetched_gcm : EVP_aes_256_gcm();
}

static const EVP_MD *sha256_md(void)
{
    pthread_once(&fetch_once, fetch_algorithms);
    return fetched_sha256 != NULL ? fetched_sha256 : EVP_sha256();
}

/* ---- random ---- */

int cm_random_bytes(void *buf, size_t len)
{
    unsigned char *p = buf;
    if (len > 0 && buf == NULL)
        return CM_EINVAL;
    while (len > 0) {
        int chunk = len > (size_t)INT_MAX ? INT_MAX : (int)len;
        if (RAND_bytes(p, chunk) != 1)
            return CM_ERR;
        p += chunk;
        len -= (size_t)chunk;
    }
    return CM_OK;
}

/*
 * RAND_bytes costs a few microseconds per call (locks, fork and reseed checks) whatever the size: as much as the
 * rest of a small seal, and the largest single cost of /oauth/authorize. Small draws (GCM IVs, state nonces, PKCE
 * verifiers) therefore come from one per-thread pool of CSPRNG output refilled 4 KiB at a time. Every byte is
 * handed out once and wiped from the pool, and a child process drops the pool it inherited (a fork generation bumped
 * by a pthread_atfork handler, rather than a getpid() system call per draw), so no two calls or processes ever
 * share bytes.
 */
static __thread unsigned char rnd_pool[4096];
static __thread size_t rnd_left;
static __thread unsigned rnd_gen;
static unsigned fork_gen = 1; /* 0 in rnd_gen: this thread has no pool yet */
static pthread_once_t fork_gen_once = PTHREAD_ONCE_INIT;

static void fork_gen_bump(void)
{
    fork_gen = fork_gen + 1 == 0 ? 1 : fork_gen + 1;
}

static void fork_gen_watch(void)
{
    (void)pthread_atfork(NULL, NULL, fork_gen_bump);
}

int cm_random_pooled(void *out, size_t n)
{
    if (out == NULL)
        return CM_EINVAL;
    if (n > sizeof(rnd_pool) / 4)
        return cm_random_bytes(out, n);
    (void)pthread_once(&fork_gen_once, fork_gen_watch);
    if (rnd_left < n || rnd_gen != fork_gen) {
        if (cm_random_bytes(rnd_pool, sizeof(rnd_pool)) != CM_OK) {
            rnd_left = 0;
            return CM_ERR;
        }
        rnd_left = sizeof(rnd_pool);
        rnd_gen = fork_gen;
    }
    unsigned char *src = rnd_pool + sizeof(rnd_pool) - rnd_left;
    memcpy(out, src, n);
    OPENSSL_cleanse(src, n);
    rnd_left -= n;
    return CM_OK;
}

int cm_random_hex(char *out, size_t outsz, size_t nbytes)
{
    uint8_t chunk[64];
    if (out == NULL || nbytes > (SIZE_MAX - 1) / 2 || outsz < 2 * nbytes + 1)
        return CM_EINVAL;
    size_t done = 0;
    while (done < nbytes) {
        size_t n = nbytes - done < sizeof(chunk) ? nbytes - done : sizeof(chunk);
        if (cm_random_pooled(chunk, n) != CM_OK) { /* a request id per request: RAND_bytes' fixed cost matters */
            cm_wipe(chunk, sizeof(chunk));
            out[0] = '\0';
            return CM_ERR;
        }
        cm_hex_encode(chunk, n, out + 2 * done, outsz - 2 * done);
        done += n;
    }
    out[2 * nbytes] = '\0';
    cm_wipe(chunk, sizeof(chunk));
    return CM_OK;
}

char *cm_random_token(size_t nbytes)
{
    if (nbytes == 0)
        return NULL;
    uint8_t *raw = malloc(nbytes);
    if (raw == NULL)
        return NULL;
    char *tok = NULL;
    if (cm_random_bytes(raw, nbytes) == CM_OK)
        tok = cm_b64url_encode(raw, nbytes);
    cm_secure_free(raw, nbytes);
    return tok;
}

int cm_uuid_v4(char *out, size_t outsz)
{
    uint8_t b[16];
    if (out == NULL || outsz < 37)
        return CM_EINVAL;
    if (cm_random_bytes(b, sizeof(b)) != CM_OK) {
        out[0] = '\0';
        return CM_ERR;
    }
    b[6] = (uint8_t)((b[6] & 0x0f) | 0x40); /* version 4 */
    b[8] = (uint8_t)((b[8] & 0x3f) | 0x80); /* variant 10xx (RFC 4122) */
    size_t o = 0;
    for (size_t i = 0; i < sizeof(b); i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            out[o++] = '-';
        out[o++] = hex_digits[b[i] >> 4];
        out[o++] = hex_digits[b[i] & 0x0f];
    }
    out[o] = '\0';
    return CM_OK;
}

int cm_hex_digit(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int cm_uuid_valid(const char *s)
{
    if (s == NULL)
        return 0;
    for (size_t i = 0; i < 36; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (s[i] != '-')
                return 0;
        } else if (cm_hex_digit((unsigned char)s[i]) < 0) {
            return 0; /* also catches a NUL before position 36 */
        }
    }
    return s[36] == '\0';
}

/* ---- comparison ---- */

int cm_ct_equal(const void *a, size_t alen, const void *b, size_t blen)
{
    if ((a == NULL && alen > 0) || (b == NULL && blen > 0))
        return 0;
    size_t n = alen < blen ? alen : blen;
    int diff = n > 0 ? CRYPTO_memcmp(a, b, n) : 0;
    return (diff == 0) & (alen == blen);
}

int cm_ct_streq(const char *a, const char *b)
{
    if (a == NULL || b == NULL)
        return 0;
    return cm_ct_equal(a, strlen(a), b, strlen(b));
}

/* ---- hashing ---- */

void cm_sha256(const void *data, size_t len, uint8_t out[CM_SHA256_LEN])
{
    if (data == NULL)
        data = "";
    if (EVP_Digest(data, len, out, NULL, sha256_md(), NULL) != 1)
        memset(out, 0, CM_SHA256_LEN);
}

void cm_sha256_hex(const void *data, size_t len, char *out, size_t outsz)
{
    uint8_t md[CM_SHA256_LEN];
    cm_sha256(data, len, md);
    cm_hex_encode(md, sizeof(md), out, outsz);
}

int cm_hmac_sha256(const void *key, size_t keylen, const void *data, size_t len, uint8_t out[CM_SHA256_LEN])
{
    unsigned int mdlen = 0;
    if (out == NULL || keylen > (size_t)INT_MAX || (key == NULL && keylen > 0) || (data == NULL && len > 0))
        return CM_EINVAL;
    /* OpenSSL treats a NULL key as "reuse the previous key"; an empty key must be a real pointer. */
    static const uint8_t empty[1];
    if (HMAC(EVP_sha256(), keylen > 0 ? key : empty, (int)keylen, len > 0 ? data : empty, len, out, &mdlen) == NULL ||
        mdlen != CM_SHA256_LEN) {
        OPENSSL_cleanse(out, CM_SHA256_LEN);
        return CM_ERR;
    }
    return CM_OK;
}

void cm_hex_encode(const uint8_t *in, size_t len, char *out, size_t outsz)
{
    if (out == NULL || outsz == 0)
        return;
    if (len > (SIZE_MAX - 1) / 2 || outsz < 2 * len + 1 || (in == NULL && len > 0)) {
        out[0] = '\0';
        return;
    }
    for (size_t i = 0; i < len; i++) {
        out[2 * i] = hex_digits[in[i] >> 4];
        out[2 * i + 1] = hex_digits[in[i] & 0x0f];
    }
    out[2 * len] = '\0';
}

int cm_hex_decode(const char *in, uint8_t *out, size_t outsz, size_t *outlen)
{
    if (outlen != NULL)
        *outlen = 0;
    if (in == NULL)
        return CM_EINVAL;
    size_t n = strlen(in);
    if (n % 2 != 0 || n / 2 > outsz || (out == NULL && n > 0))
        return CM_EINVAL;
    for (size_t i = 0; i < n; i += 2) {
        int hi = cm_hex_digit((unsigned char)in[i]);
        int lo = cm_hex_digit((unsigned char)in[i + 1]);
        if (hi < 0 || lo < 0)
            return CM_EINVAL;
        out[i / 2] = (uint8_t)((hi << 4) | lo);
    }
    if (outlen != NULL)
        *outlen = n / 2;
    return CM_OK;
}

int cm_hkdf_sha256(const void *ikm, size_t ikmlen, const void *salt, size_t saltlen, const char *info, uint8_t *out,
                   size_t outlen)
{
    int rc = CM_ERR;
    size_t infolen = info != NULL ? strlen(info) : 0;
    if (out == NULL || outlen == 0 || outlen > 255 * CM_SHA256_LEN || ikm == NULL || ikmlen == 0 ||
        ikmlen > (size_t)INT_MAX || saltlen > (size_t)INT_MAX || infolen > 1024 || (salt == NULL && saltlen > 0))
        return CM_EINVAL;
    EVP_PKEY_CTX *pctx = EVP_PKEY_CTX_new_id(EVP_PKEY_HKDF, NULL);
    if (pctx == NULL)
        return CM_ENOMEM;
    if (EVP_PKEY_derive_init(pctx) <= 0 || EVP_PKEY_CTX_set_hkdf_md(pctx, EVP_sha256()) <= 0 ||
        EVP_PKEY_CTX_set1_hkdf_key(pctx, ikm, (int)ikmlen) <= 0)
        goto out_free_ctx;
    /* An absent salt means HashLen zero bytes (RFC 5869 2.2), which is what OpenSSL does without one. */
    if (saltlen > 0 && EVP_PKEY_CTX_set1_hkdf_salt(pctx, salt, (int)saltlen) <= 0)
        goto out_free_ctx;
    if (infolen > 0 && EVP_PKEY_CTX_add1_hkdf_info(pctx, (const unsigned char *)info, (int)infolen) <= 0)
        goto out_free_ctx;
    size_t got = outlen;
    if (EVP_PKEY_derive(pctx, out, &got) <= 0 || got != outlen) {
        OPENSSL_cleanse(out, outlen);
        goto out_free_ctx;
    }
    rc = CM_OK;
out_free_ctx:
    EVP_PKEY_CTX_free(pctx);
    return rc;
}

/* ---- AES-256-GCM ---- */

/* EVP_*Update take int lengths; feed large buffers in pieces. out NULL means AAD. */
static int gcm_update(EVP_CIPHER_CTX *ctx, int enc, uint8_t *out, const uint8_t *in, size_t len)
{
    const size_t max_chunk = (size_t)1 << 30;
    while (len > 0) {
        int n = (int)(len > max_chunk ? max_chunk : len);
        int w = 0;
        int ok = enc ? EVP_EncryptUpdate(ctx, out, &w, in, n) : EVP_DecryptUpdate(ctx, out, &w, in, n);
        if (ok != 1 || (out != NULL && w != n))
            return CM_ERR;
        if (out != NULL)
            out += n;
        in += n;
        len -= (size_t)n;
    }
    return CM_OK;
}

int cm_aead_seal(const uint8_t key[CM_AES_KEY_LEN], const void *aad, size_t aadlen, const void *pt, size_t len,
                 uint8_t **out, size_t *outlen)
{
    int rc = CM_ERR, w = 0;
    if (out != NULL)
        *out = NULL;
    if (outlen != NULL)
        *outlen = 0;
    if (key == NULL || out == NULL || outlen == NULL || (aad == NULL && aadlen > 0) || (pt == NULL && len > 0) ||
        len > SIZE_MAX - CM_GCM_IV_LEN - CM_GCM_TAG_LEN - 1)
        return CM_EINVAL;
    size_t total = CM_GCM_IV_LEN + len + CM_GCM_TAG_LEN;
    uint8_t *buf = malloc(total);
    if (buf == NULL)
        return CM_ENOMEM;
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    if (ctx == NULL) {
        rc = CM_ENOMEM;
        goto out_free_buf;
    }
    if (cm_random_pooled(buf, CM_GCM_IV_LEN) != CM_OK)
        goto out_free_ctx;
    if (EVP_EncryptInit_ex(ctx, aes_256_gcm(), NULL, NULL, NULL) != 1 ||
        EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, CM_GCM_IV_LEN, NULL) != 1 ||
        EVP_EncryptInit_ex(ctx, NULL, NULL, key, buf) != 1)
        goto out_free_ctx;
    if (gcm_update(ctx, 1, NULL, aad, aadlen) != CM_OK || gcm_update(ctx, 1, buf + CM_GCM_IV_LEN, pt, len) != CM_OK)
        goto out_free_ctx;
    if (EVP_EncryptFinal_ex(ctx, buf + CM_GCM_IV_LEN + len, &w) != 1 || w != 0)
        goto out_free_ctx;
    if (EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, CM_GCM_TAG_LEN, buf + CM_GCM_IV_LEN + len) != 1)
        goto out_free_ctx;
    *out = buf;
    *outlen = total;
    buf = NULL;
    rc = CM_OK;
out_free_ctx:
    EVP_CIPHER_CTX_free(ctx);
out_free_buf:
    if (buf != NULL)
        cm_secure_free(buf, total);
    return rc;
}

int cm_aead_open(const uint8_t key[CM_AES_KEY_LEN], const void *aad, size_t aadlen, const uint8_t *in, size_t inlen,
                 uint8_t **out, size_t *outlen)
{
    int rc = CM_ERR, w = 0;
    if (out != NULL)
        *out = NULL;
    if (outlen != NULL)
        *outlen = 0;
    if (key == NULL || out == NULL || outlen == NULL || (aad == NULL && aadlen > 0))
        return CM_EINVAL;
    if (in == NULL || inlen < CM_GCM_IV_LEN + CM_GCM_TAG_LEN)
        return CM_EINVAL;
    size_t len = inlen - CM_GCM_IV_LEN - CM_GCM_TAG_LEN;
    uint8_t tag[CM_GCM_TAG_LEN];
    memcpy(tag, in + CM_GCM_IV_LEN + len, CM_GCM_TAG_LEN);
    uint8_t *pt = malloc(len + 1);
    if (pt == NULL)
        return CM_ENOMEM;
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    if (ctx == NULL) {
        rc = CM_ENOMEM;
        goto out_free_pt;
    }
    if (EVP_DecryptInit_ex(ctx, aes_256_gcm(), NULL, NULL, NULL) != 1 ||
        EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, CM_GCM_IV_LEN, NULL) != 1 ||
        EVP_DecryptInit_ex(ctx, NULL, NULL, key, in) != 1)
        goto out_free_ctx;
    if (gcm_update(ctx, 0, NULL, aad, aadlen) != CM_OK || gcm_update(ctx, 0, pt, in + CM_GCM_IV_LEN, len) != CM_OK)
        goto out_free_ctx;
    if (EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, CM_GCM_TAG_LEN, tag) != 1)
        goto out_free_ctx;
    if (EVP_DecryptFinal_ex(ctx, pt + len, &w) != 1) {
        rc = CM_EINVAL; /* authentication failed: wrong key, tampered data, or wrong aad */
        goto out_free_ctx;
    }
    pt[len] = '\0';
    *out = pt;
    *outlen = len;
    pt = NULL;
    rc = CM_OK;
out_free_ctx:
    EVP_CIPHER_CTX_free(ctx);
out_free_pt:
    if (pt != NULL)
        cm_secure_free(pt, len + 1);
    return rc;
}

/* ---- PKCE ---- */

char *cm_pkce_verifier(void)
{
    return cm_random_token(48); /* 48 bytes -> 64 base64url chars */
}

char *cm_pkce_challenge_s256(const char *verifier)
{
    if (verifier == NULL)
        return NULL;
    size_t n = strlen(verifier);
    if (n < 43 || n > 128)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)verifier[i];
        int ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
                 c == '_' || c == '~';
        if (!ok)
            return NULL;
    }
    uint8_t md[CM_SHA256_LEN];
    cm_sha256(verifier, n, md);
    return cm_b64url_encode(md, sizeof(md));
}

/* ---- wiping ---- */

void cm_wipe(void *p, size_t len)
{
    if (p != NULL && len > 0)
        OPENSSL_cleanse(p, len);
}

void cm_secure_free(void *p, size_t len)
{
    if (p == NULL)
        return;
    if (len == 0)
        len = strlen(p);
    OPENSSL_cleanse(p, len);
    free(p);
}
