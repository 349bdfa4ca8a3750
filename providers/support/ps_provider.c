/*
 * ps_provider.c - the provider description and the generic operations built on it: authorize
 * URL, code exchange, refresh, RFC 7009 revocation, and the asynchronous call plumbing.
 */
#include "provider_support.h"

#include "common/crypto.h"
#include "common/url.h"

#include <stdlib.h>
#include <string.h>

/* ---- lifecycle ---- */

/* The operations every provider starts with; a spec's hooks->revoke or a plugin replaces members. */
static const op_provider_t generic_ops = {
    .struct_size = sizeof(op_provider_t),
    .build_authorize_url = ps_op_build_authorize_url,
    .exchange_code = ps_op_exchange_code,
    .refresh = ps_op_refresh,
    .revoke = ps_op_revoke_rfc7009,
    .parse_token_response = ps_op_parse_token_response,
};

static void sync_op(ps_provider_t *p)
{
    p->op.name = p->name;
    p->op.display_name = p->display_name;
    p->op.default_scopes = p->default_scopes;
    p->op.authorization_endpoint = p->authorization_endpoint;
    p->op.token_endpoint = p->token_endpoint;
    p->op.revocation_endpoint = p->revocation_endpoint;
}

ps_provider_t *ps_provider_new(const op_host_api_t *host, const char *name, const char *display_name,
                               const char *default_scopes, uint32_t capabilities)
{
    ps_provider_t *p = calloc(1, sizeof(*p));
    if (p == NULL)
        return NULL;
    p->host = host;
    p->name = strdup(name);
    p->display_name = strdup(display_name != NULL ? display_name : name);
    p->default_scopes = strdup(default_scopes != NULL ? default_scopes : "");
    if (p->name == NULL || p->display_name == NULL || p->default_scopes == NULL) {
        ps_provider_free(p);
        return NULL;
    }
    p->client_auth = PS_AUTH_BASIC;
    p->revoke_auth = PS_AUTH_AS_TOKEN;
    p->scope_separator = ' ';
    p->response_scope_separator = ' ';
    p->scope_param = "scope";
    p->op = generic_ops;
    p->op.capabilities = capabilities;
    p->op.data = p;
    sync_op(p);
    return p;
}

static int replace(char **slot, const char *value)
{
    char *copy = NULL;
    if (value != NULL && (copy = strdup(value)) == NULL)
        return OP_ENOMEM;
    free(*slot);
    *slot = copy;
    return OP_OK;
}

int ps_provider_set_endpoints(ps_provider_t *p, const char *authorize, const char *token, const char *revoke)
{
    int rc = OP_OK;
    if (replace(&p->authorization_endpoint, authorize) != OP_OK || replace(&p->token_endpoint, token) != OP_OK ||
        replace(&p->revocation_endpoint, revoke) != OP_OK)
        rc = OP_ENOMEM;
    sync_op(p);
    return rc;
}

int ps_provider_register(ps_provider_t *p)
{
    int rc = p->host->register_provider(p->host->host_ctx, &p->op);
    if (rc != OP_OK)
        ps_log(p, OP_LOG_ERROR, "the host refused provider \"%s\" (status %d)", p->name, rc);
    return rc;
}

void ps_provider_free(ps_provider_t *p)
{
    if (p == NULL)
        return;
    ps_identity_free(p);
    free(p->name);
    free(p->display_name);
    free(p->default_scopes);
    free(p->authorization_endpoint);
    free(p->token_endpoint);
    free(p->revocation_endpoint);
    ps_params_free(&p->authorize_extra);
    ps_params_free(&p->token_extra);
    free(p->option);
    free(p);
}

int ps_endpoint(ps_provider_t *p, const op_client_t *c, int which, char **out, op_error_t *err)
{
    *out = NULL;
    if (p->hooks != NULL && p->hooks->endpoint != NULL)
        return p->hooks->endpoint(p, c, which, out, err);
    const char *ep = which == PS_EP_AUTHORIZE ? p->authorization_endpoint
                     : which == PS_EP_TOKEN   ? p->token_endpoint
                                              : p->revocation_endpoint;
    if (ep == NULL) {
        ps_error_set(err, OP_ERRCLASS_REQUEST, "unsupported", 0, "provider %s has no such endpoint", p->name);
        return OP_EUNSUPPORTED;
    }
    *out = strdup(ep);
    return *out != NULL ? OP_OK : OP_ENOMEM;
}

/* ---- authorize ---- */

static int client_ok(const op_client_t *c, op_error_t *err)
{
    if (c == NULL || c->client_id == NULL || c->client_id[0] == '\0') {
        ps_error_set(err, OP_ERRCLASS_REQUEST, "invalid_client_config", 0, "client_id is required");
        return 0;
    }
    return 1;
}

int ps_op_build_authorize_url(void *data, const op_client_t *c, const op_authorize_params_t *ap, char **out_url,
                              op_error_t *err)
{
    ps_provider_t *p = data;
    ps_params_t q = {0};
    char *endpoint = NULL, *scopes = NULL, *url = NULL;
    int rc = OP_EINVAL;
    *out_url = NULL;
    if (!client_ok(c, err))
        return OP_EINVAL;
    if (c->redirect_uri == NULL || c->redirect_uri[0] == '\0') {
        ps_error_set(err, OP_ERRCLASS_REQUEST, "invalid_client_config", 0, "redirect_uri is required");
        return OP_EINVAL;
    }
    if (ap == NULL || ap->state == NULL || ap->state[0] == '\0') {
        ps_error_set(err, OP_ERRCLASS_REQUEST, "missing_state", 0, "the state parameter is required");
        return OP_EINVAL;
    }
    if ((rc = ps_endpoint(p, c, PS_EP_AUTHORIZE, &endpoint, err)) != OP_OK)
        return rc;
    rc = OP_ENOMEM;
    const char *scopes_in = ap->scopes != NULL ? ap->scopes : p->default_scopes;
    if ((scopes = ps_scopes_join(scopes_in, p->scope_separator)) == NULL)
        goto out_free;
    ps_params_add(&q, "response_type", "code");
    ps_params_add(&q, "client_id", c->client_id);
    ps_params_add(&q, "redirect_uri", c->redirect_uri);
    if (scopes[0] != '\0')
        ps_params_add(&q, p->scope_param, scopes);
    ps_params_add(&q, "state", ap->state);
    if ((p->op.capabilities & OP_CAP_PKCE) && ap->code_challenge != NULL && ap->code_challenge[0] != '\0') {
        ps_params_add(&q, "code_challenge", ap->code_challenge);
        ps_params_add(&q, "code_challenge_method", "S256");
    }
    /* OIDC Core 3.1.2.1: a server may require the nonce of every openid request, declared OIDC or not. */
    if (((p->op.capabilities & OP_CAP_OIDC) || ps_scopes_has(scopes_in, "openid")) && ap->nonce != NULL &&
        ap->nonce[0] != '\0')
        ps_params_add(&q, "nonce", ap->nonce);
    if (ap->login_hint != NULL && ap->login_hint[0] != '\0')
        ps_params_add(&q, "login_hint", ap->login_hint);
    for (size_t i = 0; i < p->authorize_extra.n; i += 2)
        ps_params_set(&q, p->authorize_extra.v[i], p->authorize_extra.v[i + 1]);
    if (q.failed)
        goto out_free;
    if (p->hooks != NULL && p->hooks->authorize != NULL && (rc = p->hooks->authorize(p, c, ap, &q, err)) != OP_OK)
        goto out_free;
    rc = OP_ENOMEM;
    if (q.failed)
        goto out_free;
    if ((url = cm_url_with_query(endpoint, (const char *const *)q.v)) == NULL) {
        rc = OP_EINVAL;
        ps_error_set(err, OP_ERRCLASS_REQUEST, "invalid_endpoint", 0, "cannot build a URL on %s", endpoint);
        goto out_free;
    }
    if ((*out_url = ps_host_strdup(p->host, url)) == NULL)
        goto out_free;
    rc = OP_OK;
out_free:
    if (rc == OP_ENOMEM)
        ps_error_set(err, OP_ERRCLASS_TRANSIENT, "no_memory", 0, "out of memory");
    free(url);
    free(scopes);
    free(endpoint);
    ps_params_free(&q);
    return rc;
}

/* ---- async plumbing ---- */

struct call {
    ps_provider_t *p;
    ps_response_fn fn;
    void *ctx;
};

static void on_http_done(void *arg, const op_http_response_t *res)
{
    struct call *c = arg;
    c->fn(c->p, c->ctx, res);
    free(c);
}

int ps_request_send(ps_provider_t *p, ps_request_t *r, ps_response_fn fn, void *ctx)
{
    int rc = OP_ENOMEM;
    struct call *c = NULL;
    if (r->body == NULL && r->form.n > 0) {
        if ((r->body = ps_params_form(&r->form, &r->body_len)) == NULL)
            goto out_free;
        if ((rc = ps_request_header(r, "Content-Type", "application/x-www-form-urlencoded")) != OP_OK)
            goto out_free;
        rc = OP_ENOMEM;
    }
    if ((c = calloc(1, sizeof(*c))) == NULL)
        goto out_free;
    c->p = p;
    c->fn = fn;
    c->ctx = ctx;
    op_http_request_t req = {
        .struct_size = sizeof(req),
        .method = r->method,
        .url = r->url,
        .headers = r->headers,
        .n_headers = r->n_headers,
        .body = r->body,
        .body_len = r->body_len,
        .timeout_ms = r->timeout_ms,
    };
    rc = p->host->http_send(p->host->host_ctx, &req, on_http_done, c);
    if (rc != OP_AGAIN) {
        ps_log(p, OP_LOG_WARN, "cannot send %s request: status %d", r->method, rc);
        free(c);
        if (rc == OP_OK)
            rc = OP_ERR; /* a host must never answer synchronously */
    }
out_free:
    ps_request_free(r);
    return rc;
}

struct token_ctx {
    op_token_done_fn done;
    void *arg;
};

static void on_token_response(ps_provider_t *p, void *ctx, const op_http_response_t *res)
{
    struct token_ctx *t = ctx;
    op_token_set_t ts = {.struct_size = sizeof(ts)};
    op_error_t err;
    memset(&err, 0, sizeof(err));
    int rc = p->op.parse_token_response(p->op.data, res, p->host->now(), &ts, &err);
    if (rc == OP_OK) {
        t->done(t->arg, OP_OK, &ts, NULL);
    } else {
        ps_log(p, OP_LOG_INFO, "token request failed: %s (%s, HTTP %d)", err.code, err.description, err.http_status);
        t->done(t->arg, rc < 0 ? rc : OP_ERR, NULL, &err);
    }
    free(t);
}

int ps_token_call(ps_provider_t *p, ps_request_t *r, op_token_done_fn done, void *arg)
{
    struct token_ctx *t = calloc(1, sizeof(*t));
    if (t == NULL || ps_request_header(r, "Accept", "application/json") != OP_OK) {
        free(t);
        ps_request_free(r);
        return OP_ENOMEM;
    }
    t->done = done;
    t->arg = arg;
    int rc = ps_request_send(p, r, on_token_response, t);
    if (rc != OP_AGAIN)
        free(t);
    return rc;
}

struct revoke_ctx {
    ps_revoke_judge_fn judge;
    op_done_fn done;
    void *arg;
};

static void on_revoke_response(ps_provider_t *p, void *ctx, const op_http_response_t *res)
{
    struct revoke_ctx *v = ctx;
    op_error_t err;
    memset(&err, 0, sizeof(err));
    int rc = v->judge(p, res, &err);
    if (rc == OP_OK) {
        v->done(v->arg, OP_OK, NULL);
    } else {
        ps_log(p, OP_LOG_INFO, "revocation failed: %s (%s, HTTP %d)", err.code, err.description, err.http_status);
        v->done(v->arg, rc < 0 ? rc : OP_ERR, &err);
    }
    free(v);
}

int ps_revoke_call(ps_provider_t *p, ps_request_t *r, ps_revoke_judge_fn judge, op_done_fn done, void *arg)
{
    struct revoke_ctx *v = calloc(1, sizeof(*v));
    if (v == NULL) {
        ps_request_free(r);
        return OP_ENOMEM;
    }
    v->judge = judge;
    v->done = done;
    v->arg = arg;
    int rc = ps_request_send(p, r, on_revoke_response, v);
    if (rc != OP_AGAIN)
        free(v);
    return rc;
}

int ps_revoke_judge_rfc7009(ps_provider_t *p, const op_http_response_t *res, op_error_t *err)
{
    if (res->status >= 200 && res->status <= 299)
        return OP_OK;
    json_t *doc = res->status != 0 ? ps_decode_body(res->body, res->body_len) : NULL;
    const char *code = json_string_value(json_object_get(doc, "error"));
    int already_dead = res->status == 400 && code != NULL && strcmp(code, "invalid_token") == 0;
    if (!already_dead)
        ps_classify_response(p->errmap, res, doc, err);
    json_decref(doc);
    return already_dead ? OP_OK : OP_ERR;
}

/* ---- generic token operations ---- */

/*
 * Sends a token-endpoint grant: the provider's client authentication, the fixed extra fields, grant_type
 * and the fields (name, value pairs up to a NULL name; a NULL value is left out).
 */
static int token_grant(ps_provider_t *p, const op_client_t *c, const char *grant_type, const char *const *fields,
                       op_token_done_fn done, void *arg)
{
    ps_request_t r;
    char *url = NULL;
    op_error_t err;
    int rc = ps_endpoint(p, c, PS_EP_TOKEN, &url, &err);
    if (rc != OP_OK) {
        if (rc != OP_ENOMEM)
            ps_log(p, OP_LOG_WARN, "no token endpoint: %s", err.description);
        return rc;
    }
    rc = ps_request_init(&r, "POST", url);
    free(url);
    if (rc != OP_OK)
        return rc;
    rc = ps_request_client_auth(&r, p->client_auth, c);
    for (size_t i = 0; rc == OP_OK && i < p->token_extra.n; i += 2)
        rc = ps_params_set(&r.form, p->token_extra.v[i], p->token_extra.v[i + 1]);
    ps_params_add(&r.form, "grant_type", grant_type);
    for (size_t i = 0; fields[i] != NULL; i += 2)
        ps_params_add(&r.form, fields[i], fields[i + 1]);
    if (rc != OP_OK) {
        ps_request_free(&r);
        return rc;
    }
    return ps_token_call(p, &r, done, arg);
}

int ps_op_exchange_code(void *data, const op_client_t *c, const char *code, const char *code_verifier,
                        op_token_done_fn done, void *arg)
{
    ps_provider_t *p = data;
    if (!client_ok(c, NULL) || code == NULL || code[0] == '\0' || done == NULL)
        return OP_EINVAL;
    int pkce = (p->op.capabilities & OP_CAP_PKCE) && code_verifier != NULL && code_verifier[0] != '\0';
    const char *const fields[] = {
        "code", code, "redirect_uri", c->redirect_uri, "code_verifier", pkce ? code_verifier : NULL, NULL,
    };
    return token_grant(p, c, "authorization_code", fields, done, arg);
}

int ps_op_refresh(void *data, const op_client_t *c, const char *refresh_token, const char *scopes,
                  op_token_done_fn done, void *arg)
{
    ps_provider_t *p = data;
    char *joined = NULL;
    if (!client_ok(c, NULL) || refresh_token == NULL || refresh_token[0] == '\0' || done == NULL)
        return OP_EINVAL;
    if (scopes != NULL && scopes[0] != '\0' && (joined = ps_scopes_join(scopes, p->scope_separator)) == NULL)
        return OP_ENOMEM;
    const char *const fields[] = {"refresh_token", refresh_token, "scope", joined != NULL && joined[0] ? joined : NULL,
                                  NULL};
    int rc = token_grant(p, c, "refresh_token", fields, done, arg);
    free(joined);
    return rc;
}

int ps_op_revoke_rfc7009(void *data, const op_client_t *c, const char *token, const char *token_type_hint,
                         op_done_fn done, void *arg)
{
    ps_provider_t *p = data;
    ps_request_t r;
    char *url = NULL;
    op_error_t err;
    if (!client_ok(c, NULL) || token == NULL || token[0] == '\0' || done == NULL)
        return OP_EINVAL;
    int rc = ps_endpoint(p, c, PS_EP_REVOKE, &url, &err);
    if (rc != OP_OK)
        return rc;
    rc = ps_request_init(&r, "POST", url);
    free(url);
    if (rc != OP_OK)
        return rc;
    ps_params_add(&r.form, "token", token);
    if (p->revoke_send_hint && token_type_hint != NULL && token_type_hint[0] != '\0')
        ps_params_add(&r.form, "token_type_hint", token_type_hint);
    int mode = p->revoke_auth == PS_AUTH_AS_TOKEN ? p->client_auth : p->revoke_auth;
    if ((rc = ps_request_client_auth(&r, mode, c)) != OP_OK) {
        ps_request_free(&r);
        return rc;
    }
    ps_revoke_judge_fn judge =
        p->hooks != NULL && p->hooks->revoke_judge != NULL ? p->hooks->revoke_judge : ps_revoke_judge_rfc7009;
    return ps_revoke_call(p, &r, judge, done, arg);
}
