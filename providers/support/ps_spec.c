/*
 * ps_spec.c - a provider's lifecycle: built from a declarative spec (or bare, for tests), configured from
 * the plugin's configuration section, registered, freed; and the init/fini every single-provider plugin
 * shares.
 */
#include "provider_support.h"

#include "common/url.h"

#include <stdlib.h>
#include <string.h>

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
    free(p->name);
    free(p->display_name);
    free(p->default_scopes);
    free(p->authorization_endpoint);
    free(p->token_endpoint);
    free(p->revocation_endpoint);
    ps_params_free(&p->authorize_extra);
    ps_params_free(&p->token_extra);
    free(p);
}

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
    else if (spec->revocation_endpoint == NULL)
        p->op.revoke = NULL;
    if (ps_provider_set_endpoints(p, spec->authorization_endpoint, spec->token_endpoint,
                                  spec->revocation_endpoint) != OP_OK ||
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
    if (spec->template_var == NULL)
        return ps_config_url(host, spec->name, cfg, key, def, out);
    const char *tmpl = NULL;
    *out = NULL;
    if (ps_config_str(host, spec->name, cfg, key, def, &tmpl) != OP_OK)
        return OP_EINVAL;
    if (tmpl == NULL)
        return OP_OK;
    char *probe = ps_template_expand(tmpl, spec->template_var, spec->template_sample);
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
    if (spec->revocation_endpoint != NULL)
        allowed[n++] = "revocation_endpoint";
    allowed[n++] = "default_scopes";
    for (size_t i = 0; spec->config_keys != NULL && spec->config_keys[i] != NULL && n + 1 < 24; i++)
        allowed[n++] = spec->config_keys[i];
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
    char *authorize = NULL, *token = NULL, *revoke = NULL;
    const char *scopes = NULL;
    ps_provider_t *p = NULL;
    json_t *cfg = ps_config_parse(host, spec->name, config_json);
    if (cfg == NULL)
        return OP_EINVAL;
    if (check_keys(spec, host, cfg) != OP_OK ||
        config_endpoint(spec, host, cfg, "authorization_endpoint", spec->authorization_endpoint, &authorize) !=
            OP_OK ||
        config_endpoint(spec, host, cfg, "token_endpoint", spec->token_endpoint, &token) != OP_OK ||
        config_endpoint(spec, host, cfg, "revocation_endpoint", spec->revocation_endpoint, &revoke) != OP_OK ||
        ps_config_str(host, spec->name, cfg, "default_scopes", spec->default_scopes, &scopes) != OP_OK)
        goto out_free;
    rc = OP_ENOMEM;
    ps_spec_t configured = *spec;
    configured.default_scopes = scopes;
    if ((p = ps_provider_create(host, &configured)) == NULL ||
        ps_provider_set_endpoints(p, authorize, token, revoke) != OP_OK)
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
    json_decref(cfg);
    return rc;
}

void ps_plugin_fini(void *state)
{
    release(state);
}
