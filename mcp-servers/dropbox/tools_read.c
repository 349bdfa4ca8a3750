/*
 * tools_read.c - dropbox's read tools: list_folder (files/list_folder, then files/list_folder/continue with the
 * cursor), search (files/search_v2, then files/search/continue_v2) and get_metadata. Dropbox's own cursor is handed to
 * the model as next_cursor while has_more is true; it is opaque and only ever sent back to Dropbox in a JSON body.
 */
#include "common/status.h"
#include "dropbox.h"

#include <stdio.h>
#include <string.h>

/* Dropbox names the root "" and refuses "/" (400) where the root is allowed: "/" is taken for it. */
static const char *root_is_empty(const char *path)
{
    return path != NULL && strcmp(path, "/") == 0 ? "" : path;
}

/* Finishes a page: entries (Metadata objects, or search matches when search is set), has_more, the cursor. */
static void on_page(mcp_call_t *c, const mcp_provider_response_t *res, void *arg)
{
    int search = arg != NULL;
    const json_t *list = json_object_get(res->json, search ? "matches" : "entries");
    if (!json_is_array(list)) {
        mcp_call_fail(c, "Dropbox returned an unexpected answer (no %s).", search ? "matches" : "entries");
        return;
    }
    int more = json_is_true(json_object_get(res->json, "has_more"));
    const char *cursor = json_string_value(json_object_get(res->json, "cursor"));
    json_t *items = json_array();
    cm_buf_t b = {0};
    size_t i;
    const json_t *it;
    cm_buf_printf(&b, "%zu %s%s\n", json_array_size(list), search ? "match" : "entr",
                  search ? (json_array_size(list) == 1 ? "" : "es") : (json_array_size(list) == 1 ? "y" : "ies"));
    json_array_foreach(list, i, it)
    {
        /* search: {"metadata": {".tag": "metadata", "metadata": Metadata}, "match_type": ...} */
        const json_t *m = search ? json_object_get(json_object_get(it, "metadata"), "metadata") : it;
        if (!json_is_object(m))
            continue;
        json_t *s = dbx_meta_summary(m);
        dbx_append_meta_line(&b, s);
        json_array_append_new(items, s);
    }
    json_t *out = json_pack("{s:o, s:b}", search ? "matches" : "entries", items, "has_more", more);
    if (more && cursor != NULL) {
        cm_buf_appendz(&b, "More results: pass next_cursor as cursor.\n");
        json_object_set_new(out, "next_cursor", json_string(cursor));
    }
    mcp_tool_finish_buf(c, &b, out);
}

void dropbox_list_folder(mcp_call_t *c, json_t *args, void *data)
{
    (void)data;
    const char *cursor = dbx_arg_str(args, "cursor");
    dbx_request_t q = {.route = "files/list_folder/continue"};
    if (cursor != NULL) {
        q.arg = json_pack("{s:s}", "cursor", cursor);
    } else {
        if (!dbx_path_arg_ok(c, args, "path"))
            return;
        const char *path = root_is_empty(json_string_value(json_object_get(args, "path")));
        q.route = "files/list_folder";
        q.path = path && *path ? path : "(the root)";
        q.arg = json_pack("{s:s, s:b, s:I, s:b}", "path", path ? path : "", "recursive",
                          json_is_true(json_object_get(args, "recursive")), "limit",
                          json_integer_value(json_object_get(args, "limit")), "include_deleted",
                          json_is_true(json_object_get(args, "include_deleted")));
    }
    dbx_fetch(c, &q, on_page, NULL, NULL);
}

void dropbox_search(mcp_call_t *c, json_t *args, void *data)
{
    (void)data;
    const char *cursor = dbx_arg_str(args, "cursor");
    const char *query = dbx_arg_str(args, "query");
    dbx_request_t q = {.route = "files/search/continue_v2"};
    if (cursor != NULL) {
        q.arg = json_pack("{s:s}", "cursor", cursor);
    } else if (query == NULL) {
        mcp_call_fail(c, "Missing argument 'query' (or give a cursor).");
        return;
    } else {
        if (!dbx_path_arg_ok(c, args, "path"))
            return;
        const char *path = root_is_empty(dbx_arg_str(args, "path"));
        json_t *opts =
            json_pack("{s:I, s:s, s:b}", "max_results", json_integer_value(json_object_get(args, "max_results")),
                      "file_status", dbx_arg_str(args, "file_status") ?: "active", "filename_only",
                      json_is_true(json_object_get(args, "filename_only")));
        if (opts != NULL && path != NULL && *path != '\0')
            json_object_set_new(opts, "path", json_string(path));
        q.route = "files/search_v2";
        q.path = path;
        q.arg = opts ? json_pack("{s:s, s:o}", "query", query, "options", opts) : NULL;
    }
    dbx_fetch(c, &q, on_page, (void *)1, NULL);
}

static void on_meta(mcp_call_t *c, const mcp_provider_response_t *res, void *arg)
{
    (void)arg;
    dbx_finish_meta(c, NULL, res->json, NULL);
}

void dropbox_get_metadata(mcp_call_t *c, json_t *args, void *data)
{
    (void)data;
    if (!dbx_path_arg_ok(c, args, "path"))
        return;
    const char *path = dbx_arg_str(args, "path");
    dbx_request_t q = {.route = "files/get_metadata", .path = path};
    q.arg = json_pack("{s:s, s:b}", "path", path ? path : "", "include_deleted",
                      json_is_true(json_object_get(args, "include_deleted")));
    dbx_fetch(c, &q, on_meta, NULL, NULL);
}
