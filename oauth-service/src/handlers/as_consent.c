/*
 * POST /as/consent - the answer of the consent page (docs/mcp-authorization.md, "Authorization request" 3-5).
 *
 * Checks, in order: an Origin header (when sent) equal to the issuer's origin; a form without repeated fields; the
 * ob_as_csrf cookie, whose hash must equal the request row's; the row known, unused and unexpired. Then:
 *   Deny  -> the row is consumed, 303 to the client with error=access_denied (state, iss);
 *   Allow -> instance URL: the typed access key is checked first (SHA-256, constant time, against the instance's
 *            key hash); a wrong key leaves the row usable and shows the page again, until the fifth wrong key
 *            spends it. A connection that is not active (disabled, expired, needs a new sign-in) is refused to the
 *            key's holder (403 instance_inactive, the row untouched). The right key consumes the row and creates the
 * code in ONE statement (a second answer finds the row used), then 303 to the client with code, state and iss. Service
 * URL: without operator app credentials there is nothing to allow (the page offered only Deny); with them Allow starts
 * the upstream sign-in (as_upstream.h), which consumes the row. Codes: 32 random bytes base64url; only their SHA-256 is
 * stored (as_codes), authorization.code_ttl_s.
 */
#include "handlers/as_consent_page.h"
#include "handlers/as_upstream.h"
#include "handlers/as_util.h"
#include "handlers/flow_util.h"
#include "handlers/routes.h"

#include "as/authz_request.h"
#include "store/instance_cache.h"

#include "common/crypto.h"
#include "common/log.h"
#include "common/status.h"
#include "common/url.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_KEY_TRIES 5

typedef struct as_consent_ctx {
    ob_async_t a;
    char id_hash[65], csrf_hash[65];
    char *request_id; /* as posted (in req->pool) */
    char *csrf;       /* the ob_as_csrf cookie's value (in req->pool) */
    char *access_key; /* malloc'ed, wiped */
    int allow, proof; /* proof: Allow by signing in again with the instance's bound account */
    json_t *row;      /* the stored request */
    char *code;       /* the code handed to the client, wiped */
} as_consent_ctx_t;

static void ctx_free(as_consent_ctx_t *c)
{
    cm_secure_free(c->access_key, 0);
    cm_secure_free(c->code, 0);
    json_decref(c->row);
    ob_async_free(c);
}

static void page(const ob_broker_t *b, h2o_req_t *req, int status, const char *code, const char *message)
{
    ob_send_error_page(b, req, status, code, message, NULL, 0);
}

static const char *row_str(const as_consent_ctx_t *c, const char *key)
{
    return json_string_value(json_object_get(c->row, key));
}

/* 303 to the client's redirect URI with params (name, value pairs, NULL-terminated). */
static void redirect_client(as_consent_ctx_t *c, const char *const *params)
{
    h2o_req_t *req = c->a.req;
    char *url = ob_as_redirect_with(row_str(c, "redirect_uri"), params);
    if (url == NULL) {
        page(c->a.b, req, 500, "internal_error", "The answer to the application could not be built.");
        return;
    }
    cm_add_header(req, "location", url);
    cm_add_header(req, "cache-control", "no-store");
    cm_add_header(req, "referrer-policy", "no-referrer");
    cm_respond_empty(req, 303);
    cm_secure_free(url, 0);
}

static void show_again(as_consent_ctx_t *c, int status, const char *error)
{
    ob_as_consent_view_t v = {.request_id = c->request_id,
                              .client_name = row_str(c, "client_name"),
                              .client_host = row_str(c, "client_host"),
                              .redirect_uri = row_str(c, "redirect_uri"),
                              .service_display = row_str(c, "service_display"),
                              .instance_label = row_str(c, "instance_label"),
                              .provider_display = row_str(c, "provider_display"),
                              .scope = row_str(c, "scope"),
                              .allow_possible = json_is_true(json_object_get(c->row, "allow_possible")),
                              .error = error};
    ob_as_consent_send(c->a.req, status, &v);
}

static void spent_page(as_consent_ctx_t *c)
{
    page(c->a.b, c->a.req, 400, "request_used",
         "This authorization request was already answered or has expired. Start again from the application.");
}

static void on_code(void *arg, int status, PGresult *res)
{
    as_consent_ctx_t *c = arg;
    if (c->a.req == NULL)
        goto out_free;
    if (!ob_pg_ok(status, res, PGRES_TUPLES_OK)) {
        cm_warn("as", "creating an authorization code failed: %s",
                status != CM_OK ? cm_status_str(status) : PQresultErrorMessage(res));
        page(c->a.b, c->a.req, 503, "temporarily_unavailable", "Please try again in a moment.");
    } else if (strcmp(PQgetvalue(res, 0, 0), "1") != 0) {
        spent_page(c);
    } else {
        const char *params[] = {"code", c->code, "state", row_str(c, "state"), "iss", c->a.b->cfg->base_url, NULL};
        redirect_client(c, params);
    }
out_free:
    ctx_free(c);
}

/* Consumes the request and creates the code, the audit line with them (one statement). */
static void create_code(as_consent_ctx_t *c)
{
    char code_hash[65], ttl[24];
    c->code = cm_random_token(32);
    if (c->code == NULL) {
        page(c->a.b, c->a.req, 500, "internal_error", "The authorization could not be completed.");
        ctx_free(c);
        return;
    }
    cm_sha256_hex(c->code, strlen(c->code), code_hash, sizeof(code_hash));
    snprintf(ttl, sizeof(ttl), "%d", c->a.b->cfg->authz.code_ttl_s);
    const char *params[] = {c->id_hash, c->csrf_hash, code_hash, ttl};
    int rc = cm_pg_query(
        c->a.b->db,
        "WITH r AS (UPDATE as_requests SET used_at = now() WHERE request_hash = $1 AND csrf_hash = $2 "
        "  AND used_at IS NULL AND expires_at > now() RETURNING request), "
        " k AS (INSERT INTO as_codes (code_hash, instance_id, client_id, client_name, redirect_uri, resource, scope, "
        "  code_challenge, expires_at) SELECT $3, (request->>'instance_id')::uuid, request->>'client_id', "
        "  request->>'client_name', request->>'redirect_uri', request->>'resource', request->>'scope', "
        "  request->>'code_challenge', now() + make_interval(secs => $4::int) FROM r "
        "  RETURNING instance_id, client_id, resource, scope), "
        " a AS (INSERT INTO token_audit_log (instance_id, event, actor, detail) SELECT instance_id, "
        "  'as_grant_created', 'as', jsonb_build_object('client_id', client_id, 'resource', resource, 'scope', scope) "
        "  FROM k) "
        "SELECT count(*) FROM k",
        4, params, on_code, c);
    if (rc != CM_AGAIN) {
        page(c->a.b, c->a.req, 503, "temporarily_unavailable", "Please try again in a moment.");
        ctx_free(c);
    }
}

static void on_wrong_key(void *arg, int status, PGresult *res)
{
    as_consent_ctx_t *c = arg;
    if (c->a.req == NULL)
        goto out_free;
    if (!ob_pg_ok(status, res, PGRES_TUPLES_OK)) {
        page(c->a.b, c->a.req, 503, "temporarily_unavailable", "Please try again in a moment.");
    } else if (PQntuples(res) != 1) {
        spent_page(c);
    } else if (strtol(PQgetvalue(res, 0, 0), NULL, 10) >= MAX_KEY_TRIES) {
        page(c->a.b, c->a.req, 400, "too_many_attempts",
             "Too many wrong access keys. Start again from the application.");
    } else {
        show_again(c, 400, "That is not the access key of this connection.");
    }
out_free:
    ctx_free(c);
}

/* Counts a wrong key; the fifth spends the request. */
static void wrong_key(as_consent_ctx_t *c)
{
    char max[8];
    snprintf(max, sizeof(max), "%d", MAX_KEY_TRIES);
    const char *params[] = {c->id_hash, c->csrf_hash, max};
    int rc = cm_pg_query(c->a.b->db,
                         "UPDATE as_requests SET request = jsonb_set(request, '{tries}', "
                         "  to_jsonb(COALESCE((request->>'tries')::int, 0) + 1)), "
                         " used_at = CASE WHEN COALESCE((request->>'tries')::int, 0) + 1 >= $3::int THEN now() END "
                         "WHERE request_hash = $1 AND csrf_hash = $2 AND used_at IS NULL AND expires_at > now() "
                         "RETURNING (request->>'tries')::int",
                         3, params, on_wrong_key, c);
    if (rc != CM_AGAIN) {
        page(c->a.b, c->a.req, 503, "temporarily_unavailable", "Please try again in a moment.");
        ctx_free(c);
    }
}

static void on_instance(void *arg, int status, ob_instance_t *inst)
{
    as_consent_ctx_t *c = arg;
    if (c->a.req == NULL) {
        ctx_free(c);
        return;
    }
    if (status != CM_OK && status != CM_ENOTFOUND) {
        page(c->a.b, c->a.req, 503, "temporarily_unavailable", "Please try again in a moment.");
        ctx_free(c);
        return;
    }
    char hash[65] = "";
    if (c->access_key != NULL && c->access_key[0] != '\0')
        cm_sha256_hex(c->access_key, strlen(c->access_key), hash, sizeof(hash));
    if (status != CM_OK || hash[0] == '\0' || !cm_ct_streq(hash, inst->key_hash)) {
        wrong_key(c);
    } else if (ob_instance_effective_status(inst, ob_now()) != CM_INST_ACTIVE) {
        /* told only to the key's holder; the request stays usable once the operator enables the connection */
        page(c->a.b, c->a.req, 403, "instance_inactive",
             "This connection is disabled or has expired: ask its operator to enable it, then start again.");
        ctx_free(c);
    } else {
        create_code(c);
    }
}

static void on_deny(void *arg, int status, PGresult *res)
{
    as_consent_ctx_t *c = arg;
    if (c->a.req == NULL)
        goto out_free;
    if (!ob_pg_ok(status, res, PGRES_TUPLES_OK)) {
        page(c->a.b, c->a.req, 503, "temporarily_unavailable", "Please try again in a moment.");
    } else if (strcmp(PQgetvalue(res, 0, 0), "1") != 0) {
        spent_page(c);
    } else {
        const char *params[] = {"error",
                                "access_denied",
                                "error_description",
                                "The user denied the access.",
                                "state",
                                row_str(c, "state"),
                                "iss",
                                c->a.b->cfg->base_url,
                                NULL};
        redirect_client(c, params);
    }
out_free:
    ctx_free(c);
}

static void deny(as_consent_ctx_t *c)
{
    const char *params[] = {c->id_hash, c->csrf_hash};
    int rc = cm_pg_query(c->a.b->db,
                         "WITH r AS (UPDATE as_requests SET used_at = now() WHERE request_hash = $1 AND csrf_hash = $2"
                         "  AND used_at IS NULL AND expires_at > now() RETURNING request), "
                         " a AS (INSERT INTO token_audit_log (instance_id, event, actor, detail) SELECT "
                         "  (request->>'instance_id')::uuid, 'as_consent_denied', 'as', jsonb_build_object('client_id',"
                         "  request->'client_id', 'resource', request->'resource') FROM r) "
                         "SELECT count(*) FROM r",
                         2, params, on_deny, c);
    if (rc != CM_AGAIN) {
        page(c->a.b, c->a.req, 503, "temporarily_unavailable", "Please try again in a moment.");
        ctx_free(c);
    }
}

static void on_row(void *arg, int status, PGresult *res)
{
    as_consent_ctx_t *c = arg;
    ob_broker_t *b = c->a.b;
    h2o_req_t *req = c->a.req;
    if (req == NULL) {
        ctx_free(c);
        return;
    }
    if (!ob_pg_ok(status, res, PGRES_TUPLES_OK)) {
        page(b, req, 503, "temporarily_unavailable", "Please try again in a moment.");
        goto out_free;
    }
    if (PQntuples(res) != 1) {
        page(b, req, 400, "invalid_request",
             "This authorization request is unknown. Start again from the application.");
        goto out_free;
    }
    if (!cm_ct_streq(PQgetvalue(res, 0, 1), c->csrf_hash)) {
        page(b, req, 403, "csrf_mismatch", "This answer does not come from the page this browser was shown.");
        goto out_free;
    }
    if (strcmp(PQgetvalue(res, 0, 2), "t") != 0) {
        spent_page(c);
        goto out_free;
    }
    c->row = json_loads(PQgetvalue(res, 0, 0), 0, NULL);
    if (!json_is_object(c->row)) {
        page(b, req, 500, "internal_error", "The authorization request could not be read.");
        goto out_free;
    }
    if (!c->allow) {
        deny(c);
        return;
    }
    if (c->proof) {
        if (strcmp(row_str(c, "kind") ? row_str(c, "kind") : "", "instance") != 0)
            page(b, req, 400, "invalid_request",
                 "Signing in again proves ownership of a connection's own MCP URL only.");
        else
            ob_as_upstream_proof_start(b, req, c->id_hash, c->csrf_hash, c->csrf, c->row);
        goto out_free;
    }
    if (strcmp(row_str(c, "kind") ? row_str(c, "kind") : "", "instance") != 0) {
        if (!json_is_true(json_object_get(c->row, "allow_possible")))
            page(b, req, 400, "needs_instance",
                 "This server needs a connection created by its operator: ask them for its own MCP URL.");
        else
            ob_as_upstream_start(b, req, c->id_hash, c->csrf_hash, c->csrf, c->row);
        goto out_free;
    }
    const char *id = row_str(c, "instance_id");
    ob_instance_t *inst = id ? ob_icache_peek(b->instances, id) : NULL;
    if (inst != NULL) {
        on_instance(c, CM_OK, inst);
        return;
    }
    if (id == NULL || !cm_uuid_valid(id) || ob_icache_load(b->instances, id, on_instance, c) != CM_AGAIN) {
        page(b, req, 503, "temporarily_unavailable", "Please try again in a moment.");
        goto out_free;
    }
    return;
out_free:
    ctx_free(c);
}

struct form {
    char *request_id, *access_key, *action;
    int repeated;
    h2o_req_t *req;
};

static int form_field(void *arg, const char *name, const char *value)
{
    struct form *f = arg;
    char **slot = strcmp(name, "request_id") == 0   ? &f->request_id
                  : strcmp(name, "access_key") == 0 ? &f->access_key
                  : strcmp(name, "action") == 0     ? &f->action
                                                    : NULL;
    if (slot == NULL)
        return 0;
    if (*slot != NULL) {
        f->repeated = 1;
        return 1;
    }
    *slot = h2o_strdup(&f->req->pool, value, strlen(value)).base;
    return 0;
}

/* 1 when the request's Origin (if any) is the issuer's. */
static int origin_ok(const ob_broker_t *b, h2o_req_t *req)
{
    h2o_iovec_t o = cm_req_header(req, "origin");
    if (o.base == NULL)
        return 1;
    char mine[300];
    return ob_as_uri_origin(b->cfg->base_url, mine, sizeof(mine)) && o.len == strlen(mine) &&
           strncasecmp(o.base, mine, o.len) == 0;
}

static int on_consent(void *data, h2o_req_t *req, const cm_route_match_t *m)
{
    ob_broker_t *b = data;
    (void)m;
    if (!origin_ok(b, req)) {
        page(b, req, 403, "forbidden_origin", "This answer was sent from another site.");
        return 0;
    }
    struct form f = {.req = req};
    int rc = cm_form_parse(req->entity.base ? req->entity.base : "", req->entity.len, form_field, &f);
    if (rc != CM_OK || f.repeated || f.request_id == NULL || f.action == NULL ||
        (strcmp(f.action, "allow") != 0 && strcmp(f.action, "deny") != 0 && strcmp(f.action, "proof") != 0) ||
        strlen(f.request_id) > 64) {
        if (f.access_key != NULL)
            cm_wipe(f.access_key, strlen(f.access_key));
        page(b, req, 400, "invalid_request", "The consent form is incomplete or malformed.");
        return 0;
    }
    char *csrf = ob_as_cookie(req, "ob_as_csrf");
    if (csrf == NULL || csrf[0] == '\0') {
        page(b, req, 403, "csrf_cookie_missing",
             "This browser did not send the consent cookie (cookies blocked, or another browser). Start again.");
        return 0;
    }
    as_consent_ctx_t *c = ob_async_new(b, req, sizeof(*c));
    if (c == NULL)
        return 0;
    c->request_id = f.request_id;
    c->csrf = csrf;
    c->proof = strcmp(f.action, "proof") == 0;
    c->allow = c->proof || strcmp(f.action, "allow") == 0;
    if (f.access_key != NULL) {
        c->access_key = strdup(f.access_key);
        cm_wipe(f.access_key, strlen(f.access_key));
    }
    cm_sha256_hex(f.request_id, strlen(f.request_id), c->id_hash, sizeof(c->id_hash));
    cm_sha256_hex(csrf, strlen(csrf), c->csrf_hash, sizeof(c->csrf_hash));
    const char *params[] = {c->id_hash};
    if (cm_pg_query(b->db,
                    "SELECT request::text, csrf_hash, (used_at IS NULL AND expires_at > now()) "
                    "FROM as_requests WHERE request_hash = $1",
                    1, params, on_row, c) != CM_AGAIN) {
        page(b, req, 503, "temporarily_unavailable", "Please try again in a moment.");
        ctx_free(c);
    }
    return 0;
}

int ob_as_consent_register(ob_broker_t *b)
{
    if (!b->cfg->authz.enabled || b->cimd == NULL)
        return CM_OK;
    return cm_server_route(b->server, "POST", "/as/consent", on_consent, b);
}
