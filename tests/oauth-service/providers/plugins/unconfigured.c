/* unconfigured.c - nothing configured for it: init says OP_EUNSUPPORTED (an info line, not a warning). */
#include "test_plugin.h"

static int unconfigured_init(const op_host_api_t *h, const char *config_json, void **state)
{
    return config_json == NULL ? OP_EUNSUPPORTED : OP_EINVAL;
}

TP_EXPORT const op_plugin_t oauth_provider_plugin = {
    OP_PLUGIN_HEADER("tunconfigured", "0.1"),
    .init = unconfigured_init,
};
