/*
 * POST /instances - creates an instance: validates everything first (nothing is written on any
 * failure), seals the client secret under the newest key bound to the new instance id, issues the
 * instance's MCP access key (returned once, stored as SHA-256), and writes instance + credentials +
 * audit row in one statement.
 *
 * 201 {instance_id, service, user_id, status, oauth_status, authorize_url, mcp_url, mcp_access_key}
 */
#include "handlers/instance_validate.h"
#include "handlers/instance_view.h"
#include "handlers/routes.h"

#include "keys/keys.h"
#include "store/cred_crypto.h"
#include "store/instances_db.h"

#include "common/crypto.h"
#include "common/log.h"
#include "common/status.h"

#include <stdlib.h>
#include <string.h>

typedef struct create_ctx {
    ob_async_t a;
    char id[37];
    char *service, *user_id;
    char *mcp_key; /* shown once */
} create_ctx_t;

static void ctx_free(create_ctx_t *c)
{
    free(c->service);
    free(c->user_id);
    cm_secure_free(c->mcp_key, 0);
    ob_async_free(c);
}

static void on_created(void *arg, int status, PGresult *res)
{
    create_ctx_t *c = arg;
    h2o_req_t *req = c->a.req;
    ob_broker_t *b = c->a.b;
    if (!ob_pg_ok(status, res, PGRES_TUPLES_OK) || PQntuples(res) != 1) {
        const char *state = status == CM_OK ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
        if (state != NULL && strcmp(state, "23503") == 0) {
            if (req != NULL)
                cm_respond_error(req, 404, "unknown_service", "service", "service \"%s\" is not registered",
                                 c->service);
        } else {
            ob_respond_db_error(req, status, res, "creating an instance");
        }
        ctx_free(c);
        return;
    }
    cm_info("instances", "created instance %s of service %s", c->id, c->service);
    if (req != NULL) {
        char *auth = ob_authorize_url(b, c->id), *mcp = ob_mcp_url(b, c->service, c->id);
        json_t *o =
            json_pack("{s:s, s:s, s:s, s:s, s:s, s:s?, s:s?, s:s}", "instance_id", c->id, "service", c->service,
                      "user_id", c->user_id, "status", PQgetvalue(res, 0, 1), "oauth_status", PQgetvalue(res, 0, 2),
                      "authorize_url", auth, "mcp_url", mcp, "mcp_access_key", c->mcp_key);
        free(auth);
        free(mcp);
        cm_add_header(req, "cache-control", "no-store");
        cm_respond_json(req, 201, o);
    }
    ctx_free(c);
}

static void respond_verr(h2o_req_t *req, const ob_verr_t *e)
{
    cm_respond_error(req, e->status, e->code, e->field, "%s", e->message);
}

static int on_instance_create(void *data, h2o_req_t *req, const cm_route_match_t *m)
{
    ob_broker_t *b = data;
    const char *why = NULL;
    ob_create_req_t in;
    ob_verr_t e;
    char *secret_hex = NULL, hash[65];
    const char *kid = NULL;

    if (!ob_require_admin(b, req))
        return 0;
    json_t *body = cm_req_json_object(req, &why);
    if (body == NULL) {
        cm_respond_error(req, 400, "invalid_json", NULL, "the body must be a JSON object (%s)", why ? why : "absent");
        return 0;
    }
    const op_provider_t *provider = ob_service_provider(b, json_string_value(json_object_get(body, "service")));
    int public_client = provider != NULL && (provider->capabilities & OP_CAP_PUBLIC_CLIENT) != 0;
    if (ob_validate_create(body, public_client, &in, &e) != CM_OK) {
        respond_verr(req, &e);
        goto out_decref;
    }
    const json_t *svc = ob_service_find(b, in.service);
    if (svc == NULL) {
        cm_respond_error(req, 404, "unknown_service", "service", "service \"%s\" is not registered", in.service);
        goto out_free_opts;
    }
    if (!json_is_true(json_object_get(svc, "active"))) {
        cm_respond_error(req, 400, "service_inactive", "service", "service \"%s\" is not active", in.service);
        goto out_free_opts;
    }
    const char *type = json_string_value(json_object_get(svc, "type"));
    if (type == NULL || strcmp(type, "oauth") != 0) {
        cm_respond_error(req, 400, "unsupported_service", "service", "service \"%s\" does not use OAuth", in.service);
        goto out_free_opts;
    }
    if (ob_service_provider(b, in.service) == NULL) {
        cm_respond_error(req, 503, "provider_unavailable", "service",
                         "the provider of service \"%s\" is not loaded on this broker", in.service);
        goto out_free_opts;
    }
    create_ctx_t *c = ob_async_new(b, req, sizeof(*c));
    if (c == NULL)
        goto out_free_opts;
    c->service = strdup(in.service);
    c->user_id = strdup(in.user_id);
    c->mcp_key = cm_random_token(32);
    if (cm_uuid_v4(c->id, sizeof(c->id)) != CM_OK || c->service == NULL || c->user_id == NULL || c->mcp_key == NULL) {
        cm_respond_error(req, 500, "internal_error", NULL, "out of memory");
        ctx_free(c);
        goto out_free_opts;
    }
    cm_sha256_hex(c->mcp_key, strlen(c->mcp_key), hash, sizeof(hash));
    if (in.client_secret != NULL && ob_cred_seal(b->keys->ring, c->id, OB_FIELD_CLIENT_SECRET, in.client_secret,
                                                 strlen(in.client_secret), &secret_hex, &kid) != CM_OK) {
        cm_respond_error(req, 500, "internal_error", NULL, "sealing the client secret failed");
        ctx_free(c);
        goto out_free_opts;
    }
    json_t *detail = json_pack("{s:s, s:s}", "service", in.service, "client_id", in.client_id);
    char *detail_text = detail ? json_dumps(detail, JSON_COMPACT) : NULL;
    json_decref(detail);
    ob_new_instance_t ni = {.instance_id = c->id,
                            .user_id = in.user_id,
                            .service = in.service,
                            .custom_name = in.custom_name,
                            .mcp_key_hash = hash,
                            .expires_in = in.expires_in,
                            .client_id = in.client_id,
                            .client_secret_hex = secret_hex,
                            .client_secret_kid = kid,
                            .requested_scopes = in.scopes,
                            .provider_options = in.provider_options,
                            .audit_detail = detail_text ? detail_text : "{}"};
    int rc = ob_db_instance_create(b->db, &ni, on_created, c);
    free(detail_text);
    if (rc != CM_AGAIN) {
        ob_respond_db_error(req, rc, NULL, "creating an instance");
        ctx_free(c);
    }
    free(secret_hex);
out_free_opts:
    free(in.provider_options);
out_decref:
    json_decref(body);
    return 0;
}

int ob_instances_create_register(ob_broker_t *b)
{
    return cm_server_route(b->server, "POST", "/instances", on_instance_create, b);
}
