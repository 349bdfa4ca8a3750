/*
 * resource.h - the resource indicators (RFC 8707) the authorization server accepts: the MCP URLs of the registry's
 * services (docs/mcp-authorization.md, "Resources").
 *
 * A resource is compared in canonical form: lowercase scheme and host, no default port, no trailing '/', and never
 * a query, a fragment or userinfo. It names either a service URL (authorization.mcp_service_url_template) or an
 * instance URL (mcp_url_template); an instance URL counts only when the instance exists and belongs to that service,
 * which the caller checks against the instance cache (ob_as_resource_classify does no I/O).
 */
#ifndef OB_AS_RESOURCE_H
#define OB_AS_RESOURCE_H

#include "core/broker.h"

typedef enum ob_as_res_kind {
    OB_AS_RES_SERVICE = 1, /* http://host:port/mcp: the instance is the one the sign-in creates or reuses */
    OB_AS_RES_INSTANCE = 2 /* http://host:port/<instance id>/mcp */
} ob_as_res_kind_t;

typedef struct ob_as_resource {
    ob_as_res_kind_t kind;
    const char *service;  /* borrowed from the registry (b->services) */
    char instance_id[37]; /* OB_AS_RES_INSTANCE only; lowercase */
} ob_as_resource_t;

/*
 * Canonical form of an absolute http(s) URL (see above). CM_OK with *out malloc'ed (caller frees), CM_EINVAL when
 * in is not such a URL (query, fragment, userinfo, bad port, control characters, over 2048 bytes), CM_ENOMEM.
 */
int ob_as_resource_normalize(const char *in, char **out);

/* Which MCP URL canon (canonical form) is. CM_OK with *out filled, or CM_ENOTFOUND when it is none of ours.
 * Instance URLs: the id is shaped as a UUID (existence is the caller's check). */
int ob_as_resource_classify(const ob_broker_t *b, const char *canon, ob_as_resource_t *out);

/* The canonical service URL of a service from authorization.mcp_service_url_template, malloc'ed (caller frees);
 * NULL when the service is unknown. */
char *ob_as_service_url(const ob_broker_t *b, const char *service);

#endif
