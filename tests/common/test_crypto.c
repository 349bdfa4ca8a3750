/*
 * test_crypto.c - common/crypto.h against published vectors and its own contract.
 */
#include "cu.h"

#include "common/crypto.h"
#include "common/status.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static void hex(const uint8_t *b, size_t n, char *out, size_t outsz)
{
    cm_hex_encode(b, n, out, outsz);
}

/* Decodes a hex literal into a fresh buffer (test helper). */
static uint8_t *unhex(const char *h, size_t *n)
{
    size_t cap = strlen(h) / 2 + 1;
    uint8_t *b = malloc(cap);
    CU_ASSERT_FATAL(b != NULL);
    CU_ASSERT_FATAL(cm_hex_decode(h, b, cap, n) == CM_OK);
    return b;
}

static void test_sha256(void)
{
    char out[65];
    cm_sha256_hex("abc", 3, out, sizeof(out));
    CU_ASSERT_STRING_EQUAL(out, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    cm_sha256_hex("", 0, out, sizeof(out));
    CU_ASSERT_STRING_EQUAL(out, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    cm_sha256_hex(NULL, 0, out, sizeof(out));
    CU_ASSERT_STRING_EQUAL(out, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    uint8_t md[CM_SHA256_LEN];
    cm_sha256("abc", 3, md);
    CU_ASSERT_EQUAL(md[0], 0xba);
    CU_ASSERT_EQUAL(md[31], 0xad);
    char small[64];
    memset(small, 'x', sizeof(small));
    cm_sha256_hex("abc", 3, small, sizeof(small)); /* one byte short */
    CU_ASSERT_STRING_EQUAL(small, "");
}

struct hmac_vec {
    const char *key_hex, *data_hex, *mac_hex;
    size_t trunc; /* compare only this many bytes (test case 5) */
};

/* RFC 4231 section 4, HMAC-SHA-256 results. */
static const struct hmac_vec rfc4231[] = {
    {"0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", "4869205468657265",
     "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7", 32},
    {"4a656665", "7768617420646f2079612077616e7420666f72206e6f7468696e673f",
     "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843", 32},
    {"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
     "dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd",
     "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe", 32},
    {"0102030405060708090a0b0c0d0e0f10111213141516171819",
     "cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd",
     "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b", 32},
    {"0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c", "546573742057697468205472756e636174696f6e",
     "a3b6167473100ee06e0c796c2955552b", 16},
    {NULL, /* 131 bytes of 0xaa */
     "54657374205573696e67204c6172676572205468616e20426c6f636b2d53697a65204b6579202d2048617368204b6579"
     "204669727374",
     "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54", 32},
    {NULL, /* 131 bytes of 0xaa */
     "5468697320697320612074657374207573696e672061206c6172676572207468616e20626c6f636b2d73697a65206b65"
     "7920616e642061206c6172676572207468616e20626c6f636b2d73697a6520646174612e20546865206b6579206e6565"
     "647320746f20626520686173686564206265666f7265206265696e6720757365642062792074686520484d414320616c"
     "676f726974686d2e",
     "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2", 32},
};

static void test_hmac_rfc4231(void)
{
    for (size_t i = 0; i < sizeof(rfc4231) / sizeof(rfc4231[0]); i++) {
        size_t klen = 131, dlen;
        uint8_t *key;
        if (rfc4231[i].key_hex != NULL) {
            key = unhex(rfc4231[i].key_hex, &klen);
        } else {
            key = malloc(klen);
            CU_ASSERT_FATAL(key != NULL);
            memset(key, 0xaa, klen);
        }
        uint8_t *data = unhex(rfc4231[i].data_hex, &dlen);
        uint8_t mac[CM_SHA256_LEN];
        char mhex[65];
        CU_ASSERT_EQUAL(cm_hmac_sha256(key, klen, data, dlen, mac), CM_OK);
        hex(mac, rfc4231[i].trunc, mhex, sizeof(mhex));
        CU_ASSERT_STRING_EQUAL(mhex, rfc4231[i].mac_hex);
        free(key);
        free(data);
    }
}

static void test_hmac_empty(void)
{
    uint8_t mac[CM_SHA256_LEN];
    char mhex[65];
    CU_ASSERT_EQUAL(cm_hmac_sha256(NULL, 0, NULL, 0, mac), CM_OK);
    hex(mac, sizeof(mac), mhex, sizeof(mhex));
    CU_ASSERT_STRING_EQUAL(mhex, "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
    CU_ASSERT_EQUAL(cm_hmac_sha256(NULL, 4, "x", 1, mac), CM_EINVAL);
}

static void test_hkdf_rfc5869(void)
{
    /* RFC 5869 appendix A.1, test case 1 */
    size_t ikmlen, saltlen;
    uint8_t *ikm = unhex("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", &ikmlen);
    uint8_t *salt = unhex("000102030405060708090a0b0c", &saltlen);
    const char info[] = "\xf0\xf1\xf2\xf3\xf4\xf5\xf6\xf7\xf8\xf9";
    uint8_t okm[42];
    char ohex[85];
    CU_ASSERT_EQUAL(cm_hkdf_sha256(ikm, ikmlen, salt, saltlen, info, okm, sizeof(okm)), CM_OK);
    hex(okm, sizeof(okm), ohex, sizeof(ohex));
    CU_ASSERT_STRING_EQUAL(ohex,
                           "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865");

    /* test case 3: no salt, no info */
    size_t ikm3len;
    uint8_t *ikm3 = unhex("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", &ikm3len);
    CU_ASSERT_EQUAL(cm_hkdf_sha256(ikm3, ikm3len, NULL, 0, NULL, okm, sizeof(okm)), CM_OK);
    hex(okm, sizeof(okm), ohex, sizeof(ohex));
    CU_ASSERT_STRING_EQUAL(ohex,
                           "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8");

    CU_ASSERT_EQUAL(cm_hkdf_sha256(ikm, ikmlen, NULL, 0, NULL, okm, 0), CM_EINVAL);
    uint8_t big[255 * 32 + 1];
    CU_ASSERT_EQUAL(cm_hkdf_sha256(ikm, ikmlen, NULL, 0, NULL, big, sizeof(big)), CM_EINVAL);
    CU_ASSERT_EQUAL(cm_hkdf_sha256(ikm, ikmlen, NULL, 0, NULL, big, sizeof(big) - 1), CM_OK);
    free(ikm);
    free(salt);
    free(ikm3);
}

static void test_hex(void)
{
    uint8_t b[4];
    size_t n = 99;
    CU_ASSERT_EQUAL(cm_hex_decode("DEadBEef", b, sizeof(b), &n), CM_OK);
    CU_ASSERT_EQUAL(n, 4);
    CU_ASSERT_EQUAL(b[0], 0xde);
    CU_ASSERT_EQUAL(b[3], 0xef);
    char s[9];
    cm_hex_encode(b, 4, s, sizeof(s));
    CU_ASSERT_STRING_EQUAL(s, "deadbeef");
    CU_ASSERT_EQUAL(cm_hex_decode("abc", b, sizeof(b), &n), CM_EINVAL);        /* odd */
    CU_ASSERT_EQUAL(cm_hex_decode("zz", b, sizeof(b), &n), CM_EINVAL);         /* not hex */
    CU_ASSERT_EQUAL(cm_hex_decode("0011223344", b, sizeof(b), &n), CM_EINVAL); /* too long for out */
    CU_ASSERT_EQUAL(cm_hex_decode("", b, sizeof(b), &n), CM_OK);
    static const char digits[] = "0123456789abcdefABCDEF";
    for (int c = 0; c < 256; c++) {
        const char *at = c != 0 ? strchr(digits, c) : NULL;
        int want = at == NULL ? -1 : (int)(at - digits) < 16 ? (int)(at - digits) : (int)(at - digits) - 6;
        CU_ASSERT_EQUAL(cm_hex_digit(c), want);
    }
    CU_ASSERT_EQUAL(n, 0);
}

static void test_pkce(void)
{
    char *c = cm_pkce_challenge_s256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    CU_ASSERT_STRING_EQUAL(c, "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
    free(c);

    char *v = cm_pkce_verifier();
    CU_ASSERT_PTR_NOT_NULL_FATAL(v);
    CU_ASSERT_EQUAL(strlen(v), 64);
    CU_ASSERT_EQUAL(strspn(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"), 64);
    char *c2 = cm_pkce_challenge_s256(v);
    CU_ASSERT_PTR_NOT_NULL(c2);
    CU_ASSERT_EQUAL(strlen(c2), 43);
    char *v2 = cm_pkce_verifier();
    CU_ASSERT_STRING_NOT_EQUAL(v, v2);
    free(c2);
    free(v);
    free(v2);

    CU_ASSERT_PTR_NULL(cm_pkce_challenge_s256(NULL));
    CU_ASSERT_PTR_NULL(cm_pkce_challenge_s256("tooshort"));
    /* 43 chars but one outside the unreserved set */
    CU_ASSERT_PTR_NULL(cm_pkce_challenge_s256("dBjftJeZ4CVP+mB92K27uhbUJU1p1r_wW1gFWFOEjXk"));
    char longv[130];
    memset(longv, 'a', 129);
    longv[129] = '\0';
    CU_ASSERT_PTR_NULL(cm_pkce_challenge_s256(longv));
    longv[128] = '\0';
    c = cm_pkce_challenge_s256(longv);
    CU_ASSERT_PTR_NOT_NULL(c);
    free(c);
}

static void test_gcm_roundtrip(void)
{
    uint8_t key[CM_AES_KEY_LEN];
    CU_ASSERT_EQUAL_FATAL(cm_random_bytes(key, sizeof(key)), CM_OK);
    const char msg[] = "refresh-token-secret";
    const char aad[] = "row:42";
    uint8_t *ct = NULL, *pt = NULL;
    size_t ctlen = 0, ptlen = 0;
    CU_ASSERT_EQUAL_FATAL(cm_aead_seal(key, aad, strlen(aad), msg, strlen(msg), &ct, &ctlen), CM_OK);
    CU_ASSERT_EQUAL(ctlen, strlen(msg) + CM_GCM_IV_LEN + CM_GCM_TAG_LEN);
    CU_ASSERT(memcmp(ct + CM_GCM_IV_LEN, msg, strlen(msg)) != 0);
    CU_ASSERT_EQUAL_FATAL(cm_aead_open(key, aad, strlen(aad), ct, ctlen, &pt, &ptlen), CM_OK);
    CU_ASSERT_EQUAL(ptlen, strlen(msg));
    CU_ASSERT_STRING_EQUAL((char *)pt, msg); /* trailing NUL */
    cm_secure_free(pt, ptlen);

    /* a second seal uses a fresh IV */
    uint8_t *ct2 = NULL;
    size_t ct2len = 0;
    CU_ASSERT_EQUAL(cm_aead_seal(key, aad, strlen(aad), msg, strlen(msg), &ct2, &ct2len), CM_OK);
    CU_ASSERT(memcmp(ct, ct2, CM_GCM_IV_LEN) != 0);
    free(ct2);

    /* empty plaintext, no aad */
    CU_ASSERT_EQUAL(cm_aead_seal(key, NULL, 0, NULL, 0, &ct2, &ct2len), CM_OK);
    CU_ASSERT_EQUAL(ct2len, CM_GCM_IV_LEN + CM_GCM_TAG_LEN);
    CU_ASSERT_EQUAL(cm_aead_open(key, NULL, 0, ct2, ct2len, &pt, &ptlen), CM_OK);
    CU_ASSERT_EQUAL(ptlen, 0);
    CU_ASSERT_EQUAL(pt[0], '\0');
    cm_secure_free(pt, 1);
    free(ct2);

    /* wrong key */
    uint8_t key2[CM_AES_KEY_LEN];
    memcpy(key2, key, sizeof(key));
    key2[0] ^= 1;
    pt = (uint8_t *)"sentinel";
    CU_ASSERT_EQUAL(cm_aead_open(key2, aad, strlen(aad), ct, ctlen, &pt, &ptlen), CM_EINVAL);
    CU_ASSERT_PTR_NULL(pt);
    free(ct);
}

static void test_gcm_tamper(void)
{
    uint8_t key[CM_AES_KEY_LEN];
    memset(key, 7, sizeof(key));
    const char msg[] = "hello, world";
    char aad[] = "context";
    uint8_t *ct = NULL, *pt = NULL;
    size_t ctlen = 0, ptlen = 0;
    CU_ASSERT_EQUAL_FATAL(cm_aead_seal(key, aad, strlen(aad), msg, strlen(msg), &ct, &ctlen), CM_OK);
    /* iv, first and last ciphertext bytes, first and last tag bytes */
    size_t pos[] = {0,        CM_GCM_IV_LEN - 1, CM_GCM_IV_LEN, CM_GCM_IV_LEN + strlen(msg) - 1, ctlen - CM_GCM_TAG_LEN,
                    ctlen - 1};
    for (size_t i = 0; i < sizeof(pos) / sizeof(pos[0]); i++) {
        ct[pos[i]] ^= 0x01;
        pt = NULL;
        CU_ASSERT_EQUAL(cm_aead_open(key, aad, strlen(aad), ct, ctlen, &pt, &ptlen), CM_EINVAL);
        CU_ASSERT_PTR_NULL(pt);
        ct[pos[i]] ^= 0x01;
    }
    /* aad: flipped bit, missing, and different length */
    aad[0] ^= 0x01;
    CU_ASSERT_EQUAL(cm_aead_open(key, aad, strlen(aad), ct, ctlen, &pt, &ptlen), CM_EINVAL);
    aad[0] ^= 0x01;
    CU_ASSERT_EQUAL(cm_aead_open(key, NULL, 0, ct, ctlen, &pt, &ptlen), CM_EINVAL);
    CU_ASSERT_EQUAL(cm_aead_open(key, aad, strlen(aad) - 1, ct, ctlen, &pt, &ptlen), CM_EINVAL);
    /* truncated: one byte short, shorter than iv+tag, empty */
    CU_ASSERT_EQUAL(cm_aead_open(key, aad, strlen(aad), ct, ctlen - 1, &pt, &ptlen), CM_EINVAL);
    CU_ASSERT_EQUAL(cm_aead_open(key, aad, strlen(aad), ct, CM_GCM_IV_LEN + CM_GCM_TAG_LEN - 1, &pt, &ptlen),
                    CM_EINVAL);
    CU_ASSERT_EQUAL(cm_aead_open(key, aad, strlen(aad), ct, 0, &pt, &ptlen), CM_EINVAL);
    CU_ASSERT_EQUAL(cm_aead_open(key, aad, strlen(aad), NULL, 0, &pt, &ptlen), CM_EINVAL);
    /* untouched input still opens */
    CU_ASSERT_EQUAL(cm_aead_open(key, aad, strlen(aad), ct, ctlen, &pt, &ptlen), CM_OK);
    cm_secure_free(pt, ptlen + 1);
    free(ct);
}

static void test_b64url(void)
{
    char *e = cm_b64url_encode("\xfb\xff\xfe", 3); /* standard "+//+" */
    CU_ASSERT_STRING_EQUAL(e, "-__-");
    free(e);
    const char *plain[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
    const char *enc[] = {"", "Zg", "Zm8", "Zm9v", "Zm9vYg", "Zm9vYmE", "Zm9vYmFy"};
    const char *padded[] = {"", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
    for (size_t i = 0; i < 7; i++) {
        e = cm_b64url_encode(plain[i], strlen(plain[i]));
        CU_ASSERT_STRING_EQUAL(e, enc[i]);
        free(e);
        size_t n = 99;
        uint8_t *d = cm_b64url_decode(enc[i], strlen(enc[i]), &n);
        CU_ASSERT_PTR_NOT_NULL_FATAL(d);
        CU_ASSERT_EQUAL(n, strlen(plain[i]));
        CU_ASSERT_STRING_EQUAL((char *)d, plain[i]);
        free(d);
        d = cm_b64url_decode(padded[i], strlen(padded[i]), &n);
        CU_ASSERT_PTR_NOT_NULL_FATAL(d);
        CU_ASSERT_EQUAL(n, strlen(plain[i]));
        CU_ASSERT_STRING_EQUAL((char *)d, plain[i]);
        free(d);
    }
    size_t n;
    uint8_t *d = cm_b64url_decode("-__-", 4, &n);
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    CU_ASSERT_EQUAL(n, 3);
    CU_ASSERT(memcmp(d, "\xfb\xff\xfe", 3) == 0);
    free(d);
    /* binary with NUL survives */
    e = cm_b64url_encode("a\0b", 3);
    d = cm_b64url_decode(e, strlen(e), &n);
    CU_ASSERT_EQUAL(n, 3);
    CU_ASSERT(memcmp(d, "a\0b", 3) == 0);
    free(e);
    free(d);

    const char *bad[] = {
        "+__-", "/__-", "Zm9v!", "Zm 9v", "Z",    "Zm9vY",    "Zg=", "Zg===",
        "Z===", "=Zg",  "Zm=v",  "Zh",    "Zm9=", "Zg==Zg==", "Zm9"}; /* "Zh", "Zm9": non-zero unused bits */
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        d = cm_b64url_decode(bad[i], strlen(bad[i]), &n);
        if (d != NULL)
            fprintf(stderr, "accepted bad b64url %s\n", bad[i]);
        CU_ASSERT_PTR_NULL(d);
        free(d);
    }
    /* an embedded NUL inside inlen is an invalid character */
    CU_ASSERT_PTR_NULL(cm_b64url_decode("Zm\0v", 4, &n));
    /* inlen is honoured: only the first 3 chars */
    d = cm_b64url_decode("Zm8vYmFy", 3, &n);
    CU_ASSERT_EQUAL(n, 2);
    CU_ASSERT(d != NULL && memcmp(d, "fo", 2) == 0);
    free(d);
}

static void test_b64_std(void)
{
    char *e = cm_b64_encode("\xfb\xff\xfe\x66", 4);
    CU_ASSERT_STRING_EQUAL(e, "+//+Zg==");
    size_t n;
    uint8_t *d = cm_b64_decode(e, strlen(e), &n);
    CU_ASSERT_EQUAL(n, 4);
    CU_ASSERT(d != NULL && memcmp(d, "\xfb\xff\xfe\x66", 4) == 0);
    free(d);
    free(e);
    CU_ASSERT_PTR_NULL(cm_b64_decode("-__-", 4, &n));
    CU_ASSERT_PTR_NULL(cm_b64_decode("Zg", 2, &n)); /* padding required */
    /* long input crosses the internal chunking */
    size_t big = 10000;
    uint8_t *raw = malloc(big);
    CU_ASSERT_FATAL(raw != NULL);
    CU_ASSERT_EQUAL(cm_random_bytes(raw, big), CM_OK);
    e = cm_b64_encode(raw, big);
    d = cm_b64_decode(e, strlen(e), &n);
    CU_ASSERT_EQUAL(n, big);
    CU_ASSERT(d != NULL && memcmp(d, raw, big) == 0);
    free(d);
    free(e);
    e = cm_b64url_encode(raw, big - 1);
    d = cm_b64url_decode(e, strlen(e), &n);
    CU_ASSERT_EQUAL(n, big - 1);
    CU_ASSERT(d != NULL && memcmp(d, raw, big - 1) == 0);
    free(d);
    free(e);
    free(raw);
}

static int is_lower_hex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

static void test_uuid(void)
{
    char u[37], prev[37] = "";
    for (int k = 0; k < 50; k++) {
        CU_ASSERT_EQUAL_FATAL(cm_uuid_v4(u, sizeof(u)), CM_OK);
        CU_ASSERT_EQUAL(strlen(u), 36);
        for (int i = 0; i < 36; i++) {
            int dash = i == 8 || i == 13 || i == 18 || i == 23;
            CU_ASSERT(dash ? u[i] == '-' : is_lower_hex(u[i]));
        }
        CU_ASSERT_EQUAL(u[14], '4');                   /* version */
        CU_ASSERT_PTR_NOT_NULL(strchr("89ab", u[19])); /* variant 10xx */
        CU_ASSERT(cm_uuid_valid(u));
        CU_ASSERT_STRING_NOT_EQUAL(u, prev);
        memcpy(prev, u, sizeof(u));
    }
    char small[36];
    CU_ASSERT_EQUAL(cm_uuid_v4(small, sizeof(small)), CM_EINVAL);

    CU_ASSERT_TRUE(cm_uuid_valid("123e4567-e89b-12d3-a456-426614174000"));
    CU_ASSERT_TRUE(cm_uuid_valid("123E4567-E89B-12D3-A456-426614174000"));
    CU_ASSERT_FALSE(cm_uuid_valid(NULL));
    CU_ASSERT_FALSE(cm_uuid_valid(""));
    CU_ASSERT_FALSE(cm_uuid_valid("123e4567e89b12d3a456426614174000"));
    CU_ASSERT_FALSE(cm_uuid_valid("123e4567-e89b-12d3-a456-42661417400"));   /* short */
    CU_ASSERT_FALSE(cm_uuid_valid("123e4567-e89b-12d3-a456-4266141740000")); /* long */
    CU_ASSERT_FALSE(cm_uuid_valid("123e4567-e89b-12d3-a456-42661417400g"));
    CU_ASSERT_FALSE(cm_uuid_valid("123e4567-e89b-12d3a-456-426614174000"));
    CU_ASSERT_FALSE(cm_uuid_valid("{123e4567-e89b-12d3-a456-426614174000}"));
    CU_ASSERT_FALSE(cm_uuid_valid(" 123e4567-e89b-12d3-a456-426614174000"));
}

static void test_ct_compare(void)
{
    CU_ASSERT_TRUE(cm_ct_equal("abc", 3, "abc", 3));
    CU_ASSERT_FALSE(cm_ct_equal("abc", 3, "abd", 3));
    CU_ASSERT_FALSE(cm_ct_equal("abc", 3, "abcd", 4)); /* prefix, different length */
    CU_ASSERT_FALSE(cm_ct_equal("abcd", 4, "abc", 3));
    CU_ASSERT_TRUE(cm_ct_equal("", 0, "", 0));
    CU_ASSERT_TRUE(cm_ct_equal(NULL, 0, NULL, 0));
    CU_ASSERT_FALSE(cm_ct_equal("", 0, "a", 1));
    CU_ASSERT_TRUE(cm_ct_equal("a\0b", 3, "a\0b", 3));
    CU_ASSERT_FALSE(cm_ct_equal("a\0b", 3, "a\0c", 3));
    CU_ASSERT_FALSE(cm_ct_equal(NULL, 3, "abc", 3));

    CU_ASSERT_TRUE(cm_ct_streq("token", "token"));
    CU_ASSERT_FALSE(cm_ct_streq("token", "tokem"));
    CU_ASSERT_FALSE(cm_ct_streq("token", "token2"));
    CU_ASSERT_FALSE(cm_ct_streq("", "x"));
    CU_ASSERT_TRUE(cm_ct_streq("", ""));
    CU_ASSERT_FALSE(cm_ct_streq(NULL, "x"));
    CU_ASSERT_FALSE(cm_ct_streq("x", NULL));
    CU_ASSERT_FALSE(cm_ct_streq(NULL, NULL));
}

static void test_random(void)
{
    char h[65];
    CU_ASSERT_EQUAL(cm_random_hex(h, sizeof(h), 32), CM_OK);
    CU_ASSERT_EQUAL(strlen(h), 64);
    for (int i = 0; i < 64; i++)
        CU_ASSERT(is_lower_hex(h[i]));
    CU_ASSERT_EQUAL(cm_random_hex(h, 64, 32), CM_EINVAL); /* no room for the NUL */
    char big[2 * 200 + 1];
    CU_ASSERT_EQUAL(cm_random_hex(big, sizeof(big), 200), CM_OK); /* more than one internal chunk */
    CU_ASSERT_EQUAL(strlen(big), 400);

    char *t1 = cm_random_token(32), *t2 = cm_random_token(32);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t2);
    CU_ASSERT_EQUAL(strlen(t1), 43);
    CU_ASSERT_PTR_NULL(strchr(t1, '='));
    CU_ASSERT_STRING_NOT_EQUAL(t1, t2);
    cm_secure_free(t1, 0);
    cm_secure_free(t2, 0);
    CU_ASSERT_PTR_NULL(cm_random_token(0));

    uint8_t z[32] = {0};
    CU_ASSERT_EQUAL(cm_random_bytes(z, sizeof(z)), CM_OK);
    static const uint8_t zero[32];
    CU_ASSERT(memcmp(z, zero, sizeof(z)) != 0);
    CU_ASSERT_EQUAL(cm_random_bytes(NULL, 0), CM_OK);
    CU_ASSERT_EQUAL(cm_random_bytes(NULL, 1), CM_EINVAL);
}

/* A child process must not hand out the pooled bytes its parent hands out next: the pool it inherited is dropped. */
static void test_random_pool_fork(void)
{
    uint8_t first[16], parent_next[16], child_next[16];
    CU_ASSERT_EQUAL_FATAL(cm_random_pooled(first, sizeof(first)), CM_OK); /* the pool is filled now */
    int fds[2];
    CU_ASSERT_EQUAL_FATAL(pipe(fds), 0);
    pid_t pid = fork();
    CU_ASSERT_FATAL(pid >= 0);
    if (pid == 0) {
        uint8_t b[16];
        int ok = cm_random_pooled(b, sizeof(b)) == CM_OK && write(fds[1], b, sizeof(b)) == (ssize_t)sizeof(b);
        _exit(ok ? 0 : 1);
    }
    close(fds[1]);
    CU_ASSERT_EQUAL(read(fds[0], child_next, sizeof(child_next)), (ssize_t)sizeof(child_next));
    close(fds[0]);
    int st = 0;
    CU_ASSERT_EQUAL(waitpid(pid, &st, 0), pid);
    CU_ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    CU_ASSERT_EQUAL(cm_random_pooled(parent_next, sizeof(parent_next)), CM_OK);
    CU_ASSERT(memcmp(parent_next, child_next, sizeof(child_next)) != 0);
    CU_ASSERT(memcmp(first, parent_next, sizeof(first)) != 0);
}

static void test_wipe(void)
{
    char buf[8];
    memcpy(buf, "secret!", 8);
    cm_wipe(buf, sizeof(buf));
    static const char zero[8];
    CU_ASSERT(memcmp(buf, zero, sizeof(buf)) == 0);
    cm_wipe(NULL, 4);
    cm_secure_free(NULL, 0);
    char *s = malloc(8);
    CU_ASSERT_FATAL(s != NULL);
    memcpy(s, "secret!", 8);
    cm_secure_free(s, 0); /* strlen path; ASan checks the bounds */
}

void tests_register(void)
{
    CU_SUITE("crypto", NULL, NULL, {"sha256", test_sha256}, {"hmac_rfc4231", test_hmac_rfc4231},
             {"hmac_empty", test_hmac_empty}, {"hkdf_rfc5869", test_hkdf_rfc5869}, {"hex", test_hex},
             {"pkce_rfc7636", test_pkce}, {"gcm_roundtrip", test_gcm_roundtrip}, {"gcm_tamper", test_gcm_tamper},
             {"b64url", test_b64url}, {"b64_std", test_b64_std}, {"uuid", test_uuid}, {"ct_compare", test_ct_compare},
             {"random", test_random}, {"random_pool_fork", test_random_pool_fork}, {"wipe", test_wipe});
}
