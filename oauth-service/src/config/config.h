/*
 * config.h - the broker's configuration: one JSON file plus environment overrides.
 *
 * OAuth client ids and secrets are never configuration: they are supplied per instance and
 * stored (encrypted) in the database.
 *
 * Environment overrides (win over the file): DATABASE_URL, OAUTH_SERVICE_HOST, OAUTH_SERVICE_PORT,
 * OAUTH_BASE_URL, OB_PLUGIN_DIR, OB_MIGRATIONS_DIR, OB_SERVICES_FILE, LOG_LEVEL, LOG_FORMAT, and for keys and OAuth
 * flows OB_KEYS_DIR (default directory of the three key paths below: $VAR_DIR/keys, else <source>/var/keys),
 * OB_DATA_KEY_FILE, OB_ADMIN_KEY_FILE, OB_ADMIN_KEY_SHA256, OB_SERVICE_KEYS_DIR,
 * OB_ALLOWED_RETURN_URLS (comma separated), OB_REFRESH_MARGIN_S. (OB_DATA_KEYS, the key ring itself, is read
 * by keys/keys.c and never stored here.)
 * Relative paths in the file are relative to the file's directory.
 */
#ifndef OB_CONFIG_H
#define OB_CONFIG_H

#include <jansson.h>
#include <stddef.h>

/* The authorization server of the MCP clients (section "authorization"; docs/mcp-authorization.md). */
typedef struct ob_authz_config {
    int enabled;                    /* authorization.enabled: serve the AS endpoints, true */
    int access_token_ttl_s;         /* authorization.access_token_ttl_s, 3600 */
    int refresh_token_ttl_s;        /* authorization.refresh_token_ttl_s, 30 days */
    int code_ttl_s;                 /* authorization.code_ttl_s, 60 */
    int request_ttl_s;              /* authorization.request_ttl_s: a pending authorization request (consent), 900 */
    int key_publish_ahead_s;        /* authorization.key_publish_ahead_s: a new signing key is published this long
                                       before it signs, 600 */
    int dcr_rate_per_min;           /* authorization.dcr_rate_per_min: registrations per client address, 20 */
    int dcr_idle_days;              /* authorization.dcr_idle_days: an unused dynamic client is deleted after, 30 */
    json_t *cimd_allowed_origins;   /* authorization.cimd_allowed_origins: https origins on special-use addresses that
                                       may serve Client ID Metadata Documents (owned, never NULL) */
    char *cimd_ca_file;             /* authorization.cimd_ca_file: extra CA bundle for CIMD fetches, NULL */
    char *mcp_service_url_template; /* authorization.mcp_service_url_template: a service's MCP URL without an
                                       instance, "{port}" and "{service}" replaced; http://127.0.0.1:{port}/mcp */
    json_t *apps;                   /* authorization.apps: operator app credentials, {service or provider: {client_id,
                                       client_secret_file}} (owned, never NULL; the secrets are read by keys/, never kept here) */
} ob_authz_config_t;

typedef struct ob_config {
    char *path;               /* the file that was loaded */
    char *listen_host;        /* "127.0.0.1" */
    int port;                 /* 3001 */
    int drain_ms;             /* listen.drain_ms: on SIGTERM, how long requests in flight may finish, 5000 */
    int workers;              /* listen.workers (OB_WORKERS, --workers): worker processes, 0 = one per CPU (default) */
    char *base_url;           /* public URL of the broker, e.g. "http://127.0.0.1:3001" (no trailing slash) */
    char *database_url;       /* libpq conninfo or URI; required */
    int db_pool_size;         /* 4 */
    int db_query_timeout_ms;  /* 5000 */
    int health_db_timeout_ms; /* 1000 */
    char *plugin_dir;         /* directory of provider .so files */
    char *migrations_dir;     /* db/migrations */
    char *services_file;      /* registry seed (config/services.json) */
    int log_level;            /* CM_LOG_* */
    int log_format;           /* CM_LOG_FORMAT_* (log.format, LOG_FORMAT) */
    json_t *providers;        /* object: plugin name -> plugin config (owned) */
    /* keys (section "keys"; see keys/keys.h) */
    char *data_key_file;    /* keys.data_key_file: the data key ring, mode 0600 */
    char *admin_key_file;   /* keys.admin_key_file: the admin key in plain, mode 0600 (hashed at load) */
    char *admin_key_sha256; /* keys.admin_key_sha256: hex SHA-256 of the admin key (wins over the file) */
    char *service_keys_dir; /* keys.services_dir: <service>.secret files shared with the MCP servers */
    /* OAuth flows (section "oauth") */
    json_t *allowed_return_urls;    /* oauth.allowed_return_urls: array of http(s) URL prefixes (owned, never NULL) */
    int state_ttl_s;                /* oauth.state_ttl_s: lifetime of a sealed state, 600 */
    int refresh_margin_s;           /* oauth.refresh_margin_s: vend from memory only beyond this, 300 */
    int instance_cache_ttl_ms;      /* oauth.instance_cache_ttl_ms: status re-read from the db after this, 2000, while
                                       change notifications are not heard (store/change_feed.h) */
    int instance_cache_max_entries; /* oauth.instance_cache_max_entries: cached instances (LRU beyond), 200000 */
    int change_notify;              /* oauth.change_notify: LISTEN for changes made elsewhere, true */
    int callback_per_provider;      /* oauth.callback_per_provider: redirect_uri <base>/oauth/callback/<provider>
                                       instead of <base>/oauth/callback (the seed's style), false */
    char *mcp_url_template;         /* mcp_url_template: "{port}", "{service}", "{instance_id}" are replaced */
    /* Refresh (section "refresh"; the margin is oauth.refresh_margin_s) */
    int refresh_enabled;             /* refresh.enabled: the proactive schedule, true (refresh on read always works) */
    int refresh_concurrency;         /* refresh.concurrency: refreshes in flight (each holds a db connection), 2 */
    int refresh_scan_interval_s;     /* refresh.scan_interval_s: how often the db is scanned for tokens due, 60 */
    int refresh_backoff_base_ms;     /* refresh.backoff_base_ms: first delay after a transient failure, 30000 */
    int refresh_backoff_max_ms;      /* refresh.backoff_max_ms: ceiling, 3600000 */
    int refresh_expired_max_ms;      /* refresh.expired_backoff_max_ms: ceiling (and first step at most) while the
                                                access token has expired: a waiting user gets an attempt soon, 60000 */
    int refresh_lock_wait_ms;        /* refresh.lock_wait_ms: wait for another replica's refresh lock, 20000 */
    int refresh_request_error_limit; /* refresh.request_error_limit: request-class errors in a row -> needs_reauth, 5 */
    int refresh_intent_hold_s;       /* refresh.intent_hold_s: another process's refresh intent marker younger than this
                                        = its refresh is still in flight (provider timeout + store retries), 120 */
    /* Pushes to MCP servers (section "push") */
    int push_retries;         /* push.retries: attempts after the first, 5 */
    int push_timeout_ms;      /* push.timeout_ms: per attempt, 5000 */
    int push_backoff_base_ms; /* push.backoff_base_ms: 500 */
    int push_backoff_max_ms;  /* push.backoff_max_ms: 30000 */
    json_t *push_urls;        /* push.urls: {service: base URL}; default http://127.0.0.1:<registry port> (owned,
                                 may be NULL) */
    ob_authz_config_t authz;  /* section "authorization" */
    /* GET /metrics (section "metrics") */
    int metrics_allow_loopback; /* metrics.allow_loopback: loopback peers read without a token, 1 */
    char *metrics_token_file;   /* metrics.token_file: a file holding the Bearer token for other peers, NULL */
} ob_config_t;

/*
 * Loads and validates path (NULL = $OB_CONFIG or <source>/config/broker.json), then applies the
 * environment overrides. On failure returns CM_EINVAL (or CM_EIO / CM_ENOMEM) and writes one line
 * naming the file and the field into err. On success *cfg is filled; free with ob_config_free.
 */
int ob_config_load(const char *path, ob_config_t *cfg, char *err, size_t errsz);
void ob_config_free(ob_config_t *cfg);

#endif
