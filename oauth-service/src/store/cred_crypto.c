/*
 * cred_crypto.c - AES-256-GCM of credential fields bound to their row and column (see cred_crypto.h).
 */
#include "store/cred_crypto.h"

#include "common/crypto.h"
#include "common/log.h"
#include "common/status.h"

#include <stdlib.h>
#include <string.h>

#define AAD_PREFIX "ob-cred-v1"

/* Builds the associated data into buf; returns its length or 0 when it does not fit. */
static size_t build_aad(char *buf, size_t bufsz, const char *instance_id, const char *field)
{
    size_t a = sizeof(AAD_PREFIX), b = strlen(instance_id) + 1, c = strlen(field);
    if (a + b + c > bufsz)
        return 0;
    memcpy(buf, AAD_PREFIX, a);
    for (size_t i = 0; i < b; i++) {
        char ch = instance_id[i];
        buf[a + i] = (ch >= 'A' && ch <= 'Z') ? (char)(ch - 'A' + 'a') : ch;
    }
    memcpy(buf + a + b, field, c);
    return a + b + c;
}

char *ob_bytea_encode(const unsigned char *in, size_t len)
{
    char *out = malloc(2 * len + 3);
    if (out == NULL)
        return NULL;
    out[0] = '\\';
    out[1] = 'x';
    cm_hex_encode(in, len, out + 2, 2 * len + 1);
    if (len == 0)
        out[2] = '\0';
    return out;
}

unsigned char *ob_bytea_decode(const char *text, size_t *outlen)
{
    if (text == NULL || text[0] != '\\' || text[1] != 'x')
        return NULL;
    size_t hexlen = strlen(text + 2);
    if (hexlen % 2 != 0)
        return NULL;
    unsigned char *out = malloc(hexlen / 2 + 1);
    if (out == NULL)
        return NULL;
    size_t n = 0;
    if (hexlen > 0 && cm_hex_decode(text + 2, out, hexlen / 2 + 1, &n) != CM_OK) {
        free(out);
        return NULL;
    }
    *outlen = n;
    return out;
}

int ob_cred_seal(const ob_keyring_t *kr, const char *instance_id, const char *field, const char *value, size_t len,
                 char **bytea_hex, const char **key_id)
{
    char aad[160];
    uint8_t *ct = NULL;
    size_t ctlen = 0;
    *bytea_hex = NULL;
    if (kr == NULL || instance_id == NULL || field == NULL || value == NULL || len > OB_CRED_MAX_VALUE)
        return CM_EINVAL;
    size_t aadlen = build_aad(aad, sizeof(aad), instance_id, field);
    if (aadlen == 0)
        return CM_EINVAL;
    int rc = ob_keyring_seal(kr, OB_KEY_CREDENTIALS, aad, aadlen, value, len, &ct, &ctlen, key_id);
    if (rc != CM_OK)
        return rc;
    *bytea_hex = ob_bytea_encode(ct, ctlen);
    free(ct);
    return *bytea_hex ? CM_OK : CM_ENOMEM;
}

int ob_cred_open(const ob_keyring_t *kr, const char *instance_id, const char *field, const char *key_id,
                 const char *bytea_hex, char **out, size_t *outlen)
{
    char aad[160];
    size_t ctlen = 0;
    *out = NULL;
    if (kr == NULL || instance_id == NULL || field == NULL || key_id == NULL || bytea_hex == NULL)
        return CM_EINVAL;
    size_t aadlen = build_aad(aad, sizeof(aad), instance_id, field);
    if (aadlen == 0)
        return CM_EINVAL;
    unsigned char *ct = ob_bytea_decode(bytea_hex, &ctlen);
    if (ct == NULL)
        return CM_EINVAL;
    uint8_t *pt = NULL;
    int rc = ob_keyring_open(kr, OB_KEY_CREDENTIALS, key_id, aad, aadlen, ct, ctlen, &pt, outlen);
    free(ct);
    *out = (char *)pt;
    return rc;
}

char *ob_cred_open_column(const ob_keyring_t *kr, const char *instance_id, const char *field, const PGresult *res,
                          int col)
{
    char *out = NULL;
    size_t len = 0;
    if (PQgetisnull(res, 0, col) || PQgetisnull(res, 0, col + 1))
        return NULL;
    if (ob_cred_open(kr, instance_id, field, PQgetvalue(res, 0, col + 1), PQgetvalue(res, 0, col), &out, &len) !=
        CM_OK) {
        cm_warn("store", "instance %s: the stored %s does not open", instance_id, field);
        return NULL;
    }
    return out;
}
