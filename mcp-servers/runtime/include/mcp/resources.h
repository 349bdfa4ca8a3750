/*
 * resources.h - the resource registry of a service: static resources and resource templates (resources/list,
 * resources/templates/list, resources/read, resources/subscribe, resources/unsubscribe).
 *
 * Registered at startup, immutable while serving. Lists page in registration order with opaque cursors (unknown
 * cursor -> -32602). resources/read looks for a static resource with exactly that URI, then for the first
 * template (registration order) that matches it. Templates are RFC 6570 level 1: literal text and {var}
 * expressions; a variable matches one or more unreserved characters or %XX escapes (so never '/', '?', '#'),
 * leftmost match, and its value is percent-decoded before the handler sees it.
 *
 * Not found (no resource, no template match, or the handler says CM_ENOTFOUND or produced no contents) is
 * answered with data {"uri": ...} and the code of the request's protocol era: -32002 up to 2025-11-25, -32602 in
 * 2026-07-28 (SEP-2164).
 *
 * Subscriptions: the Streamable HTTP transport of this runtime has no server-to-client stream (GET -> 405), so
 * notifications/resources/updated cannot be delivered outside a request's own response. resources/subscribe and
 * resources/unsubscribe (legacy era; 2026-07-28 removed them) check that the URI exists and are acknowledged with
 * {}; registered resources are immutable while serving, so no update is ever due.
 *
 * Read handlers are synchronous (from memory, never blocking): they add contents with mcp_resource_add_text /
 * _blob and return CM_OK, CM_ENOTFOUND, CM_EINVAL (-32602) or another status (-32603) after mcp_resource_fail().
 */
#ifndef MCP_RESOURCES_H
#define MCP_RESOURCES_H

#include "mcp/completion.h"

#include <jansson.h>
#include <stddef.h>

#define MCP_URI_MAX 2048 /* longest URI (and template) accepted */

typedef struct mcp_resource_contents mcp_resource_contents_t;

/*
 * uri: the requested URI (borrowed). vars: for a template, an object of the decoded variable values (borrowed,
 * read-only); NULL for a static resource.
 */
typedef int (*mcp_resource_read_fn)(mcp_resource_contents_t *out, const char *uri, json_t *vars, void *data);

typedef struct mcp_resource_def {
    const char *uri;         /* required: absolute ("scheme:..."), printable ASCII without spaces, <= MCP_URI_MAX */
    const char *name;        /* required */
    const char *title;       /* optional */
    const char *description; /* optional */
    const char *mime_type;   /* optional (default of the contents) */
    /* exactly one of: static text, static bytes, or a read handler */
    const char *text;
    const void *blob;
    size_t blob_len;
    mcp_resource_read_fn fn;
    void *data;
} mcp_resource_def_t;

typedef struct mcp_resource_var {
    const char *name;         /* a {name} of the template */
    mcp_completer_t complete; /* completion source for it */
} mcp_resource_var_t;

typedef struct mcp_resource_template_def {
    const char *uri_template; /* required: level-1 template, e.g. "test://template/{id}/data"; unique */
    const char *name;         /* required */
    const char *title;
    const char *description;
    const char *mime_type;
    const mcp_resource_var_t *vars; /* optional completion sources per variable */
    size_t nvars;
    mcp_resource_read_fn fn; /* required */
    void *data;
} mcp_resource_template_def_t;

typedef struct mcp_server mcp_server_t;

/* Register a resource / a template with the service (see server.h). Before mcp_server_run. CM_OK or an error
 * (logged). */
int mcp_server_add_resource(mcp_server_t *s, const mcp_resource_def_t *def);
int mcp_server_add_resource_template(mcp_server_t *s, const mcp_resource_template_def_t *def);

/* page_size 0 = 50. Caller owns the registry. */
mcp_resources_t *mcp_resources_new(size_t page_size);
void mcp_resources_free(mcp_resources_t *r);
/* Copy def. CM_OK, or CM_EINVAL / CM_ECONFLICT / CM_ENOMEM with a one-line reason in err. */
int mcp_resources_add(mcp_resources_t *r, const mcp_resource_def_t *def, char *err, size_t errsz);
int mcp_resources_add_template(mcp_resources_t *r, const mcp_resource_template_def_t *def, char *err, size_t errsz);
size_t mcp_resources_count(const mcp_resources_t *r);
size_t mcp_resources_template_count(const mcp_resources_t *r);

/* resources/list and resources/templates/list: CM_OK with a new, shared reference (copy before changing), or
 * CM_EINVAL for an unknown cursor, CM_ENOMEM. */
int mcp_resources_list(mcp_resources_t *r, const char *cursor, json_t **out);
int mcp_resources_templates_list(mcp_resources_t *r, const char *cursor, json_t **out);

/* Outcome of a read. */
enum { MCP_READ_OK = 0, MCP_READ_NOT_FOUND = 1, MCP_READ_INVALID = 2, MCP_READ_FAILED = 3 };
/* resources/read: MCP_READ_OK with *result = new {"contents":[...]} (caller decrefs); otherwise a MCP_READ_* code
 * and a message in msg. */
int mcp_resources_read(mcp_resources_t *r, const char *uri, json_t **result, char *msg, size_t msgsz);
/* 1 when uri names a static resource or matches a template. */
int mcp_resources_exists(const mcp_resources_t *r, const char *uri);

/*
 * Matches uri against a level-1 template. Returns 1 and *vars = new object of decoded values (caller decrefs; vars
 * may be NULL to only test), 0 when it does not match, -1 when the template is invalid.
 */
int mcp_uri_template_match(const char *tmpl, const char *uri, json_t **vars);
/* CM_OK when tmpl is a valid level-1 template (literals + {var}, var = [A-Za-z0-9_]+, no adjacent or repeated
 * variables, at most 16), else CM_EINVAL with a reason. *names (may be NULL) = new array of the variable names. */
int mcp_uri_template_parse(const char *tmpl, json_t **names, char *err, size_t errsz);

/* ------------------------------------------------------------------ handler side */

/* Adds {uri, mimeType?, text}. uri NULL = the requested URI; mime_type NULL = the registered one. */
int mcp_resource_add_text(mcp_resource_contents_t *out, const char *uri, const char *mime_type, const char *text);
/* Adds {uri, mimeType?, blob: base64(bytes)}. */
int mcp_resource_add_blob(mcp_resource_contents_t *out, const char *uri, const char *mime_type, const void *bytes,
                          size_t len);
/* The message the client gets when the handler returns an error status. */
void mcp_resource_fail(mcp_resource_contents_t *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
