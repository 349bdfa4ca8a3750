/*
 * ps_spec.c - a provider's lifecycle: built from a declarative spec (or bare, for tests), configured from
 * the plugin's configuration section, registered, freed; and the init/fini every single-provider plugin
 * shares.
 */
#include "provider_support.h"

#include "common/url.h"

#include <stdlib.h>
#include <string.h>

static int add_fixed(ps_params_t *to, const op_kv_t *kv)
{
    for (; kv != NULL && kv->name != NULL; kv++)
        ps_params_add(to, kv->name, kv->value);
    return to->failed ? OP_ENOMEM : OP_OK;
}

ps_provider_t *ps_provider_create(const op_host_api_t *host, const ps_spec_t *spec)
{
    ps_provider_t *p = ps_provider_new(host, spec->name, spec->display_name, spec->default_scopes, spec->capabilities);
    if (p == NULL)
        return NULL;
    p->hooks = spec->hooks;
    p->op.issuer = spec->issuer;
    if (spec->client_auth != PS_AUTH_DEFAULT)
        p->client_auth = spec->client_auth;
    if (spec->revoke_auth != PS_AUTH_DEFAULT)
        p->revoke_auth = spec->revoke_auth;
    p->revoke_send_hint = spec->revoke_send_hint;
    if (spec->scope_separator != '\0')
        p->scope_separator = spec->scope_separator;
    if (spec->response_scope_separator != '\0')
        p->response_scope_separator = spec->response_scope_separator;
    if (spec->scope_param != NULL)
        p->scope_param = spec->scope_param;
    p->default_expires_in = spec->default_expires_in;
    p->errmap = spec->errors;
    if (spec->hooks != NULL && spec->hooks->revoke != NULL)
        p->op.revoke = spec->hooks->revoke;
    else if (spec->endpoints.revoke == NULL)
        p->op.revoke = NULL;
    if (ps_provider_set_endpoints(p, spec->endpoints.authorize, spec->endpoints.token, spec->endpoints.revoke) !=
            OP_OK ||
        add_fixed(&p->authorize_extra, spec->authorize_params) != OP_OK ||
        add_fixed(&p->token_extra, spec->token_params) != OP_OK) {
        ps_provider_free(p);
        return NULL;
    }
    return p;
}

/* ---- the plugin of one spec ---- */

/* An endpoint member of the configuration (or the spec's default) into *out (malloc'ed, NULL when neither). */
static int config_endpoint(const ps_spec_t *spec, const op_host_api_t *host, const json_t *cfg, const char *key,
                           const char *def, char **out)
{
    if (spec->endpoint_template.var == NULL)
        return ps_config_url(host, spec->name, cfg, key, def, out);
    const char *tmpl = NULL;
    *out = NULL;
    if (ps_config_str(host, spec->name, cfg, key, def, &tmpl) != OP_OK)
        return OP_EINVAL;
    if (tmpl == NULL)
        return OP_OK;
    char *probe = ps_template_expand(tmpl, spec->endpoint_template.var, spec->endpoint_template.sample);
    if (probe == NULL)
        return OP_ENOMEM;
    int ok = cm_url_is_http(probe);
    free(probe);
    if (!ok) {
        host->log(host->host_ctx, OP_LOG_ERROR, spec->name, "\"%s\" must be an absolute http(s) URL", key);
        return OP_EINVAL;
    }
    *out = strdup(tmpl);
    return *out != NULL ? OP_OK : OP_ENOMEM;
}

/* The configuration members a spec accepts: the standard ones it has, then its own. */
static int check_keys(const ps_spec_t *spec, const op_host_api_t *host, const json_t *cfg)
{
    const char *allowed[24];
    size_t n = 0;
    allowed[n++] = "authorization_endpoint";
    allowed[n++] = "token_endpoint";
    if (spec->endpoints.revoke != NULL)
        allowed[n++] = "revocation_endpoint";
    allowed[n++] = "default_scopes";
    if (spec->identity.jwks_uri != NULL)
        allowed[n++] = "jwks_uri";
    if (spec->identity.userinfo_endpoint != NULL)
        allowed[n++] = "userinfo_endpoint";
    const char *const *own = spec->hooks != NULL ? spec->hooks->config_keys : NULL;
    for (size_t i = 0; own != NULL && own[i] != NULL && n + 1 < 24; i++)
        allowed[n++] = own[i];
    allowed[n] = NULL;
    return ps_config_check_keys(host, spec->name, cfg, allowed);
}

static void release(ps_provider_t *p)
{
    if (p != NULL && p->hooks != NULL && p->hooks->release != NULL)
        p->hooks->release(p);
    ps_provider_free(p);
}

int ps_plugin_init(const ps_spec_t *spec, const op_host_api_t *host, const char *config_json, void **state)
{
    int rc = OP_EINVAL;
    char *authorize = NULL, *token = NULL, *revoke = NULL, *jwks = NULL, *userinfo = NULL;
    const char *scopes = NULL;
    ps_provider_t *p = NULL;
    json_t *cfg = ps_config_parse(host, spec->name, config_json);
    if (cfg == NULL)
        return OP_EINVAL;
    if (check_keys(spec, host, cfg) != OP_OK ||
        config_endpoint(spec, host, cfg, "authorization_endpoint", spec->endpoints.authorize, &authorize) != OP_OK ||
        config_endpoint(spec, host, cfg, "token_endpoint", spec->endpoints.token, &token) != OP_OK ||
        config_endpoint(spec, host, cfg, "revocation_endpoint", spec->endpoints.revoke, &revoke) != OP_OK ||
        ps_config_str(host, spec->name, cfg, "default_scopes", spec->default_scopes, &scopes) != OP_OK ||
        ps_config_url(host, spec->name, cfg, "jwks_uri", NULL, &jwks) != OP_OK ||
        ps_config_url(host, spec->name, cfg, "userinfo_endpoint", NULL, &userinfo) != OP_OK)
        goto out_free;
    rc = OP_ENOMEM;
    ps_spec_t configured = *spec;
    configured.default_scopes = scopes;
    if ((p = ps_provider_create(host, &configured)) == NULL ||
        ps_provider_set_endpoints(p, authorize, token, revoke) != OP_OK ||
        ps_identity_setup(p, &spec->identity, jwks, userinfo) != OP_OK)
        goto out_free;
    if (p->hooks != NULL && p->hooks->configure != NULL && (rc = p->hooks->configure(p, cfg)) != OP_OK)
        goto out_free;
    if ((rc = ps_provider_register(p)) != OP_OK)
        goto out_free;
    *state = p;
    p = NULL;
out_free:
    release(p);
    free(authorize);
    free(token);
    free(revoke);
    free(jwks);
    free(userinfo);
    json_decref(cfg);
    return rc;
}

void ps_plugin_fini(void *state)
{
    release(state);
}
