/*
 * tools.c - the tool table of the Gmail service: names, descriptions, behaviour annotations and handlers. The input
 * and output schemas (defaults, limits, additionalProperties false) are schemas/<tool>.{input,output}.json, checked
 * and embedded at build time (schemas.h); their size limits are the GM_MAX_* of gmail.h.
 */
#include "common/status.h"
#include "gmail.h"
#include "schemas.h"

#define STR_(x) #x
#define STR(x) STR_(x)

/* two lines a hint set: clang-format would spread each over four */
/* behaviour hints: read-only, destructive, idempotent, open world */
#define RO MCP_HINTS(1, 0, 1, 1)
/* sending reaches other people: not idempotent (twice = two emails), not destructive */
/* sending tools are confirmed with the user first when the service runs with MCP_CONFIRM_DESTRUCTIVE=1 (the
 * trailing NULL, 1 of their entries: no handler data, confirm) */
#define SEND MCP_HINTS(0, 0, 0, 1)
#define WRITE_IDEM MCP_HINTS(0, 0, 1, 1)
#define DESTROY_IDEM MCP_HINTS(0, 1, 1, 1)
#define CREATE MCP_HINTS(0, 0, 0, 1)

static const mcp_tool_def_t tools[] = {
    {"send_email", "Send email", "Sends an email (plain text, optionally with an HTML alternative).",
     schema_send_email_input, schema_send_email_output, SEND, gm_send_email, NULL, 1},
    {"fetch_emails", "Fetch emails",
     "Lists recent emails of a label (default INBOX), newest first, with sender, subject, date and snippet. Use "
     "page_token for the next page.",
     schema_fetch_emails_input, schema_fetch_emails_output, RO, gm_fetch_emails},
    {"fetch_message_by_id", "Fetch a message",
     "Gets one message with headers, decoded body (HTML converted to text) and attachment list.",
     schema_fetch_message_by_id_input, schema_fetch_message_by_id_output, RO, gm_fetch_message_by_id},
    {"reply_to_email", "Reply to an email",
     "Replies in the same thread (Re: subject, In-Reply-To and References set) to the sender, or to everyone "
     "with reply_all; optionally with files attached (content as base64; at most " STR(
         GM_MAX_ATTACHMENTS) " files, " GM_MAX_ATTACHMENT_TOTAL_TEXT " in total after decoding).",
     schema_reply_to_email_input, schema_reply_to_email_output, SEND, gm_reply_to_email, NULL, 1},
    {"create_draft", "Create draft", "Saves a draft without sending it (see send_draft).", schema_create_draft_input,
     NULL, CREATE, gm_create_draft},
    {"send_draft", "Send draft", "Sends an existing draft.", schema_send_draft_input, schema_send_draft_output, SEND,
     gm_send_draft, NULL, 1},
    {"list_drafts", "List drafts", "Lists drafts with recipients and subjects.", schema_list_drafts_input,
     schema_list_drafts_output, RO, gm_list_drafts},
    {"delete_message", "Delete message permanently",
     "Permanently deletes a message (cannot be undone; needs the full mail scope). Prefer move_to_trash.",
     schema_delete_message_input, NULL, DESTROY_IDEM, gm_delete_message},
    {"move_to_trash", "Move to trash", "Moves a message to the trash (recoverable for 30 days).",
     schema_move_to_trash_input, NULL, DESTROY_IDEM, gm_move_to_trash},
    {"list_labels", "List labels", "Lists system and user labels with their ids.", NULL, schema_list_labels_output, RO,
     gm_list_labels},
    {"create_label", "Create label", "Creates a user label.", schema_create_label_input, NULL, CREATE, gm_create_label},
    {"modify_labels", "Modify labels", "Adds and/or removes labels of a message (label ids from list_labels).",
     schema_modify_labels_input, NULL, WRITE_IDEM, gm_modify_labels},
    {"search_emails", "Search emails",
     "Searches with Gmail query syntax (from:, to:, subject:, has:attachment, after:2024/01/31, is:unread ...).",
     schema_search_emails_input, schema_search_emails_output, RO, gm_search_emails},
    {"get_thread", "Get thread", "Gets every message of a conversation with decoded bodies.", schema_get_thread_input,
     schema_get_thread_output, RO, gm_get_thread},
    {"mark_as_read", "Mark as read", "Removes the UNREAD label of a message.", schema_mark_as_read_input, NULL,
     WRITE_IDEM, gm_mark_as_read},
    {"mark_as_unread", "Mark as unread", "Adds the UNREAD label to a message.", schema_mark_as_unread_input, NULL,
     WRITE_IDEM, gm_mark_as_unread},
    {"list_attachments", "List attachments", "Lists the attachments of a message with their attachment ids.",
     schema_list_attachments_input, schema_list_attachments_output, RO, gm_list_attachments},
    {"download_attachment", "Download attachment",
     "Downloads an attachment of at most " GM_MAX_DOWNLOAD_TEXT " (ids from list_attachments): text content as text, "
     "other types as base64.",
     schema_download_attachment_input, schema_download_attachment_output, RO, gm_download_attachment},
    {"send_email_with_attachments", "Send email with attachments",
     "Sends an email with files attached (content as base64; at most " STR(
         GM_MAX_ATTACHMENTS) " files, " GM_MAX_ATTACHMENT_TOTAL_TEXT " in total after decoding).",
     schema_send_email_with_attachments_input, schema_send_email_with_attachments_output, SEND,
     gm_send_email_with_attachments, NULL, 1},
    {"delete_label", "Delete label", "Deletes a user label (messages keep existing, only the label goes).",
     schema_delete_label_input, NULL, DESTROY_IDEM, gm_delete_label},
};

int gm_register_tools(mcp_server_t *s)
{
    if (gm_api_init() != CM_OK)
        return CM_EINVAL;
    return mcp_server_add_tools(s, tools, sizeof(tools) / sizeof(tools[0]));
}
