/*
 * config_file.c - the configuration file's sections: listen, database, paths, log level, keys, oauth, refresh,
 * push and providers (config.h documents each field).
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

static const char *const known_keys[] = {"listen",           "base_url",  "database",  "plugin_dir", "migrations_dir",
                                         "services_file",    "log_level", "providers", "keys",       "oauth",
                                         "mcp_url_template", "refresh",   "push",      "$comment",   "authorization",
                                         "metrics",          "log",       NULL};

/* The "metrics" section: who may read GET /metrics. */
static int apply_metrics(ob_config_t *cfg, const json_t *root, char *err, size_t errsz)
{
    const char *path = cfg->path;
    json_t *sec = json_object_get(root, "metrics");
    if (sec == NULL)
        return CM_OK;
    if (!json_is_object(sec))
        return ob_cfg_fail(err, errsz, path, "metrics must be an object {allow_loopback, token_file}");
    json_t *lo = json_object_get(sec, "allow_loopback");
    if (lo != NULL && !json_is_boolean(lo))
        return ob_cfg_fail(err, errsz, path, "metrics.allow_loopback must be true or false");
    if (lo != NULL)
        cfg->metrics_allow_loopback = json_is_true(lo);
    return ob_cfg_get_string(sec, "token_file", path, "metrics.token_file", &cfg->metrics_token_file, err, errsz);
}

/* The "keys" and "oauth" sections and mcp_url_template. */
static int apply_flows(ob_config_t *cfg, const json_t *root, char *err, size_t errsz)
{
    const char *path = cfg->path, *key;
    json_t *v;
    int rc;
    json_t *keys = json_object_get(root, "keys");
    if (keys != NULL) {
        static const struct {
            const char *key;
            size_t off;
            int is_path;
        } ks[] = {{"data_key_file", offsetof(ob_config_t, data_key_file), 1},
                  {"admin_key_file", offsetof(ob_config_t, admin_key_file), 1},
                  {"admin_key_sha256", offsetof(ob_config_t, admin_key_sha256), 0},
                  {"services_dir", offsetof(ob_config_t, service_keys_dir), 1}};
        if (!json_is_object(keys))
            return ob_cfg_fail(err, errsz, path,
                               "keys must be an object {data_key_file, admin_key_file, admin_key_sha256, "
                               "services_dir}");
        json_object_foreach((json_t *)keys, key, v)
        {
            int known = 0;
            for (size_t i = 0; i < sizeof(ks) / sizeof(ks[0]); i++)
                known |= strcmp(key, ks[i].key) == 0;
            if (!known)
                return ob_cfg_fail(err, errsz, path, "unknown key \"keys.%s\"", key);
        }
        for (size_t i = 0; i < sizeof(ks) / sizeof(ks[0]); i++) {
            char field[64], *tmp = NULL;
            snprintf(field, sizeof(field), "keys.%s", ks[i].key);
            if ((rc = ob_cfg_get_string(keys, ks[i].key, path, field, &tmp, err, errsz)) != CM_OK)
                return rc;
            if (tmp == NULL)
                continue;
            char **dst = (char **)((char *)cfg + ks[i].off);
            free(*dst);
            *dst = ks[i].is_path ? ob_cfg_resolve_path(path, tmp) : tmp;
            if (ks[i].is_path)
                free(tmp);
            if (*dst == NULL)
                return CM_ENOMEM;
        }
        if (cfg->admin_key_sha256 != NULL && strlen(cfg->admin_key_sha256) != 64)
            return ob_cfg_fail(err, errsz, path, "keys.admin_key_sha256 must be 64 hex chars");
    }
    json_t *oauth = json_object_get(root, "oauth");
    if (oauth != NULL) {
        static const char *const oks[] = {
            "allowed_return_urls",        "state_ttl_s",   "refresh_margin_s",      "instance_cache_ttl_ms",
            "instance_cache_max_entries", "change_notify", "callback_per_provider", NULL};
        if (!json_is_object(oauth))
            return ob_cfg_fail(err, errsz, path, "oauth must be an object");
        json_object_foreach((json_t *)oauth, key, v)
        {
            int known = 0;
            for (size_t i = 0; oks[i] != NULL; i++)
                known |= strcmp(key, oks[i]) == 0;
            if (!known)
                return ob_cfg_fail(err, errsz, path, "unknown key \"oauth.%s\"", key);
        }
        json_t *urls = json_object_get(oauth, "allowed_return_urls");
        if (urls != NULL) {
            size_t bad = 0;
            if (!json_is_array(urls))
                return ob_cfg_fail(err, errsz, path, "oauth.allowed_return_urls must be an array of http(s) URLs");
            if (!ob_cfg_url_list_ok(urls, &bad))
                return ob_cfg_fail(err, errsz, path, "oauth.allowed_return_urls[%zu] must be an absolute http(s) URL",
                                   bad);
            json_decref(cfg->allowed_return_urls);
            cfg->allowed_return_urls = json_deep_copy(urls);
        }
        if ((rc = ob_cfg_get_int(oauth, "state_ttl_s", path, "oauth.state_ttl_s", 60, 3600, &cfg->state_ttl_s, err,
                                 errsz)) != CM_OK)
            return rc;
        if ((rc = ob_cfg_get_int(oauth, "refresh_margin_s", path, "oauth.refresh_margin_s", 0, 86400,
                                 &cfg->refresh_margin_s, err, errsz)) != CM_OK)
            return rc;
        json_t *cpp = json_object_get(oauth, "callback_per_provider");
        if (cpp != NULL && !json_is_boolean(cpp))
            return ob_cfg_fail(err, errsz, path, "oauth.callback_per_provider must be true or false");
        cfg->callback_per_provider = json_is_true(cpp);
        if ((rc = ob_cfg_get_int(oauth, "instance_cache_ttl_ms", path, "oauth.instance_cache_ttl_ms", 0, 600000,
                                 &cfg->instance_cache_ttl_ms, err, errsz)) != CM_OK)
            return rc;
        if ((rc = ob_cfg_get_int(oauth, "instance_cache_max_entries", path, "oauth.instance_cache_max_entries", 100,
                                 10000000, &cfg->instance_cache_max_entries, err, errsz)) != CM_OK)
            return rc;
        json_t *cn = json_object_get(oauth, "change_notify");
        if (cn != NULL && !json_is_boolean(cn))
            return ob_cfg_fail(err, errsz, path, "oauth.change_notify must be true or false");
        if (cn != NULL)
            cfg->change_notify = json_is_true(cn);
    }
    if ((rc = ob_cfg_get_string(root, "mcp_url_template", path, "mcp_url_template", &cfg->mcp_url_template, err,
                                errsz)) != CM_OK)
        return rc;
    return CM_OK;
}

/* Sections "refresh" and "push". */
static int apply_refresh_push(ob_config_t *cfg, const json_t *root, char *err, size_t errsz)
{
    const char *path = cfg->path, *key;
    json_t *v;
    int rc;
    static const struct {
        const char *section, *key;
        size_t off;
        int min, max;
    } ints[] = {{"refresh", "concurrency", offsetof(ob_config_t, refresh_concurrency), 1, 64},
                {"refresh", "scan_interval_s", offsetof(ob_config_t, refresh_scan_interval_s), 1, 3600},
                {"refresh", "backoff_base_ms", offsetof(ob_config_t, refresh_backoff_base_ms), 10, 3600000},
                {"refresh", "backoff_max_ms", offsetof(ob_config_t, refresh_backoff_max_ms), 10, 86400000},
                {"refresh", "expired_backoff_max_ms", offsetof(ob_config_t, refresh_expired_max_ms), 10, 3600000},
                {"refresh", "lock_wait_ms", offsetof(ob_config_t, refresh_lock_wait_ms), 100, 600000},
                {"refresh", "request_error_limit", offsetof(ob_config_t, refresh_request_error_limit), 1, 1000},
                {"refresh", "intent_hold_s", offsetof(ob_config_t, refresh_intent_hold_s), 1, 86400},
                {"push", "retries", offsetof(ob_config_t, push_retries), 0, 20},
                {"push", "timeout_ms", offsetof(ob_config_t, push_timeout_ms), 100, 60000},
                {"push", "backoff_base_ms", offsetof(ob_config_t, push_backoff_base_ms), 10, 600000},
                {"push", "backoff_max_ms", offsetof(ob_config_t, push_backoff_max_ms), 10, 3600000}};
    static const char *const sections[] = {"refresh", "push"};
    for (size_t s = 0; s < 2; s++) {
        json_t *sec = json_object_get(root, sections[s]);
        if (sec == NULL)
            continue;
        if (!json_is_object(sec))
            return ob_cfg_fail(err, errsz, path, "%s must be an object", sections[s]);
        json_object_foreach(sec, key, v)
        {
            int known = (s == 0 && strcmp(key, "enabled") == 0) || (s == 1 && strcmp(key, "urls") == 0);
            for (size_t i = 0; i < sizeof(ints) / sizeof(ints[0]); i++)
                known |= strcmp(ints[i].section, sections[s]) == 0 && strcmp(ints[i].key, key) == 0;
            if (!known)
                return ob_cfg_fail(err, errsz, path, "unknown key \"%s.%s\"", sections[s], key);
        }
        for (size_t i = 0; i < sizeof(ints) / sizeof(ints[0]); i++) {
            char field[64];
            if (strcmp(ints[i].section, sections[s]) != 0)
                continue;
            snprintf(field, sizeof(field), "%s.%s", ints[i].section, ints[i].key);
            if ((rc = ob_cfg_get_int(sec, ints[i].key, path, field, ints[i].min, ints[i].max,
                                     (int *)((char *)cfg + ints[i].off), err, errsz)) != CM_OK)
                return rc;
        }
    }
    json_t *refresh = json_object_get(root, "refresh");
    json_t *en = refresh ? json_object_get(refresh, "enabled") : NULL;
    if (en != NULL && !json_is_boolean(en))
        return ob_cfg_fail(err, errsz, path, "refresh.enabled must be true or false");
    if (en != NULL)
        cfg->refresh_enabled = json_is_true(en);
    if (cfg->refresh_backoff_max_ms < cfg->refresh_backoff_base_ms)
        return ob_cfg_fail(err, errsz, path, "refresh.backoff_max_ms must be >= refresh.backoff_base_ms");
    if (cfg->push_backoff_max_ms < cfg->push_backoff_base_ms)
        return ob_cfg_fail(err, errsz, path, "push.backoff_max_ms must be >= push.backoff_base_ms");
    json_t *push = json_object_get(root, "push");
    json_t *urls = push ? json_object_get(push, "urls") : NULL;
    if (urls != NULL) {
        if (!json_is_object(urls))
            return ob_cfg_fail(err, errsz, path, "push.urls must be an object {service: base URL}");
        json_object_foreach(urls, key, v)
        {
            if (!json_is_string(v) || !cm_url_is_http(json_string_value(v)))
                return ob_cfg_fail(err, errsz, path, "push.urls.%.64s must be an absolute http(s) URL", key);
        }
        json_decref(cfg->push_urls);
        if ((cfg->push_urls = json_deep_copy(urls)) == NULL)
            return CM_ENOMEM;
    }
    return CM_OK;
}

int ob_cfg_apply_file(ob_config_t *cfg, const json_t *root, char *err, size_t errsz)
{
    const char *path = cfg->path;
    const char *key;
    json_t *v;
    int rc;

    if (!json_is_object(root))
        return ob_cfg_fail(err, errsz, path, "top level must be a JSON object");
    json_object_foreach((json_t *)root, key, v)
    {
        int known = 0;
        for (size_t i = 0; known_keys[i] != NULL; i++)
            known |= strcmp(key, known_keys[i]) == 0;
        if (!known)
            return ob_cfg_fail(err, errsz, path, "unknown key \"%s\"", key);
    }
    if ((rc = apply_refresh_push(cfg, root, err, errsz)) != CM_OK)
        return rc;
    if ((rc = apply_metrics(cfg, root, err, errsz)) != CM_OK)
        return rc;
    json_t *listen = json_object_get(root, "listen");
    if (listen != NULL) {
        if (!json_is_object(listen))
            return ob_cfg_fail(err, errsz, path, "listen must be an object {host, port, drain_ms, workers}");
        if ((rc = ob_cfg_get_string(listen, "host", path, "listen.host", &cfg->listen_host, err, errsz)) != CM_OK)
            return rc;
        if ((rc = ob_cfg_get_int(listen, "port", path, "listen.port", 1, 65535, &cfg->port, err, errsz)) != CM_OK)
            return rc;
        if ((rc = ob_cfg_get_int(listen, "drain_ms", path, "listen.drain_ms", 1, 600000, &cfg->drain_ms, err, errsz)) !=
            CM_OK)
            return rc;
        if ((rc = ob_cfg_get_int(listen, "workers", path, "listen.workers", 0, 64, &cfg->workers, err, errsz)) != CM_OK)
            return rc;
    }
    json_t *db = json_object_get(root, "database");
    if (db != NULL) {
        if (!json_is_object(db))
            return ob_cfg_fail(err, errsz, path, "database must be an object {url, pool_size, query_timeout_ms}");
        if ((rc = ob_cfg_get_string(db, "url", path, "database.url", &cfg->database_url, err, errsz)) != CM_OK)
            return rc;
        if ((rc = ob_cfg_get_int(db, "pool_size", path, "database.pool_size", 1, 64, &cfg->db_pool_size, err, errsz)) !=
            CM_OK)
            return rc;
        if ((rc = ob_cfg_get_int(db, "query_timeout_ms", path, "database.query_timeout_ms", 100, 600000,
                                 &cfg->db_query_timeout_ms, err, errsz)) != CM_OK)
            return rc;
        if ((rc = ob_cfg_get_int(db, "health_timeout_ms", path, "database.health_timeout_ms", 50, 60000,
                                 &cfg->health_db_timeout_ms, err, errsz)) != CM_OK)
            return rc;
    }
    if ((rc = ob_cfg_get_string(root, "base_url", path, "base_url", &cfg->base_url, err, errsz)) != CM_OK)
        return rc;
    char *tmp = NULL;
    static const struct {
        const char *key;
        size_t off;
    } paths[] = {{"plugin_dir", offsetof(ob_config_t, plugin_dir)},
                 {"migrations_dir", offsetof(ob_config_t, migrations_dir)},
                 {"services_file", offsetof(ob_config_t, services_file)}};
    for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
        tmp = NULL;
        if ((rc = ob_cfg_get_string(root, paths[i].key, path, paths[i].key, &tmp, err, errsz)) != CM_OK)
            return rc;
        if (tmp != NULL) {
            char **field = (char **)((char *)cfg + paths[i].off);
            free(*field);
            *field = ob_cfg_resolve_path(path, tmp);
            free(tmp);
            if (*field == NULL)
                return CM_ENOMEM;
        }
    }
    json_t *lvl = json_object_get(root, "log_level");
    if (lvl != NULL) {
        int l = json_is_string(lvl) ? cm_log_level_from_str(json_string_value(lvl)) : -1;
        if (l < 0)
            return ob_cfg_fail(err, errsz, path, "log_level must be one of debug, info, warn, error");
        cfg->log_level = l;
    }
    json_t *log = json_object_get(root, "log");
    if (log != NULL) {
        json_t *fmt = json_object_get(log, "format");
        int f = json_is_string(fmt) ? cm_log_format_from_str(json_string_value(fmt)) : -1;
        if (!json_is_object(log) || json_object_size(log) != 1 || f < 0)
            return ob_cfg_fail(err, errsz, path, "log must be {\"format\": \"text\" or \"json\"}");
        cfg->log_format = f;
    }
    if ((rc = apply_flows(cfg, root, err, errsz)) != CM_OK)
        return rc;
    if ((rc = ob_cfg_apply_authz(cfg, json_object_get(root, "authorization"), err, errsz)) != CM_OK)
        return rc;
    json_t *prov = json_object_get(root, "providers");
    if (prov != NULL) {
        if (!json_is_object(prov))
            return ob_cfg_fail(err, errsz, path, "providers must be an object of plugin name -> settings");
        json_object_foreach(prov, key, v)
        {
            if (!json_is_object(v))
                return ob_cfg_fail(err, errsz, path, "providers.%s must be an object", key);
        }
        json_decref(cfg->providers);
        cfg->providers = json_deep_copy(prov);
    }
    return CM_OK;
}
