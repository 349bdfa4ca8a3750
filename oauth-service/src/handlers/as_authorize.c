/*
 * GET /as/authorize - the authorization request of an MCP client (docs/mcp-authorization.md, "Authorization
 * request"), checked in the contract's order:
 *   1. repeated parameter, unknown client (metadata document refused), redirect_uri not registered: an HTML error
 *      page (400), nothing redirects - the redirect URI is not known good yet;
 *   2. response_type, PKCE, resource, scope: an error redirect to the client (error, error_description, state, iss);
 *   3. the request is stored (as_requests; the browser gets the request id in the form and a CSRF cookie whose hash
 *      the row holds) and the consent page is answered.
 * Nothing is stored before step 3; each insert also deletes a few requests expired for a day (the answer to a late
 * consent stays "already answered or expired" meanwhile). Client lookups: a metadata document (as/cimd.h, cached) or a
 * stored client (as/clients.h).
 */
#include "handlers/as_consent_page.h"
#include "handlers/as_upstream.h"
#include "handlers/flow_util.h"
#include "handlers/routes.h"

#include "as/authz_request.h"
#include "as/cimd.h"
#include "as/clients.h"
#include "as/redirect.h"
#include "as/resource.h"
#include "store/instance_cache.h"

#include "common/crypto.h"
#include "common/log.h"
#include "common/status.h"
#include "common/url.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { Q_RT, Q_CLIENT, Q_REDIRECT, Q_SCOPE, Q_STATE, Q_CHALLENGE, Q_METHOD, Q_RESOURCE, Q_COUNT };
static const char *const query_names[Q_COUNT + 1] = {
    "response_type", "client_id", "redirect_uri", "scope", "state", "code_challenge", "code_challenge_method",
    "resource",      NULL};

typedef struct as_authz_ctx {
    ob_async_t a;
    char *q[Q_COUNT]; /* in req->pool: valid while a.req is */
    json_t *client;   /* the client's metadata (owned) */
    int cimd;         /* the client is a metadata document */
    char *resource;   /* canonical */
    ob_as_resource_t res;
    char scope[32];
    char *request_id, *csrf; /* the secrets handed to the browser */
    json_t *row;             /* the stored request */
} as_authz_ctx_t;

static void ctx_free(as_authz_ctx_t *c)
{
    json_decref(c->client);
    json_decref(c->row);
    free(c->resource);
    cm_secure_free(c->request_id, 0);
    cm_secure_free(c->csrf, 0);
    ob_async_free(c);
}

static void page(as_authz_ctx_t *c, int status, const char *code, const char *message)
{
    ob_send_error_page(c->a.b, c->a.req, status, code, message, NULL, 0);
}

/* An error redirect of step 2 (the redirect URI is the registered one). */
static void redirect_error(as_authz_ctx_t *c, const char *error, const char *desc)
{
    h2o_req_t *req = c->a.req;
    const char *params[] = {"error",       error, "error_description",   desc, "state",
                            c->q[Q_STATE], "iss", c->a.b->cfg->base_url, NULL};
    char *url = ob_as_redirect_with(c->q[Q_REDIRECT], params);
    if (url == NULL) {
        page(c, 500, "internal_error", "The answer to the application could not be built.");
        return;
    }
    cm_add_header(req, "location", url);
    cm_add_header(req, "cache-control", "no-store");
    cm_add_header(req, "referrer-policy", "no-referrer");
    cm_respond_empty(req, 302);
    free(url);
}

static void on_stored(void *arg, int status, PGresult *res)
{
    as_authz_ctx_t *c = arg;
    h2o_req_t *req = c->a.req;
    if (req == NULL)
        goto out_free;
    if (!ob_pg_ok(status, res, PGRES_COMMAND_OK)) {
        cm_warn("as", "storing an authorization request failed: %s",
                status != CM_OK ? cm_status_str(status) : PQresultErrorMessage(res));
        page(c, 503, "temporarily_unavailable", "Please try again in a moment.");
        goto out_free;
    }
    char cookie[160];
    snprintf(cookie, sizeof(cookie), "ob_as_csrf=%s; HttpOnly; SameSite=Strict; Path=/as/%s", c->csrf,
             strncmp(c->a.b->cfg->base_url, "https://", 8) == 0 ? "; Secure" : "");
    cm_add_header(req, "set-cookie", cookie);
    ob_as_consent_view_t v = {
        .request_id = c->request_id,
        .client_name = json_string_value(json_object_get(c->row, "client_name")),
        .client_host = json_string_value(json_object_get(c->row, "client_host")),
        .redirect_uri = c->q[Q_REDIRECT],
        .service_display = json_string_value(json_object_get(c->row, "service_display")),
        .instance_label = json_string_value(json_object_get(c->row, "instance_label")),
        .provider_display = json_string_value(json_object_get(c->row, "provider_display")),
        .scope = c->scope,
        .allow_possible = json_is_true(json_object_get(c->row, "allow_possible")),
    };
    char up[300];
    if (ob_as_upstream_origin(c->a.b, json_string_value(json_object_get(c->row, "service")), up, sizeof(up)))
        v.upstream_origin = up;
    ob_as_consent_send(req, 200, &v);
out_free:
    ctx_free(c);
}

/* 1 when the operator configured app credentials for the service or its provider. */
static int has_app(const ob_broker_t *b, const char *service)
{
    const op_provider_t *p = ob_service_provider(b, service);
    return json_object_get(b->cfg->authz.apps, service) != NULL ||
           (p != NULL && json_object_get(b->cfg->authz.apps, p->name) != NULL);
}

/* Step 3: stores the request and answers the consent page. inst: the instance of an instance URL, else NULL. */
static void store(as_authz_ctx_t *c, const ob_instance_t *inst)
{
    ob_broker_t *b = c->a.b;
    const json_t *svc = ob_service_find(b, c->res.service);
    const op_provider_t *p = ob_service_provider(b, c->res.service);
    const char *display = json_string_value(json_object_get(svc, "display_name"));
    const char *cname = json_string_value(json_object_get(c->client, "client_name"));
    char host[256] = "";
    if (c->cimd)
        snprintf(host, sizeof(host), "%.*s", (int)strcspn(c->q[Q_CLIENT] + 8, "/"), c->q[Q_CLIENT] + 8);
    c->row = json_pack("{s:s, s:s?, s:s?, s:s, s:s, s:s?, s:s, s:s, s:s, s:s, s:s?, s:s?, s:s, s:b, s:i}", "client_id",
                       c->q[Q_CLIENT], "client_name", cname, "client_host", host[0] ? host : NULL, "redirect_uri",
                       c->q[Q_REDIRECT], "scope", c->scope, "state", c->q[Q_STATE], "code_challenge", c->q[Q_CHALLENGE],
                       "resource", c->resource, "kind", c->res.kind == OB_AS_RES_INSTANCE ? "instance" : "service",
                       "service", c->res.service, "instance_id", inst ? inst->id : NULL, "instance_label",
                       inst ? (inst->custom_name && inst->custom_name[0] ? inst->custom_name : inst->id) : NULL,
                       "service_display", display ? display : c->res.service, "allow_possible",
                       inst != NULL || has_app(b, c->res.service), "tries", 0);
    if (c->row != NULL && p != NULL)
        json_object_set_new(c->row, "provider_display", json_string(p->display_name ? p->display_name : p->name));
    char id_hash[65], csrf_hash[65], ttl[24];
    c->request_id = cm_random_token(32);
    c->csrf = cm_random_token(32);
    char *text = c->row ? json_dumps(c->row, JSON_COMPACT) : NULL;
    if (text == NULL || c->request_id == NULL || c->csrf == NULL) {
        free(text);
        page(c, 500, "internal_error", "The authorization request could not be stored.");
        ctx_free(c);
        return;
    }
    cm_sha256_hex(c->request_id, strlen(c->request_id), id_hash, sizeof(id_hash));
    cm_sha256_hex(c->csrf, strlen(c->csrf), csrf_hash, sizeof(csrf_hash));
    snprintf(ttl, sizeof(ttl), "%d", b->cfg->authz.request_ttl_s);
    const char *params[] = {id_hash, text, csrf_hash, ttl};
    int rc = cm_pg_query(b->db,
                         "WITH old AS (DELETE FROM as_requests WHERE request_hash IN (SELECT request_hash "
                         "  FROM as_requests WHERE expires_at < now() - interval '1 day' LIMIT 20)) "
                         "INSERT INTO as_requests (request_hash, request, csrf_hash, expires_at) "
                         "VALUES ($1, $2::jsonb, $3, now() + make_interval(secs => $4::int))",
                         4, params, on_stored, c);
    free(text);
    if (rc != CM_AGAIN) {
        page(c, 503, "temporarily_unavailable", "Please try again in a moment.");
        ctx_free(c);
    }
}

/* The scope, then step 3. */
static void finish_checks(as_authz_ctx_t *c, const ob_instance_t *inst)
{
    if (!ob_as_scope_normalize(c->q[Q_SCOPE], c->scope)) {
        redirect_error(c, "invalid_scope", "Supported scopes: mcp:read mcp:write.");
        ctx_free(c);
        return;
    }
    store(c, inst);
}

static void on_instance(void *arg, int status, ob_instance_t *inst)
{
    as_authz_ctx_t *c = arg;
    if (c->a.req == NULL) {
        ctx_free(c);
    } else if (status == CM_OK && strcmp(inst->service, c->res.service) == 0) {
        finish_checks(c, inst);
    } else if (status == CM_OK || status == CM_ENOTFOUND) {
        redirect_error(c, "invalid_target", "The resource is not an MCP server of this authorization server.");
        ctx_free(c);
    } else {
        page(c, 503, "temporarily_unavailable", "Please try again in a moment.");
        ctx_free(c);
    }
}

/* Steps 1 (redirect_uri) and 2, once the client is known. */
static void with_client(as_authz_ctx_t *c)
{
    ob_broker_t *b = c->a.b;
    const char *desc;
    if (c->q[Q_REDIRECT] == NULL ||
        !ob_as_redirect_allowed(json_object_get(c->client, "redirect_uris"), c->q[Q_REDIRECT])) {
        page(c, 400, "invalid_redirect_uri",
             c->q[Q_REDIRECT] ? "The redirect_uri is not registered for this application."
                              : "The request has no redirect_uri.");
        ctx_free(c);
        return;
    }
    const char *err = ob_as_check_code_pkce(c->q[Q_RT], c->q[Q_CHALLENGE], c->q[Q_METHOD], &desc);
    if (err != NULL) {
        redirect_error(c, err, desc);
        ctx_free(c);
        return;
    }
    if (c->q[Q_RESOURCE] == NULL || ob_as_resource_normalize(c->q[Q_RESOURCE], &c->resource) != CM_OK ||
        ob_as_resource_classify(b, c->resource, &c->res) != CM_OK) {
        redirect_error(c, "invalid_target",
                       c->q[Q_RESOURCE] ? "The resource is not an MCP server of this authorization server."
                                        : "The request has no resource (the MCP server's URL).");
        ctx_free(c);
        return;
    }
    if (c->res.kind == OB_AS_RES_SERVICE) {
        finish_checks(c, NULL);
        return;
    }
    ob_instance_t *inst = ob_icache_peek(b->instances, c->res.instance_id);
    if (inst != NULL) {
        on_instance(c, CM_OK, inst);
        return;
    }
    if (ob_icache_load(b->instances, c->res.instance_id, on_instance, c) != CM_AGAIN) {
        page(c, 503, "temporarily_unavailable", "Please try again in a moment.");
        ctx_free(c);
    }
}

/* The broker stops with the document fetch in flight: the context goes, the request is not answered. */
static void on_cimd_dropped(void *arg)
{
    ctx_free(arg);
}

static void on_cimd(void *arg, int status, const json_t *doc, const char *why)
{
    as_authz_ctx_t *c = arg;
    if (c->a.req == NULL) {
        ctx_free(c);
        return;
    }
    if (status != CM_OK) {
        page(c, 400, "invalid_client", why);
        ctx_free(c);
        return;
    }
    c->client = json_deep_copy(doc);
    with_client(c);
}

static void on_client(void *arg, int status, const ob_as_client_t *client)
{
    as_authz_ctx_t *c = arg;
    if (c->a.req == NULL) {
        ctx_free(c);
        return;
    }
    if (status != CM_OK && status != CM_ENOTFOUND) {
        page(c, 503, "temporarily_unavailable", "Please try again in a moment.");
        ctx_free(c);
        return;
    }
    if (status == CM_OK)
        c->client = json_deep_copy(client->metadata);
    if (!json_is_object(c->client)) {
        page(c, 400, "invalid_client", "This application is not registered here.");
        ctx_free(c);
        return;
    }
    with_client(c);
}

static int on_authorize(void *data, h2o_req_t *req, const cm_route_match_t *m)
{
    ob_broker_t *b = data;
    (void)m;
    char *v[Q_COUNT + 1];
    if (ob_query_parse_once(req, query_names, v) != CM_OK) {
        ob_send_error_page(b, req, 400, "invalid_request",
                           "The request is malformed (a parameter is repeated or badly encoded).", NULL, 0);
        return 0;
    }
    if (v[Q_CLIENT] == NULL || v[Q_CLIENT][0] == '\0' || strlen(v[Q_CLIENT]) > 2048) {
        ob_send_error_page(b, req, 400, "invalid_request", "The request has no client_id.", NULL, 0);
        return 0;
    }
    as_authz_ctx_t *c = ob_async_new(b, req, sizeof(*c));
    if (c == NULL)
        return 0;
    memcpy(c->q, v, sizeof(c->q));
    const char *id = v[Q_CLIENT];
    if (ob_cimd_is_url(id)) {
        c->cimd = 1;
        const json_t *doc = ob_cimd_peek(b->cimd, id, ob_now());
        if (doc != NULL) {
            c->client = json_deep_copy(doc);
            with_client(c);
        } else if (ob_cimd_get(b->cimd, id, on_cimd, on_cimd_dropped, c) != CM_AGAIN) {
            page(c, 503, "temporarily_unavailable", "Please try again in a moment.");
            ctx_free(c);
        }
        return 0;
    }
    if (strncmp(id, "https://", 8) == 0 || strncmp(id, "http://", 7) == 0) {
        page(c, 400, "invalid_client", "The client_id is not a valid metadata document address (https, with a path).");
        ctx_free(c);
        return 0;
    }
    /* no touch: a use is recorded when the client redeems a code (/as/token) */
    int rc = ob_as_client_load(b, id, 0, on_client, c);
    if (rc == CM_EINVAL) {
        page(c, 400, "invalid_client", "This application is not registered here.");
        ctx_free(c);
    } else if (rc != CM_AGAIN) {
        page(c, 503, "temporarily_unavailable", "Please try again in a moment.");
        ctx_free(c);
    }
    return 0;
}

int ob_as_authorize_register(ob_broker_t *b)
{
    if (!b->cfg->authz.enabled || b->cimd == NULL)
        return CM_OK;
    return cm_server_route(b->server, "GET", "/as/authorize", on_authorize, b);
}
