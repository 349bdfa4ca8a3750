/*
 * routes.c - the one list of handler files whose routes the broker serves (routes.h), in registration order.
 */
#include "handlers/routes.h"

#include "common/status.h"

#include <stddef.h>

static int (*const registrars[])(ob_broker_t *) = {
    ob_health_register,           ob_providers_register,
    ob_mcp_auth_register, /* before the instances: POST /instances/usage */
    ob_mcp_token_register,        ob_instances_create_register,
    ob_instances_read_register,   ob_instances_update_register,
    ob_instances_delete_register, ob_oauth_authorize_register,
    ob_oauth_callback_register,   ob_oauth_refresh_register,
    ob_oauth_revoke_register,     ob_cache_tokens_register,
    ob_as_metadata_register,      ob_as_clients_register,
    ob_as_token_register,         ob_as_revoke_register,
    ob_as_grants_register,        ob_as_authorize_register,
    ob_as_consent_register,       ob_audit_register,
    ob_metrics_register,          ob_providers_reload_register, /* POST /providers/reload */
};

int ob_routes_register(ob_broker_t *b)
{
    for (size_t i = 0; i < sizeof(registrars) / sizeof(registrars[0]); i++) {
        int rc = registrars[i](b);
        if (rc != CM_OK)
            return rc;
    }
    return CM_OK;
}
