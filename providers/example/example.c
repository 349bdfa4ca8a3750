/*
 * example.c - the smallest useful provider plugin: a template for adding a provider.
 *
 * How a plugin works (see providers/include/provider_abi.h, the contract):
 *   1. The broker dlopen()s every .so in its plugin directory and reads the one exported symbol,
 *      `oauth_provider_plugin` (an op_plugin_t).
 *   2. It calls init() with the host API table and the plugin's section of the broker config
 *      ("providers": {"example": {...}}) as JSON text, or NULL when there is none.
 *   3. init() registers one op_provider_t per provider through host->register_provider(). The
 *      broker then calls the provider's operations (authorize URL, code exchange, refresh, revoke)
 *      on its loop thread; all network I/O goes through host->http_send().
 *   4. fini() frees what init() allocated.
 *
 * provider_support (providers/support/provider_support.h) implements a standard OAuth 2.0
 * provider completely: describe yours in a ps_provider_t and you are done. Override an op_*
 * member or set a hook only for what your provider does differently (see github.c, slack.c).
 *
 * To add a provider: copy this folder, rename, list it in providers/plugins.cmake, build, and
 * drop the .so into the broker's plugin_dir. This one is built into <build>/plugins-example/ so
 * that it is not loaded by default.
 *
 * Configuration (all optional): {"authorization_endpoint": url, "token_endpoint": url,
 * "revocation_endpoint": url, "default_scopes": "profile"}.
 */
#include "provider_support.h"

#include <stdlib.h>

static const char *const config_keys[] = {"authorization_endpoint", "token_endpoint", "revocation_endpoint",
                                          "default_scopes", NULL};

static void example_fini(void *state)
{
    ps_provider_free(state); /* the ps_provider_t holds everything we allocated */
}

static int example_init(const op_host_api_t *host, const char *config_json, void **state)
{
    int rc = OP_EINVAL;
    char *authorize = NULL, *token = NULL, *revoke = NULL;
    const char *scopes = NULL;
    ps_provider_t *p = NULL;

    /* 1. Read and validate the configuration; every problem is logged once by the helpers. */
    json_t *cfg = ps_config_parse(host, "example", config_json);
    if (cfg == NULL)
        return OP_EINVAL;
    if (ps_config_check_keys(host, "example", cfg, config_keys) != OP_OK ||
        ps_config_url(host, "example", cfg, "authorization_endpoint", "https://auth.example.com/oauth/authorize",
                      &authorize) != OP_OK ||
        ps_config_url(host, "example", cfg, "token_endpoint", "https://auth.example.com/oauth/token", &token) !=
            OP_OK ||
        ps_config_url(host, "example", cfg, "revocation_endpoint", "https://auth.example.com/oauth/revoke", &revoke) !=
            OP_OK ||
        ps_config_str(host, "example", cfg, "default_scopes", "profile", &scopes) != OP_OK)
        goto out_free;

    /* 2. Describe the provider: name (unique, [a-z0-9_-]), display name, default scopes, capabilities. */
    rc = OP_ENOMEM;
    p = ps_provider_new(host, "example", "Example", scopes, OP_CAP_REFRESH | OP_CAP_REVOKE | OP_CAP_PKCE);
    if (p == NULL || ps_provider_set_endpoints(p, authorize, token, revoke) != OP_OK)
        goto out_free;
    p->client_auth = PS_AUTH_BASIC;    /* client_secret_basic at the token endpoint (RFC 6749 2.3.1) */
    p->revoke_auth = PS_AUTH_AS_TOKEN; /* RFC 7009 2.1: authenticate the revocation as at the token endpoint */
    p->revoke_send_hint = 1;           /* send token_type_hint */

    /* 3. Register it. The struct must stay valid until fini(), so it becomes the plugin state. */
    if ((rc = ps_provider_register(p)) != OP_OK)
        goto out_free;
    *state = p;
    p = NULL;
out_free:
    ps_provider_free(p);
    free(authorize);
    free(token);
    free(revoke);
    json_decref(cfg);
    return rc;
}

/* The one exported symbol. PS_EXPORT makes it visible; the build hides everything else. */
PS_EXPORT const op_plugin_t oauth_provider_plugin = {
    OP_PLUGIN_HEADER("example", "1.0.0"),
    .init = example_init,
    .fini = example_fini,
};
