/*
 * tools_write.c - the writing tools: post_message and reply_in_thread (chat.postMessage), update_message
 * (chat.update) and add_reaction (reactions.add), each one JSON POST (these methods accept JSON bodies).
 */
#include "slack.h"

#include <stdio.h>

static void on_posted(mcp_call_t *c, json_t *answer, void *arg)
{
    const char *what = arg;
    const char *channel = json_string_value(json_object_get(answer, "channel"));
    const char *ts = json_string_value(json_object_get(answer, "ts"));
    const json_t *msg = json_object_get(answer, "message");
    const char *thread = json_string_value(json_object_get(msg, "thread_ts"));
    if (channel == NULL || ts == NULL) {
        mcp_call_fail(c, "%s answered without the channel and ts of the message.", SLACK_PROVIDER);
        return;
    }
    cm_buf_t b = {0};
    cm_buf_printf(&b, "%s in %s: ts %s%s%s.\n", what, channel, ts, thread ? ", thread " : "", thread ? thread : "");
    json_t *out = json_pack("{s:s, s:s}", "channel", channel, "ts", ts);
    if (thread != NULL)
        json_object_set_new(out, "thread_ts", json_string(thread));
    const char *text = json_string_value(json_object_get(msg, "text"));
    if (text == NULL)
        text = json_string_value(json_object_get(answer, "text")); /* chat.update answers text at the top */
    if (text != NULL)
        json_object_set_new(out, "text", json_string(text));
    mcp_tool_finish_buf(c, &b, out);
}

static json_t *message_body(json_t *args)
{
    json_t *body = json_pack("{s:s, s:s}", "channel", slack_arg(args, "channel"), "text", slack_arg(args, "text"));
    const json_t *mrkdwn = json_object_get(args, "mrkdwn"), *unfurl = json_object_get(args, "unfurl_links");
    if (body != NULL && json_is_boolean(mrkdwn))
        json_object_set(body, "mrkdwn", (json_t *)mrkdwn);
    if (body != NULL && json_is_boolean(unfurl))
        json_object_set(body, "unfurl_links", (json_t *)unfurl);
    return body;
}

static const char *subject(json_t *args, char *buf, size_t n)
{
    snprintf(buf, n, "channel %s", slack_arg(args, "channel"));
    return buf;
}

void slack_post_message(mcp_call_t *c, json_t *args, void *data)
{
    (void)data;
    char subj[64];
    slack_call_json(c, "chat.postMessage", message_body(args), subject(args, subj, sizeof(subj)), on_posted, "Posted",
                    NULL);
}

void slack_reply_in_thread(mcp_call_t *c, json_t *args, void *data)
{
    (void)data;
    char subj[64];
    json_t *body = message_body(args);
    if (body != NULL) {
        json_object_set_new(body, "thread_ts", json_string(slack_arg(args, "thread_ts")));
        if (json_is_true(json_object_get(args, "reply_broadcast")))
            json_object_set_new(body, "reply_broadcast", json_true());
    }
    slack_call_json(c, "chat.postMessage", body, subject(args, subj, sizeof(subj)), on_posted, "Replied", NULL);
}

void slack_update_message(mcp_call_t *c, json_t *args, void *data)
{
    (void)data;
    char subj[96];
    json_t *body = json_pack("{s:s, s:s, s:s}", "channel", slack_arg(args, "channel"), "ts", slack_arg(args, "ts"),
                             "text", slack_arg(args, "text"));
    snprintf(subj, sizeof(subj), "message %s in channel %s", slack_arg(args, "ts"), slack_arg(args, "channel"));
    slack_call_json(c, "chat.update", body, subj, on_posted, "Updated", NULL);
}

static void on_reacted(mcp_call_t *c, json_t *answer, void *arg)
{
    (void)answer;
    json_t *args = arg;
    const char *name = slack_arg(args, "name"), *channel = slack_arg(args, "channel"), *ts = slack_arg(args, "ts");
    cm_buf_t b = {0};
    cm_buf_printf(&b, "Added :%s: to message %s in %s.\n", name, ts, channel);
    json_t *out = json_pack("{s:s, s:s, s:s}", "channel", channel, "ts", ts, "name", name);
    json_decref(args);
    mcp_tool_finish_buf(c, &b, out);
}

static void args_free(void *a)
{
    json_decref(a);
}

void slack_add_reaction(mcp_call_t *c, json_t *args, void *data)
{
    (void)data;
    char subj[96];
    json_t *body = json_pack("{s:s, s:s, s:s}", "channel", slack_arg(args, "channel"), "timestamp",
                             slack_arg(args, "ts"), "name", slack_arg(args, "name"));
    snprintf(subj, sizeof(subj), "message %s in channel %s", slack_arg(args, "ts"), slack_arg(args, "channel"));
    slack_call_json(c, "reactions.add", body, subj, on_reacted, json_incref(args), args_free);
}
