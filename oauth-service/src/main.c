/*
 * main.c - the oauth-service command line.
 *
 *   oauth-service [--config FILE] [run]       migrate, seed, load plugins, serve (default)
 *   oauth-service [--config FILE] migrate     apply migrations and seed the registry, then exit
 *   oauth-service [--config FILE] check-config
 *   oauth-service [--config FILE] rotate-keys  re-encrypt every credential under the newest data key
 *   oauth-service version
 *
 * Exit codes: 0 success, 1 runtime failure, 2 bad usage or bad configuration.
 */
#include "check_config.h"
#include "startup.h"

#include "as/cimd.h"
#include "core/broker.h"
#include "handlers/routes.h"
#include "providers/host_api.h"
#include "providers/registry.h"
#include "as/as.h"
#include "keys/keys.h"
#include "push/pusher.h"
#include "refresh/refresher.h"
#include "store/instance_cache.h"
#include "store/rotate.h"

#include "common/log.h"
#include "common/mem_trim.h"
#include "common/status.h"

#include <curl/curl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#define EXIT_USAGE 2

static void usage(FILE *out)
{
    fprintf(out, "usage: oauth-service [--config FILE] [run|migrate|check-config|rotate-keys|version]\n"
                 "  run           apply migrations, seed the service registry, serve HTTP (default)\n"
                 "  migrate       apply migrations and seed the service registry, then exit\n"
                 "  check-config  validate the configuration and exit\n"
                 "  rotate-keys   re-encrypt every stored secret under the newest data key, then exit\n"
                 "  version       print the version\n"
                 "environment: DATABASE_URL OAUTH_SERVICE_HOST OAUTH_SERVICE_PORT OAUTH_BASE_URL OB_PLUGIN_DIR\n"
                 "             OB_MIGRATIONS_DIR OB_SERVICES_FILE OB_CONFIG LOG_LEVEL LOG_FORMAT\n"
                 "             OB_KEYS_DIR OB_DATA_KEY_FILE OB_DATA_KEYS OB_ADMIN_KEY_FILE OB_ADMIN_KEY_SHA256\n"
                 "             OB_SERVICE_KEYS_DIR OB_ALLOWED_RETURN_URLS OB_REFRESH_MARGIN_S\n");
}

static int serve(ob_config_t *cfg)
{
    char err[512];
    int rc, port = 0, exit_code = 1;
    ob_broker_t b = {.cfg = cfg};
    cm_mem_trim_t *trim = NULL; /* memory freed by a burst (a refresh storm) goes back to the system */

    if (ob_startup_db(cfg, 30, &b.services, err, sizeof(err)) != CM_OK) {
        cm_error("broker", "%s", err);
        return 1;
    }
    if (ob_keys_load(cfg, b.services, &b.keys, err, sizeof(err)) != CM_OK) {
        cm_error("broker", "keys: %s", err);
        exit_code = EXIT_USAGE; /* a missing or malformed key file is bad configuration */
        goto out_free_services;
    }
    cm_server_options_t opts = {.name = "oauth-service", .max_request_body = 64 * 1024, .drain_ms = cfg->drain_ms};
    if ((b.server = cm_server_new(&opts)) == NULL)
        goto out_free_services;
    h2o_evloop_t *loop = cm_server_loop(b.server);
    if ((b.http = cm_http_client_new(loop)) == NULL)
        goto out_free_server;
    if ((b.db = cm_pg_pool_new(loop, cfg->database_url, cfg->db_pool_size)) == NULL)
        goto out_free_http;
    cm_pg_pool_set_timeout(b.db, cfg->db_query_timeout_ms);
    if ((b.instances = ob_icache_new(b.db, b.keys->ring, cfg->instance_cache_ttl_ms, 0)) == NULL)
        goto out_free_db;
    if (cfg->authz.enabled &&
        (b.cimd = ob_cimd_new(b.http, cfg->authz.cimd_allowed_origins, cfg->authz.cimd_ca_file, 0)) == NULL)
        goto out_free_db;
    if ((b.host_api = ob_host_api_new(b.http)) == NULL)
        goto out_free_db;
    if ((b.providers = ob_registry_load(cfg->plugin_dir, b.host_api, cfg->providers)) == NULL)
        goto out_free_host;
    if ((b.pusher = ob_pusher_new(&b)) == NULL || (b.refresher = ob_refresher_new(&b)) == NULL)
        goto out_free_registry;
    if (cfg->authz.enabled && (rc = ob_as_new(&b, &b.as, err, sizeof(err))) != CM_OK) {
        cm_error("broker", "authorization server: %s", rc == CM_ENOMEM ? "out of memory" : err);
        goto out_free_registry;
    }
    if ((rc = ob_routes_register(&b)) != CM_OK) {
        cm_error("broker", "route setup failed: %s", cm_status_str(rc));
        goto out_free_registry;
    }
    if (cm_server_listen(b.server, cfg->listen_host, cfg->port, &port) != CM_OK)
        goto out_free_registry;
    cm_info("broker", "oauth-service %s listening on %s:%d (base URL %s), %zu providers loaded", OB_VERSION,
            cfg->listen_host, port, cfg->base_url, ob_registry_count(b.providers));
    cm_info("broker", "health: %s/health  providers: %s/providers", cfg->base_url, cfg->base_url);
    cm_log_set_rate_limit_ms(-1); /* serving: flood control on (LOG_RATE_LIMIT_MS) */
    if ((trim = cm_mem_trim_new(loop, 0, 0)) == NULL)
        cm_warn("broker", "no memory trimming (out of memory): freed memory stays resident");
    if (cm_server_run(b.server) == CM_OK) {
        cm_info("broker", "shutting down");
        exit_code = 0;
    }

out_free_registry:
    cm_mem_trim_free(trim);
    ob_metrics_close();
    ob_refresher_close(b.refresher); /* before the registry completes plugin calls in flight */
    ob_registry_free(b.providers);
    ob_refresher_free(b.refresher);
    ob_pusher_free(b.pusher);
out_free_host:
    ob_host_api_free(b.host_api);
out_free_db:
    ob_cimd_free(b.cimd); /* its fetches are calls of b.http */
    cm_pg_pool_free(b.db);
    ob_icache_free(b.instances); /* after the pool: its callbacks may reference entries */
    ob_as_free(b.as);            /* after the pool (its callbacks reference it), before the loop goes */
out_free_http:
    cm_http_client_free(b.http);
out_free_server:
    cm_server_free(b.server);
out_free_services:
    ob_keys_free(b.keys);
    json_decref(b.services);
    cm_log_flush(); /* the counts of lines folded by flood control */
    return exit_code;
}

/* rotate-keys: blocking libpq (a CLI command, no event loop). */
static int rotate_keys(const ob_config_t *cfg)
{
    char err[512];
    ob_keys_t *keys = NULL;
    ob_rotate_stats_t st;
    if (ob_keys_load(cfg, NULL, &keys, err, sizeof(err)) != CM_OK) {
        cm_error("broker", "keys: %s", err);
        return EXIT_USAGE;
    }
    PGconn *conn = PQconnectdb(cfg->database_url);
    int code = 1;
    if (PQstatus(conn) != CONNECTION_OK) {
        cm_error("broker", "database: %s", PQerrorMessage(conn));
    } else if (ob_rotate_keys(conn, keys->ring, 100, &st, err, sizeof(err)) != CM_OK) {
        cm_error("broker", "rotate-keys: %s", err);
    } else {
        printf("rotate-keys: newest key \"%s\": %zu rows re-encrypted (%zu fields), %zu fields could not be opened\n",
               ob_keyring_primary(keys->ring), st.rows_rotated, st.fields_rotated, st.failures);
        code = st.failures == 0 ? 0 : 1;
    }
    PQfinish(conn);
    ob_keys_free(keys);
    return code;
}

int main(int argc, char **argv)
{
    const char *config_path = NULL, *command = "run";
    char err[512];
    ob_config_t cfg;
    cm_log_set_rate_limit_ms(0); /* commands and the start print every line (a list of plugins, of migrations) */
    int code;

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--config") == 0 || strcmp(argv[i], "-c") == 0) {
            if (++i == argc) {
                fprintf(stderr, "oauth-service: --config needs a file\n");
                return EXIT_USAGE;
            }
            config_path = argv[i];
        } else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "help") == 0) {
            usage(stdout);
            return 0;
        } else if (argv[i][0] != '-' && (strcmp(argv[i], "run") == 0 || strcmp(argv[i], "migrate") == 0 ||
                                         strcmp(argv[i], "check-config") == 0 || strcmp(argv[i], "version") == 0 ||
                                         strcmp(argv[i], "rotate-keys") == 0)) {
            command = argv[i];
        } else {
            fprintf(stderr, "oauth-service: unknown argument \"%s\"\n", argv[i]);
            usage(stderr);
            return EXIT_USAGE;
        }
    }
    if (strcmp(command, "version") == 0) {
        printf("oauth-service %s (provider ABI %d.%d)\n", OB_VERSION, OP_ABI_MAJOR, OP_ABI_MINOR);
        return 0;
    }
    if (ob_config_load(config_path, &cfg, err, sizeof(err)) != CM_OK) {
        fprintf(stderr, "%s\n", err);
        return EXIT_USAGE;
    }
    cm_log_set_level(cfg.log_level);
    cm_log_set_format(cfg.log_format);
    signal(SIGPIPE, SIG_IGN);
    curl_global_init(CURL_GLOBAL_DEFAULT);

    if (strcmp(command, "check-config") == 0) {
        ob_keys_t *keys = NULL; /* the data key ring and the admin key (service keys need the registry) */
        if (ob_keys_load(&cfg, NULL, &keys, err, sizeof(err)) != CM_OK) {
            fprintf(stderr, "keys: %s\n", err);
            code = EXIT_USAGE;
        } else if (ob_check_providers(&cfg, stdout) < 0) {
            code = EXIT_USAGE;
        } else {
            printf("config ok: %s\n", cfg.path);
            code = 0;
        }
        ob_keys_free(keys);
    } else if (strcmp(command, "migrate") == 0) {
        code = 0;
        if (ob_startup_db(&cfg, 10, NULL, err, sizeof(err)) != CM_OK) {
            cm_error("broker", "%s", err);
            code = 1;
        } else {
            cm_info("broker", "migrations applied, service registry seeded");
        }
    } else if (strcmp(command, "rotate-keys") == 0) {
        code = rotate_keys(&cfg);
    } else {
        code = serve(&cfg);
    }
    ob_config_free(&cfg);
    curl_global_cleanup();
    return code;
}
