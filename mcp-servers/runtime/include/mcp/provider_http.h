/*
 * provider_http.h - the one helper every service uses to call its provider's API from a tool.
 *
 * mcp_provider_fetch gets the instance's access token (token_client.h: cache, then broker), sends the request
 * through common/http_client (non-blocking, on the loop) with Authorization: Bearer, the service User-Agent and
 * a timeout, and maps failures to clear tool errors (isError results) itself:
 *   401 -> the cached token is invalidated, a fresh one is asked for once (broker refresh), the request is
 *          retried once; a second 401 -> "re-authorize" error naming the broker's authorize URL when known
 *   403 -> permission denied (scopes), naming the instance's re-authorize URL when known; 404 -> not found; 429 -> rate
 * limited, honouring Retry-After; 5xx -> provider unavailable; timeout / transport error -> unreachable; other 4xx ->
 * rejected request; an answer above max_response -> "too large". Only a 2xx response reaches the callback (unless
 * MCP_PROVIDER_ALL_STATUSES is set), which must finish the call. The callback always runs later (from the loop); a
 * failure detected up front may finish the call before mcp_provider_fetch returns, so touch the call no more after
 * calling it.
 */
#ifndef MCP_PROVIDER_HTTP_H
#define MCP_PROVIDER_HTTP_H

#include "common/http_client.h"
#include "common/url.h"
#include "mcp/tools.h"

#include <jansson.h>
#include <stddef.h>

#define MCP_PROVIDER_ALL_STATUSES 1 /* flags: deliver every HTTP status to the callback */
/* flags: the callback also gets every failure the helper would turn into a tool error (res->error is that text, with
 * the error_text hook applied; res->status the HTTP status or 0), and the helper never finishes the call itself: so
 * one call may run several requests at once and finish when all are done. With this flag the callback may run
 * before mcp_provider_fetch returns (a failure found up front), and arg_free is never used. */
#define MCP_PROVIDER_DELIVER_ERRORS 2
#define MCP_PROVIDER_DEFAULT_MAX_RESPONSE (8u * 1024 * 1024) /* the response cap when max_response is 0 */

struct mcp_provider_response;
/* Provider-specific error text hook (see mcp_provider_request_t.error_text). */
typedef void (*mcp_provider_error_fn)(const struct mcp_provider_response *res, const char *generic, char *buf,
                                      size_t bufsz);

typedef struct mcp_provider_request {
    const char *provider; /* human name for messages, e.g. "Gmail" */
    const char *method;   /* NULL = GET (POST when body) */
    const char *url;
    const cm_http_header_t *headers; /* extra headers (Authorization and User-Agent are added) */
    size_t n_headers;
    const char *body; /* copied */
    size_t body_len;
    int timeout_ms; /* 0 = 15000 */
    /* Largest response body accepted, bytes; 0 = MCP_PROVIDER_DEFAULT_MAX_RESPONSE. A larger answer fails the
     * call with its own tool error ("too large", naming the limit), not "could not be reached". */
    size_t max_response;
    const char *too_large; /* the tool error for that case (copied); NULL = a generic one naming the limit */
    int flags;
    /* Optional hook for a non-2xx answer that reaches the error mapping: writes the provider-specific tool error
     * text into buf (NUL-terminated), e.g. the provider's own message or the missing scope; leaving buf empty keeps
     * generic (the mcp_provider_error_text message). */
    mcp_provider_error_fn error_text;
    /* Optional: called with arg when the helper finishes the call itself (tool error, cb never runs), so that a
     * multi-step tool can free its state. */
    void (*arg_free)(void *arg);
    /* Optional, for a provider that answers errors inside a 2xx (Slack: HTTP 200 {"ok": false, "error":
     * "invalid_auth"}): called with each 2xx answer (json parsed when JSON), returns the HTTP status the answer stands
     * for (res->status for a success). A 401 gets the one broker refresh and retry, then the re-authorize error; any
     * other non-2xx takes the error path as if sent so (error_text sees the answer with that status, and on 401 / 403
     * the instance's authorize_url). */
    int (*answer_status)(const struct mcp_provider_response *res);
    /* Optional: what the request names, for the texts of a 404 / 410 answer (copied), e.g. "Spreadsheet 1Bx...":
     * "<subject> was not found (404): it does not exist, or this account cannot see it." / "<subject> has been deleted
     * (410 Gone)." instead of the generic ones (the error_text hook gets it as generic). */
    const char *subject;
} mcp_provider_request_t;

/* Borrowed: valid during the callback only. json is the parsed body when it is JSON, else NULL. */
typedef struct mcp_provider_response {
    int status;
    const char *body;
    size_t body_len;
    const char *content_type;
    json_t *json;
    const cm_http_header_t *headers; /* all response headers, lower-cased names (see mcp_header_get) */
    size_t n_headers;
    long retry_after_s;        /* -1 when absent */
    const char *error;         /* MCP_PROVIDER_DELIVER_ERRORS: the tool error text of a failure, else NULL */
    const char *authorize_url; /* error_text hook on 401/403: the instance's re-authorize page, NULL when unknown */
} mcp_provider_response_t;

typedef void (*mcp_provider_cb)(mcp_call_t *call, const mcp_provider_response_t *res, void *arg);

/* Starts the request for call's instance. The request is copied. Either cb runs (later), or the helper finishes
 * the call with a tool error; never both. */
void mcp_provider_fetch(mcp_call_t *call, const mcp_provider_request_t *req, mcp_provider_cb cb, void *arg);

/* The tool error text for a provider HTTP status (exposed for tests). Writes into buf; returns buf. */
const char *mcp_provider_error_text(const char *provider, int status, long retry_after_s, int timed_out,
                                    const char *authorize_url, char *buf, size_t bufsz);

/* ------------------------------------------------------------------ provider responses */
/* Header lookup, RFC 8288 Link headers (GitHub-style pagination), query parameters of a URL (page numbers, skip
 * tokens of next links), and a check that a provider-supplied next link stays on the configured API base (a page
 * token must never send the access token elsewhere). */

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

#endif
