/*
 * graph.h - Microsoft Graph helpers of the outlook service: API base, URLs, folder names, error texts, and the
 * model-readable summaries of messages and folders.
 */
#ifndef OUTLOOK_GRAPH_H
#define OUTLOOK_GRAPH_H

#include "common/url.h"
#include "mcp/provider_http.h"
#include "mcp/result.h"

#include <jansson.h>

#define GRAPH_PROVIDER "Microsoft Graph"
/* $filter for unread messages listed with $orderby=receivedDateTime desc (the ordered property must come first). */
#define GRAPH_UNREAD_FILTER "receivedDateTime ge 1900-01-01T00:00:00Z and isRead eq false"
#define GRAPH_MSG_SELECT                                                                                               \
    "id,subject,from,toRecipients,receivedDateTime,isRead,hasAttachments,bodyPreview,conversationId,importance"

/* The API base (env GRAPH_API_BASE, default https://graph.microsoft.com/v1.0), without a trailing slash. graph_init:
 * CM_OK, or CM_EINVAL (logged) when GRAPH_API_BASE is not a usable URL. */
const char *graph_base(void);
int graph_init(void);

/* base + path (path starts with '/', already escaped) + query pairs (NULL-terminated name/value list; NULL values
 * skipped). malloc'ed or NULL. */
char *graph_url(const char *path, const char *const *query);
/* Percent-escaped path segment (ids), malloc'ed or NULL. */
char *graph_escape(const char *s);
/* A well-known folder name for common aliases ("sent" -> "sentitems", "trash" -> "deleteditems", ...), else s. */
const char *graph_folder_name(const char *s);
/* 1 when a page token (an @odata.nextLink) is a URL below the API base. */
int graph_page_token_ok(const char *token);

/* Error texts: Graph's own code and message appended, and the permission these tools need on 403. */
void graph_error_read(const struct mcp_provider_response *res, const char *generic, char *buf, size_t n);
void graph_error_write(const struct mcp_provider_response *res, const char *generic, char *buf, size_t n);
void graph_error_send(const struct mcp_provider_response *res, const char *generic, char *buf, size_t n);

/* "Name <address>" of a Graph recipient object, or "" (into b). */
void graph_append_recipient(cm_buf_t *b, const json_t *recipient);
/* [{"name","address"}] from a Graph recipient array. New reference. */
json_t *graph_recipients(const json_t *arr);
/* Graph recipient array [{"emailAddress":{"address"}}] from a list of address strings (NULL -> empty). */
json_t *graph_recipients_out(const json_t *addresses);

/* A concise message summary (structured) and one text block line for it (appended to b, numbered n). */
json_t *graph_message_summary(const json_t *m);
void graph_append_message_line(cm_buf_t *b, size_t n, const json_t *summary);

#endif
