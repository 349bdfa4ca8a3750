/*
 * example_v2.c - providers/example built again with another version and display name: the changed file that
 * integration/plugin_reload.sh drops over example.so while requests use it. The provider name, endpoints and
 * behaviour are the example's, so requests started under one build finish under either.
 */
#include "provider_support.h"

static const ps_spec_t example_v2_spec = {
    .name = "example",
    .display_name = "Example (second build)",
    .capabilities = OP_CAP_REFRESH | OP_CAP_REVOKE | OP_CAP_PKCE,
    .endpoints = {"https://auth.example.com/oauth/authorize", "https://auth.example.com/oauth/token",
                  "https://auth.example.com/oauth/revoke"},
    .default_scopes = "profile",
    .client_auth = PS_AUTH_BASIC,
    .revoke_auth = PS_AUTH_AS_TOKEN,
    .revoke_send_hint = 1,
};

PS_PLUGIN(example_v2_spec, "example", "2.0.0");
