/*
 * broker.h - the broker process: what every handler can reach.
 *
 * One ob_broker_t per process, created by main.c. Everything in it is owned by the loop thread
 * (see docs/conventions.md, "Threads"): handlers read it freely; nothing else touches it.
 */
#ifndef OB_BROKER_H
#define OB_BROKER_H

#include "config.h"

#include "common/http_client.h"
#include "common/httpd.h"
#include "common/pg.h"

#include "provider_abi.h"

#include <jansson.h>

struct ob_provider_registry;
struct ob_keys;
struct ob_icache;

typedef struct ob_broker {
    ob_config_t *cfg; /* borrowed from main */
    cm_server_t *server;
    cm_http_client_t *http; /* outbound calls (providers, pushes) */
    cm_pg_pool_t *db;
    op_host_api_t *host_api;                /* the table handed to plugins */
    struct ob_provider_registry *providers; /* loaded plugins */
    json_t *services;                       /* registry rows (mcp_table) loaded at start: array of objects */
    struct ob_keys *keys;                   /* key ring, admin key hash, service secrets (keys/keys.h) */
    struct ob_icache *instances;            /* instances + decrypted access tokens (store/instance_cache.h) */
    struct ob_refresher *refresher;         /* refresh schedule + single flight (refresh/refresher.h) */
    struct ob_pusher *pusher;               /* signed pushes to MCP servers (push/pusher.h); NULL = off */
} ob_broker_t;

/* Route registration, one per handler file (handlers/<name>.c). */
int ob_health_register(ob_broker_t *b);
int ob_providers_register(ob_broker_t *b);
/* Admin API (handlers/instances_*.c), browser flow (handlers/oauth_*.c), MCP-facing calls
 * (handlers/mcp_*.c). Need b->keys and b->instances. */
int ob_instances_register(ob_broker_t *b);
int ob_oauth_register(ob_broker_t *b);
int ob_mcp_api_register(ob_broker_t *b);
/* POST /oauth/refresh, POST /oauth/revoke, POST /cache-tokens (handlers/oauth_refresh.c, oauth_revoke.c,
 * cache_tokens.c). Need b->refresher and b->pusher. */
int ob_refresh_routes_register(ob_broker_t *b);

/*
 * Blocking start-up database work (before the loop runs): waits up to wait_s seconds for the
 * database, applies migrations, seeds the service registry from cfg->services_file and, when
 * services_out is not NULL, returns the registry rows (caller owns, json_decref).
 * On failure writes one line into err.
 */
int ob_startup_db(const ob_config_t *cfg, int wait_s, json_t **services_out, char *err, size_t errsz);

#endif
