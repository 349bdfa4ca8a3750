/*
 * config.c - loading, validating and overriding the broker configuration.
 */
#include "config/config_int.h"

#include "common/log.h"
#include "common/status.h"
#include "common/url.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Defaults of the keys and OAuth flow settings. */
static int finish_flows(ob_config_t *cfg)
{
    const char *dir = getenv("OB_KEYS_DIR"), *var = getenv("VAR_DIR");
    cm_buf_t b = {0};
    if (dir != NULL && *dir)
        cm_buf_appendz(&b, dir);
    else if (var != NULL && *var)
        cm_buf_printf(&b, "%s/keys", var);
    else
        cm_buf_appendz(&b, OB_SOURCE_DIR "/var/keys");
    char *keys_dir = cm_buf_take(&b);
    if (keys_dir == NULL)
        return CM_ENOMEM;
    static const struct {
        size_t off;
        const char *name;
    } defs[] = {{offsetof(ob_config_t, data_key_file), "data.keys"},
                {offsetof(ob_config_t, admin_key_file), "admin.key"},
                {offsetof(ob_config_t, service_keys_dir), "services"}};
    for (size_t i = 0; i < sizeof(defs) / sizeof(defs[0]); i++) {
        char **field = (char **)((char *)cfg + defs[i].off);
        if (*field != NULL)
            continue;
        cm_buf_printf(&b, "%s/%s", keys_dir, defs[i].name);
        if ((*field = cm_buf_take(&b)) == NULL) {
            free(keys_dir);
            return CM_ENOMEM;
        }
    }
    free(keys_dir);
    if (cfg->allowed_return_urls == NULL && (cfg->allowed_return_urls = json_array()) == NULL)
        return CM_ENOMEM;
    return ob_cfg_set_default(&cfg->mcp_url_template, "http://127.0.0.1:{port}/{instance_id}/mcp");
}

static int finish(ob_config_t *cfg, char *err, size_t errsz)
{
    int rc;
    char buf[64];
    if ((rc = ob_cfg_set_default(&cfg->listen_host, "127.0.0.1")) != CM_OK)
        return rc;
    if (cfg->base_url == NULL) {
        snprintf(buf, sizeof(buf), "http://127.0.0.1:%d", cfg->port);
        if ((rc = ob_cfg_set_default(&cfg->base_url, buf)) != CM_OK)
            return rc;
    }
    size_t n = strlen(cfg->base_url);
    while (n > 0 && cfg->base_url[n - 1] == '/')
        cfg->base_url[--n] = '\0';
    if (!cm_url_is_http(cfg->base_url))
        return ob_cfg_fail(err, errsz, cfg->path, "base_url must be an absolute http(s) URL, got \"%.64s\"",
                           cfg->base_url);
    if (cfg->database_url == NULL)
        return ob_cfg_fail(err, errsz, cfg->path, "database.url is not set (set it in the file or DATABASE_URL)");
    if ((rc = ob_cfg_set_default(&cfg->plugin_dir, OB_DEFAULT_PLUGIN_DIR)) != CM_OK)
        return rc;
    if ((rc = ob_cfg_set_default(&cfg->migrations_dir, OB_SOURCE_DIR "/db/migrations")) != CM_OK)
        return rc;
    if ((rc = ob_cfg_set_default(&cfg->services_file, OB_SOURCE_DIR "/config/services.json")) != CM_OK)
        return rc;
    if (cfg->providers == NULL && (cfg->providers = json_object()) == NULL)
        return CM_ENOMEM;
    /* a refresh holds a pooled connection across the provider call: refreshes must leave one for everything else */
    if (cfg->refresh_concurrency == 0)
        cfg->refresh_concurrency = cfg->db_pool_size - 1 < 2 ? cfg->db_pool_size - 1 : 2;
    if (cfg->refresh_concurrency < 1 || cfg->refresh_concurrency >= cfg->db_pool_size)
        return ob_cfg_fail(
            err, errsz, cfg->path,
            "refresh.concurrency (%d) must be below database.pool_size (%d): each refresh holds a pooled "
            "connection across the provider call",
            cfg->refresh_concurrency < 1 ? 1 : cfg->refresh_concurrency, cfg->db_pool_size);
    if ((rc = finish_flows(cfg)) != CM_OK)
        return rc;
    return ob_cfg_finish_authz(cfg, err, errsz);
}

int ob_config_load(const char *path, ob_config_t *cfg, char *err, size_t errsz)
{
    json_error_t jerr;
    int rc;

    memset(cfg, 0, sizeof(*cfg));
    cfg->port = 3001;
    cfg->drain_ms = 5000;
    cfg->metrics_allow_loopback = 1;
    cfg->db_pool_size = 4;
    cfg->db_query_timeout_ms = 5000;
    cfg->health_db_timeout_ms = 1000;
    cfg->log_level = CM_LOG_INFO;
    cfg->log_format = CM_LOG_FORMAT_TEXT;
    cfg->state_ttl_s = 600;
    cfg->refresh_margin_s = 300;
    cfg->instance_cache_ttl_ms = 2000;
    cfg->instance_cache_max_entries = 200000;
    cfg->change_notify = 1;
    cfg->refresh_enabled = 1;
    cfg->refresh_scan_interval_s = 60;
    cfg->refresh_backoff_base_ms = 30000;
    cfg->refresh_backoff_max_ms = 3600000;
    cfg->refresh_expired_max_ms = 60000;
    cfg->refresh_lock_wait_ms = 20000;
    cfg->refresh_request_error_limit = 5;
    cfg->refresh_intent_hold_s = 120;
    cfg->refresh_concurrency = 0; /* 0 = not configured: min(2, database.pool_size - 1) in finish() */
    cfg->push_retries = 5;
    cfg->push_timeout_ms = 5000;
    cfg->push_backoff_base_ms = 500;
    cfg->push_backoff_max_ms = 30000;
    ob_cfg_authz_defaults(&cfg->authz);
    if (path == NULL)
        path = getenv("OB_CONFIG");
    if (path == NULL)
        path = OB_SOURCE_DIR "/config/broker.json";
    if ((cfg->path = strdup(path)) == NULL)
        return CM_ENOMEM;

    json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
    if (root == NULL) {
        if (jerr.line <= 0)
            snprintf(err, errsz, "config error: %s: cannot read file: %s", path, jerr.text);
        else
            snprintf(err, errsz, "config error: %s:%d:%d: invalid JSON: %s", path, jerr.line, jerr.column, jerr.text);
        rc = CM_EINVAL;
        goto out_free_cfg;
    }
    rc = ob_cfg_apply_file(cfg, root, err, errsz);
    json_decref(root);
    if (rc != CM_OK)
        goto out_free_cfg;
    if ((rc = ob_cfg_apply_env(cfg, err, errsz)) != CM_OK)
        goto out_free_cfg;
    if ((rc = finish(cfg, err, errsz)) != CM_OK)
        goto out_free_cfg;
    return CM_OK;

out_free_cfg:
    if (rc == CM_ENOMEM)
        snprintf(err, errsz, "config error: %s: out of memory", path);
    ob_config_free(cfg);
    return rc;
}

void ob_config_free(ob_config_t *cfg)
{
    if (cfg == NULL)
        return;
    free(cfg->path);
    free(cfg->listen_host);
    free(cfg->base_url);
    free(cfg->database_url);
    free(cfg->plugin_dir);
    free(cfg->metrics_token_file);
    free(cfg->migrations_dir);
    free(cfg->services_file);
    json_decref(cfg->providers);
    free(cfg->data_key_file);
    free(cfg->admin_key_file);
    free(cfg->admin_key_sha256);
    free(cfg->service_keys_dir);
    json_decref(cfg->allowed_return_urls);
    free(cfg->mcp_url_template);
    json_decref(cfg->push_urls);
    ob_cfg_authz_free(&cfg->authz);
    memset(cfg, 0, sizeof(*cfg));
}
