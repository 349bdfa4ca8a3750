/*
 * tools_write.c - outlook's changing tools: send_mail, reply_to_message, move_message, delete_message.
 * Graph answers sendMail and reply with 202 and an empty body, move with 201 and the moved message (new id),
 * delete with 204.
 */
#include "graph.h"
#include "tools.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *arg_str(json_t *args, const char *k)
{
    return json_string_value(json_object_get(args, k));
}

/* Sends method url with a JSON body (stolen; may be NULL). Frees url. */
static void send_json(mcp_call_t *c, const char *method, char *url, json_t *body, mcp_provider_error_fn err,
                      mcp_provider_cb cb, void *arg)
{
    mcp_provider_request_t req = {.provider = MSGRAPH_PROVIDER, .method = method, .error_text = err};
    mcp_provider_fetch_json(c, &req, url, body, cb, arg);
}

/* The URL of the call's message_id + suffix, malloc'ed; NULL with the call failed when the id is too long. */
static char *message_url(mcp_call_t *c, json_t *args, const char *suffix)
{
    char *e = msgraph_escape(arg_str(args, "message_id"));
    char path[2048];
    if (e == NULL || strlen(e) > 1800) {
        free(e);
        mcp_call_fail(c, "Invalid argument 'message_id': too long.");
        return NULL;
    }
    snprintf(path, sizeof(path), "/me/messages/%s%s", e, suffix);
    free(e);
    return msgraph_url(path, NULL);
}

/* ---- send_mail ---- */

static void on_sent(mcp_call_t *c, const mcp_provider_response_t *res, void *arg)
{
    (void)arg;
    (void)res; /* 202 Accepted, empty body */
    mcp_tool_finish_text(c, "Mail accepted for delivery by Outlook.",
                         json_pack("{s:b, s:i}", "sent", 1, "status", res->status));
}

void outlook_send_mail(mcp_call_t *c, json_t *args, void *data)
{
    (void)data;
    const char *type = arg_str(args, "body_type");
    json_t *msg = json_pack("{s:s, s:{s:s, s:s}, s:o}", "subject", arg_str(args, "subject"), "body", "contentType",
                            type && strcmp(type, "html") == 0 ? "HTML" : "Text", "content", arg_str(args, "body"),
                            "toRecipients", graph_recipients_out(json_object_get(args, "to")));
    if (msg == NULL) {
        mcp_call_fail(c, "out of memory");
        return;
    }
    if (json_array_size(json_object_get(args, "cc")))
        json_object_set_new(msg, "ccRecipients", graph_recipients_out(json_object_get(args, "cc")));
    if (json_array_size(json_object_get(args, "bcc")))
        json_object_set_new(msg, "bccRecipients", graph_recipients_out(json_object_get(args, "bcc")));
    json_t *body = json_pack("{s:o, s:b}", "message", msg, "saveToSentItems",
                             !json_is_false(json_object_get(args, "save_to_sent_items")));
    send_json(c, "POST", msgraph_url("/me/sendMail", NULL), body, graph_error_send, on_sent, NULL);
}

/* ---- reply_to_message ---- */

static void on_replied(mcp_call_t *c, const mcp_provider_response_t *res, void *arg)
{
    (void)res;
    mcp_tool_finish_text(c, arg ? "Reply to all sent." : "Reply sent.",
                         json_pack("{s:b, s:b}", "sent", 1, "reply_all", arg != NULL));
}

void outlook_reply_to_message(mcp_call_t *c, json_t *args, void *data)
{
    (void)data;
    int all = json_is_true(json_object_get(args, "reply_all"));
    char *url = message_url(c, args, all ? "/replyAll" : "/reply");
    if (url == NULL)
        return;
    send_json(c, "POST", url, json_pack("{s:s}", "comment", arg_str(args, "comment")), graph_error_send, on_replied,
              all ? (void *)1 : NULL);
}

/* ---- move_message ---- */

static void on_moved(mcp_call_t *c, const mcp_provider_response_t *res, void *arg)
{
    (void)arg;
    const char *id = json_string_value(json_object_get(res->json, "id"));
    const char *folder = json_string_value(json_object_get(res->json, "parentFolderId"));
    char text[2048];
    snprintf(text, sizeof(text), "Message moved. Its new id is %s (Outlook gives a moved message a new id).",
             id ? id : "unknown");
    mcp_tool_finish_text(c, text, json_pack("{s:b, s:s?, s:s?}", "moved", 1, "id", id, "folder_id", folder));
}

void outlook_move_message(mcp_call_t *c, json_t *args, void *data)
{
    (void)data;
    char *url = message_url(c, args, "/move");
    if (url == NULL)
        return;
    send_json(c, "POST", url, json_pack("{s:s}", "destinationId", graph_folder_name(arg_str(args, "destination"))),
              graph_error_write, on_moved, NULL);
}

/* ---- delete_message ---- */

static void on_deleted(mcp_call_t *c, const mcp_provider_response_t *res, void *arg)
{
    (void)res;
    (void)arg;
    mcp_tool_finish_text(c, "Message deleted.", json_pack("{s:b}", "deleted", 1));
}

void outlook_delete_message(mcp_call_t *c, json_t *args, void *data)
{
    (void)data;
    char *url = message_url(c, args, "");
    if (url == NULL)
        return;
    send_json(c, "DELETE", url, NULL, graph_error_write, on_deleted, NULL);
}
