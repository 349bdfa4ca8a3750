/*
 * GET /providers - every loaded provider: name, display name, the registry's services that use it,
 * default scopes, capabilities, endpoints, the plugin's version and its ABI version. Never a secret.
 */
#include "core/broker.h"
#include "handlers/routes.h"
#include "providers/registry.h"

#include "provider_abi.h"

#include <string.h>

static json_t *capabilities_json(uint32_t caps)
{
    json_t *c = json_object();
    json_object_set_new(c, "refresh", json_boolean(caps & OP_CAP_REFRESH));
    json_object_set_new(c, "revoke", json_boolean(caps & OP_CAP_REVOKE));
    json_object_set_new(c, "pkce", json_boolean(caps & OP_CAP_PKCE));
    json_object_set_new(c, "oidc", json_boolean(caps & OP_CAP_OIDC));
    json_object_set_new(c, "public_client", json_boolean(caps & OP_CAP_PUBLIC_CLIENT));
    return c;
}

static json_t *services_of(const ob_broker_t *b, const char *provider)
{
    json_t *out = json_array();
    size_t i;
    json_t *row;
    json_array_foreach(b->services, i, row)
    {
        const char *p = json_string_value(json_object_get(row, "provider"));
        if (p == NULL || strcmp(p, provider) != 0)
            continue;
        json_t *s = json_object();
        json_object_set(s, "name", json_object_get(row, "service_name"));
        json_object_set(s, "display_name", json_object_get(row, "display_name"));
        json_object_set(s, "port", json_object_get(row, "port"));
        json_object_set(s, "active", json_object_get(row, "active"));
        json_array_append_new(out, s);
    }
    return out;
}

static json_t *nullable(const char *s)
{
    return s != NULL ? json_string(s) : json_null();
}

static int on_providers(void *data, h2o_req_t *req, const cm_route_match_t *m)
{
    ob_broker_t *b = data;
    json_t *list = json_array();
    size_t n = ob_registry_count(b->providers);
    for (size_t i = 0; i < n; i++) {
        const op_provider_t *p = ob_registry_at(b->providers, i);
        json_t *o = json_object();
        json_object_set_new(o, "name", json_string(p->name));
        json_object_set_new(o, "display_name", json_string(p->display_name ? p->display_name : p->name));
        json_object_set_new(o, "plugin", json_string(ob_registry_plugin_of(b->providers, i)));
        json_object_set_new(o, "plugin_version", nullable(ob_registry_version_of(b->providers, i)));
        json_object_set_new(o, "services", services_of(b, p->name));
        json_object_set_new(o, "default_scopes", nullable(p->default_scopes));
        json_object_set_new(o, "capabilities", capabilities_json(p->capabilities));
        json_t *ep = json_object();
        json_object_set_new(ep, "authorization", nullable(p->authorization_endpoint));
        json_object_set_new(ep, "token", nullable(p->token_endpoint));
        json_object_set_new(ep, "revocation", nullable(p->revocation_endpoint));
        json_object_set_new(o, "endpoints", ep);
        json_object_set_new(
            o, "revocation",
            json_string((p->capabilities & OP_CAP_REVOKE) && p->revoke != NULL ? "provider" : "local_purge_only"));
        json_object_set_new(o, "abi_version",
                            json_sprintf("%u.%u", OP_ABI_MAJOR, ob_registry_abi_minor_of(b->providers, i)));
        json_array_append_new(list, o);
    }
    json_t *body = json_object();
    json_object_set_new(body, "providers", list);
    json_object_set_new(body, "count", json_integer((json_int_t)n));
    cm_respond_json(req, 200, body);
    return 0;
}

int ob_providers_register(ob_broker_t *b)
{
    return cm_server_route(b->server, "GET", "/providers", on_providers, b);
}
