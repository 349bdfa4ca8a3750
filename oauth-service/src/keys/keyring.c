/*
 * keyring.c - the data encryption key ring (see keyring.h).
 */
#include "keys/keyring.h"
#include "keys/keyfile.h"

#include "common/crypto.h"
#include "common/status.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

/* One label per purpose: changing a label invalidates everything sealed for that purpose. */
static const char *const purpose_labels[OB_KEY_PURPOSES] = {
    [OB_KEY_CREDENTIALS] = "oauth-broker credentials aes-256-gcm v1",
    [OB_KEY_STATE] = "oauth-broker oauth-state aes-256-gcm v1",
};

struct ob_key_entry {
    char id[OB_KEY_ID_MAX + 1];
    uint8_t sub[OB_KEY_PURPOSES][CM_AES_KEY_LEN];
};

struct ob_keyring {
    size_t n;
    int locked; /* mlock succeeded */
    struct ob_key_entry keys[OB_KEYRING_MAX];
};

static int id_ok(const char *s, size_t n)
{
    if (n == 0 || n > OB_KEY_ID_MAX)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
              c == '-'))
            return 0;
    }
    return 1;
}

/* Parses one trimmed entry "<id><sep><hex>" into kr->keys[kr->n]. */
static int parse_entry(ob_keyring_t *kr, const char *s, size_t n, size_t entry_no, char *err, size_t errsz)
{
    uint8_t raw[CM_AES_KEY_LEN];
    char hex[2 * CM_AES_KEY_LEN + 1];
    size_t idlen = 0; /* s holds n bytes and is not NUL-terminated: no str* scan on it */
    while (idlen < n && s[idlen] != ' ' && s[idlen] != '\t' && s[idlen] != ':')
        idlen++;
    if (idlen >= n || !id_ok(s, idlen)) {
        snprintf(err, errsz, "key entry %zu: expected \"<id> <64 hex chars>\" with id [A-Za-z0-9._-]{1,64}", entry_no);
        return CM_EINVAL;
    }
    size_t p = idlen;
    while (p < n && (s[p] == ' ' || s[p] == '\t' || s[p] == ':'))
        p++;
    if (n - p != 2 * CM_AES_KEY_LEN) {
        snprintf(err, errsz, "key entry %zu: the key must be exactly 64 hex chars (32 bytes)", entry_no);
        return CM_EINVAL;
    }
    memcpy(hex, s + p, n - p);
    hex[n - p] = '\0';
    size_t rawlen = 0;
    int rc = cm_hex_decode(hex, raw, sizeof(raw), &rawlen);
    cm_wipe(hex, sizeof(hex));
    if (rc != CM_OK || rawlen != CM_AES_KEY_LEN) {
        cm_wipe(raw, sizeof(raw));
        snprintf(err, errsz, "key entry %zu: the key is not valid hex", entry_no);
        return CM_EINVAL;
    }
    if (kr->n == OB_KEYRING_MAX) {
        cm_wipe(raw, sizeof(raw));
        snprintf(err, errsz, "too many keys (at most %d)", OB_KEYRING_MAX);
        return CM_EINVAL;
    }
    struct ob_key_entry *e = &kr->keys[kr->n];
    memcpy(e->id, s, idlen);
    e->id[idlen] = '\0';
    for (size_t i = 0; i < kr->n; i++) {
        if (strcmp(kr->keys[i].id, e->id) == 0) {
            cm_wipe(raw, sizeof(raw));
            snprintf(err, errsz, "key entry %zu: duplicate key id \"%s\"", entry_no, e->id);
            return CM_EINVAL;
        }
    }
    for (int purpose = 0; purpose < OB_KEY_PURPOSES; purpose++) {
        if (cm_hkdf_sha256(raw, sizeof(raw), NULL, 0, purpose_labels[purpose], e->sub[purpose], CM_AES_KEY_LEN) !=
            CM_OK) {
            cm_wipe(raw, sizeof(raw));
            snprintf(err, errsz, "key entry %zu: key derivation failed", entry_no);
            return CM_ERR;
        }
    }
    cm_wipe(raw, sizeof(raw));
    kr->n++;
    return CM_OK;
}

int ob_keyring_parse(const char *text, size_t len, ob_keyring_t **out, char *err, size_t errsz)
{
    int rc;
    size_t entry_no = 0;
    *out = NULL;
    ob_keyring_t *kr = calloc(1, sizeof(*kr));
    if (kr == NULL)
        return CM_ENOMEM;
    kr->locked = mlock(kr, sizeof(*kr)) == 0;
    size_t i = 0;
    int line_start = 1;
    while (i < len) {
        size_t start = i;
        size_t first = i;
        while (first < len && (text[first] == ' ' || text[first] == '\t' || text[first] == '\r'))
            first++;
        if (line_start && first < len && text[first] == '#') {
            /* a comment line runs to the newline: ',' and ';' inside it separate nothing */
            while (i < len && text[i] != '\n')
                i++;
            i++;
            continue;
        }
        while (i < len && text[i] != '\n' && text[i] != ',' && text[i] != ';')
            i++;
        line_start = i >= len || text[i] == '\n';
        size_t end = i++;
        while (start < end && memchr(" \t\r", text[start], 3) != NULL)
            start++;
        while (end > start && memchr(" \t\r", text[end - 1], 3) != NULL)
            end--;
        if (start == end || text[start] == '#')
            continue;
        entry_no++;
        if ((rc = parse_entry(kr, text + start, end - start, entry_no, err, errsz)) != CM_OK)
            goto out_free_kr;
    }
    if (kr->n == 0) {
        snprintf(err, errsz, "no keys (expected lines \"<id> <64 hex chars>\")");
        rc = CM_EINVAL;
        goto out_free_kr;
    }
    *out = kr;
    return CM_OK;

out_free_kr:
    ob_keyring_free(kr);
    return rc;
}

int ob_keyring_load_file(const char *path, ob_keyring_t **out, char *err, size_t errsz)
{
    char *text = NULL, sub[256];
    size_t len = 0;
    *out = NULL;
    int rc = ob_keyfile_read(path, 64 * 1024, &text, &len, err, errsz);
    if (rc != CM_OK)
        return rc;
    rc = ob_keyring_parse(text, len, out, sub, sizeof(sub));
    cm_secure_free(text, len);
    if (rc != CM_OK)
        snprintf(err, errsz, "%s: %s", path, sub);
    return rc;
}

void ob_keyring_free(ob_keyring_t *kr)
{
    if (kr == NULL)
        return;
    cm_wipe(kr, sizeof(*kr));
    munlock(kr, sizeof(*kr));
    free(kr);
}

size_t ob_keyring_count(const ob_keyring_t *kr)
{
    return kr ? kr->n : 0;
}

const char *ob_keyring_primary(const ob_keyring_t *kr)
{
    return kr && kr->n ? kr->keys[kr->n - 1].id : NULL;
}

const char *ob_keyring_id_at(const ob_keyring_t *kr, size_t i)
{
    return kr && i < kr->n ? kr->keys[i].id : NULL;
}

const uint8_t *ob_keyring_subkey(const ob_keyring_t *kr, const char *id, int purpose)
{
    if (kr == NULL || id == NULL || purpose < 0 || purpose >= OB_KEY_PURPOSES)
        return NULL;
    for (size_t i = kr->n; i-- > 0;) {
        if (strcmp(kr->keys[i].id, id) == 0)
            return kr->keys[i].sub[purpose];
    }
    return NULL;
}

int ob_keyring_seal(const ob_keyring_t *kr, int purpose, const void *aad, size_t aadlen, const void *pt, size_t len,
                    uint8_t **out, size_t *outlen, const char **key_id)
{
    *out = NULL;
    const char *id = ob_keyring_primary(kr);
    const uint8_t *k = ob_keyring_subkey(kr, id, purpose);
    if (k == NULL)
        return CM_EINVAL;
    int rc = cm_aead_seal(k, aad, aadlen, pt, len, out, outlen);
    if (rc == CM_OK && key_id != NULL)
        *key_id = id;
    return rc;
}

int ob_keyring_open(const ob_keyring_t *kr, int purpose, const char *key_id, const void *aad, size_t aadlen,
                    const uint8_t *in, size_t inlen, uint8_t **out, size_t *outlen)
{
    *out = NULL;
    const uint8_t *k = ob_keyring_subkey(kr, key_id, purpose);
    if (k == NULL)
        return CM_ENOTFOUND;
    return cm_aead_open(k, aad, aadlen, in, inlen, out, outlen);
}

int ob_keyring_new_line(const char *id, char *out, size_t outsz)
{
    uint8_t raw[CM_AES_KEY_LEN];
    char hex[2 * CM_AES_KEY_LEN + 1], gen[OB_KEY_ID_MAX + 1], rnd[5];
    if (id == NULL) {
        time_t now = time(NULL);
        struct tm tm;
        gmtime_r(&now, &tm);
        char ts[32];
        strftime(ts, sizeof(ts), "%Y%m%dT%H%M%SZ", &tm);
        if (cm_random_hex(rnd, sizeof(rnd), 2) != CM_OK)
            return CM_ERR;
        snprintf(gen, sizeof(gen), "k%s-%s", ts, rnd);
        id = gen;
    }
    if (!id_ok(id, strlen(id)) || outsz < strlen(id) + 2 * CM_AES_KEY_LEN + 3)
        return CM_EINVAL;
    if (cm_random_bytes(raw, sizeof(raw)) != CM_OK)
        return CM_ERR;
    cm_hex_encode(raw, sizeof(raw), hex, sizeof(hex));
    snprintf(out, outsz, "%s %s\n", id, hex);
    cm_wipe(raw, sizeof(raw));
    cm_wipe(hex, sizeof(hex));
    return CM_OK;
}
