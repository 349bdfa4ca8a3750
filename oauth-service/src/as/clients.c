/*
 * clients.c - the asynchronous lookup of a stored client (clients.h).
 */
#include "as/clients.h"

#include "common/json_util.h"
#include "common/log.h"
#include "common/status.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct load_ctx {
    ob_as_client_cb cb;
    void *arg;
} load_ctx_t;

static const char sql_select[] = "SELECT client_id, kind, metadata::text, secret_hash,"
                                 "       extract(epoch FROM created_at)::bigint"
                                 "  FROM as_clients WHERE client_id = $1";

/* A use moves a dynamic client's deletion date forward (authorization.dcr_idle_days after its last use). The row is
 * written at most once an hour per client: a write (and its commit) on every token request would cost more than the
 * date is worth. */
static const char sql_touch[] =
    "WITH t AS (UPDATE as_clients SET last_used_at = now(),"
    "                  expires_at = CASE WHEN kind = 'dynamic' THEN now() + make_interval(days => $2::int) END"
    "            WHERE client_id = $1 AND (last_used_at IS NULL OR last_used_at < now() - interval '1 hour')"
    "           RETURNING client_id, kind, metadata, secret_hash, created_at)"
    " SELECT client_id, kind, metadata::text, secret_hash, extract(epoch FROM created_at)::bigint FROM t"
    " UNION ALL"
    " SELECT client_id, kind, metadata::text, secret_hash, extract(epoch FROM created_at)::bigint FROM as_clients"
    "  WHERE client_id = $1 AND NOT EXISTS (SELECT 1 FROM t)";

static void on_loaded(void *arg, int status, PGresult *res)
{
    load_ctx_t *c = arg;
    if (status != CM_OK || res == NULL || PQresultStatus(res) != PGRES_TUPLES_OK) {
        if (res != NULL)
            cm_warn("as", "loading a client: %s", PQresultErrorMessage(res));
        c->cb(c->arg, status != CM_OK ? status : CM_ERR, NULL);
    } else if (PQntuples(res) == 0) {
        c->cb(c->arg, CM_ENOTFOUND, NULL);
    } else {
        const char *text = PQgetvalue(res, 0, 2);
        json_t *md = cm_json_loadb(text, strlen(text), NULL);
        ob_as_client_t cl = {.client_id = PQgetvalue(res, 0, 0),
                             .kind = PQgetvalue(res, 0, 1),
                             .metadata = md,
                             .secret_hash = PQgetisnull(res, 0, 3) ? NULL : PQgetvalue(res, 0, 3),
                             .created_at = strtoll(PQgetvalue(res, 0, 4), NULL, 10)};
        c->cb(c->arg, md != NULL ? CM_OK : CM_ERR, md != NULL ? &cl : NULL);
        json_decref(md);
    }
    free(c);
}

int ob_as_client_load(ob_broker_t *b, const char *client_id, int touch, ob_as_client_cb cb, void *arg)
{
    if (client_id == NULL || client_id[0] == '\0' || strlen(client_id) > 128)
        return CM_EINVAL;
    load_ctx_t *c = calloc(1, sizeof(*c));
    if (c == NULL)
        return CM_ENOMEM;
    c->cb = cb;
    c->arg = arg;
    char days[16];
    snprintf(days, sizeof(days), "%d", b->cfg->authz.dcr_idle_days);
    const char *params[] = {client_id, days};
    int rc = touch ? cm_pg_query(b->db, sql_touch, 2, params, on_loaded, c)
                   : cm_pg_query(b->db, sql_select, 1, params, on_loaded, c);
    if (rc != CM_AGAIN)
        free(c);
    return rc;
}
