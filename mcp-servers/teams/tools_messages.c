/*
 * tools_messages.c - teams' message listings: list_channel_messages (root messages with their replies by
 * $expand=replies, or the replies of one message) and list_chat_messages. Each message is rendered for a model
 * (render.c): sender, time, the body as plain text cut at max_chars, reply counts.
 */
#include "common/status.h"
#include "teams.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* opt packs the rendering limits of a listing: max_chars (<= 8000 by schema) and max_replies (<= 10). */
#define OPT(chars_, replies_) ((long)(chars_)*100 + (long)(replies_))
#define OPT_CHARS(o_) ((size_t)((o_) / 100))
#define OPT_REPLIES(o_) ((size_t)((o_) % 100))

static void on_messages(mcp_call_t *c, const mcp_provider_response_t *res, long opt)
{
    const json_t *value = json_object_get(res->json, "value");
    if (!json_is_array(value)) {
        mcp_call_fail(c, "Microsoft Graph returned an unexpected answer (no message list).");
        return;
    }
    json_t *msgs = json_array();
    cm_buf_t b = {0};
    size_t i;
    const json_t *m;
    cm_buf_printf(&b, "%zu message%s\n", json_array_size(value), json_array_size(value) == 1 ? "" : "s");
    json_array_foreach(value, i, m)
    {
        json_t *s = tm_message_summary(m, OPT_CHARS(opt), OPT_REPLIES(opt));
        tm_append_message(&b, s, 0);
        json_array_append_new(msgs, s);
    }
    tm_finish_list(c, &b, "messages", msgs, res->json);
}

static long opt_of(json_t *args)
{
    return OPT(tm_arg_int(args, "max_chars"), tm_arg_int(args, "max_replies"));
}

void teams_list_channel_messages(mcp_call_t *c, json_t *args, void *data)
{
    (void)data;
    if (tm_follow_cursor(c, args, "/teams/", "/messages", "/replies", TM_PERM_CHMSG_READ, on_messages, opt_of(args)))
        return;
    const char *team = tm_arg_str(args, "team_id"), *channel = tm_arg_str(args, "channel_id");
    const char *msg = tm_arg_str(args, "message_id");
    if (team == NULL || channel == NULL) {
        mcp_call_fail(c, "Missing argument '%s' (or give a cursor).", team == NULL ? "team_id" : "channel_id");
        return;
    }
    char path[TM_PATH_MAX], what[1800], top[24];
    int rc = msg ? tm_path(c, path, sizeof(path), "/teams/%s/channels/%s/messages/%s/replies", team, channel, msg)
                 : tm_path(c, path, sizeof(path), "/teams/%s/channels/%s/messages", team, channel);
    if (rc != CM_OK)
        return;
    if (msg)
        snprintf(what, sizeof(what), "Message '%s' in channel '%s' of team '%s'", msg, channel, team);
    else
        snprintf(what, sizeof(what), "Channel '%s' of team '%s'", channel, team);
    snprintf(top, sizeof(top), "%lld", tm_arg_int(args, "top"));
    /* $expand=replies brings up to 1000 replies per message (then replies@odata.nextLink); only max_replies of them
     * are rendered */
    int expand = msg == NULL && json_is_true(json_object_get(args, "include_replies"));
    const char *q[] = {"$top", top, "$expand", expand ? "replies" : NULL, NULL};
    tm_graph(c, NULL, msgraph_url(path, q), NULL, TM_PERM_CHMSG_READ, what, on_messages, opt_of(args));
}

void teams_list_chat_messages(mcp_call_t *c, json_t *args, void *data)
{
    (void)data;
    long opt = OPT(tm_arg_int(args, "max_chars"), 0);
    if (tm_follow_cursor(c, args, "/chats/", "/messages", NULL, TM_PERM_CHAT_READ, on_messages, opt))
        return;
    const char *chat = tm_arg_str(args, "chat_id");
    if (chat == NULL) {
        mcp_call_fail(c, "Missing argument 'chat_id' (or give a cursor).");
        return;
    }
    char path[TM_PATH_MAX], what[700], top[24];
    if (tm_path(c, path, sizeof(path), "/chats/%s/messages", chat) != CM_OK)
        return;
    snprintf(what, sizeof(what), "Chat '%s'", chat);
    snprintf(top, sizeof(top), "%lld", tm_arg_int(args, "top"));
    /* newest first: Graph orders chat messages by lastModifiedDateTime or createdDateTime, descending only */
    const char *q[] = {"$top", top, "$orderby", "createdDateTime desc", NULL};
    tm_graph(c, NULL, msgraph_url(path, q), NULL, TM_PERM_CHAT_READ, what, on_messages, opt);
}
