/*
 * tools.c - the outlook service's tool table: names, descriptions, annotations and handlers (tools_read.c,
 * tools_write.c). Schemas are schemas/<tool>.{input,output}.json, checked and embedded at build time (schemas.h).
 */
#include "common/status.h"
#include "graph.h"
#include "mcp/server.h"
#include "schemas.h"
#include "tools.h"

#define READ_ONLY                                                                                                      \
    {                                                                                                                  \
        .read_only = MCP_HINT_TRUE, .open_world = MCP_HINT_TRUE                                                        \
    }

static const mcp_tool_def_t tools[] = {
    {.name = "list_messages",
     .title = "List messages",
     .description = "Lists messages in a mail folder, newest first: sender, subject, date, read state, preview and id.",
     .input_schema = schema_list_messages_input,
     .output_schema = schema_list_messages_output,
     .annotations = READ_ONLY,
     .fn = outlook_list_messages},
    {.name = "get_message",
     .title = "Read a message",
     .description = "Reads one message: headers and body as plain text (HTML converted).",
     .input_schema = schema_get_message_input,
     .output_schema = schema_get_message_output,
     .annotations = READ_ONLY,
     .fn = outlook_get_message},
    {.name = "search_messages",
     .title = "Search messages",
     .description = "Searches messages (KQL, e.g. 'from:alice subject:report budget'), ranked by relevance.",
     .input_schema = schema_search_messages_input,
     .output_schema = schema_search_messages_output,
     .annotations = READ_ONLY,
     .fn = outlook_search_messages},
    {.name = "send_mail",
     .title = "Send an email",
     .description = "Sends a new email from the user's mailbox (saved to Sent Items by default).",
     .input_schema = schema_send_mail_input,
     .annotations = {.read_only = MCP_HINT_FALSE,
                     .destructive = MCP_HINT_FALSE,
                     .idempotent = MCP_HINT_FALSE,
                     .open_world = MCP_HINT_TRUE},
     .fn = outlook_send_mail},
    {.name = "reply_to_message",
     .title = "Reply to a message",
     .description = "Replies to a message (to the sender, or to all recipients) with a text comment; Outlook quotes "
                    "the original.",
     .input_schema = schema_reply_to_message_input,
     .annotations = {.read_only = MCP_HINT_FALSE,
                     .destructive = MCP_HINT_FALSE,
                     .idempotent = MCP_HINT_FALSE,
                     .open_world = MCP_HINT_TRUE},
     .fn = outlook_reply_to_message},
    {.name = "list_folders",
     .title = "List mail folders",
     .description = "Lists mail folders (or the subfolders of one) with unread and total counts and ids.",
     .input_schema = schema_list_folders_input,
     .output_schema = schema_list_folders_output,
     .annotations = READ_ONLY,
     .fn = outlook_list_folders},
    {.name = "move_message",
     .title = "Move a message",
     .description = "Moves a message to another folder; the moved message gets a new id (returned).",
     .input_schema = schema_move_message_input,
     .annotations = {.read_only = MCP_HINT_FALSE,
                     .destructive = MCP_HINT_FALSE,
                     .idempotent = MCP_HINT_FALSE,
                     .open_world = MCP_HINT_TRUE},
     .fn = outlook_move_message},
    {.name = "delete_message",
     .title = "Delete a message",
     .description = "Deletes a message. To keep it in Deleted Items instead, use move_message with deleteditems.",
     .input_schema = schema_delete_message_input,
     .annotations = {.read_only = MCP_HINT_FALSE,
                     .destructive = MCP_HINT_TRUE,
                     .idempotent = MCP_HINT_TRUE,
                     .open_world = MCP_HINT_TRUE},
     .fn = outlook_delete_message},
};

int outlook_register_tools(mcp_server_t *s)
{
    if (msgraph_init("outlook") != CM_OK)
        return CM_EINVAL;
    return mcp_server_add_tools(s, tools, sizeof(tools) / sizeof(tools[0]));
}
