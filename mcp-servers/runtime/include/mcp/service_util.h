/*
 * service_util.h - what every MCP service's tools need around mcp_provider_fetch, so that no service carries its own
 * copy: the provider API base URL (overridable by an environment variable, for tests) and URLs below it, a request
 * with a JSON body, finishing a tool with readable text plus structuredContent, and UTF-8-safe truncation by
 * characters.
 *
 * All functions run on the loop thread of the call they take (like the rest of tools.h).
 */
#ifndef MCP_SERVICE_UTIL_H
#define MCP_SERVICE_UTIL_H

#include "common/url.h"
#include "mcp/provider_http.h"
#include "mcp/server.h"
#include "mcp/tools.h"

#include <jansson.h>
#include <stddef.h>

/* ------------------------------------------------------------------ API base URL */

#define MCP_API_BASE_MAX 512

/* A provider API base: scheme://host[:port][/path] with no trailing slash. Zero-initialise or fill with
 * mcp_api_base_init; it owns no heap memory (a service keeps one in a static). */
typedef struct mcp_api_base {
    char url[MCP_API_BASE_MAX];
} mcp_api_base_t;

/*
 * Sets b to the value of the environment variable env_name when set and non-empty, else to default_url; then
 * appends path_prefix (may be NULL, e.g. "/gmail/v1/users/me"). Trailing slashes of the base are dropped.
 * Returns CM_OK, or CM_EINVAL (b keeps default_url + path_prefix, and err says why) when the variable is not an
 * http(s) URL or is too long: a service should refuse to start rather than call a half-configured API.
 */
int mcp_api_base_init(mcp_api_base_t *b, const char *env_name, const char *default_url, const char *path_prefix,
                      char *err, size_t errsz);

/* The base URL (borrowed from b). */
const char *mcp_api_base_url(const mcp_api_base_t *b);

/*
 * base + path (path starts with '/' and is already escaped) + query pairs (NULL-terminated name, value list; pairs
 * whose value is NULL are skipped; query may be NULL), escaped by curl's URL API. malloc'ed (caller frees) or NULL
 * (out of memory, bad URL).
 */
char *mcp_api_url(const mcp_api_base_t *b, const char *path, const char *const *query);

/* ------------------------------------------------------------------ JSON requests */

/*
 * mcp_provider_fetch with a JSON body. req is a template (copied; borrowed for the call's duration only): its
 * provider, method, headers, n_headers, timeout_ms, flags, error_text and arg_free are used; its url, body and
 * body_len are ignored. url_owned is the request URL, always freed here; NULL means the caller could not build it
 * (the call fails with "Could not build the <provider> request."). body (may be NULL) is stolen and sent compact,
 * with Content-Type: application/json added to the headers. As with mcp_provider_fetch, either cb runs later or
 * the call is finished with a tool error (and arg_free(arg) runs); touch the call no more after this returns. With
 * MCP_PROVIDER_DELIVER_ERRORS in req->flags the build failure goes to cb too (res->error), before this returns.
 */
void mcp_provider_fetch_json(mcp_call_t *c, const mcp_provider_request_t *req, char *url_owned, json_t *body,
                             mcp_provider_cb cb, void *arg);

/* ------------------------------------------------------------------ tool results */

/* Finishes the call with one text block (copied; UTF-8; NULL adds none, for a tool that added its blocks itself)
 * and structuredContent (stolen; may be NULL). */
void mcp_tool_finish_text(mcp_call_t *c, const char *text, json_t *structured);
/* The same with the text taken from b (b is emptied). When b failed (out of memory) the call fails instead and
 * structured is released. */
void mcp_tool_finish_buf(mcp_call_t *c, cm_buf_t *b, json_t *structured);

/* Registers the n tools of a service's table in order (mcp_server_add_tool each). CM_OK, or the first error (logged
 * by mcp_server_add_tool; the tools before it stay registered, the service should not start). */
int mcp_server_add_tools(mcp_server_t *s, const mcp_tool_def_t *defs, size_t n);

/* ------------------------------------------------------------------ UTF-8 */

/* The byte length of the first max_chars characters (code points) of s (len bytes of UTF-8), or len when s is
 * shorter: a cut there never splits a multi-byte sequence. (mcp_utf8_truncate in mime.h cuts by bytes.) */
size_t mcp_utf8_prefix_chars(const char *s, size_t len, size_t max_chars);

#endif
