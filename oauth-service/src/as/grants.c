/*
 * grants.c - grant revocation and its push (grants.h).
 */
#include "as/grants.h"

#include "push/pusher.h"

#include "common/log.h"
#include "common/status.h"

#include <stdlib.h>
#include <string.h>

int ob_as_grants_revoked(ob_broker_t *b, const PGresult *res)
{
    int n = PQntuples(res);
    for (int i = 0; i < n; i++) {
        cm_info("as", "grant %s of instance %s revoked", PQgetvalue(res, i, 0), PQgetvalue(res, i, 1));
        ob_push_grant_revoked(b->pusher, PQgetvalue(res, i, 2), PQgetvalue(res, i, 1), PQgetvalue(res, i, 0));
    }
    return n;
}

typedef struct revoke_ctx {
    ob_broker_t *b;
    ob_as_revoke_cb cb;
    void *arg;
} revoke_ctx_t;

static void on_revoked(void *arg, int status, PGresult *res)
{
    revoke_ctx_t *c = arg;
    int n = 0;
    if (status == CM_OK && PQresultStatus(res) != PGRES_TUPLES_OK) {
        cm_error("as", "revoking a grant: %s", PQresultErrorMessage(res));
        status = CM_ERR;
    }
    if (status == CM_OK)
        n = ob_as_grants_revoked(c->b, res);
    if (c->cb != NULL)
        c->cb(c->arg, status, n);
    free(c);
}

int ob_as_grant_revoke(ob_broker_t *b, const char *selector_sql, const char *key, const char *instance_id,
                       const char *client_id, const char *reason, const char *actor, ob_as_revoke_cb cb, void *arg)
{
    static const char by_id[] = OB_AS_SQL_REVOKE(OB_AS_BY_GRANT_ID);
    static const char by_refresh[] = OB_AS_SQL_REVOKE(OB_AS_BY_REFRESH);
    static const char by_code[] = OB_AS_SQL_REVOKE(OB_AS_BY_CODE);
    const char *sql = strcmp(selector_sql, OB_AS_BY_GRANT_ID) == 0  ? by_id
                      : strcmp(selector_sql, OB_AS_BY_REFRESH) == 0 ? by_refresh
                      : strcmp(selector_sql, OB_AS_BY_CODE) == 0    ? by_code
                                                                    : NULL;
    if (sql == NULL || key == NULL)
        return CM_EINVAL;
    revoke_ctx_t *c = calloc(1, sizeof(*c));
    if (c == NULL)
        return CM_ENOMEM;
    c->b = b;
    c->cb = cb;
    c->arg = arg;
    const char *params[] = {key, reason, instance_id ? instance_id : "", client_id ? client_id : "", actor, ""};
    int rc = cm_pg_query(b->db, sql, 6, params, on_revoked, c);
    if (rc != CM_AGAIN)
        free(c);
    return rc;
}
