/*
 * as.c - the authorization server's state: created at start-up, a periodic tick that rereads the signing keys and
 * deletes dynamic clients idle past authorization.dcr_idle_days (as.h).
 */
#include "as/as_int.h"
#include "as/signing_keys.h"

#include "common/log.h"
#include "common/status.h"

#include <stdlib.h>
#include <string.h>

#define DCR_RATE_SLOTS 4096
#define CLEANUP_EVERY_MS (10 * 60 * 1000)

static void on_cleaned(void *arg, int status, PGresult *res)
{
    (void)arg;
    if (status != CM_OK || PQresultStatus(res) != PGRES_TUPLES_OK)
        cm_warn("as", "deleting idle dynamic clients failed (%s)",
                status != CM_OK ? cm_status_str(status) : PQresultErrorMessage(res));
    else if (PQntuples(res) > 0)
        cm_info("as", "deleted %d idle dynamic client(s)", PQntuples(res));
}

/* Idle dynamic clients go with an audit row each; their grants stay until revoked or expired (the refresh tokens
 * of a deleted client no longer authenticate). */
static void cleanup(ob_as_t *as)
{
    static const char sql[] = "WITH d AS (DELETE FROM as_clients WHERE kind = 'dynamic' AND expires_at < now()"
                              "           RETURNING client_id),"
                              " a AS (INSERT INTO token_audit_log (event, actor, detail)"
                              "       SELECT 'as_client_deleted', 'system',"
                              "              jsonb_build_object('client_id', client_id, 'reason', 'idle') FROM d)"
                              " SELECT client_id FROM d";
    int rc = cm_pg_query(as->b->db, sql, 0, NULL, on_cleaned, as);
    if (rc != CM_AGAIN)
        cm_warn("as", "deleting idle dynamic clients not started (%s)", cm_status_str(rc));
}

static void on_tick(void *arg)
{
    ob_as_t *as = arg;
    ob_as_keys_reread(as);
    int64_t now = cm_now_ms();
    if (now - as->last_cleanup_ms >= CLEANUP_EVERY_MS) {
        as->last_cleanup_ms = now;
        cleanup(as);
    }
    cm_timer_start(as->tick, OB_AS_KEY_REREAD_MS);
}

int ob_as_new(ob_broker_t *b, ob_as_t **out, char *err, size_t errsz)
{
    ob_as_t *as = calloc(1, sizeof(*as));
    *out = NULL;
    if (as == NULL)
        return CM_ENOMEM;
    as->b = b;
    as->dcr_rate = ob_as_rate_new(DCR_RATE_SLOTS, b->cfg->authz.dcr_rate_per_min, 60000);
    as->tick = cm_timer_new(cm_server_loop(b->server), on_tick, as);
    if (as->dcr_rate == NULL || as->tick == NULL) {
        ob_as_free(as);
        return CM_ENOMEM;
    }
    int rc = ob_as_apps_load(b->cfg, &as->apps, err, errsz);
    if (rc == CM_OK)
        rc = ob_as_keys_start(as, err, errsz);
    if (rc != CM_OK) {
        ob_as_free(as);
        return rc;
    }
    /* the first tick cleans up at once, then every CLEANUP_EVERY_MS */
    as->last_cleanup_ms = cm_now_ms() - CLEANUP_EVERY_MS;
    cm_timer_start(as->tick, OB_AS_KEY_REREAD_MS);
    cleanup(as);
    as->last_cleanup_ms = cm_now_ms();
    *out = as;
    return CM_OK;
}

void ob_as_free(ob_as_t *as)
{
    if (as == NULL)
        return;
    cm_timer_free(as->tick);
    ob_as_keys_clear(as);
    ob_as_rate_free(as->dcr_rate);
    ob_as_apps_clear(&as->apps);
    free(as);
}
