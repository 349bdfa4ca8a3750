/*
 * check_config.c - provider checks of check-config (see check_config.h). Runs before any loop: the plugins'
 * discovery requests are queued, never sent, and cancelled when the registry is freed.
 */
#include "check_config.h"
#include "db/migrate.h"
#include "providers/host_api.h"
#include "providers/registry.h"

#include "common/http_client.h"
#include "common/status.h"

#include <h2o.h>
#include <string.h>

/* 1 when the space-separated list has the scope token. */
static int has_scope(const char *scopes, const char *scope)
{
    size_t n = strlen(scope);
    for (const char *s = scopes; s != NULL && *s != '\0';) {
        s += strspn(s, " ");
        size_t len = strcspn(s, " ");
        if (len == n && strncmp(s, scope, n) == 0)
            return 1;
        s += len;
    }
    return 0;
}

int ob_check_providers(const ob_config_t *cfg, FILE *out)
{
    char err[512];
    json_t *services = NULL, *row;
    size_t i;
    int warnings = 0, rc;
    if ((rc = ob_services_load(cfg->services_file, &services, err, sizeof(err))) != CM_OK) {
        fprintf(stderr, "%s\n", err); /* an error, like the other check-config errors: stderr */
        return rc;
    }
    h2o_evloop_t *loop = h2o_evloop_create();
    cm_http_client_t *http = loop != NULL ? cm_http_client_new(loop) : NULL;
    op_host_api_t *host = http != NULL ? ob_host_api_new(http) : NULL;
    ob_provider_registry_t *reg = host != NULL ? ob_registry_load(cfg->plugin_dir, host, cfg->providers) : NULL;
    if (reg == NULL) {
        fprintf(stderr, "providers: the plugins in %s cannot be loaded\n", cfg->plugin_dir);
        warnings = CM_EIO;
        goto out_free;
    }
    json_array_foreach(services, i, row)
    {
        const char *name = json_string_value(json_object_get(row, "service_name"));
        const char *provider = json_string_value(json_object_get(row, "provider"));
        const op_provider_t *p = provider != NULL ? ob_registry_find(reg, provider) : NULL;
        const char *scopes = json_string_value(json_object_get(row, "default_scopes"));
        int iss_param;
        if (p == NULL || !has_scope(scopes != NULL && scopes[0] != '\0' ? scopes : p->default_scopes, "openid"))
            continue;
        if (ob_provider_issuer(p, &iss_param) == NULL) {
            fprintf(out,
                    "warning: service \"%s\" asks provider \"%s\" for the openid scope, but the provider has no "
                    "issuer: its ID tokens are checked for nonce, audience and lifetime, not for their issuer "
                    "(configure \"issuer\" or drop openid)\n",
                    name, p->name);
            warnings++;
        }
    }
out_free:
    ob_registry_free(reg);
    ob_host_api_free(host);
    cm_http_client_free(http);
    if (loop != NULL)
        h2o_evloop_destroy(loop);
    json_decref(services);
    return warnings;
}
