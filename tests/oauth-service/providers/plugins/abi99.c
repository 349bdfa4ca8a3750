/* abi99.c - a plugin built for a future, incompatible ABI: the registry must not even call init. */
#include "test_plugin.h"

static op_provider_t provider = TP_PROVIDER("tabi99", "ABI 99");

static int abi99_init(const op_host_api_t *h, const char *config_json, void **state)
{
    h->log(h->host_ctx, OP_LOG_ERROR, NULL, "abi99 init called");
    return h->register_provider(h->host_ctx, &provider);
}

TP_EXPORT const op_plugin_t oauth_provider_plugin = {
    .abi_major = 99,
    .abi_minor = 0,
    .struct_size = sizeof(op_plugin_t),
    .name = "tabi99",
    .version = "99",
    .init = abi99_init,
};
