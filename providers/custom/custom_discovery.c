/*
 * custom_discovery.c - OpenID Connect discovery for custom providers and the operations that wait
 * for it (design in custom.h).
 */
#include "custom.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { W_EXCHANGE, W_REFRESH, W_REVOKE };

/* An operation queued behind discovery; every string is a copy (wiped on free). */
struct cu_waiter {
    cu_waiter_t *next;
    int kind;
    char *client_id, *client_secret, *redirect_uri, *options_json;
    char *a, *b; /* code + verifier, refresh_token + scopes, token + hint */
    op_token_done_fn token_done;
    op_done_fn done;
    void *arg;
};

static void waiter_free(cu_waiter_t *w)
{
    free(w->client_id);
    ps_secret_free(w->client_secret);
    free(w->redirect_uri);
    free(w->options_json);
    ps_secret_free(w->a);
    ps_secret_free(w->b);
    free(w);
}

static int dup_opt(char **slot, const char *s)
{
    return s == NULL || (*slot = strdup(s)) != NULL;
}

static int enqueue(ps_provider_t *p, int kind, const op_client_t *c, const char *a, const char *b,
                   op_token_done_fn token_done, op_done_fn done, void *arg)
{
    cu_data_t *d = p->ext;
    cu_waiter_t *w = calloc(1, sizeof(*w));
    if (w == NULL)
        return OP_ENOMEM;
    w->kind = kind;
    w->token_done = token_done;
    w->done = done;
    w->arg = arg;
    if (!dup_opt(&w->client_id, c->client_id) || !dup_opt(&w->client_secret, c->client_secret) ||
        !dup_opt(&w->redirect_uri, c->redirect_uri) || !dup_opt(&w->options_json, c->options_json) ||
        !dup_opt(&w->a, a) || !dup_opt(&w->b, b)) {
        waiter_free(w);
        return OP_ENOMEM;
    }
    cu_waiter_t **tail = &d->waiters;
    while (*tail != NULL)
        tail = &(*tail)->next;
    *tail = w;
    return OP_AGAIN;
}

static void fail_waiter(cu_waiter_t *w, int status, const op_error_t *err)
{
    if (w->kind == W_REVOKE)
        w->done(w->arg, status, err);
    else
        w->token_done(w->arg, status, NULL, err);
}

/* Runs (discovery succeeded) or fails every queued operation, in order. */
static void run_waiters(ps_provider_t *p)
{
    cu_data_t *d = p->ext;
    cu_waiter_t *w = d->waiters;
    d->waiters = NULL;
    while (w != NULL) {
        cu_waiter_t *next = w->next;
        op_error_t err;
        int rc;
        if (d->discovery == CU_READY) {
            op_client_t c = {.struct_size = sizeof(c),
                             .client_id = w->client_id,
                             .client_secret = w->client_secret,
                             .redirect_uri = w->redirect_uri,
                             .options_json = w->options_json};
            if (w->kind == W_EXCHANGE)
                rc = ps_op_exchange_code(p, &c, w->a, w->b, w->token_done, w->arg);
            else if (w->kind == W_REFRESH)
                rc = ps_op_refresh(p, &c, w->a, w->b, w->token_done, w->arg);
            else if (p->revocation_endpoint != NULL)
                rc = ps_op_revoke_rfc7009(p, &c, w->a, w->b, w->done, w->arg);
            else
                rc = OP_EUNSUPPORTED;
            if (rc != OP_AGAIN) {
                ps_error_set(&err, OP_ERRCLASS_REQUEST, rc == OP_EUNSUPPORTED ? "unsupported" : "request_failed", 0,
                             "the queued operation could not be started (status %d)", rc);
                fail_waiter(w, rc < 0 ? rc : OP_ERR, &err);
            }
        } else {
            ps_error_set(&err, OP_ERRCLASS_TRANSIENT, "discovery_failed", 0, "OpenID discovery failed: %s",
                         d->last_error);
            fail_waiter(w, OP_EUNAVAIL, &err);
        }
        waiter_free(w);
        w = next;
    }
}

void cu_discovery_drop(ps_provider_t *p)
{
    cu_data_t *d = p->ext;
    while (d->waiters != NULL) {
        cu_waiter_t *next = d->waiters->next;
        waiter_free(d->waiters);
        d->waiters = next;
    }
}

static void discovery_failed(ps_provider_t *p, const char *why)
{
    cu_data_t *d = p->ext;
    snprintf(d->last_error, sizeof(d->last_error), "%s", why);
    d->discovery = CU_FAILED;
    d->failed_at = p->host->now();
    ps_log(p, OP_LOG_ERROR, "OpenID discovery for issuer %s failed: %s (retry after %lld s)", d->issuer, why,
           (long long)d->retry_s);
}

static int list_has(const json_t *list, const char *value)
{
    size_t i;
    json_t *item;
    json_array_foreach(list, i, item)
    {
        if (json_is_string(item) && strcmp(json_string_value(item), value) == 0)
            return 1;
    }
    return 0;
}

/* Applies a discovery document; NULL on success, else the reason. */
static const char *apply_document(ps_provider_t *p, const json_t *doc)
{
    cu_data_t *d = p->ext;
    const char *issuer = ps_json_str(doc, "issuer");
    if (issuer == NULL)
        return "the document has no issuer";
    if (strcmp(issuer, d->issuer) != 0)
        return "the document names a different issuer";
    const char *authorize =
        p->authorization_endpoint != NULL ? p->authorization_endpoint : ps_json_str(doc, "authorization_endpoint");
    const char *token = p->token_endpoint != NULL ? p->token_endpoint : ps_json_str(doc, "token_endpoint");
    const char *revoke = d->configured_revoke != NULL ? d->configured_revoke : ps_json_str(doc, "revocation_endpoint");
    if (!ps_url_is_http(authorize) || !ps_url_is_http(token))
        return "authorization_endpoint or token_endpoint missing or not an http(s) URL";
    if (revoke != NULL && !ps_url_is_http(revoke))
        revoke = NULL;
    char *a = strdup(authorize), *t = strdup(token), *r = revoke != NULL ? strdup(revoke) : NULL;
    int rc =
        a != NULL && t != NULL && (revoke == NULL || r != NULL) ? ps_provider_set_endpoints(p, a, t, r) : OP_ENOMEM;
    free(a);
    free(t);
    free(r);
    if (rc != OP_OK)
        return "out of memory";
    if (!d->caps_set)
        p->op.capabilities = (p->op.capabilities & ~OP_CAP_REVOKE) | (revoke != NULL ? OP_CAP_REVOKE : 0);
    const json_t *methods = json_object_get(doc, "code_challenge_methods_supported");
    if (!d->pkce_set && json_is_array(methods) && !list_has(methods, "S256"))
        p->op.capabilities &= ~OP_CAP_PKCE;
    const json_t *auths = json_object_get(doc, "token_endpoint_auth_methods_supported");
    if (!d->client_auth_set && json_is_array(auths) && !list_has(auths, "client_secret_basic") &&
        list_has(auths, "client_secret_post"))
        p->client_auth = PS_AUTH_POST;
    if (!d->iss_param_set)
        p->op.authorization_response_iss =
            json_is_true(json_object_get(doc, "authorization_response_iss_parameter_supported"));
    const char *jwks = ps_json_str(doc, "jwks_uri"), *userinfo = ps_json_str(doc, "userinfo_endpoint");
    if (cu_identity_setup(p, ps_url_is_http(jwks) ? jwks : NULL, ps_url_is_http(userinfo) ? userinfo : NULL) != OP_OK)
        return "out of memory";
    return NULL;
}

static void on_discovery(ps_provider_t *p, void *ctx, const op_http_response_t *res)
{
    cu_data_t *d = p->ext;
    char why[160];
    const char *reason = NULL;
    json_t *doc = NULL;
    if (res->status == 0) {
        snprintf(why, sizeof(why), "%s", res->timed_out ? "timeout" : res->error != NULL ? res->error : "network");
        reason = why;
    } else if (res->status != 200) {
        snprintf(why, sizeof(why), "HTTP %d", res->status);
        reason = why;
    } else if (res->body_len > PS_MAX_RESPONSE || (doc = ps_json_loadb(res->body, res->body_len)) == NULL ||
               !json_is_object(doc)) {
        reason = "the answer is not a JSON object";
    } else {
        reason = apply_document(p, doc);
    }
    json_decref(doc);
    if (reason != NULL) {
        discovery_failed(p, reason);
    } else {
        d->discovery = CU_READY;
        ps_log(p, OP_LOG_INFO, "OpenID discovery done: authorize %s, token %s, revocation %s",
               p->authorization_endpoint, p->token_endpoint,
               p->revocation_endpoint != NULL ? p->revocation_endpoint : "(none)");
    }
    run_waiters(p);
}

int cu_discovery_start(ps_provider_t *p)
{
    cu_data_t *d = p->ext;
    ps_request_t r;
    size_t n = strlen(d->issuer);
    while (n > 0 && d->issuer[n - 1] == '/')
        n--; /* OIDC Discovery 4.1: drop a terminating '/' before appending */
    char *issuer = strndup(d->issuer, n);
    char *url = issuer != NULL ? ps_concat(issuer, "/.well-known/openid-configuration", NULL) : NULL;
    free(issuer);
    d->discovery = CU_PENDING;
    int rc = url != NULL ? ps_request_init(&r, "GET", url) : OP_ENOMEM;
    free(url);
    if (rc == OP_OK && (rc = ps_request_header(&r, "Accept", "application/json")) != OP_OK)
        ps_request_free(&r);
    if (rc == OP_OK)
        rc = ps_request_send(p, &r, on_discovery, NULL);
    if (rc != OP_AGAIN)
        discovery_failed(p, "the discovery request could not be started");
    return rc;
}

/*
 * Where an operation stands: OP_OK = ready, OP_AGAIN = discovery running (queue it), OP_EUNAVAIL =
 * failed within the cool-down (*err filled).
 */
static int readiness(ps_provider_t *p, op_error_t *err)
{
    cu_data_t *d = p->ext;
    if (d->discovery == CU_READY || d->discovery == CU_STATIC)
        return OP_OK;
    if (d->discovery == CU_FAILED) {
        int64_t wait = d->failed_at + d->retry_s - p->host->now();
        if (wait > 0) {
            ps_error_set(err, OP_ERRCLASS_TRANSIENT, "discovery_failed", 0, "OpenID discovery failed: %s",
                         d->last_error);
            if (err != NULL)
                err->retry_after_s = (long)wait;
            return OP_EUNAVAIL;
        }
        if (cu_discovery_start(p) != OP_AGAIN) {
            ps_error_set(err, OP_ERRCLASS_TRANSIENT, "discovery_failed", 0, "OpenID discovery failed: %s",
                         d->last_error);
            return OP_EUNAVAIL;
        }
    }
    ps_error_set(err, OP_ERRCLASS_TRANSIENT, "discovery_pending", 0, "OpenID discovery is still running");
    if (err != NULL)
        err->retry_after_s = 1;
    return OP_AGAIN;
}

static int cu_authorize(void *data, const op_client_t *c, const op_authorize_params_t *ap, char **out_url,
                        op_error_t *err)
{
    *out_url = NULL;
    int rc = readiness(data, err);
    if (rc != OP_OK)
        return OP_EUNAVAIL;
    return ps_op_build_authorize_url(data, c, ap, out_url, err);
}

static int cu_exchange(void *data, const op_client_t *c, const char *code, const char *verifier, op_token_done_fn done,
                       void *arg)
{
    if (c == NULL || code == NULL || done == NULL)
        return OP_EINVAL;
    int rc = readiness(data, NULL);
    if (rc == OP_OK)
        return ps_op_exchange_code(data, c, code, verifier, done, arg);
    return rc == OP_AGAIN ? enqueue(data, W_EXCHANGE, c, code, verifier, done, NULL, arg) : rc;
}

static int cu_refresh(void *data, const op_client_t *c, const char *refresh_token, const char *scopes,
                      op_token_done_fn done, void *arg)
{
    if (c == NULL || refresh_token == NULL || done == NULL)
        return OP_EINVAL;
    int rc = readiness(data, NULL);
    if (rc == OP_OK)
        return ps_op_refresh(data, c, refresh_token, scopes, done, arg);
    return rc == OP_AGAIN ? enqueue(data, W_REFRESH, c, refresh_token, scopes, done, NULL, arg) : rc;
}

static int cu_revoke(void *data, const op_client_t *c, const char *token, const char *hint, op_done_fn done, void *arg)
{
    ps_provider_t *p = data;
    if (c == NULL || token == NULL || done == NULL)
        return OP_EINVAL;
    int rc = readiness(p, NULL);
    if (rc == OP_OK)
        return p->revocation_endpoint != NULL ? ps_op_revoke_rfc7009(p, c, token, hint, done, arg) : OP_EUNSUPPORTED;
    return rc == OP_AGAIN ? enqueue(p, W_REVOKE, c, token, hint, NULL, done, arg) : rc;
}

void cu_discovery_install(ps_provider_t *p)
{
    p->op.build_authorize_url = cu_authorize;
    p->op.exchange_code = cu_exchange;
    p->op.refresh = cu_refresh;
    p->op.revoke = cu_revoke;
}

int cu_identity_setup(ps_provider_t *p, const char *discovered_jwks, const char *discovered_userinfo)
{
    cu_data_t *d = p->ext;
    const ps_identity_spec_t spec = {.subject_field = d->subject_field};
    return ps_identity_setup(p, &spec, d->configured_jwks != NULL ? d->configured_jwks : discovered_jwks,
                             d->configured_userinfo != NULL ? d->configured_userinfo : discovered_userinfo);
}
