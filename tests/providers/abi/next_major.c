/* next_major.c - a plugin claiming the next major of the provider ABI: the registry must refuse it before init. */
#include "provider_abi.h"

static int next_init(const op_host_api_t *h, const char *config_json, void **state)
{
    h->log(h->host_ctx, OP_LOG_ERROR, NULL, "next_major init called");
    return OP_ERR;
}

__attribute__((visibility("default"))) const op_plugin_t oauth_provider_plugin = {
    .abi_major = OP_ABI_MAJOR + 1,
    .abi_minor = 0,
    .struct_size = sizeof(op_plugin_t),
    .name = "tnext",
    .version = "2.0.0",
    .init = next_init,
};
