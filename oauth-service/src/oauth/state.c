/*
 * state.c - sealing and opening the OAuth state (see state.h).
 */
#include "oauth/state.h"

#include "common/crypto.h"
#include "common/json_util.h"
#include "common/status.h"

#include <jansson.h>
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
    if (copy_str(st->instance_id, sizeof(st->instance_id), instance_id) != CM_OK ||
        copy_str(st->provider, sizeof(st->provider), provider) != CM_OK)
        return CM_EINVAL;
    if (cm_random_bytes(rnd, pkce ? sizeof(rnd) : 24) != CM_OK)
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

char *ob_state_seal(const ob_keyring_t *kr, const ob_state_t *st)
{
    char aad[128];
    uint8_t *ct = NULL, *blob = NULL;
    size_t ctlen = 0;
    const char *kid = NULL;
    char *out = NULL;

    json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:I}", "i", st->instance_id, "p", st->provider, "v", st->verifier,
                          "n", st->nonce, "e", (json_int_t)st->expires_at);
    if (o == NULL)
        return NULL;
    if (st->popup)
        json_object_set_new(o, "w", json_true());
    if (st->return_url[0] != '\0')
        json_object_set_new(o, "r", json_string(st->return_url));
    char *pt = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    if (pt == NULL)
        return NULL;
    const char *primary = ob_keyring_primary(kr);
    size_t aadlen = primary ? build_aad(aad, sizeof(aad), primary) : 0;
    if (aadlen == 0 || ob_keyring_seal(kr, OB_KEY_STATE, aad, aadlen, pt, strlen(pt), &ct, &ctlen, &kid) != CM_OK)
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
    cm_secure_free(pt, 0);
    return out;
}

static int fill(ob_state_t *st, const json_t *o)
{
    int ok = 0;
    json_t *e = json_object_get(o, "e");
    json_t *w = json_object_get(o, "w");
    if (!json_is_integer(e) || (w != NULL && !json_is_boolean(w)))
        return CM_EINVAL;
    const char *r = cm_json_str(o, "r");
    if (copy_str(st->instance_id, sizeof(st->instance_id), cm_json_str(o, "i")) != CM_OK ||
        copy_str(st->provider, sizeof(st->provider), cm_json_str(o, "p")) != CM_OK ||
        copy_str(st->verifier, sizeof(st->verifier), cm_json_str(o, "v")) != CM_OK ||
        copy_str(st->nonce, sizeof(st->nonce), cm_json_str(o, "n")) != CM_OK ||
        copy_str(st->return_url, sizeof(st->return_url), r) != CM_OK)
        return CM_EINVAL;
    ok = cm_uuid_valid(st->instance_id) && st->provider[0] != '\0' && strlen(st->nonce) >= 16;
    st->expires_at = json_integer_value(e);
    st->popup = json_is_true(w);
    return ok ? CM_OK : CM_EINVAL;
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
    if (aadlen == 0 || ob_keyring_open(kr, OB_KEY_STATE, kid, aad, aadlen, blob + 2 + kidlen, bloblen - 2 - kidlen,
                                       &pt, &ptlen) != CM_OK)
        goto out_free_blob;
    json_t *o = cm_json_loadb((const char *)pt, ptlen, NULL);
    rc = json_is_object(o) ? fill(st, o) : CM_EINVAL;
    json_decref(o);
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
