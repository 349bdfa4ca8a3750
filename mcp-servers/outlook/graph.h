/*
 * graph.h - the outlook service's Graph helpers: folder names, error texts with the mail permissions, and the
 * model-readable summaries of messages and folders (the Graph conventions themselves: apis/msgraph.h).
 */
#ifndef OUTLOOK_GRAPH_H
#define OUTLOOK_GRAPH_H

#include "apis/msgraph.h"
#include "common/url.h"
#include "mcp/provider_http.h"
#include "mcp/result.h"

#include <jansson.h>

/* $filter for unread messages listed with $orderby=receivedDateTime desc (the ordered property must come first). */
#define GRAPH_UNREAD_FILTER "receivedDateTime ge 1900-01-01T00:00:00Z and isRead eq false"
#define GRAPH_MSG_SELECT                                                                                               \
    "id,subject,from,toRecipients,receivedDateTime,isRead,hasAttachments,bodyPreview,conversationId,importance"

/* A well-known folder name for common aliases ("sent" -> "sentitems", "trash" -> "deleteditems", ...), else s. */
const char *graph_folder_name(const char *s);
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
