/*
 * The MCP server's other calls (docs/mcp-broker-protocol.md, 1 and 3), both with the service bearer:
 *
 * POST /instances/{id}/mcp-auth {"key_sha256": "<64 hex>"} - is this the instance's MCP access key?
 *   200 {instance_id, service, status, authorize_url, expires_at (unix s or null), version} | 401 invalid_key |
 *   404 instance_not_found
 *   (also for an instance of another service). The hash is compared in constant time.
 * POST /instances/{id}/mcp-auth {"grant_id": "<uuid>"} - is this an MCP client grant of the instance (a JWT access
 *   token's gid) that is not revoked? The same 200 as for a key; 401 invalid_grant when the grant is revoked, unknown
 *   or of another instance. The instance's status is answered as for a key: an inactive instance's grants stay but
 *   the MCP server refuses them like its key, and the token endpoint refuses them too.
 * POST /instances/usage {"service", "usage": [{"instance_id", "count", "last_used_at"}]} - 204.
 *   One statement per batch; only instances of the calling service are counted.
 */
#include "handlers/flow_util.h"
#include "handlers/routes.h"

#include "common/crypto.h"
#include "common/json_util.h"
#include "common/log.h"
#include "common/status.h"
#include "store/instance_cache.h"
#include "store/instances_db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_USAGE_ENTRIES 10000

typedef struct auth_ctx {
    ob_async_t a;
    char id[37];
    char service[65];
    char key_hash[65]; /* "" when a grant was checked instead */
} auth_ctx_t;

static void check(ob_broker_t *b, h2o_req_t *req, const char *service, const char *key_hash, const ob_instance_t *inst)
{
    if (strcmp(inst->service, service) != 0) {
        cm_respond_error(req, 404, "instance_not_found", NULL, "no such instance for this service");
        return;
    }
    if (key_hash[0] != '\0' && !cm_ct_equal(key_hash, 64, inst->key_hash, strlen(inst->key_hash))) {
        cm_respond_error(req, 401, "invalid_key", NULL, "the key does not match this instance");
        return;
    }
    char *auth = ob_authorize_url(b, inst->id);
    json_t *o = json_pack("{s:s, s:s, s:s, s:s?, s:o, s:I}", "instance_id", inst->id, "service", inst->service,
                          "status", cm_inst_status_name(ob_instance_effective_status(inst, ob_now())), "authorize_url",
                          auth, "expires_at", inst->expires_at > 0 ? json_integer(inst->expires_at) : json_null(),
                          "version", (json_int_t)inst->event_version);
    free(auth);
    cm_respond_json(req, 200, o);
}

static void on_loaded(void *arg, int status, ob_instance_t *inst)
{
    auth_ctx_t *c = arg;
    h2o_req_t *req = c->a.req;
    if (req != NULL && ob_instance_loaded(req, status, "loading an instance for key verification"))
        check(c->a.b, req, c->service, c->key_hash, inst);
    ob_async_free(c);
}

static int hex64(const char *s)
{
    if (s == NULL || strlen(s) != 64)
        return 0;
    return strspn(s, "0123456789abcdef") == 64;
}

/* The instance answer once the key or the grant is known good (c->key_hash "" for a grant). */
static void answer_instance(auth_ctx_t *c)
{
    h2o_req_t *req = c->a.req;
    ob_instance_t *inst = ob_icache_peek(c->a.b->instances, c->id);
    if (inst != NULL) {
        check(c->a.b, req, c->service, c->key_hash, inst);
        ob_async_free(c);
        return;
    }
    int rc = ob_icache_load(c->a.b->instances, c->id, on_loaded, c);
    if (rc != CM_AGAIN) {
        ob_respond_db_error(req, rc, NULL, "loading an instance for key verification");
        ob_async_free(c);
    }
}

static void on_grant(void *arg, int status, PGresult *res)
{
    auth_ctx_t *c = arg;
    if (!ob_pg_ok(status, res, PGRES_TUPLES_OK)) {
        ob_respond_db_error(c->a.req, status, res, "checking a grant");
        ob_async_free(c);
    } else if (c->a.req == NULL) {
        ob_async_free(c);
    } else if (PQntuples(res) == 0) {
        cm_respond_error(c->a.req, 401, "invalid_grant", "grant_id", "no such live grant of this instance");
        ob_async_free(c);
    } else {
        answer_instance(c);
    }
}

/* {"grant_id"}: the grant must be of this instance and not revoked; then the same answer as for a key. */
static void auth_grant(ob_broker_t *b, h2o_req_t *req, const char *id, const char *service, const char *gid)
{
    static const char sql[] = "SELECT 1 FROM as_grants WHERE grant_id = $1::uuid AND instance_id = $2::uuid"
                              " AND revoked_at IS NULL";
    if (!cm_uuid_valid(gid)) {
        cm_respond_error(req, 400, "invalid_request", "grant_id", "grant_id must be a UUID");
        return;
    }
    auth_ctx_t *c = ob_async_new(b, req, sizeof(*c));
    if (c == NULL)
        return;
    memcpy(c->id, id, sizeof(c->id));
    snprintf(c->service, sizeof(c->service), "%s", service);
    const char *params[] = {gid, id};
    int rc = cm_pg_query(b->db, sql, 2, params, on_grant, c);
    if (rc != CM_AGAIN) {
        ob_respond_db_error(req, rc, NULL, "checking a grant");
        ob_async_free(c);
    }
}

static int on_mcp_auth(void *data, h2o_req_t *req, const cm_route_match_t *m)
{
    ob_broker_t *b = data;
    const char *why = NULL;
    const char *service = NULL;
    char *id = ob_service_instance_id(b, req, m, &service);
    if (id == NULL)
        return 0;
    json_t *body = cm_req_json_object(req, &why);
    const char *hash = body ? cm_json_str(body, "key_sha256") : NULL;
    const char *gid = body ? cm_json_str(body, "grant_id") : NULL;
    if (hash == NULL && gid != NULL) {
        auth_grant(b, req, id, service, gid);
        json_decref(body);
        return 0;
    }
    if (!hex64(hash)) {
        cm_respond_error(req, 400, "invalid_request", "key_sha256", "key_sha256 must be 64 lowercase hex chars");
        json_decref(body);
        return 0;
    }
    ob_instance_t *inst = ob_icache_peek(b->instances, id);
    if (inst != NULL) {
        check(b, req, service, hash, inst);
        json_decref(body);
        return 0;
    }
    auth_ctx_t *c = ob_async_new(b, req, sizeof(*c));
    if (c != NULL) {
        memcpy(c->id, id, sizeof(c->id));
        snprintf(c->service, sizeof(c->service), "%s", service);
        memcpy(c->key_hash, hash, 65);
        int rc = ob_icache_load(b->instances, id, on_loaded, c);
        if (rc != CM_AGAIN) {
            ob_respond_db_error(req, rc, NULL, "loading an instance for key verification");
            ob_async_free(c);
        }
    }
    json_decref(body);
    return 0;
}

static void on_usage_done(void *arg, int status, PGresult *res)
{
    ob_async_t *a = arg;
    if (!ob_pg_ok(status, res, PGRES_COMMAND_OK))
        ob_respond_db_error(a->req, status, res, "adding usage counters");
    else if (a->req != NULL)
        cm_respond_empty(a->req, 204);
    ob_async_free(a);
}

static int on_usage(void *data, h2o_req_t *req, const cm_route_match_t *m)
{
    ob_broker_t *b = data;
    const char *why = NULL;
    char field[48];
    const char *service = ob_require_service(b, req);
    if (service == NULL)
        return 0;
    json_t *body = cm_req_json_object(req, &why);
    if (body == NULL) {
        cm_respond_error(req, 400, "invalid_json", NULL, "the body must be a JSON object");
        return 0;
    }
    const char *bs = cm_json_str(body, "service");
    json_t *usage = json_object_get(body, "usage");
    if (bs == NULL || strcmp(bs, service) != 0) {
        cm_respond_error(req, 403, "forbidden", "service", "the usage belongs to another service");
        goto out_decref;
    }
    if (!json_is_array(usage) || json_array_size(usage) > MAX_USAGE_ENTRIES) {
        cm_respond_error(req, 400, "invalid_request", "usage", "usage must be an array of at most %d entries",
                         MAX_USAGE_ENTRIES);
        goto out_decref;
    }
    json_t *clean = json_array();
    size_t i;
    json_t *e;
    json_array_foreach(usage, i, e)
    {
        const char *iid = cm_json_str(e, "instance_id");
        json_t *cnt = json_object_get(e, "count"), *last = json_object_get(e, "last_used_at");
        if (!cm_uuid_valid(iid) || !json_is_integer(cnt) || json_integer_value(cnt) < 0 ||
            json_integer_value(cnt) > 1000000000 ||
            (last != NULL &&
             (!json_is_integer(last) || json_integer_value(last) < 0 || json_integer_value(last) > 4102444800LL))) {
            snprintf(field, sizeof(field), "usage[%zu]", i);
            cm_respond_error(req, 400, "invalid_request", field,
                             "each entry needs instance_id (UUID), count (0..1e9), last_used_at (unix s)");
            json_decref(clean);
            goto out_decref;
        }
        json_array_append_new(clean, json_pack("{s:s, s:I, s:I}", "instance_id", iid, "count", json_integer_value(cnt),
                                               "last_used_at", last ? json_integer_value(last) : (json_int_t)0));
    }
    char *text = json_dumps(clean, JSON_COMPACT);
    json_decref(clean);
    ob_async_t *a = text ? ob_async_new(b, req, sizeof(*a)) : NULL;
    if (a != NULL) {
        int rc = ob_db_add_usage(b->db, service, text, on_usage_done, a);
        if (rc != CM_AGAIN) {
            ob_respond_db_error(req, rc, NULL, "adding usage counters");
            ob_async_free(a);
        }
    } else if (text == NULL) {
        cm_respond_error(req, 500, "internal_error", NULL, "out of memory");
    }
    free(text);
out_decref:
    json_decref(body);
    return 0;
}

int ob_mcp_auth_register(ob_broker_t *b)
{
    int rc = CM_OK;
    rc |= cm_server_route(b->server, "POST", "/instances/usage", on_usage, b);
    rc |= cm_server_route(b->server, "POST", "/instances/*/mcp-auth", on_mcp_auth, b);
    return rc == CM_OK ? CM_OK : CM_ERR;
}
