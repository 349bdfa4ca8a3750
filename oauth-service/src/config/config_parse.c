/*
 * config_parse.c - the checks and conversions every part of the configuration loader uses (config_int.h).
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

int ob_cfg_fail(char *err, size_t errsz, const char *path, const char *fmt, ...)
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
char *ob_cfg_resolve_path(const char *cfg_path, const char *p)
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
int ob_cfg_parse_port(const char *s)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || v < 1 || v > 65535)
        return -1;
    return (int)v;
}

int ob_cfg_get_string(const json_t *obj, const char *key, const char *path, const char *field, char **out, char *err,
                      size_t errsz)
{
    json_t *v = json_object_get(obj, key);
    if (v == NULL || json_is_null(v))
        return CM_OK;
    if (!json_is_string(v) || json_string_length(v) == 0)
        return ob_cfg_fail(err, errsz, path, "%s must be a non-empty string", field);
    free(*out);
    *out = strdup(json_string_value(v));
    return *out ? CM_OK : CM_ENOMEM;
}

int ob_cfg_get_int(const json_t *obj, const char *key, const char *path, const char *field, int min, int max, int *out,
                   char *err, size_t errsz)
{
    json_t *v = json_object_get(obj, key);
    if (v == NULL || json_is_null(v))
        return CM_OK;
    if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > max)
        return ob_cfg_fail(err, errsz, path, "%s must be an integer in %d..%d", field, min, max);
    *out = (int)json_integer_value(v);
    return CM_OK;
}

int ob_cfg_set_default(char **field, const char *value)
{
    if (*field != NULL)
        return CM_OK;
    *field = strdup(value);
    return *field ? CM_OK : CM_ENOMEM;
}

/* 1 when every member of arr is an absolute http(s) URL string. */
int ob_cfg_url_list_ok(const json_t *arr, size_t *bad)
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
