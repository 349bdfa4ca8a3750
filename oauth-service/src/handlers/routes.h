/*
 * routes.h - route registration: one function per handler file (handlers/<name>.c registers its own routes and
 * nothing else), and the one list that calls them in order (routes.c).
 */
#ifndef OB_HANDLERS_ROUTES_H
#define OB_HANDLERS_ROUTES_H

#include "core/broker.h"

/* Every route of the broker, in registration order. Needs b->keys, b->instances, b->refresher and b->pusher. */
int ob_routes_register(ob_broker_t *b);

int ob_health_register(ob_broker_t *b);           /* GET /health (health.c) */
int ob_providers_register(ob_broker_t *b);        /* GET /providers (providers.c) */
int ob_providers_reload_register(ob_broker_t *b); /* POST /providers/reload (providers_reload.c) */
int ob_mcp_auth_register(ob_broker_t *b);         /* POST /instances/usage, POST /instances/{id}/mcp-auth */
int ob_mcp_token_register(ob_broker_t *b);        /* GET /instances/{id}/token (mcp_token.c) */
int ob_instances_create_register(ob_broker_t *b); /* POST /instances (instances_create.c) */
int ob_instances_read_register(ob_broker_t *b);   /* GET /instances, GET /instances/{id} (instances_read.c) */
int ob_instances_update_register(ob_broker_t *b); /* PATCH /instances/{id} (instances_update.c) */
int ob_instances_delete_register(ob_broker_t *b); /* DELETE /instances/{id} (instances_delete.c) */
int ob_oauth_authorize_register(ob_broker_t *b);  /* GET /oauth/authorize (oauth_authorize.c) */
int ob_oauth_callback_register(ob_broker_t *b);   /* GET /oauth/callback[/{provider}] (oauth_callback.c) */
int ob_oauth_refresh_register(ob_broker_t *b);    /* POST /oauth/refresh (oauth_refresh.c) */
int ob_oauth_revoke_register(ob_broker_t *b);     /* POST /oauth/revoke (oauth_revoke.c) */
int ob_cache_tokens_register(ob_broker_t *b);     /* POST /cache-tokens (cache_tokens.c) */
int ob_as_metadata_register(ob_broker_t *b);      /* AS metadata, JWKS, signing keys (as_metadata.c) */
int ob_as_clients_register(ob_broker_t *b);       /* POST /as/register, /as/clients[/{id}] (as_clients.c) */
int ob_as_token_register(ob_broker_t *b);         /* POST /as/token (as_token.c, as_token_refresh.c) */
int ob_as_revoke_register(ob_broker_t *b);        /* POST /as/revoke, POST /as/introspect (as_revoke.c) */
int ob_as_grants_register(ob_broker_t *b);        /* GET/DELETE /instances/{id}/grants[/{gid}] (as_grants.c) */
int ob_as_authorize_register(ob_broker_t *b);     /* GET /as/authorize (as_authorize.c) */
int ob_as_consent_register(ob_broker_t *b);       /* POST /as/consent (as_consent.c) */
int ob_audit_register(ob_broker_t *b);            /* GET /audit (audit.c) */
int ob_metrics_register(ob_broker_t *b);          /* GET /metrics and the sampled gauges (metrics.c) */
/* Stops the periodic instance count (before the database pool is freed). */
void ob_metrics_close(void);

#endif
