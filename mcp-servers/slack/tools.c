/*
 * tools.c - the slack service's tool table: names, descriptions, behaviour annotations and handlers (tools_read.c,
 * tools_write.c, tools_users.c, tools_upload.c). The schemas are schemas/<tool>.{input,output}.json, checked and
 * embedded at build time (schemas.h); their limits are Slack's (slack.h says which the C code relies on).
 */
#include "common/status.h"
#include "schemas.h"
#include "slack.h"

/* annotation sets: reads; posting (reaches people, twice is two messages); an edit (replaces the old text, the same
 * edit twice changes nothing more); a reaction (the second identical one is refused: the state stays the same) */
#define RO MCP_HINTS(1, 0, 1, 1)
#define POST MCP_HINTS(0, 0, 0, 1)
#define EDIT MCP_HINTS(0, 1, 1, 1)
#define REACT MCP_HINTS(0, 0, 1, 1)
#define TOOL(n, t, d, in, out, h, f)                                                                                   \
    {                                                                                                                  \
        .name = n, .title = t, .description = d, .input_schema = in, .output_schema = out, .annotations = h, .fn = f   \
    }

static const mcp_tool_def_t tools[] = {
    TOOL(
        "list_channels", "List channels",
        "Lists conversations this account can see: public channels by default; types adds private_channel, mpim "
        "(group DMs) and im (DMs), each needing its read scope. limit up to 1000 (200 recommended); next_cursor of the "
        "answer is the cursor for the next page.",
        schema_list_channels_input, schema_list_channels_output, RO, slack_list_channels),
    TOOL("get_channel_history", "Get channel history",
         "Reads messages of a channel (ID from list_channels), newest first, optionally between oldest and latest "
         "(message timestamps like 1712345678.000100). Threads show their reply count; read them with "
         "get_thread_replies. next_cursor pages back in time.",
         schema_get_channel_history_input, schema_get_channel_history_output, RO, slack_get_channel_history),
    TOOL("get_thread_replies", "Get thread replies",
         "Reads a thread: the parent message (ts) first, then its replies, oldest first.",
         schema_get_thread_replies_input, schema_get_thread_replies_output, RO, slack_get_thread_replies),
    TOOL("search_messages", "Search messages",
         "Searches messages with Slack's search syntax (in:#channel, from:@user, before:2024-05-01, has:link ...). "
         "Needs a user token with the search:read scope (bot tokens cannot search). page/next_page page through the "
         "results (up to 100 a page).",
         schema_search_messages_input, schema_search_messages_output, RO, slack_search_messages),
    TOOL("post_message", "Post message",
         "Posts a message (Slack mrkdwn text, up to 40,000 characters) to a channel, group or DM by ID; answers the "
         "message's ts (for reply_in_thread, update_message, add_reaction).",
         schema_post_message_input, schema_post_message_output, POST, slack_post_message),
    TOOL("reply_in_thread", "Reply in thread",
         "Replies in the thread of a message (thread_ts = the parent's ts); reply_broadcast also shows it in the "
         "channel.",
         schema_reply_in_thread_input, schema_post_message_output, POST, slack_reply_in_thread),
    TOOL("update_message", "Update message",
         "Replaces the text of a message this account posted (channel + ts); the old text is not kept.",
         schema_update_message_input, schema_post_message_output, EDIT, slack_update_message),
    TOOL("add_reaction", "Add reaction",
         "Adds an emoji reaction (name without colons, e.g. thumbsup) to a message (channel + ts).",
         schema_add_reaction_input, schema_add_reaction_output, REACT, slack_add_reaction),
    TOOL("list_users", "List users",
         "Lists the workspace's members (IDs, names, titles, bots, deactivated accounts); e-mail addresses only with "
         "the users:read.email scope. next_cursor pages.",
         schema_list_users_input, schema_list_users_output, RO, slack_list_users),
    TOOL("get_user_info", "Get user info", "Gets one member by user ID (U... or W...).", schema_get_user_info_input,
         schema_get_user_info_output, RO, slack_get_user_info),
    TOOL("upload_file", "Upload file",
         "Uploads a file (text in content, or bytes as base64 in content_base64; up to " SLACK_MAX_UPLOAD_TEXT
         ") and shares it in a channel (optionally in a thread, with a comment); without channel it stays private.",
         schema_upload_file_input, schema_upload_file_output, POST, slack_upload_file),
};

int slack_register_tools(mcp_server_t *s)
{
    if (slack_api_init() != CM_OK)
        return CM_EINVAL;
    return mcp_server_add_tools(s, tools, sizeof(tools) / sizeof(tools[0]));
}
