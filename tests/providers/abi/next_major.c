/*
 * next_major.c - a plugin claiming the next major of the provider ABI. Its init would register a working
 * provider ("tnext"), so a registry that let it in would show it: the registry must refuse it before init.
 */
#include "provider_abi.h"

static int next_authorize(void *data, const op_client_t *c, const op_authorize_params_t *p, char **out, op_error_t *e)
{
    *out = NULL;
    return OP_EUNSUPPORTED;
}

static int next_exchange(void *data, const op_client_t *c, const char *code, const char *v, op_token_done_fn done,
                         void *arg)
{
    return OP_EUNSUPPORTED;
}

static int next_parse(void *data, const op_http_response_t *res, int64_t now, op_token_set_t *out, op_error_t *err)
{
    return OP_EUNSUPPORTED;
}

static op_provider_t provider = {
    .struct_size = sizeof(op_provider_t),
    .name = "tnext",
    .build_authorize_url = next_authorize,
    .exchange_code = next_exchange,
    .parse_token_response = next_parse,
};

static int next_init(const op_host_api_t *h, const char *config_json, void **state)
{
    return h->register_provider(h->host_ctx, &provider);
}

__attribute__((visibility("default"))) const op_plugin_t oauth_provider_plugin = {
    .abi_major = OP_ABI_MAJOR + 1,
    .abi_minor = 0,
    .struct_size = sizeof(op_plugin_t),
    .name = "tnext",
    .version = "2.0.0",
    .init = next_init,
};
