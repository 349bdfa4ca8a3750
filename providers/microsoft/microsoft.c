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
 * Configuration (all optional): {"authorization_endpoint": template, "token_endpoint": template,
 * "default_tenant": "common", "default_scopes": "offline_access User.Read"}. A template without
 * {tenant} is used as is.
 */
#include "provider_support.h"

#include "common/crypto.h"
#include "common/url.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MS_AUTHORIZE "https://login.microsoftonline.com/{tenant}/oauth2/v2.0/authorize"
#define MS_TOKEN "https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token"

typedef struct ms_data {
    char *default_tenant;
} ms_data_t;

static const char *const config_keys[] = {"authorization_endpoint", "token_endpoint", "default_tenant",
                                          "default_scopes", NULL};

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
                         cm_uuid_valid(t) || domain_ok(t));
}

/* Replaces every "{tenant}" of tmpl. malloc'ed or NULL. */
static char *expand(const char *tmpl, const char *tenant)
{
    cm_buf_t b = {0};
    const char *s = tmpl, *hit;
    while ((hit = strstr(s, "{tenant}")) != NULL) {
        cm_buf_append(&b, s, (size_t)(hit - s));
        cm_buf_appendz(&b, tenant);
        s = hit + strlen("{tenant}");
    }
    cm_buf_appendz(&b, s);
    return cm_buf_take(&b);
}

/* The instance's tenant (borrowed from opts or the plugin data), or NULL + *err. */
static const char *client_tenant(ps_provider_t *p, const json_t *opts, op_error_t *err)
{
    ms_data_t *d = p->ext;
    const json_t *v = json_object_get(opts, "tenant");
    const char *t = d->default_tenant;
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
        *out = expand(tmpl, tenant);
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
    cm_buf_t b = {0};
    cm_buf_appendz(&b, "offline_access");
    if (scope != NULL && scope[0] != '\0') {
        cm_buf_append(&b, " ", 1);
        cm_buf_appendz(&b, scope);
    }
    char *s = cm_buf_take(&b);
    int rc = s != NULL ? ps_params_set(q, "scope", s) : OP_ENOMEM;
    free(s);
    return rc;
}

/* A configured endpoint template: absolute http(s) once a tenant is put in. */
static int config_template(const op_host_api_t *host, const json_t *cfg, const char *key, const char *def, char **out)
{
    const char *tmpl = NULL;
    *out = NULL;
    if (ps_config_str(host, "microsoft", cfg, key, def, &tmpl) != OP_OK)
        return OP_EINVAL;
    char *probe = expand(tmpl, "common");
    if (probe == NULL)
        return OP_ENOMEM;
    int ok = cm_url_is_http(probe);
    free(probe);
    if (!ok) {
        host->log(host->host_ctx, OP_LOG_ERROR, "microsoft", "\"%s\" must be an absolute http(s) URL", key);
        return OP_EINVAL;
    }
    *out = strdup(tmpl);
    return *out != NULL ? OP_OK : OP_ENOMEM;
}

static void ms_fini(void *state)
{
    ps_provider_t *p = state;
    if (p == NULL)
        return;
    ms_data_t *d = p->ext;
    if (d != NULL)
        free(d->default_tenant);
    free(d);
    ps_provider_free(p);
}

static int ms_init(const op_host_api_t *host, const char *config_json, void **state)
{
    int rc = OP_EINVAL;
    char *authorize = NULL, *token = NULL;
    const char *tenant = NULL, *scopes = NULL;
    ps_provider_t *p = NULL;
    json_t *cfg = ps_config_parse(host, "microsoft", config_json);
    if (cfg == NULL)
        return OP_EINVAL;
    if (ps_config_check_keys(host, "microsoft", cfg, config_keys) != OP_OK ||
        config_template(host, cfg, "authorization_endpoint", MS_AUTHORIZE, &authorize) != OP_OK ||
        config_template(host, cfg, "token_endpoint", MS_TOKEN, &token) != OP_OK ||
        ps_config_str(host, "microsoft", cfg, "default_tenant", "common", &tenant) != OP_OK ||
        ps_config_str(host, "microsoft", cfg, "default_scopes", "offline_access User.Read", &scopes) != OP_OK)
        goto out_free;
    if (!tenant_ok(tenant)) {
        host->log(host->host_ctx, OP_LOG_ERROR, "microsoft",
                  "\"default_tenant\" must be common, organizations, consumers, a GUID or a domain name");
        goto out_free;
    }
    rc = OP_ENOMEM;
    p = ps_provider_new(host, "microsoft", "Microsoft", scopes, OP_CAP_REFRESH | OP_CAP_PKCE | OP_CAP_OIDC);
    if (p == NULL || ps_provider_set_endpoints(p, authorize, token, NULL) != OP_OK)
        goto out_free;
    ms_data_t *d = calloc(1, sizeof(*d));
    if (d == NULL)
        goto out_free;
    p->ext = d;
    if ((d->default_tenant = strdup(tenant)) == NULL)
        goto out_free;
    p->client_auth = PS_AUTH_POST;
    p->endpoint = ms_endpoint;
    p->authorize_hook = ms_authorize_hook;
    p->op.revoke = NULL;
    if (ps_params_add(&p->authorize_extra, "response_mode", "query") != OP_OK)
        goto out_free;
    if ((rc = ps_provider_register(p)) != OP_OK)
        goto out_free;
    *state = p;
    p = NULL;
out_free:
    ms_fini(p);
    free(authorize);
    free(token);
    json_decref(cfg);
    return rc;
}

PS_EXPORT const op_plugin_t oauth_provider_plugin = {
    OP_PLUGIN_HEADER("microsoft", "1.0.0"),
    .init = ms_init,
    .fini = ms_fini,
};
