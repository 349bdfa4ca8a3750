/*
 * config_env.c - the environment overrides of the configuration (they win over the file; config.h lists them).
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

int ob_cfg_apply_env(ob_config_t *cfg, char *err, size_t errsz)
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
        int p = ob_cfg_parse_port(v);
        if (p < 0)
            return ob_cfg_fail(err, errsz, "environment",
                               "OAUTH_SERVICE_PORT must be a port number 1..65535, got \"%.32s\"", v);
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
        return ob_cfg_fail(err, errsz, "environment", "OB_ADMIN_KEY_SHA256 must be 64 hex chars");
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
        if (!ob_cfg_url_list_ok(arr, &bad)) {
            json_decref(arr);
            return ob_cfg_fail(err, errsz, "environment",
                               "OB_ALLOWED_RETURN_URLS entry %zu is not an absolute http(s) URL", bad + 1);
        }
        json_decref(cfg->allowed_return_urls);
        cfg->allowed_return_urls = arr;
    }
    if ((v = getenv("OB_REFRESH_MARGIN_S")) != NULL && *v) {
        char *end;
        errno = 0;
        long m = strtol(v, &end, 10);
        if (errno != 0 || end == v || *end != '\0' || m < 0 || m > 86400)
            return ob_cfg_fail(err, errsz, "environment", "OB_REFRESH_MARGIN_S must be an integer in 0..86400");
        cfg->refresh_margin_s = (int)m;
    }
    if ((v = getenv("OB_WORKERS")) != NULL && *v) {
        char *end;
        errno = 0;
        long n = strtol(v, &end, 10);
        if (errno != 0 || end == v || *end != '\0' || n < 0 || n > 64)
            return ob_cfg_fail(err, errsz, "environment", "OB_WORKERS must be an integer in 0..64 (0 = one per CPU)");
        cfg->workers = (int)n;
    }
    if ((v = getenv("LOG_LEVEL")) != NULL && *v) {
        int l = cm_log_level_from_str(v);
        if (l < 0)
            return ob_cfg_fail(err, errsz, "environment", "LOG_LEVEL must be one of debug, info, warn, error");
        cfg->log_level = l;
    }
    if ((v = getenv("LOG_FORMAT")) != NULL && *v) {
        int f = cm_log_format_from_str(v);
        if (f < 0)
            return ob_cfg_fail(err, errsz, "environment", "LOG_FORMAT must be text or json");
        cfg->log_format = f;
    }
    return CM_OK;
}
