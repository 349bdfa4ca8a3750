/*
 * signing_keys.c - loading, creating, rotating and publishing the access token signing keys (signing_keys.h).
 *
 * Storage of the private part (as_signing_keys.private_key, bytea): "<data key id>" NUL <sealed PKCS#8 DER>, sealed
 * with ob_keyring_seal (purpose credentials) and associated data "ob-as-key-v1" NUL <kid>, so a sealed key moved to
 * another row does not open.
 */
#include "as/signing_keys.h"

#include "db/pq_util.h"
#include "keys/keys.h"
#include "store/cred_crypto.h"

#include "common/crypto.h"
#include "common/json_util.h"
#include "common/log.h"
#include "common/status.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define AAD_PREFIX "ob-as-key-v1"
/* Every replica creating its first key takes this transaction lock: one creates, the others then see its key. */
#define KEYS_LOCK "SELECT pg_advisory_xact_lock(7308411020260001)"

/* floor(): a key created at 12.9 s must sign at 12 s (ob_now() truncates), not from 13 s */
static const char sql_load[] =
    "SELECT kid, alg, private_key, public_jwk::text, floor(extract(epoch FROM created_at))::bigint,"
    "       floor(extract(epoch FROM not_before))::bigint, floor(extract(epoch FROM retired_at))::bigint,"
    "       floor(extract(epoch FROM expires_at))::bigint"
    "  FROM as_signing_keys WHERE expires_at IS NULL OR expires_at > now() ORDER BY not_before, created_at";

static size_t aad_of(const char *kid, char *aad, size_t aadsz)
{
    int n = snprintf(aad, aadsz, "%s%c%s", AAD_PREFIX, '\0', kid);
    return n < 0 || (size_t)n >= aadsz ? 0 : (size_t)n;
}

/* The bytea hex text of a sealed private key, malloc'ed; NULL on failure. */
static char *seal_key(const ob_keyring_t *kr, const cm_jwk_t *k)
{
    uint8_t *der = NULL, *sealed = NULL;
    size_t der_len = 0, sealed_len = 0;
    const char *key_id = NULL;
    char aad[128], *hex = NULL;
    size_t aad_len = aad_of(cm_jwk_kid(k), aad, sizeof(aad));
    if (aad_len == 0 || cm_jwk_private_der(k, &der, &der_len) != CM_OK)
        return NULL;
    if (ob_keyring_seal(kr, OB_KEY_CREDENTIALS, aad, aad_len, der, der_len, &sealed, &sealed_len, &key_id) != CM_OK)
        goto out_free_der;
    size_t idl = strlen(key_id), total = idl + 1 + sealed_len;
    uint8_t *buf = malloc(total);
    if (buf != NULL) {
        memcpy(buf, key_id, idl + 1);
        memcpy(buf + idl + 1, sealed, sealed_len);
        hex = ob_bytea_encode(buf, total);
        free(buf);
    }
    free(sealed);
out_free_der:
    cm_secure_free(der, der_len);
    return hex;
}

/* Opens a stored private key into a cm_jwk_t (caller's), or NULL (logged). */
static cm_jwk_t *open_key(const ob_keyring_t *kr, const char *kid, const char *bytea_hex)
{
    size_t len = 0, der_len = 0;
    uint8_t *der = NULL;
    cm_jwk_t *k = NULL;
    unsigned char *raw = ob_bytea_decode(bytea_hex, &len);
    const unsigned char *nul = raw ? memchr(raw, '\0', len) : NULL;
    char aad[128];
    size_t aad_len = aad_of(kid, aad, sizeof(aad));
    if (nul == NULL || aad_len == 0) {
        cm_error("as", "signing key %s: malformed stored key", kid);
        goto out_free_raw;
    }
    size_t off = (size_t)(nul - raw) + 1;
    int rc =
        ob_keyring_open(kr, OB_KEY_CREDENTIALS, (const char *)raw, aad, aad_len, raw + off, len - off, &der, &der_len);
    if (rc != CM_OK) {
        cm_error("as", "signing key %s does not open (%s): its data key is missing or the row was altered", kid,
                 cm_status_str(rc));
        goto out_free_raw;
    }
    if (cm_jwk_from_private_der(kid, der, der_len, &k) != CM_OK) {
        cm_error("as", "signing key %s: not a usable key", kid);
        k = NULL;
    }
    cm_secure_free(der, der_len);
out_free_raw:
    free(raw);
    return k;
}

static int64_t col_time(const PGresult *res, int row, int col)
{
    return PQgetisnull(res, row, col) ? 0 : strtoll(PQgetvalue(res, row, col), NULL, 10);
}

static void key_clear(ob_as_key_t *k)
{
    cm_jwk_free(k->jwk);
    json_decref(k->public_jwk);
    memset(k, 0, sizeof(*k));
}

void ob_as_keys_clear(ob_as_t *as)
{
    for (size_t i = 0; i < as->n_keys; i++)
        key_clear(&as->keys[i]);
    free(as->keys);
    as->keys = NULL;
    as->n_keys = 0;
}

/* Replaces the set with res's rows (sql_load columns); keys already open are kept without opening them again. */
static int apply_rows(ob_as_t *as, const PGresult *res)
{
    int n = PQntuples(res);
    ob_as_key_t *next = calloc(n > 0 ? (size_t)n : 1, sizeof(*next));
    size_t m = 0;
    if (next == NULL)
        return CM_ENOMEM;
    for (int r = 0; r < n; r++) {
        const char *kid = PQgetvalue(res, r, 0);
        ob_as_key_t *k = &next[m];
        snprintf(k->kid, sizeof(k->kid), "%s", kid);
        for (size_t i = 0; i < as->n_keys; i++) {
            if (as->keys[i].jwk != NULL && strcmp(as->keys[i].kid, kid) == 0) {
                k->jwk = as->keys[i].jwk;
                as->keys[i].jwk = NULL;
            }
        }
        if (k->jwk == NULL && (k->jwk = open_key(as->b->keys->ring, kid, PQgetvalue(res, r, 2))) == NULL)
            continue; /* logged: a key that does not open neither signs nor is published */
        const char *jt = PQgetvalue(res, r, 3);
        k->public_jwk = cm_json_loadb(jt, strlen(jt), NULL);
        if (k->public_jwk == NULL) {
            key_clear(k);
            continue;
        }
        k->created_at = col_time(res, r, 4);
        k->not_before = col_time(res, r, 5);
        k->retired_at = col_time(res, r, 6);
        k->expires_at = col_time(res, r, 7);
        m++;
    }
    ob_as_keys_clear(as);
    as->keys = next;
    as->n_keys = m;
    return CM_OK;
}

/* A new ES256 key: *jwk_out (caller's), *sealed_hex and *public_text malloc'ed. */
static int new_key(const ob_as_t *as, cm_jwk_t **jwk_out, char **sealed_hex, char **public_text)
{
    cm_jwk_t *k = NULL;
    *sealed_hex = *public_text = NULL;
    if (cm_jwk_generate_es256(NULL, &k) != CM_OK)
        return CM_ERR;
    json_t *pub = cm_jwk_export(k, 0);
    *public_text = pub ? json_dumps(pub, JSON_COMPACT) : NULL;
    json_decref(pub);
    *sealed_hex = seal_key(as->b->keys->ring, k);
    if (*public_text == NULL || *sealed_hex == NULL) {
        free(*public_text);
        free(*sealed_hex);
        *public_text = *sealed_hex = NULL;
        cm_jwk_free(k);
        return CM_ERR;
    }
    *jwk_out = k;
    return CM_OK;
}

int ob_as_keys_start(ob_as_t *as, char *err, size_t errsz)
{
    PGresult *res = NULL;
    int rc = CM_EIO;
    PGconn *conn = PQconnectdb(as->b->cfg->database_url);
    if (PQstatus(conn) != CONNECTION_OK) {
        snprintf(err, errsz, "signing keys: database connection failed");
        goto out_finish;
    }
    if (ob_pq_exec(conn, "BEGIN", "signing keys", err, errsz) != CM_OK ||
        ob_pq_exec(conn, KEYS_LOCK, "signing keys lock", err, errsz) != CM_OK ||
        ob_pq_params(conn, sql_load, 0, NULL, PGRES_TUPLES_OK, &res, "loading signing keys", err, errsz) != CM_OK)
        goto out_rollback;
    if ((rc = apply_rows(as, res)) != CM_OK)
        goto out_rollback;
    PQclear(res);
    res = NULL;
    if (ob_as_signing_key(as, ob_now()) == NULL) {
        cm_jwk_t *k = NULL;
        char *sealed = NULL, *pub = NULL;
        if ((rc = new_key(as, &k, &sealed, &pub)) != CM_OK) {
            snprintf(err, errsz, "signing keys: creating a key failed");
            goto out_rollback;
        }
        const char *params[] = {cm_jwk_kid(k), sealed, pub};
        rc = ob_pq_params(conn,
                          "WITH k AS (INSERT INTO as_signing_keys (kid, alg, private_key, public_jwk)"
                          " VALUES ($1, 'ES256', $2::bytea, $3::jsonb) RETURNING kid)"
                          " INSERT INTO token_audit_log (event, actor, detail)"
                          " SELECT 'as_key_rotated', 'system', jsonb_build_object('kid', kid, 'reason', 'first_key')"
                          " FROM k",
                          3, params, PGRES_COMMAND_OK, &res, "storing a signing key", err, errsz);
        if (rc == CM_OK)
            cm_info("as", "created signing key %s", cm_jwk_kid(k));
        cm_jwk_free(k);
        free(sealed);
        free(pub);
        PQclear(res);
        res = NULL;
        if (rc != CM_OK ||
            ob_pq_params(conn, sql_load, 0, NULL, PGRES_TUPLES_OK, &res, "loading signing keys", err, errsz) != CM_OK)
            goto out_rollback;
        if ((rc = apply_rows(as, res)) != CM_OK)
            goto out_rollback;
    }
    rc = ob_pq_exec(conn, "COMMIT", "signing keys", err, errsz);
    if (rc == CM_OK && ob_as_signing_key(as, ob_now()) == NULL) {
        snprintf(err, errsz, "signing keys: no key can sign (a stored key does not open with the data key ring?)");
        rc = CM_ERR;
    }
    goto out_clear;

out_rollback:
    if (rc == CM_OK)
        rc = CM_EIO;
    ob_pq_rollback(conn);
out_clear:
    PQclear(res);
out_finish:
    PQfinish(conn);
    return rc;
}

static void on_reread(void *arg, int status, PGresult *res)
{
    ob_as_t *as = arg;
    as->reread_pending = 0;
    if (status != CM_OK || PQresultStatus(res) != PGRES_TUPLES_OK) {
        cm_warn("as", "rereading the signing keys failed (%s): the current set stays",
                status != CM_OK ? cm_status_str(status) : PQresultErrorMessage(res));
        return;
    }
    if (apply_rows(as, res) == CM_OK && ob_as_signing_key(as, ob_now()) == NULL)
        cm_error("as", "no signing key can sign now: /as/token answers server_error until one can");
}

void ob_as_keys_reread(ob_as_t *as)
{
    if (as->reread_pending)
        return;
    if (cm_pg_query(as->b->db, sql_load, 0, NULL, on_reread, as) == CM_AGAIN)
        as->reread_pending = 1;
}

const ob_as_key_t *ob_as_signing_key(const ob_as_t *as, int64_t now)
{
    const ob_as_key_t *best = NULL;
    for (size_t i = 0; i < as->n_keys; i++) {
        const ob_as_key_t *k = &as->keys[i];
        if (k->not_before > now || (k->retired_at != 0 && k->retired_at <= now))
            continue;
        if (best == NULL || k->not_before > best->not_before ||
            (k->not_before == best->not_before && k->created_at > best->created_at))
            best = k;
    }
    return best;
}

const ob_as_key_t *ob_as_key_find(const ob_as_t *as, const char *kid, int64_t now)
{
    for (size_t i = 0; kid != NULL && i < as->n_keys; i++) {
        const ob_as_key_t *k = &as->keys[i];
        if (strcmp(k->kid, kid) == 0 && (k->expires_at == 0 || k->expires_at > now))
            return k;
    }
    return NULL;
}

json_t *ob_as_jwks(const ob_as_t *as, int64_t now)
{
    json_t *keys = json_array();
    for (size_t i = 0; keys != NULL && i < as->n_keys; i++) {
        const ob_as_key_t *k = &as->keys[i];
        if (k->expires_at == 0 || k->expires_at > now)
            json_array_append(keys, k->public_jwk);
    }
    return json_pack("{s:o}", "keys", keys);
}

static json_t *time_or_null(int64_t t)
{
    return t != 0 ? json_integer(t) : json_null();
}

json_t *ob_as_keys_describe(const ob_as_t *as, int64_t now)
{
    json_t *list = json_array();
    const ob_as_key_t *signing = ob_as_signing_key(as, now);
    for (size_t i = 0; list != NULL && i < as->n_keys; i++) {
        const ob_as_key_t *k = &as->keys[i];
        json_array_append_new(list, json_pack("{s:s, s:s, s:I, s:I, s:o, s:o, s:b, s:O}", "kid", k->kid, "alg", "ES256",
                                              "created_at", (json_int_t)k->created_at, "not_before",
                                              (json_int_t)k->not_before, "retired_at", time_or_null(k->retired_at),
                                              "expires_at", time_or_null(k->expires_at), "signing", k == signing, "jwk",
                                              k->public_jwk));
    }
    return list;
}

typedef struct rotate_ctx {
    ob_as_t *as;
    ob_as_rotate_cb cb;
    void *arg;
    char kid[65];
} rotate_ctx_t;

static void on_rotated(void *arg, int status, PGresult *res)
{
    rotate_ctx_t *c = arg;
    int ok = status == CM_OK && PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1;
    if (!ok && res != NULL)
        cm_error("as", "rotating the signing key: %s", PQresultErrorMessage(res));
    if (ok) {
        cm_info("as", "new signing key %s published, signing from now + %d s", c->kid,
                c->as->b->cfg->authz.key_publish_ahead_s);
        c->as->reread_pending = 0; /* a reread in flight may predate the new key: read again */
        ob_as_keys_reread(c->as);
    }
    c->cb(c->arg, ok ? CM_OK : (status != CM_OK ? status : CM_ERR), ok ? c->kid : NULL);
    free(c);
}

int ob_as_keys_rotate(ob_as_t *as, const char *actor, ob_as_rotate_cb cb, void *arg)
{
    /* The keys signing now retire when the new one starts and stay published as long as a token they signed
     * can live. */
    static const char sql[] =
        "WITH k AS (INSERT INTO as_signing_keys (kid, alg, private_key, public_jwk, not_before)"
        "           VALUES ($1, 'ES256', $2::bytea, $3::jsonb, now() + make_interval(secs => $4::int))"
        "           RETURNING kid, not_before),"
        " old AS (UPDATE as_signing_keys o SET retired_at = k.not_before,"
        "                expires_at = k.not_before + make_interval(secs => $5::int)"
        "           FROM k WHERE o.kid <> k.kid AND (o.retired_at IS NULL OR o.retired_at > k.not_before)"
        "         RETURNING o.kid),"
        " a AS (INSERT INTO token_audit_log (event, actor, detail)"
        "       SELECT 'as_key_rotated', $6, jsonb_build_object('kid', k.kid, 'not_before',"
        "              extract(epoch FROM k.not_before)::bigint, 'retired', (SELECT jsonb_agg(kid) FROM old)) FROM k)"
        " SELECT kid FROM k";
    cm_jwk_t *k = NULL;
    char *sealed = NULL, *pub = NULL, ahead[16], ttl[16];
    rotate_ctx_t *c = calloc(1, sizeof(*c));
    if (c == NULL)
        return CM_ENOMEM;
    int rc = new_key(as, &k, &sealed, &pub);
    if (rc != CM_OK) {
        free(c);
        return rc;
    }
    c->as = as;
    c->cb = cb;
    c->arg = arg;
    snprintf(c->kid, sizeof(c->kid), "%s", cm_jwk_kid(k));
    snprintf(ahead, sizeof(ahead), "%d", as->b->cfg->authz.key_publish_ahead_s);
    snprintf(ttl, sizeof(ttl), "%d", as->b->cfg->authz.access_token_ttl_s + 60);
    const char *params[] = {c->kid, sealed, pub, ahead, ttl, actor};
    rc = cm_pg_query(as->b->db, sql, 6, params, on_rotated, c);
    if (rc != CM_AGAIN)
        free(c);
    cm_jwk_free(k);
    free(sealed);
    free(pub);
    return rc;
}
