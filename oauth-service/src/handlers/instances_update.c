/*
 * PATCH /instances/{id} {status?: "active"|"inactive", custom_name?: string|null} - one statement
 * (row_version + 1, audit row); the vending cache forgets the instance at once; a status change is pushed to the
 * owning MCP server as an invalidation after the commit. Only active <->
 * inactive is an admin transition: an instance that needs re-authorization or expired can be made
 * inactive, but becomes active again only through the OAuth flow (409 invalid_status_transition).
 * Making it inactive revokes its MCP client grants in the same statement (instance_disabled, pushed as
 * grant_revoked): enabling it again does not restore them, the client must obtain a new consent (a write of an
 * instance that was inactive revokes a grant that escaped the disable: see instances_db.c).
 * 200 with the admin view.
 */
#include "handlers/instance_validate.h"
#include "handlers/instance_view.h"
#include "handlers/routes.h"

#include "push/pusher.h"
#include "refresh/refresher.h"
#include "store/instance_cache.h"
#include "store/instances_db.h"
#include "store/instance.h"

#include "common/log.h"
#include "common/status.h"

#include <stdlib.h>
#include <string.h>

/* Tells the owning MCP server of each grant the disable revoked (ids: the statement's comma-separated list). */
static void push_grants_revoked(ob_broker_t *b, const char *service, const char *instance_id, const char *ids)
{
    char gid[40];
    while (*ids != '\0') {
        size_t n = strcspn(ids, ",");
        if (n > 0 && n < sizeof(gid)) {
            memcpy(gid, ids, n);
            gid[n] = '\0';
            cm_info("as", "grant %s of instance %s revoked (instance disabled)", gid, instance_id);
            ob_push_grant_revoked(b->pusher, service, instance_id, gid);
        }
        ids += n;
        if (*ids == ',')
            ids++;
    }
}

static void on_patched(void *arg, int status, PGresult *res)
{
    ob_instance_write_t *c = arg;
    h2o_req_t *req = c->a.req;
    if (!ob_instance_written(c, status, res, "updating an instance")) {
        ob_async_free(c);
        return;
    }
    if (PQnfields(res) >= 6 && !PQgetisnull(res, 0, 2) && !PQgetisnull(res, 0, 3) && !PQgetisnull(res, 0, 4) &&
        strcmp(PQgetvalue(res, 0, 3), PQgetvalue(res, 0, 4)) != 0) {
        /* a status change (committed) goes to the owning MCP server; an inactive instance leaves the
         * refresh schedule, a re-activated one is picked up by the next scan (or on read) */
        int now_status = ob_status_column(res, 0, 4);
        if (now_status != CM_INST_ACTIVE)
            ob_refresher_forget(c->a.b->refresher, c->id);
        ob_push_invalidate(c->a.b->pusher, PQgetvalue(res, 0, 2), c->id, now_status,
                           strtoll(PQgetvalue(res, 0, 5), NULL, 10));
    }
    if (PQnfields(res) >= 7 && !PQgetisnull(res, 0, 6))
        push_grants_revoked(c->a.b, PQgetvalue(res, 0, 2), c->id, PQgetvalue(res, 0, 6));
    if (req != NULL) {
        if (strcmp(PQgetvalue(res, 0, 0), "0") == 0)
            cm_respond_error(req, 404, "instance_not_found", "instance_id", "no such instance");
        else if (strcmp(PQgetvalue(res, 0, 1), "0") == 0)
            cm_respond_error(req, 409, "invalid_status_transition", "status",
                             "this instance must be re-authorized through the OAuth flow to become active");
        else
            ob_respond_instance(c->a.b, req, c->id, 200);
    }
    ob_async_free(c);
}

static int on_instance_patch(void *data, h2o_req_t *req, const cm_route_match_t *m)
{
    ob_broker_t *b = data;
    const char *why = NULL, *status = NULL, *name = NULL;
    int set_name = 0;
    ob_verr_t e;
    char *id = ob_admin_instance_id(b, req, m);
    if (id == NULL)
        return 0;
    json_t *body = cm_req_json_object(req, &why);
    if (body == NULL) {
        cm_respond_error(req, 400, "invalid_json", NULL, "the body must be a JSON object (%s)", why ? why : "absent");
        return 0;
    }
    if (ob_validate_patch(body, &status, &set_name, &name, &e) != CM_OK) {
        cm_respond_error(req, e.status, e.code, e.field, "%s", e.message);
        goto out_decref;
    }
    ob_instance_write_t *c = ob_async_new(b, req, sizeof(*c));
    if (c == NULL)
        goto out_decref;
    memcpy(c->id, id, sizeof(c->id));
    int rc = ob_db_instance_patch(b->db, id, status, set_name, name, on_patched, c);
    if (rc != CM_AGAIN) {
        ob_respond_db_error(req, rc, NULL, "updating an instance");
        ob_async_free(c);
    }
out_decref:
    json_decref(body);
    return 0;
}

int ob_instances_update_register(ob_broker_t *b)
{
    return cm_server_route(b->server, "PATCH", "/instances/*", on_instance_patch, b);
}
