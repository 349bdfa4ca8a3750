/*
 * resources.h (private) - the resource registry behind resources/list, resources/templates/list,
 * resources/read and resources/(un)subscribe, and level-1 URI templates (what a service registers: mcp/features.h).
 */
#ifndef MCP_RESOURCES_H
#define MCP_RESOURCES_H

#include "features/completion.h"
#include "mcp/features.h"

#include <jansson.h>
#include <stddef.h>

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

#endif
