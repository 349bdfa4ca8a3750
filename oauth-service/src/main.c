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
#include "supervisor.h"

#include "as/cimd.h"
#include "core/broker.h"
#include "core/metrics_board.h"
#include "handlers/routes.h"
#include "providers/host_api.h"
#include "providers/registry.h"
#include "providers/reload_signal.h"
#include "as/as.h"
#include "keys/keys.h"
#include "push/pusher.h"
#include "refresh/refresher.h"
#include "store/change_feed.h"
#include "store/instance_cache.h"
#include "store/rotate.h"

#include "common/log.h"
#include "common/status.h"

#include <curl/curl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define EXIT_USAGE 2

static void usage(FILE *out)
{
    fprintf(out, "usage: oauth-service [--config FILE] [--workers N] [run|migrate|check-config|rotate-keys|version]\n"
                 "  run           apply migrations, seed the service registry, serve HTTP (default)\n"
                 "  migrate       apply migrations and seed the service registry, then exit\n"
                 "  check-config  validate the configuration and exit\n"
                 "  rotate-keys   re-encrypt every stored secret under the newest data key, then exit\n"
                 "  version       print the version\n"
                 "  --workers N   run N worker processes (0 = one per CPU, the default; 1 = a single process)\n"
                 "signals (run): SIGTERM, SIGINT stop gracefully; SIGHUP reloads the provider plugins (in every\n"
                 "               worker); SIGUSR2 replaces the workers one at a time\n"
                 "environment: DATABASE_URL OAUTH_SERVICE_HOST OAUTH_SERVICE_PORT OAUTH_BASE_URL OB_PLUGIN_DIR\n"
                 "             OB_MIGRATIONS_DIR OB_SERVICES_FILE OB_CONFIG LOG_LEVEL LOG_FORMAT\n"
                 "             OB_KEYS_DIR OB_DATA_KEY_FILE OB_DATA_KEYS OB_ADMIN_KEY_FILE OB_ADMIN_KEY_SHA256\n"
                 "             OB_SERVICE_KEYS_DIR OB_ALLOWED_RETURN_URLS OB_REFRESH_MARGIN_S\n"
                 "             OB_WORKERS\n");
}

/* What the supervisor prepared once for every worker (read-only in the workers). */
struct prepared {
    ob_config_t *cfg;
    json_t *services;
    ob_keys_t *keys;
    int workers;
    ob_metrics_board_t *board; /* several workers: their metrics, shared (NULL with one) */
};

/* One event loop serving HTTP: the whole broker with one worker, or worker `index` of several (the proactive refresh
 * schedule then runs in worker 0 only; every worker refreshes on read under the cross-process lock). */
static int serve_worker(struct prepared *p, int index, int port)
{
    ob_config_t *cfg = p->cfg;
    char err[512];
    int rc, bound = 0, exit_code = 1;
    ob_broker_t b = {.cfg = cfg,
                     .services = p->services,
                     .keys = p->keys,
                     .worker = index,
                     .workers = p->workers,
                     .metrics_board = p->board};
    ob_reload_signal_t *reload = NULL;

    if (p->workers > 1 && index != 0)
        cfg->refresh_enabled = 0; /* this process's copy: one schedule per broker */
    cm_server_options_t opts = {.name = "oauth-service",
                                .max_request_body = 64 * 1024,
                                .drain_ms = cfg->drain_ms,
                                .reuse_port = p->workers > 1};
    if ((b.server = cm_server_new(&opts)) == NULL)
        return 1;
    h2o_evloop_t *loop = cm_server_loop(b.server);
    if ((b.http = cm_http_client_new(loop)) == NULL)
        goto out_free_server;
    if ((b.db = cm_pg_pool_new(loop, cfg->database_url, cfg->db_pool_size)) == NULL)
        goto out_free_http;
    cm_pg_pool_set_timeout(b.db, cfg->db_query_timeout_ms);
    if ((b.instances = ob_icache_new(b.db, b.keys->ring, cfg->instance_cache_ttl_ms,
                                     (size_t)cfg->instance_cache_max_entries)) == NULL)
        goto out_free_db;
    if (cfg->change_notify && (b.changes = ob_change_feed_new(b.db, b.instances, 0)) == NULL)
        goto out_free_db;
    if (cfg->authz.enabled &&
        (b.cimd = ob_cimd_new(b.http, cfg->authz.cimd_allowed_origins, cfg->authz.cimd_ca_file, 0)) == NULL)
        goto out_free_db;
    if ((b.host_api = ob_host_api_new(b.http)) == NULL)
        goto out_free_db;
    if ((b.providers = ob_registry_load(cfg->plugin_dir, b.host_api, cfg->providers)) == NULL)
        goto out_free_host;
    if (ob_registry_attach_loop(b.providers, loop) != CM_OK)
        goto out_free_registry;
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
    if (cm_server_listen(b.server, cfg->listen_host, port, &bound) != CM_OK)
        goto out_free_registry;
    reload = ob_reload_signal_new(loop, b.providers); /* NULL: logged; the admin call still reloads */
    ob_supervisor_worker_ready();
    if (p->workers > 1)
        cm_info("broker", "worker %d (pid %d) listening on %s:%d, proactive refresh schedule %s", index, (int)getpid(),
                cfg->listen_host, bound, cfg->refresh_enabled ? "on" : "off");
    if (index == 0)
        cm_info("broker", "oauth-service %s listening on %s:%d (base URL %s), %zu providers loaded, %d worker(s)",
                OB_VERSION, cfg->listen_host, bound, cfg->base_url, ob_registry_count(b.providers), p->workers);
    if (index == 0)
        cm_info("broker", "health: %s/health  providers: %s/providers", cfg->base_url, cfg->base_url);
    cm_log_set_rate_limit_ms(-1); /* serving: flood control on (LOG_RATE_LIMIT_MS) */
    if (cm_server_run(b.server) == CM_OK) {
        cm_info("broker", "shutting down");
        exit_code = 0;
    }

out_free_registry:
    ob_reload_signal_free(reload);
    ob_metrics_close();
    ob_refresher_close(b.refresher); /* before the registry completes plugin calls in flight */
    ob_registry_free(b.providers);
    b.providers = NULL; /* requests the pool still completes release their providers into nothing */
    ob_refresher_free(b.refresher);
    ob_pusher_free(b.pusher);
out_free_host:
    ob_host_api_free(b.host_api);
out_free_db:
    ob_cimd_free(b.cimd);           /* its fetches are calls of b.http */
    ob_change_feed_free(b.changes); /* borrows the pool's settings and the cache */
    cm_pg_pool_free(b.db);
    ob_icache_free(b.instances); /* after the pool: its callbacks may reference entries */
    ob_as_free(b.as);            /* after the pool (its callbacks reference it), before the loop goes */
out_free_http:
    cm_http_client_free(b.http);
out_free_server:
    cm_server_free(b.server);
    cm_log_flush(); /* the counts of lines folded by flood control */
    return exit_code;
}

/* The work done once per broker (migrations, the registry, the key files), then one loop or the supervisor. */
static int serve(ob_config_t *cfg, int workers)
{
    char err[512];
    struct prepared p = {.cfg = cfg, .workers = workers > 0 ? workers : ob_cpu_count()};
    int exit_code;

    if (p.workers > OB_WORKERS_MAX)
        p.workers = OB_WORKERS_MAX;
    /* a reload asked for while starting must not end the process: it loads everything anyway */
    signal(SIGHUP, SIG_IGN);
    if (ob_startup_db(cfg, 30, &p.services, err, sizeof(err)) != CM_OK) {
        cm_error("broker", "%s", err);
        return 1;
    }
    if (ob_keys_load(cfg, p.services, &p.keys, err, sizeof(err)) != CM_OK) {
        cm_error("broker", "keys: %s", err);
        json_decref(p.services);
        return EXIT_USAGE; /* a missing or malformed key file is bad configuration */
    }
    if (p.workers == 1) {
        exit_code = serve_worker(&p, 0, cfg->port);
    } else {
        if ((p.board = ob_metrics_board_new(p.workers)) == NULL) {
            cm_error("broker", "metrics board: out of memory");
            exit_code = 1;
            goto out_free_keys;
        }
        ob_supervisor_opts_t so = {
            .workers = p.workers, .host = cfg->listen_host, .port = cfg->port, .drain_ms = cfg->drain_ms};
        ob_worker_slot_t slot;
        exit_code = ob_supervise(&so, &slot);
        if (slot.is_worker)
            exit_code = serve_worker(&p, slot.index, slot.port);
    }
out_free_keys:
    ob_metrics_board_free(p.board);
    ob_keys_free(p.keys);
    json_decref(p.services);
    cm_log_flush();
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
    int workers = -1; /* --workers: wins over listen.workers and OB_WORKERS */
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
        } else if (strcmp(argv[i], "--workers") == 0 || strcmp(argv[i], "-w") == 0) {
            char *end = NULL;
            long n = ++i < argc ? strtol(argv[i], &end, 10) : -1;
            if (i == argc || end == argv[i] || *end != '\0' || n < 0 || n > OB_WORKERS_MAX) {
                fprintf(stderr, "oauth-service: --workers needs a number 0..%d (0 = one per CPU)\n", OB_WORKERS_MAX);
                return EXIT_USAGE;
            }
            workers = (int)n;
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
        code = serve(&cfg, workers >= 0 ? workers : cfg.workers);
    }
    ob_config_free(&cfg);
    curl_global_cleanup();
    return code;
}
