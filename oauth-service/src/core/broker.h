/*
 * broker.h - the broker process context: what every layer above core/ can reach, and what it answers.
 *
 * One ob_broker_t per process (per worker process when there are several), created by main.c. Everything in it is owned
 * by the loop thread (see docs/conventions.md, "Threads"): handlers read it freely; nothing else touches it.
 */
#ifndef OB_CORE_BROKER_H
#define OB_CORE_BROKER_H

#include "config/config.h"

#include "common/http_client.h"
#include "common/httpd.h"
#include "common/pg.h"

#include "provider_abi.h"

#include <jansson.h>
#include <stdint.h>

struct ob_provider_registry;
struct ob_keys;
struct ob_icache;
struct ob_change_feed;
struct ob_as;
struct ob_cimd;

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
    struct ob_change_feed *changes; /* LISTEN for changes (store/change_feed.h); NULL = oauth.change_notify off */
    struct ob_refresher *refresher; /* refresh schedule + single flight (refresh/refresher.h) */
    struct ob_pusher *pusher;       /* signed pushes to MCP servers (push/pusher.h); NULL = off */
    struct ob_as *as; /* the authorization server of the MCP clients (as/as.h); NULL when authorization.enabled is
                         false */
    /* the Client ID Metadata Documents cache (as/cimd.h); NULL when authorization.enabled is false */
    struct ob_cimd *cimd;
    int worker;  /* this process's worker index, 0..workers-1 (supervisor.h) */
    int workers; /* worker processes of the broker: 1 = a single process */
    /* several workers: the board where each publishes its metrics for GET /metrics (core/metrics_board.h); NULL with
     * one worker */
    struct ob_metrics_board *metrics_board;
} ob_broker_t;

/* The registry row of a service (borrowed from b->services), or NULL. */
const json_t *ob_service_find(const ob_broker_t *b, const char *service);
/* The provider serving a service (borrowed from the registry), or NULL when unknown or not loaded. */
const op_provider_t *ob_service_provider(const ob_broker_t *b, const char *service);
/* 1 when service's provider is loaded and has p's name (p may be the older version of a plugin a reload replaced
 * while the request that holds it was under way), else 0. */
int ob_service_has_provider(const ob_broker_t *b, const char *service, const op_provider_t *p);

/* "<base_url>/oauth/authorize?instance_id=<id>", malloc'ed (caller frees). */
char *ob_authorize_url(const ob_broker_t *b, const char *instance_id);
/* The instance's MCP endpoint from cfg->mcp_url_template, malloc'ed (caller frees); NULL when the service is
 * unknown. */
char *ob_mcp_url(const ob_broker_t *b, const char *service, const char *instance_id);
/* The redirect_uri for a provider: <base>/oauth/callback, or <base>/oauth/callback/<provider> when
 * oauth.callback_per_provider is set. malloc'ed (caller frees). */
char *ob_redirect_uri(const ob_broker_t *b, const char *provider);

/* Unix time now. */
int64_t ob_now(void);

#endif
