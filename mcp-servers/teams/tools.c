/*
 * tools.c - the teams service's tool table: names, descriptions, annotations and handlers (tools_list.c,
 * tools_messages.c, tools_send.c). Schemas are schemas/<tool>.{input,output}.json, checked and embedded at build
 * time (schemas.h).
 */
#include "common/status.h"
#include "schemas.h"
#include "teams.h"

#define READ_ONLY                                                                                                      \
    {                                                                                                                  \
        .read_only = MCP_HINT_TRUE, .open_world = MCP_HINT_TRUE                                                        \
    }
/* a message is added, nothing is overwritten; sending twice posts twice */
#define SEND                                                                                                           \
    {                                                                                                                  \
        .read_only = MCP_HINT_FALSE, .destructive = MCP_HINT_FALSE, .idempotent = MCP_HINT_FALSE,                      \
        .open_world = MCP_HINT_TRUE                                                                                    \
    }

static const mcp_tool_def_t tools[] = {
    {.name = "list_joined_teams",
     .title = "List my teams",
     .description = "Lists the Microsoft Teams teams the user is a member of: name, description, archived, id.",
     .input_schema = schema_list_joined_teams_input,
     .output_schema = schema_list_joined_teams_output,
     .annotations = READ_ONLY,
     .fn = teams_list_joined_teams},
    {.name = "list_channels",
     .title = "List a team's channels",
     .description = "Lists the channels of a team (team_id from list_joined_teams): name, kind (standard, private, "
                    "shared), description, id.",
     .input_schema = schema_list_channels_input,
     .output_schema = schema_list_channels_output,
     .annotations = READ_ONLY,
     .fn = teams_list_channels},
    {.name = "list_channel_messages",
     .title = "Read a channel",
     .description = "Reads a channel's messages (thread roots), newest first, up to 50 a page (cursor): sender, time, "
                    "text (HTML converted), reply count and the latest replies (max_replies). With message_id: the "
                    "replies of that message instead.",
     .input_schema = schema_list_channel_messages_input,
     .output_schema = schema_list_channel_messages_output,
     .annotations = READ_ONLY,
     .fn = teams_list_channel_messages},
    {.name = "list_chats",
     .title = "List my chats",
     .description = "Lists the user's chats (one-on-one, group, meeting), most recent first, up to 50 a page (cursor): "
                    "topic, kind, last message, members (include_members), id.",
     .input_schema = schema_list_chats_input,
     .output_schema = schema_list_chats_output,
     .annotations = READ_ONLY,
     .fn = teams_list_chats},
    {.name = "list_chat_messages",
     .title = "Read a chat",
     .description = "Reads a chat's messages, newest first, up to 50 a page (cursor): sender, time, text (HTML "
                    "converted).",
     .input_schema = schema_list_chat_messages_input,
     .output_schema = schema_list_chat_messages_output,
     .annotations = READ_ONLY,
     .fn = teams_list_chat_messages},
    {.name = "send_channel_message",
     .title = "Post in a channel",
     .description = "Starts a new thread in a channel: text, or HTML (formatting, links, lists, headings, tables, "
                    "code; no scripts, images or @mentions), optional subject; at most 28 KB. Visible to the "
                    "channel's members.",
     .input_schema = schema_send_channel_message_input,
     .output_schema = schema_send_channel_message_output,
     .annotations = SEND,
     .fn = teams_send_channel_message},
    {.name = "reply_to_message",
     .title = "Reply in a channel thread",
     .description = "Replies to a channel message (its thread): text or HTML as for send_channel_message.",
     .input_schema = schema_reply_to_message_input,
     .output_schema = schema_reply_to_message_output,
     .annotations = SEND,
     .fn = teams_reply_to_message},
    {.name = "send_chat_message",
     .title = "Send a chat message",
     .description = "Sends a message to a chat (chat_id from list_chats): text or HTML as for send_channel_message.",
     .input_schema = schema_send_chat_message_input,
     .output_schema = schema_send_chat_message_output,
     .annotations = SEND,
     .fn = teams_send_chat_message},
};

int teams_register_tools(mcp_server_t *s)
{
    if (msgraph_init("teams") != CM_OK)
        return CM_EINVAL;
    return mcp_server_add_tools(s, tools, sizeof(tools) / sizeof(tools[0]));
}
