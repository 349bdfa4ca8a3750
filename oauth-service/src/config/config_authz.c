/*
 * config_authz.c - the "authorization" section: the broker as the authorization server of the MCP clients
 * (config.h documents each field, docs/mcp-authorization.md the behaviour).
 */
#include "config/config_int.h"

#include "common/status.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void ob_cfg_authz_defaults(ob_authz_config_t *a)
{
    a->enabled = 1;
    a->access_token_ttl_s = 3600;
    a->refresh_token_ttl_s = 30 * 86400;
    a->code_ttl_s = 60;
    a->request_ttl_s = 900;
    a->key_publish_ahead_s = 600;
    a->dcr_rate_per_min = 20;
    a->dcr_idle_days = 30;
}

/* An origin as the allow-list holds it: https://host[:port], nothing after. */
static int origin_ok(const char *s)
{
    if (strncmp(s, "https://", 8) != 0 || s[8] == '\0')
        return 0;
    return strpbrk(s + 8, "/?#@ ") == NULL;
}

static int apply_apps(ob_config_t *cfg, const json_t *apps, char *err, size_t errsz)
{
    const char *path = cfg->path, *name, *k;
    json_t *app, *v;
    if (!json_is_object(apps))
        return ob_cfg_fail(err, errsz, path,
                           "authorization.apps must be an object {service or provider: {client_id, "
                           "client_secret_file}}");
    json_t *copy = json_object();
    if (copy == NULL)
        return CM_ENOMEM;
    json_object_foreach((json_t *)apps, name, app)
    {
        const char *id = json_string_value(json_object_get(app, "client_id"));
        const char *file = json_string_value(json_object_get(app, "client_secret_file"));
        if (!json_is_object(app) || id == NULL || id[0] == '\0' || strlen(id) > 512) {
            json_decref(copy);
            return ob_cfg_fail(err, errsz, path, "authorization.apps.%s needs a client_id (a non-empty string)", name);
        }
        json_object_foreach(app, k, v)
        {
            if (strcmp(k, "client_id") != 0 && strcmp(k, "client_secret_file") != 0) {
                json_decref(copy);
                return ob_cfg_fail(err, errsz, path,
                                   "unknown key \"authorization.apps.%s.%s\" (a secret is never "
                                   "written into the configuration: use client_secret_file)",
                                   name, k);
            }
        }
        json_t *entry = json_pack("{s:s}", "client_id", id);
        if (entry == NULL) {
            json_decref(copy);
            return CM_ENOMEM;
        }
        if (file != NULL) {
            char *resolved = ob_cfg_resolve_path(path, file);
            if (resolved == NULL || json_object_set_new(entry, "client_secret_file", json_string(resolved)) != 0) {
                free(resolved);
                json_decref(entry);
                json_decref(copy);
                return CM_ENOMEM;
            }
            free(resolved);
        }
        json_object_set_new(copy, name, entry);
    }
    json_decref(cfg->authz.apps);
    cfg->authz.apps = copy;
    return CM_OK;
}

int ob_cfg_apply_authz(ob_config_t *cfg, const json_t *section, char *err, size_t errsz)
{
    static const struct {
        const char *key;
        size_t off;
        int min, max;
    } ints[] = {
        {"access_token_ttl_s", offsetof(ob_authz_config_t, access_token_ttl_s), 60, 86400},
        {"refresh_token_ttl_s", offsetof(ob_authz_config_t, refresh_token_ttl_s), 300, 365 * 86400},
        {"code_ttl_s", offsetof(ob_authz_config_t, code_ttl_s), 10, 600},
        {"request_ttl_s", offsetof(ob_authz_config_t, request_ttl_s), 60, 3600},
        {"key_publish_ahead_s", offsetof(ob_authz_config_t, key_publish_ahead_s), 0, 86400},
        {"dcr_rate_per_min", offsetof(ob_authz_config_t, dcr_rate_per_min), 0, 100000},
        {"dcr_idle_days", offsetof(ob_authz_config_t, dcr_idle_days), 1, 3650},
    };
    const char *path = cfg->path, *key;
    json_t *v;
    int rc;
    if (section == NULL || json_is_null(section))
        return CM_OK;
    if (!json_is_object(section))
        return ob_cfg_fail(err, errsz, path, "authorization must be an object");
    json_object_foreach((json_t *)section, key, v)
    {
        int known = strcmp(key, "enabled") == 0 || strcmp(key, "cimd_allowed_origins") == 0 ||
                    strcmp(key, "cimd_ca_file") == 0 || strcmp(key, "apps") == 0 ||
                    strcmp(key, "mcp_service_url_template") == 0 || strcmp(key, "$comment") == 0;
        for (size_t i = 0; i < sizeof(ints) / sizeof(ints[0]); i++)
            known |= strcmp(key, ints[i].key) == 0;
        if (!known)
            return ob_cfg_fail(err, errsz, path, "unknown key \"authorization.%s\"", key);
    }
    json_t *en = json_object_get(section, "enabled");
    if (en != NULL) {
        if (!json_is_boolean(en))
            return ob_cfg_fail(err, errsz, path, "authorization.enabled must be true or false");
        cfg->authz.enabled = json_is_true(en);
    }
    for (size_t i = 0; i < sizeof(ints) / sizeof(ints[0]); i++) {
        char field[64];
        snprintf(field, sizeof(field), "authorization.%s", ints[i].key);
        if ((rc = ob_cfg_get_int(section, ints[i].key, path, field, ints[i].min, ints[i].max,
                                 (int *)((char *)&cfg->authz + ints[i].off), err, errsz)) != CM_OK)
            return rc;
    }
    json_t *origins = json_object_get(section, "cimd_allowed_origins");
    if (origins != NULL) {
        size_t i;
        if (!json_is_array(origins))
            return ob_cfg_fail(err, errsz, path, "authorization.cimd_allowed_origins must be an array of origins");
        json_array_foreach(origins, i, v)
        {
            if (!json_is_string(v) || !origin_ok(json_string_value(v)))
                return ob_cfg_fail(err, errsz, path,
                                   "authorization.cimd_allowed_origins[%zu] must be an https origin "
                                   "(https://host[:port], no path)",
                                   i);
        }
        json_decref(cfg->authz.cimd_allowed_origins);
        if ((cfg->authz.cimd_allowed_origins = json_deep_copy(origins)) == NULL)
            return CM_ENOMEM;
    }
    char *tmp = NULL;
    if ((rc = ob_cfg_get_string(section, "cimd_ca_file", path, "authorization.cimd_ca_file", &tmp, err, errsz)) !=
        CM_OK)
        return rc;
    if (tmp != NULL) {
        free(cfg->authz.cimd_ca_file);
        cfg->authz.cimd_ca_file = ob_cfg_resolve_path(path, tmp);
        free(tmp);
        if (cfg->authz.cimd_ca_file == NULL)
            return CM_ENOMEM;
    }
    if ((rc = ob_cfg_get_string(section, "mcp_service_url_template", path, "authorization.mcp_service_url_template",
                                &cfg->authz.mcp_service_url_template, err, errsz)) != CM_OK)
        return rc;
    json_t *apps = json_object_get(section, "apps");
    if (apps != NULL && (rc = apply_apps(cfg, apps, err, errsz)) != CM_OK)
        return rc;
    return CM_OK;
}

int ob_cfg_finish_authz(ob_config_t *cfg, char *err, size_t errsz)
{
    ob_authz_config_t *a = &cfg->authz;
    int rc;
    if (a->cimd_allowed_origins == NULL && (a->cimd_allowed_origins = json_array()) == NULL)
        return CM_ENOMEM;
    if (a->apps == NULL && (a->apps = json_object()) == NULL)
        return CM_ENOMEM;
    if ((rc = ob_cfg_set_default(&a->mcp_service_url_template, "http://127.0.0.1:{port}/mcp")) != CM_OK)
        return rc;
    const char *t = a->mcp_service_url_template;
    if ((strncmp(t, "http://", 7) != 0 && strncmp(t, "https://", 8) != 0) || strstr(t, "{instance_id}") != NULL)
        return ob_cfg_fail(err, errsz, cfg->path,
                           "authorization.mcp_service_url_template must be an absolute http(s) URL without "
                           "{instance_id}");
    /* a refresh token outlives the access tokens it renews */
    if (a->refresh_token_ttl_s < a->access_token_ttl_s)
        return ob_cfg_fail(err, errsz, cfg->path,
                           "authorization.refresh_token_ttl_s (%d) must not be below access_token_ttl_s (%d)",
                           a->refresh_token_ttl_s, a->access_token_ttl_s);
    return CM_OK;
}

void ob_cfg_authz_free(ob_authz_config_t *a)
{
    json_decref(a->cimd_allowed_origins);
    json_decref(a->apps);
    free(a->cimd_ca_file);
    free(a->mcp_service_url_template);
    memset(a, 0, sizeof(*a));
}
