/*
 * tools_send.c - teams' write tools: send_channel_message, reply_to_message (a reply in a channel thread) and
 * send_chat_message. The body is text or HTML; it is checked before anything is sent: not blank, at most
 * TM_MAX_MESSAGE_BYTES, and HTML only with what tm_html_check accepts.
 */
#include "common/status.h"
#include "teams.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { SENT_CHANNEL, SENT_REPLY, SENT_CHAT };

static void on_sent(mcp_call_t *c, const mcp_provider_response_t *res, long kind)
{
    if (!json_is_object(res->json) || json_string_value(json_object_get(res->json, "id")) == NULL) {
        mcp_call_fail(c, "Microsoft Graph returned an unexpected answer (no message).");
        return;
    }
    json_t *s = tm_message_summary(res->json, 500, 0);
    cm_buf_t b = {0};
    static const char *const what[] = {"Message posted to the channel", "Reply posted", "Message sent to the chat"};
    cm_buf_printf(&b, "%s.\n", what[kind]);
    tm_append_message(&b, s, 0);
    mcp_tool_finish_buf(c, &b, s);
}

/* The chatMessage body {"body": {"contentType", "content"}} of the arguments, or NULL with the call failed. */
static json_t *message_body(mcp_call_t *c, json_t *args)
{
    const char *content = json_string_value(json_object_get(args, "content"));
    const char *ctype = tm_arg_str(args, "content_type");
    int html = ctype != NULL && strcmp(ctype, "html") == 0;
    size_t len = content ? strlen(content) : 0;
    if (content == NULL || strspn(content, " \t\r\n") == len) {
        mcp_call_fail(c, "Invalid argument 'content': the message is empty.");
        return NULL;
    }
    if (len > TM_MAX_MESSAGE_BYTES) {
        mcp_call_fail(c, "Invalid argument 'content': %zu bytes; Teams takes messages up to %u bytes (about 28 KB).",
                      len, TM_MAX_MESSAGE_BYTES);
        return NULL;
    }
    char why[200];
    if (html && tm_html_check(content, why, sizeof(why)) != CM_OK) {
        mcp_call_fail(c, "Invalid argument 'content': %s.", why);
        return NULL;
    }
    return json_pack("{s:{s:s, s:s}}", "body", "contentType", html ? "html" : "text", "content", content);
}

void teams_send_channel_message(mcp_call_t *c, json_t *args, void *data)
{
    (void)data;
    const char *team = tm_arg_str(args, "team_id"), *channel = tm_arg_str(args, "channel_id");
    const char *subject = tm_arg_str(args, "subject");
    char path[TM_PATH_MAX], what[1200];
    if (tm_path(c, path, sizeof(path), "/teams/%s/channels/%s/messages", team, channel) != CM_OK)
        return;
    json_t *body = message_body(c, args);
    if (body == NULL)
        return;
    if (subject != NULL)
        json_object_set_new(body, "subject", json_string(subject));
    snprintf(what, sizeof(what), "Channel '%s' of team '%s'", channel, team);
    tm_graph(c, "POST", msgraph_url(path, NULL), body, TM_PERM_CHMSG_SEND, what, on_sent, SENT_CHANNEL);
}

void teams_reply_to_message(mcp_call_t *c, json_t *args, void *data)
{
    (void)data;
    const char *team = tm_arg_str(args, "team_id"), *channel = tm_arg_str(args, "channel_id");
    const char *msg = tm_arg_str(args, "message_id");
    char path[TM_PATH_MAX], what[1800];
    if (tm_path(c, path, sizeof(path), "/teams/%s/channels/%s/messages/%s/replies", team, channel, msg) != CM_OK)
        return;
    json_t *body = message_body(c, args);
    if (body == NULL)
        return;
    snprintf(what, sizeof(what), "Message '%s' in channel '%s' of team '%s'", msg, channel, team);
    tm_graph(c, "POST", msgraph_url(path, NULL), body, TM_PERM_CHMSG_SEND, what, on_sent, SENT_REPLY);
}

void teams_send_chat_message(mcp_call_t *c, json_t *args, void *data)
{
    (void)data;
    const char *chat = tm_arg_str(args, "chat_id");
    char path[TM_PATH_MAX], what[700];
    if (tm_path(c, path, sizeof(path), "/chats/%s/messages", chat) != CM_OK)
        return;
    json_t *body = message_body(c, args);
    if (body == NULL)
        return;
    snprintf(what, sizeof(what), "Chat '%s'", chat);
    tm_graph(c, "POST", msgraph_url(path, NULL), body, TM_PERM_CHAT_SEND, what, on_sent, SENT_CHAT);
}
