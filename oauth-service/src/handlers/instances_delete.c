/*
 * DELETE /instances/{id} - revoke, then delete. The provider revocation (RFC 7009 through the plugin:
 * the refresh token when there is one, which ends the whole grant, else the access token) is best
 * effort with the host's HTTP timeout; its outcome goes into the audit row and the answer. Then the
 * instance and its credentials (cascade) are deleted with an audit row, in one statement, and the
 * vending cache and the refresh schedule forget the instance; after the commit the owning MCP server gets an
 * invalidation push (status "deleted").
 * 200 {instance_id, deleted: true, revoked: bool, revoke_error?}
 */
#include "handlers/instance_view.h"
#include "handlers/routes.h"

#include "keys/keys.h"
#include "push/pusher.h"
#include "refresh/refresher.h"
#include "store/cred_crypto.h"
#include "store/instance_cache.h"
#include "store/instances_db.h"

#include "common/crypto.h"
#include "common/log.h"
#include "common/status.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct delete_ctx {
    ob_instance_write_t w; /* first */
    int revoked;
    char revoke_error[64];
} delete_ctx_t;

static void on_deleted(void *arg, int status, PGresult *res)
{
    delete_ctx_t *c = arg;
    h2o_req_t *req = c->w.a.req;
    if (!ob_instance_written(&c->w, status, res, "deleting an instance")) {
        /* answered */
    } else if (strcmp(PQgetvalue(res, 0, 0), "0") == 0) {
        if (req != NULL)
            cm_respond_error(req, 404, "instance_not_found", "instance_id", "no such instance");
    } else {
        cm_info("instances", "deleted instance %s (provider revocation: %s)", c->w.id,
                c->revoked ? "done" : c->revoke_error);
        /* after the commit, the schedule forgets it and the owning MCP server drops it */
        ob_refresher_forget(c->w.a.b->refresher, c->w.id);
        if (!PQgetisnull(res, 0, 1))
            ob_push_invalidate(c->w.a.b->pusher, PQgetvalue(res, 0, 1), c->w.id, CM_INST_DELETED,
                               strtoll(PQgetvalue(res, 0, 2), NULL, 10));
        if (req != NULL) {
            json_t *o = json_pack("{s:s, s:b, s:b}", "instance_id", c->w.id, "deleted", 1, "revoked", c->revoked);
            if (!c->revoked)
                json_object_set_new(o, "revoke_error", json_string(c->revoke_error));
            cm_respond_json(req, 200, o);
        }
    }
    ob_async_free(c);
}

static void do_delete(delete_ctx_t *c)
{
    json_t *detail = json_pack("{s:b}", "revoked", c->revoked);
    if (!c->revoked)
        json_object_set_new(detail, "revoke_error", json_string(c->revoke_error));
    char *text = json_dumps(detail, JSON_COMPACT);
    json_decref(detail);
    int rc = ob_db_instance_delete(c->w.a.b->db, c->w.id, text ? text : "{}", on_deleted, c);
    free(text);
    if (rc != CM_AGAIN) {
        ob_respond_db_error(c->w.a.req, rc, NULL, "deleting an instance");
        ob_async_free(c);
    }
}

static void on_revoked(void *arg, int status, const op_error_t *err)
{
    delete_ctx_t *c = arg;
    c->revoked = status == OP_OK;
    if (!c->revoked)
        snprintf(c->revoke_error, sizeof(c->revoke_error), "%s", err && err->code[0] ? err->code : "revoke_failed");
    do_delete(c);
}

/* Opens column col (with its key id in col + 1) of row 0; NULL when absent or unreadable. */
static void on_secrets(void *arg, int status, PGresult *res)
{
    delete_ctx_t *c = arg;
    ob_broker_t *b = c->w.a.b;
    if (!ob_pg_ok(status, res, PGRES_TUPLES_OK)) {
        ob_respond_db_error(c->w.a.req, status, res, "reading an instance for deletion");
        ob_async_free(c);
        return;
    }
    if (PQntuples(res) == 0) {
        if (c->w.a.req != NULL)
            cm_respond_error(c->w.a.req, 404, "instance_not_found", "instance_id", "no such instance");
        ob_async_free(c);
        return;
    }
    const op_provider_t *p = ob_service_provider(b, PQgetvalue(res, 0, 1));
    const char *hint = "refresh_token";
    char *token = ob_cred_open_column(b->keys->ring, c->w.id, OB_FIELD_REFRESH_TOKEN, res, 6);
    if (token == NULL) {
        token = ob_cred_open_column(b->keys->ring, c->w.id, OB_FIELD_ACCESS_TOKEN, res, 8);
        hint = "access_token";
    }
    snprintf(c->revoke_error, sizeof(c->revoke_error), "%s",
             token == NULL ? "no_token" : (p == NULL ? "provider_unavailable" : "revocation_unsupported"));
    if (token == NULL || p == NULL || p->revoke == NULL) {
        cm_secure_free(token, 0);
        do_delete(c);
        return;
    }
    char *secret = ob_cred_open_column(b->keys->ring, c->w.id, OB_FIELD_CLIENT_SECRET, res, 4);
    char redirect[1200];
    snprintf(redirect, sizeof(redirect), "%s/oauth/callback", b->cfg->base_url);
    op_client_t client = {.struct_size = sizeof(op_client_t),
                          .client_id = PQgetisnull(res, 0, 3) ? "" : PQgetvalue(res, 0, 3),
                          .client_secret = secret,
                          .redirect_uri = redirect,
                          .options_json = PQgetvalue(res, 0, 10)};
    int rc = p->revoke(p->data, &client, token, hint, on_revoked, c);
    cm_secure_free(token, 0);
    cm_secure_free(secret, 0);
    if (rc != OP_AGAIN) {
        snprintf(c->revoke_error, sizeof(c->revoke_error), "revoke_not_started");
        do_delete(c);
    }
}

static int on_instance_delete(void *data, h2o_req_t *req, const cm_route_match_t *m)
{
    ob_broker_t *b = data;
    char *id = ob_admin_instance_id(b, req, m);
    if (id == NULL)
        return 0;
    delete_ctx_t *c = ob_async_new(b, req, sizeof(*c));
    if (c == NULL)
        return 0;
    memcpy(c->w.id, id, sizeof(c->w.id));
    int rc = ob_db_instance_secrets(b->db, NULL, id, on_secrets, c);
    if (rc != CM_AGAIN) {
        ob_respond_db_error(req, rc, NULL, "reading an instance for deletion");
        ob_async_free(c);
    }
    return 0;
}

int ob_instances_delete_register(ob_broker_t *b)
{
    return cm_server_route(b->server, "DELETE", "/instances/*", on_instance_delete, b);
}
