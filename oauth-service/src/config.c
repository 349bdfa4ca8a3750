/*
 * config.c - loading, validating and overriding the broker configuration.
 */
#include "config.h"

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
                                         "mcp_url_template", "refresh",   "push",      "$comment",   NULL};

static int fail(char *err, size_t errsz, const char *path, const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int fail(char *err, size_t errsz, const char *path, const char *fmt, ...)
{
    char msg[384];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    snprintf(err, errsz, "config error: %s: %s", path ? path : "(none)", msg);
    return CM_EINVAL;
}

/* Resolves a path relative to the config file's directory. Returns malloc'ed string. */
static char *resolve_path(const char *cfg_path, const char *p)
{
    if (p[0] == '/')
        return strdup(p);
    const char *slash = strrchr(cfg_path, '/');
    cm_buf_t b = {0};
    if (slash != NULL)
        cm_buf_append(&b, cfg_path, (size_t)(slash - cfg_path + 1));
    cm_buf_appendz(&b, p);
    return cm_buf_take(&b);
}

/* Parses a decimal port; returns -1 when invalid. */
static int parse_port(const char *s)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || v < 1 || v > 65535)
        return -1;
    return (int)v;
}

static int get_string(const json_t *obj, const char *key, const char *path, const char *field, char **out, char *err,
                      size_t errsz)
{
    json_t *v = json_object_get(obj, key);
    if (v == NULL || json_is_null(v))
        return CM_OK;
    if (!json_is_string(v) || json_string_length(v) == 0)
        return fail(err, errsz, path, "%s must be a non-empty string", field);
    free(*out);
    *out = strdup(json_string_value(v));
    return *out ? CM_OK : CM_ENOMEM;
}

static int get_int(const json_t *obj, const char *key, const char *path, const char *field, int min, int max, int *out,
                   char *err, size_t errsz)
{
    json_t *v = json_object_get(obj, key);
    if (v == NULL || json_is_null(v))
        return CM_OK;
    if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > max)
        return fail(err, errsz, path, "%s must be an integer in %d..%d", field, min, max);
    *out = (int)json_integer_value(v);
    return CM_OK;
}

static int set_default(char **field, const char *value)
{
    if (*field != NULL)
        return CM_OK;
    *field = strdup(value);
    return *field ? CM_OK : CM_ENOMEM;
}

/* 1 when every member of arr is an absolute http(s) URL string. */
static int url_list_ok(const json_t *arr, size_t *bad)
{
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v)
    {
        if (!json_is_string(v) || !cm_url_is_http(json_string_value(v)) || json_string_length(v) > 1024) {
            *bad = i;
            return 0;
        }
    }
    return 1;
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
            return fail(err, errsz, path,
                        "keys must be an object {data_key_file, admin_key_file, admin_key_sha256, "
                        "services_dir}");
        json_object_foreach((json_t *)keys, key, v)
        {
            int known = 0;
            for (size_t i = 0; i < sizeof(ks) / sizeof(ks[0]); i++)
                known |= strcmp(key, ks[i].key) == 0;
            if (!known)
                return fail(err, errsz, path, "unknown key \"keys.%s\"", key);
        }
        for (size_t i = 0; i < sizeof(ks) / sizeof(ks[0]); i++) {
            char field[64], *tmp = NULL;
            snprintf(field, sizeof(field), "keys.%s", ks[i].key);
            if ((rc = get_string(keys, ks[i].key, path, field, &tmp, err, errsz)) != CM_OK)
                return rc;
            if (tmp == NULL)
                continue;
            char **dst = (char **)((char *)cfg + ks[i].off);
            free(*dst);
            *dst = ks[i].is_path ? resolve_path(path, tmp) : tmp;
            if (ks[i].is_path)
                free(tmp);
            if (*dst == NULL)
                return CM_ENOMEM;
        }
        if (cfg->admin_key_sha256 != NULL && strlen(cfg->admin_key_sha256) != 64)
            return fail(err, errsz, path, "keys.admin_key_sha256 must be 64 hex chars");
    }
    json_t *oauth = json_object_get(root, "oauth");
    if (oauth != NULL) {
        static const char *const oks[] = {"allowed_return_urls",   "state_ttl_s",           "refresh_margin_s",
                                          "instance_cache_ttl_ms", "callback_per_provider", NULL};
        if (!json_is_object(oauth))
            return fail(err, errsz, path, "oauth must be an object");
        json_object_foreach((json_t *)oauth, key, v)
        {
            int known = 0;
            for (size_t i = 0; oks[i] != NULL; i++)
                known |= strcmp(key, oks[i]) == 0;
            if (!known)
                return fail(err, errsz, path, "unknown key \"oauth.%s\"", key);
        }
        json_t *urls = json_object_get(oauth, "allowed_return_urls");
        if (urls != NULL) {
            size_t bad = 0;
            if (!json_is_array(urls))
                return fail(err, errsz, path, "oauth.allowed_return_urls must be an array of http(s) URLs");
            if (!url_list_ok(urls, &bad))
                return fail(err, errsz, path, "oauth.allowed_return_urls[%zu] must be an absolute http(s) URL", bad);
            json_decref(cfg->allowed_return_urls);
            cfg->allowed_return_urls = json_deep_copy(urls);
        }
        if ((rc = get_int(oauth, "state_ttl_s", path, "oauth.state_ttl_s", 60, 3600, &cfg->state_ttl_s, err, errsz)) !=
            CM_OK)
            return rc;
        if ((rc = get_int(oauth, "refresh_margin_s", path, "oauth.refresh_margin_s", 0, 86400, &cfg->refresh_margin_s,
                          err, errsz)) != CM_OK)
            return rc;
        json_t *cpp = json_object_get(oauth, "callback_per_provider");
        if (cpp != NULL && !json_is_boolean(cpp))
            return fail(err, errsz, path, "oauth.callback_per_provider must be true or false");
        cfg->callback_per_provider = json_is_true(cpp);
        if ((rc = get_int(oauth, "instance_cache_ttl_ms", path, "oauth.instance_cache_ttl_ms", 0, 600000,
                          &cfg->instance_cache_ttl_ms, err, errsz)) != CM_OK)
            return rc;
    }
    if ((rc = get_string(root, "mcp_url_template", path, "mcp_url_template", &cfg->mcp_url_template, err, errsz)) !=
        CM_OK)
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
            return fail(err, errsz, path, "%s must be an object", sections[s]);
        json_object_foreach(sec, key, v)
        {
            int known = (s == 0 && strcmp(key, "enabled") == 0) || (s == 1 && strcmp(key, "urls") == 0);
            for (size_t i = 0; i < sizeof(ints) / sizeof(ints[0]); i++)
                known |= strcmp(ints[i].section, sections[s]) == 0 && strcmp(ints[i].key, key) == 0;
            if (!known)
                return fail(err, errsz, path, "unknown key \"%s.%s\"", sections[s], key);
        }
        for (size_t i = 0; i < sizeof(ints) / sizeof(ints[0]); i++) {
            char field[64];
            if (strcmp(ints[i].section, sections[s]) != 0)
                continue;
            snprintf(field, sizeof(field), "%s.%s", ints[i].section, ints[i].key);
            if ((rc = get_int(sec, ints[i].key, path, field, ints[i].min, ints[i].max,
                              (int *)((char *)cfg + ints[i].off), err, errsz)) != CM_OK)
                return rc;
        }
    }
    json_t *refresh = json_object_get(root, "refresh");
    json_t *en = refresh ? json_object_get(refresh, "enabled") : NULL;
    if (en != NULL && !json_is_boolean(en))
        return fail(err, errsz, path, "refresh.enabled must be true or false");
    if (en != NULL)
        cfg->refresh_enabled = json_is_true(en);
    if (cfg->refresh_backoff_max_ms < cfg->refresh_backoff_base_ms)
        return fail(err, errsz, path, "refresh.backoff_max_ms must be >= refresh.backoff_base_ms");
    if (cfg->push_backoff_max_ms < cfg->push_backoff_base_ms)
        return fail(err, errsz, path, "push.backoff_max_ms must be >= push.backoff_base_ms");
    json_t *push = json_object_get(root, "push");
    json_t *urls = push ? json_object_get(push, "urls") : NULL;
    if (urls != NULL) {
        if (!json_is_object(urls))
            return fail(err, errsz, path, "push.urls must be an object {service: base URL}");
        json_object_foreach(urls, key, v)
        {
            if (!json_is_string(v) || !cm_url_is_http(json_string_value(v)))
                return fail(err, errsz, path, "push.urls.%.64s must be an absolute http(s) URL", key);
        }
        json_decref(cfg->push_urls);
        if ((cfg->push_urls = json_deep_copy(urls)) == NULL)
            return CM_ENOMEM;
    }
    return CM_OK;
}

static int apply_file(ob_config_t *cfg, const json_t *root, char *err, size_t errsz)
{
    const char *path = cfg->path;
    const char *key;
    json_t *v;
    int rc;

    if (!json_is_object(root))
        return fail(err, errsz, path, "top level must be a JSON object");
    json_object_foreach((json_t *)root, key, v)
    {
        int known = 0;
        for (size_t i = 0; known_keys[i] != NULL; i++)
            known |= strcmp(key, known_keys[i]) == 0;
        if (!known)
            return fail(err, errsz, path, "unknown key \"%s\"", key);
    }
    if ((rc = apply_refresh_push(cfg, root, err, errsz)) != CM_OK)
        return rc;
    json_t *listen = json_object_get(root, "listen");
    if (listen != NULL) {
        if (!json_is_object(listen))
            return fail(err, errsz, path, "listen must be an object {host, port}");
        if ((rc = get_string(listen, "host", path, "listen.host", &cfg->listen_host, err, errsz)) != CM_OK)
            return rc;
        if ((rc = get_int(listen, "port", path, "listen.port", 1, 65535, &cfg->port, err, errsz)) != CM_OK)
            return rc;
    }
    json_t *db = json_object_get(root, "database");
    if (db != NULL) {
        if (!json_is_object(db))
            return fail(err, errsz, path, "database must be an object {url, pool_size, query_timeout_ms}");
        if ((rc = get_string(db, "url", path, "database.url", &cfg->database_url, err, errsz)) != CM_OK)
            return rc;
        if ((rc = get_int(db, "pool_size", path, "database.pool_size", 1, 64, &cfg->db_pool_size, err, errsz)) != CM_OK)
            return rc;
        if ((rc = get_int(db, "query_timeout_ms", path, "database.query_timeout_ms", 100, 600000,
                          &cfg->db_query_timeout_ms, err, errsz)) != CM_OK)
            return rc;
        if ((rc = get_int(db, "health_timeout_ms", path, "database.health_timeout_ms", 50, 60000,
                          &cfg->health_db_timeout_ms, err, errsz)) != CM_OK)
            return rc;
    }
    if ((rc = get_string(root, "base_url", path, "base_url", &cfg->base_url, err, errsz)) != CM_OK)
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
        if ((rc = get_string(root, paths[i].key, path, paths[i].key, &tmp, err, errsz)) != CM_OK)
            return rc;
        if (tmp != NULL) {
            char **field = (char **)((char *)cfg + paths[i].off);
            free(*field);
            *field = resolve_path(path, tmp);
            free(tmp);
            if (*field == NULL)
                return CM_ENOMEM;
        }
    }
    json_t *lvl = json_object_get(root, "log_level");
    if (lvl != NULL) {
        int l = json_is_string(lvl) ? cm_log_level_from_str(json_string_value(lvl)) : -1;
        if (l < 0)
            return fail(err, errsz, path, "log_level must be one of debug, info, warn, error");
        cfg->log_level = l;
    }
    if ((rc = apply_flows(cfg, root, err, errsz)) != CM_OK)
        return rc;
    json_t *prov = json_object_get(root, "providers");
    if (prov != NULL) {
        if (!json_is_object(prov))
            return fail(err, errsz, path, "providers must be an object of plugin name -> settings");
        json_object_foreach(prov, key, v)
        {
            if (!json_is_object(v))
                return fail(err, errsz, path, "providers.%s must be an object", key);
        }
        json_decref(cfg->providers);
        cfg->providers = json_deep_copy(prov);
    }
    return CM_OK;
}

static int apply_env(ob_config_t *cfg, char *err, size_t errsz)
{
    const char *v;
    if ((v = getenv("DATABASE_URL")) != NULL && *v) {
        free(cfg->database_url);
        if ((cfg->database_url = strdup(v)) == NULL)
            return CM_ENOMEM;
    }
    if ((v = getenv("OAUTH_SERVICE_HOST")) != NULL && *v) {
        free(cfg->listen_host);
        if ((cfg->listen_host = strdup(v)) == NULL)
            return CM_ENOMEM;
    }
    if ((v = getenv("OAUTH_SERVICE_PORT")) != NULL && *v) {
        int p = parse_port(v);
        if (p < 0)
            return fail(err, errsz, "environment", "OAUTH_SERVICE_PORT must be a port number 1..65535, got \"%.32s\"",
                        v);
        cfg->port = p;
    }
    static const struct {
        const char *env;
        size_t off;
    } strs[] = {{"OAUTH_BASE_URL", offsetof(ob_config_t, base_url)},
                {"OB_PLUGIN_DIR", offsetof(ob_config_t, plugin_dir)},
                {"OB_MIGRATIONS_DIR", offsetof(ob_config_t, migrations_dir)},
                {"OB_SERVICES_FILE", offsetof(ob_config_t, services_file)}};
    for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++) {
        if ((v = getenv(strs[i].env)) != NULL && *v) {
            char **field = (char **)((char *)cfg + strs[i].off);
            free(*field);
            if ((*field = strdup(v)) == NULL)
                return CM_ENOMEM;
        }
    }
    static const struct {
        const char *env;
        size_t off;
    } keys[] = {{"OB_DATA_KEY_FILE", offsetof(ob_config_t, data_key_file)},
                {"OB_ADMIN_KEY_FILE", offsetof(ob_config_t, admin_key_file)},
                {"OB_ADMIN_KEY_SHA256", offsetof(ob_config_t, admin_key_sha256)},
                {"OB_SERVICE_KEYS_DIR", offsetof(ob_config_t, service_keys_dir)}};
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        if ((v = getenv(keys[i].env)) != NULL && *v) {
            char **field = (char **)((char *)cfg + keys[i].off);
            free(*field);
            if ((*field = strdup(v)) == NULL)
                return CM_ENOMEM;
        }
    }
    if (cfg->admin_key_sha256 != NULL && strlen(cfg->admin_key_sha256) != 64)
        return fail(err, errsz, "environment", "OB_ADMIN_KEY_SHA256 must be 64 hex chars");
    if ((v = getenv("OB_ALLOWED_RETURN_URLS")) != NULL && *v) {
        json_t *arr = json_array();
        size_t bad = 0;
        for (const char *p = v; arr != NULL && *p;) {
            size_t n = strcspn(p, ",");
            if (n > 0)
                json_array_append_new(arr, json_stringn(p, n));
            p += n + (p[n] == ',');
        }
        if (arr == NULL)
            return CM_ENOMEM;
        if (!url_list_ok(arr, &bad)) {
            json_decref(arr);
            return fail(err, errsz, "environment", "OB_ALLOWED_RETURN_URLS entry %zu is not an absolute http(s) URL",
                        bad + 1);
        }
        json_decref(cfg->allowed_return_urls);
        cfg->allowed_return_urls = arr;
    }
    if ((v = getenv("OB_REFRESH_MARGIN_S")) != NULL && *v) {
        char *end;
        errno = 0;
        long m = strtol(v, &end, 10);
        if (errno != 0 || end == v || *end != '\0' || m < 0 || m > 86400)
            return fail(err, errsz, "environment", "OB_REFRESH_MARGIN_S must be an integer in 0..86400");
        cfg->refresh_margin_s = (int)m;
    }
    if ((v = getenv("LOG_LEVEL")) != NULL && *v) {
        int l = cm_log_level_from_str(v);
        if (l < 0)
            return fail(err, errsz, "environment", "LOG_LEVEL must be one of debug, info, warn, error");
        cfg->log_level = l;
    }
    return CM_OK;
}

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
    return set_default(&cfg->mcp_url_template, "http://127.0.0.1:{port}/{instance_id}/mcp");
}

static int finish(ob_config_t *cfg, char *err, size_t errsz)
{
    int rc;
    char buf[64];
    if ((rc = set_default(&cfg->listen_host, "127.0.0.1")) != CM_OK)
        return rc;
    if (cfg->base_url == NULL) {
        snprintf(buf, sizeof(buf), "http://127.0.0.1:%d", cfg->port);
        if ((rc = set_default(&cfg->base_url, buf)) != CM_OK)
            return rc;
    }
    size_t n = strlen(cfg->base_url);
    while (n > 0 && cfg->base_url[n - 1] == '/')
        cfg->base_url[--n] = '\0';
    if (!cm_url_is_http(cfg->base_url))
        return fail(err, errsz, cfg->path, "base_url must be an absolute http(s) URL, got \"%.64s\"", cfg->base_url);
    if (cfg->database_url == NULL)
        return fail(err, errsz, cfg->path, "database.url is not set (set it in the file or DATABASE_URL)");
    if ((rc = set_default(&cfg->plugin_dir, OB_DEFAULT_PLUGIN_DIR)) != CM_OK)
        return rc;
    if ((rc = set_default(&cfg->migrations_dir, OB_SOURCE_DIR "/db/migrations")) != CM_OK)
        return rc;
    if ((rc = set_default(&cfg->services_file, OB_SOURCE_DIR "/config/services.json")) != CM_OK)
        return rc;
    if (cfg->providers == NULL && (cfg->providers = json_object()) == NULL)
        return CM_ENOMEM;
    /* a refresh holds a pooled connection across the provider call: refreshes must leave one for everything else */
    if (cfg->refresh_concurrency == 0)
        cfg->refresh_concurrency = cfg->db_pool_size - 1 < 2 ? cfg->db_pool_size - 1 : 2;
    if (cfg->refresh_concurrency < 1 || cfg->refresh_concurrency >= cfg->db_pool_size)
        return fail(err, errsz, cfg->path,
                    "refresh.concurrency (%d) must be below database.pool_size (%d): each refresh holds a pooled "
                    "connection across the provider call",
                    cfg->refresh_concurrency < 1 ? 1 : cfg->refresh_concurrency, cfg->db_pool_size);
    return finish_flows(cfg);
}

int ob_config_load(const char *path, ob_config_t *cfg, char *err, size_t errsz)
{
    json_error_t jerr;
    int rc;

    memset(cfg, 0, sizeof(*cfg));
    cfg->port = 3001;
    cfg->db_pool_size = 4;
    cfg->db_query_timeout_ms = 5000;
    cfg->health_db_timeout_ms = 1000;
    cfg->log_level = CM_LOG_INFO;
    cfg->state_ttl_s = 600;
    cfg->refresh_margin_s = 300;
    cfg->instance_cache_ttl_ms = 2000;
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
    rc = apply_file(cfg, root, err, errsz);
    json_decref(root);
    if (rc != CM_OK)
        goto out_free_cfg;
    if ((rc = apply_env(cfg, err, errsz)) != CM_OK)
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
    memset(cfg, 0, sizeof(*cfg));
}
