/*
 * GET /oauth/authorize?instance_id=...[&popup=1][&return_url=...][&login_hint=...]
 *
 * 302 to the provider's consent page. Writes nothing: the sealed state (oauth/state.h) carries the
 * instance id, PKCE verifier, nonce, expiry, popup flag and the return URL (only from the allow-list).
 * The instance comes from the in-memory cache (re-read after oauth.instance_cache_ttl_ms), so this
 * path normally touches neither the network nor the database. Errors are HTML pages.
 */
#include "handlers/flow_util.h"
#include "handlers/routes.h"

#include "keys/keys.h"
#include "oauth/return_url.h"
#include "oauth/state.h"
#include "providers/host_api.h"
#include "store/instance_cache.h"

#include "common/crypto.h"
#include "common/log.h"
#include "common/status.h"
#include "common/url.h"

#include <stdlib.h>
#include <string.h>

typedef struct authz_ctx {
    ob_async_t a;
    char id[37];
    int popup;
    char *return_url, *login_hint;
} authz_ctx_t;

static void ctx_free(authz_ctx_t *c)
{
    free(c->return_url);
    free(c->login_hint);
    ob_async_free(c);
}

/*
 * URL template. The plugin builds the authorization URL of an instance once, with placeholders for the three
 * per-request values (state, code_challenge, nonce); each request splices the real values in. All of them are
 * base64url (RFC 3986 unreserved characters), so URL-escaping leaves both placeholders and values unchanged.
 * When the plugin does not keep every placeholder verbatim exactly once, the instance falls back to calling
 * the plugin per request. Without this, building the URL (libcurl's escaping and URL assembly) cost more than
 * everything else /oauth/authorize does.
 */
enum { PH_STATE = 0, PH_CHALLENGE = 1, PH_NONCE = 2 };

static size_t count_occurrences(const char *hay, const char *needle)
{
    size_t n = 0, len = strlen(needle);
    for (const char *p = strstr(hay, needle); p != NULL; p = strstr(p + len, needle))
        n++;
    return n;
}

/* Builds (once) the template of inst; 1 when it is usable. */
static int template_ready(const op_provider_t *p, ob_instance_t *inst, op_client_t *client, const char *scopes,
                          int pkce)
{
    if (inst->authz_template != NULL)
        return 1;
    if (inst->authz_template_failed)
        return 0;
    char *url = NULL;
    op_error_t err;
    memset(&err, 0, sizeof(err));
    memset(inst->authz_ph, 0, sizeof(inst->authz_ph));
    for (int i = 0; i < 3; i++) {
        if (i == PH_CHALLENGE && !pkce)
            continue;
        char rnd[9];
        if (cm_random_hex(rnd, sizeof(rnd), 4) != CM_OK)
            return 0;
        snprintf(inst->authz_ph[i], sizeof(inst->authz_ph[i]), "ObPh%dx%sZq", i, rnd);
    }
    op_authorize_params_t params = {.struct_size = sizeof(op_authorize_params_t),
                                    .state = inst->authz_ph[PH_STATE],
                                    .scopes = scopes,
                                    .code_challenge = pkce ? inst->authz_ph[PH_CHALLENGE] : NULL,
                                    .nonce = inst->authz_ph[PH_NONCE],
                                    .login_hint = NULL};
    if (p->build_authorize_url(p->data, client, &params, &url, &err) != OP_OK || url == NULL)
        return 0; /* not cached: the per-request call reports the error */
    int ok = 1;
    /* the plugin decides whether the nonce goes out (OIDC, or openid among the scopes) */
    if (count_occurrences(url, inst->authz_ph[PH_NONCE]) == 0)
        inst->authz_ph[PH_NONCE][0] = '\0';
    for (int i = 0; i < 3; i++)
        ok &= inst->authz_ph[i][0] == '\0' || count_occurrences(url, inst->authz_ph[i]) == 1;
    if (ok)
        inst->authz_template = strdup(url);
    else
        inst->authz_template_failed = 1;
    ob_host_mem_free(url);
    return inst->authz_template != NULL;
}

/* The template with the placeholders replaced. malloc'ed; NULL on allocation failure. */
static char *splice(const ob_instance_t *inst, const char *const values[3])
{
    cm_buf_t b = {0};
    const char *t = inst->authz_template;
    for (;;) {
        const char *next = NULL;
        int which = -1;
        for (int i = 0; i < 3; i++) {
            const char *at = inst->authz_ph[i][0] ? strstr(t, inst->authz_ph[i]) : NULL;
            if (at != NULL && (next == NULL || at < next)) {
                next = at;
                which = i;
            }
        }
        if (next == NULL) {
            cm_buf_appendz(&b, t);
            break;
        }
        cm_buf_append(&b, t, (size_t)(next - t));
        cm_buf_appendz(&b, values[which]);
        t = next + strlen(inst->authz_ph[which]);
    }
    return cm_buf_take(&b);
}

static void respond_redirect(h2o_req_t *req, const char *url)
{
    h2o_iovec_t loc = h2o_strdup(&req->pool, url, strlen(url));
    h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_LOCATION, NULL, loc.base, loc.len);
    h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CACHE_CONTROL, NULL, H2O_STRLIT("no-store"));
    h2o_add_header_by_str(&req->pool, &req->res.headers, H2O_STRLIT("referrer-policy"), 0, NULL,
                          H2O_STRLIT("no-referrer"));
    cm_respond_empty(req, 302);
}

static void authorize(ob_broker_t *b, h2o_req_t *req, ob_instance_t *inst, int popup, const char *return_url,
                      const char *login_hint)
{
    int64_t now = ob_now();
    cm_inst_status_t status = ob_instance_effective_status(inst, now);
    if (status == CM_INST_INACTIVE) {
        ob_send_error_page(b, req, 403, "instance_inactive", "This connection has been disabled by an administrator.",
                           inst->id, popup);
        return;
    }
    if (status == CM_INST_EXPIRED) {
        ob_send_error_page(b, req, 400, "instance_expired", "This connection has expired.", inst->id, popup);
        return;
    }
    const json_t *svc = ob_service_find(b, inst->service);
    const op_provider_t *p = ob_service_provider(b, inst->service);
    if (p == NULL || svc == NULL) {
        ob_send_error_page(b, req, 503, "provider_unavailable",
                           "The sign-in provider of this service is not available.", inst->id, popup);
        return;
    }
    ob_state_t st;
    char *state = NULL, *challenge = NULL, *redirect = NULL, *url = NULL;
    op_error_t err;
    memset(&err, 0, sizeof(err));
    int pkce = (p->capabilities & OP_CAP_PKCE) != 0;
    if (ob_state_init(&st, inst->id, p->name, pkce, now, b->cfg->state_ttl_s) != CM_OK) {
        ob_send_error_page(b, req, 500, "internal_error", "The authorization could not be started.", inst->id, popup);
        return;
    }
    st.popup = popup;
    if (return_url != NULL)
        snprintf(st.return_url, sizeof(st.return_url), "%s", return_url);
    int cached = login_hint == NULL && inst->authz_template != NULL; /* the redirect_uri is in the template */
    redirect = cached ? NULL : ob_redirect_uri(b, p->name);
    const char *scopes =
        inst->requested_scopes ? inst->requested_scopes : json_string_value(json_object_get(svc, "default_scopes"));
    op_client_t client = {.struct_size = sizeof(op_client_t),
                          .client_id = inst->client_id ? inst->client_id : "",
                          .client_secret = NULL,
                          .redirect_uri = redirect,
                          .options_json = inst->provider_options};
    /* The template tells whether the plugin sends the nonce (a login_hint does not change that); the callback
     * then requires it in an ID token only when it went out. Unknown (no template): required. */
    int templated = (cached || redirect != NULL) && template_ready(p, inst, &client, scopes, pkce);
    st.nonce_not_sent = templated && inst->authz_ph[PH_NONCE][0] == '\0';
    state = ob_state_seal(b->keys->ring, &st);
    challenge = pkce ? cm_pkce_challenge_s256(st.verifier) : NULL;
    if (state == NULL || (!cached && redirect == NULL) || (pkce && challenge == NULL)) {
        ob_send_error_page(b, req, 500, "internal_error", "The authorization could not be started.", inst->id, popup);
        goto out_wipe;
    }
    if (login_hint == NULL && templated) {
        const char *values[3] = {state, challenge ? challenge : "", st.nonce};
        char *spliced = splice(inst, values);
        if (spliced == NULL) {
            ob_send_error_page(b, req, 500, "internal_error", "The authorization could not be started.", inst->id,
                               popup);
            goto out_wipe;
        }
        respond_redirect(req, spliced);
        free(spliced);
        goto out_wipe;
    }
    op_authorize_params_t params = {.struct_size = sizeof(op_authorize_params_t),
                                    .state = state,
                                    .scopes = scopes,
                                    .code_challenge = challenge,
                                    .nonce = st.nonce, /* sent when the plugin sees OIDC or an openid scope */
                                    .login_hint = login_hint};
    int rc = p->build_authorize_url(p->data, &client, &params, &url, &err);
    if (rc != OP_OK || url == NULL) {
        cm_warn("oauth", "instance %s: building the authorization URL failed: %s %s", inst->id, err.code,
                err.description);
        if (rc == OP_EUNAVAIL)
            ob_send_error_page(b, req, 503, "provider_unavailable",
                               "The sign-in provider is not ready yet. Please try again in a moment.", inst->id, popup);
        else
            ob_send_error_page(b, req, 400, "authorize_failed", "The authorization request could not be built.",
                               inst->id, popup);
        goto out_wipe;
    }
    respond_redirect(req, url);
    ob_host_mem_free(url);
out_wipe:
    ob_state_wipe(&st);
    cm_secure_free(state, 0);
    cm_secure_free(challenge, 0);
    free(redirect);
}

static void on_loaded(void *arg, int status, ob_instance_t *inst)
{
    authz_ctx_t *c = arg;
    h2o_req_t *req = c->a.req;
    if (req != NULL) {
        if (status == CM_ENOTFOUND)
            ob_send_error_page(c->a.b, req, 404, "instance_not_found", "This connection does not exist.", c->id,
                               c->popup);
        else if (status != CM_OK)
            ob_send_error_page(c->a.b, req, 503, "database_unavailable", "Please try again in a moment.", c->id,
                               c->popup);
        else
            authorize(c->a.b, req, inst, c->popup, c->return_url, c->login_hint);
    }
    ctx_free(c);
}

/* The parameters of /oauth/authorize (any parameter repeated, named here or not, is refused: RFC 6749 3.1) */
enum { Q_ID, Q_POPUP, Q_RETURN, Q_HINT, Q_COUNT };
static const char *const query_names[Q_COUNT + 1] = {"instance_id", "popup", "return_url", "login_hint", NULL};

static int on_authorize(void *data, h2o_req_t *req, const cm_route_match_t *m)
{
    ob_broker_t *b = data;
    char *v[Q_COUNT + 1];
    int bad = ob_query_parse_once(req, query_names, v) != CM_OK;
    char *id = v[Q_ID], *ret = v[Q_RETURN], *hint = v[Q_HINT];
    int popup = v[Q_POPUP] != NULL && (strcmp(v[Q_POPUP], "1") == 0 || strcmp(v[Q_POPUP], "true") == 0);
    if (bad || id == NULL || !cm_uuid_valid(id)) {
        ob_send_error_page(b, req, 400, "invalid_request",
                           bad ? "The link is malformed (a parameter is repeated or badly encoded)."
                               : "The link is missing a valid instance_id.",
                           NULL, popup);
        return 0;
    }
    for (char *p = id; *p; p++)
        *p = (*p >= 'A' && *p <= 'F') ? (char)(*p - 'A' + 'a') : *p;
    if (ret != NULL && !ob_return_url_allowed(b->cfg->allowed_return_urls, ret)) {
        ob_send_error_page(b, req, 400, "return_url_not_allowed", "The return address is not on the allow-list.", id,
                           popup);
        return 0;
    }
    if (hint != NULL && !ob_text_ok(hint, 256)) {
        ob_send_error_page(b, req, 400, "invalid_request", "login_hint is not valid.", id, popup);
        return 0;
    }
    ob_instance_t *inst = ob_icache_peek(b->instances, id);
    if (inst != NULL) {
        authorize(b, req, inst, popup, ret, hint);
        return 0;
    }
    authz_ctx_t *c = ob_async_new(b, req, sizeof(*c));
    if (c == NULL)
        return 0;
    memcpy(c->id, id, sizeof(c->id));
    c->popup = popup;
    c->return_url = ret ? strdup(ret) : NULL;
    c->login_hint = hint ? strdup(hint) : NULL;
    int rc = ob_icache_load(b->instances, id, on_loaded, c);
    if (rc != CM_AGAIN) {
        ob_send_error_page(b, req, 503, "database_unavailable", "Please try again in a moment.", id, popup);
        ctx_free(c);
    }
    return 0;
}

int ob_oauth_authorize_register(ob_broker_t *b)
{
    return cm_server_route(b->server, "GET", "/oauth/authorize", on_authorize, b);
}
