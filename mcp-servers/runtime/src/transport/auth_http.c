/*
 * auth_http.c - the HTTP face of instance auth: 401 / 403 with WWW-Authenticate (RFC 6750, RFC 9728 resource
 * metadata), and GET /.well-known/oauth-protected-resource[/...] documents.
 */
#include "tokens/broker.h"
#include "tokens/jwt.h"
#include "protocol/jsonrpc.h"
#include "common/status.h"
#include "transport/server_internal.h"

#include <ctype.h>
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

void mcp__canonical_origin(char *url)
{
    char *p = strstr(url, "://");
    if (p == NULL)
        return;
    for (char *c = url; c < p; c++)
        *c = (char)tolower((unsigned char)*c);
    char *host = p + 3, *end = host + strcspn(host, "/?#");
    for (char *c = host; c < end; c++)
        *c = (char)tolower((unsigned char)*c);
    const char *dflt = strncmp(url, "https://", 8) == 0 ? ":443" : strncmp(url, "http://", 7) == 0 ? ":80" : NULL;
    size_t dl = dflt ? strlen(dflt) : 0;
    if (dflt != NULL && (size_t)(end - host) > dl && strncmp(end - dl, dflt, dl) == 0)
        memmove(end - dl, end, strlen(end) + 1);
}

int mcp__resource_url(const mcp_server_t *s, const char *instance_id, char *out, size_t outsz)
{
    /* on every request with an access token: concatenation rather than a formatted print */
    size_t pl = strlen(s->public_url), il = instance_id ? strlen(instance_id) + 1 : 0;
    if (pl + il + sizeof("/mcp") > outsz)
        return -1;
    memcpy(out, s->public_url, pl);
    if (instance_id != NULL) {
        out[pl] = '/';
        memcpy(out + pl + 1, instance_id, il - 1);
    }
    memcpy(out + pl + il, "/mcp", sizeof("/mcp"));
    return 0;
}

/* The absolute URL of the resource metadata of instance_id's instance URL (NULL: the service URL). */
static void metadata_url(const mcp_server_t *s, const char *instance_id, char *out, size_t outsz)
{
    if (instance_id != NULL)
        snprintf(out, outsz, "%s/.well-known/oauth-protected-resource/%s/mcp", s->public_url, instance_id);
    else
        snprintf(out, outsz, "%s/.well-known/oauth-protected-resource/mcp", s->public_url);
}

void mcp__respond_unauthorized(mcp_server_t *s, h2o_req_t *req, const char *instance_id, const char *message)
{
    char hdr[900], prm[700];
    metadata_url(s, instance_id, prm, sizeof(prm));
    /* RFC 6750 section 3.1: no error code when the request carried no credentials at all */
    snprintf(hdr, sizeof(hdr), "Bearer %sresource_metadata=\"%s\", scope=\"%s\"",
             has_bearer(req) ? "error=\"invalid_token\", " : "", prm, MCP_SCOPES_SUPPORTED);
    cm_add_header(req, "www-authenticate", hdr);
    mcp__respond_rpc_error(req, 401, NULL, -32001,
                           message ? message
                                   : "Authorization: Bearer <access token or instance access key> is required",
                           json_pack("{s:s}", "code", "unauthorized"));
}

void mcp__respond_insufficient_scope(mcp_server_t *s, h2o_req_t *req, const char *instance_id, json_t *id,
                                     const char *message)
{
    char hdr[900], prm[700];
    metadata_url(s, instance_id, prm, sizeof(prm));
    snprintf(hdr, sizeof(hdr), "Bearer error=\"insufficient_scope\", scope=\"%s\", resource_metadata=\"%s\"",
             MCP_SCOPES_SUPPORTED, prm);
    cm_add_header(req, "www-authenticate", hdr);
    mcp__respond_rpc_error(req, 403, id, -32001, message, json_pack("{s:s}", "code", "insufficient_scope"));
}

int mcp__protected_resource_preflight(void *data, h2o_req_t *req, const cm_route_match_t *m)
{
    (void)data;
    (void)m;
    cm_add_header(req, "access-control-allow-origin", "*");
    cm_add_header(req, "access-control-allow-methods", "GET");
    cm_add_header(req, "access-control-allow-headers", "MCP-Protocol-Version, Authorization");
    cm_add_header(req, "access-control-max-age", "86400");
    cm_respond_empty(req, 204);
    return 0;
}

int mcp__protected_resource(void *data, h2o_req_t *req, const cm_route_match_t *m)
{
    mcp_server_t *s = data;
    char resource[512];
    /* public documents: a browser-based client of any origin discovers the authorization server here */
    cm_add_header(req, "access-control-allow-origin", "*");
    char *rest = m->n_params > 0 ? cm_match_str(req, m, 0) : NULL;
    char instance[80] = "";
    int service = rest != NULL && strcmp(rest, "mcp") == 0;
    if (rest != NULL && !service) {
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
    if (instance[0] || service)
        mcp__resource_url(s, instance[0] ? instance : NULL, resource, sizeof(resource));
    else
        snprintf(resource, sizeof(resource), "%s", s->public_url);
    json_t *doc = json_pack("{s:s, s:[], s:[s], s:[s,s], s:s}", "resource", resource, "authorization_servers",
                            "bearer_methods_supported", "header", "scopes_supported", "mcp:read", "mcp:write",
                            "resource_name", s->name);
    if (s->broker != NULL)
        json_array_append_new(json_object_get(doc, "authorization_servers"),
                              json_string(s->issuer != NULL ? s->issuer : mcp_broker_url(s->broker)));
    cm_add_header(req, "cache-control", "public, max-age=3600");
    cm_respond_json(req, 200, doc);
    return 0;
}
