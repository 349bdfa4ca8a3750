/*
 * legacy12.c - a plugin built against the frozen ABI 1.2 header (abi_1_2/provider_abi.h): its op_provider_t ends
 * with authorization_response_iss, before identify. The provider sits in a struct followed by a function pointer
 * where a 1.3 provider has identify: a host that read past struct_size would call it, and it counts its calls
 * (exported as legacy12_trap_calls for the test).
 */
#include "provider_abi.h"

#include <string.h>

typedef int (*trap_fn)(void *, const void *, const void *, const char *, void *, void *);

static int trap_calls;

__attribute__((visibility("default"))) int legacy12_trap_calls(void)
{
    return trap_calls;
}

static int trap(void *data, const void *client, const void *tokens, const char *nonce, void *done, void *arg)
{
    trap_calls++;
    return OP_ERR;
}

static const op_host_api_t *host;

static int legacy_authorize(void *data, const op_client_t *c, const op_authorize_params_t *p, char **out, op_error_t *e)
{
    const char *url = "https://legacy12.test/authorize?state=s";
    *out = host->mem_strndup(url, strlen(url));
    return OP_OK;
}

static int legacy_parse(void *data, const op_http_response_t *res, int64_t now, op_token_set_t *out, op_error_t *err)
{
    if (out->struct_size < sizeof(*out))
        return OP_EINVAL;
    memset(out, 0, sizeof(*out));
    out->struct_size = sizeof(*out);
    out->access_token = host->mem_strndup(res->body, res->body_len);
    return OP_OK;
}

static int legacy_exchange(void *data, const op_client_t *c, const char *code, const char *verifier,
                           op_token_done_fn done, void *arg)
{
    return OP_EUNSUPPORTED;
}

static int legacy_refresh(void *data, const op_client_t *c, const char *rt, const char *scopes, op_token_done_fn done,
                          void *arg)
{
    return OP_EUNSUPPORTED;
}

static struct {
    op_provider_t p;
    trap_fn after; /* where a 1.3 op_provider_t has identify */
} provider = {
    .p =
        {
            .struct_size = sizeof(op_provider_t),
            .name = "tlegacy12",
            .display_name = "Legacy 1.2",
            .default_scopes = "a",
            .authorization_endpoint = "https://legacy12.test/authorize",
            .token_endpoint = "https://legacy12.test/token",
            .build_authorize_url = legacy_authorize,
            .exchange_code = legacy_exchange,
            .refresh = legacy_refresh,
            .parse_token_response = legacy_parse,
            .issuer = "https://legacy12.test",
        },
    .after = trap,
};

static int legacy_init(const op_host_api_t *h, const char *config_json, void **state)
{
    host = h;
    return h->register_provider(h->host_ctx, &provider.p);
}

__attribute__((visibility("default"))) const op_plugin_t oauth_provider_plugin = {
    OP_PLUGIN_HEADER("tlegacy12", "1.2.0"),
    .init = legacy_init,
};
