/*
 * flow_util.c - what the handlers share (flow_util.h).
 */
#include "handlers/flow_util.h"

#include "keys/keys.h"
#include "oauth/pages.h"
#include "oauth/return_url.h"
#include "providers/registry.h"

#include "common/crypto.h"
#include "common/log.h"
#include "common/status.h"
#include "common/url.h"

#include <stdlib.h>
#include <string.h>

struct ob_async_ref {
    ob_async_t *ctx;
};

static void on_dispose(void *p)
{
    struct ob_async_ref *ref = p;
    if (ref->ctx != NULL) {
        ref->ctx->req = NULL;
        ref->ctx->ref = NULL;
    }
}

void *ob_async_new(ob_broker_t *b, h2o_req_t *req, size_t size)
{
    ob_async_t *a = calloc(1, size);
    if (a == NULL) {
        cm_respond_error(req, 500, "internal_error", NULL, "out of memory");
        return NULL;
    }
    a->b = b;
    a->req = req;
    a->ref = h2o_mem_alloc_shared(&req->pool, sizeof(*a->ref), on_dispose);
    a->ref->ctx = a;
    return a;
}

void ob_async_free(void *ctx)
{
    ob_async_t *a = ctx;
    if (a == NULL)
        return;
    if (a->ref != NULL)
        a->ref->ctx = NULL;
    free(a);
}

int ob_require_admin(ob_broker_t *b, h2o_req_t *req)
{
    if (b->keys == NULL || !b->keys->admin_configured) {
        cm_respond_error(req, 503, "admin_not_configured", NULL, "no admin key is configured on this broker");
        return 0;
    }
    h2o_iovec_t tok = cm_req_bearer(req);
    if (tok.base == NULL || !ob_keys_admin_ok(b->keys, tok.base, tok.len)) {
        cm_add_header(req, "www-authenticate", "Bearer realm=\"oauth-service admin\"");
        cm_respond_error(req, 401, "unauthorized", NULL, "a valid admin key is required (Authorization: Bearer)");
        return 0;
    }
    return 1;
}

const char *ob_require_service(ob_broker_t *b, h2o_req_t *req)
{
    h2o_iovec_t svc = cm_req_header(req, "x-mcp-service");
    h2o_iovec_t tok = cm_req_bearer(req);
    if (svc.base != NULL && svc.len > 0 && svc.len <= 64 && tok.base != NULL) {
        char *name = h2o_mem_alloc_pool(&req->pool, svc.len + 1);
        memcpy(name, svc.base, svc.len);
        name[svc.len] = '\0';
        if (strlen(name) == svc.len && ob_keys_service_ok(b->keys, name, tok.base, tok.len))
            return name;
    }
    cm_respond_error(req, 401, "invalid_service_credentials", NULL,
                     "X-MCP-Service and the service bearer do not match a known MCP service");
    return NULL;
}

char *ob_match_uuid(h2o_req_t *req, const cm_route_match_t *m, size_t i)
{
    char *s = cm_match_str(req, m, i);
    if (s == NULL || !cm_uuid_valid(s))
        return NULL;
    for (char *p = s; *p; p++) {
        if (*p >= 'A' && *p <= 'F')
            *p = (char)(*p - 'A' + 'a');
    }
    return s;
}

char *ob_admin_instance_id(ob_broker_t *b, h2o_req_t *req, const cm_route_match_t *m)
{
    if (!ob_require_admin(b, req))
        return NULL;
    char *id = ob_match_uuid(req, m, 0);
    if (id == NULL)
        cm_respond_error(req, 400, "invalid_instance_id", "instance_id", "the instance id must be a UUID");
    return id;
}

char *ob_service_instance_id(ob_broker_t *b, h2o_req_t *req, const cm_route_match_t *m, const char **service)
{
    if ((*service = ob_require_service(b, req)) == NULL)
        return NULL;
    char *id = ob_match_uuid(req, m, 0);
    if (id == NULL)
        cm_respond_error(req, 404, "instance_not_found", NULL, "no such instance (the id is not a UUID)");
    return id;
}

int ob_instance_loaded(h2o_req_t *req, int status, const char *what)
{
    if (status == CM_OK)
        return 1;
    if (status == CM_ENOTFOUND)
        cm_respond_error(req, 404, "instance_not_found", NULL, "no such instance");
    else
        ob_respond_db_error(req, status, NULL, what);
    return 0;
}

void ob_respond_retry_later(h2o_req_t *req, int64_t retry_ms, const char *code, const char *message, const char *error)
{
    int64_t s = retry_ms > 0 ? (retry_ms + 999) / 1000 : 1;
    char buf[24];
    int n = snprintf(buf, sizeof(buf), "%lld", (long long)s);
    h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_RETRY_AFTER, NULL, h2o_strdup(&req->pool, buf, n).base,
                   (size_t)n);
    cm_respond_json(req, 503,
                    json_pack("{s:s, s:s, s:s*, s:I}", "code", code, "message", message, "error", error,
                              "retry_after_s", (json_int_t)s));
}

void ob_respond_refresh_in_progress(h2o_req_t *req, int64_t retry_ms)
{
    ob_respond_retry_later(req, retry_ms, "refresh_in_progress",
                           "a refresh of this instance is in flight in another broker process; retry later", NULL);
}

void ob_respond_db_error(h2o_req_t *req, int status, const PGresult *res, const char *what)
{
    if (status != CM_OK) {
        cm_warn("broker", "%s: database %s", what, cm_status_str(status));
        if (req != NULL)
            cm_respond_error(req, 503, "database_unavailable", NULL, "the database is not available, retry later");
        return;
    }
    const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
    cm_error("broker", "%s failed: [%s] %s", what, state ? state : "?", PQresultErrorMessage(res));
    if (req != NULL)
        cm_respond_error(req, 500, "database_error", NULL, "the database refused the operation");
}

int ob_pg_ok(int status, const PGresult *res, ExecStatusType want)
{
    return status == CM_OK && res != NULL && PQresultStatus(res) == want;
}

void ob_send_page(const ob_broker_t *b, h2o_req_t *req, const ob_page_t *p)
{
    json_t *origins = json_array();
    size_t i;
    json_t *v;
    char *own = ob_url_origin(b->cfg->base_url);
    if (own != NULL)
        json_array_append_new(origins, json_string(own));
    free(own);
    json_array_foreach(b->cfg->allowed_return_urls, i, v)
    {
        char *o = ob_url_origin(json_string_value(v));
        int dup = 0;
        size_t j;
        json_t *w;
        json_array_foreach(origins, j, w) dup |= o != NULL && strcmp(json_string_value(w), o) == 0;
        if (o != NULL && !dup)
            json_array_append_new(origins, json_string(o));
        free(o);
    }
    ob_page_send(req, p, origins);
    json_decref(origins);
}

void ob_send_error_page(const ob_broker_t *b, h2o_req_t *req, int status, const char *code, const char *message,
                        const char *instance_id, int popup)
{
    if (req == NULL)
        return;
    ob_page_t p = {.status = status,
                   .success = 0,
                   .title = "Authorization failed",
                   .message = message,
                   .code = code,
                   .instance_id = instance_id,
                   .popup = popup};
    ob_send_page(b, req, &p);
}

struct query_once {
    h2o_req_t *req;
    const char *const *names;
    char **values;
    char *seen[OB_QUERY_MAX_PARAMS];
    size_t n_seen;
};

static int query_once_param(void *arg, const char *name, const char *value)
{
    struct query_once *q = arg;
    for (size_t i = 0; i < q->n_seen; i++)
        if (strcmp(q->seen[i], name) == 0)
            return CM_EINVAL;
    if (q->n_seen == OB_QUERY_MAX_PARAMS)
        return CM_EINVAL;
    q->seen[q->n_seen++] = h2o_strdup(&q->req->pool, name, strlen(name)).base;
    for (size_t i = 0; q->names[i] != NULL; i++)
        if (strcmp(name, q->names[i]) == 0)
            q->values[i] = h2o_strdup(&q->req->pool, value, strlen(value)).base;
    return 0;
}

int ob_query_parse_once(h2o_req_t *req, const char *const names[], char *values[])
{
    struct query_once q = {.req = req, .names = names, .values = values};
    for (size_t i = 0; names[i] != NULL; i++)
        values[i] = NULL;
    if (req->query_at == SIZE_MAX)
        return CM_OK;
    int rc = cm_form_parse(req->path.base + req->query_at + 1, req->path.len - req->query_at - 1, query_once_param, &q);
    return rc == CM_OK ? CM_OK : CM_EINVAL;
}

int ob_body_instance_id(h2o_req_t *req, json_t **body_out, char id[37])
{
    const char *why = NULL;
    json_t *body = cm_req_json_object(req, &why);
    if (body == NULL) {
        cm_respond_error(req, 400, "invalid_json", NULL, "the body must be a JSON object (%s)", why ? why : "absent");
        return 0;
    }
    const char *s = json_string_value(json_object_get(body, "instance_id"));
    if (s == NULL || !cm_uuid_valid(s)) {
        cm_respond_error(req, 400, "invalid_instance_id", "instance_id", "instance_id must be a UUID");
        json_decref(body);
        return 0;
    }
    for (size_t i = 0; i < 36; i++)
        id[i] = (char)((s[i] >= 'A' && s[i] <= 'F') ? s[i] - 'A' + 'a' : s[i]);
    id[36] = '\0';
    if (body_out)
        *body_out = body;
    else
        json_decref(body);
    return 1;
}
