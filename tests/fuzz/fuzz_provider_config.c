/*
 * fuzz_provider_config.c - the plugins' configuration sections (providers/support ps_config.c and each
 * plugin's init: the custom plugin's provider list above all).
 *
 * Input: plugin selector, then the configuration text (the plugin's section of the broker config).
 * init must either refuse it or register providers that fini releases again; a per-instance
 * options text (ps_client_options) is parsed from the same bytes.
 */
#include "fuzz.h"

#include "fake_host.h"
#include "provider_support.h"

extern const op_plugin_t fz_plugin_google, fz_plugin_microsoft, fz_plugin_github, fz_plugin_slack, fz_plugin_custom;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const op_plugin_t *const plugins[] = {&fz_plugin_custom,    &fz_plugin_custom, &fz_plugin_google,
                                          &fz_plugin_microsoft, &fz_plugin_github, &fz_plugin_slack};
    fz_in_t in = {data, size};
    const op_plugin_t *pl = plugins[fz_byte(&in) % (sizeof(plugins) / sizeof(plugins[0]))];
    char *config = fz_strndup(in.p, in.left);

    fh_reset();
    long live = fh_live_allocations();
    void *state = NULL;
    int rc = pl->init(fh_host(), config, &state);
    if (rc == OP_OK) {
        FZ_CHECK(fh_provider_count() > 0);
        for (size_t i = 0; i < fh_provider_count(); i++) {
            const op_provider_t *p = fh_provider_at(i);
            FZ_CHECK(p->name != NULL && p->name[0] != '\0' && p->parse_token_response != NULL);
        }
        fh_cancel_all();
        pl->fini(state);
    }
    FZ_CHECK(fh_live_allocations() == live); /* a refused or finished plugin holds no host memory */
    fh_reset();

    op_client_t client = {.struct_size = sizeof(client), .client_id = "c", .options_json = config};
    op_error_t err = {0};
    json_t *opts = ps_client_options(&client, &err);
    json_decref(opts);
    free(config);
    return 0;
}
