/*
 * ps_identity.c - op_provider_t.identify for providers described by a ps_spec_t: the upstream account of a token set,
 * from an ID token validated against the provider's JWK Set (OpenID Connect Core 3.1.3.7: signature, iss, aud, exp,
 * nonce), else from the provider's user-info endpoint.
 *
 * The key set is fetched through the host on first use, kept PS_JWKS_TTL_S, and fetched again at once when a token
 * names a kid it lacks (a key rotation), but never within PS_JWKS_REFETCH_S of the previous fetch: neither a token
 * with an invented kid nor a provider that is down may turn every sign-in into a request. Calls that arrive while a
 * fetch is in flight wait for it; a failed fetch keeps the previous set.
 */
#include "provider_support.h"

#include "common/jose.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct id_wait {
    struct id_wait *next;
    char *id_token, *client_id, *nonce;
    op_identity_done_fn done;
    void *arg;
} id_wait_t;

struct ps_identity {
    ps_identity_spec_t spec; /* strings borrowed from the static spec, but for the two URLs below */
    char *jwks_uri, *userinfo;
    cm_jwk_t **keys;
    size_t n_keys;
    int64_t fetched_at;       /* when keys were fetched; 0 = never */
    int64_t fetch_started_at; /* the last fetch; 0 = never */
    int fetching;
    id_wait_t *waiters;
};

static void wait_free(id_wait_t *w)
{
    ps_secret_free(w->id_token);
    free(w->client_id);
    free(w->nonce);
    free(w);
}

void ps_identity_free(ps_provider_t *p)
{
    struct ps_identity *id = p->identity;
    if (id == NULL)
        return;
    while (id->waiters != NULL) { /* the host completes every call before fini: none should be left */
        id_wait_t *w = id->waiters;
        id->waiters = w->next;
        wait_free(w);
    }
    cm_jwks_free(id->keys, id->n_keys);
    free(id->jwks_uri);
    free(id->userinfo);
    free(id);
    p->identity = NULL;
    p->op.identify = NULL;
}

static int copy_url(char **slot, const char *url)
{
    free(*slot);
    *slot = url != NULL ? strdup(url) : NULL;
    return url == NULL || *slot != NULL ? OP_OK : OP_ENOMEM;
}

int ps_identity_setup(ps_provider_t *p, const ps_identity_spec_t *spec, const char *jwks_uri, const char *userinfo)
{
    ps_identity_free(p);
    jwks_uri = jwks_uri != NULL ? jwks_uri : spec->jwks_uri;
    userinfo = userinfo != NULL ? userinfo : spec->userinfo_endpoint;
    if (jwks_uri == NULL && userinfo == NULL)
        return OP_OK;
    struct ps_identity *id = calloc(1, sizeof(*id));
    if (id == NULL)
        return OP_ENOMEM;
    id->spec = *spec;
    p->identity = id;
    if (copy_url(&id->jwks_uri, jwks_uri) != OP_OK || copy_url(&id->userinfo, userinfo) != OP_OK) {
        ps_identity_free(p);
        return OP_ENOMEM;
    }
    p->op.identify = ps_op_identify;
    return OP_OK;
}

int ps_identity_set_userinfo(ps_provider_t *p, const char *url)
{
    return p->identity != NULL ? copy_url(&p->identity->userinfo, url) : OP_EINVAL;
}

/* ---- delivering ---- */

static void deliver(op_identity_done_fn done, void *arg, const char *subject, const char *issuer, const char *email,
                    const char *name)
{
    op_identity_t who = {
        .struct_size = sizeof(who), .subject = subject, .issuer = issuer, .email = email, .display_name = name};
    done(arg, OP_OK, &who, NULL);
}

/* Logs why the account could not be identified (never a token) and tells done. */
static void refuse(ps_provider_t *p, op_identity_done_fn done, void *arg, int error_class, const char *code,
                   const char *why)
{
    op_error_t err;
    ps_error_set(&err, error_class, code, 0, "%s", why);
    ps_log(p, OP_LOG_WARN, "account not identified: %s (%s)", code, why);
    done(arg, OP_ERR, NULL, &err);
}

/* ---- ID tokens ---- */

static const cm_jwk_t *key_of(const struct ps_identity *id, const char *kid)
{
    for (size_t i = 0; i < id->n_keys; i++)
        if (kid == NULL ? id->n_keys == 1 : strcmp(cm_jwk_kid(id->keys[i]), kid) == 0)
            return id->keys[i];
    return NULL;
}

/* The issuer the token must name (malloc'ed): the template expanded with the token's claim, or the provider's. */
static char *expected_issuer(ps_provider_t *p, const json_t *claims)
{
    const ps_identity_spec_t *s = &p->identity->spec;
    if (s->issuer_template == NULL)
        return p->op.issuer != NULL ? strdup(p->op.issuer) : NULL;
    const char *v = ps_json_str(claims, s->issuer_claim);
    if (v == NULL || v[0] == '\0' || strpbrk(v, "/?#") != NULL)
        return NULL;
    return ps_template_expand(s->issuer_template, s->issuer_var, v);
}

/*
 * Validates an ID token with the keys at hand and tells done. Returns 0 without telling anyone when the token's key
 * is not among them (the caller fetches the keys again or gives up), else 1.
 */
static int check_id_token(ps_provider_t *p, const char *token, const char *client_id, const char *nonce,
                          op_identity_done_fn done, void *arg)
{
    struct ps_identity *id = p->identity;
    cm_jws_parsed_t jws;
    if (cm_jws_parse(token, strlen(token), &jws) != 0) {
        refuse(p, done, arg, OP_ERRCLASS_REQUEST, "invalid_id_token", "the ID token is not a JWS");
        return 1;
    }
    const cm_jwk_t *k = key_of(id, jws.kid);
    if (k == NULL) {
        cm_jws_parsed_free(&jws);
        return 0;
    }
    unsigned algs = id->spec.algs != 0 ? id->spec.algs : (unsigned)(CM_JOSE_ES256 | CM_JOSE_RS256);
    char *iss = NULL;
    const char *why = NULL;
    cm_jwt_fail_t f = CM_JWT_OK;
    if (cm_jws_verify(&jws, k, algs) != 0) {
        why = "bad signature or algorithm";
    } else {
        iss = expected_issuer(p, jws.payload);
        const char *got = ps_json_str(jws.payload, "iss");
        int alt = id->spec.alt_issuer != NULL && got != NULL && strcmp(got, id->spec.alt_issuer) == 0;
        cm_jwt_expect_t e = {.iss = alt           ? NULL
                                    : iss != NULL ? iss
                                                  : "",
                             .aud = client_id,
                             .now = p->host->now(),
                             .leeway_s = PS_ID_TOKEN_LEEWAY_S,
                             .require_exp = 1};
        f = cm_jwt_check_claims(&jws, &e);
        const char *tn = ps_json_str(jws.payload, "nonce");
        if (f != CM_JWT_OK)
            why = cm_jwt_fail_str(f);
        else if (nonce != NULL && (tn == NULL || strcmp(tn, nonce) != 0))
            why = "nonce mismatch";
        else if (ps_json_str(jws.payload, "sub") == NULL || ps_json_str(jws.payload, "sub")[0] == '\0')
            why = "no subject";
    }
    if (why != NULL)
        refuse(p, done, arg, OP_ERRCLASS_REQUEST, "invalid_id_token", why);
    else
        deliver(done, arg, ps_json_str(jws.payload, "sub"), ps_json_str(jws.payload, "iss"),
                ps_json_str(jws.payload, "email"), ps_json_str(jws.payload, "name"));
    free(iss);
    cm_jws_parsed_free(&jws);
    return 1;
}

/* Replaces the key set with the one in res; keeps the old one when res is no usable JWK Set. */
static const char *take_keys(ps_provider_t *p, const op_http_response_t *res)
{
    struct ps_identity *id = p->identity;
    if (res->status < 200 || res->status > 299)
        return res->status == 0 ? "the key set could not be fetched" : "the key set answered an HTTP error";
    if (res->body_len > PS_MAX_JWKS)
        return "the key set is too large";
    json_t *doc = ps_json_loadb(res->body, res->body_len);
    cm_jwk_t **keys = NULL;
    size_t n = 0;
    int rc = cm_jwks_parse(doc, &keys, &n);
    json_decref(doc);
    if (rc != 0)
        return "the answer is not a JWK Set";
    cm_jwks_free(id->keys, id->n_keys);
    id->keys = keys;
    id->n_keys = n;
    id->fetched_at = p->host->now();
    return NULL;
}

static void on_jwks(ps_provider_t *p, void *ctx, const op_http_response_t *res)
{
    struct ps_identity *id = p->identity;
    const char *failed = take_keys(p, res);
    if (failed != NULL)
        ps_log(p, OP_LOG_WARN, "JWK Set %s: %s (HTTP %d)", id->jwks_uri, failed, res->status);
    id->fetching = 0;
    id_wait_t *w = id->waiters;
    id->waiters = NULL;
    while (w != NULL) {
        id_wait_t *next = w->next;
        if (!check_id_token(p, w->id_token, w->client_id, w->nonce, w->done, w->arg))
            refuse(p, w->done, w->arg, failed != NULL ? OP_ERRCLASS_TRANSIENT : OP_ERRCLASS_REQUEST,
                   failed != NULL ? "jwks_unavailable" : "unknown_kid",
                   failed != NULL ? failed : "the ID token names a key the provider does not publish");
        wait_free(w);
        w = next;
    }
}

static int start_fetch(ps_provider_t *p)
{
    struct ps_identity *id = p->identity;
    ps_request_t r;
    int rc = ps_request_init(&r, "GET", id->jwks_uri);
    if (rc != OP_OK)
        return rc;
    if ((rc = ps_request_header(&r, "Accept", "application/json")) != OP_OK) {
        ps_request_free(&r);
        return rc;
    }
    r.timeout_ms = PS_IDENTITY_TIMEOUT_MS;
    id->fetch_started_at = p->host->now();
    rc = ps_request_send(p, &r, on_jwks, NULL);
    id->fetching = rc == OP_AGAIN;
    return rc;
}

static int identify_by_id_token(ps_provider_t *p, const op_client_t *c, const char *token, const char *nonce,
                                op_identity_done_fn done, void *arg)
{
    struct ps_identity *id = p->identity;
    int64_t now = p->host->now();
    /* no fetch within PS_JWKS_REFETCH_S of the last one, whatever became of it: neither an invented kid nor a
     * provider that is down makes every sign-in a request */
    int recent = id->fetch_started_at != 0 && now - id->fetch_started_at < PS_JWKS_REFETCH_S;
    int fresh = id->fetched_at != 0 && now - id->fetched_at < PS_JWKS_TTL_S;
    if (!id->fetching && (fresh || recent)) {
        if (check_id_token(p, token, c->client_id, nonce, done, arg))
            return OP_OK;
        if (recent) {
            if (id->n_keys > 0)
                refuse(p, done, arg, OP_ERRCLASS_REQUEST, "unknown_kid",
                       "the ID token names an unknown key, and the key set was fetched moments ago");
            else
                refuse(p, done, arg, OP_ERRCLASS_TRANSIENT, "jwks_unavailable",
                       "the key set could not be fetched moments ago");
            return OP_OK;
        }
    }
    id_wait_t *w = calloc(1, sizeof(*w));
    if (w == NULL)
        return OP_ENOMEM;
    w->id_token = strdup(token);
    w->client_id = strdup(c->client_id);
    w->nonce = nonce != NULL ? strdup(nonce) : NULL;
    w->done = done;
    w->arg = arg;
    if (w->id_token == NULL || w->client_id == NULL || (nonce != NULL && w->nonce == NULL)) {
        wait_free(w);
        return OP_ENOMEM;
    }
    if (!id->fetching) {
        int rc = start_fetch(p);
        if (rc != OP_AGAIN) {
            wait_free(w);
            return rc;
        }
    }
    w->next = id->waiters;
    id->waiters = w;
    return OP_AGAIN;
}

/* ---- user-info ---- */

struct userinfo_call {
    op_identity_done_fn done;
    void *arg;
};

/* A member naming the account: a string, or an integer (GitHub's numeric id) in decimal, into buf. */
static const char *member_text(const json_t *doc, const char *name, char *buf, size_t bufsz)
{
    const json_t *v = json_object_get(doc, name);
    if (json_is_integer(v)) {
        snprintf(buf, bufsz, "%lld", (long long)json_integer_value(v));
        return buf;
    }
    const char *s = ps_json_str(doc, name);
    return s != NULL && s[0] != '\0' ? s : NULL;
}

static void on_userinfo(ps_provider_t *p, void *ctx, const op_http_response_t *res)
{
    struct userinfo_call *u = ctx;
    const ps_identity_spec_t *s = &p->identity->spec;
    json_t *doc = res->status != 0 ? ps_decode_body(res->body, res->body_len) : NULL;
    op_error_t err;
    char sub_buf[32], scope_buf[32], joined[512];
    const char *sub = NULL, *scope = NULL;
    if (ps_classify_response(p->errmap, res, doc, &err)) {
        refuse(p, u->done, u->arg, err.error_class, err.code, err.description);
    } else if (!json_is_object(doc) || (s->require_ok && !json_is_true(json_object_get(doc, "ok")))) {
        refuse(p, u->done, u->arg, OP_ERRCLASS_TRANSIENT, "bad_response", "the user-info answer is not usable");
    } else if ((sub = member_text(doc, s->subject_field != NULL ? s->subject_field : "sub", sub_buf,
                                  sizeof(sub_buf))) == NULL ||
               (s->subject_scope != NULL &&
                (scope = member_text(doc, s->subject_scope, scope_buf, sizeof(scope_buf))) == NULL)) {
        refuse(p, u->done, u->arg, OP_ERRCLASS_TRANSIENT, "bad_response", "the user-info answer names no account");
    } else if (scope != NULL && (size_t)snprintf(joined, sizeof(joined), "%s:%s", scope, sub) >= sizeof(joined)) {
        refuse(p, u->done, u->arg, OP_ERRCLASS_TRANSIENT, "bad_response", "the account name is too long");
    } else {
        deliver(u->done, u->arg, scope != NULL ? joined : sub, p->op.issuer,
                ps_json_str(doc, s->email_field != NULL ? s->email_field : "email"),
                ps_json_str(doc, s->name_field != NULL ? s->name_field : "name"));
    }
    json_decref(doc);
    free(u);
}

static int identify_by_userinfo(ps_provider_t *p, const char *access_token, op_identity_done_fn done, void *arg)
{
    ps_request_t r;
    struct userinfo_call *u = calloc(1, sizeof(*u));
    char *bearer = ps_concat("Bearer ", access_token, NULL);
    int rc = OP_ENOMEM;
    if (u == NULL || bearer == NULL)
        goto out_free;
    if ((rc = ps_request_init(&r, "GET", p->identity->userinfo)) != OP_OK)
        goto out_free;
    if ((rc = ps_request_header(&r, "Authorization", bearer)) != OP_OK ||
        (rc = ps_request_header(&r, "Accept", "application/json")) != OP_OK) {
        ps_request_free(&r);
        goto out_free;
    }
    u->done = done;
    u->arg = arg;
    r.timeout_ms = PS_IDENTITY_TIMEOUT_MS;
    rc = ps_request_send(p, &r, on_userinfo, u);
    if (rc == OP_AGAIN)
        u = NULL;
out_free:
    free(u);
    ps_secret_free(bearer);
    return rc;
}

int ps_op_identify(void *data, const op_client_t *client, const op_token_set_t *tokens, const char *nonce,
                   op_identity_done_fn done, void *arg)
{
    ps_provider_t *p = data;
    struct ps_identity *id = p->identity;
    if (id == NULL || done == NULL || tokens == NULL || tokens->struct_size < OP_TOKEN_SET_V2_SIZE)
        return OP_EINVAL;
    if (tokens->id_token != NULL && id->jwks_uri != NULL && (p->op.capabilities & OP_CAP_OIDC)) {
        if (client == NULL || client->client_id == NULL || client->client_id[0] == '\0')
            return OP_EINVAL;
        return identify_by_id_token(p, client, tokens->id_token, nonce, done, arg);
    }
    if (id->userinfo != NULL && tokens->access_token != NULL && tokens->access_token[0] != '\0')
        return identify_by_userinfo(p, tokens->access_token, done, arg);
    return OP_EUNSUPPORTED;
}
