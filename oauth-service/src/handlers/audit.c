/*
 * The audit log, read-only (admin key):
 *
 * GET /audit[?instance_id=UUID][&limit=N]   200 {entries: [{id, created_at, instance_id, event, actor, detail}],
 *                                           count}: the last N rows (1..1000, default 50) of token_audit_log, of
 *                                           one instance or of all, oldest first (a tail). detail never holds a
 *                                           secret (every writer keeps them out). 400 invalid_field naming the
 *                                           parameter.
 */
#include "handlers/flow_util.h"
#include "handlers/routes.h"

#include "common/json_util.h"
#include "common/status.h"
#include "common/crypto.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define AUDIT_DEFAULT 50
#define AUDIT_MAX 1000

static void on_read(void *arg, int status, PGresult *res)
{
    ob_async_t *a = arg;
    if (!ob_pg_ok(status, res, PGRES_TUPLES_OK)) {
        ob_respond_db_error(a->req, status, res, "reading the audit log");
    } else if (a->req != NULL) {
        const char *t = PQgetvalue(res, 0, 0);
        json_t *o = cm_json_loadb(t, strlen(t), NULL);
        if (o == NULL)
            cm_respond_error(a->req, 500, "internal_error", NULL, "out of memory");
        else
            cm_respond_json(a->req, 200, o);
    }
    ob_async_free(a);
}

static int on_audit(void *data, h2o_req_t *req, const cm_route_match_t *m)
{
    /* the newest rows by id (the index), then listed oldest first */
    static const char sql[] =
        "SELECT jsonb_build_object('entries', COALESCE(jsonb_agg(jsonb_build_object('id', t.id,"
        "         'created_at', extract(epoch FROM t.created_at)::bigint, 'instance_id', t.instance_id,"
        "         'event', t.event, 'actor', t.actor, 'detail', t.detail) ORDER BY t.id), '[]'::jsonb),"
        "       'count', count(*))::text"
        "  FROM (SELECT * FROM token_audit_log WHERE $1::uuid IS NULL OR instance_id = $1::uuid"
        "         ORDER BY id DESC LIMIT $2::int) t";
    ob_broker_t *b = data;
    if (!ob_require_admin(b, req))
        return 0;
    int bad = 0;
    char *id = cm_req_query(req, "instance_id", &bad);
    if (bad || (id != NULL && !cm_uuid_valid(id))) {
        cm_respond_error(req, 400, "invalid_field", "instance_id", "instance_id must be a UUID");
        return 0;
    }
    char *limit = cm_req_query(req, "limit", &bad);
    long n = AUDIT_DEFAULT;
    if (limit != NULL) {
        char *end = NULL;
        errno = 0;
        n = strtol(limit, &end, 10);
        if (bad || limit[0] < '0' || limit[0] > '9' || *end != '\0' || errno != 0 || n < 1 || n > AUDIT_MAX) {
            cm_respond_error(req, 400, "invalid_field", "limit", "limit must be a number in 1..1000");
            return 0;
        }
    }
    char nbuf[16];
    snprintf(nbuf, sizeof(nbuf), "%ld", n);
    ob_async_t *a = ob_async_new(b, req, sizeof(*a));
    if (a == NULL)
        return 0;
    const char *params[] = {id, nbuf};
    int rc = cm_pg_query(b->db, sql, 2, params, on_read, a);
    if (rc != CM_AGAIN) {
        ob_respond_db_error(req, rc, NULL, "reading the audit log");
        ob_async_free(a);
    }
    return 0;
}

int ob_audit_register(ob_broker_t *b)
{
    return cm_server_route(b->server, "GET", "/audit", on_audit, b);
}
