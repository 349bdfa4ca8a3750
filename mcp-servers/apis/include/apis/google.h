/*
 * google.h - what every Google API service (gmail, googledrive, googlecalendar, googlesheets, googledocs) does the
 * same way: the tool error text of a Google error answer, and the page token of a Google list.
 *
 * Google APIs answer errors as {"error": {"code", "message", "status", "errors": [{"reason", "domain"}]}}. The
 * runtime (mcp/provider_http.h) already retries a 401 once after a broker refresh and maps statuses to generic
 * texts; this adds what is Google's:
 *   403 with reason rateLimitExceeded / userRateLimitExceeded / dailyLimitExceeded / quotaExceeded (any reason
 *       ending in "LimitExceeded" or "quotaExceeded") -> a usage-limit error with Retry-After when sent (this is
 *       not a missing scope);
 *   403 exportSizeLimitExceeded (Drive files.export of a file whose export is over 10 MB) -> "too large to export"
 *       (neither a usage limit nor a missing scope);
 *   403 for a scope (reason insufficientPermissions, insufficientScopes, ACCESS_TOKEN_SCOPE_INSUFFICIENT,
 *       forbidden, none, or an insufficient_scope challenge) -> the runtime's 403 text (with the instance's
 *       re-authorize URL), the scope this tool needs and the scope Google names in WWW-Authenticate;
 *   403 with another reason (insufficientFilePermissions, cannotCopyFile, fileNotDownloadable, ...) -> "<api>
 *       refused the request (403 <reason>)": no scope would help;
 *   429 -> the runtime's rate-limit text (Retry-After);
 *   404 -> the runtime's not-found text (a tool that knows the id says so in its own 404 text);
 *   every other status -> the generic text;
 * and Google's own error.message (control characters blanked, at most 300 bytes) appended after "<api> says: ".
 */
#ifndef MCP_APIS_GOOGLE_H
#define MCP_APIS_GOOGLE_H

#include "mcp/provider_http.h"

#include <jansson.h>
#include <stddef.h>

/* What one family of tools needs, for the texts: a service keeps these in static const tables. */
typedef struct mcp_google_scope {
    const char *api;   /* the API's name in texts, e.g. "Google Drive" */
    const char *scope; /* the scope(s) the tool needs, as a user grants them, e.g.
                          "https://www.googleapis.com/auth/drive (or drive.file for files the app created)" */
} mcp_google_scope_t;

/* The tool error text for a non-2xx Google answer (the body of an mcp_provider_error_fn hook): writes into buf
 * (always NUL-terminated). generic is the runtime's text for the status; s names the API and the scope. */
void mcp_google_error_text(const mcp_provider_response_t *res, const char *generic, const mcp_google_scope_t *s,
                           char *buf, size_t bufsz);

/* Google's error.message (or an OAuth error_description) of a non-2xx answer, for a tool text that a service words
 * itself (e.g. a 404 naming the item): control characters blanked, at most 300 bytes; "" when absent. Writes into out
 * (outsz > 0, always NUL-terminated). */
void mcp_google_message(const mcp_provider_response_t *res, char *out, size_t outsz);

/* 1 when res is a Google usage-limit answer (403 with a *LimitExceeded / quotaExceeded reason, or 429); else 0. */
int mcp_google_is_rate_limit(const mcp_provider_response_t *res);

/* A Google pageToken handed back as a tool's cursor: 1 when it looks like one (1..2048 bytes of printable ASCII
 * without spaces), else 0. Google's tokens are opaque; this only keeps a model's garbage out of the URL. */
int mcp_google_page_token_ok(const char *token);

/* The body of a Google media upload with uploadType=multipart (Content-Type multipart/related; boundary=...): first
 * part the metadata (application/json; charset=UTF-8, compact; borrowed), second part the media (media_type, data/len
 * as they are, not base64). The boundary (random, occurring in neither part) is written into boundary (boundarysz
 * >= 64). CM_OK with *body (malloc'ed, caller frees; it holds the media) and *body_len, or CM_ENOMEM / CM_ERR. */
int mcp_google_multipart_body(json_t *metadata, const char *media_type, const void *data, size_t len, char *boundary,
                              size_t boundarysz, char **body, size_t *body_len);

#endif
