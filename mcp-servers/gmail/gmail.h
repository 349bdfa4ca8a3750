/*
 * gmail.h - the Gmail service's internal contract: API access (base URL, requests with the scope each needs),
 * message rendering from the Gmail payload tree, the list-then-get helper, and the tool handlers.
 */
#ifndef MCP_GMAIL_H
#define MCP_GMAIL_H

#include "common/url.h"
#include "mcp/provider_http.h"
#include "mcp/server.h"
#include "mcp/result.h"

#include <jansson.h>

/* Size limits. The tool descriptions state them (tools.c), the schemas repeat GM_MAX_ATTACHMENTS (attachments
 * maxItems) and GM_MAX_BODY_CHARS (body / html_body maxLength) in the files of schemas/, and main.c sizes the service's
 * request body limit from them, so that what a description promises is what the service accepts. */
#define GM_MAX_ATTACHMENTS 10
#define GM_MAX_ATTACHMENT_TOTAL (10u * 1024 * 1024) /* decoded bytes, all attachments of one message: 10 MiB */
#define GM_MAX_ATTACHMENT_TOTAL_TEXT "10 MiB"
#define GM_MAX_BODY_CHARS 500000 /* body / html_body of composed mail (schema maxLength) */
/* A tools/call body: the attachments base64-encoded (4/3), both bodies as JSON strings (at most 6 bytes a character,
 * \u escapes), and 1 MiB for everything else (addresses, subject, file names, the JSON-RPC envelope). */
#define GM_MAX_REQUEST_BODY                                                                                            \
    ((size_t)(GM_MAX_ATTACHMENT_TOTAL + 2) / 3 * 4 + 2 * 6 * (size_t)GM_MAX_BODY_CHARS + 1024 * 1024)
/* download_attachment: the largest attachment it returns (decoded), and the attachments.get answer that carries it
 * (base64url data, 4/3, plus the JSON around it). */
#define GM_MAX_DOWNLOAD (10u * 1024 * 1024)
#define GM_MAX_DOWNLOAD_TEXT "10 MiB"
#define GM_MAX_DOWNLOAD_RESPONSE ((size_t)(GM_MAX_DOWNLOAD + 2) / 3 * 4 + 64 * 1024)
/* A message (or draft) with attachments, or whose MIME text is larger than this, goes to the media upload URI
 * (/upload/gmail/v1/..., uploadType=multipart, up to 35 MB) rather than as base64url JSON `raw` to the metadata URI. */
#define GM_UPLOAD_THRESHOLD (4u * 1024 * 1024)

/* The OAuth scope a call needs, named in 403 errors. */
typedef enum gm_scope {
    GM_SCOPE_READ = 0, /* gmail.readonly (or gmail.modify) */
    GM_SCOPE_SEND,     /* gmail.send (or gmail.compose / gmail.modify) */
    GM_SCOPE_COMPOSE,  /* gmail.compose (drafts) */
    GM_SCOPE_MODIFY,   /* gmail.modify (labels on messages, trash) */
    GM_SCOPE_LABELS,   /* gmail.labels (or gmail.modify) */
    GM_SCOPE_FULL,     /* https://mail.google.com/ (permanent delete) */
} gm_scope_t;

/* API base (env GMAIL_API_BASE, default https://gmail.googleapis.com) + "/gmail/v1/users/me". CM_OK, or CM_EINVAL
 * (logged) when GMAIL_API_BASE is not a usable URL. */
int gm_api_init(void);
/* base + "/gmail/v1/users/me" + path (path starts with '/'), plus query pairs (NULL-terminated name, value
 * list; NULL values skipped; may be NULL). malloc'ed or NULL. */
char *gm_url(const char *path, const char *const *query);
/* Sends a request; body (may be NULL) is stolen and sent as JSON. cb gets only 2xx answers; errors become tool
 * errors (the missing scope named on 403, Gmail's own message added). arg_free frees arg when cb never runs. */
void gm_fetch(mcp_call_t *c, const char *method, char *url_owned, json_t *body, gm_scope_t scope, mcp_provider_cb cb,
              void *arg, void (*arg_free)(void *));
/* The same with mcp_provider_request_t flags. MCP_PROVIDER_ALL_STATUSES: cb also sees non-2xx answers, raw (not a
 * final 401, nor a missing token or an unreachable Gmail: those still fail the call, without cb). With
 * MCP_PROVIDER_DELIVER_ERRORS cb sees every outcome and the call is never failed for it: res->error is then the
 * tool error text of a failure, the Gmail hook applied (missing scope, Gmail's message, re-authorize URL). */
void gm_fetch_ex(mcp_call_t *c, const char *method, char *url_owned, json_t *body, gm_scope_t scope, int flags,
                 mcp_provider_cb cb, void *arg, void (*arg_free)(void *));
/* gm_fetch for a large answer: at most max_response bytes, too_large (borrowed) as the tool error beyond that. */
void gm_fetch_large(mcp_call_t *c, char *url_owned, gm_scope_t scope, size_t max_response, const char *too_large,
                    mcp_provider_cb cb, void *arg, void (*arg_free)(void *));

/* The multipart/related body of a media upload (developers.google.com/gmail/api/guides/uploads, uploadType=multipart):
 * first part metadata (application/json; charset=UTF-8, compact; borrowed), second part the message (message/rfc822,
 * msg/len as is, not base64). The boundary (random, occurring in neither part) is written into boundary (boundarysz
 * >= 64). CM_OK with *body (malloc'ed, caller frees; it holds the message) and *body_len, or CM_ENOMEM / CM_ERR. */
int gm_upload_body(json_t *metadata, const char *msg, size_t len, char *boundary, size_t boundarysz, char **body,
                   size_t *body_len);
/* POST {base}/upload/gmail/v1/users/me<path>?uploadType=multipart with that body (Content-Type multipart/related;
 * boundary=...). metadata is stolen; msg is borrowed (copied). Errors are mapped as for gm_fetch (401 refresh and
 * retry, the missing scope on 403, 429, 5xx); only 2xx answers reach cb. */
void gm_fetch_upload(mcp_call_t *c, const char *path, json_t *metadata, const char *msg, size_t len, gm_scope_t scope,
                     mcp_provider_cb cb, void *arg);

/* ---- message.c: Gmail message resources -> readable summaries ---- */
/* A summary object of a Gmail message (format full or metadata): id, threadId, labelIds, unread, from, to, cc,
 * date, subject, snippet, message_id (RFC 5322 Message-ID), references; with_body: body (text/plain preferred,
 * HTML converted), body_truncated, attachments [{filename, mime_type, size, attachment_id, part_id}].
 * New reference. */
json_t *gm_message_summary(json_t *msg, int with_body, size_t max_body);
/* Appends a readable rendering of a summary (header lines, then the body when present). */
void gm_message_render(cm_buf_t *b, json_t *summary);
/* The value of header name in a message's payload.headers (borrowed), or NULL. */
const char *gm_header(json_t *msg, const char *name);

/* ---- listing.c: list ids, then get the items (at most 8 requests at a time, results kept in list order), then
 * render ---- */
typedef struct gm_listing_spec {
    const char *list_key;   /* "messages" or "drafts" */
    char *list_url;         /* owned by the helper */
    int drafts;             /* items are drafts ({id, message:{id}}) */
    const char *what;       /* "messages", "drafts" for the text */
    const char *query_text; /* echoed in the text, may be NULL */
} gm_listing_spec_t;
void gm_listing_start(mcp_call_t *c, gm_listing_spec_t *spec);

/* ---- tool handlers ---- */
void gm_fetch_emails(mcp_call_t *c, json_t *args, void *data);
void gm_search_emails(mcp_call_t *c, json_t *args, void *data);
void gm_fetch_message_by_id(mcp_call_t *c, json_t *args, void *data);
void gm_get_thread(mcp_call_t *c, json_t *args, void *data);
void gm_list_attachments(mcp_call_t *c, json_t *args, void *data);
void gm_download_attachment(mcp_call_t *c, json_t *args, void *data);
void gm_list_labels(mcp_call_t *c, json_t *args, void *data);
void gm_list_drafts(mcp_call_t *c, json_t *args, void *data);
void gm_send_email(mcp_call_t *c, json_t *args, void *data);
void gm_send_email_with_attachments(mcp_call_t *c, json_t *args, void *data);
void gm_create_draft(mcp_call_t *c, json_t *args, void *data);
void gm_send_draft(mcp_call_t *c, json_t *args, void *data);
void gm_reply_to_email(mcp_call_t *c, json_t *args, void *data);
void gm_delete_message(mcp_call_t *c, json_t *args, void *data);
void gm_move_to_trash(mcp_call_t *c, json_t *args, void *data);
void gm_create_label(mcp_call_t *c, json_t *args, void *data);
void gm_delete_label(mcp_call_t *c, json_t *args, void *data);
void gm_modify_labels(mcp_call_t *c, json_t *args, void *data);
void gm_mark_as_read(mcp_call_t *c, json_t *args, void *data);
void gm_mark_as_unread(mcp_call_t *c, json_t *args, void *data);

/* tools.c */
int gm_register_tools(mcp_server_t *s);

/* Small helpers (api.c) */
const char *gm_str(json_t *args, const char *key); /* string argument or NULL (empty -> NULL) */

#endif
