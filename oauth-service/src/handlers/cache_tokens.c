/*
 * POST /cache-tokens (admin key) - imports tokens obtained elsewhere (migration from another platform):
 *   {instance_id, access_token, refresh_token?, expires_at? (unix s) | expires_in? (s), scope?, token_type?}
 * Validated like every admin body (unknown fields refused, sizes, printable tokens, RFC 6749 scope tokens, an
 * expiry in the future and at most 10 years away), encrypted like every token (store/cred_crypto.h), written in one
 * statement with row_version + 1 and an audit row "imported" (oauth_status completed, needs_reauth -> active),
 * scheduled for refresh from the row as stored (an import without refresh_token keeps the stored one) and pushed
 * to the service's MCP server. A refused import changes nothing.
 * 200 {instance_id, status, expires_at, has_refresh_token}; 400 with the field; 404 instance_not_found;
 * 409 instance_inactive / instance_expired.
 */
#include "handlers/flow_util.h"
#include "handlers/instance_validate.h"
#include "handlers/routes.h"

#include "keys/keys.h"
#include "push/pusher.h"
#include "refresh/refresher.h"
#include "store/cred_crypto.h"
#include "store/instance_cache.h"
#include "store/instances_db.h"
#include "store/instance.h"

#include "common/crypto.h"
#include "common/json_util.h"
#include "common/log.h"
#include "common/status.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct import_ctx {
    ob_async_t a;
    char id[37];
    char service[65];
    char *access_token, *refresh_token; /* wiped on free */
    char *scope, *token_type;
    int64_t expires_at;
} import_ctx_t;

static void ctx_free(import_ctx_t *c)
{
    cm_secure_free(c->access_token, 0);
    cm_secure_free(c->refresh_token, 0);
    free(c->scope);
    free(c->token_type);
    ob_async_free(c);
}

static int token_ok(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > 8192)
        return 0;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f)
            return 0;
    return 1;
}

static void on_stored(void *arg, int status, PGresult *res)
{
    import_ctx_t *c = arg;
    ob_broker_t *b = c->a.b;
    ob_icache_invalidate(b->instances, c->id);
    if (!ob_pg_ok(status, res, PGRES_TUPLES_OK)) {
        ob_respond_db_error(c->a.req, status, res, "storing imported tokens");
    } else if (PQntuples(res) == 0) {
        if (c->a.req)
            cm_respond_error(c->a.req, 404, "instance_not_found", "instance_id", "no such instance");
    } else if (PQgetisnull(res, 0, 0)) { /* became inactive or expired since it was read: nothing written */
        int inactive = ob_status_column(res, 0, 5) == CM_INST_INACTIVE;
        if (c->a.req)
            cm_respond_error(c->a.req, 409, inactive ? "instance_inactive" : "instance_expired", NULL,
                             "tokens cannot be imported into an %s instance", inactive ? "inactive" : "expired");
    } else {
        int st = ob_status_column(res, 0, 0);
        int has_rt = strcmp(PQgetvalue(res, 0, 3), "t") == 0; /* an import without one keeps the stored one */
        /* scheduled from the row as stored, not from the request */
        ob_refresher_schedule(b->refresher, c->id, has_rt ? strtoll(PQgetvalue(res, 0, 4), NULL, 10) : 0);
        ob_push_token(b->pusher, c->service, c->id, c->access_token, c->expires_at, st,
                      strtoll(PQgetvalue(res, 0, 2), NULL, 10));
        cm_info("import", "instance %s: tokens imported (refresh token: %s)", c->id,
                c->refresh_token ? "new"
                : has_rt         ? "kept"
                                 : "none");
        if (c->a.req)
            cm_respond_json(c->a.req, 200,
                            json_pack("{s:s, s:s, s:I, s:b}", "instance_id", c->id, "status",
                                      cm_inst_status_name((cm_inst_status_t)st), "expires_at",
                                      (json_int_t)c->expires_at, "has_refresh_token", has_rt));
    }
    ctx_free(c);
}

static void on_instance(void *arg, int status, PGresult *res)
{
    import_ctx_t *c = arg;
    ob_broker_t *b = c->a.b;
    char *at_hex = NULL, *rt_hex = NULL;
    const char *at_kid = NULL, *rt_kid = NULL;
    if (!ob_pg_ok(status, res, PGRES_TUPLES_OK)) {
        ob_respond_db_error(c->a.req, status, res, "reading an instance for import");
        goto out_free_ctx;
    }
    if (PQntuples(res) == 0) {
        if (c->a.req)
            cm_respond_error(c->a.req, 404, "instance_not_found", "instance_id", "no such instance");
        goto out_free_ctx;
    }
    int st = ob_status_column(res, 0, 2);
    int64_t exp = strtoll(PQgetvalue(res, 0, 11), NULL, 10);
    if (st == CM_INST_INACTIVE || st == CM_INST_EXPIRED || (exp != 0 && exp <= ob_now())) {
        if (c->a.req)
            cm_respond_error(c->a.req, 409, st == CM_INST_INACTIVE ? "instance_inactive" : "instance_expired", NULL,
                             "tokens cannot be imported into an %s instance",
                             st == CM_INST_INACTIVE ? "inactive" : "expired");
        goto out_free_ctx;
    }
    snprintf(c->service, sizeof(c->service), "%s", PQgetvalue(res, 0, 1));
    const ob_keyring_t *kr = b->keys->ring;
    if (ob_cred_seal(kr, c->id, OB_FIELD_ACCESS_TOKEN, c->access_token, strlen(c->access_token), &at_hex, &at_kid) !=
            CM_OK ||
        (c->refresh_token && ob_cred_seal(kr, c->id, OB_FIELD_REFRESH_TOKEN, c->refresh_token, strlen(c->refresh_token),
                                          &rt_hex, &rt_kid) != CM_OK)) {
        if (c->a.req)
            cm_respond_error(c->a.req, 500, "internal_error", NULL, "the tokens could not be encrypted");
        goto out_free_hex;
    }
    json_t *d = json_pack("{s:b, s:I}", "with_refresh_token", c->refresh_token != NULL, "expires_at",
                          (json_int_t)c->expires_at);
    char *detail = d ? json_dumps(d, JSON_COMPACT) : NULL;
    json_decref(d);
    ob_token_write_t w = {.instance_id = c->id,
                          .access_hex = at_hex,
                          .access_kid = at_kid,
                          .refresh_hex = rt_hex,
                          .refresh_kid = rt_kid,
                          .expires_at = c->expires_at,
                          .scope = c->scope,
                          .token_type = c->token_type,
                          .event = "imported",
                          .actor = "admin",
                          .audit_detail = detail ? detail : "{}"};
    int rc = ob_db_store_tokens(b->db, &w, on_stored, c);
    free(detail);
    free(at_hex);
    free(rt_hex);
    if (rc != CM_AGAIN) {
        ob_respond_db_error(c->a.req, rc, NULL, "storing imported tokens");
        goto out_free_ctx;
    }
    return;

out_free_hex:
    free(at_hex);
    free(rt_hex);
out_free_ctx:
    ctx_free(c);
}

static int on_import(void *data, h2o_req_t *req, const cm_route_match_t *m)
{
    ob_broker_t *b = data;
    json_t *body = NULL;
    char id[37];
    int ok_in = 0, ok_at = 0;
    (void)m;
    static const char *const keys[] = {"instance_id", "access_token", "refresh_token", "expires_at",
                                       "expires_in",  "scope",        "token_type",    NULL};
    ob_verr_t e;
    if (!ob_require_admin(b, req) || !ob_body_instance_id(req, &body, id))
        return 0;
    if (ob_validate_keys(body, keys, &e) != CM_OK) {
        cm_respond_error(req, e.status, e.code, e.field, "%s", e.message);
        goto out_decref;
    }
    const char *at = cm_json_str(body, "access_token"), *rt = cm_json_str(body, "refresh_token");
    const char *scope = cm_json_str(body, "scope"), *tt = cm_json_str(body, "token_type");
    int64_t now = ob_now(), expires_at = 0;
    int64_t in = cm_json_int(body, "expires_in", 1, &ok_in);
    int64_t abs_at = cm_json_int(body, "expires_at", 1, &ok_at);
    if (!token_ok(at)) {
        cm_respond_error(req, 400, "invalid_access_token", "access_token",
                         "access_token must be 1..8192 printable chars");
        goto out_decref;
    }
    if (json_object_get(body, "refresh_token") != NULL && !json_is_null(json_object_get(body, "refresh_token")) &&
        !token_ok(rt)) {
        cm_respond_error(req, 400, "invalid_refresh_token", "refresh_token",
                         "refresh_token must be 1..8192 printable chars");
        goto out_decref;
    }
    int bad_in = json_object_get(body, "expires_in") && (!ok_in || in < 0 || in > 10 * 365 * 86400);
    int bad_at = json_object_get(body, "expires_at") && (!ok_at || abs_at <= now || abs_at > now + 10 * 365 * 86400);
    if (bad_in || bad_at) {
        cm_respond_error(req, 400, "invalid_expiry", bad_in ? "expires_in" : "expires_at",
                         bad_in ? "expires_in must be 0..315360000 seconds"
                                : "expires_at must be a unix time in the future, at most 10 years away");
        goto out_decref;
    }
    if (json_object_get(body, "expires_in") && json_object_get(body, "expires_at")) {
        cm_respond_error(req, 400, "invalid_expiry", "expires_at", "give expires_in or expires_at, not both");
        goto out_decref;
    }
    expires_at = ok_at ? abs_at : (ok_in && in > 0 ? now + in : 0);
    if ((json_object_get(body, "scope") && (scope == NULL || strlen(scope) > 2048 || !ob_scopes_ok(scope))) ||
        (json_object_get(body, "token_type") && (tt == NULL || !ob_text_ok(tt, 32) || strchr(tt, ' ') != NULL))) {
        int bad_scope =
            json_object_get(body, "scope") && (scope == NULL || strlen(scope) > 2048 || !ob_scopes_ok(scope));
        cm_respond_error(req, 400, "invalid_field", bad_scope ? "scope" : "token_type",
                         bad_scope ? "scope must be space-separated RFC 6749 scope tokens, at most 2048 chars"
                                   : "token_type must be 1..32 printable chars without spaces");
        goto out_decref;
    }
    import_ctx_t *c = ob_async_new(b, req, sizeof(*c));
    if (c == NULL)
        goto out_decref;
    memcpy(c->id, id, sizeof(c->id));
    c->expires_at = expires_at;
    c->access_token = strdup(at);
    c->refresh_token = rt ? strdup(rt) : NULL;
    c->scope = scope ? strdup(scope) : NULL;
    c->token_type = tt ? strdup(tt) : NULL;
    if (c->access_token == NULL || (rt && !c->refresh_token) || (scope && !c->scope) || (tt && !c->token_type)) {
        cm_respond_error(req, 500, "internal_error", NULL, "out of memory");
        ctx_free(c);
        goto out_decref;
    }
    int rc = ob_db_instance_secrets(b->db, NULL, id, on_instance, c);
    if (rc != CM_AGAIN) {
        ob_respond_db_error(req, rc, NULL, "reading an instance for import");
        ctx_free(c);
    }
out_decref:
    json_decref(body); /* jansson does not wipe: the token copies live here until now */
    return 0;
}

int ob_cache_tokens_register(ob_broker_t *b)
{
    return cm_server_route(b->server, "POST", "/cache-tokens", on_import, b);
}
