/*
 * tools_list.c - teams' listings of where messages live: list_joined_teams, list_channels, list_chats. Paging:
 * Graph's @odata.nextLink is handed to the model as next_cursor and accepted back as cursor only below the API base.
 */
#include "common/status.h"
#include "teams.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- list_joined_teams */

static void on_teams(mcp_call_t *c, const mcp_provider_response_t *res, long opt)
{
    (void)opt;
    const json_t *value = json_object_get(res->json, "value");
    if (!json_is_array(value)) {
        mcp_call_fail(c, "Microsoft Graph returned an unexpected answer (no team list).");
        return;
    }
    json_t *teams = json_array();
    cm_buf_t b = {0};
    size_t i;
    const json_t *t;
    cm_buf_printf(&b, "%zu team%s\n", json_array_size(value), json_array_size(value) == 1 ? "" : "s");
    json_array_foreach(value, i, t)
    {
        const char *id = json_string_value(json_object_get(t, "id"));
        const char *name = json_string_value(json_object_get(t, "displayName"));
        const char *desc = json_string_value(json_object_get(t, "description"));
        int archived = json_is_true(json_object_get(t, "isArchived"));
        json_t *s = json_pack("{s:s, s:s}", "id", id ? id : "", "name", name ? name : "");
        if (desc != NULL)
            json_object_set_new(s, "description", json_string(desc));
        json_object_set_new(s, "is_archived", json_boolean(archived));
        json_array_append_new(teams, s);
        cm_buf_printf(&b, "- %s%s%s%s\n  id: %s\n", name ? name : "(no name)", archived ? " [archived]" : "",
                      desc && *desc ? ": " : "", desc && *desc ? desc : "", id ? id : "?");
    }
    tm_finish_list(c, &b, "teams", teams, res->json);
}

void teams_list_joined_teams(mcp_call_t *c, json_t *args, void *data)
{
    (void)data;
    if (tm_follow_cursor(c, args, NULL, "/joinedTeams", NULL, TM_PERM_TEAMS, on_teams, 0))
        return;
    /* /me/joinedTeams takes no OData options; Graph fills only id, displayName, description, isArchived, tenantId */
    tm_graph(c, NULL, msgraph_url("/me/joinedTeams", NULL), NULL, TM_PERM_TEAMS, NULL, on_teams, 0);
}

/* ---- list_channels */

static void on_channels(mcp_call_t *c, const mcp_provider_response_t *res, long opt)
{
    (void)opt;
    const json_t *value = json_object_get(res->json, "value");
    if (!json_is_array(value)) {
        mcp_call_fail(c, "Microsoft Graph returned an unexpected answer (no channel list).");
        return;
    }
    json_t *channels = json_array();
    cm_buf_t b = {0};
    size_t i;
    const json_t *ch;
    cm_buf_printf(&b, "%zu channel%s\n", json_array_size(value), json_array_size(value) == 1 ? "" : "s");
    json_array_foreach(value, i, ch)
    {
        const char *id = json_string_value(json_object_get(ch, "id"));
        const char *name = json_string_value(json_object_get(ch, "displayName"));
        const char *desc = json_string_value(json_object_get(ch, "description"));
        const char *type = json_string_value(json_object_get(ch, "membershipType"));
        const char *url = json_string_value(json_object_get(ch, "webUrl"));
        json_t *s = json_pack("{s:s, s:s}", "id", id ? id : "", "name", name ? name : "");
        if (desc != NULL)
            json_object_set_new(s, "description", json_string(desc));
        if (type != NULL)
            json_object_set_new(s, "membership_type", json_string(type));
        if (url != NULL)
            json_object_set_new(s, "web_url", json_string(url));
        json_array_append_new(channels, s);
        cm_buf_printf(&b, "- %s (%s)%s%s\n  id: %s\n", name ? name : "(no name)", type ? type : "standard",
                      desc && *desc ? ": " : "", desc && *desc ? desc : "", id ? id : "?");
    }
    tm_finish_list(c, &b, "channels", channels, res->json);
}

void teams_list_channels(mcp_call_t *c, json_t *args, void *data)
{
    (void)data;
    if (tm_follow_cursor(c, args, "/teams/", "/channels", NULL, TM_PERM_CHANNELS, on_channels, 0))
        return;
    const char *team = tm_arg_str(args, "team_id");
    char path[TM_PATH_MAX], what[1200];
    if (team == NULL) {
        mcp_call_fail(c, "Missing argument 'team_id' (or give a cursor).");
        return;
    }
    if (tm_path(c, path, sizeof(path), "/teams/%s/channels", team) != CM_OK)
        return;
    const char *type = tm_arg_str(args, "membership_type");
    char filter[64];
    snprintf(filter, sizeof(filter), "membershipType eq '%s'", type ? type : "");
    const char *q[] = {"$select", "id,displayName,description,membershipType,webUrl,createdDateTime", "$filter",
                       type ? filter : NULL, NULL};
    snprintf(what, sizeof(what), "Team '%s'", team);
    tm_graph(c, NULL, msgraph_url(path, q), NULL, TM_PERM_CHANNELS, what, on_channels, 0);
}

/* ---- list_chats */

static void on_chats(mcp_call_t *c, const mcp_provider_response_t *res, long opt)
{
    (void)opt;
    const json_t *value = json_object_get(res->json, "value");
    if (!json_is_array(value)) {
        mcp_call_fail(c, "Microsoft Graph returned an unexpected answer (no chat list).");
        return;
    }
    json_t *chats = json_array();
    cm_buf_t b = {0};
    size_t i;
    const json_t *ch;
    cm_buf_printf(&b, "%zu chat%s, most recent first\n", json_array_size(value),
                  json_array_size(value) == 1 ? "" : "s");
    json_array_foreach(value, i, ch)
    {
        json_t *s = tm_chat_summary(ch);
        tm_append_chat(&b, s);
        json_array_append_new(chats, s);
    }
    tm_finish_list(c, &b, "chats", chats, res->json);
}

void teams_list_chats(mcp_call_t *c, json_t *args, void *data)
{
    (void)data;
    if (tm_follow_cursor(c, args, NULL, "/chats", NULL, TM_PERM_CHAT_READ, on_chats, 0))
        return;
    char top[24];
    snprintf(top, sizeof(top), "%lld", tm_arg_int(args, "top"));
    /* Graph orders chats only by lastMessagePreview/createdDateTime desc, which needs that expansion; members are
     * capped at 25 per chat when expanded */
    int members = json_is_true(json_object_get(args, "include_members"));
    const char *q[] = {"$top",     top,
                       "$expand",  members ? "members,lastMessagePreview" : "lastMessagePreview",
                       "$orderby", "lastMessagePreview/createdDateTime desc",
                       NULL};
    tm_graph(c, NULL, msgraph_url("/me/chats", q), NULL, TM_PERM_CHAT_READ, NULL, on_chats, 0);
}
