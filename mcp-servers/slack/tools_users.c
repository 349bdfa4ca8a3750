/*
 * tools_users.c - the people tools: list_users (users.list, cursor paging) and get_user_info (users.info). E-mail
 * addresses come only with the users:read.email scope; without it Slack leaves them out.
 */
#include "slack.h"

#include <stdio.h>

static void set_str(json_t *out, const char *key, const char *s)
{
    if (s != NULL && s[0] != '\0')
        json_object_set_new(out, key, json_string(s));
}

/* A users.list member / users.info user as output, and one readable line for it. */
static json_t *user_out(const json_t *u, cm_buf_t *b)
{
    const json_t *p = json_object_get(u, "profile");
    json_t *o = json_object();
    const char *id = json_string_value(json_object_get(u, "id"));
    const char *name = json_string_value(json_object_get(u, "name"));
    const char *real = json_string_value(json_object_get(u, "real_name"));
    if (real == NULL)
        real = json_string_value(json_object_get(p, "real_name"));
    const char *display = json_string_value(json_object_get(p, "display_name"));
    const char *email = json_string_value(json_object_get(p, "email"));
    const char *title = json_string_value(json_object_get(p, "title"));
    const char *tz = json_string_value(json_object_get(u, "tz"));
    int bot = json_is_true(json_object_get(u, "is_bot")), deleted = json_is_true(json_object_get(u, "deleted"));
    set_str(o, "id", id);
    set_str(o, "name", name);
    set_str(o, "real_name", real);
    set_str(o, "display_name", display);
    set_str(o, "email", email);
    set_str(o, "title", title);
    set_str(o, "tz", tz);
    json_object_set_new(o, "is_bot", json_boolean(bot));
    json_object_set_new(o, "deleted", json_boolean(deleted));
    json_object_set_new(o, "is_admin", json_boolean(json_is_true(json_object_get(u, "is_admin"))));
    cm_buf_printf(b, "- %s: @%s", id ? id : "?", name ? name : "?");
    if (real != NULL && real[0] != '\0')
        cm_buf_printf(b, " (%s)", real);
    if (title != NULL && title[0] != '\0')
        cm_buf_printf(b, ", %s", title);
    if (email != NULL && email[0] != '\0')
        cm_buf_printf(b, " <%s>", email);
    cm_buf_printf(b, "%s%s%s\n", bot ? " [bot]" : "", deleted ? " [deactivated]" : "",
                  json_is_true(json_object_get(u, "is_admin")) ? " [admin]" : "");
    return o;
}

static void on_users(mcp_call_t *c, json_t *answer, void *arg)
{
    (void)arg;
    const json_t *members = json_object_get(answer, "members"), *u;
    if (!json_is_array(members)) {
        mcp_call_fail(c, "%s answered users.list without members.", SLACK_PROVIDER);
        return;
    }
    json_t *list = json_array();
    cm_buf_t b = {0};
    size_t i;
    cm_buf_printf(&b, "%zu users:\n", json_array_size(members));
    json_array_foreach(members, i, u) json_array_append_new(list, user_out(u, &b));
    json_t *out = json_pack("{s:o}", "users", list);
    slack_next_cursor(answer, &b, out);
    mcp_tool_finish_buf(c, &b, out);
}

void slack_list_users(mcp_call_t *c, json_t *args, void *data)
{
    (void)data;
    char limit[24];
    const char *form[] = {"limit", slack_num(args, "limit", limit), "cursor", slack_arg(args, "cursor"), NULL};
    slack_call_form(c, "users.list", form, NULL, on_users, NULL, NULL);
}

static void on_user(mcp_call_t *c, json_t *answer, void *arg)
{
    (void)arg;
    const json_t *u = json_object_get(answer, "user");
    if (!json_is_object(u)) {
        mcp_call_fail(c, "%s answered users.info without a user.", SLACK_PROVIDER);
        return;
    }
    cm_buf_t b = {0};
    json_t *out = user_out(u, &b);
    mcp_tool_finish_buf(c, &b, out);
}

void slack_get_user_info(mcp_call_t *c, json_t *args, void *data)
{
    (void)data;
    char subj[64];
    snprintf(subj, sizeof(subj), "user %s", slack_arg(args, "user"));
    const char *form[] = {"user", slack_arg(args, "user"), NULL};
    slack_call_form(c, "users.info", form, subj, on_user, NULL, NULL);
}
