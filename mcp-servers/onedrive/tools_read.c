/*
 * tools_read.c - onedrive's read tools: list_children, search, get_item. Paging: Graph's @odata.nextLink is handed to
 * the model as next_cursor and accepted back as cursor only when it lies below the configured API base (the access
 * token never goes anywhere else).
 */
#include "common/status.h"
#include "onedrive.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define OD_PATH_MAX 4096

static void get(mcp_call_t *c, char *url, mcp_provider_cb cb, void *arg)
{
    od_graph(c, NULL, url, NULL, od_error_read, cb, arg);
}

/* With a cursor argument: follows it (a nextLink of a previous answer) with cb, or fails the call when it is not
 * one, and returns 1 (the call is taken care of). 0 when there is none. */
static int follow_cursor(mcp_call_t *c, json_t *args, mcp_provider_cb cb, void *arg)
{
    const char *t = od_arg_str(args, "cursor");
    if (t == NULL)
        return 0;
    if (msgraph_page_token_ok(t))
        get(c, strdup(t), cb, arg);
    else
        mcp_call_fail(c, "Invalid argument 'cursor': use the next_cursor value of a previous result.");
    return 1;
}

static void on_items(mcp_call_t *c, const mcp_provider_response_t *res, void *arg)
{
    const json_t *value = json_object_get(res->json, "value");
    if (!json_is_array(value)) {
        mcp_call_fail(c, "Microsoft Graph returned an unexpected answer (no item list).");
        return;
    }
    const char *next = json_string_value(json_object_get(res->json, "@odata.nextLink"));
    json_t *items = json_array();
    cm_buf_t b = {0};
    size_t i;
    const json_t *it;
    cm_buf_printf(&b, "%zu item%s%s\n", json_array_size(value), json_array_size(value) == 1 ? "" : "s",
                  arg ? " found" : "");
    json_array_foreach(value, i, it)
    {
        json_t *s = od_item_summary(it);
        od_append_item_line(&b, s);
        json_array_append_new(items, s);
    }
    if (next != NULL)
        cm_buf_appendz(&b, "More items: pass next_cursor as cursor.\n");
    json_t *out = json_pack("{s:o}", "items", items);
    if (next != NULL)
        json_object_set_new(out, "next_cursor", json_string(next));
    mcp_tool_finish_buf(c, &b, out);
}

void onedrive_list_children(mcp_call_t *c, json_t *args, void *data)
{
    (void)data;
    if (follow_cursor(c, args, on_items, NULL))
        return;
    char path[OD_PATH_MAX], top[24], sel[1024];
    if (od_item_path(c, args, "item_id", "path", 1, "/children", path, sizeof(path)) != CM_OK)
        return;
    snprintf(top, sizeof(top), "%lld", (long long)json_integer_value(json_object_get(args, "top")));
    od_select(json_object_get(args, "select"), sel, sizeof(sel));
    const char *q[] = {"$top", top, "$select", sel, NULL};
    get(c, msgraph_url(path, q), on_items, NULL);
}

void onedrive_search(mcp_call_t *c, json_t *args, void *data)
{
    (void)data;
    if (follow_cursor(c, args, on_items, (void *)1))
        return;
    const char *query = od_arg_str(args, "query");
    if (query == NULL) {
        mcp_call_fail(c, "Missing argument 'query' (or give a cursor).");
        return;
    }
    /* OData string literal: a quote is doubled; the literal is then percent-escaped as one path segment */
    cm_buf_t lit = {0};
    for (const char *p = query; *p != '\0'; p++)
        cm_buf_append(&lit, *p == '\'' ? "''" : p, *p == '\'' ? 2 : 1);
    char *e = lit.failed ? NULL : msgraph_escape(lit.data ? lit.data : "");
    cm_buf_free(&lit);
    if (e == NULL) {
        mcp_call_fail(c, "out of memory");
        return;
    }
    char top[24], sel[1024];
    cm_buf_t path = {0};
    cm_buf_printf(&path, "/me/drive/root/search(q='%s')", e);
    free(e);
    snprintf(top, sizeof(top), "%lld", (long long)json_integer_value(json_object_get(args, "top")));
    od_select(json_object_get(args, "select"), sel, sizeof(sel));
    const char *q[] = {"$top", top, "$select", sel, NULL};
    char *url = path.failed ? NULL : msgraph_url(path.data, q);
    cm_buf_free(&path);
    get(c, url, on_items, (void *)1);
}

static void on_item(mcp_call_t *c, const mcp_provider_response_t *res, void *arg)
{
    (void)arg;
    if (!json_is_object(res->json)) {
        mcp_call_fail(c, "Microsoft Graph returned an unexpected answer (no item).");
        return;
    }
    json_t *s = od_item_summary(res->json);
    cm_buf_t b = {0};
    od_append_item_line(&b, s);
    const char *keys[][2] = {{"web_url", "Web URL"},
                             {"parent_path", "Folder"},
                             {"created", "Created"},
                             {"created_by", "Created by"},
                             {"modified_by", "Modified by"},
                             {"description", "Description"},
                             {"etag", "eTag"}};
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        const char *v = json_string_value(json_object_get(s, keys[i][0]));
        if (v != NULL)
            cm_buf_printf(&b, "  %s: %s\n", keys[i][1], v);
    }
    mcp_tool_finish_buf(c, &b, s);
}

void onedrive_get_item(mcp_call_t *c, json_t *args, void *data)
{
    (void)data;
    char path[OD_PATH_MAX], sel[1024];
    if (od_item_path(c, args, "item_id", "path", 1, "", path, sizeof(path)) != CM_OK)
        return;
    json_t *fields = json_object_get(args, "select");
    if (json_array_size(fields) == 0)
        snprintf(sel, sizeof(sel),
                 "id,name,size,createdDateTime,lastModifiedDateTime,webUrl,folder,file,"
                 "parentReference,eTag,description,createdBy,lastModifiedBy");
    else
        od_select(fields, sel, sizeof(sel));
    const char *q[] = {"$select", sel, NULL};
    get(c, msgraph_url(path, q), on_item, NULL);
}
