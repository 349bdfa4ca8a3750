/*
 * tools_def.c - the tool table of the Gmail service: names, descriptions, input schemas (defaults, limits,
 * additionalProperties false), output schemas and behaviour annotations.
 */
#include "common/status.h"
#include "gmail.h"

/* The schemas are string-literal macros laid out by hand: clang-format cannot keep them stable. */
// clang-format off
#define STR_(x) #x
#define STR(x) STR_(x)
#define ID(desc) "{\"type\":\"string\",\"pattern\":\"^[A-Za-z0-9_-]+$\",\"minLength\":1,\"maxLength\":256,\"description\":\"" desc "\"}"
#define ADDRS(desc) "{\"type\":\"string\",\"minLength\":3,\"maxLength\":4000,\"description\":\"" desc "\"}"
#define OBJ(props, req) "{\"type\":\"object\",\"properties\":{" props "},\"required\":[" req "],\"additionalProperties\":false}"
#define MAXR(def, max)                                                                                                 \
    "\"max_results\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":" #max ",\"default\":" #def                       \
    ",\"description\":\"Items per page (1-" #max ")\"}"
#define PAGE "\"page_token\":{\"type\":\"string\",\"maxLength\":512,\"description\":\"next_page_token of the previous page\"}"
#define BODYCHARS(def)                                                                                                 \
    "\"max_body_chars\":{\"type\":\"integer\",\"minimum\":100,\"maximum\":200000,\"default\":" #def                    \
    ",\"description\":\"Longer bodies are truncated\"}"
#define COMPOSE                                                                                                        \
    "\"to\":" ADDRS("Recipients: 'a@example.com' or 'Name <a@example.com>', comma separated") ","                      \
    "\"cc\":" ADDRS("Cc recipients, comma separated") ",\"bcc\":" ADDRS("Bcc recipients, comma separated") ","         \
    "\"subject\":{\"type\":\"string\",\"maxLength\":2000,\"description\":\"Subject (any language)\"},"                  \
    "\"body\":{\"type\":\"string\",\"maxLength\":" STR(GM_MAX_BODY_CHARS) ",\"description\":\"Plain text body\"},"      \
    "\"html_body\":{\"type\":\"string\",\"maxLength\":" STR(GM_MAX_BODY_CHARS) ",\"description\":\"Optional HTML "          \
    "alternative of the body\"}"
/* send_email_with_attachments and reply_to_email: files (decoded total at most GM_MAX_ATTACHMENT_TOTAL) */
#define ATTACHMENTS                                                                                                    \
    "\"attachments\":{\"type\":\"array\",\"minItems\":1,\"maxItems\":" STR(GM_MAX_ATTACHMENTS) ",\"items\":{"         \
    "\"type\":\"object\",\"properties\":{\"filename\":{\"type\":\"string\",\"minLength\":1,\"maxLength\":255},"       \
    "\"content_base64\":{\"type\":\"string\",\"minLength\":1},\"mime_type\":{\"type\":\"string\","                 \
    "\"maxLength\":127}},\"required\":[\"filename\",\"content_base64\"],\"additionalProperties\":false}}"
#define SPAM "\"include_spam_trash\":{\"type\":\"boolean\",\"default\":false,\"description\":\"Include Spam and Trash\"}"

#define OUT_LIST(key)                                                                                                  \
    "{\"type\":\"object\",\"properties\":{\"" key "\":{\"type\":\"array\"},\"count\":{\"type\":\"integer\"},"        \
    "\"next_page_token\":{\"type\":\"string\"},\"result_size_estimate\":{\"type\":\"integer\"}},\"required\":[\"" key \
    "\",\"count\"]}"
#define OUT_MESSAGE                                                                                                    \
    "{\"type\":\"object\",\"properties\":{\"id\":{\"type\":[\"string\",\"null\"]},\"threadId\":{},\"from\":{\"type\":" \
    "\"string\"},\"subject\":{\"type\":\"string\"},\"body\":{\"type\":\"string\"},\"attachments\":{\"type\":"        \
    "\"array\"}},\"required\":[\"id\"]}"
#define OUT_SENT                                                                                                       \
    "{\"type\":\"object\",\"properties\":{\"id\":{\"type\":[\"string\",\"null\"]},\"threadId\":{\"type\":[\"string\"," \
    "\"null\"]},\"labelIds\":{\"type\":\"array\"}},\"required\":[\"id\",\"threadId\"]}"

enum { RO, SEND, WRITE_IDEM, DESTROY_IDEM, CREATE };
static const mcp_tool_annotations_t hints[] = {
    [RO] = {.read_only = MCP_HINT_TRUE, .destructive = MCP_HINT_FALSE, .idempotent = MCP_HINT_TRUE,
            .open_world = MCP_HINT_TRUE},
    /* sending reaches other people: not idempotent (twice = two emails), not destructive */
    [SEND] = {.read_only = MCP_HINT_FALSE, .destructive = MCP_HINT_FALSE, .idempotent = MCP_HINT_FALSE,
              .open_world = MCP_HINT_TRUE},
    [WRITE_IDEM] = {.read_only = MCP_HINT_FALSE, .destructive = MCP_HINT_FALSE, .idempotent = MCP_HINT_TRUE,
                    .open_world = MCP_HINT_TRUE},
    [DESTROY_IDEM] = {.read_only = MCP_HINT_FALSE, .destructive = MCP_HINT_TRUE, .idempotent = MCP_HINT_TRUE,
                      .open_world = MCP_HINT_TRUE},
    [CREATE] = {.read_only = MCP_HINT_FALSE, .destructive = MCP_HINT_FALSE, .idempotent = MCP_HINT_FALSE,
                .open_world = MCP_HINT_TRUE},
};

static const struct {
    const char *name, *title, *description, *input, *output;
    int hint;
    mcp_tool_fn fn;
} tools[] = {
    {"send_email", "Send email", "Sends an email (plain text, optionally with an HTML alternative).",
     OBJ(COMPOSE, "\"to\",\"subject\",\"body\""), OUT_SENT, SEND, gm_send_email},
    {"fetch_emails", "Fetch emails",
     "Lists recent emails of a label (default INBOX), newest first, with sender, subject, date and snippet. "
     "Use page_token for the next page.",
     OBJ(MAXR(10, 50) "," PAGE ",\"label_ids\":{\"type\":\"array\",\"items\":" ID("Label id") ",\"maxItems\":10,"
         "\"default\":[\"INBOX\"]},\"query\":{\"type\":\"string\",\"maxLength\":1000,\"description\":\"Optional Gmail "
         "search filter, e.g. is:unread\"}," SPAM, ""),
     OUT_LIST("messages"), RO, gm_fetch_emails},
    {"fetch_message_by_id", "Fetch a message",
     "Gets one message with headers, decoded body (HTML converted to text) and attachment list.",
     OBJ("\"message_id\":" ID("Message id") "," BODYCHARS(20000), "\"message_id\""), OUT_MESSAGE, RO,
     gm_fetch_message_by_id},
    {"reply_to_email", "Reply to an email",
     "Replies in the same thread (Re: subject, In-Reply-To and References set) to the sender, or to everyone "
     "with reply_all; optionally with files attached (content as base64; at most " STR(GM_MAX_ATTACHMENTS) " files, "
     GM_MAX_ATTACHMENT_TOTAL_TEXT " in total after decoding).",
     OBJ("\"message_id\":" ID("Id of the message to reply to") ",\"body\":{\"type\":\"string\",\"maxLength\":" STR(GM_MAX_BODY_CHARS) "},"
         "\"html_body\":{\"type\":\"string\",\"maxLength\":" STR(GM_MAX_BODY_CHARS) "},\"reply_all\":{\"type\":\"boolean\",\"default\":"
         "false},\"cc\":" ADDRS("Additional Cc recipients") ",\"bcc\":" ADDRS("Bcc recipients") "," ATTACHMENTS,
         "\"message_id\",\"body\""),
     OUT_SENT, SEND, gm_reply_to_email},
    {"create_draft", "Create draft", "Saves a draft without sending it (see send_draft).",
     OBJ(COMPOSE, "\"to\",\"subject\",\"body\""), NULL, CREATE, gm_create_draft},
    {"send_draft", "Send draft", "Sends an existing draft.", OBJ("\"draft_id\":" ID("Draft id"), "\"draft_id\""),
     OUT_SENT, SEND, gm_send_draft},
    {"list_drafts", "List drafts", "Lists drafts with recipients and subjects.",
     OBJ(MAXR(10, 50) "," PAGE ",\"query\":{\"type\":\"string\",\"maxLength\":1000}", ""), OUT_LIST("drafts"), RO,
     gm_list_drafts},
    {"delete_message", "Delete message permanently",
     "Permanently deletes a message (cannot be undone; needs the full mail scope). Prefer move_to_trash.",
     OBJ("\"message_id\":" ID("Message id"), "\"message_id\""), NULL, DESTROY_IDEM, gm_delete_message},
    {"move_to_trash", "Move to trash", "Moves a message to the trash (recoverable for 30 days).",
     OBJ("\"message_id\":" ID("Message id"), "\"message_id\""), NULL, DESTROY_IDEM, gm_move_to_trash},
    {"list_labels", "List labels", "Lists system and user labels with their ids.", NULL,
     "{\"type\":\"object\",\"properties\":{\"labels\":{\"type\":\"array\"}},\"required\":[\"labels\"]}", RO,
     gm_list_labels},
    {"create_label", "Create label", "Creates a user label.",
     OBJ("\"name\":{\"type\":\"string\",\"minLength\":1,\"maxLength\":225},\"label_list_visibility\":{\"enum\":["
         "\"labelShow\",\"labelShowIfUnread\",\"labelHide\"],\"default\":\"labelShow\"},\"message_list_visibility\":{"
         "\"enum\":[\"show\",\"hide\"],\"default\":\"show\"}",
         "\"name\""),
     NULL, CREATE, gm_create_label},
    {"modify_labels", "Modify labels", "Adds and/or removes labels of a message (label ids from list_labels).",
     OBJ("\"message_id\":" ID("Message id") ",\"add_label_ids\":{\"type\":\"array\",\"items\":" ID("Label id") ","
         "\"maxItems\":100,\"default\":[]},\"remove_label_ids\":{\"type\":\"array\",\"items\":" ID("Label id") ","
         "\"maxItems\":100,\"default\":[]}",
         "\"message_id\""),
     NULL, WRITE_IDEM, gm_modify_labels},
    {"search_emails", "Search emails",
     "Searches with Gmail query syntax (from:, to:, subject:, has:attachment, after:2024/01/31, is:unread ...).",
     OBJ("\"query\":{\"type\":\"string\",\"minLength\":1,\"maxLength\":1000}," MAXR(10, 50) "," PAGE "," SPAM,
         "\"query\""),
     OUT_LIST("messages"), RO, gm_search_emails},
    {"get_thread", "Get thread", "Gets every message of a conversation with decoded bodies.",
     OBJ("\"thread_id\":" ID("Thread id") "," BODYCHARS(5000), "\"thread_id\""),
     "{\"type\":\"object\",\"properties\":{\"messages\":{\"type\":\"array\"}},\"required\":[\"messages\"]}", RO,
     gm_get_thread},
    {"mark_as_read", "Mark as read", "Removes the UNREAD label of a message.",
     OBJ("\"message_id\":" ID("Message id"), "\"message_id\""), NULL, WRITE_IDEM, gm_mark_as_read},
    {"mark_as_unread", "Mark as unread", "Adds the UNREAD label to a message.",
     OBJ("\"message_id\":" ID("Message id"), "\"message_id\""), NULL, WRITE_IDEM, gm_mark_as_unread},
    {"list_attachments", "List attachments", "Lists the attachments of a message with their attachment ids.",
     OBJ("\"message_id\":" ID("Message id"), "\"message_id\""),
     "{\"type\":\"object\",\"properties\":{\"attachments\":{\"type\":\"array\"}},\"required\":[\"attachments\"]}", RO,
     gm_list_attachments},
    {"download_attachment", "Download attachment",
     "Downloads an attachment of at most " GM_MAX_DOWNLOAD_TEXT " (ids from list_attachments): text content as text, "
     "other types as base64.",
     OBJ("\"message_id\":" ID("Message id") ",\"attachment_id\":{\"type\":\"string\",\"pattern\":\"^[A-Za-z0-9_-]+$\","
         "\"minLength\":1,\"maxLength\":4096},\"filename\":{\"type\":\"string\",\"maxLength\":255},\"mime_type\":{"
         "\"type\":\"string\",\"maxLength\":127}",
         "\"message_id\",\"attachment_id\""),
     "{\"type\":\"object\",\"properties\":{\"size\":{\"type\":\"integer\"},\"data_base64\":{\"type\":\"string\"}},"
     "\"required\":[\"size\",\"data_base64\"]}",
     RO, gm_download_attachment},
    {"send_email_with_attachments", "Send email with attachments",
     "Sends an email with files attached (content as base64; at most " STR(GM_MAX_ATTACHMENTS) " files, "
     GM_MAX_ATTACHMENT_TOTAL_TEXT " in total after decoding).",
     OBJ(COMPOSE "," ATTACHMENTS,
         "\"to\",\"subject\",\"body\",\"attachments\""),
     OUT_SENT, SEND, gm_send_email_with_attachments},
    {"delete_label", "Delete label", "Deletes a user label (messages keep existing, only the label goes).",
     OBJ("\"label_id\":" ID("Label id"), "\"label_id\""), NULL, DESTROY_IDEM, gm_delete_label},
};

// clang-format on

int gm_register_tools(mcp_server_t *s)
{
    if (gm_api_init() != CM_OK)
        return CM_EINVAL;
    for (size_t i = 0; i < sizeof(tools) / sizeof(tools[0]); i++) {
        mcp_tool_def_t d = {.name = tools[i].name,
                            .title = tools[i].title,
                            .description = tools[i].description,
                            .input_schema = tools[i].input,
                            .output_schema = tools[i].output,
                            .annotations = hints[tools[i].hint],
                            .fn = tools[i].fn};
        int rc = mcp_server_add_tool(s, &d);
        if (rc != 0)
            return rc;
    }
    return 0;
}
