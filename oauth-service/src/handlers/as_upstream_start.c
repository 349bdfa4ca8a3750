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

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct start_ctx {
    ob_async_t a;
    ob_state_t st;
    char service[65];
    char *csrf; /* the consent cookie's value, for ob_as_login (wiped) */
} start_ctx_t;

static void ctx_free(start_ctx_t *c)
{
    ob_state_wipe(&c->st);
    cm_secure_free(c->csrf, 0);
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
static char *authorize_url(const ob_broker_t *b, const char *service, const op_provider_t *p, const ob_as_app_t *app,
                           const char *state, const char *challenge, const char *nonce)
{
    char *redirect = ob_redirect_uri(b, p->name), *scopes = login_scopes(b, service, p), *url = NULL;
    op_error_t err;
    memset(&err, 0, sizeof(err));
    op_client_t client = {.struct_size = sizeof(op_client_t),
                          .client_id = app->client_id,
                          .client_secret = NULL,
                          .redirect_uri = redirect,
                          .options_json = "{}"};
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
    const op_provider_t *p = ob_service_provider(b, service);
    if (app == NULL || p == NULL)
        return 0;
    char *url = authorize_url(b, service, p, app, "s", NULL, "n");
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
    const ob_as_app_t *app = ob_as_app_for(b, c->service);
    state = ob_state_seal(b->keys->ring, &c->st);
    challenge = c->st.verifier[0] ? cm_pkce_challenge_s256(c->st.verifier) : NULL;
    if (p != NULL && app != NULL && state != NULL && (c->st.verifier[0] == '\0' || challenge != NULL))
        url = authorize_url(b, c->service, p, app, state, challenge, c->st.nonce);
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

void ob_as_upstream_start(ob_broker_t *b, h2o_req_t *req, const char *id_hash, const char *csrf_hash, const char *csrf,
                          const json_t *row)
{
    const char *service = json_string_value(json_object_get(row, "service"));
    const op_provider_t *p = service ? ob_service_provider(b, service) : NULL;
    if (p == NULL || ob_as_app_for(b, service) == NULL || strlen(service) >= 65 || strlen(csrf) > 64) {
        page(b, req, 503, "provider_unavailable", "The sign-in provider of this server is not available.");
        return;
    }
    start_ctx_t *c = ob_async_new(b, req, sizeof(*c));
    if (c == NULL)
        return;
    snprintf(c->service, sizeof(c->service), "%s", service);
    c->csrf = strdup(csrf);
    if (c->csrf == NULL || ob_state_init(&c->st, NULL, p->name, (p->capabilities & OP_CAP_PKCE) != 0, ob_now(),
                                         b->cfg->state_ttl_s) != CM_OK) {
        page(b, req, 500, "internal_error", "The sign-in could not be started.");
        ctx_free(c);
        return;
    }
    c->st.kind = OB_STATE_AS_LOGIN;
    snprintf(c->st.as_request, sizeof(c->st.as_request), "%s", id_hash);
    /* single use from here: the callback moves the row from "upstream" to "done" */
    const char *params[] = {id_hash, csrf_hash};
    if (cm_pg_query(b->db,
                    "UPDATE as_requests SET used_at = now(), request = request || '{\"stage\": \"upstream\"}' "
                    "WHERE request_hash = $1 AND csrf_hash = $2 AND used_at IS NULL AND expires_at > now() "
                    "RETURNING 1",
                    2, params, on_consumed, c) != CM_AGAIN) {
        page(b, req, 503, "temporarily_unavailable", "Please try again in a moment.");
        ctx_free(c);
    }
}
