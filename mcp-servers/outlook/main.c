/*
 * mcp-outlook - Outlook mail on Microsoft Graph v1.0 (provider microsoft): the tool table. Handlers are in
 * tools_read.c / tools_write.c, Graph helpers in graph.c. Env GRAPH_API_BASE overrides the API base (tests).
 */
#include "common/status.h"
#include "graph.h"
#include "mcp/server.h"
#include "tools.h"

#define ID_PROP(name, what)                                                                                            \
    "\"" name "\":{\"type\":\"string\",\"minLength\":1,\"maxLength\":512,\"description\":\"" what "\"}"
#define PAGE_TOKEN                                                                                                     \
    "\"page_token\":{\"type\":\"string\",\"maxLength\":4096,\"description\":\"next_page_token of a previous result; "  \
    "the other paging arguments are then ignored\"}"
#define EMAIL "{\"type\":\"string\",\"maxLength\":254,\"pattern\":\"^[^@\\\\s<>,;\\\"]+@[^@\\\\s<>,;\\\"]+$\"}"
#define EMAILS(min) "{\"type\":\"array\",\"minItems\":" #min ",\"maxItems\":100,\"items\":" EMAIL "}"
#define FOLDER_DESC                                                                                                    \
    "folder id or well-known name: inbox, drafts, sentitems, deleteditems, junkemail, archive, outbox (aliases sent, " \
    "trash, spam)"
#define MSG_LIST_OUT                                                                                                   \
    "{\"type\":\"object\",\"properties\":{\"messages\":{\"type\":\"array\",\"items\":{\"type\":\"object\"}},"          \
    "\"next_page_token\":{\"type\":\"string\"}},\"required\":[\"messages\"]}"
#define READ_ONLY                                                                                                      \
    {                                                                                                                  \
        .read_only = MCP_HINT_TRUE, .open_world = MCP_HINT_TRUE                                                        \
    }

static const mcp_tool_def_t tools[] = {
    {.name = "list_messages",
     .title = "List messages",
     .description = "Lists messages in a mail folder, newest first: sender, subject, date, read state, preview and id.",
     .input_schema =
         "{\"type\":\"object\",\"properties\":{"
         "\"folder\":{\"type\":\"string\",\"minLength\":1,\"maxLength\":300,\"default\":\"inbox\","
         "\"description\":\"" FOLDER_DESC "\"},"
         "\"top\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":50,\"default\":10,"
         "\"description\":\"messages per page\"},"
         "\"skip\":{\"type\":\"integer\",\"minimum\":0,\"maximum\":10000,\"default\":0},"
         "\"unread_only\":{\"type\":\"boolean\",\"default\":false}," PAGE_TOKEN "},\"additionalProperties\":false}",
     .output_schema = MSG_LIST_OUT,
     .annotations = READ_ONLY,
     .fn = outlook_list_messages},
    {.name = "get_message",
     .title = "Read a message",
     .description = "Reads one message: headers and body as plain text (HTML converted).",
     .input_schema = "{\"type\":\"object\",\"properties\":{" ID_PROP(
         "message_id", "id from list_messages") ","
                                                "\"max_chars\":{\"type\":\"integer\",\"minimum\":100,\"maximum\":"
                                                "200000,\"default\":20000,"
                                                "\"description\":\"body length limit in characters\"}},"
                                                "\"required\":[\"message_id\"],\"additionalProperties\":false}",
     .output_schema = "{\"type\":\"object\",\"properties\":{\"id\":{\"type\":\"string\"},\"subject\":{\"type\":"
                      "\"string\"},\"body\":{\"type\":\"string\"},\"body_truncated\":{\"type\":\"boolean\"}},"
                      "\"required\":[\"body\"]}",
     .annotations = READ_ONLY,
     .fn = outlook_get_message},
    {.name = "search_messages",
     .title = "Search messages",
     .description = "Searches messages (KQL, e.g. 'from:alice subject:report budget'), ranked by relevance.",
     .input_schema = "{\"type\":\"object\",\"properties\":{"
                     "\"query\":{\"type\":\"string\",\"minLength\":1,\"maxLength\":500},"
                     "\"folder\":{\"type\":\"string\",\"minLength\":1,\"maxLength\":300,\"description\":\"" FOLDER_DESC
                     "; all folders when absent\"},"
                     "\"top\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":50,\"default\":10}," PAGE_TOKEN
                     "},\"required\":[\"query\"],\"additionalProperties\":false}",
     .output_schema = MSG_LIST_OUT,
     .annotations = READ_ONLY,
     .fn = outlook_search_messages},
    {.name = "send_mail",
     .title = "Send an email",
     .description = "Sends a new email from the user's mailbox (saved to Sent Items by default).",
     .input_schema = "{\"type\":\"object\",\"properties\":{"
                     "\"to\":" EMAILS(1) ",\"cc\":" EMAILS(0) ",\"bcc\":" EMAILS(
                         0) ","
                            "\"subject\":{\"type\":\"string\",\"maxLength\":998},"
                            "\"body\":{\"type\":\"string\",\"maxLength\":1000000},"
                            "\"body_type\":{\"type\":\"string\",\"enum\":[\"text\",\"html\"],\"default\":\"text\"},"
                            "\"save_to_sent_items\":{\"type\":\"boolean\",\"default\":true}},"
                            "\"required\":[\"to\",\"subject\",\"body\"],\"additionalProperties\":false}",
     .annotations = {.read_only = MCP_HINT_FALSE,
                     .destructive = MCP_HINT_FALSE,
                     .idempotent = MCP_HINT_FALSE,
                     .open_world = MCP_HINT_TRUE},
     .fn = outlook_send_mail},
    {.name = "reply_to_message",
     .title = "Reply to a message",
     .description = "Replies to a message (to the sender, or to all recipients) with a text comment; Outlook quotes "
                    "the original.",
     .input_schema = "{\"type\":\"object\",\"properties\":{" ID_PROP(
         "message_id",
         "the message to answer") ","
                                  "\"comment\":{\"type\":\"string\",\"minLength\":1,\"maxLength\":1000000},"
                                  "\"reply_all\":{\"type\":\"boolean\",\"default\":false}},"
                                  "\"required\":[\"message_id\",\"comment\"],\"additionalProperties\":false}",
     .annotations = {.read_only = MCP_HINT_FALSE,
                     .destructive = MCP_HINT_FALSE,
                     .idempotent = MCP_HINT_FALSE,
                     .open_world = MCP_HINT_TRUE},
     .fn = outlook_reply_to_message},
    {.name = "list_folders",
     .title = "List mail folders",
     .description = "Lists mail folders (or the subfolders of one) with unread and total counts and ids.",
     .input_schema = "{\"type\":\"object\",\"properties\":{"
                     "\"parent_folder_id\":{\"type\":\"string\",\"minLength\":1,\"maxLength\":300},"
                     "\"top\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":100,\"default\":50}," PAGE_TOKEN
                     "},\"additionalProperties\":false}",
     .output_schema = "{\"type\":\"object\",\"properties\":{\"folders\":{\"type\":\"array\"},\"next_page_token\":{"
                      "\"type\":\"string\"}},\"required\":[\"folders\"]}",
     .annotations = READ_ONLY,
     .fn = outlook_list_folders},
    {.name = "move_message",
     .title = "Move a message",
     .description = "Moves a message to another folder; the moved message gets a new id (returned).",
     .input_schema = "{\"type\":\"object\",\"properties\":{" ID_PROP(
         "message_id",
         "the message to move") ","
                                "\"destination\":{\"type\":\"string\",\"minLength\":1,\"maxLength\":300,"
                                "\"description\":\"" FOLDER_DESC
                                "\"}},\"required\":[\"message_id\",\"destination\"],\"additionalProperties\":false}",
     .annotations = {.read_only = MCP_HINT_FALSE,
                     .destructive = MCP_HINT_FALSE,
                     .idempotent = MCP_HINT_FALSE,
                     .open_world = MCP_HINT_TRUE},
     .fn = outlook_move_message},
    {.name = "delete_message",
     .title = "Delete a message",
     .description = "Deletes a message. To keep it in Deleted Items instead, use move_message with deleteditems.",
     .input_schema = "{\"type\":\"object\",\"properties\":{" ID_PROP(
         "message_id", "the message to delete") "},"
                                                "\"required\":[\"message_id\"],\"additionalProperties\":false}",
     .annotations = {.read_only = MCP_HINT_FALSE,
                     .destructive = MCP_HINT_TRUE,
                     .idempotent = MCP_HINT_TRUE,
                     .open_world = MCP_HINT_TRUE},
     .fn = outlook_delete_message},
};

static int register_tools(mcp_server_t *s)
{
    if (graph_init() != CM_OK)
        return CM_EINVAL;
    return mcp_server_add_tools(s, tools, sizeof(tools) / sizeof(tools[0]));
}

int main(void)
{
    return mcp_server_main("outlook", "1.0.0", register_tools);
}
