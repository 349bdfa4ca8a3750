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
 * provider_support (providers/support/provider_support.h) does all of that for a provider described
 * as data: a `static const ps_spec_t` (endpoints, scopes, client authentication, capabilities, extra
 * parameters) and PS_PLUGIN(), which defines init, fini and the exported symbol. A provider that
 * differs from standard OAuth 2.0 adds a `static const ps_hooks_t` for just that (see github.c,
 * slack.c, microsoft.c).
 *
 * To add a provider: copy this folder, rename, list it in providers/plugins.cmake, build, and
 * drop the .so into the broker's plugin_dir. This one is built into <build>/plugins-example/ so
 * that it is not loaded by default.
 *
 * Configuration (all optional; ps_plugin_init reads it): {"authorization_endpoint": url,
 * "token_endpoint": url, "revocation_endpoint": url, "default_scopes": "profile"}.
 */
#include "provider_support.h"

static const ps_spec_t example_spec = {
    .name = "example", /* unique, [a-z0-9_-] */
    .display_name = "Example",
    .capabilities = OP_CAP_REFRESH | OP_CAP_REVOKE | OP_CAP_PKCE,
    /* authorize, token, revocation: defaults the configuration overrides */
    .endpoints = {"https://auth.example.com/oauth/authorize", "https://auth.example.com/oauth/token",
                  "https://auth.example.com/oauth/revoke"},
    .default_scopes = "profile",
    .client_auth = PS_AUTH_BASIC,    /* client_secret_basic at the token endpoint (RFC 6749 2.3.1) */
    .revoke_auth = PS_AUTH_AS_TOKEN, /* RFC 7009 2.1: authenticate the revocation as at the token endpoint */
    .revoke_send_hint = 1,           /* send token_type_hint */
};

/* The one exported symbol (PS_EXPORT makes it visible; the build hides everything else). */
PS_PLUGIN(example_spec, "example", "1.0.0");
