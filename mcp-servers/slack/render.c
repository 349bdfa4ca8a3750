/*
 * render.c - Slack messages (of conversations.history, conversations.replies and search.messages) as structured
 * output and readable lines, and the small argument and cursor helpers the tools share.
 */
#include "slack.h"

#include <stdio.h>
#include <string.h>

const char *slack_arg(const json_t *args, const char *key)
{
    const char *s = json_string_value(json_object_get(args, key));
    return s != NULL && s[0] != '\0' ? s : NULL;
}

const char *slack_num(const json_t *args, const char *key, char buf[24])
{
    snprintf(buf, 24, "%lld", (long long)json_integer_value(json_object_get(args, key)));
    return buf;
}

json_t *slack_drop_nulls(json_t *o)
{
    const char *key;
    json_t *v;
    void *tmp;
    json_object_foreach_safe(o, tmp, key, v)
    {
        if (json_is_null(v))
            json_object_del(o, key);
    }
    return o;
}

void slack_next_cursor(const json_t *answer, cm_buf_t *b, json_t *out)
{
    const char *next = json_string_value(json_object_get(json_object_get(answer, "response_metadata"), "next_cursor"));
    if (next == NULL || next[0] == '\0') /* Slack's last page: an empty next_cursor */
        return;
    cm_buf_printf(b, "More: call again with cursor=%s\n", next);
    json_object_set_new(out, "next_cursor", json_string(next));
}

static void set_str(json_t *out, const char *key, const json_t *m, const char *from)
{
    const char *s = json_string_value(json_object_get(m, from));
    if (s != NULL)
        json_object_set_new(out, key, json_string(s));
}

json_t *slack_message_out(const json_t *m, size_t max_chars)
{
    json_t *out = json_object();
    const char *text = json_string_value(json_object_get(m, "text"));
    size_t len = text ? strlen(text) : 0, cut = text ? mcp_utf8_prefix_chars(text, len, max_chars) : 0;
    set_str(out, "ts", m, "ts");
    set_str(out, "user", m, "user");
    set_str(out, "username", m, "username");
    set_str(out, "bot_id", m, "bot_id");
    set_str(out, "subtype", m, "subtype");
    json_object_set_new(out, "text", json_stringn(text ? text : "", cut));
    if (cut < len)
        json_object_set_new(out, "text_truncated", json_true());
    set_str(out, "thread_ts", m, "thread_ts");
    if (json_is_integer(json_object_get(m, "reply_count")))
        json_object_set(out, "reply_count", json_object_get(m, "reply_count"));
    if (json_object_get(m, "edited") != NULL)
        json_object_set_new(out, "edited", json_true());
    const json_t *reactions = json_object_get(m, "reactions"), *r;
    size_t i;
    if (json_array_size(reactions) > 0) {
        json_t *list = json_array();
        json_array_foreach(reactions, i, r)
        {
            const char *name = json_string_value(json_object_get(r, "name"));
            if (name != NULL)
                json_array_append_new(list, json_pack("{s:s, s:I}", "name", name, "count",
                                                      json_integer_value(json_object_get(r, "count"))));
        }
        json_object_set_new(out, "reactions", list);
    }
    const json_t *files = json_object_get(m, "files"), *f;
    if (json_array_size(files) > 0) {
        json_t *list = json_array();
        json_array_foreach(files, i, f)
        {
            json_t *o = json_object();
            set_str(o, "id", f, "id");
            set_str(o, "name", f, "name");
            set_str(o, "mimetype", f, "mimetype");
            set_str(o, "permalink", f, "permalink");
            json_array_append_new(list, o);
        }
        json_object_set_new(out, "files", list);
    }
    return out;
}

void slack_message_render(cm_buf_t *b, const json_t *out, const char *where)
{
    const char *ts = json_string_value(json_object_get(out, "ts"));
    const char *who = json_string_value(json_object_get(out, "user"));
    if (who == NULL)
        who = json_string_value(json_object_get(out, "username"));
    if (who == NULL)
        who = json_string_value(json_object_get(out, "bot_id"));
    const char *thread = json_string_value(json_object_get(out, "thread_ts"));
    const char *sub = json_string_value(json_object_get(out, "subtype"));
    cm_buf_printf(b, "- %s%s%s[%s] %s%s%s%s: %s%s", where ? "#" : "", where ? where : "", where ? " " : "",
                  ts ? ts : "?", who ? who : "?", sub ? " (" : "", sub ? sub : "", sub ? ")" : "",
                  json_string_value(json_object_get(out, "text")),
                  json_is_true(json_object_get(out, "text_truncated")) ? " [...]" : "");
    json_int_t replies = json_integer_value(json_object_get(out, "reply_count"));
    if (replies > 0 && thread != NULL && ts != NULL && strcmp(thread, ts) == 0)
        cm_buf_printf(b, " (thread: %lld replies)", (long long)replies);
    else if (thread != NULL && ts != NULL && strcmp(thread, ts) != 0)
        cm_buf_printf(b, " (reply in thread %s)", thread);
    if (json_is_true(json_object_get(out, "edited")))
        cm_buf_appendz(b, " (edited)");
    size_t i;
    const json_t *r;
    json_array_foreach(json_object_get(out, "reactions"), i, r)
        cm_buf_printf(b, " :%s: x%lld", json_string_value(json_object_get(r, "name")),
                      (long long)json_integer_value(json_object_get(r, "count")));
    json_array_foreach(json_object_get(out, "files"), i, r)
    {
        const char *name = json_string_value(json_object_get(r, "name"));
        cm_buf_printf(b, " [file %s]", name ? name : "?");
    }
    cm_buf_appendz(b, "\n");
}
