/*
 * tools_write.c - onedrive's changing tools: create_folder (POST children with @microsoft.graph.conflictBehavior),
 * move_or_rename (PATCH name and/or parentReference), delete (204; the item goes to the recycle bin) and
 * create_share_link (createLink: 201 for a new link, 200 when an identical one exists).
 */
#include "common/status.h"
#include "onedrive.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define OD_PATH_MAX 4096

static void on_item(mcp_call_t *c, const mcp_provider_response_t *res, void *arg)
{
    if (!json_is_object(res->json)) {
        mcp_call_fail(c, "Microsoft Graph returned an unexpected answer (no item).");
        return;
    }
    json_t *s = od_item_summary(res->json);
    cm_buf_t b = {0};
    cm_buf_printf(&b, "%s\n", (const char *)arg);
    od_append_item_line(&b, s);
    mcp_tool_finish_buf(c, &b, s);
}

void onedrive_create_folder(mcp_call_t *c, json_t *args, void *data)
{
    (void)data;
    char path[OD_PATH_MAX];
    const char *name = od_arg_str(args, "name");
    /* the name is validated as a single path segment although it travels in the body */
    if (od_child_path(c, args, "parent_id", "parent_path", "name", "", path, sizeof(path)) != CM_OK)
        return;
    if (od_item_path(c, args, "parent_id", "parent_path", 1, "/children", path, sizeof(path)) != CM_OK)
        return;
    json_t *body = json_pack("{s:s, s:{}, s:s}", "name", name, "folder", "@microsoft.graph.conflictBehavior",
                             od_arg_str(args, "conflict_behavior"));
    od_graph(c, "POST", msgraph_url(path, NULL), body, od_error_write, on_item, "Folder created.");
}

void onedrive_move_or_rename(mcp_call_t *c, json_t *args, void *data)
{
    (void)data;
    char path[OD_PATH_MAX];
    const char *name = od_arg_str(args, "new_name"), *parent = od_arg_str(args, "new_parent_id");
    if (name == NULL && parent == NULL) {
        mcp_call_fail(c, "Missing argument: give 'new_name', 'new_parent_id' or both.");
        return;
    }
    if (name != NULL && od_child_path(c, args, "item_id", "path", "new_name", "", path, sizeof(path)) != CM_OK)
        return;
    if (od_item_path(c, args, "item_id", "path", 0, "", path, sizeof(path)) != CM_OK)
        return;
    json_t *body = json_object();
    if (name != NULL)
        json_object_set_new(body, "name", json_string(name));
    if (parent != NULL)
        json_object_set_new(body, "parentReference", json_pack("{s:s}", "id", parent));
    od_graph(c, "PATCH", msgraph_url(path, NULL), body, od_error_write, on_item,
             name && parent ? "Item moved and renamed."
             : name         ? "Item renamed."
                            : "Item moved.");
}

static void on_deleted(mcp_call_t *c, const mcp_provider_response_t *res, void *arg)
{
    (void)res;
    (void)arg;
    mcp_tool_finish_text(c, "Item deleted (moved to the OneDrive recycle bin).", json_pack("{s:b}", "deleted", 1));
}

void onedrive_delete(mcp_call_t *c, json_t *args, void *data)
{
    (void)data;
    char path[OD_PATH_MAX];
    if (od_item_path(c, args, "item_id", "path", 0, "", path, sizeof(path)) != CM_OK)
        return;
    if (strcmp(path, "/me/drive/root") == 0) {
        mcp_call_fail(c, "Invalid argument 'path': the drive's root folder cannot be deleted.");
        return;
    }
    od_graph(c, "DELETE", msgraph_url(path, NULL), NULL, od_error_write, on_deleted, NULL);
}

static void on_link(mcp_call_t *c, const mcp_provider_response_t *res, void *arg)
{
    (void)arg;
    const json_t *link = json_object_get(res->json, "link");
    const char *url = json_string_value(json_object_get(link, "webUrl"));
    if (url == NULL) {
        mcp_call_fail(c, "Microsoft Graph returned an unexpected answer (no link).");
        return;
    }
    const char *type = json_string_value(json_object_get(link, "type"));
    const char *scope = json_string_value(json_object_get(link, "scope"));
    json_t *out = json_pack("{s:s, s:s?, s:s?, s:s?, s:b}", "url", url, "type", type, "scope", scope, "permission_id",
                            json_string_value(json_object_get(res->json, "id")), "existing", res->status == 200);
    const char *exp = json_string_value(json_object_get(res->json, "expirationDateTime"));
    if (out != NULL && exp != NULL)
        json_object_set_new(out, "expires", json_string(exp));
    char text[2400];
    snprintf(text, sizeof(text), "%s %s link (%s): %s%s%s", res->status == 200 ? "Existing" : "New", type ? type : "?",
             scope ? scope : "?", url, exp ? "\nExpires: " : "", exp ? exp : "");
    mcp_tool_finish_text(c, text, out);
}

void onedrive_create_share_link(mcp_call_t *c, json_t *args, void *data)
{
    (void)data;
    char path[OD_PATH_MAX];
    if (od_item_path(c, args, "item_id", "path", 0, "/createLink", path, sizeof(path)) != CM_OK)
        return;
    json_t *body = json_pack("{s:s, s:s}", "type", od_arg_str(args, "type"), "scope", od_arg_str(args, "scope"));
    const char *exp = od_arg_str(args, "expiration");
    if (body != NULL && exp != NULL)
        json_object_set_new(body, "expirationDateTime", json_string(exp));
    od_graph(c, "POST", msgraph_url(path, NULL), body, od_error_write, on_link, NULL);
}
