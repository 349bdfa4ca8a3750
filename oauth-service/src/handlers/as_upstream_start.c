/*
 * as_upstream_start.c - Allow on a service URL: the MCP client's request is consumed (stage "upstream") and the
 * browser goes to the provider with the operator's app credentials (see as_upstream.h).
 *
 * The provider authorization is the one /oauth/authorize builds for an instance (PKCE S256 when the plugin supports
 * it, the state's nonce as the OIDC nonce), with the app's client id and the service's default scopes; an OpenID
 * provider also gets `openid`, so its answer carries the ID token that identifies the account. The sealed state
 * holds the request row's hash (kind OB_STATE_AS_LOGIN): the row holds everything the MCP client asked.
 */
#include "handlers/as_upstream.h"
#include "handlers/flow_util.h"

#include "as/apps.h"
#include "as/authz_request.h"
#include "keys/keys.h"
#include "providers/host_api.h"
#include "providers/registry.h"

#include "common/crypto.h"
#include "common/log.h"
#include "common/status.h"
#include "common/url.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct start_ctx {
    ob_async_t a;
    ob_state_t st;
    char service[65];
    char *csrf; /* the consent cookie's value, for ob_as_login (wiped) */
    char id_hash[65], csrf_hash[65];
    char *client_id, *options; /* the client signed in with: the operator's app, or the instance's own */
} start_ctx_t;

static void ctx_free(start_ctx_t *c)
{
    ob_state_wipe(&c->st);
    cm_secure_free(c->csrf, 0);
    free(c->client_id);
    free(c->options);
    ob_async_free(c);
}

static void page(const ob_broker_t *b, h2o_req_t *req, int status, const char *code, const char *message)
{
    ob_send_error_page(b, req, status, code, message, NULL, 0);
}

/* The scopes of a sign-in at service: its default scopes, with `openid` first for an OpenID provider that lacks
 * it. malloc'ed; NULL on allocation failure. */
static char *login_scopes(const ob_broker_t *b, const char *service, const op_provider_t *p)
{
    const char *def = json_string_value(json_object_get(ob_service_find(b, service), "default_scopes"));
    int iss_param;
    int openid = ob_provider_issuer(p, &iss_param) != NULL;
    if (def != NULL && openid) {
        for (const char *s = def; *s;) {
            size_t n = strcspn(s, " ");
            if (n == 6 && strncmp(s, "openid", 6) == 0)
                openid = 0;
            s += n;
            s += strspn(s, " ");
        }
    }
    size_t len = (def ? strlen(def) : 0) + 8;
    char *out = malloc(len);
    if (out != NULL)
        snprintf(out, len, "%s%s%s", openid ? "openid" : "", openid && def && def[0] ? " " : "", def ? def : "");
    return out;
}

/* The provider's authorization URL for st (state text, PKCE challenge and nonce of st). malloc'ed (the plugin's
 * allocation: ob_host_mem_free) or NULL with a warning logged. */
static char *authorize_url(const ob_broker_t *b, const char *service, const op_provider_t *p, const char *client_id,
                           const char *options, const char *state, const char *challenge, const char *nonce)
{
    char *redirect = ob_redirect_uri(b, p->name), *scopes = login_scopes(b, service, p), *url = NULL;
    op_error_t err;
    memset(&err, 0, sizeof(err));
    op_client_t client = {.struct_size = sizeof(op_client_t),
                          .client_id = client_id,
                          .client_secret = NULL,
                          .redirect_uri = redirect,
                          .options_json = options};
    op_authorize_params_t params = {.struct_size = sizeof(op_authorize_params_t),
                                    .state = state,
                                    .scopes = scopes,
                                    .code_challenge = challenge,
                                    .nonce = nonce,
                                    .login_hint = NULL};
    if (redirect == NULL || scopes == NULL || p->build_authorize_url(p->data, &client, &params, &url, &err) != OP_OK) {
        cm_warn("as", "service %s: building the sign-in URL failed: %s %s", service, err.code, err.description);
        ob_host_mem_free(url);
        url = NULL;
    }
    free(redirect);
    free(scopes);
    return url;
}

int ob_as_upstream_origin(const ob_broker_t *b, const char *service, char *out, size_t outsz)
{
    const ob_as_app_t *app = ob_as_app_for(b, service);
    const op_provider_t *p = service ? ob_service_provider(b, service) : NULL;
    if (p == NULL)
        return 0;
    char *url = authorize_url(b, service, p, app ? app->client_id : "client", "{}", "s", NULL, "n");
    int ok = url != NULL && ob_as_uri_origin(url, out, outsz);
    ob_host_mem_free(url);
    return ok;
}

static void on_consumed(void *arg, int status, PGresult *res)
{
    start_ctx_t *c = arg;
    ob_broker_t *b = c->a.b;
    h2o_req_t *req = c->a.req;
    char *state = NULL, *challenge = NULL, *url = NULL;
    if (req == NULL)
        goto out_free;
    if (!ob_pg_ok(status, res, PGRES_TUPLES_OK)) {
        page(b, req, 503, "temporarily_unavailable", "Please try again in a moment.");
        goto out_free;
    }
    if (PQntuples(res) != 1) {
        page(b, req, 400, "request_used",
             "This authorization request was already answered or has expired. Start again from the application.");
        goto out_free;
    }
    const op_provider_t *p = ob_service_provider(b, c->service);
    state = ob_state_seal(b->keys->ring, &c->st);
    challenge = c->st.verifier[0] ? cm_pkce_challenge_s256(c->st.verifier) : NULL;
    if (p != NULL && state != NULL && (c->st.verifier[0] == '\0' || challenge != NULL))
        url = authorize_url(b, c->service, p, c->client_id, c->options, state, challenge, c->st.nonce);
    if (url == NULL) {
        page(b, req, 500, "internal_error", "The sign-in could not be started. Start again from the application.");
        goto out_free;
    }
    char cookie[160];
    snprintf(cookie, sizeof(cookie), "ob_as_login=%s; HttpOnly; SameSite=Lax; Path=/oauth/callback%s", c->csrf,
             strncmp(b->cfg->base_url, "https://", 8) == 0 ? "; Secure" : "");
    cm_add_header(req, "set-cookie", cookie);
    cm_add_header(req, "location", url);
    cm_add_header(req, "cache-control", "no-store");
    cm_add_header(req, "referrer-policy", "no-referrer");
    cm_respond_empty(req, 303);
    cm_wipe(cookie, sizeof(cookie));
out_free:
    cm_secure_free(state, 0);
    cm_secure_free(challenge, 0);
    ob_host_mem_free(url);
    ctx_free(c);
}

/* Consumes the request row (stage "upstream"); the redirect follows from on_consumed. Takes c. */
static void consume(start_ctx_t *c)
{
    const char *params[] = {c->id_hash, c->csrf_hash};
    if (cm_pg_query(c->a.b->db,
                    "UPDATE as_requests SET used_at = now(), request = request || '{\"stage\": \"upstream\"}' "
                    "WHERE request_hash = $1 AND csrf_hash = $2 AND used_at IS NULL AND expires_at > now() "
                    "RETURNING 1",
                    2, params, on_consumed, c) != CM_AGAIN) {
        page(c->a.b, c->a.req, 503, "temporarily_unavailable", "Please try again in a moment.");
        ctx_free(c);
    }
}

/* A context for the sign-in of row's service at provider p with a state of kind (instance_id for a proof). */
static start_ctx_t *new_ctx(ob_broker_t *b, h2o_req_t *req, const op_provider_t *p, int kind, const char *instance_id,
                            const char *id_hash, const char *csrf_hash, const char *csrf, const char *service)
{
    start_ctx_t *c = ob_async_new(b, req, sizeof(*c));
    if (c == NULL)
        return NULL;
    snprintf(c->service, sizeof(c->service), "%s", service);
    snprintf(c->id_hash, sizeof(c->id_hash), "%s", id_hash);
    snprintf(c->csrf_hash, sizeof(c->csrf_hash), "%s", csrf_hash);
    c->csrf = strdup(csrf);
    if (c->csrf == NULL || ob_state_init(&c->st, instance_id, p->name, (p->capabilities & OP_CAP_PKCE) != 0, ob_now(),
                                         b->cfg->state_ttl_s) != CM_OK) {
        page(b, req, 500, "internal_error", "The sign-in could not be started.");
        ctx_free(c);
        return NULL;
    }
    c->st.kind = kind;
    snprintf(c->st.as_request, sizeof(c->st.as_request), "%s", id_hash);
    return c;
}

void ob_as_upstream_start(ob_broker_t *b, h2o_req_t *req, const char *id_hash, const char *csrf_hash, const char *csrf,
                          const json_t *row)
{
    const char *service = json_string_value(json_object_get(row, "service"));
    const op_provider_t *p = service ? ob_service_provider(b, service) : NULL;
    const ob_as_app_t *app = p ? ob_as_app_for(b, service) : NULL;
    if (app == NULL || strlen(service) >= 65 || strlen(csrf) > 64) {
        page(b, req, 503, "provider_unavailable", "The sign-in provider of this server is not available.");
        return;
    }
    start_ctx_t *c = new_ctx(b, req, p, OB_STATE_AS_LOGIN, NULL, id_hash, csrf_hash, csrf, service);
    if (c == NULL)
        return;
    c->client_id = strdup(app->client_id);
    c->options = strdup("{}");
    consume(c); /* single use from here: the callback moves the row from "upstream" to "done" */
}

static void on_instance(void *arg, int status, PGresult *res)
{
    start_ctx_t *c = arg;
    if (c->a.req == NULL) {
        ctx_free(c);
        return;
    }
    if (!ob_pg_ok(status, res, PGRES_TUPLES_OK)) {
        page(c->a.b, c->a.req, 503, "temporarily_unavailable", "Please try again in a moment.");
        ctx_free(c);
        return;
    }
    if (PQntuples(res) != 1 || strcmp(PQgetvalue(res, 0, 0), "t") != 0) {
        page(c->a.b, c->a.req, 400, "no_upstream_account",
             "This connection is not bound to an account at its provider yet: prove it is yours with its MCP access "
             "key.");
        ctx_free(c);
        return;
    }
    c->client_id = strdup(PQgetvalue(res, 0, 1));
    c->options = strdup(PQgetvalue(res, 0, 2));
    consume(c);
}

void ob_as_upstream_proof_start(ob_broker_t *b, h2o_req_t *req, const char *id_hash, const char *csrf_hash,
                                const char *csrf, const json_t *row)
{
    const char *service = json_string_value(json_object_get(row, "service"));
    const char *id = json_string_value(json_object_get(row, "instance_id"));
    const op_provider_t *p = service ? ob_service_provider(b, service) : NULL;
    if (p == NULL || id == NULL || !cm_uuid_valid(id) || strlen(service) >= 65 || strlen(csrf) > 64) {
        page(b, req, 503, "provider_unavailable", "The sign-in provider of this server is not available.");
        return;
    }
    start_ctx_t *c = new_ctx(b, req, p, OB_STATE_AS_PROOF, id, id_hash, csrf_hash, csrf, service);
    if (c == NULL)
        return;
    const char *params[] = {id};
    if (cm_pg_query(
            b->db,
            "SELECT s.upstream_subject IS NOT NULL, COALESCE(c.client_id, ''), c.provider_options::text "
            "FROM mcp_service_table s JOIN mcp_credentials c USING (instance_id) WHERE s.instance_id = $1::uuid",
            1, params, on_instance, c) != CM_AGAIN) {
        page(b, req, 503, "temporarily_unavailable", "Please try again in a moment.");
        ctx_free(c);
    }
}
