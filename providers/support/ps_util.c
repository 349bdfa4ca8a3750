/*
 * ps_util.c - the few general helpers plugins need, so that a plugin depends on the plugin ABI and this
 * library only (common/ stays an implementation detail of the support library).
 */
#include "provider_support.h"

#include "common/crypto.h"
#include "common/json_util.h"
#include "common/url.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

char *ps_host_strdup(const op_host_api_t *host, const char *s)
{
    return s != NULL ? host->mem_strndup(s, strlen(s)) : NULL;
}

const char *ps_json_str(const json_t *obj, const char *key)
{
    return cm_json_str(obj, key);
}

json_t *ps_json_loadb(const char *text, size_t len)
{
    return cm_json_loadb(text, len, NULL);
}

char *ps_json_dumps(const json_t *v)
{
    return cm_json_dumps(v);
}

int ps_url_is_http(const char *url)
{
    return cm_url_is_http(url);
}

char *ps_url_escape(const char *s)
{
    return cm_url_escape(s, strlen(s));
}

int ps_uuid_valid(const char *s)
{
    return cm_uuid_valid(s);
}

void ps_secret_free(char *s)
{
    cm_secure_free(s, 0);
}

char *ps_concat(const char *first, ...)
{
    cm_buf_t b = {0};
    va_list ap;
    va_start(ap, first);
    for (const char *s = first; s != NULL; s = va_arg(ap, const char *))
        cm_buf_appendz(&b, s);
    va_end(ap);
    return cm_buf_take(&b);
}

char *ps_template_expand(const char *tmpl, const char *var, const char *value)
{
    cm_buf_t b = {0};
    const char *s = tmpl, *hit;
    while ((hit = strstr(s, var)) != NULL) {
        cm_buf_append(&b, s, (size_t)(hit - s));
        cm_buf_appendz(&b, value);
        s = hit + strlen(var);
    }
    cm_buf_appendz(&b, s);
    return cm_buf_take(&b);
}
