/*
 * tools_search.c - the finding tools: search_files (Drive query syntax plus helpers), list_folder and
 * get_file_metadata. Every call names the fields it wants (fields=...): Drive returns only what is asked for.
 */
#include "googledrive.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LIST_FIELDS "nextPageToken,incompleteSearch,files(" GD_FILE_FIELDS ")"
#define META_FIELDS                                                                                                    \
    "id,name,mimeType,size,createdTime,modifiedTime,parents,trashed,webViewLink,description,md5Checksum,shared,"       \
    "owners(displayName,emailAddress)"

static void on_list(mcp_call_t *c, const mcp_provider_response_t *res, void *arg)
{
    gd_finish_file_list(c, res, arg);
    free(arg);
}

/* files.list with q (may be NULL) and the paging arguments; heading (copied) names the listing in the text. */
static void list_files(mcp_call_t *c, json_t *args, const char *q, const char *heading)
{
    char size[24];
    snprintf(size, sizeof(size), "%lld", (long long)json_integer_value(json_object_get(args, "page_size")));
    const char *query[] = {"q", q, "pageSize", size, "pageToken", gd_str(args, "cursor"), "orderBy",
                           gd_str(args, "order_by"), "fields", LIST_FIELDS,
                           /* shared drives' items too (gd_url adds supportsAllDrives) */
                           "includeItemsFromAllDrives", "true", NULL};
    char *h = strdup(heading);
    if (h == NULL) {
        mcp_call_fail(c, "out of memory");
        return;
    }
    gd_fetch(c, "GET", gd_url("/files", query), NULL, GD_SCOPE_METADATA, on_list, h, free);
}

/* " and " between the terms of a query being built. */
static void and_term(cm_buf_t *b)
{
    if (b->len > 0)
        cm_buf_appendz(b, " and ");
}

void gd_search_files(mcp_call_t *c, json_t *args, void *data)
{
    (void)data;
    if (!gd_names_ok(c, args))
        return;
    if (!gd_cursor_ok(c, args))
        return;
    const char *q = gd_str(args, "q"), *name = gd_str(args, "name_contains"), *mime = gd_str(args, "mime_type");
    const char *after = gd_str(args, "modified_after"), *folder = gd_str(args, "in_folder");
    cm_buf_t b = {0};
    if (q != NULL)
        cm_buf_printf(&b, "(%s)", q); /* the caller's own expression stays one term of the conjunction */
    if (name != NULL) {
        and_term(&b);
        cm_buf_appendz(&b, "name contains ");
        gd_query_literal(&b, name);
    }
    if (mime != NULL) {
        and_term(&b);
        cm_buf_appendz(&b, "mimeType = ");
        gd_query_literal(&b, mime);
    }
    if (after != NULL) {
        and_term(&b);
        cm_buf_printf(&b, "modifiedTime > '%s%s'", after, strlen(after) == 10 ? "T00:00:00Z" : "");
    }
    if (folder != NULL) {
        and_term(&b);
        gd_query_literal(&b, folder);
        cm_buf_appendz(&b, " in parents");
    }
    if (!json_is_true(json_object_get(args, "include_trashed"))) {
        and_term(&b);
        cm_buf_appendz(&b, "trashed = false");
    }
    if (b.failed) {
        cm_buf_free(&b);
        mcp_call_fail(c, "out of memory");
        return;
    }
    char *expr = cm_buf_take(&b);
    list_files(c, args, expr[0] != '\0' ? expr : NULL, "Search results");
    free(expr);
}

void gd_list_folder(mcp_call_t *c, json_t *args, void *data)
{
    (void)data;
    if (!gd_cursor_ok(c, args))
        return;
    const char *folder = gd_str(args, "folder_id");
    cm_buf_t b = {0}, h = {0};
    gd_query_literal(&b, folder != NULL ? folder : "root");
    cm_buf_appendz(&b, " in parents");
    if (!json_is_true(json_object_get(args, "include_trashed")))
        cm_buf_appendz(&b, " and trashed = false");
    cm_buf_printf(&h, "Folder %s", folder != NULL ? folder : "root");
    char *expr = cm_buf_take(&b), *heading = cm_buf_take(&h);
    if (expr == NULL || heading == NULL) {
        free(expr);
        free(heading);
        mcp_call_fail(c, "out of memory");
        return;
    }
    list_files(c, args, expr, heading);
    free(expr);
    free(heading);
}

static void on_metadata(mcp_call_t *c, const mcp_provider_response_t *res, void *arg)
{
    (void)arg;
    json_t *s = gd_file_summary(res->json);
    cm_buf_t b = {0};
    gd_file_line(&b, s);
    const char *v;
    json_t *parents = json_object_get(s, "parents"), *p;
    size_t i;
    if ((v = json_string_value(json_object_get(s, "created_time"))) != NULL)
        cm_buf_printf(&b, "Created: %s\n", v);
    if (json_array_size(parents) > 0) {
        cm_buf_appendz(&b, "Parents:");
        json_array_foreach(parents, i, p) cm_buf_printf(&b, " %s", json_string_value(p) ?: "?");
        cm_buf_appendz(&b, "\n");
    }
    json_t *owners = json_object_get(s, "owners");
    if (json_array_size(owners) > 0) {
        cm_buf_appendz(&b, "Owners:");
        json_array_foreach(owners, i, p) cm_buf_printf(&b, " %s", json_string_value(p) ?: "?");
        cm_buf_appendz(&b, "\n");
    }
    if (json_is_boolean(json_object_get(s, "shared")))
        cm_buf_printf(&b, "Shared: %s\n", json_is_true(json_object_get(s, "shared")) ? "yes" : "no");
    if ((v = json_string_value(json_object_get(s, "md5_checksum"))) != NULL)
        cm_buf_printf(&b, "MD5: %s\n", v);
    if ((v = json_string_value(json_object_get(s, "web_view_link"))) != NULL)
        cm_buf_printf(&b, "Link: %s\n", v);
    if ((v = json_string_value(json_object_get(s, "description"))) != NULL)
        cm_buf_printf(&b, "Description: %s\n", v);
    mcp_tool_finish_buf(c, &b, s);
}

void gd_get_file_metadata(mcp_call_t *c, json_t *args, void *data)
{
    (void)data;
    const char *q[] = {"fields", META_FIELDS, NULL};
    gd_fetch(c, "GET", gd_file_url(gd_str(args, "file_id"), NULL, q), NULL, GD_SCOPE_METADATA, on_metadata, NULL, NULL);
}
