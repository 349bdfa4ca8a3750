/*
 * An instance's MCP client grants (admin key):
 *
 * GET /instances/{id}/grants                 200 {instance_id, grants: [{grant_id, client_id, client_name, resource,
 *                                            scope, created_at, last_used_at, revoked_at, revoked_reason}]} (no
 *                                            secret: refresh tokens are never listed); 404 instance_not_found
 * DELETE /instances/{id}/grants/{grant_id}   revokes it (reason admin_revoked, audited, pushed to the MCP server):
 *                                            200 {grant_id, revoked: true}; 404 grant_not_found
 */
#include "handlers/as_util.h"
#include "handlers/routes.h"

#include "as/grants.h"

#include "common/json_util.h"
#include "common/log.h"
#include "common/status.h"

#include <stdio.h>
#include <string.h>

static void on_listed(void *arg, int status, PGresult *res)
{
    ob_async_t *a = arg;
    if (!ob_pg_ok(status, res, PGRES_TUPLES_OK)) {
        ob_respond_db_error(a->req, status, res, "listing grants");
    } else if (a->req != NULL) {
        const char *t = PQgetvalue(res, 0, 0);
        json_t *o = PQgetisnull(res, 0, 0) ? NULL : cm_json_loadb(t, strlen(t), NULL);
        if (o == NULL)
            cm_respond_error(a->req, 404, "instance_not_found", "instance_id", "no such instance");
        else
            cm_respond_json(a->req, 200, o);
    }
    ob_async_free(a);
}

static int on_list(void *data, h2o_req_t *req, const cm_route_match_t *m)
{
    static const char sql[] =
        "SELECT (SELECT jsonb_build_object('instance_id', i.instance_id, 'grants', COALESCE(jsonb_agg("
        "          jsonb_build_object('grant_id', g.grant_id, 'client_id', g.client_id, 'client_name', g.client_name,"
        "            'resource', g.resource, 'scope', g.scope,"
        "            'created_at', extract(epoch FROM g.created_at)::bigint,"
        "            'last_used_at', extract(epoch FROM g.last_used_at)::bigint,"
        "            'revoked_at', extract(epoch FROM g.revoked_at)::bigint, 'revoked_reason', g.revoked_reason)"
        "          ORDER BY g.created_at) FILTER (WHERE g.grant_id IS NOT NULL), '[]'::jsonb))"
        "          FROM mcp_service_table i LEFT JOIN as_grants g ON g.instance_id = i.instance_id"
        "         WHERE i.instance_id = $1::uuid GROUP BY i.instance_id)::text";
    ob_broker_t *b = data;
    if (!ob_as_enabled(b, req))
        return 0;
    char *id = ob_admin_instance_id(b, req, m);
    ob_async_t *a = id ? ob_async_new(b, req, sizeof(*a)) : NULL;
    if (a == NULL)
        return 0;
    const char *params[] = {id};
    int rc = cm_pg_query(b->db, sql, 1, params, on_listed, a);
    if (rc != CM_AGAIN) {
        ob_respond_db_error(req, rc, NULL, "listing grants");
        ob_async_free(a);
    }
    return 0;
}

typedef struct del_ctx {
    ob_async_t a;
    char grant_id[37];
    char instance_id[37];
} del_ctx_t;

static void on_exists(void *arg, int status, PGresult *res)
{
    del_ctx_t *c = arg;
    if (!ob_pg_ok(status, res, PGRES_TUPLES_OK))
        ob_respond_db_error(c->a.req, status, res, "revoking a grant");
    else if (c->a.req != NULL && PQntuples(res) == 0)
        cm_respond_error(c->a.req, 404, "grant_not_found", "grant_id", "no such grant of this instance");
    else if (c->a.req != NULL)
        cm_respond_json(c->a.req, 200,
                        json_pack("{s:s, s:b, s:b}", "grant_id", c->grant_id, "revoked", 1, "already_revoked", 1));
    ob_async_free(c);
}

static void on_revoked(void *arg, int status, int revoked)
{
    del_ctx_t *c = arg;
    if (status != CM_OK) {
        ob_respond_db_error(c->a.req, status, NULL, "revoking a grant");
    } else if (revoked == 0) {
        /* already revoked, or not of this instance: tell which */
        const char *params[] = {c->grant_id, c->instance_id};
        int rc = cm_pg_query(c->a.b->db, "SELECT 1 FROM as_grants WHERE grant_id = $1::uuid AND instance_id = $2::uuid",
                             2, params, on_exists, c);
        if (rc == CM_AGAIN)
            return;
        ob_respond_db_error(c->a.req, rc, NULL, "revoking a grant");
    } else if (c->a.req != NULL) {
        cm_respond_json(c->a.req, 200, json_pack("{s:s, s:b}", "grant_id", c->grant_id, "revoked", 1));
    }
    ob_async_free(c);
}

static int on_delete(void *data, h2o_req_t *req, const cm_route_match_t *m)
{
    ob_broker_t *b = data;
    if (!ob_as_enabled(b, req))
        return 0;
    char *id = ob_admin_instance_id(b, req, m);
    if (id == NULL)
        return 0;
    char *gid = ob_match_uuid(req, m, 1);
    if (gid == NULL) {
        cm_respond_error(req, 404, "grant_not_found", "grant_id", "no such grant of this instance");
        return 0;
    }
    del_ctx_t *c = ob_async_new(b, req, sizeof(*c));
    if (c == NULL)
        return 0;
    snprintf(c->grant_id, sizeof(c->grant_id), "%s", gid);
    snprintf(c->instance_id, sizeof(c->instance_id), "%s", id);
    int rc = ob_as_grant_revoke(b, OB_AS_BY_GRANT_ID, gid, id, NULL, "admin_revoked", "admin", on_revoked, c);
    if (rc != CM_AGAIN) {
        ob_respond_db_error(req, rc, NULL, "revoking a grant");
        ob_async_free(c);
    }
    return 0;
}

int ob_as_grants_register(ob_broker_t *b)
{
    int rc = CM_OK;
    rc |= cm_server_route(b->server, "GET", "/instances/*/grants", on_list, b);
    rc |= cm_server_route(b->server, "DELETE", "/instances/*/grants/*", on_delete, b);
    return rc == CM_OK ? CM_OK : CM_ERR;
}
