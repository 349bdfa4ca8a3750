/*
 * tools_write.c - dropbox's write tools: create_folder (files/create_folder_v2), move (files/move_v2), copy
 * (files/copy_v2), delete (files/delete_v2) and create_shared_link (sharing/create_shared_link_with_settings; when the
 * path already has a link Dropbox answers 409 shared_link_already_exists, usually with that link, otherwise it is
 * read with sharing/list_shared_links direct_only).
 */
#include "common/status.h"
#include "dropbox.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* {"metadata": Metadata} answers; arg is the heading. */
static void on_wrapped(mcp_call_t *c, const mcp_provider_response_t *res, void *arg)
{
    dbx_finish_meta(c, arg, json_object_get(res->json, "metadata"), NULL);
}

void dropbox_create_folder(mcp_call_t *c, json_t *args, void *data)
{
    (void)data;
    if (!dbx_path_arg_ok(c, args, "path"))
        return;
    const char *path = dbx_arg_str(args, "path");
    dbx_request_t q = {.route = "files/create_folder_v2", .path = path};
    q.arg = json_pack("{s:s, s:b}", "path", path ? path : "", "autorename",
                      json_is_true(json_object_get(args, "autorename")));
    dbx_fetch(c, &q, on_wrapped, "Created the folder.", NULL);
}

static void relocate(mcp_call_t *c, json_t *args, const char *route, const char *heading)
{
    if (!dbx_path_arg_ok(c, args, "from_path") || !dbx_path_arg_ok(c, args, "to_path"))
        return;
    const char *from = dbx_arg_str(args, "from_path"), *to = dbx_arg_str(args, "to_path");
    dbx_request_t q = {.route = route, .from_path = from, .to_path = to};
    q.arg = json_pack("{s:s, s:s, s:b}", "from_path", from ? from : "", "to_path", to ? to : "", "autorename",
                      json_is_true(json_object_get(args, "autorename")));
    if (q.arg != NULL && json_object_get(args, "allow_ownership_transfer") != NULL) /* move only */
        json_object_set_new(q.arg, "allow_ownership_transfer",
                            json_boolean(json_is_true(json_object_get(args, "allow_ownership_transfer"))));
    dbx_fetch(c, &q, on_wrapped, (void *)heading, NULL);
}

void dropbox_move(mcp_call_t *c, json_t *args, void *data)
{
    (void)data;
    relocate(c, args, "files/move_v2", "Moved; the item is now:");
}

void dropbox_copy(mcp_call_t *c, json_t *args, void *data)
{
    (void)data;
    relocate(c, args, "files/copy_v2", "Copied; the copy is:");
}

void dropbox_delete(mcp_call_t *c, json_t *args, void *data)
{
    (void)data;
    if (!dbx_path_arg_ok(c, args, "path"))
        return;
    const char *path = dbx_arg_str(args, "path");
    dbx_request_t q = {.route = "files/delete_v2", .path = path};
    q.arg = json_pack("{s:s}", "path", path ? path : "");
    dbx_fetch(c, &q, on_wrapped, "Deleted (recoverable from Dropbox's deleted files for a while):", NULL);
}

/* ---- create_shared_link */

static void finish_link(mcp_call_t *c, const json_t *link, const char *url, int existing)
{
    const char *name = json_string_value(json_object_get(link, "name"));
    const char *path = json_string_value(json_object_get(link, "path_lower"));
    const char *expires = json_string_value(json_object_get(link, "expires"));
    const json_t *perm = json_object_get(link, "link_permissions");
    const char *vis = json_string_value(json_object_get(json_object_get(perm, "resolved_visibility"), ".tag"));
    if (url == NULL)
        url = json_string_value(json_object_get(link, "url"));
    if (url == NULL) {
        mcp_call_fail(c, "Dropbox returned an unexpected answer (no link URL).");
        return;
    }
    cm_buf_t b = {0};
    cm_buf_printf(&b, "%s shared link%s%s: %s\n", existing ? "The existing" : "A new", name ? " of " : "",
                  name ? name : "", url);
    if (vis != NULL)
        cm_buf_printf(&b, "  visibility: %s\n", vis);
    if (expires != NULL)
        cm_buf_printf(&b, "  expires: %s\n", expires);
    json_t *out = json_pack("{s:s, s:b}", "url", url, "existing", existing);
    if (out != NULL && name != NULL)
        json_object_set_new(out, "name", json_string(name));
    if (out != NULL && path != NULL)
        json_object_set_new(out, "path_lower", json_string(path));
    if (out != NULL && vis != NULL)
        json_object_set_new(out, "visibility", json_string(vis));
    if (out != NULL && expires != NULL)
        json_object_set_new(out, "expires", json_string(expires));
    mcp_tool_finish_buf(c, &b, out);
}

static void on_list_links(mcp_call_t *c, const mcp_provider_response_t *res, void *arg)
{
    (void)arg;
    const json_t *link = json_array_get(json_object_get(res->json, "links"), 0);
    if (!json_is_object(link)) {
        mcp_call_fail(c, "Dropbox says the path already has a shared link, but did not list it.");
        return;
    }
    finish_link(c, link, NULL, 1);
}

static void on_link(mcp_call_t *c, const mcp_provider_response_t *res, void *arg)
{
    char *path = arg;
    if (res->error == NULL) {
        finish_link(c, res->json, NULL, 0);
        free(path);
        return;
    }
    /* shared_link_already_exists: the link's URL when Dropbox included its metadata */
    if (res->error[1] != '\0') {
        finish_link(c, NULL, res->error + 1, 1);
        free(path);
        return;
    }
    dbx_request_t q = {.route = "sharing/list_shared_links", .path = path};
    q.arg = json_pack("{s:s, s:b}", "path", path, "direct_only", 1);
    dbx_fetch(c, &q, on_list_links, NULL, NULL);
    free(path);
}

void dropbox_create_shared_link(mcp_call_t *c, json_t *args, void *data)
{
    (void)data;
    if (!dbx_path_arg_ok(c, args, "path"))
        return;
    const char *path = dbx_arg_str(args, "path");
    const char *audience = dbx_arg_str(args, "audience"), *expires = dbx_arg_str(args, "expires");
    char *copy = strdup(path ? path : "");
    json_t *arg = json_pack("{s:s}", "path", path ? path : "");
    if (copy == NULL || arg == NULL) {
        free(copy);
        json_decref(arg);
        mcp_call_fail(c, "out of memory");
        return;
    }
    if (audience != NULL || expires != NULL) {
        json_t *settings = json_object();
        if (audience != NULL)
            json_object_set_new(settings, "audience", json_string(audience));
        if (expires != NULL)
            json_object_set_new(settings, "expires", json_string(expires));
        json_object_set_new(arg, "settings", settings);
    }
    dbx_request_t q = {
        .route = "sharing/create_shared_link_with_settings", .arg = arg, .path = path, .route_errors_to_cb = 1};
    dbx_fetch(c, &q, on_link, copy, free);
}
