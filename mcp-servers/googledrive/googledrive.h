/*
 * googledrive.h - the Google Drive service's own declarations: API access (api.c: base URLs, the scope each call
 * needs for its 403 text, requests), file resources rendered for the tools (file.c), uploads (upload.c) and the
 * tool handlers (tools_*.c).
 */
#ifndef GOOGLEDRIVE_H
#define GOOGLEDRIVE_H

#include "common/url.h"
#include "mcp/provider_http.h"
#include "mcp/result.h"
#include "mcp/server.h"

#include <jansson.h>
#include <stddef.h>

#define GD_PROVIDER "Google Drive" /* the provider's name in tool errors */

/* Size limits. The tool descriptions state them (tools.c); the schemas repeat the ones named there
 * (upload_file content_base64 / content_text maxLength, read_file max_chars maximum), and main.c sizes the request
 * body limit from them. */
#define GD_MAX_UPLOAD (16u * 1024 * 1024) /* upload_file: decoded bytes */
#define GD_MAX_UPLOAD_TEXT "16 MiB"
#define GD_MAX_UPLOAD_B64 22369624  /* ceil(GD_MAX_UPLOAD / 3) * 4: content_base64 maxLength */
#define GD_MAX_CONTENT_TEXT 1000000 /* content_text maxLength (characters) */
/* Google: multipart for files of 5 MB or less, resumable above (developers.google.com/drive/api/guides/manage-uploads)
 */
#define GD_MULTIPART_MAX (5u * 1024 * 1024)
/* resumable chunks: a multiple of 256 KiB, as Google requires of every chunk but the last */
#define GD_CHUNK (16u * 256 * 1024)
/* a tools/call body: base64 content, content_text as JSON (at most 6 bytes a character), 1 MiB for the rest */
#define GD_MAX_REQUEST_BODY ((size_t)GD_MAX_UPLOAD_B64 + 6u * GD_MAX_CONTENT_TEXT + 1024 * 1024)
/* read_file: the largest non-Google file it downloads (text or base64) */
#define GD_MAX_READ (5u * 1024 * 1024)
#define GD_MAX_READ_TEXT "5 MiB"
/* files.export output is capped by Google at 10 MB; the answer is accepted up to that plus a margin */
#define GD_MAX_EXPORT (10u * 1024 * 1024 + 64 * 1024)
#define GD_ID_MAX 256 /* file / folder / permission ids (schemas: maxLength 256) */

#define GD_FOLDER_MIME "application/vnd.google-apps.folder"
/* the file fields every listing and change asks for (fields=...) */
#define GD_FILE_FIELDS "id,name,mimeType,size,modifiedTime,parents,trashed,webViewLink"

/* The OAuth scope a call needs, named in 403 errors. */
typedef enum gd_scope {
    GD_SCOPE_METADATA = 0, /* drive.metadata.readonly (or drive.readonly / drive) */
    GD_SCOPE_READ,         /* drive.readonly (or drive) */
    GD_SCOPE_WRITE,        /* drive (drive.file covers only files this app created or opened) */
} gd_scope_t;

/* ---- api.c ---- */
/* The API bases (env GOOGLEDRIVE_API_BASE, default https://www.googleapis.com) + "/drive/v3" and "/upload/drive/v3".
 * CM_OK, or CM_EINVAL (logged) when the variable is not a usable URL. */
int gd_api_init(void);
/* base + "/drive/v3" + path (escaped, starts with '/') + query pairs (NULL-terminated, NULL values skipped, at most
 * 16 pairs), plus supportsAllDrives=true on the /files paths (shared drives). malloc'ed or NULL. */
char *gd_url(const char *path, const char *const *query);
/* The same under "/upload/drive/v3". */
char *gd_upload_url(const char *path, const char *const *query);
/* "/files/<escaped id><suffix>" as a full URL with query (suffix may be NULL). malloc'ed or NULL. */
char *gd_file_url(const char *id, const char *suffix, const char *const *query);
/* 1 when url lies under the upload base (a resumable session URI the access token may be sent to). */
int gd_under_upload_base(const char *url);
/* The error hook of a scope (Google's error texts, the scope named on 403, exportSizeLimitExceeded as itself). */
mcp_provider_error_fn gd_error_hook(gd_scope_t scope);
/* Sends a JSON request; body (may be NULL) stolen, url_owned freed. cb gets only 2xx answers; errors become tool
 * errors. arg_free frees arg when cb never runs. */
void gd_fetch(mcp_call_t *c, const char *method, char *url_owned, json_t *body, gd_scope_t scope, mcp_provider_cb cb,
              void *arg, void (*arg_free)(void *));
/* A GET of a download (alt=media or export) of at most max_response bytes; too_large (borrowed) the error above. */
void gd_fetch_media(mcp_call_t *c, char *url_owned, size_t max_response, const char *too_large, mcp_provider_cb cb,
                    void *arg, void (*arg_free)(void *));
/* The string argument key, or NULL when absent or empty. Borrowed from args. */
const char *gd_str(json_t *args, const char *key);
/* 1 when none of the name arguments (name, new_name, name_contains) holds a control character; else fails the call
 * naming the argument (nothing is sent) and returns 0. Drive names are one line of text. */
int gd_names_ok(mcp_call_t *c, json_t *args);
/* 1 when the cursor argument is absent or looks like a Google page token; else fails the call with a tool error
 * naming cursor (nothing is sent) and returns 0: the caller then touches the call no more. */
int gd_cursor_ok(mcp_call_t *c, json_t *args);

/* ---- file.c ---- */
/* A summary object of a Drive File resource: id, name, mime_type, kind (folder, google doc ...), size, modified_time,
 * parents, trashed, web_view_link (absent fields left out). New reference. */
json_t *gd_file_summary(json_t *file);
/* One readable line of a summary (appended to b, newline-terminated). */
void gd_file_line(cm_buf_t *b, json_t *summary);
/* Finishes a listing call from a files.list answer: text lines, structuredContent {files, count, next_cursor?}. */
void gd_finish_file_list(mcp_call_t *c, const mcp_provider_response_t *res, const char *heading);
/* Finishes a call that changed one file: "<verb> <name> (<id>)." plus the summary as structuredContent. */
void gd_finish_file(mcp_call_t *c, const mcp_provider_response_t *res, const char *verb);
/* Appends s to b as a Drive query string literal: quoted with ', and \ and ' escaped with a backslash. */
void gd_query_literal(cm_buf_t *b, const char *s);

/* ---- upload.c: upload_file ---- */
void gd_upload_file(mcp_call_t *c, json_t *args, void *data);

/* ---- tool handlers ---- */
void gd_search_files(mcp_call_t *c, json_t *args, void *data);
void gd_list_folder(mcp_call_t *c, json_t *args, void *data);
void gd_get_file_metadata(mcp_call_t *c, json_t *args, void *data);
void gd_read_file(mcp_call_t *c, json_t *args, void *data);
void gd_create_folder(mcp_call_t *c, json_t *args, void *data);
void gd_move_file(mcp_call_t *c, json_t *args, void *data);
void gd_copy_file(mcp_call_t *c, json_t *args, void *data);
void gd_rename_file(mcp_call_t *c, json_t *args, void *data);
void gd_trash_file(mcp_call_t *c, json_t *args, void *data);
void gd_share_file(mcp_call_t *c, json_t *args, void *data);
void gd_list_permissions(mcp_call_t *c, json_t *args, void *data);
void gd_get_storage_quota(mcp_call_t *c, json_t *args, void *data);

/* tools.c: checks the configuration and registers the tool table. CM_OK or an error (logged). */
int gd_register_tools(mcp_server_t *s);

#endif
