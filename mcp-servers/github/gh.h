/*
 * gh.h - GitHub REST helpers of the github service: API base, request headers, URLs, Link-header paging and the
 * error texts (rate limit with reset time, missing OAuth scope, 404 that may mean "no access").
 */
#ifndef GITHUB_GH_H
#define GITHUB_GH_H

#include "common/url.h"
#include "mcp/provider_http.h"
#include "mcp/result.h"

#include <jansson.h>
#include <time.h>

#define GH_PROVIDER "GitHub"
#define GH_SEARCH_MAX_RESULTS 1000 /* the search API serves the first 1000 results only (422 beyond) */

/* The API base (env GITHUB_API_BASE, default https://api.github.com). CM_OK, or CM_EINVAL (logged) when
 * GITHUB_API_BASE is not a usable URL. */
int gh_init(void);
const char *gh_base(void);

/* base + path + query pairs (NULL-terminated name/value list, NULL values skipped). malloc'ed or NULL. */
char *gh_url(const char *path, const char *const *query);
/* "/repos/<owner>/<name>" + suffix with both parts checked and escaped, into buf; 0 or -1 (bad repo: call failed). */
int gh_repo_path(mcp_call_t *c, const char *repo, const char *suffix, char *buf, size_t n);

/* Sends a request (GET when body NULL; body stolen). Adds Accept, X-GitHub-Api-Version and, with a body, the
 * Content-Type; errors through gh_error_text. Frees url. */
void gh_fetch(mcp_call_t *c, const char *method, char *url, json_t *body, mcp_provider_cb cb, void *arg);

/* The page number of the Link header's rel="next" (0 when there is none). */
long gh_next_page(const mcp_provider_response_t *res);

#define GH_NUM_LEN 24
/* The per_page and page arguments (validated integers) as query values. */
void gh_page_args(json_t *args, char per_page[GH_NUM_LEN], char page[GH_NUM_LEN]);

/* Finishes a list call: "More: call again with page=N." and next_page when there is a next page (next > 0), then
 * the result with text b and structured out (stolen). search_per_page > 0 (a search-backed list) drops a next page
 * beyond the GH_SEARCH_MAX_RESULTS GitHub search serves. */
void gh_finish_page(mcp_call_t *c, cm_buf_t *b, json_t *out, long next, json_int_t search_per_page);

/* The error hook (exposed for tests). now is the current unix time (for "resets in N s"). */
void gh_error_text_at(const mcp_provider_response_t *res, const char *generic, time_t now, char *buf, size_t n);
void gh_error_text(const struct mcp_provider_response *res, const char *generic, char *buf, size_t n);
/* The scopes in accepted (comma list) not covered by granted, or "" when any accepted scope is granted. */
void gh_missing_scopes(const char *accepted, const char *granted, char *buf, size_t n);

#endif
