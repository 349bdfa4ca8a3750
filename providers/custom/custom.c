/*
 * custom.c - the custom plugin: configuration and registration (see custom.h for the format and
 * the OIDC discovery design).
 */
#include "custom.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct cu_state {
    ps_provider_t **providers;
    size_t n;
} cu_state_t;

static const char *const entry_keys[] = {
    "name",
    "display_name",
    "authorization_endpoint",
    "token_endpoint",
    "revocation_endpoint",
    "issuer",
    "client_auth",
    "pkce",
    "scope_separator",
    "default_scopes",
    "default_expires_in",
    "extra_authorize_params",
    "extra_token_params",
    "capabilities",
    "discovery_retry_s",
    "authorization_response_iss_parameter_supported",
    "jwks_uri",
    "userinfo_endpoint",
    "subject_field",
    NULL,
};

static const char *const reserved_authorize[] = {
    "response_type", "client_id", "redirect_uri", "state", "scope", "code_challenge", "code_challenge_method",
    "nonce",         NULL};
static const char *const reserved_token[] = {"grant_type",    "code",      "redirect_uri",  "code_verifier",
                                             "refresh_token", "client_id", "client_secret", NULL};

static void provider_free(ps_provider_t *p)
{
    if (p == NULL)
        return;
    cu_data_t *d = p->ext;
    if (d != NULL) {
        cu_discovery_drop(p);
        free(d->issuer);
        free(d->configured_revoke);
        free(d->configured_jwks);
        free(d->configured_userinfo);
        free(d->subject_field);
        free(d);
    }
    ps_provider_free(p);
}

static void custom_fini(void *state)
{
    cu_state_t *s = state;
    if (s == NULL)
        return;
    for (size_t i = 0; i < s->n; i++)
        provider_free(s->providers[i]);
    free(s->providers);
    free(s);
}

static int name_ok(const char *name)
{
    size_t n = name != NULL ? strlen(name) : 0;
    if (n == 0 || n > 63)
        return 0;
    return strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789_-") == n;
}

/* Logs one configuration problem with the entry's name (or index) and fails. */
#define BAD(h, who, ...)                                                                                               \
    do {                                                                                                               \
        (h)->log((h)->host_ctx, OP_LOG_ERROR, (who), __VA_ARGS__);                                                     \
        goto out_bad;                                                                                                  \
    } while (0)

static int extras_ok(const op_host_api_t *h, const char *who, const json_t *obj, const char *key,
                     const char *const *reserved)
{
    const json_t *v = json_object_get(obj, key);
    const char *name;
    json_t *m;
    if (v == NULL)
        return 1;
    if (!json_is_object(v)) {
        h->log(h->host_ctx, OP_LOG_ERROR, who, "\"%s\" must be an object of strings", key);
        return 0;
    }
    json_object_foreach((json_t *)v, name, m)
    {
        if (!json_is_string(m)) {
            h->log(h->host_ctx, OP_LOG_ERROR, who, "\"%s.%s\" must be a string", key, name);
            return 0;
        }
        for (size_t i = 0; reserved[i] != NULL; i++) {
            if (strcmp(reserved[i], name) == 0) {
                h->log(h->host_ctx, OP_LOG_ERROR, who, "\"%s\" may not set \"%s\"", key, name);
                return 0;
            }
        }
    }
    return 1;
}

/* Capabilities from a ["refresh","revoke","pkce","oidc"] array; -1 (logged) when invalid. */
static long caps_of(const op_host_api_t *h, const char *who, const json_t *v)
{
    static const struct {
        const char *name;
        uint32_t bit;
    } names[] = {{"refresh", OP_CAP_REFRESH}, {"revoke", OP_CAP_REVOKE}, {"pkce", OP_CAP_PKCE}, {"oidc", OP_CAP_OIDC}};
    uint32_t caps = 0;
    size_t i;
    json_t *item;
    if (!json_is_array(v))
        goto out_bad;
    json_array_foreach(v, i, item)
    {
        size_t k = 0;
        const char *s = json_string_value(item);
        while (s != NULL && k < sizeof(names) / sizeof(names[0]) && strcmp(names[k].name, s) != 0)
            k++;
        if (s == NULL || k == sizeof(names) / sizeof(names[0]))
            goto out_bad;
        caps |= names[k].bit;
    }
    return (long)caps;
out_bad:
    h->log(h->host_ctx, OP_LOG_ERROR, who, "\"capabilities\" must be an array of refresh, revoke, pkce, oidc");
    return -1;
}

static int64_t nonneg_int(const json_t *obj, const char *key, int64_t def, int *ok)
{
    const json_t *v = json_object_get(obj, key);
    if (v == NULL)
        return def;
    if (!json_is_integer(v) || json_integer_value(v) < 0) {
        *ok = 0;
        return def;
    }
    return (int64_t)json_integer_value(v);
}

/* Builds one provider from a configuration entry. NULL (logged) when the entry is invalid. */
static ps_provider_t *provider_from_config(const op_host_api_t *h, const json_t *e, size_t index)
{
    char who[96];
    ps_provider_t *p = NULL;
    char *authorize = NULL, *token = NULL, *revoke = NULL, *issuer = NULL, *jwks = NULL, *userinfo = NULL;
    const char *display = NULL, *scopes = NULL, *auth = NULL, *sep = NULL, *subject = NULL;
    const char *name = ps_json_str(e, "name");
    snprintf(who, sizeof(who), "custom/%s", name != NULL ? name : "?");
    if (!json_is_object(e))
        BAD(h, "custom", "providers[%zu] must be an object", index);
    if (!name_ok(name))
        BAD(h, "custom", "providers[%zu]: \"name\" is required and must match [a-z0-9_-]{1,63}", index);
    if (ps_config_check_keys(h, who, e, entry_keys) != OP_OK ||
        ps_config_url(h, who, e, "authorization_endpoint", NULL, &authorize) != OP_OK ||
        ps_config_url(h, who, e, "token_endpoint", NULL, &token) != OP_OK ||
        ps_config_url(h, who, e, "revocation_endpoint", NULL, &revoke) != OP_OK ||
        ps_config_url(h, who, e, "issuer", NULL, &issuer) != OP_OK ||
        ps_config_str(h, who, e, "display_name", name, &display) != OP_OK ||
        ps_config_str(h, who, e, "default_scopes", "", &scopes) != OP_OK ||
        ps_config_str(h, who, e, "client_auth", "basic", &auth) != OP_OK ||
        ps_config_str(h, who, e, "scope_separator", " ", &sep) != OP_OK ||
        ps_config_url(h, who, e, "jwks_uri", NULL, &jwks) != OP_OK ||
        ps_config_url(h, who, e, "userinfo_endpoint", NULL, &userinfo) != OP_OK ||
        ps_config_str(h, who, e, "subject_field", "sub", &subject) != OP_OK)
        goto out_bad;
    if ((authorize == NULL || token == NULL) && issuer == NULL)
        BAD(h, who, "\"authorization_endpoint\" and \"token_endpoint\" are required without \"issuer\"");
    int auth_mode = strcmp(auth, "basic") == 0  ? PS_AUTH_BASIC
                    : strcmp(auth, "post") == 0 ? PS_AUTH_POST
                    : strcmp(auth, "none") == 0 ? PS_AUTH_NONE
                                                : -1;
    if (auth_mode < 0)
        BAD(h, who, "\"client_auth\" must be \"basic\", \"post\" or \"none\"");
    if (strcmp(sep, " ") != 0 && strcmp(sep, ",") != 0)
        BAD(h, who, "\"scope_separator\" must be \" \" or \",\"");
    const json_t *pkce_v = json_object_get(e, "pkce");
    if (pkce_v != NULL && !json_is_boolean(pkce_v))
        BAD(h, who, "\"pkce\" must be true or false");
    const json_t *iss_v = json_object_get(e, "authorization_response_iss_parameter_supported");
    if (iss_v != NULL && !json_is_boolean(iss_v))
        BAD(h, who, "\"authorization_response_iss_parameter_supported\" must be true or false");
    if (json_is_true(iss_v) && issuer == NULL)
        BAD(h, who, "\"authorization_response_iss_parameter_supported\" needs \"issuer\"");
    int ints_ok = 1;
    int64_t default_expires = nonneg_int(e, "default_expires_in", 0, &ints_ok);
    int64_t retry_s = nonneg_int(e, "discovery_retry_s", 30, &ints_ok);
    if (!ints_ok)
        BAD(h, who, "\"default_expires_in\" and \"discovery_retry_s\" must be non-negative integers");
    if (!extras_ok(h, who, e, "extra_authorize_params", reserved_authorize) ||
        !extras_ok(h, who, e, "extra_token_params", reserved_token))
        goto out_bad;
    int pkce = pkce_v == NULL || json_is_true(pkce_v);
    uint32_t caps = OP_CAP_REFRESH | (pkce ? OP_CAP_PKCE : 0) | (revoke != NULL ? OP_CAP_REVOKE : 0) |
                    (issuer != NULL ? OP_CAP_OIDC : 0) | (auth_mode == PS_AUTH_NONE ? OP_CAP_PUBLIC_CLIENT : 0);
    const json_t *caps_v = json_object_get(e, "capabilities");
    if (caps_v != NULL) {
        long c = caps_of(h, who, caps_v);
        if (c < 0)
            goto out_bad;
        if (pkce_v != NULL && !!(c & OP_CAP_PKCE) != pkce)
            BAD(h, who, "\"pkce\" contradicts \"capabilities\"");
        if ((c & OP_CAP_REVOKE) && revoke == NULL && issuer == NULL)
            BAD(h, who, "capability \"revoke\" needs \"revocation_endpoint\"");
        caps = (uint32_t)c | (auth_mode == PS_AUTH_NONE ? OP_CAP_PUBLIC_CLIENT : 0);
    }

    const ps_spec_t spec = {
        .name = name,
        .display_name = display,
        .capabilities = caps,
        .endpoints = {authorize, token, revoke},
        .default_scopes = scopes,
        .scope_separator = sep[0],
        .response_scope_separator = sep[0],
        .client_auth = auth_mode,
        .revoke_auth = PS_AUTH_AS_TOKEN,
        .revoke_send_hint = 1,
        .default_expires_in = default_expires,
    };
    cu_data_t *d = NULL;
    if ((p = ps_provider_create(h, &spec)) == NULL || (d = calloc(1, sizeof(*d))) == NULL)
        goto out_nomem;
    p->ext = d;
    if (ps_params_from_json(&p->authorize_extra, json_object_get(e, "extra_authorize_params")) != OP_OK ||
        ps_params_from_json(&p->token_extra, json_object_get(e, "extra_token_params")) != OP_OK)
        goto out_nomem;
    d->issuer = issuer;
    issuer = NULL;
    p->op.issuer = d->issuer;
    p->op.authorization_response_iss = json_is_true(iss_v);
    d->iss_param_set = iss_v != NULL;
    d->retry_s = retry_s;
    d->pkce_set = pkce_v != NULL || caps_v != NULL;
    d->caps_set = caps_v != NULL;
    d->client_auth_set = json_object_get(e, "client_auth") != NULL;
    d->discovery = d->issuer != NULL && (authorize == NULL || token == NULL) ? CU_PENDING : CU_STATIC;
    if (revoke != NULL && (d->configured_revoke = strdup(revoke)) == NULL)
        goto out_nomem;
    d->configured_jwks = jwks;
    d->configured_userinfo = userinfo;
    jwks = userinfo = NULL;
    if ((d->subject_field = strdup(subject)) == NULL || cu_identity_setup(p, NULL, NULL) != OP_OK)
        goto out_nomem;
    if (d->discovery != CU_STATIC)
        cu_discovery_install(p);
    goto out_free;

out_nomem:
    h->log(h->host_ctx, OP_LOG_ERROR, who, "out of memory");
out_bad:
    provider_free(p);
    p = NULL;
out_free:
    free(authorize);
    free(token);
    free(revoke);
    free(issuer);
    free(jwks);
    free(userinfo);
    return p;
}

static int custom_init(const op_host_api_t *h, const char *config_json, void **state)
{
    int rc = OP_EINVAL;
    cu_state_t *s = NULL;
    json_t *cfg = ps_config_parse(h, "custom", config_json);
    if (cfg == NULL)
        return OP_EINVAL;
    static const char *const top_keys[] = {"providers", NULL};
    const json_t *list = json_object_get(cfg, "providers");
    if (ps_config_check_keys(h, "custom", cfg, top_keys) != OP_OK)
        goto out_free;
    if (list == NULL || (json_is_array(list) && json_array_size(list) == 0)) {
        h->log(h->host_ctx, OP_LOG_INFO, "custom", "no providers configured");
        rc = OP_EUNSUPPORTED;
        goto out_free;
    }
    if (!json_is_array(list)) {
        h->log(h->host_ctx, OP_LOG_ERROR, "custom", "\"providers\" must be an array");
        goto out_free;
    }
    rc = OP_ENOMEM;
    if ((s = calloc(1, sizeof(*s))) == NULL ||
        (s->providers = calloc(json_array_size(list), sizeof(*s->providers))) == NULL)
        goto out_free;
    /* Validate every entry before registering anything. */
    rc = OP_EINVAL;
    for (size_t i = 0; i < json_array_size(list); i++) {
        ps_provider_t *p = provider_from_config(h, json_array_get(list, i), i);
        if (p == NULL)
            goto out_free;
        s->providers[s->n++] = p;
        for (size_t k = 0; k + 1 < s->n; k++) {
            if (strcmp(s->providers[k]->name, p->name) == 0) {
                h->log(h->host_ctx, OP_LOG_ERROR, "custom", "provider name \"%s\" is configured twice", p->name);
                goto out_free;
            }
        }
    }
    for (size_t i = 0; i < s->n; i++)
        if ((rc = ps_provider_register(s->providers[i])) != OP_OK)
            goto out_free;
    /* Only now (nothing can fail any more) start the discoveries. */
    for (size_t i = 0; i < s->n; i++) {
        cu_data_t *d = s->providers[i]->ext;
        if (d->discovery == CU_PENDING)
            cu_discovery_start(s->providers[i]);
    }
    *state = s;
    s = NULL;
    rc = OP_OK;
out_free:
    custom_fini(s);
    json_decref(cfg);
    return rc;
}

PS_EXPORT const op_plugin_t oauth_provider_plugin = {
    OP_PLUGIN_HEADER("custom", "1.0.0"),
    .init = custom_init,
    .fini = custom_fini,
};
