/*
 * msgraph.h - what every Microsoft Graph service (outlook, onedrive, teams) does the same way: the API base, URLs,
 * path escaping, @odata.nextLink cursors, and the tool error text of a Graph error answer.
 *
 * Graph answers errors as {"error": {"code", "message", "innerError": {...}}}. The runtime (mcp/provider_http.h)
 * retries a 401 once after a broker refresh and maps statuses to generic texts (429 with Retry-After included);
 * this adds Graph's: on 503 the Retry-After Graph sends when throttling, on 403 the permission the tool needs and
 * the instance's re-authorize URL, and Graph's own code and message after "Microsoft Graph says: ".
 */
#ifndef MCP_APIS_MSGRAPH_H
#define MCP_APIS_MSGRAPH_H

#include "mcp/provider_http.h"

#include <stddef.h>

#define MSGRAPH_PROVIDER "Microsoft Graph"

/* Reads the API base once at startup: env GRAPH_API_BASE, default https://graph.microsoft.com/v1.0. service names
 * the log line. CM_OK, or CM_EINVAL (logged) when GRAPH_API_BASE is not a usable URL. */
int msgraph_init(const char *service);
/* The base URL without a trailing slash (static storage). */
const char *msgraph_base(void);
/* base + path (starts with '/', already escaped) + query pairs (NULL-terminated name/value list; NULL values
 * skipped). malloc'ed (caller frees) or NULL. */
char *msgraph_url(const char *path, const char *const *query);
/* One percent-escaped path segment (an id, a name), malloc'ed (caller frees) or NULL. */
char *msgraph_escape(const char *s);
/* 1 when a cursor (an @odata.nextLink handed back by a tool) is a URL below the API base: the access token is
 * never sent anywhere else. */
int msgraph_page_token_ok(const char *token);

/* The tool error text for a non-2xx Graph answer (the body of an mcp_provider_error_fn hook): generic is the
 * runtime's text; permission is what the tool needs on 403 (e.g. "Files.ReadWrite"), NULL = none named. Writes
 * into buf (always NUL-terminated). */
void msgraph_error_text(const mcp_provider_response_t *res, const char *generic, const char *permission, char *buf,
                        size_t bufsz);

#endif
