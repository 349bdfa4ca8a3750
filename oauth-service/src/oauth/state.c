/*
 * state.c - sealing and opening the OAuth state (see state.h).
 */
#include "oauth/state.h"

#include "common/crypto.h"
#include "common/url.h"
#include "common/status.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STATE_VERSION 0x01
#define AAD_PREFIX "ob-state-v1"

static size_t build_aad(char *buf, size_t bufsz, const char *key_id)
{
    size_t a = sizeof(AAD_PREFIX), b = strlen(key_id);
    if (a + b > bufsz)
        return 0;
    memcpy(buf, AAD_PREFIX, a);
    memcpy(buf + a, key_id, b);
    return a + b;
}

static int copy_str(char *dst, size_t dstsz, const char *src)
{
    size_t n = src ? strlen(src) : 0;
    if (n >= dstsz)
        return CM_EINVAL;
    memcpy(dst, src ? src : "", n + 1);
    return CM_OK;
}

int ob_state_init(ob_state_t *st, const char *instance_id, const char *provider, int pkce, int64_t now, int ttl_s)
{
    uint8_t rnd[24 + 48]; /* one draw: nonce (24 bytes) and PKCE verifier (48 bytes -> 64 chars, RFC 7636 4.1) */
    memset(st, 0, sizeof(*st));
    if (copy_str(st->instance_id, sizeof(st->instance_id), instance_id ? instance_id : "") != CM_OK ||
        copy_str(st->provider, sizeof(st->provider), provider) != CM_OK)
        return CM_EINVAL;
    if (cm_random_pooled(rnd, pkce ? sizeof(rnd) : 24) != CM_OK)
        return CM_ERR;
    char *nonce = cm_b64url_encode(rnd, 24);
    char *verifier = pkce ? cm_b64url_encode(rnd + 24, 48) : NULL;
    cm_wipe(rnd, sizeof(rnd));
    int rc = CM_ERR;
    if (nonce != NULL && copy_str(st->nonce, sizeof(st->nonce), nonce) == CM_OK &&
        (!pkce || (verifier != NULL && copy_str(st->verifier, sizeof(st->verifier), verifier) == CM_OK)))
        rc = CM_OK;
    cm_secure_free(nonce, 0);
    cm_secure_free(verifier, 0);
    st->expires_at = now + ttl_s;
    return rc;
}

/*
 * Plaintext layout (binary, every length checked on the way in):
 *   flags(1: bit 0 = popup, bit 1 = the nonce did not go out as the OIDC nonce) | expires_at (8, big-endian) |
 *   len(1) instance id | len(1) provider | len(1) verifier | len(1) nonce | len(2, big-endian) return URL
 *   [ | len(1) request hash, when bit 2 (login) or bit 3 (proof) is set ]
 */
#define FLAG_POPUP 0x01
#define FLAG_NONCE_NOT_SENT 0x02
#define FLAG_AS_LOGIN 0x04
#define FLAG_AS_PROOF 0x08

static int put_str(cm_buf_t *b, const char *s, size_t lenbytes)
{
    size_t n = strlen(s);
    unsigned char hdr[2] = {(unsigned char)(n >> 8), (unsigned char)n};
    if ((lenbytes == 1 && n > 255) || n > 65535)
        return CM_EINVAL;
    cm_buf_append(b, (const char *)hdr + (2 - lenbytes), lenbytes);
    return cm_buf_append(b, s, n);
}

char *ob_state_seal(const ob_keyring_t *kr, const ob_state_t *st)
{
    char aad[128];
    uint8_t *ct = NULL, *blob = NULL;
    size_t ctlen = 0;
    const char *kid = NULL;
    char *out = NULL;
    cm_buf_t b = {0};
    unsigned char head[9];
    head[0] = (unsigned char)((st->popup ? FLAG_POPUP : 0) | (st->nonce_not_sent ? FLAG_NONCE_NOT_SENT : 0) |
                              (st->kind == OB_STATE_AS_LOGIN   ? FLAG_AS_LOGIN
                               : st->kind == OB_STATE_AS_PROOF ? FLAG_AS_PROOF
                                                               : 0));
    for (int i = 0; i < 8; i++)
        head[1 + i] = (unsigned char)((uint64_t)st->expires_at >> (56 - 8 * i));
    cm_buf_append(&b, (const char *)head, sizeof(head));
    if (put_str(&b, st->instance_id, 1) != CM_OK || put_str(&b, st->provider, 1) != CM_OK ||
        put_str(&b, st->verifier, 1) != CM_OK || put_str(&b, st->nonce, 1) != CM_OK ||
        put_str(&b, st->return_url, 2) != CM_OK ||
        (st->kind != OB_STATE_INSTANCE && put_str(&b, st->as_request, 1) != CM_OK) || b.failed) {
        cm_buf_free(&b);
        return NULL;
    }
    size_t ptlen = b.len;
    char *pt = cm_buf_take(&b);
    if (pt == NULL)
        return NULL;
    const char *primary = ob_keyring_primary(kr);
    size_t aadlen = primary ? build_aad(aad, sizeof(aad), primary) : 0;
    if (aadlen == 0 || ob_keyring_seal(kr, OB_KEY_STATE, aad, aadlen, pt, ptlen, &ct, &ctlen, &kid) != CM_OK)
        goto out_free_pt;
    size_t kidlen = strlen(kid);
    size_t bloblen = 2 + kidlen + ctlen;
    if ((blob = malloc(bloblen)) == NULL)
        goto out_free_ct;
    blob[0] = STATE_VERSION;
    blob[1] = (uint8_t)kidlen;
    memcpy(blob + 2, kid, kidlen);
    memcpy(blob + 2 + kidlen, ct, ctlen);
    out = cm_b64url_encode(blob, bloblen);
    free(blob);
out_free_ct:
    free(ct);
out_free_pt:
    cm_secure_free(pt, ptlen);
    return out;
}

/* Reads a length-prefixed string into dst and advances *p. CM_EINVAL when it overruns, holds a NUL or does not
 * fit dst. */
static int get_str(const uint8_t **p, const uint8_t *end, size_t lenbytes, char *dst, size_t dstsz)
{
    if ((size_t)(end - *p) < lenbytes)
        return CM_EINVAL;
    size_t n = lenbytes == 1 ? (*p)[0] : ((size_t)(*p)[0] << 8) | (*p)[1];
    *p += lenbytes;
    if ((size_t)(end - *p) < n || n >= dstsz || memchr(*p, '\0', n) != NULL)
        return CM_EINVAL;
    memcpy(dst, *p, n);
    dst[n] = '\0';
    *p += n;
    return CM_OK;
}

static int parse(ob_state_t *st, const uint8_t *pt, size_t len)
{
    if (len < 9 || (pt[0] & ~(FLAG_POPUP | FLAG_NONCE_NOT_SENT | FLAG_AS_LOGIN | FLAG_AS_PROOF)) != 0 ||
        (pt[0] & FLAG_AS_LOGIN && pt[0] & FLAG_AS_PROOF))
        return CM_EINVAL;
    const uint8_t *p = pt + 9, *end = pt + len;
    uint64_t exp = 0;
    for (int i = 0; i < 8; i++)
        exp = (exp << 8) | pt[1 + i];
    st->expires_at = (int64_t)exp;
    st->popup = (pt[0] & FLAG_POPUP) != 0;
    st->nonce_not_sent = (pt[0] & FLAG_NONCE_NOT_SENT) != 0;
    st->kind = (pt[0] & FLAG_AS_LOGIN)   ? OB_STATE_AS_LOGIN
               : (pt[0] & FLAG_AS_PROOF) ? OB_STATE_AS_PROOF
                                         : OB_STATE_INSTANCE;
    if (get_str(&p, end, 1, st->instance_id, sizeof(st->instance_id)) != CM_OK ||
        get_str(&p, end, 1, st->provider, sizeof(st->provider)) != CM_OK ||
        get_str(&p, end, 1, st->verifier, sizeof(st->verifier)) != CM_OK ||
        get_str(&p, end, 1, st->nonce, sizeof(st->nonce)) != CM_OK ||
        get_str(&p, end, 2, st->return_url, sizeof(st->return_url)) != CM_OK ||
        (st->kind != OB_STATE_INSTANCE && get_str(&p, end, 1, st->as_request, sizeof(st->as_request)) != CM_OK) ||
        p != end)
        return CM_EINVAL;
    if (st->kind != OB_STATE_INSTANCE && strlen(st->as_request) != 64)
        return CM_EINVAL;
    /* a service URL sign-in has no instance yet */
    int inst_ok = st->kind == OB_STATE_AS_LOGIN ? st->instance_id[0] == '\0' : cm_uuid_valid(st->instance_id);
    return inst_ok && st->provider[0] != '\0' && strlen(st->nonce) >= 16 ? CM_OK : CM_EINVAL;
}

int ob_state_open(const ob_keyring_t *kr, const char *text, int64_t now, ob_state_t *st)
{
    char aad[128], kid[OB_KEY_ID_MAX + 1];
    size_t bloblen = 0, ptlen = 0;
    uint8_t *pt = NULL;
    int rc = CM_EINVAL;

    memset(st, 0, sizeof(*st));
    if (text == NULL || strlen(text) > OB_STATE_MAX_LEN)
        return CM_EINVAL;
    uint8_t *blob = cm_b64url_decode(text, strlen(text), &bloblen);
    if (blob == NULL)
        return CM_EINVAL;
    if (bloblen < 2 || blob[0] != STATE_VERSION || blob[1] == 0 || blob[1] > OB_KEY_ID_MAX ||
        bloblen < 2 + (size_t)blob[1] + CM_GCM_IV_LEN + CM_GCM_TAG_LEN)
        goto out_free_blob;
    size_t kidlen = blob[1];
    memcpy(kid, blob + 2, kidlen);
    kid[kidlen] = '\0';
    if (strlen(kid) != kidlen)
        goto out_free_blob;
    size_t aadlen = build_aad(aad, sizeof(aad), kid);
    if (aadlen == 0 || ob_keyring_open(kr, OB_KEY_STATE, kid, aad, aadlen, blob + 2 + kidlen, bloblen - 2 - kidlen, &pt,
                                       &ptlen) != CM_OK)
        goto out_free_blob;
    rc = parse(st, pt, ptlen);
    if (rc == CM_OK && st->expires_at <= now)
        rc = CM_ETIMEDOUT;
    if (rc == CM_EINVAL)
        memset(st, 0, sizeof(*st));
    cm_secure_free(pt, ptlen);
out_free_blob:
    free(blob);
    return rc;
}

void ob_state_wipe(ob_state_t *st)
{
    cm_wipe(st->verifier, sizeof(st->verifier));
    cm_wipe(st->nonce, sizeof(st->nonce));
}
