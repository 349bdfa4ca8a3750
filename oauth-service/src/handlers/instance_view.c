/*
 * instance_view.c - the admin view of an instance (instance_view.h): what the instance handlers answer with.
 */
#include "handlers/instance_view.h"

#include "store/instance.h"
#include "store/instance_cache.h"
#include "store/instances_db.h"

#include "common/status.h"

#include <stdlib.h>

typedef struct read_ctx {
    ob_async_t a;
    int status_code;
} read_ctx_t;

json_t *ob_instance_view_json(ob_broker_t *b, const PGresult *res, int row)
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
        json_t *o = PQntuples(res) == 1 ? ob_instance_view_json(c->a.b, res, 0) : NULL;
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

int ob_instance_written(ob_instance_write_t *w, int status, PGresult *res, const char *what)
{
    ob_icache_invalidate(w->a.b->instances, w->id);
    if (ob_pg_ok(status, res, PGRES_TUPLES_OK) && PQntuples(res) == 1)
        return 1;
    ob_respond_db_error(w->a.req, status, res, what);
    return 0;
}
