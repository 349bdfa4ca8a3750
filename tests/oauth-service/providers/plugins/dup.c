/* dup.c - registers a fresh provider and one whose name tvalid already took, ignores the refusal
 * and reports success: the registry must skip the whole plugin (and still call fini). */
#include "test_plugin.h"

static op_provider_t providers[2] = {TP_PROVIDER("tdup_ok", "Dup OK"), TP_PROVIDER("tvalid_a", "Duplicate")};
static const op_host_api_t *host;

static int dup_init(const op_host_api_t *h, const char *config_json, void **state)
{
    host = h;
    h->register_provider(h->host_ctx, &providers[0]);
    h->register_provider(h->host_ctx, &providers[1]);
    return OP_OK;
}

static void dup_fini(void *state)
{
    host->log(host->host_ctx, OP_LOG_INFO, NULL, "tdup fini");
}

TP_EXPORT const op_plugin_t oauth_provider_plugin = {
    OP_PLUGIN_HEADER("tdup", "0.1"),
    .init = dup_init,
    .fini = dup_fini,
};
