/*
 * dropbox.h - the dropbox service's own declarations: the two API bases and the Dropbox call wrapper with its error
 * texts (api.c), metadata summaries (meta.c), the tool handlers (tools_*.c) and the tool table (tools.c).
 */
#ifndef DROPBOX_H
#define DROPBOX_H

#include "common/url.h"
#include "mcp/provider_http.h"
#include "mcp/result.h"
#include "mcp/server.h"

#include <jansson.h>
#include <stddef.h>

#define DROPBOX_PROVIDER "Dropbox" /* the provider's name in tool errors */

/* Dropbox takes up to 150 MiB in one files/upload request; this tool takes at most DBX_MAX_UPLOAD decoded bytes
 * (upload.input.json's content maxLength 13981016 is that as base64), because the whole file travels inside one MCP
 * request (DBX_MAX_REQUEST_BODY, the server's body limit). Above DBX_SINGLE_UPLOAD_MAX it goes through an upload
 * session in DBX_CHUNK_SIZE pieces (a multiple of 4 MiB, which Dropbox's concurrent sessions require as well). */
#define DBX_MAX_UPLOAD (10u * 1024 * 1024)
#define DBX_MAX_REQUEST_BODY (16u * 1024 * 1024)
#define DBX_SINGLE_UPLOAD_MAX (4u * 1024 * 1024)
#define DBX_CHUNK_SIZE (4u * 1024 * 1024)
/* The largest download (download.input.json's max_bytes maximum). */
#define DBX_MAX_DOWNLOAD (10u * 1024 * 1024)
/* Path arguments: the schemas' maxLength (Dropbox documents no total, 255 characters per name). */
#define DBX_PATH_MAX_CHARS 4096

/* api.c: the RPC base (env DROPBOX_API_BASE, default https://api.dropboxapi.com/2) and the content base (env
 * DROPBOX_CONTENT_BASE; when unset it is DROPBOX_API_BASE if that is set, so one fake serves both, else
 * https://content.dropboxapi.com/2). CM_OK, or CM_EINVAL (logged): the service does not start then. */
int dropbox_api_init(void);

/* The JSON text of v for a Dropbox-API-Arg header: compact, every character above U+007E (and DEL) escaped as
 * \uXXXX (UTF-16 units), as Dropbox requires of HTTP header values. malloc'ed (caller frees) or NULL. */
char *dbx_header_json(const json_t *v);

/* One Dropbox request. */
typedef struct dbx_request {
    const char *route; /* "files/list_folder": under the RPC base, or the content base when content is set */
    int content;       /* 1: content endpoint, the argument in Dropbox-API-Arg, body = bytes */
    json_t *arg;       /* the route's argument (stolen; NULL = none: no body, no Content-Type) */
    const char *bytes; /* content upload body (copied), may be NULL */
    size_t n_bytes;
    size_t max_response; /* 0 = the runtime's default */
    const char *too_large;
    int timeout_ms;
    /* Named in the texts of Dropbox's route errors (409), borrowed for the call of dbx_fetch only (copied). */
    const char *path, *from_path, *to_path;
    /* 1: the route errors a tool handles itself (the DBX_TAG_* ones) go to cb, with res->status 409 and res->error
     * starting with the tag. Every other failure fails the call (and arg_free(arg) runs). */
    int route_errors_to_cb;
} dbx_request_t;

/* The first byte of a route error text delivered to cb that is not an error for the user: the existing shared link
 * (followed by its URL, or nothing when Dropbox left the metadata out), an upload session's incorrect_offset
 * (followed by the correct offset in decimal). */
#define DBX_TAG_LINK_EXISTS '\x04'
#define DBX_TAG_INCORRECT_OFFSET '\x05'

/* Sends req for the call's instance with its access token (the runtime: broker token, one refresh and retry on a 401).
 * cb gets 2xx answers (res->json the parsed body; a content download's metadata is in its Dropbox-API-Result header)
 * and, with route_errors_to_cb, 409s. Any other outcome finishes the call with a tool error that names the path and
 * Dropbox's error tag, and runs arg_free(arg) (may be NULL). Touch the call no more after calling this. */
void dbx_fetch(mcp_call_t *c, dbx_request_t *req, mcp_provider_cb cb, void *arg, void (*arg_free)(void *));

/* Argument helpers (args validated by the schema): a string argument, NULL when absent or empty. */
const char *dbx_arg_str(json_t *args, const char *k);
/* 1 when the path argument k (if present) has no C0 control characters; else fails the call naming k and returns 0. */
int dbx_path_arg_ok(mcp_call_t *c, json_t *args, const char *k);

/* meta.c: a concise summary {type, name, id, path, size, rev, modified, ...} of a Dropbox Metadata object (new
 * reference; never NULL but on out of memory) and its text line. */
json_t *dbx_meta_summary(const json_t *meta);
void dbx_append_meta_line(cm_buf_t *b, const json_t *summary);
/* Finishes the call with one item: a heading line, the item's line, the summary as structuredContent (plus
 * extra's members when extra is not NULL; stolen). */
void dbx_finish_meta(mcp_call_t *c, const char *heading, const json_t *meta, json_t *extra);

/* Tool handlers. */
void dropbox_list_folder(mcp_call_t *c, json_t *args, void *data);
void dropbox_search(mcp_call_t *c, json_t *args, void *data);
void dropbox_get_metadata(mcp_call_t *c, json_t *args, void *data);
void dropbox_download(mcp_call_t *c, json_t *args, void *data);
void dropbox_upload(mcp_call_t *c, json_t *args, void *data);
void dropbox_create_folder(mcp_call_t *c, json_t *args, void *data);
void dropbox_move(mcp_call_t *c, json_t *args, void *data);
void dropbox_copy(mcp_call_t *c, json_t *args, void *data);
void dropbox_delete(mcp_call_t *c, json_t *args, void *data);
void dropbox_create_shared_link(mcp_call_t *c, json_t *args, void *data);

/* tools.c: checks the configuration and registers the tool table. CM_OK or an error (logged). */
int dropbox_register_tools(mcp_server_t *s);

#endif
