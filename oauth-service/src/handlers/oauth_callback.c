/*
 * GET /oauth/callback?code&state (also /oauth/callback/{provider}, and ?error=... from the provider)
 *
 * 0. any parameter repeated (RFC 6749 3.1) -> 400 invalid_request, the state untouched;
 * 1. open the sealed state (tampered -> 400 invalid_state; expired -> 400 state_expired);
 * 2. consume its nonce under the unique constraint (second use -> 400 state_already_used);
 * 3. an iss that is not the provider's issuer, or none from a provider that advertises RFC 9207
 *    authorization_response_iss_parameter_supported -> 400 invalid_issuer (the state is spent: a mix-up
 *    or tampered response cannot be retried); provider error (access_denied -> 403, others 400) or missing
 *    code: error page;
 * 4. read the instance's sealed client secret, exchange the code through the plugin with the PKCE
 *    verifier (the plugin's HTTP call goes through the host: async, with a timeout);
 *    An ID token in the answer must carry the nonce of the state (when the request sent it), our client_id
 *    as audience, the provider's issuer when known and a lifetime that has not ended (oauth/id_token.h),
 *    else 400 invalid_id_token and nothing is stored;
 *    then the upstream account is identified through the plugin (oauth/identity.h) and recorded on the instance
 *    (upstream_subject) before the tokens are stored; a failure to identify is logged and changes nothing else;
 * 5. seal and store the tokens in one statement (row_version + 1, oauth_status completed, audit row),
 *    drop the instance from the vending cache, answer the success page (popup: postMessage to the opener)
 *    or 303 to the allow-listed return URL.
 * On every failure where the instance is known, oauth_status pending becomes failed (never a completed one:
 * a stale or replayed link cannot break a working connection) and an audit row records the reason, both
 * committed before the error page is sent (an admin polling the instance never sees pending after it).
 * A state of an MCP client's sign-in (a service URL sign-in, or an instance URL's proof of ownership) goes to
 * handlers/as_upstream.c once it is opened.
 */
#include "handlers/as_upstream.h"
#include "handlers/flow_util.h"
#include "handlers/routes.h"

#include "keys/keys.h"
#include "oauth/id_token.h"
#include "oauth/identity.h"
#include "oauth/pages.h"
#include "oauth/return_url.h"
#include "oauth/state.h"
#include "providers/host_api.h"
#include "providers/registry.h"
#include "store/cred_crypto.h"
#include "store/instance_cache.h"
#include "store/instances_db.h"
#include "store/instance.h"

#include "push/pusher.h"
#include "refresh/refresher.h"

#include "common/crypto.h"
#include "common/log.h"
#include "common/status.h"
#include "common/url.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct cb_ctx {
    ob_async_t a;
    ob_state_t st;
    char *code;
    char service[65];
    const op_provider_t *provider; /* held (ob_provider_hold): a reload meanwhile does not unload it */
    char error[64];                /* the provider's error code ("" = none) */
    char reject[32];               /* our own refusal to answer once the state is spent ("" = none) */
    char *client_id;               /* the instance's client id, for the ID token's audience */
    int fail_status;               /* the error page of fail(), sent once the outcome is recorded */
    char fail_code[64];
    char fail_message[320];
    char *access_token; /* the new access token, for the push once it is stored (wiped in ctx_free) */
    int64_t expires_at;
    op_token_set_t ts; /* the exchanged tokens while the account is identified (cleared in ctx_free) */
} cb_ctx_t;

static void ctx_free(cb_ctx_t *c)
{
    ob_state_wipe(&c->st);
    cm_secure_free(c->code, 0);
    cm_secure_free(c->access_token, 0);
    ob_host_token_set_clear(&c->ts);
    free(c->client_id);
    ob_provider_release(c->a.b->providers, c->provider);
    ob_async_free(c);
}

static void on_marked(void *arg, int status, PGresult *res)
{
    cb_ctx_t *c = arg;
    (void)status;
    (void)res; /* a failed write is logged by the store; the browser still gets its page */
    ob_icache_invalidate(c->a.b->instances, c->st.instance_id);
    ob_send_error_page(c->a.b, c->a.req, c->fail_status, c->fail_code, c->fail_message, c->st.instance_id, c->st.popup);
    ctx_free(c);
}

/* Marks the instance's authorization failed (pending only) with an audit reason, then answers an error page.
 * Takes c (freed once the page is sent). */
static void fail(cb_ctx_t *c, int status, const char *code, const char *message)
{
    c->fail_status = status;
    snprintf(c->fail_code, sizeof(c->fail_code), "%s", code);
    snprintf(c->fail_message, sizeof(c->fail_message), "%s", message);
    json_t *d = json_pack("{s:s}", "reason", code);
    char *text = d ? json_dumps(d, JSON_COMPACT) : NULL;
    json_decref(d);
    cm_info("oauth", "instance %s: authorization failed: %s", c->st.instance_id, code);
    int rc = ob_db_mark_failed(c->a.b->db, c->st.instance_id, "authorize_failed", text ? text : "{}", on_marked, c);
    free(text);
    if (rc != CM_AGAIN)
        on_marked(c, rc, NULL);
}

static void success(cb_ctx_t *c)
{
    h2o_req_t *req = c->a.req;
    if (req == NULL)
        return;
    if (c->st.return_url[0] != '\0' && !c->st.popup &&
        ob_return_url_allowed(c->a.b->cfg->allowed_return_urls, c->st.return_url)) {
        const char *params[] = {"status", "success", "instance_id", c->st.instance_id, "service", c->service, NULL};
        char *url = cm_url_with_query(c->st.return_url, params);
        if (url != NULL) {
            cm_add_header(req, "location", url);
            cm_add_header(req, "cache-control", "no-store");
            cm_add_header(req, "referrer-policy", "no-referrer");
            cm_respond_empty(req, 303);
            free(url);
            return;
        }
    }
    ob_page_t p = {.status = 200,
                   .success = 1,
                   .title = "Connected",
                   .message = "The account is connected. You can return to your application.",
                   .instance_id = c->st.instance_id,
                   .service = c->service,
                   .popup = c->st.popup};
    ob_send_page(c->a.b, req, &p);
}

static void on_stored(void *arg, int status, PGresult *res)
{
    cb_ctx_t *c = arg;
    ob_icache_invalidate(c->a.b->instances, c->st.instance_id);
    if (!ob_pg_ok(status, res, PGRES_TUPLES_OK)) {
        ob_respond_db_error(NULL, status, res, "storing tokens");
        ob_send_error_page(c->a.b, c->a.req, 503, "storage_failed",
                           "The tokens could not be stored. Please start the authorization again.", c->st.instance_id,
                           c->st.popup);
    } else if (PQntuples(res) == 0) {
        ob_send_error_page(c->a.b, c->a.req, 404, "instance_not_found", "This connection was deleted meanwhile.",
                           c->st.instance_id, c->st.popup);
    } else if (PQgetisnull(res, 0, 0)) { /* disabled or expired during the exchange: not completed */
        if (ob_status_column(res, 0, 5) == CM_INST_INACTIVE)
            fail(c, 403, "instance_inactive", "This connection was disabled by an administrator meanwhile.");
        else
            fail(c, 400, "instance_expired", "This connection has expired.");
        return; /* fail() took c */
    } else {
        cm_info("oauth", "instance %s: authorized (credentials version %s)", c->st.instance_id, PQgetvalue(res, 0, 1));
        /* the new token goes to the service's MCP server at once (a token that never expires is not
         * cached there by expiry: the server drops what it had and pulls on its next use instead) */
        int64_t version = strtoll(PQgetvalue(res, 0, 2), NULL, 10);
        if (c->access_token != NULL && c->expires_at > 0)
            ob_push_token(c->a.b->pusher, c->service, c->st.instance_id, c->access_token, c->expires_at,
                          ob_status_column(res, 0, 0), version);
        else
            ob_push_invalidate(c->a.b->pusher, c->service, c->st.instance_id, ob_status_column(res, 0, 0), version);
        /* scheduled for its proactive refresh now (from the row as stored: a kept refresh token counts) */
        ob_refresher_schedule(c->a.b->refresher, c->st.instance_id,
                              strcmp(PQgetvalue(res, 0, 3), "t") == 0 ? strtoll(PQgetvalue(res, 0, 4), NULL, 10) : 0);
        success(c);
    }
    ctx_free(c);
}

static void store_tokens(cb_ctx_t *c);

static void on_subject_recorded(void *arg, int status, PGresult *res)
{
    cb_ctx_t *c = arg;
    if (!ob_pg_ok(status, res, PGRES_COMMAND_OK))
        cm_warn("oauth", "instance %s: the upstream account could not be recorded", c->st.instance_id);
    store_tokens(c);
}

static void on_identified(void *arg, int status, const char *subject, const op_identity_t *id)
{
    cb_ctx_t *c = arg;
    (void)id;
    if (status != CM_OK) { /* logged by ob_identify; the authorization goes on without it */
        store_tokens(c);
        return;
    }
    if (ob_identity_record(c->a.b, c->st.instance_id, subject, on_subject_recorded, c) != CM_AGAIN)
        store_tokens(c);
}

/* Identifies the upstream account of c->ts, records it, then stores the tokens. */
static void identify(cb_ctx_t *c)
{
    op_client_t client = {.struct_size = sizeof(client), .client_id = c->client_id};
    int rc =
        ob_identify(c->a.b, c->provider, &client, &c->ts, c->st.nonce_not_sent ? NULL : c->st.nonce, on_identified, c);
    if (rc == CM_AGAIN)
        return;
    if (rc != CM_EUNAVAIL)
        cm_warn("oauth", "instance %s: the upstream account cannot be identified: %s", c->st.instance_id,
                cm_status_str(rc));
    store_tokens(c);
}

static void on_tokens(void *arg, int status, op_token_set_t *tokens, const op_error_t *err)
{
    cb_ctx_t *c = arg;
    op_token_set_t ts;
    memset(&ts, 0, sizeof(ts));
    if (tokens != NULL) {
        ts = *tokens; /* we take the members */
        memset(tokens, 0, sizeof(*tokens));
    }
    if (status != OP_OK || ts.access_token == NULL) {
        char msg[320];
        snprintf(msg, sizeof(msg), "The provider refused the authorization code (%s). Please try again.",
                 err && err->code[0] ? err->code : "no access token");
        fail(c, 400, "token_exchange_failed", msg);
        goto out_clear;
    }
    if (ts.id_token != NULL) {
        int iss_param;
        char why[96];
        if (ob_id_token_check(ts.id_token, c->st.nonce_not_sent ? NULL : c->st.nonce, c->client_id,
                              ob_provider_issuer(c->provider, &iss_param), ob_now(), why, sizeof(why)) != CM_OK) {
            cm_warn("oauth", "instance %s: ID token refused: %s", c->st.instance_id, why);
            fail(c, 400, "invalid_id_token", "The provider's ID token does not belong to this authorization.");
            goto out_clear;
        }
    }
    c->ts = ts; /* kept while the account is identified */
    memset(&ts, 0, sizeof(ts));
    identify(c);
out_clear:
    ob_host_token_set_clear(&ts);
}

/* Seals and stores c->ts (one statement); the page follows from on_stored. */
static void store_tokens(cb_ctx_t *c)
{
    ob_broker_t *b = c->a.b;
    op_token_set_t ts = c->ts; /* ours now: cleared at the end */
    memset(&c->ts, 0, sizeof(c->ts));
    char *at_hex = NULL, *rt_hex = NULL;
    const char *at_kid = NULL, *rt_kid = NULL;
    int rc = ob_cred_seal(b->keys->ring, c->st.instance_id, OB_FIELD_ACCESS_TOKEN, ts.access_token,
                          strlen(ts.access_token), &at_hex, &at_kid);
    if (rc == CM_OK && ts.refresh_token != NULL)
        rc = ob_cred_seal(b->keys->ring, c->st.instance_id, OB_FIELD_REFRESH_TOKEN, ts.refresh_token,
                          strlen(ts.refresh_token), &rt_hex, &rt_kid);
    if (rc != CM_OK) {
        fail(c, 400, "token_exchange_failed", "The provider's tokens could not be stored (too large or malformed).");
        goto out_free_hex;
    }
    json_t *d = json_pack("{s:s, s:b, s:I}", "provider", c->provider->name, "refresh_token", ts.refresh_token != NULL,
                          "expires_at", (json_int_t)ts.expires_at);
    char *detail = d ? json_dumps(d, JSON_COMPACT) : NULL;
    json_decref(d);
    ob_token_write_t w = {.instance_id = c->st.instance_id,
                          .access_hex = at_hex,
                          .access_kid = at_kid,
                          .refresh_hex = rt_hex,
                          .refresh_kid = rt_kid,
                          .expires_at = ts.expires_at,
                          .refresh_expires_at = ts.refresh_expires_at,
                          .scope = ts.scope,
                          .token_type = ts.token_type,
                          .event = "authorized",
                          .actor = "oauth_callback",
                          .audit_detail = detail ? detail : "{}"};
    c->access_token = strdup(ts.access_token);
    c->expires_at = ts.expires_at;
    rc = ob_db_store_tokens(b->db, &w, on_stored, c);
    free(detail);
    if (rc != CM_AGAIN) {
        ob_send_error_page(b, c->a.req, 503, "storage_failed", "The tokens could not be stored. Please try again.",
                           c->st.instance_id, c->st.popup);
        ctx_free(c);
    }
out_free_hex:
    free(at_hex);
    free(rt_hex);
    ob_host_token_set_clear(&ts);
}

/* A statement of the callback failed: the 503 page (the log gets the database's message), the context freed.
 * 0 when it did not fail. */
static int db_failed(cb_ctx_t *c, int status, PGresult *res, const char *what)
{
    if (ob_pg_ok(status, res, PGRES_TUPLES_OK))
        return 0;
    ob_respond_db_error(NULL, status, res, what);
    ob_send_error_page(c->a.b, c->a.req, 503, "database_unavailable", "Please start the authorization again.",
                       c->st.instance_id, c->st.popup);
    ctx_free(c);
    return 1;
}

static void on_secrets(void *arg, int status, PGresult *res)
{
    cb_ctx_t *c = arg;
    ob_broker_t *b = c->a.b;
    if (db_failed(c, status, res, "reading an instance at the callback"))
        return;
    if (PQntuples(res) == 0) {
        ob_send_error_page(b, c->a.req, 404, "instance_not_found", "This connection does not exist any more.",
                           c->st.instance_id, c->st.popup);
        ctx_free(c);
        return;
    }
    snprintf(c->service, sizeof(c->service), "%s", PQgetvalue(res, 0, 1));
    int inst_status = ob_status_column(res, 0, 2);
    int64_t exp = strtoll(PQgetvalue(res, 0, 11), NULL, 10);
    if (inst_status == CM_INST_INACTIVE) {
        fail(c, 403, "instance_inactive", "This connection has been disabled by an administrator.");
        return;
    }
    if (inst_status == CM_INST_EXPIRED || (exp != 0 && exp <= ob_now())) {
        fail(c, 400, "instance_expired", "This connection has expired.");
        return;
    }
    if (!ob_service_has_provider(b, c->service, c->provider)) {
        fail(c, 400, "invalid_state", "The authorization does not belong to this connection's provider.");
        return;
    }
    char *secret = ob_cred_open_column(b->keys->ring, c->st.instance_id, OB_FIELD_CLIENT_SECRET, res, 4);
    if (secret == NULL && !PQgetisnull(res, 0, 4)) {
        cm_error("oauth", "instance %s: the stored client secret does not open under key \"%s\"", c->st.instance_id,
                 PQgetvalue(res, 0, 5));
        fail(c, 500, "client_secret_unreadable", "The connection's client secret cannot be read on this broker.");
        return;
    }
    char *redirect = ob_redirect_uri(b, c->provider->name);
    c->client_id = strdup(PQgetisnull(res, 0, 3) ? "" : PQgetvalue(res, 0, 3));
    op_client_t client = {.struct_size = sizeof(op_client_t),
                          .client_id = PQgetisnull(res, 0, 3) ? "" : PQgetvalue(res, 0, 3),
                          .client_secret = secret,
                          .redirect_uri = redirect,
                          .options_json = PQgetvalue(res, 0, 10)};
    int rc = redirect && c->client_id
                 ? c->provider->exchange_code(c->provider->data, &client, c->code,
                                              c->st.verifier[0] ? c->st.verifier : NULL, on_tokens, c)
                 : OP_ENOMEM;
    cm_secure_free(secret, 0);
    free(redirect);
    if (rc != OP_AGAIN) {
        fail(c, rc == OP_EUNAVAIL ? 503 : 400, "token_exchange_failed",
             "The code exchange with the provider could not be started. Please try again.");
    }
}

static void on_nonce(void *arg, int status, PGresult *res)
{
    cb_ctx_t *c = arg;
    ob_broker_t *b = c->a.b;
    if (db_failed(c, status, res, "consuming a state nonce"))
        return;
    if (PQntuples(res) == 0) {
        cm_warn("oauth", "instance %s: a state was presented a second time (replay refused)", c->st.instance_id);
        ob_send_error_page(b, c->a.req, 400, "state_already_used",
                           "This authorization link was already used. Please start again.", c->st.instance_id,
                           c->st.popup);
        ctx_free(c);
        return;
    }
    if (c->reject[0] != '\0') {
        fail(c, 400, c->reject, "The answer does not come from this connection's provider. Nothing was connected.");
        return;
    }
    if (c->error[0] != '\0') { /* the provider answered with an error */
        if (strcmp(c->error, "access_denied") == 0)
            fail(c, 403, "access_denied", "The authorization was declined. Nothing was connected.");
        else
            fail(c, 400, c->error, "The provider reported an error. Nothing was connected.");
        return;
    }
    int rc = ob_db_instance_secrets(b->db, NULL, c->st.instance_id, on_secrets, c);
    if (rc != CM_AGAIN) {
        ob_send_error_page(b, c->a.req, 503, "database_unavailable", "Please try again.", c->st.instance_id,
                           c->st.popup);
        ctx_free(c);
    }
}

/* Spends the state (one state, one use); the page comes from on_nonce. */
static void consume_state(cb_ctx_t *c)
{
    if (ob_db_consume_nonce(c->a.b->db, c->st.nonce, c->st.instance_id, c->st.expires_at, on_nonce, c) != CM_AGAIN) {
        ob_send_error_page(c->a.b, c->a.req, 503, "database_unavailable", "Please try again.", c->st.instance_id,
                           c->st.popup);
        ctx_free(c);
    }
}

/* The provider's error parameter, reduced to a safe code. */
static void provider_error(cb_ctx_t *c, const char *error)
{
    size_t n = 0;
    for (const char *p = error; *p && n < sizeof(c->error) - 1; p++) {
        if ((*p >= 'a' && *p <= 'z') || *p == '_' || (*p >= '0' && *p <= '9'))
            c->error[n++] = *p;
    }
    c->error[n] = '\0';
    if (n == 0)
        snprintf(c->error, sizeof(c->error), "provider_error");
    consume_state(c);
}

/*
 * RFC 9207 2.4: an iss must name the issuer the request went to (a mix-up attack sends another server's
 * response here); a provider that advertises the parameter must send it. 1 when the answer passes.
 */
static int issuer_ok(const op_provider_t *p, const char *iss)
{
    int required;
    const char *issuer = ob_provider_issuer(p, &required);
    if (iss == NULL)
        return !required;
    return issuer == NULL ? !required : strcmp(iss, issuer) == 0;
}

/* The parameters of the callback (any parameter repeated, named here or not, refuses the answer) */
enum { Q_STATE, Q_CODE, Q_ERROR, Q_ISS, Q_COUNT };
static const char *const query_names[Q_COUNT + 1] = {"state", "code", "error", "iss", NULL};

static int on_callback(void *data, h2o_req_t *req, const cm_route_match_t *m)
{
    ob_broker_t *b = data;
    char *v[Q_COUNT + 1];
    int bad = ob_query_parse_once(req, query_names, v) != CM_OK;
    char *state = v[Q_STATE], *code = v[Q_CODE], *error = v[Q_ERROR];
    if (bad) {
        ob_send_error_page(b, req, 400, "invalid_request",
                           "The provider's answer is malformed (a parameter is repeated or badly encoded).", NULL, 0);
        return 0;
    }
    if (state == NULL) {
        ob_send_error_page(b, req, 400, "invalid_request", "The provider's answer is missing the state.", NULL, 0);
        return 0;
    }
    cb_ctx_t *c = ob_async_new(b, req, sizeof(*c));
    if (c == NULL)
        return 0;
    int rc = ob_state_open(b->keys->ring, state, ob_now(), &c->st);
    if (rc == CM_EINVAL) {
        cm_warn("oauth", "callback with an invalid state (tampered, foreign or malformed)");
        ob_send_error_page(b, req, 400, "invalid_state", "This authorization link is not valid. Please start again.",
                           NULL, 0);
        ctx_free(c);
        return 0;
    }
    if (c->st.kind != OB_STATE_INSTANCE) { /* an MCP client's sign-in (handlers/as_upstream.c) */
        const op_provider_t *p = ob_registry_find(b->providers, c->st.provider);
        char *pp = m->n_params > 0 ? cm_match_str(req, m, 0) : NULL;
        int match = p != NULL && (pp == NULL || strcmp(pp, c->st.provider) == 0);
        ob_as_upstream_callback(b, req, &c->st, rc == CM_ETIMEDOUT, match ? p : NULL, code, error,
                                match && issuer_ok(p, v[Q_ISS]));
        ctx_free(c);
        return 0;
    }
    if (rc == CM_ETIMEDOUT) {
        fail(c, 400, "state_expired", "This authorization link has expired. Please start again.");
        return 0;
    }
    char *path_provider = m->n_params > 0 ? cm_match_str(req, m, 0) : NULL;
    c->provider = ob_provider_hold(b->providers, ob_registry_find(b->providers, c->st.provider));
    if (c->provider == NULL || (path_provider != NULL && strcmp(path_provider, c->st.provider) != 0)) {
        /* a valid (sealed by us) state: the instance is known, its authorization failed */
        fail(c, 400, "invalid_state", "This authorization link does not match this provider.");
        return 0;
    }
    if (!issuer_ok(c->provider, v[Q_ISS])) {
        cm_warn("oauth", "instance %s: the callback's iss is %s (RFC 9207)", c->st.instance_id,
                v[Q_ISS] != NULL ? "not the provider's issuer" : "missing");
        snprintf(c->reject, sizeof(c->reject), "invalid_issuer");
        consume_state(c);
        return 0;
    }
    if (error != NULL) {
        provider_error(c, error);
        return 0;
    }
    if (code == NULL || code[0] == '\0' || strlen(code) > 4096) {
        fail(c, 400, "invalid_request", "The provider's answer is missing the authorization code.");
        return 0;
    }
    if ((c->code = strdup(code)) == NULL) {
        cm_respond_error(req, 500, "internal_error", NULL, "out of memory");
        ctx_free(c);
        return 0;
    }
    consume_state(c);
    return 0;
}

int ob_oauth_callback_register(ob_broker_t *b)
{
    int rc = cm_server_route(b->server, "GET", "/oauth/callback", on_callback, b);
    if (rc == CM_OK)
        rc = cm_server_route(b->server, "GET", "/oauth/callback/*", on_callback, b);
    return rc;
}
