/*
 * microsoft.c - Microsoft identity platform (Entra ID, v2.0 endpoints).
 *
 * Endpoints are templates with a {tenant} segment:
 *   https://login.microsoftonline.com/{tenant}/oauth2/v2.0/authorize and .../token
 * The tenant comes from the instance options {"tenant": "..."}, else the plugin configuration's
 * "default_tenant", else "common". Accepted: common, organizations, consumers, a GUID, or a domain
 * name (contoso.onmicrosoft.com); anything else is refused with OP_EINVAL and error
 * "invalid_tenant" (it lands in a URL path, and single-tenant apps need their real tenant).
 *
 * Authorize adds response_mode=query and always requests offline_access (no refresh token
 * otherwise); PKCE S256; client_secret_post at the token endpoint.
 * No revocation endpoint: revoke is NULL and OP_CAP_REVOKE is absent, the broker purges locally.
 *
 * Account identification: the ID token against the keys of the common endpoint, its iss being the
 * issuer of the account's own tenant (https://login.microsoftonline.com/{tid}/v2.0); without an ID
 * token the OIDC user-info endpoint's "sub".
 *
 * Configuration (all optional): {"authorization_endpoint": template, "token_endpoint": template,
 * "default_tenant": "common", "jwks_uri": url, "userinfo_endpoint": url, "default_scopes":
 * "offline_access User.Read"}. A template without {tenant} is used as is.
 */
#include "provider_support.h"

#include <stdlib.h>
#include <string.h>

static const char *const ms_config_keys[] = {"default_tenant", NULL};

/* A DNS name of two or more labels: [A-Za-z0-9-], labels 1..63 without edge hyphens, alphabetic TLD. */
static int domain_ok(const char *s)
{
    size_t len = strlen(s), labels = 0;
    if (len == 0 || len > 253)
        return 0;
    const char *label = s, *last = s;
    for (const char *q = s;; q++) {
        if (*q == '.' || *q == '\0') {
            size_t n = (size_t)(q - label);
            if (n == 0 || n > 63 || label[0] == '-' || q[-1] == '-')
                return 0;
            labels++;
            last = label;
            if (*q == '\0')
                break;
            label = q + 1;
            continue;
        }
        unsigned char ch = (unsigned char)*q;
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '-'))
            return 0;
    }
    for (const char *q = last; *q != '\0'; q++)
        if (!((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z')))
            return 0;
    return labels >= 2;
}

static int tenant_ok(const char *t)
{
    return t != NULL && (strcmp(t, "common") == 0 || strcmp(t, "organizations") == 0 || strcmp(t, "consumers") == 0 ||
                         ps_uuid_valid(t) || domain_ok(t));
}

/* The instance's tenant (borrowed from opts or the plugin data), or NULL + *err. */
static const char *client_tenant(ps_provider_t *p, const json_t *opts, op_error_t *err)
{
    const json_t *v = json_object_get(opts, "tenant");
    const char *t = p->option; /* the configured default tenant */
    if (v != NULL && !json_is_null(v))
        t = json_string_value(v);
    if (!tenant_ok(t)) {
        ps_error_set(err, OP_ERRCLASS_REQUEST, "invalid_tenant", 0,
                     "tenant must be common, organizations, consumers, a GUID or a verified domain name");
        return NULL;
    }
    return t;
}

static int ms_endpoint(ps_provider_t *p, const op_client_t *c, int which, char **out, op_error_t *err)
{
    const char *tmpl = which == PS_EP_AUTHORIZE ? p->authorization_endpoint
                       : which == PS_EP_TOKEN   ? p->token_endpoint
                                                : NULL;
    if (tmpl == NULL) {
        ps_error_set(err, OP_ERRCLASS_REQUEST, "unsupported", 0, "Microsoft has no revocation endpoint");
        return OP_EUNSUPPORTED;
    }
    json_t *opts = ps_client_options(c, err);
    if (opts == NULL)
        return OP_EINVAL;
    int rc = OP_EINVAL;
    const char *tenant = client_tenant(p, opts, err);
    if (tenant != NULL) {
        *out = ps_template_expand(tmpl, "{tenant}", tenant);
        rc = *out != NULL ? OP_OK : OP_ENOMEM;
    }
    json_decref(opts);
    return rc;
}

static int ms_authorize_hook(ps_provider_t *p, const op_client_t *c, const op_authorize_params_t *ap, ps_params_t *q,
                             op_error_t *err)
{
    const char *scope = ps_params_get(q, "scope");
    if (scope != NULL && ps_scopes_has(scope, "offline_access"))
        return OP_OK;
    int has = scope != NULL && scope[0] != '\0';
    char *s = ps_concat("offline_access", has ? " " : "", has ? scope : "", NULL);
    int rc = s != NULL ? ps_params_set(q, "scope", s) : OP_ENOMEM;
    free(s);
    return rc;
}

/* The plugin configuration's "default_tenant" (the endpoints were read by ps_plugin_init). */
static int ms_configure(ps_provider_t *p, const json_t *cfg)
{
    const char *tenant = NULL;
    if (ps_config_str(p->host, "microsoft", cfg, "default_tenant", "common", &tenant) != OP_OK)
        return OP_EINVAL;
    if (!tenant_ok(tenant)) {
        ps_log(p, OP_LOG_ERROR, "\"default_tenant\" must be common, organizations, consumers, a GUID or a domain name");
        return OP_EINVAL;
    }
    return (p->option = strdup(tenant)) != NULL ? OP_OK : OP_ENOMEM;
}

static const ps_hooks_t ms_hooks = {
    .config_keys = ms_config_keys,
    .configure = ms_configure,
    .endpoint = ms_endpoint,
    .authorize = ms_authorize_hook,
};

static const op_kv_t ms_authorize_params[] = {{"response_mode", "query"}, {NULL, NULL}};

static const ps_spec_t ms_spec = {
    .name = "microsoft",
    .display_name = "Microsoft",
    .capabilities = OP_CAP_REFRESH | OP_CAP_PKCE | OP_CAP_OIDC,
    .endpoints = {"https://login.microsoftonline.com/{tenant}/oauth2/v2.0/authorize",
                  "https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token"},
    .endpoint_template = {"{tenant}", "common"},
    .default_scopes = "offline_access User.Read",
    .client_auth = PS_AUTH_POST,
    .authorize_params = ms_authorize_params,
    .hooks = &ms_hooks,
    .identity = {.jwks_uri = "https://login.microsoftonline.com/common/discovery/v2.0/keys",
                 .issuer_template = "https://login.microsoftonline.com/{tenantid}/v2.0",
                 .issuer_var = "{tenantid}",
                 .issuer_claim = "tid",
                 .userinfo_endpoint = "https://graph.microsoft.com/oidc/userinfo"},
};

PS_PLUGIN(ms_spec, "microsoft", "1.0.0");
