/*
 * broker.c - what the process context answers (broker.h): the service registry rows, the provider of a service,
 * the URLs the broker hands out and the wall clock.
 */
#include "core/broker.h"

#include "providers/registry.h"

#include "common/url.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

const json_t *ob_service_find(const ob_broker_t *b, const char *service)
{
    size_t i;
    json_t *row;
    if (service == NULL)
        return NULL;
    json_array_foreach(b->services, i, row)
    {
        const char *name = json_string_value(json_object_get(row, "service_name"));
        if (name != NULL && strcmp(name, service) == 0)
            return row;
    }
    return NULL;
}

const op_provider_t *ob_service_provider(const ob_broker_t *b, const char *service)
{
    const json_t *row = ob_service_find(b, service);
    const char *provider = row ? json_string_value(json_object_get(row, "provider")) : NULL;
    return provider ? ob_registry_find(b->providers, provider) : NULL;
}

int ob_service_has_provider(const ob_broker_t *b, const char *service, const op_provider_t *p)
{
    const op_provider_t *now = ob_service_provider(b, service);
    return now != NULL && p != NULL && strcmp(now->name, p->name) == 0;
}

char *ob_authorize_url(const ob_broker_t *b, const char *instance_id)
{
    cm_buf_t buf = {0};
    cm_buf_printf(&buf, "%s/oauth/authorize?instance_id=%s", b->cfg->base_url, instance_id);
    return cm_buf_take(&buf);
}

char *ob_mcp_url(const ob_broker_t *b, const char *service, const char *instance_id)
{
    const json_t *row = ob_service_find(b, service);
    if (row == NULL)
        return NULL;
    char port[16];
    snprintf(port, sizeof(port), "%lld", (long long)json_integer_value(json_object_get(row, "port")));
    cm_buf_t buf = {0};
    for (const char *t = b->cfg->mcp_url_template; *t;) {
        if (strncmp(t, "{port}", 6) == 0) {
            cm_buf_appendz(&buf, port);
            t += 6;
        } else if (strncmp(t, "{service}", 9) == 0) {
            cm_buf_appendz(&buf, service);
            t += 9;
        } else if (strncmp(t, "{instance_id}", 13) == 0) {
            cm_buf_appendz(&buf, instance_id);
            t += 13;
        } else {
            cm_buf_append(&buf, t++, 1);
        }
    }
    return cm_buf_take(&buf);
}

int64_t ob_now(void)
{
    return (int64_t)time(NULL);
}

char *ob_redirect_uri(const ob_broker_t *b, const char *provider)
{
    cm_buf_t buf = {0};
    if (b->cfg->callback_per_provider && provider != NULL)
        cm_buf_printf(&buf, "%s/oauth/callback/%s", b->cfg->base_url, provider);
    else
        cm_buf_printf(&buf, "%s/oauth/callback", b->cfg->base_url);
    return cm_buf_take(&buf);
}
