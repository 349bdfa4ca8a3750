/*
 * ps_config.c - reading a plugin's configuration and a client's per-instance options.
 * Every problem is logged once, naming the plugin (or provider) and the member.
 */
#include "provider_support.h"

#include "common/json_util.h"
#include "common/url.h"

#include <stdlib.h>
#include <string.h>

json_t *ps_config_parse(const op_host_api_t *host, const char *plugin, const char *config_json)
{
    if (config_json == NULL)
        return json_object();
    json_error_t jerr;
    json_t *cfg = cm_json_loadb(config_json, strlen(config_json), &jerr);
    if (cfg == NULL) {
        host->log(host->host_ctx, OP_LOG_ERROR, plugin, "configuration is not valid JSON: %s", jerr.text);
        return NULL;
    }
    if (json_is_null(cfg)) {
        json_decref(cfg);
        return json_object();
    }
    if (!json_is_object(cfg)) {
        host->log(host->host_ctx, OP_LOG_ERROR, plugin, "configuration must be a JSON object");
        json_decref(cfg);
        return NULL;
    }
    return cfg;
}

int ps_config_check_keys(const op_host_api_t *host, const char *who, const json_t *obj, const char *const *allowed)
{
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)obj, key, v)
    {
        size_t i = 0;
        while (allowed[i] != NULL && strcmp(allowed[i], key) != 0)
            i++;
        if (allowed[i] == NULL && key[0] != '$') { /* "$comment" members are documentation */
            host->log(host->host_ctx, OP_LOG_ERROR, who, "unknown configuration member \"%s\"", key);
            return OP_EINVAL;
        }
    }
    return OP_OK;
}

int ps_config_url(const op_host_api_t *host, const char *who, const json_t *obj, const char *key, const char *def,
                  char **out)
{
    *out = NULL;
    const json_t *v = json_object_get(obj, key);
    const char *url = def;
    if (v != NULL && !json_is_null(v)) {
        url = cm_json_str(obj, key);
        if (url == NULL || !cm_url_is_http(url)) {
            host->log(host->host_ctx, OP_LOG_ERROR, who, "\"%s\" must be an absolute http(s) URL", key);
            return OP_EINVAL;
        }
    }
    if (url == NULL)
        return OP_OK;
    *out = strdup(url);
    return *out != NULL ? OP_OK : OP_ENOMEM;
}

int ps_config_str(const op_host_api_t *host, const char *who, const json_t *obj, const char *key, const char *def,
                  const char **out)
{
    const json_t *v = json_object_get(obj, key);
    *out = def;
    if (v == NULL || json_is_null(v))
        return OP_OK;
    if ((*out = cm_json_str(obj, key)) == NULL) {
        host->log(host->host_ctx, OP_LOG_ERROR, who, "\"%s\" must be a string", key);
        return OP_EINVAL;
    }
    return OP_OK;
}

json_t *ps_client_options(const op_client_t *c, op_error_t *err)
{
    if (c == NULL || c->options_json == NULL || c->options_json[0] == '\0')
        return json_object();
    json_t *o = cm_json_loadb(c->options_json, strlen(c->options_json), NULL);
    if (json_is_null(o)) {
        json_decref(o);
        return json_object();
    }
    if (!json_is_object(o)) {
        json_decref(o);
        ps_error_set(err, OP_ERRCLASS_REQUEST, "invalid_options", 0, "the instance options must be a JSON object");
        return NULL;
    }
    return o;
}
