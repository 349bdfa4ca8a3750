/*
 * tools_read.c - the reading tools: list_channels (conversations.list), get_channel_history (conversations.history),
 * get_thread_replies (conversations.replies) and search_messages (search.messages, user token only). Lists page with
 * Slack's cursor: next_cursor of one answer is the cursor of the next call.
 */
#include "slack.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- list_channels ---- */

static void on_channels(mcp_call_t *c, json_t *answer, void *arg)
{
    (void)arg;
    const json_t *channels = json_object_get(answer, "channels"), *ch;
    if (!json_is_array(channels)) {
        mcp_call_fail(c, "%s answered conversations.list without a channel list.", SLACK_PROVIDER);
        return;
    }
    json_t *list = json_array();
    cm_buf_t b = {0};
    size_t i;
    cm_buf_printf(&b, "%zu conversations:\n", json_array_size(channels));
    json_array_foreach(channels, i, ch)
    {
        const char *id = json_string_value(json_object_get(ch, "id"));
        const char *name = json_string_value(json_object_get(ch, "name"));
        const char *im_user = json_string_value(json_object_get(ch, "user"));
        const char *topic = json_string_value(json_object_get(json_object_get(ch, "topic"), "value"));
        int is_im = json_is_true(json_object_get(ch, "is_im")), is_mpim = json_is_true(json_object_get(ch, "is_mpim"));
        int priv = json_is_true(json_object_get(ch, "is_private")),
            member = json_is_true(json_object_get(ch, "is_member"));
        int archived = json_is_true(json_object_get(ch, "is_archived"));
        json_t *o = slack_drop_nulls(json_pack("{s:s?, s:s?, s:s, s:b, s:b, s:b}", "id", id, "name", name, "kind",
                                               is_im     ? "im"
                                               : is_mpim ? "mpim"
                                               : priv    ? "private_channel"
                                                         : "public_channel",
                                               "is_private", priv || is_im || is_mpim, "is_member", member,
                                               "is_archived", archived));
        if (json_is_integer(json_object_get(ch, "num_members")))
            json_object_set(o, "num_members", json_object_get(ch, "num_members"));
        if (topic != NULL && topic[0] != '\0')
            json_object_set_new(o, "topic", json_string(topic));
        if (im_user != NULL)
            json_object_set_new(o, "user", json_string(im_user));
        if (is_im)
            cm_buf_printf(&b, "- %s: direct message with %s\n", id ? id : "?", im_user ? im_user : "?");
        else
            cm_buf_printf(&b, "- %s: #%s%s%s%s", id ? id : "?", name ? name : "?", priv ? " [private]" : "",
                          archived ? " [archived]" : "", member ? " [member]" : "");
        if (!is_im && json_is_integer(json_object_get(ch, "num_members")))
            cm_buf_printf(&b, " (%lld members)", (long long)json_integer_value(json_object_get(ch, "num_members")));
        if (!is_im && topic != NULL && topic[0] != '\0')
            cm_buf_printf(&b, " topic: %s", topic);
        if (!is_im)
            cm_buf_appendz(&b, "\n");
        json_array_append_new(list, o);
    }
    json_t *out = json_pack("{s:o}", "channels", list);
    slack_next_cursor(answer, &b, out);
    mcp_tool_finish_buf(c, &b, out);
}

void slack_list_channels(mcp_call_t *c, json_t *args, void *data)
{
    (void)data;
    cm_buf_t types = {0};
    size_t i;
    const json_t *t;
    json_array_foreach(json_object_get(args, "types"), i, t)
    {
        /* the schema's enum and uniqueItems hold: these are known, distinct type names */
        cm_buf_printf(&types, "%s%s", i ? "," : "", json_string_value(t));
    }
    char *type_list = cm_buf_take(&types);
    char limit[24];
    const char *form[] = {"types",
                          type_list && type_list[0] ? type_list : "public_channel",
                          "exclude_archived",
                          json_is_false(json_object_get(args, "exclude_archived")) ? "false" : "true",
                          "limit",
                          slack_num(args, "limit", limit),
                          "cursor",
                          slack_arg(args, "cursor"),
                          NULL};
    slack_call_form(c, "conversations.list", form, NULL, on_channels, NULL, NULL);
    free(type_list);
}

/* ---- get_channel_history, get_thread_replies ---- */

struct msgs {
    char channel[32];
    char thread[24]; /* empty for a history */
    size_t max_chars;
};

static void on_messages(mcp_call_t *c, json_t *answer, void *arg)
{
    struct msgs *m = arg;
    const json_t *messages = json_object_get(answer, "messages"), *msg;
    if (!json_is_array(messages)) {
        mcp_call_fail(c, "%s answered without a message list.", SLACK_PROVIDER);
        free(m);
        return;
    }
    json_t *list = json_array();
    cm_buf_t b = {0};
    size_t i;
    if (m->thread[0] != '\0')
        cm_buf_printf(&b, "Thread %s in %s: %zu messages (the parent first)\n", m->thread, m->channel,
                      json_array_size(messages));
    else
        cm_buf_printf(&b, "%zu messages in %s, newest first:\n", json_array_size(messages), m->channel);
    json_array_foreach(messages, i, msg)
    {
        json_t *o = slack_message_out(msg, m->max_chars);
        slack_message_render(&b, o, NULL);
        json_array_append_new(list, o);
    }
    int more = json_is_true(json_object_get(answer, "has_more"));
    json_t *out = json_pack("{s:s, s:o, s:b}", "channel", m->channel, "messages", list, "has_more", more);
    if (m->thread[0] != '\0')
        json_object_set_new(out, "thread_ts", json_string(m->thread));
    slack_next_cursor(answer, &b, out);
    free(m);
    mcp_tool_finish_buf(c, &b, out);
}

/* 1 when a < b as Slack timestamps ("seconds.micros", both already in the schema's format). */
static int ts_before(const char *a, const char *b)
{
    return strtod(b, NULL) - strtod(a, NULL) > 0.0000005;
}

static void read_messages(mcp_call_t *c, json_t *args, const char *method, const char *thread)
{
    const char *channel = slack_arg(args, "channel"), *oldest = slack_arg(args, "oldest");
    const char *latest = slack_arg(args, "latest");
    if (oldest != NULL && latest != NULL && ts_before(latest, oldest)) {
        mcp_call_fail(c, "Invalid arguments: oldest (%s) is after latest (%s); nothing lies between them.", oldest,
                      latest);
        return;
    }
    struct msgs *m = calloc(1, sizeof(*m));
    if (m == NULL) {
        mcp_call_fail(c, "out of memory");
        return;
    }
    /* the schemas' patterns bound both: a channel ID and a "seconds.micros" ts */
    snprintf(m->channel, sizeof(m->channel), "%s", channel);
    snprintf(m->thread, sizeof(m->thread), "%s", thread ? thread : "");
    m->max_chars = (size_t)json_integer_value(json_object_get(args, "max_chars"));
    char limit[24], subject[64];
    snprintf(subject, sizeof(subject), "channel %s", channel);
    const char *form[] = {"channel",   channel,
                          "ts",        thread, /* NULL for a history: the pair is left out */
                          "oldest",    oldest,
                          "latest",    latest,
                          "inclusive", json_is_true(json_object_get(args, "inclusive")) ? "true" : NULL,
                          "limit",     slack_num(args, "limit", limit),
                          "cursor",    slack_arg(args, "cursor"),
                          NULL};
    slack_call_form(c, method, form, subject, on_messages, m, free);
}

void slack_get_channel_history(mcp_call_t *c, json_t *args, void *data)
{
    (void)data;
    read_messages(c, args, "conversations.history", NULL);
}

void slack_get_thread_replies(mcp_call_t *c, json_t *args, void *data)
{
    (void)data;
    read_messages(c, args, "conversations.replies", slack_arg(args, "ts"));
}

/* ---- search_messages ---- */

static void on_search(mcp_call_t *c, json_t *answer, void *arg)
{
    size_t max_chars = (size_t)(uintptr_t)arg;
    const json_t *messages = json_object_get(answer, "messages");
    const json_t *matches = json_object_get(messages, "matches"), *hit;
    if (!json_is_array(matches)) {
        mcp_call_fail(c, "%s answered search.messages without matches.", SLACK_PROVIDER);
        return;
    }
    const json_t *paging = json_object_get(messages, "paging");
    json_int_t total = json_integer_value(json_object_get(messages, "total"));
    json_int_t page = json_integer_value(json_object_get(paging, "page"));
    json_int_t pages = json_integer_value(json_object_get(paging, "pages"));
    json_t *list = json_array();
    cm_buf_t b = {0};
    size_t i;
    cm_buf_printf(&b, "%lld matches; page %lld of %lld:\n", (long long)total, (long long)page, (long long)pages);
    json_array_foreach(matches, i, hit)
    {
        json_t *o = slack_message_out(hit, max_chars);
        const json_t *ch = json_object_get(hit, "channel");
        const char *cid = json_string_value(json_object_get(ch, "id"));
        const char *cname = json_string_value(json_object_get(ch, "name"));
        const char *link = json_string_value(json_object_get(hit, "permalink"));
        if (cid != NULL)
            json_object_set_new(o, "channel", json_string(cid));
        if (cname != NULL)
            json_object_set_new(o, "channel_name", json_string(cname));
        if (link != NULL)
            json_object_set_new(o, "permalink", json_string(link));
        slack_message_render(&b, o, cname ? cname : cid);
        json_array_append_new(list, o);
    }
    json_t *out = json_pack("{s:I, s:I, s:I, s:o}", "total", total, "page", page, "pages", pages, "matches", list);
    if (page > 0 && page < pages) {
        cm_buf_printf(&b, "More: call again with page=%lld\n", (long long)page + 1);
        json_object_set_new(out, "next_page", json_integer(page + 1));
    }
    mcp_tool_finish_buf(c, &b, out);
}

void slack_search_messages(mcp_call_t *c, json_t *args, void *data)
{
    (void)data;
    char count[24], page[24];
    const char *form[] = {"query",    slack_arg(args, "query"),      "count", slack_num(args, "count", count),
                          "page",     slack_num(args, "page", page), "sort",  slack_arg(args, "sort"),
                          "sort_dir", slack_arg(args, "sort_dir"),   NULL};
    slack_call_form(c, "search.messages", form, NULL, on_search,
                    (void *)(uintptr_t)json_integer_value(json_object_get(args, "max_chars")), NULL);
}
