/*
 * notion.h - the notion service's own declarations: the upstream calls (api.c), Notion objects to text and JSON
 * (props.c), the appender shared by create_page and append_blocks (append.c), the tool handlers (tools_*.c) and the
 * tool table (tools.c). Markdown <-> blocks is notion_md.h.
 *
 * Notion-Version is pinned to NT_NOTION_VERSION, 2022-06-28: the version whose model the tools are written for
 * (databases queried at /v1/databases/{id}/query, search filtered by "page" or "database", pages created with a
 * database_id parent, trash as "archived"). From 2025-09-03 on, databases hold data sources and those calls move
 * to /v1/data_sources (a database_id parent fails for a database with several sources); Notion keeps serving every
 * version a client pins, so pinning keeps the shapes this code parses stable.
 *
 * Notion has no OAuth scopes: what an integration may do (read, update, insert content, read comments, user
 * information) are capabilities set in the integration's settings, and it sees only the pages and databases shared
 * with it. A 403 (restricted_resource) is a missing capability, a 404 (object_not_found) also an unshared page.
 */
#ifndef NOTION_H
#define NOTION_H

#include "mcp/provider_http.h"
#include "mcp/result.h"
#include "mcp/server.h"
#include "notion_md.h"

#include <jansson.h>

#define NOTION_PROVIDER "Notion" /* the provider's name in tool errors */
#define NT_NOTION_VERSION "2022-06-28"

/* Limits the schemas repeat (schemas/<tool>.input.json): content of create_page / append_blocks (maxLength), the blocks
 * it may make (NT_MAX_BLOCKS: at most 10 append requests of 100), get_page_content's depth and block budget. */
#define NT_MAX_CONTENT_CHARS 200000
/* A tools/call body: the content as a JSON string (at most 12 bytes a character: an escaped surrogate pair) and 1 MiB
 * for the rest (properties, the JSON-RPC envelope). */
#define NT_MAX_REQUEST_BODY (12 * (size_t)NT_MAX_CONTENT_CHARS + 1024 * 1024)
#define NT_MAX_BLOCKS 1000
#define NT_MAX_DEPTH 5
#define NT_MAX_CONTENT_BLOCKS 1000
#define NT_MAX_CONTENT_REQUESTS 50  /* children requests of one get_page_content: Notion averages 3 requests/s */
#define NT_ID_LEN 36                /* a Notion id with hyphens */
#define NT_MAX_FILTER_PROPERTIES 25 /* filter_properties of get_page / query_database (maxItems) */

/* ---- api.c ---- */

/* The API base (env NOTION_API_BASE, default https://api.notion.com) + "/v1". CM_OK, or CM_EINVAL (logged) when the
 * variable is not a usable URL: the service does not start then. */
int notion_api_init(void);
/* API base + "/v1" + path (already escaped) + query pairs (NULL-terminated name/value list, NULL values skipped).
 * malloc'ed or NULL. */
char *notion_url(const char *path, const char *const *query);
/*
 * Sends a request (method, e.g. "GET", "PATCH") for the call's instance with its access token and Notion-Version
 * (body stolen, may be NULL; url freed, NULL fails the call). cb gets only 2xx answers. A failure finishes the call
 * with a tool error that carries Notion's code and message; on a 404, subject (copied, may be NULL, e.g. "page
 * 1234...") is named as what is missing or not shared; on a 403, that Notion has no scopes but capabilities. arg_free
 * (may be NULL) frees arg when cb never runs.
 */
void notion_fetch(mcp_call_t *c, const char *method, char *url, json_t *body, const char *subject, mcp_provider_cb cb,
                  void *arg, void (*arg_free)(void *));
/* notion_fetch with prefix (copied, may be NULL) put before the text of a failure (what a multi-step tool did
 * before it). */
void notion_fetch_ex(mcp_call_t *c, const char *method, char *url, json_t *body, const char *subject,
                     const char *prefix, mcp_provider_cb cb, void *arg, void (*arg_free)(void *));
/* A failed request of notion_fetch_partial: text is the tool error it would give (borrowed). Returns 1 when it
 * finished the call itself and freed arg (an answer with what the tool had so far), 0 to fail the call with text. */
typedef int (*nt_error_fn)(mcp_call_t *c, const char *text, void *arg);
/* notion_fetch of a GET whose failure goes to on_error first (get_page_content: what was read stays useful). */
void notion_fetch_partial(mcp_call_t *c, char *url, const char *subject, mcp_provider_cb cb, nt_error_fn on_error,
                          void *arg, void (*arg_free)(void *));
/* The id argument key of args as a Notion id with hyphens (8-4-4-4-12) into out; the schemas allow both forms. 0, or
 * -1 with the call failed. */
int nt_id_arg(mcp_call_t *c, json_t *args, const char *key, char out[NT_ID_LEN + 1]);
/* API base + "/v1" + path + one filter_properties query parameter for each property id of args.filter_properties
 * (Notion's encoded ids, decoded first). 0 with *url (malloc'ed, NULL when out of memory), or -1 with the call
 * failed (an id that does not decode). */
int nt_url_props(mcp_call_t *c, const char *path, json_t *args, char **url);
/* 1 when id (from an answer of Notion) is a Notion id that may go into a request path: hex digits and hyphens, at
 * most NT_ID_LEN characters; else 0. */
int nt_id_ok(const char *id);
/* The string argument key, or NULL when absent or empty (borrowed). */
const char *nt_str(json_t *args, const char *key);

/* ---- props.c ---- */

/* The title of a page or database object (its title property, or its "title" rich text), appended to b. */
void nt_title(cm_buf_t *b, json_t *obj);
/* A property value object (page.properties.X) as short text, appended to b. */
void nt_prop_text(cm_buf_t *b, json_t *value);
/* A page as {id, url, title, archived, parent, created_time, last_edited_time, properties {name: text}} (new). */
json_t *nt_page_summary(json_t *page);
/* A line "- <title> (<object> <id>) <url>" for a search or query result, appended to b. */
void nt_result_line(cm_buf_t *b, json_t *obj);
/* The properties argument turned into Notion property values (new object): a title or rich_text given as a string
 * becomes rich text (split at 2,000 characters); everything else is passed on as given (the schema checked it).
 * NULL when out of memory. */
json_t *nt_props_from_args(json_t *props);

/* ---- append.c: blocks appended in order, NT_CHILDREN_MAX a request (nt_blocks_chunk) ---- */

/* Called once at the end with the ids of the appended top-level blocks (borrowed) and the number of requests; or,
 * after a failure, never (the call was failed with the text, naming how many blocks went in before). */
typedef void (*nt_append_done_fn)(mcp_call_t *c, json_t *ids, size_t requests, void *arg);
/* Appends blocks[from..] (stolen) to block_id, in order: the first request after `after` (may be NULL: at the end),
 * each following one after the last block of the one before. before (copied, may be NULL) opens the text of a
 * failure (what the tool did first, e.g. "Page X was created. "). arg_free (may be NULL) frees arg on a failure. */
void nt_append(mcp_call_t *c, const char *block_id, json_t *blocks, size_t from, const char *after, const char *before,
               nt_append_done_fn done, void *arg, void (*arg_free)(void *));

/* ---- tool handlers ---- */
void nt_search(mcp_call_t *c, json_t *args, void *data);                 /* tools_search.c */
void nt_query_database(mcp_call_t *c, json_t *args, void *data);         /* tools_search.c */
void nt_get_database(mcp_call_t *c, json_t *args, void *data);           /* tools_search.c */
void nt_get_page(mcp_call_t *c, json_t *args, void *data);               /* tools_pages.c */
void nt_update_page_properties(mcp_call_t *c, json_t *args, void *data); /* tools_pages.c */
void nt_archive_page(mcp_call_t *c, json_t *args, void *data);           /* tools_pages.c */
void nt_create_page(mcp_call_t *c, json_t *args, void *data);            /* tools_create.c */
void nt_append_blocks(mcp_call_t *c, json_t *args, void *data);          /* tools_create.c */
void nt_get_page_content(mcp_call_t *c, json_t *args, void *data);       /* tools_content.c */

/* tools.c: checks the configuration and registers the tool table. CM_OK or an error (logged). */
int notion_register_tools(mcp_server_t *s);

#endif
