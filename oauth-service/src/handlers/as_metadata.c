/*
 * The authorization server's public documents and its signing keys (docs/mcp-authorization.md):
 *
 * GET /.well-known/oauth-authorization-server   RFC 8414 metadata (CORS: any origin)
 * GET /.well-known/oauth-authorization-server/..., /.well-known/openid-configuration[/...]   404 JSON: the broker's
 *     issuer has no path and it issues no ID tokens
 * GET /as/jwks.json                              the published keys (CORS; Cache-Control: public, max-age=300)
 * GET /as/signing-keys                           admin: every published key with its dates
 * POST /as/signing-keys/rotate                   admin: creates the next key (202 {kid, not_before})
 */
#include "handlers/as_util.h"
#include "handlers/routes.h"

#include "as/metadata.h"
#include "as/signing_keys.h"

#include "common/log.h"
#include "common/status.h"

#include <stdio.h>
#include <string.h>

static void cors(h2o_req_t *req)
{
    cm_add_header(req, "access-control-allow-origin", "*");
}

/* A public document: any origin may read it, caches may keep it 5 minutes. Takes doc. */
static void public_json(h2o_req_t *req, json_t *doc)
{
    cors(req);
    cm_add_header(req, "cache-control", "public, max-age=300");
    cm_respond_json(req, 200, doc);
}

static int on_preflight(void *data, h2o_req_t *req, const cm_route_match_t *m)
{
    (void)data;
    (void)m;
    cors(req);
    cm_add_header(req, "access-control-allow-methods", "GET, POST, OPTIONS");
    cm_add_header(req, "access-control-allow-headers", "*");
    cm_add_header(req, "access-control-max-age", "86400");
    cm_respond_empty(req, 204);
    return 0;
}

static int on_metadata(void *data, h2o_req_t *req, const cm_route_match_t *m)
{
    ob_broker_t *b = data;
    (void)m;
    if (ob_as_enabled(b, req))
        public_json(req, ob_as_metadata(b->cfg->base_url));
    return 0;
}

static int on_other_metadata(void *data, h2o_req_t *req, const cm_route_match_t *m)
{
    (void)data;
    (void)m;
    cors(req);
    cm_respond_error(req, 404, "not_found", NULL,
                     "the issuer is the broker's base URL: its metadata is at /.well-known/oauth-authorization-server");
    return 0;
}

static int on_jwks(void *data, h2o_req_t *req, const cm_route_match_t *m)
{
    ob_broker_t *b = data;
    (void)m;
    if (ob_as_enabled(b, req))
        public_json(req, ob_as_jwks(b->as, ob_now()));
    return 0;
}

static int on_keys_list(void *data, h2o_req_t *req, const cm_route_match_t *m)
{
    ob_broker_t *b = data;
    (void)m;
    if (!ob_as_enabled(b, req) || !ob_require_admin(b, req))
        return 0;
    cm_add_header(req, "cache-control", "no-store");
    cm_respond_json(req, 200, json_pack("{s:o}", "keys", ob_as_keys_describe(b->as, ob_now())));
    return 0;
}

static void on_rotated(void *arg, int status, const char *kid)
{
    ob_async_t *a = arg;
    if (a->req != NULL) {
        if (status != CM_OK)
            ob_respond_db_error(a->req, status, NULL, "rotating the signing key");
        else
            cm_respond_json(a->req, 202,
                            json_pack("{s:s, s:I}", "kid", kid, "not_before",
                                      (json_int_t)(ob_now() + a->b->cfg->authz.key_publish_ahead_s)));
    }
    ob_async_free(a);
}

static int on_rotate(void *data, h2o_req_t *req, const cm_route_match_t *m)
{
    ob_broker_t *b = data;
    (void)m;
    if (!ob_as_enabled(b, req) || !ob_require_admin(b, req))
        return 0;
    ob_async_t *a = ob_async_new(b, req, sizeof(*a));
    if (a == NULL)
        return 0;
    int rc = ob_as_keys_rotate(b->as, "admin", on_rotated, a);
    if (rc != CM_AGAIN) {
        ob_respond_db_error(req, rc, NULL, "rotating the signing key");
        ob_async_free(a);
    }
    return 0;
}

int ob_as_metadata_register(ob_broker_t *b)
{
    int rc = CM_OK;
    rc |= cm_server_route(b->server, "GET", "/.well-known/oauth-authorization-server", on_metadata, b);
    rc |= cm_server_route(b->server, "OPTIONS", "/.well-known/oauth-authorization-server", on_preflight, b);
    rc |= cm_server_route(b->server, "GET", "/.well-known/oauth-authorization-server/**", on_other_metadata, b);
    rc |= cm_server_route(b->server, "GET", "/.well-known/openid-configuration", on_other_metadata, b);
    rc |= cm_server_route(b->server, "GET", "/.well-known/openid-configuration/**", on_other_metadata, b);
    rc |= cm_server_route(b->server, "GET", "/as/jwks.json", on_jwks, b);
    rc |= cm_server_route(b->server, "OPTIONS", "/as/jwks.json", on_preflight, b);
    rc |= cm_server_route(b->server, "OPTIONS", "/as/register", on_preflight, b);
    rc |= cm_server_route(b->server, "OPTIONS", "/as/token", on_preflight, b);
    rc |= cm_server_route(b->server, "GET", "/as/signing-keys", on_keys_list, b);
    rc |= cm_server_route(b->server, "POST", "/as/signing-keys/rotate", on_rotate, b);
    return rc == CM_OK ? CM_OK : CM_ERR;
}
