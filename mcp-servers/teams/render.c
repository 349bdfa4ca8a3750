/*
 * render.c - Teams chatMessages and chats for a model (teams.h): who wrote, when, the body as plain text (HTML
 * converted by the mail library), reply counts; the structured summaries and their text blocks.
 */
#include "common/json_util.h"
#include "mail/html_text.h"
#include "teams.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The display name of an identitySet (user, application or device), or NULL. */
static const char *identity_name(const json_t *set)
{
    static const char *const kinds[] = {"user", "application", "device"};
    for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
        const char *n = json_string_value(json_object_get(json_object_get(set, kinds[i]), "displayName"));
        if (n != NULL)
            return n;
    }
    return NULL;
}

/* The body's plain text (HTML converted), cut at max_chars characters; *cut set when it was longer. malloc'ed. */
static char *body_text(const json_t *body, size_t max_chars, int *cut)
{
    const char *ctype = json_string_value(json_object_get(body, "contentType"));
    const char *content = json_string_value(json_object_get(body, "content"));
    char *text;
    if (content == NULL)
        content = "";
    if (ctype != NULL && strcasecmp(ctype, "html") == 0)
        text = mcp_html_to_text(content, strlen(content));
    else
        text = strdup(content);
    if (text == NULL)
        return NULL;
    size_t len = strlen(text), keep = mcp_utf8_prefix_chars(text, len, max_chars);
    text[keep] = '\0';
    *cut = keep < len;
    return text;
}

json_t *tm_message_summary(const json_t *m, size_t max_chars, size_t max_replies)
{
    json_t *s = json_object();
    cm_json_copy_str(s, "id", m, "id");
    cm_json_copy_str(s, "reply_to_id", m, "replyToId");
    cm_json_copy_str(s, "message_type", m, "messageType");
    cm_json_copy_str(s, "created", m, "createdDateTime");
    cm_json_copy_str(s, "modified", m, "lastModifiedDateTime");
    cm_json_copy_str(s, "subject", m, "subject");
    cm_json_copy_str(s, "web_url", m, "webUrl");
    const char *importance = json_string_value(json_object_get(m, "importance"));
    if (importance != NULL && strcmp(importance, "normal") != 0)
        json_object_set_new(s, "importance", json_string(importance));
    const json_t *from = json_object_get(m, "from");
    const char *name = identity_name(from);
    if (name != NULL)
        json_object_set_new(s, "from", json_string(name));
    cm_json_copy_str(s, "from_id", json_object_get(from, "user"), "id");
    if (json_string_value(json_object_get(m, "deletedDateTime")) != NULL)
        json_object_set_new(s, "deleted", json_true());
    const json_t *body = json_object_get(m, "body");
    cm_json_copy_str(s, "content_type", body, "contentType");
    const char *type = json_string_value(json_object_get(m, "messageType"));
    if (type != NULL && strcmp(type, "systemEventMessage") == 0) {
        const char *ev = json_string_value(json_object_get(json_object_get(m, "eventDetail"), "@odata.type"));
        const char *dot = ev ? strrchr(ev, '.') : NULL;
        json_object_set_new(s, "text", json_string(dot ? dot + 1 : "system event"));
    } else {
        int cut = 0;
        char *text = body_text(body, max_chars, &cut);
        json_object_set_new(s, "text", json_string(text ? text : ""));
        if (cut)
            json_object_set_new(s, "text_truncated", json_true());
        free(text);
    }
    size_t n_att = json_array_size(json_object_get(m, "attachments"));
    if (n_att > 0)
        json_object_set_new(s, "attachments", json_integer((json_int_t)n_att));
    size_t n_mentions = json_array_size(json_object_get(m, "mentions"));
    if (n_mentions > 0)
        json_object_set_new(s, "mentions", json_integer((json_int_t)n_mentions));
    const json_t *replies = json_object_get(m, "replies");
    if (json_is_array(replies)) {
        /* $expand=replies brings up to 1000; more are behind replies@odata.nextLink */
        json_object_set_new(s, "reply_count", json_integer((json_int_t)json_array_size(replies)));
        if (json_string_value(json_object_get(m, "replies@odata.nextLink")) != NULL)
            json_object_set_new(s, "more_replies", json_true());
        json_t *out = json_array();
        size_t i;
        const json_t *r;
        json_array_foreach(replies, i, r)
        {
            if (i >= max_replies)
                break;
            json_array_append_new(out, tm_message_summary(r, max_chars, 0));
        }
        json_object_set_new(s, "replies", out);
    }
    return s;
}

static const char *str_or(const json_t *o, const char *k, const char *dflt)
{
    const char *v = json_string_value(json_object_get(o, k));
    return v != NULL ? v : dflt;
}

/* Appends s with every line after the first indented by indent spaces. */
static void append_indented(cm_buf_t *b, const char *s, int indent)
{
    for (const char *p = s; *p != '\0'; p++) {
        cm_buf_append(b, p, 1);
        if (*p == '\n' && p[1] != '\0' && p[1] != '\n')
            cm_buf_printf(b, "%*s", indent, "");
    }
}

void tm_append_message(cm_buf_t *b, const json_t *s, int indent)
{
    const json_t *replies = json_object_get(s, "replies");
    const char *type = json_string_value(json_object_get(s, "message_type"));
    int event = type != NULL && strcmp(type, "systemEventMessage") == 0;
    cm_buf_printf(b, "%*s[%s] %s%s: ", indent, "", str_or(s, "created", "?"),
                  str_or(s, "from", event ? "(system event)" : "(unknown sender)"),
                  json_is_true(json_object_get(s, "deleted")) ? " (deleted)" : "");
    const char *subject = json_string_value(json_object_get(s, "subject"));
    if (subject != NULL && *subject != '\0')
        cm_buf_printf(b, "[%s] ", subject);
    append_indented(b, str_or(s, "text", ""), indent + 2);
    if (json_is_true(json_object_get(s, "text_truncated")))
        cm_buf_appendz(b, " [...]");
    cm_buf_printf(b, "\n%*s  id: %s", indent, "", str_or(s, "id", "?"));
    if (json_integer_value(json_object_get(s, "attachments")) > 0)
        cm_buf_printf(b, ", %lld attachment(s)", (long long)json_integer_value(json_object_get(s, "attachments")));
    if (json_is_integer(json_object_get(s, "reply_count")))
        cm_buf_printf(b, ", %lld%s repl%s", (long long)json_integer_value(json_object_get(s, "reply_count")),
                      json_is_true(json_object_get(s, "more_replies")) ? "+" : "",
                      json_integer_value(json_object_get(s, "reply_count")) == 1 ? "y" : "ies");
    cm_buf_appendz(b, "\n");
    size_t i;
    const json_t *r;
    json_array_foreach(replies, i, r) tm_append_message(b, r, indent + 4);
    size_t shown = json_array_size(replies);
    long long total = json_integer_value(json_object_get(s, "reply_count"));
    if (json_is_array(replies) && ((long long)shown < total || json_is_true(json_object_get(s, "more_replies"))))
        cm_buf_printf(b, "%*s(more replies: list_channel_messages with message_id %s)\n", indent + 4, "",
                      str_or(s, "id", "?"));
}

json_t *tm_chat_summary(const json_t *chat)
{
    json_t *s = json_object();
    cm_json_copy_str(s, "id", chat, "id");
    cm_json_copy_str(s, "topic", chat, "topic");
    cm_json_copy_str(s, "chat_type", chat, "chatType");
    cm_json_copy_str(s, "created", chat, "createdDateTime");
    cm_json_copy_str(s, "updated", chat, "lastUpdatedDateTime");
    cm_json_copy_str(s, "web_url", chat, "webUrl");
    const json_t *members = json_object_get(chat, "members");
    if (json_is_array(members)) {
        json_t *names = json_array();
        size_t i;
        const json_t *m;
        json_array_foreach(members, i, m)
        {
            const char *n = json_string_value(json_object_get(m, "displayName"));
            json_array_append_new(names, json_string(n ? n : str_or(m, "email", "?")));
        }
        json_object_set_new(s, "members", names);
    }
    const json_t *last = json_object_get(chat, "lastMessagePreview");
    if (json_is_object(last)) {
        json_t *l = json_object();
        const char *name = identity_name(json_object_get(last, "from"));
        if (name != NULL)
            json_object_set_new(l, "from", json_string(name));
        cm_json_copy_str(l, "created", last, "createdDateTime");
        int cut = 0;
        char *text = json_is_true(json_object_get(last, "isDeleted"))
                         ? strdup("(deleted)")
                         : body_text(json_object_get(last, "body"), 200, &cut);
        json_object_set_new(l, "text", json_string(text ? text : ""));
        free(text);
        json_object_set_new(s, "last_message", l);
    }
    return s;
}

void tm_append_chat(cm_buf_t *b, const json_t *s)
{
    const char *topic = json_string_value(json_object_get(s, "topic"));
    const json_t *members = json_object_get(s, "members");
    cm_buf_printf(b, "- %s (%s", topic && *topic ? topic : "(no topic)", str_or(s, "chat_type", "chat"));
    if (json_is_array(members)) {
        cm_buf_printf(b, ", %zu member%s: ", json_array_size(members), json_array_size(members) == 1 ? "" : "s");
        size_t i;
        const json_t *m;
        json_array_foreach(members, i, m) cm_buf_printf(b, "%s%s", i ? ", " : "", json_string_value(m));
    }
    cm_buf_appendz(b, ")\n");
    const json_t *last = json_object_get(s, "last_message");
    if (json_is_object(last)) {
        cm_buf_printf(b, "  last: [%s] %s: ", str_or(last, "created", "?"), str_or(last, "from", "?"));
        append_indented(b, str_or(last, "text", ""), 4);
        cm_buf_appendz(b, "\n");
    }
    cm_buf_printf(b, "  id: %s\n", str_or(s, "id", "?"));
}

void tm_finish_list(mcp_call_t *c, cm_buf_t *b, const char *key, json_t *list, const json_t *page)
{
    const char *next = json_string_value(json_object_get(page, "@odata.nextLink"));
    if (next != NULL)
        cm_buf_printf(b, "More %s: pass next_cursor as cursor.\n", key);
    json_t *out = json_pack("{s:o}", key, list);
    if (next != NULL)
        json_object_set_new(out, "next_cursor", json_string(next));
    mcp_tool_finish_buf(c, b, out);
}
