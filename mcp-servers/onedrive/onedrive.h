/*
 * onedrive.h - the onedrive service's own declarations: item addressing, driveItem summaries and error texts
 * (api.c), requests that must not carry the access token (plain.c), the tool handlers (tools_*.c) and the tool table
 * (tools.c). The Graph conventions themselves (base, URLs, cursors, error bodies) are apis/msgraph.h.
 */
#ifndef ONEDRIVE_H
#define ONEDRIVE_H

#include "apis/msgraph.h"
#include "common/http_client.h"
#include "common/url.h"
#include "mcp/provider_http.h"
#include "mcp/result.h"
#include "mcp/server.h"

#include <jansson.h>
#include <stddef.h>

/* Graph's simple upload takes at most 4 MiB; larger files go through an upload session. */
#define OD_SIMPLE_UPLOAD_MAX (4u * 1024 * 1024)
/* Upload session fragments must be multiples of 320 KiB (except the last); 10 of them per request. */
#define OD_CHUNK_UNIT (320u * 1024)
#define OD_CHUNK_SIZE (10u * OD_CHUNK_UNIT)
/* The largest upload (decoded bytes): upload.input.json's content maxLength is its base64 length (13981016). */
#define OD_MAX_UPLOAD (10u * 1024 * 1024)
#define OD_MAX_REQUEST_BODY (16u * 1024 * 1024)
/* The largest download (download.input.json's max_bytes maximum). */
#define OD_MAX_DOWNLOAD (10u * 1024 * 1024)
/* Bounded polling of a copy's monitor URL: the first poll after 100 ms, then one a second. */
#define OD_COPY_MAX_POLLS 25

/* Argument helpers (args validated by the schema). */
const char *od_arg_str(json_t *args, const char *k);

/*
 * The Graph path of the item an argument pair names, plus suffix: id_key (an item id) -> /me/drive/items/{id},
 * path_key (a path from the drive root, "/" = root) -> /me/drive/root:/{path}: (segments escaped), neither -> the
 * root /me/drive/root when root_ok. suffix ("", "/children", "/content", ...) is appended; after a path form's ':'
 * a suffix starting with '/' is what Graph expects. Writes into out; CM_OK, or CM_EINVAL with the call failed (a
 * clear tool error naming the argument): touch the call no more then.
 */
int od_item_path(mcp_call_t *c, json_t *args, const char *id_key, const char *path_key, int root_ok, const char *suffix,
                 char *out, size_t outsz);
/* The same for a new child under that parent (the root when neither argument is given), named by the argument
 * name_key (one path segment; required): /me/drive/items/{id}:/{name}: or /me/drive/root:/{path}/{name}:, plus
 * suffix. */
int od_child_path(mcp_call_t *c, json_t *args, const char *id_key, const char *path_key, const char *name_key,
                  const char *suffix, char *out, size_t outsz);

/* The $select of the item listings: the fields od_item_summary reads, or the caller's list (a JSON array of names,
 * "id" and "name" always added). Writes into out. */
void od_select(json_t *fields, char *out, size_t outsz);
/* A concise driveItem summary {id, name, type, size, mime_type, ...} (new reference) and its text line. */
json_t *od_item_summary(const json_t *item);
void od_append_item_line(cm_buf_t *b, const json_t *summary);

/* Error hooks: Graph's code and message appended, the permission named on 403. */
void od_error_read(const mcp_provider_response_t *res, const char *generic, char *buf, size_t n);
void od_error_write(const mcp_provider_response_t *res, const char *generic, char *buf, size_t n);

/* A Graph request with the instance's token (mcp_provider_fetch_json): method (NULL = GET), url freed, body stolen
 * (may be NULL); err the error hook. */
void od_graph(mcp_call_t *c, const char *method, char *url, json_t *body, mcp_provider_error_fn err, mcp_provider_cb cb,
              void *arg);

/* ---- plain.c: requests to URLs Graph hands out (download, upload session, copy monitor): pre-authenticated,
 * they are sent WITHOUT the access token. */
typedef void (*od_plain_cb)(mcp_call_t *c, const cm_http_response_t *res, void *arg);
/* Starts method url (borrowed; copied) with the headers and body (copied), max_response bytes at most (0 = 1 MiB).
 * cb runs later exactly once, with the answer or a transport failure (res->status 0). CM_OK, or CM_EINVAL when the
 * URL is not http(s) or the request could not start (cb never runs). */
int od_plain_fetch(mcp_call_t *c, const char *method, const char *url, const cm_http_header_t *h, size_t nh,
                   const char *body, size_t body_len, size_t max_response, od_plain_cb cb, void *arg);
/* The tool error text of a failed plain answer (status, Graph's error body, Retry-After), what = what failed. */
void od_plain_error(const cm_http_response_t *res, const char *what, char *buf, size_t n);

/* Tool handlers. */
void onedrive_list_children(mcp_call_t *c, json_t *args, void *data);
void onedrive_search(mcp_call_t *c, json_t *args, void *data);
void onedrive_get_item(mcp_call_t *c, json_t *args, void *data);
void onedrive_download(mcp_call_t *c, json_t *args, void *data);
void onedrive_upload(mcp_call_t *c, json_t *args, void *data);
void onedrive_create_folder(mcp_call_t *c, json_t *args, void *data);
void onedrive_move_or_rename(mcp_call_t *c, json_t *args, void *data);
void onedrive_copy(mcp_call_t *c, json_t *args, void *data);
void onedrive_delete(mcp_call_t *c, json_t *args, void *data);
void onedrive_create_share_link(mcp_call_t *c, json_t *args, void *data);

/* tools.c: checks the configuration and registers the tool table. CM_OK or an error (logged). */
int onedrive_register_tools(mcp_server_t *s);

#endif
