/*
 * GET /instances/{id} and GET /instances?user_id=...[&service=...] - the admin view of instances
 * (never a secret or a token), read from the database (not the vending cache). Also registers every
 * admin route of instances.
 */
#include "handlers/instances.h"

#include "store/instance.h"
#include "store/instances_db.h"

#include "common/log.h"
#include "common/status.h"

#include <stdlib.h>
#include <string.h>

#define LIST_LIMIT 1000

typedef struct read_ctx {
    ob_async_t a;
    int status_code;
} read_ctx_t;

static json_t *row_json(ob_broker_t *b, const PGresult *res, int row)
{
    ob_instance_t *inst = ob_instance_from_row(res, row, NULL);
    if (inst == NULL)
        return NULL;
    char *auth = ob_authorize_url(b, inst->id), *mcp = ob_mcp_url(b, inst->service, inst->id);
    json_t *o = ob_instance_to_json(inst, ob_now(), auth, mcp);
    free(auth);
    free(mcp);
    ob_instance_free(inst);
    return o;
}

static void on_one(void *arg, int status, PGresult *res)
{
    read_ctx_t *c = arg;
    h2o_req_t *req = c->a.req;
    if (!ob_pg_ok(status, res, PGRES_TUPLES_OK)) {
        ob_respond_db_error(req, status, res, "reading an instance");
    } else if (req != NULL) {
        json_t *o = PQntuples(res) == 1 ? row_json(c->a.b, res, 0) : NULL;
        if (PQntuples(res) == 0)
            cm_respond_error(req, 404, "instance_not_found", "instance_id", "no such instance");
        else if (o == NULL)
            cm_respond_error(req, 500, "internal_error", NULL, "out of memory");
        else
            cm_respond_json(req, c->status_code, o);
    }
    ob_async_free(c);
}

void ob_respond_instance(ob_broker_t *b, h2o_req_t *req, const char *id, int status_code)
{
    read_ctx_t *c = ob_async_new(b, req, sizeof(*c));
    if (c == NULL)
        return;
    c->status_code = status_code;
    const char *p[1] = {id};
    int rc = cm_pg_query(b->db, OB_INSTANCE_SELECT "WHERE s.instance_id = $1::uuid", 1, p, on_one, c);
    if (rc != CM_AGAIN) {
        ob_respond_db_error(req, rc, NULL, "reading an instance");
        ob_async_free(c);
    }
}

int ob_on_instance_get(void *data, h2o_req_t *req, const cm_route_match_t *m)
{
    ob_broker_t *b = data;
    if (!ob_require_admin(b, req))
        return 0;
    char *id = ob_match_uuid(req, m, 0);
    if (id == NULL) {
        cm_respond_error(req, 400, "invalid_instance_id", "instance_id", "the instance id must be a UUID");
        return 0;
    }
    ob_respond_instance(b, req, id, 200);
    return 0;
}

static void on_list(void *arg, int status, PGresult *res)
{
    read_ctx_t *c = arg;
    h2o_req_t *req = c->a.req;
    if (!ob_pg_ok(status, res, PGRES_TUPLES_OK)) {
        ob_respond_db_error(req, status, res, "listing instances");
    } else if (req != NULL) {
        json_t *arr = json_array();
        for (int i = 0; i < PQntuples(res); i++) {
            json_t *o = row_json(c->a.b, res, i);
            if (o != NULL)
                json_array_append_new(arr, o);
        }
        json_t *body = json_pack("{s:o, s:i, s:b}", "instances", arr, "count", (int)json_array_size(arr), "truncated",
                                 PQntuples(res) >= LIST_LIMIT);
        cm_respond_json(req, 200, body);
    }
    ob_async_free(c);
}

int ob_on_instance_list(void *data, h2o_req_t *req, const cm_route_match_t *m)
{
    ob_broker_t *b = data;
    int bad = 0;
    if (!ob_require_admin(b, req))
        return 0;
    char *user_id = cm_req_query(req, "user_id", &bad);
    if (bad) {
        cm_respond_error(req, 400, "invalid_field", "user_id", "malformed query string");
        return 0;
    }
    char *service = cm_req_query(req, "service", &bad);
    if (user_id == NULL) {
        cm_respond_error(req, 400, "missing_field", "user_id", "user_id is required (GET /instances?user_id=...)");
        return 0;
    }
    if (strlen(user_id) > 256) {
        cm_respond_error(req, 413, "field_too_large", "user_id", "user_id is longer than 256 bytes");
        return 0;
    }
    if (!ob_text_ok(user_id, 256)) {
        cm_respond_error(req, 400, "invalid_field", "user_id", "user_id must be non-empty text");
        return 0;
    }
    if (bad || (service != NULL && ob_service_find(b, service) == NULL)) {
        cm_respond_error(req, 404, "unknown_service", "service", "no such service");
        return 0;
    }
    read_ctx_t *c = ob_async_new(b, req, sizeof(*c));
    if (c == NULL)
        return 0;
    int rc = ob_db_instance_list(b->db, user_id, service, LIST_LIMIT, on_list, c);
    if (rc != CM_AGAIN) {
        ob_respond_db_error(req, rc, NULL, "listing instances");
        ob_async_free(c);
    }
    return 0;
}

int ob_instances_register(ob_broker_t *b)
{
    int rc = CM_OK;
    rc |= cm_server_route(b->server, "POST", "/instances", ob_on_instance_create, b);
    rc |= cm_server_route(b->server, "GET", "/instances", ob_on_instance_list, b);
    rc |= cm_server_route(b->server, "GET", "/instances/*", ob_on_instance_get, b);
    rc |= cm_server_route(b->server, "PATCH", "/instances/*", ob_on_instance_patch, b);
    rc |= cm_server_route(b->server, "DELETE", "/instances/*", ob_on_instance_delete, b);
    return rc == CM_OK ? CM_OK : CM_ERR;
}
