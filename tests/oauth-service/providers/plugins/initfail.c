/* initfail.c - registers a provider, then fails init: the registration must be discarded. */
#include "test_plugin.h"

static op_provider_t provider = TP_PROVIDER("tinitfail", "Init fails");

static int initfail_init(const op_host_api_t *h, const char *config_json, void **state)
{
    h->register_provider(h->host_ctx, &provider);
    return OP_ERR;
}

static void initfail_fini(void *state)
{
    (void)state; /* never called: init failed */
}

TP_EXPORT const op_plugin_t oauth_provider_plugin = {
    OP_PLUGIN_HEADER("tinitfail", "0.1"),
    .init = initfail_init,
    .fini = initfail_fini,
};
