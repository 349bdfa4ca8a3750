/*
 * GET /instances/{id} and GET /instances?user_id=...[&service=...] - the admin view of instances
 * (never a secret or a token), read from the database (not the vending cache).
 */
#include "handlers/instance_view.h"
#include "handlers/routes.h"

#include "store/instances_db.h"

#include "common/log.h"
#include "common/status.h"

#include <stdlib.h>
#include <string.h>

#define LIST_LIMIT 1000

typedef struct list_ctx {
    ob_async_t a;
} list_ctx_t;

static int on_instance_get(void *data, h2o_req_t *req, const cm_route_match_t *m)
{
    ob_broker_t *b = data;
    char *id = ob_admin_instance_id(b, req, m);
    if (id == NULL)
        return 0;
    ob_respond_instance(b, req, id, 200);
    return 0;
}

static void on_list(void *arg, int status, PGresult *res)
{
    list_ctx_t *c = arg;
    h2o_req_t *req = c->a.req;
    if (!ob_pg_ok(status, res, PGRES_TUPLES_OK)) {
        ob_respond_db_error(req, status, res, "listing instances");
    } else if (req != NULL) {
        json_t *arr = json_array();
        for (int i = 0; i < PQntuples(res); i++) {
            json_t *o = ob_instance_view_json(c->a.b, res, i);
            if (o != NULL)
                json_array_append_new(arr, o);
        }
        json_t *body = json_pack("{s:o, s:i, s:b}", "instances", arr, "count", (int)json_array_size(arr), "truncated",
                                 PQntuples(res) >= LIST_LIMIT);
        cm_respond_json(req, 200, body);
    }
    ob_async_free(c);
}

static int on_instance_list(void *data, h2o_req_t *req, const cm_route_match_t *m)
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
    list_ctx_t *c = ob_async_new(b, req, sizeof(*c));
    if (c == NULL)
        return 0;
    int rc = ob_db_instance_list(b->db, user_id, service, LIST_LIMIT, on_list, c);
    if (rc != CM_AGAIN) {
        ob_respond_db_error(req, rc, NULL, "listing instances");
        ob_async_free(c);
    }
    return 0;
}

int ob_instances_read_register(ob_broker_t *b)
{
    int rc = cm_server_route(b->server, "GET", "/instances", on_instance_list, b);
    return rc == CM_OK ? cm_server_route(b->server, "GET", "/instances/*", on_instance_get, b) : rc;
}
