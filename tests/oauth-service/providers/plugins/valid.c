/* valid.c - a well-behaved test plugin: registers two providers; the first one's display name comes
 * from its configuration ({"display": "..."}) so the test sees the config section arrive. */
#include "test_plugin.h"

#include <stdlib.h>

static op_provider_t providers[2] = {TP_PROVIDER("tvalid_a", "Valid A"), TP_PROVIDER("tvalid_b", "Valid B")};
static char display[64];
static const op_host_api_t *host;

static int valid_init(const op_host_api_t *h, const char *config_json, void **state)
{
    host = h;
    /* tiny extraction of {"display":"..."} without a JSON library: enough for a test plugin */
    const char *d = config_json != NULL ? strstr(config_json, "\"display\":\"") : NULL;
    if (d != NULL) {
        d += strlen("\"display\":\"");
        size_t n = strcspn(d, "\"");
        if (n >= sizeof(display))
            n = sizeof(display) - 1;
        memcpy(display, d, n);
        display[n] = '\0';
        providers[0].display_name = display;
    }
    for (int i = 0; i < 2; i++)
        if (h->register_provider(h->host_ctx, &providers[i]) != OP_OK)
            return OP_EINVAL;
    *state = providers;
    return OP_OK;
}

static void valid_fini(void *state)
{
    host->log(host->host_ctx, OP_LOG_INFO, NULL, "tvalid fini %s", state == providers ? "with its state" : "?");
}

TP_EXPORT const op_plugin_t oauth_provider_plugin = {
    OP_PLUGIN_HEADER("tvalid", "0.1"),
    .init = valid_init,
    .fini = valid_fini,
};
