/*
 * auth_http.c - the HTTP face of instance auth: 401 with WWW-Authenticate (RFC 9728 resource metadata),
 * and GET /.well-known/oauth-protected-resource[/...] documents.
 */
#include "tokens/broker.h"
#include "protocol/jsonrpc.h"
#include "common/status.h"
#include "transport/server_internal.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

/* 1 when the request presented a Bearer credential (Authorization: Bearer <something>). */
static int has_bearer(h2o_req_t *req)
{
    h2o_iovec_t v = cm_req_header(req, "authorization");
    size_t i = 0;
    if (v.base == NULL || v.len < 7 || strncasecmp(v.base, "bearer ", 7) != 0)
        return 0;
    for (i = 7; i < v.len && v.base[i] == ' '; i++)
        ;
    return i < v.len;
}

void mcp__respond_unauthorized(mcp_server_t *s, h2o_req_t *req, const char *instance_id, const char *message)
{
    char hdr[768];
    /* RFC 6750 section 3.1: no error code when the request carried no credentials at all */
    snprintf(hdr, sizeof(hdr),
             "Bearer realm=\"%s\", %sresource_metadata=\"%s/.well-known/oauth-protected-resource/%s/mcp\"", s->name,
             has_bearer(req) ? "error=\"invalid_token\", " : "", s->public_url, instance_id);
    cm_add_header(req, "www-authenticate", hdr);
    mcp__respond_rpc_error(req, 401, NULL, -32001,
                           message ? message : "Authorization: Bearer <instance access key> is required",
                           json_pack("{s:s}", "code", "unauthorized"));
}

int mcp__protected_resource(void *data, h2o_req_t *req, const cm_route_match_t *m)
{
    mcp_server_t *s = data;
    char resource[512];
    char *rest = m->n_params > 0 ? cm_match_str(req, m, 0) : NULL;
    char instance[80] = "";
    if (rest != NULL) {
        size_t n = strcspn(rest, "/");
        if (n >= sizeof(instance) || (rest[n] != '\0' && strcmp(rest + n, "/mcp") != 0)) {
            cm_respond_error(req, 404, "not_found", NULL, "no such resource");
            return 0;
        }
        memcpy(instance, rest, n);
        instance[n] = '\0';
        if (!mcp__instance_id_valid(instance)) {
            cm_respond_error(req, 404, "not_found", NULL, "no such resource");
            return 0;
        }
    }
    if (instance[0])
        snprintf(resource, sizeof(resource), "%s/%s/mcp", s->public_url, instance);
    else
        snprintf(resource, sizeof(resource), "%s", s->public_url);
    json_t *doc = json_pack("{s:s, s:[], s:[s], s:s}", "resource", resource, "authorization_servers",
                            "bearer_methods_supported", "header", "resource_name", s->name);
    if (s->broker != NULL)
        json_array_append_new(json_object_get(doc, "authorization_servers"), json_string(mcp_broker_url(s->broker)));
    cm_add_header(req, "cache-control", "public, max-age=3600");
    cm_respond_json(req, 200, doc);
    return 0;
}
