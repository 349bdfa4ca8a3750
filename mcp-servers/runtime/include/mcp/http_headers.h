/*
 * http_headers.h - small helpers services need on provider responses: header lookup, RFC 8288 Link headers
 * (GitHub-style pagination), query parameters of a URL (page numbers, skip tokens of next links), and a check that
 * a provider-supplied next link stays on the configured API base (a page token must never send the access token
 * elsewhere).
 */
#ifndef MCP_HTTP_HEADERS_H
#define MCP_HTTP_HEADERS_H

#include "common/http_client.h"

#include <stddef.h>

/* The value of the first header named name (case-insensitive), or NULL. Borrowed from headers. */
const char *mcp_header_get(const cm_http_header_t *headers, size_t n, const char *name);

/*
 * The target of the link with relation rel in an RFC 8288 Link header value, e.g.
 *   <https://api.github.com/user/repos?page=2>; rel="next", <...?page=5>; rel="last"
 * rel matches one of the space-separated relation types (case-insensitive), quoted or not. Returns a malloc'ed URL
 * (caller frees) or NULL when absent, malformed or out of memory.
 */
char *mcp_link_find(const char *link, const char *rel);

/* The decoded value of query parameter name in url (first occurrence), malloc'ed, or NULL when absent. */
char *mcp_url_query_get(const char *url, const char *name);

/*
 * 1 when url is base itself or lies below it (base + "/" or base + "?"...), with no "/../" or "/./" path segments
 * and no CR/LF/space; else 0. Used to accept page tokens that are provider next links.
 */
int mcp_url_under_base(const char *url, const char *base);

#endif
