/*
 * test_plugin.h - stub operations shared by the registry's test-only plugins (each plugin is one
 * .c file built into its own .so; these helpers are static, so every plugin carries its own copy).
 */
#ifndef TESTS_REGISTRY_TEST_PLUGIN_H
#define TESTS_REGISTRY_TEST_PLUGIN_H

#include "provider_abi.h"

#include <string.h>

#define TP_EXPORT __attribute__((visibility("default")))

__attribute__((unused)) static int tp_authorize(void *data, const op_client_t *c, const op_authorize_params_t *p,
                                                char **out, op_error_t *e)
{
    *out = NULL;
    return OP_EUNSUPPORTED;
}

__attribute__((unused)) static int tp_exchange(void *data, const op_client_t *c, const char *code, const char *v,
                                               op_token_done_fn done, void *arg)
{
    return OP_EUNSUPPORTED;
}

__attribute__((unused)) static int tp_parse(void *data, const op_http_response_t *res, int64_t now, op_token_set_t *out,
                                            op_error_t *err)
{
    memset(out, 0, sizeof(*out));
    return OP_EUNSUPPORTED;
}

/* A provider with the mandatory operations and no capabilities. */
#define TP_PROVIDER(name_, display_)                                                                                   \
    {                                                                                                                  \
        .struct_size = sizeof(op_provider_t), .name = (name_), .display_name = (display_), .default_scopes = "",       \
        .build_authorize_url = tp_authorize, .exchange_code = tp_exchange, .parse_token_response = tp_parse,           \
    }

#endif
