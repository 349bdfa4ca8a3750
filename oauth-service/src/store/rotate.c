/*
 * rotate.c - re-encrypting credentials under the newest key (see rotate.h).
 */
#include "store/rotate.h"
#include "store/cred_crypto.h"

#include "db/pq_util.h"
#include "store/refresh_lock.h"

#include "common/crypto.h"
#include "common/log.h"
#include "common/status.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const fields[3] = {OB_FIELD_CLIENT_SECRET, OB_FIELD_ACCESS_TOKEN, OB_FIELD_REFRESH_TOKEN};

/* Re-seals field f (columns 1 + 2f, 2 + 2f) of row i. *hex is NULL when nothing changes. */
static int reseal(const ob_keyring_t *kr, const PGresult *res, int i, int f, char **hex, const char **kid,
                  ob_rotate_stats_t *st)
{
    const char *id = PQgetvalue(res, i, 0);
    int ccol = 1 + 2 * f, kcol = 2 + 2 * f;
    *hex = NULL;
    if (PQgetisnull(res, i, ccol) || strcmp(PQgetvalue(res, i, kcol), ob_keyring_primary(kr)) == 0)
        return CM_OK;
    char *pt = NULL;
    size_t len = 0;
    int rc = ob_cred_open(kr, id, fields[f], PQgetvalue(res, i, kcol), PQgetvalue(res, i, ccol), &pt, &len);
    if (rc != CM_OK) {
        cm_error("rotate", "instance %s: %s under key \"%s\" does not open (%s): left as is", id, fields[f],
                 PQgetvalue(res, i, kcol), rc == CM_ENOTFOUND ? "key id not in the ring" : "authentication failed");
        st->failures++;
        return rc;
    }
    rc = ob_cred_seal(kr, id, fields[f], pt, len, hex, kid);
    cm_secure_free(pt, len);
    return rc;
}

static int rotate_row(PGconn *conn, const ob_keyring_t *kr, const PGresult *res, int i, ob_rotate_stats_t *st,
                      char *err, size_t errsz)
{
    char *hex[3] = {NULL, NULL, NULL};
    const char *kid[3] = {NULL, NULL, NULL};
    int changed = 0, rc = CM_OK;
    st->rows_seen++;
    for (int f = 0; f < 3; f++) {
        reseal(kr, res, i, f, &hex[f], &kid[f], st);
        changed += hex[f] != NULL;
    }
    if (changed == 0)
        goto out_free_hex;
    const char *p[8] = {PQgetvalue(res, i, 0), hex[0], kid[0], hex[1], kid[1], hex[2], kid[2], ob_keyring_primary(kr)};
    PGresult *u = NULL;
    rc = ob_pq_params(conn,
                      "WITH c AS (UPDATE mcp_credentials SET"
                      "   client_secret_enc = COALESCE($2::bytea, client_secret_enc),"
                      "   client_secret_key_id = COALESCE($3, client_secret_key_id),"
                      "   access_token_enc = COALESCE($4::bytea, access_token_enc),"
                      "   access_token_key_id = COALESCE($5, access_token_key_id),"
                      "   refresh_token_enc = COALESCE($6::bytea, refresh_token_enc),"
                      "   refresh_token_key_id = COALESCE($7, refresh_token_key_id),"
                      "   row_version = row_version + 1"
                      "  WHERE instance_id = $1::uuid RETURNING instance_id)"
                      " INSERT INTO token_audit_log (instance_id, event, actor, detail)"
                      " SELECT instance_id, 'keys_rotated', 'rotate-keys', jsonb_build_object('key_id', $8::text)"
                      "   FROM c",
                      8, p, PGRES_COMMAND_OK, &u, "re-encrypting credentials", err, errsz);
    if (rc == CM_OK) {
        st->rows_rotated++;
        st->fields_rotated += (size_t)changed;
    }
    PQclear(u);
out_free_hex:
    for (int f = 0; f < 3; f++)
        free(hex[f]);
    return rc;
}

static const char sql_candidates[] =
    "SELECT instance_id FROM mcp_credentials WHERE instance_id > $1::uuid"
    " AND (client_secret_key_id <> $2 OR access_token_key_id <> $2 OR refresh_token_key_id <> $2)"
    " ORDER BY instance_id LIMIT $3::int";

/* One row, one transaction: the instance's refresh lock first (the one the refresher holds from the row read to
 * its COMMIT, across the provider call: without it a refresh overlapping the rotation would lose its
 * compare-and-set on row_version), then the row FOR UPDATE, re-read under both. */
static int rotate_one(PGconn *conn, const ob_keyring_t *kr, const char *id, ob_rotate_stats_t *st, char *err,
                      size_t errsz)
{
    const char *primary = ob_keyring_primary(kr);
    int rc = ob_pq_exec(conn, "BEGIN", "starting a rotation", err, errsz);
    if (rc != CM_OK)
        return rc;
    const char *p[2] = {id, primary};
    PGresult *res = NULL;
    if ((rc = ob_pq_params(conn, "SELECT pg_advisory_xact_lock(" OB_REFRESH_LOCK_KEY("$1") ")", 1, p, PGRES_TUPLES_OK,
                           &res, "taking an instance's refresh lock", err, errsz)) != CM_OK)
        goto out_rollback;
    PQclear(res);
    rc = ob_pq_params(conn,
                      "SELECT instance_id, client_secret_enc, client_secret_key_id, access_token_enc,"
                      " access_token_key_id, refresh_token_enc, refresh_token_key_id"
                      " FROM mcp_credentials WHERE instance_id = $1::uuid"
                      " AND (client_secret_key_id <> $2 OR access_token_key_id <> $2 OR refresh_token_key_id <> $2)"
                      " FOR UPDATE",
                      2, p, PGRES_TUPLES_OK, &res, "reading credentials to rotate", err, errsz);
    if (rc != CM_OK)
        goto out_rollback;
    if (PQntuples(res) == 1 && (rc = rotate_row(conn, kr, res, 0, st, err, errsz)) != CM_OK)
        goto out_rollback;
    PQclear(res);
    return ob_pq_exec(conn, "COMMIT", "committing a rotation", err, errsz);

out_rollback:
    PQclear(res);
    ob_pq_rollback(conn);
    return rc;
}

int ob_rotate_keys(PGconn *conn, const ob_keyring_t *kr, int batch, ob_rotate_stats_t *st, char *err, size_t errsz)
{
    char last[37] = "00000000-0000-0000-0000-000000000000", lim[16];
    const char *primary = ob_keyring_primary(kr);
    memset(st, 0, sizeof(*st));
    snprintf(lim, sizeof(lim), "%d", batch > 0 ? batch : 100);
    for (;;) {
        const char *p[3] = {last, primary, lim};
        PGresult *res = NULL;
        int rc = ob_pq_params(conn, sql_candidates, 3, p, PGRES_TUPLES_OK, &res, "listing credentials to rotate", err,
                              errsz);
        if (rc != CM_OK)
            return rc;
        int n = PQntuples(res);
        for (int i = 0; i < n && rc == CM_OK; i++)
            rc = rotate_one(conn, kr, PQgetvalue(res, i, 0), st, err, errsz);
        if (n > 0)
            snprintf(last, sizeof(last), "%s", PQgetvalue(res, n - 1, 0));
        PQclear(res);
        if (rc != CM_OK)
            return rc;
        if (n == 0)
            return CM_OK;
    }
}
