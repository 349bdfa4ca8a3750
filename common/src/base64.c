/*
 * base64.c - base64 and base64url (RFC 4648), strict on decode (common/crypto.h).
 */
#include "common/crypto.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

/* Standard base64 with padding; EVP_EncodeBlock works on int lengths, so encode in whole 3-byte groups. */
static char *b64_encode_std(const void *in, size_t len)
{
    if (in == NULL && len > 0)
        return NULL;
    if (len > (SIZE_MAX / 4 - 1) * 3)
        return NULL;
    size_t outsz = 4 * ((len + 2) / 3) + 1;
    char *out = malloc(outsz);
    if (out == NULL)
        return NULL;
    const unsigned char *p = in;
    size_t o = 0;
    const size_t max_chunk = (size_t)3 * 1024 * 1024;
    while (len > 0) {
        size_t n = len > max_chunk ? max_chunk : len;
        int w = EVP_EncodeBlock((unsigned char *)out + o, p, (int)n);
        if (w < 0) {
            free(out);
            return NULL;
        }
        o += (size_t)w;
        p += n;
        len -= n;
    }
    out[o] = '\0';
    return out;
}

static int b64_char_ok(unsigned char c, int url)
{
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
        return 1;
    return url ? (c == '-' || c == '_') : (c == '+' || c == '/');
}

/* Index of c in the base64 alphabet (c already validated). */
static int b64_index(unsigned char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    return (c == '+' || c == '-') ? 62 : 63;
}

/*
 * Strict decoder shared by both alphabets: only alphabet characters, '=' only as trailing padding
 * that completes a 4-character group, no impossible lengths, and unused trailing bits must be zero
 * (so each byte string has exactly one accepted encoding). Padding is optional for base64url and
 * required for standard base64.
 */
static uint8_t *b64_decode_any(const char *in, size_t inlen, int url, size_t *outlen)
{
    if (outlen != NULL)
        *outlen = 0;
    if (in == NULL && inlen > 0)
        return NULL;
    size_t pad = 0;
    while (pad < 2 && inlen > pad && in[inlen - 1 - pad] == '=')
        pad++;
    size_t n = inlen - pad; /* data characters */
    if (pad > 0 && inlen % 4 != 0)
        return NULL;
    if (!url && inlen % 4 != 0)
        return NULL;
    if (n % 4 == 1)
        return NULL;
    if (pad > 0 && (n % 4) + pad != 4)
        return NULL;
    for (size_t i = 0; i < n; i++)
        if (!b64_char_ok((unsigned char)in[i], url))
            return NULL;
    size_t rem = n % 4;
    if (rem == 2 && (b64_index((unsigned char)in[n - 1]) & 0x0f) != 0)
        return NULL;
    if (rem == 3 && (b64_index((unsigned char)in[n - 1]) & 0x03) != 0)
        return NULL;

    /* Rebuild a padded standard-alphabet copy for EVP_DecodeBlock, in chunks of whole groups. */
    size_t full = n / 4;
    size_t decoded = full * 3 + (rem == 0 ? 0 : rem - 1);
    size_t alloc = full * 3 + (rem == 0 ? 0 : 3) + 1; /* the last group is decoded with its padding bytes */
    uint8_t *out = malloc(alloc);
    if (out == NULL)
        return NULL;
    unsigned char tmp[4096 + 4];
    size_t i = 0, o = 0;
    while (i < n) {
        size_t take = n - i > 4096 ? 4096 : n - i;
        for (size_t k = 0; k < take; k++) {
            unsigned char c = (unsigned char)in[i + k];
            tmp[k] = c == '-' ? '+' : c == '_' ? '/' : c;
        }
        size_t tl = take;
        while (tl % 4 != 0)
            tmp[tl++] = '=';
        int w = EVP_DecodeBlock(out + o, tmp, (int)tl);
        if (w < 0 || (size_t)w != tl / 4 * 3) {
            OPENSSL_cleanse(tmp, sizeof(tmp));
            cm_secure_free(out, alloc);
            return NULL;
        }
        o += tl / 4 * 3 - (tl - take); /* EVP_DecodeBlock counts padding as zero bytes */
        i += take;
    }
    OPENSSL_cleanse(tmp, sizeof(tmp));
    out[decoded] = '\0';
    if (outlen != NULL)
        *outlen = decoded;
    return out;
}

char *cm_b64url_encode(const void *in, size_t len)
{
    char *s = b64_encode_std(in, len);
    if (s == NULL)
        return NULL;
    size_t o = 0;
    for (size_t i = 0; s[i] != '\0'; i++) {
        if (s[i] == '=')
            break;
        s[o++] = s[i] == '+' ? '-' : s[i] == '/' ? '_' : s[i];
    }
    s[o] = '\0';
    return s;
}

uint8_t *cm_b64url_decode(const char *in, size_t inlen, size_t *outlen)
{
    return b64_decode_any(in, inlen, 1, outlen);
}

char *cm_b64_encode(const void *in, size_t len)
{
    return b64_encode_std(in, len);
}

uint8_t *cm_b64_decode(const char *in, size_t inlen, size_t *outlen)
{
    return b64_decode_any(in, inlen, 0, outlen);
}
