/*
 * googledocs.h - the Google Docs service's internal contract: API access (the Docs v1 base, the Drive v3 base for
 * exports, requests with the scope each needs), the document-to-markdown renderer, the batchUpdate request checks
 * and the tool handlers.
 */
#ifndef GOOGLEDOCS_H
#define GOOGLEDOCS_H

#include "common/url.h"
#include "mcp/provider_http.h"
#include "mcp/result.h"
#include "mcp/server.h"

#include <jansson.h>
#include <stddef.h>

/* Limits. The tool descriptions state them (tools.c) and the schemas of schemas/ repeat them (text maxLength,
 * max_chars maximum, requests maxItems): what a description promises is what the service accepts. */
#define GD_MAX_TEXT_CHARS 100000         /* text of create_document / append_text / insert_text (schema maxLength) */
#define GD_MAX_MARKDOWN_CHARS 500000     /* get_document_text max_chars maximum (schema) */
#define GD_MAX_DOC_RESPONSE (48u << 20)  /* documents.get answer: a long document's JSON with its styles */
#define GD_MAX_EXPORT (5u * 1024 * 1024) /* export_document: the largest export returned (as base64) */
#define GD_MAX_EXPORT_TEXT "5 MiB"
#define GD_MAX_REQUESTS 100 /* batch_update requests maxItems (schema) */
/* A tools/call body: the longest text as a JSON string with every character \u-escaped (a character outside the BMP
 * is two escapes, 12 bytes), and 1 MiB for everything else (the JSON-RPC envelope, batch_update's other requests). */
#define GD_MAX_REQUEST_BODY ((size_t)12 * GD_MAX_TEXT_CHARS + 1024 * 1024)

/* The OAuth scope a call needs, named in 403 errors. */
typedef enum gd_scope {
    GD_SCOPE_READ = 0, /* documents.readonly (or documents) */
    GD_SCOPE_WRITE,    /* documents */
    GD_SCOPE_EXPORT,   /* drive.readonly (Drive files.export) */
} gd_scope_t;

/* How a request is sent and its failure reported (gd_fetch). Zero-initialise; every field is optional. */
typedef struct gd_fetch_opts {
    const char *doc_id;    /* named in the 404 text (copied) */
    int deliver_errors;    /* cb also runs for a failure, with res->error the tool error text (the id named) */
    int raw;               /* the body is not JSON (an export): sent through mcp_provider_fetch */
    size_t max_response;   /* 0 = the runtime's default */
    const char *too_large; /* the tool error above max_response (copied) */
} gd_fetch_opts_t;

/* ---- api.c ---- */
/* The API bases: Docs from GOOGLEDOCS_API_BASE (default https://docs.googleapis.com) + "/v1"; Drive from
 * GOOGLEDOCS_DRIVE_API_BASE (the whole base, default https://www.googleapis.com/drive/v3), or, when only
 * GOOGLEDOCS_API_BASE is set, that + "/drive/v3" (one fake serves both). CM_OK, or CM_EINVAL (logged) when a
 * variable is not a usable URL: the service does not start then. */
int gd_api_init(void);
/* Docs base + "/v1" + path (escaped already; starts with '/') + query pairs (NULL-terminated, NULL values skipped;
 * may be NULL). malloc'ed or NULL. */
char *gd_docs_url(const char *path, const char *const *query);
/* The same on the Drive v3 base. */
char *gd_drive_url(const char *path, const char *const *query);
/* "/documents/<escaped id><suffix>" (suffix may be NULL), malloc'ed or NULL. */
char *gd_doc_path(const char *id, const char *suffix);
/* Sends a request for the call's instance (GET when body is NULL, else JSON; body stolen; url_owned freed; NULL url
 * fails the call). Errors become tool errors: Google's message appended, the missing scope named on a 403, usage
 * limits with Retry-After, a 404 naming o->doc_id. Unless o->deliver_errors, cb gets only 2xx answers, and arg_free
 * (may be NULL) frees arg when cb does not run. o may be NULL. */
void gd_fetch(mcp_call_t *c, const char *method, char *url_owned, json_t *body, gd_scope_t scope,
              const gd_fetch_opts_t *o, mcp_provider_cb cb, void *arg, void (*arg_free)(void *));
/* A string argument, or NULL when absent or empty. Borrowed from args. */
const char *gd_str(json_t *args, const char *key);

/* ---- render.c: a Docs document resource -> markdown ---- */
/* Appends the markdown of doc's body (borrowed; the documents.get answer) to out: headings from
 * paragraphStyle.namedStyleType (TITLE and HEADING_1 "#", SUBTITLE and HEADING_2 "##", HEADING_n n marks), list items
 * from bullet.listId / nestingLevel (ordered when the list's nesting level has a numbering glyphType, numbered per
 * list and level; four spaces per level), tables as pipe tables (the first row as header), text runs with bold,
 * italic and links, horizontal rules and page breaks as "---", images as "[image]". CM_OK or CM_ENOMEM. */
int gd_render_markdown(json_t *doc, cm_buf_t *out);
/* The code points of s (UTF-8). */
size_t gd_utf8_chars(const char *s, size_t len);

/* ---- requests.c: batch_update requests checks the schema cannot express ---- */
/* CM_OK when every range of requests (borrowed) has startIndex < endIndex; else CM_EINVAL with the reason (naming
 * requests[i]) in err. */
int gd_check_requests(json_t *requests, char *err, size_t errsz);

/* ---- tool handlers ---- */
void gd_create_document(mcp_call_t *c, json_t *args, void *data);
void gd_get_document_text(mcp_call_t *c, json_t *args, void *data);
void gd_append_text(mcp_call_t *c, json_t *args, void *data);
void gd_insert_text(mcp_call_t *c, json_t *args, void *data);
void gd_replace_all_text(mcp_call_t *c, json_t *args, void *data);
void gd_export_document(mcp_call_t *c, json_t *args, void *data);
void gd_batch_update(mcp_call_t *c, json_t *args, void *data);

/* tools.c: checks the configuration and registers the tool table. CM_OK or an error (logged). */
int gd_register_tools(mcp_server_t *s);

#endif
